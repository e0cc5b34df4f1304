//! Every corpus capture dissects in tshark without a malformed packet or an
//! error-level expert item (a bad checksum, say), unless the vector is meant
//! to be malformed or cut short. The field-by-field cross-check of the
//! expected dissections with tshark runs through the conformance runner's
//! one judge: conformance/tests/corpus_tshark.rs.
//!
//! Skipped with `SKIP:` when tshark is missing, failed instead when `CI=true`.

mod common;

use generator::vectors::build_vector;
use generator::vectors::corpus::{self, Expected};

/// `_ws.expert.severity` of an error (Wireshark's PI_ERROR).
const PI_ERROR: u64 = 0x0080_0000;

#[test]
fn tshark_flags_no_valid_untruncated_frame() {
    if !common::require_tool("tshark") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fields = ["frame.number", "_ws.malformed", "_ws.expert.severity"];
    let mut failures = Vec::new();
    let mut frames = 0;
    for v in corpus::vectors().into_iter().filter(|v| v.result == Expected::Valid) {
        let built = build_vector(&v);
        let path = dir.path().join(format!("{}.{}", v.id, v.format.extension()));
        std::fs::write(&path, &built.capture).unwrap();
        let rows = common::tshark_fields(&path, &fields, &[]);
        assert_eq!(
            rows.len(),
            built.dissection.frames.len(),
            "{}: tshark read a different number of frames",
            v.id
        );
        for (row, expected) in rows.iter().zip(&built.dissection.frames) {
            frames += 1;
            if expected.frame.truncated == Some(true) {
                continue;
            }
            let error = row[2].split(',').any(|s| s.parse::<u64>().is_ok_and(|x| x >= PI_ERROR));
            if !row[1].is_empty() || error {
                failures.push(format!(
                    "{} frame {}: malformed or in error ({row:?})",
                    v.id, expected.frame.number
                ));
            }
        }
    }
    eprintln!("corpus_tshark: {frames} frames of valid vectors checked");
    assert!(failures.is_empty(), "tshark flags valid frames:\n{}", failures.join("\n"));
}
