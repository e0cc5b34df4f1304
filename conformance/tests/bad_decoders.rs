//! Decoders that are wrong or misbehave are caught, each with a message
//! naming the vector and the field (or the failure), and the run goes on.

mod common;

use conformance::compare::Outcome;
use conformance::decoder::batch::Batch;
use conformance::decoder::{by_name, DecodeOptions};
use conformance::report::{render, Format, Style};
use conformance::run::{run, RunOptions, RunReport};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn run_fixture(fixture: &str, filter: &[&str], decode: DecodeOptions) -> RunReport {
    let decoder = by_name(&common::fixture(fixture)).unwrap();
    let opts = RunOptions {
        filter: filter.iter().map(|s| s.to_string()).collect(),
        decode,
        ..RunOptions::default()
    };
    run(decoder.as_ref(), &common::corpus(), &opts).unwrap()
}

fn quick() -> DecodeOptions {
    DecodeOptions { timeout: Duration::from_secs(20), max_output_bytes: 1 << 20 }
}

fn text(report: &RunReport) -> String {
    render(report, Format::Text, &Style::plain()).unwrap()
}

fn outcome(report: &RunReport, id: &str) -> (Outcome, String) {
    let v = report.vectors.iter().find(|v| v.id == id).unwrap_or_else(|| panic!("{id} not run"));
    (v.outcome, v.reasons.join("\n"))
}

#[test]
fn swapped_vni_bytes_are_caught() {
    if !common::require_tool("python3") {
        return;
    }
    let r = run_fixture("swap_vni.py", &["vni-*"], quick());
    let (o, why) = outcome(&r, "vni-9999999");
    assert_eq!(o, Outcome::Fail);
    assert!(why.contains("vxlan.vni: expected 9999999, got 8361624"), "{why}");
    assert!(why.contains("RFC 7348 section 5"), "{why}");
    // VNI 0 reads the same either way.
    assert_eq!(outcome(&r, "vni-0").0, Outcome::Pass);
    let t = text(&r);
    assert!(t.contains("FAIL  vni-9999999 [vni]") && t.contains("vxlan.vni"), "{t}");
    assert_eq!(r.exit_code(), 1);
}

#[test]
fn an_ignored_g_bit_is_caught() {
    if !common::require_tool("python3") {
        return;
    }
    let r = run_fixture("ignore_g.py", &["gbp"], quick());
    let (o, why) = outcome(&r, "gbp-g-policy-4660");
    assert_eq!(o, Outcome::Fail);
    assert!(why.contains("frame 1 vxlan.flag_g: expected true, got false"), "{why}");
    // Without G, there is nothing to ignore.
    assert_eq!(outcome(&r, "gbp-d-only").0, Outcome::Pass);
}

#[test]
fn vxlan_taken_from_the_source_port_is_caught() {
    if !common::require_tool("python3") {
        return;
    }
    let r = run_fixture("source_port_vxlan.py", &["port"], quick());
    let (o, why) = outcome(&r, "port-dst-not-vxlan");
    assert_eq!(o, Outcome::Fail);
    assert!(
        why.contains("frame 1 vxlan.vni: reported 9999999, but the field is not in the expected dissection"),
        "{why}"
    );
    // Where the destination is 4789 too, it reads the same as the example decoder.
    assert_eq!(outcome(&r, "port-source-4789").0, Outcome::Pass);
    assert_eq!(r.exit_code(), 1);
}

#[test]
fn dropped_truncated_frames_are_caught() {
    if !common::require_tool("python3") {
        return;
    }
    let r = run_fixture("drop_truncated.py", &["packet-length-*", "vni-0"], quick());
    let (o, why) = outcome(&r, "packet-length-40");
    assert_eq!(o, Outcome::Fail);
    assert!(why.contains("frame 1: missing"), "{why}");
    assert_eq!(outcome(&r, "vni-0").0, Outcome::Pass);
    assert_eq!(outcome(&r, "packet-length-exact").0, Outcome::Pass);
}

#[test]
fn a_crash_on_frame_3_is_reported_and_the_run_goes_on() {
    if !common::require_tool("python3") {
        return;
    }
    let r = run_fixture("crash_on_frame_3.py", &["handshake-*", "vni-0"], quick());
    let (o, why) = outcome(&r, "handshake-in-order");
    assert_eq!(o, Outcome::Error);
    assert!(why.contains("decoder crashed (exit status 1)"), "{why}");
    assert!(why.contains("cannot dissect frame 3"), "the stderr tail is quoted: {why}");
    // One-frame vectors are unaffected.
    assert_eq!(outcome(&r, "vni-0").0, Outcome::Pass);
    let t = text(&r);
    assert!(t.contains("ERROR handshake-in-order [handshake]"), "{t}");
    assert!(t.contains("| RuntimeError: cannot dissect frame 3"), "{t}");
}

