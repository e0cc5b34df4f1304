//! The `vxconform` binary: exit codes, formats, output files.

mod common;

use std::process::{Command, Output};

fn vxconform(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vxconform"))
        .current_dir(common::root())
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("vxconform runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn reference_passes_with_exit_0() {
    let o = vxconform(&["run", "--decoder", "reference"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("result: PASS"), "{}", stdout(&o));
    assert!(!stdout(&o).contains('\x1b'), "no colour when not on a terminal");
}

#[test]
fn failures_exit_1_and_expect_fail_lists_turn_them_off() {
    if !common::require_tool("python3") {
        return;
    }
    let swap = common::fixture("swap_vni.py");
    let o = vxconform(&["run", "--decoder", &swap, "--filter", "vni-9999999", "--filter", "vni-0"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("vxlan.vni: expected 9999999, got 8361624"), "{}", stdout(&o));

    let dir = tempfile::tempdir().unwrap();
    let xfail = dir.path().join("xfail.txt");
    std::fs::write(&xfail, "# known\nvni-9999999\n").unwrap();
    let x = xfail.to_str().unwrap();
    let o = vxconform(&[
        "run",
        "--decoder",
        &swap,
        "--filter",
        "vni-9999999",
        "--filter",
        "vni-0",
        "--expect-fail",
        x,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    // A vector in the list that passes makes the list stale: a failure.
    std::fs::write(&xfail, "vni-0\n").unwrap();
    let o = vxconform(&["run", "--decoder", &swap, "--filter", "vni-0", "--expect-fail", x]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("remove it from the list"), "{}", stdout(&o));
}

#[test]
fn skip_lists_skip() {
    let dir = tempfile::tempdir().unwrap();
    let skip = dir.path().join("skip.txt");
    std::fs::write(&skip, "vni-0\nno-such-vector\n").unwrap();
    let o =
        vxconform(&["run", "--decoder", "reference", "--filter", "vni-*", "--skip", skip.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("7 pass, 1 skipped"), "{out}");
    assert!(out.contains("warning: the skip list names \"no-such-vector\""), "{out}");
}

#[test]
fn usage_and_setup_errors_exit_2() {
    for args in [
        vec!["run"],
        vec!["run", "--decoder", "reference", "--format", "yaml"],
        vec!["run", "--decoder", "nonsense"],
        vec!["run", "--decoder", "reference", "--vectors", "/no/such/dir"],
        vec!["run", "--decoder", "cmd:no-such-decoder-program"],
        vec!["run", "--decoder", "reference", "--filter", "no-such-vector-*"],
        vec!["run", "--decoder", "reference", "--skip", "/no/such/list"],
        vec!["run", "--decoder", "reference", "--timeout", "0"],
    ] {
        let o = vxconform(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).is_empty(), "{args:?} says why");
    }
    let o = vxconform(&["run", "--decoder", "cmd:no-such-decoder-program"]);
    assert!(stderr(&o).contains("program not found"), "{}", stderr(&o));
}

#[test]
fn formats_and_output_file() {
    let dir = tempfile::tempdir().unwrap();
    for (format, check) in [
        ("json", "\"report_version\": 1"),
        ("junit", "<testsuites"),
        ("markdown", "## vxconform: `reference`"),
        ("text", "result: PASS"),
    ] {
        let path = dir.path().join(format!("report.{format}"));
        let o = vxconform(&[
            "run",
            "--decoder",
            "reference",
            "--filter",
            "gwlb",
            "--format",
            format,
            "--output",
            path.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(stdout(&o).is_empty());
        assert!(stderr(&o).contains("8 vectors, 7 pass, 1 acceptable"), "{}", stderr(&o));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(check), "{format}: {text}");
    }
}

/// `--decoder`'s help names every decoder `vxconform` knows.
#[test]
fn decoder_help_names_every_decoder() {
    for command in ["run", "decode"] {
        let help = stdout(&vxconform(&[command, "--help"]));
        for name in conformance::decoder::names() {
            assert!(help.contains(name), "`vxconform {command} --help` does not name {name}:\n{help}");
        }
    }
}
