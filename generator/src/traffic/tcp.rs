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

use super::frame::{push_tcp_frame_summed, IpFields};
use super::{Endpoint, Event, PacketInfo, TrafficSource};
use crate::flow::{Direction, PacketKey};
use crate::wire::tcp::{self, TcpFlags};
use crate::wire::{checksum, EtherType, IpProtocol};
use core::ops::Range;
use rand::SeedableRng;

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
    /// The client aborts with a RST after the last response (tshark reports
    /// a reset as a warning, so plain scenarios never use it).
    ClientRst,
}

/// Segment loss, decided per data segment from its own seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Loss {
    /// Probability that a data segment is lost on the way (0.0..1.0).
    pub probability: f64,
    /// Seed of the loss decisions.
    pub seed: u64,
}

/// Everything that decides a conversation's bytes.
#[derive(Debug, Clone, PartialEq)]
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
    /// Data segments lost on the way, if any.
    pub loss: Option<Loss>,
}

/// Linux's minimum delayed-ACK timeout (`TCP_DELACK_MIN`, 40 ms).
pub const DELAYED_ACK_NS: u64 = 40 * MS;

/// Linux's minimum retransmission timeout (`TCP_RTO_MIN`, 200 ms; RFC 6298
/// section 2 allows a lower bound below its 1 s).
pub const MIN_RTO_NS: u64 = 200 * MS;

/// Time between a segment's arrival and the receiver's acknowledgment of it.
const ACK_TURNAROUND_NS: u64 = 20_000;

/// A planned segment.
#[derive(Debug, Clone)]
struct Segment {
    /// When it crosses the instance's interface.
    at_ns: u64,
    /// 0 = client, 1 = server.
    from: usize,
    repr: tcp::Repr,
    /// Which of the sender's messages the payload comes from, and where.
    msg: usize,
    payload: Range<usize>,
    /// The payload's one's-complement sum (RFC 1071), taken when the
    /// conversation is planned: planning may be on another thread, and the
    /// bytes are freshly in its cache then.
    payload_sum: u16,
    ident: u16,
    event: Event,
}

/// A segment on its way to an end.
#[derive(Debug, Clone, Copy)]
struct Arrival {
    at_ns: u64,
    start: u32,
    end: u32,
    tsval: u32,
}

/// The state of one end during planning.
#[derive(Debug, Clone, Default)]
struct End {
    snd_nxt: u32,
    ident: u16,
    /// The peer's initial sequence number, once its SYN is planned.
    irs: Option<u32>,
    /// Segments that will arrive at this end.
    arrivals: Vec<Arrival>,
    /// Whether some arrival was planned to come before one planned earlier.
    /// Until then what has arrived by any time is a prefix of `arrivals`.
    arrivals_out_of_order: bool,
    /// The first pass of [`Planner::receive_state`] over a prefix of
    /// `arrivals`, carried forward from one query to the next.
    scan: AckScan,
    /// The message this end is sending (an index into its messages).
    msg: usize,
    /// The byte of that message that goes next.
    stream_pos: usize,
    /// Extra receive window granted after data was read (window updates).
    window_bonus: u32,
}

/// The cumulative acknowledgment after one in-order pass over the first
/// `len` arrivals of an end (see [`Planner::receive_state`]).
#[derive(Debug, Clone, Copy, Default)]
struct AckScan {
    len: usize,
    ack: u32,
    /// Whether an arrival lay above the acknowledgment when it was passed.
    above_ack: bool,
}

impl AckScan {
    /// Passes `arrivals`, the ones after the first `len`.
    fn extend(&mut self, arrivals: &[Arrival]) {
        for a in arrivals {
            if seq_le(a.start, self.ack) {
                if seq_lt(self.ack, a.end) {
                    self.ack = a.end;
                }
            } else {
                self.above_ack = true;
            }
        }
        self.len += arrivals.len();
    }
}

