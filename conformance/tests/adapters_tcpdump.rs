//! The tcpdump adapter against the generator's ground truth: every field
//! tcpdump prints must match; the GBP reading, which tcpdump does not
//! decode, is "not supported", never wrong; text it does not understand
//! never fails a capture. Skips without tcpdump, fails in CI (`CI=true`)
//! without it.

#[path = "common/adapters.rs"]
mod adapters;
mod common;

use adapters::{check, failures, matched, not_reported};
use conformance::compare::{compare_frames, FieldGroup, Support};
use conformance::decoder::tcpdump::{parse_output, Tcpdump};
use conformance::decoder::{DecodeOptions, Decoder, DecoderFailure};
use generator::dissection::MalformedReason;

/// VNI and the 8-bit flags as tcpdump prints them; the GBP fields omitted.
#[test]
fn vni_and_8_bit_flags_gbp_not_supported() {
    if !common::require_tool("tcpdump") {
        return;
    }
    let tcpdump = Tcpdump::new();
    for id in
        ["vni-0", "vni-9999999", "vni-16777215", "gbp-g-policy-4660", "gbp-g-d-a", "reserved-all", "i-clear"]
    {
        let (v, got, fields) = check(&tcpdump, id);
        assert_eq!(failures(&fields), Vec::<String>::new(), "{id}");
        for path in ["vxlan.vni", "vxlan.flags8", "vxlan.flag_i", "outer.udp.dst_port", "inner.tcp.dst_port"]
        {
            assert!(matched(&fields, 1, path), "{id}: {path} not matched");
        }
        for path in ["vxlan.group_policy_id", "vxlan.flags16", "vxlan.flag_g"] {
            assert!(not_reported(&fields, 1, path), "{id}: {path} should be omitted");
        }
        let c = compare_frames(&v.expected.frames, &got.clone().into(), &[], &[]);
        assert_eq!(c.tally()[&FieldGroup::Gbp].support(), Support::NotSupported, "{id}");
    }
}

/// GENEVE with its option data, 802.1Q, IPv6, TCP options and SACK, ICMP,
/// DNS and HTTP, all as tcpdump -vv prints them.
#[test]
fn outer_geneve_and_inner_headers() {
    if !common::require_tool("tcpdump") {
        return;
    }
    let tcpdump = Tcpdump::new();
    let cases: [(&str, &[&str]); 9] = [
        (
            "gwlb-basic",
            &[
                "geneve.options[0].data",
                "geneve.options[2].data_len",
                "geneve.ipv4.dst",
                "geneve.udp.dst_port",
            ],
        ),
        ("vlan-pcp-dei-4094", &["inner.vlan[0].vid", "inner.vlan[0].pcp", "inner.vlan[0].dei"]),
        ("ipv6-tcp-syn", &["inner.ipv6.flow_label", "inner.ipv6.src", "inner.tcp.options.window_scale"]),
        ("tcp-sack-blocks", &["inner.tcp.options.sack_blocks[1].left", "inner.tcp.ack"]),
        ("tcp-urgent", &["inner.tcp.urgent_pointer", "inner.tcp.flag_urg"]),
        ("icmp-echo", &["inner.icmp.type", "inner.icmp.ident"]),
        ("dns-nxdomain", &["app.dns.rcode", "app.dns.query_name", "app.dns.answer_count"]),
        ("http-get", &["app.http.method", "app.http.uri", "app.http.host"]),
        ("outer-ipv4-options", &["outer.ipv4.options_present", "outer.ipv4.ttl"]),
    ];
    for (id, paths) in cases {
        let (_, _, fields) = check(&tcpdump, id);
        assert_eq!(failures(&fields), Vec::<String>::new(), "{id}");
        for path in paths {
            assert!(matched(&fields, 1, path), "{id}: {path} not matched");
        }
    }
}

/// `VXLAN (invalid)`, `[|ip]`, `truncated-ip`; 8472 is OTV to tcpdump.
#[test]
fn truncation_malformation_and_otv() {
    if !common::require_tool("tcpdump") {
        return;
    }
    let tcpdump = Tcpdump::new();
    for id in ["vxlan-header-4-bytes", "vxlan-header-0-bytes"] {
        let (_, got, _) = check(&tcpdump, id);
        let m = got[0].frame.malformed.as_ref().unwrap();
        assert_eq!(
            (m.reason, m.layer.as_deref()),
            (MalformedReason::VxlanHeaderTruncated, Some("vxlan")),
            "{id}"
        );
    }
    for id in ["packet-length-20", "packet-length-100", "snaplen-46", "mtu-1500"] {
        let (_, got, fields) = check(&tcpdump, id);
        assert_eq!(got[0].frame.truncated, Some(true), "{id}");
        assert_eq!(failures(&fields), Vec::<String>::new(), "{id}");
    }
    let (_, got, _) = check(&tcpdump, "port-8472");
    assert!(got[0].vxlan.is_none(), "OTV is not translated into VXLAN");
    assert_eq!(got[0].inner.as_ref().unwrap().tcp.as_ref().unwrap().dst_port, Some(443));
}

