//! The `tcpdump` adapter: tcpdump's text output, parsed into the model.
//!
//! # How tcpdump is run
//!
//! `tcpdump -# -tt -S -K -nn -vv -e -r CAPTURE`: frame numbers (`-#`) and
//! epoch timestamps (`-tt`) make each frame's first line unambiguous;
//! absolute TCP sequence numbers (`-S`); no checksum verification (`-K`:
//! the model has no checksum verdicts); no name or port resolution
//! (`-nn`); IP header details, GENEVE option data and the question of a
//! DNS response (`-vv`); link-level headers (`-e`). Ports are decoded as
//! tcpdump does by default: UDP 4789 is VXLAN, 6081 GENEVE, and 8472 is
//! OTV (IANA's assignment), which is *not* translated into `vxlan`.
//!
//! # One tcpdump per run
//!
//! Starting tcpdump costs more than dissecting a small capture (about 6 ms
//! against well under 1 ms for one of the corpus's), so the adapter runs it
//! once per run and `--jobs` worker, in batch mode ([`super::batch`]):
//! `tcpdump -# -tt -S -K -nn -vv -e -l -V /dev/stdin` reads the captures
//! named on its standard input, one per line (`-V`), and prints each line
//! as it is done (`-l`). tcpdump marks no end of a capture's output, so
//! each capture is asked for between two readings of a sentinel capture
//! ([`sentinel_capture`]: one ARP request whose line, [`SENTINEL`], no
//! corpus capture prints) and its output is what lies between the
//! sentinels' two lines. tcpdump numbers frames across files, so each is
//! renumbered from the opening sentinel's number. A capture it cannot read
//! to its end (`pcap_loop:` on standard error) with no frame printed is a
//! crash, as the exit status 1 of `tcpdump -r` is. Run as root, tcpdump
//! would give up its privileges after reading the first file (Debian's
//! builds become the `tcpdump` user), and then fail to read a capture in a
//! private directory: batch mode passes `-Z root` to keep the privileges
//! `vxconform` runs with, so run `vxconform` as an ordinary user. The output
//! is the same as `tcpdump -r CAPTURE`'s ([`Tcpdump::decode_single`]),
//! capture by capture: `conformance/tests/adapters_tcpdump.rs` compares
//! both over the whole corpus.
//!
//! # What it reports
//!
//! Only what tcpdump prints, field by field:
//!
//! | layer | fields | from |
//! |---|---|---|
//! | `frame` | `number`, `original_len` | `-#`, the outer `length N` of `-e` (the wire length) |
//! | `frame` | `truncated: true` | a `[|proto]` marker or `truncated-ip - N bytes missing!` |
//! | `frame` | `malformed` | `VXLAN (invalid)` (fewer than 8 bytes after UDP: `vxlan_header_truncated`), any other `(invalid)` (`other`) |
//! | `outer.eth`, `inner.eth` | `src`, `dst`, `ethertype` | `SRC > DST, ethertype NAME (0xHHHH)` |
//! | `inner.vlan[]` | `vid`, `pcp`, `dei`, `ethertype` | `vlan V, p P[, DEI], ethertype ...` |
//! | `*.ipv4` | `dscp`, `ecn`, `ident`, `dont_frag`, `more_frags`, `frag_offset`, `ttl`, `protocol`, `total_len`, `options_present`, `src`, `dst` | `(tos 0xHH, ttl N, id N, offset N, flags [DF], proto NAME (N), length N[, options (...)])` (the offset is printed in bytes; `-v` prints options whenever IHL > 5) |
//! | `inner.ipv6` | `traffic_class`, `flow_label`, `hop_limit`, `next_header`, `payload_len`, `src`, `dst` | `(class 0xHH, flowlabel 0xH, hlim N, next-header NAME (N) payload length: N)`; class and flow label are printed only when not zero |
//! | `*.udp` | `src_port`, `dst_port` | `A.PORT > B.PORT:` (tcpdump prints no UDP length or checksum for these) |
//! | `geneve` | `version` (0: tcpdump prints only version 0), `oam`, `critical`, `vni`, `protocol_type`, `options[]` `class`, `type`, `data_len`, `data` | `Geneve, Flags [..], vni 0xH, proto NAME (0xHHHH), options [class C (0xH) type 0xH len L data ...]` (`len` counts the 4-byte option header) |
//! | `vxlan` | `flags8`, `flag_i`, `vni` | `VXLAN, flags [I] (0x08), vni N` |
//! | `inner.tcp` | `src_port`, `dst_port`, the eight `flag_*`, `seq`, `ack`, `window`, `urgent_pointer`, `payload_len`, `options` (`mss`, `window_scale`, `sack_permitted`, `tsval`, `tsecr`, `sack_blocks`) | `Flags [S.], seq A[:B], ack N, win N, urg N, options [...], length N`; `ack` only with ACK, `urg` only with URG; options only when tcpdump printed them all (`-v` prints them whenever the header has any) |
//! | `inner.icmp`, `inner.icmpv6` | `type` (echo request / reply), `ident`, `seq` | `ICMP echo request, id N, seq N` |
//! | `app.http` | `method`, `uri`, `version`, `status_code`, `host` | the request or status line and `Host:` line tcpdump prints after `HTTP, length: N`, unless cut (`[|http]`) |
//! | `app.dns` | `id`, `is_response`, `rcode` (responses: the name tcpdump prints, or NoError when it prints none), `query_name`, `query_type`, `answer_count` (responses) | `ID+ A? NAME. (LEN)`, `ID [RCODE] q: A? NAME. AN/NS/AR ...` |
//!
//! Not reported, because tcpdump does not print them: the VXLAN GBP reading
//! (`flags16`, `flag_g`, `flag_d`, `flag_a`, `reserved_flags`,
//! `group_policy_id`: tcpdump shows the first byte as RFC 7348's flags and
//! does not decode the Group Policy extension) and `reserved24`,
//! `reserved8`; captured length, truncation cause and limits; IPv4 and TCP
//! header lengths; the TCP flags word (tcpdump shows the eight flags, not
//! the reserved bits); UDP length and checksum; ICMP code; Ethernet
//! padding; TLS. A line tcpdump prints that the adapter does not
//! understand ends the parsing of that frame, keeping what was read: it
//! never fails a capture.

