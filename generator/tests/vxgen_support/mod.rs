//! Helpers of the `vxgen_*` integration tests (`mod common; mod vxgen_support;`
//! in each): running the built `vxgen`, the options of one run and what they
//! imply, a classic pcap reader, the ground-truth packet comment, and a named
//! view of tshark's `-T fields` output.
//!
//! Expectations are derived from the options a test passes, from the crate's
//! public constants and from docs/aws.md, never from a previous run's output.

// Every test crate that includes this module uses a different subset of it.
#![allow(dead_code)]

use generator::capture::Format;
use generator::mirror::encap::{Truncation, VXLAN_IP_OVERHEAD, VXLAN_OVERHEAD};
use generator::mirror::session::{Source, Target, TargetKind, MAX_PACKET_LENGTH};
use generator::wire::{ethernet, geneve, ipv4, udp, EtherType, IpProtocol};
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary under test.
pub const VXGEN: &str = env!("CARGO_BIN_EXE_vxgen");

/// tshark expert severities (epan/proto.h `PI_COMMENT` .. `PI_ERROR`), as
/// `_ws.expert.severity` prints them.
pub const SEVERITY_COMMENT: u32 = 0x0010_0000;
/// Warnings and errors start here.
pub const SEVERITY_WARN: u32 = 0x0060_0000;
/// Errors.
pub const SEVERITY_ERROR: u32 = 0x0080_0000;

/// Runs `vxgen` with `args`, standard input closed, and returns what it did.
pub fn vxgen<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(VXGEN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("running {VXGEN}: {e}"))
}

/// Standard error of `out` as text.
pub fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Names of the entries of `dir`, sorted.
pub fn dir_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// GBP bits asked for on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GbpOpt {
    /// `--gbp-policy-id`.
    pub policy_id: u16,
    /// `d` in `--gbp-flags`.
    pub dont_learn: bool,
    /// `a` in `--gbp-flags`.
    pub policy_applied: bool,
}

/// The options of one `vxgen generate` run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gen {
    pub seed: u64,
    pub count: u64,
    /// `--vni N`; `None` leaves the default, `random`.
    pub vni: Option<u32>,
    pub gbp: Option<GbpOpt>,
    pub packet_length: Option<u16>,
    /// `--target-mtu`; `None` leaves the default (9001).
    pub target_mtu: Option<u16>,
    pub target: TargetKind,
    pub format: Format,
    /// `--no-comments`.
    pub no_comments: bool,
}

/// `--target-mtu` when not given (cli.rs: `default_value_t = 9001`, the
/// jumbo MTU of the VPC, docs/aws.md).
pub const DEFAULT_TARGET_MTU: u16 = 9001;

impl Gen {
    /// Ten conversations (the default `--count`), random VNI, ENI target, pcapng.
    pub fn new(seed: u64) -> Gen {
        Gen {
            seed,
            count: 10,
            vni: None,
            gbp: None,
            packet_length: None,
            target_mtu: None,
            target: TargetKind::NetworkInterface,
            format: Format::PcapNg,
            no_comments: false,
        }
    }
    pub fn count(mut self, n: u64) -> Gen {
        self.count = n;
        self
    }
    pub fn vni(mut self, vni: u32) -> Gen {
        self.vni = Some(vni);
        self
    }
    pub fn gbp(mut self, policy_id: u16, dont_learn: bool, policy_applied: bool) -> Gen {
        self.gbp = Some(GbpOpt { policy_id, dont_learn, policy_applied });
        self
    }
    pub fn packet_length(mut self, n: u16) -> Gen {
        self.packet_length = Some(n);
        self
    }
    pub fn mtu(mut self, n: u16) -> Gen {
        self.target_mtu = Some(n);
        self
    }
    pub fn target(mut self, kind: TargetKind) -> Gen {
        self.target = kind;
        self
    }
    pub fn format(mut self, format: Format) -> Gen {
        self.format = format;
        self
    }
    pub fn no_comments(mut self) -> Gen {
        self.no_comments = true;
        self
    }

