//! The tshark adapter against the generator's ground truth: what tshark
//! reports must match the expected dissection (compare's known tshark
//! differences aside); what it does not report is omitted, never wrong.
//! Skips without tshark, fails in CI (`CI=true`) without it.

#[path = "common/adapters.rs"]
mod adapters;
mod common;

use adapters::{check, failures, matched};
use conformance::decoder::tshark::Tshark;
use conformance::decoder::{DecodeOptions, Decoder, DecoderFailure};
use generator::dissection::{MalformedReason, TruncationCause};

/// Vectors whose every reported field must be right, and fields that must
/// be reported on their first frame.
#[test]
fn vxlan_both_views_outer_and_inner() {
    if !common::require_tool("tshark") {
        return;
    }
    let tshark = Tshark::new();
    let must = [
        "outer.eth.src",
        "outer.ipv4.ttl",
        "outer.udp.dst_port",
        "vxlan.vni",
        "vxlan.flags16",
        "vxlan.flags8",
        "vxlan.flag_i",
        "vxlan.flag_g",
        "vxlan.group_policy_id",
        "vxlan.reserved24",
        "vxlan.reserved8",
        "inner.ipv4.src",
        "inner.tcp.src_port",
        "inner.tcp.dst_port",
        "inner.tcp.options.sack_permitted",
    ];
    for id in
        ["vni-9999999", "vni-16777215", "gbp-g-d-a", "gbp-g-policy-4660", "reserved-all", "i-clear-g-set"]
    {
        let (_, _, fields) = check(&tshark, id);
        assert_eq!(failures(&fields), Vec::<String>::new(), "{id}");
        for path in must {
            assert!(matched(&fields, 1, path), "{id}: {path} not matched");
        }
    }
}

/// Three IPv4 and two UDP layers in a GWLB frame: each value goes to its
/// occurrence (outer, the copy's inside GENEVE, the mirrored packet's).
#[test]
fn gwlb_nested_layers_by_occurrence() {
    if !common::require_tool("tshark") {
        return;
    }
    let tshark = Tshark::new();
    for id in ["gwlb-basic", "gwlb-gbp", "gwlb-ipv6-inner"] {
        let (v, got, fields) = check(&tshark, id);
        assert_eq!(failures(&fields), Vec::<String>::new(), "{id}");
        for path in [
            "outer.ipv4.dst",
            "outer.udp.dst_port",
            "geneve.vni",
            "geneve.options[2].data",
            "geneve.ipv4.dst",
            "geneve.udp.dst_port",
            "vxlan.vni",
        ] {
            assert!(matched(&fields, 1, path), "{id}: {path} not matched");
        }
        let g = got[0].geneve.as_ref().unwrap();
        assert_eq!(g.udp.as_ref().unwrap().dst_port, Some(4789));
        assert_eq!(got[0].outer.as_ref().unwrap().udp.as_ref().unwrap().dst_port, Some(6081));
        assert_eq!(g.ipv4, v.expected.frames[0].geneve.as_ref().unwrap().ipv4);
    }
}

/// 802.1Q tags, IPv6, TCP options and SACK blocks, ICMP, and the
/// application facts (TLS 1.3's encrypted records through the map's
/// `tshark_append`).
#[test]
fn inner_headers_and_application_facts() {
    if !common::require_tool("tshark") {
        return;
    }
    let tshark = Tshark::new();
    let cases: [(&str, &[&str]); 7] = [
        (
            "vlan-double",
            &["inner.vlan[0].vid", "inner.vlan[1].vid", "inner.vlan[1].pcp", "inner.vlan[0].dei"],
        ),
        ("ipv6-tcp-syn", &["inner.ipv6.src", "inner.ipv6.flow_label", "inner.tcp.options.mss"]),
        ("tcp-sack-blocks", &["inner.tcp.options.sack_blocks[2].right", "inner.tcp.options.tsval"]),
        ("icmpv6-echo", &["inner.icmpv6.type", "inner.icmpv6.seq"]),
        ("dns-exchange", &["app.dns.query_name", "app.dns.id"]),
        ("http-get", &["app.http.method", "app.http.host"]),
        ("tls13-server-flight", &["app.tls.record_content_types", "app.tls.handshake_types"]),
    ];
    for (id, paths) in cases {
        let (_, _, fields) = check(&tshark, id);
        assert_eq!(failures(&fields), Vec::<String>::new(), "{id}");
        for path in paths {
            assert!(matched(&fields, 1, path), "{id}: {path} not matched");
        }
    }
}

