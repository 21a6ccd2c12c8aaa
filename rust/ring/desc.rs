// SPDX-License-Identifier: GPL-2.0

//! The 82576's advanced descriptors (`e1000_82575.h`): 16 bytes each, two little-endian
//! quadwords. A [`RawDesc`] holds their CPU-endian values; the caller converts when it reads
//! or writes descriptor memory.
//!
//! Receive: the driver writes the read format ([`rx_read`]); the hardware overwrites it with
//! the write-back format ([`RxCompletion`]) once the buffer holds (part of) a frame. Transmit:
//! the driver writes an optional context descriptor and one data descriptor per buffer (see
//! [`super::offload`]); the hardware sets DD in the ones that ask for it (RS) when it is done
//! with them ([`tx_done`]).

/// One descriptor: the CPU-endian values of its two little-endian quadwords.
pub(crate) type RawDesc = [u64; 2];

// Transmit data descriptor, `cmd_type_len` (bits 31:0 of quadword 1).

/// Descriptor type: advanced data descriptor.
pub(crate) const DTYP_DATA: u32 = 0x0030_0000;
/// Descriptor type: advanced context descriptor.
pub(crate) const DTYP_CTXT: u32 = 0x0020_0000;
/// DCMD: end of packet, the last descriptor of a frame.
pub(crate) const DCMD_EOP: u32 = 0x0100_0000;
/// DCMD: insert the frame check sequence (Ethernet CRC).
pub(crate) const DCMD_IFCS: u32 = 0x0200_0000;
/// DCMD: report status, set DD once the descriptor is done.
pub(crate) const DCMD_RS: u32 = 0x0800_0000;
/// DCMD: descriptor extension, advanced (not legacy) format.
pub(crate) const DCMD_DEXT: u32 = 0x2000_0000;
/// DCMD: insert the VLAN tag of the context descriptor.
pub(crate) const DCMD_VLE: u32 = 0x4000_0000;
/// DCMD: TCP segmentation enable.
pub(crate) const DCMD_TSE: u32 = 0x8000_0000;

// Transmit data descriptor, `olinfo_status` (bits 63:32 of quadword 1).

/// Shift of POPTS in `olinfo_status`.
pub(crate) const POPTS_SHIFT: u32 = 8;
/// POPTS: insert the IPv4 header checksum.
pub(crate) const POPTS_IXSM: u32 = 0x1;
/// POPTS: insert the TCP/UDP/SCTP checksum.
pub(crate) const POPTS_TXSM: u32 = 0x2;
/// Shift of PAYLEN in `olinfo_status`.
pub(crate) const PAYLEN_SHIFT: u32 = 14;
/// Largest PAYLEN: the field is 18 bits wide.
pub(crate) const PAYLEN_MAX: u32 = 0x3_FFFF;

// Transmit write-back, `wb.status` (bits 63:32 of quadword 1, where `olinfo_status` was).

/// `wb.status`: descriptor done.
pub(crate) const TXD_STAT_DD: u32 = 0x1;

// Transmit context descriptor.

/// `vlan_macip_lens` bits holding IPLEN, the IP header length.
pub(crate) const IPLEN_MAX: u32 = 0x1FF;
/// Shift of MACLEN, the offset of the IP header, in `vlan_macip_lens`.
pub(crate) const MACLEN_SHIFT: u32 = 9;
/// Largest MACLEN: the field is 7 bits wide.
pub(crate) const MACLEN_MAX: u32 = 0x7F;
/// Shift of the VLAN tag in `vlan_macip_lens`.
pub(crate) const VLAN_SHIFT: u32 = 16;
/// TUCMD: the packet is IPv4 (else IPv6).
pub(crate) const TUCMD_IPV4: u32 = 0x0400;
/// TUCMD: layer 4 is UDP.
pub(crate) const TUCMD_L4T_UDP: u32 = 0x0000;
/// TUCMD: layer 4 is TCP.
pub(crate) const TUCMD_L4T_TCP: u32 = 0x0800;
/// TUCMD: layer 4 is SCTP.
pub(crate) const TUCMD_L4T_SCTP: u32 = 0x1000;
/// Shift of L4LEN, the TCP header length, in `mss_l4len_idx`.
pub(crate) const L4LEN_SHIFT: u32 = 8;
/// Largest L4LEN: the field is 8 bits wide.
pub(crate) const L4LEN_MAX: u32 = 0xFF;
/// Shift of MSS in `mss_l4len_idx`.
pub(crate) const MSS_SHIFT: u32 = 16;

