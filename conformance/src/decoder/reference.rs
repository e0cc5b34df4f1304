//! The reference decoder: our own, in-process, over `generator::wire`.
//!
//! It reads the bytes of each captured frame (never the generator's
//! `Repr`s) and reports the dissection model exactly as docs/dissection.md
//! defines it:
//!
//! * outer Ethernet / IPv4 / UDP; UDP 6081 is GENEVE (a Gateway Load
//!   Balancer's, RFC 8926) around the mirror copy's IPv4 / UDP; UDP 4789
//!   (IANA) and 8472 (Linux's historic default) are VXLAN, read in both its
//!   RFC 7348 and GBP layouts;
//! * the inner Ethernet frame, 802.1Q tags, IPv4 or IPv6, TCP (with its
//!   options), UDP, ICMP and ICMPv6 echo;
//! * application facts of a whole inner payload: TLS records (content
//!   types, versions, cleartext handshake types, SNI, ALPN), HTTP/1.x heads
//!   (method, target, version, status, Host), DNS (id, QR, RCODE, first
//!   question, answer count);
//! * frame facts: lengths, truncation (what cut it and where) and
//!   malformation (which rule is broken).
//!
//! A field is reported only when all of its bytes were captured; headers
//! are clipped, not zero-filled.
//!
//! Two facts cannot always be read from the bytes: what cut a mirror copy
//! short (a session's PacketLength and the target's MTU both leave a short
//! copy with consistent outer lengths) and the mirrored frame's original
//! length when the inner IP header's length field was cut off. The decoder
//! takes a cut copy whose IPv4 Total Length is a standard EC2 MTU (1500,
//! 8500 or 9001 bytes; AWS "Network maximum transmission unit for your EC2
//! instance") as cut by the MTU and any other as cut by PacketLength, and
//! omits `inner_original_len` when it is not stated in the captured bytes.
//!
//! ```
//! use conformance::decoder::reference::dissect_frame;
//! use generator::vectors::{build_vector, corpus};
//!
//! let v = corpus::vectors().into_iter().find(|v| v.id == "vni-9999999").unwrap();
//! let built = build_vector(&v);
//! let frames = conformance::capture::read_capture(&built.capture).unwrap();
//! let got = dissect_frame(1, &frames[0].data, frames[0].original_len, frames[0].snaplen);
//! assert_eq!(got, built.dissection.frames[0]);
//! ```

use super::{DecodeOptions, Decoder, DecoderFailure};
use crate::capture::{read_frames, LinkType};
use generator::dissection::{
    hex, App, Dns, Ethernet, FrameDissection, FrameFacts, Geneve, GeneveOption, Http, Icmp, Inner, Ipv4,
    Ipv6, Malformation, MalformedReason, Outer, SackBlock, Tcp, TcpOptions, Tls, Truncation, TruncationCause,
    Udp, Vlan, Vxlan,
};
use generator::traffic::app::{dns, tls};
use generator::wire::field::{read_u16, read_u8, shift, Captured, Field};
use generator::wire::{ethernet, geneve, icmp_echo, ipv4, ipv6, tcp, udp, vlan, vxlan};
use std::path::Path;

mod app;
use app::read_app;

/// Standard EC2 MTUs: a cut copy whose IPv4 Total Length is one of these
/// is taken as cut by the target's MTU.
pub const EC2_MTUS: [u16; 3] = [1500, 8500, 9001];

/// Destination UDP ports read as VXLAN: IANA's 4789 and Linux's historic
/// 8472 (RFC 7348 section 5: the source port is flow entropy, not a marker).
pub const VXLAN_PORTS: [u16; 2] = [vxlan::UDP_PORT, vxlan::LINUX_UDP_PORT];

/// Our own decoder over `generator::wire`.
#[derive(Debug, Default, Clone)]
pub struct Reference;

impl Reference {
    /// A new reference decoder.
    pub fn new() -> Reference {
        Reference
    }

