//! `cmd:<shell command>`: any program that speaks docs/decoder-protocol.md.
//! (Being written.)

use super::{DecodeOptions, Decoder, DecoderFailure};
use generator::dissection::FrameDissection;
use std::path::Path;

/// An external decoder run through `sh -c`.
#[derive(Debug, Clone)]
pub struct External {
    name: String,
    command: String,
}

impl External {
    /// A decoder that runs `command` (a shell command line).
    pub fn new(command: &str) -> Result<External, DecoderFailure> {
        Ok(External { name: format!("cmd:{command}"), command: command.to_string() })
    }
}

impl Decoder for External {
    fn name(&self) -> &str {
        &self.name
    }
    fn version(&self) -> Option<String> {
        None
    }
    fn decode(&self, _capture: &Path, _opts: &DecodeOptions) -> Result<Vec<FrameDissection>, DecoderFailure> {
        Err(DecoderFailure::Setup(format!("not yet: {}", self.command)))
    }
}
