//! Unit tests of `output`.

use super::*;
use std::collections::BTreeSet;

fn entries(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

fn file_target(path: &Path) -> OutputTarget {
    OutputTarget::File(path.to_path_buf())
}

fn registered(temp: &Path) -> bool {
    live_temp_files().iter().any(|p| p == temp)
}

#[test]
fn parses_targets() {
    assert_eq!("-".parse::<OutputTarget>(), Ok(OutputTarget::Stdout));
    assert_eq!("./-".parse::<OutputTarget>(), Ok(OutputTarget::File("./-".into())));
    assert_eq!("".parse::<OutputTarget>(), Err(ParseError::EmptyPath));
    assert_eq!(OutputTarget::from(PathBuf::from("a/b.pcap")), OutputTarget::File("a/b.pcap".into()));
    assert_eq!(OutputTarget::Stdout.to_string(), "standard output");
    for stdout in ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"] {
        assert_eq!(stdout.parse::<OutputTarget>(), Ok(OutputTarget::Stdout));
        assert_eq!(OutputTarget::from(PathBuf::from(stdout)), OutputTarget::Stdout);
    }
    assert_eq!("/dev/stderr".parse::<OutputTarget>(), Ok(OutputTarget::File("/dev/stderr".into())));
}

#[test]
fn file_appears_only_on_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.pcap");
    let mut out = Output::create(&file_target(&path), false).unwrap();
    assert_eq!(out.path(), Some(path.as_path()));
    // More than the buffer, so that some of it really reaches the temporary file.
    let chunk = vec![0xa5u8; 3 * OUTPUT_BUFFER_SIZE / 2];
    out.write_all(&chunk).unwrap();
    assert!(!path.exists());

    // The temporary file is in the same directory, named after the target
    // (`out.pcap.partial-XXXXXX`), and registered for the signal clean-up.
    let temp = out.temp_path().unwrap().to_path_buf();
    assert_eq!(temp.parent(), Some(dir.path()));
    let temp_name = temp.file_name().unwrap().to_str().unwrap();
    let suffix = temp_name.strip_prefix("out.pcap.partial-").unwrap_or_else(|| panic!("{temp_name}"));
    assert_eq!(suffix.len(), 6, "{temp_name}");
    assert_eq!(entries(dir.path()), BTreeSet::from([temp_name.to_owned()]));
    assert!(registered(&temp));

    out.commit().unwrap();
    assert_eq!(entries(dir.path()), BTreeSet::from(["out.pcap".to_owned()]));
    assert_eq!(fs::read(&path).unwrap(), chunk);
    assert!(!registered(&temp), "committed, yet still registered for the signal clean-up");
}

#[cfg(unix)]
#[test]
fn committed_file_has_ordinary_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference");
    fs::File::create(&reference).unwrap();
    let path = dir.path().join("out.pcap");
    Output::create(&file_target(&path), false).unwrap().commit().unwrap();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), mode(&reference));
}

#[test]
fn dropping_without_commit_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.pcapng");
    let mut out = Output::create(&file_target(&path), false).unwrap();
    out.write_all(&vec![1u8; 2 * OUTPUT_BUFFER_SIZE]).unwrap();
    let temp = out.temp_path().unwrap().to_path_buf();
    drop(out);
    assert!(entries(dir.path()).is_empty());
    assert!(!registered(&temp));
}

#[test]
fn a_panic_leaves_nothing_and_keeps_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.pcap");
    fs::write(&path, b"previous").unwrap();
    let target = file_target(&path);
    let result = std::panic::catch_unwind(|| {
        let mut out = Output::create(&target, true).unwrap();
        out.write_all(b"new but unfinished").unwrap();
        panic!("generator bug");
    });
    assert!(result.is_err());
    assert_eq!(entries(dir.path()), BTreeSet::from(["out.pcap".to_owned()]));
    assert_eq!(fs::read(&path).unwrap(), b"previous");
}

