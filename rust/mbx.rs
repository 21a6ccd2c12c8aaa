// SPDX-License-Identifier: GPL-2.0

//! The PF side of the PF/VF mailbox: serves the VFs' requests and resets, and sends them the
//! PF's own messages.
//!
//! A request flows: mailbox interrupt -> [`Mailboxes::serve`] -> the transport reads the words
//! (`hw/mbx.rs`) -> [`msg::Message`] decodes them -> [`Model::handle`] decides -> the hardware
//! is programmed from the model (`hw/filters.rs`) -> the transport writes the reply. Refusals
//! are counted and logged rate-limited per VF. The decisions (what to reply, when a
//! notification may be written, when to log) are in the pure modules `model`, `mbx/notify.rs`
//! and `mbx/throttle.rs`; this file owns the per-VF mailbox state and does the I/O.

pub(crate) mod budget;
pub(crate) mod msg;
pub(crate) mod notify;
pub(crate) mod throttle;

use crate::{
    hw::{
        Hw,
        Pool, //
    },
    model::{
        Model,
        Refusal,
        MAX_VFS, //
    },
};
use budget::{
    Budget,
    LockVerdict,
    LockWait,
    LOCK_RETRY_MS, //
};
use kernel::{
    device::Bound,
    pci,
    prelude::*,
    time::{
        Delta,
        Instant,
        Monotonic, //
    },
};
use notify::Notifier;
use throttle::{
    LogThrottle,
    Verdict, //
};

/// Rounds of request handling per call: a VF that keeps sending is served again on the next
/// interrupt, not in an endless loop here.
const ROUNDS: usize = 4;

/// The mailbox state of one VF.
#[derive(Clone, Copy, Default)]
pub(crate) struct VfMailbox {
    /// PF messages owed to the VF.
    notifier: Notifier,
    /// Log rate limiting.
    throttle: LogThrottle,
    /// Requests served per window.
    budget: Budget,
    /// How long the VF has kept the PF out of its buffer.
    lock_wait: LockWait,
    /// Requests served.
    requests: u64,
    /// Resets seen (FLR or VF software reset).
    resets: u64,
    /// Requests refused.
    refused: u64,
    /// Requests held back because the VF had spent its budget.
    throttled: u64,
    /// Times the PF found the VF's lock held when it had something to read or write.
    lock_busy: u64,
    /// Times the PF took the lock from the VF.
    lock_breaks: u64,
    /// Times anti-spoofing reported dropping the VF's frames.
    spoofed: u64,
}

/// Counters of one VF's mailbox, for debugfs.
#[derive(Clone, Copy, Default)]
pub(crate) struct MbxCounters {
    /// Requests served.
    pub(crate) requests: u64,
    /// Resets seen.
    pub(crate) resets: u64,
    /// Requests refused.
    pub(crate) refused: u64,
    /// Requests held back by the budget.
    pub(crate) throttled: u64,
    /// Lock found held.
    pub(crate) lock_busy: u64,
    /// Locks taken from the VF.
    pub(crate) lock_breaks: u64,
    /// Spoofed-frame reports.
    pub(crate) spoofed: u64,
}

impl VfMailbox {
    /// The VF's counters.
    pub(crate) fn counters(&self) -> MbxCounters {
        MbxCounters {
            requests: self.requests,
            resets: self.resets,
            refused: self.refused,
            throttled: self.throttled,
            lock_busy: self.lock_busy,
            lock_breaks: self.lock_breaks,
            spoofed: self.spoofed,
        }
    }

    /// The VF's notification state.
    pub(crate) fn notifier(&self) -> &Notifier {
        &self.notifier
    }

    /// Logs one line about the VF, rate-limited with its other lines.
    fn log(&mut self, now_ms: i64, line: impl FnOnce()) -> Option<u32> {
        match self.throttle.check(now_ms) {
            Verdict::Log { suppressed } => {
                line();
                Some(suppressed)
            }
            Verdict::Suppress => None,
        }
    }
}

/// The mailboxes of all VFs.
pub(crate) struct Mailboxes {
    vfs: [VfMailbox; MAX_VFS],
    /// Time origin of the budgets and log throttles.
    epoch: Instant<Monotonic>,
    /// VFs whose mailbox interrupt is masked because they spent their budget (bit n = VF n).
    masked: u8,
}

impl Mailboxes {
    /// Mailboxes with nothing pending.
    pub(crate) fn new() -> Self {
        Self {
            vfs: [VfMailbox::default(); MAX_VFS],
            epoch: Instant::now(),
            masked: 0,
        }
    }

    /// The mailbox state of VF `vf`.
    pub(crate) fn vf(&self, vf: usize) -> Option<&VfMailbox> {
        self.vfs.get(vf)
    }

