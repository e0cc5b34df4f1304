//! `packet-dissector` (crates.io, a Wireshark-like dissector registry in
//! Rust) as a vxconform decoder.
//!
//! The library does its own dispatch: `DissectorRegistry::default()` with
//! the crate's default features registers every dissector it ships
//! (Ethernet, 802.1Q, IPv4, IPv6, UDP, TCP with reassembly, ICMP, ICMPv6,
//! DNS, HTTP, TLS, VXLAN on UDP 4789, GENEVE on UDP 6081, ...) and chooses
//! the next dissector by EtherType, IP protocol and UDP / TCP port, the
//! lower port of a datagram first, "mirroring Wireshark's dual-port dispatch
//! strategy" (its `registry.rs`, `lookup_dissector`). This adapter keeps
//! all of that as shipped and decides nothing: it runs
//! `dissect_with_link_type` on each record (a fresh registry per capture,
//! so that the TCP and IP reassembly state of one capture never reaches
//! another) and translates the resulting layers, outermost first, into the
//! model:
//!
//! * `Ethernet`, `IPv4`, `UDP` before any tunnel → `outer`; `GENEVE` →
//!   `geneve`, and the `IPv4` / `UDP` after it → `geneve.ipv4` / `.udp`;
//!   the first `VXLAN` → `vxlan`; what follows → `inner` and `app`.
//! * `VXLAN` (packet-dissector-vxlan, RFC 7348 section 5 and
//!   draft-smith-vxlan-group-policy-05 section 2.1): `flags` → `flags8`,
//!   `vni_valid` → `flag_i`, `gbp` → `flag_g` (pushed exactly when G is
//!   set, so its absence is the library's "G clear"), `dont_learn` →
//!   `flag_d` (pushed when G is set, or when D is set without G: absent, D
//!   is clear), `policy_applied` → `flag_a` and `group_policy_id` (pushed
//!   only when G is set: absent, not reported), `vni`, `reserved2` →
//!   `reserved8`. Its `reserved`
//!   is bytes 1-3 less the bits it reports in those fields, so bytes 1-3
//!   (`reserved24`) are `reserved` with them put back, `flags16` is byte 0
//!   and byte 1 of that, and `reserved_flags` is `flags16 & 0x77b7`: the
//!   same bytes in the model's views, nothing the library did not decode.
//! * The Ethernet dissector folds 802.1Q tags into its layer (`vlan_tpid`,
//!   `vlan_pcp`, `vlan_dei`, `vlan_id` per tag, then `ethertype`, the type
//!   after the last tag): the model's `eth.ethertype` is the first type
//!   field of the frame (the first tag's TPID), each tag's `ethertype` the
//!   type field after it.
//! * `frame`: number and lengths from the capture record; `truncated` when
//!   the library stopped with `PacketError::Truncated` ("the packet data is
//!   too short to contain the expected header"), `malformed` (reason
//!   `other`) when it stopped with `InvalidHeader` or `InvalidFieldValue`.
//!   Nothing when it finished (it does not claim a frame is complete).
//! * `app`: `dns` (the first question's name through the field's own
//!   formatter), `http` (`Host` among its headers), `tls` (every record of
//!   the frame, the types of the cleartext handshake messages, SNI, ALPN).
//!
//! Not reported because the library does not state them: Ethernet padding
//! and `tcp.payload_len`. (`ipv4.options_present` is RFC 791's IHL > 5, read
//! from the library's `ihl`.)

use packet_dissector::error::PacketError;
use packet_dissector::field::{Field, FieldValue, FormatContext};
use packet_dissector::packet::{DissectBuffer, Layer};
use packet_dissector::registry::DissectorRegistry;
use serde_json::Value;
use std::net::{Ipv4Addr, Ipv6Addr};
use vxc_adapter_support::{frame_by_frame, frame_facts, Frame, Obj};

fn main() {
    let version = concat!("packet-dissector ", env!("LIBRARY_VERSION"));
    std::process::exit(vxc_adapter_support::main(version, &dissect_capture));
}