#[test]
fn refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.pcap");
    fs::write(&path, b"precious").unwrap();
    let err = Output::create(&file_target(&path), false).unwrap_err();
    assert!(matches!(&err, CaptureError::AlreadyExists(p) if p == &path), "{err:?}");
    assert!(err.to_string().contains("out.pcap"));
    assert_eq!(fs::read(&path).unwrap(), b"precious");
    assert_eq!(entries(dir.path()).len(), 1);
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_counts_as_existing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("link.pcap");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &path).unwrap();
    let err = Output::create(&file_target(&path), false).unwrap_err();
    // Refused without force, saying where the link points.
    let nowhere = fs::canonicalize(dir.path()).unwrap().join("nowhere");
    assert!(
        matches!(&err, CaptureError::DanglingSymlink { link, target } if link == &path && target == &nowhere),
        "{err:?}"
    );
    assert!(err.to_string().contains("--force"), "{err}");
    assert_eq!(entries(dir.path()), BTreeSet::from(["link.pcap".to_owned()]));
}

#[test]
fn overwrites_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.pcap");
    fs::write(&path, b"old").unwrap();
    let mut out = Output::create(&file_target(&path), true).unwrap();
    out.write_all(b"new").unwrap();
    // Still the old content until the commit.
    assert_eq!(fs::read(&path).unwrap(), b"old");
    out.commit().unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"new");
    assert_eq!(entries(dir.path()).len(), 1);
}

#[test]
fn a_file_created_meanwhile_is_not_clobbered() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.pcap");
    let mut out = Output::create(&file_target(&path), false).unwrap();
    out.write_all(b"ours").unwrap();
    fs::write(&path, b"theirs").unwrap();
    let err = out.commit().unwrap_err();
    assert!(matches!(err, CaptureError::AlreadyExists(_)), "{err:?}");
    assert_eq!(fs::read(&path).unwrap(), b"theirs");
    assert_eq!(entries(dir.path()), BTreeSet::from(["out.pcap".to_owned()]));
}

#[test]
fn missing_directory() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no").join("such");
    let err = Output::create(&file_target(&missing.join("out.pcap")), false).unwrap_err();
    assert!(matches!(&err, CaptureError::MissingDirectory(d) if d == &missing), "{err:?}");
    assert_eq!(err.to_string(), format!("{}: no such directory", missing.display()));
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn path_is_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    for force in [false, true] {
        let err = Output::create(&file_target(dir.path()), force).unwrap_err();
        assert!(matches!(&err, CaptureError::IsADirectory(d) if d == dir.path()), "{err:?}");
        assert!(err.to_string().ends_with(": is a directory, not a file name"));
    }
    // A trailing slash names a directory even when none exists.
    let err = Output::create(&file_target(&dir.path().join("new/")), false).unwrap_err();
    assert!(matches!(err, CaptureError::MissingDirectory(_)), "{err:?}");
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn parent_is_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain");
    fs::write(&file, b"").unwrap();
    let err = Output::create(&file_target(&file.join("out.pcap")), false).unwrap_err();
    assert!(matches!(&err, CaptureError::NotADirectory(d) if d == &file), "{err:?}");
}

#[cfg(unix)]
#[test]
fn unwritable_directory() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
    let result = Output::create(&file_target(&locked.join("out.pcap")), false);
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    match result {
        Err(CaptureError::Unwritable { dir, source }) => {
            assert_eq!(dir, locked);
            assert_eq!(source.kind(), io::ErrorKind::PermissionDenied);
        }
        // Running as root: permissions do not apply.
        Ok(out) => {
            drop(out);
            eprintln!("SKIP: unwritable_directory (permissions not enforced, running as root?)");
        }
        Err(other) => panic!("unexpected {other:?}"),
    }
    assert!(entries(&locked).is_empty());
}

#[test]
fn empty_and_dot_dot_paths() {
    let err = Output::create(&file_target(Path::new("")), false).unwrap_err();
    assert!(matches!(err, CaptureError::Io { .. }), "{err:?}");
    assert!(matches!(
        Output::create(&file_target(Path::new("..")), false).unwrap_err(),
        CaptureError::IsADirectory(_)
    ));
}

// -----------------------------------------------------------------------
// Devices, FIFOs and symlinks.

#[cfg(unix)]
fn file_type(path: &Path) -> fs::FileType {
    fs::symlink_metadata(path).unwrap().file_type()
}

