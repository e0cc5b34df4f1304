//! The mirror copies of a capture, as the UDP datagrams that carried them.

use pcap_file::pcap::PcapParser;
use pcap_file::pcapng::{Block, PcapNgParser};
use pcap_file::{DataLink, Endianness, PcapError};
use std::io::{self, Read};

/// UDP port of VXLAN (IANA; RFC 7348 section 5), where AWS sends mirror copies.
pub const VXLAN_PORT: u16 = 4789;
/// UDP port of GENEVE (IANA; RFC 8926 section 3.3), where a Gateway Load Balancer sends to its appliances.
pub const GENEVE_PORT: u16 = 6081;

/// One datagram of a capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Datagram<'a> {
    /// When it was captured, ns since the Unix epoch.
    pub timestamp_ns: u64,
    /// Its UDP destination port (4789 or 6081).
    pub port: u16,
    /// The UDP payload: VXLAN header and mirrored frame (or GENEVE header and what it carries).
    pub payload: &'a [u8],
}

/// Where a [`Sender`](super::Sender) takes its datagrams from: a capture
/// ([`DatagramReader`]), or datagrams already in memory (an iterator over a
/// slice of [`Datagram`]s, as the benchmark sends them).
pub trait DatagramSource {
    /// The next datagram, or `None` at the end.
    ///
    /// # Errors
    /// [`ReadError`] for a damaged or truncated capture.
    fn next_datagram(&mut self) -> Result<Option<Datagram<'_>>, ReadError>;

    /// The next datagram's payload appended to `to`, and its timestamp (ns)
    /// and port; `None` at the end. The same as [`next_datagram`](Self::next_datagram)
    /// and a copy, which a source may do without a buffer of its own in between.
    ///
    /// # Errors
    /// [`ReadError`] for a damaged or truncated capture.
    fn append_next(&mut self, to: &mut Vec<u8>) -> Result<Option<(u64, u16)>, ReadError> {
        Ok(self.next_datagram()?.map(|d| {
            to.extend_from_slice(d.payload);
            (d.timestamp_ns, d.port)
        }))
    }
}

impl<R: Read> DatagramSource for DatagramReader<R> {
    fn next_datagram(&mut self) -> Result<Option<Datagram<'_>>, ReadError> {
        DatagramReader::next_datagram(self)
    }

    fn append_next(&mut self, to: &mut Vec<u8>) -> Result<Option<(u64, u16)>, ReadError> {
        let mut meta = (0, 0);
        let found = next_record(&mut self.input, &mut self.kind, &mut self.skipped, |ts, port, payload| {
            to.extend_from_slice(payload);
            meta = (ts, port);
        })?;
        Ok(found.then_some(meta))
    }
}

impl DatagramSource for std::slice::Iter<'_, Datagram<'_>> {
    fn next_datagram(&mut self) -> Result<Option<Datagram<'_>>, ReadError> {
        Ok(self.next().copied())
    }
}

/// Why a capture cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Not a pcap or pcapng file, or damaged.
    #[error("not a readable pcap or pcapng capture: {0}")]
    Format(String),
    /// The file could not be read.
    #[error("{0}")]
    Io(#[from] io::Error),
}

impl From<PcapError> for ReadError {
    fn from(e: PcapError) -> ReadError {
        match e {
            PcapError::IoError(e) => ReadError::Io(e),
            e => ReadError::Format(e.to_string()),
        }
    }
}

enum Kind {
    Pcap { parser: PcapParser, ethernet: bool, big_endian: bool },
    // Per interface: (Ethernet?, nanoseconds per timestamp unit).
    PcapNg { parser: PcapNgParser, interfaces: Vec<(bool, u64)> },
}

/// Streams the UDP payloads sent to 4789 or 6081 out of a pcap or pcapng
/// capture; memory is a chunk of the input (256 KiB, or the largest record).
/// Records whose outer frame is not Ethernet (optionally one 802.1Q tag) /
/// IPv4 (unfragmented) / UDP to one of those ports, or whose datagram the
/// capture cut short, are skipped and counted.
pub struct DatagramReader<R: Read> {
    input: Chunks<R>,
    kind: Kind,
    buf: Vec<u8>,
    skipped: u64,
}

