//! Batch mode: one long-lived decoder process answers capture after
//! capture, so that a decoder that is slow to start (an interpreter that
//! imports a large library, say) starts once per run instead of once per
//! vector (docs/decoder-protocol.md, "Batch mode").
//!
//! # The protocol
//!
//! The runner starts the decoder once, without a capture argument, with
//! `VXCONFORM_BATCH=1` in its environment ([`BATCH_ENV`]), and keeps its
//! standard input open. For each capture it writes the capture's absolute
//! path and `\n`, and waits for the answer before it writes the next: zero
//! or more frame objects, one JSON object per line (read strictly, as the
//! single mode's JSON Lines, by [`super::external::read_frame`]), then one
//! end marker, `{"end":"<the path exactly as received>"}`. A decoder that
//! cannot dissect that capture may answer `{"end":"<path>","error":"<why>"}`
//! instead ([`DecoderFailure::Declined`], an error for that vector; the
//! process lives on). At the end of its standard input it exits 0. A path
//! that is not UTF-8 or holds a line break is never sent: that capture is a
//! [`DecoderFailure::Setup`] error.
//!
//! # Isolation, per capture
//!
//! [`Pool`] keeps the idle processes; a request takes one (or starts one)
//! and gives it back after a clean answer. The limits of [`DecodeOptions`]
//! apply to each capture: the timeout counts from the request, the output
//! cap counts what was printed since the request, and the stderr tail
//! quoted in a failure is what was written since the request (for a new
//! process's first capture, since its start). A process
//! that times out, floods, prints something that is not JSON, answers with
//! the end marker of another path, or exits (or closes its standard output)
//! before the end marker is killed (its whole process group, `SIGKILL`) and
//! the failure is that capture's alone; the next capture starts a fresh
//! process. One that had answered before and exits 0 before printing
//! anything, or closes its standard input without reading the request,
//! left between two requests: the capture is asked again, once, of a fresh
//! process. Output that arrives between two answers (after an end marker,
//! before the next request) cannot be told apart from the next answer: the
//! process is replaced, silently, before the next request. Reading is done
//! by a thread per pipe into a bounded channel, so a decoder that never
//! writes a newline, or floods while idle, can neither hang the runner nor
//! fill its memory.
//!
//! The processes are started by [`process::spawn_long_lived`]: in their own
//! process group and registered as running decoders, so that the runner's
//! sweep of orphans ([`process::reap_orphans`], after every capture) spares
//! them while it kills whatever they left behind. When the pool is dropped
//! (the end of the run) each idle process gets the end of its standard
//! input, half a second to exit, and is then killed with its group.
//!
//! [`Batch`] is `cmd+batch:<shell command>`; the adapter programs
//! ([`super::adapter`]) and the Scapy adapter ([`super::scapy`]) run their
//! programs through a [`Pool`] too.
//!
//! ```
//! use conformance::decoder::batch::Batch;
//! use conformance::decoder::{DecodeOptions, Decoder};
//!
//! let capture = tempfile::NamedTempFile::new().unwrap();
//! let echo = Batch::new(
//!     r#"while read -r path; do printf '{"frame":{"number":1},"vxlan":{"vni":42}}\n{"end":"%s"}\n' "$path"; done"#,
//! )
//! .unwrap();
//! assert!(echo.name().starts_with("cmd+batch:while read"));
//! for _ in 0..3 {
//!     let decoded = echo.decode(capture.path(), &DecodeOptions::default()).unwrap();
//!     assert_eq!(decoded.frames[0].vxlan.as_ref().unwrap().vni, Some(42));
//! }
//! assert_eq!(echo.pool().started(), 1); // one process answered all three
//! ```

use super::external::read_frame;
use super::process::{self, lock, Running, GRACE, STDERR_KEEP};
use super::tshark::sharkd;
use super::{one_line, shorten, DecodeOptions, Decoded, Decoder, DecoderFailure};
use serde_json::{Map, Value};
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;
use std::process::{ChildStdout, Command, ExitStatus};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The environment variable set to `1` for a decoder started in batch mode.
pub const BATCH_ENV: &str = "VXCONFORM_BATCH";

/// How long the idle processes get to exit after the end of their standard
/// input, when the pool is dropped.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);
/// How long an answer is awaited once the process has exited (from what it
/// left behind holding its standard output).
const LINGER: Duration = Duration::from_millis(500);
/// The longest wait between two looks at whether the process has exited.
const TICK: Duration = Duration::from_millis(20);
/// Chunks of standard output (up to 64 KiB each) read ahead of the runner.
const CHUNKS: usize = 16;
/// How long a request waits for standard error written before it to be
/// read (so that it is not quoted as written since).
const SETTLE: Duration = Duration::from_millis(50);

