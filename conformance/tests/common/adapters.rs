//! Helpers shared by the adapter tests (`adapters_*.rs`), included with
//! `#[path = "common/adapters.rs"] mod adapters;` next to `mod common;`
//! (whose `require_tool` / `require_scapy` apply the external-tool policy).
//!
//! * [`vector`]: a corpus vector built by the generator (ground truth, not
//!   the checked-in files, which may be being regenerated) and written to a
//!   temporary directory.
//! * [`diff`]: the fields a decoder reported that differ from the expected
//!   dissection. Fields it did not report are not differences.

#![allow(dead_code)]

use conformance::compare::{compare_frames, FieldResult, FieldVerdict};
use conformance::decoder::{DecodeOptions, Decoder};
use generator::dissection::{CaptureDissection, FrameDissection};
use generator::vectors::corpus;
use generator::vectors::manifest::Expected;
use generator::vectors::{build_vector, manifest};
use serde_json::Value;
use std::path::PathBuf;

/// A built vector on disk.
pub struct OnDisk {
    /// Keeps the directory alive.
    pub dir: tempfile::TempDir,
    /// The capture file.
    pub capture: PathBuf,
    /// The expected dissection.
    pub expected: CaptureDissection,
    /// The vector's result in the manifest.
    pub result: Expected,
}

/// Every vector id of the corpus, in manifest order.
pub fn all_ids() -> Vec<String> {
    corpus::vectors().into_iter().map(|v| v.id).collect()
}

/// Vector `id` built and written to a temporary directory.
pub fn vector(id: &str) -> OnDisk {
    let v = corpus::vectors().into_iter().find(|v| v.id == id).unwrap_or_else(|| panic!("no vector {id}"));
    let built = build_vector(&v);
    let dir = tempfile::tempdir().expect("temporary directory");
    let name = manifest::capture_path(&v);
    let capture = dir.path().join(name.rsplit('/').next().unwrap_or(&name));
    std::fs::write(&capture, &built.capture).expect("writing the capture");
    OnDisk { dir, capture, expected: built.dissection, result: v.result }
}

/// One reported field that differs from the expected dissection.
#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    /// Dotted path, list elements as `name[i]`.
    pub path: String,
    /// The expected value (`None`: the expected dissection lacks the field).
    pub expected: Option<Value>,
    /// What the decoder reported.
    pub got: Value,
}

impl std::fmt::Display for Diff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.expected {
            Some(e) => write!(f, "{}: expected {e}, got {}", self.path, self.got),
            None => write!(f, "{}: not expected, got {}", self.path, self.got),
        }
    }
}

/// Every leaf of a frame, by the model's one flattener.
pub fn leaves(frame: &FrameDissection) -> Vec<(String, Value)> {
    generator::dissection::flatten::leaves(frame).into_iter().collect()
}

/// The fields of `got` that are absent from or differ from `expected`.
pub fn diff(expected: &FrameDissection, got: &FrameDissection) -> Vec<Diff> {
    let e = generator::dissection::flatten::leaves(expected);
    leaves(got)
        .into_iter()
        .filter(|(p, v)| e.get(p) != Some(v))
        .map(|(path, got)| Diff { expected: e.get(&path).cloned(), path, got })
        .collect()
}

/// The value at a dotted path of a frame's JSON form.
pub fn field(frame: &FrameDissection, path: &str) -> Option<Value> {
    let v = serde_json::to_value(frame).unwrap();
    path.split('.').try_fold(&v, |at, part| at.get(part)).cloned()
}

/// Decodes vector `id` with `decoder` and compares it with the expected
/// dissection (conformance::compare, the decoder's known differences
/// applied): the vector, its frames as decoded, and every field verdict.
pub fn check(decoder: &dyn Decoder, id: &str) -> (OnDisk, Vec<FrameDissection>, Vec<FieldResult>) {
    let v = vector(id);
    let got = decoder
        .decode(&v.capture, &DecodeOptions::default())
        .unwrap_or_else(|e| panic!("{} failed on {id}: {e}", decoder.name()));
    assert_eq!(got.frames.len(), v.expected.frames.len(), "{}: frames of {id}", decoder.name());
    assert!(got.problems.is_empty(), "{}: {id}: {:?}", decoder.name(), got.problems);
    let c = compare_frames(&v.expected.frames, &got, &decoder.known_differences(), &[]);
    assert!(c.missing_frames.is_empty() && c.extra_frames.is_empty(), "{id}: {c:?}");
    (v, got.frames, c.fields)
}

/// The failing verdicts (mismatched or unexpected fields), as lines.
pub fn failures(fields: &[FieldResult]) -> Vec<String> {
    fields
        .iter()
        .filter(|f| f.verdict.is_failure())
        .map(|f| format!("#{} {} {:?}", f.frame, f.path, f.verdict))
        .collect()
}

/// Whether `path` (of frame `frame`) was matched: reported, and right.
pub fn matched(fields: &[FieldResult], frame: u32, path: &str) -> bool {
    fields.iter().any(|f| f.frame == frame && f.path == path && f.verdict == FieldVerdict::Match)
}

/// Whether `path` (of frame `frame`) was expected and not reported.
pub fn not_reported(fields: &[FieldResult], frame: u32, path: &str) -> bool {
    fields
        .iter()
        .any(|f| f.frame == frame && f.path == path && matches!(f.verdict, FieldVerdict::NotReported { .. }))
}
