//! DNS lookups as an instance's stub resolver makes them: UDP datagrams to the
//! Amazon DNS server (Route 53 Resolver) and its answers, as inner frames.
//!
//! # The resolver
//!
//! Every VPC has the Amazon DNS server at the base of its primary IPv4 CIDR
//! block plus two, also reachable at the link-local 169.254.169.253 (Amazon
//! VPC User Guide, "Amazon DNS server"; Route 53 Developer Guide, "Resolving
//! DNS queries between VPCs and your network"). It is a recursive resolver
//! inside the VPC, so a cached answer arrives well under a couple of
//! milliseconds after the query.
//!
//! # The client: glibc's stub resolver
//!
//! What [`DnsLookup::plan`] models is `getaddrinfo(name, AF_UNSPEC)` in glibc,
//! which most Linux AMIs use:
//!
//! * One UDP socket per lookup, bound to a random ephemeral port (Linux
//!   `ip_local_port_range`, 32768-60999) and `connect()`ed to the server
//!   (glibc `res_send.c`, `send_dg`), which sends the A and the AAAA query
//!   back to back (`sendmmsg`), each with its own random message ID, then
//!   waits for both answers. RD is set, there is no EDNS (RFC 1035 section
//!   4.1.1; glibc adds OPT only with `options edns0`).
//! * If the name does not exist (NXDOMAIN, RFC 1035 section 4.1.1 RCODE 3) and
//!   it was not written with a trailing dot, glibc then tries it with the
//!   `search` domain of `/etc/resolv.conf` appended (`res_nsearch`), on a new
//!   socket. On EC2 that domain comes from the VPC's DHCP option set:
//!   `ec2.internal` in us-east-1, `<region>.compute.internal` elsewhere
//!   (Amazon VPC User Guide, "DHCP option sets"); this module uses
//!   [`SEARCH_DOMAIN`] (**chosen**: the us-east-1 default).
//!
//! # Header fields
//!
//! | field | query (instance) | response (Amazon DNS server) |
//! |---|---|---|
//! | IPv4 TTL | 64, Linux's default | 255 (observed) |
//! | IPv4 DF | set | set (observed) |
//! | IPv4 identification | per-socket counter from a random start, +1 per datagram | 0 (observed) |
//! | UDP checksum | filled | filled |
//!
//! Linux sets DF on UDP datagrams: a socket starts with `IP_PMTUDISC_WANT`
//! unless `net.ipv4.ip_no_pmtu_disc` is set, and `ip_dont_fragment()` then
//! asks for DF on every datagram that fits the path MTU (RFC 1191); glibc
//! never changes `IP_MTU_DISCOVER`. (BIND's tools and systemd-resolved turn
//! path MTU discovery off on their DNS sockets and so send with DF clear; a
//! public tcpdump transcript from an EC2 instance using one of those shows DF
//! clear on the queries.) A connected socket takes its IP ID from a
//! per-socket counter that `connect()` seeds at random (`ip4_datagram_connect`,
//! `ip_select_ident_segs`).
//!
//! The resolver's replies, in a public capture of real mirrored traffic
//! (outer 172.31.0.238 to 172.31.17.188, VNI 5569041), all carry IPv4 ID 0,
//! DF set and TTL 255 (an ID of 0 with DF is what RFC 6864 section 4.1 allows
//! for atomic datagrams); see docs/aws.md. Earlier versions of this module
//! followed an older transcript (DF clear, counting IDs); the mirrored
//! capture is the better witness of what a mirror target sees.
//!
//! All addresses in answers come from the documentation ranges (RFC 5737:
//! 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24; RFC 3849: 2001:db8::/32) and
//! names from the reserved example domains (RFC 2606) or AWS's own service
//! names, so a synthetic capture never names a real host.
//!
//! ```
//! use generator::traffic::dns::{DnsLookup, LookupKind};
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
//! let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
//! let lookup = DnsLookup::plan_kind(&host, &mut rng, 1_705_309_200_000_000_000, LookupKind::DualStack);
//! // A and AAAA for the same name, both answered.
//! assert_eq!(lookup.exchanges.len(), 2);
//! assert_eq!(lookup.exchanges[0].name, lookup.exchanges[1].name);
//! assert!(!lookup.nxdomain);
//!
//! let mut packets = lookup.packets(&host);
//! assert_eq!(packets.len(), 4); // two queries, then two answers
//! let mut frame = Vec::new();
//! let first = packets.next_frame(&mut frame).unwrap();
//! assert_eq!(first.event.label(), "DNS query");
//! assert_eq!(first.key.dst_port, Some(53));
//! ```