/// How a pool's processes mark the end of an answer.
#[derive(Debug, Clone)]
pub(crate) enum Framing {
    /// The batch protocol: JSON lines, then `{"end": path}`.
    EndMarker,
    /// A program that reads capture paths, one per line, and prints text
    /// for each without marking its end (`tcpdump -V`): each capture is
    /// asked for between two `capture`s, a sentinel capture whose output
    /// `find` recognises (where in a line it starts), and the answer is the
    /// text between the two sentinels' lines.
    Sentinel {
        /// The sentinel capture's path.
        capture: String,
        /// Where in a line of output the sentinel's line starts.
        find: fn(&str) -> Option<usize>,
    },
    /// sharkd's JSON-RPC console ([`super::tshark::sharkd`]): `load` and
    /// `status`, then one `frame` request per frame; the answer is the
    /// frames' results and ends with the last one.
    Sharkd,
}

/// `cmd+batch:<shell command>`: a decoder speaking the batch protocol, run
/// as `sh -c '<command>'`.
#[derive(Debug)]
pub struct Batch {
    name: String,
    command: String,
    pool: Pool,
}

impl Batch {
    /// A batch decoder running the shell command line `command`.
    pub fn new(command: &str) -> Result<Batch, DecoderFailure> {
        if command.trim().is_empty() {
            return Err(DecoderFailure::Setup(
                "cmd+batch: needs a command, e.g. cmd+batch:\"python3 decoder.py --batch\"".into(),
            ));
        }
        let line = command.to_owned();
        let pool = Pool::new(command, move || {
            let mut c = Command::new("sh");
            c.arg("-c").arg(&line);
            c
        });
        Ok(Batch { name: format!("cmd+batch:{command}"), command: command.to_owned(), pool })
    }

    /// The command line.
    pub fn command(&self) -> &str {
        &self.command
    }

    /// Its pool of processes.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }
}

impl Decoder for Batch {
    fn name(&self) -> &str {
        &self.name
    }

    fn version(&self) -> Option<String> {
        None
    }

    fn decode(&self, capture: &Path, opts: &DecodeOptions) -> Result<Decoded, DecoderFailure> {
        self.pool.ask(capture, opts).map(|a| a.decoded())
    }
}

/// One capture's answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answer {
    /// Every non-blank line before the end marker, in order.
    pub lines: Vec<AnswerLine>,
    /// The last lines of standard error written since the request.
    pub stderr_tail: String,
    /// With [`Framing::Sentinel`], the opening sentinel's line.
    pub(crate) opening: Option<String>,
}

/// One line of an answer: a JSON value.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerLine {
    /// The line, trimmed (a text answer's line as printed, without its
    /// newline).
    pub text: String,
    /// Its value (`Null` in a text answer).
    pub value: Value,
}

impl Answer {
    /// The lines read strictly as frames of the model
    /// ([`super::external::read_frame`]).
    pub fn decoded(&self) -> Decoded {
        let mut decoded = Decoded::default();
        for line in &self.lines {
            read_frame(&line.value, &mut decoded);
        }
        decoded
    }
}

/// Long-lived processes of one decoder, each answering one capture at a
/// time; see the module documentation. Shared by the runner's worker
/// threads: at most as many processes as captures asked at once.
pub struct Pool {
    label: String,
    framing: Framing,
    launch: Box<dyn Fn() -> Command + Send + Sync>,
    idle: Mutex<Vec<Worker>>,
    started: AtomicUsize,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("label", &self.label)
            .field("idle", &lock(&self.idle).len())
            .field("started", &self.started())
            .finish()
    }
}

impl Pool {
    /// A pool of the processes `launch` describes (started with
    /// [`BATCH_ENV`] set). `label` names the decoder's program in a
    /// [`DecoderFailure::NotFound`] (`sh`'s "not found", exit status 127,
    /// before any answer).
    pub fn new(label: impl Into<String>, launch: impl Fn() -> Command + Send + Sync + 'static) -> Pool {
        Pool::with_framing(label, Framing::EndMarker, launch)
    }

    /// A pool of processes whose answers are framed as `framing` says.
    pub(crate) fn with_framing(
        label: impl Into<String>,
        framing: Framing,
        launch: impl Fn() -> Command + Send + Sync + 'static,
    ) -> Pool {
        Pool {
            label: label.into(),
            framing,
            launch: Box::new(launch),
            idle: Mutex::new(Vec::new()),
            started: AtomicUsize::new(0),
        }
    }

    /// How many processes the pool has started so far.
    pub fn started(&self) -> usize {
        self.started.load(Ordering::Relaxed)
    }

    /// Asks a process of the pool for the dissection of `capture`, within
    /// the limits of `opts` (see the module documentation).
    pub fn ask(&self, capture: &Path, opts: &DecodeOptions) -> Result<Answer, DecoderFailure> {
        let path = request_path(capture)?;
        let mut retried = false;
        loop {
            let mut worker = self.take()?;
            let trouble = match worker.exchange(&path, &self.framing, opts) {
                Ok(reply) => return self.done(worker, reply),
                Err(trouble) => trouble,
            };
            if !retried && worker.answered > 0 && matches!(trouble, Trouble::Undelivered) {
                // It stopped reading requests after its last answer: the
                // capture is asked again, once, of a fresh process.
                retried = true;
                continue;
            }
            let mut ending = None;
            if !retried && worker.answered > 0 && matches!(trouble, Trouble::Ended { received: 0 }) {
                // It answered before and now exits 0 at once, printing
                // nothing: it left between two requests, of its own accord.
                // The capture is asked again, once, of a fresh process.
                let e = worker.end();
                if matches!(&e, (false, Some(Ok(status))) if status.success()) {
                    retried = true;
                    continue;
                }
                ending = Some(e);
            }
            return Err(worker.fail(trouble, ending, opts, &self.label));
        }
    }

