//! The named test-vector corpus in `vectors/`: captures, their expected
//! dissections and a manifest, rebuilt byte for byte by `vxgen corpus`.
//!
//! * [`builder`]: one frame specification in, its bytes and expected
//!   [`FrameDissection`](crate::dissection::FrameDissection) out, from the
//!   same `Repr`s.
//! * [`inner`]: the mirrored frames (TCP, UDP, ICMP; TLS, HTTP, DNS
//!   payloads from [`crate::traffic::app`]) and their application facts.
//! * [`corpus`]: every vector, by group.
//! * [`manifest`]: `manifest.json`, in the manner of Wycheproof.
//! * [`random`]: random cases for `vxconform fuzz`, drawn from a seed,
//!   shrunk, and written as corpus directories ([`build_files`],
//!   [`write_tree`]).
//!
//! ```
//! use generator::vectors::{build_corpus, build_vector, corpus};
//!
//! let v = corpus::vectors().into_iter().find(|v| v.id == "vni-9999999").unwrap();
//! let built = build_vector(&v);
//! assert_eq!(built.dissection.frames[0].vxlan.as_ref().unwrap().vni, Some(9_999_999));
//! assert_eq!(&built.capture[..4], &[0xd4, 0xc3, 0xb2, 0xa1]); // classic pcap, little-endian
//!
//! let files = build_corpus();
//! assert!(files.iter().any(|f| f.path == "manifest.json"));
//! assert!(files.iter().any(|f| f.path == "vni/vni-9999999.pcap"));
//! ```

pub mod builder;
pub mod corpus;
pub mod inner;
pub mod manifest;
pub mod random;

use crate::capture::{CaptureWriter, Format, Record, DEFAULT_SNAPLEN};
use crate::dissection::{CaptureDissection, FORMAT_VERSION};
use crate::mirror::session::Mirror;
use corpus::Vector;
use manifest::CaptureFormat;
use std::io;
use std::path::{Path, PathBuf};

/// The JSON Schema of expected dissections (docs/dissection.schema.json),
/// shipped in the corpus as `schemas/dissection.schema.json`.
pub const DISSECTION_SCHEMA: &str = include_str!("../../../docs/dissection.schema.json");

/// The JSON Schema of the manifest (docs/manifest.schema.json), shipped as
/// `schemas/manifest.schema.json`.
pub const MANIFEST_SCHEMA: &str = include_str!("../../../docs/manifest.schema.json");

/// Frames of a vector are 1 ms apart from 2024-01-15T09:00:00Z.
pub const FRAME_SPACING_NS: u64 = 1_000_000;

/// One file of the corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusFile {
    /// Path relative to the corpus root, `/`-separated.
    pub path: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// A vector built: its capture and expected dissection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltVector {
    /// The capture file (classic pcap unless the vector's format says otherwise).
    pub capture: Vec<u8>,
    /// The expected dissection.
    pub dissection: CaptureDissection,
}

/// Builds one vector.
pub fn build_vector(v: &Vector) -> BuiltVector {
    let snaplen = v.snaplen.unwrap_or(DEFAULT_SNAPLEN);
    let mut writer = match v.format {
        CaptureFormat::Pcap => CaptureWriter::new(Vec::new(), Format::Pcap, snaplen),
        CaptureFormat::PcapNs => CaptureWriter::new(Vec::new(), Format::PcapNanos, snaplen),
        CaptureFormat::PcapBe => CaptureWriter::new_classic_big_endian(Vec::new(), false, snaplen),
        CaptureFormat::PcapNg => CaptureWriter::new(Vec::new(), Format::PcapNg, snaplen),
    }
    .expect("valid snaplen");
    let mut frames = Vec::with_capacity(v.frames.len());
    for (i, spec) in v.frames.iter().enumerate() {
        let mut built = spec.build(i as u32 + 1, v.snaplen);
        built.timestamp_ns = Mirror::DEFAULT_START_NS + FRAME_SPACING_NS * i as u64;
        // pcapng records carry a comment (classic pcap has no room for one).
        let comment = format!("vxgen corpus {} frame {}", v.id, i + 1);
        writer
            .write(&Record {
                timestamp_ns: built.timestamp_ns,
                data: &built.bytes,
                orig_len: built.bytes.len() as u32,
                comment: (v.format == CaptureFormat::PcapNg).then_some(comment.as_str()),
                direction: None,
            })
            .expect("writing to memory");
        frames.push(built.dissection);
    }
    let capture = writer.finish().expect("writing to memory");
    let file = manifest::capture_path(v);
    let name = file.rsplit('/').next().unwrap_or(&file).to_owned();
    BuiltVector {
        capture,
        dissection: CaptureDissection {
            format_version: FORMAT_VERSION,
            vector: Some(v.id.clone()),
            capture: Some(name),
            frames,
        },
    }
}

