//! TCP options (RFC 9293 section 3.2): the kinds a Linux stack sends,
//! Maximum Segment Size (RFC 9293 section 3.7.1), Window Scale and
//! Timestamps (RFC 7323 sections 2.2 and 3.2), SACK-Permitted and SACK (RFC
//! 2018 sections 2 and 3), read one at a time or as an iterator.

use crate::wire::field::{read_u16, read_u32, write_u16, write_u32};
use crate::wire::{Error, Layer, Result};
use core::iter::FusedIterator;

/// Option kinds (IANA "TCP Option Kind Numbers").
pub mod kind {
    /// End of Option List (RFC 9293 section 3.2).
    pub const END: u8 = 0;
    /// No-Operation (RFC 9293 section 3.2).
    pub const NOP: u8 = 1;
    /// Maximum Segment Size (RFC 9293 section 3.7.1).
    pub const MSS: u8 = 2;
    /// Window Scale (RFC 7323 section 2.2).
    pub const WINDOW_SCALE: u8 = 3;
    /// SACK-Permitted (RFC 2018 section 2).
    pub const SACK_PERMITTED: u8 = 4;
    /// SACK (RFC 2018 section 3).
    pub const SACK: u8 = 5;
    /// Timestamps (RFC 7323 section 3.2).
    pub const TIMESTAMP: u8 = 8;
}

/// One TCP option (RFC 9293 section 3.2 and the RFCs named on each variant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcpOption<'a> {
    /// End of Option List, kind 0: the bytes after it are padding.
    EndOfList,
    /// No-Operation, kind 1: aligns the option after it.
    NoOperation,
    /// Maximum Segment Size, kind 2, length 4 (RFC 9293 section 3.7.1).
    MaxSegmentSize(u16),
    /// Window Scale shift count, kind 3, length 3 (RFC 7323 section 2.2).
    /// Receivers treat a shift above 14 as 14 (section 2.3); it is carried
    /// here as found.
    WindowScale(u8),
    /// SACK-Permitted, kind 4, length 2 (RFC 2018 section 2).
    SackPermitted,
    /// SACK, kind 5, length 2 + 8n (RFC 2018 section 3): up to three
    /// `(left edge, right edge)` blocks, filled from the front. A fourth block
    /// (possible only without timestamps) is dropped when parsing.
    SackRange([Option<(u32, u32)>; 3]),
    /// Timestamps, kind 8, length 10 (RFC 7323 section 3.2).
    Timestamp {
        /// TSval, the sender's clock.
        tsval: u32,
        /// TSecr, the echoed TSval (meaningful when ACK is set).
        tsecr: u32,
    },
    /// Any other kind with a length byte; `data` excludes kind and length.
    Unknown {
        /// Option kind.
        kind: u8,
        /// Option data after the length byte.
        data: &'a [u8],
    },
}

impl<'a> TcpOption<'a> {
    /// Reads the option at the start of `buffer`, returning the bytes after
    /// it and the option.
    ///
    /// Fails with [`Error::OptionTruncated`] on an empty buffer, when the
    /// length byte is missing and when the length runs past the buffer, and
    /// with [`Error::BadOptionLen`] when the length is below 2 or is not the
    /// one the option kind requires.
    pub fn parse(buffer: &'a [u8]) -> Result<(&'a [u8], TcpOption<'a>)> {
        let cut = |required| Error::OptionTruncated { layer: Layer::Tcp, required, present: buffer.len() };
        let (&kind, rest) = buffer.split_first().ok_or(cut(1))?;
        match kind {
            kind::END => return Ok((rest, TcpOption::EndOfList)),
            kind::NOP => return Ok((rest, TcpOption::NoOperation)),
            _ => {}
        }
        let length = *rest.first().ok_or(cut(2))? as usize;
        let bad = |expected| Err(Error::BadOptionLen { layer: Layer::Tcp, kind, found: length, expected });
        if length < 2 {
            return bad("at least 2");
        }
        if length > buffer.len() {
            return Err(cut(length));
        }
        let data = &buffer[2..length];
        let option = match (kind, length) {
            (kind::MSS, 4) => TcpOption::MaxSegmentSize(read_u16(data, 0..2)),
            (kind::MSS, _) => return bad("4"),
            (kind::WINDOW_SCALE, 3) => TcpOption::WindowScale(data[0]),
            (kind::WINDOW_SCALE, _) => return bad("3"),
            (kind::SACK_PERMITTED, 2) => TcpOption::SackPermitted,
            (kind::SACK_PERMITTED, _) => return bad("2"),
            (kind::SACK, n) if n >= 10 && (n - 2) % 8 == 0 => {
                let mut ranges = [None; 3];
                for (slot, block) in ranges.iter_mut().zip(data.chunks_exact(8)) {
                    *slot = Some((read_u32(block, 0..4), read_u32(block, 4..8)));
                }
                TcpOption::SackRange(ranges)
            }
            (kind::SACK, _) => return bad("2 + 8n, n at least 1"),
            (kind::TIMESTAMP, 10) => {
                TcpOption::Timestamp { tsval: read_u32(data, 0..4), tsecr: read_u32(data, 4..8) }
            }
            (kind::TIMESTAMP, _) => return bad("10"),
            (kind, _) => TcpOption::Unknown { kind, data },
        };
        Ok((&buffer[length..], option))
    }

