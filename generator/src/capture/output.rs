//! Where the capture bytes go: standard output, a device or FIFO written in
//! place, or a regular file written atomically.
//!
//! See [`Output`] for the rules and guarantees; this module's tests check them.

use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::mem;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use tempfile::NamedTempFile;

use super::cleanup::{forget, live_temp_files};
use super::error::PathIoError;
use super::{CaptureError, ParseError};

/// Size of the write buffer in front of the file or standard output (1 MiB).
pub const OUTPUT_BUFFER_SIZE: usize = 1 << 20;

/// Most symbolic links followed when resolving an output path (Linux's `MAXSYMLINKS`).
const MAX_SYMLINK_HOPS: usize = 40;

/// Names of standard output that are taken as `-` (the file descriptor the
/// process already has, as GNU awk does), so that `-o /dev/stdout > file`
/// writes into the file the shell opened rather than replacing it.
const STDOUT_NAMES: [&str; 3] = ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"];

/// Where a capture should go, as given on the command line.
///
/// ```
/// use generator::capture::OutputTarget;
/// use std::path::PathBuf;
///
/// assert_eq!("-".parse(), Ok(OutputTarget::Stdout));
/// assert_eq!("/dev/stdout".parse(), Ok(OutputTarget::Stdout));
/// assert_eq!("out.pcap".parse(), Ok(OutputTarget::File(PathBuf::from("out.pcap"))));
/// assert!("".parse::<OutputTarget>().is_err());
/// assert_eq!(OutputTarget::from(PathBuf::from("-")), OutputTarget::Stdout);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OutputTarget {
    /// Standard output (`-`, `/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`).
    Stdout,
    /// A path: a regular file created atomically, or a device or FIFO
    /// written in place (see [`Output`]).
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
            stdout if STDOUT_NAMES.contains(&stdout) => Ok(OutputTarget::Stdout),
            path => Ok(OutputTarget::File(PathBuf::from(path))),
        }
    }
}

