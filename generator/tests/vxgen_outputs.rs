//! Where `vxgen generate -o PATH` writes, through the built binary
//! (`CARGO_BIN_EXE_vxgen`), and what happens when it is interrupted:
//!
//! * a character device, a FIFO or a symlink given as the output stays what
//!   it is, with or without `--force`: a device or FIFO is written in place
//!   (a FIFO's reader gets the whole capture), a symlink is followed and the
//!   file it names is replaced (with `--force`) or created (a dangling link,
//!   with `--force`), never the link itself (capture/output.rs, `Output`);
//! * `-o /dev/full` fails with one line saying there is no space;
//!   `-o /dev/stdout` is standard output;
//! * `SIGINT`, `SIGTERM` and `SIGHUP` during a long run remove the temporary
//!   file and exit with 128 + the signal number (capture/cleanup.rs);
//!   `SIGKILL` leaves a visible `NAME.partial-XXXXXX`; under `nohup` SIGHUP
//!   stays ignored.

mod common;
mod vxgen_support;

use generator::capture::Format;
use std::io::Read;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use vxgen_support::{dir_entries, read_pcap, stderr_of, vxgen, Gen, VXGEN};

/// The options of every run here: small, classic pcap (so that
/// `read_pcap` parses it record by record), a fixed VNI.
fn gen() -> Gen {
    Gen::new(21).vni(2121).count(12).format(Format::Pcap)
}

/// `gen()`'s arguments with `-o path` and, if asked, `--force`.
fn args_to(path: &Path, force: bool) -> Vec<String> {
    let mut args = gen().args();
    args.extend(["-o".to_string(), path.to_str().expect("UTF-8 path").to_string()]);
    if force {
        args.push("--force".into());
    }
    args
}

/// The bytes `gen()` writes to a fresh regular file: what every other kind
/// of output must receive too.
fn reference_capture() -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (path, _) = gen().run(dir.path());
    let bytes = std::fs::read(path).expect("reading the reference capture");
    let (records, _) = read_pcap(&bytes);
    assert!(!records.is_empty(), "the reference capture holds no packet");
    bytes
}

fn assert_success(args: &[String], out: &std::process::Output) {
    assert!(out.status.success(), "vxgen {args:?} failed ({}): {}", out.status, stderr_of(out));
}

/// `mknod PATH c 1 3`: a clone of `/dev/null` (Linux devices.txt: major 1,
/// minor 3). `false`, after saying `SKIP`, where that is not permitted (not
/// root) unless `CI=true`, where it fails the test.
fn make_null_device(path: &Path) -> bool {
    let out = Command::new("mknod").arg(path).args(["c", "1", "3"]).output().expect("running mknod");
    if out.status.success() {
        return true;
    }
    let why = String::from_utf8_lossy(&out.stderr).trim().to_string();
    assert!(
        !common::in_ci(),
        "mknod {} c 1 3 failed ({why}); CI=true runs as root, so it must work",
        path.display()
    );
    eprintln!("SKIP: mknod not permitted ({why}); the character-device case is not run");
    false
}

fn make_fifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("running mkfifo");
    assert!(status.success(), "mkfifo {} failed", path.display());
}

fn file_type(path: &Path) -> std::fs::FileType {
    std::fs::symlink_metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).file_type()
}

/// A character device (a `/dev/null` clone) given as the output, without
/// and with `--force`: the run succeeds and the device is still a character
/// device, with nothing else in its directory.
#[test]
fn a_character_device_is_written_in_place() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let device = dir.path().join("null");
    if !make_null_device(&device) {
        return;
    }
    for force in [false, true] {
        let args = args_to(&device, force);
        let out = vxgen(&args);
        assert_success(&args, &out);
        assert!(
            file_type(&device).is_char_device(),
            "vxgen {args:?}: the device is no longer a character device"
        );
        assert_eq!(dir_entries(dir.path()), ["null"], "vxgen {args:?}: directory afterwards");
    }
    // The real one too, as a user types it.
    let out = vxgen(&["generate", "--count", "2", "-o", "/dev/null"]);
    assert!(out.status.success(), "vxgen -o /dev/null failed: {}", stderr_of(&out));
    assert!(file_type(Path::new("/dev/null")).is_char_device(), "/dev/null is no longer a character device");
}

