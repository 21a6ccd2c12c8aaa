// SPDX-License-Identifier: GPL-2.0

//! Safe handles on the networking objects the PF datapath uses: its net_device (NAPI, the
//! transmit queue and its byte queue limits), transmitted sk_buffs and their DMA mappings,
//! and the page pool of receive buffers. They call the one-line C helpers of
//! `c/rigb_datapath.c` (the 7.3 kernel has no Rust networking abstractions). All `unsafe` of
//! the datapath is in this file.

use crate::{
    model::mac::MacAddr,
    ring::offload::{
        l4_from_csum_offset,
        TxLayout,
        L3, //
    },
};
use core::{
    ffi::c_void,
    mem::ManuallyDrop,
    ptr::NonNull, //
};
use kernel::{
    device::Core,
    dma::{
        Device as _,
        DmaMask, //
    },
    error::{
        from_err_ptr,
        to_result, //
    },
    ffi::{
        c_int,
        c_uint, //
    },
    pci,
    prelude::*,
};

extern "C" {
    fn rigb_napi_enable(dev: *mut c_void);
    fn rigb_napi_disable(dev: *mut c_void);
    fn rigb_napi_schedule_irqoff(dev: *mut c_void);
    fn rigb_napi_complete_done(dev: *mut c_void, work_done: c_int) -> bool;
    fn rigb_tx_start(dev: *mut c_void);
    fn rigb_tx_stop(dev: *mut c_void);
    fn rigb_tx_wake(dev: *mut c_void);
    fn rigb_tx_stopped(dev: *mut c_void) -> bool;
    fn rigb_tx_sent(dev: *mut c_void, bytes: c_uint);
    fn rigb_tx_completed(dev: *mut c_void, packets: c_uint, bytes: c_uint);
    fn rigb_tx_reset(dev: *mut c_void);
    fn rigb_rx_csum_enabled(dev: *mut c_void) -> bool;
    fn rigb_mc_next(dev: *mut c_void, pos: *mut *const c_void, mac: *mut u8) -> bool;
    fn rigb_skb_len(skb: *const c_void) -> c_uint;
    fn rigb_skb_headlen(skb: *const c_void) -> c_uint;
    fn rigb_skb_tx_layout(skb: *const c_void, layout: *mut CTxLayout);
    fn skb_checksum_help(skb: *mut c_void) -> c_int;
    fn rigb_skb_nr_frags(skb: *const c_void) -> c_uint;
    fn rigb_skb_frag_len(skb: *const c_void, i: c_uint) -> c_uint;
    fn rigb_skb_map(dev: *mut c_void, skb: *mut c_void, addr: *mut u64) -> c_int;
    fn rigb_skb_unmap(dev: *mut c_void, addr: u64, len: c_uint);
    fn rigb_skb_frag_map(dev: *mut c_void, skb: *mut c_void, i: c_uint, addr: *mut u64) -> c_int;
    fn rigb_page_unmap(dev: *mut c_void, addr: u64, len: c_uint);
    fn rigb_skb_linearize(skb: *mut c_void) -> c_int;
    fn rigb_skb_tso_prepare(skb: *mut c_void) -> c_int;
    fn rigb_skb_free(skb: *mut c_void);
    fn rigb_skb_consume(skb: *mut c_void);
    fn rigb_page_pool_create(
        dev: *mut c_void,
        size: c_uint,
        offset: c_uint,
        max_len: c_uint,
    ) -> *mut c_void;
    fn rigb_page_pool_destroy(pool: *mut c_void);
    fn rigb_page_pool_alloc(pool: *mut c_void, addr: *mut u64) -> *mut c_void;
    fn rigb_page_pool_put(pool: *mut c_void, page: *mut c_void);
    fn rigb_page_pool_sync_for_cpu(pool: *mut c_void, page: *mut c_void, len: c_uint);
    fn rigb_rx_deliver(
        dev: *mut c_void,
        page: *mut c_void,
        offset: c_uint,
        len: c_uint,
        csum_verified: bool,
    ) -> c_int;
    fn rtnl_lock();
    fn rtnl_unlock();
}

