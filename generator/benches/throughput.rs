//! Throughput of vxgen's default mix, with its baselines measured in the same run.
//!
//! `cargo bench -p generator --bench throughput [-- CONVERSATIONS]` prints:
//! * packets/s and bytes/s generating into a sink (pcap and pcapng),
//! * the time to generate into a file against the time `cat` takes to copy that file,
//! * packets/s against Scapy building comparable VXLAN/TCP packets
//!   (benches/scapy_baseline.py, beside this file), when python3 with Scapy is installed.
//!
//! Figures are ratios against baselines measured in the same run, so they hold on
//! any machine; nothing here asserts a time.

use generator::capture::{CaptureWriter, Format};
use generator::generate::{run, Options};
use generator::mirror::session::Mirror;
use std::io::{self, Write};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn generate_into<W: Write>(w: W, format: Format, scenario: &str, conversations: u64) -> (u64, u64, Duration) {
    let mirror = Mirror::example(9_999_999);
    let opts = Options {
        seed: 7,
        conversations,
        comments: format == Format::PcapNg,
        scenario: scenario.parse().expect("a listed scenario"),
        ..Options::default()
    };
    let start = Instant::now();
    let mut writer = CaptureWriter::new(w, format, 262_144).expect("writer");
    let stats = run(&mirror, &opts, &mut writer, |_| {}).expect("run");
    writer.finish().expect("finish");
    (stats.copies, stats.bytes, start.elapsed())
}

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

fn main() {
    let conversations: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(50_000);
    println!("vxgen throughput, {conversations} flows per run, one core, best of 3");

    // `http` is the first issue's default traffic; `mixed` the default since
    // realistic traffic (TLS, DNS, ping, overlapping flows) arrived.
    let mut pps = Vec::new();
    for scenario in ["http", "mixed"] {
        for format in [Format::Pcap, Format::PcapNg] {
            let ((packets, bytes), t) = best_of(3, || {
                let (p, b, t) = generate_into(io::sink(), format, scenario, conversations);
                ((p, b), t)
            });
            let s = t.as_secs_f64();
            pps.push((scenario, format, packets as f64 / s, bytes as f64 / s));
            println!(
                "  {scenario:<6} {:<7} to a sink: {:>10.0} packets/s, {:>7.1} MB/s ({packets} packets, {bytes} bytes, {:.3} s)",
                format.to_string(),
                packets as f64 / s,
                bytes as f64 / s / 1e6,
                s
            );
        }
    }
    for format in [Format::Pcap, Format::PcapNg] {
        let find = |sc: &str| pps.iter().find(|p| p.0 == sc && p.1 == format).expect("measured");
        let (http, mixed) = (find("http"), find("mixed"));
        println!(
            "  mixed vs http ({format}): {:.2}x the packets/s, {:.2}x the bytes/s",
            mixed.2 / http.2,
            mixed.3 / http.3
        );
    }

    let pps_of = |sc: &str| pps.iter().find(|p| p.0 == sc && p.1 == Format::Pcap).map_or(0.0, |p| p.2);

    // Against cat: the same output bytes written to a file by vxgen, then copied by cat.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("bench.pcap");
    let copy = dir.path().join("copy.pcap");
    let ((), gen_time) = best_of(3, || {
        let f = io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&file).expect("create"));
        let (_, _, t) = generate_into(f, Format::Pcap, "http", conversations);
        ((), t)
    });
    let size = std::fs::metadata(&file).expect("metadata").len();
    let ((), cat_time) = best_of(3, || {
        let start = Instant::now();
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!("cat '{}' > '{}'", file.display(), copy.display()))
            .status()
            .expect("cat");
        assert!(status.success());
        ((), start.elapsed())
    });
    println!(
        "  generate to file {:.3} s vs cat copying the same {} bytes {:.3} s: {:.2}x cat's time",
        gen_time.as_secs_f64(),
        size,
        cat_time.as_secs_f64(),
        gen_time.as_secs_f64() / cat_time.as_secs_f64()
    );

    // Against Scapy, in the same run.
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/scapy_baseline.py");
    let scapy = Command::new("python3").arg(&script).arg("3000").arg(dir.path().join("scapy.pcap")).output();
    match scapy {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            let scapy_pps = text.split("\"pps\": ").nth(1).and_then(|s| {
                s.trim_end_matches(|c: char| c == '}' || c.is_whitespace()).parse::<f64>().ok()
            });
            let ours = pps_of("http");
            let mixed = pps_of("mixed");
            match scapy_pps {
                Some(pps) => println!(
                    "  Scapy {pps:.0} packets/s; vxgen pcap: http {ours:.0} packets/s = {:.0}x Scapy, mixed {mixed:.0} packets/s = {:.0}x Scapy",
                    ours / pps,
                    mixed / pps
                ),
                None => println!("  Scapy baseline printed something unexpected: {text}"),
            }
        }
        Ok(out) => println!(
            "  Scapy baseline skipped: {}",
            String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("")
        ),
        Err(e) => println!("  Scapy baseline skipped: python3 not runnable ({e})"),
    }
}
