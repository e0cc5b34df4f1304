//! The checked-in corpus (`vectors/`) against a fresh regeneration, the
//! manifest against the files, every JSON file against its JSON Schema, the
//! corpus's size, and docs/dissection.md's field table against the field map.
//!
//! Schema validation runs Python's `jsonschema` package (installed by
//! .ci/run); without it the check prints `SKIP:`, and fails under `CI=true`.

mod common;

use generator::dissection::CaptureDissection;
use generator::vectors::manifest::Manifest;
use generator::vectors::{build_corpus, diff_corpus, write_corpus};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

fn vectors_dir() -> PathBuf {
    root().join("vectors")
}

const REGENERATE: &str = "regenerate it with `cargo run -p generator --bin vxgen -- corpus --out vectors/` \
                          and review the diff (insta snapshots: `cargo insta review`)";

#[test]
fn checked_in_corpus_is_a_fresh_regeneration() {
    // Through the real writer, into a temporary directory, then file by file.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("vectors");
    let summary = write_corpus(&out, false).unwrap();
    assert!(summary.vectors >= 60);
    assert_eq!(diff_corpus(&out).unwrap(), None, "a fresh write differs from the in-memory build");
    if let Some(diff) = diff_corpus(&vectors_dir()).unwrap() {
        panic!("vectors/ is stale: {diff}; {REGENERATE}");
    }
}

#[test]
fn regeneration_replaces_a_corpus_and_refuses_anything_else() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("v");
    write_corpus(&out, false).unwrap();
    // A corpus is replaced without --force; a stray file disappears with it.
    std::fs::write(out.join("stray.txt"), b"x").unwrap();
    write_corpus(&out, false).unwrap();
    assert!(!out.join("stray.txt").exists());
    assert_eq!(diff_corpus(&out).unwrap(), None);
    // A non-empty directory that is not a corpus is refused, and left alone.
    let other = tmp.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("keep.txt"), b"mine").unwrap();
    let err = write_corpus(&other, false).unwrap_err().to_string();
    assert!(err.contains("not empty"), "{err}");
    assert_eq!(std::fs::read(other.join("keep.txt")).unwrap(), b"mine");
    // A file is not a directory.
    assert!(write_corpus(&other.join("keep.txt"), true).is_err());
    // No temporary directories are left behind.
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".vxgen-corpus"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn manifest_and_files_agree_one_to_one() {
    let files = build_corpus();
    let manifest: Manifest =
        serde_json::from_slice(&files.iter().find(|f| f.path == "manifest.json").unwrap().bytes).unwrap();
    let mut named = BTreeSet::new();
    let mut ids = BTreeSet::new();
    let mut count = 0;
    for g in &manifest.groups {
        for v in &g.vectors {
            count += 1;
            assert!(ids.insert(v.id.clone()), "duplicate id {}", v.id);
            for r in &v.references {
                assert!(manifest.references.contains_key(r), "{}: reference {r} undefined", v.id);
            }
            for f in &v.flags {
                assert!(manifest.flags.contains_key(f), "{}: flag {f} undefined", v.id);
            }
            assert!(named.insert(v.capture.clone()) && named.insert(v.expected.clone()));
            // An acceptable vector's other readings have their own expected files.
            for r in v.readings.iter().skip(1) {
                assert!(named.insert(r.expected.clone()), "{}: reading {} named twice", v.id, r.name);
                let d: CaptureDissection = serde_json::from_slice(
                    &files.iter().find(|f| f.path == r.expected).expect("reading file").bytes,
                )
                .unwrap();
                assert_eq!(d.frames.len(), v.frames, "{}: frame count of reading {}", v.id, r.name);
            }
            assert!(!v.subject.is_empty(), "{}: no subject", v.id);
            let expected = files.iter().find(|f| f.path == v.expected).expect("expected file exists");
            let d: CaptureDissection = serde_json::from_slice(&expected.bytes).unwrap();
            assert_eq!(d.vector.as_deref(), Some(v.id.as_str()));
            assert_eq!(d.frames.len(), v.frames, "{}: frame count", v.id);
            assert_eq!(Some(v.capture.rsplit('/').next().unwrap()), d.capture.as_deref());
            // The capture is in the format the entry names.
            let capture = files.iter().find(|f| f.path == v.capture).expect("capture exists");
            let magic: [u8; 4] = match v.format.as_str() {
                "pcap" => [0xd4, 0xc3, 0xb2, 0xa1],
                "pcap-be" => [0xa1, 0xb2, 0xc3, 0xd4],
                "pcap-ns" => [0x4d, 0x3c, 0xb2, 0xa1],
                "pcapng" => [0x0a, 0x0d, 0x0d, 0x0a],
                other => panic!("{}: unknown format {other}", v.id),
            };
            assert_eq!(capture.bytes[..4], magic, "{}: magic of a {} capture", v.id, v.format);
            assert_eq!(v.capture.ends_with(".pcapng"), v.format == "pcapng", "{}: extension", v.id);
            let numbers: Vec<u32> = d.frames.iter().map(|f| f.frame.number).collect();
            assert_eq!(numbers, (1..=v.frames as u32).collect::<Vec<_>>());
        }
    }
    assert_eq!(count, manifest.number_of_vectors);
    let on_disk: BTreeSet<String> = files
        .iter()
        .map(|f| f.path.clone())
        .filter(|p| {
            p.ends_with(".pcap")
                || p.ends_with(".pcapng")
                || p.contains('/') && p.ends_with(".json") && !p.starts_with("schemas/")
        })
        .collect();
    assert_eq!(on_disk, named, "files without a manifest entry, or entries without files");
    // Every defined reference and flag is used.
    let used_refs: BTreeSet<&String> =
        manifest.groups.iter().flat_map(|g| &g.vectors).flat_map(|v| &v.references).collect();
    let used_flags: BTreeSet<&String> =
        manifest.groups.iter().flat_map(|g| &g.vectors).flat_map(|v| &v.flags).collect();
    assert_eq!(used_refs, manifest.references.keys().collect(), "unused references");
    assert_eq!(used_flags, manifest.flags.keys().collect(), "unused flags");
}

