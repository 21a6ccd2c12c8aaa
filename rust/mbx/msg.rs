// SPDX-License-Identifier: GPL-2.0

//! The PF/VF mailbox wire format, as `igbvf` speaks it (`drivers/net/ethernet/intel/igbvf/
//! mbx.h`): a request is up to 16 words in the VF's buffer, word 0 holding the message id
//! (bits 15:0), an info field (bits 23:16) and, in replies, the type bits ACK, NACK and CTS.
//!
//! [`Request`] is a request decoded from the buffer; the protocol decisions are in
//! [`crate::model`]. Pure: no hardware access, no allocation, no panics.

use crate::model::mac::MacAddr;

/// Number of 32-bit words in one mailbox buffer (VMBMEM).
pub(crate) const MBX_WORDS: usize = 16;
/// Multicast hashes one SET_MULTICAST can carry: two per word after word 0.
pub(crate) const MAX_MC_HASHES: usize = 30;

/// VF asks to be reset; the reply carries its MAC address.
pub(crate) const RESET: u32 = 0x01;
/// VF sets its primary MAC (info 0) or manages extra unicast filters (info 1/2).
pub(crate) const SET_MAC_ADDR: u32 = 0x02;
/// VF sends its multicast hash list; info = number of hashes.
pub(crate) const SET_MULTICAST: u32 = 0x03;
/// VF joins or leaves a VLAN; info 1 = add.
pub(crate) const SET_VLAN: u32 = 0x04;
/// VF sets its maximum receive frame size (word 1).
pub(crate) const SET_LPE: u32 = 0x05;
/// VF asks for promiscuous modes (info flags).
pub(crate) const SET_PROMISC: u32 = 0x06;
/// PF-to-VF control message.
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

/// The info field (bits 23:16) of a word 0.
pub(crate) fn info_of(word0: u32) -> u32 {
    (word0 & INFO_MASK) >> INFO_SHIFT
}

/// How many words of the buffer, from word 0, the request that starts with `word0` is read
/// from; [`Request::try_from`] looks at no other word. The PF reads only these (each register
/// read is a bus transaction): 1 to 3 for most requests, all 16 for a full multicast list.
pub(crate) fn words_of(word0: u32) -> usize {
    if word0 & TYPE_MASK != 0 {
        return 1;
    }
    match word0 & ID_MASK {
        SET_MAC_ADDR => 3,
        SET_MULTICAST => {
            let hashes =
                usize::try_from(info_of(word0)).map_or(MAX_MC_HASHES, |n| n.min(MAX_MC_HASHES));
            1 + hashes.div_ceil(2)
        }
        SET_VLAN | SET_LPE => 2,
        _ => 1,
    }
}

/// A VF's multicast hash list.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct McList {
    /// The hashes carried (12 bits each); the first `len` are valid.
    pub(crate) hashes: [u16; MAX_MC_HASHES],
    /// Number of valid hashes (at most [`MAX_MC_HASHES`]).
    pub(crate) len: usize,
    /// Number of hashes the VF asked for; more than [`MAX_MC_HASHES`] means the list is
    /// incomplete.
    pub(crate) requested: usize,
}

/// One request from a VF, decoded from its mailbox buffer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Request {
    /// RESET.
    Reset,
    /// SET_MAC_ADDR info 0: replace the primary MAC.
    SetMac(MacAddr),
    /// SET_MAC_ADDR MAC_FILTER_CLR: drop every extra unicast filter.
    ClearFilters,
    /// SET_MAC_ADDR MAC_FILTER_ADD: one more unicast filter.
    AddFilter(MacAddr),
    /// SET_MULTICAST.
    SetMulticast(McList),
    /// SET_VLAN: join (`add`) or leave VLAN `vid` (raw word 1, validated by the model).
    SetVlan {
        /// Join rather than leave.
        add: bool,
        /// VLAN id as sent.
        vid: u32,
    },
    /// SET_LPE: maximum receive frame size as sent.
    SetLpe(u32),
    /// SET_PROMISC with these info flags.
    SetPromisc(u32),
}

/// Why a buffer is not a request.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum DecodeError {
    /// Word 0 carries reply-type bits (ACK, NACK or CTS).
    ReplyBits,
    /// Unknown message id or sub-command.
    Unknown,
}

/// A decoded buffer: word 0 as sent (replies echo it) and the request, if it is one.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Message {
    /// Word 0 of the buffer.
    pub(crate) word0: u32,
    /// The request.
    pub(crate) request: Result<Request, DecodeError>,
}

impl Message {
    /// Whether this is a RESET request.
    pub(crate) fn is_reset(&self) -> bool {
        self.request == Ok(Request::Reset)
    }
}

impl From<&[u32; MBX_WORDS]> for Message {
    fn from(words: &[u32; MBX_WORDS]) -> Self {
        Self {
            word0: words[0],
            request: Request::try_from(words),
        }
    }
}

impl TryFrom<&[u32; MBX_WORDS]> for Request {
    type Error = DecodeError;

