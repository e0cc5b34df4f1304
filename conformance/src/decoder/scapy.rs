//! Placeholder: the adapter engineer replaces this file with the real scapy adapter.

use super::{DecodeOptions, Decoder, DecoderFailure};
use generator::dissection::FrameDissection;
use std::path::Path;

/// The scapy adapter (not written yet).
#[derive(Debug, Default)]
pub struct Scapy;

impl Scapy {
    /// A new adapter.
    pub fn new() -> Scapy {
        Scapy
    }
}

impl Decoder for Scapy {
    fn name(&self) -> &str {
        "scapy"
    }

    fn version(&self) -> Option<String> {
        None
    }

    fn decode(&self, _capture: &Path, _opts: &DecodeOptions) -> Result<Vec<FrameDissection>, DecoderFailure> {
        Err(DecoderFailure::Setup("the scapy adapter is not written yet".into()))
    }
}
