//! Cross-checks of the traffic scenarios (`vxgen generate --scenario NAME`,
//! `generator::traffic`) with the real tshark (4.0 or later), which reads the
//! inner packets through the VXLAN (and GENEVE) layers:
//!
//! * every scenario dissects with no malformed packet, no expert warning or
//!   error and every checksum good, and tshark's TCP analysis finds no
//!   retransmission, duplicate ACK, out-of-order or lost segment in it; the
//!   pcapng comment of every frame names the scenario and an event that
//!   agrees with the dissection (SYN, FIN, ClientHello, DNS query, echo
//!   reply, ...), and what tshark reads is what the scenario is meant to hold
//!   (SNI from the site list, the TLS 1.2 or 1.3 handshake sequence, nginx's
//!   answers to the paths clients ask for, DNS lookups answered, pings
//!   answered);
//! * predict and compare: flows built with the traffic builders from a
//!   seeded RNG, mirrored with `encapsulate`, must show exactly the SNI, TLS
//!   handshake types, HTTP requests and status codes, DNS questions and ICMP
//!   echoes the builders report (`WebFacts`, `DnsLookup`, `Ping`);
//! * reordering (`Options::reorder`, `--reorder`) changes the capture order
//!   and nothing else, and tshark finds out-of-order segments exactly where
//!   copies were delayed; loss (`--loss`) shows as retransmissions where the
//!   comments say;
//! * the seed presets use VNI 9999999 and interleave the handshake of one
//!   connection with the data of another between the same two hosts;
//!   `vxgen scenarios` lists every scenario;
//! * scenarios compose with GBP, PacketLength, the target MTU and NLB / GWLB
//!   targets.
//!
//! Expectations come from the inputs, the builders' reports and the crate's
//! public constants, never from a previous run's output. Without tshark the
//! tests print `SKIP` and pass, unless `CI=true` (tests/common/mod.rs).
//!
//! Length: about 1,900 lines, over the crate's ~800 for one file, on purpose:
//! every scenario's cross-check shares one tshark run per capture and the
//! field-extraction helpers at the top, and a test binary per scenario would
//! cost a link each on a 2-core CI machine.

mod common;
mod vxgen_support;

use generator::capture::{CaptureWriter, Format, Record};
use generator::flow::{amazon_dns_vpc_resolver, Direction, AMAZON_DNS_IPV4, DNS_PORT};
use generator::generate::{host_of, run, Options, Stats};
use generator::mirror::encap::{encapsulate, Truncation, VXLAN_IP_OVERHEAD, VXLAN_OVERHEAD};
use generator::mirror::session::{Mirror, Source, MAX_PACKET_LENGTH};
use generator::traffic::app::dns::{rcode, QType};
use generator::traffic::app::http;
use generator::traffic::app::tls::{cleartext_handshake_types, handshake_type, Side, TlsVersion};
use generator::traffic::dns::{
    DnsLookup, LookupKind, LABEL_NXDOMAIN, LABEL_QUERY, LABEL_RESPONSE, SEARCH_DOMAIN,
};
use generator::traffic::icmp::{Ping, LABEL_REPLY_V4, LABEL_REPLY_V6, LABEL_REQUEST_V4, LABEL_REQUEST_V6};
use generator::traffic::scenario::SCENARIOS;
use generator::traffic::web::{self, WebFacts, WebOptions, HTTPS_SITES, MISSING_PATH, PATHS};
use generator::traffic::{Event, Flow, TrafficSource};
use generator::wire::{ipv4, udp, EtherType};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use vxgen_support::{
    geneve_len, parse_comment, stderr_of, summary_vni, vxgen, Comment, GbpOpt, SEVERITY_WARN,
};

/// VNI of the library runs (any value in range; not a preset's).
const VNI: u32 = 4_171_717;

/// Nanoseconds in a millisecond.
const MS: u64 = 1_000_000;

/// The scenarios every plain-run check covers, with the flows per run.
const TCP_FLOWS: u64 = 40;
const DATAGRAM_FLOWS: u64 = 60;

/// Fraction of copies delayed, or of segments lost, in the reordering and loss runs.
const REORDER: f64 = 0.05;
const LOSS: f64 = 0.05;

// ---------------------------------------------------------------------------
// tshark.

/// Preferences: verify every checksum, and reassemble TCP so that TLS
/// handshakes and HTTP messages spanning segments are dissected.
const PREFS: &[&str] = &[
    "tcp.check_checksum:TRUE",
    "ip.check_checksum:TRUE",
    "udp.check_checksum:TRUE",
    "tcp.desegment_tcp_streams:TRUE",
];

/// Everything any check reads, from one tshark run per capture.
const FIELDS: &[&str] = &[
    "frame.number",
    "frame.len",
    "frame.cap_len",
    "frame.comment",
    "_ws.malformed",
    "_ws.expert.message",
    "_ws.expert.severity",
    "ip.src",
    "ip.dst",
    "ip.len",
    "ip.checksum.status",
    "ipv6.src",
    "ipv6.dst",
    "ipv6.plen",
    "udp.srcport",
    "udp.dstport",
    "udp.checksum.status",
    "vxlan.vni",
    "vxlan.flag_g",
    "vxlan.flag_d",
    "vxlan.flag_a",
    "vxlan.gbp",
    "geneve.version",
    "tcp.stream",
    "tcp.srcport",
    "tcp.dstport",
    "tcp.seq_raw",
    "tcp.ack_raw",
    "tcp.len",
    "tcp.flags.syn",
    "tcp.flags.ack",
    "tcp.flags.fin",
    "tcp.flags.reset",
    "tcp.checksum.status",
    "tcp.analysis.retransmission",
    "tcp.analysis.fast_retransmission",
    "tcp.analysis.spurious_retransmission",
    "tcp.analysis.duplicate_ack",
    "tcp.analysis.out_of_order",
    "tcp.analysis.lost_segment",
    "tcp.analysis.ack_lost_segment",
    "tls.handshake.type",
    "tls.handshake.extensions_server_name",
    "tls.handshake.extensions_alpn_str",
    "tls.handshake.extensions.supported_version",
    "http.request.method",
    "http.request.uri",
    "http.response.code",
    "http.server",
    "dns.id",
    "dns.flags.response",
    "dns.flags.rcode",
    "dns.qry.name",
    "dns.qry.type",
    "dns.aaaa",
    "dns.response_to",
    "icmp.type",
    "icmp.ident",
    "icmp.seq",
    "icmp.resp_to",
    "icmp.checksum.status",
    "icmpv6.type",
    "icmpv6.echo.identifier",
    "icmpv6.echo.sequence_number",
    "icmpv6.resp_to",
    "icmpv6.checksum.status",
];

/// For captures with segments out of order (reordered or lost): without it
/// tshark 4.0 hands TLS the bytes of a reassembly with a hole and reports
/// "Ignored Unknown Record", or throws "New fragment overlaps old data
/// (retransmission?)" on a fast retransmission of bytes it already
/// reassembled. Neither is about the capture: with it both disappear.
const OUT_OF_ORDER_PREFS: &[&str] = &["tcp.reassemble_out_of_order:TRUE"];

/// tshark's TCP analysis flags that must never appear in a plain capture.
const TCP_ANALYSIS: &[&str] = &[
    "tcp.analysis.retransmission",
    "tcp.analysis.fast_retransmission",
    "tcp.analysis.spurious_retransmission",
    "tcp.analysis.duplicate_ack",
    "tcp.analysis.out_of_order",
    "tcp.analysis.lost_segment",
    "tcp.analysis.ack_lost_segment",
];

/// Flags of a segment tshark takes for a copy sent again.
const RETRANSMITTED: &[&str] = &[
    "tcp.analysis.retransmission",
    "tcp.analysis.fast_retransmission",
    "tcp.analysis.spurious_retransmission",
];

/// Separator of repeated values (no field value or comment contains it).
const AGG: char = '\u{1f}';

/// tshark's `-T fields` output of one capture, by frame number (from 1) and field name.
struct Frames {
    what: String,
    rows: Vec<Vec<String>>,
}

impl Frames {
    /// Dissects `file`; `what` names the capture in assertion messages.
    fn of(file: &Path, what: impl Into<String>) -> Frames {
        Frames::with(file, what, &[])
    }

