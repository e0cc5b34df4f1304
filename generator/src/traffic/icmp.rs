//! `ping` as Linux iputils sends it: ICMP echo requests once a second and the
//! remote host's echo replies (RFC 792 "Echo or Echo Reply Message" for IPv4,
//! RFC 4443 sections 4.1 and 4.2 for IPv6), as inner frames.
//!
//! # The messages
//!
//! * Identifier: random per run (iputils on a raw socket takes it from its
//!   process id; on an ICMP datagram socket the kernel assigns it), the same
//!   in every request and copied into every reply.
//! * Sequence numbers 1, 2, ... (iputils counts from 1).
//! * 56 data bytes (iputils' default `-s 56`, so an 84-byte IPv4 packet):
//!   the first 16 are the `struct timeval` of the moment ping called
//!   `gettimeofday()` just before sending (`tv_sec` then `tv_usec`, each a
//!   64-bit little-endian integer on x86-64 and arm64 Linux), the other 40
//!   are the bytes 0x10, 0x11, ... 0x37 (iputils fills byte `i` of the data
//!   with `i`). The reply echoes the data unchanged (RFC 792, RFC 4443
//!   section 4.2), which is how ping computes the round-trip time.
//! * ICMPv4 checksums cover the message only; ICMPv6 checksums also cover
//!   the IPv6 pseudo-header (RFC 4443 section 2.3).
//!
//! # Header fields
//!
//! | field | request (instance) | reply (remote host) |
//! |---|---|---|
//! | IPv4 TTL / IPv6 hop limit | 64 | 64 or 128 (Linux or Windows) minus the hops on the way |
//! | IPv4 DF | set | clear |
//! | IPv4 identification | random start, then up by 1 + a random step each second | random start, counting up |
//! | IPv6 flow label | random, fixed for the run | random for a Linux remote, 0 for Windows |
//!
//! Linux sets DF on the requests because a socket starts with
//! `IP_PMTUDISC_WANT` (RFC 1191 path MTU discovery); the kernel's echo reply
//! goes out through an ICMP socket with `IP_PMTUDISC_DONT`, so replies from a
//! Linux host have DF clear (both visible in public tcpdump transcripts:
//! requests `ttl 64, flags [DF]`, replies `flags [none]`). The requests' IP ID
//! comes from the kernel's hashed per-destination counters, which advance by
//! a random amount proportional to the time since their last use
//! (`ip_idents_reserve`); the step here is 1 + 0..250 per second
//! (**chosen**, 250 being a common `CONFIG_HZ`). Linux labels IPv6 flows
//! with a hash of the flow (`net.ipv6.auto_flowlabels`, RFC 6437).
//!
//! Remote addresses come from the documentation ranges (RFC 5737, RFC 3849).
//!
//! ```
//! use generator::traffic::icmp::{echo_data, Ping};
//! use generator::traffic::{Host, TrafficSource};
//! use generator::wire::EthernetAddress;
//! use rand::SeedableRng;
//!
//! let host = Host {
//!     mac: EthernetAddress([0x02, 0, 0, 0, 0, 1]),
//!     ipv4: "10.0.1.17".parse().unwrap(),
//!     ipv6: "2001:db8:1::17".parse().unwrap(),
//!     router_mac: EthernetAddress([0x02, 0, 0, 0, 0, 2]),
//!     vpc_cidr: "10.0.0.0/16".parse().unwrap(),
//! };
//! let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
//! let ping = Ping::plan(&mut rng, 1_705_309_200_000_000_000, false);
//! assert!((3..=6).contains(&ping.echoes.len()));
//! assert_eq!(ping.echoes[0].seq, 1);
//!
//! let mut packets = ping.packets(&host);
//! let mut frame = Vec::new();
//! let info = packets.next_frame(&mut frame).unwrap();
//! assert_eq!(info.event.label(), "ICMP echo request");
//! assert_eq!(frame.len(), 14 + 20 + 8 + 56);
//! assert_eq!(frame[14 + 20 + 8 + 16..], echo_data(0)[16..]);
//! ```

use super::dns::{random_v4, random_v6};
use super::frame::{push_ip_headers, IpFields};
use super::{Endpoint, Event, Host, PacketInfo, PacketList};
use crate::flow::{Direction, PacketKey};
use crate::wire::{ethernet, icmpv4, icmpv6, ipv6, IpProtocol};
use rand::Rng;
use std::net::IpAddr;

