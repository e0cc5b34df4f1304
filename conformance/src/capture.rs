//! Reading capture files: classic pcap (either byte order, micro- or
//! nanosecond timestamps) and pcapng (enhanced and simple packet blocks),
//! through the `pcap-file` crate.
//!
//! Record lengths are taken as written, without the strictness of
//! `pcap-file`'s packet validation: a record longer on the wire than the
//! file's snapshot length (`orig_len > snaplen`) is exactly what a capture
//! cut by its snaplen holds.
//!
//! ```
//! use conformance::capture::{read_capture, LinkType};
//!
//! // A classic pcap header (little-endian, snaplen 65535, Ethernet) and one 4-byte record.
//! let mut file = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
//! file.extend_from_slice(&[0; 8]);
//! file.extend_from_slice(&65535u32.to_le_bytes());
//! file.extend_from_slice(&1u32.to_le_bytes());
//! for v in [0u32, 0, 4, 60] {
//!     file.extend_from_slice(&v.to_le_bytes());
//! }
//! file.extend_from_slice(&[1, 2, 3, 4]);
//! let frames = read_capture(&file).unwrap();
//! assert_eq!(frames.len(), 1);
//! assert_eq!((frames[0].data.len(), frames[0].original_len), (4, 60));
//! assert_eq!((frames[0].snaplen, frames[0].link_type), (Some(65535), LinkType::Ethernet));
//! ```

use pcap_file::pcap::PcapParser;
use pcap_file::pcapng::{Block, PcapNgParser};
use pcap_file::DataLink;
use std::borrow::Cow;

/// The link layer of a frame: only Ethernet is dissected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkType {
    /// DLT_EN10MB.
    Ethernet,
    /// Anything else, with its LINKTYPE number.
    Other(u32),
}

impl From<DataLink> for LinkType {
    fn from(d: DataLink) -> LinkType {
        match d {
            DataLink::ETHERNET => LinkType::Ethernet,
            other => LinkType::Other(u32::from(other)),
        }
    }
}

/// One record of a capture file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedFrame {
    /// The bytes recorded (`incl_len` of them).
    pub data: Vec<u8>,
    /// The frame's length on the wire (`orig_len`).
    pub original_len: u32,
    /// The snapshot length in force (file header or interface), if stated.
    pub snaplen: Option<u32>,
    /// The link type.
    pub link_type: LinkType,
}

/// Why a capture could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaptureError {
    /// Neither the pcap nor the pcapng magic number.
    #[error("not a pcap or pcapng file (magic {0:02x?})")]
    UnknownFormat(Vec<u8>),
    /// The file is damaged or cut short.
    #[error("unreadable capture: {0}")]
    Damaged(String),
}

/// One record of a capture file, borrowed from the file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameRef<'a> {
    /// The bytes recorded.
    pub data: &'a [u8],
    /// The frame's length on the wire.
    pub original_len: u32,
    /// The snapshot length in force, if stated.
    pub snaplen: Option<u32>,
    /// The link type.
    pub link_type: LinkType,
}

/// Reads every record of a pcap or pcapng file held in `bytes`, copying them.
pub fn read_capture(bytes: &[u8]) -> Result<Vec<CapturedFrame>, CaptureError> {
    Ok(read_frames(bytes)?
        .into_iter()
        .map(|f| CapturedFrame {
            data: f.data.to_vec(),
            original_len: f.original_len,
            snaplen: f.snaplen,
            link_type: f.link_type,
        })
        .collect())
}

/// Reads every record of a pcap or pcapng file held in `bytes`, without copying.
pub fn read_frames(bytes: &[u8]) -> Result<Vec<FrameRef<'_>>, CaptureError> {
    let magic = bytes.get(..4).unwrap_or(bytes);
    match magic {
        [0xd4, 0xc3, 0xb2, 0xa1]
        | [0xa1, 0xb2, 0xc3, 0xd4]
        | [0x4d, 0x3c, 0xb2, 0xa1]
        | [0xa1, 0xb2, 0x3c, 0x4d] => read_pcap(bytes),
        [0x0a, 0x0d, 0x0d, 0x0a] => read_pcapng(bytes),
        other => Err(CaptureError::UnknownFormat(other.to_vec())),
    }
}

fn damaged(e: impl std::fmt::Display) -> CaptureError {
    CaptureError::Damaged(e.to_string())
}

fn read_pcap(bytes: &[u8]) -> Result<Vec<FrameRef<'_>>, CaptureError> {
    let (mut rest, parser) = PcapParser::new(bytes).map_err(damaged)?;
    let header = parser.header();
    let link_type = LinkType::from(header.datalink);
    let mut frames = Vec::new();
    while !rest.is_empty() {
        let (next, packet) = parser.next_raw_packet(rest).map_err(damaged)?;
        let data = match packet.data {
            Cow::Borrowed(d) => d,
            Cow::Owned(_) => return Err(damaged("unexpected owned packet data")),
        };
        frames.push(FrameRef {
            data,
            original_len: packet.orig_len,
            snaplen: Some(header.snaplen),
            link_type,
        });
        rest = next;
    }
    Ok(frames)
}

fn read_pcapng(bytes: &[u8]) -> Result<Vec<FrameRef<'_>>, CaptureError> {
    let (mut rest, mut parser) = PcapNgParser::new(bytes).map_err(damaged)?;
    let mut frames = Vec::new();
    // (link type, snaplen) of each interface of the current section.
    let mut interfaces: Vec<(LinkType, Option<u32>)> = Vec::new();
    while !rest.is_empty() {
        let (next, block) = parser.next_block(rest).map_err(damaged)?;
        rest = next;
        let (interface, original_len, data) = match block {
            Block::SectionHeader(_) => {
                interfaces.clear();
                continue;
            }
            Block::InterfaceDescription(idb) => {
                interfaces.push((idb.linktype.into(), Some(idb.snaplen).filter(|&s| s != 0)));
                continue;
            }
            Block::EnhancedPacket(epb) => (epb.interface_id as usize, epb.original_len, epb.data),
            Block::SimplePacket(spb) => (0, spb.original_len, spb.data),
            _ => continue,
        };
        let data = match data {
            Cow::Borrowed(d) => d,
            Cow::Owned(_) => return Err(damaged("unexpected owned packet data")),
        };
        let (link_type, snaplen) = interfaces.get(interface).copied().unwrap_or((LinkType::Ethernet, None));
        frames.push(FrameRef { data, original_len, snaplen, link_type });
    }
    Ok(frames)
}
