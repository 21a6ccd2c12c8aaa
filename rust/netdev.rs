// SPDX-License-Identifier: GPL-2.0

//! The PF network interface, through the thin C glue in `c/rigb_netdev.c` (the 7.3 kernel has
//! no Rust net_device abstraction). The glue allocates and registers the net_device and calls
//! the functions in the [`VfOpsTable`] and [`NetOpsTable`] it is given for every VF operation
//! and every operation of the interface itself; they convert the arguments and forward them
//! to the interface's owner through [`VfControl`] and [`NetOps`]. All `unsafe` of the netdev
//! glue is in this file.

use crate::{
    admin::{
        Admin,
        VfCounters,
        VfInfo, //
    },
    datapath::{
        NetStats,
        QueueInfo,
        TxVerdict,
        MAX_MTU, //
    },
    model::{mac::MacAddr, pf_mc::PfMulticast},
    net::{
        NetRef,
        Skb, //
    },
    sriov, //
};
use core::{
    ffi::c_void,
    ptr::NonNull, //
};
use kernel::{
    device::Core,
    error::{
        from_result,
        to_result, //
    },
    ffi::{
        c_char,
        c_int,
        c_uint, //
    },
    pci,
    prelude::*,
    sync::Arc,
};

/// Driver version reported by `ethtool -i`.
const VERSION: &CStr = c"0.1.0";

