//! IPv4 headers (RFC 791 section 3.1), with the header checksum of RFC 791
//! computed as RFC 1071 describes.
//!
//! Captures may be cut short (a mirror session's PacketLength, a snap
//! length), so a buffer shorter than the Total Length field is not an error:
//! [`Packet::payload`] returns what is there.
//!
//! ```
//! use generator::wire::ipv4::{Packet, Repr, HEADER_LEN};
//! use generator::wire::IpProtocol;
//! use std::net::Ipv4Addr;
//!
//! let repr = Repr {
//!     src_addr: Ipv4Addr::new(10, 0, 0, 1),
//!     dst_addr: Ipv4Addr::new(10, 0, 0, 2),
//!     next_header: IpProtocol::UDP,
//!     payload_len: 4,
//!     hop_limit: 64,
//!     ident: 0x1234,
//!     dont_frag: true,
//!     dscp: 0,
//!     ecn: 0,
//! };
//! let mut bytes = vec![0u8; repr.total_len()];
//! let mut packet = Packet::new_unchecked(&mut bytes[..]);
//! repr.emit(&mut packet);
//! packet.payload_mut().copy_from_slice(b"data");
//! let packet = Packet::new_checked(&bytes[..]).unwrap();
//! assert!(packet.verify_checksum());
//! assert_eq!(packet.total_len() as usize, HEADER_LEN + 4);
//! assert_eq!(Repr::parse(&packet).unwrap(), repr);
//! ```

use super::field::{read_u16, read_u32, read_u8, write_u16, write_u8};
use super::{checksum, Error, IpProtocol, Layer, Result};
use std::net::Ipv4Addr;

/// The fields of the header (RFC 791 section 3.1), as byte ranges.
pub mod field {
    use crate::wire::field::Field;
    /// Version (high four bits) and IHL (low four bits).
    pub const VER_IHL: Field = 0..1;
    /// DSCP (high six bits, RFC 2474) and ECN (low two bits, RFC 3168).
    pub const DSCP_ECN: Field = 1..2;
    /// Total Length.
    pub const LENGTH: Field = 2..4;
    /// Identification.
    pub const IDENT: Field = 4..6;
    /// Flags (three bits) and Fragment Offset (thirteen bits).
    pub const FLG_OFF: Field = 6..8;
    /// Time to Live.
    pub const TTL: Field = 8..9;
    /// Protocol.
    pub const PROTOCOL: Field = 9..10;
    /// Header Checksum.
    pub const CHECKSUM: Field = 10..12;
    /// Source Address.
    pub const SRC_ADDR: Field = 12..16;
    /// Destination Address.
    pub const DST_ADDR: Field = 16..20;
    /// Where the options start, if IHL is above 5.
    pub const OPTIONS: usize = 20;
}

/// Length of an IPv4 header without options (IHL 5).
pub const HEADER_LEN: usize = field::OPTIONS;

/// Longest IPv4 options field: IHL is at most 15 words, 60 bytes in all.
pub const MAX_OPTIONS_LEN: usize = 40;

/// The Don't Fragment flag in the flags/fragment offset word.
const FLAG_DF: u16 = 0x4000;
/// The More Fragments flag in the flags/fragment offset word.
const FLAG_MF: u16 = 0x2000;
/// The 13-bit Fragment Offset in the flags/fragment offset word.
const OFFSET_MASK: u16 = 0x1fff;