    /// [`Frames::of`] with more preferences.
    fn with(file: &Path, what: impl Into<String>, prefs: &[&str]) -> Frames {
        let agg = format!("aggregator={AGG}");
        let prefs: Vec<&str> = PREFS.iter().chain(prefs).copied().collect();
        let rows = common::tshark_fields_with(file, FIELDS, &prefs, &["-E", &agg]);
        let what = what.into();
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row[0], (i + 1).to_string(), "{what}: tshark rows out of order");
        }
        Frames { what, rows }
    }

    fn count(&self) -> usize {
        self.rows.len()
    }

    fn numbers(&self) -> std::ops::RangeInclusive<usize> {
        1..=self.rows.len()
    }

    /// Every occurrence of `field` in frame `n`, outermost first.
    fn all(&self, n: usize, field: &str) -> Vec<&str> {
        let col = FIELDS.iter().position(|f| *f == field).unwrap_or_else(|| panic!("{field} not requested"));
        let raw = &self.rows[n - 1][col];
        if raw.is_empty() {
            Vec::new()
        } else {
            raw.split(AGG).collect()
        }
    }

    fn has(&self, n: usize, field: &str) -> bool {
        !self.all(n, field).is_empty()
    }

    /// The innermost occurrence of `field` in frame `n`.
    fn last(&self, n: usize, field: &str) -> Option<&str> {
        self.all(n, field).last().copied()
    }

    /// The innermost occurrence of `field` as a number (decimal or `0x` hex).
    fn num(&self, n: usize, field: &str) -> Option<u64> {
        self.last(n, field).map(|v| parse_num(v).unwrap_or_else(|| self.fail(n, field, "not a number", v)))
    }

    /// `field` as a list of numbers.
    fn nums(&self, n: usize, field: &str) -> Vec<u64> {
        self.all(n, field)
            .into_iter()
            .map(|v| parse_num(v).unwrap_or_else(|| self.fail(n, field, "not a number", v)))
            .collect()
    }

    /// Whether the innermost occurrence of a boolean field is set.
    fn flag(&self, n: usize, field: &str) -> bool {
        matches!(self.last(n, field), Some("1" | "True" | "true"))
    }

    fn fail(&self, n: usize, field: &str, why: &str, value: &str) -> ! {
        panic!("{}: frame {n}: {field} {value:?}: {why}", self.what)
    }

    /// The parsed ground-truth comment of frame `n`.
    fn comment(&self, n: usize) -> Comment {
        let text = self
            .last(n, "frame.comment")
            .unwrap_or_else(|| panic!("{}: frame {n}: no frame.comment", self.what));
        parse_comment(n, text)
    }

    /// `(message, severity)` of every expert item of frame `n`.
    fn expert(&self, n: usize) -> Vec<(String, u32)> {
        let messages = self.all(n, "_ws.expert.message");
        let severities = self.all(n, "_ws.expert.severity");
        assert_eq!(
            messages.len(),
            severities.len(),
            "{}: frame {n}: expert message/severity pairs",
            self.what
        );
        messages
            .into_iter()
            .zip(severities)
            .map(|(m, s)| {
                (m.to_string(), s.parse().unwrap_or_else(|_| self.fail(n, "_ws.expert.severity", "bad", s)))
            })
            .collect()
    }

    /// The inner packet's addresses (IPv6, or the innermost IPv4 header).
    fn inner_addrs(&self, n: usize) -> (IpAddr, IpAddr) {
        let (s, d) = if self.has(n, "ipv6.src") { ("ipv6.src", "ipv6.dst") } else { ("ip.src", "ip.dst") };
        let parse = |f: &str| -> IpAddr {
            let v = self.last(n, f).unwrap_or_else(|| self.fail(n, f, "absent", ""));
            v.parse().unwrap_or_else(|_| self.fail(n, f, "not an address", v))
        };
        (parse(s), parse(d))
    }

    /// The inner frame's length as its IP header claims it (Ethernet included).
    fn inner_claimed_len(&self, n: usize) -> usize {
        let eth = 14;
        match self.num(n, "ipv6.plen") {
            Some(plen) => eth + 40 + plen as usize,
            None => {
                eth + self.num(n, "ip.len").unwrap_or_else(|| self.fail(n, "ip.len", "absent", "")) as usize
            }
        }
    }

    /// Whether tshark set any of `flags` on frame `n`.
    fn any(&self, n: usize, flags: &[&str]) -> bool {
        flags.iter().any(|f| self.has(n, f))
    }

    /// `(stream, source port)`: one direction of one TCP connection.
    fn tcp_dir(&self, n: usize) -> Option<(u64, u64)> {
        Some((self.num(n, "tcp.stream")?, self.num(n, "tcp.srcport")?))
    }
}

fn parse_num(v: &str) -> Option<u64> {
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

/// No malformed packet, no expert item of warning severity or above, and
/// every checksum tshark verified good. `outer` is the number of UDP headers
/// in front of the inner frame (1 for VXLAN, 2 behind a GWLB), whose
/// checksum is zero (RFC 7348 section 5): tshark's status 3, "not present".
fn assert_clean(fr: &Frames, n: usize, outer: usize) {
    let what = &fr.what;
    assert!(!fr.has(n, "_ws.malformed"), "{what}: frame {n}: _ws.malformed");
    for (message, severity) in fr.expert(n) {
        assert!(severity < SEVERITY_WARN, "{what}: frame {n}: expert {message:?} severity {severity:#x}");
    }
    assert_checksums(fr, n, outer);
}

fn assert_checksums(fr: &Frames, n: usize, outer: usize) {
    let what = &fr.what;
    for (field, skip) in [
        ("ip.checksum.status", 0),
        ("udp.checksum.status", outer),
        ("tcp.checksum.status", 0),
        ("icmp.checksum.status", 0),
        ("icmpv6.checksum.status", 0),
    ] {
        for (i, v) in fr.all(n, field).into_iter().enumerate() {
            let want = if i < skip { "3" } else { "1" };
            assert_eq!(v, want, "{what}: frame {n}: {field} occurrence {i}");
        }
    }
}

/// The addresses of the instance (host_of the default source).
fn instance_addrs() -> [IpAddr; 2] {
    let h = host_of(&Source::example());
    [IpAddr::V4(h.ipv4), IpAddr::V6(h.ipv6)]
}

// ---------------------------------------------------------------------------
// Captures.

/// A capture written by the library's `run`, kept in a temporary directory.
struct Capture {
    path: PathBuf,
    stats: Stats,
    _dir: tempfile::TempDir,
}

/// `generate::run` with `Mirror::example(VNI)`, pcapng with comments.
fn generate(scenario: &str, seed: u64, count: u64, reorder: f64, loss: f64) -> Capture {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join(format!("{scenario}-{seed}.pcapng"));
    let file = std::fs::File::create(&path).expect("creating the capture");
    let mut writer =
        CaptureWriter::new(std::io::BufWriter::new(file), Format::PcapNg, 262_144).expect("header");
    let opts = Options {
        seed,
        conversations: count,
        scenario: scenario.parse().expect("a listed scenario"),
        reorder,
        loss,
        ..Options::default()
    };
    let stats = run(&Mirror::example(VNI), &opts, &mut writer, |_| {}).expect("run");
    writer.finish().expect("flushing the capture");
    assert_eq!(stats.conversations, count, "{scenario} seed {seed}: flows generated");
    Capture { path, stats, _dir: dir }
}

/// One packet of a pcapng file.
#[derive(Debug, Clone)]
struct NgPacket {
    ts_ns: u64,
    data: Vec<u8>,
    comment: Option<String>,
}

/// Reads the Enhanced Packet Blocks of a little-endian pcapng file (one
/// interface; its `if_tsresol`, default microseconds).
fn read_pcapng(bytes: &[u8]) -> Vec<NgPacket> {
    let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    let pad4 = |n: usize| (n + 3) & !3;
    assert_eq!(u32_at(0), 0x0a0d_0d0a, "pcapng: no Section Header Block");
    assert_eq!(u32_at(8), 0x1a2b_3c4d, "pcapng: not little-endian");
    let mut ns_per_unit = 1_000u64;
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let (kind, len) = (u32_at(at), u32_at(at + 4) as usize);
        assert!(len >= 12 && at + len <= bytes.len(), "pcapng: block at {at} of length {len}");
        let body = at + 8;
        let end = at + len - 4;
        // Options: code, length, value padded to 4; code 0 ends them.
        let options = |mut o: usize| -> Vec<(u16, &[u8])> {
            let mut list = Vec::new();
            while o + 4 <= end {
                let (code, olen) = (u16_at(o), u16_at(o + 2) as usize);
                if code == 0 {
                    break;
                }
                list.push((code, &bytes[o + 4..o + 4 + olen]));
                o += 4 + pad4(olen);
            }
            list
        };
        match kind {
            1 => {
                for (code, value) in options(body + 8) {
                    if code == 9 {
                        // if_tsresol: 10^-v seconds (high bit clear).
                        assert_eq!(value[0] & 0x80, 0, "pcapng: binary if_tsresol");
                        ns_per_unit = 10u64.pow(9u32.saturating_sub(u32::from(value[0])));
                    }
                }
            }
            6 => {
                let ts = (u64::from(u32_at(body + 4)) << 32) | u64::from(u32_at(body + 8));
                let cap = u32_at(body + 12) as usize;
                let data = bytes[body + 20..body + 20 + cap].to_vec();
                let comment = options(body + 20 + pad4(cap))
                    .into_iter()
                    .find(|(code, _)| *code == 1)
                    .map(|(_, v)| String::from_utf8(v.to_vec()).expect("UTF-8 comment"));
                out.push(NgPacket { ts_ns: ts * ns_per_unit, data, comment });
            }
            _ => {}
        }
        at += len;
    }
    out
}

// ---------------------------------------------------------------------------
// What a plain scenario capture must show.

/// How a capture was made, for [`check_capture`].
#[derive(Debug, Clone)]
struct Expect {
    scenario: &'static str,
    vni: u32,
    gbp: Option<GbpOpt>,
    /// UDP headers in front of the inner frame: 1, or 2 behind a GWLB.
    outer: usize,
    /// Bytes in front of the inner frame.
    overhead: usize,
}

impl Expect {
    fn new(scenario: &'static str, vni: u32) -> Expect {
        Expect { scenario, vni, gbp: None, outer: 1, overhead: VXLAN_OVERHEAD }
    }
}

/// The kinds of flow (comment) a scenario may produce.
fn kinds_of(scenario: &str) -> Vec<&'static str> {
    match scenario {
        "mixed" => vec!["https-outbound", "http-inbound", "dns", "http", "ping"],
        s => vec![SCENARIOS.iter().find(|i| i.name == s).expect("a listed scenario").name],
    }
}

/// Event labels of segments without payload.
fn empty_segment_labels() -> [&'static str; 7] {
    [
        Event::TcpSyn.label(),
        Event::TcpSynAck.label(),
        Event::TcpHandshakeAck.label(),
        Event::TcpAck.label(),
        Event::TcpFin.label(),
        Event::TcpRst.label(),
        Event::TcpDupAck.label(),
    ]
}

