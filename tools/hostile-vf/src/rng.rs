// SPDX-License-Identifier: GPL-2.0

//! A seeded message stream: the same seed gives the same steps, and their hash says so.

use crate::mbx;

/// splitmix64 (Steele, Lea, Flood; the reference constants).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// Uniform enough in `0..n` (`n` of 0 is taken as 1).
    pub fn below(&mut self, n: u32) -> u32 {
        ((self.next_u64() >> 32) % u64::from(n.max(1))) as u32
    }
}

/// FNV-1a, 64 bit.
pub struct Fnv(u64);

impl Fnv {
    pub fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    pub fn add_bytes(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// Hashes a word as its 4 little-endian bytes.
    pub fn add(&mut self, w: u32) {
        self.add_bytes(&w.to_le_bytes());
    }

    pub fn value(&self) -> u64 {
        self.0
    }
}

/// One step of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Post these words (1 to 16).
    Message(Vec<u32>),
    /// Reset the VF (VTCTRL.RST).
    Reset,
    /// Hold the VF lock for 2 ms.
    HoldLock,
}

/// Marker words hashed for the steps that are not messages.
const HASH_RESET: u32 = 0xffff_fff1;
const HASH_HOLD: u32 = 0xffff_fff2;

/// The seeded stream, hashing every step it hands out: a message as its length and words,
/// the others as a marker word.
pub struct Stream {
    rng: Rng,
    hash: Fnv,
}

impl Stream {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: Rng::new(seed),
            hash: Fnv::new(),
        }
    }

    /// The next step: 1 in 64 a VF reset, 1 in 64 a held lock, otherwise a message. Its id is
    /// one of the seven protocol ids (7 in 8) or a random 16-bit id; its info byte is random;
    /// 1 in 8 has random ACK/NACK/CTS bits; it has 1 to 16 words, the others random.
    pub fn next_step(&mut self) -> Step {
        let r = &mut self.rng;
        let step = match r.below(64) {
            0 => Step::Reset,
            1 => Step::HoldLock,
            _ => {
                const IDS: [u32; 7] = [
                    mbx::VF_RESET,
                    mbx::VF_SET_MAC_ADDR,
                    mbx::VF_SET_MULTICAST,
                    mbx::VF_SET_VLAN,
                    mbx::VF_SET_LPE,
                    mbx::VF_SET_PROMISC,
                    mbx::PF_CONTROL_MSG,
                ];
                let mut w0 = match IDS.get(r.below(8) as usize) {
                    Some(id) => *id,
                    None => r.next_u32() & 0xffff,
                };
                w0 |= r.below(256) << mbx::MSGINFO_SHIFT;
                if r.below(8) == 0 {
                    w0 |= r.below(8) << 29;
                }
                let len = 1 + r.below(mbx::WORDS as u32) as usize;
                let mut words = Vec::with_capacity(len);
                words.push(w0);
                for _ in 1..len {
                    words.push(r.next_u32());
                }
                Step::Message(words)
            }
        };
        match &step {
            Step::Reset => self.hash.add(HASH_RESET),
            Step::HoldLock => self.hash.add(HASH_HOLD),
            Step::Message(w) => {
                self.hash.add(w.len() as u32);
                w.iter().for_each(|x| self.hash.add(*x));
            }
        }
        step
    }

    /// The hash of every step handed out so far.
    pub fn hash(&self) -> u64 {
        self.hash.value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(seed: u64, n: usize) -> u64 {
        let mut s = Stream::new(seed);
        for _ in 0..n {
            s.next_step();
        }
        s.hash()
    }

    #[test]
    fn splitmix64_reference_values() {
        let mut r = Rng::new(0);
        assert_eq!(r.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(r.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn fnv1a_reference_value() {
        let mut h = Fnv::new();
        h.add_bytes(b"a");
        assert_eq!(h.value(), 0xaf63_dc4c_8601_ec8c);
        let mut w = Fnv::new();
        w.add(0x0403_0201);
        let mut b = Fnv::new();
        b.add_bytes(&[1, 2, 3, 4]);
        assert_eq!(w.value(), b.value());
    }

    #[test]
    fn same_seed_same_stream() {
        assert_eq!(hash(8, 1000), hash(8, 1000));
        assert_ne!(hash(8, 1000), hash(9, 1000));
        assert_ne!(hash(0, 1000), hash(u64::MAX, 1000));
        let a: Vec<Step> = {
            let mut s = Stream::new(3);
            (0..100).map(|_| s.next_step()).collect()
        };
        let mut s = Stream::new(3);
        assert!(a.iter().all(|x| *x == s.next_step()));
    }

    #[test]
    fn steps_are_well_formed_and_mixed() {
        let mut s = Stream::new(1);
        let (mut resets, mut holds, mut valid, mut flagged) = (0, 0, 0, 0);
        for _ in 0..10_000 {
            match s.next_step() {
                Step::Reset => resets += 1,
                Step::HoldLock => holds += 1,
                Step::Message(w) => {
                    assert!(!w.is_empty() && w.len() <= mbx::WORDS);
                    let id = w[0] & 0xffff;
                    if (1..=6).contains(&id) || id == mbx::PF_CONTROL_MSG {
                        valid += 1;
                    }
                    if w[0] & 0xe000_0000 != 0 {
                        flagged += 1;
                    }
                }
            }
        }
        assert!((100..300).contains(&resets), "{resets}");
        assert!((100..300).contains(&holds), "{holds}");
        assert!(valid > 8000, "{valid}");
        assert!((500..2000).contains(&flagged), "{flagged}");
    }
}
