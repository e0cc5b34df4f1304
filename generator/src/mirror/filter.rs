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

use super::session::Session;
use crate::flow::{is_amazon_dns_address, is_tcp_or_udp, Direction, PacketKey, DNS_PORT};
use crate::wire::{EtherType, IpProtocol};
use core::fmt;
use core::ops::RangeInclusive;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Smallest and largest rule number (EC2 API CreateTrafficMirrorFilterRule,
/// `RuleNumber`; unique per direction within a filter, processed in ascending
/// order).
pub const RULE_NUMBER_RANGE: RangeInclusive<u16> = 1..=32766;

/// At most this many rules in one filter, ingress and egress together
/// ("Traffic Mirroring quotas": "Maximum number of filter rules per filter: 10",
/// not adjustable).
pub const MAX_RULES_PER_FILTER: usize = 10;

/// The instance metadata service, IPv4 (EC2 User Guide, "Instance metadata").
pub const INSTANCE_METADATA_IPV4: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 254);

/// The instance metadata service, IPv6 (`fd00:ec2::254`, Nitro instances).
pub const INSTANCE_METADATA_IPV6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254);

/// The Amazon Time Sync Service NTP server, IPv4 (EC2 User Guide, "Set the
/// time for your instance").
pub const TIME_SYNC_IPV4: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 123);

/// The Amazon Time Sync Service NTP server, IPv6 (`fd00:ec2::123`, Nitro instances).
pub const TIME_SYNC_IPV6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0123);

/// The AWS Microsoft KMS servers that activate Windows instances (the static
/// routes EC2Launch installs on Windows AMIs).
pub const WINDOWS_ACTIVATION_IPV4: [Ipv4Addr; 2] =
    [Ipv4Addr::new(169, 254, 169, 250), Ipv4Addr::new(169, 254, 169, 251)];

/// What a matching rule does (EC2 API `RuleAction`: `accept` | `reject`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleAction {
    /// `accept`: mirror the packet.
    Accept,
    /// `reject`: do not mirror the packet.
    Reject,
}

impl RuleAction {
    /// The EC2 API spelling: `accept` or `reject`.
    pub const fn as_str(self) -> &'static str {
        match self {
            RuleAction::Accept => "accept",
            RuleAction::Reject => "reject",
        }
    }
}

impl fmt::Display for RuleAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An inclusive port range (EC2 API TrafficMirrorPortRange: `FromPort` is the
/// first port, `ToPort` the last).
///
/// ```
/// use generator::mirror::filter::PortRange;
/// let r = PortRange { from_port: 1024, to_port: 2048 };
/// assert!(r.contains(1024) && r.contains(2048) && !r.contains(2049));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PortRange {
    /// First port of the range.
    pub from_port: u16,
    /// Last port of the range (inclusive).
    pub to_port: u16,
}

impl PortRange {
    /// Whether `port` lies in the range, both ends included.
    pub const fn contains(&self, port: u16) -> bool {
        self.from_port <= port && port <= self.to_port
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.from_port, self.to_port)
    }
}

/// One Traffic Mirror filter rule, field for field as the EC2 API's
/// TrafficMirrorFilterRule.
///
/// ```
/// use generator::flow::{Direction, PacketKey};
/// use generator::mirror::filter::{FilterRule, RuleAction};
/// use generator::wire::IpProtocol;
/// use std::net::Ipv4Addr;
/// let rule = FilterRule::new(100, Direction::Egress, RuleAction::Accept,
///                            "10.0.0.0/16".parse().unwrap(), "0.0.0.0/0".parse().unwrap())
///     .with_protocol(IpProtocol::TCP)
///     .with_destination_ports(443, 443);
/// assert!(rule.validate().is_ok());
/// let key = PacketKey::tcp(Ipv4Addr::new(10, 0, 1, 5).into(), Ipv4Addr::new(93, 184, 216, 34).into(), 40000, 443);
/// assert!(rule.matches(&key));
/// assert!(!rule.matches(&key.reversed()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FilterRule {
    /// `RuleNumber`: 1..=32766, unique within the direction; lower is evaluated first.
    pub rule_number: u16,
    /// `TrafficDirection`: the direction of traffic the rule applies to.
    pub direction: Direction,
    /// `RuleAction`.
    pub action: RuleAction,
    /// `Protocol`: an IANA protocol number; `None` is all protocols (the API's
    /// `Protocol` absent, or -1).
    pub protocol: Option<IpProtocol>,
    /// `SourceCidrBlock`.
    pub source_cidr: IpNet,
    /// `DestinationCidrBlock`: same family as `source_cidr`.
    pub destination_cidr: IpNet,
    /// `SourcePortRange`: only with TCP or UDP; `None` is all ports.
    pub source_port_range: Option<PortRange>,
    /// `DestinationPortRange`: only with TCP or UDP; `None` is all ports.
    pub destination_port_range: Option<PortRange>,
    /// `Description`.
    pub description: Option<String>,
}

