//! The vector builder: one frame specification in, the frame's bytes and its
//! expected [`FrameDissection`] out, both from the same `Repr`s.
//!
//! The builder never parses what it wrote. Each layer is emitted from its
//! `Repr` at a known offset, and its dissection is the `Repr`'s fields whose
//! byte ranges lie within what was captured (see the `from_repr` functions of
//! [`crate::dissection`]). Lengths (IP Total Length, UDP Length) are computed
//! here from the layers below, so a specification cannot state inconsistent
//! ones by accident; the deliberate inconsistencies of negative vectors are
//! [`Fault`]s, applied last and recorded in the frame's `malformed` fact.
//!
//! The AWS defaults ([`FrameSpec::aws`], [`FrameSpec::aws_gwlb`]) take their
//! values from [`crate::mirror::encap`] and [`crate::generate`], and a test
//! checks that the builder's bytes equal [`crate::mirror::encap::encapsulate`]'s
//! for the same packet, so the corpus is what `vxgen generate` writes.

use crate::dissection::{
    keep, App, Ethernet, FrameDissection, FrameFacts, Geneve, Icmp, Inner, Ipv4, Ipv6, Malformation,
    MalformedReason, Outer, Tcp, Truncation, TruncationCause, Udp, Vlan, Vxlan,
};
use crate::flow::PacketKey;
use crate::mirror::encap::{outer_source_port, OUTER_TTL};
use crate::mirror::session::{Source, Target, TargetKind};
use crate::wire::{
    ethernet, geneve, icmpv4, icmpv6, ipv4, ipv6, tcp, udp, vlan, vxlan, EtherType, IpProtocol,
};
use std::net::IpAddr;

/// The smallest Ethernet frame without FCS (IEEE 802.3 clause 4.2.3.3: 64
/// bytes with the 4-byte FCS): shorter frames are padded on the wire.
pub const MIN_FRAME_LEN: usize = 60;

/// The TPID of an 802.1ad service tag (IEEE 802.1Q clause 9.5), the outer
/// tag of a QinQ frame.
pub const S_TAG_TPID: EtherType = EtherType(0x88a8);

/// The inner network layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InnerIp {
    /// IPv4; `payload_len` is computed by the builder.
    V4(ipv4::Repr),
    /// IPv6; `payload_len` is computed by the builder.
    V6(ipv6::Repr),
}

/// The inner transport layer; its length fields are computed by the builder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InnerL4 {
    /// TCP; `payload_len` is set to the payload's length.
    Tcp(tcp::Repr),
    /// UDP, checksum filled (RFC 768; mandatory over IPv6, RFC 8200 section 8.1).
    Udp(udp::Repr),
    /// ICMP echo over IPv4, checksum filled (RFC 792).
    Icmpv4(icmpv4::Repr),
    /// ICMPv6 echo, checksum filled (RFC 4443 section 2.3).
    Icmpv6(icmpv6::Repr),
}

/// The mirrored frame: what crossed the source network interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InnerSpec {
    /// Ethernet header; its EtherType is set by the builder (0x8100 when
    /// tagged, else the IP version's).
    pub eth: ethernet::Repr,
    /// 802.1Q tags, outermost first; each EtherType is set by the builder.
    pub vlan: Vec<vlan::Repr>,
    /// The outermost of two or more tags is an 802.1ad service tag (TPID
    /// 0x88a8, IEEE 802.1Q clause 9.5) rather than a customer tag (0x8100).
    pub s_tag: bool,
    /// The IP header.
    pub ip: InnerIp,
    /// IPv4 options, copied as given (a multiple of 4 bytes, at most 40;
    /// RFC 791 section 3.1); empty for IPv6.
    pub ip_options: Vec<u8>,
    /// The transport header.
    pub l4: InnerL4,
    /// The transport payload.
    pub payload: Vec<u8>,
    /// What the payload is at the application layer (TLS, HTTP, DNS), as
    /// stated by whoever built it: the parameters given to the payload
    /// builder, never a parse of the bytes.
    pub app: Option<App>,
}

