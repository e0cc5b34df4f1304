//! Cross-checks `generator::traffic::dns` and `generator::traffic::icmp` with
//! tshark: the inner frames of DNS lookups and pings, written straight to a
//! classic pcap (no VXLAN), must dissect with every checksum good, no expert
//! warning or error, the DNS questions, answers and RCODEs that were planned,
//! every response matched to its query, and every echo reply matched to its
//! request.
//!
//! Skipped with a `SKIP:` line when tshark is missing, failed instead when
//! `CI=true` (see `tests/common/mod.rs`).

mod common;

use generator::capture::{CaptureWriter, Format, Record};
use generator::traffic::app::dns::QType;
use generator::traffic::dns::{DnsExchange, DnsLookup, LookupKind};
use generator::traffic::icmp::{Echo, Ping, ECHO_DATA_LEN};
use generator::traffic::{Host, PacketList, TrafficSource};
use generator::wire::EthernetAddress;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::{HashMap, HashSet};
use std::net::Ipv4Addr;

/// 2024-01-15T09:00:00Z, where vxgen's captures start.
const T0: u64 = 1_705_309_200_000_000_000;

/// tshark's expert severity "warning" (`PI_WARN`); "error" is above it.
const SEVERITY_WARN: u64 = 0x0060_0000;

const FIELDS: &[&str] = &[
    "frame.number",
    "_ws.expert.message",
    "_ws.expert.severity",
    "_ws.malformed",
    "ip.checksum.status",
    "udp.checksum.status",
    "icmp.checksum.status",
    "icmpv6.checksum.status",
    "dns.id",
    "dns.flags.response",
    "dns.qry.name",
    "dns.qry.type",
    "dns.flags.rcode",
    "dns.a",
    "dns.aaaa",
    "dns.cname",
    "dns.count.answers",
    "dns.count.auth_rr",
    "dns.response_to",
    "icmp.type",
    "icmp.ident",
    "icmp.seq",
    "icmp.resp_to",
    "icmp.data_time_relative",
    "icmpv6.type",
    "icmpv6.echo.identifier",
    "icmpv6.echo.sequence_number",
    "icmpv6.resp_to",
    "data.len",
];

const PREFS: &[&str] = &["ip.check_checksum:TRUE", "udp.check_checksum:TRUE"];

fn host() -> Host {
    Host {
        mac: EthernetAddress([0x02, 0x4f, 0x1c, 0x7a, 0x90, 0x11]),
        ipv4: Ipv4Addr::new(172, 31, 81, 8),
        ipv6: "2001:db8:31:81::8".parse().unwrap(),
        router_mac: EthernetAddress([0x02, 0x1e, 0x6a, 0x55, 0x21, 0x01]),
        vpc_cidr: "172.31.0.0/16".parse().unwrap(),
    }
}

/// What frame `n` of the capture is meant to be.
#[derive(Debug, Clone, Copy)]
enum Expect {
    DnsQuery { lookup: usize, exchange: usize },
    DnsResponse { lookup: usize, exchange: usize },
    Echo { ping: usize, echo: usize, request: bool },
}

struct Capture {
    lookups: Vec<DnsLookup>,
    pings: Vec<Ping>,
    /// One entry per frame, in capture order (frame number = index + 1).
    frames: Vec<Expect>,
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

/// Appends the frames of `list` to the pcap and returns their bytes.
fn write_all(writer: &mut CaptureWriter<std::fs::File>, mut list: PacketList) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = Vec::new();
    while let Some(info) = list.next_frame(&mut buf) {
        writer.write(&Record::new(info.timestamp_ns, &buf)).expect("writing a record");
        // `next_frame` appends: take the frame and start afresh.
        out.push(std::mem::take(&mut buf));
    }
    out
}

