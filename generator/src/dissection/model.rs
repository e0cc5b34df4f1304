//! The types of the dissection model (see the [module docs](super)).

use crate::wire::EthernetAddress;
use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, Ipv6Addr};

/// The expected (or decoded) dissection of one capture file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureDissection {
    /// [`FORMAT_VERSION`] of the producer.
    pub format_version: u32,
    /// The corpus vector this describes (its manifest `id`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
    /// The capture file's name, relative to the expected file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture: Option<String>,
    /// One entry per frame of the capture, in file order.
    pub frames: Vec<FrameDissection>,
}

/// Everything known about one captured frame, outermost layer first.
///
/// For an ENI or NLB target the layers are `outer` (Ethernet / IPv4 / UDP
/// 4789), `vxlan`, `inner` (the mirrored frame) and `app`. For a Gateway
/// Load Balancer endpoint target, `outer` is the GWLB's Ethernet / IPv4 /
/// UDP 6081 and `geneve` holds the GENEVE header and the mirror copy's IPv4 /
/// UDP 4789 that follow it (RFC 8926 section 3; AWS "Gateway Load Balancer
/// endpoints" and "How Traffic Mirroring works").
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FrameDissection {
    /// Capture-level facts: number, lengths, truncation, malformation.
    pub frame: FrameFacts,
    /// The outermost Ethernet, IPv4 and UDP headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outer: Option<Outer>,
    /// GWLB targets only: GENEVE and the mirror copy's IPv4 / UDP inside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geneve: Option<Geneve>,
    /// The VXLAN header, in both readings (RFC 7348 and GBP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vxlan: Option<Vxlan>,
    /// The mirrored (inner) frame's headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inner: Option<Inner>,
    /// Application-layer facts of the inner packet's payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<App>,
}

impl FrameDissection {
    /// A frame with only its frame facts.
    pub fn new(frame: FrameFacts) -> FrameDissection {
        FrameDissection { frame, ..FrameDissection::default() }
    }
}

/// Capture-level facts about a frame.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FrameFacts {
    /// 1-based position in the capture file (tshark `frame.number`).
    pub number: u32,
    /// Bytes present in the capture record (pcap `incl_len`, tshark `frame.cap_len`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_len: Option<u32>,
    /// Length of the frame on the wire (pcap `orig_len`, tshark `frame.len`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_len: Option<u32>,
    /// Whether some header promises bytes that are not there: the mirror
    /// copy was cut by PacketLength or the target's MTU (the inner headers
    /// keep their original lengths), or the capture was cut by its snaplen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<bool>,
    /// Why and where the frame is truncated; absent when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncation: Option<Truncation>,
    /// Why the frame breaks a rule of a specification; absent when it does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub malformed: Option<Malformation>,
}

impl FrameFacts {
    /// Facts of an untruncated, well-formed frame of `len` bytes.
    pub fn complete(number: u32, len: u32) -> FrameFacts {
        FrameFacts {
            number,
            captured_len: Some(len),
            original_len: Some(len),
            truncated: Some(false),
            truncation: None,
            malformed: None,
        }
    }
}

/// What cut a frame short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TruncationCause {
    /// The mirror session's PacketLength: only that many bytes after the
    /// VXLAN header were mirrored (EC2 API CreateTrafficMirrorSession).
    PacketLength,
    /// The copy exceeded the target's MTU and was cut to it (AWS "Traffic
    /// Mirroring limitations and quotas", packet size).
    Mtu,
    /// The capture's snapshot length: fewer bytes recorded than were on the
    /// wire (`captured_len < original_len`).
    Snaplen,
}

/// Where and why a frame is truncated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truncation {
    /// What cut it.
    pub cause: TruncationCause,
    /// The PacketLength, MTU or snaplen in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Length of the mirrored (inner) frame as it crossed the source interface.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inner_original_len: Option<u32>,
    /// Bytes of the inner frame present in the capture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inner_captured_len: Option<u32>,
}

