//! The `scapy` adapter: Scapy's dissection, through a short Python script.
//!
//! The script, `conformance/scripts/scapy_decoder.py`, is compiled into the
//! crate (so an installed `vxconform` needs no file beside it) and run in
//! batch mode ([`super::batch`]) as `python3 -c SCRIPT --batch`: Python
//! starts and imports Scapy (about 2 s here) once per run and `--jobs`
//! worker, not once per vector. It reads each capture with Scapy's
//! `PcapReader` (pcap and pcapng) and prints one JSON object per frame in
//! the model, the same lines as its single mode (`python3 - CAPTURE` with
//! the script on standard input, [`Scapy::command`]); this adapter only
//! parses those lines.
//!
//! # What it reports
//!
//! Scapy as `from scapy.all import *` leaves it, because that is what a
//! conformance run should measure:
//!
//! * VXLAN on UDP 4789 and 8472 (Scapy binds both, and 4790, 6633 and
//!   48879, by source or destination port). Scapy's `VXLAN` layer reads the
//!   first byte as 8-bit flags (`G` 0x80, `Instance` 0x08, `NextProtocol`
//!   0x04): `flags8`, `flag_i`, `flag_g`, `vni` and `reserved8` always;
//!   with G set it decodes the GBP header (`gpflags`, `gpid`), reported as
//!   `flags16`, `flag_d`, `flag_a`, `reserved_flags`, `group_policy_id` and
//!   `reserved24`; without G the 24 reserved bits (`reserved24`) and no
//!   policy id; with NextProtocol set it applies VXLAN-GPE rules on 4789 and
//!   decodes the payload by the next-protocol byte (a misreading the corpus
//!   catches).
//! * Outer and inner Ethernet, 802.1Q, IPv4, IPv6, UDP, TCP (with options,
//!   only when the whole TCP header was captured), ICMP and ICMPv6 echo,
//!   DNS; frame number, captured and original length.
//! * Not GENEVE: it lives in `scapy.contrib.geneve`, which `scapy.all` does
//!   not load, so a Gateway Load Balancer's frames stop at the outer UDP.
//!   Nor HTTP or TLS (layers Scapy does not load by default). The script's
//!   `--contrib geneve --layer http --layer tls` loads them (not used here).
//! * Never truncation or malformation: Scapy flags neither (a header cut
//!   short is left as raw bytes, so it is not reported); nor `tcp.payload_len`
//!   or Ethernet padding length, which Scapy does not show.

use super::batch::Pool;
use super::{process, DecodeOptions, Decoder, DecoderFailure};
use generator::dissection::FrameDissection;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The Python script (conformance/scripts/scapy_decoder.py).
pub const SCRIPT: &str = include_str!("../../scripts/scapy_decoder.py");

/// The Scapy adapter.
#[derive(Debug)]
pub struct Scapy {
    python: PathBuf,
    version: OnceLock<Option<String>>,
    pool: Pool,
}

impl Default for Scapy {
    fn default() -> Scapy {
        Scapy::with_python("python3")
    }
}

impl Scapy {
    /// The adapter running `python3` from `PATH`.
    pub fn new() -> Scapy {
        Scapy::default()
    }

    /// The adapter running the Python interpreter at `python`.
    pub fn with_python(python: impl Into<PathBuf>) -> Scapy {
        let python = python.into();
        let launch = python.clone();
        let pool = Pool::new(python.display().to_string(), move || {
            let mut command = Command::new(&launch);
            command.arg("-c").arg(SCRIPT).arg("--batch");
            command
        });
        Scapy { python, version: OnceLock::new(), pool }
    }

    fn python(&self) -> &Path {
        &self.python
    }

    /// `python3 - ARGS...`, the script's single mode: the script comes on
    /// standard input ([`SCRIPT`]). [`Decoder::decode`] runs its batch mode
    /// instead (`python3 -c SCRIPT --batch`, [`Scapy::pool`]).
    pub fn command(&self, args: &[&std::ffi::OsStr]) -> Command {
        let mut command = Command::new(self.python());
        command.arg("-").args(args);
        command
    }

