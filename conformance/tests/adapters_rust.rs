//! The Rust adapter programs (conformance/adapters/pnet and
//! conformance/adapters/packet-dissector) against the corpus: they are
//! built, speak both modes of the decoder protocol alike, name the library
//! version their Cargo.lock pins, and `vxconform run --decoder NAME` over the
//! whole corpus disagrees with the expected dissection exactly where
//! conformance/findings/NAME.md says, each disagreement explained by one of
//! the findings below and each finding still observed.
//!
//! Skips when an adapter is not built (`conformance/adapters/build.sh pnet
//! packet-dissector`), fails in CI (`CI=true`) then.

mod common;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The adapters this file tests, and the crate each wraps (its `--version`
/// names it, with the version in the adapter's Cargo.lock).
const ADAPTERS: [(&str, &str); 2] = [("pnet", "pnet_packet"), ("packet-dissector", "packet-dissector")];

fn program(name: &str) -> PathBuf {
    conformance::decoder::adapter::adapters_dir().join(name)
}

/// The version of `krate` pinned by conformance/adapters/NAME/Cargo.lock.
fn locked_version(adapter: &str, krate: &str) -> String {
    let lock = common::root().join("conformance/adapters").join(adapter).join("Cargo.lock");
    let text = std::fs::read_to_string(&lock).expect("the adapter's Cargo.lock");
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("name = \"{krate}\"") {
            let v = lines.next().unwrap().trim();
            return v.trim_start_matches("version = \"").trim_end_matches('"').to_owned();
        }
    }
    panic!("{krate} not in {}", lock.display())
}

#[test]
fn built_and_versioned_from_the_lock_file() {
    for (name, krate) in ADAPTERS {
        if !common::require_adapter(name) {
            continue;
        }
        let out = Command::new(program(name)).arg("--version").output().unwrap();
        assert!(out.status.success(), "{name} --version: {out:?}");
        let line = String::from_utf8(out.stdout).unwrap();
        assert_eq!(line.trim_end(), format!("{krate} {}", locked_version(name, krate)), "{name}");
        let d = conformance::decoder::by_name(name).unwrap();
        assert_eq!(d.version().as_deref(), Some(line.trim_end()));
        // A usage error is not a capture.
        let bad = Command::new(program(name)).arg("--frobnicate").output().unwrap();
        assert_eq!(bad.status.code(), Some(2), "{name}");
    }
}

/// Runs `program args` with `stdin`, returning (exit code, stdout lines).
fn run(program: &Path, args: &[&str], stdin: &str) -> (Option<i32>, Vec<String>) {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    (out.status.code(), text.lines().map(str::to_owned).collect())
}

/// Single mode and batch mode print the same frame lines for a capture;
/// batch mode ends each capture with its end marker, an unreadable one
/// with an error, and goes on.
#[test]
fn single_and_batch_modes_agree() {
    let root = common::root();
    let captures = [
        root.join("vectors/vni/vni-9999999.pcap"),
        root.join("vectors/dns/dns-exchange.pcap"),
        root.join("vectors/capture-format/capture-format-pcapng.pcapng"),
    ];
    let garbage = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(garbage.path(), b"not a capture at all").unwrap();
    for (name, _) in ADAPTERS {
        if !common::require_adapter(name) {
            continue;
        }
        let p = program(name);
        let mut expected = Vec::new();
        let mut input = String::new();
        for c in &captures {
            let (code, lines) = run(&p, &[c.to_str().unwrap()], "");
            assert_eq!(code, Some(0), "{name} {}", c.display());
            assert!(!lines.is_empty(), "{name}: no frames for {}", c.display());
            for l in &lines {
                let v: Value = serde_json::from_str(l).unwrap();
                assert!(v["frame"]["number"].is_u64(), "{name}: {l}");
            }
            expected.extend(lines);
            expected.push(serde_json::json!({ "end": c.to_str().unwrap() }).to_string());
            input.push_str(c.to_str().unwrap());
            input.push('\n');
        }
        input.push_str("/nonexistent/capture.pcap\n");
        input.push_str(garbage.path().to_str().unwrap());
        input.push('\n');
        input.push_str(captures[0].to_str().unwrap()); // no newline at the end: still a line
        let (code, lines) = run(&p, &["--batch"], &input);
        assert_eq!(code, Some(0), "{name} --batch");
        let n = expected.len();
        assert_eq!(lines[..n], expected[..], "{name}: batch lines differ from single-mode lines");
        for (line, path) in
            lines[n..n + 2].iter().zip(["/nonexistent/capture.pcap", garbage.path().to_str().unwrap()])
        {
            let v: Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["end"], path, "{name}: {line}");
            let e = v["error"].as_str().unwrap_or_else(|| panic!("{name}: no error in {line}"));
            assert!(!e.is_empty() && !e.contains('\n'), "{name}: {line}");
        }
        let first = expected.iter().take_while(|l| !l.starts_with("{\"end\"")).cloned().collect::<Vec<_>>();
        assert_eq!(lines[n + 2..n + 2 + first.len()], first[..], "{name}: the capture after the errors");
        assert_eq!(lines.len(), n + 3 + first.len(), "{name}: one end marker for the last capture");
        // Single mode on an unreadable capture: a failure, nothing on stdout.
        let (code, lines) = run(&p, &["/nonexistent/capture.pcap"], "");
        assert_eq!((code, lines.len()), (Some(1), 0), "{name}");
    }
}

