// SPDX-License-Identifier: GPL-2.0

//! The receive filter tables the PF and its VFs share: receive addresses (RAR) and VLAN pool
//! filters (VLVF, and from it the VLAN filter table VFTA). Each table hands out its entries
//! and knows who owns them; [`crate::model::Model`] decides who may ask for what.

use super::{
    mac::MacAddr,
    vf::{
        pool_bit,
        MAX_VID, //
    },
};

/// Number of receive address entries; RAR[0] is the PF MAC, RAR[23-n] VF n's primary MAC.
pub(crate) const RAR_ENTRIES: usize = 24;
/// Number of VLVF (VLAN pool filter) entries.
pub(crate) const VLVF_ENTRIES: usize = 32;
/// Extra unicast filters a VF may hold; `igbvf` never sends more than 3.
pub(crate) const MAX_VF_FILTERS: usize = 3;
/// Number of 32-bit words of the VLAN filter table (one bit per VLAN id).
pub(crate) const VFTA_WORDS: usize = 128;

/// Who uses a receive address entry.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(crate) enum RarOwner {
    /// Unused.
    #[default]
    Free,
    /// The PF's own address (the PF's pool).
    Pf,
    /// Primary address of VF n (pool n).
    VfPrimary(usize),
    /// Extra unicast filter of VF n (pool n).
    VfFilter(usize),
}

/// One receive address entry; its pool is the owner's pool.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(crate) struct Rar {
    /// Address matched.
    pub(crate) mac: MacAddr,
    /// Owner, which also selects the pool.
    pub(crate) owner: RarOwner,
}

/// The receive address table.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct RarTable {
    entries: [Rar; RAR_ENTRIES],
}

impl RarTable {
    /// A table with only the PF's address, in entry 0.
    pub(crate) fn new(pf_mac: MacAddr) -> Self {
        let mut entries = [Rar::default(); RAR_ENTRIES];
        entries[0] = Rar {
            mac: pf_mac,
            owner: RarOwner::Pf,
        };
        Self { entries }
    }

    /// Every entry, by index.
    pub(crate) fn entries(&self) -> &[Rar; RAR_ENTRIES] {
        &self.entries
    }

    /// Index of VF `vf`'s primary entry (23 - vf, as in C igb).
    pub(crate) fn primary_index(vf: usize) -> Option<usize> {
        (RAR_ENTRIES - 1).checked_sub(vf)
    }

    /// Sets (a valid unicast `mac`) or frees VF `vf`'s primary entry.
    pub(crate) fn set_primary(&mut self, vf: usize, mac: MacAddr) {
        let entry = if mac.is_valid_unicast() {
            Rar {
                mac,
                owner: RarOwner::VfPrimary(vf),
            }
        } else {
            Rar::default()
        };
        if let Some(r) = Self::primary_index(vf).and_then(|i| self.entries.get_mut(i)) {
            *r = entry;
        }
    }

    /// Frees all filter entries of `vf`; returns whether any existed.
    pub(crate) fn drop_filters(&mut self, vf: usize) -> bool {
        let mut any = false;
        for r in self.entries.iter_mut() {
            if r.owner == RarOwner::VfFilter(vf) {
                *r = Rar::default();
                any = true;
            }
        }
        any
    }

    /// Number of filter entries `vf` holds.
    pub(crate) fn filters_of(&self, vf: usize) -> usize {
        self.entries
            .iter()
            .filter(|r| r.owner == RarOwner::VfFilter(vf))
            .count()
    }

    /// Whether `vf` already holds a filter for `mac`.
    pub(crate) fn has_filter(&self, vf: usize, mac: MacAddr) -> bool {
        self.entries
            .iter()
            .any(|r| r.owner == RarOwner::VfFilter(vf) && r.mac == mac)
    }

    /// Whether an entry of the PF or of another VF than `vf` already matches `mac`.
    pub(crate) fn used_by_other(&self, vf: usize, mac: MacAddr) -> bool {
        self.entries.iter().any(|r| {
            r.mac == mac
                && !matches!(r.owner, RarOwner::Free)
                && r.owner != RarOwner::VfPrimary(vf)
                && r.owner != RarOwner::VfFilter(vf)
        })
    }

    /// Number of free entries that can hold filters, with `num_vfs` VFs.
    pub(crate) fn free_spares(&self, num_vfs: usize) -> usize {
        self.entries
            .get(1..RAR_ENTRIES.saturating_sub(num_vfs))
            .map_or(0, |s| {
                s.iter().filter(|r| r.owner == RarOwner::Free).count()
            })
    }

