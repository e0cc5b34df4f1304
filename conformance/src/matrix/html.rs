//! The matrix as one self-contained HTML page (docs/compatibility.html): a
//! grid of every vector (rows, grouped by vector group) and every decoder
//! (columns, with their versions), each cell coloured *and* labelled with a
//! symbol and a word (pass, fail, acceptable, unsupported, error, not run),
//! and, for every cell that is not a plain pass, why: the failing fields
//! with expected and got values, known differences, the decoder's error and
//! the tail of its standard error.
//!
//! The page needs nothing but itself: inline CSS, no script, no fetch (its
//! Content-Security-Policy forbids both). A cell's details show on hover,
//! on keyboard focus or click (the cell is focusable) and when the page's
//! address names the cell (`#c-VECTOR-DECODER`).
//!
//! Everything a decoder printed is untrusted: every string goes through
//! [`escape`] (or [`escape_lines`]), so that `</td><img onerror=...>` is
//! text, never markup; the versions markers of [`same_results`](super::same_results)
//! cannot be forged either. Rendering is deterministic (manifest order, column
//! order), so the checked-in page can be checked for staleness like the
//! Markdown one.
//!
//! Elements tests can rely on: `table#matrix`; one `td.cell` per vector and
//! decoder with `data-vector`, `data-decoder` and `data-outcome` (an
//! [`Outcome`]'s JSON name, or `not_run` for a column whose decoder could
//! not run); `th.dec` column headers with `data-decoder` and `data-state`
//! (`ran` or `not_run`); `tbody.group` per vector group with `data-group`,
//! its `tr.group-head` holding one `td.tally` per decoder (`data-passed`,
//! `data-total`); `tr.vec` rows with `data-vector`; a cell's details in its
//! `.tip` child.
//!
//! ```
//! use conformance::matrix::{html, run_matrix};
//! use conformance::run::{Corpus, RunOptions};
//!
//! let corpus = Corpus::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors").as_ref()).unwrap();
//! let m = run_matrix(&corpus, &["reference"], &RunOptions::default());
//! let page = html::render(&m);
//! assert!(page.starts_with("<!DOCTYPE html>"));
//! assert_eq!(page.matches("<td class=\"cell ").count(), m.rows.len());
//! assert_eq!(html::escape("</td><b>"), "&lt;/td&gt;&lt;b&gt;");
//! ```

use super::{
    group_cell, summary_text, Column, Matrix, Row, FINGERPRINT, REGENERATE, VERSIONS_BEGIN, VERSIONS_END,
};
use crate::compare::{describe, FieldResult, FieldVerdict, Outcome, ABSENT};
use crate::report::{printable, printable_lines};
use crate::run::VectorReport;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

/// Failing fields a cell's details list (the rest are counted).
pub const MAX_FIELDS: usize = 12;
/// Known differences a cell's details list.
pub const MAX_KNOWN: usize = 6;
/// Other reasons (protocol problems, missing frames, readings) listed.
pub const MAX_REASONS: usize = 8;

/// `s` as HTML text or a double- or single-quoted attribute value: control
/// characters escaped as [`printable`] does, then `&`, `<`, `>`, `"` and `'`
/// as character references.
///
/// ```
/// use conformance::matrix::html::escape;
/// assert_eq!(escape("a\"b' & <!-- x -->"), "a&quot;b&#39; &amp; &lt;!-- x --&gt;");
/// assert_eq!(escape("line\nforged\u{202e}"), "line\\nforged\\u{202e}");
/// ```
pub fn escape(s: &str) -> String {
    markup_free(&printable(s))
}

/// [`escape`], keeping line breaks: for a `<pre>` block such as a stderr tail.
pub fn escape_lines(s: &str) -> String {
    markup_free(&printable_lines(s))
}

