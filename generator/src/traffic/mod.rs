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
//! * [`recorded`]: frames read back from a pcap or pcapng capture of an
//!   instance (`vxgen mirror`).

pub mod app;
pub mod dns;
pub mod frame;
pub mod icmp;
pub mod recorded;
pub mod scenario;
pub mod tcp;
pub mod web;

use crate::flow::{Direction, PacketKey};
use crate::wire::EthernetAddress;
use core::ops::Range;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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
    /// A segment sent again after a loss.
    TcpRetransmission,
    /// A duplicate acknowledgment (after a loss).
    TcpDupAck,
    /// A datagram or ICMP message; the label says what.
    Datagram(&'static str),
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
            Event::TcpRetransmission => "TCP retransmission",
            Event::TcpDupAck => "TCP duplicate ACK",
            Event::Datagram(what) => what,
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

/// Something that yields inner frames in time order: the seam between the
/// traffic and the mirror.
///
/// One flow is a source ([`tcp::TcpConversation`], [`PacketList`], [`Flow`]);
/// so is a whole scenario, its flows merged
/// ([`crate::generate::FlowScheduler`]), so is a capture read back
/// ([`recorded::CaptureSource`]), and so would be one shard of a scenario.
/// Whatever the source,
/// [`crate::generate::mirror_traffic`] mirrors its frames into a capture.
///
/// A source of one's own: two frames, mirrored into a pcapng in memory.
///
/// ```
/// use generator::capture::{CaptureWriter, Format};
/// use generator::flow::{Direction, PacketKey};
/// use generator::generate::{mirror_traffic, EmitOptions};
/// use generator::mirror::session::Mirror;
/// use generator::traffic::frame::{push_udp_frame, IpFields};
/// use generator::traffic::{Endpoint, Event, PacketInfo, TrafficSource};
/// use std::net::Ipv4Addr;
///
/// /// A query from the instance and the answer, 1 ms apart.
/// struct TwoFrames {
///     sent: usize,
///     instance: Endpoint,
///     server: Endpoint,
/// }
///
/// impl TrafficSource for TwoFrames {
///     fn next_frame(&mut self, frame: &mut Vec<u8>) -> Option<PacketInfo> {
///         let (from, to, direction) = match self.sent {
///             0 => (self.instance, self.server, Direction::Egress),
///             1 => (self.server, self.instance, Direction::Ingress),
///             _ => return None,
///         };
///         let ip = IpFields { hop_limit: 64, ident: self.sent as u16, dont_frag: true };
///         push_udp_frame(frame, &from, &to, &ip, b"hello");
///         let key = PacketKey::udp(from.ip, to.ip, from.port, to.port);
///         let info = PacketInfo {
///             timestamp_ns: self.peek_time()?,
///             direction,
///             key,
///             event: Event::Datagram("hello"),
///         };
///         self.sent += 1;
///         Some(info)
///     }
///
///     fn peek_time(&self) -> Option<u64> {
///         (self.sent < 2).then(|| Mirror::DEFAULT_START_NS + self.sent as u64 * 1_000_000)
///     }
///
///     fn flow_kind(&self) -> &str {
///         "hello"
///     }
/// }
///
/// let mirror = Mirror::example(4242);
/// let instance = Endpoint { mac: mirror.source.mac, ip: mirror.source.ip.into(), port: 40000 };
/// let server =
///     Endpoint { mac: mirror.source.subnet.router_mac, ip: Ipv4Addr::new(198, 51, 100, 9).into(), port: 7 };
/// let mut source = TwoFrames { sent: 0, instance, server };
/// let mut writer = CaptureWriter::new(Vec::new(), Format::PcapNg, 65535).unwrap();
/// let opts = EmitOptions { comments: true, reorder: 0.0, seed: 1 };
/// let stats = mirror_traffic(&mirror, &mut source, &opts, &mut writer).unwrap();
/// assert_eq!((stats.inner_packets, stats.copies), (2, 2));
/// let capture = writer.finish().unwrap();
/// let text = String::from_utf8_lossy(&capture);
/// assert!(text.contains("egress udp 10.0.1.23:40000 > 198.51.100.9:7 hello; hello; vni 4242, session 1"));
/// ```
pub trait TrafficSource {
    /// Appends the next inner Ethernet frame to `frame` and describes it;
    /// `None` when the source is exhausted. Appending (rather than
    /// overwriting) lets a caller keep headroom in front of the frame for the
    /// outer headers ([`crate::mirror::encap::encapsulate_in_place`]).
    fn next_frame(&mut self, frame: &mut Vec<u8>) -> Option<PacketInfo>;

    /// Time of the frame `next_frame` would return, if any.
    fn peek_time(&self) -> Option<u64>;

    /// Moves past the next frame as [`next_frame`](Self::next_frame) would,
    /// describing it without writing its bytes into `frame` (which may be
    /// left holding anything): how a shard of a run passes over the frames
    /// of other shards' flows (`generate::shard`). The default writes the
    /// frame into `frame` all the same; sources override it when the bytes
    /// are the costly part.
    fn skip_frame(&mut self, frame: &mut Vec<u8>) -> Option<PacketInfo> {
        self.next_frame(frame)
    }

    /// What kind of flow the frame `next_frame` last returned belongs to
    /// ("https-outbound", "dns", ...), for the capture's comments; empty if
    /// the source does not say.
    fn flow_kind(&self) -> &str {
        ""
    }

    /// The flow the frame `next_frame` last returned belongs to, by its
    /// place in the order the source's flows start (from 0), if the source
    /// numbers its flows (a scenario's [`FlowScheduler`] does). A `--jobs`
    /// run orders copies of frames at the same time by it.
    ///
    /// [`FlowScheduler`]: crate::generate::FlowScheduler
    fn flow_index(&self) -> Option<u64> {
        None
    }

    /// The mirror path's random stream for the flow of the frame last
    /// returned ([`scenario::mirror_stream`]), if the source keeps one per
    /// flow: `--reorder` delays then depend on the flow alone, not on how
    /// its frames interleave with others'. `None`: one stream for the whole
    /// source.
    fn mirror_stream(&mut self) -> Option<&mut dyn rand::RngCore> {
        None
    }
}

/// Every remaining frame of `source`, each in a buffer of its own: handy for
/// tests and tools that want whole flows at once.
pub fn collect_frames(source: &mut impl TrafficSource) -> Vec<(PacketInfo, Vec<u8>)> {
    let mut out = Vec::new();
    let mut buf = Vec::new();
    while let Some(info) = source.next_frame(&mut buf) {
        // `next_frame` appends: take the frame and start afresh.
        out.push((info, std::mem::take(&mut buf)));
    }
    out
}

/// The instance whose interface is mirrored, as traffic builders need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Host {
    /// The instance's MAC address.
    pub mac: EthernetAddress,
    /// Its primary private IPv4 address.
    pub ipv4: Ipv4Addr,
    /// Its IPv6 address (dual-stack subnets; AWS does not mirror IPv6-only subnets).
    pub ipv6: Ipv6Addr,
    /// MAC address of the VPC router: the other end of every off-link frame.
    pub router_mac: EthernetAddress,
    /// The VPC's IPv4 CIDR block (its base + 2 is the Amazon DNS resolver).
    pub vpc_cidr: ipnet::Ipv4Net,
}

