//! UDP datagrams (RFC 768), with the checksum over the IPv4 pseudo-header of
//! RFC 768 or the IPv6 pseudo-header of RFC 8200 section 8.1.
//!
//! VXLAN over IPv4 leaves the UDP checksum zero (RFC 7348 section 5), which
//! RFC 768 reads as "no checksum"; over IPv6 a zero checksum is not allowed
//! (RFC 8200 section 8.1), so [`Packet::verify_checksum`] rejects it there.
//!
//! ```
//! use generator::wire::udp::{Packet, Repr};
//! use std::net::{IpAddr, Ipv6Addr};
//!
//! let repr = Repr { src_port: 546, dst_port: 547, payload_len: 4 };
//! let mut bytes = vec![0u8; repr.total_len()];
//! let mut packet = Packet::new_unchecked(&mut bytes[..]);
//! repr.emit(&mut packet);
//! packet.payload_mut().copy_from_slice(&[0x01, 0x00, 0x00, 0x01]);
//! let src = IpAddr::V6("2001:db8::1".parse::<Ipv6Addr>().unwrap());
//! let dst = IpAddr::V6("ff02::1:2".parse::<Ipv6Addr>().unwrap());
//! assert!(!packet.verify_checksum(&src, &dst)); // zero is "none", not allowed over IPv6
//! packet.fill_checksum(&src, &dst);
//! assert_eq!(packet.checksum(), 0xcdd0);
//! assert!(packet.verify_checksum(&src, &dst));
//! assert_eq!(Repr::parse(&Packet::new_checked(&bytes[..]).unwrap()).unwrap(), repr);
//! ```

use super::field::{read_u16, write_u16};
use super::{checksum, Error, IpProtocol, Layer, Result};
use std::net::IpAddr;

/// The fields of the header (RFC 768, "Format"), as byte ranges.
pub mod field {
    use crate::wire::field::Field;
    /// Source Port.
    pub const SRC_PORT: Field = 0..2;
    /// Destination Port.
    pub const DST_PORT: Field = 2..4;
    /// Length: header and data.
    pub const LENGTH: Field = 4..6;
    /// Checksum.
    pub const CHECKSUM: Field = 6..8;
    /// Where the data starts.
    pub const PAYLOAD: usize = 8;
}

/// Length of the UDP header.
pub const HEADER_LEN: usize = field::PAYLOAD;

/// A read/write view of a UDP datagram.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it; getters may panic on a buffer
    /// shorter than the header, and [`Packet::payload`] on a Length below 8.
    /// Use [`Packet::new_checked`] for untrusted input.
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

    /// Fails with [`Error::Truncated`] when the buffer is shorter than the
    /// header, and with [`Error::BadTotalLen`] when Length is below 8 (RFC 768:
    /// "the minimum value of the length is eight"). A buffer shorter than
    /// Length is accepted: captures are truncated.
    pub fn check_len(&self) -> Result<()> {
        Error::need(Layer::Udp, HEADER_LEN, self.buffer.as_ref().len())?;
        let len = self.total_len() as usize;
        if len < HEADER_LEN {
            return Err(Error::BadTotalLen { layer: Layer::Udp, found: len, min: HEADER_LEN });
        }
        Ok(())
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

    /// Length of the header, [`HEADER_LEN`].
    pub const fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// The Length field: header and data, in bytes.
    pub fn total_len(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::LENGTH)
    }

    /// Checksum, as stored (0 means "none" over IPv4).
    pub fn checksum(&self) -> u16 {
        read_u16(self.buffer.as_ref(), field::CHECKSUM)
    }

    /// The data after the header, up to Length or the end of the buffer,
    /// whichever comes first.
    pub fn payload(&self) -> &[u8] {
        let data = self.buffer.as_ref();
        let end = data.len().min(self.total_len() as usize);
        &data[field::PAYLOAD..end]
    }

    /// The ones' complement sum of the pseudo-header and the first Length
    /// bytes, or `None` when the buffer holds fewer than Length bytes.
    fn sum(&self, src: &IpAddr, dst: &IpAddr) -> Option<u16> {
        let len = self.total_len();
        let datagram = self.buffer.as_ref().get(..len as usize)?;
        Some(checksum::combine(&[
            checksum::pseudo_header(src, dst, IpProtocol::UDP, len as u32),
            checksum::data(datagram),
        ]))
    }

    /// Whether the checksum is right for a datagram from `src` to `dst`.
    ///
    /// A zero checksum means "no checksum" over IPv4 (RFC 768) and is
    /// accepted; over IPv6 it is not allowed (RFC 8200 section 8.1) and is
    /// rejected. A datagram cut short of its Length cannot be verified and
    /// is reported as wrong; so is one whose Length is below 8.
    pub fn verify_checksum(&self, src: &IpAddr, dst: &IpAddr) -> bool {
        if (self.total_len() as usize) < HEADER_LEN {
            return false;
        }
        if self.checksum() == 0 {
            return src.is_ipv4();
        }
        self.sum(src, dst).is_some_and(|sum| !sum == 0)
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

    /// Sets the Length field.
    pub fn set_total_len(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::LENGTH, value)
    }

    /// Sets the checksum to `value` as is (see [`Packet::fill_checksum`]).
    pub fn set_checksum(&mut self, value: u16) {
        write_u16(self.buffer.as_mut(), field::CHECKSUM, value)
    }

    /// Computes and stores the checksum over the pseudo-header for `src` and
    /// `dst` and the first Length bytes of the buffer. A computed zero is
    /// written as 0xffff (RFC 768), since zero means "no checksum".
    ///
    /// # Panics
    /// If the buffer is shorter than Length says: write the whole payload
    /// first, and truncate afterwards.
    pub fn fill_checksum(&mut self, src: &IpAddr, dst: &IpAddr) {
        self.set_checksum(0);
        let len = self.total_len() as usize;
        let have = self.buffer.as_ref().len();
        let sum = self
            .sum(src, dst)
            .unwrap_or_else(|| panic!("UDP checksum needs {len} bytes, the buffer has {have}"));
        let value = !sum;
        self.set_checksum(if value == 0 { 0xffff } else { value })
    }

    /// The data after the header, up to Length or the end of the buffer,
    /// writable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let len = self.total_len() as usize;
        let data = self.buffer.as_mut();
        let end = data.len().min(len);
        &mut data[field::PAYLOAD..end]
    }
}

