//! The traffic AWS never mirrors, whatever a filter says.

use crate::flow::PacketKey;
use crate::wire::{EtherType, IpProtocol};
use core::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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

#[cfg(test)]
mod tests {
    use super::super::tests::{instance, net, remote, v4, vpc};
    use super::super::{Filter, Verdict};
    use super::*;
    use crate::flow::Direction;

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
}
