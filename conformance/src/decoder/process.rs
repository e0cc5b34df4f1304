//! Running a decoder program safely: bounded in time and output, never
//! hanging, never panicking, leaving nothing behind.
//!
//! [`run`] spawns the program in its own process group, feeds it standard
//! input on a thread, reads standard output (up to a cap) and standard error
//! (keeping the tail) on two more threads, and watches for its exit. The
//! program is done when it has exited and its pipes are closed; then its
//! whole group is killed, so that nothing it started in the background
//! outlives it. It is killed early when the timeout passes or the output cap
//! is exceeded. When it has exited but something it left behind still holds
//! its pipes open, that is waited for at most half a second, then killed, and
//! the output read until then counts.
//!
//! A process that leaves the group (`setsid`, a double fork) escapes a group
//! kill. A program that starts child processes only through [`run`] (the
//! `vxconform` binary) calls [`supervise`] once: on Linux it then becomes a
//! child subreaper, every such escapee is reparented to it, and after each
//! decoder [`run`] kills and reaps every child process it did not start
//! itself ([`reap_orphans`]); [`kill_descendants`] kills them all at exit.
//! See docs/decoder-protocol.md, "Isolation".
//!
//! A batch decoder ([`super::batch`]) lives across many captures: it is
//! started by `spawn_long_lived` (crate-internal), in its own group and
//! registered like the programs [`run`] is running, so that the sweep
//! after each capture spares it, idle or busy, and still kills what it
//! leaves behind; it is killed with its group when its pool lets it go.
//!
//! ```
//! use conformance::decoder::{process, DecodeOptions, DecoderFailure};
//! use std::process::Command;
//! use std::time::Duration;
//!
//! let opts = DecodeOptions { timeout: Duration::from_secs(5), max_output_bytes: 1 << 20 };
//! let out = process::run(Command::new("cat").arg("-"), Some(b"hello"), &opts).unwrap();
//! assert_eq!(out.stdout, b"hello");
//! assert!(out.status.success());
//!
//! let missing = process::run(&mut Command::new("no-such-decoder-xyz"), None, &opts);
//! assert!(matches!(missing, Err(DecoderFailure::NotFound { .. })));
//!
//! let opts = DecodeOptions { timeout: Duration::from_millis(200), ..opts };
//! let slow = process::run(Command::new("sleep").arg("30"), None, &opts);
//! assert!(matches!(slow, Err(DecoderFailure::TimedOut { .. })));
//! ```

use super::{DecodeOptions, DecoderFailure};
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
#[cfg(target_os = "linux")]
use std::path::Path;
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

/// Bytes of standard error kept (the tail).
pub(crate) const STDERR_KEEP: usize = 64 * 1024;
/// Lines of standard error quoted in failures.
const STDERR_TAIL_LINES: usize = 8;
/// How long to wait for the pipes to close, and the program to be reaped,
/// after it was killed.
pub(crate) const GRACE: Duration = Duration::from_millis(500);
/// How long output is awaited from what a program left behind once it exited.
const LINGER: Duration = Duration::from_millis(500);
/// The longest sleep between two looks at whether the program has exited.
const MAX_TICK: Duration = Duration::from_millis(20);
/// Retries when the system refuses a process or a thread for now (`EAGAIN`).
const RETRIES: u32 = 4;
/// Rounds of [`reap_orphans`]: each kills the orphans it sees, whose own
/// children then become orphans for the next.
const SWEEP_ROUNDS: usize = 200;

/// What a program that ran to its end left behind.
#[derive(Debug, Clone)]
pub struct ProcessOutput {
    /// Everything it wrote to standard output.
    pub stdout: Vec<u8>,
    /// The last 64 KiB it wrote to standard error.
    pub stderr: Vec<u8>,
    /// How it ended.
    pub status: ExitStatus,
}

impl ProcessOutput {
    /// The last lines of standard error, as text.
    pub fn stderr_tail(&self) -> String {
        stderr_tail(&self.stderr)
    }

