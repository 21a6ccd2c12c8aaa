// SPDX-License-Identifier: GPL-2.0

//! How much of the PF's time one VF may take: a request budget per window, and how long the
//! VF may keep its mailbox locked while the PF has something to read or write there. Pure:
//! the mailbox service passes the time and does what these decide.
//!
//! A VF that spends its budget is not refused anything: its requests wait, with its mailbox
//! interrupt masked, until the window ends. igbvf sends about ten requests when it starts and
//! one per configuration change, far below the budget, and waits up to 1 s for each answer,
//! far longer than a window.

/// Requests and resets one VF may have served per window.
pub(crate) const REQUESTS_PER_WINDOW: u32 = 64;
/// Length of a budget window.
pub(crate) const WINDOW_MS: i64 = 100;
/// How soon the PF looks again at a mailbox whose lock the VF holds. The interval grows with
/// the time the lock has been held, up to [`LOCK_RETRY_MAX_MS`], so that a VF that keeps its
/// lock costs a few checks per second, not hundreds.
pub(crate) const LOCK_RETRY_MS: i64 = 2;
/// Longest interval between two looks at a held lock.
pub(crate) const LOCK_RETRY_MAX_MS: i64 = 50;
/// How long a VF may hold its lock while a request of its own waits for the PF. igbvf holds
/// it only to copy 16 words (and writing REQ releases it), so only a VF that ignores the
/// protocol, or whose vCPU stalls for this long mid-copy, reaches the limit; the PF then takes
/// the lock from it (RVFU) and serves the request.
pub(crate) const LOCK_HOLD_LIMIT_MS: i64 = 250;

/// The request budget of one VF.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(crate) struct Budget {
    /// Start of the current window (milliseconds on the caller's clock).
    window_start: i64,
    /// Requests served in the current window.
    used: u32,
}

impl Budget {
    /// Counts one request at `now_ms`; false if the VF has spent its budget and the request
    /// must wait for [`Budget::refill_at`].
    pub(crate) fn take(&mut self, now_ms: i64) -> bool {
        if now_ms.saturating_sub(self.window_start) >= WINDOW_MS || now_ms < self.window_start {
            self.window_start = now_ms;
            self.used = 0;
        }
        if self.used >= REQUESTS_PER_WINDOW {
            return false;
        }
        self.used += 1;
        true
    }

    /// Whether a request may be served at `now_ms`, without counting it.
    pub(crate) fn available(&self, now_ms: i64) -> bool {
        let mut b = *self;
        b.take(now_ms)
    }

    /// Counts work the PF must do whatever the budget (a VF reset), so that it still costs
    /// the VF budget.
    pub(crate) fn charge(&mut self, now_ms: i64) {
        if !self.take(now_ms) {
            self.used = REQUESTS_PER_WINDOW;
        }
    }

    /// When a VF whose budget is spent may be served again.
    pub(crate) fn refill_at(&self) -> i64 {
        self.window_start.saturating_add(WINDOW_MS)
    }
}

/// What to do about a VF's mailbox lock that was found held.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum LockVerdict {
    /// Look again after [`LOCK_RETRY_MS`].
    Retry,
    /// The VF kept a request of its own waiting too long: take the lock from it.
    Break,
}

/// How long a VF has kept the PF out of its mailbox.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(crate) struct LockWait {
    /// When the PF first found the lock held with work waiting.
    since_ms: Option<i64>,
}

impl LockWait {
    /// The PF found the lock held at `now_ms`; `request` says whether a request of the VF is
    /// waiting (a PF notification alone never breaks the lock: it can wait).
    pub(crate) fn busy(&mut self, now_ms: i64, request: bool) -> LockVerdict {
        let since = *self.since_ms.get_or_insert(now_ms);
        if request && now_ms.saturating_sub(since) >= LOCK_HOLD_LIMIT_MS {
            self.since_ms = None;
            LockVerdict::Break
        } else {
            LockVerdict::Retry
        }
    }

