// SPDX-License-Identifier: GPL-2.0

//! A VF's share of the 82576, programmed from [`Model`]: receive address entries (RAR), VLAN
//! pool filters (VLVF) and the VLAN filter table (VFTA), the multicast table (MTA), the pool's
//! receive settings (VMOLR), port VLAN insertion (VMVIR), pool enable (VFRE/VFTE),
//! anti-spoofing (DTXSWC), the transmit rate limiter (RTTBCNRC), and the pool's counters.
//! This file encodes the model's values; it decides nothing.

use super::{
    regs::*,
    Hw,
    Pool, //
};
use crate::model::{
    filters::{
        RarTable,
        RAR_ENTRIES,
        VFTA_WORDS,
        VLVF_ENTRIES, //
    },
    mac::MacAddr,
    vf::{
        queues,
        PoolRx,
        RateFactor,
        VlanTag, //
    },
    Changes,
    Model,
    MAX_VFS,
    NUM_POOLS, //
};
use kernel::{
    io::{
        register::Array,
        Io, //
    },
    num::Bounded,
    prelude::*, //
};

/// Counters of one pool (32-bit hardware counters that wrap).
#[derive(Clone, Copy, Default)]
pub(crate) struct PoolCounters {
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

/// Registers programmed for one pool, for debugfs.
#[derive(Clone, Copy, Default)]
pub(crate) struct PoolRegs {
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
    /// RAL/RAH of the VF's primary receive address entry.
    pub(crate) rar: (u32, u32),
    /// RTTBCNRC of the VF's two transmit queues.
    pub(crate) rttbcnrc: [u32; 2],
}

/// What rigb last wrote to the shared filter tables. After a device reset nothing is known,
/// and the next programming writes every entry.
pub(crate) struct Shadow {
    known: bool,
    /// RAL and RAH of each receive address entry.
    rar: [(u32, u32); RAR_ENTRIES],
    vlvf: [u32; VLVF_ENTRIES],
    vfta: [u32; VFTA_WORDS],
    mta: [u32; MTA_WORDS],
}

impl Shadow {
    /// Nothing known.
    pub(crate) const UNKNOWN: Self = Self {
        known: false,
        rar: [(0, 0); RAR_ENTRIES],
        vlvf: [0; VLVF_ENTRIES],
        vfta: [0; VFTA_WORDS],
        mta: [0; MTA_WORDS],
    };
}

/// Calls `write(i, v)` for each entry `v` of `new` that differs from `old` (all of them if
/// `!known`), and updates `old`. Entries that do not change are never touched, so traffic
/// that matches them is never disturbed.
fn write_changed<T: Copy + PartialEq, const N: usize>(
    old: &mut [T; N],
    new: &[T; N],
    known: bool,
    mut write: impl FnMut(usize, T),
) -> usize {
    let mut n = 0;
    for (i, (o, v)) in old.iter_mut().zip(new.iter()).enumerate() {
        if !known || *o != *v {
            write(i, *v);
            *o = *v;
            n += 1;
        }
    }
    n
}

/// The VFs (bit n = VF n) whose frames anti-spoofing dropped, from WVBR: bit n for a MAC
/// spoof on queue n, bit n + 8 for queue n + 8, and the same again 16 bits up for VLAN spoofs.
pub(crate) fn spoofing_vfs(wvbr: u32) -> u8 {
    let by_queue = wvbr | (wvbr >> 16);
    ((by_queue | (by_queue >> 8)) & 0xff) as u8
}

/// `v` with `bit` set or cleared.
fn with_bit(v: u32, bit: u32, on: bool) -> u32 {
    if on {
        v | bit
    } else {
        v & !bit
    }
}

/// A pool bit set as the 8-bit fields of VFRE, VFTE, DTXSWC and RAH take it.
fn pool_bits(v: u32) -> Bounded<u32, 8> {
    Bounded::from_expr(v & 0xff)
}

/// The RTTBCNRC value for a rate limit (`None`: unlimited).
pub(crate) fn rttbcnrc(rate: Option<RateFactor>) -> RTTBCNRC {
    match rate {
        Some(f) => RTTBCNRC::zeroed()
            .with_rs_ena(true)
            .with_rf_int(Bounded::from_expr(f.int & 0x3fff))
            .with_rf_dec(Bounded::from_expr(f.frac & 0x3fff)),
        None => RTTBCNRC::zeroed(),
    }
}

/// The VMVIR value for a port VLAN tag (`None`: no insertion).
pub(crate) fn vmvir(tag: Option<VlanTag>) -> VMVIR {
    match tag {
        Some(t) => VMVIR::zeroed()
            .with_mode(VlanInsert::Always)
            .with_vid(Bounded::from_expr(u32::from(t.vid) & 0xfff))
            .with_pcp(Bounded::from_expr(u32::from(t.pcp) & 0x7)),
        None => VMVIR::zeroed(),
    }
}

/// The VMOLR value for a pool's receive settings.
pub(crate) fn vmolr(rx: PoolRx) -> VMOLR {
    VMOLR::zeroed()
        .with_bam(true)
        .with_lpe(true)
        .with_aupe(rx.untagged)
        .with_rompe(rx.multicast_hashed)
        .with_mpme(rx.multicast_all)
        .with_strvlan(rx.strip_vlan)
        .with_rlpml(Bounded::from_expr(u32::from(rx.max_frame) & 0x3fff))
}

/// The RAH value for an entry steering `mac` to `pools` (`None`: entry off).
pub(crate) fn rah(entry: Option<(MacAddr, u32)>) -> RAH {
    match entry {
        Some((mac, pools)) => RAH::zeroed()
            .with_av(true)
            .with_pools(pool_bits(pools))
            .with_addr(Bounded::from_expr(mac.to_words().1 & 0xffff)),
        None => RAH::zeroed(),
    }
}

impl Hw<'_> {
    /// Reads receive address entry `i` (RAL, RAH); an entry the 82576 does not have reads as
    /// zero.
    fn rar_read(&self, i: usize) -> (RAL, RAH) {
        let bar = &self.bar;
        if i < RAR_BANK0 {
            (bar.read(RAL::at(i)), bar.read(RAH::at(i)))
        } else if i < RAR_ENTRIES {
            let j = i - RAR_BANK0;
            let rah = RAH::from_raw(bar.read(RAH2::at(j)).into_raw());
            (RAL::from_raw(bar.read(RAL2::at(j)).into_raw()), rah)
        } else {
            (RAL::zeroed(), RAH::zeroed())
        }
    }