impl FilterRule {
    /// A rule for all protocols and all ports between two CIDR blocks.
    pub fn new(
        rule_number: u16,
        direction: Direction,
        action: RuleAction,
        source_cidr: IpNet,
        destination_cidr: IpNet,
    ) -> FilterRule {
        FilterRule {
            rule_number,
            direction,
            action,
            protocol: None,
            source_cidr,
            destination_cidr,
            source_port_range: None,
            destination_port_range: None,
            description: None,
        }
    }

    /// This rule restricted to one protocol.
    pub fn with_protocol(mut self, protocol: IpProtocol) -> FilterRule {
        self.protocol = Some(protocol);
        self
    }

    /// This rule restricted to source ports `from_port..=to_port`.
    pub fn with_source_ports(mut self, from_port: u16, to_port: u16) -> FilterRule {
        self.source_port_range = Some(PortRange { from_port, to_port });
        self
    }

    /// This rule restricted to destination ports `from_port..=to_port`.
    pub fn with_destination_ports(mut self, from_port: u16, to_port: u16) -> FilterRule {
        self.destination_port_range = Some(PortRange { from_port, to_port });
        self
    }

    /// This rule with a description.
    pub fn with_description(mut self, description: impl Into<String>) -> FilterRule {
        self.description = Some(description.into());
        self
    }

    /// Checks what can be checked of one rule on its own: the rule number
    /// range, port ranges only for TCP or UDP and with `FromPort <= ToPort`,
    /// and source and destination CIDR blocks of the same family ("Traffic
    /// mirror filters": "must both be either an IPv4 range or an IPv6 range").
    pub fn validate(&self) -> Result<(), FilterError> {
        let (direction, rule_number) = (self.direction, self.rule_number);
        if !RULE_NUMBER_RANGE.contains(&rule_number) {
            return Err(FilterError::RuleNumberOutOfRange { direction, rule_number });
        }
        for (key, range) in [
            ("SourcePortRange", self.source_port_range),
            ("DestinationPortRange", self.destination_port_range),
        ] {
            let Some(range) = range else { continue };
            if !self.protocol.is_some_and(is_tcp_or_udp) {
                return Err(FilterError::PortRangeNeedsTcpOrUdp {
                    direction,
                    rule_number,
                    key,
                    protocol: self.protocol,
                });
            }
            if range.from_port > range.to_port {
                return Err(FilterError::PortRangeReversed { direction, rule_number, key, range });
            }
        }
        if self.source_cidr.addr().is_ipv4() != self.destination_cidr.addr().is_ipv4() {
            return Err(FilterError::MixedAddressFamilies {
                direction,
                rule_number,
                source_cidr: self.source_cidr,
                destination_cidr: self.destination_cidr,
            });
        }
        Ok(())
    }

    /// Whether the packet matches every criterion of the rule (its direction
    /// is not looked at: [`Filter::evaluate`] picks the direction's rules).
    /// A frame without IP addresses matches no rule.
    pub fn matches(&self, key: &PacketKey) -> bool {
        let (Some(src), Some(dst)) = (key.src, key.dst) else { return false };
        if !self.source_cidr.contains(&src) || !self.destination_cidr.contains(&dst) {
            return false;
        }
        if self.protocol.is_some_and(|p| key.protocol != Some(p)) {
            return false;
        }
        port_matches(self.source_port_range, key.src_port)
            && port_matches(self.destination_port_range, key.dst_port)
    }
}