use super::app::dns::{self as message, rcode, Answer, QType, Query, RData};
use super::frame::{push_udp_frame, IpFields};
use super::{Endpoint, Event, Host, PacketInfo, PacketList};
use crate::flow::{amazon_dns_vpc_resolver, Direction, PacketKey, AMAZON_DNS_IPV4, DNS_PORT};
use core::ops::Range;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Nanoseconds in a microsecond.
const US: u64 = 1_000;
/// Nanoseconds in a millisecond.
const MS: u64 = 1_000_000;

/// Source ports of the queries: Linux's default `net.ipv4.ip_local_port_range`
/// (32768-60999).
pub const EPHEMERAL_PORTS: Range<u16> = 32768..61000;

/// IPv4 TTL of the instance's queries: Linux's default
/// `net.ipv4.ip_default_ttl`.
pub const INSTANCE_TTL: u8 = 64;

/// IPv4 TTL of the Amazon DNS server's responses as they reach the instance:
/// 255, as observed in a real mirrored capture (the resolver is not a routed
/// hop away).
pub const RESOLVER_TTL: u8 = 255;

/// IPv4 identification of every Amazon DNS server response: 0, with DF set
/// ([`RESOLVER_DONT_FRAG`]), as observed in a real mirrored capture (RFC 6864
/// section 4.1: an atomic datagram's ID may be any value).
pub const RESOLVER_IP_IDENT: u16 = 0;

/// Whether the Amazon DNS server's responses have DF set: yes, as observed in
/// a real mirrored capture.
pub const RESOLVER_DONT_FRAG: bool = true;

/// The `search` domain glibc appends after an NXDOMAIN: the DHCP option
/// set's `domain-name` in us-east-1 (Amazon VPC User Guide, "DHCP option
/// sets").
pub const SEARCH_DOMAIN: &str = "ec2.internal";

/// Event label of a query.
pub const LABEL_QUERY: &str = "DNS query";
/// Event label of a NOERROR response (with answers or without: NODATA).
pub const LABEL_RESPONSE: &str = "DNS response";
/// Event label of an NXDOMAIN response.
pub const LABEL_NXDOMAIN: &str = "DNS NXDOMAIN";

/// What a lookup finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LookupKind {
    /// A name with both A and AAAA records.
    DualStack,
    /// A name with A records only: the AAAA query gets NODATA (NOERROR, no
    /// answers, the zone's SOA; RFC 2308 section 2.2).
    Ipv4Only,
    /// A name that is an alias (one or two CNAMEs, RFC 1035 section 3.3.1),
    /// e.g. for a load balancer, whose target has addresses.
    Cname,
    /// A name that does not exist: NXDOMAIN for both queries (RFC 2308
    /// section 2.1), then again with [`SEARCH_DOMAIN`] appended.
    NxDomain,
}

impl LookupKind {
    /// Every kind.
    pub const ALL: [LookupKind; 4] =
        [LookupKind::DualStack, LookupKind::Ipv4Only, LookupKind::Cname, LookupKind::NxDomain];

    /// A kind drawn with the weights of [`DnsLookup::plan`]: 30% dual-stack,
    /// 35% IPv4-only, 25% CNAME, 10% NXDOMAIN (**chosen**).
    pub fn random<R: Rng + ?Sized>(rng: &mut R) -> LookupKind {
        match rng.random_range(0..100u8) {
            0..30 => LookupKind::DualStack,
            30..65 => LookupKind::Ipv4Only,
            65..90 => LookupKind::Cname,
            _ => LookupKind::NxDomain,
        }
    }
}

