//! Performance figures (a benchmark, not a timed test):
//!
//! 1. the runner's overhead over tshark alone on the corpus: `vxconform run
//!    --decoder tshark` (one vector at a time) against the same tshark
//!    command lines run back to back; target: at most 10 % of wall time;
//! 2. the reference decoder's speed against `tshark -T fields` (the tshark
//!    adapter's command, every field of the model) on the same captures,
//!    the corpus's 94 small files and one large capture; target: at least
//!    50 times faster.
//!
//! `cargo bench -p conformance --bench overhead`. Prints `SKIP: tshark not
//! installed` without tshark.

use conformance::capture::read_capture;
use conformance::decoder::reference::Reference;
use conformance::decoder::tshark::Tshark;
use conformance::decoder::Decoder;
use conformance::run::{run, Corpus, RunOptions};
use generator::capture::{CaptureWriter, Format, Record};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn best_of<T>(n: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..n {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed());
        last = Some(r);
    }
    (best, last.expect("n > 0"))
}

fn tshark_alone(tshark: &Tshark, captures: &[PathBuf], config: &Path) -> usize {
    let mut bytes = 0;
    for c in captures {
        let out = tshark.command(c, config).stdin(Stdio::null()).output().expect("tshark runs");
        bytes += out.stdout.len();
    }
    bytes
}

fn main() {
    if Command::new("tshark").arg("--version").stdout(Stdio::null()).status().is_err() {
        println!("SKIP: tshark not installed");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors");
    let corpus = Corpus::load(&root).expect("corpus");
    let captures: Vec<PathBuf> = corpus.vectors().map(|v| corpus.capture_path(v.entry)).collect();
    let frames: usize = corpus.vectors().map(|v| v.entry.frames).sum();
    let config = tempfile::tempdir().expect("temp dir");
    let tshark = Tshark::new();
    println!(
        "corpus: {} captures, {frames} frames; tshark {}",
        captures.len(),
        tshark.version().unwrap_or_default()
    );

    // 1. Runner overhead, one vector at a time so that both sides are sequential.
    let _ = tshark_alone(&tshark, &captures[..3], config.path()); // warm the page cache
    let repeats = if std::env::args().any(|a| a == "--quick") { 1 } else { 3 };
    let (alone, _) = best_of(repeats, || tshark_alone(&tshark, &captures, config.path()));
    let opts = RunOptions { jobs: 1, ..RunOptions::default() };
    let (runner, report) = best_of(repeats, || run(&tshark, &corpus, &opts).expect("run"));
    let overhead = (runner.as_secs_f64() - alone.as_secs_f64()) / runner.as_secs_f64();
    println!("\n1. runner overhead over tshark alone (sequential, best of {repeats})");
    println!("   tshark alone, {} command lines:     {:8.3} s", captures.len(), alone.as_secs_f64());
    println!(
        "   vxconform run --decoder tshark:     {:8.3} s  ({} vectors judged)",
        runner.as_secs_f64(),
        report.vectors.len()
    );
    println!(
        "   overhead: {:+.1} % of wall time (target <= 10 %): {}",
        overhead * 100.0,
        if overhead <= 0.10 { "met" } else { "MISSED" }
    );

    // 2a. Reference against tshark -T fields on the corpus's captures.
    let reference = Reference::new();
    let files: Vec<Vec<u8>> = captures.iter().map(|c| std::fs::read(c).expect("capture")).collect();
    let (reference_corpus, _) = best_of(20, || {
        files.iter().map(|f| reference.decode_bytes(f).expect("decodes").len()).sum::<usize>()
    });
    println!("\n2. reference decoder against `tshark -T fields` (every field of the model)");
    println!(
        "   corpus ({frames} frames in {} files): tshark {:.3} s, reference {:.3} ms: {:.0}x",
        files.len(),
        alone.as_secs_f64(),
        reference_corpus.as_secs_f64() * 1e3,
        alone.as_secs_f64() / reference_corpus.as_secs_f64()
    );

    // 2b. One large capture: the corpus's frames repeated.
    let all: Vec<(Vec<u8>, u32)> = files
        .iter()
        .flat_map(|f| read_capture(f).expect("capture").into_iter().map(|c| (c.data, c.original_len)))
        .filter(|(d, _)| d.len() < 2000)
        .collect();
    let n = 20_000;
    let mut w = CaptureWriter::new(Vec::new(), Format::Pcap, 65535).expect("writer");
    for i in 0..n {
        let (data, orig) = &all[i % all.len()];
        w.write(&Record {
            timestamp_ns: i as u64 * 1000,
            data,
            orig_len: *orig,
            comment: None,
            direction: None,
        })
        .expect("write");
    }
    let big = w.finish().expect("finish");
    let big_path = config.path().join("big.pcap");
    std::fs::write(&big_path, &big).expect("write big capture");
    let (tshark_big, _) =
        best_of(1, || tshark_alone(&tshark, std::slice::from_ref(&big_path), config.path()));
    let (reference_big, decoded) = best_of(5, || reference.decode_bytes(&big).expect("decodes").len());
    assert_eq!(decoded, n);
    let speedup = tshark_big.as_secs_f64() / reference_big.as_secs_f64();
    println!(
        "   one capture of {n} frames ({:.1} MB): tshark {:.2} s ({:.0} frames/s), reference {:.1} ms ({:.0} frames/s): {:.0}x (target >= 50x): {}",
        big.len() as f64 / 1e6,
        tshark_big.as_secs_f64(),
        n as f64 / tshark_big.as_secs_f64(),
        reference_big.as_secs_f64() * 1e3,
        n as f64 / reference_big.as_secs_f64(),
        speedup,
        if speedup >= 50.0 { "met" } else { "MISSED" }
    );
}
