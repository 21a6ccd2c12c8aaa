// SPDX-License-Identifier: GPL-2.0

//! The PF side of the PF/VF mailbox: moves requests from the hardware to the protocol core
//! and applies its decisions.

pub(crate) mod proto;

use crate::pf::{
    PfCore,
    PfState, //
};
use kernel::prelude::*;
use proto::{
    Dirty, //
    Event,
    MacAddr,
};

/// Shows a MAC address as `aa:bb:cc:dd:ee:ff` in log messages.
pub(crate) struct Mac(pub(crate) MacAddr);

impl core::fmt::Display for Mac {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let [a, b, c, d, e, g] = self.0 .0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

// The kernel's print macros take their own `Display`.
impl kernel::fmt::Display for Mac {
    fn fmt(&self, f: &mut kernel::fmt::Formatter<'_>) -> kernel::fmt::Result {
        core::fmt::Display::fmt(self, f)
    }
}

/// Minimum interval between two log lines about one VF's misbehaviour (C igb: 2 s).
const LOG_INTERVAL_MS: i64 = 2000;

impl PfCore<'_> {
    /// Handles every pending VF reset and request. Bounded: a VF that keeps sending is served
    /// again on the next interrupt, not in an endless loop here.
    pub(crate) fn service_mailbox(&self, st: &mut PfState) {
        for _ in 0..4 {
            let resets = self.hw.take_resets();
            let (requests, acks) = self.hw.take_requests();
            if resets == 0 && requests == 0 && acks == 0 {
                break;
            }
            for vf in 0..st.model.num_vfs {
                let bit = 1 << vf;
                if acks & bit != 0 {
                    if let Some(e) = st.table.get_mut(vf) {
                        e.awaiting_ack = false;
                    }
                }
                if resets & bit != 0 {
                    self.vf_reset_event(st, vf);
                }
                if requests & bit != 0 {
                    self.vf_request(st, vf);
                }
                self.flush_notify(st, vf);
            }
        }
    }

    /// A VF was reset by FLR or by its own driver: forget what it configured.
    fn vf_reset_event(&self, st: &mut PfState, vf: usize) {
        let sync = st.model.vflr(vf);
        self.apply(st, vf, sync);
        if let Some(e) = st.table.get_mut(vf) {
            e.resets += 1;
            // A reset VF reads nothing more of what was in its buffer.
            e.awaiting_ack = false;
            e.pending_notify = None;
        }
    }

    fn vf_request(&self, st: &mut PfState, vf: usize) {
        let words = match self.hw.mbx_read(vf) {
            Ok(words) => words,
            Err(_) => {
                self.hw.mbx_unlock(vf);
                return;
            }
        };
        let outcome = st.model.handle(vf, &words);
        // Program the hardware before replying: a VF that sees the ACK may send at once.
        self.apply(st, vf, outcome.sync);
        let reply = outcome.reply.get(..outcome.reply_len).unwrap_or(&[]);
        if self.hw.mbx_write(vf, reply).is_err() {
            self.hw.mbx_unlock(vf);
        } else if let Some(e) = st.table.get_mut(vf) {
            e.awaiting_ack = true;
        }
        if let Some(event) = outcome.event {
            self.log_event(st, vf, event);
        }
    }

    /// Re-programs the hardware areas named in `sync` from the model.
    pub(crate) fn apply(&self, st: &PfState, vf: usize, sync: Dirty) {
        let model = &st.model;
        if sync.contains(Dirty::RAR) {
            self.hw.sync_rar(model);
        }
        if sync.contains(Dirty::VLVF) {
            self.hw.sync_vlan(model);
        }
        if sync.contains(Dirty::MTA) {
            self.hw.sync_mta(model);
        }
        if sync.contains(Dirty::VMOLR) {
            self.hw.sync_vmolr(model, vf);
        }
        if sync.contains(Dirty::VMVIR) {
            self.hw.sync_vmvir(model, vf);
        }
        if sync.contains(Dirty::SPOOFCHK) {
            let on = model.vfs.get(vf).is_some_and(|v| v.config.spoofchk);
            self.hw.set_spoofchk(vf, on);
        }
        if sync.contains(Dirty::RATE) {
            // VF n transmits on queues n and n + 8; C igb limits queue n, which igbvf uses.
            self.hw.set_queue_rate(vf, self.rate_register(st, vf));
        }
        if sync.contains(Dirty::DISABLE) {
            self.hw.set_pool_enabled(vf, false);
        }
        if sync.contains(Dirty::ENABLE) {
            self.hw.set_pool_enabled(vf, true);
        }
    }

