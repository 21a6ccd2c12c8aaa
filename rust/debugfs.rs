// SPDX-License-Identifier: GPL-2.0

//! debugfs: `/sys/kernel/debug/rigb-<pci address>/vf<N>` shows each VF's configuration, state
//! and the hardware registers programmed for it. Hardware settings that QEMU's model stores but
//! does not enforce (anti-spoofing, rate limits) are checked through these files. The owner
//! provides a [`VfSnapshot`] per read ([`VfReport`]); the formatting is here. All `unsafe` of
//! the debugfs glue is in this file.

use crate::{
    hw::PoolRegs,
    mbx::VfMailbox,
    model::vf::{
        LinkState,
        Vf, //
    },
};
use core::ffi::c_void;
use kernel::{
    debugfs::{
        Dir,
        File, //
    },
    fmt,
    prelude::*,
    str::CString,
    sync::Arc,
};

/// Everything one `vf<N>` file shows, read under the PF lock.
pub(crate) struct VfSnapshot {
    /// The VF's configuration and state.
    pub(crate) vf: Vf,
    /// Its mailbox state.
    pub(crate) mbx: VfMailbox,
    /// Its registers.
    pub(crate) regs: PoolRegs,
    /// The RTTBCNRC value rigb programmed.
    pub(crate) rate_programmed: u32,
}

/// What the debugfs view needs from its owner.
pub(crate) trait VfReport: Send + Sync {
    /// VF `vf`'s snapshot, `None` if it is not enabled.
    fn snapshot(&self, vf: usize) -> Option<VfSnapshot>;
}

