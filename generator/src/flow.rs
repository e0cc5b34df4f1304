//! Flows as both sides see them: the [`Direction`] a frame crossed the source
//! interface in, the [`PacketKey`] a filter matches on, and the well-known
//! VPC addresses that traffic talks to and filters single out.
//!
//! This module sits below [`crate::traffic`] (which builds frames and
//! describes each with a key and a direction) and [`crate::mirror`] (which
//! decides from them what is copied), so that neither depends on the other.
//!
//! Sources: EC2 API `TrafficDirection` and TrafficMirrorFilterRule (what a rule
//! matches on); Amazon VPC User Guide, "Amazon DNS server".

use crate::wire::{EtherType, IpProtocol};
use core::fmt;
use ipnet::Ipv4Net;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Which way a packet crossed the source network interface, in AWS's words:
/// `ingress` is traffic arriving at the instance, `egress` traffic it sends
/// (EC2 API `TrafficDirection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Arriving at the source network interface.
    Ingress,
    /// Leaving the source network interface.
    Egress,
}

impl Direction {
    /// The other direction.
    pub const fn reverse(self) -> Direction {
        match self {
            Direction::Ingress => Direction::Egress,
            Direction::Egress => Direction::Ingress,
        }
    }

    /// The EC2 API spelling: `ingress` or `egress`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The inner packet as a filter sees it: the flow key of one frame.
///
/// `src` and `dst` are `None` for frames that carry no IP packet (ARP, say);
/// `protocol` is the IPv4 Protocol or the IPv6 upper-layer protocol (after any
/// extension headers); the ports are present only for TCP and UDP, the only
/// protocols whose ports a rule can match (EC2 API TrafficMirrorPortRange:
/// "This applies to the TCP and UDP protocols").
///
/// ```
/// use generator::flow::PacketKey;
/// use generator::wire::{EtherType, IpProtocol};
/// use std::net::Ipv4Addr;
/// let key = PacketKey::udp(Ipv4Addr::new(10, 0, 1, 5).into(), Ipv4Addr::new(10, 0, 0, 2).into(), 40000, 53);
/// assert_eq!(key.ethertype, EtherType::IPV4);
/// assert_eq!(key.protocol, Some(IpProtocol::UDP));
/// assert_eq!(key.reversed().src_port, Some(53));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PacketKey {
    /// EtherType of the inner Ethernet frame (after any 802.1Q tag).
    pub ethertype: EtherType,
    /// IP source address, if the frame carries IP.
    pub src: Option<IpAddr>,
    /// IP destination address, if the frame carries IP.
    pub dst: Option<IpAddr>,
    /// IP protocol number, if the frame carries IP.
    pub protocol: Option<IpProtocol>,
    /// TCP or UDP source port.
    pub src_port: Option<u16>,
    /// TCP or UDP destination port.
    pub dst_port: Option<u16>,
}

impl PacketKey {
    /// An IP packet of any protocol. Ports are kept only when `protocol` is TCP
    /// or UDP; the EtherType follows the family of `src`.
    pub fn ip(src: IpAddr, dst: IpAddr, protocol: IpProtocol, ports: Option<(u16, u16)>) -> PacketKey {
        let ports = if is_tcp_or_udp(protocol) { ports } else { None };
        PacketKey {
            ethertype: if src.is_ipv4() { EtherType::IPV4 } else { EtherType::IPV6 },
            src: Some(src),
            dst: Some(dst),
            protocol: Some(protocol),
            src_port: ports.map(|p| p.0),
            dst_port: ports.map(|p| p.1),
        }
    }

    /// A TCP segment.
    pub fn tcp(src: IpAddr, dst: IpAddr, src_port: u16, dst_port: u16) -> PacketKey {
        PacketKey::ip(src, dst, IpProtocol::TCP, Some((src_port, dst_port)))
    }

    /// A UDP datagram.
    pub fn udp(src: IpAddr, dst: IpAddr, src_port: u16, dst_port: u16) -> PacketKey {
        PacketKey::ip(src, dst, IpProtocol::UDP, Some((src_port, dst_port)))
    }

