// SPDX-License-Identifier: GPL-2.0

//! Intel 82576 PF registers used by rigb, each defined once.
//!
//! Offsets and bits are from the 82576 datasheet and agree with Linux's
//! `drivers/net/ethernet/intel/igb/e1000_regs.h` and `e1000_defines.h`. Arrays are sized by
//! the model's constants, so a per-pool or per-entry index the model cannot produce cannot be
//! written either.

use crate::{
    mbx::msg::MBX_WORDS,
    model::{
        filters::{
            RAR_ENTRIES,
            VFTA_WORDS,
            VLVF_ENTRIES, //
        },
        NUM_POOLS,
    },
};
use kernel::{
    io::register,
    num::Bounded,
    prelude::*, //
};

/// Size of the PF's BAR0 (128 KiB of registers).
pub(crate) const BAR0_SIZE: usize = 0x20000;
/// Receive address entries in the first bank (RAL/RAH); the rest are in RAL2/RAH2.
pub(crate) const RAR_BANK0: usize = 16;
/// Words of the multicast table array (4096 hash bits), as the model sizes it.
pub(crate) use crate::model::pf_mc::MTA_WORDS;
/// Words of the unicast table array.
pub(crate) const UTA_WORDS: usize = 128;

/// Link speed, as STATUS reports it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum LinkSpeed {
    /// 10 Mb/s.
    Mbps10,
    /// 100 Mb/s.
    Mbps100,
    /// 1000 Mb/s (encoded as 2 or 3).
    Mbps1000,
}

impl LinkSpeed {
    /// The speed in Mb/s.
    pub(crate) fn mbps(self) -> u32 {
        match self {
            Self::Mbps10 => 10,
            Self::Mbps100 => 100,
            Self::Mbps1000 => 1000,
        }
    }
}

impl From<Bounded<u32, 2>> for LinkSpeed {
    fn from(v: Bounded<u32, 2>) -> Self {
        match v.get() {
            0 => Self::Mbps10,
            1 => Self::Mbps100,
            _ => Self::Mbps1000,
        }
    }
}

impl From<LinkSpeed> for Bounded<u32, 2> {
    fn from(s: LinkSpeed) -> Self {
        match s {
            LinkSpeed::Mbps10 => Bounded::<u32, 2>::new::<0>(),
            LinkSpeed::Mbps100 => Bounded::<u32, 2>::new::<1>(),
            LinkSpeed::Mbps1000 => Bounded::<u32, 2>::new::<2>(),
        }
    }
}

/// MDIC opcode.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum MdicOp {
    /// Write a PHY register.
    Write,
    /// Read a PHY register.
    Read,
}

impl TryFrom<Bounded<u32, 2>> for MdicOp {
    type Error = Error;

    fn try_from(v: Bounded<u32, 2>) -> Result<Self> {
        match v.get() {
            1 => Ok(Self::Write),
            2 => Ok(Self::Read),
            _ => Err(EINVAL),
        }
    }
}

impl From<MdicOp> for Bounded<u32, 2> {
    fn from(op: MdicOp) -> Self {
        match op {
            MdicOp::Write => Bounded::<u32, 2>::new::<1>(),
            MdicOp::Read => Bounded::<u32, 2>::new::<2>(),
        }
    }
}

/// How received frames are spread over queues (MRQC.MRQE).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum MrqcMode {
    /// One queue.
    Single,
    /// Receive-side scaling.
    Rss,
    /// VMDq: pools selected by MAC and VLAN filters, no RSS.
    Vmdq,
}

impl TryFrom<Bounded<u32, 3>> for MrqcMode {
    type Error = Error;

    fn try_from(v: Bounded<u32, 3>) -> Result<Self> {
        match v.get() {
            0 => Ok(Self::Single),
            2 => Ok(Self::Rss),
            3 => Ok(Self::Vmdq),
            _ => Err(EINVAL),
        }
    }
}

