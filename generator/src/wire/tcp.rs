//! TCP segments (RFC 9293 section 3.1) and the options a Linux stack puts on
//! them: Maximum Segment Size (RFC 9293 section 3.2), Window Scale and
//! Timestamps (RFC 7323 sections 2.2 and 3.2), SACK-Permitted and SACK
//! (RFC 2018 sections 2 and 3).
//!
//! A [`Packet`] covers exactly one segment, header and payload: TCP has no
//! length field, so callers slice the buffer to the IP payload first. The
//! checksum covers the pseudo-header (RFC 9293 section 3.1) and the whole
//! buffer; [`Repr::emit`] leaves it zero so that the payload can be copied in
//! before [`Packet::fill_checksum`] is called.
//!
//! ```
//! use generator::wire::tcp::{Packet, Repr, TcpFlags};
//! use std::net::{IpAddr, Ipv4Addr};
//!
//! let repr = Repr {
//!     src_port: 51234,
//!     dst_port: 443,
//!     seq_number: 0x1a2b_3c4d,
//!     ack_number: 0,
//!     flags: TcpFlags::SYN,
//!     window_len: 62727,
//!     urgent_pointer: 0,
//!     max_seg_size: Some(1460),
//!     window_scale: Some(7),
//!     sack_permitted: true,
//!     sack_ranges: [None; 3],
//!     timestamp: Some((0x0bad_cafe, 0)),
//!     payload_len: 0,
//! };
//! let mut bytes = vec![0u8; repr.total_len()];
//! let mut packet = Packet::new_unchecked(&mut bytes[..]);
//! repr.emit(&mut packet);
//! let (src, dst) = (IpAddr::V4(Ipv4Addr::new(10, 0, 1, 5)), IpAddr::V4(Ipv4Addr::new(10, 0, 2, 10)));
//! packet.fill_checksum(&src, &dst);
//! // MSS, SACK-permitted, timestamps, NOP, window scale: the layout of a Linux SYN.
//! assert_eq!(
//!     packet.options(),
//!     [2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0x0b, 0xad, 0xca, 0xfe, 0, 0, 0, 0, 1, 3, 3, 7]
//! );
//!
//! let packet = Packet::new_checked(&bytes[..]).unwrap();
//! assert!(packet.verify_checksum(&src, &dst));
//! assert_eq!(Repr::parse(&packet).unwrap(), repr);
//! ```

use crate::wire::checksum::{combine, data, pseudo_header};
use crate::wire::field::{read_u16, read_u32, read_u8, write_u16, write_u32};
use crate::wire::{Error, IpProtocol, Layer, Result};
use std::net::IpAddr;

mod flags;
mod options;

pub use flags::TcpFlags;
pub use options::{kind, TcpOption, TcpOptionIter};

/// The fields of the header (RFC 9293 section 3.1), as byte ranges.
pub mod field {
    use crate::wire::field::Field;
    /// Source Port.
    pub const SRC_PORT: Field = 0..2;
    /// Destination Port.
    pub const DST_PORT: Field = 2..4;
    /// Sequence Number.
    pub const SEQ_NUM: Field = 4..8;
    /// Acknowledgment Number.
    pub const ACK_NUM: Field = 8..12;
    /// The byte holding Data Offset (high four bits).
    pub const DATA_OFFSET: Field = 12..13;
    /// Data offset (4 bits), reserved (4 bits) and control bits (8 bits).
    pub const FLAGS: Field = 12..14;
    /// Window.
    pub const WIN_SIZE: Field = 14..16;
    /// Checksum.
    pub const CHECKSUM: Field = 16..18;
    /// Urgent Pointer.
    pub const URGENT: Field = 18..20;
    /// Where the options start, if Data Offset is above 5.
    pub const OPTIONS: usize = 20;
}

/// Length of the TCP header without options (data offset 5).
pub const HEADER_LEN: usize = field::OPTIONS;

/// Length of the longest TCP header (data offset 15, RFC 9293 section 3.1).
pub const MAX_HEADER_LEN: usize = 60;

/// Room for options: [`MAX_HEADER_LEN`] less [`HEADER_LEN`].
pub const MAX_OPTIONS_LEN: usize = MAX_HEADER_LEN - HEADER_LEN;

