//! Streaming: `vxgen mirror` of a large capture runs in flat memory.
//!
//! A capture of sixty thousand HTTP conversations (about 1.1 million frames,
//! 650 MB) is made by `vxgen generate`, stripped of its mirror layers on the
//! fly into an inner capture, and mirrored again to a pipe this test drains.
//! The child's peak resident set (VmHWM) is sampled once 50 MB have come
//! out and again at the end, and must not grow; the output must be the
//! original capture, byte for byte (same SHA-256), which also proves every
//! frame went through.

use sha2::{Digest, Sha256};
use std::io::{BufWriter, Read, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

const VXGEN: &str = env!("CARGO_BIN_EXE_vxgen");

/// Peak resident set size of a live process, in KiB (Linux /proc).
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Outer Ethernet, IPv4, UDP and VXLAN of an ENI target's copy.
const OVERHEAD: usize = 14 + 20 + 8 + 8;
/// The mirror path's latency (generator::mirror::session::Mirror::LATENCY_NS).
const LATENCY_NS: u64 = 48_000;

#[test]
fn a_large_capture_is_mirrored_in_flat_memory() {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("SKIP: /proc is not available to read peak memory");
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let inner_path = dir.path().join("inner.pcap");

    // 1. The original copies, hashed, and their inner frames written out.
    let mut gen = Command::new(VXGEN)
        .args(["generate", "--scenario", "http", "--format", "pcap", "--seed", "3", "--vni", "42"])
        .args(["--count", "60000", "-o", "-"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vxgen runs");
    let stdout = gen.stdout.take().expect("piped stdout");
    /// Hashes and counts what is read through it.
    struct Tee<R: Read> {
        inner: R,
        hash: Sha256,
        len: u64,
    }
    impl<R: Read> Read for Tee<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.hash.update(&buf[..n]);
            self.len += n as u64;
            Ok(n)
        }
    }
    let tee = Tee { inner: stdout, hash: Sha256::new(), len: 0 };
    let mut reader = pcap_file::pcap::PcapReader::new(tee).expect("a pcap");
    let mut out = BufWriter::new(std::fs::File::create(&inner_path).unwrap());
    // Nanosecond pcap, little-endian, Ethernet.
    out.write_all(&0xa1b2_3c4du32.to_le_bytes()).unwrap();
    out.write_all(&[2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]).unwrap();
    out.write_all(&262_144u32.to_le_bytes()).unwrap();
    out.write_all(&1u32.to_le_bytes()).unwrap();
    let mut frames = 0u64;
    while let Some(p) = reader.next_packet() {
        let p = p.expect("a record");
        let ns = p.timestamp.as_nanos() as u64 - LATENCY_NS;
        let inner = &p.data[OVERHEAD..];
        out.write_all(&((ns / 1_000_000_000) as u32).to_le_bytes()).unwrap();
        out.write_all(&((ns % 1_000_000_000) as u32).to_le_bytes()).unwrap();
        out.write_all(&(inner.len() as u32).to_le_bytes()).unwrap();
        out.write_all(&(inner.len() as u32).to_le_bytes()).unwrap();
        out.write_all(inner).unwrap();
        frames += 1;
    }
    let tee = reader.into_reader();
    out.flush().unwrap();
    drop(out);
    assert!(gen.wait().expect("vxgen exits").success(), "vxgen generate failed");
    let (original, original_len) = (tee.hash.finalize(), tee.len);
    assert!(frames > 1_000_000, "{frames} frames");

    // 2. The inner capture mirrored again, to a pipe.
    let started = Instant::now();
    let mut child = Command::new(VXGEN)
        .args(["mirror", inner_path.to_str().unwrap(), "--source-ip", "10.0.1.23"])
        .args(["--source-mac", "02:4f:1a:8c:3e:71", "--vni", "42", "--format", "pcap", "-o", "-"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vxgen runs");
    let pid = child.id();
    let mut out = child.stdout.take().expect("piped stdout");
    let mut buf = vec![0u8; 1 << 20];
    let (mut total, mut early, mut last) = (0u64, None, 0);
    let mut mirrored = Sha256::new();
    loop {
        let n = out.read(&mut buf).expect("read capture");
        if n == 0 {
            break;
        }
        mirrored.update(&buf[..n]);
        total += n as u64;
        if early.is_none() && total > 50_000_000 {
            early = peak_rss_kib(pid);
        }
        if let Some(rss) = peak_rss_kib(pid) {
            last = rss;
        }
    }
    let status = child.wait().expect("vxgen exits");
    let seconds = started.elapsed().as_secs_f64();
    let mut err = String::new();
    child.stderr.take().expect("piped stderr").read_to_string(&mut err).expect("stderr");
    assert!(status.success(), "vxgen mirror failed: {err}");
    let early = early.expect("the output is larger than 50 MB");
    eprintln!(
        "mirrored {frames} frames ({total} bytes) in {seconds:.1} s: {:.0} packets/s; peak RSS {early} KiB after 50 MB, {last} KiB at the end",
        frames as f64 / seconds
    );
    assert!(err.contains(&format!("{frames} records read, {frames} of the source ENI")), "summary: {err}");
    assert_eq!(total, original_len, "the mirrored capture's length");
    assert!(mirrored.finalize() == original, "the mirrored capture is not the original, byte for byte");
    assert!(last <= early + 16 * 1024, "peak RSS grew from {early} KiB to {last} KiB while streaming");
    assert!(last < 64 * 1024, "peak RSS {last} KiB is not small");
}
