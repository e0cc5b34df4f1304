//! The step that turns one inner frame into (at most) one mirror copy: find
//! the session that mirrors it, wrap it in the outer headers in place, count
//! it, describe it, and write it, or hold it in the reorder buffer when the
//! mirror path delays it.

use super::comment::{describe, CopyFacts, Memo};
use super::reorder::{Delays, ReorderBuffer};
use super::Stats;
use crate::capture::{CaptureError, CaptureWriter, PacketDirection, Record};
use crate::flow::{Direction, PacketKey};
use crate::mirror::encap::{encapsulate_in_place, outer_source_port, OuterHeaders, HEADROOM};
use crate::mirror::filter::pick_session;
use crate::mirror::session::Mirror;
use crate::traffic::PacketInfo;
use rand::RngCore;
use std::io::Write;

/// How the mirror path treats copies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EmitOptions {
    /// Whether to write a ground-truth comment on each copy (pcapng only).
    pub comments: bool,
    /// Fraction (0..=1) of TCP data copies delayed so that later ones overtake them.
    pub reorder: f64,
    /// Seed of the delays.
    pub seed: u64,
}

/// A copy's place in a run besides its arrival time: when its frame
/// crossed the interface, and the flow's place in the order flows start.
/// A run's copies come out by (arrival, frame time, flow), which is what
/// lets a `--jobs` run merge the copies its threads write
/// (`generate::parallel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(crate) struct Place {
    pub(crate) frame_ns: u64,
    pub(crate) flow: u64,
}

/// Where an [`Emitter`]'s copies go, in the order the target receives them.
pub(crate) trait CopySink {
    /// One copy, with its place in the run.
    fn put(&mut self, rec: &Record<'_>, place: Place) -> Result<(), CaptureError>;
    /// The place of a copy another shard writes (`generate::shard`).
    fn skip(&mut self);
}

impl<W: Write> CopySink for CaptureWriter<W> {
    #[inline]
    fn put(&mut self, rec: &Record<'_>, _: Place) -> Result<(), CaptureError> {
        self.write(rec)
    }
    #[inline]
    fn skip(&mut self) {
        CaptureWriter::skip(self);
    }
}

/// Mirrors frames one at a time into a capture.
///
/// Each frame is handed over in a buffer that holds [`HEADROOM`] bytes and
/// then the frame: the outer headers go in front of it, so no frame is copied.
#[derive(Debug)]
pub struct Emitter<'m> {
    mirror: &'m Mirror,
    routes: RouteCache,
    /// Each session's outer headers, made once (`None`: GWLB targets).
    outer: Vec<Option<OuterHeaders>>,
    delays: Delays,
    /// Present when copies may be delayed.
    held: Option<ReorderBuffer>,
    comments: bool,
    comment: String,
    memo: Memo,
    stats: Stats,
    /// Whether the frames now coming are this shard's (always, unsharded).
    owned: bool,
}

impl<'m> Emitter<'m> {
    /// An emitter for `mirror`'s sessions.
    pub fn new(mirror: &'m Mirror, opts: &EmitOptions) -> Emitter<'m> {
        let delays = Delays::new(opts.reorder, opts.seed);
        let held = delays.enabled().then(ReorderBuffer::new);
        Emitter {
            mirror,
            routes: RouteCache::default(),
            outer: mirror.sessions.iter().map(|s| OuterHeaders::new(s, &mirror.source)).collect(),
            delays,
            held,
            comments: opts.comments,
            comment: String::with_capacity(256),
            memo: Memo::default(),
            stats: Stats::default(),
            owned: true,
        }
    }

    /// Whether the frames emitted from now on belong to this shard's flows
    /// (`generate::shard`). A frame that does not is routed and given its
    /// delay as any other, so that the random delays and the order of the
    /// copies stay those of the whole run, but its copy is neither built nor
    /// counted: the writer only [`skip`](CaptureWriter::skip)s its place.
    #[inline]
    pub fn set_owned(&mut self, owned: bool) {
        self.owned = owned;
    }

    /// The mirror path's delay of the copy of `info` ([`Delays`]), drawn
    /// from `stream` (the flow's, [`TrafficSource::mirror_stream`]) when it
    /// is asked for and given, else from the run's one stream.
    ///
    /// [`TrafficSource::mirror_stream`]: crate::traffic::TrafficSource::mirror_stream
    #[inline]
    pub(crate) fn delay_ns<'r>(
        &mut self,
        info: &PacketInfo,
        stream: impl FnOnce() -> Option<&'r mut dyn RngCore>,
    ) -> u64 {
        self.delays.delay_ns(info, stream)
    }