/// A vector of the corpus as the manifest and its expected file give it.
struct Vector {
    group: String,
    subject: Vec<String>,
    expected: Value,
}

fn corpus() -> BTreeMap<String, Vector> {
    let dir = common::root().join("vectors");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for g in manifest["groups"].as_array().unwrap() {
        for v in g["vectors"].as_array().unwrap() {
            let expected = std::fs::read_to_string(dir.join(v["expected"].as_str().unwrap())).unwrap();
            out.insert(
                v["id"].as_str().unwrap().to_owned(),
                Vector {
                    group: g["name"].as_str().unwrap().to_owned(),
                    subject: v["subject"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|s| s.as_str().unwrap().to_owned())
                        .collect(),
                    expected: serde_json::from_str(&expected).unwrap(),
                },
            );
        }
    }
    out
}

/// One field verdict of the report, with its expected frame.
struct Verdict<'a> {
    /// The expected frame it belongs to.
    frame: &'a Value,
    path: &'a str,
    verdict: &'a str,
}

impl Verdict<'_> {
    fn at(&self, pointer: &str) -> &Value {
        self.frame.pointer(pointer).unwrap_or(&Value::Null)
    }
    fn truncated(&self) -> bool {
        self.at("/frame/truncated") == true
    }
    fn malformed(&self, reason: &str) -> bool {
        self.at("/frame/malformed/reason") == reason
    }
    fn not_reported(&self) -> bool {
        self.verdict == "not_reported"
    }
}

