//! The flow scheduler: plays a scenario as one [`TrafficSource`].
//!
//! A scenario hands out flows one after another, each starting a little after
//! the last; several are in progress at once (at most `max_concurrent`). The
//! scheduler admits a flow once no frame in progress is earlier than its start,
//! and merges the frames of the flows in progress by time (ties in the order
//! flows start), so that what comes out is the interface's traffic in time
//! order. When each flow starts follows from the gaps and lengths of the
//! flows before it alone ([`StartClock`](super::starts::StartClock)).
//!
//! # Random streams, and planning on other threads
//!
//! The run's seed keys one ChaCha8 generator with many streams: stream 0 is
//! the *schedule* ([`Scenario::next_order`]: each flow's kind and the gap to
//! the next), and flow *i* draws everything of its own from stream
//! [`flow_stream`]`(seed, i)`, and the mirror path's delays of its copies
//! from [`mirror_stream`]`(seed, i)`. Only a flow's start ties it to the flows
//! before it (the `http` gap counts from the previous flow's end, and a
//! full scheduler holds a flow back), and a flow planned at one start is,
//! moved by [`Flow::shift`], the flow planned at a later one
//! ([`FlowOrder::shifts`]). So [`FlowScheduler::with_planners`] has threads
//! replay the schedule and plan flows ahead at a fixed start, and the
//! scheduler moves each to the start it gets: the same flows, the same
//! bytes, as planning each in place ([`FlowScheduler::new`]).

use super::starts::StartClock;
use crate::traffic::scenario::{flow_stream, mirror_stream, FlowOrder, Scenario, SHIFT_FLOOR_NS};
use crate::traffic::{Flow, Host, PacketInfo, TrafficSource};
use core::cmp::Reverse;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::binary_heap::PeekMut;
use std::collections::BinaryHeap;
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender};
use std::thread::JoinHandle;

/// Flows planned ahead on other threads: worker *k* of *n* replays the
/// schedule and plans flows *k*, *k + n*, ... at [`SHIFT_FLOOR_NS`], in
/// batches into a bounded channel of its own, which the scheduler reads in
/// turn (a batch per hand-over, so that the threads seldom wait on each other).
/// Finished flows go back to the thread that planned them, to be freed
/// there: freeing memory of another thread's allocator arena would contend
/// for its lock.
#[derive(Debug)]
struct Planners {
    channels: Vec<Receiver<Vec<Option<Flow>>>>,
    /// The batch being taken from, per channel (reversed: the next flow last).
    batches: Vec<Vec<Option<Flow>>>,
    /// Finished flows, per planning thread, and the way back to it.
    spent: Vec<Vec<Flow>>,
    returns: Vec<Sender<Vec<Flow>>>,
    workers: Vec<JoinHandle<()>>,
}

/// Flows a planning thread hands over at once, and batches it may have ready.
const BATCH: usize = 64;
const BATCHES_AHEAD: usize = 2;

impl Planners {
    fn start(scenario: &Scenario, host: Host, seed: u64, flows: u64, threads: usize) -> Planners {
        let n = threads.max(1) as u64;
        let mut planners = Planners {
            channels: Vec::new(),
            batches: Vec::new(),
            spent: Vec::new(),
            returns: Vec::new(),
            workers: Vec::new(),
        };
        for k in 0..n {
            let (tx, rx) = sync_channel(BATCHES_AHEAD);
            let (back, spent) = channel::<Vec<Flow>>();
            let mut scenario = scenario.clone();
            let spawned = std::thread::Builder::new().name(format!("vxgen-plan-{k}")).spawn(move || {
                let mut schedule = ChaCha8Rng::seed_from_u64(seed);
                let mut batch = Vec::with_capacity(BATCH);
                for index in 0..flows {
                    let order = scenario.next_order(&mut schedule);
                    if index % n != k {
                        continue;
                    }
                    // A flow that cannot be moved is planned by the scheduler, in place.
                    let flow = order
                        .shifts()
                        .then(|| order.plan(&host, &mut flow_stream(seed, index), SHIFT_FLOOR_NS));
                    batch.push(flow);
                    while let Ok(done) = spent.try_recv() {
                        drop(done);
                    }
                    if batch.len() == BATCH {
                        batch.reverse();
                        if tx.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))).is_err() {
                            return; // The scheduler is gone.
                        }
                    }
                }
                batch.reverse();
                if tx.send(batch).is_ok() {
                    // Free what comes back until the scheduler is done.
                    while let Ok(done) = spent.recv() {
                        drop(done);
                    }
                }
            });
            match spawned {
                Ok(worker) => {
                    planners.channels.push(rx);
                    planners.batches.push(Vec::new());
                    planners.spent.push(Vec::new());
                    planners.returns.push(back);
                    planners.workers.push(worker);
                }
                // A thread that cannot start leaves every flow to the scheduler.
                Err(_) => {
                    planners.channels.clear();
                    break;
                }
            }
        }
        planners
    }

    /// Flow `index` planned at [`SHIFT_FLOOR_NS`], if a thread planned it
    /// (flows are taken in order, each once).
    fn take(&mut self, index: u64) -> Option<Flow> {
        let n = self.channels.len() as u64;
        if n == 0 {
            return None;
        }
        let k = (index % n) as usize;
        if self.batches[k].is_empty() {
            self.batches[k] = self.channels[k].recv().ok()?;
        }
        self.batches[k].pop().flatten()
    }

    /// Hands finished flow `index`, planned by a thread, back to it.
    fn give_back(&mut self, index: u64, flow: Flow) {
        let k = (index % self.returns.len() as u64) as usize;
        self.spent[k].push(flow);
        if self.spent[k].len() == BATCH {
            let _ = self.returns[k].send(std::mem::take(&mut self.spent[k]));
        }
    }
}

