//! The `tshark` adapter: Wireshark's dissection, translated into the model.
//!
//! # How tshark is run
//!
//! Through [`sharkd`], Wireshark's daemon, when it is installed beside
//! tshark: one process loads capture after capture, and the adapter reads
//! from each frame's protocol tree the fields this command would print,
//! in the same form, then translates them the same way ([`translate_row`]).
//! Otherwise (or with [`Tshark::fields_only`]), one process per capture:
//!
//! ```text
//! tshark -n -r CAPTURE -T fields -E header=n -E separator=/t -E quote=n
//!        -E occurrence=a -E aggregator=<US> -o tcp.relative_sequence_numbers:FALSE
//!        -o tcp.desegment_tcp_streams:TRUE -e frame.protocols -e _ws.malformed
//!        -e _ws.expert.message -e _ws.short -e <every field of fields::FIELD_MAP>
//! ```
//!
//! `-T fields` is about three times faster than `-T json` (24 k against
//! 7.8 k packets per second, tshark 4.0 on a 2-core machine). The field
//! list, and which model field each tshark field fills, come from
//! [`fields::FIELD_MAP`], the one copy of that
//! mapping; [`PREFS`] makes TCP numbers absolute. tshark runs with name resolution off (`-n`) and an
//! empty private configuration directory (`WIRESHARK_CONFIG_DIR`), so a
//! user's Wireshark preferences or "decode as" rules cannot change the
//! result; ports are decoded as tshark does by default (UDP 8472 is *not*
//! VXLAN to tshark 4.0, and that is what the conformance report shows).
//! Several values of one field are joined with the ASCII unit separator
//! (0x1f), which no field value contains (an HTTP URI may contain commas).
//!
//! # Nested layers
//!
//! tshark prints a field once per occurrence, outermost first: a GWLB frame
//! has three `ip.ttl` values (the Gateway Load Balancer's, the mirror
//! copy's inside GENEVE, the mirrored packet's). The adapter reads the
//! frame's layer sequence from `frame.protocols` (`eth:ethertype:ip:udp:
//! geneve:ip:udp:vxlan:eth:ethertype:ip:tcp`) and gives the *k*-th value of
//! a field to the *k*-th layer of its protocol: before the first tunnel
//! header a layer is `outer`, between GENEVE and VXLAN it is `geneve`,
//! after VXLAN it is `inner` (and `tls`, `http`, `dns` are `app`). A layer
//! cut short by truncation lacks its last fields, and since truncation only
//! ever cuts the innermost layers, the values tshark does print still line
//! up with the outermost occurrences. The one field that is optional per
//! occurrence, `eth.padding`, is given to the outer Ethernet header only
//! when its length is exactly the bytes that follow the outer IPv4 packet,
//! and otherwise to the inner one when there is exactly one.
//!
//! # What it reports
//!
//! Every field of the map that tshark prints, plus these, each derived from
//! values tshark printed (no value is ever made up; a field tshark does not
//! print is omitted, never zeroed):
//!
//! * `vxlan.flags8` = `vxlan.flags >> 8` and `vxlan.reserved24` =
//!   `(vxlan.flags & 0xff) << 16 | vxlan.gbp`: the RFC 7348 reading of the
//!   same bytes tshark shows in the GBP layout;
//! * `ipv4.options_present` = `ip.hdr_len > 20`, when tshark printed the
//!   whole fixed header (`ip.dst`) and, for a header with options, also
//!   dissected what follows it;
//! * `inner.tcp.options.sack_permitted` = "`tcp.option_kind` contains 4";
//!   false only when tshark dissected the whole TCP header (no "Short
//!   segment", no exception in TCP);
//! * frame facts from tshark's own flags: `truncated: true` when tshark says
//!   "Packet size limited during capture" (`_ws.short`, then
//!   `truncation.cause` is `snaplen`) or that a length "exceeds packet
//!   length" / "exceeds framing length"; `malformed` when tshark marks the
//!   frame `[Malformed Packet: X]` or reports UDP's "Bad length value ... >
//!   IP payload length". The reason is `udp_length_exceeds_ip_payload` for
//!   the latter, `vxlan_header_truncated` for a malformed VXLAN header (the
//!   VXLAN dissector of tshark 4.0 reads its 8 fixed bytes and nothing else,
//!   so running out of them is its only way to fail) and `other` otherwise;
//!   `layer` names the innermost layer of the protocol tshark blames.
//!   `truncated` is never reported `false`: tshark does not say that a frame
//!   is whole.
//!
//! Not reported: `frame.truncation.limit` and the inner lengths,
//! `geneve.options[].data_len` (tshark's `geneve.option.length` mixes option
//! and total lengths), and anything docs/dissection.md maps to "none".
//! tshark's own definitions are kept where they differ from the model's:
//! `tcp.len` counts the TCP bytes present, and tshark marks a PacketLength
//! cut inside the inner headers as a malformed packet (see "Known tshark
//! differences" in docs/dissection.md).