    /// `Ok(self)` when the program exited 0, otherwise
    /// [`DecoderFailure::Crashed`] with its status and stderr tail.
    pub fn require_success(self) -> Result<ProcessOutput, DecoderFailure> {
        if self.status.success() {
            Ok(self)
        } else {
            Err(DecoderFailure::Crashed {
                status: describe_status(&self.status),
                stderr_tail: self.stderr_tail(),
            })
        }
    }
}

/// The last few lines of `stderr`, lossily decoded, at most 2000 characters.
pub fn stderr_tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = lines.len().saturating_sub(STDERR_TAIL_LINES);
    let tail = lines[start..].join("\n");
    let count = tail.chars().count();
    if count > 2000 {
        tail.chars().skip(count - 2000).collect()
    } else {
        tail
    }
}

/// `exit status 3`, `killed by signal 11`.
pub fn describe_status(status: &ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("killed by signal {signal}");
        }
    }
    status.to_string()
}

enum Event {
    StdoutClosed,
    StdoutOverflow,
    StderrClosed,
}

/// How the watch over a program ended.
enum Ending {
    /// It exited and its pipes closed.
    Done,
    /// It exited, but something it left behind held its pipes past [`LINGER`].
    Lingered,
    TimedOut,
    Overflow,
    /// Its status could not be read.
    Lost(io::Error),
}