fn markup_free(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// How a cell shows an outcome: its `data-outcome` (the outcome's JSON
/// name), a symbol and a word. The symbol and word say what the colour
/// says, for readers who cannot tell the colours apart.
pub fn outcome_label(o: Outcome) -> (&'static str, &'static str, &'static str) {
    match o {
        Outcome::Pass => ("pass", "\u{2713}", "pass"),
        Outcome::Fail => ("fail", "\u{2717}", "fail"),
        Outcome::Acceptable => ("acceptable", "\u{2248}", "acceptable"),
        Outcome::NotSupported => ("not_supported", "\u{2205}", "unsupported"),
        Outcome::Error => ("error", "\u{26a0}", "error"),
        Outcome::ExpectedFail => ("expected_fail", "\u{2717}", "expected fail"),
        Outcome::UnexpectedPass => ("unexpected_pass", "!", "unexpected pass"),
        Outcome::Skipped => ("skipped", "\u{2013}", "skipped"),
    }
}

/// The label of a cell whose decoder could not run at all.
pub const NOT_RUN: (&str, &str, &str) = ("not_run", "\u{b7}", "not run");

/// The legend: a label and what it means.
const LEGEND: &[(Outcome, &str)] = &[
    (Outcome::Pass, "every field the vector tests is reported and right, nothing else is wrong"),
    (Outcome::Acceptable, "passes under one of the vector's named readings"),
    (Outcome::Fail, "a field the vector tests is missing or wrong, or another field is wrong"),
    (Outcome::NotSupported, "the decoder reported none of the fields the vector tests (never a pass)"),
    (Outcome::Error, "the decoder crashed, timed out or printed what is not the dissection model"),
];

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font: 14px/1.4 "DejaVu Sans", system-ui, sans-serif; margin: 1rem 1.25rem; color: #1a1a1a; background: #fff; }
h1 { font-size: 1.45rem; margin: 0 0 .4rem; }
h2 { font-size: 1.1rem; margin: 1rem 0 .3rem; }
p { margin: .3rem 0; max-width: 110ch; }
code { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: .92em; }
table { border-collapse: collapse; }
.decoders th, .decoders td { border: 1px solid #c8c8c8; padding: .15rem .5rem; text-align: left; }
.decoders thead th { background: #f0f0f0; }
.decoders tr.not_run td { color: #6a6a6a; font-style: italic; }
.legend { list-style: none; padding: 0; margin: .4rem 0; display: grid; grid-template-columns: max-content 1fr; gap: .2rem .8rem; max-width: 110ch; }
.legend li { display: contents; }
.legend .cell { display: inline-block; padding: .1rem .45rem; border: 1px solid #aaa; }
nav.groups { margin: .5rem 0; max-width: 130ch; }
nav.groups a { margin-right: .6rem; white-space: nowrap; }
.matrix { margin-top: .6rem; }
.matrix th, .matrix td { border: 1px solid #b8b8b8; padding: .15rem .4rem; vertical-align: top; }
.matrix thead th { position: sticky; top: 0; z-index: 3; background: #f0f0f0; text-align: left; box-shadow: 0 1px 0 #888; }
.matrix th.dec .name { display: block; font-weight: bold; }
.matrix th.dec .ver { display: block; font-weight: normal; font-size: .85em; color: #404040; }
.matrix th.dec.not_run { color: #6a6a6a; background: #f7f7f7; }
.matrix th.dec.not_run .why { display: block; font-weight: normal; font-size: .8em; font-style: italic; max-width: 16em; white-space: normal; }
tr.vec > th { position: sticky; left: 0; z-index: 2; background: #fff; text-align: left; font-weight: normal; }
tr.vec > th code { font-weight: bold; }
tr.vec > th .desc { display: block; color: #555; font-size: .82em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 36em; }
tr.vec > th:focus .desc { white-space: normal; }
tr.vec > th:focus { outline: 2px solid #000; outline-offset: -2px; }
tr.group-head > th, tr.group-head > td { background: #e4e4e4; border-top: 2px solid #666; }
tr.group-head > th { position: sticky; left: 0; z-index: 2; text-align: left; }
tr.group-head .n { font-weight: normal; font-size: .85em; color: #404040; }
td.tally b { display: block; }
td.tally .notes { display: block; font-size: .8em; color: #333; max-width: 16em; }
td.tally.all b { color: #0b5a26; }
td.tally.some b { color: #8a1c00; }
tfoot td, tfoot th { background: #f0f0f0; border-top: 2px solid #666; text-align: left; }
.cell { position: relative; white-space: nowrap; }
.cell .mark { display: inline-block; width: 1.1em; text-align: center; font-weight: bold; }
.o-pass { background: #cdebd3; color: #0b4d20; }
.o-acceptable { background: #cfe2f5; color: #0a3f6e; }
.o-fail, .o-unexpected_pass { background: #f7c4b4; color: #7a1800; font-weight: bold; }
.o-not_supported, .o-expected_fail { background: repeating-linear-gradient(135deg, #f0f0f0 0 5px, #dedede 5px 10px); color: #3a3a3a; }
.o-error { background: #e2c9ef; color: #4e0f70; font-weight: bold; box-shadow: inset 0 0 0 2px #4e0f70; }
.o-not_run, .o-skipped { background: #fff; color: #7a7a7a; font-style: italic; }
.cell.known .word::after { content: "*"; }
.cell[tabindex] { cursor: help; }
.cell[tabindex]:focus { outline: 3px solid #000; outline-offset: -3px; }
.tip { display: none; position: absolute; top: 100%; left: 0; z-index: 10; width: max-content; max-width: min(78ch, 88vw);
  white-space: normal; font-weight: normal; font-style: normal; text-align: left; color: #1a1a1a;
  background: #fffdf3; border: 1px solid #555; box-shadow: 0 3px 10px rgba(0,0,0,.3); padding: .4rem .6rem; }
.cell.right .tip { left: auto; right: 0; }
.cell:hover > .tip, .cell:focus > .tip, .cell:focus-within > .tip, .cell:target > .tip { display: block; }
.tip p { margin: .15rem 0; }
.tip table { margin: .25rem 0; }
.tip th, .tip td { border: 1px solid #ccc; padding: .05rem .3rem; font-size: .85em; vertical-align: top; }
.tip th { background: #f3f0e0; text-align: left; }
.tip td.v { font-family: "DejaVu Sans Mono", ui-monospace, monospace; overflow-wrap: anywhere; }
.tip ul, .tip ol { margin: .2rem 0; padding-left: 1.3rem; }
.tip pre { white-space: pre-wrap; word-break: break-all; max-height: 12em; overflow: auto; background: #f1f1f1; padding: .3rem; margin: .2rem 0; }
.tip .nr { font-style: italic; color: #7a1800; white-space: nowrap; font-family: "DejaVu Sans", system-ui, sans-serif; }
"#;

/// Renders the matrix as docs/compatibility.html.
pub fn render(m: &Matrix) -> String {
    Page::new(m).render()
}

/// `s` reduced to characters safe in an id: ASCII letters, digits, `-`, `_`.
fn slug(s: &str) -> String {
    let s: String = s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    if s.is_empty() {
        "_".into()
    } else {
        s
    }
}

/// [`slug`]s of `names`, made unique by a `-N` suffix, in order.
fn unique_slugs<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    names
        .map(|n| {
            let base = slug(n);
            let mut s = base.clone();
            let mut i = 2;
            while !seen.insert(s.clone()) {
                s = format!("{base}-{i}");
                i += 1;
            }
            s
        })
        .collect()
}

struct Page<'a> {
    m: &'a Matrix,
    /// Vector id to each column's report, by column.
    by_id: Vec<HashMap<&'a str, &'a VectorReport>>,
    vector_ids: HashMap<&'a str, String>,
    decoder_ids: Vec<String>,
}

impl<'a> Page<'a> {
    fn new(m: &'a Matrix) -> Page<'a> {
        let by_id = m
            .columns
            .iter()
            .map(|c| match &c.result {
                Ok(r) => r.vectors.iter().map(|v| (v.id.as_str(), v)).collect(),
                Err(_) => HashMap::new(),
            })
            .collect();
        let slugs = unique_slugs(m.rows.iter().map(|r| r.id.as_str()));
        let vector_ids = m.rows.iter().map(|r| r.id.as_str()).zip(slugs).collect();
        let decoder_ids = unique_slugs(m.columns.iter().map(|c| c.decoder.as_str()));
        Page { m, by_id, vector_ids, decoder_ids }
    }

    /// `s` escaped, the corpus directory shown as `vectors` (so that the
    /// page does not depend on where the corpus lies).
    fn t(&self, s: &str) -> String {
        let root = self.m.root.trim_end_matches('/');
        if root.is_empty() || root == "vectors" || !s.contains(root) {
            escape(s)
        } else {
            escape(&s.replace(root, "vectors"))
        }
    }

    /// [`Page::t`] keeping line breaks.
    fn block(&self, s: &str) -> String {
        let root = self.m.root.trim_end_matches('/');
        if root.is_empty() || root == "vectors" {
            escape_lines(s)
        } else {
            escape_lines(&s.replace(root, "vectors"))
        }
    }

    fn version(&self, c: &Column) -> String {
        let v = match &c.result {
            Ok(r) => r.decoder_version.as_deref().unwrap_or("unknown"),
            Err(_) => "-",
        };
        format!("{VERSIONS_BEGIN}{}{VERSIONS_END}", self.t(v))
    }

    fn render(&self) -> String {
        let m = self.m;
        let mut out = String::with_capacity(256 * 1024);
        out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        out.push_str(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
        );
        out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        out.push_str("<title>Decoder compatibility matrix</title>\n");
        let _ = writeln!(
            out,
            "<!-- Generated by `{REGENERATE}`; do not edit by hand. A test fails when this page is stale (tools present). -->"
        );
        let _ = writeln!(out, "<!-- {FINGERPRINT}{} -->", self.t(&m.fingerprint));
        let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>\n<header>");
        out.push_str("<h1>Decoder compatibility matrix</h1>\n");
        let _ = writeln!(
            out,
            "<p>Every decoder of the conformance runner over the {} vectors of <code>vectors/</code> \
             (<code>{}</code>), judged field by field against the expected dissections: one cell per \
             vector and decoder. Hover over a cell, focus it (Tab) or click it to see why it is not a plain \
             pass: the failing fields with the expected value and what the decoder reported, known \
             differences, errors. The tallies per group, the decoders' findings and their support per field \
             group are in <a href=\"compatibility.md\">compatibility.md</a>; reproduce a cell with \
             <code>vxconform run --decoder NAME --filter VECTOR</code>.</p>",
            m.vectors,
            self.t(&m.regenerate)
        );
        self.decoders_table(&mut out);
        self.legend(&mut out);
        out.push_str("<nav class=\"groups\">Groups: ");
        for (g, n) in &m.groups {
            let _ = write!(out, "<a href=\"#g-{}\">{}&nbsp;({n})</a> ", slug(g), self.t(g));
        }
        out.push_str("</nav>\n</header>\n<main>\n");
        self.grid(&mut out);
        out.push_str("</main>\n</body>\n</html>\n");
        out
    }

    fn decoders_table(&self, out: &mut String) {
        out.push_str("<table class=\"decoders\" id=\"decoders\">\n");
        out.push_str(
            "<thead><tr><th scope=\"col\">decoder</th><th scope=\"col\">version</th><th scope=\"col\">result</th></tr></thead>\n<tbody>\n",
        );
        for c in &self.m.columns {
            let (state, result) = match &c.result {
                Ok(r) => ("ran", self.t(&summary_text(&r.summary))),
                Err(why) => ("not_run", self.t(why)),
            };
            let _ = writeln!(
                out,
                "<tr class=\"{state}\" data-decoder=\"{}\" data-state=\"{state}\"><th scope=\"row\"><code>{}</code></th><td>{}</td><td>{result}</td></tr>",
                self.t(&c.decoder),
                self.t(&c.decoder),
                self.version(c)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }

    fn legend(&self, out: &mut String) {
        out.push_str("<ul class=\"legend\" id=\"legend\">\n");
        for (o, meaning) in LEGEND {
            let (slug, symbol, word) = outcome_label(*o);
            let _ = writeln!(
                out,
                "<li><span class=\"cell o-{slug}\"><span class=\"mark\" aria-hidden=\"true\">{symbol}</span> <span class=\"word\">{word}</span></span><span>{meaning}</span></li>"
            );
        }
        let (slug, symbol, word) = outcome_label(Outcome::Pass);
        let _ = writeln!(
            out,
            "<li><span class=\"cell o-{slug} known\"><span class=\"mark\" aria-hidden=\"true\">{symbol}</span> <span class=\"word\">{word}</span></span><span>a star after the word: the decoder also has known differences there (documented readings of the tool, listed in the details, not failed)</span></li>"
        );
        let (slug, symbol, word) = NOT_RUN;
        let _ = writeln!(
            out,
            "<li><span class=\"cell o-{slug}\"><span class=\"mark\" aria-hidden=\"true\">{symbol}</span> <span class=\"word\">{word}</span></span><span>the decoder could not run at all (not installed, say): its column header says why</span></li>"
        );
        out.push_str("</ul>\n");
    }

    fn grid(&self, out: &mut String) {
        let m = self.m;
        out.push_str("<table class=\"matrix\" id=\"matrix\">\n<thead><tr><th scope=\"col\" class=\"corner\">vector</th>");
        for (c, id) in m.columns.iter().zip(&self.decoder_ids) {
            let name = self.t(&c.decoder);
            match &c.result {
                Ok(_) => {
                    let _ = write!(
                        out,
                        "\n<th scope=\"col\" class=\"dec ran\" id=\"d-{id}\" data-decoder=\"{name}\" data-state=\"ran\"><span class=\"name\">{name}</span><span class=\"ver\">{}</span></th>",
                        self.version(c)
                    );
                }
                Err(why) => {
                    let _ = write!(
                        out,
                        "\n<th scope=\"col\" class=\"dec not_run\" id=\"d-{id}\" data-decoder=\"{name}\" data-state=\"not_run\" title=\"{}\"><span class=\"name\">{name}</span><span class=\"ver\">{}</span><span class=\"why\">{}</span></th>",
                        self.t(why),
                        self.version(c),
                        self.t(why)
                    );
                }
            }
        }
        out.push_str("</tr></thead>\n");
        for (g, n) in &m.groups {
            let _ = write!(
                out,
                "<tbody class=\"group\" id=\"g-{}\" data-group=\"{}\">\n<tr class=\"group-head\"><th scope=\"rowgroup\"><code>{}</code> <span class=\"n\">{n} vector{}</span></th>",
                slug(g),
                self.t(g),
                self.t(g),
                if *n == 1 { "" } else { "s" }
            );
            for c in &m.columns {
                self.tally(out, c, Some(g));
            }
            out.push_str("</tr>\n");
            for row in m.rows.iter().filter(|r| &r.group == g) {
                self.row(out, row);
            }
            out.push_str("</tbody>\n");
        }
        out.push_str("<tfoot><tr class=\"total\"><th scope=\"row\">all vectors</th>");
        for c in &m.columns {
            self.tally(out, c, None);
        }
        out.push_str("</tr></tfoot>\n</table>\n");
    }

    /// A group head's (or, without a group, the footer's) cell of one decoder.
    fn tally(&self, out: &mut String, c: &Column, group: Option<&str>) {
        let name = self.t(&c.decoder);
        let Ok(r) = &c.result else {
            let _ = write!(out, "<td class=\"tally not_run\" data-decoder=\"{name}\">-</td>");
            return;
        };
        let (passed, total, notes) = match group {
            Some(g) => {
                let gc = group_cell(r, g);
                (gc.passed, gc.summary.total, gc.notes)
            }
            None => (r.summary.pass + r.summary.acceptable, r.summary.total, Vec::new()),
        };
        let class = if passed == total { "all" } else { "some" };
        let group_attr = group.map(|g| format!(" data-group=\"{}\"", self.t(g))).unwrap_or_default();
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!("<span class=\"notes\">{}</span>", self.t(&notes.join(", ")))
        };
        let _ = write!(
            out,
            "<td class=\"tally {class}\" data-decoder=\"{name}\"{group_attr} data-passed=\"{passed}\" data-total=\"{total}\"><b>{passed}/{total}</b>{notes}</td>"
        );
    }

    fn row(&self, out: &mut String, row: &Row) {
        let vid = &self.vector_ids[row.id.as_str()];
        let id = self.t(&row.id);
        let result = serde_json::to_value(row.result)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let title = format!("{}\ntests: {}\nresult: {result}", row.description, row.subject.join(", "));
        let _ = write!(
            out,
            "<tr class=\"vec\" id=\"v-{vid}\" data-vector=\"{id}\"><th scope=\"row\" tabindex=\"0\" title=\"{}\"><code>{id}</code><span class=\"desc\">{}</span></th>",
            escape_lines(&title).replace('\n', "&#10;"),
            self.t(&row.description)
        );
        let right_from = self.m.columns.len().div_ceil(2).max(1);
        for (i, c) in self.m.columns.iter().enumerate() {
            let cell_id = format!("c-{vid}-{}", self.decoder_ids[i]);
            let side = if i >= right_from { " right" } else { "" };
            let name = self.t(&c.decoder);
            let v = self.by_id[i].get(row.id.as_str()).copied();
            let Some(v) = v else {
                let (slug, symbol, word) = NOT_RUN;
                let why = match &c.result {
                    Err(why) => why.clone(),
                    Ok(_) => "the decoder's report has no such vector".into(),
                };
                let _ = write!(
                    out,
                    "\n<td class=\"cell o-{slug}{side}\" id=\"{cell_id}\" data-vector=\"{id}\" data-decoder=\"{name}\" data-outcome=\"{slug}\" title=\"{}\"><span class=\"mark\" aria-hidden=\"true\">{symbol}</span> <span class=\"word\">{word}</span></td>",
                    self.t(&why)
                );
                continue;
            };
            let (slug, symbol, word) = outcome_label(v.outcome);
            let known = has_known(v);
            let known_class = if known { " known" } else { "" };
            match self.details(v, c, &format!("t-{vid}-{}", self.decoder_ids[i])) {
                None => {
                    let _ = write!(
                        out,
                        "\n<td class=\"cell o-{slug}{side}\" id=\"{cell_id}\" data-vector=\"{id}\" data-decoder=\"{name}\" data-outcome=\"{slug}\"><span class=\"mark\" aria-hidden=\"true\">{symbol}</span> <span class=\"word\">{word}</span></td>"
                    );
                }
                Some((tip_id, tip)) => {
                    let _ = write!(
                        out,
                        "\n<td class=\"cell o-{slug}{known_class}{side}\" id=\"{cell_id}\" data-vector=\"{id}\" data-decoder=\"{name}\" data-outcome=\"{slug}\" tabindex=\"0\" aria-describedby=\"{tip_id}\"><span class=\"mark\" aria-hidden=\"true\">{symbol}</span> <span class=\"word\">{word}</span>{tip}</td>"
                    );
                }
            }
        }
        out.push_str("</tr>\n");
    }

    /// A cell's details (`.tip`), with its id; none for a plain pass.
    fn details(&self, v: &VectorReport, c: &Column, tip_id: &str) -> Option<(String, String)> {
        let fields: &[FieldResult] = v.comparison.as_ref().map(|c| c.fields.as_slice()).unwrap_or_default();
        let known: Vec<&FieldResult> =
            fields.iter().filter(|f| matches!(f.verdict, FieldVerdict::Known { .. })).collect();
        if v.outcome == Outcome::Pass && known.is_empty() && v.failure.is_none() {
            return None;
        }
        let mut out = String::new();
        let reading = v
            .reading
            .as_deref()
            .map(|r| format!(" (reading <code>{}</code>)", self.t(r)))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<div class=\"tip\" role=\"tooltip\" id=\"{tip_id}\"><p><code>{}</code> with <code>{}</code>: <b>{}</b>{reading}</p>",
            self.t(&v.id),
            self.t(&c.decoder),
            escape(v.outcome.name())
        );
        if !v.description.is_empty() {
            let _ = write!(out, "<p>{}</p>", self.t(&v.description));
        }
        if let Some(f) = &v.failure {
            let _ = write!(out, "<p class=\"error\"><b>{}</b>: {}</p>", self.t(f.kind), self.t(&f.message));
            if let Some(tail) = &f.stderr_tail {
                let _ = write!(
                    out,
                    "<p>standard error, last lines:</p><pre class=\"stderr\">{}</pre>",
                    self.block(tail)
                );
            }
        }
        // Wrong or missing fields: those the vector tests first, then any other wrong field.
        let wrong: Vec<&FieldResult> = fields
            .iter()
            .filter(|f| f.subject && (f.verdict.is_failure() || !f.verdict.is_reported()))
            .chain(fields.iter().filter(|f| !f.subject && f.verdict.is_failure()))
            .collect();
        if !wrong.is_empty() {
            out.push_str(
                "<table class=\"fields\"><thead><tr><th>frame</th><th>field</th><th>expected</th><th>got</th><th>clause</th></tr></thead><tbody>",
            );
            for f in wrong.iter().take(MAX_FIELDS) {
                let (expected, got) = match &f.verdict {
                    FieldVerdict::Mismatch { expected, got } => (self.t(expected), self.t(got)),
                    FieldVerdict::NotReported { expected } => {
                        (self.t(expected), "<span class=\"nr\">not reported</span>".to_owned())
                    }
                    FieldVerdict::Unexpected { got } => (escape(ABSENT), self.t(got)),
                    FieldVerdict::Match | FieldVerdict::Known { .. } => (String::new(), String::new()),
                };
                let tested = if f.subject { " (tested)" } else { "" };
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td><code>{}</code>{tested}</td><td class=\"v\">{expected}</td><td class=\"v\">{got}</td><td>{}</td></tr>",
                    f.frame,
                    self.t(&f.path),
                    escape(f.spec().unwrap_or(""))
                );
            }
            if wrong.len() > MAX_FIELDS {
                let _ = write!(
                    out,
                    "<tr><td colspan=\"5\">... and {} more fields</td></tr>",
                    wrong.len() - MAX_FIELDS
                );
            }
            out.push_str("</tbody></table>");
        }
        // Reasons that are not one of those fields: readings, protocol problems, frames.
        let described: BTreeSet<String> = fields.iter().map(describe).collect();
        let other: Vec<&String> = v.reasons.iter().filter(|r| !described.contains(*r)).collect();
        if !other.is_empty() {
            out.push_str("<ul class=\"reasons\">");
            for r in other.iter().take(MAX_REASONS) {
                let _ = write!(out, "<li>{}</li>", self.t(r));
            }
            if other.len() > MAX_REASONS {
                let _ = write!(out, "<li>... and {} more</li>", other.len() - MAX_REASONS);
            }
            out.push_str("</ul>");
        }
        if !known.is_empty() {
            let mut notes: Vec<&str> = Vec::new();
            out.push_str(
                "<p>Known differences (documented readings of the tool: listed, not failed):</p><table class=\"known\"><thead><tr><th>frame</th><th>field</th><th>expected</th><th>got</th><th>note</th></tr></thead><tbody>",
            );
            for f in &known {
                if let FieldVerdict::Known { note, .. } = &f.verdict {
                    if !notes.contains(&note.as_str()) {
                        notes.push(note);
                    }
                }
            }
            for f in known.iter().take(MAX_KNOWN) {
                if let FieldVerdict::Known { expected, got, note } = &f.verdict {
                    let n = notes.iter().position(|x| x == note).unwrap_or(0) + 1;
                    let _ = write!(
                        out,
                        "<tr><td>{}</td><td><code>{}</code></td><td class=\"v\">{}</td><td class=\"v\">{}</td><td>[{n}]</td></tr>",
                        f.frame,
                        self.t(&f.path),
                        self.t(expected),
                        self.t(got)
                    );
                }
            }
            if known.len() > MAX_KNOWN {
                let _ =
                    write!(out, "<tr><td colspan=\"5\">... and {} more</td></tr>", known.len() - MAX_KNOWN);
            }
            out.push_str("</tbody></table><ol class=\"notes\">");
            for n in &notes {
                let _ = write!(out, "<li>{}</li>", self.t(n));
            }
            out.push_str("</ol>");
        }
        out.push_str("</div>");
        Some((tip_id.to_owned(), out))
    }
}

fn has_known(v: &VectorReport) -> bool {
    v.comparison
        .as_ref()
        .is_some_and(|c| c.fields.iter().any(|f| matches!(f.verdict, FieldVerdict::Known { .. })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_unique_and_safe() {
        let s = unique_slugs(["a b", "a_b", "a-b", "", "cmd:python3 x.py"].into_iter());
        assert_eq!(s, ["a_b", "a_b-2", "a-b", "_", "cmd_python3_x_py"]);
    }

    #[test]
    fn escape_leaves_no_markup() {
        let hostile = "</td></tr></table><script>alert(1)</script><img src=x onerror=alert(1)>\"'&<!--";
        let e = escape(hostile);
        assert!(!e.contains(['<', '>', '"', '\'']), "{e}");
        assert_eq!(escape_lines("a\nb<"), "a\nb&lt;");
    }
}