/// tshark's own flags, translated: a short VXLAN header, a UDP Length
/// beyond the IP payload, a snaplen cut; and what it says of a PacketLength
/// cut (the IPv4 total length "exceeds packet length": truncated; and
/// `[Malformed Packet: IPv4]`, which is what tshark shows).
#[test]
fn truncation_and_malformation_flags() {
    if !common::require_tool("tshark") {
        return;
    }
    let tshark = Tshark::new();
    let (_, got, _) = check(&tshark, "vxlan-header-4-bytes");
    let m = got[0].frame.malformed.as_ref().unwrap();
    assert_eq!((m.reason, m.layer.as_deref()), (MalformedReason::VxlanHeaderTruncated, Some("vxlan")));

    let (_, got, fields) = check(&tshark, "udp-length-exceeds-ip");
    let m = got[0].frame.malformed.as_ref().unwrap();
    assert_eq!(
        (m.reason, m.layer.as_deref()),
        (MalformedReason::UdpLengthExceedsIpPayload, Some("outer.udp"))
    );
    assert!(matched(&fields, 1, "frame.malformed.reason"));

    let (_, got, fields) = check(&tshark, "snaplen-46");
    assert_eq!(got[0].frame.truncated, Some(true));
    assert_eq!(got[0].frame.truncation.map(|t| t.cause), Some(TruncationCause::Snaplen));
    assert_eq!(failures(&fields), Vec::<String>::new());

    // tcp.len counts the bytes present: a known difference, not a failure.
    let (_, got, fields) = check(&tshark, "packet-length-100");
    assert_eq!(got[0].frame.truncated, Some(true));
    assert_eq!(failures(&fields), Vec::<String>::new());
    assert_eq!(got[0].inner.as_ref().unwrap().tcp.as_ref().unwrap().payload_len, Some(34));

    let (_, got, _) = check(&tshark, "packet-length-20");
    let inner = got[0].inner.as_ref().unwrap().ipv4.as_ref().unwrap();
    assert_eq!((inner.total_len, inner.ttl), (Some(186), None), "a cut header keeps its first fields only");
    let m = got[0].frame.malformed.as_ref().unwrap();
    assert_eq!((m.reason, m.layer.as_deref()), (MalformedReason::Other, Some("inner.ipv4")));

    // Port 8472 is not VXLAN to tshark: nothing past the outer UDP header.
    let (_, got, _) = check(&tshark, "port-8472");
    assert!(got[0].vxlan.is_none() && got[0].inner.is_none());
}

#[test]
fn version_and_missing_program() {
    let missing = Tshark::with_program("/nonexistent/tshark")
        .decode(std::path::Path::new("/nonexistent.pcap"), &DecodeOptions::default());
    assert!(matches!(missing, Err(DecoderFailure::NotFound { .. })), "{missing:?}");
    if !common::require_tool("tshark") {
        return;
    }
    let version = Tshark::new().version().expect("tshark --version");
    assert!(version.starts_with(|c: char| c.is_ascii_digit()), "{version}");
}

/// sharkd (one process for the corpus) and `tshark -T fields` (one process
/// per capture) are two transports of one dissection: on every vector of
/// the corpus they must give the same frames, field for field, or fail the
/// same way.
#[test]
fn sharkd_and_tshark_fields_agree_on_every_vector() {
    if !common::require_tool("tshark") || !common::require_tool("sharkd") {
        return;
    }
    let opts = DecodeOptions::default();
    let batch = Tshark::new();
    let fields = Tshark::new().fields_only();
    assert!(batch.uses_sharkd(), "sharkd is installed: captures must go to it");
    assert!(!fields.uses_sharkd());
    let mut frames = 0;
    for id in adapters::all_ids() {
        let v = adapters::vector(&id);
        let one = fields.decode(&v.capture, &opts);
        let other = batch.decode(&v.capture, &opts);
        match (&one, &other) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.frames.len(), b.frames.len(), "{id}: frame counts");
                for (x, y) in a.frames.iter().zip(&b.frames) {
                    let (x, y) = (adapters::leaves(x), adapters::leaves(y));
                    let only = |p: &[(String, serde_json::Value)], q: &[(String, serde_json::Value)]| {
                        p.iter().filter(|l| !q.contains(l)).cloned().collect::<Vec<_>>()
                    };
                    assert!(
                        x == y,
                        "{id}: tshark -T fields and sharkd disagree: -T fields only {:?}; sharkd only {:?}",
                        only(&x, &y),
                        only(&y, &x)
                    );
                }
                frames += a.frames.len();
            }
            (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind(), "{id}: {a} / {b}"),
            _ => panic!("{id}: tshark -T fields gave {one:?}, sharkd {other:?}"),
        }
    }
    assert!(frames > 100, "{frames} frames compared");
    let sharkd = batch.sharkd_pool().expect("sharkd in use");
    assert_eq!(sharkd.started(), 1, "one sharkd process answered the whole corpus");
}

/// A file that is no capture is that capture's error alone: the same sharkd
/// goes on with the next one.
#[test]
fn sharkd_refuses_a_non_capture_and_goes_on() {
    if !common::require_tool("tshark") || !common::require_tool("sharkd") {
        return;
    }
    let opts = DecodeOptions::default();
    let tshark = Tshark::new();
    let junk = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(junk.path(), b"this is not a capture file at all\n").unwrap();
    let refused = tshark.decode(junk.path(), &opts);
    assert!(matches!(refused, Err(DecoderFailure::Declined { .. })), "{refused:?}");
    let v = adapters::vector("vni-9999999");
    let decoded = tshark.decode(&v.capture, &opts).expect("the next capture");
    assert_eq!(decoded.frames[0].vxlan.as_ref().and_then(|x| x.vni), Some(9_999_999));
    assert_eq!(tshark.sharkd_pool().unwrap().started(), 1);
}