impl InnerSpec {
    /// The 5-tuple a mirror filter (and the outer source port hash) sees.
    pub fn key(&self) -> PacketKey {
        let (src, dst, proto) = match &self.ip {
            InnerIp::V4(r) => (IpAddr::V4(r.src_addr), IpAddr::V4(r.dst_addr), self.protocol()),
            InnerIp::V6(r) => (IpAddr::V6(r.src_addr), IpAddr::V6(r.dst_addr), self.protocol()),
        };
        let ports = match &self.l4 {
            InnerL4::Tcp(t) => Some((t.src_port, t.dst_port)),
            InnerL4::Udp(u) => Some((u.src_port, u.dst_port)),
            InnerL4::Icmpv4(_) | InnerL4::Icmpv6(_) => None,
        };
        PacketKey::ip(src, dst, proto, ports)
    }

    fn protocol(&self) -> IpProtocol {
        match &self.l4 {
            InnerL4::Tcp(_) => IpProtocol::TCP,
            InnerL4::Udp(_) => IpProtocol::UDP,
            InnerL4::Icmpv4(_) => IpProtocol::ICMP,
            InnerL4::Icmpv6(_) => IpProtocol::ICMPV6,
        }
    }

    /// Emits the frame; returns its bytes and the Reprs as emitted (lengths
    /// filled in) with each layer's offset.
    pub fn build(&self) -> (Vec<u8>, InnerLayout) {
        let mut l4 = self.l4.clone();
        let l4_len = match &mut l4 {
            InnerL4::Tcp(t) => {
                t.payload_len = self.payload.len();
                t.total_len()
            }
            InnerL4::Udp(u) => {
                u.payload_len = self.payload.len();
                u.total_len()
            }
            InnerL4::Icmpv4(icmpv4::Repr::EchoRequest { data_len, .. })
            | InnerL4::Icmpv4(icmpv4::Repr::EchoReply { data_len, .. })
            | InnerL4::Icmpv6(icmpv6::Repr::EchoRequest { data_len, .. })
            | InnerL4::Icmpv6(icmpv6::Repr::EchoReply { data_len, .. }) => {
                *data_len = self.payload.len();
                icmpv4::HEADER_LEN + self.payload.len()
            }
        };
        let protocol = self.protocol();
        let mut ip = self.ip.clone();
        let (ip_ethertype, ip_header_len) = match &mut ip {
            InnerIp::V4(r) => {
                r.payload_len = l4_len;
                r.next_header = protocol;
                (EtherType::IPV4, r.header_len() + self.ip_options.len())
            }
            InnerIp::V6(r) => {
                r.payload_len = l4_len;
                r.next_header = protocol;
                (EtherType::IPV6, r.header_len())
            }
        };
        let mut eth = self.eth;
        let mut tags = self.vlan.clone();
        eth.ethertype = match tags.len() {
            0 => ip_ethertype,
            n if n >= 2 && self.s_tag => S_TAG_TPID,
            _ => EtherType::VLAN,
        };
        let n = tags.len();
        for (i, tag) in tags.iter_mut().enumerate() {
            tag.ethertype = if i + 1 == n { ip_ethertype } else { EtherType::VLAN };
        }
        let ip_at = ethernet::HEADER_LEN + vlan::HEADER_LEN * n;
        let l4_at = ip_at + ip_header_len;
        let payload_at = l4_at + l4_len - self.payload.len();
        let len = l4_at + l4_len;
        let mut bytes = vec![0u8; len];
        eth.emit(&mut ethernet::Frame::new_unchecked(&mut bytes[..]));
        for (i, tag) in tags.iter().enumerate() {
            let at = ethernet::HEADER_LEN + vlan::HEADER_LEN * i;
            tag.emit(&mut vlan::Packet::new_unchecked(&mut bytes[at..at + vlan::HEADER_LEN]));
        }
        let (src, dst) = match &ip {
            InnerIp::V4(r) => {
                r.emit_with_options(&mut ipv4::Packet::new_unchecked(&mut bytes[ip_at..]), &self.ip_options);
                (IpAddr::V4(r.src_addr), IpAddr::V4(r.dst_addr))
            }
            InnerIp::V6(r) => {
                r.emit(&mut ipv6::Packet::new_unchecked(&mut bytes[ip_at..]));
                (IpAddr::V6(r.src_addr), IpAddr::V6(r.dst_addr))
            }
        };
        bytes[payload_at..].copy_from_slice(&self.payload);
        let seg = &mut bytes[l4_at..];
        let mut udp_checksum = None;
        match &l4 {
            InnerL4::Tcp(t) => {
                let mut p = tcp::Packet::new_unchecked(seg);
                t.emit(&mut p);
                p.fill_checksum(&src, &dst);
            }
            InnerL4::Udp(u) => {
                let mut p = udp::Packet::new_unchecked(seg);
                u.emit(&mut p);
                p.fill_checksum(&src, &dst);
                udp_checksum = Some(p.checksum());
            }
            InnerL4::Icmpv4(r) => {
                let mut p = icmpv4::Packet::new_unchecked(seg);
                r.emit(&mut p);
                p.fill_checksum();
            }
            InnerL4::Icmpv6(r) => {
                let (IpAddr::V6(s), IpAddr::V6(d)) = (src, dst) else {
                    panic!("ICMPv6 needs an IPv6 inner header")
                };
                let mut p = icmpv6::Packet::new_unchecked(seg);
                r.emit(&mut p);
                p.fill_checksum(&s, &d);
            }
        }
        let ip_options_len = self.ip_options.len();
        let layout =
            InnerLayout { eth, tags, ip, ip_options_len, l4, udp_checksum, ip_at, l4_at, payload_at, len };
        (bytes, layout)
    }
}

