//! The machine-readable report (documented in docs/decoder-protocol.md,
//! "JSON report").
//!
//! ```json
//! {
//!   "report_version": 1,
//!   "decoder": {"name": "tcpdump", "version": "tcpdump version 4.99.3"},
//!   "corpus": "vectors",
//!   "filter": [],
//!   "exit_code": 0,
//!   "summary": {"total": 94, "pass": 80, "fail": 0, "acceptable": 4, "not_supported": 0, "error": 0,
//!               "expected_fail": 0, "unexpected_pass": 0, "skipped": 0},
//!   "field_groups": {"gbp": {"support": "not_supported", "matched": 0, "mismatched": 0,
//!                            "not_reported": 600, "unexpected": 0, "known": 0}},
//!   "vectors": [{"id": "gbp-g-d", "group": "gbp", "result": "valid", "outcome": "pass",
//!                "reasons": [], "tally": {"gbp": {"matched": 0, "...": 0}},
//!                "fields": [{"frame": 1, "path": "vxlan.flag_g", "group": "gbp",
//!                            "verdict": "not_reported", "expected": "true", "spec": "..."}]}],
//!   "warnings": []
//! }
//! ```
//!
//! `fields` lists every verdict but `match`; `failure` (kind, message,
//! stderr_tail) is present when the decoder did not run.

use crate::compare::{FieldGroup, FieldResult, FieldVerdict, Support, Tally};
use crate::run::{FailureReport, RunReport, Summary};
use generator::vectors::corpus::Expected;
use serde::Serialize;
use std::collections::BTreeMap;

/// Version of the JSON report layout.
pub const REPORT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Json<'a> {
    report_version: u32,
    decoder: DecoderInfo<'a>,
    corpus: String,
    filter: &'a [String],
    exit_code: i32,
    summary: Summary,
    field_groups: BTreeMap<&'static str, GroupInfo>,
    vectors: Vec<VectorInfo<'a>>,
    warnings: &'a [String],
}

#[derive(Serialize)]
struct DecoderInfo<'a> {
    name: &'a str,
    version: Option<&'a str>,
}

#[derive(Serialize)]
struct GroupInfo {
    support: Support,
    #[serde(flatten)]
    tally: Tally,
}

#[derive(Serialize)]
struct FieldInfo<'a> {
    #[serde(flatten)]
    field: &'a FieldResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    spec: Option<&'static str>,
}

#[derive(Serialize)]
struct VectorInfo<'a> {
    id: &'a str,
    group: &'a str,
    result: Expected,
    outcome: crate::compare::Outcome,
    reasons: &'a [String],
    references: &'a [String],
    tally: BTreeMap<&'static str, Tally>,
    fields: Vec<FieldInfo<'a>>,
    #[serde(skip_serializing_if = "<[u32]>::is_empty")]
    missing_frames: &'a [u32],
    #[serde(skip_serializing_if = "<[u32]>::is_empty")]
    extra_frames: &'a [u32],
    #[serde(skip_serializing_if = "Option::is_none")]
    failure: Option<&'a FailureReport>,
    duration_ms: f64,
}

fn names(t: BTreeMap<FieldGroup, Tally>) -> BTreeMap<&'static str, Tally> {
    t.into_iter().map(|(g, t)| (g.name(), t)).collect()
}

/// Renders the report as pretty JSON.
pub fn render(report: &RunReport) -> Result<String, String> {
    let json = Json {
        report_version: REPORT_VERSION,
        decoder: DecoderInfo { name: &report.decoder, version: report.decoder_version.as_deref() },
        corpus: report.corpus.display().to_string(),
        filter: &report.filter,
        exit_code: report.exit_code(),
        summary: report.summary,
        field_groups: report
            .tally()
            .into_iter()
            .map(|(g, t)| (g.name(), GroupInfo { support: t.support(), tally: t }))
            .collect(),
        vectors: report
            .vectors
            .iter()
            .map(|v| VectorInfo {
                id: &v.id,
                group: &v.group,
                result: v.result,
                outcome: v.outcome,
                reasons: &v.reasons,
                references: &v.references,
                tally: names(v.tally()),
                fields: v
                    .comparison
                    .iter()
                    .flat_map(|c| c.fields.iter())
                    .filter(|f| f.verdict != FieldVerdict::Match)
                    .map(|f| FieldInfo { field: f, spec: f.spec() })
                    .collect(),
                missing_frames: v.comparison.as_ref().map_or(&[][..], |c| &c.missing_frames),
                extra_frames: v.comparison.as_ref().map_or(&[][..], |c| &c.extra_frames),
                failure: v.failure.as_ref(),
                duration_ms: v.duration.as_secs_f64() * 1e3,
            })
            .collect(),
        warnings: &report.warnings,
    };
    serde_json::to_string_pretty(&json)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| e.to_string())
}
