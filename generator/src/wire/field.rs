//! Named byte ranges of a header and the big-endian ("network byte order",
//! RFC 1700 / RFC 791 appendix B) reads and writes over them.
//!
//! Every header module has a `field` module of [`Field`] constants, one per
//! field, each the bytes the field lies in (a field narrower than a byte, such
//! as IPv4's IHL, is given the byte that holds it). The same constants serve
//! the typed views, which read and write through the helpers here, and the
//! callers that must know which fields a cut-short capture still holds
//! ([`covers`], [`Captured`]).
//!
//! ```
//! use generator::wire::field::{self, Captured};
//! use generator::wire::ipv4;
//!
//! let mut header = [0u8; 20];
//! field::write_u16(&mut header, ipv4::field::LENGTH, 1500);
//! assert_eq!(field::read_u16(&header, ipv4::field::LENGTH), 1500);
//! assert_eq!(header[2..4], [0x05, 0xdc]);
//!
//! // A copy cut after 13 bytes of its IPv4 header holds Total Length but
//! // not the source address.
//! let cut = Captured::new(13);
//! assert!(cut.covers(ipv4::field::LENGTH));
//! assert_eq!(cut.field(ipv4::field::SRC_ADDR, "10.0.0.1"), None);
//! ```

use core::ops::Range;

/// The bytes of one field, as offsets from the start of its header.
pub type Field = Range<usize>;

/// Whether all of `field` lies within the first `avail` bytes of its header:
/// whether a capture that kept only `avail` bytes of the header holds the field.
#[inline]
pub const fn covers(field: Field, avail: usize) -> bool {
    field.end <= avail
}

/// `field` of a part that starts `by` bytes into its header: a GENEVE
/// option's Option Class, say, for an option at offset `by`.
#[inline]
pub const fn shift(field: Field, by: usize) -> Field {
    field.start + by..field.end + by
}

/// How many bytes of a header a capture holds, and so which of its fields
/// it holds whole.
///
/// A mirror session's PacketLength, an MTU or a snap length cut copies at any
/// byte; a dissection reports only the fields all of whose bytes remain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Captured {
    avail: usize,
}

impl Captured {
    /// The first `avail` bytes of a header (`avail` may exceed the header).
    #[inline]
    pub const fn new(avail: usize) -> Captured {
        Captured { avail }
    }

    /// How many bytes were captured.
    #[inline]
    pub const fn avail(self) -> usize {
        self.avail
    }

    /// Whether all of `field` was captured (see [`covers`]).
    #[inline]
    pub const fn covers(self, field: Field) -> bool {
        covers(field, self.avail)
    }

    /// `Some(value)` when all of `field` was captured, else `None`.
    #[inline]
    pub fn field<T>(self, field: Field, value: T) -> Option<T> {
        self.covers(field).then_some(value)
    }

    /// Whether the bytes up to offset `end` (a header length, say, or the end
    /// of an option) were captured.
    #[inline]
    pub const fn reaches(self, end: usize) -> bool {
        end <= self.avail
    }
}

/// The one byte of `field` (a one-byte field).
///
/// # Panics
/// If `buffer` is shorter than `field`.
#[inline]
pub fn read_u8(buffer: &[u8], field: Field) -> u8 {
    buffer[field.start]
}

/// The two bytes of `field`, big-endian.
///
/// # Panics
/// If `buffer` is shorter than `field` or `field` is not two bytes long.
#[inline]
pub fn read_u16(buffer: &[u8], field: Field) -> u16 {
    u16::from_be_bytes(array(&buffer[field]))
}

/// The three bytes of `field`, big-endian (a VNI, say).
///
/// # Panics
/// If `buffer` is shorter than `field` or `field` is not three bytes long.
#[inline]
pub fn read_u24(buffer: &[u8], field: Field) -> u32 {
    let [a, b, c] = array(&buffer[field]);
    u32::from_be_bytes([0, a, b, c])
}

/// The four bytes of `field`, big-endian.
///
/// # Panics
/// If `buffer` is shorter than `field` or `field` is not four bytes long.
#[inline]
pub fn read_u32(buffer: &[u8], field: Field) -> u32 {
    u32::from_be_bytes(array(&buffer[field]))
}

/// Writes `value` into the one byte of `field`.
///
/// # Panics
/// If `buffer` is shorter than `field`.
#[inline]
pub fn write_u8(buffer: &mut [u8], field: Field, value: u8) {
    buffer[field.start] = value
}

/// Writes `value` big-endian into the two bytes of `field`.
///
/// # Panics
/// If `buffer` is shorter than `field` or `field` is not two bytes long.
#[inline]
pub fn write_u16(buffer: &mut [u8], field: Field, value: u16) {
    buffer[field].copy_from_slice(&value.to_be_bytes())
}

/// Writes the low 24 bits of `value` big-endian into the three bytes of `field`.
///
/// # Panics
/// If `buffer` is shorter than `field` or `field` is not three bytes long.
#[inline]
pub fn write_u24(buffer: &mut [u8], field: Field, value: u32) {
    buffer[field].copy_from_slice(&value.to_be_bytes()[1..])
}

/// Writes `value` big-endian into the four bytes of `field`.
///
/// # Panics
/// If `buffer` is shorter than `field` or `field` is not four bytes long.
#[inline]
pub fn write_u32(buffer: &mut [u8], field: Field, value: u32) {
    buffer[field].copy_from_slice(&value.to_be_bytes())
}

/// `bytes` as an array, which it must exactly fill.
#[inline]
fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    match bytes.try_into() {
        Ok(a) => a,
        Err(_) => panic!("field of {} bytes read as {N}", bytes.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_are_big_endian_and_stay_in_their_field() {
        let mut b = [0xeeu8; 12];
        write_u8(&mut b, 0..1, 0x01);
        write_u16(&mut b, 1..3, 0x0203);
        write_u24(&mut b, 3..6, 0xff04_0506);
        write_u32(&mut b, 6..10, 0x0708_090a);
        assert_eq!(b, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0xee, 0xee]);
        assert_eq!(read_u8(&b, 0..1), 1);
        assert_eq!(read_u16(&b, 1..3), 0x0203);
        assert_eq!(read_u24(&b, 3..6), 0x04_0506);
        assert_eq!(read_u32(&b, 6..10), 0x0708_090a);
    }

    #[test]
    #[should_panic(expected = "field of 3 bytes read as 2")]
    fn a_field_of_the_wrong_width_panics() {
        read_u16(&[0; 4], 0..3);
    }

    #[test]
    #[should_panic]
    fn a_short_buffer_panics() {
        read_u32(&[0; 3], 0..4);
    }

    #[test]
    fn shift_moves_both_ends() {
        assert_eq!(shift(2..4, 8), 10..12);
        assert!(covers(shift(0..2, 8), 10) && !covers(shift(0..2, 8), 9));
    }

    #[test]
    fn covers_needs_every_byte_of_the_field() {
        assert!(covers(0..2, 2));
        assert!(!covers(0..2, 1));
        assert!(covers(5..5, 5));
        let c = Captured::new(7);
        assert_eq!(c.avail(), 7);
        assert!(c.covers(4..7));
        assert!(!c.covers(4..8));
        assert_eq!(c.field(4..7, 'v'), Some('v'));
        assert_eq!(c.field(7..8, 'v'), None);
        assert!(c.reaches(7) && !c.reaches(8));
    }
}
