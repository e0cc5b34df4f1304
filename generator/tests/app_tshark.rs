//! Checks with the real tshark that the application-layer builders of
//! `generator::traffic::app` dissect cleanly: HTTP/1.1, TLS 1.2 and 1.3
//! handshakes, DNS over UDP.
//!
//! The TCP/IP and pcap framing here is written by hand (Ethernet II, IPv4
//! with header checksum, TCP/UDP with pseudo-header checksums, classic pcap)
//! so that this test depends on nothing but the `app` module.
//!
//! If tshark is missing the test prints `SKIP: tshark not installed` and
//! passes, unless `CI=true`, where it fails.

use generator::traffic::app::{dns, http, tls};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::process::Command;

// ---------------------------------------------------------------------------
// Tool check.

/// Whether `tool` runs; if not, prints SKIP (or panics under `CI=true`).
fn have_tool(tool: &str) -> bool {
    let ok = Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{tool} not installed, and CI=true: a skipped external check must fail CI");
        }
        println!("SKIP: {tool} not installed");
    }
    ok
}

// ---------------------------------------------------------------------------
// Hand-written framing.

const CLIENT_MAC: [u8; 6] = [0x02, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e];
const GATEWAY_MAC: [u8; 6] = [0x02, 0x99, 0x88, 0x77, 0x66, 0x55];
const CLIENT_IP: [u8; 4] = [10, 0, 1, 17];

