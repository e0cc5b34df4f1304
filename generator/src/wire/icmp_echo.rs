//! The layout ICMP for IPv4 (RFC 792) and ICMP for IPv6 (RFC 4443 section
//! 2.1) share, and their echo request and echo reply messages (RFC 792,
//! "Echo or Echo Reply Message"; RFC 4443 sections 4.1 and 4.2), written once
//! for both.
//!
//! Every message starts with type, code and checksum; echo follows them with
//! an identifier, a sequence number and data. The two versions differ only in
//! their type numbers and in what the checksum covers: the message alone for
//! ICMPv4, the message and the IPv6 pseudo-header for ICMPv6 (RFC 4443
//! section 2.3). A [`Version`] supplies the first; [`icmpv4`](super::icmpv4)
//! and [`icmpv6`](super::icmpv6) add `verify_checksum` and `fill_checksum`
//! with the second, and name [`Packet`] for their version.
//!
//! A [`Packet`] covers exactly one message, the whole IP payload. Only echo is
//! modelled by [`Repr`]; the getters of [`Packet`] read the first eight bytes
//! of any message.

use super::checksum::{combine, data};
use super::field::{read_u16, read_u8, write_u16, write_u8};
use super::{Error, Layer, Result};
use core::fmt;
use core::marker::PhantomData;

/// The fields of the header, as byte ranges (RFC 792; RFC 4443 sections 2.1
/// and 4.1).
pub mod field {
    use crate::wire::field::Field;
    /// Type.
    pub const TYPE: Field = 0..1;
    /// Code.
    pub const CODE: Field = 1..2;
    /// Checksum.
    pub const CHECKSUM: Field = 2..4;
    /// Echo: identifier. Other types put other things here.
    pub const ECHO_IDENT: Field = 4..6;
    /// Echo: sequence number.
    pub const ECHO_SEQNO: Field = 6..8;
    /// Where the data starts.
    pub const DATA: usize = 8;
}

/// Length of the header: type, code, checksum and the four bytes that follow
/// (identifier and sequence number, for echo).
pub const HEADER_LEN: usize = field::DATA;

mod sealed {
    pub trait Sealed {}
}

/// What tells ICMPv4 from ICMPv6 in the shared layout: the layer and the
/// message type numbers. Implemented by [`Icmpv4`](super::icmpv4::Icmpv4) and
/// [`Icmpv6`](super::icmpv6::Icmpv6) only.
pub trait Version: sealed::Sealed + Copy + Eq + fmt::Debug {
    /// The version's message type.
    type Message: Copy + Eq + fmt::Debug + From<u8> + Into<u8>;
    /// The layer errors name.
    const LAYER: Layer;
    /// Echo Request's type.
    const ECHO_REQUEST: u8;
    /// Echo Reply's type.
    const ECHO_REPLY: u8;
}

pub(super) use sealed::Sealed;

/// A read/write view of an ICMP message of version `V`.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>, V: Version> {
    buffer: T,
    version: PhantomData<V>,
}

impl<T: AsRef<[u8]>, V: Version> Packet<T, V> {
    /// Wraps a buffer without checking its length; getters may panic on a
    /// short buffer. Use [`Packet::new_checked`] for untrusted input.
    #[inline]
    pub const fn new_unchecked(buffer: T) -> Packet<T, V> {
        Packet { buffer, version: PhantomData }
    }

    /// Wraps a buffer after checking that it holds a whole header, so that no
    /// getter can panic.
    pub fn new_checked(buffer: T) -> Result<Packet<T, V>> {
        let packet = Self::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Fails with [`Error::Truncated`] when the buffer is shorter than the header.
    pub fn check_len(&self) -> Result<()> {
        Error::need(V::LAYER, HEADER_LEN, self.buffer.as_ref().len())
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Message type.
    #[inline]
    pub fn msg_type(&self) -> V::Message {
        read_u8(self.buffer.as_ref(), field::TYPE).into()
    }

    /// Message code (0 for echo).
    #[inline]
    pub fn msg_code(&self) -> u8 {
        read_u8(self.buffer.as_ref(), field::CODE)
    }

    /// Checksum field as found.
    #[inline]
    pub fn checksum(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::CHECKSUM)
    }

    /// Echo identifier (bytes 4 and 5 of any message).
    #[inline]
    pub fn echo_ident(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::ECHO_IDENT)
    }

