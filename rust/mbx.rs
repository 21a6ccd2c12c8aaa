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
use kernel::{
    device::Bound,
    pci,
    prelude::*,
    time::{
        Instant,
        Monotonic, //
    },
};
use notify::Notifier;
use throttle::{
    LogThrottle,
    Verdict, //
};

/// Rounds of request handling per interrupt: a VF that keeps sending is served again on the
/// next interrupt, not in an endless loop here.
const ROUNDS: usize = 4;

/// The mailbox state of one VF.
#[derive(Clone, Copy, Default)]
pub(crate) struct VfMailbox {
    /// PF messages owed to the VF.
    notifier: Notifier,
    /// Log rate limiting.
    throttle: LogThrottle,
    /// Resets seen (FLR or VF software reset).
    resets: u64,
    /// Requests refused.
    refused: u64,
}

impl VfMailbox {
    /// Resets seen.
    pub(crate) fn resets(&self) -> u64 {
        self.resets
    }

    /// Requests refused.
    pub(crate) fn refused(&self) -> u64 {
        self.refused
    }

    /// The VF's notification state.
    pub(crate) fn notifier(&self) -> &Notifier {
        &self.notifier
    }
}

/// The mailboxes of all VFs.
pub(crate) struct Mailboxes {
    vfs: [VfMailbox; MAX_VFS],
    /// Time origin of the log throttles.
    epoch: Instant<Monotonic>,
}

impl Mailboxes {
    /// Mailboxes with nothing pending.
    pub(crate) fn new() -> Self {
        Self {
            vfs: [VfMailbox::default(); MAX_VFS],
            epoch: Instant::now(),
        }
    }

    /// The mailbox state of VF `vf`.
    pub(crate) fn vf(&self, vf: usize) -> Option<&VfMailbox> {
        self.vfs.get(vf)
    }

    /// Handles every pending VF reset and request, in at most [`ROUNDS`] rounds.
    pub(crate) fn serve(&mut self, dev: &pci::Device<Bound>, hw: &Hw<'_>, model: &mut Model) {
        for _ in 0..ROUNDS {
            let resets = hw.take_resets();
            let (requests, acks) = hw.take_requests();
            if resets == 0 && requests == 0 && acks == 0 {
                break;
            }
            for vf in 0..model.num_vfs() {
                let (Some(pool), Some(mbx)) = (Pool::new(vf), self.vfs.get_mut(vf)) else {
                    continue;
                };
                let bit = 1u8 << pool.index();
                if acks & bit != 0 {
                    mbx.notifier.acked();
                }
                if resets & bit != 0 {
                    // A VF was reset by FLR or by its own driver: forget what it configured.
                    let changes = model.vflr(vf);
                    hw.program(model, vf, changes);
                    mbx.resets += 1;
                    mbx.notifier.reset();
                }
                if requests & bit != 0 {
                    Self::request(dev, hw, model, vf, pool, mbx, self.epoch);
                }
                Self::flush(hw, pool, mbx);
            }
        }
    }

    /// Reads, decides and answers one request of VF `vf`.
    fn request(
        dev: &pci::Device<Bound>,
        hw: &Hw<'_>,
        model: &mut Model,
        vf: usize,
        pool: Pool,
        mbx: &mut VfMailbox,
        epoch: Instant<Monotonic>,
    ) {
        let words = match hw.mbx_read(pool) {
            Ok(words) => words,
            Err(_) => {
                hw.mbx_unlock(pool);
                return;
            }
        };
        let outcome = model.handle(vf, msg::Message::from(&words));
        // Program the hardware before replying: a VF that sees the ACK may send at once.
        hw.program(model, vf, outcome.changes);
        if hw.mbx_reply(pool, outcome.reply.words()).is_err() {
            hw.mbx_unlock(pool);
        } else {
            mbx.notifier.replied();
        }
        if let Some(refusal) = outcome.refusal {
            mbx.refused += 1;
            if let Verdict::Log { suppressed } = mbx.throttle.check(epoch.elapsed().as_millis()) {
                log_refusal(dev, vf, refusal);
                if suppressed > 0 {
                    dev_warn!(dev, "VF {vf}: {suppressed} similar messages suppressed\n");
                }
            }
        }
    }

    /// Writes VF `pool`'s queued notification if its buffer is free.
    fn flush(hw: &Hw<'_>, pool: Pool, mbx: &mut VfMailbox) {
        if !mbx.notifier.ready() || hw.mbx_lock(pool).is_err() {
            return;
        }
        match mbx.notifier.take(hw.request_pending(pool)) {
            Some(word) => {
                hw.mbx_post(pool, &[word]);
                hw.signal_vfs();
            }
            None => hw.mbx_unlock(pool),
        }
    }

    /// Sends VF `vf` an unsolicited message, or queues it until its buffer is free (see
    /// [`Notifier`]).
    pub(crate) fn notify(&mut self, hw: &Hw<'_>, vf: usize, word: u32) {
        let (Some(pool), Some(mbx)) = (Pool::new(vf), self.vfs.get_mut(vf)) else {
            return;
        };
        mbx.notifier.queue(word);
        Self::flush(hw, pool, mbx);
    }

    /// Tells the running VFs that the PF's link changed; igbvf then re-checks its link.
    /// Pending requests are answered first.
    pub(crate) fn notify_link_change(
        &mut self,
        dev: &pci::Device<Bound>,
        hw: &Hw<'_>,
        model: &mut Model,
    ) {
        self.serve(dev, hw, model);
        for vf in 0..model.num_vfs() {
            if let Some(word) = model.link_notice(vf) {
                self.notify(hw, vf, word);
            }
        }
    }

    /// Warns every VF that the PF is about to reset or go away, and stops their traffic.
    pub(crate) fn announce_pf_reset(&mut self, hw: &Hw<'_>, model: &mut Model) {
        model.pf_resetting();
        for vf in 0..model.num_vfs() {
            let (Some(pool), Some(mbx)) = (Pool::new(vf), self.vfs.get_mut(vf)) else {
                continue;
            };
            mbx.notifier.urgent(model.control_msg(vf));
            Self::flush(hw, pool, mbx);
            hw.set_pool_enabled(pool, false);
        }
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
        Refusal::InvalidVlan(v) => dev_warn!(dev, "VF {vf}: invalid VLAN {v}, refused\n"),
        Refusal::FrameTooLarge(s) => {
            dev_warn!(dev, "VF {vf}: invalid max frame size {s}, refused\n")
        }
        Refusal::PromiscDenied(f) => {
            dev_warn!(dev, "VF {vf}: promiscuous mode 0x{f:x} refused\n")
        }
    }
}
