//! Failure signatures: a field path and a bug class, as stable text
//! (`vxlan.flag_a: wrong_value`), so that a `--known FILE` of them lets a CI
//! job fail only on new bugs.

use crate::compare::{FieldVerdict, Judgement, Outcome, Reading};
use crate::decoder::DecoderFailure;
use generator::dissection::registry::{generic_path, FieldGroup};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

/// What kind of wrong a signature is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BugClass {
    /// A field reported with another value than expected.
    WrongValue,
    /// A field reported that the expected dissection does not hold (bytes
    /// not captured, a layer that is not there).
    Unexpected,
    /// A subject field not reported.
    NotReported,
    /// A frame expected malformed not flagged.
    NotFlagged,
    /// The decoder reported none of the case's subject fields.
    NotSupported,
    /// A key or value the protocol does not allow (docs/decoder-protocol.md).
    MalformedReading,
    /// An expected frame not reported.
    MissingFrame,
    /// A frame reported that is not in the capture, or twice.
    ExtraFrame,
    /// The decoder crashed, hung, printed garbage or declined the capture.
    DecoderError,
}

impl BugClass {
    /// Its name in signatures.
    pub fn name(self) -> &'static str {
        match self {
            BugClass::WrongValue => "wrong_value",
            BugClass::Unexpected => "unexpected",
            BugClass::NotReported => "not_reported",
            BugClass::NotFlagged => "not_flagged",
            BugClass::NotSupported => "not_supported",
            BugClass::MalformedReading => "malformed_reading",
            BugClass::MissingFrame => "missing_frame",
            BugClass::ExtraFrame => "extra_frame",
            BugClass::DecoderError => "decoder_error",
        }
    }

    /// Every class, for parsing.
    pub const ALL: [BugClass; 9] = [
        BugClass::WrongValue,
        BugClass::Unexpected,
        BugClass::NotReported,
        BugClass::NotFlagged,
        BugClass::NotSupported,
        BugClass::MalformedReading,
        BugClass::MissingFrame,
        BugClass::ExtraFrame,
        BugClass::DecoderError,
    ];
}

/// A failure signature: the generic field path (`inner.vlan[].vid`; `frame`
/// for a whole frame, `decoder` for the decoder itself) and the class.
///
/// ```
/// use conformance::fuzz::signature::{BugClass, Signature};
///
/// let s: Signature = "vxlan.flag_a: wrong_value".parse().unwrap();
/// assert_eq!(s, Signature::new("vxlan.flag_a", BugClass::WrongValue));
/// assert_eq!(s.to_string(), "vxlan.flag_a: wrong_value");
/// assert!("vxlan.flag_a: nonsense".parse::<Signature>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Signature {
    /// The generic field path.
    pub path: String,
    /// The bug class.
    pub class: BugClass,
}

impl Signature {
    /// A signature of `path` (made generic) and `class`.
    pub fn new(path: &str, class: BugClass) -> Signature {
        Signature { path: generic_path(path), class }
    }

    /// A name for files: `vxlan-flag-a-wrong-value`.
    pub fn slug(&self) -> String {
        let mut s = String::new();
        for c in format!("{} {}", self.path, self.class.name()).chars() {
            if c.is_ascii_alphanumeric() {
                s.push(c.to_ascii_lowercase());
            } else if !s.ends_with('-') && !s.is_empty() {
                s.push('-');
            }
        }
        s.trim_end_matches('-').to_owned()
    }

    /// Whether `filter` selects it: `filter` names its field group
    /// (`gbp`, `geneve`, `inner`, ..., and `vxlan` for both VXLAN groups),
    /// or a path it lies under (`inner.tcp`, `vxlan.vni`). Decoder errors
    /// and whole-frame failures are always selected.
    pub fn selected_by(&self, filter: &str) -> bool {
        if matches!(self.class, BugClass::DecoderError | BugClass::MissingFrame | BugClass::ExtraFrame) {
            return true;
        }
        let p = self.path.as_str();
        let group = FieldGroup::of(p);
        group.name() == filter
            || (filter == "vxlan" && matches!(group, FieldGroup::VxlanCore | FieldGroup::Gbp))
            || p == filter
            || p.strip_prefix(filter).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
    }
}

