//! A whole run: inner traffic through the mirror sessions into a capture.
//!
//! ```
//! use generator::capture::{CaptureWriter, Format};
//! use generator::generate::{run, Options};
//! use generator::mirror::session::Mirror;
//!
//! let mirror = Mirror::example(1);
//! let mut writer = CaptureWriter::new(Vec::new(), Format::PcapNg, 65535).unwrap();
//! let stats = run(&mirror, &Options { conversations: 2, ..Options::default() }, &mut writer, |_| {}).unwrap();
//! assert!(stats.copies > 10);
//! let bytes = writer.finish().unwrap();
//! assert!(bytes.len() > 1000);
//! ```

use crate::capture::{CaptureError, CaptureWriter, PacketDirection, Record};
use crate::flow::{Direction, PacketKey};
use crate::mirror::encap::{encapsulate_in_place, source_port, Truncation, HEADROOM};
use crate::mirror::filter::pick_session;
use crate::mirror::session::{Mirror, Session, Source};
use crate::traffic::scenario::Scenario;
use crate::traffic::{Event, Flow, Host, PacketInfo, TrafficSource};
use core::cmp::Reverse;
use core::fmt::Write as _;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BinaryHeap;
use std::io::Write;
use std::net::{IpAddr, Ipv6Addr};

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Seed of every random choice.
    pub seed: u64,
    /// Number of flows (TCP conversations, DNS lookups, pings).
    pub conversations: u64,
    /// Time of the first packet, ns since the Unix epoch.
    pub start_ns: u64,
    /// Whether to write a ground-truth comment on each packet (pcapng only).
    pub comments: bool,
    /// The traffic to generate (see [`crate::traffic::scenario::SCENARIOS`]);
    /// each run plays it from its start.
    pub scenario: Scenario,
    /// Fraction of TCP data copies delayed in the mirror path so that they
    /// reach the target after later ones (AWS: NLB and GWLB targets may
    /// receive copies out of order). Sequence numbers are never touched.
    pub reorder: f64,
    /// Fraction of TCP data segments lost on the way (retransmitted later).
    pub loss: f64,
    /// At most this many flows in progress at once.
    pub max_concurrent: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            seed: 1,
            conversations: 10,
            start_ns: Mirror::DEFAULT_START_NS,
            comments: true,
            scenario: Scenario::default(),
            reorder: 0.0,
            loss: 0.0,
            max_concurrent: 64,
        }
    }
}

/// Counts from a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Flows generated.
    pub conversations: u64,
    /// Inner frames that crossed the source interface.
    pub inner_packets: u64,
    /// Mirror copies written.
    pub copies: u64,
    /// Copies shortened by PacketLength or the MTU.
    pub truncated: u64,
    /// Copies delayed past later ones (reordering).
    pub reordered: u64,
    /// Inner frames no session mirrored.
    pub not_mirrored: u64,
    /// Bytes of copies written (captured bytes).
    pub bytes: u64,
}

/// Why a run could not start or finish.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// Writing the capture failed.
    #[error(transparent)]
    Capture(#[from] CaptureError),
    /// A fraction outside 0..=1.
    #[error("{0} must be between 0 and 1")]
    BadFraction(&'static str),
}

/// The instance as traffic builders see it.
pub fn host_of(source: &Source) -> Host {
    Host {
        mac: source.mac,
        ipv4: source.ip,
        ipv6: Ipv6Addr::new(0x2001, 0xdb8, 0x1f18, 0x4c01, 0, 0, 0, u16::from(source.ip.octets()[3])),
        router_mac: source.router_mac,
        vpc_cidr: source.vpc_cidr,
    }
}

/// Remembers, for the last few flows, which session mirrors a packet and the
/// outer source port: both depend only on the direction and the packet's
/// key, and consecutive packets mostly belong to a flow just seen.
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
    fn route<'m>(
        &mut self,
        mirror: &'m Mirror,
        direction: Direction,
        key: &PacketKey,
    ) -> (Option<&'m Session>, u16) {
        let i = (key.src_port.unwrap_or(0) ^ key.dst_port.unwrap_or(0) ^ direction as u16) as usize
            % self.slots.len();
        if let Some((d, k, session, port)) = &self.slots[i] {
            if *d == direction && k == key {
                return (session.map(|s| &mirror.sessions[s]), *port);
            }
        }
        let session = pick_session(&mirror.sessions, direction, key, &mirror.source.vpc_cidr);
        let index = session
            .map(|s| mirror.sessions.iter().position(|x| core::ptr::eq(x, s)).expect("from the slice"));
        let port = source_port(key);
        self.slots[i] = Some((direction, *key, index, port));
        (session, port)
    }
}

