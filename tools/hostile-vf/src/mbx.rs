// SPDX-License-Identifier: GPL-2.0

//! The VF side of the 82576 PF/VF mailbox, as Linux igbvf's `mbx.c` drives it, with every
//! step separately available so that it can also be driven wrongly.
//!
//! Names follow Linux `drivers/net/ethernet/intel/igbvf/mbx.h` and `igb/e1000_mbx.h`.

use crate::bar::{
    BadOffset,
    Regs, //
};
use std::{
    cell::Cell,
    fmt,
    time::{
        Duration,
        Instant, //
    },
};

/// VF registers (offsets in the VF's BAR0; `E1000_CTRL`, `E1000_STATUS`, ...).
pub const VTCTRL: usize = 0x0000;
pub const VTSTATUS: usize = 0x0008;
pub const VTEIMS: usize = 0x1524;
pub const VMBMEM: usize = 0x0800;
pub const V2PMAILBOX: usize = 0x0C40;
/// `E1000_CTRL_RST`: the VF's software reset, which the PF sees as a VFLRE event.
pub const CTRL_RST: u32 = 1 << 26;

/// `E1000_V2PMAILBOX_*`.
pub const REQ: u32 = 0x01;
pub const ACK: u32 = 0x02;
pub const VFU: u32 = 0x04;
pub const PFU: u32 = 0x08;
pub const PFSTS: u32 = 0x10;
pub const PFACK: u32 = 0x20;
pub const RSTI: u32 = 0x40;
pub const RSTD: u32 = 0x80;
/// `E1000_V2PMAILBOX_R2C_BITS`: clear when read; igbvf keeps them in a software copy.
pub const R2C_BITS: u32 = PFSTS | PFACK | RSTD;

/// `E1000_VFMAILBOX_SIZE`: words in VMBMEM.
pub const WORDS: usize = 16;

/// Message ids (`E1000_VF_*`, `E1000_PF_CONTROL_MSG`).
pub const VF_RESET: u32 = 0x01;
pub const VF_SET_MAC_ADDR: u32 = 0x02;
pub const VF_SET_MULTICAST: u32 = 0x03;
pub const VF_SET_VLAN: u32 = 0x04;
pub const VF_SET_LPE: u32 = 0x05;
pub const VF_SET_PROMISC: u32 = 0x06;
pub const PF_CONTROL_MSG: u32 = 0x0100;
/// `E1000_VT_MSGTYPE_*`.
pub const MSGTYPE_ACK: u32 = 0x8000_0000;
pub const MSGTYPE_NACK: u32 = 0x4000_0000;
pub const MSGTYPE_CTS: u32 = 0x2000_0000;
/// `E1000_VT_MSGINFO_SHIFT`; info is bits 23:16.
pub const MSGINFO_SHIFT: u32 = 16;
/// Info values (already shifted): `E1000_VF_MAC_FILTER_CLR/ADD`, `E1000_VF_SET_PROMISC_*`.
pub const VF_MAC_FILTER_CLR: u32 = 0x01 << MSGINFO_SHIFT;
pub const VF_MAC_FILTER_ADD: u32 = 0x02 << MSGINFO_SHIFT;
pub const VF_SET_PROMISC_UNICAST: u32 = 0x01 << MSGINFO_SHIFT;
pub const VF_SET_PROMISC_MULTICAST: u32 = 0x02 << MSGINFO_SHIFT;
/// igbvf sends at most this many multicast hashes.
pub const MAX_MC_HASHES: usize = 30;

/// Where an exchange stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The VF lock (VFU) could not be taken before posting.
    Lock,
    /// The PF did not acknowledge (PFACK) the message.
    Ack,
    /// The PF sent no message (PFSTS).
    Reply,
    /// The PF sent a message but the lock to read it could not be taken.
    ReplyLock,
    /// RSTI/RSTD stayed set after a VF reset.
    Rst,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Self::Lock => "lock",
            Self::Ack => "ack",
            Self::Reply => "reply",
            Self::ReplyLock => "reply_lock",
            Self::Rst => "rst",
        }
    }
}

/// A mailbox operation's failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// The other side did not do its part in time.
    Timeout(Stage),
    /// A register access was refused (never happens with the constants above).
    Reg(BadOffset),
}

impl From<BadOffset> for Error {
    fn from(e: BadOffset) -> Self {
        Self::Reg(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout(s) => write!(f, "timeout stage={}", s.name()),
            Self::Reg(e) => e.fmt(f),
        }
    }
}

