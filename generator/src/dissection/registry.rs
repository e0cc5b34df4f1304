//! The neutral field registry: every leaf field of the dissection model,
//! with how its value is typed and compared ([`Kind`]), the report group it
//! belongs to ([`FieldGroup`]), the specification clause that defines it and
//! what it means.
//!
//! The registry knows no decoder: each decoder adapter of the conformance
//! runner keeps its own mapping (tshark's field names, say) beside its code.
//! A field is named by its dotted path in the JSON form, with `[]` for "each
//! element of a list of layers" (`inner.vlan[].vid`); a list of scalars
//! (`app.tls.record_content_types`) is one field.
//!
//! ```
//! use generator::dissection::registry::{field, FieldGroup, Kind, FIELDS};
//!
//! let vni = field("vxlan.vni").unwrap();
//! assert_eq!(vni.kind, Kind::Uint(24));
//! assert_eq!(vni.group(), FieldGroup::VxlanCore);
//! assert_eq!(vni.spec, "RFC 7348 section 5");
//! // Concrete list indices are looked up by their generic path.
//! assert_eq!(field("inner.vlan[1].vid").unwrap().path, "inner.vlan[].vid");
//! assert_eq!(field("vxlan.group_policy_id").unwrap().group(), FieldGroup::Gbp);
//! assert!(field("vxlan.VNI").is_none());
//! assert!(FIELDS.len() > 100);
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;

/// How a field's value is typed in the JSON form, checked and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An unsigned integer of at most this many bits (a JSON number).
    Uint(u8),
    /// A JSON boolean.
    Bool,
    /// A MAC address `02:4f:1a:8c:3e:71`, compared case-insensitively.
    Mac,
    /// A dotted-quad IPv4 address, compared as an address.
    Ipv4,
    /// An IPv6 address, compared as an address (`2001:db8::1` = `2001:0db8::1`).
    Ipv6,
    /// A string, compared exactly.
    Str,
    /// Bytes as hex digits, compared case-insensitively.
    Hex,
    /// A list of unsigned integers of at most this many bits each.
    UintList(u8),
    /// A list of values of the given kind.
    List(&'static Kind),
}

impl Kind {
    /// What a value of this kind is, for messages: `a 24-bit unsigned integer`.
    pub fn describe(self) -> String {
        match self {
            Kind::Uint(bits) => format!("{} {bits}-bit unsigned integer", article(bits)),
            Kind::Bool => "a boolean".into(),
            Kind::Mac => "a MAC address (\"02:4f:1a:8c:3e:71\")".into(),
            Kind::Ipv4 => "an IPv4 address".into(),
            Kind::Ipv6 => "an IPv6 address".into(),
            Kind::Str => "a string".into(),
            Kind::Hex => "a string of hex digits".into(),
            Kind::UintList(bits) => format!("a list of {bits}-bit unsigned integers"),
            Kind::List(k) => format!("a list, each {}", k.describe()),
        }
    }
}

/// "an 8-bit", "a 16-bit".
fn article(bits: u8) -> &'static str {
    if matches!(bits, 8 | 11 | 18) || (80..90).contains(&bits) {
        "an"
    } else {
        "a"
    }
}

/// The groups of fields a report summarises support by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldGroup {
    /// Capture facts: lengths, truncation, malformation (`frame.*`).
    Frame,
    /// The outermost Ethernet, IPv4, UDP (`outer.*`).
    Outer,
    /// GENEVE of a Gateway Load Balancer and the copy's IPv4 / UDP in it (`geneve.*`).
    Geneve,
    /// The RFC 7348 reading of VXLAN: `flags8`, `flag_i`, `reserved24`, `vni`, `reserved8`.
    VxlanCore,
    /// The Group Policy reading: `flags16`, `flag_g`, `flag_d`, `flag_a`,
    /// `reserved_flags`, `group_policy_id` (draft-smith-vxlan-group-policy).
    Gbp,
    /// The mirrored frame (`inner.*`).
    Inner,
    /// Application facts (`app.*`).
    App,
}