/// One capture: a fresh registry (the library keeps TCP and IP reassembly
/// state in it), then each record through `dissect_with_link_type`.
fn dissect_capture(frames: &[Frame<'_>]) -> Vec<Value> {
    let registry = DissectorRegistry::default();
    frame_by_frame(frames, |number, frame| {
        let mut buf = DissectBuffer::new();
        let result = registry.dissect_with_link_type(frame.data, frame.link_type, &mut buf);
        translate(number, frame, &buf, result)
    })
}

/// Where in the frame the next layer belongs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Where {
    Outer,
    Geneve,
    Inner,
}

fn translate(
    number: u32,
    frame: &Frame<'_>,
    buf: &DissectBuffer<'_>,
    result: Result<(), PacketError>,
) -> Value {
    let mut facts = frame_facts(number, frame);
    let error = result.as_ref().err().map(ToString::to_string);
    match result {
        Err(PacketError::Truncated { .. }) => {
            facts.put("truncated", true);
        }
        Err(PacketError::InvalidHeader(_) | PacketError::InvalidFieldValue { .. }) => {
            let mut m = Obj::new();
            m.put("reason", "other");
            facts.put_obj("malformed", m);
        }
        _ => {}
    }
    let mut out = Obj::new();
    out.put_obj("frame", facts);

    let (mut outer, mut geneve, mut inner, mut app) = (Obj::new(), Obj::new(), Obj::new(), Obj::new());
    let mut tls = Tls::default();
    let mut vxlan_seen = false;
    let mut at = Where::Outer;
    for layer in buf.layers() {
        let f = Fields::of(buf, layer, frame.data);
        match (layer.name, at) {
            ("Ethernet", Where::Outer) if !outer.has("eth") => {
                outer.put_obj("eth", ethernet(&f).0);
            }
            ("Ethernet", Where::Inner) if !inner.has("eth") => {
                let (eth, tags) = ethernet(&f);
                inner.put_obj("eth", eth);
                inner.put_list("vlan", tags.into_iter().map(Obj::into_value).collect());
            }
            ("IPv4", _) => {
                let target = match at {
                    Where::Outer => &mut outer,
                    Where::Geneve => &mut geneve,
                    Where::Inner => &mut inner,
                };
                if !target.has("ipv4") {
                    target.put_obj("ipv4", ipv4(&f));
                }
            }
            ("IPv6", Where::Inner) if !inner.has("ipv6") => {
                inner.put_obj("ipv6", ipv6(&f));
            }
            ("UDP", _) => {
                let target = match at {
                    Where::Outer => &mut outer,
                    Where::Geneve => &mut geneve,
                    Where::Inner => &mut inner,
                };
                if !target.has("udp") {
                    target.put_obj("udp", udp(&f));
                }
            }
            ("GENEVE", Where::Outer) => {
                geneve_header(&f, &mut geneve);
                at = Where::Geneve;
            }
            ("VXLAN", Where::Outer | Where::Geneve) if !vxlan_seen => {
                vxlan_seen = true;
                out.put_obj("vxlan", vxlan(&f));
                at = Where::Inner;
            }
            ("TCP", Where::Inner) if !inner.has("tcp") => {
                inner.put_obj("tcp", tcp(&f));
            }
            ("ICMP", Where::Inner) if !inner.has("icmp") => {
                inner.put_obj("icmp", icmp(&f));
            }
            ("ICMPv6", Where::Inner) if !inner.has("icmpv6") => {
                inner.put_obj("icmpv6", icmp(&f));
            }
            ("DNS", Where::Inner) if !app.has("dns") => {
                app.put_obj("dns", dns(&f));
            }
            ("HTTP", Where::Inner) if !app.has("http") => {
                app.put_obj("http", http(&f));
            }
            ("TLS", Where::Inner) => tls.record(&f),
            _ => {}
        }
    }
    app.put_obj("tls", tls.into_obj());
    out.put_obj("outer", outer).put_obj("geneve", geneve).put_obj("inner", inner).put_obj("app", app);
    // The library's own words when it stopped early, under the protocol's
    // extension key (never read by the runner): the evidence for findings.
    if let Some(e) = error {
        out.put("extensions", serde_json::json!({"packet-dissector": {"error": e}}));
    }
    out.into_value()
}