use super::batch::{Framing, Pool};
use super::{process, DecodeOptions, Decoder, DecoderFailure};
use generator::dissection::{
    App, Dns, Ethernet, FrameDissection, Geneve, GeneveOption, Http, Icmp, Inner, Ipv4, Ipv6, Malformation,
    MalformedReason, Outer, SackBlock, Tcp, TcpOptions, Udp, Vlan, Vxlan,
};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The tcpdump adapter.
#[derive(Debug, Default)]
pub struct Tcpdump {
    program: Option<PathBuf>,
    version: OnceLock<Option<String>>,
    batch: OnceLock<Result<Batched, String>>,
}

/// The batch-mode tcpdumps and the sentinel capture they read.
#[derive(Debug)]
struct Batched {
    // Dropped first: the processes end before the sentinel goes.
    pool: Pool,
    _dir: tempfile::TempDir,
}

/// The line of the sentinel capture, after its frame number
/// ([`sentinel_capture`] as `tcpdump -# -tt -S -K -nn -vv -e` prints it).
pub const SENTINEL: &str = "  1234567890.123456 02:65:6e:64:00:00 > 02:76:78:63:6f:6e, ethertype ARP (0x0806), length 60: \
                            Ethernet (len 6), IPv4 (len 4), Request who-has 198.51.100.1 tell 192.0.2.1, length 46";

/// The sentinel capture of batch mode: a classic pcap file (microseconds,
/// Ethernet) of one frame at 1234567890.123456, an ARP request from
/// 02:65:6e:64:00:00 (`\x02end`) to 02:76:78:63:6f:6e (`\x02vxcon`) for
/// 198.51.100.1 by 192.0.2.1 (documentation addresses, RFC 5737), padded to
/// 60 bytes.
///
/// ```
/// let pcap = conformance::decoder::tcpdump::sentinel_capture();
/// let frames = conformance::capture::read_capture(&pcap).unwrap();
/// assert_eq!((frames.len(), frames[0].data.len()), (1, 60));
/// ```
pub fn sentinel_capture() -> Vec<u8> {
    let mut f = Vec::with_capacity(100);
    // File header: magic, version 2.4, zone, accuracy, snap length, link type 1.
    f.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    f.extend_from_slice(&2u16.to_le_bytes());
    f.extend_from_slice(&4u16.to_le_bytes());
    for word in [0u32, 0, 65_535, 1] {
        f.extend_from_slice(&word.to_le_bytes());
    }
    // Record header: seconds, microseconds, captured and original length.
    for word in [1_234_567_890u32, 123_456, 60, 60] {
        f.extend_from_slice(&word.to_le_bytes());
    }
    let (dst, src) = ([0x02, 0x76, 0x78, 0x63, 0x6f, 0x6e], [0x02, 0x65, 0x6e, 0x64, 0x00, 0x00]);
    f.extend_from_slice(&dst);
    f.extend_from_slice(&src);
    f.extend_from_slice(&[0x08, 0x06]);
    // ARP (RFC 826): Ethernet, IPv4, lengths 6 and 4, request.
    f.extend_from_slice(&[0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01]);
    f.extend_from_slice(&src);
    f.extend_from_slice(&[192, 0, 2, 1]);
    f.extend_from_slice(&[0; 6]);
    f.extend_from_slice(&[198, 51, 100, 1]);
    f.resize(24 + 16 + 60, 0);
    f
}

/// Where the sentinel's line starts in `line` (its frame number, padded
/// to five columns by `-#`), if it is there.
fn find_sentinel(line: &str) -> Option<usize> {
    let at = line.find(SENTINEL)?;
    let head = &line[..at];
    let digits = head.len() - head.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return None;
    }
    let before = &head[..at - digits];
    let padding = 5usize.saturating_sub(digits).min(before.len() - before.trim_end_matches(' ').len());
    Some(at - digits - padding)
}

/// The frame number of a sentinel's line.
fn sentinel_number(line: &str) -> Option<u32> {
    line.trim_start().split(' ').next()?.parse().ok()
}

impl Tcpdump {
    /// The adapter running `tcpdump` from `PATH`.
    pub fn new() -> Tcpdump {
        Tcpdump::default()
    }

    /// The adapter running the tcpdump at `program`.
    pub fn with_program(program: impl Into<PathBuf>) -> Tcpdump {
        Tcpdump { program: Some(program.into()), ..Tcpdump::default() }
    }

    fn program(&self) -> &Path {
        self.program.as_deref().unwrap_or(Path::new("tcpdump"))
    }

