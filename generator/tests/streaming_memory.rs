//! Streaming: a capture of two million conversations is written with flat
//! memory. The binary writes to a pipe that this test drains; the child's peak
//! resident set (VmHWM) is sampled early in the run and again at the end, and
//! must not grow with the number of conversations.

use std::io::Read;
use std::process::{Command, Stdio};

/// Peak resident set size of a live process, in KiB (Linux /proc).
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn two_million_conversations_stream_in_flat_memory() {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("SKIP: /proc is not available to read peak memory");
        return;
    }
    let conversations = 2_000_000u64;
    let mut child = Command::new(env!("CARGO_BIN_EXE_vxgen"))
        .args(["generate", "--scenario", "http", "--format", "pcap", "--seed", "3"])
        .args(["--count", &conversations.to_string(), "-o", "-"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vxgen runs");
    let pid = child.id();
    let mut out = child.stdout.take().expect("piped stdout");
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    let mut early = None;
    let mut last = 0;
    loop {
        let n = out.read(&mut buf).expect("read capture");
        if n == 0 {
            break;
        }
        total += n as u64;
        // Past the first 50 MB the process is in its steady state.
        if early.is_none() && total > 50_000_000 {
            early = peak_rss_kib(pid);
        }
        if let Some(rss) = peak_rss_kib(pid) {
            last = rss;
        }
    }
    let status = child.wait().expect("vxgen exits");
    let mut err = String::new();
    child.stderr.take().expect("piped stderr").read_to_string(&mut err).expect("stderr");
    assert!(status.success(), "vxgen failed: {err}");
    assert!(err.contains(&format!("{conversations} flows")), "summary line: {err}");
    let early = early.expect("the capture is larger than 50 MB");
    eprintln!(
        "streamed {total} bytes for {conversations} conversations; peak RSS {early} KiB after 50 MB, {last} KiB at the end"
    );
    assert!(total > 1_000_000_000, "two million conversations make more than 1 GB ({total} bytes)");
    assert!(last <= early + 16 * 1024, "peak RSS grew from {early} KiB to {last} KiB while streaming");
    assert!(last < 64 * 1024, "peak RSS {last} KiB is not small");
}
