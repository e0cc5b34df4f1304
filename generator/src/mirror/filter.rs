//! (being written) Traffic Mirror filter rules.

/// Placeholder until the filter module lands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {}
