//! IEEE 802.1Q VLAN tags: the four bytes that follow an EtherType of 0x8100
//! (IEEE 802.1Q-2018 clause 9.6). The Tag Control Information holds the
//! Priority Code Point (3 bits), the Drop Eligible Indicator (1 bit) and the
//! VLAN Identifier (12 bits); the encapsulated EtherType follows it.
//!
//! The view starts at the TCI, i.e. it is laid over the payload of an
//! Ethernet frame whose EtherType is [`EtherType::VLAN`].
//!
//! ```
//! use generator::wire::vlan::{Packet, Repr};
//! use generator::wire::EtherType;
//!
//! let repr = Repr { pcp: 5, dei: true, vid: 100, ethertype: EtherType::IPV4 };
//! let mut bytes = [0u8; 4];
//! repr.emit(&mut Packet::new_unchecked(&mut bytes[..]));
//! assert_eq!(bytes, [0xb0, 0x64, 0x08, 0x00]);
//! assert_eq!(Repr::parse(&Packet::new_checked(&bytes[..]).unwrap()).unwrap(), repr);
//! ```

use super::field::{read_u16, write_u16};
use super::{Error, EtherType, Layer, Result};

/// The fields of the tag (IEEE 802.1Q-2018 clause 9.6), as byte ranges.
pub mod field {
    use crate::wire::field::Field;
    /// Tag Control Information: PCP (3 bits), DEI (1 bit), VID (12 bits).
    pub const TCI: Field = 0..2;
    /// The encapsulated EtherType.
    pub const ETHERTYPE: Field = 2..4;
    /// Where the payload starts.
    pub const PAYLOAD: usize = 4;
}

/// Length of the tag: TCI and the encapsulated EtherType.
pub const HEADER_LEN: usize = field::PAYLOAD;

const PCP_MASK: u16 = 0xe000;
const DEI_MASK: u16 = 0x1000;
const VID_MASK: u16 = 0x0fff;

/// A read/write view of an 802.1Q tag and what follows it.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking its length; getters may panic on a
    /// short buffer. Use [`Packet::new_checked`] for untrusted input.
    pub const fn new_unchecked(buffer: T) -> Packet<T> {
        Packet { buffer }
    }

    /// Wraps a buffer after checking that it holds a whole tag.
    pub fn new_checked(buffer: T) -> Result<Packet<T>> {
        let packet = Self::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Fails with [`Error::Truncated`] when the buffer is shorter than the tag.
    pub fn check_len(&self) -> Result<()> {
        Error::need(Layer::Vlan, HEADER_LEN, self.buffer.as_ref().len())
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn tci(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::TCI)
    }

    /// Priority Code Point, 0 to 7 (IEEE 802.1Q clause 6.9.3).
    pub fn pcp(&self) -> u8 {
        (self.tci() >> 13) as u8
    }

    /// Drop Eligible Indicator.
    pub fn dei(&self) -> bool {
        self.tci() & DEI_MASK != 0
    }

    /// VLAN Identifier, 0 to 4095. 0 marks a priority-tagged frame; 4095 is
    /// reserved (IEEE 802.1Q Table 9-2) but read as is.
    pub fn vid(&self) -> u16 {
        self.tci() & VID_MASK
    }

    /// EtherType of the encapsulated payload.
    pub fn ethertype(&self) -> EtherType {
        EtherType(read_u16(self.buffer.as_ref(), field::ETHERTYPE))
    }

    /// The bytes after the tag.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[field::PAYLOAD..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    fn set_tci(&mut self, mask: u16, value: u16) {
        let tci = (self.tci() & !mask) | (value & mask);
        write_u16(self.buffer.as_mut(), field::TCI, tci)
    }

    /// Sets the Priority Code Point (low three bits of `value`).
    pub fn set_pcp(&mut self, value: u8) {
        self.set_tci(PCP_MASK, (value as u16) << 13)
    }

    /// Sets or clears the Drop Eligible Indicator.
    pub fn set_dei(&mut self, value: bool) {
        self.set_tci(DEI_MASK, if value { DEI_MASK } else { 0 })
    }

    /// Sets the VLAN Identifier (low twelve bits of `value`).
    pub fn set_vid(&mut self, value: u16) {
        self.set_tci(VID_MASK, value)
    }

    /// Sets the encapsulated EtherType.
    pub fn set_ethertype(&mut self, value: EtherType) {
        write_u16(self.buffer.as_mut(), field::ETHERTYPE, value.0)
    }

    /// The bytes after the tag, writable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[field::PAYLOAD..]
    }
}

