//! Shard files and their merge: the parts of one run, written apart, put
//! back together into exactly the bytes the whole run writes.
//!
//! A shard file is a pcapng file (so tshark and Wireshark read it as any
//! capture) written by [`CaptureWriter::new_shard`]:
//!
//! * the Section Header Block's `opt_comment` is the [`ShardHeader`]
//!   (`vxgen shard K/N; run RUN; format FORMAT`): which part of which run,
//!   and the format the merged file is written in;
//! * every Enhanced Packet Block carries, besides its nanosecond timestamp,
//!   comment and `epb_flags` direction, its place in the whole run as
//!   `epb_packetid` (pcapng, draft-ietf-opsawg-pcapng section 4.3.1). The
//!   order of the whole run's records is not the order of their timestamps
//!   alone (ties, and pcap's microseconds), so the place is carried, not
//!   recomputed;
//! * an Interface Statistics Block ends the file: `isb_ifrecv` counts the
//!   records of the whole run and `isb_usrdeliv` this file's. A file without
//!   it was cut short.
//!
//! [`merge`] reads the shards as streams (one record of each in memory) and
//! writes record after record in the order of their places; any gap, repeat,
//! mismatch of runs or formats, or a file cut short is refused.
//!
//! ```
//! use generator::capture::merge::{merge, ShardHeader, ShardReader};
//! use generator::capture::{CaptureWriter, Format, Record};
//!
//! // A run of three records, the middle one in shard 1, the others in shard 0.
//! let rec = |t: u64| Record { timestamp_ns: t, data: &[0u8; 60], orig_len: 60, comment: None, direction: None };
//! let header = |k| ShardHeader { index: k, count: 2, run: "example".into(), format: Format::Pcap }.to_string();
//! let mut a = CaptureWriter::new_shard(Vec::new(), 65535, &header(0))?;
//! let mut b = CaptureWriter::new_shard(Vec::new(), 65535, &header(1))?;
//! a.write(&rec(1_000))?; b.skip();
//! a.skip(); b.write(&rec(1_000))?;
//! a.write(&rec(3_000))?; b.skip();
//! let (a, b) = (a.finish()?, b.finish()?);
//!
//! let readers = vec![ShardReader::new(&a[..])?, ShardReader::new(&b[..])?];
//! let format = readers[0].header().format;
//! let mut out = CaptureWriter::new(Vec::new(), format, readers[0].snaplen())?;
//! assert_eq!(merge(readers, &mut out)?, 3);
//!
//! let mut whole = CaptureWriter::new(Vec::new(), Format::Pcap, 65535)?;
//! for t in [1_000, 1_000, 3_000] { whole.write(&rec(t))?; }
//! assert_eq!(out.finish()?, whole.finish()?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::{CaptureError, CaptureWriter, Format, PacketDirection, Record};
use std::collections::BinaryHeap;
use std::io::{self, Read, Write};

/// Which part of which run a shard file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardHeader {
    /// K, from 0.
    pub index: u64,
    /// N, the number of shards.
    pub count: u64,
    /// What identifies the run (the same in every shard of it; no spaces or `;`).
    pub run: String,
    /// The format the merged capture is written in.
    pub format: Format,
}

const PREFIX: &str = "vxgen shard ";

impl core::fmt::Display for ShardHeader {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{PREFIX}{}/{}; run {}; format {}", self.index, self.count, self.run, self.format.name())
    }
}

impl core::str::FromStr for ShardHeader {
    type Err = MergeError;
    fn from_str(s: &str) -> Result<ShardHeader, MergeError> {
        let bad = || MergeError::NotAShard(format!("its section comment {s:?} is no vxgen shard header"));
        let rest = s.strip_prefix(PREFIX).ok_or_else(bad)?;
        let mut parts = rest.split("; ");
        let (k, n) = parts.next().and_then(|p| p.split_once('/')).ok_or_else(bad)?;
        let (index, count) = (k.parse::<u64>().map_err(|_| bad())?, n.parse::<u64>().map_err(|_| bad())?);
        let run = parts.next().and_then(|p| p.strip_prefix("run ")).ok_or_else(bad)?.to_string();
        let format = parts.next().and_then(|p| p.strip_prefix("format ")).ok_or_else(bad)?;
        let format: Format = format.parse().map_err(|_| bad())?;
        if parts.next().is_some() || index >= count || run.is_empty() {
            return Err(bad());
        }
        Ok(ShardHeader { index, count, run, format })
    }
}

