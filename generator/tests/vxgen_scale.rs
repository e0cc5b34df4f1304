//! `vxgen generate --shard`, `vxgen merge`, `--jobs` and `vxgen send`, run as
//! the binary (docs/scale.md):
//!
//! * shards written by separate processes and merged are the bytes of the
//!   unsharded run, for several seeds and formats; `--jobs 2` writes the
//!   bytes of `--jobs 1`;
//! * bad shard arguments are usage errors (exit 2), bad merges runtime
//!   errors (exit 1), one line each, and nothing is overwritten without `--force`;
//! * `vxgen send` to a UDP socket on 127.0.0.1 delivers every datagram (count
//!   and payload bytes of the capture); tshark capturing on `lo` meanwhile
//!   dissects VXLAN with the requested VNI and inner flows;
//! * `--rate 50000` delivers 50,000 datagrams per second within 2 % over 5 s;
//! * `--realtime` keeps a capture's timing and `--speed 4` a quarter of it
//!   (within generous bounds), every datagram delivered;
//! * `--from-capture` of a capture that mixes VXLAN and GENEVE records with
//!   others (TCP, ARP, UDP to another port, a record cut short) sends only
//!   the VXLAN and GENEVE ones, in order, and counts the others on stderr;
//! * `--stats-interval` prints the live line when stderr is not a terminal
//!   (and without it, only the summary is printed there);
//! * SIGINT during `--loop 0` stops it with a summary and exit status 0;
//! * the reader yields the same datagrams from pcap, pcap-ns and pcapng,
//!   whole or read a few bytes at a time, and refuses a file cut short;
//! * the command lines of docs/examples/ parse and run (with a small count).

mod common;

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn vxgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vxgen")).args(args).output().expect("vxgen runs")
}

fn ok(args: &[&str]) -> Output {
    let out = vxgen(args);
    assert!(out.status.success(), "vxgen {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).to_str().expect("UTF-8 temp path").to_string()
}

#[test]
fn shards_from_separate_processes_merge_into_the_unsharded_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: &[(&str, &[&str])] = &[
        ("pcapng", &["--seed", "1", "--count", "40", "--reorder", "0.1"]),
        ("pcap", &["--seed", "2", "--count", "40", "--loss", "0.05", "--packet-length", "100"]),
        ("pcap-ns", &["--seed", "3", "--count", "30", "--target", "gwlb", "--max-concurrent", "4"]),
    ];
    for (format, opts) in cases {
        let whole = path(d, &format!("whole.{format}"));
        let mut args = vec!["generate", "--format", format, "-o", &whole];
        args.extend_from_slice(opts);
        ok(&args);
        let n = 3;
        let mut parts = Vec::new();
        for k in 0..n {
            let part = path(d, &format!("part-{k}-{format}.pcapng"));
            let shard = format!("{k}/{n}");
            let mut args = vec!["generate", "--format", format, "--shard", &shard, "-o", &part];
            // A shard with threads planning its flows is the same shard.
            if k == 1 {
                args.extend_from_slice(&["--jobs", "2"]);
            }
            args.extend_from_slice(opts);
            ok(&args);
            parts.push(part);
        }
        let merged = path(d, &format!("merged.{format}"));
        let mut args = vec!["merge", "-o", merged.as_str()];
        args.extend(parts.iter().rev().map(String::as_str));
        ok(&args);
        assert!(std::fs::read(&merged).unwrap() == std::fs::read(&whole).unwrap(), "{format} {opts:?}");

        let jobs = path(d, &format!("jobs.{format}"));
        let mut args = vec!["generate", "--format", format, "--jobs", "2", "-o", &jobs];
        args.extend_from_slice(opts);
        ok(&args);
        assert!(std::fs::read(&jobs).unwrap() == std::fs::read(&whole).unwrap(), "--jobs 2, {format}");
    }
}

