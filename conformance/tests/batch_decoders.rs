//! Batch mode (docs/decoder-protocol.md, "Batch mode"): a batch decoder
//! that misbehaves on one vector loses that vector alone. Each fixture of
//! tests/fixtures/batch_*.py answers like the example decoder except on
//! its target, `vni-4095` (the third of the eight `vni-*` vectors); the run
//! goes through the `vxconform` binary, so that the report, the exit status
//! and the cleanup at exit are the real ones. With `BATCH_LOG` each fixture
//! process logs its start, so restarts are counted.

#![cfg(target_os = "linux")]

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use hostile::{alive_with, command, marker, stderr, stdout};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

const TARGET: &str = "vni-4095";

/// `cmd+batch:python3 <fixture> ARGS...`.
fn fixture(name: &str, args: &[&str]) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    let mut line = format!("cmd+batch:python3 {}", path.display());
    for a in args {
        line.push(' ');
        line.push_str(a);
    }
    line
}

/// What a run showed: the JSON report, the exit status, and the fixture's log.
struct Run {
    report: Value,
    code: Option<i32>,
    log: String,
    took: Duration,
}

impl Run {
    fn vector(&self, id: &str) -> &Value {
        let all = self.report["vectors"].as_array().expect("vectors");
        all.iter().find(|v| v["id"] == id).unwrap_or_else(|| panic!("{id} not in the report"))
    }

    fn outcome(&self, id: &str) -> &str {
        self.vector(id)["outcome"].as_str().unwrap_or("?")
    }

    /// The vectors other than `TARGET` and their outcomes, when not a pass.
    fn others_not_passing(&self) -> Vec<String> {
        let all = self.report["vectors"].as_array().expect("vectors");
        all.iter()
            .filter(|v| v["id"] != TARGET && v["outcome"] != "pass")
            .map(|v| format!("{}: {} {}", v["id"], v["outcome"], v["reasons"]))
            .collect()
    }

    fn starts(&self) -> usize {
        self.log.lines().filter(|l| l.starts_with("start ")).count()
    }

    /// The failure of `TARGET`: kind, message, stderr tail.
    fn failure(&self) -> (String, String, String) {
        let f = &self.vector(TARGET)["failure"];
        let s = |k: &str| f[k].as_str().unwrap_or("").to_owned();
        (s("kind"), s("message"), s("stderr_tail"))
    }
}

/// Runs `decoder` over the `vni-*` vectors with `extra` options, as JSON.
fn run(decoder: &str, extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    let mut args = vec!["run", "--decoder", decoder, "--filter", "vni-*", "--format", "json"];
    args.extend_from_slice(extra);
    let started = Instant::now();
    let o = command(&args).env("BATCH_LOG", &log).output().expect("vxconform runs");
    let took = started.elapsed();
    let report = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not a JSON report ({e}): {}{}", stdout(&o), stderr(&o)));
    Run { report, code: o.status.code(), log: std::fs::read_to_string(&log).unwrap_or_default(), took }
}