    /// The command that prints `capture` (see the module documentation):
    /// the single mode, one tcpdump per capture.
    pub fn command(&self, capture: &Path) -> Command {
        let mut command = Command::new(self.program());
        command.args(FLAGS).arg("-r").arg(capture);
        command
    }

    /// The command of batch mode: reads capture paths on standard input.
    pub fn batch_command(&self) -> Command {
        let mut command = Command::new(self.program());
        command.args(FLAGS).arg("-l");
        #[cfg(unix)]
        {
            // SAFETY: geteuid(2) has no preconditions.
            if unsafe { libc::geteuid() } == 0 {
                command.args(["-Z", "root"]);
            }
        }
        command.args(["-V", "/dev/stdin"]);
        command
    }

    /// Its pool of batch-mode processes (started on first use), with the
    /// sentinel capture written to a temporary directory.
    pub fn pool(&self) -> Result<&Pool, DecoderFailure> {
        let batched = self.batch.get_or_init(|| {
            let dir = tempfile::Builder::new()
                .prefix("vxconform-tcpdump-")
                .tempdir()
                .map_err(|e| format!("cannot create a directory for tcpdump's sentinel capture: {e}"))?;
            let path = dir.path().join("sentinel.pcap");
            std::fs::write(&path, sentinel_capture())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            let capture = path
                .to_str()
                .filter(|p| !p.contains(['\n', '\r']))
                .ok_or_else(|| format!("the temporary path {} cannot be sent to tcpdump", path.display()))?
                .to_owned();
            let command = Tcpdump { program: self.program.clone(), ..Tcpdump::default() };
            let framing = Framing::Sentinel { capture, find: find_sentinel };
            let pool = Pool::with_framing(self.program().display().to_string(), framing, move || {
                command.batch_command()
            });
            Ok(Batched { pool, _dir: dir })
        });
        batched.as_ref().map(|b| &b.pool).map_err(|e| DecoderFailure::Setup(e.clone()))
    }

    /// Dissects `capture` with one tcpdump of its own (`tcpdump -r`): what
    /// [`Decoder::decode`] did before batch mode, kept to show that both
    /// modes read the same.
    pub fn decode_single(
        &self,
        capture: &Path,
        opts: &DecodeOptions,
    ) -> Result<super::Decoded, DecoderFailure> {
        let out = process::run(&mut self.command(capture), None, opts)?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let frames = parse_output(&stdout);
        // tcpdump exits 1 on a capture cut short, after printing the frames
        // before the cut: those still count.
        if !out.status.success() && (frames.is_empty() || out.status.code().is_none()) {
            return out.require_success().map(|_| Vec::new().into());
        }
        Ok(frames.into())
    }
}

/// The options of both modes (see the module documentation).
const FLAGS: [&str; 7] = ["-#", "-tt", "-S", "-K", "-nn", "-vv", "-e"];

impl Decoder for Tcpdump {
    fn name(&self) -> &str {
        "tcpdump"
    }

    /// The version `tcpdump --version` prints first (`4.99.3`).
    fn version(&self) -> Option<String> {
        self.version
            .get_or_init(|| {
                let out = process::run(
                    Command::new(self.program()).arg("--version"),
                    None,
                    &DecodeOptions::default(),
                )
                .ok()?;
                // Older versions print it on stderr.
                let text = format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
                let line = text.lines().find(|l| l.starts_with("tcpdump version"))?;
                line.split_whitespace().nth(2).map(str::to_string)
            })
            .clone()
    }

    /// One capture, asked of a batch-mode tcpdump (see the module
    /// documentation).
    fn decode(&self, capture: &Path, opts: &DecodeOptions) -> Result<super::Decoded, DecoderFailure> {
        let answer = self.pool()?.ask(capture, opts)?;
        let garbage = |reason: &str, excerpt: &str| DecoderFailure::Garbage {
            reason: reason.to_owned(),
            excerpt: super::shorten(excerpt, 120),
            stderr_tail: answer.stderr_tail.clone(),
        };
        let opening = answer.opening.as_deref().unwrap_or_default();
        let offset =
            sentinel_number(opening).ok_or_else(|| garbage("no number on the sentinel's line", opening))?;
        let mut text = String::new();
        for line in &answer.lines {
            text.push_str(&line.text);
            text.push('\n');
        }
        let mut frames = parse_output(&text);
        for f in &mut frames {
            f.frame.number = f
                .frame
                .number
                .checked_sub(offset)
                .filter(|n| *n > 0)
                .ok_or_else(|| garbage("a frame number not after the opening sentinel's", opening))?;
        }
        // `tcpdump -r` would have exited 1: with nothing printed, a crash.
        if frames.is_empty() && answer.stderr_tail.contains("pcap_loop: ") {
            return Err(DecoderFailure::Crashed {
                status: "tcpdump could not read the capture".into(),
                stderr_tail: answer.stderr_tail,
            });
        }
        Ok(frames.into())
    }
}

