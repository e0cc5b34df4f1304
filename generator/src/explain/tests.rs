use super::*;
use crate::dissection::flatten::leaves;
use crate::vectors::{build_vector, corpus};
use serde_json::Value;

/// The frames of corpus vector `id`: captured frames and expected dissections.
fn frames(id: &str) -> Vec<(CapturedFrame, crate::dissection::FrameDissection)> {
    let v = corpus::vectors().into_iter().find(|v| v.id == id).unwrap_or_else(|| panic!("no vector {id}"));
    let built = build_vector(&v);
    built
        .dissection
        .frames
        .iter()
        .enumerate()
        .map(|(i, d)| (read_frame(&built.capture[..], i as u64 + 1).expect("frame"), d.clone()))
        .collect()
}

/// The number a row's value starts with (`255`, `0x0800 (IPv4)`), as JSON.
fn leading_number(text: &str) -> Option<Value> {
    let token = text.split([' ', ':']).next()?;
    let n = match token.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok()?,
        None => token.parse().ok()?,
    };
    Some(Value::from(n))
}

/// On every frame of the corpus, every field the explanation shows that
/// the expected dissection (built from the Reprs) also holds has the same
/// value: the byte view and the ground truth tell one story.
#[test]
fn the_explanation_agrees_with_the_expected_dissection_on_the_whole_corpus() {
    let mut compared = 0;
    for v in corpus::vectors() {
        for (frame, expected) in frames(&v.id) {
            let explained = explain(&frame.data);
            let truth = leaves(&expected);
            for row in &explained.rows {
                assert!(row.offset + row.len <= frame.data.len(), "{}: {} out of the frame", v.id, row.path);
                let Some(want) = truth.get(&row.path) else { continue };
                let got = match want {
                    Value::Bool(_) => leading_number(&row.value).map(|n| Value::Bool(n != 0)),
                    Value::Number(_) => leading_number(&row.value),
                    Value::String(_) => Some(Value::from(row.value.clone())),
                    _ => continue,
                };
                assert_eq!(
                    got.as_ref(),
                    Some(want),
                    "{} frame {}: {} shows {:?}",
                    v.id,
                    frame.number,
                    row.path,
                    row.value
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 3000, "{compared} fields compared");
}

#[test]
fn a_gbp_frame_names_g_d_a_the_policy_id_and_the_vni_under_both_readings() {
    let (frame, expected) = frames("gbp-g-d-a").remove(0);
    let explained = explain(&frame.data);
    let v = explained.vxlan.expect("a VXLAN header");
    assert!(v.g() && v.i() && v.d() && v.a());
    let vni = expected.vxlan.as_ref().and_then(|x| x.vni).unwrap();
    let policy = expected.vxlan.as_ref().and_then(|x| x.group_policy_id).unwrap();
    let text = render(&explained, &frame, false);
    assert!(text.contains("RFC 7348 section 5") && text.contains("draft-smith-vxlan-group-policy"), "{text}");
    assert!(text.contains("G=1 I=1 D=1 A=1"), "{text}");
    assert!(text.contains(&format!("Group Policy ID (16)  {policy}")), "{text}");
    // The VNI under both readings, on one line.
    let vni_line = text.lines().find(|l| l.contains("VNI (24)")).unwrap();
    assert_eq!(vni_line.matches(&vni.to_string()).count(), 2, "{vni_line}");
    // RFC 7348 sees the G bit and the policy id as reserved bits.
    let reserved24 = u32::from(frame.data[v.offset + 1]) << 16 | u32::from(policy);
    assert!(text.contains(&format!("0x{reserved24:06x}")), "{text}");
    assert!(text.contains("reserved bits 0x80 set)"), "{text}");
    assert!(!text.contains('\x1b'), "no colour unless asked");
    assert!(render(&explained, &frame, true).contains("\x1b["), "colour when asked");
}

#[test]
fn a_gwlb_frame_shows_geneve_its_options_and_the_copy_inside() {
    let (frame, _) = frames("gwlb-basic").remove(0);
    let explained = explain(&frame.data);
    let paths: Vec<&str> = explained.rows.iter().map(|r| r.path.as_str()).collect();
    for p in [
        "geneve.vni",
        "geneve.options[2].type",
        "geneve.ipv4.src",
        "geneve.udp.dst_port",
        "vxlan.vni",
        "inner.ipv4.ttl",
    ] {
        assert!(paths.contains(&p), "{p} missing from {paths:?}");
    }
}

#[test]
fn a_cut_copy_shows_what_is_there_and_says_where_it_stops() {
    let (frame, _) = frames("packet-length-20").remove(0);
    let explained = explain(&frame.data);
    assert!(explained.rows.iter().any(|r| r.path == "vxlan.vni"));
    assert!(!explained.notes.is_empty(), "a note says where the copy is cut");
    // Any prefix of a frame is explained without a panic.
    let (whole, _) = frames("tcp-sack-blocks").remove(0);
    for n in 0..=whole.data.len() {
        let e = explain(&whole.data[..n]);
        assert!(e.rows.iter().all(|r| r.offset + r.len <= n));
    }
}

#[test]
fn frames_are_read_by_number_and_errors_say_why() {
    let v = corpus::vectors().into_iter().find(|v| v.id == "handshake-in-order").expect("handshake vector");
    let built = build_vector(&v);
    let count = built.dissection.frames.len() as u64;
    assert_eq!(read_frame(&built.capture[..], count).unwrap().number, count);
    let missing = read_frame(&built.capture[..], count + 1).unwrap_err();
    assert!(missing.to_string().contains(&format!("holds {count} frame")), "{missing}");
    assert!(read_frame(&b"garbage!"[..], 1).is_err());
    assert!(read_frame(&b""[..], 1).is_err());
}
