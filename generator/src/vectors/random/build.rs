//! A case as the builder's [`FrameSpec`], and as a corpus [`Vector`]: the
//! expected dissection comes from the builder (from the `Repr`s), and the
//! case's meaning (valid, invalid, acceptable and its readings) is the one
//! the corpus gives the same class of vector (`vectors::corpus`).

use super::*;
use crate::dissection::MalformedReason;
use crate::vectors::builder::{Cut, Fault, FrameSpec, GwlbSpec, InnerIp, InnerL4, InnerSpec};
use crate::vectors::corpus::{ReadingSpec, Vector};
use crate::vectors::inner::{self, Host};
use crate::vectors::manifest::{CaptureFormat, Expected, ReadingKind};
use crate::wire::tcp::TcpFlags;
use crate::wire::{geneve, icmpv4, icmpv6, tcp, udp, vlan, vxlan, EtherType};

/// The group of every fuzz vector.
pub const GROUP: crate::vectors::corpus::Group = crate::vectors::corpus::Group {
    name: "fuzz",
    description:
        "Cases drawn by `vxconform fuzz` and shrunk to the smallest that still fails (docs/fuzz.md).",
};

/// Bytes `0..n` of an option's data: a simple function of its `fill` seed.
fn option_data(o: &OptionCase) -> Vec<u8> {
    let n = usize::from(o.data_words) * 4;
    (0..n)
        .map(|i| if o.fill == 0 { 0 } else { o.fill.wrapping_mul(i as u8 + 1).wrapping_add(i as u8) })
        .collect()
}

impl GeneveCase {
    /// The GENEVE header as the wire layer emits it.
    pub fn repr(&self) -> geneve::Repr {
        geneve::Repr {
            version: self.version,
            oam: self.oam,
            critical: self.critical,
            protocol_type: EtherType::IPV4,
            vni: self.vni,
            options: self
                .options
                .iter()
                .map(|o| geneve::OwnedOption {
                    class: o.class,
                    option_type: o.option_type,
                    data: option_data(o),
                })
                .collect(),
        }
    }

    /// Bytes of the option list (Opt Len x 4; at most 252).
    pub fn options_len(&self) -> usize {
        self.options.iter().map(|o| 4 + 4 * usize::from(o.data_words)).sum()
    }
}

impl InnerCase {
    /// The builder's inner frame: the instance (10.0.1.23, or its IPv6
    /// address) to the remote host, with the case's headers and payload.
    pub fn spec(&self) -> InnerSpec {
        let v6 = matches!(self.ip, IpCase::V6 { .. });
        let (sport, dport) = match &self.l4 {
            L4Case::Tcp(t) => (t.src_port, t.dst_port),
            L4Case::Udp { src_port, dst_port } => (*src_port, *dst_port),
            L4Case::Icmp { .. } => (0, 0),
        };
        let (src, dst): (Host, Host) = if v6 {
            (inner::instance6(sport), inner::remote6(dport))
        } else {
            (inner::instance(sport), inner::remote(dport))
        };
        let (payload, app) = self.payload.bytes(sport, dport);
        let ip = match (inner::ip(&src, &dst, 0), self.ip) {
            (InnerIp::V4(mut r), IpCase::V4 { ttl, ident, dont_frag, dscp, ecn, .. }) => {
                r.hop_limit = ttl;
                r.ident = ident;
                r.dont_frag = dont_frag;
                r.dscp = dscp & 0x3f;
                r.ecn = ecn & 0x03;
                InnerIp::V4(r)
            }
            (InnerIp::V6(mut r), IpCase::V6 { traffic_class, flow_label, hop_limit }) => {
                r.traffic_class = traffic_class;
                r.flow_label = flow_label & 0xf_ffff;
                r.hop_limit = hop_limit;
                InnerIp::V6(r)
            }
            (ip, _) => ip,
        };
        let ip_options = match self.ip {
            IpCase::V4 { option_words, .. } if option_words > 0 => {
                // NOPs, then End of Options List (RFC 791 section 3.1).
                let mut o = vec![1u8; usize::from(option_words.min(10)) * 4];
                if let Some(last) = o.last_mut() {
                    *last = 0;
                }
                o
            }
            _ => Vec::new(),
        };
        let l4 = match &self.l4 {
            L4Case::Tcp(t) => {
                let mut sack_ranges = [None; 3];
                for (slot, b) in sack_ranges.iter_mut().zip(&t.sack) {
                    *slot = Some(*b);
                }
                InnerL4::Tcp(tcp::Repr {
                    src_port: t.src_port,
                    dst_port: t.dst_port,
                    seq_number: t.seq,
                    ack_number: t.ack,
                    flags: TcpFlags(t.flags & 0x0fff),
                    window_len: t.window,
                    urgent_pointer: t.urgent,
                    max_seg_size: t.mss,
                    window_scale: t.window_scale,
                    sack_permitted: t.sack_permitted,
                    sack_ranges,
                    timestamp: t.timestamp,
                    payload_len: 0,
                })
            }
            L4Case::Udp { src_port, dst_port } => {
                InnerL4::Udp(udp::Repr { src_port: *src_port, dst_port: *dst_port, payload_len: 0 })
            }
            L4Case::Icmp { request, ident, seq } => {
                let (ident, seq_no, data_len) = (*ident, *seq, 0);
                match (v6, request) {
                    (false, true) => InnerL4::Icmpv4(icmpv4::Repr::EchoRequest { ident, seq_no, data_len }),
                    (false, false) => InnerL4::Icmpv4(icmpv4::Repr::EchoReply { ident, seq_no, data_len }),
                    (true, true) => InnerL4::Icmpv6(icmpv6::Repr::EchoRequest { ident, seq_no, data_len }),
                    (true, false) => InnerL4::Icmpv6(icmpv6::Repr::EchoReply { ident, seq_no, data_len }),
                }
            }
        };
        let ethertype = if v6 { EtherType::IPV6 } else { EtherType::IPV4 };
        InnerSpec {
            eth: crate::wire::ethernet::Repr { src_addr: src.mac, dst_addr: dst.mac, ethertype },
            vlan: self
                .tags
                .iter()
                .map(|t| vlan::Repr { pcp: t.pcp & 7, dei: t.dei, vid: t.vid & 0x0fff, ethertype })
                .collect(),
            s_tag: self.s_tag,
            ip,
            ip_options,
            l4,
            payload,
            app,
        }
    }
}

