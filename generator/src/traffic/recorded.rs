//! Traffic read back from a capture: the frames an instance really sent and
//! received (`tcpdump -w` on the instance, say), as a [`TrafficSource`], so
//! that [`crate::generate::mirror_traffic`] mirrors them exactly as it
//! mirrors a scenario (`vxgen mirror`).
//!
//! * [`CaptureSource`] streams a pcap or pcapng file record by record
//!   (through pcap-file's readers, whose buffer is a fixed 8 MB): memory does
//!   not grow with the capture.
//! * [`Eni`] says which frames are the source interface's and in which
//!   [`Direction`] they crossed it: a frame from the ENI's IP or MAC address is
//!   `egress`, one to it `ingress` (EC2 API `TrafficDirection`); frames of
//!   neither (another host's, seen on a bridge) are left out and counted.
//! * [`infer_eni`] guesses the ENI from the first frames: the IPv4 address in
//!   the most frames, and the MAC address most of its frames leave from.
//! * [`packet_key`] reads the [`PacketKey`] a filter matches on from a frame
//!   (Ethernet II, 802.1Q tags skipped, IPv4 or IPv6 with its extension
//!   headers, TCP or UDP ports), tolerating frames the capture cut short.
//!
//! Only Ethernet captures are read (pcap LINKTYPE_ETHERNET, 1): the mirror
//! copies Ethernet frames (AWS "Traffic Mirroring packet format"); any other
//! link type is an error naming it. Frames that are not IP (ARP, say) are
//! handed on with a key that says so, and the mirror's filter code drops what
//! AWS never mirrors ([`crate::mirror::filter::NeverMirrored`]).
//!
//! ```
//! use generator::traffic::recorded::{CaptureSource, Eni};
//! use generator::traffic::TrafficSource;
//! use generator::flow::Direction;
//!
//! // A pcap (µs, Ethernet) of one UDP datagram 10.0.1.23:40000 -> 198.51.100.9:7.
//! let mut pcap = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0];
//! let mut frame = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
//! frame.extend([0x45, 0, 0, 29, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 1, 23, 198, 51, 100, 9]);
//! frame.extend([0x9c, 0x40, 0, 7, 0, 9, 0, 0, b'x']);
//! pcap.extend(1_700_000_000u32.to_le_bytes());
//! pcap.extend(5u32.to_le_bytes());
//! pcap.extend((frame.len() as u32).to_le_bytes());
//! pcap.extend((frame.len() as u32).to_le_bytes());
//! pcap.extend(&frame);
//!
//! let eni = Eni { ip: Some([10, 0, 1, 23].into()), mac: None };
//! let mut source = CaptureSource::new(&pcap[..], eni).unwrap();
//! assert_eq!(source.peek_time(), Some(1_700_000_000_000_005_000));
//! let mut buf = Vec::new();
//! let info = source.next_frame(&mut buf).unwrap();
//! assert_eq!(info.direction, Direction::Egress);
//! assert_eq!(info.key.dst_port, Some(7));
//! assert_eq!(buf, frame);
//! assert!(source.next_frame(&mut buf).is_none());
//! assert!(source.error().is_none());
//! ```

use super::{Event, PacketInfo, TrafficSource};
use crate::flow::{Direction, PacketKey};
use crate::wire::tcp::TcpFlags;
use crate::wire::{EtherType, EthernetAddress, IpProtocol};
use pcap_file::pcap::PcapReader;
use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;
use pcap_file::pcapng::{Block, PcapNgReader};
use pcap_file::{DataLink, PcapError, TsResolution};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The source network interface, as the frames of a capture show it: its
/// IPv4 address, its MAC address, or both. A frame is the ENI's when either
/// given address is its source (egress) or its destination (ingress).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Eni {
    /// The ENI's (primary) IPv4 address.
    pub ip: Option<Ipv4Addr>,
    /// The ENI's MAC address.
    pub mac: Option<EthernetAddress>,
}

