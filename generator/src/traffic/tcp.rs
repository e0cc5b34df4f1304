//! TCP conversations with consistent sequence numbers, acknowledgments,
//! options and timing, observed at the instance's network interface.
//!
//! A conversation is planned whole before it is emitted: both ends are
//! simulated with a one-way delay of half the round-trip time, and every
//! segment gets the time at which it crossed the instance's interface (its
//! send time for the instance's own segments, its arrival time for the
//! peer's). Acknowledgment numbers and TSecr values are derived from what had
//! *arrived* at the sender when it sent, so they are right by construction.
//!
//! The behaviour follows Linux, which most EC2 instances run: SYN options
//! `MSS, SACK_PERM, TS, NOP, WS` (RFC 9293 section 3.7.1, RFC 7323, RFC
//! 2018), payload per segment = MSS minus the 12-byte timestamp option
//! (RFC 7323 section 3), an initial congestion window of ten segments (RFC
//! 6928) that doubles per round trip, and a receiver that acknowledges every
//! second full-sized segment and the end of each message at once (RFC 9293
//! section 3.8.6.3, "quick ACK" at the start of a connection).

use super::frame::{push_tcp_frame, IpFields};
use super::{Endpoint, Event, PacketInfo, TrafficSource};
use crate::mirror::filter::PacketKey;
use crate::mirror::Direction;
use crate::wire::tcp::{self, TcpFlags};
use crate::wire::{EtherType, IpProtocol};
use core::ops::Range;

/// Nanoseconds in a millisecond.
const MS: u64 = 1_000_000;

/// How one end's TCP stack behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpProfile {
    /// MSS announced in the SYN (RFC 9293 section 3.7.1): 1460 on a 1500-byte
    /// path, 8961 inside a VPC with jumbo frames.
    pub mss: u16,
    /// Window scale shift announced in the SYN (RFC 7323 section 2).
    pub window_scale: u8,
    /// Receive window in bytes announced after the handshake.
    pub window: u32,
    /// Whether SACK is permitted (RFC 2018).
    pub sack_permitted: bool,
    /// Whether timestamps are used (RFC 7323 section 3).
    pub timestamps: bool,
    /// TTL or hop limit the end's packets carry when they reach the instance's
    /// interface (the instance's own: its initial TTL; a remote host's: its
    /// initial TTL less the hops on the way).
    pub ttl: u8,
}

impl TcpProfile {
    /// A Linux host on a 1500-byte path (MSS 1460, window scale 7).
    pub const fn linux(ttl: u8) -> TcpProfile {
        TcpProfile { mss: 1460, window_scale: 7, window: 64_256, sack_permitted: true, timestamps: true, ttl }
    }
}

/// One request and its response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// Bytes the client sends.
    pub request: Vec<u8>,
    /// Label for the request's first segment (e.g. "HTTP GET /").
    pub request_label: &'static str,
    /// Bytes the server answers with.
    pub response: Vec<u8>,
    /// Label for the response's first segment.
    pub response_label: &'static str,
    /// Server think time between the request's arrival and the response.
    pub think_ns: u64,
}

/// How the conversation ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Close {
    /// The client sends FIN first, the server answers FIN, the client ACKs.
    ClientFin,
    /// The server sends FIN first.
    ServerFin,
    /// The client aborts with a RST after the last response.
    ClientRst,
}

/// Everything that decides a conversation's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationSpec {
    /// The end that opens the connection.
    pub client: Endpoint,
    /// The end that listens.
    pub server: Endpoint,
    /// Whether the instance is the client (its segments are egress) or the server.
    pub instance_is_client: bool,
    /// Time of the first segment at the instance's interface, ns since the epoch.
    pub start_ns: u64,
    /// Round-trip time between the two ends.
    pub rtt_ns: u64,
    /// The client's stack.
    pub client_profile: TcpProfile,
    /// The server's stack.
    pub server_profile: TcpProfile,
    /// Initial sequence numbers (client, server), RFC 9293 section 3.4.1.
    pub isn: (u32, u32),
    /// TSval clock offsets (client, server): Linux randomises them per connection.
    pub ts_offset: (u32, u32),
    /// First IPv4 identification of each end; Linux counts up per packet.
    pub ip_ident: (u16, u16),
    /// Requests and responses, in order.
    pub exchanges: Vec<Exchange>,
    /// How the connection closes.
    pub close: Close,
}

