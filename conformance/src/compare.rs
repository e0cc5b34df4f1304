//! The one judge: field-by-field comparison of a decoder's dissection with
//! the expected one, and the verdict on each vector. All judgement lives
//! here: adapters only translate a tool's output into the model.
//!
//! Both dissections are flattened by the model's one flattener
//! ([`generator::dissection::flatten`]) into leaves: dotted paths to values
//! (`inner.vlan[1].vid`). Each leaf of the expected frame gets a
//! [`FieldVerdict`]: [`Match`](FieldVerdict::Match),
//! [`Mismatch`](FieldVerdict::Mismatch), [`NotReported`](FieldVerdict::NotReported)
//! or [`Known`](FieldVerdict::Known) (a mismatch the decoder declares in its
//! [`known differences`](crate::decoder::Decoder::known_differences), listed,
//! not failed); each leaf the decoder reports that the expected frame lacks
//! is [`Unexpected`](FieldVerdict::Unexpected). Values are compared by the
//! registry's [`Kind`] (MAC and hex case-insensitively, IPv6 as addresses).
//!
//! Every vector names its *subject*: the fields it exists to test. A vector
//! passes only when every subject field of every frame is reported and
//! right and nothing else is wrong; it is *not supported* when the decoder
//! reports none of its subject fields; otherwise it fails. An `acceptable`
//! vector passes under any of its named [`Reading`]s, and the verdict says
//! which; anything else fails.
//!
//! ```
//! use conformance::compare::{judge, Outcome, Reading};
//! use conformance::decoder::Decoded;
//! use generator::dissection::{FrameDissection, FrameFacts, Vxlan};
//! use generator::vectors::manifest::Expected;
//!
//! let mut expected = FrameDissection::new(FrameFacts::complete(1, 124));
//! expected.vxlan = Some(Vxlan { vni: Some(9_999_999), flag_i: Some(true), ..Vxlan::default() });
//! let reading = Reading::single(vec![expected.clone()], &["vxlan.vni"]);
//!
//! // A decoder that reports only frame numbers does not support the vector.
//! let bare = Decoded::from(vec![FrameDissection::new(FrameFacts { number: 1, ..FrameFacts::default() })]);
//! assert_eq!(judge(Expected::Valid, &[reading.clone()], &bare, &[], false).outcome, Outcome::NotSupported);
//!
//! // Bytes swapped: the subject is reported, and wrong.
//! let mut swapped = expected.clone();
//! swapped.vxlan.as_mut().unwrap().vni = Some(0x7f9698);
//! let j = judge(Expected::Valid, &[reading.clone()], &Decoded::from(vec![swapped]), &[], false);
//! assert_eq!(j.outcome, Outcome::Fail);
//! assert_eq!(j.reasons[0], "frame 1 vxlan.vni: expected 9999999, got 8361624 [RFC 7348 section 5]");
//!
//! assert_eq!(judge(Expected::Valid, &[reading], &Decoded::from(vec![expected]), &[], false).outcome, Outcome::Pass);
//! ```

use crate::decoder::Decoded;
use generator::dissection::flatten::leaves;
use generator::dissection::registry::{self, generic_path, Kind};
use generator::dissection::FrameDissection;
use generator::vectors::manifest::Expected;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv6Addr;

pub use generator::dissection::registry::FieldGroup;

/// How a [`FieldVerdict::Known`] shows a field the expected dissection lacks.
pub const ABSENT: &str = "(absent)";

/// The verdict on one field of one frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum FieldVerdict {
    /// The decoder reports the expected value.
    Match,
    /// The decoder reports another value.
    Mismatch {
        /// The expected value, as text.
        expected: String,
        /// The decoder's value.
        got: String,
    },
    /// The decoder does not report the field.
    NotReported {
        /// The expected value.
        expected: String,
    },
    /// The decoder reports a field the expected dissection does not have.
    Unexpected {
        /// The decoder's value.
        got: String,
    },
    /// A mismatch the decoder declares as a known difference: listed, not failed.
    Known {
        /// The expected value.
        expected: String,
        /// The decoder's value.
        got: String,
        /// Why the decoder differs.
        note: String,
    },
}

