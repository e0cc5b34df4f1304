//! Removing temporary files when the process is interrupted.
//!
//! Every [`Output`](super::Output) writing a file registers its temporary
//! file (`NAME.partial-XXXXXX`) here for as long as it lives, and removes it
//! from the registry when it is committed (renamed into place) or dropped
//! (deleted). [`install_signal_cleanup`] starts a thread that waits for
//! `SIGINT`, `SIGTERM` and `SIGHUP`; on the first one it deletes every
//! registered temporary file and ends the process with the conventional
//! status `128 + signal number` (130, 143, 129). A signal that the process
//! inherited as ignored (`nohup` ignores `SIGHUP`; a non-interactive shell's
//! `cmd &` ignores `SIGINT`) is left ignored, so that the run goes on as it
//! would without this module.
//!
//! No race can delete a committed capture or leave a temporary file behind:
//! creating a temporary file, renaming it into place and deleting it each
//! happen while the registry's lock is held, and the signal thread keeps the
//! lock from the clean-up until the process has exited. A signal that comes
//! during a commit therefore finds either the temporary file (deleted, the
//! final path untouched) or the finished capture (kept).
//!
//! `SIGKILL` cannot be caught: a process killed with it (or by the
//! out-of-memory killer, or a power cut) can leave a `NAME.partial-XXXXXX`
//! file next to where the capture would have gone. It is an unfinished
//! capture and safe to delete.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The temporary files of the live [`Output`](super::Output)s.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The registry, locked. A panic while it was held cannot leave it in an
/// inconsistent state (every operation is a single push or remove), so a
/// poisoned lock is taken as it is.
pub(crate) fn live_temp_files() -> MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Removes `path` from the (locked) registry, if it is there.
pub(crate) fn forget(live: &mut Vec<PathBuf>, path: &Path) {
    if let Some(at) = live.iter().position(|p| p == path) {
        live.swap_remove(at);
    }
}

/// Deletes every registered temporary file, keeping the registry locked
/// (the returned guard) so that no new one appears and none is committed
/// until the guard is dropped, which the signal thread never does.
fn remove_live_temp_files() -> MutexGuard<'static, Vec<PathBuf>> {
    let mut live = live_temp_files();
    for path in live.drain(..) {
        // Nothing more can be done about a file that cannot be removed.
        let _ = std::fs::remove_file(&path);
    }
    live
}

/// Starts, once per process, the thread that turns `SIGINT`, `SIGTERM` and
/// `SIGHUP` into: delete the temporary files of every live
/// [`Output`](super::Output), then exit with status `128 + signal`.
///
/// Signals ignored when the process started (read from Linux's
/// `/proc/self/status`) stay ignored.
///
/// Later calls do nothing and return `Ok`. On error (the signal handlers or
/// the thread could not be set up) the signals keep their default action,
/// which leaves a temporary file behind. On non-Unix systems this does
/// nothing.
pub fn install_signal_cleanup() -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::sync::OnceLock;
        static INSTALLED: OnceLock<Result<(), io::ErrorKind>> = OnceLock::new();
        INSTALLED.get_or_init(|| start_signal_thread().map_err(|e| e.kind())).map_err(io::Error::from)
    }
    #[cfg(not(unix))]
    Ok(())
}

#[cfg(unix)]
fn start_signal_thread() -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;

    // A signal ignored when the process started stays ignored: `nohup` (SIGHUP)
    // and a shell's background job (SIGINT) expect the run to go on.
    let ignored = ignored_at_start();
    let wanted: Vec<i32> = [SIGINT, SIGTERM, SIGHUP].into_iter().filter(|s| !ignored.contains(s)).collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let mut signals = Signals::new(wanted)?;
    std::thread::Builder::new().name("vxgen-signals".into()).spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let _locked = remove_live_temp_files();
            // `_exit`: no destructor or exit hook runs while the lock is held,
            // so no other thread can rename a temporary file into place now.
            signal_hook::low_level::exit(128 + signal);
        }
    })?;
    Ok(())
}

/// The signals this process ignores (inherited from its parent), from
/// Linux's `/proc/self/status` (`SigIgn`, a hexadecimal mask, bit `n - 1`
/// for signal `n`: proc(5)). Elsewhere, or if it cannot be read, none.
#[cfg(unix)]
fn ignored_at_start() -> Vec<i32> {
    std::fs::read_to_string("/proc/self/status").map(|status| parse_sig_ign(&status)).unwrap_or_default()
}

#[cfg(unix)]
fn parse_sig_ign(status: &str) -> Vec<i32> {
    let mask = status
        .lines()
        .find_map(|line| line.strip_prefix("SigIgn:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .unwrap_or(0);
    (1..=64).filter(|n| mask & (1u64 << (n - 1)) != 0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forget_removes_only_the_given_path() {
        let mut live = vec![PathBuf::from("a.partial-1"), PathBuf::from("b.partial-2")];
        forget(&mut live, Path::new("a.partial-1"));
        forget(&mut live, Path::new("not-there"));
        assert_eq!(live, [PathBuf::from("b.partial-2")]);
    }

    #[cfg(unix)]
    #[test]
    fn ignored_signals_are_read_from_the_sig_ign_mask() {
        let status = "Name:\tvxgen\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000001003\nSigCgt:\t0\n";
        // Bits 0, 1 and 12: SIGHUP (1), SIGINT (2), SIGPIPE (13).
        assert_eq!(parse_sig_ign(status), [1, 2, 13]);
        assert!(parse_sig_ign("Name:\tx\n").is_empty());
        assert!(parse_sig_ign("SigIgn:\tnot hex\n").is_empty());
    }
}