/// A read/write view of an IPv4 packet.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it; getters may panic on a buffer
    /// shorter than the header, or (for [`Packet::options`] and
    /// [`Packet::payload`]) on an IHL or Total Length that
    /// [`Packet::check_len`] would reject. Use [`Packet::new_checked`] for
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

    /// Checks that the buffer holds the whole header, options included, and
    /// that the length fields are consistent:
    ///
    /// * [`Error::Truncated`] when the buffer is shorter than 20 bytes;
    /// * [`Error::BadHeaderLen`] when IHL is below 5 (RFC 791: "the minimum
    ///   value for a correct header is 5");
    /// * [`Error::Truncated`] when the buffer is shorter than IHL says;
    /// * [`Error::BadTotalLen`] when Total Length is below the header length.
    ///
    /// A buffer shorter than Total Length is accepted: captures are truncated.
    pub fn check_len(&self) -> Result<()> {
        let len = self.buffer.as_ref().len();
        Error::need(Layer::Ipv4, HEADER_LEN, len)?;
        let header_len = self.header_len() as usize;
        if header_len < HEADER_LEN {
            return Err(Error::BadHeaderLen { layer: Layer::Ipv4, found: header_len, min: HEADER_LEN });
        }
        Error::need(Layer::Ipv4, header_len, len)?;
        let total_len = self.total_len() as usize;
        if total_len < header_len {
            return Err(Error::BadTotalLen { layer: Layer::Ipv4, found: total_len, min: header_len });
        }
        Ok(())
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Version (4 for IPv4).
    pub fn version(&self) -> u8 {
        read_u8(self.buffer.as_ref(), field::VER_IHL) >> 4
    }

    /// Header length in bytes, options included: the IHL field (32-bit
    /// words) times four.
    pub fn header_len(&self) -> u8 {
        (read_u8(self.buffer.as_ref(), field::VER_IHL) & 0x0f) * 4
    }

    /// Differentiated Services Code Point, the upper six bits of the former
    /// Type of Service octet (RFC 2474 section 3).
    pub fn dscp(&self) -> u8 {
        read_u8(self.buffer.as_ref(), field::DSCP_ECN) >> 2
    }

    /// Explicit Congestion Notification, the lower two bits of the former
    /// Type of Service octet (RFC 3168 section 5).
    pub fn ecn(&self) -> u8 {
        read_u8(self.buffer.as_ref(), field::DSCP_ECN) & 0x03
    }

    /// Total Length: header (options included) and data, in bytes.
    pub fn total_len(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::LENGTH)
    }

    /// Identification.
    pub fn ident(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::IDENT)
    }

    fn flags_offset(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::FLG_OFF)
    }

    /// The Don't Fragment flag.
    pub fn dont_frag(&self) -> bool {
        self.flags_offset() & FLAG_DF != 0
    }

    /// The More Fragments flag.
    pub fn more_frags(&self) -> bool {
        self.flags_offset() & FLAG_MF != 0
    }

    /// Fragment Offset, as the header holds it: in units of eight octets
    /// (RFC 791 section 3.1), not bytes.
    pub fn frag_offset(&self) -> u16 {
        self.flags_offset() & OFFSET_MASK
    }

    /// Time to Live.
    pub fn hop_limit(&self) -> u8 {
        read_u8(self.buffer.as_ref(), field::TTL)
    }

    /// Protocol of the payload.
    pub fn next_header(&self) -> IpProtocol {
        IpProtocol(read_u8(self.buffer.as_ref(), field::PROTOCOL))
    }

    /// Header Checksum, as stored.
    pub fn checksum(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::CHECKSUM)
    }

    /// Source address.
    pub fn src_addr(&self) -> Ipv4Addr {
        Ipv4Addr::from(read_u32(self.buffer.as_ref(), field::SRC_ADDR))
    }

    /// Destination address.
    pub fn dst_addr(&self) -> Ipv4Addr {
        Ipv4Addr::from(read_u32(self.buffer.as_ref(), field::DST_ADDR))
    }

    /// The options: bytes 20 up to the header length (empty when IHL is 5).
    pub fn options(&self) -> &[u8] {
        &self.buffer.as_ref()[field::OPTIONS..self.header_len() as usize]
    }

    /// The data after the header, up to Total Length or the end of the
    /// buffer, whichever comes first.
    pub fn payload(&self) -> &[u8] {
        let data = self.buffer.as_ref();
        let end = data.len().min(self.total_len() as usize);
        &data[self.header_len() as usize..end]
    }

    /// Whether the Header Checksum is right: the ones' complement sum of the
    /// header, options included, is all ones (RFC 1071 section 1).
    pub fn verify_checksum(&self) -> bool {
        let header = &self.buffer.as_ref()[..self.header_len() as usize];
        !checksum::data(header) == 0
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the version (low four bits of `value`).
    pub fn set_version(&mut self, value: u8) {
        let b = &mut self.buffer.as_mut()[field::VER_IHL.start];
        *b = (*b & 0x0f) | (value << 4);
    }

    /// Sets the header length in bytes; IHL becomes `value / 4` (low four
    /// bits), so `value` should be a multiple of four no greater than 60.
    pub fn set_header_len(&mut self, value: u8) {
        let b = &mut self.buffer.as_mut()[field::VER_IHL.start];
        *b = (*b & 0xf0) | ((value / 4) & 0x0f);
    }

    /// Sets the DSCP (low six bits of `value`).
    pub fn set_dscp(&mut self, value: u8) {
        let b = &mut self.buffer.as_mut()[field::DSCP_ECN.start];
        *b = (*b & 0x03) | (value << 2);
    }

    /// Sets the ECN field (low two bits of `value`).
    pub fn set_ecn(&mut self, value: u8) {
        let b = &mut self.buffer.as_mut()[field::DSCP_ECN.start];
        *b = (*b & 0xfc) | (value & 0x03);
    }

    /// Sets Total Length.
    pub fn set_total_len(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::LENGTH, value)
    }

    /// Sets Identification.
    pub fn set_ident(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::IDENT, value)
    }

    fn set_flags_offset(&mut self, mask: u16, value: u16) {
        let word = (self.flags_offset() & !mask) | (value & mask);
        write_u16(self.buffer.as_mut(), field::FLG_OFF, word)
    }

    /// Sets or clears the Don't Fragment flag.
    pub fn set_dont_frag(&mut self, value: bool) {
        self.set_flags_offset(FLAG_DF, if value { FLAG_DF } else { 0 })
    }

    /// Sets or clears the More Fragments flag.
    pub fn set_more_frags(&mut self, value: bool) {
        self.set_flags_offset(FLAG_MF, if value { FLAG_MF } else { 0 })
    }

    /// Sets Fragment Offset, in units of eight octets (low 13 bits of `value`).
    pub fn set_frag_offset(&mut self, value: u16) {
        self.set_flags_offset(OFFSET_MASK, value)
    }

    /// Sets Time to Live.
    pub fn set_hop_limit(&mut self, value: u8) {
        write_u8(self.buffer.as_mut(), field::TTL, value)
    }

    /// Sets Protocol.
    pub fn set_next_header(&mut self, value: IpProtocol) {
        write_u8(self.buffer.as_mut(), field::PROTOCOL, value.0)
    }

    /// Sets Header Checksum to `value` as is (see [`Packet::fill_checksum`]).
    pub fn set_checksum(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::CHECKSUM, value)
    }

    /// Sets the source address.
    pub fn set_src_addr(&mut self, value: Ipv4Addr) {
        self.buffer.as_mut()[field::SRC_ADDR].copy_from_slice(&value.octets())
    }

    /// Sets the destination address.
    pub fn set_dst_addr(&mut self, value: Ipv4Addr) {
        self.buffer.as_mut()[field::DST_ADDR].copy_from_slice(&value.octets())
    }

    /// The options, writable.
    pub fn options_mut(&mut self) -> &mut [u8] {
        let end = self.header_len() as usize;
        &mut self.buffer.as_mut()[field::OPTIONS..end]
    }

    /// Computes and stores the Header Checksum over the header as IHL
    /// delimits it (RFC 791 section 3.1: the checksum field is taken as zero
    /// while computing).
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let end = self.header_len() as usize;
        let sum = checksum::data(&self.buffer.as_ref()[..end]);
        self.set_checksum(!sum)
    }

    /// The data after the header, up to Total Length or the end of the
    /// buffer, writable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let (start, total) = (self.header_len() as usize, self.total_len() as usize);
        let data = self.buffer.as_mut();
        let end = data.len().min(total);
        &mut data[start..end]
    }
}