impl FieldVerdict {
    /// Whether this verdict is wrong (fails a vector, whatever its subject).
    pub fn is_failure(&self) -> bool {
        matches!(self, FieldVerdict::Mismatch { .. } | FieldVerdict::Unexpected { .. })
    }

    /// Whether the decoder reported the field at all.
    pub fn is_reported(&self) -> bool {
        !matches!(self, FieldVerdict::NotReported { .. })
    }
}

/// One field's verdict, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldResult {
    /// The frame (1-based).
    pub frame: u32,
    /// The leaf path, e.g. `vxlan.vni` or `inner.vlan[0].vid`.
    pub path: String,
    /// Its group.
    pub group: FieldGroup,
    /// Whether the field is one the vector exists to test.
    #[serde(default)]
    pub subject: bool,
    /// The verdict.
    #[serde(flatten)]
    pub verdict: FieldVerdict,
}

impl FieldResult {
    /// The specification clause defining the field, from the registry.
    pub fn spec(&self) -> Option<&'static str> {
        spec_of(&self.path)
    }
}

/// The clause that defines the field at a leaf path, from the registry.
///
/// ```
/// assert_eq!(conformance::compare::spec_of("inner.vlan[1].vid"), Some("IEEE 802.1Q clause 9.6"));
/// assert_eq!(conformance::compare::spec_of("vxlan.vni"), Some("RFC 7348 section 5"));
/// ```
pub fn spec_of(path: &str) -> Option<&'static str> {
    registry::field(path).map(|f| f.spec)
}

/// A field where a decoder is known to differ from the model, with why: a
/// decoder declares these itself ([`crate::decoder::Decoder::known_differences`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownDifference {
    /// Generic path (`[]` for list elements) of the field.
    pub path: String,
    /// Why the decoder differs (with the evidence a person can check).
    pub note: String,
    /// Whether the difference applies only to frames the expected
    /// dissection marks truncated.
    #[serde(default)]
    pub only_truncated: bool,
}

/// A problem with what the decoder printed for a frame (an unknown key, a
/// value of the wrong type): the strict protocol of docs/decoder-protocol.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtocolProblem {
    /// The frame, when known.
    pub frame: Option<u32>,
    /// The offending path (`vxlan.VNI`), empty for the frame itself.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ProtocolProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(n) = self.frame {
            write!(f, "frame {n} ")?;
        }
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// The comparison of a decoder's frames with the expected frames of one capture.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// Every field of every frame both have, in frame and field order.
    pub fields: Vec<FieldResult>,
    /// Expected frames the decoder did not report.
    pub missing_frames: Vec<u32>,
    /// Frames the decoder reported that were not expected (or twice).
    pub extra_frames: Vec<u32>,
    /// Frames the decoder flagged malformed (with any reason).
    pub flagged_frames: Vec<u32>,
    /// What the decoder printed that the protocol does not allow.
    pub problems: Vec<ProtocolProblem>,
}

/// Counts of verdicts, for a field group or a whole run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Fields matched.
    pub matched: usize,
    /// Fields mismatched.
    pub mismatched: usize,
    /// Fields not reported.
    pub not_reported: usize,
    /// Fields reported but not expected.
    pub unexpected: usize,
    /// Known differences on expected fields.
    pub known: usize,
    /// Known differences on fields not expected (listed, not counted as expected).
    #[serde(default)]
    pub known_unexpected: usize,
}

impl Tally {
    /// Adds one verdict.
    pub fn add(&mut self, v: &FieldVerdict) {
        match v {
            FieldVerdict::Match => self.matched += 1,
            FieldVerdict::Mismatch { .. } => self.mismatched += 1,
            FieldVerdict::NotReported { .. } => self.not_reported += 1,
            FieldVerdict::Unexpected { .. } => self.unexpected += 1,
            FieldVerdict::Known { expected, .. } if expected == ABSENT => self.known_unexpected += 1,
            FieldVerdict::Known { .. } => self.known += 1,
        }
    }