/// The frame's comment agrees with tshark: scenario, VNI, GBP, addresses,
/// ports, direction, and an event that matches the dissected flags and
/// messages.
fn check_comment(fr: &Frames, n: usize, c: &Comment, e: &Expect) {
    let what = &fr.what;
    let kind = c.kind.as_deref().unwrap_or_else(|| panic!("{what}: frame {n}: comment names no scenario"));
    assert!(kinds_of(e.scenario).contains(&kind), "{what}: frame {n}: comment kind {kind:?}");
    assert_eq!(c.vni, e.vni, "{what}: frame {n}: comment vni");
    assert_eq!(c.gbp, e.gbp, "{what}: frame {n}: comment gbp");
    let (src, dst) = fr.inner_addrs(n);
    assert_eq!((c.src, c.dst), (src, dst), "{what}: frame {n}: comment addresses vs inner ip src/dst");
    let instance = instance_addrs();
    let egress = instance.contains(&src);
    assert_eq!(c.direction, if egress { "egress" } else { "ingress" }, "{what}: frame {n}: direction");
    let label = c.label.as_str();
    match c.protocol.as_str() {
        "tcp" => {
            let ports = (fr.num(n, "tcp.srcport"), fr.num(n, "tcp.dstport"));
            assert_eq!(
                ports,
                (c.src_port.map(u64::from), c.dst_port.map(u64::from)),
                "{what}: frame {n}: ports"
            );
            let syn = label == Event::TcpSyn.label() || label == Event::TcpSynAck.label();
            assert_eq!(fr.flag(n, "tcp.flags.syn"), syn, "{what}: frame {n} ({label}): tcp.flags.syn");
            if syn {
                let ack = label == Event::TcpSynAck.label();
                assert_eq!(fr.flag(n, "tcp.flags.ack"), ack, "{what}: frame {n} ({label}): tcp.flags.ack");
            }
            let fin = label == Event::TcpFin.label();
            assert_eq!(fr.flag(n, "tcp.flags.fin"), fin, "{what}: frame {n} ({label}): tcp.flags.fin");
            let rst = label == Event::TcpRst.label();
            assert_eq!(fr.flag(n, "tcp.flags.reset"), rst, "{what}: frame {n} ({label}): tcp.flags.reset");
            let empty = empty_segment_labels().contains(&label);
            let len = fr.num(n, "tcp.len").unwrap_or(0);
            assert_eq!(len == 0, empty, "{what}: frame {n} ({label}): tcp.len {len}");
            let hello = fr.nums(n, "tls.handshake.type").contains(&u64::from(handshake_type::CLIENT_HELLO));
            assert_eq!(hello, label == "TLS ClientHello", "{what}: frame {n} ({label}): ClientHello");
        }
        "udp" => {
            let ports = (fr.num(n, "udp.srcport"), fr.num(n, "udp.dstport"));
            assert_eq!(
                ports,
                (c.src_port.map(u64::from), c.dst_port.map(u64::from)),
                "{what}: frame {n}: ports"
            );
            let response = fr.flag(n, "dns.flags.response");
            let want = match (response, fr.num(n, "dns.flags.rcode")) {
                (false, _) => LABEL_QUERY,
                (true, Some(r)) if r == u64::from(rcode::NXDOMAIN) => LABEL_NXDOMAIN,
                (true, _) => LABEL_RESPONSE,
            };
            assert_eq!(label, want, "{what}: frame {n}: label vs dns.flags.response/rcode");
        }
        "icmp" => {
            let want = match fr.num(n, "icmp.type") {
                Some(8) => LABEL_REQUEST_V4,
                Some(0) => LABEL_REPLY_V4,
                t => panic!("{what}: frame {n}: icmp.type {t:?}"),
            };
            assert_eq!(label, want, "{what}: frame {n}: label vs icmp.type");
        }
        "icmpv6" => {
            let want = match fr.num(n, "icmpv6.type") {
                Some(128) => LABEL_REQUEST_V6,
                Some(129) => LABEL_REPLY_V6,
                t => panic!("{what}: frame {n}: icmpv6.type {t:?}"),
            };
            assert_eq!(label, want, "{what}: frame {n}: label vs icmpv6.type");
        }
        p => panic!("{what}: frame {n}: comment protocol {p:?}"),
    }
}

/// The outer layers carry the session's VNI and GBP bits.
fn check_vxlan(fr: &Frames, n: usize, e: &Expect) {
    let what = &fr.what;
    assert_eq!(fr.num(n, "vxlan.vni"), Some(u64::from(e.vni)), "{what}: frame {n}: vxlan.vni");
    let bit = |b: bool| if b { "1" } else { "0" };
    let g = e.gbp;
    assert_eq!(fr.last(n, "vxlan.flag_g"), Some(bit(g.is_some())), "{what}: frame {n}: vxlan.flag_g");
    if let Some(g) = g {
        assert_eq!(fr.last(n, "vxlan.flag_d"), Some(bit(g.dont_learn)), "{what}: frame {n}: vxlan.flag_d");
        assert_eq!(
            fr.last(n, "vxlan.flag_a"),
            Some(bit(g.policy_applied)),
            "{what}: frame {n}: vxlan.flag_a"
        );
        assert_eq!(fr.num(n, "vxlan.gbp"), Some(u64::from(g.policy_id)), "{what}: frame {n}: vxlan.gbp");
    }
    assert_eq!(fr.has(n, "geneve.version"), e.outer == 2, "{what}: frame {n}: GENEVE layer");
}

/// One TCP connection as tshark dissected it.
#[derive(Debug, Default)]
struct Stream {
    kind: String,
    /// Frames in capture order, with whether the client sent them.
    frames: Vec<(usize, bool)>,
    client: Option<(IpAddr, u64)>,
    server_ip: Option<IpAddr>,
    server_port: u64,
    client_is_instance: bool,
    client_types: Vec<u64>,
    server_types: Vec<u64>,
    /// SNI values with whether the client sent them.
    snis: Vec<(String, bool)>,
    alpn: Vec<String>,
    client_versions: Vec<u64>,
    server_versions: Vec<u64>,
    requests: Vec<(String, String)>,
    request_from_server: usize,
    codes: Vec<u64>,
    code_from_client: usize,
    servers: Vec<String>,
    syns: usize,
    fins: usize,
    rsts: usize,
}

/// Every TCP stream of the capture. The client is whoever sent the SYN, the
/// first segment of every stream (neither delayed nor lost).
fn tcp_streams(fr: &Frames, comments: bool) -> BTreeMap<u64, Stream> {
    let mut streams: BTreeMap<u64, Stream> = BTreeMap::new();
    let instance = instance_addrs();
    for n in fr.numbers() {
        let Some(id) = fr.num(n, "tcp.stream") else { continue };
        let s = streams.entry(id).or_default();
        let (src, dst) = fr.inner_addrs(n);
        let sport = fr.num(n, "tcp.srcport").expect("tcp.srcport");
        if s.client.is_none() {
            assert!(
                fr.flag(n, "tcp.flags.syn") && !fr.flag(n, "tcp.flags.ack"),
                "{}: frame {n}: stream {id} does not start with a SYN",
                fr.what
            );
            s.client = Some((src, sport));
            s.server_ip = Some(dst);
            s.server_port = fr.num(n, "tcp.dstport").expect("tcp.dstport");
            s.client_is_instance = instance.contains(&src);
            if comments {
                s.kind = fr.comment(n).kind.unwrap_or_default();
            }
        }
        let from_client = s.client == Some((src, sport));
        s.frames.push((n, from_client));
        let types = fr.nums(n, "tls.handshake.type");
        if from_client {
            s.client_types.extend(types);
            s.client_versions.extend(fr.nums(n, "tls.handshake.extensions.supported_version"));
            s.alpn.extend(fr.all(n, "tls.handshake.extensions_alpn_str").iter().map(|v| v.to_string()));
        } else {
            s.server_types.extend(types);
            s.server_versions.extend(fr.nums(n, "tls.handshake.extensions.supported_version"));
        }
        s.snis.extend(
            fr.all(n, "tls.handshake.extensions_server_name").iter().map(|v| (v.to_string(), from_client)),
        );
        let methods = fr.all(n, "http.request.method");
        let uris = fr.all(n, "http.request.uri");
        assert_eq!(methods.len(), uris.len(), "{}: frame {n}: http.request.method vs uri", fr.what);
        if !from_client {
            s.request_from_server += methods.len();
        }
        s.requests.extend(methods.iter().zip(&uris).map(|(m, u)| (m.to_string(), u.to_string())));
        let codes = fr.nums(n, "http.response.code");
        if from_client {
            s.code_from_client += codes.len();
        }
        s.codes.extend(codes);
        s.servers.extend(fr.all(n, "http.server").iter().map(|v| v.to_string()));
        s.syns += fr.flag(n, "tcp.flags.syn") as usize;
        s.fins += fr.flag(n, "tcp.flags.fin") as usize;
        s.rsts += fr.flag(n, "tcp.flags.reset") as usize;
    }
    streams
}

/// The TLS versions a client offering up to `max` lists in supported_versions
/// (none for a TLS 1.2 client: the extension is TLS 1.3's, RFC 8446 4.2.1).
fn offered_versions(max: TlsVersion) -> Vec<u64> {
    match max {
        TlsVersion::Tls13 => vec![TlsVersion::Tls13.wire().into(), TlsVersion::Tls12.wire().into()],
        TlsVersion::Tls12 => vec![],
    }
}

/// The version a server selects in supported_versions (TLS 1.3 only).
fn selected_versions(v: TlsVersion) -> Vec<u64> {
    match v {
        TlsVersion::Tls13 => vec![TlsVersion::Tls13.wire().into()],
        TlsVersion::Tls12 => vec![],
    }
}

fn types(v: TlsVersion, side: Side) -> Vec<u64> {
    // The HTTPS builder asks for no TLS 1.2 session ticket.
    cleartext_handshake_types(v, side, false).iter().map(|&t| u64::from(t)).collect()
}

/// The TLS version whose cleartext client handshake types are `client`.
fn version_of(client: &[u64]) -> Option<TlsVersion> {
    [TlsVersion::Tls13, TlsVersion::Tls12].into_iter().find(|&v| types(v, Side::Client) == client)
}

/// Common checks of a complete, closed TCP connection.
fn check_stream_shape(what: &str, id: u64, s: &Stream) {
    assert_eq!(s.syns, 2, "{what}: stream {id}: SYN and SYN-ACK");
    assert_eq!(s.fins, 2, "{what}: stream {id}: a FIN each way");
    assert_eq!(s.rsts, 0, "{what}: stream {id}: no RST");
}

/// An HTTPS stream as the HTTPS builder makes it: the instance is the
/// client of port 443, one ClientHello with an SNI from the site list, the
/// handshake sequence of one TLS version on both sides, nothing in the clear.
fn check_https_stream(what: &str, id: u64, s: &Stream) -> (TlsVersion, String) {
    check_stream_shape(what, id, s);
    assert!(s.client_is_instance, "{what}: stream {id}: the instance opens HTTPS connections");
    assert_eq!(s.server_port, 443, "{what}: stream {id}: HTTPS server port");
    let v = version_of(&s.client_types)
        .unwrap_or_else(|| panic!("{what}: stream {id}: client tls.handshake.type {:?}", s.client_types));
    assert_eq!(
        s.server_types,
        types(v, Side::Server),
        "{what}: stream {id}: server tls.handshake.type ({v:?})"
    );
    assert_eq!(s.snis.len(), 1, "{what}: stream {id}: tls.handshake.extensions_server_name {:?}", s.snis);
    let (sni, from_client) = s.snis[0].clone();
    assert!(from_client, "{what}: stream {id}: the SNI comes from the client");
    assert!(
        HTTPS_SITES.contains(&sni.as_str()),
        "{what}: stream {id}: SNI {sni:?} not a site of HTTPS_SITES"
    );
    assert_eq!(s.alpn, ["h2", "http/1.1"], "{what}: stream {id}: tls.handshake.extensions_alpn_str");
    assert_eq!(s.client_versions, offered_versions(v), "{what}: stream {id}: client supported_versions");
    assert_eq!(s.server_versions, selected_versions(v), "{what}: stream {id}: server supported_version");
    assert!(s.requests.is_empty() && s.codes.is_empty(), "{what}: stream {id}: HTTP in the clear");
    (v, sni)
}

