//! The compatibility matrix: every built-in decoder over the whole corpus,
//! as a Markdown page (docs/compatibility.md) in the manner of
//! JSONTestSuite's results table: one row per vector group, one column per
//! decoder, with the tools' versions, field-group support and the
//! disagreements with their evidence; and, from the same [`Matrix`], a
//! self-contained HTML grid of every vector and decoder
//! (docs/compatibility.html, [`html`]).
//!
//! ```
//! use conformance::matrix::{render, run_matrix};
//! use conformance::run::{Corpus, RunOptions};
//!
//! let corpus = Corpus::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors").as_ref()).unwrap();
//! let m = run_matrix(&corpus, &["reference"], &RunOptions::default());
//! let page = render(&m);
//! assert!(page.contains("| `vni` | 8 | 8/8 |"));
//! ```

use crate::compare::{FieldGroup, FieldVerdict, Outcome, Support, Tally};
use crate::decoder::by_name;
use crate::report::markdown::{cell, support_word};
use crate::run::{run, Corpus, RunError, RunOptions, RunReport, Summary};
use generator::vectors::manifest::Expected;
use std::collections::BTreeMap;
use std::fmt::Write;

pub mod html;

/// One decoder's column.
#[derive(Debug)]
pub struct Column {
    /// The decoder's name.
    pub decoder: String,
    /// Its report, or why it could not run (not installed, say).
    pub result: Result<RunReport, String>,
}

/// One vector of the corpus, as the HTML grid labels its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The vector's group.
    pub group: String,
    /// The vector's id.
    pub id: String,
    /// The manifest's one-line description.
    pub description: String,
    /// The fields it tests.
    pub subject: Vec<String>,
    /// What a decoder must do with it.
    pub result: Expected,
}

/// The matrix: the corpus and one column per decoder.
#[derive(Debug)]
pub struct Matrix {
    /// The corpus's vector groups in manifest order, with their sizes.
    pub groups: Vec<(String, usize)>,
    /// Every vector, in manifest order (the HTML grid's rows).
    pub rows: Vec<Row>,
    /// The number of vectors.
    pub vectors: usize,
    /// The corpus's regeneration command.
    pub regenerate: String,
    /// [`corpus_fingerprint`] of the corpus.
    pub fingerprint: String,
    /// The corpus directory as given (replaced by `vectors` in the page,
    /// so that the page does not depend on where the corpus lies).
    pub root: String,
    /// The columns.
    pub columns: Vec<Column>,
}

/// Runs each decoder of `decoders` over `corpus` (every vector; the
/// filter of `opts` is ignored).
pub fn run_matrix(corpus: &Corpus, decoders: &[&str], opts: &RunOptions) -> Matrix {
    let opts = RunOptions { filter: Vec::new(), ..opts.clone() };
    let columns = decoders
        .iter()
        .map(|name| {
            let result = match by_name(name) {
                Ok(d) => run(d.as_ref(), corpus, &opts).map_err(|e| match e {
                    RunError::DecoderNotFound { program, .. } => {
                        format!("not installed ({program} not found)")
                    }
                    other => other.to_string(),
                }),
                Err(e) => Err(e.to_string()),
            };
            Column { decoder: (*name).to_owned(), result }
        })
        .collect();
    Matrix {
        groups: corpus.manifest.groups.iter().map(|g| (g.name.clone(), g.vectors.len())).collect(),
        rows: corpus
            .vectors()
            .map(|v| Row {
                group: v.group.to_owned(),
                id: v.entry.id.clone(),
                description: v.entry.description.clone(),
                subject: v.entry.subject.clone(),
                result: v.entry.result,
            })
            .collect(),
        vectors: corpus.manifest.number_of_vectors,
        regenerate: corpus.manifest.regenerate.clone(),
        fingerprint: corpus_fingerprint(corpus).unwrap_or_else(|e| format!("unreadable: {e}")),
        root: corpus.root.display().to_string(),
        columns,
    }
}

/// A fingerprint of the corpus: FNV-1a (64 bits) over the manifest and every
/// vector's capture and expected file, in manifest order. The page records
/// it, so that a test can tell, without running any tool, that the corpus
/// changed since the page was generated.
pub fn corpus_fingerprint(corpus: &Corpus) -> Result<String, RunError> {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    let read = |p: std::path::PathBuf| {
        std::fs::read(&p).map_err(|e| RunError::Corpus(format!("cannot read {}: {e}", p.display())))
    };
    feed(&read(corpus.root.join("manifest.json"))?);
    for v in corpus.vectors() {
        feed(&read(corpus.root.join(&v.entry.capture))?);
        feed(&read(corpus.root.join(&v.entry.expected))?);
    }
    Ok(format!("{h:016x}"))
}

