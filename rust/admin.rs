// SPDX-License-Identifier: GPL-2.0

//! The administrator's VF controls: `ip link set <pf> vf N mac|vlan|qos|spoofchk|trust|state|
//! max_tx_rate` and what `ip link show` reports. Called from the PF interface's netdev
//! operations with the RTNL held; the decisions are in [`crate::mbx::proto`].

use crate::{
    mbx::{
        proto::{
            rate_factor,
            AdminError,
            Dirty,
            LinkState,
            MacAddr, //
        },
        Mac, //
    },
    pf::PfCore,
};
use kernel::prelude::*;

/// The IEEE 802.1Q TPID, the only VLAN protocol the 82576 inserts for VFs.
const ETH_P_8021Q: u16 = 0x8100;

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
    pub(crate) link_state: u8,
    /// Transmit rate limit in Mb/s (0: none).
    pub(crate) max_tx_rate: u32,
}

fn errno(e: AdminError) -> Error {
    match e {
        AdminError::InvalidVf
        | AdminError::InvalidMac
        | AdminError::InvalidVlan
        | AdminError::InvalidQos => EINVAL,
        AdminError::VlanTableFull => ENOSPC,
    }
}

fn vf_index(vf: i32) -> Result<usize> {
    usize::try_from(vf).map_err(|_| EINVAL)
}

