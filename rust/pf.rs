// SPDX-License-Identifier: GPL-2.0

//! The Physical Function: device bring-up, the VF table, SR-IOV enable/disable and the
//! interrupt handler.
//!
//! # Locking
//!
//! One IRQ-safe spinlock, [`PfCore::state`], serialises everything that changes the device's
//! configuration: the interrupt handler (mailbox, VF resets, link changes), `sriov_configure`
//! and probe/unbind. The mailbox is served in hard-interrupt context, as C igb does: igbvf
//! waits for replies busy-polling with preemption disabled, so a handler deferred to a thread
//! bound to that CPU would not run until igbvf gave up. Nothing under the lock sleeps or
//! allocates (mailbox lock retries use `udelay`). The lock is never held across
//! `pci_enable_sriov`/`pci_disable_sriov`: those probe and remove the VF drivers, which wait
//! for mailbox replies from the interrupt handler.

use crate::{
    debugfs::DebugFs,
    hw::{
        Bar0,
        Hw,
        BAR0_SIZE, //
    },
    irq::OtherIrq,
    mbx::proto::{
        MacAddr,
        Model,
        MAX_VFS, //
    },
    mbx::Mac,
    netdev::NetDev,
    sriov::SriovDevice,
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
    time::{
        Instant,
        Monotonic, //
    },
};

/// Resources a VF owns and the PF's bookkeeping about it.
pub(crate) struct VfEntry {
    /// VMDq pool (also the index of its mailbox, VMOLR, VMVIR).
    pub(crate) pool: usize,
    /// RX/TX queue pair numbers: n and n + 8.
    pub(crate) queues: [usize; 2],
    /// Receive address entry of its primary MAC.
    pub(crate) rar: usize,
    /// Resets seen (FLR or VF software reset).
    pub(crate) resets: u64,
    /// Requests refused.
    pub(crate) refused: u64,
    /// When a refused request was last logged.
    pub(crate) last_log: Option<Instant<Monotonic>>,
    /// Log lines suppressed since then.
    pub(crate) suppressed: u32,
    /// The VF has not yet acknowledged the last message rigb wrote to its buffer.
    pub(crate) awaiting_ack: bool,
    /// An unsolicited message to send once the VF has read the previous one.
    pub(crate) pending_notify: Option<u32>,
}

impl VfEntry {
    fn new(vf: usize) -> Self {
        Self {
            pool: vf,
            queues: [vf, vf + 8],
            rar: crate::mbx::proto::RAR_ENTRIES - 1 - vf,
            resets: 0,
            refused: 0,
            last_log: None,
            suppressed: 0,
            awaiting_ack: false,
            pending_notify: None,
        }
    }
}

/// Mutable PF state, protected by [`PfCore::state`].
pub(crate) struct PfState {
    /// The VFs and the device's filter tables, as the protocol core sees them.
    pub(crate) model: Model,
    /// One entry per enabled VF; empty while SR-IOV is off.
    pub(crate) table: KVec<VfEntry>,
    /// Last link state seen.
    pub(crate) link_up: bool,
    /// The PF network interface, once registered.
    pub(crate) netdev: Option<NetDev>,
}

/// What the PCI callbacks and the interrupt handler share.
#[pin_data]
pub(crate) struct PfCore<'bound> {
    pub(crate) pdev: &'bound pci::Device<Bound>,
    pub(crate) hw: Hw<'bound>,
    /// The PF's permanent MAC address.
    pub(crate) mac: MacAddr,
    #[pin]
    pub(crate) state: SpinLockIrq<PfState>,
}

/// The interrupt handler's handle on the PF.
pub(crate) struct IrqHandler<'bound> {
    core: Arc<PfCore<'bound>>,
}

impl Handler for IrqHandler<'_> {
    fn handle(&self) -> IrqReturn {
        self.core.service_interrupt();
        IrqReturn::Handled
    }
}

/// The driver's per-device data.
pub(crate) struct Pf<'bound> {
    // Fields drop in declaration order: the interrupt and the debugfs files go before the
    // `PfCore` they use.
    _irq: OtherIrq<'bound, IrqHandler<'bound>>,
    _debugfs: Option<DebugFs>,
    core: Arc<PfCore<'bound>>,
}

