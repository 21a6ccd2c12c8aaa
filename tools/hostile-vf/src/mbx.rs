// SPDX-License-Identifier: GPL-2.0

//! The VF side of the 82576 PF/VF mailbox, as igbvf's `mbx.c` drives it, with every step
//! separately available so that it can also be driven wrongly.

use crate::bar::Regs;
use std::{
    cell::Cell,
    time::{
        Duration,
        Instant, //
    },
};

/// VF registers (offsets in the VF's BAR0).
pub const VTCTRL: usize = 0x0000;
pub const VTSTATUS: usize = 0x0008;
pub const VMBMEM: usize = 0x0800;
pub const V2PMAILBOX: usize = 0x0C40;
/// VTCTRL.RST: the VF's software reset, which the PF sees as a VFLR event.
pub const CTRL_RST: u32 = 1 << 26;

/// V2PMAILBOX bits (`E1000_V2PMAILBOX_*`).
pub const REQ: u32 = 0x01;
pub const ACK: u32 = 0x02;
pub const VFU: u32 = 0x04;
pub const PFU: u32 = 0x08;
pub const PFSTS: u32 = 0x10;
pub const PFACK: u32 = 0x20;
pub const RSTI: u32 = 0x40;
pub const RSTD: u32 = 0x80;
/// Bits that clear when read; igbvf keeps them in a software copy.
const R2C_BITS: u32 = PFSTS | PFACK | RSTD;

/// Message words (`E1000_VF_*`, `E1000_VT_MSGTYPE_*`).
pub const MSG_RESET: u32 = 0x01;
pub const MSG_SET_MAC_ADDR: u32 = 0x02;
pub const MSG_SET_MULTICAST: u32 = 0x03;
pub const MSG_SET_VLAN: u32 = 0x04;
pub const MSG_SET_LPE: u32 = 0x05;
pub const MSG_SET_PROMISC: u32 = 0x06;
pub const MSG_PF_CONTROL: u32 = 0x0100;
pub const MSGTYPE_ACK: u32 = 0x8000_0000;
pub const MSGTYPE_NACK: u32 = 0x4000_0000;
pub const MSGTYPE_CTS: u32 = 0x2000_0000;
pub const INFO_SHIFT: u32 = 16;
pub const PROMISC_MULTICAST: u32 = 0x02;
pub const WORDS: usize = 16;

/// Why an exchange did not complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeout {
    /// The VF lock could not be taken.
    Lock,
    /// The PF did not acknowledge the message.
    Ack,
    /// The PF did not reply.
    Reply,
}

impl Timeout {
    pub fn stage(self) -> &'static str {
        match self {
            Self::Lock => "lock",
            Self::Ack => "ack",
            Self::Reply => "reply",
        }
    }
}

/// The VF's mailbox.
pub struct Mailbox<'a, R: Regs> {
    regs: &'a R,
    /// Read-to-clear bits seen and not yet consumed.
    cached: Cell<u32>,
}

impl<'a, R: Regs> Mailbox<'a, R> {
    pub fn new(regs: &'a R) -> Self {
        Self {
            regs,
            cached: Cell::new(0),
        }
    }

    /// V2PMAILBOX, with the read-to-clear bits seen before.
    pub fn status(&self) -> u32 {
        let v = self.regs.read(V2PMAILBOX) | self.cached.get();
        self.cached.set(v & R2C_BITS);
        v
    }

    /// Whether `bit` is set, consuming it.
    fn take_bit(&self, bit: u32) -> bool {
        let v = self.status();
        self.cached.set(self.cached.get() & !bit);
        v & bit != 0
    }

    /// One attempt at the VF lock.
    pub fn try_lock(&self) -> bool {
        self.regs.write(V2PMAILBOX, VFU);
        self.regs.read(V2PMAILBOX) & VFU != 0
    }

    /// Writes `words` into the buffer (lock or not).
    pub fn write_words(&self, words: &[u32]) {
        for (i, w) in words.iter().take(WORDS).enumerate() {
            self.regs.write(VMBMEM + 4 * i, *w);
        }
    }

    /// Raises REQ (which also releases VFU, as igbvf does).
    pub fn raise_req(&self) {
        self.regs.write(V2PMAILBOX, REQ);
    }

    /// Raw write of V2PMAILBOX.
    pub fn write_ctl(&self, v: u32) {
        self.regs.write(V2PMAILBOX, v);
    }

    /// Writes VTCTRL.RST.
    pub fn vf_reset(&self) {
        self.regs.write(VTCTRL, CTRL_RST);
        self.cached.set(0);
    }

    fn poll(&self, timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
        let t0 = Instant::now();
        loop {
            if done() {
                return true;
            }
            if t0.elapsed() >= timeout {
                return false;
            }
            std::hint::spin_loop();
        }
    }

