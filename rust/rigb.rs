// SPDX-License-Identifier: GPL-2.0

//! rigb: SR-IOV Physical Function driver for Intel 82576 Ethernet controllers.
//!
//! See `Documentation/rigb.rst` for the design and `Documentation/admin-guide.rst` for use.

mod admin;
mod datapath;
mod debugfs;
mod driver;
mod hw;
mod irq;
mod mbx;
mod model;
mod net;
mod netdev;
mod pf;
mod ring;
mod sriov;
mod timer;

kernel::module_driver!(<T>, crate::sriov::Adapter<T>, {
    type: crate::driver::RigbDriver,
    name: "rigb",
    authors: ["The rigb developers"],
    description: "Intel 82576 SR-IOV Physical Function driver",
    license: "GPL v2",
    params: {
        max_vfs: u32 {
            default: 0,
            description: "Number of VFs to create at probe (0-7; larger values use 7)",
        },
    },
});
