// SPDX-License-Identifier: GPL-2.0

//! The Physical Function: device bring-up, SR-IOV enable and disable, the interrupt handler,
//! and the state every path shares.
//!
//! [`Pf`] is the driver's per-device data. It owns the interrupts, the debugfs view and a
//! [`PfCore`], which the interrupt handlers, the PF interface ([`NetDev`]) and debugfs share
//! through an `Arc`: the device (`Hw`), the [`Model`] of the VFs, the [`Mailboxes`] and the
//! PF's own [`Rings`].
//!
//! # Locking
//!
//! One IRQ-safe spinlock, [`PfCore::state`], serialises everything that changes the device's
//! configuration: the interrupt handler (mailbox, VF resets, link changes), `sriov_configure`,
//! the administrator's changes (under the RTNL) and probe/unbind. The mailbox is served in
//! hard-interrupt context, as C igb does: igbvf waits for replies busy-polling with preemption
//! disabled, so a handler deferred to a thread bound to that CPU would not run until igbvf gave
//! up. Nothing under the lock sleeps or allocates (mailbox lock retries use `udelay`). The lock
//! is never held across `pci_enable_sriov`/`pci_disable_sriov` or the PF interface's
//! (un)registration: those probe and remove the VF drivers, which wait for mailbox replies
//! from the interrupt handler, or sleep.
//!
//! The PF's rings have a lock of their own, [`PfCore::dp`], taken by the transmit path and
//! the NAPI poll, never in hard-interrupt context (the queue vector's handler only reads
//! [`PfCore::irq_net`]); it is never held while taking the PF's lock, and the rings are created
//! and freed outside both. Opening, closing and moving the rings (when
//! `sriov_numvfs` changes the PF's pool) happen under the RTNL.

use crate::{
    admin::Admin,
    datapath::{
        max_frame,
        Completed,
        NetStats,
        QueueInfo,
        Rings,
        TxVerdict,
        POLL_MAX, //
    },
    debugfs::{
        DebugFs,
        VfReport,
        VfSnapshot, //
    },
    hw::{
        regs::LinkSpeed,
        Hw,
        Pool, //
    },
    irq::Irqs,
    mbx::Mailboxes,
    model::{
        mac::MacAddr,
        pf_mc::PfMulticast,
        Changes,
        Model,
        MAX_VFS, //
    },
    net::{
        with_rtnl,
        NetRef,
        Skb, //
    },
    netdev::{
        NetDev,
        NetOps,
        VfControl, //
    },
    sriov::SriovDevice,
    timer::{
        Expired,
        Timed, //
    },
};
use kernel::{
    device::{
        Bound,
        Core, //
    },
    irq::{
        Handler,
        IrqReturn, //
    },
    new_spinlock_irq, pci,
    prelude::*,
    sync::{
        Arc,
        SpinLockIrq, //
    },
    time::Delta,
};

/// What the interrupt handler, the PF interface and debugfs share: the [`PfCore`] and the
/// timer that serves the mailbox work that had to wait.
pub(crate) type Shared<'bound> = Timed<PfCore<'bound>>;

/// Mutable PF state, protected by [`PfCore::state`].
struct PfState<'bound> {
    /// The VFs and the device's filter tables, as the protocol sees them.
    model: Model,
    /// The VFs' mailboxes.
    mbx: Mailboxes,
    /// Last link state seen.
    link: Option<LinkSpeed>,
    /// The PF network interface, once registered. It holds a reference to the `PfCore`, which
    /// `Pf::unbind` breaks by taking it out.
    netdev: Option<NetDev<Shared<'bound>>>,
    /// Unbind has announced the PF's reset: nothing may touch the VFs' mailboxes any more.
    stopped: bool,
}

