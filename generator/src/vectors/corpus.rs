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

fn vni(out: &mut Vec<Vector>) {
    let refs = &["rfc7348-5", "aws-packet-format"];
    for (v, what) in [
        (0u32, "VNI 0, the lowest: a decoder must not take 0 for \"no VNI\""),
        (1, "VNI 1"),
        (4095, "VNI 4095 = 0x000fff, the largest 12-bit value (a VLAN id's width)"),
        (4096, "VNI 4096 = 0x001000, the first VNI wider than a VLAN id"),
        (SEED_VNI, "VNI 9999999 = 0x98967f, as AWS users see it in Wireshark"),
        (0x80_0000, "VNI 8388608 = 0x800000: the top bit of the 24, catching signed reads"),
        (0x12_3456, "VNI 1193046 = 0x123456: three distinct bytes, catching byte-order mistakes"),
        (0xff_ffff, "VNI 16777215 = 2^24-1, the largest"),
    ] {
        push(
            out,
            "vni",
            &format!("vni-{v}"),
            &format!("{what}; flags 0x08 otherwise as AWS sends it."),
            refs,
            &["vni_range", "vni_byte_order"],
            Expected::Valid,
            None,
            one(inner::tcp_syn(), Vxlan::rfc7348(vni_of(v))),
        );
    }
}

fn gbp(out: &mut Vec<Vector>) {
    let refs = &["gbp-2.1", "rfc7348-5"];
    let g = vxlan::FLAG_G;
    let (i, d, a) = (vxlan::FLAG_I, vxlan::FLAG_D, vxlan::FLAG_A);
    for (id, flags, gpid, what) in [
        ("gbp-g-policy-0", g, 0u16, "G set, Group Policy ID 0"),
        ("gbp-g-policy-1", g, 1, "G set, Group Policy ID 1"),
        ("gbp-g-policy-65535", g, 0xffff, "G set, Group Policy ID 0xffff"),
        ("gbp-g-policy-4660", g, 0x1234, "G set, Group Policy ID 0x1234 (byte order)"),
        ("gbp-d-only", d, 0, "D (Don't Learn) alone, no G"),
        ("gbp-a-only", a, 0, "A (Policy Applied) alone, no G"),
        ("gbp-g-d", g | d, 0x0064, "G and D, Group Policy ID 100"),
        ("gbp-g-a", g | a, 0x0064, "G and A, Group Policy ID 100"),
        ("gbp-d-a", d | a, 0, "D and A without G"),
        ("gbp-g-d-a", g | d | a, 0xffff, "G, D and A, Group Policy ID 0xffff: first word 0x8848ffff"),
    ] {
        let vx = Vxlan { flags: i | flags, group_policy_id: gpid, vni: vni_of(SEED_VNI), reserved8: 0 };
        push(
            out,
            "gbp",
            id,
            &format!("{what}; I set, VNI 9999999."),
            refs,
            &["gbp_flags", "gbp_policy_id"],
            Expected::Valid,
            None,
            one(inner::tcp_syn(), vx),
        );
    }
}

fn reserved(out: &mut Vec<Vector>) {
    let refs = &["rfc7348-5", "gbp-2.1"];
    let i = vxlan::FLAG_I;
    let vni = vni_of(SEED_VNI);
    for (id, vx, what) in [
        (
            "reserved-flags-all",
            Vxlan { flags: i | vxlan::FLAGS_RESERVED, group_policy_id: 0, vni, reserved8: 0 },
            "every bit of the flags word reserved in both readings set (0x77b7), I set: first word 0x7fb70000",
        ),
        (
            "reserved-flags-r1",
            Vxlan { flags: i | 0x4000, group_policy_id: 0, vni, reserved8: 0 },
            "the reserved bit right after G (0x4000) set",
        ),
        (
            "reserved-flags-low",
            Vxlan { flags: i | 0x0001, group_policy_id: 0, vni, reserved8: 0 },
            "the lowest bit of the flags word (0x0001) set",
        ),
        (
            "reserved-24-all",
            Vxlan { flags: i | 0x00ff, group_policy_id: 0xffff, vni, reserved8: 0 },
            "RFC 7348's 24 reserved bits all set (bytes 1-3 = ff ff ff); under GBP that is D, A, reserved bits 0x00b7 and policy id 0xffff with G clear",
        ),
        (
            "reserved-24-policy-without-g",
            Vxlan { flags: i, group_policy_id: 0x0102, vni, reserved8: 0 },
            "a non-zero Group Policy ID (0x0102) with G clear: reserved bits under RFC 7348, an unflagged policy id under GBP",
        ),
        (
            "reserved-8-all",
            Vxlan { flags: i, group_policy_id: 0, vni, reserved8: 0xff },
            "the last reserved byte set to 0xff: must not leak into the VNI",
        ),
        (
            "reserved-all",
            Vxlan { flags: 0xffff, group_policy_id: 0xffff, vni, reserved8: 0xff },
            "every bit of the header set except the VNI: all flags, all reserved bits",
        ),
    ] {
        push(
            out,
            "reserved",
            id,
            &format!("{what}; VNI 9999999."),
            refs,
            &["reserved_bits_rejected", "reserved_bits_reported"],
            Expected::Valid,
            None,
            one(inner::tcp_syn(), vx),
        );
    }
}

