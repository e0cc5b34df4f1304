//! The corpus: every named vector, grouped by what it tests.
//!
//! Each vector is a short list of [`FrameSpec`]s with the manifest's words
//! about it. Nothing here depends on a clock or on the order of the vectors:
//! timestamps are fixed and each payload's randomness is seeded by its own
//! call, so adding a vector changes no other vector's bytes.

use super::builder::{Cut, Fault, FrameSpec, InnerSpec};
use super::inner::{self, data_segment, instance, remote, syn_segment, Segment};
pub use super::manifest::Expected;
use super::manifest::{CaptureFormat, ReadingKind};
use crate::flow::Direction;
use crate::mirror::filter::{pick_session, Filter, FilterRule, RuleAction};
use crate::mirror::session::Session;
use crate::traffic::app::{dns, tls};
use crate::wire::tcp::TcpFlags;
use crate::wire::vxlan::{self, Repr as Vxlan, Vni};
use crate::wire::IpProtocol;
use std::net::{IpAddr, Ipv4Addr};

mod filters;
mod header;
mod inner_layers;
mod malformed;
mod mirror_path;

use filters::filter;
use header::{gbp, gpe, i_flag, port, reserved, vni};
use inner_layers::{dns_group, handshake, http, icmp, inner_ipv6, inner_vlan, tcp_options, tls_group};
use malformed::malformed;
use mirror_path::{capture_format, gwlb, gwlb_edges, mtu, packet_length};

/// One named vector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vector {
    /// Stable identifier, also the file stem: `vni-9999999`.
    pub id: String,
    /// The group (and sub-directory) it belongs to.
    pub group: &'static str,
    /// One line saying what it is.
    pub description: String,
    /// Keys into [`super::manifest::references`].
    pub references: Vec<&'static str>,
    /// Keys into [`super::manifest::flags`]: the bug classes it catches.
    pub flags: Vec<&'static str>,
    /// What a decoder must do.
    pub result: Expected,
    /// Why it is `invalid` or `acceptable`.
    pub reason: Option<String>,
    /// The capture's snapshot length, if it cuts frames.
    pub snaplen: Option<u32>,
    /// The capture file format (classic little-endian pcap but for the
    /// `capture-format` group).
    pub format: CaptureFormat,
    /// The frames, in capture order.
    pub frames: Vec<FrameSpec>,
    /// Generic field or layer paths the vector exists to test (its first
    /// reading's, for an acceptable vector): see [`subject`].
    pub subject: Vec<&'static str>,
    /// An acceptable vector's allowed readings, the first the one its
    /// expected file gives; empty for valid and invalid vectors.
    pub readings: Vec<ReadingSpec>,
}

/// One allowed reading of an acceptable vector: how its expected dissection
/// is derived from the frames as built, and what it tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadingSpec {
    /// Its name, also the suffix of its expected file (`as-found`).
    pub name: &'static str,
    /// What a decoder does that reads the vector so.
    pub description: &'static str,
    /// How the expected frames differ from the frames as built.
    pub kind: ReadingKind,
    /// The fields it tests.
    pub subject: Vec<&'static str>,
}

/// A group of vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group {
    /// Name, also the sub-directory of `vectors/`.
    pub name: &'static str,
    /// What the group tests.
    pub description: &'static str,
}