/// Plans lookups of every kind and pings over both IP versions, one after
/// the other, and writes their frames to a pcap.
fn build() -> Capture {
    let h = host();
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("datagrams.pcap");
    let file = std::fs::File::create(&path).expect("creating the capture");
    let mut writer = CaptureWriter::new(file, Format::Pcap, 65535).expect("pcap header");

    let mut rng = ChaCha8Rng::seed_from_u64(0x0d25);
    let mut at = T0;
    let (mut lookups, mut pings, mut frames) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..48 {
        // Every kind at least three times, then as `plan` draws them.
        let lookup = match LookupKind::ALL.get(i / 3) {
            Some(&kind) => DnsLookup::plan_kind(&h, &mut rng, at, kind),
            None => DnsLookup::plan(&h, &mut rng, at),
        };
        at = lookup.end_ns() + 50_000_000;
        for bytes in write_all(&mut writer, lookup.packets(&h)) {
            // Ethernet 14 + IPv4 20 + UDP 8, then the DNS ID.
            let (id, port) = (u16::from_be_bytes([bytes[42], bytes[43]]), bytes_port(&bytes));
            let exchange = lookup
                .exchanges
                .iter()
                .position(|e| e.id == id && e.client_port == port)
                .expect("a frame of a planned exchange");
            let query = bytes[26..30] == h.ipv4.octets();
            let lookup = lookups.len();
            frames.push(if query {
                Expect::DnsQuery { lookup, exchange }
            } else {
                Expect::DnsResponse { lookup, exchange }
            });
        }
        lookups.push(lookup);
    }
    for i in 0..6 {
        let ping = Ping::plan(&mut rng, at, i % 2 == 1);
        at = ping.end_ns() + 50_000_000;
        let n = write_all(&mut writer, ping.packets(&h)).len();
        assert_eq!(n, 2 * ping.echoes.len());
        // Every reply arrives before the next request.
        frames.extend((0..n).map(|k| Expect::Echo { ping: pings.len(), echo: k / 2, request: k % 2 == 0 }));
        pings.push(ping);
    }
    writer.finish().expect("flushing the capture");
    Capture { lookups, pings, frames, _dir: dir, path }
}

/// The instance's UDP port in a DNS frame (source of a query, destination of
/// a response).
fn bytes_port(frame: &[u8]) -> u16 {
    let (src, dst) = (u16::from_be_bytes([frame[34], frame[35]]), u16::from_be_bytes([frame[36], frame[37]]));
    if src == 53 {
        dst
    } else {
        src
    }
}

fn is_true(v: &str) -> bool {
    matches!(v, "1" | "True" | "true")
}

fn joined<T: ToString>(items: impl IntoIterator<Item = T>) -> String {
    items.into_iter().map(|v| v.to_string()).collect::<Vec<_>>().join(",")
}

struct Row<'a> {
    n: usize,
    values: HashMap<&'static str, &'a str>,
}

impl Row<'_> {
    fn get(&self, field: &str) -> &str {
        self.values.get(field).copied().unwrap_or_else(|| panic!("field {field} not requested"))
    }

    fn eq(&self, field: &str, expected: impl ToString) {
        assert_eq!(self.get(field), expected.to_string(), "frame {}: {field}", self.n);
    }
}

fn check_dns(row: &Row<'_>, ex: &DnsExchange, query: bool, query_frame: usize) {
    row.eq("dns.id", format!("0x{:04x}", ex.id));
    row.eq("dns.qry.name", &ex.name);
    row.eq("dns.qry.type", ex.qtype.code());
    assert_eq!(is_true(row.get("dns.flags.response")), !query, "frame {}: dns.flags.response", row.n);
    if query {
        row.eq("dns.count.answers", 0);
        row.eq("dns.response_to", "");
        return;
    }
    row.eq("dns.flags.rcode", ex.rcode);
    row.eq("dns.a", joined(ex.a()));
    row.eq("dns.aaaa", joined(ex.aaaa()));
    row.eq("dns.cname", joined(ex.cnames()));
    row.eq("dns.count.answers", ex.answers.len());
    // NXDOMAIN and NODATA without a CNAME carry the zone's SOA in the authority section.
    row.eq("dns.count.auth_rr", u8::from(ex.answers.is_empty()));
    row.eq("dns.response_to", query_frame);
}

