//! `--jobs N`: a run's flows planned, mirrored and written on N threads
//! and merged, as they go, into the bytes one thread writes.
//!
//! # Why the copies can be merged
//!
//! A scenario's run writes its copies in the order of their [`Key`]:
//! (arrival time, time the frame crossed the interface, place of its flow
//! in the order flows start). The scheduler merges the frames of the flows
//! in progress by (time, flow), a flow starts only once every earlier frame
//! has gone and never has a frame before its start, and the reorder buffer
//! writes the copies by arrival, ties in the order they were emitted. Each
//! flow draws from random streams of its own ([`flow_stream`],
//! [`mirror_stream`]), and its start follows from the gaps and lengths of
//! the flows before it alone ([`StartClock`]). So any thread can plan,
//! mirror and write any flow, and the copies of all threads, merged by key,
//! are the run:
//!
//! 1. A thread takes the next flows to plan from the shared [`Clock`], a
//!    batch at a time (one that is slower, say because it merges, simply
//!    takes fewer), plans them at [`SHIFT_FLOOR_NS`], and reports their
//!    gaps and lengths to the clock, which runs the [`StartClock`] over the
//!    flows reported, in flow order, and keeps each start for the thread
//!    that holds the flow.
//! 2. The clock's *frontier* is the last start it knows: every later flow
//!    starts after it. A thread moves each flow to its start
//!    ([`Flow::shift`]; a ping, whose bytes hold the time, is planned again
//!    there), and mirrors and writes the frames of its flows up to the
//!    frontier into chunks of records (each copy made where its record
//!    lies: [`Emitter::open_space`]), each record with its key, handed
//!    over with a *bound*: no later record of the thread has a smaller key.
//! 3. The thread that hands over records also merges, unless another is
//!    merging ([`Merger`]): it writes the smallest record of all while it is
//!    smaller than the bound of every thread it holds no record of.
//!
//! No thread waits on another but for a start (when the other is a batch
//! behind) or a chunk back (when its records wait for the other's), and
//! no thread of its own merges: a run takes the two cores of this machine
//! and little more work than one thread does. It needs its flows' starts at
//! [`SHIFT_FLOOR_NS`] or later (a second after the epoch: every run but a
//! test's).

use super::emit::{CopySink, CopySpace, EmitOptions, Emitter, Place};
use super::starts::StartClock;
use super::{GenerateError, Options, Stats};
use crate::capture::{CaptureError, CaptureWriter, PacketDirection, Record};
use crate::mirror::session::Mirror;
use crate::traffic::scenario::{flow_stream, mirror_stream, FlowOrder, Gap, Scenario, SHIFT_FLOOR_NS};
use crate::traffic::{Flow, Host, TrafficSource};
use core::cmp::Reverse;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::binary_heap::PeekMut;
use std::collections::{BinaryHeap, VecDeque};
use std::io::Write;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError, TryLockError};

/// A record's key: (arrival, frame time, flow). Unique but for copies of
/// frames of one flow at one time, which one thread writes in order.
type Key = (u64, u64, u64);

/// The key after every record's.
const END: Key = (u64::MAX, u64::MAX, u64::MAX);

/// Flows a thread plans ahead of those it knows the start of, and flows it
/// takes at once ([`Clock::take`]).
const AHEAD: usize = 64;
const BATCH: usize = 32;
/// Bytes of records in a chunk, and chunks a thread may have in flight
/// (measured in `docs/scale.md`: with four of 64 KiB a thread often waits
/// for one back; more, or larger, gain nothing and take more memory).
const CHUNK_BYTES: usize = 256 * 1024;
const CHUNKS: usize = 4;

/// A flow planned on a thread, as the start clock needs it.
#[derive(Debug, Clone, Copy)]
struct Planned {
    gap: Gap,
    /// From its start to its last frame (`None`: it has no frames).
    length: Option<u64>,
}

/// Records a thread wrote: the bytes, as the capture holds them, and each
/// record's key and end in `bytes`.
#[derive(Debug, Default)]
struct Chunk {
    bytes: Vec<u8>,
    records: Vec<(Key, usize)>,
}

/// What a thread hands over to the merge.
#[derive(Debug)]
enum Report {
    /// Records in order; no later record of this thread has a key smaller
    /// than `bound`; its counts so far.
    Records { worker: usize, chunk: Chunk, bound: Key, stats: Stats, finished: u64 },
    /// Its last records have been handed over.
    Done { worker: usize },
    /// Writing a record failed.
    Failed(CaptureError),
    /// The thread ended before it was done (it panicked).
    Gone,
}