/// The meaning of an 802.1Q tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    /// Priority Code Point, three bits.
    pub pcp: u8,
    /// Drop Eligible Indicator.
    pub dei: bool,
    /// VLAN Identifier, twelve bits.
    pub vid: u16,
    /// EtherType of what follows the tag.
    pub ethertype: EtherType,
}

impl Repr {
    /// Reads a tag. Fails with [`Error::Truncated`] as [`Packet::check_len`]
    /// does; every TCI value is accepted, the reserved VID 4095 included, so
    /// that unusual captures can be described.
    pub fn parse<T: AsRef<[u8]>>(packet: &Packet<T>) -> Result<Repr> {
        packet.check_len()?;
        Ok(Repr { pcp: packet.pcp(), dei: packet.dei(), vid: packet.vid(), ethertype: packet.ethertype() })
    }

    /// Length of the tag this emits: [`HEADER_LEN`].
    pub const fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// Writes the tag into the first [`HEADER_LEN`] bytes of `packet`. Only
    /// the low three bits of `pcp` and the low twelve of `vid` are written.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>) {
        packet.set_tci(0xffff, 0);
        packet.set_pcp(self.pcp);
        packet.set_dei(self.dei);
        packet.set_vid(self.vid);
        packet.set_ethertype(self.ethertype);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rstest::rstest;

    #[rstest]
    #[case(0, false, 0, EtherType::IPV4, [0x00, 0x00, 0x08, 0x00])]
    #[case(5, true, 100, EtherType::IPV4, [0xb0, 0x64, 0x08, 0x00])]
    #[case(7, false, 4095, EtherType::IPV6, [0xef, 0xff, 0x86, 0xdd])]
    #[case(0, true, 0, EtherType::ARP, [0x10, 0x00, 0x08, 0x06])]
    #[case(1, false, 0x123, EtherType::VLAN, [0x21, 0x23, 0x81, 0x00])]
    fn known_layouts(
        #[case] pcp: u8,
        #[case] dei: bool,
        #[case] vid: u16,
        #[case] ethertype: EtherType,
        #[case] wire: [u8; 4],
    ) {
        let repr = Repr { pcp, dei, vid, ethertype };
        let mut bytes = [0x77u8; HEADER_LEN];
        repr.emit(&mut Packet::new_unchecked(&mut bytes[..]));
        assert_eq!(bytes, wire);
        let packet = Packet::new_checked(&wire[..]).unwrap();
        assert_eq!(
            (packet.pcp(), packet.dei(), packet.vid(), packet.ethertype()),
            (pcp, dei, vid, ethertype)
        );
        assert_eq!(Repr::parse(&packet).unwrap(), repr);
    }

    #[test]
    fn setters_touch_only_their_bits() {
        let mut bytes = [0xffu8; HEADER_LEN];
        Packet::new_unchecked(&mut bytes[..]).set_pcp(0);
        assert_eq!(bytes[..2], [0x1f, 0xff]);
        Packet::new_unchecked(&mut bytes[..]).set_dei(false);
        assert_eq!(bytes[..2], [0x0f, 0xff]);
        Packet::new_unchecked(&mut bytes[..]).set_vid(0);
        assert_eq!(bytes, [0x00, 0x00, 0xff, 0xff]);
    }

    #[rstest]
    #[case(0)]
    #[case(1)]
    #[case(3)]
    fn short_buffer_is_truncated(#[case] len: usize) {
        let bytes = [0xb0, 0x64, 0x08];
        let error = Error::Truncated { layer: Layer::Vlan, required: 4, present: len };
        assert_eq!(Packet::new_checked(&bytes[..len]).unwrap_err(), error);
        assert_eq!(Repr::parse(&Packet::new_unchecked(&bytes[..len])).unwrap_err(), error);
    }

    #[test]
    fn payload_follows_the_tag() {
        let bytes = [0x00, 0x0a, 0x86, 0xdd, 0x60, 0x00];
        assert_eq!(Packet::new_checked(&bytes[..]).unwrap().payload(), &[0x60, 0x00]);
        assert!(Packet::new_checked(&bytes[..4]).unwrap().payload().is_empty());
    }

    #[test]
    fn emit_then_parse_round_trips_random_tags() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(8021);
        for _ in 0..4000 {
            let repr = Repr {
                pcp: rng.random_range(0..8),
                dei: rng.random(),
                vid: rng.random_range(0..4096),
                ethertype: EtherType(rng.random()),
            };
            let mut bytes: [u8; HEADER_LEN + 2] = rng.random();
            repr.emit(&mut Packet::new_unchecked(&mut bytes[..]));
            let packet = Packet::new_checked(&bytes[..]).unwrap();
            assert_eq!(Repr::parse(&packet).unwrap(), repr);
            assert_eq!(packet.payload().len(), 2);
        }
    }
}
