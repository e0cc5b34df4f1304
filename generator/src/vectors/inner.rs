//! Inner frames for the corpus: the instance's TCP, UDP and ICMP packets,
//! and application payloads from [`crate::traffic::app`] with the facts a
//! decoder should report about them.
//!
//! Application facts are stated from the parameters handed to the payload
//! builders (the SNI and ALPN asked for, the method and path of the request)
//! and from what those builders document they write (one handshake record
//! holding a ClientHello, say); tests check the documentation against the
//! builders' own readers, so a change there shows up here.
//!
//! ```
//! use generator::vectors::inner;
//!
//! let get = inner::http_get();
//! let http = get.app.as_ref().unwrap().http.as_ref().unwrap();
//! assert_eq!((http.method.as_deref(), http.uri.as_deref()), (Some("GET"), Some("/")));
//! assert!(get.payload.starts_with(b"GET / HTTP/1.1\r\n"));
//! ```

use super::builder::{InnerIp, InnerL4, InnerSpec};
use crate::dissection::{App, Dns, Http, Tls};
use crate::mirror::session::Source;
use crate::traffic::app::{dns, http, tls};
use crate::wire::tcp::{self, TcpFlags};
use crate::wire::{ethernet, icmpv4, icmpv6, ipv4, ipv6, udp, vlan, EtherType, EthernetAddress, IpProtocol};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The mirrored instance's address (the source ENI's primary IP).
pub const INSTANCE_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 23);
/// A remote server (RFC 5737 documentation range).
pub const REMOTE_IP: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 7);
/// The VPC's DNS resolver: the VPC base (10.0.0.0/16) plus two.
pub const RESOLVER_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
/// The instance's IPv6 address (RFC 3849 documentation prefix).
pub const INSTANCE_IP6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0x10, 0x1, 0, 0, 0, 0x17);
/// A remote IPv6 server.
pub const REMOTE_IP6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xffff, 0, 0, 0, 0, 0x7);
/// The instance's ephemeral port in the corpus's flows.
pub const CLIENT_PORT: u16 = 41522;
/// A fixed "now" for payloads that carry a date: 2024-01-15T09:00:00Z.
pub const UNIX_TIME: u64 = 1_705_309_200;

/// One end of a flow on the source interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Host {
    /// MAC address this end's frames carry: the instance's own, or the VPC
    /// router's for anything off-link.
    pub mac: EthernetAddress,
    /// IP address.
    pub ip: IpAddr,
    /// Port (0 for ICMP).
    pub port: u16,
    /// TTL / hop limit its packets have at the interface.
    pub ttl: u8,
}

/// The instance at `port` (TTL 64, Linux's default).
pub fn instance(port: u16) -> Host {
    Host { mac: Source::example().mac, ip: IpAddr::V4(INSTANCE_IP), port, ttl: 64 }
}

/// The remote server at `port`, twelve hops away, through the VPC router.
pub fn remote(port: u16) -> Host {
    Host { mac: Source::example().subnet.router_mac, ip: IpAddr::V4(REMOTE_IP), port, ttl: 52 }
}

/// The instance over IPv6.
pub fn instance6(port: u16) -> Host {
    Host { ip: IpAddr::V6(INSTANCE_IP6), ..instance(port) }
}

/// The remote server over IPv6.
pub fn remote6(port: u16) -> Host {
    Host { ip: IpAddr::V6(REMOTE_IP6), ..remote(port) }
}

/// The VPC resolver (AWS "Amazon DNS server": VPC base + 2), port 53.
pub fn resolver() -> Host {
    Host { mac: Source::example().subnet.router_mac, ip: IpAddr::V4(RESOLVER_IP), port: 53, ttl: 255 }
}

/// The IP header from `src` to `dst` (lengths and protocol filled by the
/// builder): DF set, as Linux sends TCP; IPv6 flow label from the ports.
pub fn ip(src: &Host, dst: &Host, ident: u16) -> InnerIp {
    match (src.ip, dst.ip) {
        (IpAddr::V4(s), IpAddr::V4(d)) => InnerIp::V4(ipv4::Repr {
            src_addr: s,
            dst_addr: d,
            next_header: IpProtocol::TCP,
            payload_len: 0,
            hop_limit: src.ttl,
            ident,
            dont_frag: true,
            dscp: 0,
            ecn: 0,
        }),
        (IpAddr::V6(s), IpAddr::V6(d)) => InnerIp::V6(ipv6::Repr {
            src_addr: s,
            dst_addr: d,
            next_header: IpProtocol::TCP,
            payload_len: 0,
            hop_limit: src.ttl,
            traffic_class: 0,
            flow_label: (u32::from(src.port) << 4 ^ u32::from(dst.port)) & 0xf_ffff,
        }),
        _ => panic!("mixed address families"),
    }
}