/// A planned TCP conversation that emits its frames in capture order.
#[derive(Debug, Clone)]
pub struct TcpConversation {
    ends: [Endpoint; 2],
    instance: usize,
    profiles: [TcpProfile; 2],
    /// Each end's messages (requests for the client, responses for the
    /// server), kept apart: a segment never spans two of them, so nothing is
    /// concatenated.
    messages: [Vec<Vec<u8>>; 2],
    /// In the order they were planned.
    segments: Vec<Segment>,
    /// Indices into `segments` in capture order.
    order: Vec<u32>,
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
    loss: Option<(f64, rand_chacha::ChaCha8Rng)>,
    /// When the first segment is sent: where the TSval clocks count from.
    epoch_ns: u64,
}

/// What an end has received by some time.
struct ReceiveState {
    /// Cumulative acknowledgment number.
    ack: u32,
    /// TSval to echo.
    ecr: u32,
    /// SACK blocks above `ack`, most recent first.
    sack: [Option<(u32, u32)>; 3],
    /// Bytes received in order.
    received: u32,
}

/// What to send in one segment.
struct Send {
    side: usize,
    msg: usize,
    at_ns: u64,
    seq: u32,
    flags: TcpFlags,
    payload: Range<usize>,
    event: Event,
    /// Lost on the way: the peer never sees it (nor does the capture, when the
    /// peer is the instance).
    lost: bool,
}

