//! The dissection model: what a correct decoder reports for each frame of an
//! AWS VPC Traffic Mirroring capture, field by field.
//!
//! One set of types serves three parties:
//!
//! * the generator, which writes the *expected* dissection of every corpus
//!   vector from the `Repr`s it built the bytes from (ground truth, never
//!   obtained by parsing bytes or running a decoder; see [`crate::vectors`]);
//! * the reference decoder and the adapters of the conformance runner, which
//!   translate a decoder's output into these types;
//! * the runner, which compares the two field by field.
//!
//! Every field is optional (`skip_serializing_if = "Option::is_none"`): a
//! decoder's output *omits what it does not know*, and an expected
//! dissection omits what is not in the captured bytes (a field cut off by
//! truncation is absent, not zero). A field is present only when all of its
//! bytes were captured. A layer is absent when none of its fields is whole.
//!
//! Names are snake_case and stable: renaming one is a breaking change of
//! [`FORMAT_VERSION`]. Addresses are strings (`"10.0.1.23"`, `"2001:db8::1"`,
//! `"02:4f:1a:8c:3e:71"`), numbers are JSON numbers, flags are booleans next
//! to the raw word they come from. docs/dissection.md documents every field
//! with its specification clause and its tshark counterpart; the same
//! correspondence is [`tshark::FIELD_MAP`] in code.
//!
//! ```
//! use generator::dissection::{FrameDissection, FrameFacts, Vxlan};
//!
//! let mut frame = FrameDissection::new(FrameFacts::complete(1, 148));
//! frame.vxlan = Some(Vxlan::from_repr(&generator::wire::vxlan::Repr::rfc7348(
//!     generator::wire::vxlan::Vni::new(9_999_999).unwrap(),
//! ), 8));
//! let json = serde_json::to_value(&frame).unwrap();
//! assert_eq!(json["vxlan"]["flags16"], 0x0800);
//! assert_eq!(json["vxlan"]["flag_i"], true);
//! assert_eq!(json["vxlan"]["vni"], 9_999_999);
//! assert!(json.get("inner").is_none()); // omitted, not null
//! let back: FrameDissection = serde_json::from_value(json).unwrap();
//! assert_eq!(back, frame);
//! ```

use crate::wire::{geneve, ipv4, ipv6, tcp, udp, vlan, vxlan, EthernetAddress};
use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, Ipv6Addr};

/// Version of the dissection format. It changes when a field is renamed,
/// removed or changes meaning; adding an optional field does not change it.
pub const FORMAT_VERSION: u32 = 1;

/// `Some(value)` when a field whose bytes end at offset `end` of its layer
/// lies within the `avail` captured bytes of that layer.
// TODO(issue 10): the `from_repr` functions restate each header's field ends;
// take them from `wire::<header>::field` with `wire::field::Captured` instead,
// as conformance's reference decoder does (left while this file is restructured).
#[inline]
fn whole<T>(avail: usize, end: usize, value: T) -> Option<T> {
    (end <= avail).then_some(value)
}

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

    /// Every field present, flattened to `(dotted path, value)` in JSON form,
    /// sorted by path; list elements are indexed (`inner.vlan[0].vid`,
    /// `app.tls.handshake_types[1]`). Two dissections agree on a field when
    /// both have it with the same value; a path one of them lacks was not
    /// reported (or not captured). This is the form a comparison walks.
    ///
    /// ```
    /// use generator::dissection::{FrameDissection, FrameFacts};
    ///
    /// let f = FrameDissection::new(FrameFacts::complete(7, 60));
    /// let fields = f.fields();
    /// assert_eq!(fields.get("frame.number"), Some(&serde_json::json!(7)));
    /// assert_eq!(fields.get("frame.truncated"), Some(&serde_json::json!(false)));
    /// assert!(!fields.contains_key("vxlan.vni"));
    /// ```
    pub fn fields(&self) -> std::collections::BTreeMap<String, serde_json::Value> {
        fn walk(
            prefix: &str,
            v: &serde_json::Value,
            out: &mut std::collections::BTreeMap<String, serde_json::Value>,
        ) {
            match v {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                        walk(&p, v, out);
                    }
                }
                serde_json::Value::Array(items) => {
                    for (i, v) in items.iter().enumerate() {
                        walk(&format!("{prefix}[{i}]"), v, out);
                    }
                }
                serde_json::Value::Null => {}
                leaf => {
                    out.insert(prefix.to_owned(), leaf.clone());
                }
            }
        }
        let mut out = std::collections::BTreeMap::new();
        walk("", &serde_json::to_value(self).expect("a dissection serializes"), &mut out);
        out
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

impl Ethernet {
    /// The fields of `repr` whose bytes lie within the first `avail` bytes.
    pub fn from_repr(repr: &crate::wire::ethernet::Repr, avail: usize) -> Ethernet {
        Ethernet {
            dst: whole(avail, 6, mac(repr.dst_addr)),
            src: whole(avail, 12, mac(repr.src_addr)),
            ethertype: whole(avail, 14, repr.ethertype.0),
            padding_len: None,
        }
    }

    fn is_empty(&self) -> bool {
        self.dst.is_none()
    }
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

impl Vlan {
    /// The fields of `repr` whose bytes lie within the first `avail` bytes.
    pub fn from_repr(repr: &vlan::Repr, avail: usize) -> Vlan {
        Vlan {
            pcp: whole(avail, 2, repr.pcp),
            dei: whole(avail, 2, repr.dei),
            vid: whole(avail, 2, repr.vid),
            ethertype: whole(avail, 4, repr.ethertype.0),
        }
    }

    fn is_empty(&self) -> bool {
        self.vid.is_none()
    }
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

impl Ipv4 {
    /// The fields of a header emitted from `repr` followed by `options_len`
    /// option bytes, whose bytes lie within the first `avail` bytes.
    pub fn from_repr(repr: &ipv4::Repr, options_len: usize, avail: usize) -> Ipv4 {
        let header_len = ipv4::HEADER_LEN + options_len;
        Ipv4 {
            header_len: whole(avail, 1, header_len as u8),
            dscp: whole(avail, 2, repr.dscp),
            ecn: whole(avail, 2, repr.ecn),
            total_len: whole(avail, 4, (header_len + repr.payload_len) as u16),
            ident: whole(avail, 6, repr.ident),
            dont_frag: whole(avail, 8, repr.dont_frag),
            more_frags: whole(avail, 8, false),
            frag_offset: whole(avail, 8, 0),
            ttl: whole(avail, 9, repr.hop_limit),
            protocol: whole(avail, 10, repr.next_header.0),
            src: whole(avail, 16, repr.src_addr),
            dst: whole(avail, 20, repr.dst_addr),
            options_present: whole(avail, header_len, options_len > 0),
        }
    }

