//! Placeholder: the adapter engineer replaces this file with the real tshark adapter.

use super::{DecodeOptions, Decoder, DecoderFailure};
use generator::dissection::FrameDissection;
use std::path::Path;

/// The tshark adapter (not written yet).
#[derive(Debug, Default)]
pub struct Tshark;

impl Tshark {
    /// A new adapter.
    pub fn new() -> Tshark {
        Tshark
    }
}

impl Decoder for Tshark {
    fn name(&self) -> &str {
        "tshark"
    }

    fn version(&self) -> Option<String> {
        None
    }

    fn decode(&self, _capture: &Path, _opts: &DecodeOptions) -> Result<Vec<FrameDissection>, DecoderFailure> {
        Err(DecoderFailure::Setup("the tshark adapter is not written yet".into()))
    }
}
