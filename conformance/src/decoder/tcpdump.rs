//! Placeholder: the adapter engineer replaces this file with the real tcpdump adapter.

use super::{DecodeOptions, Decoder, DecoderFailure};
use generator::dissection::FrameDissection;
use std::path::Path;

/// The tcpdump adapter (not written yet).
#[derive(Debug, Default)]
pub struct Tcpdump;

impl Tcpdump {
    /// A new adapter.
    pub fn new() -> Tcpdump {
        Tcpdump
    }
}

impl Decoder for Tcpdump {
    fn name(&self) -> &str {
        "tcpdump"
    }

    fn version(&self) -> Option<String> {
        None
    }

    fn decode(&self, _capture: &Path, _opts: &DecodeOptions) -> Result<Vec<FrameDissection>, DecoderFailure> {
        Err(DecoderFailure::Setup("the tcpdump adapter is not written yet".into()))
    }
}
