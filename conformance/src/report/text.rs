//! The terminal report: a compact table a person reads, with the first
//! failures spelled out (vector, field, expected, got, clause).
//!
//! ```text
//! vxconform: decoder reference (generator 0.1.0), corpus vectors (94 vectors)
//!
//! group          vectors  pass  fail  acc  n/s  err  xfail  skip
//! vni                  8     8     .    .    .    .      .     .
//! ...
//! field groups: frame full, outer full, geneve full, vxlan-core full, gbp full, inner full, app full
//!
//! result: PASS: 94 vectors, 90 pass, 4 acceptable, 0 fail, 0 error (0.1 s)
//! ```

use super::Style;
use crate::compare::{FieldGroup, FieldVerdict, Outcome, Support};
use crate::run::{RunReport, Summary, VectorReport};
use std::fmt::Write;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

fn paint(style: &Style, code: &str, text: &str) -> String {
    if style.color {
        format!("{code}{text}{RESET}")
    } else {
        text.to_owned()
    }
}

fn count(style: &Style, n: usize, width: usize, bad: bool) -> String {
    let cell = if n == 0 { ".".to_owned() } else { n.to_string() };
    let padded = format!("{cell:>width$}");
    match (n, bad) {
        (0, _) => paint(style, DIM, &padded),
        (_, true) => paint(style, RED, &padded),
        _ => padded,
    }
}

/// The support of each field group, one line: `gbp NOT SUPPORTED, ...`.
pub fn support_line(report: &RunReport, style: &Style) -> String {
    let tally = report.tally();
    let mut parts = Vec::new();
    for g in FieldGroup::ALL {
        let Some(t) = tally.get(&g) else { continue };
        let word = match t.support() {
            Support::Full => "full".to_owned(),
            Support::Partial => format!("partial ({} of {} values)", t.reported(), t.expected()),
            Support::NotSupported => paint(style, YELLOW, "NOT SUPPORTED"),
            Support::NotExercised => continue,
        };
        parts.push(format!("{} {word}", g.name()));
    }
    parts.join(", ")
}

