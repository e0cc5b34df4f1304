//! The ground-truth comment written on each copy (pcapng only), e.g.
//! `egress tcp 10.0.1.23:41522 > 203.0.113.7:443 TLS ClientHello; https-outbound; vni 9999999, session 1`.
//!
//! The format is read back by tests (tests/vxgen_support `parse_comment`):
//! change both together.

use crate::mirror::encap::Truncation;
use crate::mirror::session::Session;
use crate::traffic::PacketInfo;
use core::fmt::Write as _;
use std::net::IpAddr;

/// What one comment says besides the frame itself.
#[derive(Debug, Clone, Copy)]
pub struct CopyFacts<'a> {
    /// The kind of flow the frame belongs to ("" if the source does not say).
    pub flow_kind: &'a str,
    /// The session that mirrored it.
    pub session: &'a Session,
    /// Why the copy is shorter than the frame, if it is.
    pub truncation: Option<Truncation>,
    /// Length of the inner frame as it crossed the interface.
    pub inner_len: usize,
    /// Extra delay in the mirror path (reordering), ns.
    pub delay_ns: u64,
}

/// Writes the comment of one copy into `out` (cleared first).
pub fn describe(out: &mut String, info: &PacketInfo, copy: &CopyFacts<'_>) {
    out.clear();
    let k = &info.key;
    let _ = write!(out, "{} ", info.direction);
    match k.protocol {
        Some(p) => {
            let _ = write!(out, "{p} ");
        }
        None => out.push_str("? "),
    }
    push_end(out, k.src, k.src_port);
    out.push_str(" > ");
    push_end(out, k.dst, k.dst_port);
    let _ = write!(out, " {};", info.event.label());
    if !copy.flow_kind.is_empty() {
        let _ = write!(out, " {};", copy.flow_kind);
    }
    let session = copy.session;
    let _ = write!(out, " vni {}, session {}", session.vni.value(), session.session_number);
    if let Some(g) = session.gbp {
        let _ =
            write!(out, ", gbp policy {} d={} a={}", g.policy_id, g.dont_learn as u8, g.policy_applied as u8);
    }
    let inner_len = copy.inner_len;
    match copy.truncation {
        Some(Truncation::PacketLength(n)) => {
            let _ = write!(out, "; truncated by PacketLength {n} (inner frame {inner_len} bytes)");
        }
        Some(Truncation::Mtu(m)) => {
            let _ = write!(out, "; truncated to target MTU {m} (inner frame {inner_len} bytes)");
        }
        None => {}
    }
    if copy.delay_ns > 0 {
        let _ = write!(out, "; delayed {} us in the mirror path (reordered)", copy.delay_ns / 1000);
    }
}

/// Appends `address:port` (or `address` when there is no port).
fn push_end(out: &mut String, ip: Option<IpAddr>, port: Option<u16>) {
    match (ip, port) {
        // RFC 5952 section 6: an IPv6 address with a port goes in brackets.
        (Some(IpAddr::V6(a)), Some(p)) => {
            let _ = write!(out, "[{a}]:{p}");
        }
        (Some(a), Some(p)) => {
            let _ = write!(out, "{a}:{p}");
        }
        (Some(a), None) => {
            let _ = write!(out, "{a}");
        }
        (None, Some(p)) => {
            let _ = write!(out, "?:{p}");
        }
        (None, None) => out.push('?'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::{Direction, PacketKey};
    use crate::mirror::session::{Gbp, Mirror};
    use crate::traffic::Event;
    use crate::wire::IpProtocol;
    use std::net::Ipv6Addr;

    fn comment(info: &PacketInfo, copy: CopyFacts<'_>) -> String {
        let mut out = "left over".to_string();
        describe(&mut out, info, &copy);
        out
    }

    #[test]
    fn a_plain_copy() {
        let mirror = Mirror::example(9_999_999);
        let key = PacketKey::tcp([10, 0, 1, 23].into(), [203, 0, 113, 7].into(), 41522, 443);
        let info = PacketInfo {
            timestamp_ns: 0,
            direction: Direction::Egress,
            key,
            event: Event::TcpData("TLS ClientHello"),
        };
        let copy = CopyFacts {
            flow_kind: "https-outbound",
            session: &mirror.sessions[0],
            truncation: None,
            inner_len: 300,
            delay_ns: 0,
        };
        assert_eq!(
            comment(&info, copy),
            "egress tcp 10.0.1.23:41522 > 203.0.113.7:443 TLS ClientHello; https-outbound; vni 9999999, session 1"
        );
        assert_eq!(
            comment(&info, CopyFacts { flow_kind: "", ..copy }),
            "egress tcp 10.0.1.23:41522 > 203.0.113.7:443 TLS ClientHello; vni 9999999, session 1",
            "a source that names no flow kind"
        );
    }

    #[test]
    fn gbp_truncation_delay_and_ipv6_brackets() {
        let mut mirror = Mirror::example(5);
        mirror.sessions[0].gbp = Some(Gbp { dont_learn: true, policy_applied: false, policy_id: 4660 });
        let (a, b) = (Ipv6Addr::LOCALHOST.into(), "2001:db8::1".parse::<Ipv6Addr>().unwrap().into());
        let info = PacketInfo {
            timestamp_ns: 0,
            direction: Direction::Ingress,
            key: PacketKey::udp(a, b, 53, 40000),
            event: Event::Datagram("DNS response"),
        };
        let copy = CopyFacts {
            flow_kind: "dns",
            session: &mirror.sessions[0],
            truncation: Some(Truncation::PacketLength(64)),
            inner_len: 120,
            delay_ns: 7_500,
        };
        assert_eq!(
            comment(&info, copy),
            "ingress udp [::1]:53 > [2001:db8::1]:40000 DNS response; dns; vni 5, session 1, gbp policy 4660 d=1 a=0; \
             truncated by PacketLength 64 (inner frame 120 bytes); delayed 7 us in the mirror path (reordered)"
        );
        let icmp = PacketInfo { key: PacketKey::ip(a, b, IpProtocol::ICMPV6, None), ..info };
        let m = comment(&icmp, CopyFacts { truncation: Some(Truncation::Mtu(1000)), delay_ns: 0, ..copy });
        assert!(m.starts_with("ingress icmpv6 ::1 > 2001:db8::1 DNS response; dns;"), "{m}");
        assert!(m.ends_with("; truncated to target MTU 1000 (inner frame 120 bytes)"), "{m}");
        let arp = PacketInfo { key: PacketKey::arp(), ..info };
        assert!(comment(&arp, copy).starts_with("ingress ? ? > ? "));
    }
}
