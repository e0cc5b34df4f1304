//! Unit tests of `compare`.

use super::*;
use generator::dissection::{Ethernet, FrameFacts, Inner, Malformation, MalformedReason, Outer, Tcp, Vxlan};

fn frame(n: u32) -> FrameDissection {
    let mut f = FrameDissection::new(FrameFacts::complete(n, 100));
    f.outer = Some(Outer {
        eth: Some(Ethernet {
            dst: Some("02:7c:11:e4:52:9a".into()),
            src: Some("02:9d:44:10:6b:01".into()),
            ethertype: Some(0x0800),
            padding_len: None,
        }),
        ..Outer::default()
    });
    f.vxlan = Some(Vxlan { vni: Some(7), flag_i: Some(true), ..Vxlan::default() });
    f
}

fn got(frames: Vec<FrameDissection>) -> Decoded {
    Decoded::from(frames)
}

fn one(frames: Vec<FrameDissection>, subject: &[&str]) -> Vec<Reading> {
    vec![Reading::single(frames, subject)]
}

#[test]
fn macs_compare_case_insensitively_and_zero_padding_is_no_padding() {
    let e = frame(1);
    let mut g = e.clone();
    let eth = g.outer.as_mut().unwrap().eth.as_mut().unwrap();
    eth.dst = Some("02:7C:11:E4:52:9A".into());
    eth.padding_len = Some(0);
    let c = compare_frames(&[e], &got(vec![g]), &[], &[]);
    assert!(!c.has_failures(), "{c:?}");
}

#[test]
fn extra_and_missing_frames() {
    let c = compare_frames(&[frame(1), frame(2)], &got(vec![frame(1), frame(1), frame(3)]), &[], &[]);
    assert_eq!(c.missing_frames, [2]);
    assert_eq!(c.extra_frames, [1, 3]);
    let j = judge(
        Expected::Valid,
        &one(vec![frame(1), frame(2)], &["vxlan.vni"]),
        &got(vec![frame(1), frame(1), frame(3)]),
        &[],
        false,
    );
    assert_eq!(j.outcome, Outcome::Fail);
    assert!(j.reasons.iter().any(|r| r == "frame 2: missing (the decoder did not report it)"), "{j:?}");
}

#[test]
fn a_false_malformation_is_unexpected() {
    let e = frame(1);
    let mut g = e.clone();
    g.frame.malformed = Some(Malformation { reason: MalformedReason::Other, layer: None });
    let j = judge(Expected::Valid, &one(vec![e], &["vxlan.vni"]), &got(vec![g]), &[], false);
    assert_eq!(j.outcome, Outcome::Fail);
    assert!(j.reasons[0].starts_with("frame 1 frame.malformed.reason: reported other"), "{j:?}");
}

#[test]
fn subject_rules() {
    let e = frame(1);
    // Everything but the subject: fail, the subject named first.
    let mut g = e.clone();
    g.vxlan.as_mut().unwrap().vni = None;
    g.outer.as_mut().unwrap().eth.as_mut().unwrap().ethertype = Some(1);
    let j = judge(
        Expected::Valid,
        &one(vec![e.clone()], &["vxlan.vni", "vxlan.flag_i"]),
        &got(vec![g]),
        &[],
        false,
    );
    assert_eq!(j.outcome, Outcome::Fail);
    assert!(j.reasons[0].starts_with("frame 1 vxlan.vni: not reported"), "{j:?}");
    assert!(j.reasons[1].starts_with("frame 1 outer.eth.ethertype: expected 2048, got 1"), "{j:?}");
    // Only frame numbers: not supported, never a pass.
    let bare = got(vec![FrameDissection::new(FrameFacts { number: 1, ..FrameFacts::default() })]);
    let j = judge(Expected::Valid, &one(vec![e.clone()], &["vxlan.vni"]), &bare, &[], false);
    assert_eq!(j.outcome, Outcome::NotSupported);
    assert!(!j.outcome.counts_as_passed());
    // Subject right, other fields not reported: pass.
    let mut g = FrameDissection::new(FrameFacts { number: 1, ..FrameFacts::default() });
    g.vxlan = Some(Vxlan { vni: Some(7), ..Vxlan::default() });
    let j = judge(Expected::Valid, &one(vec![e], &["vxlan.vni"]), &got(vec![g]), &[], false);
    assert_eq!(j.outcome, Outcome::Pass, "{j:?}");
}

#[test]
fn protocol_problems_fail_the_vector() {
    let e = frame(1);
    let mut d = got(vec![e.clone()]);
    d.problems.push(ProtocolProblem {
        frame: Some(1),
        path: "vxlan.VNI".into(),
        message: "unknown key (did you mean vxlan.vni?)".into(),
    });
    let j = judge(Expected::Valid, &one(vec![e], &["vxlan.vni"]), &d, &[], false);
    assert_eq!(j.outcome, Outcome::Fail);
    assert_eq!(j.reasons, ["frame 1 vxlan.VNI: unknown key (did you mean vxlan.vni?) (protocol)"]);
}