/// The meaning of an IPv4 header, for unfragmented packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    /// Source address.
    pub src_addr: Ipv4Addr,
    /// Destination address.
    pub dst_addr: Ipv4Addr,
    /// Protocol of the payload.
    pub next_header: IpProtocol,
    /// Length of the data after the header (and after any options).
    pub payload_len: usize,
    /// Time to Live.
    pub hop_limit: u8,
    /// Identification.
    pub ident: u16,
    /// The Don't Fragment flag.
    pub dont_frag: bool,
    /// DSCP, six bits.
    pub dscp: u8,
    /// ECN, two bits.
    pub ecn: u8,
}

impl Repr {
    /// Reads the header of a packet.
    ///
    /// Fails as [`Packet::check_len`] does, with [`Error::BadVersion`] when
    /// the version is not 4, and with [`Error::Fragment`] for a fragment (More
    /// Fragments set or a non-zero offset). The checksum is *not* verified:
    /// call [`Packet::verify_checksum`] to report it. Options are skipped;
    /// `payload_len` is Total Length less the header length.
    pub fn parse<T: AsRef<[u8]>>(packet: &Packet<T>) -> Result<Repr> {
        packet.check_len()?;
        if packet.version() != 4 {
            return Err(Error::BadVersion { layer: Layer::Ipv4, found: packet.version(), expected: 4 });
        }
        if packet.more_frags() || packet.frag_offset() != 0 {
            return Err(Error::Fragment { offset: packet.frag_offset(), more_frags: packet.more_frags() });
        }
        Ok(Repr {
            src_addr: packet.src_addr(),
            dst_addr: packet.dst_addr(),
            next_header: packet.next_header(),
            payload_len: packet.total_len() as usize - packet.header_len() as usize,
            hop_limit: packet.hop_limit(),
            ident: packet.ident(),
            dont_frag: packet.dont_frag(),
            dscp: packet.dscp(),
            ecn: packet.ecn(),
        })
    }

