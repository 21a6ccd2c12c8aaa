// SPDX-License-Identifier: GPL-2.0

//! Unsolicited PF-to-VF messages (link changes, "reset yourself", the PF going away) share the
//! VF's one mailbox buffer with the replies. [`Notifier`] decides when one may be written.
//!
//! igbvf reads a reply some milliseconds after it is signalled (10 ms after RESET), and a
//! message written in between would replace the reply it waits for; a message written over a
//! request the PF has not read yet would destroy that request. So a notification waits until
//! the VF has acknowledged the last message and has no request outstanding, and a newer one
//! replaces one still waiting. Pure: the mailbox service reads the hardware bits and asks.

/// What the PF owes one VF outside of replies.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(crate) struct Notifier {
    /// The VF has not yet acknowledged the last message written to its buffer.
    awaiting_ack: bool,
    /// A message to send once the buffer is free.
    pending: Option<u32>,
}

impl Notifier {
    /// Whether the VF has yet to acknowledge the last message.
    pub(crate) fn awaiting_ack(&self) -> bool {
        self.awaiting_ack
    }

    /// The message waiting to be sent, if any.
    pub(crate) fn pending(&self) -> Option<u32> {
        self.pending
    }

    /// Queues `word`, replacing one that is still waiting.
    pub(crate) fn queue(&mut self, word: u32) {
        self.pending = Some(word);
    }

    /// Queues `word` to go out even if the VF has not acknowledged the last message: the PF is
    /// going away, and what the VF has not read yet no longer matters.
    pub(crate) fn urgent(&mut self, word: u32) {
        self.pending = Some(word);
        self.awaiting_ack = false;
    }

    /// The VF acknowledged the last message.
    pub(crate) fn acked(&mut self) {
        self.awaiting_ack = false;
    }

    /// A reply was written to the VF's buffer.
    pub(crate) fn replied(&mut self) {
        self.awaiting_ack = true;
    }

    /// The VF was reset: it reads nothing more of what was in its buffer.
    pub(crate) fn reset(&mut self) {
        *self = Self::default();
    }

    /// The VF sent RESET: a message still waiting was about the VF's life before it (a link
    /// change it will see in the reply, or "reset yourself", which it is doing), and sending
    /// it afterwards would make the VF reset again.
    pub(crate) fn restarted(&mut self) {
        self.pending = None;
    }

    /// Whether there is a message that may go out once the buffer is checked.
    pub(crate) fn ready(&self) -> bool {
        self.pending.is_some() && !self.awaiting_ack
    }

    /// The message to write now, with the buffer locked and `request_pending` read from the
    /// hardware; it then counts as written. `None` keeps it queued: the VF has not read the
    /// last message, or has a request outstanding whose reply comes first.
    pub(crate) fn take(&mut self, request_pending: bool) -> Option<u32> {
        if self.awaiting_ack || request_pending {
            return None;
        }
        let word = self.pending.take()?;
        self.awaiting_ack = true;
        Some(word)
    }
}

#[cfg(any(test, CONFIG_KUNIT))]
#[cfg_attr(CONFIG_KUNIT, kernel::prelude::kunit_tests(rigb_mbx_notify))]
mod tests {
    use super::*;

    const LINK: u32 = 0x2000_0100;
    const RESET_YOURSELF: u32 = 0x4000_0100;

    #[test]
    fn sends_at_once_when_the_buffer_is_free() {
        let mut n = Notifier::default();
        assert!(!n.ready());
        assert_eq!(n.take(false), None);
        n.queue(LINK);
        assert!(n.ready());
        assert_eq!(n.take(false), Some(LINK));
        assert!(n.awaiting_ack() && n.pending().is_none());
    }

    #[test]
    fn waits_for_the_ack_of_a_reply() {
        let mut n = Notifier::default();
        n.replied();
        n.queue(LINK);
        assert!(!n.ready());
        assert_eq!(n.take(false), None);
        assert_eq!(n.pending(), Some(LINK));
        n.acked();
        assert_eq!(n.take(false), Some(LINK));
    }

    #[test]
    fn never_overwrites_an_unread_request() {
        let mut n = Notifier::default();
        n.queue(LINK);
        assert_eq!(n.take(true), None);
        assert_eq!(n.pending(), Some(LINK));
        assert!(!n.awaiting_ack());
        assert_eq!(n.take(false), Some(LINK));
    }

    #[test]
    fn newer_message_replaces_a_waiting_one() {
        let mut n = Notifier::default();
        n.replied();
        n.queue(LINK);
        n.queue(RESET_YOURSELF);
        n.acked();
        assert_eq!(n.take(false), Some(RESET_YOURSELF));
        n.acked();
        assert_eq!(n.take(false), None);
    }

    #[test]
    fn pf_reset_notice_does_not_wait_for_an_ack() {
        let mut n = Notifier::default();
        n.replied();
        n.urgent(LINK);
        assert_eq!(n.take(false), Some(LINK));
        // It still never overwrites an unread request.
        n.urgent(LINK);
        assert_eq!(n.take(true), None);
    }

    #[test]
    fn reset_request_drops_a_waiting_reset_notice() {
        let mut n = Notifier::default();
        n.replied();
        n.queue(RESET_YOURSELF);
        n.restarted();
        n.replied();
        n.acked();
        assert_eq!(n.take(false), None);
        assert!(!n.ready());
    }

    #[test]
    fn reset_forgets_everything() {
        let mut n = Notifier::default();
        n.replied();
        n.queue(LINK);
        n.reset();
        assert_eq!(n, Notifier::default());
    }
}
