//! Wrapping an inner frame the way AWS delivers a mirror copy: outer
//! Ethernet / IPv4 / UDP 4789 / VXLAN, truncated by PacketLength or the
//! target's MTU, and for a Gateway Load Balancer endpoint target wrapped once
//! more in GENEVE.
//!
//! Outer header values (AWS "Traffic Mirroring packet format"; RFC 7348
//! section 5; observed in a public capture of real mirrored traffic, see
//! docs/aws.md):
//!
//! | field | value | source |
//! |---|---|---|
//! | outer IPv4 source | primary IP of the source ENI | AWS packet format |
//! | outer IPv4 destination | primary IP of the target | AWS packet format |
//! | TTL, DF, IP ID, DSCP/ECN | 255, clear, 0, 0 | observed |
//! | UDP source port | hash of the inner 5-tuple (3-tuple for other protocols), 65408-65535, same both ways; 65408 for the VPC resolver's replies | AWS packet format; range and resolver observed |
//! | Ethernet source | the router MAC of the target's subnet | observed |
//! | UDP destination port | 4789 | AWS packet format, IANA |
//! | UDP checksum | 0 | RFC 7348 section 5 (SHOULD be 0 over IPv4); observed |
//! | VXLAN first word | 0x08000000 (I flag only) | RFC 7348 section 5; observed |
//! | VXLAN last byte | 0 | observed |

use super::session::{Gbp, Session, Source, TargetKind, MAX_PACKET_LENGTH};
use crate::flow::PacketKey;
use crate::wire::{checksum, ethernet, geneve, ipv4, udp, vxlan, EtherType, IpProtocol};
use std::net::IpAddr;

/// Outer Ethernet + IPv4 + UDP + VXLAN: what AWS adds in front of each inner frame.
pub const VXLAN_OVERHEAD: usize =
    ethernet::HEADER_LEN + ipv4::HEADER_LEN + udp::HEADER_LEN + vxlan::HEADER_LEN;

/// IPv4 + UDP + VXLAN: the bytes a copy adds to an inner frame within the
/// target's MTU (which counts the IP packet, not the Ethernet header).
pub const VXLAN_IP_OVERHEAD: usize = ipv4::HEADER_LEN + udp::HEADER_LEN + vxlan::HEADER_LEN;

/// Lowest outer UDP source port AWS was observed to use (the top 128 ports).
pub const SOURCE_PORT_BASE: u16 = 65408;

/// Outer IPv4 TTL as observed on AWS mirror copies.
pub const OUTER_TTL: u8 = 255;

/// Why a copy is shorter than the packet it mirrors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truncation {
    /// The session's PacketLength kept only this many bytes after the VXLAN header.
    PacketLength(u16),
    /// The copy exceeded the target's MTU and was cut to it.
    Mtu(u16),
}

/// What [`encapsulate`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Copy {
    /// Length of the inner frame as it crossed the source interface.
    pub inner_len: usize,
    /// Bytes of it kept after the VXLAN header.
    pub inner_kept: usize,
    /// Why bytes were dropped, if they were.
    pub truncation: Option<Truncation>,
    /// The outer UDP source port chosen.
    pub source_port: u16,
}

/// The outer UDP source port for an inner packet: a hash of its 5-tuple (TCP,
/// UDP, ICMP) or 3-tuple (other protocols), the same for both directions of a
/// flow, folded into 65408-65535 (AWS "Traffic Mirroring packet format"; RFC
/// 7348 section 5 asks for a hash of the inner headers for ECMP entropy).
pub fn source_port(key: &PacketKey) -> u16 {
    let five_tuple = matches!(
        key.protocol,
        Some(IpProtocol::TCP | IpProtocol::UDP | IpProtocol::ICMP | IpProtocol::ICMPV6)
    );
    let a = (key.src, if five_tuple { key.src_port.unwrap_or(0) } else { 0 });
    let b = (key.dst, if five_tuple { key.dst_port.unwrap_or(0) } else { 0 });
    // Order the two ends so both directions hash alike.
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let mut h = Fnv1a::new();
    for (ip, port) in [lo, hi] {
        match ip {
            Some(IpAddr::V4(v4)) => h.write(&v4.octets()),
            Some(IpAddr::V6(v6)) => h.write(&v6.octets()),
            None => h.write(&[0]),
        }
        h.write(&port.to_be_bytes());
    }
    h.write(&[key.protocol.map_or(0, |p| p.0)]);
    SOURCE_PORT_BASE + (h.finish() % 128) as u16
}