/// RFC 1071 one's complement sum over `parts`, folded and complemented.
fn checksum(parts: &[&[u8]]) -> u16 {
    let mut sum: u32 = 0;
    for part in parts {
        let mut chunks = part.chunks_exact(2);
        for c in &mut chunks {
            sum += u32::from(u16::from_be_bytes([c[0], c[1]]));
        }
        if let [last] = chunks.remainder() {
            sum += u32::from(*last) << 8;
        }
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// A classic pcap file (24-byte global header, magic a1b2c3d4, linktype 1).
struct Pcap {
    bytes: Vec<u8>,
    usec: u64,
    ip_id: u16,
}

impl Pcap {
    fn new() -> Pcap {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        bytes.extend_from_slice(&2u16.to_le_bytes());
        bytes.extend_from_slice(&4u16.to_le_bytes());
        bytes.extend_from_slice(&0i32.to_le_bytes()); // thiszone
        bytes.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
        bytes.extend_from_slice(&65_535u32.to_le_bytes()); // snaplen
        bytes.extend_from_slice(&1u32.to_le_bytes()); // LINKTYPE_ETHERNET
        Pcap { bytes, usec: 1_700_000_000_000_000, ip_id: 0x4000 }
    }

    fn frame(&mut self, data: &[u8]) {
        self.usec += 250;
        self.bytes.extend_from_slice(&((self.usec / 1_000_000) as u32).to_le_bytes());
        self.bytes.extend_from_slice(&((self.usec % 1_000_000) as u32).to_le_bytes());
        self.bytes.extend_from_slice(&(data.len() as u32).to_le_bytes());
        self.bytes.extend_from_slice(&(data.len() as u32).to_le_bytes());
        self.bytes.extend_from_slice(data);
    }

    /// Ethernet II + IPv4 (no options, DF, TTL 64 or 255 for the resolver
    /// side) around an L4 segment whose checksum field is at `csum_at`.
    fn ipv4(&mut self, src: [u8; 4], dst: [u8; 4], proto: u8, mut l4: Vec<u8>, csum_at: usize) {
        let from_client = src == CLIENT_IP;
        let pseudo = [&src[..], &dst[..], &[0, proto], &(l4.len() as u16).to_be_bytes()].concat();
        let c = checksum(&[&pseudo, &l4]);
        let c = if proto == 17 && c == 0 { 0xffff } else { c };
        l4[csum_at..csum_at + 2].copy_from_slice(&c.to_be_bytes());

        let total = 20 + l4.len();
        assert!(total <= 65_535);
        self.ip_id = self.ip_id.wrapping_add(1);
        let mut ip = vec![0x45, 0x00];
        ip.extend_from_slice(&(total as u16).to_be_bytes());
        ip.extend_from_slice(&self.ip_id.to_be_bytes());
        ip.extend_from_slice(&[0x40, 0x00, if from_client { 64 } else { 255 }, proto, 0, 0]);
        ip.extend_from_slice(&src);
        ip.extend_from_slice(&dst);
        let c = checksum(&[&ip]);
        ip[10..12].copy_from_slice(&c.to_be_bytes());

        let (smac, dmac) = if from_client { (CLIENT_MAC, GATEWAY_MAC) } else { (GATEWAY_MAC, CLIENT_MAC) };
        let frame = [&dmac[..], &smac[..], &[0x08, 0x00], &ip, &l4].concat();
        self.frame(&frame);
    }

    fn udp(&mut self, src: ([u8; 4], u16), dst: ([u8; 4], u16), payload: &[u8]) {
        let mut l4 = Vec::with_capacity(8 + payload.len());
        l4.extend_from_slice(&src.1.to_be_bytes());
        l4.extend_from_slice(&dst.1.to_be_bytes());
        l4.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
        l4.extend_from_slice(&[0, 0]);
        l4.extend_from_slice(payload);
        self.ipv4(src.0, dst.0, 17, l4, 6);
    }
}

const SYN: u8 = 0x02;
const ACK: u8 = 0x10;
const PSH: u8 = 0x08;
const FIN: u8 = 0x01;
const MSS: usize = 1448;

/// One TCP connection between the client and a server, tracking sequence
/// numbers.
struct Tcp {
    client: ([u8; 4], u16),
    server: ([u8; 4], u16),
    client_next: u32,
    server_next: u32,
}

impl Tcp {
    /// Opens a connection with a three-way handshake.
    fn open(pcap: &mut Pcap, client_port: u16, server: ([u8; 4], u16)) -> Tcp {
        let mut t = Tcp {
            client: (CLIENT_IP, client_port),
            server,
            client_next: 0x1000_0000 ^ u32::from(client_port) << 8,
            server_next: 0x7000_0000 ^ u32::from(client_port),
        };
        t.segment(pcap, true, SYN, &[]);
        t.segment(pcap, false, SYN | ACK, &[]);
        t.segment(pcap, true, ACK, &[]);
        t
    }

    fn segment(&mut self, pcap: &mut Pcap, from_client: bool, flags: u8, payload: &[u8]) {
        let (src, dst, seq, ack) = if from_client {
            (self.client, self.server, self.client_next, self.server_next)
        } else {
            (self.server, self.client, self.server_next, self.client_next)
        };
        let syn = flags & SYN != 0;
        let hdr_len = if syn { 24 } else { 20 };
        let mut l4 = Vec::with_capacity(hdr_len + payload.len());
        l4.extend_from_slice(&src.1.to_be_bytes());
        l4.extend_from_slice(&dst.1.to_be_bytes());
        l4.extend_from_slice(&seq.to_be_bytes());
        l4.extend_from_slice(&if flags & ACK != 0 { ack } else { 0 }.to_be_bytes());
        l4.push(((hdr_len / 4) as u8) << 4);
        l4.push(flags);
        l4.extend_from_slice(&64_240u16.to_be_bytes()); // window
        l4.extend_from_slice(&[0, 0, 0, 0]); // checksum, urgent pointer
        if syn {
            l4.extend_from_slice(&[2, 4, 0x05, 0xb4]); // MSS 1460
        }
        l4.extend_from_slice(payload);
        pcap.ipv4(src.0, dst.0, 6, l4, 16);
        let used = payload.len() as u32 + u32::from(syn) + u32::from(flags & FIN != 0);
        if from_client {
            self.client_next = self.client_next.wrapping_add(used);
        } else {
            self.server_next = self.server_next.wrapping_add(used);
        }
    }

    /// Sends `data` in MSS-sized segments (PSH on the last), then the peer
    /// acknowledges.
    fn send(&mut self, pcap: &mut Pcap, from_client: bool, data: &[u8]) {
        let n = data.chunks(MSS).count();
        for (i, chunk) in data.chunks(MSS).enumerate() {
            self.segment(pcap, from_client, if i + 1 == n { ACK | PSH } else { ACK }, chunk);
        }
        self.segment(pcap, !from_client, ACK, &[]);
    }

    /// Client-initiated FIN exchange.
    fn close(mut self, pcap: &mut Pcap) {
        self.segment(pcap, true, FIN | ACK, &[]);
        self.segment(pcap, false, FIN | ACK, &[]);
        self.segment(pcap, true, ACK, &[]);
    }
}

// ---------------------------------------------------------------------------
// The capture.

const NOW: u64 = 1_700_000_000;
const WEB: [u8; 4] = [10, 0, 2, 80];
const RESOLVER: [u8; 4] = [10, 0, 0, 2];

/// What the capture should show, in frame order.
#[derive(Default)]
struct Expected {
    handshake_types: Vec<u8>,
    snis: Vec<&'static str>,
    alpns: Vec<&'static str>,
    methods: Vec<&'static str>,
    uris: Vec<&'static str>,
    codes: Vec<u16>,
    dns_names: Vec<&'static str>,
    rcodes: Vec<u8>,
}

fn http_conversation(pcap: &mut Pcap, rng: &mut ChaCha8Rng, exp: &mut Expected) {
    let mut tcp = Tcp::open(pcap, 40_100, (WEB, 80));
    let mut buf = Vec::new();
    let browser = http::Request {
        method: http::Method::Get,
        path: "/",
        host: "web.internal.example",
        user_agent: http::CHROME_USER_AGENT,
        accept: http::BROWSER_ACCEPT,
        body_len: 0,
    };
    let exchanges: [(http::Request<'_>, http::Response<'_>); 5] = [
        (browser, http::Response::ok("text/html", 5000)),
        (http::Request::get("web.internal.example", "/missing.png"), http::Response::not_found()),
        (
            http::Request {
                method: http::Method::Post,
                body_len: 300,
                ..http::Request::get("web.internal.example", "/api/items")
            },
            http::Response {
                status: 201,
                reason: http::reason_phrase(201),
                ..http::Response::ok("application/json", 700)
            },
        ),
        (
            http::Request { method: http::Method::Head, ..http::Request::get("web.internal.example", "/") },
            http::Response::ok("text/html", 5000),
        ),
        (http::Request::get("web.internal.example", "/style.css"), http::Response::status(304)),
    ];
    for (req, resp) in &exchanges {
        buf.clear();
        http::write_request(req, &mut buf, rng);
        tcp.send(pcap, true, &buf);
        buf.clear();
        if req.method == http::Method::Head {
            http::write_response_head(resp, NOW, &mut buf, rng);
        } else {
            http::write_response(resp, NOW, &mut buf, rng);
        }
        tcp.send(pcap, false, &buf);
        exp.methods.push(req.method.as_str());
        exp.uris.push(req.path);
        exp.codes.push(resp.status);
    }
    tcp.close(pcap);
}

fn tls13_conversation(pcap: &mut Pcap, rng: &mut ChaCha8Rng, exp: &mut Expected) {
    let sni = "s3.us-east-1.amazonaws.com";
    let mut tcp = Tcp::open(pcap, 40_200, ([52, 216, 8, 10], 443));
    let mut buf = Vec::new();
    let p = tls::ClientHelloParams {
        sni: Some(sni),
        alpn: &["h2", "http/1.1"],
        max_version: tls::TlsVersion::Tls13,
    };
    let hello = tls::write_client_hello(&p, &mut buf, rng);
    exp.handshake_types.extend(tls::handshake_types_of(&buf));
    tcp.send(pcap, true, &buf);
    buf.clear();
    tls::write_tls13_server_flight(&tls::Tls13ServerParams::new(hello.session_id), &mut buf, rng);
    exp.handshake_types.extend(tls::handshake_types_of(&buf));
    tcp.send(pcap, false, &buf);
    buf.clear();
    tls::write_tls13_client_finished(tls::cipher_suite::TLS_AES_128_GCM_SHA256, &mut buf, rng);
    tls::write_application_data(tls::TlsVersion::Tls13, 400, &mut buf, rng);
    tcp.send(pcap, true, &buf);
    buf.clear();
    tls::write_tls13_new_session_ticket(&mut buf, rng);
    tls::write_tls13_new_session_ticket(&mut buf, rng);
    tls::write_application_data(tls::TlsVersion::Tls13, 40_000, &mut buf, rng);
    tcp.send(pcap, false, &buf);
    buf.clear();
    tls::write_close_notify(tls::TlsVersion::Tls13, &mut buf, rng);
    tcp.send(pcap, true, &buf);
    tcp.close(pcap);
    exp.snis.push(sni);
    exp.alpns.push("h2,http/1.1");
}

fn tls12_conversation(
    pcap: &mut Pcap,
    rng: &mut ChaCha8Rng,
    exp: &mut Expected,
    port: u16,
    key: tls::KeyType,
    chain_len: usize,
    ticket: bool,
) {
    let sni = "api.partner.example.net";
    let mut tcp = Tcp::open(pcap, port, ([203, 0, 113, 7], 443));
    let mut buf = Vec::new();
    let p =
        tls::ClientHelloParams { sni: Some(sni), alpn: &["http/1.1"], max_version: tls::TlsVersion::Tls12 };
    tls::write_client_hello(&p, &mut buf, rng);
    exp.handshake_types.extend(tls::handshake_types_of(&buf));
    tcp.send(pcap, true, &buf);
    buf.clear();
    let sp = tls::Tls12ServerParams {
        key,
        chain_len,
        session_ticket: ticket,
        ..tls::Tls12ServerParams::new(sni, NOW)
    };
    tls::write_tls12_server_flight(&sp, &mut buf, rng);
    exp.handshake_types.extend(tls::handshake_types_of(&buf));
    tcp.send(pcap, false, &buf);
    buf.clear();
    tls::write_tls12_client_finish(&mut buf, rng);
    exp.handshake_types.extend(tls::handshake_types_of(&buf));
    tcp.send(pcap, true, &buf);
    buf.clear();
    tls::write_tls12_server_finish(ticket, &mut buf, rng);
    exp.handshake_types.extend(tls::handshake_types_of(&buf));
    tcp.send(pcap, false, &buf);
    buf.clear();
    tls::write_application_data(tls::TlsVersion::Tls12, 250, &mut buf, rng);
    tcp.send(pcap, true, &buf);
    buf.clear();
    tls::write_application_data(tls::TlsVersion::Tls12, 3000, &mut buf, rng);
    tcp.send(pcap, false, &buf);
    buf.clear();
    tls::write_close_notify(tls::TlsVersion::Tls12, &mut buf, rng);
    tcp.send(pcap, true, &buf);
    tcp.close(pcap);
    exp.snis.push(sni);
    // The client's offer, then the ServerHello's selection.
    exp.alpns.extend(["http/1.1", "http/1.1"]);
}

fn dns_exchanges(pcap: &mut Pcap, rng: &mut ChaCha8Rng, exp: &mut Expected) {
    let mut buf = Vec::new();
    let cases: [(u16, &'static str, dns::QType, u8); 4] = [
        (0x1a2b, "www.example.org", dns::QType::A, dns::rcode::NOERROR),
        (0x1a2c, "www.example.org", dns::QType::Aaaa, dns::rcode::NOERROR),
        (0x1a2d, "no-such-host.example.org", dns::QType::A, dns::rcode::NXDOMAIN),
        (0x1a2e, "ipv4only.example.org", dns::QType::Aaaa, dns::rcode::NOERROR),
    ];
    for (i, &(id, name, qtype, rc)) in cases.iter().enumerate() {
        let client = (CLIENT_IP, 51_000 + i as u16);
        let q = dns::Query { id, name, qtype };
        buf.clear();
        dns::write_query(&q, &mut buf).unwrap();
        pcap.udp(client, (RESOLVER, 53), &buf);
        buf.clear();
        match i {
            0 => dns::write_response(
                &q,
                &[
                    dns::Answer { ttl: 300, data: dns::RData::Cname("d111111abcdef8.cloudfront.net") },
                    dns::Answer { ttl: 60, data: dns::RData::A(Ipv4Addr::new(13, 224, 10, 1)) },
                    dns::Answer { ttl: 60, data: dns::RData::A(Ipv4Addr::new(13, 224, 10, 2)) },
                ],
                &mut buf,
            ),
            1 => dns::write_response(
                &q,
                &[dns::Answer {
                    ttl: 60,
                    data: dns::RData::Aaaa("2600:9000:2000::1".parse::<Ipv6Addr>().unwrap()),
                }],
                &mut buf,
            ),
            2 => dns::write_nxdomain(&q, &mut buf, rng),
            _ => dns::write_nodata(&q, &mut buf, rng),
        }
        .unwrap();
        pcap.udp((RESOLVER, 53), client, &buf);
        // Query and response both carry the name and (only the response) the rcode.
        exp.dns_names.extend([name, name]);
        exp.rcodes.push(rc);
    }
}

fn build_capture() -> (Vec<u8>, Expected) {
    let mut rng = ChaCha8Rng::seed_from_u64(0xa99);
    let mut pcap = Pcap::new();
    let mut exp = Expected::default();
    http_conversation(&mut pcap, &mut rng, &mut exp);
    tls13_conversation(&mut pcap, &mut rng, &mut exp);
    tls12_conversation(&mut pcap, &mut rng, &mut exp, 40_300, tls::KeyType::Rsa2048, 2, true);
    tls12_conversation(&mut pcap, &mut rng, &mut exp, 40_301, tls::KeyType::EcdsaP256, 1, false);
    dns_exchanges(&mut pcap, &mut rng, &mut exp);
    (pcap.bytes, exp)
}

fn tshark(path: &Path, args: &[&str]) -> String {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(path)
        .args(["-o", "tcp.desegment_tcp_streams:TRUE"])
        .args(args)
        .output()
        .expect("run tshark");
    assert!(out.status.success(), "tshark failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("tshark output is UTF-8")
}

#[test]
fn app_payloads_dissect_cleanly_in_tshark() {
    if !have_tool("tshark") {
        return;
    }
    let (bytes, exp) = build_capture();
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("app_tshark_{}.pcap", std::process::id()));
    std::fs::write(&path, &bytes).unwrap();

    let fields = tshark(
        &path,
        &[
            "-T",
            "fields",
            "-E",
            "separator=|",
            "-e",
            "tls.handshake.type",
            "-e",
            "tls.handshake.extensions_server_name",
            "-e",
            "tls.handshake.extensions_alpn_str",
            "-e",
            "http.request.method",
            "-e",
            "http.request.uri",
            "-e",
            "http.response.code",
            "-e",
            "dns.qry.name",
            "-e",
            "dns.flags.rcode",
        ],
    );
    let rows: Vec<Vec<&str>> = fields.lines().map(|l| l.split('|').collect()).collect();
    let column = |i: usize| -> Vec<&str> {
        rows.iter().flat_map(|r| r[i].split(',')).filter(|s| !s.is_empty()).collect()
    };
    let non_empty: Vec<&str> = fields.lines().filter(|l| l.chars().any(|c| c != '|')).collect();
    println!("tshark fields (non-empty rows):\n{}", non_empty.join("\n"));

    let handshake: Vec<u8> = column(0).iter().map(|s| s.parse().unwrap()).collect();
    assert_eq!(handshake, exp.handshake_types, "tls.handshake.type sequence");
    assert_eq!(column(1), exp.snis, "SNI");
    // ALPN lists are themselves comma-separated: compare per row.
    let alpns: Vec<&str> = rows.iter().map(|r| r[2]).filter(|s| !s.is_empty()).collect();
    assert_eq!(alpns, exp.alpns, "ALPN");
    assert_eq!(column(3), exp.methods, "http.request.method");
    assert_eq!(column(4), exp.uris, "http.request.uri");
    let codes: Vec<u16> = column(5).iter().map(|s| s.parse().unwrap()).collect();
    assert_eq!(codes, exp.codes, "http.response.code");
    assert_eq!(column(6), exp.dns_names, "dns.qry.name");
    let rcodes: Vec<u8> = column(7).iter().map(|s| s.parse().unwrap()).collect();
    assert_eq!(rcodes, exp.rcodes, "dns.flags.rcode");

    // No malformed packets and no expert info at warning level or above.
    let verbose = tshark(&path, &["-V"]);
    let bad: Vec<&str> = verbose
        .lines()
        .filter(|l| {
            l.contains("Malformed") || l.contains("Expert Info (Error") || l.contains("Expert Info (Warning")
        })
        .collect();
    assert!(bad.is_empty(), "tshark -V reports problems:\n{}", bad.join("\n"));
    let expert = tshark(&path, &["-q", "-z", "expert,warn"]);
    println!("tshark -z expert,warn:\n{expert}");
    assert!(
        !expert.lines().any(|l| l.contains("Warning") || l.contains("Error")),
        "expert info at warning level or above:\n{expert}"
    );

    // The certificates parse as X.509 (fields only the x509 dissector fills).
    let x509 = tshark(
        &path,
        &[
            "-Y",
            "tls.handshake.type == 11",
            "-T",
            "fields",
            "-e",
            "x509sat.uTF8String",
            "-e",
            "x509ce.dNSName",
        ],
    );
    println!("x509 fields:\n{x509}");
    assert!(x509.contains("api.partner.example.net"), "x509 subject / SAN parsed: {x509}");
    assert!(x509.contains("Amazon RSA 2048 M02"), "issuer parsed: {x509}");
    let _ = std::fs::remove_file(&path);
}