impl<R: Read> std::fmt::Debug for DatagramReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatagramReader").field("skipped", &self.skipped).finish_non_exhaustive()
    }
}

/// The input read in chunks into one buffer, parsed in place: `pcap_file`'s
/// own readers allocate and zero 8 MB each and read that much at a time,
/// so that a record has left the cache by the time it is parsed (and the
/// caller's copy of it is a second pass over memory).
struct Chunks<R> {
    input: R,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
}

/// Bytes read at a time.
const CHUNK: usize = 256 * 1024;
/// The largest record taken (a snaplen of 262,144 and a pcapng block's options fit many times over).
const MAX_RECORD: usize = 64 << 20;

impl<R: Read> Chunks<R> {
    /// At least `n` bytes from the current position, fewer only at the end of the input.
    fn fill(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.len - self.pos < n {
            self.buf.copy_within(self.pos..self.len, 0);
            self.len -= self.pos;
            self.pos = 0;
            if self.buf.len() < n {
                self.buf.resize(n, 0);
            }
            while self.len < n {
                match self.input.read(&mut self.buf[self.len..]) {
                    Ok(0) => break,
                    Ok(k) => self.len += k,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(&self.buf[self.pos..self.len])
    }

    /// The next record, whose first `header` bytes say its length (`length`); `None` at the end.
    fn record(
        &mut self,
        header: usize,
        length: impl FnOnce(&[u8]) -> usize,
    ) -> Result<Option<&[u8]>, ReadError> {
        let head = self.fill(header)?;
        if head.is_empty() {
            return Ok(None);
        }
        let cut = || ReadError::Format("cut short inside a record".into());
        if head.len() < header {
            return Err(cut());
        }
        let n = length(head);
        if n < header || n > MAX_RECORD {
            return Err(ReadError::Format(format!("a record of {n} bytes")));
        }
        if self.fill(n)?.len() < n {
            return Err(cut());
        }
        let start = self.pos;
        self.pos += n;
        Ok(Some(&self.buf[start..start + n]))
    }
}

/// A u32 at `at` of `b`, in that byte order.
fn u32_at(b: &[u8], at: usize, big_endian: bool) -> usize {
    let w = [b[at], b[at + 1], b[at + 2], b[at + 3]];
    (if big_endian { u32::from_be_bytes(w) } else { u32::from_le_bytes(w) }) as usize
}

/// pcapng (draft-ietf-opsawg-pcapng section 4.1): the Section Header Block's type, and its byte-order magic.
const SHB: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];
const BYTE_ORDER_MAGIC_BE: [u8; 4] = [0x1a, 0x2b, 0x3c, 0x4d];

/// The byte order of a Section Header Block (its first 12 bytes), from its byte-order magic.
fn shb_big_endian(head: &[u8]) -> Result<bool, ReadError> {
    match [head[8], head[9], head[10], head[11]] {
        BYTE_ORDER_MAGIC_BE => Ok(true),
        [0x4d, 0x3c, 0x2b, 0x1a] => Ok(false),
        _ => Err(ReadError::Format("a section header without its byte-order magic".into())),
    }
}

impl<R: Read> DatagramReader<R> {
    /// Reads the file header (pcap, either byte order and resolution) or the
    /// first section header (pcapng).
    ///
    /// # Errors
    /// [`ReadError::Format`] for anything else.
    pub fn new(input: R) -> Result<DatagramReader<R>, ReadError> {
        let mut input = Chunks { input, buf: vec![0; CHUNK], pos: 0, len: 0 };
        let short = || ReadError::Format("shorter than a file header".into());
        if input.fill(4)?.len() < 4 {
            return Err(short());
        }
        let kind = if input.fill(4)?[..4] == SHB {
            if input.fill(12)?.len() < 12 {
                return Err(short());
            }
            let big = shb_big_endian(input.fill(12)?)?;
            let block = input.record(12, |h| u32_at(h, 4, big))?.ok_or_else(short)?;
            let (_, parser) = PcapNgParser::new(block)?;
            Kind::PcapNg { parser, interfaces: Vec::new() }
        } else {
            // The global header (pcap-savefile(5)): 24 bytes.
            let header = input.record(24, |_| 24)?.ok_or_else(short)?;
            let (_, parser) = PcapParser::new(header)?;
            let h = parser.header();
            let (ethernet, big_endian) = (h.datalink == DataLink::ETHERNET, h.endianness == Endianness::Big);
            Kind::Pcap { parser, ethernet, big_endian }
        };
        Ok(DatagramReader { input, kind, buf: Vec::with_capacity(16 * 1024), skipped: 0 })
    }

    /// Records skipped so far (not a VXLAN or GENEVE datagram, or cut short).
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// The next datagram, or `None` at the end of the capture.
    ///
    /// # Errors
    /// [`ReadError`] for a damaged or truncated capture.
    pub fn next_datagram(&mut self) -> Result<Option<Datagram<'_>>, ReadError> {
        let buf = &mut self.buf;
        let mut meta = (0, 0);
        let found = next_record(&mut self.input, &mut self.kind, &mut self.skipped, |ts, port, payload| {
            buf.clear();
            buf.extend_from_slice(payload);
            meta = (ts, port);
        })?;
        Ok(found.then(|| Datagram { timestamp_ns: meta.0, port: meta.1, payload: &self.buf }))
    }
}

/// Reads records until the next datagram and hands its (timestamp, port,
/// payload) to `take`, the payload borrowed from the capture reader's own
/// buffer (no copy); `false` at the end of the capture.
fn next_record<R: Read>(
    input: &mut Chunks<R>,
    kind: &mut Kind,
    skipped: &mut u64,
    mut take: impl FnMut(u64, u16, &[u8]),
) -> Result<bool, ReadError> {
    loop {
        match kind {
            Kind::Pcap { parser, ethernet, big_endian } => {
                // A record header (16 bytes: seconds, fraction, captured length, original length) and the data.
                let big = *big_endian;
                let Some(record) = input.record(16, |h| 16 + u32_at(h, 8, big))? else { return Ok(false) };
                let (_, p) = parser.next_packet(record)?;
                if !*ethernet {
                    *skipped += 1;
                    continue;
                }
                match udp_payload(&p.data, p.orig_len as usize) {
                    Some((port, a, b)) => take(p.timestamp.as_nanos() as u64, port, &p.data[a..b]),
                    None => {
                        *skipped += 1;
                        continue;
                    }
                }
            }
            Kind::PcapNg { parser, interfaces } => {
                // Every block: type, total length, ..., total length (12 bytes at least).
                let big = parser.section().endianness == Endianness::Big;
                let mut order = Ok(big);
                let Some(raw) = input.record(12, |h| {
                    if h[..4] == SHB {
                        order = shb_big_endian(h);
                    }
                    u32_at(h, 4, *order.as_ref().unwrap_or(&big))
                })?
                else {
                    return Ok(false);
                };
                order?;
                let epb = match parser.next_block(raw)?.1 {
                    Block::SectionHeader(_) => {
                        interfaces.clear();
                        continue;
                    }
                    Block::InterfaceDescription(idb) => {
                        // if_tsresol (pcapng section 4.2): 10^-n s, or 2^-n with the top bit; default 6.
                        let mut unit = 1_000u64;
                        for o in &idb.options {
                            if let pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption::IfTsResol(r) = o {
                                unit = if r & 0x80 == 0 && *r <= 9 { 10u64.pow(9 - u32::from(*r)) } else { 0 };
                            }
                        }
                        interfaces.push((idb.linktype == DataLink::ETHERNET, unit));
                        continue;
                    }
                    Block::EnhancedPacket(epb) => epb,
                    Block::SimplePacket(_) | Block::Packet(_) => {
                        *skipped += 1;
                        continue;
                    }
                    _ => continue,
                };
                let iface = epb.interface_id as usize;
                let Some(&(ethernet, unit)) = interfaces.get(iface) else {
                    return Err(ReadError::Format(format!("a packet on undeclared interface {iface}")));
                };
                if !ethernet || unit == 0 {
                    *skipped += 1;
                    continue;
                }
                match udp_payload(&epb.data, epb.original_len as usize) {
                    // pcap_file gives the raw timestamp units as nanoseconds.
                    Some((port, a, b)) => {
                        take((epb.timestamp.as_nanos() as u64).saturating_mul(unit), port, &epb.data[a..b])
                    }
                    None => {
                        *skipped += 1;
                        continue;
                    }
                }
            }
        }
        return Ok(true);
    }
}

/// The destination port and the payload's range of an Ethernet / IPv4 /
/// UDP frame to 4789 or 6081, whole in `frame` (and not cut by the capture:
/// `orig_len`).
fn udp_payload(frame: &[u8], orig_len: usize) -> Option<(u16, usize, usize)> {
    if frame.len() < orig_len {
        return None; // The capture's snaplen cut it: the datagram is not all there.
    }
    let be16 = |i: usize| frame.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    // Ethernet II (IEEE 802.3 clause 3.2.6), one optional 802.1Q tag.
    let mut at = 12;
    let mut ethertype = be16(at)?;
    if ethertype == 0x8100 {
        at += 4;
        ethertype = be16(at)?;
    }
    if ethertype != 0x0800 {
        return None;
    }
    let ip = at + 2;
    // IPv4 (RFC 791 section 3.1): version 4, IHL, not a fragment, protocol 17.
    let vihl = *frame.get(ip)?;
    let ihl = usize::from(vihl & 0x0f) * 4;
    if vihl >> 4 != 4 || ihl < 20 || *frame.get(ip + 9)? != 17 || be16(ip + 6)? & 0x3fff != 0 {
        return None;
    }
    let total = usize::from(be16(ip + 2)?);
    let udp = ip + ihl;
    // UDP (RFC 768): destination port, length (header included).
    let port = be16(udp + 2)?;
    let len = usize::from(be16(udp + 4)?);
    if !(port == VXLAN_PORT || port == GENEVE_PORT) || len < 8 || udp + len > frame.len() || ihl + len > total
    {
        return None;
    }
    Some((port, udp + 8, udp + len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_that_are_not_vxlan_or_geneve_over_ipv4_udp_are_not_datagrams() {
        let mut f = vec![0u8; 14 + 20 + 8 + 8];
        f[12..14].copy_from_slice(&[0x08, 0x00]);
        f[14] = 0x45;
        f[16..18].copy_from_slice(&36u16.to_be_bytes());
        f[23] = 17;
        f[36..38].copy_from_slice(&4789u16.to_be_bytes());
        f[38..40].copy_from_slice(&16u16.to_be_bytes());
        assert_eq!(udp_payload(&f, f.len()), Some((4789, 42, 50)));
        assert_eq!(udp_payload(&f, f.len() + 1), None, "cut by the snaplen");
        let mut g = f.clone();
        g[36..38].copy_from_slice(&53u16.to_be_bytes());
        assert_eq!(udp_payload(&g, g.len()), None, "another port");
        let mut g = f.clone();
        g[20] = 0x20; // More Fragments
        assert_eq!(udp_payload(&g, g.len()), None, "a fragment");
        let mut g = f.clone();
        g[38..40].copy_from_slice(&200u16.to_be_bytes());
        assert_eq!(udp_payload(&g, g.len()), None, "UDP length past the frame");
        for cut in 0..f.len() {
            assert_eq!(udp_payload(&f[..cut], cut), None, "cut at {cut}");
        }
    }
}