use super::{process, DecodeOptions, Decoder, DecoderFailure};
use crate::compare::KnownDifference;
pub mod fields;
pub mod sharkd;

use fields::{layer_of, parse_bool, parse_uint, Field, Read, FIELD_MAP, PREFS};
use generator::dissection::{FrameDissection, FrameFacts};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The fields requested before those of the map: the layer sequence and
/// tshark's malformed / expert / short-capture flags.
pub const EXTRA_FIELDS: [&str; 4] = ["frame.protocols", "_ws.malformed", "_ws.expert.message", "_ws.short"];

/// Preferences passed besides [`PREFS`]: reassemble TCP streams (tshark's
/// default, stated so the application facts land on the segment carrying a
/// message's last byte, as the model puts them).
pub const EXTRA_PREFS: [&str; 1] = ["tcp.desegment_tcp_streams:TRUE"];

/// The separator of several values of one field (`-E aggregator`).
const AGGREGATOR: char = '\u{1f}';

/// The tshark adapter.
#[derive(Debug, Default)]
pub struct Tshark {
    program: Option<PathBuf>,
    version: OnceLock<Option<String>>,
    /// Only `tshark -T fields`, one process per capture, even where sharkd
    /// is installed.
    fields_only: bool,
    /// The sharkd beside tshark, started on the first capture; `None` when
    /// there is none.
    sharkd: OnceLock<Option<Result<sharkd::Sharkd, DecoderFailure>>>,
}

impl Tshark {
    /// The adapter running `tshark` from `PATH`: through the `sharkd` beside
    /// it when there is one ([`sharkd`], one process for many captures),
    /// otherwise one `tshark -T fields` process per capture. Both give the
    /// same dissection (`conformance/tests/adapters_tshark.rs` checks it
    /// on the whole corpus).
    pub fn new() -> Tshark {
        Tshark::default()
    }

    /// The adapter running the tshark at `program` (and the `sharkd` in
    /// the same directory, if there is one).
    pub fn with_program(program: impl Into<PathBuf>) -> Tshark {
        Tshark { program: Some(program.into()), ..Tshark::default() }
    }

    /// The adapter running one `tshark -T fields` process per capture,
    /// never sharkd.
    pub fn fields_only(self) -> Tshark {
        Tshark { fields_only: true, ..self }
    }

    /// Whether captures go to sharkd (started on the first capture, if
    /// not started yet); `false` when sharkd is not installed beside tshark
    /// or [`Tshark::fields_only`] was asked for.
    pub fn uses_sharkd(&self) -> bool {
        matches!(self.sharkd(), Some(Ok(_)))
    }

    /// The pool of sharkd processes, when captures go to sharkd.
    pub fn sharkd_pool(&self) -> Option<&crate::decoder::batch::Pool> {
        match self.sharkd() {
            Some(Ok(s)) => Some(s.pool()),
            _ => None,
        }
    }

    fn sharkd(&self) -> Option<&Result<sharkd::Sharkd, DecoderFailure>> {
        if self.fields_only {
            return None;
        }
        self.sharkd
            .get_or_init(|| sharkd::beside(self.program()).map(|program| sharkd::Sharkd::new(&program)))
            .as_ref()
    }