    fn now_ms(&self) -> i64 {
        self.epoch.elapsed().as_millis()
    }

    /// Handles pending VF resets and requests, in at most [`ROUNDS`] rounds, and writes the
    /// notifications that can go out. Never waits for a VF: what cannot be done now (a VF
    /// holds its lock, or has spent its budget) is left pending, and the return value says
    /// when to call again.
    pub(crate) fn serve(
        &mut self,
        dev: &pci::Device<Bound>,
        hw: &Hw<'_>,
        model: &mut Model,
    ) -> Option<Delta> {
        let mut s = Service {
            dev,
            hw,
            model,
            now: self.now_ms(),
        };
        // VFs whose request cannot be served during this call.
        let mut held = 0u8;
        for _ in 0..ROUNDS {
            // Requests before resets: a VF resets before it sends RESET, so the reset of any
            // request read here has been raised by the time VFLRE is read, and is handled
            // first. Read the other way round, a reset raised between the two reads would be
            // handled after the RESET it preceded, undoing the VF's clear-to-send.
            let (requests, acks) = hw.take_requests();
            let resets = hw.take_resets();
            let requests = requests & !held;
            if resets == 0 && requests == 0 && acks == 0 {
                break;
            }
            for vf in 0..s.model.num_vfs() {
                let (Some(pool), Some(mbx)) = (Pool::new(vf), self.vfs.get_mut(vf)) else {
                    continue;
                };
                let bit = 1u8 << pool.index();
                if acks & bit != 0 {
                    mbx.notifier.acked();
                }
                if resets & bit != 0 {
                    s.reset(vf, mbx);
                }
                if requests & bit != 0 && !s.request(vf, pool, mbx) {
                    held |= bit;
                }
                s.flush(pool, mbx);
            }
        }
        self.follow_up(&mut s)
    }

    /// After the rounds of service: retries what a held lock kept waiting (taking the lock
    /// from a VF that kept a request waiting too long), masks the interrupts of VFs that spent
    /// their budget and unmasks the others, and says when to look again.
    fn follow_up(&mut self, s: &mut Service<'_, '_>) -> Option<Delta> {
        let now = s.now;
        // Acknowledge bits stay for the next call to handle. Resets are read after the
        // requests, and handled before them, as in the rounds.
        let pending = s.hw.requests_pending();
        let resets = s.hw.take_resets();
        let mut next: Option<i64> = None;
        let mut masked = 0u8;
        for vf in 0..s.model.num_vfs() {
            let (Some(pool), Some(mbx)) = (Pool::new(vf), self.vfs.get_mut(vf)) else {
                continue;
            };
            let bit = 1u8 << pool.index();
            if resets & bit != 0 {
                s.reset(vf, mbx);
            }
            let request = pending & bit != 0;
            let at = if request && !mbx.budget.available(now) {
                masked |= bit;
                Some(mbx.budget.refill_at())
            } else if request && s.request(vf, pool, mbx) {
                s.flush(pool, mbx);
                mbx.notifier.ready().then_some(now + LOCK_RETRY_MS)
            } else {
                if !request {
                    // A notification that waited for the lock: try it again now.
                    s.flush(pool, mbx);
                }
                if request || mbx.notifier.ready() {
                    s.lock_held(vf, pool, mbx, request)
                } else {
                    mbx.lock_wait.clear();
                    None
                }
            };
            next = match (next, at) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        if masked != self.masked {
            self.masked = masked;
            s.hw.set_mbx_interrupts(!masked);
        }
        next.map(|at| Delta::from_millis(at.saturating_sub(now).max(1)))
    }

    /// Sends VF `vf` an unsolicited message, or queues it until its buffer is free (see
    /// [`Notifier`]); then [`Mailboxes::waiting`] says so.
    pub(crate) fn notify(&mut self, hw: &Hw<'_>, vf: usize, word: u32) {
        let now = self.now_ms();
        let (Some(pool), Some(mbx)) = (Pool::new(vf), self.vfs.get_mut(vf)) else {
            return;
        };
        mbx.notifier.queue(word);
        flush(hw, pool, mbx, now);
    }

    /// Whether a notification waits for a VF's lock: [`Mailboxes::serve`] must run again
    /// after [`LOCK_RETRY_MS`].
    pub(crate) fn waiting(&self) -> Option<Delta> {
        self.vfs
            .iter()
            .any(|m| m.notifier.ready())
            .then(|| Delta::from_millis(LOCK_RETRY_MS))
    }

    /// Tells the running VFs that the PF's link changed; igbvf then re-checks its link.
    /// Pending requests are answered first. Returns when to call [`Mailboxes::serve`] again.
    pub(crate) fn notify_link_change(
        &mut self,
        dev: &pci::Device<Bound>,
        hw: &Hw<'_>,
        model: &mut Model,
    ) -> Option<Delta> {
        for vf in 0..model.num_vfs() {
            if let Some(word) = model.link_notice(vf) {
                if let Some(mbx) = self.vfs.get_mut(vf) {
                    mbx.notifier.queue(word);
                }
            }
        }
        self.serve(dev, hw, model)
    }

    /// Counts and logs (rate-limited) that anti-spoofing dropped frames of the VFs in `vfs`
    /// (bit n = VF n).
    pub(crate) fn spoofed(&mut self, dev: &pci::Device<Bound>, vfs: u8) {
        let now = self.now_ms();
        for (vf, mbx) in self.vfs.iter_mut().enumerate() {
            if vfs & (1 << vf) == 0 {
                continue;
            }
            mbx.spoofed += 1;
            if let Some(suppressed) = mbx.log(now, || {
                dev_warn!(
                    dev,
                    "VF {vf}: spoofed frames dropped (source MAC or VLAN not its own)\n"
                )
            }) {
                log_suppressed(dev, vf, suppressed);
            }
        }
    }

    /// Warns every VF that the PF is about to reset or go away, and stops their traffic. A VF
    /// that holds its lock loses it: the PF will not be there to retry.
    pub(crate) fn announce_pf_reset(&mut self, hw: &Hw<'_>, model: &mut Model) {
        model.pf_resetting();
        let now = self.now_ms();
        for vf in 0..model.num_vfs() {
            let (Some(pool), Some(mbx)) = (Pool::new(vf), self.vfs.get_mut(vf)) else {
                continue;
            };
            mbx.notifier.urgent(model.control_msg(vf));
            flush(hw, pool, mbx, now);
            if mbx.notifier.ready() && hw.mbx_break_lock(pool).is_ok() {
                hw.mbx_unlock(pool);
                flush(hw, pool, mbx, now);
            }
            hw.set_pool_enabled(pool, false);
        }
    }
}

/// What one call of [`Mailboxes::serve`] works with: the device, the time it started, and the
/// model its decisions come from.
struct Service<'s, 'b> {
    dev: &'s pci::Device<Bound>,
    hw: &'s Hw<'b>,
    model: &'s mut Model,
    /// Milliseconds on the mailboxes' clock.
    now: i64,
}

impl Service<'_, '_> {
    /// VF `vf` was reset by FLR or by its own driver: forget what it configured. The PF must
    /// do this whatever the budget, but it costs the VF budget.
    fn reset(&mut self, vf: usize, mbx: &mut VfMailbox) {
        let changes = self.model.vflr(vf);
        self.hw.program(self.model, vf, changes);
        mbx.resets += 1;
        mbx.notifier.reset();
        mbx.lock_wait.clear();
        mbx.budget.charge(self.now);
    }

