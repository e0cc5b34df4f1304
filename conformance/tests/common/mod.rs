//! Helpers shared by the conformance tests (`mod common;` in each file).
//!
//! External tools follow generator/tests/common/mod.rs's policy: on a
//! developer machine a missing tool skips the test with
//! `SKIP: <tool> not installed (in <test>)` on stderr; with `CI=true` a
//! missing tool fails the test, because a check that silently does not run
//! in CI is worse than none.

// Every test crate that includes this module uses a different subset of it.
#![allow(dead_code)]

use conformance::run::Corpus;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// Whether `CI` is `true` or `1` (case-insensitive).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// Whether `probe` (a program and its arguments) runs successfully; cached per process.
fn probe(key: &str, program: &str, args: &[&str]) -> Result<(), String> {
    static CACHE: OnceLock<Mutex<HashMap<String, Result<(), String>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    cache
        .entry(key.to_owned())
        .or_insert_with(|| {
            Command::new(program)
                .args(args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map_err(|e| e.to_string())
                .and_then(|s| if s.success() { Ok(()) } else { Err(format!("{program} {args:?}: {s}")) })
        })
        .clone()
}

/// `true` when `result` is Ok; otherwise skips (`SKIP: ...` on stderr) or, with
/// `CI=true`, panics; see the module doc.
pub fn require(name: &str, result: Result<(), String>) -> bool {
    match result {
        Ok(()) => true,
        Err(why) if in_ci() => panic!(
            "required external tool `{name}` cannot be run ({why}); CI=true, so this check may not be skipped"
        ),
        Err(_) => {
            let test = std::thread::current().name().unwrap_or("?").to_owned();
            let line = format!("SKIP: {name} not installed (in {test})\n");
            let _ = std::io::stderr().write_all(line.as_bytes());
            false
        }
    }
}

/// Whether the program `name` can be started (`name --version`); see the module doc.
pub fn require_tool(name: &str) -> bool {
    require(
        name,
        probe(name, name, &["--version"]).or_else(|e| {
            // tcpdump --version exits 0, tshark too; accept any start.
            if e.contains("No such file") || e.contains("not found") {
                Err(e)
            } else {
                Ok(())
            }
        }),
    )
}

/// Whether the adapter program `name` (conformance/adapters/NAME, built
/// into the adapters directory by `conformance/adapters/build.sh NAME`)
/// is there and answers `--version`; see the module doc.
pub fn require_adapter(name: &str) -> bool {
    let program = conformance::decoder::adapter::adapters_dir().join(name);
    let label = format!("adapter {name} (conformance/adapters/build.sh {name})");
    require(&label, probe(&label, &program.to_string_lossy(), &["--version"]))
}

/// Whether Python 3 with Scapy is there.
pub fn require_scapy() -> bool {
    require("scapy", probe("scapy", "python3", &["-c", "import scapy"]))
}

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The corpus.
pub fn corpus() -> Corpus {
    Corpus::load(&root().join("vectors")).expect("the corpus loads")
}

/// `cmd:python3 <fixture>` for a fixture decoder of tests/fixtures/.
pub fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    format!("cmd:python3 {}", path.display())
}

/// `cmd:python3 conformance/examples/decoder.py`, absolute.
pub fn example_decoder() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/decoder.py");
    format!("cmd:python3 {}", path.display())
}
