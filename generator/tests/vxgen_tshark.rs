//! Cross-checks of `vxgen` captures with the real tshark (4.0 or later):
//!
//! * every frame of a generated capture dissects without malformed packets and
//!   without expert warnings or errors, save those a truncated copy makes
//!   unavoidable (see [`check_clean`]);
//! * tshark reads back the VXLAN header, the outer IPv4/UDP (and for a GWLB
//!   target the GENEVE) headers and the inner addresses and ports exactly as
//!   requested on the command line and as the generator says it built them
//!   (the pcapng comment);
//! * the outer UDP source port is a flow hash: in 65408-65535, one per TCP
//!   connection, both directions alike, different across flows;
//! * pcap, pcap-ns and pcapng hold the same frames; a truncated copy is a
//!   prefix of the whole copy.
//!
//! Captures come from the built binary (`CARGO_BIN_EXE_vxgen`); expectations
//! are derived from the options passed, the crate's public constants and
//! docs/aws.md. Without tshark the tshark tests print `SKIP` and pass, unless
//! `CI=true` (tests/common/mod.rs).

mod common;
mod vxgen_support;

use generator::capture::Format;
use generator::generate::host_of;
use generator::mirror::encap::{source_port, Truncation, OUTER_TTL, SOURCE_PORT_BASE, VXLAN_IP_OVERHEAD};
use generator::mirror::session::{Mirror, Source, Target, TargetKind};
use generator::wire::vxlan::{self, Vni};
use generator::wire::{ethernet, geneve, ipv4, udp, EtherType, IpProtocol};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::net::IpAddr;
use vxgen_support::{
    parse_comment, read_pcap, Dissection, Gen, Inner, INNER_ETH, SEVERITY_COMMENT, SEVERITY_WARN,
};

use TargetKind::{GatewayLoadBalancerEndpoint as Gwlb, NetworkInterface as Eni, NetworkLoadBalancer as Nlb};

/// Everything the checks below read, for one tshark run per capture.
const FIELDS: &[&str] = &[
    "frame.len",
    "frame.cap_len",
    "frame.comment",
    "frame.packet_flags_direction",
    "frame.time_epoch",
    "frame.protocols",
    "_ws.expert.message",
    "_ws.expert.severity",
    "_ws.malformed",
    "eth.src",
    "eth.dst",
    "ip.src",
    "ip.dst",
    "ip.ttl",
    "ip.flags.df",
    "ip.flags.mf",
    "ip.id",
    "ip.dsfield",
    "ip.len",
    "ip.hdr_len",
    "ip.proto",
    "ip.checksum.status",
    "ipv6.src",
    "ipv6.dst",
    "ipv6.plen",
    "ipv6.nxt",
    "udp.srcport",
    "udp.dstport",
    "udp.length",
    "udp.checksum",
    "udp.checksum.status",
    "vxlan.flags",
    "vxlan.flag_g",
    "vxlan.flag_i",
    "vxlan.flag_d",
    "vxlan.flag_a",
    "vxlan.flags_reserved",
    "vxlan.gbp",
    "vxlan.vni",
    "vxlan.reserved8",
    "tcp.srcport",
    "tcp.dstport",
    "tcp.stream",
    "tcp.hdr_len",
    "tcp.seq_raw",
    "tcp.checksum",
    "tcp.checksum.status",
    "icmp.checksum",
    "icmp.checksum.status",
    "icmpv6.checksum",
    "icmpv6.checksum.status",
    "geneve.version",
    "geneve.proto_type",
    "geneve.vni",
    "geneve.option.class",
    "geneve.option.type",
    "geneve.option.unknown.data",
];

/// tshark's TCP analysis warnings when bytes of a stream are missing: they
/// follow a truncated copy (on it, or on a later whole copy of the same
/// connection, e.g. the ACK of a truncated segment).
const PREVIOUS_NOT_CAPTURED: &str = "Previous segment(s) not captured (common at capture start)";
const ACKED_NOT_CAPTURED: &str = "ACKed segment that wasn't captured (common at capture start)";
/// tshark on a segment whose TCP header itself was cut.
const SHORT_SEGMENT: &str = "Short segment. Segment/fragment does not contain a full TCP header";
const MALFORMED: &str = "Malformed Packet (Exception occurred)";

fn tshark_or_skip() -> bool {
    common::require_tool("tshark")
}

/// Generates `gen` into a fresh directory and dissects it; returns the
/// dissection, the VNI the run reports, and the directory (kept alive).
fn dissect(gen: &Gen) -> (Dissection, u32, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (path, vni) = gen.run(dir.path());
    let d = Dissection::of(&path, FIELDS);
    assert!(d.frames() > 0, "vxgen {:?} wrote no frame", gen.args());
    (d, vni, dir)
}

/// Number of IPv4 (and UDP) headers in front of the VXLAN copy's inner frame:
/// the mirror's, and the GWLB's before it.
fn outer_layers(gen: &Gen) -> usize {
    if gen.target == Gwlb {
        2
    } else {
        1
    }
}