impl FieldGroup {
    /// Every group, in report order.
    pub const ALL: [FieldGroup; 7] = [
        FieldGroup::Frame,
        FieldGroup::Outer,
        FieldGroup::Geneve,
        FieldGroup::VxlanCore,
        FieldGroup::Gbp,
        FieldGroup::Inner,
        FieldGroup::App,
    ];

    /// The group a (generic or concrete) leaf path belongs to.
    ///
    /// ```
    /// use generator::dissection::registry::FieldGroup;
    /// assert_eq!(FieldGroup::of("vxlan.group_policy_id"), FieldGroup::Gbp);
    /// assert_eq!(FieldGroup::of("vxlan.reserved24"), FieldGroup::VxlanCore);
    /// assert_eq!(FieldGroup::of("inner.vlan[0].vid"), FieldGroup::Inner);
    /// ```
    pub fn of(path: &str) -> FieldGroup {
        const GBP_FIELDS: [&str; 6] = [
            "vxlan.flags16",
            "vxlan.flag_g",
            "vxlan.flag_d",
            "vxlan.flag_a",
            "vxlan.reserved_flags",
            "vxlan.group_policy_id",
        ];
        match path.split(['.', '[']).next().unwrap_or("") {
            "frame" => FieldGroup::Frame,
            "outer" => FieldGroup::Outer,
            "geneve" => FieldGroup::Geneve,
            "vxlan" if GBP_FIELDS.contains(&path) => FieldGroup::Gbp,
            "vxlan" => FieldGroup::VxlanCore,
            "inner" => FieldGroup::Inner,
            _ => FieldGroup::App,
        }
    }

    /// Its name in reports and on the command line: `frame`, `outer`,
    /// `geneve`, `vxlan-core`, `gbp`, `inner`, `app`.
    pub fn name(self) -> &'static str {
        match self {
            FieldGroup::Frame => "frame",
            FieldGroup::Outer => "outer",
            FieldGroup::Geneve => "geneve",
            FieldGroup::VxlanCore => "vxlan-core",
            FieldGroup::Gbp => "gbp",
            FieldGroup::Inner => "inner",
            FieldGroup::App => "app",
        }
    }

    /// The group called `name` ([`FieldGroup::name`]).
    pub fn from_name(name: &str) -> Option<FieldGroup> {
        FieldGroup::ALL.into_iter().find(|g| g.name() == name)
    }

    /// How a person names it: `GBP`, `GENEVE`, `VXLAN (RFC 7348)`, ...
    pub fn title(self) -> &'static str {
        match self {
            FieldGroup::Frame => "frame facts",
            FieldGroup::Outer => "outer headers",
            FieldGroup::Geneve => "GENEVE",
            FieldGroup::VxlanCore => "VXLAN (RFC 7348)",
            FieldGroup::Gbp => "GBP",
            FieldGroup::Inner => "inner headers",
            FieldGroup::App => "application facts",
        }
    }
}

impl fmt::Display for FieldGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One leaf field of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Generic dotted path (`[]` for list elements).
    pub path: &'static str,
    /// Its type.
    pub kind: Kind,
    /// The clause that defines it.
    pub spec: &'static str,
    /// What it means, in a few words.
    pub meaning: &'static str,
}

impl Field {
    /// The report group it belongs to.
    pub fn group(&self) -> FieldGroup {
        FieldGroup::of(self.path)
    }
}

/// `inner.vlan[1].vid` -> `inner.vlan[].vid`.
///
/// ```
/// assert_eq!(generator::dissection::registry::generic_path("geneve.options[12].data"), "geneve.options[].data");
/// ```
pub fn generic_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut skipping = false;
    for c in path.chars() {
        match c {
            '[' => {
                skipping = true;
                out.push('[');
            }
            ']' => {
                skipping = false;
                out.push(']');
            }
            _ if skipping => {}
            c => out.push(c),
        }
    }
    out
}

