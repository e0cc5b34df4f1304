//! A whole run: inner traffic through the mirror sessions into a capture.
//!
//! ```
//! use generator::capture::{CaptureWriter, Format};
//! use generator::generate::{run, Mirror, Options};
//!
//! let mirror = Mirror::example(1);
//! let mut writer = CaptureWriter::new(Vec::new(), Format::PcapNg, 65535).unwrap();
//! let stats = run(&mirror, &Options { conversations: 2, ..Options::default() }, &mut writer, |_| {}).unwrap();
//! assert!(stats.copies > 10);
//! let bytes = writer.finish().unwrap();
//! assert!(bytes.len() > 1000);
//! ```

use crate::capture::{CaptureError, CaptureWriter, PacketDirection, Record};
use crate::mirror::encap::{encapsulate, Truncation};
use crate::mirror::filter::{pick_session, Filter};
use crate::mirror::session::{Session, Source, Target, TargetKind};
use crate::mirror::Direction;
use crate::traffic::tcp::{Close, ConversationSpec, Exchange, TcpConversation, TcpProfile};
use crate::traffic::{Endpoint, PacketInfo, TrafficSource};
use crate::wire::vxlan::Vni;
use crate::wire::EthernetAddress;
use core::fmt::Write as _;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};

/// Default capture start: 2024-01-15T09:00:00Z, a fixed instant so that output
/// never depends on the clock.
pub const DEFAULT_START_NS: u64 = 1_705_309_200_000_000_000;

/// Delay between a packet crossing the source interface and its copy reaching
/// the target; constant, so an ENI target sees copies in order.
pub const MIRROR_LATENCY_NS: u64 = 48_000;

/// The source interface and its sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirror {
    /// The mirrored network interface.
    pub source: Source,
    /// Its sessions, in ascending session number.
    pub sessions: Vec<Session>,
}

impl Mirror {
    /// A single-session mirror of `10.0.1.23` to an ENI target `10.0.2.50`
    /// (MTU 9001), mirroring everything, with VNI `vni`.
    ///
    /// # Panics
    /// If `vni` is over 2^24-1.
    pub fn example(vni: u32) -> Mirror {
        Mirror {
            source: default_source(),
            sessions: vec![Session {
                session_number: 1,
                vni: Vni::new(vni).expect("example VNI in range"),
                packet_length: None,
                filter: Filter::accept_all(),
                target: default_target(TargetKind::NetworkInterface),
                gbp: None,
            }],
        }
    }
}

/// The source ENI used unless a session file names one.
pub fn default_source() -> Source {
    Source {
        ip: Ipv4Addr::new(10, 0, 1, 23),
        mac: EthernetAddress([0x02, 0x4f, 0x1a, 0x8c, 0x3e, 0x71]),
        vpc_cidr: "10.0.0.0/16".parse().expect("literal CIDR"),
        router_mac: EthernetAddress([0x02, 0x9d, 0x44, 0x10, 0x6b, 0x01]),
    }
}

/// The target used unless a session file names one: an appliance ENI at
/// `10.0.2.50` with the VPC's jumbo MTU (9001), or an NLB / GWLB endpoint.
pub fn default_target(kind: TargetKind) -> Target {
    use crate::mirror::session::GwlbHop;
    let gwlb = (kind == TargetKind::GatewayLoadBalancerEndpoint).then_some(GwlbHop {
        gwlb_ip: Ipv4Addr::new(10, 0, 3, 10),
        appliance_ip: Ipv4Addr::new(10, 0, 3, 50),
        appliance_mac: EthernetAddress([0x06, 0x3a, 0x5e, 0x21, 0x90, 0x0c]),
        endpoint_id: 0x0a1b_2c3d_4e5f_6071,
        attachment_id: 0x1f2e_3d4c_5b6a_7988,
    });
    Target {
        kind,
        ip: match kind {
            TargetKind::NetworkInterface => Ipv4Addr::new(10, 0, 2, 50),
            TargetKind::NetworkLoadBalancer => Ipv4Addr::new(10, 0, 2, 100),
            TargetKind::GatewayLoadBalancerEndpoint => Ipv4Addr::new(10, 0, 2, 200),
        },
        mac: EthernetAddress([0x02, 0x7c, 0x11, 0xe4, 0x52, 0x9a]),
        mtu: 9001,
        gwlb,
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Seed of every random choice.
    pub seed: u64,
    /// Number of conversations.
    pub conversations: u64,
    /// Time of the first packet, ns since the Unix epoch.
    pub start_ns: u64,
    /// Whether to write a ground-truth comment on each packet (pcapng only).
    pub comments: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options { seed: 1, conversations: 10, start_ns: DEFAULT_START_NS, comments: true }
    }
}