/// One completed request/reply round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exchange {
    /// Post to PFACK.
    pub ack: Duration,
    /// Post to reply read and acknowledged.
    pub total: Duration,
    pub reply: [u32; WORDS],
}

/// The VF's mailbox.
pub struct Mailbox<'a, R: Regs> {
    regs: &'a R,
    /// Read-to-clear bits seen and not yet consumed (igbvf's `dev_spec.vf.v2p_mailbox`).
    cached: Cell<u32>,
    /// Sleep between polls; zero: yield the CPU and poll again.
    poll: Duration,
}

impl<'a, R: Regs> Mailbox<'a, R> {
    pub fn new(regs: &'a R, poll: Duration) -> Self {
        Self {
            regs,
            cached: Cell::new(0),
            poll,
        }
    }

    /// V2PMAILBOX with the read-to-clear bits seen before (`e1000_read_v2p_mailbox`).
    pub fn status(&self) -> Result<u32, BadOffset> {
        let v = self.regs.read(V2PMAILBOX)? | self.cached.get();
        self.cached.set(v & R2C_BITS);
        Ok(v)
    }

    /// Whether any of `mask` is set, consuming them (`e1000_check_for_bit_vf`).
    pub fn take_bits(&self, mask: u32) -> Result<bool, BadOffset> {
        let v = self.status()?;
        self.cached.set(self.cached.get() & !mask);
        Ok(v & mask != 0)
    }

    /// One attempt at the VF lock (`e1000_obtain_mbx_lock_vf`).
    pub fn try_lock(&self) -> Result<bool, BadOffset> {
        self.regs.write(V2PMAILBOX, VFU)?;
        Ok(self.status()? & VFU != 0)
    }

    /// Writes `words` (at most [`WORDS`]) into VMBMEM, lock or not.
    pub fn write_words(&self, words: &[u32]) -> Result<(), BadOffset> {
        for (i, w) in words.iter().take(WORDS).enumerate() {
            self.regs.write(VMBMEM + 4 * i, *w)?;
        }
        Ok(())
    }

    /// Reads all of VMBMEM, lock or not.
    pub fn read_words(&self) -> Result<[u32; WORDS], BadOffset> {
        let mut w = [0u32; WORDS];
        for (i, slot) in w.iter_mut().enumerate() {
            *slot = self.regs.read(VMBMEM + 4 * i)?;
        }
        Ok(w)
    }

    /// Reads any VF register.
    pub fn read_reg(&self, off: usize) -> Result<u32, BadOffset> {
        self.regs.read(off)
    }

    /// Raw write of V2PMAILBOX (REQ alone also releases VFU, as igbvf relies on).
    pub fn write_ctl(&self, v: u32) -> Result<(), BadOffset> {
        self.regs.write(V2PMAILBOX, v)
    }

    /// Sets VTCTRL.RST as igbvf's `e1000_reset_hw_vf` does (read-modify-write).
    pub fn vf_reset(&self) -> Result<(), BadOffset> {
        let ctrl = self.regs.read(VTCTRL)?;
        self.regs.write(VTCTRL, ctrl | CTRL_RST)?;
        self.cached.set(0);
        Ok(())
    }

    /// Calls `done` until it says yes or `timeout` passes; bounded.
    pub fn poll(
        &self,
        timeout: Duration,
        mut done: impl FnMut() -> Result<bool, BadOffset>,
    ) -> Result<bool, BadOffset> {
        let t0 = Instant::now();
        loop {
            if done()? {
                return Ok(true);
            }
            if t0.elapsed() >= timeout {
                return Ok(false);
            }
            if self.poll.is_zero() {
                std::thread::yield_now();
            } else {
                std::thread::sleep(self.poll);
            }
        }
    }

    fn require(&self, ok: bool, stage: Stage) -> Result<(), Error> {
        if ok {
            Ok(())
        } else {
            Err(Error::Timeout(stage))
        }
    }

    /// Waits (after a VF reset) until RSTI and RSTD read clear, as igbvf does before RESET.
    pub fn wait_reset_done(&self, timeout: Duration) -> Result<(), Error> {
        let ok = self.poll(timeout, || Ok(!self.take_bits(RSTD | RSTI)?))?;
        self.require(ok, Stage::Rst)
    }

