//! docs/compatibility.md and docs/compatibility.html are current: they
//! record the corpus they were made from, and (tools present) regenerating
//! them gives the same results; `vxconform matrix --check` tells a stale
//! page from a current one.

mod common;

use conformance::decoder::names;
use conformance::matrix::{
    corpus_fingerprint, html, page_fingerprint, render, run_matrix, same_results, REGENERATE,
};
use conformance::run::RunOptions;
use std::process::Command;

/// The checked-in pages, Markdown then HTML.
const PAGES: [&str; 2] = ["docs/compatibility.md", "docs/compatibility.html"];

fn checked_in(page: &str) -> String {
    std::fs::read_to_string(common::root().join(page)).unwrap_or_else(|e| panic!("{page}: {e}"))
}

/// Cheap and tool-free: the corpus has not changed since the pages were made.
#[test]
fn compatibility_pages_were_made_from_this_corpus() {
    let want = corpus_fingerprint(&common::corpus()).unwrap();
    for page in PAGES {
        assert_eq!(
            page_fingerprint(&checked_in(page)),
            Some(want.as_str()),
            "{page} was generated from another corpus: regenerate both pages with `cargo run -p conformance --bin {REGENERATE}`"
        );
    }
}

/// Every built-in decoder over the whole corpus gives the pages' results
/// (versions aside): one run, both pages.
#[test]
fn compatibility_pages_are_current() {
    if !(common::require_tool("tshark") && common::require_tool("tcpdump") && common::require_scapy()) {
        return;
    }
    // A generous timeout: under a loaded CI machine one tshark start can take
    // over the library's default 10 s, and a timed-out vector is a different page.
    let opts = RunOptions {
        decode: conformance::decoder::DecodeOptions {
            timeout: std::time::Duration::from_secs(120),
            ..Default::default()
        },
        ..RunOptions::default()
    };
    let m = run_matrix(&common::corpus(), &names(), &opts);
    for (page, fresh) in PAGES.into_iter().zip([render(&m), html::render(&m)]) {
        let current = checked_in(page);
        if !same_results(&current, &fresh) {
            let diff: Vec<String> = current
                .lines()
                .zip(fresh.lines())
                .filter(|(a, b)| a != b)
                .take(5)
                .map(|(a, b)| format!("- {a}\n+ {b}"))
                .collect();
            panic!(
                "{page} is stale: regenerate both pages with `cargo run -p conformance --bin {REGENERATE}`\n{}",
                diff.join("\n")
            );
        }
    }
}

/// `--check` passes on pages just written, fails (exit 1, naming the file)
/// on a page whose results differ, and does not care about versions.
#[test]
fn check_fails_when_a_page_is_stale() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("m.md");
    let page = dir.path().join("m.html");
    let matrix = |check: bool| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_vxconform"));
        c.current_dir(common::root()).args(["matrix", "--decoders", "reference", "--output"]);
        c.arg(&md).arg("--output").arg(&page);
        if check {
            c.arg("--check");
        }
        c.output().expect("vxconform runs")
    };
    let o = matrix(false);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let written = std::fs::read_to_string(&page).unwrap();
    assert!(written.starts_with("<!DOCTYPE html>"), "--output FILE.html writes HTML");
    assert!(std::fs::read_to_string(&md).unwrap().starts_with("# Decoder compatibility matrix"));
    assert_eq!(matrix(true).status.code(), Some(0), "fresh pages are current");

    // A new version of a tool is no staleness.
    let version = written.replacen("generator ", "generator 99.", 2);
    assert_ne!(version, written);
    std::fs::write(&page, &version).unwrap();
    let o = matrix(true);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));

    // One cell's outcome changed: the HTML page is stale, the Markdown one is not.
    let cell = "data-vector=\"vni-0\" data-decoder=\"reference\" data-outcome=\"pass\"";
    assert!(written.contains(cell), "the page has the cell");
    std::fs::write(
        &page,
        written.replace(cell, "data-vector=\"vni-0\" data-decoder=\"reference\" data-outcome=\"fail\""),
    )
    .unwrap();
    let o = matrix(true);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("m.html is stale") && err.contains("m.md is up to date"), "{err}");
    assert!(err.contains("data-outcome=\"fail\""), "the diff shows the line: {err}");

    // A missing page is stale too.
    std::fs::remove_file(&md).unwrap();
    let o = matrix(true);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("m.md is stale"));
}