    /// The same run without PacketLength or MTU truncation: the copies whole.
    pub fn whole(&self) -> Gen {
        Gen { packet_length: None, target_mtu: None, ..self.clone() }
    }

    /// Whether the options ask for any truncation limit.
    pub fn limits(&self) -> bool {
        self.packet_length.is_some() || self.target_mtu.is_some()
    }

    /// A file name whose extension matches the format.
    pub fn file_name(&self) -> String {
        format!("capture-{}.{}", self.seed, self.format.extension())
    }

    /// The `generate` arguments (without `-o`).
    pub fn args(&self) -> Vec<String> {
        let mut a = vec!["generate".to_string(), "--seed".into(), self.seed.to_string()];
        a.extend(["--count".into(), self.count.to_string()]);
        if let Some(v) = self.vni {
            a.extend(["--vni".into(), v.to_string()]);
        }
        if let Some(g) = self.gbp {
            a.extend(["--gbp-policy-id".into(), g.policy_id.to_string()]);
            let flags: Vec<&str> =
                [(g.dont_learn, "d"), (g.policy_applied, "a")].iter().filter(|f| f.0).map(|f| f.1).collect();
            if !flags.is_empty() {
                a.extend(["--gbp-flags".into(), flags.join(",")]);
            }
        }
        if let Some(n) = self.packet_length {
            a.extend(["--packet-length".into(), n.to_string()]);
        }
        if let Some(n) = self.target_mtu {
            a.extend(["--target-mtu".into(), n.to_string()]);
        }
        let target = match self.target {
            TargetKind::NetworkInterface => "eni",
            TargetKind::NetworkLoadBalancer => "nlb",
            TargetKind::GatewayLoadBalancerEndpoint => "gwlb",
        };
        a.extend(["--target".into(), target.into(), "--format".into(), self.format.name().into()]);
        if self.no_comments {
            a.push("--no-comments".into());
        }
        a
    }

    /// Runs vxgen into `dir`, asserts success, and returns the file and the
    /// VNI the run reports (its summary line ends with `(VNI N)`).
    pub fn run(&self, dir: &Path) -> (PathBuf, u32) {
        let path = dir.join(self.file_name());
        let mut args = self.args();
        args.extend(["-o".into(), path.to_string_lossy().into_owned()]);
        let out = vxgen(&args);
        let stderr = stderr_of(&out);
        assert!(out.status.success(), "vxgen {args:?} failed ({}): {stderr}", out.status);
        let vni = summary_vni(&stderr).unwrap_or_else(|| panic!("no `(VNI N)` in the summary: {stderr}"));
        if let Some(v) = self.vni {
            assert_eq!(vni, v, "the summary of vxgen {args:?} reports VNI {vni}, not the requested {v}");
        }
        (path, vni)
    }

    /// Whether frames carry the ground-truth comment and a direction.
    pub fn has_comments(&self) -> bool {
        self.format == Format::PcapNg && !self.no_comments
    }

    /// The target's MTU.
    pub fn mtu_value(&self) -> u16 {
        self.target_mtu.unwrap_or(DEFAULT_TARGET_MTU)
    }

    /// Bytes in front of the mirrored inner frame: outer Ethernet/IPv4/UDP/VXLAN,
    /// and for a GWLB target also the GWLB's IPv4/UDP/GENEVE with AWS's three options.
    pub fn overhead(&self) -> usize {
        match self.target {
            TargetKind::GatewayLoadBalancerEndpoint => {
                VXLAN_OVERHEAD + ipv4::HEADER_LEN + udp::HEADER_LEN + geneve_len()
            }
            _ => VXLAN_OVERHEAD,
        }
    }