/// The start clock, shared by the threads. A thread takes the next flows
/// to plan in batches ([`take`](Self::take)), so one that is busier (the
/// merge, another process) simply takes fewer; it reports their gaps and
/// lengths once planned ([`report`](Self::report)), which runs the clock as
/// far as the flows reported go. No thread asks another for a start.
struct Clock {
    total: u64,
    clock: StartClock,
    /// Flows whose start is known, and the last such start.
    known: u64,
    last_start: u64,
    /// Flows taken by a thread, from flow `known - 1` on: the thread, and
    /// the flow as planned once reported.
    taken: VecDeque<(usize, Option<Planned>)>,
    /// The next flow to take.
    next: u64,
    /// Per thread: the starts known of its flows and not yet taken.
    starts: Vec<VecDeque<u64>>,
    /// Threads waiting for the clock to move.
    waiting: usize,
    /// The run has ended (written, cut by `-c N`, or failed): threads stop.
    stop: bool,
}

impl Clock {
    fn new(opts: &Options, n: usize) -> Clock {
        let mut clock = StartClock::new(opts.start_ns, opts.max_concurrent);
        let first = clock.start();
        Clock {
            total: opts.conversations,
            clock,
            known: 0,
            last_start: first,
            taken: VecDeque::new(),
            next: 0,
            starts: vec![VecDeque::new(); n],
            waiting: 0,
            stop: false,
        }
    }

    /// Up to `want` more flows for thread `k` to plan, in order.
    fn take(&mut self, k: usize, want: u64) -> core::ops::Range<u64> {
        let first = self.next;
        self.next = first.saturating_add(want).min(self.total);
        for flow in first..self.next {
            self.taken.push_back((k, None));
            if flow == 0 {
                // The first flow's start needs no report.
                self.known = 1;
                self.starts[k].push_back(self.last_start);
            }
        }
        self.advance();
        first..self.next
    }

    /// Thread `k` has planned flows `first`, `first + 1`, ... as `flows`;
    /// runs the clock as far as it can. True if it moved.
    fn report(&mut self, first: u64, flows: &[Planned]) -> bool {
        let base = self.known.saturating_sub(1);
        for (i, p) in flows.iter().enumerate() {
            let slot = &mut self.taken[(first - base) as usize + i];
            slot.1 = Some(*p);
        }
        self.advance()
    }

    /// Frames up to this time may be written: the last start known (every
    /// later flow starts after it), or all once every start is known.
    fn frontier(&self) -> u64 {
        if self.known < self.total {
            self.last_start
        } else {
            u64::MAX
        }
    }

    /// Runs the clock over the flows reported, in flow order, up to the
    /// last flow taken (whose thread is to learn its start); true if it moved.
    fn advance(&mut self) -> bool {
        let before = self.known;
        // Flow `known - 1` has its start; its plan gives the next one's.
        while self.known < self.total && self.taken.len() >= 2 {
            let Some((_, Some(p))) = self.taken.front() else { break };
            self.clock.planned(self.last_start, p.gap, p.length.map(|l| self.last_start + l));
            self.last_start = self.clock.start();
            self.taken.pop_front();
            let k = self.taken.front().expect("two taken").0;
            self.starts[k].push_back(self.last_start);
            self.known += 1;
        }
        self.known != before
    }
}

