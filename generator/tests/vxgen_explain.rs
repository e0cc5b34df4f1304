//! `vxgen explain` through the built binary: a GBP frame that `vxgen
//! generate` wrote, explained field by field, with G, D, A, the policy id
//! and the VNI under both readings of the VXLAN header; colour only when
//! asked; bad input a one-line error.

mod common;
mod vxgen_support;

use vxgen_support::{stderr_of, vxgen};

#[test]
fn a_gbp_frame_is_explained_under_both_readings() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("gbp.pcapng");
    let capture = capture.to_str().unwrap();
    let made = vxgen(&[
        "generate",
        "--count",
        "1",
        "--seed",
        "3",
        "--vni",
        "4660",
        "--gbp-policy-id",
        "40001",
        "--gbp-flags",
        "d,a",
        "-o",
        capture,
    ]);
    assert!(made.status.success(), "{}", stderr_of(&made));
    let out = vxgen(&["explain", "--frame", "2", capture]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Frame 2:"), "{text}");
    assert!(!text.contains('\x1b'), "no colour into a pipe");
    assert!(text.contains("G=1 I=1 D=1 A=1"), "{text}");
    assert!(text.contains("Group Policy ID (16)  40001"), "{text}");
    let vni = text.lines().find(|l| l.contains("VNI (24)")).expect("the VNI line");
    assert_eq!(vni.matches("4660").count(), 2, "the VNI under both readings: {vni}");
    // RFC 7348 reads the policy id as reserved bits (0x48 of the second flags byte, then 40001).
    assert!(text.contains(&format!("0x48{:04x}", 40001)), "{text}");
    for clause in
        ["RFC 7348 section 5", "draft-smith-vxlan-group-policy section 2.1", "RFC 791 section 3.1", "RFC 768"]
    {
        assert!(text.contains(clause), "{clause} missing:\n{text}");
    }
    assert!(
        text.lines().nth(1).is_some_and(|l| l.starts_with("  comment: ")),
        "the ground-truth comment is shown: {text}"
    );
    let coloured = vxgen(&["explain", "--color", "always", capture]);
    assert!(String::from_utf8_lossy(&coloured.stdout).contains("\x1b["));
}

#[test]
fn bad_input_is_one_line_and_a_nonzero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.pcap");
    std::fs::write(&junk, b"not a capture").unwrap();
    let junk = junk.to_str().unwrap();
    for (args, code, mention) in [
        (vec!["explain", junk], 1, "not a readable pcap"),
        (vec!["explain", "/nonexistent/x.pcap"], 1, "cannot open"),
        (vec!["explain", "--frame", "0", junk], 2, "frame"),
        (vec!["explain", "--frame", "99", "../vectors/gbp/gbp-g-d-a.pcap"], 1, "there is no frame 99"),
    ] {
        let out = vxgen(&args);
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(mention), "{args:?}: {err}");
    }
}