/// Runs `command` to its end with `stdin` as standard input (or none) and
/// returns what it printed; see the module documentation.
///
/// A non-zero exit is *not* an error here (some tools exit non-zero on a
/// truncated capture): check [`ProcessOutput::status`] or call
/// [`ProcessOutput::require_success`]. Errors: [`DecoderFailure::NotFound`]
/// when the program does not exist, [`DecoderFailure::TimedOut`],
/// [`DecoderFailure::OutputTooLarge`], [`DecoderFailure::Setup`] for other
/// spawn failures (the system refusing a process or a thread after a few
/// retries, say). A timeout too large for the clock means no timeout.
pub fn run(
    command: &mut Command,
    stdin: Option<&[u8]>,
    opts: &DecodeOptions,
) -> Result<ProcessOutput, DecoderFailure> {
    let program = command.get_program().to_string_lossy().into_owned();
    let no_thread =
        |e: io::Error| DecoderFailure::Setup(format!("cannot start a thread to run {program}: {e}"));
    // The threads first: if the system refuses one, no process is running yet.
    let to_stdout = start_thread("decoder-stdout", read_stdout).map_err(no_thread)?;
    let to_stderr = start_thread("decoder-stderr", read_stderr).map_err(no_thread)?;
    let to_stdin = match stdin {
        Some(_) => Some(start_thread("decoder-stdin", write_stdin).map_err(no_thread)?),
        None => None,
    };

    command
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let child = spawn_registered(command).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => DecoderFailure::NotFound { program: program.clone() },
        _ => DecoderFailure::Setup(format!("cannot start {program}: {e}")),
    })?;
    let started = Instant::now();
    let mut running = Running { pid: child.id(), child: Some(child) };
    let child = running.child.as_mut().expect("just set");

    let (tx, rx) = mpsc::channel::<Event>();
    let stdout_buf = Arc::new(Mutex::new(Vec::new()));
    let stderr_buf = Arc::new(Mutex::new(Vec::new()));
    let (mut stdout_open, mut stderr_open) = (true, true);
    // A thread that is not handed its pipe ends at once; an absent pipe is a closed one.
    match child.stdout.take() {
        Some(pipe) => {
            let _ = to_stdout.send((pipe, Arc::clone(&stdout_buf), opts.max_output_bytes, tx.clone()));
        }
        None => stdout_open = false,
    }
    match child.stderr.take() {
        Some(pipe) => {
            let _ = to_stderr.send((pipe, Arc::clone(&stderr_buf), tx.clone()));
        }
        None => stderr_open = false,
    }
    if let (Some(to_stdin), Some(pipe), Some(input)) = (to_stdin, child.stdin.take(), stdin) {
        let _ = to_stdin.send((pipe, input.to_vec()));
    }
    drop(tx);

    // Beyond the clock's range there is no deadline.
    let deadline = started.checked_add(opts.timeout);
    let mut exited: Option<Instant> = None;
    let mut events_open = true;
    let mut tick = Duration::from_millis(1);
    let ending = loop {
        if exited.is_none() {
            match has_exited(child) {
                Ok(true) => exited = Some(Instant::now()),
                Ok(false) => {}
                Err(e) => break Ending::Lost(e),
            }
        }
        if exited.is_some() && !stdout_open && !stderr_open {
            break Ending::Done;
        }
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) {
            break Ending::TimedOut;
        }
        let linger_end = exited.and_then(|t| t.checked_add(LINGER));
        if linger_end.is_some_and(|t| now >= t) {
            break Ending::Lingered;
        }
        // Wait for an event until the next look at the exit, the end of the
        // linger or the deadline, whichever comes first (all in the future).
        let mut wait = match (exited, linger_end) {
            (None, _) => tick,
            (Some(_), Some(t)) => t.saturating_duration_since(now),
            (Some(_), None) => MAX_TICK,
        };
        if let Some(d) = deadline {
            wait = wait.min(d.saturating_duration_since(now));
        }
        tick = (tick * 2).min(MAX_TICK);
        if !events_open {
            thread::sleep(wait);
            continue;
        }
        match rx.recv_timeout(wait) {
            Ok(Event::StdoutClosed) => stdout_open = false,
            Ok(Event::StderrClosed) => stderr_open = false,
            Ok(Event::StdoutOverflow) => break Ending::Overflow,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                // Both readers are gone, so both pipes are closed.
                (stdout_open, stderr_open, events_open) = (false, false, false);
                continue;
            }
        }
        // A pipe closed: the exit is likely near.
        tick = Duration::from_millis(1);
    };

    // Kills what is left of the group (and, supervising, what escaped it),
    // then reaps the program.
    let status = running.finish();
    let stderr = |buf: &Arc<Mutex<Vec<u8>>>| {
        let buf = lock(buf);
        let keep = buf.len().saturating_sub(STDERR_KEEP);
        buf[keep..].to_vec()
    };
    match ending {
        Ending::Done | Ending::Lingered => {
            if stdout_open || stderr_open {
                drain(&rx, stdout_open, stderr_open);
            }
            let stdout = std::mem::take(&mut *lock(&stdout_buf));
            match status {
                Some(Ok(status)) => Ok(ProcessOutput { stdout, stderr: stderr(&stderr_buf), status }),
                Some(Err(e)) => Err(DecoderFailure::Setup(format!("cannot wait for {program}: {e}"))),
                None => Err(DecoderFailure::Setup(format!("lost track of {program}"))),
            }
        }
        Ending::Lost(e) => Err(DecoderFailure::Setup(format!("cannot wait for {program}: {e}"))),
        Ending::TimedOut => {
            drain(&rx, false, stderr_open);
            Err(DecoderFailure::TimedOut {
                after: opts.timeout,
                stderr_tail: stderr_tail(&stderr(&stderr_buf)),
            })
        }
        Ending::Overflow => {
            drain(&rx, false, stderr_open);
            Err(DecoderFailure::OutputTooLarge {
                limit: opts.max_output_bytes,
                stderr_tail: stderr_tail(&stderr(&stderr_buf)),
            })
        }
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Sleeps a little longer after each refusal.
fn back_off(attempt: u32) {
    thread::sleep(Duration::from_millis(10) * 2u32.pow(attempt.min(6)));
}

/// Starts a thread that waits for its input, then runs `f` on it; the
/// thread ends at once if the sender is dropped unused. Retries a few times
/// when the system is short of threads for now.
pub(crate) fn start_thread<T: Send + 'static>(name: &str, f: fn(T)) -> io::Result<mpsc::Sender<T>> {
    let mut attempt = 0;
    loop {
        let (tx, rx) = mpsc::channel::<T>();
        let started = thread::Builder::new().name(name.into()).spawn(move || {
            if let Ok(input) = rx.recv() {
                f(input);
            }
        });
        match started {
            Ok(_) => return Ok(tx),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && attempt < RETRIES => back_off(attempt),
            Err(e) => return Err(e),
        }
        attempt += 1;
    }
}

