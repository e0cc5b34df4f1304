//! The 8-byte VXLAN header (RFC 7348 section 5) and the two other ways the
//! same 64 bits are read: the Group Based Policy extension
//! (draft-smith-vxlan-group-policy section 2.1, "GBP") and, for look-alike
//! negative vectors only, the Generic Protocol Extension
//! (draft-ietf-nvo3-vxlan-gpe section 3, "GPE", UDP 4790).
//!
//! ```text
//! RFC 7348:  |R|R|R|R|I|R|R|R|            Reserved (24)              |
//! GBP:       |G|R|R|R|I|R|R|R|R|D|R|R|A|R|R|R|   Group Policy ID (16)  |
//! GPE:       |R|R|Ver|I|P|B|O|     Reserved (16)      | Next Protocol |
//! all three: |        VXLAN Network Identifier (24)   |  Reserved (8) |
//! ```
//!
//! [`Repr`] keeps all 64 bits (16-bit flags, Group Policy ID, VNI, last
//! reserved byte), so any header round-trips exactly, reserved bits included.
//! Parsing never rejects a header for its contents (I clear, reserved bits
//! set): a decoder reports those. Only a buffer shorter than
//! [`HEADER_LEN`] is an error. Neither parse nor emit allocates.
//!
//! ```
//! use generator::wire::vxlan::{Header, Repr, Vni, HEADER_LEN};
//!
//! // What AWS Traffic Mirroring sends: first word 0x08000000, then the VNI.
//! let repr = Repr::rfc7348(Vni::new(9_999_999).unwrap());
//! let mut bytes = [0u8; HEADER_LEN];
//! repr.emit(&mut Header::new_unchecked(&mut bytes[..]));
//! assert_eq!(bytes, [0x08, 0, 0, 0, 0x98, 0x96, 0x7f, 0]);
//!
//! let header = Header::new_checked(&bytes[..]).unwrap();
//! assert!(header.i_flag() && !header.g_flag());
//! assert_eq!((header.flags8(), header.flags16(), header.group_policy_id()), (0x08, 0x0800, 0));
//! assert_eq!(header.vni().value(), 9_999_999);
//! assert_eq!(Repr::parse(&header).unwrap(), repr);
//! ```

use super::field::{read_u16, read_u24, read_u8, write_u16, write_u24, write_u8};
use super::{Error, Layer, Result};
use core::fmt;

mod vni;

pub use vni::Vni;

/// IANA-assigned UDP destination port for VXLAN (RFC 7348 section 5), the
/// port AWS Traffic Mirroring sends to.
pub const UDP_PORT: u16 = 4789;

/// The port the Linux kernel's VXLAN driver used before IANA assigned 4789
/// (still its default when no `dstport` is given).
pub const LINUX_UDP_PORT: u16 = 8472;

/// IANA-assigned UDP port for VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe).
pub const GPE_UDP_PORT: u16 = 4790;

/// Length of the VXLAN header.
pub const HEADER_LEN: usize = field::PAYLOAD;

/// G bit of the 16-bit flags word: a Group Policy ID is carried
/// (draft-smith-vxlan-group-policy section 2.1, bit 0 of the first word).
pub const FLAG_G: u16 = 0x8000;
/// I bit of the 16-bit flags word: the VNI is valid (RFC 7348 section 5, bit
/// 4 of the first word; GBP keeps it where it was).
pub const FLAG_I: u16 = 0x0800;
/// D bit of the 16-bit flags word: Don't Learn (draft-smith-vxlan-group-policy
/// section 2.1, bit 9 of the first word).
pub const FLAG_D: u16 = 0x0040;
/// A bit of the 16-bit flags word: Policy Applied (draft-smith-vxlan-group-policy
/// section 2.1, bit 12 of the first word).
pub const FLAG_A: u16 = 0x0008;
/// The reserved bits of the 16-bit flags word in the GBP layout: every bit but
/// G, I, D and A. This is the bitmask Wireshark gives `vxlan.flags_reserved`
/// (`tshark -G fields` of Wireshark 4.0.17 lists it as 0x77b7).
pub const FLAGS_RESERVED: u16 = !(FLAG_G | FLAG_I | FLAG_D | FLAG_A);

/// I bit of the 8-bit flags byte of RFC 7348 section 5 (0x0800 >> 8).
pub const FLAG8_I: u8 = 0x08;
/// The seven "R" bits of the 8-bit flags byte of RFC 7348 section 5.
pub const FLAGS8_RESERVED: u8 = !FLAG8_I;