/// The outer UDP source port AWS gives the Amazon DNS server's UDP replies:
/// [`SOURCE_PORT_BASE`], the bottom of the range (a zero hash), whatever the
/// query's flow hash was. Observed in a real mirrored capture: every reply of
/// the VPC resolver (VPC base + 2, source port 53) carried outer source port
/// 65408 while each query carried its own hash (docs/aws.md, "The copy on the
/// wire"). vxgen treats the resolver's other addresses (169.254.169.253,
/// fd00:ec2::253) alike (**chosen**: the same service).
pub const RESOLVER_REPLY_PORT: u16 = SOURCE_PORT_BASE;

/// The outer UDP source port of a copy of `key` in a VPC with primary CIDR
/// `vpc_cidr`: [`RESOLVER_REPLY_PORT`] for a UDP datagram from the Amazon DNS
/// server's port 53, else [`source_port`].
///
/// ```
/// use generator::flow::PacketKey;
/// use generator::mirror::encap::{outer_source_port, source_port, RESOLVER_REPLY_PORT};
/// let vpc = "172.31.0.0/16".parse().unwrap();
/// let query = PacketKey::udp([172, 31, 0, 238].into(), [172, 31, 0, 2].into(), 40000, 53);
/// assert_eq!(outer_source_port(&query, &vpc), source_port(&query));
/// assert_eq!(outer_source_port(&query.reversed(), &vpc), RESOLVER_REPLY_PORT);
/// // NTP with an internet server: one port for both directions.
/// let ntp = PacketKey::udp([172, 31, 0, 238].into(), [192, 0, 2, 123].into(), 123, 123);
/// assert_eq!(outer_source_port(&ntp, &vpc), outer_source_port(&ntp.reversed(), &vpc));
/// ```
pub fn outer_source_port(key: &PacketKey, vpc_cidr: &ipnet::Ipv4Net) -> u16 {
    let resolver_reply = key.protocol == Some(IpProtocol::UDP)
        && key.src_port == Some(crate::flow::DNS_PORT)
        && key.src.is_some_and(|ip| crate::flow::is_amazon_dns_address(ip, vpc_cidr));
    if resolver_reply {
        RESOLVER_REPLY_PORT
    } else {
        source_port(key)
    }
}

/// FNV-1a, 64-bit: a tiny, fixed, portable hash, so that the same flow gets
/// the same port on every machine and in every version.
struct Fnv1a(u64);

impl Fnv1a {
    fn new() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        // Fold the high bits in: FNV's low bits alone are weak.
        self.0 ^ (self.0 >> 32)
    }
}

/// The GWLB flow cookie (GENEVE option class 0x0108, type 3) for a flow
/// whose outer source port is `port`. AWS does not publish how it derives the
/// cookie; any value fixed per flow, the same both ways, gives captures of the
/// same shape (**chosen**: the port in the high half, a mix of it in the low).
pub const fn flow_cookie(port: u16) -> u32 {
    (port as u32) << 16 | (port as u32 ^ 0x5a5a)
}

/// How many inner bytes a session keeps and why.
pub fn kept_len(session: &Session, inner_len: usize) -> (usize, Option<Truncation>) {
    let mut kept = inner_len;
    let mut why = None;
    let packet_length = session.packet_length.or(match session.target.kind {
        // EC2 API CreateTrafficMirrorSession: for a Network Load Balancer
        // target PacketLength defaults to 8500.
        TargetKind::NetworkLoadBalancer | TargetKind::GatewayLoadBalancerEndpoint => Some(MAX_PACKET_LENGTH),
        TargetKind::NetworkInterface => None,
    });
    if let Some(limit) = packet_length {
        if kept > limit as usize {
            kept = limit as usize;
            why = Some(Truncation::PacketLength(limit));
        }
    }
    // "Traffic Mirroring limitations": a copy to a standalone instance that
    // exceeds the target's MTU is truncated to the MTU.
    if session.target.kind == TargetKind::NetworkInterface {
        let room = (session.target.mtu as usize).saturating_sub(VXLAN_IP_OVERHEAD);
        if kept > room {
            kept = room;
            why = Some(Truncation::Mtu(session.target.mtu));
        }
    }
    (kept, why)
}