    /// Adds another tally.
    pub fn merge(&mut self, o: &Tally) {
        self.matched += o.matched;
        self.mismatched += o.mismatched;
        self.not_reported += o.not_reported;
        self.unexpected += o.unexpected;
        self.known += o.known;
        self.known_unexpected += o.known_unexpected;
    }

    /// Expected fields (everything but unexpected ones).
    pub fn expected(&self) -> usize {
        self.matched + self.mismatched + self.not_reported + self.known
    }

    /// Expected fields the decoder reported a value for.
    pub fn reported(&self) -> usize {
        self.matched + self.mismatched + self.known
    }

    /// How the decoder supports this group.
    pub fn support(&self) -> Support {
        if self.expected() == 0 {
            Support::NotExercised
        } else if self.reported() == 0 {
            Support::NotSupported
        } else if self.not_reported == 0 {
            Support::Full
        } else {
            Support::Partial
        }
    }
}

/// Whether a decoder reports a field group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Support {
    /// Every expected field of the group is reported.
    Full,
    /// Some are.
    Partial,
    /// None is: the decoder does not support the group.
    NotSupported,
    /// No vector expected any field of the group.
    NotExercised,
}

impl Comparison {
    /// Whether any field, frame or protocol rule is wrong.
    pub fn has_failures(&self) -> bool {
        !self.missing_frames.is_empty()
            || !self.extra_frames.is_empty()
            || !self.problems.is_empty()
            || self.fields.iter().any(|f| f.verdict.is_failure())
    }

    /// The failing fields, subject fields first.
    pub fn failures(&self) -> impl Iterator<Item = &FieldResult> {
        let subject = self.fields.iter().filter(|f| f.subject && f.verdict.is_failure());
        subject.chain(self.fields.iter().filter(|f| !f.subject && f.verdict.is_failure()))
    }

    /// Verdict counts per field group.
    pub fn tally(&self) -> BTreeMap<FieldGroup, Tally> {
        let mut t: BTreeMap<FieldGroup, Tally> = BTreeMap::new();
        for f in &self.fields {
            t.entry(f.group).or_default().add(&f.verdict);
        }
        t
    }
}

/// A value as a report shows it: numbers and booleans as JSON, strings bare,
/// lists as `[a, b]`.
pub fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

/// Whether two leaf values are the same reading, by the registry's kind of
/// the field: MAC addresses and hex case-insensitively, IPv6 addresses as
/// addresses, everything else exactly.
///
/// ```
/// use conformance::compare::same;
/// use serde_json::json;
/// assert!(same("inner.eth.src", &json!("02:ab:cd:00:00:01"), &json!("02:AB:CD:00:00:01")));
/// assert!(same("inner.ipv6.dst", &json!("2001:db8::1"), &json!("2001:0db8:0:0::1")));
/// assert!(!same("app.http.host", &json!("Example"), &json!("example")));
/// ```
pub fn same(path: &str, expected: &Value, got: &Value) -> bool {
    if expected == got {
        return true;
    }
    let kind = registry::field(path).map(|f| f.kind);
    match (kind, expected, got) {
        (Some(Kind::Mac | Kind::Hex), Value::String(a), Value::String(b)) => a.eq_ignore_ascii_case(b),
        (Some(Kind::Ipv6), Value::String(a), Value::String(b)) => {
            matches!((a.parse::<Ipv6Addr>(), b.parse::<Ipv6Addr>()), (Ok(x), Ok(y)) if x == y)
        }
        (_, Value::Number(a), Value::Number(b)) => a.as_u64().is_some() && a.as_u64() == b.as_u64(),
        _ => false,
    }
}

