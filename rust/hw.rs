// SPDX-License-Identifier: GPL-2.0

//! 82576 hardware access: bring-up, the receive filters and the mailbox transport.
//!
//! Nothing here decides policy: the filter tables are programmed from the pure model in
//! [`crate::mbx::proto`], and the mailbox transport moves words without interpreting them.

pub(crate) mod regs;

use crate::mbx::proto::{
    self,
    MacAddr,
    Model, //
};
use kernel::{
    io::{
        register::Array,
        Io, //
    },
    pci,
    prelude::*,
    time::{
        delay::{
            fsleep,
            udelay, //
        },
        Delta, //
    },
};
use regs::*;

pub(crate) use regs::BAR0_SIZE;

/// The PF's mapped BAR0.
pub(crate) type Bar0<'a> = pci::Bar<'a, BAR0_SIZE>;

/// Interrupt causes rigb handles on the "other" MSI-X vector.
const IMS_OTHER: u32 = (1 << 2) | (1 << 8) | (1 << 28) | (1 << 30); // LSC, VMMB, DOUTSYNC, DRSTA

/// The MSI-X vector carrying "other" causes (link, mailbox).
pub(crate) const OTHER_VECTOR: u32 = 0;

/// PHY address of the 82576's internal copper PHY.
const PHY_ADDR: u32 = 1;
/// PHY control register (BMCR) and its bits.
const PHY_BMCR: u32 = 0;
const BMCR_ANENABLE: u32 = 0x1000;
const BMCR_ANRESTART: u32 = 0x0200;

/// Maximum frame size the PF accepts on the wire (C igb: `MAX_JUMBO_FRAME_SIZE`).
pub(crate) const MAX_FRAME: u32 = 0x2600;

/// Register access to one 82576 PF.
pub(crate) struct Hw<'bound> {
    bar: Bar0<'bound>,
}

/// Interrupt causes read from ICR.
#[derive(Clone, Copy)]
pub(crate) struct Causes {
    /// Link status changed.
    pub(crate) link: bool,
}

impl<'bound> Hw<'bound> {
    /// Wraps a mapped BAR0.
    pub(crate) fn new(bar: Bar0<'bound>) -> Self {
        Self { bar }
    }

    /// Full device reset (CTRL.RST); leaves all interrupts masked.
    pub(crate) fn reset(&self) -> Result {
        let bar = &self.bar;
        bar.write_reg(IMC::zeroed().with_value(!0u32));
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
        bar.write_reg(IMC::zeroed().with_value(!0u32));
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
        let (ral, rah) = self.rar_read(0);
        MacAddr::from_words(ral, rah & 0xffff)
    }