impl PayloadCase {
    /// The payload's bytes and application facts (as the corpus's payload
    /// builders state them).
    pub fn bytes(&self, sport: u16, dport: u16) -> (Vec<u8>, Option<crate::dissection::App>) {
        match *self {
            PayloadCase::Filler(n) => (inner::filler(usize::from(n)), None),
            PayloadCase::HttpGet { path_len } => {
                let path = format!("/{}", "p".repeat(usize::from(path_len)));
                let s = inner::http_request_segment(
                    inner::instance(sport),
                    inner::remote(dport),
                    "example.com",
                    &path,
                );
                (s.payload, s.app)
            }
            PayloadCase::DnsQuery { id, labels } => {
                let mut name = String::new();
                for i in 0..labels {
                    name.push_str(&format!("l{i}."));
                }
                name.push_str("example.com");
                let s = inner::dns_query(id, &name, crate::traffic::app::dns::QType::A);
                (s.payload, s.app)
            }
            PayloadCase::TlsClientHello { tls13, seed } => {
                let v = if tls13 {
                    crate::traffic::app::tls::TlsVersion::Tls13
                } else {
                    crate::traffic::app::tls::TlsVersion::Tls12
                };
                let s = inner::tls_client_hello(v, "example.com", &["h2", "http/1.1"], u64::from(seed));
                (s.payload, s.app)
            }
        }
    }
}

impl Case {
    /// Whether the UDP payload is VXLAN to a receiver (its destination port
    /// is 4789 or 8472, RFC 7348 section 5).
    pub fn is_vxlan_port(&self) -> bool {
        matches!(self.outer.dst_port, vxlan::UDP_PORT | vxlan::LINUX_UDP_PORT)
    }