    fn is_empty(&self) -> bool {
        self.header_len.is_none()
    }
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

impl Ipv6 {
    /// The fields of `repr` whose bytes lie within the first `avail` bytes.
    pub fn from_repr(repr: &ipv6::Repr, avail: usize) -> Ipv6 {
        Ipv6 {
            traffic_class: whole(avail, 2, repr.traffic_class),
            flow_label: whole(avail, 4, repr.flow_label & 0xf_ffff),
            payload_len: whole(avail, 6, repr.payload_len as u16),
            next_header: whole(avail, 7, repr.next_header.0),
            hop_limit: whole(avail, 8, repr.hop_limit),
            src: whole(avail, 24, repr.src_addr),
            dst: whole(avail, 40, repr.dst_addr),
        }
    }

    fn is_empty(&self) -> bool {
        self.traffic_class.is_none()
    }
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

impl Udp {
    /// The fields of `repr` with Length `length` (normally
    /// `repr.total_len()`) and, if known, `checksum`, whose bytes lie within
    /// the first `avail` bytes.
    pub fn from_repr(repr: &udp::Repr, length: u16, checksum: Option<u16>, avail: usize) -> Udp {
        Udp {
            src_port: whole(avail, 2, repr.src_port),
            dst_port: whole(avail, 4, repr.dst_port),
            length: whole(avail, 6, length),
            checksum: checksum.and_then(|c| whole(avail, 8, c)),
        }
    }

    fn is_empty(&self) -> bool {
        self.src_port.is_none()
    }
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

impl Geneve {
    /// The fields of `repr` (header and options only) whose bytes lie within
    /// the first `avail` bytes; `ipv4` and `udp` are left empty.
    pub fn from_repr(repr: &geneve::Repr, avail: usize) -> Geneve {
        let mut options = Vec::new();
        let mut at = geneve::HEADER_LEN;
        for o in &repr.options {
            let end = at + o.total_len();
            let opt = GeneveOption {
                class: whole(avail, at + 2, o.class),
                option_type: whole(avail, at + 3, o.option_type),
                data_len: whole(avail, at + 4, o.data.len() as u8),
                data: whole(avail, end, hex(&o.data)),
            };
            if opt.class.is_some() {
                options.push(opt);
            }
            at = end;
        }
        Geneve {
            version: whole(avail, 1, repr.version),
            options_len: whole(avail, 1, repr.options_len() as u16),
            oam: whole(avail, 2, repr.oam),
            critical: whole(avail, 2, repr.critical),
            protocol_type: whole(avail, 4, repr.protocol_type.0),
            vni: whole(avail, 7, repr.vni),
            options,
            ipv4: None,
            udp: None,
        }
    }

    fn is_empty(&self) -> bool {
        self.version.is_none()
    }
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

impl Vxlan {
    /// The fields of `repr` whose bytes lie within the first `avail` bytes.
    ///
    /// ```
    /// use generator::dissection::Vxlan;
    /// use generator::wire::vxlan::{Repr, Vni};
    ///
    /// // Only five bytes captured: the VNI (bytes 4-6) and byte 7 are cut off.
    /// let v = Vxlan::from_repr(&Repr::gbp(Vni::new(7).unwrap(), 0xabcd, true, false), 5);
    /// assert_eq!((v.flags16, v.group_policy_id, v.reserved24), (Some(0x8840), Some(0xabcd), Some(0x40abcd)));
    /// assert_eq!((v.vni, v.reserved8), (None, None));
    /// ```
    pub fn from_repr(repr: &vxlan::Repr, avail: usize) -> Vxlan {
        Vxlan {
            flags16: whole(avail, 2, repr.flags),
            flags8: whole(avail, 1, repr.flags8()),
            flag_i: whole(avail, 1, repr.i_flag()),
            flag_g: whole(avail, 1, repr.g_flag()),
            flag_d: whole(avail, 2, repr.d_flag()),
            flag_a: whole(avail, 2, repr.a_flag()),
            reserved_flags: whole(avail, 2, repr.reserved_flag_bits()),
            reserved24: whole(avail, 4, repr.reserved24()),
            group_policy_id: whole(avail, 4, repr.group_policy_id),
            vni: whole(avail, 7, repr.vni.value()),
            reserved8: whole(avail, 8, repr.reserved8),
        }
    }

    fn is_empty(&self) -> bool {
        self.flags8.is_none()
    }
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

impl Tcp {
    /// The fields of `repr` whose bytes lie within the first `avail` bytes.
    pub fn from_repr(repr: &tcp::Repr, avail: usize) -> Tcp {
        let f = repr.flags.0 & 0x0fff;
        let bit = |mask: u16| whole(avail, 14, f & mask != 0);
        let header_len = repr.header_len();
        Tcp {
            src_port: whole(avail, 2, repr.src_port),
            dst_port: whole(avail, 4, repr.dst_port),
            seq: whole(avail, 8, repr.seq_number),
            ack: whole(avail, 12, repr.ack_number),
            header_len: whole(avail, 13, header_len as u8),
            flags: whole(avail, 14, f),
            flag_fin: bit(tcp::TcpFlags::FIN.0),
            flag_syn: bit(tcp::TcpFlags::SYN.0),
            flag_rst: bit(tcp::TcpFlags::RST.0),
            flag_psh: bit(tcp::TcpFlags::PSH.0),
            flag_ack: bit(tcp::TcpFlags::ACK.0),
            flag_urg: bit(tcp::TcpFlags::URG.0),
            flag_ece: bit(tcp::TcpFlags::ECE.0),
            flag_cwr: bit(tcp::TcpFlags::CWR.0),
            window: whole(avail, 16, repr.window_len),
            urgent_pointer: whole(avail, 20, repr.urgent_pointer),
            payload_len: whole(avail, 13, repr.payload_len as u32),
            options: whole(
                avail,
                header_len,
                TcpOptions {
                    mss: repr.max_seg_size,
                    window_scale: repr.window_scale,
                    sack_permitted: Some(repr.sack_permitted),
                    tsval: repr.timestamp.map(|t| t.0),
                    tsecr: repr.timestamp.map(|t| t.1),
                    sack_blocks: repr
                        .sack_ranges
                        .iter()
                        .flatten()
                        .map(|&(left, right)| SackBlock { left, right })
                        .collect(),
                },
            ),
        }
    }