/// The bits of the data-offset word that are not the data offset: the
/// reserved bits and the control bits (RFC 9293 section 3.1).
const FLAGS_MASK: u16 = 0x0fff;

/// A read/write view of a TCP segment: header, options and payload.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it; getters may panic on a short
    /// buffer or a data offset below 5. Use [`Packet::new_checked`] for
    /// untrusted input.
    pub const fn new_unchecked(buffer: T) -> Packet<T> {
        Packet { buffer }
    }

    /// Wraps a buffer after checking that it holds a whole header, options
    /// included, so that no getter can panic.
    pub fn new_checked(buffer: T) -> Result<Packet<T>> {
        let packet = Self::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Fails with [`Error::Truncated`] when the buffer is shorter than 20
    /// bytes or than the data offset says, and with [`Error::BadHeaderLen`]
    /// when the data offset is below 5 (RFC 9293 section 3.1).
    pub fn check_len(&self) -> Result<()> {
        let len = self.buffer.as_ref().len();
        Error::need(Layer::Tcp, HEADER_LEN, len)?;
        let header_len = self.header_len() as usize;
        if header_len < HEADER_LEN {
            return Err(Error::BadHeaderLen { layer: Layer::Tcp, found: header_len, min: HEADER_LEN });
        }
        Error::need(Layer::Tcp, header_len, len)
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Source port.
    pub fn src_port(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::SRC_PORT)
    }

    /// Destination port.
    pub fn dst_port(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::DST_PORT)
    }

    /// Sequence number.
    pub fn seq_number(&self) -> u32 {
        read_u32(self.buffer.as_ref(), field::SEQ_NUM)
    }

    /// Acknowledgment number (meaningful when ACK is set).
    pub fn ack_number(&self) -> u32 {
        read_u32(self.buffer.as_ref(), field::ACK_NUM)
    }

    /// Header length in bytes, options included: the data offset times four.
    pub fn header_len(&self) -> u8 {
        (read_u8(self.buffer.as_ref(), field::DATA_OFFSET) >> 4) * 4
    }

    /// Control bits and reserved bits (the twelve bits after the data offset).
    pub fn flags(&self) -> TcpFlags {
        TcpFlags(read_u16(self.buffer.as_ref(), field::FLAGS) & FLAGS_MASK)
    }

    /// Receive window, not scaled.
    pub fn window_len(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::WIN_SIZE)
    }

    /// Checksum field as found.
    pub fn checksum(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::CHECKSUM)
    }

    /// Urgent pointer (meaningful when URG is set).
    pub fn urgent_at(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::URGENT)
    }

    /// The option bytes, between the fixed header and the data offset.
    pub fn options(&self) -> &[u8] {
        &self.buffer.as_ref()[field::OPTIONS..self.header_len() as usize]
    }

    /// The options, decoded one by one.
    pub fn option_iter(&self) -> TcpOptionIter<'_> {
        TcpOptionIter::new(self.options())
    }

    /// The bytes after the header: the rest of the buffer.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[self.header_len() as usize..]
    }

    /// Whether the checksum is right for a segment from `src` to `dst`: the
    /// sum over the pseudo-header and the whole buffer is all ones.
    pub fn verify_checksum(&self, src: &IpAddr, dst: &IpAddr) -> bool {
        let bytes = self.buffer.as_ref();
        combine(&[pseudo_header(src, dst, IpProtocol::TCP, bytes.len() as u32), data(bytes)]) == 0xffff
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the source port.
    pub fn set_src_port(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::SRC_PORT, value)
    }

    /// Sets the destination port.
    pub fn set_dst_port(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::DST_PORT, value)
    }

    /// Sets the sequence number.
    pub fn set_seq_number(&mut self, value: u32) {
        write_u32(self.buffer.as_mut(), field::SEQ_NUM, value)
    }

    /// Sets the acknowledgment number.
    pub fn set_ack_number(&mut self, value: u32) {
        write_u32(self.buffer.as_mut(), field::ACK_NUM, value)
    }

    /// Sets the data offset from a header length in bytes, a multiple of four
    /// from 20 to 60; the flags are left alone.
    pub fn set_header_len(&mut self, value: u8) {
        debug_assert!(value & 3 == 0 && (HEADER_LEN..=MAX_HEADER_LEN).contains(&(value as usize)));
        let byte = &mut self.buffer.as_mut()[field::DATA_OFFSET.start];
        *byte = (*byte & 0x0f) | ((value / 4) << 4);
    }

    /// Sets the control and reserved bits; the data offset is left alone and
    /// bits above `0x0fff` are dropped.
    pub fn set_flags(&mut self, value: TcpFlags) {
        let raw = (read_u16(self.buffer.as_ref(), field::FLAGS) & !FLAGS_MASK) | (value.0 & FLAGS_MASK);
        write_u16(self.buffer.as_mut(), field::FLAGS, raw)
    }

    /// Sets the receive window.
    pub fn set_window_len(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::WIN_SIZE, value)
    }

    /// Sets the checksum field.
    pub fn set_checksum(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::CHECKSUM, value)
    }

    /// Sets the urgent pointer.
    pub fn set_urgent_at(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::URGENT, value)
    }

    /// The option bytes, writable.
    pub fn options_mut(&mut self) -> &mut [u8] {
        let end = self.header_len() as usize;
        &mut self.buffer.as_mut()[field::OPTIONS..end]
    }

    /// The bytes after the header, writable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let start = self.header_len() as usize;
        &mut self.buffer.as_mut()[start..]
    }

    /// Computes the checksum over the pseudo-header for `src` and `dst`
    /// (RFC 9293 section 3.1) and the whole buffer, and writes it. Call it
    /// after the payload is in place.
    pub fn fill_checksum(&mut self, src: &IpAddr, dst: &IpAddr) {
        self.set_checksum(0);
        let bytes = self.buffer.as_ref();
        let sum = combine(&[pseudo_header(src, dst, IpProtocol::TCP, bytes.len() as u32), data(bytes)]);
        self.set_checksum(!sum)
    }
}

