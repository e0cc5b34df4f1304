//! The errors of the capture layer, each a one-line message naming what it is about.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Everything that can go wrong while producing a capture.
///
/// Every message fits on one line and names the path concerned, so that the
/// CLI can print `vxgen: {error}` and be done. [`CaptureError::BrokenPipe`]
/// is not really a failure: the reader of standard output went away (`| head`),
/// and the CLI should exit quietly.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaptureError {
    /// The output file exists and overwriting was not asked for.
    #[error("{}: file exists (use --force to overwrite it)", .0.display())]
    AlreadyExists(PathBuf),

    /// The output path is a symlink to nothing, and creating its target was
    /// not asked for.
    #[error(
        "{}: is a symlink to {}, which does not exist (use --force to create it)",
        link.display(),
        target.display()
    )]
    DanglingSymlink {
        /// The path as given.
        link: PathBuf,
        /// The path the last link of the chain points to (its directory canonicalized).
        target: PathBuf,
    },

    /// The output path names a Unix-domain socket, which `open` cannot write to.
    #[error("{}: is a socket, which cannot be opened for writing (use -o - and a program that connects to it)", .0.display())]
    IsASocket(PathBuf),

    /// With `--force`, the file to replace became something other than a
    /// regular file (a device, FIFO, socket, symlink or directory) while the
    /// capture was written; it was left alone.
    #[error("{}: is no longer a regular file (something else appeared there while writing); not replaced", .0.display())]
    NotReplaced(PathBuf),

    /// The output path names a directory (or ends with a `/`).
    #[error("{}: is a directory, not a file name", .0.display())]
    IsADirectory(PathBuf),

    /// The directory the output file should go into does not exist.
    #[error("{}: no such directory", .0.display())]
    MissingDirectory(PathBuf),

    /// What should be the output file's directory is something else.
    #[error("{}: not a directory", .0.display())]
    NotADirectory(PathBuf),

    /// No file can be created in the output file's directory (permissions,
    /// read-only file system, ...).
    #[error("{}: cannot create a file in this directory: {source}", dir.display())]
    Unwritable {
        /// The directory.
        dir: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },

    /// An I/O error on a known path (opening, writing, syncing or renaming
    /// the output file, device or FIFO; `/dev/full` gives `No space left on device`).
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned (the output path as given, not its temporary twin).
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },

    /// The reader of the output closed it early (for instance `vxgen ... | head -c 100`).
    #[error("broken pipe: the reader of the output went away")]
    BrokenPipe,

    /// An I/O error from a writer whose path is unknown (a caller-supplied `Write`).
    #[error("writing the capture: {0}")]
    Write(#[source] io::Error),

    /// The snapshot length is outside `1..=MAX_SNAPLEN`.
    #[error("snaplen {0} is out of range (1 to {max})", max = super::MAX_SNAPLEN)]
    InvalidSnaplen(u32),

    /// A record carries more bytes than its original length.
    #[error("packet record with {captured} captured bytes but an original length of only {orig_len}")]
    CapturedExceedsOriginal {
        /// Length of [`Record::data`](super::Record::data).
        captured: usize,
        /// [`Record::orig_len`](super::Record::orig_len).
        orig_len: u32,
    },

    /// A timestamp that classic pcap's 32-bit seconds field cannot hold (after 2106-02-07).
    #[error("timestamp {timestamp_ns} ns is beyond classic pcap's 32-bit seconds (year 2106); use pcapng")]
    TimestampOutOfRange {
        /// The offending timestamp, in nanoseconds since the Unix epoch.
        timestamp_ns: u64,
    },

    /// A packet comment longer than a pcapng option can hold.
    #[error("packet comment of {len} bytes exceeds the pcapng option limit of 65535 bytes")]
    CommentTooLong {
        /// Length of the comment in bytes.
        len: usize,
    },

    /// An error reported by the `pcap-file` crate that is not an I/O error.
    #[error("pcap encoding: {0}")]
    Pcap(#[source] pcap_file::PcapError),
}

impl CaptureError {
    /// `true` for [`CaptureError::BrokenPipe`]: the CLI should exit quietly.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, CaptureError::BrokenPipe)
    }
}