    /// The address in receive address entry `i`.
    pub(crate) fn rar_address(&self, i: usize) -> MacAddr {
        let (ral, rah) = self.rar_read(i);
        MacAddr::from_words(ral.addr().get(), rah.addr().get())
    }

    /// Writes receive address entry `i` (below [`RAR_ENTRIES`]). Only an entry that changes
    /// is written; it is turned off while its address changes, so that it never matches a
    /// mix of the old and new address, and RAH goes last because its AV bit makes it live.
    fn rar_write(&self, i: usize, ral: u32, rah: u32) {
        let bar = &self.bar;
        if i < RAR_BANK0 {
            bar.write(RAH::at(i), RAH::zeroed());
            bar.write(RAL::at(i), RAL::from_raw(ral));
            bar.write(RAH::at(i), RAH::from_raw(rah));
        } else if i < RAR_ENTRIES {
            let j = i - RAR_BANK0;
            bar.write(RAH2::at(j), RAH2::zeroed());
            bar.write(RAL2::at(j), RAL2::from_raw(ral));
            bar.write(RAH2::at(j), RAH2::from_raw(rah));
        }
    }

    /// The receive address entries the model describes, as (RAL, RAH).
    fn rar_values(model: &Model) -> [(u32, u32); RAR_ENTRIES] {
        let mut v = [(0, 0); RAR_ENTRIES];
        for (i, slot) in v.iter_mut().enumerate() {
            let mac = model
                .rar()
                .entries()
                .get(i)
                .map_or(MacAddr::ZERO, |e| e.mac);
            if let Some(pool) = model.rar_pool(i).and_then(Pool::new) {
                if !mac.is_zero() {
                    *slot = (mac.to_words().0, rah(Some((mac, pool.bit()))).into_raw());
                }
            }
        }
        v
    }

    /// Programs the receive address entries that differ from the model.
    fn program_rar(&self, model: &Model) {
        let values = Self::rar_values(model);
        let mut sh = self.shadow.lock();
        let known = sh.known;
        write_changed(&mut sh.rar, &values, known, |i, (ral, rah)| {
            self.rar_write(i, ral, rah)
        });
    }