impl Planner<'_> {
    fn one_way(&self) -> u64 {
        self.spec.rtt_ns / 2
    }

    fn tsval(&self, side: usize, at_ns: u64) -> u32 {
        // Linux's TCP timestamp clock ticks in milliseconds (RFC 7323 section 5.4
        // recommends 1 ms to 1 s per tick), from a random offset per connection
        // (`ts_offset`); counted here from the conversation's first segment, so
        // that the bytes do not depend on when it started.
        self.ts_offset[side].wrapping_add((at_ns.saturating_sub(self.epoch_ns) / MS) as u32)
    }

    /// The cumulative acknowledgment, TSecr and SACK blocks of what has
    /// arrived at `side` by `at_ns` (RFC 9293 section 3.4; RFC 7323 section
    /// 4.3; RFC 2018 section 4).
    fn receive_state(&mut self, side: usize, at_ns: u64) -> ReceiveState {
        let end = &mut self.ends[side];
        let Some(irs) = end.irs else { return ReceiveState { ack: 0, ecr: 0, sack: [None; 3], received: 0 } };
        if !end.arrivals_out_of_order {
            // Fast path, exact: what has arrived is a prefix, and the first
            // pass below is a fold over it in order, so the pass over a
            // shorter prefix carries forward. Without an arrival above the
            // acknowledgment there are no SACK blocks, every arrival is
            // acknowledged, and the most recent one's TSval is echoed. Each
            // segment planned would otherwise rescan all arrivals: quadratic
            // in the segments of a conversation.
            let arrived = end.arrivals.partition_point(|a| a.at_ns <= at_ns);
            if arrived < end.scan.len || end.scan.len == 0 {
                end.scan = AckScan { len: 0, ack: irs, above_ack: false };
            }
            let scan = &mut end.scan;
            scan.extend(&end.arrivals[scan.len..arrived]);
            if !scan.above_ack {
                let ack = scan.ack;
                let ecr = end.arrivals[..arrived].last().map_or(0, |a| a.tsval);
                let received = ack.wrapping_sub(irs).saturating_sub(1);
                return ReceiveState { ack, ecr, sack: [None; 3], received };
            }
        }
        let end = &self.ends[side];
        let arrived = || end.arrivals.iter().filter(|a| a.at_ns <= at_ns);
        // Arrivals are recorded in sending order, so one pass usually finds
        // the cumulative acknowledgment; after a loss the retransmission comes
        // later in the list and further passes close the hole.
        let mut ack = irs;
        let mut above_ack = false;
        for a in arrived() {
            if seq_le(a.start, ack) {
                if seq_lt(ack, a.end) {
                    ack = a.end;
                }
            } else {
                above_ack = true;
            }
        }
        while above_ack {
            let mut moved = false;
            above_ack = false;
            for a in arrived() {
                if seq_le(a.start, ack) && seq_lt(ack, a.end) {
                    ack = a.end;
                    moved = true;
                } else if seq_lt(ack, a.start) {
                    above_ack = true;
                }
            }
            if !moved {
                break;
            }
        }
        // TSecr echoes the most recent in-order segment's TSval (RFC 7323 4.3).
        let ecr = arrived().filter(|a| seq_le(a.end, ack)).max_by_key(|a| a.at_ns).map_or(0, |a| a.tsval);
        let mut sack = [None; 3];
        if self.use_sack && above_ack {
            let mut above: Vec<(u32, u32, u64)> =
                arrived().filter(|a| seq_lt(ack, a.start)).map(|a| (a.start, a.end, a.at_ns)).collect();
            above.sort_by_key(|&(s, _, _)| s.wrapping_sub(ack));
            let mut blocks: Vec<(u32, u32, u64)> = Vec::new();
            for (s, e, t) in above {
                match blocks.last_mut() {
                    Some(b) if seq_le(s, b.1) => {
                        if seq_lt(b.1, e) {
                            b.1 = e;
                        }
                        b.2 = b.2.max(t);
                    }
                    _ => blocks.push((s, e, t)),
                }
            }
            // The block holding the most recent arrival goes first (RFC 2018 section 4).
            blocks.sort_by_key(|b| core::cmp::Reverse(b.2));
            for (slot, b) in sack.iter_mut().zip(blocks) {
                *slot = Some((b.0, b.1));
            }
        }
        let received = ack.wrapping_sub(irs).saturating_sub(1);
        ReceiveState { ack, ecr, sack, received }
    }

    /// Plans one segment; returns its arrival time at the peer.
    fn emit(&mut self, s: Send) -> u64 {
        let ReceiveState { ack, ecr, sack, received } = self.receive_state(s.side, s.at_ns);
        let syn = s.flags.contains(TcpFlags::SYN);
        let profile = self.profiles[s.side];
        let tsval = self.tsval(s.side, s.at_ns);
        let window_len = if syn {
            // RFC 7323 section 2.2: the window in a SYN is never scaled.
            profile.window.min(u16::MAX as u32) as u16
        } else {
            // Linux grows the receive window as the application reads
            // (receive buffer auto-tuning); model it as the bytes received.
            let window = profile
                .window
                .saturating_add(received.min(4 << 20))
                .saturating_add(self.ends[s.side].window_bonus);
            (window >> profile.window_scale).min(u16::MAX as u32) as u16
        };
        let with_ack = s.flags.contains(TcpFlags::ACK);
        let len = s.payload.len();
        let repr = tcp::Repr {
            src_port: if s.side == 0 { self.spec.client.port } else { self.spec.server.port },
            dst_port: if s.side == 0 { self.spec.server.port } else { self.spec.client.port },
            seq_number: s.seq,
            ack_number: if with_ack { ack } else { 0 },
            flags: s.flags,
            window_len,
            urgent_pointer: 0,
            max_seg_size: syn.then_some(profile.mss),
            window_scale: syn.then_some(profile.window_scale),
            sack_permitted: syn && self.use_sack,
            sack_ranges: if with_ack && len == 0 && !syn { sack } else { [None; 3] },
            timestamp: self.use_ts.then_some((tsval, if with_ack { ecr } else { 0 })),
            payload_len: len,
        };
        let consumed = len as u32 + syn as u32 + s.flags.contains(TcpFlags::FIN) as u32;
        let end = &mut self.ends[s.side];
        let ident = end.ident;
        end.ident = end.ident.wrapping_add(1);
        let arrive = s.at_ns + self.one_way();
        let at_ns = if s.side == self.instance { s.at_ns } else { arrive };
        // A segment the peer loses before the instance sees it is not captured.
        if s.side == self.instance || !s.lost {
            self.segments.push(Segment {
                at_ns,
                from: s.side,
                repr,
                msg: s.msg,
                payload: s.payload,
                payload_sum: 0,
                ident,
                event: s.event,
            });
        }
        if !s.lost {
            let peer = &mut self.ends[1 - s.side];
            if syn {
                peer.irs = Some(s.seq);
            }
            if consumed > 0 {
                if peer.arrivals.last().is_some_and(|a| a.at_ns > arrive) {
                    peer.arrivals_out_of_order = true;
                }
                peer.arrivals.push(Arrival {
                    at_ns: arrive,
                    start: s.seq,
                    end: s.seq.wrapping_add(consumed),
                    tsval,
                });
            }
        }
        arrive
    }

    /// Plans a new segment at `side`'s next sequence number.
    fn send(&mut self, side: usize, at_ns: u64, flags: TcpFlags, len: usize, event: Event) -> u64 {
        self.send_maybe_lost(side, at_ns, flags, len, event, false)
    }

    fn send_maybe_lost(
        &mut self,
        side: usize,
        at_ns: u64,
        flags: TcpFlags,
        len: usize,
        event: Event,
        lost: bool,
    ) -> u64 {
        let seq = self.ends[side].snd_nxt;
        let (msg, pos) = (self.ends[side].msg, self.ends[side].stream_pos);
        let consumed =
            len as u32 + flags.contains(TcpFlags::SYN) as u32 + flags.contains(TcpFlags::FIN) as u32;
        self.ends[side].snd_nxt = seq.wrapping_add(consumed);
        self.ends[side].stream_pos += len;
        self.emit(Send { side, msg, at_ns, seq, flags, payload: pos..pos + len, event, lost })
    }

    fn lose(&mut self) -> bool {
        match &mut self.loss {
            Some((p, rng)) => rand::Rng::random_bool(rng, *p),
            None => false,
        }
    }

    /// Sends `len` bytes of `side`'s stream from `start_ns` in flights bounded
    /// by the congestion window, the peer acknowledging as Linux does; returns
    /// when the last byte has arrived at the peer and whether the peer still
    /// owes a (delayed) acknowledgment.
    fn send_message(
        &mut self,
        side: usize,
        msg: usize,
        start_ns: u64,
        len: usize,
        label: &'static str,
    ) -> (u64, bool) {
        let peer = 1 - side;
        self.ends[side].msg = msg;
        self.ends[side].stream_pos = 0;
        let mss = self.seg_payload[side];
        let mut remaining = len;
        // RFC 6928 initial window, in segments; doubling per round trip (slow start).
        let mut cwnd = 10usize;
        let mut t = start_ns;
        let mut first = true;
        let mut last_arrival = start_ns;
        let mut owes_ack = false;
        // In-order segments the peer has not acknowledged yet; a lone one
        // waits for the next arrival (or the delayed-ACK timer).
        let mut unacked = 0usize;
        // Serialization gap between back-to-back segments (about 10 Gbit/s).
        let gap = |bytes: usize| (bytes as u64 * 8 / 10).max(1_000);
        while remaining > 0 {
            let mut flight_acked_at = t;
            let mut lost: Vec<(u32, Range<usize>, u64)> = Vec::new();
            let mut dupacks: Vec<u64> = Vec::new();
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
                let is_lost = self.lose();
                let (seq, pos) = (self.ends[side].snd_nxt, self.ends[side].stream_pos);
                let arrive = self.send_maybe_lost(side, t, flags, n, event, is_lost);
                if is_lost {
                    lost.push((seq, pos..pos + n, t));
                } else if !lost.is_empty() {
                    // Out-of-order arrival: an immediate ACK with SACK blocks
                    // (RFC 5681 section 4.2, RFC 2018). It is a duplicate ACK
                    // unless it also acknowledges in-order data still waiting
                    // for its ACK, which moves the acknowledgment number.
                    let event = if unacked > 0 { Event::TcpAck } else { Event::TcpDupAck };
                    let a = self.send(peer, arrive + ACK_TURNAROUND_NS, TcpFlags::ACK, 0, event);
                    if unacked > 0 {
                        unacked = 0;
                    } else {
                        dupacks.push(a);
                    }
                    flight_acked_at = flight_acked_at.max(a);
                } else {
                    last_arrival = arrive;
                    unacked += 1;
                    // Every second full-sized segment is acknowledged at once
                    // (RFC 9293 section 3.8.6.3); so is the end of a message
                    // while Linux is in quick-ACK mode early in a connection.
                    if unacked == 2 || last {
                        let a = self.send(peer, arrive + ACK_TURNAROUND_NS, TcpFlags::ACK, 0, Event::TcpAck);
                        flight_acked_at = flight_acked_at.max(a);
                        unacked = 0;
                    }
                }
                t += gap(n + 66);
            }
            // Only the last flight's unacknowledged tail is owed an ACK: a later
            // flight's acknowledgments cover an earlier one's.
            owes_ack = unacked > 0;
            for (i, (seq, payload, sent_at)) in lost.iter().cloned().enumerate() {
                // Fast retransmit on the third duplicate ACK (RFC 5681 section
                // 3.2), otherwise when the retransmission timer fires (RFC 6298).
                let at = match dupacks.get(2) {
                    Some(&third) if i == 0 => third + 10_000,
                    _ => sent_at + MIN_RTO_NS.max(self.spec.rtt_ns * 2),
                }
                .max(t);
                let flags = TcpFlags::ACK | TcpFlags::PSH;
                let arrive = self.emit(Send {
                    side,
                    msg,
                    at_ns: at,
                    seq,
                    flags,
                    payload,
                    event: Event::TcpRetransmission,
                    lost: false,
                });
                last_arrival = last_arrival.max(arrive);
                let a = self.send(peer, arrive + ACK_TURNAROUND_NS, TcpFlags::ACK, 0, Event::TcpAck);
                flight_acked_at = flight_acked_at.max(a);
                t = t.max(at + 1_000);
                // The retransmission's ACK covers every byte before it: nothing
                // in order is left waiting, so the next out-of-order arrival's
                // ACK repeats this one (a duplicate ACK).
                owes_ack = false;
                unacked = 0;
            }
            cwnd = if lost.is_empty() { cwnd * 2 } else { (cwnd / 2).max(2) };
            t = t.max(flight_acked_at);
        }
        (last_arrival, owes_ack)
    }
}

