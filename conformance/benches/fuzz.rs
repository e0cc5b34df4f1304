//! Performance figures of `vxconform fuzz` (a benchmark, not a timed test),
//! measured in one run on one core (`jobs` 1):
//!
//! * cases/s against the reference decoder (in memory,
//!   `Decoder::decode_in_memory`); the target (issue 12) is 50,000;
//! * for external batch decoders (the example decoder in Python, and the
//!   gopacket adapter when built), cases/s of the fuzz run against what the
//!   decoder alone dissects of the same captures: the decoder's own time
//!   on them (`FuzzReport::decoder_secs`, the calls' wall time), so the
//!   ratio is fuzz throughput over decoder-alone throughput; the target is
//!   at least 80 %.
//!
//! `cargo bench -p conformance --bench fuzz` (`-- --quick`: fewer cases).

use conformance::decoder::{by_name, Decoder};
use conformance::fuzz::{fuzz, FuzzOptions};
use std::path::Path;

fn measure(decoder: &dyn Decoder, cases: u64, frames_per_capture: usize) -> (f64, f64, u64) {
    let o = FuzzOptions { cases: Some(cases), jobs: 1, frames_per_capture, ..FuzzOptions::default() };
    let r = fuzz(decoder, &o, &|_| {}).expect("fuzz runs");
    let alone = if r.decoder_secs > 0.0 { r.cases as f64 / r.decoder_secs } else { f64::INFINITY };
    (r.cases_per_sec, alone, r.failed_cases)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let n = if quick { 5_000 } else { 50_000 };
    let reference = by_name("reference").unwrap();
    let (per_sec, _, failed) = measure(reference.as_ref(), n, 64);
    println!("reference: {n} cases, {per_sec:.0} cases/s on one core ({failed} failed; target 50000)");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/decoder.py");
    let external = [
        ("example decoder (batch)".to_owned(), format!("cmd+batch:python3 {} --batch", example.display())),
        ("gopacket".to_owned(), "gopacket".to_owned()),
    ];
    for (label, name) in external {
        let d = by_name(&name).unwrap();
        if d.decode_in_memory(&[], &Default::default()).is_err_and(|e| e.kind() == "not_found") {
            println!("{label}: SKIP (not installed)");
            continue;
        }
        let m = if quick { 2_000 } else { 20_000 };
        let (fuzz_rate, alone, failed) = measure(d.as_ref(), m, 256);
        println!(
            "{label}: {m} cases, fuzz {fuzz_rate:.0} cases/s, decoder alone {alone:.0} cases/s: {:.0} % ({failed} failed; target 80 %)",
            100.0 * fuzz_rate / alone
        );
    }
}
