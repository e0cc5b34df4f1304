//! The eight VXLAN bytes under both readings.

use crate::wire::vxlan::{field, FLAG8_I, FLAG_A, FLAG_D, FLAG_G, FLAG_I};

/// The VXLAN header of a frame: its eight bytes and where they sit, read
/// as RFC 7348 (section 5) and as the Group Policy draft
/// (draft-smith-vxlan-group-policy section 2.1) lay them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VxlanReadings {
    /// Offset of the header in the frame.
    pub offset: usize,
    /// The header's bytes.
    pub bytes: [u8; 8],
}

/// One field of one reading: the bytes it spans (`"0"`, `"1-3"`), its name
/// and width, and its value.
pub type ReadingField = (&'static str, &'static str, String);

impl VxlanReadings {
    fn uint(&self, range: std::ops::Range<usize>) -> u32 {
        self.bytes[range].iter().fold(0, |v, b| v << 8 | u32::from(*b))
    }

    /// RFC 7348's 16 flag bits' first byte: I is 0x08.
    pub fn flags8(&self) -> u8 {
        self.bytes[field::FLAGS8.start]
    }

    /// The GBP draft's 16-bit flags word.
    pub fn flags16(&self) -> u16 {
        self.uint(field::FLAGS16) as u16
    }

    /// I: a valid VNI follows (RFC 7348; the same bit in both readings).
    pub fn i(&self) -> bool {
        self.flags8() & FLAG8_I != 0
    }

    /// G: a Group Policy ID follows (GBP; reserved in RFC 7348).
    pub fn g(&self) -> bool {
        self.flags16() & FLAG_G != 0
    }

    /// D: Don't Learn (GBP; reserved in RFC 7348).
    pub fn d(&self) -> bool {
        self.flags16() & FLAG_D != 0
    }

    /// A: Policy Applied (GBP; reserved in RFC 7348).
    pub fn a(&self) -> bool {
        self.flags16() & FLAG_A != 0
    }

    /// The VNI (both readings).
    pub fn vni(&self) -> u32 {
        self.uint(field::VNI)
    }

    /// RFC 7348's reading, field by field.
    pub fn rfc7348(&self) -> [ReadingField; 4] {
        let reserved_flags = self.flags8() & !FLAG8_I;
        [
            (
                "0",
                "Flags (8)",
                format!("0x{:02x} I={}{}", self.flags8(), u8::from(self.i()), reserved_bits(reserved_flags)),
            ),
            ("1-3", "Reserved (24)", format!("0x{:06x}", self.uint(field::RESERVED24))),
            ("4-6", "VNI (24)", self.vni().to_string()),
            ("7", "Reserved (8)", format!("0x{:02x}", self.bytes[field::RESERVED8.start])),
        ]
    }

    /// The Group Policy draft's reading, field by field.
    pub fn gbp(&self) -> [ReadingField; 4] {
        let bit = |b: bool| u8::from(b);
        let known = FLAG_G | FLAG_I | FLAG_D | FLAG_A;
        let reserved = self.flags16() & !known;
        [
            (
                "0-1",
                "Flags (16)",
                format!(
                    "0x{:04x}  G={} I={} D={} A={}{}",
                    self.flags16(),
                    bit(self.g()),
                    bit(self.i()),
                    bit(self.d()),
                    bit(self.a()),
                    if reserved != 0 {
                        format!("  reserved bits 0x{reserved:04x} set")
                    } else {
                        String::new()
                    }
                ),
            ),
            ("2-3", "Group Policy ID (16)", self.uint(field::GROUP_POLICY_ID).to_string()),
            ("4-6", "VNI (24)", self.vni().to_string()),
            ("7", "Reserved (8)", format!("0x{:02x}", self.bytes[field::RESERVED8.start])),
        ]
    }

    /// The first two bytes bit by bit, with the name of each bit the GBP
    /// draft defines (`G . . . I . . .` over `. D . . A . . .`).
    pub fn flag_bits(&self) -> [(String, String); 2] {
        const NAMES: [[&str; 8]; 2] =
            [["G", ".", ".", ".", "I", ".", ".", "."], [".", "D", ".", ".", "A", ".", ".", "."]];
        let mut out: [(String, String); 2] = Default::default();
        for (i, names) in NAMES.iter().enumerate() {
            let byte = self.bytes[i];
            out[i].0 = names.join(" ");
            out[i].1 =
                (0..8).map(|b| if byte & (0x80 >> b) != 0 { "1" } else { "0" }).collect::<Vec<_>>().join(" ");
        }
        out
    }
}

fn reserved_bits(reserved: u8) -> String {
    if reserved == 0 {
        String::new()
    } else {
        format!(" (reserved bits 0x{reserved:02x} set)")
    }
}