/// A name the resolver knows, with the shape of its records.
struct Record {
    name: &'static str,
    /// CNAMEs from `name`, in chain order.
    chain: &'static [&'static str],
    /// How many A records (inclusive range; 0 = none).
    a: (u8, u8),
    /// How many AAAA records (0 = none).
    aaaa: (u8, u8),
    /// The address records' TTL at the authority; the resolver hands out what
    /// is left of it in its cache.
    ttl: u32,
}

const fn rec(
    name: &'static str,
    chain: &'static [&'static str],
    a: (u8, u8),
    aaaa: (u8, u8),
    ttl: u32,
) -> Record {
    Record { name, chain, a, aaaa, ttl }
}

const DUAL_STACK: &[Record] = &[
    rec("api.example.com", &[], (1, 2), (1, 2), 300),
    rec("www.example.org", &[], (1, 1), (1, 1), 3600),
    rec("mail.example.net", &[], (1, 2), (1, 1), 300),
    rec("updates.example.org", &[], (2, 4), (2, 4), 60),
];

const IPV4_ONLY: &[Record] = &[
    rec("s3.us-east-1.amazonaws.com", &[], (1, 1), (0, 0), 5),
    rec("sts.us-east-1.amazonaws.com", &[], (1, 1), (0, 0), 60),
    rec("dynamodb.us-east-1.amazonaws.com", &[], (1, 1), (0, 0), 5),
    rec("ec2.us-east-1.amazonaws.com", &[], (1, 1), (0, 0), 60),
    rec("db.example.com", &[], (1, 1), (0, 0), 300),
    rec("repo.example.net", &[], (1, 3), (0, 0), 300),
];

const CNAMES: &[Record] = &[
    rec("www.example.com", &["example-alb-1234567890.us-east-1.elb.amazonaws.com"], (2, 3), (2, 3), 60),
    rec(
        "app.example.net",
        &["internal-app-nlb-0123456789abcdef.elb.us-east-1.amazonaws.com"],
        (1, 3),
        (0, 0),
        60,
    ),
    rec(
        "images.example.org",
        &["images.example.org.cdn.example.net", "edge-7.cdn.example.net"],
        (2, 4),
        (2, 4),
        60,
    ),
    rec("status.example.com", &["status.example.com.s3-website-us-east-1.amazonaws.com"], (1, 1), (0, 0), 60),
];

const NONEXISTENT: &[Record] = &[
    rec("nonexistent.example.com", &[], (0, 0), (0, 0), 0),
    rec("old-service.example.net", &[], (0, 0), (0, 0), 0),
    rec("typo.example.org", &[], (0, 0), (0, 0), 0),
    rec("staging-db.internal.example.com", &[], (0, 0), (0, 0), 0),
];

/// One query datagram and the response to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsExchange {
    /// Message ID (RFC 1035 section 4.1.1), the same in both.
    pub id: u16,
    /// The question name as sent (`dns.qry.name`).
    pub name: String,
    /// The question type: A or AAAA.
    pub qtype: QType,
    /// The instance's UDP source port.
    pub client_port: u16,
    /// When the query left the instance, ns since the epoch.
    pub query_ns: u64,
    /// IPv4 identification of the query.
    pub query_ip_ident: u16,
    /// When the response reached the instance, ns since the epoch.
    pub response_ns: u64,
    /// The response's RCODE: [`rcode::NOERROR`] or [`rcode::NXDOMAIN`].
    pub rcode: u8,
    /// The answer section: CNAMEs first, then the addresses of the type
    /// asked for. Empty for NXDOMAIN and NODATA, whose response carries the
    /// zone's SOA in the authority section instead (RFC 2308 section 2).
    /// A NODATA after a CNAME (an AAAA query for an alias of an IPv4-only
    /// load balancer) keeps the CNAME and has an empty authority section, as
    /// RFC 2308 section 2.2 allows ("NODATA RESPONSE: TYPE 3"; **chosen**:
    /// Route 53 Resolver would add the target zone's SOA).
    pub answers: Vec<Answer<'static>>,
    /// Seed of the SOA record's random parts in a negative response.
    pub soa_seed: u64,
}

