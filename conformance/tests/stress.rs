//! `vxconform` under stress never panics and never leaves a broken report.
//!
//! The panic of issue 8 item 7 (exit status 101 and an empty, so invalid,
//! JSON report, once, under a load average of 12 on 2 cores): the runner
//! started its workers with `std::thread::Scope::spawn`, which *panics*
//! when the system refuses a thread (`EAGAIN`: the task limit of the user
//! or of the container's cgroup is reached, which many concurrent builds
//! and 16 jobs of 4 threads and 2 processes each can do). The panic went up
//! through `thread::scope` to `main` before any report was written; the
//! shell's `> report.json` had already truncated the file. Reproduced here
//! by lowering `RLIMIT_NPROC` (exit 101 at a limit of 20 tasks, before the
//! fix). Now a refused worker thread is one worker fewer (none: the main
//! thread works), a refused decoder process or reader thread is retried a
//! few times and is then a decoder error for that vector, and report files
//! are written whole or not at all.

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use hostile::{stderr, stdout, Scripts};
use std::process::Output;
use std::time::{Duration, Instant};

/// A decoder that misbehaves at random: sleeps, exits at any point, prints
/// partial or invalid lines, closes its pipes early, kills itself, leaves
/// background writers and escapees, nests JSON deeply.
const CHAOS: &str = r#"r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
case $((r % 16)) in
0) sleep 0.0$((r % 9)); cat "$FRAMES";;
1) head -c $((r % 300)) "$FRAMES"; exit $((r % 3));;
2) exec 1>&-; sleep 0.02; echo late >&2;;
3) cat "$FRAMES"; kill -9 $$;;
4) head -c 70000 /dev/urandom >&2; cat "$FRAMES";;
5) exec 0<&-; cat "$FRAMES";;
6) cat "$FRAMES"; exit 3;;
7) (sleep 0.1; cat "$FRAMES") & ;;
8) printf '\377\376\n{"frame":{"number":1}}\n';;
9) exec 2>&-; cat "$FRAMES"; exec 1>&-; sleep 0.05;;
10) cat "$FRAMES" "$FRAMES";;
11) head -c 5000 /dev/zero | tr '\0' '['; echo;;
12) printf '{"frame":{"number":99999999999}}\n{"frame":{"number":0}}\n';;
13) setsid sleep 0.5 & cat "$FRAMES";;
14) cat "$FRAMES"; sleep 5;;
*) cat "$FRAMES";;
esac"#;

fn json_report(o: &Output, path: &std::path::Path, what: &str) -> serde_json::Value {
    assert!(matches!(o.status.code(), Some(0 | 1)), "{what}: {:?}\n{}\n{}", o.status, stdout(o), stderr(o));
    assert!(!stderr(o).contains("panicked"), "{what}: {}", stderr(o));
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{what}: no report: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: invalid JSON report ({e}): {text}"))
}

#[test]
fn random_misbehaviour_with_16_jobs_and_tiny_timeouts() {
    let s = Scripts::new();
    s.frames("", |_| {});
    let decoder = s.decoder("chaos.sh", CHAOS);
    let out = s.path("report.json");
    let started = Instant::now();
    let mut runs = 0;
    for timeout in ["0.05", "0.001", "0.2", "0.05", "0.01", "0.5"] {
        let o = hostile::vxconform(&[
            "run",
            "--decoder",
            &decoder,
            "--jobs",
            "16",
            "--timeout",
            timeout,
            "--format",
            "json",
            "--output",
            out.to_str().unwrap(),
        ]);
        let report = json_report(&o, &out, &format!("--timeout {timeout}"));
        assert_eq!(report["summary"]["total"], common::corpus().vectors().count(), "{report}");
        runs += 1;
        // Also the text report on standard output.
        let o = hostile::vxconform(&["run", "--decoder", &decoder, "--jobs", "16", "--timeout", timeout]);
        assert!(matches!(o.status.code(), Some(0 | 1)), "{:?}\n{}", o.status, stderr(&o));
        assert!(stdout(&o).contains("\nresult: "), "{}", stdout(&o));
        if started.elapsed() > Duration::from_secs(20) {
            break;
        }
    }
    assert!(runs >= 2, "only {runs} runs in {:?}", started.elapsed());
}

/// Tasks (threads) of the processes whose real uid is `uid`.
#[cfg(target_os = "linux")]
fn tasks_of(uid: u32) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else { continue };
        let field = |name: &str| {
            status.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.split_whitespace().next())
        };
        if field("Uid:").and_then(|u| u.parse::<u32>().ok()) == Some(uid) {
            total += field("Threads:").and_then(|t| t.parse::<u64>().ok()).unwrap_or(1);
        }
    }
    total
}

#[cfg(target_os = "linux")]
#[test]
fn refused_threads_and_processes_are_decoder_errors_not_panics() {
    use std::os::unix::process::CommandExt;
    // Root is exempt from RLIMIT_NPROC: run as nobody then.
    // SAFETY: geteuid(2) and getuid(2) cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let uid = if root { 65534 } else { unsafe { libc::getuid() } };
    let s = Scripts::new();
    let decoder = s.decoder("one.sh", "cat >/dev/null; echo '{\"frame\":{\"number\":1}}'");
    let out = s.path("report.json");
    for extra in [2, 3, 5, 8, 13, 21, 34] {
        // Other processes of the same user come and go: the limit is rough,
        // the assertion is not.
        let limit = tasks_of(uid) + extra;
        let mut cmd = hostile::command(&[
            "run",
            "--decoder",
            &decoder,
            "--filter",
            "gwlb",
            "--jobs",
            "16",
            "--timeout",
            "5",
            "--format",
            "json",
            "--output",
            out.to_str().unwrap(),
        ]);
        if root {
            cmd.uid(65534).gid(65534);
        }
        // SAFETY: setrlimit(2) is async-signal-safe and touches only the
        // struct on this (the child's) stack.
        unsafe {
            cmd.pre_exec(move || {
                let l = libc::rlimit { rlim_cur: limit, rlim_max: limit };
                if libc::setrlimit(libc::RLIMIT_NPROC, &l) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let o = match cmd.output() {
            Ok(o) => o,
            Err(e) => {
                eprintln!("SKIP: cannot run vxconform with a task limit ({e})");
                return;
            }
        };
        if o.status.code() == Some(2) && stderr(&o).contains("corpus") {
            eprintln!("SKIP: the corpus is not readable by uid {uid}: {}", stderr(&o));
            return;
        }
        let report = json_report(&o, &out, &format!("a limit of {limit} tasks"));
        assert_eq!(report["summary"]["total"], 8, "{report}");
        let _ = std::fs::remove_file(&out);
    }
}