/// Why a frame is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MalformedReason {
    /// The outer UDP Length is larger than the IPv4 payload (RFC 768: Length
    /// counts header and data; the datagram cannot be longer than its packet).
    UdpLengthExceedsIpPayload,
    /// The outer UDP Length is smaller than the IPv4 payload: bytes follow
    /// the datagram inside the IP packet (RFC 768, RFC 791).
    UdpLengthShortOfIpPayload,
    /// Fewer than 8 bytes follow the outer UDP header: the VXLAN header is
    /// cut short (RFC 7348 section 5).
    VxlanHeaderTruncated,
    /// The VXLAN I flag is clear: RFC 7348 section 5 makes it a MUST for a
    /// valid VNI (a receiver may drop such a frame, as Linux does).
    VxlanIFlagClear,
    /// Any other reason (a decoder's own; never in an expected file).
    #[serde(other)]
    Other,
}

/// A rule a frame breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Malformation {
    /// The rule broken.
    pub reason: MalformedReason,
    /// The dotted path of the layer at fault, e.g. `outer.udp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
}

/// The outermost headers of the frame.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Outer {
    /// Ethernet II header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eth: Option<Ethernet>,
    /// IPv4 header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv4: Option<Ipv4>,
    /// UDP header (destination 4789 for VXLAN, 6081 for GENEVE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub udp: Option<Udp>,
}

/// An Ethernet II header (IEEE 802.3 clause 3.2.6; no FCS in captures).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Ethernet {
    /// Destination MAC address, lowercase with colons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dst: Option<String>,
    /// Source MAC address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src: Option<String>,
    /// EtherType (0x0800 IPv4, 0x86dd IPv6, 0x8100 802.1Q tag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ethertype: Option<u16>,
    /// Bytes after the packet its EtherType announces (padding up to the
    /// 60-byte minimum, or any trailer); absent when there are none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub padding_len: Option<u32>,
}

/// An address as the model writes it: `02:4f:1a:8c:3e:71`.
pub fn mac(addr: EthernetAddress) -> String {
    addr.to_string()
}

/// An IEEE 802.1Q tag (IEEE 802.1Q clause 9.6).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Vlan {
    /// Priority Code Point, 3 bits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pcp: Option<u8>,
    /// Drop Eligible Indicator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dei: Option<bool>,
    /// VLAN identifier, 12 bits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vid: Option<u16>,
    /// EtherType of what follows the tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ethertype: Option<u16>,
}

/// An IPv4 header (RFC 791 section 3.1).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Ipv4 {
    /// Header length in bytes (IHL x 4): 20 without options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_len: Option<u8>,
    /// Differentiated Services Code Point, 6 bits (RFC 2474).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dscp: Option<u8>,
    /// Explicit Congestion Notification, 2 bits (RFC 3168).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecn: Option<u8>,
    /// Total Length: header and data, as the header states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_len: Option<u16>,
    /// Identification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ident: Option<u16>,
    /// Don't Fragment flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dont_frag: Option<bool>,
    /// More Fragments flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more_frags: Option<bool>,
    /// Fragment Offset, in 8-byte units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frag_offset: Option<u16>,
    /// Time to Live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u8>,
    /// Protocol of the payload (17 UDP, 6 TCP, 1 ICMP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<u8>,
    /// Source address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src: Option<Ipv4Addr>,
    /// Destination address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dst: Option<Ipv4Addr>,
    /// Whether the header carries options (IHL > 5); present only when the
    /// whole header was captured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options_present: Option<bool>,
}

/// An IPv6 fixed header (RFC 8200 section 3).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Ipv6 {
    /// Traffic Class, 8 bits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic_class: Option<u8>,
    /// Flow Label, 20 bits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_label: Option<u32>,
    /// Payload Length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_len: Option<u16>,
    /// Next Header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_header: Option<u8>,
    /// Hop Limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hop_limit: Option<u8>,
    /// Source address (RFC 5952 text form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src: Option<Ipv6Addr>,
    /// Destination address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dst: Option<Ipv6Addr>,
}