impl From<PathBuf> for OutputTarget {
    /// `-` (or a name of standard output, as for `FromStr`) is standard
    /// output, anything else a file. (For a path that is not UTF-8, which
    /// `FromStr` cannot take.)
    fn from(path: PathBuf) -> Self {
        if path.as_os_str() == "-" || STDOUT_NAMES.iter().any(|name| path.as_os_str() == *name) {
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
/// # Where the bytes go
///
/// What the path names decides, after following symbolic links:
///
/// | the path names                          | without `force`          | with `force`             |
/// |-----------------------------------------|--------------------------|--------------------------|
/// | nothing                                 | new file, atomically     | new file, atomically     |
/// | a regular file                          | refused ([`AlreadyExists`](CaptureError::AlreadyExists)) | replaced, atomically |
/// | a character or block device, a FIFO     | written in place         | written in place         |
/// | a socket                                | refused ([`IsASocket`](CaptureError::IsASocket)) | refused   |
/// | a directory                             | refused ([`IsADirectory`](CaptureError::IsADirectory)) | refused |
/// | a symlink to any of these               | as for its final target  | as for its final target  |
/// | a dangling symlink                      | refused ([`DanglingSymlink`](CaptureError::DanglingSymlink)) | its target created, atomically |
///
/// * **Atomically**: the capture is written under a temporary name in the
///   *same* directory as the file it becomes (`<name>.partial-XXXXXX`, so that
///   the final rename never crosses file systems), and only
///   [`Output::commit`] makes it appear under its real name: flush, `fsync`,
///   rename. Until then the final path is untouched; if the [`Output`] is
///   dropped without a commit (an error was returned, or a panic unwound),
///   the temporary file is deleted and the directory is left as it was.
/// * **Symbolic links** are followed to the file they finally name (the
///   whole chain, canonicalized); it is that file which is created or
///   replaced, with the temporary file in *its* directory. The link itself
///   is never replaced, and a symlink is never turned into a regular file.
///   A dangling link is refused without `force`, because creating a file
///   somewhere else than the path given is a surprise worth confirming.
/// * **In place**: a device or FIFO is opened for writing, without creating
///   or truncating anything, and is never replaced by a regular file, with
///   or without `force`: `-o /dev/null` needs no `--force`, and no device
///   node is ever renamed over. Opening a FIFO blocks until a reader opens
///   it too. Standard output is written in place as well. There is no
///   atomicity: a failed run leaves whatever it wrote in the device or pipe.
///
/// Without `force`, an existing file is refused twice: early, by
/// [`Output::create`], so that no work is wasted; and at the end, by a rename
/// that does not replace (`renameat2(RENAME_NOREPLACE)` or `link` + `unlink`),
/// so that a file created meanwhile by someone else is not overwritten either.
/// With `force`, the commit still refuses to rename over something that has
/// meanwhile become a device, FIFO, socket or symlink
/// ([`CaptureError::NotReplaced`]).
///
/// Each live temporary file is registered with the capture module's signal
/// clean-up ([`install_signal_cleanup`](super::install_signal_cleanup)):
/// `SIGINT`, `SIGTERM` and `SIGHUP` delete it before the process exits. A
/// process killed by `SIGKILL` runs no clean-up at all; its
/// `<name>.partial-XXXXXX` file then stays behind (it is never mistaken for
/// a finished capture, and can be deleted).
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
///
/// // A device is written in place, without `force`, and stays a device.
/// # #[cfg(unix)] {
/// let mut null = Output::create(&OutputTarget::File("/dev/null".into()), false)?;
/// null.write_all(b"gone")?;
/// null.commit()?;
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Write errors carry the path (as given): converted with
/// `CaptureError::from(io::Error)` they become [`CaptureError::Io`] naming
/// it (`/dev/full: No space left on device`). On standard output or a FIFO a
/// reader that went away becomes [`CaptureError::BrokenPipe`] (Rust programs
/// ignore `SIGPIPE`, so the write fails with `EPIPE` instead of killing the
/// process).
pub struct Output {
    sink: Sink,
}

enum Sink {
    Stdout(BufWriter<io::Stdout>),
    /// A regular file, written to a temporary file renamed at the commit.
    File {
        writer: BufWriter<NamedTempFile>,
        /// The path as given, for messages.
        path: PathBuf,
        /// The file the commit creates or replaces: `path`, or for a symlink
        /// the canonical path of its final target.
        dest: PathBuf,
        force: bool,
    },
    /// A device or FIFO, written in place.
    InPlace {
        writer: BufWriter<fs::File>,
        path: PathBuf,
        /// Block devices are `fsync`ed at the commit (character devices and
        /// FIFOs refuse it).
        sync: bool,
    },
    /// After `commit` or during `drop`.
    Closed,
}

impl Output {
    /// Opens `target` for writing, following the rules of [`Output`].
    ///
    /// For a path, fails early, before any work is done:
    /// [`CaptureError::AlreadyExists`] if it names an existing regular file
    /// (directly or through symlinks) and `force` is false;
    /// [`CaptureError::DanglingSymlink`] if it is a symlink to nothing and
    /// `force` is false; [`CaptureError::IsADirectory`] if it is a directory
    /// (whatever `force`); [`CaptureError::IsASocket`] for a socket;
    /// [`CaptureError::MissingDirectory`] or [`CaptureError::NotADirectory`]
    /// if the directory of the file to create is missing or is not one (a
    /// path ending with `/` names a directory, so it is missing too);
    /// [`CaptureError::Unwritable`] if no file can be created there;
    /// [`CaptureError::Io`] if a device or FIFO cannot be opened.
    /// The temporary file gets the permissions `File::create` would give
    /// (`0666` less the umask), not `tempfile`'s private `0600`.
    ///
    /// Opening a FIFO waits for a reader.
    pub fn create(target: &OutputTarget, force: bool) -> Result<Output, CaptureError> {
        match target {
            OutputTarget::Stdout => {
                Ok(Output { sink: Sink::Stdout(BufWriter::with_capacity(OUTPUT_BUFFER_SIZE, io::stdout())) })
            }
            OutputTarget::File(path) => create_file(path, force),
        }
    }

    /// Finishes the output: flushes; for a regular file, also `fsync`s the
    /// temporary file, renames it to the final path (without replacing a
    /// file that appeared meanwhile unless `force` was given: then
    /// [`CaptureError::AlreadyExists`]) and `fsync`s the directory (best
    /// effort); for a block device, `fsync`s it. On any error the temporary
    /// file is removed and the final path is untouched.
    pub fn commit(mut self) -> Result<(), CaptureError> {
        match mem::replace(&mut self.sink, Sink::Closed) {
            Sink::Stdout(writer) => {
                let mut stdout = writer.into_inner().map_err(|e| CaptureError::from(e.into_error()))?;
                stdout.flush()?;
                Ok(())
            }
            Sink::File { writer, path, dest, force } => commit_file(writer, &path, &dest, force),
            Sink::InPlace { writer, path, sync } => {
                let file = writer.into_inner().map_err(|e| io_error(&path, e.into_error()))?;
                if sync {
                    file.sync_all().map_err(|e| io_error(&path, e))?;
                }
                Ok(())
            }
            Sink::Closed => Ok(()),
        }
    }

    /// The output path as given (for a symlink, the link); `None` for
    /// standard output.
    pub fn path(&self) -> Option<&Path> {
        match &self.sink {
            Sink::File { path, .. } | Sink::InPlace { path, .. } => Some(path),
            Sink::Stdout(_) | Sink::Closed => None,
        }
    }

    /// The file the commit creates or replaces: the path, or for a symlink
    /// the canonical path of the file it finally names; for a device or
    /// FIFO written in place, the path as given. `None` for standard output.
    pub fn destination(&self) -> Option<&Path> {
        match &self.sink {
            Sink::File { dest, .. } => Some(dest),
            Sink::InPlace { path, .. } => Some(path),
            Sink::Stdout(_) | Sink::Closed => None,
        }
    }

    /// The temporary file being written (`<name>.partial-XXXXXX`), until the
    /// commit; `None` for standard output, devices and FIFOs.
    pub fn temp_path(&self) -> Option<&Path> {
        match &self.sink {
            Sink::File { writer, .. } => Some(writer.get_ref().path()),
            Sink::Stdout(_) | Sink::InPlace { .. } | Sink::Closed => None,
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.sink {
            Sink::Stdout(writer) => writer.write(buf),
            Sink::File { writer, path, .. } => writer.write(buf).map_err(|e| PathIoError::wrap(path, e)),
            Sink::InPlace { writer, path, .. } => writer.write(buf).map_err(|e| PathIoError::wrap(path, e)),
            Sink::Closed => Err(closed()),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(writer) => writer.write_all(buf),
            Sink::File { writer, path, .. } => writer.write_all(buf).map_err(|e| PathIoError::wrap(path, e)),
            Sink::InPlace { writer, path, .. } => {
                writer.write_all(buf).map_err(|e| PathIoError::wrap(path, e))
            }
            Sink::Closed => Err(closed()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(writer) => writer.flush(),
            Sink::File { writer, path, .. } => writer.flush().map_err(|e| PathIoError::wrap(path, e)),
            Sink::InPlace { writer, path, .. } => writer.flush().map_err(|e| PathIoError::wrap(path, e)),
            Sink::Closed => Err(closed()),
        }
    }
}

impl Drop for Output {
    /// An uncommitted file output is abandoned: its buffer is discarded (not
    /// flushed) and its temporary file deleted (and unregistered from the
    /// signal clean-up). A device or FIFO gets nothing more either. Standard
    /// output is flushed (best effort), as a `BufWriter` would.
    fn drop(&mut self) {
        match mem::replace(&mut self.sink, Sink::Closed) {
            Sink::File { writer, .. } => {
                let (temp, _unwritten) = writer.into_parts();
                let mut live = live_temp_files();
                let temp_path = temp.path().to_path_buf();
                // Nothing useful can be done about a failed removal in a destructor.
                let _ = temp.close();
                forget(&mut live, &temp_path);
            }
            Sink::InPlace { writer, .. } => {
                let (_file, _unwritten) = writer.into_parts();
            }
            Sink::Stdout(_) | Sink::Closed => {}
        }
    }
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sink {
            Sink::Stdout(_) => f.write_str("Output(stdout)"),
            Sink::File { path, dest, force, .. } => f
                .debug_struct("Output")
                .field("path", path)
                .field("dest", dest)
                .field("force", force)
                .finish_non_exhaustive(),
            Sink::InPlace { path, .. } => {
                f.debug_struct("Output").field("in_place", path).finish_non_exhaustive()
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

/// The directory a file at `path` goes into (`.` for a bare name).
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

fn create_file(path: &Path, force: bool) -> Result<Output, CaptureError> {
    if path.as_os_str().is_empty() {
        return Err(io_error(path, io::Error::new(io::ErrorKind::InvalidInput, "empty file name")));
    }
    // `metadata` follows symlinks: what the path finally names.
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => return Err(CaptureError::IsADirectory(path.to_path_buf())),
        Ok(meta) if !meta.is_file() => {
            if let Some(output) = open_in_place(path, &meta)? {
                return Ok(output);
            }
        }
        _ => {}
    }
    create_atomic(path, force)
}

/// A device or FIFO (`meta`, what `path` finally names): opened for writing
/// in place. `None` if what was opened turned out to be a regular file or a
/// directory (the path was replaced meanwhile): the caller then treats it
/// as such, as if it had been one from the start.
fn open_in_place(path: &Path, meta: &fs::Metadata) -> Result<Option<Output>, CaptureError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if meta.file_type().is_socket() {
            return Err(CaptureError::IsASocket(path.to_path_buf()));
        }
    }
    // No `create`, no `truncate`: a device or FIFO is written as it is (and
    // a regular file that appeared meanwhile is not modified by the open).
    let file = fs::OpenOptions::new().write(true).open(path).map_err(|e| io_error(path, e))?;
    let opened = file.metadata().map_err(|e| io_error(path, e))?;
    if opened.is_file() || opened.is_dir() {
        return Ok(None);
    }
    #[cfg(unix)]
    let sync = {
        use std::os::unix::fs::FileTypeExt;
        opened.file_type().is_block_device()
    };
    #[cfg(not(unix))]
    let sync = false;
    let _ = meta;
    Ok(Some(Output {
        sink: Sink::InPlace {
            writer: BufWriter::with_capacity(OUTPUT_BUFFER_SIZE, file),
            path: path.to_path_buf(),
            sync,
        },
    }))
}

/// A regular file at `path` (or at the end of its symlinks), created or
/// replaced atomically through a temporary file.
fn create_atomic(path: &Path, force: bool) -> Result<Output, CaptureError> {
    if fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        return Err(CaptureError::IsADirectory(path.to_path_buf()));
    }
    // `Path::file_name` ignores a trailing `/` and is `None` for `..`: both
    // name a directory, here one that does not exist.
    if path.file_name().is_none() || ends_with_separator(path) {
        return Err(CaptureError::MissingDirectory(path.to_path_buf()));
    }
    // `symlink_metadata`: the path itself, a symlink (even a dangling one) included.
    let dest = match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            let (dest, exists) = resolve_symlinks(path)?;
            if !force {
                return Err(if exists {
                    CaptureError::AlreadyExists(path.to_path_buf())
                } else {
                    CaptureError::DanglingSymlink { link: path.to_path_buf(), target: dest }
                });
            }
            dest
        }
        Ok(_) if !force => return Err(CaptureError::AlreadyExists(path.to_path_buf())),
        _ => path.to_path_buf(),
    };
    let file_name = match dest.file_name() {
        Some(name) if !ends_with_separator(&dest) => name,
        _ => return Err(CaptureError::MissingDirectory(dest)),
    };

    let dir = parent_dir(&dest);
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => return Err(CaptureError::NotADirectory(dir.to_path_buf())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(CaptureError::MissingDirectory(dir.to_path_buf()))
        }
        Err(e) => return Err(io_error(dir, e)),
    }

    let mut prefix = OsString::from(file_name);
    prefix.push(".partial-");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix("").rand_bytes(6);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The mode passed to open(2); the kernel applies the umask, as for `File::create`.
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    // Created and registered under the registry's lock, so that the signal
    // clean-up either sees it or runs before it exists.
    let temp = {
        let mut live = live_temp_files();
        let temp = builder
            .tempfile_in(dir)
            .map_err(|source| CaptureError::Unwritable { dir: dir.to_path_buf(), source })?;
        live.push(temp.path().to_path_buf());
        temp
    };
    Ok(Output {
        sink: Sink::File {
            writer: BufWriter::with_capacity(OUTPUT_BUFFER_SIZE, temp),
            path: path.to_path_buf(),
            dest,
            force,
        },
    })
}

/// Follows the symlink `link` to the file it finally names: the canonical
/// path of that file, and whether it exists. For a dangling link, the path
/// the last link points to, with its directory canonicalized (which must
/// exist: else [`CaptureError::MissingDirectory`]).
fn resolve_symlinks(link: &Path) -> Result<(PathBuf, bool), CaptureError> {
    if let Ok(real) = fs::canonicalize(link) {
        return Ok((real, true));
    }
    let mut at = link.to_path_buf();
    for _ in 0..=MAX_SYMLINK_HOPS {
        match fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = fs::read_link(&at).map_err(|e| io_error(link, e))?;
                // A relative target is relative to the link's directory;
                // `join` keeps an absolute one as it is.
                at = match at.parent() {
                    Some(dir) => dir.join(target),
                    None => target,
                };
            }
            // Appeared meanwhile: what it is will be decided at the commit.
            Ok(_) => return Ok((fs::canonicalize(&at).unwrap_or(at), true)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let dir = parent_dir(&at);
                let name = match at.file_name() {
                    Some(name) if !ends_with_separator(&at) => name.to_owned(),
                    _ => return Err(CaptureError::MissingDirectory(at)),
                };
                return match fs::canonicalize(dir) {
                    Ok(dir) => Ok((dir.join(name), false)),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {
                        Err(CaptureError::MissingDirectory(dir.to_path_buf()))
                    }
                    Err(e) => Err(io_error(dir, e)),
                };
            }
            Err(e) => return Err(io_error(link, e)),
        }
    }
    Err(io_error(link, io::Error::other("too many levels of symbolic links")))
}