    /// Posts `words` as igbvf does: lock, clear stale acks, copy, REQ.
    pub fn post(&self, words: &[u32], timeout: Duration) -> Result<(), Timeout> {
        if !self.poll(timeout, || self.try_lock()) {
            return Err(Timeout::Lock);
        }
        let _ = self.take_bit(PFSTS | PFACK);
        self.write_words(words);
        self.raise_req();
        Ok(())
    }

    /// Waits for the PF's acknowledge of the last message.
    pub fn wait_ack(&self, timeout: Duration) -> Result<(), Timeout> {
        if self.poll(timeout, || self.take_bit(PFACK)) {
            Ok(())
        } else {
            Err(Timeout::Ack)
        }
    }

    /// Waits for a PF message, reads it and acknowledges it.
    pub fn read_reply(&self, timeout: Duration) -> Result<[u32; WORDS], Timeout> {
        if !self.poll(timeout, || self.take_bit(PFSTS)) {
            return Err(Timeout::Reply);
        }
        if !self.poll(timeout, || self.try_lock()) {
            return Err(Timeout::Lock);
        }
        let mut w = [0u32; WORDS];
        for (i, slot) in w.iter_mut().enumerate() {
            *slot = self.regs.read(VMBMEM + 4 * i);
        }
        self.regs.write(V2PMAILBOX, ACK);
        Ok(w)
    }
}

/// Words of SET_MAC_ADDR (info 0) for `mac`: the 6 bytes copied over word 1 on little endian.
pub fn set_mac_words(info: u32, mac: [u8; 6]) -> [u32; 3] {
    [
        MSG_SET_MAC_ADDR | (info << INFO_SHIFT),
        u32::from_le_bytes([mac[0], mac[1], mac[2], mac[3]]),
        u32::from_le_bytes([mac[4], mac[5], 0, 0]),
    ]
}

/// Words of SET_VLAN.
pub fn set_vlan_words(vid: u32, add: bool) -> [u32; 2] {
    [MSG_SET_VLAN | (u32::from(add) << INFO_SHIFT), vid]
}

/// Words of SET_MULTICAST with `count` in the info field and `hashes` two per word.
pub fn set_mc_words(count: u32, hashes: &[u16]) -> Vec<u32> {
    let mut w = vec![MSG_SET_MULTICAST | ((count & 0xff) << INFO_SHIFT)];
    for pair in hashes.chunks(2).take(WORDS - 1) {
        let lo = u32::from(pair[0]);
        let hi = pair.get(1).map_or(0, |h| u32::from(*h));
        w.push(lo | (hi << 16));
    }
    w
}

/// What a reply's word 0 says.
pub fn verdict(w0: u32) -> &'static str {
    if w0 & MSGTYPE_NACK != 0 {
        "nack"
    } else if w0 & MSGTYPE_ACK != 0 {
        "ack"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// Registers in memory: V2PMAILBOX reads what was written, clearing R2C bits on read.
    struct Fake {
        mem: RefCell<Vec<u32>>,
    }

    impl Regs for Fake {
        fn read(&self, off: usize) -> u32 {
            let mut m = self.mem.borrow_mut();
            let v = m[off / 4];
            if off == V2PMAILBOX {
                m[off / 4] &= !R2C_BITS;
            }
            v
        }
        fn write(&self, off: usize, v: u32) {
            self.mem.borrow_mut()[off / 4] = v;
        }
    }

    #[test]
    fn mac_words_match_igbvf() {
        let w = set_mac_words(0, [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
        assert_eq!(w, [0x02, 0x1200_5452, 0x0000_5634]);
    }

    #[test]
    fn vlan_and_multicast_words() {
        assert_eq!(set_vlan_words(100, true), [0x0001_0004, 100]);
        assert_eq!(set_vlan_words(100, false), [0x0000_0004, 100]);
        assert_eq!(
            set_mc_words(3, &[1, 2, 3]),
            vec![0x0003_0003, 0x0002_0001, 3]
        );
        assert_eq!(set_mc_words(255, &[]), vec![0x00ff_0003]);
    }

    #[test]
    fn read_to_clear_bits_are_remembered_until_consumed() {
        let f = Fake {
            mem: RefCell::new(vec![0; 0x1000]),
        };
        let m = Mailbox::new(&f);
        f.write(V2PMAILBOX, PFACK | PFSTS);
        assert_eq!(m.status() & (PFACK | PFSTS), PFACK | PFSTS);
        // The hardware cleared them; the copy keeps them.
        assert!(m.take_bit(PFACK));
        assert!(!m.take_bit(PFACK));
        assert!(m.take_bit(PFSTS));
    }

    #[test]
    fn verdicts() {
        assert_eq!(verdict(MSGTYPE_ACK | MSGTYPE_CTS | 5), "ack");
        assert_eq!(verdict(MSGTYPE_NACK | 5), "nack");
        assert_eq!(verdict(5), "other");
    }
}