#[test]
fn bad_shards_and_merges_are_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for bad in ["0/0", "3/2", "2/2", "0/99999999999999999999", "x", "1/0"] {
        let out = vxgen(&["generate", "--shard", bad, "-o", &path(d, "x.pcapng")]);
        assert_eq!(out.status.code(), Some(2), "--shard {bad}");
        assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
        assert!(!d.join("x.pcapng").exists());
    }
    let out = vxgen(&["generate", "--jobs", "0", "-o", &path(d, "x.pcapng")]);
    assert_eq!(out.status.code(), Some(2));
    let (a, b) = (path(d, "a.pcapng"), path(d, "b.pcapng"));
    ok(&["generate", "--count", "5", "--shard", "0/2", "-o", &a]);
    ok(&["generate", "--count", "5", "--shard", "1/2", "-o", &b]);
    let other = path(d, "other.pcapng");
    ok(&["generate", "--count", "6", "--shard", "1/2", "-o", &other]);
    let plain = path(d, "plain.pcapng");
    ok(&["generate", "--count", "5", "-o", &plain]);
    let cut = path(d, "cut.pcapng");
    let bytes = std::fs::read(&b).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() - 52]).unwrap();
    let out_file = path(d, "m.pcapng");
    for (files, why) in [
        (vec![a.as_str()], "2 shards but 1"),
        (vec![a.as_str(), other.as_str()], "different runs"),
        (vec![a.as_str(), a.as_str()], "given twice"),
        (vec![a.as_str(), cut.as_str()], "truncated"),
        (vec![a.as_str(), plain.as_str()], "not a vxgen shard"),
    ] {
        let mut args = vec!["merge", "-o", out_file.as_str()];
        args.extend(files);
        let out = vxgen(&args);
        assert_eq!(out.status.code(), Some(1), "{why}: {}", stderr(&out));
        assert!(stderr(&out).contains(why) && stderr(&out).lines().count() == 1, "{why}: {}", stderr(&out));
        assert!(!d.join("m.pcapng").exists(), "{why}: no output left behind");
    }
    ok(&["merge", "-o", &out_file, &a, &b]);
    let again = vxgen(&["merge", "-o", &out_file, &a, &b]);
    assert_eq!(again.status.code(), Some(1), "no overwrite without --force");
    ok(&["merge", "--force", "-o", &out_file, &a, &b]);
}

/// The UDP payloads of the records of a capture, each to `port`: (count, bytes).
fn payloads(file: &Path, port: u16) -> (u64, u64) {
    let mut r = generator::send::DatagramReader::new(std::fs::File::open(file).unwrap()).unwrap();
    let (mut n, mut b) = (0, 0);
    while let Some(d) = r.next_datagram().unwrap() {
        assert_eq!(d.port, port);
        n += 1;
        b += d.payload.len() as u64;
    }
    assert_eq!(r.skipped(), 0);
    (n, b)
}

