//! Scale: `--jobs 2` against `--jobs 1`, and `vxgen send` against a plain
//! one-datagram-per-syscall loop, each pair measured in the same run.
//!
//! `cargo bench -p generator --bench scale [-- CONVERSATIONS]` prints:
//! * packets/s generating the `http` and `mixed` scenarios into a sink
//!   with `--jobs 1` (one thread) and `--jobs 2` (two threads, each flow
//!   whole on one, their records merged), and the ratio (`-- generate`
//!   runs this part alone): into `io::sink()` itself, where `--jobs 1`
//!   never stores a byte of the capture while `--jobs 2` must store each
//!   record once to merge it, and through a 256 KiB buffer into it, as
//!   `vxgen generate -o /dev/null` writes, where both store each byte;
//! * packets/s and Gbit/s sending the datagrams of an http capture to a UDP
//!   socket on 127.0.0.1 (drained by a thread, see `receiver`): a plain loop
//!   of one `UdpSocket::send` per datagram against [`generator::send::Sender`]
//!   as `vxgen send` runs it (batches in `sendmmsg(2)`, runs of equal-sized
//!   datagrams under UDP segmentation offload), both from the datagrams read
//!   into memory beforehand, and the ratio; once with a receiving socket
//!   without `UDP_GRO` (the kernel cuts a segmented run into datagrams at
//!   that socket, inside the sender's system call) and once with it; then
//!   both reading the capture's bytes as they go. Each run prints what the
//!   receiver got (same count and bytes?) and the kernel's UDP drops.
//!
//! `-- send` runs the send part alone, `-- generate` the generate part; `SCALE_SEND_ONLY=plain|send|capture`
//! (the plain loop, the sender from memory, the sender reading the capture;
//! `-gro` after it: the receiver with `UDP_GRO`) runs one ten times, for `perf record`.
//!
//! Figures are ratios measured in the same run, so they hold on any machine;
//! nothing here asserts a time.

use generator::capture::{CaptureWriter, Format};
use generator::generate::{run_jobs, Options};
use generator::mirror::session::Mirror;
use generator::send::{udp_drop_counters, Datagram, DatagramReader, Pacing, SendOptions, Sender};
use std::io::{self, Write};
use std::net::UdpSocket;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Where a run's capture goes: `io::sink()` itself (a `--jobs 1` run then
/// never stores its bytes anywhere), or through a 256 KiB buffer into it,
/// as `vxgen generate -o /dev/null` writes (every run stores its bytes once).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Sink {
    Bare,
    Buffered,
}

fn generate(jobs: usize, format: Format, scenario: &str, conversations: u64, sink: Sink) -> (u64, Duration) {
    let mirror = Mirror::example(9_999_999);
    let opts = Options {
        seed: 7,
        conversations,
        comments: format == Format::PcapNg,
        scenario: scenario.parse().expect("a listed scenario"),
        ..Options::default()
    };
    let start = Instant::now();
    let stats = if sink == Sink::Bare {
        let mut writer = CaptureWriter::new(io::sink(), format, 262_144).expect("writer");
        let stats = run_jobs(&mirror, &opts, jobs, &mut writer, |_| {}).expect("run");
        writer.finish().expect("finish");
        stats
    } else {
        let mut writer =
            CaptureWriter::new(io::BufWriter::with_capacity(262_144, io::sink()), format, 262_144)
                .expect("writer");
        let stats = run_jobs(&mirror, &opts, jobs, &mut writer, |_| {}).expect("run");
        writer.finish().expect("finish").flush().expect("flush");
        stats
    };
    (stats.copies, start.elapsed())
}

/// The datagrams of a capture, read into memory once (so that the plain
/// loop and `Sender` send the same bytes, and reading is not measured).
struct Recorded {
    bytes: Vec<u8>,
    spans: Vec<(u64, u16, usize, usize)>,
}

impl Recorded {
    fn of(capture: &[u8]) -> Recorded {
        let mut r = DatagramReader::new(capture).expect("capture");
        let (mut bytes, mut spans) = (Vec::new(), Vec::new());
        while let Some(d) = r.next_datagram().expect("readable") {
            let a = bytes.len();
            bytes.extend_from_slice(d.payload);
            spans.push((d.timestamp_ns, d.port, a, bytes.len()));
        }
        Recorded { bytes, spans }
    }

