// SPDX-License-Identifier: GPL-2.0

//! PF/VF mailbox protocol and filter-table model of the 82576.
//!
//! This module is pure: it decodes one VF request, updates a software model of every VF and of
//! the device-wide filter tables shared between pools (RAR, VLVF/VFTA, MTA), and tells the
//! caller which hardware areas to re-program from the model ([`Dirty`]). It never touches
//! registers, never allocates and never panics on VF-controlled input, so that the same code runs
//! as KUnit tests in the kernel and as `cargo test` on the host (`tests/host`).
//!
//! The protocol is the one spoken by Linux `igbvf` against the in-tree C `igb` PF. Where C
//! `igb` is known to be wrong, the model follows what `igbvf` needs instead; those places are
//! marked "C igb deviation".

/// Number of 32-bit words in one mailbox buffer (VMBMEM).
pub(crate) const MBX_WORDS: usize = 16;
/// Maximum number of VFs: C igb caps the 82576 at 7 so that the PF keeps a pool of its own.
pub(crate) const MAX_VFS: usize = 7;
/// Number of VMDq pools; VF n owns pool n and the PF owns pool `num_vfs`.
pub(crate) const NUM_POOLS: usize = 8;
/// Number of VLVF (VLAN pool filter) entries.
pub(crate) const VLVF_ENTRIES: usize = 32;
/// Number of receive address registers; RAR[0] is the PF MAC, RAR[23-n] VF n's primary MAC.
pub(crate) const RAR_ENTRIES: usize = 24;
/// Multicast hashes stored per VF: what fits in one 16-word message after word 0.
pub(crate) const MAX_MC_HASHES: usize = 30;
/// Largest frame a VF may ask for (C igb's `MAX_JUMBO_FRAME_SIZE`).
pub(crate) const MAX_FRAME_LIMIT: u32 = 0x2600;
/// Smallest frame size accepted by SET_LPE (minimum Ethernet frame).
pub(crate) const MIN_FRAME: u32 = 64;
/// Frame size a VF gets after reset (1500 + header + FCS + one VLAN tag).
pub(crate) const DEFAULT_MAX_FRAME: u16 = 1522;
/// Extra unicast filters a VF may hold; `igbvf` never sends more than 3.
pub(crate) const MAX_VF_FILTERS: usize = 3;
/// Largest valid VLAN id.
pub(crate) const MAX_VID: u16 = 4095;
/// Largest 802.1p priority.
pub(crate) const MAX_QOS: u8 = 7;

/// Mailbox message words, as defined by `igbvf`'s `mbx.h`.
pub(crate) mod msg {
    /// VF asks to be reset; the reply carries its MAC address.
    pub(crate) const RESET: u32 = 0x01;
    /// VF sets its primary MAC (info 0) or manages extra unicast filters (info 1/2).
    pub(crate) const SET_MAC_ADDR: u32 = 0x02;
    /// VF sends its multicast hash list; info = number of hashes.
    pub(crate) const SET_MULTICAST: u32 = 0x03;
    /// VF joins or leaves a VLAN; word0 bit 16 = add.
    pub(crate) const SET_VLAN: u32 = 0x04;
    /// VF sets its maximum receive frame size (word 1).
    pub(crate) const SET_LPE: u32 = 0x05;
    /// VF asks for promiscuous modes (info flags).
    pub(crate) const SET_PROMISC: u32 = 0x06;
    /// PF-to-VF control message ("ping").
    pub(crate) const PF_CONTROL: u32 = 0x0100;
    /// Reply type: request accepted.
    pub(crate) const ACK: u32 = 0x8000_0000;
    /// Reply type: request refused.
    pub(crate) const NACK: u32 = 0x4000_0000;
    /// The VF is clear to send (has completed a reset handshake).
    pub(crate) const CTS: u32 = 0x2000_0000;
    /// Bits of word 0 holding the message id.
    pub(crate) const ID_MASK: u32 = 0xFFFF;
    /// Shift of the info field in word 0.
    pub(crate) const INFO_SHIFT: u32 = 16;
    /// Bits of word 0 holding the info field.
    pub(crate) const INFO_MASK: u32 = 0x00FF_0000;
    /// All reply-type bits; a VF request must not carry any of them.
    pub(crate) const TYPE_MASK: u32 = ACK | NACK | CTS;
    /// SET_MAC_ADDR info value: remove all extra unicast filters of the VF.
    pub(crate) const MAC_FILTER_CLR: u32 = 1;
    /// SET_MAC_ADDR info value: add one extra unicast filter.
    pub(crate) const MAC_FILTER_ADD: u32 = 2;
    /// SET_PROMISC info flag: unicast promiscuous (never granted).
    pub(crate) const PROMISC_UNICAST: u32 = 0x01;
    /// SET_PROMISC info flag: multicast promiscuous.
    pub(crate) const PROMISC_MULTICAST: u32 = 0x02;
    /// SET_VLAN word 0 flag (info value 1): add, otherwise remove.
    pub(crate) const VLAN_ADD: u32 = 0x0001_0000;
}

/// An Ethernet MAC address.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
pub(crate) struct MacAddr(pub(crate) [u8; 6]);

impl MacAddr {
    /// The all-zero address, meaning "no address".
    pub(crate) const ZERO: Self = Self([0; 6]);

    /// Returns true for 00:00:00:00:00:00.
    pub(crate) fn is_zero(self) -> bool {
        self.0 == [0; 6]
    }

    /// Returns true when the I/G bit (bit 0 of the first byte) is set; includes broadcast.
    pub(crate) fn is_multicast(self) -> bool {
        self.0[0] & 1 != 0
    }

    /// Returns true for ff:ff:ff:ff:ff:ff.
    pub(crate) fn is_broadcast(self) -> bool {
        self.0 == [0xff; 6]
    }

    /// Returns true when the address may be used as a unicast station address.
    pub(crate) fn is_valid_unicast(self) -> bool {
        !self.is_zero() && !self.is_multicast()
    }

    /// Decodes the address from mailbox words 1 and 2.
    ///
    /// `igbvf` `memcpy`s the six bytes to `&msgbuf[1]`, so on the (little-endian) wire byte 0
    /// is the low byte of word 1 and bytes 4-5 are the low half of word 2.
    pub(crate) fn from_words(w1: u32, w2: u32) -> Self {
        let a = w1.to_le_bytes();
        let b = w2.to_le_bytes();
        Self([a[0], a[1], a[2], a[3], b[0], b[1]])
    }

    /// Encodes the address as mailbox words 1 and 2 (inverse of [`MacAddr::from_words`]).
    pub(crate) fn to_words(self) -> (u32, u32) {
        let m = self.0;
        (
            u32::from_le_bytes([m[0], m[1], m[2], m[3]]),
            u32::from_le_bytes([m[4], m[5], 0, 0]),
        )
    }

    /// Value of the RAL register for this address.
    pub(crate) fn ral(self) -> u32 {
        self.to_words().0
    }

    /// Address bits of the RAH register (low 16 bits; the caller adds AV and pool bits).
    pub(crate) fn rah_addr(self) -> u32 {
        self.to_words().1
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

/// Runtime state the VF built through the mailbox.
#[derive(Clone, Copy, Debug)]
pub(crate) struct VfState {
    /// The VF completed a RESET handshake and may send configuration requests.
    pub(crate) cts: bool,
    /// Primary MAC; zero = none.
    pub(crate) mac: MacAddr,
    /// Multicast hashes (12 bits each), the first `num_mc` are valid.
    pub(crate) mc_hashes: [u16; MAX_MC_HASHES],
    /// Number of valid entries in `mc_hashes` (at most [`MAX_MC_HASHES`]).
    pub(crate) num_mc: usize,
    /// Effective multicast promiscuous mode: `mc_promisc_req || mc_overflow`.
    pub(crate) mc_promisc: bool,
    /// The VF asked for multicast promiscuous mode with SET_PROMISC.
    pub(crate) mc_promisc_req: bool,
    /// The VF's last SET_MULTICAST listed more hashes than can be stored.
    pub(crate) mc_overflow: bool,
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
            mc_hashes: [0; MAX_MC_HASHES],
            num_mc: 0,
            mc_promisc: false,
            mc_promisc_req: false,
            mc_overflow: false,
            max_frame: DEFAULT_MAX_FRAME,
            vlan_count: 0,
        }
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

/// One VLVF entry: a VLAN id and the pools that receive it.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(crate) struct Vlvf {
    /// VLAN id (12 bits).
    pub(crate) vid: u16,
    /// Pool bit mask; 0 means the entry is free (entry 0 always stays VID 0).
    pub(crate) pools: u8,
}

/// Who uses a RAR entry.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(crate) enum RarOwner {
    /// Unused.
    #[default]
    Free,
    /// The PF's own address (pool `num_vfs`).
    Pf,
    /// Primary address of VF n (pool n).
    VfPrimary(usize),
    /// Extra unicast filter of VF n (pool n).
    VfFilter(usize),
}

/// One RAR entry; its pool is the owner's pool.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(crate) struct Rar {
    /// Address matched.
    pub(crate) mac: MacAddr,
    /// Owner, which also selects the pool.
    pub(crate) owner: RarOwner,
}

/// Bit set of hardware areas the caller must re-program from the model after an operation.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(crate) struct Dirty(pub(crate) u32);

impl Dirty {
    /// Nothing to do.
    pub(crate) const NONE: Self = Self(0);
    /// All RAR entries.
    pub(crate) const RAR: Self = Self(1);
    /// All VLVF entries and the VFTA.
    pub(crate) const VLVF: Self = Self(2);
    /// The MTA, recomputed from all VFs' hashes (plus the PF's own).
    pub(crate) const MTA: Self = Self(4);
    /// This VF's VMOLR (AUPE, ROMPE, MPME, STRVLAN, LPE/RLPML).
    pub(crate) const VMOLR: Self = Self(8);
    /// This VF's VMVIR (port VLAN insertion).
    pub(crate) const VMVIR: Self = Self(16);
    /// Set this VF's VFRE/VFTE bits.
    pub(crate) const ENABLE: Self = Self(32);
    /// Clear this VF's VFRE/VFTE bits.
    pub(crate) const DISABLE: Self = Self(64);
    /// This VF's anti-spoof bits in DTXSWC.
    pub(crate) const SPOOFCHK: Self = Self(128);
    /// This VF's transmit rate limiter.
    pub(crate) const RATE: Self = Self(256);