/// The PF's net_device, as the datapath uses it. Not an owner: [`crate::netdev::NetDev`]
/// registers and frees the device.
///
/// # Invariants
///
/// Points at a registered `struct net_device` set up by `rigb_netdev_create()` (so with rigb's
/// NAPI context), which stays registered while the datapath holds this handle: it is taken in
/// `ndo_open`, and dropped in `ndo_stop` or before the device is unregistered.
#[derive(Clone, Copy)]
pub(crate) struct NetRef(NonNull<c_void>);

// SAFETY: The functions called through a `NetRef` may be called from any CPU; each documents
// its context (NAPI, the queue lock) where it needs one.
unsafe impl Send for NetRef {}

// SAFETY: As above: every method is safe to call concurrently.
unsafe impl Sync for NetRef {}

impl NetRef {
    /// # Safety
    ///
    /// `dev` must be a net_device created by `rigb_netdev_create()` that stays registered
    /// while the returned handle (or a copy) is used.
    pub(crate) unsafe fn new(dev: NonNull<c_void>) -> Self {
        // INVARIANT: by the caller's guarantee.
        Self(dev)
    }

    fn raw(self) -> *mut c_void {
        self.0.as_ptr()
    }

    /// Enables NAPI polling (`ndo_open`).
    pub(crate) fn napi_enable(self) {
        // SAFETY: `self` is a registered rigb net_device (type invariant).
        unsafe { rigb_napi_enable(self.raw()) }
    }

    /// Disables NAPI polling, waiting for a poll in progress to end (`ndo_stop`).
    pub(crate) fn napi_disable(self) {
        // SAFETY: As above.
        unsafe { rigb_napi_disable(self.raw()) }
    }

    /// Schedules the NAPI poll, from the queue vector's interrupt handler.
    pub(crate) fn napi_schedule_irqoff(self) {
        // SAFETY: As above; called in hard-interrupt context, as `napi_schedule_irqoff` needs.
        unsafe { rigb_napi_schedule_irqoff(self.raw()) }
    }

    /// Ends a NAPI poll that did `work` of its budget; false if the poll must go on.
    pub(crate) fn napi_complete_done(self, work: usize) -> bool {
        // SAFETY: As above; called from the NAPI poll.
        unsafe { rigb_napi_complete_done(self.raw(), work.min(i32::MAX as usize) as c_int) }
    }

    /// Lets the stack transmit.
    pub(crate) fn tx_start(self) {
        // SAFETY: As above.
        unsafe { rigb_tx_start(self.raw()) }
    }

    /// Stops the stack from transmitting until [`NetRef::tx_wake`].
    pub(crate) fn tx_stop(self) {
        // SAFETY: As above.
        unsafe { rigb_tx_stop(self.raw()) }
    }

    /// Lets the stack transmit again after [`NetRef::tx_stop`].
    pub(crate) fn tx_wake(self) {
        // SAFETY: As above.
        unsafe { rigb_tx_wake(self.raw()) }
    }

    /// Whether transmission is stopped.
    pub(crate) fn tx_stopped(self) -> bool {
        // SAFETY: As above.
        unsafe { rigb_tx_stopped(self.raw()) }
    }

    /// Byte queue limits: `bytes` were handed to the device.
    pub(crate) fn tx_sent(self, bytes: u32) {
        // SAFETY: As above; called under the transmit path's serialisation.
        unsafe { rigb_tx_sent(self.raw(), bytes) }
    }

    /// Byte queue limits: the device is done with `packets` frames of `bytes`.
    pub(crate) fn tx_completed(self, packets: u32, bytes: u32) {
        // SAFETY: As above.
        unsafe { rigb_tx_completed(self.raw(), packets, bytes) }
    }

    /// Byte queue limits: nothing is in flight any more.
    pub(crate) fn tx_reset(self) {
        // SAFETY: As above.
        unsafe { rigb_tx_reset(self.raw()) }
    }

    /// Whether the administrator lets the device's checksum verdict stand (`ethtool -K rx`).
    pub(crate) fn rx_csum_enabled(self) -> bool {
        // SAFETY: As above; reads the feature flags.
        unsafe { rigb_rx_csum_enabled(self.raw()) }
    }