/// Counts from a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Conversations generated.
    pub conversations: u64,
    /// Inner frames that crossed the source interface.
    pub inner_packets: u64,
    /// Mirror copies written.
    pub copies: u64,
    /// Copies shortened by PacketLength or the MTU.
    pub truncated: u64,
    /// Inner frames no session mirrored.
    pub not_mirrored: u64,
    /// Bytes of copies written (captured bytes).
    pub bytes: u64,
}

/// Generates `opts.conversations` conversations, mirrors them through
/// `mirror` and writes the copies; `progress` is called with the number of
/// conversations done, every 4096 conversations.
pub fn run<W: Write>(
    mirror: &Mirror,
    opts: &Options,
    writer: &mut CaptureWriter<W>,
    mut progress: impl FnMut(u64),
) -> Result<Stats, CaptureError> {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let mut stats = Stats::default();
    let mut inner = Vec::with_capacity(16 * 1024);
    let mut outer = Vec::with_capacity(16 * 1024);
    let mut comment = String::with_capacity(256);
    let mut t = opts.start_ns;
    for i in 0..opts.conversations {
        let spec = default_conversation(&mut rng, &mirror.source, t);
        let mut conv = TcpConversation::plan(spec);
        while let Some(info) = conv.next_frame(&mut inner) {
            stats.inner_packets += 1;
            let Some(session) =
                pick_session(&mirror.sessions, info.direction, &info.key, &mirror.source.vpc_cidr)
            else {
                stats.not_mirrored += 1;
                continue;
            };
            let copy = encapsulate(session, &mirror.source, &inner, &info.key, &mut outer);
            stats.copies += 1;
            stats.bytes += outer.len() as u64;
            stats.truncated += copy.truncation.is_some() as u64;
            let comment = opts.comments.then(|| {
                describe(&mut comment, &info, session, copy.truncation, copy.inner_len);
                comment.as_str()
            });
            writer.write(&Record {
                timestamp_ns: info.timestamp_ns + MIRROR_LATENCY_NS,
                data: &outer,
                orig_len: outer.len() as u32,
                comment,
                direction: Some(match info.direction {
                    Direction::Ingress => PacketDirection::Inbound,
                    Direction::Egress => PacketDirection::Outbound,
                }),
            })?;
        }
        stats.conversations += 1;
        // The next conversation starts a little after this one ended.
        t = conv.end_ns() + rng.random_range(200_000..20_000_000);
        if (i + 1) % 4096 == 0 {
            progress(i + 1);
        }
    }
    progress(opts.conversations);
    Ok(stats)
}