/// The inner frame as emitted: Reprs with every length filled in, and offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InnerLayout {
    /// Ethernet header as emitted.
    pub eth: ethernet::Repr,
    /// 802.1Q tags as emitted.
    pub tags: Vec<vlan::Repr>,
    /// IP header as emitted.
    pub ip: InnerIp,
    /// Length of the IPv4 options after the fixed header.
    pub ip_options_len: usize,
    /// Transport header as emitted.
    pub l4: InnerL4,
    /// The UDP checksum the builder computed (RFC 768), for a UDP frame.
    pub udp_checksum: Option<u16>,
    /// Offset of the IP header.
    pub ip_at: usize,
    /// Offset of the transport header.
    pub l4_at: usize,
    /// Offset of the transport payload.
    pub payload_at: usize,
    /// Length of the frame.
    pub len: usize,
}

impl InnerLayout {
    /// The dissection of the first `present` bytes of the frame; `app` is
    /// kept only when the whole payload is present.
    pub fn dissect(&self, present: usize, app: Option<&App>) -> (Option<Inner>, Option<App>) {
        if present == 0 {
            return (None, None);
        }
        let avail = |at: usize| present.saturating_sub(at);
        let mut inner = Inner { eth: keep::eth(Ethernet::from_repr(&self.eth, present)), ..Inner::default() };
        for (i, tag) in self.tags.iter().enumerate() {
            let a = avail(ethernet::HEADER_LEN + vlan::HEADER_LEN * i);
            if let Some(v) = keep::vlan(Vlan::from_repr(tag, a)) {
                inner.vlan.push(v);
            }
        }
        match &self.ip {
            InnerIp::V4(r) => {
                inner.ipv4 = keep::ipv4(Ipv4::from_repr(r, self.ip_options_len, avail(self.ip_at)))
            }
            InnerIp::V6(r) => inner.ipv6 = keep::ipv6(Ipv6::from_repr(r, avail(self.ip_at))),
        }
        let a = avail(self.l4_at);
        match &self.l4 {
            InnerL4::Tcp(t) => inner.tcp = keep::tcp(Tcp::from_repr(t, a)),
            InnerL4::Udp(u) => {
                inner.udp = keep::udp(Udp::from_repr(u, u.total_len() as u16, self.udp_checksum, a))
            }
            InnerL4::Icmpv4(r) => {
                let (t, ident, seq) = match *r {
                    icmpv4::Repr::EchoRequest { ident, seq_no, .. } => (8, ident, seq_no),
                    icmpv4::Repr::EchoReply { ident, seq_no, .. } => (0, ident, seq_no),
                };
                inner.icmp = keep::icmp(Icmp::echo(t, ident, seq, a));
            }
            InnerL4::Icmpv6(r) => {
                let (t, ident, seq) = match *r {
                    icmpv6::Repr::EchoRequest { ident, seq_no, .. } => (128, ident, seq_no),
                    icmpv6::Repr::EchoReply { ident, seq_no, .. } => (129, ident, seq_no),
                };
                inner.icmpv6 = keep::icmp(Icmp::echo(t, ident, seq, a));
            }
        }
        let app = app.filter(|_| present >= self.len).cloned();
        ((inner != Inner::default()).then_some(inner), app)
    }
}