/// `a <= b` in sequence space (RFC 9293 section 3.4).
fn seq_le(a: u32, b: u32) -> bool {
    (b.wrapping_sub(a) as i32) >= 0
}

/// `a < b` in sequence space.
fn seq_lt(a: u32, b: u32) -> bool {
    (b.wrapping_sub(a) as i32) > 0
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
        let mut messages: [Vec<Vec<u8>>; 2] =
            [Vec::with_capacity(lens.len()), Vec::with_capacity(lens.len())];
        for ex in &mut spec.exchanges {
            messages[0].push(core::mem::take(&mut ex.request));
            messages[1].push(core::mem::take(&mut ex.response));
        }
        // Room for what a loss-free conversation plans, so that the vectors
        // are not regrown segment by segment: each side's data segments, the
        // peer's acknowledgments of them (at most one per data segment), and
        // the handshake and close.
        let data_segments = |side: usize| -> usize {
            messages[side].iter().map(|m| m.len().div_ceil(seg_payload[side]) + 1).sum()
        };
        let (client_data, server_data) = (data_segments(0), data_segments(1));
        let end = |isn: u32, ident: u16, arriving: usize| End {
            snd_nxt: isn,
            ident,
            arrivals: Vec::with_capacity(arriving + 2),
            ..End::default()
        };
        let mut p = Planner {
            spec: &spec,
            ends: [
                end(spec.isn.0, spec.ip_ident.0, server_data),
                end(spec.isn.1, spec.ip_ident.1, client_data),
            ],
            profiles,
            ts_offset: [spec.ts_offset.0, spec.ts_offset.1],
            segments: Vec::with_capacity(2 * (client_data + server_data) + 8),
            instance,
            seg_payload,
            use_ts,
            use_sack,
            loss: spec.loss.map(|l| (l.probability, rand_chacha::ChaCha8Rng::seed_from_u64(l.seed))),
            epoch_ns: 0,
        };
        // Send times are on the sender's own clock; an instance that is the
        // server sees the SYN one one-way delay after the client sent it.
        let t0 = if instance == 0 { spec.start_ns } else { spec.start_ns.saturating_sub(p.one_way()) };
        p.epoch_ns = t0;
        // Three-way handshake, RFC 9293 section 3.5.
        let syn_arrival = p.send(0, t0, TcpFlags::SYN, 0, Event::TcpSyn);
        let synack_arrival =
            p.send(1, syn_arrival + 30_000, TcpFlags::SYN | TcpFlags::ACK, 0, Event::TcpSynAck);
        let mut t = synack_arrival + 40_000;
        p.send(0, t, TcpFlags::ACK, 0, Event::TcpHandshakeAck);
        t += 15_000;
        let count = lens.len();
        for (i, (req_len, resp_len, req_label, resp_label, think)) in lens.into_iter().enumerate() {
            let (req_arrival, server_owes) =
                if req_len > 0 { p.send_message(0, i, t, req_len, req_label) } else { (t, false) };
            // The server's delayed ACK fires unless its response leaves first
            // and carries the acknowledgment.
            if server_owes && think >= DELAYED_ACK_NS {
                p.send(1, req_arrival + DELAYED_ACK_NS, TcpFlags::ACK, 0, Event::TcpAck);
            }
            let (resp_arrival, client_owes) = if resp_len > 0 {
                p.send_message(1, i, req_arrival + think, resp_len, resp_label)
            } else {
                (req_arrival, false)
            };
            let next_client_send = resp_arrival + 200_000;
            if client_owes {
                // Nothing to piggyback on soon: the delayed ACK timer fires.
                p.send(0, resp_arrival + DELAYED_ACK_NS.min(150_000), TcpFlags::ACK, 0, Event::TcpAck);
            }
            if resp_len > 64 * 1024 && i + 1 == count {
                // After reading a large response the client's application has
                // freed its buffer: a window update (RFC 9293 section 3.8.6.2.2).
                p.ends[0].window_bonus = 256 * 1024;
                p.send(0, resp_arrival + 300_000, TcpFlags::ACK, 0, Event::TcpAck);
            }
            t = next_client_send + 500_000;
        }
        match spec.close {
            Close::ClientFin | Close::ServerFin => {
                let (first, second) = if spec.close == Close::ClientFin { (0, 1) } else { (1, 0) };
                let fin1 = p.send(first, t, TcpFlags::FIN | TcpFlags::ACK, 0, Event::TcpFin);
                let fin2 = p.send(second, fin1 + 50_000, TcpFlags::FIN | TcpFlags::ACK, 0, Event::TcpFin);
                p.send(first, fin2 + ACK_TURNAROUND_NS, TcpFlags::ACK, 0, Event::TcpAck);
            }
            Close::ClientRst => {
                p.send(0, t, TcpFlags::RST | TcpFlags::ACK, 0, Event::TcpRst);
            }
        }
        let mut segments = p.segments;
        for seg in &mut segments {
            if let Some(m) = messages[seg.from].get(seg.msg).filter(|_| !seg.payload.is_empty()) {
                seg.payload_sum = checksum::data(&m[seg.payload.clone()]);
            }
        }
        // Capture order is time order at the instance's interface, ties in
        // planning order (a stable sort), sorting indices rather than moving
        // the segments themselves.
        let mut keyed: Vec<(u64, u32)> =
            segments.iter().enumerate().map(|(i, s)| (s.at_ns, i as u32)).collect();
        keyed.sort_unstable();
        let order = keyed.into_iter().map(|(_, i)| i).collect();
        TcpConversation {
            ends: [spec.client, spec.server],
            instance,
            profiles,
            messages,
            segments,
            order,
            next: 0,
        }
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
        self.order.last().map_or(0, |&i| self.segments[i as usize].at_ns)
    }

    /// Moves every segment `delta_ns` later: the conversation planned that
    /// much later (its bytes never hold the time: TSval counts from the
    /// conversation's first segment), as long as neither start was within
    /// one one-way delay of the epoch.
    pub fn shift(&mut self, delta_ns: u64) {
        for seg in &mut self.segments {
            seg.at_ns += delta_ns;
        }
    }
}