/// A UDP socket on 127.0.0.1 with a receive buffer of 32 MiB (forced when
/// allowed, else as large as `net.core.rmem_max` lets), so that a test
/// thread descheduled for a while on a busy machine loses nothing.
fn bind_receiver() -> UdpSocket {
    use std::os::fd::AsRawFd;
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let size: libc::c_int = 32 << 20;
    for option in [libc::SO_RCVBUFFORCE, libc::SO_RCVBUF] {
        // SAFETY: a valid socket and a c_int option value of the right length.
        let r = unsafe {
            libc::setsockopt(
                socket.as_raw_fd(),
                libc::SOL_SOCKET,
                option,
                (&size as *const libc::c_int).cast(),
                core::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if r == 0 {
            break;
        }
    }
    socket
}

/// A receiver on 127.0.0.1 counting datagrams until `quiet` passes without one.
fn receiver(quiet: Duration) -> (u16, std::thread::JoinHandle<(u64, u64)>) {
    let socket = bind_receiver();
    let port = socket.local_addr().unwrap().port();
    socket.set_read_timeout(Some(quiet)).unwrap();
    let handle = std::thread::spawn(move || {
        let mut buf = vec![0u8; 65536];
        let (mut n, mut b) = (0, 0);
        while let Ok(len) = socket.recv(&mut buf) {
            n += 1;
            b += len as u64;
        }
        (n, b)
    });
    (port, handle)
}

#[test]
fn send_delivers_every_datagram_of_a_capture_to_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("c.pcap");
    ok(&["generate", "--count", "40", "--seed", "5", "-o", capture.to_str().unwrap()]);
    let want = payloads(&capture, 4789);
    // A rate the loopback and a test thread hold without drops.
    let (port, rx) = receiver(Duration::from_secs(2));
    let to = format!("127.0.0.1:{port}");
    let out = ok(&["send", "--to", &to, "--rate", "20000", "--from-capture", capture.to_str().unwrap()]);
    assert_eq!(rx.join().unwrap(), want, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("sent {} datagrams, {} bytes", want.0, want.1)),
        "{}",
        stderr(&out)
    );
    // From a scenario (the run written into a pipe and read back): the same datagrams.
    let (port, rx) = receiver(Duration::from_secs(2));
    let to = format!("127.0.0.1:{port}");
    ok(&["send", "--to", &to, "--rate", "20000", "--", "--count", "40", "--seed", "5"]);
    assert_eq!(rx.join().unwrap(), want);
    // As fast as the socket takes them: runs of equal-sized copies (the
    // full-sized segments of HTTP responses) go with UDP segmentation
    // offload, and must still arrive as exactly the capture's datagrams.
    let bulk = dir.path().join("bulk.pcap");
    ok(&["generate", "--scenario", "http", "--count", "12", "-o", bulk.to_str().unwrap()]);
    let want = payloads(&bulk, 4789);
    let mut r = generator::send::DatagramReader::new(std::fs::File::open(&bulk).unwrap()).unwrap();
    let mut lens = Vec::new();
    while let Some(d) = r.next_datagram().unwrap() {
        lens.push(d.payload.len());
    }
    let runs = lens.windows(2).filter(|w| w[0] == w[1]).count();
    assert!(runs > 20, "the capture has runs of equal-sized datagrams to segment ({runs})");
    let (port, rx) = receiver(Duration::from_secs(2));
    let to = format!("127.0.0.1:{port}");
    ok(&["send", "--to", &to, "--from-capture", bulk.to_str().unwrap()]);
    assert_eq!(rx.join().unwrap(), want, "full speed");
    // GENEVE for a GWLB target: every record is a datagram to 6081, all delivered, pcapng read too.
    let gwlb = dir.path().join("g.pcapng");
    ok(&["generate", "--count", "10", "--target", "gwlb", "-o", gwlb.to_str().unwrap()]);
    let want = payloads(&gwlb, 6081);
    let (port, rx) = receiver(Duration::from_secs(2));
    let to = format!("127.0.0.1:{port}");
    ok(&["send", "--to", &to, "--rate", "20000", "--from-capture", gwlb.to_str().unwrap()]);
    assert_eq!(rx.join().unwrap(), want);
    // Usage errors.
    for bad in [
        &["send", "--to", "nowhere", "--", "--count", "1"][..],
        &["send", "--to", "127.0.0.1:9", "--rate", "0"],
        &["send", "--to", "127.0.0.1:9", "--rate", "5", "--realtime"],
        &["send", "--to", "127.0.0.1:9", "--", "--shard-nonsense"],
    ] {
        assert_eq!(vxgen(bad).status.code(), Some(2), "{bad:?}");
    }
}

