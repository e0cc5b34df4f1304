//! ICMP for IPv4 (RFC 792): echo request and echo reply, the messages of
//! `ping`.
//!
//! A [`Packet`] covers exactly one message, the whole IPv4 payload. Every
//! message starts with type, code and checksum; the checksum is the Internet
//! checksum of the whole message, with no pseudo-header (RFC 792, "Echo or
//! Echo Reply Message"). [`Repr::emit`] leaves it zero so that the data can be
//! copied in before [`Packet::fill_checksum`] is called.
//!
//! Only echo is modelled by [`Repr`]; the getters of [`Packet`] read the
//! first eight bytes of any message.
//!
//! ```
//! use generator::wire::icmpv4::{Packet, Repr};
//!
//! let repr = Repr::EchoRequest { ident: 0x1234, seq_no: 1, data_len: 8 };
//! let mut bytes = vec![0u8; repr.total_len()];
//! let mut packet = Packet::new_unchecked(&mut bytes[..]);
//! repr.emit(&mut packet);
//! packet.data_mut().copy_from_slice(b"abcdefgh");
//! packet.fill_checksum();
//! assert_eq!(packet.checksum(), 0x5435);
//!
//! let packet = Packet::new_checked(&bytes[..]).unwrap();
//! assert!(packet.verify_checksum());
//! assert_eq!(Repr::parse(&packet).unwrap(), repr);
//! ```

use super::icmp_echo::{self, Sealed, Version};
use super::Layer;
use core::fmt;

pub use super::icmp_echo::{field, Repr, HEADER_LEN};

/// An ICMPv4 message type (IANA "ICMP Type Numbers").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Message(pub u8);

impl Message {
    /// Echo Reply (RFC 792).
    pub const ECHO_REPLY: Message = Message(0);
    /// Destination Unreachable (RFC 792).
    pub const DEST_UNREACHABLE: Message = Message(3);
    /// Echo (RFC 792).
    pub const ECHO_REQUEST: Message = Message(8);
    /// Time Exceeded (RFC 792).
    pub const TIME_EXCEEDED: Message = Message(11);
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Message::ECHO_REPLY => f.write_str("echo reply"),
            Message::DEST_UNREACHABLE => f.write_str("destination unreachable"),
            Message::ECHO_REQUEST => f.write_str("echo request"),
            Message::TIME_EXCEEDED => f.write_str("time exceeded"),
            Message(n) => write!(f, "type {n}"),
        }
    }
}

/// ICMPv4 in the layout shared with ICMPv6: echo types 8 and 0 (RFC 792).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Icmpv4 {}

impl Sealed for Icmpv4 {}