/// A documented finding: its name in conformance/findings/NAME.md, and the
/// field verdicts it explains.
struct Finding {
    name: &'static str,
    explains: fn(&Verdict<'_>) -> bool,
}

/// Runs `vxconform run --decoder NAME --format json` over the whole corpus
/// and checks that every disagreement is one of `findings`, each finding
/// explaining at least one; returns the report and the outcome per vector.
fn check_findings(name: &str, findings: &[Finding]) -> Option<BTreeMap<String, String>> {
    if !common::require_adapter(name) {
        return None;
    }
    let out = Command::new(env!("CARGO_BIN_EXE_vxconform"))
        .current_dir(common::root())
        .args(["run", "--decoder", name, "--format", "json", "--jobs", "2"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let report: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{name}: {e}: {out:?}"));
    assert_eq!(report["summary"]["error"], 0, "{name}: a vector errored: {}", report["summary"]);
    let corpus = corpus();
    let mut used: BTreeSet<&str> = BTreeSet::new();
    let mut unexplained = Vec::new();
    let mut outcomes = BTreeMap::new();
    for v in report["vectors"].as_array().unwrap() {
        let id = v["id"].as_str().unwrap();
        let vector = &corpus[id];
        outcomes.insert(id.to_owned(), v["outcome"].as_str().unwrap().to_owned());
        for f in v["fields"].as_array().unwrap() {
            let number = f["frame"].as_u64().unwrap() as usize;
            let verdict = Verdict {
                frame: &vector.expected["frames"][number - 1],
                path: f["path"].as_str().unwrap(),
                verdict: f["verdict"].as_str().unwrap(),
            };
            match findings.iter().find(|k| (k.explains)(&verdict)) {
                Some(k) => {
                    used.insert(k.name);
                }
                None => unexplained.push(format!("{id} #{number} {} {}", verdict.path, verdict.verdict)),
            }
        }
        // A vector fails or is not supported only through its fields.
        if !matches!(v["outcome"].as_str(), Some("pass" | "acceptable")) {
            assert!(!v["fields"].as_array().unwrap().is_empty() || id.starts_with("gwlb"), "{name}: {v}");
        }
    }
    assert_eq!(unexplained, Vec::<String>::new(), "{name}: disagreements no finding explains");
    let stale: Vec<&str> = findings.iter().map(|k| k.name).filter(|n| !used.contains(n)).collect();
    assert_eq!(
        stale,
        Vec::<&str>::new(),
        "{name}: findings no longer observed (update conformance/findings/{name}.md)"
    );
    Some(outcomes)
}

/// The fields no adapter here reports because neither library states them.
fn unstated(v: &Verdict<'_>) -> bool {
    v.not_reported()
        && (v.path.ends_with(".padding_len")
            || v.path == "inner.tcp.payload_len"
            || v.path.starts_with("frame.truncation."))
}

#[test]
fn pnet_disagrees_only_where_its_findings_say() {
    let findings = [
        // pnet_packet's VxlanPacket is RFC 7348's layout alone.
        Finding {
            name: "gbp",
            explains: |v| {
                v.not_reported() && v.path.starts_with("vxlan.") && conformance_group(v.path) == "gbp"
            },
        },
        // No GENEVE view: nothing after a GWLB's outer UDP header.
        Finding {
            name: "geneve",
            explains: |v| {
                v.not_reported()
                    && !v.at("/geneve").is_null()
                    && !v.path.starts_with("outer.")
                    && !v.path.starts_with("frame.")
            },
        },
        Finding { name: "app", explains: |v| v.not_reported() && v.path.starts_with("app.") },
        Finding { name: "truncation", explains: |v| v.not_reported() && v.path == "frame.truncated" },
        Finding {
            name: "malformation",
            explains: |v| v.not_reported() && v.path.starts_with("frame.malformed."),
        },
        Finding { name: "unstated", explains: unstated },
        // A view needs its whole fixed header: nothing of a header cut short.
        Finding {
            name: "cut-header",
            explains: |v| v.not_reported() && (v.truncated() || v.malformed("vxlan_header_truncated")),
        },
    ];
    let Some(outcomes) = check_findings("pnet", &findings) else { return };
    let corpus = corpus();
    for (id, outcome) in &outcomes {
        let v = &corpus[id];
        if v.group == "gbp" || v.group == "tls" || v.group == "http" || v.group == "dns" {
            assert_eq!(outcome, "not_supported", "{id}");
        }
        if v.subject.iter().all(|s| s == "vxlan.vni") && !v.expected["frames"][0]["geneve"].is_object() {
            assert!(outcome == "pass" || outcome == "acceptable", "{id}: {outcome}");
        }
    }
}

#[test]
fn packet_dissector_disagrees_only_where_its_findings_say() {
    let findings = [
        // draft-smith-vxlan-group-policy-05 section 2.1 read literally: A and
        // the Group Policy ID only with G set.
        Finding {
            name: "gbp-a-without-g",
            explains: |v| {
                v.not_reported()
                    && (v.path == "vxlan.flag_a" || v.path == "vxlan.group_policy_id")
                    && v.at("/vxlan/flag_g") == false
            },
        },
        // Lower port first: a datagram from 4789 is VXLAN to it.
        Finding {
            name: "source-port",
            explains: |v| {
                v.verdict == "unexpected" && v.at("/vxlan").is_null() && v.at("/outer/udp/src_port") == 4789
            },
        },
        // RFC 8926 section 3.4: an unknown version is refused, as an error.
        Finding {
            name: "geneve-version",
            explains: |v| {
                v.path == "frame.malformed.reason" && v.at("/geneve/version").as_u64().is_some_and(|n| n != 0)
            },
        },
        // Any TCP 443 segment is dissected as TLS, and one that is not a
        // TLS record ends the dissection with InvalidFieldValue.
        Finding {
            name: "tls-on-443",
            explains: |v| {
                v.verdict == "unexpected"
                    && v.path == "frame.malformed.reason"
                    && v.at("/inner/tcp/dst_port") == 443
                    && v.at("/app/tls").is_null()
            },
        },
        // A short VXLAN header is PacketError::Truncated, not a malformation.
        Finding {
            name: "short-vxlan-header",
            explains: |v| {
                v.malformed("vxlan_header_truncated")
                    && (v.path == "frame.truncated"
                        || v.path.starts_with("frame.malformed.")
                        || v.path.starts_with("vxlan."))
            },
        },
        Finding { name: "truncation", explains: |v| v.not_reported() && v.path == "frame.truncated" },
        Finding {
            name: "malformation",
            explains: |v| v.not_reported() && v.path.starts_with("frame.malformed."),
        },
        Finding { name: "unstated", explains: unstated },
        Finding { name: "cut-header", explains: |v| v.not_reported() && v.truncated() },
    ];
    let Some(outcomes) = check_findings("packet-dissector", &findings) else { return };
    let corpus = corpus();
    for (id, outcome) in &outcomes {
        let v = &corpus[id];
        // GENEVE, TLS, HTTP, DNS: all of it.
        if ["tls", "http", "dns"].contains(&v.group.as_str())
            || (v.group == "gwlb" && !id.contains("version"))
        {
            assert_eq!(outcome, "pass", "{id}");
        }
        if v.group == "gbp" {
            let g = v.expected["frames"][0]["vxlan"]["flag_g"] == true;
            assert_eq!(outcome, if g { "pass" } else { "fail" }, "{id}");
        }
    }
}

/// The report's field group of a leaf path.
fn conformance_group(path: &str) -> &'static str {
    generator::dissection::registry::FieldGroup::of(path).name()
}