    /// Logs a VF's refused request, at most once per [`LOG_INTERVAL_MS`] per VF; a guest can
    /// send requests as fast as it likes.
    fn log_event(&self, st: &mut PfState, vf: usize, event: Event) {
        let Some(entry) = st.table.get_mut(vf) else {
            return;
        };
        entry.refused += 1;
        if let Some(last) = entry.last_log {
            if last.elapsed().as_millis() < LOG_INTERVAL_MS {
                entry.suppressed += 1;
                return;
            }
        }
        entry.last_log = Some(kernel::time::Instant::now());
        let suppressed = core::mem::take(&mut entry.suppressed);
        let dev = self.pdev;
        match event {
            Event::NotClearToSend => {
                dev_warn!(dev, "VF {vf}: message before reset, refused\n")
            }
            Event::UnknownMessage(w) => {
                dev_warn!(dev, "VF {vf}: unknown message 0x{w:08x}, refused\n")
            }
            Event::InvalidMac(m) => {
                dev_warn!(dev, "VF {vf}: invalid MAC {}, refused\n", Mac(m))
            }
            Event::MacInUse(m) => dev_warn!(
                dev,
                "VF {vf}: MAC {} is in use by another function, refused\n",
                Mac(m)
            ),
            Event::AdminMacDenied => dev_warn!(
                dev,
                "VF {vf}: MAC change refused: the administrator set its MAC and the VF is not trusted\n"
            ),
            Event::FilterDenied => dev_warn!(
                dev,
                "VF {vf}: MAC filter refused: the administrator set its MAC and the VF is not trusted\n"
            ),
            Event::FilterTableFull => {
                dev_warn!(dev, "VF {vf}: MAC filter refused: no free receive address entry\n")
            }
            Event::VlanDenied => dev_warn!(
                dev,
                "VF {vf}: VLAN change refused: the administrator set a port VLAN\n"
            ),
            Event::VlanTableFull => {
                dev_warn!(dev, "VF {vf}: VLAN refused: all 32 VLAN filters in use\n")
            }
            Event::InvalidVlan(v) => dev_warn!(dev, "VF {vf}: invalid VLAN {v}, refused\n"),
            Event::FrameTooLarge(s) => {
                dev_warn!(dev, "VF {vf}: invalid max frame size {s}, refused\n")
            }
            Event::PromiscDenied(f) => {
                dev_warn!(dev, "VF {vf}: promiscuous mode 0x{f:x} refused\n")
            }
        }
        if suppressed > 0 {
            dev_warn!(dev, "VF {vf}: {suppressed} similar messages suppressed\n");
        }
    }

    /// Warns every VF that the PF is about to reset or go away, and stops their traffic.
    pub(crate) fn announce_pf_reset(&self, st: &mut PfState) {
        st.model.pf_resetting();
        for vf in 0..st.model.num_vfs {
            let _ = self.hw.mbx_notify(vf, st.model.control_msg(vf));
            self.hw.set_pool_enabled(vf, false);
        }
    }

    /// Sends VF `vf` an unsolicited message, or queues it until the VF has read the previous
    /// one: igbvf reads a reply some milliseconds after it is notified (10 ms after RESET), and a
    /// message written in between would replace the reply it is waiting for. A newer message
    /// replaces a queued one.
    pub(crate) fn notify_vf(&self, st: &mut PfState, vf: usize, word: u32) {
        if let Some(e) = st.table.get_mut(vf) {
            e.pending_notify = Some(word);
        }
        self.flush_notify(st, vf);
    }

    fn flush_notify(&self, st: &mut PfState, vf: usize) {
        let Some(e) = st.table.get_mut(vf) else {
            return;
        };
        if e.awaiting_ack {
            return;
        }
        if let Some(word) = e.pending_notify.take() {
            if self.hw.mbx_notify(vf, word).is_ok() {
                e.awaiting_ack = true;
                self.hw.signal_vfs();
            } else {
                // The VF has a request pending: its reply comes first, this after its ack.
                e.pending_notify = Some(word);
            }
        }
    }

    /// Tells the running VFs that the PF's state changed (link change); igbvf then re-checks
    /// its link. Pending requests are answered first, and VFs that have not completed a reset
    /// are left alone: they will ask when they are ready.
    pub(crate) fn notify_vfs(&self, st: &mut PfState) {
        self.service_mailbox(st);
        for vf in 0..st.model.num_vfs {
            if st.model.vfs.get(vf).is_some_and(|v| v.state.cts) {
                let word = st.model.control_msg(vf);
                self.notify_vf(st, vf, word);
            }
        }
    }
}