/// GPE view, first byte: the two Ver bits (draft-ietf-nvo3-vxlan-gpe section 3).
pub const GPE_VERSION_MASK: u8 = 0x30;
/// GPE view, first byte: I bit, the same bit as [`FLAG8_I`].
pub const GPE_FLAG_I: u8 = 0x08;
/// GPE view, first byte: P bit, the Next Protocol field is present.
pub const GPE_FLAG_P: u8 = 0x04;
/// GPE view, first byte: B bit, ingress-replicated BUM traffic (added by the
/// IETF drafts; Wireshark 4.0 does not decode it).
pub const GPE_FLAG_B: u8 = 0x02;
/// GPE view, first byte: O bit, an OAM packet.
pub const GPE_FLAG_O: u8 = 0x01;
/// GPE Next Protocol (byte 3): IPv4 (draft-ietf-nvo3-vxlan-gpe IANA section).
pub const GPE_NEXT_PROTOCOL_IPV4: u8 = 0x01;
/// GPE Next Protocol: IPv6.
pub const GPE_NEXT_PROTOCOL_IPV6: u8 = 0x02;
/// GPE Next Protocol: Ethernet.
pub const GPE_NEXT_PROTOCOL_ETHERNET: u8 = 0x03;
/// GPE Next Protocol: Network Service Header (RFC 8300).
pub const GPE_NEXT_PROTOCOL_NSH: u8 = 0x04;

/// The fields of the header in its three readings, as byte ranges.
pub mod field {
    use crate::wire::field::Field;
    // RFC 7348 section 5 reading.
    /// RFC 7348: the 8-bit flags (I and, for GBP, G).
    pub const FLAGS8: Field = 0..1;
    /// RFC 7348: the 24 reserved bits after the flags.
    pub const RESERVED24: Field = 1..4;
    // draft-smith-vxlan-group-policy reading of the same first word.
    /// GBP: the 16-bit flags word (G, I, D, A and reserved bits).
    pub const FLAGS16: Field = 0..2;
    /// GBP: Group Policy ID.
    pub const GROUP_POLICY_ID: Field = 2..4;
    // draft-ietf-nvo3-vxlan-gpe reading: Next Protocol is the last byte of the first word.
    /// GPE: Next Protocol.
    pub const GPE_NEXT_PROTOCOL: Field = 3..4;
    // Second word, common to all readings.
    /// VXLAN Network Identifier.
    pub const VNI: Field = 4..7;
    /// The reserved byte after the VNI.
    pub const RESERVED8: Field = 7..8;
    /// Where the inner frame starts.
    pub const PAYLOAD: usize = 8;
}