/// The PF interface's own traffic, protected by [`PfCore::dp`].
struct DpState {
    /// The interface is up (between `ndo_open` and `ndo_stop`).
    up: bool,
    /// The interface's MTU.
    mtu: u32,
    /// The rings, while the interface is up and its queue is not moving.
    rings: Option<Rings>,
    /// Counters, kept across the rings.
    stats: NetStats,
    /// The PF pool takes all multicast (more groups than the filter holds, allmulticast or
    /// promiscuous).
    all_multicast: bool,
}

/// What the PCI callbacks, the interrupt handlers, the PF interface and debugfs share.
#[pin_data]
pub(crate) struct PfCore<'bound> {
    pdev: &'bound pci::Device<Bound>,
    hw: Hw<'bound>,
    /// The PF's permanent MAC address.
    mac: MacAddr,
    #[pin]
    state: SpinLockIrq<PfState<'bound>>,
    #[pin]
    dp: SpinLockIrq<DpState>,
    /// The interface the queue vector schedules NAPI for, while the rings run. Kept apart
    /// from `dp` so that no lock the rings' work takes under `dp` (the page pool's, say) is
    /// ever ordered after a lock taken in hard-interrupt context.
    #[pin]
    irq_net: SpinLockIrq<Option<NetRef>>,
}

/// The interrupt handler's handle on the PF.
pub(crate) struct IrqHandler<'bound> {
    core: Arc<Shared<'bound>>,
}

impl Handler for IrqHandler<'_> {
    fn handle(&self) -> IrqReturn {
        if let Some(after) = self.core.service_interrupt() {
            self.core.start(after);
        }
        IrqReturn::Handled
    }
}

/// The queue vector's handler: masks the vector and lets NAPI do the work.
pub(crate) struct QueueIrqHandler<'bound> {
    core: Arc<Shared<'bound>>,
}

impl Handler for QueueIrqHandler<'_> {
    fn handle(&self) -> IrqReturn {
        self.core.hw.queue_vector_mask();
        // Under the lock: once the rings stop and clear it, no handler uses the interface.
        if let Some(net) = *self.core.irq_net.lock() {
            net.napi_schedule_irqoff();
        }
        IrqReturn::Handled
    }
}

impl Expired for PfCore<'_> {
    /// Mailbox work that had to wait: a VF held its lock, or had spent its budget.
    fn expired(&self) -> Option<Delta> {
        let mut st = self.state.lock();
        let st = &mut *st;
        if st.stopped {
            return None;
        }
        st.mbx.serve(self.pdev, &self.hw, &mut st.model)
    }
}

/// The driver's per-device data.
pub(crate) struct Pf<'bound> {
    // Fields drop in declaration order: the interrupt and the debugfs files go before the
    // `PfCore` they use.
    _irq: Irqs<'bound, IrqHandler<'bound>, QueueIrqHandler<'bound>>,
    _debugfs: Option<DebugFs<Shared<'bound>>>,
    core: Arc<Shared<'bound>>,
}

