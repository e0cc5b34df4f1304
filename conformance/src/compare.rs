//! Field-by-field comparison of a decoder's dissection with the expected
//! one, and the verdict on each vector. All judgement lives here: adapters
//! only translate a tool's output into the model.
//!
//! Both dissections are flattened into *leaves*: dotted paths to scalar
//! values, with `[i]` for the i-th element of a list of layers
//! (`inner.vlan[1].vid`, `geneve.options[0].data`); a list of scalars
//! (`app.tls.record_content_types`) is one leaf. Each leaf of the expected
//! frame gets a [`FieldVerdict`]:
//!
//! * [`FieldVerdict::Match`]: the decoder reports the same value;
//! * [`FieldVerdict::Mismatch`]: it reports another value;
//! * [`FieldVerdict::NotReported`]: it omits the field (it does not know
//!   it): not a failure, but counted, so that a report can say "GBP not
//!   supported";
//! * [`FieldVerdict::Known`]: a mismatch on a field where this decoder is
//!   known to read differently (see [`known_differences`]): listed, not failed;
//!
//! and each leaf the decoder reports that the expected frame does not have
//! (a value for bytes that were not captured, a malformation on a
//! well-formed frame) is [`FieldVerdict::Unexpected`]. Frames are matched
//! by `frame.number`; an expected frame the decoder does not report is
//! missing, a reported frame not expected is extra.
//!
//! ```
//! use conformance::compare::{compare_frames, FieldGroup, FieldVerdict};
//! use generator::dissection::{FrameDissection, FrameFacts, Vxlan};
//!
//! let mut expected = FrameDissection::new(FrameFacts::complete(1, 124));
//! expected.vxlan = Some(Vxlan { vni: Some(9_999_999), flag_g: Some(false), ..Vxlan::default() });
//! let mut got = expected.clone();
//! got.vxlan = Some(Vxlan { vni: Some(0x7f9698), ..Vxlan::default() }); // bytes swapped, no G flag
//!
//! let c = compare_frames(&[expected], &[got], &[]);
//! let vni = c.fields.iter().find(|f| f.path == "vxlan.vni").unwrap();
//! assert_eq!(vni.verdict, FieldVerdict::Mismatch { expected: "9999999".into(), got: "8361624".into() });
//! assert_eq!(vni.group, FieldGroup::VxlanCore);
//! let g = c.fields.iter().find(|f| f.path == "vxlan.flag_g").unwrap();
//! assert!(matches!(g.verdict, FieldVerdict::NotReported { .. }));
//! assert_eq!(g.group, FieldGroup::Gbp);
//! assert!(c.has_failures());
//! ```

use generator::dissection::{tshark, FrameDissection};
use generator::vectors::corpus::Expected;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// The groups of fields a report summarises support by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldGroup {
    /// Capture facts: lengths, truncation, malformation (`frame.*`).
    Frame,
    /// The outermost Ethernet, IPv4, UDP (`outer.*`).
    Outer,
    /// GENEVE of a Gateway Load Balancer and the copy's IPv4 / UDP in it (`geneve.*`).
    Geneve,
    /// The RFC 7348 reading of VXLAN: `flags8`, `flag_i`, `reserved24`, `vni`, `reserved8`.
    VxlanCore,
    /// The Group Policy reading: `flags16`, `flag_g`, `flag_d`, `flag_a`,
    /// `reserved_flags`, `group_policy_id` (draft-smith-vxlan-group-policy).
    Gbp,
    /// The mirrored frame (`inner.*`).
    Inner,
    /// Application facts (`app.*`).
    App,
}

impl FieldGroup {
    /// Every group, in report order.
    pub const ALL: [FieldGroup; 7] = [
        FieldGroup::Frame,
        FieldGroup::Outer,
        FieldGroup::Geneve,
        FieldGroup::VxlanCore,
        FieldGroup::Gbp,
        FieldGroup::Inner,
        FieldGroup::App,
    ];

