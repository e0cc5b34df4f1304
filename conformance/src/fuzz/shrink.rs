//! Shrinking a failing case: try the simpler cases one step away
//! ([`Case::shrink_candidates`]), keep the first that still fails with the
//! same signature, and start again from it, until none does or the budget
//! of decoder calls is spent.
//!
//! The candidates of a step go to the decoder packed in one capture (one
//! call per step); if the decoder fails on that capture they are tried one
//! by one, so a crash is only ever blamed on its own case.

use super::{evaluate, FuzzOptions, Prepared, Signature};
use crate::compare::KnownDifference;
use crate::decoder::Decoder;
use generator::vectors::random::Case;
use serde::Serialize;

/// The result of shrinking one case.
#[derive(Debug, Clone, Serialize)]
pub struct Shrunk {
    /// The seed and index of the case as drawn.
    pub seed: u64,
    /// Its index.
    pub index: u64,
    /// The case as drawn.
    pub drawn: Case,
    /// The smallest case found that fails with the signature.
    pub case: Case,
    /// Steps taken (each a simpler case that still failed).
    pub steps: usize,
    /// Decoder calls made.
    pub calls: usize,
    /// The judge's first reason on the shrunk case.
    pub reason: String,
}

/// Shrinks `drawn` (case `index` of `seed`), which fails with `signature`.
pub fn shrink(
    decoder: &dyn Decoder,
    seed: u64,
    index: u64,
    drawn: Case,
    signature: &Signature,
    known: &[KnownDifference],
    opts: &FuzzOptions,
) -> Shrunk {
    let mut current = drawn.clone();
    let mut reason = String::new();
    let (mut steps, mut calls) = (0, 0);
    // The reason on the case as drawn, so that an unshrinkable case has one too.
    if let Ok((v, _)) = evaluate(decoder, &[Prepared::new(index, current.clone(), 1)], known, opts) {
        calls += 1;
        reason = v.into_iter().next().map(|v| v.reason).unwrap_or_default();
    }
    'steps: while calls < opts.shrink_budget {
        let candidates = current.shrink_candidates();
        if candidates.is_empty() {
            break;
        }
        // Batches of candidates, simplest first.
        for chunk in candidates.chunks(opts.frames_per_capture.clamp(1, 256)) {
            let prepared: Vec<Prepared> =
                chunk.iter().enumerate().map(|(k, c)| Prepared::new(index, c.clone(), k as u32 + 1)).collect();
            calls += 1;
            let Ok((verdicts, _)) = evaluate(decoder, &prepared, known, opts) else { break 'steps };
            if let Some((c, v)) = chunk.iter().zip(verdicts).find(|(_, v)| v.signatures.contains(signature)) {
                current = c.clone();
                reason = v.reason;
                steps += 1;
                continue 'steps;
            }
            if calls >= opts.shrink_budget {
                break 'steps;
            }
        }
        break;
    }
    // The reason on the shrunk case alone (frame 1 of its own capture).
    if steps > 0 {
        if let Ok((v, _)) = evaluate(decoder, &[Prepared::new(index, current.clone(), 1)], known, opts) {
            calls += 1;
            reason = v.into_iter().next().map(|v| v.reason).unwrap_or(reason);
        }
    }
    Shrunk { seed, index, drawn, case: current, steps, calls, reason }
}