impl Eni {
    /// The direction a frame with these ends crossed the ENI in, or `None`
    /// if it is not the ENI's. The source address decides first: a frame the
    /// instance sends to itself counts as egress.
    pub fn direction(
        &self,
        src_mac: EthernetAddress,
        dst_mac: EthernetAddress,
        key: &PacketKey,
    ) -> Option<Direction> {
        let is_ip = |a: Option<IpAddr>| matches!((self.ip, a), (Some(ip), Some(IpAddr::V4(a))) if ip == a);
        let is_mac = |m: EthernetAddress| self.mac == Some(m);
        if is_ip(key.src) || is_mac(src_mac) {
            Some(Direction::Egress)
        } else if is_ip(key.dst) || is_mac(dst_mac) {
            Some(Direction::Ingress)
        } else {
            None
        }
    }
}

/// Why a capture cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Neither a pcap nor a pcapng file.
    #[error("not a pcap or pcapng capture (the file starts with {0})")]
    NotACapture(String),
    /// The link type is not Ethernet.
    #[error("link type {0} is not Ethernet (LINKTYPE_ETHERNET, 1): AWS mirrors Ethernet frames, so only Ethernet captures can be mirrored")]
    LinkType(String),
    /// A record or block could not be read (truncated, corrupt, or an I/O error).
    #[error("record {record}: {reason}")]
    Record {
        /// 1-based number of the record (pcap) or block (pcapng).
        record: u64,
        /// What is wrong, in pcap-file's or our words.
        reason: String,
    },
    /// The header could not be read.
    #[error("capture header: {0}")]
    Header(String),
}

/// Counts of what the reader saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadStats {
    /// Packet records read.
    pub records: u64,
    /// Records handed on as the ENI's frames.
    pub frames: u64,
    /// Records of neither the ENI's addresses (left out).
    pub not_the_eni: u64,
    /// Records shorter than the packet on the wire (the capture's snapshot
    /// length): mirrored as far as they go.
    pub cut_short: u64,
    /// Records too short to hold an Ethernet header (left out).
    pub runts: u64,
}

/// Largest record accepted, in bytes: the pcap-file buffer is 8 MB, and no
/// Ethernet frame comes near (jumbo frames are 9001 bytes of IP).
pub const MAX_RECORD_LEN: usize = 262_144;

/// The two readers behind [`CaptureSource`].
enum Reader<R: Read> {
    Pcap { reader: PcapReader<R>, nanos: bool },
    PcapNg { reader: PcapNgReader<R>, units: Vec<Option<u64>> },
}

/// A pcap or pcapng capture of an instance's traffic, read as a
/// [`TrafficSource`]: one frame at a time, the ENI's frames only.
///
/// Reading stops at the first error, which [`CaptureSource::error`] then
/// holds: a caller mirroring the frames checks it before keeping the output.
pub struct CaptureSource<R: Read> {
    reader: Reader<BufReader<R>>,
    eni: Eni,
    record: u64,
    /// The next frame (read ahead so that `peek_time` can say its time).
    ahead: Option<(PacketInfo, Vec<u8>)>,
    spare: Vec<u8>,
    last_ns: u64,
    error: Option<ReadError>,
    stats: ReadStats,
}

impl<R: Read> core::fmt::Debug for CaptureSource<R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CaptureSource").field("eni", &self.eni).field("stats", &self.stats).finish()
    }
}

/// The first bytes of a pcap file in either byte order and resolution, and of
/// a pcapng section header block.
fn kind_of(magic: &[u8]) -> Option<bool> {
    match magic {
        [0xd4, 0xc3, 0xb2, 0xa1]
        | [0xa1, 0xb2, 0xc3, 0xd4]
        | [0x4d, 0x3c, 0xb2, 0xa1]
        | [0xa1, 0xb2, 0x3c, 0x4d] => Some(false),
        [0x0a, 0x0d, 0x0d, 0x0a] => Some(true),
        _ => None,
    }
}

fn pcap_error(e: PcapError) -> String {
    match e {
        PcapError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the capture ends inside it (truncated file, or a record longer than 8 MB)".to_string()
        }
        other => other.to_string(),
    }
}

impl<R: Read> CaptureSource<R> {
    /// Opens the capture that `input` holds (pcap or pcapng, either byte
    /// order; told apart by the first four bytes) and reads ahead to its first
    /// frame of `eni`.
    pub fn new(input: R, eni: Eni) -> Result<CaptureSource<R>, ReadError> {
        let mut source = CaptureSource::open(input, eni)?;
        source.read_ahead();
        if let Some(e) = source.error.take() {
            return Err(e);
        }
        Ok(source)
    }