/// A planned segment.
#[derive(Debug, Clone)]
struct Segment {
    /// When it crosses the instance's interface.
    at_ns: u64,
    /// 0 = client, 1 = server.
    from: usize,
    repr: tcp::Repr,
    payload: Range<usize>,
    ident: u16,
    event: Event,
}

/// The state of one end during planning.
#[derive(Debug, Clone, Default)]
struct End {
    snd_nxt: u32,
    ident: u16,
    /// Segments that will arrive at this end: (arrival time, sequence end, TSval).
    arrivals: Vec<(u64, u32, u32)>,
    /// Stream offset: the byte of this end's outgoing stream that goes next.
    stream_pos: usize,
}

/// A planned TCP conversation that emits its frames in capture order.
#[derive(Debug, Clone)]
pub struct TcpConversation {
    ends: [Endpoint; 2],
    instance: usize,
    profiles: [TcpProfile; 2],
    streams: [Vec<u8>; 2],
    segments: Vec<Segment>,
    next: usize,
}

struct Planner<'a> {
    spec: &'a ConversationSpec,
    ends: [End; 2],
    profiles: [TcpProfile; 2],
    ts_offset: [u32; 2],
    segments: Vec<Segment>,
    instance: usize,
    /// Payload per full segment in each direction (peer MSS less options).
    seg_payload: [usize; 2],
    use_ts: bool,
    use_sack: bool,
}

