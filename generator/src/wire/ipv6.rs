//! IPv6 fixed headers (RFC 8200 section 3).
//!
//! Extension headers are not walked: [`Packet::next_header`] is reported as
//! the fixed header holds it, and [`Packet::payload`] starts right after the
//! 40 fixed bytes. As with IPv4, a buffer shorter than the Payload Length
//! field says is a truncated capture, not an error.
//!
//! ```
//! use generator::wire::ipv6::{Packet, Repr, HEADER_LEN};
//! use generator::wire::IpProtocol;
//! use std::net::Ipv6Addr;
//!
//! let repr = Repr {
//!     src_addr: "2001:db8::1".parse().unwrap(),
//!     dst_addr: "2001:db8::2".parse().unwrap(),
//!     next_header: IpProtocol::TCP,
//!     payload_len: 4,
//!     hop_limit: 64,
//!     traffic_class: 0xb8,
//!     flow_label: 0x12345,
//! };
//! let mut bytes = vec![0u8; repr.total_len()];
//! let mut packet = Packet::new_unchecked(&mut bytes[..]);
//! repr.emit(&mut packet);
//! packet.payload_mut().copy_from_slice(b"data");
//! assert_eq!(&bytes[..4], &[0x6b, 0x81, 0x23, 0x45]);
//! let packet = Packet::new_checked(&bytes[..]).unwrap();
//! assert_eq!(packet.payload(), b"data");
//! assert_eq!(Repr::parse(&packet).unwrap(), repr);
//! # let _: Ipv6Addr = repr.src_addr;
//! # assert_eq!(HEADER_LEN, 40);
//! ```

use super::field::{read_u16, read_u32, read_u8, write_u16, write_u32, write_u8};
use super::{Error, IpProtocol, Layer, Result};
use std::net::Ipv6Addr;

/// The fields of the fixed header (RFC 8200 section 3), as byte ranges.
pub mod field {
    use crate::wire::field::Field;
    /// Version (4 bits), Traffic Class (8 bits), Flow Label (20 bits).
    pub const VER_TC_FLOW: Field = 0..4;
    /// The bytes Traffic Class straddles: the low half of byte 0 and the
    /// high half of byte 1.
    pub const TRAFFIC_CLASS: Field = 0..2;
    /// The bytes Flow Label lies in: the low half of byte 1 and bytes 2-3.
    pub const FLOW_LABEL: Field = 1..4;
    /// Payload Length.
    pub const LENGTH: Field = 4..6;
    /// Next Header.
    pub const NXT_HDR: Field = 6..7;
    /// Hop Limit.
    pub const HOP_LIMIT: Field = 7..8;
    /// Source Address.
    pub const SRC_ADDR: Field = 8..24;
    /// Destination Address.
    pub const DST_ADDR: Field = 24..40;
    /// Where the payload (or the first extension header) starts.
    pub const PAYLOAD: usize = 40;
}

/// Length of the IPv6 fixed header.
pub const HEADER_LEN: usize = field::PAYLOAD;

/// The 20-bit Flow Label in the first 32-bit word.
const FLOW_LABEL_MASK: u32 = 0x000f_ffff;