    /// Calls `f` with each multicast group of the interface.
    ///
    /// # Safety
    ///
    /// The interface's address lock must be held (as in `ndo_set_rx_mode`), so that the list
    /// does not change while it is walked.
    pub(crate) unsafe fn for_each_multicast(self, mut f: impl FnMut(MacAddr)) {
        let mut pos: *const c_void = core::ptr::null();
        let mut mac = [0u8; 6];
        // SAFETY: `self` is registered and the list is stable (the function's requirements);
        // `pos` is null or the entry the previous call returned; `mac` has room for an
        // address.
        while unsafe { rigb_mc_next(self.raw(), &mut pos, mac.as_mut_ptr()) } {
            f(MacAddr(mac));
        }
    }

    /// Hands `len` bytes of `page` to the stack through GRO. The page then belongs to the
    /// stack; if no skb could be built it is returned.
    pub(crate) fn deliver(self, page: RxPage, len: u32, csum_verified: bool) -> Result<(), RxPage> {
        let page = ManuallyDrop::new(page);
        // SAFETY: `self` is registered and this runs in its NAPI poll; `page` is a page of
        // `page.pool`, synced for the CPU, with `len` bytes written at `page.offset`.
        let r = unsafe {
            rigb_rx_deliver(
                self.raw(),
                page.page.as_ptr(),
                page.offset,
                len,
                csum_verified,
            )
        };
        if r == 0 {
            Ok(())
        } else {
            Err(ManuallyDrop::into_inner(page))
        }
    }
}

/// Lets the device address all of memory, for its rings and buffers. Called in probe, before
/// any DMA allocation or mapping.
pub(crate) fn set_dma_mask_64(pdev: &pci::Device<Core<'_>>) -> Result {
    // SAFETY: Probe calls this before it allocates or maps anything for DMA, and nothing else
    // does so for the device while probe runs.
    unsafe { pdev.dma_set_mask_and_coherent(DmaMask::new::<64>()) }
}

/// Runs `f` with the RTNL held: it serialises the datapath's reconfiguration from
/// `sriov_configure` with `ndo_open`/`ndo_stop`.
pub(crate) fn with_rtnl<R>(f: impl FnOnce() -> R) -> R {
    // SAFETY: Called in process context, never with the RTNL held (the PCI core's
    // `sriov_numvfs` store and driver unbind do not hold it).
    unsafe { rtnl_lock() };
    let r = f();
    // SAFETY: Taken above.
    unsafe { rtnl_unlock() };
    r
}

/// `struct rigb_tx_layout` of the C glue.
#[repr(C)]
#[derive(Default)]
struct CTxLayout {
    len: u32,
    protocol: u16,
    network_offset: u16,
    transport_offset: u16,
    csum_offset: u16,
    gso_size: u16,
    tcp_hdr_len: u16,
    gso_type: u32,
    vlan_tci: u16,
    csum_partial: u8,
    csum_is_sctp: u8,
    vlan_present: u8,
}

/// An sk_buff the stack handed to `ndo_start_xmit`; freed as dropped unless transmitted.
///
/// # Invariants
///
/// Owns a valid `struct sk_buff`.
pub(crate) struct Skb(NonNull<c_void>);

// SAFETY: An sk_buff may be freed or handed on from any CPU.
unsafe impl Send for Skb {}

impl Skb {
    /// # Safety
    ///
    /// `skb` must be an sk_buff the caller owns and gives up.
    pub(crate) unsafe fn from_raw(skb: NonNull<c_void>) -> Self {
        Self(skb)
    }

    /// Gives the sk_buff back to the stack (`NETDEV_TX_BUSY`).
    pub(crate) fn into_raw(self) -> NonNull<c_void> {
        ManuallyDrop::new(self).0
    }

    /// Length of the frame.
    pub(crate) fn len(&self) -> u32 {
        // SAFETY: `self.0` is a valid sk_buff (type invariant).
        unsafe { rigb_skb_len(self.0.as_ptr()) }
    }

    /// Length of the linear part.
    pub(crate) fn headlen(&self) -> u32 {
        // SAFETY: As above.
        unsafe { rigb_skb_headlen(self.0.as_ptr()) }
    }