impl From<io::Error> for CaptureError {
    /// Classifies an I/O error coming out of a writer: a broken pipe becomes
    /// [`CaptureError::BrokenPipe`]; an error raised by
    /// [`Output`](super::Output) (which tags its errors with the output path)
    /// becomes [`CaptureError::Io`] with that path; anything else
    /// [`CaptureError::Write`].
    fn from(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::BrokenPipe {
            return CaptureError::BrokenPipe;
        }
        if error.get_ref().is_some_and(|inner| inner.is::<PathIoError>()) {
            let kind = error.kind();
            return match error.into_inner().map(|inner| inner.downcast::<PathIoError>()) {
                Some(Ok(tagged)) => CaptureError::Io { path: tagged.path, source: tagged.source },
                // Unreachable given the `is` check above, but never panic over it.
                Some(Err(other)) => CaptureError::Write(io::Error::new(kind, other)),
                None => CaptureError::Write(io::Error::from(kind)),
            };
        }
        CaptureError::Write(error)
    }
}

impl From<pcap_file::PcapError> for CaptureError {
    fn from(error: pcap_file::PcapError) -> Self {
        match error {
            pcap_file::PcapError::IoError(e) => CaptureError::from(e),
            other => CaptureError::Pcap(other),
        }
    }
}

/// An I/O error tagged with the path it happened on, carried inside an
/// [`io::Error`] through `Write` (whose signature cannot name a path) and
/// turned back into [`CaptureError::Io`] by `From<io::Error>`.
#[derive(Debug)]
pub(crate) struct PathIoError {
    path: PathBuf,
    source: io::Error,
}

impl PathIoError {
    /// Wraps `source` so that its message names `path`; keeps its kind.
    pub(crate) fn wrap(path: &Path, source: io::Error) -> io::Error {
        let kind = source.kind();
        io::Error::new(kind, PathIoError { path: path.to_path_buf(), source })
    }
}

impl fmt::Display for PathIoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.source)
    }
}

impl StdError for PathIoError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.source)
    }
}

/// A command-line value that names no [`Format`](super::Format) or
/// [`OutputTarget`](super::OutputTarget).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not one of the format names.
    #[error("unknown capture format {0:?} (expected one of: pcap, pcap-ns, pcapng)")]
    UnknownFormat(String),
    /// An empty output path.
    #[error("empty output path (use - for standard output)")]
    EmptyPath,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_are_classified() {
        let broken = io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(CaptureError::from(broken).is_broken_pipe());

        let tagged = PathIoError::wrap(Path::new("/tmp/x.pcap"), io::Error::from(io::ErrorKind::WriteZero));
        assert_eq!(tagged.kind(), io::ErrorKind::WriteZero);
        match CaptureError::from(tagged) {
            CaptureError::Io { path, source } => {
                assert_eq!(path, Path::new("/tmp/x.pcap"));
                assert_eq!(source.kind(), io::ErrorKind::WriteZero);
            }
            other => panic!("unexpected {other:?}"),
        }

        let tagged_pipe =
            PathIoError::wrap(Path::new("/tmp/fifo"), io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(CaptureError::from(tagged_pipe).is_broken_pipe());

        let plain = io::Error::other("disk on fire");
        assert!(matches!(CaptureError::from(plain), CaptureError::Write(_)));

        let pcap = pcap_file::PcapError::IoError(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(CaptureError::from(pcap).is_broken_pipe());
    }

    #[test]
    fn messages_are_one_line_and_name_the_path() {
        let errors = [
            CaptureError::AlreadyExists("out/a.pcap".into()),
            CaptureError::MissingDirectory("nope".into()),
            CaptureError::IsADirectory("out".into()),
            CaptureError::DanglingSymlink { link: "out/l.pcap".into(), target: "/nowhere/x.pcap".into() },
            CaptureError::IsASocket("out/sock".into()),
            CaptureError::NotReplaced("out/a.pcap".into()),
            CaptureError::Io { path: "out/a.pcap".into(), source: io::Error::from(io::ErrorKind::WriteZero) },
        ];
        for e in &errors {
            let msg = e.to_string();
            assert!(!msg.contains('\n'), "{msg}");
        }
        assert_eq!(errors[0].to_string(), "out/a.pcap: file exists (use --force to overwrite it)");
        assert!(errors[6].to_string().starts_with("out/a.pcap: "));
        assert_eq!(
            errors[3].to_string(),
            "out/l.pcap: is a symlink to /nowhere/x.pcap, which does not exist (use --force to create it)"
        );
    }
}