    /// The builder's frame specification.
    pub fn frame_spec(&self) -> FrameSpec {
        let inner = self.inner.spec();
        let vni = self.vxlan.vni & 0xff_ffff;
        let mut spec = match &self.target {
            TargetCase::Gwlb(_) => FrameSpec::aws_gwlb(inner, vni),
            _ => FrameSpec::aws(inner, vni),
        };
        if self.target == TargetCase::Nlb {
            let t = crate::mirror::session::Target::example(
                crate::mirror::session::TargetKind::NetworkLoadBalancer,
            );
            spec.outer.ip.dst_addr = t.ip;
            spec.outer.eth.dst_addr = t.mac;
        }
        if let (TargetCase::Gwlb(g), Some(w)) = (&self.target, spec.gwlb.as_mut()) {
            let GwlbSpec { geneve: header, .. } = w;
            *header = g.repr();
        }
        spec.vxlan = vxlan::Repr {
            flags: self.vxlan.flags,
            group_policy_id: self.vxlan.group_policy_id,
            vni: vxlan::Vni::new(vni).expect("24 bits"),
            reserved8: self.vxlan.reserved8,
        };
        spec.outer.src_port = self.outer.src_port;
        spec.outer.dst_port = self.outer.dst_port;
        spec.outer.udp_checksum = self.outer.udp_checksum;
        spec.outer.ip_options = match self.outer.ip_option_words {
            0 => Vec::new(),
            // Router Alert (RFC 2113), then NOPs.
            n => [0x94, 0x04, 0x00, 0x00]
                .into_iter()
                .chain(std::iter::repeat(1).take(4 * usize::from(n - 1)))
                .collect(),
        };
        spec.cut = self.cut.map(|c| match c {
            CutCase::PacketLength(n) => Cut::PacketLength(n),
            CutCase::Mtu(m) => Cut::Mtu(m),
        });
        spec.fault = self.fault.map(|f| match f {
            FaultCase::UdpLengthExceedsIp(n) => Fault::UdpLengthExceedsIp(n),
            FaultCase::UdpLengthShortOfIp(n) => Fault::UdpLengthShortOfIp(n),
            FaultCase::VxlanHeaderCut(n) => Fault::VxlanHeaderCut(n.min(7)),
        });
        spec.pad = self.pad;
        spec.opaque = !self.is_vxlan_port();
        spec
    }

    /// What a decoder must do with the case, as the corpus says for the same
    /// class of vector: an I flag clear, port 8472, a GENEVE version other
    /// than 0 and a UDP Length short of the IP payload are `acceptable`
    /// with the corpus's readings; a UDP Length over the IP payload and a
    /// short VXLAN header are `invalid`; the rest is `valid`, its subject
    /// the VNI (or, for a port that is not VXLAN's, the destination port).
    pub fn meaning(&self) -> Meaning {
        let reading = |name, description, kind, subject: &[&'static str]| ReadingSpec {
            name,
            description,
            kind,
            subject: subject.to_vec(),
        };
        let mut flags = self.flags();
        let valid = |subject: Vec<&'static str>, flags: Vec<&'static str>| Meaning {
            result: Expected::Valid,
            reason: None,
            subject,
            readings: Vec::new(),
            flags,
        };
        let acceptable = |reason, readings: Vec<ReadingSpec>, flags| Meaning {
            result: Expected::Acceptable,
            reason: Some(reason),
            subject: readings[0].subject.clone(),
            readings,
            flags,
        };
        match self.fault {
            Some(FaultCase::UdpLengthExceedsIp(_)) | Some(FaultCase::VxlanHeaderCut(_))
                if self.is_vxlan_port() =>
            {
                return Meaning {
                    result: Expected::Invalid,
                    reason: Some("the outer UDP datagram breaks RFC 768 / RFC 7348 section 5 (docs/fuzz.md)"),
                    subject: vec!["frame.malformed"],
                    readings: Vec::new(),
                    flags,
                };
            }
            Some(FaultCase::UdpLengthShortOfIp(_)) if self.is_vxlan_port() => {
                return acceptable(
                    "the datagram is consistent: a receiver may trim the IP payload to the UDP Length or flag it",
                    vec![
                        reading("flagged", "the datagram decoded and the length mismatch flagged", ReadingKind::AsBuilt, &["frame.malformed"]),
                        reading("trimmed", "the IP payload trimmed to the UDP Length, nothing flagged", ReadingKind::Unflagged, &["vxlan.vni"]),
                    ],
                    flags,
                );
            }
            _ => {}
        }
        if !self.is_vxlan_port() {
            flags.push("nonstandard_port");
            return valid(vec!["outer.udp.dst_port"], flags);
        }
        if let TargetCase::Gwlb(g) = &self.target {
            if g.version != 0 {
                return acceptable(
                    "RFC 8926 section 3.4: a tunnel endpoint drops an unknown version; a dissector may show it as found",
                    vec![
                        reading("as-found", "dissected as found, geneve.version as sent", ReadingKind::AsBuilt, &["geneve.version"]),
                        reading("outer-only", "the GENEVE payload left opaque", ReadingKind::OuterOnly, &["outer.udp.dst_port"]),
                    ],
                    flags,
                );
            }
        }
        if self.outer.dst_port == vxlan::LINUX_UDP_PORT && !matches!(self.target, TargetCase::Gwlb(_)) {
            return acceptable(
                "port 8472 is Linux's historic VXLAN port, not IANA's (RFC 7348 section 5)",
                vec![
                    reading(
                        "vxlan",
                        "decoded as VXLAN, as Linux does on 8472",
                        ReadingKind::AsBuilt,
                        &["vxlan.vni"],
                    ),
                    reading(
                        "opaque-udp",
                        "left as an opaque UDP payload",
                        ReadingKind::OuterOnly,
                        &["outer.udp.dst_port"],
                    ),
                ],
                flags,
            );
        }
        if self.vxlan.flags & vxlan::FLAG_I == 0 {
            return acceptable(
                "RFC 7348 section 5: the I flag MUST be 1 for a valid VNI; a receiver may read the header as found or flag it",
                vec![
                    reading("as-found", "dissected as found, flag_i false", ReadingKind::AsBuilt, &["vxlan.flag_i", "vxlan.vni"]),
                    reading(
                        "flagged",
                        "flagged as malformed at the VXLAN header",
                        ReadingKind::Flagged(MalformedReason::VxlanIFlagClear, "vxlan"),
                        &["frame.malformed"],
                    ),
                ],
                flags,
            );
        }
        valid(vec!["vxlan.vni"], flags)
    }