/// A UDP header (RFC 768).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Udp {
    /// Source port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src_port: Option<u16>,
    /// Destination port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dst_port: Option<u16>,
    /// Length: header and data, as the header states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u16>,
    /// Checksum as sent (0: none, allowed over IPv4 and what VXLAN senders
    /// use, RFC 7348 section 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<u16>,
}

/// One GENEVE option (RFC 8926 section 3.5).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GeneveOption {
    /// Option Class (0x0108 for AWS's Gateway Load Balancer options).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<u16>,
    /// Type, critical bit included (AWS: 1 endpoint id, 2 attachment id, 3 flow cookie).
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub option_type: Option<u8>,
    /// Length of the data in bytes (the header's 5-bit field times four).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_len: Option<u8>,
    /// The option data, lowercase hex without separators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

/// The GENEVE header a Gateway Load Balancer adds (RFC 8926 section 3.4),
/// and the mirror copy's IPv4 / UDP headers carried inside it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Geneve {
    /// Version, 2 bits (0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u8>,
    /// Length of the options in bytes (Opt Len x 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options_len: Option<u16>,
    /// O bit: an OAM packet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oam: Option<bool>,
    /// C bit: critical options present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical: Option<bool>,
    /// Protocol Type: the EtherType of the payload (0x0800: an IPv4 packet, no Ethernet header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_type: Option<u16>,
    /// Virtual Network Identifier, 24 bits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vni: Option<u32>,
    /// The options, in wire order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<GeneveOption>,
    /// The mirror copy's IPv4 header (source ENI to mirror target).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv4: Option<Ipv4>,
    /// The mirror copy's UDP header (destination 4789).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub udp: Option<Udp>,
}

/// Lowercase hex of `bytes`, no separators.
pub fn hex(bytes: &[u8]) -> String {
    use core::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The 8-byte VXLAN header under both readings of its first word: RFC 7348
/// section 5 (flags byte, 24 reserved bits) and draft-smith-vxlan-group-policy
/// section 2.1 (16-bit flags, Group Policy ID), the layout Wireshark uses.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Vxlan {
    /// GBP view: bytes 0-1 as one 16-bit flags word (0x0800 when only I is set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags16: Option<u16>,
    /// RFC 7348 view: byte 0, the 8-bit flags (0x08 when only I is set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags8: Option<u8>,
    /// I flag (0x08 of byte 0, 0x0800 of the flags word): the VNI is valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag_i: Option<bool>,
    /// GBP G flag (0x8000): a Group Policy ID is present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag_g: Option<bool>,
    /// GBP D flag (0x0040): Don't Learn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag_d: Option<bool>,
    /// GBP A flag (0x0008): Policy Applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag_a: Option<bool>,
    /// GBP view: the reserved bits of the flags word, `flags16 & 0x77b7`
    /// (Wireshark's `vxlan.flags_reserved`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_flags: Option<u16>,
    /// RFC 7348 view: bytes 1-3, the 24 reserved bits after the flags byte.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved24: Option<u32>,
    /// GBP view: bytes 2-3, the Group Policy ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_policy_id: Option<u16>,
    /// Bytes 4-6: the VXLAN Network Identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vni: Option<u32>,
    /// Byte 7: the last reserved byte.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved8: Option<u8>,
}

/// The headers of the mirrored frame, as it crossed the source interface.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Inner {
    /// Ethernet II header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eth: Option<Ethernet>,
    /// 802.1Q tags, outermost first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vlan: Vec<Vlan>,
    /// IPv4 header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv4: Option<Ipv4>,
    /// IPv6 fixed header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6: Option<Ipv6>,
    /// TCP header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp: Option<Tcp>,
    /// UDP header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub udp: Option<Udp>,
    /// ICMP (for IPv4) header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp: Option<Icmp>,
    /// ICMPv6 header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmpv6: Option<Icmp>,
}