/// The direct fields of a layer or of a container field.
struct Fields<'b, 'pkt> {
    buf: &'b DissectBuffer<'pkt>,
    layer: &'b Layer,
    data: &'b [u8],
    list: Vec<&'b Field<'pkt>>,
}

impl<'b, 'pkt> Fields<'b, 'pkt> {
    fn of(buf: &'b DissectBuffer<'pkt>, layer: &'b Layer, data: &'b [u8]) -> Fields<'b, 'pkt> {
        Fields { buf, layer, data, list: direct(buf.layer_fields(layer)) }
    }

    /// The children of the container field `f`.
    fn children(&self, f: &Field<'pkt>) -> Fields<'b, 'pkt> {
        let list = match &f.value {
            FieldValue::Array(r) | FieldValue::Object(r) => direct(self.buf.nested_fields(r)),
            _ => Vec::new(),
        };
        Fields { buf: self.buf, layer: self.layer, data: self.data, list }
    }

    fn get(&self, name: &str) -> Option<&'b Field<'pkt>> {
        self.list.iter().copied().find(|f| f.name() == name)
    }

    fn all(&self, name: &str) -> Vec<&'b Field<'pkt>> {
        self.list.iter().copied().filter(|f| f.name() == name).collect()
    }

    /// An unsigned value.
    fn num(&self, name: &str) -> Option<u64> {
        self.get(name).and_then(|f| unsigned(&f.value))
    }

    fn flag(&self, name: &str) -> Option<bool> {
        self.num(name).map(|v| v != 0)
    }

    fn text(&self, name: &str) -> Option<String> {
        match self.get(name).map(|f| &f.value) {
            Some(FieldValue::Str(s)) => Some((*s).to_owned()),
            Some(FieldValue::Bytes(b)) => Some(String::from_utf8_lossy(b).into_owned()),
            _ => None,
        }
    }

    fn ipv4(&self, name: &str) -> Option<String> {
        match self.get(name).map(|f| &f.value) {
            Some(FieldValue::Ipv4Addr(a)) => Some(Ipv4Addr::from(*a).to_string()),
            _ => None,
        }
    }

    fn ipv6(&self, name: &str) -> Option<String> {
        match self.get(name).map(|f| &f.value) {
            Some(FieldValue::Ipv6Addr(a)) => Some(Ipv6Addr::from(*a).to_string()),
            _ => None,
        }
    }

    fn mac(&self, name: &str) -> Option<String> {
        match self.get(name).map(|f| &f.value) {
            Some(FieldValue::MacAddr(m)) => Some(m.to_string()),
            _ => None,
        }
    }

    /// The value as the field's own formatter writes it (a JSON value),
    /// e.g. a DNS name from its wire form.
    fn formatted(&self, f: &Field<'pkt>) -> Option<Value> {
        let format = f.descriptor.format_fn?;
        let ctx = FormatContext {
            packet_data: self.data,
            scratch: self.buf.scratch(),
            layer_range: self.layer.range.start as u32..self.layer.range.end as u32,
            field_range: f.range.start as u32..f.range.end as u32,
        };
        let mut out = Vec::new();
        format(&f.value, &ctx, &mut out).ok()?;
        serde_json::from_slice(&out).ok()
    }
}

/// The fields of a flat run that are not inside a container of the run:
/// a container's descendants follow it in the buffer, within its range.
fn direct<'b, 'pkt>(flat: &'b [Field<'pkt>]) -> Vec<&'b Field<'pkt>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < flat.len() {
        out.push(&flat[i]);
        i += match &flat[i].value {
            FieldValue::Array(r) | FieldValue::Object(r) => 1 + (r.end - r.start) as usize,
            _ => 1,
        };
    }
    out
}

fn unsigned(v: &FieldValue<'_>) -> Option<u64> {
    match v {
        FieldValue::U8(x) => Some(u64::from(*x)),
        FieldValue::U16(x) => Some(u64::from(*x)),
        FieldValue::U32(x) => Some(u64::from(*x)),
        FieldValue::U64(x) => Some(*x),
        _ => None,
    }
}