/// The clock as the threads share it, and the signal that it moved.
struct Shared {
    clock: Mutex<Clock>,
    moved: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Clock> {
        // A thread that panicked holding the lock has reported it (`Gone`).
        self.clock.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Ends the run for every thread.
    fn stop(&self) {
        self.lock().stop = true;
        self.moved.notify_all();
    }
}

/// Where a thread hands over its reports.
trait Deliver: Sync {
    /// Takes `report` (and merges what it can); false once the run has
    /// stopped.
    fn deliver(&self, report: Report) -> bool;
}

/// The merge, shared: a thread that hands over records runs it if no
/// other thread is running it, so that no thread of its own is needed and
/// no thread waits on it.
struct Merger<'s, 'w, W: Write> {
    /// Reports not yet taken into the merge.
    inbox: Mutex<Vec<Report>>,
    merge: Mutex<Merge<'w, W>>,
    shared: &'s Shared,
}

impl<W: Write + Send> Deliver for Merger<'_, '_, W> {
    fn deliver(&self, report: Report) -> bool {
        lock(&self.inbox).push(report);
        self.run();
        !self.shared.lock().stop
    }
}

impl<W: Write + Send> Merger<'_, '_, W> {
    /// Takes the reports in and writes what can be written, unless another
    /// thread is at it: that one looks at the inbox again once it has let
    /// the merge go, so no report is left behind.
    fn run(&self) {
        loop {
            let mut merge = match self.merge.try_lock() {
                Ok(m) => m,
                Err(TryLockError::WouldBlock) => return,
                Err(TryLockError::Poisoned(p)) => p.into_inner(),
            };
            loop {
                let reports = std::mem::take(&mut *lock(&self.inbox));
                if reports.is_empty() {
                    break;
                }
                if merge.take(reports) {
                    self.shared.stop();
                }
            }
            drop(merge);
            if lock(&self.inbox).is_empty() {
                return;
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Writes the run [`super::run`] writes, with `threads` threads (at least
/// 2) planning, mirroring, writing and merging its flows, and this one
/// showing the progress; `opts.start_ns` is at least [`SHIFT_FLOOR_NS`].
pub(crate) fn run_parallel<W: Write + Send>(
    mirror: &Mirror,
    opts: &Options,
    threads: usize,
    writer: &mut CaptureWriter<W>,
    progress: &mut dyn FnMut(u64),
) -> Result<Stats, GenerateError> {
    debug_assert!(opts.start_ns >= SHIFT_FLOOR_NS && threads >= 2);
    let scenario = opts.scenario.clone().with_loss(opts.loss);
    let host = super::host_of(&mirror.source);
    let emit = opts.emit_options();
    let shared = Shared { clock: Mutex::new(Clock::new(opts, threads)), moved: Condvar::new() };
    let mut workers = Vec::with_capacity(threads);
    let mut pools = Vec::with_capacity(threads);
    for k in 0..threads {
        let (pool_tx, pool_rx) = channel();
        workers.push((Worker::new(k, opts, &scenario, host, mirror, &emit, writer), pool_rx));
        pools.push(pool_tx);
    }
    let merger = Merger {
        inbox: Mutex::new(Vec::new()),
        merge: Mutex::new(Merge::new(writer, pools)),
        shared: &shared,
    };
    let (events, shown) = channel();
    let (spawned, joined) = std::thread::scope(|scope| {
        let mut handles = Vec::with_capacity(threads);
        let mut gate = shared.lock();
        // The threads take their first flows once the gate opens: when all
        // of them run, or (one could not be made) to stop at once.
        for (mut worker, pool) in workers {
            let channels = WorkerChannels { out: &merger, shared: &shared, pool, progress: events.clone() };
            let spawned = std::thread::Builder::new()
                .name(format!("vxgen-job-{}", worker.k))
                .spawn_scoped(scope, move || worker.run(channels));
            match spawned {
                Ok(h) => handles.push(h),
                Err(_) => {
                    gate.stop = true;
                    break;
                }
            }
        }
        let spawned = !gate.stop;
        drop(gate);
        drop(events);
        while let Ok(known) = shown.recv() {
            progress(known);
        }
        // Joined here, a thread that panicked is a failed run, not a panic.
        let joined = handles.into_iter().map(|h| h.join()).all(|r| r.is_ok());
        (spawned, joined)
    });
    merger.run();
    let merge = merger.merge.into_inner().unwrap_or_else(PoisonError::into_inner);
    if !spawned {
        // Not every thread could be made, and none has begun: the run on
        // this one, as with `--jobs 1`.
        return super::run_in_place(mirror, opts, merge.writer, progress);
    }
    if let Some(e) = merge.error {
        return Err(e);
    }
    let complete = merge.done.iter().all(|&d| d) && merge.chunks.iter().all(VecDeque::is_empty);
    if !joined || !(merge.over || complete) {
        return Err(GenerateError::JobFailed);
    }
    let mut total = Stats::default();
    for &(mut s, finished) in &merge.stats {
        s.conversations = finished;
        total += s;
    }
    Ok(total)
}

/// The merge of the threads' records into the writer.
struct Merge<'w, W: Write> {
    writer: &'w mut CaptureWriter<W>,
    /// Per thread: its chunks, the first partly written (`at`: its next record).
    chunks: Vec<VecDeque<Chunk>>,
    at: Vec<usize>,
    bounds: Vec<Key>,
    done: Vec<bool>,
    /// Per thread: its counts when it last reported.
    stats: Vec<(Stats, u64)>,
    /// Where spent chunks go back to their threads.
    pools: Vec<Sender<Chunk>>,
    /// The writer is full (`-c N`): the run is over.
    over: bool,
    /// Why the run failed.
    error: Option<GenerateError>,
}

impl<'w, W: Write> Merge<'w, W> {
    fn new(writer: &'w mut CaptureWriter<W>, pools: Vec<Sender<Chunk>>) -> Merge<'w, W> {
        let n = pools.len();
        Merge {
            writer,
            chunks: (0..n).map(|_| VecDeque::new()).collect(),
            at: vec![0; n],
            bounds: vec![(0, 0, 0); n],
            done: vec![false; n],
            stats: vec![(Stats::default(), 0); n],
            pools,
            over: false,
            error: None,
        }
    }

    /// Takes `reports` in and writes what can be written; true once the
    /// run is over (the writer full, or a failure).
    fn take(&mut self, reports: Vec<Report>) -> bool {
        if self.over || self.error.is_some() {
            return true;
        }
        for report in reports {
            match report {
                Report::Records { worker, chunk, bound, stats, finished } => {
                    if !chunk.records.is_empty() {
                        self.chunks[worker].push_back(chunk);
                    }
                    self.bounds[worker] = bound;
                    self.stats[worker] = (stats, finished);
                }
                Report::Done { worker } => {
                    self.done[worker] = true;
                    self.bounds[worker] = END;
                }
                Report::Failed(e) => self.error = Some(e.into()),
                Report::Gone => self.error = Some(GenerateError::JobFailed),
            }
        }
        if self.error.is_none() {
            match self.write() {
                Ok(true) => {}
                Ok(false) => self.over = true,
                Err(e) => self.error = Some(e),
            }
        }
        let ended = self.over || self.error.is_some();
        if ended {
            // Threads waiting for a chunk back stop waiting.
            self.pools.clear();
        }
        ended
    }

    /// Writes every record that no thread can still precede; false once
    /// the writer is full (`-c N`).
    fn write(&mut self) -> Result<bool, GenerateError> {
        let writer = &mut *self.writer;
        loop {
            let mut best: Option<(Key, usize)> = None;
            for (k, chunks) in self.chunks.iter().enumerate() {
                if let Some(c) = chunks.front() {
                    let key = c.records[self.at[k]].0;
                    if best.map_or(true, |(b, _)| key < b) {
                        best = Some((key, k));
                    }
                }
            }
            let Some((_, k)) = best else { return Ok(true) };
            // The records of thread k may go up to the first key another
            // thread holds or may still send.
            let mut limit = END;
            for j in (0..self.chunks.len()).filter(|&j| j != k) {
                let next = match self.chunks[j].front() {
                    Some(c) => c.records[self.at[j]].0,
                    None => self.bounds[j],
                };
                limit = limit.min(next);
            }
            let chunk = self.chunks[k].front().expect("best has a chunk");
            let first = self.at[k];
            let room = usize::try_from(writer.room()).unwrap_or(usize::MAX);
            let mut end = first;
            while end < chunk.records.len() && end - first < room && chunk.records[end].0 < limit {
                end += 1;
            }
            if end == first {
                return Ok(room > 0);
            }
            let from = if first == 0 { 0 } else { chunk.records[first - 1].1 };
            writer.put_records(&chunk.bytes[from..chunk.records[end - 1].1], (end - first) as u64)?;
            if end == chunk.records.len() {
                let mut spent = self.chunks[k].pop_front().expect("written from");
                spent.bytes.clear();
                spent.records.clear();
                // A thread that is gone has reported why.
                let _ = self.pools[k].send(spent);
                self.at[k] = 0;
            } else {
                self.at[k] = end;
            }
            if writer.room() == 0 {
                return Ok(false);
            }
        }
    }
}

/// A thread's ends of what it shares.
struct WorkerChannels<'s> {
    out: &'s dyn Deliver,
    shared: &'s Shared,
    pool: Receiver<Chunk>,
    /// Flows whose start is known, now and then, for the progress.
    progress: Sender<u64>,
}

/// A flow in progress on a thread.
#[derive(Debug)]
struct Active {
    flow: Flow,
    kind: &'static str,
    mirror: Option<ChaCha8Rng>,
}

/// A thread of a `--jobs` run: plans, mirrors and writes the flows it
/// takes, and merges when it hands records over.
struct Worker<'m> {
    k: usize,
    seed: u64,
    host: Host,
    scenario: Scenario,
    schedule: ChaCha8Rng,
    /// The next flow whose order is drawn from the schedule.
    drawn: u64,
    /// Every flow has been taken by some thread.
    taken_all: bool,
    /// The first of the flows in `unreported`.
    first_unreported: u64,
    /// Flows planned whose start is not known yet, and starts known of
    /// flows not planned yet.
    waiting: VecDeque<(u64, FlowOrder, Flow)>,
    starts: VecDeque<u64>,
    /// Flows planned and not yet reported to the clock.
    unreported: Vec<Planned>,
    /// Frames up to this time may be written (`u64::MAX`: all).
    frontier: u64,
    slots: Vec<Option<Active>>,
    free: Vec<usize>,
    heap: BinaryHeap<Reverse<(u64, u64, usize)>>,
    emitter: Emitter<'m>,
    sink: Sink,
    finished: u64,
    /// The bound last reported.
    bound: Key,
    /// Chunks in flight or spare.
    chunks: usize,
}

/// A thread's records, written in the capture's form, with their keys.
struct Sink {
    writer: CaptureWriter<Vec<u8>>,
    records: Vec<(Key, usize)>,
}

impl CopySink for Sink {
    #[inline]
    fn put(&mut self, rec: &Record<'_>, place: Place) -> Result<(), CaptureError> {
        self.writer.write(rec)?;
        let end = self.writer.get_mut().len();
        self.records.push(((rec.timestamp_ns, place.frame_ns, place.flow), end));
        Ok(())
    }

    fn skip(&mut self) {}
}

impl CopySpace for Sink {
    #[inline]
    fn buffer(&mut self) -> &mut Vec<u8> {
        self.writer.buffer()
    }

    #[inline]
    fn head_len(&self) -> usize {
        self.writer.head_len()
    }

    #[inline]
    fn seal(
        &mut self,
        copy_start: usize,
        timestamp_ns: u64,
        comment: Option<&str>,
        direction: PacketDirection,
        place: Place,
    ) -> Result<(), CaptureError> {
        CopySpace::seal(&mut self.writer, copy_start, timestamp_ns, comment, direction, place)?;
        let end = self.writer.get_mut().len();
        self.records.push(((timestamp_ns, place.frame_ns, place.flow), end));
        Ok(())
    }
}

impl<'m> Worker<'m> {
    #[allow(clippy::too_many_arguments)]
    fn new<W: Write>(
        k: usize,
        opts: &Options,
        scenario: &Scenario,
        host: Host,
        mirror: &'m Mirror,
        emit: &EmitOptions,
        writer: &CaptureWriter<W>,
    ) -> Worker<'m> {
        let sink = Sink {
            writer: writer.records_like(Vec::with_capacity(CHUNK_BYTES + 64 * 1024)),
            records: Vec::with_capacity(CHUNK_BYTES / 64),
        };
        Worker {
            k,
            seed: opts.seed,
            host,
            scenario: scenario.clone(),
            schedule: ChaCha8Rng::seed_from_u64(opts.seed),
            drawn: 0,
            taken_all: false,
            first_unreported: 0,
            waiting: VecDeque::with_capacity(AHEAD),
            starts: VecDeque::new(),
            unreported: Vec::with_capacity(BATCH),
            frontier: 0,
            slots: Vec::new(),
            free: Vec::new(),
            heap: BinaryHeap::new(),
            emitter: Emitter::new(mirror, emit),
            sink,
            finished: 0,
            bound: (0, 0, 0),
            chunks: 1,
        }
    }

    fn run(&mut self, ch: WorkerChannels<'_>) {
        let gone = Gone(Some(ch.out));
        if let Err(e) = self.work(&ch) {
            ch.out.deliver(Report::Failed(e));
        }
        gone.disarm();
    }

    /// The thread's loop; `Ok` also when the run has stopped early (`-c N`).
    fn work(&mut self, ch: &WorkerChannels<'_>) -> Result<(), CaptureError> {
        loop {
            let mut busy = self.plan(ch.shared);
            if !self.sync(ch, false) {
                return Ok(());
            }
            busy |= self.admit();
            busy |= self.emit(ch)?;
            if busy {
                continue;
            }
            if self.taken_all && self.waiting.is_empty() && self.heap.is_empty() && self.frontier == u64::MAX
            {
                let stats = self.emitter_finish()?;
                let Some(chunk) = self.take_chunk(ch)? else { return Ok(()) };
                let bound = END;
                let report = Report::Records { worker: self.k, chunk, bound, stats, finished: self.finished };
                if ch.out.deliver(report) {
                    ch.out.deliver(Report::Done { worker: self.k });
                }
                return Ok(());
            }
            // Nothing to do until the clock moves: hand over what is written.
            self.flush(ch)?;
            if !self.sync(ch, true) {
                return Ok(());
            }
        }
    }

    /// Reports the flows planned to the clock, runs it, and takes the
    /// starts it gives this thread's flows and the frontier; with `wait`,
    /// waits until there is a start or frontier this thread has not seen.
    /// False once the run has stopped.
    fn sync(&mut self, ch: &WorkerChannels<'_>, wait: bool) -> bool {
        let shared = ch.shared;
        let mut clock = shared.lock();
        loop {
            if clock.stop {
                return false;
            }
            if !self.unreported.is_empty() {
                let before = clock.known;
                let moved = clock.report(self.first_unreported, &self.unreported);
                self.unreported.clear();
                if moved {
                    if clock.known / 4096 != before / 4096 {
                        let _ = ch.progress.send(clock.known);
                    }
                    if clock.waiting > 0 {
                        shared.moved.notify_all();
                    }
                }
            }
            let frontier = clock.frontier();
            let mine = &mut clock.starts[self.k];
            let moved = !mine.is_empty() || frontier != self.frontier;
            self.starts.extend(mine.drain(..));
            self.frontier = frontier;
            if moved || !wait {
                return true;
            }
            clock.waiting += 1;
            clock = shared.moved.wait(clock).unwrap_or_else(PoisonError::into_inner);
            clock.waiting -= 1;
        }
    }

    /// Moves the flows whose start has come to their start.
    fn admit(&mut self) -> bool {
        let mut any = false;
        while !self.waiting.is_empty() && !self.starts.is_empty() {
            let (index, order, mut flow) = self.waiting.pop_front().expect("not empty");
            let start = self.starts.pop_front().expect("not empty");
            if order.shifts() {
                flow.shift(start - SHIFT_FLOOR_NS);
            } else {
                flow = order.plan(&self.host, &mut flow_stream(self.seed, index), start);
            }
            any = true;
            let Some(t) = flow.peek_time() else { continue };
            debug_assert!(t >= start, "flow {index} has a frame before its start");
            let active = Active { flow, kind: order.kind_name(), mirror: None };
            let slot = super::scheduler::put_in_slot(&mut self.slots, &mut self.free, active);
            self.heap.push(Reverse((t, index, slot)));
        }
        any
    }

    /// Takes the next flows and plans them, for [`sync`](Self::sync) to report.
    fn plan(&mut self, shared: &Shared) -> bool {
        if self.taken_all || self.waiting.len() >= AHEAD || !self.unreported.is_empty() {
            return false;
        }
        let want = BATCH.min(AHEAD - self.waiting.len()) as u64;
        let flows = {
            let mut clock = shared.lock();
            let flows = clock.take(self.k, want);
            self.taken_all = clock.next >= clock.total;
            flows
        };
        self.first_unreported = flows.start;
        let any = !flows.is_empty();
        for index in flows {
            let mut order = self.scenario.next_order(&mut self.schedule);
            while self.drawn < index {
                self.drawn += 1;
                order = self.scenario.next_order(&mut self.schedule);
            }
            self.drawn += 1;
            let flow = order.plan(&self.host, &mut flow_stream(self.seed, index), SHIFT_FLOOR_NS);
            let length = flow.peek_time().map(|_| flow.end_ns() - SHIFT_FLOOR_NS);
            self.unreported.push(Planned { gap: order.gap(), length });
            self.waiting.push_back((index, order, flow));
        }
        any
    }

    /// Mirrors and writes the frames up to the frontier.
    fn emit(&mut self, ch: &WorkerChannels<'_>) -> Result<bool, CaptureError> {
        let mut any = false;
        loop {
            let Some(mut top) = self.heap.peek_mut() else { break };
            let Reverse((t, index, slot)) = *top;
            if t > self.frontier {
                break;
            }
            any = true;
            let active = self.slots[slot].as_mut().expect("slot in the heap holds a flow");
            // The copy is made where its record is to lie.
            let copy_start = self.emitter.open_space(&mut self.sink);
            let info = active.flow.next_frame(self.sink.buffer()).expect("a frame at peek_time");
            let seed = self.seed;
            let delay = self
                .emitter
                .delay_ns(&info, || Some(active.mirror.get_or_insert_with(|| mirror_stream(seed, index))));
            let place = Place { frame_ns: t, flow: index };
            self.emitter.emit_in_place(&mut self.sink, copy_start, &info, active.kind, (place, delay))?;
            match active.flow.peek_time() {
                Some(next) => {
                    *top = Reverse((next, index, slot));
                    drop(top);
                }
                None => {
                    PeekMut::pop(top);
                    self.slots[slot] = None;
                    self.free.push(slot);
                    self.finished += 1;
                }
            }
            if self.sink.writer.get_mut().len() >= CHUNK_BYTES {
                let bound = self.next_bound();
                if !self.send(ch, bound)? {
                    return Ok(false);
                }
            }
        }
        Ok(any)
    }

    /// The earliest time a frame not yet mirrored can have: the next in
    /// progress, a flow whose start is known but which is not planned yet,
    /// or a flow whose start is not known yet (after the frontier).
    fn next_frame_ns(&self) -> u64 {
        let next = self.heap.peek().map_or(u64::MAX, |Reverse((t, _, _))| *t);
        let start = self.starts.front().copied().unwrap_or(u64::MAX);
        next.min(start).min(self.frontier.saturating_add(1))
    }

    /// A key no record written from now on precedes: a copy held arrives
    /// at its time, and a frame's copy arrives [`Mirror::LATENCY_NS`] after
    /// it or later (delayed), so at the next frame's arrival only the copy
    /// of a frame at that time or later.
    fn next_bound(&self) -> Key {
        let held = self.emitter.first_held().map_or(END, |at| (at, 0, 0));
        let next = self.next_frame_ns();
        let frame = if next == u64::MAX { END } else { (next.saturating_add(Mirror::LATENCY_NS), next, 0) };
        held.min(frame)
    }

    /// Before waiting for starts: writes the copies held that nothing can
    /// now precede (a later copy arriving at the same time is of a later
    /// frame), and hands over the records with a new bound.
    fn flush(&mut self, ch: &WorkerChannels<'_>) -> Result<(), CaptureError> {
        self.emitter.release(self.next_frame_ns().saturating_add(Mirror::LATENCY_NS), &mut self.sink)?;
        let bound = self.next_bound();
        if bound != self.bound || !self.sink.records.is_empty() {
            self.send(ch, bound)?;
        }
        Ok(())
    }

    /// Sends the records written so far with `bound`; false if the calling
    /// thread has gone.
    fn send(&mut self, ch: &WorkerChannels<'_>, bound: Key) -> Result<bool, CaptureError> {
        let Some(chunk) = self.take_chunk(ch)? else { return Ok(false) };
        self.bound = bound;
        let report = Report::Records {
            worker: self.k,
            chunk,
            bound,
            stats: *self.emitter.stats(),
            finished: self.finished,
        };
        Ok(ch.out.deliver(report))
    }

    /// The records written so far, replaced by a spare chunk (waiting for
    /// one to come back when all are in flight); `None` if the calling
    /// thread has gone.
    fn take_chunk(&mut self, ch: &WorkerChannels<'_>) -> Result<Option<Chunk>, CaptureError> {
        if self.sink.records.is_empty() {
            // Only a bound to send: no chunk needed.
            return Ok(Some(Chunk::default()));
        }
        let spare = match ch.pool.try_recv() {
            Ok(c) => c,
            Err(_) if self.chunks < CHUNKS => {
                self.chunks += 1;
                Chunk {
                    bytes: Vec::with_capacity(CHUNK_BYTES + 64 * 1024),
                    records: Vec::with_capacity(CHUNK_BYTES / 64),
                }
            }
            Err(_) => match ch.pool.recv() {
                Ok(c) => c,
                Err(_) => return Ok(None),
            },
        };
        let bytes = std::mem::replace(self.sink.writer.get_mut(), spare.bytes);
        let records = std::mem::replace(&mut self.sink.records, spare.records);
        Ok(Some(Chunk { bytes, records }))
    }

    fn emitter_finish(&mut self) -> Result<Stats, CaptureError> {
        self.emitter.release(u64::MAX, &mut self.sink)?;
        Ok(*self.emitter.stats())
    }
}

/// Tells the merge that its thread ended early, if it does (it panicked).
struct Gone<'s>(Option<&'s dyn Deliver>);

impl Gone<'_> {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for Gone<'_> {
    fn drop(&mut self) {
        if let Some(tx) = self.0.take() {
            tx.deliver(Report::Gone);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::Format;
    use rstest::rstest;
    use std::io;

    fn opts(scenario: &str, conversations: u64, reorder: f64, max_concurrent: usize) -> Options {
        Options {
            seed: conversations ^ 0x5eed,
            conversations,
            scenario: scenario.parse().expect("a listed scenario"),
            reorder,
            max_concurrent,
            ..Options::default()
        }
    }

    /// The bytes and counts of the run on this thread, and on `threads`.
    fn both(opts: &Options, threads: usize, format: Format, limit: Option<u64>) -> [(Vec<u8>, Stats); 2] {
        let mirror = Mirror::example(77);
        let writer = || {
            let w = CaptureWriter::new(Vec::new(), format, 65535).expect("writer");
            match limit {
                Some(n) => w.with_limit(n),
                None => w,
            }
        };
        let mut one = writer();
        let one_stats = super::super::run_in_place(&mirror, opts, &mut one, &mut |_| {}).expect("in place");
        let mut many = writer();
        let many_stats = run_parallel(&mirror, opts, threads, &mut many, &mut |_| {}).expect("parallel");
        [(one.finish().expect("finish"), one_stats), (many.finish().expect("finish"), many_stats)]
    }

    #[rstest]
    #[case::no_flow("mixed", 0, 0.0, 64)]
    #[case::one_flow("http", 1, 0.0, 64)]
    #[case::two_flows("ping", 2, 0.0, 64)]
    #[case::fewer_flows_than_a_batch("mixed", 20, 0.5, 64)]
    #[case::one_at_a_time("http", 150, 0.2, 1)]
    #[case::three_at_a_time("mixed", 150, 0.0, 3)]
    #[case::every_copy_delayed("https-outbound", 90, 1.0, 64)]
    #[case::pings_planned_again_at_their_start("ping", 200, 0.0, 64)]
    #[case::dns("dns", 300, 0.0, 1000)]
    #[case::seed_groups("seed-https-outbound", 80, 0.1, 64)]
    fn threads_write_the_bytes_and_counts_of_one(
        #[case] scenario: &str,
        #[case] conversations: u64,
        #[case] reorder: f64,
        #[case] max_concurrent: usize,
        #[values(2, 3, 5)] threads: usize,
        #[values(Format::Pcap, Format::PcapNg)] format: Format,
    ) {
        let o = opts(scenario, conversations, reorder, max_concurrent);
        let [(want, want_stats), (got, got_stats)] = both(&o, threads, format, None);
        assert!(got == want, "{scenario}: {} bytes on {threads} threads, {} on one", got.len(), want.len());
        assert_eq!(got_stats, want_stats);
        assert_eq!(got_stats.conversations, conversations);
    }

    #[rstest]
    fn threads_cut_at_the_packet_of_one(
        #[values(1, 23, 400)] limit: u64,
        #[values(0.0, 0.3)] reorder: f64,
        #[values(2, 3)] threads: usize,
    ) {
        // Flows without end, as `-c` alone runs them.
        let o = opts("mixed", u64::MAX, reorder, 64);
        let [(want, _), (got, _)] = both(&o, threads, Format::PcapNg, Some(limit));
        assert!(got == want, "-c {limit}: {} bytes on {threads} threads, {} on one", got.len(), want.len());
    }

    /// Writes `room` bytes, then fails.
    struct Fails {
        room: usize,
    }

    impl Write for Fails {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::other("disk full"));
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failing_writer_ends_the_run_with_its_error() {
        let mirror = Mirror::example(77);
        let mut writer = CaptureWriter::new(Fails { room: 300_000 }, Format::Pcap, 65535).expect("writer");
        let result = run_parallel(&mirror, &opts("http", 2_000, 0.0, 64), 2, &mut writer, &mut |_| {});
        match result {
            Err(GenerateError::Capture(e)) => assert!(e.to_string().contains("disk full"), "{e}"),
            other => panic!("expected the writer's error, got {other:?}"),
        }
    }

    #[test]
    fn progress_counts_up_to_the_flows() {
        let mirror = Mirror::example(77);
        let mut writer = CaptureWriter::new(io::sink(), Format::Pcap, 65535).expect("writer");
        let mut seen = Vec::new();
        run_parallel(&mirror, &opts("dns", 10_000, 0.0, 64), 2, &mut writer, &mut |n| seen.push(n))
            .expect("run");
        assert!(!seen.is_empty() && seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
        // The clock moves by up to every thread's flows planned ahead at once.
        assert!(seen.iter().all(|&n| n <= 10_000 && n % 4096 < (2 * AHEAD) as u64), "{seen:?}");
    }
}
