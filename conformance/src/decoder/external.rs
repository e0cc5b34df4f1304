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
//! assert_eq!(frames[0].vxlan.as_ref().unwrap().vni, Some(42));
//! ```

use super::{process, shorten, DecodeOptions, Decoder, DecoderFailure};
use generator::dissection::{CaptureDissection, FrameDissection};
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

    fn decode(&self, capture: &Path, opts: &DecodeOptions) -> Result<Vec<FrameDissection>, DecoderFailure> {
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

/// Parses a decoder's standard output: JSON Lines of `FrameDissection`s
/// (blank lines ignored), or, as a convenience, one `CaptureDissection`
/// object (`{"frames": [...]}`) or one JSON array of frames. Returns
/// `(reason, excerpt)` on garbage.
///
/// ```
/// use conformance::decoder::external::parse_output;
///
/// let frames = parse_output(b"{\"frame\":{\"number\":1}}\n\n{\"frame\":{\"number\":2}}\n").unwrap();
/// assert_eq!(frames.len(), 2);
/// let (reason, excerpt) = parse_output(b"{\"frame\":{\"number\":1}}\nSegmentation fault\n").unwrap_err();
/// assert!(reason.starts_with("line 2 is not JSON"));
/// assert_eq!(excerpt, "Segmentation fault");
/// ```
pub fn parse_output(stdout: &[u8]) -> Result<Vec<FrameDissection>, (String, String)> {
    let text = std::str::from_utf8(stdout).map_err(|e| {
        let at = e.valid_up_to();
        ("output is not UTF-8".to_owned(), excerpt_bytes(&stdout[at.saturating_sub(40)..]))
    })?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        return serde_json::from_str::<Vec<FrameDissection>>(trimmed)
            .map_err(|e| (format!("not a JSON array of frames: {e}"), shorten(trimmed, 120)));
    }
    let mut frames = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| (format!("line {} is not JSON ({e})", i + 1), shorten(line, 120)))?;
        if value.get("frames").is_some() && value.get("frame").is_none() {
            let capture: CaptureDissection = serde_json::from_value(value).map_err(|e| {
                (format!("line {}: not a capture dissection: {e}", i + 1), shorten(line, 120))
            })?;
            frames.extend(capture.frames);
            continue;
        }
        let frame: FrameDissection = serde_json::from_value(value).map_err(|e| {
            (format!("line {} is not a frame of the dissection model: {e}", i + 1), shorten(line, 120))
        })?;
        frames.push(frame);
    }
    Ok(frames)
}

fn excerpt_bytes(b: &[u8]) -> String {
    shorten(&String::from_utf8_lossy(&b[..b.len().min(120)]), 120)
}