/// The Ethernet header and the 802.1Q tags folded into the library's layer.
fn ethernet(f: &Fields<'_, '_>) -> (Obj, Vec<Obj>) {
    let tpids = f.all("vlan_tpid");
    let (pcps, deis, vids) = (f.all("vlan_pcp"), f.all("vlan_dei"), f.all("vlan_id"));
    let last = f.num("ethertype");
    // The type fields in wire order: each tag's TPID, then the last EtherType.
    let types: Vec<Option<u64>> = tpids.iter().map(|t| unsigned(&t.value)).chain([last]).collect();
    let mut eth = Obj::new();
    eth.put_opt("dst", f.mac("dst")).put_opt("src", f.mac("src")).put_opt("ethertype", types[0]);
    let mut tags = Vec::new();
    for i in 0..tpids.len() {
        let mut t = Obj::new();
        t.put_opt("pcp", pcps.get(i).and_then(|x| unsigned(&x.value)))
            .put_opt("dei", deis.get(i).and_then(|x| unsigned(&x.value)).map(|v| v != 0))
            .put_opt("vid", vids.get(i).and_then(|x| unsigned(&x.value)))
            .put_opt("ethertype", types.get(i + 1).copied().flatten());
        tags.push(t);
    }
    (eth, tags)
}

fn ipv4(f: &Fields<'_, '_>) -> Obj {
    let ihl = f.num("ihl");
    let flags = f.num("flags");
    let mut o = Obj::new();
    o.put_opt("header_len", ihl.map(|v| v * 4))
        .put_opt("dscp", f.num("dscp"))
        .put_opt("ecn", f.num("ecn"))
        .put_opt("total_len", f.num("total_length"))
        .put_opt("ident", f.num("identification"))
        // RFC 791 section 3.1: the 3-bit flags, DF 0b010, MF 0b001.
        .put_opt("dont_frag", flags.map(|v| v & 0b010 != 0))
        .put_opt("more_frags", flags.map(|v| v & 0b001 != 0))
        .put_opt("frag_offset", f.num("fragment_offset"))
        .put_opt("ttl", f.num("ttl"))
        .put_opt("protocol", f.num("protocol"))
        .put_opt("src", f.ipv4("src"))
        .put_opt("dst", f.ipv4("dst"))
        // The library pushes no IPv4 layer unless the whole header (IHL x 4) is there.
        .put_opt("options_present", ihl.map(|v| v > 5));
    o
}

fn ipv6(f: &Fields<'_, '_>) -> Obj {
    let mut o = Obj::new();
    o.put_opt("traffic_class", f.num("traffic_class"))
        .put_opt("flow_label", f.num("flow_label"))
        .put_opt("payload_len", f.num("payload_length"))
        .put_opt("next_header", f.num("next_header"))
        .put_opt("hop_limit", f.num("hop_limit"))
        .put_opt("src", f.ipv6("src"))
        .put_opt("dst", f.ipv6("dst"));
    o
}

fn udp(f: &Fields<'_, '_>) -> Obj {
    let mut o = Obj::new();
    o.put_opt("src_port", f.num("src_port"))
        .put_opt("dst_port", f.num("dst_port"))
        .put_opt("length", f.num("length"))
        .put_opt("checksum", f.num("checksum"));
    o
}

/// RFC 8926 section 3.4 and 3.5 as packet-dissector-geneve decodes them.
fn geneve_header(f: &Fields<'_, '_>, g: &mut Obj) {
    g.put_opt("version", f.num("version"))
        .put_opt("options_len", f.num("opt_len").map(|v| v * 4))
        .put_opt("oam", f.flag("oam"))
        .put_opt("critical", f.flag("critical"))
        .put_opt("protocol_type", f.num("protocol_type"))
        .put_opt("vni", f.num("vni"));
    let mut options = Vec::new();
    if let Some(list) = f.get("tunnel_options") {
        for opt in f.children(list).all("option") {
            let o = f.children(opt);
            let mut x = Obj::new();
            x.put_opt("class", o.num("class"))
                // The library's `type` is the whole Type byte, C bit included.
                .put_opt("type", o.num("type"))
                .put_opt("data_len", o.num("length").map(|v| v * 4));
            if let Some(FieldValue::Bytes(b)) = o.get("data").map(|d| &d.value) {
                x.put("data", b.iter().map(|b| format!("{b:02x}")).collect::<String>());
            }
            options.push(x.into_value());
        }
    }
    g.put_list("options", options);
}