impl DnsExchange {
    /// The IPv4 addresses answered (`dns.a`), in order.
    pub fn a(&self) -> Vec<Ipv4Addr> {
        self.answers.iter().filter_map(|a| if let RData::A(v) = a.data { Some(v) } else { None }).collect()
    }

    /// The IPv6 addresses answered (`dns.aaaa`), in order.
    pub fn aaaa(&self) -> Vec<Ipv6Addr> {
        self.answers.iter().filter_map(|a| if let RData::Aaaa(v) = a.data { Some(v) } else { None }).collect()
    }

    /// The CNAME targets answered (`dns.cname`), in order.
    pub fn cnames(&self) -> Vec<&'static str> {
        self.answers
            .iter()
            .filter_map(|a| if let RData::Cname(v) = a.data { Some(v) } else { None })
            .collect()
    }

    /// Whether the response is NOERROR without an address record (NODATA,
    /// possibly after a CNAME).
    pub fn is_nodata(&self) -> bool {
        self.rcode == rcode::NOERROR && self.answers.iter().all(|a| matches!(a.data, RData::Cname(_)))
    }

    /// Appends the query message (RFC 1035 section 4.1).
    fn write_query(&self, out: &mut Vec<u8>) {
        message::write_query(&self.query(), out).expect("catalog names are valid");
    }

    /// Appends the response message.
    fn write_response(&self, out: &mut Vec<u8>) {
        let q = self.query();
        let result = if self.rcode == rcode::NXDOMAIN {
            message::write_nxdomain(&q, out, &mut ChaCha8Rng::seed_from_u64(self.soa_seed))
        } else if self.answers.is_empty() {
            message::write_nodata(&q, out, &mut ChaCha8Rng::seed_from_u64(self.soa_seed))
        } else {
            message::write_response(&q, &self.answers, out)
        };
        result.expect("catalog names are valid");
    }

    fn query(&self) -> Query<'_> {
        Query { id: self.id, name: &self.name, qtype: self.qtype }
    }
}

/// One `getaddrinfo` lookup, planned: every datagram's fields and times, so a
/// test can predict what a dissector must show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsLookup {
    /// The name the application asked for.
    pub name: &'static str,
    /// What the lookup finds.
    pub kind: LookupKind,
    /// Whether the name does not exist (every response is NXDOMAIN).
    pub nxdomain: bool,
    /// The Amazon DNS server address queried: VPC base + 2 or 169.254.169.253.
    pub resolver: Ipv4Addr,
    /// The exchanges in the order the queries were sent: A, AAAA, and for
    /// NXDOMAIN A and AAAA again for the name with [`SEARCH_DOMAIN`].
    pub exchanges: Vec<DnsExchange>,
}

impl DnsLookup {
    /// Plans a lookup of a name drawn from a catalog, with the kind drawn by
    /// [`LookupKind::random`]; the first query leaves at `start_ns`.
    ///
    /// The server is VPC base + 2 ([`amazon_dns_vpc_resolver`]) 85% of the
    /// time and 169.254.169.253 otherwise (**chosen**). A response follows its
    /// query by 0.3-2 ms when the resolver has the answer cached (85%) and by
    /// 2-40 ms when it must recurse (**chosen**; both kinds of delay were
    /// observed on EC2).
    pub fn plan<R: Rng + ?Sized>(host: &Host, rng: &mut R, start_ns: u64) -> DnsLookup {
        let kind = LookupKind::random(rng);
        DnsLookup::plan_kind(host, rng, start_ns, kind)
    }

