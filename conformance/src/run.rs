//! The runner: loads the corpus, runs a decoder on each selected vector's
//! capture, compares, judges and collects a [`RunReport`].
//!
//! The runner never panics whatever the decoder does: a decoder that
//! crashes, hangs past the timeout, prints garbage or floods its output is
//! reported as [`Outcome::Error`] for each vector it touched (with the tail
//! of its standard error) and the run goes on. A decoder program that does
//! not exist stops the run with [`RunError::DecoderNotFound`] (exit status 2).
//!
//! ```
//! use conformance::decoder::by_name;
//! use conformance::run::{run, Corpus, RunOptions};
//!
//! let corpus = Corpus::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors").as_ref()).unwrap();
//! let opts = RunOptions { filter: vec!["vni-*".into()], ..RunOptions::default() };
//! let report = run(by_name("reference").unwrap().as_ref(), &corpus, &opts).unwrap();
//! assert_eq!(report.vectors.len(), 8);
//! assert_eq!(report.summary.failed(), 0);
//! assert_eq!(report.exit_code(), 0);
//! ```

use crate::compare::{judge, Comparison, FieldGroup, KnownDifference, Outcome, Reading, Tally};
use crate::decoder::{DecodeOptions, Decoded, Decoder, DecoderFailure};
use generator::dissection::CaptureDissection;
use generator::vectors::manifest::{sha256_hex, Entry, Expected, Manifest};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Why a run could not be carried out (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The corpus directory or its manifest is missing or unreadable.
    #[error("corpus: {0}")]
    Corpus(String),
    /// A skip or expect-fail list could not be read.
    #[error("{path}: {why}")]
    List {
        /// The list file.
        path: PathBuf,
        /// What went wrong.
        why: String,
    },
    /// The decoder's program does not exist.
    #[error("decoder {decoder}: program not found: {program}")]
    DecoderNotFound {
        /// The decoder's name.
        decoder: String,
        /// The program looked for.
        program: String,
    },
    /// The selection matched no vector.
    #[error("no vector matches the filter {0:?}")]
    NothingSelected(Vec<String>),
    /// A vector of the corpus is broken or unsafe to read: a path leaving
    /// the corpus, a file that is not a regular file, too large, or whose
    /// SHA-256 is not the manifest's.
    #[error("corpus vector {id}: {why}")]
    Vector {
        /// The vector's id.
        id: String,
        /// What is wrong.
        why: String,
    },
}

/// The largest capture or expected file the runner reads (64 MiB).
pub const MAX_CORPUS_FILE_BYTES: u64 = 64 << 20;

/// A corpus: `manifest.json`, the directory it lives in, and every vector's
/// expected readings, checked ([`Corpus::load`]).
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The directory holding `manifest.json`.
    pub root: PathBuf,
    /// The parsed manifest.
    pub manifest: Manifest,
    /// Each vector's readings, by id.
    readings: BTreeMap<String, Vec<Reading>>,
}

/// One vector of the corpus, with its group's name.
#[derive(Debug, Clone, Copy)]
pub struct VectorRef<'a> {
    /// The group's name.
    pub group: &'a str,
    /// The manifest entry.
    pub entry: &'a Entry,
}

