//! Shards merged, and `--jobs`, give the bytes of the run written whole
//! (generate/shard.rs, capture/merge.rs): over seeds, formats (pcap, pcap-ns,
//! pcapng with comments), scenarios and the options that tie flows together
//! (reorder, loss, truncation, a GWLB target, `max_concurrent`).

use generator::capture::merge::{merge, MergeError, ShardHeader, ShardReader};
use generator::capture::{CaptureWriter, Format};
use generator::generate::{run, run_jobs, run_shard_jobs, Options, Shard};
use generator::mirror::session::{Mirror, Target, TargetKind};
use generator::traffic::scenario::Scenario;

const SNAPLEN: u32 = 262_144;

fn whole(mirror: &Mirror, opts: &Options, format: Format) -> Vec<u8> {
    let mut w = CaptureWriter::new(Vec::new(), format, SNAPLEN).unwrap();
    run(mirror, opts, &mut w, |_| {}).unwrap();
    w.finish().unwrap()
}

fn shards(mirror: &Mirror, opts: &Options, format: Format, n: u64, run_id: &str) -> Vec<Vec<u8>> {
    (0..n)
        .map(|k| {
            let header = ShardHeader { index: k, count: n, run: run_id.into(), format }.to_string();
            let mut w = CaptureWriter::new_shard(Vec::new(), SNAPLEN, &header).unwrap();
            // Threads planning the flows change nothing of a shard either.
            let jobs = [1, 2, 3][k as usize % 3];
            run_shard_jobs(mirror, opts, Shard::new(k, n).unwrap(), jobs, &mut w, |_| {}).unwrap();
            w.finish().unwrap()
        })
        .collect()
}

fn merged(files: &[Vec<u8>]) -> Result<Vec<u8>, MergeError> {
    let readers = files.iter().map(|f| ShardReader::new(&f[..])).collect::<Result<Vec<_>, _>>()?;
    let (format, snaplen) =
        readers.first().map_or((Format::PcapNg, SNAPLEN), |r| (r.header().format, r.snaplen()));
    let mut out = CaptureWriter::new(Vec::new(), format, snaplen)?;
    merge(readers, &mut out)?;
    Ok(out.finish()?)
}

fn cases() -> Vec<(&'static str, Mirror, Options)> {
    let base = |seed: u64, scenario: &str, flows: u64| Options {
        seed,
        conversations: flows,
        scenario: Scenario::by_name(scenario).unwrap(),
        ..Options::default()
    };
    let mut truncated = Mirror::example(3);
    truncated.sessions[0].packet_length = Some(64);
    let mut gwlb = Mirror::example(4);
    gwlb.sessions[0].target = Target::example(TargetKind::GatewayLoadBalancerEndpoint);
    vec![
        ("mixed", Mirror::example(1), base(1, "mixed", 60)),
        ("reorder+loss", Mirror::example(2), Options { reorder: 0.2, loss: 0.1, ..base(2, "mixed", 50) }),
        ("truncated, max 3", truncated, Options { max_concurrent: 3, ..base(3, "http", 40) }),
        ("gwlb, reorder", gwlb, Options { reorder: 0.5, ..base(4, "https-outbound", 30) }),
        ("dns", Mirror::example(5), base(9, "dns", 200)),
    ]
}

#[test]
fn merged_shards_are_the_whole_run_byte_for_byte() {
    for (name, mirror, opts) in cases() {
        for format in [Format::Pcap, Format::PcapNanos, Format::PcapNg] {
            let opts = Options { comments: format == Format::PcapNg, ..opts.clone() };
            let want = whole(&mirror, &opts, format);
            for n in [1, 2, 3, 7] {
                let files = shards(&mirror, &opts, format, n, "t");
                // Every shard holds some records when there are enough flows; none is the whole.
                let got = merged(&files).unwrap();
                assert!(got == want, "{name}, {format:?}, {n} shards: merged bytes differ");
                // Shuffled order of the files on the command line changes nothing.
                let mut rev = files.clone();
                rev.reverse();
                assert!(merged(&rev).unwrap() == want, "{name}, {format:?}, {n} shards reversed");
            }
        }
    }
}

