// SPDX-License-Identifier: GPL-2.0

//! Host build of rigb's pure modules, so their unit tests run with `cargo test`. `model.rs`,
//! `model/`, `ring.rs`, `ring/` and `mbx/` are links into `rust/`; the module tree mirrors the
//! kernel crate's, so `crate::` paths resolve the same way.

#![allow(dead_code)]

mod model;
mod ring;

mod mbx {
    pub(crate) mod budget;
    pub(crate) mod msg;
    pub(crate) mod notify;
    pub(crate) mod throttle;
}