    /// Reads, decides and answers one request of VF `vf`. False if it has to wait: the VF
    /// has spent its budget or holds its lock (which costs it no budget).
    fn request(&mut self, vf: usize, pool: Pool, mbx: &mut VfMailbox) -> bool {
        if !mbx.budget.available(self.now) {
            mbx.throttled += 1;
            return false;
        }
        let Ok(words) = self.hw.mbx_read(pool) else {
            return false;
        };
        mbx.budget.charge(self.now);
        mbx.lock_wait.clear();
        self.answer(vf, pool, mbx, &words);
        true
    }

    /// VF `vf`'s lock kept a request (`request`) or a notification waiting. Takes the lock
    /// from the VF and serves the request if the VF kept it waiting too long; otherwise
    /// returns when to look again.
    fn lock_held(
        &mut self,
        vf: usize,
        pool: Pool,
        mbx: &mut VfMailbox,
        request: bool,
    ) -> Option<i64> {
        let now = self.now;
        mbx.lock_busy += 1;
        if mbx.lock_wait.busy(now, request) == LockVerdict::Retry || !mbx.budget.take(now) {
            return Some(now + mbx.lock_wait.retry_in(now));
        }
        mbx.lock_breaks += 1;
        let dev = self.dev;
        if let Some(suppressed) = mbx.log(now, || {
            dev_warn!(
                dev,
                "VF {vf}: kept its mailbox locked with a request pending; lock taken from it\n"
            )
        }) {
            log_suppressed(dev, vf, suppressed);
        }
        if self.hw.mbx_break_lock(pool).is_err() {
            return Some(now + LOCK_RETRY_MS);
        }
        // The VF wrote its request before raising REQ. Taking the lock cleared REQ, so the
        // request is read here.
        let words = self.hw.mbx_read_locked(pool);
        self.answer(vf, pool, mbx, &words);
        self.flush(pool, mbx);
        mbx.notifier.ready().then_some(now + LOCK_RETRY_MS)
    }