    /// What the offloads need to know of the frame.
    pub(crate) fn tx_layout(&self) -> TxLayout {
        let mut l = CTxLayout::default();
        // SAFETY: `self.0` is a valid sk_buff (type invariant); `l` is a valid out pointer.
        unsafe { rigb_skb_tx_layout(self.0.as_ptr(), &mut l) };
        let csum_partial = l.csum_partial != 0;
        TxLayout {
            len: l.len,
            csum_partial,
            l3: L3::from_ethertype(l.protocol),
            l4_proto: l4_from_csum_offset(l.csum_offset, l.csum_is_sctp != 0),
            mac_len: l.network_offset,
            ip_len: l.transport_offset.wrapping_sub(l.network_offset),
            l4_len: l.tcp_hdr_len,
            gso_size: l.gso_size,
            gso_tcp: l.tcp_hdr_len != 0,
            vlan: (l.vlan_present != 0).then_some(l.vlan_tci),
        }
    }

    /// Computes the checksum the stack left to the device, in software.
    pub(crate) fn checksum_help(&mut self) -> Result {
        // SAFETY: `self.0` is a valid sk_buff that this driver owns (type invariant).
        to_result(unsafe { skb_checksum_help(self.0.as_ptr()) })
    }

    /// Number of page fragments after the linear part.
    pub(crate) fn frags(&self) -> usize {
        // SAFETY: `self.0` is a valid sk_buff (type invariant).
        unsafe { rigb_skb_nr_frags(self.0.as_ptr()) as usize }
    }

    /// Length of fragment `i`, 0 if there is no such fragment.
    pub(crate) fn frag_len(&self, i: usize) -> u32 {
        if i >= self.frags() {
            return 0;
        }
        // SAFETY: `self.0` is valid and `i` is below its fragment count.
        unsafe { rigb_skb_frag_len(self.0.as_ptr(), i as c_uint) }
    }

    /// Maps the linear part for the device of `net` to read.
    pub(crate) fn map_head(&self, net: NetRef) -> Result<DmaMap> {
        let mut dma = 0u64;
        // SAFETY: `self.0` is valid and `net` registered; `dma` is a valid out pointer.
        to_result(unsafe { rigb_skb_map(net.raw(), self.0.as_ptr(), &mut dma) })?;
        // INVARIANT: mapped above.
        Ok(DmaMap {
            net,
            dma,
            len: self.headlen(),
            page: false,
        })
    }

    /// Maps fragment `i` for the device of `net` to read.
    pub(crate) fn map_frag(&self, net: NetRef, i: usize) -> Result<DmaMap> {
        if i >= self.frags() {
            return Err(EINVAL);
        }
        let mut dma = 0u64;
        // SAFETY: `self.0` is valid, `i` below its fragment count, `net` registered; `dma` is
        // a valid out pointer.
        to_result(unsafe { rigb_skb_frag_map(net.raw(), self.0.as_ptr(), i as c_uint, &mut dma) })?;
        // INVARIANT: mapped above.
        Ok(DmaMap {
            net,
            dma,
            len: self.frag_len(i),
            page: true,
        })
    }

    /// Copies the fragments into the linear part.
    pub(crate) fn linearize(&mut self) -> Result {
        // SAFETY: `self.0` is a valid sk_buff this driver owns.
        to_result(unsafe { rigb_skb_linearize(self.0.as_ptr()) })
    }

    /// Rewrites the headers of a TCP GSO frame for segmentation by the device.
    pub(crate) fn tso_prepare(&mut self) -> Result {
        // SAFETY: `self.0` is a valid sk_buff this driver owns; the caller planned TSO from its
        // layout, so it is a TCP GSO frame.
        to_result(unsafe { rigb_skb_tso_prepare(self.0.as_ptr()) })
    }

    /// The device sent the frame: frees it as consumed. Its mappings must be gone.
    pub(crate) fn consume(self) {
        let skb = self.into_raw();
        // SAFETY: The sk_buff is owned and given up here.
        unsafe { rigb_skb_consume(skb.as_ptr()) }
    }
}

impl Drop for Skb {
    fn drop(&mut self) {
        // SAFETY: Owned (type invariant), not used after this.
        unsafe { rigb_skb_free(self.0.as_ptr()) }
    }
}

