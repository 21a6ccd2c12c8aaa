// SPDX-License-Identifier: GPL-2.0

//! The PF network interface, through the thin C glue in `c/rigb_netdev.c` (the 7.3 kernel has
//! no Rust net_device abstraction). The glue allocates and registers the net_device and calls
//! the `rigb_rs_*` functions below for every VF operation; they convert the arguments and
//! forward to [`PfCore`], where the decisions are. All `unsafe` of the netdev glue is here.

use crate::{
    admin::VfInfo,
    mbx::proto::MacAddr,
    pf::PfCore,
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
};

/// Driver version reported by `ethtool -i`.
const VERSION: &CStr = c"0.1.0";

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
}

extern "C" {
    // `struct pci_dev *` in C; passed untyped because bindgen's `pci_dev` holds zero-sized
    // members that are not FFI-safe.
    fn rigb_netdev_create(
        pdev: *mut c_void,
        pf: *const c_void,
        mac: *const u8,
        version: *const c_char,
        out: *mut *mut c_void,
    ) -> c_int;
    fn rigb_netdev_destroy(dev: *mut c_void);
    fn rigb_netdev_set_carrier(dev: *mut c_void, on: bool);
}

/// A registered PF net_device; unregistered and freed on drop.
///
/// # Invariants
///
/// `dev` is a registered `struct net_device` whose private data points at a [`PfCore`] that
/// outlives this object.
pub(crate) struct NetDev {
    dev: NonNull<c_void>,
}

// SAFETY: The net_device functions used (carrier changes, unregistration) may be called from
// any thread; the pointer is not tied to the creating thread.
unsafe impl Send for NetDev {}

// SAFETY: `&NetDev` only allows carrier changes, which the networking core serialises.
unsafe impl Sync for NetDev {}

impl NetDev {
    /// Registers the PF interface with MAC `mac`, its VF operations served by `pf`.
    ///
    /// # Safety
    ///
    /// `pf` must stay valid (not moved, not dropped) until the returned object is dropped.
    pub(crate) unsafe fn register(
        pdev: &pci::Device<Core<'_>>,
        pf: &PfCore<'_>,
        mac: MacAddr,
    ) -> Result<Self> {
        let mut dev: *mut c_void = core::ptr::null_mut();
        let mac = mac.0;
        // SAFETY: `pdev` is a bound PCI device; `pf` outlives the net_device by the caller's
        // guarantee; `mac` and `VERSION` are valid for the call (the glue copies the MAC and
        // keeps the 'static version string); `dev` is a valid out pointer.
        to_result(unsafe {
            rigb_netdev_create(
                sriov::raw(pdev).cast(),
                core::ptr::from_ref(pf).cast(),
                mac.as_ptr(),
                VERSION.as_char_ptr(),
                &mut dev,
            )
        })?;
        // INVARIANT: on success the glue returned a registered net_device.
        Ok(Self {
            dev: NonNull::new(dev).ok_or(ENOMEM)?,
        })
    }

    /// Reports the PF's link to the networking stack.
    pub(crate) fn set_carrier(&self, on: bool) {
        // SAFETY: `self.dev` is a registered net_device (type invariant); the carrier functions
        // may be called from any context.
        unsafe { rigb_netdev_set_carrier(self.dev.as_ptr(), on) }
    }
}

impl Drop for NetDev {
    fn drop(&mut self) {
        // SAFETY: `self.dev` is registered (type invariant) and is not used after this.
        unsafe { rigb_netdev_destroy(self.dev.as_ptr()) }
    }
}

/// Recovers the [`PfCore`] given to [`NetDev::register`].
///
/// # Safety
///
/// `pf` must be the pointer the C glue stored at registration, and the net_device must still
/// be registered (netdev operations do not run after `unregister_netdev` returns).
unsafe fn pf_core<'a>(pf: *const c_void) -> &'a PfCore<'a> {
    // SAFETY: By the function's safety requirements the pointer is a live `PfCore`.
    unsafe { &*pf.cast::<PfCore<'a>>() }
}

fn to_errno(r: Result) -> c_int {
    from_result(|| r.map(|()| 0))
}

