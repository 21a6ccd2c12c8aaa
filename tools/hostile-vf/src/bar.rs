// SPDX-License-Identifier: GPL-2.0

//! A VF's BAR0, mapped from sysfs `resource0`, and register access to it. The only `unsafe`
//! of the tool besides the declarations in `sys.rs`.

use crate::sys;
use std::{
    fs::OpenOptions,
    os::unix::{
        fs::OpenOptionsExt,
        io::AsRawFd, //
    },
};

/// 32-bit register access; implemented by [`Bar`] and by the tests' fake.
pub trait Regs {
    fn read(&self, off: usize) -> u32;
    fn write(&self, off: usize, v: u32);
}

/// The mapped BAR0 of a VF (16 KiB).
///
/// # Invariants
///
/// `ptr` is a live shared mapping of `len` bytes; every access is 4-aligned and in range.
pub struct Bar {
    ptr: *mut u32,
    len: usize,
}

/// Size of an 82576 VF's BAR0.
pub const BAR_LEN: usize = 0x4000;

impl Bar {
    /// Maps `path` (a sysfs `resource0`).
    pub fn map(path: &str) -> Result<Self, String> {
        let f = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(0o4010000) // O_SYNC
            .open(path)
            .map_err(|e| format!("open {path}: {e}"))?;
        // SAFETY: a fresh mapping of a file we opened; the kernel checks size and rights.
        let p = unsafe {
            sys::mmap(
                std::ptr::null_mut(),
                BAR_LEN,
                sys::PROT_READ | sys::PROT_WRITE,
                sys::MAP_SHARED,
                f.as_raw_fd(),
                0,
            )
        };
        if p == sys::MAP_FAILED {
            return Err(format!("mmap {path}: {}", std::io::Error::last_os_error()));
        }
        // INVARIANT: mapped above with BAR_LEN bytes; the mapping outlives the file.
        Ok(Self {
            ptr: p.cast(),
            len: BAR_LEN,
        })
    }

    fn slot(&self, off: usize) -> Option<*mut u32> {
        (off.is_multiple_of(4) && off + 4 <= self.len).then(|| self.ptr.wrapping_add(off / 4))
    }
}

impl Regs for Bar {
    fn read(&self, off: usize) -> u32 {
        match self.slot(off) {
            // SAFETY: in range and aligned (checked by `slot`), in a live mapping.
            Some(p) => unsafe { p.read_volatile() },
            None => 0,
        }
    }

    fn write(&self, off: usize, v: u32) {
        if let Some(p) = self.slot(off) {
            // SAFETY: as in `read`.
            unsafe { p.write_volatile(v) }
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `map`, unmapped once.
        unsafe { sys::munmap(self.ptr.cast(), self.len) };
    }
}