    /// Writes a PHY register through MDIC.
    fn phy_write(&self, reg: u32, data: u32) -> Result {
        let bar = &self.bar;
        bar.write_reg(
            MDIC::zeroed()
                .try_with_data(data)?
                .try_with_reg_addr(reg)?
                .try_with_phy_addr(PHY_ADDR)?
                .with_const_op::<1>(),
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
        self.phy_write(PHY_BMCR, BMCR_ANENABLE | BMCR_ANRESTART)
    }

    /// Whether the link is up.
    pub(crate) fn link_up(&self) -> bool {
        self.bar.read(STATUS).lu()
    }

    /// Link speed in Mb/s (valid while the link is up).
    pub(crate) fn link_speed(&self) -> u32 {
        match self.bar.read(STATUS).speed().get() {
            0 => 10,
            1 => 100,
            _ => 1000,
        }
    }

    /// Global configuration for VMDq with the PF as the last pool: the receive and transmit
    /// paths stay enabled whether or not the PF interface is up, because VF traffic needs them.
    pub(crate) fn init_vmdq(&self) {
        let bar = &self.bar;
        for i in 0..128 {
            if let Some(loc) = MTA::try_at(i) {
                bar.write(loc, MTA::zeroed());
            }
            if let Some(loc) = UTA::try_at(i) {
                bar.write(loc, UTA::zeroed());
            }
        }
        bar.write_reg(MRQC::zeroed().with_const_enable::<3>());
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
        bar.write_reg(IMS::zeroed().with_value(IMS_OTHER));
    }

    /// Masks rigb's interrupt causes. Only the PF's own vector is masked in EIMC: EICR bits of
    /// the VFs' vectors are not the PF's to touch.
    pub(crate) fn disable_interrupts(&self) {
        self.bar.write_reg(IMC::zeroed().with_value(IMS_OTHER));
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
        Causes { link: icr.lsc() }
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

    // Receive address registers: entries 0..16 and 16..24 live in two banks.

    fn rar_read(&self, i: usize) -> (u32, u32) {
        let bar = &self.bar;
        if i < 16 {
            match (RAL::try_at(i), RAH::try_at(i)) {
                (Some(l), Some(h)) => (bar.read(l).into_raw(), bar.read(h).into_raw()),
                _ => (0, 0),
            }
        } else {
            match (RAL2::try_at(i - 16), RAH2::try_at(i - 16)) {
                (Some(l), Some(h)) => (bar.read(l).into_raw(), bar.read(h).into_raw()),
                _ => (0, 0),
            }
        }
    }

    fn rar_write(&self, i: usize, ral: u32, rah: u32) {
        let bar = &self.bar;
        // RAH last: its AV bit makes the entry live, so RAL must already be right.
        if i < 16 {
            if let (Some(l), Some(h), Some(h2)) = (RAL::try_at(i), RAH::try_at(i), RAH::try_at(i)) {
                bar.write(h, RAH::from_raw(0));
                bar.write(l, RAL::from_raw(ral));
                bar.write(h2, RAH::from_raw(rah));
            }
        } else {
            let j = i - 16;
            if let (Some(l), Some(h), Some(h2)) =
                (RAL2::try_at(j), RAH2::try_at(j), RAH2::try_at(j))
            {
                bar.write(h, RAH2::from_raw(0));
                bar.write(l, RAL2::from_raw(ral));
                bar.write(h2, RAH2::from_raw(rah));
            }
        }
    }

    /// Programs every receive address entry from the model.
    pub(crate) fn sync_rar(&self, model: &Model) {
        for (i, entry) in model.rar.iter().enumerate() {
            match model.rar_pool(i) {
                Some(pool) if !entry.mac.is_zero() => {
                    let rah = entry.mac.rah_addr() | (1 << (18 + pool)) | (1 << 31);
                    self.rar_write(i, entry.mac.ral(), rah);
                }
                _ => self.rar_write(i, 0, 0),
            }
        }
    }

    /// Programs the VLAN pool filters and the VLAN filter table from the model.
    pub(crate) fn sync_vlan(&self, model: &Model) {
        let bar = &self.bar;
        for (i, e) in model.vlvf.iter().enumerate() {
            let val = if e.pools != 0 {
                (1u32 << 31) | (u32::from(e.pools) << 12) | u32::from(e.vid & 0xfff)
            } else {
                0
            };
            if let Some(loc) = VLVF::try_at(i) {
                bar.write(loc, VLVF::from_raw(val));
            }
        }
        for (i, bits) in model.vfta_bits().iter().enumerate() {
            if let Some(loc) = VFTA::try_at(i) {
                bar.write(loc, VFTA::from_raw(*bits));
            }
        }
    }

    /// Programs the multicast table from every VF's hashes.
    pub(crate) fn sync_mta(&self, model: &Model) {
        let mut mta = [0u32; 128];
        for hash in model.mta_hashes() {
            let reg = usize::from((hash >> 5) & 0x7f);
            if let Some(word) = mta.get_mut(reg) {
                *word |= 1 << (hash & 0x1f);
            }
        }
        for (i, bits) in mta.iter().enumerate() {
            if let Some(loc) = MTA::try_at(i) {
                self.bar.write(loc, MTA::from_raw(*bits));
            }
        }
    }

    /// Programs a VF pool's offload register (what it accepts, its frame size).
    pub(crate) fn sync_vmolr(&self, model: &Model, vf: usize) {
        let f = model.vmolr_flags(vf);
        let Some(loc) = VMOLR::try_at(vf) else {
            return;
        };
        let mut v = VMOLR::zeroed()
            .with_bam(true)
            .with_lpe(true)
            .with_aupe(f.aupe)
            .with_rompe(f.rompe)
            .with_mpme(f.mpme)
            .with_strvlan(f.strip_vlan);
        if let Ok(with_size) = v.try_with_rlpml(u32::from(f.max_frame)) {
            v = with_size;
        }
        self.bar.write(loc, v);
    }

    /// Programs a VF pool's default VLAN insertion.
    pub(crate) fn sync_vmvir(&self, model: &Model, vf: usize) {
        if let Some(loc) = VMVIR::try_at(vf) {
            self.bar.write(loc, VMVIR::from_raw(model.vmvir(vf)));
        }
    }

    /// Enables or disables a pool's receive and transmit.
    pub(crate) fn set_pool_enabled(&self, pool: usize, enable: bool) {
        let bit = 1u32 << pool;
        let apply = |v: u32| if enable { v | bit } else { v & !bit };
        self.bar
            .update(VFRE, |r| VFRE::from_raw(apply(r.into_raw())));
        self.bar
            .update(VFTE, |r| VFTE::from_raw(apply(r.into_raw())));
    }

    /// Points unmatched frames at the PF's pool (the last one).
    pub(crate) fn set_default_pool(&self, pool: usize) {
        let v = VT_CTL::zeroed()
            .with_vm_repl_en(true)
            .try_with_def_pool(pool as u32);
        if let Ok(v) = v {
            self.bar.write_reg(v);
        }
    }

    /// Sets the MAC and VLAN anti-spoofing of a pool.
    pub(crate) fn set_spoofchk(&self, pool: usize, on: bool) {
        let bits = (1u32 << pool) | (1u32 << (pool + 8));
        self.bar.update(DTXSWC, |r| {
            let v = r.into_raw();
            DTXSWC::from_raw(if on { v | bits } else { v & !bits })
        });
    }

    /// Programs everything the model describes; used after a VF count change.
    pub(crate) fn sync_all(&self, model: &Model) {
        self.set_default_pool(model.pf_pool());
        self.sync_rar(model);
        self.sync_vlan(model);
        self.sync_mta(model);
        for vf in 0..proto::MAX_VFS {
            let active = vf < model.num_vfs;
            if active {
                self.sync_vmolr(model, vf);
                self.sync_vmvir(model, vf);
            } else if let (Some(m), Some(v)) = (VMOLR::try_at(vf), VMVIR::try_at(vf)) {
                self.bar.write(m, VMOLR::zeroed());
                self.bar.write(v, VMVIR::zeroed());
            }
            if let Some(vfc) = model.vfs.get(vf) {
                self.set_spoofchk(vf, active && vfc.config.spoofchk);
            }
            if !active {
                self.set_pool_enabled(vf, false);
            }
        }
    }
}

/// Counters of one VF (32-bit hardware counters that wrap).
#[derive(Clone, Copy, Default)]
pub(crate) struct VfCounters {
    /// Good packets received.
    pub(crate) rx_packets: u32,
    /// Good packets transmitted.
    pub(crate) tx_packets: u32,
    /// Good octets received.
    pub(crate) rx_bytes: u32,
    /// Good octets transmitted.
    pub(crate) tx_bytes: u32,
    /// Multicast packets received.
    pub(crate) multicast: u32,
}

/// Registers programmed for one VF, for debugfs.
#[derive(Clone, Copy, Default)]
pub(crate) struct VfRegs {
    /// VFRE bit.
    pub(crate) rx_enabled: bool,
    /// VFTE bit.
    pub(crate) tx_enabled: bool,
    /// DTXSWC MAC anti-spoof bit.
    pub(crate) mac_spoof: bool,
    /// DTXSWC VLAN anti-spoof bit.
    pub(crate) vlan_spoof: bool,
    /// VMOLR.
    pub(crate) vmolr: u32,
    /// VMVIR.
    pub(crate) vmvir: u32,
    /// RAL/RAH of the VF's receive address entry.
    pub(crate) rar: (u32, u32),
    /// RTTBCNRC of the VF's first transmit queue.
    pub(crate) rttbcnrc: u32,
}

/// Rate limiting and statistics of VF pools.
impl Hw<'_> {
    /// Programs the transmit rate scheduler of `queue` (RTTBCNRC value, 0 = unlimited).
    pub(crate) fn set_queue_rate(&self, queue: usize, rttbcnrc: u32) {
        if let Ok(q) = RTTDQSEL::zeroed().try_with_queue(queue as u32) {
            self.bar.write_reg(q);
        }
        // MMW of 0x14 covers 9728-byte jumbo frames (C igb's value).
        self.bar
            .write_reg(RTTBCNRM::zeroed().with_const_value::<0x14>());
        self.bar.write_reg(RTTBCNRC::from_raw(rttbcnrc));
    }

    /// Reads the current rate scheduler configuration of `queue`.
    pub(crate) fn queue_rate(&self, queue: usize) -> u32 {
        if let Ok(q) = RTTDQSEL::zeroed().try_with_queue(queue as u32) {
            self.bar.write_reg(q);
        }
        self.bar.read(RTTBCNRC).into_raw()
    }

    /// Registers programmed for VF `vf`, whose receive address entry is `rar`.
    pub(crate) fn vf_regs(&self, vf: usize, rar: usize) -> VfRegs {
        let bar = &self.bar;
        let bit = 1u32 << vf;
        let swc = bar.read(DTXSWC).into_raw();
        VfRegs {
            rx_enabled: bar.read(VFRE).into_raw() & bit != 0,
            tx_enabled: bar.read(VFTE).into_raw() & bit != 0,
            mac_spoof: swc & bit != 0,
            vlan_spoof: swc & (bit << 8) != 0,
            vmolr: VMOLR::try_at(vf).map_or(0, |l| bar.read(l).into_raw()),
            vmvir: VMVIR::try_at(vf).map_or(0, |l| bar.read(l).into_raw()),
            rar: self.rar_read(rar),
            rttbcnrc: self.queue_rate(vf),
        }
    }

    /// The VF's traffic counters.
    pub(crate) fn vf_counters(&self, vf: usize) -> VfCounters {
        let bar = &self.bar;
        let mut c = VfCounters::default();
        if let (Some(a), Some(b), Some(d), Some(e), Some(f)) = (
            PVFGPRC::try_at(vf),
            PVFGPTC::try_at(vf),
            PVFGORC::try_at(vf),
            PVFGOTC::try_at(vf),
            PVFMPRC::try_at(vf),
        ) {
            c.rx_packets = bar.read(a).into_raw();
            c.tx_packets = bar.read(b).into_raw();
            c.rx_bytes = bar.read(d).into_raw();
            c.tx_bytes = bar.read(e).into_raw();
            c.multicast = bar.read(f).into_raw();
        }
        c
    }
}

/// The PF side of the PF/VF mailboxes.
impl Hw<'_> {
    fn p2v(&self, vf: usize) -> Option<P2VMAILBOX> {
        P2VMAILBOX::try_at(vf).map(|loc| self.bar.read(loc))
    }

