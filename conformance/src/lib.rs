//! Conformance runner for VXLAN decoders: runs any decoder over the
//! `vectors/` corpus and compares its output field by field with the
//! expected dissection.

pub mod decoder;

/// The version of the generator this runner was built against.
pub fn generator_version() -> &'static str {
    generator::VERSION
}
