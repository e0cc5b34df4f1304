//! Random cases for `vxconform fuzz`: one mirrored copy drawn from the whole
//! space the builder covers, valid by construction or deliberately
//! malformed, with the expected dissection the builder derives from its
//! `Repr`s (never from a decoder).
//!
//! A [`Case`] is plain data (serde), so that a failing case can be written
//! next to its shrunk vector and read back. Its parts:
//!
//! * [`draw`]: [`Case::draw`]`(seed, index)`, from ChaCha8 seeded by the
//!   seed and streamed by the index, so case *i* of a seed is the same
//!   whatever the number of jobs or the machine;
//! * [`build`]: [`Case::frame_spec`] (the builder's [`FrameSpec`]),
//!   [`Case::meaning`] (valid, invalid or acceptable, its readings and
//!   subject, as the corpus states them for the same classes), and
//!   [`Case::vector`] (a [`Vector`] for the corpus writer);
//! * [`normalize`]: [`Case::normalize`], the constraints that keep a case
//!   buildable and unambiguous (run after drawing and after each shrink);
//! * [`shrink`]: [`Case::shrink_candidates`], simpler cases, simplest first;
//! * [`describe`]: [`Case::describe`], one line per layer.
//!
//! ```
//! use generator::vectors::random::Case;
//!
//! let a = Case::draw(7, 1234);
//! assert_eq!(a, Case::draw(7, 1234)); // deterministic
//! let built = a.frame_spec().build(1, None);
//! assert_eq!(built.dissection.frame.number, 1);
//! // Every shrink candidate is simpler, and still builds.
//! for c in a.shrink_candidates() {
//!     assert!(c.complexity() < a.complexity());
//!     c.frame_spec().build(1, None);
//! }
//! ```
//!
//! [`FrameSpec`]: super::builder::FrameSpec
//! [`Vector`]: super::corpus::Vector

use serde::{Deserialize, Serialize};

pub mod build;
pub mod describe;
pub mod draw;
pub mod normalize;
pub mod shrink;

/// One random case: a single mirrored copy.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Who receives the copy.
    pub target: TargetCase,
    /// The VXLAN header, all 64 bits (RFC 7348 section 5; GBP draft section 2.1).
    pub vxlan: VxlanCase,
    /// The headers in front of VXLAN.
    pub outer: OuterCase,
    /// The mirrored frame.
    pub inner: InnerCase,
    /// PacketLength or MTU truncation.
    pub cut: Option<CutCase>,
    /// A deliberate inconsistency (a malformed class of the corpus).
    pub fault: Option<FaultCase>,
    /// Pad the outer frame to 60 bytes when shorter (IEEE 802.3 clause 4.2.3.3).
    pub pad: bool,
}

/// The mirror target (AWS "Traffic Mirroring targets").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetCase {
    /// A network interface: copies over its MTU are cut.
    Eni,
    /// A Network Load Balancer's UDP 4789 listener.
    Nlb,
    /// A Gateway Load Balancer endpoint: the copy arrives wrapped in GENEVE.
    Gwlb(GeneveCase),
}

/// The GENEVE header a Gateway Load Balancer adds (RFC 8926 section 3.4).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneveCase {
    /// Ver (2 bits; only 0 is defined).
    pub version: u8,
    /// O bit.
    pub oam: bool,
    /// C bit.
    pub critical: bool,
    /// VNI (24 bits).
    pub vni: u32,
    /// The options, in wire order (RFC 8926 section 3.5).
    pub options: Vec<OptionCase>,
}

/// One GENEVE option; its data is `data_words` 4-byte words derived from `fill`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionCase {
    /// Option Class.
    pub class: u16,
    /// Type (its high bit is the option's critical bit).
    pub option_type: u8,
    /// Length in 4-byte words (5 bits: 0 ..= 31).
    pub data_words: u8,
    /// Seed of the data bytes (0: all zero).
    pub fill: u8,
}

/// The VXLAN header's fields as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VxlanCase {
    /// Bytes 0-1 (GBP layout: G 0x8000, I 0x0800, D 0x0040, A 0x0008; the rest reserved).
    pub flags: u16,
    /// Bytes 2-3: Group Policy ID (reserved without G).
    pub group_policy_id: u16,
    /// Bytes 4-6.
    pub vni: u32,
    /// Byte 7.
    pub reserved8: u8,
}

