//! Inspection for a parser author: `vxconform list`, `show` and `decode`.
//!
//! * [`list`]: the vectors (id, group, result, subject, description), like
//!   h2spec's dry run, to see what a run would judge;
//! * [`show`]: one vector's manifest entry, its expected readings, and an
//!   annotated hex dump of its capture, layer by layer, with the VXLAN
//!   header's fields under both readings (RFC 7348 and GBP);
//! * [`diff`]: two decoders' dissections of the same capture, field by field
//!   (`vxconform decode --against`).
//!
//! ```
//! use conformance::inspect::{list, show};
//! use conformance::run::Corpus;
//!
//! let corpus = Corpus::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors").as_ref()).unwrap();
//! let rows = list(&corpus, &["gbp".to_string()]);
//! assert_eq!(rows.len(), 10);
//! assert!(rows[0].subject.contains(&"vxlan.group_policy_id".to_string()));
//! let page = show(&corpus, "vni-9999999").unwrap();
//! assert!(page.contains("vxlan.vni"), "{page}");
//! assert!(page.contains("98 96 7f"), "{page}");
//! ```

use crate::capture::read_capture;
use crate::compare::{compare_frames, show as show_value, FieldVerdict};
use crate::decoder::Decoded;
use crate::report::printable_lines;
use crate::run::{read_regular, selects, Corpus, MAX_CORPUS_FILE_BYTES};
use generator::dissection::flatten::leaves;
use generator::dissection::FrameDissection;
use serde::Serialize;
use std::fmt::Write as _;

/// One row of `vxconform list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListRow {
    /// The vector's id.
    pub id: String,
    /// Its group.
    pub group: String,
    /// `valid`, `invalid` or `acceptable`.
    pub result: String,
    /// The fields it tests.
    pub subject: Vec<String>,
    /// Its allowed readings (acceptable vectors).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub readings: Vec<String>,
    /// One line.
    pub description: String,
}

/// The vectors `filter` selects (all when empty), in manifest order.
pub fn list(corpus: &Corpus, filter: &[String]) -> Vec<ListRow> {
    corpus
        .vectors()
        .filter(|v| selects(filter, v))
        .map(|v| ListRow {
            id: v.entry.id.clone(),
            group: v.group.to_owned(),
            result: serde_json::to_value(v.entry.result).map(|r| show_value(&r)).unwrap_or_default(),
            subject: v.entry.subject.clone(),
            readings: v.entry.readings.iter().map(|r| r.name.clone()).collect(),
            description: v.entry.description.clone(),
        })
        .collect()
}

/// `rows` as a text table.
pub fn list_text(rows: &[ListRow]) -> String {
    let w = rows.iter().map(|r| r.id.len()).max().unwrap_or(2).max(2);
    let g = rows.iter().map(|r| r.group.len()).max().unwrap_or(5).max(5);
    let mut out = format!("{:w$}  {:g$}  {:10}  subject / description\n", "id", "group", "result");
    for r in rows {
        let readings = if r.readings.is_empty() {
            String::new()
        } else {
            format!(" (readings: {})", r.readings.join(", "))
        };
        let _ =
            writeln!(out, "{:w$}  {:g$}  {:10}  {}{readings}", r.id, r.group, r.result, r.subject.join(", "));
        let _ = writeln!(out, "{:w$}  {:g$}  {:10}  {}", "", "", "", r.description);
    }
    let _ = writeln!(out, "{} vectors", rows.len());
    out
}

/// One layer found in a frame's bytes: where it starts, how long it is, and
/// its path in the model.
struct Layer {
    path: String,
    start: usize,
    len: usize,
}

/// The layers of `d` over the frame's bytes, outermost first, from the
/// lengths the expected dissection states (clipped to the bytes present).
fn layers(d: &FrameDissection, captured: usize) -> Vec<Layer> {
    let mut out = Vec::new();
    let mut at = 0usize;
    let mut push = |path: &str, len: usize, at: &mut usize| {
        let start = (*at).min(captured);
        let len = len.min(captured - start);
        if len > 0 {
            out.push(Layer { path: path.to_owned(), start, len });
        }
        *at += len;
    };
    if let Some(o) = &d.outer {
        push("outer.eth", 14, &mut at);
        if let Some(ip) = &o.ipv4 {
            push("outer.ipv4", usize::from(ip.header_len.unwrap_or(20)), &mut at);
        }
        if o.udp.is_some() {
            push("outer.udp", 8, &mut at);
        }
    }
    if let Some(g) = &d.geneve {
        push("geneve", 8 + usize::from(g.options_len.unwrap_or(0)), &mut at);
        if let Some(ip) = &g.ipv4 {
            push("geneve.ipv4", usize::from(ip.header_len.unwrap_or(20)), &mut at);
        }
        if g.udp.is_some() {
            push("geneve.udp", 8, &mut at);
        }
    }
    if d.vxlan.is_some() {
        push("vxlan", 8, &mut at);
    }
    if let Some(i) = &d.inner {
        if i.eth.is_some() {
            push("inner.eth", 14, &mut at);
        }
        for n in 0..i.vlan.len() {
            push(&format!("inner.vlan[{n}]"), 4, &mut at);
        }
        if let Some(ip) = &i.ipv4 {
            push("inner.ipv4", usize::from(ip.header_len.unwrap_or(20)), &mut at);
        }
        if i.ipv6.is_some() {
            push("inner.ipv6", 40, &mut at);
        }
        if let Some(t) = &i.tcp {
            push("inner.tcp", usize::from(t.header_len.unwrap_or(20)), &mut at);
        }
        if i.udp.is_some() {
            push("inner.udp", 8, &mut at);
        }
        if i.icmp.is_some() {
            push("inner.icmp", 8, &mut at);
        }
        if i.icmpv6.is_some() {
            push("inner.icmpv6", 8, &mut at);
        }
    }
    if at < captured {
        push("payload", captured - at, &mut at);
    }
    out
}

