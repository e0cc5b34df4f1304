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
//! Lengths mean the same in every module: `header_len()` is the header
//! alone, options included where the header has them; `total_len()` is the
//! header and its payload, where the header knows that length (from a length
//! field such as IPv4's Total Length, or, on a `Repr`, from `payload_len`).
//! A buffer of `total_len()` bytes takes `emit` and then the payload.
//!
//! Checksums are computed by [`checksum`]; pseudo-headers follow RFC 768,
//! RFC 793 and RFC 8200 section 8.1.
//!
//! ```
//! use generator::wire::{udp, IpProtocol};
//! use std::net::{IpAddr, Ipv4Addr};
//!
//! let repr = udp::Repr { src_port: 65432, dst_port: 4789, payload_len: 4 };
//! let mut bytes = vec![0u8; repr.total_len()];
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
pub mod icmp_echo;
pub mod icmpv4;
pub mod icmpv6;
pub mod ipv4;
pub mod ipv6;
pub mod tcp;
pub mod udp;
pub mod vlan;
pub mod vxlan;

/// The header an [`Error`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    /// Ethernet II ([`ethernet`]).
    Ethernet,
    /// An IEEE 802.1Q tag ([`vlan`]).
    Vlan,
    /// IPv4 ([`ipv4`]).
    Ipv4,
    /// IPv6 ([`ipv6`]).
    Ipv6,
    /// UDP ([`udp`]).
    Udp,
    /// TCP ([`tcp`]).
    Tcp,
    /// ICMP for IPv4 ([`icmpv4`]).
    Icmpv4,
    /// ICMP for IPv6 ([`icmpv6`]).
    Icmpv6,
    /// VXLAN ([`vxlan`]).
    Vxlan,
    /// GENEVE ([`geneve`]).
    Geneve,
}

