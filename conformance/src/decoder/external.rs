//! `cmd:<shell command>`: any program that speaks the decoder protocol of
//! docs/decoder-protocol.md.
//!
//! The runner runs `sh -c '<command> "$@"' vxconform <capture>`: the
//! command line as given, with the capture's path appended as its last
//! argument, and the capture's bytes on standard input. The program prints
//! one JSON object per frame (JSON Lines), each a `FrameDissection` of the
//! dissection model, omitting what it does not know, and exits 0.
//!
//! ```
//! use conformance::decoder::{by_name, DecodeOptions, Decoder};
//! use std::io::Write;
//!
//! let mut capture = tempfile::NamedTempFile::new().unwrap();
//! capture.write_all(b"not really a capture").unwrap();
//! let echo = by_name(r#"cmd:printf '{"frame":{"number":1},"vxlan":{"vni":42}}\n' #"#).unwrap();
//! let frames = echo.decode(capture.path(), &DecodeOptions::default()).unwrap();
//! assert_eq!(frames.frames[0].vxlan.as_ref().unwrap().vni, Some(42));
//! ```

use super::{process, shorten, DecodeOptions, Decoded, Decoder, DecoderFailure};
use crate::compare::ProtocolProblem;
use generator::dissection::validate::frame_from_value;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// An external decoder run through `sh -c`.
#[derive(Debug, Clone)]
pub struct External {
    name: String,
    command: String,
}

impl External {
    /// A decoder that runs the shell command line `command`.
    pub fn new(command: &str) -> Result<External, DecoderFailure> {
        if command.trim().is_empty() {
            return Err(DecoderFailure::Setup(
                "cmd: needs a command, e.g. cmd:\"python3 decoder.py\"".into(),
            ));
        }
        Ok(External { name: format!("cmd:{command}"), command: command.to_owned() })
    }

    /// The command line.
    pub fn command(&self) -> &str {
        &self.command
    }
}

impl Decoder for External {
    fn name(&self) -> &str {
        &self.name
    }

    fn version(&self) -> Option<String> {
        None
    }

    fn decode(&self, capture: &Path, opts: &DecodeOptions) -> Result<Decoded, DecoderFailure> {
        let bytes = std::fs::read(capture)
            .map_err(|e| DecoderFailure::Setup(format!("cannot read {}: {e}", capture.display())))?;
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(format!("{} \"$@\"", self.command)).arg("vxconform").arg(capture);
        let out = process::run(&mut cmd, Some(&bytes), opts)?;
        // The shell's own "not found" (exit 127) is the program's absence.
        if out.status.code() == Some(127) && out.stdout.is_empty() {
            let tail = out.stderr_tail();
            if tail.contains("not found") || tail.contains("No such file") {
                return Err(DecoderFailure::NotFound { program: self.command.clone() });
            }
        }
        let out = out.require_success()?;
        parse_output(&out.stdout).map_err(|(reason, excerpt)| DecoderFailure::Garbage {
            reason,
            excerpt,
            stderr_tail: out.stderr_tail(),
        })
    }
}

/// Parses a decoder's standard output strictly (docs/decoder-protocol.md):
/// JSON Lines of frames (blank lines ignored), or, as a convenience, one
/// `CaptureDissection` object (`{"frames": [...]}`) or one JSON array of
/// frames. Output that is not JSON is garbage: `(reason, excerpt)`. JSON
/// that breaks the model (an unknown key, a value of the wrong type) is read
/// as far as it is valid, each offence a [`ProtocolProblem`] for the judge.
///
/// ```
/// use conformance::decoder::external::parse_output;
///
/// let d = parse_output(b"{\"frame\":{\"number\":1}}\n\n{\"frame\":{\"number\":2},\"vxlan\":{\"VNI\":5}}\n").unwrap();
/// assert_eq!(d.frames.len(), 2);
/// assert_eq!(d.problems[0].to_string(), "frame 2 vxlan.VNI: unknown key (did you mean vxlan.vni?)");
/// let (reason, excerpt) = parse_output(b"{\"frame\":{\"number\":1}}\nSegmentation fault\n").unwrap_err();
/// assert!(reason.starts_with("line 2 is not JSON"));
/// assert_eq!(excerpt, "Segmentation fault");
/// ```
pub fn parse_output(stdout: &[u8]) -> Result<Decoded, (String, String)> {
    let text = std::str::from_utf8(stdout).map_err(|e| {
        let at = e.valid_up_to();
        ("output is not UTF-8".to_owned(), excerpt_bytes(&stdout[at.saturating_sub(40)..]))
    })?;
    let mut decoded = Decoded::default();
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        let value: Value = serde_json::from_str(trimmed)
            .map_err(|e| (format!("not a JSON array of frames: {e}"), shorten(trimmed, 120)))?;
        for frame in value.as_array().into_iter().flatten() {
            read_frame(frame, &mut decoded);
        }
        return Ok(decoded);
    }
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line)
            .map_err(|e| (format!("line {} is not JSON ({e})", i + 1), shorten(line, 120)))?;
        match value.get("frames") {
            Some(Value::Array(frames)) if value.get("frame").is_none() => {
                frames.iter().for_each(|f| read_frame(f, &mut decoded));
            }
            _ => read_frame(&value, &mut decoded),
        }
    }
    Ok(decoded)
}

/// Reads one frame object strictly into `decoded`.
pub fn read_frame(value: &Value, decoded: &mut Decoded) {
    let (frame, problems) = frame_from_value(value);
    let number = frame.as_ref().map(|f| f.frame.number).or_else(|| {
        value.pointer("/frame/number").and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok())
    });
    decoded.problems.extend(problems.into_iter().map(|p| ProtocolProblem {
        frame: number,
        path: p.path,
        message: p.message,
    }));
    decoded.frames.extend(frame);
}

fn excerpt_bytes(b: &[u8]) -> String {
    shorten(&String::from_utf8_lossy(&b[..b.len().min(120)]), 120)
}