    /// Gives `vf` a filter for `mac` in the first free entry after the PF's and below the
    /// primaries of the `num_vfs` VFs; false when none is free.
    pub(crate) fn add_filter(&mut self, vf: usize, mac: MacAddr, num_vfs: usize) -> bool {
        let range = 1..RAR_ENTRIES.saturating_sub(num_vfs);
        let free = self
            .entries
            .get_mut(range)
            .and_then(|s| s.iter_mut().find(|r| r.owner == RarOwner::Free));
        match free {
            Some(r) => {
                *r = Rar {
                    mac,
                    owner: RarOwner::VfFilter(vf),
                };
                true
            }
            None => false,
        }
    }
}

/// One VLVF entry: a VLAN id and the pools that receive it.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(crate) struct Vlvf {
    /// VLAN id (12 bits).
    pub(crate) vid: u16,
    /// Pool bit mask; 0 means the entry is free (entry 0 always stays VID 0).
    pub(crate) pools: u8,
}

/// The VLAN pool filter table. Entry 0 is reserved for VID 0 (priority-tagged frames), so
/// that VID 0 can always be granted to a resetting VF.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct VlanTable {
    entries: [Vlvf; VLVF_ENTRIES],
}

impl VlanTable {
    /// A table with VID 0 for `pools`.
    pub(crate) fn new(pools: u8) -> Self {
        let mut entries = [Vlvf::default(); VLVF_ENTRIES];
        entries[0] = Vlvf { vid: 0, pools };
        Self { entries }
    }

    /// Every entry, by index.
    pub(crate) fn entries(&self) -> &[Vlvf; VLVF_ENTRIES] {
        &self.entries
    }

    /// Adds `pool` to the entry of `vid`, allocating one if needed; false when the table is
    /// full.
    pub(crate) fn add(&mut self, pool: usize, vid: u16) -> bool {
        let bit = pool_bit(pool);
        let (zero, rest) = self.entries.split_at_mut(1);
        if vid == 0 {
            if let Some(e) = zero.first_mut() {
                e.pools |= bit;
            }
            return true;
        }
        if let Some(e) = rest.iter_mut().find(|e| e.pools != 0 && e.vid == vid) {
            e.pools |= bit;
            return true;
        }
        // New entries from the top like C igb, which keeps low entries for the PF's VLANs.
        match rest.iter_mut().rev().find(|e| e.pools == 0) {
            Some(e) => {
                *e = Vlvf { vid, pools: bit };
                true
            }
            None => false,
        }
    }

    /// Removes `pool` from the entry of `vid` (entry 0 is never freed).
    pub(crate) fn remove(&mut self, pool: usize, vid: u16) {
        let bit = pool_bit(pool);
        for (i, e) in self.entries.iter_mut().enumerate() {
            if (i == 0) != (vid == 0) || e.pools == 0 || e.vid != vid {
                continue;
            }
            e.pools &= !bit;
            if e.pools == 0 && i != 0 {
                *e = Vlvf::default();
            }
        }
    }

    /// Removes `pool` from every entry.
    pub(crate) fn remove_pool(&mut self, pool: usize) {
        let bit = pool_bit(pool);
        for (i, e) in self.entries.iter_mut().enumerate() {
            e.pools &= !bit;
            if e.pools == 0 && i != 0 {
                *e = Vlvf::default();
            }
        }
    }

    /// Whether an entry for the non-zero `vid` exists.
    pub(crate) fn has(&self, vid: u16) -> bool {
        self.entries
            .iter()
            .skip(1)
            .any(|e| e.pools != 0 && e.vid == vid)
    }

    /// Number of free entries.
    pub(crate) fn free_entries(&self) -> usize {
        self.entries.iter().skip(1).filter(|e| e.pools == 0).count()
    }

    /// Number of non-zero VLAN ids `pool` is a member of.
    pub(crate) fn count_of(&self, pool: usize) -> usize {
        let bit = pool_bit(pool);
        self.entries
            .iter()
            .skip(1)
            .filter(|e| e.pools & bit != 0)
            .count()
    }