/// The outer IPv4 / UDP in front of VXLAN (the copy's own, inside GENEVE for a GWLB).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OuterCase {
    /// UDP source port (AWS: a flow hash).
    pub src_port: u16,
    /// UDP destination port: 4789, 8472, or a port that is not VXLAN's.
    pub dst_port: u16,
    /// Fill the UDP checksum instead of 0.
    pub udp_checksum: bool,
    /// IPv4 option words (0 ..= 2): Router Alert, then NOPs.
    pub ip_option_words: u8,
}

/// The mirrored frame.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InnerCase {
    /// 802.1Q tags, outermost first (two or more: QinQ).
    pub tags: Vec<TagCase>,
    /// The outermost of two or more tags is an 802.1ad S-tag (0x88a8).
    pub s_tag: bool,
    /// The IP header.
    pub ip: IpCase,
    /// The transport header.
    pub l4: L4Case,
    /// The transport payload.
    pub payload: PayloadCase,
}

/// One 802.1Q tag (IEEE 802.1Q clause 9.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagCase {
    /// PCP (3 bits).
    pub pcp: u8,
    /// DEI.
    pub dei: bool,
    /// VID (12 bits).
    pub vid: u16,
}

/// The inner IP header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum IpCase {
    /// IPv4 (RFC 791 section 3.1).
    V4 {
        /// TTL.
        ttl: u8,
        /// Identification.
        ident: u16,
        /// Don't Fragment.
        dont_frag: bool,
        /// DSCP (6 bits).
        dscp: u8,
        /// ECN (2 bits).
        ecn: u8,
        /// Option words (0 ..= 10): NOPs ending in an End of Options List.
        option_words: u8,
    },
    /// IPv6 (RFC 8200 section 3).
    V6 {
        /// Traffic Class.
        traffic_class: u8,
        /// Flow Label (20 bits).
        flow_label: u32,
        /// Hop Limit.
        hop_limit: u8,
    },
}

/// The inner transport header.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum L4Case {
    /// TCP (RFC 9293 section 3.1).
    Tcp(TcpCase),
    /// UDP (RFC 768).
    Udp {
        /// Source port.
        src_port: u16,
        /// Destination port.
        dst_port: u16,
    },
    /// ICMP (over IPv4) or ICMPv6 (over IPv6) echo.
    Icmp {
        /// Request (else reply).
        request: bool,
        /// Identifier.
        ident: u16,
        /// Sequence Number.
        seq: u16,
    },
}

/// A TCP header with its options (Linux's layout, `wire::tcp`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TcpCase {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgment number.
    pub ack: u32,
    /// The 12 bits after Data Offset.
    pub flags: u16,
    /// Window.
    pub window: u16,
    /// Urgent Pointer.
    pub urgent: u16,
    /// MSS option (RFC 9293 section 3.7.1).
    pub mss: Option<u16>,
    /// Window Scale option (RFC 7323 section 2.2).
    pub window_scale: Option<u8>,
    /// SACK-Permitted option (RFC 2018 section 2).
    pub sack_permitted: bool,
    /// SACK blocks (RFC 2018 section 3), at most 3 (fewer with timestamps).
    pub sack: Vec<(u32, u32)>,
    /// Timestamps option (RFC 7323 section 3.2).
    pub timestamp: Option<(u32, u32)>,
}

/// What the transport payload is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayloadCase {
    /// `len` bytes of readable filler, no application layer.
    Filler(u16),
    /// A curl-style HTTP/1.1 GET of a path of `path_len` characters (TCP only).
    HttpGet {
        /// Characters after the `/`.
        path_len: u8,
    },
    /// A DNS query to the VPC resolver (UDP to port 53 only).
    DnsQuery {
        /// ID.
        id: u16,
        /// Labels of the name before `example.com`.
        labels: u8,
    },
    /// A TLS ClientHello (TCP only).
    TlsClientHello {
        /// TLS 1.3 (else 1.2).
        tls13: bool,
        /// Seed of its random fields.
        seed: u8,
    },
}

