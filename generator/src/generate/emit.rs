//! The step that turns one inner frame into (at most) one mirror copy: find
//! the session that mirrors it, wrap it in the outer headers in place, count
//! it, describe it, and write it, or hold it in the reorder buffer when the
//! mirror path delays it.

use super::comment::{describe, CopyFacts, Memo};
use super::reorder::{Delays, ReorderBuffer};
use super::Stats;
use crate::capture::{CaptureError, CaptureWriter, PacketDirection, Record};
use crate::flow::{Direction, PacketKey};
use crate::mirror::encap::{
    encapsulate_in_place, outer_len, outer_source_port, Copy, OuterHeaders, HEADROOM,
};
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

/// A [`CopySink`] in whose own buffer copies are made where they are to
/// lie, so that no copy is moved once made (a `--jobs` thread's chunk of
/// records, `generate::parallel`): [`Emitter::open_space`] leaves room for
/// a record's header and the outer headers, the frame is appended after it,
/// and [`Emitter::emit_in_place`] wraps it there and has it sealed.
pub(crate) trait CopySpace: CopySink {
    /// The buffer: the records so far, then the copy being made.
    fn buffer(&mut self) -> &mut Vec<u8>;
    /// Bytes of a record in front of its copy.
    fn head_len(&self) -> usize;
    /// Makes the copy at `buffer()[copy_start..]` a record, at `place`.
    fn seal(
        &mut self,
        copy_start: usize,
        timestamp_ns: u64,
        comment: Option<&str>,
        direction: PacketDirection,
        place: Place,
    ) -> Result<(), CaptureError>;
}

/// A records-only writer ([`CaptureWriter::records_like`]) makes its copies
/// in its own buffer.
impl CopySpace for CaptureWriter<Vec<u8>> {
    #[inline]
    fn buffer(&mut self) -> &mut Vec<u8> {
        self.get_mut()
    }

    #[inline]
    fn head_len(&self) -> usize {
        self.record_head_len()
    }