    /// Programs the VLAN pool filters and VLAN filter table words that differ from the model.
    /// An entry whose VLAN id changes is written whole: VLVF holds id, pools and enable in
    /// one register.
    fn program_vlan(&self, model: &Model) {
        let bar = &self.bar;
        let mut vlvf = [0u32; VLVF_ENTRIES];
        for (v, e) in vlvf.iter_mut().zip(model.vlan().entries()) {
            if e.pools != 0 {
                *v = VLVF::zeroed()
                    .with_enable(true)
                    .with_pools(Bounded::from_expr(u32::from(e.pools)))
                    .with_vid(Bounded::from_expr(u32::from(e.vid) & 0xfff))
                    .into_raw();
            }
        }
        let vfta = model.vlan().vid_bitmap();
        let mut sh = self.shadow.lock();
        let known = sh.known;
        // The VLAN filter table gains bits before the pool filters use them and loses them
        // after, so a VLAN that stays never stops matching.
        let grown = core::array::from_fn::<u32, VFTA_WORDS, _>(|i| {
            sh.vfta.get(i).copied().unwrap_or(0) | vfta.get(i).copied().unwrap_or(0)
        });
        write_changed(&mut sh.vfta, &grown, known, |i, bits| {
            bar.write(VFTA::at(i % VFTA_WORDS), VFTA::from_raw(bits))
        });
        write_changed(&mut sh.vlvf, &vlvf, known, |i, v| {
            bar.write(VLVF::at(i % VLVF_ENTRIES), VLVF::from_raw(v))
        });
        write_changed(&mut sh.vfta, &vfta, true, |i, bits| {
            bar.write(VFTA::at(i % VFTA_WORDS), VFTA::from_raw(bits))
        });
    }

    /// Programs the multicast table words that differ from every VF's hashes.
    pub(crate) fn program_multicast(&self, model: &Model) {
        let mut mta = *model.pf_multicast().words();
        for hash in model.mta_hashes() {
            if let Some(word) = mta.get_mut(usize::from(hash >> 5)) {
                *word |= 1 << (hash & 0x1f);
            }
        }
        let mut sh = self.shadow.lock();
        let known = sh.known;
        write_changed(&mut sh.mta, &mta, known, |i, bits| {
            self.bar.write(MTA::at(i % MTA_WORDS), MTA::from_raw(bits))
        });
    }

    /// Enables or disables a pool's receive and transmit.
    pub(crate) fn set_pool_enabled(&self, pool: Pool, enable: bool) {
        let bit = pool.bit();
        self.bar.update(VFRE, |r| {
            r.with_pools(pool_bits(with_bit(r.pools().get(), bit, enable)))
        });
        self.bar.update(VFTE, |r| {
            r.with_pools(pool_bits(with_bit(r.pools().get(), bit, enable)))
        });
    }

    /// Sets the MAC and VLAN anti-spoofing of a pool.
    fn set_spoofchk(&self, pool: Pool, on: bool) {
        let bit = pool.bit();
        self.bar.update(DTXSWC, |r| {
            r.with_mac_spoof(pool_bits(with_bit(r.mac_spoof().get(), bit, on)))
                .with_vlan_spoof(pool_bits(with_bit(r.vlan_spoof().get(), bit, on)))
        });
    }

    /// Selects `queue` for the rate scheduler registers.
    fn select_queue(&self, queue: usize) {
        self.bar
            .write_reg(RTTDQSEL::zeroed().with_queue(Bounded::from_expr(queue as u32 & 0xf)));
    }

    /// Programs the transmit rate limiter of `queue`.
    fn set_queue_rate(&self, queue: usize, rate: Option<RateFactor>) {
        self.select_queue(queue);
        // MMW of 0x14 covers 9728-byte jumbo frames (C igb's value).
        self.bar
            .write_reg(RTTBCNRM::zeroed().with_const_value::<0x14>());
        self.bar.write_reg(rttbcnrc(rate));
    }

    /// The rate limiter configuration of `queue`.
    fn queue_rate(&self, queue: usize) -> u32 {
        self.select_queue(queue);
        self.bar.read(RTTBCNRC).into_raw()
    }