    fn is_empty(&self) -> bool {
        self.src_port.is_none()
    }
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

impl Icmp {
    /// An echo message's fields whose bytes lie within the first `avail` bytes.
    pub fn echo(icmp_type: u8, ident: u16, seq: u16, avail: usize) -> Icmp {
        Icmp {
            icmp_type: whole(avail, 1, icmp_type),
            code: whole(avail, 2, 0),
            ident: whole(avail, 6, ident),
            seq: whole(avail, 8, seq),
        }
    }

    fn is_empty(&self) -> bool {
        self.icmp_type.is_none()
    }
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

/// Layers that may be cut to nothing are dropped: `Some(layer)` only when
/// at least one field of it is whole.
pub(crate) fn non_empty<T>(layer: T, is_empty: impl Fn(&T) -> bool) -> Option<T> {
    (!is_empty(&layer)).then_some(layer)
}

/// `non_empty` for each layer type, used by the vector builder.
pub(crate) mod keep {
    use super::*;

    pub fn eth(l: Ethernet) -> Option<Ethernet> {
        non_empty(l, Ethernet::is_empty)
    }
    pub fn vlan(l: Vlan) -> Option<Vlan> {
        non_empty(l, Vlan::is_empty)
    }
    pub fn ipv4(l: Ipv4) -> Option<Ipv4> {
        non_empty(l, Ipv4::is_empty)
    }
    pub fn ipv6(l: Ipv6) -> Option<Ipv6> {
        non_empty(l, Ipv6::is_empty)
    }
    pub fn udp(l: Udp) -> Option<Udp> {
        non_empty(l, Udp::is_empty)
    }
    pub fn tcp(l: Tcp) -> Option<Tcp> {
        non_empty(l, Tcp::is_empty)
    }
    pub fn icmp(l: Icmp) -> Option<Icmp> {
        non_empty(l, Icmp::is_empty)
    }
    pub fn geneve(l: Geneve) -> Option<Geneve> {
        non_empty(l, Geneve::is_empty)
    }
    pub fn vxlan(l: Vxlan) -> Option<Vxlan> {
        non_empty(l, Vxlan::is_empty)
    }
}

/// The correspondence between the model's fields and tshark's (Wireshark
/// 4.0 `-T fields` names), in one place: used by the corpus tests, by the
/// conformance runner's tshark adapter, and rendered into docs/dissection.md.
///
/// A field of the model is named by its dotted path in the JSON form, with
/// `[]` for "each element of a list" (`geneve.options[].class`). Where a
/// protocol occurs more than once in a frame (the outer and inner `ip`, say),
/// tshark's `-E occurrence=a` lists one value per occurrence, outermost
/// first; [`compare`] finds the right one by counting the layers of the same
/// protocol that come before it in the expected dissection.
///
/// ```
/// use generator::dissection::tshark::{field, Kind, FIELD_MAP};
///
/// let vni = field("vxlan.vni").unwrap();
/// assert_eq!((vni.tshark, vni.kind), (Some("vxlan.vni"), Kind::Uint));
/// // Fields tshark has no counterpart for are mapped to None.
/// assert_eq!(field("vxlan.reserved24").unwrap().tshark, None);
/// assert!(FIELD_MAP.len() > 100);
/// ```
pub mod tshark {
    use super::FrameDissection;
    use serde_json::Value;
    use std::collections::HashMap;
    use std::net::IpAddr;

    /// How a value is written by tshark and compared.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Kind {
        /// An unsigned number; tshark writes decimal or `0x` hex.
        Uint,
        /// A boolean; tshark writes `1`/`0` (4.0) or `True`/`False` (4.2+).
        Bool,
        /// A MAC address, compared case-insensitively.
        Mac,
        /// An IPv4 or IPv6 address, compared as addresses.
        Ip,
        /// A string, compared exactly.
        Str,
        /// A list of numbers: one per occurrence of the tshark field.
        UintList,
        /// A list of strings: one per occurrence.
        StrList,
        /// A byte count; tshark writes the bytes in hex.
        BytesLen,
        /// Hex bytes, compared case-insensitively without separators.
        Bytes,
        /// A list of hex byte strings.
        BytesList,
        /// A boolean that is true when the (list) tshark field contains this
        /// number: `tcp.option_kind` contains 4 when SACK-Permitted is present.
        Contains(u64),
    }

    /// One field of the model and its tshark counterpart.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Field {
        /// Dotted path of the field in the JSON form.
        pub path: &'static str,
        /// The tshark field, or `None` when tshark has no counterpart.
        pub tshark: Option<&'static str>,
        /// How values are compared.
        pub kind: Kind,
        /// Where the field is defined.
        pub spec: &'static str,
        /// What it means, in a few words.
        pub meaning: &'static str,
        /// A second tshark field whose values continue the list of the
        /// first (tshark 4.0 writes the type of TLS 1.3's encrypted records
        /// as `tls.record.opaque_type`, after the cleartext ones).
        pub tshark_append: Option<&'static str>,
        /// A known difference between tshark and the model for this field
        /// (see docs/dissection.md, "Known tshark differences"); such a
        /// field's disagreements are listed, not counted as failures.
        pub tshark_note: Option<&'static str>,
    }

    /// The tshark preferences (`-o name:value`) the map assumes: absolute
    /// TCP sequence numbers, so that SACK edges are the values on the wire.
    pub const PREFS: &[&str] = &["tcp.relative_sequence_numbers:FALSE"];

    const fn f(
        path: &'static str,
        tshark: Option<&'static str>,
        kind: Kind,
        spec: &'static str,
        meaning: &'static str,
    ) -> Field {
        Field { path, tshark, kind, spec, meaning, tshark_append: None, tshark_note: None }
    }

    const fn note(field: Field, note: &'static str) -> Field {
        Field { tshark_note: Some(note), ..field }
    }

    const fn append(field: Field, tshark: &'static str) -> Field {
        Field { tshark_append: Some(tshark), ..field }
    }

    use Kind::*;

    const RFC791: &str = "RFC 791 section 3.1";
    const RFC768: &str = "RFC 768";
    const RFC7348: &str = "RFC 7348 section 5";
    const GBP: &str = "draft-smith-vxlan-group-policy section 2.1";
    const ETH: &str = "IEEE 802.3 clause 3.2";
    const RFC9293: &str = "RFC 9293 section 3.1";
    const PCAP: &str = "pcap / pcapng packet record";
    const AWS_TRUNC: &str =
        "EC2 API CreateTrafficMirrorSession (PacketLength); AWS Traffic Mirroring limitations (MTU)";