#[test]
fn corpus_is_under_two_mebibytes() {
    let total: usize = build_corpus().iter().map(|f| f.bytes.len()).sum();
    assert!(total < 2 * 1024 * 1024, "corpus is {total} bytes");
}

#[test]
fn every_json_file_validates_against_its_schema() {
    let have =
        Command::new("python3").args(["-c", "import jsonschema"]).output().is_ok_and(|o| o.status.success());
    if !have {
        assert!(
            !common::in_ci(),
            "python3 with jsonschema is required under CI=true (pip install jsonschema)"
        );
        let _ =
            std::io::Write::write_all(&mut std::io::stderr(), b"SKIP: python3 jsonschema not installed\n");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("vectors");
    write_corpus(&out, false).unwrap();
    // The schemas shipped in the corpus are the ones in docs/.
    for name in ["dissection.schema.json", "manifest.schema.json"] {
        assert_eq!(
            std::fs::read(out.join("schemas").join(name)).unwrap(),
            std::fs::read(root().join("docs").join(name)).unwrap()
        );
    }
    let script = r#"
import json, pathlib, sys
from jsonschema import Draft202012Validator, FormatChecker
root = pathlib.Path(sys.argv[1])
def validator(name):
    schema = json.loads((root / "schemas" / name).read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())
manifest = json.loads((root / "manifest.json").read_text())
bad = [f"manifest.json: {e.message} at {list(e.absolute_path)}" for e in validator("manifest.schema.json").iter_errors(manifest)]
dissection = validator("dissection.schema.json")
n = 0
for group in manifest["groups"]:
    for v in group["vectors"]:
        doc = json.loads((root / v["expected"]).read_text())
        n += 1
        bad += [f'{v["expected"]}: {e.message} at {list(e.absolute_path)}' for e in dissection.iter_errors(doc)]
print(n)
for b in bad[:20]:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
"#;
    let o = Command::new("python3").arg("-c").arg(script).arg(&out).output().unwrap();
    assert!(o.status.success(), "schema validation failed:\n{}", String::from_utf8_lossy(&o.stderr));
    let n: usize = String::from_utf8_lossy(&o.stdout).trim().parse().unwrap();
    assert!(n >= 60);
    // And the schema rejects what it should: an unknown field, a VNI over 2^24-1.
    let bad = r#"
import json, sys
from jsonschema import Draft202012Validator
s = json.loads(open(sys.argv[1]).read())
v = Draft202012Validator(s)
ok = {"format_version": 1, "frames": [{"frame": {"number": 1}, "vxlan": {"vni": 16777215}}]}
assert v.is_valid(ok)
assert not v.is_valid({"format_version": 1, "frames": [{"frame": {"number": 1}, "vxlan": {"vni": 16777216}}]})
assert not v.is_valid({"format_version": 1, "frames": [{"frame": {"number": 1}, "vxlan": {"vnid": 1}}]})
"#;
    let o = Command::new("python3")
        .arg("-c")
        .arg(bad)
        .arg(out.join("schemas/dissection.schema.json"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn vxgen_corpus_subcommand() {
    let vxgen = |args: &[&str]| {
        let status = Command::new(env!("CARGO_BIN_EXE_vxgen")).arg("corpus").args(args).status();
        status.unwrap().code()
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("v");
    let out_s = out.to_str().unwrap();
    assert_eq!(vxgen(&["--out", out_s]), Some(0));
    assert_eq!(diff_corpus(&out).unwrap(), None);
    // Running it again regenerates in place.
    assert_eq!(vxgen(&["--out", out_s]), Some(0));
    // A directory of someone else's files: refused, then replaced with --force.
    let other = tmp.path().join("o");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), b"mine").unwrap();
    let other_s = other.to_str().unwrap();
    assert_eq!(vxgen(&["--out", other_s]), Some(1));
    assert!(other.join("notes.txt").exists());
    assert_eq!(vxgen(&["--out", other_s, "--force"]), Some(0));
    assert_eq!(diff_corpus(&other).unwrap(), None);
}

#[test]
fn every_field_in_the_corpus_is_in_the_registry() {
    use generator::dissection::{flatten, registry};
    let mut seen = BTreeSet::new();
    for v in generator::vectors::corpus::vectors() {
        for frame in generator::vectors::build_vector(&v).dissection.frames {
            for path in flatten::leaves(&frame).into_keys() {
                let field = registry::field(&path).unwrap_or_else(|| {
                    panic!("{}: field {path} is not in the registry (nor in docs/dissection.md)", v.id)
                });
                seen.insert(field.path);
            }
        }
    }
    // And the corpus exercises most of the registry.
    let unused: Vec<&str> = registry::FIELDS.iter().map(|f| f.path).filter(|p| !seen.contains(*p)).collect();
    assert!(unused.len() < 10, "fields no vector has: {unused:?}");
}