fn read_stdout((mut pipe, buf, cap, tx): (ChildStdout, Arc<Mutex<Vec<u8>>>, usize, mpsc::Sender<Event>)) {
    let mut chunk = [0u8; 64 * 1024];
    loop {
        match pipe.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                let mut buf = lock(&buf);
                if buf.len().saturating_add(n) > cap {
                    let _ = tx.send(Event::StdoutOverflow);
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    let _ = tx.send(Event::StdoutClosed);
}

fn read_stderr((mut pipe, buf, tx): (ChildStderr, Arc<Mutex<Vec<u8>>>, mpsc::Sender<Event>)) {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match pipe.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                let mut buf = lock(&buf);
                buf.extend_from_slice(&chunk[..n]);
                if buf.len() > 2 * STDERR_KEEP {
                    let cut = buf.len() - STDERR_KEEP;
                    buf.drain(..cut);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    let _ = tx.send(Event::StderrClosed);
}

fn write_stdin((mut pipe, input): (ChildStdin, Vec<u8>)) {
    // A decoder may ignore stdin and exit: a broken pipe is not an error.
    let _ = pipe.write_all(&input);
}

/// Waits a little for the pipes to close after a kill, so that the output
/// and the stderr tail are complete.
fn drain(rx: &mpsc::Receiver<Event>, mut stdout_open: bool, mut stderr_open: bool) {
    let until = Instant::now() + GRACE;
    while stdout_open || stderr_open {
        let wait = until.saturating_duration_since(Instant::now());
        if wait.is_zero() {
            return;
        }
        match rx.recv_timeout(wait) {
            Ok(Event::StderrClosed) => stderr_open = false,
            Ok(Event::StdoutClosed | Event::StdoutOverflow) => stdout_open = false,
            Err(_) => return,
        }
    }
}

/// The children [`run`] started and has not reaped yet: pid and count (a
/// pid reaped by one call and reused by the next is counted twice for a
/// moment).
static CHILDREN: Mutex<BTreeMap<u32, usize>> = Mutex::new(BTreeMap::new());
/// Whether [`supervise`] took effect.
static SUPERVISING: AtomicBool = AtomicBool::new(false);

fn children() -> MutexGuard<'static, BTreeMap<u32, usize>> {
    lock(&CHILDREN)
}

/// Spawns `command`, recording the child under the same lock that
/// [`reap_orphans`] holds, so that a new child is never taken for an orphan.
/// Retries a few times when the system is short of processes for now.
fn spawn_registered(command: &mut Command) -> io::Result<Child> {
    let mut attempt = 0;
    loop {
        let spawned = {
            let mut registry = children();
            command.spawn().inspect(|child| *registry.entry(child.id()).or_default() += 1)
        };
        match spawned {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && attempt < RETRIES => back_off(attempt),
            other => return other,
        }
        attempt += 1;
    }
}

fn unregister(pid: u32) {
    let mut registry = children();
    if let Some(n) = registry.get_mut(&pid) {
        *n -= 1;
        if *n == 0 {
            registry.remove(&pid);
        }
    }
}

/// A started program, until it is reaped.
pub(crate) struct Running {
    pid: u32,
    child: Option<Child>,
}

impl Running {
    /// Kills the program's group, reaps the program (waiting at most
    /// [`GRACE`] after the kill), forgets it and, when supervising, kills and
    /// reaps the orphans. `None`: it could not be reaped in time (left to
    /// [`reap_orphans`]) or was already.
    pub(crate) fn finish(&mut self) -> Option<io::Result<ExitStatus>> {
        let mut child = self.child.take()?;
        // The program is not reaped yet, so its pid, and with it the id of
        // its group, cannot have been reused: the kill hits its group only.
        kill_group(self.pid);
        let until = Instant::now() + GRACE;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(Ok(status)),
                Ok(None) if Instant::now() < until => thread::sleep(Duration::from_millis(1)),
                // Unkillable for now (stuck in the kernel): an orphan to reap later.
                Ok(None) => break None,
                Err(e) => break Some(Err(e)),
            }
        };
        unregister(self.pid);
        reap_orphans();
        status
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

/// A program started to serve several requests (a batch decoder, see
/// [`super::batch`]), with its three pipes.
pub(crate) struct LongLived {
    /// The program; dropping it kills its group and reaps it.
    pub(crate) running: Running,
    /// Its standard input.
    pub(crate) stdin: ChildStdin,
    /// Its standard output.
    pub(crate) stdout: ChildStdout,
    /// Its standard error.
    pub(crate) stderr: ChildStderr,
}

/// Starts `command` to live across several requests: in its own process
/// group, with piped standard input, output and error, and registered
/// among the programs this module runs, so that [`reap_orphans`] spares it
/// (while still killing what it leaves behind) until
/// [`Running::finish`]. Errors as [`run`]'s: [`DecoderFailure::NotFound`],
/// [`DecoderFailure::Setup`].
pub(crate) fn spawn_long_lived(command: &mut Command) -> Result<LongLived, DecoderFailure> {
    let program = command.get_program().to_string_lossy().into_owned();
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let mut child = spawn_registered(command).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => DecoderFailure::NotFound { program: program.clone() },
        _ => DecoderFailure::Setup(format!("cannot start {program}: {e}")),
    })?;
    let pipes = (child.stdin.take(), child.stdout.take(), child.stderr.take());
    let running = Running { pid: child.id(), child: Some(child) };
    match pipes {
        (Some(stdin), Some(stdout), Some(stderr)) => Ok(LongLived { running, stdin, stdout, stderr }),
        // Not with Stdio::piped(); dropping `running` kills it.
        _ => Err(DecoderFailure::Setup(format!("{program} started without its pipes"))),
    }
}