impl PfCore<'_> {
    /// `ip link set <pf> vf N mac M`: a zero MAC clears the administrative MAC.
    pub(crate) fn set_vf_mac(&self, vf: i32, mac: [u8; 6]) -> Result {
        let vf = vf_index(vf)?;
        let mac = MacAddr(mac);
        let mut st = self.state.lock();
        let dirty = st.model.set_admin_mac(vf, mac).map_err(errno)?;
        self.apply(&st, vf, dirty);
        // The VF resets itself and takes the new MAC from the RESET reply; C igb instead asks
        // the administrator to reload the VF driver.
        if let Some(word) = st.model.request_vf_reset(vf) {
            self.notify_vf(&mut st, vf, word);
        }
        drop(st);
        if mac.is_zero() {
            dev_info!(self.pdev, "VF {vf}: administrative MAC cleared\n");
        } else {
            dev_info!(self.pdev, "VF {vf}: MAC set to {}\n", Mac(mac));
        }
        Ok(())
    }

    /// `ip link set <pf> vf N vlan V [qos Q] [proto P]`: `vlan 0` removes the port VLAN.
    pub(crate) fn set_vf_vlan(&self, vf: i32, vlan: u16, qos: u8, proto: u16) -> Result {
        let vf = vf_index(vf)?;
        if proto != ETH_P_8021Q {
            return Err(EPROTONOSUPPORT);
        }
        let mut st = self.state.lock();
        let dirty = st.model.set_port_vlan(vf, vlan, qos).map_err(errno)?;
        self.apply(&st, vf, dirty);
        drop(st);
        if vlan == 0 && qos == 0 {
            dev_info!(self.pdev, "VF {vf}: port VLAN removed\n");
        } else {
            dev_info!(self.pdev, "VF {vf}: port VLAN {vlan}, priority {qos}\n");
        }
        Ok(())
    }

    /// `ip link set <pf> vf N max_tx_rate R [min_tx_rate 0]`. The 82576 can only cap a VF.
    pub(crate) fn set_vf_rate(&self, vf: i32, min_tx_rate: i32, max_tx_rate: i32) -> Result {
        let vf = vf_index(vf)?;
        if min_tx_rate != 0 {
            return Err(EINVAL);
        }
        let rate = u32::try_from(max_tx_rate).map_err(|_| EINVAL)?;
        let mut st = self.state.lock();
        if rate != 0 && (!self.hw.link_up() || rate > self.hw.link_speed()) {
            return Err(EINVAL);
        }
        let dirty = st.model.set_max_tx_rate(vf, rate).map_err(errno)?;
        self.apply(&st, vf, dirty);
        Ok(())
    }

    /// `ip link set <pf> vf N spoofchk on|off`.
    pub(crate) fn set_vf_spoofchk(&self, vf: i32, on: bool) -> Result {
        let vf = vf_index(vf)?;
        let mut st = self.state.lock();
        let dirty = st.model.set_spoofchk(vf, on).map_err(errno)?;
        self.apply(&st, vf, dirty);
        Ok(())
    }

    /// `ip link set <pf> vf N trust on|off`.
    pub(crate) fn set_vf_trust(&self, vf: i32, on: bool) -> Result {
        let vf = vf_index(vf)?;
        let mut st = self.state.lock();
        let dirty = st.model.set_trust(vf, on).map_err(errno)?;
        self.apply(&st, vf, dirty);
        drop(st);
        dev_info!(
            self.pdev,
            "VF {vf} is {}trusted\n",
            if on { "" } else { "not " }
        );
        Ok(())
    }

    /// `ip link set <pf> vf N state auto|enable|disable` (C igb has no such control).
    pub(crate) fn set_vf_link_state(&self, vf: i32, state: i32) -> Result {
        let vf = vf_index(vf)?;
        let link = match state {
            0 => LinkState::Auto,
            1 => LinkState::Enable,
            2 => LinkState::Disable,
            _ => return Err(EINVAL),
        };
        let mut st = self.state.lock();
        let dirty = st.model.set_link_state(vf, link).map_err(errno)?;
        self.apply(&st, vf, dirty);
        // igbvf re-reads its mailbox on this message: without CTS it reports link down, with
        // CTS link up.
        let word = st.model.control_msg(vf);
        self.notify_vf(&mut st, vf, word);
        Ok(())
    }

    /// What `ip link show` prints for VF `vf`.
    pub(crate) fn vf_info(&self, vf: i32) -> Result<VfInfo> {
        let vf = vf_index(vf)?;
        let st = self.state.lock();
        if vf >= st.model.num_vfs {
            return Err(EINVAL);
        }
        let v = st.model.vfs.get(vf).ok_or(EINVAL)?;
        let c = &v.config;
        Ok(VfInfo {
            mac: c.mac.unwrap_or(v.state.mac).0,
            vlan: c.port_vlan,
            qos: c.qos,
            spoofchk: c.spoofchk,
            trusted: c.trusted,
            link_state: match c.link {
                LinkState::Auto => 0,
                LinkState::Enable => 1,
                LinkState::Disable => 2,
            },
            max_tx_rate: c.max_tx_rate,
        })
    }

    /// The VF's traffic counters, for `ip -s link show`.
    pub(crate) fn vf_counters(&self, vf: i32) -> Result<crate::hw::VfCounters> {
        let vf = vf_index(vf)?;
        let st = self.state.lock();
        if vf >= st.model.num_vfs {
            return Err(EINVAL);
        }
        Ok(self.hw.vf_counters(vf))
    }

    /// The debugfs view of VF `vf`.
    pub(crate) fn debugfs_show(
        &self,
        vf: usize,
        f: &mut kernel::fmt::Formatter<'_>,
    ) -> kernel::fmt::Result {
        let st = self.state.lock();
        let (Some(v), Some(e)) = (st.model.vfs.get(vf), st.table.get(vf)) else {
            return writeln!(f, "vf {vf}: not enabled");
        };
        let c = &v.config;
        let s = &v.state;
        let r = self.hw.vf_regs(vf, e.rar);
        let onoff = |b: bool| if b { "on" } else { "off" };
        writeln!(f, "vf: {vf}")?;
        writeln!(f, "pool: {}", e.pool)?;
        writeln!(f, "queues: {} {}", e.queues[0], e.queues[1])?;
        writeln!(f, "rar: {}", e.rar)?;
        writeln!(f, "mac: {}", Mac(s.mac))?;
        writeln!(f, "admin_mac: {}", c.mac.is_some())?;
        writeln!(f, "trusted: {}", onoff(c.trusted))?;
        writeln!(f, "spoofchk: {}", onoff(c.spoofchk))?;
        writeln!(
            f,
            "link_state: {}",
            match c.link {
                LinkState::Auto => "auto",
                LinkState::Enable => "enable",
                LinkState::Disable => "disable",
            }
        )?;
        writeln!(f, "port_vlan: {} qos {}", c.port_vlan, c.qos)?;
        writeln!(f, "max_tx_rate: {}", c.max_tx_rate)?;
        writeln!(f, "clear_to_send: {}", s.cts)?;
        writeln!(f, "max_frame: {}", s.max_frame)?;
        writeln!(f, "multicast_hashes: {}", s.num_mc)?;
        writeln!(f, "multicast_promisc: {}", s.mc_promisc)?;
        writeln!(f, "resets: {}", e.resets)?;
        writeln!(f, "refused: {}", e.refused)?;
        writeln!(f, "awaiting_ack: {}", e.awaiting_ack)?;
        writeln!(f, "pending_notify: 0x{:08x}", e.pending_notify.unwrap_or(0))?;
        writeln!(f, "reg_vfre: {}", u8::from(r.rx_enabled))?;
        writeln!(f, "reg_vfte: {}", u8::from(r.tx_enabled))?;
        writeln!(f, "reg_dtxswc_mac_spoof: {}", u8::from(r.mac_spoof))?;
        writeln!(f, "reg_dtxswc_vlan_spoof: {}", u8::from(r.vlan_spoof))?;
        writeln!(f, "reg_vmolr: 0x{:08x}", r.vmolr)?;
        writeln!(f, "reg_vmvir: 0x{:08x}", r.vmvir)?;
        writeln!(f, "reg_ral: 0x{:08x}", r.rar.0)?;
        writeln!(f, "reg_rah: 0x{:08x}", r.rar.1)?;
        // QEMU's model does not implement the rate scheduler (its RTTBCNRC reads 0), so the
        // value rigb programs is shown as well.
        writeln!(
            f,
            "rttbcnrc_programmed: 0x{:08x}",
            self.rate_register(&st, vf)
        )?;
        writeln!(f, "reg_rttbcnrc: 0x{:08x}", r.rttbcnrc)
    }

    /// Re-programs the rate limiters after a link speed change.
    pub(crate) fn refresh_rates(&self, st: &crate::pf::PfState) {
        for vf in 0..st.model.num_vfs {
            if st
                .model
                .vfs
                .get(vf)
                .is_some_and(|v| v.config.max_tx_rate != 0)
            {
                self.apply(st, vf, Dirty::RATE);
            }
        }
    }

    /// The RTTBCNRC value for VF `vf` at the current link speed.
    pub(crate) fn rate_register(&self, st: &crate::pf::PfState, vf: usize) -> u32 {
        let rate = st.model.vfs.get(vf).map_or(0, |v| v.config.max_tx_rate);
        if self.hw.link_up() {
            rate_factor(self.hw.link_speed(), rate)
        } else {
            0
        }
    }
}
