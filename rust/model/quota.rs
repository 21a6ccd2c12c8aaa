// SPDX-License-Identifier: GPL-2.0

//! Shares of the tables the VFs fill themselves: spare receive address entries (unicast
//! filters) and VLAN pool filter entries. Each enabled VF is owed a fixed share that no other
//! VF can take; what no VF is owed goes to whoever asks first. The VLAN table also keeps a
//! few entries that only the administrator (port VLANs) can use. Pure arithmetic; the model
//! counts the entries.

use super::filters::{
    MAX_VF_FILTERS,
    RAR_ENTRIES,
    VLVF_ENTRIES, //
};

/// VLVF entries that VF requests never get, kept for the administrator's port VLANs.
pub(crate) const ADMIN_VLAN_RESERVE: usize = 4;

/// Unicast filters (spare receive address entries) each of `num_vfs` VFs is sure to get.
/// Entry 0 is the PF's and each VF has a primary entry; the rest is shared.
pub(crate) fn filter_share(num_vfs: usize) -> usize {
    let spares = RAR_ENTRIES.saturating_sub(1 + num_vfs);
    spares.checked_div(num_vfs).unwrap_or(0).min(MAX_VF_FILTERS)
}

/// VLANs of their own each of `num_vfs` VFs is sure to get. Entry 0 is VID 0, shared by all.
pub(crate) fn vlan_share(num_vfs: usize) -> usize {
    VLVF_ENTRIES
        .saturating_sub(1 + ADMIN_VLAN_RESERVE)
        .checked_div(num_vfs)
        .unwrap_or(0)
}

/// What another VF is still owed: its share less what it already holds.
pub(crate) fn owed(share: usize, held: usize) -> usize {
    share.saturating_sub(held)
}

/// Whether a VF may take one of `free` entries while `owed` of them are owed to other VFs and
/// `reserve` are kept for the administrator.
pub(crate) fn may_take(free: usize, owed: usize, reserve: usize) -> bool {
    free > owed.saturating_add(reserve)
}

#[cfg(any(test, CONFIG_KUNIT))]
#[cfg_attr(CONFIG_KUNIT, kernel::prelude::kunit_tests(rigb_model_quota))]
mod tests {
    use super::*;

    #[test]
    fn shares_fit_the_tables() {
        for n in 1..=7 {
            assert!(filter_share(n) * n <= RAR_ENTRIES - 1 - n);
            assert!(vlan_share(n) * n + ADMIN_VLAN_RESERVE < VLVF_ENTRIES);
            assert!(filter_share(n) >= 2);
            assert!(vlan_share(n) >= 3);
        }
        assert_eq!(filter_share(7), 2);
        assert_eq!(filter_share(1), MAX_VF_FILTERS);
        assert_eq!(vlan_share(7), 3);
        assert_eq!(vlan_share(1), 27);
        assert_eq!(filter_share(0), 0);
        assert_eq!(vlan_share(0), 0);
    }

    #[test]
    fn the_last_free_entries_go_to_those_owed_them() {
        assert!(may_take(5, 3, 1));
        assert!(!may_take(4, 3, 1));
        assert!(!may_take(0, 0, 0));
        assert!(may_take(1, 0, 0));
        assert_eq!(owed(3, 1), 2);
        assert_eq!(owed(3, 5), 0);
    }
}
