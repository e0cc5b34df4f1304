//! Traffic Mirror filters: which packets of the source network interface a
//! session copies.
//!
//! The model follows the EC2 API (CreateTrafficMirrorFilterRule,
//! TrafficMirrorFilterRule, TrafficMirrorPortRange) and the AWS Traffic
//! Mirroring guide:
//!
//! * "Traffic mirror filter concepts": rules apply to one direction each; they
//!   are evaluated from the lowest rule number to the highest and the first
//!   rule that matches decides whether the packet is mirrored; with no
//!   matching rule (in particular with no rules at all) nothing is mirrored.
//! * "Traffic mirror filters": the source and destination CIDR blocks of a
//!   rule must both be IPv4 or both IPv6.
//! * "Traffic Mirroring quotas": at most 10 filter rules per filter.
//! * "Traffic Mirroring limitations": ARP, DHCP, the instance metadata
//!   service, NTP and Windows activation are never mirrored.
//! * EC2 API ModifyTrafficMirrorFilterNetworkServices and "Traffic mirror
//!   filter concepts": Amazon DNS traffic is not eligible for mirroring unless
//!   the `amazon-dns` network service is added to the filter, and then all of
//!   it, inbound and outbound, is mirrored.
//! * "Traffic mirror session concepts" and EC2 API CreateTrafficMirrorSession
//!   (`SessionNumber`): sessions are evaluated in ascending session number, the
//!   first session with a matching filter mirrors the packet, and each packet is
//!   mirrored once. See [`pick_session`].
//!
//! ```
//! use generator::flow::{Direction, PacketKey};
//! use generator::mirror::filter::{Filter, FilterRule, RuleAction, Verdict};
//! use generator::wire::IpProtocol;
//! use std::net::Ipv4Addr;
//!
//! let vpc: ipnet::Ipv4Net = "10.0.0.0/16".parse().unwrap();
//! let any4: ipnet::IpNet = "0.0.0.0/0".parse().unwrap();
//! // "Traffic mirror filter concepts" example: do not mirror SSH, mirror all other TCP.
//! let filter = Filter::new(
//!     vec![
//!         FilterRule::new(10, Direction::Ingress, RuleAction::Reject, any4, any4)
//!             .with_protocol(IpProtocol::TCP)
//!             .with_destination_ports(22, 22),
//!         FilterRule::new(20, Direction::Ingress, RuleAction::Accept, any4, any4)
//!             .with_protocol(IpProtocol::TCP),
//!     ],
//!     false,
//! )
//! .unwrap();
//! let (client, server) = (Ipv4Addr::new(203, 0, 113, 7).into(), Ipv4Addr::new(10, 0, 1, 5).into());
//! let ssh = PacketKey::tcp(client, server, 50000, 22);
//! let http = PacketKey::tcp(client, server, 50001, 80);
//! assert_eq!(filter.evaluate(Direction::Ingress, &ssh, &vpc), Verdict::Rejected { rule_number: 10 });
//! assert_eq!(filter.evaluate(Direction::Ingress, &http, &vpc), Verdict::Mirror { rule_number: 20 });
//! // No egress rules: nothing outbound is mirrored.
//! assert_eq!(filter.evaluate(Direction::Egress, &http.reversed(), &vpc), Verdict::NoMatchingRule);
//! ```
//!
//! The rules themselves are in `rule.rs`, the traffic AWS never mirrors in
//! `never.rs`; this file is the filter that evaluates them.

mod never;
mod rule;

pub use never::{
    NeverMirrored, INSTANCE_METADATA_IPV4, INSTANCE_METADATA_IPV6, TIME_SYNC_IPV4, TIME_SYNC_IPV6,
    WINDOWS_ACTIVATION_IPV4,
};
pub use rule::{FilterError, FilterRule, PortRange, RuleAction, RULE_NUMBER_RANGE};

use super::session::Session;
use crate::flow::{is_amazon_dns_address, is_tcp_or_udp, Direction, PacketKey, DNS_PORT};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::net::IpAddr;

/// At most this many rules in one filter, ingress and egress together
/// ("Traffic Mirroring quotas": "Maximum number of filter rules per filter: 10",
/// not adjustable).
pub const MAX_RULES_PER_FILTER: usize = 10;

