//! One record of a pcap or pcapng capture, by its number.

use pcap_file::pcap::PcapReader;
use pcap_file::pcapng::{Block, PcapNgReader};
use pcap_file::DataLink;
use std::io::Read;

/// One captured frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedFrame {
    /// Its number in the file, from 1.
    pub number: u64,
    /// The captured bytes.
    pub data: Vec<u8>,
    /// Its length on the wire.
    pub original_len: u64,
    /// Its pcapng comments.
    pub comments: Vec<String>,
}

/// Why a frame could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Neither a pcap nor a pcapng file, or broken before the frame.
    #[error("not a readable pcap or pcapng capture: {0}")]
    Format(String),
    /// Reading failed.
    #[error("cannot read the capture: {0}")]
    Io(#[from] std::io::Error),
    /// The file has fewer frames.
    #[error("the capture holds {count} frame(s); there is no frame {wanted}")]
    NoSuchFrame {
        /// The frame asked for.
        wanted: u64,
        /// How many it holds.
        count: u64,
    },
    /// The frame's link type is not Ethernet.
    #[error("frame {number} is not an Ethernet frame (link type {link:?}); only Ethernet is explained")]
    NotEthernet {
        /// The frame.
        number: u64,
        /// Its link type.
        link: DataLink,
    },
}

/// Frame `wanted` (from 1) of the capture `input` holds, read as pcap or
/// pcapng (by its first four bytes), stopping at that frame.
pub fn read_frame(mut input: impl Read, wanted: u64) -> Result<CapturedFrame, ReadError> {
    let mut magic = [0u8; 4];
    input
        .read_exact(&mut magic)
        .map_err(|e| ReadError::Format(format!("shorter than a file header ({e})")))?;
    let input = std::io::Cursor::new(magic).chain(input);
    if magic == [0x0a, 0x0d, 0x0d, 0x0a] {
        read_pcapng(input, wanted)
    } else {
        read_pcap(input, wanted)
    }
}

fn read_pcap(input: impl Read, wanted: u64) -> Result<CapturedFrame, ReadError> {
    let mut reader = PcapReader::new(input).map_err(|e| ReadError::Format(e.to_string()))?;
    let link = reader.header().datalink;
    let mut number = 0;
    // Raw records: a record longer on the wire than the snap length (what a
    // capture cut by its snap length holds) is read as written, not refused.
    while let Some(packet) = reader.next_raw_packet() {
        let packet = packet.map_err(|e| ReadError::Format(format!("frame {}: {e}", number + 1)))?;
        number += 1;
        if number == wanted {
            if link != DataLink::ETHERNET {
                return Err(ReadError::NotEthernet { number, link });
            }
            return Ok(CapturedFrame {
                number,
                data: packet.data.into_owned(),
                original_len: u64::from(packet.orig_len),
                comments: Vec::new(),
            });
        }
    }
    Err(ReadError::NoSuchFrame { wanted, count: number })
}

fn read_pcapng(input: impl Read, wanted: u64) -> Result<CapturedFrame, ReadError> {
    use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketOption;
    let mut reader = PcapNgReader::new(input).map_err(|e| ReadError::Format(e.to_string()))?;
    let mut number = 0;
    while let Some(block) = reader.next_block() {
        let block = block.map_err(|e| ReadError::Format(format!("after frame {number}: {e}")))?;
        let (data, original_len, interface, comments) = match block {
            Block::EnhancedPacket(p) => {
                let comments = p
                    .options
                    .iter()
                    .filter_map(|o| match o {
                        EnhancedPacketOption::Comment(c) => Some(c.to_string()),
                        _ => None,
                    })
                    .collect();
                (p.data.into_owned(), u64::from(p.original_len), Some(p.interface_id), comments)
            }
            Block::SimplePacket(p) => (p.data.into_owned(), u64::from(p.original_len), Some(0), Vec::new()),
            _ => continue,
        };
        number += 1;
        if number == wanted {
            let link = interface
                .and_then(|i| reader.interfaces().get(i as usize))
                .map(|i| i.linktype)
                .unwrap_or(DataLink::ETHERNET);
            if link != DataLink::ETHERNET {
                return Err(ReadError::NotEthernet { number, link });
            }
            return Ok(CapturedFrame { number, data, original_len, comments });
        }
    }
    Err(ReadError::NoSuchFrame { wanted, count: number })
}
