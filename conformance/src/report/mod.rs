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
use std::borrow::Cow;

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

/// `s` safe to show on one line of a terminal or a report: control
/// characters (C0 including newline, DEL, C1 0x80-0x9f), the Unicode
/// bidirectional controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F,
/// U+061C), the line and paragraph separators and the noncharacters
/// U+FFFE, U+FFFF become escapes: `\n`, `\r`, `\u{1b}`, `\u{202e}`. Tabs
/// and everything else are kept (a backslash too: the escapes are for
/// safety, not for a round trip). Decoders print what they like, and what
/// they print reaches the text and Markdown reports through this.
///
/// ```
/// use conformance::report::printable;
///
/// assert_eq!(printable("02:00:5e:00:53:01"), "02:00:5e:00:53:01");
/// assert_eq!(printable("\x1b[2Jgone\nforged line\r"), "\\u{1b}[2Jgone\\nforged line\\r");
/// assert_eq!(printable("abc\u{202e}fed"), "abc\\u{202e}fed");
/// assert_eq!(printable("\u{9b}31m"), "\\u{9b}31m");
/// ```
pub fn printable(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// [`printable`], keeping line breaks (`\n`): for text shown as several
/// lines, such as a stderr tail in JUnit's `system-err`.
pub fn printable_lines(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

fn needs_escape(c: char, keep_lines: bool) -> bool {
    match c {
        '\t' => false,
        '\n' => !keep_lines,
        // Cc: U+0000-U+001F, U+007F, U+0080-U+009F.
        c if c.is_control() => true,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}' => true,
        _ => false,
    }
}

fn escape(s: &str, keep_lines: bool) -> Cow<'_, str> {
    if !s.chars().any(|c| needs_escape(c, keep_lines)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            c if !needs_escape(c, keep_lines) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => {
                use std::fmt::Write;
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_a_terminal_acts_on_survives() {
        let hostile: String =
            (0u32..0x110000).filter_map(char::from_u32).filter(|c| needs_escape(*c, false)).collect();
        let shown = printable(&hostile);
        assert!(shown.chars().all(|c| c.is_ascii_graphic()), "{shown}");
        assert!(matches!(printable("plain | text\twith tab"), Cow::Borrowed(_)));
        assert_eq!(printable_lines("a\nb\x1b"), "a\nb\\u{1b}");
    }
}