    macro_rules! ipv4_fields {
        ($p:literal) => {
            [
                f(
                    concat!($p, ".header_len"),
                    Some("ip.hdr_len"),
                    Uint,
                    RFC791,
                    "header length in bytes (IHL x 4)",
                ),
                f(concat!($p, ".dscp"), Some("ip.dsfield.dscp"), Uint, "RFC 2474 section 3", "DSCP"),
                f(concat!($p, ".ecn"), Some("ip.dsfield.ecn"), Uint, "RFC 3168 section 5", "ECN"),
                f(concat!($p, ".total_len"), Some("ip.len"), Uint, RFC791, "Total Length as stated"),
                f(concat!($p, ".ident"), Some("ip.id"), Uint, RFC791, "Identification"),
                f(concat!($p, ".dont_frag"), Some("ip.flags.df"), Bool, RFC791, "Don't Fragment"),
                f(concat!($p, ".more_frags"), Some("ip.flags.mf"), Bool, RFC791, "More Fragments"),
                f(
                    concat!($p, ".frag_offset"),
                    Some("ip.frag_offset"),
                    Uint,
                    RFC791,
                    "Fragment Offset (8-byte units)",
                ),
                f(concat!($p, ".ttl"), Some("ip.ttl"), Uint, RFC791, "Time to Live"),
                f(concat!($p, ".protocol"), Some("ip.proto"), Uint, RFC791, "Protocol of the payload"),
                f(concat!($p, ".src"), Some("ip.src"), Ip, RFC791, "source address"),
                f(concat!($p, ".dst"), Some("ip.dst"), Ip, RFC791, "destination address"),
                f(concat!($p, ".options_present"), None, Bool, RFC791, "IHL > 5 (tshark: ip.hdr_len > 20)"),
            ]
        };
    }

    macro_rules! udp_fields {
        ($p:literal) => {
            [
                f(concat!($p, ".src_port"), Some("udp.srcport"), Uint, RFC768, "source port"),
                f(concat!($p, ".dst_port"), Some("udp.dstport"), Uint, RFC768, "destination port"),
                f(
                    concat!($p, ".length"),
                    Some("udp.length"),
                    Uint,
                    RFC768,
                    "Length as stated (header and data)",
                ),
                f(concat!($p, ".checksum"), Some("udp.checksum"), Uint, RFC768, "checksum as sent (0: none)"),
            ]
        };
    }

    macro_rules! eth_fields {
        ($p:literal) => {
            [
                f(concat!($p, ".dst"), Some("eth.dst"), Mac, ETH, "destination MAC"),
                f(concat!($p, ".src"), Some("eth.src"), Mac, ETH, "source MAC"),
                f(concat!($p, ".ethertype"), Some("eth.type"), Uint, ETH, "EtherType"),
                f(
                    concat!($p, ".padding_len"),
                    Some("eth.padding"),
                    BytesLen,
                    ETH,
                    "bytes after the packet (padding)",
                ),
            ]
        };
    }

    const FRAME: [Field; 10] = [
        f("frame.number", Some("frame.number"), Uint, PCAP, "1-based position in the file"),
        f("frame.captured_len", Some("frame.cap_len"), Uint, PCAP, "bytes captured"),
        f("frame.original_len", Some("frame.len"), Uint, PCAP, "bytes on the wire"),
        f("frame.truncated", None, Bool, AWS_TRUNC, "a header promises bytes that are missing"),
        f("frame.truncation.cause", None, Str, AWS_TRUNC, "packet_length, mtu or snaplen"),
        f("frame.truncation.limit", None, Uint, AWS_TRUNC, "the PacketLength, MTU or snaplen"),
        f("frame.truncation.inner_original_len", None, Uint, AWS_TRUNC, "inner frame length at the source"),
        f("frame.truncation.inner_captured_len", None, Uint, AWS_TRUNC, "inner frame bytes present"),
        f("frame.malformed.reason", None, Str, "see docs/dissection.md", "the rule the frame breaks"),
        f("frame.malformed.layer", None, Str, "see docs/dissection.md", "the layer at fault"),
    ];

    const GENEVE: [Field; 10] = [
        f("geneve.version", Some("geneve.version"), Uint, "RFC 8926 section 3.4", "Ver"),
        f("geneve.options_len", Some("geneve.options"), BytesLen, "RFC 8926 section 3.4", "Opt Len x 4"),
        f("geneve.oam", Some("geneve.flags.oam"), Bool, "RFC 8926 section 3.4", "O bit"),
        f("geneve.critical", Some("geneve.flags.critical"), Bool, "RFC 8926 section 3.4", "C bit"),
        f("geneve.protocol_type", Some("geneve.proto_type"), Uint, "RFC 8926 section 3.4", "Protocol Type"),
        f("geneve.vni", Some("geneve.vni"), Uint, "RFC 8926 section 3.4", "VNI"),
        f(
            "geneve.options[].class",
            Some("geneve.option.class"),
            UintList,
            "RFC 8926 section 3.5",
            "Option Class",
        ),
        f("geneve.options[].type", Some("geneve.option.type"), UintList, "RFC 8926 section 3.5", "Type"),
        f("geneve.options[].data_len", None, UintList, "RFC 8926 section 3.5", "Length x 4"),
        f(
            "geneve.options[].data",
            Some("geneve.option.unknown.data"),
            BytesList,
            "RFC 8926 section 3.5; AWS GWLB",
            "option data",
        ),
    ];

    const VXLAN: [Field; 11] = [
        f("vxlan.flags16", Some("vxlan.flags"), Uint, GBP, "bytes 0-1 as a 16-bit flags word"),
        f("vxlan.flags8", None, Uint, RFC7348, "byte 0 (tshark: vxlan.flags >> 8)"),
        f("vxlan.flag_i", Some("vxlan.flag_i"), Bool, RFC7348, "I: VNI valid"),
        f("vxlan.flag_g", Some("vxlan.flag_g"), Bool, GBP, "G: Group Policy ID present"),
        f("vxlan.flag_d", Some("vxlan.flag_d"), Bool, GBP, "D: Don't Learn"),
        f("vxlan.flag_a", Some("vxlan.flag_a"), Bool, GBP, "A: Policy Applied"),
        f("vxlan.reserved_flags", Some("vxlan.flags_reserved"), Uint, GBP, "flags16 & 0x77b7"),
        f(
            "vxlan.reserved24",
            None,
            Uint,
            RFC7348,
            "bytes 1-3 (tshark: (vxlan.flags & 0xff) << 16 | vxlan.gbp)",
        ),
        f("vxlan.group_policy_id", Some("vxlan.gbp"), Uint, GBP, "Group Policy ID"),
        f("vxlan.vni", Some("vxlan.vni"), Uint, RFC7348, "VXLAN Network Identifier"),
        f("vxlan.reserved8", Some("vxlan.reserved8"), Uint, RFC7348, "byte 7"),
    ];