    /// Mirrors the frame in `buf[HEADROOM..]`, described by `info`, of a flow
    /// of kind `flow_kind` (for the comment), its copy delayed `delay_ns`
    /// in the mirror path ([`Emitter::delay_ns`]). `buf` is left holding the copy.
    // Inlined into the run loop, its one caller there: per copy.
    #[inline]
    pub(crate) fn emit<C: CopySink>(
        &mut self,
        buf: &mut Vec<u8>,
        info: &PacketInfo,
        flow_kind: &str,
        (place, delay_ns): (Place, u64),
        writer: &mut C,
    ) -> Result<(), CaptureError> {
        let (session, port) = self.routes.route(self.mirror, info.direction, &info.key);
        if !self.owned {
            if session.is_some() {
                let sent_ns = info.timestamp_ns + Mirror::LATENCY_NS;
                match &mut self.held {
                    None => writer.skip(),
                    Some(held) => {
                        held.push_skip(sent_ns + delay_ns);
                        held.release(sent_ns, writer)?;
                    }
                }
            }
            return Ok(());
        }
        let stats = &mut self.stats;
        stats.inner_packets += 1;
        let Some(index) = session else {
            stats.not_mirrored += 1;
            return Ok(());
        };
        let session = &self.mirror.sessions[index];
        let (copy, start) = match &self.outer[index] {
            Some(outer) => outer.encapsulate_in_place(session, buf, HEADROOM, port),
            None => encapsulate_in_place(session, &self.mirror.source, buf, HEADROOM, port),
        };
        let outer = &buf[start..];
        stats.copies += 1;
        stats.bytes += outer.len() as u64;
        stats.truncated += copy.truncation.is_some() as u64;
        stats.reordered += (delay_ns > 0) as u64;
        let direction = match info.direction {
            Direction::Ingress => PacketDirection::Inbound,
            Direction::Egress => PacketDirection::Outbound,
        };
        let comment = if self.comments {
            let facts = CopyFacts {
                flow_kind,
                session,
                truncation: copy.truncation,
                inner_len: copy.inner_len,
                delay_ns,
            };
            describe(&mut self.comment, &mut self.memo, info, &facts);
            Some(self.comment.as_str())
        } else {
            None
        };
        let sent_ns = info.timestamp_ns + Mirror::LATENCY_NS;
        let Some(held) = &mut self.held else {
            let rec = Record {
                timestamp_ns: sent_ns,
                data: outer,
                orig_len: outer.len() as u32,
                comment,
                direction: Some(direction),
            };
            return writer.put(&rec, place);
        };
        // Reordering: hold copies until no later copy can arrive before them.
        held.push(sent_ns + delay_ns, place, outer, comment, direction);
        held.release(sent_ns, writer)
    }

    /// Writes the copies held that arrive by `watermark_ns`: the time
    /// before which no copy emitted later can arrive.
    pub(crate) fn release<C: CopySink>(
        &mut self,
        watermark_ns: u64,
        out: &mut C,
    ) -> Result<(), CaptureError> {
        match &mut self.held {
            Some(held) => held.release(watermark_ns, out),
            None => Ok(()),
        }
    }

    /// When the earliest copy held arrives, if any is.
    pub(crate) fn first_held(&self) -> Option<u64> {
        self.held.as_ref().and_then(ReorderBuffer::first_due)
    }

    /// The counts so far.
    pub(crate) fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Writes the copies still held and returns the counts.
    pub(crate) fn finish<C: CopySink>(mut self, writer: &mut C) -> Result<Stats, CaptureError> {
        if let Some(held) = &mut self.held {
            held.drain(writer)?;
        }
        Ok(self.stats)
    }
}

/// Remembers, for the last few flows, which session mirrors a packet and the
/// outer source port: both depend only on the direction and the packet's
/// key, and consecutive packets mostly belong to a flow just seen.
#[derive(Debug)]
struct RouteCache {
    slots: [Option<Route>; 64],
}

/// A packet's direction and key, the index of the session that mirrors it
/// (if any) and the outer source port.
type Route = (Direction, PacketKey, Option<usize>, u16);

impl Default for RouteCache {
    fn default() -> RouteCache {
        RouteCache { slots: [None; 64] }
    }
}

