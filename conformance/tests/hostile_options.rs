//! Whatever its options, `vxconform` never panics (exit status 101): a
//! usage error exits 2 with one line on standard error; report files are
//! written whole or not at all.

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use hostile::{command, stderr, stdout, vxconform, Scripts};
use std::ffi::{OsStr, OsString};
use std::process::{Output, Stdio};

/// `run --decoder reference --filter vni-0` with `extra`.
fn run_with(extra: &[&OsStr]) -> Output {
    let mut args: Vec<&OsStr> =
        ["run", "--decoder", "reference", "--filter", "vni-0"].map(OsStr::new).to_vec();
    args.extend_from_slice(extra);
    vxconform(&args)
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

/// The arguments and what came of them, shortened.
fn describe(args: &[&OsStr], o: &Output) -> String {
    let short =
        |s: String| if s.chars().count() > 600 { s.chars().take(600).collect::<String>() + "..." } else { s };
    let args = short(format!("{args:?}"));
    format!("{args}: status {:?}\nstdout: {}\nstderr: {}", o.status, short(stdout(o)), short(stderr(o)))
}

/// Exits with a status (no signal), never 101.
fn assert_no_panic(args: &[&OsStr], o: &Output) {
    assert!(o.status.code().is_some_and(|c| c != 101), "{}", describe(args, o));
    assert!(!stderr(o).contains("panicked"), "{}", describe(args, o));
}

/// Exits 2 with one line on standard error.
fn assert_usage_error(args: &[&OsStr], o: &Output) {
    assert_no_panic(args, o);
    assert_eq!(o.status.code(), Some(2), "{}", describe(args, o));
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "one line: {}", describe(args, o));
    assert!(err.starts_with("vxconform: ") && err.ends_with('\n'), "{}", describe(args, o));
    assert!(!err.contains('\x1b'), "{}", describe(args, o));
}

#[test]
fn the_issues_cases_are_one_line_usage_errors() {
    for (option, value, says) in [
        ("--timeout", "1e30", "seconds from 0.001 to 86400"),
        ("--timeout", "1e19", "seconds from 0.001 to 86400"),
        ("--timeout", "-1", "seconds from 0.001 to 86400"),
        ("--jobs", "0", "from 1 to 64"),
        ("--max-output", "1e30", "MiB from 1 to 4096"),
    ] {
        let args = [os(option), os(value)];
        let o = run_with(&args);
        assert_usage_error(&args, &o);
        assert!(stderr(&o).contains(says) && stderr(&o).contains(option), "{}", describe(&args, &o));
    }
}

#[test]
fn numeric_options_are_range_checked() {
    let huge = "9".repeat(400);
    let bad_timeouts = [
        "0",
        "-0",
        "0.0009",
        "86400.001",
        "1e19",
        "1e30",
        "1e309",
        "-1e309",
        "nan",
        "NaN",
        "-nan",
        "inf",
        "-inf",
        "infinity",
        "",
        " ",
        "1s",
        "0x10",
        "1,5",
        "\u{661}",
        &huge,
    ];
    for v in bad_timeouts {
        let args = [os("--timeout"), os(v)];
        assert_usage_error(&args, &run_with(&args));
    }
    for v in ["0", "-1", "65", "1e3", "1.0", "", "18446744073709551616", &huge] {
        let args = [os("--jobs"), os(v)];
        assert_usage_error(&args, &run_with(&args));
    }
    for v in ["0", "-1", "4097", "1e30", "1.5", "", "64MB", "18446744073709551616", &huge] {
        let args = [os("--max-output"), os(v)];
        assert_usage_error(&args, &run_with(&args));
    }
    // The edges of the ranges run.
    for args in [
        [os("--timeout"), os("0.001")],
        [os("--timeout"), os("86400")],
        [os("--timeout"), os(" 5 ")],
        [os("--jobs"), os("1")],
        [os("--jobs"), os("64")],
        [os("--max-output"), os("1")],
        [os("--max-output"), os("4096")],
    ] {
        let o = run_with(&args);
        assert_no_panic(&args, &o);
        // 0.001 s is enough for the in-process reference decoder.
        assert_eq!(o.status.code(), Some(0), "{}", describe(&args, &o));
    }
}

