//! A verdict means what it says: a vector passes only when the fields it
//! exists to test were reported and right; reporting nothing is "not
//! supported" (and fails the run unless allowed); an unknown key is an error
//! named with a suggestion; an acceptable vector allows its named readings
//! and nothing else.

mod common;

use conformance::compare::Outcome;
use conformance::decoder::by_name;
use conformance::run::{run, RunOptions, RunReport};
use std::process::Command;

fn run_fixture(fixture: &str, filter: &[&str]) -> RunReport {
    let decoder = by_name(&common::fixture(fixture)).unwrap();
    let opts = RunOptions { filter: filter.iter().map(|s| s.to_string()).collect(), ..RunOptions::default() };
    run(decoder.as_ref(), &common::corpus(), &opts).unwrap()
}

#[test]
fn a_decoder_that_decodes_nothing_passes_nothing() {
    if !common::require_tool("python3") {
        return;
    }
    let r = run_fixture("do_nothing.py", &[]);
    assert_eq!(r.summary.pass + r.summary.acceptable, 0, "{:?}", r.summary);
    assert_eq!(r.summary.not_supported + r.summary.fail, r.summary.total, "{:?}", r.summary);
    assert!(r.summary.not_supported > 80, "{:?}", r.summary);
    assert_eq!(r.exit_code(), 1);
    // Allowing every group it lacks makes the run follow the rest: the
    // vectors it fails (snaplen-46's frame.truncated, say) still fail it.
    let v = r.vectors.iter().find(|v| v.id == "vni-0").unwrap();
    assert_eq!(v.outcome, Outcome::NotSupported);
    assert!(
        v.reasons[0].contains("reported none of the fields this vector tests (vxlan.vni)"),
        "{:?}",
        v.reasons
    );
}

#[test]
fn an_unknown_key_fails_with_a_suggestion() {
    if !common::require_tool("python3") {
        return;
    }
    let r = run_fixture("upper_vni.py", &["vni-*", "gbp-*"]);
    for v in &r.vectors {
        assert_eq!(v.outcome, Outcome::Fail, "{}", v.id);
        assert!(
            v.reasons.iter().any(|l| l.contains("vxlan.VNI: unknown key (did you mean vxlan.vni?)")),
            "{}: {:?}",
            v.id,
            v.reasons
        );
    }
}

#[test]
fn a_third_reading_of_an_acceptable_vector_fails() {
    if !common::require_tool("python3") {
        return;
    }
    let r = run_fixture("third_reading.py", &["i-clear", "i-clear-g-set"]);
    for v in &r.vectors {
        assert_eq!(v.outcome, Outcome::Fail, "{}: {:?}", v.id, v.reasons);
        assert!(
            v.reasons[0].starts_with("matches none of the allowed readings (as-found, flagged)"),
            "{:?}",
            v.reasons
        );
    }
    assert_eq!(r.vectors.len(), 2);
    // The example decoder takes the first reading, and the report says so.
    let r = run(
        by_name(&common::example_decoder()).unwrap().as_ref(),
        &common::corpus(),
        &RunOptions { filter: vec!["i-flag".into()], ..RunOptions::default() },
    )
    .unwrap();
    for v in &r.vectors {
        assert_eq!((v.outcome, v.reading.as_deref()), (Outcome::Acceptable, Some("as-found")), "{}", v.id);
    }
}

/// tcpdump does not decode GBP: every GBP vector is not supported, never a
/// pass; `--allow-unsupported gbp` says so once and the exit status follows
/// the other vectors.
#[test]
fn tcpdump_does_not_support_gbp() {
    if !common::require_tool("tcpdump") {
        return;
    }
    let vxconform = env!("CARGO_BIN_EXE_vxconform");
    let corpus = common::root().join("vectors");
    let run = |extra: &[&str]| {
        Command::new(vxconform)
            .args(["run", "--decoder", "tcpdump", "--filter", "gbp", "--format", "json", "--vectors"])
            .arg(&corpus)
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let vectors = report["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 10);
    for v in vectors {
        assert_eq!(v["outcome"], "not_supported", "{}", v["id"]);
    }
    assert_eq!(out.status.code(), Some(1));
    let allowed = run(&["--allow-unsupported", "gbp"]);
    assert_eq!(allowed.status.code(), Some(0), "{}", String::from_utf8_lossy(&allowed.stdout));
}
