//! JUnit XML through the `quick-junit` crate: one test suite per vector
//! group, one test case per vector (name: the vector id, class name
//! `vxconform.<decoder>.<group>`).
//!
//! | outcome | JUnit |
//! |---|---|
//! | pass, acceptable | success (acceptable: a note in system-out) |
//! | fail, unexpected pass | failure, message = first reason, description = all |
//! | error | error, the decoder's stderr tail in system-err |
//! | not supported, expected fail, skipped | skipped, with the reason |
//!
//! Text from the decoder goes through [`printable`] (one-line attributes)
//! or [`printable_lines`] (system-out, system-err, description): XML 1.0
//! cannot hold most control characters at all, and quick-junit would drop
//! them silently; escaped, they stay visible.

use super::{printable, printable_lines};
use crate::compare::Outcome;
use crate::run::RunReport;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

/// Renders the report as JUnit XML.
pub fn render(report: &RunReport) -> Result<String, String> {
    let mut junit = Report::new(format!("vxconform {}", printable(&report.decoder)));
    junit.set_time(report.elapsed);
    for (group, vectors) in report.groups() {
        let mut suite = TestSuite::new(printable(group));
        if let Some(v) = &report.decoder_version {
            suite.add_property(("decoder.version", &*printable(v)));
        }
        suite.add_property(("decoder", &*printable(&report.decoder)));
        for v in vectors {
            let all: Vec<_> = v.reasons.iter().map(|r| printable(r)).collect();
            let all = all.join("\n");
            let first = v.reasons.first().map(|r| printable(r).into_owned()).unwrap_or_default();
            let status = match v.outcome {
                Outcome::Pass | Outcome::Acceptable => TestCaseStatus::success(),
                Outcome::Fail | Outcome::UnexpectedPass => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(first).set_description(all.clone()).set_type(v.outcome.name());
                    s
                }
                Outcome::Error => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                    s.set_message(first).set_type(v.failure.as_ref().map_or("error", |f| f.kind));
                    s
                }
                Outcome::NotSupported | Outcome::ExpectedFail | Outcome::Skipped => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(format!("{}: {first}", v.outcome.name()));
                    s
                }
            };
            let mut case = TestCase::new(printable(&v.id), status);
            case.set_classname(printable(&format!("vxconform.{}.{}", report.decoder, group)))
                .set_time(v.duration);
            if v.outcome == Outcome::Acceptable {
                case.set_system_out(format!(
                    "acceptable: {}\nmanifest: {}\n{all}",
                    printable(&v.description),
                    printable(v.reason.as_deref().unwrap_or(""))
                ));
            }
            if let Some(tail) = v.failure.as_ref().and_then(|f| f.stderr_tail.as_deref()) {
                case.set_system_err(printable_lines(tail));
            }
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    junit.to_string().map_err(|e| e.to_string())
}