#[cfg(unix)]
#[test]
fn other_hostile_arguments_exit_cleanly() {
    use std::os::unix::ffi::OsStrExt;
    let long = format!("cmd:{}", "x".repeat(100_000));
    let long_filter = "*".repeat(100_000);
    let non_utf8 = OsStr::from_bytes(b"cmd:\xff\xfe");
    let non_utf8_path = OsStr::from_bytes(b"/tmp/\xff\xfe-no-such");
    let file = common::root().join("Cargo.toml");
    let file = file.as_os_str();
    // (arguments, whether it is a usage or setup error)
    let cases: Vec<(Vec<&OsStr>, bool)> = vec![
        (vec![], true),
        (vec![os("run")], true),
        (vec![os("bogus")], true),
        (vec![os("run"), os("--decoder")], true),
        (vec![os("run"), os("--decoder"), os("")], true),
        (vec![os("run"), os("--decoder"), os("cmd:")], true),
        (vec![os("run"), os("--decoder"), os("cmd:   ")], true),
        (vec![os("run"), os("--decoder"), os("nonsense")], true),
        (vec![os("run"), os("--decoder"), os("tshark\n\x1b[2J")], true),
        (vec![os("run"), os("--decoder"), non_utf8], true),
        // The shell cannot run it: a decoder error, exit 1.
        (vec![os("run"), os("--decoder"), os(&long), os("--filter"), os("vni-0")], false),
        (vec![os("run"), os("--decoder"), os("reference"), os("--decoder"), os("reference")], true),
        (vec![os("run"), os("--decoder"), os("reference"), os("--format"), os("")], true),
        (vec![os("run"), os("--decoder"), os("reference"), os("--color"), os("sometimes")], true),
        (vec![os("run"), os("--decoder"), os("reference"), os("--filter"), os("[")], true),
        (vec![os("run"), os("--decoder"), os("reference"), os("--filter"), os("[!")], true),
        (vec![os("run"), os("--decoder"), os("reference"), os("--filter"), os("\\")], true),
        (vec![os("run"), os("--decoder"), os("reference"), os("--filter"), os("")], true),
        (vec![os("run"), os("--decoder"), os("reference"), os("--filter"), os(&long_filter)], true),
        (vec![os("run"), os("--decoder"), os("reference"), os("--filter"), os("**")], false),
        (vec![os("run"), os("--decoder"), os("reference"), os("--vectors"), os("/dev/null")], true),
        (vec![os("run"), os("--decoder"), os("reference"), os("--vectors"), file], true),
        (vec![os("run"), os("--decoder"), os("reference"), os("--vectors"), os("/no/such/dir")], true),
        (vec![os("run"), os("--decoder"), os("reference"), os("--vectors"), os("")], true),
        (vec![os("run"), os("--decoder"), os("reference"), os("--vectors"), non_utf8_path], true),
        (
            vec![
                os("run"),
                os("--decoder"),
                os("reference"),
                os("--skip"),
                os("/dev/null"),
                os("--filter"),
                os("vni-0"),
            ],
            false,
        ),
        (vec![os("run"), os("--decoder"), os("reference"), os("--skip"), os("/")], true),
        (vec![os("run"), os("--decoder"), os("reference"), os("--skip"), os("/bin/sh")], true),
        (vec![os("run"), os("--decoder"), os("reference"), os("--expect-fail"), os("/no/such")], true),
        (
            vec![
                os("run"),
                os("--decoder"),
                os("reference"),
                os("--filter"),
                os("vni-0"),
                os("--output"),
                os("/"),
            ],
            true,
        ),
        (
            vec![
                os("run"),
                os("--decoder"),
                os("reference"),
                os("--filter"),
                os("vni-0"),
                os("--output"),
                os(""),
            ],
            true,
        ),
        (
            vec![
                os("run"),
                os("--decoder"),
                os("reference"),
                os("--filter"),
                os("vni-0"),
                os("--output"),
                os("/no/such/dir/r.json"),
            ],
            true,
        ),
        (
            vec![
                os("run"),
                os("--decoder"),
                os("reference"),
                os("--filter"),
                os("vni-0"),
                os("--output"),
                os("/dev/full"),
            ],
            true,
        ),
        (
            vec![
                os("run"),
                os("--decoder"),
                os("reference"),
                os("--filter"),
                os("vni-0"),
                os("--output"),
                os("/dev/null"),
            ],
            false,
        ),
        (vec![os("run"), os("--decoder"), os("cmd:exit 0"), os("--filter"), os("vni-0")], false),
        (
            vec![os("run"), os("--decoder"), os("cmd:exec 1>&- 2>&-; exit 9"), os("--filter"), os("vni-0")],
            false,
        ),
        (vec![os("matrix"), os("--decoders"), os("")], true),
        (vec![os("matrix"), os("--decoders"), os("nonsense")], true),
        (vec![os("matrix"), os("--check")], true),
        (vec![os("matrix"), os("--timeout"), os("inf")], true),
    ];
    for (args, usage) in &cases {
        let o = vxconform(args);
        if *usage {
            // `vxconform` alone prints its help: more than one line.
            if args.is_empty() {
                assert_no_panic(args, &o);
                assert_eq!(o.status.code(), Some(2), "{}", describe(args, &o));
            } else {
                assert_usage_error(args, &o);
            }
        } else {
            assert_no_panic(args, &o);
            assert!(matches!(o.status.code(), Some(0 | 1)), "{}", describe(args, &o));
        }
    }
}

