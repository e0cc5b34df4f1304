//! Cross-checks the corpus's expected dissections with tshark (Wireshark
//! 4.0 or later), field by field, through the one field map
//! `generator::dissection::tshark::FIELD_MAP`.
//!
//! * `valid` vectors: every field tshark reports must agree with the expected
//!   dissection (fields tshark does not report are counted, not failed), and
//!   tshark must not call an untruncated frame malformed. A field whose map
//!   entry carries a `tshark_note` is a documented tshark difference: its
//!   disagreements are listed, not failed.
//! * `acceptable` vectors: disagreements are listed.
//! * `invalid` vectors: whether tshark flags the frame is listed.
//!
//! The listing goes to stderr even when the test passes. Skipped with
//! `SKIP:` when tshark is missing, failed instead when `CI=true`.

mod common;

use generator::dissection::tshark::{self, Outcome, Verdict};
use generator::vectors::corpus::{self, Expected, Vector};
use generator::vectors::{build_vector, manifest};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

const EXTRA: [&str; 2] = ["_ws.malformed", "_ws.expert.severity"];
/// `_ws.expert.severity` of an error (Wireshark's PI_ERROR).
const PI_ERROR: u64 = 0x0080_0000;

struct Checked {
    vector: Vector,
    /// (frame number, verdict) for every compared field.
    verdicts: Vec<(u32, Verdict)>,
    /// Frames tshark marks malformed or with an error-level expert item.
    flagged: Vec<u32>,
    truncated: Vec<u32>,
}

fn check(vector: Vector, dir: &Path, fields: &[&str]) -> Checked {
    let built = build_vector(&vector);
    let path = dir.join(format!("{}.pcap", vector.id));
    std::fs::write(&path, &built.capture).unwrap();
    let rows = common::tshark_fields(&path, fields, tshark::PREFS);
    assert_eq!(
        rows.len(),
        built.dissection.frames.len(),
        "{}: tshark read a different number of frames",
        vector.id
    );
    let mut verdicts = Vec::new();
    let mut flagged = Vec::new();
    let mut truncated = Vec::new();
    for (row, expected) in rows.iter().zip(&built.dissection.frames) {
        let map: HashMap<&str, Vec<String>> = fields
            .iter()
            .zip(row)
            .map(|(f, v)| {
                (*f, if v.is_empty() { Vec::new() } else { v.split(',').map(str::to_owned).collect() })
            })
            .collect();
        let n = expected.frame.number;
        let errors = map["_ws.expert.severity"].iter().any(|s| s.parse::<u64>().is_ok_and(|v| v >= PI_ERROR));
        if !map["_ws.malformed"].is_empty() || errors {
            flagged.push(n);
        }
        if expected.frame.truncated == Some(true) {
            truncated.push(n);
        }
        verdicts.extend(tshark::compare(expected, &map).into_iter().map(|v| (n, v)));
    }
    Checked { vector, verdicts, flagged, truncated }
}

fn describe(v: &Verdict) -> String {
    match &v.outcome {
        Outcome::Disagree { expected, tshark } => {
            format!("{} ({}): expected {expected}, tshark {tshark}", v.path, v.tshark_field)
        }
        Outcome::Unexpected { tshark } => {
            format!("{} ({}): expected nothing, tshark {tshark}", v.path, v.tshark_field)
        }
        Outcome::NotReported { expected } => format!("{}: expected {expected}, tshark silent", v.path),
        Outcome::Agree => format!("{}: agree", v.path),
    }
}

#[test]
fn tshark_agrees_with_every_valid_vector() {
    if !common::require_tool("tshark") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut fields = tshark::tshark_fields();
    fields.extend(EXTRA);
    let vectors = corpus::vectors();
    // Two workers: tshark starts in about 0.2 s, so this keeps the test short.
    let half = vectors.len() / 2;
    let (a, b) = vectors.split_at(half);
    let checked: Vec<Checked> = std::thread::scope(|s| {
        let ha = s.spawn(|| a.iter().map(|v| check(v.clone(), dir.path(), &fields)).collect::<Vec<_>>());
        let hb = s.spawn(|| b.iter().map(|v| check(v.clone(), dir.path(), &fields)).collect::<Vec<_>>());
        let mut all = ha.join().unwrap();
        all.extend(hb.join().unwrap());
        all
    });

    let mut report = String::new();
    let mut failures = Vec::new();
    let (mut agree, mut silent, mut compared) = (0usize, 0usize, 0usize);
    for c in &checked {
        let id = &c.vector.id;
        for (n, v) in &c.verdicts {
            compared += 1;
            match v.outcome {
                Outcome::Agree => agree += 1,
                Outcome::NotReported { .. } => silent += 1,
                _ => {}
            }
            if !v.is_disagreement() {
                continue;
            }
            let line = format!("{id} frame {n}: {}", describe(v));
            match (c.vector.result, v.known) {
                (Expected::Valid, None) => failures.push(line),
                (_, Some(note)) => writeln!(report, "  known  {line} [{note}]").unwrap(),
                (Expected::Acceptable, None) => writeln!(report, "  accept {line}").unwrap(),
                (Expected::Invalid, None) => writeln!(report, "  invalid {line}").unwrap(),
            }
        }
        let silent: Vec<&str> = c
            .verdicts
            .iter()
            .filter(|(_, v)| matches!(v.outcome, Outcome::NotReported { .. }))
            .map(|(_, v)| v.path)
            .collect();
        if !silent.is_empty() {
            let mut paths = silent.clone();
            paths.dedup();
            let kind = if c.vector.result == Expected::Acceptable { "accept" } else { "silent" };
            writeln!(
                report,
                "  {kind} {id}: tshark does not report {} expected fields: {}",
                silent.len(),
                paths.join(" ")
            )
            .unwrap();
        }
        match c.vector.result {
            Expected::Invalid => writeln!(
                report,
                "  invalid {id}: tshark flags frames {:?} of {} as malformed or in error",
                c.flagged,
                c.vector.frames.len()
            )
            .unwrap(),
            Expected::Valid => {
                for n in c.flagged.iter().filter(|n| !c.truncated.contains(n)) {
                    failures.push(format!("{id} frame {n}: tshark reports a malformed packet or an error"));
                }
            }
            Expected::Acceptable if !c.flagged.is_empty() => {
                writeln!(report, "  accept {id}: tshark flags frames {:?}", c.flagged).unwrap()
            }
            Expected::Acceptable => {
                if !c.verdicts.iter().any(|(_, v)| v.is_disagreement()) && silent.is_empty() {
                    writeln!(report, "  accept {id}: tshark takes the expected reading, unflagged").unwrap();
                }
            }
        }
    }
    let summary = format!(
        "corpus_tshark: {} vectors, {compared} field comparisons: {agree} agree, {silent} not reported by tshark, \
         {} listed, {} failed\n{report}",
        checked.len(),
        report.lines().count(),
        failures.len()
    );
    let _ = std::io::stderr().write_all(summary.as_bytes());
    assert!(failures.is_empty(), "tshark disagrees on valid vectors:\n{}", failures.join("\n"));
    // The manifest's paths are the ones the checks used.
    let m = manifest::build(corpus::GROUPS, &checked.iter().map(|c| c.vector.clone()).collect::<Vec<_>>());
    assert_eq!(m.number_of_vectors, checked.len());
}