/// The meaning of a UDP header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Length of the data after the header.
    pub payload_len: usize,
}

impl Repr {
    /// Reads the header of a datagram. Fails as [`Packet::check_len`] does.
    /// The checksum is not verified (it needs the IP addresses): call
    /// [`Packet::verify_checksum`] to report it.
    pub fn parse<T: AsRef<[u8]>>(packet: &Packet<T>) -> Result<Repr> {
        packet.check_len()?;
        Ok(Repr {
            src_port: packet.src_port(),
            dst_port: packet.dst_port(),
            payload_len: packet.total_len() as usize - HEADER_LEN,
        })
    }

    /// Length of the header alone: [`HEADER_LEN`].
    pub const fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// Length of the whole datagram, header and payload: `8 + payload_len`,
    /// the value of the Length field. One buffer of this size takes
    /// [`Repr::emit`] and then the payload through [`Packet::payload_mut`].
    pub const fn total_len(&self) -> usize {
        HEADER_LEN + self.payload_len
    }

    /// Writes the header into the first [`HEADER_LEN`] bytes of `packet`:
    /// ports, Length `8 + payload_len`, and a zero checksum. Callers fill the
    /// checksum with [`Packet::fill_checksum`] once the payload is in place,
    /// or leave it zero, as VXLAN over IPv4 does (RFC 7348 section 5).
    ///
    /// # Panics
    /// If the buffer is shorter than the header, or if Length would exceed
    /// 65535.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>) {
        let len = u16::try_from(HEADER_LEN + self.payload_len)
            .unwrap_or_else(|_| panic!("UDP length {} exceeds 65535", HEADER_LEN + self.payload_len));
        // All four fields at once (one bounds check, not four): this runs
        // per mirror copy (the outer UDP header) and per inner datagram.
        let mut h = [0u8; HEADER_LEN];
        h[field::SRC_PORT].copy_from_slice(&self.src_port.to_be_bytes());
        h[field::DST_PORT].copy_from_slice(&self.dst_port.to_be_bytes());
        h[field::LENGTH].copy_from_slice(&len.to_be_bytes());
        // h[field::CHECKSUM] stays zero.
        packet.buffer.as_mut()[..HEADER_LEN].copy_from_slice(&h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rstest::rstest;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn v4(a: [u8; 4]) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(a))
    }

    fn v6(s: &str) -> IpAddr {
        IpAddr::V6(s.parse::<Ipv6Addr>().unwrap())
    }

    /// Datagrams whose checksums were computed by hand (an independent script
    /// following RFC 768 / RFC 8200 section 8.1 and RFC 1071), as
    /// (source, destination, bytes with the right checksum).
    #[rstest]
    // 192.0.2.1:12345 -> 198.51.100.7:53, odd-length payload (padding byte).
    #[case::ipv4_odd(
        v4([192, 0, 2, 1]),
        v4([198, 51, 100, 7]),
        &[0x30, 0x39, 0x00, 0x35, 0x00, 0x0d, 0x47, 0x8c, 0x12, 0x34, b'h', b'i', b'!'],
    )]
    // [2001:db8::1]:546 -> [ff02::1:2]:547, a DHCPv6 Solicit's first word.
    #[case::ipv6(
        v6("2001:db8::1"),
        v6("ff02::1:2"),
        &[0x02, 0x22, 0x02, 0x23, 0x00, 0x0c, 0xcd, 0xd0, 0x01, 0x00, 0x00, 0x01],
    )]
    // 10.0.0.1:1000 -> 10.0.0.2:2000, payload chosen so the sum is 0xffff:
    // the computed checksum is 0 and goes on the wire as 0xffff.
    #[case::computed_zero(
        v4([10, 0, 0, 1]),
        v4([10, 0, 0, 2]),
        &[0x03, 0xe8, 0x07, 0xd0, 0x00, 0x0a, 0xff, 0xff, 0xe0, 0x1f],
    )]
    fn known_checksums(#[case] src: IpAddr, #[case] dst: IpAddr, #[case] wire: &[u8]) {
        let packet = Packet::new_checked(wire).unwrap();
        assert!(packet.verify_checksum(&src, &dst));
        assert!(!packet.verify_checksum(&dst, &IpAddr::V4(Ipv4Addr::UNSPECIFIED)));

        let repr = Repr::parse(&packet).unwrap();
        assert_eq!(repr.total_len(), wire.len());
        let mut bytes = vec![0u8; repr.total_len()];
        let mut packet = Packet::new_unchecked(&mut bytes[..]);
        repr.emit(&mut packet);
        assert_eq!(packet.checksum(), 0);
        packet.payload_mut().copy_from_slice(&wire[HEADER_LEN..]);
        packet.fill_checksum(&src, &dst);
        assert_eq!(bytes, wire);
    }

    #[test]
    fn field_layout() {
        let repr = Repr { src_port: 0x1234, dst_port: 4789, payload_len: 0x100 };
        let mut bytes = [0xeeu8; HEADER_LEN];
        repr.emit(&mut Packet::new_unchecked(&mut bytes[..]));
        assert_eq!(bytes, [0x12, 0x34, 0x12, 0xb5, 0x01, 0x08, 0x00, 0x00]);
    }

    #[rstest]
    #[case::ipv4_means_none(v4([10, 0, 0, 1]), v4([10, 0, 0, 2]), true)]
    #[case::ipv6_is_not_allowed(v6("2001:db8::1"), v6("2001:db8::2"), false)]
    fn zero_checksum(#[case] src: IpAddr, #[case] dst: IpAddr, #[case] ok: bool) {
        let bytes = [0xc3, 0x50, 0x12, 0xb5, 0x00, 0x0a, 0x00, 0x00, 0xab, 0xcd];
        assert_eq!(Packet::new_checked(&bytes[..]).unwrap().verify_checksum(&src, &dst), ok);
    }

    #[rstest]
    #[case::empty(&[], Error::Truncated { layer: Layer::Udp, required: 8, present: 0 })]
    #[case::seven(&[0, 53, 0, 53, 0, 8, 0], Error::Truncated { layer: Layer::Udp, required: 8, present: 7 })]
    #[case::len_0(&[0, 53, 0, 53, 0, 0, 0, 0], Error::BadTotalLen { layer: Layer::Udp, found: 0, min: 8 })]
    #[case::len_7(&[0, 53, 0, 53, 0, 7, 0, 0, 0], Error::BadTotalLen { layer: Layer::Udp, found: 7, min: 8 })]
    fn check_len_rejects(#[case] bytes: &[u8], #[case] error: Error) {
        assert_eq!(Packet::new_checked(bytes).unwrap_err(), error);
        assert_eq!(Repr::parse(&Packet::new_unchecked(bytes)).unwrap_err(), error);
    }

    #[test]
    fn truncated_datagram_parses_but_cannot_be_verified() {
        let wire = [0x02, 0x22, 0x02, 0x23, 0x00, 0x0c, 0xcd, 0xd0, 0x01, 0x00, 0x00, 0x01];
        let (src, dst) = (v6("2001:db8::1"), v6("ff02::1:2"));
        let packet = Packet::new_checked(&wire[..10]).unwrap();
        assert_eq!(packet.payload(), &[0x01, 0x00]);
        assert_eq!(Repr::parse(&packet).unwrap().payload_len, 4);
        assert!(!packet.verify_checksum(&src, &dst));
        // Bytes past Length (Ethernet padding, say) are neither payload nor summed.
        let padded = [&wire[..], &[0xff; 6]].concat();
        let packet = Packet::new_checked(&padded[..]).unwrap();
        assert_eq!(packet.payload(), &wire[8..]);
        assert!(packet.verify_checksum(&src, &dst));
    }

    #[test]
    #[should_panic(expected = "UDP checksum needs 12 bytes")]
    fn filling_a_short_buffer_panics() {
        let mut bytes = [0x02, 0x22, 0x02, 0x23, 0x00, 0x0c, 0x00, 0x00, 0x01, 0x00];
        Packet::new_unchecked(&mut bytes[..]).fill_checksum(&v4([1, 2, 3, 4]), &v4([5, 6, 7, 8]));
    }

    #[test]
    #[should_panic(expected = "exceeds 65535")]
    fn emit_refuses_oversized_datagrams() {
        let repr = Repr { src_port: 1, dst_port: 2, payload_len: 65528 };
        repr.emit(&mut Packet::new_unchecked(&mut [0u8; HEADER_LEN][..]));
    }

    #[test]
    fn emit_fill_verify_parse_round_trips_random_datagrams() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
        let mut bytes = [0u8; HEADER_LEN + 64];
        for i in 0..4000 {
            let repr = Repr {
                src_port: rng.random(),
                dst_port: rng.random(),
                payload_len: rng.random_range(0..=64),
            };
            let (src, dst) = if i % 2 == 0 {
                (IpAddr::V4(rng.random::<u32>().into()), IpAddr::V4(rng.random::<u32>().into()))
            } else {
                (IpAddr::V6(rng.random::<u128>().into()), IpAddr::V6(rng.random::<u128>().into()))
            };
            let bytes = &mut bytes[..repr.total_len()];
            let mut packet = Packet::new_unchecked(&mut bytes[..]);
            repr.emit(&mut packet);
            rng.fill(packet.payload_mut());
            packet.fill_checksum(&src, &dst);
            assert_ne!(packet.checksum(), 0);

            let packet = Packet::new_checked(&bytes[..]).unwrap();
            assert!(packet.verify_checksum(&src, &dst), "{repr:?} {src} {dst}");
            assert_eq!(Repr::parse(&packet).unwrap(), repr);
            assert_eq!(packet.payload().len(), repr.payload_len);
            assert_eq!(packet.total_len() as usize, repr.total_len());
            assert_eq!(packet.header_len(), repr.header_len());

            // A single flipped bit outside the checksum field is detected.
            let mut bit = rng.random_range(0..(bytes.len() - 2) * 8);
            if bit >= 48 {
                bit += 16;
            }
            if (4 * 8..6 * 8).contains(&bit) {
                continue; // Length: changes what is summed; covered below.
            }
            bytes[bit / 8] ^= 1 << (bit % 8);
            assert!(!Packet::new_unchecked(&bytes[..]).verify_checksum(&src, &dst));
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(170);
        let (src4, dst4) = (v4([10, 0, 0, 1]), v4([10, 0, 0, 2]));
        let (src6, dst6) = (v6("2001:db8::1"), v6("2001:db8::2"));
        let mut bytes = [0u8; 32];
        for _ in 0..4000 {
            let len = rng.random_range(0..=bytes.len());
            rng.fill(&mut bytes[..len]);
            if len >= 6 && rng.random() {
                bytes[4] = 0;
                bytes[5] = rng.random_range(0..40);
            }
            let data = &bytes[..len];
            let _ = Repr::parse(&Packet::new_unchecked(data));
            if let Ok(packet) = Packet::new_checked(data) {
                let _ = packet.payload();
                let _ = packet.verify_checksum(&src4, &dst4);
                let _ = packet.verify_checksum(&src6, &dst6);
            }
        }
    }
}
