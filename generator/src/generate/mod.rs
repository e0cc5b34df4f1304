//! A whole run: inner traffic through the mirror sessions into a capture.
//!
//! A run is a [`TrafficSource`] pulled frame by frame through the mirror:
//!
//! * `scheduler.rs`: [`FlowScheduler`] plays a scenario: it admits flows as
//!   their start comes and merges their frames in time order.
//! * `emit.rs`: mirrors one frame: the session that copies it (a route cache
//!   in front of [`crate::mirror::filter::pick_session`]), the outer headers
//!   put in front of it in place, the counts, the comment.
//! * `reorder.rs`: which copies the mirror path delays, and the buffer that
//!   holds them until nothing later can overtake them.
//! * `comment.rs`: the ground-truth comment of a copy.
//!
//! [`run`] is a scenario through [`mirror_traffic`]; any other source (a
//! capture read back, one shard of a scenario) goes through [`mirror_traffic`]
//! the same way.
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

mod comment;
mod emit;
mod parallel;
mod reorder;
mod scheduler;
mod shard;
mod starts;

pub use crate::traffic::scenario::flow_stream;
pub use emit::EmitOptions;
pub use scheduler::FlowScheduler;
pub use shard::{
    channel_pipe, run_shard, run_shard_jobs, BadShard, ChannelReader, ChannelWriter, Shard, MAX_SHARDS,
};

use crate::capture::{CaptureError, CaptureWriter};
use crate::mirror::encap::HEADROOM;
use crate::mirror::session::{Mirror, Source};
use crate::traffic::scenario::{Scenario, SHIFT_FLOOR_NS};
use crate::traffic::{Host, TrafficSource};
use emit::{Emitter, Place};
use std::io::Write;
use std::net::Ipv6Addr;

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

impl core::ops::AddAssign for Stats {
    /// Adds the counts of another part of a run (a `--jobs` thread's).
    fn add_assign(&mut self, other: Stats) {
        self.conversations += other.conversations;
        self.inner_packets += other.inner_packets;
        self.copies += other.copies;
        self.truncated += other.truncated;
        self.reordered += other.reordered;
        self.not_mirrored += other.not_mirrored;
        self.bytes += other.bytes;
    }
}

/// Why a run could not start or finish.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// Writing the capture failed.
    #[error(transparent)]
    Capture(#[from] CaptureError),
    /// Merging the shards of a `--jobs` run failed.
    #[error(transparent)]
    Merge(#[from] crate::capture::merge::MergeError),
    /// A fraction outside 0..=1.
    #[error("{0} must be between 0 and 1")]
    BadFraction(&'static str),
    /// A thread of a `--jobs` run ended before its work was done (a bug: it panicked).
    #[error("a --jobs thread stopped before its work was done (a bug in vxgen)")]
    JobFailed,
}

/// The instance as traffic builders see it.
pub fn host_of(source: &Source) -> Host {
    Host {
        mac: source.mac,
        ipv4: source.ip,
        ipv6: Ipv6Addr::new(0x2001, 0xdb8, 0x1f18, 0x4c01, 0, 0, 0, u16::from(source.ip.octets()[3])),
        router_mac: source.subnet.router_mac,
        vpc_cidr: source.vpc_cidr,
    }
}

impl Options {
    /// What [`mirror_traffic`] needs of these options.
    pub fn emit_options(&self) -> EmitOptions {
        EmitOptions { comments: self.comments, reorder: self.reorder, seed: self.seed }
    }

    /// The run's flows, admitted and merged in time order for `mirror`'s
    /// source ENI, after checking the fractions; what [`run`] and a shard of
    /// it ([`shard::run_shard`]) both play.
    pub(crate) fn scheduler<'p, P: FnMut(u64)>(
        &self,
        mirror: &Mirror,
        planners: usize,
        progress: &'p mut P,
    ) -> Result<FlowScheduler<&'p mut P>, GenerateError> {
        check_fraction("reorder", self.reorder)?;
        check_fraction("loss", self.loss)?;
        let scenario = self.scenario.clone().with_loss(self.loss);
        let (start, flows, max) = (self.start_ns, self.conversations, self.max_concurrent);
        let host = host_of(&mirror.source);
        Ok(FlowScheduler::with_planners(scenario, host, self.seed, start, flows, max, planners, progress))
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
    let stats = run_in_place(mirror, opts, writer, &mut progress)?;
    progress(opts.conversations);
    Ok(stats)
}

/// Writes the run [`run`] writes, the same bytes and counts, on `jobs`
/// threads (`--jobs`; no more than the machine's cores); `jobs` 1 (or 0)
/// runs on this thread. Each flow draws from random streams of its own and
/// its start follows from the lengths of the flows before it, so each
/// thread plans, mirrors and writes whole flows, and the threads merge
/// their records by the order one thread writes them in (`parallel.rs`);
/// this thread only shows the progress. (A run that starts within a second
/// of the epoch, which only tests ask for, has threads plan flows ahead
/// and this one do the rest.) `W` is written from the threads, so it is
/// [`Send`].
///
/// ```
/// use generator::capture::{CaptureWriter, Format};
/// use generator::generate::{run, run_jobs, Options};
/// use generator::mirror::session::Mirror;
///
/// let (mirror, opts) = (Mirror::example(7), Options { conversations: 40, reorder: 0.1, ..Options::default() });
/// let mut one = CaptureWriter::new(Vec::new(), Format::PcapNg, 65535)?;
/// run(&mirror, &opts, &mut one, |_| {})?;
/// let mut two = CaptureWriter::new(Vec::new(), Format::PcapNg, 65535)?;
/// run_jobs(&mirror, &opts, 2, &mut two, |_| {})?;
/// assert_eq!(one.finish()?, two.finish()?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_jobs<W: Write + Send>(
    mirror: &Mirror,
    opts: &Options,
    jobs: usize,
    writer: &mut CaptureWriter<W>,
    mut progress: impl FnMut(u64),
) -> Result<Stats, GenerateError> {
    let threads = planning_threads(jobs);
    let stats = if threads == 0 {
        run_in_place(mirror, opts, writer, &mut progress)?
    } else if opts.start_ns >= SHIFT_FLOOR_NS {
        check_fraction("reorder", opts.reorder)?;
        check_fraction("loss", opts.loss)?;
        parallel::run_parallel(mirror, opts, threads, writer, &mut progress)?
    } else {
        // Flows that start within a second of the epoch cannot be planned
        // ahead of their start and moved to it: threads plan what they can,
        // this one the rest.
        let mut source = opts.scheduler(mirror, threads, &mut progress)?;
        let mut stats = mirror_traffic(mirror, &mut source, &opts.emit_options(), writer)?;
        stats.conversations = source.finished();
        stats
    };
    progress(opts.conversations);
    Ok(stats)
}

