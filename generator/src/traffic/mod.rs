//! Inner traffic: the conversations an instance has, as the Ethernet frames
//! that cross its network interface.
//!
//! A traffic source writes one inner frame at a time into a caller-provided
//! buffer and describes it with a [`PacketInfo`]: when it crossed the
//! interface, in which [`Direction`], and the addresses and ports a mirror
//! filter looks at. Nothing here knows about mirroring; [`crate::mirror`]
//! decides what is copied and wraps it.
//!
//! * [`tcp`]: TCP conversations (handshake, data, close) with consistent
//!   sequence numbers, options and timing.
//! * [`app`]: application payloads (HTTP/1.1, TLS, DNS) carried inside them.

pub mod app;
pub mod frame;
pub mod tcp;

use crate::mirror::filter::PacketKey;
use crate::mirror::Direction;
use crate::wire::EthernetAddress;
use std::net::IpAddr;

/// One end of a conversation as seen on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// MAC address the frames carry for this end on the source ENI's link: the
    /// instance's own MAC, or the VPC router's for anything off-link.
    pub mac: EthernetAddress,
    /// IP address.
    pub ip: IpAddr,
    /// TCP or UDP port (0 where the protocol has none).
    pub port: u16,
}

/// What happened on the wire: used in pcapng comments and by tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// First segment of the three-way handshake.
    TcpSyn,
    /// Second segment of the three-way handshake.
    TcpSynAck,
    /// Third segment of the three-way handshake.
    TcpHandshakeAck,
    /// A segment that only acknowledges.
    TcpAck,
    /// A segment carrying application data; the label says what.
    TcpData(&'static str),
    /// A FIN (closing one direction).
    TcpFin,
    /// A reset.
    TcpRst,
}

impl Event {
    /// A short human label, as written into pcapng comments.
    pub fn label(&self) -> &'static str {
        match self {
            Event::TcpSyn => "TCP SYN",
            Event::TcpSynAck => "TCP SYN-ACK",
            Event::TcpHandshakeAck => "TCP ACK (handshake)",
            Event::TcpAck => "TCP ACK",
            Event::TcpData(what) => what,
            Event::TcpFin => "TCP FIN",
            Event::TcpRst => "TCP RST",
        }
    }
}

/// The facts about one inner frame that the mirror and the capture need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacketInfo {
    /// When the frame crossed the source interface, in nanoseconds since the Unix epoch.
    pub timestamp_ns: u64,
    /// Whether the instance received (`Ingress`) or sent (`Egress`) it.
    pub direction: Direction,
    /// The fields a mirror filter matches on.
    pub key: PacketKey,
    /// What this frame is, in words.
    pub event: Event,
}

/// Something that yields inner frames in capture order.
pub trait TrafficSource {
    /// Clears `frame`, writes the next inner Ethernet frame into it and
    /// describes it; `None` when the source is exhausted.
    fn next_frame(&mut self, frame: &mut Vec<u8>) -> Option<PacketInfo>;
}
