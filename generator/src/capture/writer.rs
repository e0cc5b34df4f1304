//! [`CaptureWriter`]: streams packet records into classic pcap or pcapng.
//!
//! # What comes from `pcap-file` and what is written by hand
//!
//! * The classic pcap file header goes through [`pcap_file::pcap::PcapWriter`];
//!   its records are written by hand ([`write_pcap_record`]): `pcap_file`
//!   writes the four fields of a record header one `write_u32` at a time,
//!   five calls into the writer per record, which shows at millions of
//!   records per second; ours is one 16-byte header and the data. A unit test
//!   checks that the records are byte-for-byte what `pcap_file` writes.
//! * The pcapng Section Header Block and Interface Description Block go
//!   through [`pcap_file::pcapng::PcapNgWriter`].
//! * The pcapng Enhanced Packet Blocks are written by hand ([`write_epb`]),
//!   for two reasons:
//!   1. `pcap_file`'s `EnhancedPacketBlock` holds its options in a
//!      `Vec<EnhancedPacketOption>`, so any record with a comment or a
//!      direction would cost one heap allocation; and `Block::write_to`
//!      serialises every block twice (once into `io::sink()` to learn its
//!      length). At millions of records per second both show.
//!   2. `pcap_file` writes the EPB timestamp as raw nanoseconds whatever the
//!      interface's `if_tsresol` says (and reads it back the same way). That is
//!      only correct because we declare `if_tsresol = 9` in the IDB; without it
//!      every other reader (Wireshark, tcpdump) would assume microseconds and
//!      place the packets 1000 times later. Writing the EPB ourselves keeps
//!      the unit decision in one place, next to the IDB that declares it.
//!
//!   A unit test checks that our EPBs are byte-for-byte what `pcap_file`
//!   writes for the same block, and the round-trip tests read them back with
//!   `pcap_file`'s `PcapNgReader`.
//!
//! All multi-byte fields are little-endian whatever the host (unless asked
//! for big-endian classic pcap, [`CaptureWriter::new_classic_big_endian`]),
//! so a given seed gives the same bytes on every machine; for the same reason the section
//! header carries no `shb_os` or `shb_hardware`.

use std::borrow::Cow;
use std::io::{self, Write};

use pcap_file::pcap::{PcapHeader, PcapWriter};
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::blocks::section_header::{SectionHeaderBlock, SectionHeaderOption};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::{DataLink, Endianness, TsResolution};

use super::{CaptureError, Format, PacketDirection, Record, MAX_SNAPLEN};

/// pcapng block type of the Enhanced Packet Block.
const EPB_TYPE: u32 = 0x0000_0006;
/// pcapng option codes (draft-ietf-opsawg-pcapng, sections 3.5 and 4.3).
const OPT_ENDOFOPT: u16 = 0;
const OPT_COMMENT: u16 = 1;
const EPB_FLAGS: u16 = 2;
/// `epb_packetid` (section 4.3.1): in a shard file, the record's place in the whole run.
const EPB_PACKETID: u16 = 5;
/// pcapng block type of the Interface Statistics Block (section 4.6).
const ISB_TYPE: u32 = 0x0000_0005;
/// `isb_ifrecv` and `isb_usrdeliv` (section 4.6): a shard's closing counts.
const ISB_IFRECV: u16 = 4;
const ISB_USRDELIV: u16 = 8;
/// `if_tsresol` = 9: EPB timestamps count nanoseconds.
const IF_TSRESOL_NANOS: u8 = 9;
const NANOS_PER_SEC: u64 = 1_000_000_000;
/// Size of the classic pcap file header.
const PCAP_HEADER_LEN: u64 = 24;

/// Streams [`Record`]s into a capture file of a chosen [`Format`].
///
/// Memory use is constant: every record is written straight through to `W`
/// (wrap unbuffered sinks in a `BufWriter`; [`Output`](super::Output) already
/// is one). Call [`finish`](Self::finish) at the end to flush and get `W` back.
///
/// ```
/// use generator::capture::{CaptureWriter, Format, PacketDirection, Record};
///
/// let frame = [0u8; 60];
/// let mut writer = CaptureWriter::new(Vec::new(), Format::PcapNg, 65535)?;
/// writer.write(&Record {
///     timestamp_ns: 1_700_000_000_123_456_789,
///     data: &frame,
///     orig_len: 60,
///     comment: Some("first"),
///     direction: Some(PacketDirection::Inbound),
/// })?;
/// assert_eq!(writer.packets_written(), 1);
/// let total = writer.bytes_written();
/// let bytes = writer.finish()?;
/// assert_eq!(bytes.len() as u64, total);
/// # Ok::<(), generator::capture::CaptureError>(())
/// ```
pub struct CaptureWriter<W: Write> {
    inner: Inner<W>,
    format: Format,
    snaplen: u32,
    packets: u64,
    bytes: u64,
    /// At most this many records ([`CaptureWriter::with_limit`]).
    limit: Option<u64>,
    /// Shard files only: the place in the whole run of the next record,
    /// written or [`skip`](Self::skip)ped.
    shard_seq: Option<u64>,
}

enum Inner<W: Write> {
    /// Classic pcap, its file header written.
    Pcap { out: W, nanos: bool, big_endian: bool },
    /// pcapng, its section header and interface written; `tail` is reused
    /// for what follows each record's data ([`write_epb`]).
    PcapNg { out: W, tail: Vec<u8> },
}

/// Writes a pcapng Section Header Block (`shb_userappl`, and `comment` as
/// its `opt_comment` when given) and the Ethernet Interface Description
/// Block (nanosecond `if_tsresol`): the writer ready for records, and the
/// bytes written.
fn open_pcapng<W: Write>(
    writer: W,
    snaplen: u32,
    comment: Option<&str>,
) -> Result<(Inner<W>, u64), CaptureError> {
    let mut options = Vec::with_capacity(2);
    if let Some(c) = comment {
        options.push(SectionHeaderOption::Comment(Cow::Owned(c.to_string())));
    }
    options.push(SectionHeaderOption::UserApplication(Cow::Owned(format!("vxgen {}", crate::VERSION))));
    let section =
        SectionHeaderBlock { endianness: Endianness::Little, options, ..SectionHeaderBlock::default() };
    // `with_section_header` does not say how many bytes it wrote: count them.
    let counting = Counting { inner: writer, bytes: 0 };
    let mut ng = PcapNgWriter::with_section_header(counting, section)?;
    ng.write_pcapng_block(InterfaceDescriptionBlock {
        linktype: DataLink::ETHERNET,
        snaplen,
        options: vec![InterfaceDescriptionOption::IfTsResol(IF_TSRESOL_NANOS)],
    })?;
    let counting = ng.into_inner();
    Ok((Inner::PcapNg { out: counting.inner, tail: Vec::with_capacity(512) }, counting.bytes))
}

