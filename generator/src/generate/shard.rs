//! Shards: one run cut into N disjoint parts by flow, each written on its
//! own (by any batch system) and merged back into exactly the bytes of the
//! run written whole.
//!
//! # Why a shard runs the whole schedule
//!
//! Each flow is planned from a random stream of its own
//! ([`flow_stream`](super::flow_stream)), but three things still tie it to
//! the flows before it:
//!
//! * *when* it starts: the `http` scenario starts a flow a pause after the
//!   previous one's last frame, and [`FlowScheduler`](super::FlowScheduler)
//!   holds a flow back while `max_concurrent` are in progress (the starts
//!   follow from the flows' gaps and lengths: `starts.rs`);
//! * its copies' place in the whole run: the frames of all flows are
//!   merged in time order, ties in the order flows start;
//! * the reorder buffer's release order interleaves every flow's copies
//!   (each flow's mirror-path delays, `--reorder`, come from a stream of
//!   its own, [`mirror_stream`](crate::traffic::scenario::mirror_stream)).
//!
//! So a shard plays the whole schedule, every flow's frames in the same
//! order, and routes every frame and holds every delayed copy's place; but only the frames
//! of its own flows (flow *i* is shard *i* mod N's) are built
//! ([`TrafficSource::skip_frame`](crate::traffic::TrafficSource::skip_frame)
//! passes over the others), encapsulated, described and written. The others only move the writer on
//! ([`CaptureWriter::skip`]), so each written record carries its place in
//! the whole run (`epb_packetid`, see [`crate::capture::merge`]), which is
//! what the merge orders by. A shard costs the planning of every flow plus
//! the building, mirroring and writing of its own 1/N of the frames.
//!
//! ```
//! use generator::capture::merge::{merge, ShardHeader, ShardReader};
//! use generator::capture::{CaptureWriter, Format};
//! use generator::generate::{run, run_shard, Options, Shard};
//! use generator::mirror::session::Mirror;
//!
//! let mirror = Mirror::example(1);
//! let opts = Options { conversations: 6, reorder: 0.2, ..Options::default() };
//! let mut files = Vec::new();
//! for index in 0..3 {
//!     let header = ShardHeader { index, count: 3, run: "doc".into(), format: Format::PcapNg }.to_string();
//!     let mut w = CaptureWriter::new_shard(Vec::new(), 65535, &header)?;
//!     run_shard(&mirror, &opts, Shard::new(index, 3)?, &mut w, |_| {})?;
//!     files.push(w.finish()?);
//! }
//! let readers = files.iter().map(|f| ShardReader::new(&f[..])).collect::<Result<Vec<_>, _>>()?;
//! let mut merged = CaptureWriter::new(Vec::new(), Format::PcapNg, 65535)?;
//! merge(readers, &mut merged)?;
//!
//! let mut whole = CaptureWriter::new(Vec::new(), Format::PcapNg, 65535)?;
//! run(&mirror, &opts, &mut whole, |_| {})?;
//! assert_eq!(merged.finish()?, whole.finish()?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::{mirror_traffic_with, GenerateError, Options, Stats};
use crate::capture::CaptureWriter;
use crate::mirror::session::Mirror;
use std::io::{self, Read, Write};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// The most shards a run is cut into (each plays the whole schedule, so
/// more would only multiply the work).
pub const MAX_SHARDS: u64 = 65_536;

/// Shard K of N (K from 0, as Kubernetes' `JOB_COMPLETION_INDEX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u64,
    count: u64,
}

/// A shard that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("shard must be K/N with 0 <= K < N <= {MAX_SHARDS} (K counts from 0), not {0}")]
pub struct BadShard(pub String);

impl Shard {
    /// Shard `index` of `count`.
    ///
    /// # Errors
    /// [`BadShard`] unless `index < count <= MAX_SHARDS`.
    pub fn new(index: u64, count: u64) -> Result<Shard, BadShard> {
        if index < count && count <= MAX_SHARDS {
            Ok(Shard { index, count })
        } else {
            Err(BadShard(format!("{index}/{count}")))
        }
    }

