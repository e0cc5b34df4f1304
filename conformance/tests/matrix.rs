//! docs/compatibility.md is current: it records the corpus it was made
//! from, and (tools present) regenerating it gives the same results.

mod common;

use conformance::decoder::names;
use conformance::matrix::{corpus_fingerprint, page_fingerprint, render, run_matrix, same_results};
use conformance::run::RunOptions;

fn checked_in() -> String {
    std::fs::read_to_string(common::root().join("docs/compatibility.md"))
        .expect("docs/compatibility.md exists")
}

const REGENERATE: &str = "cargo run -p conformance --bin vxconform -- matrix --output docs/compatibility.md";

/// Cheap and tool-free: the corpus has not changed since the page was made.
#[test]
fn compatibility_md_was_made_from_this_corpus() {
    let page = checked_in();
    let want = corpus_fingerprint(&common::corpus()).unwrap();
    assert_eq!(
        page_fingerprint(&page),
        Some(want.as_str()),
        "docs/compatibility.md was generated from another corpus: regenerate it with `{REGENERATE}`"
    );
}

/// Every built-in decoder over the whole corpus gives the page's results
/// (versions aside).
#[test]
fn compatibility_md_is_current() {
    if !(common::require_tool("tshark") && common::require_tool("tcpdump") && common::require_scapy()) {
        return;
    }
    let m = run_matrix(&common::corpus(), &names(), &RunOptions::default());
    let page = render(&m);
    let current = checked_in();
    if !same_results(&current, &page) {
        let diff: Vec<String> = current
            .lines()
            .zip(page.lines())
            .filter(|(a, b)| a != b)
            .take(5)
            .map(|(a, b)| format!("- {a}\n+ {b}"))
            .collect();
        panic!("docs/compatibility.md is stale: regenerate it with `{REGENERATE}`\n{}", diff.join("\n"));
    }
}