    const VLAN: [Field; 4] = [
        f(
            "inner.vlan[].pcp",
            Some("vlan.priority"),
            UintList,
            "IEEE 802.1Q clause 9.6",
            "Priority Code Point",
        ),
        f(
            "inner.vlan[].dei",
            Some("vlan.dei"),
            UintList,
            "IEEE 802.1Q clause 9.6",
            "Drop Eligible Indicator (0/1)",
        ),
        f("inner.vlan[].vid", Some("vlan.id"), UintList, "IEEE 802.1Q clause 9.6", "VLAN identifier"),
        f(
            "inner.vlan[].ethertype",
            Some("vlan.etype"),
            UintList,
            "IEEE 802.1Q clause 9.6",
            "EtherType after the tag",
        ),
    ];

    const IPV6: [Field; 7] = [
        f("inner.ipv6.traffic_class", Some("ipv6.tclass"), Uint, "RFC 8200 section 3", "Traffic Class"),
        f("inner.ipv6.flow_label", Some("ipv6.flow"), Uint, "RFC 8200 section 3", "Flow Label"),
        f("inner.ipv6.payload_len", Some("ipv6.plen"), Uint, "RFC 8200 section 3", "Payload Length"),
        f("inner.ipv6.next_header", Some("ipv6.nxt"), Uint, "RFC 8200 section 3", "Next Header"),
        f("inner.ipv6.hop_limit", Some("ipv6.hlim"), Uint, "RFC 8200 section 3", "Hop Limit"),
        f("inner.ipv6.src", Some("ipv6.src"), Ip, "RFC 8200 section 3", "source address"),
        f("inner.ipv6.dst", Some("ipv6.dst"), Ip, "RFC 8200 section 3", "destination address"),
    ];

    const TCP: [Field; 23] = [
        f("inner.tcp.src_port", Some("tcp.srcport"), Uint, RFC9293, "source port"),
        f("inner.tcp.dst_port", Some("tcp.dstport"), Uint, RFC9293, "destination port"),
        f("inner.tcp.seq", Some("tcp.seq_raw"), Uint, RFC9293, "sequence number (absolute)"),
        f("inner.tcp.ack", Some("tcp.ack_raw"), Uint, RFC9293, "acknowledgment number (absolute)"),
        f("inner.tcp.header_len", Some("tcp.hdr_len"), Uint, RFC9293, "Data Offset x 4"),
        f("inner.tcp.flags", Some("tcp.flags"), Uint, RFC9293, "the 12 bits after Data Offset"),
        f("inner.tcp.flag_fin", Some("tcp.flags.fin"), Bool, RFC9293, "FIN"),
        f("inner.tcp.flag_syn", Some("tcp.flags.syn"), Bool, RFC9293, "SYN"),
        f("inner.tcp.flag_rst", Some("tcp.flags.reset"), Bool, RFC9293, "RST"),
        f("inner.tcp.flag_psh", Some("tcp.flags.push"), Bool, RFC9293, "PSH"),
        f("inner.tcp.flag_ack", Some("tcp.flags.ack"), Bool, RFC9293, "ACK"),
        f("inner.tcp.flag_urg", Some("tcp.flags.urg"), Bool, RFC9293, "URG"),
        f("inner.tcp.flag_ece", Some("tcp.flags.ece"), Bool, "RFC 3168 section 6.1", "ECE"),
        f("inner.tcp.flag_cwr", Some("tcp.flags.cwr"), Bool, "RFC 3168 section 6.1", "CWR"),
        f("inner.tcp.window", Some("tcp.window_size_value"), Uint, RFC9293, "Window (unscaled)"),
        f("inner.tcp.urgent_pointer", Some("tcp.urgent_pointer"), Uint, RFC9293, "Urgent Pointer"),
        note(
            f("inner.tcp.payload_len", Some("tcp.len"), Uint, RFC9293, "segment data length implied by IP"),
            "on a truncated copy tshark counts the bytes present, not the length the inner IP header implies",
        ),
        f("inner.tcp.options.mss", Some("tcp.options.mss_val"), Uint, "RFC 9293 section 3.7.1", "MSS option"),
        f(
            "inner.tcp.options.window_scale",
            Some("tcp.options.wscale.shift"),
            Uint,
            "RFC 7323 section 2.2",
            "Window Scale shift",
        ),
        f(
            "inner.tcp.options.sack_permitted",
            Some("tcp.option_kind"),
            Contains(4),
            "RFC 2018 section 2",
            "SACK-Permitted present",
        ),
        f(
            "inner.tcp.options.tsval",
            Some("tcp.options.timestamp.tsval"),
            Uint,
            "RFC 7323 section 3.2",
            "TSval",
        ),
        f(
            "inner.tcp.options.tsecr",
            Some("tcp.options.timestamp.tsecr"),
            Uint,
            "RFC 7323 section 3.2",
            "TSecr",
        ),
        f(
            "inner.tcp.options.sack_blocks[].left",
            Some("tcp.options.sack_le"),
            UintList,
            "RFC 2018 section 3",
            "SACK left edges",
        ),
    ];

    const TCP2: [Field; 1] = [f(
        "inner.tcp.options.sack_blocks[].right",
        Some("tcp.options.sack_re"),
        UintList,
        "RFC 2018 section 3",
        "SACK right edges",
    )];

    const ICMP: [Field; 8] = [
        f("inner.icmp.type", Some("icmp.type"), Uint, "RFC 792", "Type"),
        f("inner.icmp.code", Some("icmp.code"), Uint, "RFC 792", "Code"),
        f("inner.icmp.ident", Some("icmp.ident"), Uint, "RFC 792 (echo)", "echo Identifier"),
        f("inner.icmp.seq", Some("icmp.seq"), Uint, "RFC 792 (echo)", "echo Sequence Number"),
        f("inner.icmpv6.type", Some("icmpv6.type"), Uint, "RFC 4443 section 2.1", "Type"),
        f("inner.icmpv6.code", Some("icmpv6.code"), Uint, "RFC 4443 section 2.1", "Code"),
        f(
            "inner.icmpv6.ident",
            Some("icmpv6.echo.identifier"),
            Uint,
            "RFC 4443 section 4.1",
            "echo Identifier",
        ),
        f(
            "inner.icmpv6.seq",
            Some("icmpv6.echo.sequence_number"),
            Uint,
            "RFC 4443 section 4.1",
            "echo Sequence Number",
        ),
    ];