impl<W: Write> CaptureWriter<W> {
    /// Writes the file header (classic pcap) or the Section Header Block and
    /// Interface Description Block (pcapng) and returns a writer ready for records.
    ///
    /// The link type is Ethernet. `snaplen` (1 to [`MAX_SNAPLEN`]) is recorded in
    /// the header, and records longer than it are cut to it (their `orig_len`
    /// is kept). The pcapng SHB carries `shb_userappl = "vxgen <version>"` and
    /// the IDB `if_tsresol = 9`, so pcapng timestamps are exact to the nanosecond.
    ///
    /// # Errors
    /// [`CaptureError::InvalidSnaplen`], or the I/O error of writing the header.
    pub fn new(writer: W, format: Format, snaplen: u32) -> Result<Self, CaptureError> {
        Self::open(writer, format, snaplen, Endianness::Little)
    }

    /// A classic pcap writer ([`Format::Pcap`], or [`Format::PcapNanos`] when
    /// `nanos`) whose header and record headers are big-endian (magic bytes
    /// `a1 b2 c3 d4` or `a1 b2 3c 4d`), as captures written on big-endian hosts
    /// are: readers must honour the byte order the magic number reveals.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn new_classic_big_endian(writer: W, nanos: bool, snaplen: u32) -> Result<Self, CaptureError> {
        let format = if nanos { Format::PcapNanos } else { Format::Pcap };
        Self::open(writer, format, snaplen, Endianness::Big)
    }

    fn open(writer: W, format: Format, snaplen: u32, endianness: Endianness) -> Result<Self, CaptureError> {
        if snaplen == 0 || snaplen > MAX_SNAPLEN {
            return Err(CaptureError::InvalidSnaplen(snaplen));
        }
        let (inner, bytes) = match format {
            Format::Pcap | Format::PcapNanos => {
                let ts_resolution =
                    if format == Format::Pcap { TsResolution::MicroSecond } else { TsResolution::NanoSecond };
                let header = PcapHeader {
                    snaplen,
                    datalink: DataLink::ETHERNET,
                    ts_resolution,
                    endianness,
                    ..PcapHeader::default()
                };
                let out = PcapWriter::with_header(writer, header)?.into_writer();
                let (nanos, big_endian) = (format == Format::PcapNanos, endianness == Endianness::Big);
                (Inner::Pcap { out, nanos, big_endian }, PCAP_HEADER_LEN)
            }
            Format::PcapNg => open_pcapng(writer, snaplen, None)?,
        };
        Ok(CaptureWriter { inner, format, snaplen, packets: 0, bytes, shard_seq: None, limit: None })
    }

    /// A pcapng writer for one shard of a run (see `generate::shard`): the
    /// section header also carries `header` as its `opt_comment` (the shard's
    /// identity, which `merge` checks), every record its place in the whole
    /// run as `epb_packetid` (pcapng section 4.3.1: a 64-bit number that
    /// identifies the packet), and [`finish`](Self::finish) closes the file
    /// with an Interface Statistics Block (`isb_ifrecv`: records in the whole
    /// run; `isb_usrdeliv`: records in this file), so that a shard cut short
    /// is told apart from a complete one. tshark and Wireshark read such a
    /// file as any pcapng (`frame.packet_id`).
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn new_shard(writer: W, snaplen: u32, header: &str) -> Result<Self, CaptureError> {
        if snaplen == 0 || snaplen > MAX_SNAPLEN {
            return Err(CaptureError::InvalidSnaplen(snaplen));
        }
        let (inner, bytes) = open_pcapng(writer, snaplen, Some(header))?;
        Ok(CaptureWriter {
            inner,
            format: Format::PcapNg,
            snaplen,
            packets: 0,
            bytes,
            shard_seq: Some(0),
            limit: None,
        })
    }

    /// A shard writer passes over a record of another shard: the next
    /// record's place in the run moves on by one. (No effect on other writers.)
    #[inline]
    pub fn skip(&mut self) {
        if let Some(seq) = &mut self.shard_seq {
            *seq += 1;
        }
    }

    /// Appends one packet record.
    ///
    /// * Classic pcap: the timestamp is split into seconds and microseconds
    ///   ([`Format::Pcap`], truncated) or nanoseconds ([`Format::PcapNanos`]);
    ///   `comment` and `direction` are ignored (the format has no place for them).
    /// * pcapng: an Enhanced Packet Block on interface 0 with the exact
    ///   nanosecond timestamp, `opt_comment` when `comment` is set and
    ///   `epb_flags` (inbound/outbound bits) when `direction` is set.
    ///
    /// `data` longer than the snaplen is cut to it.
    ///
    /// # Errors
    /// [`CaptureError::CapturedExceedsOriginal`] if `data` is longer than
    /// `orig_len`; [`CaptureError::TimestampOutOfRange`] for a classic pcap
    /// timestamp after 2106; [`CaptureError::CommentTooLong`] for a comment over
    /// 65535 bytes (nothing is written for a rejected record, so the capture
    /// stays well-formed); otherwise the I/O error of the underlying writer,
    /// classified by `From<io::Error> for CaptureError` (a closed pipe is
    /// [`CaptureError::BrokenPipe`]).
    pub fn write(&mut self, rec: &Record<'_>) -> Result<(), CaptureError> {
        if self.is_full() {
            return Ok(());
        }
        if rec.data.len() > rec.orig_len as usize {
            return Err(CaptureError::CapturedExceedsOriginal {
                captured: rec.data.len(),
                orig_len: rec.orig_len,
            });
        }
        let captured = &rec.data[..rec.data.len().min(self.snaplen as usize)];
        let written = match &mut self.inner {
            Inner::Pcap { out, nanos, big_endian } => {
                if rec.timestamp_ns / NANOS_PER_SEC > u64::from(u32::MAX) {
                    return Err(CaptureError::TimestampOutOfRange { timestamp_ns: rec.timestamp_ns });
                }
                write_pcap_record(out, rec.timestamp_ns, captured, rec.orig_len, *nanos, *big_endian)?
            }
            Inner::PcapNg { out, tail } => {
                if let Some(comment) = rec.comment {
                    if comment.len() > usize::from(u16::MAX) {
                        return Err(CaptureError::CommentTooLong { len: comment.len() });
                    }
                }
                let flags = rec.direction.map(PacketDirection::epb_flags);
                let id = self.shard_seq;
                write_epb(out, tail, rec.timestamp_ns, captured, rec.orig_len, rec.comment, flags, id)?
            }
        };
        self.skip();
        self.packets += 1;
        self.bytes += written as u64;
        Ok(())
    }

    /// A writer of records only, into `out`, in the form `self` writes
    /// them (format, byte order, snaplen), with no file header and no limit:
    /// what a thread of a `--jobs` run writes its copies with, for
    /// [`put_records`](Self::put_records) to append to this one.
    pub(crate) fn records_like<V: Write>(&self, out: V) -> CaptureWriter<V> {
        debug_assert!(self.shard_seq.is_none(), "a shard's records carry their place in the run");
        let inner = match &self.inner {
            Inner::Pcap { nanos, big_endian, .. } => {
                Inner::Pcap { out, nanos: *nanos, big_endian: *big_endian }
            }
            Inner::PcapNg { .. } => Inner::PcapNg { out, tail: Vec::with_capacity(512) },
        };
        CaptureWriter {
            inner,
            format: self.format,
            snaplen: self.snaplen,
            packets: 0,
            bytes: 0,
            shard_seq: None,
            limit: None,
        }
    }

    /// The underlying writer (of a [`records_like`](Self::records_like)
    /// writer: the bytes of its records so far, to take them away).
    pub(crate) fn get_mut(&mut self) -> &mut W {
        match &mut self.inner {
            Inner::Pcap { out, .. } | Inner::PcapNg { out, .. } => out,
        }
    }

    /// Appends `records` records that a [`records_like`](Self::records_like)
    /// writer wrote as `bytes`, as they are.
    ///
    /// # Errors
    /// The I/O error of the underlying writer.
    pub(crate) fn put_records(&mut self, bytes: &[u8], records: u64) -> Result<(), CaptureError> {
        let out = match &mut self.inner {
            Inner::Pcap { out, .. } | Inner::PcapNg { out, .. } => out,
        };
        out.write_all(bytes)?;
        self.packets += records;
        self.bytes += bytes.len() as u64;
        Ok(())
    }

    /// How many more records the limit of [`with_limit`](Self::with_limit)
    /// lets in (`u64::MAX` without one).
    pub(crate) fn room(&self) -> u64 {
        self.limit.map_or(u64::MAX, |n| n.saturating_sub(self.packets))
    }

    /// Flushes and returns the underlying writer. (An [`Output`](super::Output)
    /// must then still be [`commit`](super::Output::commit)ted.)
    ///
    pub fn finish(self) -> Result<W, CaptureError> {
        let mut out = match self.inner {
            Inner::Pcap { out, .. } | Inner::PcapNg { out, .. } => out,
        };
        if let Some(total) = self.shard_seq {
            // 8 (type, length) + 12 (interface, timestamp) + 2 * 12 (options) + 4 (end) + 4 (length).
            let mut isb = Vec::with_capacity(52);
            isb.extend_from_slice(&ISB_TYPE.to_le_bytes());
            isb.extend_from_slice(&52u32.to_le_bytes());
            isb.extend_from_slice(&[0; 12]);
            push_option_header(&mut isb, ISB_IFRECV, 8);
            isb.extend_from_slice(&total.to_le_bytes());
            push_option_header(&mut isb, ISB_USRDELIV, 8);
            isb.extend_from_slice(&self.packets.to_le_bytes());
            push_option_header(&mut isb, OPT_ENDOFOPT, 0);
            isb.extend_from_slice(&52u32.to_le_bytes());
            out.write_all(&isb)?;
        }
        out.flush()?;
        Ok(out)
    }

    /// A writer that writes its first `n` records and leaves out the rest
    /// (`vxgen generate -c N`, as `tcpdump -c N` stops after N packets).
    ///
    /// ```
    /// use generator::capture::{CaptureWriter, Format, Record};
    /// let mut w = CaptureWriter::new(Vec::new(), Format::Pcap, 65535)?.with_limit(2);
    /// for t in 0..5 {
    ///     w.write(&Record::new(t, &[0u8; 60]))?;
    /// }
    /// assert!(w.is_full());
    /// assert_eq!(w.packets_written(), 2);
    /// # Ok::<(), generator::capture::CaptureError>(())
    /// ```
    pub fn with_limit(self, n: u64) -> Self {
        CaptureWriter { limit: Some(n), ..self }
    }

    /// Whether the limit of [`with_limit`](Self::with_limit) is reached:
    /// further records are left out, and a run may stop.
    pub fn is_full(&self) -> bool {
        self.limit.is_some_and(|n| self.packets >= n)
    }

    /// Number of records written so far.
    pub fn packets_written(&self) -> u64 {
        self.packets
    }

    /// Number of bytes handed to the underlying writer so far, headers
    /// included: the size of the file once finished.
    pub fn bytes_written(&self) -> u64 {
        self.bytes
    }

    /// The format being written.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The snapshot length recorded in the header.
    pub fn snaplen(&self) -> u32 {
        self.snaplen
    }
}

