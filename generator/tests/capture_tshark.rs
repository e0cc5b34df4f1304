//! Cross-checks `generator::capture` against tshark (Wireshark 4.0 or later):
//! the files we write must be read frame by frame, with the timestamps,
//! lengths, comments and directions we put in.
//!
//! Skipped with a `SKIP:` line when tshark is missing, failed instead when
//! `CI=true` (see `tests/common/mod.rs`).

mod common;

use std::path::Path;

use generator::capture::{CaptureWriter, Format, Output, OutputTarget, PacketDirection, Record};

/// 2023-11-14T22:13:20.123456789Z.
const T0: u64 = 1_700_000_000_123_456_789;

/// An Ethernet II / IPv4 / UDP frame from 10.0.0.`src` port `sport` to
/// 10.0.0.2 port 4789, with a correct IPv4 header checksum and no UDP
/// checksum (zero, allowed over IPv4). Built by hand so that this test does
/// not depend on the crate's own `wire` modules.
fn udp_frame(src: u8, sport: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(42 + payload.len());
    f.extend_from_slice(&[0x02, 0, 0, 0, 0, 0x02]); // destination MAC
    f.extend_from_slice(&[0x02, 0, 0, 0, 0, src]); // source MAC
    f.extend_from_slice(&0x0800u16.to_be_bytes()); // IPv4
    let ip_len = (20 + 8 + payload.len()) as u16;
    let mut ip = [0u8; 20];
    ip[0] = 0x45;
    ip[2..4].copy_from_slice(&ip_len.to_be_bytes());
    ip[4..6].copy_from_slice(&0x1234u16.to_be_bytes()); // identification
    ip[6] = 0x40; // don't fragment
    ip[8] = 64; // TTL
    ip[9] = 17; // UDP
    ip[12..16].copy_from_slice(&[10, 0, 0, src]);
    ip[16..20].copy_from_slice(&[10, 0, 0, 2]);
    let sum = ip.chunks(2).map(|w| u32::from(u16::from_be_bytes([w[0], w[1]]))).sum::<u32>();
    let sum = (sum & 0xffff) + (sum >> 16);
    let sum = (sum & 0xffff) + (sum >> 16);
    ip[10..12].copy_from_slice(&(!(sum as u16)).to_be_bytes());
    f.extend_from_slice(&ip);
    f.extend_from_slice(&sport.to_be_bytes());
    f.extend_from_slice(&4789u16.to_be_bytes());
    f.extend_from_slice(&(8 + payload.len() as u16).to_be_bytes());
    f.extend_from_slice(&[0, 0]); // no checksum
    f.extend_from_slice(payload);
    f
}

struct Frame {
    bytes: Vec<u8>,
    captured: usize,
    ts: u64,
    comment: Option<&'static str>,
    direction: Option<PacketDirection>,
}

fn frames() -> Vec<Frame> {
    let long = udp_frame(3, 40001, &[0xab; 58]); // 100 bytes on the wire
    vec![
        Frame {
            bytes: udp_frame(1, 40000, b"first"),
            captured: 47,
            ts: T0,
            comment: Some("hello from vxgen"),
            direction: Some(PacketDirection::Inbound),
        },
        Frame {
            bytes: udp_frame(4, 40002, b"second!"),
            captured: 49,
            ts: T0 + 1,
            comment: None,
            direction: Some(PacketDirection::Outbound),
        },
        // Truncated: 42 bytes captured out of 100 (headers only).
        Frame {
            bytes: long,
            captured: 42,
            ts: T0 + 999_999_999,
            comment: Some("truncated, ünïcode"),
            direction: None,
        },
        Frame { bytes: udp_frame(5, 40003, b""), captured: 42, ts: 1, comment: None, direction: None },
    ]
}

/// Writes `frames()` as `format` into `dir/name` through an atomic [`Output`].
fn write_capture(dir: &Path, name: &str, format: Format) -> std::path::PathBuf {
    let path = dir.join(name);
    let output = Output::create(&OutputTarget::File(path.clone()), false).unwrap();
    let mut writer = CaptureWriter::new(output, format, 65535).unwrap();
    for f in frames() {
        writer
            .write(&Record {
                timestamp_ns: f.ts,
                data: &f.bytes[..f.captured],
                orig_len: f.bytes.len() as u32,
                comment: f.comment,
                direction: f.direction,
            })
            .unwrap();
    }
    writer.finish().unwrap().commit().unwrap();
    path
}