/// A FIFO given as the output, without and with `--force`: a reader thread
/// gets exactly the capture a regular file gets (a classic pcap parsed
/// record by record), and the FIFO is still a FIFO.
#[test]
fn a_fifo_feeds_its_reader() {
    let reference = reference_capture();
    let dir = tempfile::tempdir().expect("temporary directory");
    let fifo = dir.path().join("capture.fifo");
    make_fifo(&fifo);
    for force in [false, true] {
        let (tx, rx) = mpsc::channel();
        let reader_path = fifo.clone();
        // Opening a FIFO blocks until the other end is opened too: the reader
        // waits for vxgen, vxgen for the reader.
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let read = std::fs::File::open(reader_path).and_then(|mut f| f.read_to_end(&mut bytes));
            let _ = tx.send(read.map(|_| bytes));
        });
        let args = args_to(&fifo, force);
        let out = vxgen(&args);
        assert_success(&args, &out);
        let got = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("vxgen {args:?}: the FIFO's reader got no end of file"))
            .expect("reading the FIFO");
        assert!(got.len() >= 24, "vxgen {args:?}: the reader got {} bytes", got.len());
        assert_eq!(u32::from_le_bytes(got[0..4].try_into().unwrap()), 0xa1b2_c3d4, "pcap magic");
        let (records, _) = read_pcap(&got);
        assert_eq!(
            records.len(),
            read_pcap(&reference).0.len(),
            "vxgen {args:?}: records read from the FIFO"
        );
        assert!(got == reference, "vxgen {args:?}: the FIFO carried other bytes than a file gets");
        assert!(file_type(&fifo).is_fifo(), "vxgen {args:?}: the FIFO is no longer a FIFO");
        assert_eq!(dir_entries(dir.path()), ["capture.fifo"], "vxgen {args:?}: directory afterwards");
    }
}

/// A symlink to a regular file in another directory: refused without
/// `--force` (the target untouched); with it the target holds the capture,
/// replaced atomically in its own directory, and the link is still a link
/// to it. A dangling symlink: refused without `--force`, its target created
/// with it.
#[test]
fn a_symlink_is_followed_and_never_replaced() {
    let reference = reference_capture();
    let links = tempfile::tempdir().expect("temporary directory");
    let files = tempfile::tempdir().expect("temporary directory");
    let target = files.path().join("real.pcap");
    std::fs::write(&target, b"precious").expect("writing a file");
    let link = links.path().join("link.pcap");
    std::os::unix::fs::symlink(&target, &link).expect("creating a symlink");

    let args = args_to(&link, false);
    let out = vxgen(&args);
    assert_eq!(out.status.code(), Some(1), "vxgen {args:?} (stderr {:?})", stderr_of(&out));
    assert_eq!(stderr_of(&out).lines().count(), 1, "vxgen {args:?}: {:?}", stderr_of(&out));
    assert!(stderr_of(&out).contains("--force"), "vxgen {args:?}: {:?}", stderr_of(&out));
    assert_eq!(std::fs::read(&target).expect("reading the target"), b"precious");

    let args = args_to(&link, true);
    let out = vxgen(&args);
    assert_success(&args, &out);
    assert!(file_type(&link).is_symlink(), "vxgen {args:?}: the symlink was replaced");
    assert_eq!(std::fs::read_link(&link).expect("reading the link"), target, "the link was changed");
    assert!(file_type(&target).is_file());
    assert!(
        std::fs::read(&target).expect("reading the target") == reference,
        "the target does not hold the capture"
    );
    assert_eq!(dir_entries(links.path()), ["link.pcap"]);
    assert_eq!(dir_entries(files.path()), ["real.pcap"]);

    // Dangling.
    let new_target = files.path().join("new.pcap");
    let dangling = links.path().join("dangling.pcap");
    std::os::unix::fs::symlink(&new_target, &dangling).expect("creating a symlink");
    let args = args_to(&dangling, false);
    let out = vxgen(&args);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "vxgen {args:?} (stderr {stderr:?})");
    assert_eq!(stderr.lines().count(), 1, "vxgen {args:?}: {stderr:?}");
    assert!(stderr.contains("does not exist") && stderr.contains("--force"), "vxgen {args:?}: {stderr:?}");
    assert!(!new_target.exists());
    let args = args_to(&dangling, true);
    let out = vxgen(&args);
    assert_success(&args, &out);
    assert!(file_type(&dangling).is_symlink());
    assert!(std::fs::read(&new_target).expect("reading the new target") == reference);
    assert_eq!(dir_entries(links.path()), ["dangling.pcap", "link.pcap"]);
    assert_eq!(dir_entries(files.path()), ["new.pcap", "real.pcap"]);
}

/// `-o /dev/full`: exit status 1 and exactly one line on stderr, naming the
/// device and saying there is no space, whether the error comes at the
/// final flush (a small capture) or during the run (a large one).
#[test]
fn dev_full_fails_with_one_line() {
    if !Path::new("/dev/full").exists() {
        assert!(!common::in_ci(), "/dev/full is missing");
        eprintln!("SKIP: no /dev/full on this system");
        return;
    }
    for count in ["2", "3000"] {
        let args = ["generate", "--count", count, "-o", "/dev/full"];
        let out = vxgen(&args);
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(1), "vxgen {args:?} (stderr {stderr:?})");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "vxgen {args:?}: stderr is not one line: {stderr:?}");
        assert!(lines[0].starts_with("vxgen: /dev/full: "), "vxgen {args:?}: {stderr:?}");
        assert!(lines[0].to_lowercase().contains("no space"), "vxgen {args:?}: {stderr:?}");
        assert!(file_type(Path::new("/dev/full")).is_char_device());
    }
}