fn port_matches(range: Option<PortRange>, port: Option<u16>) -> bool {
    match range {
        None => true,
        Some(range) => port.is_some_and(|p| range.contains(p)),
    }
}

/// Why a set of rules is not a filter AWS would accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// `RuleNumber` outside 1..=32766.
    #[error("{direction} RuleNumber {rule_number} is outside 1-32766")]
    RuleNumberOutOfRange {
        /// Direction of the rule.
        direction: Direction,
        /// The number at fault.
        rule_number: u16,
    },
    /// Two rules of one direction share a `RuleNumber`.
    #[error(
        "{direction} RuleNumber {rule_number} is used by more than one rule (must be unique per direction)"
    )]
    DuplicateRuleNumber {
        /// Direction of the rules.
        direction: Direction,
        /// The number used twice.
        rule_number: u16,
    },
    /// More rules than the quota allows.
    #[error("{count} filter rules, but a filter holds at most 10 (Traffic Mirroring quotas)")]
    TooManyRules {
        /// How many rules were given.
        count: usize,
    },
    /// A port range on a rule whose protocol is not TCP or UDP.
    #[error(
        "{direction} rule {rule_number}: {key} needs Protocol 6 (TCP) or 17 (UDP), not {}",
        protocol.map_or_else(|| "-1 (all)".to_string(), |p| p.0.to_string())
    )]
    PortRangeNeedsTcpOrUdp {
        /// Direction of the rule.
        direction: Direction,
        /// Number of the rule.
        rule_number: u16,
        /// `SourcePortRange` or `DestinationPortRange`.
        key: &'static str,
        /// The rule's protocol (`None`: all).
        protocol: Option<IpProtocol>,
    },
    /// `FromPort` greater than `ToPort`.
    #[error("{direction} rule {rule_number}: {key} {range} has FromPort greater than ToPort")]
    PortRangeReversed {
        /// Direction of the rule.
        direction: Direction,
        /// Number of the rule.
        rule_number: u16,
        /// `SourcePortRange` or `DestinationPortRange`.
        key: &'static str,
        /// The range at fault.
        range: PortRange,
    },
    /// One CIDR block IPv4, the other IPv6.
    #[error(
        "{direction} rule {rule_number}: SourceCidrBlock {source_cidr} and DestinationCidrBlock \
         {destination_cidr} must both be IPv4 or both IPv6"
    )]
    MixedAddressFamilies {
        /// Direction of the rule.
        direction: Direction,
        /// Number of the rule.
        rule_number: u16,
        /// `SourceCidrBlock`.
        source_cidr: IpNet,
        /// `DestinationCidrBlock`.
        destination_cidr: IpNet,
    },
}

/// Traffic that AWS never mirrors, whatever the filter says ("Traffic
/// Mirroring limitations": "Traffic Mirroring can't mirror the following
/// traffic types: ARP, DHCP, Instance metadata service, NTP, Windows
/// activation").
///
/// AWS names services, not packets; these are the packets we take them to
/// mean. The link-local services are recognised by address, any protocol;
/// "NTP" is taken to be the Amazon Time Sync Service at 169.254.169.123 /
/// fd00:ec2::123, the NTP that the host answers itself: NTP to a server on the
/// internet is ordinary UDP and follows the rules.
///
/// ```
/// use generator::flow::PacketKey;
/// use generator::mirror::filter::NeverMirrored;
/// use std::net::Ipv4Addr;
/// let imds = PacketKey::tcp(Ipv4Addr::new(10, 0, 1, 5).into(), Ipv4Addr::new(169, 254, 169, 254).into(), 41000, 80);
/// assert_eq!(NeverMirrored::classify(&imds), Some(NeverMirrored::InstanceMetadata));
/// assert_eq!(NeverMirrored::classify(&PacketKey::arp()), Some(NeverMirrored::Arp));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NeverMirrored {
    /// EtherType 0x0806.
    Arp,
    /// DHCP (UDP between ports 67 and 68) or DHCPv6 (UDP between ports 546 and 547).
    Dhcp,
    /// To or from 169.254.169.254 or fd00:ec2::254.
    InstanceMetadata,
    /// To or from the Amazon Time Sync Service, 169.254.169.123 or fd00:ec2::123.
    Ntp,
    /// To or from the AWS KMS servers 169.254.169.250 and 169.254.169.251.
    WindowsActivation,
}