    /// Dissects a capture file held in memory.
    pub fn decode_bytes(&self, capture: &[u8]) -> Result<Vec<FrameDissection>, DecoderFailure> {
        let frames = read_frames(capture).map_err(|e| DecoderFailure::Garbage {
            reason: "unreadable capture".into(),
            excerpt: e.to_string(),
            stderr_tail: String::new(),
        })?;
        Ok(frames
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
                match f.link_type {
                    LinkType::Ethernet => dissect_frame(number, f.data, f.original_len, f.snaplen),
                    LinkType::Other(_) => FrameDissection::new(FrameFacts {
                        number,
                        captured_len: Some(f.data.len() as u32),
                        original_len: Some(f.original_len),
                        ..FrameFacts::default()
                    }),
                }
            })
            .collect())
    }
}

impl Decoder for Reference {
    fn name(&self) -> &str {
        "reference"
    }

    fn version(&self) -> Option<String> {
        Some(format!("generator {}", generator::VERSION))
    }

    fn decode(&self, capture: &Path, _opts: &DecodeOptions) -> Result<super::Decoded, DecoderFailure> {
        let bytes = std::fs::read(capture)
            .map_err(|e| DecoderFailure::Setup(format!("cannot read {}: {e}", capture.display())))?;
        self.decode_bytes(&bytes).map(Into::into)
    }

    fn decode_in_memory(
        &self,
        capture: &[u8],
        _opts: &DecodeOptions,
    ) -> Result<super::Decoded, DecoderFailure> {
        self.decode_bytes(capture).map(Into::into)
    }
}

/// `Some(value)` when `field` (a range of its layer's `wire` field module)
/// lies within the `avail` bytes captured of that layer.
#[inline]
fn whole<T>(avail: usize, field: Field, value: T) -> Option<T> {
    Captured::new(avail).field(field, value)
}

/// The first `len` bytes of `data` from `at`, zero-filled past its end, so
/// that a typed view can read a clipped header; `whole` then drops the
/// fields that were not captured.
fn padded<const N: usize>(data: &[u8], at: usize) -> [u8; N] {
    let mut buf = [0u8; N];
    let src = data.get(at..).unwrap_or(&[]);
    let n = src.len().min(N);
    buf[..n].copy_from_slice(&src[..n]);
    buf
}

/// A MAC address as the model writes it (`02:4f:1a:8c:3e:71`), without
/// going through `fmt`.
fn mac(addr: generator::wire::EthernetAddress) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(17);
    for (i, b) in addr.0.iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 15)] as char);
    }
    s
}

/// Reads an Ethernet header at `at`; `None` when not a byte of it was captured.
fn read_ethernet(data: &[u8], at: usize) -> Option<(Ethernet, Option<u16>)> {
    let avail = data.len().saturating_sub(at);
    if avail == 0 {
        return None;
    }
    let buf = padded::<{ ethernet::HEADER_LEN }>(data, at);
    let f = ethernet::Frame::new_unchecked(&buf[..]);
    let ethertype = whole(avail, ethernet::field::ETHERTYPE, f.ethertype().0);
    let eth = Ethernet {
        dst: whole(avail, ethernet::field::DESTINATION, mac(f.dst_addr())),
        src: whole(avail, ethernet::field::SOURCE, mac(f.src_addr())),
        ethertype,
        padding_len: None,
    };
    eth.dst.is_some().then_some((eth, ethertype))
}

/// What an IPv4 header says, for the layers after it.
#[derive(Debug, Clone, Copy)]
struct Ipv4Facts {
    header_len: usize,
    total_len: Option<usize>,
    protocol: Option<u8>,
}