fn eth(src: &Host, dst: &Host) -> ethernet::Repr {
    ethernet::Repr { src_addr: src.mac, dst_addr: dst.mac, ethertype: EtherType::IPV4 }
}

/// One TCP segment, with the options a Linux stack sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Sender.
    pub src: Host,
    /// Receiver.
    pub dst: Host,
    /// Control bits.
    pub flags: TcpFlags,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgment number.
    pub ack: u32,
    /// Window (unscaled).
    pub window: u16,
    /// Timestamps option `(tsval, tsecr)`.
    pub ts: Option<(u32, u32)>,
    /// SYN options: MSS, window scale, SACK-Permitted.
    pub syn_options: Option<(u16, u8, bool)>,
    /// SACK blocks.
    pub sack: Vec<(u32, u32)>,
    /// Urgent pointer.
    pub urgent: u16,
    /// IPv4 identification.
    pub ident: u16,
    /// Payload.
    pub payload: Vec<u8>,
    /// Application facts of the payload.
    pub app: Option<App>,
}

impl Segment {
    /// A segment without payload or options.
    pub fn new(src: Host, dst: Host, flags: TcpFlags, seq: u32, ack: u32) -> Segment {
        Segment {
            src,
            dst,
            flags,
            seq,
            ack,
            window: 502,
            ts: None,
            syn_options: None,
            sack: Vec::new(),
            urgent: 0,
            ident: 0x3a2f,
            payload: Vec::new(),
            app: None,
        }
    }

    /// The inner frame.
    pub fn spec(&self) -> InnerSpec {
        let mut sack_ranges = [None; 3];
        for (slot, block) in sack_ranges.iter_mut().zip(&self.sack) {
            *slot = Some(*block);
        }
        let repr = tcp::Repr {
            src_port: self.src.port,
            dst_port: self.dst.port,
            seq_number: self.seq,
            ack_number: self.ack,
            flags: self.flags,
            window_len: self.window,
            urgent_pointer: self.urgent,
            max_seg_size: self.syn_options.map(|o| o.0),
            window_scale: self.syn_options.map(|o| o.1),
            sack_permitted: self.syn_options.is_some_and(|o| o.2),
            sack_ranges,
            timestamp: self.ts,
            payload_len: self.payload.len(),
        };
        InnerSpec {
            eth: eth(&self.src, &self.dst),
            vlan: Vec::new(),
            s_tag: false,
            ip: ip(&self.src, &self.dst, self.ident),
            ip_options: Vec::new(),
            l4: InnerL4::Tcp(repr),
            payload: self.payload.clone(),
            app: self.app.clone(),
        }
    }
}

/// The instance's SYN to 203.0.113.7:443 with Linux's options: MSS 1460,
/// SACK-Permitted, timestamps, window scale 7 (RFC 9293 section 3.7.1, RFC
/// 2018, RFC 7323).
pub fn tcp_syn() -> InnerSpec {
    syn_segment(instance(CLIENT_PORT), remote(443)).spec()
}

/// A Linux SYN from `src` to `dst`.
pub fn syn_segment(src: Host, dst: Host) -> Segment {
    Segment {
        window: 64240,
        ts: Some((2_840_123_456, 0)),
        syn_options: Some((1460, 7, true)),
        ..Segment::new(src, dst, TcpFlags::SYN, 0x6f3a_9c01, 0)
    }
}

/// A deterministic RNG for one payload, so that each vector's bytes depend
/// only on its own `seed`.
pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// The instance's `GET /` to 203.0.113.7:80, curl-style (RFC 9112 section 3).
pub fn http_get() -> InnerSpec {
    http_request_segment(instance(CLIENT_PORT), remote(80), "example.com", "/").spec()
}