impl Drop for Planners {
    fn drop(&mut self) {
        // Closing the channels first ends every thread at its next send or
        // once it has freed the last flows handed back.
        self.channels.clear();
        self.spent.clear();
        self.returns.clear();
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

/// A scenario's flows, merged in time order.
///
/// `progress` is called with the number of flows started, every 4096.
#[derive(Debug)]
pub struct FlowScheduler<P> {
    scenario: Scenario,
    host: Host,
    seed: u64,
    /// Stream 0: the schedule.
    schedule: ChaCha8Rng,
    /// Threads planning flows ahead, if any.
    planners: Option<Planners>,
    /// Flows to start in all.
    total: u64,
    /// Flows started so far, and flows that have sent their last frame.
    started: u64,
    finished: u64,
    /// The starts of the flows, and the next one's.
    clock: StartClock,
    next_start: u64,
    /// Flows in progress; `free` lists the empty slots.
    slots: Vec<Option<Active>>,
    free: Vec<usize>,
    /// (time of the next frame, place of the flow, slot) of each flow in
    /// progress: frames come out by time, ties by the order flows start.
    heap: BinaryHeap<Reverse<(u64, u64, usize)>>,
    /// Kind of the flow of the frame last returned.
    last_kind: &'static str,
    /// Place (in the order flows start, from 0) of the flow of the frame last returned.
    last_flow: u64,
    /// Its slot, while it has frames left; once it has none, its mirror stream.
    last_slot: Option<usize>,
    parting: Option<ChaCha8Rng>,
    /// When playing one shard: which flows' frames are written (the others are only skipped).
    shard: Option<(u64, u64)>,
    progress: P,
}

impl<P: FnMut(u64)> FlowScheduler<P> {
    /// `flows` flows of `scenario` for `host`, the first starting at
    /// `start_ns`, random choices from `seed`, at most `max_concurrent` in
    /// progress at once (at least one).
    pub fn new(
        scenario: Scenario,
        host: Host,
        seed: u64,
        start_ns: u64,
        flows: u64,
        max_concurrent: usize,
        progress: P,
    ) -> FlowScheduler<P> {
        FlowScheduler::with_planners(scenario, host, seed, start_ns, flows, max_concurrent, 0, progress)
    }

    /// [`FlowScheduler::new`], with `threads` threads planning the flows
    /// ahead (0: each flow is planned when it starts, on the caller's
    /// thread): the same frames either way.
    #[allow(clippy::too_many_arguments)]
    pub fn with_planners(
        scenario: Scenario,
        host: Host,
        seed: u64,
        start_ns: u64,
        flows: u64,
        max_concurrent: usize,
        threads: usize,
        progress: P,
    ) -> FlowScheduler<P> {
        let planners = (threads > 0).then(|| Planners::start(&scenario, host, seed, flows, threads));
        let mut clock = StartClock::new(start_ns, max_concurrent);
        let next_start = clock.start();
        let mut scheduler = FlowScheduler {
            scenario,
            host,
            seed,
            schedule: ChaCha8Rng::seed_from_u64(seed),
            planners,
            total: flows,
            started: 0,
            finished: 0,
            clock,
            next_start,
            slots: Vec::new(),
            free: Vec::new(),
            heap: BinaryHeap::new(),
            last_kind: "",
            last_flow: 0,
            last_slot: None,
            parting: None,
            shard: None,
            progress,
        };
        scheduler.admit();
        scheduler
    }

    /// Flows started so far.
    pub fn started(&self) -> u64 {
        self.started
    }

    /// Flows that have sent their last frame.
    pub fn finished(&self) -> u64 {
        self.finished
    }

    /// Plays shard `index` of `count` (`generate::shard`): the frames of
    /// flows that are not the shard's (flow *i* is shard *i* mod `count`'s)
    /// come out described but not written ([`TrafficSource::skip_frame`]).
    pub fn only_shard(&mut self, index: u64, count: u64) {
        self.shard = Some((index, count));
    }

    /// The flow of the frame last returned, by its place in the order flows
    /// start (the first flow is 0): what a shard of the run is cut by.
    pub fn last_flow(&self) -> u64 {
        self.last_flow
    }

    /// Admits every flow that starts no later than the earliest frame in
    /// progress (or, with nothing in progress, the next flow that has frames
    /// at all). Its start comes from [`StartClock`], and a flow's first frame
    /// is never before its start, so the frames come out in time order.
    fn admit(&mut self) {
        while self.started < self.total {
            if self.heap.peek().is_some_and(|Reverse((t, _, _))| *t < self.next_start) {
                break;
            }
            let order = self.scenario.next_order(&mut self.schedule);
            let (index, start) = (self.started, self.next_start);
            let (flow, ahead) = self.plan(index, &order, start);
            let first = flow.peek_time();
            self.clock.planned(start, order.gap(), first.map(|_| flow.end_ns()));
            self.next_start = self.clock.start();
            self.started += 1;
            if self.started % 4096 == 0 {
                (self.progress)(self.started);
            }
            let Some(t) = first else { continue };
            debug_assert!(t >= start, "flow {index} has a frame before its start");
            let active = Active { flow, kind: order.kind_name(), ahead, mirror: None };
            let slot = put_in_slot(&mut self.slots, &mut self.free, active);
            self.heap.push(Reverse((t, index, slot)));
        }
    }

    /// Flow `index` of `order`, starting at `start`: a planning thread's,
    /// moved to `start`, or planned here.
    /// Whether a thread planned it comes with it.
    fn plan(&mut self, index: u64, order: &FlowOrder, start: u64) -> (Flow, bool) {
        let ahead = self.planners.as_mut().and_then(|p| p.take(index));
        match ahead {
            Some(mut flow) if start >= SHIFT_FLOOR_NS => {
                flow.shift(start - SHIFT_FLOOR_NS);
                (flow, true)
            }
            _ => (order.plan(&self.host, &mut flow_stream(self.seed, index), start), false),
        }
    }
}

/// Puts `item` in a free slot of `slots` (one of `free`, else a new one)
/// and returns its index: flows in progress keep their place while others
/// come and go.
pub(super) fn put_in_slot<T>(slots: &mut Vec<Option<T>>, free: &mut Vec<usize>, item: T) -> usize {
    match free.pop() {
        Some(i) => {
            slots[i] = Some(item);
            i
        }
        None => {
            slots.push(Some(item));
            slots.len() - 1
        }
    }
}

/// A flow in progress: its kind, whether a planning thread planned it (it
/// goes back there when done), and its mirror stream once asked for.
#[derive(Debug)]
struct Active {
    flow: Flow,
    kind: &'static str,
    ahead: bool,
    mirror: Option<ChaCha8Rng>,
}

impl<P: FnMut(u64)> TrafficSource for FlowScheduler<P> {
    fn next_frame(&mut self, frame: &mut Vec<u8>) -> Option<PacketInfo> {
        loop {
            // The earliest flow's entry is updated in place when the flow goes
            // on (one sift instead of a pop and a push): the entries are all
            // distinct, so the heap yields them in the same order either way.
            let mut top = self.heap.peek_mut()?;
            let Reverse((_, index, slot)) = *top;
            let active = self.slots[slot].as_mut().expect("slot in the heap holds a flow");
            let kind = active.kind;
            let owned = self.shard.map_or(true, |(k, n)| index % n == k);
            let flow = &mut active.flow;
            let next = if owned { flow.next_frame(frame) } else { flow.skip_frame(frame) };
            let Some(info) = next else {
                PeekMut::pop(top);
                self.admit();
                continue;
            };
            match flow.peek_time() {
                Some(t) => {
                    *top = Reverse((t, index, slot));
                    drop(top);
                    self.last_slot = Some(slot);
                }
                None => {
                    PeekMut::pop(top);
                    let done = self.slots[slot].take().expect("slot in the heap holds a flow");
                    self.parting = done.mirror;
                    self.last_slot = None;
                    if let (true, Some(p)) = (done.ahead, &mut self.planners) {
                        p.give_back(index, done.flow);
                    }
                    self.free.push(slot);
                    self.finished += 1;
                }
            }
            // Admitting now, not before the next pull, keeps `peek_time` exact.
            self.admit();
            self.last_kind = kind;
            self.last_flow = index;
            return Some(info);
        }
    }

    fn peek_time(&self) -> Option<u64> {
        self.heap.peek().map(|Reverse((t, _, _))| *t)
    }

    fn flow_kind(&self) -> &str {
        self.last_kind
    }

    fn flow_index(&self) -> Option<u64> {
        Some(self.last_flow)
    }

    fn mirror_stream(&mut self) -> Option<&mut dyn RngCore> {
        let (seed, index) = (self.seed, self.last_flow);
        let rng = match self.last_slot {
            Some(slot) => &mut self.slots[slot].as_mut().expect("the last flow's slot").mirror,
            None => &mut self.parting,
        };
        Some(rng.get_or_insert_with(|| mirror_stream(seed, index)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::host_of;
    use crate::mirror::session::{Mirror, Source};
    use crate::traffic::collect_frames;

    fn scheduler(name: &str, flows: u64, max: usize) -> FlowScheduler<fn(u64)> {
        let host = host_of(&Source::example());
        let scenario = Scenario::by_name(name).expect("listed");
        FlowScheduler::new(scenario, host, 7, Mirror::DEFAULT_START_NS, flows, max, |_| {})
    }

    #[test]
    fn frames_come_out_in_time_order_and_every_flow_finishes() {
        let mut s = scheduler("mixed", 40, 8);
        let mut last = 0;
        let mut buf = Vec::new();
        let mut frames = 0;
        while let Some(peek) = s.peek_time() {
            buf.clear();
            let info = s.next_frame(&mut buf).expect("a frame at peek_time");
            assert_eq!(info.timestamp_ns, peek, "peek_time is the next frame's time");
            assert!(info.timestamp_ns >= last, "frame {frames} goes back in time");
            assert!(!s.flow_kind().is_empty());
            assert!(!buf.is_empty());
            last = info.timestamp_ns;
            frames += 1;
        }
        assert!(s.next_frame(&mut buf).is_none());
        assert_eq!((s.started(), s.finished()), (40, 40));
        assert!(frames > 40 * 2);
    }

    #[test]
    fn flows_planned_on_threads_are_the_flows_planned_in_place() {
        let host = host_of(&Source::example());
        for (name, max) in [("mixed", 64), ("http", 64), ("seed-https-outbound", 2), ("ping", 3)] {
            let scenario = Scenario::by_name(name).expect("listed").with_loss(0.05);
            let play = |threads| {
                let start = Mirror::DEFAULT_START_NS;
                let mut s =
                    FlowScheduler::with_planners(scenario.clone(), host, 3, start, 70, max, threads, |_| {});
                collect_frames(&mut s)
            };
            let in_place = play(0);
            assert!(in_place.len() > 70);
            for threads in [1, 3, 5] {
                assert!(play(threads) == in_place, "{name}, {threads} planning threads");
            }
        }
    }

    #[test]
    fn the_first_flow_starts_at_start_ns() {
        let mut s = scheduler("http", 3, 64);
        assert_eq!(s.peek_time(), Some(Mirror::DEFAULT_START_NS));
        assert_eq!(s.started(), 1, "the second flow waits for the first's frames");
        let frames = collect_frames(&mut s);
        assert_eq!(s.finished(), 3);
        assert!(frames.iter().all(|(i, _)| i.timestamp_ns >= Mirror::DEFAULT_START_NS));
    }

    #[test]
    fn at_most_max_concurrent_flows_overlap() {
        // Overlapping flows interleave their frames; one at a time cannot.
        let keys = |max| {
            let mut s = scheduler("https-outbound", 20, max);
            collect_frames(&mut s)
                .into_iter()
                .map(|(i, _)| (i.key.src_port, i.key.dst_port))
                .collect::<Vec<_>>()
        };
        let switches = |v: &[(Option<u16>, Option<u16>)]| {
            v.windows(2)
                .filter(|w| {
                    let a = (w[0].0.min(w[0].1), w[0].0.max(w[0].1));
                    let b = (w[1].0.min(w[1].1), w[1].0.max(w[1].1));
                    a != b
                })
                .count()
        };
        assert_eq!(switches(&keys(1)), 19, "one flow after another");
        assert!(switches(&keys(64)) > 19, "flows overlap");
    }

    #[test]
    fn progress_counts_started_flows() {
        let mut calls = Vec::new();
        let host = host_of(&Source::example());
        let dns = Scenario::by_name("dns").expect("listed");
        let mut s = FlowScheduler::new(dns, host, 1, 0, 8192, 64, |n| calls.push(n));
        let mut buf = Vec::new();
        while s.next_frame(&mut buf).is_some() {
            buf.clear();
        }
        drop(s);
        assert_eq!(calls, [4096, 8192]);
    }

    #[test]
    fn zero_flows_is_an_empty_source() {
        let mut s = scheduler("mixed", 0, 64);
        assert_eq!(s.peek_time(), None);
        assert!(s.next_frame(&mut Vec::new()).is_none());
    }
}
