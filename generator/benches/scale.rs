//! Scale: `--jobs 2` against `--jobs 1`, and `vxgen send` against a plain
//! one-datagram-per-syscall loop, each pair measured in the same run.
//!
//! `cargo bench -p generator --bench scale [-- CONVERSATIONS]` prints:
//! * packets/s generating the `http` and `mixed` scenarios into a sink
//!   with 1 and 2 jobs (threads), and the ratio;
//! * datagrams/s sending a capture to a UDP socket on 127.0.0.1 (drained by
//!   a thread) with [`generator::send::Sender`] batching 64 per `sendmmsg`,
//!   and with the same sender at one `send(2)` per datagram, and the ratio.
//!
//! Figures are ratios measured in the same run, so they hold on any machine;
//! nothing here asserts a time.

use generator::capture::{CaptureWriter, Format};
use generator::generate::{run_jobs, Options};
use generator::mirror::session::Mirror;
use generator::send::{DatagramReader, Pacing, SendOptions, Sender};
use std::io;
use std::net::UdpSocket;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

fn best_of<T>(runs: usize, mut f: impl FnMut() -> (T, Duration)) -> (T, Duration) {
    let mut best = f();
    for _ in 1..runs {
        let r = f();
        if r.1 < best.1 {
            best = r;
        }
    }
    best
}

fn generate(jobs: usize, format: Format, scenario: &str, conversations: u64) -> (u64, Duration) {
    let mirror = Mirror::example(9_999_999);
    let opts = Options {
        seed: 7,
        conversations,
        comments: format == Format::PcapNg,
        scenario: scenario.parse().expect("a listed scenario"),
        ..Options::default()
    };
    let start = Instant::now();
    let mut writer = CaptureWriter::new(io::sink(), format, 262_144).expect("writer");
    let stats = run_jobs(&mirror, &opts, jobs, &mut writer, |_| {}).expect("run");
    writer.finish().expect("finish");
    (stats.copies, start.elapsed())
}

fn send(capture: &[u8], batch: usize) -> (u64, Duration) {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let to = socket.local_addr().expect("address");
    socket.set_read_timeout(Some(Duration::from_millis(200))).expect("timeout");
    let drain = std::thread::spawn(move || {
        let mut buf = vec![0u8; 65536];
        let mut n = 0u64;
        while socket.recv(&mut buf).is_ok() {
            n += 1;
        }
        n
    });
    let opts = SendOptions { pacing: Pacing::Fast, batch, ..SendOptions::default() };
    let mut sender = Sender::new(to, opts).expect("sender");
    let mut reader = DatagramReader::new(capture).expect("capture");
    let start = Instant::now();
    let stats = sender.send_all(&mut reader, &AtomicBool::new(false), |_| {}).expect("send");
    let t = start.elapsed();
    let received = drain.join().expect("drain");
    let drops = stats.kernel_drops.map_or("?".into(), |(s, r)| format!("{s}+{r}"));
    println!(
        "    batch {batch:2}: {} sent, {received} received by the draining thread, kernel drops {drops}",
        stats.packets
    );
    (stats.packets, t)
}

fn main() {
    let conversations: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(50_000);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("vxgen scale, {conversations} flows per run, {cores} cores, best of 3");
    for scenario in ["http", "mixed"] {
        for format in [Format::Pcap, Format::PcapNg] {
            let mut pps = Vec::new();
            for jobs in [1, 2] {
                let (copies, t) = best_of(3, || generate(jobs, format, scenario, conversations));
                pps.push(copies as f64 / t.as_secs_f64());
            }
            println!(
                "  generate {scenario:5} {:6} into a sink: --jobs 1 {:>10.0} packets/s, --jobs 2 {:>10.0} packets/s: {:.2}x",
                format.name(),
                pps[0],
                pps[1],
                pps[1] / pps[0]
            );
        }
    }

    // A capture to send: the http scenario's copies, read back from memory.
    let mut w = CaptureWriter::new(Vec::new(), Format::Pcap, 262_144).expect("writer");
    let opts = Options {
        conversations: conversations / 5,
        scenario: "http".parse().expect("listed"),
        ..Options::default()
    };
    generator::generate::run(&Mirror::example(1), &opts, &mut w, |_| {}).expect("run");
    let capture = w.finish().expect("finish");
    println!("  send to 127.0.0.1 ({} bytes of capture):", capture.len());
    let (plain, plain_t) = best_of(3, || send(&capture, 1));
    let (batched, batched_t) = best_of(3, || send(&capture, 64));
    let (p, b) = (plain as f64 / plain_t.as_secs_f64(), batched as f64 / batched_t.as_secs_f64());
    println!(
        "  send: one send(2) per datagram {p:>10.0} packets/s, sendmmsg of 64 {b:>10.0} packets/s: {:.2}x",
        b / p
    );
}
