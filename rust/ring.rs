// SPDX-License-Identifier: GPL-2.0

//! Descriptor rings: the index arithmetic of one ring ([`Ring`]), the 16-byte advanced
//! descriptors the 82576 reads and writes back ([`desc`]), and what an outgoing frame asks of
//! the hardware's offloads ([`offload`]). Pure: no hardware access, no allocation, no panics.
//!
//! The driver owns `next_to_use` (where it writes the next descriptor, published through the
//! tail register RDT/TDT) and `next_to_clean` (the oldest descriptor the hardware has not
//! given back yet). The descriptors from `next_to_clean` up to `next_to_use` belong to the
//! hardware.

pub(crate) mod desc;
pub(crate) mod offload;

/// Fewest descriptors a ring may have (igb's `IGB_MIN_TXD`/`IGB_MIN_RXD`).
pub(crate) const MIN_DESCS: usize = 80;
/// Most descriptors a ring may have (igb's `IGB_MAX_TXD`/`IGB_MAX_RXD`).
pub(crate) const MAX_DESCS: usize = 4096;
/// Ring sizes are a multiple of this: RDLEN/TDLEN must be a multiple of 128 bytes, eight
/// 16-byte descriptors.
pub(crate) const DESCS_MULTIPLE: usize = 8;
/// Descriptors per ring unless the administrator asks otherwise (igb's `IGB_DEFAULT_TXD`).
pub(crate) const DEFAULT_DESCS: usize = 256;

/// The indices of one descriptor ring.
///
/// # Invariants
///
/// `size` is in `MIN_DESCS..=MAX_DESCS` and a multiple of `DESCS_MULTIPLE`;
/// `next_to_use < size` and `next_to_clean < size`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Ring {
    size: usize,
    next_to_use: usize,
    next_to_clean: usize,
}

impl Ring {
    /// An empty ring of `size` descriptors, or `None` if the hardware cannot have a ring that
    /// size.
    pub(crate) fn new(size: usize) -> Option<Self> {
        if !(MIN_DESCS..=MAX_DESCS).contains(&size) || !size.is_multiple_of(DESCS_MULTIPLE) {
            return None;
        }
        // INVARIANT: `size` was checked above; both indices start at 0.
        Some(Self {
            size,
            next_to_use: 0,
            next_to_clean: 0,
        })
    }

    /// Number of descriptors in the ring.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// Index of the next descriptor the driver fills.
    pub(crate) fn next_to_use(&self) -> usize {
        self.next_to_use
    }

    /// Index of the oldest descriptor handed to the hardware and not yet cleaned.
    pub(crate) fn next_to_clean(&self) -> usize {
        self.next_to_clean
    }

    /// Descriptors handed to the hardware and not yet cleaned.
    pub(crate) fn in_flight(&self) -> usize {
        if self.next_to_use >= self.next_to_clean {
            self.next_to_use - self.next_to_clean
        } else {
            // By the invariants `next_to_clean < size`, so this does not underflow.
            self.size - self.next_to_clean + self.next_to_use
        }
    }

    /// Descriptors the driver may still fill. One always stays unused: the hardware (and
    /// QEMU) takes head == tail for an empty ring, so a full one could not be told from it.
    pub(crate) fn unused(&self) -> usize {
        self.size.saturating_sub(1).saturating_sub(self.in_flight())
    }

    /// Claims the descriptor at `next_to_use` and returns its index, or `None` if the ring is
    /// full.
    pub(crate) fn produce(&mut self) -> Option<usize> {
        if self.unused() == 0 {
            return None;
        }
        let index = self.next_to_use;
        // INVARIANT: `next` returns an index below `size`.
        self.next_to_use = self.next(index);
        Some(index)
    }

    /// Gives back the descriptor at `next_to_clean` and returns its index, or `None` if the
    /// hardware holds none.
    pub(crate) fn consume(&mut self) -> Option<usize> {
        if self.in_flight() == 0 {
            return None;
        }
        let index = self.next_to_clean;
        // INVARIANT: `next` returns an index below `size`.
        self.next_to_clean = self.next(index);
        Some(index)
    }

    /// Empties the ring, as after the hardware's head and tail were reset to 0.
    pub(crate) fn reset(&mut self) {
        self.next_to_use = 0;
        self.next_to_clean = 0;
    }

