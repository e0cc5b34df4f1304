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
        // The header is put together in an array and copied in at once: one
        // bounds check on the buffer instead of one per field and option, and
        // this runs per segment. Every byte up to the data offset is written.
        let len = self.header_len();
        let mut h = [0u8; MAX_HEADER_LEN];
        h[field::SRC_PORT].copy_from_slice(&self.src_port.to_be_bytes());
        h[field::DST_PORT].copy_from_slice(&self.dst_port.to_be_bytes());
        h[field::SEQ_NUM].copy_from_slice(&self.seq_number.to_be_bytes());
        h[field::ACK_NUM].copy_from_slice(&self.ack_number.to_be_bytes());
        // Data offset (high four bits), then the reserved and control bits.
        let offset_flags = ((len / 4) as u16) << 12 | (self.flags.0 & FLAGS_MASK);
        h[field::FLAGS].copy_from_slice(&offset_flags.to_be_bytes());
        h[field::WIN_SIZE].copy_from_slice(&self.window_len.to_be_bytes());
        // h[field::CHECKSUM] stays zero.
        h[field::URGENT].copy_from_slice(&self.urgent_pointer.to_be_bytes());

        // The options in the Linux layout documented above, byte by byte
        // (what `TcpOption::emit` writes for each); the rest of the array is
        // already End of Option List padding (kind 0).
        let mut at = field::OPTIONS;
        let mut put = |bytes: &[u8]| {
            h[at..at + bytes.len()].copy_from_slice(bytes);
            at += bytes.len();
        };
        if let Some(mss) = self.max_seg_size {
            let [hi, lo] = mss.to_be_bytes();
            put(&[kind::MSS, 4, hi, lo]);
        }
        if let Some((tsval, tsecr)) = self.timestamp {
            put(&if self.sack_permitted { [kind::SACK_PERMITTED, 2] } else { [kind::NOP, kind::NOP] });
            put(&[kind::TIMESTAMP, 10]);
            put(&tsval.to_be_bytes());
            put(&tsecr.to_be_bytes());
        } else if self.sack_permitted {
            put(&[kind::NOP, kind::NOP, kind::SACK_PERMITTED, 2]);
        }
        if let Some(shift) = self.window_scale {
            put(&[kind::NOP, kind::WINDOW_SCALE, 3, shift]);
        }
        let blocks = self.sack_block_count();
        if blocks > 0 {
            put(&[kind::NOP, kind::NOP, kind::SACK, (2 + 8 * blocks) as u8]);
            for (left, right) in self.sack_ranges.iter().flatten().take(blocks) {
                put(&left.to_be_bytes());
                put(&right.to_be_bytes());
            }
        }
        packet.buffer.as_mut()[..len].copy_from_slice(&h[..len]);
    }
}

#[cfg(test)]
mod tests;
