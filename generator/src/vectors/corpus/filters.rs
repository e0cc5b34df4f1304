//! Mirror filters and session order: which packets a session copies
//! (AWS Traffic Mirroring filter rules, rule numbers, amazon-dns).

use super::*;

/// The frames a mirror with `sessions` copies from `candidates`: each
/// inner frame goes through [`pick_session`] (AWS "How Traffic Mirroring
/// works": sessions in ascending number, the first whose filter accepts it),
/// and the chosen session's VNI is written.
fn mirrored(sessions: &[Session], candidates: &[(Direction, InnerSpec)]) -> Vec<FrameSpec> {
    let vpc = crate::mirror::session::Source::example().vpc_cidr;
    candidates
        .iter()
        .filter_map(|(dir, spec)| {
            pick_session(sessions, *dir, &spec.key(), &vpc)
                .map(|s| FrameSpec::aws(spec.clone(), s.vni.value()))
        })
        .collect()
}

fn session(number: u16, vni: u32, filter: Filter) -> Session {
    let mut m = crate::mirror::session::Mirror::example(vni);
    let mut s = m.sessions.remove(0);
    s.session_number = number;
    s.filter = filter;
    s
}

pub(super) fn filter(out: &mut Vec<Vector>) {
    let any: ipnet::IpNet = "0.0.0.0/0".parse().expect("CIDR");
    let conn = http_connection(inner::CLIENT_PORT, 0x6f3a_9c01, 0x1c55_0e70, "/");
    let dirs: Vec<(Direction, InnerSpec)> = conn
        .iter()
        .map(|s| {
            (
                if s.src.ip == IpAddr::V4(inner::INSTANCE_IP) {
                    Direction::Egress
                } else {
                    Direction::Ingress
                },
                s.spec(),
            )
        })
        .collect();

    let egress_only = Filter::new(
        vec![FilterRule::new(100, Direction::Egress, RuleAction::Accept, any, any)
            .with_protocol(IpProtocol::TCP)],
        false,
    )
    .expect("valid filter");
    push(
        out,
        "filter",
        "filter-egress-only",
        "A filter accepting egress TCP only: of one HTTP connection's six segments, the capture holds the instance's three.",
        &["aws-filters"],
        &["filter_outcome"],
        Expected::Valid,
        None,
        mirrored(&[session(1, SEED_VNI, egress_only)], &dirs),
    );

    let reject_then_accept = Filter::new(
        vec![
            FilterRule::new(10, Direction::Ingress, RuleAction::Reject, any, any)
                .with_protocol(IpProtocol::TCP)
                .with_source_ports(80, 80),
            FilterRule::new(20, Direction::Ingress, RuleAction::Accept, any, any),
            FilterRule::new(20, Direction::Egress, RuleAction::Accept, any, any),
        ],
        false,
    )
    .expect("valid filter");
    push(
        out,
        "filter",
        "filter-rule-order",
        "Ingress rule 10 rejects TCP from port 80 before rule 20 accepts everything: only the egress segments are mirrored.",
        &["aws-filters"],
        &["filter_outcome"],
        Expected::Valid,
        None,
        mirrored(&[session(1, SEED_VNI, reject_then_accept)], &dirs),
    );

    let web_only = Filter::new(
        vec![
            FilterRule::new(100, Direction::Egress, RuleAction::Accept, any, any)
                .with_protocol(IpProtocol::TCP)
                .with_destination_ports(80, 80),
            FilterRule::new(100, Direction::Ingress, RuleAction::Accept, any, any)
                .with_protocol(IpProtocol::TCP)
                .with_source_ports(80, 80),
        ],
        false,
    )
    .expect("valid filter");
    let mut candidates = dirs.clone();
    candidates.insert(0, (Direction::Egress, inner::dns_query(0x4a1c, "example.com", dns::QType::A)));
    candidates.insert(
        1,
        (Direction::Ingress, inner::dns_response(0x4a1c, "example.com", &[Ipv4Addr::new(93, 184, 215, 14)])),
    );
    push(
        out,
        "filter",
        "filter-two-sessions",
        "Two sessions on one interface: session 1 (VNI 100) takes TCP port 80, session 2 (VNI 200) the rest with amazon-dns, so the DNS exchange carries VNI 200 and the HTTP connection VNI 100.",
        &["aws-how-it-works", "aws-filters"],
        &["filter_outcome", "vni_range"],
        Expected::Valid,
        None,
        mirrored(&[session(1, 100, web_only), session(2, 200, Filter::accept_all())], &candidates),
    );
    let no_dns = Filter::new(
        vec![
            FilterRule::new(100, Direction::Egress, RuleAction::Accept, any, any),
            FilterRule::new(100, Direction::Ingress, RuleAction::Accept, any, any),
        ],
        false,
    )
    .expect("valid filter");
    push(
        out,
        "filter",
        "filter-amazon-dns-off",
        "Accept-all rules without the amazon-dns option: the DNS exchange with the VPC resolver is not mirrored, the HTTP connection is.",
        &["aws-filters"],
        &["filter_outcome"],
        Expected::Valid,
        None,
        mirrored(&[session(1, SEED_VNI, no_dns)], &candidates),
    );
}