/// One `vf<N>` file: VF `vf` of the owner at `owner`.
///
/// # Invariants
///
/// `owner` points at the `T` of the [`DebugFs`] holding this file, and `show` is
/// `show_vf::<T>`; the `DebugFs` keeps the `T` alive until after the file is removed.
struct VfView {
    owner: *const c_void,
    vf: usize,
    show: fn(&VfView, &mut fmt::Formatter<'_>) -> fmt::Result,
}

// SAFETY: The view only gives shared access to a `T: VfReport`, which is `Send + Sync`.
unsafe impl Send for VfView {}

// SAFETY: As above.
unsafe impl Sync for VfView {}

fn show(view: &VfView, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    (view.show)(view, f)
}

fn show_vf<T: VfReport>(view: &VfView, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    // SAFETY: By the type invariant `owner` is a live `T`: the file is removed before the
    // `T` is released, and removal waits for readers (debugfs' proxied file operations).
    let owner = unsafe { &*view.owner.cast::<T>() };
    match owner.snapshot(view.vf) {
        Some(s) => format(view.vf, &s, f),
        None => writeln!(f, "vf {}: not enabled", view.vf),
    }
}

fn format(vf: usize, s: &VfSnapshot, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let c = &s.vf.config;
    let st = &s.vf.state;
    let r = &s.regs;
    let queues = crate::model::vf::queues(vf);
    let onoff = |b: bool| if b { "on" } else { "off" };
    writeln!(f, "vf: {vf}")?;
    writeln!(f, "pool: {vf}")?;
    writeln!(f, "queues: {} {}", queues[0], queues[1])?;
    writeln!(
        f,
        "rar: {}",
        crate::model::filters::RarTable::primary_index(vf).unwrap_or(0)
    )?;
    writeln!(f, "mac: {:x}", st.mac)?;
    writeln!(f, "admin_mac: {}", c.mac.is_some())?;
    writeln!(f, "trusted: {}", onoff(c.trusted))?;
    writeln!(f, "spoofchk: {}", onoff(c.spoofchk))?;
    writeln!(
        f,
        "link_state: {}",
        match c.link {
            LinkState::Auto => "auto",
            LinkState::Enable => "enable",
            LinkState::Disable => "disable",
        }
    )?;
    writeln!(f, "port_vlan: {} qos {}", c.port_vlan, c.qos)?;
    writeln!(f, "max_tx_rate: {}", c.max_tx_rate)?;
    writeln!(f, "clear_to_send: {}", st.cts)?;
    writeln!(f, "max_frame: {}", st.max_frame)?;
    writeln!(f, "multicast_hashes: {}", st.mc.len)?;
    writeln!(f, "multicast_promisc: {}", st.mc_promisc())?;
    let m = s.mbx.counters();
    writeln!(f, "requests: {}", m.requests)?;
    writeln!(f, "resets: {}", m.resets)?;
    writeln!(f, "refused: {}", m.refused)?;
    writeln!(f, "throttled: {}", m.throttled)?;
    writeln!(f, "lock_busy: {}", m.lock_busy)?;
    writeln!(f, "lock_breaks: {}", m.lock_breaks)?;
    writeln!(f, "spoofed: {}", m.spoofed)?;
    writeln!(f, "awaiting_ack: {}", s.mbx.notifier().awaiting_ack())?;
    writeln!(
        f,
        "pending_notify: 0x{:08x}",
        s.mbx.notifier().pending().unwrap_or(0)
    )?;
    writeln!(f, "reg_vfre: {}", u8::from(r.rx_enabled))?;
    writeln!(f, "reg_vfte: {}", u8::from(r.tx_enabled))?;
    writeln!(f, "reg_dtxswc_mac_spoof: {}", u8::from(r.mac_spoof))?;
    writeln!(f, "reg_dtxswc_vlan_spoof: {}", u8::from(r.vlan_spoof))?;
    writeln!(f, "reg_vmolr: 0x{:08x}", r.vmolr)?;
    writeln!(f, "reg_vmvir: 0x{:08x}", r.vmvir)?;
    writeln!(f, "reg_ral: 0x{:08x}", r.rar.0)?;
    writeln!(f, "reg_rah: 0x{:08x}", r.rar.1)?;
    // QEMU's model does not implement the rate scheduler (its RTTBCNRC reads 0), so the value
    // rigb programs is shown as well.
    writeln!(f, "rttbcnrc_programmed: 0x{:08x}", s.rate_programmed)?;
    writeln!(f, "reg_rttbcnrc: 0x{:08x}", r.rttbcnrc[0])?;
    writeln!(f, "reg_rttbcnrc_q{}: 0x{:08x}", queues[1], r.rttbcnrc[1])
}

/// The PF's debugfs directory and files, served by a `T`; removed on drop.
///
/// # Invariants
///
/// Every file's view points at `owner`'s `T`; the files are removed (dropped) before `owner`.
pub(crate) struct DebugFs<T: VfReport> {
    // Files before the directory and the owner: fields drop in declaration order.
    _files: KVec<Pin<KBox<File<VfView>>>>,
    _dir: Dir,
    _owner: Arc<T>,
}

impl<T: VfReport> DebugFs<T> {
    /// Creates `rigb-<name>/vf0` .. `vf<max_vfs - 1>`, served by `owner`.
    pub(crate) fn new(name: &CStr, owner: Arc<T>, max_vfs: usize) -> Result<Self> {
        let dir_name = CString::try_from_fmt(fmt!("rigb-{}", name.to_str().unwrap_or("pf")))?;
        let dir = Dir::new(&dir_name);
        let mut files = KVec::with_capacity(max_vfs, GFP_KERNEL)?;
        for vf in 0..max_vfs {
            let file_name = CString::try_from_fmt(fmt!("vf{vf}"))?;
            // INVARIANT: the view points at `owner`, which `Self` keeps until after its files.
            let view = VfView {
                owner: Arc::as_ptr(&owner).cast(),
                vf,
                show: show_vf::<T>,
            };
            let file = KBox::pin_init(
                dir.read_callback_file(&file_name, Ok::<_, Error>(view), &show),
                GFP_KERNEL,
            )?;
            files.push(file, GFP_KERNEL)?;
        }
        Ok(Self {
            _files: files,
            _dir: dir,
            _owner: owner,
        })
    }
}