    /// How long to wait before looking at the lock again: a quarter of the time it has been
    /// held, between [`LOCK_RETRY_MS`] and [`LOCK_RETRY_MAX_MS`].
    pub(crate) fn retry_in(&self, now_ms: i64) -> i64 {
        let held = self
            .since_ms
            .map_or(0, |since| now_ms.saturating_sub(since));
        (held / 4).clamp(LOCK_RETRY_MS, LOCK_RETRY_MAX_MS)
    }

    /// The PF got the lock, or has nothing left to do.
    pub(crate) fn clear(&mut self) {
        self.since_ms = None;
    }

    /// Whether the PF is waiting for this VF's lock.
    pub(crate) fn waiting(&self) -> bool {
        self.since_ms.is_some()
    }
}

#[cfg(any(test, CONFIG_KUNIT))]
#[cfg_attr(CONFIG_KUNIT, kernel::prelude::kunit_tests(rigb_mbx_budget))]
mod tests {
    use super::*;

    #[test]
    fn budget_allows_a_window_worth_then_waits_for_the_next() {
        let mut b = Budget::default();
        // The first request after a quiet spell starts a window.
        assert!(b.take(1000));
        for _ in 1..REQUESTS_PER_WINDOW {
            assert!(b.take(1010));
        }
        assert!(!b.take(1010));
        assert!(!b.available(1000 + WINDOW_MS - 1));
        assert!(!b.take(1000 + WINDOW_MS - 1));
        assert_eq!(b.refill_at(), 1000 + WINDOW_MS);
        assert!(b.available(1000 + WINDOW_MS));
        assert!(b.take(1000 + WINDOW_MS));
    }

    #[test]
    fn a_flood_gets_one_budget_per_window() {
        let mut b = Budget::default();
        // 100,000 requests as fast as possible over one second.
        let mut served = 0u32;
        for i in 0..100_000i64 {
            if b.take(i / 100) {
                served += 1;
            }
        }
        assert_eq!(served, REQUESTS_PER_WINDOW * (1000 / WINDOW_MS as u32));
    }

    #[test]
    fn resets_are_charged_even_without_budget() {
        let mut b = Budget::default();
        for _ in 0..REQUESTS_PER_WINDOW + 5 {
            b.charge(0);
        }
        assert!(!b.take(0));
        assert!(b.take(WINDOW_MS));
    }

    #[test]
    fn a_clock_going_backwards_starts_a_new_window() {
        let mut b = Budget::default();
        for _ in 0..REQUESTS_PER_WINDOW {
            assert!(b.take(1000));
        }
        assert!(b.take(5));
    }

    #[test]
    fn lock_is_broken_only_for_a_waiting_request_after_the_limit() {
        let mut w = LockWait::default();
        assert!(!w.waiting());
        assert_eq!(w.busy(100, true), LockVerdict::Retry);
        assert!(w.waiting());
        assert_eq!(
            w.busy(100 + LOCK_HOLD_LIMIT_MS - 1, true),
            LockVerdict::Retry
        );
        // A notification alone waits as long as it takes.
        assert_eq!(
            w.busy(100 + 10 * LOCK_HOLD_LIMIT_MS, false),
            LockVerdict::Retry
        );
        assert_eq!(
            w.busy(100 + 10 * LOCK_HOLD_LIMIT_MS, true),
            LockVerdict::Break
        );
        assert!(!w.waiting());
    }

    #[test]
    fn a_lock_held_longer_is_looked_at_less_often() {
        let mut w = LockWait::default();
        assert_eq!(w.retry_in(0), LOCK_RETRY_MS);
        let _ = w.busy(1000, false);
        assert_eq!(w.retry_in(1000), LOCK_RETRY_MS);
        assert_eq!(w.retry_in(1040), 10);
        assert_eq!(w.retry_in(1000 + 10_000), LOCK_RETRY_MAX_MS);
        // The break still comes within one interval of the limit.
        assert!(LOCK_RETRY_MAX_MS < LOCK_HOLD_LIMIT_MS);
    }

    #[test]
    fn getting_the_lock_restarts_the_clock() {
        let mut w = LockWait::default();
        assert_eq!(w.busy(0, true), LockVerdict::Retry);
        w.clear();
        assert_eq!(w.busy(LOCK_HOLD_LIMIT_MS, true), LockVerdict::Retry);
    }
}