impl From<MrqcMode> for Bounded<u32, 3> {
    fn from(m: MrqcMode) -> Self {
        match m {
            MrqcMode::Single => Bounded::<u32, 3>::new::<0>(),
            MrqcMode::Rss => Bounded::<u32, 3>::new::<2>(),
            MrqcMode::Vmdq => Bounded::<u32, 3>::new::<3>(),
        }
    }
}

/// VLAN insertion of a pool's transmitted frames (VMVIR.VLANA).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum VlanInsert {
    /// As each descriptor says.
    PerDescriptor,
    /// Always insert the pool's default tag.
    Always,
    /// Never insert.
    Never,
}

impl TryFrom<Bounded<u32, 2>> for VlanInsert {
    type Error = Error;

    fn try_from(v: Bounded<u32, 2>) -> Result<Self> {
        match v.get() {
            0 => Ok(Self::PerDescriptor),
            1 => Ok(Self::Always),
            2 => Ok(Self::Never),
            _ => Err(EINVAL),
        }
    }
}

impl From<VlanInsert> for Bounded<u32, 2> {
    fn from(m: VlanInsert) -> Self {
        match m {
            VlanInsert::PerDescriptor => Bounded::<u32, 2>::new::<0>(),
            VlanInsert::Always => Bounded::<u32, 2>::new::<1>(),
            VlanInsert::Never => Bounded::<u32, 2>::new::<2>(),
        }
    }
}

