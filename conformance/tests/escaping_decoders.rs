//! Decoders that leave processes behind, in their group or escaping it
//! (`setsid`, a daemon's double fork): after `vxconform` exits, none of them
//! is left running (Linux: `vxconform` is a child subreaper; see
//! docs/decoder-protocol.md, "Isolation").

#![cfg(target_os = "linux")]

mod common;
#[path = "common/hostile.rs"]
mod hostile;

use hostile::{alive_with, marker, stderr, stdout, vxconform, Scripts};
use std::time::{Duration, Instant};

/// Waits up to a second for the processes holding `marker` to be gone
/// (a SIGKILL is delivered asynchronously), then lists those left.
fn left_behind(marker: &str) -> Vec<String> {
    let until = Instant::now() + Duration::from_secs(1);
    loop {
        let left = alive_with(marker);
        if left.is_empty() || Instant::now() > until {
            return left;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn require_setsid() -> bool {
    common::require_tool("setsid")
}

#[test]
fn a_child_in_a_new_session_is_killed() {
    if !require_setsid() {
        return;
    }
    let s = Scripts::new();
    s.frames("vni-0", |_| {});
    let (held, quiet) = (marker(1), marker(2));
    // One escapee keeps the decoder's pipes open, one does not.
    let decoder = s.decoder(
        "session.sh",
        &format!("setsid sleep {held} &\nsetsid sleep {quiet} </dev/null >/dev/null 2>&1 &\ncat \"$FRAMES\""),
    );
    let started = Instant::now();
    let o = vxconform(&["run", "--decoder", &decoder, "--filter", "vni-0"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    assert_eq!(left_behind(&held), Vec::<String>::new());
    assert_eq!(left_behind(&quiet), Vec::<String>::new());
}

#[test]
fn a_double_forked_daemon_and_its_children_are_killed() {
    if !require_setsid() {
        return;
    }
    let s = Scripts::new();
    s.frames("vni-0", |_| {});
    let (parent, child) = (marker(3), marker(4));
    // The subshell exits at once: the new session's shell is an orphan with
    // a child of its own, which becomes an orphan when it is killed.
    let decoder = s.decoder(
        "daemon.sh",
        &format!(
            "(setsid sh -c 'sleep {child} & sleep {parent}; :' </dev/null >/dev/null 2>&1 &)\n\
             sleep 0.2\ncat \"$FRAMES\""
        ),
    );
    let o = vxconform(&["run", "--decoder", &decoder, "--filter", "vni-0"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(left_behind(&parent), Vec::<String>::new());
    assert_eq!(left_behind(&child), Vec::<String>::new());
}

#[test]
fn escapees_of_a_decoder_that_times_out_are_killed() {
    if !require_setsid() {
        return;
    }
    let s = Scripts::new();
    let (escaped, hung) = (marker(5), marker(6));
    let decoder = s.decoder("hang.sh", &format!("setsid sleep {escaped} &\nsleep {hung}"));
    let o = vxconform(&["run", "--decoder", &decoder, "--filter", "vni-0", "--timeout", "0.5"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("decoder timed out after 0.5 s"), "{}", stdout(&o));
    assert_eq!(left_behind(&escaped), Vec::<String>::new());
    assert_eq!(left_behind(&hung), Vec::<String>::new());
}

#[test]
fn concurrent_decoders_are_not_killed_as_orphans() {
    if !require_setsid() {
        return;
    }
    // Eight decoders at once, each leaving escapees while the others run:
    // killing those must not touch a running decoder.
    let s = Scripts::new();
    s.frames("vni-", |_| {});
    let m = marker(7);
    let decoder = s.decoder(
        "busy.sh",
        &format!("setsid sleep {m} &\n(sleep {m} &)\nsleep 0.3\ncat \"$FRAMES\"\nsetsid sleep {m} &"),
    );
    let o =
        vxconform(&["run", "--decoder", &decoder, "--filter", "vni-*", "--jobs", "8", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["summary"]["pass"], 8, "{}", stdout(&o));
    assert_eq!(left_behind(&m), Vec::<String>::new());
}
