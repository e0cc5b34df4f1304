//! Where the capture bytes go: standard output, or a file written atomically.
//!
//! See [`Output`] for the guarantees; this module's tests check them.

use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::mem;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use tempfile::NamedTempFile;

use super::error::PathIoError;
use super::{CaptureError, ParseError};

/// Size of the write buffer in front of the file or standard output (1 MiB).
pub const OUTPUT_BUFFER_SIZE: usize = 1 << 20;

/// Where a capture should go, as given on the command line.
///
/// ```
/// use generator::capture::OutputTarget;
/// use std::path::PathBuf;
///
/// assert_eq!("-".parse(), Ok(OutputTarget::Stdout));
/// assert_eq!("out.pcap".parse(), Ok(OutputTarget::File(PathBuf::from("out.pcap"))));
/// assert!("".parse::<OutputTarget>().is_err());
/// assert_eq!(OutputTarget::from(PathBuf::from("-")), OutputTarget::Stdout);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OutputTarget {
    /// Standard output (`-`).
    Stdout,
    /// A file, created atomically (see [`Output`]).
    File(PathBuf),
}

impl OutputTarget {
    /// Whether this is standard output and standard output is a terminal,
    /// where a binary capture is of no use (the CLI may want to refuse).
    pub fn is_terminal(&self) -> bool {
        use std::io::IsTerminal;
        matches!(self, OutputTarget::Stdout) && io::stdout().is_terminal()
    }
}

impl FromStr for OutputTarget {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "" => Err(ParseError::EmptyPath),
            "-" => Ok(OutputTarget::Stdout),
            path => Ok(OutputTarget::File(PathBuf::from(path))),
        }
    }
}

impl From<PathBuf> for OutputTarget {
    /// `-` is standard output, anything else a file. (For a path that is not
    /// UTF-8, which `FromStr` cannot take.)
    fn from(path: PathBuf) -> Self {
        if path.as_os_str() == "-" {
            OutputTarget::Stdout
        } else {
            OutputTarget::File(path)
        }
    }
}

impl fmt::Display for OutputTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputTarget::Stdout => f.write_str("standard output"),
            OutputTarget::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// A buffered ([`OUTPUT_BUFFER_SIZE`]) destination for capture bytes that
/// must be [`commit`](Output::commit)ted.
///
/// A file output is written under a hidden temporary name in the *same*
/// directory as the final path (`.<name>.XXXXXX.tmp`, so that the final
/// rename never crosses file systems), and only [`Output::commit`] makes it
/// appear under its real name: flush, `fsync`, rename. Until then the final
/// path is untouched; if the [`Output`] is dropped without a commit (an error
/// was returned, or a panic unwound), the temporary file is deleted and the
/// directory is left as it was.
///
/// Without `force`, an existing file is refused twice: early, by
/// [`Output::create`], so that no work is wasted; and at the end, by a rename
/// that does not replace (`renameat2(RENAME_NOREPLACE)` or `link` + `unlink`),
/// so that a file created meanwhile by someone else is not overwritten either.
///
/// A process killed by a signal runs no destructors; its hidden temporary file
/// then stays behind (it is never mistaken for a finished capture).
///
/// ```
/// use generator::capture::{CaptureError, Output, OutputTarget};
/// use std::io::Write;
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("out.pcap");
/// let target = OutputTarget::File(path.clone());
///
/// // Dropped without commit: nothing is left behind.
/// let mut abandoned = Output::create(&target, false)?;
/// abandoned.write_all(b"half a capture")?;
/// drop(abandoned);
/// assert_eq!(std::fs::read_dir(dir.path())?.count(), 0);
///
/// let mut out = Output::create(&target, false)?;
/// out.write_all(b"a whole capture")?;
/// assert!(!path.exists());
/// out.commit()?;
/// assert_eq!(std::fs::read(&path)?, b"a whole capture");
///
/// assert!(matches!(Output::create(&target, false), Err(CaptureError::AlreadyExists(_))));
/// assert!(Output::create(&target, true).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Write errors on a file carry its (final) path: converted with
/// `CaptureError::from(io::Error)` they become [`CaptureError::Io`] naming
/// it. On standard output a reader that went away becomes
/// [`CaptureError::BrokenPipe`] (Rust programs ignore `SIGPIPE`, so the write
/// fails with `EPIPE` instead of killing the process).
pub struct Output {
    sink: Sink,
}

enum Sink {
    Stdout(BufWriter<io::Stdout>),
    File {
        writer: BufWriter<NamedTempFile>,
        path: PathBuf,
        force: bool,
    },
    /// After `commit` or during `drop`.
    Closed,
}