register! {
    /// Device control.
    pub(crate) CTRL(u32) @ 0x0000 {
        /// PHY reset.
        31:31 phy_rst => bool;
        /// Device (software) reset; self-clearing.
        26:26 rst => bool;
        /// Set link up.
        6:6 slu => bool;
    }

    /// Device status.
    pub(crate) STATUS(u32) @ 0x0008 {
        /// Link speed.
        7:6 speed => LinkSpeed;
        /// Link up.
        1:1 lu => bool;
        /// Full duplex.
        0:0 fd => bool;
    }

    /// EEPROM read (word-granular access to the NVM).
    pub(crate) EERD(u32) @ 0x0014 {
        /// Data read.
        31:16 data;
        /// Word address.
        15:2 addr;
        /// Read done.
        1:1 done => bool;
        /// Start read.
        0:0 start => bool;
    }

    /// Extended device control.
    pub(crate) CTRL_EXT(u32) @ 0x0018 {
        /// Driver loaded.
        28:28 drv_load => bool;
        /// PF reset done: VFs may use the mailbox (clears RSTI, sets RSTD in every VF).
        14:14 pfrstd => bool;
    }

    /// MDI (PHY register) access.
    pub(crate) MDIC(u32) @ 0x0020 {
        /// Error.
        30:30 error => bool;
        /// Ready: the access completed.
        28:28 ready => bool;
        /// Opcode.
        27:26 op ?=> MdicOp;
        /// PHY address.
        25:21 phy_addr;
        /// PHY register address.
        20:16 reg_addr;
        /// Data.
        15:0 data;
    }

    /// Receive control.
    pub(crate) RCTL(u32) @ 0x0100 {
        /// Strip Ethernet CRC.
        26:26 secrc => bool;
        /// VLAN filter enable.
        18:18 vfe => bool;
        /// Accept broadcast.
        15:15 bam => bool;
        /// Multicast offset: which address bits form the MTA hash (0: bits 47:36).
        13:12 mo;
        /// Long packet enable.
        5:5 lpe => bool;
        /// Multicast promiscuous.
        4:4 mpe => bool;
        /// Unicast promiscuous.
        3:3 upe => bool;
        /// Receive enable.
        1:1 en => bool;
    }

    /// Transmit control.
    pub(crate) TCTL(u32) @ 0x0400 {
        /// Collision distance.
        21:12 cold;
        /// Collision threshold.
        11:4 ct;
        /// Pad short packets.
        3:3 psp => bool;
        /// Transmit enable.
        1:1 en => bool;
    }

    /// Interrupt cause read (clear on read, with GPIE.NSICR).
    pub(crate) ICR(u32) @ 0x00C0 {
        /// Device reset asserted.
        30:30 drsta => bool;
        /// DMA TX out of sync.
        28:28 doutsync => bool;
        /// VF mailbox: a VF sent a message, acked one, or was reset.
        8:8 vmmb => bool;
        /// Link status change.
        2:2 lsc => bool;
    }

    /// Interrupt mask set (same bits as ICR).
    pub(crate) IMS(u32) @ 0x00D0 {
        /// Device reset asserted.
        30:30 drsta => bool;
        /// DMA TX out of sync.
        28:28 doutsync => bool;
        /// VF mailbox.
        8:8 vmmb => bool;
        /// Link status change.
        2:2 lsc => bool;
    }

    /// Interrupt mask clear (same bits as ICR).
    pub(crate) IMC(u32) @ 0x00D8 {
        /// Every cause.
        31:0 all;
        /// Device reset asserted.
        30:30 drsta => bool;
        /// DMA TX out of sync.
        28:28 doutsync => bool;
        /// VF mailbox.
        8:8 vmmb => bool;
        /// Link status change.
        2:2 lsc => bool;
    }

    /// General purpose interrupt enable.
    pub(crate) GPIE(u32) @ 0x1514 {
        /// Pending bit array mode for MSI-X.
        31:31 pba => bool;
        /// Extended interrupt auto-mask enable.
        30:30 eiame => bool;
        /// MSI-X mode.
        4:4 msix_mode => bool;
        /// Non-selective interrupt clear on read of ICR.
        0:0 nsicr => bool;
    }

    /// Extended interrupt mask set (one bit per MSI-X vector).
    pub(crate) EIMS(u32) @ 0x1524 {
        31:0 vectors;
    }

    /// Extended interrupt mask clear.
    pub(crate) EIMC(u32) @ 0x1528 {
        31:0 vectors;
    }

    /// Extended interrupt auto clear.
    pub(crate) EIAC(u32) @ 0x152C {
        31:0 vectors;
    }

    /// Extended interrupt auto mask.
    pub(crate) EIAM(u32) @ 0x1530 {
        31:0 vectors;
    }

    /// Interrupt vector allocation for "other" causes.
    pub(crate) IVAR_MISC(u32) @ 0x1740 {
        /// The "other" cause mapping is valid.
        15:15 other_valid => bool;
        /// MSI-X vector of "other" causes (link, mailbox).
        12:8 other_vector;
    }

    /// Queue drop enable: drop a queue's packets when it has no descriptors.
    pub(crate) QDE(u32) @ 0x2408 {
        15:0 queues;
    }

    /// DMA TX switch control.
    pub(crate) DTXSWC(u32) @ 0x3500 {
        /// Loopback between pools (the internal VF-to-VF switch).
        31:31 loopback_en => bool;
        /// VLAN anti-spoof check per pool.
        15:8 vlan_spoof;
        /// MAC anti-spoof check per pool.
        7:0 mac_spoof;
    }

    /// Last VM misbehaviour cause (read clears).
    pub(crate) LVMMC(u32) @ 0x3548 {
        31:0 value;
    }

    /// Wrong VM behaviour: pools whose frames were dropped by anti-spoofing.
    pub(crate) WVBR(u32) @ 0x3554 {
        31:0 value;
    }

    /// DMA TX control.
    pub(crate) DTXCTL(u32) @ 0x3590 {
        /// VLAN tags are added by hardware (VMVIR), count them in frame sizes.
        3:3 vlan_added => bool;
    }

    /// VM VLAN insert, per pool.
    pub(crate) VMVIR(u32)[NUM_POOLS] @ 0x3700 {
        /// When to insert the default tag.
        31:30 mode ?=> VlanInsert;
        /// Default tag: priority.
        15:13 pcp;
        /// Default tag: VLAN id.
        11:0 vid;
    }

    /// Receive long packet maximum length.
    pub(crate) RLPML(u32) @ 0x5004 {
        13:0 size;
    }

    /// Multicast table array (4096 hash bits).
    pub(crate) MTA(u32)[MTA_WORDS] @ 0x5200 {
        31:0 bits;
    }

    /// Receive address low, entries 0..16.
    pub(crate) RAL(u32)[RAR_BANK0, stride = 8] @ 0x5400 {
        31:0 addr;
    }

    /// Receive address high, entries 0..16.
    pub(crate) RAH(u32)[RAR_BANK0, stride = 8] @ 0x5404 {
        /// Address valid.
        31:31 av => bool;
        /// Pool select, one bit per pool.
        25:18 pools;
        /// Address bytes 4 and 5.
        15:0 addr;
    }

    /// Receive address low, entries 16..24.
    pub(crate) RAL2(u32)[RAR_ENTRIES - RAR_BANK0, stride = 8] @ 0x54E0 {
        31:0 addr;
    }

    /// Receive address high, entries 16..24.
    pub(crate) RAH2(u32)[RAR_ENTRIES - RAR_BANK0, stride = 8] @ 0x54E4 {
        /// Address valid.
        31:31 av => bool;
        /// Pool select, one bit per pool.
        25:18 pools;
        /// Address bytes 4 and 5.
        15:0 addr;
    }

    /// VLAN filter table array (4096 VLAN bits).
    pub(crate) VFTA(u32)[VFTA_WORDS] @ 0x5600 {
        31:0 bits;
    }

    /// Multiple receive queues command.
    pub(crate) MRQC(u32) @ 0x5818 {
        /// Queue selection.
        2:0 mode ?=> MrqcMode;
    }

    /// Virtualization control.
    pub(crate) VT_CTL(u32) @ 0x581C {
        /// Replicate multicast and broadcast to all matching pools.
        30:30 vm_repl_en => bool;
        /// Disable the default pool.
        29:29 dis_def_pool => bool;
        /// Pool that receives frames matching no filter.
        9:7 def_pool;
    }

    /// VM offload register, per pool.
    pub(crate) VMOLR(u32)[NUM_POOLS] @ 0x5AD0 {
        /// Strip VLAN tags.
        30:30 strvlan => bool;
        /// Accept multicast promiscuous.
        28:28 mpme => bool;
        /// Accept broadcast.
        27:27 bam => bool;
        /// Accept unicast promiscuous.
        26:26 rope => bool;
        /// Accept multicast hashed in the MTA.
        25:25 rompe => bool;
        /// Accept untagged packets.
        24:24 aupe => bool;
        /// Long packet enable for this pool.
        16:16 lpe => bool;
        /// Maximum frame size for this pool.
        13:0 rlpml;
    }

    /// Replication offload (frames replicated to pools).
    pub(crate) RPLOLR(u32) @ 0x5AF0 {
        /// Strip VLAN tags of replicated frames.
        30:30 strvlan => bool;
    }

    /// VLAN VM filter: VLAN id to pools.
    pub(crate) VLVF(u32)[VLVF_ENTRIES] @ 0x5D00 {
        /// Entry valid.
        31:31 enable => bool;
        /// Pools member of this VLAN, one bit per pool.
        19:12 pools;
        /// VLAN id.
        11:0 vid;
    }

    /// Unicast table array (hash of unicast addresses).
    pub(crate) UTA(u32)[UTA_WORDS] @ 0xA000 {
        31:0 bits;
    }

    /// Mailbox memory: 16 words per VF (VF n at index 16 * n).
    pub(crate) VMBMEM(u32)[NUM_POOLS * MBX_WORDS] @ 0x0800 {
        31:0 word;
    }

    /// PF side of VF n's mailbox.
    pub(crate) P2VMAILBOX(u32)[NUM_POOLS] @ 0x0C00 {
        /// Force-release a lock the VF holds.
        4:4 rvfu => bool;
        /// The PF owns the buffer.
        3:3 pfu => bool;
        /// The VF owns the buffer (read only).
        2:2 vfu => bool;
        /// The PF acknowledges the VF's message.
        1:1 ack => bool;
        /// The PF sent a message.
        0:0 sts => bool;
    }

    /// Mailbox VF interrupt cause (write 1 to clear).
    pub(crate) MBVFICR(u32) @ 0x0C80 {
        /// VF n acknowledged a PF message.
        23:16 vfack;
        /// VF n sent a request.
        7:0 vfreq;
    }

    /// Mailbox VF interrupt mask: VF n's requests, acks and resets raise VMMB.
    pub(crate) MBVFIMR(u32) @ 0x0C84 {
        7:0 vfs;
    }

    /// VF function-level reset events (write 1 to clear).
    pub(crate) VFLRE(u32) @ 0x0C88 {
        7:0 vfs;
    }

    /// Receive enable per pool.
    pub(crate) VFRE(u32) @ 0x0C8C {
        7:0 pools;
    }

    /// Transmit enable per pool.
    pub(crate) VFTE(u32) @ 0x0C90 {
        7:0 pools;
    }
}