fn i_flag(out: &mut Vec<Vector>) {
    let refs = &["rfc7348-5"];
    let reason = "RFC 7348 section 5: the I flag MUST be 1 for a valid VNI. A receiver may drop or flag the \
                  frame (as the Linux kernel drops it), or report the VNI field as found; the expected \
                  dissection reports the fields as found and no malformation.";
    for (id, vx, what) in [
        (
            "i-clear",
            Vxlan { flags: 0, group_policy_id: 0, vni: vni_of(42), reserved8: 0 },
            "I clear, every other bit 0, VNI field 42",
        ),
        (
            "i-clear-vni-0",
            Vxlan { flags: 0, group_policy_id: 0, vni: vni_of(0), reserved8: 0 },
            "the whole first word and VNI zero: an all-zero VXLAN header",
        ),
        (
            "i-clear-g-set",
            Vxlan { flags: vxlan::FLAG_G, group_policy_id: 7, vni: vni_of(SEED_VNI), reserved8: 0 },
            "G set but I clear (flags 0x8000), policy id 7: G must not be taken for I",
        ),
    ] {
        push(
            out,
            "i-flag",
            id,
            &format!("{what}."),
            refs,
            &["i_flag_clear"],
            Expected::Acceptable,
            Some(reason),
            one(inner::tcp_syn(), vx),
        );
    }
}

fn port(out: &mut Vec<Vector>) {
    let mut f = FrameSpec::aws(inner::tcp_syn(), SEED_VNI);
    f.outer.dst_port = vxlan::LINUX_UDP_PORT;
    push(
        out,
        "port",
        "port-8472",
        "A VXLAN copy to UDP port 8472, the Linux kernel's historic default, instead of IANA's 4789.",
        &["rfc7348-5", "linux-vxlan"],
        &["nonstandard_port"],
        Expected::Acceptable,
        Some(
            "AWS always sends to 4789; a decoder may decode 8472 as VXLAN (as Linux does) or leave it as an \
             opaque UDP payload (as Wireshark does by default). The expected dissection is the VXLAN reading.",
        ),
        vec![f],
    );
    let mut f = FrameSpec::aws(inner::tcp_syn(), SEED_VNI);
    f.outer.src_port = vxlan::UDP_PORT;
    push(
        out,
        "port",
        "port-source-4789",
        "Source and destination port both 4789, as some VTEPs send: VXLAN is recognised by the destination port.",
        &["rfc7348-5"],
        &["nonstandard_port"],
        Expected::Valid,
        None,
        vec![f],
    );
    let mut f = FrameSpec::aws(inner::tcp_syn(), SEED_VNI);
    f.outer.src_port = 1024;
    push(
        out,
        "port",
        "port-source-low",
        "Source port 1024, outside both AWS's observed 65408-65535 and RFC 7348's recommended 49152-65535.",
        &["rfc7348-5", "aws-packet-format"],
        &["nonstandard_port"],
        Expected::Valid,
        None,
        vec![f],
    );
    let mut f = FrameSpec::aws(inner::tcp_syn(), SEED_VNI);
    f.outer.src_port = vxlan::UDP_PORT;
    f.outer.dst_port = 33333;
    f.opaque = true;
    push(
        out,
        "port",
        "port-dst-not-vxlan",
        "A UDP datagram from port 4789 to port 33333 carrying what looks like a VXLAN copy: not VXLAN, the destination \
         port identifies VXLAN.",
        &["rfc7348-5"],
        &["source_port_vxlan", "nonstandard_port"],
        Expected::Valid,
        None,
        vec![f],
    );
}

fn gpe(out: &mut Vec<Vector>) {
    let refs = &["gpe-3", "rfc7348-5", "gbp-2.1"];
    let vni = vni_of(SEED_VNI);
    for (id, vx, what) in [
        (
            "gpe-p-next-ethernet",
            Vxlan::gpe(vni, 0, Some(vxlan::GPE_NEXT_PROTOCOL_ETHERNET), false),
            "first byte 0x0c (GPE's I and P) and byte 3 = 0x03 (GPE Next Protocol: Ethernet)",
        ),
        (
            "gpe-p-next-ipv4",
            Vxlan::gpe(vni, 0, Some(vxlan::GPE_NEXT_PROTOCOL_IPV4), false),
            "GPE's P bit with Next Protocol 0x01 (IPv4) although an Ethernet frame follows",
        ),
        ("gpe-version-2-oam", Vxlan::gpe(vni, 2, None, true), "GPE version 2 and O bit (first byte 0x29)"),
    ] {
        push(
            out,
            "gpe",
            id,
            &format!("On port 4789, {what}: under RFC 7348 / GBP these are reserved bits, and an Ethernet frame follows."),
            refs,
            &["gpe_confusion", "reserved_bits_rejected"],
            Expected::Valid,
            None,
            one(inner::tcp_syn(), vx),
        );
    }
}