    /// Echo sequence number (bytes 6 and 7 of any message).
    #[inline]
    pub fn echo_seq_no(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::ECHO_SEQNO)
    }

    /// The bytes after the eight-byte header.
    #[inline]
    pub fn data(&self) -> &[u8] {
        &self.buffer.as_ref()[field::DATA..]
    }

    /// The ones' complement sum of a pseudo-header and the whole buffer: all
    /// ones when the checksum is right. `pseudo_header` gives the
    /// pseudo-header's sum for the message's length (0 when there is none).
    #[inline]
    pub(super) fn sum(&self, pseudo_header: impl FnOnce(u32) -> u16) -> u16 {
        let bytes = self.buffer.as_ref();
        combine(&[pseudo_header(bytes.len() as u32), data(bytes)])
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>, V: Version> Packet<T, V> {
    /// Sets the message type.
    #[inline]
    pub fn set_msg_type(&mut self, value: V::Message) {
        write_u8(self.buffer.as_mut(), field::TYPE, value.into())
    }

    /// Sets the message code.
    #[inline]
    pub fn set_msg_code(&mut self, value: u8) {
        write_u8(self.buffer.as_mut(), field::CODE, value)
    }

    /// Sets the checksum field.
    #[inline]
    pub fn set_checksum(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::CHECKSUM, value)
    }

    /// Sets the echo identifier.
    #[inline]
    pub fn set_echo_ident(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::ECHO_IDENT, value)
    }

    /// Sets the echo sequence number.
    #[inline]
    pub fn set_echo_seq_no(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::ECHO_SEQNO, value)
    }

    /// The bytes after the header, writable.
    #[inline]
    pub fn data_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[field::DATA..]
    }

    /// Computes the checksum over a pseudo-header (see [`Packet::sum`]) and
    /// the whole buffer, and writes it.
    #[inline]
    pub(super) fn fill_checksum_with(&mut self, pseudo_header: impl FnOnce(u32) -> u16) {
        self.set_checksum(0);
        let sum = self.sum(pseudo_header);
        self.set_checksum(!sum)
    }
}

/// The meaning of an echo message and the length of its data, the same for
/// both versions: the [`Packet`] it is parsed from or emitted into gives the
/// type numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Repr {
    /// Echo Request (ICMPv4 type 8, ICMPv6 type 128; code 0).
    EchoRequest {
        /// Identifier, matching replies to requests.
        ident: u16,
        /// Sequence number.
        seq_no: u16,
        /// Length of the data after the header.
        data_len: usize,
    },
    /// Echo Reply (ICMPv4 type 0, ICMPv6 type 129; code 0).
    EchoReply {
        /// Identifier, copied from the request.
        ident: u16,
        /// Sequence number, copied from the request.
        seq_no: u16,
        /// Length of the data after the header.
        data_len: usize,
    },
}

impl Repr {
    /// Reads an echo message; `data_len` is the rest of the buffer, which must
    /// be the IP payload exactly.
    ///
    /// Fails with [`Error::Truncated`] when the buffer is shorter than the
    /// header, with [`Error::BadCode`] on an echo whose code is not 0, and
    /// with [`Error::UnsupportedType`] on any other message type. The checksum
    /// is not checked: the version's `verify_checksum` does that.
    pub fn parse<T: AsRef<[u8]>, V: Version>(packet: &Packet<T, V>) -> Result<Repr> {
        packet.check_len()?;
        let (ident, seq_no, data_len) = (packet.echo_ident(), packet.echo_seq_no(), packet.data().len());
        let (msg_type, code) = (packet.msg_type().into(), packet.msg_code());
        match msg_type {
            t if code != 0 && (t == V::ECHO_REQUEST || t == V::ECHO_REPLY) => {
                Err(Error::BadCode { layer: V::LAYER, msg_type, code })
            }
            t if t == V::ECHO_REQUEST => Ok(Repr::EchoRequest { ident, seq_no, data_len }),
            t if t == V::ECHO_REPLY => Ok(Repr::EchoReply { ident, seq_no, data_len }),
            _ => Err(Error::UnsupportedType { layer: V::LAYER, msg_type }),
        }
    }

    /// Length of the header this emits: [`HEADER_LEN`].
    pub const fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// Length of the message this describes: header and data.
    pub const fn total_len(&self) -> usize {
        match *self {
            Repr::EchoRequest { data_len, .. } | Repr::EchoReply { data_len, .. } => HEADER_LEN + data_len,
        }
    }

