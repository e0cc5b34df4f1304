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
fn fold(sum: u64) -> u16 {
    // Four fixed steps instead of a loop: below 2^33 after the first, 2^18
    // after the second, 0x10003 after the third, 2^16 after the fourth. Each
    // keeps the value modulo 0xffff and never turns a non-zero sum into zero,
    // so the result is the one a fold-until-it-fits loop gives.
    let sum = (sum & 0xffff_ffff) + (sum >> 32);
    let sum = (sum & 0xffff) + (sum >> 16);
    let sum = (sum & 0xffff) + (sum >> 16);
    let sum = (sum & 0xffff) + (sum >> 16);
    sum as u16
}

/// The ones' complement sum of `bytes` taken as big-endian 16-bit words, an odd
/// final byte padded with zero (RFC 1071 section 4.1).
#[inline]
pub fn data(bytes: &[u8]) -> u16 {
    // Every payload byte of every TCP and UDP frame goes through this loop.
    // RFC 1071 section 2 allows two shortcuts that give the same 16 bits:
    // (B) "byte order independence": sum the words in the host's byte order
    // and swap the result, so no word needs a byte swap; (C) "parallel
    // summation": add 64-bit words, each congruent to the sum of its four
    // 16-bit words modulo 0xffff (a divisor of 2^64 - 1). A u128 accumulator
    // takes the carries (an add and an add-with-carry per 8 bytes) and cannot
    // overflow on any slice.
    let mut acc = 0u128;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        acc += u128::from(u64::from_ne_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]));
    }
    // The last 0 to 7 bytes, zero-padded on the right as big-endian words
    // are; copied 4, 2 and 1 bytes at a time, as a copy of variable length
    // would be a call to memcpy.
    let rest = words.remainder();
    let mut tail = [0u8; 8];
    let mut at = 0;
    if rest.len() & 4 != 0 {
        tail[..4].copy_from_slice(&rest[..4]);
        at = 4;
    }
    if rest.len() & 2 != 0 {
        tail[at..at + 2].copy_from_slice(&rest[at..at + 2]);
        at += 2;
    }
    if rest.len() & 1 != 0 {
        tail[at] = rest[at];
    }
    acc += u128::from(u64::from_ne_bytes(tail));
    // End-around carry from 128 to 64 bits keeps the value modulo 2^64 - 1,
    // hence modulo 0xffff, and never turns a non-zero sum into zero.
    let (low, carry) = (acc as u64).overflowing_add((acc >> 64) as u64);
    u16::from_be(fold(low + u64::from(carry)))
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
    // Each address summed as its big-endian 16-bit words straight from its
    // integer value, and one fold at the end: this runs per TCP and UDP frame.
    fn address(addr: &IpAddr) -> u64 {
        let words = |x: u32| u64::from(x >> 16) + u64::from(x & 0xffff);
        match addr {
            IpAddr::V4(a) => words(u32::from(*a)),
            IpAddr::V6(a) => {
                let x = u128::from(*a);
                words((x >> 96) as u32) + words((x >> 64) as u32) + words((x >> 32) as u32) + words(x as u32)
            }
        }
    }
    let mut sum = address(src) + address(dst);
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
    fn fold_agrees_with_folding_until_it_fits() {
        let looped = |mut sum: u64| {
            while sum >> 16 != 0 {
                sum = (sum & 0xffff) + (sum >> 16);
            }
            sum as u16
        };
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let edges =
            [0, 1, 0xffff, 0x1_0000, 0xffff_ffff, 0x1_0000_0000, 0x1_fffe_0001, u64::MAX, u64::MAX - 1];
        for sum in edges.into_iter().chain((0..10_000).map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x >> (x % 48)
        })) {
            assert_eq!(fold(sum), looped(sum), "{sum:#x}");
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