impl<'bound> Pf<'bound> {
    /// Brings the PF up and, with `max_vfs > 0`, enables that many VFs.
    pub(crate) fn probe(pdev: &'bound pci::Device<Core<'_>>, max_vfs: u32) -> Result<Self> {
        pdev.enable_device_mem()?;
        // QEMU's model, like the hardware, drops received frames while bus mastering is off.
        pdev.set_master();
        crate::net::set_dma_mask_64(pdev)?;
        let bound: &'bound pci::Device<Bound> = pdev;
        let hw = Hw::map(bound)?;
        hw.reset()
            .inspect_err(|_| dev_err!(pdev, "device reset timed out\n"))?;
        let mac = hw.permanent_mac();
        hw.init_vmdq();
        // VFs left enabled by an earlier unbind (they were assigned to guests) are adopted
        // as they are, like C igb does; their drivers see the PF reset and reset themselves.
        let adopted = usize::try_from(pdev.num_vf()).unwrap_or(0).min(MAX_VFS);
        let sriov = match pdev.sriov_set_totalvfs(MAX_VFS as u16) {
            Ok(()) => true,
            Err(e) if e == EBUSY && adopted > 0 => true,
            Err(e) => {
                dev_warn!(
                    pdev,
                    "SR-IOV unavailable ({e:?}): working as a NIC without VFs\n"
                );
                false
            }
        };

        let model = Model::new(adopted, mac);
        let core = Arc::pin_init(
            Timed::new(try_pin_init!(PfCore {
                pdev: bound,
                hw,
                mac,
                state <- new_spinlock_irq!(PfState {
                    model,
                    mbx: Mailboxes::new(),
                    link: None,
                    netdev: None,
                    stopped: false,
                }),
                dp <- new_spinlock_irq!(DpState {
                    up: false,
                    mtu: 1500,
                    rings: None,
                    stats: NetStats::default(),
                    all_multicast: false,
                }),
                irq_net <- new_spinlock_irq!(None),
            })),
            GFP_KERNEL,
        )?;
        core.hw.program_all(&core.state.lock().model);

        let irq = Irqs::new(
            bound,
            [c"rigb", c"rigb-queue"],
            Ok::<_, Error>(IrqHandler { core: core.clone() }),
            Ok::<_, Error>(QueueIrqHandler { core: core.clone() }),
        )
        .inspect_err(|e| dev_err!(pdev, "cannot set up MSI-X: {e:?}\n"))?;
        core.hw.enable_interrupts();
        core.hw.enable_rx_checksum();
        if let Err(e) = core.hw.start_link() {
            dev_warn!(pdev, "PHY autonegotiation failed to start: {e:?}\n");
        }
        // VFs may reset from now on, whether or not a PF network interface exists or is up.
        core.hw.set_pf_reset_done(true);

        let netdev = NetDev::register(pdev, core.clone(), mac)
            .inspect_err(|e| dev_err!(pdev, "cannot register the PF interface: {e:?}\n"))?;
        {
            let mut st = core.state.lock();
            netdev.set_carrier(st.link.is_some());
            st.netdev = Some(netdev);
        }
        dev_info!(pdev, "82576 PF, MAC {mac:x}, up to {MAX_VFS} VFs\n");

        let debugfs = DebugFs::new(pdev.as_ref().name(), core.clone(), MAX_VFS)
            .inspect_err(|e| dev_warn!(pdev, "no debugfs view: {e:?}\n"))
            .ok();
        let pf = Self {
            _irq: irq,
            _debugfs: debugfs,
            core,
        };
        if adopted > 0 {
            dev_info!(
                pdev,
                "{adopted} VFs were left enabled: adopting them (max_vfs ignored)\n"
            );
            return Ok(pf);
        }
        let mut n = max_vfs as usize;
        if n > MAX_VFS {
            dev_warn!(pdev, "max_vfs={max_vfs} is out of range, using {MAX_VFS}\n");
            n = MAX_VFS;
        }
        if n > 0 && sriov {
            // Like C igb, a failure to create VFs leaves a working PF; the administrator can
            // retry through sysfs.
            let _ = pf.core.enable_vfs(pdev, n);
        }
        Ok(pf)
    }

    /// Tears down what probe set up that the device must not keep: the PF interface, VFs and
    /// interrupts.
    pub(crate) fn unbind(&self, pdev: &pci::Device<Core<'_>>) {
        // Unregistering sleeps, so the interface leaves the locked state first.
        let netdev = self.core.state.lock().netdev.take();
        drop(netdev);
        if pdev.num_vf() > 0 {
            if pdev.vfs_assigned() > 0 {
                dev_warn!(
                    pdev,
                    "unbinding with VFs assigned to guests: the VFs stay enabled\n"
                );
            } else {
                let _ = self.core.disable_vfs(pdev);
            }
        }
        // VFs still enabled here are assigned to guests: tell them the PF is going away before
        // its receive and transmit paths stop.
        let core = &self.core;
        {
            let mut st = core.state.lock();
            let st = &mut *st;
            st.mbx.announce_pf_reset(&core.hw, &mut st.model);
            st.stopped = true;
            core.hw.disable_interrupts();
            core.hw.set_pf_reset_done(false);
            core.hw.stop();
        }
        // The callback takes the lock: cancelled only once it is released.
        core.cancel();
    }