// Receive write-back, `upper.status_error` (bits 31:0 of quadword 1).

/// Descriptor done: the hardware has written this descriptor back.
pub(crate) const RXD_STAT_DD: u32 = 0x01;
/// End of packet: the last descriptor of a frame.
pub(crate) const RXD_STAT_EOP: u32 = 0x02;
/// Ignore checksum indication: the checksum bits mean nothing.
pub(crate) const RXD_STAT_IXSM: u32 = 0x04;
/// VLAN packet: the tag was stripped into `upper.vlan`.
pub(crate) const RXD_STAT_VP: u32 = 0x08;
/// UDP checksum computed.
pub(crate) const RXD_STAT_UDPCS: u32 = 0x10;
/// TCP (or SCTP) checksum computed.
pub(crate) const RXD_STAT_TCPCS: u32 = 0x20;
/// IPv4 header checksum computed.
pub(crate) const RXD_STAT_IPCS: u32 = 0x40;
/// Error: CRC error.
pub(crate) const RXDEXT_ERR_CE: u32 = 0x0100_0000;
/// Error: symbol error.
pub(crate) const RXDEXT_ERR_SE: u32 = 0x0200_0000;
/// Error: sequence error.
pub(crate) const RXDEXT_ERR_SEQ: u32 = 0x0400_0000;
/// Error: carrier extension error.
pub(crate) const RXDEXT_ERR_CXE: u32 = 0x1000_0000;
/// Error: TCP/UDP (L4) checksum error.
pub(crate) const RXDEXT_STATERR_TCPE: u32 = 0x2000_0000;
/// Error: IPv4 header checksum error.
pub(crate) const RXDEXT_STATERR_IPE: u32 = 0x4000_0000;
/// Error: RX data error.
pub(crate) const RXDEXT_ERR_RXE: u32 = 0x8000_0000;
/// Errors that make the frame unusable (`E1000_RXDEXT_ERR_FRAME_ERR_MASK`).
pub(crate) const RXDEXT_ERR_FRAME_ERR_MASK: u32 =
    RXDEXT_ERR_CE | RXDEXT_ERR_SE | RXDEXT_ERR_SEQ | RXDEXT_ERR_CXE | RXDEXT_ERR_RXE;

// Receive write-back, field positions.

/// Quadword 0 bits holding the RSS type (`pkt_info` bits 3:0).
pub(crate) const RSS_TYPE_MASK: u64 = 0xF;
/// Shift of the RSS hash (`hi_dword.rss`) in quadword 0.
pub(crate) const RSS_HASH_SHIFT: u32 = 32;
/// Shift of the buffer length (`upper.length`) in quadword 1.
pub(crate) const RX_LENGTH_SHIFT: u32 = 32;
/// Shift of the VLAN tag (`upper.vlan`) in quadword 1.
pub(crate) const RX_VLAN_SHIFT: u32 = 48;

/// The read format of a receive descriptor: the hardware writes the frame to `pkt_addr`. No
/// header split, so the header address is 0.
pub(crate) fn rx_read(pkt_addr: u64) -> RawDesc {
    [pkt_addr, 0]
}

/// What the hardware says about a frame's checksums.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum RxChecksum {
    /// Not checked (or not to be trusted): the stack verifies (`CHECKSUM_NONE`).
    None,
    /// The TCP/UDP checksum (and the IPv4 header checksum, if any) is good
    /// (`CHECKSUM_UNNECESSARY`).
    Unnecessary,
    /// The hardware found a bad checksum: count it, and let the stack verify
    /// (`CHECKSUM_NONE`), as igb does. On the 82576 TCPE is also set wrongly on 60-byte SCTP
    /// frames (igb's `IGB_RING_FLAG_RX_SCTP_CSUM` erratum); igb does not count those.
    Bad,
}

/// A receive descriptor the hardware has written back.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct RxCompletion {
    /// Bytes written to this descriptor's buffer (`upper.length`).
    pub(crate) len: u16,
    /// Last descriptor of the frame.
    pub(crate) eop: bool,
    /// The stripped VLAN tag (TCI), if the frame had one.
    pub(crate) vlan: Option<u16>,
    /// The checksum verdict.
    pub(crate) csum: RxChecksum,
    /// A CRC, symbol, sequence, carrier extension or data error: the frame is to be dropped.
    pub(crate) frame_error: bool,
    /// The RSS type (`E1000_RSS_TYPE_*`, 0 = no hash).
    pub(crate) rss_type: u8,
    /// The RSS hash (only computed when RXCSUM.PCSD is set).
    pub(crate) rss_hash: u32,
}