/// Lines the parser does not understand are skipped, never fatal.
#[test]
fn unknown_text_is_skipped() {
    let text = "\
reading from file x.pcap, link-type EN10MB (Ethernet), snapshot length 262144
    1  1705309200.000000 02:9d:44:10:6b:01 > 02:7c:11:e4:52:9a, ethertype IPv4 (0x0800), length 124: (tos 0x0, \
ttl 255, id 0, offset 0, flags [none], proto UDP (17), length 110)
    10.0.1.23.65418 > 10.0.2.50.4789: VXLAN, flags [I] (0x08), vni 42
something tcpdump 9 might print \u{1f}[((]]
    2  1705309200.001000 garbage > more garbage:: (((
    3  1705309200.002000 02:9d:44:10:6b:01 > 02:7c:11:e4:52:9a, ethertype IPv4 (0x0800), length 60: (tos 0x0,
\tnot an ending
";
    let frames = parse_output(text);
    assert_eq!(frames.iter().map(|f| f.frame.number).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(frames[0].vxlan.as_ref().unwrap().vni, Some(42));
    assert!(frames[1].outer.is_none());
    assert_eq!(frames[2].frame.original_len, Some(60));
    assert!(parse_output("").is_empty());
}

#[test]
fn version_and_missing_program() {
    let missing = Tcpdump::with_program("/nonexistent/tcpdump")
        .decode(std::path::Path::new("/nonexistent.pcap"), &DecodeOptions::default());
    assert!(matches!(missing, Err(DecoderFailure::NotFound { .. })), "{missing:?}");
    if !common::require_tool("tcpdump") {
        return;
    }
    let version = Tcpdump::new().version().expect("tcpdump --version");
    assert!(version.starts_with(|c: char| c.is_ascii_digit()), "{version}");
}

/// Batch mode (one `tcpdump -V` for the run, as `Tcpdump::decode` runs it)
/// reads every vector of the corpus exactly as `tcpdump -r` does, and so
/// it does captures cut in the middle of a record, and files that are no
/// capture at all, and the process goes on after them.
#[test]
fn batch_mode_reads_as_single_mode() {
    if !common::require_tool("tcpdump") {
        return;
    }
    let tcpdump = Tcpdump::new();
    let opts = DecodeOptions { timeout: std::time::Duration::from_secs(60), ..DecodeOptions::default() };
    let mut vectors: Vec<adapters::OnDisk> =
        adapters::all_ids().iter().map(|id| adapters::vector(id)).collect();
    // A capture cut inside its second record, one cut inside its first,
    // and a file that is no capture.
    let whole = std::fs::read(&adapters::vector("handshake-in-order").capture).unwrap();
    // A little-endian pcap: the first record's captured length at 32..36.
    let first = u32::from_le_bytes(whole[32..36].try_into().unwrap()) as usize;
    let extra = tempfile::tempdir().unwrap();
    let mut odd = Vec::new();
    for (name, bytes) in [
        ("cut-second.pcap", whole[..24 + 16 + first + 16 + 30].to_vec()),
        ("cut-first.pcap", whole[..24 + 16 + 30].to_vec()),
        ("not-a-capture.pcap", b"Frame 1: VXLAN".to_vec()),
    ] {
        let path = extra.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        odd.push(path);
    }
    let mut checked = 0;
    for path in vectors.iter_mut().map(|v| v.capture.clone()).chain(odd.iter().cloned()) {
        let batch = tcpdump.decode(&path, &opts);
        let single = tcpdump.decode_single(&path, &opts);
        match (&batch, &single) {
            (Ok(b), Ok(s)) => assert_eq!(b, s, "{}", path.display()),
            (Err(b), Err(s)) => assert_eq!(b.kind(), s.kind(), "{}: {b} / {s}", path.display()),
            _ => panic!("{}: batch {batch:?}, single {single:?}", path.display()),
        }
        checked += 1;
    }
    assert_eq!(checked, vectors.len() + 3);
    let cut = tcpdump.decode(&odd[0], &opts).unwrap();
    assert_eq!(cut.frames.len(), 1, "the frame before the cut counts");
    assert!(matches!(tcpdump.decode(&odd[1], &opts), Err(DecoderFailure::Crashed { .. })));
    // One start, one more after the file that is no capture (tcpdump exits on it).
    assert!(tcpdump.pool().unwrap().started() <= 3, "{}", tcpdump.pool().unwrap().started());
}