    /// The group a leaf path belongs to.
    ///
    /// ```
    /// use conformance::compare::FieldGroup;
    /// assert_eq!(FieldGroup::of("vxlan.group_policy_id"), FieldGroup::Gbp);
    /// assert_eq!(FieldGroup::of("vxlan.reserved24"), FieldGroup::VxlanCore);
    /// assert_eq!(FieldGroup::of("inner.vlan[0].vid"), FieldGroup::Inner);
    /// ```
    pub fn of(path: &str) -> FieldGroup {
        const GBP: [&str; 6] = [
            "vxlan.flags16",
            "vxlan.flag_g",
            "vxlan.flag_d",
            "vxlan.flag_a",
            "vxlan.reserved_flags",
            "vxlan.group_policy_id",
        ];
        match path.split(['.', '[']).next().unwrap_or("") {
            "frame" => FieldGroup::Frame,
            "outer" => FieldGroup::Outer,
            "geneve" => FieldGroup::Geneve,
            "vxlan" if GBP.contains(&path) => FieldGroup::Gbp,
            "vxlan" => FieldGroup::VxlanCore,
            "inner" => FieldGroup::Inner,
            _ => FieldGroup::App,
        }
    }

    /// Its name in reports: `frame`, `outer`, `geneve`, `vxlan-core`, `gbp`, `inner`, `app`.
    pub fn name(self) -> &'static str {
        match self {
            FieldGroup::Frame => "frame",
            FieldGroup::Outer => "outer",
            FieldGroup::Geneve => "geneve",
            FieldGroup::VxlanCore => "vxlan-core",
            FieldGroup::Gbp => "gbp",
            FieldGroup::Inner => "inner",
            FieldGroup::App => "app",
        }
    }

    /// How a person names it: `GBP`, `GENEVE`, `VXLAN (RFC 7348)`, ...
    pub fn title(self) -> &'static str {
        match self {
            FieldGroup::Frame => "frame facts",
            FieldGroup::Outer => "outer headers",
            FieldGroup::Geneve => "GENEVE",
            FieldGroup::VxlanCore => "VXLAN (RFC 7348)",
            FieldGroup::Gbp => "GBP",
            FieldGroup::Inner => "inner headers",
            FieldGroup::App => "application facts",
        }
    }
}

impl fmt::Display for FieldGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

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
    /// A mismatch where this decoder is known to read differently: listed,
    /// not failed.
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
    /// Whether this verdict fails a `valid` vector.
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
    /// The verdict.
    #[serde(flatten)]
    pub verdict: FieldVerdict,
}

impl FieldResult {
    /// The specification clause defining the field (from
    /// `generator::dissection::tshark::FIELD_MAP`), if known.
    pub fn spec(&self) -> Option<&'static str> {
        spec_of(&self.path)
    }
}

/// The clause that defines the field at a leaf path, from the model's field map.
///
/// ```
/// assert_eq!(conformance::compare::spec_of("inner.vlan[1].vid"), Some("IEEE 802.1Q clause 9.6"));
/// assert_eq!(conformance::compare::spec_of("vxlan.vni"), Some("RFC 7348 section 5"));
/// ```
pub fn spec_of(path: &str) -> Option<&'static str> {
    let generic = generic_path(path);
    tshark::field(&generic).map(|f| f.spec)
}

/// `inner.vlan[1].vid` -> `inner.vlan[].vid`.
pub fn generic_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut skipping = false;
    for c in path.chars() {
        match c {
            '[' => {
                skipping = true;
                out.push('[');
            }
            ']' => {
                skipping = false;
                out.push(']');
            }
            _ if skipping => {}
            c => out.push(c),
        }
    }
    out
}

/// A field where a decoder is known to differ from the model, with why.
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

/// Why tshark flags a cut copy: the note of its known difference on
/// `frame.malformed` (evidence: `tshark -V -r vectors/packet-length/packet-length-40.pcap`).
pub const TSHARK_CUT_COPY_NOTE: &str =
    "tshark flags a copy cut by PacketLength or the MTU as [Malformed Packet] (with expert info such as \
     \"IPv4 total length exceeds packet length\" or \"Short segment\"): it cannot know that AWS cut the copy \
     by design, and the frame is a valid AWS copy";

