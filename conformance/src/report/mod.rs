//! Reports of a [`RunReport`]: a terminal table ([`text`]), JSON for
//! machines ([`json`]), JUnit XML for CI systems ([`junit`]) and Markdown
//! for a CI job summary ([`markdown`]).
//!
//! ```
//! use conformance::decoder::by_name;
//! use conformance::report::{render, Format, Style};
//! use conformance::run::{run, Corpus, RunOptions};
//!
//! let corpus = Corpus::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../vectors").as_ref()).unwrap();
//! let opts = RunOptions { filter: vec!["gbp-g-*".into()], ..RunOptions::default() };
//! let report = run(by_name("reference").unwrap().as_ref(), &corpus, &opts).unwrap();
//! let text = render(&report, Format::Text, &Style::plain()).unwrap();
//! assert!(text.contains("result: PASS"));
//! let xml = render(&report, Format::Junit, &Style::plain()).unwrap();
//! assert_eq!(xml.matches("<testcase ").count(), report.vectors.len());
//! ```

use crate::run::RunReport;

pub mod json;
pub mod junit;
pub mod markdown;
pub mod text;

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// [`text`].
    Text,
    /// [`json`].
    Json,
    /// [`junit`].
    Junit,
    /// [`markdown`].
    Markdown,
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "junit" => Ok(Format::Junit),
            "markdown" | "md" => Ok(Format::Markdown),
            other => Err(format!("unknown format {other:?}: text, json, junit or markdown")),
        }
    }
}

/// Presentation choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Style {
    /// ANSI colours (the CLI turns them on only when writing to a terminal).
    pub color: bool,
    /// How many failing vectors are spelled out in the text report.
    pub max_failures: usize,
    /// How many failing fields of each of those are spelled out.
    pub max_fields: usize,
    /// Whether to print timings (off for snapshots).
    pub timings: bool,
}

impl Style {
    /// No colour, 10 failing vectors with 5 fields each, with timings.
    pub fn plain() -> Style {
        Style { color: false, max_failures: 10, max_fields: 5, timings: true }
    }
}

impl Default for Style {
    fn default() -> Style {
        Style::plain()
    }
}

/// Renders `report` in `format`.
pub fn render(report: &RunReport, format: Format, style: &Style) -> Result<String, String> {
    match format {
        Format::Text => Ok(text::render(report, style)),
        Format::Json => json::render(report),
        Format::Junit => junit::render(report),
        Format::Markdown => Ok(markdown::render(report, style)),
    }
}