    /// An ARP frame (never mirrored).
    pub const fn arp() -> PacketKey {
        PacketKey {
            ethertype: EtherType::ARP,
            src: None,
            dst: None,
            protocol: None,
            src_port: None,
            dst_port: None,
        }
    }

    /// The same flow in the other direction: addresses and ports swapped.
    pub const fn reversed(&self) -> PacketKey {
        PacketKey {
            ethertype: self.ethertype,
            src: self.dst,
            dst: self.src,
            protocol: self.protocol,
            src_port: self.dst_port,
            dst_port: self.src_port,
        }
    }
}

pub(crate) fn is_tcp_or_udp(protocol: IpProtocol) -> bool {
    protocol == IpProtocol::TCP || protocol == IpProtocol::UDP
}

// ---------------------------------------------------------------------------
// Well-known addresses: the Amazon DNS server.

/// The DNS port (RFC 1035 section 4.2), on which the Amazon DNS server listens.
pub const DNS_PORT: u16 = 53;

/// The Amazon DNS server's link-local IPv4 address (Amazon VPC User Guide,
/// "Amazon DNS server"), reachable from every instance besides VPC base + 2.
pub const AMAZON_DNS_IPV4: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 253);

/// The Amazon DNS server's IPv6 address on Nitro instances, `fd00:ec2::253`.
pub const AMAZON_DNS_IPV6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0253);

/// The Amazon DNS server inside a VPC: the base of the VPC's (primary) IPv4
/// CIDR block plus two (Amazon VPC User Guide, "Amazon DNS server").
///
/// ```
/// use generator::flow::amazon_dns_vpc_resolver;
/// use std::net::Ipv4Addr;
/// assert_eq!(amazon_dns_vpc_resolver(&"172.31.0.0/16".parse().unwrap()), Ipv4Addr::new(172, 31, 0, 2));
/// ```
pub fn amazon_dns_vpc_resolver(vpc_cidr: &Ipv4Net) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(vpc_cidr.network()).wrapping_add(2))
}

/// Whether `addr` is one of the Amazon DNS server's addresses for a VPC with
/// primary IPv4 CIDR `vpc_cidr`: VPC base + 2, 169.254.169.253 or fd00:ec2::253.
///
/// ```
/// use generator::flow::is_amazon_dns_address;
/// use std::net::Ipv4Addr;
/// let vpc = "10.0.0.0/16".parse().unwrap();
/// assert!(is_amazon_dns_address(Ipv4Addr::new(10, 0, 0, 2).into(), &vpc));
/// assert!(is_amazon_dns_address(Ipv4Addr::new(169, 254, 169, 253).into(), &vpc));
/// assert!(!is_amazon_dns_address(Ipv4Addr::new(10, 0, 1, 2).into(), &vpc));
/// ```
pub fn is_amazon_dns_address(addr: IpAddr, vpc_cidr: &Ipv4Net) -> bool {
    match addr {
        IpAddr::V4(a) => a == AMAZON_DNS_IPV4 || a == amazon_dns_vpc_resolver(vpc_cidr),
        IpAddr::V6(a) => a == AMAZON_DNS_IPV6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packet_key_drops_ports_for_other_protocols() {
        let (a, b) = (IpAddr::V4(Ipv4Addr::new(10, 0, 1, 5)), IpAddr::V4(Ipv4Addr::new(93, 184, 216, 34)));
        let k = PacketKey::ip(a, b, IpProtocol::ICMP, Some((1, 2)));
        assert_eq!((k.src_port, k.dst_port), (None, None));
        let v6 = |s: &str| IpAddr::V6(s.parse().unwrap());
        assert_eq!(PacketKey::tcp(v6("::1"), v6("::2"), 1, 2).ethertype, EtherType::IPV6);
    }

    #[test]
    fn direction_names_follow_the_ec2_api() {
        assert_eq!(Direction::Ingress.to_string(), "ingress");
        assert_eq!(Direction::Egress.reverse(), Direction::Ingress);
        assert_eq!(serde_json::to_string(&Direction::Egress).unwrap(), "\"egress\"");
    }
}
