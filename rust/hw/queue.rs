// SPDX-License-Identifier: GPL-2.0

//! The PF's own queue pair: descriptor rings, their interrupt vector, and the PF pool's
//! receive settings. The PF uses the first queue of its pool (queue N with N VFs, queue 0
//! without), as C igb does; what the rings hold is [`crate::datapath`]'s business.

use super::{
    filters::vmolr,
    regs::*,
    Hw,
    Pool, //
};
use crate::model::vf::PoolRx;
use kernel::{
    io::{
        register::Array,
        Io, //
    },
    num::Bounded,
    prelude::*,
};

/// The MSI-X vector of the PF's queue pair (vector 0 serves link and mailbox).
pub(crate) const QUEUE_VECTOR: u32 = 1;

/// Receive buffer size programmed into SRRCTL, in KiB: a frame fits one page-pool page with
/// the stack's headroom and shared info.
pub(crate) const RX_BUFFER_KIB: u32 = 3;

/// Interrupt interval of the queue vector in microseconds: at most about 20000 interrupts per
/// second, C igb's default (`IGB_20K_ITR`, register value 196).
const QUEUE_EITR_INTERVAL: u32 = 49;

/// A hardware queue number.
///
/// # Invariants
///
/// The index is below [`NUM_QUEUES`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Queue(u8);

impl Queue {
    /// The first queue of `pool`, the one the PF uses when it owns that pool.
    pub(crate) fn of_pool(pool: Pool) -> Self {
        // INVARIANT: pools are below 8, queues below 16.
        Self(pool.index() as u8)
    }

    /// The queue number; the modulo lets the compiler prove register indices in range.
    pub(crate) fn index(self) -> usize {
        usize::from(self.0) % NUM_QUEUES
    }
}

/// Where a ring is in DMA space, and how many descriptors it has.
#[derive(Clone, Copy)]
pub(crate) struct RingAddr {
    /// Bus address of descriptor 0.
    pub(crate) dma: u64,
    /// Length in descriptors (16 bytes each).
    pub(crate) descs: usize,
}

impl RingAddr {
    fn len_bytes(self) -> Bounded<u32, 20> {
        Bounded::from_expr((self.descs as u32).wrapping_mul(16) & 0xf_ffff)
    }
}