impl Output {
    /// Opens `target` for writing.
    ///
    /// For a file, fails early, before any work is done:
    /// [`CaptureError::AlreadyExists`] if the path exists (even as a dangling
    /// symlink) and `force` is false; [`CaptureError::IsADirectory`] if it is
    /// a directory (whatever `force`); [`CaptureError::MissingDirectory`] or
    /// [`CaptureError::NotADirectory`] if its directory is missing or is not
    /// one (a path ending with `/` names a directory, so it is missing too);
    /// [`CaptureError::Unwritable`] if no file can be created there.
    /// With `force`, the commit's rename replaces whatever file is at the
    /// path; a symlink there is replaced itself, its target is left alone.
    /// The temporary file gets the permissions `File::create` would give
    /// (`0666` less the umask), not `tempfile`'s private `0600`.
    pub fn create(target: &OutputTarget, force: bool) -> Result<Output, CaptureError> {
        match target {
            OutputTarget::Stdout => {
                Ok(Output { sink: Sink::Stdout(BufWriter::with_capacity(OUTPUT_BUFFER_SIZE, io::stdout())) })
            }
            OutputTarget::File(path) => create_file(path, force),
        }
    }

    /// Finishes the output: flushes; for a file, also `fsync`s the temporary
    /// file, renames it to the final path (without replacing a file that
    /// appeared meanwhile unless `force` was given: then
    /// [`CaptureError::AlreadyExists`]) and `fsync`s the directory (best effort).
    /// On any error the temporary file is removed and the final path is untouched.
    pub fn commit(mut self) -> Result<(), CaptureError> {
        match mem::replace(&mut self.sink, Sink::Closed) {
            Sink::Stdout(writer) => {
                let mut stdout = writer.into_inner().map_err(|e| CaptureError::from(e.into_error()))?;
                stdout.flush()?;
                Ok(())
            }
            Sink::File { writer, path, force } => commit_file(writer, &path, force),
            Sink::Closed => Ok(()),
        }
    }

    /// The final path of a file output; `None` for standard output.
    pub fn path(&self) -> Option<&Path> {
        match &self.sink {
            Sink::File { path, .. } => Some(path),
            Sink::Stdout(_) | Sink::Closed => None,
        }
    }

    /// The hidden temporary file being written, until the commit; `None` for
    /// standard output.
    pub fn temp_path(&self) -> Option<&Path> {
        match &self.sink {
            Sink::File { writer, .. } => Some(writer.get_ref().path()),
            Sink::Stdout(_) | Sink::Closed => None,
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.sink {
            Sink::Stdout(writer) => writer.write(buf),
            Sink::File { writer, path, .. } => writer.write(buf).map_err(|e| PathIoError::wrap(path, e)),
            Sink::Closed => Err(closed()),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(writer) => writer.write_all(buf),
            Sink::File { writer, path, .. } => writer.write_all(buf).map_err(|e| PathIoError::wrap(path, e)),
            Sink::Closed => Err(closed()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(writer) => writer.flush(),
            Sink::File { writer, path, .. } => writer.flush().map_err(|e| PathIoError::wrap(path, e)),
            Sink::Closed => Err(closed()),
        }
    }
}

impl Drop for Output {
    /// An uncommitted file output is abandoned: its buffer is discarded (not
    /// flushed) and its temporary file deleted. Standard output is flushed
    /// (best effort), as a `BufWriter` would.
    fn drop(&mut self) {
        if let Sink::File { writer, .. } = mem::replace(&mut self.sink, Sink::Closed) {
            let (temp, _unwritten) = writer.into_parts();
            // Nothing useful can be done about a failed removal in a destructor.
            let _ = temp.close();
        }
    }
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sink {
            Sink::Stdout(_) => f.write_str("Output(stdout)"),
            Sink::File { path, force, .. } => {
                f.debug_struct("Output").field("path", path).field("force", force).finish_non_exhaustive()
            }
            Sink::Closed => f.write_str("Output(closed)"),
        }
    }
}

fn closed() -> io::Error {
    io::Error::other("capture output already committed")
}

fn io_error(path: &Path, source: io::Error) -> CaptureError {
    CaptureError::from(PathIoError::wrap(path, source))
}

fn create_file(path: &Path, force: bool) -> Result<Output, CaptureError> {
    if path.as_os_str().is_empty() {
        return Err(io_error(path, io::Error::new(io::ErrorKind::InvalidInput, "empty file name")));
    }
    if fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(CaptureError::IsADirectory(path.to_path_buf()));
    }
    // `Path::file_name` ignores a trailing `/` and is `None` for `..`: both
    // name a directory, here one that does not exist.
    let file_name = match path.file_name() {
        Some(name) if !ends_with_separator(path) => name,
        _ => return Err(CaptureError::MissingDirectory(path.to_path_buf())),
    };
    // `symlink_metadata`, so that a dangling symlink counts as existing (the
    // no-clobber rename would refuse it anyway, but only after all the work).
    if !force && fs::symlink_metadata(path).is_ok() {
        return Err(CaptureError::AlreadyExists(path.to_path_buf()));
    }

    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => return Err(CaptureError::NotADirectory(dir.to_path_buf())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(CaptureError::MissingDirectory(dir.to_path_buf()))
        }
        Err(e) => return Err(io_error(dir, e)),
    }

    let mut prefix = OsString::from(".");
    prefix.push(file_name);
    prefix.push(".");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The mode passed to open(2); the kernel applies the umask, as for `File::create`.
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let temp = builder
        .tempfile_in(dir)
        .map_err(|source| CaptureError::Unwritable { dir: dir.to_path_buf(), source })?;
    Ok(Output {
        sink: Sink::File {
            writer: BufWriter::with_capacity(OUTPUT_BUFFER_SIZE, temp),
            path: path.to_path_buf(),
            force,
        },
    })
}

