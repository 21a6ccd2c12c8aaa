// SPDX-License-Identifier: GPL-2.0

//! What one outgoing frame needs from the hardware: checksum insertion, TCP segmentation
//! (TSO) and VLAN tag insertion, decided from a description of the `sk_buff` ([`TxLayout`],
//! filled by the C glue) the way igb decides it (`igb_tso`, `igb_tx_csum`, `igb_tx_cmd_type`,
//! `igb_tx_olinfo_status`). The result ([`TxOffload`]) encodes the context descriptor, if the
//! frame needs one, and the frame's data descriptors.
//!
//! The driver uses only context slot 0 of each queue (IDX 0): every frame that needs a
//! context writes its own, so no later frame depends on what an earlier one left there.

use super::desc::{
    self,
    RawDesc,
    DCMD_DEXT,
    DCMD_EOP,
    DCMD_IFCS,
    DCMD_RS,
    DCMD_TSE,
    DCMD_VLE,
    DTYP_DATA,
    IPLEN_MAX,
    L4LEN_MAX,
    L4LEN_SHIFT,
    MACLEN_MAX,
    MACLEN_SHIFT,
    MSS_SHIFT,
    PAYLEN_MAX,
    PAYLEN_SHIFT,
    POPTS_IXSM,
    POPTS_SHIFT,
    POPTS_TXSM,
    TUCMD_IPV4,
    TUCMD_L4T_SCTP,
    TUCMD_L4T_TCP,
    TUCMD_L4T_UDP,
    VLAN_SHIFT, //
};

/// `IPPROTO_TCP`.
pub(crate) const IPPROTO_TCP: u8 = 6;
/// `IPPROTO_UDP`.
pub(crate) const IPPROTO_UDP: u8 = 17;
/// `IPPROTO_SCTP`.
pub(crate) const IPPROTO_SCTP: u8 = 132;

/// The network protocol of a frame.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum L3 {
    /// Neither IPv4 nor IPv6 (or not known).
    Other,
    /// IPv4.
    Ipv4,
    /// IPv6.
    Ipv6,
}

/// `ETH_P_IP`.
pub(crate) const ETH_P_IP: u16 = 0x0800;
/// `ETH_P_IPV6`.
pub(crate) const ETH_P_IPV6: u16 = 0x86DD;

impl L3 {
    /// The network protocol of an EtherType (host order, after any VLAN tags).
    pub(crate) fn from_ethertype(protocol: u16) -> Self {
        match protocol {
            ETH_P_IP => Self::Ipv4,
            ETH_P_IPV6 => Self::Ipv6,
            _ => Self::Other,
        }
    }
}

/// The transport protocol whose checksum the stack left to the device, told by where the
/// checksum goes (`skb->csum_offset`), as igb tells it: 16 is TCP's `check`, 6 UDP's, 8
/// SCTP's (if the stack says the frame is SCTP). 0 for anything else.
pub(crate) fn l4_from_csum_offset(csum_offset: u16, is_sctp: bool) -> u8 {
    match csum_offset {
        16 => IPPROTO_TCP,
        6 => IPPROTO_UDP,
        8 if is_sctp => IPPROTO_SCTP,
        _ => 0,
    }
}

/// An outgoing `sk_buff`, as far as the offloads care. Plain data, filled by the C glue.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct TxLayout {
    /// Frame length (`skb->len`), headers included.
    pub(crate) len: u32,
    /// The stack left the L4 checksum to the device (`ip_summed == CHECKSUM_PARTIAL`).
    pub(crate) csum_partial: bool,
    /// Network protocol.
    pub(crate) l3: L3,
    /// Transport protocol (`IPPROTO_*`); for IPv6 the one after the extension headers.
    pub(crate) l4_proto: u8,
    /// Offset of the network header (`skb_network_offset`).
    pub(crate) mac_len: u16,
    /// Network header length, extension headers included, up to the transport header
    /// (`skb_checksum_start_offset - skb_network_offset`).
    pub(crate) ip_len: u16,
    /// TCP header length with options (`tcp_hdrlen`); only used for TSO.
    pub(crate) l4_len: u16,
    /// Segment size (`gso_size`); 0 if the frame is not GSO.
    pub(crate) gso_size: u16,
    /// The GSO type is `SKB_GSO_TCPV4` or `SKB_GSO_TCPV6`.
    pub(crate) gso_tcp: bool,
    /// VLAN tag (TCI) for the hardware to insert (`skb_vlan_tag_get`).
    pub(crate) vlan: Option<u16>,
}