impl Version for Icmpv4 {
    type Message = Message;
    const LAYER: Layer = Layer::Icmpv4;
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

/// A read/write view of an ICMPv4 message (see [`icmp_echo::Packet`]).
pub type Packet<T> = icmp_echo::Packet<T, Icmpv4>;

impl<T: AsRef<[u8]>> Packet<T> {
    /// Whether the checksum is right: the sum over the whole buffer is all
    /// ones (RFC 792: no pseudo-header).
    #[inline]
    pub fn verify_checksum(&self) -> bool {
        self.sum(|_| 0) == 0xffff
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Computes the checksum over the whole buffer and writes it. Call it
    /// after the data is in place.
    #[inline]
    pub fn fill_checksum(&mut self) {
        self.fill_checksum_with(|_| 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Error;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rstest::rstest;

    fn emit(repr: &Repr, payload: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0xa5u8; repr.total_len()];
        let mut packet = Packet::new_unchecked(&mut bytes[..]);
        repr.emit(&mut packet);
        packet.data_mut().copy_from_slice(payload);
        packet.fill_checksum();
        bytes
    }

    // Built by Scapy 2.8 (an independent encoder), checksums included.
    #[rstest]
    #[case::request(
        Repr::EchoRequest { ident: 0x1234, seq_no: 1, data_len: 8 },
        b"abcdefgh",
        &[0x08, 0x00, 0x54, 0x35, 0x12, 0x34, 0x00, 0x01, b'a', b'b', b'c', b'd', b'e', b'f', b'g', b'h'],
    )]
    // The same with type 0: the checksum grows by 0x0800.
    #[case::reply(
        Repr::EchoReply { ident: 0x1234, seq_no: 1, data_len: 8 },
        b"abcdefgh",
        &[0x00, 0x00, 0x5c, 0x35, 0x12, 0x34, 0x00, 0x01, b'a', b'b', b'c', b'd', b'e', b'f', b'g', b'h'],
    )]
    #[case::odd_length_reply(
        Repr::EchoReply { ident: 0xffff, seq_no: 0xfffe, data_len: 1 },
        b"\x01",
        &[0x00, 0x00, 0xff, 0x00, 0xff, 0xff, 0xff, 0xfe, 0x01],
    )]
    fn known_messages(#[case] repr: Repr, #[case] payload: &[u8], #[case] expected: &[u8]) {
        let bytes = emit(&repr, payload);
        assert_eq!(bytes, expected);
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert!(packet.verify_checksum());
        assert_eq!(packet.data(), payload);
        assert_eq!(Repr::parse(&packet).unwrap(), repr);
    }

    #[test]
    fn getters_read_fields() {
        let bytes = [0x08, 0x00, 0x54, 0x35, 0x12, 0x34, 0x00, 0x01, 0xaa];
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(packet.msg_type(), Message::ECHO_REQUEST);
        assert_eq!(packet.msg_code(), 0);
        assert_eq!(packet.checksum(), 0x5435);
        assert_eq!(packet.echo_ident(), 0x1234);
        assert_eq!(packet.echo_seq_no(), 1);
        assert_eq!(packet.data(), [0xaa]);
        assert_eq!(packet.into_inner().len(), 9);
    }

    #[rstest]
    #[case(0)]
    #[case(7)]
    fn short_buffer_is_truncated_not_a_panic(#[case] len: usize) {
        let bytes = [8u8; 7];
        let bytes = &bytes[..len];
        let error = Error::Truncated { layer: Layer::Icmpv4, required: 8, present: len };
        assert_eq!(Packet::new_checked(bytes).unwrap_err(), error);
        assert_eq!(Repr::parse(&Packet::new_unchecked(bytes)).unwrap_err(), error);
    }

    #[rstest]
    #[case(Message::DEST_UNREACHABLE, 3, false)]
    #[case(Message::TIME_EXCEEDED, 0, false)]
    #[case(Message(13), 0, false)]
    #[case(Message::ECHO_REQUEST, 1, true)]
    #[case(Message::ECHO_REPLY, 255, true)]
    fn other_messages_are_errors_but_still_readable(
        #[case] msg_type: Message,
        #[case] code: u8,
        #[case] echo: bool,
    ) {
        let err = if echo {
            Error::BadCode { layer: Layer::Icmpv4, msg_type: msg_type.0, code }
        } else {
            Error::UnsupportedType { layer: Layer::Icmpv4, msg_type: msg_type.0 }
        };
        let mut bytes = [0u8; 36];
        let mut packet = Packet::new_unchecked(&mut bytes[..]);
        packet.set_msg_type(msg_type);
        packet.set_msg_code(code);
        packet.fill_checksum();
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(Repr::parse(&packet).unwrap_err(), err);
        assert_eq!((packet.msg_type(), packet.msg_code()), (msg_type, code));
        assert!(packet.verify_checksum());
        assert_eq!(packet.data().len(), 28);
    }

    #[rstest]
    #[case(Message::ECHO_REPLY, "echo reply")]
    #[case(Message::DEST_UNREACHABLE, "destination unreachable")]
    #[case(Message::ECHO_REQUEST, "echo request")]
    #[case(Message::TIME_EXCEEDED, "time exceeded")]
    #[case(Message(42), "type 42")]
    fn message_display(#[case] msg: Message, #[case] text: &str) {
        assert_eq!(msg.to_string(), text);
    }

    #[test]
    fn emit_then_parse_round_trips_random_messages() {
        let mut rng = ChaCha8Rng::seed_from_u64(792);
        let mut payload = [0u8; 100];
        for _ in 0..3000 {
            let (ident, seq_no, data_len) = (rng.random(), rng.random(), rng.random_range(0..100));
            let repr = if rng.random() {
                Repr::EchoRequest { ident, seq_no, data_len }
            } else {
                Repr::EchoReply { ident, seq_no, data_len }
            };
            rng.fill(&mut payload[..]);
            let bytes = emit(&repr, &payload[..data_len]);
            let packet = Packet::new_checked(&bytes[..]).unwrap();
            assert!(packet.verify_checksum());
            assert_eq!(packet.data(), &payload[..data_len]);
            assert_eq!(Repr::parse(&packet).unwrap(), repr);

            let mut broken = bytes.clone();
            let bit = rng.random_range(0..broken.len() * 8);
            broken[bit / 8] ^= 1 << (bit % 8);
            assert!(!Packet::new_unchecked(&broken[..]).verify_checksum());
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = ChaCha8Rng::seed_from_u64(7920);
        let mut bytes = [0u8; 24];
        for _ in 0..2000 {
            rng.fill(&mut bytes[..]);
            bytes[0] = [0, 3, 8, 11, rng.random()][rng.random_range(0..5)];
            let buffer = &bytes[..rng.random_range(0..=bytes.len())];
            if let Ok(packet) = Packet::new_checked(buffer) {
                let _ = (packet.msg_type(), packet.msg_code(), packet.checksum());
                let _ = (packet.echo_ident(), packet.echo_seq_no(), packet.data(), packet.verify_checksum());
                let _ = Repr::parse(&packet);
            }
        }
    }
}