impl Corpus {
    /// Loads `dir/manifest.json` and checks the whole corpus before anything
    /// runs: every vector names a subject; every file it names is a regular
    /// file inside `dir` (no absolute path, no `..`, no symlink leading out),
    /// at most [`MAX_CORPUS_FILE_BYTES`], with the manifest's SHA-256; every
    /// expected file is a dissection. Any breach is [`RunError::Vector`]
    /// naming the vector (exit status 2): a damaged corpus is never blamed
    /// on a decoder.
    pub fn load(dir: &Path) -> Result<Corpus, RunError> {
        let path = dir.join("manifest.json");
        let bytes = read_regular(&path, MAX_CORPUS_FILE_BYTES)
            .map_err(|e| RunError::Corpus(format!("cannot read {}: {e}", path.display())))?;
        let manifest: Manifest = serde_json::from_slice(&bytes)
            .map_err(|e| RunError::Corpus(format!("{} is not a vectors manifest: {e}", path.display())))?;
        let root = dir
            .canonicalize()
            .map_err(|e| RunError::Corpus(format!("cannot resolve {}: {e}", dir.display())))?;
        let mut readings = BTreeMap::new();
        for g in &manifest.groups {
            for e in &g.vectors {
                let bad = |why: String| RunError::Vector { id: e.id.clone(), why };
                if e.subject.is_empty() {
                    return Err(bad("the manifest names no subject (the fields the vector tests)".into()));
                }
                let capture =
                    confined(&root, &e.capture).map_err(|w| bad(format!("capture {:?}: {w}", e.capture)))?;
                let bytes = read_regular(&capture, MAX_CORPUS_FILE_BYTES)
                    .map_err(|w| bad(format!("capture {:?}: {w}", e.capture)))?;
                check_digest(&bytes, &e.sha256.capture)
                    .map_err(|w| bad(format!("capture {:?}: {w}", e.capture)))?;
                let mut files: Vec<(String, Vec<String>, &str, String)> =
                    vec![(String::new(), e.subject.clone(), e.expected.as_str(), e.sha256.expected.clone())];
                if !e.readings.is_empty() {
                    files = e
                        .readings
                        .iter()
                        .map(|r| (r.name.clone(), r.subject.clone(), r.expected.as_str(), r.sha256.clone()))
                        .collect();
                }
                if e.result == Expected::Acceptable && files.len() < 2 {
                    return Err(bad("an acceptable vector must name at least two readings".into()));
                }
                let mut list = Vec::new();
                for (name, subject, file, digest) in files {
                    let at = confined(&root, file).map_err(|w| bad(format!("expected {file:?}: {w}")))?;
                    let bytes = read_regular(&at, MAX_CORPUS_FILE_BYTES)
                        .map_err(|w| bad(format!("expected {file:?}: {w}")))?;
                    check_digest(&bytes, &digest).map_err(|w| bad(format!("expected {file:?}: {w}")))?;
                    let d: CaptureDissection = serde_json::from_slice(&bytes)
                        .map_err(|w| bad(format!("expected {file:?} is not a dissection: {w}")))?;
                    list.push(Reading { name, frames: d.frames, subject });
                }
                readings.insert(e.id.clone(), list);
            }
        }
        Ok(Corpus { root, manifest, readings })
    }

    /// The allowed readings of a vector (one for valid and invalid vectors).
    pub fn readings(&self, entry: &Entry) -> &[Reading] {
        self.readings.get(&entry.id).map(Vec::as_slice).unwrap_or_default()
    }

    /// Every vector, in manifest order.
    pub fn vectors(&self) -> impl Iterator<Item = VectorRef<'_>> {
        self.manifest
            .groups
            .iter()
            .flat_map(|g| g.vectors.iter().map(move |entry| VectorRef { group: &g.name, entry }))
    }

    /// The expected dissection of a vector (its first reading's).
    pub fn expected(&self, entry: &Entry) -> Result<CaptureDissection, RunError> {
        let frames = self.readings(entry).first().map(|r| r.frames.clone()).ok_or_else(|| {
            RunError::Vector { id: entry.id.clone(), why: "not in the loaded corpus".into() }
        })?;
        Ok(CaptureDissection {
            format_version: generator::dissection::FORMAT_VERSION,
            vector: Some(entry.id.clone()),
            capture: None,
            frames,
        })
    }

    /// The capture file of a vector.
    pub fn capture_path(&self, entry: &Entry) -> PathBuf {
        self.root.join(&entry.capture)
    }

    /// A manifest reference as text: `RFC 7348 (VXLAN), section 5, VXLAN Frame Format`.
    pub fn reference_text(&self, key: &str) -> String {
        match self.manifest.references.get(key) {
            Some(r) => match &r.clause {
                Some(c) => format!("{}, {c}", r.document),
                None => r.document.clone(),
            },
            None => key.to_owned(),
        }
    }
}

