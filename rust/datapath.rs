// SPDX-License-Identifier: GPL-2.0

//! The PF's own traffic: one transmit and one receive ring on the first queue of the PF's
//! pool, receive buffers from a page pool, transmission of linear frames with byte queue
//! limits, and completion of both in the NAPI poll.
//!
//! [`Rings`] exist while the PF interface is up. With N VFs the PF owns pool N, so the rings
//! move when `sriov_numvfs` changes ([`crate::pf`] closes and reopens them). Nothing here
//! locks: the caller serialises the transmit path and the poll ([`crate::pf`] keeps the rings
//! under one lock, the same one for both).

use crate::{
    hw::{
        queue::{
            Queue,
            RingAddr,
            RX_BUFFER_KIB, //
        },
        Hw,
        Pool, //
    },
    net::{
        DmaMap,
        NetRef,
        PagePool,
        RxPage,
        Skb, //
    },
    ring::{
        desc::{
            rx_read,
            tx_done,
            RawDesc,
            RxChecksum,
            RxCompletion, //
        },
        offload::{
            NeedsSoftware,
            TxLayout,
            TxOffload, //
        },
        Ring,
        DEFAULT_DESCS, //
    },
};
use kernel::{
    bindings,
    device::{
        Bound,
        Device, //
    },
    dma::Coherent,
    io::{
        io_read,
        io_write, //
    },
    prelude::*,
    sync::barrier::{
        dma_mb,
        Read,
        Write, //
    },
};

/// Bytes of a frame beyond its MTU that the receive buffer must hold: Ethernet header, two
/// VLAN tags and the FCS, as C igb counts them.
const FRAME_OVERHEAD: u32 = 26;

/// Largest MTU: a frame must fit one receive buffer.
pub(crate) const MAX_MTU: u32 = RX_BUFFER_KIB * 1024 - FRAME_OVERHEAD;

/// Space before the frame in a receive page, for the headers the stack pushes (the same as
/// XDP's headroom, so the page layout stays when XDP comes).
const RX_HEADROOM: u32 = 256;

/// Most frames one poll completes in each direction (NAPI's default weight).
pub(crate) const POLL_MAX: usize = 64;

/// Frames one round of a poll takes off each ring before handing them on (see
/// [`Completed`]).
const POLL_CHUNK: usize = 16;

/// Buffers one frame may have: its linear part and the most fragments the stack attaches.
const TX_BUFS_PER_FRAME: usize = 1 + bindings::MAX_SKB_FRAGS as usize;

/// Most bytes one data descriptor carries (C igb's `IGB_MAX_DATA_PER_TXD`).
const TX_MAX_PER_DESC: u32 = 1 << 15;

/// Descriptors a frame may take: a context descriptor, and each buffer in pieces of at most
/// [`TX_MAX_PER_DESC`] (two per buffer covers buffers up to 64 KiB; a frame that needs more
/// is linearised first). The queue is stopped while fewer are free, so a frame the stack
/// hands over always fits.
const TX_DESCS_PER_FRAME: usize = 1 + 2 * TX_BUFS_PER_FRAME;

/// The largest frame for an MTU, as the pool's RLPML takes it.
pub(crate) fn max_frame(mtu: u32) -> u16 {
    (mtu.min(MAX_MTU) + FRAME_OVERHEAD) as u16
}

/// Counters for `ip -s link`; they survive the rings.
#[derive(Clone, Copy, Default)]
pub(crate) struct NetStats {
    pub(crate) rx_packets: u64,
    pub(crate) rx_bytes: u64,
    pub(crate) rx_dropped: u64,
    pub(crate) rx_errors: u64,
    pub(crate) rx_crc_errors: u64,
    pub(crate) rx_length_errors: u64,
    pub(crate) tx_packets: u64,
    pub(crate) tx_bytes: u64,
    pub(crate) tx_dropped: u64,
}

/// The interface's queues, for `ethtool -g` and `ethtool -l`.
#[derive(Clone, Copy)]
pub(crate) struct QueueInfo {
    /// Descriptors per receive ring.
    pub(crate) rx_descs: u32,
    /// Descriptors per transmit ring.
    pub(crate) tx_descs: u32,
    /// Queue pairs in use.
    pub(crate) pairs: u32,
    /// Queue pairs the interface can have.
    pub(crate) max_pairs: u32,
}