    /// Opens the capture without reading any record.
    fn open(input: R, eni: Eni) -> Result<CaptureSource<R>, ReadError> {
        let mut input = BufReader::with_capacity(64 * 1024, input);
        let head = input.fill_buf().map_err(|e| ReadError::Header(e.to_string()))?;
        let magic: Vec<u8> = head.iter().take(4).copied().collect();
        let show = magic.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ");
        let reader = match kind_of(&magic) {
            None if magic.is_empty() => return Err(ReadError::NotACapture("nothing: it is empty".into())),
            None => return Err(ReadError::NotACapture(show)),
            Some(false) => {
                let reader = PcapReader::new(input).map_err(|e| ReadError::Header(pcap_error(e)))?;
                let header = reader.header();
                if header.datalink != DataLink::ETHERNET {
                    return Err(ReadError::LinkType(format!("{:?}", header.datalink)));
                }
                Reader::Pcap { reader, nanos: header.ts_resolution == TsResolution::NanoSecond }
            }
            Some(true) => {
                let reader = PcapNgReader::new(input).map_err(|e| ReadError::Header(pcap_error(e)))?;
                Reader::PcapNg { reader, units: Vec::new() }
            }
        };
        Ok(CaptureSource {
            reader,
            eni,
            record: 0,
            ahead: None,
            spare: Vec::with_capacity(2048),
            last_ns: 0,
            error: None,
            stats: ReadStats::default(),
        })
    }

    /// The error that stopped reading, if any.
    pub fn error(&self) -> Option<&ReadError> {
        self.error.as_ref()
    }

    /// Takes the error that stopped reading, if any.
    pub fn take_error(&mut self) -> Option<ReadError> {
        self.error.take()
    }

    /// What has been read so far.
    pub fn stats(&self) -> ReadStats {
        self.stats
    }

    /// Reads the next record into `data`; its time (ns since the epoch) and
    /// length on the wire. `None` at the end or on an error (kept).
    fn next_record(&mut self, data: &mut Vec<u8>) -> Option<(u64, u32)> {
        loop {
            self.record += 1;
            let record = self.record;
            let fail = |reason: String| ReadError::Record { record, reason };
            match &mut self.reader {
                Reader::Pcap { reader, nanos } => {
                    let raw = match reader.next_raw_packet()? {
                        Ok(raw) => raw,
                        Err(e) => {
                            self.error = Some(fail(pcap_error(e)));
                            return None;
                        }
                    };
                    let frac_limit = if *nanos { 1_000_000_000 } else { 1_000_000 };
                    if raw.ts_frac >= frac_limit {
                        let unit = if *nanos { "nanoseconds" } else { "microseconds" };
                        self.error = Some(fail(format!(
                            "timestamp fraction {} {unit} is a second or more",
                            raw.ts_frac
                        )));
                        return None;
                    }
                    if raw.data.len() > MAX_RECORD_LEN {
                        self.error = Some(fail(format!("{} bytes is over {MAX_RECORD_LEN}", raw.data.len())));
                        return None;
                    }
                    let frac_ns = if *nanos { u64::from(raw.ts_frac) } else { u64::from(raw.ts_frac) * 1000 };
                    data.extend_from_slice(&raw.data);
                    return Some((u64::from(raw.ts_sec) * 1_000_000_000 + frac_ns, raw.orig_len));
                }
                Reader::PcapNg { reader, units } => {
                    let block = match reader.next_block()? {
                        Ok(b) => b,
                        Err(e) => {
                            self.error = Some(fail(pcap_error(e)));
                            return None;
                        }
                    };
                    match block {
                        Block::SectionHeader(_) => units.clear(),
                        Block::InterfaceDescription(idb) => {
                            if idb.linktype != DataLink::ETHERNET {
                                self.error = Some(ReadError::LinkType(format!(
                                    "{:?} (interface {} of the pcapng section)",
                                    idb.linktype,
                                    units.len()
                                )));
                                return None;
                            }
                            units.push(ts_unit(&idb.options));
                        }
                        Block::EnhancedPacket(epb) => {
                            let Some(unit) = units.get(epb.interface_id as usize).copied() else {
                                let reason = format!(
                                    "packet of interface {}, which no block describes",
                                    epb.interface_id
                                );
                                self.error = Some(fail(reason));
                                return None;
                            };
                            let Some(per_second) = unit else {
                                self.error =
                                    Some(fail("the interface's if_tsresol is beyond 10^-19 s".into()));
                                return None;
                            };
                            if epb.data.len() > MAX_RECORD_LEN {
                                self.error =
                                    Some(fail(format!("{} bytes is over {MAX_RECORD_LEN}", epb.data.len())));
                                return None;
                            }
                            // pcap-file hands over the raw timestamp in units of the interface's resolution.
                            let raw = epb.timestamp.as_nanos();
                            let ns = raw * 1_000_000_000 / u128::from(per_second);
                            let Ok(ns) = u64::try_from(ns) else {
                                self.error = Some(fail("timestamp after the year 2554".into()));
                                return None;
                            };
                            data.extend_from_slice(&epb.data);
                            return Some((ns, epb.original_len));
                        }
                        Block::SimplePacket(spb) => {
                            if units.is_empty() {
                                self.error = Some(fail("simple packet block before any interface".into()));
                                return None;
                            }
                            if spb.data.len() > MAX_RECORD_LEN {
                                self.error =
                                    Some(fail(format!("{} bytes is over {MAX_RECORD_LEN}", spb.data.len())));
                                return None;
                            }
                            // No timestamp: the time of the record before it.
                            data.extend_from_slice(&spb.data);
                            return Some((self.last_ns, spb.original_len));
                        }
                        // Statistics, name resolution, journal and unknown blocks carry no frame.
                        _ => {}
                    }
                }
            }
        }
    }