register! {
    /// Transmit rate scheduler: queue selected for RTTBCNRC.
    pub(crate) RTTDQSEL(u32) @ 0x3604 {
        31:0 queue;
    }

    /// Transmit rate scheduler: compensation for the maximum frame size (MMW).
    pub(crate) RTTBCNRM(u32) @ 0x3690 {
        31:0 value;
    }

    /// Transmit rate scheduler configuration of the queue selected in RTTDQSEL.
    pub(crate) RTTBCNRC(u32) @ 0x36B0 {
        /// Rate scheduling enabled.
        31:31 rs_ena => bool;
        /// Rate factor, integer part.
        27:14 rf_int;
        /// Rate factor, fraction (1/16384).
        13:0 rf_dec;
    }

    /// Good packets received by VF n (the VF's VFGPRC, seen from the PF).
    pub(crate) PVFGPRC(u32)[NUM_POOLS, stride = 0x100] @ 0x10010 {
        31:0 count;
    }

    /// Good packets transmitted by VF n.
    pub(crate) PVFGPTC(u32)[NUM_POOLS, stride = 0x100] @ 0x10014 {
        31:0 count;
    }

    /// Good octets received by VF n.
    pub(crate) PVFGORC(u32)[NUM_POOLS, stride = 0x100] @ 0x10018 {
        31:0 count;
    }

    /// Good octets transmitted by VF n.
    pub(crate) PVFGOTC(u32)[NUM_POOLS, stride = 0x100] @ 0x10034 {
        31:0 count;
    }

    /// Multicast packets received by VF n.
    pub(crate) PVFMPRC(u32)[NUM_POOLS, stride = 0x100] @ 0x1003C {
        31:0 count;
    }
}