/// Whether concrete leaf `path` is named by subject entry `subject`: the
/// same field (indices ignored), or a layer holding it (`app.tls`, `inner.vlan[]`).
///
/// ```
/// use conformance::compare::in_subject;
/// assert!(in_subject("inner.vlan[1].vid", "inner.vlan[].vid"));
/// assert!(in_subject("app.tls.sni", "app.tls"));
/// assert!(!in_subject("app.tlsx", "app.tls"));
/// assert!(in_subject("frame.malformed.reason", "frame.malformed"));
/// ```
pub fn in_subject(path: &str, subject: &str) -> bool {
    let generic = generic_cow(path);
    let generic = generic.as_ref();
    generic == subject
        || generic.strip_prefix(subject).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// `path` with its list indices left out, allocating only when it has any.
fn generic_cow(path: &str) -> std::borrow::Cow<'_, str> {
    if path.contains('[') {
        generic_path(path).into()
    } else {
        path.into()
    }
}

fn is_subject(path: &str, subject: &[String]) -> bool {
    subject.iter().any(|s| in_subject(path, s))
}

/// Compares the leaves of one frame.
fn compare_frame(
    expected: &FrameDissection,
    got: &FrameDissection,
    known: &[KnownDifference],
    subject: &[String],
    out: &mut Vec<FieldResult>,
) {
    let number = expected.frame.number;
    let (mut e, mut g) = (leaves(expected), leaves(got));
    e.remove("frame.number");
    g.remove("frame.number");
    let truncated = expected.frame.truncated == Some(true);
    let known_note = |path: &str| {
        let generic = generic_cow(path);
        known
            .iter()
            .find(|k| (k.path == generic || k.path == path) && (truncated || !k.only_truncated))
            .map(|k| k.note.clone())
    };
    // A frame flagged `other` names no rule, so the layer it blames is its own affair.
    let other = g.get("frame.malformed.reason").and_then(Value::as_str) == Some("other");
    let result = |path: &str, verdict| FieldResult {
        frame: number,
        group: FieldGroup::of(path),
        subject: is_subject(path, subject),
        path: path.to_owned(),
        verdict,
    };
    for (path, want) in &e {
        let verdict = match g.get(path) {
            None => FieldVerdict::NotReported { expected: show(want) },
            // `other` flags the frame without naming a rule: neither reason nor layer is reported.
            Some(_) if other && path.starts_with("frame.malformed.") => {
                FieldVerdict::NotReported { expected: show(want) }
            }
            Some(have) if same(path, want, have) => FieldVerdict::Match,
            Some(have) => match known_note(path) {
                Some(note) => FieldVerdict::Known { expected: show(want), got: show(have), note },
                None => FieldVerdict::Mismatch { expected: show(want), got: show(have) },
            },
        };
        out.push(result(path, verdict));
    }
    for (path, have) in &g {
        if e.contains_key(path) {
            continue;
        }
        // Zero padding is no padding; a malformation's layer goes with its reason.
        if path.ends_with("padding_len") && have.as_u64() == Some(0) {
            continue;
        }
        if path == "frame.malformed.layer" && e.contains_key("frame.malformed.reason") {
            continue;
        }
        let verdict = match known_note(path) {
            Some(note) => FieldVerdict::Known { expected: ABSENT.into(), got: show(have), note },
            None => FieldVerdict::Unexpected { got: show(have) },
        };
        out.push(result(path, verdict));
    }
}

/// Compares a decoder's frames with the expected frames of one capture,
/// matching them by `frame.number`, marking the fields `subject` names.
pub fn compare_frames(
    expected: &[FrameDissection],
    got: &Decoded,
    known: &[KnownDifference],
    subject: &[String],
) -> Comparison {
    let mut c = Comparison { problems: got.problems.clone(), ..Comparison::default() };
    let mut by_number: BTreeMap<u32, &FrameDissection> = BTreeMap::new();
    for g in &got.frames {
        if g.frame.malformed.is_some() {
            c.flagged_frames.push(g.frame.number);
        }
        if by_number.insert(g.frame.number, g).is_some()
            || !expected.iter().any(|e| e.frame.number == g.frame.number)
        {
            c.extra_frames.push(g.frame.number);
        }
    }
    c.extra_frames.sort_unstable();
    c.extra_frames.dedup();
    for e in expected {
        match by_number.get(&e.frame.number) {
            Some(g) => compare_frame(e, g, known, subject, &mut c.fields),
            None => c.missing_frames.push(e.frame.number),
        }
    }
    c
}