/// A segment carrying a curl-style GET request, with its HTTP facts.
pub fn http_request_segment(src: Host, dst: Host, host: &str, path: &str) -> Segment {
    let mut payload = Vec::new();
    http::write_request(&http::Request::get(host, path), &mut payload, &mut rng(1));
    let app = App {
        http: Some(Http {
            method: Some(http::Method::Get.as_str().to_owned()),
            uri: Some(path.to_owned()),
            version: Some("HTTP/1.1".to_owned()),
            status_code: None,
            host: Some(host.to_owned()),
        }),
        ..App::default()
    };
    data_segment(src, dst, 0x6f3a_9c02, 0x1c55_0e71, payload, Some(app))
}

/// A segment carrying an nginx-style response with a `body_len`-byte HTML body.
pub fn http_response_segment(src: Host, dst: Host, status: u16, body_len: usize) -> Segment {
    let mut payload = Vec::new();
    let resp = if status == 200 {
        http::Response::ok("text/html", body_len)
    } else {
        http::Response::status(status)
    };
    http::write_response(&resp, UNIX_TIME, &mut payload, &mut rng(2));
    let app = App {
        http: Some(Http {
            version: Some("HTTP/1.1".to_owned()),
            status_code: Some(status),
            ..Http::default()
        }),
        ..App::default()
    };
    data_segment(src, dst, 0x1c55_0e71, 0x6f3a_9c02 + 80, payload, Some(app))
}

/// A PSH/ACK data segment with timestamps.
pub fn data_segment(src: Host, dst: Host, seq: u32, ack: u32, payload: Vec<u8>, app: Option<App>) -> Segment {
    Segment {
        ts: Some((2_840_123_500, 1_177_000_100)),
        payload,
        app,
        ..Segment::new(src, dst, TcpFlags::PSH | TcpFlags::ACK, seq, ack)
    }
}

/// Repeating readable filler of `len` bytes (no randomness needed).
pub fn filler(len: usize) -> Vec<u8> {
    b"vxlan-mirror-vectors: payload bytes of a mirrored segment.\n"
        .iter()
        .copied()
        .cycle()
        .take(len)
        .collect()
}

/// A full-sized segment of a jumbo-frame connection: an IPv4 packet of
/// exactly `ip_len` bytes (9001 inside a VPC, AWS "Network maximum
/// transmission unit (MTU) for your EC2 instance").
pub fn tcp_jumbo(ip_len: usize) -> InnerSpec {
    let payload = filler(ip_len - 20 - 32);
    let mut s = data_segment(instance(CLIENT_PORT), remote(443), 0x0100_0000, 0x0200_0000, payload, None);
    s.flags = TcpFlags::ACK;
    s.spec()
}

/// A UDP datagram from `src` to `dst` (IPv4 DF clear, as resolvers send).
pub fn udp_datagram(src: Host, dst: Host, ident: u16, payload: Vec<u8>, app: Option<App>) -> InnerSpec {
    let mut ip = ip(&src, &dst, ident);
    if let InnerIp::V4(r) = &mut ip {
        r.dont_frag = false;
    }
    InnerSpec {
        eth: eth(&src, &dst),
        vlan: Vec::new(),
        s_tag: false,
        ip,
        ip_options: Vec::new(),
        l4: InnerL4::Udp(udp::Repr { src_port: src.port, dst_port: dst.port, payload_len: payload.len() }),
        payload,
        app,
    }
}

/// A DNS query for `name` (type `qtype`) from the instance to the VPC resolver.
pub fn dns_query(id: u16, name: &str, qtype: dns::QType) -> InnerSpec {
    let mut payload = Vec::new();
    dns::write_query(&dns::Query { id, name, qtype }, &mut payload).expect("valid name");
    let facts = Dns {
        id: Some(id),
        is_response: Some(false),
        rcode: Some(dns::rcode::NOERROR),
        query_name: Some(name.to_owned()),
        query_type: Some(qtype.code()),
        answer_count: Some(0),
    };
    udp_datagram(
        instance(50_614),
        resolver(),
        0x9e21,
        payload,
        Some(App { dns: Some(facts), ..App::default() }),
    )
}