/// Records built where they are to lie, in a [`records_like`] writer's
/// buffer: the bytes of a copy are made in place, after room for the
/// record's header, and [`seal`](Self::seal) makes them a record, so that
/// they are not copied once more (a `--jobs` thread's chunk of records).
///
/// [`records_like`]: CaptureWriter::records_like
impl CaptureWriter<Vec<u8>> {
    /// Bytes a record takes in front of its data: 16 (classic pcap), 28 (pcapng).
    #[inline]
    pub(crate) fn record_head_len(&self) -> usize {
        match self.inner {
            Inner::Pcap { .. } => PCAP_RECORD_HEAD_LEN,
            Inner::PcapNg { .. } => EPB_HEAD_LEN,
        }
    }

    /// Makes the bytes from `data_start` to the end of the buffer one
    /// record, as [`write`](Self::write) writes it: the header goes into the
    /// [`record_head_len`](Self::record_head_len) bytes the caller left in
    /// front of them, the data is cut to the snaplen (its whole length is
    /// the original length), what follows it is appended.
    ///
    /// # Errors
    /// As [`write`](Self::write); the record's bytes are then taken away
    /// again, as they are when the writer is [full](Self::is_full).
    #[inline]
    pub(crate) fn seal(
        &mut self,
        data_start: usize,
        timestamp_ns: u64,
        comment: Option<&str>,
        direction: Option<PacketDirection>,
    ) -> Result<(), CaptureError> {
        let head_len = self.record_head_len();
        let record_start = data_start.checked_sub(head_len).expect("room left for the record's header");
        debug_assert!(self.shard_seq.is_none(), "a shard's records carry their place in the run");
        let full = self.is_full();
        let snaplen = self.snaplen as usize;
        let (out, written) = match &mut self.inner {
            Inner::Pcap { out, .. } | Inner::PcapNg { out, .. } if full => {
                out.truncate(record_start);
                return Ok(());
            }
            Inner::Pcap { out, nanos, big_endian } => {
                if timestamp_ns / NANOS_PER_SEC > u64::from(u32::MAX) {
                    out.truncate(record_start);
                    return Err(CaptureError::TimestampOutOfRange { timestamp_ns });
                }
                let orig_len = (out.len() - data_start) as u32;
                out.truncate(data_start + snaplen);
                let captured = out.len() - data_start;
                let head = pcap_record_head(timestamp_ns, captured, orig_len, *nanos, *big_endian);
                out[record_start..data_start].copy_from_slice(&head);
                (out, head_len + captured)
            }
            Inner::PcapNg { out, .. } => {
                if let Some(len) = comment.map(str::len).filter(|&len| len > usize::from(u16::MAX)) {
                    out.truncate(record_start);
                    return Err(CaptureError::CommentTooLong { len });
                }
                let orig_len = (out.len() - data_start) as u32;
                out.truncate(data_start + snaplen);
                let captured = out.len() - data_start;
                let options =
                    EpbOptions { comment, flags: direction.map(PacketDirection::epb_flags), packet_id: None };
                let total_len = options.block_len(captured);
                out[record_start..data_start].copy_from_slice(&epb_head(
                    total_len,
                    timestamp_ns,
                    captured,
                    orig_len,
                ));
                options.push_tail(out, captured, total_len);
                (out, total_len as usize)
            }
        };
        debug_assert_eq!(out.len(), record_start + written);
        self.packets += 1;
        self.bytes += written as u64;
        Ok(())
    }
}

