//! Ethernet II frames (IEEE 802.3 clause 3.1.1, "Ethernet II" / DIX framing),
//! without preamble or FCS, as they appear in a capture and inside VXLAN
//! (RFC 7348 section 5: "the inner Ethernet frame ... without the FCS").
//!
//! ```
//! use generator::wire::ethernet::{Frame, Repr};
//! use generator::wire::{EtherType, EthernetAddress};
//!
//! let repr = Repr {
//!     src_addr: EthernetAddress([0x02, 0, 0, 0, 0, 1]),
//!     dst_addr: EthernetAddress([0x02, 0, 0, 0, 0, 2]),
//!     ethertype: EtherType::IPV4,
//! };
//! let mut bytes = [0u8; 14];
//! repr.emit(&mut Frame::new_unchecked(&mut bytes[..]));
//! assert_eq!(Repr::parse(&Frame::new_checked(&bytes[..]).unwrap()).unwrap(), repr);
//! ```

use super::field::{read_u16, write_u16};
use super::{Error, Layer, Result};
use core::fmt;
use core::str::FromStr;

/// An EtherType (IEEE 802 numbers registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EtherType(pub u16);

impl EtherType {
    /// IPv4 (RFC 894).
    pub const IPV4: EtherType = EtherType(0x0800);
    /// ARP (RFC 826).
    pub const ARP: EtherType = EtherType(0x0806);
    /// IEEE 802.1Q VLAN tag.
    pub const VLAN: EtherType = EtherType(0x8100);
    /// IPv6 (RFC 2464).
    pub const IPV6: EtherType = EtherType(0x86dd);
}

impl fmt::Display for EtherType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:04x}", self.0)
    }
}

/// A 48-bit IEEE 802 MAC address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct EthernetAddress(pub [u8; 6]);

impl EthernetAddress {
    /// The broadcast address ff:ff:ff:ff:ff:ff.
    pub const BROADCAST: EthernetAddress = EthernetAddress([0xff; 6]);

    /// The address from the first six bytes of `data`.
    ///
    /// # Panics
    /// If `data` is shorter than six bytes.
    pub fn from_bytes(data: &[u8]) -> EthernetAddress {
        let mut a = [0u8; 6];
        a.copy_from_slice(&data[..6]);
        EthernetAddress(a)
    }

    /// The octets of the address.
    pub const fn as_bytes(&self) -> &[u8; 6] {
        &self.0
    }

    /// Whether the I/G bit marks a group (multicast or broadcast) address.
    pub const fn is_multicast(&self) -> bool {
        self.0[0] & 0x01 != 0
    }

    /// Whether the U/L bit marks a locally administered address, as the MACs
    /// AWS gives network interfaces are (first octet 02, 06, 0a, 0e ...).
    pub const fn is_local(&self) -> bool {
        self.0[0] & 0x02 != 0
    }
}

impl fmt::Display for EthernetAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(f, "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", b[0], b[1], b[2], b[3], b[4], b[5])
    }
}

impl FromStr for EthernetAddress {
    type Err = Error;

    /// Parses `02:1a:2b:3c:4d:5e` (colons or dashes, either case).
    fn from_str(s: &str) -> Result<Self> {
        let mut out = [0u8; 6];
        let mut parts = s.split([':', '-']);
        for byte in out.iter_mut() {
            let part = parts.next().ok_or(mac_syntax("needs six octets"))?;
            if part.len() != 2 {
                return Err(mac_syntax("octets are two hex digits"));
            }
            *byte = u8::from_str_radix(part, 16).map_err(|_| mac_syntax("octet is not hex"))?;
        }
        if parts.next().is_some() {
            return Err(mac_syntax("has more than six octets"));
        }
        Ok(EthernetAddress(out))
    }
}

fn mac_syntax(problem: &'static str) -> Error {
    Error::Syntax { what: "MAC address", problem }
}

/// The fields of the header (IEEE 802.3 clause 3.1.1), as byte ranges.
pub mod field {
    use crate::wire::field::Field;
    /// Destination Address.
    pub const DESTINATION: Field = 0..6;
    /// Source Address.
    pub const SOURCE: Field = 6..12;
    /// EtherType.
    pub const ETHERTYPE: Field = 12..14;
    /// Where the payload starts.
    pub const PAYLOAD: usize = 14;
}

/// Length of the Ethernet II header: destination, source, EtherType.
pub const HEADER_LEN: usize = field::PAYLOAD;

/// A read/write view of an Ethernet II frame.
#[derive(Debug, Clone)]
pub struct Frame<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Frame<T> {
    /// Wraps a buffer without checking its length; getters may panic on a
    /// short buffer. Use [`Frame::new_checked`] for untrusted input.
    pub const fn new_unchecked(buffer: T) -> Frame<T> {
        Frame { buffer }
    }

    /// Wraps a buffer after checking that it holds a whole header.
    pub fn new_checked(buffer: T) -> Result<Frame<T>> {
        let frame = Self::new_unchecked(buffer);
        frame.check_len()?;
        Ok(frame)
    }

