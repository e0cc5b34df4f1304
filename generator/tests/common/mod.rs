//! Helpers shared by the integration tests (`mod common;` in each test file).
//!
//! # External tools
//!
//! Tests that cross-check our output with an external program (tshark,
//! tcpdump, capinfos, ...) start with
//!
//! ```ignore
//! if !common::require_tool("tshark") {
//!     return;
//! }
//! ```
//!
//! The policy: on a developer machine a missing tool skips the test, saying so
//! on stderr (`SKIP: tshark not installed (in <test name>)`, shown even
//! though the harness captures test output); with `CI=true` in the environment (as
//! GitHub Actions, GitLab CI and most others set it) a missing tool **fails**
//! the test, because a cross-check that silently does not run in CI is worse
//! than none.
//!
//! [`tshark_fields`] runs tshark on a capture and returns the requested
//! fields, one row per frame.

// Every test crate that includes this module uses a different subset of it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// Whether the environment asks for strictness: `CI` set to `true` or `1`
/// (case-insensitive).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// Whether the external program `name` (looked up in `PATH`) can be run.
///
/// Runs `name --version` once per process (the answer is cached) and counts
/// the tool as present if it could be started at all, whatever its exit
/// status (not every tool knows `--version`).
///
/// When the tool is missing: prints `SKIP: <name> not installed (in <test>)`
/// to stderr (even when the harness captures test output) and returns `false`, so that the test can return early, unless `CI=true`,
/// in which case it panics: in CI every external check must really run.
pub fn require_tool(name: &str) -> bool {
    static CACHE: OnceLock<Mutex<HashMap<String, Result<(), String>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let probe = {
        // A poisoned lock only means another test panicked while holding it;
        // the map itself is always consistent.
        let mut cache = cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        cache.entry(name.to_owned()).or_insert_with(|| probe_tool(name)).clone()
    };
    match probe {
        Ok(()) => true,
        Err(why) if in_ci() => panic!(
            "required external tool `{name}` cannot be run ({why}); CI=true, so this check may not be \
             skipped: install it in the CI image"
        ),
        Err(_) => {
            // Straight to the stderr handle: `eprintln!` output of a passing
            // test is captured by the test harness and never shown.
            let test = std::thread::current().name().unwrap_or("?").to_owned();
            // One write, so that parallel tests do not interleave their lines.
            let line = format!("SKIP: {name} not installed (in {test})\n");
            let _ = std::io::stderr().write_all(line.as_bytes());
            false
        }
    }
}

fn probe_tool(name: &str) -> Result<(), String> {
    Command::new(name)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Runs `tshark -r <file> -T fields` with one `-e` per entry of `fields` and
/// one `-o` per entry of `prefs` (each `"name:value"`, as on tshark's command
/// line), and returns one row per frame, each with exactly `fields.len()`
/// values (empty strings for absent fields; several occurrences of a field
/// are joined with `,`).
///
/// tshark runs with name resolution off (`-n`) and an empty, private
/// configuration directory, so that the user's Wireshark preferences cannot
/// change the results.
///
/// Panics (failing the test) if tshark exits unsuccessfully, with its stderr.
/// Call [`require_tool`]`("tshark")` first.
pub fn tshark_fields(file: &Path, fields: &[&str], prefs: &[&str]) -> Vec<Vec<String>> {
    tshark_fields_with(file, fields, prefs, &[])
}

/// [`tshark_fields`] with extra tshark arguments, e.g. `["-Y", "udp.port == 4789"]`
/// for a display filter or `["-d", "udp.port==6081,geneve"]` for a "decode as".
pub fn tshark_fields_with(
    file: &Path,
    fields: &[&str],
    prefs: &[&str],
    extra_args: &[&str],
) -> Vec<Vec<String>> {
    assert!(!fields.is_empty(), "tshark_fields: no fields requested");
    let config = tempfile::tempdir().expect("creating a private Wireshark configuration directory");
    let mut command = Command::new("tshark");
    command
        .env("WIRESHARK_CONFIG_DIR", config.path())
        .args(["-n", "-r"])
        .arg(file)
        .args(["-T", "fields", "-E", "header=n", "-E", "separator=/t", "-E", "quote=n", "-E", "occurrence=a"])
        .args(["-E", "aggregator=,"]);
    for field in fields {
        command.args(["-e", field]);
    }
    for pref in prefs {
        command.args(["-o", pref]);
    }
    command.args(extra_args);

    let output = command.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("running tshark: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "tshark failed ({}) on {}:\n{stderr}\n{command:?}",
        output.status,
        file.display()
    );
    let stdout = String::from_utf8(output.stdout).expect("tshark printed invalid UTF-8");
    stdout
        .lines()
        .map(|line| {
            let row: Vec<String> = line.split('\t').map(str::to_owned).collect();
            assert_eq!(
                row.len(),
                fields.len(),
                "tshark row {line:?} does not have one value per field {fields:?}"
            );
            row
        })
        .collect()
}