/// The VXLAN header a session writes.
pub fn vxlan_repr(session: &Session) -> vxlan::Repr {
    match session.gbp {
        None => vxlan::Repr::rfc7348(session.vni),
        Some(Gbp { dont_learn, policy_applied, policy_id }) => {
            vxlan::Repr::gbp(session.vni, policy_id, dont_learn, policy_applied)
        }
    }
}

/// Room to leave in front of an inner frame for [`encapsulate_in_place`]:
/// enough for the largest encapsulation (GWLB: Ethernet, IPv4, UDP, GENEVE
/// with AWS's 32 bytes of options, IPv4, UDP, VXLAN = 118 bytes).
pub const HEADROOM: usize = 128;

/// The bytes [`encapsulate_in_place`] writes in front of an inner frame
/// for `session`: [`VXLAN_OVERHEAD`], or more for a Gateway Load Balancer
/// endpoint target (the GWLB's Ethernet, IPv4, UDP and GENEVE as well).
pub fn outer_len(session: &Session, source: &Source) -> usize {
    let mut empty = vec![0; HEADROOM];
    HEADROOM - encapsulate_in_place(session, source, &mut empty, HEADROOM, 0).1
}

/// Writes into `out` (cleared first) the frame the target receives for one
/// mirrored inner frame.
pub fn encapsulate(
    session: &Session,
    source: &Source,
    inner: &[u8],
    key: &PacketKey,
    out: &mut Vec<u8>,
) -> Copy {
    out.clear();
    out.resize(HEADROOM, 0);
    out.extend_from_slice(inner);
    let port = outer_source_port(key, &source.vpc_cidr);
    let (copy, start) = encapsulate_in_place(session, source, out, HEADROOM, port);
    out.drain(..start);
    copy
}

/// Wraps the inner frame that occupies `buf[inner_start..]` where it lies:
/// truncates it as the session says and writes the outer headers into the
/// bytes just before it, with `port` (see [`outer_source_port`]) as the outer UDP
/// source port. Returns what was done and the offset at which the finished
/// frame starts; the frame is `buf[start..]`.
///
/// This saves copying every frame once; the caller leaves [`HEADROOM`] bytes
/// in front of the inner frame.
///
/// # Panics
/// If `inner_start` is smaller than the headers need (at most [`HEADROOM`]).
pub fn encapsulate_in_place(
    session: &Session,
    source: &Source,
    buf: &mut Vec<u8>,
    inner_start: usize,
    port: u16,
) -> (Copy, usize) {
    let inner_len = buf.len() - inner_start;
    let (kept, truncation) = kept_len(session, inner_len);
    buf.truncate(inner_start + kept);
    let target = &session.target;
    let copy = Copy { inner_len, inner_kept: kept, truncation, source_port: port };
    let vxlan_udp_payload = vxlan::HEADER_LEN + kept;
    match (&target.kind, &target.gwlb) {
        (TargetKind::GatewayLoadBalancerEndpoint, Some(hop)) => {
            // Appliance side: Ethernet / IPv4 (GWLB -> appliance) / UDP 6081 /
            // GENEVE (protocol 0x0800: an IPv4 packet follows) / the mirror copy.
            let gen = geneve::Repr::aws_gwlb(
                EtherType::IPV4,
                hop.endpoint_id,
                hop.attachment_id,
                flow_cookie(port),
            );
            let copy_len = ipv4::HEADER_LEN + udp::HEADER_LEN + vxlan_udp_payload;
            let headers =
                ethernet::HEADER_LEN + ipv4::HEADER_LEN + udp::HEADER_LEN + gen.header_len() + copy_len
                    - kept;
            let start = inner_start.checked_sub(headers).expect("encapsulate_in_place: not enough headroom");
            let eth = ethernet::Repr {
                src_addr: hop.router_mac,
                dst_addr: hop.appliance_mac,
                ethertype: EtherType::IPV4,
            };
            eth.emit(&mut ethernet::Frame::new_unchecked(&mut buf[start..]));
            let mut at = start + ethernet::HEADER_LEN;
            at = write_ip_udp(
                buf,
                at,
                hop.gwlb_ip,
                hop.appliance_ip,
                port,
                geneve::UDP_PORT,
                gen.header_len() + copy_len,
            );
            gen.emit(&mut geneve::Header::new_unchecked(&mut buf[at..at + gen.header_len()]));
            at += gen.header_len();
            at = write_ip_udp(buf, at, source.ip, target.ip, port, vxlan::UDP_PORT, vxlan_udp_payload);
            vxlan_repr(session).emit(&mut vxlan::Header::new_unchecked(&mut buf[at..at + vxlan::HEADER_LEN]));
            (copy, start)
        }
        _ => {
            let start =
                inner_start.checked_sub(VXLAN_OVERHEAD).expect("encapsulate_in_place: not enough headroom");
            // The copy reaches the target from the router of the target's
            // subnet (observed: not the source subnet's router MAC).
            let eth = ethernet::Repr {
                src_addr: target.subnet.router_mac,
                dst_addr: target.mac,
                ethertype: EtherType::IPV4,
            };
            eth.emit(&mut ethernet::Frame::new_unchecked(&mut buf[start..]));
            let at = write_ip_udp(
                buf,
                start + ethernet::HEADER_LEN,
                source.ip,
                target.ip,
                port,
                vxlan::UDP_PORT,
                vxlan_udp_payload,
            );
            vxlan_repr(session).emit(&mut vxlan::Header::new_unchecked(&mut buf[at..at + vxlan::HEADER_LEN]));
            (copy, start)
        }
    }
}