/// `rel` resolved inside `root` (canonical): relative, without `..`, and
/// still inside `root` once symlinks are followed.
fn confined(root: &Path, rel: &str) -> Result<PathBuf, String> {
    use std::path::Component;
    let p = Path::new(rel);
    if rel.is_empty()
        || p.is_absolute()
        || p.components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err("must be a relative path inside the corpus, without `..`".into());
    }
    let full = root.join(p);
    let real = full.canonicalize().map_err(|e| e.to_string())?;
    if !real.starts_with(root) {
        return Err(format!("leads out of the corpus (to {})", real.display()));
    }
    Ok(real)
}

/// Reads `path` if it is a regular file of at most `cap` bytes. The file is
/// opened without blocking (a FIFO put in its place cannot hang the run) and
/// checked after opening, so a swap between check and read changes nothing.
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > cap {
        return Err(format!("{} bytes, more than the {cap} a corpus file may hold", meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(cap + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > cap {
        return Err(format!("more than the {cap} bytes a corpus file may hold"));
    }
    Ok(bytes)
}

fn check_digest(bytes: &[u8], want: &str) -> Result<(), String> {
    let got = sha256_hex(bytes);
    if want.is_empty() {
        return Err("the manifest gives no SHA-256".into());
    }
    if !got.eq_ignore_ascii_case(want) {
        return Err(format!("SHA-256 is {got}, the manifest says {want}: the file was damaged or edited (regenerate with `vxgen corpus`)"));
    }
    Ok(())
}

/// Whether a vector is selected by `filters`: none given selects all; a
/// filter selects a vector when it names one of its flags (the manifest's
/// bug classes, e.g. `vni_byte_order`) or when it is a glob matching its id
/// or its group's name (`gbp-*`, `malformed`, `*ipv6*`).
///
/// ```
/// use conformance::run::{selects, Corpus};
///
/// let corpus = Corpus::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors").as_ref()).unwrap();
/// let count = |f: &str| corpus.vectors().filter(|v| selects(&[f.to_string()], v)).count();
/// assert_eq!(count("vni-0"), 1);
/// assert_eq!(count("gbp"), 10); // a group name
/// assert!(count("vni_byte_order") >= 1); // a flag
/// assert_eq!(count("no-such-*"), 0);
/// ```
pub fn selects(filters: &[String], v: &VectorRef<'_>) -> bool {
    filters.is_empty()
        || filters.iter().any(|f| {
            v.entry.flags.iter().any(|flag| flag == f)
                || glob::Pattern::new(f).is_ok_and(|p| p.matches(&v.entry.id) || p.matches(v.group))
        })
}

/// Reads a list of vector ids: one per line; blank lines and `#` comments
/// are ignored.
pub fn read_id_list(path: &Path) -> Result<BTreeSet<String>, RunError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| RunError::List { path: path.to_path_buf(), why: e.to_string() })?;
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Selection (see [`selects`]); empty: every vector.
    pub filter: Vec<String>,
    /// Vector ids not to run.
    pub skip: BTreeSet<String>,
    /// Vector ids expected to fail.
    pub expect_fail: BTreeSet<String>,
    /// Limits on each decoder invocation.
    pub decode: DecodeOptions,
    /// Vectors decoded at once (at least 1).
    pub jobs: usize,
    /// Known differences to list rather than fail; `None`: those the
    /// decoder declares ([`Decoder::known_differences`]).
    pub known: Option<Vec<KnownDifference>>,
    /// Vector groups, manifest flags or field groups (`gbp`) whose
    /// not-supported vectors do not fail the run.
    pub allow_unsupported: Vec<String>,
    /// Told of each vector judged (a progress bar, say).
    pub progress: Progress,
}

/// A hook told `(vectors done, vectors selected, id of the one just
/// judged)` after each vector of a run, from the worker threads; none by
/// default.
///
/// ```
/// use conformance::run::Progress;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
///
/// let seen = Arc::new(AtomicUsize::new(0));
/// let counter = Arc::clone(&seen);
/// let progress = Progress::new(move |_done, _total, _id| {
///     counter.fetch_add(1, Ordering::Relaxed);
/// });
/// progress.tell(1, 2, "vni-0");
/// assert_eq!(seen.load(Ordering::Relaxed), 1);
/// ```
#[derive(Clone, Default)]
pub struct Progress(Option<std::sync::Arc<ProgressFn>>);

type ProgressFn = dyn Fn(usize, usize, &str) + Send + Sync;

impl Progress {
    /// A hook calling `f`.
    pub fn new(f: impl Fn(usize, usize, &str) + Send + Sync + 'static) -> Progress {
        Progress(Some(std::sync::Arc::new(f)))
    }

    /// Tells the hook, if there is one.
    pub fn tell(&self, done: usize, total: usize, id: &str) {
        if let Some(f) = &self.0 {
            f(done, total, id);
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Progress(hook)" } else { "Progress(none)" })
    }
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            filter: Vec::new(),
            skip: BTreeSet::new(),
            expect_fail: BTreeSet::new(),
            decode: DecodeOptions::default(),
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            known: None,
            allow_unsupported: Vec::new(),
            progress: Progress::default(),
        }
    }
}