    const APP: [Field; 17] = [
        append(
            f(
                "app.tls.record_content_types",
                Some("tls.record.content_type"),
                UintList,
                "RFC 8446 section 5.1",
                "ContentType of each record",
            ),
            "tls.record.opaque_type",
        ),
        f(
            "app.tls.record_versions",
            Some("tls.record.version"),
            UintList,
            "RFC 8446 section 5.1",
            "legacy_record_version of each record",
        ),
        f(
            "app.tls.handshake_types",
            Some("tls.handshake.type"),
            UintList,
            "RFC 8446 section 4",
            "cleartext HandshakeType of each message",
        ),
        f(
            "app.tls.sni",
            Some("tls.handshake.extensions_server_name"),
            Str,
            "RFC 6066 section 3",
            "server_name host name",
        ),
        f(
            "app.tls.alpn",
            Some("tls.handshake.extensions_alpn_str"),
            StrList,
            "RFC 7301 section 3.1",
            "ALPN protocol names",
        ),
        f("app.http.method", Some("http.request.method"), Str, "RFC 9112 section 3", "request method"),
        f("app.http.uri", Some("http.request.uri"), Str, "RFC 9112 section 3.2", "request target"),
        f(
            "app.http.version",
            Some("http.request.version"),
            Str,
            "RFC 9112 section 2.3",
            "version of a request",
        ),
        f(
            "app.http.version",
            Some("http.response.version"),
            Str,
            "RFC 9112 section 2.3",
            "version of a response",
        ),
        f("app.http.status_code", Some("http.response.code"), Uint, "RFC 9112 section 4", "status code"),
        f("app.http.host", Some("http.host"), Str, "RFC 9110 section 7.2", "Host header"),
        f("app.dns.id", Some("dns.id"), Uint, "RFC 1035 section 4.1.1", "ID"),
        f("app.dns.is_response", Some("dns.flags.response"), Bool, "RFC 1035 section 4.1.1", "QR"),
        f("app.dns.rcode", Some("dns.flags.rcode"), Uint, "RFC 1035 section 4.1.1", "RCODE"),
        f(
            "app.dns.query_name",
            Some("dns.qry.name"),
            Str,
            "RFC 1035 section 4.1.2",
            "QNAME of the first question",
        ),
        f(
            "app.dns.query_type",
            Some("dns.qry.type"),
            Uint,
            "RFC 1035 section 4.1.2",
            "QTYPE of the first question",
        ),
        f("app.dns.answer_count", Some("dns.count.answers"), Uint, "RFC 1035 section 4.1.1", "ANCOUNT"),
    ];

    const fn concat<const N: usize>(parts: &[&[Field]]) -> [Field; N] {
        let mut out = [f("", None, Uint, "", ""); N];
        let mut n = 0;
        let mut i = 0;
        while i < parts.len() {
            let mut j = 0;
            while j < parts[i].len() {
                out[n] = parts[i][j];
                n += 1;
                j += 1;
            }
            i += 1;
        }
        assert!(n == N, "FIELD_MAP length");
        out
    }

    const ALL_LEN: usize = 10 + 4 + 13 + 4 + 10 + 13 + 4 + 11 + 4 + 4 + 13 + 7 + 23 + 1 + 4 + 8 + 17;

    /// Every field of the model, outermost first, with its tshark counterpart.
    pub const FIELD_MAP: &[Field] = &concat::<ALL_LEN>(&[
        &FRAME,
        &eth_fields!("outer.eth"),
        &ipv4_fields!("outer.ipv4"),
        &udp_fields!("outer.udp"),
        &GENEVE,
        &ipv4_fields!("geneve.ipv4"),
        &udp_fields!("geneve.udp"),
        &VXLAN,
        &eth_fields!("inner.eth"),
        &VLAN,
        &ipv4_fields!("inner.ipv4"),
        &IPV6,
        &TCP,
        &TCP2,
        &udp_fields!("inner.udp"),
        &ICMP,
        &APP,
    ]);

    /// The first entry of [`FIELD_MAP`] for `path`.
    pub fn field(path: &str) -> Option<&'static Field> {
        FIELD_MAP.iter().find(|f| f.path == path)
    }

    /// The tshark fields to request (`-e`), each once, in map order.
    pub fn tshark_fields() -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for t in FIELD_MAP.iter().flat_map(|f| [f.tshark, f.tshark_append]).flatten() {
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }

    /// The layer of the model a path belongs to and that layer's tshark
    /// protocol, for counting occurrences: `inner.ipv4.ttl` is in layer
    /// `inner.ipv4`, protocol `ip`.
    pub fn layer_of(path: &str) -> Option<(&'static str, &'static str)> {
        const LAYERS: [(&str, &str); 18] = [
            ("outer.eth", "eth"),
            ("outer.ipv4", "ip"),
            ("outer.udp", "udp"),
            ("geneve.ipv4", "ip"),
            ("geneve.udp", "udp"),
            ("geneve", "geneve"),
            ("vxlan", "vxlan"),
            ("inner.eth", "eth"),
            ("inner.vlan", "vlan"),
            ("inner.ipv4", "ip"),
            ("inner.ipv6", "ipv6"),
            ("inner.tcp", "tcp"),
            ("inner.udp", "udp"),
            ("inner.icmpv6", "icmpv6"),
            ("inner.icmp", "icmp"),
            ("app.tls", "tls"),
            ("app.http", "http"),
            ("app.dns", "dns"),
        ];
        LAYERS
            .iter()
            .find(|(l, _)| {
                path.strip_prefix(l).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
            })
            .copied()
    }

    /// The layers present in `d`, outermost first, as (layer path, tshark protocol).
    pub fn layers(d: &FrameDissection) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        if let Some(o) = &d.outer {
            if o.eth.is_some() {
                out.push(("outer.eth", "eth"));
            }
            if o.ipv4.is_some() {
                out.push(("outer.ipv4", "ip"));
            }
            if o.udp.is_some() {
                out.push(("outer.udp", "udp"));
            }
        }
        if let Some(g) = &d.geneve {
            out.push(("geneve", "geneve"));
            if g.ipv4.is_some() {
                out.push(("geneve.ipv4", "ip"));
            }
            if g.udp.is_some() {
                out.push(("geneve.udp", "udp"));
            }
        }
        if d.vxlan.is_some() {
            out.push(("vxlan", "vxlan"));
        }
        if let Some(i) = &d.inner {
            let layers: [(bool, &'static str, &'static str); 8] = [
                (i.eth.is_some(), "inner.eth", "eth"),
                (!i.vlan.is_empty(), "inner.vlan", "vlan"),
                (i.ipv4.is_some(), "inner.ipv4", "ip"),
                (i.ipv6.is_some(), "inner.ipv6", "ipv6"),
                (i.tcp.is_some(), "inner.tcp", "tcp"),
                (i.udp.is_some(), "inner.udp", "udp"),
                (i.icmp.is_some(), "inner.icmp", "icmp"),
                (i.icmpv6.is_some(), "inner.icmpv6", "icmpv6"),
            ];
            out.extend(layers.iter().filter(|l| l.0).map(|l| (l.1, l.2)));
        }
        out
    }