/// The known differences of a built-in decoder: for `tshark`, the notes of
/// the model's field map (docs/dissection.md, "Known tshark differences"),
/// and its flagging of cut copies as malformed ([`TSHARK_CUT_COPY_NOTE`]).
///
/// ```
/// let known = conformance::compare::known_differences("tshark");
/// assert!(known.iter().any(|k| k.path == "inner.tcp.payload_len"));
/// assert!(conformance::compare::known_differences("reference").is_empty());
/// ```
pub fn known_differences(decoder: &str) -> Vec<KnownDifference> {
    match decoder {
        "tshark" => tshark::FIELD_MAP
            .iter()
            .filter_map(|f| {
                f.tshark_note.map(|n| KnownDifference {
                    path: f.path.to_owned(),
                    note: n.to_owned(),
                    only_truncated: false,
                })
            })
            .chain(["frame.malformed.reason", "frame.malformed.layer"].map(|path| KnownDifference {
                path: path.to_owned(),
                note: TSHARK_CUT_COPY_NOTE.to_owned(),
                only_truncated: true,
            }))
            .collect(),
        _ => Vec::new(),
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
    /// Whether any field or frame fails a `valid` vector.
    pub fn has_failures(&self) -> bool {
        !self.missing_frames.is_empty()
            || !self.extra_frames.is_empty()
            || self.fields.iter().any(|f| f.verdict.is_failure())
    }

    /// The failing fields.
    pub fn failures(&self) -> impl Iterator<Item = &FieldResult> {
        self.fields.iter().filter(|f| f.verdict.is_failure())
    }

    /// Verdict counts per field group.
    pub fn tally(&self) -> BTreeMap<FieldGroup, Tally> {
        let mut t: BTreeMap<FieldGroup, Tally> = BTreeMap::new();
        for f in &self.fields {
            t.entry(f.group).or_default().add(&f.verdict);
        }
        t
    }

    /// Whether the decoder reported any expected field at all, or flagged a frame.
    pub fn reported_anything(&self) -> bool {
        !self.flagged_frames.is_empty()
            || self
                .fields
                .iter()
                .any(|f| f.verdict.is_reported() && !matches!(f.verdict, FieldVerdict::Unexpected { .. }))
    }
}

/// Flattens a JSON value into leaves; `frame.number` is left out (frames
/// are matched by it).
fn leaves(value: &Value, prefix: &str, out: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                if path != "frame.number" {
                    leaves(v, &path, out);
                }
            }
        }
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object) => {
            for (i, v) in items.iter().enumerate() {
                leaves(v, &format!("{prefix}[{i}]"), out);
            }
        }
        Value::Null => {}
        Value::Array(items) if items.is_empty() => {}
        other => {
            out.insert(prefix.to_owned(), other.clone());
        }
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

/// Whether two leaf values are the same reading. MAC addresses and hex
/// byte strings compare case-insensitively; everything else exactly.
fn same(path: &str, expected: &Value, got: &Value) -> bool {
    if expected == got {
        return true;
    }
    let case_insensitive = path.ends_with("eth.src") || path.ends_with("eth.dst") || path.ends_with(".data");
    match (expected, got) {
        (Value::String(a), Value::String(b)) if case_insensitive => a.eq_ignore_ascii_case(b),
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => false,
    }
}

