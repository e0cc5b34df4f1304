//! # generator
//!
//! Synthesizes packet captures that look like what AWS VPC Traffic Mirroring
//! delivers to a mirror target: every packet of a source network interface,
//! wrapped in outer IPv4 / UDP (destination port 4789) / VXLAN, deterministic
//! from a seed.
//!
//! The crate is layered the way a packet travels:
//!
//! * [`wire`]: one module per header (Ethernet, 802.1Q, IPv4, IPv6, UDP, TCP,
//!   ICMP, VXLAN, GENEVE), typed views over byte buffers with `parse` and
//!   `emit` side by side, in the manner of smoltcp's `wire` module.
//! * [`flow`]: what both of the next two share: a frame's [`flow::Direction`]
//!   and [`flow::PacketKey`], and the well-known VPC addresses.
//! * [`traffic`]: the inner conversations an instance has (TCP and friends),
//!   as inner Ethernet frames with timestamps and a direction; anything that
//!   yields such frames is a [`traffic::TrafficSource`].
//!   Nothing here knows about mirroring (tests/layers.rs checks it).
//! * [`mirror`]: the AWS model: sessions, filters, PacketLength and MTU
//!   truncation, and the outer encapsulation for ENI, NLB and GWLB targets.
//! * [`capture`]: streaming, atomic pcap and pcapng output.
//! * [`generate`]: a whole run, from seed to capture: a scenario's flows
//!   merged in time order ([`generate::FlowScheduler`]), each frame mirrored
//!   and written, or held while the mirror path delays it
//!   ([`generate::mirror_traffic`], for any [`traffic::TrafficSource`]).
//! * [`dissection`]: the expected-dissection model shared with the
//!   conformance runner.
//! * [`vectors`]: the named test-vector corpus (`vectors/`), its expected
//!   dissections and manifest.
//! * [`explain`]: one frame's bytes annotated field by field for a learner
//!   (`vxgen explain`), the VXLAN header under both of its readings.

pub mod capture;
pub mod dissection;
pub mod explain;
pub mod flow;
pub mod generate;
pub mod mirror;
pub mod send;
pub mod suggest;
pub mod traffic;
pub mod vectors;
pub mod wire;

/// The version of this crate, as written into pcapng section headers.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
