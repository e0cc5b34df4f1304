//! `vxconform fuzz`: random cases from a seed, judged by the one judge
//! ([`crate::compare::judge`]), the smallest failing case of each new
//! failure signature written as a corpus directory.
//!
//! * Cases come from [`generator::vectors::random`]: case *i* of seed *s*
//!   is [`Case::draw`]`(s, i)`, whatever `--jobs` or the machine; the
//!   expected dissection is the builder's, from the `Repr`s.
//! * Cases are packed [`FuzzOptions::frames_per_capture`] to a capture
//!   (frame *k* of the capture is one case), handed to the decoder in one
//!   call ([`Decoder::decode_in_memory`]: in memory for the reference
//!   decoder, a temporary file for the others, and a batch decoder answers
//!   all of them in one process). A capture the decoder fails on is
//!   decoded again case by case, so that a crash is blamed on its case.
//! * A decoder's frame equal to a reading's frame is a pass (the judge
//!   would find every leaf matching); any other goes to the judge.
//! * Each failing case yields [`Signature`]s (a field path and a
//!   [`BugClass`]); the first case of each signature not in the known list
//!   is shrunk ([`shrink`]) and written ([`output`]).
//!
//! ```
//! use conformance::decoder::by_name;
//! use conformance::fuzz::{fuzz, FuzzOptions};
//!
//! let reference = by_name("reference").unwrap();
//! let report = fuzz(reference.as_ref(), &FuzzOptions { cases: Some(500), ..FuzzOptions::default() }, &|_| {}).unwrap();
//! assert_eq!(report.cases, 500);
//! assert!(report.signatures.is_empty(), "{:?}", report.signatures);
//! ```

use crate::compare::{judge, KnownDifference, Reading};
use crate::decoder::{DecodeOptions, Decoded, Decoder, DecoderFailure};
use generator::capture::{CaptureWriter, Format, Record, DEFAULT_SNAPLEN};
use generator::dissection::{CaptureDissection, FrameDissection, FORMAT_VERSION};
use generator::mirror::session::Mirror;
use generator::vectors::builder::BuiltFrame;
use generator::vectors::random::{Case, Meaning};
use generator::vectors::FRAME_SPACING_NS;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub mod output;
pub mod report;
pub mod shrink;
pub mod signature;

pub use signature::{BugClass, Signature};

/// What to fuzz and how.
#[derive(Debug, Clone)]
pub struct FuzzOptions {
    /// The seed of the cases.
    pub seed: u64,
    /// Run this many cases (the default without `time`: 10,000).
    pub cases: Option<u64>,
    /// Or run for this long.
    pub time: Option<Duration>,
    /// Worker threads (each with its own decoder call in flight).
    pub jobs: usize,
    /// Cases per capture handed to the decoder.
    pub frames_per_capture: usize,
    /// Count only signatures these field groups or paths select
    /// ([`Signature::selected_by`]); empty: all.
    pub filter: Vec<String>,
    /// Signatures already known: counted, not shrunk, not failing the run.
    pub known: BTreeSet<Signature>,
    /// Limits on each decoder call.
    pub decode: DecodeOptions,
    /// Decoder calls one shrink may make at most.
    pub shrink_budget: usize,
    /// Where to write the shrunk vectors (nothing is written without it).
    pub out: Option<PathBuf>,
    /// Replace `out` even if it is not a fuzz output.
    pub force: bool,
}

impl Default for FuzzOptions {
    fn default() -> FuzzOptions {
        FuzzOptions {
            seed: 1,
            cases: None,
            time: None,
            jobs: 1,
            frames_per_capture: 64,
            filter: Vec::new(),
            known: BTreeSet::new(),
            decode: DecodeOptions::default(),
            shrink_budget: 2000,
            out: None,
            force: false,
        }
    }
}

/// The default number of cases without `--cases` or `--time`.
pub const DEFAULT_CASES: u64 = 10_000;

/// How far a run has got, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Cases judged so far.
    pub cases: u64,
    /// The cases to run, when counted (not with `time`).
    pub total: Option<u64>,
    /// Cases that failed so far (known signatures included).
    pub failures: u64,
    /// Shrinking: signatures shrunk so far of how many.
    pub shrinking: Option<(usize, usize)>,
}