/// A decoder failure as reports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureReport {
    /// [`DecoderFailure::kind`].
    pub kind: &'static str,
    /// One line.
    pub message: String,
    /// The last lines of the decoder's standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stderr_tail: Option<String>,
}

impl From<&DecoderFailure> for FailureReport {
    fn from(f: &DecoderFailure) -> FailureReport {
        FailureReport {
            kind: f.kind(),
            message: f.to_string(),
            stderr_tail: f.stderr_tail().map(str::to_owned),
        }
    }
}

/// What happened to one vector.
#[derive(Debug, Clone, Serialize)]
pub struct VectorReport {
    /// The vector's id.
    pub id: String,
    /// Its group.
    pub group: String,
    /// The manifest's result.
    pub result: Expected,
    /// The manifest's description.
    pub description: String,
    /// The manifest's reason (for invalid and acceptable vectors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The clauses it cites, as text.
    pub references: Vec<String>,
    /// Its bug-class flags.
    pub flags: Vec<String>,
    /// The fields it tests (of the reading judged).
    pub subject: Vec<String>,
    /// The outcome.
    pub outcome: Outcome,
    /// The allowed reading it was read as (acceptable vectors), or the
    /// closest one when none matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
    /// A not-supported outcome the run allows (`--allow-unsupported`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allowed: bool,
    /// Why it is not a plain pass.
    pub reasons: Vec<String>,
    /// The field comparison, when the decoder ran.
    #[serde(skip)]
    pub comparison: Option<Comparison>,
    /// The decoder's failure, when it did not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<FailureReport>,
    /// Time spent decoding.
    #[serde(skip)]
    pub duration: Duration,
}

impl VectorReport {
    /// Verdict counts per field group (empty when the decoder did not run).
    pub fn tally(&self) -> BTreeMap<FieldGroup, Tally> {
        self.comparison.as_ref().map(Comparison::tally).unwrap_or_default()
    }
}

/// Counts of outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Vectors selected (skipped ones included).
    pub total: usize,
    /// [`Outcome::Pass`].
    pub pass: usize,
    /// [`Outcome::Fail`].
    pub fail: usize,
    /// [`Outcome::Acceptable`].
    pub acceptable: usize,
    /// [`Outcome::NotSupported`].
    pub not_supported: usize,
    /// Of those, the ones the run allows (`--allow-unsupported`).
    pub not_supported_allowed: usize,
    /// [`Outcome::Error`].
    pub error: usize,
    /// [`Outcome::ExpectedFail`].
    pub expected_fail: usize,
    /// [`Outcome::UnexpectedPass`].
    pub unexpected_pass: usize,
    /// [`Outcome::Skipped`].
    pub skipped: usize,
}

impl Summary {
    /// Counts the outcomes of `vectors`.
    pub fn of<'a>(vectors: impl IntoIterator<Item = &'a VectorReport>) -> Summary {
        let mut s = Summary::default();
        for v in vectors {
            let o = &v.outcome;
            s.total += 1;
            s.not_supported_allowed += usize::from(v.allowed && *o == Outcome::NotSupported);
            *match o {
                Outcome::Pass => &mut s.pass,
                Outcome::Fail => &mut s.fail,
                Outcome::Acceptable => &mut s.acceptable,
                Outcome::NotSupported => &mut s.not_supported,
                Outcome::Error => &mut s.error,
                Outcome::ExpectedFail => &mut s.expected_fail,
                Outcome::UnexpectedPass => &mut s.unexpected_pass,
                Outcome::Skipped => &mut s.skipped,
            } += 1;
        }
        s
    }

    /// Outcomes that fail the run: failures, errors, stale expect-fail
    /// entries, and not-supported vectors the run does not allow.
    pub fn failed(&self) -> usize {
        self.fail + self.error + self.unexpected_pass + self.not_supported - self.not_supported_allowed
    }

    /// Vectors that ran (not skipped).
    pub fn ran(&self) -> usize {
        self.total - self.skipped
    }
}