/// nginx answers a path as the HTTP builders do: the 404 page for
/// MISSING_PATH, 200 otherwise; `/login` is POSTed, the rest fetched.
fn check_http_stream(what: &str, id: u64, s: &Stream, instance_is_server: bool, max_requests: usize) {
    check_stream_shape(what, id, s);
    if instance_is_server {
        assert!(
            !s.client_is_instance,
            "{what}: stream {id}: clients on the internet ask nginx on the instance"
        );
    }
    assert_eq!(s.server_port, 80, "{what}: stream {id}: HTTP server port");
    assert!((1..=max_requests).contains(&s.requests.len()), "{what}: stream {id}: requests {:?}", s.requests);
    assert_eq!(s.request_from_server, 0, "{what}: stream {id}: a request sent by the server");
    assert_eq!(s.code_from_client, 0, "{what}: stream {id}: a response sent by the client");
    assert_eq!(s.codes.len(), s.requests.len(), "{what}: stream {id}: one response per request");
    for (i, ((method, uri), code)) in s.requests.iter().zip(&s.codes).enumerate() {
        let uri = uri.as_str();
        assert!(PATHS.contains(&uri) || uri == MISSING_PATH, "{what}: stream {id}: request {i} uri {uri:?}");
        let post = uri == "/login";
        let want = if post { http::Method::Post } else { http::Method::Get };
        assert_eq!(method, want.as_str(), "{what}: stream {id}: request {i} ({uri}) method");
        let status = if uri == MISSING_PATH { 404 } else { 200 };
        assert_eq!(*code, status, "{what}: stream {id}: response {i} ({uri}) http.response.code");
    }
    assert_eq!(s.servers.len(), s.codes.len(), "{what}: stream {id}: http.server on every response");
    assert!(s.servers.iter().all(|v| v == http::SERVER), "{what}: stream {id}: http.server {:?}", s.servers);
    assert!(s.client_types.is_empty() && s.snis.is_empty(), "{what}: stream {id}: TLS on port 80");
}

/// What [`check_capture`] saw, for coverage assertions across runs.
#[derive(Debug, Default)]
struct Seen {
    tls: BTreeSet<String>,
    snis: BTreeSet<String>,
    kinds: BTreeSet<String>,
    uris: BTreeSet<String>,
    resolvers: BTreeSet<IpAddr>,
    nxdomain: usize,
    aaaa_answered: usize,
    pings: BTreeSet<bool>,
}

/// Every check of a plain capture (no reordering, loss or truncation).
fn check_capture(fr: &Frames, e: &Expect, seen: &mut Seen) {
    let what = fr.what.clone();
    assert!(fr.count() > 0, "{what}: no frame");
    for n in fr.numbers() {
        assert_clean(fr, n, e.outer);
        for flag in TCP_ANALYSIS {
            assert!(!fr.has(n, flag), "{what}: frame {n}: {flag} in a capture without reordering or loss");
        }
        check_vxlan(fr, n, e);
        let c = fr.comment(n);
        check_comment(fr, n, &c, e);
        assert!(!c.delayed && c.truncation.is_none(), "{what}: frame {n}: delayed or truncated");
        assert_eq!(
            fr.num(n, "frame.cap_len"),
            Some((e.overhead + fr.inner_claimed_len(n)) as u64),
            "{what}: frame {n}: frame.cap_len"
        );
        seen.kinds.insert(c.kind.unwrap_or_default());
    }
    // The seed preset opens several connections to one site: one SNI per remote address.
    let mut site_of: HashMap<IpAddr, String> = HashMap::new();
    for (id, s) in tcp_streams(fr, true) {
        match s.kind.as_str() {
            "https-outbound" | "seed-https-outbound" => {
                let (v, sni) = check_https_stream(&what, id, &s);
                seen.tls.insert(format!("{v:?}"));
                seen.snis.insert(sni.clone());
                if s.kind == "seed-https-outbound" {
                    let server = s.server_ip.expect("server address");
                    let site = site_of.entry(server).or_insert_with(|| sni.clone());
                    assert_eq!(*site, sni, "{what}: stream {id}: SNI of another connection to {server}");
                }
            }
            "http-inbound" | "seed-http-inbound" => {
                check_http_stream(&what, id, &s, true, 4);
                seen.uris.extend(s.requests.iter().map(|r| r.1.clone()));
            }
            "http" => check_http_stream(&what, id, &s, false, 1),
            k => panic!("{what}: stream {id}: TCP in a flow of kind {k:?}"),
        }
    }
    check_dns(fr, seen);
    check_pings(fr, seen);
}

/// Every DNS query goes from the instance to an Amazon DNS server address,
/// A then AAAA for the same name, and is answered once; an NXDOMAIN is
/// retried with the search domain.
fn check_dns(fr: &Frames, seen: &mut Seen) {
    let what = &fr.what;
    let host = host_of(&Source::example());
    let resolvers = [IpAddr::V4(amazon_dns_vpc_resolver(&host.vpc_cidr)), IpAddr::V4(AMAZON_DNS_IPV4)];
    // Query frame -> (instance port, name, qtype); answers per query.
    let mut queries: BTreeMap<usize, (u64, String, u64)> = BTreeMap::new();
    let mut answered: HashMap<usize, usize> = HashMap::new();
    let mut nx_names: Vec<(usize, String)> = Vec::new();
    for n in fr.numbers() {
        let Some(name) = fr.last(n, "dns.qry.name") else { continue };
        let (src, dst) = fr.inner_addrs(n);
        let qtype = fr.num(n, "dns.qry.type").expect("dns.qry.type");
        if !fr.flag(n, "dns.flags.response") {
            assert_eq!(src, IpAddr::V4(host.ipv4), "{what}: frame {n}: query source");
            assert!(resolvers.contains(&dst), "{what}: frame {n}: query to {dst}, not an Amazon DNS address");
            assert_eq!(fr.num(n, "udp.dstport"), Some(u64::from(DNS_PORT)), "{what}: frame {n}: udp.dstport");
            seen.resolvers.insert(dst);
            queries.insert(n, (fr.num(n, "udp.srcport").expect("udp.srcport"), name.to_string(), qtype));
            continue;
        }
        let q = fr
            .num(n, "dns.response_to")
            .unwrap_or_else(|| panic!("{what}: frame {n}: unmatched response")) as usize;
        let (port, qname, qt) =
            queries.get(&q).unwrap_or_else(|| panic!("{what}: frame {n}: dns.response_to {q}"));
        assert_eq!(
            (name, qtype),
            (qname.as_str(), *qt),
            "{what}: frame {n}: question of the response to {q}"
        );
        assert_eq!(fr.num(n, "udp.dstport"), Some(*port), "{what}: frame {n}: response port");
        *answered.entry(q).or_default() += 1;
        if fr.num(n, "dns.flags.rcode") == Some(u64::from(rcode::NXDOMAIN)) {
            if qtype == u64::from(QType::A.code()) {
                nx_names.push((n, name.to_string()));
            }
            seen.nxdomain += 1;
        } else if qtype == u64::from(QType::Aaaa.code()) && fr.has(n, "dns.aaaa") {
            seen.aaaa_answered += 1;
        }
    }
    for (&q, (port, name, qtype)) in &queries {
        assert_eq!(answered.get(&q), Some(&1), "{what}: frame {q}: query for {name} answered once");
        if *qtype == u64::from(QType::A.code()) {
            // glibc sends the AAAA query on the same socket right after.
            let next = queries.range(q + 1..).find(|(_, (p, _, _))| p == port);
            let (m, (_, next_name, next_type)) =
                next.unwrap_or_else(|| panic!("{what}: frame {q}: no AAAA after the A query"));
            assert_eq!(
                (next_name, *next_type),
                (name, u64::from(QType::Aaaa.code())),
                "{what}: frame {m}: the query after the A query of frame {q}"
            );
        } else {
            assert_eq!(*qtype, u64::from(QType::Aaaa.code()), "{what}: frame {q}: dns.qry.type");
        }
    }
    for (n, name) in nx_names {
        if name.ends_with(&format!(".{SEARCH_DOMAIN}")) {
            continue;
        }
        let retry = format!("{name}.{SEARCH_DOMAIN}");
        assert!(
            queries.range(n..).any(|(_, (_, q, _))| *q == retry),
            "{what}: frame {n}: NXDOMAIN for {name} not retried as {retry}"
        );
    }
}

/// Every echo request from the instance is answered, sequence numbers count
/// from 1 per identifier.
fn check_pings(fr: &Frames, seen: &mut Seen) {
    let what = &fr.what;
    let instance = instance_addrs();
    let mut requests: BTreeMap<(IpAddr, u64), Vec<(usize, u64)>> = BTreeMap::new();
    let mut replies: BTreeMap<usize, usize> = BTreeMap::new();
    for n in fr.numbers() {
        let (ty, ident, seq, resp_to, v6) = if fr.has(n, "icmp.type") {
            ("icmp.type", "icmp.ident", "icmp.seq", "icmp.resp_to", false)
        } else if fr.has(n, "icmpv6.type") {
            ("icmpv6.type", "icmpv6.echo.identifier", "icmpv6.echo.sequence_number", "icmpv6.resp_to", true)
        } else {
            continue;
        };
        seen.pings.insert(v6);
        let (src, dst) = fr.inner_addrs(n);
        let request = matches!(fr.num(n, ty), Some(8 | 128));
        let (ident, seq) = (fr.num(n, ident).expect(ident), fr.num(n, seq).expect(seq));
        if request {
            assert!(instance.contains(&src), "{what}: frame {n}: echo request from {src}");
            requests.entry((dst, ident)).or_default().push((n, seq));
        } else {
            assert!(instance.contains(&dst), "{what}: frame {n}: echo reply to {dst}");
            let r =
                fr.num(n, resp_to).unwrap_or_else(|| panic!("{what}: frame {n}: {resp_to} absent")) as usize;
            let list = requests.get(&(src, ident)).map(Vec::as_slice).unwrap_or(&[]);
            assert!(
                list.contains(&(r, seq)),
                "{what}: frame {n}: reply to frame {r} ident {ident} seq {seq}"
            );
            *replies.entry(r).or_default() += 1;
        }
    }
    for ((remote, ident), list) in requests {
        let seqs: Vec<u64> = list.iter().map(|&(_, s)| s).collect();
        let want: Vec<u64> = (1..=seqs.len() as u64).collect();
        assert_eq!(seqs, want, "{what}: ping {remote} ident {ident}: sequence numbers");
        for (n, _) in list {
            assert_eq!(replies.get(&n), Some(&1), "{what}: frame {n}: echo request answered once");
        }
    }
}