/// A read/write view of a VXLAN header and what follows it.
#[derive(Debug, Clone)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    /// Wraps a buffer without checking its length; getters may panic on a
    /// short buffer. Use [`Header::new_checked`] for untrusted input.
    pub const fn new_unchecked(buffer: T) -> Header<T> {
        Header { buffer }
    }

    /// Wraps a buffer after checking that it holds a whole header.
    pub fn new_checked(buffer: T) -> Result<Header<T>> {
        let header = Self::new_unchecked(buffer);
        header.check_len()?;
        Ok(header)
    }

    /// Fails with [`Error::Truncated`] when the buffer is shorter than the header.
    pub fn check_len(&self) -> Result<()> {
        Error::need(Layer::Vxlan, HEADER_LEN, self.buffer.as_ref().len())
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// RFC 7348 view: the 8-bit flags byte (byte 0), `0x08` when only I is set.
    #[inline]
    pub fn flags8(&self) -> u8 {
        read_u8(self.buffer.as_ref(), field::FLAGS8)
    }

    /// RFC 7348 view: the 24 reserved bits after the flags byte (bytes 1-3).
    #[inline]
    pub fn reserved24(&self) -> u32 {
        read_u24(self.buffer.as_ref(), field::RESERVED24)
    }

    /// The 24-bit VXLAN Network Identifier (bytes 4-6).
    #[inline]
    pub fn vni(&self) -> Vni {
        Vni::from_u24(read_u24(self.buffer.as_ref(), field::VNI))
    }

    /// The last reserved byte (byte 7), in every reading.
    #[inline]
    pub fn reserved8(&self) -> u8 {
        read_u8(self.buffer.as_ref(), field::RESERVED8)
    }

    /// GBP view: the 16-bit flags word (bytes 0-1), `0x0800` when only I is set.
    #[inline]
    pub fn flags16(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::FLAGS16)
    }

    /// GBP view: the Group Policy ID (bytes 2-3); meaningful only when G is set.
    #[inline]
    pub fn group_policy_id(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::GROUP_POLICY_ID)
    }

    /// I flag: the VNI is valid (RFC 7348 section 5: MUST be 1).
    #[inline]
    pub fn i_flag(&self) -> bool {
        self.flags16() & FLAG_I != 0
    }

    /// GBP G flag: a Group Policy ID is carried.
    #[inline]
    pub fn g_flag(&self) -> bool {
        self.flags16() & FLAG_G != 0
    }

    /// GBP D flag: Don't Learn.
    #[inline]
    pub fn d_flag(&self) -> bool {
        self.flags16() & FLAG_D != 0
    }

    /// GBP A flag: Policy Applied.
    #[inline]
    pub fn a_flag(&self) -> bool {
        self.flags16() & FLAG_A != 0
    }

    /// The bits of the 16-bit flags word that are reserved in the GBP layout
    /// (masked by [`FLAGS_RESERVED`]), as Wireshark's `vxlan.flags_reserved`.
    #[inline]
    pub fn reserved_flag_bits(&self) -> u16 {
        self.flags16() & FLAGS_RESERVED
    }

    /// GPE view: the 2-bit version (bits 2-3 of byte 0).
    #[inline]
    pub fn gpe_version(&self) -> u8 {
        (self.flags8() & GPE_VERSION_MASK) >> 4
    }

    /// GPE view: the P bit, Next Protocol present.
    #[inline]
    pub fn gpe_p_bit(&self) -> bool {
        self.flags8() & GPE_FLAG_P != 0
    }

    /// GPE view: the B bit, ingress-replicated BUM traffic.
    #[inline]
    pub fn gpe_b_bit(&self) -> bool {
        self.flags8() & GPE_FLAG_B != 0
    }

    /// GPE view: the O bit, an OAM packet.
    #[inline]
    pub fn gpe_o_bit(&self) -> bool {
        self.flags8() & GPE_FLAG_O != 0
    }

    /// GPE view: the Next Protocol byte (byte 3).
    #[inline]
    pub fn gpe_next_protocol(&self) -> u8 {
        read_u8(self.buffer.as_ref(), field::GPE_NEXT_PROTOCOL)
    }

    /// The bytes after the header: the inner Ethernet frame (RFC 7348 section 5).
    #[inline]
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[field::PAYLOAD..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Header<T> {
    /// Sets the 8-bit flags byte (byte 0).
    #[inline]
    pub fn set_flags8(&mut self, value: u8) {
        write_u8(self.buffer.as_mut(), field::FLAGS8, value)
    }

    /// Sets bytes 1-3; only the low 24 bits of `value` are written.
    #[inline]
    pub fn set_reserved24(&mut self, value: u32) {
        write_u24(self.buffer.as_mut(), field::RESERVED24, value)
    }

    /// Sets the VNI (bytes 4-6).
    #[inline]
    pub fn set_vni(&mut self, value: Vni) {
        write_u24(self.buffer.as_mut(), field::VNI, value.value())
    }

    /// Sets the last reserved byte (byte 7).
    #[inline]
    pub fn set_reserved8(&mut self, value: u8) {
        write_u8(self.buffer.as_mut(), field::RESERVED8, value)
    }

    /// Sets the 16-bit flags word (bytes 0-1).
    #[inline]
    pub fn set_flags16(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::FLAGS16, value)
    }

    /// Sets the Group Policy ID (bytes 2-3).
    #[inline]
    pub fn set_group_policy_id(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::GROUP_POLICY_ID, value)
    }

    #[inline]
    fn set_flags16_bits(&mut self, mask: u16, value: u16) {
        let flags = (self.flags16() & !mask) | (value & mask);
        self.set_flags16(flags)
    }

    /// Sets or clears the I flag, leaving the other bits alone.
    #[inline]
    pub fn set_i_flag(&mut self, value: bool) {
        self.set_flags16_bits(FLAG_I, if value { FLAG_I } else { 0 })
    }

    /// Sets or clears the GBP G flag, leaving the other bits alone.
    #[inline]
    pub fn set_g_flag(&mut self, value: bool) {
        self.set_flags16_bits(FLAG_G, if value { FLAG_G } else { 0 })
    }

    /// Sets or clears the GBP D flag, leaving the other bits alone.
    #[inline]
    pub fn set_d_flag(&mut self, value: bool) {
        self.set_flags16_bits(FLAG_D, if value { FLAG_D } else { 0 })
    }

    /// Sets or clears the GBP A flag, leaving the other bits alone.
    #[inline]
    pub fn set_a_flag(&mut self, value: bool) {
        self.set_flags16_bits(FLAG_A, if value { FLAG_A } else { 0 })
    }

    /// Writes the reserved bits of the flags word (`value & FLAGS_RESERVED`),
    /// leaving G, I, D and A alone.
    #[inline]
    pub fn set_reserved_flag_bits(&mut self, value: u16) {
        self.set_flags16_bits(FLAGS_RESERVED, value)
    }

    #[inline]
    fn set_flags8_bits(&mut self, mask: u8, value: u8) {
        let flags = (self.flags8() & !mask) | (value & mask);
        self.set_flags8(flags)
    }

    /// GPE view: sets the 2-bit version (only the low two bits of `value`).
    #[inline]
    pub fn set_gpe_version(&mut self, value: u8) {
        self.set_flags8_bits(GPE_VERSION_MASK, (value & 0x03) << 4)
    }

    /// GPE view: sets or clears the P bit.
    #[inline]
    pub fn set_gpe_p_bit(&mut self, value: bool) {
        self.set_flags8_bits(GPE_FLAG_P, if value { GPE_FLAG_P } else { 0 })
    }

    /// GPE view: sets or clears the B bit.
    #[inline]
    pub fn set_gpe_b_bit(&mut self, value: bool) {
        self.set_flags8_bits(GPE_FLAG_B, if value { GPE_FLAG_B } else { 0 })
    }

    /// GPE view: sets or clears the O bit.
    #[inline]
    pub fn set_gpe_o_bit(&mut self, value: bool) {
        self.set_flags8_bits(GPE_FLAG_O, if value { GPE_FLAG_O } else { 0 })
    }

    /// GPE view: sets the Next Protocol byte (byte 3).
    #[inline]
    pub fn set_gpe_next_protocol(&mut self, value: u8) {
        write_u8(self.buffer.as_mut(), field::GPE_NEXT_PROTOCOL, value)
    }

    /// The bytes after the header, writable.
    #[inline]
    pub fn payload_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[field::PAYLOAD..]
    }
}

