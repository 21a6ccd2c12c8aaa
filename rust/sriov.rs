// SPDX-License-Identifier: GPL-2.0

//! SR-IOV support for PCI drivers, missing from the 7.3 Rust PCI abstractions.
//!
//! This mirrors the proposed upstream API ("rust: pci: add abstractions for SR-IOV capability"):
//! a driver implements [`SriovDriver::sriov_configure`] and uses [`SriovDevice`] to enable and
//! disable its VFs. [`Adapter`] registers the driver exactly like [`kernel::pci::Adapter`] does
//! and additionally installs the `sriov_configure` callback. When the upstream API lands, this
//! file is deleted and the driver implements the `pci::Driver` method instead.
//!
//! All `unsafe` of the SR-IOV glue is in this file.

use core::{
    marker::PhantomData,
    pin::Pin, //
};
use kernel::{
    bindings,
    device,
    driver::{
        DriverLayout,
        RegistrationOps, //
    },
    error::{
        from_result,
        to_result, //
    },
    ffi::c_int,
    pci,
    prelude::*,
    types::Opaque,
    ThisModule, //
};

/// A PCI driver that supports SR-IOV.
pub(crate) trait SriovDriver: pci::Driver {
    /// Called by the PCI core when the administrator writes `nr_virtfn` to `sriov_numvfs`.
    ///
    /// Returns the number of VFs enabled. The PCI core has already rejected counts above
    /// `sriov_totalvfs` (`ERANGE`) and changes from one non-zero count to another (`EBUSY`).
    fn sriov_configure<'bound>(
        dev: &'bound pci::Device<device::Core<'_>>,
        this: Pin<&Self::Data<'bound>>,
        nr_virtfn: i32,
    ) -> Result<i32>;
}

/// SR-IOV operations on a PCI device, provided by the PCI core.
pub(crate) trait SriovDevice {
    /// Enables `nr_virtfn` VFs (`pci_enable_sriov`).
    fn enable_sriov(&self, nr_virtfn: i32) -> Result;
    /// Disables all VFs (`pci_disable_sriov`).
    fn disable_sriov(&self);
    /// Number of VFs currently enabled.
    fn num_vf(&self) -> i32;
    /// Number of VFs assigned to guests (passed through with VFIO or similar).
    fn vfs_assigned(&self) -> i32;
    /// Limits `sriov_totalvfs` to `total`.
    fn sriov_set_totalvfs(&self, total: u16) -> Result;
}

/// The `struct pci_dev` of `dev`, for C functions the Rust abstractions do not cover.
pub(crate) fn raw(dev: &pci::Device<device::Core<'_>>) -> *mut bindings::pci_dev {
    // CAST: `pci::Device` is a `#[repr(transparent)]` wrapper of `Opaque<bindings::pci_dev>`, so a
    // pointer to it is a pointer to the `struct pci_dev`.
    core::ptr::from_ref(dev)
        .cast::<bindings::pci_dev>()
        .cast_mut()
}

impl SriovDevice for pci::Device<device::Core<'_>> {
    fn enable_sriov(&self, nr_virtfn: i32) -> Result {
        // SAFETY: `raw(self)` is a valid `struct pci_dev` (type invariant of `pci::Device`), and the
        // `Core` context proves the device lock is held, as `pci_enable_sriov` expects.
        to_result(unsafe { bindings::pci_enable_sriov(raw(self), nr_virtfn) })
    }

    fn disable_sriov(&self) {
        // SAFETY: As in `enable_sriov`.
        unsafe { bindings::pci_disable_sriov(raw(self)) }
    }

    fn num_vf(&self) -> i32 {
        // SAFETY: `raw(self)` is a valid `struct pci_dev`.
        unsafe { bindings::pci_num_vf(raw(self)) }
    }

    fn vfs_assigned(&self) -> i32 {
        // SAFETY: `raw(self)` is a valid `struct pci_dev`.
        unsafe { bindings::pci_vfs_assigned(raw(self)) }
    }

    fn sriov_set_totalvfs(&self, total: u16) -> Result {
        // SAFETY: `raw(self)` is a valid `struct pci_dev`; the PCI core validates `total`.
        to_result(unsafe { bindings::pci_sriov_set_totalvfs(raw(self), total) })
    }
}

/// Registers a [`SriovDriver`]: [`kernel::pci::Adapter`] plus the `sriov_configure` callback.
pub(crate) struct Adapter<T: SriovDriver>(PhantomData<T>);

// SAFETY: Same layout as `pci::Adapter<T>`, whose implementation this forwards: `pci_driver` is a
// `repr(C)` type embedding a `struct device_driver` at `DEVICE_DRIVER_OFFSET`, and the driver's
// private data is `T::Data`.
unsafe impl<T: SriovDriver + 'static> DriverLayout for Adapter<T> {
    type DriverType = bindings::pci_driver;
    type DriverData<'bound> = T::Data<'bound>;
    const DEVICE_DRIVER_OFFSET: usize = <pci::Adapter<T> as DriverLayout>::DEVICE_DRIVER_OFFSET;
}

// SAFETY: `unregister` forwards to `pci::Adapter<T>::unregister`, valid after its `register`
// succeeded, which is the only way `register` below succeeds.
unsafe impl<T: SriovDriver + 'static> RegistrationOps for Adapter<T> {
    unsafe fn register(
        pdrv: &Opaque<Self::DriverType>,
        name: &'static CStr,
        module: &'static ThisModule,
    ) -> Result {
        // SAFETY: The driver is not registered yet, so its fields may be written.
        unsafe { (*pdrv.get()).sriov_configure = Some(Self::sriov_configure_callback) };
        // SAFETY: Forwarded with the caller's guarantee that `pdrv` stays pinned and valid until
        // `unregister`.
        unsafe { <pci::Adapter<T> as RegistrationOps>::register(pdrv, name, module) }
    }

    unsafe fn unregister(pdrv: &Opaque<Self::DriverType>) {
        // SAFETY: Forwarded with the caller's guarantee that `register` succeeded.
        unsafe { <pci::Adapter<T> as RegistrationOps>::unregister(pdrv) }
    }
}

impl<T: SriovDriver + 'static> Adapter<T> {
    extern "C" fn sriov_configure_callback(
        pdev: *mut bindings::pci_dev,
        nr_virtfn: c_int,
    ) -> c_int {
        // SAFETY: The PCI core calls `sriov_configure` with a valid `struct pci_dev`, with the
        // device lock held and only while a driver is bound (`sriov_numvfs_store` checks
        // `pdev->driver` under the lock), which is the `Core` context of a bound device.
        //
        // INVARIANT: `pdev` is valid for the duration of the callback.
        let pdev = unsafe { &*pdev.cast::<pci::Device<device::CoreInternal<'_>>>() };

        // SAFETY: The device is bound to this driver, so `probe` stored a `T::Data` with
        // `set_drvdata` and `unbind` has not returned yet (the device lock is held).
        let data = unsafe { pdev.as_ref().drvdata_borrow::<T::Data<'_>>() };

        from_result(|| T::sriov_configure(pdev, data, nr_virtfn))
    }
}