impl QueueInfo {
    /// One pair of [`DEFAULT_DESCS`]-descriptor rings, the only configuration so far.
    pub(crate) const FIXED: Self = Self {
        rx_descs: DEFAULT_DESCS as u32,
        tx_descs: DEFAULT_DESCS as u32,
        pairs: 1,
        max_pairs: 1,
    };
}

/// What `ndo_start_xmit` tells the stack.
pub(crate) enum TxVerdict {
    /// The frame was taken (sent or dropped).
    Taken,
    /// No room: the stack keeps the frame and retries once the queue is woken.
    Busy(Skb),
}

fn write_desc(descs: &Coherent<[RawDesc]>, i: usize, d: RawDesc) -> Result {
    io_write!(descs, [try: i][build: 0], d[0].to_le());
    io_write!(descs, [try: i][build: 1], d[1].to_le());
    Ok(())
}

fn read_upper(descs: &Coherent<[RawDesc]>, i: usize) -> Result<u64> {
    Ok(u64::from_le(io_read!(descs, [try: i][build: 1])))
}

fn read_lower(descs: &Coherent<[RawDesc]>, i: usize) -> Result<u64> {
    Ok(u64::from_le(io_read!(descs, [try: i][build: 0])))
}

/// One transmit descriptor's bookkeeping: the mapping of the buffer whose first descriptor
/// it is, and, at a frame's first descriptor, the frame.
#[derive(Default)]
struct TxEntry {
    map: Option<DmaMap>,
    frame: Option<TxFrame>,
}

/// A frame the device has not finished sending.
struct TxFrame {
    skb: Skb,
    /// Index of the frame's last descriptor, whose DD bit says the frame is done.
    eop: usize,
    /// Descriptors the frame took.
    descs: usize,
    /// Bytes for byte queue limits and the counters.
    bytes: u32,
}

struct TxRing {
    ring: Ring,
    descs: Coherent<[RawDesc]>,
    entries: KVec<TxEntry>,
}

impl Drop for TxRing {
    fn drop(&mut self) {
        // Every buffer is unmapped before any frame is freed.
        for e in self.entries.iter_mut() {
            e.map = None;
        }
    }
}

struct RxRing {
    ring: Ring,
    descs: Coherent<[RawDesc]>,
    // Declared before the pool: buffers go back to it before it is destroyed.
    pages: KVec<Option<RxPage>>,
    pool: PagePool,
}

/// What one round of the poll took off the rings, handed to the stack once the rings' lock
/// is released.
pub(crate) struct Completed {
    tx: [Option<Skb>; POLL_CHUNK],
    sent: usize,
    rx: [Option<(RxPage, u32, bool)>; POLL_CHUNK],
    /// Frames received (the poll's work).
    pub(crate) received: usize,
    /// Whether the TX ring has room again and the stack may be woken.
    pub(crate) wake: bool,
}

impl Completed {
    /// Frames one round completes in each direction.
    pub(crate) const CHUNK: usize = POLL_CHUNK;

    /// Nothing completed yet.
    pub(crate) fn new() -> Self {
        Self {
            tx: [const { None }; Self::CHUNK],
            sent: 0,
            rx: [const { None }; Self::CHUNK],
            received: 0,
            wake: false,
        }
    }

    /// Whether a direction filled its chunk: there may be more to do.
    pub(crate) fn full(&self) -> bool {
        self.sent == Self::CHUNK || self.received == Self::CHUNK
    }

    /// Frees the sent frames and hands the received ones to the stack; returns how many the
    /// stack could not take.
    pub(crate) fn finish(&mut self, net: NetRef) -> u64 {
        let mut dropped = 0;
        for skb in self.tx.iter_mut().filter_map(Option::take) {
            skb.consume();
        }
        for (page, len, csum) in self.rx.iter_mut().filter_map(Option::take) {
            if net.deliver(page, len, csum).is_err() {
                dropped += 1;
            }
        }
        dropped
    }
}