/// Why shard files cannot be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// Reading a shard failed.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// Writing the merged capture failed.
    #[error(transparent)]
    Capture(#[from] CaptureError),
    /// A file that is no shard file (another capture, another program's pcapng).
    #[error("not a vxgen shard file: {0}")]
    NotAShard(String),
    /// A shard file whose blocks are damaged or cut short.
    #[error("damaged or truncated shard file: {0}")]
    Damaged(String),
    /// Shard files that are not together the whole of one run.
    #[error("the shard files are not one whole run: {0}")]
    Mismatch(String),
}

/// One record of a shard, its bytes held in the reader.
#[derive(Debug, Default)]
struct Head {
    seq: u64,
    timestamp_ns: u64,
    orig_len: u32,
    data: (usize, usize),
    comment: Option<(usize, usize)>,
    direction: Option<PacketDirection>,
}

/// Streams the records of one shard file.
#[derive(Debug)]
pub struct ShardReader<R: Read> {
    input: R,
    header: ShardHeader,
    snaplen: u32,
    block: Vec<u8>,
    head: Option<Head>,
    /// Records read, and the counts of the closing statistics block once read.
    read: u64,
    closing: Option<(u64, u64)>,
}

/// Largest block accepted: a record of the largest snaplen with a comment.
const MAX_BLOCK: usize = 512 * 1024;

impl<R: Read> ShardReader<R> {
    /// Reads the section header and interface of a shard file.
    ///
    /// # Errors
    /// [`MergeError::NotAShard`] for any other file, [`MergeError::Damaged`]
    /// for one cut short, or the I/O error.
    pub fn new(input: R) -> Result<ShardReader<R>, MergeError> {
        let mut r = ShardReader {
            input,
            header: ShardHeader { index: 0, count: 1, run: String::new(), format: Format::PcapNg },
            snaplen: 0,
            block: Vec::with_capacity(16 * 1024),
            head: None,
            read: 0,
            closing: None,
        };
        match r.next_block()? {
            Some(0x0A0D_0D0A) => {}
            _ => return Err(MergeError::NotAShard("it does not start with a pcapng section header".into())),
        }
        let b = &r.block;
        if b.len() < 28 || b[8..12] != 0x1A2B_3C4Du32.to_le_bytes() {
            return Err(MergeError::NotAShard("not a little-endian pcapng section".into()));
        }
        let comment = options(&b[24..b.len() - 4])
            .find(|(code, _)| *code == 1)
            .and_then(|(_, v)| std::str::from_utf8(v).ok())
            .ok_or_else(|| MergeError::NotAShard("its section header has no shard comment".into()))?;
        r.header = comment.parse()?;
        match r.next_block()? {
            Some(1) if r.block.len() >= 20 => {}
            _ => {
                return Err(MergeError::NotAShard("no interface description after the section header".into()))
            }
        }
        let b = &r.block;
        r.snaplen = u32::from_le_bytes(b[12..16].try_into().expect("4 bytes"));
        if !options(&b[16..b.len() - 4]).any(|(code, v)| code == 9 && v == [9]) {
            return Err(MergeError::NotAShard("its interface is not in nanoseconds (if_tsresol 9)".into()));
        }
        r.advance()?;
        Ok(r)
    }

    /// The shard's header.
    pub fn header(&self) -> &ShardHeader {
        &self.header
    }

    /// The snapshot length of the shard's interface.
    pub fn snaplen(&self) -> u32 {
        self.snaplen
    }

