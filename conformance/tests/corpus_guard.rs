//! The corpus is checked whole before any decoder runs: paths stay inside
//! it, files are regular and of bounded size, and each has the manifest's
//! SHA-256. A breach is a setup error (exit 2) naming the vector, and no
//! decoder is started: a damaged corpus is never blamed on the decoder.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// A copy of the corpus in a temporary directory, with `edit` applied to
/// the manifest entry of `vni-0` (a JSON object).
fn corpus_with(edit: impl FnOnce(&mut serde_json::Value, &Path)) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vectors");
    copy_dir(&common::root().join("vectors"), &dir);
    let path = dir.join("manifest.json");
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let entry = m["groups"][0]["vectors"][0].clone();
    assert_eq!(entry["id"], "vni-0");
    let mut entry = entry;
    edit(&mut entry, &dir);
    m["groups"][0]["vectors"][0] = entry;
    std::fs::write(&path, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    (tmp, dir)
}

/// Runs vxconform with a decoder that leaves a marker file when started.
fn run_guarded(dir: &Path) -> (i32, String, bool) {
    let marker = dir.parent().unwrap().join("decoder-started");
    let decoder = format!(
        "cmd:touch {} && cat >/dev/null && echo '{{\"frame\":{{\"number\":1}}}}' #",
        marker.display()
    );
    let out = Command::new(env!("CARGO_BIN_EXE_vxconform"))
        .args(["run", "--decoder", &decoder, "--timeout", "5", "--vectors"])
        .arg(dir)
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned(), marker.exists())
}

fn assert_setup_error(dir: &Path, what: &str) {
    let (code, stderr, started) = run_guarded(dir);
    assert_eq!(code, 2, "{what}: {stderr}");
    assert!(stderr.contains("vni-0"), "{what}: the vector is named: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{what}: one line: {stderr}");
    assert!(!started, "{what}: a decoder was started");
}

#[test]
fn a_path_out_of_the_corpus_is_refused() {
    let outside = tempfile::NamedTempFile::new().unwrap();
    for capture in ["../x.pcap", "vni/../../x.pcap", outside.path().to_str().unwrap(), ""] {
        let (_t, dir) = corpus_with(|e, _| e["capture"] = capture.into());
        assert_setup_error(&dir, capture);
    }
    let (_t, dir) = corpus_with(|e, _| e["expected"] = "/etc/passwd".into());
    assert_setup_error(&dir, "absolute expected");
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_corpus_is_refused() {
    let outside = tempfile::NamedTempFile::new().unwrap();
    let (_t, dir) = corpus_with(|_, dir| {
        let link = dir.join("vni/vni-0.pcap");
        std::fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(outside.path(), &link).unwrap();
    });
    let (code, stderr, started) = run_guarded(&dir);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("vni-0") && stderr.contains("leads out of the corpus"), "{stderr}");
    assert!(!started);
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_is_refused_without_hanging() {
    let (_t, dir) = corpus_with(|_, dir| {
        let fifo = dir.join("vni/vni-0.pcap");
        std::fs::remove_file(&fifo).unwrap();
        assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    });
    let started = std::time::Instant::now();
    let (code, stderr, decoder) = run_guarded(&dir);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
    assert!(!decoder);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // /dev/zero inside the corpus (a symlink to it stays inside no corpus).
    let (_t, dir) = corpus_with(|_, dir| {
        let p = dir.join("vni/vni-0.pcap");
        std::fs::remove_file(&p).unwrap();
        std::os::unix::fs::symlink("/dev/zero", &p).unwrap();
    });
    assert_setup_error(&dir, "/dev/zero");
}

#[test]
fn a_damaged_capture_or_expected_file_is_reported_as_such() {
    let (_t, dir) = corpus_with(|_, dir| {
        let p = dir.join("vni/vni-0.pcap");
        let mut bytes = std::fs::read(&p).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&p, bytes).unwrap();
    });
    let (code, stderr, started) = run_guarded(&dir);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("vni-0") && stderr.contains("SHA-256"), "{stderr}");
    assert!(!started);
    let (_t, dir) = corpus_with(|_, dir| {
        let p = dir.join("vni/vni-0.json");
        let text = std::fs::read_to_string(&p).unwrap().replace("\"vni\": 0", "\"vni\": 1");
        assert!(text.contains("\"vni\": 1"));
        std::fs::write(&p, text).unwrap();
    });
    assert_setup_error(&dir, "edited expected file");
    let (_t, dir) = corpus_with(|e, _| {
        e.as_object_mut().unwrap().remove("subject");
    });
    let (code, stderr, _) = run_guarded(&dir);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn the_checked_in_corpus_is_whole() {
    let (code, stderr, _) = {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("vectors");
        copy_dir(&common::root().join("vectors"), &dir);
        let r = run_guarded(&dir);
        (r.0, r.1, r.2)
    };
    // The decoder prints one bare frame per capture: a run, not a setup error.
    assert_eq!(code, 1, "{stderr}");
}