    /// Re-programs the hardware areas named in `changes` for VF `vf` from the model.
    pub(crate) fn program(&self, model: &Model, vf: usize, changes: Changes) {
        let bar = &self.bar;
        if changes.contains(Changes::RAR) {
            self.program_rar(model);
        }
        if changes.contains(Changes::VLAN) {
            self.program_vlan(model);
        }
        if changes.contains(Changes::MULTICAST) {
            self.program_multicast(model);
        }
        let Some(pool) = Pool::new(vf) else {
            return;
        };
        if changes.contains(Changes::POOL_RX) {
            bar.write(VMOLR::at(pool.index()), vmolr(model.pool_rx(vf)));
        }
        if changes.contains(Changes::PORT_VLAN) {
            bar.write(VMVIR::at(pool.index()), vmvir(model.port_vlan_tag(vf)));
        }
        if changes.contains(Changes::SPOOFCHK) {
            let on = model.vf(vf).is_some_and(|v| v.config.spoofchk);
            self.set_spoofchk(pool, on);
        }
        if changes.contains(Changes::RATE) {
            self.program_rate(model, vf);
        }
        if changes.contains(Changes::DISABLE) {
            self.set_pool_enabled(pool, false);
        }
        if changes.contains(Changes::ENABLE) {
            self.set_pool_enabled(pool, true);
        }
    }

    /// Forgets what the filter tables hold (after a device reset cleared them).
    pub(crate) fn forget_tables(&self) {
        self.shadow.lock().known = false;
    }

    /// The link speed rate limits are relative to: the current one, or the 82576's line rate
    /// while the link is down (VF-to-VF traffic still flows through the internal switch, so a
    /// limit must not lapse with the link).
    fn rate_base_mbps(&self) -> u32 {
        self.link()
            .map_or(LinkSpeed::Mbps1000.mbps(), LinkSpeed::mbps)
    }

    /// Programs the rate limit of both of VF `vf`'s transmit queues. C igb limits only queue
    /// n, which igbvf uses, and a guest driver of its own could send on n + 8 unlimited.
    fn program_rate(&self, model: &Model, vf: usize) {
        let rate = model.rate_factor(vf, self.rate_base_mbps());
        for q in queues(vf) {
            self.set_queue_rate(q, rate);
        }
    }

    /// Programs everything the model describes; used after a VF count change.
    pub(crate) fn program_all(&self, model: &Model) {
        if let Some(pf) = Pool::new(model.pf_pool()) {
            self.set_default_pool(pf);
        }
        self.program_rar(model);
        self.program_vlan(model);
        self.program_multicast(model);
        self.shadow.lock().known = true;
        for vf in 0..MAX_VFS {
            let Some(pool) = Pool::new(vf) else {
                continue;
            };
            let active = vf < model.num_vfs();
            if active {
                self.program(model, vf, Changes::POOL_RX | Changes::PORT_VLAN);
            } else {
                self.bar.write(VMOLR::at(pool.index()), VMOLR::zeroed());
                self.bar.write(VMVIR::at(pool.index()), VMVIR::zeroed());
                self.set_pool_enabled(pool, false);
            }
            self.set_spoofchk(
                pool,
                active && model.vf(vf).is_some_and(|v| v.config.spoofchk),
            );
            // A limit left on a queue from an earlier set of VFs would hold back whoever uses
            // the queue now.
            self.program_rate(model, vf);
        }
    }

    /// Registers programmed for VF `vf`, for debugfs.
    pub(crate) fn pool_regs(&self, vf: usize) -> PoolRegs {
        let bar = &self.bar;
        let Some(pool) = Pool::new(vf) else {
            return PoolRegs::default();
        };
        let bit = pool.bit();
        let swc = bar.read(DTXSWC);
        PoolRegs {
            rx_enabled: bar.read(VFRE).pools().get() & bit != 0,
            tx_enabled: bar.read(VFTE).pools().get() & bit != 0,
            mac_spoof: swc.mac_spoof().get() & bit != 0,
            vlan_spoof: swc.vlan_spoof().get() & bit != 0,
            vmolr: bar.read(VMOLR::at(pool.index())).into_raw(),
            vmvir: bar.read(VMVIR::at(pool.index())).into_raw(),
            rar: RarTable::primary_index(vf).map_or((0, 0), |i| {
                let (ral, rah) = self.rar_read(i);
                (ral.into_raw(), rah.into_raw())
            }),
            rttbcnrc: queues(vf).map(|q| self.queue_rate(q)),
        }
    }

    /// The RTTBCNRC value rigb programs for VF `vf` at the current link speed (QEMU's model
    /// does not store the register, so debugfs shows this as well).
    pub(crate) fn programmed_rate(&self, model: &Model, vf: usize) -> u32 {
        rttbcnrc(model.rate_factor(vf, self.rate_base_mbps())).into_raw()
    }

    /// VFs whose frames anti-spoofing dropped since the last call (WVBR clears on read).
    pub(crate) fn take_spoofed(&self) -> u8 {
        spoofing_vfs(self.bar.read(WVBR).value().get())
    }