/// The field at a generic or concrete path.
pub fn field(path: &str) -> Option<&'static Field> {
    static BY_PATH: std::sync::OnceLock<std::collections::HashMap<&'static str, &'static Field>> =
        std::sync::OnceLock::new();
    let by_path = BY_PATH.get_or_init(|| FIELDS.iter().map(|f| (f.path, f)).collect());
    if path.contains('[') {
        by_path.get(generic_path(path).as_str()).copied()
    } else {
        by_path.get(path).copied()
    }
}

/// Whether `path` (generic or concrete) names a layer of the model, a JSON
/// object that holds fields: `vxlan`, `inner.vlan[0]`, `frame.truncation`.
pub fn is_layer(path: &str) -> bool {
    let generic = generic_path(path);
    FIELDS.iter().any(|f| {
        f.path.len() > generic.len() && f.path.starts_with(&generic) && {
            let rest = &f.path[generic.len()..];
            rest.starts_with('.') || rest.starts_with("[]")
        }
    })
}

/// The known path closest to an unknown one, for "did you mean": the same
/// path ignoring case, or the one at the smallest edit distance (at most a
/// third of the path's length).
///
/// ```
/// use generator::dissection::registry::closest;
/// assert_eq!(closest("vxlan.VNI"), Some("vxlan.vni"));
/// assert_eq!(closest("vxlan.group_policy"), Some("vxlan.group_policy_id"));
/// assert_eq!(closest("completely.different.thing"), None);
/// ```
pub fn closest(path: &str) -> Option<&'static str> {
    let generic = generic_path(path);
    crate::suggest::closest(&generic, FIELDS.iter().map(|f| f.path).chain(LAYERS.iter().copied()))
}

/// The layers (JSON objects) of the model, by generic path.
pub const LAYERS: &[&str] = &[
    "frame",
    "frame.truncation",
    "frame.malformed",
    "outer",
    "outer.eth",
    "outer.ipv4",
    "outer.udp",
    "geneve",
    "geneve.options[]",
    "geneve.ipv4",
    "geneve.udp",
    "vxlan",
    "inner",
    "inner.eth",
    "inner.vlan[]",
    "inner.ipv4",
    "inner.ipv6",
    "inner.tcp",
    "inner.tcp.options",
    "inner.tcp.options.sack_blocks[]",
    "inner.udp",
    "inner.icmp",
    "inner.icmpv6",
    "app",
    "app.tls",
    "app.http",
    "app.dns",
];

const fn f(path: &'static str, kind: Kind, spec: &'static str, meaning: &'static str) -> Field {
    Field { path, kind, spec, meaning }
}

use Kind::*;

/// A clause the registry cites (also in `vxgen explain`).
pub const RFC791: &str = "RFC 791 section 3.1";
/// A clause the registry cites (also in `vxgen explain`).
pub const RFC768: &str = "RFC 768";
/// A clause the registry cites (also in `vxgen explain`).
pub const RFC7348: &str = "RFC 7348 section 5";
/// A clause the registry cites (also in `vxgen explain`).
pub const GBP: &str = "draft-smith-vxlan-group-policy section 2.1";
/// A clause the registry cites (also in `vxgen explain`).
pub const ETH: &str = "IEEE 802.3 clause 3.2";
/// A clause the registry cites (also in `vxgen explain`).
pub const RFC9293: &str = "RFC 9293 section 3.1";
/// A clause the registry cites (also in `vxgen explain`).
pub const RFC8926: &str = "RFC 8926 section 3.4";
/// A clause the registry cites (also in `vxgen explain`).
pub const RFC8200: &str = "RFC 8200 section 3";
/// A clause the registry cites (also in `vxgen explain`).
pub const DOT1Q: &str = "IEEE 802.1Q clause 9.6";
const PCAP: &str = "pcap / pcapng packet record";
const AWS_TRUNC: &str =
    "EC2 API CreateTrafficMirrorSession (PacketLength); AWS Traffic Mirroring limitations (MTU)";