#[no_mangle]
extern "C" fn rigb_rs_set_vf_mac(pf: *const c_void, vf: c_int, mac: *const u8) -> c_int {
    // SAFETY: Called by the glue's ndo_set_vf_mac on a registered net_device, whose `mac`
    // argument points at an ETH_ALEN-byte address (rtnetlink validated the attribute length).
    let (pf, mac) = unsafe { (pf_core(pf), *mac.cast::<[u8; 6]>()) };
    to_errno(pf.set_vf_mac(vf, mac))
}

#[no_mangle]
extern "C" fn rigb_rs_set_vf_vlan(
    pf: *const c_void,
    vf: c_int,
    vlan: u16,
    qos: u8,
    proto: u16,
) -> c_int {
    // SAFETY: Called by the glue's ndo_set_vf_vlan on a registered net_device.
    let pf = unsafe { pf_core(pf) };
    to_errno(pf.set_vf_vlan(vf, vlan, qos, proto))
}

#[no_mangle]
extern "C" fn rigb_rs_set_vf_rate(pf: *const c_void, vf: c_int, min: c_int, max: c_int) -> c_int {
    // SAFETY: Called by the glue's ndo_set_vf_rate on a registered net_device.
    let pf = unsafe { pf_core(pf) };
    to_errno(pf.set_vf_rate(vf, min, max))
}

#[no_mangle]
extern "C" fn rigb_rs_set_vf_spoofchk(pf: *const c_void, vf: c_int, on: bool) -> c_int {
    // SAFETY: Called by the glue's ndo_set_vf_spoofchk on a registered net_device.
    let pf = unsafe { pf_core(pf) };
    to_errno(pf.set_vf_spoofchk(vf, on))
}

#[no_mangle]
extern "C" fn rigb_rs_set_vf_trust(pf: *const c_void, vf: c_int, on: bool) -> c_int {
    // SAFETY: Called by the glue's ndo_set_vf_trust on a registered net_device.
    let pf = unsafe { pf_core(pf) };
    to_errno(pf.set_vf_trust(vf, on))
}

#[no_mangle]
extern "C" fn rigb_rs_set_vf_link_state(pf: *const c_void, vf: c_int, state: c_int) -> c_int {
    // SAFETY: Called by the glue's ndo_set_vf_link_state on a registered net_device.
    let pf = unsafe { pf_core(pf) };
    to_errno(pf.set_vf_link_state(vf, state))
}

#[no_mangle]
extern "C" fn rigb_rs_get_vf_config(pf: *const c_void, vf: c_int, out: *mut CVfInfo) -> c_int {
    // SAFETY: Called by the glue's ndo_get_vf_config on a registered net_device.
    let pf = unsafe { pf_core(pf) };
    from_result(|| {
        let i: VfInfo = pf.vf_info(vf)?;
        let info = CVfInfo {
            mac: i.mac,
            vlan: i.vlan,
            qos: i.qos,
            spoofchk: u8::from(i.spoofchk),
            trusted: u8::from(i.trusted),
            link_state: i.link_state,
            max_tx_rate: i.max_tx_rate,
        };
        // SAFETY: `out` points at the glue's stack `struct rigb_vf_info`.
        unsafe { out.write(info) };
        Ok(0)
    })
}

#[no_mangle]
extern "C" fn rigb_rs_get_vf_stats(pf: *const c_void, vf: c_int, out: *mut CVfStats) -> c_int {
    // SAFETY: Called by the glue's ndo_get_vf_stats on a registered net_device.
    let pf = unsafe { pf_core(pf) };
    from_result(|| {
        let c = pf.vf_counters(vf)?;
        let stats = CVfStats {
            rx_packets: c.rx_packets.into(),
            tx_packets: c.tx_packets.into(),
            rx_bytes: c.rx_bytes.into(),
            tx_bytes: c.tx_bytes.into(),
            multicast: c.multicast.into(),
        };
        // SAFETY: `out` points at the glue's stack `struct rigb_vf_stats`.
        unsafe { out.write(stats) };
        Ok(0)
    })
}
