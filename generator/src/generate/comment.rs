//! The ground-truth comment written on each copy (pcapng only), e.g.
//! `egress tcp 10.0.1.23:41522 > 203.0.113.7:443 TLS ClientHello; https-outbound; vni 9999999, session 1`.
//!
//! The format is read back by tests (tests/vxgen_support `parse_comment`):
//! change both together.

use crate::flow::{Direction, PacketKey};
use crate::mirror::encap::Truncation;
use crate::mirror::session::{Gbp, Session};
use crate::traffic::PacketInfo;
use crate::wire::vxlan::Vni;
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
///
/// Every copy of a pcapng capture gets one, so this is on the hot path: it
/// appends strings and integers (itoa) directly instead of going through
/// `core::fmt`, which took half the time of a pcapng run, and takes the
/// parts that repeat from copy to copy (the packet's ends, the session) from
/// `memo`.
pub fn describe(out: &mut String, memo: &mut Memo, info: &PacketInfo, copy: &CopyFacts<'_>) {
    out.clear();
    memo.push_ends(out, info);
    out.push(' ');
    out.push_str(info.event.label());
    out.push(';');
    if !copy.flow_kind.is_empty() {
        out.push(' ');
        out.push_str(copy.flow_kind);
        out.push(';');
    }
    memo.push_session(out, copy.session);
    let mut n = itoa::Buffer::new();
    let (cut, limit) = match copy.truncation {
        Some(Truncation::PacketLength(len)) => ("; truncated by PacketLength ", u64::from(len)),
        Some(Truncation::Mtu(mtu)) => ("; truncated to target MTU ", u64::from(mtu)),
        None => ("", 0),
    };
    if !cut.is_empty() {
        out.push_str(cut);
        out.push_str(n.format(limit));
        out.push_str(" (inner frame ");
        out.push_str(n.format(copy.inner_len));
        out.push_str(" bytes)");
    }
    if copy.delay_ns > 0 {
        out.push_str("; delayed ");
        out.push_str(n.format(copy.delay_ns / 1000));
        out.push_str(" us in the mirror path (reordered)");
    }
}

/// The parts of comments that repeat from one copy to the next, written
/// once: for the last few packet keys the text `egress tcp source >
/// destination` (consecutive copies mostly belong to flows just seen, and
/// writing out two addresses and ports was a third of a comment's time),
/// and for the last session its `vni .., session ..`.
#[derive(Debug)]
pub struct Memo {
    ends: Vec<Option<(Direction, PacketKey, String)>>,
    session: Option<(SessionId, String)>,
}

/// What of a session its comments say: VNI, session number, GBP bits.
type SessionId = (Vni, u16, Option<Gbp>);

impl Default for Memo {
    fn default() -> Memo {
        Memo { ends: vec![None; 128], session: None }
    }
}

impl Memo {
    /// Appends `direction protocol address:port > address:port` (each end
    /// without `:port` when the key has no ports).
    fn push_ends(&mut self, out: &mut String, info: &PacketInfo) {
        let (direction, key) = (info.direction, &info.key);
        let (src, dst) = (key.src_port.unwrap_or(0), key.dst_port.unwrap_or(0));
        // Both directions of a flow go to different slots.
        let i = (usize::from(src).wrapping_mul(40_503) ^ usize::from(dst)) % self.ends.len();
        let slot = &mut self.ends[i];
        if let Some((d, k, text)) = slot {
            if *d == direction && k == key {
                out.push_str(text);
                return;
            }
        }
        let mut text = slot.take().map(|(_, _, t)| t).unwrap_or_default();
        text.clear();
        let mut n = itoa::Buffer::new();
        text.push_str(direction.as_str());
        text.push(' ');
        match key.protocol {
            Some(p) => match p.name() {
                Some(name) => text.push_str(name),
                None => text.push_str(n.format(p.0)),
            },
            None => text.push('?'),
        }
        text.push(' ');
        push_end(&mut text, &mut n, key.src, key.src_port);
        text.push_str(" > ");
        push_end(&mut text, &mut n, key.dst, key.dst_port);
        out.push_str(&text);
        *slot = Some((direction, *key, text));
    }

