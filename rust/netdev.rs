// SPDX-License-Identifier: GPL-2.0

//! The PF network interface, through the thin C glue in `c/rigb_netdev.c` (the 7.3 kernel has
//! no Rust net_device abstraction). The glue allocates and registers the net_device and calls
//! the functions in the [`VfOpsTable`] it is given for every VF operation; they convert the
//! arguments and forward them to the interface's owner through [`VfControl`]. All `unsafe` of
//! the netdev glue is in this file.

use crate::{
    admin::{
        Admin,
        VfCounters,
        VfInfo, //
    },
    model::mac::MacAddr,
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
        c_int, //
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

extern "C" {
    // `struct pci_dev *` in C; passed untyped because bindgen's `pci_dev` holds zero-sized
    // members that are not FFI-safe.
    fn rigb_netdev_create(
        pdev: *mut c_void,
        pf: *const c_void,
        ops: *const VfOpsTable,
        mac: *const u8,
        version: *const c_char,
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
pub(crate) struct NetDev<T: VfControl> {
    dev: NonNull<c_void>,
    _owner: Arc<T>,
}

// SAFETY: The net_device functions used (carrier changes, unregistration) may be called from
// any thread; `T` is `Send + Sync`.
unsafe impl<T: VfControl> Send for NetDev<T> {}

// SAFETY: `&NetDev` only allows carrier changes, which the networking core serialises.
unsafe impl<T: VfControl> Sync for NetDev<T> {}

/// Recovers the owner given to [`NetDev::register`].
///
/// # Safety
///
/// `pf` must be the pointer the C glue stored at registration, and the net_device must still
/// be registered (netdev operations do not run after `unregister_netdev` returns).
unsafe fn owner<'a, T: VfControl>(pf: *const c_void) -> &'a T {
    // SAFETY: By the function's safety requirements the pointer is `NetDev::owner`'s `T`, which
    // lives as long as the registration.
    unsafe { &*pf.cast::<T>() }
}

fn to_errno(r: Result) -> c_int {
    from_result(|| r.map(|()| 0))
}

impl<T: VfControl> NetDev<T> {
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
        let mut dev: *mut c_void = core::ptr::null_mut();
        let mac = mac.0;
        // SAFETY: `pdev` is a bound PCI device; the `T` behind `owner` outlives the net_device
        // (it is kept in `Self` and the net_device is unregistered in `drop`); `ops`, `mac`
        // and `VERSION` are valid for the call (the glue copies the table and the MAC and keeps
        // the 'static version string); `dev` is a valid out pointer.
        to_result(unsafe {
            rigb_netdev_create(
                sriov::raw(pdev).cast(),
                Arc::as_ptr(&owner).cast(),
                &ops,
                mac.as_ptr(),
                VERSION.as_char_ptr(),
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

impl<T: VfControl> Drop for NetDev<T> {
    fn drop(&mut self) {
        // SAFETY: `self.dev` is registered (type invariant) and is not used after this; once
        // it returns no VF operation runs, so `owner` may go.
        unsafe { rigb_netdev_destroy(self.dev.as_ptr()) }
    }
}
