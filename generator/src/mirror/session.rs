//! A mirror session: what is mirrored, to where, and how it is wrapped.

//!
//! [`Mirror`] is the whole model of one run: the mirrored [`Source`] and its
//! [`Session`]s. The `example` constructors are what `vxgen` and the corpus use
//! wherever a session file does not say otherwise.

use super::filter::Filter;
use crate::wire::vxlan::Vni;
use crate::wire::EthernetAddress;
use ipnet::Ipv4Net;
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

/// A VPC subnet: its CIDR block and the MAC address of its router.
///
/// Each subnet has its own implicit router (Amazon VPC User Guide, "Subnet
/// CIDR blocks": the base + 1 address is reserved for the VPC router), and
/// frames to or from anything off the interface's link carry that router's
/// MAC. In a real mirrored capture whose source and target ENIs sit in
/// different subnets, the inner frames carry the source subnet's router MAC
/// (`02:29:...`) and the outer frame the target subnet's (`06:1d:...`): see
/// docs/aws.md, "Subnets".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subnet {
    /// The subnet's IPv4 CIDR block (within the VPC's).
    pub cidr: Ipv4Net,
    /// MAC address of the subnet's router (locally administered, as AWS assigns them).
    pub router_mac: EthernetAddress,
}

impl Subnet {
    /// The source ENI's subnet unless told otherwise: `10.0.1.0/24`.
    pub fn example_source() -> Subnet {
        Subnet {
            cidr: Ipv4Net::new(Ipv4Addr::new(10, 0, 1, 0), 24).expect("literal CIDR"),
            router_mac: EthernetAddress([0x02, 0x9d, 0x44, 0x10, 0x6b, 0x01]),
        }
    }

    /// The target's subnet unless told otherwise: `10.0.2.0/24`, another
    /// subnet than [`Subnet::example_source`], with another router MAC.
    pub fn example_target() -> Subnet {
        Subnet {
            cidr: Ipv4Net::new(Ipv4Addr::new(10, 0, 2, 0), 24).expect("literal CIDR"),
            router_mac: EthernetAddress([0x06, 0x1d, 0x5c, 0x3a, 0x8e, 0x01]),
        }
    }

    /// Whether `ip` lies in this subnet.
    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        self.cidr.contains(&ip)
    }
}

/// The network interface whose traffic is mirrored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Primary private IPv4 address of the ENI: the outer source address of
    /// every mirrored packet ("Traffic Mirroring packet format").
    pub ip: Ipv4Addr,
    /// MAC address of the ENI (locally administered, as AWS assigns them).
    pub mac: EthernetAddress,
    /// The VPC's IPv4 CIDR block; its base + 2 is the Amazon DNS resolver.
    pub vpc_cidr: Ipv4Net,
    /// The ENI's subnet: its router's MAC is the other end of every inner
    /// frame that leaves the link.
    pub subnet: Subnet,
}

impl Source {
    /// The source ENI used unless a session file names one: `10.0.1.23` in
    /// the subnet `10.0.1.0/24` of the VPC `10.0.0.0/16`.
    pub fn example() -> Source {
        Source {
            ip: Ipv4Addr::new(10, 0, 1, 23),
            mac: EthernetAddress([0x02, 0x4f, 0x1a, 0x8c, 0x3e, 0x71]),
            vpc_cidr: "10.0.0.0/16".parse().expect("literal CIDR"),
            subnet: Subnet::example_source(),
        }
    }
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
    /// The target's subnet: the copy reaches the target from its router, so
    /// the outer Ethernet source is this subnet's router MAC (observed).
    pub subnet: Subnet,
    /// For a Gateway Load Balancer endpoint target: the hop from the Gateway
    /// Load Balancer to the appliance, which adds the GENEVE layer.
    pub gwlb: Option<GwlbHop>,
}

impl Target {
    /// The target used unless a session file names one: an appliance ENI at
    /// `10.0.2.50` with the VPC's jumbo MTU (9001), or an NLB / GWLB endpoint,
    /// in the subnet [`Subnet::example_target`] (not the source's).
    pub fn example(kind: TargetKind) -> Target {
        let gwlb = (kind == TargetKind::GatewayLoadBalancerEndpoint).then_some(GwlbHop {
            gwlb_ip: Ipv4Addr::new(10, 0, 3, 10),
            appliance_ip: Ipv4Addr::new(10, 0, 3, 50),
            appliance_mac: EthernetAddress([0x06, 0x3a, 0x5e, 0x21, 0x90, 0x0c]),
            router_mac: EthernetAddress([0x06, 0x5b, 0x0e, 0x77, 0x13, 0x01]),
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
            subnet: Subnet::example_target(),
            gwlb,
        }
    }
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
    /// MAC address of the router of the appliance's subnet (`10.0.3.0/24`):
    /// the outermost Ethernet source.
    pub router_mac: EthernetAddress,
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

/// The source interface and its sessions: everything a run needs to know
/// about the mirror.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirror {
    /// The mirrored network interface.
    pub source: Source,
    /// Its sessions, in ascending session number.
    pub sessions: Vec<Session>,
}

impl Mirror {
    /// Default capture start: 2024-01-15T09:00:00Z, a fixed instant so that
    /// output never depends on the clock.
    pub const DEFAULT_START_NS: u64 = 1_705_309_200_000_000_000;

    /// Delay between a packet crossing the source interface and its copy
    /// reaching the target; constant, so an ENI target sees copies in order.
    pub const LATENCY_NS: u64 = 48_000;

    /// A single-session mirror of [`Source::example`] to an ENI target
    /// (`10.0.2.50`, MTU 9001, [`Target::example`]), mirroring everything,
    /// with VNI `vni`.
    ///
    /// # Panics
    /// If `vni` is over 2^24-1.
    pub fn example(vni: u32) -> Mirror {
        Mirror {
            source: Source::example(),
            sessions: vec![Session {
                session_number: 1,
                vni: Vni::new(vni).expect("example VNI in range"),
                packet_length: None,
                filter: Filter::accept_all(),
                target: Target::example(TargetKind::NetworkInterface),
                gbp: None,
            }],
        }
    }
}