impl RouteCache {
    /// The index in `mirror.sessions` of the session that mirrors a packet
    /// ([`pick_session`]) and its outer source port ([`outer_source_port`]).
    fn route(&mut self, mirror: &Mirror, direction: Direction, key: &PacketKey) -> (Option<usize>, u16) {
        let i = (key.src_port.unwrap_or(0) ^ key.dst_port.unwrap_or(0) ^ direction as u16) as usize
            % self.slots.len();
        if let Some((d, k, session, port)) = &self.slots[i] {
            if *d == direction && k == key {
                return (*session, *port);
            }
        }
        let session = pick_session(&mirror.sessions, direction, key, &mirror.source.vpc_cidr);
        let index = session
            .map(|s| mirror.sessions.iter().position(|x| core::ptr::eq(x, s)).expect("from the slice"));
        let port = outer_source_port(key, &mirror.source.vpc_cidr);
        self.slots[i] = Some((direction, *key, index, port));
        (index, port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::Format;
    use crate::mirror::encap::encapsulate;
    use crate::mirror::filter::{Filter, FilterRule, RuleAction};
    use crate::traffic::Event;
    use crate::wire::IpProtocol;

    fn frame(len: usize) -> Vec<u8> {
        let mut buf = vec![0; HEADROOM];
        buf.extend((0..len).map(|i| i as u8));
        buf
    }

    fn info(key: PacketKey, direction: Direction) -> PacketInfo {
        PacketInfo { timestamp_ns: 1_000, direction, key, event: Event::TcpData("data") }
    }

    fn web() -> PacketKey {
        PacketKey::tcp([10, 0, 1, 23].into(), [93, 184, 216, 34].into(), 40000, 443)
    }

    fn opts(comments: bool, reorder: f64) -> EmitOptions {
        EmitOptions { comments, reorder, seed: 1 }
    }

    #[test]
    fn a_copy_is_the_encapsulated_frame() {
        let mirror = Mirror::example(77);
        let mut w = CaptureWriter::new(Vec::new(), Format::PcapNanos, 65535).unwrap();
        let mut e = Emitter::new(&mirror, &opts(false, 0.0));
        let mut buf = frame(200);
        e.emit(&mut buf, &info(web(), Direction::Egress), "web", (Place::default(), 0), &mut w).unwrap();
        let stats = e.finish(&mut w).unwrap();
        assert_eq!((stats.inner_packets, stats.copies, stats.not_mirrored, stats.truncated), (1, 1, 0, 0));
        let mut expected = Vec::new();
        let inner: Vec<u8> = (0..200).map(|i| i as u8).collect();
        encapsulate(&mirror.sessions[0], &mirror.source, &inner, &web(), &mut expected);
        assert_eq!(stats.bytes, expected.len() as u64);
        let bytes = w.finish().unwrap();
        // One record: 24-byte file header, 16-byte record header, the copy.
        assert_eq!(&bytes[24 + 16..], &expected[..]);
        let ts = u32::from_le_bytes(bytes[28..32].try_into().unwrap());
        assert_eq!(u64::from(ts), (1_000 + Mirror::LATENCY_NS) % 1_000_000_000);
    }

    #[test]
    fn frames_no_session_mirrors_are_counted_not_written() {
        let mut mirror = Mirror::example(77);
        let any: ipnet::IpNet = "0.0.0.0/0".parse().unwrap();
        mirror.sessions[0].filter = Filter::new(
            vec![FilterRule::new(1, Direction::Egress, RuleAction::Accept, any, any)
                .with_protocol(IpProtocol::UDP)],
            false,
        )
        .unwrap();
        let mut w = CaptureWriter::new(Vec::new(), Format::PcapNanos, 65535).unwrap();
        let mut e = Emitter::new(&mirror, &opts(true, 0.0));
        for _ in 0..3 {
            let at = (Place::default(), 0);
            e.emit(&mut frame(60), &info(web(), Direction::Egress), "web", at, &mut w).unwrap();
        }
        let stats = e.finish(&mut w).unwrap();
        assert_eq!((stats.inner_packets, stats.copies, stats.not_mirrored, stats.bytes), (3, 0, 3, 0));
        assert_eq!(w.finish().unwrap().len(), 24, "a file header only");
    }

    #[test]
    fn truncation_and_delays_are_counted_and_every_copy_is_written() {
        let mut mirror = Mirror::example(77);
        mirror.sessions[0].packet_length = Some(64);
        let mut w = CaptureWriter::new(Vec::new(), Format::PcapNg, 65535).unwrap();
        let mut e = Emitter::new(&mirror, &opts(true, 1.0));
        for i in 0..10u64 {
            let mut at = info(web(), Direction::Egress);
            at.timestamp_ns += i * 100_000;
            let delay = e.delay_ns(&at, || None);
            e.emit(&mut frame(500), &at, "web", (Place::default(), delay), &mut w).unwrap();
        }
        let stats = e.finish(&mut w).unwrap();
        assert_eq!((stats.copies, stats.truncated, stats.reordered), (10, 10, 10));
        let bytes = w.finish().unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert_eq!(text.matches("truncated by PacketLength 64 (inner frame 500 bytes)").count(), 10);
        assert_eq!(text.matches("(reordered)").count(), 10);
    }

    #[test]
    fn the_route_cache_agrees_with_pick_session() {
        let mut mirror = Mirror::example(1);
        let mut second = mirror.sessions[0].clone();
        second.session_number = 2;
        let any: ipnet::IpNet = "0.0.0.0/0".parse().unwrap();
        mirror.sessions[0].filter = Filter::new(
            vec![FilterRule::new(1, Direction::Ingress, RuleAction::Accept, any, any)
                .with_protocol(IpProtocol::TCP)],
            false,
        )
        .unwrap();
        mirror.sessions.push(second);
        let mut cache = RouteCache::default();
        for n in 0..500u16 {
            let key = PacketKey::tcp([10, 0, 1, 23].into(), [1, 2, 3, 4].into(), 1000 + n % 97, 80 + n % 3);
            for (d, k) in [(Direction::Egress, key), (Direction::Ingress, key.reversed())] {
                let (s, port) = cache.route(&mirror, d, &k);
                let s = s.map(|i| &mirror.sessions[i]);
                let want = pick_session(&mirror.sessions, d, &k, &mirror.source.vpc_cidr);
                assert_eq!(s.map(|s| s.session_number), want.map(|s| s.session_number));
                assert_eq!(port, outer_source_port(&k, &mirror.source.vpc_cidr));
            }
        }
    }
}
