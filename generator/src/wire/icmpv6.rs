//! ICMP for IPv6 (RFC 4443): echo request and echo reply (sections 4.1 and
//! 4.2), the messages of `ping`.
//!
//! A [`Packet`] covers exactly one message, the whole upper-layer payload.
//! Every message starts with type, code and checksum (section 2.1); unlike
//! ICMPv4, the checksum also covers the IPv6 pseudo-header (section 2.3, RFC
//! 8200 section 8.1) with next header 58 and the buffer length as the
//! upper-layer length. [`Repr::emit`] leaves it zero so that the data can be
//! copied in before [`Packet::fill_checksum`] is called.
//!
//! Only echo is modelled by [`Repr`]; the getters of [`Packet`] read the
//! first eight bytes of any message.
//!
//! ```
//! use generator::wire::icmpv6::{Packet, Repr};
//! use std::net::Ipv6Addr;
//!
//! let repr = Repr::EchoRequest { ident: 0x1234, seq_no: 1, data_len: 8 };
//! let mut bytes = vec![0u8; repr.total_len()];
//! let mut packet = Packet::new_unchecked(&mut bytes[..]);
//! repr.emit(&mut packet);
//! packet.data_mut().copy_from_slice(b"abcdefgh");
//! let src: Ipv6Addr = "2001:db8::1".parse().unwrap();
//! let dst: Ipv6Addr = "2001:db8::2".parse().unwrap();
//! packet.fill_checksum(&src, &dst);
//! assert_eq!(packet.checksum(), 0x8075);
//!
//! let packet = Packet::new_checked(&bytes[..]).unwrap();
//! assert!(packet.verify_checksum(&src, &dst));
//! assert_eq!(Repr::parse(&packet).unwrap(), repr);
//! ```

use super::checksum::pseudo_header;
use super::icmp_echo::{self, Sealed, Version};
use super::{IpProtocol, Layer};
use core::fmt;
use std::net::{IpAddr, Ipv6Addr};

pub use super::icmp_echo::{field, Repr, HEADER_LEN};

/// An ICMPv6 message type (IANA "ICMPv6 'type' Numbers"; RFC 4443 section 2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Message(pub u8);

impl Message {
    /// Destination Unreachable (RFC 4443 section 3.1).
    pub const DEST_UNREACHABLE: Message = Message(1);
    /// Packet Too Big (RFC 4443 section 3.2).
    pub const PACKET_TOO_BIG: Message = Message(2);
    /// Time Exceeded (RFC 4443 section 3.3).
    pub const TIME_EXCEEDED: Message = Message(3);
    /// Parameter Problem (RFC 4443 section 3.4).
    pub const PARAMETER_PROBLEM: Message = Message(4);
    /// Echo Request (RFC 4443 section 4.1).
    pub const ECHO_REQUEST: Message = Message(128);
    /// Echo Reply (RFC 4443 section 4.2).
    pub const ECHO_REPLY: Message = Message(129);
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Message::DEST_UNREACHABLE => f.write_str("destination unreachable"),
            Message::PACKET_TOO_BIG => f.write_str("packet too big"),
            Message::TIME_EXCEEDED => f.write_str("time exceeded"),
            Message::PARAMETER_PROBLEM => f.write_str("parameter problem"),
            Message::ECHO_REQUEST => f.write_str("echo request"),
            Message::ECHO_REPLY => f.write_str("echo reply"),
            Message(n) => write!(f, "type {n}"),
        }
    }
}

/// ICMPv6 in the layout shared with ICMPv4: echo types 128 and 129 (RFC
/// 4443 sections 4.1 and 4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Icmpv6 {}

impl Sealed for Icmpv6 {}

impl Version for Icmpv6 {
    type Message = Message;
    const LAYER: Layer = Layer::Icmpv6;
    const ECHO_REQUEST: u8 = Message::ECHO_REQUEST.0;
    const ECHO_REPLY: u8 = Message::ECHO_REPLY.0;
}

impl From<u8> for Message {
    fn from(value: u8) -> Message {
        Message(value)
    }
}

impl From<Message> for u8 {
    fn from(value: Message) -> u8 {
        value.0
    }
}