    /// Appends ` vni N, session N` and the GBP bits if the session sets them.
    fn push_session(&mut self, out: &mut String, session: &Session) {
        let id = (session.vni, session.session_number, session.gbp);
        if let Some((known, text)) = &self.session {
            if *known == id {
                out.push_str(text);
                return;
            }
        }
        let mut text = String::new();
        let mut n = itoa::Buffer::new();
        text.push_str(" vni ");
        text.push_str(n.format(session.vni.value()));
        text.push_str(", session ");
        text.push_str(n.format(session.session_number));
        if let Some(g) = session.gbp {
            text.push_str(", gbp policy ");
            text.push_str(n.format(g.policy_id));
            text.push_str(if g.dont_learn { " d=1" } else { " d=0" });
            text.push_str(if g.policy_applied { " a=1" } else { " a=0" });
        }
        out.push_str(&text);
        self.session = Some((id, text));
    }
}

/// Appends `address:port` (or `address` when there is no port).
fn push_end(out: &mut String, n: &mut itoa::Buffer, ip: Option<IpAddr>, port: Option<u16>) {
    match ip {
        Some(IpAddr::V4(a)) => push_ipv4(out, a.octets()),
        // RFC 5952 section 6: an IPv6 address with a port goes in brackets.
        Some(IpAddr::V6(a)) if port.is_some() => {
            let _ = write!(out, "[{a}]");
        }
        Some(IpAddr::V6(a)) => {
            let _ = write!(out, "{a}");
        }
        None => out.push('?'),
    }
    if let Some(p) = port {
        out.push(':');
        out.push_str(n.format(p));
    }
}

/// Appends an IPv4 address in dotted decimal, as `Ipv4Addr`'s `Display`
/// does, digit by digit.
fn push_ipv4(out: &mut String, octets: [u8; 4]) {
    for (i, octet) in octets.into_iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        if octet >= 100 {
            out.push(char::from(b'0' + octet / 100));
        }
        if octet >= 10 {
            out.push(char::from(b'0' + octet / 10 % 10));
        }
        out.push(char::from(b'0' + octet % 10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirror::session::Mirror;
    use crate::traffic::Event;
    use crate::wire::IpProtocol;
    use std::net::Ipv6Addr;

    fn comment(info: &PacketInfo, copy: CopyFacts<'_>) -> String {
        let mut out = "left over".to_string();
        describe(&mut out, &mut Memo::default(), info, &copy);
        out
    }

    #[test]
    fn ipv4_reads_as_display_does() {
        for a in [[0, 0, 0, 0], [10, 0, 1, 23], [255, 255, 255, 255], [9, 99, 100, 109], [1, 10, 200, 250]] {
            let mut out = String::from("x");
            push_ipv4(&mut out, a);
            assert_eq!(out, format!("x{}", std::net::Ipv4Addr::from(a)));
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

    #[test]
    fn remembered_parts_read_as_written_ones() {
        let mut mirrors = [Mirror::example(1), Mirror::example(2), Mirror::example(2)];
        mirrors[2].sessions[0].gbp = Some(Gbp { dont_learn: false, policy_applied: true, policy_id: 7 });
        let mut memo = Memo::default();
        let mut out = String::new();
        for n in 0..3000u32 {
            let session = &mirrors[(n / 7 % 3) as usize].sessions[0];
            let copy = CopyFacts { flow_kind: "", session, truncation: None, inner_len: 60, delay_ns: 0 };
            let port = (n * 7919 % 700) as u16;
            let (a, b) = ([10, 0, 1, (n % 3) as u8].into(), [203, 0, 113, (n % 5) as u8].into());
            let key = match n % 4 {
                0 => PacketKey::tcp(a, b, port, 443),
                1 => PacketKey::tcp(b, a, 443, port),
                2 => PacketKey::udp(a, b, port, 53),
                _ => PacketKey::ip(a, b, IpProtocol::ICMP, None),
            };
            let direction = if n % 11 < 5 { Direction::Egress } else { Direction::Ingress };
            let info = PacketInfo { timestamp_ns: 0, direction, key, event: Event::TcpAck };
            describe(&mut out, &mut memo, &info, &copy);
            assert_eq!(out, comment(&info, copy), "packet {n}");
        }
    }
}