/// Pretty JSON with a final newline: the corpus's text format.
pub fn to_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("serializable");
    bytes.push(b'\n');
    bytes
}

/// Every file of the corpus, in a fixed order: README, manifest, schemas,
/// then each vector's capture and expected dissection.
pub fn build_corpus() -> Vec<CorpusFile> {
    build_files(corpus::GROUPS, &corpus::vectors())
}

/// The files of a corpus holding `vectors` in `groups`, in the order of
/// [`build_corpus`]: README, manifest, schemas, then each vector's capture,
/// expected dissection and further readings. `vxconform fuzz` writes its
/// shrunk cases with it, so that `vxconform run --vectors DIR` loads them
/// as it loads `vectors/`.
pub fn build_files(groups: &[corpus::Group], vectors: &[Vector]) -> Vec<CorpusFile> {
    let mut vector_files = Vec::new();
    for v in vectors {
        let built = build_vector(v);
        vector_files.push(CorpusFile { path: manifest::capture_path(v), bytes: built.capture });
        vector_files.push(CorpusFile { path: manifest::expected_path(v), bytes: to_json(&built.dissection) });
        for r in v.readings.iter().skip(1) {
            vector_files.push(CorpusFile {
                path: manifest::reading_path(v, r.name),
                bytes: to_json(&r.kind.apply(&built.dissection)),
            });
        }
    }
    let digests: std::collections::HashMap<&str, String> =
        vector_files.iter().map(|f| (f.path.as_str(), manifest::sha256_hex(&f.bytes))).collect();
    let manifest = manifest::build(groups, vectors, &|path| digests.get(path).cloned().unwrap_or_default());
    let mut files = vec![
        CorpusFile { path: "README.md".into(), bytes: readme(&manifest).into_bytes() },
        CorpusFile { path: "manifest.json".into(), bytes: to_json(&manifest) },
        CorpusFile {
            path: "schemas/dissection.schema.json".into(),
            bytes: DISSECTION_SCHEMA.as_bytes().to_vec(),
        },
        CorpusFile {
            path: "schemas/manifest.schema.json".into(),
            bytes: MANIFEST_SCHEMA.as_bytes().to_vec(),
        },
    ];
    files.extend(vector_files);
    files
}

fn readme(m: &manifest::Manifest) -> String {
    let mut s = String::from(
        "# vectors/\n\n\
         Test vectors for VXLAN as AWS VPC Traffic Mirroring emits it. Generated by\n\
         `vxgen corpus --out vectors/`; do not edit by hand (a test fails if these\n\
         files differ from a fresh regeneration).\n\n\
         * `manifest.json`: every vector with its files, description, the clauses it\n\
         \x20 exercises, the bug classes it catches and its result (`valid`, `invalid`,\n\
         \x20 `acceptable`). Documented in docs/manifest.md.\n\
         * `<group>/<id>.pcap`: the capture (classic pcap, Ethernet, microseconds; the\n\
         \x20 `capture-format` group also holds big-endian and nanosecond pcap and\n\
         \x20 `<id>.pcapng`: each entry's `format` says which).\n\
         * `<group>/<id>.json`: the expected dissection of every frame. Documented in\n\
         \x20 docs/dissection.md; fields absent from it were not captured.\n\
         * `schemas/`: the JSON Schemas of both.\n\n\
         | group | vectors | tests |\n|---|---|---|\n",
    );
    for g in &m.groups {
        s.push_str(&format!("| `{}` | {} | {} |\n", g.name, g.vectors.len(), g.description));
    }
    s.push_str(&format!("\n{} vectors in all.\n", m.number_of_vectors));
    s
}

/// What [`write_corpus`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CorpusSummary {
    /// Vectors written.
    pub vectors: usize,
    /// Files written.
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
}

/// Why the corpus could not be written.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// An I/O error on a path.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// The output exists and is not a directory.
    #[error("{0}: exists and is not a directory")]
    NotADirectory(PathBuf),
    /// The output is a non-empty directory that is not a vxgen corpus.
    #[error(
        "{0}: not empty and not a vxgen corpus (no manifest.json from vxgen); use --force to replace it"
    )]
    NotEmpty(PathBuf),
    /// The output is a directory that is never replaced.
    #[error("{0}: refusing to replace a directory that holds .git or is the current directory")]
    Protected(PathBuf),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> CorpusError + '_ {
    move |source| CorpusError::Io { path: path.to_owned(), source }
}