impl<W: Write> std::fmt::Debug for CaptureWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureWriter")
            .field("format", &self.format)
            .field("snaplen", &self.snaplen)
            .field("packets_written", &self.packets)
            .field("bytes_written", &self.bytes)
            .finish_non_exhaustive()
    }
}

/// Counts the bytes going through to `inner` (used for the pcapng header only).
struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Writes one classic pcap record: the 16-byte header (seconds, microseconds
/// or nanoseconds, captured length, original length; in the file's byte
/// order) and the data. Returns the bytes written. The caller has checked the
/// timestamp's seconds fit 32 bits, that `data` is at most the snaplen and
/// not longer than `orig_len`: the checks `pcap_file`'s `PcapPacket::write_to`
/// makes, which can then never fail.
fn write_pcap_record<W: Write>(
    out: &mut W,
    timestamp: u64,
    data: &[u8],
    orig_len: u32,
    nanos: bool,
    big_endian: bool,
) -> io::Result<usize> {
    out.write_all(&pcap_record_head(timestamp, data.len(), orig_len, nanos, big_endian))?;
    out.write_all(data)?;
    Ok(PCAP_RECORD_HEAD_LEN + data.len())
}

/// Size of a classic pcap record header.
const PCAP_RECORD_HEAD_LEN: usize = 16;

/// A classic pcap record header: seconds, microseconds or nanoseconds,
/// captured length, original length, in the file's byte order.
#[inline]
fn pcap_record_head(
    timestamp: u64,
    captured: usize,
    orig_len: u32,
    nanos: bool,
    big_endian: bool,
) -> [u8; 16] {
    let secs = (timestamp / NANOS_PER_SEC) as u32;
    let subsec = (timestamp % NANOS_PER_SEC) as u32;
    let frac = if nanos { subsec } else { subsec / 1000 };
    let fields = [secs, frac, captured as u32, orig_len];
    let mut head = [0u8; PCAP_RECORD_HEAD_LEN];
    for (bytes, field) in head.chunks_exact_mut(4).zip(fields) {
        bytes.copy_from_slice(&if big_endian { field.to_be_bytes() } else { field.to_le_bytes() });
    }
    head
}

/// Writes one pcapng Enhanced Packet Block (little-endian, interface 0).
///
/// Layout (draft-ietf-opsawg-pcapng section 4.3): block type, block total
/// length, interface id, timestamp high and low 32 bits (in units of the
/// IDB's `if_tsresol`: nanoseconds here), captured length, original length,
/// packet data padded to 32 bits, options (`opt_comment`, `epb_flags`,
/// `opt_endofopt`), block total length again. The caller has checked that the
/// comment fits a 16-bit option length and that `data` is at most
/// [`MAX_SNAPLEN`] bytes, so the lengths below cannot overflow.
///
/// Everything after the data (its padding, the options, the trailing length)
/// is put together in `tail` and written at once: three writes per record
/// rather than nine, and this runs per packet.
// One argument per EPB field and option: a struct would only rename them.
#[allow(clippy::too_many_arguments)]
fn write_epb<W: Write>(
    out: &mut W,
    tail: &mut Vec<u8>,
    timestamp: u64,
    data: &[u8],
    orig_len: u32,
    comment: Option<&str>,
    flags: Option<u32>,
    packet_id: Option<u64>,
) -> io::Result<usize> {
    let options = EpbOptions { comment, flags, packet_id };
    let total_len = options.block_len(data.len());
    out.write_all(&epb_head(total_len, timestamp, data.len(), orig_len))?;
    out.write_all(data)?;
    tail.clear();
    options.push_tail(tail, data.len(), total_len);
    out.write_all(tail)?;
    Ok(total_len as usize)
}

/// Size of an Enhanced Packet Block's fields before its data.
const EPB_HEAD_LEN: usize = 28;

/// Bytes that pad `len` bytes to 32 bits.
#[inline]
fn pad32(len: usize) -> usize {
    (4 - len % 4) % 4
}

/// The options of an Enhanced Packet Block.
#[derive(Debug, Clone, Copy)]
struct EpbOptions<'a> {
    comment: Option<&'a str>,
    flags: Option<u32>,
    packet_id: Option<u64>,
}

