// SPDX-License-Identifier: GPL-2.0

//! A VF's BAR0, mapped from sysfs `resource0`, and 32-bit register access to it. The only
//! `unsafe` of the tool besides the declarations in `sys.rs`.

use crate::sys;
use std::{
    fmt,
    fs::OpenOptions,
    os::unix::{
        fs::OpenOptionsExt,
        io::AsRawFd, //
    },
};

/// Size of an 82576 VF's BAR0.
pub const BAR_LEN: usize = 0x4000;

/// A register offset outside the mapping or not 4-aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadOffset {
    pub off: usize,
    pub len: usize,
}

impl fmt::Display for BadOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "register offset {:#x} is not a 4-aligned offset below {:#x}",
            self.off, self.len
        )
    }
}

/// Checks `off` for a 32-bit access to a `len`-byte region; returns the dword index.
pub fn dword_index(off: usize, len: usize) -> Result<usize, BadOffset> {
    if off.is_multiple_of(4) && off < len && len - off >= 4 {
        Ok(off / 4)
    } else {
        Err(BadOffset { off, len })
    }
}

/// 32-bit register access; implemented by [`Bar`] and by the tests' fakes.
pub trait Regs {
    fn read(&self, off: usize) -> Result<u32, BadOffset>;
    fn write(&self, off: usize, v: u32) -> Result<(), BadOffset>;
}

/// The mapped BAR0 of a VF.
///
/// # Invariants
///
/// `ptr` is the start of a live `MAP_SHARED` mapping of `len` bytes, page-aligned, owned by
/// this value and unmapped only by `drop`.
pub struct Bar {
    ptr: *mut u32,
    len: usize,
}

impl Bar {
    /// Maps the first [`BAR_LEN`] bytes of `path` (a sysfs `resource0`).
    pub fn map(path: &str) -> Result<Self, String> {
        let f = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(sys::O_SYNC)
            .open(path)
            .map_err(|e| format!("open {path}: {e}"))?;
        let size = f.metadata().map_err(|e| format!("stat {path}: {e}"))?.len();
        if size < BAR_LEN as u64 {
            return Err(format!(
                "{path} is {size} bytes, an 82576 VF's BAR0 is {BAR_LEN}: wrong device?"
            ));
        }
        // SAFETY: asks for a new mapping at an address of the kernel's choosing (null hint),
        // so no existing memory of this process is replaced; `f` is an open descriptor, which
        // the kernel validates together with length, protection and offset. The result is
        // only used after the MAP_FAILED check below.
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
        if p == sys::MAP_FAILED || p.is_null() {
            return Err(format!("mmap {path}: {}", std::io::Error::last_os_error()));
        }
        // INVARIANT: `p` is a fresh page-aligned mapping of BAR_LEN bytes; a mapping outlives
        // the descriptor it was made from, so `f` may be closed on return.
        Ok(Self {
            ptr: p.cast(),
            len: BAR_LEN,
        })
    }
}

impl Regs for Bar {
    fn read(&self, off: usize) -> Result<u32, BadOffset> {
        let i = dword_index(off, self.len)?;
        // SAFETY: `dword_index` checked that the 4 bytes at `off` lie inside the mapping and
        // are 4-aligned (the mapping is page-aligned); the mapping is live (type invariant).
        // MMIO needs a volatile access, and a u32 has no invalid bit patterns.
        Ok(unsafe { self.ptr.add(i).read_volatile() })
    }

    fn write(&self, off: usize, v: u32) -> Result<(), BadOffset> {
        let i = dword_index(off, self.len)?;
        // SAFETY: as in `read`; the mapping is writable (PROT_WRITE) and device memory that
        // no Rust reference points into.
        unsafe { self.ptr.add(i).write_volatile(v) };
        Ok(())
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        // SAFETY: `ptr`/`len` are exactly the mapping made in `map`, which is unmapped only
        // here, once; no reference into it can outlive `self`.
        unsafe { sys::munmap(self.ptr.cast(), self.len) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_checked() {
        assert_eq!(dword_index(0, BAR_LEN), Ok(0));
        assert_eq!(dword_index(0xC40, BAR_LEN), Ok(0x310));
        assert_eq!(dword_index(BAR_LEN - 4, BAR_LEN), Ok(BAR_LEN / 4 - 1));
        assert!(dword_index(BAR_LEN, BAR_LEN).is_err());
        assert!(dword_index(BAR_LEN - 2, BAR_LEN).is_err());
        assert!(dword_index(2, BAR_LEN).is_err());
        assert!(dword_index(usize::MAX - 3, BAR_LEN).is_err());
        assert!(dword_index(0, 2).is_err());
    }

    /// Maps a plain 16 KiB file the way a `resource0` is mapped.
    #[test]
    fn maps_a_file_and_checks_offsets() {
        let dir = std::env::temp_dir();
        let path = dir.join(format!("rigb-hostile-vf-test-{}", std::process::id()));
        std::fs::write(&path, vec![0u8; BAR_LEN]).unwrap();
        let p = path.to_string_lossy().into_owned();
        {
            let bar = Bar::map(&p).unwrap();
            bar.write(0xC40, 0x1234_5678).unwrap();
            assert_eq!(bar.read(0xC40), Ok(0x1234_5678));
            bar.write(BAR_LEN - 4, 7).unwrap();
            assert_eq!(bar.read(BAR_LEN - 4), Ok(7));
            assert!(bar.read(BAR_LEN).is_err());
            assert!(bar.write(0xC42, 1).is_err());
        }
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[0xC40..0xC44], &0x1234_5678u32.to_ne_bytes());
        std::fs::write(&path, [0u8; 64]).unwrap();
        assert!(Bar::map(&p).is_err());
        std::fs::remove_file(&path).unwrap();
        assert!(Bar::map(&p).is_err());
    }
}
