// SPDX-License-Identifier: GPL-2.0

//! The PF interface's multicast filter: the groups its stack joined, as bits of the multicast
//! table the VFs' lists share, or all multicast when the administrator asks for it
//! (allmulticast, promiscuous).

use super::mac::MacAddr;

/// Words of the multicast table (4096 hash bits).
pub(crate) const MTA_WORDS: usize = 128;

/// The multicast table hash of `mac`: bits 47:36 of the address, as C igb and igbvf compute
/// it for a 4096-bit table (`mc_filter_type` 0).
pub(crate) fn mta_hash(mac: MacAddr) -> u16 {
    let [.., b4, b5] = mac.0;
    (u16::from(b4) >> 4 | u16::from(b5) << 4) & 0xfff
}

/// What the PF pool accepts of multicast.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct PfMulticast {
    words: [u32; MTA_WORDS],
    all: bool,
}

impl Default for PfMulticast {
    fn default() -> Self {
        Self {
            words: [0; MTA_WORDS],
            all: false,
        }
    }
}

impl PfMulticast {
    /// No group; all multicast if `all`.
    pub(crate) fn new(all: bool) -> Self {
        Self {
            all,
            ..Self::default()
        }
    }

    /// Adds the group `mac`.
    pub(crate) fn add(&mut self, mac: MacAddr) {
        let h = usize::from(mta_hash(mac));
        if let Some(w) = self.words.get_mut(h >> 5) {
            *w |= 1 << (h & 0x1f);
        }
    }

    /// The table bits of the groups, word by word.
    pub(crate) fn words(&self) -> &[u32; MTA_WORDS] {
        &self.words
    }

    /// Whether the pool takes all multicast.
    pub(crate) fn all(&self) -> bool {
        self.all
    }
}

#[cfg(any(test, CONFIG_KUNIT))]
#[cfg_attr(CONFIG_KUNIT, kernel::prelude::kunit_tests(rigb_model_pf_mc))]
mod tests {
    use super::*;

    #[test]
    fn hash_is_the_top_twelve_bits() {
        // 33:33:ff:00:00:50, the solicited-node group of ...::50.
        let mac = MacAddr([0x33, 0x33, 0xff, 0x00, 0x00, 0x50]);
        assert_eq!(mta_hash(mac), 0x500);
        let mac = MacAddr([0x01, 0x00, 0x5e, 0x00, 0xab, 0xcd]);
        assert_eq!(mta_hash(mac), 0xcda);
    }

    #[test]
    fn groups_set_their_bits() {
        let mut f = PfMulticast::new(false);
        f.add(MacAddr([0x33, 0x33, 0xff, 0x00, 0x00, 0x50]));
        f.add(MacAddr([0x01, 0x00, 0x5e, 0x00, 0xab, 0xcd]));
        assert!(!f.all());
        assert_eq!(f.words()[0x500 >> 5], 1 << (0x500 & 0x1f));
        assert_eq!(f.words()[0xcda >> 5], 1 << (0xcda & 0x1f));
        assert_eq!(f.words().iter().map(|w| w.count_ones()).sum::<u32>(), 2);
        assert!(PfMulticast::new(true).all());
        assert_eq!(PfMulticast::default(), PfMulticast::new(false));
    }
}