/// What a filter decides for one packet, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Mirrored: the first matching rule of the direction accepts it.
    Mirror {
        /// The deciding rule.
        rule_number: u16,
    },
    /// Mirrored: DNS to or from the Amazon DNS server with the `amazon-dns`
    /// network service selected (the rules are not consulted).
    MirrorAmazonDns,
    /// Not mirrored: the first matching rule of the direction rejects it.
    Rejected {
        /// The deciding rule.
        rule_number: u16,
    },
    /// Not mirrored: no rule of the direction matches.
    NoMatchingRule,
    /// Not mirrored, ever: a traffic type AWS cannot mirror.
    NeverMirrored(NeverMirrored),
    /// Not mirrored: DNS to or from the Amazon DNS server, and the filter does
    /// not select the `amazon-dns` network service (the rules are not consulted).
    AmazonDnsNotSelected,
}

impl Verdict {
    /// Whether the packet is copied to the target.
    pub const fn is_mirrored(&self) -> bool {
        matches!(self, Verdict::Mirror { .. } | Verdict::MirrorAmazonDns)
    }
}

/// A Traffic Mirror filter: its rules, kept in ascending rule number per
/// direction, and whether the `amazon-dns` network service is selected.
///
/// The default filter has no rules and no network services, and so mirrors
/// nothing ("If you don't add any rules, then no traffic is mirrored").
///
/// ```
/// use generator::flow::{Direction, PacketKey};
/// use generator::mirror::filter::{Filter, Verdict};
/// use std::net::Ipv4Addr;
/// let vpc = "10.0.0.0/16".parse().unwrap();
/// let dns = PacketKey::udp(Ipv4Addr::new(10, 0, 1, 5).into(), Ipv4Addr::new(10, 0, 0, 2).into(), 40000, 53);
/// assert_eq!(Filter::accept_all().evaluate(Direction::Egress, &dns, &vpc), Verdict::MirrorAmazonDns);
/// assert_eq!(Filter::default().evaluate(Direction::Egress, &dns, &vpc), Verdict::AmazonDnsNotSelected);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    ingress: Vec<FilterRule>,
    egress: Vec<FilterRule>,
    amazon_dns: bool,
}

impl Filter {
    /// A filter from rules of both directions, in any order.
    ///
    /// Checks every rule ([`FilterRule::validate`]), that rule numbers are
    /// unique per direction (EC2 API CreateTrafficMirrorFilterRule) and the
    /// quota of [`MAX_RULES_PER_FILTER`] rules per filter.
    pub fn new(rules: Vec<FilterRule>, amazon_dns: bool) -> Result<Filter, FilterError> {
        if rules.len() > MAX_RULES_PER_FILTER {
            return Err(FilterError::TooManyRules { count: rules.len() });
        }
        for rule in &rules {
            rule.validate()?;
        }
        let (mut ingress, mut egress): (Vec<_>, Vec<_>) =
            rules.into_iter().partition(|r| r.direction == Direction::Ingress);
        for list in [&mut ingress, &mut egress] {
            list.sort_by_key(|r| r.rule_number);
            if let Some(pair) = list.windows(2).find(|w| w[0].rule_number == w[1].rule_number) {
                return Err(FilterError::DuplicateRuleNumber {
                    direction: pair[0].direction,
                    rule_number: pair[0].rule_number,
                });
            }
        }
        Ok(Filter { ingress, egress, amazon_dns })
    }

    /// A filter that mirrors everything that can be mirrored: rule 100 accepts
    /// all IPv4 traffic and rule 200 all IPv6 traffic, in each direction, and
    /// the `amazon-dns` network service is selected.
    pub fn accept_all() -> Filter {
        let v4 = IpNet::V4(Ipv4Net::default());
        let v6 = IpNet::V6(Ipv6Net::default());
        let mut rules = Vec::with_capacity(4);
        for direction in [Direction::Ingress, Direction::Egress] {
            rules.push(FilterRule::new(100, direction, RuleAction::Accept, v4, v4));
            rules.push(FilterRule::new(200, direction, RuleAction::Accept, v6, v6));
        }
        let (ingress, egress) = rules.into_iter().partition(|r| r.direction == Direction::Ingress);
        Filter { ingress, egress, amazon_dns: true }
    }

