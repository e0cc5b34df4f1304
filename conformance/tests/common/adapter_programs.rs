//! Adapter programs (conformance/adapters/NAME/) built for the tests, with
//! `conformance/adapters/build.sh NAME` into `CARGO_TARGET_TMPDIR/adapters`,
//! once per test process. Included with
//! `#[path = "common/adapter_programs.rs"] mod adapter_programs;` next to
//! `mod common;`. What an adapter needs to build (a compiler, a library's
//! headers) follows the external-tool policy of `common`: missing, the test
//! skips on a laptop and fails with `CI=true`. Once those are there, a
//! build that fails fails the test.

#![allow(dead_code)]

use conformance::decoder::adapter::{Adapter, ADAPTERS};
use conformance::run::{run, Corpus, RunOptions, RunReport};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};

/// The directory the test builds go to.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("adapters")
}

/// The built program of adapter `name`, or `None` (the test should return)
/// when one of `needs` is missing: each is a program on `PATH` (`go`) or an
/// absolute file path (`/usr/include/libtrace.h`).
pub fn built(name: &str, needs: &[&str]) -> Option<PathBuf> {
    for need in needs {
        let found = if need.starts_with('/') {
            Path::new(need).exists()
        } else {
            Command::new("sh")
                .args(["-c", &format!("command -v {need}")])
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        let why = Err(format!("{need} is missing"));
        if !found && !crate::common::require(&format!("{name} adapter prerequisite {need}"), why) {
            return None;
        }
    }
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let mut built = BUILT.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    if let Some(p) = built.get(name) {
        return Some(p.clone());
    }
    let script = crate::common::root().join("conformance/adapters/build.sh");
    let out = Command::new("bash").arg(&script).arg(name).env("VXCONFORM_ADAPTERS", dir()).output().unwrap();
    assert!(
        out.status.success(),
        "building adapter {name} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let program = dir().join(name);
    built.insert(name.to_owned(), program.clone());
    Some(program)
}

/// The adapter `name` of `ADAPTERS`, running `program`.
pub fn adapter(name: &str, program: PathBuf) -> Adapter {
    let info = *ADAPTERS.iter().find(|a| a.name == name).unwrap_or_else(|| panic!("{name} not in ADAPTERS"));
    Adapter::new(info, program)
}

/// `vxconform run --decoder NAME` over the whole corpus, as a report.
pub fn run_corpus(adapter: &Adapter) -> (Corpus, RunReport) {
    let corpus = crate::common::corpus();
    let report = run(adapter, &corpus, &RunOptions::default()).expect("the run starts");
    (corpus, report)
}

/// `program ARGS...` with `stdin` written to it.
pub fn run_program(program: &Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// Checks the protocol's single and batch modes of `program`: for two
/// captures of the corpus and a path that does not exist, `--batch` prints
/// each capture's frames as single mode does, then its end marker, in order;
/// the missing one gets an end marker with an error, and the run goes on.
pub fn check_batch_mode(program: &Path) {
    let corpus = crate::common::corpus();
    let vectors: Vec<_> = corpus.vectors().collect();
    let a = corpus.capture_path(vectors.iter().find(|v| v.entry.id == "vni-9999999").unwrap().entry);
    let b =
        corpus.capture_path(vectors.iter().find(|v| v.entry.id == "capture-format-pcapng").unwrap().entry);
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let missing = "/nonexistent/dir/capture \"x\".pcap";
    let single = |p: &str| {
        let out = run_program(program, &[p], "");
        assert!(out.status.success(), "{p}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let end = |p: &str| serde_json::json!({ "end": p }).to_string();
    let expected = format!("{}{}\n{}{}\n", single(a), end(a), single(b), end(b));

    let out = run_program(program, &["--batch"], &format!("{a}\n{b}\n{missing}\n{a}"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with(&expected), "batch output:\n{stdout}\nexpected to start with:\n{expected}");
    let rest: Vec<&str> = stdout[expected.len()..].lines().collect();
    let marker: serde_json::Value = serde_json::from_str(rest[0]).unwrap();
    assert_eq!(marker["end"], missing, "{marker}");
    assert!(marker["error"].as_str().is_some_and(|e| !e.is_empty() && !e.contains('\n')), "{marker}");
    // the last path has no newline after it, and is still dissected
    assert_eq!(rest[1..].join("\n") + "\n", format!("{}{}\n", single(a), end(a)));

    let out = run_program(program, &[missing], "");
    assert!(!out.status.success(), "a missing capture in single mode must fail");
}
