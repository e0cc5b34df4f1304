//! The crate's layers depend downward only (see the crate documentation):
//! `wire` <- `flow` <- `traffic` (frames) and `mirror` (copies) <- `generate`.
//! A source file that reaches a layer above it, or sideways from `traffic`
//! into `mirror`, fails here. Comments are not looked at: a doc link is no
//! dependency.

use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, recursively.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `(line number, line)` of each line of `text` whose code (comments removed)
/// names one of `forbidden` as a path segment (`mirror::`, not `some_mirror::`).
fn hits(text: &str, forbidden: &[&str]) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let named = |word: &&str| {
            code.match_indices(*word)
                .any(|(i, _)| !code[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
        };
        if forbidden.iter().any(named) {
            found.push((n + 1, line.trim().to_string()));
        }
    }
    found
}

/// `file:line: text` of every code line under `src/DIR` that names one of `forbidden`.
fn offending_lines(dir: &str, forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir);
    let files = sources(&root);
    assert!(!files.is_empty(), "no sources under {}", root.display());
    let mut found = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).expect("readable source");
        for (n, line) in hits(&text, forbidden) {
            found.push(format!("{}:{n}: {line}", file.display()));
        }
    }
    found
}

#[test]
fn traffic_knows_nothing_of_mirroring() {
    let bad = offending_lines("traffic", &["mirror::", "generate::", "capture::", "vectors::"]);
    assert!(bad.is_empty(), "traffic/ must depend on wire and flow only:\n{}", bad.join("\n"));
}

#[test]
fn mirror_knows_nothing_of_traffic() {
    let bad = offending_lines("mirror", &["traffic::", "generate::", "capture::", "vectors::"]);
    assert!(bad.is_empty(), "mirror/ must depend on wire and flow only:\n{}", bad.join("\n"));
}

#[test]
fn vectors_do_not_reach_into_the_run_loop() {
    let bad = offending_lines("vectors", &["generate::"]);
    assert!(bad.is_empty(), "vectors/ takes its defaults from the mirror model:\n{}", bad.join("\n"));
}

#[test]
fn send_knows_captures_not_the_run() {
    // send/ reads captures (capture, wire) and knows nothing of how they were made.
    let bad = offending_lines("send", &["traffic::", "mirror::", "generate::", "vectors::", "dissection::"]);
    assert!(bad.is_empty(), "send/ must depend on capture and wire only:\n{}", bad.join("\n"));
}

#[test]
fn capture_knows_nothing_of_the_run() {
    // The shard files and their merge (capture/merge.rs) are records, not flows.
    let bad = offending_lines("capture", &["traffic::", "mirror::", "generate::", "send::", "vectors::"]);
    assert!(bad.is_empty(), "capture/ must not reach the layers above it:\n{}", bad.join("\n"));
}

#[test]
fn the_check_finds_code_and_skips_comments() {
    let sample = "use crate::mirror::filter::Filter;\n\
                  /// See [`crate::mirror::encap`].\n\
                  let x = 1; // mirror::\n\
                  use super::super::mirror::Direction;\n\
                  let a = my_mirror::X;\n";
    let lines: Vec<usize> = hits(sample, &["mirror::"]).into_iter().map(|(n, _)| n).collect();
    assert_eq!(lines, [1, 4]);
}

/// The command line is the binary's: a user of the library (`conformance`
/// among them) gets neither clap nor indicatif through it.
#[test]
fn the_library_builds_without_the_command_line() {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["tree", "--manifest-path", manifest, "--no-default-features", "-e", "normal"])
        .args(["--prefix", "none", "--format", "{p}"])
        .output()
        .expect("cargo tree runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(tree.lines().any(|l| l.starts_with("pcap-file ")), "not a dependency tree:\n{tree}");
    for crate_name in ["clap ", "indicatif "] {
        assert!(
            !tree.lines().any(|l| l.starts_with(crate_name)),
            "the library without the `cli` feature pulls {crate_name}:\n{tree}"
        );
    }
    // No module outside the binary names them either.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for file in sources(&src) {
        let text = fs::read_to_string(&file).unwrap();
        if file.strip_prefix(&src).unwrap().starts_with("bin") {
            continue;
        }
        let found = hits(&text, &["clap::", "indicatif::"]);
        assert!(found.is_empty(), "{} uses the command line's crates: {found:?}", file.display());
    }
}