    /// Gives back (or, when it cannot be asked again, kills) a process that
    /// answered, and returns its answer.
    fn done(&self, mut worker: Worker, reply: Reply) -> Result<Answer, DecoderFailure> {
        if reply.clean && worker.alive() {
            lock(&self.idle).push(worker);
            // What it left behind, if anything, it left now.
            process::reap_orphans();
        } else {
            drop(worker); // killed with its group, reaped, orphans swept
        }
        match reply.declined {
            Some(message) => Err(DecoderFailure::Declined {
                message: one_line(&message),
                stderr_tail: reply.answer.stderr_tail,
            }),
            None => Ok(reply.answer),
        }
    }

    /// An idle process that is still fit to ask, or a new one.
    fn take(&self) -> Result<Worker, DecoderFailure> {
        loop {
            let Some(mut worker) = lock(&self.idle).pop() else { return self.start() };
            if worker.ready() {
                return Ok(worker);
            }
        }
    }

    fn start(&self) -> Result<Worker, DecoderFailure> {
        let no_thread =
            |e: io::Error| DecoderFailure::Setup(format!("cannot start a thread to run {}: {e}", self.label));
        // The threads first: if the system refuses one, no process is running yet.
        let to_stdin = process::start_thread("batch-stdin", write_requests).map_err(no_thread)?;
        let to_stdout = process::start_thread("batch-stdout", read_chunks).map_err(no_thread)?;
        let to_stderr = process::start_thread("batch-stderr", read_stderr).map_err(no_thread)?;
        let mut command = (self.launch)();
        command.env(BATCH_ENV, "1");
        let spawned = process::spawn_long_lived(&mut command)?;
        self.started.fetch_add(1, Ordering::Relaxed);
        let (requests, requests_rx) = mpsc::channel();
        let stdin_broken = Arc::new(AtomicBool::new(false));
        let stdin_pipe = Arc::new(as_file(spawned.stdin));
        let _ = to_stdin.send((Arc::clone(&stdin_pipe), requests_rx, Arc::clone(&stdin_broken)));
        let (chunks_tx, stdout) = mpsc::sync_channel(CHUNKS);
        let _ = to_stdout.send((spawned.stdout, chunks_tx));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let (closed_tx, stderr_closed) = mpsc::channel();
        let stderr_pipe = Arc::new(as_file(spawned.stderr));
        let _ = to_stderr.send((Arc::clone(&stderr_pipe), Arc::clone(&stderr), closed_tx));
        Ok(Worker {
            running: spawned.running,
            requests: Some(requests),
            stdin_broken,
            stdin_pipe: Some(stdin_pipe),
            stdout,
            stdout_open: true,
            stderr,
            stderr_pipe,
            stderr_closed,
            stderr_open: true,
            asked: 0,
            answered: 0,
        })
    }
}

impl Drop for Pool {
    /// The end of standard input for every idle process, a short grace to
    /// exit, then a kill of each group.
    fn drop(&mut self) {
        let mut workers = std::mem::take(&mut *lock(&self.idle));
        for w in &mut workers {
            // The thread's end of the pipe closes; so must ours.
            w.requests = None;
            w.stdin_pipe = None;
        }
        let until = Instant::now() + SHUTDOWN_GRACE;
        while Instant::now() < until && workers.iter_mut().any(|w| w.alive()) {
            thread::sleep(Duration::from_millis(2));
        }
        drop(workers);
    }
}

/// The path to send for `capture`: absolute, UTF-8, without line breaks.
fn request_path(capture: &Path) -> Result<String, DecoderFailure> {
    let absolute = std::path::absolute(capture).map_err(|e| {
        DecoderFailure::Setup(format!("cannot make the capture path {} absolute: {e}", capture.display()))
    })?;
    let Some(path) = absolute.to_str() else {
        return Err(DecoderFailure::Setup(format!(
            "the capture path {} is not UTF-8, which batch mode cannot send",
            absolute.display()
        )));
    };
    if path.contains(['\n', '\r']) {
        return Err(DecoderFailure::Setup(format!(
            "the capture path {path:?} holds a line break, which batch mode cannot send"
        )));
    }
    Ok(path.to_owned())
}

/// Standard output as the reader thread passes it on.
enum Chunk {
    Data(Vec<u8>),
    Closed,
}

/// Why an exchange went wrong (the process is then killed).
enum Trouble {
    Garbage {
        reason: String,
        excerpt: String,
    },
    TimedOut,
    TooLarge,
    /// The process exited, or closed its standard output, before the end
    /// marker; `received` bytes had come since the request.
    Ended {
        received: usize,
    },
    /// The request could not be written: it closed its standard input.
    Undelivered,
}

/// A complete exchange.
struct Reply {
    answer: Answer,
    /// The end marker's `error`.
    declined: Option<String>,
    /// Whether nothing followed the end marker and the stream is in step.
    clean: bool,
}