    /// Length of the option this emits, kind and length bytes included (the
    /// value of its length byte). A [`TcpOption::SackRange`] without blocks
    /// is no option at all and has length 0.
    pub fn total_len(&self) -> usize {
        match *self {
            TcpOption::EndOfList | TcpOption::NoOperation => 1,
            TcpOption::MaxSegmentSize(_) => 4,
            TcpOption::WindowScale(_) => 3,
            TcpOption::SackPermitted => 2,
            TcpOption::SackRange(ranges) => match ranges.iter().flatten().count() {
                0 => 0,
                n => 2 + 8 * n,
            },
            TcpOption::Timestamp { .. } => 10,
            TcpOption::Unknown { data, .. } => 2 + data.len(),
        }
    }

    /// Writes the option at the start of `buffer` and returns the bytes after
    /// it. The `Some` blocks of a [`TcpOption::SackRange`] are written in
    /// order, `None` skipped.
    ///
    /// # Panics
    /// If `buffer` is shorter than [`TcpOption::total_len`], or if the data
    /// of an [`TcpOption::Unknown`] is longer than 253 bytes.
    pub fn emit<'b>(&self, buffer: &'b mut [u8]) -> &'b mut [u8] {
        let (out, rest) = buffer.split_at_mut(self.total_len());
        match *self {
            TcpOption::EndOfList => out[0] = kind::END,
            TcpOption::NoOperation => out[0] = kind::NOP,
            TcpOption::MaxSegmentSize(mss) => {
                out[..2].copy_from_slice(&[kind::MSS, 4]);
                write_u16(out, 2..4, mss);
            }
            TcpOption::WindowScale(shift) => out.copy_from_slice(&[kind::WINDOW_SCALE, 3, shift]),
            TcpOption::SackPermitted => out.copy_from_slice(&[kind::SACK_PERMITTED, 2]),
            TcpOption::SackRange(ranges) => {
                if !out.is_empty() {
                    let length = out.len() as u8;
                    out[..2].copy_from_slice(&[kind::SACK, length]);
                    for (block, (left, right)) in out[2..].chunks_exact_mut(8).zip(ranges.iter().flatten()) {
                        write_u32(block, 0..4, *left);
                        write_u32(block, 4..8, *right);
                    }
                }
            }
            TcpOption::Timestamp { tsval, tsecr } => {
                out[..2].copy_from_slice(&[kind::TIMESTAMP, 10]);
                write_u32(out, 2..6, tsval);
                write_u32(out, 6..10, tsecr);
            }
            TcpOption::Unknown { kind, data } => {
                let length = u8::try_from(out.len()).expect("TCP option data longer than 253 bytes");
                out[..2].copy_from_slice(&[kind, length]);
                out[2..].copy_from_slice(data);
            }
        }
        rest
    }
}

/// The options of a header, decoded in order. Stops after an End of Option
/// List (what follows is padding) and after the first error.
#[derive(Debug, Clone)]
pub struct TcpOptionIter<'a> {
    rest: &'a [u8],
}