/// The headers in front of the VXLAN header: Ethernet / IPv4 / UDP, or for
/// a Gateway Load Balancer target the IPv4 / UDP inside GENEVE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OuterSpec {
    /// Ethernet header (its EtherType is set to IPv4); unused inside GENEVE.
    pub eth: ethernet::Repr,
    /// IPv4 header; `payload_len` and `next_header` are computed.
    pub ip: ipv4::Repr,
    /// IPv4 options, copied as given (a multiple of 4 bytes, at most 40).
    pub ip_options: Vec<u8>,
    /// UDP source port (AWS: a hash of the inner flow).
    pub src_port: u16,
    /// UDP destination port (4789).
    pub dst_port: u16,
    /// Fill the UDP checksum instead of sending 0 (RFC 7348 section 5: SHOULD
    /// be 0 over IPv4; a receiver MUST accept a non-zero one).
    pub udp_checksum: bool,
}

/// The Gateway Load Balancer's wrapping (RFC 8926; AWS "Gateway Load
/// Balancer endpoints").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GwlbSpec {
    /// Ethernet header to the appliance.
    pub eth: ethernet::Repr,
    /// IPv4 from the GWLB node to the appliance.
    pub ip: ipv4::Repr,
    /// UDP source port.
    pub src_port: u16,
    /// UDP destination port (6081).
    pub dst_port: u16,
    /// The GENEVE header and options.
    pub geneve: geneve::Repr,
}

/// Why a copy is shorter than the frame it mirrors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Keep this many bytes after the VXLAN header (a session's PacketLength).
    PacketLength(u16),
    /// Cut the outer IPv4 packet to this MTU.
    Mtu(u16),
}

/// A deliberate inconsistency, for negative vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The outer UDP Length says this many bytes more than the datagram has.
    UdpLengthExceedsIp(u16),
    /// This many zero bytes follow the UDP datagram inside the outer IPv4
    /// packet (IP Total Length counts them, UDP Length does not).
    UdpLengthShortOfIp(u16),
    /// Only this many bytes (0..=7) of the VXLAN header are sent, and nothing
    /// after them; the UDP and IP lengths agree with that.
    VxlanHeaderCut(u8),
}

/// Everything that decides one frame of a vector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameSpec {
    /// Capture timestamp, ns since the Unix epoch.
    pub timestamp_ns: u64,
    /// The GENEVE wrapping of a Gateway Load Balancer target, if any.
    pub gwlb: Option<GwlbSpec>,
    /// The headers in front of VXLAN.
    pub outer: OuterSpec,
    /// The VXLAN header, all 64 bits.
    pub vxlan: vxlan::Repr,
    /// The mirrored frame.
    pub inner: InnerSpec,
    /// PacketLength or MTU truncation.
    pub cut: Option<Cut>,
    /// A deliberate inconsistency.
    pub fault: Option<Fault>,
    /// Pad the outer frame with zeros to [`MIN_FRAME_LEN`] if shorter.
    pub pad: bool,
    /// The UDP payload is not VXLAN to a receiver (its destination port is
    /// not a VXLAN port, RFC 7348 section 5) although it holds the same
    /// bytes: the expected dissection stops at the outer UDP header.
    pub opaque: bool,
}

