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
mod tests;