/// `secs.fraction` as tshark prints `frame.time_epoch`: always nine digits.
fn epoch(ts_ns: u64, format: Format) -> String {
    let frac = ts_ns % 1_000_000_000;
    let frac = if format == Format::Pcap { frac / 1000 * 1000 } else { frac };
    format!("{}.{frac:09}", ts_ns / 1_000_000_000)
}

const FIELDS: [&str; 9] = [
    "frame.time_epoch",
    "frame.len",
    "frame.cap_len",
    "frame.comment",
    "frame.packet_flags_direction",
    "ip.src",
    "udp.srcport",
    "udp.dstport",
    "ip.checksum.status",
];

fn check(format: Format, name: &str) {
    if !common::require_tool("tshark") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write_capture(dir.path(), name, format);
    let rows = common::tshark_fields(&path, &FIELDS, &["ip.check_checksum:TRUE"]);
    let frames = frames();
    assert_eq!(rows.len(), frames.len(), "tshark must read every frame: {rows:?}");
    for (i, (row, f)) in rows.iter().zip(&frames).enumerate() {
        let ng = format == Format::PcapNg;
        let src = f.bytes[29];
        let expected = [
            epoch(f.ts, format),
            f.bytes.len().to_string(),
            f.captured.to_string(),
            if ng { f.comment.unwrap_or_default().to_owned() } else { String::new() },
            match (ng, f.direction) {
                (true, Some(PacketDirection::Inbound)) => "0x00000001".to_owned(),
                (true, Some(PacketDirection::Outbound)) => "0x00000002".to_owned(),
                // No epb_flags option: tshark shows no packet flags at all.
                _ => String::new(),
            },
            format!("10.0.0.{src}"),
            u16::from_be_bytes([f.bytes[34], f.bytes[35]]).to_string(),
            "4789".to_owned(),
            "1".to_owned(), // PROTO_CHECKSUM_E_GOOD (0 bad, 2 unverified)
        ];
        assert_eq!(row, &expected, "{format} frame {} (fields {FIELDS:?})", i + 1);
    }
}

#[test]
fn tshark_reads_pcapng() {
    check(Format::PcapNg, "mirror.pcapng");
}

#[test]
fn tshark_reads_pcap_nanoseconds() {
    check(Format::PcapNanos, "mirror-ns.pcap");
}

#[test]
fn tshark_reads_pcap_microseconds() {
    check(Format::Pcap, "mirror.pcap");
}

/// Frames 1 and 2 are one nanosecond apart, and tshark sees exactly that.
#[test]
fn tshark_sees_one_nanosecond() {
    if !common::require_tool("tshark") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write_capture(dir.path(), "ns.pcapng", Format::PcapNg);
    let rows = common::tshark_fields_with(&path, &["frame.time_delta"], &[], &["-Y", "frame.number == 2"]);
    assert_eq!(rows, [["0.000000001"]]);
}

/// capinfos (shipped with tshark) reports the file type, the timestamp
/// resolution, the snaplen and, for pcapng, the `shb_userappl` we write.
#[test]
fn capinfos_reports_headers() {
    if !common::require_tool("capinfos") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (Format::PcapNg, "a.pcapng", "pcapng", "nanoseconds (9)"),
        (Format::PcapNanos, "b.pcap", "nanosecond pcap", "nanoseconds (9)"),
        (Format::Pcap, "c.pcap", "pcap", "microseconds (6)"),
    ];
    for (format, name, file_type, precision) in cases {
        let path = write_capture(dir.path(), name, format);
        let output = std::process::Command::new("capinfos").arg(&path).output().unwrap();
        assert!(output.status.success(), "capinfos failed: {}", String::from_utf8_lossy(&output.stderr));
        let text = String::from_utf8(output.stdout).unwrap();
        let value = |key: &str| {
            text.lines()
                .find_map(|l| l.trim_start().strip_prefix(key))
                .map(|v| v.trim_start_matches([' ', ':', '=']).trim().to_owned())
                .unwrap_or_else(|| panic!("capinfos printed no {key:?}:\n{text}"))
        };
        assert!(value("File type").ends_with(&format!("- {file_type}")), "{text}");
        assert_eq!(value("File encapsulation"), "Ethernet");
        assert_eq!(value("Number of packets"), "4");
        assert_eq!(value("Time precision"), precision);
        assert_eq!(value("Capture length"), "65535");
        if format == Format::PcapNg {
            assert_eq!(value("Capture application"), format!("vxgen {}", generator::VERSION));
        }
    }
}