/// The ground-truth comment of one copy, e.g.
/// `egress tcp 10.0.1.23:41522 > 203.0.113.7:80 TCP SYN; vni 9999999, session 1`.
fn describe(
    out: &mut String,
    info: &PacketInfo,
    session: &Session,
    truncation: Option<Truncation>,
    inner_len: usize,
) {
    out.clear();
    let k = &info.key;
    let ip = |a: Option<IpAddr>| a.map_or_else(|| "?".to_string(), |a| a.to_string());
    let _ = write!(
        out,
        "{} {} {}:{} > {}:{} {}; vni {}, session {}",
        info.direction,
        k.protocol.map_or_else(|| "?".to_string(), |p| p.to_string()),
        ip(k.src),
        k.src_port.unwrap_or(0),
        ip(k.dst),
        k.dst_port.unwrap_or(0),
        info.event.label(),
        session.vni.value(),
        session.session_number,
    );
    if let Some(g) = session.gbp {
        let _ =
            write!(out, ", gbp policy {} d={} a={}", g.policy_id, g.dont_learn as u8, g.policy_applied as u8);
    }
    match truncation {
        Some(Truncation::PacketLength(n)) => {
            let _ = write!(out, "; truncated by PacketLength {n} (inner frame {inner_len} bytes)");
        }
        Some(Truncation::Mtu(m)) => {
            let _ = write!(out, "; truncated to target MTU {m} (inner frame {inner_len} bytes)");
        }
        None => {}
    }
}

/// A plausible public address from the documentation ranges (RFC 5737), so
/// that synthetic captures never name a real host.
fn remote_ip(rng: &mut ChaCha8Rng) -> Ipv4Addr {
    let nets = [[192, 0, 2], [198, 51, 100], [203, 0, 113]];
    let n = nets[rng.random_range(0..nets.len())];
    Ipv4Addr::new(n[0], n[1], n[2], rng.random_range(1..255))
}

/// The default traffic of the first issue: one HTTP/1.1 exchange over a
/// complete TCP conversation, the instance as client or as server at random.
fn default_conversation(rng: &mut ChaCha8Rng, source: &Source, start_ns: u64) -> ConversationSpec {
    let instance_is_client = rng.random_bool(0.5);
    let instance_port = if instance_is_client { rng.random_range(32768..61000) } else { 80 };
    let remote_port = if instance_is_client { 80 } else { rng.random_range(1024..65535) };
    let instance = Endpoint { mac: source.mac, ip: IpAddr::V4(source.ip), port: instance_port };
    let remote = Endpoint { mac: source.router_mac, ip: IpAddr::V4(remote_ip(rng)), port: remote_port };
    let (client, server) = if instance_is_client { (instance, remote) } else { (remote, instance) };
    let remote_ttl = 64 - rng.random_range(6..20);
    let (client_ttl, server_ttl) = if instance_is_client { (64, remote_ttl) } else { (remote_ttl, 64) };
    let path =
        ["/", "/index.html", "/api/v1/status", "/static/app.js", "/images/logo.png"][rng.random_range(0..5)];
    let host = if instance_is_client { "example.com" } else { "ip-10-0-1-23.ec2.internal" };
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n")
            .into_bytes();
    let body_len = (1u64 << rng.random_range(8..16)) as usize + rng.random_range(0..512);
    let mut response = format!(
        "HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nDate: Mon, 15 Jan 2024 09:00:00 GMT\r\nContent-Type: text/html\r\nContent-Length: {body_len}\r\nConnection: keep-alive\r\n\r\n"
    )
    .into_bytes();
    let filler = b"<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>\n";
    response.extend(filler.iter().cycle().take(body_len));
    ConversationSpec {
        client,
        server,
        instance_is_client,
        start_ns,
        rtt_ns: rng.random_range(2_000_000..90_000_000),
        client_profile: TcpProfile::linux(client_ttl),
        server_profile: TcpProfile::linux(server_ttl),
        isn: (rng.random(), rng.random()),
        ts_offset: (rng.random(), rng.random()),
        ip_ident: (rng.random(), rng.random()),
        exchanges: vec![Exchange {
            request,
            request_label: "HTTP GET request",
            response,
            response_label: "HTTP 200 response",
            think_ns: rng.random_range(200_000..5_000_000),
        }],
        close: Close::ClientFin,
    }
}