/// `-o /dev/stdout` is standard output: the same bytes as `-o -`.
#[test]
fn dev_stdout_is_standard_output() {
    let reference = reference_capture();
    for name in ["/dev/stdout", "-"] {
        let mut args = gen().args();
        args.extend(["-o".to_string(), name.to_string()]);
        let out = vxgen(&args);
        assert_success(&args, &out);
        assert!(out.stdout == reference, "vxgen {args:?}: standard output differs from a file");
    }
}

// ---------------------------------------------------------------------------
// Signals.

/// The run of the signal tests: long enough to still be running when the
/// signal comes. It starts with the default action for SIGHUP, SIGINT and
/// SIGTERM (`env --default-signal`, GNU coreutils 8.31), whatever this test
/// process inherited: vxgen leaves a signal that it inherited as ignored
/// ignored (capture/cleanup.rs). `wrapper` runs between env and vxgen.
fn start_long_run(dir: &Path, wrapper: &[&str]) -> (std::process::Child, PathBuf) {
    let path = dir.join("big.pcap");
    let child = Command::new("env")
        .arg("--default-signal=HUP,INT,TERM")
        .args(wrapper)
        .arg(VXGEN)
        .args(["generate", "--count", "50000000", "-o", path.to_str().expect("UTF-8 path")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting vxgen");
    (child, path)
}

/// Waits (at most 10 s) until `dir` holds the run's temporary file, then
/// until `since` is 1 s old; returns the temporary file's name.
fn wait_for_partial(dir: &Path, since: Instant) -> String {
    let deadline = since + Duration::from_secs(10);
    loop {
        let entries = dir_entries(dir);
        if let [name] = entries.as_slice() {
            let suffix =
                name.strip_prefix("big.pcap.partial-").unwrap_or_else(|| panic!("unexpected {name:?}"));
            assert_eq!(suffix.len(), 6, "temporary file {name:?}");
            std::thread::sleep((since + Duration::from_secs(1)).saturating_duration_since(Instant::now()));
            return name.clone();
        }
        assert!(entries.is_empty(), "unexpected entries {entries:?}");
        assert!(Instant::now() < deadline, "no temporary file after 10 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn send(signal: &str, child: &std::process::Child) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("running kill");
    assert!(status.success(), "kill -{signal} failed");
}

/// Waits (at most 30 s) for `child` to end; kills it and fails otherwise.
fn wait(mut child: std::process::Child, what: &str) -> std::process::Output {
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("waiting for vxgen").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("vxgen still running 30 s after {what}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("collecting vxgen's output")
}

/// SIGINT, SIGTERM and SIGHUP 1 s into a long run: exit status 130, 143 and
/// 129 (128 + signal number), and the directory is empty: no capture, no
/// temporary file.
#[test]
fn signals_remove_the_temporary_file_and_exit_128_plus_signo() {
    use std::os::unix::process::ExitStatusExt;
    for (signal, code) in [("INT", 130), ("TERM", 143), ("HUP", 129)] {
        let dir = tempfile::tempdir().expect("temporary directory");
        let started = Instant::now();
        let (child, _) = start_long_run(dir.path(), &[]);
        wait_for_partial(dir.path(), started);
        send(signal, &child);
        let out = wait(child, &format!("SIG{signal}"));
        assert_eq!(
            (out.status.code(), out.status.signal()),
            (Some(code), None),
            "SIG{signal}: exit status (stderr {:?})",
            stderr_of(&out)
        );
        assert_eq!(dir_entries(dir.path()), Vec::<String>::new(), "SIG{signal}: left in the directory");
    }
}

/// SIGKILL cannot be caught: it leaves the temporary file, visible and
/// named after the capture (`big.pcap.partial-XXXXXX`), as the README says.
#[test]
fn sigkill_leaves_a_visible_partial_file() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().expect("temporary directory");
    let started = Instant::now();
    let (child, _) = start_long_run(dir.path(), &[]);
    let name = wait_for_partial(dir.path(), started);
    send("KILL", &child);
    let out = wait(child, "SIGKILL");
    assert_eq!(out.status.signal(), Some(9), "SIGKILL: exit status {}", out.status);
    assert_eq!(dir_entries(dir.path()), [name]);
}

/// Under `nohup` (SIGHUP ignored when vxgen starts) a hangup does not stop
/// the run; SIGTERM still cleans up.
#[test]
fn nohup_keeps_sighup_ignored() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().expect("temporary directory");
    let started = Instant::now();
    let (mut child, _) = start_long_run(dir.path(), &["nohup"]);
    let name = wait_for_partial(dir.path(), started);
    send("HUP", &child);
    std::thread::sleep(Duration::from_millis(500));
    assert!(child.try_wait().expect("waiting for vxgen").is_none(), "vxgen under nohup ended on SIGHUP");
    assert_eq!(dir_entries(dir.path()), [name]);
    send("TERM", &child);
    let out = wait(child, "SIGTERM");
    assert_eq!((out.status.code(), out.status.signal()), (Some(143), None), "{:?}", stderr_of(&out));
    assert_eq!(dir_entries(dir.path()), Vec::<String>::new());
}