/// The fingerprint a page records, if any.
pub fn page_fingerprint(page: &str) -> Option<&str> {
    let rest = &page[page.find(FINGERPRINT)? + FINGERPRINT.len()..];
    rest.split_whitespace().next()
}

/// The command that regenerates both pages, from the repository root.
pub const REGENERATE: &str =
    "vxconform matrix --output docs/compatibility.md --output docs/compatibility.html";

/// A decoder's results in one line: `98 of 103 passed (6 acceptable), 5 failed, 0 errors, 0 not dissected`.
pub fn summary_text(s: &Summary) -> String {
    format!(
        "{} of {} passed ({} acceptable), {} failed, {} errors, {} not dissected",
        s.pass + s.acceptable,
        s.total,
        s.acceptable,
        s.fail + s.unexpected_pass,
        s.error,
        s.not_supported
    )
}

const FINGERPRINT: &str = "corpus-fingerprint: ";
const VERSIONS_BEGIN: &str = "<!-- versions:begin -->";
const VERSIONS_END: &str = "<!-- versions:end -->";

/// Whether two pages (Markdown or HTML) say the same, apart from the
/// tools' versions: every span between the versions markers is left out (a
/// security update of a tool does not make the page stale; its results do).
///
/// ```
/// use conformance::matrix::same_results;
/// let page = |v: &str, r: &str| format!("<!-- versions:begin -->{v}<!-- versions:end --> {r} <!-- versions:begin -->{v}<!-- versions:end -->");
/// assert!(same_results(&page("4.0.17", "8/8"), &page("4.0.18", "8/8")));
/// assert!(!same_results(&page("4.0.17", "8/8"), &page("4.0.17", "7/8")));
/// ```
pub fn same_results(a: &str, b: &str) -> bool {
    fn strip(p: &str) -> String {
        let mut out = String::with_capacity(p.len());
        let mut rest = p;
        while let Some(s) = rest.find(VERSIONS_BEGIN) {
            let Some(e) = rest[s..].find(VERSIONS_END) else { break };
            out.push_str(&rest[..s]);
            out.push_str(VERSIONS_BEGIN);
            out.push_str(VERSIONS_END);
            rest = &rest[s + e + VERSIONS_END.len()..];
        }
        out.push_str(rest);
        out
    }
    strip(a) == strip(b)
}

/// The field groups a vector group is about: a cell says "GBP not
/// supported" when the decoder reports none of them there.
pub fn focus(vector_group: &str) -> &'static [FieldGroup] {
    match vector_group {
        "vni" | "i-flag" | "reserved" | "gpe" | "port" => &[FieldGroup::VxlanCore],
        "gbp" => &[FieldGroup::Gbp],
        "gwlb" => &[FieldGroup::Geneve],
        "packet-length" | "mtu" => &[FieldGroup::Frame, FieldGroup::Inner],
        "inner-ipv6" | "inner-vlan" | "tcp-options" | "handshake" | "icmp" | "filter" => &[FieldGroup::Inner],
        "tls" | "http" | "dns" => &[FieldGroup::App],
        "malformed" => &[FieldGroup::Frame, FieldGroup::Outer],
        _ => &[],
    }
}

/// One decoder's figures over one vector group: what a group cell shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupCell {
    /// The outcome counts.
    pub summary: Summary,
    /// Vectors passed, acceptable ones included.
    pub passed: usize,
    /// `3 fail`, `1 error`, `10 not dissected`, `GBP not supported`.
    pub notes: Vec<String>,
}

/// The figures of `report` over the vectors of `group`.
pub fn group_cell(report: &RunReport, group: &str) -> GroupCell {
    let vs: Vec<_> = report.vectors.iter().filter(|v| v.group == group).collect();
    let s = Summary::of(vs.iter().copied());
    let passed = s.pass + s.acceptable;
    let mut notes = Vec::new();
    if s.fail + s.unexpected_pass > 0 {
        notes.push(format!("{} fail", s.fail + s.unexpected_pass));
    }
    if s.error > 0 {
        notes.push(format!("{} error", s.error));
    }
    if s.not_supported > 0 {
        notes.push(format!("{} not dissected", s.not_supported));
    }
    if s.acceptable > 0 {
        notes.push(format!("{} acceptable", s.acceptable));
    }
    let mut tally: BTreeMap<FieldGroup, Tally> = BTreeMap::new();
    for v in &vs {
        for (g, t) in v.tally() {
            tally.entry(g).or_default().merge(&t);
        }
    }
    for g in focus(group) {
        if tally.get(g).is_some_and(|t| t.support() == Support::NotSupported) {
            notes.push(format!("{} not supported", g.title()));
        }
    }
    GroupCell { summary: s, passed, notes }
}