    /// How many bytes of an inner frame of `inner_len` bytes the copy keeps,
    /// and why it drops the rest, as docs/aws.md "Truncation" and "Target
    /// kinds" describe it: PacketLength (default 8500 for NLB and GWLB
    /// targets) keeps the first N bytes after the VXLAN header; an ENI target
    /// then cuts a copy whose outer IPv4 packet exceeds its MTU to `MTU - 36`
    /// inner bytes.
    pub fn expected_kept(&self, inner_len: usize) -> (usize, Option<Truncation>) {
        let packet_length = self.packet_length.or(match self.target {
            TargetKind::NetworkInterface => None,
            _ => Some(MAX_PACKET_LENGTH),
        });
        let (mut kept, mut why) = (inner_len, None);
        if let Some(p) = packet_length {
            if kept > p as usize {
                (kept, why) = (p as usize, Some(Truncation::PacketLength(p)));
            }
        }
        if self.target == TargetKind::NetworkInterface {
            let room = self.mtu_value() as usize - VXLAN_IP_OVERHEAD;
            if kept > room {
                (kept, why) = (room, Some(Truncation::Mtu(self.mtu_value())));
            }
        }
        (kept, why)
    }

    /// The outer (mirror) source address: the source ENI.
    pub fn outer_src(&self) -> Ipv4Addr {
        Source::example().ip
    }

    /// The outer (mirror) destination: the target's primary IP.
    pub fn outer_dst(&self) -> Ipv4Addr {
        Target::example(self.target).ip
    }

    /// The VXLAN flags (16-bit GBP view) the run must write.
    pub fn vxlan_flags(&self) -> u16 {
        use generator::wire::vxlan::{FLAG_A, FLAG_D, FLAG_G, FLAG_I};
        match self.gbp {
            None => FLAG_I,
            Some(g) => {
                FLAG_G
                    | FLAG_I
                    | if g.dont_learn { FLAG_D } else { 0 }
                    | if g.policy_applied { FLAG_A } else { 0 }
            }
        }
    }
}

/// Length of the GENEVE header a GWLB adds (8 bytes + AWS's three options).
pub fn geneve_len() -> usize {
    geneve::Repr::aws_gwlb(EtherType::IPV4, 0, 0, 0).header_len()
}

/// The `N` of `(VNI N)` at the end of vxgen's summary line (the first VNI if
/// there are several).
pub fn summary_vni(stderr: &str) -> Option<u32> {
    let start = stderr.rfind("(VNI ")? + "(VNI ".len();
    let rest = &stderr[start..];
    let end = rest.find([',', ')'])?;
    rest[..end].trim().parse().ok()
}

/// Inner Ethernet header length: the inner frame starts with one (RFC 7348 section 5).
pub const INNER_ETH: usize = ethernet::HEADER_LEN;

// ---------------------------------------------------------------------------
// Classic pcap.

/// One record of a classic pcap file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcapRecord {
    pub ts_sec: u32,
    pub ts_frac: u32,
    pub data: Vec<u8>,
    pub orig_len: u32,
}

/// Parses a classic pcap file (either byte order, micro- or nanosecond
/// magic); panics on anything else. Returns the records and whether the
/// timestamps are nanoseconds.
pub fn read_pcap(bytes: &[u8]) -> (Vec<PcapRecord>, bool) {
    assert!(bytes.len() >= 24, "pcap file of {} bytes has no global header", bytes.len());
    let magic = u32::from_le_bytes(bytes[0..4].try_into().unwrap());
    let (le, nanos) = match magic {
        0xa1b2_c3d4 => (true, false),
        0xa1b2_3c4d => (true, true),
        0xd4c3_b2a1 => (false, false),
        0x4d3c_b2a1 => (false, true),
        m => panic!("not a classic pcap file: magic {m:#010x}"),
    };
    let u32_at = |at: usize| {
        let b: [u8; 4] = bytes[at..at + 4].try_into().unwrap();
        if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    assert_eq!(u32_at(20), 1, "pcap link type is not Ethernet (LINKTYPE_ETHERNET = 1)");
    let mut records = Vec::new();
    let mut at = 24;
    while at < bytes.len() {
        assert!(at + 16 <= bytes.len(), "pcap record {} has a cut header", records.len() + 1);
        let incl = u32_at(at + 8) as usize;
        assert!(at + 16 + incl <= bytes.len(), "pcap record {} has cut data", records.len() + 1);
        records.push(PcapRecord {
            ts_sec: u32_at(at),
            ts_frac: u32_at(at + 4),
            data: bytes[at + 16..at + 16 + incl].to_vec(),
            orig_len: u32_at(at + 12),
        });
        at += 16 + incl;
    }
    (records, nanos)
}

// ---------------------------------------------------------------------------
// The ground-truth comment of generate.rs `describe`:
// `egress tcp 10.0.1.23:41522 > 203.0.113.7:443 TLS ClientHello; https-outbound; vni 9999999, session 1
// [, gbp policy 4660 d=1 a=0][; truncated by PacketLength 64 (inner frame 74 bytes)
// | ; truncated to target MTU 1000 (inner frame 1514 bytes)][; delayed N us in the mirror path (reordered)]`;
// ends carry `:port` only for TCP and UDP.

/// A parsed packet comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// `ingress` or `egress`.
    pub direction: String,
    /// `tcp`, `udp`, `icmp`, `icmpv6` (IpProtocol's Display).
    pub protocol: String,
    pub src: IpAddr,
    pub src_port: Option<u16>,
    pub dst: IpAddr,
    pub dst_port: Option<u16>,
    pub label: String,
    /// The scenario's kind of flow (`https-outbound`, `dns`, ...), if given.
    pub kind: Option<String>,
    pub vni: u32,
    pub session: u16,
    pub gbp: Option<GbpOpt>,
    /// Why and from how many inner bytes the copy was truncated.
    pub truncation: Option<(Truncation, usize)>,
    /// Whether the copy was delayed in the mirror path.
    pub delayed: bool,
}

