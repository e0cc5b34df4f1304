//! The reference decoder (being written).

use super::{DecodeOptions, Decoder, DecoderFailure};
use generator::dissection::FrameDissection;
use std::path::Path;

/// Our own in-process decoder over `generator::wire`.
#[derive(Debug, Default, Clone)]
pub struct Reference;

impl Reference {
    /// A new reference decoder.
    pub fn new() -> Reference {
        Reference
    }
}

impl Decoder for Reference {
    fn name(&self) -> &str {
        "reference"
    }
    fn version(&self) -> Option<String> {
        Some(generator::VERSION.to_string())
    }
    fn decode(&self, _capture: &Path, _opts: &DecodeOptions) -> Result<Vec<FrameDissection>, DecoderFailure> {
        Err(DecoderFailure::Setup("not yet".into()))
    }
}