    /// Reads records until the next frame of the ENI, into `ahead`.
    fn read_ahead(&mut self) {
        let mut data = core::mem::take(&mut self.spare);
        loop {
            data.clear();
            let Some((timestamp_ns, wire_len)) = self.next_record(&mut data) else {
                self.spare = data;
                return;
            };
            self.last_ns = timestamp_ns;
            self.stats.records += 1;
            if (wire_len as usize) > data.len() {
                self.stats.cut_short += 1;
            }
            let Some(read) = packet_key(&data) else {
                self.stats.runts += 1;
                continue;
            };
            let Some(direction) = self.eni.direction(read.src_mac, read.dst_mac, &read.key) else {
                self.stats.not_the_eni += 1;
                continue;
            };
            self.stats.frames += 1;
            let info = PacketInfo { timestamp_ns, direction, key: read.key, event: read.event };
            self.ahead = Some((info, data));
            return;
        }
    }
}

/// Units per second of an interface's timestamps (pcapng `if_tsresol`:
/// 10^-n, or 2^-n with the top bit set; 10^-6 when absent), or `None` if
/// they do not fit a `u64`.
fn ts_unit(options: &[InterfaceDescriptionOption<'_>]) -> Option<u64> {
    let resol = options.iter().find_map(|o| match o {
        InterfaceDescriptionOption::IfTsResol(r) => Some(*r),
        _ => None,
    });
    match resol {
        None => Some(1_000_000),
        Some(r) if r & 0x80 != 0 => 1u64.checked_shl(u32::from(r & 0x7f)),
        Some(r) => 10u64.checked_pow(u32::from(r)),
    }
    .filter(|&u| u > 0)
}

impl<R: Read> TrafficSource for CaptureSource<R> {
    fn next_frame(&mut self, frame: &mut Vec<u8>) -> Option<PacketInfo> {
        let (info, data) = self.ahead.take()?;
        frame.extend_from_slice(&data);
        self.spare = data;
        self.read_ahead();
        Some(info)
    }

    fn peek_time(&self) -> Option<u64> {
        self.ahead.as_ref().map(|(info, _)| info.timestamp_ns)
    }

    fn flow_kind(&self) -> &str {
        "captured"
    }
}

// ---------------------------------------------------------------------------
// Reading a frame's key.

/// What [`packet_key`] reads from a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameKey {
    /// Ethernet source.
    pub src_mac: EthernetAddress,
    /// Ethernet destination.
    pub dst_mac: EthernetAddress,
    /// The addresses, protocol and ports.
    pub key: PacketKey,
    /// What the frame is, for comments.
    pub event: Event,
}

