//! Reordering in the mirror path: which copies are delayed, and the buffer
//! that holds delayed copies until nothing later can overtake them.
//!
//! AWS warns that Network and Gateway Load Balancer targets may receive
//! copies out of order. `--reorder P` delays a fraction P of the TCP data
//! copies by a few microseconds: long enough to fall behind the next few
//! back-to-back segments, short enough to arrive before the acknowledgment
//! that covers them. Sequence numbers are never touched.

use super::emit::{CopySink, Place};
use crate::capture::{CaptureError, PacketDirection, Record};
use crate::traffic::{Event, PacketInfo};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BinaryHeap;

/// Decides which copies are delayed and by how much.
#[derive(Debug, Clone)]
pub struct Delays {
    fraction: f64,
    rng: ChaCha8Rng,
}

impl Delays {
    /// Delays `fraction` (0..=1) of the TCP data copies, choosing from `seed`.
    pub fn new(fraction: f64, seed: u64) -> Delays {
        // Mirror-path delays have their own stream, so that asking for
        // reordering leaves the traffic itself unchanged (sources with flows
        // of their own give each flow's: `scenario::mirror_stream`).
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(2);
        Delays { fraction, rng }
    }

    /// Whether any copy can be delayed at all.
    pub fn enabled(&self) -> bool {
        self.fraction > 0.0
    }

    /// The delay of the copy of `info`, in ns: 0, or 3 to 15 us; drawn
    /// from the stream `stream` gives (asked for only when a draw is due),
    /// or, if it gives none, from this one's own.
    pub fn delay_ns<'r>(
        &mut self,
        info: &PacketInfo,
        stream: impl FnOnce() -> Option<&'r mut dyn RngCore>,
    ) -> u64 {
        if self.fraction <= 0.0 || !matches!(info.event, Event::TcpData(_)) {
            return 0;
        }
        let rng: &mut dyn RngCore = match stream() {
            Some(flow) => flow,
            None => &mut self.rng,
        };
        if rng.random_bool(self.fraction) {
            rng.random_range(3_000..15_000)
        } else {
            0
        }
    }
}

/// A copy waiting in the buffer.
#[derive(Debug)]
struct Pending {
    at_ns: u64,
    seq: u64,
    place: Place,
    data: Vec<u8>,
    comment: Option<String>,
    direction: PacketDirection,
    /// A copy of another shard's flow: only its place in the order is kept.
    skip: bool,
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
        // Min-heap on (arrival time, order of pushing).
        (other.at_ns, other.seq).cmp(&(self.at_ns, self.seq))
    }
}

/// Copies held until they are due, written in arrival order (ties in the
/// order they were pushed). Buffers of written copies are kept for reuse.
#[derive(Debug, Default)]
pub struct ReorderBuffer {
    pending: BinaryHeap<Pending>,
    seq: u64,
    pool: Vec<Vec<u8>>,
}

impl ReorderBuffer {
    /// An empty buffer.
    pub fn new() -> ReorderBuffer {
        ReorderBuffer::default()
    }

    /// Holds a copy of `data` that reaches the target at `at_ns`.
    pub fn push(
        &mut self,
        at_ns: u64,
        place: Place,
        data: &[u8],
        comment: Option<&str>,
        direction: PacketDirection,
    ) {
        let mut buf = self.pool.pop().unwrap_or_default();
        buf.clear();
        buf.extend_from_slice(data);
        self.pending.push(Pending {
            at_ns,
            seq: self.seq,
            place,
            data: buf,
            comment: comment.map(str::to_string),
            direction,
            skip: false,
        });
        self.seq += 1;
    }

    /// Holds the place of a copy another shard writes (`generate::shard`):
    /// released in its turn as [`CaptureWriter::skip`], so that the copies
    /// around it keep their places in the whole run.
    pub fn push_skip(&mut self, at_ns: u64) {
        self.pending.push(Pending {
            at_ns,
            seq: self.seq,
            place: Place::default(),
            data: Vec::new(),
            comment: None,
            direction: PacketDirection::Inbound,
            skip: true,
        });
        self.seq += 1;
    }

    /// Writes every copy due by `watermark`: the time before which no copy
    /// pushed later can arrive.
    pub(crate) fn release<C: CopySink>(
        &mut self,
        watermark: u64,
        writer: &mut C,
    ) -> Result<(), CaptureError> {
        while self.pending.peek().is_some_and(|p| p.at_ns <= watermark) {
            let p = self.pending.pop().expect("peeked");
            if p.skip {
                writer.skip();
                continue;
            }
            write(writer, &p)?;
            self.pool.push(p.data);
        }
        Ok(())
    }