/// An instance in 10.20.0.0/16, for the traffic builders' tests.
#[cfg(test)]
pub(crate) fn test_host() -> Host {
    Host {
        mac: EthernetAddress([0x02, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e]),
        ipv4: Ipv4Addr::new(10, 20, 1, 17),
        ipv6: "2001:db8:20:1::17".parse().expect("an IPv6 address"),
        router_mac: EthernetAddress([0x02, 0x99, 0x88, 0x77, 0x66, 0x55]),
        vpc_cidr: "10.20.0.0/16".parse().expect("a CIDR block"),
    }
}

/// Frames built ahead of time (datagrams, ICMP), emitted in time order.
#[derive(Debug, Clone, Default)]
pub struct PacketList {
    bytes: Vec<u8>,
    entries: Vec<(Range<usize>, PacketInfo)>,
    next: usize,
}

impl PacketList {
    /// An empty list.
    pub fn new() -> PacketList {
        PacketList::default()
    }

    /// An empty list with room for `frames` frames of `bytes` bytes in all,
    /// so that building a flow does not regrow it frame by frame.
    pub fn with_capacity(frames: usize, bytes: usize) -> PacketList {
        PacketList { bytes: Vec::with_capacity(bytes), entries: Vec::with_capacity(frames), next: 0 }
    }