impl RxCompletion {
    /// Decodes a written-back descriptor, or `None` if the hardware has not written it back
    /// (DD clear). The caller reads the rest of the descriptor only after seeing DD (`dma_rmb`).
    pub(crate) fn decode(d: RawDesc) -> Option<Self> {
        let [q0, q1] = d;
        let status_error = q1 as u32;
        if status_error & RXD_STAT_DD == 0 {
            return None;
        }
        let has = |bits: u32| status_error & bits != 0;
        let csum = if has(RXD_STAT_IXSM) {
            RxChecksum::None
        } else if has(RXDEXT_STATERR_TCPE | RXDEXT_STATERR_IPE) {
            RxChecksum::Bad
        } else if has(RXD_STAT_TCPCS | RXD_STAT_UDPCS) {
            RxChecksum::Unnecessary
        } else {
            RxChecksum::None
        };
        Some(Self {
            len: (q1 >> RX_LENGTH_SHIFT) as u16,
            eop: has(RXD_STAT_EOP),
            vlan: has(RXD_STAT_VP).then_some((q1 >> RX_VLAN_SHIFT) as u16),
            csum,
            frame_error: has(RXDEXT_ERR_FRAME_ERR_MASK),
            rss_type: (q0 & RSS_TYPE_MASK) as u8,
            rss_hash: (q0 >> RSS_HASH_SHIFT) as u32,
        })
    }
}

/// Whether the hardware is done with a transmit descriptor it was asked to report on (RS):
/// DD in `wb.status`, the high half of quadword 1.
pub(crate) fn tx_done(d: RawDesc) -> bool {
    let [_, q1] = d;
    let status = (q1 >> 32) as u32;
    status & TXD_STAT_DD != 0
}

/// A transmit context descriptor from its three words (`seqnum_seed` is 0). The caller
/// provides TUCMD; DEXT and DTYP_CTXT are added here.
pub(crate) fn tx_context(vlan_macip_lens: u32, tucmd: u32, mss_l4len_idx: u32) -> RawDesc {
    let type_tucmd_mlhl = DCMD_DEXT | DTYP_CTXT | tucmd;
    [
        u64::from(vlan_macip_lens),
        u64::from(type_tucmd_mlhl) | u64::from(mss_l4len_idx) << 32,
    ]
}

/// A transmit data descriptor from the buffer address and its two words.
pub(crate) fn tx_data(addr: u64, cmd_type_len: u32, olinfo_status: u32) -> RawDesc {
    [
        addr,
        u64::from(cmd_type_len) | u64::from(olinfo_status) << 32,
    ]
}

#[cfg(any(test, CONFIG_KUNIT))]
#[cfg_attr(CONFIG_KUNIT, kernel::prelude::kunit_tests(rigb_ring_desc))]
mod tests {
    use super::*;

    /// A written-back receive descriptor: quadword 0 as the hardware writes it, then
    /// status_error, length and VLAN.
    fn wb(q0: u64, status_error: u32, len: u16, vlan: u16) -> RawDesc {
        [
            q0,
            u64::from(status_error) | u64::from(len) << 32 | u64::from(vlan) << 48,
        ]
    }

    /// The checksum verdict of a written-back descriptor with these status/error bits.
    fn csum(status_error: u32) -> Option<RxChecksum> {
        RxCompletion::decode(wb(0, RXD_STAT_DD | RXD_STAT_EOP | status_error, 64, 0))
            .map(|c| c.csum)
    }

    #[test]
    fn rx_read_has_no_header_buffer() {
        assert_eq!(rx_read(0x1_2345_6000), [0x1_2345_6000, 0]);
    }