#[test]
fn a_decoder_that_sleeps_forever_is_killed_after_the_timeout() {
    if !common::require_tool("python3") {
        return;
    }
    let started = Instant::now();
    let decode = DecodeOptions { timeout: Duration::from_secs(2), max_output_bytes: 1 << 20 };
    let r = run_fixture("sleep_forever.py", &["vni-0", "vni-1"], decode);
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    for id in ["vni-0", "vni-1"] {
        let (o, why) = outcome(&r, id);
        assert_eq!(o, Outcome::Error);
        assert!(why.contains("decoder timed out after 2.0 s"), "{why}");
        assert!(why.contains("starting"), "the stderr tail is quoted: {why}");
    }
    assert_eq!(r.exit_code(), 1);
}

#[test]
fn garbage_output_is_reported() {
    if !common::require_tool("python3") {
        return;
    }
    let r = run_fixture("garbage.py", &["vni-0"], quick());
    let (o, why) = outcome(&r, "vni-0");
    assert_eq!(o, Outcome::Error);
    assert!(why.contains("line 1 is not JSON"), "{why}");
    assert!(why.contains("Frame 1: VXLAN vni=9999999"), "the excerpt is quoted: {why}");

    // JSON of the wrong shape is not garbage but a protocol breach: the
    // vector fails, naming the path and what it should be.
    let r = run_fixture("wrong_types.py", &["vni-0"], quick());
    let (o, why) = outcome(&r, "vni-0");
    assert_eq!(o, Outcome::Fail);
    assert!(why.contains("vxlan.vni: \"9999999\" is not a 24-bit unsigned integer"), "{why}");
}

#[test]
fn a_flood_of_output_is_cut_off() {
    if !common::require_tool("python3") {
        return;
    }
    let started = Instant::now();
    let r = run_fixture("flood.py", &["vni-0"], quick());
    let (o, why) = outcome(&r, "vni-0");
    assert_eq!(o, Outcome::Error);
    assert!(why.contains("decoder output exceeded 1048576 bytes"), "{why}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_missing_decoder_is_a_setup_error() {
    let decoder = by_name("cmd:no-such-decoder-program --json").unwrap();
    let err = run(decoder.as_ref(), &common::corpus(), &RunOptions::default()).unwrap_err();
    assert!(err.to_string().contains("program not found"), "{err}");
}

/// The example decoder's single-mode run of the whole corpus, shared by
/// the tests that need it (it takes a while: one Python per vector).
fn example_single_mode() -> &'static RunReport {
    static REPORT: OnceLock<RunReport> = OnceLock::new();
    REPORT.get_or_init(|| {
        let decoder = by_name(&common::example_decoder()).unwrap();
        run(decoder.as_ref(), &common::corpus(), &RunOptions::default()).unwrap()
    })
}

#[test]
fn the_example_decoder_runs_and_passes_the_corpus() {
    if !common::require_tool("python3") {
        return;
    }
    let r = example_single_mode();
    let failing: Vec<_> = r.vectors.iter().filter(|v| v.outcome.is_failure()).map(|v| &v.id).collect();
    assert!(failing.is_empty(), "{failing:?}\n{}", text(r));
    assert_eq!(r.summary.pass + r.summary.acceptable, r.summary.total, "{:?}\n{}", r.summary, text(r));
    assert_eq!(r.exit_code(), 0);
}

/// `cmd+batch:python3 conformance/examples/decoder.py --batch` gets exactly
/// the verdicts of the single mode, vector by vector, in one process.
#[test]
fn the_example_decoder_in_batch_mode_gets_the_single_modes_verdicts() {
    if !common::require_tool("python3") {
        return;
    }
    let single = example_single_mode();
    let command = common::example_decoder().replacen("cmd:", "", 1) + " --batch";
    let batch = Batch::new(&command).unwrap();
    let opts = RunOptions { jobs: 1, ..RunOptions::default() };
    let r = run(&batch, &common::corpus(), &opts).unwrap();
    assert_eq!(r.decoder, format!("cmd+batch:{command}"));
    assert_eq!(batch.pool().started(), 1, "one Python for the whole corpus");
    assert_eq!(r.vectors.len(), single.vectors.len());
    for (b, s) in r.vectors.iter().zip(&single.vectors) {
        assert_eq!(b.id, s.id);
        assert_eq!(
            (b.outcome, &b.reading, &b.reasons, &b.comparison),
            (s.outcome, &s.reading, &s.reasons, &s.comparison),
            "{}",
            b.id
        );
    }
    assert_eq!(r.summary, single.summary);
    assert_eq!(r.exit_code(), 0);
}