fn commit_file(writer: BufWriter<NamedTempFile>, path: &Path, force: bool) -> Result<(), CaptureError> {
    let temp = match writer.into_inner() {
        Ok(temp) => temp,
        Err(e) => {
            let (error, writer) = e.into_parts();
            // Discard the unwritten buffer rather than retry the failed flush on drop.
            let (temp, _unwritten) = writer.into_parts();
            drop(temp);
            return Err(io_error(path, error));
        }
    };
    // On error `temp` is dropped, which deletes it.
    temp.as_file().sync_all().map_err(|e| io_error(path, e))?;
    let persisted = if force { temp.persist(path) } else { temp.persist_noclobber(path) };
    if let Err(e) = persisted {
        // `e.file` (the temporary file) is dropped with `e`, and so deleted.
        if !force && e.error.kind() == io::ErrorKind::AlreadyExists {
            return Err(CaptureError::AlreadyExists(path.to_path_buf()));
        }
        return Err(CaptureError::Io { path: path.to_path_buf(), source: e.error });
    }
    sync_parent(path);
    Ok(())
}

/// Makes the rename itself durable. Best effort: some file systems refuse
/// `fsync` on directories, and the data is already safe.
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        if let Ok(dir) = fs::File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

fn ends_with_separator(path: &Path) -> bool {
    let s = path.as_os_str().to_string_lossy();
    s.ends_with('/') || s.ends_with("/.") || s.ends_with(std::path::MAIN_SEPARATOR)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn entries(dir: &Path) -> BTreeSet<String> {
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
    }

    fn file_target(path: &Path) -> OutputTarget {
        OutputTarget::File(path.to_path_buf())
    }

    #[test]
    fn parses_targets() {
        assert_eq!("-".parse::<OutputTarget>(), Ok(OutputTarget::Stdout));
        assert_eq!("./-".parse::<OutputTarget>(), Ok(OutputTarget::File("./-".into())));
        assert_eq!("".parse::<OutputTarget>(), Err(ParseError::EmptyPath));
        assert_eq!(OutputTarget::from(PathBuf::from("a/b.pcap")), OutputTarget::File("a/b.pcap".into()));
        assert_eq!(OutputTarget::Stdout.to_string(), "standard output");
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

        // The temporary file is hidden, in the same directory, named after the target.
        let temp = out.temp_path().unwrap().to_path_buf();
        assert_eq!(temp.parent(), Some(dir.path()));
        let temp_name = temp.file_name().unwrap().to_str().unwrap();
        assert!(temp_name.starts_with(".out.pcap.") && temp_name.ends_with(".tmp"), "{temp_name}");
        assert_eq!(entries(dir.path()), BTreeSet::from([temp_name.to_owned()]));

        out.commit().unwrap();
        assert_eq!(entries(dir.path()), BTreeSet::from(["out.pcap".to_owned()]));
        assert_eq!(fs::read(&path).unwrap(), chunk);
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
        drop(out);
        assert!(entries(dir.path()).is_empty());
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
        assert!(matches!(err, CaptureError::AlreadyExists(_)), "{err:?}");
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
}
