use generator::capture::{CaptureWriter, Format};
use generator::generate::{run_jobs, Options};
use generator::mirror::session::Mirror;
use std::time::Instant;
fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(50_000);
    for sc in ["http", "mixed"] {
        for format in [Format::Pcap, Format::PcapNg] {
            let mirror = Mirror::example(1);
            let mut best = [f64::MAX; 2];
            let mut copies = 0;
            for _ in 0..3 {
                for (i, jobs) in [1usize, 2].into_iter().enumerate() {
                    let t = Instant::now();
                    let opts = Options { seed: 7, conversations: n, comments: format == Format::PcapNg, scenario: sc.parse().unwrap(), ..Options::default() };
                    let mut w = CaptureWriter::new(std::io::sink(), format, 262144).unwrap();
                    copies = run_jobs(&mirror, &opts, jobs, &mut w, |_| {}).unwrap().copies;
                    w.finish().unwrap();
                    best[i] = best[i].min(t.elapsed().as_secs_f64());
                }
            }
            println!("{sc} {:?}: jobs1 {:.0} pps jobs2 {:.0} pps ratio {:.2}", format, copies as f64 / best[0], copies as f64 / best[1], best[0] / best[1]);
        }
    }
}