    /// `sriov_configure`: enable `n` VFs, or disable them with 0.
    pub(crate) fn configure_vfs(&self, pdev: &pci::Device<Core<'_>>, n: i32) -> Result<i32> {
        match usize::try_from(n) {
            Ok(0) => self.core.disable_vfs(pdev),
            Ok(n) if n <= MAX_VFS => self.core.enable_vfs(pdev, n),
            _ => Err(ERANGE),
        }
    }
}

impl PfCore<'_> {
    /// The interrupt handler: link changes, then the mailboxes. Returns when to serve the
    /// mailboxes again, if some work had to wait.
    fn service_interrupt(&self) -> Option<Delta> {
        let causes = self.hw.take_causes();
        let retry = {
            let mut st = self.state.lock();
            let st = &mut *st;
            if st.stopped {
                None
            } else {
                if causes.link {
                    self.link_changed(st);
                }
                if causes.spoof {
                    st.mbx.spoofed(self.pdev, self.hw.take_spoofed());
                }
                // Mailbox bits are checked on every interrupt: they are cheap to read and a
                // cause that arrived while this handler ran may already be folded into this one.
                st.mbx.serve(self.pdev, &self.hw, &mut st.model)
            }
        };
        self.hw.rearm_interrupt();
        retry
    }

    fn link_changed(&self, st: &mut PfState<'_>) {
        let link = self.hw.link();
        if link == st.link {
            return;
        }
        let was_up = st.link.is_some();
        st.link = link;
        match link {
            Some(speed) => dev_info!(self.pdev, "link up, {} Mb/s\n", speed.mbps()),
            None => dev_info!(self.pdev, "link down\n"),
        }
        if let Some(netdev) = &st.netdev {
            netdev.set_carrier(link.is_some());
        }
        // Rate limits are relative to the link speed.
        for vf in 0..st.model.num_vfs() {
            if st.model.vf(vf).is_some_and(|v| v.config.max_tx_rate != 0) {
                self.hw.program(&st.model, vf, Changes::RATE);
            }
        }
        if was_up != link.is_some() {
            // The mailboxes are served right after this; what waits is retried from there.
            let _ = st
                .mbx
                .notify_link_change(self.pdev, &self.hw, &mut st.model);
        }
    }

    /// Creates `n` VFs: their state and resources first, then the PCI functions.
    fn enable_vfs(&self, pdev: &pci::Device<Core<'_>>, n: usize) -> Result<i32> {
        if pdev.num_vf() > 0 {
            // The PCI core refuses non-zero to non-zero changes itself; probe never gets here.
            return Err(EBUSY);
        }
        // The PF's rings move to pool n.
        let net = with_rtnl(|| {
            let net = self.pause_rings();
            let mut st = self.state.lock();
            let pf_mc = st.model.pf_multicast();
            st.model = Model::new(n, self.mac);
            st.model.set_pf_multicast(pf_mc);
            st.mbx = Mailboxes::new();
            self.hw.set_mbx_interrupts(0xff);
            // Each VF's pool is enabled by its first RESET message, not here.
            self.hw.program_all(&st.model);
            net
        });
        for vf in 0..n {
            let q = crate::model::vf::queues(vf);
            dev_dbg!(pdev, "VF {vf}: pool {vf}, queues {} and {}\n", q[0], q[1]);
        }
        let r = pdev.enable_sriov(n as i32);
        if let Err(e) = r {
            dev_err!(pdev, "cannot enable {n} VFs: {e:?}\n");
            self.release_vfs();
        }
        with_rtnl(|| self.resume_rings(net));
        r?;
        dev_info!(pdev, "enabled {n} VFs\n");
        Ok(n as i32)
    }

    /// Removes all VFs, then releases their resources.
    fn disable_vfs(&self, pdev: &pci::Device<Core<'_>>) -> Result<i32> {
        let assigned = pdev.vfs_assigned();
        if assigned > 0 {
            dev_err!(
                pdev,
                "cannot disable SR-IOV: {assigned} VFs are assigned to guests; detach them first\n"
            );
            return Err(EBUSY);
        }
        let n = pdev.num_vf();
        pdev.disable_sriov();
        // The PF's rings move back to pool 0.
        let net = with_rtnl(|| {
            let net = self.pause_rings();
            self.release_vfs();
            net
        });
        with_rtnl(|| self.resume_rings(net));
        if n > 0 {
            dev_info!(pdev, "disabled {n} VFs\n");
        }
        Ok(0)
    }

    fn release_vfs(&self) {
        let mut st = self.state.lock();
        let pf_mc = st.model.pf_multicast();
        st.model = Model::new(0, self.mac);
        st.model.set_pf_multicast(pf_mc);
        st.mbx = Mailboxes::new();
        self.hw.set_mbx_interrupts(0xff);
        self.hw.program_all(&st.model);
    }
}

