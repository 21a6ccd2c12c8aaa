// SPDX-License-Identifier: GPL-2.0

//! One VF as the PF sees it: what the administrator configured ([`VfConfig`]), what the VF
//! set up through its mailbox ([`VfState`]), the hardware resources that belong to it, and the
//! values the hardware is programmed with for it.

use super::{
    mac::MacAddr,
    NUM_POOLS, //
};
use crate::mbx::msg::McList;

/// Largest frame a VF may ask for (C igb's `MAX_JUMBO_FRAME_SIZE`); also the PF's limit.
pub(crate) const MAX_FRAME: u32 = 0x2600;
/// Smallest frame size accepted by SET_LPE (minimum Ethernet frame).
pub(crate) const MIN_FRAME: u32 = 64;
/// Frame size a VF gets after reset (1500 + header + FCS + one VLAN tag).
pub(crate) const DEFAULT_MAX_FRAME: u16 = 1522;
/// Largest valid VLAN id.
pub(crate) const MAX_VID: u16 = 4095;
/// Largest 802.1p priority.
pub(crate) const MAX_QOS: u8 = 7;
/// Queues per pool: VF n owns queues n and n + 8.
pub(crate) const QUEUE_STRIDE: usize = 8;

/// The two queues of VF `vf` (the 82576 pairs queue n with queue n + 8 in pool n).
pub(crate) fn queues(vf: usize) -> [usize; 2] {
    [vf, vf + QUEUE_STRIDE]
}

/// Pool-select bit of `pool`, 0 for an invalid pool.
pub(crate) fn pool_bit(pool: usize) -> u8 {
    if pool < NUM_POOLS {
        1 << pool
    } else {
        0
    }
}

/// Administrative link state of a VF (`ip link set <pf> vf N state ...`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) enum LinkState {
    /// Follow the PF link.
    #[default]
    Auto,
    /// Always up.
    Enable,
    /// Always down: the VF's RX/TX are kept disabled (82576 cannot fake a VF's link bit).
    Disable,
}

/// Administrator's configuration of a VF (netlink `ip link set <pf> vf N ...`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct VfConfig {
    /// MAC forced by the administrator; `None` lets the VF choose.
    pub(crate) mac: Option<MacAddr>,
    /// Port VLAN inserted on TX and required on RX; 0 = none.
    pub(crate) port_vlan: u16,
    /// 802.1p priority inserted with the port VLAN.
    pub(crate) qos: u8,
    /// MAC/VLAN anti-spoofing on the VF's TX.
    pub(crate) spoofchk: bool,
    /// A trusted VF may override an administrative MAC and add filters.
    pub(crate) trusted: bool,
    /// Administrative link state.
    pub(crate) link: LinkState,
    /// Transmit rate limit in Mb/s; 0 means unlimited.
    pub(crate) max_tx_rate: u32,
}

impl Default for VfConfig {
    fn default() -> Self {
        // Same defaults as C igb's igb_vf_configure(): spoof check on, not trusted.
        Self {
            mac: None,
            port_vlan: 0,
            qos: 0,
            spoofchk: true,
            trusted: false,
            link: LinkState::Auto,
            max_tx_rate: 0,
        }
    }
}

/// Runtime state the VF built through the mailbox; cleared by its resets.
#[derive(Clone, Copy, Debug)]
pub(crate) struct VfState {
    /// The VF completed a RESET handshake and may send configuration requests.
    pub(crate) cts: bool,
    /// Primary MAC; zero = none.
    pub(crate) mac: MacAddr,
    /// Its last multicast list.
    pub(crate) mc: McList,
    /// The VF asked for multicast promiscuous mode with SET_PROMISC.
    pub(crate) mc_promisc_req: bool,
    /// Maximum receive frame size.
    pub(crate) max_frame: u16,
    /// Number of non-zero VLAN ids whose VLVF entry has this VF's pool bit (port VLAN included).
    pub(crate) vlan_count: usize,
}

impl Default for VfState {
    fn default() -> Self {
        Self {
            cts: false,
            mac: MacAddr::ZERO,
            mc: McList::default(),
            mc_promisc_req: false,
            max_frame: DEFAULT_MAX_FRAME,
            vlan_count: 0,
        }
    }
}

impl VfState {
    /// Effective multicast promiscuous mode: asked for, or the multicast list did not fit
    /// (like C igb: better extra multicast than silently losing groups the VF joined).
    pub(crate) fn mc_promisc(&self) -> bool {
        self.mc_promisc_req || self.mc.overflowed()
    }
}

/// One VF: administrative configuration and runtime state.
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct Vf {
    /// Set by the administrator; survives resets.
    pub(crate) config: VfConfig,
    /// Built by the VF; cleared by resets.
    pub(crate) state: VfState,
}

/// What a VF's pool accepts on receive (the 82576's VMOLR).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct PoolRx {
    /// Accept untagged frames (off with a port VLAN so the VF only sees its VLAN).
    pub(crate) untagged: bool,
    /// Accept multicast matching the multicast table.
    pub(crate) multicast_hashed: bool,
    /// Accept all multicast.
    pub(crate) multicast_all: bool,
    /// Strip VLAN tags on receive.
    pub(crate) strip_vlan: bool,
    /// Largest frame accepted.
    pub(crate) max_frame: u16,
}

