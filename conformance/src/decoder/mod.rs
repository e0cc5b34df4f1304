//! Decoders: anything that turns a capture file into one
//! [`FrameDissection`] per frame.
//!
//! A decoder only *translates* a tool's output into the dissection model;
//! every judgement (is this right? is this field supported?) lives in
//! [`crate::compare`]. Built-in decoders are selected by name with
//! [`by_name`]:
//!
//! | name | what it runs |
//! |---|---|
//! | `reference` | our own in-process decoder over `generator::wire` |
//! | `tshark` | Wireshark's tshark |
//! | `tcpdump` | tcpdump's `-v` text |
//! | `scapy` | a small Python script over Scapy |
//! | [`adapter::ADAPTERS`] | a program under `conformance/adapters/` over another ecosystem's library |
//! | `cmd:<shell command>` | any program speaking docs/decoder-protocol.md, one process per capture |
//! | `cmd+batch:<shell command>` | the same in batch mode: one long-lived process answering capture after capture ([`batch`]) |
//!
//! ```
//! use conformance::decoder::{by_name, DecoderFailure};
//!
//! let reference = by_name("reference").unwrap();
//! assert_eq!(reference.name(), "reference");
//! assert!(matches!(by_name("nonsense"), Err(DecoderFailure::Setup(_))));
//! ```

use crate::compare::{KnownDifference, ProtocolProblem};
use generator::dissection::FrameDissection;
use std::path::Path;
use std::time::Duration;

pub mod adapter;
pub mod batch;
pub mod external;
pub mod process;
pub mod reference;
pub mod scapy;
pub mod tcpdump;
pub mod tshark;

/// A decoder under test.
pub trait Decoder: Send + Sync {
    /// Its name as given to [`by_name`]: `"reference"`, `"tshark"`, `"tcpdump"`,
    /// `"scapy"` or `"cmd:..."`.
    fn name(&self) -> &str;

    /// The tool's version, for reports; `None` when unknown.
    fn version(&self) -> Option<String>;

    /// Dissects the capture at `capture`: one [`FrameDissection`] per frame
    /// it reports, omitting the fields it does not know, and what of its
    /// output broke the protocol.
    fn decode(&self, capture: &Path, opts: &DecodeOptions) -> Result<Decoded, DecoderFailure>;

    /// Dissects a capture file held in memory (`capture` is its bytes, pcap
    /// or pcapng). By default the bytes go to a temporary file handed to
    /// [`Decoder::decode`]; an in-process decoder overrides it to skip the
    /// file (the reference decoder does, which is what lets `vxconform
    /// fuzz` judge tens of thousands of cases a second).
    ///
    /// ```
    /// use conformance::decoder::{by_name, DecodeOptions};
    /// use generator::vectors::{build_vector, corpus};
    ///
    /// let v = corpus::vectors().into_iter().find(|v| v.id == "vni-9999999").unwrap();
    /// let built = build_vector(&v);
    /// let got = by_name("reference").unwrap().decode_in_memory(&built.capture, &DecodeOptions::default()).unwrap();
    /// assert_eq!(got.frames, built.dissection.frames);
    /// ```
    fn decode_in_memory(&self, capture: &[u8], opts: &DecodeOptions) -> Result<Decoded, DecoderFailure> {
        let mut file = tempfile::Builder::new()
            .prefix("vxconform-")
            .suffix(".pcap")
            .tempfile()
            .map_err(|e| DecoderFailure::Setup(format!("cannot create a temporary capture: {e}")))?;
        std::io::Write::write_all(&mut file, capture)
            .and_then(|()| std::io::Write::flush(&mut file))
            .map_err(|e| DecoderFailure::Setup(format!("cannot write a temporary capture: {e}")))?;
        self.decode(file.path(), opts)
    }

    /// Fields where this decoder is known to read differently from the
    /// model, with the evidence: the judge lists their disagreements
    /// instead of failing them. None by default.
    fn known_differences(&self) -> Vec<KnownDifference> {
        Vec::new()
    }
}

/// What a decoder reported for one capture.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decoded {
    /// One dissection per frame reported, with every valid field.
    pub frames: Vec<FrameDissection>,
    /// Keys and values it printed that the model does not allow (left out
    /// of `frames`), for the judge to fail the vector on.
    pub problems: Vec<ProtocolProblem>,
}

impl From<Vec<FrameDissection>> for Decoded {
    fn from(frames: Vec<FrameDissection>) -> Decoded {
        Decoded { frames, problems: Vec::new() }
    }
}

/// Limits the runner imposes on one decoder invocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Wall time after which the decoder (its whole process group) is killed.
    pub timeout: Duration,
    /// Bytes of standard output after which the decoder is killed.
    pub max_output_bytes: usize,
}

impl Default for DecodeOptions {
    /// 10 seconds, 64 MiB.
    fn default() -> DecodeOptions {
        DecodeOptions { timeout: Duration::from_secs(10), max_output_bytes: 64 << 20 }
    }
}