/// The VXLAN header in the model's two views, from the library's fields.
fn vxlan(f: &Fields<'_, '_>) -> Obj {
    let flags = f.num("flags");
    let d = f.num("dont_learn");
    let a = f.num("policy_applied");
    let gpid = f.num("group_policy_id");
    // Bytes 1-3: the library's `reserved` with the bits it reports apart
    // put back (draft-smith-vxlan-group-policy-05 section 2.1: D is 0x40 and
    // A 0x08 of byte 1, the Group Policy ID bytes 2-3).
    let bytes13 =
        f.num("reserved").map(|r| r | d.unwrap_or(0) << 22 | a.unwrap_or(0) << 19 | gpid.unwrap_or(0));
    let flags16 = flags.zip(bytes13).map(|(f8, r)| f8 << 8 | r >> 16);
    let mut o = Obj::new();
    o.put_opt("flags8", flags)
        .put_opt("flag_i", f.flag("vni_valid"))
        // The library pushes `gbp` exactly when G is set, and `dont_learn`
        // whenever G or D is set: their absence is its reading "clear".
        .put("flag_g", f.flag("gbp").unwrap_or(false))
        .put("flag_d", d.is_some_and(|v| v != 0))
        .put_opt("flag_a", a.map(|v| v != 0))
        .put_opt("group_policy_id", gpid)
        .put_opt("reserved24", bytes13)
        .put_opt("flags16", flags16)
        .put_opt("reserved_flags", flags16.map(|v| v & 0x77b7))
        .put_opt("vni", f.num("vni"))
        .put_opt("reserved8", f.num("reserved2"));
    o
}

fn tcp(f: &Fields<'_, '_>) -> Obj {
    let flags = f.num("flags");
    let bit = |mask: u64| flags.map(|v| v & mask != 0);
    // RFC 9293 section 3.1: the 12 bits after Data Offset; the library
    // splits them into `reserved` (3 bits), `ae` (1 bit) and `flags` (8).
    let all = match (f.num("reserved"), f.num("ae"), flags) {
        (Some(r), Some(ae), Some(fl)) => Some(r << 9 | ae << 8 | fl),
        _ => None,
    };
    let mut o = Obj::new();
    o.put_opt("src_port", f.num("src_port"))
        .put_opt("dst_port", f.num("dst_port"))
        .put_opt("seq", f.num("seq"))
        .put_opt("ack", f.num("ack"))
        .put_opt("header_len", f.num("data_offset").map(|v| v * 4))
        .put_opt("flags", all)
        .put_opt("flag_fin", bit(0x01))
        .put_opt("flag_syn", bit(0x02))
        .put_opt("flag_rst", bit(0x04))
        .put_opt("flag_psh", bit(0x08))
        .put_opt("flag_ack", bit(0x10))
        .put_opt("flag_urg", bit(0x20))
        .put_opt("flag_ece", bit(0x40))
        .put_opt("flag_cwr", bit(0x80))
        .put_opt("window", f.num("window"))
        .put_opt("urgent_pointer", f.num("urgent_pointer"));
    // The library pushes no TCP layer unless the whole header is there;
    // with no option it pushes no `options` field: an empty list.
    let mut opts = Obj::new();
    let mut sack_permitted = false;
    let mut blocks = Vec::new();
    if let Some(list) = f.get("options") {
        for opt in f.children(list).all("option") {
            let x = f.children(opt);
            match x.num("kind") {
                Some(2) => {
                    opts.put_opt("mss", x.num("mss"));
                }
                Some(3) => {
                    opts.put_opt("window_scale", x.num("shift_count"));
                }
                Some(4) => sack_permitted = true,
                Some(5) => {
                    if let Some(sb) = x.get("sack_blocks") {
                        for b in x.children(sb).all("sack_block") {
                            let e = x.children(b);
                            if let (Some(l), Some(r)) = (e.num("left_edge"), e.num("right_edge")) {
                                blocks.push(serde_json::json!({"left": l, "right": r}));
                            }
                        }
                    }
                }
                Some(8) => {
                    opts.put_opt("tsval", x.num("ts_val")).put_opt("tsecr", x.num("ts_ecr"));
                }
                _ => {}
            }
        }
    }
    opts.put("sack_permitted", sack_permitted).put_list("sack_blocks", blocks);
    o.put_obj("options", opts);
    o
}