/// What the PF interface needs from its owner: a way to run an administrative change with
/// the PF's state locked.
pub(crate) trait VfControl: Send + Sync {
    /// Runs `f` on the PF's state, locked.
    fn admin<R>(&self, f: impl FnOnce(&mut Admin<'_>) -> R) -> R;
}

/// What the PF interface needs from its owner for its own traffic. Each method gets the
/// interface, which stays registered while it runs.
pub(crate) trait NetOps: Send + Sync {
    /// `ndo_open`.
    fn open(&self, net: NetRef) -> Result;
    /// `ndo_stop`.
    fn stop(&self, net: NetRef);
    /// `ndo_start_xmit`.
    fn xmit(&self, net: NetRef, skb: Skb) -> TxVerdict;
    /// The NAPI poll: returns the work done, at most `budget`.
    fn poll(&self, net: NetRef, budget: usize) -> usize;
    /// `ndo_change_mtu`: the core has checked `mtu` against the interface's range.
    fn change_mtu(&self, net: NetRef, mtu: u32) -> Result;
    /// `ndo_get_stats64`.
    fn stats(&self) -> NetStats;
    /// The interface's queues: descriptors per RX and TX ring, queue pairs now and at most.
    fn queues(&self) -> QueueInfo;
    /// `ndo_set_rx_mode`: the interface's multicast groups changed (atomic context).
    fn set_rx_mode(&self, mc: PfMulticast);
}

/// `struct rigb_vf_info` of the C glue.
#[repr(C)]
struct CVfInfo {
    mac: [u8; 6],
    vlan: u16,
    qos: u8,
    spoofchk: u8,
    trusted: u8,
    link_state: u8,
    max_tx_rate: u32,
}

/// `struct rigb_vf_stats` of the C glue.
#[repr(C)]
struct CVfStats {
    rx_packets: u64,
    tx_packets: u64,
    rx_bytes: u64,
    tx_bytes: u64,
    multicast: u64,
    tx_dropped: u64,
}

/// `struct rigb_vf_ops` of the C glue: the VF operations, each called with the `pf` pointer
/// given to `rigb_netdev_create()`.
#[repr(C)]
struct VfOpsTable {
    set_vf_mac: extern "C" fn(*const c_void, c_int, *const u8) -> c_int,
    set_vf_vlan: extern "C" fn(*const c_void, c_int, u16, u8, u16) -> c_int,
    set_vf_rate: extern "C" fn(*const c_void, c_int, c_int, c_int) -> c_int,
    set_vf_spoofchk: extern "C" fn(*const c_void, c_int, bool) -> c_int,
    set_vf_trust: extern "C" fn(*const c_void, c_int, bool) -> c_int,
    set_vf_link_state: extern "C" fn(*const c_void, c_int, c_int) -> c_int,
    get_vf_config: extern "C" fn(*const c_void, c_int, *mut CVfInfo) -> c_int,
    get_vf_stats: extern "C" fn(*const c_void, c_int, *mut CVfStats) -> c_int,
}

/// `struct rigb_net_stats` of the C glue.
#[repr(C)]
struct CNetStats {
    rx_packets: u64,
    rx_bytes: u64,
    rx_dropped: u64,
    rx_errors: u64,
    rx_crc_errors: u64,
    rx_length_errors: u64,
    tx_packets: u64,
    tx_bytes: u64,
    tx_dropped: u64,
}

/// `struct rigb_net_ops` of the C glue.
#[repr(C)]
struct NetOpsTable {
    open: extern "C" fn(*const c_void, *mut c_void) -> c_int,
    stop: extern "C" fn(*const c_void, *mut c_void),
    xmit: extern "C" fn(*const c_void, *mut c_void, *mut c_void) -> c_int,
    poll: extern "C" fn(*const c_void, *mut c_void, c_int) -> c_int,
    change_mtu: extern "C" fn(*const c_void, *mut c_void, c_int) -> c_int,
    get_stats: extern "C" fn(*const c_void, *mut CNetStats),
    get_queues: extern "C" fn(*const c_void, *mut CQueueInfo),
    set_rx_mode: extern "C" fn(*const c_void, *mut c_void, bool),
}

/// `struct rigb_queue_info` of the C glue.
#[repr(C)]
struct CQueueInfo {
    rx_descs: u32,
    tx_descs: u32,
    combined: u32,
    max_combined: u32,
}

/// `NETDEV_TX_OK` and `NETDEV_TX_BUSY`.
const NETDEV_TX_OK: c_int = 0;
const NETDEV_TX_BUSY: c_int = 0x10;

extern "C" {
    // `struct pci_dev *` in C; passed untyped because bindgen's `pci_dev` holds zero-sized
    // members that are not FFI-safe.
    fn rigb_netdev_create(
        pdev: *mut c_void,
        pf: *const c_void,
        ops: *const VfOpsTable,
        net_ops: *const NetOpsTable,
        mac: *const u8,
        version: *const c_char,
        max_mtu: c_uint,
        out: *mut *mut c_void,
    ) -> c_int;
    fn rigb_netdev_destroy(dev: *mut c_void);
    fn rigb_netdev_set_carrier(dev: *mut c_void, on: bool);
}

/// A registered PF net_device whose VF operations are served by a `T`; unregistered and freed
/// on drop.
///
/// # Invariants
///
/// `dev` is a registered `struct net_device` whose private data points at `owner`'s `T`, which
/// this object keeps alive.
pub(crate) struct NetDev<T: VfControl + NetOps> {
    dev: NonNull<c_void>,
    _owner: Arc<T>,
}

// SAFETY: The net_device functions used (carrier changes, unregistration) may be called from
// any thread; `T` is `Send + Sync`.
unsafe impl<T: VfControl + NetOps> Send for NetDev<T> {}

// SAFETY: `&NetDev` only allows carrier changes, which the networking core serialises.
unsafe impl<T: VfControl + NetOps> Sync for NetDev<T> {}

/// Recovers the owner given to [`NetDev::register`].
///
/// # Safety
///
/// `pf` must be the pointer the C glue stored at registration, and the net_device must still
/// be registered (netdev operations do not run after `unregister_netdev` returns).
unsafe fn owner<'a, T>(pf: *const c_void) -> &'a T {
    // SAFETY: By the function's safety requirements the pointer is `NetDev::owner`'s `T`, which
    // lives as long as the registration.
    unsafe { &*pf.cast::<T>() }
}

fn to_errno(r: Result) -> c_int {
    from_result(|| r.map(|()| 0))
}

impl<T: VfControl + NetOps> NetDev<T> {
    /// Registers the PF interface with MAC `mac`, its VF operations served by `owner`.
    pub(crate) fn register(
        pdev: &pci::Device<Core<'_>>,
        owner: Arc<T>,
        mac: MacAddr,
    ) -> Result<Self> {
        let ops = VfOpsTable {
            set_vf_mac: Self::set_vf_mac,
            set_vf_vlan: Self::set_vf_vlan,
            set_vf_rate: Self::set_vf_rate,
            set_vf_spoofchk: Self::set_vf_spoofchk,
            set_vf_trust: Self::set_vf_trust,
            set_vf_link_state: Self::set_vf_link_state,
            get_vf_config: Self::get_vf_config,
            get_vf_stats: Self::get_vf_stats,
        };
        let net_ops = NetOpsTable {
            open: Self::open,
            stop: Self::stop,
            xmit: Self::xmit,
            poll: Self::poll,
            change_mtu: Self::change_mtu,
            get_stats: Self::get_stats,
            get_queues: Self::get_queues,
            set_rx_mode: Self::set_rx_mode,
        };
        let mut dev: *mut c_void = core::ptr::null_mut();
        let mac = mac.0;
        // SAFETY: `pdev` is a bound PCI device; the `T` behind `owner` outlives the net_device
        // (it is kept in `Self` and the net_device is unregistered in `drop`); `ops`,
        // `net_ops`, `mac` and `VERSION` are valid for the call (the glue copies the tables and
        // the MAC and keeps the 'static version string); `dev` is a valid out pointer.
        to_result(unsafe {
            rigb_netdev_create(
                sriov::raw(pdev).cast(),
                Arc::as_ptr(&owner).cast(),
                &ops,
                &net_ops,
                mac.as_ptr(),
                VERSION.as_char_ptr(),
                MAX_MTU,
                &mut dev,
            )
        })?;
        // INVARIANT: on success the glue returned a registered net_device pointing at `owner`.
        Ok(Self {
            dev: NonNull::new(dev).ok_or(ENOMEM)?,
            _owner: owner,
        })
    }

    /// Reports the PF's link to the networking stack.
    pub(crate) fn set_carrier(&self, on: bool) {
        // SAFETY: `self.dev` is a registered net_device (type invariant); the carrier functions
        // may be called from any context.
        unsafe { rigb_netdev_set_carrier(self.dev.as_ptr(), on) }
    }

    /// The interface of a callback.
    ///
    /// # Safety
    ///
    /// `dev` must be the net_device the glue calls a callback for, registered while it runs.
    unsafe fn net(dev: *mut c_void) -> Option<NetRef> {
        // SAFETY: By the function's safety requirements.
        NonNull::new(dev).map(|d| unsafe { NetRef::new(d) })
    }

    extern "C" fn open(pf: *const c_void, dev: *mut c_void) -> c_int {
        // SAFETY: Called by the glue's ndo_open on a registered net_device.
        let (pf, net) = unsafe { (owner::<T>(pf), Self::net(dev)) };
        to_errno(net.ok_or(EINVAL).and_then(|net| pf.open(net)))
    }

    extern "C" fn stop(pf: *const c_void, dev: *mut c_void) {
        // SAFETY: Called by the glue's ndo_stop on a registered net_device.
        let (pf, net) = unsafe { (owner::<T>(pf), Self::net(dev)) };
        if let Some(net) = net {
            pf.stop(net);
        }
    }

    extern "C" fn xmit(pf: *const c_void, dev: *mut c_void, skb: *mut c_void) -> c_int {
        // SAFETY: Called by the glue's ndo_start_xmit on a registered net_device, which hands
        // over `skb`.
        let (pf, net, skb) = unsafe {
            (
                owner::<T>(pf),
                Self::net(dev),
                NonNull::new(skb).map(|s| Skb::from_raw(s)),
            )
        };
        let (Some(net), Some(skb)) = (net, skb) else {
            return NETDEV_TX_OK;
        };
        match pf.xmit(net, skb) {
            TxVerdict::Taken => NETDEV_TX_OK,
            TxVerdict::Busy(skb) => {
                // The stack keeps the sk_buff.
                let _ = skb.into_raw();
                NETDEV_TX_BUSY
            }
        }
    }

    extern "C" fn poll(pf: *const c_void, dev: *mut c_void, budget: c_int) -> c_int {
        // SAFETY: Called by the glue's NAPI poll of a registered net_device.
        let (pf, net) = unsafe { (owner::<T>(pf), Self::net(dev)) };
        let Some(net) = net else {
            return 0;
        };
        let budget = usize::try_from(budget).unwrap_or(0);
        pf.poll(net, budget).min(budget) as c_int
    }

    extern "C" fn change_mtu(pf: *const c_void, dev: *mut c_void, mtu: c_int) -> c_int {
        // SAFETY: Called by the glue's ndo_change_mtu on a registered net_device.
        let (pf, net) = unsafe { (owner::<T>(pf), Self::net(dev)) };
        let (Some(net), Ok(mtu)) = (net, u32::try_from(mtu)) else {
            return EINVAL.to_errno();
        };
        to_errno(pf.change_mtu(net, mtu))
    }

    extern "C" fn get_stats(pf: *const c_void, out: *mut CNetStats) {
        // SAFETY: Called by the glue's ndo_get_stats64 on a registered net_device.
        let pf = unsafe { owner::<T>(pf) };
        let s = pf.stats();
        let stats = CNetStats {
            rx_packets: s.rx_packets,
            rx_bytes: s.rx_bytes,
            rx_dropped: s.rx_dropped,
            rx_errors: s.rx_errors,
            rx_crc_errors: s.rx_crc_errors,
            rx_length_errors: s.rx_length_errors,
            tx_packets: s.tx_packets,
            tx_bytes: s.tx_bytes,
            tx_dropped: s.tx_dropped,
        };
        // SAFETY: `out` points at the glue's stack `struct rigb_net_stats`.
        unsafe { out.write(stats) };
    }

    extern "C" fn get_queues(pf: *const c_void, out: *mut CQueueInfo) {
        // SAFETY: Called by the glue's ethtool operations on a registered net_device.
        let pf = unsafe { owner::<T>(pf) };
        let q = pf.queues();
        let info = CQueueInfo {
            rx_descs: q.rx_descs,
            tx_descs: q.tx_descs,
            combined: q.pairs,
            max_combined: q.max_pairs,
        };
        // SAFETY: `out` points at the glue's stack `struct rigb_queue_info`.
        unsafe { out.write(info) };
    }

    extern "C" fn set_rx_mode(pf: *const c_void, dev: *mut c_void, all: bool) {
        // SAFETY: Called by the glue's ndo_set_rx_mode on a registered net_device.
        let (pf, net) = unsafe { (owner::<T>(pf), Self::net(dev)) };
        let Some(net) = net else {
            return;
        };
        let mut mc = PfMulticast::new(all);
        // SAFETY: ndo_set_rx_mode runs with the interface's address lock held.
        unsafe { net.for_each_multicast(|mac| mc.add(mac)) };
        pf.set_rx_mode(mc);
    }

    extern "C" fn set_vf_mac(pf: *const c_void, vf: c_int, mac: *const u8) -> c_int {
        // SAFETY: Called by the glue's ndo_set_vf_mac on a registered net_device, whose `mac`
        // argument points at an ETH_ALEN-byte address (rtnetlink validated the attribute).
        let (pf, mac) = unsafe { (owner::<T>(pf), *mac.cast::<[u8; 6]>()) };
        to_errno(pf.admin(|a| a.set_vf_mac(vf, mac)))
    }

    extern "C" fn set_vf_vlan(
        pf: *const c_void,
        vf: c_int,
        vlan: u16,
        qos: u8,
        proto: u16,
    ) -> c_int {
        // SAFETY: Called by the glue's ndo_set_vf_vlan on a registered net_device.
        let pf = unsafe { owner::<T>(pf) };
        to_errno(pf.admin(|a| a.set_vf_vlan(vf, vlan, qos, proto)))
    }

    extern "C" fn set_vf_rate(pf: *const c_void, vf: c_int, min: c_int, max: c_int) -> c_int {
        // SAFETY: Called by the glue's ndo_set_vf_rate on a registered net_device.
        let pf = unsafe { owner::<T>(pf) };
        to_errno(pf.admin(|a| a.set_vf_rate(vf, min, max)))
    }

    extern "C" fn set_vf_spoofchk(pf: *const c_void, vf: c_int, on: bool) -> c_int {
        // SAFETY: Called by the glue's ndo_set_vf_spoofchk on a registered net_device.
        let pf = unsafe { owner::<T>(pf) };
        to_errno(pf.admin(|a| a.set_vf_spoofchk(vf, on)))
    }

    extern "C" fn set_vf_trust(pf: *const c_void, vf: c_int, on: bool) -> c_int {
        // SAFETY: Called by the glue's ndo_set_vf_trust on a registered net_device.
        let pf = unsafe { owner::<T>(pf) };
        to_errno(pf.admin(|a| a.set_vf_trust(vf, on)))
    }

    extern "C" fn set_vf_link_state(pf: *const c_void, vf: c_int, state: c_int) -> c_int {
        // SAFETY: Called by the glue's ndo_set_vf_link_state on a registered net_device.
        let pf = unsafe { owner::<T>(pf) };
        to_errno(pf.admin(|a| a.set_vf_link_state(vf, state)))
    }

    extern "C" fn get_vf_config(pf: *const c_void, vf: c_int, out: *mut CVfInfo) -> c_int {
        // SAFETY: Called by the glue's ndo_get_vf_config on a registered net_device.
        let pf = unsafe { owner::<T>(pf) };
        from_result(|| {
            let i: VfInfo = pf.admin(|a| a.vf_info(vf))?;
            let info = CVfInfo {
                mac: i.mac,
                vlan: i.vlan,
                qos: i.qos,
                spoofchk: u8::from(i.spoofchk),
                trusted: u8::from(i.trusted),
                link_state: i.link_state as u8,
                max_tx_rate: i.max_tx_rate,
            };
            // SAFETY: `out` points at the glue's stack `struct rigb_vf_info`.
            unsafe { out.write(info) };
            Ok(0)
        })
    }

    extern "C" fn get_vf_stats(pf: *const c_void, vf: c_int, out: *mut CVfStats) -> c_int {
        // SAFETY: Called by the glue's ndo_get_vf_stats on a registered net_device.
        let pf = unsafe { owner::<T>(pf) };
        from_result(|| {
            let c: VfCounters = pf.admin(|a| a.vf_counters(vf))?;
            let stats = CVfStats {
                rx_packets: c.pool.rx_packets.into(),
                tx_packets: c.pool.tx_packets.into(),
                rx_bytes: c.pool.rx_bytes.into(),
                tx_bytes: c.pool.tx_bytes.into(),
                multicast: c.pool.multicast.into(),
                tx_dropped: c.tx_dropped,
            };
            // SAFETY: `out` points at the glue's stack `struct rigb_vf_stats`.
            unsafe { out.write(stats) };
            Ok(0)
        })
    }
}

impl<T: VfControl + NetOps> Drop for NetDev<T> {
    fn drop(&mut self) {
        // SAFETY: `self.dev` is registered (type invariant) and is not used after this; once
        // it returns no VF operation runs, so `owner` may go.
        unsafe { rigb_netdev_destroy(self.dev.as_ptr()) }
    }
}