fn read_ipv4(data: &[u8], at: usize) -> Option<(Ipv4, Ipv4Facts)> {
    let avail = data.len().saturating_sub(at);
    if avail == 0 {
        return None;
    }
    let buf = padded::<60>(data, at);
    let p = ipv4::Packet::new_unchecked(&buf[..]);
    let header_len = usize::from(p.header_len());
    let total_len = p.total_len();
    let ip = Ipv4 {
        header_len: whole(avail, ipv4::field::VER_IHL, header_len as u8),
        dscp: whole(avail, ipv4::field::DSCP_ECN, p.dscp()),
        ecn: whole(avail, ipv4::field::DSCP_ECN, p.ecn()),
        total_len: whole(avail, ipv4::field::LENGTH, total_len),
        ident: whole(avail, ipv4::field::IDENT, p.ident()),
        dont_frag: whole(avail, ipv4::field::FLG_OFF, p.dont_frag()),
        more_frags: whole(avail, ipv4::field::FLG_OFF, p.more_frags()),
        frag_offset: whole(avail, ipv4::field::FLG_OFF, p.frag_offset()),
        ttl: whole(avail, ipv4::field::TTL, p.hop_limit()),
        protocol: whole(avail, ipv4::field::PROTOCOL, p.next_header().0),
        src: whole(avail, ipv4::field::SRC_ADDR, p.src_addr()),
        dst: whole(avail, ipv4::field::DST_ADDR, p.dst_addr()),
        options_present: if header_len >= ipv4::HEADER_LEN {
            whole(avail, 0..header_len, header_len > ipv4::HEADER_LEN)
        } else {
            None
        },
    };
    let facts = Ipv4Facts { header_len, total_len: ip.total_len.map(usize::from), protocol: ip.protocol };
    Some((ip, facts))
}

/// What an IPv6 header says, for the layers after it.
#[derive(Debug, Clone, Copy)]
struct Ipv6Facts {
    payload_len: Option<usize>,
    next_header: Option<u8>,
}

fn read_ipv6(data: &[u8], at: usize) -> Option<(Ipv6, Ipv6Facts)> {
    let avail = data.len().saturating_sub(at);
    if avail == 0 {
        return None;
    }
    let buf = padded::<{ ipv6::HEADER_LEN }>(data, at);
    let p = ipv6::Packet::new_unchecked(&buf[..]);
    let ip = Ipv6 {
        traffic_class: whole(avail, ipv6::field::TRAFFIC_CLASS, p.traffic_class()),
        flow_label: whole(avail, ipv6::field::FLOW_LABEL, p.flow_label() & 0xf_ffff),
        payload_len: whole(avail, ipv6::field::LENGTH, p.payload_len()),
        next_header: whole(avail, ipv6::field::NXT_HDR, p.next_header().0),
        hop_limit: whole(avail, ipv6::field::HOP_LIMIT, p.hop_limit()),
        src: whole(avail, ipv6::field::SRC_ADDR, p.src_addr()),
        dst: whole(avail, ipv6::field::DST_ADDR, p.dst_addr()),
    };
    let facts = Ipv6Facts { payload_len: ip.payload_len.map(usize::from), next_header: ip.next_header };
    // A layer needs at least one whole field.
    ip.traffic_class.is_some().then_some((ip, facts))
}

fn read_udp(data: &[u8], at: usize) -> Option<Udp> {
    let avail = data.len().saturating_sub(at);
    let buf = padded::<{ udp::HEADER_LEN }>(data, at);
    let p = udp::Packet::new_unchecked(&buf[..]);
    let u = Udp {
        src_port: whole(avail, udp::field::SRC_PORT, p.src_port()),
        dst_port: whole(avail, udp::field::DST_PORT, p.dst_port()),
        length: whole(avail, udp::field::LENGTH, p.total_len()),
        checksum: whole(avail, udp::field::CHECKSUM, p.checksum()),
    };
    u.src_port.is_some().then_some(u)
}