    fn program(&self) -> &Path {
        self.program.as_deref().unwrap_or(Path::new("tshark"))
    }

    /// The fields requested with `-e`, in column order: [`EXTRA_FIELDS`],
    /// then every tshark field of the map once.
    pub fn fields() -> Vec<&'static str> {
        let mut out: Vec<&'static str> = EXTRA_FIELDS.to_vec();
        for f in fields::tshark_fields() {
            if !out.contains(&f) {
                out.push(f);
            }
        }
        out
    }

    /// The command that dissects `capture` (see the module documentation),
    /// reading its configuration from `config_dir`.
    pub fn command(&self, capture: &Path, config_dir: &Path) -> Command {
        let mut command = Command::new(self.program());
        command.env("WIRESHARK_CONFIG_DIR", config_dir).arg("-n").arg("-r").arg(capture);
        command.args(["-T", "fields", "-E", "header=n", "-E", "separator=/t", "-E", "quote=n"]);
        command.args(["-E", "occurrence=a", "-E"]).arg(format!("aggregator={AGGREGATOR}"));
        for pref in PREFS.iter().chain(EXTRA_PREFS.iter()) {
            command.args(["-o", pref]);
        }
        for field in Tshark::fields() {
            command.args(["-e", field]);
        }
        command
    }
}

/// Why tshark flags a cut copy: the note of its known difference on
/// `frame.malformed` (evidence: `tshark -V -r vectors/packet-length/packet-length-40.pcap`).
pub const CUT_COPY_NOTE: &str =
    "tshark flags a copy cut by PacketLength or the MTU as [Malformed Packet] (with expert info such as \
     \"IPv4 total length exceeds packet length\" or \"Short segment\"): it cannot know that AWS cut the copy \
     by design, and the frame is a valid AWS copy";

/// tshark's known differences: the notes of its field map
/// ([`fields::FIELD_MAP`]) and its flagging of cut copies as malformed
/// ([`CUT_COPY_NOTE`]).
///
/// ```
/// let known = conformance::decoder::tshark::known_differences();
/// assert!(known.iter().any(|k| k.path == "inner.tcp.payload_len"));
/// ```
pub fn known_differences() -> Vec<KnownDifference> {
    FIELD_MAP
        .iter()
        .filter_map(|f| {
            f.tshark_note.map(|n| KnownDifference {
                path: f.path.to_owned(),
                note: n.to_owned(),
                only_truncated: false,
            })
        })
        .chain(["frame.malformed.reason", "frame.malformed.layer"].map(|path| KnownDifference {
            path: path.to_owned(),
            note: CUT_COPY_NOTE.to_owned(),
            only_truncated: true,
        }))
        .collect()
}

impl Decoder for Tshark {
    fn name(&self) -> &str {
        "tshark"
    }

    fn known_differences(&self) -> Vec<KnownDifference> {
        known_differences()
    }

    /// The version `tshark --version` prints first (`4.0.17`).
    fn version(&self) -> Option<String> {
        self.version
            .get_or_init(|| {
                let out = process::run(
                    Command::new(self.program()).arg("--version"),
                    None,
                    &DecodeOptions::default(),
                )
                .ok()?;
                version_from(&String::from_utf8_lossy(&out.stdout))
            })
            .clone()
    }

    fn decode(
        &self,
        capture: &Path,
        opts: &DecodeOptions,
    ) -> Result<crate::decoder::Decoded, DecoderFailure> {
        match self.sharkd() {
            Some(Ok(sharkd)) => return sharkd.decode(capture, opts),
            Some(Err(e)) => return Err(e.clone()),
            None => {}
        }
        let config = EmptyDir::new()
            .map_err(|e| DecoderFailure::Setup(format!("cannot create a configuration directory: {e}")))?;
        let out = process::run(&mut self.command(capture, config.path()), None, opts)?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        // tshark exits non-zero on a capture cut short in the middle of a
        // record, after printing the frames before it: those still count.
        if !out.status.success() && (stdout.trim().is_empty() || out.status.code().is_none()) {
            return out.require_success().map(|_| Vec::new().into());
        }
        parse_output(&stdout).map(Into::into).map_err(|(reason, excerpt)| DecoderFailure::Garbage {
            reason,
            excerpt,
            stderr_tail: out.stderr_tail(),
        })
    }
}