    /// Its pool of batch-mode processes.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Dissects `capture` with the script's single mode (one Python per
    /// capture): what [`Decoder::decode`] did before batch mode, kept to
    /// show that both modes print the same.
    pub fn decode_single(
        &self,
        capture: &Path,
        opts: &DecodeOptions,
    ) -> Result<super::Decoded, DecoderFailure> {
        let out = self.run(&[capture.as_os_str()], opts)?.require_success()?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        parse_output(&stdout).map(Into::into).map_err(|(reason, excerpt)| DecoderFailure::Garbage {
            reason,
            excerpt,
            stderr_tail: out.stderr_tail(),
        })
    }

    fn run(
        &self,
        args: &[&std::ffi::OsStr],
        opts: &DecodeOptions,
    ) -> Result<process::ProcessOutput, DecoderFailure> {
        let out = process::run(&mut self.command(args), Some(SCRIPT.as_bytes()), opts)?;
        if !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("No module named 'scapy'") {
            return Err(DecoderFailure::NotFound { program: "scapy (Python module)".into() });
        }
        Ok(out)
    }
}

impl Decoder for Scapy {
    fn name(&self) -> &str {
        "scapy"
    }

    /// `scapy.VERSION` (`2.8.0`).
    fn version(&self) -> Option<String> {
        self.version
            .get_or_init(|| {
                let out = self.run(&["--version".as_ref()], &DecodeOptions::default()).ok()?;
                let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
                (out.status.success() && !text.is_empty()).then_some(text)
            })
            .clone()
    }

    fn decode(&self, capture: &Path, opts: &DecodeOptions) -> Result<super::Decoded, DecoderFailure> {
        let answer = self.pool.ask(capture, opts).map_err(|e| match e {
            DecoderFailure::Crashed { stderr_tail, .. }
                if stderr_tail.contains("No module named 'scapy'") =>
            {
                DecoderFailure::NotFound { program: "scapy (Python module)".into() }
            }
            other => other,
        })?;
        let frames: Result<Vec<FrameDissection>, _> =
            answer.lines.iter().map(|line| frame(&line.text, line.value.clone())).collect();
        frames.map(Into::into).map_err(|(reason, excerpt)| DecoderFailure::Garbage {
            reason,
            excerpt,
            stderr_tail: answer.stderr_tail,
        })
    }
}

/// One line of the script's output as a dissection: a JSON object with a
/// frame number, else (reason, the line).
fn frame(line: &str, value: Value) -> Result<FrameDissection, (String, String)> {
    if value.get("frame").and_then(|f| f.get("number")).is_some_and(|n| n.is_u64()) {
        Ok(super::tshark::from_json(value))
    } else {
        Err(("a line is not a frame object with a number".into(), super::shorten(line, 200)))
    }
}

/// The script's JSON Lines as dissections. A value that does not fit its
/// field is dropped (the rest of the frame is kept); a line that is not a
/// JSON object is an error: (reason, the line).
///
/// ```
/// use conformance::decoder::scapy::parse_output;
///
/// let frames = parse_output(r#"{"frame":{"number":1},"vxlan":{"flags8":136,"group_policy_id":4660,"vni":7}}"#).unwrap();
/// let v = frames[0].vxlan.as_ref().unwrap();
/// assert_eq!((v.flags8, v.group_policy_id, v.vni), (Some(0x88), Some(0x1234), Some(7)));
/// ```
pub fn parse_output(stdout: &str) -> Result<Vec<FrameDissection>, (String, String)> {
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| match serde_json::from_str::<Value>(line) {
            Ok(v) => frame(line, v),
            Err(e) => Err((format!("a line is not JSON: {e}"), super::shorten(line, 200))),
        })
        .collect()
}