/// How a process ended ([`Worker::end`]): whether it was still running
/// when killed, and its status.
type Ending = (bool, Option<io::Result<ExitStatus>>);

/// One live process of a pool.
struct Worker {
    running: Running,
    /// To the thread writing standard input; `None` closes it.
    requests: Option<mpsc::Sender<Vec<u8>>>,
    /// Set when writing a request failed (it closed its standard input).
    stdin_broken: Arc<AtomicBool>,
    /// Its standard input (written by a thread), to see whether it is still
    /// read; `None` once the pool lets it go (so that it sees the end).
    stdin_pipe: Option<Arc<File>>,
    stdout: mpsc::Receiver<Chunk>,
    stdout_open: bool,
    /// The tail of standard error since the last request.
    stderr: Arc<Mutex<Vec<u8>>>,
    /// Its pipe (read by a thread), to see what is still unread.
    stderr_pipe: Arc<File>,
    stderr_closed: mpsc::Receiver<()>,
    stderr_open: bool,
    /// Captures it was asked for, and answered.
    asked: usize,
    answered: usize,
}

/// An answer being read: the bytes not yet split into lines, and the lines.
#[derive(Default)]
struct Reading {
    pending: Vec<u8>,
    /// Bytes at the start of `pending` known to hold no newline.
    scanned: usize,
    received: usize,
    line_number: usize,
    lines: Vec<AnswerLine>,
    /// The opening sentinel's line, once read ([`Framing::Sentinel`]).
    opening: Option<String>,
    /// Where the conversation stands ([`Framing::Sharkd`]).
    sharkd: sharkd::Conversation,
    /// Requests the answer so far calls for, to send next.
    follow_up: Vec<u8>,
}

/// An end marker: its `error`, if any.
struct Marker {
    error: Option<String>,
}

impl Reading {
    /// Reads the complete lines of `pending`; the end marker when one came,
    /// with whether something other than blanks followed it.
    fn complete_lines(&mut self, path: &str, framing: &Framing) -> Result<Option<(Marker, bool)>, Trouble> {
        let mut start = 0;
        let mut found = None;
        while let Some(i) = self.pending[start.max(self.scanned)..].iter().position(|&b| b == b'\n') {
            let end = start.max(self.scanned) + i;
            self.scanned = 0;
            let line = self.pending[start..end].to_vec();
            start = end + 1;
            if let Some(marker) = self.line(&line, path, framing)? {
                found = Some(marker);
                break;
            }
        }
        self.pending.drain(..start);
        self.scanned = if found.is_none() { self.pending.len() } else { 0 };
        Ok(found.map(|m| (m, self.pending.iter().any(|b| !b.is_ascii_whitespace()))))
    }

    /// Reads what is left once standard output has closed, as a last line.
    fn last_line(&mut self, path: &str, framing: &Framing) -> Result<Option<Marker>, Trouble> {
        let rest = std::mem::take(&mut self.pending);
        if rest.is_empty() {
            return Ok(None);
        }
        self.line(&rest, path, framing)
    }

    fn line(&mut self, bytes: &[u8], path: &str, framing: &Framing) -> Result<Option<Marker>, Trouble> {
        self.line_number += 1;
        match framing {
            Framing::EndMarker => self.json_line(bytes, path),
            Framing::Sentinel { find, .. } => self.text_line(bytes, *find),
            Framing::Sharkd => self.sharkd_line(bytes),
        }
    }

    /// A line of sharkd's console: a response to one of the requests.
    fn sharkd_line(&mut self, bytes: &[u8]) -> Result<Option<Marker>, Trouble> {
        let n = self.line_number;
        let text = String::from_utf8_lossy(bytes);
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let garbage = |reason: String| Trouble::Garbage { reason, excerpt: shorten(text, 120) };
        let value: Value =
            serde_json::from_str(text).map_err(|e| garbage(format!("line {n} is not JSON ({e})")))?;
        match self.sharkd.line(text, value).map_err(garbage)? {
            sharkd::Step::Nothing => Ok(None),
            sharkd::Step::Send(requests) => {
                self.follow_up.extend_from_slice(&requests);
                Ok(None)
            }
            sharkd::Step::Frame(line, last) => {
                self.lines.push(line);
                Ok(last.then_some(Marker { error: None }))
            }
            sharkd::Step::End(error) => Ok(Some(Marker { error })),
        }
    }

    /// A line of a text answer: the sentinels frame it.
    fn text_line(
        &mut self,
        bytes: &[u8],
        find: fn(&str) -> Option<usize>,
    ) -> Result<Option<Marker>, Trouble> {
        let text = String::from_utf8_lossy(bytes);
        let n = self.line_number;
        let out_of_step = |text: &str| Trouble::Garbage {
            reason: format!("line {n} came before the opening sentinel's (out of step)"),
            excerpt: shorten(text, 120),
        };
        match (find(&text), &self.opening) {
            (None, None) if text.trim().is_empty() => Ok(None),
            (None, None) => Err(out_of_step(&text)),
            (None, Some(_)) => {
                self.lines.push(AnswerLine { text: text.into_owned(), value: Value::Null });
                Ok(None)
            }
            (Some(at), None) => {
                if !text[..at].trim().is_empty() {
                    return Err(out_of_step(&text));
                }
                self.opening = Some(text[at..].to_owned());
                Ok(None)
            }
            (Some(at), Some(_)) => {
                // What precedes it on the line is the end of the answer's
                // last line (one printed without its newline).
                if at > 0 {
                    self.lines.push(AnswerLine { text: text[..at].to_owned(), value: Value::Null });
                }
                Ok(Some(Marker { error: None }))
            }
        }
    }