/// The hardware cannot do what the frame asks (a GSO type other than TCP, a checksum of an
/// unknown protocol, headers too long for the context descriptor's fields). For a checksum,
/// the caller computes it in software (`skb_checksum_help`) and plans again with
/// `csum_partial` cleared, which keeps the VLAN tag insertion. A GSO frame must be segmented
/// in software (or dropped); the driver only advertises TCP segmentation, so the stack should
/// never hand it another.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct NeedsSoftware;

/// The context descriptor's words.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Context {
    /// IPLEN | MACLEN << 9 | VLAN << 16.
    vlan_macip_lens: u32,
    /// TUCMD (without DEXT and DTYP_CTXT).
    tucmd: u32,
    /// L4LEN << 8 | MSS << 16, IDX 0.
    mss_l4len_idx: u32,
}

/// What the hardware does for one frame: the context descriptor to write first, if any, and
/// the offload bits of each data descriptor.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct TxOffload {
    context: Option<Context>,
    /// TSE and VLE, as needed, for every data descriptor's `cmd_type_len`.
    dcmd: u32,
    /// POPTS (IXSM, TXSM).
    popts: u32,
    /// PAYLEN: the frame length, less the headers for TSO. At most [`PAYLEN_MAX`].
    paylen: u32,
}

/// The context descriptor's IPLEN and MACLEN, if they fit their fields.
fn macip_lens(layout: &TxLayout) -> Result<u32, NeedsSoftware> {
    let maclen = u32::from(layout.mac_len);
    let iplen = u32::from(layout.ip_len);
    if maclen > MACLEN_MAX || iplen > IPLEN_MAX {
        return Err(NeedsSoftware);
    }
    Ok(maclen << MACLEN_SHIFT | iplen)
}

/// PAYLEN, if it fits its field.
fn paylen(len: u32) -> Result<u32, NeedsSoftware> {
    if len > PAYLEN_MAX {
        return Err(NeedsSoftware);
    }
    Ok(len)
}

impl TxOffload {
    /// A frame of `len` bytes with nothing to offload: no context descriptor. `len` is at
    /// most [`PAYLEN_MAX`] for any frame that is not GSO; higher bits are dropped.
    pub(crate) fn plain(len: u32) -> Self {
        Self {
            context: None,
            dcmd: 0,
            popts: 0,
            paylen: len & PAYLEN_MAX,
        }
    }

    /// Decides the offloads of the frame `layout` describes.
    ///
    /// GSO frames are always `CHECKSUM_PARTIAL`, so `csum_partial` is not consulted for them.
    pub(crate) fn plan(layout: &TxLayout) -> Result<Self, NeedsSoftware> {
        let (vlan, vle) = match layout.vlan {
            Some(tci) => (u32::from(tci) << VLAN_SHIFT, DCMD_VLE),
            None => (0, 0),
        };
        if layout.gso_size != 0 {
            return Self::tso(layout, vlan, vle);
        }
        let paylen = paylen(layout.len)?;
        if layout.csum_partial {
            return Self::csum(layout, vlan, vle, paylen);
        }
        if layout.vlan.is_none() {
            return Ok(Self::plain(paylen));
        }
        // Only the tag is used; igb still fills in MACLEN, as far as it fits.
        let maclen = u32::from(layout.mac_len);
        let maclen = if maclen <= MACLEN_MAX { maclen } else { 0 };
        Ok(Self {
            context: Some(Context {
                vlan_macip_lens: vlan | maclen << MACLEN_SHIFT,
                tucmd: 0,
                mss_l4len_idx: 0,
            }),
            dcmd: vle,
            popts: 0,
            paylen,
        })
    }

