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

use crate::compare::{self, compare_frames, judge, Comparison, FieldGroup, KnownDifference, Outcome, Tally};
use crate::decoder::{DecodeOptions, Decoder, DecoderFailure};
use generator::dissection::{CaptureDissection, FrameDissection};
use generator::vectors::corpus::Expected;
use generator::vectors::manifest::{Entry, Manifest};
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
}

/// A corpus: `manifest.json` and the directory it lives in.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The directory holding `manifest.json`.
    pub root: PathBuf,
    /// The parsed manifest.
    pub manifest: Manifest,
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
    /// Loads `dir/manifest.json`.
    pub fn load(dir: &Path) -> Result<Corpus, RunError> {
        let path = dir.join("manifest.json");
        let bytes = std::fs::read(&path)
            .map_err(|e| RunError::Corpus(format!("cannot read {}: {e}", path.display())))?;
        let manifest: Manifest = serde_json::from_slice(&bytes)
            .map_err(|e| RunError::Corpus(format!("{} is not a vectors manifest: {e}", path.display())))?;
        Ok(Corpus { root: dir.to_path_buf(), manifest })
    }

    /// Every vector, in manifest order.
    pub fn vectors(&self) -> impl Iterator<Item = VectorRef<'_>> {
        self.manifest
            .groups
            .iter()
            .flat_map(|g| g.vectors.iter().map(move |entry| VectorRef { group: &g.name, entry }))
    }

    /// The expected dissection of a vector.
    pub fn expected(&self, entry: &Entry) -> Result<CaptureDissection, RunError> {
        let path = self.root.join(&entry.expected);
        let bytes = std::fs::read(&path)
            .map_err(|e| RunError::Corpus(format!("cannot read {}: {e}", path.display())))?;
        serde_json::from_slice(&bytes)
            .map_err(|e| RunError::Corpus(format!("{} is not an expected dissection: {e}", path.display())))
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
    /// Known differences to list rather than fail; `None`: those of the
    /// decoder's name ([`compare::known_differences`]).
    pub known: Option<Vec<KnownDifference>>,
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
    /// The outcome.
    pub outcome: Outcome,
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
    /// Counts `outcomes`.
    pub fn of<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> Summary {
        let mut s = Summary::default();
        for o in outcomes {
            s.total += 1;
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

    /// Outcomes that fail the run.
    pub fn failed(&self) -> usize {
        self.fail + self.error + self.unexpected_pass
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
) -> Result<Vec<FrameDissection>, DecoderFailure> {
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
    // Expected files first: a broken corpus is a setup error, not a decoder's.
    let mut expected = Vec::with_capacity(selected.len());
    for v in &selected {
        expected.push(corpus.expected(v.entry)?.frames);
    }
    let known = opts.known.clone().unwrap_or_else(|| compare::known_differences(decoder.name()));

    let slots: Vec<Mutex<Option<VectorReport>>> = selected.iter().map(|_| Mutex::new(None)).collect();
    let not_found: Mutex<Option<String>> = Mutex::new(None);
    let work = |i: usize| {
        let v = &selected[i];
        let report = run_one(decoder, corpus, v, &expected[i], &known, opts);
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
    let summary = Summary::of(vectors.iter().map(|v| &v.outcome));
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

/// Runs one vector; returns its report and the decoder's failure, if any.
fn run_one(
    decoder: &dyn Decoder,
    corpus: &Corpus,
    v: &VectorRef<'_>,
    expected: &[FrameDissection],
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
        outcome: Outcome::Skipped,
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
        Ok(frames) => {
            let c = compare_frames(expected, &frames, known);
            let j = judge(e.result, expected, &c, opts.expect_fail.contains(&e.id));
            report.outcome = j.outcome;
            report.reasons = j.reasons;
            report.comparison = Some(c);
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