impl Running {
    /// Whether the program has exited (not reaped yet, so its group can
    /// still be killed safely); `true` once [`Running::finish`]ed.
    pub(crate) fn exited(&mut self) -> io::Result<bool> {
        match self.child.as_mut() {
            Some(child) => has_exited(child),
            None => Ok(true),
        }
    }
}

/// Whether the program has exited, without reaping it (on Linux), so that
/// its group can still be killed safely.
fn has_exited(child: &mut Child) -> io::Result<bool> {
    #[cfg(target_os = "linux")]
    {
        let pid: libc::id_t = child.id();
        loop {
            // SAFETY: an all-zero siginfo_t is a valid value; waitid(2) with
            // WNOWAIT only reads the state of our own child, which stays
            // unreaped.
            let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
            let r = unsafe {
                libc::waitid(libc::P_PID, pid, &mut info, libc::WEXITED | libc::WNOHANG | libc::WNOWAIT)
            };
            if r == 0 {
                // SAFETY: waitid filled in `info` (si_pid 0: no state change yet).
                return Ok(unsafe { info.si_pid() } != 0);
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        // Elsewhere the program is reaped here; its group is killed right after.
        child.try_wait().map(|s| s.is_some())
    }
}

/// Sends SIGKILL to the process group led by `pid` (the child and anything
/// it started that stayed in its group).
fn kill_group(pid: u32) {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else { return };
        if pid <= 1 {
            return;
        }
        // SAFETY: kill(2) with a negative pid signals a process group; it has
        // no memory-safety preconditions.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
    }
}

/// Makes this process the reaper of every process its decoders leave
/// behind, on Linux (`prctl(PR_SET_CHILD_SUBREAPER)`): a process that
/// escapes a decoder's group (`setsid`, a double fork) is reparented to this
/// one when its parent exits, and [`run`] then kills it ([`reap_orphans`]).
/// Returns whether that took effect (never on other systems).
///
/// Call it only in a program that starts child processes solely through
/// [`run`], such as `vxconform`: every other child process is taken for a
/// decoder's leftover and killed.
pub fn supervise() -> bool {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: prctl(2) with PR_SET_CHILD_SUBREAPER takes an integer flag
        // and touches no memory of ours.
        let r = unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1 as libc::c_ulong, 0, 0, 0) };
        if r == 0 {
            SUPERVISING.store(true, Ordering::SeqCst);
        }
        r == 0
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

/// Whether [`supervise`] took effect.
pub fn supervising() -> bool {
    SUPERVISING.load(Ordering::SeqCst)
}

