// SPDX-License-Identifier: GPL-2.0

//! PCI driver entry points: the device table, probe, unbind and `sriov_configure`.

use crate::{
    pf::Pf,
    sriov::SriovDriver, //
};
use kernel::{
    device::Core,
    pci,
    prelude::*, //
};

/// The rigb PCI driver.
pub(crate) struct RigbDriver;

kernel::pci_device_table!(
    PCI_TABLE,
    <RigbDriver as pci::Driver>::IdInfo,
    [
        // Intel 82576 Physical Functions, all media variants.
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x10c9), ()),
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x10e6), ()),
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x10e7), ()),
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x10e8), ()),
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1526), ()),
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x150a), ()),
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x1518), ()),
        (pci::DeviceId::from_id(pci::Vendor::INTEL, 0x150d), ()),
    ]
);

impl pci::Driver for RigbDriver {
    type IdInfo = ();
    type Data<'bound> = Pf<'bound>;

    const ID_TABLE: pci::IdTable<Self::IdInfo> = &PCI_TABLE;

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        Pf::probe(pdev, crate::module_parameters::max_vfs.value())
    }

    fn unbind<'bound>(pdev: &'bound pci::Device<Core<'_>>, this: Pin<&Self::Data<'bound>>) {
        this.unbind(pdev);
    }
}

impl SriovDriver for RigbDriver {
    fn sriov_configure<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        this: Pin<&Self::Data<'bound>>,
        nr_virtfn: i32,
    ) -> Result<i32> {
        this.configure_vfs(pdev, nr_virtfn)
    }
}