    /// The value(s) at a dotted path of a JSON value, `[]` mapping over a list.
    /// Returns `None` when the path is absent.
    pub fn lookup(value: &Value, path: &str) -> Option<Value> {
        let mut parts = path.splitn(2, '.');
        let head = parts.next()?;
        let rest = parts.next();
        if let Some(list_name) = head.strip_suffix("[]") {
            let items = value.get(list_name)?.as_array()?;
            let Some(rest) = rest else { return Some(Value::Array(items.clone())) };
            let vals: Vec<Value> = items.iter().filter_map(|item| lookup(item, rest)).collect();
            return Some(Value::Array(vals));
        }
        let next = value.get(head)?;
        match rest {
            None => Some(next.clone()),
            Some(rest) => lookup(next, rest),
        }
    }

    /// The outcome of comparing one field.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Outcome {
        /// Both give the same value.
        Agree,
        /// Both give a value, and they differ.
        Disagree {
            /// The expected value, canonical form.
            expected: String,
            /// tshark's value, canonical form.
            tshark: String,
        },
        /// Expected, but tshark does not report it.
        NotReported {
            /// The expected value.
            expected: String,
        },
        /// tshark reports a value the expected dissection does not have.
        Unexpected {
            /// tshark's value.
            tshark: String,
        },
    }

    /// One field's comparison.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Verdict {
        /// The model's path.
        pub path: &'static str,
        /// The tshark field compared.
        pub tshark_field: &'static str,
        /// What happened.
        pub outcome: Outcome,
        /// The map's note, when tshark is known to differ on this field.
        pub known: Option<&'static str>,
    }

    impl Verdict {
        /// Whether this is a disagreement (values differ, or tshark reports
        /// something not expected). Fields tshark does not report are not.
        pub fn is_disagreement(&self) -> bool {
            matches!(self.outcome, Outcome::Disagree { .. } | Outcome::Unexpected { .. })
        }
    }

    /// A tshark number: decimal or `0x` hex.
    pub fn parse_uint(s: &str) -> Option<u64> {
        let s = s.trim();
        match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            Some(h) => u64::from_str_radix(h, 16).ok(),
            None => s.parse().ok(),
        }
    }

    /// A tshark boolean: `1`/`0` (tshark 4.0) or `True`/`False` (4.2 and later).
    pub fn parse_bool(s: &str) -> Option<bool> {
        match s.trim() {
            "1" | "True" | "true" => Some(true),
            "0" | "False" | "false" => Some(false),
            _ => None,
        }
    }

