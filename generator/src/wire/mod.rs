//! Packet headers, one module per header, in the manner of smoltcp's `wire`.
//!
//! Every header module offers the same three things:
//!
//! * a typed view `Packet<T: AsRef<[u8]>>` (or `Frame`, `Header`) over a byte
//!   buffer, whose getters and setters read and write named field ranges
//!   (the module's own `field`, one [`field::Field`] per field, through the
//!   big-endian helpers of [`field`]) and never allocate;
//! * a plain `Repr` struct holding the header's meaning;
//! * `Repr::parse` and `Repr::emit`, written side by side so that each mirrors
//!   the other.
//!
//! Checksums are computed by [`checksum`]; pseudo-headers follow RFC 768,
//! RFC 793 and RFC 8200 section 8.1.
//!
//! ```
//! use generator::wire::{udp, IpProtocol};
//! use std::net::{IpAddr, Ipv4Addr};
//!
//! let repr = udp::Repr { src_port: 65432, dst_port: 4789, payload_len: 4 };
//! let mut bytes = vec![0u8; repr.buffer_len()];
//! let mut packet = udp::Packet::new_unchecked(&mut bytes[..]);
//! repr.emit(&mut packet);
//! packet.payload_mut().copy_from_slice(b"vxln");
//! let (src, dst) = (IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)));
//! packet.fill_checksum(&src, &dst);
//! assert!(packet.verify_checksum(&src, &dst));
//! assert_eq!(udp::Repr::parse(&udp::Packet::new_checked(&bytes[..]).unwrap()).unwrap(), repr);
//! # let _ = IpProtocol::UDP;
//! ```

use core::fmt;

pub mod checksum;
pub mod ethernet;
pub mod field;
pub mod geneve;
pub mod icmpv4;
pub mod icmpv6;
pub mod ipv4;
pub mod ipv6;
pub mod tcp;
pub mod udp;
pub mod vlan;
pub mod vxlan;

/// Why a buffer could not be read as a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The buffer is shorter than the header (or than a length field says).
    #[error("truncated: {0}")]
    Truncated(&'static str),
    /// A field holds a value the header's specification does not allow.
    #[error("malformed: {0}")]
    Malformed(&'static str),
    /// A field holds a value this crate does not model (an ICMP type other
    /// than echo, say). The bytes may well be valid.
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
}

/// Result of parsing a header.
pub type Result<T> = core::result::Result<T, Error>;

/// An IP protocol number (IANA "Assigned Internet Protocol Numbers"), used by
/// the IPv4 Protocol field and the IPv6 Next Header field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpProtocol(pub u8);

impl IpProtocol {
    /// IPv6 Hop-by-Hop options (RFC 8200).
    pub const HOP_BY_HOP: IpProtocol = IpProtocol(0);
    /// ICMP for IPv4 (RFC 792).
    pub const ICMP: IpProtocol = IpProtocol(1);
    /// TCP (RFC 9293).
    pub const TCP: IpProtocol = IpProtocol(6);
    /// UDP (RFC 768).
    pub const UDP: IpProtocol = IpProtocol(17);
    /// ICMP for IPv6 (RFC 4443).
    pub const ICMPV6: IpProtocol = IpProtocol(58);
    /// GRE (RFC 2784): an example of a protocol that is neither TCP, UDP nor ICMP.
    pub const GRE: IpProtocol = IpProtocol(47);
}

impl fmt::Display for IpProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            IpProtocol::ICMP => f.write_str("icmp"),
            IpProtocol::TCP => f.write_str("tcp"),
            IpProtocol::UDP => f.write_str("udp"),
            IpProtocol::ICMPV6 => f.write_str("icmpv6"),
            IpProtocol(n) => write!(f, "{n}"),
        }
    }
}

pub use ethernet::{EtherType, EthernetAddress};
