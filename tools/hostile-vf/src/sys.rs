// SPDX-License-Identifier: GPL-2.0

//! The few C library calls the tool needs (std has no mmap), and their constants for Linux.

use std::os::raw::{
    c_int,
    c_long,
    c_void, //
};

pub const PROT_READ: c_int = 1;
pub const PROT_WRITE: c_int = 2;
pub const MAP_SHARED: c_int = 1;
pub const MAP_FAILED: *mut c_void = !0usize as *mut c_void;
/// `O_SYNC` (`__O_SYNC | O_DSYNC`) of the generic Linux ABI (x86, arm64, riscv, ...).
pub const O_SYNC: c_int = 0o4010000;
/// `EBUSY`.
pub const EBUSY: i32 = 16;

extern "C" {
    /// `off_t` is `long` on the 64-bit Linux ABIs this tool is built for.
    pub fn mmap(
        addr: *mut c_void,
        len: usize,
        prot: c_int,
        flags: c_int,
        fd: c_int,
        off: c_long,
    ) -> *mut c_void;
    pub fn munmap(addr: *mut c_void, len: usize) -> c_int;
}