    /// Returns true when every bit of `other` is set in `self`.
    pub(crate) const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Returns the bits set in either operand.
    pub(crate) const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Returns true when nothing needs re-programming.
    pub(crate) const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl core::ops::BitOr for Dirty {
    type Output = Self;

    fn bitor(self, rhs: Self) -> Self {
        self.union(rhs)
    }
}

impl core::ops::BitOrAssign for Dirty {
    fn bitor_assign(&mut self, rhs: Self) {
        *self = self.union(rhs);
    }
}

/// Why a request was refused or needs the administrator's attention; the caller logs these
/// rate-limited.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Event {
    /// The VF sent a request before completing a RESET handshake.
    NotClearToSend,
    /// Unknown message id, sub-command, or reply-type bits in a request (word 0 attached).
    UnknownMessage(u32),
    /// The VF sent a zero or multicast address.
    InvalidMac(MacAddr),
    /// An untrusted VF tried to replace its administratively set MAC.
    AdminMacDenied,
    /// An untrusted VF with an administratively set MAC tried to add a unicast filter.
    FilterDenied,
    /// No RAR entry left, or the VF already holds [`MAX_VF_FILTERS`] filters.
    FilterTableFull,
    /// The VF tried to change VLANs while a port VLAN is configured.
    VlanDenied,
    /// No VLVF entry left.
    VlanTableFull,
    /// VLAN id above 4095 (raw word 1 attached).
    InvalidVlan(u32),
    /// SET_LPE size outside 64..=[`MAX_FRAME_LIMIT`] (raw word 1 attached).
    FrameTooLarge(u32),
    /// SET_PROMISC with unicast or unknown flags (info field attached).
    PromiscDenied(u32),
    /// The address is already used by the PF or another VF.
    MacInUse(MacAddr),
}

/// Result of one request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Outcome {
    /// Reply words; only the first `reply_len` are sent.
    pub(crate) reply: [u32; 3],
    /// Number of reply words to write to the VF's mailbox (1 or 3).
    pub(crate) reply_len: usize,
    /// Hardware areas to re-program.
    pub(crate) sync: Dirty,
    /// Something to log, if any.
    pub(crate) event: Option<Event>,
}

impl Outcome {
    /// The words to write to the mailbox.
    pub(crate) fn words(&self) -> &[u32] {
        self.reply.get(..self.reply_len).unwrap_or(&[])
    }

    /// One-word reply.
    fn one(word0: u32, sync: Dirty, event: Option<Event>) -> Self {
        Self {
            reply: [word0, 0, 0],
            reply_len: 1,
            sync,
            event,
        }
    }

    /// Normal accepted reply: the request's word 0 with its info bits, plus CTS and ACK.
    fn ack(word0: u32, sync: Dirty) -> Self {
        Self::one(word0 | msg::CTS | msg::ACK, sync, None)
    }

    /// Normal refused reply. The request's info bits are kept because `igbvf` compares the
    /// whole word (e.g. `SET_MAC_ADDR | MAC_FILTER_ADD | NACK`) after masking CTS.
    fn nack(word0: u32, event: Event) -> Self {
        Self::one(word0 | msg::CTS | msg::NACK, Dirty::NONE, Some(event))
    }
}

/// What the caller writes to one VF's VMOLR.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct VmolrFlags {
    /// Accept untagged frames (off with a port VLAN so the VF only sees its VLAN).
    pub(crate) aupe: bool,
    /// Accept multicast matching the MTA.
    pub(crate) rompe: bool,
    /// Accept all multicast.
    pub(crate) mpme: bool,
    /// Strip VLAN tags on receive.
    pub(crate) strip_vlan: bool,
    /// RLPML value (LPE is always set).
    pub(crate) max_frame: u16,
}

/// Why an administrative request was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum AdminError {
    /// VF index not below `num_vfs`.
    InvalidVf,
    /// Multicast or broadcast MAC.
    InvalidMac,
    /// VLAN id above 4095.
    InvalidVlan,
    /// Priority above 7.
    InvalidQos,
    /// No VLVF entry left for the port VLAN; nothing was changed.
    VlanTableFull,
}

/// VLVF pool-select bit of `pool` (0 for an invalid pool).
fn pool_bit(pool: usize) -> u8 {
    if pool < NUM_POOLS {
        1 << pool
    } else {
        0
    }
}

/// The info field (bits 23:16) of a message word 0.
fn info_of(word0: u32) -> u32 {
    (word0 & msg::INFO_MASK) >> msg::INFO_SHIFT
}

/// RTTBCNRC value that limits a queue to `rate` Mb/s on a `link_mbps` link: the rate factor
/// link/rate as a 14.14 fixed-point number, with the rate scheduler enabled (0 disables it),
/// computed like C igb's `igb_set_vf_rate_limit()`.
pub(crate) fn rate_factor(link_mbps: u32, rate: u32) -> u32 {
    if rate == 0 || link_mbps == 0 || rate > link_mbps {
        return 0;
    }
    let rf_int = link_mbps / rate;
    let rf_dec = ((link_mbps - rf_int * rate) << 14) / rate;
    0x8000_0000 | ((rf_int & 0x3fff) << 14) | (rf_dec & 0x3fff)
}

/// Model of all VFs and the device-wide shared filter tables.
#[derive(Clone, Debug)]
pub(crate) struct Model {
    /// Number of enabled VFs (at most [`MAX_VFS`]).
    pub(crate) num_vfs: usize,
    /// Per-VF configuration and state; entries at and above `num_vfs` are unused.
    pub(crate) vfs: [Vf; MAX_VFS],
    /// VLAN pool filter table; entry 0 is reserved for VID 0.
    pub(crate) vlvf: [Vlvf; VLVF_ENTRIES],
    /// Receive address table.
    pub(crate) rar: [Rar; RAR_ENTRIES],
}

impl Model {
    /// Creates the model for `num_vfs` VFs (clamped to [`MAX_VFS`]), all in reset state.
    pub(crate) fn new(num_vfs: usize, pf_mac: MacAddr) -> Self {
        let num_vfs = num_vfs.min(MAX_VFS);
        let mut m = Self {
            num_vfs,
            vfs: [Vf::default(); MAX_VFS],
            vlvf: [Vlvf::default(); VLVF_ENTRIES],
            rar: [Rar::default(); RAR_ENTRIES],
        };
        m.rar[0] = Rar {
            mac: pf_mac,
            owner: RarOwner::Pf,
        };
        // The PF keeps priority-tagged (VID 0) frames like C igb; entry 0 is never reused for
        // another VID so VID 0 can always be granted to a resetting VF.
        m.vlvf[0] = Vlvf {
            vid: 0,
            pools: pool_bit(num_vfs),
        };
        for vf in 0..num_vfs {
            m.vf_reset(vf);
        }
        m
    }

    /// Pool owned by the PF.
    pub(crate) fn pf_pool(&self) -> usize {
        self.num_vfs
    }

    /// Pool that RAR entry `i` steers to, or `None` if the entry is free or out of range.
    pub(crate) fn rar_pool(&self, i: usize) -> Option<usize> {
        match self.rar.get(i)?.owner {
            RarOwner::Free => None,
            RarOwner::Pf => Some(self.pf_pool()),
            RarOwner::VfPrimary(n) | RarOwner::VfFilter(n) => Some(n),
        }
    }