impl TrafficSource for TcpConversation {
    fn next_frame(&mut self, frame: &mut Vec<u8>) -> Option<PacketInfo> {
        self.frame(Some(frame))
    }

    fn skip_frame(&mut self, _frame: &mut Vec<u8>) -> Option<PacketInfo> {
        self.frame(None)
    }

    fn peek_time(&self) -> Option<u64> {
        self.order.get(self.next).map(|&i| self.segments[i as usize].at_ns)
    }
}

impl TcpConversation {
    /// The next segment's description, its frame appended to `frame` if given.
    #[inline]
    fn frame(&mut self, frame: Option<&mut Vec<u8>>) -> Option<PacketInfo> {
        let seg = &self.segments[*self.order.get(self.next)? as usize];
        self.next += 1;
        let (src, dst) = (&self.ends[seg.from], &self.ends[1 - seg.from]);
        if let Some(frame) = frame {
            let ip = IpFields { hop_limit: self.profiles[seg.from].ttl, ident: seg.ident, dont_frag: true };
            let payload = match self.messages[seg.from].get(seg.msg) {
                Some(m) if !seg.payload.is_empty() => &m[seg.payload.clone()],
                _ => &[],
            };
            push_tcp_frame_summed(frame, src, dst, &ip, &seg.repr, payload, seg.payload_sum);
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{ethernet, ipv4, EthernetAddress};
    use std::net::{IpAddr, Ipv4Addr};

    fn spec(loss: Option<Loss>, response_len: usize) -> ConversationSpec {
        let end = |last: u8, port| Endpoint {
            mac: EthernetAddress([2, 0, 0, 0, 0, last]),
            ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, last)),
            port,
        };
        ConversationSpec {
            client: end(1, 40000),
            server: end(2, 443),
            instance_is_client: true,
            start_ns: 1_000_000_000,
            rtt_ns: 20 * MS,
            client_profile: TcpProfile::linux(64),
            server_profile: TcpProfile::linux(50),
            isn: (u32::MAX - 100, 7),
            ts_offset: (1000, 2000),
            ip_ident: (1, 2),
            exchanges: vec![Exchange {
                request: vec![b'q'; 300],
                request_label: "request",
                response: vec![b'r'; response_len],
                response_label: "response",
                think_ns: MS,
            }],
            close: Close::ClientFin,
            loss,
        }
    }