    /// L4 checksum insertion (`igb_tx_csum`).
    fn csum(layout: &TxLayout, vlan: u32, vle: u32, paylen: u32) -> Result<Self, NeedsSoftware> {
        let ipv4 = match layout.l3 {
            L3::Ipv4 => TUCMD_IPV4,
            L3::Ipv6 => 0,
            L3::Other => return Err(NeedsSoftware),
        };
        let l4t = match layout.l4_proto {
            IPPROTO_TCP => TUCMD_L4T_TCP,
            IPPROTO_UDP => TUCMD_L4T_UDP,
            IPPROTO_SCTP => TUCMD_L4T_SCTP,
            _ => return Err(NeedsSoftware),
        };
        Ok(Self {
            context: Some(Context {
                vlan_macip_lens: vlan | macip_lens(layout)?,
                tucmd: ipv4 | l4t,
                mss_l4len_idx: 0,
            }),
            dcmd: vle,
            popts: POPTS_TXSM,
            paylen,
        })
    }

    /// TCP segmentation (`igb_tso`): the hardware also inserts the TCP checksum of every
    /// segment and, for IPv4, the IP header checksum.
    fn tso(layout: &TxLayout, vlan: u32, vle: u32) -> Result<Self, NeedsSoftware> {
        if !layout.gso_tcp || layout.l4_proto != IPPROTO_TCP {
            return Err(NeedsSoftware);
        }
        let (ipv4, popts) = match layout.l3 {
            L3::Ipv4 => (TUCMD_IPV4, POPTS_IXSM | POPTS_TXSM),
            L3::Ipv6 => (0, POPTS_TXSM),
            L3::Other => return Err(NeedsSoftware),
        };
        let l4len = u32::from(layout.l4_len);
        if l4len > L4LEN_MAX {
            return Err(NeedsSoftware);
        }
        let hdr_len = u32::from(layout.mac_len) + u32::from(layout.ip_len) + l4len;
        let paylen = paylen(layout.len.checked_sub(hdr_len).ok_or(NeedsSoftware)?)?;
        Ok(Self {
            context: Some(Context {
                vlan_macip_lens: vlan | macip_lens(layout)?,
                tucmd: ipv4 | TUCMD_L4T_TCP,
                mss_l4len_idx: u32::from(layout.gso_size) << MSS_SHIFT | l4len << L4LEN_SHIFT,
            }),
            dcmd: DCMD_TSE | vle,
            popts,
            paylen,
        })
    }

    /// The context descriptor to write before the data descriptors, if the frame needs one.
    pub(crate) fn context(&self) -> Option<RawDesc> {
        self.context
            .map(|c| desc::tx_context(c.vlan_macip_lens, c.tucmd, c.mss_l4len_idx))
    }

    /// The data descriptor for `len` bytes at `addr`; `last` for the frame's last buffer,
    /// which ends the packet and asks for DD (EOP, RS).
    ///
    /// Every data descriptor of the frame carries PAYLEN and POPTS; the hardware reads them
    /// from the first one (igb writes 0 into the others).
    pub(crate) fn data(&self, addr: u64, len: u16, last: bool) -> RawDesc {
        let eop = if last { DCMD_EOP | DCMD_RS } else { 0 };
        let cmd_type_len = u32::from(len) | DTYP_DATA | DCMD_DEXT | DCMD_IFCS | self.dcmd | eop;
        let olinfo_status = self.paylen << PAYLEN_SHIFT | self.popts << POPTS_SHIFT;
        desc::tx_data(addr, cmd_type_len, olinfo_status)
    }

    /// A data descriptor after the frame's first: the 82576 (and C igb) take PAYLEN and POPTS
    /// from the first one only, so the others carry none.
    pub(crate) fn data_next(&self, addr: u64, len: u16, last: bool) -> RawDesc {
        let eop = if last { DCMD_EOP | DCMD_RS } else { 0 };
        let cmd_type_len = u32::from(len) | DTYP_DATA | DCMD_DEXT | DCMD_IFCS | self.dcmd | eop;
        desc::tx_data(addr, cmd_type_len, 0)
    }