/// One distinct failure signature of a run.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureReport {
    /// The signature.
    pub signature: Signature,
    /// Cases that showed it.
    pub count: u64,
    /// In the known list: counted, not shrunk.
    pub known: bool,
    /// The first case (lowest index) that showed it.
    pub first_case: u64,
    /// The judge's first reason on the shrunk case (or the first case).
    pub reason: String,
    /// The shrunk case, when shrunk.
    pub shrunk: Option<shrink::Shrunk>,
    /// The shrunk vector's capture, when written.
    pub capture: Option<PathBuf>,
}

/// What a fuzz run found.
#[derive(Debug, Clone, Serialize)]
pub struct FuzzReport {
    /// The decoder's name.
    pub decoder: String,
    /// The seed.
    pub seed: u64,
    /// Cases judged.
    pub cases: u64,
    /// Cases that failed (known signatures included).
    pub failed_cases: u64,
    /// Seconds spent judging cases (shrinking not counted).
    pub elapsed_secs: f64,
    /// Of which the decoder's own calls, summed over jobs.
    pub decoder_secs: f64,
    /// Cases judged per second.
    pub cases_per_sec: f64,
    /// Every distinct signature, new ones first, then by count.
    pub signatures: Vec<SignatureReport>,
    /// The corpus directory written, if any.
    pub out: Option<PathBuf>,
}

impl FuzzReport {
    /// Signatures not in the known list.
    pub fn new_signatures(&self) -> impl Iterator<Item = &SignatureReport> {
        self.signatures.iter().filter(|s| !s.known)
    }

    /// 1 when a signature not in the known list was found, else 0.
    pub fn exit_code(&self) -> i32 {
        i32::from(self.new_signatures().next().is_some())
    }
}

/// Why a fuzz run could not be done.
#[derive(Debug, thiserror::Error)]
pub enum FuzzError {
    /// The decoder program does not exist.
    #[error("decoder {decoder}: program not found: {program}")]
    DecoderNotFound {
        /// The decoder.
        decoder: String,
        /// The program.
        program: String,
    },
    /// Writing the shrunk vectors failed.
    #[error("{0}")]
    Output(String),
    /// The options do not make sense.
    #[error("{0}")]
    Usage(String),
}

/// A case ready to judge: its frame (numbered as in its capture) and its readings.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Its index in the seed's sequence.
    pub index: u64,
    /// The case.
    pub case: Case,
    /// Its frame as built.
    pub frame: BuiltFrame,
    /// Valid, invalid or acceptable, with its subject.
    pub meaning: Meaning,
    /// Its readings, with frame numbers as in its capture.
    pub readings: Vec<Reading>,
}

impl Prepared {
    /// `case` as frame `number` of a capture.
    pub fn new(index: u64, case: Case, number: u32) -> Prepared {
        let mut frame = case.frame_spec().build(number, None);
        frame.timestamp_ns = Mirror::DEFAULT_START_NS + FRAME_SPACING_NS * u64::from(number - 1);
        let meaning = case.meaning();
        let readings = readings_of(&meaning, &frame.dissection);
        Prepared { index, case, frame, meaning, readings }
    }
}

/// The readings of a case whose frame dissects as `built`, as the corpus
/// writer derives them ([`generator::vectors::manifest::ReadingKind::apply`]).
pub fn readings_of(meaning: &Meaning, built: &FrameDissection) -> Vec<Reading> {
    if meaning.readings.is_empty() {
        return vec![Reading::single(vec![built.clone()], &meaning.subject)];
    }
    let one = CaptureDissection {
        format_version: FORMAT_VERSION,
        vector: None,
        capture: None,
        frames: vec![built.clone()],
    };
    meaning
        .readings
        .iter()
        .map(|r| Reading {
            name: r.name.to_owned(),
            frames: r.kind.apply(&one).frames,
            subject: r.subject.iter().map(|s| (*s).to_owned()).collect(),
        })
        .collect()
}

/// A classic pcap holding `frames` in order.
pub fn capture_of<'a>(frames: impl IntoIterator<Item = &'a BuiltFrame>) -> Vec<u8> {
    let mut w = CaptureWriter::new(Vec::new(), Format::Pcap, DEFAULT_SNAPLEN).expect("valid snaplen");
    for f in frames {
        w.write(&Record {
            timestamp_ns: f.timestamp_ns,
            data: &f.bytes[..f.captured_len],
            orig_len: f.bytes.len() as u32,
            comment: None,
            direction: None,
        })
        .expect("writing to memory");
    }
    w.finish().expect("writing to memory")
}