/// Parses the text of `tcpdump -# -tt -S -K -nn -vv -e` into one
/// dissection per frame. Never fails: what it does not understand it
/// leaves out.
///
/// ```
/// use conformance::decoder::tcpdump::parse_output;
///
/// let text = "    1  1705309200.000000 02:9d:44:10:6b:01 > 02:7c:11:e4:52:9a, ethertype IPv4 (0x0800), \
///             length 124: (tos 0x0, ttl 255, id 0, offset 0, flags [none], proto UDP (17), length 110)\n    \
///             10.0.1.23.65418 > 10.0.2.50.4789: VXLAN, flags [I] (0x88), vni 9999999\n";
/// let frames = parse_output(text);
/// let vxlan = frames[0].vxlan.as_ref().unwrap();
/// assert_eq!((vxlan.flags8, vxlan.flag_i, vxlan.vni), (Some(0x88), Some(true), Some(9_999_999)));
/// assert_eq!(vxlan.group_policy_id, None); // tcpdump does not decode GBP
/// ```
pub fn parse_output(text: &str) -> Vec<FrameDissection> {
    let mut frames = Vec::new();
    let mut current: Option<(u32, String)> = None;
    for line in text.lines() {
        if let Some((number, rest)) = frame_start(line) {
            if let Some((n, body)) = current.take() {
                frames.push(parse_frame(n, &body));
            }
            current = Some((number, rest.to_string()));
        } else if let Some((_, body)) = current.as_mut() {
            body.push('\n');
            body.push_str(line);
        }
    }
    if let Some((n, body)) = current {
        frames.push(parse_frame(n, &body));
    }
    frames
}

/// `    1  1705309200.000000 REST` as (1, REST).
fn frame_start(line: &str) -> Option<(u32, &str)> {
    // `-#` pads the number with spaces; continuation lines start with a
    // tab, four spaces and an address, or a MAC address.
    let s = line.trim_start_matches(' ');
    let digits = s.find(|c: char| !c.is_ascii_digit())?;
    let number = s[..digits].parse().ok()?;
    let s = s[digits..].strip_prefix("  ")?;
    let (stamp, rest) = s.split_once(' ')?;
    let (secs, frac) = stamp.split_once('.')?;
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    (all_digits(secs) && all_digits(frac)).then_some((number, rest))
}

/// Where in the frame a header sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pos {
    Outer,
    Geneve,
    Inner,
}

/// A cursor over a frame's text.
struct Cur<'a> {
    s: &'a str,
}

impl<'a> Cur<'a> {
    fn ws(&mut self) {
        self.s = self.s.trim_start();
    }

    fn eat(&mut self, prefix: &str) -> bool {
        match self.s.strip_prefix(prefix) {
            Some(rest) => {
                self.s = rest;
                true
            }
            None => false,
        }
    }

    /// The text up to `sep`, consuming both.
    fn until(&mut self, sep: &str) -> Option<&'a str> {
        let (head, rest) = self.s.split_once(sep)?;
        self.s = rest;
        Some(head)
    }

    /// A bracketed group starting here (`(`...`)` or `[`...`]`), nesting
    /// respected; returns its inside.
    fn group(&mut self) -> Option<&'a str> {
        let mut depth = 0usize;
        for (i, c) in self.s.char_indices() {
            match c {
                '(' | '[' => depth += 1,
                ')' | ']' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        let inside = &self.s[1..i];
                        self.s = &self.s[i + 1..];
                        return Some(inside);
                    }
                }
                _ if i == 0 => return None,
                _ => {}
            }
        }
        None
    }
}

/// Splits at top-level `", "` (not inside brackets or parentheses).
fn items(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 0 && bytes.get(i + 1) == Some(&b' ') => {
                out.push(s[start..i].trim());
                start = i + 2;
            }
            _ => {}
        }
    }
    out.push(s[start..].trim());
    out.retain(|i| !i.is_empty());
    out
}

fn num(s: &str) -> Option<u64> {
    let s = s.trim();
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

/// The value after `key ` in a list of items (`ttl 64` -> 64).
fn item<'a>(list: &[&'a str], key: &str) -> Option<&'a str> {
    list.iter().find_map(|i| i.strip_prefix(key).and_then(|r| r.strip_prefix(' ')))
}

/// The number in the last `(...)` of `NAME (N)` / `NAME (0xHHHH)`.
fn paren_number(s: &str) -> Option<u64> {
    let open = s.rfind('(')?;
    num(s[open + 1..].split(')').next()?)
}