/// Everything a run found.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// The decoder's name.
    pub decoder: String,
    /// Its version, if known.
    pub decoder_version: Option<String>,
    /// The corpus directory.
    pub corpus: PathBuf,
    /// The filters in force.
    pub filter: Vec<String>,
    /// One report per selected vector, in manifest order.
    pub vectors: Vec<VectorReport>,
    /// Outcome counts.
    pub summary: Summary,
    /// Problems with the run's inputs that do not stop it (an id in the
    /// skip list that is not in the corpus, say).
    pub warnings: Vec<String>,
    /// Wall time of the run.
    #[serde(skip)]
    pub elapsed: Duration,
}

impl RunReport {
    /// 0 when nothing failed, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        i32::from(self.summary.failed() > 0)
    }

    /// Verdict counts per field group over the whole run.
    pub fn tally(&self) -> BTreeMap<FieldGroup, Tally> {
        let mut t: BTreeMap<FieldGroup, Tally> = BTreeMap::new();
        for v in &self.vectors {
            for (g, c) in v.tally() {
                t.entry(g).or_default().merge(&c);
            }
        }
        t
    }

    /// Vector groups in manifest order, with their reports.
    pub fn groups(&self) -> Vec<(&str, Vec<&VectorReport>)> {
        let mut out: Vec<(&str, Vec<&VectorReport>)> = Vec::new();
        for v in &self.vectors {
            match out.iter_mut().find(|(g, _)| *g == v.group) {
                Some((_, list)) => list.push(v),
                None => out.push((&v.group, vec![v])),
            }
        }
        out
    }
}

/// Decodes one capture, turning a panic of an in-process decoder into a failure.
fn decode_guarded(
    decoder: &dyn Decoder,
    capture: &Path,
    opts: &DecodeOptions,
) -> Result<Decoded, DecoderFailure> {
    match catch_unwind(AssertUnwindSafe(|| decoder.decode(capture, opts))) {
        Ok(r) => r,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".into());
            Err(DecoderFailure::Crashed { status: "panicked".into(), stderr_tail: what })
        }
    }
}