    /// Plans a lookup of the given kind (see [`DnsLookup::plan`]).
    pub fn plan_kind<R: Rng + ?Sized>(
        host: &Host,
        rng: &mut R,
        start_ns: u64,
        kind: LookupKind,
    ) -> DnsLookup {
        let catalog = match kind {
            LookupKind::DualStack => DUAL_STACK,
            LookupKind::Ipv4Only => IPV4_ONLY,
            LookupKind::Cname => CNAMES,
            LookupKind::NxDomain => NONEXISTENT,
        };
        let record = &catalog[rng.random_range(0..catalog.len())];
        let resolver =
            if rng.random_bool(0.85) { amazon_dns_vpc_resolver(&host.vpc_cidr) } else { AMAZON_DNS_IPV4 };

        // The records as the resolver's cache holds them.
        let chain_ttl = rng.random_range(1..=300);
        let ttl = rng.random_range(1..=record.ttl.max(1));
        let a = distinct(rng, record.a, random_v4);
        let aaaa = distinct(rng, record.aaaa, random_v6);
        let answers = |qtype: QType| -> Vec<Answer<'static>> {
            let mut out: Vec<Answer<'static>> =
                record.chain.iter().map(|&c| Answer { ttl: chain_ttl, data: RData::Cname(c) }).collect();
            match qtype {
                QType::A => out.extend(a.iter().map(|&v| Answer { ttl, data: RData::A(v) })),
                _ => out.extend(aaaa.iter().map(|&v| Answer { ttl, data: RData::Aaaa(v) })),
            }
            out
        };

        let nxdomain = kind == LookupKind::NxDomain;
        let mut names = vec![record.name.to_owned()];
        if nxdomain {
            names.push(format!("{}.{SEARCH_DOMAIN}", record.name));
        }
        let mut exchanges = Vec::with_capacity(2 * names.len());
        let mut at = start_ns;
        for name in names {
            // A new connected socket: a fresh port and IP ID counter.
            let client_port = rng.random_range(EPHEMERAL_PORTS);
            let mut ip_ident: u16 = rng.random();
            let mut last = at;
            for qtype in [QType::A, QType::Aaaa] {
                ip_ident = ip_ident.wrapping_add(1);
                let rtt = if rng.random_bool(0.85) {
                    rng.random_range(300 * US..=2 * MS)
                } else {
                    rng.random_range(2 * MS..=40 * MS)
                };
                let mut id: u16 = rng.random();
                // Two queries in flight with the same ID could not be told apart.
                if exchanges.last().is_some_and(|e: &DnsExchange| e.id == id) {
                    id = id.wrapping_add(1);
                }
                let ex = DnsExchange {
                    id,
                    name: name.clone(),
                    qtype,
                    client_port,
                    query_ns: at,
                    query_ip_ident: ip_ident,
                    response_ns: at + rtt,
                    rcode: if nxdomain { rcode::NXDOMAIN } else { rcode::NOERROR },
                    answers: if nxdomain { Vec::new() } else { answers(qtype) },
                    soa_seed: rng.random(),
                };
                last = last.max(ex.response_ns);
                exchanges.push(ex);
                // sendmmsg: the AAAA query follows a few microseconds later.
                at += rng.random_range(5 * US..=40 * US);
            }
            // glibc handles both answers, closes the socket and moves on.
            at = last + rng.random_range(50 * US..=200 * US);
        }

        DnsLookup { name: record.name, kind, nxdomain, resolver, exchanges }
    }

    /// Builds the frames: each query (egress, instance MAC to router MAC) and
    /// each response (ingress), in time order.
    ///
    /// Queries carry [`INSTANCE_TTL`] and DF; responses [`RESOLVER_TTL`],
    /// DF and IP ID 0 ([`RESOLVER_IP_IDENT`]); every UDP checksum is filled.
    pub fn packets(&self, host: &Host) -> PacketList {
        // A query and its response per exchange; most responses are far
        // below 512 bytes (RFC 1035 section 4.2.1's UDP limit).
        let mut list = PacketList::with_capacity(2 * self.exchanges.len(), 640 * self.exchanges.len());
        let mut payload = Vec::with_capacity(512);
        let resolver = IpAddr::V4(self.resolver);
        for ex in &self.exchanges {
            let client = Endpoint { mac: host.mac, ip: IpAddr::V4(host.ipv4), port: ex.client_port };
            let server = Endpoint { mac: host.router_mac, ip: resolver, port: DNS_PORT };

            payload.clear();
            ex.write_query(&mut payload);
            let info = PacketInfo {
                timestamp_ns: ex.query_ns,
                direction: Direction::Egress,
                key: PacketKey::udp(client.ip, server.ip, client.port, server.port),
                event: Event::Datagram(LABEL_QUERY),
            };
            let ip = IpFields { hop_limit: INSTANCE_TTL, ident: ex.query_ip_ident, dont_frag: true };
            list.push(info, |buf| push_udp_frame(buf, &client, &server, &ip, &payload));

            payload.clear();
            ex.write_response(&mut payload);
            let label = if ex.rcode == rcode::NXDOMAIN { LABEL_NXDOMAIN } else { LABEL_RESPONSE };
            let info = PacketInfo {
                timestamp_ns: ex.response_ns,
                direction: Direction::Ingress,
                key: PacketKey::udp(server.ip, client.ip, server.port, client.port),
                event: Event::Datagram(label),
            };
            let ip =
                IpFields { hop_limit: RESOLVER_TTL, ident: RESOLVER_IP_IDENT, dont_frag: RESOLVER_DONT_FRAG };
            list.push(info, |buf| push_udp_frame(buf, &server, &client, &ip, &payload));
        }
        list.sort();
        list
    }

    /// Time of the last response.
    pub fn end_ns(&self) -> u64 {
        self.exchanges.iter().map(|e| e.response_ns).max().unwrap_or(0)
    }
}