fn is_mac(s: &str) -> bool {
    s.len() == 17
        && s.split(':').count() == 6
        && s.split(':').all(|o| o.len() == 2 && o.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The frame being built.
struct Builder {
    frame: FrameDissection,
    pos: Pos,
}

fn parse_frame(number: u32, body: &str) -> FrameDissection {
    let mut b = Builder { frame: FrameDissection::default(), pos: Pos::Outer };
    b.frame.frame.number = number;
    if body.contains("[|") || body.contains("bytes missing!") {
        b.frame.frame.truncated = Some(true);
    }
    let mut cur = Cur { s: body };
    let _ = b.ether(&mut cur);
    if b.frame.frame.malformed.is_none() && body.contains("(invalid)") {
        b.frame.frame.malformed = Some(Malformation { reason: MalformedReason::Other, layer: None });
    }
    b.frame
}

impl Builder {
    fn inner(&mut self) -> &mut Inner {
        self.frame.inner.get_or_insert_with(Inner::default)
    }

    fn outer(&mut self) -> &mut Outer {
        self.frame.outer.get_or_insert_with(Outer::default)
    }

    /// `SRC > DST, ethertype NAME (0xHHHH), length N: ...`
    fn ether(&mut self, cur: &mut Cur) -> Option<()> {
        cur.ws();
        let src = cur.until(" > ")?;
        let dst = cur.until(", ")?;
        if !is_mac(src) || !is_mac(dst) {
            return None;
        }
        let mut eth = Ethernet {
            src: Some(src.to_ascii_lowercase()),
            dst: Some(dst.to_ascii_lowercase()),
            ..Default::default()
        };
        let head = cur.until(": ").or_else(|| cur.until(":"))?;
        let parts = items(head);
        let ethertype = parts.iter().find_map(|p| p.strip_prefix("ethertype ")).and_then(paren_number);
        eth.ethertype = ethertype.and_then(|e| u16::try_from(e).ok());
        if self.pos == Pos::Outer {
            if let Some(len) = item(&parts, "length").and_then(num) {
                self.frame.frame.original_len = u32::try_from(len).ok();
            }
        }
        match self.pos {
            Pos::Outer => self.outer().eth = Some(eth),
            Pos::Geneve => {}
            Pos::Inner => self.inner().eth = Some(eth),
        }
        let mut ethertype = eth_type_of(ethertype)?;
        // 802.1Q tags: `vlan V, p P[, DEI], ethertype NAME (0xHHHH), `.
        while matches!(ethertype, 0x8100 | 0x88a8) {
            cur.ws();
            if !cur.s.starts_with("vlan ") {
                return None;
            }
            let until_type = cur.s.find("ethertype ")?;
            let close = cur.s[until_type..].find(')')? + until_type;
            let tag_text = &cur.s[..=close];
            cur.s = cur.s[close + 1..].trim_start_matches(',');
            let tag = items(tag_text);
            let next = tag.iter().find_map(|p| p.strip_prefix("ethertype ")).and_then(paren_number);
            let vlan = Vlan {
                vid: item(&tag, "vlan").and_then(num).and_then(|v| u16::try_from(v).ok()),
                pcp: item(&tag, "p").and_then(num).and_then(|v| u8::try_from(v).ok()),
                dei: Some(tag.contains(&"DEI")),
                ethertype: next.and_then(|e| u16::try_from(e).ok()),
            };
            if self.pos == Pos::Inner {
                self.inner().vlan.push(vlan);
            }
            ethertype = eth_type_of(next)?;
        }
        match ethertype {
            0x0800 => self.ipv4(cur),
            0x86dd => self.ipv6(cur),
            _ => None,
        }
    }

    /// `[truncated-ip - N bytes missing! ](tos ..., length N) A > B: ...`
    fn ipv4(&mut self, cur: &mut Cur) -> Option<()> {
        cur.ws();
        if cur.eat("truncated-ip - ") {
            cur.until("missing!")?;
            cur.ws();
        }
        let header = cur.group()?;
        let parts = items(header);
        let tos = item(&parts, "tos").and_then(|t| num(t.split(',').next()?));
        let flags = item(&parts, "flags").unwrap_or_default();
        let proto = item(&parts, "proto").and_then(paren_number).and_then(|p| u8::try_from(p).ok());
        let mut ip = Ipv4 {
            dscp: tos.map(|t| (t >> 2) as u8),
            ecn: tos.map(|t| (t & 3) as u8),
            ttl: item(&parts, "ttl").and_then(num).and_then(|v| u8::try_from(v).ok()),
            ident: item(&parts, "id").and_then(num).and_then(|v| u16::try_from(v).ok()),
            frag_offset: item(&parts, "offset").and_then(num).and_then(|v| u16::try_from(v / 8).ok()),
            dont_frag: item(&parts, "flags").map(|_| flags.contains("DF")),
            more_frags: item(&parts, "flags").map(|_| flags.contains('+')),
            protocol: proto,
            total_len: item(&parts, "length").and_then(num).and_then(|v| u16::try_from(v).ok()),
            options_present: Some(parts.iter().any(|p| p.starts_with("options "))),
            ..Default::default()
        };
        cur.ws();
        let (src, dst) = addresses(cur)?;
        let (src_ip, src_port) = split_port(src, proto_has_ports(proto));
        let (dst_ip, dst_port) = split_port(dst, proto_has_ports(proto));
        ip.src = src_ip.and_then(|a| a.parse().ok());
        ip.dst = dst_ip.and_then(|a| a.parse().ok());
        match self.pos {
            Pos::Outer => self.outer().ipv4 = Some(ip),
            Pos::Geneve => self.frame.geneve.get_or_insert_with(Geneve::default).ipv4 = Some(ip),
            Pos::Inner => self.inner().ipv4 = Some(ip),
        }
        self.transport(cur, proto?, src_port, dst_port)
    }

    /// `(class 0xHH, flowlabel 0xH, hlim N, next-header NAME (N) payload length: N) A > B: ...`
    fn ipv6(&mut self, cur: &mut Cur) -> Option<()> {
        cur.ws();
        let header = cur.group()?;
        let parts = items(header);
        let next_header = parts
            .iter()
            .find_map(|p| p.strip_prefix("next-header "))
            .and_then(|p| paren_number(p.split(" payload length").next()?))
            .and_then(|v| u8::try_from(v).ok());
        let payload_len = header
            .split_once("payload length: ")
            .and_then(|(_, r)| num(r.split(|c: char| !c.is_ascii_digit()).next()?))
            .and_then(|v| u16::try_from(v).ok());
        let mut ip = Ipv6 {
            // tcpdump prints class and flow label only when they are not 0.
            traffic_class: Some(item(&parts, "class").and_then(num).map_or(0, |v| v as u8)),
            flow_label: Some(item(&parts, "flowlabel").and_then(num).map_or(0, |v| v as u32)),
            hop_limit: item(&parts, "hlim").and_then(num).and_then(|v| u8::try_from(v).ok()),
            next_header,
            payload_len,
            ..Default::default()
        };
        cur.ws();
        let (src, dst) = addresses(cur)?;
        let (src_ip, src_port) = split_port(src, proto_has_ports(next_header));
        let (dst_ip, dst_port) = split_port(dst, proto_has_ports(next_header));
        ip.src = src_ip.and_then(|a| a.parse().ok());
        ip.dst = dst_ip.and_then(|a| a.parse().ok());
        if self.pos == Pos::Inner {
            self.inner().ipv6 = Some(ip);
        }
        self.transport(cur, next_header?, src_port, dst_port)
    }

    fn transport(&mut self, cur: &mut Cur, proto: u8, src: Option<u16>, dst: Option<u16>) -> Option<()> {
        cur.ws();
        match proto {
            17 => self.udp(cur, src?, dst?),
            6 if self.pos == Pos::Inner => self.tcp(cur, src?, dst?),
            1 | 58 if self.pos == Pos::Inner => self.icmp(cur, proto),
            _ => None,
        }
    }

    fn udp(&mut self, cur: &mut Cur, src: u16, dst: u16) -> Option<()> {
        let udp = Udp { src_port: Some(src), dst_port: Some(dst), length: None, checksum: None };
        match self.pos {
            Pos::Outer => self.outer().udp = Some(udp),
            Pos::Geneve => self.frame.geneve.get_or_insert_with(Geneve::default).udp = Some(udp),
            Pos::Inner => self.inner().udp = Some(udp),
        }
        if self.pos == Pos::Inner {
            if src == 53 || dst == 53 {
                self.dns(cur.s);
            }
            return Some(());
        }
        if cur.eat("VXLAN (invalid)") {
            self.frame.frame.malformed = Some(Malformation {
                reason: MalformedReason::VxlanHeaderTruncated,
                layer: Some("vxlan".into()),
            });
            return Some(());
        }
        if cur.eat("VXLAN, ") {
            return self.vxlan(cur);
        }
        if cur.eat("OTV, ") {
            // OTV (UDP 8472) shares VXLAN's layout, but tcpdump reads it as
            // another protocol: only the frame it carries is reported.
            cur.until("\n")?;
            self.pos = Pos::Inner;
            return self.ether(cur);
        }
        if cur.eat("Geneve, ") {
            return self.geneve(cur);
        }
        None
    }

    /// `flags [I] (0x08), vni N` then the inner frame.
    fn vxlan(&mut self, cur: &mut Cur) -> Option<()> {
        let line = cur.until("\n").unwrap_or_else(|| std::mem::take(&mut cur.s));
        let parts = items(line);
        let flags = item(&parts, "flags");
        let flags8 = flags.and_then(paren_number).and_then(|v| u8::try_from(v).ok());
        let vxlan = self.frame.vxlan.get_or_insert_with(Vxlan::default);
        vxlan.flags8 = flags8;
        // tcpdump prints `[I]` when 0x08 is set, `[invalid]` otherwise.
        vxlan.flag_i = flags.and_then(|f| {
            let word = f.split(']').next()?.strip_prefix('[')?;
            Some(word == "I")
        });
        vxlan.vni = item(&parts, "vni").and_then(num).and_then(|v| u32::try_from(v).ok());
        vxlan.vni?;
        self.pos = Pos::Inner;
        self.ether(cur)
    }

    /// `Flags [none], vni 0xH, proto NAME (0xHHHH), options [...]` then
    /// (protocol type 0x0800) the mirror copy's IPv4 header.
    fn geneve(&mut self, cur: &mut Cur) -> Option<()> {
        let line = cur.until("\n")?;
        let parts = items(line);
        let flags = item(&parts, "Flags").unwrap_or_default();
        let protocol_type = item(&parts, "proto").and_then(paren_number).and_then(|v| u16::try_from(v).ok());
        let mut g = Geneve {
            version: Some(0),
            oam: item(&parts, "Flags").map(|_| flags.contains('O')),
            critical: item(&parts, "Flags").map(|_| flags.contains('C')),
            vni: item(&parts, "vni").and_then(num).and_then(|v| u32::try_from(v).ok()),
            protocol_type,
            ..Default::default()
        };
        if let Some(opts) = item(&parts, "options") {
            let inside = opts.trim().strip_prefix('[').and_then(|o| o.strip_suffix(']')).unwrap_or_default();
            for o in items(inside) {
                let class = o.strip_prefix("class ").and_then(|r| paren_number(r.split(" type ").next()?));
                let words: Vec<&str> = o.split_whitespace().collect();
                let after = |key: &str| words.iter().position(|w| *w == key).and_then(|i| words.get(i + 1));
                let len = after("len").and_then(|l| num(l));
                let data = o.split_once(" data ").map(|(_, d)| d.split_whitespace().collect::<String>());
                g.options.push(GeneveOption {
                    class: class.and_then(|c| u16::try_from(c).ok()),
                    option_type: after("type").and_then(|t| num(t)).and_then(|t| u8::try_from(t).ok()),
                    data_len: len.and_then(|l| l.checked_sub(4)).and_then(|l| u8::try_from(l).ok()),
                    data: data.map(|d| d.to_ascii_lowercase()),
                });
            }
        }
        self.frame.geneve = Some(g);
        self.pos = Pos::Geneve;
        match protocol_type {
            Some(0x0800) => self.ipv4(cur),
            _ => None,
        }
    }

    /// `Flags [S.], seq A[:B], ack N, win N, urg N, options [...], length N[: HTTP...]`
    fn tcp(&mut self, cur: &mut Cur, src: u16, dst: u16) -> Option<()> {
        let mut tcp = Tcp { src_port: Some(src), dst_port: Some(dst), ..Default::default() };
        let text = cur.s;
        let line = text.split('\n').next().unwrap_or_default();
        let cut = line.contains("[|tcp]");
        let parts = items(line.split("[|").next().unwrap_or_default());
        if let Some(f) = item(&parts, "Flags") {
            let f = f.trim_start_matches('[').trim_end_matches(']');
            let has = |c: char| Some(f != "none" && f.contains(c));
            tcp.flag_fin = has('F');
            tcp.flag_syn = has('S');
            tcp.flag_rst = has('R');
            tcp.flag_psh = has('P');
            tcp.flag_ack = has('.');
            tcp.flag_urg = has('U');
            tcp.flag_ece = has('E');
            tcp.flag_cwr = has('W');
        }
        tcp.seq =
            item(&parts, "seq").and_then(|s| num(s.split(':').next()?)).and_then(|v| u32::try_from(v).ok());
        tcp.ack = item(&parts, "ack").and_then(num).and_then(|v| u32::try_from(v).ok());
        tcp.window = item(&parts, "win").and_then(num).and_then(|v| u16::try_from(v).ok());
        tcp.urgent_pointer = item(&parts, "urg").and_then(num).and_then(|v| u16::try_from(v).ok());
        let length = parts.iter().rev().find_map(|p| p.strip_prefix("length "));
        tcp.payload_len = length.and_then(|l| num(l.split(':').next()?)).and_then(|v| u32::try_from(v).ok());
        if !cut && tcp.flag_syn.is_some() {
            tcp.options = Some(match item(&parts, "options") {
                Some(o) => tcp_options(o.trim_start_matches('[').trim_end_matches(']')),
                None => TcpOptions { sack_permitted: Some(false), ..Default::default() },
            });
        }
        self.inner().tcp = Some(tcp);
        if let Some((_, http)) = text.split_once("HTTP, length: ") {
            if !http.contains("[|http]") {
                self.http(http);
            }
        }
        Some(())
    }

    /// `ICMP echo request, id N, seq N, length N` / `ICMP6, echo reply, id N, seq N`
    fn icmp(&mut self, cur: &mut Cur, proto: u8) -> Option<()> {
        let line = cur.s.split('\n').next().unwrap_or_default();
        let line = line.trim_start_matches("[icmp6 sum ok] ");
        let text = if proto == 1 { line.strip_prefix("ICMP ")? } else { line.strip_prefix("ICMP6, ")? };
        let parts = items(text);
        let kind = *parts.first()?;
        let icmp_type = match (proto, kind) {
            (1, "echo request") => 8,
            (1, "echo reply") => 0,
            (58, "echo request") => 128,
            (58, "echo reply") => 129,
            _ => return None,
        };
        let icmp = Icmp {
            icmp_type: Some(icmp_type),
            code: None,
            ident: item(&parts, "id").and_then(num).and_then(|v| u16::try_from(v).ok()),
            seq: item(&parts, "seq").and_then(num).and_then(|v| u16::try_from(v).ok()),
        };
        if proto == 1 {
            self.inner().icmp = Some(icmp);
        } else {
            self.inner().icmpv6 = Some(icmp);
        }
        Some(())
    }

    /// The head tcpdump prints after `HTTP, length: N`: one line per tab.
    fn http(&mut self, text: &str) {
        let mut lines = text.lines().skip(1).map(|l| l.trim_start_matches('\t').trim_end());
        let Some(first) = lines.next() else { return };
        let words: Vec<&str> = first.splitn(3, ' ').collect();
        let mut http = Http::default();
        if first.starts_with("HTTP/") {
            http.version = words.first().map(|v| v.to_string());
            http.status_code = words.get(1).and_then(|c| c.parse().ok());
        } else if words.len() == 3 && words[2].starts_with("HTTP/") {
            http.method = Some(words[0].to_string());
            http.uri = Some(words[1].to_string());
            http.version = Some(words[2].to_string());
            http.host = lines
                .take_while(|l| !l.is_empty())
                .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("host")))
                .map(|(_, v)| v.trim().to_string());
        } else {
            return;
        }
        self.frame.app.get_or_insert_with(App::default).http = Some(http);
    }

    /// `ID[+] TYPE? NAME. (LEN)` (query), `ID [RCODE] q: TYPE? NAME. AN/NS/AR ... (LEN)` (response).
    fn dns(&mut self, text: &str) {
        let line = text.split('\n').next().unwrap_or_default();
        if line.contains("[|domain]") {
            return;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(first) = words.first() else { return };
        let digits: String = first.chars().take_while(char::is_ascii_digit).collect();
        let Ok(id) = digits.parse::<u16>() else { return };
        let counts = words.iter().find_map(|w| {
            let mut it = w.split('/');
            let (a, b, c) = (it.next()?, it.next()?, it.next()?);
            let all = [a, b, c].iter().all(|x| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()));
            (all && it.next().is_none()).then(|| a.parse::<u16>().ok()).flatten()
        });
        let is_response = counts.is_some();
        let question = words.iter().position(|w| w.ends_with('?'));
        let mut dns = Dns { id: Some(id), is_response: Some(is_response), ..Default::default() };
        if let Some(q) = question {
            dns.query_type = dns_type(words[q].trim_end_matches('?'));
            dns.query_name = words.get(q + 1).map(|n| n.trim_end_matches('.').to_string());
        }
        if is_response {
            dns.answer_count = counts;
            // tcpdump names a non-zero RCODE right after the id and flags.
            let end = question
                .unwrap_or(words.len())
                .min(words.iter().position(|w| *w == "q:").unwrap_or(usize::MAX));
            dns.rcode = Some(words[1..end].iter().find_map(|w| dns_rcode(w)).unwrap_or(0));
        }
        self.frame.app.get_or_insert_with(App::default).dns = Some(dns);
    }
}