fn packet_length(out: &mut Vec<Vector>) {
    let refs = &["aws-create-session", "aws-packet-format", "rfc7348-5"];
    // The inner frame: Ethernet 14, IPv4 20, TCP 32 (timestamps), HTTP GET.
    for (n, what) in [
        (1u16, "1 byte, the smallest PacketLength: one byte of the inner destination MAC"),
        (8, "8 bytes: inside the inner Ethernet header (destination MAC whole, source MAC cut)"),
        (14, "14 bytes: exactly the inner Ethernet header"),
        (20, "20 bytes: 6 bytes into the inner IPv4 header"),
        (34, "34 bytes: exactly the inner Ethernet and IPv4 headers"),
        (40, "40 bytes: 6 bytes into the inner TCP header"),
        (60, "60 bytes: inside the inner TCP options"),
        (100, "100 bytes: inside the HTTP request"),
    ] {
        let mut f = FrameSpec::aws(inner::http_get(), SEED_VNI);
        f.cut = Some(Cut::PacketLength(n));
        push(
            out,
            "packet-length",
            &format!("packet-length-{n}"),
            &format!("PacketLength {what}; the inner IPv4 header keeps its original Total Length."),
            refs,
            &["truncated_inner", "trusts_inner_length"],
            Expected::Valid,
            None,
            vec![f],
        );
    }
    let get = inner::http_get();
    let len = get.build().0.len() as u16;
    let mut f = FrameSpec::aws(get, SEED_VNI);
    f.cut = Some(Cut::PacketLength(len));
    push(
        out,
        "packet-length",
        "packet-length-exact",
        &format!("PacketLength {len}, exactly the inner frame's length: nothing is cut, the copy is not truncated."),
        refs,
        &["truncated_inner"],
        Expected::Valid,
        None,
        vec![f],
    );
    let mut f = FrameSpec::aws(inner::tcp_jumbo(9001), SEED_VNI);
    f.cut = Some(Cut::PacketLength(8500));
    push(
        out,
        "packet-length",
        "packet-length-8500-jumbo",
        "PacketLength 8500 (the maximum, and NLB targets' default) applied to a 9001-byte jumbo IPv4 packet.",
        refs,
        &["truncated_inner", "jumbo_frame"],
        Expected::Valid,
        None,
        vec![f],
    );
}

fn mtu(out: &mut Vec<Vector>) {
    let refs = &["aws-limitations-mtu", "rfc7348-5"];
    let mut f = FrameSpec::aws(inner::tcp_jumbo(9001), SEED_VNI);
    f.cut = Some(Cut::Mtu(9001));
    push(
        out,
        "mtu",
        "mtu-9001-jumbo",
        "A 9001-byte jumbo IPv4 packet mirrored to a 9001-MTU instance: the copy is cut to the MTU (8965 inner bytes).",
        refs,
        &["truncated_inner", "jumbo_frame", "trusts_inner_length"],
        Expected::Valid,
        None,
        vec![f],
    );
    let mut f = FrameSpec::aws(inner::tcp_jumbo(8951), SEED_VNI);
    f.cut = Some(Cut::Mtu(9001));
    push(
        out,
        "mtu",
        "mtu-9001-fits",
        "An 8951-byte IPv4 packet (8965-byte frame): its copy is exactly 9001 bytes of IPv4 and is not cut.",
        refs,
        &["jumbo_frame"],
        Expected::Valid,
        None,
        vec![f],
    );
    let mut f = FrameSpec::aws(inner::tcp_jumbo(1500), SEED_VNI);
    f.cut = Some(Cut::Mtu(1500));
    push(
        out,
        "mtu",
        "mtu-1500",
        "A 1500-byte IPv4 packet mirrored to a 1500-MTU instance: the copy is cut to 1464 inner bytes.",
        refs,
        &["truncated_inner", "trusts_inner_length"],
        Expected::Valid,
        None,
        vec![f],
    );
}

fn gwlb(out: &mut Vec<Vector>) {
    let refs = &["aws-packet-format", "rfc8926-3.4", "rfc8926-3.5", "rfc7348-5"];
    push(
        out,
        "gwlb",
        "gwlb-basic",
        "A copy through a Gateway Load Balancer: GENEVE (UDP 6081, protocol 0x0800, AWS options class 0x0108 types 1, 2, 3) around IPv4 / UDP 4789 / VXLAN.",
        refs,
        &["geneve_gwlb"],
        Expected::Valid,
        None,
        vec![FrameSpec::aws_gwlb(inner::tcp_syn(), SEED_VNI)],
    );
    let mut f = FrameSpec::aws_gwlb(inner::http_get(), SEED_VNI);
    f.cut = Some(Cut::PacketLength(54));
    push(
        out,
        "gwlb",
        "gwlb-packet-length-54",
        "A GWLB copy with PacketLength 54: the inner frame is cut inside the TCP header, inside two tunnels.",
        refs,
        &["geneve_gwlb", "truncated_inner"],
        Expected::Valid,
        None,
        vec![f],
    );
    push(
        out,
        "gwlb",
        "gwlb-ipv6-inner",
        "A GWLB copy of an IPv6 SYN: three IP layers of two versions in one frame.",
        refs,
        &["geneve_gwlb", "inner_ipv6"],
        Expected::Valid,
        None,
        vec![FrameSpec::aws_gwlb(
            syn_segment(inner::instance6(inner::CLIENT_PORT), inner::remote6(443)).spec(),
            SEED_VNI,
        )],
    );
    let mut f = FrameSpec::aws_gwlb(inner::tcp_syn(), SEED_VNI);
    f.vxlan = Vxlan::gbp(vni_of(SEED_VNI), 0x00c8, false, true);
    push(
        out,
        "gwlb",
        "gwlb-gbp",
        "A GWLB copy whose VXLAN header carries GBP (G, A, policy id 200).",
        &["aws-packet-format", "rfc8926-3.4", "gbp-2.1"],
        &["geneve_gwlb", "gbp_flags"],
        Expected::Valid,
        None,
        vec![f],
    );
}

