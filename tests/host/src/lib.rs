// SPDX-License-Identifier: GPL-2.0

//! Host build of rigb's pure modules, so their unit tests run with `cargo test`.

#![allow(dead_code)]

#[path = "../../../rust/mbx/proto.rs"]
mod proto;