/// The EtherType that follows, if it is one the adapter can go on with.
fn eth_type_of(ethertype: Option<u64>) -> Option<u16> {
    ethertype.and_then(|e| u16::try_from(e).ok())
}

fn proto_has_ports(proto: Option<u8>) -> bool {
    matches!(proto, Some(6 | 17))
}

/// `A > B: ` (IPv6 addresses contain colons, never `": "`).
fn addresses<'a>(cur: &mut Cur<'a>) -> Option<(&'a str, &'a str)> {
    let src = cur.until(" > ")?;
    let line_end = cur.s.find('\n').unwrap_or(cur.s.len());
    let dst = match cur.s[..line_end].find(": ") {
        Some(i) => {
            let dst = &cur.s[..i];
            cur.s = &cur.s[i + 2..];
            dst
        }
        None => {
            let dst = cur.s[..line_end].strip_suffix(':')?;
            cur.s = &cur.s[line_end..];
            dst
        }
    };
    (!src.contains(char::is_whitespace) && !dst.contains(char::is_whitespace)).then_some((src, dst))
}

/// `10.0.1.23.443` as (`10.0.1.23`, 443); `2001:db8::1.443` likewise. Without ports, the address.
fn split_port(addr: &str, has_port: bool) -> (Option<&str>, Option<u16>) {
    if !has_port {
        return (Some(addr), None);
    }
    match addr.rsplit_once('.') {
        Some((a, p)) if a.parse::<IpAddr>().is_ok() => (Some(a), p.parse().ok()),
        _ => (addr.parse::<IpAddr>().is_ok().then_some(addr), None),
    }
}

