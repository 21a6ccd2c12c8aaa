// SPDX-License-Identifier: GPL-2.0

//! Rate limiting of the log lines a VF's behaviour causes: a guest can send refused requests
//! as fast as it likes, the host's log must not fill with them. Pure: the caller passes the
//! time.

/// Minimum interval between two log lines about one VF (C igb: 2 s).
pub(crate) const LOG_INTERVAL_MS: i64 = 2000;

/// What to do with one more log line.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Verdict {
    /// Log it, then say how many similar lines were suppressed before it.
    Log {
        /// Lines suppressed since the last one logged.
        suppressed: u32,
    },
    /// Count it, do not log it.
    Suppress,
}

/// Log throttling of one VF.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(crate) struct LogThrottle {
    /// When the last line was logged (milliseconds on the caller's clock).
    last_ms: Option<i64>,
    /// Lines suppressed since then.
    suppressed: u32,
}

impl LogThrottle {
    /// Decides about a line at time `now_ms`.
    pub(crate) fn check(&mut self, now_ms: i64) -> Verdict {
        if let Some(last) = self.last_ms {
            if now_ms.saturating_sub(last) < LOG_INTERVAL_MS {
                self.suppressed = self.suppressed.saturating_add(1);
                return Verdict::Suppress;
            }
        }
        self.last_ms = Some(now_ms);
        Verdict::Log {
            suppressed: core::mem::take(&mut self.suppressed),
        }
    }
}

#[cfg(any(test, CONFIG_KUNIT))]
#[cfg_attr(CONFIG_KUNIT, kernel::prelude::kunit_tests(rigb_mbx_throttle))]
mod tests {
    use super::*;

    #[test]
    fn first_line_is_logged() {
        let mut t = LogThrottle::default();
        assert_eq!(t.check(0), Verdict::Log { suppressed: 0 });
    }

    #[test]
    fn one_line_per_interval_with_a_count_of_the_rest() {
        let mut t = LogThrottle::default();
        assert_eq!(t.check(1000), Verdict::Log { suppressed: 0 });
        for ms in 1001..1000 + LOG_INTERVAL_MS {
            assert_eq!(t.check(ms), Verdict::Suppress);
        }
        assert_eq!(
            t.check(1000 + LOG_INTERVAL_MS),
            Verdict::Log {
                suppressed: (LOG_INTERVAL_MS - 1) as u32
            }
        );
        assert_eq!(
            t.check(1000 + 3 * LOG_INTERVAL_MS),
            Verdict::Log { suppressed: 0 }
        );
    }

    #[test]
    fn a_flood_is_bounded() {
        let mut t = LogThrottle::default();
        let logged = (0..100_000i64)
            .filter(|&i| matches!(t.check(i / 10), Verdict::Log { .. }))
            .count();
        // 10 s of flood: one line per 2 s.
        assert_eq!(logged, 5);
    }

    #[test]
    fn clock_going_backwards_suppresses() {
        let mut t = LogThrottle::default();
        t.check(5000);
        assert_eq!(t.check(0), Verdict::Suppress);
    }
}