/// The inner transport's checksum field, its status field and the
/// occurrence to read (inner UDP comes after the outer UDP headers).
fn l4_checksum(inner: &Inner, outer: usize) -> Option<(&'static str, &'static str, isize)> {
    match inner.protocol {
        IpProtocol::TCP => Some(("tcp.checksum", "tcp.checksum.status", 0)),
        IpProtocol::UDP => Some(("udp.checksum", "udp.checksum.status", outer as isize)),
        IpProtocol::ICMP => Some(("icmp.checksum", "icmp.checksum.status", 0)),
        IpProtocol::ICMPV6 => Some(("icmpv6.checksum", "icmpv6.checksum.status", 0)),
        _ => None,
    }
}

/// Length of the inner transport header: TCP's from its data offset (read
/// from `d`), 8 for UDP and for ICMP/ICMPv6 echo.
fn l4_header_len(d: &Dissection, f: usize, inner: &Inner) -> usize {
    match inner.protocol {
        IpProtocol::TCP => d.num(f, "tcp.hdr_len", 0) as usize,
        _ => 8,
    }
}

// ---------------------------------------------------------------------------
// 1. Every frame dissects cleanly.

/// Checks that tshark dissects every frame of the capture of `gen` with no
/// malformed packet and no expert item of severity warning or error, except
/// where a truncated copy makes one unavoidable, and then only these:
///
/// * on the truncated copy itself: the inner IP length complaint with the
///   exact byte count (`IPv4 total length exceeds packet length (N bytes)`,
///   N = inner bytes present - 14; `IPv6 payload length exceeds framing
///   length (N bytes)`, N = present - 14 - 40); `Bad checksum` of the inner
///   transport (its checksum covers bytes that were cut: the same frame of
///   the whole twin capture, same seed without the limit, must carry the same
///   checksum field and verify); for UDP, `Bad length value L > IP payload
///   length` with L the whole datagram's length; where the cut falls inside
///   the inner TCP header, `Short segment ...`; and `Malformed Packet` where
///   a dissector must read cut bytes: a cut TCP header, or a datagram's
///   payload (DNS), never the payload of a TCP segment whose header is whole;
/// * on that copy and on later frames of the same TCP stream, whose byte
///   stream now has a hole: `Previous segment(s) not captured`, `ACKed
///   segment that wasn't captured`, and, provided the same frame of the
///   whole twin has no warning at all, what the application dissectors say
///   when they meet the hole (TLS `Ignored Unknown Record`, HTTP `Illegal
///   characters found in header name`, even `Malformed Packet` of HTTP):
///   the frame is byte for byte its twin's, so only the hole explains it.
///
/// Captures without PacketLength or MTU limits must be entirely clean.
/// Which frames are truncated, and to how many bytes, is computed from the
/// whole twin and the options ([`Gen::expected_kept`]), and must agree with
/// the lengths tshark reads (inner IP length against the bytes present) and
/// with the pcapng comment.
fn check_clean(gen: &Gen) {
    if !tshark_or_skip() {
        return;
    }
    let (d, _, _dir) = dissect(gen);
    let whole = gen.limits().then(|| dissect(&gen.whole()));
    let whole = whole.as_ref().map(|w| &w.0);
    if let Some(w) = whole {
        assert_eq!(d.frames(), w.frames(), "truncation must not change the number of copies");
    }
    let overhead = gen.overhead();
    let outer = outer_layers(gen);
    let mut holed_streams = HashSet::new();
    let mut truncated = 0;
    let mut max_inner = 0;
    for f in 1..=d.frames() {
        let len = d.num(f, "frame.len", 0) as usize;
        assert_eq!(d.num(f, "frame.cap_len", 0) as usize, len, "frame {f}: frame.cap_len != frame.len");
        assert!(len >= overhead + INNER_ETH, "frame {f}: frame.len {len} is shorter than the encapsulation");
        let present = len - overhead;
        let inner_len = whole.map_or(present, |w| w.num(f, "frame.len", 0) as usize - overhead);
        max_inner = max_inner.max(inner_len);
        let (kept, why) = gen.expected_kept(inner_len);
        assert_eq!(
            present, kept,
            "frame {f}: frame.len {len} carries {present} inner bytes; the options keep {kept} of {inner_len} ({why:?})"
        );
        let inner = d.inner(f, outer);
        if let Some(w) = whole {
            assert_eq!(w.inner(f, outer), inner, "frame {f}: the inner headers differ from the whole twin's");
        }
        if why.is_some() {
            assert!(
                inner.claimed_len > present,
                "frame {f}: the inner IP length ({} bytes with Ethernet) fits the {present} bytes present, \
                 yet the copy should be truncated ({why:?})",
                inner.claimed_len
            );
        } else {
            assert_eq!(
                inner.claimed_len, present,
                "frame {f}: the inner IP length (with Ethernet) != the {present} inner bytes of a whole copy"
            );
        }
        if gen.has_comments() {
            let c = parse_comment(f, d.raw(f, "frame.comment"));
            assert_eq!(
                c.truncation,
                why.map(|w| (w, inner_len)),
                "frame {f}: frame.comment says truncation {:?}, the options imply {why:?} of a {inner_len}-byte frame",
                c.truncation
            );
        }

        let stream = d.raw(f, "tcp.stream").to_string();
        if inner.protocol == IpProtocol::TCP {
            assert!(!stream.is_empty(), "frame {f}: no tcp.stream: the inner TCP segment was not dissected");
        }
        if why.is_some() {
            truncated += 1;
            if inner.protocol == IpProtocol::TCP {
                holed_streams.insert(stream.clone());
            }
        }
        let holed = inner.protocol == IpProtocol::TCP && holed_streams.contains(&stream);
        let ip_status = d.all(f, "ip.checksum.status");
        assert!(
            !ip_status.is_empty() && ip_status.iter().all(|s| *s == "1"),
            "frame {f}: ip.checksum.status {ip_status:?}: every IPv4 header checksum must verify (1 = good)"
        );
        let l4 = l4_checksum(&inner, outer);
        let l4_status = l4.map(|(_, status, i)| d.at(f, status, i).to_string());
        match (l4, why, whole) {
            (None, _, _) => {}
            (Some((_, status, i)), None, _) => {
                assert_eq!(d.at(f, status, i), "1", "frame {f}: {status} of a whole copy (1 = good)")
            }
            (Some((field, status, i)), Some(_), Some(w)) => {
                assert_eq!(
                    d.at(f, field, i),
                    w.at(f, field, i),
                    "frame {f}: {field} of the truncated copy differs from the whole copy's"
                );
                assert_eq!(w.at(f, status, i), "1", "frame {f}: {status} of the whole twin (1 = good)");
            }
            (Some(_), Some(_), None) => panic!("frame {f}: truncated ({why:?}) although no limit was given"),
        }
        let l4_header = l4_header_len(whole.unwrap_or(&d), f, &inner);
        let headers_cut = present < INNER_ETH + inner.ip_header_len + l4_header;
        // A datagram's payload (DNS, say) is parsed as a whole: cut, it is malformed.
        let payload_cut_malformed = why.is_some() && (headers_cut || inner.protocol != IpProtocol::TCP);
        // The whole twin of this frame dissects without warning: what tshark
        // adds here comes from the hole that truncation left in its stream.
        let twin_quiet = whole.is_some_and(|w| w.expert(f).iter().all(|(_, s)| *s < SEVERITY_WARN));
        let length_msg = if inner.v6 {
            format!("IPv6 payload length exceeds framing length ({} bytes)", present - INNER_ETH - 40)
        } else {
            format!("IPv4 total length exceeds packet length ({} bytes)", present - INNER_ETH)
        };
        let udp_msg =
            format!("Bad length value {} > IP payload length", inner_len - INNER_ETH - inner.ip_header_len);

        for (msg, severity) in d.expert(f) {
            if severity < SEVERITY_WARN {
                continue;
            }
            let on_truncated = why.is_some()
                && (msg == length_msg
                    || (msg.starts_with("Bad checksum [should be 0x") && l4_status.as_deref() == Some("0"))
                    || (inner.protocol == IpProtocol::UDP && msg == udp_msg)
                    || (headers_cut && msg.starts_with(SHORT_SEGMENT))
                    || (payload_cut_malformed && msg == MALFORMED));
            let after_hole =
                holed && (msg == PREVIOUS_NOT_CAPTURED || msg == ACKED_NOT_CAPTURED || twin_quiet);
            assert!(
                on_truncated || after_hole,
                "frame {f}: _ws.expert.message {msg:?} with _ws.expert.severity {severity:#x} \
                 (truncation {why:?}, {present} of {inner_len} inner bytes, {:?}, tcp.stream {stream:?})",
                inner.protocol
            );
        }
        let malformed = d.raw(f, "_ws.malformed");
        assert!(
            malformed.is_empty() || payload_cut_malformed || (holed && twin_quiet),
            "frame {f}: _ws.malformed {malformed:?} (truncation {why:?}, {present} of {inner_len} inner bytes, \
             {:?}, tcp.stream {stream:?})",
            inner.protocol
        );
    }
    // The limits of the case did something where the options say they must.
    if let Some(p) = gen.packet_length {
        assert!(max_inner <= p as usize || truncated > 0, "PacketLength {p} truncated nothing");
    }
    if gen.target_mtu.is_some() && max_inner + VXLAN_IP_OVERHEAD > gen.mtu_value() as usize {
        match gen.target {
            Eni => assert!(truncated > 0, "MTU {} truncated nothing on an ENI target", gen.mtu_value()),
            _ => assert!(
                gen.packet_length.is_some() || truncated == 0,
                "an {:?} target must not truncate to the MTU (docs/aws.md: MTU truncation is for network interfaces)",
                gen.target
            ),
        }
    }
}