#[test]
fn help_and_version_exit_0() {
    for args in [["--help"], ["--version"], ["-h"]] {
        let o = vxconform(&args);
        assert_eq!(o.status.code(), Some(0), "{}", describe(&[os(args[0])], &o));
        assert!(!stdout(&o).is_empty());
    }
}

#[cfg(unix)]
#[test]
fn a_closed_stderr_is_no_panic() {
    // Every message goes to a pipe nobody reads: EPIPE, not a panic.
    for args in [vec!["run", "--decoder", "nonsense"], vec!["run", "--jobs", "0"], vec!["run"]] {
        let mut child = command(&args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(2), "{args:?}: {status:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let mut child = command(&["run", "--decoder", "reference", "--filter", "vni-0", "--output"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(std::fs::read_to_string(&out).unwrap().contains("result: PASS"));
}

#[cfg(unix)]
#[test]
fn report_files_are_whole_or_absent_and_special_files_are_written_in_place() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let dir = Scripts::new();
    let report = dir.path("report.json");
    let args = |out: &OsStr| -> Vec<OsString> {
        ["run", "--decoder", "reference", "--filter", "vni-0", "--format", "json", "--output"]
            .map(OsString::from)
            .into_iter()
            .chain([out.to_owned()])
            .collect()
    };
    // A new file, then the same file replaced whole, keeping its permissions.
    let o = vxconform(&args(report.as_os_str()));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&report).unwrap()).unwrap();
    std::fs::set_permissions(&report, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::fs::write(&report, "old").unwrap();
    let o = vxconform(&args(report.as_os_str()));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(std::fs::metadata(&report).unwrap().permissions().mode() & 0o777, 0o640);
    // A run that fails to start leaves the file alone.
    std::fs::write(&report, "old").unwrap();
    let mut bad = args(report.as_os_str());
    bad[2] = "nonsense".into();
    assert_eq!(vxconform(&bad).status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&report).unwrap(), "old");
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, [OsString::from("report.json")]);

    // /dev/stdout is written in place (here, a pipe).
    let o = vxconform(&args(OsStr::new("/dev/stdout")));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap();

    // A FIFO stays a FIFO, and its reader gets the report.
    let fifo = dir.path("fifo");
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: mkfifo(3) with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let o = vxconform(&args(fifo.as_os_str()));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    serde_json::from_str::<serde_json::Value>(&reader.join().unwrap()).unwrap();
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());

    // A symbolic link is written through, not replaced.
    let target = dir.path("target.json");
    let link = dir.path("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let o = vxconform(&args(link.as_os_str()));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&target).unwrap()).unwrap();
}