fn commit_file(
    writer: BufWriter<NamedTempFile>,
    path: &Path,
    dest: &Path,
    force: bool,
) -> Result<(), CaptureError> {
    // Every way out drops `temp` (deleting it) or renames it, under the
    // registry's lock, and unregisters it.
    let temp = match writer.into_inner() {
        Ok(temp) => temp,
        Err(e) => {
            let (error, writer) = e.into_parts();
            // Discard the unwritten buffer rather than retry the failed flush on drop.
            let (temp, _unwritten) = writer.into_parts();
            discard(temp);
            return Err(io_error(path, error));
        }
    };
    if let Err(e) = temp.as_file().sync_all() {
        discard(temp);
        return Err(io_error(path, e));
    }
    let temp_path = temp.path().to_path_buf();
    let mut live = live_temp_files();
    if force {
        // Never rename over what has meanwhile become something else than a
        // regular file (a device node, a FIFO, a symlink, a directory).
        if let Ok(meta) = fs::symlink_metadata(dest) {
            if !meta.is_file() {
                drop(temp);
                forget(&mut live, &temp_path);
                return Err(CaptureError::NotReplaced(path.to_path_buf()));
            }
        }
    }
    let persisted = if force { temp.persist(dest) } else { temp.persist_noclobber(dest) };
    // On error the temporary file (`e.file`) is dropped here, and so deleted.
    let persisted = persisted.map(drop).map_err(|e| e.error);
    forget(&mut live, &temp_path);
    drop(live);
    if let Err(error) = persisted {
        if !force && error.kind() == io::ErrorKind::AlreadyExists {
            return Err(CaptureError::AlreadyExists(path.to_path_buf()));
        }
        return Err(CaptureError::Io { path: path.to_path_buf(), source: error });
    }
    sync_parent(dest);
    Ok(())
}

/// Deletes an uncommitted temporary file and unregisters it.
fn discard(temp: NamedTempFile) {
    let mut live = live_temp_files();
    let temp_path = temp.path().to_path_buf();
    drop(temp);
    forget(&mut live, &temp_path);
}

/// Makes the rename itself durable. Best effort: some file systems refuse
/// `fsync` on directories, and the data is already safe.
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = fs::File::open(parent_dir(path)) {
        let _ = dir.sync_all();
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
        assert_eq!(
            out.temp_path().unwrap().parent(),
            Some(fs::canonicalize(files.path()).unwrap().as_path())
        );
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
}