    fn try_from(words: &[u32; MBX_WORDS]) -> Result<Self, DecodeError> {
        let word0 = words[0];
        if word0 & TYPE_MASK != 0 {
            return Err(DecodeError::ReplyBits);
        }
        let info = info_of(word0);
        match word0 & ID_MASK {
            RESET => Ok(Self::Reset),
            SET_MAC_ADDR => {
                let mac = MacAddr::from_words(words[1], words[2]);
                match info {
                    0 => Ok(Self::SetMac(mac)),
                    // The address of CLR is meaningless (igbvf sends zero).
                    MAC_FILTER_CLR => Ok(Self::ClearFilters),
                    MAC_FILTER_ADD => Ok(Self::AddFilter(mac)),
                    _ => Err(DecodeError::Unknown),
                }
            }
            SET_MULTICAST => Ok(Self::SetMulticast(McList::decode(info, words))),
            SET_VLAN => Ok(Self::SetVlan {
                add: word0 & VLAN_ADD != 0,
                vid: words[1],
            }),
            SET_LPE => Ok(Self::SetLpe(words[1])),
            SET_PROMISC => Ok(Self::SetPromisc(info)),
            _ => Err(DecodeError::Unknown),
        }
    }
}

impl McList {
    /// Two 16-bit hashes per word from word 1, low half first (igbvf writes a `u16` array over
    /// `&msgbuf[1]`); 15 payload words hold exactly [`MAX_MC_HASHES`].
    fn decode(count: u32, words: &[u32; MBX_WORDS]) -> Self {
        let requested = usize::try_from(count).unwrap_or(usize::MAX);
        let mut hashes = [0u16; MAX_MC_HASHES];
        let mut len = 0;
        for (i, slot) in hashes.iter_mut().enumerate().take(requested) {
            let Some(&w) = words.get(1 + i / 2) else {
                break;
            };
            let half = if i % 2 == 0 { w } else { w >> 16 };
            // The MTA has 4096 bits; igbvf's hashes are 12 bits wide.
            *slot = (half & 0x0FFF) as u16;
            len += 1;
        }
        Self {
            hashes,
            len,
            requested,
        }
    }

    /// The valid hashes.
    pub(crate) fn as_slice(&self) -> &[u16] {
        self.hashes.get(..self.len).unwrap_or(&[])
    }

    /// Whether the VF asked for more hashes than a message carries.
    pub(crate) fn overflowed(&self) -> bool {
        self.requested > MAX_MC_HASHES
    }
}

impl Default for McList {
    fn default() -> Self {
        Self {
            hashes: [0; MAX_MC_HASHES],
            len: 0,
            requested: 0,
        }
    }
}

/// A reply: one word, or three for RESET (word 0, then the MAC).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Reply {
    words: [u32; 3],
    len: usize,
}

impl Reply {
    /// A one-word reply.
    pub(crate) fn one(word0: u32) -> Self {
        Self {
            words: [word0, 0, 0],
            len: 1,
        }
    }

    /// The three-word RESET reply.
    pub(crate) fn reset(word0: u32, mac: MacAddr) -> Self {
        let (w1, w2) = mac.to_words();
        Self {
            words: [word0, w1, w2],
            len: 3,
        }
    }

    /// The words to write to the VF's buffer.
    pub(crate) fn words(&self) -> &[u32] {
        self.words.get(..self.len).unwrap_or(&[])
    }

    /// Word 0.
    pub(crate) fn word0(&self) -> u32 {
        self.words[0]
    }

    /// Clears CTS from word 0.
    pub(crate) fn without_cts(self) -> Self {
        let mut r = self;
        r.words[0] &= !CTS;
        r
    }
}

#[cfg(any(test, CONFIG_KUNIT))]
#[cfg_attr(CONFIG_KUNIT, kernel::prelude::kunit_tests(rigb_mbx_msg))]
mod tests {
    use super::*;

    fn buf(ws: &[u32]) -> [u32; MBX_WORDS] {
        let mut out = [0u32; MBX_WORDS];
        for (d, s) in out.iter_mut().zip(ws.iter()) {
            *d = *s;
        }
        out
    }