/// IPv6 extension headers that [`packet_key`] skips to reach the upper
/// layer (RFC 8200 section 4: Hop-by-Hop 0, Routing 43, Destination Options
/// 60; the Fragment header 44 is handled apart; Authentication Header 51,
/// RFC 4302, counts its length in 4-octet units).
const IPV6_SKIPPED: [u8; 4] = [0, 43, 60, 51];

/// The key of an Ethernet frame, or `None` if it is shorter than an
/// Ethernet header. 802.1Q tags are skipped; IPv4 and IPv6 give addresses
/// and protocol; TCP and UDP give ports when the first fragment holds them.
/// A frame cut short keeps what its bytes show.
///
/// ```
/// use generator::traffic::recorded::packet_key;
/// let mut f = vec![0xff; 12];
/// f.extend([0x08, 0x06]); // ARP
/// f.extend([0; 28]);
/// assert_eq!(packet_key(&f).unwrap().key, generator::flow::PacketKey::arp());
/// assert!(packet_key(&f[..13]).is_none());
/// ```
pub fn packet_key(frame: &[u8]) -> Option<FrameKey> {
    if frame.len() < 14 {
        return None;
    }
    let mac = |at: usize| EthernetAddress(frame[at..at + 6].try_into().expect("six bytes"));
    let (dst_mac, src_mac) = (mac(0), mac(6));
    let mut ethertype = EtherType(u16::from_be_bytes([frame[12], frame[13]]));
    let mut at = 14;
    // 802.1Q and 802.1ad tags (IEEE 802.1Q section 9.5): four bytes each.
    while matches!(ethertype.0, 0x8100 | 0x88a8) && frame.len() >= at + 4 {
        ethertype = EtherType(u16::from_be_bytes([frame[at + 2], frame[at + 3]]));
        at += 4;
    }
    let l3 = &frame[at..];
    let other = PacketKey { ethertype, src: None, dst: None, protocol: None, src_port: None, dst_port: None };
    let plain = |key| Some(FrameKey { src_mac, dst_mac, key, event: Event::Datagram("frame") });
    let (src, dst, protocol, l4, first_fragment) = match ethertype {
        EtherType::IPV4 if l3.len() >= 20 && l3[0] >> 4 == 4 => {
            let ihl = usize::from(l3[0] & 0x0f) * 4;
            let total = usize::from(u16::from_be_bytes([l3[2], l3[3]]));
            let frag_offset = u16::from_be_bytes([l3[6], l3[7]]) & 0x1fff;
            let src = IpAddr::V4(Ipv4Addr::new(l3[12], l3[13], l3[14], l3[15]));
            let dst = IpAddr::V4(Ipv4Addr::new(l3[16], l3[17], l3[18], l3[19]));
            let end = total.clamp(ihl.min(l3.len()), l3.len());
            let l4 = if ihl >= 20 && ihl <= end { &l3[ihl..end] } else { &[][..] };
            (src, dst, IpProtocol(l3[9]), l4, frag_offset == 0)
        }
        EtherType::IPV6 if l3.len() >= 40 && l3[0] >> 4 == 6 => {
            let addr =
                |at: usize| IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(&l3[at..at + 16]).expect("16")));
            let (src, dst) = (addr(8), addr(24));
            let end = (40 + usize::from(u16::from_be_bytes([l3[4], l3[5]]))).min(l3.len());
            let mut next = l3[6];
            let mut off = 40;
            let mut first = true;
            // At most eight extension headers, and only while their bytes are there.
            for _ in 0..8 {
                if off + 8 > end {
                    break;
                }
                if next == 44 {
                    first &= u16::from_be_bytes([l3[off + 2], l3[off + 3]]) >> 3 == 0;
                    next = l3[off];
                    off += 8;
                } else if IPV6_SKIPPED.contains(&next) {
                    let len = if next == 51 {
                        (usize::from(l3[off + 1]) + 2) * 4
                    } else {
                        (usize::from(l3[off + 1]) + 1) * 8
                    };
                    next = l3[off];
                    off += len;
                } else {
                    break;
                }
            }
            let l4 = if off <= end { &l3[off..end] } else { &[][..] };
            (src, dst, IpProtocol(next), l4, first)
        }
        EtherType::ARP => return plain(PacketKey::arp()),
        _ => return plain(other),
    };
    let ports = (first_fragment && l4.len() >= 4)
        .then(|| (u16::from_be_bytes([l4[0], l4[1]]), u16::from_be_bytes([l4[2], l4[3]])));
    let key = PacketKey::ip(src, dst, protocol, ports);
    let event = match protocol {
        IpProtocol::TCP if first_fragment && l4.len() >= 20 => {
            let flags = TcpFlags(u16::from(l4[13]));
            let data_offset = usize::from(l4[12] >> 4) * 4;
            if flags.contains(TcpFlags::RST) {
                Event::TcpRst
            } else if flags.contains(TcpFlags::SYN) {
                if flags.contains(TcpFlags::ACK) {
                    Event::TcpSynAck
                } else {
                    Event::TcpSyn
                }
            } else if flags.contains(TcpFlags::FIN) {
                Event::TcpFin
            } else if l4.len() > data_offset {
                Event::TcpData("TCP data")
            } else {
                Event::TcpAck
            }
        }
        IpProtocol::TCP => Event::Datagram("TCP segment"),
        IpProtocol::UDP if ports.is_some_and(|(s, d)| s == 53 || d == 53) => Event::Datagram("DNS"),
        IpProtocol::UDP => Event::Datagram("UDP datagram"),
        IpProtocol::ICMP => Event::Datagram("ICMP"),
        IpProtocol::ICMPV6 => Event::Datagram("ICMPv6"),
        _ => Event::Datagram("IP packet"),
    };
    Some(FrameKey { src_mac, dst_mac, key, event })
}

