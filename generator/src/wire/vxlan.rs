//! (being written) VXLAN header.

/// Placeholder until the vxlan module lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Vni(u32);