/// One cell: `8/8`, `10/10, GBP not supported`, `0/4 (4 errors)`.
fn cell_for(report: &RunReport, group: &str) -> String {
    let c = group_cell(report, group);
    let mut text = format!("{}/{}", c.passed, c.summary.total);
    if !c.notes.is_empty() {
        let _ = write!(text, " ({})", c.notes.join(", "));
    }
    text
}

/// The findings of each decoder, one Markdown file per decoder under
/// `conformance/findings/` (its bold name and version line, then one item
/// per disagreement: the vector that shows it, the clause, whether it is
/// fixed upstream). A new adapter adds its file here.
pub const FINDINGS: &[(&str, &str)] = &[
    ("tshark", include_str!("../findings/tshark.md")),
    ("tcpdump", include_str!("../findings/tcpdump.md")),
    ("scapy", include_str!("../findings/scapy.md")),
    ("gopacket", include_str!("../findings/gopacket.md")),
    ("libtrace", include_str!("../findings/libtrace.md")),
    ("pnet", include_str!("../findings/pnet.md")),
    ("packet-dissector", include_str!("../findings/packet-dissector.md")),
];

/// The "Findings" section of the page: every decoder's file, in order.
pub fn findings_section() -> String {
    let mut out = String::from(
        "\n## Findings\n\nEach disagreement below is a real behaviour of the decoder, not of its adapter \
         (the adapters translate and never fix up).\n",
    );
    for (_, text) in FINDINGS {
        out.push('\n');
        out.push_str(text.trim_end());
        out.push('\n');
    }
    out
}

/// Renders the matrix as docs/compatibility.md.
pub fn render(m: &Matrix) -> String {
    let page = render_page(m);
    if m.root.is_empty() || m.root == "vectors" {
        page
    } else {
        page.replace(m.root.trim_end_matches('/'), "vectors")
    }
}