/// Compares the leaves of one frame.
fn compare_frame(
    number: u32,
    expected: &FrameDissection,
    got: &FrameDissection,
    known: &[KnownDifference],
    out: &mut Vec<FieldResult>,
) {
    let (mut e, mut g) = (BTreeMap::new(), BTreeMap::new());
    leaves(&serde_json::to_value(expected).unwrap_or(Value::Null), "", &mut e);
    leaves(&serde_json::to_value(got).unwrap_or(Value::Null), "", &mut g);
    let truncated = expected.frame.truncated == Some(true);
    let known_note = |path: &str| {
        let generic = generic_path(path);
        known
            .iter()
            .find(|k| (k.path == generic || k.path == path) && (truncated || !k.only_truncated))
            .map(|k| k.note.clone())
    };
    // A frame flagged `other` names no rule, so the layer it blames is its own affair.
    let other = g.get("frame.malformed.reason").and_then(Value::as_str) == Some("other");
    for (path, want) in &e {
        let verdict = match g.get(path) {
            None => FieldVerdict::NotReported { expected: show(want) },
            Some(_) if other && path == "frame.malformed.layer" => {
                FieldVerdict::NotReported { expected: show(want) }
            }
            // `other` flags the frame without naming a rule: the reason is not reported.
            Some(Value::String(r)) if path == "frame.malformed.reason" && r == "other" => {
                FieldVerdict::NotReported { expected: show(want) }
            }
            Some(have) if same(path, want, have) => FieldVerdict::Match,
            Some(have) => match known_note(path) {
                Some(note) => FieldVerdict::Known { expected: show(want), got: show(have), note },
                None => FieldVerdict::Mismatch { expected: show(want), got: show(have) },
            },
        };
        out.push(FieldResult { frame: number, group: FieldGroup::of(path), path: path.clone(), verdict });
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
        out.push(FieldResult { frame: number, group: FieldGroup::of(path), path: path.clone(), verdict });
    }
}

/// Compares a decoder's frames with the expected frames of one capture,
/// matching them by `frame.number`.
pub fn compare_frames(
    expected: &[FrameDissection],
    got: &[FrameDissection],
    known: &[KnownDifference],
) -> Comparison {
    let mut c = Comparison::default();
    let mut by_number: BTreeMap<u32, &FrameDissection> = BTreeMap::new();
    for g in got {
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
            Some(g) => compare_frame(e.frame.number, e, g, known, &mut c.fields),
            None => c.missing_frames.push(e.frame.number),
        }
    }
    c
}

/// What became of one vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The decoder did what the manifest asks.
    Pass,
    /// It did not.
    Fail,
    /// An `acceptable` vector where the decoder took the other allowed
    /// reading (or misread it): listed, not failed.
    Acceptable,
    /// The decoder reported none of the expected fields (only frame
    /// numbers): it does not dissect this vector at all. Not a failure.
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
    /// Whether this outcome fails the run (exit status 1).
    pub fn is_failure(self) -> bool {
        matches!(self, Outcome::Fail | Outcome::Error | Outcome::UnexpectedPass)
    }

    /// Its name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "FAIL",
            Outcome::Acceptable => "acceptable",
            Outcome::NotSupported => "not supported",
            Outcome::Error => "ERROR",
            Outcome::ExpectedFail => "expected fail",
            Outcome::UnexpectedPass => "UNEXPECTED PASS",
            Outcome::Skipped => "skipped",
        }
    }

    /// Whether a person would count it as passed in a summary (pass,
    /// acceptable, expected fail).
    pub fn counts_as_passed(self) -> bool {
        matches!(self, Outcome::Pass | Outcome::Acceptable)
    }
}

/// The verdict on one vector and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judgement {
    /// The outcome.
    pub outcome: Outcome,
    /// One line per reason it is not a plain pass (a missing frame, the
    /// first mismatches, an unflagged invalid frame).
    pub reasons: Vec<String>,
}

