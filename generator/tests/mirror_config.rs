//! The shipped example configuration, loaded and evaluated through the public
//! API only: the two sessions, their filters, and which session mirrors what.

use generator::flow::{Direction, PacketKey};
use generator::mirror::config::MirrorConfig;
use generator::mirror::filter::{pick_session, Verdict};
use generator::mirror::session::{Session, Target, TargetKind};
use generator::wire::vxlan::Vni;
use generator::wire::EthernetAddress;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

fn example() -> MirrorConfig {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/session.json");
    MirrorConfig::from_path(&path).expect("docs/examples/session.json loads")
}

/// Sessions as the generator would resolve them (fixed values where the file leaves a choice).
fn sessions(config: &MirrorConfig) -> Vec<Session> {
    config
        .sessions
        .iter()
        .map(|s| Session {
            session_number: s.session_number,
            vni: s.virtual_network_id.unwrap_or_else(|| Vni::new(4242).unwrap()),
            packet_length: s.packet_length,
            filter: s.filter.clone(),
            target: Target {
                kind: s.target.kind.unwrap_or(TargetKind::NetworkInterface),
                ip: s.target.ip.unwrap_or(Ipv4Addr::new(10, 0, 2, 2)),
                mac: s.target.mac.unwrap_or(EthernetAddress([0x02, 0, 0, 0, 0, 2])),
                mtu: s.target.mtu.unwrap_or(9001),
                subnet: generator::mirror::session::Subnet::example_target(),
                gwlb: None,
            },
            gbp: s.gbp,
        })
        .collect()
}

#[test]
fn example_loads_with_its_source() {
    let config = example();
    let source = config.source.as_ref().unwrap();
    assert_eq!(source.ip, Some(Ipv4Addr::new(10, 0, 1, 25)));
    assert_eq!(source.vpc_cidr.map(|n| n.to_string()).as_deref(), Some("10.0.0.0/16"));
    assert!(source.mac.is_some_and(|m| m.is_local()));
    assert_eq!(config.sessions.iter().map(|s| s.session_number).collect::<Vec<_>>(), [1, 2]);
}

#[test]
fn example_sessions_split_the_traffic() {
    let config = example();
    let vpc = config.source.as_ref().unwrap().vpc_cidr.unwrap();
    let instance = IpAddr::V4(config.source.as_ref().unwrap().ip.unwrap());
    let sessions = sessions(&config);
    let client: IpAddr = Ipv4Addr::new(198, 51, 100, 7).into();
    let web_server: IpAddr = Ipv4Addr::new(93, 184, 216, 34).into();
    let pick =
        |direction, key: PacketKey| pick_session(&sessions, direction, &key, &vpc).map(|s| s.session_number);

    // Inbound HTTP: session 1's rule 20.
    assert_eq!(pick(Direction::Ingress, PacketKey::tcp(client, instance, 50000, 80)), Some(1));
    // Inbound SSH: session 1 rejects it (rule 10 before the accept of rule 20),
    // so session 2, which accepts everything, mirrors it, truncated to 128 bytes.
    let ssh = PacketKey::tcp(client, instance, 50000, 22);
    assert_eq!(
        sessions[0].filter.evaluate(Direction::Ingress, &ssh, &vpc),
        Verdict::Rejected { rule_number: 10 }
    );
    assert_eq!(pick(Direction::Ingress, ssh), Some(2));
    assert_eq!(sessions[1].packet_length, Some(128));
    // Outbound HTTPS: session 1's egress rule; the replies are inbound TCP, also session 1.
    let https = PacketKey::tcp(instance, web_server, 40000, 443);
    assert_eq!(pick(Direction::Egress, https), Some(1));
    assert_eq!(pick(Direction::Ingress, https.reversed()), Some(1));
    // Outbound UDP that is not DNS: only session 2.
    assert_eq!(pick(Direction::Egress, PacketKey::udp(instance, web_server, 40000, 443)), Some(2));
    // DNS to the VPC resolver: session 1 selects amazon-dns, both ways.
    let dns = PacketKey::udp(instance, Ipv4Addr::new(10, 0, 0, 2).into(), 40001, 53);
    assert_eq!(pick(Direction::Egress, dns), Some(1));
    assert_eq!(pick(Direction::Ingress, dns.reversed()), Some(1));
    // Never mirrored, whatever the filters say.
    assert_eq!(pick(Direction::Egress, PacketKey::arp()), None);
    let imds = PacketKey::tcp(instance, Ipv4Addr::new(169, 254, 169, 254).into(), 40002, 80);
    assert_eq!(pick(Direction::Egress, imds), None);
}