/// Why a decoder produced no dissection for a capture.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecoderFailure {
    /// The program could not be found.
    #[error("decoder program not found: {program}")]
    NotFound {
        /// The program looked for.
        program: String,
    },
    /// The program exited unsuccessfully or was killed by a signal.
    #[error("decoder crashed ({status}){}", tail_suffix(.stderr_tail))]
    Crashed {
        /// Its exit status, as text (`exit status: 1`, `signal: 11`).
        status: String,
        /// The last lines of its standard error.
        stderr_tail: String,
    },
    /// The program ran past the timeout and was killed.
    #[error("decoder timed out after {:.1} s{}", .after.as_secs_f64(), tail_suffix(.stderr_tail))]
    TimedOut {
        /// The timeout in force.
        after: Duration,
        /// The last lines of its standard error.
        stderr_tail: String,
    },
    /// The program's output could not be read as the dissection model.
    #[error("decoder printed garbage: {reason}: {}{}", one_line(.excerpt), tail_suffix(.stderr_tail))]
    Garbage {
        /// What was wrong with it.
        reason: String,
        /// The offending output, shortened.
        excerpt: String,
        /// The last lines of its standard error.
        stderr_tail: String,
    },
    /// The program printed more than `limit` bytes and was killed.
    #[error("decoder output exceeded {limit} bytes{}", tail_suffix(.stderr_tail))]
    OutputTooLarge {
        /// The output cap in force.
        limit: usize,
        /// The last lines of its standard error.
        stderr_tail: String,
    },
    /// A batch decoder answered that it cannot dissect the capture (the
    /// `error` of its end marker, docs/decoder-protocol.md "Batch mode").
    #[error("decoder could not dissect the capture: {}{}", one_line(.message), tail_suffix(.stderr_tail))]
    Declined {
        /// What it said, on one line.
        message: String,
        /// The last lines of its standard error.
        stderr_tail: String,
    },
    /// Anything else that prevented running it (unknown name, unreadable
    /// capture, I/O error).
    #[error("decoder setup failed: {}", one_line(.0))]
    Setup(String),
}

impl DecoderFailure {
    /// The tail of the decoder's standard error, when there is one.
    pub fn stderr_tail(&self) -> Option<&str> {
        match self {
            DecoderFailure::Crashed { stderr_tail, .. }
            | DecoderFailure::TimedOut { stderr_tail, .. }
            | DecoderFailure::Garbage { stderr_tail, .. }
            | DecoderFailure::OutputTooLarge { stderr_tail, .. }
            | DecoderFailure::Declined { stderr_tail, .. } => {
                Some(stderr_tail.as_str()).filter(|s| !s.is_empty())
            }
            DecoderFailure::NotFound { .. } | DecoderFailure::Setup(_) => None,
        }
    }

    /// A short stable name for the kind of failure: `not_found`, `crashed`,
    /// `timed_out`, `garbage`, `output_too_large`, `declined`, `setup`.
    pub fn kind(&self) -> &'static str {
        match self {
            DecoderFailure::NotFound { .. } => "not_found",
            DecoderFailure::Crashed { .. } => "crashed",
            DecoderFailure::TimedOut { .. } => "timed_out",
            DecoderFailure::Garbage { .. } => "garbage",
            DecoderFailure::OutputTooLarge { .. } => "output_too_large",
            DecoderFailure::Declined { .. } => "declined",
            DecoderFailure::Setup(_) => "setup",
        }
    }
}

/// `"; stderr: <tail>"` on one line, or nothing when `tail` is empty.
fn tail_suffix(tail: &str) -> String {
    let tail = tail.trim();
    if tail.is_empty() {
        String::new()
    } else {
        format!("; stderr: {}", one_line(tail))
    }
}

/// `text` on one line: newlines become ` | `, at most 200 characters.
pub(crate) fn one_line(text: &str) -> String {
    let joined: String =
        text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" | ");
    shorten(&joined, 200)
}

/// `text` cut to at most `max` characters, with `...` when cut.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(3)).collect();
        s.push_str("...");
        s
    }
}

/// The decoders compiled into `vxconform` (besides the adapter programs of
/// [`adapter::ADAPTERS`] and `cmd:...`).
pub const BUILT_IN: [&str; 4] = ["reference", "tshark", "tcpdump", "scapy"];

/// Every decoder name [`by_name`] accepts besides `cmd:...`, in matrix
/// order: [`BUILT_IN`], then the adapter programs.
pub fn names() -> Vec<&'static str> {
    BUILT_IN.iter().copied().chain(adapter::ADAPTERS.iter().map(|a| a.name)).collect()
}

/// The decoder called `name`: `reference`, `tshark`, `tcpdump`, `scapy`,
/// an adapter program, `cmd:<shell command>` or `cmd+batch:<shell command>`
/// (see docs/decoder-protocol.md).
///
/// Only the name is checked here; a missing program is reported by
/// [`Decoder::decode`] as [`DecoderFailure::NotFound`].
pub fn by_name(name: &str) -> Result<Box<dyn Decoder>, DecoderFailure> {
    if let Some(command) = name.strip_prefix("cmd:") {
        return Ok(Box::new(external::External::new(command)?));
    }
    if let Some(command) = name.strip_prefix("cmd+batch:") {
        return Ok(Box::new(batch::Batch::new(command)?));
    }
    match name {
        "reference" => Ok(Box::new(reference::Reference::new())),
        "tshark" => Ok(Box::new(tshark::Tshark::new())),
        "tcpdump" => Ok(Box::new(tcpdump::Tcpdump::new())),
        "scapy" => Ok(Box::new(scapy::Scapy::new())),
        other => match adapter::by_name(other) {
            Some(a) => Ok(Box::new(a)),
            None => Err(DecoderFailure::Setup(format!(
                "unknown decoder {other:?}{}; expected one of {}, cmd:<command> or cmd+batch:<command>",
                generator::suggest::did_you_mean(other, names()),
                names().join(", ")
            ))),
        },
    }
}