/// The groups, in manifest order.
pub const GROUPS: &[Group] = &[
    Group { name: "vni", description: "VXLAN Network Identifier edge values and byte order (RFC 7348 section 5)." },
    Group {
        name: "gbp",
        description: "Group Based Policy flags G, D, A alone and together, and policy ids 0, 1, 0xffff (draft-smith-vxlan-group-policy section 2.1).",
    },
    Group { name: "reserved", description: "Reserved bits set in each reserved field: RFC 7348 says send 0, ignore on receipt." },
    Group { name: "i-flag", description: "The I flag clear: RFC 7348 makes it a MUST for a valid VNI." },
    Group { name: "port", description: "UDP ports other than AWS's: Linux's historic 8472, unusual source ports." },
    Group { name: "gpe", description: "VXLAN-GPE look-alike headers on port 4789, which must be read as VXLAN, not GPE." },
    Group {
        name: "packet-length",
        description: "Copies cut by the session's PacketLength inside the inner Ethernet, IP, TCP header and payload.",
    },
    Group { name: "mtu", description: "Copies cut to the target's MTU, with a 9001-byte jumbo packet." },
    Group { name: "gwlb", description: "Gateway Load Balancer targets: GENEVE with AWS's options around the VXLAN copy." },
    Group { name: "inner-ipv6", description: "Mirrored IPv6 packets." },
    Group { name: "inner-vlan", description: "Mirrored frames carrying 802.1Q tags." },
    Group { name: "tcp-options", description: "Inner TCP headers with and without options." },
    Group {
        name: "handshake",
        description: "TCP handshakes in order, reordered (as behind an NLB) and interleaved with other segments.",
    },
    Group { name: "tls", description: "TLS 1.2 and 1.3 handshake records inside the copies." },
    Group { name: "http", description: "HTTP/1.1 requests and responses inside the copies." },
    Group { name: "dns", description: "DNS to the VPC resolver (mirrored when the filter's amazon-dns option is set)." },
    Group { name: "icmp", description: "ICMP and ICMPv6 echo." },
    Group { name: "filter", description: "What a session's filter rules and session order let through." },
    Group { name: "malformed", description: "Negative and unusual outer headers: length disagreements, short VXLAN headers, IPv4 options, padding, snaplen." },
    Group {
        name: "capture-format",
        description: "The same two AWS copies in each capture file format a decoder meets: little- and big-endian classic pcap, nanosecond pcap, pcapng (if_tsresol 9, packet comments).",
    },
];

/// All the vectors, grouped as [`GROUPS`] orders them.
pub fn vectors() -> Vec<Vector> {
    let mut out = Vec::new();
    vni(&mut out);
    gbp(&mut out);
    reserved(&mut out);
    i_flag(&mut out);
    port(&mut out);
    gpe(&mut out);
    packet_length(&mut out);
    mtu(&mut out);
    gwlb(&mut out);
    gwlb_edges(&mut out);
    inner_ipv6(&mut out);
    inner_vlan(&mut out);
    tcp_options(&mut out);
    handshake(&mut out);
    tls_group(&mut out);
    http(&mut out);
    dns_group(&mut out);
    icmp(&mut out);
    filter(&mut out);
    malformed(&mut out);
    capture_format(&mut out);
    for v in &mut out {
        v.readings = readings(v);
        v.subject = match v.readings.first() {
            Some(r) => r.subject.clone(),
            None => subject(v),
        };
    }
    out
}

