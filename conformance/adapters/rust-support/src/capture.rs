//! Capture files through `pcap-file`: classic pcap (either byte order,
//! micro- or nanosecond timestamps) and pcapng (enhanced and simple packet
//! blocks, the link type of each block's interface).
//!
//! Records are read as written, without `pcap-file`'s check that a record is
//! no longer than the snapshot length: a capture cut by its snaplen holds
//! records whose original length exceeds it.

use pcap_file::pcap::PcapParser;
use pcap_file::pcapng::{Block, PcapNgParser};
use std::borrow::Cow;

/// LINKTYPE_ETHERNET (tcpdump.org link-layer header types).
pub const LINKTYPE_ETHERNET: u32 = 1;

/// One record of a capture file, borrowed from the file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The bytes recorded.
    pub data: &'a [u8],
    /// The frame's length on the wire.
    pub original_len: u32,
    /// The record's link type (LINKTYPE_ number; 1 is Ethernet).
    pub link_type: u32,
}

/// Every record of the pcap or pcapng file held in `bytes`; a message when
/// it is neither, or damaged.
pub fn read_frames(bytes: &[u8]) -> Result<Vec<Frame<'_>>, String> {
    match bytes.get(..4).unwrap_or(bytes) {
        [0xd4, 0xc3, 0xb2, 0xa1]
        | [0xa1, 0xb2, 0xc3, 0xd4]
        | [0x4d, 0x3c, 0xb2, 0xa1]
        | [0xa1, 0xb2, 0x3c, 0x4d] => read_pcap(bytes),
        [0x0a, 0x0d, 0x0d, 0x0a] => read_pcapng(bytes),
        other => Err(format!("not a pcap or pcapng file (magic {other:02x?})")),
    }
}

fn damaged(e: impl std::fmt::Display) -> String {
    format!("unreadable capture: {e}")
}

fn borrowed(data: Cow<'_, [u8]>) -> Result<&[u8], String> {
    match data {
        Cow::Borrowed(d) => Ok(d),
        Cow::Owned(_) => Err(damaged("unexpected owned packet data")),
    }
}

fn read_pcap(bytes: &[u8]) -> Result<Vec<Frame<'_>>, String> {
    let (mut rest, parser) = PcapParser::new(bytes).map_err(damaged)?;
    let link_type = u32::from(parser.header().datalink);
    let mut frames = Vec::new();
    while !rest.is_empty() {
        let (next, packet) = parser.next_raw_packet(rest).map_err(damaged)?;
        frames.push(Frame { data: borrowed(packet.data)?, original_len: packet.orig_len, link_type });
        rest = next;
    }
    Ok(frames)
}

fn read_pcapng(bytes: &[u8]) -> Result<Vec<Frame<'_>>, String> {
    let (mut rest, mut parser) = PcapNgParser::new(bytes).map_err(damaged)?;
    let mut frames = Vec::new();
    // The link type of each interface of the current section.
    let mut interfaces: Vec<u32> = Vec::new();
    while !rest.is_empty() {
        let (next, block) = parser.next_block(rest).map_err(damaged)?;
        rest = next;
        let (interface, original_len, data) = match block {
            Block::SectionHeader(_) => {
                interfaces.clear();
                continue;
            }
            Block::InterfaceDescription(idb) => {
                interfaces.push(u32::from(idb.linktype));
                continue;
            }
            Block::EnhancedPacket(epb) => (epb.interface_id as usize, epb.original_len, epb.data),
            Block::SimplePacket(spb) => (0, spb.original_len, spb.data),
            _ => continue,
        };
        let link_type = interfaces.get(interface).copied().unwrap_or(LINKTYPE_ETHERNET);
        frames.push(Frame { data: borrowed(data)?, original_len, link_type });
    }
    Ok(frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_little_endian_pcap_record() {
        let mut file = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
        file.extend_from_slice(&[0; 8]);
        file.extend_from_slice(&65535u32.to_le_bytes());
        file.extend_from_slice(&1u32.to_le_bytes());
        for v in [0u32, 0, 4, 60] {
            file.extend_from_slice(&v.to_le_bytes());
        }
        file.extend_from_slice(&[1, 2, 3, 4]);
        let frames = read_frames(&file).unwrap();
        assert_eq!(frames, [Frame { data: &[1, 2, 3, 4], original_len: 60, link_type: 1 }]);
    }

    #[test]
    fn not_a_capture() {
        assert!(read_frames(b"hello").unwrap_err().starts_with("not a pcap"));
    }
}