/// The whole run on the calling thread, each flow planned when it starts.
fn run_in_place<W: Write>(
    mirror: &Mirror,
    opts: &Options,
    writer: &mut CaptureWriter<W>,
    mut progress: &mut dyn FnMut(u64),
) -> Result<Stats, GenerateError> {
    let mut source = opts.scheduler(mirror, 0, &mut progress)?;
    let mut stats = mirror_traffic(mirror, &mut source, &opts.emit_options(), writer)?;
    stats.conversations = source.finished();
    Ok(stats)
}

/// Mirrors every frame of `source` through `mirror`'s sessions into `writer`,
/// in the order the target receives the copies: the step every traffic source
/// goes through. [`Stats::conversations`] is left at 0: only the source knows
/// its flows.
///
/// See [`TrafficSource`] for an example with a source of one's own.
pub fn mirror_traffic<S: TrafficSource + ?Sized, W: Write>(
    mirror: &Mirror,
    source: &mut S,
    opts: &EmitOptions,
    writer: &mut CaptureWriter<W>,
) -> Result<Stats, GenerateError> {
    mirror_traffic_with(mirror, source, opts, writer, |_, _| {})
}

/// [`mirror_traffic`], with `before` called ahead of each frame's emission
/// (a shard tells the emitter whether the frame is its own: `shard.rs`).
#[inline]
pub(crate) fn mirror_traffic_with<S: TrafficSource + ?Sized, W: Write>(
    mirror: &Mirror,
    source: &mut S,
    opts: &EmitOptions,
    writer: &mut CaptureWriter<W>,
    mut before: impl FnMut(&S, &mut Emitter<'_>),
) -> Result<Stats, GenerateError> {
    check_fraction("reorder", opts.reorder)?;
    let mut emitter = Emitter::new(mirror, opts);
    // One buffer: the source appends each inner frame after HEADROOM bytes and
    // the mirror puts the outer headers in front of it, so no frame is copied.
    let mut buf = Vec::with_capacity(HEADROOM + 16 * 1024);
    loop {
        buf.clear();
        buf.resize(HEADROOM, 0);
        if writer.is_full() {
            // `-c N`: the writer has its N records.
            break;
        }
        let Some(info) = source.next_frame(&mut buf) else { break };
        before(source, &mut emitter);
        let delay_ns = emitter.delay_ns(&info, || source.mirror_stream());
        let place = Place { frame_ns: info.timestamp_ns, flow: source.flow_index().unwrap_or(0) };
        emitter.emit(&mut buf, &info, source.flow_kind(), (place, delay_ns), writer)?;
    }
    Ok(emitter.finish(writer)?)
}

/// Threads to run on for `jobs` (`--jobs`): none for 1, else `jobs` but no
/// more than the machine's cores (more threads than cores only take turns).
pub(crate) fn planning_threads(jobs: usize) -> usize {
    if jobs <= 1 {
        return 0;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    jobs.min(cores.max(2))
}

fn check_fraction(name: &'static str, p: f64) -> Result<(), GenerateError> {
    if (0.0..=1.0).contains(&p) {
        Ok(())
    } else {
        Err(GenerateError::BadFraction(name))
    }
}
