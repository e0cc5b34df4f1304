//! Shrinking a failing case: try the simpler cases one step away
//! ([`Case::shrink_candidates`]), keep the first that still fails with the
//! same primary signature (the same field, the same bug class), and start
//! again from it, until none does or the budget of decoder calls is spent.
//!
//! The candidates of a step go to the decoder packed in one capture (one
//! call per step); if the decoder fails on that capture they are tried one
//! by one, so a crash is only ever blamed on its own case.
//!
//! A failure of a whole capture (the decoder fails on the capture though no
//! case fails alone) is shrunk as a capture: frames are removed while it
//! still fails, then each remaining frame is replaced by the simplest case
//! ([`Case::simplest`]) or shrunk in place.

use super::{evaluate, BugClass, FuzzOptions, Prepared, Signature};
use crate::compare::KnownDifference;
use crate::decoder::Decoder;
use generator::vectors::random::Case;
use serde::Serialize;

/// The result of shrinking one case (or capture).
#[derive(Debug, Clone, Serialize)]
pub struct Shrunk {
    /// The seed of the cases as drawn.
    pub seed: u64,
    /// The index of the (first) case as drawn.
    pub index: u64,
    /// The case as drawn (the capture's cases, for a capture's failure).
    pub drawn: Vec<Case>,
    /// The smallest case found that fails with the signature (one per
    /// frame of its capture; one for a case's own failure).
    pub cases: Vec<Case>,
    /// Steps taken (each a simpler case that still failed).
    pub steps: usize,
    /// Decoder calls made.
    pub calls: usize,
    /// The judge's first reason on the shrunk case.
    pub reason: String,
}

impl Shrunk {
    /// The shrunk case in words ([`Case::describe`]); for a capture, each frame's.
    pub fn describe(&self) -> String {
        match self.cases.as_slice() {
            [one] => one.describe(),
            many => many
                .iter()
                .enumerate()
                .map(|(i, c)| format!("frame {}: {}", i + 1, c.describe()))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }

    /// What shrinking took away ([`Case::shrunk_away`]).
    pub fn shrunk_away(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.drawn.len() > self.cases.len() {
            out.push(format!(
                "{} of the capture's {} frames",
                self.drawn.len() - self.cases.len(),
                self.drawn.len()
            ));
        }
        if let ([a], [b]) = (self.drawn.as_slice(), self.cases.as_slice()) {
            out.extend(b.shrunk_away(a));
        } else if self.cases.iter().all(|c| *c == Case::simplest()) {
            out.push("every layer of every frame but the simplest AWS copy".to_owned());
        }
        out
    }
}

/// Whether `case`, alone in a capture, fails with `signature` as its primary one.
pub fn fails_alone(
    decoder: &dyn Decoder,
    case: &Case,
    signature: &Signature,
    known: &[KnownDifference],
    opts: &FuzzOptions,
) -> bool {
    evaluate(decoder, &prepared(std::slice::from_ref(case), 0), known, opts, true)
        .is_ok_and(|e| e.shows(signature))
}

fn prepared(cases: &[Case], index: u64) -> Vec<Prepared> {
    cases.iter().enumerate().map(|(k, c)| Prepared::new(index, c.clone(), k as u32 + 1)).collect()
}

/// Shrinks `drawn` (the cases of one capture from case `index` of `seed`),
/// which fails with `signature`.
pub fn shrink(
    decoder: &dyn Decoder,
    seed: u64,
    index: u64,
    drawn: Vec<Case>,
    signature: &Signature,
    known: &[KnownDifference],
    opts: &FuzzOptions,
) -> Shrunk {
    let mut current = drawn.clone();
    let (mut steps, mut calls) = (0, 0);
    let fails = |cases: &[Case], calls: &mut usize| {
        *calls += 1;
        // Not split: a failure of the whole capture is what is looked for.
        evaluate(decoder, &prepared(cases, index), known, opts, false).is_ok_and(|e| e.shows(signature))
    };
    // A capture: a shorter prefix, fewer frames, then simpler ones.
    let mut k = 1;
    while k < current.len() && calls < opts.shrink_budget {
        if fails(&current[..k], &mut calls) {
            current.truncate(k);
            steps += 1;
            break;
        }
        k *= 2;
    }
    while current.len() > 1 && calls < opts.shrink_budget {
        let mut changed = false;
        for i in (0..current.len()).rev() {
            let mut fewer = current.clone();
            fewer.remove(i);
            if calls < opts.shrink_budget && fails(&fewer, &mut calls) {
                current = fewer;
                steps += 1;
                changed = true;
            }
        }
        for i in 0..current.len() {
            if current[i] == Case::simplest() {
                continue;
            }
            let mut simpler = current.clone();
            simpler[i] = Case::simplest();
            if calls < opts.shrink_budget && fails(&simpler, &mut calls) {
                current = simpler;
                steps += 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    if current.len() == 1 {
        'steps: while calls < opts.shrink_budget {
            let candidates = current[0].shrink_candidates();
            // Batches of candidates, simplest first; the first that still
            // fails in a capture of its own (as the vector will) wins.
            for chunk in candidates.chunks(opts.frames_per_capture.clamp(1, 256)) {
                calls += 1;
                let Ok(e) = evaluate(decoder, &prepared(chunk, index), known, opts, false) else {
                    break 'steps;
                };
                // The decoder failed on the whole batch: try them in order.
                let whole_batch_failed = chunk.len() > 1
                    && e.verdicts
                        .iter()
                        .all(|v| v.signatures.first().is_some_and(|s| s.class == BugClass::DecoderError));
                let order: Vec<usize> = if whole_batch_failed {
                    (0..chunk.len()).collect()
                } else {
                    (0..chunk.len())
                        .filter(|&i| e.verdicts[i].signatures.first() == Some(signature))
                        .collect()
                };
                for i in order {
                    if calls >= opts.shrink_budget {
                        break 'steps;
                    }
                    if fails(std::slice::from_ref(&chunk[i]), &mut calls) {
                        current = vec![chunk[i].clone()];
                        steps += 1;
                        continue 'steps;
                    }
                }
                if calls >= opts.shrink_budget {
                    break 'steps;
                }
            }
            break;
        }
    }
    // The reason on the shrunk case(s) in a capture of their own.
    let mut reason = String::new();
    if let Ok(e) = evaluate(decoder, &prepared(&current, index), known, opts, true) {
        calls += 1;
        reason = e
            .verdicts
            .iter()
            .chain(&e.capture_failure)
            .find(|v| v.signatures.first() == Some(signature))
            .map(|v| v.reason.clone())
            .unwrap_or_default();
    }
    Shrunk { seed, index, drawn, cases: current, steps, calls, reason }
}