    /// Descriptors the frame takes with `frags` data buffers: one more if it needs a context.
    pub(crate) fn descs_needed(&self, frags: usize) -> usize {
        frags.saturating_add(usize::from(self.context.is_some()))
    }
}

#[cfg(any(test, CONFIG_KUNIT))]
#[cfg_attr(CONFIG_KUNIT, kernel::prelude::kunit_tests(rigb_ring_offload))]
mod tests {
    use super::*;

    const ADDR: u64 = 0x0000_0001_2345_6000;

    /// A plain 1514-byte TCP/IPv4 frame with 20-byte IP and TCP headers behind 14 bytes of
    /// Ethernet header.
    fn tcp4() -> TxLayout {
        TxLayout {
            len: 1514,
            csum_partial: false,
            l3: L3::Ipv4,
            l4_proto: IPPROTO_TCP,
            mac_len: 14,
            ip_len: 20,
            l4_len: 20,
            gso_size: 0,
            gso_tcp: false,
            vlan: None,
        }
    }

    /// The context and the (single, last) data descriptor of a plan, or zeroes.
    fn words(layout: &TxLayout, len: u16) -> (Option<RawDesc>, RawDesc) {
        match TxOffload::plan(layout) {
            Ok(p) => (p.context(), p.data(ADDR, len, true)),
            Err(NeedsSoftware) => (None, [0, 0]),
        }
    }

    #[test]
    fn plain_frame_needs_no_context() {
        let p = TxOffload::plan(&tcp4());
        assert_eq!(p, Ok(TxOffload::plain(1514)));
        let (ctx, data) = words(&tcp4(), 1514);
        assert_eq!(ctx, None);
        // cmd_type_len = 1514 | DTYP_DATA | DEXT | IFCS | EOP | RS; olinfo = 1514 << 14.
        assert_eq!(data, [ADDR, 0x017A_8000_2B30_05EA]);
        let p = TxOffload::plain(60);
        assert_eq!(p.descs_needed(1), 1);
        // Not the last buffer: no EOP, no RS.
        assert_eq!(p.data(ADDR, 60, false), [ADDR, 0x000F_0000_2230_003C]);
        // Not an IP frame, no checksum: nothing to offload either.
        let other = TxLayout {
            l3: L3::Other,
            l4_proto: 0,
            len: 60,
            ..tcp4()
        };
        assert_eq!(TxOffload::plan(&other), Ok(TxOffload::plain(60)));
    }

    #[test]
    fn tcp_ipv4_checksum() {
        let l = TxLayout {
            csum_partial: true,
            ..tcp4()
        };
        let (ctx, data) = words(&l, 1514);
        // vlan_macip_lens = 14 << 9 | 20; type_tucmd = DEXT | DTYP_CTXT | IPV4 | L4T_TCP.
        assert_eq!(ctx, Some([0x1C14, 0x2020_0C00]));
        // olinfo = 1514 << 14 | TXSM << 8.
        assert_eq!(data, [ADDR, 0x017A_8200_2B30_05EA]);
        let p = TxOffload::plan(&l);
        assert_eq!(p.map(|p| p.descs_needed(3)), Ok(4));
    }

    #[test]
    fn udp_ipv6_checksum() {
        let l = TxLayout {
            len: 1000,
            csum_partial: true,
            l3: L3::Ipv6,
            l4_proto: IPPROTO_UDP,
            ip_len: 40,
            l4_len: 8,
            ..tcp4()
        };
        let p = TxOffload::plan(&l);
        // vlan_macip_lens = 14 << 9 | 40; TUCMD: IPv6, UDP = 0.
        assert_eq!(p.map(|p| p.context()), Ok(Some([0x1C28, 0x2020_0000])));
        // A first buffer of 600 bytes: olinfo = 1000 << 14 | TXSM << 8.
        assert_eq!(
            p.map(|p| p.data(ADDR, 600, false)),
            Ok([ADDR, 0x00FA_0200_2230_0258])
        );
    }