/// One DNS lookup by the instance's stub resolver, as frames in time order:
/// [`DnsLookup::plan`] followed by [`DnsLookup::packets`].
///
/// ```
/// use generator::traffic::dns::dns_flow;
/// use generator::traffic::Host;
/// use generator::wire::EthernetAddress;
/// use rand::SeedableRng;
///
/// let host = Host {
///     mac: EthernetAddress([0x02, 0, 0, 0, 0, 1]),
///     ipv4: "172.31.81.8".parse().unwrap(),
///     ipv6: "2001:db8:1::8".parse().unwrap(),
///     router_mac: EthernetAddress([0x02, 0, 0, 0, 0, 2]),
///     vpc_cidr: "172.31.0.0/16".parse().unwrap(),
/// };
/// let packets = dns_flow(&host, &mut rand_chacha::ChaCha8Rng::seed_from_u64(7), 0);
/// assert!(packets.len() == 4 || packets.len() == 8);
/// ```
pub fn dns_flow<R: Rng + ?Sized>(host: &Host, rng: &mut R, start_ns: u64) -> PacketList {
    DnsLookup::plan(host, rng, start_ns).packets(host)
}

/// Between `count.0` and `count.1` distinct addresses from `draw`.
fn distinct<R: Rng + ?Sized, T: PartialEq>(rng: &mut R, count: (u8, u8), draw: fn(&mut R) -> T) -> Vec<T> {
    let n = if count.1 == 0 { 0 } else { rng.random_range(count.0..=count.1) };
    let mut out = Vec::with_capacity(usize::from(n));
    while out.len() < usize::from(n) {
        let v = draw(rng);
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// An address in one of the IPv4 documentation networks (RFC 5737 section 3).
pub(crate) fn random_v4<R: Rng + ?Sized>(rng: &mut R) -> Ipv4Addr {
    const NETS: [[u8; 3]; 3] = [[192, 0, 2], [198, 51, 100], [203, 0, 113]];
    let [a, b, c] = NETS[rng.random_range(0..NETS.len())];
    Ipv4Addr::new(a, b, c, rng.random_range(1..=254))
}

/// An address in the IPv6 documentation prefix 2001:db8::/32 (RFC 3849).
pub(crate) fn random_v6<R: Rng + ?Sized>(rng: &mut R) -> Ipv6Addr {
    Ipv6Addr::new(0x2001, 0x0db8, rng.random(), rng.random(), 0, 0, 0, rng.random_range(1..=0xffff))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{ethernet, ipv4, udp, IpProtocol};
    use std::collections::HashSet;

    use crate::traffic::test_host as host;

    fn frames(mut list: PacketList) -> Vec<(PacketInfo, Vec<u8>)> {
        crate::traffic::collect_frames(&mut list)
    }

    fn is_documentation_v4(a: Ipv4Addr) -> bool {
        let o = a.octets();
        matches!([o[0], o[1], o[2]], [192, 0, 2] | [198, 51, 100] | [203, 0, 113])
    }

    #[test]
    fn frames_parse_back_with_checksums_and_lengths() {
        let h = host();
        for seed in 0..200 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let lookup = DnsLookup::plan(&h, &mut rng, 1_705_309_200_000_000_000);
            let frames = frames(lookup.packets(&h));
            assert_eq!(frames.len(), 2 * lookup.exchanges.len());
            let mut last = 0;
            for (info, bytes) in &frames {
                assert!(info.timestamp_ns >= last, "time order");
                last = info.timestamp_ns;
                let eth = ethernet::Frame::new_checked(&bytes[..]).unwrap();
                let ip = ipv4::Packet::new_checked(eth.payload()).unwrap();
                assert!(ip.verify_checksum());
                assert_eq!(usize::from(ip.total_len()), eth.payload().len());
                assert_eq!(ip.next_header(), IpProtocol::UDP);
                let dgram = udp::Packet::new_checked(ip.payload()).unwrap();
                assert_eq!(usize::from(dgram.total_len()), ip.payload().len());
                assert!(dgram.verify_checksum(&IpAddr::V4(ip.src_addr()), &IpAddr::V4(ip.dst_addr())));
                let hdr = message::Header::parse(dgram.payload()).unwrap();
                let ex = lookup.exchanges.iter().find(|e| e.id == hdr.id).unwrap();
                let key = PacketKey::udp(
                    ip.src_addr().into(),
                    ip.dst_addr().into(),
                    dgram.src_port(),
                    dgram.dst_port(),
                );
                assert_eq!(info.key, key);
                match info.direction {
                    Direction::Egress => {
                        assert_eq!((eth.src_addr(), eth.dst_addr()), (h.mac, h.router_mac));
                        assert_eq!((ip.src_addr(), ip.dst_addr()), (h.ipv4, lookup.resolver));
                        assert_eq!((dgram.src_port(), dgram.dst_port()), (ex.client_port, 53));
                        assert_eq!(
                            (ip.hop_limit(), ip.dont_frag(), ip.ident()),
                            (64, true, ex.query_ip_ident)
                        );
                        assert_eq!(hdr.flags, message::flags::RD);
                        assert_eq!(info.timestamp_ns, ex.query_ns);
                        assert_eq!(info.event, Event::Datagram(LABEL_QUERY));
                    }
                    Direction::Ingress => {
                        assert_eq!((eth.src_addr(), eth.dst_addr()), (h.router_mac, h.mac));
                        assert_eq!((ip.src_addr(), ip.dst_addr()), (lookup.resolver, h.ipv4));
                        assert_eq!((dgram.src_port(), dgram.dst_port()), (53, ex.client_port));
                        assert_eq!((ip.hop_limit(), ip.dont_frag(), ip.ident()), (255, true, 0));
                        assert_eq!(hdr.rcode(), ex.rcode);
                        assert_eq!(usize::from(hdr.ancount), ex.answers.len());
                        assert_eq!(info.timestamp_ns, ex.response_ns);
                        let rtt = ex.response_ns - ex.query_ns;
                        assert!((300 * US..=40 * MS).contains(&rtt), "{rtt}");
                    }
                }
            }
        }
    }

    #[test]
    fn lookups_look_like_glibc() {
        let h = host();
        let mut kinds = HashSet::new();
        let (mut vpc, mut link_local, mut nx) = (0, 0, 0);
        for seed in 0..500 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let l = DnsLookup::plan(&h, &mut rng, 1_000);
            kinds.insert(l.kind);
            match l.resolver {
                r if r == Ipv4Addr::new(10, 20, 0, 2) => vpc += 1,
                r if r == AMAZON_DNS_IPV4 => link_local += 1,
                r => panic!("resolver {r}"),
            }
            assert_eq!(l.exchanges.len(), if l.nxdomain { 4 } else { 2 });
            nx += usize::from(l.nxdomain);
            for pair in l.exchanges.chunks(2) {
                let (a, aaaa) = (&pair[0], &pair[1]);
                assert_eq!((a.qtype, aaaa.qtype), (QType::A, QType::Aaaa));
                assert_eq!(a.name, aaaa.name);
                assert_eq!(a.client_port, aaaa.client_port, "one socket for both");
                assert!(EPHEMERAL_PORTS.contains(&a.client_port));
                assert_eq!(aaaa.query_ip_ident, a.query_ip_ident.wrapping_add(1));
                assert_ne!(a.id, aaaa.id);
                assert!(aaaa.query_ns > a.query_ns && aaaa.query_ns - a.query_ns <= 40 * US);
                // Both queries go out before either answer is back.
                assert!(aaaa.query_ns < a.response_ns);
            }
            if l.nxdomain {
                assert_eq!(l.exchanges[2].name, format!("{}.ec2.internal", l.name));
                assert!(l.exchanges[2].query_ns > l.exchanges[0].response_ns.max(l.exchanges[1].response_ns));
                assert!(l.exchanges.iter().all(|e| e.rcode == rcode::NXDOMAIN && e.answers.is_empty()));
            } else {
                assert_eq!(l.exchanges[0].name, l.name);
                assert!(!l.exchanges[0].a().is_empty(), "every existing name has A records");
                assert!(l.exchanges[0].a().into_iter().all(is_documentation_v4));
                for v6 in l.exchanges[1].aaaa() {
                    assert_eq!(v6.segments()[..2], [0x2001, 0x0db8]);
                }
                match l.kind {
                    LookupKind::Ipv4Only => assert!(l.exchanges[1].is_nodata()),
                    LookupKind::DualStack => assert!(!l.exchanges[1].aaaa().is_empty()),
                    _ => {}
                }
                assert_eq!(l.kind == LookupKind::Cname, !l.exchanges[0].cnames().is_empty());
                assert_eq!(l.exchanges[0].cnames(), l.exchanges[1].cnames());
            }
        }
        assert_eq!(kinds.len(), 4);
        assert!((400..=450).contains(&vpc) && link_local > 50, "{vpc} {link_local}");
        assert!((30..=80).contains(&nx), "{nx} NXDOMAIN lookups of 500");
    }

    #[test]
    fn nodata_and_nxdomain_carry_an_soa() {
        let h = host();
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let l = DnsLookup::plan_kind(&h, &mut rng, 0, LookupKind::Ipv4Only);
        assert!(l.exchanges[1].is_nodata() && !l.exchanges[0].is_nodata());
        let mut msg = Vec::new();
        l.exchanges[1].write_response(&mut msg);
        let hdr = message::Header::parse(&msg).unwrap();
        assert_eq!((hdr.rcode(), hdr.ancount, hdr.nscount), (0, 0, 1));

        let l = DnsLookup::plan_kind(&h, &mut rng, 0, LookupKind::NxDomain);
        msg.clear();
        l.exchanges[3].write_response(&mut msg);
        let hdr = message::Header::parse(&msg).unwrap();
        assert_eq!((hdr.rcode(), hdr.ancount, hdr.nscount), (3, 0, 1));
    }

    #[test]
    fn deterministic() {
        let h = host();
        let a = DnsLookup::plan(&h, &mut ChaCha8Rng::seed_from_u64(5), 42);
        let b = DnsLookup::plan(&h, &mut ChaCha8Rng::seed_from_u64(5), 42);
        assert_eq!(a, b);
        let (fa, fb) = (frames(a.packets(&h)), frames(b.packets(&h)));
        assert_eq!(fa, fb);
        let c = frames(dns_flow(&h, &mut ChaCha8Rng::seed_from_u64(5), 42));
        assert_eq!(fa, c);
    }

    #[test]
    fn catalog_names_are_valid() {
        for r in DUAL_STACK.iter().chain(IPV4_ONLY).chain(CNAMES).chain(NONEXISTENT) {
            message::validate_name(r.name).unwrap();
            message::validate_name(&format!("{}.{SEARCH_DOMAIN}", r.name)).unwrap();
            for c in r.chain {
                message::validate_name(c).unwrap();
            }
        }
    }
}