    /// Every segment as (time, from client?, repr, payload).
    fn segments(mut conv: TcpConversation) -> Vec<(u64, bool, tcp::Repr, Vec<u8>)> {
        let mut out = Vec::new();
        let mut buf = Vec::new();
        while let Some(info) = conv.next_frame(&mut buf) {
            let frame = ethernet::Frame::new_checked(&buf[..]).unwrap();
            let ip = ipv4::Packet::new_checked(frame.payload()).unwrap();
            assert!(ip.verify_checksum());
            let seg = tcp::Packet::new_checked(ip.payload()).unwrap();
            let (src, dst) = (IpAddr::V4(ip.src_addr()), IpAddr::V4(ip.dst_addr()));
            assert!(seg.verify_checksum(&src, &dst), "TCP checksum at {}", info.timestamp_ns);
            let repr = tcp::Repr::parse(&seg).unwrap();
            out.push((info.timestamp_ns, info.direction == Direction::Egress, repr, seg.payload().to_vec()));
            buf.clear();
        }
        out
    }

    #[test]
    fn capture_order_is_time_order_and_acks_never_run_ahead() {
        let segs = segments(TcpConversation::plan(spec(None, 40_000)));
        assert!(segs.windows(2).all(|w| w[0].0 <= w[1].0));
        // What each side has sent so far, in sequence space, as seen at the
        // instance (the client): an ACK may only cover data already sent.
        let mut sent_end = [spec(None, 0).isn.0, spec(None, 0).isn.1];
        for (_, from_client, repr, payload) in &segs {
            let (me, peer) = if *from_client { (0, 1) } else { (1, 0) };
            let consumed = payload.len() as u32
                + repr.flags.contains(TcpFlags::SYN) as u32
                + repr.flags.contains(TcpFlags::FIN) as u32;
            if repr.flags.contains(TcpFlags::ACK) {
                assert!(seq_le(repr.ack_number, sent_end[peer]), "ACK {} beyond data sent", repr.ack_number);
            }
            let end = repr.seq_number.wrapping_add(consumed);
            if seq_lt(sent_end[me], end) {
                sent_end[me] = end;
            }
        }
        let total: usize = segs.iter().filter(|s| !s.1).map(|s| s.3.len()).sum();
        assert_eq!(total, 40_000, "the whole response is carried exactly once");
    }

