//! The reference decoder passes the whole corpus and never panics.

mod common;

use conformance::compare::{FieldVerdict, Outcome};
use conformance::decoder::reference::{dissect_frame, Reference};
use conformance::run::{run, RunOptions};
use generator::vectors::build_corpus;

#[test]
fn reference_passes_100_percent_of_the_corpus() {
    let corpus = common::corpus();
    let report = run(&Reference::new(), &corpus, &RunOptions::default()).unwrap();
    assert_eq!(report.vectors.len(), corpus.manifest.number_of_vectors);
    // Acceptable vectors: read as their first reading, the one the generator built.
    let first: std::collections::BTreeMap<&str, &str> = corpus
        .vectors()
        .filter_map(|v| v.entry.readings.first().map(|r| (v.entry.id.as_str(), r.name.as_str())))
        .collect();
    let first_reading = |v: &conformance::run::VectorReport| first.get(v.id.as_str()).copied().unwrap_or("");
    let failing: Vec<String> = report
        .vectors
        .iter()
        .filter(|v| {
            v.outcome != Outcome::Pass
                && !(v.outcome == Outcome::Acceptable && v.reading.as_deref() == Some(first_reading(v)))
        })
        .map(|v| format!("{} ({:?}): {:?}", v.id, v.outcome, v.reasons))
        .collect();
    assert!(failing.is_empty(), "the reference decoder fails:\n{}", failing.join("\n"));
    // Not only no mismatch: every expected value is reported, except the
    // mirrored frame's original length when the cut left no length field.
    for v in &report.vectors {
        for f in &v.comparison.as_ref().unwrap().fields {
            match &f.verdict {
                FieldVerdict::Match => {}
                FieldVerdict::NotReported { .. } if f.path == "frame.truncation.inner_original_len" => {}
                other => panic!("{} frame {} {}: {other:?}", v.id, f.frame, f.path),
            }
        }
    }
}

/// Every prefix of every corpus frame, and each with single bytes flipped,
/// dissects without a panic.
#[test]
fn reference_never_panics_on_damaged_frames() {
    let mut frames = Vec::new();
    for file in build_corpus().iter().filter(|f| f.path.ends_with(".pcap") || f.path.ends_with(".pcapng")) {
        for f in conformance::capture::read_capture(&file.bytes).unwrap() {
            frames.push(f.data);
        }
    }
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut cases = 0;
    for data in frames.iter().filter(|d| d.len() < 2000) {
        for cut in 0..=data.len() {
            let d = &data[..cut];
            let _ = dissect_frame(1, d, data.len() as u32, None);
            let mut m = d.to_vec();
            if !m.is_empty() {
                for _ in 0..3 {
                    let i = (next() as usize) % m.len();
                    m[i] = next() as u8;
                }
            }
            let _ = dissect_frame(1, &m, m.len() as u32, Some(65535));
            cases += 2;
        }
    }
    assert!(cases > 10_000, "{cases}");
}

#[test]
fn reference_rejects_a_file_that_is_not_a_capture() {
    let err = Reference::new().decode_bytes(b"definitely not pcap").unwrap_err();
    assert_eq!(err.kind(), "garbage");
}

/// Rewrites a classic pcap capture in another format.
fn convert(pcap: &[u8], format: generator::capture::Format) -> Vec<u8> {
    use generator::capture::{CaptureWriter, Record};
    let frames = conformance::capture::read_capture(pcap).unwrap();
    let snaplen = frames[0].snaplen.unwrap();
    let mut w = CaptureWriter::new(Vec::new(), format, snaplen).unwrap();
    for (i, f) in frames.iter().enumerate() {
        w.write(&Record {
            timestamp_ns: 1_705_309_200_000_000_000 + i as u64,
            data: &f.data,
            orig_len: f.original_len,
            comment: Some("converted"),
            direction: None,
        })
        .unwrap();
    }
    w.finish().unwrap()
}

/// pcapng and nanosecond pcap read the same as the corpus's classic pcap,
/// with the reference decoder and with the example decoder.
#[test]
fn pcapng_and_nanosecond_captures_read_the_same() {
    use generator::capture::Format;
    let corpus = common::corpus();
    let dir = tempfile::tempdir().unwrap();
    let python = common::require_tool("python3");
    let example = conformance::decoder::by_name(&common::example_decoder()).unwrap();
    for id in ["handshake-interleaved", "snaplen-46", "gwlb-basic", "ethernet-padding"] {
        let v = corpus.vectors().find(|v| v.entry.id == id).unwrap();
        let pcap = std::fs::read(corpus.capture_path(v.entry)).unwrap();
        let want = Reference::new().decode_bytes(&pcap).unwrap();
        for format in [Format::PcapNg, Format::PcapNanos] {
            let bytes = convert(&pcap, format);
            assert_eq!(Reference::new().decode_bytes(&bytes).unwrap(), want, "{id} {format:?}");
            if python {
                let path = dir.path().join(format!("{id}.{format:?}"));
                std::fs::write(&path, &bytes).unwrap();
                let got = example.decode(&path, &Default::default()).unwrap();
                let from_pcap = example.decode(&corpus.capture_path(v.entry), &Default::default()).unwrap();
                assert_eq!(got, from_pcap, "example decoder, {id} {format:?}");
            }
        }
    }
}

/// The capture-format vectors hold the same frames in every format, and the
/// capture reader reads each of them to the same records.
#[test]
fn every_capture_format_reads_to_the_same_records() {
    let files = build_corpus();
    type Records = Vec<(Vec<u8>, u32, Option<u32>)>;
    let read: Vec<(String, Records)> = files
        .iter()
        .filter(|f| f.path.starts_with("capture-format/") && !f.path.ends_with(".json"))
        .map(|f| {
            let frames =
                conformance::capture::read_capture(&f.bytes).unwrap_or_else(|e| panic!("{}: {e}", f.path));
            (f.path.clone(), frames.into_iter().map(|r| (r.data, r.original_len, r.snaplen)).collect())
        })
        .collect();
    let names: Vec<&str> = read.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        names,
        [
            "capture-format/capture-format-pcap.pcap",
            "capture-format/capture-format-pcap-be.pcap",
            "capture-format/capture-format-pcap-ns.pcap",
            "capture-format/capture-format-pcapng.pcapng",
        ]
    );
    assert_eq!(read[0].1.len(), 2);
    for (path, frames) in &read[1..] {
        assert_eq!(frames, &read[0].1, "{path}");
    }
}