    /// Fails with [`Error::Truncated`] when the buffer is shorter than the header.
    pub fn check_len(&self) -> Result<()> {
        Error::need(Layer::Ethernet, HEADER_LEN, self.buffer.as_ref().len())
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Destination MAC address.
    pub fn dst_addr(&self) -> EthernetAddress {
        EthernetAddress::from_bytes(&self.buffer.as_ref()[field::DESTINATION])
    }

    /// Source MAC address.
    pub fn src_addr(&self) -> EthernetAddress {
        EthernetAddress::from_bytes(&self.buffer.as_ref()[field::SOURCE])
    }

    /// EtherType of the payload (0x8100 when an 802.1Q tag follows).
    pub fn ethertype(&self) -> EtherType {
        EtherType(read_u16(self.buffer.as_ref(), field::ETHERTYPE))
    }

    /// The bytes after the header.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[field::PAYLOAD..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Frame<T> {
    /// Sets the destination MAC address.
    pub fn set_dst_addr(&mut self, value: EthernetAddress) {
        self.buffer.as_mut()[field::DESTINATION].copy_from_slice(&value.0)
    }

    /// Sets the source MAC address.
    pub fn set_src_addr(&mut self, value: EthernetAddress) {
        self.buffer.as_mut()[field::SOURCE].copy_from_slice(&value.0)
    }

    /// Sets the EtherType.
    pub fn set_ethertype(&mut self, value: EtherType) {
        write_u16(self.buffer.as_mut(), field::ETHERTYPE, value.0)
    }

    /// The bytes after the header, writable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[field::PAYLOAD..]
    }
}

/// The meaning of an Ethernet II header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    /// Source MAC address.
    pub src_addr: EthernetAddress,
    /// Destination MAC address.
    pub dst_addr: EthernetAddress,
    /// EtherType of what follows.
    pub ethertype: EtherType,
}

impl Repr {
    /// Reads the header of a checked frame.
    pub fn parse<T: AsRef<[u8]>>(frame: &Frame<T>) -> Result<Repr> {
        frame.check_len()?;
        Ok(Repr { src_addr: frame.src_addr(), dst_addr: frame.dst_addr(), ethertype: frame.ethertype() })
    }

    /// Length of the header this emits: [`HEADER_LEN`].
    pub const fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// Writes the header into the first [`HEADER_LEN`] bytes of `frame`.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, frame: &mut Frame<T>) {
        frame.set_dst_addr(self.dst_addr);
        frame.set_src_addr(self.src_addr);
        frame.set_ethertype(self.ethertype);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rstest::rstest;

    #[rstest]
    #[case("02:1a:2b:3c:4d:5e", [0x02, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e])]
    #[case("06-FF-00-00-00-01", [0x06, 0xff, 0, 0, 0, 1])]
    fn mac_parses(#[case] text: &str, #[case] bytes: [u8; 6]) {
        assert_eq!(text.parse::<EthernetAddress>().unwrap(), EthernetAddress(bytes));
    }

    #[rstest]
    #[case("02:1a:2b:3c:4d")]
    #[case("02:1a:2b:3c:4d:5e:6f")]
    #[case("02:1a:2b:3c:4d:zz")]
    #[case("021a:2b:3c:4d:5e")]
    fn bad_mac_is_an_error(#[case] text: &str) {
        let err = text.parse::<EthernetAddress>().unwrap_err();
        assert!(matches!(err, Error::Syntax { what: "MAC address", .. }), "{err}");
    }

    #[test]
    fn mac_displays_lowercase_with_colons() {
        assert_eq!(EthernetAddress([0x0a, 0xbc, 0, 1, 2, 0xff]).to_string(), "0a:bc:00:01:02:ff");
    }

    #[test]
    fn emit_then_parse_round_trips_random_headers() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        for _ in 0..1000 {
            let repr = Repr {
                src_addr: EthernetAddress(rng.random()),
                dst_addr: EthernetAddress(rng.random()),
                ethertype: EtherType(rng.random()),
            };
            let mut bytes = [0u8; HEADER_LEN + 3];
            repr.emit(&mut Frame::new_unchecked(&mut bytes[..]));
            let frame = Frame::new_checked(&bytes[..]).unwrap();
            assert_eq!(Repr::parse(&frame).unwrap(), repr);
            assert_eq!(frame.payload().len(), 3);
        }
    }

    #[test]
    fn field_layout_is_dst_src_type() {
        let repr = Repr {
            src_addr: EthernetAddress([1, 2, 3, 4, 5, 6]),
            dst_addr: EthernetAddress([7, 8, 9, 10, 11, 12]),
            ethertype: EtherType::IPV6,
        };
        let mut bytes = [0u8; HEADER_LEN];
        repr.emit(&mut Frame::new_unchecked(&mut bytes[..]));
        assert_eq!(bytes, [7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 0x86, 0xdd]);
    }

    #[test]
    fn short_buffer_is_truncated_not_a_panic() {
        assert_eq!(
            Frame::new_checked(&[0u8; 13][..]).unwrap_err(),
            Error::Truncated { layer: Layer::Ethernet, required: 14, present: 13 }
        );
    }
}
