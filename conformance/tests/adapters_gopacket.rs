//! The gopacket adapter (conformance/adapters/gopacket) over the corpus:
//! `vxconform run --decoder gopacket` runs every vector without an error or
//! a protocol problem, and gopacket's real misreadings show where they must
//! (conformance/findings/gopacket.md), above all its GBP A bit: gopacket
//! 1.1.19 reads it at 0x80 of byte 1 (layers/vxlan.go: `data[1]&0x80`), a
//! reserved bit, instead of 0x08 (draft-smith-vxlan-group-policy section
//! 2.1, the A bit is 0x0008 of the 16-bit flags). Builds the adapter with
//! conformance/adapters/build.sh; skips without Go and gopacket's sources,
//! fails in CI (`CI=true`) without them.

#[path = "common/adapter_programs.rs"]
mod adapter_programs;
mod common;

use conformance::compare::{FieldVerdict, Outcome};
use std::collections::BTreeSet;

/// What building the adapter needs (Debian golang-go,
/// golang-github-google-gopacket-dev, golang-golang-x-net-dev,
/// golang-golang-x-sys-dev).
const NEEDS: [&str; 4] = [
    "go",
    "/usr/share/gocode/src/github.com/google/gopacket/layers/vxlan.go",
    "/usr/share/gocode/src/golang.org/x/net/bpf",
    "/usr/share/gocode/src/golang.org/x/sys/unix",
];

/// The whole corpus runs; the vectors failing on `vxlan.flag_a` are exactly
/// those where the A bit (flags16 & 0x0008) and the reserved bit gopacket
/// reads instead (flags16 & 0x0080) differ, computed from the expected
/// dissections; on each, gopacket's value is the reserved bit's, and the
/// vector's reasons name the field.
#[test]
fn corpus_run_and_the_gbp_a_bit() {
    let Some(program) = adapter_programs::built("gopacket", &NEEDS) else { return };
    let adapter = adapter_programs::adapter("gopacket", program);
    let (corpus, report) = adapter_programs::run_corpus(&adapter);
    let s = &report.summary;
    eprintln!(
        "gopacket: {} vectors, {} pass, {} fail, {} acceptable, {} not supported, {} error",
        s.total, s.pass, s.fail, s.acceptable, s.not_supported, s.error
    );
    assert_eq!(s.total, corpus.vectors().count());
    assert_eq!(
        s.error,
        0,
        "{:#?}",
        report.vectors.iter().filter(|v| v.failure.is_some()).collect::<Vec<_>>()
    );
    for v in &report.vectors {
        let c = v.comparison.as_ref().unwrap();
        assert!(c.problems.is_empty(), "{}: protocol problems {:?}", v.id, c.problems);
        assert!(c.missing_frames.is_empty() && c.extra_frames.is_empty(), "{}: {c:?}", v.id);
    }

    // Where the A bit matters: (frame, the reserved bit gopacket reads) per vector.
    let mut matters = BTreeSet::new();
    for v in corpus.vectors() {
        let expected = corpus.expected(v.entry).unwrap();
        for f in &expected.frames {
            let Some(x) = &f.vxlan else { continue };
            if let (Some(flags16), Some(a)) = (x.flags16, x.flag_a) {
                assert_eq!(a, flags16 & 0x0008 != 0, "{}: the model's A bit", v.entry.id);
                if a != (flags16 & 0x0080 != 0) {
                    matters.insert((v.entry.id.clone(), f.frame.number, flags16 & 0x0080 != 0));
                }
            }
        }
    }
    assert!(!matters.is_empty(), "the corpus has no vector where gopacket's A bit matters");

    let mut failing = BTreeSet::new();
    for v in &report.vectors {
        for f in &v.comparison.as_ref().unwrap().fields {
            if f.path == "vxlan.flag_a" {
                if let FieldVerdict::Mismatch { got, .. } = &f.verdict {
                    failing.insert((v.id.clone(), f.frame, got == "true"));
                }
            }
        }
    }
    assert_eq!(failing, matters, "vectors failing on vxlan.flag_a (frame, value gopacket reported)");
    for (id, _, _) in &matters {
        let v = report.vectors.iter().find(|v| &v.id == id).unwrap();
        assert_eq!(v.outcome, Outcome::Fail, "{id}");
        assert!(v.reasons.iter().any(|r| r.contains("vxlan.flag_a")), "{id}: {:?}", v.reasons);
    }
}