/// The meaning of a VXLAN header: all 64 bits, in the GBP reading
/// (the RFC 7348 and GPE readings are computed from it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Repr {
    /// Bytes 0-1: the 16-bit flags word (GBP layout; the RFC 7348 flags byte is
    /// its high byte).
    pub flags: u16,
    /// Bytes 2-3: Group Policy ID (reserved in RFC 7348).
    pub group_policy_id: u16,
    /// Bytes 4-6: the VNI.
    pub vni: Vni,
    /// Byte 7: reserved.
    pub reserved8: u8,
}

impl Repr {
    /// A plain RFC 7348 header: I set, every reserved bit zero. This is what
    /// AWS Traffic Mirroring sends (first word 0x08000000, last byte 0).
    pub const fn rfc7348(vni: Vni) -> Repr {
        Repr { flags: FLAG_I, group_policy_id: 0, vni, reserved8: 0 }
    }

    /// A GBP header (draft-smith-vxlan-group-policy section 2.1): G and I set,
    /// D and A as given, the Group Policy ID `policy_id`.
    pub const fn gbp(vni: Vni, policy_id: u16, dont_learn: bool, policy_applied: bool) -> Repr {
        let mut flags = FLAG_G | FLAG_I;
        if dont_learn {
            flags |= FLAG_D;
        }
        if policy_applied {
            flags |= FLAG_A;
        }
        Repr { flags, group_policy_id: policy_id, vni, reserved8: 0 }
    }