// ---------------------------------------------------------------------------
// 1. Plain scenarios.

/// Seeds per scenario: several, so that both TLS versions, every DNS outcome
/// and both ping families turn up.
const SEEDS: [u64; 3] = [1, 2, 3];

fn plain(scenario: &'static str, count: u64) -> Seen {
    let mut seen = Seen::default();
    for seed in SEEDS {
        let cap = generate(scenario, seed, count, 0.0, 0.0);
        let fr = Frames::of(&cap.path, format!("{scenario} seed {seed}"));
        assert_eq!(fr.count() as u64, cap.stats.copies, "{scenario} seed {seed}: frames vs Stats::copies");
        let s = cap.stats;
        assert_eq!((s.reordered, s.truncated, s.not_mirrored), (0, 0, 0), "{scenario} seed {seed}: Stats");
        check_capture(&fr, &Expect::new(scenario, VNI), &mut seen);
    }
    seen
}

#[test]
fn https_outbound_dissects_as_tls_to_the_listed_sites() {
    if !common::require_tool("tshark") {
        return;
    }
    let seen = plain("https-outbound", TCP_FLOWS);
    assert_eq!(seen.tls, BTreeSet::from(["Tls12".into(), "Tls13".into()]), "TLS versions seen");
    assert!(seen.snis.len() > 1, "SNIs seen: {:?}", seen.snis);
}

#[test]
fn http_inbound_dissects_as_nginx_answering_clients() {
    if !common::require_tool("tshark") {
        return;
    }
    let seen = plain("http-inbound", TCP_FLOWS);
    assert!(seen.uris.contains(MISSING_PATH), "a 404 path among {:?}", seen.uris);
    assert!(seen.uris.contains("/login"), "a POST among {:?}", seen.uris);
}

#[test]
fn dns_dissects_as_answered_lookups() {
    if !common::require_tool("tshark") {
        return;
    }
    let seen = plain("dns", DATAGRAM_FLOWS);
    assert_eq!(seen.resolvers.len(), 2, "both Amazon DNS addresses: {:?}", seen.resolvers);
    assert!(seen.nxdomain > 0 && seen.aaaa_answered > 0, "NXDOMAIN and AAAA answers: {seen:?}");
}

#[test]
fn ping_dissects_as_answered_echoes() {
    if !common::require_tool("tshark") {
        return;
    }
    let seen = plain("ping", DATAGRAM_FLOWS);
    assert_eq!(seen.pings, BTreeSet::from([false, true]), "ICMPv4 and ICMPv6 echoes");
}

#[test]
fn mixed_dissects_cleanly_with_every_kind() {
    if !common::require_tool("tshark") {
        return;
    }
    let seen = plain("mixed", DATAGRAM_FLOWS);
    let all: BTreeSet<String> = kinds_of("mixed").iter().map(|k| k.to_string()).collect();
    assert_eq!(seen.kinds, all, "kinds of flow in mixed");
}

#[test]
fn seed_https_outbound_dissects_cleanly() {
    if !common::require_tool("tshark") {
        return;
    }
    let seen = plain("seed-https-outbound", TCP_FLOWS);
    assert!(!seen.snis.is_empty());
}

#[test]
fn seed_http_inbound_dissects_cleanly() {
    if !common::require_tool("tshark") {
        return;
    }
    let seen = plain("seed-http-inbound", TCP_FLOWS);
    assert!(!seen.uris.is_empty());
}

// ---------------------------------------------------------------------------
// 2. Predict and compare.

/// What one flow built by hand must show.
enum Plan {
    Web(WebFacts),
    Dns(DnsLookup),
    Ping(Ping),
}

/// Flows built straight with the traffic builders, merged in time order and
/// mirrored with `encapsulate` into a pcapng file.
struct Predicted {
    plans: Vec<Plan>,
    /// Per frame: the flow, and whether the flow's client (SYN sender,
    /// DNS querier, pinger) sent it.
    frames: Vec<(usize, bool)>,
    path: PathBuf,
    _dir: tempfile::TempDir,
}

fn build_predicted(seed: u64) -> Predicted {
    let mirror = Mirror::example(VNI);
    let host = host_of(&mirror.source);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut at = Mirror::DEFAULT_START_NS;
    // Starts a few milliseconds apart: round-trip times are 2-90 ms, so flows overlap.
    let step = 4 * MS;
    let mut flows: Vec<Flow> = Vec::new();
    let mut plans = Vec::new();
    let opts = WebOptions::default();
    for sni in HTTPS_SITES {
        for version in [TlsVersion::Tls13, TlsVersion::Tls12] {
            let (conv, facts) = web::https_outbound(&host, &mut rng, at, sni, version, &opts);
            assert_eq!((facts.sni, facts.tls), (Some(*sni), Some(version)), "WebFacts of the HTTPS builder");
            flows.push(Flow::Tcp(conv));
            plans.push(Plan::Web(facts));
            at += step;
        }
    }
    for _ in 0..6 {
        let (conv, facts) = web::http_inbound(&host, &mut rng, at, &opts);
        flows.push(Flow::Tcp(conv));
        plans.push(Plan::Web(facts));
        at += step;
    }
    for _ in 0..2 {
        let (conv, facts) = web::http_basic(&host, &mut rng, at);
        flows.push(Flow::Tcp(conv));
        plans.push(Plan::Web(facts));
        at += step;
    }
    for kind in LookupKind::ALL {
        for _ in 0..2 {
            let lookup = DnsLookup::plan_kind(&host, &mut rng, at, kind);
            flows.push(Flow::Packets(lookup.packets(&host)));
            plans.push(Plan::Dns(lookup));
            at += step;
        }
    }
    for v6 in [false, true] {
        let ping = Ping::plan(&mut rng, at, v6);
        flows.push(Flow::Packets(ping.packets(&host)));
        plans.push(Plan::Ping(ping));
        at += step;
    }

    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join(format!("predicted-{seed}.pcapng"));
    let file = std::fs::File::create(&path).expect("creating the capture");
    let mut writer =
        CaptureWriter::new(std::io::BufWriter::new(file), Format::PcapNg, 262_144).expect("header");
    let session = &mirror.sessions[0];
    let mut client_dir: Vec<Option<Direction>> = vec![None; flows.len()];
    let (mut inner, mut outer, mut frames) = (Vec::new(), Vec::new(), Vec::new());
    // The earliest next frame first (ties: the earlier flow), as a target receives them.
    while let Some((_, i)) = flows.iter().enumerate().filter_map(|(i, f)| Some((f.peek_time()?, i))).min() {
        inner.clear();
        let info = flows[i].next_frame(&mut inner).expect("a frame at peek_time");
        if info.event == Event::TcpSyn {
            client_dir[i] = Some(info.direction);
        }
        let from_client = info.direction == client_dir[i].unwrap_or(Direction::Egress);
        let copy = encapsulate(session, &mirror.source, &inner, &info.key, &mut outer);
        assert_eq!(copy.truncation, None, "a whole copy to a 9001-byte MTU target");
        writer.write(&Record::new(info.timestamp_ns + Mirror::LATENCY_NS, &outer)).expect("writing a record");
        frames.push((i, from_client));
    }
    writer.finish().expect("flushing the capture");
    Predicted { plans, frames, path, _dir: dir }
}

/// What tshark shows of one DNS or ICMP frame, in the order it is compared.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Datagram {
    Query { id: u64, name: String, qtype: u64 },
    Response { id: u64, name: String, qtype: u64, rcode: u64, to_query: usize },
    Echo { request: bool, ident: u64, seq: u64, to_request: Option<usize> },
}

#[test]
fn predicted_flows_dissect_as_built() {
    if !common::require_tool("tshark") {
        return;
    }
    for seed in [11, 12] {
        let p = build_predicted(seed);
        let what = format!("predicted seed {seed}");
        let fr = Frames::of(&p.path, what.clone());
        assert_eq!(fr.count(), p.frames.len(), "{what}: one row per frame written");
        let e = Expect::new("mixed", VNI);

        // Per flow, the frames tshark dissected, in capture order.
        let mut per_flow: Vec<Vec<(usize, bool)>> = vec![Vec::new(); p.plans.len()];
        for (k, &(flow, from_client)) in p.frames.iter().enumerate() {
            let n = k + 1;
            assert_clean(&fr, n, e.outer);
            for flag in TCP_ANALYSIS {
                assert!(!fr.has(n, flag), "{what}: frame {n}: {flag}");
            }
            check_vxlan(&fr, n, &e);
            per_flow[flow].push((n, from_client));
        }
        let streams = tcp_streams(&fr, false);
        let stream_of = |frames: &[(usize, bool)]| -> &Stream {
            let n = frames[0].0;
            let id = fr.num(n, "tcp.stream").unwrap_or_else(|| panic!("{what}: frame {n}: not TCP"));
            let s = &streams[&id];
            let mine: Vec<usize> = frames.iter().map(|f| f.0).collect();
            let theirs: Vec<usize> = s.frames.iter().map(|f| f.0).collect();
            assert_eq!(theirs, mine, "{what}: tcp.stream {id} holds exactly the flow's frames");
            let dirs: Vec<bool> = s.frames.iter().map(|f| f.1).collect();
            assert_eq!(dirs, frames.iter().map(|f| f.1).collect::<Vec<_>>(), "{what}: stream {id}: senders");
            s
        };
        for (flow, plan) in p.plans.iter().enumerate() {
            let frames = &per_flow[flow];
            let w = format!("{what} flow {flow}");
            match plan {
                Plan::Web(facts) => {
                    let s = stream_of(frames);
                    check_stream_shape(&w, flow as u64, s);
                    check_web(&w, s, facts);
                }
                Plan::Dns(lookup) => {
                    let got: Vec<Datagram> = frames.iter().map(|&(n, _)| datagram(&fr, n)).collect();
                    assert_eq!(
                        got,
                        expected_dns(lookup, frames),
                        "{w}: DNS frames of {:?} ({:?})",
                        lookup.name,
                        lookup.kind
                    );
                }
                Plan::Ping(ping) => {
                    let got: Vec<Datagram> = frames.iter().map(|&(n, _)| datagram(&fr, n)).collect();
                    assert_eq!(
                        got,
                        expected_ping(ping, frames),
                        "{w}: ICMP frames of the ping to {}",
                        ping.remote
                    );
                }
            }
        }
    }
}

