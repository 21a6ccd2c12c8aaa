// SPDX-License-Identifier: GPL-2.0

//! The PF's model of its VFs and of the filter tables they share: the mailbox protocol's and
//! the administrator's decisions.
//!
//! [`Model::handle`] takes one decoded request ([`crate::mbx::msg::Message`]) from a VF,
//! validates it against the VF's state and the administrator's policy, updates the model and
//! returns an [`Outcome`]: the reply, which hardware areas to re-program from the model
//! ([`Changes`]) and, for a refused request, why ([`Refusal`]). The administrator's setters
//! return [`Changes`] the same way. The hardware layer ([`crate::hw`]) encodes the values the
//! model returns; nothing here touches registers, allocates or panics on VF-controlled input,
//! so the same code runs as KUnit tests in the kernel and as `cargo test` on the host
//! (`tests/host`).
//!
//! The protocol is the one Linux `igbvf` speaks with the in-tree C `igb` PF. Where C `igb` is
//! known to be wrong, the model follows what `igbvf` needs instead; those places are marked
//! "C igb deviation".

pub(crate) mod filters;
pub(crate) mod mac;
pub(crate) mod pf_mc;
pub(crate) mod quota;
pub(crate) mod vf;

use crate::mbx::msg::{
    self,
    DecodeError,
    McList,
    Message,
    Reply,
    Request, //
};
use filters::{
    RarOwner,
    RarTable,
    VlanTable,
    MAX_VF_FILTERS, //
};
use mac::MacAddr;
use pf_mc::PfMulticast;
use vf::{
    pool_bit,
    LinkState,
    PoolRx,
    RateFactor,
    Vf,
    VfState,
    VlanTag,
    DEFAULT_MAX_FRAME,
    MAX_FRAME,
    MAX_QOS,
    MAX_VID,
    MIN_FRAME, //
};

/// Maximum number of VFs: C igb caps the 82576 at 7 so that the PF keeps a pool of its own.
pub(crate) const MAX_VFS: usize = 7;
/// Number of VMDq pools; VF n owns pool n and the PF owns pool `num_vfs`.
pub(crate) const NUM_POOLS: usize = 8;

/// Bit set of hardware areas to re-program from the model after an operation.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(crate) struct Changes(pub(crate) u32);

impl Changes {
    /// Nothing to do.
    pub(crate) const NONE: Self = Self(0);
    /// All receive address entries.
    pub(crate) const RAR: Self = Self(1);
    /// All VLAN pool filters and the VLAN filter table.
    pub(crate) const VLAN: Self = Self(2);
    /// The multicast table, recomputed from all VFs' hashes.
    pub(crate) const MULTICAST: Self = Self(4);
    /// This VF's pool receive settings ([`PoolRx`]).
    pub(crate) const POOL_RX: Self = Self(8);
    /// This VF's port VLAN insertion.
    pub(crate) const PORT_VLAN: Self = Self(16);
    /// Enable this VF's pool (receive and transmit).
    pub(crate) const ENABLE: Self = Self(32);
    /// Disable this VF's pool.
    pub(crate) const DISABLE: Self = Self(64);
    /// This VF's anti-spoofing.
    pub(crate) const SPOOFCHK: Self = Self(128);
    /// This VF's transmit rate limit.
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

impl core::ops::BitOr for Changes {
    type Output = Self;

    fn bitor(self, rhs: Self) -> Self {
        self.union(rhs)
    }
}

impl core::ops::BitOrAssign for Changes {
    fn bitor_assign(&mut self, rhs: Self) {
        *self = self.union(rhs);
    }
}

/// Why a VF's request was refused; the mailbox service logs these rate-limited.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Refusal {
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
    /// No receive address entry left, or the VF already holds [`MAX_VF_FILTERS`] filters.
    FilterTableFull,
    /// The VF tried to change VLANs while a port VLAN is configured.
    VlanDenied,
    /// No VLVF entry left.
    VlanTableFull,
    /// VLAN id above 4095 (word 1 attached).
    InvalidVlan(u32),
    /// SET_LPE size outside 64..=[`MAX_FRAME`] (word 1 attached).
    FrameTooLarge(u32),
    /// SET_PROMISC with unicast or unknown flags (info field attached).
    PromiscDenied(u32),
    /// The address is already used by the PF or another VF.
    MacInUse(MacAddr),
    /// The VF tried to join another VF's port VLAN (VLAN id attached).
    VlanReserved(u16),
    /// The free unicast filters are owed to other VFs (the VF's share attached).
    FilterQuota(usize),
    /// The free VLAN entries are owed to other VFs or kept for the administrator (the VF's
    /// share attached).
    VlanQuota(usize),
}

/// Result of one request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Outcome {
    /// The reply to write to the VF's buffer.
    pub(crate) reply: Reply,
    /// Hardware areas to re-program.
    pub(crate) changes: Changes,
    /// Why the request was refused, if it was.
    pub(crate) refusal: Option<Refusal>,
}

impl Outcome {
    /// A one-word reply.
    fn one(word0: u32, changes: Changes, refusal: Option<Refusal>) -> Self {
        Self {
            reply: Reply::one(word0),
            changes,
            refusal,
        }
    }

    /// Normal accepted reply: the request's word 0 with its info bits, plus CTS and ACK.
    fn ack(word0: u32, changes: Changes) -> Self {
        Self::one(word0 | msg::CTS | msg::ACK, changes, None)
    }

    /// Normal refused reply. The request's info bits are kept because `igbvf` compares the
    /// whole word (e.g. `SET_MAC_ADDR | MAC_FILTER_ADD | NACK`) after masking CTS.
    fn nack(word0: u32, refusal: Refusal) -> Self {
        Self::one(word0 | msg::CTS | msg::NACK, Changes::NONE, Some(refusal))
    }
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
    /// The MAC is already used by the PF or another VF.
    MacInUse,
}

/// Model of all VFs and the device-wide shared filter tables.
#[derive(Clone, Debug)]
pub(crate) struct Model {
    /// Number of enabled VFs (at most [`MAX_VFS`]).
    num_vfs: usize,
    /// Per-VF configuration and state; entries at and above `num_vfs` are unused.
    vfs: [Vf; MAX_VFS],
    /// Receive address table.
    rar: RarTable,
    /// VLAN pool filter table.
    vlan: VlanTable,
    /// The PF interface's multicast groups.
    pf_mc: PfMulticast,
}

impl Model {
    /// Creates the model for `num_vfs` VFs (clamped to [`MAX_VFS`]), all in reset state.
    pub(crate) fn new(num_vfs: usize, pf_mac: MacAddr) -> Self {
        let num_vfs = num_vfs.min(MAX_VFS);
        // The PF keeps priority-tagged (VID 0) frames like C igb.
        let mut m = Self {
            num_vfs,
            vfs: [Vf::default(); MAX_VFS],
            rar: RarTable::new(pf_mac),
            vlan: VlanTable::new(pool_bit(num_vfs)),
            pf_mc: PfMulticast::default(),
        };
        for vf in 0..num_vfs {
            m.vf_reset(vf);
        }
        m
    }

    /// Number of enabled VFs.
    pub(crate) fn num_vfs(&self) -> usize {
        self.num_vfs
    }

    /// Pool owned by the PF.
    pub(crate) fn pf_pool(&self) -> usize {
        self.num_vfs
    }

    /// VF `vf` if it is enabled.
    pub(crate) fn vf(&self, vf: usize) -> Option<&Vf> {
        self.vfs.get(..self.num_vfs)?.get(vf)
    }

    /// VF `vf` if it is enabled, mutably.
    fn vf_mut(&mut self, vf: usize) -> Option<&mut Vf> {
        let n = self.num_vfs;
        self.vfs.get_mut(..n)?.get_mut(vf)
    }

    /// The receive address table.
    pub(crate) fn rar(&self) -> &RarTable {
        &self.rar
    }

    /// The VLAN pool filter table.
    pub(crate) fn vlan(&self) -> &VlanTable {
        &self.vlan
    }

    /// Pool that receive address entry `i` steers to, or `None` if it is free or out of range.
    pub(crate) fn rar_pool(&self, i: usize) -> Option<usize> {
        match self.rar.entries().get(i)?.owner {
            RarOwner::Free => None,
            RarOwner::Pf => Some(self.pf_pool()),
            RarOwner::VfPrimary(n) | RarOwner::VfFilter(n) => Some(n),
        }
    }