/// The meaning of a TCP header and the length of its payload.
///
/// The options are those Linux sends; [`Repr::emit`] lays them out as Linux
/// does, and [`Repr::parse`] accepts them in any order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Sequence number.
    pub seq_number: u32,
    /// Acknowledgment number.
    pub ack_number: u32,
    /// Control bits (and reserved bits, carried through).
    pub flags: TcpFlags,
    /// Receive window, not scaled.
    pub window_len: u16,
    /// Urgent pointer.
    pub urgent_pointer: u16,
    /// Maximum Segment Size option.
    pub max_seg_size: Option<u16>,
    /// Window Scale option: the shift count.
    pub window_scale: Option<u8>,
    /// SACK-Permitted option.
    pub sack_permitted: bool,
    /// SACK option blocks, `(left edge, right edge)`. Emit writes the `Some`
    /// entries in order; parse fills the slots from the front.
    pub sack_ranges: [Option<(u32, u32)>; 3],
    /// Timestamps option: `(tsval, tsecr)`.
    pub timestamp: Option<(u32, u32)>,
    /// Length of the payload after the header.
    pub payload_len: usize,
}

impl Repr {
    /// Reads the header of a segment. Options may come in any order; unknown
    /// ones are skipped, a repeated one overrides the earlier, and an End of
    /// Option List ends them. `payload_len` is the rest of the buffer, which
    /// must be the IP payload exactly.
    ///
    /// Fails as [`Packet::check_len`] does, and as [`TcpOption::parse`] does
    /// on an option whose length is wrong (see [`TcpOption::parse`]). The
    /// checksum is not checked; see [`Packet::verify_checksum`].
    pub fn parse<T: AsRef<[u8]>>(packet: &Packet<T>) -> Result<Repr> {
        packet.check_len()?;
        let mut repr = Repr {
            src_port: packet.src_port(),
            dst_port: packet.dst_port(),
            seq_number: packet.seq_number(),
            ack_number: packet.ack_number(),
            flags: packet.flags(),
            window_len: packet.window_len(),
            urgent_pointer: packet.urgent_at(),
            max_seg_size: None,
            window_scale: None,
            sack_permitted: false,
            sack_ranges: [None; 3],
            timestamp: None,
            payload_len: packet.payload().len(),
        };
        for option in packet.option_iter() {
            match option? {
                TcpOption::EndOfList | TcpOption::NoOperation | TcpOption::Unknown { .. } => {}
                TcpOption::MaxSegmentSize(mss) => repr.max_seg_size = Some(mss),
                TcpOption::WindowScale(shift) => repr.window_scale = Some(shift),
                TcpOption::SackPermitted => repr.sack_permitted = true,
                TcpOption::SackRange(ranges) => repr.sack_ranges = ranges,
                TcpOption::Timestamp { tsval, tsecr } => repr.timestamp = Some((tsval, tsecr)),
            }
        }
        Ok(repr)
    }