/// Nanoseconds in a microsecond.
const US: u64 = 1_000;
/// Nanoseconds in a millisecond.
const MS: u64 = 1_000_000;
/// Nanoseconds in a second.
const SEC: u64 = 1_000_000_000;

/// Bytes of data after the ICMP header: iputils' default packet size, 56.
pub const ECHO_DATA_LEN: usize = 56;

/// Bytes of `struct timeval` at the start of the data (two 64-bit fields).
pub const TIMEVAL_LEN: usize = 16;

/// TTL / hop limit of the instance's requests: Linux's default.
pub const INSTANCE_HOP_LIMIT: u8 = 64;

/// Event label of an ICMPv4 echo request.
pub const LABEL_REQUEST_V4: &str = "ICMP echo request";
/// Event label of an ICMPv4 echo reply.
pub const LABEL_REPLY_V4: &str = "ICMP echo reply";
/// Event label of an ICMPv6 echo request.
pub const LABEL_REQUEST_V6: &str = "ICMPv6 echo request";
/// Event label of an ICMPv6 echo reply.
pub const LABEL_REPLY_V6: &str = "ICMPv6 echo reply";

/// The data of an iputils echo request sent at `stamp_us` microseconds since
/// the Unix epoch: the `struct timeval` (`tv_sec`, `tv_usec`, 64-bit
/// little-endian each), then the bytes 0x10 to 0x37.
///
/// ```
/// use generator::traffic::icmp::echo_data;
/// let data = echo_data(1_705_309_200_123_456);
/// assert_eq!(data[..8], 1_705_309_200u64.to_le_bytes());
/// assert_eq!(data[8..16], 123_456u64.to_le_bytes());
/// assert_eq!((data[16], data[55]), (0x10, 0x37));
/// ```
pub fn echo_data(stamp_us: u64) -> [u8; ECHO_DATA_LEN] {
    let mut data = [0u8; ECHO_DATA_LEN];
    data[..8].copy_from_slice(&(stamp_us / 1_000_000).to_le_bytes());
    data[8..16].copy_from_slice(&(stamp_us % 1_000_000).to_le_bytes());
    for (i, b) in data.iter_mut().enumerate().skip(TIMEVAL_LEN) {
        *b = i as u8;
    }
    data
}

/// One echo request and its reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Echo {
    /// Sequence number (`icmp.seq`), from 1.
    pub seq: u16,
    /// The time written into the data, µs since the epoch: a few µs before
    /// the request crossed the interface.
    pub stamp_us: u64,
    /// When the request left the instance, ns since the epoch.
    pub request_ns: u64,
    /// IPv4 identification of the request (0 for IPv6).
    pub request_ip_ident: u16,
    /// When the reply reached the instance, ns since the epoch.
    pub reply_ns: u64,
    /// IPv4 identification of the reply (0 for IPv6).
    pub reply_ip_ident: u16,
}

/// One run of `ping -c N`, planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ping {
    /// ICMPv6 to `host.ipv6` (true) or ICMPv4 (false).
    pub v6: bool,
    /// The address pinged (a documentation address).
    pub remote: IpAddr,
    /// The echo identifier (`icmp.ident`).
    pub ident: u16,
    /// TTL or hop limit of the replies as they arrive.
    pub reply_hop_limit: u8,
    /// IPv6 flow label of the requests (0 for IPv4).
    pub request_flow_label: u32,
    /// IPv6 flow label of the replies (0 for IPv4, or a Windows remote).
    pub reply_flow_label: u32,
    /// The round-trip time the run was planned around; each echo varies
    /// slightly above it.
    pub base_rtt_ns: u64,
    /// The echoes, by sequence number.
    pub echoes: Vec<Echo>,
}

