//! Running a decoder program safely: bounded in time and output, never
//! hanging, never panicking.
//!
//! [`run`] spawns the program in its own process group, feeds it standard
//! input on a thread, reads standard output (up to a cap) and standard error
//! (keeping the tail) on two more threads, and kills the whole group when
//! the timeout passes or the output cap is exceeded.
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
use std::io::{self, Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Bytes of standard error kept (the tail).
const STDERR_KEEP: usize = 64 * 1024;
/// Lines of standard error quoted in failures.
const STDERR_TAIL_LINES: usize = 8;
/// How long to wait for the pipes to close after the group was killed.
const GRACE: Duration = Duration::from_millis(500);

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
    Exited(io::Result<ExitStatus>),
}

/// Runs `command` to its end with `stdin` as standard input (or none) and
/// returns what it printed; see the module documentation.
///
/// A non-zero exit is *not* an error here (some tools exit non-zero on a
/// truncated capture): check [`ProcessOutput::status`] or call
/// [`ProcessOutput::require_success`]. Errors: [`DecoderFailure::NotFound`]
/// when the program does not exist, [`DecoderFailure::TimedOut`],
/// [`DecoderFailure::OutputTooLarge`], [`DecoderFailure::Setup`] for other
/// spawn failures.
pub fn run(
    command: &mut Command,
    stdin: Option<&[u8]>,
    opts: &DecodeOptions,
) -> Result<ProcessOutput, DecoderFailure> {
    let program = command.get_program().to_string_lossy().into_owned();
    command
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let mut child = command.spawn().map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => DecoderFailure::NotFound { program: program.clone() },
        _ => DecoderFailure::Setup(format!("cannot start {program}: {e}")),
    })?;
    let pid = child.id();
    let started = Instant::now();
    let (tx, rx) = mpsc::channel::<Event>();

    if let (Some(mut pipe), Some(input)) = (child.stdin.take(), stdin) {
        let input = input.to_vec();
        // A decoder may ignore stdin and exit: a broken pipe is not an error.
        let _ = thread::Builder::new().name("decoder-stdin".into()).spawn(move || {
            let _ = pipe.write_all(&input);
        });
    }

    let stdout_buf = Arc::new(Mutex::new(Vec::new()));
    if let Some(mut pipe) = child.stdout.take() {
        let buf = Arc::clone(&stdout_buf);
        let tx = tx.clone();
        let cap = opts.max_output_bytes;
        spawn_reader("decoder-stdout", move || {
            let mut chunk = [0u8; 64 * 1024];
            loop {
                match pipe.read(&mut chunk) {
                    Ok(0) | Err(_) => {
                        let _ = tx.send(Event::StdoutClosed);
                        return;
                    }
                    Ok(n) => {
                        let mut buf = buf.lock().unwrap_or_else(|p| p.into_inner());
                        if buf.len() + n > cap {
                            let _ = tx.send(Event::StdoutOverflow);
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                    }
                }
            }
        });
    } else {
        let _ = tx.send(Event::StdoutClosed);
    }

    let stderr_buf = Arc::new(Mutex::new(Vec::new()));
    if let Some(mut pipe) = child.stderr.take() {
        let buf = Arc::clone(&stderr_buf);
        let tx = tx.clone();
        spawn_reader("decoder-stderr", move || {
            let mut chunk = [0u8; 16 * 1024];
            loop {
                match pipe.read(&mut chunk) {
                    Ok(0) | Err(_) => {
                        let _ = tx.send(Event::StderrClosed);
                        return;
                    }
                    Ok(n) => {
                        let mut buf = buf.lock().unwrap_or_else(|p| p.into_inner());
                        buf.extend_from_slice(&chunk[..n]);
                        if buf.len() > 2 * STDERR_KEEP {
                            let cut = buf.len() - STDERR_KEEP;
                            buf.drain(..cut);
                        }
                    }
                }
            }
        });
    } else {
        let _ = tx.send(Event::StderrClosed);
    }

    {
        let tx = tx.clone();
        spawn_reader("decoder-wait", move || {
            let _ = tx.send(Event::Exited(child.wait()));
        });
    }
    drop(tx);

    let deadline = started + opts.timeout;
    let (mut stdout_open, mut stderr_open, mut status) = (true, true, None);
    let take_stderr = |buf: &Arc<Mutex<Vec<u8>>>| {
        let buf = buf.lock().unwrap_or_else(|p| p.into_inner());
        let keep = buf.len().saturating_sub(STDERR_KEEP);
        buf[keep..].to_vec()
    };
    while stdout_open || stderr_open || status.is_none() {
        let now = Instant::now();
        let event = if now >= deadline {
            Err(mpsc::RecvTimeoutError::Timeout)
        } else {
            rx.recv_timeout(deadline - now)
        };
        match event {
            Ok(Event::StdoutClosed) => stdout_open = false,
            Ok(Event::StderrClosed) => stderr_open = false,
            Ok(Event::Exited(Ok(s))) => status = Some(s),
            Ok(Event::Exited(Err(e))) => {
                kill_group(pid);
                return Err(DecoderFailure::Setup(format!("cannot wait for {program}: {e}")));
            }
            Ok(Event::StdoutOverflow) => {
                kill_group(pid);
                drain(&rx, stderr_open);
                return Err(DecoderFailure::OutputTooLarge {
                    limit: opts.max_output_bytes,
                    stderr_tail: stderr_tail(&take_stderr(&stderr_buf)),
                });
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                kill_group(pid);
                drain(&rx, stderr_open);
                return Err(DecoderFailure::TimedOut {
                    after: opts.timeout,
                    stderr_tail: stderr_tail(&take_stderr(&stderr_buf)),
                });
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let stdout = std::mem::take(&mut *stdout_buf.lock().unwrap_or_else(|p| p.into_inner()));
    let stderr = take_stderr(&stderr_buf);
    match status {
        Some(status) => Ok(ProcessOutput { stdout, stderr, status }),
        None => Err(DecoderFailure::Setup(format!("lost track of {program}"))),
    }
}

fn spawn_reader(name: &str, f: impl FnOnce() + Send + 'static) {
    // If a thread cannot be spawned its event never arrives and the
    // timeout ends the run: no panic.
    let _ = thread::Builder::new().name(name.into()).spawn(f);
}

/// Waits a little for stderr to close after a kill, so its tail is complete.
fn drain(rx: &mpsc::Receiver<Event>, mut stderr_open: bool) {
    let until = Instant::now() + GRACE;
    while stderr_open {
        let now = Instant::now();
        if now >= until {
            return;
        }
        match rx.recv_timeout(until - now) {
            Ok(Event::StderrClosed) => stderr_open = false,
            Ok(_) => {}
            Err(_) => return,
        }
    }
}

/// Sends SIGKILL to the process group led by `pid` (the child and anything
/// it started that stayed in its group).
fn kill_group(pid: u32) {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else { return };
        // SAFETY: kill(2) with a negative pid signals a process group; it has
        // no memory-safety preconditions. The group cannot have been reused:
        // a pid stays reserved while it names a live group or an unreaped
        // child.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
    }
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
}