/// A read/write view of an IPv6 packet.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking its length; getters may panic on a
    /// buffer shorter than the fixed header. Use [`Packet::new_checked`] for
    /// untrusted input.
    pub const fn new_unchecked(buffer: T) -> Packet<T> {
        Packet { buffer }
    }

    /// Wraps a buffer after [`Packet::check_len`]; every getter of the result
    /// is then safe.
    pub fn new_checked(buffer: T) -> Result<Packet<T>> {
        let packet = Self::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Fails with [`Error::Truncated`] when the buffer is shorter than the
    /// fixed header. A buffer shorter than Payload Length says is accepted:
    /// captures are truncated.
    pub fn check_len(&self) -> Result<()> {
        Error::need(Layer::Ipv6, HEADER_LEN, self.buffer.as_ref().len())
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn first_word(&self) -> u32 {
        read_u32(self.buffer.as_ref(), field::VER_TC_FLOW)
    }

    /// Version (6 for IPv6).
    pub fn version(&self) -> u8 {
        (self.first_word() >> 28) as u8
    }

    /// Traffic Class: DSCP in the upper six bits, ECN in the lower two
    /// (RFC 8200 section 7, RFC 2474, RFC 3168).
    pub fn traffic_class(&self) -> u8 {
        (self.first_word() >> 20) as u8
    }

    /// Flow Label, 20 bits (RFC 6437).
    pub fn flow_label(&self) -> u32 {
        self.first_word() & FLOW_LABEL_MASK
    }

    /// Payload Length: the bytes after the fixed header, extension headers
    /// included.
    pub fn payload_len(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::LENGTH)
    }

    /// Length of the fixed header, [`HEADER_LEN`] (extension headers are
    /// payload here).
    pub const fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// Length of the packet as Payload Length states it: the fixed header
    /// and the payload.
    pub fn total_len(&self) -> usize {
        HEADER_LEN + self.payload_len() as usize
    }

    /// Next Header: the first extension header or the upper-layer protocol.
    pub fn next_header(&self) -> IpProtocol {
        IpProtocol(read_u8(self.buffer.as_ref(), field::NXT_HDR))
    }

    /// Hop Limit.
    pub fn hop_limit(&self) -> u8 {
        read_u8(self.buffer.as_ref(), field::HOP_LIMIT)
    }

    /// Source address.
    pub fn src_addr(&self) -> Ipv6Addr {
        let mut a = [0u8; 16];
        a.copy_from_slice(&self.buffer.as_ref()[field::SRC_ADDR]);
        Ipv6Addr::from(a)
    }

    /// Destination address.
    pub fn dst_addr(&self) -> Ipv6Addr {
        let mut a = [0u8; 16];
        a.copy_from_slice(&self.buffer.as_ref()[field::DST_ADDR]);
        Ipv6Addr::from(a)
    }

    /// The bytes after the fixed header, up to Payload Length or the end of
    /// the buffer, whichever comes first.
    pub fn payload(&self) -> &[u8] {
        let data = self.buffer.as_ref();
        let end = data.len().min(field::PAYLOAD + self.payload_len() as usize);
        &data[field::PAYLOAD..end]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    fn set_first_word(&mut self, mask: u32, value: u32) {
        let word = (self.first_word() & !mask) | (value & mask);
        write_u32(self.buffer.as_mut(), field::VER_TC_FLOW, word)
    }

    /// Sets the version (low four bits of `value`).
    pub fn set_version(&mut self, value: u8) {
        self.set_first_word(0xf000_0000, (value as u32) << 28)
    }

    /// Sets Traffic Class.
    pub fn set_traffic_class(&mut self, value: u8) {
        self.set_first_word(0x0ff0_0000, (value as u32) << 20)
    }

    /// Sets Flow Label (low 20 bits of `value`).
    pub fn set_flow_label(&mut self, value: u32) {
        self.set_first_word(FLOW_LABEL_MASK, value)
    }

    /// Sets Payload Length.
    pub fn set_payload_len(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::LENGTH, value)
    }

    /// Sets Next Header.
    pub fn set_next_header(&mut self, value: IpProtocol) {
        write_u8(self.buffer.as_mut(), field::NXT_HDR, value.0)
    }

    /// Sets Hop Limit.
    pub fn set_hop_limit(&mut self, value: u8) {
        write_u8(self.buffer.as_mut(), field::HOP_LIMIT, value)
    }

    /// Sets the source address.
    pub fn set_src_addr(&mut self, value: Ipv6Addr) {
        self.buffer.as_mut()[field::SRC_ADDR].copy_from_slice(&value.octets())
    }

    /// Sets the destination address.
    pub fn set_dst_addr(&mut self, value: Ipv6Addr) {
        self.buffer.as_mut()[field::DST_ADDR].copy_from_slice(&value.octets())
    }

    /// The bytes after the fixed header, up to Payload Length or the end of
    /// the buffer, writable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let end = field::PAYLOAD + self.payload_len() as usize;
        let data = self.buffer.as_mut();
        let end = data.len().min(end);
        &mut data[field::PAYLOAD..end]
    }
}

/// The meaning of an IPv6 fixed header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    /// Source address.
    pub src_addr: Ipv6Addr,
    /// Destination address.
    pub dst_addr: Ipv6Addr,
    /// Next Header, as the fixed header holds it.
    pub next_header: IpProtocol,
    /// Payload Length: everything after the fixed header.
    pub payload_len: usize,
    /// Hop Limit.
    pub hop_limit: u8,
    /// Traffic Class (DSCP and ECN).
    pub traffic_class: u8,
    /// Flow Label, 20 bits.
    pub flow_label: u32,
}

