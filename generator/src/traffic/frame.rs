//! Building whole inner frames (Ethernet / IPv4 or IPv6 / TCP or UDP) from
//! `Repr`s and a payload, with every length and checksum filled in.

use super::Endpoint;
use crate::wire::{checksum, ethernet, ipv4, ipv6, tcp, udp, EtherType, IpProtocol};
use std::net::IpAddr;

/// The IP-layer fields that vary per packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpFields {
    /// IPv4 TTL or IPv6 hop limit as the packet crossed the source interface.
    pub hop_limit: u8,
    /// IPv4 identification (ignored for IPv6).
    pub ident: u16,
    /// IPv4 Don't Fragment (ignored for IPv6).
    pub dont_frag: bool,
}

/// Appends an Ethernet II header and an IPv4 or IPv6 header (chosen by the
/// address family of `src.ip`) for an upper-layer message of `upper_len`
/// bytes; returns the offset at which the upper layer starts.
///
/// # Panics
/// If `src` and `dst` are of different address families (a bug in the caller).
pub fn push_ip_headers(
    buf: &mut Vec<u8>,
    src: &Endpoint,
    dst: &Endpoint,
    protocol: IpProtocol,
    ip: &IpFields,
    upper_len: usize,
) -> usize {
    let mut head = [0u8; MAX_IP_HEADERS_LEN];
    let len = write_ip_headers(&mut head, src, dst, protocol, ip, upper_len);
    buf.extend_from_slice(&head[..len]);
    let l4 = buf.len();
    buf.resize(l4 + upper_len, 0);
    l4
}

/// Longest Ethernet and IP headers [`write_ip_headers`] writes (IPv6).
const MAX_IP_HEADERS_LEN: usize = ethernet::HEADER_LEN + ipv6::HEADER_LEN;

/// Writes an Ethernet II header and an IPv4 or IPv6 header (chosen by the
/// address family of `src.ip`) for an upper-layer message of `upper_len`
/// bytes at the start of `out`; returns their length.
///
/// # Panics
/// If `src` and `dst` are of different address families (a bug in the
/// caller), or if `out` is too short for the headers.
fn write_ip_headers(
    out: &mut [u8],
    src: &Endpoint,
    dst: &Endpoint,
    protocol: IpProtocol,
    ip: &IpFields,
    upper_len: usize,
) -> usize {
    let ethertype = if src.ip.is_ipv4() { EtherType::IPV4 } else { EtherType::IPV6 };
    let eth = ethernet::Repr { src_addr: src.mac, dst_addr: dst.mac, ethertype };
    eth.emit(&mut ethernet::Frame::new_unchecked(&mut out[..ethernet::HEADER_LEN]));
    let l3 = &mut out[ethernet::HEADER_LEN..];
    let ip_len = match (src.ip, dst.ip) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let repr = ipv4::Repr {
                src_addr: s,
                dst_addr: d,
                next_header: protocol,
                payload_len: upper_len,
                hop_limit: ip.hop_limit,
                ident: ip.ident,
                dont_frag: ip.dont_frag,
                dscp: 0,
                ecn: 0,
            };
            repr.emit(&mut ipv4::Packet::new_unchecked(&mut l3[..repr.header_len()]));
            repr.header_len()
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            let repr = ipv6::Repr {
                src_addr: s,
                dst_addr: d,
                next_header: protocol,
                payload_len: upper_len,
                hop_limit: ip.hop_limit,
                traffic_class: 0,
                flow_label: 0,
            };
            repr.emit(&mut ipv6::Packet::new_unchecked(&mut l3[..repr.header_len()]));
            repr.header_len()
        }
        _ => panic!("push_ip_headers: mixed address families {} and {}", src.ip, dst.ip),
    };
    ethernet::HEADER_LEN + ip_len
}

/// Appends a complete Ethernet / IP / TCP frame carrying `payload`.
pub fn push_tcp_frame(
    buf: &mut Vec<u8>,
    src: &Endpoint,
    dst: &Endpoint,
    ip: &IpFields,
    repr: &tcp::Repr,
    payload: &[u8],
) {
    push_tcp_frame_summed(buf, src, dst, ip, repr, payload, checksum::data(payload));
}

/// [`push_tcp_frame`], given the payload's one's-complement sum
/// ([`checksum::data`]) taken beforehand.
#[allow(clippy::too_many_arguments)]
pub fn push_tcp_frame_summed(
    buf: &mut Vec<u8>,
    src: &Endpoint,
    dst: &Endpoint,
    ip: &IpFields,
    repr: &tcp::Repr,
    payload: &[u8],
    payload_sum: u16,
) {
    debug_assert_eq!(payload_sum, checksum::data(payload));
    debug_assert_eq!(repr.payload_len, payload.len());
    let header_len = repr.header_len();
    let seg_len = header_len + payload.len();
    // This is the per-packet hot path. Every header is put together in one
    // array and appended with the payload: two copies, nothing zeroed first.
    let mut head = [0u8; MAX_IP_HEADERS_LEN + tcp::MAX_HEADER_LEN];
    let l4 = write_ip_headers(&mut head, src, dst, IpProtocol::TCP, ip, seg_len);
    let tcp_header = &mut head[l4..l4 + header_len];
    repr.emit(&mut tcp::Packet::new_unchecked(&mut *tcp_header));
    // The same sum `fill_checksum` takes (RFC 9293 section 3.1), with the
    // payload summed from its source rather than read back from the frame.
    // The header's length is a multiple of four, so its partial sum combines
    // with the payload's.
    let header = checksum::data(tcp_header);
    let pseudo = checksum::pseudo_header(&src.ip, &dst.ip, IpProtocol::TCP, seg_len as u32);
    let sum = checksum::combine(&[pseudo, header, payload_sum]);
    tcp::Packet::new_unchecked(&mut *tcp_header).set_checksum(!sum);
    let start = buf.len();
    buf.extend_from_slice(&head[..l4 + header_len]);
    buf.extend_from_slice(payload);
    debug_assert!(tcp::Packet::new_unchecked(&buf[start + l4..]).verify_checksum(&src.ip, &dst.ip));
}

/// Appends a complete Ethernet / IP / UDP frame carrying `payload`, with the
/// UDP checksum filled (RFC 768; mandatory over IPv6, RFC 8200 section 8.1).
pub fn push_udp_frame(buf: &mut Vec<u8>, src: &Endpoint, dst: &Endpoint, ip: &IpFields, payload: &[u8]) {
    let repr = udp::Repr { src_port: src.port, dst_port: dst.port, payload_len: payload.len() };
    let len = repr.total_len();
    let l4 = push_ip_headers(buf, src, dst, IpProtocol::UDP, ip, len);
    let mut packet = udp::Packet::new_unchecked(&mut buf[l4..l4 + len]);
    repr.emit(&mut packet);
    packet.payload_mut().copy_from_slice(payload);
    packet.fill_checksum(&src.ip, &dst.ip);
}