/// The first token of `tshark --version` output that starts with a digit.
fn version_from(text: &str) -> Option<String> {
    let first = text.lines().next()?;
    first
        .split_whitespace()
        .find(|t| t.starts_with(|c: char| c.is_ascii_digit()))
        .map(|t| t.trim_end_matches(['.', ',']).to_string())
}

/// Translates tshark's `-T fields` output (columns as in [`Tshark::fields`],
/// several values joined with 0x1f) into one dissection per line.
///
/// Errors: (reason, offending line) when a line does not have one column
/// per field or no frame number.
pub fn parse_output(stdout: &str) -> Result<Vec<FrameDissection>, (String, String)> {
    let fields = Tshark::fields();
    let mut frames = Vec::new();
    for line in stdout.lines().filter(|l| !l.trim().is_empty()) {
        let columns: Vec<&str> = line.split('\t').collect();
        if columns.len() != fields.len() {
            return Err((
                format!("a line has {} columns, {} fields were requested", columns.len(), fields.len()),
                super::shorten(line, 200),
            ));
        }
        let row: HashMap<&str, Vec<&str>> = fields
            .iter()
            .zip(&columns)
            .map(|(f, c)| (*f, c.split(AGGREGATOR).filter(|v| !v.is_empty()).collect()))
            .collect();
        match translate_row(&row) {
            Some(frame) => frames.push(frame),
            None => return Err(("a line has no frame number".into(), super::shorten(line, 200))),
        }
    }
    Ok(frames)
}

/// The model path of each protocol occurrence in `frame.protocols`, in
/// order (`None`: a layer the model does not have, such as `ethertype` or
/// an outer 802.1Q tag).
fn layer_paths(protocols: &[&str]) -> Vec<(String, Option<&'static str>)> {
    enum At {
        Outer,
        Geneve,
        Inner,
    }
    let mut at = At::Outer;
    let mut taken: Vec<&'static str> = Vec::new();
    let mut out = Vec::new();
    for &proto in protocols {
        let path: Option<&'static str> = match (&at, proto) {
            (At::Outer, "geneve") => {
                at = At::Geneve;
                Some("geneve")
            }
            (At::Outer | At::Geneve, "vxlan") => {
                at = At::Inner;
                Some("vxlan")
            }
            (At::Outer, "eth") => Some("outer.eth"),
            (At::Outer, "ip") => Some("outer.ipv4"),
            (At::Outer, "udp") => Some("outer.udp"),
            (At::Geneve, "ip") => Some("geneve.ipv4"),
            (At::Geneve, "udp") => Some("geneve.udp"),
            (At::Inner, "eth") => Some("inner.eth"),
            (At::Inner, "vlan") => Some("inner.vlan"),
            (At::Inner, "ip") => Some("inner.ipv4"),
            (At::Inner, "ipv6") => Some("inner.ipv6"),
            (At::Inner, "tcp") => Some("inner.tcp"),
            (At::Inner, "udp") => Some("inner.udp"),
            (At::Inner, "icmp") => Some("inner.icmp"),
            (At::Inner, "icmpv6") => Some("inner.icmpv6"),
            (At::Inner, "tls") => Some("app.tls"),
            (At::Inner, "http") => Some("app.http"),
            (At::Inner, "dns") => Some("app.dns"),
            _ => None,
        };
        // Each model layer is filled once (802.1Q tags excepted): a second
        // `ip` after the inner one (an ICMP error's quoted packet, say) is
        // not the inner header.
        let path = path.filter(|p| *p == "inner.vlan" || p.starts_with("app.") || !taken.contains(p));
        if let Some(p) = path {
            taken.push(p);
        }
        out.push((proto.to_string(), path));
    }
    out
}