    /// Length of the options other than SACK blocks, in the Linux layout.
    fn fixed_options_len(&self) -> usize {
        let mut len = 0;
        if self.max_seg_size.is_some() {
            len += 4; // MSS
        }
        if self.timestamp.is_some() {
            len += 12; // SACK_PERM TS, or NOP NOP TS
        } else if self.sack_permitted {
            len += 4; // NOP NOP SACK_PERM
        }
        if self.window_scale.is_some() {
            len += 4; // NOP WS
        }
        len
    }

    /// How many SACK blocks emit writes: the `Some` entries of `sack_ranges`,
    /// as many as fit in 40 option bytes (at least two always do).
    fn sack_block_count(&self) -> usize {
        let room = MAX_OPTIONS_LEN - self.fixed_options_len() - 4; // NOP NOP kind length
        self.sack_ranges.iter().flatten().count().min(room / 8)
    }

    /// Length of the header this emits, options and padding included: 20 to 60.
    pub fn header_len(&self) -> usize {
        let sack = match self.sack_block_count() {
            0 => 0,
            n => 4 + 8 * n,
        };
        // Every piece of the Linux layout is a multiple of four long already;
        // the rounding only matters if that ever changes.
        HEADER_LEN + (self.fixed_options_len() + sack).next_multiple_of(4)
    }

    /// Length of the segment this describes: header and payload.
    pub fn total_len(&self) -> usize {
        self.header_len() + self.payload_len
    }