/// What became of one vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every subject field reported and right, nothing else wrong.
    Pass,
    /// Some subject field missing, or some field wrong.
    Fail,
    /// An `acceptable` vector read as one of its named readings (the
    /// verdict says which).
    Acceptable,
    /// The decoder reported none of the vector's subject fields, and
    /// nothing wrong: it does not dissect what the vector tests. Never a
    /// pass; it fails the run unless allowed (`--allow-unsupported`).
    NotSupported,
    /// The decoder failed to run (crashed, timed out, printed garbage).
    Error,
    /// Failed, and listed in the expect-fail file.
    ExpectedFail,
    /// Listed in the expect-fail file but passed: the list is stale.
    UnexpectedPass,
    /// Listed in the skip file; not run.
    Skipped,
}

impl Outcome {
    /// Whether this outcome fails the run whatever the options (not
    /// supported fails it too, unless allowed: see the runner).
    pub fn is_failure(self) -> bool {
        matches!(self, Outcome::Fail | Outcome::Error | Outcome::UnexpectedPass)
    }

    /// Its name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "FAIL",
            Outcome::Acceptable => "acceptable",
            Outcome::NotSupported => "NOT SUPPORTED",
            Outcome::Error => "ERROR",
            Outcome::ExpectedFail => "expected fail",
            Outcome::UnexpectedPass => "UNEXPECTED PASS",
            Outcome::Skipped => "skipped",
        }
    }

    /// Whether a person would count it as passed in a summary (pass, acceptable).
    pub fn counts_as_passed(self) -> bool {
        matches!(self, Outcome::Pass | Outcome::Acceptable)
    }
}

/// One allowed reading of a vector: a complete expected dissection and the
/// fields the vector tests under it. `valid` and `invalid` vectors have one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// Its name (`as-found`, `flagged`); empty for the one reading of a
    /// `valid` or `invalid` vector.
    pub name: String,
    /// The expected frames.
    pub frames: Vec<FrameDissection>,
    /// Generic field or layer paths the vector exists to test.
    pub subject: Vec<String>,
}

impl Reading {
    /// The one, unnamed reading of a `valid` or `invalid` vector.
    pub fn single(frames: Vec<FrameDissection>, subject: &[&str]) -> Reading {
        Reading { name: String::new(), frames, subject: subject.iter().map(|s| (*s).to_owned()).collect() }
    }
}

/// The verdict on one vector and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judgement {
    /// The outcome.
    pub outcome: Outcome,
    /// One line per reason it is not a plain pass, the subject's fields
    /// first (a missing or wrong subject field, a protocol problem, a
    /// missing frame, any other wrong field).
    pub reasons: Vec<String>,
    /// The reading judged: the one matched (acceptable vectors), or the
    /// closest one when none matched.
    pub reading: Option<String>,
    /// The comparison under that reading.
    #[serde(skip)]
    pub comparison: Comparison,
}

/// How one reading went.
struct ReadingVerdict {
    outcome: Outcome,
    reasons: Vec<String>,
    comparison: Comparison,
    /// Subject leaves reported and right, for choosing the closest reading.
    subject_right: usize,
    wrong: usize,
}

