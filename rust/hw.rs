// SPDX-License-Identifier: GPL-2.0

//! 82576 hardware access. [`Hw`] wraps the PF's mapped BAR0; its methods are split by concern:
//!
//! - `hw/init.rs`: reset, NVM, PHY and link, VMDq bring-up, interrupts;
//! - `hw/filters.rs`: a VF's share of the device (receive addresses, VLAN filters, multicast
//!   table, pool settings, anti-spoofing, rate limits, counters), programmed from the model;
//! - `hw/mbx.rs`: the mailbox transport (lock, read, write, acknowledge);
//! - `hw/queue.rs`: the PF's own queue pair, its interrupt vector and its pool.
//!
//! Nothing here decides policy: filters are programmed from [`crate::model::Model`], and the
//! mailbox transport moves words without interpreting them. Registers are in `hw/regs.rs`.

mod filters;
mod init;
mod mbx;
pub(crate) mod queue;
pub(crate) mod regs;

pub(crate) use filters::{
    PoolCounters,
    PoolRegs, //
};

use crate::model::NUM_POOLS;
use filters::Shadow;
use kernel::{
    new_spinlock_irq,
    pci,
    prelude::*,
    sync::SpinLockIrq, //
};
use regs::BAR0_SIZE;

/// The PF's mapped BAR0.
pub(crate) type Bar0<'a> = pci::Bar<'a, BAR0_SIZE>;

/// Register access to one 82576 PF.
pub(crate) struct Hw<'bound> {
    bar: Bar0<'bound>,
    /// What the shared filter tables hold, so that a change rewrites only the entries it
    /// changes. It disables interrupts like the PF lock: the interrupt handler takes it under
    /// the PF lock, a device reset takes it on its own.
    shadow: Pin<KBox<SpinLockIrq<Shadow>>>,
}

impl<'bound> Hw<'bound> {
    /// Maps BAR0 of `pdev`.
    pub(crate) fn map(pdev: &'bound pci::Device<kernel::device::Bound>) -> Result<Self> {
        Ok(Self {
            bar: pdev.iomap_region_sized::<BAR0_SIZE>(0, c"rigb")?,
            shadow: KBox::pin_init(new_spinlock_irq!(Shadow::UNKNOWN), GFP_KERNEL)?,
        })
    }
}

/// A VMDq pool: VF n uses pool n (and mailbox n), the PF the pool after the last VF.
///
/// # Invariants
///
/// The index is below [`NUM_POOLS`], the size of every per-pool register array.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Pool(u8);

impl Pool {
    /// Pool number `index`, if the 82576 has it.
    pub(crate) fn new(index: usize) -> Option<Self> {
        // INVARIANT: checked here.
        u8::try_from(index)
            .ok()
            .filter(|&i| usize::from(i) < NUM_POOLS)
            .map(Self)
    }

    /// The pool number. The modulo is a no-op by the type invariant; it lets the compiler
    /// prove at build time that register array indices derived from it are in range.
    pub(crate) fn index(self) -> usize {
        usize::from(self.0) % NUM_POOLS
    }

    /// The pool's bit in per-pool bit sets (VFRE, VFTE, MBVFICR, ...).
    pub(crate) fn bit(self) -> u32 {
        1 << self.index()
    }
}