impl std::fmt::Display for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.class.name())
    }
}

impl std::str::FromStr for Signature {
    type Err = String;

    fn from_str(s: &str) -> Result<Signature, String> {
        let (path, class) = s.trim().rsplit_once(": ").ok_or_else(|| {
            format!("{s:?} is not a signature (expected `PATH: CLASS`, e.g. `vxlan.vni: wrong_value`)")
        })?;
        let class = BugClass::ALL.into_iter().find(|c| c.name() == class.trim()).ok_or_else(|| {
            format!(
                "{s:?}: unknown bug class {class:?} (expected one of {})",
                BugClass::ALL.map(BugClass::name).join(", ")
            )
        })?;
        let path = path.trim();
        if path.is_empty() || path.chars().any(char::is_whitespace) {
            return Err(format!("{s:?}: the field path must be one word"));
        }
        Ok(Signature { path: path.to_owned(), class })
    }
}

/// Reads a `--known FILE`: one signature per line, `#` starts a comment,
/// blank lines are ignored. Any other line is an error naming its number.
pub fn read_known(path: &Path) -> Result<BTreeSet<Signature>, String> {
    let text = crate::run::read_regular(path, 16 << 20)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text = String::from_utf8(text).map_err(|_| format!("{}: not UTF-8", path.display()))?;
    let mut out = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        out.insert(line.parse::<Signature>().map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?);
    }
    Ok(out)
}

/// The signatures of a judgement that is not a pass, most telling first
/// (the subject's fields, then other wrong fields, then frames and
/// protocol problems), each once.
pub fn of_judgement(j: &Judgement, readings: &[Reading]) -> Vec<Signature> {
    let mut out = Vec::new();
    if j.outcome.counts_as_passed() {
        return out;
    }
    let reading =
        j.reading.as_ref().and_then(|n| readings.iter().find(|r| &r.name == n)).or_else(|| readings.first());
    if j.outcome == Outcome::NotSupported {
        let path = reading.and_then(|r| r.subject.first()).map_or("subject", String::as_str);
        out.push(Signature::new(path, BugClass::NotSupported));
        return out;
    }
    let c = &j.comparison;
    let wants_flag = reading.is_some_and(|r| r.subject.iter().any(|s| s == "frame.malformed"));
    if wants_flag {
        for e in reading.map(|r| r.frames.as_slice()).unwrap_or_default() {
            let n = e.frame.number;
            if e.frame.malformed.is_some() && !c.missing_frames.contains(&n) && !c.flagged_frames.contains(&n)
            {
                out.push(Signature::new("frame.malformed", BugClass::NotFlagged));
            }
        }
    }
    let mut push = |s: Signature| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    // Subject fields first, then layer by layer from the outside in (a
    // misread outer layer misreads everything inside it).
    let mut fields: Vec<&crate::compare::FieldResult> = c.fields.iter().collect();
    fields.sort_by_key(|f| (!f.subject, f.group));
    {
        for f in fields {
            let class = match &f.verdict {
                FieldVerdict::Mismatch { .. } => BugClass::WrongValue,
                FieldVerdict::Unexpected { .. } => BugClass::Unexpected,
                FieldVerdict::NotReported { .. } if f.subject => BugClass::NotReported,
                _ => continue,
            };
            push(Signature::new(&f.path, class));
        }
    }
    for p in &c.problems {
        push(Signature::new(if p.path.is_empty() { "frame" } else { &p.path }, BugClass::MalformedReading));
    }
    if !c.missing_frames.is_empty() {
        push(Signature::new("frame", BugClass::MissingFrame));
    }
    if !c.extra_frames.is_empty() {
        push(Signature::new("frame", BugClass::ExtraFrame));
    }
    if out.is_empty() && j.outcome.is_failure() {
        // A failure the comparison does not name a field for (an expect-fail
        // list is never used by fuzz): say so rather than pass it.
        out.push(Signature::new("frame", BugClass::WrongValue));
    }
    out
}

/// The signature of a decoder that failed to dissect a capture.
pub fn of_failure(f: &DecoderFailure) -> Signature {
    Signature { path: format!("decoder.{}", f.kind()), class: BugClass::DecoderError }
}