impl FrameSpec {
    /// A copy as AWS sends it to a network-interface target (AWS "Traffic
    /// Mirroring packet format"; values in docs/aws.md): the target subnet's
    /// router MAC to the target MAC, source ENI 10.0.1.23 to target
    /// 10.0.2.50, TTL 255, DF clear, IP ID 0, UDP source port from the inner
    /// flow's hash (65408 for the VPC resolver's replies), UDP 4789,
    /// checksum 0, VXLAN flags 0x08 and `vni`.
    ///
    /// ```
    /// use generator::vectors::builder::FrameSpec;
    /// use generator::vectors::inner;
    ///
    /// let spec = FrameSpec::aws(inner::tcp_syn(), 9_999_999);
    /// let built = spec.build(1, None);
    /// assert_eq!(&built.bytes[42..50], &[0x08, 0, 0, 0, 0x98, 0x96, 0x7f, 0]);
    /// assert_eq!(built.dissection.vxlan.unwrap().vni, Some(9_999_999));
    /// ```
    pub fn aws(inner: InnerSpec, vni: u32) -> FrameSpec {
        let source = Source::example();
        let target = Target::example(TargetKind::NetworkInterface);
        let port = outer_source_port(&inner.key(), &source.vpc_cidr);
        FrameSpec {
            timestamp_ns: 0,
            gwlb: None,
            outer: OuterSpec {
                eth: ethernet::Repr {
                    src_addr: target.subnet.router_mac,
                    dst_addr: target.mac,
                    ethertype: EtherType::IPV4,
                },
                ip: ipv4::Repr {
                    src_addr: source.ip,
                    dst_addr: target.ip,
                    next_header: IpProtocol::UDP,
                    payload_len: 0,
                    hop_limit: OUTER_TTL,
                    ident: 0,
                    dont_frag: false,
                    dscp: 0,
                    ecn: 0,
                },
                ip_options: Vec::new(),
                src_port: port,
                dst_port: vxlan::UDP_PORT,
                udp_checksum: false,
            },
            vxlan: vxlan::Repr::rfc7348(vxlan::Vni::new(vni).expect("VNI in range")),
            inner,
            cut: None,
            fault: None,
            pad: false,
            opaque: false,
        }
    }

    /// A copy to a Gateway Load Balancer endpoint target, as the appliance
    /// receives it: Ethernet / IPv4 (GWLB to appliance) / UDP 6081 / GENEVE
    /// with AWS's three options / IPv4 (source ENI to the endpoint) / UDP
    /// 4789 / VXLAN / the inner frame, with the values
    /// [`crate::mirror::encap::encapsulate`] uses.
    pub fn aws_gwlb(inner: InnerSpec, vni: u32) -> FrameSpec {
        let target = Target::example(TargetKind::GatewayLoadBalancerEndpoint);
        let hop = target.gwlb.expect("a GWLB target has a hop");
        let mut spec = FrameSpec::aws(inner, vni);
        spec.outer.ip.dst_addr = target.ip;
        let port = spec.outer.src_port;
        // The flow cookie as crate::mirror::encap derives it from the port.
        let cookie = crate::mirror::encap::flow_cookie(port);
        spec.gwlb = Some(GwlbSpec {
            eth: ethernet::Repr {
                src_addr: hop.router_mac,
                dst_addr: hop.appliance_mac,
                ethertype: EtherType::IPV4,
            },
            ip: ipv4::Repr { src_addr: hop.gwlb_ip, dst_addr: hop.appliance_ip, ..spec.outer.ip },
            src_port: port,
            dst_port: geneve::UDP_PORT,
            geneve: geneve::Repr::aws_gwlb(EtherType::IPV4, hop.endpoint_id, hop.attachment_id, cookie),
        });
        spec
    }