impl Planner<'_> {
    fn one_way(&self) -> u64 {
        self.spec.rtt_ns / 2
    }

    /// When a segment sent by `from` at `send_ns` arrives at the other end.
    fn arrival(&self, send_ns: u64) -> u64 {
        send_ns + self.one_way()
    }

    fn tsval(&self, side: usize, at_ns: u64) -> u32 {
        // Linux's TCP timestamp clock ticks in milliseconds (RFC 7323 section 5.4
        // recommends 1 ms to 1 s per tick).
        self.ts_offset[side].wrapping_add((at_ns / MS) as u32)
    }

    /// Acknowledgment number and TSecr for a segment `side` sends at `at_ns`.
    fn ack_and_ecr(&self, side: usize, at_ns: u64) -> (u32, u32) {
        let mut ack = None::<u32>;
        let mut ecr = 0;
        for &(arr, end, tsval) in &self.ends[side].arrivals {
            if arr <= at_ns {
                ack = Some(match ack {
                    Some(a) if seq_ge(a, end) => a,
                    _ => end,
                });
                ecr = tsval;
            }
        }
        (ack.unwrap_or(0), ecr)
    }

    /// Plans a segment from `side` sent at `send_ns`; returns its arrival time at the peer.
    fn send(&mut self, side: usize, send_ns: u64, flags: TcpFlags, len: usize, event: Event) -> u64 {
        let (ack, ecr) = self.ack_and_ecr(side, send_ns);
        let syn = flags.contains(TcpFlags::SYN);
        let profile = self.profiles[side];
        let tsval = self.tsval(side, send_ns);
        let seq = self.ends[side].snd_nxt;
        let window_len = if syn {
            // RFC 7323 section 2.2: the window in a SYN is never scaled.
            profile.window.min(u16::MAX as u32) as u16
        } else {
            (profile.window >> profile.window_scale).min(u16::MAX as u32) as u16
        };
        let with_ack = flags.contains(TcpFlags::ACK);
        let repr = tcp::Repr {
            src_port: if side == 0 { self.spec.client.port } else { self.spec.server.port },
            dst_port: if side == 0 { self.spec.server.port } else { self.spec.client.port },
            seq_number: seq,
            ack_number: if with_ack { ack } else { 0 },
            flags,
            window_len,
            urgent_pointer: 0,
            max_seg_size: syn.then_some(profile.mss),
            window_scale: (syn && self.window_scaling()).then_some(profile.window_scale),
            sack_permitted: syn && self.use_sack,
            sack_ranges: [None; 3],
            timestamp: self.use_ts.then_some((tsval, if with_ack || !syn { ecr } else { 0 })),
            payload_len: len,
        };
        let pos = self.ends[side].stream_pos;
        let consumed = len as u32 + syn as u32 + flags.contains(TcpFlags::FIN) as u32;
        let end = &mut self.ends[side];
        end.snd_nxt = seq.wrapping_add(consumed);
        end.stream_pos += len;
        let ident = end.ident;
        end.ident = end.ident.wrapping_add(1);
        let at_ns = if side == self.instance { send_ns } else { self.arrival(send_ns) };
        self.segments.push(Segment { at_ns, from: side, repr, payload: pos..pos + len, ident, event });
        let arrive = self.arrival(send_ns);
        if consumed > 0 || !flags.contains(TcpFlags::RST) {
            self.ends[1 - side].arrivals.push((arrive, seq.wrapping_add(consumed), tsval));
        }
        arrive
    }

    fn window_scaling(&self) -> bool {
        // RFC 7323 section 2.2: scaling is in force only if both SYNs carry the option.
        true
    }

    /// Sends `len` bytes of `side`'s stream starting at `start_ns`, in flights
    /// limited by the congestion window, with the peer acknowledging; returns
    /// the time at which the last data segment arrives at the peer.
    fn send_message(&mut self, side: usize, start_ns: u64, len: usize, label: &'static str) -> u64 {
        let peer = 1 - side;
        let mss = self.seg_payload[side];
        let mut remaining = len;
        let mut cwnd = 10usize; // RFC 6928 initial window, in segments
        let mut t = start_ns;
        let mut first = true;
        let mut last_arrival = start_ns;
        // Serialization gap between back-to-back segments (about 10 Gbit/s).
        let gap = |bytes: usize| (bytes as u64 * 8 / 10).max(1_000);
        while remaining > 0 {
            let mut flight_last_ack_arrival = t;
            let mut unacked = 0usize;
            for _ in 0..cwnd {
                if remaining == 0 {
                    break;
                }
                let n = remaining.min(mss);
                remaining -= n;
                let last = remaining == 0;
                let mut flags = TcpFlags::ACK;
                if last {
                    flags |= TcpFlags::PSH;
                }
                let event = if first { Event::TcpData(label) } else { Event::TcpData("continuation") };
                first = false;
                let arrive = self.send(side, t, flags, n, event);
                last_arrival = arrive;
                unacked += 1;
                // The peer acknowledges every second segment and the last one at once.
                if unacked == 2 || last {
                    let ack_arrival = self.send(peer, arrive + 20_000, TcpFlags::ACK, 0, Event::TcpAck);
                    flight_last_ack_arrival = ack_arrival;
                    unacked = 0;
                }
                t += gap(n + 66);
            }
            if unacked > 0 {
                let ack_arrival = self.send(peer, last_arrival + 20_000, TcpFlags::ACK, 0, Event::TcpAck);
                flight_last_ack_arrival = ack_arrival;
            }
            cwnd *= 2;
            t = t.max(flight_last_ack_arrival);
        }
        last_arrival
    }
}

/// Whether `a` is at or after `b` in sequence space (RFC 9293 section 3.4).
fn seq_ge(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) >= 0
}