    /// A VXLAN-GPE header (draft-ietf-nvo3-vxlan-gpe section 3), for
    /// look-alike negative vectors on the VXLAN port: Ver `version` (low two
    /// bits), I set, P set with `next_protocol` in byte 3 when given, O as
    /// `oam`.
    pub const fn gpe(vni: Vni, version: u8, next_protocol: Option<u8>, oam: bool) -> Repr {
        let mut flags8 = (version & 0x03) << 4 | GPE_FLAG_I;
        if oam {
            flags8 |= GPE_FLAG_O;
        }
        let group_policy_id = match next_protocol {
            Some(p) => {
                flags8 |= GPE_FLAG_P;
                p as u16
            }
            None => 0,
        };
        Repr { flags: (flags8 as u16) << 8, group_policy_id, vni, reserved8: 0 }
    }

    /// I flag.
    pub const fn i_flag(&self) -> bool {
        self.flags & FLAG_I != 0
    }

    /// GBP G flag.
    pub const fn g_flag(&self) -> bool {
        self.flags & FLAG_G != 0
    }

    /// GBP D flag.
    pub const fn d_flag(&self) -> bool {
        self.flags & FLAG_D != 0
    }

    /// GBP A flag.
    pub const fn a_flag(&self) -> bool {
        self.flags & FLAG_A != 0
    }

    /// The GBP-reserved bits of the flags word.
    pub const fn reserved_flag_bits(&self) -> u16 {
        self.flags & FLAGS_RESERVED
    }

    /// RFC 7348 view: the 8-bit flags byte.
    pub const fn flags8(&self) -> u8 {
        (self.flags >> 8) as u8
    }

    /// RFC 7348 view: bytes 1-3 as one 24-bit reserved field.
    pub const fn reserved24(&self) -> u32 {
        (self.flags as u32 & 0xff) << 16 | self.group_policy_id as u32
    }

    /// GPE view: the 2-bit version.
    pub const fn gpe_version(&self) -> u8 {
        (self.flags8() & GPE_VERSION_MASK) >> 4
    }

    /// GPE view: the P bit.
    pub const fn gpe_p_bit(&self) -> bool {
        self.flags8() & GPE_FLAG_P != 0
    }

    /// GPE view: the B bit.
    pub const fn gpe_b_bit(&self) -> bool {
        self.flags8() & GPE_FLAG_B != 0
    }

    /// GPE view: the O bit.
    pub const fn gpe_o_bit(&self) -> bool {
        self.flags8() & GPE_FLAG_O != 0
    }

    /// GPE view: the Next Protocol byte (byte 3).
    pub const fn gpe_next_protocol(&self) -> u8 {
        self.group_policy_id as u8
    }

    /// Reads a header. Fails only when the buffer is shorter than
    /// [`HEADER_LEN`]; I clear or reserved bits set are reported, not rejected.
    pub fn parse<T: AsRef<[u8]>>(header: &Header<T>) -> Result<Repr> {
        header.check_len()?;
        Ok(Repr {
            flags: header.flags16(),
            group_policy_id: header.group_policy_id(),
            vni: header.vni(),
            reserved8: header.reserved8(),
        })
    }

    /// Length of the header this emits: [`HEADER_LEN`].
    pub const fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// Writes all 64 bits into the first [`HEADER_LEN`] bytes of `header`.
    ///
    /// # Panics
    /// If the buffer is shorter than [`HEADER_LEN`].
    #[inline]
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, header: &mut Header<T>) {
        header.set_flags16(self.flags);
        header.set_group_policy_id(self.group_policy_id);
        header.set_vni(self.vni);
        header.set_reserved8(self.reserved8);
    }

    /// The header as bytes.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut bytes = [0u8; HEADER_LEN];
        self.emit(&mut Header::new_unchecked(&mut bytes[..]));
        bytes
    }
}

impl fmt::Display for Repr {
    /// `VXLAN flags=0x0800 gpid=0 vni=9999999 rsvd8=0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "VXLAN flags=0x{:04x} gpid={} vni={} rsvd8={}",
            self.flags, self.group_policy_id, self.vni, self.reserved8
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rstest::rstest;

    fn vni(value: u32) -> Vni {
        Vni::new(value).unwrap()
    }

    #[test]
    fn reserved_mask_is_wiresharks() {
        assert_eq!(FLAGS_RESERVED, 0x77b7);
        assert_eq!(FLAGS8_RESERVED, 0xf7);
        assert_eq!(FLAG8_I as u16, FLAG_I >> 8);
    }