/// When [`supervise`] took effect: kills every child process of this one
/// that [`run`] is not running (orphans reparented here), and their own
/// children as they become orphans in turn, until none is left; reaps the
/// dead ones. Returns how many were killed. Otherwise does nothing.
///
/// Orphans cannot be told apart once reparented, so this also kills one
/// left behind by a decoder still running in another thread: a decoder
/// that plays by the rules leaves none.
pub fn reap_orphans() -> usize {
    sweep(false)
}

/// Like [`reap_orphans`], and also kills the programs [`run`] is running
/// and their groups: for the end of the program.
pub fn kill_descendants() -> usize {
    sweep(true)
}

fn sweep(everything: bool) -> usize {
    if !supervising() {
        return 0;
    }
    #[cfg(target_os = "linux")]
    {
        let me = std::process::id();
        let mut killed = std::collections::BTreeSet::new();
        for _ in 0..SWEEP_ROUNDS {
            let mut alive = 0;
            {
                // Held while deciding and killing: no child is being started meanwhile.
                let registry = children();
                for (pid, dead) in children_of(me) {
                    let ours = registry.contains_key(&pid);
                    let Ok(p) = libc::pid_t::try_from(pid) else { continue };
                    if ours && !everything {
                        continue;
                    }
                    if dead {
                        // A child of ours, not reaped, so its pid cannot
                        // have been reused. Those run() started, it reaps.
                        if !ours {
                            let mut status = 0;
                            // SAFETY: waitpid(2) on one pid, writing an int we own.
                            unsafe { libc::waitpid(p, &mut status, libc::WNOHANG) };
                        }
                        continue;
                    }
                    alive += 1;
                    killed.insert(pid);
                    // SAFETY: kill(2) has no memory-safety preconditions; the
                    // pid is an unreaped child of ours, so it is not reused.
                    unsafe {
                        libc::kill(p, libc::SIGKILL);
                        if ours {
                            libc::kill(-p, libc::SIGKILL);
                        }
                    }
                }
            }
            if alive == 0 {
                break;
            }
            // Let the killed die, and their children be reparented here.
            thread::sleep(Duration::from_millis(1));
        }
        killed.len()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = everything;
        0
    }
}

/// The child processes of `parent`, with whether each is dead (a zombie):
/// from the children lists of its threads when the kernel keeps them
/// ([`listed_children`]: a few short files, where scanning every process
/// of a busy machine takes a millisecond or more per sweep), else by
/// reading the parent of every process in `/proc`.
#[cfg(target_os = "linux")]
fn children_of(parent: u32) -> Vec<(u32, bool)> {
    if let Some(pids) = listed_children(parent) {
        // Still a child of ours (not reaped meanwhile by another thread).
        return pids
            .into_iter()
            .filter_map(|pid| stat_of(pid).filter(|(_, ppid)| *ppid == parent).map(|(dead, _)| (pid, dead)))
            .collect();
    }
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    let mut out = Vec::new();
    for entry in dir.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        if let Some((dead, ppid)) = stat_of(pid) {
            if ppid == parent {
                out.push((pid, dead));
            }
        }
    }
    out
}

