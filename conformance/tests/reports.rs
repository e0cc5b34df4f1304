//! Report formats: JUnit validates as XML with one test case per vector,
//! JSON parses, and the text and Markdown layouts are kept as snapshots.

mod common;

use conformance::decoder::reference::Reference;
use conformance::decoder::{DecodeOptions, Decoded, Decoder, DecoderFailure};
use conformance::report::{render, Format, Style};
use conformance::run::{run, RunOptions, RunReport};
use quick_xml::events::Event;
use std::path::Path;
use std::time::Duration;

/// A deterministic faulty decoder: the reference, but it reads the VNI's
/// bytes backwards, drops truncated frames, fails on DNS captures, and
/// flags nothing malformed.
struct Faulty;

impl Decoder for Faulty {
    fn name(&self) -> &str {
        "faulty"
    }
    fn version(&self) -> Option<String> {
        Some("1.0".into())
    }
    fn decode(&self, capture: &Path, opts: &DecodeOptions) -> Result<Decoded, DecoderFailure> {
        if capture.to_string_lossy().contains("dns") {
            return Err(DecoderFailure::Crashed {
                status: "exit status 3".into(),
                stderr_tail: "faulty: DNS is not my thing".into(),
            });
        }
        let mut frames = Reference::new().decode(capture, opts)?.frames;
        frames.retain(|f| f.frame.truncated != Some(true));
        for f in &mut frames {
            f.frame.malformed = None;
            if let Some(v) = f.vxlan.as_mut().and_then(|v| v.vni.as_mut()) {
                *v = u32::from_le_bytes([(*v >> 16) as u8, (*v >> 8) as u8, *v as u8, 0]);
            }
        }
        Ok(frames.into())
    }
}

const SNAPSHOT_SET: [&str; 8] = [
    "vni-0",
    "vni-9999999",
    "gbp-g-d",
    "i-clear",
    "packet-length-40",
    "vxlan-header-4-bytes",
    "dns-query-a",
    "tls12-client-hello",
];

fn faulty_report() -> RunReport {
    let opts =
        RunOptions { filter: SNAPSHOT_SET.iter().map(|s| s.to_string()).collect(), ..RunOptions::default() };
    let mut r = run(&Faulty, &common::corpus(), &opts).unwrap();
    r.corpus = "vectors".into();
    r.elapsed = Duration::ZERO;
    for v in &mut r.vectors {
        v.duration = Duration::ZERO;
    }
    r
}

fn style() -> Style {
    Style { timings: false, ..Style::plain() }
}

#[test]
fn text_report_snapshot() {
    insta::assert_snapshot!("text", render(&faulty_report(), Format::Text, &style()).unwrap());
}

#[test]
fn markdown_report_snapshot() {
    insta::assert_snapshot!("markdown", render(&faulty_report(), Format::Markdown, &style()).unwrap());
}

#[test]
fn colour_only_when_asked() {
    let r = faulty_report();
    let plain = render(&r, Format::Text, &style()).unwrap();
    assert!(!plain.contains('\x1b'));
    let coloured = render(&r, Format::Text, &Style { color: true, ..style() }).unwrap();
    assert!(coloured.contains("\x1b[31m"));
}

/// Parses `xml` with quick-xml; returns the names of the test cases and
/// how many have a failure, an error, a skipped element.
fn junit_cases(xml: &str) -> (Vec<String>, usize, usize, usize) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut names, mut failures, mut errors, mut skipped) = (Vec::new(), 0, 0, 0);
    let mut depth = 0i32;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                match e.name().as_ref() {
                    b"testcase" => {
                        let name = e
                            .try_get_attribute("name")
                            .unwrap()
                            .expect("a testcase has a name")
                            .unescape_value()
                            .unwrap()
                            .into_owned();
                        names.push(name);
                    }
                    b"failure" => failures += 1,
                    b"error" => errors += 1,
                    b"skipped" => skipped += 1,
                    _ => {}
                }
                depth += 1;
            }
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("JUnit output is not XML at {}: {e}\n{xml}", reader.buffer_position()),
        }
    }
    let _ = depth;
    (names, failures, errors, skipped)
}

#[test]
fn junit_is_xml_with_one_testcase_per_vector() {
    let r = faulty_report();
    let xml = render(&r, Format::Junit, &style()).unwrap();
    let (names, failures, errors, _) = junit_cases(&xml);
    let mut ids: Vec<String> = r.vectors.iter().map(|v| v.id.clone()).collect();
    let mut got = names.clone();
    ids.sort();
    got.sort();
    assert_eq!(got, ids, "{xml}");
    assert_eq!(failures, r.summary.fail + r.summary.unexpected_pass);
    assert_eq!(errors, r.summary.error);
    assert!(xml.contains("vxlan.vni: expected 9999999"), "{xml}");

    // The whole corpus with the reference: 94 passing test cases.
    let full = run(&Reference::new(), &common::corpus(), &RunOptions::default()).unwrap();
    let xml = render(&full, Format::Junit, &style()).unwrap();
    let (names, failures, errors, skipped) = junit_cases(&xml);
    assert_eq!(names.len(), common::corpus().manifest.number_of_vectors);
    assert_eq!((failures, errors, skipped), (0, 0, 0));
}

#[test]
fn json_report_is_machine_readable() {
    let r = faulty_report();
    let json: serde_json::Value = serde_json::from_str(&render(&r, Format::Json, &style()).unwrap()).unwrap();
    assert_eq!(json["report_version"], 1);
    assert_eq!(json["decoder"]["name"], "faulty");
    assert_eq!(json["exit_code"], 1);
    let v = json["vectors"].as_array().unwrap().iter().find(|v| v["id"] == "vni-9999999").unwrap();
    assert_eq!(v["outcome"], "fail");
    let vni = v["fields"].as_array().unwrap().iter().find(|f| f["path"] == "vxlan.vni").unwrap();
    assert_eq!(vni["verdict"], "mismatch");
    assert_eq!(vni["expected"], "9999999");
    assert_eq!(vni["spec"], "RFC 7348 section 5");
    let dns = json["vectors"].as_array().unwrap().iter().find(|v| v["id"] == "dns-query-a").unwrap();
    assert_eq!(dns["outcome"], "error");
    assert_eq!(dns["failure"]["kind"], "crashed");
    assert_eq!(dns["failure"]["stderr_tail"], "faulty: DNS is not my thing");
}
