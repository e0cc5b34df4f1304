//! Capture output: streaming pcap / pcapng writing, and safe (atomic) files.
//!
//! Two independent halves:
//!
//! * [`CaptureWriter`] turns [`Record`]s into a capture file, in one of three
//!   [`Format`]s, over any `std::io::Write`, in constant memory;
//! * [`Output`] is where the bytes go: standard output, a device or FIFO
//!   written in place, or a regular file that only appears, complete, when
//!   [`Output::commit`] succeeds (it is written as `NAME.partial-XXXXXX` in the
//!   same directory and renamed at the end; symlinks are followed to the file
//!   they name). [`install_signal_cleanup`] makes `SIGINT`, `SIGTERM` and
//!   `SIGHUP` delete those temporary files before the process exits.
//!
//! | [`Format`] | name      | timestamps                                | comments, direction |
//! |------------|-----------|-------------------------------------------|---------------------|
//! | `Pcap`     | `pcap`    | microseconds (magic `a1b2c3d4`), truncated | dropped             |
//! | `PcapNanos`| `pcap-ns` | nanoseconds (magic `a1b23c4d`)            | dropped             |
//! | `PcapNg`   | `pcapng`  | nanoseconds (`if_tsresol = 9`)            | `opt_comment`, `epb_flags` |
//!
//! All files are little-endian and Ethernet (link type 1).
//!
//! ```
//! use generator::capture::{CaptureWriter, Format, Output, OutputTarget, PacketDirection, Record};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("mirror.pcapng");
//! let target: OutputTarget = path.to_str().unwrap().parse()?;
//!
//! let output = Output::create(&target, false)?;
//! let mut writer = CaptureWriter::new(output, "pcapng".parse()?, 65535)?;
//! let frame = [0xffu8; 64];
//! writer.write(&Record {
//!     timestamp_ns: 1_700_000_000_123_456_789,
//!     data: &frame[..54], // truncated capture...
//!     orig_len: 64,       // ...of a 64-byte frame
//!     comment: Some("hello"),
//!     direction: Some(PacketDirection::Outbound),
//! })?;
//! assert!(!path.exists()); // nothing visible until committed
//! writer.finish()?.commit()?;
//! assert!(path.exists());
//!
//! // Committing never replaces an existing file unless asked to.
//! let again = Output::create(&target, false);
//! assert!(matches!(again, Err(generator::capture::CaptureError::AlreadyExists(_))));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;
use core::str::FromStr;

mod cleanup;
mod error;
pub mod merge;
mod output;
mod writer;

pub use cleanup::install_signal_cleanup;
pub use error::{CaptureError, ParseError};
pub use output::{Output, OutputTarget, OUTPUT_BUFFER_SIZE};
pub use writer::CaptureWriter;

/// Largest snapshot length accepted: libpcap's `MAXIMUM_SNAPLEN` (256 KiB),
/// which is also what tcpdump and Wireshark are prepared to read.
pub const MAX_SNAPLEN: u32 = 262_144;

/// The snapshot length tcpdump uses by default: [`MAX_SNAPLEN`].
pub const DEFAULT_SNAPLEN: u32 = MAX_SNAPLEN;

/// A capture file format.
///
/// Parsed from and displayed as `pcap`, `pcap-ns` and `pcapng` (the CLI maps
/// its strings through [`FromStr`]; there is deliberately no clap dependency here).
///
/// ```
/// use generator::capture::Format;
///
/// assert_eq!("pcap-ns".parse::<Format>(), Ok(Format::PcapNanos));
/// assert_eq!(Format::PcapNg.to_string(), "pcapng");
/// assert!("pcap-ng".parse::<Format>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Classic libpcap, microsecond timestamps (magic `0xa1b2c3d4`).
    Pcap,
    /// Classic libpcap, nanosecond timestamps (magic `0xa1b23c4d`).
    PcapNanos,
    /// pcapng, nanosecond timestamps, with per-packet comments and direction.
    PcapNg,
}

impl Format {
    /// Every format, in the order of [`Format::names`].
    pub const ALL: [Format; 3] = [Format::Pcap, Format::PcapNanos, Format::PcapNg];

    /// The name of the format, as parsed by [`FromStr`].
    pub const fn name(self) -> &'static str {
        match self {
            Format::Pcap => "pcap",
            Format::PcapNanos => "pcap-ns",
            Format::PcapNg => "pcapng",
        }
    }

    /// All names, for help texts and CLI value lists.
    pub const fn names() -> [&'static str; 3] {
        [Format::Pcap.name(), Format::PcapNanos.name(), Format::PcapNg.name()]
    }

    /// The usual file extension: `pcap` for both classic flavours, `pcapng` otherwise.
    pub const fn extension(self) -> &'static str {
        match self {
            Format::Pcap | Format::PcapNanos => "pcap",
            Format::PcapNg => "pcapng",
        }
    }

    /// Whether records keep their comment and direction.
    pub const fn supports_metadata(self) -> bool {
        matches!(self, Format::PcapNg)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL.into_iter().find(|f| f.name() == s).ok_or_else(|| ParseError::UnknownFormat(s.to_owned()))
    }
}

/// Which way a packet went through the capturing interface (pcapng `epb_flags`
/// bits 0-1: `01` inbound, `10` outbound).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketDirection {
    /// Received by the capturing interface.
    Inbound,
    /// Sent by the capturing interface.
    Outbound,
}

impl PacketDirection {
    /// The `epb_flags` word carrying this direction (all other bits zero).
    pub const fn epb_flags(self) -> u32 {
        match self {
            PacketDirection::Inbound => 0b01,
            PacketDirection::Outbound => 0b10,
        }
    }
}

impl fmt::Display for PacketDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PacketDirection::Inbound => "inbound",
            PacketDirection::Outbound => "outbound",
        })
    }
}

/// One packet to write, borrowed from the caller (no copy, no allocation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// Capture time in nanoseconds since the Unix epoch (UTC).
    pub timestamp_ns: u64,
    /// The captured bytes, starting with the Ethernet header. May be shorter
    /// than [`orig_len`](Self::orig_len) when the packet was truncated.
    pub data: &'a [u8],
    /// Length of the packet on the wire (at least `data.len()`).
    pub orig_len: u32,
    /// A comment (pcapng `opt_comment`; ignored by classic pcap).
    pub comment: Option<&'a str>,
    /// The direction (pcapng `epb_flags`; ignored by classic pcap).
    pub direction: Option<PacketDirection>,
}

impl<'a> Record<'a> {
    /// A complete (untruncated) packet without comment or direction.
    pub fn new(timestamp_ns: u64, data: &'a [u8]) -> Self {
        let orig_len = u32::try_from(data.len()).unwrap_or(u32::MAX);
        Record { timestamp_ns, data, orig_len, comment: None, direction: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for format in Format::ALL {
            assert_eq!(format.name().parse::<Format>(), Ok(format));
            assert_eq!(format.to_string(), format.name());
        }
        assert_eq!(Format::names(), ["pcap", "pcap-ns", "pcapng"]);
        for bad in ["", "PCAP", "pcapng ", "pcap-us", "ng"] {
            assert_eq!(bad.parse::<Format>(), Err(ParseError::UnknownFormat(bad.to_owned())));
        }
    }

    #[test]
    fn direction_flags() {
        assert_eq!(PacketDirection::Inbound.epb_flags(), 1);
        assert_eq!(PacketDirection::Outbound.epb_flags(), 2);
    }

    #[test]
    fn record_new_is_untruncated() {
        let rec = Record::new(5, b"abc");
        assert_eq!((rec.orig_len, rec.comment, rec.direction), (3, None, None));
    }
}