/// GENEVE edges (RFC 8926 sections 3.4, 3.5) around an ordinary GWLB copy.
fn gwlb_edges(out: &mut Vec<Vector>) {
    use crate::wire::geneve::OwnedOption;
    let refs = &["rfc8926-3.4", "rfc8926-3.5", "aws-packet-format", "rfc7348-5"];
    // An option ahead of AWS's three, so a decoder must skip it by its length.
    let with_first = |opt: OwnedOption| {
        let mut f = FrameSpec::aws_gwlb(inner::tcp_syn(), SEED_VNI);
        if let Some(g) = &mut f.gwlb {
            g.geneve.options.insert(0, opt);
        }
        f
    };
    let mut f = FrameSpec::aws_gwlb(inner::tcp_syn(), SEED_VNI);
    if let Some(g) = &mut f.gwlb {
        g.geneve.version = 1;
    }
    push(
        out,
        "gwlb",
        "gwlb-geneve-version-1",
        "A GWLB copy whose GENEVE Ver field (2 bits) is 1, otherwise laid out as version 0: first byte 0x48.",
        &["rfc8926-3.4"],
        &["geneve_edges"],
        Expected::Acceptable,
        Some(
            "RFC 8926 section 3.4: a tunnel endpoint MUST drop a packet of an unknown version, so a decoder may leave              it opaque; one that dissects it must report version 1, not 0. The expected dissection is the as-found reading.",
        ),
        vec![f],
    );
    let data: Vec<u8> = (0..124u8).map(|i| i.wrapping_mul(7)).collect();
    push(
        out,
        "gwlb",
        "gwlb-geneve-option-124",
        "A GWLB copy with an experimental option (class 0xfff0, type 0x10) of 31 four-byte words (124 bytes, the \
         5-bit Length's largest) ahead of AWS's options: Opt Len 40 words (160 bytes).",
        &["rfc8926-3.5", "rfc8926-7.1", "rfc8926-3.4", "rfc7348-5"],
        &["geneve_edges", "geneve_gwlb"],
        Expected::Valid,
        None,
        vec![with_first(OwnedOption::new(0xfff0, 0x10, data).expect("31 words"))],
    );
    let mut f =
        with_first(OwnedOption::new(0xfff1, 0x80 | 0x05, vec![0xde, 0xad, 0xbe, 0xef]).expect("1 word"));
    if let Some(g) = &mut f.gwlb {
        g.geneve.critical = true;
    }
    push(
        out,
        "gwlb",
        "gwlb-geneve-critical",
        "A GWLB copy with the C bit set and a critical option (type 0x85: the high bit of Type) of experimental class \
         0xfff1 ahead of AWS's options.",
        refs,
        &["geneve_edges"],
        Expected::Valid,
        None,
        vec![f],
    );
    push(
        out,
        "gwlb",
        "gwlb-geneve-unknown-class",
        "A GWLB copy with an option of unknown class 0xfff5 (type 0x42, 8 bytes) ahead of AWS's options: it must be \
         skipped by its length and reported as found.",
        &["rfc8926-3.5", "rfc8926-7.1", "rfc8926-3.4", "rfc7348-5"],
        &["geneve_edges", "geneve_gwlb"],
        Expected::Valid,
        None,
        vec![with_first(OwnedOption::new(0xfff5, 0x42, vec![1, 2, 3, 4, 5, 6, 7, 8]).expect("2 words"))],
    );
}

/// The same AWS copies in each capture file format.
fn capture_format(out: &mut Vec<Vector>) {
    let frames =
        vec![FrameSpec::aws(inner::tcp_syn(), SEED_VNI), FrameSpec::aws(inner::http_get(), SEED_VNI)];
    for (format, refs, what) in [
        (CaptureFormat::Pcap, &["pcap-header", "pcap-format"][..], "classic pcap, little-endian, microseconds (magic d4 c3 b2 a1): the control"),
        (CaptureFormat::PcapBe, &["pcap-header", "pcap-format"][..], "classic pcap written big-endian (magic a1 b2 c3 d4; every header field big-endian)"),
        (CaptureFormat::PcapNs, &["pcap-header", "pcap-format"][..], "classic pcap with nanosecond timestamps (magic 4d 3c b2 a1)"),
        (
            CaptureFormat::PcapNg,
            &["pcapng-4.2", "pcapng-4.3"][..],
            "pcapng: SHB, an IDB with if_tsresol 9 (nanoseconds), an Enhanced Packet Block per frame with an opt_comment",
        ),
    ] {
        let id = format!("capture-format-{}", format.name());
        push(
            out,
            "capture-format",
            &id,
            &format!("Two AWS copies (a SYN and an HTTP GET, VNI 9999999) as {what}."),
            refs,
            &["capture_format"],
            Expected::Valid,
            None,
            frames.clone(),
        );
        out.last_mut().expect("pushed").format = format;
    }
}

fn inner_ipv6(out: &mut Vec<Vector>) {
    let refs = &["rfc8200-3", "rfc7348-5"];
    let (a, b) = (inner::instance6(inner::CLIENT_PORT), inner::remote6(443));
    push(
        out,
        "inner-ipv6",
        "ipv6-tcp-syn",
        "A mirrored IPv6 SYN with Linux's options.",
        refs,
        &["inner_ipv6"],
        Expected::Valid,
        None,
        one(syn_segment(a, b).spec(), Vxlan::rfc7348(vni_of(SEED_VNI))),
    );
    let seg = inner::http_request_segment(
        inner::instance6(inner::CLIENT_PORT),
        inner::remote6(80),
        "example.com",
        "/index.html",
    );
    push(
        out,
        "inner-ipv6",
        "ipv6-http-get",
        "A mirrored IPv6 segment carrying an HTTP GET.",
        &["rfc8200-3", "rfc9112-3"],
        &["inner_ipv6", "http_parsing"],
        Expected::Valid,
        None,
        one(seg.spec(), Vxlan::rfc7348(vni_of(SEED_VNI))),
    );
    let mut f = FrameSpec::aws(syn_segment(a, b).spec(), SEED_VNI);
    f.cut = Some(Cut::PacketLength(40));
    push(
        out,
        "inner-ipv6",
        "ipv6-packet-length-40",
        "A mirrored IPv6 SYN cut by PacketLength 40, inside the IPv6 source address.",
        &["rfc8200-3", "aws-create-session"],
        &["inner_ipv6", "truncated_inner"],
        Expected::Valid,
        None,
        vec![f],
    );
}