impl NeverMirrored {
    /// Which never-mirrored traffic type the packet is, if any.
    pub fn classify(key: &PacketKey) -> Option<NeverMirrored> {
        if key.ethertype == EtherType::ARP {
            return Some(NeverMirrored::Arp);
        }
        if key.protocol == Some(IpProtocol::UDP) {
            if let (Some(s), Some(d)) = (key.src_port, key.dst_port) {
                let dhcp4 = |p: u16| p == 67 || p == 68;
                let dhcp6 = |p: u16| p == 546 || p == 547;
                if (dhcp4(s) && dhcp4(d)) || (dhcp6(s) && dhcp6(d)) {
                    return Some(NeverMirrored::Dhcp);
                }
            }
        }
        [key.src, key.dst].into_iter().flatten().find_map(Self::classify_address)
    }

    fn classify_address(addr: IpAddr) -> Option<NeverMirrored> {
        match addr {
            IpAddr::V4(a) if a == INSTANCE_METADATA_IPV4 => Some(NeverMirrored::InstanceMetadata),
            IpAddr::V4(a) if a == TIME_SYNC_IPV4 => Some(NeverMirrored::Ntp),
            IpAddr::V4(a) if WINDOWS_ACTIVATION_IPV4.contains(&a) => Some(NeverMirrored::WindowsActivation),
            IpAddr::V6(a) if a == INSTANCE_METADATA_IPV6 => Some(NeverMirrored::InstanceMetadata),
            IpAddr::V6(a) if a == TIME_SYNC_IPV6 => Some(NeverMirrored::Ntp),
            _ => None,
        }
    }

    /// A short name, as in the AWS limitations list.
    pub const fn as_str(self) -> &'static str {
        match self {
            NeverMirrored::Arp => "ARP",
            NeverMirrored::Dhcp => "DHCP",
            NeverMirrored::InstanceMetadata => "instance metadata service",
            NeverMirrored::Ntp => "NTP",
            NeverMirrored::WindowsActivation => "Windows activation",
        }
    }
}