    #[test]
    fn sctp_checksum() {
        let l = TxLayout {
            len: 200,
            csum_partial: true,
            l4_proto: IPPROTO_SCTP,
            ..tcp4()
        };
        let (ctx, data) = words(&l, 200);
        // TUCMD = IPV4 | L4T_SCTP.
        assert_eq!(ctx, Some([0x1C14, 0x2020_1400]));
        // olinfo = 200 << 14 | TXSM << 8; cmd_type_len = 200 | ... | EOP | RS.
        assert_eq!(data, [ADDR, 0x0032_0200_2B30_00C8]);
        let v6 = TxLayout {
            l3: L3::Ipv6,
            ip_len: 40,
            ..l
        };
        assert_eq!(words(&v6, 200).0, Some([0x1C28, 0x2020_1000]));
    }

    #[test]
    fn tso_ipv4() {
        // Three 1448-byte segments behind 14 + 20 + 32 bytes of headers (TCP timestamps).
        let l = TxLayout {
            len: 66 + 3 * 1448,
            csum_partial: true,
            l4_len: 32,
            gso_size: 1448,
            gso_tcp: true,
            ..tcp4()
        };
        let p = TxOffload::plan(&l);
        // mss_l4len_idx = 1448 << 16 | 32 << 8; TUCMD = IPV4 | L4T_TCP.
        assert_eq!(
            p.map(|p| p.context()),
            Ok(Some([0x1C14, 0x05A8_2000_2020_0C00]))
        );
        // Headers buffer: TSE set, no EOP. PAYLEN = 4344; POPTS = IXSM | TXSM.
        assert_eq!(
            p.map(|p| p.data(ADDR, 66, false)),
            Ok([ADDR, 0x043E_0300_A230_0042])
        );
        // Payload buffer, the last: TSE | EOP | RS.
        assert_eq!(
            p.map(|p| p.data(ADDR + 66, 4344, true)),
            Ok([ADDR + 66, 0x043E_0300_AB30_10F8])
        );
        assert_eq!(p.map(|p| p.descs_needed(2)), Ok(3));
    }

    #[test]
    fn tso_ipv6_with_vlan() {
        let l = TxLayout {
            len: 74 + 2000,
            csum_partial: true,
            l3: L3::Ipv6,
            ip_len: 40,
            gso_size: 1000,
            gso_tcp: true,
            vlan: Some(0xA064),
            ..tcp4()
        };
        let p = TxOffload::plan(&l);
        // vlan_macip_lens = 0xA064 << 16 | 14 << 9 | 40; TUCMD = L4T_TCP;
        // mss_l4len_idx = 1000 << 16 | 20 << 8.
        assert_eq!(
            p.map(|p| p.context()),
            Ok(Some([0xA064_1C28, 0x03E8_1400_2020_0800]))
        );
        // TSE | VLE; PAYLEN = 2000; POPTS = TXSM only (no IPv4 header checksum).
        assert_eq!(
            p.map(|p| p.data(ADDR, 74, false)),
            Ok([ADDR, 0x01F4_0200_E230_004A])
        );
    }

    #[test]
    fn vlan_only() {
        let l = TxLayout {
            len: 60,
            vlan: Some(100),
            ..tcp4()
        };
        let (ctx, data) = words(&l, 60);
        // vlan_macip_lens = 100 << 16 | 14 << 9; no TUCMD.
        assert_eq!(ctx, Some([0x0064_1C00, 0x2020_0000]));
        // VLE | EOP | RS; olinfo = 60 << 14, no POPTS.
        assert_eq!(data, [ADDR, 0x000F_0000_6B30_003C]);
        // A frame that is not IP, with a MAC header too long for MACLEN: the tag still goes in.
        let other = TxLayout {
            l3: L3::Other,
            mac_len: 200,
            ..l
        };
        assert_eq!(words(&other, 60).0, Some([0x0064_0000, 0x2020_0000]));
    }