    /// Posts `words` as `e1000_write_mbx_vf` does: lock, flush stale PFACK/PFSTS, copy, REQ.
    /// Unlike igbvf, which tries the lock once, retries the lock until `timeout`.
    pub fn post(&self, words: &[u32], timeout: Duration) -> Result<(), Error> {
        let ok = self.poll(timeout, || self.try_lock())?;
        self.require(ok, Stage::Lock)?;
        self.take_bits(PFACK)?;
        self.take_bits(PFSTS)?;
        self.write_words(words)?;
        self.write_ctl(REQ)?;
        Ok(())
    }

    /// Waits for the PF's PFACK of the last message (`e1000_poll_for_ack`).
    pub fn wait_ack(&self, timeout: Duration) -> Result<(), Error> {
        let ok = self.poll(timeout, || self.take_bits(PFACK))?;
        self.require(ok, Stage::Ack)
    }

    /// Waits for PFSTS, takes the lock, reads VMBMEM and writes ACK, which also releases
    /// the lock (`e1000_read_posted_mbx`).
    pub fn read_reply(&self, timeout: Duration) -> Result<[u32; WORDS], Error> {
        let ok = self.poll(timeout, || self.take_bits(PFSTS))?;
        self.require(ok, Stage::Reply)?;
        let ok = self.poll(timeout, || self.try_lock())?;
        self.require(ok, Stage::ReplyLock)?;
        let w = self.read_words()?;
        self.write_ctl(ACK)?;
        Ok(w)
    }

    /// Post, wait for PFACK, read the reply; each wait bounded by `timeout`. On failure also
    /// returns the time spent.
    pub fn exchange(
        &self,
        words: &[u32],
        timeout: Duration,
    ) -> Result<Exchange, (Error, Duration)> {
        let t0 = Instant::now();
        let fail = |e: Error| (e, t0.elapsed());
        self.post(words, timeout).map_err(fail)?;
        self.wait_ack(timeout).map_err(fail)?;
        let ack = t0.elapsed();
        let reply = self.read_reply(timeout).map_err(fail)?;
        Ok(Exchange {
            ack,
            total: t0.elapsed(),
            reply,
        })
    }

    /// Posts without waiting for anything: tries the lock for up to `lock_wait` and writes
    /// the words and REQ regardless. Returns whether the lock was held.
    pub fn post_blind(&self, words: &[u32], lock_wait: Duration) -> Result<bool, BadOffset> {
        let t0 = Instant::now();
        let locked = loop {
            if self.try_lock()? {
                break true;
            }
            if t0.elapsed() >= lock_wait {
                break false;
            }
            std::hint::spin_loop();
        };
        self.write_words(words)?;
        self.write_ctl(REQ)?;
        Ok(locked)
    }
}

/// Words of SET_MAC_ADDR with `info` (0, [`VF_MAC_FILTER_CLR`] or [`VF_MAC_FILTER_ADD`]):
/// the 6 bytes copied over word 1 and on, as igbvf's memcpy does on little endian.
pub fn set_mac_words(info: u32, mac: [u8; 6]) -> [u32; 3] {
    [
        VF_SET_MAC_ADDR | info,
        u32::from_le_bytes([mac[0], mac[1], mac[2], mac[3]]),
        u32::from_le_bytes([mac[4], mac[5], 0, 0]),
    ]
}

/// The MAC in words 1-2 of a message (RESET reply, SET_MAC_ADDR).
pub fn mac_of(w1: u32, w2: u32) -> [u8; 6] {
    let a = w1.to_le_bytes();
    let b = w2.to_le_bytes();
    [a[0], a[1], a[2], a[3], b[0], b[1]]
}

/// Words of SET_VLAN, as `e1000_set_vfta_vf` builds them.
pub fn set_vlan_words(vid: u32, add: bool) -> [u32; 2] {
    [VF_SET_VLAN | (u32::from(add) << MSGINFO_SHIFT), vid]
}

/// Words of SET_MULTICAST as `e1000_update_mc_addr_list_vf` builds them: always the whole
/// buffer, `count` (0..=255, not checked against `hashes`) in the info field, the hashes as
/// u16s two per word from word 1 (low half first), missing ones zero. At most
/// [`MAX_MC_HASHES`] hashes fit.
pub fn set_mc_words(count: u8, hashes: &[u16]) -> Result<[u32; WORDS], String> {
    if hashes.len() > MAX_MC_HASHES {
        return Err(format!(
            "{} multicast hashes given, at most {MAX_MC_HASHES} fit",
            hashes.len()
        ));
    }
    let mut w = [0u32; WORDS];
    w[0] = VF_SET_MULTICAST | (u32::from(count) << MSGINFO_SHIFT);
    for (i, h) in hashes.iter().enumerate() {
        w[1 + i / 2] |= u32::from(*h) << (16 * (i % 2));
    }
    Ok(w)
}

