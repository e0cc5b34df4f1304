//! The correspondence between the model's fields (generator's
//! [`registry`](generator::dissection::registry)) and tshark's (Wireshark
//! 4.0 `-T fields` names), with tshark's known differences: everything this
//! adapter knows of tshark's names, in one place.
//!
//! A field of the model is named by its dotted path in the JSON form, with
//! `[]` for "each element of a list" (`geneve.options[].class`). Where a
//! protocol occurs more than once in a frame (the outer and inner `ip`, say),
//! tshark's `-E occurrence=a` lists one value per occurrence, outermost
//! first; the adapter finds the right one by counting the layers of the same
//! protocol that come before it.
//!
//! ```
//! use conformance::decoder::tshark::fields::{field, Read, FIELD_MAP};
//!
//! let vni = field("vxlan.vni").unwrap();
//! assert_eq!((vni.tshark, vni.read), ("vxlan.vni", Read::Uint));
//! // Fields tshark has no counterpart for are not in the map.
//! assert!(field("vxlan.reserved24").is_none());
//! assert!(FIELD_MAP.len() > 100);
//! ```

use generator::dissection::registry;

/// How tshark writes a field's value, and so how the adapter reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Read {
    /// An unsigned number; tshark writes decimal or `0x` hex.
    Uint,
    /// A boolean; tshark writes `1`/`0` (4.0) or `True`/`False` (4.2+).
    Bool,
    /// A MAC address.
    Mac,
    /// An IPv4 or IPv6 address.
    Ip,
    /// A string.
    Str,
    /// A list of numbers: one per occurrence of the tshark field.
    UintList,
    /// A list of strings: one per occurrence.
    StrList,
    /// A byte count; tshark writes the bytes in hex.
    BytesLen,
    /// Hex bytes, with or without `:` separators.
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
    /// Generic dotted path of the field (a path of the registry).
    pub path: &'static str,
    /// The tshark field.
    pub tshark: &'static str,
    /// How tshark writes it.
    pub read: Read,
    /// A second tshark field whose values continue the list of the
    /// first (tshark 4.0 writes the type of TLS 1.3's encrypted records
    /// as `tls.record.opaque_type`, after the cleartext ones).
    pub tshark_append: Option<&'static str>,
    /// A known difference between tshark and the model for this field
    /// (see docs/compatibility.md); such a field's disagreements are
    /// listed, not counted as failures.
    pub tshark_note: Option<&'static str>,
}

/// The tshark preferences (`-o name:value`) the map assumes: absolute
/// TCP sequence numbers, so that SACK edges are the values on the wire.
pub const PREFS: &[&str] = &["tcp.relative_sequence_numbers:FALSE"];

const fn t(path: &'static str, tshark: &'static str, read: Read) -> Field {
    Field { path, tshark, read, tshark_append: None, tshark_note: None }
}

const fn note(field: Field, note: &'static str) -> Field {
    Field { tshark_note: Some(note), ..field }
}

const fn append(field: Field, tshark: &'static str) -> Field {
    Field { tshark_append: Some(tshark), ..field }
}

use Read::*;