/// The resolver's answer to [`dns_query`]: `answers` A records, or NXDOMAIN
/// (RFC 2308) when empty.
pub fn dns_response(id: u16, name: &str, answers: &[Ipv4Addr]) -> InnerSpec {
    let q = dns::Query { id, name, qtype: dns::QType::A };
    let mut payload = Vec::new();
    let rcode = if answers.is_empty() {
        dns::write_nxdomain(&q, &mut payload, &mut rng(3)).expect("valid name");
        dns::rcode::NXDOMAIN
    } else {
        let recs: Vec<dns::Answer<'_>> =
            answers.iter().map(|&a| dns::Answer { ttl: 60, data: dns::RData::A(a) }).collect();
        dns::write_response(&q, &recs, &mut payload).expect("valid name");
        dns::rcode::NOERROR
    };
    let facts = Dns {
        id: Some(id),
        is_response: Some(true),
        rcode: Some(rcode),
        query_name: Some(name.to_owned()),
        query_type: Some(dns::QType::A.code()),
        answer_count: Some(answers.len() as u16),
    };
    let mut spec = udp_datagram(
        resolver(),
        instance(50_614),
        0,
        payload,
        Some(App { dns: Some(facts), ..App::default() }),
    );
    // The VPC resolver's replies: IP ID 0, DF set, TTL 255 (observed in a
    // real mirrored capture; docs/aws.md).
    if let InnerIp::V4(r) = &mut spec.ip {
        r.dont_frag = true;
    }
    spec
}

/// An ICMP echo request (or reply) between the instance and the remote
/// host, IPv4 or IPv6 after `v6`, with 56 bytes of data as ping sends.
pub fn icmp_echo(v6: bool, request: bool, ident: u16, seq: u16) -> InnerSpec {
    let (mut a, mut b) = if v6 { (instance6(0), remote6(0)) } else { (instance(0), remote(0)) };
    if !request {
        core::mem::swap(&mut a, &mut b);
    }
    let data: Vec<u8> = (0u8..56).collect();
    let l4 = match (v6, request) {
        (false, true) => InnerL4::Icmpv4(icmpv4::Repr::EchoRequest { ident, seq_no: seq, data_len: 56 }),
        (false, false) => InnerL4::Icmpv4(icmpv4::Repr::EchoReply { ident, seq_no: seq, data_len: 56 }),
        (true, true) => InnerL4::Icmpv6(icmpv6::Repr::EchoRequest { ident, seq_no: seq, data_len: 56 }),
        (true, false) => InnerL4::Icmpv6(icmpv6::Repr::EchoReply { ident, seq_no: seq, data_len: 56 }),
    };
    InnerSpec {
        eth: eth(&a, &b),
        vlan: Vec::new(),
        s_tag: false,
        ip: ip(&a, &b, 0x1d00 + seq),
        ip_options: Vec::new(),
        l4,
        payload: data,
        app: None,
    }
}

/// `spec` with an 802.1Q tag (IEEE 802.1Q clause 9.6) inserted after the
/// Ethernet addresses.
pub fn tagged(mut spec: InnerSpec, pcp: u8, dei: bool, vid: u16) -> InnerSpec {
    spec.vlan.push(vlan::Repr { pcp, dei, vid, ethertype: EtherType::IPV4 });
    spec
}

/// A TLS ClientHello from the instance to 203.0.113.7:443 (RFC 8446
/// section 4.1.2; SNI RFC 6066 section 3; ALPN RFC 7301 section 3.1).
pub fn tls_client_hello(version: tls::TlsVersion, sni: &str, alpn: &[&str], seed: u64) -> InnerSpec {
    let mut payload = Vec::new();
    let p = tls::ClientHelloParams { sni: Some(sni), alpn, max_version: version };
    tls::write_client_hello(&p, &mut payload, &mut rng(seed));
    let facts = Tls {
        record_content_types: vec![tls::content_type::HANDSHAKE],
        record_versions: vec![0x0301],
        handshake_types: vec![tls::handshake_type::CLIENT_HELLO],
        sni: Some(sni.to_owned()),
        alpn: alpn.iter().map(|s| (*s).to_owned()).collect(),
    };
    let app = App { tls: Some(facts), ..App::default() };
    data_segment(instance(CLIENT_PORT), remote(443), 0x6f3a_9c02, 0x1c55_0e71, payload, Some(app)).spec()
}