impl Layer {
    /// The layer's name in messages: `ipv4`, `802.1q`, ...
    pub const fn name(self) -> &'static str {
        match self {
            Layer::Ethernet => "ethernet",
            Layer::Vlan => "802.1q",
            Layer::Ipv4 => "ipv4",
            Layer::Ipv6 => "ipv6",
            Layer::Udp => "udp",
            Layer::Tcp => "tcp",
            Layer::Icmpv4 => "icmpv4",
            Layer::Icmpv6 => "icmpv6",
            Layer::Vxlan => "vxlan",
            Layer::Geneve => "geneve",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why bytes (or a value meant for them) could not be read as a header, or
/// written as one. Each variant names the [`Layer`] and the numbers involved,
/// as etherparse's `LenError` does; `Display` gives one line, such as
/// `ipv4: 13 bytes, need 20`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Error {
    /// The buffer is shorter than the header: than its fixed part, or than
    /// the options its header-length field announces.
    Truncated {
        /// The header.
        layer: Layer,
        /// Bytes the header needs.
        required: usize,
        /// Bytes the buffer holds.
        present: usize,
    },
    /// An option runs past the end of the options (or, with `present` 0,
    /// there is no option to read).
    OptionTruncated {
        /// The header the option belongs to.
        layer: Layer,
        /// Bytes the option needs.
        required: usize,
        /// Option bytes left from where it starts.
        present: usize,
    },
    /// The Version field holds another version.
    BadVersion {
        /// The header.
        layer: Layer,
        /// The version found.
        found: u8,
        /// The version the header has.
        expected: u8,
    },
    /// A header-length field (IPv4 IHL, TCP Data Offset) says less than the
    /// fixed header (RFC 791 section 3.1, RFC 9293 section 3.1).
    BadHeaderLen {
        /// The header.
        layer: Layer,
        /// The header length the field gives, in bytes.
        found: usize,
        /// The length of the fixed header.
        min: usize,
    },
    /// A length field that counts header and payload (IPv4 Total Length, UDP
    /// Length) says less than the header.
    BadTotalLen {
        /// The header.
        layer: Layer,
        /// The length the field gives, in bytes.
        found: usize,
        /// The length of the header.
        min: usize,
    },
    /// An option's length is not the one its kind requires.
    BadOptionLen {
        /// The header the option belongs to.
        layer: Layer,
        /// The option kind.
        kind: u8,
        /// The option's length byte.
        found: usize,
        /// The lengths allowed, as the specification gives them (`4`, `2 + 8n`).
        expected: &'static str,
    },
    /// A checksum field does not match the bytes it covers. The views report
    /// checksums with `verify_checksum`; this is for callers that make an
    /// error of a failed check.
    BadChecksum {
        /// The header.
        layer: Layer,
        /// The checksum stored.
        stored: u16,
        /// The checksum the bytes call for.
        computed: u16,
    },
    /// An echo message whose Code is not 0 (RFC 792; RFC 4443 sections 4.1, 4.2).
    BadCode {
        /// The header.
        layer: Layer,
        /// The message type.
        msg_type: u8,
        /// The code found.
        code: u8,
    },
    /// A message type this crate does not model (an ICMP type other than
    /// echo, say). The bytes may well be valid.
    UnsupportedType {
        /// The header.
        layer: Layer,
        /// The message type.
        msg_type: u8,
    },
    /// An IPv4 fragment (More Fragments set or a non-zero Fragment Offset):
    /// valid, but not reassembled here.
    Fragment {
        /// Fragment Offset, in 8-byte units.
        offset: u16,
        /// The More Fragments flag.
        more_frags: bool,
    },
    /// A value too large for the field that would carry it.
    TooWide {
        /// The header.
        layer: Layer,
        /// The field, as the specification names it.
        field: &'static str,
        /// The value.
        value: u64,
        /// The largest value the field holds.
        max: u64,
    },
    /// A length that must be a whole number of words is not.
    Misaligned {
        /// The header.
        layer: Layer,
        /// The field, as the specification names it.
        field: &'static str,
        /// Its length in bytes.
        len: usize,
        /// The word size it must be a multiple of.
        multiple: usize,
    },
    /// Text that does not spell a value (a MAC address, a VNI).
    Syntax {
        /// What the text should spell.
        what: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::Truncated { layer, required, present } => {
                write!(f, "{layer}: {present} bytes, need {required}")
            }
            Error::OptionTruncated { layer, required, present } => {
                write!(f, "{layer} option: {present} bytes left, need {required}")
            }
            Error::BadVersion { layer, found, expected } => {
                write!(f, "{layer}: version {found}, expected {expected}")
            }
            Error::BadHeaderLen { layer, found, min } => {
                write!(f, "{layer}: header length {found}, below the fixed header's {min}")
            }
            Error::BadTotalLen { layer, found, min } => {
                write!(f, "{layer}: length field {found}, below the header's {min}")
            }
            Error::BadOptionLen { layer, kind, found, expected } => {
                write!(f, "{layer} option kind {kind}: length {found}, must be {expected}")
            }
            Error::BadChecksum { layer, stored, computed } => {
                write!(f, "{layer}: checksum 0x{stored:04x}, computed 0x{computed:04x}")
            }
            Error::BadCode { layer, msg_type, code } => {
                write!(f, "{layer}: code {code} for message type {msg_type}, expected 0")
            }
            Error::UnsupportedType { layer, msg_type } => {
                write!(f, "{layer}: message type {msg_type} is not modelled")
            }
            Error::Fragment { offset, more_frags } => {
                let more = if more_frags { ", more fragments" } else { "" };
                write!(f, "ipv4: fragment at offset {offset} (8-byte units){more}, not reassembled")
            }
            Error::TooWide { layer, field, value, max } => {
                write!(f, "{layer}: {field} {value} exceeds {max}")
            }
            Error::Misaligned { layer, field, len, multiple } => {
                write!(f, "{layer}: {field} is {len} bytes, not a multiple of {multiple}")
            }
            Error::Syntax { what, problem } => write!(f, "{what}: {problem}"),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// The header the error is about, when it is about one.
    pub const fn layer(&self) -> Option<Layer> {
        match *self {
            Error::Truncated { layer, .. }
            | Error::OptionTruncated { layer, .. }
            | Error::BadVersion { layer, .. }
            | Error::BadHeaderLen { layer, .. }
            | Error::BadTotalLen { layer, .. }
            | Error::BadOptionLen { layer, .. }
            | Error::BadChecksum { layer, .. }
            | Error::BadCode { layer, .. }
            | Error::UnsupportedType { layer, .. }
            | Error::TooWide { layer, .. }
            | Error::Misaligned { layer, .. } => Some(layer),
            Error::Fragment { .. } => Some(Layer::Ipv4),
            Error::Syntax { .. } => None,
        }
    }

    /// [`Error::Truncated`] unless `present` reaches `required`.
    #[inline]
    pub(crate) const fn need(layer: Layer, required: usize, present: usize) -> Result<()> {
        if present < required {
            Err(Error::Truncated { layer, required, present })
        } else {
            Ok(())
        }
    }
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

impl IpProtocol {
    /// The protocol's name as [`Display`](fmt::Display) shows it (`tcp`,
    /// `udp`, `icmp`, `icmpv6`), or `None` for a number without one.
    pub const fn name(self) -> Option<&'static str> {
        match self {
            IpProtocol::ICMP => Some("icmp"),
            IpProtocol::TCP => Some("tcp"),
            IpProtocol::UDP => Some("udp"),
            IpProtocol::ICMPV6 => Some("icmpv6"),
            _ => None,
        }
    }
}

impl fmt::Display for IpProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "{}", self.0),
        }
    }
}