    fn p2v_write(&self, vf: usize, v: P2VMAILBOX) {
        if let Some(loc) = P2VMAILBOX::try_at(vf) {
            self.bar.write(loc, v);
        }
    }

    /// Takes the PF's lock on a VF's mailbox buffer. A VF holds it only while it copies a
    /// message; this runs in interrupt context, so it spins, for at most 1 ms.
    fn lock(&self, vf: usize) -> Result {
        for _ in 0..100 {
            self.p2v_write(vf, P2VMAILBOX::zeroed().with_pfu(true));
            if self.p2v(vf).map(|r| r.pfu()).unwrap_or(false) {
                return Ok(());
            }
            udelay(Delta::from_micros(10));
        }
        Err(EBUSY)
    }

    /// VFs (bit n = VF n) with a pending request, and VFs that acknowledged a PF message;
    /// clears the bits returned.
    pub(crate) fn take_requests(&self) -> (u8, u8) {
        let r = self.bar.read(MBVFICR);
        let req = r.vfreq().get() as u8;
        let ack = r.vfack().get() as u8;
        if req != 0 || ack != 0 {
            self.bar.write_reg(MBVFICR::from_raw(r.into_raw()));
        }
        (req, ack)
    }

    /// VFs (bit n = VF n) that were reset (FLR or VF software reset), and clears the bits.
    pub(crate) fn take_resets(&self) -> u8 {
        let r = self.bar.read(VFLRE);
        let bits = r.vfs().get() as u8;
        if bits != 0 {
            self.bar.write_reg(VFLRE::from_raw(u32::from(bits)));
        }
        bits
    }