/// Whether `dir` holds a corpus written by vxgen (its manifest names [`manifest::GENERATOR`]).
pub fn is_corpus(dir: &Path) -> bool {
    std::fs::read(dir.join("manifest.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|m| m["generator"] == manifest::GENERATOR)
}

/// Writes the whole corpus to `dir`, atomically: it is built in memory,
/// written into a fresh sibling directory, and swapped into place with two
/// renames, so a failure at any point leaves the old corpus intact.
///
/// `dir` may be missing, empty, or hold a corpus written by vxgen (it is
/// then replaced: regeneration); any other non-empty directory is refused
/// unless `force`. A directory holding `.git`, and the current directory,
/// are never replaced.
pub fn write_corpus(dir: &Path, force: bool) -> Result<CorpusSummary, CorpusError> {
    write_tree(dir, &build_corpus, force)
}

/// Writes the files `build` returns to `dir` as [`write_corpus`] does:
/// atomically (a fresh sibling directory swapped into place), refusing a
/// non-empty directory that is not a vxgen corpus unless `force`, never
/// replacing a directory that holds `.git` or is the current directory.
/// `build` runs only once `dir` has been found acceptable.
pub fn write_tree(
    dir: &Path,
    build: &dyn Fn() -> Vec<CorpusFile>,
    force: bool,
) -> Result<CorpusSummary, CorpusError> {
    let exists = match std::fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => true,
        Ok(_) => return Err(CorpusError::NotADirectory(dir.to_owned())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(io_err(dir)(e)),
    };
    if exists {
        let empty = std::fs::read_dir(dir).map_err(io_err(dir))?.next().is_none();
        let cwd = std::env::current_dir().ok().and_then(|c| c.canonicalize().ok());
        if dir.join(".git").exists() || cwd.is_some_and(|c| dir.canonicalize().is_ok_and(|d| d == c)) {
            return Err(CorpusError::Protected(dir.to_owned()));
        }
        if !empty && !force && !is_corpus(dir) {
            return Err(CorpusError::NotEmpty(dir.to_owned()));
        }
    }
    let files = build();
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    let staging =
        tempfile::Builder::new().prefix(".vxgen-corpus-new-").tempdir_in(&parent).map_err(io_err(&parent))?;
    let mut bytes = 0u64;
    for f in &files {
        let path = staging.path().join(&f.path);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(io_err(p))?;
        }
        std::fs::write(&path, &f.bytes).map_err(io_err(&path))?;
        bytes += f.bytes.len() as u64;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(staging.path(), std::fs::Permissions::from_mode(0o755))
            .map_err(io_err(staging.path()))?;
    }
    let staged = staging.keep();
    if exists {
        let old = tempfile::Builder::new()
            .prefix(".vxgen-corpus-old-")
            .tempdir_in(&parent)
            .map_err(io_err(&parent))?;
        let aside = old.path().join("corpus");
        if let Err(e) = std::fs::rename(dir, &aside) {
            let _ = std::fs::remove_dir_all(&staged);
            return Err(io_err(dir)(e));
        }
        if let Err(e) = std::fs::rename(&staged, dir) {
            let _ = std::fs::rename(&aside, dir);
            let _ = std::fs::remove_dir_all(&staged);
            return Err(io_err(dir)(e));
        }
        drop(old); // removes the previous corpus
    } else if let Err(e) = std::fs::rename(&staged, dir) {
        let _ = std::fs::remove_dir_all(&staged);
        return Err(io_err(dir)(e));
    }
    let vectors = files.iter().filter(|f| f.path.ends_with(".pcap") || f.path.ends_with(".pcapng")).count();
    Ok(CorpusSummary { vectors, files: files.len(), bytes })
}

/// Compares the corpus in `dir` with a fresh build; returns a description of
/// the first difference (a file that differs, is missing, or is extra), or
/// `None` when they are identical.
pub fn diff_corpus(dir: &Path) -> io::Result<Option<String>> {
    let files = build_corpus();
    for f in &files {
        match std::fs::read(dir.join(&f.path)) {
            Ok(b) if b == f.bytes => {}
            Ok(b) => {
                let at =
                    b.iter().zip(&f.bytes).position(|(x, y)| x != y).unwrap_or(b.len().min(f.bytes.len()));
                return Ok(Some(format!(
                    "{} differs from a fresh build (first at byte {at}; {} bytes on disk, {} built)",
                    f.path,
                    b.len(),
                    f.bytes.len()
                )));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(Some(format!("{} is missing", f.path)));
            }
            Err(e) => return Err(e),
        }
    }
    let mut on_disk = Vec::new();
    list_files(dir, dir, &mut on_disk)?;
    on_disk.sort();
    if let Some(extra) = on_disk.iter().find(|p| !files.iter().any(|f| &f.path == *p)) {
        return Ok(Some(format!("{extra} is not part of the corpus")));
    }
    Ok(None)
}

fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            list_files(root, &path, out)?;
        } else {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            out.push(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"));
        }
    }
    Ok(())
}