/// `mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7,sack 1 {1:2}`
fn tcp_options(text: &str) -> TcpOptions {
    let mut o = TcpOptions { sack_permitted: Some(false), ..Default::default() };
    for opt in text.split(',').map(str::trim) {
        let words: Vec<&str> = opt.split_whitespace().collect();
        match words.as_slice() {
            ["mss", v] => o.mss = v.parse().ok(),
            ["wscale", v] => o.window_scale = v.parse().ok(),
            ["sackOK"] => o.sack_permitted = Some(true),
            ["TS", "val", a, "ecr", b] => {
                o.tsval = a.parse().ok();
                o.tsecr = b.parse().ok();
            }
            ["sack", _, blocks @ ..] => {
                for block in blocks.concat().split('}') {
                    let block = block.trim_start_matches('{');
                    if let Some((l, r)) = block.split_once(':') {
                        if let (Ok(left), Ok(right)) = (l.parse(), r.parse()) {
                            o.sack_blocks.push(SackBlock { left, right });
                        }
                    }
                }
            }
            _ => {}
        }
    }
    o
}

/// tcpdump's DNS type names (print-domain.c `ns_type2str`), the common ones.
fn dns_type(name: &str) -> Option<u16> {
    const TYPES: [(&str, u16); 14] = [
        ("A", 1),
        ("NS", 2),
        ("CNAME", 5),
        ("SOA", 6),
        ("PTR", 12),
        ("MX", 15),
        ("TXT", 16),
        ("AAAA", 28),
        ("SRV", 33),
        ("NAPTR", 35),
        ("DS", 43),
        ("SVCB", 64),
        ("HTTPS", 65),
        ("ANY", 255),
    ];
    TYPES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .or_else(|| name.strip_prefix("Type")?.parse().ok())
}