/// Runs `decoder` on the vectors of `corpus` that `opts` selects.
pub fn run(decoder: &dyn Decoder, corpus: &Corpus, opts: &RunOptions) -> Result<RunReport, RunError> {
    let started = Instant::now();
    let selected: Vec<VectorRef<'_>> = corpus.vectors().filter(|v| selects(&opts.filter, v)).collect();
    if selected.is_empty() {
        return Err(RunError::NothingSelected(opts.filter.clone()));
    }
    let mut warnings = Vec::new();
    let ids: BTreeSet<&str> = corpus.vectors().map(|v| v.entry.id.as_str()).collect();
    for (list, name) in [(&opts.skip, "skip"), (&opts.expect_fail, "expect-fail")] {
        for id in list.iter().filter(|id| !ids.contains(id.as_str())) {
            warnings.push(format!("the {name} list names {id:?}, which is not in the corpus"));
        }
    }
    let known = opts.known.clone().unwrap_or_else(|| decoder.known_differences());

    let slots: Vec<Mutex<Option<VectorReport>>> = selected.iter().map(|_| Mutex::new(None)).collect();
    let not_found: Mutex<Option<String>> = Mutex::new(None);
    let done = AtomicUsize::new(0);
    let work = |i: usize| {
        let v = &selected[i];
        let report = run_one(decoder, corpus, v, &known, opts);
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        opts.progress.tell(n, selected.len(), &v.entry.id);
        if let Some(DecoderFailure::NotFound { program }) = &report.1 {
            *not_found.lock().unwrap_or_else(|p| p.into_inner()) = Some(program.clone());
        }
        *slots[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(report.0);
    };
    // The first vector alone: a missing program stops the run before it starts.
    work(0);
    if let Some(program) = not_found.lock().unwrap_or_else(|p| p.into_inner()).take() {
        return Err(RunError::DecoderNotFound { decoder: decoder.name().to_owned(), program });
    }
    let next = AtomicUsize::new(1);
    let worker = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= selected.len() {
            break;
        }
        work(i);
    };
    std::thread::scope(|s| {
        // A thread the system refuses (EAGAIN under load) is one worker
        // fewer, not a panic as with `Scope::spawn`; with none, this one works.
        let started = (0..opts.jobs.clamp(1, 64))
            .filter(|_| std::thread::Builder::new().spawn_scoped(s, worker).is_ok())
            .count();
        if started == 0 {
            worker();
        }
    });
    if let Some(program) = not_found.lock().unwrap_or_else(|p| p.into_inner()).take() {
        return Err(RunError::DecoderNotFound { decoder: decoder.name().to_owned(), program });
    }
    let vectors: Vec<VectorReport> =
        slots.into_iter().filter_map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner())).collect();
    let summary = Summary::of(&vectors);
    Ok(RunReport {
        decoder: decoder.name().to_owned(),
        decoder_version: decoder.version(),
        corpus: corpus.root.clone(),
        filter: opts.filter.clone(),
        vectors,
        summary,
        warnings,
        elapsed: started.elapsed(),
    })
}

/// Whether a not-supported vector is allowed by `allow`: it names the
/// vector's group, one of its flags, or a field group all its subject
/// fields belong to.
pub fn allows_unsupported(allow: &[String], v: &VectorRef<'_>, subject: &[String]) -> bool {
    allow.iter().any(|a| {
        a == v.group
            || v.entry.flags.iter().any(|f| f == a)
            || (!subject.is_empty() && subject.iter().all(|s| FieldGroup::of(s).name() == a))
    })
}

/// Runs one vector; returns its report and the decoder's failure, if any.
fn run_one(
    decoder: &dyn Decoder,
    corpus: &Corpus,
    v: &VectorRef<'_>,
    known: &[KnownDifference],
    opts: &RunOptions,
) -> (VectorReport, Option<DecoderFailure>) {
    let e = v.entry;
    let mut report = VectorReport {
        id: e.id.clone(),
        group: v.group.to_owned(),
        result: e.result,
        description: e.description.clone(),
        reason: e.reason.clone(),
        references: e.references.iter().map(|r| corpus.reference_text(r)).collect(),
        flags: e.flags.clone(),
        subject: e.subject.clone(),
        outcome: Outcome::Skipped,
        reading: None,
        allowed: false,
        reasons: Vec::new(),
        comparison: None,
        failure: None,
        duration: Duration::ZERO,
    };
    if opts.skip.contains(&e.id) {
        report.reasons.push("listed in the skip file".into());
        return (report, None);
    }
    let started = Instant::now();
    let decoded = decode_guarded(decoder, &corpus.capture_path(e), &opts.decode);
    report.duration = started.elapsed();
    match decoded {
        Ok(got) => {
            let readings = corpus.readings(e);
            let j = judge(e.result, readings, &got, known, opts.expect_fail.contains(&e.id));
            if let Some(r) = readings.iter().find(|r| Some(&r.name) == j.reading.as_ref()) {
                report.subject = r.subject.clone();
            }
            report.outcome = j.outcome;
            report.reading = j.reading;
            report.reasons = j.reasons;
            report.allowed = j.outcome == Outcome::NotSupported
                && allows_unsupported(&opts.allow_unsupported, v, &report.subject);
            report.comparison = Some(j.comparison);
            (report, None)
        }
        Err(f) => {
            report.outcome =
                if opts.expect_fail.contains(&e.id) { Outcome::ExpectedFail } else { Outcome::Error };
            report.reasons.push(f.to_string());
            report.failure = Some(FailureReport::from(&f));
            (report, Some(f))
        }
    }
}