impl EpbOptions<'_> {
    /// The block's total length for `data_len` bytes of data.
    #[inline]
    fn block_len(&self, data_len: usize) -> u32 {
        let mut options_len = 0;
        if let Some(c) = self.comment {
            options_len += 4 + c.len() + pad32(c.len());
        }
        if self.flags.is_some() {
            options_len += 8;
        }
        if self.packet_id.is_some() {
            options_len += 12;
        }
        if options_len > 0 {
            options_len += 4; // opt_endofopt
        }
        // 8 (type, length) + 20 (fixed body) + data + pad + options + 4 (trailing length).
        (EPB_HEAD_LEN + data_len + pad32(data_len) + options_len + 4) as u32
    }

    /// Appends what follows `data_len` bytes of data: their padding, the
    /// options, the block's total length again.
    #[inline]
    fn push_tail(&self, tail: &mut Vec<u8>, data_len: usize, total_len: u32) {
        const ZEROS: [u8; 3] = [0; 3];
        tail.extend_from_slice(&ZEROS[..pad32(data_len)]);
        if let Some(c) = self.comment {
            push_option_header(tail, OPT_COMMENT, c.len() as u16);
            tail.extend_from_slice(c.as_bytes());
            tail.extend_from_slice(&ZEROS[..pad32(c.len())]);
        }
        if let Some(flags) = self.flags {
            push_option_header(tail, EPB_FLAGS, 4);
            tail.extend_from_slice(&flags.to_le_bytes());
        }
        if let Some(id) = self.packet_id {
            push_option_header(tail, EPB_PACKETID, 8);
            tail.extend_from_slice(&id.to_le_bytes());
        }
        if self.comment.is_some() || self.flags.is_some() || self.packet_id.is_some() {
            push_option_header(tail, OPT_ENDOFOPT, 0);
        }
        tail.extend_from_slice(&total_len.to_le_bytes());
    }
}

/// An Enhanced Packet Block's fields before its data: block type, total
/// length, interface 0, timestamp (high, low), captured and original length.
#[inline]
fn epb_head(total_len: u32, timestamp: u64, captured: usize, orig_len: u32) -> [u8; EPB_HEAD_LEN] {
    let mut head = [0u8; EPB_HEAD_LEN];
    head[0..4].copy_from_slice(&EPB_TYPE.to_le_bytes());
    head[4..8].copy_from_slice(&total_len.to_le_bytes());
    // head[8..12]: interface id 0.
    head[12..16].copy_from_slice(&((timestamp >> 32) as u32).to_le_bytes());
    head[16..20].copy_from_slice(&(timestamp as u32).to_le_bytes());
    head[20..24].copy_from_slice(&(captured as u32).to_le_bytes());
    head[24..28].copy_from_slice(&orig_len.to_le_bytes());
    head
}