    #[test]
    fn syn_carries_linux_options_and_data_respects_the_mss() {
        let segs = segments(TcpConversation::plan(spec(None, 10_000)));
        let syn = &segs[0].2;
        assert_eq!(syn.flags, TcpFlags::SYN);
        assert_eq!((syn.max_seg_size, syn.window_scale, syn.sack_permitted), (Some(1460), Some(7), true));
        assert!(segs.iter().all(|s| s.3.len() <= 1448));
        // Timestamps advance on each side.
        let client_ts: Vec<u32> = segs.iter().filter(|s| s.1).map(|s| s.2.timestamp.unwrap().0).collect();
        assert!(client_ts.windows(2).all(|w| seq_le(w[0], w[1])));
    }

    #[test]
    fn loss_brings_duplicate_acks_and_a_retransmission_of_the_same_bytes() {
        let segs = segments(TcpConversation::plan(spec(Some(Loss { probability: 0.2, seed: 9 }), 60_000)));
        let server_data: Vec<_> = segs.iter().filter(|s| !s.1 && !s.3.is_empty()).collect();
        // A server segment lost before reaching the instance is captured only
        // when it is sent again: so the bytes still add up, and the SACK
        // blocks of the client's duplicate ACKs point above a hole.
        let total: usize = server_data.iter().map(|s| s.3.len()).sum();
        assert_eq!(total, 60_000);
        assert!(segs.iter().any(|s| s.1 && s.2.sack_ranges[0].is_some()), "duplicate ACKs carry SACK blocks");
        let plain = segments(TcpConversation::plan(spec(None, 60_000)));
        assert!(plain.iter().all(|s| s.2.sack_ranges[0].is_none()));
    }

    #[test]
    fn planning_is_deterministic() {
        let a = segments(TcpConversation::plan(spec(Some(Loss { probability: 0.1, seed: 1 }), 30_000)));
        let b = segments(TcpConversation::plan(spec(Some(Loss { probability: 0.1, seed: 1 }), 30_000)));
        assert_eq!(a, b);
    }
}