fn hex_rows(out: &mut String, bytes: &[u8], start: usize, label: &str) {
    for (n, chunk) in bytes.chunks(16).enumerate() {
        let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        let label = if n == 0 { label } else { "" };
        let _ = writeln!(out, "  {:04x}  {:<47}  {label}", start + n * 16, hex.join(" "));
    }
}

/// The VXLAN header's fields under both readings, with their bytes
/// ([`generator::explain::render_vxlan`], as `vxgen explain` shows them).
fn vxlan_fields(out: &mut String, h: &[u8], start: usize) {
    let Ok(bytes) = <[u8; 8]>::try_from(h) else {
        let _ = writeln!(out, "        (only {} of the 8 VXLAN bytes captured)", h.len());
        return;
    };
    let readings = generator::explain::VxlanReadings { offset: start, bytes };
    for line in generator::explain::render_vxlan(&readings, false).lines() {
        let _ = writeln!(out, "      {line}");
    }
}

/// The page of `vxconform show ID`.
pub fn show(corpus: &Corpus, id: &str) -> Result<String, String> {
    let v = corpus.vectors().find(|v| v.entry.id == id).ok_or_else(|| {
        let near = corpus
            .vectors()
            .map(|v| v.entry.id.clone())
            .find(|i| i.starts_with(id) || id.starts_with(i.as_str()));
        match near {
            Some(n) => format!("no vector {id:?} in the corpus (did you mean {n}?)"),
            None => format!("no vector {id:?} in the corpus (`vxconform list` shows them)"),
        }
    })?;
    let mut out = String::new();
    let _ = writeln!(out, "vector {} [{}]", v.entry.id, v.group);
    let _ = writeln!(out, "\nmanifest entry:\n{}", serde_json::to_string_pretty(v.entry).unwrap_or_default());
    let readings = corpus.readings(v.entry);
    for r in readings {
        let name = if r.name.is_empty() {
            "expected dissection".to_owned()
        } else {
            format!("reading {:?}", r.name)
        };
        let _ = writeln!(out, "\n{name} (subject: {}):", r.subject.join(", "));
        for f in &r.frames {
            let _ = writeln!(out, "{}", serde_json::to_string(f).unwrap_or_default());
        }
    }
    let bytes = read_regular(&corpus.capture_path(v.entry), MAX_CORPUS_FILE_BYTES)?;
    let records = read_capture(&bytes).map_err(|e| format!("{}: {e}", v.entry.capture))?;
    let expected = readings.first().map(|r| r.frames.as_slice()).unwrap_or_default();
    let _ = writeln!(out, "\ncapture {} ({} bytes), by layer:", v.entry.capture, bytes.len());
    for (rec, d) in records.iter().zip(expected) {
        let data = &rec.data;
        let _ = writeln!(
            out,
            "\nframe {} ({} of {} bytes captured)",
            d.frame.number,
            data.len(),
            rec.original_len
        );
        let fields = leaves(d);
        for l in layers(d, data.len()) {
            let slice = &data[l.start..l.start + l.len];
            hex_rows(&mut out, slice, l.start, &l.path);
            if l.path == "vxlan" {
                vxlan_fields(&mut out, slice, l.start);
                continue;
            }
            let prefix = format!("{}.", l.path);
            for (path, value) in fields.iter().filter(|(p, _)| p.starts_with(&prefix)) {
                let spec = generator::dissection::registry::field(path).map(|f| f.spec).unwrap_or("");
                let _ = writeln!(out, "        {path} = {}  [{spec}]", show_value(value));
            }
        }
    }
    Ok(printable_lines(&out).into_owned())
}

/// One field two decoders read differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The frame.
    pub frame: u32,
    /// The leaf path.
    pub path: String,
    /// The first decoder's value (`None`: not reported).
    pub a: Option<String>,
    /// The second decoder's value (`None`: not reported).
    pub b: Option<String>,
}

/// The fields where `a` and `b` (two decoders' output for one capture)
/// differ, frame by frame: a value one reports and the other does not
/// counts too; frames only one reports are listed with path `(frame)`.
pub fn diff(a: &Decoded, b: &Decoded) -> Vec<Difference> {
    let c = compare_frames(&a.frames, b, &[], &[]);
    let mut out: Vec<Difference> = Vec::new();
    for f in c.fields {
        let (x, y) = match f.verdict {
            FieldVerdict::Match => continue,
            FieldVerdict::Mismatch { expected, got } | FieldVerdict::Known { expected, got, .. } => {
                (Some(expected), Some(got))
            }
            FieldVerdict::NotReported { expected } => (Some(expected), None),
            FieldVerdict::Unexpected { got } => (None, Some(got)),
        };
        out.push(Difference { frame: f.frame, path: f.path, a: x, b: y });
    }
    for n in c.missing_frames {
        out.push(Difference { frame: n, path: "(frame)".into(), a: Some("reported".into()), b: None });
    }
    for n in c.extra_frames {
        out.push(Difference { frame: n, path: "(frame)".into(), a: None, b: Some("reported".into()) });
    }
    out
}