#[inline]
fn push_option_header(out: &mut Vec<u8>, code: u16, len: u16) {
    out.extend_from_slice(&code.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use pcap_file::pcap::PcapReader;
    use pcap_file::pcapng::blocks::enhanced_packet::{EnhancedPacketBlock, EnhancedPacketOption};
    use pcap_file::pcapng::{Block, PcapNgReader};
    use rstest::rstest;
    use std::time::Duration;

    /// 1700000000.123456789 s.
    const TS: u64 = 1_700_000_000_123_456_789;

    fn frame(len: usize) -> Vec<u8> {
        (0..len).map(|i| i as u8).collect()
    }

    fn write_all(format: Format, snaplen: u32, records: &[Record<'_>]) -> Vec<u8> {
        let mut writer = CaptureWriter::new(Vec::new(), format, snaplen).unwrap();
        for rec in records {
            writer.write(rec).unwrap();
        }
        assert_eq!(writer.packets_written(), records.len() as u64);
        let expected_len = writer.bytes_written();
        let bytes = writer.finish().unwrap();
        assert_eq!(bytes.len() as u64, expected_len, "bytes_written must be the file size");
        bytes
    }

    /// (timestamp, captured data, orig_len, options) of every packet, read back with pcap-file.
    type Packet = (Duration, Vec<u8>, u32, Vec<EnhancedPacketOption<'static>>);

    fn read_back(format: Format, bytes: &[u8]) -> Vec<Packet> {
        let mut packets = Vec::new();
        match format {
            Format::Pcap | Format::PcapNanos => {
                let mut reader = PcapReader::new(bytes).unwrap();
                let header = reader.header();
                assert_eq!(header.datalink, DataLink::ETHERNET);
                assert_eq!(header.endianness, Endianness::Little);
                let nanos = format == Format::PcapNanos;
                assert_eq!(header.ts_resolution == TsResolution::NanoSecond, nanos);
                // Raw packets: pcap-file's validating reader rejects orig_len > snaplen,
                // which is legitimate (and the point of a snaplen).
                while let Some(raw) = reader.next_raw_packet() {
                    let raw = raw.unwrap();
                    let frac = if nanos { raw.ts_frac } else { raw.ts_frac * 1000 };
                    assert_eq!(raw.incl_len as usize, raw.data.len());
                    packets.push((
                        Duration::new(raw.ts_sec.into(), frac),
                        raw.data.to_vec(),
                        raw.orig_len,
                        Vec::new(),
                    ));
                }
            }
            Format::PcapNg => {
                let mut reader = PcapNgReader::new(bytes).unwrap();
                assert_eq!(reader.section().endianness, Endianness::Little);
                while let Some(block) = reader.next_block() {
                    match block.unwrap() {
                        Block::InterfaceDescription(_) => {}
                        Block::EnhancedPacket(epb) => {
                            assert_eq!(epb.interface_id, 0);
                            packets.push((
                                epb.timestamp,
                                epb.data.to_vec(),
                                epb.original_len,
                                epb.options.into_iter().map(|o| o.into_owned()).collect(),
                            ))
                        }
                        other => panic!("unexpected block {other:?}"),
                    }
                }
                assert_eq!(reader.interfaces().len(), 1);
            }
        }
        packets
    }

    #[rstest]
    #[case::pcap(Format::Pcap, [0xd4, 0xc3, 0xb2, 0xa1], Duration::new(1_700_000_000, 123_456_000))]
    #[case::pcap_ns(Format::PcapNanos, [0x4d, 0x3c, 0xb2, 0xa1], Duration::new(1_700_000_000, 123_456_789))]
    #[case::pcapng(Format::PcapNg, [0x0a, 0x0d, 0x0d, 0x0a], Duration::new(1_700_000_000, 123_456_789))]
    fn timestamps_round_trip(#[case] format: Format, #[case] magic: [u8; 4], #[case] expected: Duration) {
        let data = frame(60);
        let bytes =
            write_all(format, 65535, &[Record::new(TS, &data), Record::new(TS + 1_000_000_000, &data)]);
        assert_eq!(bytes[..4], magic);
        let packets = read_back(format, &bytes);
        assert_eq!(packets.len(), 2);
        assert_eq!(packets[0].0, expected);
        assert_eq!(packets[1].0, expected + Duration::from_secs(1));
        assert_eq!(packets[0].1, data);
        assert_eq!(packets[0].2, 60);
    }

    #[rstest]
    fn edge_timestamps(#[values(Format::Pcap, Format::PcapNanos, Format::PcapNg)] format: Format) {
        let data = frame(14);
        let last_pcap_second = u64::from(u32::MAX) * NANOS_PER_SEC + 999_999_999;
        let bytes = write_all(format, 65535, &[Record::new(0, &data), Record::new(last_pcap_second, &data)]);
        let packets = read_back(format, &bytes);
        assert_eq!(packets[0].0, Duration::ZERO);
        let micros = if format == Format::Pcap { 999_999_000 } else { 999_999_999 };
        assert_eq!(packets[1].0, Duration::new(u32::MAX.into(), micros));

        let mut writer = CaptureWriter::new(Vec::new(), format, 65535).unwrap();
        let result = writer.write(&Record::new(last_pcap_second + 1, &data));
        if format == Format::PcapNg {
            result.unwrap();
            let bytes = writer.finish().unwrap();
            assert_eq!(read_back(format, &bytes)[0].0, Duration::from_nanos(last_pcap_second + 1));
        } else {
            assert!(matches!(result, Err(CaptureError::TimestampOutOfRange { .. })), "{result:?}");
        }
    }

    #[test]
    fn pcapng_timestamps_use_the_full_64_bits() {
        let data = frame(1);
        let bytes = write_all(Format::PcapNg, 65535, &[Record::new(u64::MAX, &data)]);
        assert_eq!(read_back(Format::PcapNg, &bytes)[0].0, Duration::from_nanos(u64::MAX));
    }

    #[rstest]
    fn truncated_records_keep_orig_len(
        #[values(Format::Pcap, Format::PcapNanos, Format::PcapNg)] format: Format,
    ) {
        let data = frame(100);
        let records = [
            // Truncated upstream (mirror PacketLength): 54 of 100 bytes.
            Record { orig_len: 100, ..Record::new(TS, &data[..54]) },
            // Cut by the snaplen: 80 of 100 bytes.
            Record::new(TS, &data),
            // Shorter than the snaplen: untouched.
            Record::new(TS, &data[..7]),
        ];
        let packets = read_back(format, &write_all(format, 80, &records));
        let lens: Vec<_> = packets.iter().map(|p| (p.1.len(), p.2)).collect();
        assert_eq!(lens, [(54, 100), (80, 100), (7, 7)]);
        assert_eq!(packets[1].1, data[..80]);
    }

    #[test]
    fn pcapng_comments_and_direction() {
        let data = frame(61);
        let records = [
            Record {
                comment: Some("hello, wireshark"),
                direction: Some(PacketDirection::Inbound),
                ..Record::new(TS, &data)
            },
            Record { direction: Some(PacketDirection::Outbound), ..Record::new(TS, &data) },
            Record { comment: Some("é"), ..Record::new(TS, &data) },
            Record { comment: Some(""), ..Record::new(TS, &data) },
            Record::new(TS, &data),
        ];
        let packets = read_back(Format::PcapNg, &write_all(Format::PcapNg, 65535, &records));
        let options: Vec<_> = packets.into_iter().map(|p| p.3).collect();
        use EnhancedPacketOption::{Comment, Flags};
        assert_eq!(
            options,
            [
                vec![Comment("hello, wireshark".into()), Flags(1)],
                vec![Flags(2)],
                vec![Comment("é".into())],
                vec![Comment("".into())],
                vec![],
            ]
        );
    }

    #[test]
    fn classic_pcap_drops_comments_and_direction() {
        let data = frame(33);
        let plain = Record::new(TS, &data);
        let annotated =
            Record { comment: Some("dropped"), direction: Some(PacketDirection::Outbound), ..plain };
        for format in [Format::Pcap, Format::PcapNanos] {
            assert_eq!(write_all(format, 65535, &[plain]), write_all(format, 65535, &[annotated]));
        }
    }

    #[test]
    fn pcapng_headers() {
        let bytes = write_all(Format::PcapNg, 9001, &[]);
        let mut reader = PcapNgReader::new(&bytes[..]).unwrap();
        assert_eq!(
            reader.section().options,
            [SectionHeaderOption::UserApplication(format!("vxgen {}", crate::VERSION).into())]
        );
        let idb = reader.next_block().unwrap().unwrap().into_interface_description().unwrap();
        assert_eq!(idb.linktype, DataLink::ETHERNET);
        assert_eq!(idb.snaplen, 9001);
        assert_eq!(idb.options, [InterfaceDescriptionOption::IfTsResol(9)]);
        assert!(reader.next_block().is_none());
    }

    #[test]
    fn classic_big_endian() {
        let data = frame(60);
        for (nanos, magic) in [(false, [0xa1, 0xb2, 0xc3, 0xd4]), (true, [0xa1, 0xb2, 0x3c, 0x4d])] {
            let mut writer = CaptureWriter::new_classic_big_endian(Vec::new(), nanos, 1500).unwrap();
            writer.write(&Record { orig_len: 70, ..Record::new(TS, &data) }).unwrap();
            let bytes = writer.finish().unwrap();
            assert_eq!(bytes[..4], magic);
            assert_eq!(bytes[16..20], 1500u32.to_be_bytes());
            let mut reader = PcapReader::new(&bytes[..]).unwrap();
            assert_eq!(reader.header().endianness, Endianness::Big);
            let raw = reader.next_raw_packet().unwrap().unwrap();
            assert_eq!((raw.ts_sec, raw.incl_len, raw.orig_len), (1_700_000_000, 60, 70));
            assert_eq!(raw.ts_frac, if nanos { 123_456_789 } else { 123_456 });
            assert_eq!(raw.data, &data[..]);
        }
    }

    #[test]
    fn classic_headers() {
        for (format, resolution) in
            [(Format::Pcap, TsResolution::MicroSecond), (Format::PcapNanos, TsResolution::NanoSecond)]
        {
            let bytes = write_all(format, 1500, &[]);
            assert_eq!(bytes.len(), 24);
            let header = PcapReader::new(&bytes[..]).unwrap().header();
            assert_eq!((header.version_major, header.version_minor), (2, 4));
            assert_eq!((header.snaplen, header.ts_resolution), (1500, resolution));
        }
    }

    /// Our hand-written classic records are exactly what pcap-file writes.
    #[test]
    fn pcap_records_match_pcap_file() {
        use pcap_file::pcap::PcapPacket;
        let data = frame(70);
        for (nanos, endianness) in
            [false, true].into_iter().flat_map(|n| [(n, Endianness::Little), (n, Endianness::Big)])
        {
            let resolution = if nanos { TsResolution::NanoSecond } else { TsResolution::MicroSecond };
            let header = PcapHeader {
                snaplen: 64,
                datalink: DataLink::ETHERNET,
                ts_resolution: resolution,
                endianness,
                ..PcapHeader::default()
            };
            let mut theirs = PcapWriter::with_header(Vec::new(), header).unwrap();
            let mut ours = match endianness {
                Endianness::Little => {
                    let format = if nanos { Format::PcapNanos } else { Format::Pcap };
                    CaptureWriter::new(Vec::new(), format, 64).unwrap()
                }
                Endianness::Big => CaptureWriter::new_classic_big_endian(Vec::new(), nanos, 64).unwrap(),
            };
            let mut ts = 0;
            for len in [0, 1, 5, 63, 64, 70] {
                for _ in 0..3 {
                    ts += 987_654_321_123;
                    ours.write(&Record { orig_len: 70, ..Record::new(ts, &data[..len]) }).unwrap();
                    let captured = &data[..len.min(64)];
                    theirs.write_packet(&PcapPacket::new(Duration::from_nanos(ts), 70, captured)).unwrap();
                }
            }
            let total = ours.bytes_written();
            let ours = ours.finish().unwrap();
            assert_eq!(ours.len() as u64, total);
            assert_eq!(ours, theirs.into_writer(), "nanos {nanos}, {endianness:?}");
        }
    }

    /// Our hand-written EPBs are exactly what pcap-file writes for the same block.
    #[test]
    fn epb_matches_pcap_file() {
        let data = frame(70);
        let long = "a long comment; ".repeat(70);
        let comments = ["", "a", "ab", "abc", "abcd", "abcde", &long];
        let mut ours = CaptureWriter::new(Vec::new(), Format::PcapNg, 65535).unwrap();
        let mut theirs = {
            let section = SectionHeaderBlock {
                endianness: Endianness::Little,
                options: vec![SectionHeaderOption::UserApplication(
                    format!("vxgen {}", crate::VERSION).into(),
                )],
                ..SectionHeaderBlock::default()
            };
            let mut w = PcapNgWriter::with_section_header(Vec::new(), section).unwrap();
            w.write_pcapng_block(InterfaceDescriptionBlock {
                linktype: DataLink::ETHERNET,
                snaplen: 65535,
                options: vec![InterfaceDescriptionOption::IfTsResol(9)],
            })
            .unwrap();
            w
        };
        let directions = [None, Some(PacketDirection::Inbound), Some(PacketDirection::Outbound)];
        let mut ts = TS;
        for len in 0..6 {
            for comment in comments.iter().map(Some).chain([None]) {
                for direction in directions {
                    ts += 12_345_678_901;
                    let rec = Record {
                        timestamp_ns: ts,
                        data: &data[..len],
                        orig_len: 70,
                        comment: comment.copied(),
                        direction,
                    };
                    ours.write(&rec).unwrap();
                    let mut options = Vec::new();
                    options.extend(rec.comment.map(|c| EnhancedPacketOption::Comment(c.into())));
                    options.extend(direction.map(|d| EnhancedPacketOption::Flags(d.epb_flags())));
                    theirs
                        .write_pcapng_block(EnhancedPacketBlock {
                            interface_id: 0,
                            timestamp: Duration::from_nanos(ts),
                            original_len: 70,
                            data: rec.data.into(),
                            options,
                        })
                        .unwrap();
                }
            }
        }
        assert_eq!(ours.finish().unwrap(), theirs.into_inner());
    }

    #[test]
    fn rejected_records_write_nothing() {
        let data = frame(10);
        let long_comment = "x".repeat(65536);
        let mut writer = CaptureWriter::new(Vec::new(), Format::PcapNg, 65535).unwrap();
        let before = writer.bytes_written();

        let err = writer.write(&Record { orig_len: 9, ..Record::new(TS, &data) }).unwrap_err();
        assert!(matches!(err, CaptureError::CapturedExceedsOriginal { captured: 10, orig_len: 9 }), "{err}");
        let err =
            writer.write(&Record { comment: Some(&long_comment), ..Record::new(TS, &data) }).unwrap_err();
        assert!(matches!(err, CaptureError::CommentTooLong { len: 65536 }), "{err}");
        // The longest legal comment is fine.
        writer.write(&Record { comment: Some(&long_comment[1..]), ..Record::new(TS, &data) }).unwrap();

        assert_eq!(writer.packets_written(), 1);
        let bytes = writer.finish().unwrap();
        assert_eq!(bytes.len() as u64, before + 32 + 12 + 4 + 65536 + 4);
        let packets = read_back(Format::PcapNg, &bytes);
        assert_eq!(packets.len(), 1);
    }

    #[test]
    fn snaplen_is_validated() {
        for bad in [0, MAX_SNAPLEN + 1, u32::MAX] {
            let err = CaptureWriter::new(Vec::new(), Format::PcapNg, bad).unwrap_err();
            assert!(matches!(err, CaptureError::InvalidSnaplen(n) if n == bad));
        }
        CaptureWriter::new(Vec::new(), Format::Pcap, MAX_SNAPLEN).unwrap();
    }

    /// A writer whose reader has gone away after `room` bytes.
    struct ClosedPipe {
        room: usize,
    }

    impl Write for ClosedPipe {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[rstest]
    fn broken_pipe_is_reported_as_such(
        #[values(Format::Pcap, Format::PcapNanos, Format::PcapNg)] format: Format,
    ) {
        let err = CaptureWriter::new(ClosedPipe { room: 10 }, format, 65535).unwrap_err();
        assert!(err.is_broken_pipe(), "{err:?}");

        let mut writer = CaptureWriter::new(ClosedPipe { room: 200 }, format, 65535).unwrap();
        let data = frame(100);
        let err = (0..10).map(|_| writer.write(&Record::new(TS, &data))).find_map(Result::err).unwrap();
        assert!(err.is_broken_pipe(), "{err:?}");
    }

    #[test]
    fn many_records_stream_in_constant_memory() {
        // Through a sink: nothing accumulates anywhere.
        let data = frame(1500);
        let mut writer = CaptureWriter::new(io::sink(), Format::PcapNg, 65535).unwrap();
        let header = writer.bytes_written();
        for i in 0..100_000u64 {
            let direction =
                Some(if i % 2 == 0 { PacketDirection::Inbound } else { PacketDirection::Outbound });
            writer.write(&Record { direction, ..Record::new(TS + i, &data) }).unwrap();
        }
        assert_eq!(writer.bytes_written(), header + 100_000 * (32 + 1500 + 12));
        writer.finish().unwrap();
    }

    /// Records made in place and sealed are the bytes `write` writes, for
    /// every format, with and without options, cut to the snaplen or not,
    /// and a record `write` rejects is rejected and taken away.
    #[rstest]
    #[case::pcap(Format::Pcap, false)]
    #[case::pcap_big_endian(Format::Pcap, true)]
    #[case::pcap_nanos(Format::PcapNanos, false)]
    #[case::pcap_nanos_big_endian(Format::PcapNanos, true)]
    #[case::pcapng(Format::PcapNg, false)]
    fn sealed_records_are_the_records_write_writes(#[case] format: Format, #[case] big_endian: bool) {
        let open = |out: Vec<u8>| match big_endian {
            true => CaptureWriter::new_classic_big_endian(out, format == Format::PcapNanos, 100).unwrap(),
            false => CaptureWriter::new(out, format, 100).unwrap(),
        };
        let data = [frame(1), frame(61), frame(100), frame(101), frame(250), frame(62)];
        let comments = [None, Some("a"), Some("abcd"), None, Some("twelve bytes"), Some("é")];
        let mut whole = open(Vec::new());
        let header = whole.bytes_written() as usize;
        let mut sealed = whole.records_like(Vec::new());
        for (i, (d, c)) in data.iter().zip(comments).enumerate() {
            let timestamp_ns = 1_700_000_000_000_000_000 + i as u64 * 1_234_567;
            let direction =
                Some(if i % 2 == 0 { PacketDirection::Inbound } else { PacketDirection::Outbound });
            let rec = Record { timestamp_ns, data: d, orig_len: d.len() as u32, comment: c, direction };
            whole.write(&rec).unwrap();
            let copy_start = sealed.get_mut().len() + sealed.record_head_len();
            sealed.get_mut().resize(copy_start, 0xee);
            sealed.get_mut().extend_from_slice(d);
            sealed.seal(copy_start, timestamp_ns, c, direction).unwrap();
        }
        assert_eq!(sealed.packets_written(), whole.packets_written());
        assert_eq!(sealed.bytes_written() as usize + header, whole.bytes_written() as usize);
        let (records, whole) = (sealed.finish().unwrap(), whole.finish().unwrap());
        assert_eq!(records, whole[header..]);

        // Rejected as `write` rejects it, and nothing of it stays.
        let mut sealed = open(Vec::new()).records_like(Vec::new());
        let copy_start = sealed.record_head_len();
        sealed.get_mut().resize(copy_start + 60, 0);
        let long = "x".repeat(70_000);
        let err = match format {
            Format::PcapNg => sealed.seal(copy_start, 1, Some(&long), None).unwrap_err(),
            _ => sealed.seal(copy_start, u64::MAX, None, None).unwrap_err(),
        };
        assert!(
            matches!(
                err,
                CaptureError::CommentTooLong { len: 70_000 } | CaptureError::TimestampOutOfRange { .. }
            ),
            "{err:?}"
        );
        assert_eq!((sealed.get_mut().len(), sealed.packets_written(), sealed.bytes_written()), (0, 0, 0));
    }
}