    /// Decides and answers a request read from VF `vf`'s buffer, which the PF holds locked.
    fn answer(
        &mut self,
        vf: usize,
        pool: Pool,
        mbx: &mut VfMailbox,
        words: &[u32; msg::MBX_WORDS],
    ) {
        mbx.requests += 1;
        let message = msg::Message::from(words);
        if message.is_reset() {
            // What the PF had to say before the reset no longer applies.
            mbx.notifier.restarted();
        }
        let outcome = self.model.handle(vf, message);
        // Program the hardware before replying: a VF that sees the ACK may send at once.
        self.hw.program(self.model, vf, outcome.changes);
        self.hw.mbx_reply(pool, outcome.reply.words());
        mbx.notifier.replied();
        if let Some(refusal) = outcome.refusal {
            mbx.refused += 1;
            let dev = self.dev;
            if let Some(suppressed) = mbx.log(self.now, || log_refusal(dev, vf, refusal)) {
                log_suppressed(dev, vf, suppressed);
            }
        }
    }

    /// Writes VF `pool`'s queued notification if its buffer is free.
    fn flush(&self, pool: Pool, mbx: &mut VfMailbox) {
        flush(self.hw, pool, mbx, self.now);
    }
}

/// Writes VF `pool`'s queued notification if its buffer is free.
fn flush(hw: &Hw<'_>, pool: Pool, mbx: &mut VfMailbox, now: i64) {
    if !mbx.notifier.ready() {
        return;
    }
    if hw.mbx_try_lock(pool).is_err() {
        let _ = mbx.lock_wait.busy(now, false);
        return;
    }
    mbx.lock_wait.clear();
    match mbx.notifier.take(hw.request_pending(pool)) {
        Some(word) => {
            hw.mbx_post(pool, &[word]);
            hw.signal_vfs();
        }
        None => hw.mbx_unlock(pool),
    }
}

fn log_suppressed(dev: &pci::Device<Bound>, vf: usize, suppressed: u32) {
    if suppressed > 0 {
        dev_warn!(dev, "VF {vf}: {suppressed} similar messages suppressed\n");
    }
}

/// One log line about a refused request of VF `vf`.
fn log_refusal(dev: &pci::Device<Bound>, vf: usize, refusal: Refusal) {
    match refusal {
        Refusal::NotClearToSend => dev_warn!(dev, "VF {vf}: message before reset, refused\n"),
        Refusal::UnknownMessage(w) => {
            dev_warn!(dev, "VF {vf}: unknown message 0x{w:08x}, refused\n")
        }
        Refusal::InvalidMac(m) => dev_warn!(dev, "VF {vf}: invalid MAC {m:x}, refused\n"),
        Refusal::MacInUse(m) => dev_warn!(
            dev,
            "VF {vf}: MAC {m:x} is in use by another function, refused\n"
        ),
        Refusal::AdminMacDenied => dev_warn!(
            dev,
            "VF {vf}: MAC change refused: the administrator set its MAC and the VF is not trusted\n"
        ),
        Refusal::FilterDenied => dev_warn!(
            dev,
            "VF {vf}: MAC filter refused: the administrator set its MAC and the VF is not trusted\n"
        ),
        Refusal::FilterTableFull => {
            dev_warn!(
                dev,
                "VF {vf}: MAC filter refused: no free receive address entry\n"
            )
        }
        Refusal::VlanDenied => dev_warn!(
            dev,
            "VF {vf}: VLAN change refused: the administrator set a port VLAN\n"
        ),
        Refusal::VlanTableFull => {
            dev_warn!(dev, "VF {vf}: VLAN refused: all 32 VLAN filters in use\n")
        }
        Refusal::VlanReserved(v) => dev_warn!(
            dev,
            "VF {vf}: VLAN {v} refused: it is another VF's port VLAN\n"
        ),
        Refusal::FilterQuota(n) => dev_warn!(
            dev,
            "VF {vf}: MAC filter refused: the free entries are owed to other VFs (share {n})\n"
        ),
        Refusal::VlanQuota(n) => dev_warn!(
            dev,
            "VF {vf}: VLAN refused: the free VLAN filters are owed to other VFs or kept for the administrator (share {n})\n"
        ),
        Refusal::InvalidVlan(v) => dev_warn!(dev, "VF {vf}: invalid VLAN {v}, refused\n"),
        Refusal::FrameTooLarge(s) => {
            dev_warn!(dev, "VF {vf}: invalid max frame size {s}, refused\n")
        }
        Refusal::PromiscDenied(f) => {
            dev_warn!(dev, "VF {vf}: promiscuous mode 0x{f:x} refused\n")
        }
    }
}
