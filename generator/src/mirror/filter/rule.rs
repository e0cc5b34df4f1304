//! One filter rule, field for field as the EC2 API has it
//! (CreateTrafficMirrorFilterRule, TrafficMirrorFilterRule,
//! TrafficMirrorPortRange): what it matches, and what AWS refuses of it.

use crate::flow::{is_tcp_or_udp, Direction, PacketKey};
use crate::wire::IpProtocol;
use core::fmt;
use core::ops::RangeInclusive;
use ipnet::IpNet;

/// Smallest and largest rule number (EC2 API CreateTrafficMirrorFilterRule,
/// `RuleNumber`; unique per direction within a filter, processed in ascending
/// order).
pub const RULE_NUMBER_RANGE: RangeInclusive<u16> = 1..=32766;

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

#[cfg(test)]
mod tests {
    use super::super::tests::{any4, any6};
    use super::super::Filter;
    use super::*;

    #[test]
    fn full_port_range_edges() {
        let r = PortRange { from_port: 0, to_port: 65535 };
        assert!(r.contains(0) && r.contains(65535));
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
}