/// Parses a comment; panics, naming `frame`, if it does not have the shape above.
pub fn parse_comment(frame: usize, text: &str) -> Comment {
    let bad = |what: &str| -> ! { panic!("frame {frame}: frame.comment {text:?}: {what}") };
    let parts: Vec<&str> = text.split("; ").collect();
    let words: Vec<&str> = parts[0].splitn(6, ' ').collect();
    if words.len() < 6 || words[3] != ">" {
        bad("first part is not `DIR PROTO SRC[:PORT] > DST[:PORT] LABEL`");
    }
    let with_ports = matches!(words[1], "tcp" | "udp");
    let end = |s: &str| -> (IpAddr, Option<u16>) {
        if with_ports {
            let (a, p) = s.rsplit_once(':').unwrap_or_else(|| bad("a TCP/UDP end without `:port`"));
            (
                a.parse().unwrap_or_else(|_| bad("an address")),
                Some(p.parse().unwrap_or_else(|_| bad("a port"))),
            )
        } else {
            (s.parse().unwrap_or_else(|_| bad("an address")), None)
        }
    };
    let (src, src_port) = end(words[2]);
    let (dst, dst_port) = end(words[4]);
    let (mut meta, mut truncation, mut kind, mut delayed) = (None, None, None, false);
    for part in &parts[1..] {
        if part.starts_with("vni ") {
            meta = Some(*part);
        } else if part.starts_with("truncated") {
            let (head, tail) =
                part.split_once(" (inner frame ").unwrap_or_else(|| bad("truncation without inner frame"));
            let inner: usize = tail
                .strip_suffix(" bytes)")
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| bad("inner frame length"));
            let why = if let Some(n) = head.strip_prefix("truncated by PacketLength ") {
                Truncation::PacketLength(n.parse().unwrap_or_else(|_| bad("PacketLength value")))
            } else if let Some(n) = head.strip_prefix("truncated to target MTU ") {
                Truncation::Mtu(n.parse().unwrap_or_else(|_| bad("MTU value")))
            } else {
                bad("unknown truncation")
            };
            truncation = Some((why, inner));
        } else if part.starts_with("delayed ") {
            delayed = true;
        } else if kind.is_none() && meta.is_none() {
            kind = Some(part.to_string());
        } else {
            bad("an unknown part");
        }
    }
    let meta: Vec<&str> = meta.unwrap_or_else(|| bad("no `vni N, session M` part")).split(", ").collect();
    let vni = meta[0].strip_prefix("vni ").and_then(|v| v.parse().ok()).unwrap_or_else(|| bad("no `vni N`"));
    let session = meta
        .get(1)
        .and_then(|s| s.strip_prefix("session "))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| bad("no `session N`"));
    let gbp = meta.get(2).map(|g| {
        let w: Vec<&str> = g.split(' ').collect();
        match w.as_slice() {
            ["gbp", "policy", id, d, a] => GbpOpt {
                policy_id: id.parse().unwrap_or_else(|_| bad("gbp policy id")),
                dont_learn: *d == "d=1",
                policy_applied: *a == "a=1",
            },
            _ => bad("third meta item is not `gbp policy N d=X a=Y`"),
        }
    });
    Comment {
        direction: words[0].to_string(),
        protocol: words[1].to_string(),
        src,
        src_port,
        dst,
        dst_port,
        label: words[5].to_string(),
        kind,
        vni,
        session,
        gbp,
        truncation,
        delayed,
    }
}

