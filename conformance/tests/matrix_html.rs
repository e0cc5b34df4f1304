//! The HTML matrix in a real browser: headless Chromium loads the page,
//! and the tests assert on the DOM it built (`--dump-dom`, parsed) and on
//! its screenshot, not merely on the file. Needs Chromium (`$CHROMIUM`,
//! else Debian's `chromium`): skipped without it on a laptop, failed with
//! `CI=true`. `VXCONFORM_SCREENSHOTS=DIR` keeps the screenshots there.

#[path = "common/browser.rs"]
mod browser;
mod common;

use browser::Element;
use conformance::compare::{describe, Comparison, FieldGroup, FieldResult, FieldVerdict, Outcome};
use conformance::decoder::names;
use conformance::matrix::{html, run_matrix, Matrix};
use conformance::run::{FailureReport, RunOptions, Summary, VectorReport};
use std::collections::{BTreeMap, BTreeSet};

/// Window of the screenshots.
const WIDTH: u32 = 1400;
const HEIGHT: u32 = 2000;
/// A screenshot of a blank page of that size is about 6 KB; the grid's, hundreds.
const MIN_PNG_BYTES: usize = 40_000;

/// A decoder name, a version, field values and an error that try to break out of the markup.
const HOSTILE_NAME: &str = "</th></tr></table><img src=x onerror=alert(1)>\"'&amp;";
const HOSTILE_VERSION: &str = "1.0<!-- versions:end --><script>alert(2)</script>";
const HOSTILE_GOT: &str = "\"><b id=\"pwn\">owned</b><img src=x onerror=alert(3)>";
const HOSTILE_STDERR: &str =
    "Traceback:\n</pre><iframe src=\"javascript:alert(4)\"></iframe>\n<svg onload=alert(5)>";
const HOSTILE_NOTE: &str = "<style>body{display:none}</style>counts bytes present";

/// Elements the page itself uses: anything else in the DOM was injected.
const OWN_ELEMENTS: &[&str] = &[
    "#document",
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "h1",
    "p",
    "code",
    "a",
    "b",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "span",
    "ul",
    "ol",
    "li",
    "nav",
    "main",
    "div",
    "pre",
];

/// The reference decoder's real column, a decoder that could not run, and
/// a hostile column with every outcome: vni-0 fails on a field, vni-1 is
/// not supported, vni-4095 is an error, vni-4096 passes with a known
/// difference, the i-flag vectors stay acceptable.
fn synthetic() -> Matrix {
    let corpus = common::corpus();
    let mut m =
        run_matrix(&corpus, &["reference", "cmd:/nonexistent/decoder-program"], &RunOptions::default());
    let mut report = m.columns[0].result.as_ref().expect("reference runs").clone();
    report.decoder = HOSTILE_NAME.into();
    report.decoder_version = Some(HOSTILE_VERSION.into());
    let field = |verdict, subject| FieldResult {
        frame: 1,
        path: "vxlan.vni".into(),
        group: FieldGroup::VxlanCore,
        subject,
        verdict,
    };
    let set = |v: &mut VectorReport, outcome, fields: Vec<FieldResult>, failure: Option<FailureReport>| {
        v.outcome = outcome;
        v.reasons = fields
            .iter()
            .filter(|f| f.verdict.is_failure() || !f.verdict.is_reported())
            .map(describe)
            .collect();
        if outcome == Outcome::NotSupported {
            v.reasons = vec!["the decoder reported none of the fields this vector tests (vxlan.vni)".into()];
        }
        if let Some(f) = &failure {
            v.reasons = vec![f.message.clone()];
        }
        v.comparison = failure.is_none().then(|| Comparison { fields, ..Comparison::default() });
        v.failure = failure;
    };
    for v in &mut report.vectors {
        match v.id.as_str() {
            "vni-0" => set(
                v,
                Outcome::Fail,
                vec![field(FieldVerdict::Mismatch { expected: "0".into(), got: HOSTILE_GOT.into() }, true)],
                None,
            ),
            "vni-1" => set(
                v,
                Outcome::NotSupported,
                vec![field(FieldVerdict::NotReported { expected: "1".into() }, true)],
                None,
            ),
            "vni-4095" => set(
                v,
                Outcome::Error,
                Vec::new(),
                Some(FailureReport {
                    kind: "crashed",
                    message: format!("decoder crashed (exit status: 1); stderr: {HOSTILE_GOT}"),
                    stderr_tail: Some(HOSTILE_STDERR.into()),
                }),
            ),
            "vni-4096" => set(
                v,
                Outcome::Pass,
                vec![field(
                    FieldVerdict::Known {
                        expected: "4096".into(),
                        got: "4096 ".into(),
                        note: HOSTILE_NOTE.into(),
                    },
                    true,
                )],
                None,
            ),
            _ => {}
        }
    }
    report.summary = Summary::of(&report.vectors);
    m.columns.push(conformance::matrix::Column { decoder: HOSTILE_NAME.into(), result: Ok(report) });
    m
}