// ---------------------------------------------------------------------------
// 2. Fields read back as requested.

/// Checks every frame's outer headers, VXLAN header, inner addresses and
/// ports (and for GWLB the GENEVE layer) against the options and the
/// generator's comment.
fn check_fields(gen: &Gen) {
    if !tshark_or_skip() {
        return;
    }
    let (d, vni, _dir) = dissect(gen);
    assert!(vni <= Vni::MAX.value(), "reported VNI {vni} is over 2^24-1");
    let source = Source::example();
    let instance_v6 = host_of(&source).ipv6;
    let target = Target::example(gen.target);
    let gwlb = gen.target == Gwlb;
    let outer = outer_layers(gen);
    // Index of the mirror copy's own IPv4/UDP layer: behind the GWLB's for a GWLB target.
    let m = outer as isize - 1;
    let overhead = gen.overhead();
    let flags = gen.vxlan_flags();
    let gbp = gen.gbp;
    let mut cookies: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in 1..=d.frames() {
        let len = d.num(f, "frame.len", 0) as usize;
        let present = len - overhead;

        // Outer Ethernet: from the router of the target's subnet (the appliance's
        // for GWLB) to the target, not the source subnet's router (docs/aws.md, "Subnets").
        let hop = target.gwlb;
        let outer_mac = if gwlb { hop.expect("GWLB hop").appliance_mac } else { target.mac };
        let outer_router = if gwlb { hop.expect("GWLB hop").router_mac } else { target.subnet.router_mac };
        assert_ne!(outer_router, source.subnet.router_mac, "the example target sits in another subnet");
        assert_eq!(d.at(f, "eth.src", 0), outer_router.to_string(), "frame {f}: outer eth.src");
        assert_eq!(d.at(f, "eth.dst", 0), outer_mac.to_string(), "frame {f}: outer eth.dst");

        // The mirror copy's IPv4 and UDP headers (docs/aws.md "The copy on the wire").
        assert_eq!(d.at(f, "ip.src", m), source.ip.to_string(), "frame {f}: outer ip.src");
        assert_eq!(d.at(f, "ip.dst", m), target.ip.to_string(), "frame {f}: outer ip.dst");
        assert_eq!(d.num(f, "ip.ttl", m), OUTER_TTL as u64, "frame {f}: outer ip.ttl");
        assert_eq!(d.at(f, "ip.flags.df", m), "0", "frame {f}: outer ip.flags.df");
        assert_eq!(d.at(f, "ip.flags.mf", m), "0", "frame {f}: outer ip.flags.mf");
        assert_eq!(d.num(f, "ip.id", m), 0, "frame {f}: outer ip.id");
        assert_eq!(d.num(f, "ip.dsfield", m), 0, "frame {f}: outer ip.dsfield (DSCP/ECN)");
        let udp_len = udp::HEADER_LEN + vxlan::HEADER_LEN + present;
        assert_eq!(d.num(f, "ip.len", m) as usize, ipv4::HEADER_LEN + udp_len, "frame {f}: outer ip.len");
        assert_eq!(d.num(f, "udp.length", m) as usize, udp_len, "frame {f}: outer udp.length");
        assert_eq!(d.num(f, "udp.dstport", m), vxlan::UDP_PORT as u64, "frame {f}: outer udp.dstport");
        assert_eq!(d.at(f, "udp.checksum", m), "0x0000", "frame {f}: outer udp.checksum");
        let sport = d.num(f, "udp.srcport", m);
        assert!(
            (SOURCE_PORT_BASE as u64..=u16::MAX as u64).contains(&sport),
            "frame {f}: outer udp.srcport {sport} outside {SOURCE_PORT_BASE}..=65535"
        );

        // Inner addresses and ports; the outer source port is their flow hash.
        let inner = d.inner(f, outer);
        let key = inner.key();
        // The VPC resolver's replies carry port 65408 (observed; docs/aws.md).
        let resolvers = [IpAddr::from([10, 0, 0, 2]), IpAddr::from([169, 254, 169, 253])];
        let resolver_reply =
            inner.protocol == IpProtocol::UDP && inner.src_port == Some(53) && resolvers.contains(&inner.src);
        let want = if resolver_reply { SOURCE_PORT_BASE } else { source_port(&key) };
        assert_eq!(sport, want as u64, "frame {f}: outer udp.srcport for {key:?}");
        let instance: IpAddr = if inner.v6 { instance_v6.into() } else { source.ip.into() };
        assert!(
            inner.src == instance || inner.dst == instance,
            "frame {f}: inner source {} / destination {}: neither is the instance's {instance}",
            inner.src,
            inner.dst
        );
        let egress = inner.src == instance;
        let (eth_src, eth_dst) = if egress {
            (source.mac, source.subnet.router_mac)
        } else {
            (source.subnet.router_mac, source.mac)
        };
        assert_eq!(d.at(f, "eth.src", -1), eth_src.to_string(), "frame {f}: inner eth.src");
        assert_eq!(d.at(f, "eth.dst", -1), eth_dst.to_string(), "frame {f}: inner eth.dst");

        // VXLAN header.
        let bit = |on: bool| if on { "1" } else { "0" };
        assert_eq!(d.raw(f, "vxlan.flags"), format!("{flags:#06x}"), "frame {f}: vxlan.flags");
        assert_eq!(d.raw(f, "vxlan.flag_g"), bit(gbp.is_some()), "frame {f}: vxlan.flag_g");
        assert_eq!(d.raw(f, "vxlan.flag_i"), "1", "frame {f}: vxlan.flag_i");
        assert_eq!(
            d.raw(f, "vxlan.flag_d"),
            bit(gbp.is_some_and(|g| g.dont_learn)),
            "frame {f}: vxlan.flag_d"
        );
        assert_eq!(
            d.raw(f, "vxlan.flag_a"),
            bit(gbp.is_some_and(|g| g.policy_applied)),
            "frame {f}: vxlan.flag_a"
        );
        assert_eq!(d.raw(f, "vxlan.flags_reserved"), "0x0000", "frame {f}: vxlan.flags_reserved");
        let policy = gbp.map_or(0, |g| g.policy_id);
        assert_eq!(d.raw(f, "vxlan.gbp"), policy.to_string(), "frame {f}: vxlan.gbp");
        assert_eq!(d.raw(f, "vxlan.vni"), vni.to_string(), "frame {f}: vxlan.vni");
        assert_eq!(d.raw(f, "vxlan.reserved8"), "0", "frame {f}: vxlan.reserved8");

        // The generator's own account of the frame.
        if gen.has_comments() {
            let c = parse_comment(f, d.raw(f, "frame.comment"));
            assert_eq!(
                c.direction,
                if egress { "egress" } else { "ingress" },
                "frame {f}: frame.comment direction"
            );
            assert_eq!(c.protocol, inner.protocol.to_string(), "frame {f}: frame.comment protocol");
            assert_eq!((c.src, c.src_port), (inner.src, inner.src_port), "frame {f}: frame.comment source");
            assert_eq!(
                (c.dst, c.dst_port),
                (inner.dst, inner.dst_port),
                "frame {f}: frame.comment destination"
            );
            assert_eq!(c.vni, vni, "frame {f}: frame.comment vni");
            assert_eq!(c.session, 1, "frame {f}: frame.comment session");
            assert_eq!(c.gbp, gbp, "frame {f}: frame.comment gbp");
        } else {
            assert_eq!(d.raw(f, "frame.comment"), "", "frame {f}: frame.comment in {:?}", gen.args());
        }
        if gen.format == Format::PcapNg {
            // pcapng epb_flags direction bits: 01 inbound, 10 outbound.
            let want = if egress { 2 } else { 1 };
            assert_eq!(
                d.num(f, "frame.packet_flags_direction", 0) & 3,
                want,
                "frame {f}: frame.packet_flags_direction"
            );
        } else {
            let direction = d.raw(f, "frame.packet_flags_direction");
            assert_eq!(direction, "", "frame {f}: frame.packet_flags_direction in a {} file", gen.format);
        }

        // Layering.
        let protocols = d.raw(f, "frame.protocols");
        let layers = if gwlb {
            "eth:ethertype:ip:udp:geneve:ip:udp:vxlan:eth:ethertype:"
        } else {
            "eth:ethertype:ip:udp:vxlan:eth:ethertype:"
        };
        assert!(
            protocols.starts_with(layers),
            "frame {f}: frame.protocols {protocols:?} does not start with {layers}"
        );

        if gwlb {
            let hop = target.gwlb.expect("GWLB hop");
            assert_eq!(d.at(f, "ip.src", 0), hop.gwlb_ip.to_string(), "frame {f}: GWLB ip.src");
            assert_eq!(d.at(f, "ip.dst", 0), hop.appliance_ip.to_string(), "frame {f}: GWLB ip.dst");
            assert_eq!(d.num(f, "ip.len", 0) as usize, len - ethernet::HEADER_LEN, "frame {f}: GWLB ip.len");
            assert_eq!(d.num(f, "udp.dstport", 0), geneve::UDP_PORT as u64, "frame {f}: GWLB udp.dstport");
            assert_eq!(d.num(f, "udp.srcport", 0), sport, "frame {f}: GWLB udp.srcport is not the flow hash");
            assert_eq!(d.at(f, "udp.checksum", 0), "0x0000", "frame {f}: GWLB udp.checksum");
            assert_eq!(d.raw(f, "geneve.version"), geneve::VERSION.to_string(), "frame {f}: geneve.version");
            assert_eq!(
                d.raw(f, "geneve.proto_type"),
                format!("{:#06x}", EtherType::IPV4.0),
                "frame {f}: geneve.proto_type"
            );
            assert_eq!(d.num(f, "geneve.vni", 0), 0, "frame {f}: geneve.vni");
            let class = format!("{:#06x}", geneve::AWS_OPTION_CLASS);
            assert_eq!(
                d.all(f, "geneve.option.class"),
                [class.as_str(); 3],
                "frame {f}: geneve.option.class"
            );
            let types = [
                geneve::AWS_OPTION_GWLB_ENDPOINT_ID,
                geneve::AWS_OPTION_ATTACHMENT_ID,
                geneve::AWS_OPTION_FLOW_COOKIE,
            ]
            .map(|t| format!("{t:#04x}"));
            assert_eq!(d.all(f, "geneve.option.type"), types, "frame {f}: geneve.option.type");
            let data = d.all(f, "geneve.option.unknown.data");
            assert_eq!(data.len(), 3, "frame {f}: geneve.option.unknown.data {data:?}");
            assert_eq!(data[0], format!("{:016x}", hop.endpoint_id), "frame {f}: GWLB endpoint id option");
            assert_eq!(data[1], format!("{:016x}", hop.attachment_id), "frame {f}: attachment id option");
            assert_eq!(data[2].len(), 8, "frame {f}: flow cookie option {:?} is not 4 bytes", data[2]);
            // One cookie per flow the GWLB sees: the mirror copy's outer UDP flow (the
            // VPC resolver's replies have a port of their own, 65408).
            cookies
                .entry(format!("{} port {sport}", flow_id(&inner)))
                .or_default()
                .insert(data[2].to_string());
        } else {
            assert_eq!(d.raw(f, "geneve.version"), "", "frame {f}: a GENEVE layer without a GWLB target");
        }
    }
    for (flow, c) in &cookies {
        assert_eq!(c.len(), 1, "flow {flow}: the GWLB flow cookie differs between frames of one flow: {c:?}");
    }
}