    fn iter(&self) -> impl Iterator<Item = Datagram<'_>> {
        self.spans.iter().map(|&(timestamp_ns, port, a, b)| Datagram {
            timestamp_ns,
            port,
            payload: &self.bytes[a..b],
        })
    }
}

/// A receiver on 127.0.0.1 counting (datagrams, payload bytes) until
/// `done` is set and nothing is left: `recvmmsg(2)` of up to 64 messages a
/// call without waiting (`MSG_DONTWAIT`), sleeping 100 µs when the queue is
/// empty, so that no sender's system call pays for waking it up (on `lo`
/// the receiving half of the stack runs in the sender's call); a 64 MiB
/// receive buffer (`SO_RCVBUFFORCE`, socket(7), when allowed); and with
/// `gro` the `UDP_GRO` option (udp(7), Linux 5.0): a segmented run then
/// stays one buffer up to the socket (on `lo` the stack keeps it whole),
/// counted as its segments from the `UDP_GRO` control message.
type Receiver = (std::net::SocketAddr, Arc<AtomicBool>, std::thread::JoinHandle<(u64, u64)>);
fn receiver(gro: bool) -> Receiver {
    use std::os::fd::AsRawFd;
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let to = socket.local_addr().expect("address");
    let done = Arc::new(AtomicBool::new(false));
    let finished = done.clone();
    let fd = socket.as_raw_fd();
    let set = |level: libc::c_int, name: libc::c_int, value: libc::c_int| {
        // SAFETY: a valid socket and a c_int option value of the right length.
        unsafe {
            libc::setsockopt(
                fd,
                level,
                name,
                (&value as *const libc::c_int).cast(),
                core::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        }
    };
    if set(libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, 64 << 20) != 0 {
        set(libc::SOL_SOCKET, libc::SO_RCVBUF, 64 << 20);
    }
    if gro {
        assert_eq!(set(libc::SOL_UDP, libc::UDP_GRO, 1), 0, "UDP_GRO: {}", io::Error::last_os_error());
    }
    let handle = std::thread::spawn(move || {
        let _open = socket; // until the end of the thread
        const N: usize = 64;
        const SIZE: usize = 65536;
        let mut bufs = vec![0u8; N * SIZE];
        let mut control = [[0u64; 8]; N];
        let mut iov: Vec<libc::iovec> = (0..N)
            .map(|i| libc::iovec { iov_base: bufs[i * SIZE..].as_mut_ptr().cast(), iov_len: SIZE })
            .collect();
        let (mut n, mut bytes) = (0u64, 0u64);
        loop {
            // SAFETY: mmsghdr is plain data; all-zero is a valid empty value.
            let mut msgs: [libc::mmsghdr; N] = unsafe { core::mem::zeroed() };
            for (i, m) in msgs.iter_mut().enumerate() {
                m.msg_hdr.msg_iov = &mut iov[i];
                m.msg_hdr.msg_iovlen = 1;
                m.msg_hdr.msg_control = control[i].as_mut_ptr().cast();
                m.msg_hdr.msg_controllen = core::mem::size_of_val(&control[i]) as _;
            }
            // SAFETY: the messages point at `iov` (into `bufs`) and `control`,
            // all alive and writable for the call.
            let got = unsafe {
                libc::recvmmsg(
                    fd,
                    msgs.as_mut_ptr(),
                    N as libc::c_uint,
                    libc::MSG_DONTWAIT,
                    core::ptr::null_mut(),
                )
            };
            if got <= 0 {
                let e = io::Error::last_os_error();
                assert_eq!(e.kind(), io::ErrorKind::WouldBlock, "recvmmsg: {e}");
                if finished.load(Ordering::Acquire) {
                    break (n, bytes);
                }
                std::thread::sleep(Duration::from_micros(100));
                continue;
            }
            for m in &msgs[..got as usize] {
                let len = m.msg_len as u64;
                bytes += len;
                let mut segment = 0u64;
                // SAFETY: the kernel filled msg_control/msg_controllen; the
                // CMSG_* macros walk it within those bounds (cmsg(3)).
                unsafe {
                    let mut c = libc::CMSG_FIRSTHDR(&m.msg_hdr);
                    while !c.is_null() {
                        if (*c).cmsg_level == libc::SOL_UDP && (*c).cmsg_type == libc::UDP_GRO {
                            segment = u64::from(core::ptr::read_unaligned(libc::CMSG_DATA(c).cast::<u16>()));
                        }
                        c = libc::CMSG_NXTHDR(&m.msg_hdr, c);
                    }
                }
                n += if segment > 0 { len.div_ceil(segment) } else { 1 };
            }
        }
    });
    (to, done, handle)
}

/// One measurement: (datagrams, payload bytes, time) sent, with what the
/// receiver counted and the kernel's drops printed.
struct Run {
    packets: u64,
    bytes: u64,
    time: Duration,
}

fn measured(what: &str, gro: bool, send: impl FnOnce(std::net::SocketAddr) -> Run) -> Run {
    let (to, done, rx) = receiver(gro);
    let before = udp_drop_counters();
    let run = send(to);
    // On loopback what was sent is queued at the receiver (or dropped) by now.
    done.store(true, Ordering::Release);
    let (received, received_bytes) = rx.join().expect("receiver");
    let drops = match (before, udp_drop_counters()) {
        (Some((a, b)), Some((c, d))) => format!("{}+{}", c - a, d - b),
        _ => "?".into(),
    };
    println!(
        "      {what}: {} sent in {:.3} s, {received} received ({}), kernel drops (send+receive buffer) {drops}",
        run.packets,
        run.time.as_secs_f64(),
        if received_bytes == run.bytes { "same bytes" } else { "BYTES DIFFER" },
    );
    run
}

/// The plain loop: one `UdpSocket::send` (one system call) per datagram,
/// from the datagrams in memory or (`capture`) reading the capture's bytes
/// as it goes.
fn plain(datagrams: &[Datagram<'_>], capture: Option<&[u8]>, passes: usize, to: std::net::SocketAddr) -> Run {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    socket.connect(to).expect("connect");
    let (mut packets, mut bytes) = (0, 0);
    let mut send = |payload: &[u8]| {
        while let Err(e) = socket.send(payload) {
            assert_eq!(e.raw_os_error(), Some(libc::ENOBUFS), "send: {e}");
        }
        packets += 1;
        bytes += payload.len() as u64;
    };
    let start = Instant::now();
    for _ in 0..passes {
        match capture {
            Some(c) => {
                let mut r = DatagramReader::new(c).expect("capture");
                while let Some(d) = r.next_datagram().expect("readable") {
                    send(d.payload);
                }
            }
            None => datagrams.iter().for_each(|d| send(d.payload)),
        }
    }
    let time = start.elapsed();
    Run { packets, bytes, time }
}

/// [`Sender`] as `vxgen send` uses it (its default batch, segmentation
/// offload unless `--no-segmentation`), from the datagrams in memory or
/// (`capture`) reading the capture's bytes as it goes.
fn vxgen(
    datagrams: &[Datagram<'_>],
    capture: Option<&[u8]>,
    segmentation: bool,
    passes: usize,
    to: std::net::SocketAddr,
) -> Run {
    let opts = SendOptions { pacing: Pacing::Fast, segmentation, ..SendOptions::default() };
    let mut sender = Sender::new(to, opts).expect("sender");
    let stop = AtomicBool::new(false);
    let start = Instant::now();
    for _ in 0..passes {
        match capture {
            Some(c) => sender.send_all(&mut DatagramReader::new(c).expect("capture"), &stop, |_| {}),
            None => sender.send_all(&mut datagrams.iter(), &stop, |_| {}),
        }
        .expect("send");
    }
    let time = start.elapsed();
    let s = sender.stats();
    Run { packets: s.packets, bytes: s.bytes, time }
}

fn best(runs: Vec<Run>) -> Run {
    runs.into_iter().min_by_key(|r| r.time).expect("runs")
}

fn main() {
    let conversations: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(50_000);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("vxgen scale, {conversations} flows per run, {cores} cores");
    // `-- send`: the send figures alone.
    let generate_too = !std::env::args().any(|a| a == "send");
    let send_too = !std::env::args().any(|a| a == "generate");
    let sinks = [(Sink::Bare, "into io::sink()   "), (Sink::Buffered, "buffered into it  ")];
    for (sink, into) in sinks.into_iter().filter(|_| generate_too) {
        for scenario in ["http", "mixed"] {
            for format in [Format::Pcap, Format::PcapNg] {
                // The two alternate, so that a change of load on a shared
                // machine weighs on both; the best of five each.
                let mut pps = [0f64; 2];
                for _ in 0..5 {
                    for (i, jobs) in [1, 2].into_iter().enumerate() {
                        let (copies, t) = generate(jobs, format, scenario, conversations, sink);
                        pps[i] = pps[i].max(copies as f64 / t.as_secs_f64());
                    }
                }
                println!(
                    "  generate {scenario:5} {:6} {into} best of 5: --jobs 1 {:>10.0} packets/s, --jobs 2 {:>10.0} packets/s: {:.2}x",
                    format.name(),
                    pps[0],
                    pps[1],
                    pps[1] / pps[0]
                );
            }
        }
    }

    if !send_too {
        return;
    }
    // A capture to send: the http scenario's copies, in memory.
    let flows = conversations / 5;
    let mut w = CaptureWriter::new(Vec::new(), Format::Pcap, 262_144).expect("writer");
    let opts =
        Options { conversations: flows, scenario: "http".parse().expect("listed"), ..Options::default() };
    generator::generate::run(&Mirror::example(1), &opts, &mut w, |_| {}).expect("run");
    let capture = w.finish().expect("finish");
    let rec = Recorded::of(&capture);
    let datagrams: Vec<Datagram<'_>> = rec.iter().collect();
    let passes = 5;
    let mean = rec.bytes.len() as f64 / rec.spans.len() as f64;
    println!(
        "  send to 127.0.0.1: http, {flows} flows, {} datagrams (mean payload {mean:.0} bytes) x {passes} passes, best of 3:",
        rec.spans.len()
    );
    let plain_loop = |gro| measured("plain loop", gro, |to| plain(&datagrams, None, passes, to));
    let send = |gro, segmentation| {
        let what = if segmentation { "vxgen send" } else { "vxgen send --no-segmentation" };
        measured(what, gro, |to| vxgen(&datagrams, None, segmentation, passes, to))
    };
    // SCALE_SEND_ONLY=plain|send|capture[-gro]: that one, ten times (for `perf record`).
    if let Ok(only) = std::env::var("SCALE_SEND_ONLY") {
        for _ in 0..10 {
            let gro = only.ends_with("-gro");
            if only.starts_with("plain") {
                plain_loop(gro);
            } else if only.starts_with("capture") {
                measured("vxgen send from the capture", gro, |to| {
                    vxgen(&datagrams, Some(&capture), true, passes, to)
                });
            } else {
                send(gro, true);
            }
        }
        return;
    }
    for gro in [false, true] {
        println!("    receiver: recvmmsg{}", if gro { ", UDP_GRO" } else { ", no UDP_GRO" });
        let (mut p, mut v, mut n) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..3 {
            p.push(plain_loop(gro));
            v.push(send(gro, true));
            n.push(send(gro, false));
        }
        let (p, v, n) = (rate(&best(p)), rate(&best(v)), rate(&best(n)));
        println!(
            "    plain loop (one send(2) per datagram) {:>9.0} packets/s {:5.2} Gbit/s; vxgen send {:>9.0} packets/s {:5.2} Gbit/s: {:.2}x \
             (--no-segmentation {:>9.0} packets/s: {:.2}x)",
            p.0,
            p.1,
            v.0,
            v.1,
            v.0 / p.0,
            n.0,
            n.0 / p.0
        );
    }
    // End to end: both read the capture's bytes as they go.
    let (mut p, mut v) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        p.push(measured("plain loop from the capture", true, |to| {
            plain(&datagrams, Some(&capture), passes, to)
        }));
        v.push(measured("vxgen send from the capture", true, |to| {
            vxgen(&datagrams, Some(&capture), true, passes, to)
        }));
    }
    let (p, v) = (rate(&best(p)), rate(&best(v)));
    println!(
        "    reading the capture as they go (UDP_GRO): plain loop {:>9.0} packets/s {:5.2} Gbit/s; vxgen send {:>9.0} packets/s {:5.2} Gbit/s: {:.2}x",
        p.0,
        p.1,
        v.0,
        v.1,
        v.0 / p.0
    );
}

/// (packets/s, Gbit/s of UDP payload).
fn rate(r: &Run) -> (f64, f64) {
    let t = r.time.as_secs_f64();
    (r.packets as f64 / t, r.bytes as f64 * 8.0 / t / 1e9)
}