    /// Length of the header [`Repr::emit`] writes: [`HEADER_LEN`], no options.
    pub const fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// Length of the packet [`Repr::emit`] describes, header and payload: the
    /// Total Length it writes.
    pub const fn total_len(&self) -> usize {
        HEADER_LEN + self.payload_len
    }

    /// Writes a header without options into the first [`HEADER_LEN`] bytes of
    /// `packet`: version 4, IHL 5, Total Length `20 + payload_len`, MF clear,
    /// offset 0, and a filled Header Checksum. The payload is not touched.
    ///
    /// # Panics
    /// If the buffer is shorter than the header, or if Total Length would
    /// exceed 65535.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>) {
        self.emit_with_options(packet, &[])
    }

    /// Writes a header followed by `options` (copied as given, so they may be
    /// deliberately malformed) into the first `20 + options.len()` bytes of
    /// `packet`. IHL and Total Length count the options; the checksum covers
    /// them. With no options this is [`Repr::emit`].
    ///
    /// # Panics
    /// If `options.len()` is not a multiple of four or exceeds
    /// [`MAX_OPTIONS_LEN`], if the buffer is too short for the header, or if
    /// Total Length would exceed 65535.
    // Inlined so that `emit`, once per inner frame, compiles without the
    // options' branches.
    #[inline]
    pub fn emit_with_options<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>, options: &[u8]) {
        assert!(
            options.len() % 4 == 0 && options.len() <= MAX_OPTIONS_LEN,
            "IPv4 options must be a multiple of 4 bytes, at most 40 (got {})",
            options.len()
        );
        let header_len = HEADER_LEN + options.len();
        let total_len = u16::try_from(header_len + self.payload_len)
            .unwrap_or_else(|_| panic!("IPv4 total length {} exceeds 65535", header_len + self.payload_len));
        let flags = if self.dont_frag { FLAG_DF } else { 0 };
        // The fixed header is put together in an array and copied in at once:
        // every byte of it is written (what the setters would leave is never
        // read), and one bounds check on the buffer replaces one per setter.
        // This runs twice per mirror copy (the inner and the outer header).
        let mut h = [0u8; HEADER_LEN];
        h[field::VER_IHL.start] = 4 << 4 | (header_len / 4) as u8;
        h[field::DSCP_ECN.start] = self.dscp << 2 | (self.ecn & 0x03);
        h[field::LENGTH].copy_from_slice(&total_len.to_be_bytes());
        h[field::IDENT].copy_from_slice(&self.ident.to_be_bytes());
        h[field::FLG_OFF].copy_from_slice(&flags.to_be_bytes());
        h[field::TTL.start] = self.hop_limit;
        h[field::PROTOCOL.start] = self.next_header.0;
        h[field::SRC_ADDR].copy_from_slice(&self.src_addr.octets());
        h[field::DST_ADDR].copy_from_slice(&self.dst_addr.octets());
        if options.is_empty() {
            // What `fill_checksum` computes, from the array rather than read
            // back from the buffer.
            let sum = checksum::data(&h);
            h[field::CHECKSUM].copy_from_slice(&(!sum).to_be_bytes());
        }
        let buf = packet.buffer.as_mut();
        buf[..HEADER_LEN].copy_from_slice(&h);
        if options.is_empty() {
            debug_assert!(packet.verify_checksum());
        } else {
            buf[HEADER_LEN..header_len].copy_from_slice(options);
            packet.fill_checksum();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rstest::rstest;

    /// A well-known header (Wikipedia "IPv4 header checksum"): UDP from
    /// 192.168.0.1 to 192.168.0.199, Total Length 115, DF, TTL 64, checksum 0xb861.
    const WIKIPEDIA: [u8; 20] = [
        0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0,
        0xa8, 0x00, 0xc7,
    ];

    /// An IGMPv2 membership report header with the Router Alert option
    /// (RFC 2113: 0x94 0x04 0x00 0x00), DSCP CS6, TTL 1; checksum 0x416a
    /// computed by hand (an independent script) from RFC 1071.
    const ROUTER_ALERT: [u8; 32] = [
        0x46, 0xc0, 0x00, 0x20, 0x00, 0x00, 0x40, 0x00, 0x01, 0x02, 0x41, 0x6a, 0xc0, 0xa8, 0x01, 0x0a, 0xe0,
        0x00, 0x00, 0xfb, 0x94, 0x04, 0x00, 0x00, // options
        0x16, 0x00, 0x09, 0x04, 0xe0, 0x00, 0x00, 0xfb, // IGMP report
    ];

    fn random_repr(rng: &mut impl Rng) -> Repr {
        Repr {
            src_addr: Ipv4Addr::from(rng.random::<u32>()),
            dst_addr: Ipv4Addr::from(rng.random::<u32>()),
            next_header: IpProtocol(rng.random()),
            payload_len: rng.random_range(0..=65535 - 60),
            hop_limit: rng.random(),
            ident: rng.random(),
            dont_frag: rng.random(),
            dscp: rng.random_range(0..64),
            ecn: rng.random_range(0..4),
        }
    }

    #[test]
    fn parses_the_wikipedia_header() {
        let packet = Packet::new_checked(&WIKIPEDIA[..]).unwrap();
        assert_eq!(packet.version(), 4);
        assert_eq!(packet.header_len(), 20);
        assert_eq!(packet.total_len(), 115);
        assert!(packet.dont_frag());
        assert!(!packet.more_frags());
        assert_eq!(packet.frag_offset(), 0);
        assert_eq!(packet.checksum(), 0xb861);
        assert!(packet.verify_checksum());
        assert!(packet.options().is_empty());
        // The capture holds the header only: truncated, not an error.
        assert!(packet.payload().is_empty());
        assert_eq!(
            Repr::parse(&packet).unwrap(),
            Repr {
                src_addr: Ipv4Addr::new(192, 168, 0, 1),
                dst_addr: Ipv4Addr::new(192, 168, 0, 199),
                next_header: IpProtocol::UDP,
                payload_len: 95,
                hop_limit: 64,
                ident: 0,
                dont_frag: true,
                dscp: 0,
                ecn: 0,
            }
        );
    }

    #[test]
    fn emits_the_wikipedia_header_bit_for_bit() {
        let repr = Repr::parse(&Packet::new_checked(&WIKIPEDIA[..]).unwrap()).unwrap();
        let mut bytes = [0xa5u8; HEADER_LEN];
        repr.emit(&mut Packet::new_unchecked(&mut bytes[..]));
        assert_eq!(bytes, WIKIPEDIA);
    }

    #[test]
    fn router_alert_header_parses_and_emits_with_options() {
        let packet = Packet::new_checked(&ROUTER_ALERT[..]).unwrap();
        assert_eq!(packet.header_len(), 24);
        assert_eq!(packet.options(), &[0x94, 0x04, 0x00, 0x00]);
        assert_eq!((packet.dscp(), packet.ecn()), (48, 0));
        assert_eq!(packet.payload(), &ROUTER_ALERT[24..]);
        assert!(packet.verify_checksum());
        let repr = Repr::parse(&packet).unwrap();
        assert_eq!(repr.payload_len, 8);

        let mut bytes = [0u8; 32];
        bytes[24..].copy_from_slice(&ROUTER_ALERT[24..]);
        repr.emit_with_options(&mut Packet::new_unchecked(&mut bytes[..]), &ROUTER_ALERT[20..24]);
        assert_eq!(bytes, ROUTER_ALERT);
    }

    #[rstest]
    // DSCP EF (46), ECN CE (3): 0xbb.
    #[case(46, 3, 0xbb)]
    #[case(0, 1, 0x01)]
    #[case(63, 0, 0xfc)]
    fn dscp_and_ecn_share_the_second_octet(#[case] dscp: u8, #[case] ecn: u8, #[case] octet: u8) {
        let mut bytes = WIKIPEDIA;
        let mut packet = Packet::new_unchecked(&mut bytes[..]);
        packet.set_dscp(dscp);
        packet.set_ecn(ecn);
        assert_eq!(bytes[1], octet);
        let packet = Packet::new_unchecked(&bytes[..]);
        assert_eq!((packet.dscp(), packet.ecn()), (dscp, ecn));
    }

    #[rstest]
    #[case(true, false, 0, [0x40, 0x00])]
    #[case(false, true, 0, [0x20, 0x00])]
    #[case(false, true, 185, [0x20, 0xb9])]
    #[case(false, false, 0x1fff, [0x1f, 0xff])]
    #[case(true, true, 0x1234, [0x72, 0x34])]
    fn flags_and_offset_layout(
        #[case] df: bool,
        #[case] mf: bool,
        #[case] offset: u16,
        #[case] word: [u8; 2],
    ) {
        let mut bytes = [0u8; HEADER_LEN];
        let mut packet = Packet::new_unchecked(&mut bytes[..]);
        packet.set_dont_frag(df);
        packet.set_more_frags(mf);
        packet.set_frag_offset(offset);
        assert_eq!(bytes[6..8], word);
        let packet = Packet::new_unchecked(&bytes[..]);
        assert_eq!((packet.dont_frag(), packet.more_frags(), packet.frag_offset()), (df, mf, offset));
    }

    fn truncated(required: usize, present: usize) -> Error {
        Error::Truncated { layer: Layer::Ipv4, required, present }
    }

    fn bad_ihl(found: usize) -> Error {
        Error::BadHeaderLen { layer: Layer::Ipv4, found, min: 20 }
    }

    fn bad_total(found: usize, min: usize) -> Error {
        Error::BadTotalLen { layer: Layer::Ipv4, found, min }
    }

    #[rstest]
    #[case::empty(&[], truncated(20, 0))]
    #[case::short(&WIKIPEDIA[..19], truncated(20, 19))]
    #[case::ihl_0(&[0x40, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], bad_ihl(0))]
    #[case::ihl_4(&[0x44, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], bad_ihl(16))]
    #[case::options_cut(&ROUTER_ALERT[..23], truncated(24, 23))]
    #[case::ihl_15_in_20(&[0x4f, 0, 0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], truncated(60, 20))]
    #[case::total_below_20(&[0x45, 0, 0, 19, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], bad_total(19, 20))]
    #[case::total_below_24(&[&ROUTER_ALERT[..2], &[0, 23], &ROUTER_ALERT[4..]].concat(), bad_total(23, 24))]
    fn check_len_rejects(#[case] bytes: &[u8], #[case] error: Error) {
        assert_eq!(Packet::new_checked(bytes).unwrap_err(), error);
        assert_eq!(Repr::parse(&Packet::new_unchecked(bytes)).unwrap_err(), error);
    }

    #[test]
    fn total_len_equal_to_header_len_is_fine() {
        let mut bytes = WIKIPEDIA;
        bytes[2..4].copy_from_slice(&20u16.to_be_bytes());
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(Repr::parse(&packet).unwrap().payload_len, 0);
    }

    #[test]
    fn payload_stops_at_total_len_or_buffer_end() {
        let mut bytes = [0u8; 40];
        let repr =
            Repr { payload_len: 10, ..Repr::parse(&Packet::new_checked(&WIKIPEDIA[..]).unwrap()).unwrap() };
        repr.emit(&mut Packet::new_unchecked(&mut bytes[..]));
        // Ethernet padding after Total Length is not payload.
        assert_eq!(Packet::new_checked(&bytes[..]).unwrap().payload().len(), 10);
        assert_eq!(Packet::new_unchecked(&mut bytes[..]).payload_mut().len(), 10);
        // A truncated capture keeps what it has.
        assert_eq!(Packet::new_checked(&bytes[..25]).unwrap().payload().len(), 5);
    }

    #[rstest]
    #[case::version_6(0x65, Error::BadVersion { layer: Layer::Ipv4, found: 6, expected: 4 })]
    #[case::version_0(0x05, Error::BadVersion { layer: Layer::Ipv4, found: 0, expected: 4 })]
    fn parse_rejects_other_versions(#[case] ver_ihl: u8, #[case] error: Error) {
        let mut bytes = WIKIPEDIA;
        bytes[0] = ver_ihl;
        assert_eq!(Repr::parse(&Packet::new_checked(&bytes[..]).unwrap()).unwrap_err(), error);
    }

    #[rstest]
    #[case::first_fragment(false, true, 0)]
    #[case::last_fragment(false, false, 185)]
    #[case::middle_fragment(false, true, 185)]
    #[case::df_and_offset(true, false, 1)]
    fn parse_refuses_fragments(#[case] df: bool, #[case] mf: bool, #[case] offset: u16) {
        let mut bytes = WIKIPEDIA;
        let mut packet = Packet::new_unchecked(&mut bytes[..]);
        packet.set_dont_frag(df);
        packet.set_more_frags(mf);
        packet.set_frag_offset(offset);
        packet.fill_checksum();
        assert_eq!(
            Repr::parse(&Packet::new_checked(&bytes[..]).unwrap()).unwrap_err(),
            Error::Fragment { offset, more_frags: mf }
        );
    }

    #[test]
    fn parse_does_not_verify_the_checksum() {
        let mut bytes = WIKIPEDIA;
        bytes[11] ^= 1;
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert!(!packet.verify_checksum());
        assert!(Repr::parse(&packet).is_ok());
    }

    #[test]
    #[should_panic(expected = "multiple of 4")]
    fn emit_with_unaligned_options_panics() {
        let repr = Repr::parse(&Packet::new_checked(&WIKIPEDIA[..]).unwrap()).unwrap();
        repr.emit_with_options(&mut Packet::new_unchecked(&mut [0u8; 60][..]), &[1, 1, 1]);
    }

    #[test]
    #[should_panic(expected = "multiple of 4")]
    fn emit_with_too_many_options_panics() {
        let repr = Repr::parse(&Packet::new_checked(&WIKIPEDIA[..]).unwrap()).unwrap();
        repr.emit_with_options(&mut Packet::new_unchecked(&mut [0u8; 80][..]), &[1; 44]);
    }

    #[test]
    fn emit_then_parse_round_trips_random_headers() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        let mut bytes = [0u8; HEADER_LEN + MAX_OPTIONS_LEN + 8];
        for _ in 0..4000 {
            let repr = random_repr(&mut rng);
            let options_len = 4 * rng.random_range(0..=MAX_OPTIONS_LEN / 4);
            let options: Vec<u8> = (0..options_len).map(|_| rng.random()).collect();
            rng.fill(&mut bytes[..]);
            repr.emit_with_options(&mut Packet::new_unchecked(&mut bytes[..]), &options);

            let packet = Packet::new_checked(&bytes[..]).unwrap();
            assert!(packet.verify_checksum(), "{repr:?}");
            assert_eq!(packet.header_len() as usize, HEADER_LEN + options_len);
            assert_eq!(packet.total_len() as usize, HEADER_LEN + options_len + repr.payload_len);
            assert_eq!(packet.total_len() as usize, repr.total_len() + options_len);
            assert_eq!(repr.header_len(), HEADER_LEN);
            assert_eq!(packet.options(), &options[..]);
            assert_eq!(
                packet.payload().len(),
                (bytes.len() - packet.header_len() as usize).min(repr.payload_len)
            );
            assert_eq!(Repr::parse(&packet).unwrap(), repr);

            // Any single flipped header bit breaks the checksum.
            let bit = rng.random_range(0..packet.header_len() as usize * 8);
            bytes[bit / 8] ^= 1 << (bit % 8);
            assert!(!Packet::new_unchecked(&bytes[..]).verify_checksum());
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(40);
        let mut bytes = [0u8; 72];
        for _ in 0..4000 {
            let len = rng.random_range(0..=bytes.len());
            rng.fill(&mut bytes[..len]);
            // Make plausible headers common enough to reach the later checks.
            if rng.random() {
                bytes[0] = 0x40 | (bytes[0] & 0x0f);
            }
            let data = &bytes[..len];
            let _ = Repr::parse(&Packet::new_unchecked(data));
            if let Ok(packet) = Packet::new_checked(data) {
                let _ = (packet.options(), packet.payload(), packet.verify_checksum());
                if let Ok(repr) = Repr::parse(&packet) {
                    assert_eq!(repr.payload_len + packet.header_len() as usize, packet.total_len() as usize);
                }
            }
        }
    }
}