// ---------------------------------------------------------------------------
// tshark.

/// Separator of repeated field values: a control character that no expert
/// message, comment or field value contains (commas do occur in comments).
pub const AGG: char = '\u{1f}';

/// Preferences that make tshark verify every checksum it can.
pub const CHECKSUM_PREFS: [&str; 3] =
    ["tcp.check_checksum:TRUE", "ip.check_checksum:TRUE", "udp.check_checksum:TRUE"];

/// tshark's `-T fields` output with access by field name; frames are
/// numbered from 1 as in tshark.
pub struct Dissection {
    fields: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Dissection {
    /// Dissects `file` with checksum verification on, every occurrence of each field.
    pub fn of(file: &Path, fields: &[&str]) -> Dissection {
        let mut all = vec!["frame.number"];
        all.extend_from_slice(fields);
        let agg = format!("aggregator={AGG}");
        let rows = crate::common::tshark_fields_with(file, &all, &CHECKSUM_PREFS, &["-E", &agg]);
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row[0], (i + 1).to_string(), "tshark rows out of order in {}", file.display());
        }
        Dissection { fields: all.iter().map(|s| s.to_string()).collect(), rows }
    }

    /// Number of frames.
    pub fn frames(&self) -> usize {
        self.rows.len()
    }

    /// The raw value of `field` in frame `frame` (1-based), occurrences joined by [`AGG`].
    pub fn raw(&self, frame: usize, field: &str) -> &str {
        let col = self
            .fields
            .iter()
            .position(|f| f == field)
            .unwrap_or_else(|| panic!("field {field} was not requested from tshark"));
        &self.rows[frame - 1][col]
    }

    /// Every occurrence of `field` in frame `frame`, outermost first.
    pub fn all(&self, frame: usize, field: &str) -> Vec<&str> {
        let raw = self.raw(frame, field);
        if raw.is_empty() {
            Vec::new()
        } else {
            raw.split(AGG).collect()
        }
    }

    /// Occurrence `index` (0 = outermost; negative counts from the innermost,
    /// -1 being the innermost) of `field` in `frame`; panics naming both if absent.
    pub fn at(&self, frame: usize, field: &str, index: isize) -> &str {
        let all = self.all(frame, field);
        let i = if index < 0 { all.len() as isize + index } else { index };
        usize::try_from(i)
            .ok()
            .and_then(|i| all.get(i).copied())
            .unwrap_or_else(|| panic!("frame {frame}: {field} has no occurrence {index} (values {all:?})"))
    }

    /// Occurrence `index` of `field` parsed as a number (decimal, or hex with `0x`).
    pub fn num(&self, frame: usize, field: &str, index: isize) -> u64 {
        let v = self.at(frame, field, index);
        let parsed = match v.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16),
            None => v.parse(),
        };
        parsed.unwrap_or_else(|_| panic!("frame {frame}: {field} = {v:?} is not a number"))
    }

    /// `(message, severity)` of every expert item of `frame`.
    pub fn expert(&self, frame: usize) -> Vec<(String, u32)> {
        let messages = self.all(frame, "_ws.expert.message");
        let severities = self.all(frame, "_ws.expert.severity");
        assert_eq!(
            messages.len(),
            severities.len(),
            "frame {frame}: _ws.expert.message and _ws.expert.severity do not pair up: {messages:?} / {severities:?}"
        );
        messages
            .into_iter()
            .zip(severities)
            .map(|(m, s)| {
                let sev = s.parse().unwrap_or_else(|_| panic!("frame {frame}: _ws.expert.severity {s:?}"));
                (m.to_string(), sev)
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------
// The inner packet as tshark reads it, whatever its protocols.

/// Fields [`Dissection::inner`] needs; include them in the request.
pub const INNER_FIELDS: &[&str] = &[
    "frame.len",
    "ip.src",
    "ip.dst",
    "ip.len",
    "ip.hdr_len",
    "ip.proto",
    "ipv6.src",
    "ipv6.dst",
    "ipv6.plen",
    "ipv6.nxt",
    "tcp.srcport",
    "tcp.dstport",
    "udp.srcport",
    "udp.dstport",
];

/// The mirrored (inner) packet of one frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inner {
    /// Whether it is IPv6.
    pub v6: bool,
    pub src: IpAddr,
    pub dst: IpAddr,
    /// IPv4 protocol / IPv6 next header.
    pub protocol: IpProtocol,
    /// TCP or UDP ports.
    pub src_port: Option<u16>,
    pub dst_port: Option<u16>,
    /// IP header length (IPv4 IHL * 4, or the 40-byte IPv6 header).
    pub ip_header_len: usize,
    /// The inner frame length its IP header claims: Ethernet + IPv4 total
    /// length, or Ethernet + 40 + IPv6 payload length.
    pub claimed_len: usize,
}

impl Inner {
    /// The mirror filter's view of it (ports kept for TCP and UDP only).
    pub fn key(&self) -> generator::flow::PacketKey {
        let ports = self.src_port.zip(self.dst_port);
        generator::flow::PacketKey::ip(self.src, self.dst, self.protocol, ports)
    }
}

impl Dissection {
    /// The inner packet of `frame`, behind `outer_ip` IPv4 headers and
    /// `outer_ip` UDP headers (1 for ENI and NLB copies, 2 behind a GWLB).
    pub fn inner(&self, frame: usize, outer_ip: usize) -> Inner {
        let v6 = !self.raw(frame, "ipv6.src").is_empty();
        let (src, dst, protocol, ip_header_len, claimed_len) = if v6 {
            (
                self.at(frame, "ipv6.src", 0).parse().expect("ipv6.src"),
                self.at(frame, "ipv6.dst", 0).parse().expect("ipv6.dst"),
                IpProtocol(self.num(frame, "ipv6.nxt", 0) as u8),
                40,
                INNER_ETH + 40 + self.num(frame, "ipv6.plen", 0) as usize,
            )
        } else {
            assert_eq!(
                self.all(frame, "ip.src").len(),
                outer_ip + 1,
                "frame {frame}: ip.src values: no inner IPv4 or IPv6 header dissected"
            );
            let i = outer_ip as isize;
            (
                self.at(frame, "ip.src", i).parse().expect("inner ip.src"),
                self.at(frame, "ip.dst", i).parse().expect("inner ip.dst"),
                IpProtocol(self.num(frame, "ip.proto", i) as u8),
                self.num(frame, "ip.hdr_len", i) as usize,
                INNER_ETH + self.num(frame, "ip.len", i) as usize,
            )
        };
        let (src_port, dst_port) = match protocol {
            IpProtocol::TCP => (
                Some(self.num(frame, "tcp.srcport", 0) as u16),
                Some(self.num(frame, "tcp.dstport", 0) as u16),
            ),
            IpProtocol::UDP => {
                let i = outer_ip as isize;
                assert_eq!(
                    self.all(frame, "udp.srcport").len(),
                    outer_ip + 1,
                    "frame {frame}: udp.srcport values"
                );
                (
                    Some(self.num(frame, "udp.srcport", i) as u16),
                    Some(self.num(frame, "udp.dstport", i) as u16),
                )
            }
            _ => (None, None),
        };
        Inner { v6, src, dst, protocol, src_port, dst_port, ip_header_len, claimed_len }
    }
}
