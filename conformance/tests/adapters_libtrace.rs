//! The libtrace adapter (conformance/adapters/libtrace, C over Debian's
//! libtrace3-dev) over the corpus: `vxconform run --decoder libtrace` runs
//! every vector without an error or a protocol problem; what libtrace
//! decodes (the RFC 7348 fields of libtrace_vxlan_t, outer and inner
//! headers) is right except its 802.1Q tag: libtrace_8021q_t declares
//! `vlan_pri:3, vlan_cfi:1, vlan_id:12` as bit fields of a 16-bit word with
//! no byte-order variant (libtrace.h, unlike its IPv4 and TCP structs), so
//! on a little-endian host they read the wrong bits of the network-order TCI
//! (IEEE 802.1Q clause 9.6). Builds the adapter with
//! conformance/adapters/build.sh; skips without a C compiler and libtrace's
//! header, fails in CI (`CI=true`) without them.

#[path = "common/adapter_programs.rs"]
mod adapter_programs;
mod common;

use conformance::compare::{FieldVerdict, Outcome};
use std::collections::BTreeSet;

/// What building the adapter needs (Debian gcc, libtrace3-dev).
const NEEDS: [&str; 2] = ["cc", "/usr/include/libtrace.h"];

/// The 802.1Q fields as libtrace_8021q_t's bit fields give them on this
/// host, for a tag of (pcp, dei, vid): the two TCI bytes in network order
/// read as a host-order 16-bit word, then the fields from its low bits.
fn libtrace_tag(pcp: u8, dei: bool, vid: u16) -> (u8, bool, u16) {
    let tci = u16::from(pcp) << 13 | u16::from(dei) << 12 | vid;
    let word = u16::from_ne_bytes(tci.to_be_bytes());
    ((word & 7) as u8, word >> 3 & 1 == 1, word >> 4)
}

/// The whole corpus runs; VXLAN fields are right wherever libtrace reports
/// them; the vectors failing on a VLAN field are exactly those whose tags
/// libtrace_8021q_t reads wrong on this host, with the values it reads.
#[test]
fn corpus_run_and_the_vlan_bit_fields() {
    let Some(program) = adapter_programs::built("libtrace", &NEEDS) else { return };
    let adapter = adapter_programs::adapter("libtrace", program);
    let (corpus, report) = adapter_programs::run_corpus(&adapter);
    let s = &report.summary;
    eprintln!(
        "libtrace: {} vectors, {} pass, {} fail, {} acceptable, {} not supported, {} error",
        s.total, s.pass, s.fail, s.acceptable, s.not_supported, s.error
    );
    assert_eq!(s.total, corpus.vectors().count());
    assert_eq!(s.error, 0);
    let mut vlan_wrong = BTreeSet::new();
    for v in &report.vectors {
        let c = v.comparison.as_ref().unwrap();
        assert!(c.problems.is_empty(), "{}: protocol problems {:?}", v.id, c.problems);
        assert!(c.missing_frames.is_empty() && c.extra_frames.is_empty(), "{}: {c:?}", v.id);
        for f in c.fields.iter().filter(|f| f.verdict.is_failure()) {
            assert!(!f.path.starts_with("vxlan."), "{}: {} {:?}", v.id, f.path, f.verdict);
            if f.path.starts_with("inner.vlan[") {
                vlan_wrong.insert(v.id.clone());
            }
        }
    }

    let mut expected_wrong = BTreeSet::new();
    for v in corpus.vectors() {
        let got = report.vectors.iter().find(|r| r.id == v.entry.id).unwrap();
        let fields = &got.comparison.as_ref().unwrap().fields;
        for frame in &corpus.expected(v.entry).unwrap().frames {
            let Some(inner) = &frame.inner else { continue };
            for (i, tag) in inner.vlan.iter().enumerate() {
                let (Some(pcp), Some(dei), Some(vid)) = (tag.pcp, tag.dei, tag.vid) else { continue };
                let read = libtrace_tag(pcp, dei, vid);
                if read != (pcp, dei, vid) {
                    expected_wrong.insert(v.entry.id.clone());
                }
                let value = |name: &str| {
                    let path = format!("inner.vlan[{i}].{name}");
                    fields.iter().find(|f| f.frame == frame.frame.number && f.path == path).map(|f| match &f
                        .verdict
                    {
                        FieldVerdict::Match => None,
                        FieldVerdict::Mismatch { got, .. } => Some(got.clone()),
                        other => panic!("{}: {path}: {other:?}", v.entry.id),
                    })
                };
                let shown = |ok: bool, v: String| if ok { None } else { Some(v) };
                assert_eq!(value("pcp"), Some(shown(read.0 == pcp, read.0.to_string())), "{}", v.entry.id);
                assert_eq!(value("dei"), Some(shown(read.1 == dei, read.1.to_string())), "{}", v.entry.id);
                assert_eq!(value("vid"), Some(shown(read.2 == vid, read.2.to_string())), "{}", v.entry.id);
            }
        }
    }
    assert_eq!(vlan_wrong, expected_wrong, "vectors failing on an inner.vlan field");
    if cfg!(target_endian = "little") {
        assert!(expected_wrong.contains("vlan-100"), "{expected_wrong:?}");
    }
    for id in &vlan_wrong {
        let v = report.vectors.iter().find(|v| &v.id == id).unwrap();
        assert_eq!(v.outcome, Outcome::Fail, "{id}");
    }
    // What libtrace does decode: the RFC 7348 view, TCP options, IPv6, ICMP.
    for id in [
        "vni-9999999",
        "vni-16777215",
        "tcp-sack-blocks",
        "ipv6-tcp-syn",
        "icmpv6-echo",
        "handshake-interleaved",
    ] {
        let v = report.vectors.iter().find(|v| v.id == id).unwrap();
        assert_eq!(v.outcome, Outcome::Pass, "{id}: {:?}", v.reasons);
    }
}

/// Single mode, batch mode (`--batch`, end markers, an unreadable capture
/// reported and skipped) and `--version` from libtrace.h, which the build
/// checks against the Debian package.
#[test]
fn batch_mode_and_version() {
    let Some(program) = adapter_programs::built("libtrace", &NEEDS) else { return };
    adapter_programs::check_batch_mode(&program);
    let out = adapter_programs::run_program(&program, &["--version"], "");
    let version = String::from_utf8(out.stdout).unwrap();
    assert!(version.starts_with("libtrace 3."), "{version}");
}