/// A copy waiting in the reorder buffer.
struct Pending {
    at_ns: u64,
    seq: u64,
    data: Vec<u8>,
    comment: Option<String>,
    direction: PacketDirection,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        (self.at_ns, self.seq) == (other.at_ns, other.seq)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        // Min-heap on (time, arrival order).
        (other.at_ns, other.seq).cmp(&(self.at_ns, self.seq))
    }
}

/// Generates `opts.conversations` flows of the chosen scenario, mirrors them
/// through `mirror` and writes the copies in the order the target receives
/// them; `progress` is called with the number of flows started, every 4096.
pub fn run<W: Write>(
    mirror: &Mirror,
    opts: &Options,
    writer: &mut CaptureWriter<W>,
    mut progress: impl FnMut(u64),
) -> Result<Stats, GenerateError> {
    if !(0.0..=1.0).contains(&opts.reorder) {
        return Err(GenerateError::BadFraction("reorder"));
    }
    if !(0.0..=1.0).contains(&opts.loss) {
        return Err(GenerateError::BadFraction("loss"));
    }
    let mut scenario = opts.scenario.clone().with_loss(opts.loss);
    let host = host_of(&mirror.source);
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    // Mirror-path delays have their own stream, so that asking for reordering
    // leaves the traffic itself unchanged.
    let mut delay_rng = ChaCha8Rng::seed_from_u64(opts.seed);
    delay_rng.set_stream(2);
    let mut stats = Stats::default();
    // One buffer: the traffic writes each inner frame after HEADROOM bytes and
    // the mirror puts the outer headers in front of it, so no frame is copied.
    let mut buf = Vec::with_capacity(HEADROOM + 16 * 1024);
    let mut comment = String::with_capacity(256);
    let max_active = opts.max_concurrent.max(1);
    // Flows in progress, merged by the time of their next frame.
    let mut slots: Vec<Option<(Flow, &'static str)>> = Vec::with_capacity(max_active);
    let mut free: Vec<usize> = Vec::new();
    let mut heap: BinaryHeap<Reverse<(u64, u64, usize)>> = BinaryHeap::with_capacity(max_active);
    let mut order = 0u64;
    let mut next_start = opts.start_ns;
    let mut started = 0u64;
    let mut pending: BinaryHeap<Pending> = BinaryHeap::new();
    let mut routes = RouteCache::default();
    let mut pool: Vec<Vec<u8>> = Vec::new();
    loop {
        // Admit every flow that starts before the earliest frame in progress.
        while started < opts.conversations {
            let earliest = heap.peek().map(|Reverse((t, _, _))| *t);
            if matches!(earliest, Some(t) if next_start > t) {
                break;
            }
            if heap.len() >= max_active {
                // Full: this flow starts once the earliest frame has gone.
                next_start = next_start.max(earliest.unwrap_or(next_start));
                break;
            }
            let nf = scenario.next_flow(&host, &mut rng, next_start);
            next_start += nf.gap_ns.max(1);
            started += 1;
            if started % 4096 == 0 {
                progress(started);
            }
            let Some(t) = nf.flow.peek_time() else { continue };
            let slot = match free.pop() {
                Some(i) => {
                    slots[i] = Some((nf.flow, nf.kind));
                    i
                }
                None => {
                    slots.push(Some((nf.flow, nf.kind)));
                    slots.len() - 1
                }
            };
            heap.push(Reverse((t, order, slot)));
            order += 1;
        }
        let Some(Reverse((_, _, slot))) = heap.pop() else {
            if started >= opts.conversations {
                break;
            }
            continue;
        };
        let (flow, kind) = slots[slot].as_mut().expect("slot in the heap holds a flow");
        let kind = *kind;
        buf.clear();
        buf.resize(HEADROOM, 0);
        let Some(info) = flow.next_frame(&mut buf) else { continue };
        match flow.peek_time() {
            Some(t) => {
                heap.push(Reverse((t, order, slot)));
                order += 1;
            }
            None => {
                slots[slot] = None;
                free.push(slot);
                stats.conversations += 1;
            }
        }
        stats.inner_packets += 1;
        let (session, port) = routes.route(mirror, info.direction, &info.key);
        let Some(session) = session else {
            stats.not_mirrored += 1;
            continue;
        };
        let (copy, start) = encapsulate_in_place(session, &mirror.source, &mut buf, HEADROOM, port);
        let outer = &buf[start..];
        stats.copies += 1;
        stats.bytes += outer.len() as u64;
        stats.truncated += copy.truncation.is_some() as u64;
        let delay = if opts.reorder > 0.0
            && matches!(info.event, Event::TcpData(_))
            && delay_rng.random_bool(opts.reorder)
        {
            stats.reordered += 1;
            // Long enough to fall behind the next few back-to-back segments,
            // short enough to arrive before the acknowledgment that covers it.
            delay_rng.random_range(3_000..15_000)
        } else {
            0
        };
        let direction = match info.direction {
            Direction::Ingress => PacketDirection::Inbound,
            Direction::Egress => PacketDirection::Outbound,
        };
        if opts.comments {
            describe(&mut comment, &info, kind, session, copy.truncation, copy.inner_len, delay);
        }
        let at_ns = info.timestamp_ns + Mirror::LATENCY_NS + delay;
        if opts.reorder == 0.0 {
            let comment = opts.comments.then_some(comment.as_str());
            let rec = Record {
                timestamp_ns: at_ns,
                data: outer,
                orig_len: outer.len() as u32,
                comment,
                direction: Some(direction),
            };
            writer.write(&rec)?;
            continue;
        }
        // Reordering: hold copies until no later copy can arrive before them.
        let mut data = pool.pop().unwrap_or_default();
        data.clear();
        data.extend_from_slice(outer);
        pending.push(Pending {
            at_ns,
            seq: order,
            data,
            comment: opts.comments.then(|| comment.clone()),
            direction,
        });
        order += 1;
        let watermark = info.timestamp_ns + Mirror::LATENCY_NS;
        while pending.peek().is_some_and(|p| p.at_ns <= watermark) {
            let p = pending.pop().expect("peeked");
            write_pending(writer, &p)?;
            pool.push(p.data);
        }
    }
    while let Some(p) = pending.pop() {
        write_pending(writer, &p)?;
    }
    progress(opts.conversations);
    Ok(stats)
}

fn write_pending<W: Write>(writer: &mut CaptureWriter<W>, p: &Pending) -> Result<(), CaptureError> {
    writer.write(&Record {
        timestamp_ns: p.at_ns,
        data: &p.data,
        orig_len: p.data.len() as u32,
        comment: p.comment.as_deref(),
        direction: Some(p.direction),
    })
}

/// The ground-truth comment of one copy, e.g.
/// `egress tcp 10.0.1.23:41522 > 203.0.113.7:443 TLS ClientHello; https-outbound; vni 9999999, session 1`.
fn describe(
    out: &mut String,
    info: &PacketInfo,
    kind: &str,
    session: &Session,
    truncation: Option<Truncation>,
    inner_len: usize,
    delay_ns: u64,
) {
    out.clear();
    let k = &info.key;
    let _ = write!(out, "{} ", info.direction);
    match k.protocol {
        Some(p) => {
            let _ = write!(out, "{p} ");
        }
        None => out.push_str("? "),
    }
    push_end(out, k.src, k.src_port);
    out.push_str(" > ");
    push_end(out, k.dst, k.dst_port);
    let _ = write!(
        out,
        " {}; {kind}; vni {}, session {}",
        info.event.label(),
        session.vni.value(),
        session.session_number
    );
    if let Some(g) = session.gbp {
        let _ =
            write!(out, ", gbp policy {} d={} a={}", g.policy_id, g.dont_learn as u8, g.policy_applied as u8);
    }
    match truncation {
        Some(Truncation::PacketLength(n)) => {
            let _ = write!(out, "; truncated by PacketLength {n} (inner frame {inner_len} bytes)");
        }
        Some(Truncation::Mtu(m)) => {
            let _ = write!(out, "; truncated to target MTU {m} (inner frame {inner_len} bytes)");
        }
        None => {}
    }
    if delay_ns > 0 {
        let _ = write!(out, "; delayed {} us in the mirror path (reordered)", delay_ns / 1000);
    }
}

/// Appends `address:port` (or `address` when there is no port).
fn push_end(out: &mut String, ip: Option<IpAddr>, port: Option<u16>) {
    match (ip, port) {
        // RFC 5952 section 6: an IPv6 address with a port goes in brackets.
        (Some(IpAddr::V6(a)), Some(p)) => {
            let _ = write!(out, "[{a}]:{p}");
        }
        (Some(a), Some(p)) => {
            let _ = write!(out, "{a}:{p}");
        }
        (Some(a), None) => {
            let _ = write!(out, "{a}");
        }
        (None, Some(p)) => {
            let _ = write!(out, "?:{p}");
        }
        (None, None) => out.push('?'),
    }
}