impl PfCore<'_> {
    /// The pool the PF's rings belong on now.
    fn pf_pool(&self) -> Result<Pool> {
        Pool::new(self.state.lock().model.pf_pool()).ok_or(EINVAL)
    }

    /// Creates the rings on the PF's pool and starts them. Called under the RTNL.
    fn start_rings(&self, net: NetRef) -> Result {
        let pool = self.pf_pool()?;
        let rings = Rings::new(self.pdev.as_ref(), net, pool)?;
        let (mtu, all_multicast) = {
            let dp = self.dp.lock();
            (dp.mtu, dp.all_multicast)
        };
        {
            // The pool enable bits are shared with the VFs' pools, which the PF lock guards.
            let st = self.state.lock();
            if st.stopped {
                return Err(ENODEV);
            }
            rings.start(&self.hw);
            self.hw.pf_pool_open(pool, max_frame(mtu), all_multicast);
        }
        net.tx_reset();
        self.dp.lock().rings = Some(rings);
        net.napi_enable();
        *self.irq_net.lock() = Some(net);
        net.tx_start();
        self.hw.queue_vector_enable();
        Ok(())
    }

    /// Stops and frees the rings, if there are any. Called under the RTNL.
    fn stop_rings(&self, net: NetRef) {
        if self.dp.lock().rings.is_none() {
            return;
        }
        net.tx_stop();
        self.hw.queue_vector_mask();
        *self.irq_net.lock() = None;
        net.napi_disable();
        let rings = self.dp.lock().rings.take();
        if let Some(rings) = rings {
            {
                let _st = self.state.lock();
                self.hw.pf_pool_close(rings.pool());
            }
            rings.stop(&self.hw);
            // Freed here, outside both locks: freeing DMA memory may sleep.
            drop(rings);
        }
        net.tx_reset();
    }

    /// Before the PF's pool changes: stops the rings; returns the interface they served.
    fn pause_rings(&self) -> Option<NetRef> {
        let net = self.dp.lock().rings.as_ref().map(Rings::net)?;
        self.stop_rings(net);
        Some(net)
    }

    /// After the PF's pool changed: restarts the rings of an interface that is still up.
    fn resume_rings(&self, net: Option<NetRef>) {
        let Some(net) = net else {
            return;
        };
        let restart = {
            let dp = self.dp.lock();
            dp.up && dp.rings.is_none()
        };
        if restart {
            match self.start_rings(net) {
                // What the stack queued meanwhile goes out now.
                Ok(()) => net.tx_wake(),
                Err(e) => dev_err!(self.pdev, "cannot restart the PF's rings: {e:?}\n"),
            }
        }
    }
}