/// Why the copy is shorter than the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CutCase {
    /// The session's PacketLength: bytes kept after the VXLAN header.
    PacketLength(u16),
    /// The target's MTU (1500, 8500 or 9001).
    Mtu(u16),
}

/// A deliberate inconsistency: the malformed classes of the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultCase {
    /// The outer UDP Length exceeds the IP payload by this many bytes.
    UdpLengthExceedsIp(u16),
    /// This many zero bytes follow the datagram in the IP payload.
    UdpLengthShortOfIp(u16),
    /// Only this many bytes (0 ..= 7) of the VXLAN header are sent.
    VxlanHeaderCut(u8),
}

/// A case as a corpus vector states it: what a decoder must do and what the
/// case tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meaning {
    /// Valid, invalid or acceptable.
    pub result: super::manifest::Expected,
    /// Why it is invalid or acceptable.
    pub reason: Option<&'static str>,
    /// The subject of a valid or invalid case.
    pub subject: Vec<&'static str>,
    /// The readings of an acceptable case (first: the expected file's).
    pub readings: Vec<super::corpus::ReadingSpec>,
    /// The corpus flags (bug classes) it exercises.
    pub flags: Vec<&'static str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every drawn case builds (the builder panics on what it cannot emit),
    /// is already normalized, round-trips through JSON, and its expected
    /// dissection holds the subject it names.
    #[test]
    fn drawn_cases_build_and_hold_their_subject() {
        for i in 0..3_000 {
            let c = Case::draw(11, i);
            let mut n = c.clone();
            n.normalize();
            assert_eq!(n, c, "case {i} is not normalized: {}", c.describe());
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<Case>(&json).unwrap(), c);
            let built = c.frame_spec().build(1, None);
            let m = c.meaning();
            let leaves = crate::dissection::flatten::leaves(&built.dissection);
            let subject = m.readings.first().map_or(&m.subject, |r| &r.subject);
            if subject.contains(&"frame.malformed") {
                assert!(built.dissection.frame.malformed.is_some(), "case {i}: {}", c.describe());
            } else {
                assert!(
                    subject.iter().any(|s| leaves.keys().any(|k| k.starts_with(s))),
                    "case {i}: subject {subject:?} not in {:?}",
                    leaves.keys().collect::<Vec<_>>()
                );
            }
        }
    }

    /// Different indices give different cases; the space is covered.
    #[test]
    fn the_space_is_covered() {
        let cases: Vec<Case> = (0..2_000).map(|i| Case::draw(3, i)).collect();
        let count = |f: &dyn Fn(&Case) -> bool| cases.iter().filter(|c| f(c)).count();
        assert!(count(&|c| matches!(c.target, TargetCase::Gwlb(_))) > 300);
        assert!(count(&|c| c.inner.s_tag) > 10);
        assert!(count(&|c| matches!(c.inner.ip, IpCase::V4 { option_words: 1.., .. })) > 50);
        assert!(count(&|c| matches!(&c.inner.l4, L4Case::Tcp(t) if !t.sack.is_empty())) > 50);
        assert!(count(&|c| c.vxlan.flags & 0x8040 == 0x8040 && c.vxlan.group_policy_id > 32767) > 10);
        assert!(count(&|c| matches!(&c.target, TargetCase::Gwlb(g) if g.options_len() > 200)) > 10);
        assert!(count(&|c| c.fault.is_some()) > 50);
        assert!(count(&|c| matches!(c.cut, Some(CutCase::Mtu(_)))) > 30);
        let mut distinct = cases.clone();
        distinct.sort_by_key(|c| serde_json::to_string(c).unwrap());
        distinct.dedup();
        assert!(distinct.len() > 1_990);
    }

    #[test]
    fn shrinking_ends_at_the_simplest_case() {
        let mut c = Case::draw(5, 42);
        let mut steps = 0;
        while let Some(next) = c.shrink_candidates().into_iter().next() {
            c = next;
            steps += 1;
            assert!(steps < 10_000);
        }
        assert!(c.complexity() <= Case::simplest().complexity(), "{}", c.describe());
    }
}