    /// Reads VF `vf`'s request and acknowledges it, keeping the buffer locked for the reply.
    pub(crate) fn mbx_read(&self, vf: usize) -> Result<[u32; proto::MBX_WORDS]> {
        self.lock(vf)?;
        let mut words = [0u32; proto::MBX_WORDS];
        for (i, w) in words.iter_mut().enumerate() {
            if let Some(loc) = VMBMEM::try_at(vf * proto::MBX_WORDS + i) {
                *w = self.bar.read(loc).into_raw();
            }
        }
        self.p2v_write(vf, P2VMAILBOX::zeroed().with_ack(true).with_pfu(true));
        Ok(words)
    }

    /// Sends `words` to VF `vf`; writing STS (without PFU) notifies the VF and unlocks.
    pub(crate) fn mbx_write(&self, vf: usize, words: &[u32]) -> Result {
        self.lock(vf)?;
        // A stale request or ack bit would make the VF's next message look already handled.
        self.bar
            .write_reg(MBVFICR::from_raw((1u32 << vf) | (1u32 << (vf + 16))));
        for (i, w) in words.iter().take(proto::MBX_WORDS).enumerate() {
            if let Some(loc) = VMBMEM::try_at(vf * proto::MBX_WORDS + i) {
                self.bar.write(loc, VMBMEM::from_raw(*w));
            }
        }
        self.p2v_write(vf, P2VMAILBOX::zeroed().with_sts(true));
        Ok(())
    }

    /// Sends an unsolicited message to VF `vf` unless the VF has a request pending: writing the
    /// buffer would overwrite that request and clear its request bit, and the VF would wait for
    /// a reply that never comes. The VF learns the news from its next reply instead.
    pub(crate) fn mbx_notify(&self, vf: usize, word: u32) -> Result {
        self.lock(vf)?;
        if self.bar.read(MBVFICR).vfreq().get() & (1 << vf) != 0 {
            self.mbx_unlock(vf);
            return Err(EBUSY);
        }
        if let Some(loc) = VMBMEM::try_at(vf * proto::MBX_WORDS) {
            self.bar.write(loc, VMBMEM::from_raw(word));
        }
        self.p2v_write(vf, P2VMAILBOX::zeroed().with_sts(true));
        Ok(())
    }

    /// Releases the PF's lock without sending (after a failed read).
    pub(crate) fn mbx_unlock(&self, vf: usize) {
        self.p2v_write(vf, P2VMAILBOX::zeroed());
    }
}