/// Loads `page` in Chromium; the parsed DOM, after checking the screenshot.
fn load(page: &std::path::Path) -> Element {
    let loaded = browser::open(page, WIDTH, HEIGHT);
    eprintln!("chromium loaded {} in {:.1} s", page.display(), loaded.elapsed.as_secs_f64());
    assert_eq!(browser::png_size(&loaded.png), Ok((WIDTH, HEIGHT)), "the screenshot's size");
    assert!(
        loaded.png.len() > MIN_PNG_BYTES,
        "the screenshot is {} bytes: a blank page? ({})",
        loaded.png.len(),
        page.display()
    );
    browser::parse(&loaded.dom)
}

/// Asserts one cell per (vector, decoder), in row order; returns the cells
/// by (vector, decoder).
fn cells<'a>(
    dom: &'a Element,
    vectors: &[String],
    decoders: &[String],
) -> BTreeMap<(String, String), &'a Element> {
    let table = dom.find(&|e| e.name == "table" && e.attr("id") == Some("matrix")).expect("table#matrix");
    let headers: Vec<String> = table
        .find_all(&|e| e.name == "th" && e.has_class("dec"))
        .iter()
        .map(|e| e.attr("data-decoder").expect("a column header names its decoder").to_owned())
        .collect();
    assert_eq!(headers, decoders, "one column header per decoder, in order");
    let found = table.find_all(&|e| e.attr("data-vector").is_some() && e.attr("data-decoder").is_some());
    assert!(
        found.iter().all(|e| e.name == "td" && e.has_class("cell")),
        "only cells carry both data attributes"
    );
    assert_eq!(found.len(), vectors.len() * decoders.len(), "one cell per vector and decoder");
    let rows = table.find_all(&|e| e.name == "tr" && e.has_class("vec"));
    let row_ids: Vec<&str> =
        rows.iter().map(|r| r.attr("data-vector").expect("a row names its vector")).collect();
    assert_eq!(row_ids, vectors, "one row per vector, in manifest order");
    let mut by = BTreeMap::new();
    for row in rows {
        let tds: Vec<&Element> = row.find_all(&|e| e.name == "td" && e.has_class("cell"));
        let pairs: Vec<(&str, &str)> =
            tds.iter().map(|c| (c.attr("data-vector").unwrap(), c.attr("data-decoder").unwrap())).collect();
        let want: Vec<(&str, &str)> =
            decoders.iter().map(|d| (row.attr("data-vector").unwrap(), d.as_str())).collect();
        assert_eq!(pairs, want, "a row's cells are its vector's, one per decoder in column order");
        for c in tds {
            assert!(c.attr("data-outcome").is_some_and(|o| !o.is_empty()), "every cell has an outcome");
            by.insert((pairs[0].0.to_owned(), c.attr("data-decoder").unwrap().to_owned()), c);
        }
    }
    assert_eq!(by.len(), found.len(), "no (vector, decoder) twice");
    by
}