/// A web flow shows what its builder reported.
fn check_web(what: &str, s: &Stream, facts: &WebFacts) {
    match (facts.tls, facts.sni) {
        (Some(v), Some(sni)) => {
            assert_eq!(s.client_types, types(v, Side::Client), "{what}: client tls.handshake.type ({v:?})");
            assert_eq!(s.server_types, types(v, Side::Server), "{what}: server tls.handshake.type ({v:?})");
            assert_eq!(s.snis, [(sni.to_string(), true)], "{what}: tls.handshake.extensions_server_name");
            assert_eq!(s.alpn, ["h2", "http/1.1"], "{what}: tls.handshake.extensions_alpn_str");
            assert_eq!(s.client_versions, offered_versions(v), "{what}: client supported_versions");
            assert_eq!(s.server_versions, selected_versions(v), "{what}: server supported_version");
        }
        _ => {
            assert!(s.client_types.is_empty() && s.server_types.is_empty(), "{what}: TLS in an HTTP flow");
            assert!(s.snis.is_empty(), "{what}: SNI in an HTTP flow");
        }
    }
    let want: Vec<(String, String)> =
        facts.requests.iter().map(|(m, u)| (m.to_string(), u.to_string())).collect();
    assert_eq!(s.requests, want, "{what}: http.request.method / http.request.uri in order");
    assert_eq!(s.request_from_server, 0, "{what}: requests come from the client");
    let codes: Vec<u64> = facts.statuses.iter().map(|&c| u64::from(c)).collect();
    assert_eq!(s.codes, codes, "{what}: http.response.code in order");
    assert_eq!(s.code_from_client, 0, "{what}: responses come from the server");
    assert!(s.servers.iter().all(|v| v == http::SERVER), "{what}: http.server {:?}", s.servers);
}

fn datagram(fr: &Frames, n: usize) -> Datagram {
    let num = |f: &str| fr.num(n, f).unwrap_or_else(|| panic!("{}: frame {n}: {f} absent", fr.what));
    if let Some(name) = fr.last(n, "dns.qry.name") {
        let (id, name, qtype) = (num("dns.id"), name.to_string(), num("dns.qry.type"));
        return if fr.flag(n, "dns.flags.response") {
            Datagram::Response {
                id,
                name,
                qtype,
                rcode: num("dns.flags.rcode"),
                to_query: num("dns.response_to") as usize,
            }
        } else {
            Datagram::Query { id, name, qtype }
        };
    }
    let (ty, ident, seq, resp) = if fr.has(n, "icmp.type") {
        ("icmp.type", "icmp.ident", "icmp.seq", "icmp.resp_to")
    } else {
        ("icmpv6.type", "icmpv6.echo.identifier", "icmpv6.echo.sequence_number", "icmpv6.resp_to")
    };
    let request = matches!(num(ty), 8 | 128);
    Datagram::Echo {
        request,
        ident: num(ident),
        seq: num(seq),
        to_request: fr.num(n, resp).map(|r| r as usize),
    }
}

/// A lookup's datagrams in time order (a query before its response at the
/// same instant), with the frame numbers they were written at.
fn expected_dns(lookup: &DnsLookup, frames: &[(usize, bool)]) -> Vec<Datagram> {
    let mut events: Vec<(u64, usize, bool)> = Vec::new();
    for (i, ex) in lookup.exchanges.iter().enumerate() {
        events.push((ex.query_ns, i, false));
        events.push((ex.response_ns, i, true));
    }
    events.sort_by_key(|&(t, _, _)| t);
    assert_eq!(frames.len(), events.len(), "frames of the lookup of {}: two per exchange", lookup.name);
    let mut query_frame = HashMap::new();
    events
        .iter()
        .zip(frames)
        .map(|(&(_, i, response), &(n, _))| {
            let ex = &lookup.exchanges[i];
            let (id, name, qtype) = (u64::from(ex.id), ex.name.clone(), u64::from(ex.qtype.code()));
            if response {
                let to_query = query_frame.get(&i).copied().unwrap_or(0);
                Datagram::Response { id, name, qtype, rcode: u64::from(ex.rcode), to_query }
            } else {
                query_frame.insert(i, n);
                Datagram::Query { id, name, qtype }
            }
        })
        .collect()
}