#[test]
fn jobs_write_the_bytes_of_one_job() {
    let base = |seed: u64, scenario: &str, flows: u64| Options {
        seed,
        conversations: flows,
        scenario: Scenario::by_name(scenario).unwrap(),
        ..Options::default()
    };
    let more = vec![
        // Groups of connections drawn on the schedule; the http gap counts from a flow's end.
        ("seed preset", Mirror::example(6), base(6, "seed-https-outbound", 25)),
        ("http, max 1", Mirror::example(7), Options { max_concurrent: 1, ..base(7, "http", 30) }),
        // Starts under a second: no flow can be moved, every one is planned in place.
        ("start 0", Mirror::example(8), Options { start_ns: 0, ..base(8, "mixed", 30) }),
        ("fewer flows than jobs", Mirror::example(9), base(9, "mixed", 2)),
        ("no flows", Mirror::example(10), base(10, "mixed", 0)),
    ];
    for (name, mirror, opts) in cases().into_iter().chain(more) {
        for format in [Format::Pcap, Format::PcapNg] {
            let opts = Options { comments: format == Format::PcapNg, ..opts.clone() };
            let want = whole(&mirror, &opts, format);
            for jobs in [2, 3] {
                let mut w = CaptureWriter::new(Vec::new(), format, SNAPLEN).unwrap();
                let stats = run_jobs(&mirror, &opts, jobs, &mut w, |_| {}).unwrap();
                let mut one = CaptureWriter::new(Vec::new(), format, SNAPLEN).unwrap();
                let want_stats = run(&mirror, &opts, &mut one, |_| {}).unwrap();
                assert_eq!(stats.copies, want_stats.copies, "{name}");
                assert_eq!(stats.bytes, want_stats.bytes, "{name}");
                assert!(w.finish().unwrap() == want, "{name}, {format:?}, --jobs {jobs}");
            }
        }
    }
}

#[test]
fn bad_merges_are_refused() {
    let (_, mirror, opts) = cases().swap_remove(1);
    let files = shards(&mirror, &opts, Format::PcapNg, 3, "a");
    let err = |files: &[Vec<u8>]| merged(files).unwrap_err().to_string();
    // A shard missing, or given twice.
    assert!(err(&files[..2]).contains("3 shards but 2"), "{}", err(&files[..2]));
    let twice = [files[0].clone(), files[1].clone(), files[1].clone()];
    assert!(err(&twice).contains("given twice"));
    // A shard of another run (another seed: its records do not fit).
    let other = shards(&mirror, &Options { seed: 99, ..opts.clone() }, Format::PcapNg, 3, "b");
    let mixed = [files[0].clone(), files[1].clone(), other[2].clone()];
    assert!(err(&mixed).contains("different runs"), "{}", err(&mixed));
    // Another format.
    let pcap = shards(&mirror, &opts, Format::Pcap, 3, "a");
    let mixed = [files[0].clone(), files[1].clone(), pcap[2].clone()];
    assert!(err(&mixed).contains("different runs"));
    // Cut short anywhere: inside a block, or at a block boundary (the closing block gone).
    for cut in [files[2].len() - 52, files[2].len() - 1, files[2].len() / 2, 30] {
        let short = [files[0].clone(), files[1].clone(), files[2][..cut].to_vec()];
        let e = err(&short);
        assert!(e.contains("truncated") || e.contains("not a vxgen shard"), "cut at {cut}: {e}");
    }
    // The same run id but another seed: places collide or leave gaps.
    let other = shards(&mirror, &Options { seed: 99, ..opts.clone() }, Format::PcapNg, 3, "a");
    let mixed = [files[0].clone(), files[1].clone(), other[2].clone()];
    assert!(merged(&mixed).is_err(), "records of another run must not merge silently");
    // Not a shard file at all: an ordinary capture.
    let plain = whole(&mirror, &opts, Format::PcapNg);
    assert!(err(&[plain]).contains("not a vxgen shard"));
    assert!(err(&[]).contains("no shard files"));
}

#[test]
fn shard_arguments() {
    for bad in ["0/0", "3/2", "2/2", "1", "a/b", "-1/2", "0/65537", "0/18446744073709551616", ""] {
        assert!(bad.parse::<Shard>().is_err(), "{bad}");
    }
    let s: Shard = "1/4".parse().unwrap();
    assert_eq!((s.index(), s.count()), (1, 4));
    assert!(s.owns(5) && !s.owns(4));
}
