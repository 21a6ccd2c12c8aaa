// SPDX-License-Identifier: GPL-2.0

//! The PF's MSI-X vector for "other" causes (link, mailbox) and its handler.
//!
//! [`kernel::pci::IrqVectorRegistration`] hands out vectors that borrow it, so a driver that
//! keeps both in its private data needs a self-reference; this small glue type owns both and
//! guarantees the drop order. All `unsafe` of the interrupt set-up is in this file.

use kernel::{
    device::Bound,
    irq::{
        Flags,
        Handler,
        Registration, //
    },
    pci::{
        self,
        IrqType,
        IrqTypes,
        IrqVectorRegistration, //
    },
    prelude::*,
};

/// One MSI-X vector and the handler registered on it.
///
/// # Invariants
///
/// `_registration` was created from a vector of `*_vectors`, whose heap allocation never moves
/// and is freed only after `_registration` was dropped (fields drop in declaration order). An
/// `OtherIrq` is never leaked, so `_registration`'s destructor always runs.
pub(crate) struct OtherIrq<'bound, H: Handler + 'bound> {
    _registration: Pin<KBox<Registration<'bound, H>>>,
    _vectors: KBox<IrqVectorRegistration<'bound>>,
}

impl<'bound, H: Handler + 'bound> OtherIrq<'bound, H> {
    /// Allocates one MSI-X vector of `pdev` and registers `handler` on it.
    pub(crate) fn new(
        pdev: &'bound pci::Device<Bound>,
        name: &'static CStr,
        handler: impl PinInit<H, Error> + 'bound,
    ) -> Result<Self> {
        let vectors = KBox::new(
            pdev.alloc_irq_vectors(1, 1, IrqTypes::default().with(IrqType::MsiX))?,
            GFP_KERNEL,
        )?;
        // SAFETY: The box's contents stay at this address until `Self` is dropped, and the
        // registration that borrows them is dropped first (type invariant), so the reference
        // lives long enough.
        let vref: &'bound IrqVectorRegistration<'bound> =
            unsafe { &*core::ptr::from_ref::<IrqVectorRegistration<'bound>>(&*vectors) };
        let request = vref.index(0)?.into();
        // SAFETY: The registration is owned by `Self`, which is never leaked (type invariant).
        let registration = KBox::pin_init(
            unsafe { Registration::new(request, Flags::TRIGGER_NONE, name, handler) },
            GFP_KERNEL,
        )?;
        // INVARIANT: `registration` borrows `vectors`, which is declared after it.
        Ok(Self {
            _registration: registration,
            _vectors: vectors,
        })
    }
}