/// A ping's echoes in time order.
fn expected_ping(ping: &Ping, frames: &[(usize, bool)]) -> Vec<Datagram> {
    let mut events: Vec<(u64, u16, bool)> = Vec::new();
    for e in &ping.echoes {
        events.push((e.request_ns, e.seq, true));
        events.push((e.reply_ns, e.seq, false));
    }
    events.sort_by_key(|&(t, _, _)| t);
    assert_eq!(frames.len(), events.len(), "frames of the ping to {}: two per echo", ping.remote);
    let mut request_frame = HashMap::new();
    events
        .iter()
        .zip(frames)
        .map(|(&(_, seq, request), &(n, _))| {
            if request {
                request_frame.insert(seq, n);
            }
            Datagram::Echo {
                request,
                ident: u64::from(ping.ident),
                seq: u64::from(seq),
                to_request: if request { None } else { request_frame.get(&seq).copied() },
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// 3. TCP analysis under reordering and loss.

/// Frames holding TCP payload that reached the capture after a segment of the
/// same direction of the same connection with a higher sequence number: what
/// tshark must call out-of-order.
fn overtaken(fr: &Frames) -> BTreeSet<usize> {
    let mut highest: HashMap<(u64, u64), u32> = HashMap::new();
    let mut out = BTreeSet::new();
    for n in fr.numbers() {
        let Some(dir) = fr.tcp_dir(n) else { continue };
        let len = fr.num(n, "tcp.len").unwrap_or(0) as u32;
        if len == 0 || fr.flag(n, "tcp.flags.syn") {
            continue;
        }
        let seq = fr.num(n, "tcp.seq_raw").expect("tcp.seq_raw") as u32;
        let end = seq.wrapping_add(len);
        match highest.get(&dir) {
            Some(&h) if (h.wrapping_sub(seq) as i32) > 0 => {
                out.insert(n);
            }
            _ => {}
        }
        let h = highest.entry(dir).or_insert(end);
        if (end.wrapping_sub(*h) as i32) > 0 {
            *h = end;
        }
    }
    out
}

/// The frames tshark set `flag` on.
fn flagged(fr: &Frames, flags: &[&str]) -> BTreeSet<usize> {
    fr.numbers().filter(|&n| fr.any(n, flags)).collect()
}

/// Every frame tshark found a segment missing before is followed, in the
/// same direction of the same connection, by a frame `fills` accepts that
/// carries bytes from before it.
fn check_gaps_filled(fr: &Frames, fills: impl Fn(usize) -> bool) {
    for n in flagged(fr, &["tcp.analysis.lost_segment"]) {
        let dir = fr.tcp_dir(n);
        let seq = fr.num(n, "tcp.seq_raw").expect("tcp.seq_raw") as u32;
        let filled = (n + 1..=fr.count()).any(|m| {
            fr.tcp_dir(m) == dir
                && fr.num(m, "tcp.len").unwrap_or(0) > 0
                && ((seq.wrapping_sub(fr.num(m, "tcp.seq_raw").unwrap_or(0) as u32)) as i32) > 0
                && fills(m)
        });
        assert!(
            filled,
            "{}: frame {n}: tcp.analysis.lost_segment, and no later frame fills the gap",
            fr.what
        );
    }
}

/// `(stream, source port, seq, ack, len)` of every TCP segment.
fn segments(fr: &Frames) -> BTreeMap<(u64, u64, u64, u64, u64), usize> {
    let mut out = BTreeMap::new();
    for n in fr.numbers() {
        let Some((stream, port)) = fr.tcp_dir(n) else { continue };
        let key = (
            stream,
            port,
            fr.num(n, "tcp.seq_raw").expect("seq"),
            fr.num(n, "tcp.ack_raw").unwrap_or(0),
            fr.num(n, "tcp.len").unwrap_or(0),
        );
        *out.entry(key).or_default() += 1;
    }
    out
}

#[test]
fn reordering_changes_capture_order_only_and_tshark_sees_it_where_asked() {
    if !common::require_tool("tshark") {
        return;
    }
    for (scenario, seed) in [("https-outbound", 4), ("seed-http-inbound", 5), ("mixed", 6)] {
        let what = format!("{scenario} seed {seed} --reorder {REORDER}");
        let plain = generate(scenario, seed, TCP_FLOWS, 0.0, 0.0);
        let reordered = generate(scenario, seed, TCP_FLOWS, REORDER, 0.0);
        assert!(reordered.stats.reordered > 0, "{what}: Stats::reordered");
        assert_eq!(reordered.stats.copies, plain.stats.copies, "{what}: copies");

        // The same copies, byte for byte; only delayed ones arrive later, by
        // the delay their comment gives.
        let p = read_pcapng(&std::fs::read(&plain.path).unwrap());
        let r = read_pcapng(&std::fs::read(&reordered.path).unwrap());
        assert_eq!(p.len(), r.len(), "{what}: frames");
        let mut by_bytes: HashMap<&[u8], &NgPacket> = HashMap::new();
        for pk in &p {
            assert!(
                by_bytes.insert(&pk.data, pk).is_none(),
                "{what}: two identical copies in the plain capture"
            );
        }
        let mut delayed = 0u64;
        let mut prev_ts = 0;
        for (i, rk) in r.iter().enumerate() {
            let n = i + 1;
            assert!(rk.ts_ns >= prev_ts, "{what}: frame {n}: capture order is arrival order");
            prev_ts = rk.ts_ns;
            let pk = by_bytes
                .get(rk.data.as_slice())
                .unwrap_or_else(|| panic!("{what}: frame {n}: a copy the plain run lacks"));
            let (pc, rc) = (pk.comment.as_deref().unwrap_or(""), rk.comment.as_deref().unwrap_or(""));
            let delay = rk
                .ts_ns
                .checked_sub(pk.ts_ns)
                .unwrap_or_else(|| panic!("{what}: frame {n}: arrives earlier"));
            match rc.strip_prefix(pc).and_then(|rest| rest.strip_prefix("; delayed ")) {
                Some(rest) => {
                    delayed += 1;
                    let us: u64 = rest
                        .strip_suffix(" us in the mirror path (reordered)")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or_else(|| panic!("{what}: frame {n}: comment {rc:?}"));
                    assert!(
                        delay > 0 && delay / 1000 == us,
                        "{what}: frame {n}: delayed {delay} ns, comment {us} us"
                    );
                    // Only copies of TCP data segments are delayed.
                    let c = parse_comment(n, pc);
                    let data = c.protocol == "tcp"
                        && !empty_segment_labels().contains(&c.label.as_str())
                        && c.label != Event::TcpRetransmission.label();
                    assert!(data, "{what}: frame {n}: a copy other than TCP data delayed: {rc:?}");
                }
                None => {
                    assert_eq!(rc, pc, "{what}: frame {n}: comment of a copy not delayed");
                    assert_eq!(delay, 0, "{what}: frame {n}: a copy not delayed moved");
                }
            }
        }
        assert_eq!(delayed, reordered.stats.reordered, "{what}: delayed comments vs Stats::reordered");

        // tshark: out-of-order exactly where a delayed copy fell behind a
        // later segment; nothing else but the gaps those leave; checksums good.
        let fr = Frames::with(&reordered.path, what.clone(), OUT_OF_ORDER_PREFS);
        let ooo = flagged(&fr, &["tcp.analysis.out_of_order"]);
        assert!(!ooo.is_empty(), "{what}: tshark found no out-of-order segment");
        for &n in &ooo {
            let comment = fr.last(n, "frame.comment").unwrap_or("");
            assert!(
                comment.contains("(reordered)"),
                "{what}: frame {n}: tcp.analysis.out_of_order on a copy not delayed: frame.comment {comment:?}"
            );
        }
        assert_eq!(ooo, overtaken(&fr), "{what}: out-of-order frames vs copies overtaken by later segments");
        for n in fr.numbers() {
            assert!(!fr.has(n, "_ws.malformed"), "{what}: frame {n}: _ws.malformed");
            assert_checksums(&fr, n, 1);
            for flag in
                ["tcp.analysis.duplicate_ack", "tcp.analysis.ack_lost_segment"].iter().chain(RETRANSMITTED)
            {
                assert!(!fr.has(n, flag), "{what}: frame {n}: {flag}");
            }
            if fr.expert(n).iter().any(|(_, s)| *s >= SEVERITY_WARN) {
                assert!(
                    fr.any(n, &["tcp.analysis.out_of_order", "tcp.analysis.lost_segment"]),
                    "{what}: frame {n}: expert warning {:?}",
                    fr.expert(n)
                );
            }
        }
        check_gaps_filled(&fr, |m| fr.comment(m).delayed);
        let fp = Frames::of(&plain.path, format!("{scenario} seed {seed}"));
        assert_eq!(segments(&fr), segments(&fp), "{what}: (stream, port, seq, ack, len) of the segments");
    }
}

#[test]
fn lost_segments_are_retransmitted_where_the_comments_say() {
    if !common::require_tool("tshark") {
        return;
    }
    let retransmission = Event::TcpRetransmission.label();
    for (scenario, seed) in [("https-outbound", 3), ("http-inbound", 7), ("seed-https-outbound", 8)] {
        let what = format!("{scenario} seed {seed} --loss {LOSS}");
        let cap = generate(scenario, seed, TCP_FLOWS, 0.0, LOSS);
        let fr = Frames::with(&cap.path, what.clone(), OUT_OF_ORDER_PREFS);
        let resent = flagged(&fr, RETRANSMITTED);
        assert!(!resent.is_empty(), "{what}: tshark found no retransmission");
        // A copy below the highest sequence number seen without reordering is
        // one sent again: tshark calls it a retransmission or, soon after the
        // gap, out-of-order.
        for n in flagged(&fr, &[RETRANSMITTED, &["tcp.analysis.out_of_order"]].concat()) {
            assert_eq!(
                fr.comment(n).label,
                retransmission,
                "{what}: frame {n}: flagged resent, comment label"
            );
        }
        for n in fr.numbers() {
            let c = fr.comment(n);
            assert!(!c.delayed, "{what}: frame {n}: delayed without --reorder");
            // The instance's own retransmissions follow an original the capture holds.
            if c.label == retransmission && c.direction == "egress" {
                assert!(
                    fr.any(n, RETRANSMITTED),
                    "{what}: frame {n}: egress retransmission not flagged by tshark"
                );
            }
            if fr.has(n, "tcp.analysis.duplicate_ack") {
                assert_eq!(
                    c.label,
                    Event::TcpDupAck.label(),
                    "{what}: frame {n}: tcp.analysis.duplicate_ack, comment label"
                );
            }
            assert!(!fr.has(n, "_ws.malformed"), "{what}: frame {n}: _ws.malformed");
            assert_checksums(&fr, n, 1);
            assert!(
                !fr.has(n, "tcp.analysis.ack_lost_segment"),
                "{what}: frame {n}: ACK of a segment never sent"
            );
            if fr.expert(n).iter().any(|(_, s)| *s >= SEVERITY_WARN) {
                assert!(
                    fr.any(n, &["tcp.analysis.out_of_order", "tcp.analysis.lost_segment"]),
                    "{what}: frame {n}: expert warning {:?}",
                    fr.expert(n)
                );
            }
        }
        // A gap in the capture is a segment lost before the instance saw it;
        // its retransmission fills it.
        check_gaps_filled(&fr, |m| fr.comment(m).label == retransmission);

        // A retransmission whose original the capture holds (the instance's
        // own, lost after its interface) repeats the original's bytes.
        let packets = read_pcapng(&std::fs::read(&cap.path).expect("reading the capture"));
        assert_eq!(packets.len(), fr.count(), "{what}: pcapng packets vs tshark rows");
        let mut originals: HashMap<((u64, u64), u64), usize> = HashMap::new();
        let mut compared = 0;
        for n in fr.numbers() {
            let (Some(dir), Some(seq)) = (fr.tcp_dir(n), fr.num(n, "tcp.seq_raw")) else { continue };
            if fr.num(n, "tcp.len").unwrap_or(0) == 0 {
                continue;
            }
            let (got_seq, payload) = tcp_payload(&packets[n - 1].data);
            assert_eq!(u64::from(got_seq), seq, "{what}: frame {n}: tcp.seq_raw vs the bytes");
            if fr.comment(n).label != retransmission {
                originals.entry((dir, seq)).or_insert(n);
            } else if let Some(&o) = originals.get(&(dir, seq)) {
                compared += 1;
                assert!(
                    payload == tcp_payload(&packets[o - 1].data).1,
                    "{what}: frame {n}: payload differs from frame {o}'s"
                );
            }
        }
        assert!(compared > 0, "{what}: no retransmission of a captured segment");
    }
}

/// The sequence number and payload of the TCP segment in a whole VXLAN copy
/// (ENI or NLB target).
fn tcp_payload(frame: &[u8]) -> (u32, &[u8]) {
    let be16 = |at: usize| usize::from(u16::from_be_bytes([frame[at], frame[at + 1]]));
    let l3 = VXLAN_OVERHEAD + 14;
    let (l4, end) = match EtherType(be16(l3 - 2) as u16) {
        EtherType::IPV4 => (l3 + usize::from(frame[l3] & 0x0f) * 4, l3 + be16(l3 + 2)),
        EtherType::IPV6 => (l3 + 40, l3 + 40 + be16(l3 + 4)),
        t => panic!("inner ethertype {t:?}"),
    };
    let seq = u32::from_be_bytes(frame[l4 + 4..l4 + 8].try_into().unwrap());
    (seq, &frame[l4 + usize::from(frame[l4 + 12] >> 4) * 4..end])
}

/// RFC 5681 section 2: a duplicate acknowledgment carries the same
/// acknowledgment number as the previous one of its direction. Every frame
/// the generator labels "TCP duplicate ACK" must be one (and tshark must
/// flag it).
///
/// Fails with src/traffic/tcp.rs as of this writing: in `send_message`, the
/// first ACK sent after a lost segment is labelled `Event::TcpDupAck`, but
/// when in-order segments before the loss were still waiting for a delayed
/// ACK it acknowledges them, so its acknowledgment number advances: it is an
/// ordinary ACK with SACK blocks, not a duplicate (and fast retransmit then
/// counts it among the three duplicates, RFC 5681 section 3.2).
#[test]
fn frames_labelled_duplicate_ack_repeat_the_previous_ack() {
    if !common::require_tool("tshark") {
        return;
    }
    let mut labelled = 0;
    for (scenario, seed) in [("https-outbound", 3), ("http-inbound", 7)] {
        let what = format!("{scenario} seed {seed} --loss {LOSS}");
        let cap = generate(scenario, seed, TCP_FLOWS, 0.0, LOSS);
        let fr = Frames::of(&cap.path, what.clone());
        let mut last_ack: HashMap<(u64, u64), (usize, u64)> = HashMap::new();
        let mut wrong = Vec::new();
        for n in fr.numbers() {
            let Some(dir) = fr.tcp_dir(n) else { continue };
            let ack = fr.num(n, "tcp.ack_raw").unwrap_or(0);
            if fr.comment(n).label == Event::TcpDupAck.label() {
                labelled += 1;
                let prev = last_ack.get(&dir).copied();
                if prev.map(|p| p.1) != Some(ack) || !fr.has(n, "tcp.analysis.duplicate_ack") {
                    wrong.push(format!(
                        "frame {n}: tcp.ack_raw {ack}, previous ACK of its direction {prev:?} (frame, ack)"
                    ));
                }
            }
            last_ack.insert(dir, (n, ack));
        }
        assert!(
            wrong.is_empty(),
            "{what}: labelled \"TCP duplicate ACK\" but not one:\n{}",
            wrong.join("\n")
        );
    }
    assert!(labelled > 0, "no duplicate ACK labelled at all");
}

// ---------------------------------------------------------------------------
// 4. The seed presets and the scenario list, through the command line.

/// A `vxgen generate` run into a temporary directory.
struct CliRun {
    path: PathBuf,
    vni: u32,
    _dir: tempfile::TempDir,
}

fn vxgen_generate(args: &[&str]) -> CliRun {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("capture.pcapng");
    let mut all: Vec<String> = vec!["generate".into()];
    all.extend(args.iter().map(|a| a.to_string()));
    all.extend(["-o".into(), path.to_string_lossy().into_owned()]);
    let out = vxgen(&all);
    let stderr = stderr_of(&out);
    assert!(out.status.success(), "vxgen {all:?} failed ({}): {stderr}", out.status);
    let vni = summary_vni(&stderr).unwrap_or_else(|| panic!("no `(VNI N)` in the summary: {stderr}"));
    CliRun { path, vni, _dir: dir }
}

/// `(A, B, frame)`: a handshake segment (`frame`) of TCP stream B lies between
/// two data segments of stream A, both streams between the same two hosts.
fn interleaved_handshakes(fr: &Frames) -> Vec<(u64, u64, usize)> {
    let handshake = [Event::TcpSyn.label(), Event::TcpSynAck.label(), Event::TcpHandshakeAck.label()];
    let mut pairs: BTreeMap<u64, BTreeSet<IpAddr>> = BTreeMap::new();
    let mut data: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    let mut shakes: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for n in fr.numbers() {
        let Some(id) = fr.num(n, "tcp.stream") else { continue };
        let (a, b) = fr.inner_addrs(n);
        pairs.insert(id, BTreeSet::from([a, b]));
        if fr.num(n, "tcp.len").unwrap_or(0) > 0 {
            data.entry(id).or_default().push(n);
        }
        if handshake.contains(&fr.comment(n).label.as_str()) {
            shakes.entry(id).or_default().push(n);
        }
    }
    let mut out = Vec::new();
    for (&a, frames) in &data {
        let (first, last) = (frames[0], frames[frames.len() - 1]);
        for (&b, hs) in &shakes {
            if a != b && pairs[&a] == pairs[&b] {
                out.extend(hs.iter().filter(|&&h| first < h && h < last).map(|&h| (a, b, h)));
            }
        }
    }
    out
}

#[test]
fn seed_presets_use_vni_9999999_and_interleave_handshakes() {
    if !common::require_tool("tshark") {
        return;
    }
    for name in ["seed-https-outbound", "seed-http-inbound"] {
        let info = SCENARIOS.iter().find(|s| s.name == name).expect("a listed preset");
        let preset = info.vni.expect("a preset names its VNI");
        assert_eq!(preset, 9_999_999, "{name}: the seed article's VNI");
        for seed in [1, 2] {
            let what = format!("vxgen --scenario {name} --seed {seed}");
            let run = vxgen_generate(&["--scenario", name, "--seed", &seed.to_string(), "--count", "30"]);
            assert_eq!(run.vni, preset, "{what}: VNI in the summary");
            let fr = Frames::of(&run.path, what.clone());
            let mut seen = Seen::default();
            check_capture(&fr, &Expect::new(name, preset), &mut seen);
            let found = interleaved_handshakes(&fr);
            assert!(!found.is_empty(), "{what}: no handshake between two data segments of another stream");
            // The seed article's pattern: all three handshake segments of a
            // connection among the segments of another between the same hosts.
            let mut per_pair: BTreeMap<(u64, u64), usize> = BTreeMap::new();
            for &(a, b, _) in &found {
                *per_pair.entry((a, b)).or_default() += 1;
            }
            assert!(
                per_pair.values().any(|&n| n == 3),
                "{what}: no connection whose SYN, SYN-ACK and ACK all lie among another's data: {per_pair:?}"
            );
        }
        // An explicit --vni wins over the preset's.
        let run = vxgen_generate(&["--scenario", name, "--count", "3", "--vni", "77"]);
        assert_eq!(run.vni, 77, "{name} --vni 77: summary");
        let fr = Frames::of(&run.path, format!("{name} --vni 77"));
        for n in fr.numbers() {
            assert_eq!(fr.num(n, "vxlan.vni"), Some(77), "{name} --vni 77: frame {n}: vxlan.vni");
        }
    }
}

#[test]
fn scenarios_command_lists_every_scenario() {
    let out = vxgen(&["scenarios"]);
    assert!(out.status.success(), "vxgen scenarios failed: {}", stderr_of(&out));
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), SCENARIOS.len(), "one line per scenario:\n{text}");
    for (line, info) in lines.iter().zip(SCENARIOS) {
        let (name, summary) = line.split_once(' ').unwrap_or((line, ""));
        assert_eq!(name, info.name, "vxgen scenarios: line {line:?}");
        assert_eq!(summary.trim(), info.summary, "vxgen scenarios: summary of {}", info.name);
    }
    for required in
        ["https-outbound", "http-inbound", "dns", "ping", "mixed", "seed-https-outbound", "seed-http-inbound"]
    {
        assert!(SCENARIOS.iter().any(|s| s.name == required), "scenario {required} missing");
    }
}

// ---------------------------------------------------------------------------
// 5. Scenarios with the mirror options.

#[test]
fn scenarios_compose_with_gbp() {
    if !common::require_tool("tshark") {
        return;
    }
    for (scenario, flags, gbp) in [
        ("https-outbound", "d,a", GbpOpt { policy_id: 4660, dont_learn: true, policy_applied: true }),
        ("http-inbound", "a", GbpOpt { policy_id: 65535, dont_learn: false, policy_applied: true }),
        ("dns", "", GbpOpt { policy_id: 1, dont_learn: false, policy_applied: false }),
    ] {
        let id = gbp.policy_id.to_string();
        let mut args = vec!["--scenario", scenario, "--seed", "9", "--count", "20", "--vni", "123456"];
        args.extend(["--gbp-policy-id", &id]);
        if !flags.is_empty() {
            args.extend(["--gbp-flags", flags]);
        }
        let what = format!("vxgen {args:?}");
        let run = vxgen_generate(&args);
        let fr = Frames::of(&run.path, what);
        let e = Expect { gbp: Some(gbp), ..Expect::new(scenario, 123_456) };
        check_capture(&fr, &e, &mut Seen::default());
    }
}

#[test]
fn scenarios_compose_with_gwlb_and_nlb_targets() {
    if !common::require_tool("tshark") {
        return;
    }
    // GWLB: GENEVE around the VXLAN copy; PacketLength 8500 by default cuts nothing here.
    let args = ["--scenario", "seed-https-outbound", "--seed", "4", "--count", "20", "--target", "gwlb"];
    let run = vxgen_generate(&args);
    assert_eq!(run.vni, 9_999_999, "gwlb: preset VNI");
    let fr = Frames::of(&run.path, format!("vxgen {args:?}"));
    let overhead = VXLAN_OVERHEAD + ipv4::HEADER_LEN + udp::HEADER_LEN + geneve_len();
    let e = Expect { outer: 2, overhead, ..Expect::new("seed-https-outbound", 9_999_999) };
    for n in fr.numbers() {
        assert!(
            fr.inner_claimed_len(n) <= MAX_PACKET_LENGTH as usize,
            "{}: frame {n}: inner frame over 8500",
            fr.what
        );
    }
    check_capture(&fr, &e, &mut Seen::default());

    // NLB with reordering, as AWS warns NLB targets may see copies.
    let args = [
        "--scenario",
        "http-inbound",
        "--seed",
        "4",
        "--count",
        "30",
        "--target",
        "nlb",
        "--reorder",
        "0.05",
    ];
    let run = vxgen_generate(&args);
    let what = format!("vxgen {args:?}");
    let fr = Frames::with(&run.path, what.clone(), OUT_OF_ORDER_PREFS);
    let ooo = flagged(&fr, &["tcp.analysis.out_of_order"]);
    assert!(!ooo.is_empty(), "{what}: tshark found no out-of-order segment");
    assert_eq!(ooo, overtaken(&fr), "{what}: out-of-order frames vs copies overtaken");
    for n in fr.numbers() {
        let c = fr.comment(n);
        assert_eq!(c.kind.as_deref(), Some("http-inbound"), "{what}: frame {n}: comment kind");
        assert!(c.truncation.is_none(), "{what}: frame {n}: truncated");
        assert!(!ooo.contains(&n) || c.delayed, "{what}: frame {n}: out-of-order but not delayed");
        assert!(
            !fr.any(n, RETRANSMITTED) && !fr.has(n, "tcp.analysis.duplicate_ack"),
            "{what}: frame {n}: retransmission / dup ACK"
        );
        assert_checksums(&fr, n, 1);
    }
}

/// A truncated run: every frame whose inner frame exceeds `kept` bytes is cut
/// to exactly `kept` and says why; every other frame is whole and clean.
fn check_truncation(fr: &Frames, scenario: &str, kept: usize, why: Truncation) {
    let what = &fr.what;
    let (mut cut, mut whole) = (0, 0);
    for n in fr.numbers() {
        let c = fr.comment(n);
        assert_eq!(c.kind.as_deref(), Some(scenario), "{what}: frame {n}: comment kind");
        let inner = fr.inner_claimed_len(n);
        let len = fr.num(n, "frame.len").expect("frame.len") as usize;
        assert_eq!(fr.num(n, "frame.cap_len"), Some(len as u64), "{what}: frame {n}: frame.cap_len");
        if inner > kept {
            cut += 1;
            assert_eq!(len, VXLAN_OVERHEAD + kept, "{what}: frame {n}: frame.len of a copy cut to {kept}");
            assert_eq!(c.truncation, Some((why, inner)), "{what}: frame {n}: comment truncation");
        } else {
            whole += 1;
            assert_eq!(len, VXLAN_OVERHEAD + inner, "{what}: frame {n}: frame.len of a whole copy");
            assert_eq!(c.truncation, None, "{what}: frame {n}: comment truncation");
            // A whole copy after a cut one of the same connection may make tshark
            // note missing bytes; nothing else.
            assert!(!fr.has(n, "_ws.malformed"), "{what}: frame {n}: _ws.malformed");
            assert_checksums(fr, n, 1);
        }
        assert_eq!(fr.num(n, "vxlan.vni"), Some(u64::from(c.vni)), "{what}: frame {n}: vxlan.vni");
    }
    assert!(cut > 0 && whole > 0, "{what}: {cut} copies cut, {whole} whole");
}

#[test]
fn scenarios_compose_with_packet_length_and_mtu() {
    if !common::require_tool("tshark") {
        return;
    }
    let args = ["--scenario", "http-inbound", "--seed", "6", "--count", "20", "--packet-length", "200"];
    let run = vxgen_generate(&args);
    let fr = Frames::of(&run.path, format!("vxgen {args:?}"));
    check_truncation(&fr, "http-inbound", 200, Truncation::PacketLength(200));

    let args = ["--scenario", "https-outbound", "--seed", "6", "--count", "20", "--target-mtu", "1000"];
    let run = vxgen_generate(&args);
    let fr = Frames::of(&run.path, format!("vxgen {args:?}"));
    check_truncation(&fr, "https-outbound", 1000 - VXLAN_IP_OVERHEAD, Truncation::Mtu(1000));
    // The SNI sits in the first segment of the client, far below the cut.
    for (id, s) in tcp_streams(&fr, true) {
        assert_eq!(s.snis.len(), 1, "{}: stream {id}: SNI of a truncated capture", fr.what);
        assert!(HTTPS_SITES.contains(&s.snis[0].0.as_str()), "{}: stream {id}: SNI", fr.what);
    }
}