/// The server's first TLS flight to the instance, in one jumbo segment:
/// TLS 1.3 (ServerHello, ChangeCipherSpec, four encrypted records; RFC 8446
/// section 4.1.3 and appendix D.4) or TLS 1.2 (ServerHello, Certificate,
/// ServerKeyExchange, ServerHelloDone, one record each; RFC 5246 section
/// 7.4) with ALPN `http/1.1` selected.
pub fn tls_server_flight(version: tls::TlsVersion, seed: u64) -> InnerSpec {
    use tls::content_type::{APPLICATION_DATA, CHANGE_CIPHER_SPEC, HANDSHAKE};
    use tls::handshake_type::{CERTIFICATE, SERVER_HELLO, SERVER_HELLO_DONE, SERVER_KEY_EXCHANGE};
    let mut payload = Vec::new();
    let mut r = rng(seed);
    let facts = match version {
        tls::TlsVersion::Tls13 => {
            tls::write_tls13_server_flight(&tls::Tls13ServerParams::new([0x5a; 32]), &mut payload, &mut r);
            let types = vec![
                HANDSHAKE,
                CHANGE_CIPHER_SPEC,
                APPLICATION_DATA,
                APPLICATION_DATA,
                APPLICATION_DATA,
                APPLICATION_DATA,
            ];
            Tls {
                record_versions: vec![0x0303; types.len()],
                record_content_types: types,
                handshake_types: vec![SERVER_HELLO],
                sni: None,
                alpn: Vec::new(),
            }
        }
        tls::TlsVersion::Tls12 => {
            let p = tls::Tls12ServerParams {
                chain_len: 1,
                ..tls::Tls12ServerParams::new("example.com", UNIX_TIME)
            };
            tls::write_tls12_server_flight(&p, &mut payload, &mut r);
            Tls {
                record_content_types: vec![HANDSHAKE; 4],
                record_versions: vec![0x0303; 4],
                handshake_types: vec![SERVER_HELLO, CERTIFICATE, SERVER_KEY_EXCHANGE, SERVER_HELLO_DONE],
                sni: None,
                alpn: vec!["http/1.1".to_owned()],
            }
        }
    };
    let app = App { tls: Some(facts), ..App::default() };
    data_segment(remote(443), instance(CLIENT_PORT), 0x1c55_0e71, 0x6f3a_9c02 + 517, payload, Some(app))
        .spec()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stated TLS facts match what the lead's builders wrote, read back
    /// with their own reader (a cross-check, not the source of the facts).
    #[test]
    fn tls_facts_match_the_builders() {
        for spec in [
            tls_client_hello(tls::TlsVersion::Tls12, "example.com", &["http/1.1"], 1),
            tls_client_hello(tls::TlsVersion::Tls13, "example.com", &["h2", "http/1.1"], 2),
            tls_server_flight(tls::TlsVersion::Tls13, 3),
            tls_server_flight(tls::TlsVersion::Tls12, 4),
        ] {
            let facts = spec.app.as_ref().unwrap().tls.as_ref().unwrap();
            let recs: Vec<(u8, u16)> =
                tls::records(&spec.payload).map(|r| (r.content_type, r.version)).collect();
            let stated: Vec<(u8, u16)> = facts
                .record_content_types
                .iter()
                .copied()
                .zip(facts.record_versions.iter().copied())
                .collect();
            assert_eq!(recs, stated);
            assert_eq!(tls::handshake_types_of(&spec.payload), facts.handshake_types);
            assert!(spec.payload.len() < 8900, "fits one jumbo segment");
        }
    }

    #[test]
    fn dns_facts_match_the_header() {
        let q = dns_query(0x1234, "example.com", dns::QType::A);
        let h = dns::Header::parse(&q.payload).unwrap();
        assert_eq!((h.id, h.flags & dns::flags::QR, h.ancount), (0x1234, 0, 0));
        let r = dns_response(0x1234, "example.com", &[Ipv4Addr::new(93, 184, 215, 14)]);
        let h = dns::Header::parse(&r.payload).unwrap();
        assert_eq!((h.flags & dns::flags::RCODE_MASK, h.ancount), (0, 1));
        let nx = dns_response(0x1234, "nope.example.com", &[]);
        let h = dns::Header::parse(&nx.payload).unwrap();
        assert_eq!(h.flags & dns::flags::RCODE_MASK, 3);
    }
}