    /// A line of the batch protocol: a frame object or the end marker.
    fn json_line(&mut self, bytes: &[u8], path: &str) -> Result<Option<Marker>, Trouble> {
        let n = self.line_number;
        let text = std::str::from_utf8(bytes).map_err(|_| Trouble::Garbage {
            reason: format!("line {n} is not UTF-8"),
            excerpt: shorten(&String::from_utf8_lossy(&bytes[..bytes.len().min(240)]), 120),
        })?;
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let value: Value = serde_json::from_str(text).map_err(|e| Trouble::Garbage {
            reason: format!("line {n} is not JSON ({e})"),
            excerpt: shorten(text, 120),
        })?;
        if let Some(marker) = value.as_object().filter(|o| o.contains_key("end")) {
            return end_marker(marker, text, path).map(Some);
        }
        self.lines.push(AnswerLine { text: text.to_owned(), value });
        Ok(None)
    }
}

/// Checks an end marker (`{"end": path}` or `{"end": path, "error": why}`)
/// against the path asked for.
fn end_marker(marker: &Map<String, Value>, text: &str, path: &str) -> Result<Marker, Trouble> {
    let garbage = |reason: String| Trouble::Garbage { reason, excerpt: shorten(text, 120) };
    if let Some(key) = marker.keys().find(|k| *k != "end" && *k != "error") {
        return Err(garbage(format!(
            "the end marker has the key {:?}; it may only have \"end\" and \"error\"",
            shorten(key, 40)
        )));
    }
    match &marker["end"] {
        Value::String(end) if end == path => {}
        Value::String(end) => {
            return Err(garbage(format!(
                "the end marker names {:?}, not the capture asked for ({path:?})",
                shorten(end, 80)
            )))
        }
        _ => return Err(garbage("the end marker's \"end\" is not a string (the path asked for)".into())),
    }
    match marker.get("error") {
        None | Some(Value::Null) => Ok(Marker { error: None }),
        Some(Value::String(why)) => Ok(Marker { error: Some(why.clone()) }),
        Some(_) => Err(garbage("the end marker's \"error\" is not a string".into())),
    }
}

impl Worker {
    /// Whether the process is still running.
    fn alive(&mut self) -> bool {
        !self.running.exited().unwrap_or(true)
    }

    /// Whether it closed its standard input: a request failed to be
    /// written, or no one reads the pipe any more.
    fn stdin_closed(&self) -> bool {
        self.stdin_broken.load(Ordering::SeqCst) || self.stdin_pipe.as_deref().is_some_and(unread_by_anyone)
    }

    /// Whether an idle process can be asked: running, its output open and
    /// nothing but blanks printed since its last answer.
    fn ready(&mut self) -> bool {
        loop {
            match self.stdout.try_recv() {
                Ok(Chunk::Data(d)) if d.iter().all(u8::is_ascii_whitespace) => {}
                Ok(_) | Err(mpsc::TryRecvError::Disconnected) => return false,
                Err(mpsc::TryRecvError::Empty) => break,
            }
        }
        self.stdout_open && !self.stdin_closed() && self.alive()
    }