    /// Reads one block into `self.block`; its type, or `None` at a clean end.
    fn next_block(&mut self) -> Result<Option<u32>, MergeError> {
        self.block.resize(8, 0);
        let mut got = 0;
        while got < 8 {
            match self.input.read(&mut self.block[got..8]) {
                Ok(0) if got == 0 => return Ok(None),
                Ok(0) => return Err(MergeError::Damaged("a block header is cut short".into())),
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        let kind = u32::from_le_bytes(self.block[0..4].try_into().expect("4 bytes"));
        let len = u32::from_le_bytes(self.block[4..8].try_into().expect("4 bytes")) as usize;
        if len < 12 || len % 4 != 0 || len > MAX_BLOCK {
            return Err(MergeError::Damaged(format!("a block of length {len}")));
        }
        self.block.resize(len, 0);
        self.input.read_exact(&mut self.block[8..]).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => MergeError::Damaged("a block is cut short".into()),
            _ => e.into(),
        })?;
        if self.block[len - 4..] != self.block[4..8] {
            return Err(MergeError::Damaged("a block's two lengths differ".into()));
        }
        Ok(Some(kind))
    }

    /// Moves to the next record (or the end, checked complete).
    fn advance(&mut self) -> Result<(), MergeError> {
        self.head = None;
        loop {
            let Some(kind) = self.next_block()? else {
                return match self.closing {
                    Some((_, delivered)) if delivered == self.read => Ok(()),
                    Some((_, delivered)) => Err(MergeError::Damaged(format!(
                        "it holds {} records but says {delivered}",
                        self.read
                    ))),
                    None => Err(MergeError::Damaged(
                        "it ends without its closing statistics block (cut short?)".into(),
                    )),
                };
            };
            if self.closing.is_some() {
                return Err(MergeError::Damaged("blocks after the closing statistics block".into()));
            }
            let b = &self.block;
            match kind {
                6 if b.len() >= 32 => {
                    let u = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes"));
                    let captured = u(20) as usize;
                    let end = 28 + captured;
                    if u(8) != 0 || end > b.len() - 4 {
                        return Err(MergeError::Damaged("a packet block's lengths do not add up".into()));
                    }
                    let mut head = Head {
                        timestamp_ns: (u64::from(u(12)) << 32) | u64::from(u(16)),
                        orig_len: u(24),
                        data: (28, end),
                        ..Head::default()
                    };
                    let mut seq = None;
                    let opts_start = end + (4 - captured % 4) % 4;
                    let mut at = opts_start;
                    for (code, v) in options(&b[opts_start.min(b.len() - 4)..b.len() - 4]) {
                        let value_at = at + 4;
                        match code {
                            1 => {
                                std::str::from_utf8(v)
                                    .map_err(|_| MergeError::Damaged("a comment is not UTF-8".into()))?;
                                head.comment = Some((value_at, value_at + v.len()));
                            }
                            2 if v.len() == 4 => {
                                head.direction = match u32::from_le_bytes(v.try_into().expect("4")) & 3 {
                                    1 => Some(PacketDirection::Inbound),
                                    2 => Some(PacketDirection::Outbound),
                                    _ => None,
                                }
                            }
                            5 if v.len() == 8 => seq = Some(u64::from_le_bytes(v.try_into().expect("8"))),
                            _ => {}
                        }
                        at = value_at + v.len() + (4 - v.len() % 4) % 4;
                    }
                    head.seq = seq.ok_or_else(|| {
                        MergeError::Damaged("a packet block without its epb_packetid".into())
                    })?;
                    self.read += 1;
                    self.head = Some(head);
                    return Ok(());
                }
                5 => {
                    let mut ifrecv = None;
                    let mut delivered = None;
                    for (code, v) in options(&b[20.min(b.len() - 4)..b.len() - 4]) {
                        match (code, <[u8; 8]>::try_from(v)) {
                            (4, Ok(v)) => ifrecv = Some(u64::from_le_bytes(v)),
                            (8, Ok(v)) => delivered = Some(u64::from_le_bytes(v)),
                            _ => {}
                        }
                    }
                    match (ifrecv, delivered) {
                        (Some(a), Some(b)) => self.closing = Some((a, b)),
                        _ => return Err(MergeError::Damaged("a statistics block without its counts".into())),
                    }
                }
                6 => return Err(MergeError::Damaged("a packet block too short".into())),
                _ => {
                    return Err(MergeError::NotAShard(format!(
                        "a block of type {kind:#x} vxgen does not write"
                    )))
                }
            }
        }
    }