/// `/dev/null` is written in place, without and with force: never
/// replaced, no temporary file anywhere.
#[cfg(unix)]
#[test]
fn a_device_is_written_in_place() {
    use std::os::unix::fs::FileTypeExt;
    let null = Path::new("/dev/null");
    for force in [false, true] {
        let mut out = Output::create(&file_target(null), force).unwrap();
        assert_eq!(out.temp_path(), None);
        assert_eq!(out.path(), Some(null));
        assert_eq!(out.destination(), Some(null));
        out.write_all(&vec![7u8; 3 * OUTPUT_BUFFER_SIZE / 2]).unwrap();
        out.commit().unwrap();
        assert!(file_type(null).is_char_device(), "/dev/null is no longer a character device");
    }
    // Dropped without a commit: nothing happens to the device either.
    let mut out = Output::create(&file_target(null), false).unwrap();
    out.write_all(b"abandoned").unwrap();
    drop(out);
    assert!(file_type(null).is_char_device());
}

/// `/dev/full`: the error names the path and says there is no space.
#[cfg(target_os = "linux")]
#[test]
fn a_full_device_fails_with_its_path() {
    let full = Path::new("/dev/full");
    let mut out = Output::create(&file_target(full), false).unwrap();
    // Within the buffer: the error comes at the commit's flush.
    out.write_all(b"capture").unwrap();
    let err = out.commit().unwrap_err();
    assert!(
        matches!(&err, CaptureError::Io { path, source }
        if path == full && source.raw_os_error() == Some(28)),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("/dev/full: No space left on device"), "{err}");
    // Beyond the buffer: the write itself fails.
    let mut out = Output::create(&file_target(full), false).unwrap();
    let err = out.write_all(&vec![0u8; 2 * OUTPUT_BUFFER_SIZE]).unwrap_err();
    assert!(CaptureError::from(err).to_string().starts_with("/dev/full: "));
}

/// A FIFO is written in place (once a reader opens it) and stays a FIFO.
#[cfg(unix)]
#[test]
fn a_fifo_is_written_in_place() {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success(), "mkfifo failed");
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            fs::File::open(fifo).unwrap().read_to_end(&mut bytes).unwrap();
            bytes
        })
    };
    let payload = vec![0x5au8; 2 * OUTPUT_BUFFER_SIZE + 17];
    let mut out = Output::create(&file_target(&fifo), false).unwrap();
    out.write_all(&payload).unwrap();
    out.commit().unwrap();
    assert!(reader.join().unwrap() == payload, "the reader got other bytes");
    assert!(file_type(&fifo).is_fifo());
    assert_eq!(entries(dir.path()), BTreeSet::from(["fifo".to_owned()]));
}

/// A socket cannot be opened: a clear error, the socket left alone.
#[cfg(unix)]
#[test]
fn a_socket_is_refused() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sock");
    let _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    for force in [false, true] {
        let err = Output::create(&file_target(&path), force).unwrap_err();
        assert!(matches!(&err, CaptureError::IsASocket(p) if p == &path), "{err:?}");
    }
    assert!(file_type(&path).is_socket());
    assert_eq!(entries(dir.path()), BTreeSet::from(["sock".to_owned()]));
}

/// A symlink to a device is followed, and written in place without force.
#[cfg(unix)]
#[test]
fn a_symlink_to_a_device_is_written_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("null");
    std::os::unix::fs::symlink("/dev/null", &link).unwrap();
    let mut out = Output::create(&file_target(&link), false).unwrap();
    out.write_all(b"gone").unwrap();
    out.commit().unwrap();
    assert!(file_type(&link).is_symlink());
    assert_eq!(entries(dir.path()), BTreeSet::from(["null".to_owned()]));
}