/// Judges a vector from its comparison: `result` is the manifest's,
/// `expected` the expected frames, `expect_fail` whether the vector is in
/// the expect-fail list.
///
/// * `valid`: passes when no field mismatches, no unexpected field is
///   reported and no frame is missing or extra;
/// * `invalid`: in addition, every frame the expected file marks
///   `malformed` must be flagged malformed by the decoder (any reason; a
///   different named reason is a mismatch);
/// * `acceptable`: judged as `valid`, and a failure becomes
///   [`Outcome::Acceptable`].
///
/// ```
/// use conformance::compare::{compare_frames, judge, Outcome};
/// use generator::dissection::{FrameDissection, FrameFacts, Malformation, MalformedReason};
/// use generator::vectors::corpus::Expected;
///
/// let mut bad = FrameDissection::new(FrameFacts::complete(1, 46));
/// bad.frame.malformed = Some(Malformation { reason: MalformedReason::VxlanHeaderTruncated, layer: Some("vxlan".into()) });
/// let silent = FrameDissection::new(FrameFacts::complete(1, 46));
/// let c = compare_frames(&[bad.clone()], &[silent], &[]);
/// let j = judge(Expected::Invalid, &[bad], &c, false);
/// assert_eq!(j.outcome, Outcome::Fail);
/// assert!(j.reasons[0].contains("not flagged as malformed"));
/// ```
pub fn judge(result: Expected, expected: &[FrameDissection], c: &Comparison, expect_fail: bool) -> Judgement {
    let mut reasons = Vec::new();
    for n in &c.missing_frames {
        reasons.push(format!("frame {n}: missing (the decoder did not report it)"));
    }
    for n in &c.extra_frames {
        reasons.push(format!("frame {n}: extra (not in the capture, or reported twice)"));
    }
    if result == Expected::Invalid {
        for e in expected.iter().filter(|e| e.frame.malformed.is_some()) {
            let n = e.frame.number;
            if c.missing_frames.contains(&n) {
                continue;
            }
            let flagged = c.flagged_frames.contains(&n);
            let reason = e.frame.malformed.as_ref().map(|m| m.reason);
            if !flagged {
                reasons.push(format!(
                    "frame {n}: not flagged as malformed (expected frame.malformed.reason = {})",
                    reason
                        .map(|r| serde_json::to_value(r).map(|v| show(&v)).unwrap_or_default())
                        .unwrap_or_default()
                ));
            }
        }
    }
    for f in c.failures() {
        reasons.push(describe(f));
    }
    let failed = !reasons.is_empty();
    let outcome = match (failed, result, expect_fail) {
        (true, _, true) => Outcome::ExpectedFail,
        (false, _, true) => {
            reasons.push("listed in the expect-fail file but passes: remove it from the list".into());
            Outcome::UnexpectedPass
        }
        (true, Expected::Acceptable, false) => Outcome::Acceptable,
        (true, _, false) => Outcome::Fail,
        (false, _, false) if !c.reported_anything() && !expected.is_empty() => {
            reasons.push("the decoder reported none of the expected fields".into());
            Outcome::NotSupported
        }
        (false, _, false) => Outcome::Pass,
    };
    Judgement { outcome, reasons }
}

/// One line about a failing field: `frame 1 vxlan.vni: expected 9999999, got 8361624 [RFC 7348 section 5]`.
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
mod tests {
    use super::*;
    use generator::dissection::{Ethernet, FrameFacts, Inner, Malformation, MalformedReason, Outer, Tcp};

    fn frame(n: u32) -> FrameDissection {
        let mut f = FrameDissection::new(FrameFacts::complete(n, 100));
        f.outer = Some(Outer {
            eth: Some(Ethernet {
                dst: Some("02:7c:11:e4:52:9a".into()),
                src: Some("02:9d:44:10:6b:01".into()),
                ethertype: Some(0x0800),
                padding_len: None,
            }),
            ..Outer::default()
        });
        f
    }

    #[test]
    fn macs_compare_case_insensitively_and_zero_padding_is_no_padding() {
        let e = frame(1);
        let mut g = e.clone();
        let eth = g.outer.as_mut().unwrap().eth.as_mut().unwrap();
        eth.dst = Some("02:7C:11:E4:52:9A".into());
        eth.padding_len = Some(0);
        let c = compare_frames(&[e], &[g], &[]);
        assert!(!c.has_failures(), "{c:?}");
    }

    #[test]
    fn extra_and_missing_frames() {
        let c = compare_frames(&[frame(1), frame(2)], &[frame(1), frame(1), frame(3)], &[]);
        assert_eq!(c.missing_frames, [2]);
        assert_eq!(c.extra_frames, [1, 3]);
        let j = judge(Expected::Valid, &[frame(1), frame(2)], &c, false);
        assert_eq!(j.outcome, Outcome::Fail);
        assert!(j.reasons.iter().any(|r| r == "frame 2: missing (the decoder did not report it)"));
    }