    /// The value to write to the tail register (RDT/TDT): the index of the first descriptor
    /// the hardware must not use yet.
    pub(crate) fn tail(&self) -> u32 {
        // `next_to_use < MAX_DESCS`, which fits.
        u32::try_from(self.next_to_use).unwrap_or(0)
    }

    /// The index after `index`, wrapping to 0 at the end of the ring (and for an index that is
    /// not in the ring).
    pub(crate) fn next(&self, index: usize) -> usize {
        match index.checked_add(1) {
            Some(n) if n < self.size => n,
            _ => 0,
        }
    }
}

#[cfg(any(test, CONFIG_KUNIT))]
#[cfg_attr(CONFIG_KUNIT, kernel::prelude::kunit_tests(rigb_ring))]
mod tests {
    use super::*;

    /// A ring of `size` descriptors, or one of the default size if `size` is not valid (the
    /// tests that use it pass valid sizes).
    fn ring(size: usize) -> Ring {
        Ring::new(size).unwrap_or(Ring {
            size: DEFAULT_DESCS,
            next_to_use: 0,
            next_to_clean: 0,
        })
    }

    #[test]
    fn sizes_outside_the_hardware_limits_are_refused() {
        for size in [0, 1, 8, 72, 79, 81, 84, 4095, 4097, 4104, 8192, usize::MAX] {
            assert!(Ring::new(size).is_none());
        }
        for size in [MIN_DESCS, 88, DEFAULT_DESCS, 1024, 4088, MAX_DESCS] {
            assert_eq!(Ring::new(size).map(|r| r.size()), Some(size));
        }
        assert_eq!(DEFAULT_DESCS % DESCS_MULTIPLE, 0);
    }

    #[test]
    fn a_new_ring_is_empty() {
        let mut r = ring(MIN_DESCS);
        assert_eq!(r.in_flight(), 0);
        assert_eq!(r.unused(), MIN_DESCS - 1);
        assert_eq!(r.tail(), 0);
        assert_eq!(r.consume(), None);
        assert_eq!((r.next_to_use(), r.next_to_clean()), (0, 0));
    }

    #[test]
    fn one_descriptor_always_stays_unused() {
        let mut r = ring(MIN_DESCS);
        for i in 0..MIN_DESCS - 1 {
            assert_eq!(r.produce(), Some(i));
        }
        assert_eq!(r.unused(), 0);
        assert_eq!(r.in_flight(), MIN_DESCS - 1);
        assert_eq!(r.produce(), None);
        assert_eq!(r.tail(), 79);
        assert_eq!(r.consume(), Some(0));
        assert_eq!(r.unused(), 1);
        assert_eq!(r.produce(), Some(79));
        assert_eq!(r.tail(), 0);
        assert_eq!(r.produce(), None);
    }

    #[test]
    fn indices_wrap_at_the_end_of_the_ring() {
        let mut r = ring(MIN_DESCS);
        for _ in 0..3 * MIN_DESCS + 5 {
            let used = r.produce();
            assert!(used.is_some());
            assert_eq!(r.consume(), used);
            assert_eq!(r.in_flight(), 0);
        }
        assert_eq!(r.next_to_use(), 5);
        assert_eq!(r.next_to_clean(), 5);
        // Straddle the end: next_to_use wraps below next_to_clean.
        for _ in 0..MIN_DESCS - 2 {
            assert!(r.produce().is_some());
        }
        assert_eq!(r.next_to_use(), 3);
        assert_eq!(r.in_flight(), MIN_DESCS - 2);
        assert_eq!(r.unused(), 1);
        assert_eq!(r.tail(), 3);
        assert_eq!(r.next(MIN_DESCS - 1), 0);
        assert_eq!(r.next(0), 1);
        assert_eq!(r.next(MIN_DESCS), 0);
        assert_eq!(r.next(usize::MAX), 0);
    }

    #[test]
    fn reset_empties_the_ring() {
        let mut r = ring(MAX_DESCS);
        for _ in 0..100 {
            assert!(r.produce().is_some());
        }
        assert_eq!(r.consume(), Some(0));
        r.reset();
        assert_eq!(r.in_flight(), 0);
        assert_eq!(r.unused(), MAX_DESCS - 1);
        assert_eq!(r.tail(), 0);
        assert_eq!(r.consume(), None);
    }
}
