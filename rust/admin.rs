// SPDX-License-Identifier: GPL-2.0

//! The administrator's VF controls: `ip link set <pf> vf N mac|vlan|qos|spoofchk|trust|state|
//! max_tx_rate` and what `ip link show` reports. [`Admin`] is what one change acts on, under the
//! PF lock: it checks the netlink arguments, asks the model ([`crate::model::Model`]), programs
//! the hardware with the model's answer and tells the VF when it must know. Called from the PF
//! interface's netdev operations with the RTNL held.

use crate::{
    hw::{
        Hw,
        PoolCounters, //
    },
    mbx::Mailboxes,
    model::{
        mac::MacAddr,
        vf::LinkState,
        AdminError,
        Model, //
    },
};
use kernel::{
    device::Bound,
    pci,
    prelude::*,
    uapi, //
};

/// One VF's configuration as `ip link show` reports it.
#[derive(Clone, Copy, Default)]
pub(crate) struct VfInfo {
    /// MAC: the administrator's, else the one the VF uses.
    pub(crate) mac: [u8; 6],
    /// Port VLAN (0: none).
    pub(crate) vlan: u16,
    /// Port VLAN priority.
    pub(crate) qos: u8,
    /// Anti-spoofing on.
    pub(crate) spoofchk: bool,
    /// Trusted.
    pub(crate) trusted: bool,
    /// `IFLA_VF_LINK_STATE_*`.
    pub(crate) link_state: u32,
    /// Transmit rate limit in Mb/s (0: none).
    pub(crate) max_tx_rate: u32,
}

/// One VF's counters as `ip -s link show` reports them.
#[derive(Clone, Copy, Default)]
pub(crate) struct VfCounters {
    /// The pool's traffic counters.
    pub(crate) pool: PoolCounters,
    /// Reports of frames anti-spoofing dropped (each report covers one or more frames).
    pub(crate) tx_dropped: u64,
}

// `enum ifla_vf_link_state` of `uapi/linux/if_link.h`, which the 7.3 uapi bindings lack.
const IFLA_VF_LINK_STATE_AUTO: u32 = 0;
const IFLA_VF_LINK_STATE_ENABLE: u32 = 1;
const IFLA_VF_LINK_STATE_DISABLE: u32 = 2;

fn errno(e: AdminError) -> Error {
    match e {
        AdminError::InvalidVf
        | AdminError::InvalidMac
        | AdminError::InvalidVlan
        | AdminError::InvalidQos => EINVAL,
        AdminError::VlanTableFull => ENOSPC,
        AdminError::MacInUse => EADDRINUSE,
    }
}

fn vf_index(vf: i32) -> Result<usize> {
    usize::try_from(vf).map_err(|_| EINVAL)
}

/// An administrative change in progress: the PF's device, hardware, model and mailboxes, with
/// the PF lock held.
pub(crate) struct Admin<'a> {
    dev: &'a pci::Device<Bound>,
    hw: &'a Hw<'a>,
    model: &'a mut Model,
    mbx: &'a mut Mailboxes,
}

impl<'a> Admin<'a> {
    /// Acts on `model` and `mbx`, which the caller holds locked.
    pub(crate) fn new(
        dev: &'a pci::Device<Bound>,
        hw: &'a Hw<'a>,
        model: &'a mut Model,
        mbx: &'a mut Mailboxes,
    ) -> Self {
        Self {
            dev,
            hw,
            model,
            mbx,
        }
    }

    /// `ip link set <pf> vf N mac M`: a zero MAC clears the administrative MAC.
    pub(crate) fn set_vf_mac(&mut self, vf: i32, mac: [u8; 6]) -> Result {
        let vf = vf_index(vf)?;
        let mac = MacAddr(mac);
        let changes = self.model.set_admin_mac(vf, mac).map_err(errno)?;
        self.hw.program(self.model, vf, changes);
        // The VF resets itself and takes the new MAC from the RESET reply; C igb instead asks
        // the administrator to reload the VF driver.
        if let Some(word) = self.model.request_vf_reset(vf) {
            self.mbx.notify(self.hw, vf, word);
        }
        if mac.is_zero() {
            dev_info!(self.dev, "VF {vf}: administrative MAC cleared\n");
        } else {
            dev_info!(self.dev, "VF {vf}: MAC set to {mac:x}\n");
        }
        Ok(())
    }