/// Reads a TCP header at `at` whose segment, as the IP header states it,
/// is `segment_len` bytes long.
fn read_tcp(data: &[u8], at: usize, segment_len: Option<usize>) -> Option<Tcp> {
    let avail = data.len().saturating_sub(at);
    let buf = padded::<{ tcp::MAX_HEADER_LEN }>(data, at);
    let p = tcp::Packet::new_unchecked(&buf[..]);
    let header_len = usize::from(p.header_len());
    let f = p.flags().0 & 0x0fff;
    let bit = |mask: tcp::TcpFlags| whole(avail, tcp::field::FLAGS, f & mask.0 != 0);
    let options = if header_len >= tcp::HEADER_LEN && header_len <= avail {
        let mut o = TcpOptions { sack_permitted: Some(false), ..TcpOptions::default() };
        let mut options_ok = true;
        for option in tcp::TcpOptionIter::new(&buf[tcp::HEADER_LEN..header_len]) {
            match option {
                Ok(tcp::TcpOption::MaxSegmentSize(v)) => o.mss = Some(v),
                Ok(tcp::TcpOption::WindowScale(v)) => o.window_scale = Some(v),
                Ok(tcp::TcpOption::SackPermitted) => o.sack_permitted = Some(true),
                Ok(tcp::TcpOption::Timestamp { tsval, tsecr }) => {
                    o.tsval = Some(tsval);
                    o.tsecr = Some(tsecr);
                }
                Ok(tcp::TcpOption::SackRange(ranges)) => o
                    .sack_blocks
                    .extend(ranges.iter().flatten().map(|&(left, right)| SackBlock { left, right })),
                Ok(_) => {}
                Err(_) => options_ok = false,
            }
        }
        options_ok.then_some(o)
    } else {
        None
    };
    let t = Tcp {
        src_port: whole(avail, tcp::field::SRC_PORT, p.src_port()),
        dst_port: whole(avail, tcp::field::DST_PORT, p.dst_port()),
        seq: whole(avail, tcp::field::SEQ_NUM, p.seq_number()),
        ack: whole(avail, tcp::field::ACK_NUM, p.ack_number()),
        header_len: whole(avail, tcp::field::DATA_OFFSET, header_len as u8),
        flags: whole(avail, tcp::field::FLAGS, f),
        flag_fin: bit(tcp::TcpFlags::FIN),
        flag_syn: bit(tcp::TcpFlags::SYN),
        flag_rst: bit(tcp::TcpFlags::RST),
        flag_psh: bit(tcp::TcpFlags::PSH),
        flag_ack: bit(tcp::TcpFlags::ACK),
        flag_urg: bit(tcp::TcpFlags::URG),
        flag_ece: bit(tcp::TcpFlags::ECE),
        flag_cwr: bit(tcp::TcpFlags::CWR),
        window: whole(avail, tcp::field::WIN_SIZE, p.window_len()),
        urgent_pointer: whole(avail, tcp::field::URGENT, p.urgent_at()),
        payload_len: segment_len
            .and_then(|s| s.checked_sub(header_len))
            .and_then(|n| whole(avail, tcp::field::DATA_OFFSET, n as u32)),
        options,
    };
    t.src_port.is_some().then_some(t)
}

/// Reads an ICMP (`echo_types` 8/0) or ICMPv6 (128/129) header.
fn read_icmp(data: &[u8], at: usize, echo_types: [u8; 2]) -> Option<Icmp> {
    use icmp_echo::field::{CODE, ECHO_IDENT, ECHO_SEQNO, TYPE};
    let avail = data.len().saturating_sub(at);
    let buf = padded::<{ icmp_echo::HEADER_LEN }>(data, at);
    let icmp_type = read_u8(&buf, TYPE);
    let echo = echo_types.contains(&icmp_type);
    let i = Icmp {
        icmp_type: whole(avail, TYPE, icmp_type),
        code: whole(avail, CODE, read_u8(&buf, CODE)),
        ident: if echo { whole(avail, ECHO_IDENT, read_u16(&buf, ECHO_IDENT)) } else { None },
        seq: if echo { whole(avail, ECHO_SEQNO, read_u16(&buf, ECHO_SEQNO)) } else { None },
    };
    i.icmp_type.is_some().then_some(i)
}

fn read_vxlan(data: &[u8], at: usize, avail: usize) -> Option<Vxlan> {
    if avail == 0 {
        return None;
    }
    let buf = padded::<{ vxlan::HEADER_LEN }>(data, at);
    let h = vxlan::Header::new_unchecked(&buf[..]);
    Some(Vxlan {
        flags16: whole(avail, vxlan::field::FLAGS16, h.flags16()),
        flags8: whole(avail, vxlan::field::FLAGS8, h.flags8()),
        flag_i: whole(avail, vxlan::field::FLAGS8, h.i_flag()),
        flag_g: whole(avail, vxlan::field::FLAGS8, h.g_flag()),
        flag_d: whole(avail, vxlan::field::FLAGS16, h.d_flag()),
        flag_a: whole(avail, vxlan::field::FLAGS16, h.a_flag()),
        reserved_flags: whole(avail, vxlan::field::FLAGS16, h.reserved_flag_bits()),
        reserved24: whole(avail, vxlan::field::RESERVED24, h.reserved24()),
        group_policy_id: whole(avail, vxlan::field::GROUP_POLICY_ID, h.group_policy_id()),
        vni: whole(avail, vxlan::field::VNI, h.vni().value()),
        reserved8: whole(avail, vxlan::field::RESERVED8, h.reserved8()),
    })
}