/// One frame's row (each requested field's values, one per occurrence) as
/// a dissection; `None` without a frame number.
pub fn translate_row(row: &HashMap<&str, Vec<&str>>) -> Option<FrameDissection> {
    let get = |name: &str| row.get(name).map(Vec::as_slice).unwrap_or_default();
    let number = get("frame.number").first().and_then(|v| parse_uint(v))?;
    let protocols: Vec<&str> =
        get("frame.protocols").first().map(|p| p.split(':').collect()).unwrap_or_default();
    let layers = layer_paths(&protocols);
    let present = |layer: &str| layers.iter().any(|(_, p)| *p == Some(layer));
    // The occurrence index, among the layers of `proto`, of model layer `layer`.
    let occurrence = |layer: &str, proto: &str| -> Option<usize> {
        let pos = layers.iter().position(|(_, p)| *p == Some(layer))?;
        Some(layers[..pos].iter().filter(|(p, _)| p == proto).count())
    };

    let mut json = Value::Object(Map::new());
    set(&mut json, "frame.number", Value::from(number));
    for field in FIELD_MAP {
        let tshark_field = field.tshark;
        let mut values: Vec<&str> = get(tshark_field).to_vec();
        if let Some(more) = field.tshark_append {
            values.extend_from_slice(get(more));
        }
        if values.is_empty() || matches!(field.read, Read::Contains(_)) || tshark_field == "eth.padding" {
            continue;
        }
        if field.path.starts_with("frame.") {
            if let Some(v) = convert(field, values[0]) {
                set(&mut json, field.path, v);
            }
            continue;
        }
        let Some((layer, proto)) = layer_of(field.path) else { continue };
        if !present(layer) {
            continue;
        }
        if let Some((list, leaf)) = field.path.split_once("[].") {
            // One element per value: VLAN tags (one value per tag), GENEVE
            // options and SACK blocks (several values in their one layer).
            let mine: Vec<&str> = if layer == "inner.vlan" {
                layers
                    .iter()
                    .filter(|(p, _)| p == proto)
                    .zip(values.iter())
                    .filter(|((_, l), _)| *l == Some("inner.vlan"))
                    .map(|(_, v)| *v)
                    .collect()
            } else if layers.iter().filter(|(p, _)| p == proto).count() == 1 {
                values.clone()
            } else {
                continue;
            };
            let items: Vec<Option<Value>> = mine.iter().map(|v| convert(field, v)).collect();
            if items.iter().all(Option::is_some) {
                set_each(&mut json, list, leaf, items.into_iter().flatten().collect());
            }
            continue;
        }
        let is_list = matches!(field.read, Read::UintList | Read::StrList | Read::BytesList);
        if is_list || field.path.starts_with("app.") {
            // Application facts and lists: every value tshark printed.
            let v = if is_list {
                let items: Option<Vec<Value>> = values.iter().map(|v| convert(field, v)).collect();
                items.map(Value::Array)
            } else {
                convert(field, values[0])
            };
            if let Some(v) = v {
                set(&mut json, field.path, v);
            }
            continue;
        }
        let Some(k) = occurrence(layer, proto) else { continue };
        if let Some(v) = values.get(k).and_then(|v| convert(field, v)) {
            set(&mut json, field.path, v);
        }
    }

    derive_vxlan(&mut json);
    derive_ipv4_options(&mut json, &layers);
    derive_padding(&mut json, get("eth.padding"), &layers, get("frame.cap_len"));
    let mut frame = from_json(json);
    derive_sack_permitted(
        &mut frame,
        get("tcp.option_kind"),
        get("_ws.expert.message"),
        get("_ws.malformed"),
    );
    frame_flags(&mut frame.frame, row, &layers);
    Some(frame)
}

/// Sets the value at a dotted path, creating objects on the way.
pub(crate) fn set(json: &mut Value, path: &str, value: Value) {
    let mut at = json;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if !at.is_object() {
            *at = Value::Object(Map::new());
        }
        let map = at.as_object_mut().expect("just made an object");
        if parts.peek().is_none() {
            map.insert(part.to_string(), value);
            return;
        }
        at = map.entry(part.to_string()).or_insert_with(|| Value::Object(Map::new()));
    }
}