/// Every model field tshark has a counterpart for, outermost first.
#[rustfmt::skip]
pub const FIELD_MAP: &[Field] = &[
    t("frame.number", "frame.number", Uint),
    t("frame.captured_len", "frame.cap_len", Uint),
    t("frame.original_len", "frame.len", Uint),
    t("outer.eth.dst", "eth.dst", Mac),
    t("outer.eth.src", "eth.src", Mac),
    t("outer.eth.ethertype", "eth.type", Uint),
    t("outer.eth.padding_len", "eth.padding", BytesLen),
    t("outer.ipv4.header_len", "ip.hdr_len", Uint),
    t("outer.ipv4.dscp", "ip.dsfield.dscp", Uint),
    t("outer.ipv4.ecn", "ip.dsfield.ecn", Uint),
    t("outer.ipv4.total_len", "ip.len", Uint),
    t("outer.ipv4.ident", "ip.id", Uint),
    t("outer.ipv4.dont_frag", "ip.flags.df", Bool),
    t("outer.ipv4.more_frags", "ip.flags.mf", Bool),
    t("outer.ipv4.frag_offset", "ip.frag_offset", Uint),
    t("outer.ipv4.ttl", "ip.ttl", Uint),
    t("outer.ipv4.protocol", "ip.proto", Uint),
    t("outer.ipv4.src", "ip.src", Ip),
    t("outer.ipv4.dst", "ip.dst", Ip),
    t("outer.udp.src_port", "udp.srcport", Uint),
    t("outer.udp.dst_port", "udp.dstport", Uint),
    t("outer.udp.length", "udp.length", Uint),
    t("outer.udp.checksum", "udp.checksum", Uint),
    t("geneve.version", "geneve.version", Uint),
    t("geneve.options_len", "geneve.options", BytesLen),
    t("geneve.oam", "geneve.flags.oam", Bool),
    t("geneve.critical", "geneve.flags.critical", Bool),
    t("geneve.protocol_type", "geneve.proto_type", Uint),
    t("geneve.vni", "geneve.vni", Uint),
    t("geneve.options[].class", "geneve.option.class", UintList),
    t("geneve.options[].type", "geneve.option.type", UintList),
    t("geneve.options[].data", "geneve.option.unknown.data", BytesList),
    t("geneve.ipv4.header_len", "ip.hdr_len", Uint),
    t("geneve.ipv4.dscp", "ip.dsfield.dscp", Uint),
    t("geneve.ipv4.ecn", "ip.dsfield.ecn", Uint),
    t("geneve.ipv4.total_len", "ip.len", Uint),
    t("geneve.ipv4.ident", "ip.id", Uint),
    t("geneve.ipv4.dont_frag", "ip.flags.df", Bool),
    t("geneve.ipv4.more_frags", "ip.flags.mf", Bool),
    t("geneve.ipv4.frag_offset", "ip.frag_offset", Uint),
    t("geneve.ipv4.ttl", "ip.ttl", Uint),
    t("geneve.ipv4.protocol", "ip.proto", Uint),
    t("geneve.ipv4.src", "ip.src", Ip),
    t("geneve.ipv4.dst", "ip.dst", Ip),
    t("geneve.udp.src_port", "udp.srcport", Uint),
    t("geneve.udp.dst_port", "udp.dstport", Uint),
    t("geneve.udp.length", "udp.length", Uint),
    t("geneve.udp.checksum", "udp.checksum", Uint),
    t("vxlan.flags16", "vxlan.flags", Uint),
    t("vxlan.flag_i", "vxlan.flag_i", Bool),
    t("vxlan.flag_g", "vxlan.flag_g", Bool),
    t("vxlan.flag_d", "vxlan.flag_d", Bool),
    t("vxlan.flag_a", "vxlan.flag_a", Bool),
    t("vxlan.reserved_flags", "vxlan.flags_reserved", Uint),
    t("vxlan.group_policy_id", "vxlan.gbp", Uint),
    t("vxlan.vni", "vxlan.vni", Uint),
    t("vxlan.reserved8", "vxlan.reserved8", Uint),
    t("inner.eth.dst", "eth.dst", Mac),
    t("inner.eth.src", "eth.src", Mac),
    t("inner.eth.ethertype", "eth.type", Uint),
    t("inner.eth.padding_len", "eth.padding", BytesLen),
    t("inner.vlan[].pcp", "vlan.priority", UintList),
    t("inner.vlan[].dei", "vlan.dei", UintList),
    t("inner.vlan[].vid", "vlan.id", UintList),
    t("inner.vlan[].ethertype", "vlan.etype", UintList),
    t("inner.ipv4.header_len", "ip.hdr_len", Uint),
    t("inner.ipv4.dscp", "ip.dsfield.dscp", Uint),
    t("inner.ipv4.ecn", "ip.dsfield.ecn", Uint),
    t("inner.ipv4.total_len", "ip.len", Uint),
    t("inner.ipv4.ident", "ip.id", Uint),
    t("inner.ipv4.dont_frag", "ip.flags.df", Bool),
    t("inner.ipv4.more_frags", "ip.flags.mf", Bool),
    t("inner.ipv4.frag_offset", "ip.frag_offset", Uint),
    t("inner.ipv4.ttl", "ip.ttl", Uint),
    t("inner.ipv4.protocol", "ip.proto", Uint),
    t("inner.ipv4.src", "ip.src", Ip),
    t("inner.ipv4.dst", "ip.dst", Ip),
    t("inner.ipv6.traffic_class", "ipv6.tclass", Uint),
    t("inner.ipv6.flow_label", "ipv6.flow", Uint),
    t("inner.ipv6.payload_len", "ipv6.plen", Uint),
    t("inner.ipv6.next_header", "ipv6.nxt", Uint),
    t("inner.ipv6.hop_limit", "ipv6.hlim", Uint),
    t("inner.ipv6.src", "ipv6.src", Ip),
    t("inner.ipv6.dst", "ipv6.dst", Ip),
    t("inner.tcp.src_port", "tcp.srcport", Uint),
    t("inner.tcp.dst_port", "tcp.dstport", Uint),
    t("inner.tcp.seq", "tcp.seq_raw", Uint),
    t("inner.tcp.ack", "tcp.ack_raw", Uint),
    t("inner.tcp.header_len", "tcp.hdr_len", Uint),
    t("inner.tcp.flags", "tcp.flags", Uint),
    t("inner.tcp.flag_fin", "tcp.flags.fin", Bool),
    t("inner.tcp.flag_syn", "tcp.flags.syn", Bool),
    t("inner.tcp.flag_rst", "tcp.flags.reset", Bool),
    t("inner.tcp.flag_psh", "tcp.flags.push", Bool),
    t("inner.tcp.flag_ack", "tcp.flags.ack", Bool),
    t("inner.tcp.flag_urg", "tcp.flags.urg", Bool),
    t("inner.tcp.flag_ece", "tcp.flags.ece", Bool),
    t("inner.tcp.flag_cwr", "tcp.flags.cwr", Bool),
    t("inner.tcp.window", "tcp.window_size_value", Uint),
    t("inner.tcp.urgent_pointer", "tcp.urgent_pointer", Uint),
    note(t("inner.tcp.payload_len", "tcp.len", Uint), "on a truncated copy tshark counts the bytes present, not the length the inner IP header implies"),
    t("inner.tcp.options.mss", "tcp.options.mss_val", Uint),
    t("inner.tcp.options.window_scale", "tcp.options.wscale.shift", Uint),
    t("inner.tcp.options.sack_permitted", "tcp.option_kind", Contains(4)),
    t("inner.tcp.options.tsval", "tcp.options.timestamp.tsval", Uint),
    t("inner.tcp.options.tsecr", "tcp.options.timestamp.tsecr", Uint),
    t("inner.tcp.options.sack_blocks[].left", "tcp.options.sack_le", UintList),
    t("inner.tcp.options.sack_blocks[].right", "tcp.options.sack_re", UintList),
    t("inner.udp.src_port", "udp.srcport", Uint),
    t("inner.udp.dst_port", "udp.dstport", Uint),
    t("inner.udp.length", "udp.length", Uint),
    t("inner.udp.checksum", "udp.checksum", Uint),
    t("inner.icmp.type", "icmp.type", Uint),
    t("inner.icmp.code", "icmp.code", Uint),
    t("inner.icmp.ident", "icmp.ident", Uint),
    t("inner.icmp.seq", "icmp.seq", Uint),
    t("inner.icmpv6.type", "icmpv6.type", Uint),
    t("inner.icmpv6.code", "icmpv6.code", Uint),
    t("inner.icmpv6.ident", "icmpv6.echo.identifier", Uint),
    t("inner.icmpv6.seq", "icmpv6.echo.sequence_number", Uint),
    append(t("app.tls.record_content_types", "tls.record.content_type", UintList), "tls.record.opaque_type"),
    t("app.tls.record_versions", "tls.record.version", UintList),
    t("app.tls.handshake_types", "tls.handshake.type", UintList),
    t("app.tls.sni", "tls.handshake.extensions_server_name", Str),
    t("app.tls.alpn", "tls.handshake.extensions_alpn_str", StrList),
    t("app.http.method", "http.request.method", Str),
    t("app.http.uri", "http.request.uri", Str),
    t("app.http.version", "http.request.version", Str),
    t("app.http.version", "http.response.version", Str),
    t("app.http.status_code", "http.response.code", Uint),
    t("app.http.host", "http.host", Str),
    t("app.dns.id", "dns.id", Uint),
    t("app.dns.is_response", "dns.flags.response", Bool),
    t("app.dns.rcode", "dns.flags.rcode", Uint),
    t("app.dns.query_name", "dns.qry.name", Str),
    t("app.dns.query_type", "dns.qry.type", Uint),
    t("app.dns.answer_count", "dns.count.answers", Uint),
];