fn inner_vlan(out: &mut Vec<Vector>) {
    let refs = &["ieee8021q-9.6", "rfc7348-5"];
    for (id, spec, what) in [
        ("vlan-100", inner::tagged(inner::tcp_syn(), 0, false, 100), "one 802.1Q tag, VID 100, PCP 0"),
        (
            "vlan-pcp-dei-4094",
            inner::tagged(inner::tcp_syn(), 5, true, 4094),
            "one tag, PCP 5, DEI set, VID 4094",
        ),
        (
            "vlan-ipv6",
            inner::tagged(
                syn_segment(inner::instance6(inner::CLIENT_PORT), inner::remote6(443)).spec(),
                3,
                false,
                42,
            ),
            "one tag, VID 42, then IPv6",
        ),
        (
            "vlan-double",
            inner::tagged(inner::tagged(inner::tcp_syn(), 1, false, 10), 2, false, 20),
            "two stacked 802.1Q tags (VID 20 then 10), both with TPID 0x8100",
        ),
    ] {
        push(
            out,
            "inner-vlan",
            id,
            &format!("A mirrored frame with {what}."),
            refs,
            &["inner_vlan"],
            Expected::Valid,
            None,
            one(spec, Vxlan::rfc7348(vni_of(SEED_VNI))),
        );
    }
}

