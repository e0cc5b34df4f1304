//! The AWS VPC Traffic Mirroring model.
//!
//! * [`session`]: a mirror session with AWS's parameters (session number,
//!   VirtualNetworkId, PacketLength, target) and the test knobs AWS does not
//!   set (GBP flags and policy id).
//! * [`filter`]: filter rules exactly as the EC2 API has them, evaluated in
//!   rule-number order, and the traffic AWS never mirrors.
//! * [`config`]: loading sessions from JSON whose keys follow the EC2 API.
//!
//! Sources: AWS documentation "How Traffic Mirroring works", "Traffic
//! Mirroring packet format", "Traffic Mirroring limitations and quotas", and
//! the EC2 API reference for CreateTrafficMirrorSession and
//! CreateTrafficMirrorFilterRule.

pub mod config;
pub mod encap;
pub mod filter;
pub mod session;

use core::fmt;

/// Which way a packet crossed the source network interface, in AWS's words:
/// `ingress` is traffic arriving at the instance, `egress` traffic it sends
/// (EC2 API `TrafficDirection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Arriving at the source network interface.
    Ingress,
    /// Leaving the source network interface.
    Egress,
}

impl Direction {
    /// The other direction.
    pub const fn reverse(self) -> Direction {
        match self {
            Direction::Ingress => Direction::Egress,
            Direction::Egress => Direction::Ingress,
        }
    }

    /// The EC2 API spelling: `ingress` or `egress`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