    /// Builds the frame numbered `number` (1-based) for a capture whose
    /// snapshot length is `snaplen` (`None`: no limit).
    ///
    /// # Panics
    /// On a specification the wire layer cannot emit (IPv4 options not a
    /// multiple of 4, a length over 65535), or a fault combined with a GWLB
    /// wrapping.
    pub fn build(&self, number: u32, snaplen: Option<u32>) -> BuiltFrame {
        let (inner_bytes, layout) = self.inner.build();
        let inner_len = inner_bytes.len();
        let opts = self.outer.ip_options.len();
        let (kept, cut_cause, limit) = match self.cut {
            None => (inner_len, None, None),
            Some(Cut::PacketLength(n)) => {
                (inner_len.min(n as usize), Some(TruncationCause::PacketLength), Some(n as u32))
            }
            Some(Cut::Mtu(m)) => {
                let room = (m as usize)
                    .saturating_sub(ipv4::HEADER_LEN + opts + udp::HEADER_LEN + vxlan::HEADER_LEN);
                (inner_len.min(room), Some(TruncationCause::Mtu), Some(m as u32))
            }
        };
        let vxlan_len = match self.fault {
            Some(Fault::VxlanHeaderCut(n)) => {
                assert!(n < 8, "a cut VXLAN header is shorter than 8 bytes");
                n as usize
            }
            _ => vxlan::HEADER_LEN,
        };
        let inner_sent = if vxlan_len < vxlan::HEADER_LEN { 0 } else { kept };
        let junk = match self.fault {
            Some(Fault::UdpLengthShortOfIp(n)) => n as usize,
            _ => 0,
        };
        let udp_repr = udp::Repr {
            src_port: self.outer.src_port,
            dst_port: self.outer.dst_port,
            payload_len: vxlan_len + inner_sent,
        };
        let udp_length = match self.fault {
            Some(Fault::UdpLengthExceedsIp(n)) => udp_repr.total_len() as u16 + n,
            _ => udp_repr.total_len() as u16,
        };
        let ip_repr = ipv4::Repr {
            next_header: IpProtocol::UDP,
            payload_len: udp_repr.total_len() + junk,
            ..self.outer.ip
        };

        // The mirror copy's IPv4 packet.
        let ip_header_len = ipv4::HEADER_LEN + opts;
        let mut copy = vec![0u8; ip_header_len + udp_repr.total_len() + junk];
        ip_repr.emit_with_options(&mut ipv4::Packet::new_unchecked(&mut copy[..]), &self.outer.ip_options);
        let udp_at = ip_header_len;
        let vxlan_at = udp_at + udp::HEADER_LEN;
        let header = self.vxlan.to_bytes();
        copy[vxlan_at..vxlan_at + vxlan_len].copy_from_slice(&header[..vxlan_len]);
        copy[vxlan_at + vxlan_len..vxlan_at + vxlan_len + inner_sent]
            .copy_from_slice(&inner_bytes[..inner_sent]);
        let udp_checksum = {
            let end = udp_at + udp_repr.total_len();
            let mut p = udp::Packet::new_unchecked(&mut copy[udp_at..end]);
            udp_repr.emit(&mut p);
            if self.outer.udp_checksum {
                let (s, d) = (IpAddr::V4(ip_repr.src_addr), IpAddr::V4(ip_repr.dst_addr));
                p.fill_checksum(&s, &d);
            }
            p.set_total_len(udp_length);
            p.checksum()
        };

        // What goes in front of it, and the outermost headers' dissection.
        let mut bytes = Vec::with_capacity(copy.len() + 128);
        let outer_eth_repr;
        let mut gwlb_at = None;
        match &self.gwlb {
            None => {
                outer_eth_repr = ethernet::Repr { ethertype: EtherType::IPV4, ..self.outer.eth };
                bytes.resize(ethernet::HEADER_LEN, 0);
                outer_eth_repr.emit(&mut ethernet::Frame::new_unchecked(&mut bytes[..]));
            }
            Some(g) => {
                assert!(self.fault.is_none(), "faults apply to the VXLAN-carrying UDP of a non-GWLB copy");
                outer_eth_repr = ethernet::Repr { ethertype: EtherType::IPV4, ..g.eth };
                let g_udp = udp::Repr {
                    src_port: g.src_port,
                    dst_port: g.dst_port,
                    payload_len: g.geneve.header_len() + copy.len(),
                };
                let g_ip =
                    ipv4::Repr { next_header: IpProtocol::UDP, payload_len: g_udp.total_len(), ..g.ip };
                let total = ethernet::HEADER_LEN + g_ip.header_len() + g_udp.total_len() - copy.len();
                bytes.resize(total, 0);
                outer_eth_repr.emit(&mut ethernet::Frame::new_unchecked(&mut bytes[..]));
                let ip_at = ethernet::HEADER_LEN;
                g_ip.emit(&mut ipv4::Packet::new_unchecked(&mut bytes[ip_at..]));
                let u_at = ip_at + ipv4::HEADER_LEN;
                g_udp.emit(&mut udp::Packet::new_unchecked(&mut bytes[u_at..]));
                let gen_at = u_at + udp::HEADER_LEN;
                g.geneve.emit(&mut geneve::Header::new_unchecked(&mut bytes[gen_at..]));
                gwlb_at = Some((g_ip, g_udp, gen_at));
            }
        }
        let copy_at = bytes.len();
        bytes.extend_from_slice(&copy);
        let unpadded = bytes.len();
        if self.pad && bytes.len() < MIN_FRAME_LEN {
            bytes.resize(MIN_FRAME_LEN, 0);
        }
        let original_len = bytes.len();
        let captured = snaplen.map_or(original_len, |s| original_len.min(s as usize));
        let avail = |at: usize| captured.saturating_sub(at);

        // Dissection: each layer's fields within the captured bytes.
        let mut d = FrameDissection::new(FrameFacts::complete(number, 0));
        let mut outer =
            Outer { eth: keep::eth(Ethernet::from_repr(&outer_eth_repr, captured)), ..Outer::default() };
        if let Some(eth) = &mut outer.eth {
            if unpadded < original_len && captured == original_len {
                eth.padding_len = Some((original_len - unpadded) as u32);
            }
        }
        let mirror_ip = keep::ipv4(Ipv4::from_repr(&ip_repr, opts, avail(copy_at)));
        let mirror_udp =
            keep::udp(Udp::from_repr(&udp_repr, udp_length, Some(udp_checksum), avail(copy_at + udp_at)));
        match gwlb_at {
            None => {
                outer.ipv4 = mirror_ip;
                outer.udp = mirror_udp;
            }
            Some((g_ip, g_udp, gen_at)) => {
                let g = self.gwlb.as_ref().expect("gwlb");
                outer.ipv4 = keep::ipv4(Ipv4::from_repr(&g_ip, 0, avail(ethernet::HEADER_LEN)));
                let u_at = ethernet::HEADER_LEN + ipv4::HEADER_LEN;
                outer.udp = keep::udp(Udp::from_repr(&g_udp, g_udp.total_len() as u16, Some(0), avail(u_at)));
                d.geneve = keep::geneve(Geneve::from_repr(&g.geneve, avail(gen_at))).map(|mut gen| {
                    gen.ipv4 = mirror_ip;
                    gen.udp = mirror_udp;
                    gen
                });
            }
        }
        d.outer = (outer != Outer::default()).then_some(outer);
        let vx_at = copy_at + vxlan_at;
        d.vxlan = keep::vxlan(Vxlan::from_repr(&self.vxlan, avail(vx_at).min(vxlan_len)));
        let inner_at = vx_at + vxlan_len;
        let inner_present = avail(inner_at).min(inner_sent);
        let (inner, app) = layout.dissect(inner_present, self.inner.app.as_ref());
        d.inner = inner;
        d.app = app;
        if self.opaque {
            d.vxlan = None;
            d.inner = None;
            d.app = None;
        }

        // Frame facts.
        let facts = &mut d.frame;
        facts.captured_len = Some(captured as u32);
        facts.original_len = Some(original_len as u32);
        let truncation = if captured < original_len {
            Some(Truncation {
                cause: TruncationCause::Snaplen,
                limit: snaplen,
                inner_original_len: Some(inner_len as u32),
                inner_captured_len: Some(inner_present as u32),
            })
        } else if inner_sent < inner_len && vxlan_len == vxlan::HEADER_LEN && !self.opaque {
            // An opaque datagram is whole to its receiver: what the cut took
            // is inside a payload it does not dissect.
            cut_cause.map(|cause| Truncation {
                cause,
                limit,
                inner_original_len: Some(inner_len as u32),
                inner_captured_len: Some(inner_present as u32),
            })
        } else {
            None
        };
        facts.truncated = Some(truncation.is_some());
        facts.truncation = truncation;
        facts.malformed = self.fault.map(|f| match f {
            Fault::UdpLengthExceedsIp(_) => Malformation {
                reason: MalformedReason::UdpLengthExceedsIpPayload,
                layer: Some("outer.udp".into()),
            },
            Fault::UdpLengthShortOfIp(_) => Malformation {
                reason: MalformedReason::UdpLengthShortOfIpPayload,
                layer: Some("outer.udp".into()),
            },
            Fault::VxlanHeaderCut(_) => {
                Malformation { reason: MalformedReason::VxlanHeaderTruncated, layer: Some("vxlan".into()) }
            }
        });
        BuiltFrame { bytes, captured_len: captured, timestamp_ns: self.timestamp_ns, dissection: d }
    }
}