fn judge_reading(
    result: Expected,
    reading: &Reading,
    got: &Decoded,
    known: &[KnownDifference],
) -> ReadingVerdict {
    let c = compare_frames(&reading.frames, got, known, &reading.subject);
    let mut subject_reasons = Vec::new();
    let mut subject_total = 0usize;
    let mut subject_reported = 0usize;
    let mut subject_right = 0usize;
    // A subject naming `frame.malformed` asks whether the frame is flagged at all.
    let wants_flag = reading.subject.iter().any(|s| s == "frame.malformed");
    for e in &reading.frames {
        let n = e.frame.number;
        if c.missing_frames.contains(&n) {
            continue;
        }
        if wants_flag && e.frame.malformed.is_some() {
            subject_total += 1;
            if c.flagged_frames.contains(&n) {
                subject_reported += 1;
                subject_right += 1;
            } else {
                let reason = e.frame.malformed.as_ref().map(|m| m.reason);
                subject_reasons.push(format!(
                    "frame {n}: not flagged as malformed (expected frame.malformed.reason = {})",
                    reason
                        .map(|r| serde_json::to_value(r).map(|v| show(&v)).unwrap_or_default())
                        .unwrap_or_default()
                ));
            }
        }
    }
    let counted = |f: &FieldResult| f.subject && !(wants_flag && f.path.starts_with("frame.malformed."));
    for f in c.fields.iter().filter(|f| counted(f) && !matches!(f.verdict, FieldVerdict::Unexpected { .. })) {
        subject_total += 1;
        if f.verdict.is_reported() {
            subject_reported += 1;
        }
        match &f.verdict {
            FieldVerdict::Match | FieldVerdict::Known { .. } => subject_right += 1,
            FieldVerdict::NotReported { .. } | FieldVerdict::Mismatch { .. } => {
                subject_reasons.push(describe(f))
            }
            FieldVerdict::Unexpected { .. } => {}
        }
    }
    let mut other_reasons: Vec<String> = c.problems.iter().map(|p| format!("{p} (protocol)")).collect();
    for n in &c.missing_frames {
        other_reasons.push(format!("frame {n}: missing (the decoder did not report it)"));
    }
    for n in &c.extra_frames {
        other_reasons.push(format!("frame {n}: extra (not in the capture, or reported twice)"));
    }
    // Wrong fields not listed above: a subject mismatch is; an unexpected
    // field, or a named malformation reason other than the expected one
    // where the flag itself is the subject, is not.
    other_reasons.extend(
        c.failures()
            .filter(|f| !(counted(f) && matches!(f.verdict, FieldVerdict::Mismatch { .. })))
            .map(describe),
    );
    let wrong = other_reasons.len() + subject_reasons.iter().filter(|r| !r.contains("not reported")).count();
    let outcome = if subject_total > 0 && subject_reported == 0 && other_reasons.is_empty() {
        // An invalid frame dissected without objection is read wrongly, not unsupported.
        if result == Expected::Invalid
            && c.fields.iter().any(|f| f.verdict.is_reported() && f.group != FieldGroup::Frame)
        {
            Outcome::Fail
        } else {
            Outcome::NotSupported
        }
    } else if subject_reasons.is_empty() && other_reasons.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail
    };
    let mut reasons = subject_reasons;
    reasons.extend(other_reasons);
    if outcome == Outcome::NotSupported {
        reasons = vec![format!(
            "the decoder reported none of the fields this vector tests ({})",
            reading.subject.join(", ")
        )];
    }
    ReadingVerdict { outcome, reasons, comparison: c, subject_right, wrong }
}