    /// Writes the header into the first [`HEADER_LEN`] bytes of `packet`,
    /// which should be [`Repr::total_len`] long. The checksum is left zero:
    /// copy the data in, then call the version's `fill_checksum`.
    ///
    /// # Panics
    /// If `packet` is shorter than [`HEADER_LEN`].
    #[inline]
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>, V: Version>(&self, packet: &mut Packet<T, V>) {
        let (msg_type, ident, seq_no) = match *self {
            Repr::EchoRequest { ident, seq_no, .. } => (V::ECHO_REQUEST, ident, seq_no),
            Repr::EchoReply { ident, seq_no, .. } => (V::ECHO_REPLY, ident, seq_no),
        };
        packet.set_msg_type(msg_type.into());
        packet.set_msg_code(0);
        packet.set_checksum(0);
        packet.set_echo_ident(ident);
        packet.set_echo_seq_no(seq_no);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{icmpv4, icmpv6};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rstest::rstest;

    fn errors_of<V: Version>(msg_type: u8, code: u8) -> Result<Repr> {
        let mut bytes = [0u8; 12];
        let mut packet = Packet::<_, V>::new_unchecked(&mut bytes[..]);
        packet.set_msg_type(msg_type.into());
        packet.set_msg_code(code);
        Repr::parse(&Packet::<_, V>::new_checked(&bytes[..]).unwrap())
    }

    #[rstest]
    #[case(8, 0, Ok(Repr::EchoRequest { ident: 0, seq_no: 0, data_len: 4 }))]
    #[case(0, 0, Ok(Repr::EchoReply { ident: 0, seq_no: 0, data_len: 4 }))]
    #[case(8, 1, Err(Error::BadCode { layer: Layer::Icmpv4, msg_type: 8, code: 1 }))]
    #[case(128, 0, Err(Error::UnsupportedType { layer: Layer::Icmpv4, msg_type: 128 }))]
    #[case(3, 1, Err(Error::UnsupportedType { layer: Layer::Icmpv4, msg_type: 3 }))]
    fn icmpv4_types(#[case] msg_type: u8, #[case] code: u8, #[case] result: Result<Repr>) {
        assert_eq!(errors_of::<icmpv4::Icmpv4>(msg_type, code), result);
    }

    #[rstest]
    #[case(128, 0, Ok(Repr::EchoRequest { ident: 0, seq_no: 0, data_len: 4 }))]
    #[case(129, 0, Ok(Repr::EchoReply { ident: 0, seq_no: 0, data_len: 4 }))]
    #[case(129, 7, Err(Error::BadCode { layer: Layer::Icmpv6, msg_type: 129, code: 7 }))]
    #[case(8, 0, Err(Error::UnsupportedType { layer: Layer::Icmpv6, msg_type: 8 }))]
    #[case(1, 4, Err(Error::UnsupportedType { layer: Layer::Icmpv6, msg_type: 1 }))]
    fn icmpv6_types(#[case] msg_type: u8, #[case] code: u8, #[case] result: Result<Repr>) {
        assert_eq!(errors_of::<icmpv6::Icmpv6>(msg_type, code), result);
    }

    #[test]
    fn one_repr_emits_each_versions_type_numbers() {
        let repr = Repr::EchoReply { ident: 0xbeef, seq_no: 7, data_len: 0 };
        let mut v4 = [0xa5u8; HEADER_LEN];
        repr.emit(&mut icmpv4::Packet::new_unchecked(&mut v4[..]));
        let mut v6 = [0xa5u8; HEADER_LEN];
        repr.emit(&mut icmpv6::Packet::new_unchecked(&mut v6[..]));
        assert_eq!(v4, [0, 0, 0, 0, 0xbe, 0xef, 0, 7]);
        assert_eq!(v6, [129, 0, 0, 0, 0xbe, 0xef, 0, 7]);
    }

    #[test]
    fn random_bytes_never_panic_in_either_version() {
        let mut rng = ChaCha8Rng::seed_from_u64(7924);
        let mut bytes = [0u8; 24];
        for _ in 0..2000 {
            rng.fill(&mut bytes[..]);
            let buffer = &bytes[..rng.random_range(0..=bytes.len())];
            let _ = Repr::parse(&icmpv4::Packet::new_unchecked(buffer));
            let _ = Repr::parse(&icmpv6::Packet::new_unchecked(buffer));
            if let Ok(packet) = icmpv4::Packet::new_checked(buffer) {
                let _ = (packet.msg_type(), packet.msg_code(), packet.checksum(), packet.data());
                let _ = (packet.echo_ident(), packet.echo_seq_no(), packet.verify_checksum());
            }
        }
    }
}