/// What a reply's word 0 says: "nack" wins over "ack", as the PF sets only one.
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
pub mod fake {
    use super::*;
    use crate::bar::dword_index;
    use std::cell::RefCell;

    /// The VF's view of QEMU's igb mailbox: V2PMAILBOX reads clear the R2C bits, VFU is taken
    /// only while the PF does not hold PFU, and REQ makes a fake PF acknowledge and reply with
    /// word 0 | ACK | CTS (unless `mute`).
    #[derive(Default)]
    pub struct Fake {
        pub mem: RefCell<Vec<u32>>,
        pub pfu: Cell<bool>,
        pub mute: Cell<bool>,
        pub reqs: Cell<u32>,
        pub acks: Cell<u32>,
    }

    impl Fake {
        pub fn new() -> Self {
            Self {
                mem: RefCell::new(vec![0; crate::bar::BAR_LEN / 4]),
                ..Default::default()
            }
        }
        pub fn mbx(&self) -> u32 {
            self.mem.borrow()[V2PMAILBOX / 4]
        }
        pub fn set_mbx(&self, v: u32) {
            self.mem.borrow_mut()[V2PMAILBOX / 4] = v;
        }
    }

    impl Regs for Fake {
        fn read(&self, off: usize) -> Result<u32, BadOffset> {
            let i = dword_index(off, crate::bar::BAR_LEN)?;
            let mut m = self.mem.borrow_mut();
            let v = m[i];
            if off == V2PMAILBOX {
                m[i] &= !R2C_BITS;
                return Ok((v & !(REQ | ACK)) | if self.pfu.get() { PFU } else { 0 });
            }
            Ok(v)
        }