/// Reads a GENEVE header with its options; returns it and its length.
fn read_geneve(data: &[u8], at: usize, avail: usize) -> Option<(Geneve, usize)> {
    use geneve::field::{OPTION_CLASS, OPTION_LENGTH, OPTION_LENGTH_MASK, OPTION_TYPE};
    if avail == 0 {
        return None;
    }
    let buf = padded::<{ geneve::HEADER_LEN + geneve::MAX_OPTIONS_LEN }>(data, at);
    let h = geneve::Header::new_unchecked(&buf[..]);
    let header_len = h.header_len();
    let mut options = Vec::new();
    let mut o = geneve::HEADER_LEN;
    while o + geneve::OPTION_HEADER_LEN <= header_len {
        let (class, kind, length) = (shift(OPTION_CLASS, o), shift(OPTION_TYPE, o), shift(OPTION_LENGTH, o));
        let data_len = usize::from(read_u8(&buf, length.clone()) & OPTION_LENGTH_MASK) * 4;
        let data_at = o + geneve::OPTION_HEADER_LEN;
        let end = data_at + data_len;
        let opt = GeneveOption {
            class: whole(avail, class.clone(), read_u16(&buf, class)),
            option_type: whole(avail, kind.clone(), read_u8(&buf, kind)),
            data_len: whole(avail, length, data_len as u8),
            data: whole(avail, data_at..end, hex(buf.get(data_at..end).unwrap_or(&[]))),
        };
        if opt.class.is_none() {
            break;
        }
        options.push(opt);
        o = end;
    }
    let g = Geneve {
        version: whole(avail, geneve::field::VER_OPT_LEN, h.version()),
        options_len: whole(avail, geneve::field::VER_OPT_LEN, h.options_len() as u16),
        oam: whole(avail, geneve::field::FLAGS, h.oam()),
        critical: whole(avail, geneve::field::FLAGS, h.critical()),
        protocol_type: whole(avail, geneve::field::PROTOCOL_TYPE, h.protocol_type().0),
        vni: whole(avail, geneve::field::VNI, h.vni()),
        options,
        ipv4: None,
        udp: None,
    };
    Some((g, header_len))
}

/// An IPv4 / UDP pair and where the UDP payload lies.
struct Datagram {
    ip: Option<Ipv4>,
    udp: Option<Udp>,
    /// Offset of the UDP payload in the frame.
    payload_at: usize,
    /// End of the UDP payload as the headers state it (the smaller of the
    /// UDP and IPv4 lengths), clipped to the captured bytes.
    payload_end: usize,
    /// The UDP payload length as the headers state it.
    stated_payload: Option<usize>,
    /// A disagreement between the UDP and IPv4 lengths.
    malformed: Option<MalformedReason>,
    /// The IPv4 Total Length.
    ip_total_len: Option<usize>,
    /// The end of the IPv4 packet, as stated.
    ip_end: Option<usize>,
}