    /// The rules of one direction, in ascending rule number.
    pub fn rules(&self, direction: Direction) -> &[FilterRule] {
        match direction {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }

    /// Whether the `amazon-dns` network service is selected.
    pub const fn amazon_dns(&self) -> bool {
        self.amazon_dns
    }

    /// Decides whether a packet crossing the source interface in `direction`
    /// is mirrored. `vpc_cidr` is the source VPC's primary IPv4 CIDR block,
    /// whose base + 2 is the Amazon DNS server.
    ///
    /// In order:
    /// 1. traffic AWS never mirrors ([`NeverMirrored`]) is not mirrored;
    /// 2. DNS (TCP or UDP port 53) to or from the Amazon DNS server is decided
    ///    by the `amazon-dns` network service alone, in both directions and
    ///    without consulting the rules: "By default, Amazon DNS network
    ///    services are not eligible for Traffic Mirror" and "When a network
    ///    service is added to the Traffic Mirror filter, all traffic related to
    ///    that network service will be mirrored" (EC2 API
    ///    ModifyTrafficMirrorFilterNetworkServices; "Traffic mirror filter
    ///    concepts" adds "(inbound and outbound)");
    /// 3. otherwise the rules of `direction` in ascending rule number: the
    ///    first that matches decides; none matching means not mirrored.
    pub fn evaluate(&self, direction: Direction, key: &PacketKey, vpc_cidr: &Ipv4Net) -> Verdict {
        if let Some(never) = NeverMirrored::classify(key) {
            return Verdict::NeverMirrored(never);
        }
        if is_amazon_dns(key, vpc_cidr) {
            return if self.amazon_dns { Verdict::MirrorAmazonDns } else { Verdict::AmazonDnsNotSelected };
        }
        match self.rules(direction).iter().find(|r| r.matches(key)) {
            Some(r) if r.action == RuleAction::Accept => Verdict::Mirror { rule_number: r.rule_number },
            Some(r) => Verdict::Rejected { rule_number: r.rule_number },
            None => Verdict::NoMatchingRule,
        }
    }
}

/// Whether the packet is DNS to or from the Amazon DNS server: TCP or UDP
/// with port 53 on the server's side.
fn is_amazon_dns(key: &PacketKey, vpc_cidr: &Ipv4Net) -> bool {
    if !key.protocol.is_some_and(is_tcp_or_udp) {
        return false;
    }
    let server_side = |addr: Option<IpAddr>, port: Option<u16>| {
        port == Some(DNS_PORT) && addr.is_some_and(|a| is_amazon_dns_address(a, vpc_cidr))
    };
    server_side(key.dst, key.dst_port) || server_side(key.src, key.src_port)
}

/// The session that mirrors a packet, if any.
///
/// Sessions are evaluated in ascending session number, whatever their order
/// in the slice, and the first whose filter mirrors the packet is the one that
/// mirrors it; the packet is mirrored once ("Traffic mirror session concepts":
/// "Each packet is mirrored once"; EC2 API CreateTrafficMirrorSession: "The
/// first session with a matching filter is the one that mirrors the packets").
///
/// A lower-numbered session whose filter rejects the packet (or has no
/// matching rule) does not stop a higher-numbered session from mirroring it: a
/// reject rule only keeps its own session from mirroring. AWS does not spell
/// this case out; we read "a matching filter" as a filter that selects the
/// packet for mirroring, which is what makes the guide's example work (HTTP in
/// a higher-priority session, all other TCP in a lower-priority one).
pub fn pick_session<'a>(
    sessions: &'a [Session],
    direction: Direction,
    key: &PacketKey,
    vpc_cidr: &Ipv4Net,
) -> Option<&'a Session> {
    sessions
        .iter()
        .filter(|s| s.filter.evaluate(direction, key, vpc_cidr).is_mirrored())
        .min_by_key(|s| s.session_number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::AMAZON_DNS_IPV6;
    use crate::mirror::session::{Target, TargetKind};
    use crate::wire::vxlan::Vni;
    use crate::wire::{EtherType, EthernetAddress, IpProtocol};
    use std::net::Ipv4Addr;

    pub(super) fn vpc() -> Ipv4Net {
        "10.0.0.0/16".parse().unwrap()
    }
    pub(super) fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }
    pub(super) fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(a, b, c, d))
    }
    const INSTANCE: [u8; 4] = [10, 0, 1, 5];
    pub(super) fn instance() -> IpAddr {
        v4(INSTANCE[0], INSTANCE[1], INSTANCE[2], INSTANCE[3])
    }
    pub(super) fn remote() -> IpAddr {
        v4(93, 184, 216, 34)
    }
    pub(super) fn any4() -> IpNet {
        net("0.0.0.0/0")
    }
    pub(super) fn any6() -> IpNet {
        net("::/0")
    }

    #[test]
    fn lower_numbered_reject_wins_over_later_accept() {
        let filter = Filter::new(
            vec![
                // Given out of order on purpose.
                FilterRule::new(200, Direction::Ingress, RuleAction::Accept, any4(), any4()),
                FilterRule::new(100, Direction::Ingress, RuleAction::Reject, any4(), any4())
                    .with_protocol(IpProtocol::TCP)
                    .with_destination_ports(22, 22),
            ],
            false,
        )
        .unwrap();
        assert_eq!(filter.rules(Direction::Ingress)[0].rule_number, 100);
        let ssh = PacketKey::tcp(remote(), instance(), 50000, 22);
        let web = PacketKey::tcp(remote(), instance(), 50000, 80);
        assert_eq!(filter.evaluate(Direction::Ingress, &ssh, &vpc()), Verdict::Rejected { rule_number: 100 });
        assert_eq!(filter.evaluate(Direction::Ingress, &web, &vpc()), Verdict::Mirror { rule_number: 200 });
    }

    #[test]
    fn lower_numbered_accept_wins_over_later_reject() {
        let filter = Filter::new(
            vec![
                FilterRule::new(1, Direction::Egress, RuleAction::Accept, any4(), any4()),
                FilterRule::new(2, Direction::Egress, RuleAction::Reject, any4(), any4()),
            ],
            false,
        )
        .unwrap();
        let key = PacketKey::tcp(instance(), remote(), 40000, 443);
        assert_eq!(filter.evaluate(Direction::Egress, &key, &vpc()), Verdict::Mirror { rule_number: 1 });
    }

    #[test]
    fn egress_only_rules_mirror_only_egress() {
        let filter = Filter::new(
            vec![FilterRule::new(10, Direction::Egress, RuleAction::Accept, any4(), any4())],
            false,
        )
        .unwrap();
        let out = PacketKey::tcp(instance(), remote(), 40000, 443);
        let back = out.reversed();
        assert!(filter.evaluate(Direction::Egress, &out, &vpc()).is_mirrored());
        assert_eq!(filter.evaluate(Direction::Ingress, &back, &vpc()), Verdict::NoMatchingRule);
        // The direction, not the addresses, selects the rule set.
        assert_eq!(filter.evaluate(Direction::Ingress, &out, &vpc()), Verdict::NoMatchingRule);
    }

    #[test]
    fn empty_filter_mirrors_nothing() {
        let key = PacketKey::tcp(instance(), remote(), 40000, 443);
        for d in [Direction::Ingress, Direction::Egress] {
            assert_eq!(Filter::default().evaluate(d, &key, &vpc()), Verdict::NoMatchingRule);
        }
    }

    #[test]
    fn amazon_dns_decides_dns_to_the_resolver() {
        let resolver_keys = [
            PacketKey::udp(instance(), v4(10, 0, 0, 2), 40000, 53),
            PacketKey::udp(instance(), v4(169, 254, 169, 253), 40000, 53),
            PacketKey::tcp(instance(), v4(10, 0, 0, 2), 40000, 53),
            PacketKey::udp(instance(), IpAddr::V6(AMAZON_DNS_IPV6), 40000, 53),
        ];
        let with_rules_off = Filter::new(
            vec![FilterRule::new(1, Direction::Egress, RuleAction::Accept, any4(), any4())],
            false,
        )
        .unwrap();
        let mut with_rules_on = with_rules_off.clone();
        with_rules_on.amazon_dns = true;
        for query in resolver_keys {
            let answer = query.reversed();
            // Off: not eligible even though rule 1 accepts everything egress.
            assert_eq!(
                with_rules_off.evaluate(Direction::Egress, &query, &vpc()),
                Verdict::AmazonDnsNotSelected
            );
            assert_eq!(
                with_rules_off.evaluate(Direction::Ingress, &answer, &vpc()),
                Verdict::AmazonDnsNotSelected
            );
            // On: both directions, although there is no ingress rule.
            assert_eq!(with_rules_on.evaluate(Direction::Egress, &query, &vpc()), Verdict::MirrorAmazonDns);
            assert_eq!(with_rules_on.evaluate(Direction::Ingress, &answer, &vpc()), Verdict::MirrorAmazonDns);
            assert!(Filter::accept_all().evaluate(Direction::Egress, &query, &vpc()).is_mirrored());
        }
    }

    #[test]
    fn dns_elsewhere_follows_the_rules() {
        let filter = Filter::accept_all();
        let mut off = filter.clone();
        off.amazon_dns = false;
        // Another resolver, and a subnet's base + 2 that is not the VPC's.
        for dst in [v4(8, 8, 8, 8), v4(10, 0, 1, 2)] {
            let key = PacketKey::udp(instance(), dst, 40000, 53);
            assert_eq!(off.evaluate(Direction::Egress, &key, &vpc()), Verdict::Mirror { rule_number: 100 });
        }
        // Not port 53 on the resolver: not DNS, so the rules decide.
        let ping = PacketKey::ip(instance(), v4(10, 0, 0, 2), IpProtocol::ICMP, None);
        assert_eq!(off.evaluate(Direction::Egress, &ping, &vpc()), Verdict::Mirror { rule_number: 100 });
        // The resolver address follows the VPC CIDR.
        let other_vpc: Ipv4Net = "172.31.0.0/16".parse().unwrap();
        let key = PacketKey::udp(v4(172, 31, 5, 5), v4(172, 31, 0, 2), 40000, 53);
        assert_eq!(off.evaluate(Direction::Egress, &key, &other_vpc), Verdict::AmazonDnsNotSelected);
        assert_eq!(off.evaluate(Direction::Egress, &key, &vpc()), Verdict::Mirror { rule_number: 100 });
    }

    #[test]
    fn port_ranges_are_inclusive_at_both_ends() {
        let filter = Filter::new(
            vec![FilterRule::new(1, Direction::Ingress, RuleAction::Accept, any4(), any4())
                .with_protocol(IpProtocol::UDP)
                .with_source_ports(1000, 1000)
                .with_destination_ports(8000, 8010)],
            false,
        )
        .unwrap();
        let at = |sport, dport| {
            filter.evaluate(Direction::Ingress, &PacketKey::udp(remote(), instance(), sport, dport), &vpc())
        };
        assert!(at(1000, 8000).is_mirrored());
        assert!(at(1000, 8010).is_mirrored());
        assert!(at(1000, 8005).is_mirrored());
        assert_eq!(at(1000, 7999), Verdict::NoMatchingRule);
        assert_eq!(at(1000, 8011), Verdict::NoMatchingRule);
        assert_eq!(at(999, 8000), Verdict::NoMatchingRule);
        assert_eq!(at(1001, 8000), Verdict::NoMatchingRule);
        // Same ports over TCP: the protocol does not match.
        let tcp = PacketKey::tcp(remote(), instance(), 1000, 8000);
        assert_eq!(filter.evaluate(Direction::Ingress, &tcp, &vpc()), Verdict::NoMatchingRule);
    }

    #[test]
    fn cidr_and_protocol_matching() {
        let filter = Filter::new(
            vec![
                FilterRule::new(1, Direction::Ingress, RuleAction::Accept, net("198.51.100.0/24"), any4()),
                FilterRule::new(2, Direction::Ingress, RuleAction::Accept, any6(), any6())
                    .with_protocol(IpProtocol::ICMPV6),
            ],
            false,
        )
        .unwrap();
        let inside = PacketKey::tcp(v4(198, 51, 100, 255), instance(), 1, 2);
        let outside = PacketKey::tcp(v4(198, 51, 101, 0), instance(), 1, 2);
        assert_eq!(filter.evaluate(Direction::Ingress, &inside, &vpc()), Verdict::Mirror { rule_number: 1 });
        assert_eq!(filter.evaluate(Direction::Ingress, &outside, &vpc()), Verdict::NoMatchingRule);
        let a6 = net("2001:db8::1/128").addr();
        let b6 = net("2001:db8::2/128").addr();
        let icmp6 = PacketKey::ip(a6, b6, IpProtocol::ICMPV6, None);
        let tcp6 = PacketKey::tcp(a6, b6, 1, 2);
        assert_eq!(filter.evaluate(Direction::Ingress, &icmp6, &vpc()), Verdict::Mirror { rule_number: 2 });
        assert_eq!(filter.evaluate(Direction::Ingress, &tcp6, &vpc()), Verdict::NoMatchingRule);
        // An IPv4 rule never matches IPv6 and vice versa; non-IP matches nothing.
        let lldp = PacketKey { ethertype: EtherType(0x88cc), ..PacketKey::arp() };
        assert_eq!(Filter::accept_all().evaluate(Direction::Ingress, &lldp, &vpc()), Verdict::NoMatchingRule);
    }

    fn session(number: u16, filter: Filter) -> Session {
        Session {
            session_number: number,
            vni: Vni::new(u32::from(number)).unwrap(),
            packet_length: None,
            filter,
            target: Target {
                kind: TargetKind::NetworkInterface,
                ip: Ipv4Addr::new(10, 0, 2, 9),
                mac: EthernetAddress([0x02, 0, 0, 0, 0, 9]),
                mtu: 9001,
                subnet: crate::mirror::session::Subnet::example_target(),
                gwlb: None,
            },
            gbp: None,
        }
    }

    #[test]
    fn sessions_in_ascending_number_first_mirroring_wins() {
        let http_only = Filter::new(
            vec![FilterRule::new(1, Direction::Ingress, RuleAction::Accept, any4(), any4())
                .with_protocol(IpProtocol::TCP)
                .with_destination_ports(80, 80)],
            false,
        )
        .unwrap();
        let all_tcp = Filter::new(
            vec![FilterRule::new(1, Direction::Ingress, RuleAction::Accept, any4(), any4())
                .with_protocol(IpProtocol::TCP)],
            false,
        )
        .unwrap();
        // Slice order is not session order.
        let sessions = [session(3, all_tcp), session(1, http_only)];
        let http = PacketKey::tcp(remote(), instance(), 50000, 80);
        let ssh = PacketKey::tcp(remote(), instance(), 50000, 22);
        let udp = PacketKey::udp(remote(), instance(), 50000, 80);
        let pick =
            |k: &PacketKey| pick_session(&sessions, Direction::Ingress, k, &vpc()).map(|s| s.session_number);
        assert_eq!(pick(&http), Some(1), "mirrored once, by the lower-numbered session");
        assert_eq!(pick(&ssh), Some(3));
        assert_eq!(pick(&udp), None);
        assert_eq!(pick(&PacketKey::arp()), None);
    }

    #[test]
    fn a_reject_in_a_lower_session_does_not_block_a_higher_one() {
        let reject_ssh = Filter::new(
            vec![
                FilterRule::new(1, Direction::Ingress, RuleAction::Reject, any4(), any4())
                    .with_protocol(IpProtocol::TCP)
                    .with_destination_ports(22, 22),
                FilterRule::new(2, Direction::Ingress, RuleAction::Accept, any4(), any4()),
            ],
            false,
        )
        .unwrap();
        let sessions = [session(1, reject_ssh), session(2, Filter::accept_all())];
        let ssh = PacketKey::tcp(remote(), instance(), 50000, 22);
        let web = PacketKey::tcp(remote(), instance(), 50000, 443);
        let pick =
            |k: &PacketKey| pick_session(&sessions, Direction::Ingress, k, &vpc()).map(|s| s.session_number);
        assert_eq!(pick(&ssh), Some(2));
        assert_eq!(pick(&web), Some(1));
        assert_eq!(pick_session(&[], Direction::Ingress, &web, &vpc()), None);
    }

    #[test]
    fn accept_all_shape() {
        let f = Filter::accept_all();
        assert!(f.amazon_dns());
        for d in [Direction::Ingress, Direction::Egress] {
            let rules = f.rules(d);
            assert_eq!(rules.len(), 2);
            assert!(rules.iter().all(|r| r.direction == d && r.action == RuleAction::Accept));
            assert!(rules.iter().all(|r| r.validate().is_ok()));
        }
        let all: Vec<FilterRule> =
            f.rules(Direction::Ingress).iter().chain(f.rules(Direction::Egress)).cloned().collect();
        assert_eq!(Filter::new(all, true).unwrap(), f);
    }
}