#[test]
fn invalid_vectors_accept_any_flag_but_not_another_named_rule() {
    let mut e = frame(1);
    e.frame.malformed = Some(Malformation {
        reason: MalformedReason::UdpLengthExceedsIpPayload,
        layer: Some("outer.udp".into()),
    });
    let readings = one(vec![e.clone()], &["frame.malformed"]);
    let mut other = e.clone();
    other.frame.malformed = Some(Malformation { reason: MalformedReason::Other, layer: None });
    assert_eq!(judge(Expected::Invalid, &readings, &got(vec![other]), &[], false).outcome, Outcome::Pass);

    let mut wrong = e.clone();
    wrong.frame.malformed =
        Some(Malformation { reason: MalformedReason::VxlanHeaderTruncated, layer: Some("vxlan".into()) });
    let j = judge(Expected::Invalid, &readings, &got(vec![wrong]), &[], false);
    assert_eq!(j.outcome, Outcome::Fail);
    assert!(
        j.reasons
            .iter()
            .any(|r| r.contains("expected udp_length_exceeds_ip_payload, got vxlan_header_truncated")),
        "{j:?}"
    );
    // Dissected without objection: fail, not "not supported".
    let mut silent = e.clone();
    silent.frame.malformed = None;
    let j = judge(Expected::Invalid, &readings, &got(vec![silent]), &[], false);
    assert_eq!(j.outcome, Outcome::Fail);
    assert!(j.reasons[0].contains("not flagged as malformed"), "{j:?}");
}

#[test]
fn acceptable_means_one_of_the_named_readings() {
    let found = frame(1);
    let mut flagged = frame(1);
    flagged.frame.malformed =
        Some(Malformation { reason: MalformedReason::VxlanIFlagClear, layer: Some("vxlan".into()) });
    let readings = vec![
        Reading { name: "as-found".into(), frames: vec![found.clone()], subject: vec!["vxlan.vni".into()] },
        Reading {
            name: "flagged".into(),
            frames: vec![flagged.clone()],
            subject: vec!["frame.malformed".into()],
        },
    ];
    let j = judge(Expected::Acceptable, &readings, &got(vec![found.clone()]), &[], false);
    assert_eq!((j.outcome, j.reading.as_deref()), (Outcome::Acceptable, Some("as-found")));
    let j = judge(Expected::Acceptable, &readings, &got(vec![flagged]), &[], false);
    assert_eq!((j.outcome, j.reading.as_deref()), (Outcome::Acceptable, Some("flagged")));
    // A third reading: VNI 0 without a flag.
    let mut third = found;
    third.vxlan.as_mut().unwrap().vni = Some(0);
    let j = judge(Expected::Acceptable, &readings, &got(vec![third]), &[], false);
    assert_eq!(j.outcome, Outcome::Fail);
    assert!(j.reasons[0].starts_with("matches none of the allowed readings (as-found, flagged)"), "{j:?}");
}

#[test]
fn expect_fail() {
    let e = frame(1);
    let r = one(vec![e.clone()], &["vxlan.vni"]);
    assert_eq!(judge(Expected::Valid, &r, &got(vec![]), &[], true).outcome, Outcome::ExpectedFail);
    assert_eq!(judge(Expected::Valid, &r, &got(vec![e]), &[], true).outcome, Outcome::UnexpectedPass);
}

#[test]
fn known_differences_are_listed_not_failed() {
    let mut e = frame(1);
    e.inner = Some(Inner { tcp: Some(Tcp { payload_len: Some(134), ..Tcp::default() }), ..Inner::default() });
    let mut g = e.clone();
    g.inner.as_mut().unwrap().tcp.as_mut().unwrap().payload_len = Some(34);
    let known = [KnownDifference {
        path: "inner.tcp.payload_len".into(),
        note: "counts bytes present".into(),
        only_truncated: false,
    }];
    let c = compare_frames(std::slice::from_ref(&e), &got(vec![g.clone()]), &known, &[]);
    assert!(!c.has_failures());
    assert!(matches!(
        c.fields.iter().find(|f| f.path == "inner.tcp.payload_len").unwrap().verdict,
        FieldVerdict::Known { .. }
    ));
    // Another decoder has no such excuse.
    assert!(compare_frames(&[e], &got(vec![g]), &[], &[]).has_failures());
}

#[test]
fn paths_groups_and_values() {
    assert_eq!(FieldGroup::of("app.dns.rcode"), FieldGroup::App);
    assert_eq!(FieldGroup::of("vxlan.flags16"), FieldGroup::Gbp);
    assert_eq!(show(&serde_json::json!([22, 20])), "[22, 20]");
    assert_eq!(show(&serde_json::json!("10.0.1.23")), "10.0.1.23");
    assert!(!same("vxlan.vni", &serde_json::json!(1), &serde_json::json!(1.0)));
}
