// SPDX-License-Identifier: GPL-2.0

//! The PF's two MSI-X vectors and their handlers: vector 0 for "other" causes (link,
//! mailbox), vector 1 for the PF's queue pair.
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

/// The PF's MSI-X vectors and the handlers registered on them.
///
/// # Invariants
///
/// The registrations were created from vectors of `*_vectors`, whose heap allocation never
/// moves and is freed only after the registrations were dropped (fields drop in declaration
/// order). An `Irqs` is never leaked, so the registrations' destructors always run.
pub(crate) struct Irqs<'bound, H: Handler + 'bound, Q: Handler + 'bound> {
    _queue: Pin<KBox<Registration<'bound, Q>>>,
    _other: Pin<KBox<Registration<'bound, H>>>,
    _vectors: KBox<IrqVectorRegistration<'bound>>,
}

impl<'bound, H: Handler + 'bound, Q: Handler + 'bound> Irqs<'bound, H, Q> {
    /// Allocates two MSI-X vectors of `pdev` and registers `other` on vector 0 and `queue`
    /// on vector 1.
    pub(crate) fn new(
        pdev: &'bound pci::Device<Bound>,
        names: [&'static CStr; 2],
        other: impl PinInit<H, Error> + 'bound,
        queue: impl PinInit<Q, Error> + 'bound,
    ) -> Result<Self> {
        let vectors = KBox::new(
            pdev.alloc_irq_vectors(2, 2, IrqTypes::default().with(IrqType::MsiX))?,
            GFP_KERNEL,
        )?;
        // SAFETY: The box's contents stay at this address until `Self` is dropped, and the
        // registration that borrows them is dropped first (type invariant), so the reference
        // lives long enough.
        let vref: &'bound IrqVectorRegistration<'bound> =
            unsafe { &*core::ptr::from_ref::<IrqVectorRegistration<'bound>>(&*vectors) };
        let [other_name, queue_name] = names;
        let request = vref.index(0)?.into();
        // SAFETY: The registration is owned by `Self`, which is never leaked (type invariant).
        let other = KBox::pin_init(
            unsafe { Registration::new(request, Flags::TRIGGER_NONE, other_name, other) },
            GFP_KERNEL,
        )?;
        let request = vref.index(1)?.into();
        // SAFETY: As above.
        let queue = KBox::pin_init(
            unsafe { Registration::new(request, Flags::TRIGGER_NONE, queue_name, queue) },
            GFP_KERNEL,
        )?;
        // INVARIANT: the registrations borrow `vectors`, which is declared after them.
        Ok(Self {
            _queue: queue,
            _other: other,
            _vectors: vectors,
        })
    }
}