impl Ping {
    /// Plans `ping -c N` (N = 3..=6) to a random remote documentation
    /// address, starting at `start_ns`; [`Ping::packets`] puts the instance
    /// at the other end.
    ///
    /// Requests go out 1 s apart (plus the few tens of µs by which ping's
    /// timer runs late); the remote is a Linux (initial TTL 64) or Windows
    /// (128) host 1-80 ms away and 3-30 hops out, and each reply arrives after
    /// that round-trip time plus up to 10% jitter (**chosen**).
    pub fn plan<R: Rng + ?Sized>(rng: &mut R, start_ns: u64, v6: bool) -> Ping {
        let remote = if v6 { IpAddr::V6(random_v6(rng)) } else { IpAddr::V4(random_v4(rng)) };
        let ident: u16 = rng.random();
        let count = rng.random_range(3..=6u16);
        let base_rtt_ns = rng.random_range(MS..=80 * MS);
        let windows = rng.random_bool(0.3);
        let hops = (3 + base_rtt_ns / (4 * MS) + rng.random_range(0..=3)).min(30) as u8;
        let reply_hop_limit = if windows { 128 } else { 64 } - hops;
        let flow_label = |rng: &mut R| rng.random_range(1..=0xf_ffffu32);
        let (request_flow_label, reply_flow_label) = if v6 {
            let req = flow_label(rng);
            (req, if windows { 0 } else { flow_label(rng) })
        } else {
            (0, 0)
        };

        let mut request_ip_ident: u16 = rng.random();
        let mut reply_ip_ident: u16 = rng.random();
        let mut at = start_ns;
        let mut echoes = Vec::with_capacity(usize::from(count));
        for seq in 1..=count {
            let stamp_us = at.saturating_sub(rng.random_range(3 * US..=25 * US)) / US;
            let rtt = base_rtt_ns + rng.random_range(0..=base_rtt_ns / 10 + 200 * US);
            echoes.push(Echo {
                seq,
                stamp_us,
                request_ns: at,
                request_ip_ident: if v6 { 0 } else { request_ip_ident },
                reply_ns: at + rtt,
                reply_ip_ident: if v6 { 0 } else { reply_ip_ident },
            });
            request_ip_ident = request_ip_ident.wrapping_add(1 + rng.random_range(0..250));
            reply_ip_ident = reply_ip_ident.wrapping_add(1 + rng.random_range(0..64));
            at += SEC + rng.random_range(20 * US..=150 * US);
        }
        Ping { v6, remote, ident, reply_hop_limit, request_flow_label, reply_flow_label, base_rtt_ns, echoes }
    }

    /// Builds the frames, requests (egress, instance MAC to router MAC) and
    /// replies (ingress), in time order, with every checksum filled. The
    /// instance's end is `host.ipv6` for an ICMPv6 run, `host.ipv4` otherwise.
    pub fn packets(&self, host: &Host) -> PacketList {
        let local = if self.v6 { IpAddr::V6(host.ipv6) } else { IpAddr::V4(host.ipv4) };
        let me = Endpoint { mac: host.mac, ip: local, port: 0 };
        let them = Endpoint { mac: host.router_mac, ip: self.remote, port: 0 };
        let protocol = if self.v6 { IpProtocol::ICMPV6 } else { IpProtocol::ICMP };
        let (request_label, reply_label) =
            if self.v6 { (LABEL_REQUEST_V6, LABEL_REPLY_V6) } else { (LABEL_REQUEST_V4, LABEL_REPLY_V4) };

        // A request and a reply per echo, each at most 118 bytes (Ethernet,
        // IPv6, ICMPv6 and 56 bytes of data).
        let mut list = PacketList::with_capacity(2 * self.echoes.len(), 2 * 118 * self.echoes.len());
        for echo in &self.echoes {
            let data = echo_data(echo.stamp_us);
            let info = PacketInfo {
                timestamp_ns: echo.request_ns,
                direction: Direction::Egress,
                key: PacketKey::ip(me.ip, them.ip, protocol, None),
                event: Event::Datagram(request_label),
            };
            let ip =
                IpFields { hop_limit: INSTANCE_HOP_LIMIT, ident: echo.request_ip_ident, dont_frag: true };
            let msg = Message {
                request: true,
                ident: self.ident,
                seq: echo.seq,
                flow_label: self.request_flow_label,
            };
            list.push(info, |buf| push_echo(buf, &me, &them, &ip, &msg, &data));

            let info = PacketInfo {
                timestamp_ns: echo.reply_ns,
                direction: Direction::Ingress,
                key: PacketKey::ip(them.ip, me.ip, protocol, None),
                event: Event::Datagram(reply_label),
            };
            let ip =
                IpFields { hop_limit: self.reply_hop_limit, ident: echo.reply_ip_ident, dont_frag: false };
            let msg = Message { request: false, flow_label: self.reply_flow_label, ..msg };
            list.push(info, |buf| push_echo(buf, &them, &me, &ip, &msg, &data));
        }
        list.sort();
        list
    }

