//! Performance figures of batch mode (a benchmark, not a timed test): for
//! every built-in decoder, a whole-corpus `vxconform run` against a
//! one-vector run (`--filter vni-0`) of the same decoder, in the same bench
//! run, and their ratio; the target (issue 11) is at most 3x. Each figure
//! is the best of a few runs of the `vxconform` binary as a user runs it
//! (`--format json --output /dev/null`, default `--jobs`): process start,
//! corpus check, decoder start, judging and report included.
//!
//! `cargo bench -p conformance --bench batch` (`-- --quick`: one run each;
//! `-- --single`: also the single-mode baselines, the Scapy script and the
//! example decoder run once per vector, which take minutes). A decoder
//! whose tool is not installed is shown as `SKIP`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One `vxconform run` of `decoder` over `filter` (none: the whole
/// corpus): its wall time, or why it failed to run.
fn run_once(decoder: &str, filter: Option<&str>) -> Result<Duration, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut c = Command::new(env!("CARGO_BIN_EXE_vxconform"));
    c.current_dir(&root).args(["run", "--decoder", decoder, "--format", "json", "--output", "/dev/null"]);
    if let Some(f) = filter {
        c.args(["--filter", f]);
    }
    let started = Instant::now();
    let out = c.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped()).output();
    let took = started.elapsed();
    let out = out.map_err(|e| format!("cannot run vxconform: {e}"))?;
    // 0: all pass, 1: some vector fails (a finding, not a bench failure).
    match out.status.code() {
        Some(0 | 1) => Ok(took),
        _ => Err(String::from_utf8_lossy(&out.stderr).trim().to_owned()),
    }
}

fn best_of(n: usize, decoder: &str, filter: Option<&str>) -> Result<Duration, String> {
    let mut best = Duration::MAX;
    for _ in 0..n {
        best = best.min(run_once(decoder, filter)?);
    }
    Ok(best)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let repeats = if args.iter().any(|a| a == "--quick") { 1 } else { 3 };
    let mut decoders: Vec<(String, &str)> =
        ["reference", "tshark", "tcpdump", "scapy"].iter().map(|d| ((*d).to_owned(), "built-in")).collect();
    decoders.push(("cmd+batch:python3 conformance/examples/decoder.py --batch".into(), "example, batch"));
    if args.iter().any(|a| a == "--single") {
        decoders.push(("cmd:python3 conformance/scripts/scapy_decoder.py".into(), "Scapy, single mode"));
        decoders.push(("cmd:python3 conformance/examples/decoder.py".into(), "example, single"));
    }
    println!("whole-corpus run against a one-vector run (vni-0), best of {repeats}; target <= 3x");
    println!("{:<60} {:>10} {:>10} {:>8}", "decoder", "one (s)", "all (s)", "ratio");
    for (decoder, what) in &decoders {
        // A first run warms the page cache and the decoder's own caches.
        let one = run_once(decoder, Some("vni-0")).and_then(|_| best_of(repeats, decoder, Some("vni-0")));
        let all = one.clone().and_then(|_| best_of(repeats, decoder, None));
        let label = format!("{decoder} ({what})");
        match (one, all) {
            (Ok(one), Ok(all)) => {
                let ratio = all.as_secs_f64() / one.as_secs_f64();
                println!(
                    "{label:<60} {:>10.3} {:>10.3} {:>7.1}x {}",
                    one.as_secs_f64(),
                    all.as_secs_f64(),
                    ratio,
                    if ratio <= 3.0 { "met" } else { "MISSED" }
                );
            }
            (Err(why), _) | (_, Err(why)) => println!("{label:<60} SKIP: {why}"),
        }
    }
}