#[test]
fn tshark_on_lo_dissects_what_send_delivers() {
    if !common::require_tool("tshark") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (port, rx) = receiver(Duration::from_secs(3));
    let pcap = dir.path().join("lo.pcapng");
    let expected = 200;
    let capture = dir.path().join("c.pcap");
    let gen = ["--scenario", "http", "--count", "4", "--vni", "4242", "--seed", "8"];
    let mut args = vec!["generate", "-o", capture.to_str().unwrap()];
    args.extend(gen);
    ok(&args);
    let (count, _) = payloads(&capture, 4789);
    assert!(count <= expected);
    let mut tshark = Command::new("tshark")
        .args(["-i", "lo", "-f", &format!("udp dst port {port}"), "-c", &count.to_string()])
        .args(["-a", "duration:30", "-w", pcap.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tshark starts");
    // Wait until it captures ("Capturing on 'Loopback: lo'").
    let mut err = tshark.stderr.take().unwrap();
    let mut seen = Vec::new();
    let start = Instant::now();
    while !String::from_utf8_lossy(&seen).contains("Capturing on") {
        let mut b = [0u8; 256];
        let n = std::io::Read::read(&mut err, &mut b).unwrap();
        assert!(
            n > 0 && start.elapsed() < Duration::from_secs(20),
            "tshark: {}",
            String::from_utf8_lossy(&seen)
        );
        seen.extend_from_slice(&b[..n]);
    }
    std::thread::sleep(Duration::from_millis(200));
    let to = format!("127.0.0.1:{port}");
    // One packet on lo per datagram: no segmentation offload (see docs/scale.md).
    let mut args = vec!["send", "--to", &to, "--rate", "5000", "--no-segmentation", "--"];
    args.extend(gen);
    ok(&args);
    assert!(tshark.wait().unwrap().success());
    assert_eq!(rx.join().unwrap().0, count);
    let decode = format!("udp.port=={port},vxlan");
    let rows = common::tshark_fields_with(
        &pcap,
        &["vxlan.vni", "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport"],
        &[],
        &["-d", &decode],
    );
    assert_eq!(rows.len() as u64, count, "every datagram captured");
    let host = generator::mirror::session::Source::example().ip.to_string();
    for r in &rows {
        assert_eq!(r[0], "4242", "{r:?}");
        let srcs: Vec<&str> = r[1].split(',').collect();
        let dsts: Vec<&str> = r[2].split(',').collect();
        // Outer 127.0.0.1 > 127.0.0.1, inner the instance and its peer on port 80 (http).
        assert_eq!((srcs.len(), srcs[0], dsts[0]), (2, "127.0.0.1", "127.0.0.1"), "{r:?}");
        assert!(srcs[1] == host || dsts[1] == host, "{r:?}");
        assert!(r[3] == "80" || r[4] == "80", "{r:?}");
    }
}

#[test]
fn a_fixed_rate_holds_within_two_percent() {
    let socket = bind_receiver();
    let port = socket.local_addr().unwrap().port();
    socket.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_vxgen"))
        .args(["send", "--to", &format!("127.0.0.1:{port}"), "--rate", "50000", "--loop", "0"])
        .args(["--", "--scenario", "dns", "--count", "20000"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut buf = vec![0u8; 65536];
    socket.recv(&mut buf).expect("a first datagram");
    let start = Instant::now();
    let mut n = 1u64;
    while start.elapsed() < Duration::from_secs(5) {
        if socket.recv(&mut buf).is_ok() {
            n += 1;
        }
    }
    // SIGINT: stops cleanly with a summary.
    Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("(stopped)"), "{}", stderr(&out));
    let rate = n as f64 / 5.0;
    eprintln!("received {n} datagrams in 5 s: {rate:.0}/s");
    assert!((rate - 50_000.0).abs() <= 1_000.0, "rate {rate:.0}/s, not 50,000 ± 2 %");
}

/// An Ethernet / IPv4 / UDP frame from 10.0.0.1:40000 to 10.0.0.2:`port`
/// carrying `payload` (no checksums: the sender reads only the headers).
fn udp_frame(port: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = ip_frame(17, 8 + payload.len());
    f.extend_from_slice(&40000u16.to_be_bytes());
    f.extend_from_slice(&port.to_be_bytes());
    f.extend_from_slice(&(8 + payload.len() as u16).to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(payload);
    f
}

/// The Ethernet and IPv4 headers of a frame of `protocol` with `len` bytes after the IP header.
fn ip_frame(protocol: u8, len: usize) -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
    f.extend_from_slice(&[0x45, 0]);
    f.extend_from_slice(&(20 + len as u16).to_be_bytes());
    f.extend_from_slice(&[0, 0, 0, 0, 64, protocol, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    f
}

/// A VXLAN payload (RFC 7348 section 5: flags with I set, VNI) around an inner frame of `n` bytes from `seed`.
fn vxlan(vni: u32, n: usize, seed: u8) -> Vec<u8> {
    let mut p = vec![0x08, 0, 0, 0];
    p.extend_from_slice(&(vni << 8).to_be_bytes());
    p.extend((0..n).map(|i| seed.wrapping_add(i as u8)));
    p
}

/// A pcap file (microseconds, Ethernet) of (timestamp in µs, frame, bytes kept) records.
fn pcap(records: &[(u64, Vec<u8>, usize)]) -> Vec<u8> {
    let mut out = Vec::new();
    for v in [0xa1b2_c3d4u32, 0x0004_0002, 0, 0, 65535, 1] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for (ts, frame, kept) in records {
        for v in [(ts / 1_000_000) as u32, (ts % 1_000_000) as u32, *kept as u32, frame.len() as u32] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&frame[..*kept]);
    }
    out
}

/// Each datagram a receiver got, and when.
type Received = Vec<(Instant, Vec<u8>)>;

/// A receiver on 127.0.0.1 keeping each datagram and when it came, until
/// `quiet` passes without one or `want` have come.
fn recorder(quiet: Duration, want: usize) -> (u16, std::thread::JoinHandle<Received>) {
    let socket = bind_receiver();
    let port = socket.local_addr().unwrap().port();
    socket.set_read_timeout(Some(quiet)).unwrap();
    let handle = std::thread::spawn(move || {
        let mut buf = vec![0u8; 65536];
        let mut got = Vec::new();
        while got.len() < want {
            let Ok(n) = socket.recv(&mut buf) else { break };
            got.push((Instant::now(), buf[..n].to_vec()));
        }
        got
    });
    (port, handle)
}

#[test]
fn capture_timing_is_kept_in_real_time_and_scaled_by_speed() {
    let dir = tempfile::tempdir().unwrap();
    // 11 datagrams 100 ms apart (1 s in all), then the same 200 ms apart (2 s).
    for (step_ms, flag, expected) in [(100u64, &["--realtime"][..], 1.0), (200, &["--speed", "4"][..], 0.5)] {
        let payloads: Vec<Vec<u8>> = (0..11).map(|i| vxlan(7, 60 + i, i as u8)).collect();
        let records: Vec<(u64, Vec<u8>, usize)> = payloads
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let f = udp_frame(4789, p);
                let n = f.len();
                (1_700_000_000_000_000 + i as u64 * step_ms * 1000, f, n)
            })
            .collect();
        let file = dir.path().join(format!("t{step_ms}.pcap"));
        std::fs::write(&file, pcap(&records)).unwrap();
        let (port, rx) = recorder(Duration::from_secs(3), payloads.len());
        let to = format!("127.0.0.1:{port}");
        let mut args = vec!["send", "--to", &to, "--from-capture", file.to_str().unwrap()];
        args.extend_from_slice(flag);
        let out = ok(&args);
        let got = rx.join().unwrap();
        let bytes: Vec<Vec<u8>> = got.iter().map(|g| g.1.clone()).collect();
        assert!(bytes == payloads, "{flag:?}: every datagram, in order: {}", stderr(&out));
        let spread = (got[got.len() - 1].0 - got[0].0).as_secs_f64();
        eprintln!("{flag:?}: first to last datagram {spread:.3} s, expected {expected} s");
        // Generous bounds: a loaded machine sleeps late, never early.
        assert!(
            (0.5 * expected..=3.0 * expected).contains(&spread),
            "{flag:?}: {spread:.3} s from first to last, expected about {expected} s"
        );
    }
}

#[test]
fn from_capture_sends_only_the_vxlan_and_geneve_records_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let a = vxlan(1, 60, 1);
    let b = vxlan(2, 100, 2);
    let c = vxlan(3, 1400, 3);
    let g = {
        // GENEVE (RFC 8926 section 3.1): version 0, no options, protocol Ethernet.
        let mut p = vec![0, 0, 0x65, 0x58, 0, 0, 42, 0];
        p.extend_from_slice(&a);
        p
    };
    let mut tcp = ip_frame(6, 20);
    tcp.extend_from_slice(&[0x1f, 0x90, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0]);
    let mut arp = vec![0xff; 6];
    arp.extend_from_slice(&[2, 0, 0, 0, 0, 1, 0x08, 0x06]);
    arp.extend_from_slice(&[
        0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2,
    ]);
    let dns = udp_frame(53, &[0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    let cut = udp_frame(4789, &vxlan(4, 200, 4));
    let whole = |f: Vec<u8>| {
        let n = f.len();
        (0, f, n)
    };
    let cut_len = cut.len() - 10;
    let records = vec![
        whole(udp_frame(4789, &a)),
        whole(tcp),
        whole(udp_frame(4789, &b)),
        whole(arp),
        whole(dns),
        (0, cut, cut_len), // the capture's snaplen cut it: the datagram is not all there
        whole(udp_frame(6081, &g)),
        whole(udp_frame(4789, &c)),
    ];
    let file = dir.path().join("mixed.pcap");
    std::fs::write(&file, pcap(&records)).unwrap();
    let (port, rx) = recorder(Duration::from_secs(2), 4);
    let to = format!("127.0.0.1:{port}");
    let out = ok(&["send", "--to", &to, "--from-capture", file.to_str().unwrap()]);
    let got: Vec<Vec<u8>> = rx.join().unwrap().into_iter().map(|g| g.1).collect();
    assert!(got == [a.clone(), b.clone(), g.clone(), c.clone()], "{}", stderr(&out));
    let err = stderr(&out);
    let bytes = a.len() + b.len() + g.len() + c.len();
    assert!(err.contains(&format!("sent 4 datagrams, {bytes} bytes")), "{err}");
    assert!(err.contains("; 4 records skipped (not VXLAN/GENEVE over IPv4/UDP)"), "{err}");
    // stderr is not a terminal here: the summary alone, no live line.
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn stats_interval_prints_the_live_line_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<(u64, Vec<u8>, usize)> = (0..300)
        .map(|i| {
            let f = udp_frame(4789, &vxlan(5, 80, i as u8));
            let n = f.len();
            (i, f, n)
        })
        .collect();
    let file = dir.path().join("s.pcap");
    std::fs::write(&file, pcap(&records)).unwrap();
    let (port, rx) = recorder(Duration::from_secs(2), records.len());
    let to = format!("127.0.0.1:{port}");
    // 300 datagrams at 250 a second: 1.2 s, a line every 0.2 s.
    let f = file.to_str().unwrap();
    let out = ok(&["send", "--to", &to, "--rate", "250", "--stats-interval", "0.2", "--from-capture", f]);
    assert_eq!(rx.join().unwrap().len(), records.len());
    let err = stderr(&out);
    let live: Vec<&str> = err.lines().filter(|l| !l.contains("records skipped")).collect();
    assert!(live.len() >= 2 && live.len() <= 12, "{err}");
    for l in &live {
        assert!(l.starts_with("vxgen: sent ") && !l.contains('\r'), "{l:?}");
        for what in [" packets/s, ", " Gbit/s; ", " refused; ", "kernel drops: "] {
            assert!(l.contains(what), "{what:?} in {l:?}");
        }
    }
    assert!(err.lines().last().unwrap().contains("sent 300 datagrams"), "{err}");
    let bad = vxgen(&["send", "--to", &to, "--stats-interval", "0", "--from-capture", f]);
    assert_eq!(bad.status.code(), Some(2));
}

/// A reader that hands out at most `n` bytes a call.
struct Dribble<'a>(&'a [u8], usize);

impl std::io::Read for Dribble<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.1).min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

/// Every (port, payload) of a capture, or the error that ended it.
fn all_datagrams(input: impl std::io::Read) -> Result<Vec<(u16, Vec<u8>)>, generator::send::ReadError> {
    let mut r = generator::send::DatagramReader::new(input)?;
    let mut out = Vec::new();
    while let Some(d) = r.next_datagram()? {
        out.push((d.port, d.payload.to_vec()));
    }
    Ok(out)
}

#[test]
fn the_reader_reads_every_format_in_any_pieces_and_refuses_a_cut_file() {
    use generator::capture::{CaptureWriter, Format};
    // A run larger than the reader's 256 KiB chunks, in every format.
    let mut files = Vec::new();
    for format in Format::ALL {
        let mut w = CaptureWriter::new(Vec::new(), format, 262_144).unwrap();
        let opts = generator::generate::Options {
            conversations: 100,
            scenario: "http".parse().unwrap(),
            ..generator::generate::Options::default()
        };
        generator::generate::run(&generator::mirror::session::Mirror::example(1), &opts, &mut w, |_| {})
            .unwrap();
        files.push(w.finish().unwrap());
    }
    assert!(files.iter().all(|f| f.len() > 2 * 256 * 1024), "larger than two chunks");
    let want = all_datagrams(&files[0][..]).unwrap();
    assert!(want.len() > 1000);
    for f in &files {
        assert!(all_datagrams(&f[..]).unwrap() == want);
        assert!(all_datagrams(Dribble(f, 777)).unwrap() == want, "read 777 bytes at a time");
        for cut in [f.len() - 1, f.len() - 30, f.len() / 2 + 3] {
            assert!(all_datagrams(&f[..cut]).is_err(), "cut at {cut} of {}", f.len());
        }
        assert!(all_datagrams(&f[..3]).is_err());
    }
}

/// A child process killed when dropped (a failed assertion leaves no sender running).
struct Child(Option<std::process::Child>);

impl Drop for Child {
    fn drop(&mut self) {
        if let Some(c) = self.0.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

#[test]
fn sigint_stops_a_send_loop_with_a_summary_and_status_0() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("c.pcap");
    ok(&["generate", "--count", "40", "--seed", "5", "-o", capture.to_str().unwrap()]);
    let socket = bind_receiver();
    let port = socket.local_addr().unwrap().port();
    socket.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    // As fast as the socket takes them, until stopped.
    let mut child = Child(Some(
        Command::new(env!("CARGO_BIN_EXE_vxgen"))
            .args(["send", "--to", &format!("127.0.0.1:{port}"), "--loop", "0"])
            .args(["--from-capture", capture.to_str().unwrap()])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    ));
    let mut buf = vec![0u8; 65536];
    let mut received = 0u64;
    while received < 20_000 {
        socket.recv(&mut buf).expect("datagrams while it runs");
        received += 1;
    }
    let pid = child.0.as_ref().unwrap().id() as libc::pid_t;
    // SAFETY: kill(2) of our own child, still running (its output pipe is open).
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let signalled = Instant::now();
    let out = child.0.take().unwrap().wait_with_output().unwrap();
    assert!(signalled.elapsed() < Duration::from_secs(3), "stopped in {:?}", signalled.elapsed());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let summary = err.lines().last().unwrap_or_default();
    assert!(summary.contains("(stopped)") && summary.contains("records skipped"), "{err}");
    let sent: u64 = summary
        .strip_prefix("vxgen: sent ")
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a count in {summary:?}"));
    assert!(sent >= received, "{sent} sent, {received} received: {err}");
}

/// The `vxgen` command lines of the batch-system examples in docs/examples/
/// (lines starting with `vxgen ` after the shell's own words), run with a
/// small count in a temporary directory.
#[test]
fn the_batch_examples_run() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/examples");
    let dir = tempfile::tempdir().unwrap();
    let mut ran = 0;
    for name in ["scale-k8s-job.yaml", "scale-slurm.sh", "scale-parallel.sh"] {
        let text = std::fs::read_to_string(root.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let lines: Vec<&str> =
            text.lines().map(str::trim).filter_map(|l| l.find("vxgen ").map(|i| &l[i..])).collect();
        let generate: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("vxgen generate")).collect();
        let merge: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("vxgen merge")).collect();
        assert!(!generate.is_empty() && !merge.is_empty(), "{name}: no vxgen generate and merge lines");
        for line in generate.iter().chain(&merge) {
            // Shell variables of the examples: shard index and count, the output directory.
            let n = 3;
            let ks: Vec<u64> = if line.contains("generate") { (0..n).collect() } else { vec![0] };
            for k in ks {
                let line = line
                    .replace("${JOB_COMPLETION_INDEX}", &k.to_string())
                    .replace("${SLURM_ARRAY_TASK_ID}", &k.to_string())
                    .replace("{}", &k.to_string())
                    .replace("${N}", &n.to_string())
                    .replace("${COUNT}", "30")
                    .replace("${OUT}", dir.path().to_str().unwrap());
                let words: Vec<String> =
                    line.split_whitespace().skip(1).map(|w| w.trim_matches('"').to_string()).collect();
                let mut words: Vec<String> =
                    words.into_iter().take_while(|w| w != "\\" && w != "&&" && w != ";").collect();
                if words[0] == "merge" {
                    // The glob the shell would expand.
                    let glob = words.pop().unwrap();
                    let prefix = glob.trim_end_matches("*.pcapng").to_string();
                    let mut files: Vec<String> = (0..n).map(|k| format!("{prefix}{k}.pcapng")).collect();
                    files.sort();
                    words.extend(files);
                }
                let args: Vec<&str> = words.iter().map(String::as_str).collect();
                ok(&args);
                ran += 1;
            }
        }
        let _ = std::fs::remove_dir_all(dir.path().join("whole.pcapng"));
        for f in std::fs::read_dir(dir.path()).unwrap() {
            std::fs::remove_file(f.unwrap().path()).unwrap();
        }
    }
    assert!(ran >= 12, "{ran} command lines run");
}