impl Repr {
    /// Reads the fixed header of a packet. Fails with [`Error::Truncated`]
    /// as [`Packet::check_len`] does, and with [`Error::BadVersion`] when the
    /// version is not 6. Extension headers are not walked.
    pub fn parse<T: AsRef<[u8]>>(packet: &Packet<T>) -> Result<Repr> {
        packet.check_len()?;
        if packet.version() != 6 {
            return Err(Error::BadVersion { layer: Layer::Ipv6, found: packet.version(), expected: 6 });
        }
        Ok(Repr {
            src_addr: packet.src_addr(),
            dst_addr: packet.dst_addr(),
            next_header: packet.next_header(),
            payload_len: packet.payload_len() as usize,
            hop_limit: packet.hop_limit(),
            traffic_class: packet.traffic_class(),
            flow_label: packet.flow_label(),
        })
    }

    /// Length of the header this emits: [`HEADER_LEN`].
    pub const fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// Length of the packet this describes, fixed header and payload.
    pub const fn total_len(&self) -> usize {
        HEADER_LEN + self.payload_len
    }

    /// Writes the fixed header into the first [`HEADER_LEN`] bytes of
    /// `packet`. Only the low 20 bits of `flow_label` are written.
    ///
    /// # Panics
    /// If the buffer is shorter than the header, or if `payload_len` exceeds
    /// 65535 (jumbograms, RFC 2675, are not modelled).
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>) {
        let payload_len = u16::try_from(self.payload_len)
            .unwrap_or_else(|_| panic!("IPv6 payload length {} exceeds 65535", self.payload_len));
        packet.set_first_word(0xffff_ffff, 6 << 28);
        packet.set_traffic_class(self.traffic_class);
        packet.set_flow_label(self.flow_label);
        packet.set_payload_len(payload_len);
        packet.set_next_header(self.next_header);
        packet.set_hop_limit(self.hop_limit);
        packet.set_src_addr(self.src_addr);
        packet.set_dst_addr(self.dst_addr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rstest::rstest;

    /// A DHCPv6 Solicit's fixed header: fe80::1 to ff02::1:2, UDP, Payload
    /// Length 12, Hop Limit 1, Traffic Class 0, Flow Label 0xabcde.
    const SOLICIT: [u8; 40] = [
        0x60, 0x0a, 0xbc, 0xde, 0x00, 0x0c, 0x11, 0x01, // version .. hop limit
        0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // source
        0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0x02, // destination
    ];

    fn solicit_repr() -> Repr {
        Repr {
            src_addr: "fe80::1".parse().unwrap(),
            dst_addr: "ff02::1:2".parse().unwrap(),
            next_header: IpProtocol::UDP,
            payload_len: 12,
            hop_limit: 1,
            traffic_class: 0,
            flow_label: 0xabcde,
        }
    }

    #[test]
    fn parses_a_known_header() {
        let packet = Packet::new_checked(&SOLICIT[..]).unwrap();
        assert_eq!(packet.version(), 6);
        assert_eq!(packet.payload_len(), 12);
        assert!(packet.payload().is_empty());
        assert_eq!(Repr::parse(&packet).unwrap(), solicit_repr());
    }

    #[test]
    fn emits_a_known_header_bit_for_bit() {
        let mut bytes = [0x5au8; HEADER_LEN];
        solicit_repr().emit(&mut Packet::new_unchecked(&mut bytes[..]));
        assert_eq!(bytes, SOLICIT);
    }

    #[rstest]
    #[case(0x00, 0, [0x60, 0x00, 0x00, 0x00])]
    #[case(0xff, 0, [0x6f, 0xf0, 0x00, 0x00])]
    #[case(0x00, 0xfffff, [0x60, 0x0f, 0xff, 0xff])]
    #[case(0xb8, 0x12345, [0x6b, 0x81, 0x23, 0x45])]
    #[case(0x01, 0x80000, [0x60, 0x18, 0x00, 0x00])]
    fn first_word_layout(#[case] traffic_class: u8, #[case] flow_label: u32, #[case] word: [u8; 4]) {
        let repr = Repr { traffic_class, flow_label, ..solicit_repr() };
        let mut bytes = [0u8; HEADER_LEN];
        repr.emit(&mut Packet::new_unchecked(&mut bytes[..]));
        assert_eq!(bytes[..4], word);
        let packet = Packet::new_unchecked(&bytes[..]);
        assert_eq!(
            (packet.version(), packet.traffic_class(), packet.flow_label()),
            (6, traffic_class, flow_label)
        );
    }

    #[test]
    fn setters_touch_only_their_bits() {
        let mut bytes = [0xffu8; HEADER_LEN];
        let mut packet = Packet::new_unchecked(&mut bytes[..]);
        packet.set_traffic_class(0);
        assert_eq!(bytes[..4], [0xf0, 0x0f, 0xff, 0xff]);
        let mut packet = Packet::new_unchecked(&mut bytes[..]);
        packet.set_flow_label(0);
        packet.set_version(6);
        assert_eq!(bytes[..4], [0x60, 0x00, 0x00, 0x00]);
    }

    #[rstest]
    #[case::empty(0)]
    #[case::one(1)]
    #[case::almost(39)]
    fn short_buffer_is_truncated(#[case] len: usize) {
        let error = Error::Truncated { layer: Layer::Ipv6, required: 40, present: len };
        assert_eq!(Packet::new_checked(&SOLICIT[..len]).unwrap_err(), error);
        assert_eq!(Repr::parse(&Packet::new_unchecked(&SOLICIT[..len])).unwrap_err(), error);
    }

    #[rstest]
    #[case(0x40)]
    #[case(0x00)]
    #[case(0xf0)]
    fn parse_rejects_other_versions(#[case] first: u8) {
        let mut bytes = SOLICIT;
        bytes[0] = first;
        assert_eq!(
            Repr::parse(&Packet::new_checked(&bytes[..]).unwrap()).unwrap_err(),
            Error::BadVersion { layer: Layer::Ipv6, found: first >> 4, expected: 6 }
        );
    }

    #[test]
    fn extension_headers_are_reported_not_walked() {
        let mut bytes = [SOLICIT.as_slice(), &[17, 0, 0, 0, 0, 0, 0, 0], &[0; 4]].concat();
        let mut packet = Packet::new_unchecked(&mut bytes[..]);
        packet.set_next_header(IpProtocol::HOP_BY_HOP);
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(Repr::parse(&packet).unwrap().next_header, IpProtocol::HOP_BY_HOP);
        assert_eq!(packet.payload().len(), 12);
    }

    #[test]
    fn payload_stops_at_payload_len_or_buffer_end() {
        let mut bytes = [0u8; 64];
        solicit_repr().emit(&mut Packet::new_unchecked(&mut bytes[..]));
        assert_eq!(Packet::new_checked(&bytes[..]).unwrap().payload().len(), 12);
        assert_eq!(Packet::new_unchecked(&mut bytes[..]).payload_mut().len(), 12);
        assert_eq!(Packet::new_checked(&bytes[..45]).unwrap().payload().len(), 5);
    }

    #[test]
    #[should_panic(expected = "exceeds 65535")]
    fn emit_refuses_jumbograms() {
        let repr = Repr { payload_len: 65536, ..solicit_repr() };
        repr.emit(&mut Packet::new_unchecked(&mut [0u8; HEADER_LEN][..]));
    }

    #[test]
    fn emit_then_parse_round_trips_random_headers() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(6);
        let mut bytes = [0u8; HEADER_LEN + 8];
        for _ in 0..4000 {
            let repr = Repr {
                src_addr: Ipv6Addr::from(rng.random::<u128>()),
                dst_addr: Ipv6Addr::from(rng.random::<u128>()),
                next_header: IpProtocol(rng.random()),
                payload_len: rng.random_range(0..=65535),
                hop_limit: rng.random(),
                traffic_class: rng.random(),
                flow_label: rng.random_range(0..=FLOW_LABEL_MASK),
            };
            rng.fill(&mut bytes[..]);
            repr.emit(&mut Packet::new_unchecked(&mut bytes[..]));
            let packet = Packet::new_checked(&bytes[..]).unwrap();
            assert_eq!(Repr::parse(&packet).unwrap(), repr);
            assert_eq!(packet.payload().len(), repr.payload_len.min(8));
            assert_eq!((packet.header_len(), packet.total_len()), (repr.header_len(), repr.total_len()));
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(60);
        let mut bytes = [0u8; 64];
        for _ in 0..2000 {
            let len = rng.random_range(0..=bytes.len());
            rng.fill(&mut bytes[..len]);
            let data = &bytes[..len];
            let _ = Repr::parse(&Packet::new_unchecked(data));
            if let Ok(packet) = Packet::new_checked(data) {
                assert!(packet.payload().len() <= packet.payload_len() as usize);
            }
        }
    }
}