/// Waits up to a second for the processes holding `marker` to be gone,
/// then lists those left.
fn left_behind(marker: &str) -> Vec<String> {
    let until = Instant::now() + Duration::from_secs(1);
    loop {
        let left = alive_with(marker);
        if left.is_empty() || Instant::now() > until {
            return left;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The common checks: the target is an error of `kind`, the seven others
/// pass, the run exits 1, the process was started twice (once more after
/// the failure), and nothing of it is left.
fn loses_only_the_target(r: &Run, kind: &str, mark: &str) {
    assert_eq!(r.outcome(TARGET), "error", "{}", r.report);
    assert_eq!(r.failure().0, kind, "{:?}", r.failure());
    assert_eq!(r.others_not_passing(), Vec::<String>::new());
    assert_eq!(r.report["summary"]["pass"], 7);
    assert_eq!(r.report["summary"]["error"], 1);
    assert_eq!(r.report["exit_code"], 1);
    assert_eq!(r.code, Some(1));
    assert_eq!(r.starts(), 2, "started once, and once more after the failure: {}", r.log);
    assert_eq!(left_behind(mark), Vec::<String>::new());
}

#[test]
fn a_batch_decoder_that_hangs_on_one_vector_loses_only_that_vector() {
    if !common::require_tool("python3") {
        return;
    }
    let m = marker(1);
    let r = run(&fixture("batch_hang.py", &[TARGET, &m]), &["--timeout", "3", "--jobs", "1"]);
    loses_only_the_target(&r, "timed_out", &m);
    let (_, message, tail) = r.failure();
    assert!(message.starts_with("decoder timed out after 3.0 s"), "{message}");
    // The stderr tail is what came since the request, not before it.
    assert!(tail.contains("hanging on") && tail.contains("vni-4095.pcap"), "{tail}");
    assert!(!tail.contains("answered"), "{tail}");
    assert!(r.took < Duration::from_secs(20), "{:?}", r.took);
}

#[test]
fn a_batch_decoder_that_exits_on_one_vector_loses_only_that_vector() {
    if !common::require_tool("python3") {
        return;
    }
    let m = marker(2);
    let r = run(&fixture("batch_crash.py", &[TARGET, "exit", &m]), &["--jobs", "1"]);
    loses_only_the_target(&r, "crashed", &m);
    let (_, message, tail) = r.failure();
    assert!(message.starts_with("decoder crashed (exit status 3)"), "{message}");
    assert_eq!(tail, "cannot dissect vni-4095.pcap: index out of range");
}

#[test]
fn a_batch_decoder_that_kills_itself_on_one_vector_loses_only_that_vector() {
    if !common::require_tool("python3") {
        return;
    }
    let m = marker(3);
    // `exec`: the shell's own report would be "exit status 137" and "Killed".
    let decoder = fixture("batch_crash.py", &[TARGET, "signal", &m]).replacen("python3", "exec python3", 1);
    let r = run(&decoder, &["--jobs", "1"]);
    loses_only_the_target(&r, "crashed", &m);
    let (_, message, tail) = r.failure();
    assert!(message.starts_with("decoder crashed (killed by signal 9)"), "{message}");
    assert_eq!(tail, "cannot dissect vni-4095.pcap: index out of range");
}

#[test]
fn a_batch_decoder_that_prints_garbage_for_one_vector_loses_only_that_vector() {
    if !common::require_tool("python3") {
        return;
    }
    let m = marker(4);
    let r = run(&fixture("batch_garbage.py", &[TARGET, &m]), &["--jobs", "1"]);
    loses_only_the_target(&r, "garbage", &m);
    let message = r.failure().1;
    assert!(message.contains("line 1 is not JSON"), "{message}");
    assert!(message.contains("Frame 1: VXLAN vni=4095"), "the excerpt is quoted: {message}");
}

#[test]
fn a_wrong_end_marker_loses_only_that_vector() {
    if !common::require_tool("python3") {
        return;
    }
    let m = marker(5);
    let r = run(&fixture("batch_wrong_end.py", &[TARGET, &m]), &["--jobs", "1"]);
    loses_only_the_target(&r, "garbage", &m);
    let message = r.failure().1;
    assert!(message.contains("the end marker names"), "{message}");
    assert!(message.contains("vni-4095.pcap.other"), "{message}");
    assert!(message.contains("not the capture asked for"), "{message}");
}

#[test]
fn a_batch_decoder_that_floods_one_vector_loses_only_that_vector() {
    if !common::require_tool("python3") {
        return;
    }
    let m = marker(6);
    let r = run(&fixture("batch_flood.py", &[TARGET, &m]), &["--jobs", "1", "--max-output", "1"]);
    loses_only_the_target(&r, "output_too_large", &m);
    assert!(r.failure().1.starts_with("decoder output exceeded 1048576 bytes"), "{:?}", r.failure());
    assert!(r.took < Duration::from_secs(20), "{:?}", r.took);
}

#[test]
fn an_error_end_marker_loses_only_that_vector_and_the_process_lives_on() {
    if !common::require_tool("python3") {
        return;
    }
    let m = marker(7);
    let r = run(&fixture("batch_error.py", &[TARGET, &m]), &["--jobs", "1"]);
    assert_eq!(r.outcome(TARGET), "error");
    let (kind, message, tail) = r.failure();
    assert_eq!(kind, "declined");
    assert!(
        message.starts_with("decoder could not dissect the capture: unsupported link type 147"),
        "{message}"
    );
    assert_eq!(tail, "link type 147 is not supported");
    assert_eq!(r.others_not_passing(), Vec::<String>::new());
    assert_eq!(r.code, Some(1));
    assert_eq!(r.starts(), 1, "an error answer is no reason to restart: {}", r.log);
    assert_eq!(left_behind(&m), Vec::<String>::new());
}

#[test]
fn a_daemon_left_by_a_batch_decoder_is_killed_before_the_next_vector() {
    if !common::require_tool("python3") {
        return;
    }
    let m = marker(8);
    let r = run(&fixture("batch_double_fork.py", &[TARGET, &m]), &["--jobs", "1"]);
    assert!(r.log.contains("daemon "), "the fixture left its daemon: {}", r.log);
    // Killed after its vector, while the decoder itself lived on.
    assert!(!r.log.contains("survived"), "{}", r.log);
    assert_eq!(r.starts(), 1, "the live decoder is not taken for an orphan: {}", r.log);
    assert_eq!(r.others_not_passing(), Vec::<String>::new());
    assert_eq!(r.outcome(TARGET), "pass");
    assert_eq!(r.code, Some(0));
    assert_eq!(left_behind(&m), Vec::<String>::new());
}

#[test]
fn jobs_2_with_a_crashing_batch_decoder() {
    if !common::require_tool("python3") {
        return;
    }
    let m = marker(9);
    let r = run(&fixture("batch_crash.py", &[TARGET, "exit", &m]), &["--jobs", "2"]);
    assert_eq!(r.outcome(TARGET), "error");
    assert_eq!(r.failure().0, "crashed");
    assert_eq!(r.others_not_passing(), Vec::<String>::new());
    assert_eq!(r.code, Some(1));
    // The first vector alone, then two workers; one restart after the crash.
    assert!((2..=3).contains(&r.starts()), "{}", r.log);
    assert_eq!(left_behind(&m), Vec::<String>::new());
}

#[test]
fn jobs_2_with_the_example_decoder_in_batch_mode() {
    if !common::require_tool("python3") {
        return;
    }
    let m = marker(10);
    // batch_error.py with a target that is not in the run answers every vector.
    let r = run(&fixture("batch_error.py", &["no-such-vector", &m]), &["--jobs", "2"]);
    assert_eq!(r.report["summary"]["pass"], 8, "{}", r.report);
    assert_eq!(r.code, Some(0));
    assert!((1..=2).contains(&r.starts()), "at most one process per job: {}", r.log);
    assert_eq!(left_behind(&m), Vec::<String>::new());
}

#[test]
fn a_batch_decoder_that_dies_at_start_is_an_error_per_vector_not_a_hang() {
    if !common::require_tool("python3") {
        return;
    }
    let r = run(&fixture("batch_dies_at_start.py", &[]), &["--jobs", "1"]);
    assert_eq!(r.report["summary"]["error"], 8, "{}", r.report);
    for v in r.report["vectors"].as_array().unwrap() {
        assert_eq!(v["failure"]["kind"], "crashed", "{v}");
        let message = v["failure"]["message"].as_str().unwrap();
        assert!(message.starts_with("decoder crashed (exit status 1)"), "{message}");
        assert_eq!(v["failure"]["stderr_tail"], "cannot load libvxlan.so.3: no such file");
    }
    assert_eq!(r.code, Some(1));
    assert!(r.took < Duration::from_secs(30), "{:?}", r.took);
}

#[test]
fn a_missing_batch_program_stops_the_run() {
    let o =
        command(&["run", "--decoder", "cmd+batch:no-such-decoder-program-xyz --batch", "--filter", "vni-*"])
            .output()
            .expect("vxconform runs");
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("program not found: no-such-decoder-program-xyz --batch"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// An adapter program (conformance/adapters/NAME, here a fixture wrapping
/// the example decoder) runs in batch mode: one `PROGRAM --batch` for the
/// run, never `PROGRAM CAPTURE`.
#[test]
fn adapter_programs_run_in_batch_mode() {
    use conformance::decoder::adapter::{Adapter, AdapterInfo};
    use conformance::run::{run, RunOptions};
    use std::os::unix::fs::PermissionsExt;
    if !common::require_tool("python3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (program, log) = (dir.path().join("example"), dir.path().join("log"));
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/decoder.py");
    let script = format!(
        "#!/bin/sh\ncase \"$1\" in\n  --version) echo 'example-decoder 1.0' ;;\n  \
         --batch) echo \"batch $$\" >> '{log}'; exec python3 '{ex}' --batch ;;\n  \
         *) echo \"single $$\" >> '{log}'; exec python3 '{ex}' \"$1\" ;;\nesac\n",
        log = log.display(),
        ex = example.display()
    );
    std::fs::write(&program, script).unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    let adapter = Adapter::new(AdapterInfo { name: "example", wraps: "the example decoder" }, program);
    let opts = RunOptions { filter: vec!["vni-*".into(), "gbp".into()], jobs: 1, ..RunOptions::default() };
    let r = run(&adapter, &common::corpus(), &opts).unwrap();
    assert_eq!(r.decoder, "example");
    assert_eq!(r.decoder_version.as_deref(), Some("example-decoder 1.0"));
    assert_eq!(r.summary.pass, r.vectors.len(), "{:?}", r.summary);
    assert_eq!(r.vectors.len(), 18);
    assert_eq!(adapter.pool().started(), 1);
    let log = std::fs::read_to_string(&log).unwrap();
    assert_eq!(log.lines().filter(|l| l.starts_with("batch ")).count(), 1, "{log}");
    assert!(!log.contains("single"), "{log}");
}
