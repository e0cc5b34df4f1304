//! Conformance runner for VXLAN decoders (work in progress).
//!
//! This crate will run any decoder over the `vectors/` corpus and compare its
//! output field by field with the expected dissection. For now it only
//! re-exports the generator's version so that the workspace builds as one.

/// The version of the generator this runner was built against.
pub fn generator_version() -> &'static str {
    generator::VERSION
}

#[cfg(test)]
mod tests {
    #[test]
    fn links_against_generator() {
        assert!(!super::generator_version().is_empty());
    }
}