/// gopacket's other misreadings, by field: GENEVE's 2-bit Ver read as
/// `byte0 >> 7`, an option's 5-bit Length masked with 4 bits (RFC 8926
/// sections 3.4 and 3.5), VXLAN taken by the UDP *source* port (RFC 7348
/// section 5: the destination port identifies VXLAN); and what it decodes
/// right: every field of the GWLB copies and of the VNI vectors.
#[test]
fn geneve_and_port_findings() {
    let Some(program) = adapter_programs::built("gopacket", &NEEDS) else { return };
    let adapter = adapter_programs::adapter("gopacket", program);
    let (_, report) = adapter_programs::run_corpus(&adapter);
    let by_id = |id: &str| report.vectors.iter().find(|v| v.id == id).unwrap_or_else(|| panic!("{id}"));
    let mismatch = |id: &str, path: &str| {
        by_id(id).comparison.as_ref().unwrap().fields.iter().find_map(|f| match &f.verdict {
            FieldVerdict::Mismatch { expected, got } if f.path == path => {
                Some((expected.clone(), got.clone()))
            }
            _ => None,
        })
    };
    // 31 words of option data (124 bytes): Length 0x1f & 0xf = 15 words.
    assert_eq!(
        mismatch("gwlb-geneve-option-124", "geneve.options[0].data_len"),
        Some(("124".into(), "60".into()))
    );
    let reported = |id: &str, path: &str| {
        by_id(id).comparison.as_ref().unwrap().fields.iter().find_map(|f| match &f.verdict {
            FieldVerdict::Mismatch { got, .. } | FieldVerdict::Unexpected { got } if f.path == path => {
                Some(got.clone())
            }
            _ => None,
        })
    };
    // Ver 1 (first byte 0x48) read as 0: neither "as-found" nor "outer-only".
    assert_eq!(by_id("gwlb-geneve-version-1").outcome, Outcome::Fail);
    assert_eq!(reported("gwlb-geneve-version-1", "geneve.version").as_deref(), Some("0"));
    // From port 4789 to 33333: dissected as VXLAN.
    assert_eq!(by_id("port-dst-not-vxlan").outcome, Outcome::Fail);
    assert_eq!(reported("port-dst-not-vxlan", "vxlan.vni").as_deref(), Some("9999999"));
    for id in ["gwlb-basic", "gwlb-ipv6-inner", "gwlb-packet-length-54", "vni-9999999", "vni-16777215"] {
        assert_eq!(by_id(id).outcome, Outcome::Pass, "{id}: {:?}", by_id(id).reasons);
    }
}

/// Single mode, batch mode (`--batch`, end markers, an unreadable capture
/// reported and skipped) and `--version` from the Debian package.
#[test]
fn batch_mode_and_version() {
    let Some(program) = adapter_programs::built("gopacket", &NEEDS) else { return };
    adapter_programs::check_batch_mode(&program);
    let out = adapter_programs::run_program(&program, &["--version"], "");
    let version = String::from_utf8(out.stdout).unwrap();
    let deb = std::process::Command::new("dpkg-query")
        .args(["-W", "-f=${Version}", "golang-github-google-gopacket-dev"])
        .output();
    if let Some(deb) = deb.ok().filter(|d| d.status.success()) {
        let deb = String::from_utf8(deb.stdout).unwrap();
        let upstream = deb.rsplit_once('-').map_or(deb.as_str(), |(u, _)| u);
        assert_eq!(version.trim(), format!("gopacket {upstream}"));
    } else {
        assert!(version.starts_with("gopacket "), "{version}");
    }
}