/// The fields a valid or invalid vector exists to test: what a decoder must
/// report, and right, for the vector to pass (docs/manifest.md).
fn subject(v: &Vector) -> Vec<&'static str> {
    const VNI: &str = "vxlan.vni";
    match (v.group, v.id.as_str()) {
        ("vni", _) => vec![VNI],
        ("gbp", _) => vec!["vxlan.flag_g", "vxlan.flag_d", "vxlan.flag_a", "vxlan.group_policy_id"],
        // Reserved bits are ignored on receipt (RFC 7348 section 5): I and the VNI read the same.
        ("reserved", _) | ("gpe", _) => vec!["vxlan.flag_i", VNI],
        ("port", "port-source-low") => vec!["outer.udp.src_port", VNI],
        ("port", "port-dst-not-vxlan") => vec!["outer.udp.dst_port"],
        ("port", _) => vec![VNI],
        // Nothing cut: the inner lengths must read whole (a decoder need not say "not truncated").
        ("packet-length", "packet-length-exact") => {
            vec![VNI, "inner.ipv4.total_len", "inner.tcp.payload_len"]
        }
        ("packet-length", _) => vec!["frame.truncated", VNI],
        ("mtu", "mtu-9001-jumbo") => vec!["frame.truncated", VNI],
        ("mtu", _) => vec![VNI, "inner.ipv4.total_len"],
        ("gwlb", "gwlb-geneve-critical") => vec![
            "geneve.critical",
            "geneve.options[].class",
            "geneve.options[].type",
            "geneve.options[].data",
            VNI,
        ],
        ("gwlb", _) => vec![
            "geneve.protocol_type",
            "geneve.options[].class",
            "geneve.options[].type",
            "geneve.options[].data",
            VNI,
        ],
        ("inner-ipv6", _) => vec!["inner.ipv6.src", "inner.ipv6.dst"],
        ("inner-vlan", _) => vec!["inner.vlan[]"],
        ("tcp-options", "tcp-no-options") => vec!["inner.tcp.header_len"],
        ("tcp-options", "tcp-ecn-setup") => vec!["inner.tcp.flag_ece", "inner.tcp.flag_cwr"],
        ("tcp-options", "tcp-urgent") => vec!["inner.tcp.flag_urg", "inner.tcp.urgent_pointer"],
        ("tcp-options", _) => vec!["inner.tcp.header_len", "inner.tcp.options"],
        ("handshake", _) => vec!["inner.tcp.flags", "inner.tcp.seq", "inner.tcp.ack"],
        ("tls", _) => vec!["app.tls"],
        ("http", _) => vec!["app.http"],
        ("dns", "dns-nxdomain") => {
            vec!["app.dns.id", "app.dns.is_response", "app.dns.rcode", "app.dns.query_name"]
        }
        ("dns", _) => vec!["app.dns.id", "app.dns.is_response", "app.dns.query_name", "app.dns.query_type"],
        ("icmp", "icmpv6-echo") => vec!["inner.icmpv6"],
        ("icmp", _) => vec!["inner.icmp"],
        ("filter", _) => vec![VNI, "inner.ipv4.src", "inner.ipv4.dst"],
        ("malformed", "outer-ipv4-options") => vec!["outer.ipv4.header_len", VNI],
        ("malformed", "outer-udp-checksum") => vec!["outer.udp.checksum", VNI],
        ("malformed", "ethernet-padding") => vec!["outer.eth.padding_len", VNI],
        ("malformed", "snaplen-46") => vec!["frame.captured_len", "frame.truncated"],
        ("capture-format", _) => vec!["frame.captured_len", "frame.original_len", VNI],
        _ if v.result == Expected::Invalid => vec!["frame.malformed"],
        _ => vec![VNI],
    }
}

/// The named readings of each acceptable vector (docs/manifest.md).
fn readings(v: &Vector) -> Vec<ReadingSpec> {
    let reading = |name, description, kind, subject: &[&'static str]| ReadingSpec {
        name,
        description,
        kind,
        subject: subject.to_vec(),
    };
    match (v.group, v.id.as_str()) {
        ("i-flag", _) => vec![
            reading(
                "as-found",
                "dissected as found: flag_i false, the VNI field as it is, no malformation",
                ReadingKind::AsBuilt,
                &["vxlan.flag_i", "vxlan.vni"],
            ),
            reading(
                "flagged",
                "flagged as malformed at the VXLAN header (the I flag is clear), as Linux drops it",
                ReadingKind::Flagged(crate::dissection::MalformedReason::VxlanIFlagClear, "vxlan"),
                &["frame.malformed"],
            ),
        ],
        ("port", "port-8472") => vec![
            reading("vxlan", "decoded as VXLAN, as Linux does on 8472", ReadingKind::AsBuilt, &["vxlan.vni"]),
            reading(
                "opaque-udp",
                "left as an opaque UDP payload to port 8472, as Wireshark does by default",
                ReadingKind::OuterOnly,
                &["outer.udp.dst_port"],
            ),
        ],
        ("gwlb", "gwlb-geneve-version-1") => vec![
            reading(
                "as-found",
                "dissected as found: geneve.version 1 (the 2-bit Ver field), the rest read as version 0 lays it out",
                ReadingKind::AsBuilt,
                &["geneve.version"],
            ),
            reading(
                "outer-only",
                "the GENEVE payload left opaque, as a tunnel endpoint drops an unknown version (RFC 8926 section 3.4)",
                ReadingKind::OuterOnly,
                &["outer.udp.dst_port"],
            ),
        ],
        ("malformed", "udp-length-short-of-ip") => vec![
            reading(
                "flagged",
                "the datagram decoded and the length mismatch flagged",
                ReadingKind::AsBuilt,
                &["frame.malformed"],
            ),
            reading(
                "trimmed",
                "the IP payload trimmed to the UDP Length (as Linux does) and the copy decoded, nothing flagged",
                ReadingKind::Unflagged,
                &["vxlan.vni"],
            ),
        ],
        _ => Vec::new(),
    }
}