/// A buffer of an outgoing frame (its linear part or one fragment) mapped for the device to
/// read; unmapped on drop, which must happen before the frame is freed.
///
/// # Invariants
///
/// `len` bytes are mapped at `dma` for the device of `net`, with `dma_map_single` (`page`
/// false) or `skb_frag_dma_map` (`page` true).
pub(crate) struct DmaMap {
    net: NetRef,
    dma: u64,
    len: u32,
    page: bool,
}

impl DmaMap {
    /// Bus address of the data.
    pub(crate) fn dma(&self) -> u64 {
        self.dma
    }

    /// Length mapped.
    pub(crate) fn len(&self) -> u32 {
        self.len
    }
}

impl Drop for DmaMap {
    fn drop(&mut self) {
        // SAFETY: Mapped as the type invariant says; unmapped once, here.
        unsafe {
            if self.page {
                rigb_page_unmap(self.net.raw(), self.dma, self.len)
            } else {
                rigb_skb_unmap(self.net.raw(), self.dma, self.len)
            }
        }
    }
}

/// A page pool of receive buffers, mapped for the device; destroyed on drop (pages still in
/// the stack return to it later, as the page pool allows).
///
/// # Invariants
///
/// `pool` was returned by `page_pool_create()` and is destroyed only by `drop`.
pub(crate) struct PagePool {
    pool: NonNull<c_void>,
    offset: u32,
}

// SAFETY: A page pool may be used from any CPU; allocation happens in the NAPI poll or with
// NAPI disabled, as the page pool requires.
unsafe impl Send for PagePool {}

impl PagePool {
    /// A pool of `size` pages for `net`, whose frames start `offset` bytes into a page and
    /// have at most `max_len` bytes.
    pub(crate) fn new(net: NetRef, size: usize, offset: u32, max_len: u32) -> Result<Self> {
        // SAFETY: `net` is registered (type invariant of `NetRef`).
        let pool = from_err_ptr(unsafe {
            rigb_page_pool_create(net.raw(), size as c_uint, offset, max_len)
        })?;
        Ok(Self {
            pool: NonNull::new(pool).ok_or(ENOMEM)?,
            offset,
        })
    }

    /// A page mapped for the device, or `None` when memory is short.
    pub(crate) fn alloc(&self) -> Option<RxPage> {
        let mut dma = 0u64;
        // SAFETY: `self.pool` is a live pool (type invariant); `dma` is a valid out pointer.
        let page = NonNull::new(unsafe { rigb_page_pool_alloc(self.pool.as_ptr(), &mut dma) })?;
        // INVARIANT: a page of `self.pool`, owned by the caller.
        Some(RxPage {
            pool: self.pool,
            page,
            dma,
            offset: self.offset,
        })
    }
}

impl Drop for PagePool {
    fn drop(&mut self) {
        // SAFETY: Destroyed once (type invariant); pages still out keep the pool's memory
        // until they come back.
        unsafe { rigb_page_pool_destroy(self.pool.as_ptr()) }
    }
}

/// A receive buffer: one page-pool page; returned to its pool on drop.
///
/// # Invariants
///
/// `page` is a page of `pool`, owned by this object, mapped for the device at `dma`.
pub(crate) struct RxPage {
    pool: NonNull<c_void>,
    page: NonNull<c_void>,
    dma: u64,
    offset: u32,
}

// SAFETY: Pages may move between CPUs; returning one to its pool is safe from any context.
unsafe impl Send for RxPage {}

impl RxPage {
    /// Bus address where the device writes the frame.
    pub(crate) fn frame_dma(&self) -> u64 {
        self.dma.wrapping_add(u64::from(self.offset))
    }

    /// Makes the `len` bytes the device wrote visible to the CPU.
    pub(crate) fn sync_for_cpu(&self, len: u32) {
        // SAFETY: `self.page` belongs to `self.pool`, which maps it (type invariant).
        unsafe { rigb_page_pool_sync_for_cpu(self.pool.as_ptr(), self.page.as_ptr(), len) }
    }
}

impl Drop for RxPage {
    fn drop(&mut self) {
        // SAFETY: Owned (type invariant); returned once.
        unsafe { rigb_page_pool_put(self.pool.as_ptr(), self.page.as_ptr()) }
    }
}