impl NetOps for Shared<'_> {
    fn open(&self, net: NetRef) -> Result {
        self.start_rings(net)?;
        self.dp.lock().up = true;
        Ok(())
    }

    fn stop(&self, net: NetRef) {
        self.dp.lock().up = false;
        self.stop_rings(net);
        // The VFs share the multicast table: a closed interface's groups leave it (the stack
        // sets them again when the interface opens).
        self.set_rx_mode(PfMulticast::default());
    }

    fn xmit(&self, _net: NetRef, skb: Skb) -> TxVerdict {
        let mut dp = self.dp.lock();
        let dp = &mut *dp;
        match dp.rings.as_mut() {
            Some(rings) => rings.xmit(&self.hw, skb, &mut dp.stats),
            None => {
                // The rings are moving to another pool: the frame is dropped.
                dp.stats.tx_dropped += 1;
                TxVerdict::Taken
            }
        }
    }

    fn poll(&self, net: NetRef, budget: usize) -> usize {
        let csum = net.rx_csum_enabled();
        let mut work = 0;
        let mut dropped = 0;
        let mut more = false;
        // In chunks, so that what is handed to the stack waits on the stack, not in a large
        // array, and the lock is released in between.
        for _ in 0..POLL_MAX / Completed::CHUNK {
            let mut done = Completed::new();
            {
                let mut dp = self.dp.lock();
                let dp = &mut *dp;
                let Some(rings) = dp.rings.as_mut() else {
                    break;
                };
                rings.poll(&self.hw, budget - work, csum, &mut dp.stats, &mut done);
            }
            if done.wake {
                net.tx_wake();
            }
            dropped += done.finish(net);
            work += done.received;
            more = done.full();
            if !more || work >= budget {
                break;
            }
        }
        if dropped > 0 {
            self.dp.lock().stats.rx_dropped += dropped;
        }
        if more {
            return budget;
        }
        if net.napi_complete_done(work) {
            self.hw.queue_vector_unmask();
        }
        work
    }

    fn change_mtu(&self, _net: NetRef, mtu: u32) -> Result {
        let (pool, all_multicast) = {
            let mut dp = self.dp.lock();
            dp.mtu = mtu;
            (dp.rings.as_ref().map(Rings::pool), dp.all_multicast)
        };
        if let Some(pool) = pool {
            let _st = self.state.lock();
            self.hw.pf_pool_rx(pool, max_frame(mtu), all_multicast);
        }
        Ok(())
    }

    fn queues(&self) -> QueueInfo {
        QueueInfo::FIXED
    }

    fn set_rx_mode(&self, mc: PfMulticast) {
        let (pool, mtu) = {
            let mut dp = self.dp.lock();
            dp.all_multicast = mc.all();
            (dp.rings.as_ref().map(Rings::pool), dp.mtu)
        };
        // The multicast table is shared with the VFs' lists, which the PF lock guards.
        let mut st = self.state.lock();
        if st.model.set_pf_multicast(mc).contains(Changes::MULTICAST) {
            self.hw.program_multicast(&st.model);
            self.hw.set_multicast_promisc(mc.all());
        }
        if let Some(pool) = pool {
            self.hw.pf_pool_rx(pool, max_frame(mtu), mc.all());
        }
    }

    fn stats(&self) -> NetStats {
        self.dp.lock().stats
    }
}

impl VfControl for Shared<'_> {
    fn admin<R>(&self, f: impl FnOnce(&mut Admin<'_>) -> R) -> R {
        let (r, retry) = {
            let mut st = self.state.lock();
            let st = &mut *st;
            let r = f(&mut Admin::new(
                self.pdev,
                &self.hw,
                &mut st.model,
                &mut st.mbx,
            ));
            (r, st.mbx.waiting())
        };
        if let Some(after) = retry {
            self.start(after);
        }
        r
    }
}

impl VfReport for Shared<'_> {
    fn snapshot(&self, vf: usize) -> Option<VfSnapshot> {
        let st = self.state.lock();
        Some(VfSnapshot {
            vf: *st.model.vf(vf)?,
            mbx: *st.mbx.vf(vf)?,
            regs: self.hw.pool_regs(vf),
            rate_programmed: self.hw.programmed_rate(&st.model, vf),
        })
    }
}