fn check_echo(row: &Row<'_>, ping: &Ping, echo: &Echo, request: bool, request_frame: usize) {
    let (ty, ident, seq, resp_to) = if ping.v6 {
        ("icmpv6.type", "icmpv6.echo.identifier", "icmpv6.echo.sequence_number", "icmpv6.resp_to")
    } else {
        ("icmp.type", "icmp.ident", "icmp.seq", "icmp.resp_to")
    };
    let ty_value = match (ping.v6, request) {
        (false, true) => 8,
        (false, false) => 0,
        (true, true) => 128,
        (true, false) => 129,
    };
    row.eq(ty, ty_value);
    // tshark shows the ICMPv6 identifier in hex, the ICMPv4 one in decimal.
    row.eq(ident, if ping.v6 { format!("0x{:04x}", ping.ident) } else { ping.ident.to_string() });
    row.eq(seq, echo.seq);
    row.eq(resp_to, if request { String::new() } else { request_frame.to_string() });
    if ping.v6 {
        row.eq("data.len", ECHO_DATA_LEN);
        return;
    }
    // The timeval at the start of the data: tshark shows how long before the
    // frame it was taken. Linux's is 16 bytes (64-bit tv_sec, tv_usec, little
    // endian). tshark 4.0 reads its first 8 bytes as a 32-bit pair and so
    // finds tv_sec and a tv_usec of 0 (the high half of tv_sec), then shows
    // 48 bytes of data; a reader of the whole 16-byte timeval finds the exact
    // time and 40 bytes of data. Either proves where tv_sec and tv_usec are.
    let frame_us = if request { echo.request_ns } else { echo.reply_ns } / 1_000;
    let field = row.get("icmp.data_time_relative");
    let rel: f64 =
        field.parse().unwrap_or_else(|_| panic!("frame {}: icmp.data_time_relative {field:?}", row.n));
    let exact = (frame_us - echo.stamp_us) as f64 / 1e6;
    let seconds_only = (frame_us - echo.stamp_us / 1_000_000 * 1_000_000) as f64 / 1e6;
    let data_len = if (rel - exact).abs() < 2e-6 {
        ECHO_DATA_LEN - 16
    } else if (rel - seconds_only).abs() < 2e-6 {
        ECHO_DATA_LEN - 8
    } else {
        panic!("frame {}: data time {rel} s before the frame, expected {exact} (or {seconds_only})", row.n)
    };
    row.eq("data.len", data_len);
}

#[test]
fn dns_and_ping_dissect_as_planned() {
    if !common::require_tool("tshark") {
        return;
    }
    let cap = build();
    let rows = common::tshark_fields(&cap.path, FIELDS, PREFS);
    assert_eq!(rows.len(), cap.frames.len(), "one row per frame written");

    // Frame number of each query / request, to check the matching.
    let mut query_frame = HashMap::new();
    let mut request_frame = HashMap::new();
    let mut seen_kinds = HashSet::new();
    let mut seen_resolvers = HashSet::new();
    for (i, (values, expect)) in rows.iter().zip(&cap.frames).enumerate() {
        let n = i + 1;
        let row = Row { n, values: FIELDS.iter().copied().zip(values.iter().map(String::as_str)).collect() };
        row.eq("frame.number", n);
        row.eq("_ws.malformed", "");
        let messages: Vec<&str> = row.get("_ws.expert.message").split(',').collect();
        for (k, severity) in row.get("_ws.expert.severity").split(',').filter(|s| !s.is_empty()).enumerate() {
            let severity = severity.parse::<u64>().unwrap_or_else(|_| panic!("severity {severity:?}"));
            assert!(
                severity < SEVERITY_WARN,
                "frame {n}: expert {:?} severity {severity:#x}",
                messages.get(k)
            );
        }
        row.eq(
            "ip.checksum.status",
            if matches!(expect, Expect::Echo { ping, .. } if cap.pings[*ping].v6) { "" } else { "1" },
        );
        match *expect {
            Expect::DnsQuery { lookup, exchange } | Expect::DnsResponse { lookup, exchange } => {
                let l = &cap.lookups[lookup];
                seen_kinds.insert(l.kind);
                seen_resolvers.insert(l.resolver);
                row.eq("udp.checksum.status", 1);
                let query = matches!(expect, Expect::DnsQuery { .. });
                if query {
                    query_frame.insert((lookup, exchange), n);
                }
                let qf = query_frame.get(&(lookup, exchange)).copied().expect("query before response");
                check_dns(&row, &l.exchanges[exchange], query, qf);
            }
            Expect::Echo { ping, echo, request } => {
                let p = &cap.pings[ping];
                row.eq(if p.v6 { "icmpv6.checksum.status" } else { "icmp.checksum.status" }, 1);
                if request {
                    request_frame.insert((ping, echo), n);
                }
                check_echo(&row, p, &p.echoes[echo], request, request_frame[&(ping, echo)]);
            }
        }
    }
    assert_eq!(seen_kinds.len(), 4, "every lookup kind was checked");
    assert_eq!(seen_resolvers.len(), 2, "both Amazon DNS server addresses were checked");
    let qtypes: HashSet<_> = cap.lookups.iter().flat_map(|l| l.exchanges.iter().map(|e| e.qtype)).collect();
    assert_eq!(qtypes, HashSet::from([QType::A, QType::Aaaa]));
}
