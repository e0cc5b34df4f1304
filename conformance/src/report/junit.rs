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

use crate::compare::Outcome;
use crate::run::RunReport;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

/// Renders the report as JUnit XML.
pub fn render(report: &RunReport) -> Result<String, String> {
    let mut junit = Report::new(format!("vxconform {}", report.decoder));
    junit.set_time(report.elapsed);
    for (group, vectors) in report.groups() {
        let mut suite = TestSuite::new(group.to_owned());
        if let Some(v) = &report.decoder_version {
            suite.add_property(("decoder.version", v.as_str()));
        }
        suite.add_property(("decoder", report.decoder.as_str()));
        for v in vectors {
            let all = v.reasons.join("\n");
            let first = v.reasons.first().cloned().unwrap_or_default();
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
            let mut case = TestCase::new(v.id.clone(), status);
            case.set_classname(format!("vxconform.{}.{}", report.decoder, group)).set_time(v.duration);
            if v.outcome == Outcome::Acceptable {
                case.set_system_out(format!(
                    "acceptable: {}\nmanifest: {}\n{all}",
                    v.description,
                    v.reason.as_deref().unwrap_or("")
                ));
            }
            if let Some(tail) = v.failure.as_ref().and_then(|f| f.stderr_tail.as_deref()) {
                case.set_system_err(tail.to_owned());
            }
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    junit.to_string().map_err(|e| e.to_string())
}