/// Reads IPv4 at `at` and, if it carries UDP, the UDP header after it.
fn read_datagram(data: &[u8], at: usize) -> Option<Datagram> {
    let (ip, facts) = read_ipv4(data, at)?;
    let ip_end = facts.total_len.map(|t| at + t);
    let ip_whole = ip.options_present.is_some();
    let udp_at = at + facts.header_len.max(ipv4::HEADER_LEN);
    let udp = (facts.protocol == Some(17) && ip_whole).then(|| read_udp(data, udp_at)).flatten();
    let payload_at = udp_at + udp::HEADER_LEN;
    let udp_len = udp.as_ref().and_then(|u| u.length).map(usize::from);
    let ip_payload = facts.total_len.and_then(|t| t.checked_sub(facts.header_len));
    let malformed = match (udp_len, ip_payload) {
        (Some(u), Some(p)) if u > p => Some(MalformedReason::UdpLengthExceedsIpPayload),
        (Some(u), Some(p)) if u < p => Some(MalformedReason::UdpLengthShortOfIpPayload),
        _ => None,
    };
    let stated_end = match (udp_len, ip_end) {
        (Some(u), Some(e)) => Some((udp_at + u).min(e)),
        (Some(u), None) => Some(udp_at + u),
        (None, e) => e,
    };
    let payload_end = stated_end.unwrap_or(data.len()).min(data.len()).max(payload_at.min(data.len()));
    let stated_payload = stated_end.map(|e| e.saturating_sub(payload_at));
    Some(Datagram {
        ip: Some(ip),
        udp,
        payload_at,
        payload_end,
        stated_payload,
        malformed,
        ip_total_len: facts.total_len,
        ip_end,
    })
}

/// The inner frame's dissection and what it says about its own length.
struct InnerRead {
    inner: Option<Inner>,
    app: Option<App>,
    /// The frame's length as its headers state it, when they are captured.
    stated_len: Option<usize>,
    /// Whether some inner header is cut short.
    cut: bool,
}

/// Dissects the mirrored frame: the `present` bytes at `at`.
fn read_inner(data: &[u8], at: usize, present: usize) -> InnerRead {
    let frame = &data[at.min(data.len())..(at + present).min(data.len())];
    let mut out = InnerRead { inner: None, app: None, stated_len: None, cut: false };
    if frame.is_empty() {
        return out;
    }
    let Some((eth, mut ethertype)) = read_ethernet(frame, 0) else {
        out.cut = true; // fewer than 6 bytes of the Ethernet header
        return out;
    };
    let mut inner = Inner { eth: Some(eth), ..Inner::default() };
    let mut l3_at = ethernet::HEADER_LEN;
    if ethertype.is_none() {
        out.cut = true;
    }
    while ethertype == Some(0x8100) || ethertype == Some(0x88a8) {
        let avail = frame.len().saturating_sub(l3_at);
        if avail == 0 {
            out.cut = true;
            ethertype = None;
            break;
        }
        let buf = padded::<{ vlan::HEADER_LEN }>(frame, l3_at);
        let p = vlan::Packet::new_unchecked(&buf[..]);
        let tag = Vlan {
            pcp: whole(avail, vlan::field::TCI, p.pcp()),
            dei: whole(avail, vlan::field::TCI, p.dei()),
            vid: whole(avail, vlan::field::TCI, p.vid()),
            ethertype: whole(avail, vlan::field::ETHERTYPE, p.ethertype().0),
        };
        ethertype = tag.ethertype;
        if tag.vid.is_some() {
            inner.vlan.push(tag);
        }
        if ethertype.is_none() {
            out.cut = true;
        }
        l3_at += vlan::HEADER_LEN;
    }
    // The transport layer: (protocol, offset, segment length as stated).
    let mut l4: Option<(u8, usize, Option<usize>)> = None;
    let mut stated_l3_end = None;
    match ethertype {
        Some(0x0800) => match read_ipv4(frame, l3_at) {
            Some((ip, f)) => {
                stated_l3_end = f.total_len.map(|t| l3_at + t);
                // A header cut before its length field still says the frame is cut.
                out.cut |= ip.options_present.is_none();
                if ip.options_present.is_some() {
                    if let Some(p) = f.protocol {
                        let seg = f.total_len.and_then(|t| t.checked_sub(f.header_len));
                        l4 = Some((p, l3_at + f.header_len, seg));
                    }
                }
                inner.ipv4 = Some(ip);
            }
            None => out.cut = true,
        },
        Some(0x86dd) => match read_ipv6(frame, l3_at) {
            Some((ip, f)) => {
                stated_l3_end = f.payload_len.map(|p| l3_at + ipv6::HEADER_LEN + p);
                out.cut |= ip.dst.is_none();
                if ip.dst.is_some() {
                    if let Some(p) = f.next_header {
                        l4 = Some((p, l3_at + ipv6::HEADER_LEN, f.payload_len));
                    }
                }
                inner.ipv6 = Some(ip);
            }
            None => out.cut = true,
        },
        _ => {}
    }
    let mut payload: Option<(u8, usize, usize, u16, u16)> = None; // (proto, at, len, sport, dport)
    if let Some((proto, l4_at, seg)) = l4 {
        match proto {
            6 => {
                inner.tcp = read_tcp(frame, l4_at, seg);
                if let (Some(t), Some(seg)) = (&inner.tcp, seg) {
                    if let (Some(h), Some(s), Some(d)) = (t.header_len, t.src_port, t.dst_port) {
                        let h = usize::from(h);
                        payload = Some((6, l4_at + h, seg.saturating_sub(h), s, d));
                    }
                }
            }
            17 => {
                inner.udp = read_udp(frame, l4_at);
                if let Some(u) = &inner.udp {
                    if let (Some(l), Some(s), Some(d)) = (u.length, u.src_port, u.dst_port) {
                        payload = Some((17, l4_at + 8, usize::from(l).saturating_sub(8), s, d));
                    }
                }
            }
            1 => inner.icmp = read_icmp(frame, l4_at, [8, 0]),
            58 => inner.icmpv6 = read_icmp(frame, l4_at, [128, 129]),
            _ => {}
        }
    }
    if let Some(end) = stated_l3_end {
        out.stated_len = Some(end);
        if end > frame.len() {
            out.cut = true;
        } else if end < frame.len() {
            if let Some(eth) = &mut inner.eth {
                eth.padding_len = Some((frame.len() - end) as u32);
            }
        }
    }
    if !out.cut {
        if let Some((proto, p_at, p_len, sport, dport)) = payload {
            if let Some(bytes) = frame.get(p_at..p_at + p_len) {
                out.app = read_app(proto, bytes, sport, dport);
            }
        }
    }
    out.inner = Some(inner);
    out
}