    #[test]
    fn what_the_hardware_cannot_do() {
        let udp_gso = TxLayout {
            len: 8 * 1400 + 42,
            csum_partial: true,
            l4_proto: IPPROTO_UDP,
            l4_len: 8,
            gso_size: 1400,
            gso_tcp: false,
            ..tcp4()
        };
        assert_eq!(TxOffload::plan(&udp_gso), Err(NeedsSoftware));
        let csum = TxLayout {
            csum_partial: true,
            ..tcp4()
        };
        // Unknown transport protocol, or not IP.
        for l in [
            TxLayout {
                l4_proto: 47,
                ..csum
            },
            TxLayout {
                l3: L3::Other,
                ..csum
            },
        ] {
            assert_eq!(TxOffload::plan(&l), Err(NeedsSoftware));
        }
        // IPLEN is 9 bits, MACLEN 7.
        let long_ip = TxLayout {
            ip_len: 512,
            ..csum
        };
        assert_eq!(TxOffload::plan(&long_ip), Err(NeedsSoftware));
        let longest_ip = TxLayout {
            ip_len: 511,
            ..csum
        };
        assert!(TxOffload::plan(&longest_ip).is_ok());
        let long_mac = TxLayout {
            mac_len: 128,
            ..csum
        };
        assert_eq!(TxOffload::plan(&long_mac), Err(NeedsSoftware));
        // TSO: not TCP, not IP, shorter than its headers, too long for PAYLEN.
        let tso = TxLayout {
            len: 66 + 3 * 1448,
            l4_len: 32,
            gso_size: 1448,
            gso_tcp: true,
            ..csum
        };
        assert!(TxOffload::plan(&tso).is_ok());
        for l in [
            TxLayout {
                l4_proto: IPPROTO_UDP,
                ..tso
            },
            TxLayout {
                l3: L3::Other,
                ..tso
            },
            TxLayout { len: 65, ..tso },
            TxLayout {
                len: u32::MAX,
                ..tso
            },
            TxLayout { ip_len: 512, ..tso },
            TxLayout { l4_len: 256, ..tso },
        ] {
            assert_eq!(TxOffload::plan(&l), Err(NeedsSoftware));
        }
    }

    #[test]
    fn extreme_layouts_do_not_panic() {
        let l = TxLayout {
            len: u32::MAX,
            csum_partial: true,
            l3: L3::Ipv4,
            l4_proto: IPPROTO_TCP,
            mac_len: u16::MAX,
            ip_len: u16::MAX,
            l4_len: u16::MAX,
            gso_size: u16::MAX,
            gso_tcp: true,
            vlan: Some(u16::MAX),
        };
        assert_eq!(TxOffload::plan(&l), Err(NeedsSoftware));
        let plain = TxLayout {
            csum_partial: false,
            gso_size: 0,
            vlan: None,
            ..l
        };
        assert_eq!(TxOffload::plan(&plain), Err(NeedsSoftware));
        let p = TxOffload::plain(u32::MAX);
        assert_eq!(p.descs_needed(usize::MAX), usize::MAX);
        let [_, q1] = p.data(u64::MAX, u16::MAX, true);
        assert_eq!(q1, 0xFFFF_C000_2B30_FFFF);
    }

    #[test]
    fn protocols_from_skb_fields() {
        assert_eq!(L3::from_ethertype(0x0800), L3::Ipv4);
        assert_eq!(L3::from_ethertype(0x86DD), L3::Ipv6);
        assert_eq!(L3::from_ethertype(0x0806), L3::Other);
        assert_eq!(l4_from_csum_offset(16, false), IPPROTO_TCP);
        assert_eq!(l4_from_csum_offset(6, false), IPPROTO_UDP);
        assert_eq!(l4_from_csum_offset(8, true), IPPROTO_SCTP);
        assert_eq!(l4_from_csum_offset(8, false), 0);
        assert_eq!(l4_from_csum_offset(2, false), 0);
    }

    #[test]
    fn later_data_descriptors_carry_no_paylen() {
        let p = TxOffload::plain(3000);
        let [_, first] = p.data(ADDR, 1000, false);
        let [_, next] = p.data_next(ADDR + 1000, 2000, true);
        assert_eq!(first >> 32, 3000 << 14);
        assert_eq!(next >> 32, 0);
        assert_eq!(next as u32 & (DCMD_EOP | DCMD_RS), DCMD_EOP | DCMD_RS);
        assert_eq!(next as u32 & 0xffff, 2000);
    }
}