/// The first entry of [`FIELD_MAP`] for `path`.
pub fn field(path: &str) -> Option<&'static Field> {
    FIELD_MAP.iter().find(|f| f.path == path)
}

/// The tshark fields to request (`-e`), each once, in map order.
pub fn tshark_fields() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for t in FIELD_MAP.iter().flat_map(|f| [Some(f.tshark), f.tshark_append]).flatten() {
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

/// The field table of docs/dissection.md: every field of the registry with
/// its meaning, its clause and its tshark counterpart.
pub fn markdown_table() -> String {
    let mut s = String::from("| field | meaning | defined in | tshark |\n|---|---|---|---|\n");
    for f in registry::FIELDS {
        let mapped: Vec<&Field> = FIELD_MAP.iter().filter(|m| m.path == f.path).collect();
        let t = if mapped.is_empty() {
            "none".to_owned()
        } else {
            mapped
                .iter()
                .map(|m| match (m.tshark_append, m.tshark_note) {
                    (Some(a), _) => format!("`{}` then `{a}`", m.tshark),
                    (None, Some(n)) => format!("`{}` (known difference: {n})", m.tshark),
                    (None, None) => format!("`{}`", m.tshark),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        s.push_str(&format!("| `{}` | {} | {} | {} |\n", f.path, f.meaning, f.spec, t));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mapped_path_is_a_registry_field() {
        for f in FIELD_MAP {
            assert!(registry::field(f.path).is_some(), "{} is not in the registry", f.path);
        }
    }
}
