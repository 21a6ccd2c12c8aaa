// SPDX-License-Identifier: GPL-2.0

//! debugfs: `/sys/kernel/debug/rigb-<pci address>/vf<N>` shows each VF's configuration, state
//! and the hardware registers programmed for it. Hardware settings that QEMU's model stores but
//! does not enforce (anti-spoofing, rate limits) are checked through these files.

use crate::pf::PfCore;
use core::ptr::NonNull;
use kernel::{
    debugfs::{
        Dir,
        File, //
    },
    fmt,
    prelude::*,
    str::CString,
};

/// What one `vf<N>` file shows: VF `vf` of the PF at `pf`.
///
/// # Invariants
///
/// `pf` points at a [`PfCore`] that outlives the debugfs file holding this view.
struct VfView {
    pf: NonNull<PfCore<'static>>,
    vf: usize,
}

// SAFETY: The view only gives shared access to `PfCore`, which is `Sync`.
unsafe impl Send for VfView {}

// SAFETY: As above.
unsafe impl Sync for VfView {}

fn show(view: &VfView, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    // SAFETY: By the type invariant the `PfCore` is alive: the file is removed before it is
    // dropped, and removal waits for readers (the files use debugfs' proxied operations).
    let pf = unsafe { view.pf.as_ref() };
    pf.debugfs_show(view.vf, f)
}

/// The PF's debugfs directory and files; removed on drop.
pub(crate) struct DebugFs {
    // Files before the directory: fields drop in declaration order.
    _files: KVec<Pin<KBox<File<VfView>>>>,
    _dir: Dir,
}

impl DebugFs {
    /// Creates `rigb-<name>/vf0` .. `vf<max_vfs - 1>`.
    ///
    /// # Safety
    ///
    /// `pf` must outlive the returned object.
    pub(crate) unsafe fn new(name: &CStr, pf: &PfCore<'_>, max_vfs: usize) -> Result<Self> {
        let dir_name = CString::try_from_fmt(fmt!("rigb-{}", name.to_str().unwrap_or("pf")))?;
        let dir = Dir::new(&dir_name);
        let mut files = KVec::with_capacity(max_vfs, GFP_KERNEL)?;
        for vf in 0..max_vfs {
            let file_name = CString::try_from_fmt(fmt!("vf{vf}"))?;
            // INVARIANT: the caller keeps `pf` alive longer than the files.
            let view = VfView {
                pf: NonNull::from(pf).cast(),
                vf,
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
        })
    }
}