/// The outer headers of one session's copies to an ENI or NLB target
/// (Ethernet / IPv4 / UDP 4789 / VXLAN), put together once: from one copy to
/// the next only the two lengths, the UDP source port and the IPv4 checksum
/// change. [`OuterHeaders::encapsulate_in_place`] writes what
/// [`encapsulate_in_place`] writes, byte for byte, patching those four
/// fields into a copy of the template instead of emitting every header
/// field by field: this runs per mirror copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OuterHeaders {
    /// The headers [`encapsulate_in_place`] writes for an empty inner frame.
    template: [u8; VXLAN_OVERHEAD],
    /// The ones' complement sum of the outer IPv4 header with its Total
    /// Length and Header Checksum zeroed (RFC 1071).
    ip_sum: u16,
}

/// Where the patched fields lie in [`OuterHeaders`]' template.
const OUTER_IP: usize = ethernet::HEADER_LEN;
const OUTER_UDP: usize = OUTER_IP + ipv4::HEADER_LEN;

impl OuterHeaders {
    /// The template of `session`'s copies, or `None` for a Gateway Load
    /// Balancer endpoint target (its GENEVE header carries a per-flow
    /// cookie: use [`encapsulate_in_place`]).
    pub fn new(session: &Session, source: &Source) -> Option<OuterHeaders> {
        if matches!(
            (&session.target.kind, &session.target.gwlb),
            (TargetKind::GatewayLoadBalancerEndpoint, Some(_))
        ) {
            return None;
        }
        let mut buf = vec![0; VXLAN_OVERHEAD];
        let (_, start) = encapsulate_in_place(session, source, &mut buf, VXLAN_OVERHEAD, 0);
        debug_assert_eq!(start, 0);
        let template: [u8; VXLAN_OVERHEAD] = buf[..].try_into().expect("the outer headers");
        let mut ip = [0u8; ipv4::HEADER_LEN];
        ip.copy_from_slice(&template[OUTER_IP..OUTER_UDP]);
        ip[ipv4::field::LENGTH].fill(0);
        ip[ipv4::field::CHECKSUM].fill(0);
        Some(OuterHeaders { template, ip_sum: checksum::data(&ip) })
    }

    /// [`encapsulate_in_place`] for `session`, the session this template
    /// was made for.
    pub fn encapsulate_in_place(
        &self,
        session: &Session,
        buf: &mut Vec<u8>,
        inner_start: usize,
        port: u16,
    ) -> (Copy, usize) {
        let inner_len = buf.len() - inner_start;
        let (kept, truncation) = kept_len(session, inner_len);
        buf.truncate(inner_start + kept);
        let start =
            inner_start.checked_sub(VXLAN_OVERHEAD).expect("encapsulate_in_place: not enough headroom");
        let udp_len =
            u16::try_from(udp::HEADER_LEN + vxlan::HEADER_LEN + kept).expect("a copy fits in 65535 bytes");
        let ip_len = udp_len.checked_add(ipv4::HEADER_LEN as u16).expect("a copy fits in 65535 bytes");
        // The header is never all zero, so this is the sum `fill_checksum`
        // takes over the whole header (see `checksum::combine`).
        let ip_checksum = !checksum::combine(&[self.ip_sum, ip_len]);
        let mut h = self.template;
        h[OUTER_IP..][ipv4::field::LENGTH].copy_from_slice(&ip_len.to_be_bytes());
        h[OUTER_IP..][ipv4::field::CHECKSUM].copy_from_slice(&ip_checksum.to_be_bytes());
        h[OUTER_UDP..][udp::field::SRC_PORT].copy_from_slice(&port.to_be_bytes());
        h[OUTER_UDP..][udp::field::LENGTH].copy_from_slice(&udp_len.to_be_bytes());
        buf[start..inner_start].copy_from_slice(&h);
        (Copy { inner_len, inner_kept: kept, truncation, source_port: port }, start)
    }
}