/// Every leaf field of the model, outermost first.
#[rustfmt::skip]
pub const FIELDS: &[Field] = &[
    f("frame.number", Uint(32), PCAP, "1-based position in the file"),
    f("frame.captured_len", Uint(32), PCAP, "bytes captured"),
    f("frame.original_len", Uint(32), PCAP, "bytes on the wire"),
    f("frame.truncated", Bool, AWS_TRUNC, "a header promises bytes that are missing"),
    f("frame.truncation.cause", Str, AWS_TRUNC, "packet_length, mtu or snaplen"),
    f("frame.truncation.limit", Uint(32), AWS_TRUNC, "the PacketLength, MTU or snaplen"),
    f("frame.truncation.inner_original_len", Uint(32), AWS_TRUNC, "inner frame length at the source"),
    f("frame.truncation.inner_captured_len", Uint(32), AWS_TRUNC, "inner frame bytes present"),
    f("frame.malformed.reason", Str, "see docs/dissection.md", "the rule the frame breaks"),
    f("frame.malformed.layer", Str, "see docs/dissection.md", "the layer at fault"),
    f("outer.eth.dst", Mac, ETH, "destination MAC"),
    f("outer.eth.src", Mac, ETH, "source MAC"),
    f("outer.eth.ethertype", Uint(16), ETH, "EtherType"),
    f("outer.eth.padding_len", Uint(32), ETH, "bytes after the packet (padding)"),
    f("outer.ipv4.header_len", Uint(8), RFC791, "header length in bytes (IHL x 4)"),
    f("outer.ipv4.dscp", Uint(6), "RFC 2474 section 3", "DSCP"),
    f("outer.ipv4.ecn", Uint(2), "RFC 3168 section 5", "ECN"),
    f("outer.ipv4.total_len", Uint(16), RFC791, "Total Length as stated"),
    f("outer.ipv4.ident", Uint(16), RFC791, "Identification"),
    f("outer.ipv4.dont_frag", Bool, RFC791, "Don't Fragment"),
    f("outer.ipv4.more_frags", Bool, RFC791, "More Fragments"),
    f("outer.ipv4.frag_offset", Uint(13), RFC791, "Fragment Offset (8-byte units)"),
    f("outer.ipv4.ttl", Uint(8), RFC791, "Time to Live"),
    f("outer.ipv4.protocol", Uint(8), RFC791, "Protocol of the payload"),
    f("outer.ipv4.src", Ipv4, RFC791, "source address"),
    f("outer.ipv4.dst", Ipv4, RFC791, "destination address"),
    f("outer.ipv4.options_present", Bool, RFC791, "IHL > 5 (tshark: ip.hdr_len > 20)"),
    f("outer.udp.src_port", Uint(16), RFC768, "source port"),
    f("outer.udp.dst_port", Uint(16), RFC768, "destination port"),
    f("outer.udp.length", Uint(16), RFC768, "Length as stated (header and data)"),
    f("outer.udp.checksum", Uint(16), RFC768, "checksum as sent (0: none)"),
    f("geneve.version", Uint(2), RFC8926, "Ver"),
    f("geneve.options_len", Uint(16), RFC8926, "Opt Len x 4"),
    f("geneve.oam", Bool, RFC8926, "O bit"),
    f("geneve.critical", Bool, RFC8926, "C bit"),
    f("geneve.protocol_type", Uint(16), RFC8926, "Protocol Type"),
    f("geneve.vni", Uint(24), RFC8926, "VNI"),
    f("geneve.options[].class", Uint(16), "RFC 8926 section 3.5", "Option Class"),
    f("geneve.options[].type", Uint(8), "RFC 8926 section 3.5", "Type"),
    f("geneve.options[].data_len", Uint(8), "RFC 8926 section 3.5", "Length x 4"),
    f("geneve.options[].data", Hex, "RFC 8926 section 3.5; AWS GWLB", "option data"),
    f("geneve.ipv4.header_len", Uint(8), RFC791, "header length in bytes (IHL x 4)"),
    f("geneve.ipv4.dscp", Uint(6), "RFC 2474 section 3", "DSCP"),
    f("geneve.ipv4.ecn", Uint(2), "RFC 3168 section 5", "ECN"),
    f("geneve.ipv4.total_len", Uint(16), RFC791, "Total Length as stated"),
    f("geneve.ipv4.ident", Uint(16), RFC791, "Identification"),
    f("geneve.ipv4.dont_frag", Bool, RFC791, "Don't Fragment"),
    f("geneve.ipv4.more_frags", Bool, RFC791, "More Fragments"),
    f("geneve.ipv4.frag_offset", Uint(13), RFC791, "Fragment Offset (8-byte units)"),
    f("geneve.ipv4.ttl", Uint(8), RFC791, "Time to Live"),
    f("geneve.ipv4.protocol", Uint(8), RFC791, "Protocol of the payload"),
    f("geneve.ipv4.src", Ipv4, RFC791, "source address"),
    f("geneve.ipv4.dst", Ipv4, RFC791, "destination address"),
    f("geneve.ipv4.options_present", Bool, RFC791, "IHL > 5 (tshark: ip.hdr_len > 20)"),
    f("geneve.udp.src_port", Uint(16), RFC768, "source port"),
    f("geneve.udp.dst_port", Uint(16), RFC768, "destination port"),
    f("geneve.udp.length", Uint(16), RFC768, "Length as stated (header and data)"),
    f("geneve.udp.checksum", Uint(16), RFC768, "checksum as sent (0: none)"),
    f("vxlan.flags16", Uint(16), GBP, "bytes 0-1 as a 16-bit flags word"),
    f("vxlan.flags8", Uint(8), RFC7348, "byte 0 (tshark: vxlan.flags >> 8)"),
    f("vxlan.flag_i", Bool, RFC7348, "I: VNI valid"),
    f("vxlan.flag_g", Bool, GBP, "G: Group Policy ID present"),
    f("vxlan.flag_d", Bool, GBP, "D: Don't Learn"),
    f("vxlan.flag_a", Bool, GBP, "A: Policy Applied"),
    f("vxlan.reserved_flags", Uint(16), GBP, "flags16 & 0x77b7"),
    f("vxlan.reserved24", Uint(24), RFC7348, "bytes 1-3 (tshark: (vxlan.flags & 0xff) << 16 | vxlan.gbp)"),
    f("vxlan.group_policy_id", Uint(16), GBP, "Group Policy ID"),
    f("vxlan.vni", Uint(24), RFC7348, "VXLAN Network Identifier"),
    f("vxlan.reserved8", Uint(8), RFC7348, "byte 7"),
    f("inner.eth.dst", Mac, ETH, "destination MAC"),
    f("inner.eth.src", Mac, ETH, "source MAC"),
    f("inner.eth.ethertype", Uint(16), ETH, "EtherType"),
    f("inner.eth.padding_len", Uint(32), ETH, "bytes after the packet (padding)"),
    f("inner.vlan[].pcp", Uint(3), DOT1Q, "Priority Code Point"),
    f("inner.vlan[].dei", Bool, DOT1Q, "Drop Eligible Indicator (0/1)"),
    f("inner.vlan[].vid", Uint(12), DOT1Q, "VLAN identifier"),
    f("inner.vlan[].ethertype", Uint(16), DOT1Q, "EtherType after the tag"),
    f("inner.ipv4.header_len", Uint(8), RFC791, "header length in bytes (IHL x 4)"),
    f("inner.ipv4.dscp", Uint(6), "RFC 2474 section 3", "DSCP"),
    f("inner.ipv4.ecn", Uint(2), "RFC 3168 section 5", "ECN"),
    f("inner.ipv4.total_len", Uint(16), RFC791, "Total Length as stated"),
    f("inner.ipv4.ident", Uint(16), RFC791, "Identification"),
    f("inner.ipv4.dont_frag", Bool, RFC791, "Don't Fragment"),
    f("inner.ipv4.more_frags", Bool, RFC791, "More Fragments"),
    f("inner.ipv4.frag_offset", Uint(13), RFC791, "Fragment Offset (8-byte units)"),
    f("inner.ipv4.ttl", Uint(8), RFC791, "Time to Live"),
    f("inner.ipv4.protocol", Uint(8), RFC791, "Protocol of the payload"),
    f("inner.ipv4.src", Ipv4, RFC791, "source address"),
    f("inner.ipv4.dst", Ipv4, RFC791, "destination address"),
    f("inner.ipv4.options_present", Bool, RFC791, "IHL > 5 (tshark: ip.hdr_len > 20)"),
    f("inner.ipv6.traffic_class", Uint(8), RFC8200, "Traffic Class"),
    f("inner.ipv6.flow_label", Uint(20), RFC8200, "Flow Label"),
    f("inner.ipv6.payload_len", Uint(16), RFC8200, "Payload Length"),
    f("inner.ipv6.next_header", Uint(8), RFC8200, "Next Header"),
    f("inner.ipv6.hop_limit", Uint(8), RFC8200, "Hop Limit"),
    f("inner.ipv6.src", Ipv6, RFC8200, "source address"),
    f("inner.ipv6.dst", Ipv6, RFC8200, "destination address"),
    f("inner.tcp.src_port", Uint(16), RFC9293, "source port"),
    f("inner.tcp.dst_port", Uint(16), RFC9293, "destination port"),
    f("inner.tcp.seq", Uint(32), RFC9293, "sequence number (absolute)"),
    f("inner.tcp.ack", Uint(32), RFC9293, "acknowledgment number (absolute)"),
    f("inner.tcp.header_len", Uint(8), RFC9293, "Data Offset x 4"),
    f("inner.tcp.flags", Uint(12), RFC9293, "the 12 bits after Data Offset"),
    f("inner.tcp.flag_fin", Bool, RFC9293, "FIN"),
    f("inner.tcp.flag_syn", Bool, RFC9293, "SYN"),
    f("inner.tcp.flag_rst", Bool, RFC9293, "RST"),
    f("inner.tcp.flag_psh", Bool, RFC9293, "PSH"),
    f("inner.tcp.flag_ack", Bool, RFC9293, "ACK"),
    f("inner.tcp.flag_urg", Bool, RFC9293, "URG"),
    f("inner.tcp.flag_ece", Bool, "RFC 3168 section 6.1", "ECE"),
    f("inner.tcp.flag_cwr", Bool, "RFC 3168 section 6.1", "CWR"),
    f("inner.tcp.window", Uint(16), RFC9293, "Window (unscaled)"),
    f("inner.tcp.urgent_pointer", Uint(16), RFC9293, "Urgent Pointer"),
    f("inner.tcp.payload_len", Uint(32), RFC9293, "segment data length implied by IP"),
    f("inner.tcp.options.mss", Uint(16), "RFC 9293 section 3.7.1", "MSS option"),
    f("inner.tcp.options.window_scale", Uint(8), "RFC 7323 section 2.2", "Window Scale shift"),
    f("inner.tcp.options.sack_permitted", Bool, "RFC 2018 section 2", "SACK-Permitted present"),
    f("inner.tcp.options.tsval", Uint(32), "RFC 7323 section 3.2", "TSval"),
    f("inner.tcp.options.tsecr", Uint(32), "RFC 7323 section 3.2", "TSecr"),
    f("inner.tcp.options.sack_blocks[].left", Uint(32), "RFC 2018 section 3", "SACK left edges"),
    f("inner.tcp.options.sack_blocks[].right", Uint(32), "RFC 2018 section 3", "SACK right edges"),
    f("inner.udp.src_port", Uint(16), RFC768, "source port"),
    f("inner.udp.dst_port", Uint(16), RFC768, "destination port"),
    f("inner.udp.length", Uint(16), RFC768, "Length as stated (header and data)"),
    f("inner.udp.checksum", Uint(16), RFC768, "checksum as sent (0: none)"),
    f("inner.icmp.type", Uint(8), "RFC 792", "Type"),
    f("inner.icmp.code", Uint(8), "RFC 792", "Code"),
    f("inner.icmp.ident", Uint(16), "RFC 792 (echo)", "echo Identifier"),
    f("inner.icmp.seq", Uint(16), "RFC 792 (echo)", "echo Sequence Number"),
    f("inner.icmpv6.type", Uint(8), "RFC 4443 section 2.1", "Type"),
    f("inner.icmpv6.code", Uint(8), "RFC 4443 section 2.1", "Code"),
    f("inner.icmpv6.ident", Uint(16), "RFC 4443 section 4.1", "echo Identifier"),
    f("inner.icmpv6.seq", Uint(16), "RFC 4443 section 4.1", "echo Sequence Number"),
    f("app.tls.record_content_types", UintList(8), "RFC 8446 section 5.1", "ContentType of each record"),
    f("app.tls.record_versions", UintList(16), "RFC 8446 section 5.1", "legacy_record_version of each record"),
    f("app.tls.handshake_types", UintList(8), "RFC 8446 section 4", "cleartext HandshakeType of each message"),
    f("app.tls.sni", Str, "RFC 6066 section 3", "server_name host name"),
    f("app.tls.alpn", List(&Str), "RFC 7301 section 3.1", "ALPN protocol names"),
    f("app.http.method", Str, "RFC 9112 section 3", "request method"),
    f("app.http.uri", Str, "RFC 9112 section 3.2", "request target"),
    f("app.http.version", Str, "RFC 9112 section 2.3", "HTTP-version of a request or a response"),
    f("app.http.status_code", Uint(16), "RFC 9112 section 4", "status code"),
    f("app.http.host", Str, "RFC 9110 section 7.2", "Host header"),
    f("app.dns.id", Uint(16), "RFC 1035 section 4.1.1", "ID"),
    f("app.dns.is_response", Bool, "RFC 1035 section 4.1.1", "QR"),
    f("app.dns.rcode", Uint(4), "RFC 1035 section 4.1.1", "RCODE"),
    f("app.dns.query_name", Str, "RFC 1035 section 4.1.2", "QNAME of the first question"),
    f("app.dns.query_type", Uint(16), "RFC 1035 section 4.1.2", "QTYPE of the first question"),
    f("app.dns.answer_count", Uint(16), "RFC 1035 section 4.1.1", "ANCOUNT"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_unique_and_layers_hold_them() {
        let mut seen = std::collections::BTreeSet::new();
        for f in FIELDS {
            assert!(seen.insert(f.path), "{} twice", f.path);
            let layer = f.path.rsplit_once('.').map(|(l, _)| l).unwrap_or("");
            assert!(LAYERS.contains(&layer), "{}: layer {layer} not in LAYERS", f.path);
        }
        for l in LAYERS {
            assert!(is_layer(l), "{l} holds no field");
        }
        assert!(!is_layer("vxlan.vni"));
    }

    #[test]
    fn suggestions() {
        assert_eq!(closest("vxlan.flagi"), Some("vxlan.flag_i"));
        assert_eq!(closest("inner.tcp.srcport"), Some("inner.tcp.src_port"));
        assert_eq!(closest("vxlan.Flags16"), Some("vxlan.flags16"));
        assert_eq!(closest("zzz"), None);
    }
}