/// The PF's rings, on the first queue of its pool.
pub(crate) struct Rings {
    net: NetRef,
    pool: Pool,
    queue: Queue,
    tx: TxRing,
    rx: RxRing,
}

impl Rings {
    /// Allocates the rings and fills the receive ring; the device is not told yet
    /// ([`Rings::start`]).
    pub(crate) fn new(dev: &Device<Bound>, net: NetRef, pool: Pool) -> Result<Self> {
        let n = DEFAULT_DESCS;
        let ring = Ring::new(n).ok_or(EINVAL)?;
        let mut entries = KVec::with_capacity(n, GFP_KERNEL)?;
        let mut pages = KVec::with_capacity(n, GFP_KERNEL)?;
        for _ in 0..n {
            entries.push(TxEntry::default(), GFP_KERNEL)?;
            pages.push(None, GFP_KERNEL)?;
        }
        let mut rings = Self {
            net,
            pool,
            queue: Queue::of_pool(pool),
            tx: TxRing {
                ring,
                descs: Coherent::zeroed_slice(dev, n, GFP_KERNEL)?,
                entries,
            },
            rx: RxRing {
                ring,
                descs: Coherent::zeroed_slice(dev, n, GFP_KERNEL)?,
                pages,
                pool: PagePool::new(net, n, RX_HEADROOM, RX_BUFFER_KIB * 1024)?,
            },
        };
        rings.rx.refill()?;
        Ok(rings)
    }

    /// The net_device the rings serve.
    pub(crate) fn net(&self) -> NetRef {
        self.net
    }

    /// The pool whose first queue the rings use.
    pub(crate) fn pool(&self) -> Pool {
        self.pool
    }

    /// Points the queue at the rings and posts the receive buffers.
    pub(crate) fn start(&self, hw: &Hw<'_>) {
        let tx = RingAddr {
            dma: self.tx.descs.dma_address(),
            descs: self.tx.ring.size(),
        };
        let rx = RingAddr {
            dma: self.rx.descs.dma_address(),
            descs: self.rx.ring.size(),
        };
        hw.tx_queue_start(self.queue, tx);
        hw.rx_queue_start(self.queue, rx);
        hw.route_queue(self.queue, true);
        // The descriptors reach memory before the device learns of them.
        dma_mb(Write);
        hw.rx_tail(self.queue, self.rx.ring.tail());
    }

    /// Stops the queue; the device no longer touches the rings once this returns.
    pub(crate) fn stop(&self, hw: &Hw<'_>) {
        hw.route_queue(self.queue, false);
        hw.queue_stop(self.queue);
    }

    /// Queues `skb` for transmission.
    pub(crate) fn xmit(&mut self, hw: &Hw<'_>, mut skb: Skb, stats: &mut NetStats) -> TxVerdict {
        if self.tx.ring.unused() < TX_DESCS_PER_FRAME {
            self.net.tx_stop();
            return TxVerdict::Busy(skb);
        }
        let len = skb.len();
        if len == 0 {
            stats.tx_dropped += 1;
            return TxVerdict::Taken;
        }
        let layout = skb.tx_layout();
        let offload = match TxOffload::plan(&layout) {
            Ok(offload) => offload,
            // A checksum the device cannot insert is computed here; a GSO frame it cannot
            // segment is not offered (the interface has TSO for TCP only).
            Err(NeedsSoftware) if layout.gso_size == 0 => {
                if skb.checksum_help().is_err() {
                    stats.tx_dropped += 1;
                    return TxVerdict::Taken;
                }
                let layout = TxLayout {
                    csum_partial: false,
                    ..layout
                };
                TxOffload::plan(&layout).unwrap_or_else(|_| TxOffload::plain(len))
            }
            Err(NeedsSoftware) => {
                stats.tx_dropped += 1;
                return TxVerdict::Taken;
            }
        };
        if layout.gso_size != 0 && skb.tso_prepare().is_err() {
            stats.tx_dropped += 1;
            return TxVerdict::Taken;
        }
        if descs_for(&skb, &offload) > TX_DESCS_PER_FRAME && skb.linearize().is_err() {
            stats.tx_dropped += 1;
            return TxVerdict::Taken;
        }
        if self.tx.post(self.net, offload, skb).is_err() {
            stats.tx_dropped += 1;
            return TxVerdict::Taken;
        }
        self.net.tx_sent(len);
        // QEMU's model sends the whole ring during the tail write and may complete the frame
        // before it returns: everything above is in place first.
        dma_mb(Write);
        if self.tx.ring.unused() < TX_DESCS_PER_FRAME {
            self.net.tx_stop();
        }
        hw.tx_tail(self.queue, self.tx.ring.tail());
        TxVerdict::Taken
    }