    #[test]
    fn decodes_every_request() {
        let mac = MacAddr([0x11, 0x22, 0x33, 0x44, 0x55, 0x66]);
        let (w1, w2) = mac.to_words();
        assert_eq!(Request::try_from(&buf(&[RESET])), Ok(Request::Reset));
        assert_eq!(
            Request::try_from(&buf(&[SET_MAC_ADDR, w1, w2])),
            Ok(Request::SetMac(mac))
        );
        assert_eq!(
            Request::try_from(&buf(&[SET_MAC_ADDR | (MAC_FILTER_CLR << INFO_SHIFT), w1])),
            Ok(Request::ClearFilters)
        );
        assert_eq!(
            Request::try_from(&buf(&[
                SET_MAC_ADDR | (MAC_FILTER_ADD << INFO_SHIFT),
                w1,
                w2
            ])),
            Ok(Request::AddFilter(mac))
        );
        assert_eq!(
            Request::try_from(&buf(&[SET_VLAN | VLAN_ADD, 100])),
            Ok(Request::SetVlan {
                add: true,
                vid: 100
            })
        );
        assert_eq!(
            Request::try_from(&buf(&[SET_VLAN, 0xFFFF])),
            Ok(Request::SetVlan {
                add: false,
                vid: 0xFFFF
            })
        );
        assert_eq!(
            Request::try_from(&buf(&[SET_LPE, 9022])),
            Ok(Request::SetLpe(9022))
        );
        assert_eq!(
            Request::try_from(&buf(&[SET_PROMISC | (PROMISC_MULTICAST << INFO_SHIFT)])),
            Ok(Request::SetPromisc(PROMISC_MULTICAST))
        );
    }

    #[test]
    fn rejects_reply_bits_and_unknown_ids() {
        for bits in [ACK, NACK, CTS] {
            assert_eq!(
                Request::try_from(&buf(&[SET_LPE | bits, 9000])),
                Err(DecodeError::ReplyBits)
            );
        }
        assert_eq!(
            Request::try_from(&buf(&[0x0042])),
            Err(DecodeError::Unknown)
        );
        assert_eq!(
            Request::try_from(&buf(&[PF_CONTROL])),
            Err(DecodeError::Unknown)
        );
        assert_eq!(
            Request::try_from(&buf(&[SET_MAC_ADDR | (3 << INFO_SHIFT)])),
            Err(DecodeError::Unknown)
        );
        let m = Message::from(&buf(&[0x0042]));
        assert_eq!(m.word0, 0x0042);
        assert_eq!(m.request, Err(DecodeError::Unknown));
    }

    /// A buffer cut to its first `words_of(word 0)` words decodes as the whole buffer does,
    /// whatever the other words hold.
    #[test]
    fn words_of_covers_what_decoding_reads() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u32
        };
        let ids = [
            RESET,
            SET_MAC_ADDR,
            SET_MULTICAST,
            SET_VLAN,
            SET_LPE,
            SET_PROMISC,
            0x42,
        ];
        for _ in 0..2000 {
            let mut full = [0u32; MBX_WORDS];
            for w in full.iter_mut() {
                *w = next();
            }
            let r = next();
            let id = ids[r as usize % ids.len()];
            full[0] = id | (r & INFO_MASK) | if r % 7 == 0 { ACK } else { 0 } | (r & VLAN_ADD);
            let n = words_of(full[0]);
            assert!((1..=MBX_WORDS).contains(&n));
            let mut cut = [0u32; MBX_WORDS];
            cut[..n].copy_from_slice(&full[..n]);
            assert_eq!(Request::try_from(&cut), Request::try_from(&full));
        }
        assert_eq!(words_of(RESET), 1);
        assert_eq!(words_of(SET_MULTICAST | (30 << INFO_SHIFT)), MBX_WORDS);
        assert_eq!(words_of(SET_MULTICAST | (255 << INFO_SHIFT)), MBX_WORDS);
        assert_eq!(words_of(SET_MULTICAST | (3 << INFO_SHIFT)), 3);
    }

    /// The multicast list of a SET_MULTICAST buffer (empty if it does not decode as one).
    fn mc(ws: &[u32]) -> McList {
        match Request::try_from(&buf(ws)) {
            Ok(Request::SetMulticast(l)) => l,
            _ => McList::default(),
        }
    }

    #[test]
    fn multicast_hashes_are_unpacked_low_half_first_and_masked() {
        let l = mc(&[SET_MULTICAST | (3 << INFO_SHIFT), 0x0222_0111, 0xFFFF_0333]);
        assert_eq!(l.as_slice(), &[0x111, 0x222, 0x333]);
        assert!(!l.overflowed());
        let l = mc(&[SET_MULTICAST | (2 << INFO_SHIFT), 0xF123_FFFF]);
        assert_eq!(l.as_slice(), &[0x0FFF, 0x0123]);
    }

    #[test]
    fn multicast_count_above_capacity_overflows() {
        for count in [31u32, 40, 255] {
            let l = mc(&[SET_MULTICAST | (count << INFO_SHIFT)]);
            assert_eq!(l.len, MAX_MC_HASHES);
            assert!(l.overflowed());
        }
    }

    #[test]
    fn replies() {
        let r = Reply::one(SET_LPE | CTS | ACK);
        assert_eq!(r.words(), &[SET_LPE | CTS | ACK]);
        assert_eq!(r.without_cts().words(), &[SET_LPE | ACK]);
        let mac = MacAddr([0x11, 0x22, 0x33, 0x44, 0x55, 0x66]);
        let r = Reply::reset(RESET | ACK, mac);
        assert_eq!(r.words(), &[0x8000_0001, 0x4433_2211, 0x0000_6655]);
        assert_eq!(r.word0(), RESET | ACK);
    }
}