impl<'bound> Pf<'bound> {
    /// Brings the PF up and, with `max_vfs > 0`, enables that many VFs.
    pub(crate) fn probe(pdev: &'bound pci::Device<Core<'_>>, max_vfs: u32) -> Result<Self> {
        pdev.enable_device_mem()?;
        // QEMU's model, like the hardware, drops received frames while bus mastering is off.
        pdev.set_master();
        let bound: &'bound pci::Device<Bound> = pdev;
        let bar: Bar0<'bound> = bound.iomap_region_sized::<BAR0_SIZE>(0, c"rigb")?;
        let hw = Hw::new(bar);
        hw.reset()
            .inspect_err(|_| dev_err!(pdev, "device reset timed out\n"))?;
        let mac = hw.permanent_mac();
        hw.init_vmdq();
        pdev.sriov_set_totalvfs(MAX_VFS as u16)?;

        let model = Model::new(0, mac);
        let core = Arc::pin_init(
            try_pin_init!(PfCore {
                pdev: bound,
                hw,
                mac,
                state <- new_spinlock_irq!(PfState {
                    model,
                    table: KVec::new(),
                    link_up: false,
                    netdev: None,
                }),
            }),
            GFP_KERNEL,
        )?;
        core.hw.sync_all(&core.state.lock().model);

        let irq = OtherIrq::new(
            bound,
            c"rigb",
            Ok::<_, Error>(IrqHandler { core: core.clone() }),
        )
        .inspect_err(|e| dev_err!(pdev, "cannot set up MSI-X: {e:?}\n"))?;
        core.hw.enable_interrupts();
        if let Err(e) = core.hw.start_link() {
            dev_warn!(pdev, "PHY autonegotiation failed to start: {e:?}\n");
        }
        // VFs may reset from now on, whether or not a PF network interface exists or is up.
        core.hw.set_pf_reset_done(true);

        // SAFETY: `core` is kept alive by `Pf` until after `unbind` has dropped the netdev.
        let netdev = unsafe { NetDev::register(pdev, &core, mac) }
            .inspect_err(|e| dev_err!(pdev, "cannot register the PF interface: {e:?}\n"))?;
        {
            let mut st = core.state.lock();
            netdev.set_carrier(st.link_up);
            st.netdev = Some(netdev);
        }
        dev_info!(pdev, "82576 PF, MAC {}, up to {MAX_VFS} VFs\n", Mac(mac));

        // SAFETY: `core` outlives the debugfs files: they are dropped first (field order).
        let debugfs = unsafe { DebugFs::new(pdev.as_ref().name(), &core, MAX_VFS) }
            .inspect_err(|e| dev_warn!(pdev, "no debugfs view: {e:?}\n"))
            .ok();
        let pf = Self {
            _irq: irq,
            _debugfs: debugfs,
            core,
        };
        let mut n = max_vfs as usize;
        if n > MAX_VFS {
            dev_warn!(pdev, "max_vfs={max_vfs} is out of range, using {MAX_VFS}\n");
            n = MAX_VFS;
        }
        if n > 0 {
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
        self.core.announce_pf_reset(&mut self.core.state.lock());
        let hw = &self.core.hw;
        hw.disable_interrupts();
        hw.set_pf_reset_done(false);
        hw.stop();
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
    /// The interrupt handler: link changes, then the mailboxes.
    fn service_interrupt(&self) {
        let causes = self.hw.take_causes();
        {
            let mut st = self.state.lock();
            if causes.link {
                self.link_changed(&mut st);
            }
            // Mailbox bits are checked on every interrupt: they are cheap to read and a cause
            // that arrived while this handler ran may already be folded into this one.
            self.service_mailbox(&mut st);
        }
        self.hw.rearm_interrupt();
    }

    fn link_changed(&self, st: &mut PfState) {
        let up = self.hw.link_up();
        if up == st.link_up {
            return;
        }
        st.link_up = up;
        if up {
            dev_info!(self.pdev, "link up, {} Mb/s\n", self.hw.link_speed());
        } else {
            dev_info!(self.pdev, "link down\n");
        }
        if let Some(netdev) = &st.netdev {
            netdev.set_carrier(up);
        }
        self.refresh_rates(st);
        self.notify_vfs(st);
    }

    /// Creates `n` VFs: the VF table and their resources first, then the PCI functions.
    fn enable_vfs(&self, pdev: &pci::Device<Core<'_>>, n: usize) -> Result<i32> {
        if pdev.num_vf() > 0 {
            // The PCI core refuses non-zero to non-zero changes itself; probe never gets here.
            return Err(EBUSY);
        }
        {
            let mut table = KVec::with_capacity(n, GFP_KERNEL)?;
            for vf in 0..n {
                let e = VfEntry::new(vf);
                dev_dbg!(
                    pdev,
                    "VF {vf}: pool {}, queues {} and {}, RAR {}\n",
                    e.pool,
                    e.queues[0],
                    e.queues[1],
                    e.rar
                );
                table.push(e, GFP_KERNEL)?;
            }
            let mut st = self.state.lock();
            st.model = Model::new(n, self.mac);
            st.table = table;
            // Each VF's pool is enabled by its first RESET message, not here.
            self.hw.sync_all(&st.model);
        }
        if let Err(e) = pdev.enable_sriov(n as i32) {
            dev_err!(pdev, "cannot enable {n} VFs: {e:?}\n");
            self.release_vfs();
            return Err(e);
        }
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
        self.release_vfs();
        if n > 0 {
            dev_info!(pdev, "disabled {n} VFs\n");
        }
        Ok(0)
    }

    fn release_vfs(&self) {
        let mut st = self.state.lock();
        st.model = Model::new(0, self.mac);
        st.table = KVec::new();
        self.hw.sync_all(&st.model);
    }
}