    #[inline]
    fn seal(
        &mut self,
        copy_start: usize,
        timestamp_ns: u64,
        comment: Option<&str>,
        direction: PacketDirection,
        _: Place,
    ) -> Result<(), CaptureError> {
        CaptureWriter::seal(self, copy_start, timestamp_ns, comment, Some(direction))
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
    /// Each session's outer headers' length.
    outer_len: Vec<usize>,
    /// Room [`open_space`](Self::open_space) leaves for the outer headers:
    /// those of the session of the last copy made in place.
    room: usize,
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
        let outer_len: Vec<usize> = mirror.sessions.iter().map(|s| outer_len(s, &mirror.source)).collect();
        Emitter {
            mirror,
            routes: RouteCache::default(),
            outer: mirror.sessions.iter().map(|s| OuterHeaders::new(s, &mirror.source)).collect(),
            room: outer_len.first().copied().unwrap_or(HEADROOM),
            outer_len,
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
        let (sent_ns, direction) = self.account(index, &copy, buf.len() - start, info, flow_kind, delay_ns);
        let outer = &buf[start..];
        let comment = self.comments.then_some(self.comment.as_str());
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

    /// Counts the copy of `info` of `len` bytes that `session` makes, and
    /// describes it in `self.comment` when comments are asked for; returns
    /// when it is sent and its direction.
    #[inline]
    fn account(
        &mut self,
        session: usize,
        copy: &Copy,
        len: usize,
        info: &PacketInfo,
        flow_kind: &str,
        delay_ns: u64,
    ) -> (u64, PacketDirection) {
        let stats = &mut self.stats;
        stats.copies += 1;
        stats.bytes += len as u64;
        stats.truncated += copy.truncation.is_some() as u64;
        stats.reordered += (delay_ns > 0) as u64;
        let direction = match info.direction {
            Direction::Ingress => PacketDirection::Inbound,
            Direction::Egress => PacketDirection::Outbound,
        };
        if self.comments {
            let facts = CopyFacts {
                flow_kind,
                session: &self.mirror.sessions[session],
                truncation: copy.truncation,
                inner_len: copy.inner_len,
                delay_ns,
            };
            describe(&mut self.comment, &mut self.memo, info, &facts);
        }
        (info.timestamp_ns + Mirror::LATENCY_NS, direction)
    }

    /// Leaves room at the end of `space`'s buffer for the next copy's
    /// record header and outer headers, for its frame to be appended after
    /// it; returns where the copy is to start, for
    /// [`emit_in_place`](Self::emit_in_place).
    #[inline]
    pub(crate) fn open_space<S: CopySpace>(&self, space: &mut S) -> usize {
        let head = space.head_len();
        let buf = space.buffer();
        let copy_start = buf.len() + head;
        buf.resize(copy_start + self.room, 0);
        copy_start
    }

    /// [`emit`](Self::emit) for the frame appended to `space`'s buffer
    /// after [`open_space`](Self::open_space) returned `copy_start`: the copy
    /// is made there and sealed, or held (copied out, its bytes taken away
    /// again), or not made. When the outer headers of the copy's session
    /// take more or less room than was left, the frame is moved once to
    /// fit (and that room left from then on).
    #[inline]
    pub(crate) fn emit_in_place<S: CopySpace>(
        &mut self,
        space: &mut S,
        copy_start: usize,
        info: &PacketInfo,
        flow_kind: &str,
        (place, delay_ns): (Place, u64),
    ) -> Result<(), CaptureError> {
        debug_assert!(self.owned, "a shard's frames are emitted with emit");
        let record_start = copy_start - space.head_len();
        let (session, port) = self.routes.route(self.mirror, info.direction, &info.key);
        self.stats.inner_packets += 1;
        let Some(index) = session else {
            self.stats.not_mirrored += 1;
            space.buffer().truncate(record_start);
            return Ok(());
        };
        let buf = space.buffer();
        let need = self.outer_len[index];
        if need != self.room {
            let (from, end) = (copy_start + self.room, buf.len());
            if need > self.room {
                buf.resize(end + need - self.room, 0);
            }
            buf.copy_within(from..end, copy_start + need);
            buf.truncate(end + need - self.room);
            self.room = need;
        }
        let session = &self.mirror.sessions[index];
        let inner_start = copy_start + need;
        let (copy, start) = match &self.outer[index] {
            Some(outer) => outer.encapsulate_in_place(session, buf, inner_start, port),
            None => encapsulate_in_place(session, &self.mirror.source, buf, inner_start, port),
        };
        debug_assert_eq!(start, copy_start);
        let len = buf.len() - copy_start;
        let (sent_ns, direction) = self.account(index, &copy, len, info, flow_kind, delay_ns);
        let comment = self.comments.then_some(self.comment.as_str());
        let Some(held) = &mut self.held else {
            return space.seal(copy_start, sent_ns, comment, direction, place);
        };
        let buf = space.buffer();
        held.push(sent_ns + delay_ns, place, &buf[copy_start..], comment, direction);
        buf.truncate(record_start);
        held.release(sent_ns, space)
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

    /// Copies made in place are the copies `emit` writes, also when
    /// consecutive copies go to sessions whose outer headers differ in
    /// length (GWLB's GENEVE for ingress, plain VXLAN for egress: the frame
    /// is moved to fit), when a frame is not mirrored, when copies are held
    /// to be reordered, and when they are cut by a session's packet length.
    #[rstest::rstest]
    fn copies_made_in_place_are_the_copies_emit_writes(
        #[values(Format::Pcap, Format::PcapNg)] format: Format,
        #[values(0.0, 0.5)] reorder: f64,
    ) {
        use crate::mirror::session::{Target, TargetKind};
        let any: ipnet::IpNet = "0.0.0.0/0".parse().unwrap();
        let accept = |d| {
            Filter::new(
                vec![FilterRule::new(1, d, RuleAction::Accept, any, any).with_protocol(IpProtocol::TCP)],
                false,
            )
            .unwrap()
        };
        let mut mirror = Mirror::example(77);
        mirror.sessions[0].target = Target::example(TargetKind::GatewayLoadBalancerEndpoint);
        mirror.sessions[0].filter = accept(Direction::Ingress);
        let mut eni = mirror.sessions[0].clone();
        eni.session_number = 2;
        eni.target = Target::example(TargetKind::NetworkInterface);
        eni.filter = accept(Direction::Egress);
        eni.packet_length = Some(90);
        mirror.sessions.push(eni);

        let opts = EmitOptions { comments: format == Format::PcapNg, reorder, seed: 3 };
        let mut whole = CaptureWriter::new(Vec::new(), format, 65535).unwrap();
        let header = whole.bytes_written() as usize;
        let mut space = whole.records_like(Vec::new());
        let (mut e1, mut e2) = (Emitter::new(&mirror, &opts), Emitter::new(&mirror, &opts));
        let dns = PacketKey::udp([10, 0, 1, 23].into(), [10, 0, 0, 2].into(), 5353, 53);
        let pattern = [(web(), 0), (web().reversed(), 1), (web().reversed(), 1), (dns, 0), (web(), 0)];
        for i in 0..200u64 {
            let (key, d) = pattern[i as usize % pattern.len()];
            let direction = if d == 0 { Direction::Egress } else { Direction::Ingress };
            let mut at = info(key, direction);
            at.timestamp_ns += i * 10_000;
            let len = 60 + (i as usize * 37) % 400;
            let place = Place { frame_ns: at.timestamp_ns, flow: 0 };
            let delay = e1.delay_ns(&at, || None);
            assert_eq!(e2.delay_ns(&at, || None), delay);
            e1.emit(&mut frame(len), &at, "web", (place, delay), &mut whole).unwrap();
            let copy_start = e2.open_space(&mut space);
            space.buffer().extend((0..len).map(|i| i as u8));
            e2.emit_in_place(&mut space, copy_start, &at, "web", (place, delay)).unwrap();
        }
        let (s1, s2) = (e1.finish(&mut whole).unwrap(), e2.finish(&mut space).unwrap());
        assert_eq!(s1, s2);
        assert_eq!((s1.inner_packets, s1.not_mirrored), (200, 40));
        assert!(s1.truncated > 0 && s1.truncated < 80, "egress copies over 90 bytes: {}", s1.truncated);
        assert_eq!(s1.reordered > 0, reorder > 0.0);
        let (whole, records) = (whole.finish().unwrap(), space.finish().unwrap());
        assert_eq!(records, whole[header..]);
    }
}