/// Sets `leaf` in the i-th object of the list at `list` to `values[i]`.
fn set_each(json: &mut Value, list: &str, leaf: &str, values: Vec<Value>) {
    let mut current = lookup(json, list).and_then(|v| v.as_array().cloned()).unwrap_or_default();
    while current.len() < values.len() {
        current.push(Value::Object(Map::new()));
    }
    for (item, v) in current.iter_mut().zip(values) {
        set(item, leaf, v);
    }
    set(json, list, Value::Array(current));
}

fn lookup<'a>(json: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(json, |at, part| at.get(part))
}

fn lookup_u64(json: &Value, path: &str) -> Option<u64> {
    lookup(json, path).and_then(Value::as_u64)
}

/// A tshark value as the model's JSON value, by the field's kind.
fn convert(field: &Field, raw: &str) -> Option<Value> {
    let raw = raw.trim();
    // The model's DEI is a boolean; tshark prints it as 0 / 1.
    if field.path.ends_with(".dei") {
        return parse_bool(raw).map(Value::Bool);
    }
    match field.read {
        Read::Uint | Read::UintList => parse_uint(raw).map(Value::from),
        Read::Bool => parse_bool(raw).map(Value::Bool),
        Read::Mac => Some(Value::from(raw.to_ascii_lowercase())),
        Read::Ip => raw.parse::<IpAddr>().ok().map(|a| Value::from(a.to_string())),
        Read::Str | Read::StrList => Some(Value::from(raw)),
        Read::BytesLen => Some(Value::from(hex_digits(raw)?.len() / 2)),
        Read::Bytes | Read::BytesList => hex_digits(raw).map(Value::from),
        Read::Contains(_) => None,
    }
}

/// `0a:1B` or `0a1b` as `0a1b`; `None` if not hex.
fn hex_digits(raw: &str) -> Option<String> {
    let s: String = raw.chars().filter(|c| *c != ':').collect::<String>().to_ascii_lowercase();
    (s.len() % 2 == 0 && s.chars().all(|c| c.is_ascii_hexdigit())).then_some(s)
}

/// The RFC 7348 reading of the VXLAN bytes tshark shows in the GBP layout.
fn derive_vxlan(json: &mut Value) {
    let Some(flags16) = lookup_u64(json, "vxlan.flags16") else { return };
    set(json, "vxlan.flags8", Value::from(flags16 >> 8));
    if let Some(gbp) = lookup_u64(json, "vxlan.group_policy_id") {
        set(json, "vxlan.reserved24", Value::from((flags16 & 0xff) << 16 | gbp));
    }
}