    #[rstest]
    // AWS Traffic Mirroring, VNI 9999999 (the value seen in Wireshark on real traffic).
    #[case::aws(Repr::rfc7348(vni(9_999_999)), [0x08, 0, 0, 0, 0x98, 0x96, 0x7f, 0])]
    #[case::rfc7348_vni_0(Repr::rfc7348(vni(0)), [0x08, 0, 0, 0, 0, 0, 0, 0])]
    #[case::rfc7348_vni_max(Repr::rfc7348(Vni::MAX), [0x08, 0, 0, 0, 0xff, 0xff, 0xff, 0])]
    #[case::gbp_all(Repr::gbp(vni(1), 0xffff, true, true), [0x88, 0x48, 0xff, 0xff, 0, 0, 1, 0])]
    #[case::gbp_none(Repr::gbp(vni(0x123456), 0x0102, false, false), [0x88, 0, 1, 2, 0x12, 0x34, 0x56, 0])]
    #[case::gbp_d(Repr::gbp(vni(7), 0, true, false), [0x88, 0x40, 0, 0, 0, 0, 7, 0])]
    #[case::gbp_a(Repr::gbp(vni(7), 0, false, true), [0x88, 0x08, 0, 0, 0, 0, 7, 0])]
    // Every reserved bit of each reserved field set, one field at a time.
    #[case::reserved_flag_bits(
        Repr { flags: FLAG_I | FLAGS_RESERVED, group_policy_id: 0, vni: vni(1), reserved8: 0 },
        [0x7f, 0xb7, 0, 0, 0, 0, 1, 0]
    )]
    #[case::reserved24(
        Repr { flags: FLAG_I | 0x00ff, group_policy_id: 0xffff, vni: vni(1), reserved8: 0 },
        [0x08, 0xff, 0xff, 0xff, 0, 0, 1, 0]
    )]
    #[case::reserved8(
        Repr { flags: FLAG_I, group_policy_id: 0, vni: vni(1), reserved8: 0xff },
        [0x08, 0, 0, 0, 0, 0, 1, 0xff]
    )]
    #[case::i_clear(
        Repr { flags: 0, group_policy_id: 0, vni: vni(42), reserved8: 0 },
        [0, 0, 0, 0, 0, 0, 42, 0]
    )]
    #[case::all_ones(
        Repr { flags: 0xffff, group_policy_id: 0xffff, vni: Vni::MAX, reserved8: 0xff },
        [0xff; 8]
    )]
    #[case::gpe_lookalike(
        Repr::gpe(vni(5), 0, Some(GPE_NEXT_PROTOCOL_ETHERNET), false),
        [0x0c, 0, 0, 3, 0, 0, 5, 0]
    )]
    #[case::gpe_v2_oam(Repr::gpe(vni(5), 2, None, true), [0x29, 0, 0, 0, 0, 0, 5, 0])]
    fn emits_and_parses_exact_bytes(#[case] repr: Repr, #[case] bytes: [u8; 8]) {
        let mut out = [0xa5u8; HEADER_LEN];
        repr.emit(&mut Header::new_unchecked(&mut out[..]));
        assert_eq!(out, bytes, "emit");
        assert_eq!(repr.to_bytes(), bytes);
        let header = Header::new_checked(&bytes[..]).unwrap();
        assert_eq!(Repr::parse(&header).unwrap(), repr, "parse");
        // Repr's computed views agree with the buffer's views.
        assert_eq!(repr.flags8(), header.flags8());
        assert_eq!(repr.reserved24(), header.reserved24());
        assert_eq!(repr.reserved_flag_bits(), header.reserved_flag_bits());
        assert_eq!(
            (repr.i_flag(), repr.g_flag(), repr.d_flag(), repr.a_flag()),
            (header.i_flag(), header.g_flag(), header.d_flag(), header.a_flag())
        );
        assert_eq!(
            (
                repr.gpe_version(),
                repr.gpe_p_bit(),
                repr.gpe_b_bit(),
                repr.gpe_o_bit(),
                repr.gpe_next_protocol()
            ),
            (
                header.gpe_version(),
                header.gpe_p_bit(),
                header.gpe_b_bit(),
                header.gpe_o_bit(),
                header.gpe_next_protocol()
            )
        );
    }

    #[rustfmt::skip]
    #[rstest]
    // The header as a big-endian u64; "IGDA" spells the flags set.
    //     header                  RFC 7348: flags8, rsvd24, vni, rsvd8  GBP: flags16, gpid  IGDA    rsvd bits
    #[case(0x0800_0000_9896_7f00, (0x08, 0x000000, 9_999_999, 0x00), (0x0800, 0x0000), "I---", 0x0000)]
    #[case(0x8848_ffff_0000_0100, (0x88, 0x48ffff, 1,         0x00), (0x8848, 0xffff), "IGDA", 0x0000)]
    #[case(0x8000_1234_0000_0009, (0x80, 0x001234, 0,         0x09), (0x8000, 0x1234), "-G--", 0x0000)]
    #[case(0xf7ff_abcd_0102_0304, (0xf7, 0xffabcd, 0x010203,  0x04), (0xf7ff, 0xabcd), "-GDA", 0x77b7)]
    #[case(0x0801_0000_0000_0000, (0x08, 0x010000, 0,         0x00), (0x0801, 0x0000), "I---", 0x0001)]
    fn both_readings_of_the_same_bytes(
        #[case] header: u64,
        #[case] rfc7348: (u8, u32, u32, u8),
        #[case] gbp: (u16, u16),
        #[case] igda: &str,
        #[case] reserved_bits: u16,
    ) {
        let bytes = header.to_be_bytes();
        let h = Header::new_checked(&bytes[..]).unwrap();
        assert_eq!((h.flags8(), h.reserved24(), h.vni().value(), h.reserved8()), rfc7348);
        assert_eq!((h.flags16(), h.group_policy_id()), gbp);
        let flags: String = [(h.i_flag(), 'I'), (h.g_flag(), 'G'), (h.d_flag(), 'D'), (h.a_flag(), 'A')]
            .iter()
            .map(|&(set, c)| if set { c } else { '-' })
            .collect();
        assert_eq!(flags, igda);
        assert_eq!(h.reserved_flag_bits(), reserved_bits);
    }

    #[rstest]
    //     flags8 next  version P      B      O
    #[case(0x0c, 0x03, 0, true, false, false)]
    #[case(0x2d, 0x01, 2, true, false, true)]
    #[case(0x3a, 0x00, 3, false, true, false)]
    fn gpe_reading(
        #[case] flags8: u8,
        #[case] next: u8,
        #[case] version: u8,
        #[case] p: bool,
        #[case] b: bool,
        #[case] o: bool,
    ) {
        let bytes = [flags8, 0, 0, next, 0, 0, 1, 0];
        let h = Header::new_checked(&bytes[..]).unwrap();
        assert_eq!((h.gpe_version(), h.gpe_p_bit(), h.gpe_b_bit(), h.gpe_o_bit()), (version, p, b, o));
        assert_eq!(h.gpe_next_protocol(), next);
        assert_eq!(h.i_flag(), flags8 & GPE_FLAG_I != 0);

        let mut built = [0u8; 8];
        let mut w = Header::new_unchecked(&mut built[..]);
        w.set_gpe_version(version);
        w.set_i_flag(flags8 & GPE_FLAG_I != 0);
        w.set_gpe_p_bit(p);
        w.set_gpe_b_bit(b);
        w.set_gpe_o_bit(o);
        w.set_gpe_next_protocol(next);
        w.set_vni(Vni::new(1).unwrap());
        assert_eq!(built, bytes);
    }

    #[rstest]
    #[case(0)]
    #[case(1)]
    #[case(7)]
    fn short_buffer_is_truncated_not_a_panic(#[case] len: usize) {
        let bytes = [0x08u8; 7];
        let err = Error::Truncated { layer: Layer::Vxlan, required: 8, present: len };
        assert_eq!(Header::new_checked(&bytes[..len]).unwrap_err(), err);
        assert_eq!(Repr::parse(&Header::new_unchecked(&bytes[..len])).unwrap_err(), err);
    }

    #[test]
    fn payload_is_what_follows_the_eight_bytes() {
        let bytes = [0x08, 0, 0, 0, 0, 0, 1, 0, 0xde, 0xad];
        let mut buf = bytes;
        assert_eq!(Header::new_checked(&bytes[..]).unwrap().payload(), &[0xde, 0xad]);
        Header::new_checked(&mut buf[..]).unwrap().payload_mut()[1] = 0xef;
        assert_eq!(buf[9], 0xef);
        assert!(Header::new_checked(&bytes[..8]).unwrap().payload().is_empty());
    }

    #[test]
    fn parse_never_panics_on_random_input() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7348);
        let mut buf = [0u8; 24];
        for _ in 0..20_000 {
            let len = rng.random_range(0..buf.len());
            rng.fill(&mut buf[..len]);
            let parsed = Header::new_checked(&buf[..len]).and_then(|h| Repr::parse(&h));
            assert_eq!(parsed.is_ok(), len >= HEADER_LEN);
            if let Ok(repr) = parsed {
                assert_eq!(repr.to_bytes()[..], buf[..HEADER_LEN]);
            }
        }
    }

    #[test]
    fn emit_then_parse_round_trips_random_headers() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4789);
        for _ in 0..10_000 {
            let repr = Repr {
                flags: rng.random(),
                group_policy_id: rng.random(),
                vni: Vni::new(rng.random_range(0..=Vni::MAX.value())).unwrap(),
                reserved8: rng.random(),
            };
            let mut bytes = [0u8; HEADER_LEN + 5];
            repr.emit(&mut Header::new_unchecked(&mut bytes[..]));
            let header = Header::new_checked(&bytes[..]).unwrap();
            assert_eq!(Repr::parse(&header).unwrap(), repr);
            assert_eq!(header.payload().len(), 5);
            assert_eq!(bytes[HEADER_LEN..], [0u8; 5], "emit writes only the header");
        }
    }

    type FlagSetter = fn(&mut Header<[u8; 8]>, bool);

    #[rstest]
    #[case(FLAG_G, Header::set_g_flag)]
    #[case(FLAG_I, Header::set_i_flag)]
    #[case(FLAG_D, Header::set_d_flag)]
    #[case(FLAG_A, Header::set_a_flag)]
    fn flag_setters_touch_only_their_bit(#[case] mask: u16, #[case] set: FlagSetter) {
        let mut ones = Header::new_unchecked([0xffu8; 8]);
        set(&mut ones, false);
        let ones = ones.into_inner();
        assert_eq!(u16::from_be_bytes([ones[0], ones[1]]), !mask);
        assert_eq!(ones[2..], [0xff; 6]);
        let mut zeros = Header::new_unchecked([0u8; 8]);
        set(&mut zeros, true);
        let zeros = zeros.into_inner();
        assert_eq!(u16::from_be_bytes([zeros[0], zeros[1]]), mask);
        assert_eq!(zeros[2..], [0; 6]);
    }

    #[test]
    fn reserved_flag_bits_setter_keeps_g_i_d_a() {
        let mut h = Header::new_unchecked([0u8; 8]);
        h.set_flags16(FLAG_G | FLAG_I);
        h.set_reserved_flag_bits(0xffff);
        assert_eq!(h.flags16(), !(FLAG_D | FLAG_A));
        h.set_reserved_flag_bits(0);
        assert_eq!(h.flags16(), FLAG_G | FLAG_I);
        h.set_gpe_version(0xff);
        assert_eq!(h.gpe_version(), 3);
        assert_eq!(h.flags8(), 0xb8);
    }

    #[test]
    fn field_setters_write_their_bytes() {
        let mut bytes = [0u8; 8];
        let mut h = Header::new_unchecked(&mut bytes[..]);
        h.set_flags8(0x08);
        h.set_reserved24(0xff_abcdef);
        h.set_vni(Vni::new(0x010203).unwrap());
        h.set_reserved8(0x99);
        assert_eq!(bytes, [0x08, 0xab, 0xcd, 0xef, 1, 2, 3, 0x99]);
        let mut h = Header::new_unchecked(bytes);
        h.set_group_policy_id(0x1122);
        h.set_flags16(0x8800);
        assert_eq!(h.into_inner(), [0x88, 0, 0x11, 0x22, 1, 2, 3, 0x99]);
    }

    #[test]
    fn repr_serde_has_the_vni_as_a_plain_number() {
        let v = Vni::new(9_999_999).unwrap();
        let repr = Repr::gbp(v, 0xbeef, true, false);
        let json = serde_json::to_string(&repr).unwrap();
        assert_eq!(json, r#"{"flags":34880,"group_policy_id":48879,"vni":9999999,"reserved8":0}"#);
        assert_eq!(serde_json::from_str::<Repr>(&json).unwrap(), repr);
    }

    #[test]
    fn repr_displays_all_fields() {
        assert_eq!(
            Repr::rfc7348(Vni::new(9_999_999).unwrap()).to_string(),
            "VXLAN flags=0x0800 gpid=0 vni=9999999 rsvd8=0"
        );
    }
}