    /// `ip link set <pf> vf N vlan V [qos Q] [proto P]`: `vlan 0` removes the port VLAN.
    pub(crate) fn set_vf_vlan(&mut self, vf: i32, vlan: u16, qos: u8, proto: u16) -> Result {
        let vf = vf_index(vf)?;
        if u32::from(proto) != uapi::ETH_P_8021Q {
            return Err(EPROTONOSUPPORT);
        }
        let changes = self.model.set_port_vlan(vf, vlan, qos).map_err(errno)?;
        self.hw.program(self.model, vf, changes);
        if vlan == 0 && qos == 0 {
            dev_info!(self.dev, "VF {vf}: port VLAN removed\n");
        } else {
            dev_info!(self.dev, "VF {vf}: port VLAN {vlan}, priority {qos}\n");
        }
        Ok(())
    }

    /// `ip link set <pf> vf N max_tx_rate R [min_tx_rate 0]`. The 82576 can only cap a VF.
    pub(crate) fn set_vf_rate(&mut self, vf: i32, min_tx_rate: i32, max_tx_rate: i32) -> Result {
        let vf = vf_index(vf)?;
        if min_tx_rate != 0 {
            return Err(EINVAL);
        }
        let rate = u32::try_from(max_tx_rate).map_err(|_| EINVAL)?;
        if rate != 0 && self.hw.link().is_none_or(|speed| rate > speed.mbps()) {
            return Err(EINVAL);
        }
        let changes = self.model.set_max_tx_rate(vf, rate).map_err(errno)?;
        self.hw.program(self.model, vf, changes);
        Ok(())
    }

    /// `ip link set <pf> vf N spoofchk on|off`.
    pub(crate) fn set_vf_spoofchk(&mut self, vf: i32, on: bool) -> Result {
        let vf = vf_index(vf)?;
        let changes = self.model.set_spoofchk(vf, on).map_err(errno)?;
        self.hw.program(self.model, vf, changes);
        Ok(())
    }

    /// `ip link set <pf> vf N trust on|off`.
    pub(crate) fn set_vf_trust(&mut self, vf: i32, on: bool) -> Result {
        let vf = vf_index(vf)?;
        let changes = self.model.set_trust(vf, on).map_err(errno)?;
        self.hw.program(self.model, vf, changes);
        dev_info!(
            self.dev,
            "VF {vf} is {}trusted\n",
            if on { "" } else { "not " }
        );
        Ok(())
    }

    /// `ip link set <pf> vf N state auto|enable|disable` (C igb has no such control).
    pub(crate) fn set_vf_link_state(&mut self, vf: i32, state: i32) -> Result {
        let vf = vf_index(vf)?;
        let link = match u32::try_from(state) {
            Ok(IFLA_VF_LINK_STATE_AUTO) => LinkState::Auto,
            Ok(IFLA_VF_LINK_STATE_ENABLE) => LinkState::Enable,
            Ok(IFLA_VF_LINK_STATE_DISABLE) => LinkState::Disable,
            _ => return Err(EINVAL),
        };
        let changes = self.model.set_link_state(vf, link).map_err(errno)?;
        self.hw.program(self.model, vf, changes);
        // igbvf re-reads its mailbox on this message: without CTS it reports link down, with
        // CTS link up.
        let word = self.model.control_msg(vf);
        self.mbx.notify(self.hw, vf, word);
        Ok(())
    }

    /// What `ip link show` prints for VF `vf`.
    pub(crate) fn vf_info(&self, vf: i32) -> Result<VfInfo> {
        let v = self.model.vf(vf_index(vf)?).ok_or(EINVAL)?;
        let c = &v.config;
        Ok(VfInfo {
            mac: c.mac.unwrap_or(v.state.mac).0,
            vlan: c.port_vlan,
            qos: c.qos,
            spoofchk: c.spoofchk,
            trusted: c.trusted,
            link_state: match c.link {
                LinkState::Auto => IFLA_VF_LINK_STATE_AUTO,
                LinkState::Enable => IFLA_VF_LINK_STATE_ENABLE,
                LinkState::Disable => IFLA_VF_LINK_STATE_DISABLE,
            },
            max_tx_rate: c.max_tx_rate,
        })
    }

    /// The VF's traffic counters, for `ip -s link show`.
    pub(crate) fn vf_counters(&self, vf: i32) -> Result<VfCounters> {
        let vf = vf_index(vf)?;
        if self.model.vf(vf).is_none() {
            return Err(EINVAL);
        }
        Ok(VfCounters {
            pool: self.hw.pool_counters(vf),
            tx_dropped: self.mbx.vf(vf).map_or(0, |m| m.counters().spoofed),
        })
    }
}