/// The VNI AWS users see in Wireshark in the seed observation.
const SEED_VNI: u32 = 9_999_999;

fn vni_of(v: u32) -> Vni {
    Vni::new(v).expect("VNI in range")
}

#[allow(clippy::too_many_arguments)]
fn push(
    out: &mut Vec<Vector>,
    group: &'static str,
    id: &str,
    description: &str,
    references: &[&'static str],
    flags: &[&'static str],
    result: Expected,
    reason: Option<&str>,
    frames: Vec<FrameSpec>,
) {
    out.push(Vector {
        id: id.to_owned(),
        group,
        description: description.to_owned(),
        references: references.to_vec(),
        flags: flags.to_vec(),
        result,
        reason: reason.map(str::to_owned),
        snaplen: None,
        format: CaptureFormat::Pcap,
        frames,
        subject: Vec::new(),
        readings: Vec::new(),
    });
}

/// A valid vector of one AWS copy of `inner` with VXLAN header `vx`.
fn one(inner: InnerSpec, vx: Vxlan) -> Vec<FrameSpec> {
    let mut f = FrameSpec::aws(inner, SEED_VNI);
    f.vxlan = vx;
    vec![f]
}

/// The segments of one short HTTP connection: SYN, SYN-ACK, ACK, GET, ACK
/// of the GET, 200 response, from the instance on `port`.
fn http_connection(port: u16, isn: u32, server_isn: u32, path: &str) -> Vec<Segment> {
    let (c, s) = (instance(port), remote(80));
    let mut syn = syn_segment(c, s);
    syn.seq = isn;
    let mut synack = syn_segment(s, c);
    synack.flags = TcpFlags::SYN | TcpFlags::ACK;
    synack.seq = server_isn;
    synack.ack = isn + 1;
    synack.ts = Some((1_177_000_000, 2_840_123_456));
    let mut ack = data_segment(c, s, isn + 1, server_isn + 1, Vec::new(), None);
    ack.flags = TcpFlags::ACK;
    let mut get = inner::http_request_segment(c, s, "example.com", path);
    get.seq = isn + 1;
    get.ack = server_isn + 1;
    let get_len = get.payload.len() as u32;
    let mut get_ack = data_segment(s, c, server_isn + 1, isn + 1 + get_len, Vec::new(), None);
    get_ack.flags = TcpFlags::ACK;
    let mut resp = inner::http_response_segment(s, c, 200, 256);
    resp.seq = server_isn + 1;
    resp.ack = isn + 1 + get_len;
    vec![syn, synack, ack, get, get_ack, resp]
}

fn frames_of(segs: &[Segment]) -> Vec<FrameSpec> {
    segs.iter().map(|s| FrameSpec::aws(s.spec(), SEED_VNI)).collect()
}

fn frames_of_specs(specs: Vec<InnerSpec>) -> Vec<FrameSpec> {
    specs.into_iter().map(|s| FrameSpec::aws(s, SEED_VNI)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_grouped() {
        let all = vectors();
        let mut ids: Vec<&str> = all.iter().map(|v| v.id.as_str()).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate vector ids");
        assert!(n >= 60, "only {n} vectors");
        for v in &all {
            assert!(GROUPS.iter().any(|g| g.name == v.group), "{}: unknown group", v.id);
            assert!(!v.frames.is_empty(), "{}: no frames", v.id);
            assert_eq!(v.result != Expected::Valid, v.reason.is_some(), "{}: reason iff not valid", v.id);
        }
    }

    #[test]
    fn filter_vectors_hold_what_the_filters_pass() {
        let all = vectors();
        let count = |id: &str| all.iter().find(|v| v.id == id).unwrap().frames.len();
        assert_eq!(count("filter-egress-only"), 3);
        assert_eq!(count("filter-rule-order"), 3);
        assert_eq!(count("filter-two-sessions"), 8);
        assert_eq!(count("filter-amazon-dns-off"), 6);
        let two = all.iter().find(|v| v.id == "filter-two-sessions").unwrap();
        let vnis: Vec<u32> = two.frames.iter().map(|f| f.vxlan.vni.value()).collect();
        assert_eq!(vnis, [200, 200, 100, 100, 100, 100, 100, 100]);
    }
}