/// A built frame: the bytes on the wire and the expected dissection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltFrame {
    /// The whole frame as it was on the wire (`original_len` bytes).
    pub bytes: Vec<u8>,
    /// How many of them the capture records.
    pub captured_len: usize,
    /// Capture timestamp, ns since the Unix epoch.
    pub timestamp_ns: u64,
    /// The expected dissection.
    pub dissection: FrameDissection,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mirror::encap::encapsulate;
    use crate::mirror::session::Gbp;
    use crate::mirror::session::Mirror;
    use crate::vectors::inner;

    /// The builder's bytes are `vxgen generate`'s bytes for the same packet.
    #[test]
    fn aws_profile_matches_encap() {
        let frames = [inner::tcp_syn(), inner::http_get(), inner::tcp_jumbo(9001)];
        for (i, f) in frames.iter().enumerate() {
            let (inner_bytes, _) = f.build();
            let key = f.key();
            for (kind, packet_length, mtu, gbp) in [
                (TargetKind::NetworkInterface, None, 9001, None),
                (TargetKind::NetworkInterface, Some(40u16), 9001, None),
                (TargetKind::NetworkInterface, None, 1500, None),
                (
                    TargetKind::NetworkInterface,
                    None,
                    9001,
                    Some(Gbp { dont_learn: true, policy_applied: false, policy_id: 0x1234 }),
                ),
                (TargetKind::GatewayLoadBalancerEndpoint, Some(100), 9001, None),
            ] {
                let mut mirror = Mirror::example(9_999_999);
                let session = &mut mirror.sessions[0];
                session.target = Target::example(kind);
                session.target.mtu = mtu;
                session.packet_length = packet_length;
                session.gbp = gbp;
                let mut want = Vec::new();
                encapsulate(session, &mirror.source, &inner_bytes, &key, &mut want);

                let mut spec = match kind {
                    TargetKind::GatewayLoadBalancerEndpoint => FrameSpec::aws_gwlb(f.clone(), 9_999_999),
                    _ => FrameSpec::aws(f.clone(), 9_999_999),
                };
                spec.vxlan = crate::mirror::encap::vxlan_repr(session);
                let (kept, why) = crate::mirror::encap::kept_len(session, inner_bytes.len());
                spec.cut = match why {
                    Some(crate::mirror::encap::Truncation::PacketLength(n)) => Some(Cut::PacketLength(n)),
                    Some(crate::mirror::encap::Truncation::Mtu(m)) => Some(Cut::Mtu(m)),
                    None => None,
                };
                let built = spec.build(1, None);
                assert_eq!(
                    built.bytes, want,
                    "frame {i}, {kind:?}, PacketLength {packet_length:?}, MTU {mtu}"
                );
                assert_eq!(built.dissection.frame.truncated, Some(kept < inner_bytes.len()));
            }
        }
    }

    #[test]
    fn truncation_clips_inner_fields() {
        let mut spec = FrameSpec::aws(inner::http_get(), 1);
        spec.cut = Some(Cut::PacketLength(20)); // 14 Ethernet + 6 bytes of IPv4
        let b = spec.build(1, None);
        let inner = b.dissection.inner.unwrap();
        assert!(inner.eth.is_some());
        let ip = inner.ipv4.unwrap();
        assert_eq!((ip.total_len.is_some(), ip.ident.is_some(), ip.ttl), (true, true, None));
        assert!(inner.tcp.is_none() && b.dissection.app.is_none());
        let t = b.dissection.frame.truncation.unwrap();
        assert_eq!((t.cause, t.inner_captured_len), (TruncationCause::PacketLength, Some(20)));
    }

    #[test]
    fn vxlan_cut_short_has_no_vni() {
        let mut spec = FrameSpec::aws(inner::tcp_syn(), 77);
        spec.fault = Some(Fault::VxlanHeaderCut(4));
        let b = spec.build(1, None);
        assert_eq!(b.bytes.len(), 14 + 20 + 8 + 4);
        let v = b.dissection.vxlan.unwrap();
        assert_eq!((v.flags16, v.reserved24, v.vni), (Some(0x0800), Some(0), None));
        assert!(b.dissection.inner.is_none());
        assert_eq!(b.dissection.outer.unwrap().udp.unwrap().length, Some(12));
    }

    #[test]
    fn snaplen_cuts_the_record_not_the_wire() {
        let spec = FrameSpec::aws(inner::tcp_syn(), 77);
        let b = spec.build(3, Some(46));
        assert_eq!(b.captured_len, 46);
        let f = &b.dissection.frame;
        assert_eq!((f.number, f.captured_len, f.truncated), (3, Some(46), Some(true)));
        assert_eq!(f.original_len, Some(b.bytes.len() as u32));
        assert_eq!(b.dissection.vxlan.unwrap().vni, None);
    }
}
