//! The ground-truth comment written on each copy (pcapng only), e.g.
//! `egress tcp 10.0.1.23:41522 > 203.0.113.7:443 TLS ClientHello; https-outbound; vni 9999999, session 1`.
//!
//! The format is read back by tests (tests/vxgen_support `parse_comment`):
//! change both together.

use crate::mirror::encap::Truncation;
use crate::mirror::session::Session;
use crate::traffic::PacketInfo;
use std::io::Write as _;
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

/// Writes the comment of one copy into `out` (cleared first), as UTF-8.
///
/// Every copy of a pcapng capture gets one, so this is on the hot path: it
/// appends bytes and integers (itoa) directly instead of going through
/// `core::fmt`, which took half the time of a pcapng run, and into bytes
/// rather than a `String`, whose `push` encodes each `char`.
pub fn describe(out: &mut Vec<u8>, info: &PacketInfo, copy: &CopyFacts<'_>) {
    out.clear();
    let mut n = itoa::Buffer::new();
    let k = &info.key;
    out.extend_from_slice(info.direction.as_str().as_bytes());
    out.push(b' ');
    match k.protocol {
        Some(p) => match p.name() {
            Some(name) => out.extend_from_slice(name.as_bytes()),
            None => out.extend_from_slice(n.format(p.0).as_bytes()),
        },
        None => out.push(b'?'),
    }
    out.push(b' ');
    push_end(out, &mut n, k.src, k.src_port);
    out.extend_from_slice(b" > ");
    push_end(out, &mut n, k.dst, k.dst_port);
    out.push(b' ');
    out.extend_from_slice(info.event.label().as_bytes());
    out.push(b';');
    if !copy.flow_kind.is_empty() {
        out.push(b' ');
        out.extend_from_slice(copy.flow_kind.as_bytes());
        out.push(b';');
    }
    let session = copy.session;
    out.extend_from_slice(b" vni ");
    out.extend_from_slice(n.format(session.vni.value()).as_bytes());
    out.extend_from_slice(b", session ");
    out.extend_from_slice(n.format(session.session_number).as_bytes());
    if let Some(g) = session.gbp {
        out.extend_from_slice(b", gbp policy ");
        out.extend_from_slice(n.format(g.policy_id).as_bytes());
        out.extend_from_slice(if g.dont_learn { b" d=1" } else { b" d=0" });
        out.extend_from_slice(if g.policy_applied { b" a=1" } else { b" a=0" });
    }
    let (cut, limit): (&[u8], u64) = match copy.truncation {
        Some(Truncation::PacketLength(len)) => (b"; truncated by PacketLength ", u64::from(len)),
        Some(Truncation::Mtu(mtu)) => (b"; truncated to target MTU ", u64::from(mtu)),
        None => (b"", 0),
    };
    if !cut.is_empty() {
        out.extend_from_slice(cut);
        out.extend_from_slice(n.format(limit).as_bytes());
        out.extend_from_slice(b" (inner frame ");
        out.extend_from_slice(n.format(copy.inner_len).as_bytes());
        out.extend_from_slice(b" bytes)");
    }
    if copy.delay_ns > 0 {
        out.extend_from_slice(b"; delayed ");
        out.extend_from_slice(n.format(copy.delay_ns / 1000).as_bytes());
        out.extend_from_slice(b" us in the mirror path (reordered)");
    }
}

/// Appends `address:port` (or `address` when there is no port).
fn push_end(out: &mut Vec<u8>, n: &mut itoa::Buffer, ip: Option<IpAddr>, port: Option<u16>) {
    match ip {
        Some(IpAddr::V4(a)) => push_ipv4(out, a.octets()),
        // RFC 5952 section 6: an IPv6 address with a port goes in brackets.
        Some(IpAddr::V6(a)) if port.is_some() => {
            let _ = write!(out, "[{a}]");
        }
        Some(IpAddr::V6(a)) => {
            let _ = write!(out, "{a}");
        }
        None => out.push(b'?'),
    }
    if let Some(p) = port {
        out.push(b':');
        out.extend_from_slice(n.format(p).as_bytes());
    }
}

/// Appends an IPv4 address in dotted decimal, as `Ipv4Addr`'s `Display`
/// does, digit by digit into an array appended at once (it is in every
/// comment, twice).
fn push_ipv4(out: &mut Vec<u8>, octets: [u8; 4]) {
    let mut text = [0u8; 15];
    let mut len = 0;
    for (i, octet) in octets.into_iter().enumerate() {
        if i > 0 {
            text[len] = b'.';
            len += 1;
        }
        if octet >= 100 {
            text[len] = b'0' + octet / 100;
            len += 1;
        }
        if octet >= 10 {
            text[len] = b'0' + octet / 10 % 10;
            len += 1;
        }
        text[len] = b'0' + octet % 10;
        len += 1;
    }
    out.extend_from_slice(&text[..len]);
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
        let mut out = b"left over".to_vec();
        describe(&mut out, info, &copy);
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn ipv4_reads_as_display_does() {
        for a in [[0, 0, 0, 0], [10, 0, 1, 23], [255, 255, 255, 255], [9, 99, 100, 109], [1, 10, 200, 250]] {
            let mut out = b"x".to_vec();
            push_ipv4(&mut out, a);
            assert_eq!(out, format!("x{}", std::net::Ipv4Addr::from(a)).as_bytes());
        }
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
