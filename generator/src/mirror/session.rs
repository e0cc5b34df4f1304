//! A mirror session: what is mirrored, to where, and how it is wrapped.

use super::filter::Filter;
use crate::wire::vxlan::Vni;
use crate::wire::EthernetAddress;
use std::net::Ipv4Addr;

/// Smallest and largest session number (EC2 API CreateTrafficMirrorSession,
/// `SessionNumber`: "Valid values are 1-32766"). Lower numbers are evaluated first.
pub const SESSION_NUMBER_RANGE: core::ops::RangeInclusive<u16> = 1..=32766;

/// Largest PacketLength (EC2 API CreateTrafficMirrorSession: the number of
/// bytes in each packet to mirror, counted after the VXLAN header; 8500 is
/// both the maximum and, for Network Load Balancer targets, the default).
pub const MAX_PACKET_LENGTH: u16 = 8500;

/// At most three sessions may share one source network interface
/// ("Traffic Mirroring quotas").
pub const MAX_SESSIONS_PER_SOURCE: usize = 3;

/// The network interface whose traffic is mirrored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Primary private IPv4 address of the ENI: the outer source address of
    /// every mirrored packet ("Traffic Mirroring packet format").
    pub ip: Ipv4Addr,
    /// MAC address of the ENI (locally administered, as AWS assigns them).
    pub mac: EthernetAddress,
    /// The VPC's IPv4 CIDR block; its base + 2 is the Amazon DNS resolver.
    pub vpc_cidr: ipnet::Ipv4Net,
    /// MAC address of the VPC router, the other end of every inner frame.
    pub router_mac: EthernetAddress,
}

/// What kind of resource receives the mirrored copies (EC2 API
/// `TrafficMirrorTarget.Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetKind {
    /// `network-interface`: a standalone instance; copies over its MTU are truncated.
    NetworkInterface,
    /// `network-load-balancer`: a UDP 4789 listener; PacketLength defaults to 8500.
    NetworkLoadBalancer,
    /// `gateway-load-balancer-endpoint`: the appliance receives each VXLAN copy
    /// wrapped once more in GENEVE (RFC 8926) by the Gateway Load Balancer.
    GatewayLoadBalancerEndpoint,
}

impl TargetKind {
    /// The EC2 API spelling of the kind.
    pub const fn api_name(self) -> &'static str {
        match self {
            TargetKind::NetworkInterface => "network-interface",
            TargetKind::NetworkLoadBalancer => "network-load-balancer",
            TargetKind::GatewayLoadBalancerEndpoint => "gateway-load-balancer-endpoint",
        }
    }
}

/// Where the copies go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The kind of target.
    pub kind: TargetKind,
    /// Primary IP of the target (appliance ENI, NLB node, or GWLB endpoint):
    /// the outer destination address.
    pub ip: Ipv4Addr,
    /// MAC address the outer frame is addressed to.
    pub mac: EthernetAddress,
    /// MTU of the receiving interface; a copy larger than this is truncated
    /// to it ("Traffic Mirroring limitations": packet size and MTU).
    pub mtu: u16,
    /// For a Gateway Load Balancer endpoint target: the hop from the Gateway
    /// Load Balancer to the appliance, which adds the GENEVE layer.
    pub gwlb: Option<GwlbHop>,
}

/// The Gateway Load Balancer's side of a `gateway-load-balancer-endpoint`
/// target: the mirror copy travels to the GWLB endpoint, and the GWLB hands it
/// to an appliance inside GENEVE (RFC 8926) with AWS's three options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GwlbHop {
    /// Address of the Gateway Load Balancer node: the outermost source.
    pub gwlb_ip: Ipv4Addr,
    /// Address of the appliance: the outermost destination.
    pub appliance_ip: Ipv4Addr,
    /// MAC address of the appliance's interface.
    pub appliance_mac: EthernetAddress,
    /// GENEVE option (class 0x0108, type 1): the GWLB endpoint id.
    pub endpoint_id: u64,
    /// GENEVE option (class 0x0108, type 2): the attachment id.
    pub attachment_id: u64,
}

/// The VXLAN Group Based Policy bits to set (draft-smith-vxlan-group-policy
/// section 2.1). AWS never sets these: this is a knob for testing decoders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Gbp {
    /// D bit: Don't Learn.
    pub dont_learn: bool,
    /// A bit: Policy Applied.
    pub policy_applied: bool,
    /// Group Policy ID; the G bit is set whenever a `Gbp` is given.
    pub policy_id: u16,
}

/// One Traffic Mirror session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// 1..=32766; lower is evaluated first.
    pub session_number: u16,
    /// The VXLAN Network Identifier written into every copy.
    pub vni: Vni,
    /// Bytes after the VXLAN header to keep (1..=8500); `None` keeps the whole packet.
    pub packet_length: Option<u16>,
    /// Which packets this session mirrors.
    pub filter: Filter,
    /// Where the copies go.
    pub target: Target,
    /// GBP bits to set, if any (not AWS behaviour; for decoder testing).
    pub gbp: Option<Gbp>,
}