/// Dissects one captured Ethernet frame: `data` is what the capture record
/// holds, `original_len` the frame's length on the wire, `snaplen` the
/// capture's snapshot length.
pub fn dissect_frame(number: u32, data: &[u8], original_len: u32, snaplen: Option<u32>) -> FrameDissection {
    let captured = data.len();
    let mut facts = FrameFacts {
        number,
        captured_len: Some(captured as u32),
        original_len: Some(original_len),
        truncated: Some(false),
        truncation: None,
        malformed: None,
    };
    let mut d = FrameDissection::default();
    let mut outer = Outer::default();
    let Some((eth, ethertype)) = read_ethernet(data, 0) else {
        d.frame = finish_facts(facts, captured, original_len, snaplen, None, false);
        return d;
    };
    outer.eth = Some(eth);
    let mut malformed: Option<Malformation> = None;
    // Where the VXLAN header starts, how many of its bytes are there, and the
    // mirror copy's IPv4 Total Length.
    let mut vxlan_at: Option<(usize, usize, Option<usize>)> = None;
    let mut copy_cut_signal = false;
    if ethertype == Some(0x0800) {
        if let Some(dg) = read_datagram(data, ethernet::HEADER_LEN) {
            // Ethernet padding: bytes after the IPv4 packet of a whole record.
            if let (Some(end), Some(eth)) = (dg.ip_end, outer.eth.as_mut()) {
                if captured as u32 == original_len && captured > end {
                    eth.padding_len = Some((captured - end) as u32);
                }
            }
            if let Some(r) = dg.malformed {
                malformed = Some(Malformation { reason: r, layer: Some("outer.udp".into()) });
            }
            outer.ipv4 = dg.ip.clone();
            let dst_port = dg.udp.as_ref().and_then(|u| u.dst_port);
            outer.udp = dg.udp.clone();
            if dst_port == Some(geneve::UDP_PORT) {
                let avail = dg.payload_end.saturating_sub(dg.payload_at);
                if let Some((mut g, glen)) = read_geneve(data, dg.payload_at, avail) {
                    let copy_at = dg.payload_at + glen;
                    if g.protocol_type == Some(0x0800) && glen <= avail {
                        if let Some(inner_dg) = read_datagram(&data[..dg.payload_end], copy_at) {
                            if let Some(r) = inner_dg.malformed {
                                malformed.get_or_insert(Malformation {
                                    reason: r,
                                    layer: Some("geneve.udp".into()),
                                });
                            }
                            let port = inner_dg.udp.as_ref().and_then(|u| u.dst_port);
                            if port.is_some_and(|p| VXLAN_PORTS.contains(&p)) {
                                vxlan_at = Some((
                                    inner_dg.payload_at,
                                    inner_dg.payload_end.saturating_sub(inner_dg.payload_at),
                                    inner_dg.ip_total_len,
                                ));
                                if inner_dg.stated_payload.is_some_and(|n| n < vxlan::HEADER_LEN) {
                                    malformed.get_or_insert(Malformation {
                                        reason: MalformedReason::VxlanHeaderTruncated,
                                        layer: Some("vxlan".into()),
                                    });
                                }
                            }
                            g.ipv4 = inner_dg.ip;
                            g.udp = inner_dg.udp;
                        }
                    }
                    d.geneve = Some(g);
                }
            } else if dst_port.is_some_and(|p| VXLAN_PORTS.contains(&p)) {
                vxlan_at =
                    Some((dg.payload_at, dg.payload_end.saturating_sub(dg.payload_at), dg.ip_total_len));
                if dg.stated_payload.is_some_and(|n| n < vxlan::HEADER_LEN) {
                    malformed.get_or_insert(Malformation {
                        reason: MalformedReason::VxlanHeaderTruncated,
                        layer: Some("vxlan".into()),
                    });
                }
            }
        }
    }
    d.outer = Some(outer);
    let mut inner_facts = None;
    if let Some((at, avail, copy_total_len)) = vxlan_at {
        d.vxlan = read_vxlan(data, at, avail.min(vxlan::HEADER_LEN));
        if avail >= vxlan::HEADER_LEN {
            let inner_at = at + vxlan::HEADER_LEN;
            let present = avail - vxlan::HEADER_LEN;
            let r = read_inner(data, inner_at, present);
            copy_cut_signal = r.cut || present == 0;
            d.inner = r.inner;
            d.app = r.app;
            inner_facts =
                Some(InnerFacts { at: inner_at, present, stated_len: r.stated_len, copy_total_len });
        } else if malformed.is_none() && captured < original_len as usize {
            // The record was cut inside the VXLAN header: the inner frame starts after it.
            inner_facts =
                Some(InnerFacts { at: at + vxlan::HEADER_LEN, present: 0, stated_len: None, copy_total_len });
        }
    }
    facts.malformed = malformed;
    d.frame = finish_facts(facts, captured, original_len, snaplen, inner_facts, copy_cut_signal);
    d
}