    /// Sends `path` and reads the answer.
    fn exchange(&mut self, path: &str, framing: &Framing, opts: &DecodeOptions) -> Result<Reply, Trouble> {
        // A new process's start belongs to its first capture.
        if self.asked > 0 {
            self.forget_stderr();
        }
        self.asked += 1;
        let deadline = Instant::now().checked_add(opts.timeout);
        if let Some(requests) = &self.requests {
            // A process that is gone is found out below.
            let request = match framing {
                Framing::EndMarker => format!("{path}\n"),
                Framing::Sentinel { capture, .. } => format!("{capture}\n{path}\n{capture}\n"),
                Framing::Sharkd => sharkd::first_requests(path),
            };
            let _ = requests.send(request.into_bytes());
        }
        let mut reading = Reading::default();
        let mut exited: Option<Instant> = None;
        let mut broken: Option<Instant> = None;
        loop {
            let marker = match reading.complete_lines(path, framing)? {
                Some((marker, rest)) => Some((marker, !rest)),
                None if !self.stdout_open => reading.last_line(path, framing)?.map(|m| (m, false)),
                None => None,
            };
            if !reading.follow_up.is_empty() {
                if let Some(requests) = &self.requests {
                    let _ = requests.send(std::mem::take(&mut reading.follow_up));
                }
            }
            if let Some((marker, clean)) = marker {
                self.answered += 1;
                // What it wrote to stderr before its answer's end is in the
                // pipe by now: let the reader take it in.
                self.settle_stderr();
                let stderr_tail = process::stderr_tail(&lock(&self.stderr));
                return Ok(Reply {
                    answer: Answer { lines: reading.lines, stderr_tail, opening: reading.opening },
                    declined: marker.error,
                    clean,
                });
            }
            if !self.stdout_open {
                return Err(Trouble::Ended { received: reading.received });
            }
            let now = Instant::now();
            // A process that exits closes its standard input first: give
            // its exit a moment to be the reason.
            if exited.is_none() && self.stdin_closed() {
                let since = *broken.get_or_insert(now);
                if now >= since + SETTLE {
                    return Err(Trouble::Undelivered);
                }
            }
            if deadline.is_some_and(|d| now >= d) {
                return Err(Trouble::TimedOut);
            }
            if exited.is_none() && !self.alive() {
                exited = Some(now);
            }
            if exited.is_some_and(|t| now >= t + LINGER) {
                return Err(Trouble::Ended { received: reading.received });
            }
            let mut wait = TICK;
            if let Some(d) = deadline {
                wait = wait.min(d.saturating_duration_since(now));
            }
            match self.stdout.recv_timeout(wait) {
                Ok(Chunk::Data(data)) => {
                    reading.received = reading.received.saturating_add(data.len());
                    if reading.received > opts.max_output_bytes {
                        return Err(Trouble::TooLarge);
                    }
                    reading.pending.extend_from_slice(&data);
                }
                Ok(Chunk::Closed) | Err(mpsc::RecvTimeoutError::Disconnected) => self.stdout_open = false,
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
        }
    }

    /// After its output closed or it exited: waits (at most [`GRACE`]) for
    /// the exit, then kills its group and reaps it. Whether it was still
    /// running after the wait, and its status.
    fn end(&mut self) -> Ending {
        let until = Instant::now() + GRACE;
        while self.alive() && Instant::now() < until {
            thread::sleep(Duration::from_millis(1));
        }
        let was_alive = self.alive();
        (was_alive, self.running.finish())
    }

    /// Kills the process (its group) after `trouble` and says what
    /// happened; `ended` is what [`Worker::end`] found, if it was called.
    fn fail(
        mut self,
        trouble: Trouble,
        ended: Option<Ending>,
        opts: &DecodeOptions,
        label: &str,
    ) -> DecoderFailure {
        let ended = match (&trouble, ended) {
            (Trouble::Ended { .. }, None) => Some(self.end()),
            (_, ended) => ended,
        };
        self.running.finish();
        let tail = self.stderr_tail();
        match trouble {
            Trouble::Garbage { reason, excerpt } => {
                DecoderFailure::Garbage { reason, excerpt, stderr_tail: tail }
            }
            Trouble::TimedOut => DecoderFailure::TimedOut { after: opts.timeout, stderr_tail: tail },
            Trouble::TooLarge => {
                DecoderFailure::OutputTooLarge { limit: opts.max_output_bytes, stderr_tail: tail }
            }
            Trouble::Undelivered => DecoderFailure::Crashed {
                status: "closed its standard input without reading the request".into(),
                stderr_tail: tail,
            },
            Trouble::Ended { received } => {
                let status = match ended.unwrap_or((false, None)) {
                    (true, _) => "closed its standard output before the end marker".to_owned(),
                    (false, Some(Ok(s))) if s.success() => "exit status 0 before the end marker".to_owned(),
                    (false, Some(Ok(s))) => {
                        // The shell's own "not found" (exit 127) before any answer
                        // is the program's absence.
                        let missing = tail.contains("not found") || tail.contains("No such file");
                        if s.code() == Some(127) && self.answered == 0 && received == 0 && missing {
                            return DecoderFailure::NotFound { program: label.to_owned() };
                        }
                        process::describe_status(&s)
                    }
                    (false, Some(Err(e))) => format!("status unknown: {e}"),
                    (false, None) => "exited, status unknown".to_owned(),
                };
                DecoderFailure::Crashed { status, stderr_tail: tail }
            }
        }
    }

    /// Forgets what the process wrote to standard error before now: waits
    /// (a little) for the reader to take in what is in the pipe already,
    /// then empties the tail.
    fn forget_stderr(&mut self) {
        self.settle_stderr();
        lock(&self.stderr).clear();
    }

    /// Waits (at most [`SETTLE`]) for the reader to take in what standard
    /// error's pipe holds.
    fn settle_stderr(&mut self) {
        let until = Instant::now() + SETTLE;
        while unread(&self.stderr_pipe) > 0 && Instant::now() < until {
            thread::sleep(Duration::from_micros(20));
        }
    }

    /// The stderr tail since the request, once its pipe has closed (after a
    /// kill) or [`GRACE`] has passed.
    fn stderr_tail(&mut self) -> String {
        if self.stderr_open {
            let _ = self.stderr_closed.recv_timeout(GRACE);
            self.stderr_open = false;
        }
        process::stderr_tail(&lock(&self.stderr))
    }
}

fn write_requests((pipe, requests, broken): (Arc<File>, mpsc::Receiver<Vec<u8>>, Arc<AtomicBool>)) {
    for line in requests {
        if (&*pipe).write_all(&line).is_err() {
            // It closed its standard input: that request never reached it.
            broken.store(true, Ordering::SeqCst);
            return;
        }
    }
    // The sender is gone: dropping the pipe is the end of its standard input.
}

fn read_chunks((mut pipe, chunks): (ChildStdout, mpsc::SyncSender<Chunk>)) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if chunks.send(Chunk::Data(buf[..n].to_vec())).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    let _ = chunks.send(Chunk::Closed);
}