fn render_page(m: &Matrix) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Decoder compatibility matrix\n");
    let _ = writeln!(
        out,
        "<!-- Generated by `{REGENERATE}`; do not edit by hand. \
         A test fails when this page is stale (tools present). -->\n"
    );
    let _ = writeln!(
        out,
        "Every built-in decoder of the conformance runner over the {} vectors of `vectors/` \
         (`{}`), judged field by field against the expected dissections \
         ([decoder protocol](decoder-protocol.md), [dissection model](dissection.md)). A cell is \
         *vectors passed / vectors in the group*: a vector passes only when the decoder reports every \
         field it tests (its subject) right and nothing else wrong; `acceptable` vectors pass under \
         one of their named readings and are noted; \"not dissected\" vectors are those where the \
         decoder reported none of the fields the vector tests (never a pass), and \"X not \
         supported\" names the field group it lacks. Reproduce a cell with \
         `vxconform run --decoder NAME --filter GROUP`. The same results, one coloured cell per \
         vector and decoder with the failing fields (expected, got) on hover or focus, are in \
         [compatibility.html](compatibility.html), a self-contained page to open in a browser.\n",
        m.vectors, m.regenerate
    );
    let _ = writeln!(out, "<!-- {FINGERPRINT}{} -->\n", m.fingerprint);
    let _ = writeln!(out, "{VERSIONS_BEGIN}");
    let _ = writeln!(out, "| decoder | version |");
    let _ = writeln!(out, "|---|---|");
    for c in &m.columns {
        let version = match &c.result {
            Ok(r) => r.decoder_version.clone().unwrap_or_else(|| "unknown".into()),
            Err(_) => "-".into(),
        };
        let _ = writeln!(out, "| `{}` | {} |", c.decoder, cell(&version));
    }
    let _ = writeln!(out, "{VERSIONS_END}\n");
    let _ = writeln!(out, "| decoder | result |");
    let _ = writeln!(out, "|---|---|");
    for c in &m.columns {
        match &c.result {
            Ok(r) => {
                let _ = writeln!(out, "| `{}` | {} |", c.decoder, summary_text(&r.summary));
            }
            Err(why) => {
                let _ = writeln!(out, "| `{}` | {} |", c.decoder, cell(why));
            }
        }
    }

    let _ = writeln!(out, "\n## By vector group\n");
    let mut header = String::from("| group | vectors |");
    let mut rule = String::from("|---|---:|");
    for c in &m.columns {
        let _ = write!(header, " {} |", c.decoder);
        rule.push_str("---|");
    }
    let _ = writeln!(out, "{header}\n{rule}");
    for (g, n) in &m.groups {
        let mut row = format!("| `{g}` | {n} |");
        for c in &m.columns {
            let text = match &c.result {
                Ok(r) => cell_for(r, g),
                Err(_) => "-".to_owned(),
            };
            let _ = write!(row, " {} |", cell(&text));
        }
        let _ = writeln!(out, "{row}");
    }

    let _ = writeln!(out, "\n## By field group\n");
    let _ = writeln!(
        out,
        "How much of each part of the model a decoder reports over the whole corpus \
         (*values reported / values expected*).\n"
    );
    let mut header = String::from("| field group |");
    let mut rule = String::from("|---|");
    for c in &m.columns {
        let _ = write!(header, " {} |", c.decoder);
        rule.push_str("---|");
    }
    let _ = writeln!(out, "{header}\n{rule}");
    for g in FieldGroup::ALL {
        let mut row = format!("| {} (`{}`) |", g.title(), g.name());
        for c in &m.columns {
            let text = match &c.result {
                Ok(r) => {
                    let t = r.tally().get(&g).copied().unwrap_or_default();
                    support_word(t.support(), t.reported(), t.expected())
                }
                Err(_) => "-".to_owned(),
            };
            let _ = write!(row, " {text} |");
        }
        let _ = writeln!(out, "{row}");
    }

    out.push_str(&findings_section());
    let _ = writeln!(out, "\n## Disagreements, with evidence\n");
    let _ = writeln!(
        out,
        "Every vector a decoder does not simply pass, with the first fields where it differs from \
         the expected dissection (expected, then what the decoder reported) and the clause that \
         defines the field. *Known differences* are documented readings of the tool (see \
         [dissection.md](dissection.md)); they are listed, not failed.\n"
    );
    for c in &m.columns {
        let Ok(r) = &c.result else { continue };
        let mut lines = Vec::new();
        // Each known difference's explanation is given once, after the list.
        let mut notes: Vec<&str> = Vec::new();
        for v in &r.vectors {
            let known: Vec<String> = v
                .comparison
                .iter()
                .flat_map(|c| c.fields.iter())
                .filter_map(|f| match &f.verdict {
                    FieldVerdict::Known { expected, got, note } => {
                        let i = notes.iter().position(|n| n == note).unwrap_or_else(|| {
                            notes.push(note);
                            notes.len() - 1
                        });
                        Some(format!(
                            "frame {} {}: expected {expected}, got {got} [{}]",
                            f.frame,
                            f.path,
                            i + 1
                        ))
                    }
                    _ => None,
                })
                .collect();
            if v.outcome == Outcome::Pass && known.is_empty() {
                continue;
            }
            let mut reasons: Vec<String> = v.reasons.clone();
            let total = reasons.len();
            reasons.truncate(3);
            if total > 3 {
                reasons.push(format!("... and {} more", total - 3));
            }
            if v.outcome != Outcome::Pass {
                lines.push(format!("- `{}` ({}): {}", v.id, v.outcome.name(), cell(&reasons.join("; "))));
            }
            if !known.is_empty() {
                let n = known.len();
                let shown: Vec<String> = known.into_iter().take(2).collect();
                let more = if n > 2 { format!("; ... and {} more", n - 2) } else { String::new() };
                lines.push(format!("- `{}` (known difference): {}{more}", v.id, cell(&shown.join("; "))));
            }
        }
        let _ = writeln!(out, "### {}\n", c.decoder);
        if lines.is_empty() {
            let _ = writeln!(out, "None: every vector passes.\n");
        } else {
            let _ = writeln!(out, "{}\n", lines.join("\n"));
        }
        if !notes.is_empty() {
            let _ = writeln!(out, "Known differences of `{}`:\n", c.decoder);
            for (i, note) in notes.iter().enumerate() {
                let _ = writeln!(out, "{}. {}", i + 1, cell(note));
            }
            let _ = writeln!(out);
        }
    }
    out
}
