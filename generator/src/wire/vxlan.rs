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
mod tests;