    /// Adds a frame that `build` appends to the buffer it is given.
    pub fn push(&mut self, info: PacketInfo, build: impl FnOnce(&mut Vec<u8>)) {
        let start = self.bytes.len();
        build(&mut self.bytes);
        self.entries.push((start..self.bytes.len(), info));
    }

    /// Puts the frames in time order (stable: equal times keep push order).
    pub fn sort(&mut self) {
        self.entries.sort_by_key(|(_, info)| info.timestamp_ns);
    }

    /// Number of frames.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no frames.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Time of the last frame.
    pub fn end_ns(&self) -> u64 {
        self.entries.iter().map(|(_, i)| i.timestamp_ns).max().unwrap_or(0)
    }

    /// Moves every frame `delta_ns` later (the bytes stay as they are).
    pub fn shift(&mut self, delta_ns: u64) {
        for (_, info) in &mut self.entries {
            info.timestamp_ns += delta_ns;
        }
    }
}

impl TrafficSource for PacketList {
    fn next_frame(&mut self, frame: &mut Vec<u8>) -> Option<PacketInfo> {
        let (range, info) = self.entries.get(self.next)?;
        self.next += 1;
        frame.extend_from_slice(&self.bytes[range.clone()]);
        Some(*info)
    }

    fn skip_frame(&mut self, _frame: &mut Vec<u8>) -> Option<PacketInfo> {
        let (_, info) = self.entries.get(self.next)?;
        self.next += 1;
        Some(*info)
    }

    fn peek_time(&self) -> Option<u64> {
        self.entries.get(self.next).map(|(_, i)| i.timestamp_ns)
    }
}

/// One flow of any kind, as scenarios hand them out.
#[derive(Debug, Clone)]
pub enum Flow {
    /// A TCP conversation.
    Tcp(tcp::TcpConversation),
    /// Pre-built datagrams or ICMP messages.
    Packets(PacketList),
}

impl Flow {
    /// Time of the flow's last frame.
    pub fn end_ns(&self) -> u64 {
        match self {
            Flow::Tcp(c) => c.end_ns(),
            Flow::Packets(p) => p.end_ns(),
        }
    }

    /// Moves every frame `delta_ns` later, bytes unchanged: the flow planned
    /// that much later, for flows whose bytes never hold the time
    /// ([`scenario::FlowOrder::shifts`]).
    pub fn shift(&mut self, delta_ns: u64) {
        match self {
            Flow::Tcp(c) => c.shift(delta_ns),
            Flow::Packets(p) => p.shift(delta_ns),
        }
    }
}

impl TrafficSource for Flow {
    fn next_frame(&mut self, frame: &mut Vec<u8>) -> Option<PacketInfo> {
        match self {
            Flow::Tcp(c) => c.next_frame(frame),
            Flow::Packets(p) => p.next_frame(frame),
        }
    }

    fn skip_frame(&mut self, frame: &mut Vec<u8>) -> Option<PacketInfo> {
        match self {
            Flow::Tcp(c) => c.skip_frame(frame),
            Flow::Packets(p) => p.skip_frame(frame),
        }
    }

    fn peek_time(&self) -> Option<u64> {
        match self {
            Flow::Tcp(c) => c.peek_time(),
            Flow::Packets(p) => p.peek_time(),
        }
    }
}
