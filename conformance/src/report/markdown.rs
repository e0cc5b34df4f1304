//! Markdown for a CI job summary (`$GITHUB_STEP_SUMMARY`): the verdict, a
//! table per vector group, field-group support, and the first failing
//! fields as a table (vector, field, expected, got, clause).

use super::{printable, Style};
use crate::compare::{FieldGroup, FieldVerdict, Outcome, Support};
use crate::run::{RunReport, Summary};
use std::fmt::Write;

/// `s` as the text of a table cell or a list item: line breaks become
/// spaces, `|` is escaped, and control characters as in [`printable`], so
/// that a decoder's output cannot end the cell or forge a line.
///
/// ```
/// use conformance::report::markdown::cell;
/// assert_eq!(cell("a|b\nc\r\n| forged | row |"), "a\\|b c \\| forged \\| row \\|");
/// assert_eq!(cell("\x1b[31mred"), "\\u{1b}[31mred");
/// ```
pub fn cell(s: &str) -> String {
    let flat = s.replace("\r\n", " ").replace(['\n', '\r'], " ");
    printable(&flat).replace('|', "\\|")
}

/// `s` as inline code: [`cell`] between enough backticks.
///
/// ```
/// use conformance::report::markdown::code;
/// assert_eq!(code("vni-0"), "`vni-0`");
/// assert_eq!(code("cmd:echo `x`"), "`` cmd:echo `x` ``");
/// ```
pub fn code(s: &str) -> String {
    let text = cell(s);
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    if longest == 0 {
        format!("`{text}`")
    } else {
        let fence = "`".repeat(longest + 1);
        format!("{fence} {text} {fence}")
    }
}

/// A support word: `full`, `partial (3/5)`, `**not supported**`.
pub fn support_word(support: Support, reported: usize, expected: usize) -> String {
    match support {
        Support::Full => "full".into(),
        Support::Partial => format!("partial ({reported}/{expected} values)"),
        Support::NotSupported => "**not supported**".into(),
        Support::NotExercised => "-".into(),
    }
}

/// Renders the report.
pub fn render(report: &RunReport, style: &Style) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let verdict = if s.failed() == 0 { "PASS" } else { "FAIL" };
    // Everything from the decoder, the command line or the corpus goes
    // through `cell` or `code`: it cannot end a cell or forge a line.
    let version = report.decoder_version.as_deref().map(|v| format!(" ({})", cell(v))).unwrap_or_default();
    let _ = writeln!(out, "## vxconform: {}{version}: {verdict}\n", code(&report.decoder));
    let timing =
        if style.timings { format!(" in {:.1} s", report.elapsed.as_secs_f64()) } else { String::new() };
    let _ = writeln!(
        out,
        "{} vectors from {}{timing}: {} pass, {} acceptable, {} not supported, {} expected fail, {} skipped; \
         **{} fail, {} error**.\n",
        s.total,
        code(&report.corpus.display().to_string()),
        s.pass,
        s.acceptable,
        s.not_supported,
        s.expected_fail,
        s.skipped,
        s.fail + s.unexpected_pass,
        s.error
    );
    let _ = writeln!(out, "| group | vectors | pass | fail | acceptable | not supported | error |");
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|");
    let row = |out: &mut String, name: &str, s: &Summary| {
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} | {} |",
            s.total,
            s.pass,
            s.fail + s.unexpected_pass,
            s.acceptable,
            s.not_supported,
            s.error
        );
    };
    for (g, vs) in report.groups() {
        row(&mut out, &code(g), &Summary::of(vs.iter().copied()));
    }
    row(&mut out, "**total**", s);

    let tally = report.tally();
    let groups: Vec<String> = FieldGroup::ALL
        .iter()
        .filter_map(|g| tally.get(g).map(|t| (g, t)))
        .filter(|(_, t)| t.support() != Support::NotExercised)
        .map(|(g, t)| format!("{}: {}", g.name(), support_word(t.support(), t.reported(), t.expected())))
        .collect();
    if !groups.is_empty() {
        let _ = writeln!(out, "\n**Field groups:** {}", groups.join(" · "));
    }

    let failing: Vec<_> = report.vectors.iter().filter(|v| v.outcome.is_failure()).collect();
    if !failing.is_empty() {
        let _ = writeln!(out, "\n### Failures ({})\n", failing.len());
        let _ = writeln!(out, "| vector | outcome | field | expected | got | clause |");
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for v in failing.iter().take(style.max_failures) {
            let fields: Vec<_> =
                v.comparison.iter().flat_map(|c| c.failures()).take(style.max_fields).collect();
            if fields.is_empty() {
                let first = v.reasons.first().map(String::as_str).unwrap_or("");
                let _ = writeln!(out, "| {} | {} | {} | | | |", code(&v.id), v.outcome.name(), cell(first));
            }
            for f in fields {
                let (e, g) = match &f.verdict {
                    FieldVerdict::Mismatch { expected, got } => (expected.as_str(), got.as_str()),
                    FieldVerdict::Unexpected { got } => (crate::compare::ABSENT, got.as_str()),
                    _ => ("", ""),
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | frame {} {} | {} | {} | {} |",
                    code(&v.id),
                    v.outcome.name(),
                    f.frame,
                    code(&f.path),
                    cell(e),
                    cell(g),
                    cell(f.spec().unwrap_or(""))
                );
            }
        }
        if failing.len() > style.max_failures {
            let _ = writeln!(out, "\n... and {} more failing vectors.", failing.len() - style.max_failures);
        }
    }
    let acceptable: Vec<_> = report.vectors.iter().filter(|v| v.outcome == Outcome::Acceptable).collect();
    if !acceptable.is_empty() {
        let _ = writeln!(out, "\n### Acceptable (read as one of the allowed readings)\n");
        for v in acceptable {
            let _ = writeln!(
                out,
                "- {}: {}",
                code(&v.id),
                cell(v.reasons.first().map(String::as_str).unwrap_or(""))
            );
        }
    }
    for w in &report.warnings {
        let _ = writeln!(out, "\n> warning: {}", cell(w));
    }
    out
}