impl fmt::Display for NeverMirrored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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
    use crate::wire::EthernetAddress;

    fn vpc() -> Ipv4Net {
        "10.0.0.0/16".parse().unwrap()
    }
    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }
    fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(a, b, c, d))
    }
    const INSTANCE: [u8; 4] = [10, 0, 1, 5];
    fn instance() -> IpAddr {
        v4(INSTANCE[0], INSTANCE[1], INSTANCE[2], INSTANCE[3])
    }
    fn remote() -> IpAddr {
        v4(93, 184, 216, 34)
    }
    fn any4() -> IpNet {
        net("0.0.0.0/0")
    }
    fn any6() -> IpNet {
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
    fn never_mirrored_with_accept_all() {
        let f = Filter::accept_all();
        let cases = [
            (PacketKey::arp(), NeverMirrored::Arp),
            (PacketKey::udp(v4(0, 0, 0, 0), v4(255, 255, 255, 255), 68, 67), NeverMirrored::Dhcp),
            (PacketKey::udp(v4(10, 0, 0, 1), instance(), 67, 68), NeverMirrored::Dhcp),
            (
                PacketKey::udp(net("fe80::1/128").addr(), net("ff02::1:2/128").addr(), 546, 547),
                NeverMirrored::Dhcp,
            ),
            (PacketKey::tcp(instance(), v4(169, 254, 169, 254), 40000, 80), NeverMirrored::InstanceMetadata),
            (PacketKey::tcp(v4(169, 254, 169, 254), instance(), 80, 40000), NeverMirrored::InstanceMetadata),
            (
                PacketKey::tcp(net("fd00:ec2::5/128").addr(), IpAddr::V6(INSTANCE_METADATA_IPV6), 40000, 80),
                NeverMirrored::InstanceMetadata,
            ),
            (PacketKey::udp(instance(), v4(169, 254, 169, 123), 123, 123), NeverMirrored::Ntp),
            (
                PacketKey::udp(net("fd00:ec2::5/128").addr(), IpAddr::V6(TIME_SYNC_IPV6), 123, 123),
                NeverMirrored::Ntp,
            ),
            (
                PacketKey::tcp(instance(), v4(169, 254, 169, 250), 49000, 1688),
                NeverMirrored::WindowsActivation,
            ),
            (
                PacketKey::tcp(instance(), v4(169, 254, 169, 251), 49000, 1688),
                NeverMirrored::WindowsActivation,
            ),
        ];
        for (key, why) in cases {
            for d in [Direction::Ingress, Direction::Egress] {
                assert_eq!(f.evaluate(d, &key, &vpc()), Verdict::NeverMirrored(why), "{key:?}");
            }
        }
        // NTP to a public server is ordinary UDP.
        let ntp = PacketKey::udp(instance(), v4(162, 159, 200, 1), 123, 123);
        assert!(f.evaluate(Direction::Egress, &ntp, &vpc()).is_mirrored());
        // Not DHCP: only one side on 67/68.
        let not_dhcp = PacketKey::udp(instance(), remote(), 40000, 67);
        assert!(f.evaluate(Direction::Egress, &not_dhcp, &vpc()).is_mirrored());
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
    fn full_port_range_edges() {
        let r = PortRange { from_port: 0, to_port: 65535 };
        assert!(r.contains(0) && r.contains(65535));
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

    #[test]
    fn validation_errors() {
        let rule = |n| FilterRule::new(n, Direction::Ingress, RuleAction::Accept, any4(), any4());
        let err = |rules: Vec<FilterRule>| Filter::new(rules, false).unwrap_err();

        let e = err(vec![rule(0)]);
        assert_eq!(e, FilterError::RuleNumberOutOfRange { direction: Direction::Ingress, rule_number: 0 });
        assert_eq!(e.to_string(), "ingress RuleNumber 0 is outside 1-32766");
        assert!(matches!(
            err(vec![rule(32767)]),
            FilterError::RuleNumberOutOfRange { rule_number: 32767, .. }
        ));
        assert!(Filter::new(vec![rule(1), rule(32766)], false).is_ok());

        let e = err(vec![rule(5), rule(6), rule(5)]);
        assert_eq!(
            e.to_string(),
            "ingress RuleNumber 5 is used by more than one rule (must be unique per direction)"
        );
        // The same number in both directions is fine.
        let mut egress = rule(5);
        egress.direction = Direction::Egress;
        assert!(Filter::new(vec![rule(5), egress], false).is_ok());

        let e = err((1..=11).map(rule).collect());
        assert_eq!(e, FilterError::TooManyRules { count: 11 });
        assert_eq!(
            e.to_string(),
            "11 filter rules, but a filter holds at most 10 (Traffic Mirroring quotas)"
        );
        assert!(Filter::new((1..=10).map(rule).collect(), false).is_ok());

        let e = err(vec![rule(7).with_destination_ports(80, 80)]);
        assert_eq!(
            e.to_string(),
            "ingress rule 7: DestinationPortRange needs Protocol 6 (TCP) or 17 (UDP), not -1 (all)"
        );
        let e = err(vec![rule(7).with_protocol(IpProtocol::ICMP).with_source_ports(1, 2)]);
        assert_eq!(
            e.to_string(),
            "ingress rule 7: SourcePortRange needs Protocol 6 (TCP) or 17 (UDP), not 1"
        );

        let e = err(vec![rule(8).with_protocol(IpProtocol::TCP).with_source_ports(90, 80)]);
        assert_eq!(e.to_string(), "ingress rule 8: SourcePortRange 90-80 has FromPort greater than ToPort");

        let mut mixed = rule(9);
        mixed.destination_cidr = any6();
        assert_eq!(
            err(vec![mixed]).to_string(),
            "ingress rule 9: SourceCidrBlock 0.0.0.0/0 and DestinationCidrBlock ::/0 must both be IPv4 or both IPv6"
        );
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