#[test]
fn the_html_matrix_opens_in_chromium_with_one_cell_per_vector_and_decoder() {
    if !browser::require() {
        return;
    }
    let m = synthetic();
    let page = html::render(&m);
    assert_eq!(page, html::render(&m), "the same matrix renders to the same bytes");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("matrix-synthetic.html");
    std::fs::write(&path, &page).unwrap();
    let dom = load(&path);

    let vectors: Vec<String> = m.rows.iter().map(|r| r.id.clone()).collect();
    let decoders: Vec<String> = m.columns.iter().map(|c| c.decoder.clone()).collect();
    let cells = cells(&dom, &vectors, &decoders);
    let outcome =
        |v: &str, d: &str| cells[&(v.to_owned(), d.to_owned())].attr("data-outcome").unwrap().to_owned();
    let missing = "cmd:/nonexistent/decoder-program";
    for (v, d, want) in [
        ("vni-0", "reference", "pass"),
        ("i-clear", "reference", "acceptable"),
        ("vni-0", missing, "not_run"),
        ("vni-0", HOSTILE_NAME, "fail"),
        ("vni-1", HOSTILE_NAME, "not_supported"),
        ("vni-4095", HOSTILE_NAME, "error"),
        ("vni-4096", HOSTILE_NAME, "pass"),
        ("i-clear", HOSTILE_NAME, "acceptable"),
    ] {
        assert_eq!(outcome(v, d), want, "{v} x {d}");
    }
    // Each outcome's word is there, not only its colour.
    for (v, d, word) in [
        ("vni-0", HOSTILE_NAME, "fail"),
        ("vni-1", HOSTILE_NAME, "unsupported"),
        ("vni-4095", HOSTILE_NAME, "error"),
        ("i-clear", "reference", "acceptable"),
        ("vni-0", missing, "not run"),
    ] {
        let text = cells[&(v.to_owned(), d.to_owned())].text();
        assert!(text.contains(word), "{v} x {d} says {word:?}: {text:?}");
    }
    // A plain pass has no details; every other cell has them, focusable.
    let tip = |v: &str, d: &str| {
        let c = cells[&(v.to_owned(), d.to_owned())];
        c.find(&|e| e.has_class("tip")).map(|t| (c.attr("tabindex").map(str::to_owned), t.text()))
    };
    assert!(tip("vni-0", "reference").is_none());
    let (focus, fail) = tip("vni-0", HOSTILE_NAME).expect("the failing cell has details");
    assert_eq!(focus.as_deref(), Some("0"), "a cell with details can be focused");
    assert!(fail.contains("vxlan.vni") && fail.contains(HOSTILE_GOT), "expected vs got as text: {fail}");
    assert!(fail.contains("RFC 7348 section 5"), "{fail}");
    let (_, error) = tip("vni-4095", HOSTILE_NAME).expect("the error has details");
    assert!(error.contains(HOSTILE_STDERR), "the stderr tail as text: {error}");
    let (_, known) = tip("vni-4096", HOSTILE_NAME).expect("a known difference has details");
    assert!(known.contains(HOSTILE_NOTE), "{known}");
    let (_, ns) = tip("vni-1", HOSTILE_NAME).expect("not supported has details");
    assert!(ns.contains("reported none of the fields"), "{ns}");

    // Nothing hostile became markup: no foreign element, no event handler,
    // no element with the injected id; the hostile version is text too.
    let names: BTreeSet<&str> = dom.find_all(&|_| true).iter().map(|e| e.name.as_str()).collect();
    let foreign: Vec<&&str> = names.iter().filter(|n| !OWN_ELEMENTS.contains(n)).collect();
    assert!(foreign.is_empty(), "injected elements: {foreign:?}");
    assert!(dom.find(&|e| e.attrs.iter().any(|(k, _)| k.starts_with("on"))).is_none(), "an event handler");
    assert!(dom.find(&|e| e.attr("id") == Some("pwn")).is_none(), "an injected id");
    let styles = dom.find_all(&|e| e.name == "style");
    assert_eq!(styles.len(), 1, "only the page's own style sheet");
    let header =
        dom.find(&|e| e.name == "th" && e.attr("data-decoder") == Some(HOSTILE_NAME)).expect("the header");
    assert!(
        header.text().contains(HOSTILE_NAME) && header.text().contains(HOSTILE_VERSION),
        "{}",
        header.text()
    );
    let not_run = dom.find(&|e| e.name == "th" && e.attr("data-decoder") == Some(missing)).unwrap();
    assert_eq!(not_run.attr("data-state"), Some("not_run"));
    assert!(not_run.text().contains("not installed"), "{}", not_run.text());

    // Group heads: one per group, with one tally per decoder that ran.
    let groups = dom.find_all(&|e| e.name == "tbody" && e.has_class("group"));
    assert_eq!(groups.len(), m.groups.len());
    let vni = groups.iter().find(|g| g.attr("data-group") == Some("vni")).unwrap();
    let tally = vni
        .find(&|e| e.has_class("tally") && e.attr("data-decoder") == Some(HOSTILE_NAME))
        .expect("the hostile column's vni tally");
    assert_eq!((tally.attr("data-passed"), tally.attr("data-total")), (Some("5"), Some("8")));
}