    fn canon_expected(kind: Kind, v: &Value) -> String {
        match kind {
            Uint | BytesLen => v.as_u64().map_or_else(|| v.to_string(), |n| n.to_string()),
            Bool | Contains(_) => v.as_bool().map_or_else(|| v.to_string(), |b| b.to_string()),
            Mac | Bytes => v.as_str().unwrap_or_default().to_ascii_lowercase(),
            Ip => v
                .as_str()
                .and_then(|s| s.parse::<IpAddr>().ok())
                .map_or_else(|| v.to_string(), |a| a.to_string()),
            Str => v.as_str().map_or_else(|| v.to_string(), str::to_owned),
            UintList | StrList | BytesList => v
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .map(|i| match i {
                            Value::Bool(b) => u8::from(*b).to_string(),
                            Value::Number(n) => n.to_string(),
                            Value::String(s) if kind == BytesList => s.to_ascii_lowercase(),
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_else(|| v.to_string()),
        }
    }

    fn canon_tshark(kind: Kind, values: &[&str]) -> String {
        let one = values.first().copied().unwrap_or("");
        match kind {
            Uint => parse_uint(one).map_or_else(|| one.to_owned(), |n| n.to_string()),
            Bool => parse_bool(one).map_or_else(|| one.to_owned(), |b| b.to_string()),
            Mac => one.to_ascii_lowercase(),
            Bytes => one.replace(':', "").to_ascii_lowercase(),
            Ip => one.parse::<IpAddr>().map_or_else(|_| one.to_owned(), |a| a.to_string()),
            Str => one.to_owned(),
            BytesLen => (one.replace(':', "").len() / 2).to_string(),
            UintList => values
                .iter()
                .map(|v| parse_uint(v).map_or_else(|| (*v).to_owned(), |n| n.to_string()))
                .collect::<Vec<_>>()
                .join(","),
            StrList => values.join(","),
            BytesList => {
                values.iter().map(|v| v.replace(':', "").to_ascii_lowercase()).collect::<Vec<_>>().join(",")
            }
            Contains(k) => values.iter().any(|v| parse_uint(v) == Some(k)).to_string(),
        }
    }

    /// Compares the expected dissection of one frame with tshark's row for
    /// it: `row` maps each requested tshark field to its value as printed
    /// with `-E occurrence=a -E aggregator=<sep>`, already split into one
    /// string per occurrence (empty list: not reported).
    ///
    /// Every mapped field of every layer present in `expected` is compared;
    /// a field tshark reports at the right occurrence but `expected` lacks is
    /// [`Outcome::Unexpected`]. Fields without a tshark counterpart are skipped.
    /// Run tshark with [`PREFS`] and the fields of [`tshark_fields`].
    ///
    /// ```
    /// use generator::dissection::tshark::{compare, Outcome};
    /// use generator::vectors::{build_vector, corpus};
    /// use std::collections::HashMap;
    ///
    /// let v = corpus::vectors().into_iter().find(|v| v.id == "vni-9999999").unwrap();
    /// let expected = &build_vector(&v).dissection.frames[0];
    /// // What `tshark -T fields -E occurrence=a -e ip.ttl -e vxlan.vni` prints,
    /// // split per occurrence: outer TTL 255, inner TTL 64.
    /// let row: HashMap<&str, Vec<String>> = HashMap::from([
    ///     ("ip.ttl", vec!["255".to_string(), "64".to_string()]),
    ///     ("vxlan.vni", vec!["9999998".to_string()]),
    /// ]);
    /// let verdicts = compare(expected, &row);
    /// let of = |path: &str| verdicts.iter().filter(|v| v.path == path).map(|v| v.outcome.clone()).collect::<Vec<_>>();
    /// assert_eq!(of("outer.ipv4.ttl"), [Outcome::Agree]);
    /// assert_eq!(of("inner.ipv4.ttl"), [Outcome::Agree]);
    /// assert_eq!(
    ///     of("vxlan.vni"),
    ///     [Outcome::Disagree { expected: "9999999".into(), tshark: "9999998".into() }]
    /// );
    /// assert!(matches!(of("vxlan.flag_i")[..], [Outcome::NotReported { .. }]));
    /// ```
    pub fn compare(expected: &FrameDissection, row: &HashMap<&str, Vec<String>>) -> Vec<Verdict> {
        let json = serde_json::to_value(expected).expect("a dissection serializes");
        let layers = layers(expected);
        let mut out = Vec::new();
        for field in FIELD_MAP {
            let Some(tshark_field) = field.tshark else { continue };
            let mut values: Vec<&str> =
                row.get(tshark_field).map(|v| v.iter().map(String::as_str).collect()).unwrap_or_default();
            if let Some(more) = field.tshark_append.and_then(|t| row.get(t)) {
                values.extend(more.iter().map(String::as_str));
            }
            let expected_value = lookup(&json, field.path).filter(|v| !v.is_null());
            // A Contains field is judged only where the expected frame has it.
            if matches!(field.kind, Contains(_)) && expected_value.is_none() {
                continue;
            }
            let list = matches!(field.kind, UintList | StrList | BytesList | Contains(_));
            let mine: Vec<&str> = match (field.path.starts_with("frame."), layer_of(field.path)) {
                (true, _) => values.clone(),
                (false, Some((layer, proto))) if !list => {
                    let Some(pos) = layers.iter().position(|(l, _)| *l == layer) else { continue };
                    let occurrence = layers[..pos].iter().filter(|(_, p)| *p == proto).count();
                    values.get(occurrence).map(|v| vec![*v]).unwrap_or_default()
                }
                (false, Some((layer, _))) => {
                    if !layers.iter().any(|(l, _)| *l == layer) && !field.path.starts_with("app.") {
                        continue;
                    }
                    values.clone()
                }
                (false, None) => continue,
            };
            // Application facts: compare only where the expected frame has them.
            if field.path.starts_with("app.") && expected_value.is_none() && expected.app.is_none() {
                continue;
            }
            let mine: Vec<&str> = mine.into_iter().filter(|v| !v.is_empty()).collect();
            let expected_value = match (field.kind, expected_value) {
                // An empty list in the model is an omitted one.
                (UintList | StrList | BytesList, Some(Value::Array(a))) if a.is_empty() => None,
                (_, v) => v,
            };
            let outcome = match (expected_value, mine.is_empty()) {
                (None, true) => continue,
                (Some(e), true) => {
                    // A Contains field is answered by the absence of the number,
                    // provided tshark reported the layer at all.
                    if let Contains(_) = field.kind {
                        let anchor = row.get("tcp.srcport").is_some_and(|v| !v.is_empty());
                        let e = canon_expected(field.kind, &e);
                        if anchor && e == "false" {
                            Outcome::Agree
                        } else if anchor {
                            Outcome::Disagree { expected: e, tshark: "false".into() }
                        } else {
                            Outcome::NotReported { expected: e }
                        }
                    } else {
                        Outcome::NotReported { expected: canon_expected(field.kind, &e) }
                    }
                }
                (None, false) => Outcome::Unexpected { tshark: canon_tshark(field.kind, &mine) },
                (Some(e), false) => {
                    let (e, t) = (canon_expected(field.kind, &e), canon_tshark(field.kind, &mine));
                    if e == t {
                        Outcome::Agree
                    } else {
                        Outcome::Disagree { expected: e, tshark: t }
                    }
                }
            };
            out.push(Verdict { path: field.path, tshark_field, outcome, known: field.tshark_note });
        }
        out
    }

    /// The field table of docs/dissection.md, rendered from [`FIELD_MAP`].
    pub fn markdown_table() -> String {
        let mut s = String::from("| field | meaning | defined in | tshark |\n|---|---|---|---|\n");
        for f in FIELD_MAP {
            let t = match (f.tshark, f.tshark_append, f.tshark_note) {
                (Some(t), Some(a), _) => format!("`{t}` then `{a}`"),
                (Some(t), None, Some(n)) => format!("`{t}` (known difference: {n})"),
                (Some(t), None, None) => format!("`{t}`"),
                (None, _, _) => "none".to_owned(),
            };
            s.push_str(&format!("| `{}` | {} | {} | {} |\n", f.path, f.meaning, f.spec, t));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::vxlan::{Repr, Vni};

    #[test]
    fn vxlan_both_views() {
        let v = Vxlan::from_repr(&Repr::gbp(Vni::new(1).unwrap(), 0xffff, true, true), 8);
        assert_eq!(v.flags16, Some(0x8848));
        assert_eq!(v.flags8, Some(0x88));
        assert_eq!(v.reserved24, Some(0x48ffff));
        assert_eq!(
            (v.flag_i, v.flag_g, v.flag_d, v.flag_a),
            (Some(true), Some(true), Some(true), Some(true))
        );
        assert_eq!(v.reserved_flags, Some(0));
        assert_eq!(v.vni, Some(1));
    }

    #[test]
    fn clipped_layers_drop_partial_fields() {
        let eth = crate::wire::ethernet::Repr {
            src_addr: EthernetAddress([2, 0, 0, 0, 0, 1]),
            dst_addr: EthernetAddress([2, 0, 0, 0, 0, 2]),
            ethertype: crate::wire::EtherType::IPV4,
        };
        let e = Ethernet::from_repr(&eth, 8);
        assert_eq!(
            (e.dst.as_deref(), e.src.as_deref(), e.ethertype),
            (Some("02:00:00:00:00:02"), None, None)
        );
        assert!(keep::eth(Ethernet::from_repr(&eth, 5)).is_none());
    }

    #[test]
    fn unknown_malformed_reason_reads_as_other() {
        let m: Malformation = serde_json::from_str(r#"{"reason":"checksum_bad"}"#).unwrap();
        assert_eq!(m.reason, MalformedReason::Other);
        let m: Malformation = serde_json::from_str(r#"{"reason":"vxlan_header_truncated"}"#).unwrap();
        assert_eq!(m.reason, MalformedReason::VxlanHeaderTruncated);
    }

    #[test]
    fn hex_is_lowercase_without_separators() {
        assert_eq!(hex(&[0x0a, 0xff, 0x00]), "0aff00");
    }
}