impl<'a> TcpOptionIter<'a> {
    /// Decodes the option bytes `options` (see [`Packet::options`](super::Packet::options)).
    pub const fn new(options: &'a [u8]) -> TcpOptionIter<'a> {
        TcpOptionIter { rest: options }
    }
}

impl<'a> Iterator for TcpOptionIter<'a> {
    type Item = Result<TcpOption<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match TcpOption::parse(self.rest) {
            Ok((rest, option)) => {
                self.rest = if option == TcpOption::EndOfList { &[] } else { rest };
                Some(Ok(option))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

impl FusedIterator for TcpOptionIter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[rstest]
    #[case::empty("", cut(1, 0))]
    #[case::no_length_byte("02", cut(2, 1))]
    #[case::unknown_no_length_byte("fe", cut(2, 1))]
    #[case::length_zero("0200", bad_len(2, 0, "at least 2"))]
    #[case::length_one("fe01", bad_len(0xfe, 1, "at least 2"))]
    #[case::past_the_end("0204 05", cut(4, 3))]
    #[case::unknown_past_the_end("fe05 0000", cut(5, 4))]
    #[case::mss_short("0203 05", bad_len(2, 3, "4"))]
    #[case::mss_long("0205 05b4 00", bad_len(2, 5, "4"))]
    #[case::ws_short("0302", bad_len(3, 2, "3"))]
    #[case::ws_long("0304 0700", bad_len(3, 4, "3"))]
    #[case::sack_perm_long("0403 00", bad_len(4, 3, "2"))]
    #[case::sack_empty("0502", bad_len(5, 2, SACK_LEN))]
    #[case::sack_short("0509 0000000100000002", bad_len(5, 9, SACK_LEN))]
    #[case::sack_odd("050b 0000000100000002 00", bad_len(5, 11, SACK_LEN))]
    #[case::ts_short("0809 0000000100000002", bad_len(8, 9, "10"))]
    #[case::ts_long("080b 0000000100000002 00", bad_len(8, 11, "10"))]
    fn bad_options_are_errors(#[case] bytes: &str, #[case] err: Error) {
        assert_eq!(TcpOption::parse(&hex(bytes)).unwrap_err(), err);
    }

    const SACK_LEN: &str = "2 + 8n, n at least 1";

    fn cut(required: usize, present: usize) -> Error {
        Error::OptionTruncated { layer: Layer::Tcp, required, present }
    }

    fn bad_len(kind: u8, found: usize, expected: &'static str) -> Error {
        Error::BadOptionLen { layer: Layer::Tcp, kind, found, expected }
    }

    #[test]
    fn option_errors_read_well() {
        assert_eq!(bad_len(2, 3, "4").to_string(), "tcp option kind 2: length 3, must be 4");
        assert_eq!(cut(10, 4).to_string(), "tcp option: 4 bytes left, need 10");
    }

    #[rstest]
    #[case::eol("00 ff", TcpOption::EndOfList, 1)]
    #[case::nop("01 ff", TcpOption::NoOperation, 1)]
    #[case::mss("0204 05b4 ff", TcpOption::MaxSegmentSize(1460), 1)]
    #[case::ws("0303 0e", TcpOption::WindowScale(14), 0)]
    #[case::ws_above_14_as_found("0303 ff", TcpOption::WindowScale(255), 0)]
    #[case::sack_perm("0402", TcpOption::SackPermitted, 0)]
    #[case::ts("080a 00000001 00000002", TcpOption::Timestamp { tsval: 1, tsecr: 2 }, 0)]
    #[case::sack_two("0512 00000001 00000002 00000003 00000004 00",
        TcpOption::SackRange([Some((1, 2)), Some((3, 4)), None]), 1)]
    #[case::unknown_empty("fe02 aa", TcpOption::Unknown { kind: 0xfe, data: &[] }, 1)]
    #[case::unknown_md5_sig("1303 aa", TcpOption::Unknown { kind: 19, data: &[0xaa] }, 0)]
    fn options_parse(#[case] bytes: &str, #[case] option: TcpOption<'static>, #[case] rest: usize) {
        let bytes = hex(bytes);
        let (left, parsed) = TcpOption::parse(&bytes).unwrap();
        assert_eq!(parsed, option);
        assert_eq!(left.len(), rest);
        // Emit is the inverse for everything but the length-0 SACK.
        let mut out = vec![0u8; option.total_len() + 1];
        let after = option.emit(&mut out).len();
        assert_eq!(after, 1);
        assert_eq!(out[..option.total_len()], bytes[..bytes.len() - rest]);
    }

    #[test]
    fn a_fourth_sack_block_is_dropped_when_parsing() {
        let bytes = hex("0522 00000001 00000002 00000003 00000004 00000005 00000006 00000007 00000008");
        let (rest, option) = TcpOption::parse(&bytes).unwrap();
        assert!(rest.is_empty());
        assert_eq!(option, TcpOption::SackRange([Some((1, 2)), Some((3, 4)), Some((5, 6))]));
    }

    #[test]
    fn sack_without_blocks_emits_nothing() {
        let option = TcpOption::SackRange([None; 3]);
        assert_eq!(option.total_len(), 0);
        let mut out = [0xa5u8; 2];
        assert_eq!(option.emit(&mut out).len(), 2);
        assert_eq!(out, [0xa5; 2]);
    }

    #[test]
    #[should_panic(expected = "longer than 253")]
    fn unknown_option_too_long_to_emit_panics() {
        let data = [0u8; 254];
        let mut out = [0u8; 256];
        TcpOption::Unknown { kind: 0xfe, data: &data }.emit(&mut out);
    }

    #[test]
    fn iterator_stops_at_end_of_list_and_after_an_error() {
        let bytes = hex("01 0303 07 00 0204");
        let options: Vec<_> = TcpOptionIter::new(&bytes).collect();
        assert_eq!(
            options,
            [Ok(TcpOption::NoOperation), Ok(TcpOption::WindowScale(7)), Ok(TcpOption::EndOfList)]
        );
        let bytes = hex("01 0203 00 0303 07");
        let options: Vec<_> = TcpOptionIter::new(&bytes).collect();
        assert_eq!(options, [Ok(TcpOption::NoOperation), Err(bad_len(2, 3, "4"))]);
        assert_eq!(TcpOptionIter::new(&[]).next(), None);
    }
}
