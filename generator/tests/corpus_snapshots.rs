//! The expected dissection of every corpus vector as an insta snapshot
//! (`tests/snapshots/`), so that any change in what the generator builds
//! shows up as a reviewable diff (`cargo insta review`).

use generator::vectors::{build_vector, corpus};

#[test]
fn expected_dissections_are_reviewed() {
    for v in corpus::vectors() {
        let built = build_vector(&v);
        // Through serde_json, whose (human-readable) form is the corpus's.
        let value = serde_json::to_value(&built.dissection).unwrap();
        insta::assert_json_snapshot!(v.id.as_str(), value);
    }
}
