// SPDX-License-Identifier: GPL-2.0

//! Bring-up of the 82576: reset, the permanent MAC from NVM, the PHY and link, the VMDq
//! configuration the VFs need, and the PF's interrupt.

use super::{
    regs::*,
    Hw,
    Pool, //
};
use crate::model::{
    mac::MacAddr,
    vf::MAX_FRAME, //
};
use kernel::{
    io::{
        register::Array,
        Io, //
    },
    num::Bounded,
    prelude::*,
    time::{
        delay::fsleep,
        Delta, //
    },
    uapi,
};

/// The MSI-X vector carrying "other" causes (link, mailbox).
pub(crate) const OTHER_VECTOR: u32 = 0;

/// PHY address of the 82576's internal copper PHY.
const PHY_ADDR: u32 = 1;

/// Interrupt causes read from ICR.
#[derive(Clone, Copy)]
pub(crate) struct Causes {
    /// Link status changed.
    pub(crate) link: bool,
    /// Anti-spoofing dropped frames of some pool (DOUTSYNC doubles as this cause in IOV
    /// mode; WVBR says which pools).
    pub(crate) spoof: bool,
}

impl Hw<'_> {
    /// The causes rigb handles on [`OTHER_VECTOR`].
    fn other_causes() -> IMS {
        IMS::zeroed()
            .with_lsc(true)
            .with_vmmb(true)
            .with_doutsync(true)
            .with_drsta(true)
    }

    /// Full device reset (CTRL.RST); leaves all interrupts masked.
    pub(crate) fn reset(&self) -> Result {
        let bar = &self.bar;
        self.forget_tables();
        bar.write_reg(IMC::zeroed().with_all(Bounded::<u32, 32>::new::<{ u32::MAX }>()));
        bar.write_reg(RCTL::zeroed());
        bar.write_reg(TCTL::zeroed().with_psp(true));
        // Let in-flight DMA finish before the reset (C igb waits 10 ms).
        fsleep(Delta::from_millis(10));
        bar.update(CTRL, |r| r.with_rst(true));
        fsleep(Delta::from_millis(1));
        let mut tries = 0;
        while bar.read(CTRL).rst() {
            if tries >= 100 {
                return Err(ETIMEDOUT);
            }
            tries += 1;
            fsleep(Delta::from_millis(1));
        }
        bar.write_reg(IMC::zeroed().with_all(Bounded::<u32, 32>::new::<{ u32::MAX }>()));
        let _ = bar.read(ICR);
        Ok(())
    }

    /// Reads one 16-bit NVM word through EERD.
    fn nvm_read(&self, word: u32) -> Result<u16> {
        let bar = &self.bar;
        bar.write_reg(EERD::zeroed().with_start(true).try_with_addr(word)?);
        for _ in 0..100 {
            let r = bar.read(EERD);
            if r.done() {
                return Ok(r.data().get() as u16);
            }
            fsleep(Delta::from_micros(50));
        }
        Err(ETIMEDOUT)
    }

    /// The permanent MAC address: NVM words 0-2, else what the hardware loaded into RAR[0].
    pub(crate) fn permanent_mac(&self) -> MacAddr {
        let mut mac = [0u8; 6];
        let mut ok = true;
        for (i, pair) in mac.chunks_exact_mut(2).enumerate() {
            match self.nvm_read(i as u32) {
                Ok(w) => pair.copy_from_slice(&w.to_le_bytes()),
                Err(_) => ok = false,
            }
        }
        let mac = MacAddr(mac);
        if ok && mac.is_valid_unicast() {
            return mac;
        }
        self.rar_address(0)
    }

    /// Writes a PHY register through MDIC.
    fn phy_write(&self, reg: u32, data: u32) -> Result {
        let bar = &self.bar;
        bar.write_reg(
            MDIC::zeroed()
                .try_with_data(data)?
                .try_with_reg_addr(reg)?
                .try_with_phy_addr(PHY_ADDR)?
                .with_op(MdicOp::Write),
        );
        for _ in 0..200 {
            let r = bar.read(MDIC);
            if r.ready() {
                return if r.error() { Err(EIO) } else { Ok(()) };
            }
            fsleep(Delta::from_micros(50));
        }
        Err(ETIMEDOUT)
    }

    /// Starts link bring-up: set link up and restart PHY autonegotiation. The link comes up
    /// asynchronously and is reported through the LSC interrupt.
    pub(crate) fn start_link(&self) -> Result {
        self.bar
            .update(CTRL, |r| r.with_slu(true).with_phy_rst(false));
        self.phy_write(uapi::MII_BMCR, uapi::BMCR_ANENABLE | uapi::BMCR_ANRESTART)
    }

    /// The link speed, `None` while the link is down.
    pub(crate) fn link(&self) -> Option<LinkSpeed> {
        let status = self.bar.read(STATUS);
        status.lu().then(|| status.speed())
    }

    /// Global configuration for VMDq with the PF as the last pool: the receive and transmit
    /// paths stay enabled whether or not the PF interface is up, because VF traffic needs them.
    pub(crate) fn init_vmdq(&self) {
        let bar = &self.bar;
        for i in 0..MTA_WORDS {
            bar.write(MTA::at(i), MTA::zeroed());
        }
        for i in 0..UTA_WORDS {
            bar.write(UTA::at(i), UTA::zeroed());
        }
        bar.write_reg(MRQC::zeroed().with_mode(MrqcMode::Vmdq));
        bar.update(DTXCTL, |r| r.with_vlan_added(true));
        bar.update(RPLOLR, |r| r.with_strvlan(true));
        bar.update(DTXSWC, |r| r.with_loopback_en(true));
        bar.write_reg(RLPML::zeroed().with_const_size::<{ MAX_FRAME }>());
        // A pool whose queue has no descriptors drops its frames instead of stalling the
        // others (the PF's own queues have none while it passes no traffic).
        bar.write_reg(QDE::zeroed().with_const_queues::<0xffff>());
        bar.write_reg(
            RCTL::zeroed()
                .with_en(true)
                .with_bam(true)
                .with_secrc(true)
                .with_lpe(true)
                .with_vfe(true),
        );
        bar.write_reg(
            TCTL::zeroed()
                .with_en(true)
                .with_psp(true)
                .with_const_ct::<0xf>()
                .with_const_cold::<0x3f>(),
        );
    }

    /// Points frames that match no filter at `pool` (the PF's), replicating multicast and
    /// broadcast to every matching pool.
    pub(crate) fn set_default_pool(&self, pool: Pool) {
        let v = VT_CTL::zeroed()
            .with_vm_repl_en(true)
            .with_def_pool(Bounded::from_expr(pool.index() as u32 & 0x7));
        self.bar.write_reg(v);
    }

    /// Routes "other" causes to [`OTHER_VECTOR`] and unmasks them.
    pub(crate) fn enable_interrupts(&self) {
        let bar = &self.bar;
        bar.write_reg(
            GPIE::zeroed()
                .with_msix_mode(true)
                .with_pba(true)
                .with_eiame(true)
                .with_nsicr(true),
        );
        bar.write_reg(
            IVAR_MISC::zeroed()
                .with_other_valid(true)
                .with_const_other_vector::<{ OTHER_VECTOR }>(),
        );
        let bit = 1u32 << OTHER_VECTOR;
        bar.update(EIAC, |r| r.with_vectors(r.vectors().get() | bit));
        bar.update(EIAM, |r| r.with_vectors(r.vectors().get() | bit));
        bar.write_reg(EIMS::zeroed().with_vectors(bit));
        bar.write_reg(MBVFIMR::zeroed().with_const_vfs::<0xff>());
        bar.write_reg(Self::other_causes());
    }

    /// Masks rigb's interrupt causes. Only the PF's own vector is masked in EIMC: EICR bits of
    /// the VFs' vectors are not the PF's to touch.
    pub(crate) fn disable_interrupts(&self) {
        self.bar.write_reg(
            IMC::zeroed()
                .with_lsc(true)
                .with_vmmb(true)
                .with_doutsync(true)
                .with_drsta(true),
        );
        self.bar
            .write_reg(EIMC::zeroed().with_vectors(1u32 << OTHER_VECTOR));
    }

    /// Re-arms the "other" vector after its causes were handled (EIAC auto-masked it).
    pub(crate) fn rearm_interrupt(&self) {
        self.bar
            .write_reg(EIMS::zeroed().with_vectors(1u32 << OTHER_VECTOR));
    }

    /// Reads and clears the interrupt causes.
    pub(crate) fn take_causes(&self) -> Causes {
        let icr = self.bar.read(ICR);
        // VMMB needs no test: the mailbox registers are read on every interrupt.
        Causes {
            link: icr.lsc(),
            spoof: icr.doutsync(),
        }
    }

    /// Sets or clears CTRL_EXT.PFRSTD: whether VFs may use their mailboxes.
    pub(crate) fn set_pf_reset_done(&self, done: bool) {
        self.bar
            .update(CTRL_EXT, |r| r.with_pfrstd(done).with_drv_load(done));
    }

    /// Sets RSTD in every VF's mailbox (a rewrite of CTRL_EXT.PFRSTD). igbvf's watchdog looks
    /// at its mailbox within 2 s when it sees RSTD, even if the mailbox interrupt did not reach
    /// it: QEMU's model raises a VF's mailbox interrupt on the wrong vector. A VF whose last
    /// message carries CTS just confirms its link.
    pub(crate) fn signal_vfs(&self) {
        self.bar.update(CTRL_EXT, |r| r.with_pfrstd(true));
    }

    /// Stops the receive and transmit paths.
    pub(crate) fn stop(&self) {
        self.bar.write_reg(RCTL::zeroed());
        self.bar.write_reg(TCTL::zeroed().with_psp(true));
    }
}
