//! Cross-checks the corpus's expected dissections with tshark (Wireshark
//! 4.0 or later), field by field, through the tshark adapter and the one
//! judge (`conformance::compare`): on every `valid` vector, every field
//! tshark reports must agree with the expected dissection, except the
//! differences the adapter declares (`Decoder::known_differences`, each
//! explained in docs/compatibility.md). The listing goes to stderr even
//! when the test passes. Skipped with `SKIP:` when tshark is missing,
//! failed instead when `CI=true`.

mod common;

use conformance::compare::{compare_frames, describe, FieldVerdict};
use conformance::decoder::tshark::{fields, Tshark};
use conformance::decoder::{DecodeOptions, Decoder};
use generator::vectors::build_vector;
use generator::vectors::corpus::{self, Expected};
use std::io::Write as _;

#[test]
fn tshark_agrees_with_every_valid_vector() {
    if !common::require_tool("tshark") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tshark = Tshark::new();
    let known = tshark.known_differences();
    let vectors: Vec<_> = corpus::vectors().into_iter().filter(|v| v.result == Expected::Valid).collect();
    // Valid vectors tshark is known to get wrong: they must keep failing (else drop them from here).
    let misread = [(
        "port-dst-not-vxlan",
        "tshark's UDP dissector tries the lower port first, so a datagram from 4789 to 33333 is decoded as VXLAN",
    )];
    let check = |v: &corpus::Vector| {
        let built = build_vector(v);
        let path = dir.path().join(format!("{}.{}", v.id, v.format.extension()));
        std::fs::write(&path, &built.capture).unwrap();
        let got = tshark.decode(&path, &DecodeOptions::default()).unwrap_or_else(|e| panic!("{}: {e}", v.id));
        (v.id.clone(), compare_frames(&built.dissection.frames, &got, &known, &[]))
    };
    // Two workers: tshark starts in about 0.2 s.
    let (a, b) = vectors.split_at(vectors.len() / 2);
    let checked: Vec<_> = std::thread::scope(|s| {
        let ha = s.spawn(|| a.iter().map(check).collect::<Vec<_>>());
        let mut all: Vec<_> = b.iter().map(check).collect();
        all.splice(0..0, ha.join().unwrap());
        all
    });
    let (mut matched, mut silent, mut known_n, mut failures) = (0, 0, 0, Vec::new());
    let mut listing = String::new();
    for (id, c) in &checked {
        assert!(c.missing_frames.is_empty() && c.extra_frames.is_empty(), "{id}: {c:?}");
        if let Some((_, why)) = misread.iter().find(|(m, _)| m == id) {
            let wrong = c
                .fields
                .iter()
                .filter(|f| {
                    !matches!(
                        f.verdict,
                        FieldVerdict::Match | FieldVerdict::NotReported { .. } | FieldVerdict::Known { .. }
                    )
                })
                .count();
            assert!(wrong > 0, "{id}: tshark now reads it right ({why}): remove it from `misread`");
            listing.push_str(&format!("  misread {id}: {why} ({wrong} fields)\n"));
            continue;
        }
        for f in &c.fields {
            match &f.verdict {
                FieldVerdict::Match => matched += 1,
                FieldVerdict::NotReported { .. } => silent += 1,
                FieldVerdict::Known { .. } => {
                    known_n += 1;
                    listing.push_str(&format!("  known {id}: {}\n", describe(f)));
                }
                _ => failures.push(format!("{id}: {}", describe(f))),
            }
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "corpus_tshark: {} valid vectors: {matched} fields agree, {silent} not reported by tshark, {known_n} known differences, {} failed\n{listing}",
        checked.len(),
        failures.len()
    );
    assert!(matched > 3000, "too few fields compared: {matched}");
    assert!(failures.is_empty(), "tshark disagrees on valid vectors:\n{}", failures.join("\n"));
}

#[test]
fn docs_field_table_is_the_registry_and_the_tshark_map() {
    let doc = std::fs::read_to_string(common::root().join("docs/dissection.md")).unwrap();
    let begin = "<!-- field-map:begin (generated from the registry and the tshark adapter's FIELD_MAP; do not edit) -->\n";
    let end = "<!-- field-map:end -->";
    let start = doc.find(begin).expect("docs/dissection.md has the field-map markers") + begin.len();
    let stop = doc[start..].find(end).unwrap() + start;
    assert_eq!(
        &doc[start..stop],
        fields::markdown_table(),
        "docs/dissection.md's field table is stale; paste conformance::decoder::tshark::fields::markdown_table() between the markers"
    );
}