    fn record(&self) -> Option<Record<'_>> {
        let h = self.head.as_ref()?;
        Some(Record {
            timestamp_ns: h.timestamp_ns,
            data: &self.block[h.data.0..h.data.1],
            orig_len: h.orig_len,
            comment: h
                .comment
                .map(|(a, b)| std::str::from_utf8(&self.block[a..b]).expect("checked when read")),
            direction: h.direction,
        })
    }
}

/// The `(code, value)` pairs of a pcapng option list, up to `opt_endofopt`
/// (a list cut short ends where it is cut).
fn options(mut b: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    core::iter::from_fn(move || {
        if b.len() < 4 {
            return None;
        }
        let code = u16::from_le_bytes([b[0], b[1]]);
        let len = usize::from(u16::from_le_bytes([b[2], b[3]]));
        if code == 0 || 4 + len > b.len() {
            return None;
        }
        let value = &b[4..4 + len];
        b = &b[(4 + len + (4 - len % 4) % 4).min(b.len())..];
        Some((code, value))
    })
}

/// Checks that `readers` are together every shard of one run, in any order.
fn check_whole<R: Read>(readers: &[ShardReader<R>]) -> Result<(), MergeError> {
    let Some(first) = readers.first() else {
        return Err(MergeError::Mismatch("no shard files given".into()));
    };
    let n = first.header.count;
    if readers.len() as u64 != n {
        return Err(MergeError::Mismatch(format!(
            "the run has {n} shards but {} files are given",
            readers.len()
        )));
    }
    let mut seen = vec![false; readers.len()];
    for r in readers {
        let h = &r.header;
        if h.run != first.header.run || h.count != n || h.format != first.header.format {
            return Err(MergeError::Mismatch(format!(
                "\"{}\" and \"{}\" are of different runs",
                first.header, h
            )));
        }
        if r.snaplen != first.snaplen {
            return Err(MergeError::Mismatch("the shards have different snaplens".into()));
        }
        let k = h.index as usize;
        if std::mem::replace(&mut seen[k], true) {
            return Err(MergeError::Mismatch(format!("shard {k}/{n} is given twice")));
        }
    }
    Ok(())
}

/// Writes the records of every shard of a run into `out` in the order of the
/// whole run, and returns how many there were. `out` should be a writer of
/// the shards' format and snaplen ([`ShardReader::header`],
/// [`ShardReader::snaplen`]), for the merged bytes to be those of the run
/// written whole.
///
/// Memory is one record per shard. Refused with [`MergeError::Mismatch`]:
/// files of different runs or formats, a shard missing or given twice, a
/// record missing or repeated; with [`MergeError::Damaged`] a file cut short.
pub fn merge<R: Read, W: Write>(
    mut readers: Vec<ShardReader<R>>,
    out: &mut CaptureWriter<W>,
) -> Result<u64, MergeError> {
    check_whole(&readers)?;
    // Min-heap of (place in the run, reader).
    let mut heap: BinaryHeap<core::cmp::Reverse<(u64, usize)>> = readers
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some(core::cmp::Reverse((r.head.as_ref()?.seq, i))))
        .collect();
    let mut next = 0u64;
    while let Some(core::cmp::Reverse((seq, i))) = heap.pop() {
        if seq != next {
            return Err(MergeError::Mismatch(format!(
                "record {next} of the run is in none of the files (shard {} has {seq} next)",
                readers[i].header.index
            )));
        }
        let r = &mut readers[i];
        out.write(&r.record().expect("a reader in the heap has a record"))?;
        next += 1;
        r.advance()?;
        if let Some(h) = &r.head {
            if h.seq <= seq {
                return Err(MergeError::Damaged(format!("shard {}: records out of order", r.header.index)));
            }
            heap.push(core::cmp::Reverse((h.seq, i)));
        }
    }
    for r in &readers {
        match r.closing {
            Some((total, _)) if total == next => {}
            Some((total, _)) => {
                return Err(MergeError::Mismatch(format!(
                    "shard {} says the run has {total} records, the files hold {next}",
                    r.header.index
                )))
            }
            None => unreachable!("every reader was read to its closing block"),
        }
    }
    Ok(next)
}