/// Where the mirrored frame lies and what its headers say.
#[derive(Debug, Clone, Copy)]
struct InnerFacts {
    at: usize,
    present: usize,
    stated_len: Option<usize>,
    copy_total_len: Option<usize>,
}

fn finish_facts(
    mut facts: FrameFacts,
    captured: usize,
    original_len: u32,
    snaplen: Option<u32>,
    inner: Option<InnerFacts>,
    copy_cut: bool,
) -> FrameFacts {
    let original = original_len as usize;
    let truncation = if captured < original {
        Some(Truncation {
            cause: TruncationCause::Snaplen,
            limit: snaplen,
            inner_original_len: inner.and_then(|i| original.checked_sub(i.at)).map(|n| n as u32),
            inner_captured_len: inner.map(|i| i.present as u32),
        })
    } else if copy_cut {
        inner.map(|i| {
            let mtu = i.copy_total_len.filter(|&t| EC2_MTUS.iter().any(|&m| usize::from(m) == t));
            Truncation {
                cause: if mtu.is_some() { TruncationCause::Mtu } else { TruncationCause::PacketLength },
                limit: Some(mtu.unwrap_or(i.present) as u32),
                inner_original_len: i.stated_len.map(|n| n as u32),
                inner_captured_len: Some(i.present as u32),
            }
        })
    } else {
        None
    };
    facts.truncated = Some(truncation.is_some());
    facts.truncation = truncation;
    facts
}