    /// Writes the header and options into the first [`Repr::header_len`]
    /// bytes of `packet`, which should be [`Repr::total_len`] long. The
    /// checksum is left zero: copy the payload in, then call
    /// [`Packet::fill_checksum`].
    ///
    /// Options are laid out as Linux lays them out (`tcp_options_write`),
    /// each group a multiple of four bytes:
    ///
    /// * `MSS(2,4,mss)`;
    /// * with timestamps, `SACK_PERM(4,2) TS(8,10,tsval,tsecr)` when SACK is
    ///   permitted, else `NOP NOP TS(..)`; without, `NOP NOP SACK_PERM(4,2)`
    ///   when SACK is permitted;
    /// * `NOP WS(3,3,shift)`;
    /// * `NOP NOP SACK(5,2+8n,..)`.
    ///
    /// A SYN with everything gets the familiar 20 bytes `MSS SACK_PERM TS NOP
    /// WS`. Any room left to a multiple of four is padded with End of Option
    /// List bytes. SACK blocks that would take the options past 40 bytes are
    /// dropped, last first: with timestamps and MSS or window scale only two
    /// of three fit.
    ///
    /// # Panics
    /// If `packet` is shorter than [`Repr::header_len`].
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>) {
        packet.set_src_port(self.src_port);
        packet.set_dst_port(self.dst_port);
        packet.set_seq_number(self.seq_number);
        packet.set_ack_number(self.ack_number);
        packet.set_header_len(self.header_len() as u8);
        packet.set_flags(self.flags);
        packet.set_window_len(self.window_len);
        packet.set_checksum(0);
        packet.set_urgent_at(self.urgent_pointer);

        let mut out = packet.options_mut();
        if let Some(mss) = self.max_seg_size {
            out = TcpOption::MaxSegmentSize(mss).emit(out);
        }
        if let Some((tsval, tsecr)) = self.timestamp {
            out = if self.sack_permitted {
                TcpOption::SackPermitted.emit(out)
            } else {
                TcpOption::NoOperation.emit(TcpOption::NoOperation.emit(out))
            };
            out = TcpOption::Timestamp { tsval, tsecr }.emit(out);
        } else if self.sack_permitted {
            out = TcpOption::NoOperation.emit(TcpOption::NoOperation.emit(out));
            out = TcpOption::SackPermitted.emit(out);
        }
        if let Some(shift) = self.window_scale {
            out = TcpOption::NoOperation.emit(out);
            out = TcpOption::WindowScale(shift).emit(out);
        }
        let blocks = self.sack_block_count();
        if blocks > 0 {
            let mut ranges = [None; 3];
            for (slot, range) in ranges.iter_mut().zip(self.sack_ranges.iter().flatten()).take(blocks) {
                *slot = Some(*range);
            }
            out = TcpOption::NoOperation.emit(TcpOption::NoOperation.emit(out));
            out = TcpOption::SackRange(ranges).emit(out);
        }
        out.fill(kind::END);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rstest::rstest;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    fn v4(a: [u8; 4]) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(a))
    }

    fn v6(s: &str) -> IpAddr {
        IpAddr::V6(s.parse::<Ipv6Addr>().unwrap())
    }

    /// A repr with no options, to be filled in by each test.
    fn bare() -> Repr {
        Repr {
            src_port: 51234,
            dst_port: 443,
            seq_number: 0x1a2b_3c4d,
            ack_number: 0,
            flags: TcpFlags::SYN,
            window_len: 62727,
            urgent_pointer: 0,
            max_seg_size: None,
            window_scale: None,
            sack_permitted: false,
            sack_ranges: [None; 3],
            timestamp: None,
            payload_len: 0,
        }
    }

    fn emit(repr: &Repr, payload: &[u8], src: &IpAddr, dst: &IpAddr) -> Vec<u8> {
        let mut bytes = vec![0xa5u8; repr.total_len()];
        let mut packet = Packet::new_unchecked(&mut bytes[..]);
        repr.emit(&mut packet);
        packet.payload_mut().copy_from_slice(payload);
        packet.fill_checksum(src, dst);
        bytes
    }

    // Segments built by Scapy 2.8 (an independent encoder), checksum included.
    const SYN_V4: &str = "c822 01bb 1a2b3c4d 00000000 a002 f507 44e8 0000 \
                          020405b4 0402 080a 0badcafe 00000000 01 030307";
    const PSH_ACK_V6: &str = "01bb c822 11223344 1a2b3c4e 8018 01f5 9605 0000 \
                              0101 080a 01020304 0badcafe 68656c6c6f";

    #[test]
    fn linux_syn_matches_scapy_byte_for_byte() {
        let repr = Repr {
            max_seg_size: Some(1460),
            sack_permitted: true,
            timestamp: Some((0x0bad_cafe, 0)),
            window_scale: Some(7),
            ..bare()
        };
        let (src, dst) = (v4([10, 0, 1, 5]), v4([10, 0, 2, 10]));
        let bytes = emit(&repr, &[], &src, &dst);
        assert_eq!(bytes, hex(SYN_V4));
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(packet.checksum(), 0x44e8);
        assert!(packet.verify_checksum(&src, &dst));
        assert_eq!(Repr::parse(&packet).unwrap(), repr);
    }

    #[test]
    fn ipv6_psh_ack_with_payload_matches_scapy_byte_for_byte() {
        let repr = Repr {
            src_port: 443,
            dst_port: 51234,
            seq_number: 0x1122_3344,
            ack_number: 0x1a2b_3c4e,
            flags: TcpFlags::PSH | TcpFlags::ACK,
            window_len: 501,
            timestamp: Some((0x0102_0304, 0x0bad_cafe)),
            payload_len: 5,
            ..bare()
        };
        let (src, dst) = (v6("2001:db8::1"), v6("2001:db8::2"));
        let bytes = emit(&repr, b"hello", &src, &dst);
        assert_eq!(bytes, hex(PSH_ACK_V6));
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert!(packet.verify_checksum(&src, &dst));
        assert_eq!(packet.payload(), b"hello");
        assert_eq!(Repr::parse(&packet).unwrap(), repr);
    }

    #[test]
    fn getters_read_the_scapy_syn() {
        let bytes = hex(SYN_V4);
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(packet.src_port(), 51234);
        assert_eq!(packet.dst_port(), 443);
        assert_eq!(packet.seq_number(), 0x1a2b_3c4d);
        assert_eq!(packet.ack_number(), 0);
        assert_eq!(packet.header_len(), 40);
        assert_eq!(packet.flags(), TcpFlags::SYN);
        assert_eq!(packet.window_len(), 62727);
        assert_eq!(packet.urgent_at(), 0);
        assert_eq!(packet.options().len(), 20);
        assert!(packet.payload().is_empty());
        let options: Vec<_> = packet.option_iter().map(|o| o.unwrap()).collect();
        assert_eq!(
            options,
            [
                TcpOption::MaxSegmentSize(1460),
                TcpOption::SackPermitted,
                TcpOption::Timestamp { tsval: 0x0bad_cafe, tsecr: 0 },
                TcpOption::NoOperation,
                TcpOption::WindowScale(7),
            ]
        );
        assert_eq!(packet.into_inner().len(), 40);
    }

    const TS: Option<(u32, u32)> = Some((0x0102_0304, 0x0506_0708));

    #[rstest]
    #[case::nothing(None, false, None, None, [None; 3], "")]
    #[case::linux_syn(Some(1460), true, TS, Some(7), [None; 3],
        "020405b4 0402 080a 01020304 05060708 01 030307")]
    #[case::syn_no_sack(Some(8961), false, TS, Some(9), [None; 3],
        "02042301 0101 080a 01020304 05060708 01 030309")]
    #[case::syn_no_timestamps(Some(1460), true, None, Some(7), [None; 3],
        "020405b4 0101 0402 01 030307")]
    #[case::syn_mss_only(Some(536), false, None, None, [None; 3], "02040218")]
    #[case::timestamps_only(None, false, TS, None, [None; 3], "0101 080a 01020304 05060708")]
    #[case::sack_permitted_only(None, true, None, None, [None; 3], "0101 0402")]
    #[case::window_scale_only(None, false, None, Some(14), [None; 3], "01 03030e")]
    #[case::one_sack_block(None, false, TS, None, [Some((100, 200)), None, None],
        "0101 080a 01020304 05060708 0101 050a 00000064 000000c8")]
    #[case::three_sack_blocks(None, false, TS, None, [Some((1, 2)), Some((3, 4)), Some((5, 6))],
        "0101 080a 01020304 05060708 0101 051a 00000001 00000002 00000003 00000004 00000005 00000006")]
    #[case::none_entries_are_skipped(None, false, None, None, [None, Some((7, 8)), None],
        "0101 050a 00000007 00000008")]
    #[case::third_block_dropped(Some(1460), true, TS, Some(7), [Some((1, 2)), Some((3, 4)), Some((5, 6))],
        "020405b4 0402 080a 01020304 05060708 01 030307 0101 0512 00000001 00000002 00000003 00000004")]
    fn options_use_the_linux_layout(
        #[case] max_seg_size: Option<u16>,
        #[case] sack_permitted: bool,
        #[case] timestamp: Option<(u32, u32)>,
        #[case] window_scale: Option<u8>,
        #[case] sack_ranges: [Option<(u32, u32)>; 3],
        #[case] expected: &str,
    ) {
        let repr = Repr { max_seg_size, sack_permitted, timestamp, window_scale, sack_ranges, ..bare() };
        let expected = hex(expected);
        assert_eq!(repr.header_len(), HEADER_LEN + expected.len());
        let mut bytes = vec![0xa5u8; repr.total_len()];
        repr.emit(&mut Packet::new_unchecked(&mut bytes[..]));
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(packet.options(), expected);
        assert_eq!(packet.header_len() as usize, repr.header_len());
        assert!(repr.header_len() <= MAX_HEADER_LEN);
    }

    #[test]
    fn fixed_header_layout_and_zero_checksum() {
        let repr = Repr {
            src_port: 0x0102,
            dst_port: 0x0304,
            seq_number: 0x0506_0708,
            ack_number: 0x090a_0b0c,
            flags: TcpFlags(0xfff),
            window_len: 0x0d0e,
            urgent_pointer: 0x1112,
            payload_len: 2,
            ..bare()
        };
        let mut bytes = [0xa5u8; 22];
        repr.emit(&mut Packet::new_unchecked(&mut bytes[..]));
        assert_eq!(
            bytes,
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x5f, 0xff, 0x0d, 0x0e, 0, 0, 0x11, 0x12, 0xa5, 0xa5]
        );
    }

    #[test]
    fn flags_and_header_len_setters_leave_each_other_alone() {
        let mut bytes = [0u8; 60];
        let mut packet = Packet::new_unchecked(&mut bytes[..]);
        packet.set_flags(TcpFlags(0xffff));
        packet.set_header_len(60);
        assert_eq!(packet.flags(), TcpFlags(0x0fff));
        assert_eq!(packet.header_len(), 60);
        packet.set_flags(TcpFlags::ACK);
        assert_eq!(packet.header_len(), 60);
        packet.set_header_len(20);
        assert_eq!(packet.flags(), TcpFlags::ACK);
        assert_eq!(packet.payload().len(), 40);
    }

    #[rstest]
    #[case(0, 20, Error::Truncated { layer: Layer::Tcp, required: 20, present: 0 })]
    #[case(19, 20, Error::Truncated { layer: Layer::Tcp, required: 20, present: 19 })]
    #[case(20, 0, Error::BadHeaderLen { layer: Layer::Tcp, found: 0, min: 20 })]
    #[case(40, 16, Error::BadHeaderLen { layer: Layer::Tcp, found: 16, min: 20 })]
    #[case(20, 24, Error::Truncated { layer: Layer::Tcp, required: 24, present: 20 })]
    #[case(59, 60, Error::Truncated { layer: Layer::Tcp, required: 60, present: 59 })]
    fn bad_lengths_are_errors_not_panics(#[case] len: usize, #[case] header_len: u8, #[case] err: Error) {
        let mut bytes = vec![0u8; len.max(HEADER_LEN)];
        bytes[12] = (header_len / 4) << 4;
        bytes.truncate(len);
        assert_eq!(Packet::new_checked(&bytes[..]).unwrap_err(), err);
        assert_eq!(Repr::parse(&Packet::new_unchecked(&bytes[..])).unwrap_err(), err);
    }

    #[rstest]
    #[case(20, 20)]
    #[case(24, 24)]
    #[case(61, 60)]
    fn good_lengths_are_accepted(#[case] len: usize, #[case] header_len: u8) {
        let mut bytes = vec![1u8; len];
        bytes[12] = (header_len / 4) << 4;
        let packet = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(packet.options().len(), header_len as usize - HEADER_LEN);
        assert_eq!(packet.payload().len(), len - header_len as usize);
    }

    #[test]
    fn parse_reads_options_in_any_order_and_skips_unknown_ones() {
        // WS, unknown kind 30, TS, MSS, SACK_PERM, SACK, EOL, then padding that is not an option.
        let opts = hex("030302 1e03ff 080a0000000a0000000b 020405dc 0402 050a0000000100000002 00 05");
        let header_len = HEADER_LEN + opts.len().next_multiple_of(4);
        let mut bytes = vec![0u8; header_len + 3];
        bytes[12] = ((header_len / 4) << 4) as u8;
        bytes[13] = 0x10;
        bytes[HEADER_LEN..HEADER_LEN + opts.len()].copy_from_slice(&opts);
        let repr = Repr::parse(&Packet::new_checked(&bytes[..]).unwrap()).unwrap();
        assert_eq!(repr.window_scale, Some(2));
        assert_eq!(repr.timestamp, Some((10, 11)));
        assert_eq!(repr.max_seg_size, Some(1500));
        assert!(repr.sack_permitted);
        assert_eq!(repr.sack_ranges, [Some((1, 2)), None, None]);
        assert_eq!(repr.flags, TcpFlags::ACK);
        assert_eq!(repr.payload_len, 3);
    }

    #[test]
    fn parse_rejects_a_bad_option() {
        let mut bytes = [0u8; 24];
        bytes[12] = 0x60;
        bytes[20..24].copy_from_slice(&[8, 4, 0, 0]);
        assert_eq!(
            Repr::parse(&Packet::new_checked(&bytes[..]).unwrap()).unwrap_err(),
            Error::BadOptionLen { layer: Layer::Tcp, kind: 8, found: 4, expected: "10" }
        );
    }

    fn random_repr(rng: &mut ChaCha8Rng) -> Repr {
        let mut sack_ranges = [None; 3];
        for slot in sack_ranges.iter_mut().take(rng.random_range(0..=3)) {
            *slot = Some((rng.random(), rng.random()));
        }
        Repr {
            src_port: rng.random(),
            dst_port: rng.random(),
            seq_number: rng.random(),
            ack_number: rng.random(),
            flags: TcpFlags(rng.random::<u16>() & 0x0fff),
            window_len: rng.random(),
            urgent_pointer: rng.random(),
            max_seg_size: rng.random::<bool>().then(|| rng.random()),
            window_scale: rng.random::<bool>().then(|| rng.random()),
            sack_permitted: rng.random(),
            sack_ranges,
            timestamp: rng.random::<bool>().then(|| (rng.random(), rng.random())),
            payload_len: rng.random_range(0..64),
        }
    }

    fn random_addrs(rng: &mut ChaCha8Rng) -> (IpAddr, IpAddr) {
        if rng.random() {
            (v4(rng.random()), v4(rng.random()))
        } else {
            (
                IpAddr::V6(Ipv6Addr::from(rng.random::<u128>())),
                IpAddr::V6(Ipv6Addr::from(rng.random::<u128>())),
            )
        }
    }

    #[test]
    fn emit_then_parse_round_trips_random_segments() {
        let mut rng = ChaCha8Rng::seed_from_u64(9293);
        let mut payload = [0u8; 64];
        for _ in 0..4000 {
            let repr = random_repr(&mut rng);
            let (src, dst) = random_addrs(&mut rng);
            rng.fill(&mut payload[..]);
            let bytes = emit(&repr, &payload[..repr.payload_len], &src, &dst);
            assert!(bytes.len() <= MAX_HEADER_LEN + 64);

            let packet = Packet::new_checked(&bytes[..]).unwrap();
            assert!(packet.verify_checksum(&src, &dst), "{repr:?}");
            assert_eq!(packet.payload(), &payload[..repr.payload_len]);
            assert_eq!(packet.options().len() % 4, 0);
            assert!(packet.option_iter().all(|o| o.is_ok()));

            // Only SACK blocks that do not fit are lost.
            let mut expected = repr;
            let kept = repr.sack_block_count();
            for slot in expected.sack_ranges.iter_mut().skip(kept) {
                *slot = None;
            }
            assert!(kept >= repr.sack_ranges.iter().flatten().count().min(2));
            assert_eq!(Repr::parse(&packet).unwrap(), expected);

            // Any single flipped bit breaks the checksum.
            let mut broken = bytes.clone();
            let bit = rng.random_range(0..broken.len() * 8);
            broken[bit / 8] ^= 1 << (bit % 8);
            assert!(!Packet::new_unchecked(&broken[..]).verify_checksum(&src, &dst));
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = ChaCha8Rng::seed_from_u64(7323);
        let mut bytes = [0u8; 80];
        for _ in 0..5000 {
            rng.fill(&mut bytes[..]);
            let len = rng.random_range(0..=bytes.len());
            let buffer = &bytes[..len];
            let _ = TcpOption::parse(buffer);
            let _ = TcpOptionIter::new(buffer).count();
            if let Ok(packet) = Packet::new_checked(buffer) {
                let _ = (packet.src_port(), packet.dst_port(), packet.seq_number(), packet.ack_number());
                let _ = (packet.flags(), packet.window_len(), packet.checksum(), packet.urgent_at());
                let _ = (packet.options(), packet.payload(), packet.option_iter().count());
                let _ = packet.verify_checksum(&v4([1, 2, 3, 4]), &v4([5, 6, 7, 8]));
                let _ = Repr::parse(&packet);
            }
        }
    }
}