/// A direction-free name of the inner flow: protocol and the two ends, sorted.
fn flow_id(inner: &Inner) -> String {
    let a = (inner.src, inner.src_port);
    let b = (inner.dst, inner.dst_port);
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    format!("{} {:?} {:?}", inner.protocol, lo, hi)
}

/// One test per case and check: `dissects_cleanly::<case>` and `reads_back::<case>`.
macro_rules! capture_cases {
    ($($name:ident => $gen:expr,)*) => {
        mod dissects_cleanly {
            use super::*;
            $( #[test] fn $name() { check_clean(&$gen) } )*
        }
        mod reads_back {
            use super::*;
            $( #[test] fn $name() { check_fields(&$gen) } )*
        }
    };
}

capture_cases! {
    default_pcapng => Gen::new(1).vni(9_999_999),
    default_pcap => Gen::new(2).vni(0).format(Format::Pcap),
    default_pcap_ns_max_vni => Gen::new(3).vni(Vni::MAX.value()).format(Format::PcapNanos),
    random_vni => Gen::new(4),
    no_comments_pcapng => Gen::new(21).vni(21).no_comments(),
    gbp_policy_0 => Gen::new(5).vni(100).gbp(0, false, false),
    gbp_policy_1_d_pcap => Gen::new(6).vni(4660).gbp(1, true, false).format(Format::Pcap),
    gbp_policy_ffff_d_a => Gen::new(7).vni(16_777_215).gbp(0xffff, true, true),
    gbp_policy_0_a => Gen::new(8).vni(1).gbp(0, false, true),
    packet_length_64 => Gen::new(9).vni(64).packet_length(64),
    packet_length_64_gbp_pcap => Gen::new(10).vni(65).packet_length(64).gbp(0xffff, true, true).format(Format::Pcap),
    packet_length_200_pcap => Gen::new(11).vni(200).packet_length(200).format(Format::Pcap),
    packet_length_200 => Gen::new(12).vni(201).packet_length(200),
    mtu_1000 => Gen::new(13).vni(1000).mtu(1000),
    mtu_1000_pcap => Gen::new(14).vni(1001).mtu(1000).format(Format::Pcap),
    nlb => Gen::new(15).vni(15).target(Nlb),
    nlb_mtu_1000_not_truncated => Gen::new(16).vni(16).target(Nlb).mtu(1000),
    gwlb => Gen::new(17).vni(17).target(Gwlb),
    gwlb_gbp_pcap => Gen::new(18).vni(18).target(Gwlb).gbp(1, true, true).format(Format::Pcap),
    gwlb_packet_length_100 => Gen::new(19).vni(19).target(Gwlb).packet_length(100),
    eni_packet_length_and_mtu => Gen::new(20).vni(20).packet_length(1200).mtu(1000),
}

// ---------------------------------------------------------------------------
// The outer UDP source port as a flow hash.

/// In 65408..=65535, one port per flow (TCP connection, UDP exchange, ping)
/// whatever the direction, both directions of every TCP connection
/// mirrored, and different ports for most of the flows (128 ports: a few
/// collide).
#[test]
fn outer_source_port_is_a_symmetric_flow_hash() {
    if !tshark_or_skip() {
        return;
    }
    let gen = Gen::new(31).count(40).vni(31);
    let (d, _, _dir) = dissect(&gen);
    let instance = Source::example().ip;
    let instance_v6 = host_of(&Source::example()).ipv6;
    let mut ports: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    let mut directions: BTreeMap<String, BTreeSet<bool>> = BTreeMap::new();
    let mut by_stream: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for f in 1..=d.frames() {
        let inner = d.inner(f, 1);
        let flow = flow_id(&inner);
        let port = d.num(f, "udp.srcport", 0);
        assert!((SOURCE_PORT_BASE as u64..=65535).contains(&port), "frame {f}: udp.srcport {port}");
        // The VPC resolver's replies are the exception: port 65408 (docs/aws.md).
        let resolver = [IpAddr::from([10, 0, 0, 2]), IpAddr::from([169, 254, 169, 253])];
        if inner.protocol == IpProtocol::UDP && inner.src_port == Some(53) && resolver.contains(&inner.src) {
            assert_eq!(port, SOURCE_PORT_BASE as u64, "frame {f}: a resolver reply's udp.srcport");
            continue;
        }
        ports.entry(flow.clone()).or_default().insert(port);
        let egress = inner.src == IpAddr::from(instance) || inner.src == IpAddr::from(instance_v6);
        if inner.protocol == IpProtocol::TCP {
            directions.entry(flow).or_default().insert(egress);
            let stream = format!("tcp.stream {}", d.raw(f, "tcp.stream"));
            by_stream.entry(stream).or_default().insert(port);
        }
    }
    for (stream, p) in &by_stream {
        assert_eq!(p.len(), 1, "{stream}: outer udp.srcport differs between its frames: {p:?}");
    }
    assert!(!directions.is_empty(), "no TCP connection in {:?}", gen.args());
    for (flow, p) in &ports {
        assert_eq!(p.len(), 1, "flow {flow}: outer udp.srcport differs between its frames: {p:?}");
    }
    for (flow, dirs) in &directions {
        assert_eq!(dirs.len(), 2, "TCP connection {flow}: not mirrored in both directions");
    }
    let distinct: BTreeSet<u64> = ports.values().flatten().copied().collect();
    assert!(
        distinct.len() * 4 >= ports.len() * 3,
        "only {} distinct outer udp.srcport values for {} flows",
        distinct.len(),
        ports.len()
    );
}

// ---------------------------------------------------------------------------
// Formats.

/// Epoch nanoseconds from tshark's `frame.time_epoch` (`S.FFFFFFFFF`).
fn epoch_ns(frame: usize, text: &str) -> u64 {
    let (s, frac) = text.split_once('.').unwrap_or((text, "0"));
    let frac = format!("{frac:0<9}");
    let parse =
        |t: &str| t.parse::<u64>().unwrap_or_else(|_| panic!("frame {frame}: frame.time_epoch {text:?}"));
    parse(s) * 1_000_000_000 + parse(&frac[..9])
}

/// pcap (microseconds), pcap-ns, pcapng and pcapng without comments of the
/// same run hold the same frames: every dissected field equal, save the
/// comment (only in pcapng with comments) and the direction (in both pcapng),
/// and timestamps equal to the format's precision. The first copy is stamped
/// at the documented start plus the mirror latency.
#[test]
fn pcap_pcap_ns_and_pcapng_hold_the_same_frames() {
    if !tshark_or_skip() {
        return;
    }
    let base = Gen::new(41).vni(4141).gbp(7, true, false).packet_length(300);
    let (ng, _, _d1) = dissect(&base.clone().format(Format::PcapNg));
    let (bare, _, _d4) = dissect(&base.clone().format(Format::PcapNg).no_comments());
    let (ns, _, _d2) = dissect(&base.clone().format(Format::PcapNanos));
    let (us, _, _d3) = dissect(&base.clone().format(Format::Pcap));
    let others = [("pcapng --no-comments", &bare), ("pcap-ns", &ns), ("pcap", &us)];
    for (name, d) in others {
        assert_eq!(d.frames(), ng.frames(), "{name} and pcapng frame counts");
    }
    let skip = [
        "frame.comment",
        "frame.packet_flags_direction",
        "frame.time_epoch",
        "_ws.expert.message",
        "_ws.expert.severity",
    ];
    // Expert items other than the pcapng comment itself.
    let items = |d: &Dissection, f: usize| -> Vec<(String, u32)> {
        d.expert(f).into_iter().filter(|(_, s)| *s != SEVERITY_COMMENT).collect()
    };
    for f in 1..=ng.frames() {
        assert!(!ng.raw(f, "frame.comment").is_empty(), "frame {f}: frame.comment missing in pcapng");
        for (name, d) in others {
            for field in FIELDS.iter().filter(|x| !skip.contains(x)) {
                assert_eq!(
                    d.raw(f, field),
                    ng.raw(f, field),
                    "frame {f}: {field} differs between {name} and pcapng"
                );
            }
            assert_eq!(
                items(d, f),
                items(&ng, f),
                "frame {f}: _ws.expert items differ between {name} and pcapng"
            );
            assert_eq!(d.raw(f, "frame.comment"), "", "frame {f}: frame.comment in {name}");
        }
        let direction = ng.raw(f, "frame.packet_flags_direction");
        assert_eq!(
            bare.raw(f, "frame.packet_flags_direction"),
            direction,
            "frame {f}: frame.packet_flags_direction"
        );
        let t = epoch_ns(f, ng.raw(f, "frame.time_epoch"));
        assert_eq!(
            epoch_ns(f, bare.raw(f, "frame.time_epoch")),
            t,
            "frame {f}: frame.time_epoch without comments"
        );
        assert_eq!(
            epoch_ns(f, ns.raw(f, "frame.time_epoch")),
            t,
            "frame {f}: frame.time_epoch pcap-ns vs pcapng"
        );
        assert_eq!(
            epoch_ns(f, us.raw(f, "frame.time_epoch")),
            t / 1000 * 1000,
            "frame {f}: frame.time_epoch pcap vs pcapng"
        );
        if f == 1 {
            assert_eq!(t, Mirror::DEFAULT_START_NS + Mirror::LATENCY_NS, "frame 1: frame.time_epoch");
        }
    }
}

// ---------------------------------------------------------------------------
// Truncation keeps a prefix (no tshark needed).

/// A truncated copy holds the first bytes of the whole copy's inner frame,
/// as many as the options allow, behind outer headers whose lengths describe
/// the shortened copy and whose IPv4 checksums verify; timestamps unchanged.
#[test]
fn truncated_copies_are_prefixes_of_whole_copies() {
    let cases = [
        Gen::new(51).vni(51).packet_length(200).format(Format::Pcap),
        Gen::new(51).vni(51).packet_length(1).format(Format::Pcap),
        Gen::new(52).vni(52).mtu(1000).format(Format::PcapNanos),
        Gen::new(52).vni(52).mtu(68).format(Format::Pcap),
        Gen::new(53).vni(53).target(Gwlb).packet_length(100).format(Format::Pcap),
    ];
    for gen in cases {
        let dir = tempfile::tempdir().expect("temporary directory");
        let (cut_path, _) = gen.run(dir.path());
        let wdir = tempfile::tempdir().expect("temporary directory");
        let (whole_path, _) = gen.whole().run(wdir.path());
        let (cut, _) = read_pcap(&std::fs::read(&cut_path).expect("reading the capture"));
        let (whole, _) = read_pcap(&std::fs::read(&whole_path).expect("reading the capture"));
        assert_eq!(cut.len(), whole.len(), "{:?}: number of records", gen.args());
        let overhead = gen.overhead();
        let mut truncated = 0;
        for (i, (c, w)) in cut.iter().zip(&whole).enumerate() {
            let f = i + 1;
            let (kept, why) = gen.expected_kept(w.data.len() - overhead);
            truncated += why.is_some() as usize;
            assert_eq!(c.data.len(), overhead + kept, "{:?} frame {f}: captured length", gen.args());
            assert_eq!(c.orig_len as usize, c.data.len(), "{:?} frame {f}: original length", gen.args());
            assert_eq!((c.ts_sec, c.ts_frac), (w.ts_sec, w.ts_frac), "{:?} frame {f}: timestamp", gen.args());
            assert_eq!(
                c.data[overhead..],
                w.data[overhead..overhead + kept],
                "{:?} frame {f}: inner bytes",
                gen.args()
            );
            // The outer IPv4 headers (one, or the GWLB's and the mirror's).
            let mut ip_at = vec![ethernet::HEADER_LEN];
            if gen.target == Gwlb {
                ip_at.push(
                    ethernet::HEADER_LEN + ipv4::HEADER_LEN + udp::HEADER_LEN + vxgen_support::geneve_len(),
                );
            }
            for at in ip_at {
                let ip = ipv4::Packet::new_checked(&c.data[at..])
                    .unwrap_or_else(|e| panic!("{:?} frame {f}: outer IPv4 at {at}: {e}", gen.args()));
                assert_eq!(
                    ip.total_len() as usize,
                    c.data.len() - at,
                    "{:?} frame {f}: IPv4 total length at {at}",
                    gen.args()
                );
                assert!(ip.verify_checksum(), "{:?} frame {f}: IPv4 header checksum at {at}", gen.args());
                let u = udp::Packet::new_checked(ip.payload())
                    .unwrap_or_else(|e| panic!("{:?} frame {f}: outer UDP: {e}", gen.args()));
                assert_eq!(
                    u.total_len() as usize,
                    ip.payload().len(),
                    "{:?} frame {f}: UDP length at {at}",
                    gen.args()
                );
            }
        }
        assert!(truncated > 0, "{:?}: no copy was truncated", gen.args());
        if let Some(Truncation::Mtu(m)) = gen.expected_kept(usize::MAX).1 {
            assert!(
                cut.iter().all(|r| r.data.len() - ethernet::HEADER_LEN <= m as usize),
                "MTU {m} exceeded"
            );
        }
    }
}