    /// All multicast hashes of all VFs; the caller ORs them into the MTA.
    pub(crate) fn mta_hashes(&self) -> impl Iterator<Item = u16> + '_ {
        self.active_vfs()
            .iter()
            .flat_map(|v| v.state.mc_hashes.iter().take(v.state.num_mc).copied())
    }

    /// VFTA contents: one bit per VID present in a used VLVF entry.
    pub(crate) fn vfta_bits(&self) -> [u32; 128] {
        let mut bits = [0u32; 128];
        for e in self.vlvf.iter().filter(|e| e.pools != 0) {
            let vid = usize::from(e.vid & MAX_VID);
            if let Some(w) = bits.get_mut(vid / 32) {
                *w |= 1 << (vid % 32);
            }
        }
        bits
    }

    /// VMOLR settings for `vf`; a closed configuration for an invalid index.
    pub(crate) fn vmolr_flags(&self, vf: usize) -> VmolrFlags {
        let Some(v) = self.get(vf) else {
            return VmolrFlags {
                aupe: false,
                rompe: false,
                mpme: false,
                strip_vlan: false,
                max_frame: DEFAULT_MAX_FRAME,
            };
        };
        VmolrFlags {
            aupe: v.config.port_vlan == 0,
            rompe: v.state.num_mc > 0,
            mpme: v.state.mc_promisc,
            // igbvf reads the tag from the descriptor when stripped; stripping is needed for
            // the port VLAN so the VF never sees the tag it did not add.
            strip_vlan: v.config.port_vlan != 0 || v.state.vlan_count > 0,
            max_frame: v.state.max_frame,
        }
    }

    /// VMVIR value for `vf`: 0 without port VLAN/priority, else VID, priority and "always
    /// insert" (like C igb, a priority alone with VID 0 also inserts a tag).
    pub(crate) fn vmvir(&self, vf: usize) -> u32 {
        match self.get(vf) {
            Some(v) if v.config.port_vlan != 0 || v.config.qos != 0 => {
                u32::from(v.config.port_vlan & MAX_VID)
                    | (u32::from(v.config.qos & MAX_QOS) << 13)
                    | 0x4000_0000
            }
            _ => 0,
        }
    }

    /// PF_CONTROL message for `vf`, with CTS if the VF is clear to send.
    pub(crate) fn control_msg(&self, vf: usize) -> u32 {
        match self.get(vf) {
            Some(v) if v.state.cts && v.config.link != LinkState::Disable => {
                msg::PF_CONTROL | msg::CTS
            }
            _ => msg::PF_CONTROL,
        }
    }

    /// The PF is about to reset or go away: every VF loses CTS, so that its next look at the
    /// mailbox tells it to reset once the PF is back (C igb does the same before a reset).
    pub(crate) fn pf_resetting(&mut self) {
        for v in self.vfs.iter_mut() {
            v.state.cts = false;
        }
    }

    /// Makes a running VF reset itself, so that it picks up a new administrative MAC without
    /// its driver being reloaded. Returns the message to send, if the VF is running.
    ///
    /// The VF loses CTS: igbvf's watchdog reads the control message, sees NACK without CTS and
    /// resets (at most once per 10 s), and its RESET reply then carries the new MAC.
    pub(crate) fn request_vf_reset(&mut self, vf: usize) -> Option<u32> {
        let v = self.get_mut(vf)?;
        if !v.state.cts {
            return None;
        }
        v.state.cts = false;
        Some(msg::PF_CONTROL | msg::NACK)
    }

    /// Handles one request from `vf`.
    ///
    /// While the administrator holds the VF's link down, replies carry no CTS: igbvf reports
    /// link down for as long as the last word it reads from the PF lacks CTS.
    pub(crate) fn handle(&mut self, vf: usize, words: &[u32; MBX_WORDS]) -> Outcome {
        let mut out = self.handle_request(vf, words);
        if self
            .get(vf)
            .is_some_and(|v| v.config.link == LinkState::Disable)
        {
            if let Some(w) = out.reply.first_mut() {
                *w &= !msg::CTS;
            }
        }
        out
    }

    /// Sets the transmit rate limit of `vf` in Mb/s (0: unlimited). The caller checks it
    /// against the link speed.
    pub(crate) fn set_max_tx_rate(&mut self, vf: usize, rate: u32) -> Result<Dirty, AdminError> {
        let v = self.get_mut(vf).ok_or(AdminError::InvalidVf)?;
        v.config.max_tx_rate = rate;
        Ok(Dirty::RATE)
    }

    fn handle_request(&mut self, vf: usize, words: &[u32; MBX_WORDS]) -> Outcome {
        let word0 = words[0];
        let Some(v) = self.get(vf) else {
            return Outcome::one(word0 | msg::NACK, Dirty::NONE, None);
        };
        let cts = v.state.cts;

        // Requests never carry reply-type bits; C igb silently drops such a word as "already
        // processed", but answering keeps the VF from waiting for its 1 s timeout.
        if word0 & msg::TYPE_MASK != 0 {
            let w = word0 & !msg::TYPE_MASK;
            let w = if cts { w | msg::CTS } else { w };
            return Outcome::one(
                w | msg::NACK,
                Dirty::NONE,
                Some(Event::UnknownMessage(word0)),
            );
        }

        let id = word0 & msg::ID_MASK;
        if id == msg::RESET {
            return self.reset_msg(vf);
        }
        if !cts {
            return Outcome::one(word0 | msg::NACK, Dirty::NONE, Some(Event::NotClearToSend));
        }

        match id {
            msg::SET_MAC_ADDR => {
                let mac = MacAddr::from_words(words[1], words[2]);
                match info_of(word0) {
                    0 => self.set_mac_msg(vf, word0, mac),
                    msg::MAC_FILTER_CLR => {
                        // C igb deviation: igbvf sends CLR with a zero address, which C igb
                        // validates and NACKs; the address is meaningless for CLR.
                        let sync = if self.drop_filters(vf) {
                            Dirty::RAR
                        } else {
                            Dirty::NONE
                        };
                        Outcome::ack(word0, sync)
                    }
                    msg::MAC_FILTER_ADD => self.add_filter_msg(vf, word0, mac),
                    _ => Outcome::nack(word0, Event::UnknownMessage(word0)),
                }
            }
            msg::SET_MULTICAST => self.set_multicast_msg(vf, word0, words),
            msg::SET_VLAN => self.set_vlan_msg(vf, word0, words[1]),
            msg::SET_LPE => {
                let size = words[1];
                if !(MIN_FRAME..=MAX_FRAME_LIMIT).contains(&size) {
                    return Outcome::nack(word0, Event::FrameTooLarge(size));
                }
                if let Some(v) = self.get_mut(vf) {
                    // Bounded by MAX_FRAME_LIMIT above, so it fits in u16.
                    v.state.max_frame = u16::try_from(size).unwrap_or(DEFAULT_MAX_FRAME);
                }
                Outcome::ack(word0, Dirty::VMOLR)
            }
            msg::SET_PROMISC => {
                let info = info_of(word0);
                // The 82576's ROPE/UPE would let a VF see other functions' unicast traffic,
                // and it is never used by igbvf, so only multicast promiscuous is granted.
                if info & !msg::PROMISC_MULTICAST != 0 {
                    return Outcome::nack(word0, Event::PromiscDenied(info));
                }
                if let Some(v) = self.get_mut(vf) {
                    v.state.mc_promisc_req = info & msg::PROMISC_MULTICAST != 0;
                    v.state.mc_promisc = v.state.mc_promisc_req || v.state.mc_overflow;
                }
                Outcome::ack(word0, Dirty::VMOLR)
            }
            _ => Outcome::nack(word0, Event::UnknownMessage(word0)),
        }
    }

    /// Resets the runtime state of `vf` like C igb's `igb_vf_reset()`.
    ///
    /// Keeps the administrative configuration; an administrative MAC replaces whatever the VF
    /// set. Drops the VF's filters, multicast list and VLANs, then grants the port VLAN (or
    /// VID 0) again. The VF must send RESET before it may configure anything else.
    pub(crate) fn vf_reset(&mut self, vf: usize) -> Dirty {
        let Some(v) = self.get_mut(vf) else {
            return Dirty::NONE;
        };
        let mac = v.config.mac.unwrap_or(v.state.mac);
        let port_vlan = v.config.port_vlan;
        v.state = VfState {
            mac,
            ..VfState::default()
        };
        self.drop_filters(vf);
        self.vlvf_remove_pool(vf);
        // Re-adding cannot fail: the VF was removed from the table just above, and any entry
        // it held for the port VLAN was freed or is still there.
        self.vlvf_add(vf, port_vlan & MAX_VID);
        self.recount_vlans(vf);
        self.write_primary(vf);
        Dirty::RAR | Dirty::VLVF | Dirty::MTA | Dirty::VMOLR | Dirty::VMVIR
    }

    /// Function-level reset of `vf` (VFLRE bit): the VF lost everything, including a MAC it
    /// set itself; an administrative MAC is kept. RX/TX stay disabled until the next RESET.
    pub(crate) fn vflr(&mut self, vf: usize) -> Dirty {
        let Some(v) = self.get_mut(vf) else {
            return Dirty::NONE;
        };
        if v.config.mac.is_none() {
            v.state.mac = MacAddr::ZERO;
        }
        self.vf_reset(vf) | Dirty::DISABLE
    }

    /// Sets (valid unicast) or clears (zero) the administrative MAC of `vf`.
    ///
    /// Like C igb the VF is not notified; it picks the address up at its next reset.
    pub(crate) fn set_admin_mac(&mut self, vf: usize, mac: MacAddr) -> Result<Dirty, AdminError> {
        let v = self.get_mut(vf).ok_or(AdminError::InvalidVf)?;
        if mac.is_zero() {
            v.config.mac = None;
            v.state.mac = MacAddr::ZERO;
        } else if mac.is_multicast() {
            return Err(AdminError::InvalidMac);
        } else {
            v.config.mac = Some(mac);
            v.state.mac = mac;
            // An untrusted VF with an administrative MAC may not hold filters (see SET_MAC_ADDR
            // ADD), so filters it added before would outlive the policy.
            if !v.config.trusted {
                self.drop_filters(vf);
            }
        }
        self.write_primary(vf);
        Ok(Dirty::RAR)
    }

    /// Sets the port VLAN and priority of `vf`; VID 0 with priority 0 removes it.
    ///
    /// The VF loses every VLAN it joined itself and is granted only the port VLAN (or VID 0).
    /// On [`AdminError::VlanTableFull`] nothing changes.
    pub(crate) fn set_port_vlan(
        &mut self,
        vf: usize,
        vid: u16,
        qos: u8,
    ) -> Result<Dirty, AdminError> {
        if self.get(vf).is_none() {
            return Err(AdminError::InvalidVf);
        }
        if vid > MAX_VID {
            return Err(AdminError::InvalidVlan);
        }
        if qos > MAX_QOS {
            return Err(AdminError::InvalidQos);
        }
        let saved = self.vlvf;
        self.vlvf_remove_pool(vf);
        if !self.vlvf_add(vf, vid) {
            self.vlvf = saved;
            return Err(AdminError::VlanTableFull);
        }
        if let Some(v) = self.get_mut(vf) {
            v.config.port_vlan = vid;
            v.config.qos = qos;
        }
        self.recount_vlans(vf);
        Ok(Dirty::VLVF | Dirty::VMVIR | Dirty::VMOLR)
    }

    /// Sets whether `vf` is trusted.
    ///
    /// Revoking trust re-applies the administrative MAC policy at once: filters are dropped
    /// and the primary MAC reverts to the administrative one.
    pub(crate) fn set_trust(&mut self, vf: usize, trusted: bool) -> Result<Dirty, AdminError> {
        let v = self.get_mut(vf).ok_or(AdminError::InvalidVf)?;
        v.config.trusted = trusted;
        let Some(admin) = v.config.mac.filter(|_| !trusted) else {
            return Ok(Dirty::NONE);
        };
        v.state.mac = admin;
        self.drop_filters(vf);
        self.write_primary(vf);
        Ok(Dirty::RAR)
    }

    /// Enables or disables MAC/VLAN anti-spoofing for `vf`.
    pub(crate) fn set_spoofchk(&mut self, vf: usize, on: bool) -> Result<Dirty, AdminError> {
        let v = self.get_mut(vf).ok_or(AdminError::InvalidVf)?;
        v.config.spoofchk = on;
        Ok(Dirty::SPOOFCHK)
    }

    /// Sets the administrative link state of `vf`.
    ///
    /// 82576 cannot force a VF's link bit, so "down" is emulated by disabling its RX/TX;
    /// "up"/"auto" re-enable them only once the VF has completed a reset.
    pub(crate) fn set_link_state(
        &mut self,
        vf: usize,
        link: LinkState,
    ) -> Result<Dirty, AdminError> {
        let v = self.get_mut(vf).ok_or(AdminError::InvalidVf)?;
        v.config.link = link;
        Ok(if link == LinkState::Disable {
            Dirty::DISABLE
        } else if v.state.cts {
            Dirty::ENABLE
        } else {
            Dirty::NONE
        })
    }

    /// RESET: reset the VF, grant CTS and return its MAC.
    fn reset_msg(&mut self, vf: usize) -> Outcome {
        let mut sync = self.vf_reset(vf);
        let mut mac = MacAddr::ZERO;
        let mut link = LinkState::Auto;
        if let Some(v) = self.get_mut(vf) {
            v.state.cts = true;
            mac = v.state.mac;
            link = v.config.link;
        }
        sync |= if link == LinkState::Disable {
            Dirty::DISABLE
        } else {
            Dirty::ENABLE
        };
        // igbvf's probe compares word 0 against exactly RESET|ACK or RESET|NACK, so unlike
        // every other reply this one must not carry CTS or the request's info bits.
        let reply = if mac.is_valid_unicast() {
            let (w1, w2) = mac.to_words();
            [msg::RESET | msg::ACK, w1, w2]
        } else {
            [msg::RESET | msg::NACK, 0, 0]
        };
        Outcome {
            reply,
            reply_len: 3,
            sync,
            event: None,
        }
    }

    /// SET_MAC_ADDR info 0: replace the primary MAC.
    fn set_mac_msg(&mut self, vf: usize, word0: u32, mac: MacAddr) -> Outcome {
        let Some(v) = self.get(vf) else {
            return Outcome::nack(word0, Event::UnknownMessage(word0));
        };
        if let Some(admin) = v.config.mac {
            if !v.config.trusted && mac != admin {
                return Outcome::nack(word0, Event::AdminMacDenied);
            }
        }
        if !mac.is_valid_unicast() {
            return Outcome::nack(word0, Event::InvalidMac(mac));
        }
        // A later RAR entry with the same address would let the VF steal or snoop the PF's or
        // another VF's unicast traffic (C igb does not check this).
        if self.mac_used_by_other(vf, mac) {
            return Outcome::nack(word0, Event::MacInUse(mac));
        }
        if let Some(v) = self.get_mut(vf) {
            v.state.mac = mac;
        }
        self.write_primary(vf);
        Outcome::ack(word0, Dirty::RAR)
    }

    /// SET_MAC_ADDR MAC_FILTER_ADD: one extra unicast RAR entry for the VF.
    fn add_filter_msg(&mut self, vf: usize, word0: u32, mac: MacAddr) -> Outcome {
        let Some(v) = self.get(vf) else {
            return Outcome::nack(word0, Event::UnknownMessage(word0));
        };
        if !mac.is_valid_unicast() {
            return Outcome::nack(word0, Event::InvalidMac(mac));
        }
        // The primary RAR entry already steers this address to the VF.
        if mac == v.state.mac {
            return Outcome::ack(word0, Dirty::NONE);
        }
        if v.config.mac.is_some() && !v.config.trusted {
            return Outcome::nack(word0, Event::FilterDenied);
        }
        let own = RarOwner::VfFilter(vf);
        if self.rar.iter().any(|r| r.owner == own && r.mac == mac) {
            return Outcome::ack(word0, Dirty::NONE);
        }
        if self.mac_used_by_other(vf, mac) {
            return Outcome::nack(word0, Event::MacInUse(mac));
        }
        if self.rar.iter().filter(|r| r.owner == own).count() >= MAX_VF_FILTERS {
            return Outcome::nack(word0, Event::FilterTableFull);
        }
        let range = self.filter_range();
        let free = self
            .rar
            .get_mut(range)
            .and_then(|s| s.iter_mut().find(|r| r.owner == RarOwner::Free));
        match free {
            Some(r) => {
                *r = Rar { mac, owner: own };
                Outcome::ack(word0, Dirty::RAR)
            }
            None => Outcome::nack(word0, Event::FilterTableFull),
        }
    }

    /// SET_MULTICAST: replace the VF's hash list.
    fn set_multicast_msg(&mut self, vf: usize, word0: u32, words: &[u32; MBX_WORDS]) -> Outcome {
        let count = usize::try_from(info_of(word0)).unwrap_or(usize::MAX);
        let Some(v) = self.get_mut(vf) else {
            return Outcome::nack(word0, Event::UnknownMessage(word0));
        };
        let mut hashes = [0u16; MAX_MC_HASHES];
        let mut n = 0;
        // Two 16-bit hashes per word from word 1, low half first (igbvf writes a u16 array
        // over &msgbuf[1]); 15 payload words hold exactly MAX_MC_HASHES.
        for (i, slot) in hashes.iter_mut().enumerate().take(count) {
            let Some(&w) = words.get(1 + i / 2) else {
                break;
            };
            let half = if i % 2 == 0 { w } else { w >> 16 };
            // The MTA has 4096 bits; igbvf's hashes are 12 bits wide.
            *slot = (half & 0x0FFF) as u16;
            n += 1;
        }
        v.state.mc_hashes = hashes;
        v.state.num_mc = n;
        // Like C igb (MPME when more than 30 were requested): better extra multicast than
        // silently losing groups the VF joined.
        v.state.mc_overflow = count > MAX_MC_HASHES;
        v.state.mc_promisc = v.state.mc_promisc_req || v.state.mc_overflow;
        Outcome::ack(word0, Dirty::MTA | Dirty::VMOLR)
    }

    /// SET_VLAN: join or leave one VLAN.
    fn set_vlan_msg(&mut self, vf: usize, word0: u32, w1: u32) -> Outcome {
        let Some(v) = self.get(vf) else {
            return Outcome::nack(word0, Event::UnknownMessage(word0));
        };
        if w1 > u32::from(MAX_VID) {
            return Outcome::nack(word0, Event::InvalidVlan(w1));
        }
        if v.config.port_vlan != 0 {
            return Outcome::nack(word0, Event::VlanDenied);
        }
        let vid = (w1 & u32::from(MAX_VID)) as u16;
        if word0 & msg::VLAN_ADD != 0 {
            if !self.vlvf_add(vf, vid) {
                return Outcome::nack(word0, Event::VlanTableFull);
            }
        } else if vid != 0 {
            // Like C igb, VID 0 is never removed: it carries priority-tagged traffic and the
            // 8021q layer re-adds it on every open anyway.
            self.vlvf_remove(vf, vid);
        }
        self.recount_vlans(vf);
        Outcome::ack(word0, Dirty::VLVF | Dirty::VMOLR)
    }

    /// The enabled VFs.
    fn active_vfs(&self) -> &[Vf] {
        self.vfs.get(..self.num_vfs).unwrap_or(&[])
    }

    /// VF `vf` if it is enabled.
    fn get(&self, vf: usize) -> Option<&Vf> {
        self.active_vfs().get(vf)
    }

    /// VF `vf` if it is enabled, mutably.
    fn get_mut(&mut self, vf: usize) -> Option<&mut Vf> {
        let n = self.num_vfs;
        self.vfs.get_mut(..n)?.get_mut(vf)
    }

    /// RAR entries usable as VF filters: after the PF's entry 0 and below the VF primaries.
    fn filter_range(&self) -> core::ops::Range<usize> {
        1..RAR_ENTRIES.saturating_sub(self.num_vfs)
    }

    /// Index of VF `vf`'s primary RAR entry (23 - vf, as in C igb).
    fn primary_index(vf: usize) -> Option<usize> {
        (RAR_ENTRIES - 1).checked_sub(vf)
    }

    /// Rewrites RAR[23-vf] from the VF's primary MAC (freed when it has none).
    fn write_primary(&mut self, vf: usize) {
        let Some(mac) = self.get(vf).map(|v| v.state.mac) else {
            return;
        };
        let entry = if mac.is_valid_unicast() {
            Rar {
                mac,
                owner: RarOwner::VfPrimary(vf),
            }
        } else {
            Rar::default()
        };
        if let Some(r) = Self::primary_index(vf).and_then(|i| self.rar.get_mut(i)) {
            *r = entry;
        }
    }

    /// Frees all filter entries of `vf`; returns whether any existed.
    fn drop_filters(&mut self, vf: usize) -> bool {
        let mut any = false;
        for r in self.rar.iter_mut() {
            if r.owner == RarOwner::VfFilter(vf) {
                *r = Rar::default();
                any = true;
            }
        }
        any
    }

    /// Whether a RAR entry of the PF or of another VF already matches `mac`.
    fn mac_used_by_other(&self, vf: usize, mac: MacAddr) -> bool {
        self.rar.iter().any(|r| {
            r.mac == mac
                && !matches!(r.owner, RarOwner::Free)
                && r.owner != RarOwner::VfPrimary(vf)
                && r.owner != RarOwner::VfFilter(vf)
        })
    }

    /// Adds `pool` to the VLVF entry of `vid`, allocating one from the top if needed.
    fn vlvf_add(&mut self, pool: usize, vid: u16) -> bool {
        let bit = pool_bit(pool);
        if vid == 0 {
            self.vlvf[0].pools |= bit;
            return true;
        }
        let rest = self.vlvf.get_mut(1..).unwrap_or(&mut []);
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

    /// Removes `pool` from the VLVF entry of `vid` (entry 0 is never freed).
    fn vlvf_remove(&mut self, pool: usize, vid: u16) {
        let bit = pool_bit(pool);
        for (i, e) in self.vlvf.iter_mut().enumerate() {
            if (i == 0) != (vid == 0) || e.pools == 0 || e.vid != vid {
                continue;
            }
            e.pools &= !bit;
            if e.pools == 0 && i != 0 {
                *e = Vlvf::default();
            }
        }
    }

    /// Removes `pool` from every VLVF entry.
    fn vlvf_remove_pool(&mut self, pool: usize) {
        let bit = pool_bit(pool);
        for (i, e) in self.vlvf.iter_mut().enumerate() {
            e.pools &= !bit;
            if e.pools == 0 && i != 0 {
                *e = Vlvf::default();
            }
        }
    }

    /// Refreshes `vlan_count` of `vf` from the VLVF table.
    fn recount_vlans(&mut self, vf: usize) {
        let bit = pool_bit(vf);
        let n = self
            .vlvf
            .iter()
            .skip(1)
            .filter(|e| e.pools & bit != 0)
            .count();
        if let Some(v) = self.get_mut(vf) {
            v.state.vlan_count = n;
        }
    }
}

