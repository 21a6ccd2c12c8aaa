// SPDX-License-Identifier: GPL-2.0

//! A seeded message stream: the same seed gives the same words, and their hash says so.

use crate::mbx;

/// splitmix64.
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

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// One step of the stream.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Post these words.
    Message(Vec<u32>),
    /// Reset the VF.
    Reset,
    /// Hold the VF lock for 2 ms.
    HoldLock,
}

/// The next step: mostly messages of the protocol's types with random info bits, lengths and
/// payloads, some with reply bits, some of unknown types; 1 in 64 a VF reset, 1 in 64 a held
/// lock.
pub fn step(rng: &mut Rng) -> Step {
    match rng.below(64) {
        0 => return Step::Reset,
        1 => return Step::HoldLock,
        _ => {}
    }
    const TYPES: [u32; 7] = [
        mbx::MSG_RESET,
        mbx::MSG_SET_MAC_ADDR,
        mbx::MSG_SET_MULTICAST,
        mbx::MSG_SET_VLAN,
        mbx::MSG_SET_LPE,
        mbx::MSG_SET_PROMISC,
        mbx::MSG_PF_CONTROL,
    ];
    let r = rng.below(8) as usize;
    let mut w0 = match TYPES.get(r) {
        Some(t) => *t,
        None => rng.next_u64() as u32 & 0xffff,
    };
    w0 |= (rng.below(256) as u32) << mbx::INFO_SHIFT;
    if rng.below(8) == 0 {
        w0 |= (rng.below(8) as u32) << 29;
    }
    let len = 1 + rng.below(mbx::WORDS as u64) as usize;
    let mut words = vec![w0];
    for _ in 1..len {
        words.push(rng.next_u64() as u32);
    }
    Step::Message(words)
}

/// FNV-1a over the stream's words.
pub struct Fnv(u64);

impl Fnv {
    pub fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    pub fn add(&mut self, w: u32) {
        for b in w.to_le_bytes() {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    pub fn value(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(seed: u64, n: usize) -> u64 {
        let mut r = Rng::new(seed);
        let mut h = Fnv::new();
        for _ in 0..n {
            match step(&mut r) {
                Step::Message(w) => w.iter().for_each(|x| h.add(*x)),
                Step::Reset => h.add(1),
                Step::HoldLock => h.add(2),
            }
        }
        h.value()
    }

    #[test]
    fn same_seed_same_stream() {
        assert_eq!(hash(8, 1000), hash(8, 1000));
        assert_ne!(hash(8, 1000), hash(9, 1000));
    }

    #[test]
    fn messages_fit_the_buffer() {
        let mut r = Rng::new(1);
        for _ in 0..10_000 {
            if let Step::Message(w) = step(&mut r) {
                assert!(!w.is_empty() && w.len() <= mbx::WORDS);
            }
        }
    }
}