/// A read/write view of an ICMPv6 message (see [`icmp_echo::Packet`]).
pub type Packet<T> = icmp_echo::Packet<T, Icmpv6>;

/// The pseudo-header for a message from `src` to `dst`, as a sum for the
/// message's length (RFC 4443 section 2.3, RFC 8200 section 8.1: next header 58).
#[inline]
fn pseudo_header_sum(src: &Ipv6Addr, dst: &Ipv6Addr) -> impl FnOnce(u32) -> u16 {
    let (src, dst) = (IpAddr::V6(*src), IpAddr::V6(*dst));
    move |len| pseudo_header(&src, &dst, IpProtocol::ICMPV6, len)
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Whether the checksum is right for a message from `src` to `dst`: the
    /// sum over the pseudo-header and the whole buffer is all ones.
    #[inline]
    pub fn verify_checksum(&self, src: &Ipv6Addr, dst: &Ipv6Addr) -> bool {
        self.sum(pseudo_header_sum(src, dst)) == 0xffff
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Computes the checksum over the pseudo-header for `src` and `dst`
    /// (RFC 4443 section 2.3) and the whole buffer, and writes it. Call it
    /// after the data is in place.
    #[inline]
    pub fn fill_checksum(&mut self, src: &Ipv6Addr, dst: &Ipv6Addr) {
        self.fill_checksum_with(pseudo_header_sum(src, dst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Error;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rstest::rstest;

    fn addr(s: &str) -> Ipv6Addr {
        s.parse().unwrap()
    }

    fn emit(repr: &Repr, payload: &[u8], src: &Ipv6Addr, dst: &Ipv6Addr) -> Vec<u8> {
        let mut bytes = vec![0xa5u8; repr.total_len()];
        let mut packet = Packet::new_unchecked(&mut bytes[..]);
        repr.emit(&mut packet);
        packet.data_mut().copy_from_slice(payload);
        packet.fill_checksum(src, dst);
        bytes
    }

    // Built by Scapy 2.8 (an independent encoder), checksums included.
    #[rstest]
    #[case::request(
        Repr::EchoRequest { ident: 0x1234, seq_no: 1, data_len: 8 },
        "2001:db8::1", "2001:db8::2",
        b"abcdefgh",
        &[0x80, 0x00, 0x80, 0x75, 0x12, 0x34, 0x00, 0x01, b'a', b'b', b'c', b'd', b'e', b'f', b'g', b'h'],
    )]
    #[case::odd_length_reply(
        Repr::EchoReply { ident: 0xbeef, seq_no: 7, data_len: 3 },
        "fe80::1", "fe80::2",
        b"xyz",
        &[0x81, 0x00, 0xd0, 0x44, 0xbe, 0xef, 0x00, 0x07, b'x', b'y', b'z'],
    )]
    fn known_messages(
        #[case] repr: Repr,
        #[case] src: &str,
        #[case] dst: &str,
        #[case] payload: &[u8],
        #[case] expected: &[u8],
    ) {
        let (src, dst) = (addr(src), addr(dst));
        let bytes = emit(&repr, payload, &src, &dst);
        assert_eq!(bytes, expected);
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert!(packet.verify_checksum(&src, &dst));
        assert!(!packet.verify_checksum(&dst, &addr("2001:db8::3")));
        assert_eq!(packet.data(), payload);
        assert_eq!(Repr::parse(&packet).unwrap(), repr);
    }

    #[test]
    fn getters_read_fields() {
        let bytes = [0x81, 0x00, 0xd0, 0x44, 0xbe, 0xef, 0x00, 0x07, b'x'];
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(packet.msg_type(), Message::ECHO_REPLY);
        assert_eq!(packet.msg_code(), 0);
        assert_eq!(packet.checksum(), 0xd044);
        assert_eq!(packet.echo_ident(), 0xbeef);
        assert_eq!(packet.echo_seq_no(), 7);
        assert_eq!(packet.data(), b"x");
        assert_eq!(packet.into_inner().len(), 9);
    }

    #[rstest]
    #[case(0)]
    #[case(7)]
    fn short_buffer_is_truncated_not_a_panic(#[case] len: usize) {
        let bytes = [128u8; 7];
        let bytes = &bytes[..len];
        let error = Error::Truncated { layer: Layer::Icmpv6, required: 8, present: len };
        assert_eq!(Packet::new_checked(bytes).unwrap_err(), error);
        assert_eq!(Repr::parse(&Packet::new_unchecked(bytes)).unwrap_err(), error);
    }

    #[rstest]
    #[case(Message::DEST_UNREACHABLE, 4, false)]
    #[case(Message::PACKET_TOO_BIG, 0, false)]
    #[case(Message(135), 0, false)]
    #[case(Message::ECHO_REQUEST, 1, true)]
    #[case(Message::ECHO_REPLY, 255, true)]
    fn other_messages_are_errors_but_still_readable(
        #[case] msg_type: Message,
        #[case] code: u8,
        #[case] echo: bool,
    ) {
        let err = if echo {
            Error::BadCode { layer: Layer::Icmpv6, msg_type: msg_type.0, code }
        } else {
            Error::UnsupportedType { layer: Layer::Icmpv6, msg_type: msg_type.0 }
        };
        let (src, dst) = (addr("2001:db8::1"), addr("2001:db8::2"));
        let mut bytes = [0u8; 48];
        let mut packet = Packet::new_unchecked(&mut bytes[..]);
        packet.set_msg_type(msg_type);
        packet.set_msg_code(code);
        packet.fill_checksum(&src, &dst);
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(Repr::parse(&packet).unwrap_err(), err);
        assert_eq!((packet.msg_type(), packet.msg_code()), (msg_type, code));
        assert!(packet.verify_checksum(&src, &dst));
        assert_eq!(packet.data().len(), 40);
    }

    #[rstest]
    #[case(Message::DEST_UNREACHABLE, "destination unreachable")]
    #[case(Message::PACKET_TOO_BIG, "packet too big")]
    #[case(Message::TIME_EXCEEDED, "time exceeded")]
    #[case(Message::PARAMETER_PROBLEM, "parameter problem")]
    #[case(Message::ECHO_REQUEST, "echo request")]
    #[case(Message::ECHO_REPLY, "echo reply")]
    #[case(Message(136), "type 136")]
    fn message_display(#[case] msg: Message, #[case] text: &str) {
        assert_eq!(msg.to_string(), text);
    }

    #[test]
    fn emit_then_parse_round_trips_random_messages() {
        let mut rng = ChaCha8Rng::seed_from_u64(4443);
        let mut payload = [0u8; 100];
        for _ in 0..3000 {
            let (ident, seq_no, data_len) = (rng.random(), rng.random(), rng.random_range(0..100));
            let repr = if rng.random() {
                Repr::EchoRequest { ident, seq_no, data_len }
            } else {
                Repr::EchoReply { ident, seq_no, data_len }
            };
            let (src, dst) = (Ipv6Addr::from(rng.random::<u128>()), Ipv6Addr::from(rng.random::<u128>()));
            rng.fill(&mut payload[..]);
            let bytes = emit(&repr, &payload[..data_len], &src, &dst);
            let packet = Packet::new_checked(&bytes[..]).unwrap();
            assert!(packet.verify_checksum(&src, &dst));
            assert_eq!(packet.data(), &payload[..data_len]);
            assert_eq!(Repr::parse(&packet).unwrap(), repr);

            let mut broken = bytes.clone();
            let bit = rng.random_range(0..broken.len() * 8);
            broken[bit / 8] ^= 1 << (bit % 8);
            assert!(!Packet::new_unchecked(&broken[..]).verify_checksum(&src, &dst));
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = ChaCha8Rng::seed_from_u64(44430);
        let mut bytes = [0u8; 24];
        let (src, dst) = (addr("::1"), addr("::2"));
        for _ in 0..2000 {
            rng.fill(&mut bytes[..]);
            bytes[0] = [1, 2, 128, 129, rng.random()][rng.random_range(0..5)];
            let buffer = &bytes[..rng.random_range(0..=bytes.len())];
            if let Ok(packet) = Packet::new_checked(buffer) {
                let _ = (packet.msg_type(), packet.msg_code(), packet.checksum());
                let _ = (packet.echo_ident(), packet.echo_seq_no(), packet.data());
                let _ = (packet.verify_checksum(&src, &dst), Repr::parse(&packet));
            }
        }
    }
}