#[cfg(any(test, CONFIG_KUNIT))]
#[cfg_attr(CONFIG_KUNIT, kernel::prelude::kunit_tests(rigb_mbx_proto))]
mod tests {
    use super::*;

    /// MAC of the PF in all tests.
    const PF_MAC: MacAddr = MacAddr([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
    /// A unicast address.
    const MAC_A: MacAddr = MacAddr([0x02, 0x00, 0x00, 0x00, 0x00, 0x0a]);
    /// Another unicast address.
    const MAC_B: MacAddr = MacAddr([0x02, 0x00, 0x00, 0x00, 0x00, 0x0b]);
    /// A multicast address.
    const MCAST: MacAddr = MacAddr([0x01, 0x00, 0x5e, 0x00, 0x00, 0x01]);

    /// A mailbox buffer starting with `ws`, zero-padded.
    fn req(ws: &[u32]) -> [u32; MBX_WORDS] {
        let mut out = [0u32; MBX_WORDS];
        for (d, s) in out.iter_mut().zip(ws.iter()) {
            *d = *s;
        }
        out
    }

    /// SET_MAC_ADDR request with sub-command `info`.
    fn mac_req(info: u32, mac: MacAddr) -> [u32; MBX_WORDS] {
        let (w1, w2) = mac.to_words();
        req(&[msg::SET_MAC_ADDR | (info << msg::INFO_SHIFT), w1, w2])
    }

    /// SET_VLAN request.
    fn vlan_req(add: bool, vid: u32) -> [u32; MBX_WORDS] {
        let w0 = if add {
            msg::SET_VLAN | msg::VLAN_ADD
        } else {
            msg::SET_VLAN
        };
        req(&[w0, vid])
    }

    /// The `n`-th distinct unicast address.
    fn mac_n(n: usize) -> MacAddr {
        MacAddr([0x02, 0x11, 0x22, 0x33, (n >> 8) as u8, n as u8])
    }

    /// Model with `n` VFs that all completed the RESET handshake.
    fn ready(n: usize) -> Model {
        let mut m = Model::new(n, PF_MAC);
        for vf in 0..n {
            m.handle(vf, &req(&[msg::RESET]));
        }
        m
    }

    /// Expected ACK reply to a request with word 0 `w0`.
    fn ack(w0: u32) -> u32 {
        w0 | msg::CTS | msg::ACK
    }

    /// Expected NACK reply to a request with word 0 `w0`.
    fn nack(w0: u32) -> u32 {
        w0 | msg::CTS | msg::NACK
    }

    /// Number of filter RAR entries held by `vf`.
    fn filters_of(m: &Model, vf: usize) -> usize {
        m.rar
            .iter()
            .filter(|r| r.owner == RarOwner::VfFilter(vf))
            .count()
    }

    /// Whether the computed VFTA has `vid`.
    fn vfta_has(m: &Model, vid: usize) -> bool {
        m.vfta_bits()[vid / 32] & (1 << (vid % 32)) != 0
    }

    #[test]
    fn mac_words_are_packed_like_igbvf_memcpy() {
        let mac = MacAddr([0x11, 0x22, 0x33, 0x44, 0x55, 0x66]);
        assert_eq!(mac.to_words(), (0x4433_2211, 0x0000_6655));
        assert_eq!(MacAddr::from_words(0x4433_2211, 0xABCD_6655), mac);
        assert_eq!(mac.ral(), 0x4433_2211);
        assert_eq!(mac.rah_addr(), 0x6655);
    }

    #[test]
    fn mac_classification() {
        assert!(MacAddr::ZERO.is_zero());
        assert!(!MacAddr::ZERO.is_valid_unicast());
        assert!(MCAST.is_multicast());
        assert!(!MCAST.is_valid_unicast());
        let bc = MacAddr([0xff; 6]);
        assert!(bc.is_broadcast() && bc.is_multicast() && !bc.is_valid_unicast());
        assert!(MAC_A.is_valid_unicast() && !MAC_A.is_broadcast());
    }

    #[test]
    fn sync_bit_operations() {
        let mut s = Dirty::RAR | Dirty::MTA;
        assert!(s.contains(Dirty::RAR) && !s.contains(Dirty::VLVF));
        s |= Dirty::VLVF;
        assert!(s.contains(Dirty::RAR | Dirty::VLVF | Dirty::MTA));
        assert!(Dirty::default().is_empty() && Dirty::NONE.is_empty());
        assert_eq!(Dirty::ENABLE.union(Dirty::DISABLE), Dirty(96));
    }

    #[test]
    fn new_model_layout() {
        let m = Model::new(3, PF_MAC);
        assert_eq!(m.pf_pool(), 3);
        assert_eq!(
            m.rar[0],
            Rar {
                mac: PF_MAC,
                owner: RarOwner::Pf
            }
        );
        assert_eq!(m.rar_pool(0), Some(3));
        assert_eq!(m.rar_pool(1), None);
        assert_eq!(m.rar_pool(RAR_ENTRIES), None);
        // VID 0 entry: PF pool plus every VF (reset grants VID 0).
        assert_eq!(m.vlvf[0].vid, 0);
        assert_eq!(m.vlvf[0].pools, 0b1111);
        assert!(m.vlvf.iter().skip(1).all(|e| e.pools == 0));
        assert!(m
            .vfs
            .iter()
            .all(|v| !v.state.cts && v.config.spoofchk && !v.config.trusted));
        assert_eq!(m.vfs[0].state.max_frame, DEFAULT_MAX_FRAME);
    }

    #[test]
    fn new_clamps_num_vfs() {
        let m = Model::new(99, PF_MAC);
        assert_eq!(m.num_vfs, MAX_VFS);
        assert_eq!(m.pf_pool(), 7);
        assert_eq!(m.vlvf[0].pools, 0xff);
    }

    #[test]
    fn reset_reply_carries_mac() {
        let mut m = Model::new(2, PF_MAC);
        assert_eq!(m.set_admin_mac(1, MAC_A), Ok(Dirty::RAR));
        let out = m.handle(1, &req(&[msg::RESET]));
        let (w1, w2) = MAC_A.to_words();
        assert_eq!(out.reply, [0x8000_0001, w1, w2]);
        assert_eq!(out.reply_len, 3);
        assert_eq!(out.words().len(), 3);
        assert_eq!(out.event, None);
    }

    #[test]
    fn reset_without_mac_nacks_with_zero_mac() {
        let mut m = Model::new(2, PF_MAC);
        let out = m.handle(0, &req(&[msg::RESET]));
        assert_eq!(out.reply, [0x4000_0001, 0, 0]);
        assert_eq!(out.reply_len, 3);
        // Still clear to send: igbvf continues with a random MAC.
        assert!(m.vfs[0].state.cts);
    }

    #[test]
    fn reset_enables_vf_and_requests_full_sync() {
        let mut m = Model::new(2, PF_MAC);
        let out = m.handle(0, &req(&[msg::RESET]));
        let want =
            Dirty::ENABLE | Dirty::VMOLR | Dirty::VMVIR | Dirty::VLVF | Dirty::MTA | Dirty::RAR;
        assert!(out.sync.contains(want));
        assert!(!out.sync.contains(Dirty::DISABLE));
        assert!(m.vfs[0].state.cts);
        assert_eq!(m.control_msg(0), msg::PF_CONTROL | msg::CTS);
        assert_eq!(m.control_msg(1), msg::PF_CONTROL);
        assert_eq!(m.control_msg(7), msg::PF_CONTROL);
    }

    #[test]
    fn reset_programs_primary_rar_from_the_top() {
        let mut m = Model::new(3, PF_MAC);
        assert!(m.set_admin_mac(2, MAC_B).is_ok());
        m.handle(2, &req(&[msg::RESET]));
        assert_eq!(
            m.rar[21],
            Rar {
                mac: MAC_B,
                owner: RarOwner::VfPrimary(2)
            }
        );
        assert_eq!(m.rar_pool(21), Some(2));
        assert_eq!(m.rar[23].owner, RarOwner::Free);
    }

    #[test]
    fn request_before_reset_is_nacked_without_cts() {
        let mut m = Model::new(1, PF_MAC);
        let out = m.handle(0, &req(&[msg::SET_LPE, 1522]));
        assert_eq!(out.reply[0], msg::SET_LPE | msg::NACK);
        assert_eq!(out.reply_len, 1);
        assert_eq!(out.event, Some(Event::NotClearToSend));
        assert!(out.sync.is_empty());
    }

    #[test]
    fn out_of_range_vf_is_nacked() {
        let mut m = ready(2);
        let out = m.handle(2, &req(&[msg::RESET]));
        assert_eq!(out.reply[0], msg::RESET | msg::NACK);
        assert_eq!(out.reply_len, 1);
        assert!(out.sync.is_empty());
        assert_eq!(
            m.handle(usize::MAX, &req(&[msg::SET_LPE, 9000])).reply_len,
            1
        );
        assert_eq!(m.vf_reset(5), Dirty::NONE);
        assert_eq!(m.vflr(5), Dirty::NONE);
    }

    #[test]
    fn request_with_reply_type_bits_is_rejected() {
        let mut m = ready(1);
        let w0 = msg::SET_LPE | msg::ACK;
        let out = m.handle(0, &req(&[w0, 9000]));
        assert_eq!(out.reply[0], msg::SET_LPE | msg::CTS | msg::NACK);
        assert_eq!(out.event, Some(Event::UnknownMessage(w0)));
        assert_eq!(m.vfs[0].state.max_frame, DEFAULT_MAX_FRAME);
    }

    #[test]
    fn unknown_message_is_nacked() {
        let mut m = ready(1);
        let out = m.handle(0, &req(&[0x0042]));
        assert_eq!(out.reply[0], nack(0x0042));
        assert_eq!(out.event, Some(Event::UnknownMessage(0x0042)));
        let out = m.handle(0, &req(&[msg::PF_CONTROL]));
        assert_eq!(out.event, Some(Event::UnknownMessage(msg::PF_CONTROL)));
    }

    #[test]
    fn set_mac_primary_updates_rar() {
        let mut m = ready(2);
        let out = m.handle(1, &mac_req(0, MAC_A));
        assert_eq!(out.reply[0], ack(msg::SET_MAC_ADDR));
        assert_eq!(out.reply_len, 1);
        assert_eq!(out.sync, Dirty::RAR);
        assert_eq!(m.vfs[1].state.mac, MAC_A);
        assert_eq!(m.rar[22].mac, MAC_A);
        assert_eq!(m.rar_pool(22), Some(1));
    }

    #[test]
    fn set_mac_rejects_invalid_addresses() {
        let mut m = ready(1);
        let out = m.handle(0, &mac_req(0, MCAST));
        assert_eq!(out.reply[0], nack(msg::SET_MAC_ADDR));
        assert_eq!(out.event, Some(Event::InvalidMac(MCAST)));
        let out = m.handle(0, &mac_req(0, MacAddr::ZERO));
        assert_eq!(out.event, Some(Event::InvalidMac(MacAddr::ZERO)));
        assert!(m.vfs[0].state.mac.is_zero());
    }

    #[test]
    fn set_mac_denied_for_untrusted_vf_with_admin_mac() {
        let mut m = Model::new(1, PF_MAC);
        assert!(m.set_admin_mac(0, MAC_A).is_ok());
        m.handle(0, &req(&[msg::RESET]));
        let out = m.handle(0, &mac_req(0, MAC_B));
        // igbvf masks CTS and compares against exactly SET_MAC_ADDR|NACK.
        assert_eq!(out.reply[0] & !msg::CTS, msg::SET_MAC_ADDR | msg::NACK);
        assert_eq!(out.event, Some(Event::AdminMacDenied));
        assert_eq!(m.vfs[0].state.mac, MAC_A);
        // Re-setting the administrator's own choice is harmless.
        assert_eq!(
            m.handle(0, &mac_req(0, MAC_A)).reply[0],
            ack(msg::SET_MAC_ADDR)
        );
    }

    #[test]
    fn trusted_vf_may_override_admin_mac() {
        let mut m = Model::new(1, PF_MAC);
        assert!(m.set_admin_mac(0, MAC_A).is_ok());
        assert_eq!(m.set_trust(0, true), Ok(Dirty::NONE));
        m.handle(0, &req(&[msg::RESET]));
        assert_eq!(
            m.handle(0, &mac_req(0, MAC_B)).reply[0],
            ack(msg::SET_MAC_ADDR)
        );
        assert_eq!(m.rar[23].mac, MAC_B);
        // The administrator's MAC wins again at the next reset.
        m.handle(0, &req(&[msg::RESET]));
        assert_eq!(m.rar[23].mac, MAC_A);
    }

    #[test]
    fn set_mac_of_another_function_is_refused() {
        let mut m = ready(2);
        m.handle(0, &mac_req(0, MAC_A));
        let out = m.handle(1, &mac_req(0, MAC_A));
        assert_eq!(out.event, Some(Event::MacInUse(MAC_A)));
        let out = m.handle(1, &mac_req(0, PF_MAC));
        assert_eq!(out.event, Some(Event::MacInUse(PF_MAC)));
        let out = m.handle(1, &mac_req(msg::MAC_FILTER_ADD, MAC_A));
        assert_eq!(out.event, Some(Event::MacInUse(MAC_A)));
        // Setting its own current address again is fine.
        assert_eq!(
            m.handle(0, &mac_req(0, MAC_A)).reply[0],
            ack(msg::SET_MAC_ADDR)
        );
    }

    #[test]
    fn filter_clear_with_zero_address_is_acked() {
        let mut m = ready(1);
        let w0 = msg::SET_MAC_ADDR | (msg::MAC_FILTER_CLR << msg::INFO_SHIFT);
        let out = m.handle(0, &mac_req(msg::MAC_FILTER_CLR, MacAddr::ZERO));
        assert_eq!(out.reply[0], ack(w0));
        assert_eq!(out.event, None);
    }

    #[test]
    fn filter_add_allocates_low_entries() {
        let mut m = ready(2);
        let w0 = msg::SET_MAC_ADDR | (msg::MAC_FILTER_ADD << msg::INFO_SHIFT);
        let out = m.handle(1, &mac_req(msg::MAC_FILTER_ADD, MAC_A));
        assert_eq!(out.reply[0], ack(w0));
        assert_eq!(out.sync, Dirty::RAR);
        assert_eq!(
            m.rar[1],
            Rar {
                mac: MAC_A,
                owner: RarOwner::VfFilter(1)
            }
        );
        assert_eq!(m.rar_pool(1), Some(1));
    }

    #[test]
    fn filter_add_duplicate_and_own_mac_are_noops() {
        let mut m = ready(1);
        m.handle(0, &mac_req(0, MAC_B));
        m.handle(0, &mac_req(msg::MAC_FILTER_ADD, MAC_A));
        let out = m.handle(0, &mac_req(msg::MAC_FILTER_ADD, MAC_A));
        assert_eq!(out.reply[0] & msg::ACK, msg::ACK);
        assert!(out.sync.is_empty());
        let out = m.handle(0, &mac_req(msg::MAC_FILTER_ADD, MAC_B));
        assert_eq!(out.reply[0] & msg::ACK, msg::ACK);
        assert_eq!(filters_of(&m, 0), 1);
    }

    #[test]
    fn filter_add_rejects_invalid_mac() {
        let mut m = ready(1);
        let w0 = msg::SET_MAC_ADDR | (msg::MAC_FILTER_ADD << msg::INFO_SHIFT);
        let out = m.handle(0, &mac_req(msg::MAC_FILTER_ADD, MCAST));
        assert_eq!(out.reply[0], nack(w0));
        assert_eq!(out.event, Some(Event::InvalidMac(MCAST)));
        let out = m.handle(0, &mac_req(msg::MAC_FILTER_ADD, MacAddr::ZERO));
        assert_eq!(out.event, Some(Event::InvalidMac(MacAddr::ZERO)));
        assert_eq!(filters_of(&m, 0), 0);
    }

    #[test]
    fn filter_add_limited_per_vf() {
        let mut m = ready(1);
        for i in 0..MAX_VF_FILTERS {
            let out = m.handle(0, &mac_req(msg::MAC_FILTER_ADD, mac_n(i)));
            assert_eq!(out.event, None);
        }
        let out = m.handle(0, &mac_req(msg::MAC_FILTER_ADD, mac_n(99)));
        assert_eq!(out.event, Some(Event::FilterTableFull));
        assert_eq!(out.reply[0] & msg::NACK, msg::NACK);
        assert_eq!(filters_of(&m, 0), MAX_VF_FILTERS);
    }

    #[test]
    fn filter_table_exhaustion_spares_vf_primaries() {
        // 7 VFs: filters may use entries 1..=16 only; 6 VFs x 3 = 18 requests.
        let mut m = ready(7);
        for vf in 0..7 {
            m.handle(vf, &mac_req(0, mac_n(100 + vf)));
        }
        let mut full = 0;
        for vf in 0..6 {
            for i in 0..3 {
                let out = m.handle(vf, &mac_req(msg::MAC_FILTER_ADD, mac_n(vf * 10 + i)));
                if out.event == Some(Event::FilterTableFull) {
                    full += 1;
                }
            }
        }
        assert_eq!(full, 2);
        assert!(m.rar[1..17]
            .iter()
            .all(|r| matches!(r.owner, RarOwner::VfFilter(_))));
        for vf in 0..7 {
            assert_eq!(m.rar[23 - vf].owner, RarOwner::VfPrimary(vf));
        }
        // Clearing one VF's filters makes room for another.
        m.handle(0, &mac_req(msg::MAC_FILTER_CLR, MacAddr::ZERO));
        let out = m.handle(6, &mac_req(msg::MAC_FILTER_ADD, mac_n(600)));
        assert_eq!(out.event, None);
    }

    #[test]
    fn filter_denied_for_untrusted_vf_with_admin_mac() {
        let mut m = Model::new(1, PF_MAC);
        assert!(m.set_admin_mac(0, MAC_A).is_ok());
        m.handle(0, &req(&[msg::RESET]));
        let out = m.handle(0, &mac_req(msg::MAC_FILTER_ADD, MAC_B));
        assert_eq!(out.event, Some(Event::FilterDenied));
        // Its own address is already steered to it.
        let out = m.handle(0, &mac_req(msg::MAC_FILTER_ADD, MAC_A));
        assert_eq!(out.event, None);
        assert_eq!(out.reply[0] & msg::ACK, msg::ACK);
        assert_eq!(filters_of(&m, 0), 0);
    }

    #[test]
    fn filter_clear_removes_only_own_filters() {
        let mut m = ready(2);
        m.handle(0, &mac_req(msg::MAC_FILTER_ADD, MAC_A));
        m.handle(1, &mac_req(msg::MAC_FILTER_ADD, MAC_B));
        let out = m.handle(0, &mac_req(msg::MAC_FILTER_CLR, MacAddr::ZERO));
        assert_eq!(out.sync, Dirty::RAR);
        assert_eq!(filters_of(&m, 0), 0);
        assert_eq!(filters_of(&m, 1), 1);
    }

    #[test]
    fn mac_unknown_sub_command_is_nacked() {
        let mut m = ready(1);
        let w0 = msg::SET_MAC_ADDR | (3 << msg::INFO_SHIFT);
        let out = m.handle(0, &mac_req(3, MAC_A));
        assert_eq!(out.reply[0], nack(w0));
        assert_eq!(out.event, Some(Event::UnknownMessage(w0)));
    }

    #[test]
    fn multicast_hashes_are_unpacked_low_half_first() {
        let mut m = ready(2);
        let w0 = msg::SET_MULTICAST | (3 << msg::INFO_SHIFT);
        let out = m.handle(1, &req(&[w0, 0x0222_0111, 0xFFFF_0333]));
        assert_eq!(out.reply[0], ack(w0));
        assert_eq!(out.sync, Dirty::MTA | Dirty::VMOLR);
        let s = &m.vfs[1].state;
        assert_eq!(s.num_mc, 3);
        assert_eq!(&s.mc_hashes[..3], &[0x111, 0x222, 0x333]);
        assert!(!s.mc_promisc);
        assert!(m.vmolr_flags(1).rompe && !m.vmolr_flags(1).mpme);
    }

    #[test]
    fn multicast_hashes_are_masked_to_mta_size() {
        let mut m = ready(1);
        let w0 = msg::SET_MULTICAST | (2 << msg::INFO_SHIFT);
        m.handle(0, &req(&[w0, 0xF123_FFFF]));
        assert_eq!(&m.vfs[0].state.mc_hashes[..2], &[0x0FFF, 0x0123]);
    }

    #[test]
    fn multicast_overflow_turns_on_mc_promisc() {
        let mut m = ready(1);
        let mut words = [0x0001_0001u32; MBX_WORDS];
        words[0] = msg::SET_MULTICAST | (40 << msg::INFO_SHIFT);
        let out = m.handle(0, &words);
        assert_eq!(out.reply[0] & msg::ACK, msg::ACK);
        assert_eq!(m.vfs[0].state.num_mc, MAX_MC_HASHES);
        assert!(m.vfs[0].state.mc_promisc);
        assert!(m.vmolr_flags(0).mpme);
        // A shorter list later turns it off again.
        m.handle(0, &req(&[msg::SET_MULTICAST | (1 << msg::INFO_SHIFT), 5]));
        assert!(!m.vfs[0].state.mc_promisc);
        assert_eq!(m.vfs[0].state.num_mc, 1);
    }

    #[test]
    fn multicast_list_replaces_previous_and_feeds_mta() {
        let mut m = ready(2);
        m.handle(
            0,
            &req(&[msg::SET_MULTICAST | (2 << msg::INFO_SHIFT), 0x0002_0001]),
        );
        m.handle(
            1,
            &req(&[msg::SET_MULTICAST | (1 << msg::INFO_SHIFT), 0x0003]),
        );
        assert_eq!(m.mta_hashes().count(), 3);
        assert_eq!(m.mta_hashes().fold(0u32, |a, h| a + u32::from(h)), 6);
        m.handle(0, &req(&[msg::SET_MULTICAST]));
        assert_eq!(m.vfs[0].state.num_mc, 0);
        assert!(!m.vmolr_flags(0).rompe);
        assert_eq!(m.mta_hashes().count(), 1);
    }

    #[test]
    fn vlan_add_allocates_from_the_top() {
        let mut m = ready(2);
        let out = m.handle(0, &vlan_req(true, 100));
        assert_eq!(out.reply[0], ack(msg::SET_VLAN | msg::VLAN_ADD));
        assert_eq!(out.sync, Dirty::VLVF | Dirty::VMOLR);
        assert_eq!(
            m.vlvf[31],
            Vlvf {
                vid: 100,
                pools: 0b01
            }
        );
        m.handle(1, &vlan_req(true, 200));
        assert_eq!(
            m.vlvf[30],
            Vlvf {
                vid: 200,
                pools: 0b10
            }
        );
        assert!(vfta_has(&m, 100) && vfta_has(&m, 200) && !vfta_has(&m, 300));
        assert!(m.vmolr_flags(0).strip_vlan);
        assert_eq!(m.vfs[0].state.vlan_count, 1);
    }

    #[test]
    fn vlan_entries_are_shared_and_freed() {
        let mut m = ready(2);
        m.handle(0, &vlan_req(true, 100));
        m.handle(1, &vlan_req(true, 100));
        assert_eq!(
            m.vlvf[31],
            Vlvf {
                vid: 100,
                pools: 0b11
            }
        );
        assert!(m.vlvf[30].pools == 0);
        let out = m.handle(0, &vlan_req(false, 100));
        assert_eq!(out.reply[0], ack(msg::SET_VLAN));
        assert_eq!(m.vlvf[31].pools, 0b10);
        m.handle(1, &vlan_req(false, 100));
        assert_eq!(m.vlvf[31], Vlvf::default());
        assert!(!vfta_has(&m, 100));
        assert!(!m.vmolr_flags(1).strip_vlan);
        // Removing a VLAN the VF never joined is harmless.
        assert_eq!(
            m.handle(1, &vlan_req(false, 7)).reply[0],
            ack(msg::SET_VLAN)
        );
    }

    #[test]
    fn vlan_zero_uses_reserved_entry_and_is_never_removed() {
        let mut m = ready(2);
        m.handle(0, &vlan_req(false, 0));
        assert_eq!(m.vlvf[0].pools & 1, 1);
        let out = m.handle(0, &vlan_req(true, 0));
        assert_eq!(out.reply[0], ack(msg::SET_VLAN | msg::VLAN_ADD));
        assert_eq!(m.vlvf[0].vid, 0);
        assert!(m.vlvf.iter().skip(1).all(|e| e.pools == 0));
        assert!(vfta_has(&m, 0));
        assert_eq!(m.vfs[0].state.vlan_count, 0);
    }

    #[test]
    fn vlan_invalid_id_is_nacked() {
        let mut m = ready(1);
        let out = m.handle(0, &vlan_req(true, 4096));
        assert_eq!(out.reply[0], nack(msg::SET_VLAN | msg::VLAN_ADD));
        assert_eq!(out.event, Some(Event::InvalidVlan(4096)));
        assert!(m.vlvf.iter().skip(1).all(|e| e.pools == 0));
    }

    #[test]
    fn vlan_denied_with_port_vlan() {
        let mut m = ready(1);
        assert!(m.set_port_vlan(0, 10, 0).is_ok());
        let out = m.handle(0, &vlan_req(false, 10));
        // igbvf detects a refused request by this exact value after masking CTS.
        assert_eq!(out.reply[0] & !msg::CTS, msg::SET_VLAN | msg::NACK);
        assert_eq!(out.event, Some(Event::VlanDenied));
        let out = m.handle(0, &vlan_req(true, 20));
        assert_eq!(out.event, Some(Event::VlanDenied));
        assert!(!vfta_has(&m, 20));
    }

    #[test]
    fn vlan_table_exhaustion() {
        let mut m = ready(2);
        for vid in 1..VLVF_ENTRIES as u32 {
            assert_eq!(m.handle(0, &vlan_req(true, vid)).event, None);
        }
        let out = m.handle(1, &vlan_req(true, 1000));
        assert_eq!(out.event, Some(Event::VlanTableFull));
        assert_eq!(out.reply[0], nack(msg::SET_VLAN | msg::VLAN_ADD));
        // Joining an existing entry still works, and so does VID 0.
        assert_eq!(m.handle(1, &vlan_req(true, 5)).event, None);
        assert_eq!(m.handle(1, &vlan_req(true, 0)).event, None);
        assert_eq!(m.vfs[0].state.vlan_count, 31);
        // A reset of the hog gives the entries back.
        m.handle(0, &req(&[msg::RESET]));
        assert_eq!(m.vlvf.iter().skip(1).filter(|e| e.pools != 0).count(), 1);
        assert_eq!(m.handle(1, &vlan_req(true, 1000)).event, None);
    }

    #[test]
    fn lpe_sets_max_frame() {
        let mut m = ready(1);
        let out = m.handle(0, &req(&[msg::SET_LPE, 9022]));
        assert_eq!(out.reply[0], ack(msg::SET_LPE));
        assert_eq!(out.sync, Dirty::VMOLR);
        assert_eq!(m.vmolr_flags(0).max_frame, 9022);
        assert_eq!(
            m.handle(0, &req(&[msg::SET_LPE, MAX_FRAME_LIMIT])).event,
            None
        );
        assert_eq!(m.handle(0, &req(&[msg::SET_LPE, 64])).event, None);
    }

    #[test]
    fn lpe_out_of_range_is_nacked() {
        let mut m = ready(1);
        let out = m.handle(0, &req(&[msg::SET_LPE, MAX_FRAME_LIMIT + 1]));
        assert_eq!(out.reply[0], nack(msg::SET_LPE));
        assert_eq!(out.event, Some(Event::FrameTooLarge(0x2601)));
        let out = m.handle(0, &req(&[msg::SET_LPE, 63]));
        assert_eq!(out.event, Some(Event::FrameTooLarge(63)));
        let out = m.handle(0, &req(&[msg::SET_LPE, u32::MAX]));
        assert_eq!(out.event, Some(Event::FrameTooLarge(u32::MAX)));
        assert_eq!(m.vfs[0].state.max_frame, DEFAULT_MAX_FRAME);
    }

    #[test]
    fn promisc_multicast_on_and_off() {
        let mut m = ready(1);
        let w0 = msg::SET_PROMISC | (msg::PROMISC_MULTICAST << msg::INFO_SHIFT);
        let out = m.handle(0, &req(&[w0]));
        assert_eq!(out.reply[0], ack(w0));
        assert_eq!(out.sync, Dirty::VMOLR);
        assert!(m.vmolr_flags(0).mpme);
        // A short multicast list does not cancel an explicit request.
        m.handle(0, &req(&[msg::SET_MULTICAST | (1 << msg::INFO_SHIFT), 1]));
        assert!(m.vfs[0].state.mc_promisc);
        m.handle(0, &req(&[msg::SET_PROMISC]));
        assert!(!m.vmolr_flags(0).mpme);
    }

    #[test]
    fn promisc_off_keeps_multicast_overflow() {
        let mut m = ready(1);
        m.handle(0, &req(&[msg::SET_MULTICAST | (31 << msg::INFO_SHIFT)]));
        m.handle(0, &req(&[msg::SET_PROMISC]));
        assert!(m.vfs[0].state.mc_promisc);
        assert!(m.vmolr_flags(0).mpme);
    }

    #[test]
    fn promisc_unicast_and_unknown_flags_denied() {
        let mut m = ready(1);
        let w0 = msg::SET_PROMISC | (msg::PROMISC_UNICAST << msg::INFO_SHIFT);
        let out = m.handle(0, &req(&[w0]));
        assert_eq!(out.reply[0], nack(w0));
        assert_eq!(out.event, Some(Event::PromiscDenied(msg::PROMISC_UNICAST)));
        let w0 = msg::SET_PROMISC | (0x82 << msg::INFO_SHIFT);
        assert_eq!(
            m.handle(0, &req(&[w0])).event,
            Some(Event::PromiscDenied(0x82))
        );
        // The whole request is refused: the multicast flag was not applied either.
        assert!(!m.vfs[0].state.mc_promisc);
    }

    #[test]
    fn vf_reset_clears_runtime_state_only() {
        let mut m = ready(1);
        assert!(m.set_spoofchk(0, false).is_ok());
        m.handle(0, &mac_req(0, MAC_A));
        m.handle(0, &mac_req(msg::MAC_FILTER_ADD, MAC_B));
        m.handle(0, &req(&[msg::SET_MULTICAST | (1 << msg::INFO_SHIFT), 9]));
        m.handle(0, &req(&[msg::SET_LPE, 9000]));
        m.handle(0, &vlan_req(true, 100));
        let sync = m.vf_reset(0);
        assert!(sync.contains(Dirty::RAR | Dirty::VLVF | Dirty::MTA | Dirty::VMOLR | Dirty::VMVIR));
        assert!(!sync.contains(Dirty::DISABLE) && !sync.contains(Dirty::ENABLE));
        let s = m.vfs[0].state;
        assert!(!s.cts);
        // The VF's own MAC survives a reset (igbvf gets it back, e.g. after an MTU change).
        assert_eq!(s.mac, MAC_A);
        assert_eq!(m.rar[23].mac, MAC_A);
        assert_eq!(s.num_mc, 0);
        assert_eq!(s.max_frame, DEFAULT_MAX_FRAME);
        assert_eq!(s.vlan_count, 0);
        assert_eq!(filters_of(&m, 0), 0);
        assert!(!vfta_has(&m, 100));
        assert_eq!(m.vlvf[0].pools & 1, 1);
        assert!(!m.vfs[0].config.spoofchk);
        assert_eq!(
            m.handle(0, &req(&[msg::SET_LPE, 9000])).event,
            Some(Event::NotClearToSend)
        );
    }

    #[test]
    fn vf_reset_regrants_port_vlan_only() {
        let mut m = ready(2);
        assert!(m.set_port_vlan(1, 42, 5).is_ok());
        m.vf_reset(1);
        assert_eq!(m.vlvf[0].pools & 0b10, 0);
        assert!(m.vlvf.iter().any(|e| e.vid == 42 && e.pools == 0b10));
        assert_eq!(m.vfs[1].config.port_vlan, 42);
        assert_eq!(m.vfs[1].state.vlan_count, 1);
    }

    #[test]
    fn vflr_forgets_vf_chosen_mac() {
        let mut m = ready(2);
        m.handle(1, &mac_req(0, MAC_A));
        let sync = m.vflr(1);
        assert!(sync.contains(Dirty::DISABLE | Dirty::RAR));
        assert!(m.vfs[1].state.mac.is_zero());
        assert_eq!(m.rar[22], Rar::default());
        assert_eq!(
            m.handle(1, &req(&[msg::RESET])).reply[0],
            msg::RESET | msg::NACK
        );
    }

    #[test]
    fn vflr_keeps_admin_mac() {
        let mut m = Model::new(1, PF_MAC);
        assert!(m.set_admin_mac(0, MAC_B).is_ok());
        m.handle(0, &req(&[msg::RESET]));
        m.vflr(0);
        assert_eq!(m.vfs[0].state.mac, MAC_B);
        assert_eq!(m.rar[23].owner, RarOwner::VfPrimary(0));
        assert_eq!(m.vfs[0].config.mac, Some(MAC_B));
    }

    #[test]
    fn vmolr_and_vmvir_follow_port_vlan() {
        let mut m = ready(2);
        assert_eq!(m.vmvir(0), 0);
        assert!(m.vmolr_flags(0).aupe && !m.vmolr_flags(0).strip_vlan);
        assert_eq!(
            m.set_port_vlan(0, 100, 3),
            Ok(Dirty::VLVF | Dirty::VMVIR | Dirty::VMOLR)
        );
        assert_eq!(m.vmvir(0), 100 | (3 << 13) | 0x4000_0000);
        let f = m.vmolr_flags(0);
        assert!(!f.aupe && f.strip_vlan);
        // Priority tagging without a VLAN still inserts but keeps untagged RX.
        assert!(m.set_port_vlan(1, 0, 2).is_ok());
        assert_eq!(m.vmvir(1), (2 << 13) | 0x4000_0000);
        assert!(m.vmolr_flags(1).aupe);
        assert_eq!(m.vmvir(9), 0);
        assert!(!m.vmolr_flags(9).aupe);
    }

    #[test]
    fn set_port_vlan_moves_vf_between_entries() {
        let mut m = ready(1);
        m.handle(0, &vlan_req(true, 7));
        assert!(m.set_port_vlan(0, 100, 0).is_ok());
        assert!(vfta_has(&m, 100) && !vfta_has(&m, 7));
        assert_eq!(m.vlvf[0].pools & 1, 0);
        assert!(m.set_port_vlan(0, 0, 0).is_ok());
        assert!(!vfta_has(&m, 100));
        assert_eq!(m.vlvf[0].pools & 1, 1);
        assert_eq!(m.vmvir(0), 0);
        assert_eq!(m.vfs[0].state.vlan_count, 0);
    }

    #[test]
    fn set_port_vlan_validates_and_rolls_back() {
        let mut m = ready(2);
        assert_eq!(m.set_port_vlan(2, 1, 0), Err(AdminError::InvalidVf));
        assert_eq!(m.set_port_vlan(0, 4096, 0), Err(AdminError::InvalidVlan));
        assert_eq!(m.set_port_vlan(0, 1, 8), Err(AdminError::InvalidQos));
        for vid in 1..VLVF_ENTRIES as u32 {
            m.handle(1, &vlan_req(true, vid));
        }
        let before = m.vlvf;
        assert_eq!(m.set_port_vlan(0, 1000, 0), Err(AdminError::VlanTableFull));
        assert_eq!(m.vlvf, before);
        assert_eq!(m.vfs[0].config.port_vlan, 0);
        // An existing VID needs no new entry.
        assert!(m.set_port_vlan(0, 3, 0).is_ok());
    }

    #[test]
    fn admin_mac_set_and_clear() {
        let mut m = ready(2);
        assert_eq!(m.set_admin_mac(2, MAC_A), Err(AdminError::InvalidVf));
        assert_eq!(m.set_admin_mac(0, MCAST), Err(AdminError::InvalidMac));
        assert_eq!(
            m.set_admin_mac(0, MacAddr([0xff; 6])),
            Err(AdminError::InvalidMac)
        );
        m.handle(0, &mac_req(msg::MAC_FILTER_ADD, MAC_B));
        assert_eq!(m.set_admin_mac(0, MAC_A), Ok(Dirty::RAR));
        assert_eq!(m.vfs[0].config.mac, Some(MAC_A));
        assert_eq!(m.rar[23].mac, MAC_A);
        // Filters are not allowed for an untrusted VF with an admin MAC.
        assert_eq!(filters_of(&m, 0), 0);
        assert_eq!(m.set_admin_mac(0, MacAddr::ZERO), Ok(Dirty::RAR));
        assert_eq!(m.vfs[0].config.mac, None);
        assert!(m.vfs[0].state.mac.is_zero());
        assert_eq!(m.rar[23], Rar::default());
    }

    #[test]
    fn revoking_trust_reapplies_admin_mac_policy() {
        let mut m = Model::new(1, PF_MAC);
        assert!(m.set_admin_mac(0, MAC_A).is_ok());
        assert!(m.set_trust(0, true).is_ok());
        m.handle(0, &req(&[msg::RESET]));
        m.handle(0, &mac_req(0, MAC_B));
        m.handle(0, &mac_req(msg::MAC_FILTER_ADD, mac_n(1)));
        assert_eq!(filters_of(&m, 0), 1);
        assert_eq!(m.set_trust(0, false), Ok(Dirty::RAR));
        assert_eq!(filters_of(&m, 0), 0);
        assert_eq!(m.rar[23].mac, MAC_A);
        assert!(!m.vfs[0].config.trusted);
        assert_eq!(m.set_trust(1, true), Err(AdminError::InvalidVf));
    }

    #[test]
    fn spoofchk_and_link_state() {
        let mut m = Model::new(1, PF_MAC);
        assert_eq!(m.set_spoofchk(0, false), Ok(Dirty::SPOOFCHK));
        assert!(!m.vfs[0].config.spoofchk);
        assert_eq!(m.set_spoofchk(3, true), Err(AdminError::InvalidVf));
        // Before the VF reset, enabling has nothing to turn on yet.
        assert_eq!(m.set_link_state(0, LinkState::Enable), Ok(Dirty::NONE));
        assert_eq!(m.set_link_state(0, LinkState::Disable), Ok(Dirty::DISABLE));
        let out = m.handle(0, &req(&[msg::RESET]));
        assert!(out.sync.contains(Dirty::DISABLE) && !out.sync.contains(Dirty::ENABLE));
        assert_eq!(m.set_link_state(0, LinkState::Auto), Ok(Dirty::ENABLE));
        assert_eq!(m.vfs[0].config.link, LinkState::Auto);
        assert_eq!(
            m.set_link_state(1, LinkState::Auto),
            Err(AdminError::InvalidVf)
        );
    }

    #[test]
    fn rate_factor_matches_c_igb() {
        // 1000 / 100 = 10.0: integer part 10 in bits 27:14, no fraction.
        assert_eq!(rate_factor(1000, 100), 0x8000_0000 | (10 << 14));
        // 1000 / 300 = 3.333..: fraction 0.333 * 2^14 = 5461.
        assert_eq!(rate_factor(1000, 300), 0x8000_0000 | (3 << 14) | 5461);
        assert_eq!(rate_factor(1000, 0), 0);
        assert_eq!(rate_factor(1000, 1001), 0);
        assert_eq!(rate_factor(0, 100), 0);
    }

    #[test]
    fn link_disabled_replies_lack_cts() {
        let mut m = Model::new(2, PF_MAC);
        let _ = m.handle(0, &req(&[msg::RESET]));
        assert_eq!(m.set_link_state(0, LinkState::Disable), Ok(Dirty::DISABLE));
        let out = m.handle(0, &req(&[msg::SET_LPE, 1522]));
        assert_eq!(out.words(), &[msg::SET_LPE | msg::ACK]);
        assert_eq!(m.control_msg(0), msg::PF_CONTROL);
        assert_eq!(m.set_link_state(0, LinkState::Auto), Ok(Dirty::ENABLE));
        assert_eq!(m.control_msg(0), msg::PF_CONTROL | msg::CTS);
        let out = m.handle(0, &req(&[msg::SET_LPE, 1522]));
        assert_eq!(out.words(), &[msg::SET_LPE | msg::CTS | msg::ACK]);
    }

    #[test]
    fn admin_mac_change_makes_running_vf_reset() {
        let mut m = Model::new(2, PF_MAC);
        // A VF that has not reset yet needs no nudge: its RESET will carry the MAC.
        assert_eq!(m.request_vf_reset(1), None);
        let _ = m.handle(0, &req(&[msg::RESET]));
        assert!(m.set_admin_mac(0, MAC_A).is_ok());
        assert_eq!(m.request_vf_reset(0), Some(msg::PF_CONTROL | msg::NACK));
        assert!(!m.vfs[0].state.cts);
        let out = m.handle(0, &req(&[msg::SET_LPE, 1522]));
        assert_eq!(out.words()[0] & msg::CTS, 0);
        let out = m.handle(0, &req(&[msg::RESET]));
        assert_eq!(out.reply[0], msg::RESET | msg::ACK);
        assert_eq!(MacAddr::from_words(out.reply[1], out.reply[2]), MAC_A);
    }

    #[test]
    fn rate_is_administrative_state() {
        let mut m = Model::new(2, PF_MAC);
        assert_eq!(m.set_max_tx_rate(1, 300), Ok(Dirty::RATE));
        assert_eq!(m.vfs[1].config.max_tx_rate, 300);
        let _ = m.handle(1, &req(&[msg::RESET]));
        assert_eq!(m.vfs[1].config.max_tx_rate, 300);
        assert_eq!(m.set_max_tx_rate(2, 300), Err(AdminError::InvalidVf));
    }

    #[test]
    fn pf_reset_withdraws_cts_from_every_vf() {
        let mut m = Model::new(3, PF_MAC);
        let _ = m.handle(0, &req(&[msg::RESET]));
        let _ = m.handle(2, &req(&[msg::RESET]));
        m.pf_resetting();
        for vf in 0..3 {
            assert!(!m.vfs[vf].state.cts);
            assert_eq!(m.control_msg(vf), msg::PF_CONTROL);
        }
        let out = m.handle(0, &req(&[msg::SET_LPE, 1522]));
        assert_eq!(out.words(), &[msg::SET_LPE | msg::NACK]);
    }
}