/// tcpdump's RCODE names (print-domain.c `ns_rcode`); NoError is printed as nothing.
fn dns_rcode(word: &str) -> Option<u8> {
    const RCODES: [(&str, u8); 10] = [
        ("FormErr", 1),
        ("ServFail", 2),
        ("NXDomain", 3),
        ("NotImp", 4),
        ("Refused", 5),
        ("YXDomain", 6),
        ("YXRRSet", 7),
        ("NXRRSet", 8),
        ("NotAuth", 9),
        ("NotZone", 10),
    ];
    RCODES.iter().find(|(n, _)| *n == word).map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentinel_is_found_with_its_number_even_after_unfinished_output() {
        assert_eq!(find_sentinel(&format!("    7{SENTINEL}")), Some(0));
        assert_eq!(find_sentinel(&format!("12345{SENTINEL}")), Some(0));
        // After a hex dump printed without its newline.
        let glued = format!("\t0x0000:  2e2e   ..   12{SENTINEL}");
        let at = find_sentinel(&glued).unwrap();
        assert_eq!(&glued[at..at + 5], "   12");
        assert_eq!(sentinel_number(&glued[at..]), Some(12));
        // Without a number it is some other frame's text.
        assert_eq!(find_sentinel(SENTINEL), None);
        assert_eq!(find_sentinel("    3  1705309200.000000 02:9d:44:10:6b:01 > 02:7c:11:e4:52:9a"), None);
    }
}