/// Queues, in the register bank that addresses all 16 (queues 0-3 also appear at 0x2800 and
/// 0x3800).
pub(crate) const NUM_QUEUES: usize = 16;

/// MSI-X vectors the PF can address (QEMU's model and the 82576 have 10).
pub(crate) const NUM_VECTORS: usize = 10;

register! {
    /// Receive descriptor ring base address, low 32 bits (16-byte aligned).
    pub(crate) RDBAL(u32)[NUM_QUEUES, stride = 0x40] @ 0xC000 {
        31:0 addr;
    }

    /// Receive descriptor ring base address, high 32 bits.
    pub(crate) RDBAH(u32)[NUM_QUEUES, stride = 0x40] @ 0xC004 {
        31:0 addr;
    }

    /// Receive descriptor ring length in bytes (a multiple of 128).
    pub(crate) RDLEN(u32)[NUM_QUEUES, stride = 0x40] @ 0xC008 {
        19:0 len;
    }

    /// Split and replication receive control: buffer sizes and descriptor type.
    pub(crate) SRRCTL(u32)[NUM_QUEUES, stride = 0x40] @ 0xC00C {
        /// Drop frames when the queue has no free descriptor, instead of holding back others.
        31:31 drop_en => bool;
        /// Descriptor type: 1 = advanced, one buffer.
        27:25 desctype;
        /// Header buffer size, 64-byte units (header split only).
        11:8 bsizehdr;
        /// Packet buffer size, 1 KiB units.
        6:0 bsizepkt;
    }

    /// Receive descriptor head.
    pub(crate) RDH(u32)[NUM_QUEUES, stride = 0x40] @ 0xC010 {
        15:0 index;
    }

    /// Receive descriptor tail: the first descriptor the device may not use.
    pub(crate) RDT(u32)[NUM_QUEUES, stride = 0x40] @ 0xC018 {
        15:0 index;
    }

    /// Receive descriptor control.
    pub(crate) RXDCTL(u32)[NUM_QUEUES, stride = 0x40] @ 0xC028 {
        /// Queue enable.
        25:25 enable => bool;
        /// Write-back threshold.
        20:16 wthresh;
        /// Host threshold.
        12:8 hthresh;
        /// Prefetch threshold.
        4:0 pthresh;
    }

    /// Transmit descriptor ring base address, low 32 bits (16-byte aligned).
    pub(crate) TDBAL(u32)[NUM_QUEUES, stride = 0x40] @ 0xE000 {
        31:0 addr;
    }

    /// Transmit descriptor ring base address, high 32 bits.
    pub(crate) TDBAH(u32)[NUM_QUEUES, stride = 0x40] @ 0xE004 {
        31:0 addr;
    }

    /// Transmit descriptor ring length in bytes (a multiple of 128).
    pub(crate) TDLEN(u32)[NUM_QUEUES, stride = 0x40] @ 0xE008 {
        19:0 len;
    }

    /// Transmit descriptor head.
    pub(crate) TDH(u32)[NUM_QUEUES, stride = 0x40] @ 0xE010 {
        15:0 index;
    }

    /// Transmit descriptor tail: writing it hands the descriptors before it to the device.
    pub(crate) TDT(u32)[NUM_QUEUES, stride = 0x40] @ 0xE018 {
        15:0 index;
    }

    /// Transmit descriptor control.
    pub(crate) TXDCTL(u32)[NUM_QUEUES, stride = 0x40] @ 0xE028 {
        /// Queue enable.
        25:25 enable => bool;
        /// Write-back threshold.
        20:16 wthresh;
        /// Host threshold.
        12:8 hthresh;
        /// Prefetch threshold.
        4:0 pthresh;
    }

    /// Interrupt vector allocation: which MSI-X vector each queue's causes raise. Entry n
    /// covers RX and TX of queue n (bytes 0 and 1) and of queue n + 8 (bytes 2 and 3).
    pub(crate) IVAR0(u32)[8] @ 0x1700 {
        /// TX of queue n + 8 routed to `tx_hi_vector`.
        31:31 tx_hi_valid => bool;
        /// Vector of TX queue n + 8.
        28:24 tx_hi_vector;
        /// RX of queue n + 8 routed to `rx_hi_vector`.
        23:23 rx_hi_valid => bool;
        /// Vector of RX queue n + 8.
        20:16 rx_hi_vector;
        /// TX of queue n routed to `tx_vector`.
        15:15 tx_valid => bool;
        /// Vector of TX queue n.
        12:8 tx_vector;
        /// RX of queue n routed to `rx_vector`.
        7:7 rx_valid => bool;
        /// Vector of RX queue n.
        4:0 rx_vector;
    }

    /// Interrupt throttle, per MSI-X vector.
    pub(crate) EITR(u32)[NUM_VECTORS] @ 0x1680 {
        /// Minimum interval between interrupts, in microseconds.
        14:2 interval;
    }

    /// Receive checksum control.
    pub(crate) RXCSUM(u32) @ 0x5000 {
        /// Report the RSS hash instead of the fragment checksum.
        13:13 pcsd => bool;
        /// CRC offload (the device checks the frame's CRC).
        11:11 crcofl => bool;
        /// TCP/UDP checksum offload.
        9:9 tuofl => bool;
        /// IPv4 header checksum offload.
        8:8 ipofl => bool;
    }
}
