//! `vxconform list`, `show` and `decode` on real output.

mod common;

use std::process::{Command, Output};

fn vxconform(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vxconform")).current_dir(common::root()).args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn list_shows_ids_subjects_and_readings() {
    let o = vxconform(&["list", "--filter", "gbp"]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(text.contains("gbp-g-d-a") && text.contains("vxlan.group_policy_id"), "{text}");
    assert!(text.ends_with("10 vectors\n"), "{text}");
    let o = vxconform(&["list", "--filter", "i-flag", "--format", "json"]);
    let rows: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["readings"], serde_json::json!(["as-found", "flagged"]));
    let o = vxconform(&["list", "--filter", "no-such-*"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn show_annotates_the_vxlan_bytes_under_both_readings() {
    let o = vxconform(&["show", "gbp-g-d-a"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = stdout(&o);
    assert!(text.contains("\"id\": \"gbp-g-d-a\""), "the manifest entry: {text}");
    // First word 0x8848ffff, VNI 9999999 = 98 96 7f, at offset 42 (0x2a) of the frame.
    assert!(text.contains("  002a  88 48 ff ff 98 96 7f 00"), "{text}");
    assert!(text.contains("Flags (16)            0x8848  G=1 I=1 D=1 A=1"), "{text}");
    assert!(text.contains("Reserved (24)  0x48ffff"), "{text}");
    assert!(text.contains("Group Policy ID (16)  65535"), "{text}");
    let vni = text.lines().find(|l| l.contains("VNI (24)")).expect("the VNI under both readings");
    assert_eq!(vni.matches("9999999").count(), 2, "{vni}");
    let o = vxconform(&["show", "gbp-g-d"]);
    assert!(o.status.success());
    let o = vxconform(&["show", "nope"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn decode_prints_the_model_and_diffs_two_decoders() {
    if !common::require_tool("python3") {
        return;
    }
    let capture = "vectors/vni/vni-9999999.pcap";
    let o = vxconform(&["decode", "--decoder", "reference", capture]);
    assert!(o.status.success());
    let frame: serde_json::Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(frame["vxlan"]["vni"], 9_999_999);
    // The reference against a decoder that swaps the VNI's bytes: exactly that field.
    let swap = common::fixture("swap_vni.py");
    let o = vxconform(&["decode", "--decoder", "reference", "--against", &swap, capture]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(text.starts_with("frame 1 vxlan.vni: reference 9999999 | "), "{text}");
    assert!(text.contains("8361624"), "{text}");
    assert!(
        text.lines().last().unwrap().starts_with("1 fields differ between reference and cmd:python3"),
        "{text}"
    );
    // Against itself: nothing differs, exit 0.
    let o = vxconform(&["decode", "--decoder", "reference", "--against", "reference", capture]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // Not a capture file: one line, exit 2.
    let o = vxconform(&["decode", "--decoder", "reference", "/dev/null"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn all_prints_every_failure() {
    if !common::require_tool("python3") {
        return;
    }
    let swap = common::fixture("swap_vni.py");
    let count = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "--decoder",
            swap.as_str(),
            "--color",
            "never",
            "--filter",
            "gbp",
            "--filter",
            "reserved",
        ];
        args.extend_from_slice(extra);
        let o = vxconform(&args);
        assert_eq!(o.status.code(), Some(1));
        stdout(&o).lines().filter(|l| l.starts_with("  FAIL")).count()
    };
    let (some, all) = (count(&[]), count(&["--all"]));
    assert_eq!(all, 17, "every gbp and reserved vector fails on the swapped VNI");
    assert!(some < all, "{some} of {all} without --all");
}