/// A symlink to a regular file: refused without force; with it, the
/// target is replaced atomically (temporary file in the target's
/// directory) and the link stays a link.
#[cfg(unix)]
#[test]
fn a_symlink_is_followed() {
    let links = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let target = files.path().join("real.pcap");
    fs::write(&target, b"old").unwrap();
    let link = links.path().join("link.pcap");
    std::os::unix::fs::symlink(&target, &link).unwrap();

    let err = Output::create(&file_target(&link), false).unwrap_err();
    assert!(matches!(&err, CaptureError::AlreadyExists(p) if p == &link), "{err:?}");
    assert_eq!(fs::read(&target).unwrap(), b"old");

    let mut out = Output::create(&file_target(&link), true).unwrap();
    let real = fs::canonicalize(&target).unwrap();
    assert_eq!(out.destination(), Some(real.as_path()));
    assert_eq!(
        out.temp_path().unwrap().parent(),
        real.parent(),
        "the temporary file is not beside the target"
    );
    assert!(entries(links.path()) == BTreeSet::from(["link.pcap".to_owned()]));
    out.write_all(b"new").unwrap();
    out.commit().unwrap();
    assert!(file_type(&link).is_symlink(), "the symlink was replaced");
    assert_eq!(fs::read_link(&link).unwrap(), target);
    assert_eq!(fs::read(&target).unwrap(), b"new");
    assert_eq!(entries(files.path()), BTreeSet::from(["real.pcap".to_owned()]));
    assert_eq!(entries(links.path()), BTreeSet::from(["link.pcap".to_owned()]));
}

/// A chain of relative symlinks across directories: the last file is replaced.
#[cfg(unix)]
#[test]
fn a_symlink_chain_is_followed_to_the_end() {
    use std::os::unix::fs::symlink;
    let root = tempfile::tempdir().unwrap();
    let (a, b, c) = (root.path().join("a"), root.path().join("b"), root.path().join("c"));
    for d in [&a, &b, &c] {
        fs::create_dir(d).unwrap();
    }
    fs::write(c.join("final.pcap"), b"old").unwrap();
    // a/first -> ../b/second -> ../c/final.pcap
    symlink("../b/second", a.join("first")).unwrap();
    symlink("../c/final.pcap", b.join("second")).unwrap();
    let mut out = Output::create(&file_target(&a.join("first")), true).unwrap();
    out.write_all(b"new").unwrap();
    out.commit().unwrap();
    assert!(file_type(&a.join("first")).is_symlink() && file_type(&b.join("second")).is_symlink());
    assert_eq!(fs::read(c.join("final.pcap")).unwrap(), b"new");
    assert_eq!(entries(&c), BTreeSet::from(["final.pcap".to_owned()]));

    // A loop is an error, not a hang.
    symlink("loop2", a.join("loop1")).unwrap();
    symlink("loop1", a.join("loop2")).unwrap();
    let err = Output::create(&file_target(&a.join("loop1")), true).unwrap_err();
    assert!(matches!(err, CaptureError::Io { .. }), "{err:?}");
}

/// A dangling symlink with force: its target is created (atomically, in
/// the target's directory) and the link stays a link; a dangling link
/// into a missing directory is a missing directory.
#[cfg(unix)]
#[test]
fn a_dangling_symlink_with_force_creates_its_target() {
    let links = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let target = files.path().join("new.pcap");
    let link = links.path().join("link.pcap");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let mut out = Output::create(&file_target(&link), true).unwrap();
    assert_eq!(out.temp_path().unwrap().parent(), Some(fs::canonicalize(files.path()).unwrap().as_path()));
    out.write_all(b"capture").unwrap();
    assert!(!target.exists());
    out.commit().unwrap();
    assert!(file_type(&link).is_symlink());
    assert_eq!(fs::read(&link).unwrap(), b"capture");
    assert_eq!(entries(files.path()), BTreeSet::from(["new.pcap".to_owned()]));

    let lost = links.path().join("lost.pcap");
    let missing = files.path().join("no-such-dir");
    std::os::unix::fs::symlink(missing.join("x.pcap"), &lost).unwrap();
    let err = Output::create(&file_target(&lost), true).unwrap_err();
    assert!(matches!(&err, CaptureError::MissingDirectory(d) if d == &missing), "{err:?}");
}

/// With force, what became a symlink or FIFO while the capture was
/// written is not renamed over.
#[cfg(unix)]
#[test]
fn force_never_renames_over_a_new_special_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.pcap");
    let mut out = Output::create(&file_target(&path), true).unwrap();
    out.write_all(b"ours").unwrap();
    std::os::unix::fs::symlink("/dev/null", &path).unwrap();
    let err = out.commit().unwrap_err();
    assert!(matches!(&err, CaptureError::NotReplaced(p) if p == &path), "{err:?}");
    assert!(file_type(&path).is_symlink());
    assert_eq!(entries(dir.path()), BTreeSet::from(["out.pcap".to_owned()]));
}