/// Whether process `pid` is dead (a zombie), and its parent, from
/// `/proc/PID/stat`.
#[cfg(target_os = "linux")]
fn stat_of(pid: u32) -> Option<(bool, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid ...`; comm may hold spaces and parentheses.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let (state, ppid) = (fields.next()?, fields.next()?.parse().ok()?);
    Some((matches!(state, "Z" | "X"), ppid))
}

/// The children of every thread of `parent` (an orphan is reparented to
/// some thread of its subreaper), from `/proc/PID/task/TID/children`
/// (Linux 3.5 and later, `CONFIG_PROC_CHILDREN`); `None` when the kernel
/// keeps no such lists. Like a scan of `/proc`, a snapshot: a process
/// reparented while it is read is found by the next round of the sweep.
#[cfg(target_os = "linux")]
fn listed_children(parent: u32) -> Option<std::collections::BTreeSet<u32>> {
    static LISTS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if !*LISTS.get_or_init(|| Path::new("/proc/thread-self/children").exists()) {
        return None;
    }
    let mut out = std::collections::BTreeSet::new();
    for task in std::fs::read_dir(format!("/proc/{parent}/task")).ok()?.flatten() {
        // A thread that ended meanwhile has no list; its children went to another.
        if let Ok(list) = std::fs::read_to_string(task.path().join("children")) {
            out.extend(list.split_whitespace().filter_map(|p| p.parse::<u32>().ok()));
        }
    }
    Some(out)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn opts(ms: u64, cap: usize) -> DecodeOptions {
        DecodeOptions { timeout: Duration::from_millis(ms), max_output_bytes: cap }
    }

    #[test]
    fn grandchildren_holding_the_pipes_are_killed_too() {
        let started = Instant::now();
        let r = run(
            Command::new("sh").args(["-c", "sleep 60 & sleep 60; echo never"]),
            None,
            &opts(300, 1 << 20),
        );
        assert!(matches!(r, Err(DecoderFailure::TimedOut { .. })), "{r:?}");
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    }

    #[test]
    fn a_program_that_ignores_its_stdin_is_fine() {
        let input = vec![b'x'; 4 << 20];
        let out = run(Command::new("true").arg("ignored"), Some(&input), &opts(5000, 1 << 20)).unwrap();
        assert!(out.status.success());
    }

    #[test]
    fn exit_status_and_stderr_tail() {
        let out = run(
            Command::new("sh")
                .args(["-c", "for i in 1 2 3 4 5 6 7 8 9 10; do echo line $i >&2; done; exit 3"]),
            None,
            &opts(5000, 1 << 20),
        )
        .unwrap();
        assert_eq!(out.status.code(), Some(3));
        let tail = out.stderr_tail();
        assert!(tail.starts_with("line 3") && tail.ends_with("line 10"), "{tail}");
        let err = out.require_success().unwrap_err();
        assert_eq!(err.to_string(), "decoder crashed (exit status 3); stderr: line 3 | line 4 | line 5 | line 6 | line 7 | line 8 | line 9 | line 10");
    }

    #[test]
    fn output_over_the_cap_is_cut_off() {
        let r = run(&mut Command::new("yes"), None, &opts(10_000, 100_000));
        assert!(matches!(r, Err(DecoderFailure::OutputTooLarge { limit: 100_000, .. })), "{r:?}");
    }

    #[test]
    fn a_signal_is_a_crash() {
        let out = run(Command::new("sh").args(["-c", "kill -SEGV $$"]), None, &opts(5000, 1 << 20)).unwrap();
        let err = out.require_success().unwrap_err();
        assert!(err.to_string().starts_with("decoder crashed (killed by signal 11)"), "{err}");
    }

    #[test]
    fn a_timeout_beyond_the_clock_is_no_timeout_and_no_panic() {
        let o = DecodeOptions { timeout: Duration::MAX, max_output_bytes: usize::MAX };
        let out = run(Command::new("echo").arg("hi"), Some(b"x"), &o).unwrap();
        assert_eq!(out.stdout, b"hi\n");
    }

    #[test]
    fn what_a_program_leaves_in_its_group_is_killed_when_it_exits() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("pid");
        let script = format!("sleep 300 >/dev/null 2>&1 & echo $! > {}; echo done", pidfile.display());
        let out = run(Command::new("sh").args(["-c", &script]), None, &opts(10_000, 1 << 20)).unwrap();
        assert_eq!(out.stdout, b"done\n");
        let pid: i32 = std::fs::read_to_string(&pidfile).unwrap().trim().parse().unwrap();
        // Killed (a zombie until its parent, init or a subreaper, reaps it).
        let gone = || {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map_or(true, |s| s.rsplit(')').next().is_some_and(|r| r.trim_start().starts_with('Z')))
        };
        let until = Instant::now() + Duration::from_secs(5);
        while !gone() && Instant::now() < until {
            thread::sleep(Duration::from_millis(10));
        }
        assert!(gone(), "the background sleep {pid} outlived its decoder");
    }

    #[test]
    fn output_held_open_by_a_leftover_is_not_waited_for_past_the_linger() {
        let started = Instant::now();
        let out =
            run(Command::new("sh").args(["-c", "echo frame; sleep 300 &"]), None, &opts(20_000, 1 << 20))
                .unwrap();
        assert_eq!(out.stdout, b"frame\n");
        assert!(out.status.success());
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    }
}