fn icmp(f: &Fields<'_, '_>) -> Obj {
    let mut o = Obj::new();
    o.put_opt("type", f.num("type"))
        .put_opt("code", f.num("code"))
        .put_opt("ident", f.num("identifier"))
        .put_opt("seq", f.num("sequence_number"));
    o
}

fn dns(f: &Fields<'_, '_>) -> Obj {
    let mut o = Obj::new();
    o.put_opt("id", f.num("id"))
        .put_opt("is_response", f.flag("qr"))
        .put_opt("rcode", f.num("rcode"))
        .put_opt("answer_count", f.num("ancount"));
    let first = f.get("questions").and_then(|q| f.children(q).list.first().copied());
    if let Some(q) = first {
        let q = f.children(q);
        if let Some(name) = q.get("name") {
            if let Some(Value::String(s)) = q.formatted(name) {
                o.put("query_name", s.strip_suffix('.').unwrap_or(&s).to_owned());
            }
        }
        o.put_opt("query_type", q.num("type"));
    }
    o
}

fn http(f: &Fields<'_, '_>) -> Obj {
    let mut o = Obj::new();
    o.put_opt("method", f.text("method"))
        .put_opt("uri", f.text("uri"))
        .put_opt("version", f.text("version"))
        .put_opt("status_code", f.num("status_code"));
    if let Some(headers) = f.get("headers") {
        for h in f.children(headers).all("header") {
            let h = f.children(h);
            // RFC 9110 section 5.1: field names are case-insensitive.
            if h.text("name").is_some_and(|n| n.eq_ignore_ascii_case("host")) {
                o.put_opt("host", h.text("value"));
                break;
            }
        }
    }
    o
}

/// The TLS records of a frame, one library layer each.
#[derive(Default)]
struct Tls {
    content_types: Vec<Value>,
    versions: Vec<Value>,
    handshake_types: Vec<Value>,
    sni: Option<String>,
    alpn: Vec<Value>,
}

impl Tls {
    fn record(&mut self, f: &Fields<'_, '_>) {
        if let Some(t) = f.num("content_type") {
            self.content_types.push(t.into());
        }
        if let Some(v) = f.num("version") {
            self.versions.push(v.into());
        }
        let Some(messages) = f.get("handshake_messages") else { return };
        for m in f.children(messages).all("handshake") {
            let m = f.children(m);
            if let Some(t) = m.num("type") {
                self.handshake_types.push(t.into());
            }
            let Some(exts) = m.get("extensions") else { continue };
            for e in m.children(exts).all("extension") {
                let e = m.children(e);
                if self.sni.is_none() {
                    self.sni = e.text("server_name");
                }
                if let Some(names) = e.get("protocol_names") {
                    for n in e.children(names).list {
                        if let FieldValue::Bytes(b) = &n.value {
                            self.alpn.push(String::from_utf8_lossy(b).into_owned().into());
                        }
                    }
                }
            }
        }
    }

    fn into_obj(self) -> Obj {
        let mut o = Obj::new();
        o.put_list("record_content_types", self.content_types)
            .put_list("record_versions", self.versions)
            .put_list("handshake_types", self.handshake_types)
            .put_opt("sni", self.sni)
            .put_list("alpn", self.alpn);
        o
    }
}