    #[test]
    fn decodes_a_written_back_vlan_frame() {
        // RSS hash 0xdeadbeef, packet type IPv4|TCP (0x11) from bit 4, RSS type 1 (TCP/IPv4);
        // status DD|EOP|VP|TCPCS|IPCS, 1514 bytes, VLAN 100 with priority 5.
        let d = [0xDEAD_BEEF_0000_0111, 0xA064_05EA_0000_006B];
        assert_eq!(d, wb(0xDEAD_BEEF_0000_0111, 0x6B, 1514, 0xA064));
        assert_eq!(
            RxCompletion::decode(d),
            Some(RxCompletion {
                len: 1514,
                eop: true,
                vlan: Some(0xA064),
                csum: RxChecksum::Unnecessary,
                frame_error: false,
                rss_type: 1,
                rss_hash: 0xDEAD_BEEF,
            })
        );
    }

    #[test]
    fn vlan_and_eop_only_when_flagged() {
        let c = RxCompletion::decode(wb(0, RXD_STAT_DD, 2048, 0x0064));
        assert_eq!(c.map(|c| (c.len, c.eop, c.vlan)), Some((2048, false, None)));
    }

    #[test]
    fn not_written_back_without_dd() {
        assert_eq!(RxCompletion::decode([0x1234_5000, 0]), None);
        assert_eq!(RxCompletion::decode(wb(!0, !RXD_STAT_DD, 1514, 100)), None);
    }

    #[test]
    fn checksum_verdicts() {
        assert_eq!(csum(RXD_STAT_TCPCS), Some(RxChecksum::Unnecessary));
        assert_eq!(
            csum(RXD_STAT_UDPCS | RXD_STAT_IPCS),
            Some(RxChecksum::Unnecessary)
        );
        assert_eq!(
            csum(RXD_STAT_TCPCS | RXDEXT_STATERR_TCPE),
            Some(RxChecksum::Bad)
        );
        assert_eq!(
            csum(RXD_STAT_UDPCS | RXDEXT_STATERR_IPE),
            Some(RxChecksum::Bad)
        );
        assert_eq!(csum(RXDEXT_STATERR_IPE), Some(RxChecksum::Bad));
        // Ignore-checksum wins over everything else.
        assert_eq!(
            csum(RXD_STAT_IXSM | RXD_STAT_TCPCS | RXDEXT_STATERR_TCPE),
            Some(RxChecksum::None)
        );
        assert_eq!(csum(RXD_STAT_IXSM | RXD_STAT_TCPCS), Some(RxChecksum::None));
        // IPv4 header checked but no L4 checksum: nothing the stack can skip.
        assert_eq!(csum(RXD_STAT_IPCS), Some(RxChecksum::None));
        assert_eq!(csum(0), Some(RxChecksum::None));
    }

    #[test]
    fn frame_errors() {
        assert_eq!(RXDEXT_ERR_FRAME_ERR_MASK, 0x9700_0000);
        for e in [
            RXDEXT_ERR_CE,
            RXDEXT_ERR_SE,
            RXDEXT_ERR_SEQ,
            RXDEXT_ERR_CXE,
            RXDEXT_ERR_RXE,
        ] {
            let c = RxCompletion::decode(wb(0, RXD_STAT_DD | RXD_STAT_EOP | e, 60, 0));
            assert_eq!(c.map(|c| c.frame_error), Some(true));
        }
        let c = RxCompletion::decode(wb(
            0,
            RXD_STAT_DD | RXDEXT_STATERR_TCPE | RXDEXT_STATERR_IPE,
            60,
            0,
        ));
        assert_eq!(c.map(|c| c.frame_error), Some(false));
    }

    #[test]
    fn tx_done_reads_wb_status() {
        assert!(!tx_done([0x1234_5000, 0x0000_0000_2B30_05EA]));
        assert!(tx_done([0, 0x0000_0001_0000_0000]));
        // Other bits of `wb.status` do not matter.
        assert!(tx_done([0x1234_5000, 0x017A_8201_2B30_05EA]));
        // RS, EOP and the low length bit are not DD.
        assert!(!tx_done([0, 0xFFFF_FFFE_FFFF_FFFF]));
    }

    #[test]
    fn tx_words_are_placed_in_their_quadwords() {
        assert_eq!(
            tx_context(0x0064_1C14, TUCMD_IPV4 | TUCMD_L4T_TCP, 0x05A8_2000),
            [0x0064_1C14, 0x05A8_2000_2020_0C00]
        );
        assert_eq!(
            tx_data(0xFFFF_0000_1234_5000, 0x2B30_05EA, 0x017A_8200),
            [0xFFFF_0000_1234_5000, 0x017A_8200_2B30_05EA]
        );
    }
}