    /// K.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// N.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Whether flow `flow` (its place in the order flows start) is this shard's.
    pub fn owns(&self, flow: u64) -> bool {
        flow % self.count == self.index
    }
}

impl core::str::FromStr for Shard {
    type Err = BadShard;
    /// `K/N`.
    fn from_str(s: &str) -> Result<Shard, BadShard> {
        let bad = || BadShard(s.to_string());
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        Shard::new(k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?)
    }
}

/// Writes shard `shard` of the run [`run`](super::run) writes whole, into a
/// writer made by [`CaptureWriter::new_shard`]. The counts are of this
/// shard's flows and copies only.
pub fn run_shard<W: Write>(
    mirror: &Mirror,
    opts: &Options,
    shard: Shard,
    writer: &mut CaptureWriter<W>,
    progress: impl FnMut(u64),
) -> Result<Stats, GenerateError> {
    run_shard_jobs(mirror, opts, shard, 1, writer, progress)
}

/// [`run_shard`] with `jobs` threads planning the flows ahead, as
/// [`run_jobs`](super::run_jobs) does for a whole run (`--shard K/N --jobs
/// M`): a shard plans every flow, so threads shorten it as much as they
/// shorten the whole run. The same bytes whatever `jobs`.
pub fn run_shard_jobs<W: Write>(
    mirror: &Mirror,
    opts: &Options,
    shard: Shard,
    jobs: usize,
    writer: &mut CaptureWriter<W>,
    mut progress: impl FnMut(u64),
) -> Result<Stats, GenerateError> {
    let flows = opts.conversations;
    let planners = super::planning_threads(jobs);
    let mut source = opts.scheduler(mirror, planners, &mut progress)?;
    source.only_shard(shard.index, shard.count);
    let mut stats = mirror_traffic_with(mirror, &mut source, &opts.emit_options(), writer, |s, e| {
        e.set_owned(shard.owns(s.last_flow()))
    })?;
    drop(source);
    stats.conversations = flows / shard.count + u64::from(flows % shard.count > shard.index);
    progress(opts.conversations);
    Ok(stats)
}

/// Chunks of a shard's bytes between a thread and the merge.
const CHUNK: usize = 256 * 1024;

/// An in-process pipe of bounded capacity: what one thread writes into the
/// [`ChannelWriter`], another reads from the [`ChannelReader`], in chunks of
/// 256 KiB, at most `chunks` of them in flight (the writer waits when the
/// reader lags). Dropping the reader makes the writer's next flush fail
/// with [`io::ErrorKind::BrokenPipe`]; dropping the writer ends the reader's stream.
///
/// ```
/// use std::io::{Read, Write};
/// let (mut w, mut r) = generator::generate::channel_pipe(2);
/// let t = std::thread::spawn(move || { w.write_all(b"hello").unwrap(); });
/// t.join().unwrap();
/// let mut s = String::new();
/// r.read_to_string(&mut s).unwrap();
/// assert_eq!(s, "hello");
/// ```
pub fn channel_pipe(chunks: usize) -> (ChannelWriter, ChannelReader) {
    let (tx, rx) = sync_channel(chunks);
    (
        ChannelWriter { buf: Vec::with_capacity(CHUNK + 64 * 1024), tx },
        ChannelReader { chunk: Vec::new(), at: 0, rx },
    )
}

/// The writing end of a [`channel_pipe`] (flushed when dropped).
#[derive(Debug)]
pub struct ChannelWriter {
    buf: Vec<u8>,
    tx: SyncSender<Vec<u8>>,
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            let full = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK + 64 * 1024));
            self.tx.send(full).map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "reader gone"))?;
        }
        Ok(())
    }
}

impl Drop for ChannelWriter {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// The reading end of a [`channel_pipe`].
#[derive(Debug)]
pub struct ChannelReader {
    chunk: Vec<u8>,
    at: usize,
    rx: Receiver<Vec<u8>>,
}

impl Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.rx.recv() {
                Ok(c) => (self.chunk, self.at) = (c, 0),
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.chunk.len() - self.at);
        out[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}