fn tcp_options(out: &mut Vec<Vector>) {
    let (c, s) = (instance(inner::CLIENT_PORT), remote(443));
    let mut synack = syn_segment(s, c);
    synack.flags = TcpFlags::SYN | TcpFlags::ACK;
    synack.seq = 0x1c55_0e70;
    synack.ack = 0x6f3a_9c02;
    synack.ts = Some((1_177_000_000, 2_840_123_456));
    synack.syn_options = Some((1400, 10, true));
    let mut sack = data_segment(s, c, 0x1c55_0e71, 0x6f3a_9c02, Vec::new(), None);
    sack.flags = TcpFlags::ACK;
    sack.sack = vec![(0x6f3a_a000, 0x6f3a_a5a8), (0x6f3a_b000, 0x6f3a_b5a8), (0x6f3a_c000, 0x6f3a_c5a8)];
    let mut bare = Segment::new(c, s, TcpFlags::ACK, 0x6f3a_9c02, 0x1c55_0e71);
    bare.window = 65535;
    let mut mss_only = syn_segment(c, s);
    mss_only.ts = None;
    mss_only.syn_options = Some((8961, 0, false));
    let mut ecn = syn_segment(c, s);
    ecn.flags = TcpFlags::SYN | TcpFlags::ECE | TcpFlags::CWR;
    let mut urg = data_segment(c, s, 0x6f3a_9c02, 0x1c55_0e71, b"!".to_vec(), None);
    urg.flags = TcpFlags::URG | TcpFlags::ACK | TcpFlags::PSH;
    urg.urgent = 1;
    for (id, seg, what, refs) in [
        (
            "tcp-syn-linux",
            syn_segment(c, s),
            "a Linux SYN: MSS 1460, SACK-Permitted, timestamps, window scale 7 (20 option bytes)",
            &["rfc9293-3.1", "rfc7323-2", "rfc2018"][..],
        ),
        (
            "tcp-synack",
            synack,
            "a SYN-ACK: MSS 1400, SACK-Permitted, timestamps, window scale 10",
            &["rfc9293-3.1", "rfc7323-2"][..],
        ),
        (
            "tcp-sack-blocks",
            sack,
            "an ACK with timestamps and three SACK blocks (36 option bytes)",
            &["rfc2018", "rfc7323-3"][..],
        ),
        ("tcp-no-options", bare, "an ACK without options (20-byte header)", &["rfc9293-3.1"][..]),
        (
            "tcp-mss-only",
            mss_only,
            "a SYN with MSS 8961 and window scale 0 only, no timestamps or SACK",
            &["rfc9293-3.1"][..],
        ),
        ("tcp-ecn-setup", ecn, "an ECN-setup SYN: ECE and CWR set", &["rfc3168-6.1", "rfc9293-3.1"][..]),
        (
            "tcp-urgent",
            urg,
            "a segment with URG, urgent pointer 1 and one byte of data",
            &["rfc9293-3.1"][..],
        ),
    ] {
        push(
            out,
            "tcp-options",
            id,
            &format!("Inner TCP: {what}."),
            refs,
            &["tcp_options"],
            Expected::Valid,
            None,
            one(seg.spec(), Vxlan::rfc7348(vni_of(SEED_VNI))),
        );
    }
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

fn handshake(out: &mut Vec<Vector>) {
    let conn = http_connection(inner::CLIENT_PORT, 0x6f3a_9c01, 0x1c55_0e70, "/");
    push(
        out,
        "handshake",
        "handshake-in-order",
        "One HTTP connection in order: SYN, SYN-ACK, ACK, GET, ACK, 200 response; both directions share one outer source port.",
        &["rfc9293-3.5", "aws-packet-format"],
        &["tcp_reordering"],
        Expected::Valid,
        None,
        frames_of(&conn),
    );
    let order = [1usize, 0, 3, 2, 5, 4];
    let reordered: Vec<Segment> = order.iter().map(|&i| conn[i].clone()).collect();
    push(
        out,
        "handshake",
        "handshake-reordered",
        "The same connection as delivered out of order through an NLB target: SYN-ACK before SYN, GET before the handshake ACK, response before the GET's ACK.",
        &["aws-targets", "rfc9293-3.5"],
        &["tcp_reordering"],
        Expected::Valid,
        None,
        frames_of(&reordered),
    );
    let other = http_connection(50_000, 0x0abc_0001, 0x7def_0001, "/api/v1/status");
    let mut mixed = Vec::new();
    for (a, b) in conn.iter().zip(other.iter()) {
        mixed.push(a.clone());
        mixed.push(b.clone());
    }
    push(
        out,
        "handshake",
        "handshake-interleaved",
        "Two HTTP connections whose handshakes and data segments interleave, as in the seed capture; each flow has its own outer source port.",
        &["rfc9293-3.5", "aws-packet-format"],
        &["tcp_reordering"],
        Expected::Valid,
        None,
        frames_of(&mixed),
    );
}

fn tls_group(out: &mut Vec<Vector>) {
    let vx = Vxlan::rfc7348(vni_of(SEED_VNI));
    for (id, spec, what, refs) in [
        (
            "tls12-client-hello",
            inner::tls_client_hello(tls::TlsVersion::Tls12, "example.com", &["http/1.1"], 11),
            "a TLS 1.2 ClientHello with SNI example.com and ALPN http/1.1",
            &["rfc5246-7.4", "rfc6066-3", "rfc7301-3.1"][..],
        ),
        (
            "tls13-client-hello",
            inner::tls_client_hello(tls::TlsVersion::Tls13, "s3.us-east-1.amazonaws.com", &["h2", "http/1.1"], 12),
            "a TLS 1.3 ClientHello (supported_versions 1.3, 1.2) with SNI s3.us-east-1.amazonaws.com and ALPN h2, http/1.1",
            &["rfc8446-4.1.2", "rfc6066-3", "rfc7301-3.1"][..],
        ),
        (
            "tls13-server-flight",
            inner::tls_server_flight(tls::TlsVersion::Tls13, 13),
            "a TLS 1.3 server flight in one jumbo segment: ServerHello, ChangeCipherSpec, four encrypted records",
            &["rfc8446-4.1.3", "rfc8446-d.4"][..],
        ),
        (
            "tls12-server-flight",
            inner::tls_server_flight(tls::TlsVersion::Tls12, 14),
            "a TLS 1.2 server flight in one jumbo segment: ServerHello (ALPN http/1.1), Certificate, ServerKeyExchange, ServerHelloDone",
            &["rfc5246-7.4", "rfc7301-3.1"][..],
        ),
    ] {
        push(out, "tls", id, &format!("Inner TCP 443: {what}."), refs, &["tls_parsing"], Expected::Valid, None, one(spec, vx));
    }
}

fn http(out: &mut Vec<Vector>) {
    let vx = Vxlan::rfc7348(vni_of(SEED_VNI));
    let (c, s) = (instance(inner::CLIENT_PORT), remote(80));
    push(
        out,
        "http",
        "http-get",
        "Inner TCP 80: a curl-style HTTP/1.1 GET / with Host example.com.",
        &["rfc9112-3"],
        &["http_parsing"],
        Expected::Valid,
        None,
        one(inner::http_get(), vx),
    );
    push(
        out,
        "http",
        "http-200",
        "Inner TCP 80: an nginx HTTP/1.1 200 response with a 256-byte HTML body.",
        &["rfc9112-4"],
        &["http_parsing"],
        Expected::Valid,
        None,
        one(inner::http_response_segment(s, c, 200, 256).spec(), vx),
    );
    push(
        out,
        "http",
        "http-404",
        "Inner TCP 80: nginx's HTTP/1.1 404 Not Found page.",
        &["rfc9112-4"],
        &["http_parsing"],
        Expected::Valid,
        None,
        one(inner::http_response_segment(s, c, 404, 0).spec(), vx),
    );
}

fn dns_group(out: &mut Vec<Vector>) {
    let refs = &["rfc1035-4.1", "aws-filters"];
    let name = "s3.us-east-1.amazonaws.com";
    push(
        out,
        "dns",
        "dns-query-a",
        "Inner UDP 53: an A query for s3.us-east-1.amazonaws.com to the VPC resolver 10.0.0.2.",
        refs,
        &["dns_parsing"],
        Expected::Valid,
        None,
        frames_of_specs(vec![inner::dns_query(0x4a1c, name, dns::QType::A)]),
    );
    push(
        out,
        "dns",
        "dns-exchange",
        "Inner UDP 53: the query and the resolver's answer with two A records.",
        refs,
        &["dns_parsing"],
        Expected::Valid,
        None,
        frames_of_specs(vec![
            inner::dns_query(0x4a1c, name, dns::QType::A),
            inner::dns_response(
                0x4a1c,
                name,
                &[Ipv4Addr::new(52, 216, 8, 91), Ipv4Addr::new(52, 217, 4, 30)],
            ),
        ]),
    );
    push(
        out,
        "dns",
        "dns-nxdomain",
        "Inner UDP 53: an NXDOMAIN answer (RCODE 3) with the zone's SOA.",
        &["rfc1035-4.1", "rfc2308"],
        &["dns_parsing"],
        Expected::Valid,
        None,
        frames_of_specs(vec![inner::dns_response(0x0bad, "no-such-host.example.com", &[])]),
    );
    push(
        out,
        "dns",
        "dns-query-aaaa",
        "Inner UDP 53: an AAAA query (type 28).",
        &["rfc1035-4.1", "rfc3596"],
        &["dns_parsing"],
        Expected::Valid,
        None,
        frames_of_specs(vec![inner::dns_query(0x0c0d, "example.com", dns::QType::Aaaa)]),
    );
}

fn frames_of_specs(specs: Vec<InnerSpec>) -> Vec<FrameSpec> {
    specs.into_iter().map(|s| FrameSpec::aws(s, SEED_VNI)).collect()
}

fn icmp(out: &mut Vec<Vector>) {
    push(
        out,
        "icmp",
        "icmp-echo",
        "Inner ICMP: an echo request and its reply (ident 0x1d2e, seq 1); both share one outer source port.",
        &["rfc792", "aws-packet-format"],
        &["icmp"],
        Expected::Valid,
        None,
        frames_of_specs(vec![
            inner::icmp_echo(false, true, 0x1d2e, 1),
            inner::icmp_echo(false, false, 0x1d2e, 1),
        ]),
    );
    push(
        out,
        "icmp",
        "icmpv6-echo",
        "Inner ICMPv6: an echo request and its reply (ident 0x1d2e, seq 7).",
        &["rfc4443-4", "rfc8200-3"],
        &["icmp", "inner_ipv6"],
        Expected::Valid,
        None,
        frames_of_specs(vec![
            inner::icmp_echo(true, true, 0x1d2e, 7),
            inner::icmp_echo(true, false, 0x1d2e, 7),
        ]),
    );
    let mut f = FrameSpec::aws(inner::icmp_echo(false, true, 0x1d2e, 2), SEED_VNI);
    f.cut = Some(Cut::PacketLength(40));
    push(
        out,
        "icmp",
        "icmp-packet-length-40",
        "Inner ICMP echo request cut by PacketLength 40, inside the echo identifier.",
        &["rfc792", "aws-create-session"],
        &["icmp", "truncated_inner"],
        Expected::Valid,
        None,
        vec![f],
    );
}

/// The frames a mirror with `sessions` copies from `candidates`: each
/// inner frame goes through [`pick_session`] (AWS "How Traffic Mirroring
/// works": sessions in ascending number, the first whose filter accepts it),
/// and the chosen session's VNI is written.
fn mirrored(sessions: &[Session], candidates: &[(Direction, InnerSpec)]) -> Vec<FrameSpec> {
    let vpc = crate::mirror::session::Source::example().vpc_cidr;
    candidates
        .iter()
        .filter_map(|(dir, spec)| {
            pick_session(sessions, *dir, &spec.key(), &vpc)
                .map(|s| FrameSpec::aws(spec.clone(), s.vni.value()))
        })
        .collect()
}

fn session(number: u16, vni: u32, filter: Filter) -> Session {
    let mut m = crate::mirror::session::Mirror::example(vni);
    let mut s = m.sessions.remove(0);
    s.session_number = number;
    s.filter = filter;
    s
}

fn filter(out: &mut Vec<Vector>) {
    let any: ipnet::IpNet = "0.0.0.0/0".parse().expect("CIDR");
    let conn = http_connection(inner::CLIENT_PORT, 0x6f3a_9c01, 0x1c55_0e70, "/");
    let dirs: Vec<(Direction, InnerSpec)> = conn
        .iter()
        .map(|s| {
            (
                if s.src.ip == IpAddr::V4(inner::INSTANCE_IP) {
                    Direction::Egress
                } else {
                    Direction::Ingress
                },
                s.spec(),
            )
        })
        .collect();

    let egress_only = Filter::new(
        vec![FilterRule::new(100, Direction::Egress, RuleAction::Accept, any, any)
            .with_protocol(IpProtocol::TCP)],
        false,
    )
    .expect("valid filter");
    push(
        out,
        "filter",
        "filter-egress-only",
        "A filter accepting egress TCP only: of one HTTP connection's six segments, the capture holds the instance's three.",
        &["aws-filters"],
        &["filter_outcome"],
        Expected::Valid,
        None,
        mirrored(&[session(1, SEED_VNI, egress_only)], &dirs),
    );

    let reject_then_accept = Filter::new(
        vec![
            FilterRule::new(10, Direction::Ingress, RuleAction::Reject, any, any)
                .with_protocol(IpProtocol::TCP)
                .with_source_ports(80, 80),
            FilterRule::new(20, Direction::Ingress, RuleAction::Accept, any, any),
            FilterRule::new(20, Direction::Egress, RuleAction::Accept, any, any),
        ],
        false,
    )
    .expect("valid filter");
    push(
        out,
        "filter",
        "filter-rule-order",
        "Ingress rule 10 rejects TCP from port 80 before rule 20 accepts everything: only the egress segments are mirrored.",
        &["aws-filters"],
        &["filter_outcome"],
        Expected::Valid,
        None,
        mirrored(&[session(1, SEED_VNI, reject_then_accept)], &dirs),
    );

    let web_only = Filter::new(
        vec![
            FilterRule::new(100, Direction::Egress, RuleAction::Accept, any, any)
                .with_protocol(IpProtocol::TCP)
                .with_destination_ports(80, 80),
            FilterRule::new(100, Direction::Ingress, RuleAction::Accept, any, any)
                .with_protocol(IpProtocol::TCP)
                .with_source_ports(80, 80),
        ],
        false,
    )
    .expect("valid filter");
    let mut candidates = dirs.clone();
    candidates.insert(0, (Direction::Egress, inner::dns_query(0x4a1c, "example.com", dns::QType::A)));
    candidates.insert(
        1,
        (Direction::Ingress, inner::dns_response(0x4a1c, "example.com", &[Ipv4Addr::new(93, 184, 215, 14)])),
    );
    push(
        out,
        "filter",
        "filter-two-sessions",
        "Two sessions on one interface: session 1 (VNI 100) takes TCP port 80, session 2 (VNI 200) the rest with amazon-dns, so the DNS exchange carries VNI 200 and the HTTP connection VNI 100.",
        &["aws-how-it-works", "aws-filters"],
        &["filter_outcome", "vni_range"],
        Expected::Valid,
        None,
        mirrored(&[session(1, 100, web_only), session(2, 200, Filter::accept_all())], &candidates),
    );
    let no_dns = Filter::new(
        vec![
            FilterRule::new(100, Direction::Egress, RuleAction::Accept, any, any),
            FilterRule::new(100, Direction::Ingress, RuleAction::Accept, any, any),
        ],
        false,
    )
    .expect("valid filter");
    push(
        out,
        "filter",
        "filter-amazon-dns-off",
        "Accept-all rules without the amazon-dns option: the DNS exchange with the VPC resolver is not mirrored, the HTTP connection is.",
        &["aws-filters"],
        &["filter_outcome"],
        Expected::Valid,
        None,
        mirrored(&[session(1, SEED_VNI, no_dns)], &candidates),
    );
}

fn malformed(out: &mut Vec<Vector>) {
    let mut f = FrameSpec::aws(inner::tcp_syn(), SEED_VNI);
    f.fault = Some(Fault::UdpLengthExceedsIp(16));
    push(
        out,
        "malformed",
        "udp-length-exceeds-ip",
        "The outer UDP Length is 16 bytes larger than the IPv4 payload that carries it.",
        &["rfc768", "rfc791-3.1"],
        &["udp_length_mismatch"],
        Expected::Invalid,
        Some("RFC 768: Length counts the header and data; a datagram cannot exceed its IP payload (Linux drops it)."),
        vec![f],
    );
    let mut f = FrameSpec::aws(inner::tcp_syn(), SEED_VNI);
    f.fault = Some(Fault::UdpLengthShortOfIp(4));
    push(
        out,
        "malformed",
        "udp-length-short-of-ip",
        "The outer IPv4 payload holds 4 zero bytes after the UDP datagram, which its Length does not count.",
        &["rfc768", "rfc791-3.1"],
        &["udp_length_mismatch"],
        Expected::Acceptable,
        Some(
            "The datagram itself is consistent: a receiver may trim the IP payload to the UDP Length (as Linux does) \
             and decode the VXLAN copy, or flag the mismatch. The expected dissection decodes the datagram and \
             marks the mismatch.",
        ),
        vec![f],
    );
    for n in [4u8, 0] {
        let mut f = FrameSpec::aws(inner::tcp_syn(), SEED_VNI);
        f.fault = Some(Fault::VxlanHeaderCut(n));
        push(
            out,
            "malformed",
            &format!("vxlan-header-{n}-bytes"),
            &format!("A UDP 4789 datagram with only {n} bytes of VXLAN header and nothing after it (UDP and IP lengths agree)."),
            &["rfc7348-5"],
            &["vxlan_header_short"],
            Expected::Invalid,
            Some("RFC 7348 section 5: the VXLAN header is 8 bytes and an Ethernet frame follows it."),
            vec![f],
        );
    }
    let mut f = FrameSpec::aws(inner::tcp_syn(), SEED_VNI);
    f.outer.ip_options = vec![0x94, 0x04, 0x00, 0x00];
    push(
        out,
        "malformed",
        "outer-ipv4-options",
        "The outer IPv4 header carries a Router Alert option (IHL 6): the UDP header starts at byte 24 of the IP packet.",
        &["rfc791-3.1", "rfc2113"],
        &["ip_options"],
        Expected::Valid,
        None,
        vec![f],
    );
    let mut f = FrameSpec::aws(inner::tcp_syn(), SEED_VNI);
    f.outer.udp_checksum = true;
    push(
        out,
        "malformed",
        "outer-udp-checksum",
        "The outer UDP checksum is filled in (correct) instead of 0.",
        &["rfc7348-5", "rfc768"],
        &["udp_checksum"],
        Expected::Valid,
        None,
        vec![f],
    );
    let mut f = FrameSpec::aws(inner::tcp_syn(), SEED_VNI);
    f.cut = Some(Cut::PacketLength(4));
    f.pad = true;
    push(
        out,
        "malformed",
        "ethernet-padding",
        "A 4-byte PacketLength copy (54 bytes) padded to the 60-byte Ethernet minimum: the 6 padding bytes are not inner data.",
        &["ieee8023-3.2", "aws-create-session"],
        &["ethernet_padding", "truncated_inner"],
        Expected::Valid,
        None,
        vec![f],
    );
    let v = Vector {
        id: "snaplen-46".to_owned(),
        group: "malformed",
        description: "A capture with snaplen 46: each record stops 4 bytes into the VXLAN header (captured_len < original_len)."
            .to_owned(),
        references: vec!["pcap-format", "rfc7348-5"],
        flags: vec!["snaplen_truncation", "vxlan_header_short"],
        result: Expected::Valid,
        reason: None,
        snaplen: Some(46),
        format: CaptureFormat::Pcap,
        frames: frames_of_specs(vec![inner::tcp_syn(), inner::http_get()]),
        subject: Vec::new(),
        readings: Vec::new(),
    };
    out.push(v);
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