impl Hw<'_> {
    /// Starts transmit queue `q` on an empty ring at `ring`.
    pub(crate) fn tx_queue_start(&self, q: Queue, ring: RingAddr) {
        let (bar, i) = (&self.bar, q.index());
        bar.write(TXDCTL::at(i), TXDCTL::zeroed());
        bar.write(TDBAL::at(i), TDBAL::from_raw(ring.dma as u32));
        bar.write(TDBAH::at(i), TDBAH::from_raw((ring.dma >> 32) as u32));
        bar.write(TDLEN::at(i), TDLEN::zeroed().with_len(ring.len_bytes()));
        bar.write(TDH::at(i), TDH::zeroed());
        bar.write(TDT::at(i), TDT::zeroed());
        // C igb's thresholds for 82576 with MSI-X.
        bar.write(
            TXDCTL::at(i),
            TXDCTL::zeroed()
                .with_const_pthresh::<8>()
                .with_const_hthresh::<1>()
                .with_const_wthresh::<1>()
                .with_enable(true),
        );
    }

    /// Starts receive queue `q` on a ring at `ring`; buffers are posted with
    /// [`Hw::rx_tail`].
    pub(crate) fn rx_queue_start(&self, q: Queue, ring: RingAddr) {
        let (bar, i) = (&self.bar, q.index());
        bar.write(RXDCTL::at(i), RXDCTL::zeroed());
        bar.write(RDBAL::at(i), RDBAL::from_raw(ring.dma as u32));
        bar.write(RDBAH::at(i), RDBAH::from_raw((ring.dma >> 32) as u32));
        bar.write(RDLEN::at(i), RDLEN::zeroed().with_len(ring.len_bytes()));
        bar.write(RDH::at(i), RDH::zeroed());
        bar.write(RDT::at(i), RDT::zeroed());
        // Advanced one-buffer descriptors; a full PF ring drops its own frames rather than
        // holding back the VFs' queues.
        bar.write(
            SRRCTL::at(i),
            SRRCTL::zeroed()
                .with_const_bsizepkt::<{ RX_BUFFER_KIB }>()
                .with_const_desctype::<1>()
                .with_drop_en(true),
        );
        bar.write(
            RXDCTL::at(i),
            RXDCTL::zeroed()
                .with_const_pthresh::<8>()
                .with_const_hthresh::<8>()
                .with_const_wthresh::<1>()
                .with_enable(true),
        );
    }

    /// Stops both directions of queue `q`; the device no longer reads or writes its rings
    /// once this returns.
    pub(crate) fn queue_stop(&self, q: Queue) {
        let (bar, i) = (&self.bar, q.index());
        bar.write(RXDCTL::at(i), RXDCTL::zeroed());
        bar.write(TXDCTL::at(i), TXDCTL::zeroed());
        // Posted writes reach the device before anything the caller frees.
        let _ = bar.read(STATUS);
    }

    /// Hands the transmit descriptors before `index` to the device.
    pub(crate) fn tx_tail(&self, q: Queue, index: u32) {
        self.bar.write(
            TDT::at(q.index()),
            TDT::zeroed().with_index(Bounded::from_expr(index & 0xffff)),
        );
    }

    /// Hands the receive descriptors before `index` to the device.
    pub(crate) fn rx_tail(&self, q: Queue, index: u32) {
        self.bar.write(
            RDT::at(q.index()),
            RDT::zeroed().with_index(Bounded::from_expr(index & 0xffff)),
        );
    }

    /// Routes both directions of queue `q` to [`QUEUE_VECTOR`], or nowhere.
    pub(crate) fn route_queue(&self, q: Queue, on: bool) {
        let i = q.index();
        let v = self.bar.read(IVAR0::at(i % 8));
        let vector = Bounded::<u32, 5>::new::<{ QUEUE_VECTOR }>();
        let v = if i < 8 {
            v.with_rx_vector(vector)
                .with_rx_valid(on)
                .with_tx_vector(vector)
                .with_tx_valid(on)
        } else {
            v.with_rx_hi_vector(vector)
                .with_rx_hi_valid(on)
                .with_tx_hi_vector(vector)
                .with_tx_hi_valid(on)
        };
        self.bar.write(IVAR0::at(i % 8), v);
    }

    /// Enables the queue vector, with interrupt moderation.
    pub(crate) fn queue_vector_enable(&self) {
        let bar = &self.bar;
        let bit = 1u32 << QUEUE_VECTOR;
        bar.write(
            EITR::at(QUEUE_VECTOR as usize % NUM_VECTORS),
            EITR::zeroed().with_const_interval::<{ QUEUE_EITR_INTERVAL }>(),
        );
        // The cause clears itself when its message is sent (EIAC), as C igb sets it up:
        // otherwise every unmask at the end of a poll would raise the vector again.
        bar.update(EIAC, |r| r.with_vectors(r.vectors().get() | bit));
        self.queue_vector_unmask();
    }

    /// Masks the queue vector: its handler does so before scheduling NAPI, and the poll
    /// unmasks it once it is done, so the device raises no interrupt the poll would handle.
    pub(crate) fn queue_vector_mask(&self) {
        self.bar
            .write_reg(EIMC::zeroed().with_vectors(1u32 << QUEUE_VECTOR));
    }

    /// Unmasks the queue vector.
    pub(crate) fn queue_vector_unmask(&self) {
        self.bar
            .write_reg(EIMS::zeroed().with_vectors(1u32 << QUEUE_VECTOR));
    }

    /// Opens the PF's pool ([`Hw::pf_pool_rx`]); it may transmit.
    pub(crate) fn pf_pool_open(&self, pool: Pool, max_frame: u16, all_multicast: bool) {
        self.pf_pool_rx(pool, max_frame, all_multicast);
        self.set_pool_enabled(pool, true);
    }

    /// What the PF's pool accepts: the PF's unicast address, broadcast, its multicast groups
    /// by hash (or all multicast), frames up to `max_frame` bytes.
    pub(crate) fn pf_pool_rx(&self, pool: Pool, max_frame: u16, all_multicast: bool) {
        let rx = PoolRx {
            untagged: true,
            multicast_hashed: true,
            multicast_all: all_multicast,
            strip_vlan: false,
            max_frame,
        };
        self.bar.write(VMOLR::at(pool.index()), vmolr(rx));
    }

    /// Lets all multicast through the device's own filter, before the pools' (RCTL.MPE), as
    /// the PF's allmulticast needs: the pools still filter what each receives (VMOLR).
    pub(crate) fn set_multicast_promisc(&self, on: bool) {
        self.bar.update(RCTL, |r| r.with_mpe(on));
    }

    /// Closes the PF's pool: nothing more is received into, or sent from, its queues.
    pub(crate) fn pf_pool_close(&self, pool: Pool) {
        self.set_pool_enabled(pool, false);
        self.bar.write(VMOLR::at(pool.index()), VMOLR::zeroed());
    }

    /// Enables receive checksum verification of IPv4 headers and TCP/UDP payloads.
    pub(crate) fn enable_rx_checksum(&self) {
        self.bar.update(RXCSUM, |r| {
            r.with_ipofl(true).with_tuofl(true).with_crcofl(true)
        });
    }
}