pub use ethernet::{EtherType, EthernetAddress};

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(Error::Truncated { layer: Layer::Ipv4, required: 20, present: 13 }, "ipv4: 13 bytes, need 20")]
    #[case(Error::OptionTruncated { layer: Layer::Tcp, required: 10, present: 4 }, "tcp option: 4 bytes left, need 10")]
    #[case(Error::BadVersion { layer: Layer::Ipv6, found: 4, expected: 6 }, "ipv6: version 4, expected 6")]
    #[case(Error::BadHeaderLen { layer: Layer::Tcp, found: 16, min: 20 }, "tcp: header length 16, below the fixed header's 20")]
    #[case(Error::BadTotalLen { layer: Layer::Udp, found: 7, min: 8 }, "udp: length field 7, below the header's 8")]
    #[case(Error::BadOptionLen { layer: Layer::Tcp, kind: 2, found: 3, expected: "4" }, "tcp option kind 2: length 3, must be 4")]
    #[case(Error::BadChecksum { layer: Layer::Ipv4, stored: 0xb861, computed: 0xb862 }, "ipv4: checksum 0xb861, computed 0xb862")]
    #[case(Error::BadCode { layer: Layer::Icmpv4, msg_type: 8, code: 1 }, "icmpv4: code 1 for message type 8, expected 0")]
    #[case(Error::UnsupportedType { layer: Layer::Icmpv6, msg_type: 135 }, "icmpv6: message type 135 is not modelled")]
    #[case(Error::Fragment { offset: 185, more_frags: true }, "ipv4: fragment at offset 185 (8-byte units), more fragments, not reassembled")]
    #[case(Error::TooWide { layer: Layer::Vxlan, field: "VNI", value: 16_777_216, max: 16_777_215 }, "vxlan: VNI 16777216 exceeds 16777215")]
    #[case(Error::Misaligned { layer: Layer::Geneve, field: "option data", len: 3, multiple: 4 }, "geneve: option data is 3 bytes, not a multiple of 4")]
    #[case(Error::Syntax { what: "MAC address", problem: "needs six octets" }, "MAC address: needs six octets")]
    fn errors_display_in_one_line(#[case] error: Error, #[case] text: &str) {
        assert_eq!(error.to_string(), text);
    }

    #[test]
    fn errors_name_their_layer() {
        assert_eq!(Error::Fragment { offset: 1, more_frags: false }.layer(), Some(Layer::Ipv4));
        assert_eq!(Error::Syntax { what: "VNI", problem: "empty" }.layer(), None);
        assert_eq!(
            Error::need(Layer::Vlan, 4, 3),
            Err(Error::Truncated { layer: Layer::Vlan, required: 4, present: 3 })
        );
        assert_eq!(Error::need(Layer::Vlan, 4, 4), Ok(()));
        assert_eq!(Layer::Vlan.to_string(), "802.1q");
    }
}