        fn write(&self, off: usize, v: u32) -> Result<(), BadOffset> {
            let i = dword_index(off, crate::bar::BAR_LEN)?;
            if off != V2PMAILBOX {
                self.mem.borrow_mut()[i] = v;
                return Ok(());
            }
            let mut cur = self.mbx();
            if v & VFU != 0 && !self.pfu.get() {
                cur |= VFU;
            } else if v & VFU == 0 {
                cur &= !VFU;
            }
            self.set_mbx(cur);
            if v & ACK != 0 {
                self.acks.set(self.acks.get() + 1);
            }
            if v & REQ != 0 {
                self.reqs.set(self.reqs.get() + 1);
                if !self.mute.get() {
                    let w0 = self.mem.borrow()[VMBMEM / 4];
                    self.mem.borrow_mut()[VMBMEM / 4] = w0 | MSGTYPE_ACK | MSGTYPE_CTS;
                    self.set_mbx(self.mbx() | PFACK | PFSTS);
                }
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fake::Fake;
    use super::*;

    const T: Duration = Duration::from_millis(20);

    #[test]
    fn mac_words_match_igbvf() {
        // igbvf memcpy()s 52:54:00:12:34:56 over msgbuf[1..] on little endian.
        let w = set_mac_words(0, [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
        assert_eq!(w, [0x02, 0x1200_5452, 0x0000_5634]);
        assert_eq!(mac_of(w[1], w[2]), [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
        assert_eq!(set_mac_words(VF_MAC_FILTER_ADD, [0; 6])[0], 0x0002_0002);
        assert_eq!(set_mac_words(VF_MAC_FILTER_CLR, [0; 6])[0], 0x0001_0002);
    }

    #[test]
    fn vlan_words_match_igbvf() {
        assert_eq!(set_vlan_words(100, true), [0x0001_0004, 100]);
        assert_eq!(set_vlan_words(100, false), [0x0000_0004, 100]);
    }

    #[test]
    fn multicast_words_match_igbvf() {
        let w = set_mc_words(3, &[0x111, 0x222, 0x333]).unwrap();
        assert_eq!(&w[..3], &[0x0003_0003, 0x0222_0111, 0x0000_0333]);
        assert!(w[3..].iter().all(|x| *x == 0));
        // The count is sent as given, even without the hashes.
        let w = set_mc_words(255, &[]).unwrap();
        assert_eq!(w[0], 0x00ff_0003);
        assert!(w[1..].iter().all(|x| *x == 0));
        let full: Vec<u16> = (1..=30).collect();
        let w = set_mc_words(30, &full).unwrap();
        assert_eq!(w[15], (30 << 16) | 29);
        assert!(set_mc_words(31, &[0; 31]).is_err());
    }

    #[test]
    fn read_to_clear_bits_are_remembered_until_consumed() {
        let f = Fake::new();
        let m = Mailbox::new(&f, Duration::ZERO);
        f.set_mbx(PFACK | PFSTS | RSTD);
        assert_eq!(m.status().unwrap() & R2C_BITS, PFACK | PFSTS | RSTD);
        // The hardware cleared them; the copy keeps them.
        assert_eq!(f.mbx() & R2C_BITS, 0);
        assert!(m.take_bits(PFACK).unwrap());
        assert!(!m.take_bits(PFACK).unwrap());
        assert!(m.take_bits(PFSTS).unwrap());
        assert!(m.take_bits(RSTD | RSTI).unwrap());
        assert!(!m.take_bits(RSTD | RSTI).unwrap());
        // RSTI is not read-to-clear: it is reported while set, never cached.
        f.set_mbx(RSTI);
        assert!(m.take_bits(RSTI).unwrap());
        assert!(m.take_bits(RSTI).unwrap());
    }

    #[test]
    fn lock_attempt_keeps_read_to_clear_bits() {
        let f = Fake::new();
        let m = Mailbox::new(&f, Duration::ZERO);
        f.set_mbx(PFSTS);
        assert!(m.try_lock().unwrap());
        assert!(m.take_bits(PFSTS).unwrap());
        f.pfu.set(true);
        m.write_ctl(0).unwrap();
        assert!(!m.try_lock().unwrap());
    }

    #[test]
    fn exchange_round_trip() {
        let f = Fake::new();
        let m = Mailbox::new(&f, Duration::ZERO);
        let x = m.exchange(&set_vlan_words(5, true), T).unwrap();
        assert_eq!(x.reply[0], 0x0001_0004 | MSGTYPE_ACK | MSGTYPE_CTS);
        assert_eq!(x.reply[1], 5);
        assert_eq!(verdict(x.reply[0]), "ack");
        assert_eq!((f.reqs.get(), f.acks.get()), (1, 1));
        // ACK released the lock.
        assert_eq!(f.mbx() & VFU, 0);
    }

    #[test]
    fn timeouts_name_their_stage() {
        let f = Fake::new();
        let m = Mailbox::new(&f, Duration::ZERO);
        f.mute.set(true);
        let e = m.exchange(&[VF_RESET], T).unwrap_err().0;
        assert_eq!(e, Error::Timeout(Stage::Ack));
        f.set_mbx(PFACK);
        let e = m.exchange(&[VF_RESET], T).unwrap_err().0;
        // post() flushes the stale PFACK, as igbvf does.
        assert_eq!(e, Error::Timeout(Stage::Ack));
        f.pfu.set(true);
        m.write_ctl(0).unwrap();
        let e = m.exchange(&[VF_RESET], T).unwrap_err().0;
        assert_eq!(e, Error::Timeout(Stage::Lock));
    }

    #[test]
    fn blind_post_counts_a_busy_lock() {
        let f = Fake::new();
        let m = Mailbox::new(&f, Duration::ZERO);
        f.mute.set(true);
        assert!(m.post_blind(&[1, 2], Duration::ZERO).unwrap());
        f.pfu.set(true);
        m.write_ctl(0).unwrap();
        assert!(!m.post_blind(&[3], Duration::from_micros(10)).unwrap());
        assert_eq!(f.reqs.get(), 2);
        assert_eq!(f.mem.borrow()[VMBMEM / 4], 3);
    }

    #[test]
    fn reset_waits_for_rsti() {
        let f = Fake::new();
        let m = Mailbox::new(&f, Duration::ZERO);
        f.set_mbx(RSTD);
        m.vf_reset().unwrap();
        assert_eq!(f.mem.borrow()[VTCTRL / 4], CTRL_RST);
        assert_eq!(m.wait_reset_done(T), Ok(()));
        f.set_mbx(RSTI);
        assert_eq!(m.wait_reset_done(T), Err(Error::Timeout(Stage::Rst)));
    }

    #[test]
    fn verdicts() {
        assert_eq!(verdict(MSGTYPE_ACK | MSGTYPE_CTS | 5), "ack");
        assert_eq!(verdict(MSGTYPE_NACK | 5), "nack");
        assert_eq!(verdict(5), "other");
    }
}