    /// All multicast hashes of all VFs; the hardware layer ORs them into the multicast table.
    pub(crate) fn mta_hashes(&self) -> impl Iterator<Item = u16> + '_ {
        self.vfs
            .iter()
            .take(self.num_vfs)
            .flat_map(|v| v.state.mc.as_slice().iter().copied())
    }

    /// The PF interface's multicast filter (its table bits join [`Model::mta_hashes`]').
    pub(crate) fn pf_multicast(&self) -> PfMulticast {
        self.pf_mc
    }

    /// Sets the PF interface's multicast filter; the table changes if the filter did.
    pub(crate) fn set_pf_multicast(&mut self, mc: PfMulticast) -> Changes {
        if self.pf_mc == mc {
            return Changes::NONE;
        }
        self.pf_mc = mc;
        Changes::MULTICAST
    }

    /// Receive settings of `vf`'s pool; a closed pool for a VF that is not enabled.
    pub(crate) fn pool_rx(&self, vf: usize) -> PoolRx {
        self.vf(vf).map_or(PoolRx::CLOSED, Vf::pool_rx)
    }

    /// The tag inserted into `vf`'s frames, if any.
    pub(crate) fn port_vlan_tag(&self, vf: usize) -> Option<VlanTag> {
        self.vf(vf).and_then(Vf::port_vlan_tag)
    }

    /// The rate limit of `vf` at link speed `link_mbps`.
    pub(crate) fn rate_factor(&self, vf: usize, link_mbps: u32) -> Option<RateFactor> {
        self.vf(vf).and_then(|v| v.rate_factor(link_mbps))
    }

    /// Whether `vf`'s pool may pass traffic: it completed a reset and the administrator has
    /// not disabled its link.
    pub(crate) fn pool_enabled(&self, vf: usize) -> bool {
        self.vf(vf)
            .is_some_and(|v| v.state.cts && v.config.link != LinkState::Disable)
    }

    /// PF_CONTROL message for `vf`, with CTS if the VF is clear to send.
    pub(crate) fn control_msg(&self, vf: usize) -> u32 {
        if self.pool_enabled(vf) {
            msg::PF_CONTROL | msg::CTS
        } else {
            msg::PF_CONTROL
        }
    }

    /// What to tell `vf` after the PF's link changed: VFs that have not completed a reset are
    /// left alone (they will ask when they are ready); the others re-check their link.
    pub(crate) fn link_notice(&self, vf: usize) -> Option<u32> {
        self.vf(vf)
            .filter(|v| v.state.cts)
            .map(|_| self.control_msg(vf))
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
        let v = self.vf_mut(vf)?;
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
    pub(crate) fn handle(&mut self, vf: usize, m: Message) -> Outcome {
        let mut out = self.handle_request(vf, m);
        if self
            .vf(vf)
            .is_some_and(|v| v.config.link == LinkState::Disable)
        {
            out.reply = out.reply.without_cts();
        }
        out
    }

    fn handle_request(&mut self, vf: usize, m: Message) -> Outcome {
        let word0 = m.word0;
        let Some(v) = self.vf(vf) else {
            return Outcome::one(word0 | msg::NACK, Changes::NONE, None);
        };
        let cts = v.state.cts;

        let request = match m.request {
            Ok(r) => r,
            // Requests never carry reply-type bits; C igb silently drops such a word as
            // "already processed", but answering keeps the VF from waiting for its 1 s timeout.
            Err(DecodeError::ReplyBits) => {
                let w = word0 & !msg::TYPE_MASK;
                let w = if cts { w | msg::CTS } else { w };
                return Outcome::one(
                    w | msg::NACK,
                    Changes::NONE,
                    Some(Refusal::UnknownMessage(word0)),
                );
            }
            Err(DecodeError::Unknown) if !cts => {
                return Outcome::one(
                    word0 | msg::NACK,
                    Changes::NONE,
                    Some(Refusal::NotClearToSend),
                );
            }
            Err(DecodeError::Unknown) => {
                return Outcome::nack(word0, Refusal::UnknownMessage(word0));
            }
        };
        if request != Request::Reset && !cts {
            return Outcome::one(
                word0 | msg::NACK,
                Changes::NONE,
                Some(Refusal::NotClearToSend),
            );
        }

        match request {
            Request::Reset => self.reset_msg(vf),
            Request::SetMac(mac) => self.set_mac_msg(vf, word0, mac),
            Request::ClearFilters => {
                // C igb deviation: igbvf sends CLR with a zero address, which C igb validates
                // and NACKs; the address is meaningless for CLR.
                let changes = if self.rar.drop_filters(vf) {
                    Changes::RAR
                } else {
                    Changes::NONE
                };
                Outcome::ack(word0, changes)
            }
            Request::AddFilter(mac) => self.add_filter_msg(vf, word0, mac),
            Request::SetMulticast(list) => self.set_multicast_msg(vf, word0, list),
            Request::SetVlan { add, vid } => self.set_vlan_msg(vf, word0, add, vid),
            Request::SetLpe(size) => {
                if !(MIN_FRAME..=MAX_FRAME).contains(&size) {
                    return Outcome::nack(word0, Refusal::FrameTooLarge(size));
                }
                if let Some(v) = self.vf_mut(vf) {
                    // Bounded by MAX_FRAME above, so it fits in u16.
                    v.state.max_frame = u16::try_from(size).unwrap_or(DEFAULT_MAX_FRAME);
                }
                Outcome::ack(word0, Changes::POOL_RX)
            }
            Request::SetPromisc(flags) => {
                // The 82576's ROPE/UPE would let a VF see other functions' unicast traffic,
                // and it is never used by igbvf, so only multicast promiscuous is granted.
                if flags & !msg::PROMISC_MULTICAST != 0 {
                    return Outcome::nack(word0, Refusal::PromiscDenied(flags));
                }
                if let Some(v) = self.vf_mut(vf) {
                    v.state.mc_promisc_req = flags & msg::PROMISC_MULTICAST != 0;
                }
                Outcome::ack(word0, Changes::POOL_RX)
            }
        }
    }

    /// Resets the runtime state of `vf` like C igb's `igb_vf_reset()`.
    ///
    /// Keeps the administrative configuration; an administrative MAC replaces whatever the VF
    /// set. Drops the VF's filters, multicast list and VLANs, then grants the port VLAN (or
    /// VID 0) again. The VF must send RESET before it may configure anything else.
    pub(crate) fn vf_reset(&mut self, vf: usize) -> Changes {
        let Some(v) = self.vf_mut(vf) else {
            return Changes::NONE;
        };
        let mac = v.config.mac.unwrap_or(v.state.mac);
        let port_vlan = v.config.port_vlan;
        v.state = VfState {
            mac,
            ..VfState::default()
        };
        self.rar.drop_filters(vf);
        self.vlan.remove_pool(vf);
        // Re-adding cannot fail: the VF was removed from the table just above, and any entry
        // it held for the port VLAN was freed or is still there.
        self.vlan.add(vf, port_vlan & MAX_VID);
        self.recount_vlans(vf);
        self.write_primary(vf);
        Changes::RAR | Changes::VLAN | Changes::MULTICAST | Changes::POOL_RX | Changes::PORT_VLAN
    }

    /// Function-level reset of `vf` (VFLRE bit; igbvf causes one on every down/up). RX/TX
    /// stay disabled until the next RESET.
    ///
    /// C igb deviation: C igb forgets a MAC the VF chose, and a neighbour that asks for it
    /// before the VF's next RESET takes it and its traffic. Here the VF keeps its MAC, and
    /// gets it back in the RESET reply: an address stays reserved to its VF until the VF
    /// changes it, the administrator replaces it, or the VFs are disabled.
    pub(crate) fn vflr(&mut self, vf: usize) -> Changes {
        if self.vf(vf).is_none() {
            return Changes::NONE;
        }
        self.vf_reset(vf) | Changes::DISABLE
    }

    /// Sets (valid unicast) or clears (zero) the administrative MAC of `vf`.
    ///
    /// Like C igb the VF is not notified here; see [`Model::request_vf_reset`].
    pub(crate) fn set_admin_mac(&mut self, vf: usize, mac: MacAddr) -> Result<Changes, AdminError> {
        if self.vf(vf).is_none() {
            return Err(AdminError::InvalidVf);
        }
        // C igb deviation: C igb lets two functions share an address, and whichever receive
        // address entry matches first gets the other's traffic.
        if mac.is_valid_unicast() && self.rar.used_by_other(vf, mac) {
            return Err(AdminError::MacInUse);
        }
        let v = self.vf_mut(vf).ok_or(AdminError::InvalidVf)?;
        if mac.is_zero() {
            v.config.mac = None;
            v.state.mac = MacAddr::ZERO;
        } else if mac.is_multicast() {
            return Err(AdminError::InvalidMac);
        } else {
            v.config.mac = Some(mac);
            v.state.mac = mac;
            // An untrusted VF with an administrative MAC may not hold filters (see
            // MAC_FILTER_ADD), so filters it added before would outlive the policy.
            if !v.config.trusted {
                self.rar.drop_filters(vf);
            }
        }
        self.write_primary(vf);
        Ok(Changes::RAR)
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
    ) -> Result<Changes, AdminError> {
        if self.vf(vf).is_none() {
            return Err(AdminError::InvalidVf);
        }
        if vid > MAX_VID {
            return Err(AdminError::InvalidVlan);
        }
        if qos > MAX_QOS {
            return Err(AdminError::InvalidQos);
        }
        let saved = self.vlan;
        self.vlan.remove_pool(vf);
        if !self.vlan.add(vf, vid) {
            self.vlan = saved;
            return Err(AdminError::VlanTableFull);
        }
        if let Some(v) = self.vf_mut(vf) {
            v.config.port_vlan = vid;
            v.config.qos = qos;
        }
        self.recount_vlans(vf);
        // A port VLAN isolates its VFs: VFs that joined it themselves leave it (C igb leaves
        // them in, so they receive the port VLAN's traffic).
        if vid != 0 {
            for other in 0..self.num_vfs {
                if other != vf && self.vf(other).is_some_and(|v| v.config.port_vlan == 0) {
                    self.vlan.remove(other, vid);
                    self.recount_vlans(other);
                }
            }
        }
        Ok(Changes::VLAN | Changes::PORT_VLAN | Changes::POOL_RX)
    }

    /// Sets whether `vf` is trusted.
    ///
    /// Revoking trust re-applies the administrative MAC policy at once: filters are dropped
    /// and the primary MAC reverts to the administrative one.
    pub(crate) fn set_trust(&mut self, vf: usize, trusted: bool) -> Result<Changes, AdminError> {
        let v = self.vf_mut(vf).ok_or(AdminError::InvalidVf)?;
        v.config.trusted = trusted;
        let Some(admin) = v.config.mac.filter(|_| !trusted) else {
            return Ok(Changes::NONE);
        };
        v.state.mac = admin;
        self.rar.drop_filters(vf);
        self.write_primary(vf);
        Ok(Changes::RAR)
    }

    /// Enables or disables MAC/VLAN anti-spoofing for `vf`.
    pub(crate) fn set_spoofchk(&mut self, vf: usize, on: bool) -> Result<Changes, AdminError> {
        let v = self.vf_mut(vf).ok_or(AdminError::InvalidVf)?;
        v.config.spoofchk = on;
        Ok(Changes::SPOOFCHK)
    }

    /// Sets the administrative link state of `vf`.
    ///
    /// 82576 cannot force a VF's link bit, so "down" is emulated by disabling its RX/TX;
    /// "up"/"auto" re-enable them only once the VF has completed a reset.
    pub(crate) fn set_link_state(
        &mut self,
        vf: usize,
        link: LinkState,
    ) -> Result<Changes, AdminError> {
        let v = self.vf_mut(vf).ok_or(AdminError::InvalidVf)?;
        v.config.link = link;
        Ok(if link == LinkState::Disable {
            Changes::DISABLE
        } else if v.state.cts {
            Changes::ENABLE
        } else {
            Changes::NONE
        })
    }

    /// Sets the transmit rate limit of `vf` in Mb/s (0: unlimited). The caller checks it
    /// against the link speed.
    pub(crate) fn set_max_tx_rate(&mut self, vf: usize, rate: u32) -> Result<Changes, AdminError> {
        let v = self.vf_mut(vf).ok_or(AdminError::InvalidVf)?;
        v.config.max_tx_rate = rate;
        Ok(Changes::RATE)
    }

    /// RESET: reset the VF, grant CTS and return its MAC.
    fn reset_msg(&mut self, vf: usize) -> Outcome {
        let mut changes = self.vf_reset(vf);
        let mut mac = MacAddr::ZERO;
        if let Some(v) = self.vf_mut(vf) {
            v.state.cts = true;
            mac = v.state.mac;
        }
        changes |= if self.pool_enabled(vf) {
            Changes::ENABLE
        } else {
            Changes::DISABLE
        };
        // igbvf's probe compares word 0 against exactly RESET|ACK or RESET|NACK, so unlike
        // every other reply this one must not carry CTS or the request's info bits.
        let reply = if mac.is_valid_unicast() {
            Reply::reset(msg::RESET | msg::ACK, mac)
        } else {
            Reply::reset(msg::RESET | msg::NACK, MacAddr::ZERO)
        };
        Outcome {
            reply,
            changes,
            refusal: None,
        }
    }

    /// SET_MAC_ADDR info 0: replace the primary MAC.
    fn set_mac_msg(&mut self, vf: usize, word0: u32, mac: MacAddr) -> Outcome {
        let Some(v) = self.vf(vf) else {
            return Outcome::nack(word0, Refusal::UnknownMessage(word0));
        };
        if let Some(admin) = v.config.mac {
            if !v.config.trusted && mac != admin {
                return Outcome::nack(word0, Refusal::AdminMacDenied);
            }
        }
        if !mac.is_valid_unicast() {
            return Outcome::nack(word0, Refusal::InvalidMac(mac));
        }
        // A later receive address entry with the same address would let the VF steal or
        // snoop the PF's or another VF's unicast traffic (C igb does not check this).
        if self.rar.used_by_other(vf, mac) {
            return Outcome::nack(word0, Refusal::MacInUse(mac));
        }
        if let Some(v) = self.vf_mut(vf) {
            v.state.mac = mac;
        }
        self.write_primary(vf);
        Outcome::ack(word0, Changes::RAR)
    }

    /// SET_MAC_ADDR MAC_FILTER_ADD: one extra unicast receive address entry for the VF.
    fn add_filter_msg(&mut self, vf: usize, word0: u32, mac: MacAddr) -> Outcome {
        let Some(v) = self.vf(vf) else {
            return Outcome::nack(word0, Refusal::UnknownMessage(word0));
        };
        if !mac.is_valid_unicast() {
            return Outcome::nack(word0, Refusal::InvalidMac(mac));
        }
        // The primary entry already steers this address to the VF.
        if mac == v.state.mac {
            return Outcome::ack(word0, Changes::NONE);
        }
        if v.config.mac.is_some() && !v.config.trusted {
            return Outcome::nack(word0, Refusal::FilterDenied);
        }
        if self.rar.has_filter(vf, mac) {
            return Outcome::ack(word0, Changes::NONE);
        }
        if self.rar.used_by_other(vf, mac) {
            return Outcome::nack(word0, Refusal::MacInUse(mac));
        }
        if self.rar.filters_of(vf) >= MAX_VF_FILTERS {
            return Outcome::nack(word0, Refusal::FilterTableFull);
        }
        let share = quota::filter_share(self.num_vfs);
        let owed = (0..self.num_vfs)
            .filter(|&o| o != vf)
            .map(|o| quota::owed(share, self.rar.filters_of(o)))
            .sum();
        if !quota::may_take(self.rar.free_spares(self.num_vfs), owed, 0) {
            return Outcome::nack(word0, Refusal::FilterQuota(share));
        }
        if self.rar.add_filter(vf, mac, self.num_vfs) {
            Outcome::ack(word0, Changes::RAR)
        } else {
            Outcome::nack(word0, Refusal::FilterTableFull)
        }
    }

    /// SET_MULTICAST: replace the VF's hash list.
    fn set_multicast_msg(&mut self, vf: usize, word0: u32, list: McList) -> Outcome {
        let Some(v) = self.vf_mut(vf) else {
            return Outcome::nack(word0, Refusal::UnknownMessage(word0));
        };
        v.state.mc = list;
        Outcome::ack(word0, Changes::MULTICAST | Changes::POOL_RX)
    }

    /// SET_VLAN: join or leave one VLAN.
    fn set_vlan_msg(&mut self, vf: usize, word0: u32, add: bool, vid: u32) -> Outcome {
        let Some(v) = self.vf(vf) else {
            return Outcome::nack(word0, Refusal::UnknownMessage(word0));
        };
        let Some(vid) = u16::try_from(vid).ok().filter(|&v| v <= MAX_VID) else {
            return Outcome::nack(word0, Refusal::InvalidVlan(vid));
        };
        if v.config.port_vlan != 0 {
            return Outcome::nack(word0, Refusal::VlanDenied);
        }
        if add && vid != 0 && self.is_port_vlan_of_other(vf, vid) {
            return Outcome::nack(word0, Refusal::VlanReserved(vid));
        }
        if add {
            if vid != 0 && !self.vlan.has(vid) && !self.may_take_vlan_entry(vf) {
                return Outcome::nack(word0, Refusal::VlanQuota(quota::vlan_share(self.num_vfs)));
            }
            if !self.vlan.add(vf, vid) {
                return Outcome::nack(word0, Refusal::VlanTableFull);
            }
        } else if vid != 0 {
            // Like C igb, VID 0 is never removed: it carries priority-tagged traffic and the
            // 8021q layer re-adds it on every open anyway.
            self.vlan.remove(vf, vid);
        }
        self.recount_vlans(vf);
        Outcome::ack(word0, Changes::VLAN | Changes::POOL_RX)
    }

    /// Whether `vf` may take a new VLVF entry: the other VFs' shares and the administrator's
    /// reserve stay free. VFs with a port VLAN cannot join VLANs and are owed nothing.
    fn may_take_vlan_entry(&self, vf: usize) -> bool {
        let share = quota::vlan_share(self.num_vfs);
        let owed = (0..self.num_vfs)
            .filter(|&o| o != vf && self.vf(o).is_some_and(|v| v.config.port_vlan == 0))
            .map(|o| quota::owed(share, self.vlan.count_of(o)))
            .sum();
        quota::may_take(self.vlan.free_entries(), owed, quota::ADMIN_VLAN_RESERVE)
    }

    /// Whether `vid` is the port VLAN of an enabled VF other than `vf`.
    fn is_port_vlan_of_other(&self, vf: usize, vid: u16) -> bool {
        (0..self.num_vfs).any(|o| o != vf && self.vf(o).is_some_and(|v| v.config.port_vlan == vid))
    }

    /// Rewrites `vf`'s primary receive address entry from its MAC (freed when it has none).
    fn write_primary(&mut self, vf: usize) {
        if let Some(mac) = self.vf(vf).map(|v| v.state.mac) {
            self.rar.set_primary(vf, mac);
        }
    }

    /// Refreshes `vlan_count` of `vf` from the VLAN table.
    fn recount_vlans(&mut self, vf: usize) {
        let n = self.vlan.count_of(vf);
        if let Some(v) = self.vf_mut(vf) {
            v.state.vlan_count = n;
        }
    }
}