    /// Completes sent frames and takes received ones, at most `budget` of each, into `done`;
    /// refills the receive ring.
    pub(crate) fn poll(
        &mut self,
        hw: &Hw<'_>,
        budget: usize,
        csum: bool,
        stats: &mut NetStats,
        done: &mut Completed,
    ) {
        let budget = budget.min(Completed::CHUNK);
        self.clean_tx(stats, done);
        self.receive(budget, csum, stats, done);
        // When memory is short the ring keeps what it has; the next poll tries again.
        let _ = self.rx.refill();
        dma_mb(Write);
        hw.rx_tail(self.queue, self.rx.ring.tail());
        done.wake = self.net.tx_stopped() && self.tx.ring.unused() >= TX_DESCS_PER_FRAME * 2;
    }

    fn clean_tx(&mut self, stats: &mut NetStats, done: &mut Completed) {
        let tx = &mut self.tx;
        let (mut packets, mut bytes) = (0u32, 0u32);
        for out in done.tx.iter_mut() {
            let first = tx.ring.next_to_clean();
            let Some(eop) = tx
                .entries
                .get(first)
                .and_then(|e| e.frame.as_ref())
                .map(|f| f.eop)
            else {
                break;
            };
            if !read_upper(&tx.descs, eop).is_ok_and(|hi| tx_done([0, hi])) {
                break;
            }
            let Some(frame) = tx.entries.get_mut(first).and_then(|e| e.frame.take()) else {
                break;
            };
            for _ in 0..frame.descs {
                if let Some(i) = tx.ring.consume() {
                    if let Some(e) = tx.entries.get_mut(i) {
                        // Unmapped here; the frame is freed once the lock is released.
                        e.map = None;
                    }
                }
            }
            packets += 1;
            bytes = bytes.saturating_add(frame.bytes);
            *out = Some(frame.skb);
            done.sent += 1;
        }
        if packets > 0 {
            stats.tx_packets += u64::from(packets);
            stats.tx_bytes += u64::from(bytes);
            self.net.tx_completed(packets, bytes);
        }
    }

    fn receive(&mut self, budget: usize, csum: bool, stats: &mut NetStats, done: &mut Completed) {
        let rx = &mut self.rx;
        while done.received < budget {
            let i = rx.ring.next_to_clean();
            if rx.ring.in_flight() == 0 {
                break;
            }
            let Ok(hi) = read_upper(&rx.descs, i) else {
                break;
            };
            // The status word says DD before the rest is read.
            if hi & 1 == 0 {
                break;
            }
            dma_mb(Read);
            let lo = read_lower(&rx.descs, i).unwrap_or(0);
            let _ = rx.ring.consume();
            let page = rx.pages.get_mut(i).and_then(Option::take);
            let (Some(c), Some(page)) = (RxCompletion::decode([lo, hi]), page) else {
                stats.rx_errors += 1;
                continue;
            };
            let len = u32::from(c.len);
            if c.frame_error {
                stats.rx_errors += 1;
                stats.rx_crc_errors += 1;
                continue;
            }
            // A frame longer than one buffer: the PF's RLPML should not let one through.
            if !c.eop || len == 0 || len > RX_BUFFER_KIB * 1024 {
                stats.rx_errors += 1;
                stats.rx_length_errors += 1;
                continue;
            }
            page.sync_for_cpu(len);
            stats.rx_packets += 1;
            stats.rx_bytes += u64::from(len);
            let verified = csum && c.csum == RxChecksum::Unnecessary;
            if let Some(out) = done.rx.get_mut(done.received) {
                *out = Some((page, len, verified));
            }
            done.received += 1;
        }
    }
}