impl PoolRx {
    /// A pool that accepts nothing but broadcast (a VF that is not enabled).
    pub(crate) const CLOSED: Self = Self {
        untagged: false,
        multicast_hashed: false,
        multicast_all: false,
        strip_vlan: false,
        max_frame: DEFAULT_MAX_FRAME,
    };
}

/// An 802.1Q tag the hardware inserts into every frame a VF sends (its port VLAN).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct VlanTag {
    /// VLAN id (0: priority tag only).
    pub(crate) vid: u16,
    /// 802.1p priority.
    pub(crate) pcp: u8,
}

/// A transmit rate limit as the 82576's rate scheduler takes it: the ratio link speed / rate
/// as a 14.14 fixed-point number.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct RateFactor {
    /// Integer part (14 bits).
    pub(crate) int: u32,
    /// Fraction in 1/16384 (14 bits).
    pub(crate) frac: u32,
}

impl RateFactor {
    /// The factor that limits a queue to `rate` Mb/s on a `link_mbps` link, computed like C
    /// igb's `igb_set_vf_rate_limit()`; `None` means unlimited (no rate). A rate above the
    /// link speed (the link came back slower than when the limit was set) keeps the limiter
    /// on at the link speed: C igb turns it off, which also lifts the limit on VF-to-VF
    /// traffic, which the link speed does not bound.
    pub(crate) fn new(link_mbps: u32, rate: u32) -> Option<Self> {
        if rate == 0 {
            return None;
        }
        let link_mbps = link_mbps.max(1);
        let rate = rate.min(link_mbps);
        let int = link_mbps / rate;
        let frac = ((link_mbps - int * rate) << 14) / rate;
        Some(Self {
            int: int & 0x3fff,
            frac: frac & 0x3fff,
        })
    }
}

impl Vf {
    /// The receive settings of its pool.
    pub(crate) fn pool_rx(&self) -> PoolRx {
        PoolRx {
            untagged: self.config.port_vlan == 0,
            multicast_hashed: self.state.mc.len > 0,
            multicast_all: self.state.mc_promisc(),
            // igbvf reads the tag from the descriptor when stripped; stripping is needed for
            // the port VLAN so the VF never sees the tag it did not add.
            strip_vlan: self.config.port_vlan != 0 || self.state.vlan_count > 0,
            max_frame: self.state.max_frame,
        }
    }

    /// The tag inserted into its frames: none without port VLAN and priority (like C igb, a
    /// priority alone with VID 0 also inserts a tag).
    pub(crate) fn port_vlan_tag(&self) -> Option<VlanTag> {
        let c = &self.config;
        (c.port_vlan != 0 || c.qos != 0).then_some(VlanTag {
            vid: c.port_vlan & MAX_VID,
            pcp: c.qos & MAX_QOS,
        })
    }

    /// Its rate limit at link speed `link_mbps`.
    pub(crate) fn rate_factor(&self, link_mbps: u32) -> Option<RateFactor> {
        RateFactor::new(link_mbps, self.config.max_tx_rate)
    }
}

#[cfg(any(test, CONFIG_KUNIT))]
#[cfg_attr(CONFIG_KUNIT, kernel::prelude::kunit_tests(rigb_model_vf))]
mod tests {
    use super::*;

    #[test]
    fn rate_factor_matches_c_igb() {
        // 1000 / 100 = 10.0: integer part 10, no fraction.
        assert_eq!(
            RateFactor::new(1000, 100),
            Some(RateFactor { int: 10, frac: 0 })
        );
        // 1000 / 300 = 3.333..: fraction 0.333 * 2^14 = 5461.
        assert_eq!(
            RateFactor::new(1000, 300),
            Some(RateFactor { int: 3, frac: 5461 })
        );
        assert_eq!(RateFactor::new(1000, 0), None);
        // Never unlimited once set, whatever the link does.
        assert_eq!(
            RateFactor::new(100, 300),
            Some(RateFactor { int: 1, frac: 0 })
        );
        assert!(RateFactor::new(0, 100).is_some());
    }

    #[test]
    fn resources_of_a_vf() {
        assert_eq!(queues(0), [0, 8]);
        assert_eq!(queues(6), [6, 14]);
        assert_eq!(pool_bit(0), 1);
        assert_eq!(pool_bit(7), 0x80);
        assert_eq!(pool_bit(8), 0);
    }

    #[test]
    fn defaults_are_c_igb_s() {
        let v = Vf::default();
        assert!(v.config.spoofchk && !v.config.trusted);
        assert_eq!(v.config.link, LinkState::Auto);
        assert_eq!(v.state.max_frame, DEFAULT_MAX_FRAME);
        assert_eq!(v.port_vlan_tag(), None);
        assert_eq!(v.rate_factor(1000), None);
        assert!(v.pool_rx().untagged && !v.pool_rx().strip_vlan);
    }
}