#[cfg(any(test, CONFIG_KUNIT))]
#[cfg_attr(CONFIG_KUNIT, kernel::prelude::kunit_tests(rigb_model))]
mod tests {
    use super::*;
    use crate::mbx::msg::MBX_WORDS;
    use filters::{
        Rar,
        Vlvf,
        RAR_ENTRIES,
        VLVF_ENTRIES, //
    };
    use msg::MAX_MC_HASHES;

    /// MAC of the PF in all tests.
    const PF_MAC: MacAddr = MacAddr([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
    /// A unicast address.
    const MAC_A: MacAddr = MacAddr([0x02, 0x00, 0x00, 0x00, 0x00, 0x0a]);
    /// Another unicast address.
    const MAC_B: MacAddr = MacAddr([0x02, 0x00, 0x00, 0x00, 0x00, 0x0b]);
    /// A multicast address.
    const MCAST: MacAddr = MacAddr([0x01, 0x00, 0x5e, 0x00, 0x00, 0x01]);

    /// A request whose mailbox buffer starts with `ws`, zero-padded.
    fn req(ws: &[u32]) -> Message {
        let mut out = [0u32; MBX_WORDS];
        for (d, s) in out.iter_mut().zip(ws.iter()) {
            *d = *s;
        }
        Message::from(&out)
    }

    /// SET_MAC_ADDR request with sub-command `info`.
    fn mac_req(info: u32, mac: MacAddr) -> Message {
        let (w1, w2) = mac.to_words();
        req(&[msg::SET_MAC_ADDR | (info << msg::INFO_SHIFT), w1, w2])
    }

    /// SET_VLAN request.
    fn vlan_req(add: bool, vid: u32) -> Message {
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
            m.handle(vf, req(&[msg::RESET]));
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
        m.rar.filters_of(vf)
    }

    /// Whether the computed VFTA has `vid`.
    fn vfta_has(m: &Model, vid: usize) -> bool {
        m.vlan.vid_bitmap()[vid / 32] & (1 << (vid % 32)) != 0
    }

    #[test]
    fn sync_bit_operations() {
        let mut s = Changes::RAR | Changes::MULTICAST;
        assert!(s.contains(Changes::RAR) && !s.contains(Changes::VLAN));
        s |= Changes::VLAN;
        assert!(s.contains(Changes::RAR | Changes::VLAN | Changes::MULTICAST));
        assert!(Changes::default().is_empty() && Changes::NONE.is_empty());
        assert_eq!(Changes::ENABLE.union(Changes::DISABLE), Changes(96));
    }

    #[test]
    fn new_model_layout() {
        let m = Model::new(3, PF_MAC);
        assert_eq!(m.pf_pool(), 3);
        assert_eq!(
            m.rar.entries()[0],
            Rar {
                mac: PF_MAC,
                owner: RarOwner::Pf
            }
        );
        assert_eq!(m.rar_pool(0), Some(3));
        assert_eq!(m.rar_pool(1), None);
        assert_eq!(m.rar_pool(RAR_ENTRIES), None);
        // VID 0 entry: PF pool plus every VF (reset grants VID 0).
        assert_eq!(m.vlan.entries()[0].vid, 0);
        assert_eq!(m.vlan.entries()[0].pools, 0b1111);
        assert!(m.vlan.entries().iter().skip(1).all(|e| e.pools == 0));
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
        assert_eq!(m.vlan.entries()[0].pools, 0xff);
    }

    #[test]
    fn reset_reply_carries_mac() {
        let mut m = Model::new(2, PF_MAC);
        assert_eq!(m.set_admin_mac(1, MAC_A), Ok(Changes::RAR));
        let out = m.handle(1, req(&[msg::RESET]));
        let (w1, w2) = MAC_A.to_words();
        assert_eq!(out.reply.words(), &[0x8000_0001, w1, w2]);
        assert_eq!(out.reply.words().len(), 3);
        assert_eq!(out.reply.words().len(), 3);
        assert_eq!(out.refusal, None);
    }

    #[test]
    fn reset_without_mac_nacks_with_zero_mac() {
        let mut m = Model::new(2, PF_MAC);
        let out = m.handle(0, req(&[msg::RESET]));
        assert_eq!(out.reply.words(), &[0x4000_0001, 0, 0]);
        assert_eq!(out.reply.words().len(), 3);
        // Still clear to send: igbvf continues with a random MAC.
        assert!(m.vfs[0].state.cts);
    }

    #[test]
    fn reset_enables_vf_and_requests_full_sync() {
        let mut m = Model::new(2, PF_MAC);
        let out = m.handle(0, req(&[msg::RESET]));
        let want = Changes::ENABLE
            | Changes::POOL_RX
            | Changes::PORT_VLAN
            | Changes::VLAN
            | Changes::MULTICAST
            | Changes::RAR;
        assert!(out.changes.contains(want));
        assert!(!out.changes.contains(Changes::DISABLE));
        assert!(m.vfs[0].state.cts);
        assert_eq!(m.control_msg(0), msg::PF_CONTROL | msg::CTS);
        assert_eq!(m.control_msg(1), msg::PF_CONTROL);
        assert_eq!(m.control_msg(7), msg::PF_CONTROL);
    }

    #[test]
    fn reset_programs_primary_rar_from_the_top() {
        let mut m = Model::new(3, PF_MAC);
        assert!(m.set_admin_mac(2, MAC_B).is_ok());
        m.handle(2, req(&[msg::RESET]));
        assert_eq!(
            m.rar.entries()[21],
            Rar {
                mac: MAC_B,
                owner: RarOwner::VfPrimary(2)
            }
        );
        assert_eq!(m.rar_pool(21), Some(2));
        assert_eq!(m.rar.entries()[23].owner, RarOwner::Free);
    }

    #[test]
    fn request_before_reset_is_nacked_without_cts() {
        let mut m = Model::new(1, PF_MAC);
        let out = m.handle(0, req(&[msg::SET_LPE, 1522]));
        assert_eq!(out.reply.word0(), msg::SET_LPE | msg::NACK);
        assert_eq!(out.reply.words().len(), 1);
        assert_eq!(out.refusal, Some(Refusal::NotClearToSend));
        assert!(out.changes.is_empty());
    }

    #[test]
    fn out_of_range_vf_is_nacked() {
        let mut m = ready(2);
        let out = m.handle(2, req(&[msg::RESET]));
        assert_eq!(out.reply.word0(), msg::RESET | msg::NACK);
        assert_eq!(out.reply.words().len(), 1);
        assert!(out.changes.is_empty());
        assert_eq!(
            m.handle(usize::MAX, req(&[msg::SET_LPE, 9000]))
                .reply
                .words()
                .len(),
            1
        );
        assert_eq!(m.vf_reset(5), Changes::NONE);
        assert_eq!(m.vflr(5), Changes::NONE);
    }

    #[test]
    fn request_with_reply_type_bits_is_rejected() {
        let mut m = ready(1);
        let w0 = msg::SET_LPE | msg::ACK;
        let out = m.handle(0, req(&[w0, 9000]));
        assert_eq!(out.reply.word0(), msg::SET_LPE | msg::CTS | msg::NACK);
        assert_eq!(out.refusal, Some(Refusal::UnknownMessage(w0)));
        assert_eq!(m.vfs[0].state.max_frame, DEFAULT_MAX_FRAME);
    }

    #[test]
    fn unknown_message_is_nacked() {
        let mut m = ready(1);
        let out = m.handle(0, req(&[0x0042]));
        assert_eq!(out.reply.word0(), nack(0x0042));
        assert_eq!(out.refusal, Some(Refusal::UnknownMessage(0x0042)));
        let out = m.handle(0, req(&[msg::PF_CONTROL]));
        assert_eq!(out.refusal, Some(Refusal::UnknownMessage(msg::PF_CONTROL)));
    }

    #[test]
    fn set_mac_primary_updates_rar() {
        let mut m = ready(2);
        let out = m.handle(1, mac_req(0, MAC_A));
        assert_eq!(out.reply.word0(), ack(msg::SET_MAC_ADDR));
        assert_eq!(out.reply.words().len(), 1);
        assert_eq!(out.changes, Changes::RAR);
        assert_eq!(m.vfs[1].state.mac, MAC_A);
        assert_eq!(m.rar.entries()[22].mac, MAC_A);
        assert_eq!(m.rar_pool(22), Some(1));
    }

    #[test]
    fn set_mac_rejects_invalid_addresses() {
        let mut m = ready(1);
        let out = m.handle(0, mac_req(0, MCAST));
        assert_eq!(out.reply.word0(), nack(msg::SET_MAC_ADDR));
        assert_eq!(out.refusal, Some(Refusal::InvalidMac(MCAST)));
        let out = m.handle(0, mac_req(0, MacAddr::ZERO));
        assert_eq!(out.refusal, Some(Refusal::InvalidMac(MacAddr::ZERO)));
        assert!(m.vfs[0].state.mac.is_zero());
    }

    #[test]
    fn set_mac_denied_for_untrusted_vf_with_admin_mac() {
        let mut m = Model::new(1, PF_MAC);
        assert!(m.set_admin_mac(0, MAC_A).is_ok());
        m.handle(0, req(&[msg::RESET]));
        let out = m.handle(0, mac_req(0, MAC_B));
        // igbvf masks CTS and compares against exactly SET_MAC_ADDR|NACK.
        assert_eq!(out.reply.word0() & !msg::CTS, msg::SET_MAC_ADDR | msg::NACK);
        assert_eq!(out.refusal, Some(Refusal::AdminMacDenied));
        assert_eq!(m.vfs[0].state.mac, MAC_A);
        // Re-setting the administrator's own choice is harmless.
        assert_eq!(
            m.handle(0, mac_req(0, MAC_A)).reply.word0(),
            ack(msg::SET_MAC_ADDR)
        );
    }

    #[test]
    fn trusted_vf_may_override_admin_mac() {
        let mut m = Model::new(1, PF_MAC);
        assert!(m.set_admin_mac(0, MAC_A).is_ok());
        assert_eq!(m.set_trust(0, true), Ok(Changes::NONE));
        m.handle(0, req(&[msg::RESET]));
        assert_eq!(
            m.handle(0, mac_req(0, MAC_B)).reply.word0(),
            ack(msg::SET_MAC_ADDR)
        );
        assert_eq!(m.rar.entries()[23].mac, MAC_B);
        // The administrator's MAC wins again at the next reset.
        m.handle(0, req(&[msg::RESET]));
        assert_eq!(m.rar.entries()[23].mac, MAC_A);
    }

    #[test]
    fn set_mac_of_another_function_is_refused() {
        let mut m = ready(2);
        m.handle(0, mac_req(0, MAC_A));
        let out = m.handle(1, mac_req(0, MAC_A));
        assert_eq!(out.refusal, Some(Refusal::MacInUse(MAC_A)));
        let out = m.handle(1, mac_req(0, PF_MAC));
        assert_eq!(out.refusal, Some(Refusal::MacInUse(PF_MAC)));
        let out = m.handle(1, mac_req(msg::MAC_FILTER_ADD, MAC_A));
        assert_eq!(out.refusal, Some(Refusal::MacInUse(MAC_A)));
        // Setting its own current address again is fine.
        assert_eq!(
            m.handle(0, mac_req(0, MAC_A)).reply.word0(),
            ack(msg::SET_MAC_ADDR)
        );
    }

    #[test]
    fn filter_clear_with_zero_address_is_acked() {
        let mut m = ready(1);
        let w0 = msg::SET_MAC_ADDR | (msg::MAC_FILTER_CLR << msg::INFO_SHIFT);
        let out = m.handle(0, mac_req(msg::MAC_FILTER_CLR, MacAddr::ZERO));
        assert_eq!(out.reply.word0(), ack(w0));
        assert_eq!(out.refusal, None);
    }

    #[test]
    fn filter_add_allocates_low_entries() {
        let mut m = ready(2);
        let w0 = msg::SET_MAC_ADDR | (msg::MAC_FILTER_ADD << msg::INFO_SHIFT);
        let out = m.handle(1, mac_req(msg::MAC_FILTER_ADD, MAC_A));
        assert_eq!(out.reply.word0(), ack(w0));
        assert_eq!(out.changes, Changes::RAR);
        assert_eq!(
            m.rar.entries()[1],
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
        m.handle(0, mac_req(0, MAC_B));
        m.handle(0, mac_req(msg::MAC_FILTER_ADD, MAC_A));
        let out = m.handle(0, mac_req(msg::MAC_FILTER_ADD, MAC_A));
        assert_eq!(out.reply.word0() & msg::ACK, msg::ACK);
        assert!(out.changes.is_empty());
        let out = m.handle(0, mac_req(msg::MAC_FILTER_ADD, MAC_B));
        assert_eq!(out.reply.word0() & msg::ACK, msg::ACK);
        assert_eq!(filters_of(&m, 0), 1);
    }

    #[test]
    fn filter_add_rejects_invalid_mac() {
        let mut m = ready(1);
        let w0 = msg::SET_MAC_ADDR | (msg::MAC_FILTER_ADD << msg::INFO_SHIFT);
        let out = m.handle(0, mac_req(msg::MAC_FILTER_ADD, MCAST));
        assert_eq!(out.reply.word0(), nack(w0));
        assert_eq!(out.refusal, Some(Refusal::InvalidMac(MCAST)));
        let out = m.handle(0, mac_req(msg::MAC_FILTER_ADD, MacAddr::ZERO));
        assert_eq!(out.refusal, Some(Refusal::InvalidMac(MacAddr::ZERO)));
        assert_eq!(filters_of(&m, 0), 0);
    }

    #[test]
    fn filter_add_limited_per_vf() {
        let mut m = ready(1);
        for i in 0..MAX_VF_FILTERS {
            let out = m.handle(0, mac_req(msg::MAC_FILTER_ADD, mac_n(i)));
            assert_eq!(out.refusal, None);
        }
        let out = m.handle(0, mac_req(msg::MAC_FILTER_ADD, mac_n(99)));
        assert_eq!(out.refusal, Some(Refusal::FilterTableFull));
        assert_eq!(out.reply.word0() & msg::NACK, msg::NACK);
        assert_eq!(filters_of(&m, 0), MAX_VF_FILTERS);
    }

    #[test]
    fn filter_shares_hold_against_greedy_neighbours() {
        // 7 VFs: filters may use entries 1..=16 only, 2 are owed to each VF.
        let mut m = ready(7);
        for vf in 0..7 {
            m.handle(vf, mac_req(0, mac_n(100 + vf)));
        }
        let mut refused = 0;
        for vf in 0..6 {
            for i in 0..3 {
                let out = m.handle(vf, mac_req(msg::MAC_FILTER_ADD, mac_n(vf * 10 + i)));
                match out.refusal {
                    None => {}
                    Some(Refusal::FilterQuota(2)) => refused += 1,
                    r => panic!("unexpected refusal {r:?}"),
                }
                assert!(filters_of(&m, vf) >= 2.min(i + 1));
            }
        }
        assert_eq!(refused, 4);
        // The last VF still gets its share, and no more.
        for i in 0..2 {
            let out = m.handle(6, mac_req(msg::MAC_FILTER_ADD, mac_n(600 + i)));
            assert_eq!(out.refusal, None);
        }
        let out = m.handle(6, mac_req(msg::MAC_FILTER_ADD, mac_n(602)));
        assert_eq!(out.refusal, Some(Refusal::FilterQuota(2)));
        assert!(m.rar.entries()[1..17]
            .iter()
            .all(|r| matches!(r.owner, RarOwner::VfFilter(_))));
        for vf in 0..7 {
            assert_eq!(m.rar.entries()[23 - vf].owner, RarOwner::VfPrimary(vf));
        }
        // Clearing one VF's filters makes room for another.
        m.handle(0, mac_req(msg::MAC_FILTER_CLR, MacAddr::ZERO));
        let out = m.handle(6, mac_req(msg::MAC_FILTER_ADD, mac_n(602)));
        assert_eq!(out.refusal, None);
    }

    #[test]
    fn filter_denied_for_untrusted_vf_with_admin_mac() {
        let mut m = Model::new(1, PF_MAC);
        assert!(m.set_admin_mac(0, MAC_A).is_ok());
        m.handle(0, req(&[msg::RESET]));
        let out = m.handle(0, mac_req(msg::MAC_FILTER_ADD, MAC_B));
        assert_eq!(out.refusal, Some(Refusal::FilterDenied));
        // Its own address is already steered to it.
        let out = m.handle(0, mac_req(msg::MAC_FILTER_ADD, MAC_A));
        assert_eq!(out.refusal, None);
        assert_eq!(out.reply.word0() & msg::ACK, msg::ACK);
        assert_eq!(filters_of(&m, 0), 0);
    }

    #[test]
    fn filter_clear_removes_only_own_filters() {
        let mut m = ready(2);
        m.handle(0, mac_req(msg::MAC_FILTER_ADD, MAC_A));
        m.handle(1, mac_req(msg::MAC_FILTER_ADD, MAC_B));
        let out = m.handle(0, mac_req(msg::MAC_FILTER_CLR, MacAddr::ZERO));
        assert_eq!(out.changes, Changes::RAR);
        assert_eq!(filters_of(&m, 0), 0);
        assert_eq!(filters_of(&m, 1), 1);
    }

    #[test]
    fn mac_unknown_sub_command_is_nacked() {
        let mut m = ready(1);
        let w0 = msg::SET_MAC_ADDR | (3 << msg::INFO_SHIFT);
        let out = m.handle(0, mac_req(3, MAC_A));
        assert_eq!(out.reply.word0(), nack(w0));
        assert_eq!(out.refusal, Some(Refusal::UnknownMessage(w0)));
    }

    #[test]
    fn multicast_hashes_are_unpacked_low_half_first() {
        let mut m = ready(2);
        let w0 = msg::SET_MULTICAST | (3 << msg::INFO_SHIFT);
        let out = m.handle(1, req(&[w0, 0x0222_0111, 0xFFFF_0333]));
        assert_eq!(out.reply.word0(), ack(w0));
        assert_eq!(out.changes, Changes::MULTICAST | Changes::POOL_RX);
        let s = &m.vfs[1].state;
        assert_eq!(s.mc.len, 3);
        assert_eq!(s.mc.as_slice(), &[0x111, 0x222, 0x333]);
        assert!(!s.mc_promisc());
        assert!(m.pool_rx(1).multicast_hashed && !m.pool_rx(1).multicast_all);
    }

    #[test]
    fn multicast_hashes_are_masked_to_mta_size() {
        let mut m = ready(1);
        let w0 = msg::SET_MULTICAST | (2 << msg::INFO_SHIFT);
        m.handle(0, req(&[w0, 0xF123_FFFF]));
        assert_eq!(m.vfs[0].state.mc.as_slice(), &[0x0FFF, 0x0123]);
    }

    #[test]
    fn multicast_overflow_turns_on_mc_promisc() {
        let mut m = ready(1);
        let mut words = [0x0001_0001u32; MBX_WORDS];
        words[0] = msg::SET_MULTICAST | (40 << msg::INFO_SHIFT);
        let out = m.handle(0, Message::from(&words));
        assert_eq!(out.reply.word0() & msg::ACK, msg::ACK);
        assert_eq!(m.vfs[0].state.mc.len, MAX_MC_HASHES);
        assert!(m.vfs[0].state.mc_promisc());
        assert!(m.pool_rx(0).multicast_all);
        // A shorter list later turns it off again.
        m.handle(0, req(&[msg::SET_MULTICAST | (1 << msg::INFO_SHIFT), 5]));
        assert!(!m.vfs[0].state.mc_promisc());
        assert_eq!(m.vfs[0].state.mc.len, 1);
    }

    #[test]
    fn multicast_list_replaces_previous_and_feeds_mta() {
        let mut m = ready(2);
        m.handle(
            0,
            req(&[msg::SET_MULTICAST | (2 << msg::INFO_SHIFT), 0x0002_0001]),
        );
        m.handle(
            1,
            req(&[msg::SET_MULTICAST | (1 << msg::INFO_SHIFT), 0x0003]),
        );
        assert_eq!(m.mta_hashes().count(), 3);
        assert_eq!(m.mta_hashes().fold(0u32, |a, h| a + u32::from(h)), 6);
        m.handle(0, req(&[msg::SET_MULTICAST]));
        assert_eq!(m.vfs[0].state.mc.len, 0);
        assert!(!m.pool_rx(0).multicast_hashed);
        assert_eq!(m.mta_hashes().count(), 1);
    }

    #[test]
    fn vlan_add_allocates_from_the_top() {
        let mut m = ready(2);
        let out = m.handle(0, vlan_req(true, 100));
        assert_eq!(out.reply.word0(), ack(msg::SET_VLAN | msg::VLAN_ADD));
        assert_eq!(out.changes, Changes::VLAN | Changes::POOL_RX);
        assert_eq!(
            m.vlan.entries()[31],
            Vlvf {
                vid: 100,
                pools: 0b01
            }
        );
        m.handle(1, vlan_req(true, 200));
        assert_eq!(
            m.vlan.entries()[30],
            Vlvf {
                vid: 200,
                pools: 0b10
            }
        );
        assert!(vfta_has(&m, 100) && vfta_has(&m, 200) && !vfta_has(&m, 300));
        assert!(m.pool_rx(0).strip_vlan);
        assert_eq!(m.vfs[0].state.vlan_count, 1);
    }

    #[test]
    fn vlan_entries_are_shared_and_freed() {
        let mut m = ready(2);
        m.handle(0, vlan_req(true, 100));
        m.handle(1, vlan_req(true, 100));
        assert_eq!(
            m.vlan.entries()[31],
            Vlvf {
                vid: 100,
                pools: 0b11
            }
        );
        assert!(m.vlan.entries()[30].pools == 0);
        let out = m.handle(0, vlan_req(false, 100));
        assert_eq!(out.reply.word0(), ack(msg::SET_VLAN));
        assert_eq!(m.vlan.entries()[31].pools, 0b10);
        m.handle(1, vlan_req(false, 100));
        assert_eq!(m.vlan.entries()[31], Vlvf::default());
        assert!(!vfta_has(&m, 100));
        assert!(!m.pool_rx(1).strip_vlan);
        // Removing a VLAN the VF never joined is harmless.
        assert_eq!(
            m.handle(1, vlan_req(false, 7)).reply.word0(),
            ack(msg::SET_VLAN)
        );
    }

    #[test]
    fn vlan_zero_uses_reserved_entry_and_is_never_removed() {
        let mut m = ready(2);
        m.handle(0, vlan_req(false, 0));
        assert_eq!(m.vlan.entries()[0].pools & 1, 1);
        let out = m.handle(0, vlan_req(true, 0));
        assert_eq!(out.reply.word0(), ack(msg::SET_VLAN | msg::VLAN_ADD));
        assert_eq!(m.vlan.entries()[0].vid, 0);
        assert!(m.vlan.entries().iter().skip(1).all(|e| e.pools == 0));
        assert!(vfta_has(&m, 0));
        assert_eq!(m.vfs[0].state.vlan_count, 0);
    }

    #[test]
    fn vlan_invalid_id_is_nacked() {
        let mut m = ready(1);
        let out = m.handle(0, vlan_req(true, 4096));
        assert_eq!(out.reply.word0(), nack(msg::SET_VLAN | msg::VLAN_ADD));
        assert_eq!(out.refusal, Some(Refusal::InvalidVlan(4096)));
        assert!(m.vlan.entries().iter().skip(1).all(|e| e.pools == 0));
    }

    #[test]
    fn vlan_denied_with_port_vlan() {
        let mut m = ready(1);
        assert!(m.set_port_vlan(0, 10, 0).is_ok());
        let out = m.handle(0, vlan_req(false, 10));
        // igbvf detects a refused request by this exact value after masking CTS.
        assert_eq!(out.reply.word0() & !msg::CTS, msg::SET_VLAN | msg::NACK);
        assert_eq!(out.refusal, Some(Refusal::VlanDenied));
        let out = m.handle(0, vlan_req(true, 20));
        assert_eq!(out.refusal, Some(Refusal::VlanDenied));
        assert!(!vfta_has(&m, 20));
    }

    #[test]
    fn vlan_shares_and_admin_reserve_hold_against_a_hog() {
        let mut m = ready(2);
        let share = quota::vlan_share(2);
        // The hog gets what nobody is owed: 31 - 13 owed to VF 1 - 4 kept.
        let mut got = 0;
        for vid in 1..VLVF_ENTRIES as u32 {
            match m.handle(0, vlan_req(true, vid)).refusal {
                None => got += 1,
                Some(r) => assert_eq!(r, Refusal::VlanQuota(share)),
            }
        }
        assert_eq!(got, 31 - share - quota::ADMIN_VLAN_RESERVE);
        let out = m.handle(0, vlan_req(true, 1000));
        assert_eq!(out.reply.word0(), nack(msg::SET_VLAN | msg::VLAN_ADD));
        // The neighbour still gets its whole share, then the reserve is the administrator's.
        for vid in 2000..2000 + share as u32 {
            assert_eq!(m.handle(1, vlan_req(true, vid)).refusal, None);
        }
        assert_eq!(
            m.handle(1, vlan_req(true, 3000)).refusal,
            Some(Refusal::VlanQuota(share))
        );
        assert_eq!(m.vlan.free_entries(), quota::ADMIN_VLAN_RESERVE);
        // Joining an existing entry still works, and so does VID 0.
        assert_eq!(m.handle(1, vlan_req(true, 5)).refusal, None);
        assert_eq!(m.handle(1, vlan_req(true, 0)).refusal, None);
        // The administrator's port VLAN comes out of the reserve.
        assert!(m.set_port_vlan(1, 3500, 0).is_ok());
        // A reset of the hog gives its entries back.
        m.handle(0, req(&[msg::RESET]));
        assert_eq!(m.vfs[0].state.vlan_count, 0);
        assert_eq!(m.handle(0, vlan_req(true, 1000)).refusal, None);
    }

    #[test]
    fn lpe_sets_max_frame() {
        let mut m = ready(1);
        let out = m.handle(0, req(&[msg::SET_LPE, 9022]));
        assert_eq!(out.reply.word0(), ack(msg::SET_LPE));
        assert_eq!(out.changes, Changes::POOL_RX);
        assert_eq!(m.pool_rx(0).max_frame, 9022);
        assert_eq!(m.handle(0, req(&[msg::SET_LPE, MAX_FRAME])).refusal, None);
        assert_eq!(m.handle(0, req(&[msg::SET_LPE, 64])).refusal, None);
    }

    #[test]
    fn lpe_out_of_range_is_nacked() {
        let mut m = ready(1);
        let out = m.handle(0, req(&[msg::SET_LPE, MAX_FRAME + 1]));
        assert_eq!(out.reply.word0(), nack(msg::SET_LPE));
        assert_eq!(out.refusal, Some(Refusal::FrameTooLarge(0x2601)));
        let out = m.handle(0, req(&[msg::SET_LPE, 63]));
        assert_eq!(out.refusal, Some(Refusal::FrameTooLarge(63)));
        let out = m.handle(0, req(&[msg::SET_LPE, u32::MAX]));
        assert_eq!(out.refusal, Some(Refusal::FrameTooLarge(u32::MAX)));
        assert_eq!(m.vfs[0].state.max_frame, DEFAULT_MAX_FRAME);
    }

    #[test]
    fn promisc_multicast_on_and_off() {
        let mut m = ready(1);
        let w0 = msg::SET_PROMISC | (msg::PROMISC_MULTICAST << msg::INFO_SHIFT);
        let out = m.handle(0, req(&[w0]));
        assert_eq!(out.reply.word0(), ack(w0));
        assert_eq!(out.changes, Changes::POOL_RX);
        assert!(m.pool_rx(0).multicast_all);
        // A short multicast list does not cancel an explicit request.
        m.handle(0, req(&[msg::SET_MULTICAST | (1 << msg::INFO_SHIFT), 1]));
        assert!(m.vfs[0].state.mc_promisc());
        m.handle(0, req(&[msg::SET_PROMISC]));
        assert!(!m.pool_rx(0).multicast_all);
    }

    #[test]
    fn promisc_off_keeps_multicast_overflow() {
        let mut m = ready(1);
        m.handle(0, req(&[msg::SET_MULTICAST | (31 << msg::INFO_SHIFT)]));
        m.handle(0, req(&[msg::SET_PROMISC]));
        assert!(m.vfs[0].state.mc_promisc());
        assert!(m.pool_rx(0).multicast_all);
    }

    #[test]
    fn promisc_unicast_and_unknown_flags_denied() {
        let mut m = ready(1);
        let w0 = msg::SET_PROMISC | (msg::PROMISC_UNICAST << msg::INFO_SHIFT);
        let out = m.handle(0, req(&[w0]));
        assert_eq!(out.reply.word0(), nack(w0));
        assert_eq!(
            out.refusal,
            Some(Refusal::PromiscDenied(msg::PROMISC_UNICAST))
        );
        let w0 = msg::SET_PROMISC | (0x82 << msg::INFO_SHIFT);
        assert_eq!(
            m.handle(0, req(&[w0])).refusal,
            Some(Refusal::PromiscDenied(0x82))
        );
        // The whole request is refused: the multicast flag was not applied either.
        assert!(!m.vfs[0].state.mc_promisc());
    }

    #[test]
    fn vf_reset_clears_runtime_state_only() {
        let mut m = ready(1);
        assert!(m.set_spoofchk(0, false).is_ok());
        m.handle(0, mac_req(0, MAC_A));
        m.handle(0, mac_req(msg::MAC_FILTER_ADD, MAC_B));
        m.handle(0, req(&[msg::SET_MULTICAST | (1 << msg::INFO_SHIFT), 9]));
        m.handle(0, req(&[msg::SET_LPE, 9000]));
        m.handle(0, vlan_req(true, 100));
        let sync = m.vf_reset(0);
        assert!(sync.contains(
            Changes::RAR
                | Changes::VLAN
                | Changes::MULTICAST
                | Changes::POOL_RX
                | Changes::PORT_VLAN
        ));
        assert!(!sync.contains(Changes::DISABLE) && !sync.contains(Changes::ENABLE));
        let s = m.vfs[0].state;
        assert!(!s.cts);
        // The VF's own MAC survives a reset (igbvf gets it back, e.g. after an MTU change).
        assert_eq!(s.mac, MAC_A);
        assert_eq!(m.rar.entries()[23].mac, MAC_A);
        assert_eq!(s.mc.len, 0);
        assert_eq!(s.max_frame, DEFAULT_MAX_FRAME);
        assert_eq!(s.vlan_count, 0);
        assert_eq!(filters_of(&m, 0), 0);
        assert!(!vfta_has(&m, 100));
        assert_eq!(m.vlan.entries()[0].pools & 1, 1);
        assert!(!m.vfs[0].config.spoofchk);
        assert_eq!(
            m.handle(0, req(&[msg::SET_LPE, 9000])).refusal,
            Some(Refusal::NotClearToSend)
        );
    }

    #[test]
    fn vf_reset_regrants_port_vlan_only() {
        let mut m = ready(2);
        assert!(m.set_port_vlan(1, 42, 5).is_ok());
        m.vf_reset(1);
        assert_eq!(m.vlan.entries()[0].pools & 0b10, 0);
        assert!(m
            .vlan
            .entries()
            .iter()
            .any(|e| e.vid == 42 && e.pools == 0b10));
        assert_eq!(m.vfs[1].config.port_vlan, 42);
        assert_eq!(m.vfs[1].state.vlan_count, 1);
    }

    #[test]
    fn vflr_keeps_vf_chosen_mac_reserved() {
        let mut m = ready(2);
        m.handle(1, mac_req(0, MAC_A));
        let sync = m.vflr(1);
        assert!(sync.contains(Changes::DISABLE | Changes::RAR));
        assert_eq!(m.vfs[1].state.mac, MAC_A);
        assert_eq!(m.rar.entries()[22].mac, MAC_A);
        // Between the reset and its next RESET no other function may take the address.
        assert_eq!(
            m.handle(0, mac_req(0, MAC_A)).refusal,
            Some(Refusal::MacInUse(MAC_A))
        );
        assert_eq!(m.set_admin_mac(0, MAC_A), Err(AdminError::MacInUse));
        // And the VF gets it back.
        let r = m.handle(1, req(&[msg::RESET]));
        assert_eq!(r.reply.word0(), msg::RESET | msg::ACK);
        assert_eq!(m.vfs[1].state.mac, MAC_A);
    }

    #[test]
    fn mac_is_released_when_the_vf_changes_it() {
        let mut m = ready(2);
        m.handle(1, mac_req(0, MAC_A));
        m.handle(1, mac_req(0, MAC_B));
        assert_eq!(m.handle(0, mac_req(0, MAC_A)).refusal, None);
    }

    #[test]
    fn vflr_keeps_admin_mac() {
        let mut m = Model::new(1, PF_MAC);
        assert!(m.set_admin_mac(0, MAC_B).is_ok());
        m.handle(0, req(&[msg::RESET]));
        m.vflr(0);
        assert_eq!(m.vfs[0].state.mac, MAC_B);
        assert_eq!(m.rar.entries()[23].owner, RarOwner::VfPrimary(0));
        assert_eq!(m.vfs[0].config.mac, Some(MAC_B));
    }

    #[test]
    fn vmolr_and_vmvir_follow_port_vlan() {
        let mut m = ready(2);
        assert_eq!(m.port_vlan_tag(0), None);
        assert!(m.pool_rx(0).untagged && !m.pool_rx(0).strip_vlan);
        assert_eq!(
            m.set_port_vlan(0, 100, 3),
            Ok(Changes::VLAN | Changes::PORT_VLAN | Changes::POOL_RX)
        );
        assert_eq!(m.port_vlan_tag(0), Some(VlanTag { vid: 100, pcp: 3 }));
        let f = m.pool_rx(0);
        assert!(!f.untagged && f.strip_vlan);
        // Priority tagging without a VLAN still inserts but keeps untagged RX.
        assert!(m.set_port_vlan(1, 0, 2).is_ok());
        assert_eq!(m.port_vlan_tag(1), Some(VlanTag { vid: 0, pcp: 2 }));
        assert!(m.pool_rx(1).untagged);
        assert_eq!(m.port_vlan_tag(9), None);
        assert!(!m.pool_rx(9).untagged);
    }

    #[test]
    fn set_port_vlan_moves_vf_between_entries() {
        let mut m = ready(1);
        m.handle(0, vlan_req(true, 7));
        assert!(m.set_port_vlan(0, 100, 0).is_ok());
        assert!(vfta_has(&m, 100) && !vfta_has(&m, 7));
        assert_eq!(m.vlan.entries()[0].pools & 1, 0);
        assert!(m.set_port_vlan(0, 0, 0).is_ok());
        assert!(!vfta_has(&m, 100));
        assert_eq!(m.vlan.entries()[0].pools & 1, 1);
        assert_eq!(m.port_vlan_tag(0), None);
        assert_eq!(m.vfs[0].state.vlan_count, 0);
    }

    #[test]
    fn set_port_vlan_validates_and_rolls_back() {
        let mut m = ready(2);
        assert_eq!(m.set_port_vlan(2, 1, 0), Err(AdminError::InvalidVf));
        assert_eq!(m.set_port_vlan(0, 4096, 0), Err(AdminError::InvalidVlan));
        assert_eq!(m.set_port_vlan(0, 1, 8), Err(AdminError::InvalidQos));
        // Filled behind the quotas' back: only a table that is really full refuses.
        for vid in 1..VLVF_ENTRIES as u16 {
            assert!(m.vlan.add(1, vid));
        }
        let before = m.vlan;
        assert_eq!(m.set_port_vlan(0, 1000, 0), Err(AdminError::VlanTableFull));
        assert_eq!(m.vlan, before);
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
        m.handle(0, mac_req(msg::MAC_FILTER_ADD, MAC_B));
        assert_eq!(m.set_admin_mac(0, MAC_A), Ok(Changes::RAR));
        assert_eq!(m.vfs[0].config.mac, Some(MAC_A));
        assert_eq!(m.rar.entries()[23].mac, MAC_A);
        // Filters are not allowed for an untrusted VF with an admin MAC.
        assert_eq!(filters_of(&m, 0), 0);
        assert_eq!(m.set_admin_mac(0, MacAddr::ZERO), Ok(Changes::RAR));
        assert_eq!(m.vfs[0].config.mac, None);
        assert!(m.vfs[0].state.mac.is_zero());
        assert_eq!(m.rar.entries()[23], Rar::default());
    }

    #[test]
    fn revoking_trust_reapplies_admin_mac_policy() {
        let mut m = Model::new(1, PF_MAC);
        assert!(m.set_admin_mac(0, MAC_A).is_ok());
        assert!(m.set_trust(0, true).is_ok());
        m.handle(0, req(&[msg::RESET]));
        m.handle(0, mac_req(0, MAC_B));
        m.handle(0, mac_req(msg::MAC_FILTER_ADD, mac_n(1)));
        assert_eq!(filters_of(&m, 0), 1);
        assert_eq!(m.set_trust(0, false), Ok(Changes::RAR));
        assert_eq!(filters_of(&m, 0), 0);
        assert_eq!(m.rar.entries()[23].mac, MAC_A);
        assert!(!m.vfs[0].config.trusted);
        assert_eq!(m.set_trust(1, true), Err(AdminError::InvalidVf));
    }

    #[test]
    fn spoofchk_and_link_state() {
        let mut m = Model::new(1, PF_MAC);
        assert_eq!(m.set_spoofchk(0, false), Ok(Changes::SPOOFCHK));
        assert!(!m.vfs[0].config.spoofchk);
        assert_eq!(m.set_spoofchk(3, true), Err(AdminError::InvalidVf));
        // Before the VF reset, enabling has nothing to turn on yet.
        assert_eq!(m.set_link_state(0, LinkState::Enable), Ok(Changes::NONE));
        assert_eq!(
            m.set_link_state(0, LinkState::Disable),
            Ok(Changes::DISABLE)
        );
        let out = m.handle(0, req(&[msg::RESET]));
        assert!(out.changes.contains(Changes::DISABLE) && !out.changes.contains(Changes::ENABLE));
        assert_eq!(m.set_link_state(0, LinkState::Auto), Ok(Changes::ENABLE));
        assert_eq!(m.vfs[0].config.link, LinkState::Auto);
        assert_eq!(
            m.set_link_state(1, LinkState::Auto),
            Err(AdminError::InvalidVf)
        );
    }

    #[test]
    fn link_disabled_replies_lack_cts() {
        let mut m = Model::new(2, PF_MAC);
        let _ = m.handle(0, req(&[msg::RESET]));
        assert_eq!(
            m.set_link_state(0, LinkState::Disable),
            Ok(Changes::DISABLE)
        );
        let out = m.handle(0, req(&[msg::SET_LPE, 1522]));
        assert_eq!(out.reply.words(), &[msg::SET_LPE | msg::ACK]);
        assert_eq!(m.control_msg(0), msg::PF_CONTROL);
        assert_eq!(m.set_link_state(0, LinkState::Auto), Ok(Changes::ENABLE));
        assert_eq!(m.control_msg(0), msg::PF_CONTROL | msg::CTS);
        let out = m.handle(0, req(&[msg::SET_LPE, 1522]));
        assert_eq!(out.reply.words(), &[msg::SET_LPE | msg::CTS | msg::ACK]);
    }

    #[test]
    fn admin_mac_change_makes_running_vf_reset() {
        let mut m = Model::new(2, PF_MAC);
        // A VF that has not reset yet needs no nudge: its RESET will carry the MAC.
        assert_eq!(m.request_vf_reset(1), None);
        let _ = m.handle(0, req(&[msg::RESET]));
        assert!(m.set_admin_mac(0, MAC_A).is_ok());
        assert_eq!(m.request_vf_reset(0), Some(msg::PF_CONTROL | msg::NACK));
        assert!(!m.vfs[0].state.cts);
        let out = m.handle(0, req(&[msg::SET_LPE, 1522]));
        assert_eq!(out.reply.word0() & msg::CTS, 0);
        let out = m.handle(0, req(&[msg::RESET]));
        assert_eq!(out.reply.word0(), msg::RESET | msg::ACK);
        let (w1, w2) = MAC_A.to_words();
        assert_eq!(out.reply.words(), &[msg::RESET | msg::ACK, w1, w2]);
    }

    #[test]
    fn rate_is_administrative_state() {
        let mut m = Model::new(2, PF_MAC);
        assert_eq!(m.set_max_tx_rate(1, 300), Ok(Changes::RATE));
        assert_eq!(m.vfs[1].config.max_tx_rate, 300);
        let _ = m.handle(1, req(&[msg::RESET]));
        assert_eq!(m.vfs[1].config.max_tx_rate, 300);
        assert_eq!(m.set_max_tx_rate(2, 300), Err(AdminError::InvalidVf));
    }

    #[test]
    fn pf_reset_withdraws_cts_from_every_vf() {
        let mut m = Model::new(3, PF_MAC);
        let _ = m.handle(0, req(&[msg::RESET]));
        let _ = m.handle(2, req(&[msg::RESET]));
        m.pf_resetting();
        for vf in 0..3 {
            assert!(!m.vfs[vf].state.cts);
            assert_eq!(m.control_msg(vf), msg::PF_CONTROL);
        }
        let out = m.handle(0, req(&[msg::SET_LPE, 1522]));
        assert_eq!(out.reply.words(), &[msg::SET_LPE | msg::NACK]);
    }

    #[test]
    fn admin_mac_of_another_function_is_refused() {
        let mut m = ready(2);
        m.handle(1, mac_req(0, MAC_A));
        assert_eq!(m.set_admin_mac(0, MAC_A), Err(AdminError::MacInUse));
        assert_eq!(m.set_admin_mac(0, PF_MAC), Err(AdminError::MacInUse));
        assert_eq!(m.vfs[0].config.mac, None);
        assert_eq!(m.rar.entries()[22].mac, MAC_A);
        assert!(m.set_admin_mac(0, MAC_B).is_ok());
        assert_eq!(m.set_admin_mac(1, MAC_B), Err(AdminError::MacInUse));
        // Its own address again is fine, and so is clearing.
        assert!(m.set_admin_mac(0, MAC_B).is_ok());
        assert!(m.set_admin_mac(1, MacAddr::ZERO).is_ok());
    }

    #[test]
    fn vf_cannot_join_another_vf_s_port_vlan() {
        let mut m = ready(3);
        assert!(m.set_port_vlan(0, 100, 0).is_ok());
        let out = m.handle(1, vlan_req(true, 100));
        assert_eq!(out.reply.word0(), nack(msg::SET_VLAN | msg::VLAN_ADD));
        assert_eq!(out.refusal, Some(Refusal::VlanReserved(100)));
        assert_eq!(m.vlan.count_of(1), 0);
        // Other VLANs are still open to it, and the administrator may share the port VLAN.
        assert_eq!(m.handle(1, vlan_req(true, 200)).refusal, None);
        assert!(m.set_port_vlan(2, 100, 0).is_ok());
        assert_eq!(m.vlan.count_of(2), 1);
    }

    #[test]
    fn port_vlan_evicts_vfs_that_joined_it_themselves() {
        let mut m = ready(2);
        m.handle(1, vlan_req(true, 100));
        assert_eq!(m.vlan.count_of(1), 1);
        let changes = m.set_port_vlan(0, 100, 0);
        assert!(changes.is_ok_and(|c| c.contains(Changes::VLAN)));
        assert_eq!(m.vlan.count_of(1), 0);
        assert_eq!(m.vfs[1].state.vlan_count, 0);
        assert!(m
            .vlan
            .entries()
            .iter()
            .any(|e| e.vid == 100 && e.pools == 0b01));
    }

    #[test]
    fn pf_multicast_joins_the_shared_table() {
        let mut m = Model::new(1, PF_MAC);
        let mut mc = pf_mc::PfMulticast::new(false);
        mc.add(MacAddr([0x33, 0x33, 0xff, 0, 0, 0x50]));
        assert_eq!(m.set_pf_multicast(mc), Changes::MULTICAST);
        assert_eq!(m.set_pf_multicast(mc), Changes::NONE);
        assert_eq!(m.pf_multicast(), mc);
    }
}