/// Descriptors `skb` takes with `offload`.
fn descs_for(skb: &Skb, offload: &TxOffload) -> usize {
    let pieces = |len: u32| len.div_ceil(TX_MAX_PER_DESC) as usize;
    let frags: usize = (0..skb.frags()).map(|i| pieces(skb.frag_len(i))).sum();
    offload.descs_needed(pieces(skb.headlen()) + frags)
}

impl TxRing {
    /// Maps `skb`'s buffers and writes its descriptors (a context descriptor first if
    /// `offload` needs one); keeps the frame until the device is done with it. The caller
    /// checked that [`TX_DESCS_PER_FRAME`] descriptors are free and that the frame needs no
    /// more. On failure nothing is posted and the frame is dropped.
    fn post(&mut self, net: NetRef, offload: TxOffload, skb: Skb) -> Result {
        let needed = descs_for(&skb, &offload);
        if needed > self.ring.unused() || needed > TX_DESCS_PER_FRAME {
            return Err(EBUSY);
        }
        // Empty buffers (a linear part that holds nothing, say) get no mapping and no
        // descriptor.
        let mut maps: [Option<DmaMap>; TX_BUFS_PER_FRAME] = [const { None }; TX_BUFS_PER_FRAME];
        let bufs = 1 + skb.frags();
        let mut last_buf = 0;
        for (i, m) in maps.iter_mut().enumerate().take(bufs) {
            let len = if i == 0 {
                skb.headlen()
            } else {
                skb.frag_len(i - 1)
            };
            if len == 0 {
                continue;
            }
            *m = Some(if i == 0 {
                skb.map_head(net)?
            } else {
                skb.map_frag(net, i - 1)?
            });
            last_buf = i;
        }
        // Everything is mapped and fits: from here on nothing fails.
        let first = self.ring.next_to_use();
        if let Some(ctx) = offload.context() {
            let i = self.ring.produce().ok_or(EBUSY)?;
            write_desc(&self.descs, i, ctx)?;
        }
        let mut eop = first;
        let mut data_descs = 0usize;
        for (b, map) in maps.iter_mut().enumerate().take(bufs) {
            let Some(m) = map.take() else {
                continue;
            };
            let (dma, len) = (m.dma(), m.len());
            let mut off = 0u32;
            let mut owner = None;
            loop {
                let piece = (len - off).min(TX_MAX_PER_DESC);
                let last = b == last_buf && off + piece >= len;
                let i = self.ring.produce().ok_or(EBUSY)?;
                let addr = dma.wrapping_add(u64::from(off));
                // A piece is at most 32 KiB, so it fits the 16-bit length field.
                let d = if data_descs == 0 {
                    offload.data(addr, piece as u16, last)
                } else {
                    offload.data_next(addr, piece as u16, last)
                };
                write_desc(&self.descs, i, d)?;
                data_descs += 1;
                owner.get_or_insert(i);
                eop = i;
                off += piece;
                if off >= len {
                    break;
                }
            }
            if let Some(e) = owner.and_then(|i| self.entries.get_mut(i)) {
                e.map = Some(m);
            }
        }
        let bytes = skb.len();
        if let Some(e) = self.entries.get_mut(first) {
            e.frame = Some(TxFrame {
                skb,
                eop,
                descs: needed,
                bytes,
            });
        }
        Ok(())
    }
}

impl RxRing {
    /// Posts a buffer in every free descriptor.
    fn refill(&mut self) -> Result {
        while self.ring.unused() > 0 {
            let Some(page) = self.pool.alloc() else {
                return Err(ENOMEM);
            };
            let i = self.ring.next_to_use();
            write_desc(&self.descs, i, rx_read(page.frame_dma()))?;
            if let Some(slot) = self.pages.get_mut(i) {
                *slot = Some(page);
            }
            let _ = self.ring.produce();
        }
        Ok(())
    }
}