/// Judges a vector: `result` is the manifest's, `readings` its allowed
/// readings (one for `valid` and `invalid` vectors), `got` what the decoder
/// reported, `known` its declared known differences, `expect_fail` whether
/// the vector is in the expect-fail list.
///
/// For an `invalid` vector the subject names `frame.malformed`: each frame
/// expected malformed must be flagged (any reason; a different named reason
/// is a mismatch), and a frame dissected without being flagged fails.
///
/// ```
/// use conformance::compare::{judge, Outcome, Reading};
/// use conformance::decoder::Decoded;
/// use generator::dissection::{FrameDissection, FrameFacts, Malformation, MalformedReason, Outer, Udp};
/// use generator::vectors::manifest::Expected;
///
/// let mut bad = FrameDissection::new(FrameFacts::complete(1, 46));
/// bad.outer = Some(Outer { udp: Some(Udp { dst_port: Some(4789), ..Udp::default() }), ..Outer::default() });
/// let mut silent = bad.clone();
/// bad.frame.malformed = Some(Malformation { reason: MalformedReason::VxlanHeaderTruncated, layer: Some("vxlan".into()) });
/// let reading = Reading::single(vec![bad], &["frame.malformed"]);
/// let j = judge(Expected::Invalid, &[reading], &Decoded::from(vec![silent]), &[], false);
/// assert_eq!(j.outcome, Outcome::Fail);
/// assert!(j.reasons[0].contains("not flagged as malformed"));
/// ```
pub fn judge(
    result: Expected,
    readings: &[Reading],
    got: &Decoded,
    known: &[KnownDifference],
    expect_fail: bool,
) -> Judgement {
    let verdicts: Vec<ReadingVerdict> =
        readings.iter().map(|r| judge_reading(result, r, got, known)).collect();
    let named = |i: usize| Some(readings[i].name.clone()).filter(|n| !n.is_empty());
    // The first reading that passes; otherwise the closest: most subject
    // fields right, then fewest wrong fields, then manifest order.
    let passing = verdicts.iter().position(|v| v.outcome == Outcome::Pass);
    let chosen = passing.unwrap_or_else(|| {
        (0..verdicts.len())
            .min_by_key(|&i| (usize::MAX - verdicts[i].subject_right, verdicts[i].wrong, i))
            .unwrap_or(0)
    });
    let Some(v) = verdicts.into_iter().nth(chosen) else {
        return Judgement {
            outcome: Outcome::Error,
            reasons: vec!["the vector has no expected reading".into()],
            reading: None,
            comparison: Comparison::default(),
        };
    };
    let mut reasons = v.reasons;
    let mut outcome = v.outcome;
    if result == Expected::Acceptable && readings.len() > 1 {
        match outcome {
            Outcome::Pass => {
                outcome = Outcome::Acceptable;
                reasons.insert(0, format!("read as the allowed reading {:?}", readings[chosen].name));
            }
            Outcome::Fail => reasons.insert(
                0,
                format!(
                    "matches none of the allowed readings ({}); closest: {:?}",
                    readings.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", "),
                    readings[chosen].name
                ),
            ),
            _ => {}
        }
    }
    match (expect_fail, outcome) {
        (true, Outcome::Fail | Outcome::NotSupported) => outcome = Outcome::ExpectedFail,
        (true, _) => {
            reasons.push("listed in the expect-fail file but passes: remove it from the list".into());
            outcome = Outcome::UnexpectedPass;
        }
        _ => {}
    }
    Judgement { outcome, reasons, reading: named(chosen), comparison: v.comparison }
}

/// The subject leaves of a reading that its expected frames hold, each once
/// as `(generic path)`: a vector whose subject names nothing it holds is
/// a broken vector (the corpus tests check this).
pub fn subject_paths_held(reading: &Reading) -> BTreeSet<String> {
    let mut held = BTreeSet::new();
    for f in &reading.frames {
        for path in leaves(f).keys() {
            for s in reading.subject.iter().filter(|s| in_subject(path, s)) {
                held.insert(s.clone());
            }
        }
    }
    held
}

/// One line about a field: `frame 1 vxlan.vni: expected 9999999, got 8361624 [RFC 7348 section 5]`.
pub fn describe(f: &FieldResult) -> String {
    let spec = f.spec().map(|s| format!(" [{s}]")).unwrap_or_default();
    match &f.verdict {
        FieldVerdict::Match => format!("frame {} {}: matches", f.frame, f.path),
        FieldVerdict::Mismatch { expected, got } => {
            format!("frame {} {}: expected {expected}, got {got}{spec}", f.frame, f.path)
        }
        FieldVerdict::NotReported { expected } => {
            format!("frame {} {}: not reported (expected {expected}){spec}", f.frame, f.path)
        }
        FieldVerdict::Unexpected { got } => {
            format!(
                "frame {} {}: reported {got}, but the field is not in the expected dissection{spec}",
                f.frame, f.path
            )
        }
        FieldVerdict::Known { expected, got, note } => {
            format!("frame {} {}: expected {expected}, got {got} (known difference: {note})", f.frame, f.path)
        }
    }
}

#[cfg(test)]
mod tests;