/// A pipe as a file, which two threads can use at once.
#[cfg(unix)]
fn as_file(pipe: impl Into<std::os::fd::OwnedFd>) -> File {
    File::from(pipe.into())
}

/// A pipe as a file, which two threads can use at once.
#[cfg(windows)]
fn as_file(pipe: impl Into<std::os::windows::io::OwnedHandle>) -> File {
    File::from(pipe.into())
}

/// Whether the pipe whose writing end is `file` has lost its last reader.
fn unread_by_anyone(file: &File) -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let mut fd = libc::pollfd { fd: file.as_raw_fd(), events: libc::POLLOUT, revents: 0 };
        // SAFETY: poll(2) on one pollfd of ours, without waiting, about a
        // descriptor that `file` keeps open.
        let r = unsafe { libc::poll(&mut fd, 1, 0) };
        if r == 1 {
            return fd.revents & (libc::POLLERR | libc::POLLHUP) != 0;
        }
    }
    let _ = file;
    false
}

/// Bytes waiting in the pipe `file` (0 when unknown).
fn unread(file: &File) -> usize {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let mut n: libc::c_int = 0;
        // SAFETY: FIONREAD writes one int, ours, about a descriptor that
        // `file` keeps open.
        let r = unsafe { libc::ioctl(file.as_raw_fd(), libc::FIONREAD, &mut n) };
        if r == 0 {
            return usize::try_from(n).unwrap_or(0);
        }
    }
    let _ = file;
    0
}