    /// Writes every copy still held.
    pub(crate) fn drain<C: CopySink>(&mut self, writer: &mut C) -> Result<(), CaptureError> {
        self.release(u64::MAX, writer)
    }

    /// When the earliest copy held arrives, if any is held.
    pub fn first_due(&self) -> Option<u64> {
        self.pending.peek().map(|p| p.at_ns)
    }
}

fn write<C: CopySink>(writer: &mut C, p: &Pending) -> Result<(), CaptureError> {
    let rec = Record {
        timestamp_ns: p.at_ns,
        data: &p.data,
        orig_len: p.data.len() as u32,
        comment: p.comment.as_deref(),
        direction: Some(p.direction),
    };
    writer.put(&rec, p.place)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{CaptureWriter, Format};
    use crate::flow::{Direction, PacketKey};

    /// The (timestamp, first data byte) of every record of a pcap-ns capture.
    fn records(bytes: &[u8]) -> Vec<(u64, u8)> {
        let mut out = Vec::new();
        let mut at = 24;
        while at + 16 <= bytes.len() {
            let word = |o: usize| u32::from_le_bytes(bytes[at + o..at + o + 4].try_into().unwrap());
            let (secs, nanos, len) = (word(0), word(4), word(8) as usize);
            out.push((u64::from(secs) * 1_000_000_000 + u64::from(nanos), bytes[at + 16]));
            at += 16 + len;
        }
        out
    }

    fn writer() -> CaptureWriter<Vec<u8>> {
        CaptureWriter::new(Vec::new(), Format::PcapNanos, 65535).unwrap()
    }

    #[test]
    fn holds_copies_until_the_watermark_then_writes_in_arrival_order() {
        let mut buf = ReorderBuffer::new();
        let mut w = writer();
        buf.push(30, Place::default(), &[1], None, PacketDirection::Inbound);
        buf.push(10, Place::default(), &[2], None, PacketDirection::Inbound);
        buf.push(10, Place::default(), &[3], None, PacketDirection::Outbound);
        buf.push(20, Place::default(), &[4], Some("late"), PacketDirection::Inbound);
        buf.release(9, &mut w).unwrap();
        assert_eq!(buf.pending.len(), 4, "nothing due before 10");
        buf.release(20, &mut w).unwrap();
        assert_eq!(buf.pending.len(), 1);
        buf.drain(&mut w).unwrap();
        assert!(buf.pending.is_empty());
        let bytes = w.finish().unwrap();
        // Equal times keep the order of pushing.
        assert_eq!(records(&bytes), [(10, 2), (10, 3), (20, 4), (30, 1)]);
    }

    #[test]
    fn buffers_are_reused() {
        let mut buf = ReorderBuffer::new();
        let mut w = writer();
        buf.push(1, Place::default(), &[7; 100], None, PacketDirection::Inbound);
        buf.drain(&mut w).unwrap();
        assert_eq!(buf.pool.len(), 1);
        buf.push(2, Place::default(), &[8; 10], None, PacketDirection::Inbound);
        assert!(buf.pool.is_empty());
        buf.drain(&mut w).unwrap();
        assert_eq!(records(&w.finish().unwrap()), [(1, 7), (2, 8)]);
    }

    fn info(event: Event) -> PacketInfo {
        let key = PacketKey::tcp([10, 0, 1, 23].into(), [1, 1, 1, 1].into(), 40000, 443);
        PacketInfo { timestamp_ns: 0, direction: Direction::Egress, key, event }
    }

    #[test]
    fn only_tcp_data_is_delayed() {
        let mut d = Delays::new(1.0, 5);
        assert!(d.enabled());
        for _ in 0..100 {
            let ns = d.delay_ns(&info(Event::TcpData("TLS application data")), || None);
            assert!((3_000..15_000).contains(&ns), "{ns}");
        }
        assert_eq!(d.delay_ns(&info(Event::TcpAck), || None), 0);
        assert_eq!(d.delay_ns(&info(Event::Datagram("DNS query")), || None), 0);
        let mut off = Delays::new(0.0, 5);
        assert!(!off.enabled());
        assert_eq!(off.delay_ns(&info(Event::TcpData("x")), || None), 0);
    }

    #[test]
    fn delays_depend_on_the_seed_only() {
        let run = |seed| {
            let mut d = Delays::new(0.5, seed);
            (0..50).map(|_| d.delay_ns(&info(Event::TcpData("x")), || None)).collect::<Vec<_>>()
        };
        assert_eq!(run(3), run(3));
        assert_ne!(run(3), run(4));
        assert!(run(3).contains(&0) && run(3).iter().any(|&n| n > 0));
    }
}