/// The verdict on one case.
#[derive(Debug, Clone)]
pub struct CaseVerdict {
    /// Its signatures (empty: it passed), after the filter, the primary
    /// (most telling, [`signature::of_judgement`]) first.
    pub signatures: Vec<Signature>,
    /// The judge's first reason, for reports.
    pub reason: String,
}

/// Judges `p` on what the decoder reported for its frame number.
///
/// The case passes when the judge says pass or acceptable. A failing
/// acceptable case (no reading matched) is described against its first
/// reading, the dissection as built, rather than against whichever reading
/// the judge found closest: its signatures then say how the decoder's
/// reading differs from what was sent.
pub fn judge_case(p: &Prepared, got: &Decoded, known: &[KnownDifference], filter: &[String]) -> CaseVerdict {
    // A decoder's frame equal, field for field, to a reading's frame is a
    // pass whatever the judge would weigh (every leaf matches, nothing is
    // missing, extra or unexpected): skip flattening both then. Anything
    // else goes to the judge.
    if got.problems.is_empty() && p.readings.iter().any(|r| r.frames == got.frames) {
        return CaseVerdict { signatures: Vec::new(), reason: String::new() };
    }
    let mut j = judge(p.meaning.result, &p.readings, got, known, false);
    let mut readings = p.readings.as_slice();
    if !j.outcome.counts_as_passed() && readings.len() > 1 {
        readings = &readings[..1];
        j = judge(p.meaning.result, readings, got, known, false);
    }
    let mut signatures = signature::of_judgement(&j, readings);
    if !filter.is_empty() {
        signatures.retain(|s| filter.iter().any(|f| s.selected_by(f)));
    }
    // The reason naming the first signature's field, else the first one.
    let reason = signatures
        .first()
        .and_then(|s| j.reasons.iter().find(|r| r.contains(&format!(" {}:", s.path)) || r.contains(&s.path)))
        .or_else(|| j.reasons.first())
        .cloned()
        .unwrap_or_default();
    CaseVerdict { signatures, reason }
}

/// The decoder's frames and problems for frame `number` alone.
fn part(got: &Decoded, number: u32) -> Decoded {
    Decoded {
        frames: got.frames.iter().filter(|f| f.frame.number == number).cloned().collect(),
        problems: got.problems.iter().filter(|p| p.frame.map_or(true, |n| n == number)).cloned().collect(),
    }
}

/// What one decoder call (or, after a failure, the calls on its cases one
/// by one) said about cases packed in one capture.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// Each case's verdict.
    pub verdicts: Vec<CaseVerdict>,
    /// The decoder failed on the capture although no case fails alone (it
    /// crashes on the third frame, say): the failure is the capture's.
    pub capture_failure: Option<CaseVerdict>,
    /// Time spent in the decoder.
    pub spent: Duration,
}

impl Evaluation {
    /// Whether it shows `signature`: as the capture's failure, or as some
    /// case's primary signature.
    pub fn shows(&self, signature: &Signature) -> bool {
        self.capture_failure.as_ref().is_some_and(|v| v.signatures.first() == Some(signature))
            || self.verdicts.iter().any(|v| v.signatures.first() == Some(signature))
    }
}

/// Decodes and judges `cases` packed in one capture. A capture the decoder
/// fails on is decoded again one case per capture when `split` (its first
/// [`SPLIT_LIMIT`] cases; the rest get the failure), so that the failure is
/// blamed on the case that causes it (or, when none fails alone, on the
/// capture); without `split` every case of it gets the failure.
pub fn evaluate(
    decoder: &dyn Decoder,
    cases: &[Prepared],
    known: &[KnownDifference],
    opts: &FuzzOptions,
    split: bool,
) -> Result<Evaluation, FuzzError> {
    let capture = capture_of(cases.iter().map(|p| &p.frame));
    let t = Instant::now();
    let got = decoder.decode_in_memory(&capture, &opts.decode);
    let mut spent = t.elapsed();
    let failed = |f: &DecoderFailure| CaseVerdict {
        signatures: vec![signature::of_failure(f)],
        reason: f.to_string(),
    };
    match got {
        Ok(got) => {
            let verdicts = cases
                .iter()
                .map(|p| judge_case(p, &part(&got, p.frame.dissection.frame.number), known, &opts.filter))
                .collect();
            Ok(Evaluation { verdicts, capture_failure: None, spent })
        }
        Err(DecoderFailure::NotFound { program }) => {
            Err(FuzzError::DecoderNotFound { decoder: decoder.name().to_owned(), program })
        }
        Err(f) if cases.len() == 1 || !split => Ok(Evaluation {
            verdicts: cases.iter().map(|_| failed(&f)).collect(),
            capture_failure: None,
            spent,
        }),
        Err(f) => {
            // Case by case, up to SPLIT_LIMIT of them: the rest get the failure.
            let mut verdicts = Vec::with_capacity(cases.len());
            for p in cases.iter().take(SPLIT_LIMIT as usize) {
                let alone = Prepared::new(p.index, p.case.clone(), 1);
                let e = evaluate(decoder, std::slice::from_ref(&alone), known, opts, true)?;
                spent += e.spent;
                verdicts.extend(e.verdicts);
            }
            verdicts.extend(cases.iter().skip(SPLIT_LIMIT as usize).map(|_| failed(&f)));
            let blamed = verdicts
                .iter()
                .take(SPLIT_LIMIT as usize)
                .any(|v| v.signatures.first().is_some_and(|s| s.class == BugClass::DecoderError));
            let capture_failure = (!blamed).then(|| failed(&f));
            Ok(Evaluation { verdicts, capture_failure, spent })
        }
    }
}