    /// The VLAN filter table: one bit per VID present in a used entry.
    pub(crate) fn vid_bitmap(&self) -> [u32; VFTA_WORDS] {
        let mut bits = [0u32; VFTA_WORDS];
        for e in self.entries.iter().filter(|e| e.pools != 0) {
            let vid = usize::from(e.vid & MAX_VID);
            if let Some(w) = bits.get_mut(vid / 32) {
                *w |= 1 << (vid % 32);
            }
        }
        bits
    }
}

#[cfg(any(test, CONFIG_KUNIT))]
#[cfg_attr(CONFIG_KUNIT, kernel::prelude::kunit_tests(rigb_model_filters))]
mod tests {
    use super::*;

    const PF_MAC: MacAddr = MacAddr([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
    const MAC_A: MacAddr = MacAddr([0x02, 0x00, 0x00, 0x00, 0x00, 0x0a]);

    fn has_vid(t: &VlanTable, vid: usize) -> bool {
        t.vid_bitmap()[vid / 32] & (1 << (vid % 32)) != 0
    }

    #[test]
    fn rar_primary_entries_from_the_top() {
        let mut t = RarTable::new(PF_MAC);
        assert_eq!(t.entries()[0].owner, RarOwner::Pf);
        assert_eq!(RarTable::primary_index(0), Some(23));
        assert_eq!(RarTable::primary_index(24), None);
        t.set_primary(2, MAC_A);
        assert_eq!(
            t.entries()[21],
            Rar {
                mac: MAC_A,
                owner: RarOwner::VfPrimary(2)
            }
        );
        t.set_primary(2, MacAddr::ZERO);
        assert_eq!(t.entries()[21], Rar::default());
        // Out of range: nothing to write.
        t.set_primary(99, MAC_A);
        assert!(t
            .entries()
            .iter()
            .skip(1)
            .all(|r| r.owner == RarOwner::Free));
    }

    #[test]
    fn rar_filters_stay_below_the_primaries() {
        let mut t = RarTable::new(PF_MAC);
        // 7 VFs: entries 1..=16 only.
        for i in 0..16u8 {
            assert!(t.add_filter(usize::from(i % 7), MacAddr([2, 0, 0, 0, 1, i]), 7));
        }
        assert!(!t.add_filter(0, MAC_A, 7));
        assert!(t.entries()[17..].iter().all(|r| r.owner == RarOwner::Free));
        assert!(t.has_filter(0, MacAddr([2, 0, 0, 0, 1, 0])));
        assert!(t.used_by_other(1, MacAddr([2, 0, 0, 0, 1, 0])));
        assert!(!t.used_by_other(0, MacAddr([2, 0, 0, 0, 1, 0])));
        assert!(t.used_by_other(0, PF_MAC));
        assert_eq!(t.filters_of(0), 3);
        assert!(t.drop_filters(0));
        assert!(!t.drop_filters(0));
        assert_eq!(t.filters_of(0), 0);
        assert!(t.add_filter(3, MAC_A, 7));
    }

    #[test]
    fn vlan_entries_are_shared_allocated_from_the_top_and_freed() {
        let mut t = VlanTable::new(0b1000);
        assert!(t.add(0, 100));
        assert!(t.add(1, 100));
        assert_eq!(
            t.entries()[31],
            Vlvf {
                vid: 100,
                pools: 0b11
            }
        );
        assert!(t.add(1, 200));
        assert_eq!(
            t.entries()[30],
            Vlvf {
                vid: 200,
                pools: 0b10
            }
        );
        assert_eq!(t.count_of(1), 2);
        assert!(has_vid(&t, 100) && has_vid(&t, 200) && has_vid(&t, 0));
        t.remove(0, 100);
        assert_eq!(t.entries()[31].pools, 0b10);
        t.remove_pool(1);
        assert_eq!(t.entries()[31], Vlvf::default());
        assert_eq!(t.entries()[30], Vlvf::default());
        assert!(!has_vid(&t, 100));
        // VID 0 stays, whatever is removed.
        t.remove_pool(3);
        assert_eq!(t.entries()[0].vid, 0);
        assert!(!has_vid(&t, 0));
        assert!(t.add(2, 0));
        assert!(has_vid(&t, 0));
    }

    #[test]
    fn vlan_table_full() {
        let mut t = VlanTable::new(0);
        for vid in 1..VLVF_ENTRIES as u16 {
            assert!(t.add(0, vid));
        }
        assert!(!t.add(1, 1000));
        assert!(t.add(1, 5));
        assert!(t.add(1, 0));
        assert_eq!(t.count_of(0), 31);
    }
}