fn summary_line(s: &Summary) -> String {
    let mut parts = vec![format!("{} vectors", s.total), format!("{} pass", s.pass)];
    for (n, what) in [
        (s.acceptable, "acceptable"),
        (s.not_supported, "not supported"),
        (s.expected_fail, "expected fail"),
        (s.skipped, "skipped"),
        (s.unexpected_pass, "unexpected pass"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    parts.push(format!("{} fail", s.fail));
    parts.push(format!("{} error", s.error));
    parts.join(", ")
}

/// The first failing fields of a vector, one line each.
fn field_lines(v: &VectorReport, max: usize) -> Vec<String> {
    let mut lines: Vec<String> = v.reasons.clone();
    // `reasons` already holds missing frames and the failing fields; cap it.
    let total = lines.len();
    lines.truncate(max);
    if total > max {
        lines.push(format!("... and {} more", total - max));
    }
    lines
}

/// Renders the report.
pub fn render(report: &RunReport, style: &Style) -> String {
    let mut out = String::new();
    let version = report.decoder_version.as_deref().map(|v| format!(" ({v})")).unwrap_or_default();
    let filter = if report.filter.is_empty() {
        String::new()
    } else {
        format!("; filter {}", report.filter.join(" "))
    };
    let _ = writeln!(
        out,
        "vxconform: decoder {}{version}, corpus {} ({} vectors{filter})",
        paint(style, BOLD, &report.decoder),
        report.corpus.display(),
        report.vectors.len()
    );
    out.push('\n');

    let groups = report.groups();
    let width = groups.iter().map(|(g, _)| g.len()).max().unwrap_or(5).max(5);
    let _ = writeln!(out, "{:<width$}  vectors  pass  fail  acc  n/s  err  xfail  skip", "group");
    let row = |out: &mut String, name: &str, s: &Summary| {
        let _ = writeln!(
            out,
            "{name:<width$}  {:>7}  {}  {}  {}  {}  {}  {}  {}",
            s.total,
            count(style, s.pass, 4, false),
            count(style, s.fail + s.unexpected_pass, 4, true),
            count(style, s.acceptable, 3, false),
            count(style, s.not_supported, 3, false),
            count(style, s.error, 3, true),
            count(style, s.expected_fail, 5, false),
            count(style, s.skipped, 4, false),
        );
    };
    for (g, vs) in &groups {
        row(&mut out, g, &Summary::of(vs.iter().copied()));
    }
    row(&mut out, "total", &report.summary);
    out.push('\n');
    let support = support_line(report, style);
    if !support.is_empty() {
        let _ = writeln!(out, "field groups: {support}");
    }

    let failing: Vec<&VectorReport> = report.vectors.iter().filter(|v| v.outcome.is_failure()).collect();
    if !failing.is_empty() {
        let shown = failing.len().min(style.max_failures);
        let _ = writeln!(out, "\nfailures (first {shown} of {}):", failing.len());
        for v in failing.iter().take(style.max_failures) {
            let tag = format!("{:<5}", v.outcome.name());
            let _ = writeln!(out, "  {} {} [{}] {}", paint(style, RED, &tag), v.id, v.group, v.description);
            for line in field_lines(v, style.max_fields) {
                let _ = writeln!(out, "        {line}");
            }
            if let Some(tail) = v.failure.as_ref().and_then(|f| f.stderr_tail.as_deref()) {
                for l in tail.lines().rev().take(3).collect::<Vec<_>>().into_iter().rev() {
                    let _ = writeln!(out, "        | {l}");
                }
            }
            if !v.references.is_empty() {
                let _ = writeln!(out, "        vector cites: {}", v.references.join("; "));
            }
        }
    }

    let acceptable: Vec<&VectorReport> =
        report.vectors.iter().filter(|v| v.outcome == Outcome::Acceptable).collect();
    if !acceptable.is_empty() {
        let _ = writeln!(out, "\nacceptable (read as one of the vector's allowed readings):");
        for v in acceptable {
            let first = v.reasons.first().map(String::as_str).unwrap_or("");
            let _ = writeln!(out, "  {} {}: {first}", paint(style, YELLOW, "acc  "), v.id);
        }
    }

    // Known differences, grouped by their note.
    let mut known: Vec<(&str, Vec<String>)> = Vec::new();
    for v in &report.vectors {
        for f in v.comparison.iter().flat_map(|c| c.fields.iter()) {
            if let FieldVerdict::Known { expected, got, note } = &f.verdict {
                let item = format!("{} frame {} {}: expected {expected}, got {got}", v.id, f.frame, f.path);
                match known.iter_mut().find(|(n, _)| n == note) {
                    Some((_, items)) => items.push(item),
                    None => known.push((note, vec![item])),
                }
            }
        }
    }
    if !known.is_empty() {
        let total: usize = known.iter().map(|(_, i)| i.len()).sum();
        let _ = writeln!(out, "\nknown differences (listed, not failed): {total} values");
        for (note, items) in &known {
            let _ = writeln!(out, "  {note}:");
            for item in items.iter().take(style.max_fields) {
                let _ = writeln!(out, "    {item}");
            }
            if items.len() > style.max_fields {
                let _ = writeln!(out, "    ... and {} more", items.len() - style.max_fields);
            }
        }
    }

    let errors_only: Vec<&VectorReport> =
        report.vectors.iter().filter(|v| v.outcome == Outcome::NotSupported).collect();
    if !errors_only.is_empty() {
        let ids: Vec<String> = errors_only
            .iter()
            .map(|v| if v.allowed { format!("{} (allowed)", v.id) } else { v.id.clone() })
            .collect();
        let _ = writeln!(
            out,
            "\nnot supported (none of the fields the vector tests reported; fails the run unless allowed): {}",
            ids.join(", ")
        );
    }
    for w in &report.warnings {
        let _ = writeln!(out, "\nwarning: {w}");
    }

    let verdict =
        if report.summary.failed() == 0 { paint(style, GREEN, "PASS") } else { paint(style, RED, "FAIL") };
    let timing =
        if style.timings { format!(" ({:.1} s)", report.elapsed.as_secs_f64()) } else { String::new() };
    let _ = writeln!(out, "\nresult: {verdict}: {}{timing}", summary_line(&report.summary));
    out
}