#[test]
fn the_checked_in_compatibility_html_shows_every_vector_and_default_decoder() {
    if !browser::require() {
        return;
    }
    let path = common::root().join("docs/compatibility.html");
    let dom = load(&path);
    let corpus = common::corpus();
    let vectors: Vec<String> = corpus.vectors().map(|v| v.entry.id.clone()).collect();
    let decoders: Vec<String> = names().into_iter().map(String::from).collect();
    let cells = cells(&dom, &vectors, &decoders);
    // The reference decoder passes everything: acceptable vectors under a named reading.
    for v in corpus.vectors() {
        let want = if v.entry.result == generator::vectors::manifest::Expected::Acceptable {
            "acceptable"
        } else {
            "pass"
        };
        let got = cells[&(v.entry.id.clone(), "reference".into())].attr("data-outcome");
        assert_eq!(got, Some(want), "{} x reference", v.entry.id);
    }
    let legend = dom.find(&|e| e.attr("id") == Some("legend")).expect("a legend");
    for word in ["pass", "fail", "acceptable", "unsupported", "error"] {
        assert!(legend.text().contains(word), "the legend explains {word}");
    }
}

/// A cell's details are hidden until the pointer is over the cell, it is
/// clicked, or it gets the keyboard focus (Tab); the page's address can
/// name it too. Driven over the DevTools protocol.
#[test]
fn a_cells_details_show_on_hover_click_and_keyboard_focus() {
    if !browser::require() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("matrix-driven.html");
    std::fs::write(&path, html::render(&synthetic())).unwrap();
    let mut b = browser::Driven::open(&path, 1200, 800);
    let cell = "document.querySelector('td.cell[data-vector=\"vni-0\"][data-outcome=\"fail\"]')";
    let shown = |b: &mut browser::Driven| {
        b.eval(&format!("getComputedStyle({cell}.querySelector('.tip')).display"))
            .as_str()
            .unwrap_or("")
            .to_owned()
    };
    let focused = |b: &mut browser::Driven| b.eval(&format!("document.activeElement === {cell}")) == true;
    assert_eq!(shown(&mut b), "none", "hidden at first");
    let at = b.eval(&format!(
        "(() => {{ const c = {cell}; c.scrollIntoView({{block: 'center', inline: 'center'}}); \
         const r = c.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }})()"
    ));
    let (x, y) = (at[0].as_f64().unwrap(), at[1].as_f64().unwrap());

    b.hover(x, y);
    assert_eq!(shown(&mut b), "block", "shown on hover");
    b.hover(1.0, 1.0);
    assert_eq!(shown(&mut b), "none", "hidden when the pointer leaves");

    b.click(x, y);
    b.hover(1.0, 1.0);
    assert!(focused(&mut b), "a click focuses the cell");
    assert_eq!(shown(&mut b), "block", "shown after a click, the pointer gone");
    b.eval("document.activeElement.blur()");
    assert_eq!(shown(&mut b), "none", "hidden when the focus leaves");

    // Tab from the row's header (the focusable element before the cell).
    b.eval(&format!("{cell}.parentElement.querySelector('th[tabindex]').focus()"));
    b.tab();
    assert!(focused(&mut b), "Tab reaches the cell");
    assert_eq!(shown(&mut b), "block", "shown on keyboard focus");
    b.eval("document.activeElement.blur()");

    b.eval(&format!("location.hash = '#' + {cell}.id"));
    assert_eq!(shown(&mut b), "block", "shown when the address names the cell");

    // A plain pass has nothing to show and is no tab stop.
    let pass = b.eval(
        "(() => { const c = document.querySelector('td.cell[data-vector=\"vni-0\"][data-outcome=\"pass\"]'); \
         return [c.hasAttribute('tabindex'), c.querySelector('.tip') === null]; })()",
    );
    assert_eq!(pass, serde_json::json!([false, true]));
}