    /// Time of the last reply.
    pub fn end_ns(&self) -> u64 {
        self.echoes.iter().map(|e| e.reply_ns).max().unwrap_or(0)
    }
}

/// `ping -c N` from the instance, as frames in time order: [`Ping::plan`]
/// followed by [`Ping::packets`]. `v6` selects ICMPv6 from `host.ipv6`.
///
/// ```
/// use generator::traffic::icmp::ping_flow;
/// use generator::traffic::Host;
/// use generator::wire::EthernetAddress;
/// use rand::SeedableRng;
///
/// let host = Host {
///     mac: EthernetAddress([0x02, 0, 0, 0, 0, 1]),
///     ipv4: "10.0.1.17".parse().unwrap(),
///     ipv6: "2001:db8:1::17".parse().unwrap(),
///     router_mac: EthernetAddress([0x02, 0, 0, 0, 0, 2]),
///     vpc_cidr: "10.0.0.0/16".parse().unwrap(),
/// };
/// let packets = ping_flow(&host, &mut rand_chacha::ChaCha8Rng::seed_from_u64(9), 0, true);
/// assert!((6..=12).contains(&packets.len()) && packets.len() % 2 == 0);
/// ```
pub fn ping_flow<R: Rng + ?Sized>(host: &Host, rng: &mut R, start_ns: u64, v6: bool) -> PacketList {
    Ping::plan(rng, start_ns, v6).packets(host)
}

/// What differs between the echo messages of a run.
#[derive(Debug, Clone, Copy)]
struct Message {
    request: bool,
    ident: u16,
    seq: u16,
    flow_label: u32,
}