/// After this many cases blamed for decoder failures, a capture the decoder
/// fails on is no longer decoded again case by case: its cases are all
/// counted under the failure (a decoder that fails on everything would
/// otherwise cost a process per case).
pub const SPLIT_LIMIT: u64 = 16;

/// Where a signature was first seen.
#[derive(Debug, Clone)]
struct Seen {
    count: u64,
    first: u64,
    /// Cases of the capture it needs (1 for a case's own failure).
    span: u64,
    reason: String,
}

#[derive(Default)]
struct Tally {
    failures: u64,
    seen: BTreeMap<Signature, Seen>,
}

impl Tally {
    fn add(&mut self, s: &Signature, first: u64, span: u64, reason: &str) {
        let e =
            self.seen.entry(s.clone()).or_insert(Seen { count: 0, first, span, reason: reason.to_owned() });
        e.count += 1;
        if first < e.first {
            (e.first, e.span, e.reason) = (first, span, reason.to_owned());
        }
    }
}

/// Runs `decoder` over the cases `opts` asks for, shrinks the first case of
/// each new signature, writes them to `opts.out`, and reports. `progress` is
/// called after each capture and each shrink.
pub fn fuzz(
    decoder: &dyn Decoder,
    opts: &FuzzOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<FuzzReport, FuzzError> {
    if opts.frames_per_capture == 0 || opts.frames_per_capture > 65_535 {
        return Err(FuzzError::Usage("frames per capture must be 1 to 65535".into()));
    }
    let total = match (opts.cases, opts.time) {
        (Some(n), _) => Some(n),
        (None, Some(_)) => None,
        (None, None) => Some(DEFAULT_CASES),
    };
    let known = decoder.known_differences();
    let per = opts.frames_per_capture as u64;
    let started = Instant::now();
    let next = AtomicU64::new(0);
    let judged = AtomicU64::new(0);
    let decoder_nanos = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let blamed = AtomicU64::new(0);
    let tally = Mutex::new(Tally::default());
    let error: Mutex<Option<FuzzError>> = Mutex::new(None);
    let worker = || loop {
        if stop.load(Ordering::Relaxed) || opts.time.is_some_and(|t| started.elapsed() >= t) {
            break;
        }
        let first = next.fetch_add(per, Ordering::Relaxed);
        let last = match total {
            Some(n) if first >= n => break,
            Some(n) => (first + per).min(n),
            None => first + per,
        };
        let cases: Vec<Prepared> = (first..last)
            .map(|i| Prepared::new(i, Case::draw(opts.seed, i), (i - first + 1) as u32))
            .collect();
        let split = blamed.load(Ordering::Relaxed) < SPLIT_LIMIT;
        match evaluate(decoder, &cases, &known, opts, split) {
            Ok(e) => {
                decoder_nanos.fetch_add(e.spent.as_nanos() as u64, Ordering::Relaxed);
                let mut t = tally.lock().unwrap_or_else(|p| p.into_inner());
                for (p, v) in cases.iter().zip(&e.verdicts) {
                    // A case counts under its primary signature only: the
                    // rest mostly follow from it (a shifted offset misreads
                    // every field after it).
                    let Some(s) = v.signatures.first() else { continue };
                    t.failures += 1;
                    if s.class == BugClass::DecoderError && split {
                        blamed.fetch_add(1, Ordering::Relaxed);
                    }
                    t.add(s, p.index, 1, &v.reason);
                }
                if let Some(v) = &e.capture_failure {
                    // Splitting a capture the decoder fails on as a whole finds nothing.
                    blamed.fetch_add(SPLIT_LIMIT, Ordering::Relaxed);
                    t.add(&v.signatures[0], first, last - first, &v.reason);
                }
                let failures = t.failures;
                drop(t);
                let cases = judged.fetch_add(last - first, Ordering::Relaxed) + (last - first);
                progress(Progress { cases, total, failures, shrinking: None });
            }
            Err(e) => {
                *error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                stop.store(true, Ordering::Relaxed);
                break;
            }
        }
    };
    std::thread::scope(|s| {
        let spawned = (0..opts.jobs.clamp(1, 64))
            .filter(|_| std::thread::Builder::new().spawn_scoped(s, worker).is_ok())
            .count();
        if spawned == 0 {
            worker();
        }
    });
    if let Some(e) = error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cases = judged.load(Ordering::Relaxed);
    let t = tally.into_inner().unwrap_or_else(|p| p.into_inner());

    // Shrink the first case (or capture) of each new signature.
    let new: Vec<(&Signature, &Seen)> = t.seen.iter().filter(|(s, _)| !opts.known.contains(*s)).collect();
    let shrunk: Mutex<BTreeMap<Signature, shrink::Shrunk>> = Mutex::new(BTreeMap::new());
    let done = AtomicU64::new(0);
    let next_sig = AtomicU64::new(0);
    let shrinker = || loop {
        let i = next_sig.fetch_add(1, Ordering::Relaxed) as usize;
        let Some((sig, seen)) = new.get(i) else { break };
        let mut drawn: Vec<Case> =
            (seen.first..seen.first + seen.span).map(|i| Case::draw(opts.seed, i)).collect();
        if seen.span == 1 && !shrink::fails_alone(decoder, &drawn[0], sig, &known, opts) {
            // It fails only where it sits in its capture (a decoder that
            // reports the wrong frame numbers, say): shrink the capture.
            let start = seen.first - seen.first % per;
            let end = total.map_or(start + per, |n| (start + per).min(n));
            drawn = (start..end).map(|i| Case::draw(opts.seed, i)).collect();
        }
        let result = shrink::shrink(decoder, opts.seed, seen.first, drawn, sig, &known, opts);
        shrunk.lock().unwrap_or_else(|p| p.into_inner()).insert((*sig).clone(), result);
        let n = done.fetch_add(1, Ordering::Relaxed) as usize + 1;
        progress(Progress { cases, total, failures: t.failures, shrinking: Some((n, new.len())) });
    };
    std::thread::scope(|s| {
        let spawned = (0..opts.jobs.clamp(1, 64).min(new.len().max(1)))
            .filter(|_| std::thread::Builder::new().spawn_scoped(s, shrinker).is_ok())
            .count();
        if spawned == 0 {
            shrinker();
        }
    });
    let mut shrunk = shrunk.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut signatures: Vec<SignatureReport> = t
        .seen
        .iter()
        .map(|(s, seen)| {
            let sh = shrunk.remove(s);
            SignatureReport {
                signature: s.clone(),
                count: seen.count,
                known: opts.known.contains(s),
                first_case: seen.first,
                reason: sh.as_ref().map_or_else(|| seen.reason.clone(), |x| x.reason.clone()),
                shrunk: sh,
                capture: None,
            }
        })
        .collect();
    signatures.sort_by(|a, b| {
        a.known.cmp(&b.known).then(b.count.cmp(&a.count)).then(a.signature.cmp(&b.signature))
    });
    let mut report = FuzzReport {
        decoder: decoder.name().to_owned(),
        seed: opts.seed,
        cases,
        failed_cases: t.failures,
        elapsed_secs: elapsed,
        decoder_secs: decoder_nanos.load(Ordering::Relaxed) as f64 / 1e9,
        cases_per_sec: if elapsed > 0.0 { cases as f64 / elapsed } else { 0.0 },
        signatures,
        out: None,
    };
    if let Some(dir) = &opts.out {
        if report.new_signatures().any(|s| s.shrunk.is_some()) {
            output::write(dir, &mut report, opts.force).map_err(FuzzError::Output)?;
            report.out = Some(dir.clone());
        }
    }
    Ok(report)
}