    /// VF `vf`'s traffic counters.
    pub(crate) fn pool_counters(&self, vf: usize) -> PoolCounters {
        let bar = &self.bar;
        let Some(pool) = Pool::new(vf) else {
            return PoolCounters::default();
        };
        let i = pool.index();
        PoolCounters {
            rx_packets: bar.read(PVFGPRC::at(i)).into_raw(),
            tx_packets: bar.read(PVFGPTC::at(i)).into_raw(),
            rx_bytes: bar.read(PVFGORC::at(i)).into_raw(),
            tx_bytes: bar.read(PVFGOTC::at(i)).into_raw(),
            multicast: bar.read(PVFMPRC::at(i)).into_raw(),
        }
    }
}

/// Pools that exist: every per-pool register array has [`NUM_POOLS`] entries.
const _: () = assert!(MAX_VFS < NUM_POOLS);

#[cfg(CONFIG_KUNIT)]
#[kernel::prelude::kunit_tests(rigb_hw_filters)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_encoding_matches_c_igb() {
        // 1000 / 100 = 10.0: integer part 10 in bits 27:14, no fraction.
        assert_eq!(
            rttbcnrc(RateFactor::new(1000, 100)).into_raw(),
            0x8000_0000 | (10 << 14)
        );
        // 1000 / 300 = 3.333..: fraction 5461.
        assert_eq!(
            rttbcnrc(RateFactor::new(1000, 300)).into_raw(),
            0x8000_0000 | (3 << 14) | 5461
        );
        assert_eq!(rttbcnrc(None).into_raw(), 0);
    }

    #[test]
    fn port_vlan_encoding() {
        assert_eq!(
            vmvir(Some(VlanTag { vid: 100, pcp: 3 })).into_raw(),
            100 | (3 << 13) | 0x4000_0000
        );
        assert_eq!(
            vmvir(Some(VlanTag { vid: 0, pcp: 2 })).into_raw(),
            (2 << 13) | 0x4000_0000
        );
        assert_eq!(vmvir(None).into_raw(), 0);
    }

    #[test]
    fn receive_address_encoding() {
        let mac = MacAddr([0x11, 0x22, 0x33, 0x44, 0x55, 0x66]);
        assert_eq!(mac.to_words().0, 0x4433_2211);
        assert_eq!(
            rah(Some((mac, 1 << 2))).into_raw(),
            0x8000_0000 | (1 << 20) | 0x6655
        );
        assert_eq!(rah(None).into_raw(), 0);
    }

    #[test]
    fn pool_receive_encoding() {
        let v = vmolr(PoolRx {
            untagged: true,
            multicast_hashed: false,
            multicast_all: true,
            strip_vlan: false,
            max_frame: 1522,
        })
        .into_raw();
        // BAM, LPE, AUPE, MPME and the size.
        assert_eq!(v, (1 << 27) | (1 << 16) | (1 << 24) | (1 << 28) | 1522);
    }

    #[test]
    fn only_changed_entries_are_written() {
        let mut old = [1u32, 2, 3, 4];
        let mut written = KVec::<(usize, u32)>::new();
        let n = write_changed(&mut old, &[1, 5, 3, 6], true, |i, v| {
            let _ = written.push((i, v), GFP_KERNEL);
        });
        assert_eq!(n, 2);
        assert_eq!(&written[..], &[(1, 5), (3, 6)]);
        assert_eq!(old, [1, 5, 3, 6]);
        // Unknown contents: everything is written.
        assert_eq!(write_changed(&mut old, &[1, 5, 3, 6], false, |_, _| {}), 4);
    }

    #[test]
    fn spoof_report_names_the_vf_of_either_queue() {
        assert_eq!(spoofing_vfs(0), 0);
        assert_eq!(spoofing_vfs(1 << 2), 1 << 2);
        assert_eq!(spoofing_vfs(1 << (8 + 3)), 1 << 3);
        assert_eq!(spoofing_vfs(1 << (16 + 5)), 1 << 5);
        assert_eq!(spoofing_vfs(1 << (24 + 6) | 1), 1 << 6 | 1);
    }

    #[test]
    fn pool_indices() {
        assert_eq!(Pool::new(7).map(Pool::bit), Some(0x80));
        assert!(Pool::new(NUM_POOLS).is_none());
        assert!(Pool::new(usize::MAX).is_none());
    }
}
