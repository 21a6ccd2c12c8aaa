// SPDX-License-Identifier: GPL-2.0

//! Ethernet MAC addresses, as VFs send them and the 82576 stores them.

/// An Ethernet MAC address.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
pub(crate) struct MacAddr(pub(crate) [u8; 6]);

impl MacAddr {
    /// The all-zero address, meaning "no address".
    pub(crate) const ZERO: Self = Self([0; 6]);

    /// Returns true for 00:00:00:00:00:00.
    pub(crate) fn is_zero(self) -> bool {
        self.0 == [0; 6]
    }

    /// Returns true when the I/G bit (bit 0 of the first byte) is set; includes broadcast.
    pub(crate) fn is_multicast(self) -> bool {
        self.0[0] & 1 != 0
    }

    /// Returns true for ff:ff:ff:ff:ff:ff.
    pub(crate) fn is_broadcast(self) -> bool {
        self.0 == [0xff; 6]
    }

    /// Returns true when the address may be used as a unicast station address.
    pub(crate) fn is_valid_unicast(self) -> bool {
        !self.is_zero() && !self.is_multicast()
    }

    /// Decodes the address from two little-endian words: bytes 0-3 in `lo`, bytes 4-5 in the
    /// low half of `hi`.
    ///
    /// Both `igbvf` (which `memcpy`s the six bytes to `&msgbuf[1]`) and the receive address
    /// registers (RAL/RAH) use this layout.
    pub(crate) fn from_words(lo: u32, hi: u32) -> Self {
        let a = lo.to_le_bytes();
        let b = hi.to_le_bytes();
        Self([a[0], a[1], a[2], a[3], b[0], b[1]])
    }

    /// Encodes the address as two words (inverse of [`MacAddr::from_words`]).
    pub(crate) fn to_words(self) -> (u32, u32) {
        let m = self.0;
        (
            u32::from_le_bytes([m[0], m[1], m[2], m[3]]),
            u32::from_le_bytes([m[4], m[5], 0, 0]),
        )
    }
}

/// `aa:bb:cc:dd:ee:ff`, for log messages (`{mac:x}`): the kernel's print macros forward
/// `LowerHex` to `core::fmt`.
impl core::fmt::LowerHex for MacAddr {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

#[cfg(any(test, CONFIG_KUNIT))]
#[cfg_attr(CONFIG_KUNIT, kernel::prelude::kunit_tests(rigb_model_mac))]
mod tests {
    use super::*;

    const MCAST: MacAddr = MacAddr([0x01, 0x00, 0x5e, 0x00, 0x00, 0x01]);
    const MAC_A: MacAddr = MacAddr([0x02, 0x00, 0x00, 0x00, 0x00, 0x0a]);

    #[test]
    fn mac_words_are_packed_like_igbvf_memcpy() {
        let mac = MacAddr([0x11, 0x22, 0x33, 0x44, 0x55, 0x66]);
        assert_eq!(mac.to_words(), (0x4433_2211, 0x0000_6655));
        assert_eq!(MacAddr::from_words(0x4433_2211, 0xABCD_6655), mac);
    }

    #[test]
    fn mac_classification() {
        assert!(MacAddr::ZERO.is_zero());
        assert!(!MacAddr::ZERO.is_valid_unicast());
        assert!(MCAST.is_multicast());
        assert!(!MCAST.is_valid_unicast());
        let bc = MacAddr([0xff; 6]);
        assert!(bc.is_broadcast() && bc.is_multicast() && !bc.is_valid_unicast());
        assert!(MAC_A.is_valid_unicast() && !MAC_A.is_broadcast());
    }
}