/// `options_present` of each IPv4 layer whose whole header tshark showed.
fn derive_ipv4_options(json: &mut Value, layers: &[(String, Option<&'static str>)]) {
    for layer in ["outer.ipv4", "geneve.ipv4", "inner.ipv4"] {
        let Some(header_len) = lookup_u64(json, &format!("{layer}.header_len")) else { continue };
        if lookup(json, &format!("{layer}.dst")).is_none() {
            continue;
        }
        // Options are whole when tshark went on to the next protocol.
        let followed = layers
            .iter()
            .position(|(_, p)| *p == Some(layer))
            .is_some_and(|i| layers[i + 1..].iter().any(|(proto, _)| proto != "ethertype"));
        if header_len == 20 || followed {
            set(json, &format!("{layer}.options_present"), Value::Bool(header_len > 20));
        }
    }
}

/// `eth.padding`: one value per Ethernet header that has trailing bytes.
fn derive_padding(
    json: &mut Value,
    values: &[&str],
    layers: &[(String, Option<&'static str>)],
    cap_len: &[&str],
) {
    let eth_layers: Vec<&'static str> =
        layers.iter().filter(|(p, _)| p == "eth").filter_map(|(_, l)| *l).collect();
    let lens: Vec<usize> = values.iter().filter_map(|v| hex_digits(v)).map(|h| h.len() / 2).collect();
    if lens.len() != values.len() || lens.is_empty() {
        return;
    }
    if lens.len() == eth_layers.len() {
        for (layer, n) in eth_layers.iter().zip(&lens) {
            set(json, &format!("{layer}.padding_len"), Value::from(*n));
        }
        return;
    }
    if lens.len() != 1 {
        return;
    }
    // One value, two headers: the outer one's when it is exactly the bytes
    // after the outer IPv4 packet (Ethernet header 14 bytes).
    let outer_trailer =
        match (cap_len.first().and_then(|v| parse_uint(v)), lookup_u64(json, "outer.ipv4.total_len")) {
            (Some(cap), Some(total)) if eth_layers.first() == Some(&"outer.eth") => {
                cap.checked_sub(14 + total)
            }
            _ => None,
        };
    if outer_trailer == Some(lens[0] as u64) {
        set(json, "outer.eth.padding_len", Value::from(lens[0]));
    } else if eth_layers == ["outer.eth", "inner.eth"] {
        set(json, "inner.eth.padding_len", Value::from(lens[0]));
    }
}

/// SACK-Permitted from the option kinds tshark listed (`tcp.option_kind`).
fn derive_sack_permitted(frame: &mut FrameDissection, kinds: &[&str], expert: &[&str], malformed: &[&str]) {
    let Some(tcp) = frame.inner.as_mut().and_then(|i| i.tcp.as_mut()) else { return };
    // The absence of kind 4 means "no SACK-Permitted" only when tshark saw
    // the whole header: not cut inside the options ("Short segment", or an
    // exception in TCP).
    let whole_header = tcp.urgent_pointer.is_some()
        && tcp.header_len.is_some()
        && !expert.iter().any(|m| m.starts_with("Short segment"))
        && !malformed.iter().any(|m| m.starts_with("[Malformed Packet: TCP"));
    let value = if kinds.iter().any(|k| parse_uint(k) == Some(4)) {
        Some(true)
    } else if whole_header {
        Some(false)
    } else {
        None
    };
    if let Some(v) = value {
        tcp.options.get_or_insert_with(Default::default).sack_permitted = Some(v);
    }
}

/// tshark's protocol names in `[Malformed Packet: NAME]` and their filter names.
const PROTOCOL_NAMES: [(&str, &str); 14] = [
    ("Ethernet", "eth"),
    ("IPv4", "ip"),
    ("IPv6", "ipv6"),
    ("TCP", "tcp"),
    ("UDP", "udp"),
    ("VXLAN", "vxlan"),
    ("Geneve", "geneve"),
    ("GENEVE", "geneve"),
    ("802.1Q Virtual LAN", "vlan"),
    ("ICMP", "icmp"),
    ("ICMPv6", "icmpv6"),
    ("TLS", "tls"),
    ("HTTP", "http"),
    ("DNS", "dns"),
];

/// `truncated`, `truncation.cause` and `malformed` from tshark's flags.
fn frame_flags(
    facts: &mut FrameFacts,
    row: &HashMap<&str, Vec<&str>>,
    layers: &[(String, Option<&'static str>)],
) {
    use generator::dissection::{Malformation, MalformedReason, Truncation, TruncationCause};
    let get = |name: &str| row.get(name).map(Vec::as_slice).unwrap_or_default();
    let expert = get("_ws.expert.message");
    if !get("_ws.short").is_empty() {
        facts.truncated = Some(true);
        facts.truncation = Some(Truncation {
            cause: TruncationCause::Snaplen,
            limit: None,
            inner_original_len: None,
            inner_captured_len: None,
        });
    } else if expert
        .iter()
        .any(|m| m.contains("exceeds packet length") || m.contains("exceeds framing length"))
    {
        facts.truncated = Some(true);
    }

    // The innermost model layer of the protocol tshark blames.
    let innermost = |proto: &str| -> Option<String> {
        layers.iter().rev().find(|(p, l)| p == proto && l.is_some()).and_then(|(_, l)| l.map(str::to_string))
    };
    let blamed: Option<&str> = get("_ws.malformed").iter().find_map(|m| {
        let name = m.strip_prefix("[Malformed Packet: ")?.trim_end_matches(']');
        let name = name.split(':').next().unwrap_or(name).trim();
        PROTOCOL_NAMES.iter().find(|(n, _)| *n == name).map(|(_, p)| *p)
    });
    let bad_udp_length =
        expert.iter().any(|m| m.starts_with("Bad length value") && m.contains("> IP payload length"));
    if bad_udp_length {
        let udp: Vec<&'static str> =
            layers.iter().filter(|(p, _)| p == "udp").filter_map(|(_, l)| *l).collect();
        facts.malformed = Some(Malformation {
            reason: MalformedReason::UdpLengthExceedsIpPayload,
            layer: (udp.len() == 1).then(|| udp[0].to_string()),
        });
    } else if blamed == Some("vxlan") {
        facts.malformed =
            Some(Malformation { reason: MalformedReason::VxlanHeaderTruncated, layer: innermost("vxlan") });
    } else if !get("_ws.malformed").is_empty() {
        facts.malformed =
            Some(Malformation { reason: MalformedReason::Other, layer: blamed.and_then(innermost) });
    }
}

/// The model's JSON form as a [`FrameDissection`]; a value that does not fit
/// its field (out of range, say) is dropped rather than losing the frame.
pub(crate) fn from_json(json: Value) -> FrameDissection {
    if let Ok(frame) = serde_json::from_value::<FrameDissection>(json.clone()) {
        return frame;
    }
    let number = lookup(&json, "frame.number").cloned().unwrap_or(Value::from(0));
    let mut base = Value::Object(Map::new());
    set(&mut base, "frame.number", number);
    let mut kept = base.clone();
    for (path, value) in leaves(&json) {
        let mut candidate = base.clone();
        insert_leaf(&mut candidate, &path, value.clone());
        if serde_json::from_value::<FrameDissection>(candidate).is_ok() {
            insert_leaf(&mut kept, &path, value);
        }
    }
    serde_json::from_value(kept).unwrap_or_else(|_| FrameDissection::default())
}

/// Every scalar of `json` with its path; list elements as `name[i]`.
fn leaves(json: &Value) -> Vec<(Vec<PathPart>, Value)> {
    fn walk(json: &Value, path: &mut Vec<PathPart>, out: &mut Vec<(Vec<PathPart>, Value)>) {
        match json {
            Value::Object(map) => {
                for (k, v) in map {
                    path.push(PathPart::Key(k.clone()));
                    walk(v, path, out);
                    path.pop();
                }
            }
            Value::Array(items) if items.iter().any(|i| i.is_object()) => {
                for (i, v) in items.iter().enumerate() {
                    path.push(PathPart::Index(i));
                    walk(v, path, out);
                    path.pop();
                }
            }
            other => out.push((path.clone(), other.clone())),
        }
    }
    let mut out = Vec::new();
    walk(json, &mut Vec::new(), &mut out);
    out
}

#[derive(Debug, Clone)]
enum PathPart {
    Key(String),
    Index(usize),
}

fn insert_leaf(json: &mut Value, path: &[PathPart], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        *json = value;
        return;
    };
    let next_is_index = matches!(rest.first(), Some(PathPart::Index(_)));
    let fresh = || if next_is_index { Value::Array(Vec::new()) } else { Value::Object(Map::new()) };
    match first {
        PathPart::Key(k) => {
            if !json.is_object() {
                *json = Value::Object(Map::new());
            }
            let slot = json.as_object_mut().expect("object").entry(k.clone()).or_insert_with(fresh);
            insert_leaf(slot, rest, value);
        }
        PathPart::Index(i) => {
            if !json.is_array() {
                *json = Value::Array(Vec::new());
            }
            let items = json.as_array_mut().expect("array");
            while items.len() <= *i {
                items.push(Value::Object(Map::new()));
            }
            insert_leaf(&mut items[*i], rest, value);
        }
    }
}

/// An empty directory, removed when dropped: tshark's private configuration.
struct EmptyDir(PathBuf);

impl EmptyDir {
    fn new() -> std::io::Result<EmptyDir> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let base = std::env::temp_dir();
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = base.join(format!("vxconform-tshark-{}-{n}", std::process::id()));
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(EmptyDir(path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for EmptyDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests;