/// Writes IPv4 + UDP headers at `at` for a UDP payload of `payload_len`
/// bytes that follows them in `buf`; returns the payload's offset. Outer
/// values as AWS sends them: TTL 255, DF clear, IP ID 0, UDP checksum 0.
fn write_ip_udp(
    buf: &mut [u8],
    at: usize,
    src: std::net::Ipv4Addr,
    dst: std::net::Ipv4Addr,
    src_port: u16,
    dst_port: u16,
    payload_len: usize,
) -> usize {
    let udp_repr = udp::Repr { src_port, dst_port, payload_len };
    let ip_repr = ipv4::Repr {
        src_addr: src,
        dst_addr: dst,
        next_header: IpProtocol::UDP,
        // `udp::Repr::total_len` counts the UDP payload too.
        payload_len: udp_repr.total_len(),
        hop_limit: OUTER_TTL,
        ident: 0,
        dont_frag: false,
        dscp: 0,
        ecn: 0,
    };
    ip_repr.emit(&mut ipv4::Packet::new_unchecked(&mut buf[at..]));
    let l4 = at + ip_repr.header_len();
    udp_repr.emit(&mut udp::Packet::new_unchecked(&mut buf[l4..]));
    l4 + udp::HEADER_LEN
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirror::session::{Gbp, Mirror, Target};

    /// Every session shape the template covers, against `encapsulate_in_place`.
    #[test]
    fn outer_headers_write_what_encapsulate_in_place_writes() {
        let mut sessions = Vec::new();
        for (kind, packet_length, mtu, gbp) in [
            (TargetKind::NetworkInterface, None, 9001, None),
            (TargetKind::NetworkInterface, Some(100), 9001, None),
            (TargetKind::NetworkInterface, None, 1000, None),
            (TargetKind::NetworkInterface, None, 68, None),
            (
                TargetKind::NetworkInterface,
                None,
                9001,
                Some(Gbp { dont_learn: true, policy_applied: true, policy_id: 4660 }),
            ),
            (TargetKind::NetworkLoadBalancer, None, 9001, None),
            (TargetKind::NetworkLoadBalancer, Some(8500), 9001, None),
        ] {
            let mut mirror = Mirror::example(7_654_321);
            let session = &mut mirror.sessions[0];
            session.target = Target { mtu, ..Target::example(kind) };
            session.packet_length = packet_length;
            session.gbp = gbp;
            sessions.push(mirror);
        }
        for mirror in &sessions {
            let (session, source) = (&mirror.sessions[0], &mirror.source);
            let outer = OuterHeaders::new(session, source).expect("not a GWLB target");
            for inner_len in [0, 1, 14, 54, 99, 100, 101, 963, 964, 965, 1514, 9000, 9001, 20_000] {
                for port in [0, 1, 65408, 65535] {
                    let mut frame = vec![0xa5; HEADROOM];
                    frame.extend((0..inner_len).map(|i| i as u8));
                    let mut want = frame.clone();
                    let expected = encapsulate_in_place(session, source, &mut want, HEADROOM, port);
                    let got = outer.encapsulate_in_place(session, &mut frame, HEADROOM, port);
                    assert_eq!(got, expected, "{inner_len} bytes, port {port}");
                    assert_eq!(frame, want, "{inner_len} bytes, port {port}");
                }
            }
        }
    }

    #[test]
    fn gwlb_targets_have_no_template() {
        let mut mirror = Mirror::example(1);
        mirror.sessions[0].target = Target::example(TargetKind::GatewayLoadBalancerEndpoint);
        assert_eq!(OuterHeaders::new(&mirror.sessions[0], &mirror.source), None);
    }
}