fn read_stderr((pipe, tail, closed): (Arc<File>, Arc<Mutex<Vec<u8>>>, mpsc::Sender<()>)) {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match (&*pipe).read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                let mut tail = lock(&tail);
                tail.extend_from_slice(&chunk[..n]);
                if tail.len() > 2 * STDERR_KEEP {
                    let cut = tail.len() - STDERR_KEEP;
                    tail.drain(..cut);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    let _ = closed.send(());
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A `sh -c` pool.
    fn pool(script: &str) -> Pool {
        let script = script.to_owned();
        Pool::new("test decoder", move || {
            let mut c = Command::new("sh");
            c.arg("-c").arg(&script);
            c
        })
    }

    fn opts(ms: u64, cap: usize) -> DecodeOptions {
        DecodeOptions { timeout: Duration::from_millis(ms), max_output_bytes: cap }
    }

    const ECHO_END: &str =
        r#"while read -r p; do printf '{"frame":{"number":1}}\n{"end":"%s"}\n' "$p"; done"#;

    #[test]
    fn one_process_answers_every_request_and_sees_absolute_paths() {
        let p = pool(
            r#"while read -r p; do case "$p" in /*) printf '{"end":"%s"}\n' "$p";; *) echo relative;; esac; done"#,
        );
        for _ in 0..3 {
            let a = p.ask(Path::new("relative/capture.pcap"), &opts(5000, 1 << 20)).unwrap();
            assert_eq!(a.lines, Vec::new());
        }
        assert_eq!(p.started(), 1);
    }

    #[test]
    fn the_environment_says_batch() {
        let p =
            pool(r#"read -r p; printf '{"frame":{"number":%s}}\n{"end":"%s"}\n' "$VXCONFORM_BATCH" "$p""#);
        let a = p.ask(Path::new("/x.pcap"), &opts(5000, 1 << 20)).unwrap();
        assert_eq!(a.decoded().frames[0].frame.number, 1);
    }

    #[test]
    fn output_after_the_end_marker_replaces_the_process() {
        let p = pool(r#"while read -r p; do printf '{"end":"%s"}\nstray\n' "$p"; done"#);
        for _ in 0..2 {
            p.ask(Path::new("/a.pcap"), &opts(5000, 1 << 20)).unwrap();
        }
        assert_eq!(p.started(), 2);
    }

    #[test]
    fn a_process_that_exits_after_an_answer_is_restarted_and_nothing_fails() {
        let p = pool(r#"read -r p; printf '{"end":"%s"}\n' "$p""#);
        for _ in 0..3 {
            p.ask(Path::new("/a.pcap"), &opts(5000, 1 << 20)).unwrap();
        }
        assert_eq!(p.started(), 3);
    }

    #[test]
    fn a_closed_standard_input_is_found_out_not_waited_for() {
        // It stops reading after its first answer: the next capture goes to
        // a fresh process, without waiting for the timeout.
        let p = pool(r#"read -r p; printf '{"end":"%s"}\n' "$p"; exec <&-; sleep 60"#);
        let started = Instant::now();
        for _ in 0..3 {
            p.ask(Path::new("/a.pcap"), &opts(20_000, 1 << 20)).unwrap();
        }
        assert_eq!(p.started(), 3);
        assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
        // One that never reads any is a crash.
        let p = pool("exec <&-; sleep 60");
        let e = p.ask(Path::new("/a.pcap"), &opts(20_000, 1 << 20)).unwrap_err();
        assert_eq!(e.to_string(), "decoder crashed (closed its standard input without reading the request)");
    }

    #[test]
    fn a_flood_without_newlines_is_cut_off() {
        let p = pool("read -r p; yes | tr -d '\\n'");
        let started = Instant::now();
        let e = p.ask(Path::new("/a.pcap"), &opts(20_000, 100_000)).unwrap_err();
        assert!(matches!(e, DecoderFailure::OutputTooLarge { limit: 100_000, .. }), "{e}");
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    }

    #[test]
    fn a_closed_standard_output_is_a_crash() {
        let p = pool("exec >&-; read -r p; sleep 60");
        let e = p.ask(Path::new("/a.pcap"), &opts(20_000, 1 << 20)).unwrap_err();
        assert_eq!(e.to_string(), "decoder crashed (closed its standard output before the end marker)");
    }

    #[test]
    fn an_exit_while_a_leftover_holds_the_output_is_a_crash_not_a_timeout() {
        let p = pool("read -r p; echo oops >&2; sleep 60 & exit 0");
        let started = Instant::now();
        let e = p.ask(Path::new("/a.pcap"), &opts(20_000, 1 << 20)).unwrap_err();
        assert_eq!(e.to_string(), "decoder crashed (exit status 0 before the end marker); stderr: oops");
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    }

    #[test]
    fn end_markers_are_checked() {
        for (answer, why) in [
            (r#"{"end":"%s","extra":1}"#, r#"the end marker has the key "extra""#),
            (r#"{"end":7}"#, "the end marker's \"end\" is not a string"),
            (r#"{"end":"%s","error":1}"#, "the end marker's \"error\" is not a string"),
            (
                r#"{"end":"/b.pcap"}"#,
                r#"the end marker names "/b.pcap", not the capture asked for ("/a.pcap")"#,
            ),
        ] {
            let p = pool(&format!(r#"while read -r p; do printf '{answer}\n' "$p"; done"#));
            let e = p.ask(Path::new("/a.pcap"), &opts(5000, 1 << 20)).unwrap_err();
            assert!(matches!(&e, DecoderFailure::Garbage { reason, .. } if reason.contains(why)), "{e}");
        }
    }

    #[test]
    fn an_error_marker_declines_and_keeps_the_process() {
        let p = pool(
            r#"while read -r p; do echo "no luck" >&2; printf '{"end":"%s","error":"cannot\\nread"}\n' "$p"; done"#,
        );
        for _ in 0..2 {
            let e = p.ask(Path::new("/a.pcap"), &opts(5000, 1 << 20)).unwrap_err();
            assert_eq!(
                e.to_string(),
                "decoder could not dissect the capture: cannot | read; stderr: no luck"
            );
            assert_eq!(e.kind(), "declined");
        }
        assert_eq!(p.started(), 1);
    }

    #[test]
    fn unsendable_paths_are_setup_errors_and_start_nothing() {
        let p = pool(ECHO_END);
        let e = p.ask(Path::new("/a\nb.pcap"), &opts(5000, 1 << 20)).unwrap_err();
        assert!(matches!(&e, DecoderFailure::Setup(m) if m.contains("line break")), "{e}");
        use std::os::unix::ffi::OsStrExt;
        let e =
            p.ask(Path::new(std::ffi::OsStr::from_bytes(b"/\xff.pcap")), &opts(5000, 1 << 20)).unwrap_err();
        assert!(matches!(&e, DecoderFailure::Setup(m) if m.contains("not UTF-8")), "{e}");
        assert_eq!(p.started(), 0);
    }

    #[test]
    fn a_missing_command_is_not_found() {
        let e = Batch::new("no-such-decoder-xyz --batch")
            .unwrap()
            .decode(Path::new("/a.pcap"), &opts(5000, 1 << 20))
            .unwrap_err();
        assert_eq!(e, DecoderFailure::NotFound { program: "no-such-decoder-xyz --batch".into() });
        assert!(matches!(Batch::new("  "), Err(DecoderFailure::Setup(_))));
    }

    #[test]
    fn dropping_the_pool_ends_standard_input_then_kills() {
        let dir = tempfile::tempdir().unwrap();
        let done = dir.path().join("done");
        let p = pool(&format!("{ECHO_END}; echo bye > '{}'", done.display()));
        p.ask(Path::new("/a.pcap"), &opts(5000, 1 << 20)).unwrap();
        drop(p);
        assert_eq!(std::fs::read_to_string(&done).unwrap(), "bye\n");

        // One that ignores the end of its input is killed after the grace.
        let p = pool(&format!("{ECHO_END}; sleep 60"));
        p.ask(Path::new("/a.pcap"), &opts(5000, 1 << 20)).unwrap();
        let started = Instant::now();
        drop(p);
        assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    }
}