/// A TCP header (RFC 9293 section 3.1) and its options.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tcp {
    /// Source port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src_port: Option<u16>,
    /// Destination port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dst_port: Option<u16>,
    /// Sequence number (absolute, not relative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u32>,
    /// Acknowledgment number (absolute).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack: Option<u32>,
    /// Header length in bytes (Data Offset x 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_len: Option<u8>,
    /// The 12 bits after Data Offset: reserved bits and control bits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<u16>,
    /// FIN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag_fin: Option<bool>,
    /// SYN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag_syn: Option<bool>,
    /// RST.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag_rst: Option<bool>,
    /// PSH.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag_psh: Option<bool>,
    /// ACK.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag_ack: Option<bool>,
    /// URG.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag_urg: Option<bool>,
    /// ECE (RFC 3168).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag_ece: Option<bool>,
    /// CWR (RFC 3168).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag_cwr: Option<bool>,
    /// Window (unscaled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<u16>,
    /// Urgent Pointer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgent_pointer: Option<u16>,
    /// Segment data length as the IP header implies it (IP payload length
    /// less the TCP header), whether or not it was all captured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_len: Option<u32>,
    /// The options; present only when the whole header was captured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<TcpOptions>,
}

/// The TCP options a decoder should know (RFC 9293 section 3.2).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TcpOptions {
    /// Maximum Segment Size (kind 2, RFC 9293 section 3.7.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mss: Option<u16>,
    /// Window Scale shift count (kind 3, RFC 7323 section 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_scale: Option<u8>,
    /// Whether SACK-Permitted (kind 4, RFC 2018 section 2) is present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sack_permitted: Option<bool>,
    /// Timestamps TSval (kind 8, RFC 7323 section 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tsval: Option<u32>,
    /// Timestamps TSecr.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tsecr: Option<u32>,
    /// SACK blocks (kind 5, RFC 2018 section 3), in wire order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sack_blocks: Vec<SackBlock>,
}

/// One SACK block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SackBlock {
    /// Left edge.
    pub left: u32,
    /// Right edge.
    pub right: u32,
}

/// An ICMP or ICMPv6 message header (RFC 792; RFC 4443 section 2.1); the
/// identifier and sequence number are those of echo messages.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Icmp {
    /// Type (8 echo request, 0 echo reply; ICMPv6 128 and 129).
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub icmp_type: Option<u8>,
    /// Code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<u8>,
    /// Echo identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ident: Option<u16>,
    /// Echo sequence number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u16>,
}

/// Application-layer facts. Reported on the frame that carries a message's
/// last byte (where a reassembling decoder can report it), and only when the
/// whole message was captured.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct App {
    /// TLS records (RFC 8446 section 5.1, RFC 5246 section 6.2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<Tls>,
    /// An HTTP/1.1 request or response head (RFC 9112 section 3 and 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<Http>,
    /// A DNS message (RFC 1035 section 4.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns: Option<Dns>,
}

/// What the TLS records of a segment show in cleartext.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tls {
    /// ContentType of each record, in order (20 ChangeCipherSpec, 21 alert,
    /// 22 handshake, 23 application_data).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub record_content_types: Vec<u8>,
    /// legacy_record_version of each record, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub record_versions: Vec<u16>,
    /// HandshakeType of each cleartext handshake message, in order (1
    /// ClientHello, 2 ServerHello, 11 Certificate, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub handshake_types: Vec<u8>,
    /// server_name host name (RFC 6066 section 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sni: Option<String>,
    /// ALPN protocol names offered or selected (RFC 7301 section 3.1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alpn: Vec<String>,
}

/// An HTTP/1.1 message head.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Http {
    /// Request method (RFC 9110 section 9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Request target as sent (RFC 9112 section 3.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// HTTP version of the request or status line, e.g. `HTTP/1.1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Response status code (RFC 9110 section 15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    /// Host header of a request (RFC 9110 section 7.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// A DNS message's header and first question.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Dns {
    /// ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u16>,
    /// QR: a response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_response: Option<bool>,
    /// RCODE (0 NOERROR, 3 NXDOMAIN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rcode: Option<u8>,
    /// QNAME of the first question, dotted, without the trailing dot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_name: Option<String>,
    /// QTYPE of the first question (1 A, 28 AAAA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_type: Option<u16>,
    /// ANCOUNT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_count: Option<u16>,
}
