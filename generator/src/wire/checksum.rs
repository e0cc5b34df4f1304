//! The Internet checksum (RFC 1071) and the pseudo-headers of RFC 768 (UDP),
//! RFC 9293 section 3.1 (TCP) and RFC 8200 section 8.1 (upper layers over IPv6).
//!
//! [`data`] returns the folded 16-bit ones' complement *sum*, not yet
//! complemented, so that partial sums can be [`combine`]d; the value written
//! into a header is `!combine(&[...])`.
//!
//! ```
//! use generator::wire::checksum;
//! // RFC 1071 section 3's worked example: the sum of these bytes is 0xddf2.
//! assert_eq!(checksum::data(&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]), 0xddf2);
//! ```

use super::IpProtocol;
use std::net::IpAddr;

/// Folds a 32-or-more-bit accumulator into 16 bits with end-around carry.
#[inline]
fn fold(mut sum: u64) -> u16 {
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum as u16
}

/// The ones' complement sum of `bytes` taken as big-endian 16-bit words, an odd
/// final byte padded with zero (RFC 1071 section 4.1).
#[inline]
pub fn data(bytes: &[u8]) -> u16 {
    // Summing big-endian 32-bit words into a u64 gives the same folded result
    // as summing 16-bit words (RFC 1071 section 2(B), "byte order
    // independence" and "parallel summation"). Four independent accumulators
    // over 16-byte blocks let the CPU add in parallel; none can overflow
    // before 2^32 blocks.
    let mut acc = [0u64; 4];
    let mut blocks = bytes.chunks_exact(16);
    for b in &mut blocks {
        for (i, a) in acc.iter_mut().enumerate() {
            *a += u32::from_be_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]]) as u64;
        }
    }
    let mut sum = acc.iter().sum::<u64>();
    let mut words = blocks.remainder().chunks_exact(4);
    for c in &mut words {
        sum += u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as u64;
    }
    let rest = words.remainder();
    let mut tail = [0u8; 4];
    tail[..rest.len()].copy_from_slice(rest);
    sum += u32::from_be_bytes(tail) as u64;
    fold(sum)
}

/// Adds partial ones' complement sums.
#[inline]
pub fn combine(sums: &[u16]) -> u16 {
    fold(sums.iter().map(|&s| s as u64).sum())
}

/// The sum of the pseudo-header that TCP, UDP and ICMPv6 checksums cover:
/// for IPv4 (RFC 768, RFC 9293 section 3.1) source, destination, zero,
/// protocol and upper-layer length; for IPv6 (RFC 8200 section 8.1) source,
/// destination, 32-bit upper-layer length and next header.
///
/// Mixed address families never occur in a well-formed packet; they are summed
/// as given.
#[inline]
pub fn pseudo_header(src: &IpAddr, dst: &IpAddr, protocol: IpProtocol, length: u32) -> u16 {
    let mut sum = match src {
        IpAddr::V4(a) => data(&a.octets()) as u64,
        IpAddr::V6(a) => data(&a.octets()) as u64,
    };
    sum += match dst {
        IpAddr::V4(a) => data(&a.octets()) as u64,
        IpAddr::V6(a) => data(&a.octets()) as u64,
    };
    sum += protocol.0 as u64;
    sum += (length >> 16) as u64 + (length & 0xffff) as u64;
    fold(sum)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    /// The plain RFC 1071 definition, 16 bits at a time, as the oracle.
    fn naive(bytes: &[u8]) -> u16 {
        let mut sum: u32 = 0;
        for pair in bytes.chunks(2) {
            let word = (pair[0] as u32) << 8 | pair.get(1).copied().unwrap_or(0) as u32;
            sum += word;
            sum = (sum & 0xffff) + (sum >> 16);
        }
        sum as u16
    }

    #[test]
    fn matches_the_naive_sum_on_every_length() {
        let bytes: Vec<u8> = (0..600u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
        for len in 0..bytes.len() {
            assert_eq!(data(&bytes[..len]), naive(&bytes[..len]), "length {len}");
        }
    }

    #[test]
    fn all_ones_folds_to_ffff() {
        assert_eq!(data(&[0xff; 64]), 0xffff);
        assert_eq!(combine(&[0xffff, 0x0001]), 0x0001);
    }

    #[test]
    fn ipv4_header_from_rfc_1071_style_example() {
        // A well-known IPv4 header (Wikipedia "IPv4 header checksum") whose checksum is 0xb861.
        let mut h = [
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01,
            0xc0, 0xa8, 0x00, 0xc7,
        ];
        assert_eq!(!data(&h), 0xb861);
        h[10..12].copy_from_slice(&0xb861u16.to_be_bytes());
        assert_eq!(!data(&h), 0);
    }

    #[test]
    fn pseudo_header_sums_like_the_bytes_it_stands_for() {
        let (s4, d4) = (Ipv4Addr::new(10, 0, 1, 5), Ipv4Addr::new(203, 0, 113, 9));
        let mut ph = Vec::new();
        ph.extend_from_slice(&s4.octets());
        ph.extend_from_slice(&d4.octets());
        ph.extend_from_slice(&[0, 6, 0x05, 0xdc]);
        assert_eq!(pseudo_header(&s4.into(), &d4.into(), IpProtocol::TCP, 1500), naive(&ph));

        let (s6, d6): (Ipv6Addr, Ipv6Addr) = ("2001:db8::1".parse().unwrap(), "fe80::2".parse().unwrap());
        let mut ph = Vec::new();
        ph.extend_from_slice(&s6.octets());
        ph.extend_from_slice(&d6.octets());
        ph.extend_from_slice(&70000u32.to_be_bytes());
        ph.extend_from_slice(&[0, 0, 0, 58]);
        assert_eq!(pseudo_header(&s6.into(), &d6.into(), IpProtocol::ICMPV6, 70000), naive(&ph));
    }
}