    #[test]
    fn a_false_malformation_is_unexpected() {
        let e = frame(1);
        let mut g = e.clone();
        g.frame.malformed = Some(Malformation { reason: MalformedReason::Other, layer: None });
        let c = compare_frames(std::slice::from_ref(&e), &[g], &[]);
        let f = c.failures().next().unwrap();
        assert_eq!(f.path, "frame.malformed.reason");
        assert_eq!(judge(Expected::Valid, &[e], &c, false).outcome, Outcome::Fail);
    }

    #[test]
    fn invalid_vectors_accept_any_flag_but_not_another_named_rule() {
        let mut e = frame(1);
        e.frame.malformed = Some(Malformation {
            reason: MalformedReason::UdpLengthExceedsIpPayload,
            layer: Some("outer.udp".into()),
        });
        let mut other = e.clone();
        other.frame.malformed = Some(Malformation { reason: MalformedReason::Other, layer: None });
        let c = compare_frames(std::slice::from_ref(&e), &[other], &[]);
        assert_eq!(judge(Expected::Invalid, std::slice::from_ref(&e), &c, false).outcome, Outcome::Pass);

        let mut wrong = e.clone();
        wrong.frame.malformed =
            Some(Malformation { reason: MalformedReason::VxlanHeaderTruncated, layer: Some("vxlan".into()) });
        let c = compare_frames(std::slice::from_ref(&e), &[wrong], &[]);
        let j = judge(Expected::Invalid, &[e], &c, false);
        assert_eq!(j.outcome, Outcome::Fail);
        assert!(
            j.reasons
                .iter()
                .any(|r| r.contains("expected udp_length_exceeds_ip_payload, got vxlan_header_truncated")),
            "{j:?}"
        );
    }

    #[test]
    fn acceptable_expect_fail_and_not_supported() {
        let e = frame(1);
        let c = compare_frames(std::slice::from_ref(&e), &[], &[]);
        assert_eq!(
            judge(Expected::Acceptable, std::slice::from_ref(&e), &c, false).outcome,
            Outcome::Acceptable
        );
        assert_eq!(judge(Expected::Valid, std::slice::from_ref(&e), &c, true).outcome, Outcome::ExpectedFail);

        let ok = compare_frames(std::slice::from_ref(&e), std::slice::from_ref(&e), &[]);
        assert_eq!(
            judge(Expected::Valid, std::slice::from_ref(&e), &ok, true).outcome,
            Outcome::UnexpectedPass
        );

        let bare = compare_frames(
            std::slice::from_ref(&e),
            &[FrameDissection::new(FrameFacts { number: 1, ..FrameFacts::default() })],
            &[],
        );
        assert!(!bare.has_failures());
        assert_eq!(judge(Expected::Valid, &[e], &bare, false).outcome, Outcome::NotSupported);
        assert_eq!(bare.tally()[&FieldGroup::Outer].support(), Support::NotSupported);
    }

    #[test]
    fn known_differences_are_listed_not_failed() {
        let mut e = frame(1);
        e.inner =
            Some(Inner { tcp: Some(Tcp { payload_len: Some(134), ..Tcp::default() }), ..Inner::default() });
        let mut g = e.clone();
        g.inner.as_mut().unwrap().tcp.as_mut().unwrap().payload_len = Some(34);
        let c = compare_frames(std::slice::from_ref(&e), &[g.clone()], &known_differences("tshark"));
        assert!(!c.has_failures());
        assert!(matches!(
            c.fields.iter().find(|f| f.path == "inner.tcp.payload_len").unwrap().verdict,
            FieldVerdict::Known { .. }
        ));
        // Another decoder has no such excuse.
        assert!(compare_frames(&[e], &[g], &known_differences("tcpdump")).has_failures());
    }

    #[test]
    fn paths_groups_and_values() {
        assert_eq!(generic_path("geneve.options[12].data"), "geneve.options[].data");
        assert_eq!(FieldGroup::of("app.dns.rcode"), FieldGroup::App);
        assert_eq!(FieldGroup::of("vxlan.flags16"), FieldGroup::Gbp);
        assert_eq!(show(&serde_json::json!([22, 20])), "[22, 20]");
        assert_eq!(show(&serde_json::json!("10.0.1.23")), "10.0.1.23");
    }
}