    /// The corpus flags (bug classes, `manifest::flags`) the case exercises.
    pub fn flags(&self) -> Vec<&'static str> {
        let mut f = Vec::new();
        let v = &self.vxlan;
        if v.vni == 0 || v.vni >= 1 << 23 {
            f.push("vni_range");
        }
        if v.flags & vxlan::FLAG_G != 0 {
            f.push("gbp_flags");
            f.push("gbp_policy_id");
        }
        if v.flags & !(vxlan::FLAG_G | vxlan::FLAG_I | vxlan::FLAG_D | vxlan::FLAG_A) != 0 || v.reserved8 != 0
        {
            f.push("reserved_bits_rejected");
        }
        if v.flags & vxlan::FLAG_I == 0 {
            f.push("i_flag_clear");
        }
        if let TargetCase::Gwlb(g) = &self.target {
            f.push("geneve_gwlb");
            if g.version != 0
                || g.critical
                || g.options.iter().any(|o| o.data_words > 15 || o.class != 0x0108)
            {
                f.push("geneve_edges");
            }
        }
        if self.cut.is_some() {
            f.push("truncated_inner");
        }
        if matches!(self.inner.ip, IpCase::V6 { .. }) {
            f.push("inner_ipv6");
        }
        if !self.inner.tags.is_empty() {
            f.push("inner_vlan");
        }
        if let L4Case::Tcp(t) = &self.inner.l4 {
            if t.mss.is_some()
                || t.window_scale.is_some()
                || t.sack_permitted
                || !t.sack.is_empty()
                || t.timestamp.is_some()
            {
                f.push("tcp_options");
            }
        }
        match self.inner.payload {
            PayloadCase::HttpGet { .. } => f.push("http_parsing"),
            PayloadCase::DnsQuery { .. } => f.push("dns_parsing"),
            PayloadCase::TlsClientHello { .. } => f.push("tls_parsing"),
            PayloadCase::Filler(_) => {}
        }
        if matches!(self.inner.l4, L4Case::Icmp { .. }) {
            f.push("icmp");
        }
        match self.fault {
            Some(FaultCase::UdpLengthExceedsIp(_)) | Some(FaultCase::UdpLengthShortOfIp(_)) => {
                f.push("udp_length_mismatch")
            }
            Some(FaultCase::VxlanHeaderCut(_)) => f.push("vxlan_header_short"),
            None => {}
        }
        if self.outer.ip_option_words > 0 {
            f.push("ip_options");
        }
        if self.outer.udp_checksum {
            f.push("udp_checksum");
        }
        if self.pad {
            f.push("ethernet_padding");
        }
        f
    }

    /// The case as a corpus vector of group [`GROUP`] called `id`, with
    /// `description` (see [`Case::describe`]).
    pub fn vector(&self, id: &str, description: String) -> Vector {
        let m = self.meaning();
        Vector {
            id: id.to_owned(),
            group: GROUP.name,
            description,
            references: self.references(),
            flags: m.flags,
            result: m.result,
            reason: m.reason.map(str::to_owned),
            snaplen: None,
            format: CaptureFormat::Pcap,
            frames: vec![self.frame_spec()],
            subject: m.subject,
            readings: m.readings,
        }
    }

    fn references(&self) -> Vec<&'static str> {
        let mut r = vec!["rfc7348-5"];
        if self.vxlan.flags & vxlan::FLAG_G != 0 {
            r.push("gbp-2.1");
        }
        if matches!(self.target, TargetCase::Gwlb(_)) {
            r.push("rfc8926-3.4");
        }
        r
    }
}