impl TcpConversation {
    /// Plans the whole conversation.
    pub fn plan(mut spec: ConversationSpec) -> TcpConversation {
        let profiles = [spec.client_profile, spec.server_profile];
        let use_ts = profiles[0].timestamps && profiles[1].timestamps;
        let use_sack = profiles[0].sack_permitted && profiles[1].sack_permitted;
        let opt = if use_ts { 12 } else { 0 };
        // Each side's segments are bounded by the *peer's* announced MSS.
        let seg_payload = [
            (profiles[1].mss as usize).saturating_sub(opt).max(1),
            (profiles[0].mss as usize).saturating_sub(opt).max(1),
        ];
        let instance = if spec.instance_is_client { 0 } else { 1 };
        let lens: Vec<(usize, usize, &'static str, &'static str, u64)> = spec
            .exchanges
            .iter()
            .map(|ex| (ex.request.len(), ex.response.len(), ex.request_label, ex.response_label, ex.think_ns))
            .collect();
        let mut streams = [Vec::new(), Vec::new()];
        for ex in &mut spec.exchanges {
            streams[0].append(&mut ex.request);
            streams[1].append(&mut ex.response);
        }
        let mut p = Planner {
            spec: &spec,
            ends: [
                End { snd_nxt: spec.isn.0, ident: spec.ip_ident.0, ..End::default() },
                End { snd_nxt: spec.isn.1, ident: spec.ip_ident.1, ..End::default() },
            ],
            profiles,
            ts_offset: [spec.ts_offset.0, spec.ts_offset.1],
            segments: Vec::with_capacity(16),
            instance,
            seg_payload,
            use_ts,
            use_sack,
        };
        // The send times below are on the sender's own clock; an instance that
        // is the server sees the SYN one one-way delay after the client sent it.
        let t0 = if instance == 0 { spec.start_ns } else { spec.start_ns.saturating_sub(p.one_way()) };
        // Three-way handshake, RFC 9293 section 3.5.
        let syn_arrival = p.send(0, t0, TcpFlags::SYN, 0, Event::TcpSyn);
        let synack_arrival =
            p.send(1, syn_arrival + 30_000, TcpFlags::SYN | TcpFlags::ACK, 0, Event::TcpSynAck);
        let mut t = synack_arrival + 40_000;
        p.send(0, t, TcpFlags::ACK, 0, Event::TcpHandshakeAck);
        t += 15_000;
        for (req_len, resp_len, req_label, resp_label, think) in lens {
            let req_arrival = p.send_message(0, t, req_len, req_label);
            let resp_arrival = p.send_message(1, req_arrival + think, resp_len, resp_label);
            t = resp_arrival + 200_000;
        }
        match spec.close {
            Close::ClientFin | Close::ServerFin => {
                let (first, second) = if spec.close == Close::ClientFin { (0, 1) } else { (1, 0) };
                let fin1 = p.send(first, t, TcpFlags::FIN | TcpFlags::ACK, 0, Event::TcpFin);
                let fin2 = p.send(second, fin1 + 50_000, TcpFlags::FIN | TcpFlags::ACK, 0, Event::TcpFin);
                p.send(first, fin2 + 20_000, TcpFlags::ACK, 0, Event::TcpAck);
            }
            Close::ClientRst => {
                p.send(0, t, TcpFlags::RST | TcpFlags::ACK, 0, Event::TcpRst);
            }
        }
        let mut segments = p.segments;
        // Capture order is time order at the instance's interface.
        segments.sort_by_key(|s| s.at_ns);
        TcpConversation { ends: [spec.client, spec.server], instance, profiles, streams, segments, next: 0 }
    }

    /// Number of segments planned.
    pub fn len(&self) -> usize {
        self.segments.len()
    }

    /// Whether nothing was planned (never true for a planned conversation).
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }

    /// Time of the last segment at the instance's interface.
    pub fn end_ns(&self) -> u64 {
        self.segments.last().map_or(0, |s| s.at_ns)
    }
}

impl TrafficSource for TcpConversation {
    fn next_frame(&mut self, frame: &mut Vec<u8>) -> Option<PacketInfo> {
        let seg = self.segments.get(self.next)?;
        self.next += 1;
        frame.clear();
        let (src, dst) = (&self.ends[seg.from], &self.ends[1 - seg.from]);
        let ip = IpFields { hop_limit: self.profiles[seg.from].ttl, ident: seg.ident, dont_frag: true };
        push_tcp_frame(frame, src, dst, &ip, &seg.repr, &self.streams[seg.from][seg.payload.clone()]);
        let direction = if seg.from == self.instance { Direction::Egress } else { Direction::Ingress };
        let key = PacketKey {
            ethertype: if src.ip.is_ipv4() { EtherType::IPV4 } else { EtherType::IPV6 },
            src: Some(src.ip),
            dst: Some(dst.ip),
            protocol: Some(IpProtocol::TCP),
            src_port: Some(src.port),
            dst_port: Some(dst.port),
        };
        Some(PacketInfo { timestamp_ns: seg.at_ns, direction, key, event: seg.event })
    }
}