// ---------------------------------------------------------------------------
// Guessing the ENI.

/// What [`infer_eni`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inferred {
    /// The IPv4 address in the most frames (or the one given).
    pub ip: Ipv4Addr,
    /// The MAC address most frames from `ip` leave from (or the one given);
    /// `None` if no frame is from `ip`.
    pub mac: Option<EthernetAddress>,
    /// Frames that carry `ip`, as source or destination.
    pub frames_with_ip: u64,
    /// Frames looked at.
    pub frames: u64,
}

/// Distinct addresses counted at most: a capture of a scan would otherwise
/// grow the tally without bound.
const MAX_TALLY: usize = 65_536;

fn is_unicast(a: Ipv4Addr) -> bool {
    !(a.is_broadcast() || a.is_multicast() || a.is_unspecified() || a.is_link_local())
}

/// Completes `known` from the first `limit` records of a capture: the
/// unicast IPv4 address that appears (as source or destination) in the most
/// frames (of those from and to `known.mac`, if given), and the MAC address
/// most of the frames from that address leave from. An instance's own
/// capture holds its address in nearly every frame. `None` if no frame
/// carries a unicast IPv4 address to take.
///
/// ```
/// use generator::traffic::recorded::{infer_eni, Eni};
/// let empty_pcap = [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0];
/// assert_eq!(infer_eni(&empty_pcap[..], Eni::default(), 1000).unwrap(), None);
/// ```
pub fn infer_eni<R: Read>(input: R, known: Eni, limit: u64) -> Result<Option<Inferred>, ReadError> {
    let mut source = CaptureSource::open(input, Eni::default())?;
    let mut ips: HashMap<Ipv4Addr, u64> = HashMap::new();
    let mut macs: HashMap<(Ipv4Addr, EthernetAddress), u64> = HashMap::new();
    let mut frames = 0;
    let mut data = Vec::new();
    while frames < limit {
        data.clear();
        let Some(_) = source.next_record(&mut data) else { break };
        let Some(read) = packet_key(&data) else { continue };
        frames += 1;
        let v4 = |a: Option<IpAddr>| match a {
            Some(IpAddr::V4(a)) if is_unicast(a) => Some(a),
            _ => None,
        };
        let (src, dst) = (v4(read.key.src), v4(read.key.dst));
        let mut count = |a: Option<Ipv4Addr>| {
            if let Some(a) = a {
                if ips.len() < MAX_TALLY || ips.contains_key(&a) {
                    *ips.entry(a).or_default() += 1;
                }
            }
        };
        match known.mac {
            None => {
                count(src);
                count(dst);
            }
            Some(m) if read.src_mac == m => count(src),
            Some(m) if read.dst_mac == m => count(dst),
            Some(_) => {}
        }
        if let Some(a) = src {
            if macs.len() < MAX_TALLY || macs.contains_key(&(a, read.src_mac)) {
                *macs.entry((a, read.src_mac)).or_default() += 1;
            }
        }
    }
    if let Some(e) = source.take_error() {
        return Err(e);
    }
    // Most frames first; ties to the lower address, so the guess never depends on hashing.
    let best = ips.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)));
    let (ip, frames_with_ip) = match (known.ip, best) {
        (Some(ip), _) => (ip, ips.get(&ip).copied().unwrap_or(0)),
        (None, Some((&ip, &n))) => (ip, n),
        (None, None) => return Ok(None),
    };
    let mac = known.mac.or_else(|| {
        macs.iter()
            .filter(|((a, _), _)| *a == ip)
            .max_by(|a, b| a.1.cmp(b.1).then(b.0 .1 .0.cmp(&a.0 .1 .0)))
            .map(|((_, m), _)| *m)
    });
    Ok(Some(Inferred { ip, mac, frames_with_ip, frames }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eth(ethertype: u16) -> Vec<u8> {
        let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
        f.extend(ethertype.to_be_bytes());
        f
    }

    #[test]
    fn ipv4_tcp_udp_and_fragments() {
        let mut f = eth(0x0800);
        f.extend([0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 1, 23, 93, 184, 216, 34]);
        f.extend([0x9c, 0x40, 0x01, 0xbb, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x02, 0, 0, 0, 0, 0, 0]);
        let k = packet_key(&f).unwrap();
        assert_eq!(k.key, PacketKey::tcp([10, 0, 1, 23].into(), [93, 184, 216, 34].into(), 40000, 443));
        assert_eq!(k.event, Event::TcpSyn);
        // A later fragment has no ports.
        f[14 + 6] = 0x00;
        f[14 + 7] = 0x10;
        let k = packet_key(&f).unwrap();
        assert_eq!((k.key.src_port, k.key.protocol), (None, Some(IpProtocol::TCP)));
        // Cut short inside the TCP header: ports still read, no flags.
        f[14 + 7] = 0;
        let k = packet_key(&f[..14 + 20 + 6]).unwrap();
        assert_eq!(k.key.dst_port, Some(443));
        assert_eq!(k.event, Event::Datagram("TCP segment"));
        // A hostile header length or total length is clamped, never a panic.
        for ihl in 0..16u8 {
            for total in [0u16, 1, 20, 39, 40, 41, 65535] {
                let mut g = f.clone();
                g[14] = 0x40 | ihl;
                g[16..18].copy_from_slice(&total.to_be_bytes());
                for cut in 0..=g.len() {
                    let _ = packet_key(&g[..cut]);
                }
            }
        }
    }

    #[test]
    fn vlan_tags_and_ipv6_extension_headers_are_skipped() {
        let mut f = eth(0x8100);
        f.extend([0, 5, 0x86, 0xdd]);
        let mut ip6 = vec![0x60, 0, 0, 0, 0, 24, 0, 64];
        ip6.extend([0x20, 0x01, 0x0d, 0xb8].iter().chain([0; 11].iter()).chain([1].iter()));
        ip6.extend([0x20, 0x01, 0x0d, 0xb8].iter().chain([0; 11].iter()).chain([2].iter()));
        // Hop-by-hop (8 bytes) then UDP.
        ip6.extend([17, 0, 0, 0, 0, 0, 0, 0]);
        ip6.extend([0x00, 0x35, 0x9c, 0x40, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        f.extend(&ip6);
        let k = packet_key(&f).unwrap();
        assert_eq!(k.key.protocol, Some(IpProtocol::UDP));
        assert_eq!((k.key.src_port, k.key.dst_port), (Some(53), Some(40000)));
        assert_eq!(k.event, Event::Datagram("DNS"));
        for cut in 0..=f.len() {
            let _ = packet_key(&f[..cut]);
        }
    }

    #[test]
    fn directions_follow_the_eni() {
        let key = PacketKey::udp([10, 0, 1, 23].into(), [198, 51, 100, 1].into(), 1, 2);
        let (me, router) = (EthernetAddress([2, 0, 0, 0, 0, 1]), EthernetAddress([2, 0, 0, 0, 0, 2]));
        let by_ip = Eni { ip: Some([10, 0, 1, 23].into()), mac: None };
        assert_eq!(by_ip.direction(me, router, &key), Some(Direction::Egress));
        assert_eq!(by_ip.direction(router, me, &key.reversed()), Some(Direction::Ingress));
        let by_mac = Eni { ip: None, mac: Some(me) };
        assert_eq!(by_mac.direction(router, me, &PacketKey::arp()), Some(Direction::Ingress));
        let other = Eni { ip: Some([10, 0, 1, 99].into()), mac: Some(EthernetAddress([2, 9, 9, 9, 9, 9])) };
        assert_eq!(other.direction(me, router, &key), None);
    }

    #[test]
    fn resolutions() {
        assert_eq!(ts_unit(&[]), Some(1_000_000));
        assert_eq!(ts_unit(&[InterfaceDescriptionOption::IfTsResol(9)]), Some(1_000_000_000));
        assert_eq!(ts_unit(&[InterfaceDescriptionOption::IfTsResol(0x80 | 10)]), Some(1024));
        assert_eq!(ts_unit(&[InterfaceDescriptionOption::IfTsResol(20)]), None);
        assert_eq!(ts_unit(&[InterfaceDescriptionOption::IfTsResol(0x80 | 64)]), None);
    }

    #[test]
    fn not_captures_and_other_link_types_are_refused() {
        assert!(matches!(CaptureSource::new(&b""[..], Eni::default()), Err(ReadError::NotACapture(_))));
        assert!(matches!(
            CaptureSource::new(&b"GET / HTTP/1.1"[..], Eni::default()),
            Err(ReadError::NotACapture(_))
        ));
        // pcap, link type 101 (raw IP).
        let raw_ip =
            [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 101, 0, 0, 0];
        let err = CaptureSource::new(&raw_ip[..], Eni::default()).unwrap_err();
        assert!(err.to_string().contains("is not Ethernet"), "{err}");
        // A truncated header.
        assert!(matches!(CaptureSource::new(&raw_ip[..10], Eni::default()), Err(ReadError::Header(_))));
    }
}

#[cfg(test)]
mod hostile {
    use super::*;
    use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
    use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionBlock;
    use pcap_file::pcapng::PcapNgWriter;

    fn drain(bytes: &[u8]) {
        let eni = Eni { ip: Some([10, 0, 1, 23].into()), mac: None };
        if let Ok(mut s) = CaptureSource::new(bytes, eni) {
            let mut buf = Vec::new();
            while s.next_frame(&mut buf).is_some() {
                buf.clear();
            }
        }
        let _ = infer_eni(bytes, Eni::default(), 100);
    }

    fn sample_pcapng() -> Vec<u8> {
        let mut w = PcapNgWriter::new(Vec::new()).unwrap();
        w.write_pcapng_block(InterfaceDescriptionBlock {
            linktype: DataLink::ETHERNET,
            snaplen: 0,
            options: vec![InterfaceDescriptionOption::IfTsResol(9)],
        })
        .unwrap();
        let mut frame = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
        frame.extend([0x45, 0, 0, 29, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 1, 23, 198, 51, 100, 9]);
        frame.extend([0x9c, 0x40, 0, 7, 0, 9, 0, 0, b'x']);
        for i in 0..3u64 {
            w.write_pcapng_block(EnhancedPacketBlock {
                interface_id: 0,
                timestamp: std::time::Duration::from_nanos(1_700_000_000_000_000_000 + i),
                original_len: frame.len() as u32,
                data: frame.as_slice().into(),
                options: vec![],
            })
            .unwrap();
        }
        w.into_inner()
    }

    /// Every truncation and every single-byte corruption of a small pcapng
    /// and pcap: an error or frames, never a panic.
    #[test]
    fn corrupt_captures_never_panic() {
        let ng = sample_pcapng();
        let mut pcap =
            vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0];
        for _ in 0..2 {
            pcap.extend([0, 0, 0, 0, 0, 0, 0, 0, 43, 0, 0, 0, 43, 0, 0, 0]);
            pcap.extend(&ng[ng.len() - 60..ng.len() - 17]);
        }
        for bytes in [&ng, &pcap] {
            for cut in 0..bytes.len() {
                drain(&bytes[..cut]);
            }
            for at in 0..bytes.len() {
                for v in [0x00, 0xff, 0x80, 0x7f, 0x01] {
                    let mut b = bytes.clone();
                    b[at] = v;
                    drain(&b);
                }
            }
        }
    }
}