/// Appends Ethernet / IPv4 / ICMPv4 or Ethernet / IPv6 / ICMPv6 with `data`.
fn push_echo(buf: &mut Vec<u8>, src: &Endpoint, dst: &Endpoint, ip: &IpFields, m: &Message, data: &[u8]) {
    let start = buf.len();
    let (ident, seq_no, data_len) = (m.ident, m.seq, data.len());
    match (src.ip, dst.ip) {
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            let repr = if m.request {
                icmpv6::Repr::EchoRequest { ident, seq_no, data_len }
            } else {
                icmpv6::Repr::EchoReply { ident, seq_no, data_len }
            };
            let len = repr.total_len();
            let l4 = push_ip_headers(buf, src, dst, IpProtocol::ICMPV6, ip, len);
            ipv6::Packet::new_unchecked(&mut buf[start + ethernet::HEADER_LEN..])
                .set_flow_label(m.flow_label);
            let mut packet = icmpv6::Packet::new_unchecked(&mut buf[l4..l4 + len]);
            repr.emit(&mut packet);
            packet.data_mut().copy_from_slice(data);
            packet.fill_checksum(&s, &d);
        }
        _ => {
            let repr = if m.request {
                icmpv4::Repr::EchoRequest { ident, seq_no, data_len }
            } else {
                icmpv4::Repr::EchoReply { ident, seq_no, data_len }
            };
            let len = repr.total_len();
            let l4 = push_ip_headers(buf, src, dst, IpProtocol::ICMP, ip, len);
            let mut packet = icmpv4::Packet::new_unchecked(&mut buf[l4..l4 + len]);
            repr.emit(&mut packet);
            packet.data_mut().copy_from_slice(data);
            packet.fill_checksum();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{ipv4, EtherType, EthernetAddress};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn host() -> Host {
        Host {
            mac: EthernetAddress([0x06, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e]),
            ipv4: Ipv4Addr::new(172, 31, 81, 8),
            ipv6: "2001:db8:31:81::8".parse().unwrap(),
            router_mac: EthernetAddress([0x06, 0x99, 0x88, 0x77, 0x66, 0x55]),
            vpc_cidr: "172.31.0.0/16".parse().unwrap(),
        }
    }

    fn frames(mut list: PacketList) -> Vec<(PacketInfo, Vec<u8>)> {
        crate::traffic::collect_frames(&mut list)
    }

    #[test]
    fn data_is_iputils_layout() {
        let d = echo_data(1_590_118_515_175_347);
        // From a tcpdump -X of a Linux ping (tv_sec 0x5ec74873, tv_usec 0x2acf3).
        assert_eq!(d[..16], [0x73, 0x48, 0xc7, 0x5e, 0, 0, 0, 0, 0xf3, 0xac, 0x02, 0, 0, 0, 0, 0]);
        assert_eq!(d[16..].to_vec(), (0x10..=0x37).collect::<Vec<u8>>());
    }

    #[test]
    fn v4_frames_parse_back() {
        let h = host();
        for seed in 0..100 {
            let ping = Ping::plan(&mut ChaCha8Rng::seed_from_u64(seed), 1_705_309_200_000_000_000, false);
            let IpAddr::V4(remote) = ping.remote else { panic!("v4 ping to {}", ping.remote) };
            assert!(matches!(remote.octets()[..3], [192, 0, 2] | [198, 51, 100] | [203, 0, 113]));
            let frames = frames(ping.packets(&h));
            assert_eq!(frames.len(), 2 * ping.echoes.len());
            let mut last = 0;
            for (i, (info, bytes)) in frames.iter().enumerate() {
                assert!(info.timestamp_ns >= last);
                last = info.timestamp_ns;
                // Each reply comes back before the next request: request, reply, request, ...
                let (echo, request) = (&ping.echoes[i / 2], i % 2 == 0);
                let eth = ethernet::Frame::new_checked(&bytes[..]).unwrap();
                assert_eq!(eth.ethertype(), EtherType::IPV4);
                assert_eq!(bytes.len(), 14 + 84);
                let ip = ipv4::Packet::new_checked(eth.payload()).unwrap();
                assert!(ip.verify_checksum());
                assert_eq!((ip.total_len(), ip.next_header()), (84, IpProtocol::ICMP));
                let msg = icmpv4::Packet::new_checked(ip.payload()).unwrap();
                assert!(msg.verify_checksum());
                assert_eq!(msg.data(), echo_data(echo.stamp_us));
                let repr = icmpv4::Repr::parse(&msg).unwrap();
                let (ident, seq_no, data_len) = (ping.ident, echo.seq, ECHO_DATA_LEN);
                if request {
                    assert_eq!(repr, icmpv4::Repr::EchoRequest { ident, seq_no, data_len });
                    assert_eq!((eth.src_addr(), eth.dst_addr()), (h.mac, h.router_mac));
                    assert_eq!((ip.src_addr(), ip.dst_addr()), (h.ipv4, remote));
                    assert_eq!(
                        (ip.hop_limit(), ip.dont_frag(), ip.ident()),
                        (64, true, echo.request_ip_ident)
                    );
                    assert_eq!(info.direction, Direction::Egress);
                    assert_eq!(info.event, Event::Datagram("ICMP echo request"));
                    assert_eq!(info.timestamp_ns, echo.request_ns);
                    let stamp_ns = echo.stamp_us * US;
                    assert!(stamp_ns < echo.request_ns && echo.request_ns - stamp_ns <= 26 * US);
                } else {
                    assert_eq!(repr, icmpv4::Repr::EchoReply { ident, seq_no, data_len });
                    assert_eq!((eth.src_addr(), eth.dst_addr()), (h.router_mac, h.mac));
                    assert_eq!((ip.src_addr(), ip.dst_addr()), (remote, h.ipv4));
                    assert_eq!((ip.hop_limit(), ip.dont_frag()), (ping.reply_hop_limit, false));
                    assert!((34..=61).contains(&ip.hop_limit()) || (98..=125).contains(&ip.hop_limit()));
                    assert_eq!(info.direction, Direction::Ingress);
                    assert_eq!(info.event, Event::Datagram("ICMP echo reply"));
                    let rtt = echo.reply_ns - echo.request_ns;
                    assert!((MS..=89 * MS).contains(&rtt), "{rtt}");
                }
                let key = PacketKey::ip(ip.src_addr().into(), ip.dst_addr().into(), IpProtocol::ICMP, None);
                assert_eq!(info.key, key);
                assert_eq!((info.key.src_port, info.key.dst_port), (None, None));
            }
            for (n, w) in ping.echoes.windows(2).enumerate() {
                assert_eq!(w[1].seq, n as u16 + 2);
                let gap = w[1].request_ns - w[0].request_ns;
                assert!((SEC..SEC + MS).contains(&gap), "{gap}");
                assert_ne!(w[1].request_ip_ident, w[0].request_ip_ident);
            }
        }
    }

    #[test]
    fn v6_frames_parse_back() {
        let h = host();
        for seed in 0..100 {
            let ping = Ping::plan(&mut ChaCha8Rng::seed_from_u64(seed), 1_705_309_200_000_000_000, true);
            let IpAddr::V6(remote) = ping.remote else { panic!("v6 ping to {}", ping.remote) };
            assert_eq!(remote.segments()[..2], [0x2001, 0x0db8]);
            assert_ne!(ping.request_flow_label, 0);
            for (i, (info, bytes)) in frames(ping.packets(&h)).iter().enumerate() {
                let (echo, request) = (&ping.echoes[i / 2], i % 2 == 0);
                let eth = ethernet::Frame::new_checked(&bytes[..]).unwrap();
                assert_eq!(eth.ethertype(), EtherType::IPV6);
                let ip = ipv6::Packet::new_checked(eth.payload()).unwrap();
                assert_eq!((ip.payload_len(), ip.next_header()), (64, IpProtocol::ICMPV6));
                assert_eq!((ip.version(), ip.traffic_class()), (6, 0));
                let (src, dst): (Ipv6Addr, Ipv6Addr) =
                    if request { (h.ipv6, remote) } else { (remote, h.ipv6) };
                assert_eq!((ip.src_addr(), ip.dst_addr()), (src, dst));
                let msg = icmpv6::Packet::new_checked(ip.payload()).unwrap();
                assert!(msg.verify_checksum(&src, &dst));
                assert!(!msg.verify_checksum(&dst, &Ipv6Addr::LOCALHOST), "the pseudo-header counts");
                assert_eq!(msg.data(), echo_data(echo.stamp_us));
                let (ident, seq_no, data_len) = (ping.ident, echo.seq, ECHO_DATA_LEN);
                let key = PacketKey::ip(src.into(), dst.into(), IpProtocol::ICMPV6, None);
                assert_eq!(info.key, key);
                if request {
                    assert_eq!(
                        icmpv6::Repr::parse(&msg).unwrap(),
                        icmpv6::Repr::EchoRequest { ident, seq_no, data_len }
                    );
                    assert_eq!((ip.hop_limit(), ip.flow_label()), (64, ping.request_flow_label));
                    assert_eq!(info.event.label(), "ICMPv6 echo request");
                } else {
                    assert_eq!(
                        icmpv6::Repr::parse(&msg).unwrap(),
                        icmpv6::Repr::EchoReply { ident, seq_no, data_len }
                    );
                    assert_eq!(
                        (ip.hop_limit(), ip.flow_label()),
                        (ping.reply_hop_limit, ping.reply_flow_label)
                    );
                    assert_eq!(info.event.label(), "ICMPv6 echo reply");
                }
            }
        }
    }

    #[test]
    fn runs_vary_and_are_deterministic() {
        let h = host();
        let (mut counts, mut ttls) = (std::collections::HashSet::new(), std::collections::HashSet::new());
        for seed in 0..200 {
            let p = Ping::plan(&mut ChaCha8Rng::seed_from_u64(seed), 0, seed % 2 == 0);
            counts.insert(p.echoes.len());
            ttls.insert(p.reply_hop_limit > 64);
            assert_eq!(p, Ping::plan(&mut ChaCha8Rng::seed_from_u64(seed), 0, seed % 2 == 0));
        }
        assert_eq!(counts.len(), 4);
        assert_eq!(ttls.len(), 2, "Linux and Windows remotes");
        let a = frames(ping_flow(&h, &mut ChaCha8Rng::seed_from_u64(1), 5, false));
        let b = frames(Ping::plan(&mut ChaCha8Rng::seed_from_u64(1), 5, false).packets(&h));
        assert_eq!(a, b);
    }
}
