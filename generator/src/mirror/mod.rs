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
