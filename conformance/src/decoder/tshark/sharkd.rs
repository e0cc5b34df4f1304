//! tshark's engine as one long-lived process: `sharkd`, Wireshark's
//! daemon, driven over its JSON-RPC console (`sharkd -`), so that a corpus
//! run pays tshark's start (about 0.3 s of dissector registration) once
//! instead of once per vector.
//!
//! # The conversation, per capture
//!
//! ```text
//! -> {"jsonrpc":"2.0","id":1,"method":"load","params":{"file":PATH}}
//! -> {"jsonrpc":"2.0","id":2,"method":"status"}
//! <- {"jsonrpc":"2.0","id":1,"result":{"status":"OK"}}       (or "error")
//! <- {"jsonrpc":"2.0","id":2,"result":{"frames":N,...}}
//! -> {"jsonrpc":"2.0","id":3,"method":"frame","params":{"frame":1,"proto":true}}  ... one per frame
//! <- {"jsonrpc":"2.0","id":3,"result":{"tree":[...]}}         ... one per frame
//! ```
//!
//! `load` closes the previous capture and starts a new dissection session,
//! so that no state (TCP reassembly, conversations) crosses from one
//! vector to the next, as with one tshark process per vector. The answer
//! is read by the batch pool ([`super::super::batch::Pool`], framing
//! [`Framing::Sharkd`](super::super::batch::Framing)) with the isolation
//! of batch mode: a capture that hangs, crashes sharkd or makes it print
//! garbage fails alone and the next capture gets a fresh process.
//!
//! # From the tree to tshark's fields
//!
//! Each tree node that has a field carries its display filter, `"f":
//! "vxlan.vni == 9999999"`; [`tree_row`] walks the tree depth first and
//! collects, for every field the adapter requests, its values in the order
//! `tshark -T fields -E occurrence=a` prints them, in the form it prints
//! them (strings unquoted, bytes as hex). Fields without a value
//! (`_ws.malformed`, `_ws.short`) take their label, as `-T fields` prints
//! it, and an expert item (`_ws.expert`, label `Expert Info (Error/Malformed):
//! MESSAGE`) gives its message to `_ws.expert.message`. The row then goes
//! through the same [`translate_row`](super::translate_row) as `-T fields`
//! output: one translation, two transports. `conformance/tests/adapters_tshark.rs`
//! checks, for every vector of the corpus, that both give the same
//! dissection.
//!
//! # Configuration and privileges
//!
//! sharkd takes no `-o` options: the preferences tshark gets on its command
//! line ([`PREFS`](super::fields::PREFS), [`EXTRA_PREFS`](super::EXTRA_PREFS))
//! and `-n` (no name resolution) are written to a private configuration
//! directory's `preferences` file (`WIRESHARK_CONFIG_DIR`). sharkd's tree
//! leaves out hidden fields, which `-T fields` prints; those the map
//! requests, `tcp.seq_raw` and `tcp.ack_raw`, have the values of `tcp.seq`
//! and `tcp.ack` with relative sequence numbers off ([`HIDDEN`]). sharkd reads
//! Wireshark's 2.3 MB OUI table (`manuf`) and three other name tables anew
//! for every capture it loads (about 60 ms each time, most of the cost of a
//! load); name resolution is off, so they are left out of a private data
//! directory (`WIRESHARK_DATA_DIR`, links to every other file of
//! Wireshark's), which makes a load take about a millisecond.
//!
//! Wireshark ignores both variables in a process that runs as root (its
//! "special privileges" check). Run as root, the adapter therefore starts
//! sharkd as the unprivileged user `nobody`, which also keeps a dissector
//! reading untrusted captures from running as root; each capture is
//! copied into the private directory (owned by that user, mode 0700)
//! before it is loaded, so that captures under a root-only directory stay
//! readable. Without a `nobody` user, sharkd runs as root with Wireshark's
//! own configuration, slower and with the user's preferences.

use super::super::batch::{AnswerLine, Framing, Pool};
use super::super::{shorten, DecodeOptions, Decoded, DecoderFailure};
use super::{fields::PREFS, translate_row, Tshark, EXTRA_PREFS};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The files of Wireshark's data directory left out of the private one:
/// name tables sharkd rereads for every capture and that only resolve
/// names, which the adapter turns off.
pub const SKIPPED_DATA_FILES: [&str; 4] = ["manuf", "wka", "services", "enterprises.tsv"];

/// Hidden fields of the map, which sharkd's tree leaves out, and the
/// visible field that holds the same value under the adapter's
/// preferences: with `tcp.relative_sequence_numbers` off, `tcp.seq` is the
/// sequence number on the wire, as `tcp.seq_raw` is (and `tcp.ack` the
/// acknowledgment number: Wireshark hides `tcp.ack_raw` on some segments).
pub const HIDDEN: [(&str, &str); 2] = [("tcp.seq_raw", "tcp.seq"), ("tcp.ack_raw", "tcp.ack")];

/// The preferences written to the private configuration: tshark's
/// command-line preferences, and name resolution off (tshark's `-n`).
pub fn preferences() -> String {
    let mut out = String::from("# Written by vxconform for sharkd: tshark's -o preferences and -n.\n");
    for pref in PREFS.iter().chain(EXTRA_PREFS.iter()) {
        if let Some((name, value)) = pref.split_once(':') {
            out.push_str(&format!("{name}: {value}\n"));
        }
    }
    for name in [
        "mac_name",
        "transport_name",
        "network_name",
        "dns_pkt_addr_resolution",
        "use_external_name_resolver",
    ] {
        out.push_str(&format!("nameres.{name}: FALSE\n"));
    }
    out
}

/// The state of one capture's conversation with sharkd.
#[derive(Debug, Default)]
pub(crate) enum Conversation {
    /// Waiting for `load`'s answer.
    #[default]
    Loading,
    /// Waiting for `status`'s; with `load`'s refusal, if it refused.
    Counting(Option<String>),
    /// Waiting for the frames' answers.
    Frames {
        /// The frame count `status` gave.
        total: u64,
        /// Frames answered so far.
        answered: u64,
    },
}

/// What one line of sharkd's output means for the answer being read.
#[derive(Debug)]
pub(crate) enum Step {
    /// Nothing to keep (the answer to `load`).
    Nothing,
    /// Requests to send next (the frames, after `status`).
    Send(Vec<u8>),
    /// One frame's result; `true` when it is the last.
    Frame(AnswerLine, bool),
    /// The answer is complete without a frame; with sharkd's refusal, if
    /// it refused the capture.
    End(Option<String>),
}

/// The first requests for the capture at `path` (`load`, then `status`).
pub(crate) fn first_requests(path: &str) -> String {
    let load = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "load", "params": {"file": path}});
    format!("{load}\n{{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"status\"}}\n")
}

/// The request for frame `n` (from 1), with the id `n + 2`.
fn frame_request(n: u64) -> String {
    format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"frame\",\"params\":{{\"frame\":{n},\"proto\":true}}}}\n",
        n + 2
    )
}

impl Conversation {
    /// Reads one line of sharkd's output (`value`, parsed from `text`).
    /// Errors: why the line is not sharkd's answer or is out of step.
    pub(crate) fn line(&mut self, text: &str, value: Value) -> Result<Step, String> {
        let Some(object) = value.as_object().filter(|o| o.get("jsonrpc") == Some(&Value::from("2.0"))) else {
            return Err("a line is not a JSON-RPC 2.0 response".into());
        };
        let Some(id) = object.get("id").and_then(Value::as_u64) else {
            return Err("a response has no numeric id".into());
        };
        let error = object.get("error").map(|e| {
            let message = e.get("message").and_then(Value::as_str).unwrap_or("no message");
            match e.get("code") {
                Some(code) => format!("sharkd error {code}: {message}"),
                None => format!("sharkd error: {message}"),
            }
        });
        let due = match self {
            Conversation::Loading => 1,
            Conversation::Counting(_) => 2,
            Conversation::Frames { answered, .. } => *answered + 3,
        };
        if id != due {
            return Err(format!("a response has the id {id} where {due} was due (out of step)"));
        }
        match self {
            Conversation::Loading => {
                // A refusal is kept until `status` has answered too, so that
                // the stream stays in step for the next capture.
                *self = Conversation::Counting(error);
                Ok(Step::Nothing)
            }
            Conversation::Counting(refused) => {
                if let Some(why) = refused.take() {
                    return Ok(Step::End(Some(why)));
                }
                let total = match object.get("result").and_then(|r| r.get("frames")) {
                    None => 0,
                    Some(n) => n.as_u64().ok_or("status gave a frame count that is not a count")?,
                };
                *self = Conversation::Frames { total, answered: 0 };
                if total == 0 {
                    return Ok(Step::End(None));
                }
                Ok(Step::Send((1..=total).map(frame_request).collect::<String>().into_bytes()))
            }
            Conversation::Frames { total, answered } => {
                if let Some(why) = error {
                    return Err(format!("frame {} was refused: {why}", *answered + 1));
                }
                let Some(result) =
                    object.get("result").filter(|r| r.get("tree").is_some_and(Value::is_array))
                else {
                    return Err(format!("the answer for frame {} has no tree", *answered + 1));
                };
                *answered += 1;
                let line = AnswerLine { text: shorten(text, 200), value: result.clone() };
                Ok(Step::Frame(line, answered == total))
            }
        }
    }
}

/// The row [`translate_row`] reads, from one frame's tree: every requested
/// field's values, in tree order (see the module documentation).
pub fn tree_row(tree: &Value) -> HashMap<&'static str, Vec<String>> {
    let wanted = Tshark::fields();
    let mut row: HashMap<&'static str, Vec<String>> = HashMap::new();
    fn walk(nodes: &[Value], wanted: &[&'static str], row: &mut HashMap<&'static str, Vec<String>>) {
        for node in nodes {
            let label = node.get("l").and_then(Value::as_str).unwrap_or("");
            if let Some(filter) = node.get("f").and_then(Value::as_str) {
                let (name, value) = match filter.split_once(" == ") {
                    Some((name, value)) => (name, Some(value)),
                    None => (filter, None),
                };
                if name == "_ws.expert" {
                    if let Some(message) = expert_message(label) {
                        row.entry("_ws.expert.message").or_default().push(message.to_owned());
                    }
                } else if let Some(field) = wanted.iter().find(|w| **w == name) {
                    let value = match value {
                        Some(v) => unquote(v),
                        None => label.to_owned(),
                    };
                    row.entry(field).or_default().push(value);
                }
            }
            if let Some(children) = node.get("n").and_then(Value::as_array) {
                walk(children, wanted, row);
            }
        }
    }
    if let Some(nodes) = tree.get("tree").and_then(Value::as_array) {
        walk(nodes, &wanted, &mut row);
    }
    for (hidden, visible) in HIDDEN {
        if !row.contains_key(hidden) {
            if let Some(values) = collect(tree, visible) {
                row.insert(hidden, values);
            }
        }
    }
    row
}

/// The values of the field `name` in the tree, in tree order.
fn collect(tree: &Value, name: &str) -> Option<Vec<String>> {
    fn walk(nodes: &[Value], name: &str, out: &mut Vec<String>) {
        for node in nodes {
            let filter = node.get("f").and_then(Value::as_str).unwrap_or("");
            if let Some((n, value)) = filter.split_once(" == ") {
                if n == name {
                    out.push(unquote(value));
                }
            }
            if let Some(children) = node.get("n").and_then(Value::as_array) {
                walk(children, name, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(tree.get("tree")?.as_array()?, name, &mut out);
    (!out.is_empty()).then_some(out)
}

/// The message of an expert item's label, `Expert Info (Warning/Sequence): MESSAGE`.
fn expert_message(label: &str) -> Option<&str> {
    let rest = label.strip_prefix("Expert Info (")?;
    let (_, message) = rest.split_once("): ")?;
    Some(message)
}

/// A display-filter value as `-T fields` prints it: a quoted string
/// unquoted and unescaped (`\"`, `\\`, `\xHH`, `\n`, ...); anything else as
/// it is.
pub fn unquote(value: &str) -> String {
    let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
        return value.to_owned();
    };
    let mut bytes = Vec::with_capacity(inner.len());
    let mut chars = inner.bytes().peekable();
    while let Some(b) = chars.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match chars.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(b'r') => bytes.push(b'\r'),
            Some(b'a') => bytes.push(0x07),
            Some(b'b') => bytes.push(0x08),
            Some(b'f') => bytes.push(0x0c),
            Some(b'v') => bytes.push(0x0b),
            Some(b'x') => {
                let hex: Vec<u8> =
                    std::iter::from_fn(|| chars.next_if(u8::is_ascii_hexdigit)).take(2).collect();
                match u8::from_str_radix(std::str::from_utf8(&hex).unwrap_or(""), 16) {
                    Ok(v) => bytes.push(v),
                    Err(_) => bytes.extend_from_slice(b"\\x"),
                }
            }
            Some(other) => bytes.push(other),
            None => bytes.push(b'\\'),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// One frame's result (`{"tree": [...]}`) as a dissection, through the
/// `-T fields` translation; `None` without a frame number.
pub fn translate_tree(tree: &Value) -> Option<generator::dissection::FrameDissection> {
    let owned = tree_row(tree);
    let row: HashMap<&str, Vec<&str>> = owned
        .iter()
        .map(|(k, v)| (*k, v.iter().map(String::as_str).filter(|s| !s.is_empty()).collect()))
        .collect();
    translate_row(&row)
}

/// sharkd, run through a batch pool with a private configuration.
pub struct Sharkd {
    program: PathBuf,
    pool: Pool,
    private: Private,
}

impl std::fmt::Debug for Sharkd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sharkd").field("program", &self.program).field("pool", &self.pool).finish()
    }
}

impl Sharkd {
    /// sharkd at `program` (e.g. `/usr/bin/sharkd`). Errors: the private
    /// directory cannot be made.
    pub fn new(program: &Path) -> Result<Sharkd, DecoderFailure> {
        let private = Private::new(program)
            .map_err(|e| DecoderFailure::Setup(format!("cannot prepare sharkd's private directory: {e}")))?;
        let launch = {
            let program = program.to_owned();
            let config = private.config.clone();
            let data = private.data.clone();
            let user = private.user;
            move || {
                let mut c = Command::new(&program);
                c.arg("-").env("WIRESHARK_CONFIG_DIR", &config);
                if let Some(data) = &data {
                    c.env("WIRESHARK_DATA_DIR", data);
                }
                if let Some((uid, gid)) = user {
                    use std::os::unix::process::CommandExt;
                    c.uid(uid).gid(gid).env("HOME", &config);
                }
                c
            }
        };
        let pool = Pool::with_framing(program.display().to_string(), Framing::Sharkd, launch);
        Ok(Sharkd { program: program.to_owned(), pool, private })
    }

    /// Its pool of processes.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Whether sharkd runs as another user than the runner (`nobody`, when
    /// the runner is root).
    pub fn drops_privileges(&self) -> bool {
        self.private.user.is_some()
    }

    /// The dissection of `capture` (see the module documentation).
    pub fn decode(&self, capture: &Path, opts: &DecodeOptions) -> Result<Decoded, DecoderFailure> {
        let copy = self.private.copy(capture)?;
        let answer = self.pool.ask(&copy, opts);
        drop(copy);
        let answer = answer?;
        let mut frames = Vec::with_capacity(answer.lines.len());
        for line in &answer.lines {
            match translate_tree(&line.value) {
                Some(frame) => frames.push(frame),
                None => {
                    return Err(DecoderFailure::Garbage {
                        reason: "a frame's tree has no frame number".into(),
                        excerpt: line.text.clone(),
                        stderr_tail: answer.stderr_tail.clone(),
                    })
                }
            }
        }
        Ok(frames.into())
    }
}

/// The private directory: configuration, data links, and the captures
/// handed to sharkd; removed when dropped.
struct Private {
    /// The directory itself, removed with everything in it when dropped.
    _root: tempfile::TempDir,
    config: PathBuf,
    data: Option<PathBuf>,
    captures: PathBuf,
    /// The user sharkd runs as, when not the runner's.
    user: Option<(u32, u32)>,
}

impl Private {
    fn new(program: &Path) -> std::io::Result<Private> {
        let root = tempfile::Builder::new().prefix("vxconform-sharkd-").tempdir()?;
        let config = root.path().join("config");
        let captures = root.path().join("captures");
        std::fs::create_dir(&config)?;
        std::fs::create_dir(&captures)?;
        std::fs::write(config.join("preferences"), preferences())?;
        let data = Wireshark::data_dir(program).map(|global| -> std::io::Result<PathBuf> {
            let data = root.path().join("data");
            std::fs::create_dir(&data)?;
            for entry in std::fs::read_dir(&global)? {
                let entry = entry?;
                let name = entry.file_name();
                if SKIPPED_DATA_FILES.iter().any(|s| name == *s) {
                    continue;
                }
                std::os::unix::fs::symlink(entry.path(), data.join(&name))?;
            }
            Ok(data)
        });
        let data = data.transpose()?;
        // SAFETY: geteuid has no preconditions.
        let user = if unsafe { libc::geteuid() } == 0 { nobody() } else { None };
        if let Some((uid, gid)) = user {
            for dir in [root.path(), &config, &captures] {
                std::os::unix::fs::chown(dir, Some(uid), Some(gid))?;
            }
            std::os::unix::fs::chown(config.join("preferences"), Some(uid), Some(gid))?;
        }
        Ok(Private { _root: root, config, data, captures, user })
    }

    /// A copy of `capture` that sharkd can read, removed when dropped.
    fn copy(&self, capture: &Path) -> Result<tempfile::TempPath, DecoderFailure> {
        let setup = |e: std::io::Error| {
            DecoderFailure::Setup(format!("cannot hand {} to sharkd: {e}", capture.display()))
        };
        let mut copy =
            tempfile::Builder::new().prefix("capture-").tempfile_in(&self.captures).map_err(setup)?;
        std::io::copy(&mut std::fs::File::open(capture).map_err(setup)?, &mut copy).map_err(setup)?;
        let path = copy.into_temp_path();
        if let Some((uid, gid)) = self.user {
            std::os::unix::fs::chown(&path, Some(uid), Some(gid)).map_err(setup)?;
        }
        Ok(path)
    }
}

/// Where Wireshark keeps its data files, for the sharkd at `program`.
struct Wireshark;

impl Wireshark {
    /// `PREFIX/share/wireshark` for `PREFIX/bin/sharkd`, when it holds `manuf`.
    fn data_dir(program: &Path) -> Option<PathBuf> {
        let program = std::fs::canonicalize(program).ok()?;
        let dir = program.parent()?.parent()?.join("share").join("wireshark");
        dir.join("manuf").is_file().then_some(dir)
    }
}

/// The uid and gid of the user `nobody`, if there is one.
fn nobody() -> Option<(u32, u32)> {
    // SAFETY: the name is a NUL-terminated literal; getpwnam's result is
    // read at once, before any other call that could reuse its storage.
    unsafe {
        let pw = libc::getpwnam(c"nobody".as_ptr());
        if pw.is_null() {
            return None;
        }
        Some(((*pw).pw_uid, (*pw).pw_gid))
    }
}

/// The sharkd beside the tshark at `tshark` (`sharkd` on `PATH` for a bare
/// `tshark`), if there is one.
pub fn beside(tshark: &Path) -> Option<PathBuf> {
    if tshark.components().count() > 1 {
        let candidate = tshark.with_file_name("sharkd");
        return candidate.is_file().then_some(candidate);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join("sharkd")).find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_unquoted_as_tshark_prints_them() {
        assert_eq!(unquote(r#""eth:ethertype:ip""#), "eth:ethertype:ip");
        assert_eq!(unquote(r#""a \"b\" \\ c\x41\n""#), "a \"b\" \\ cA\n");
        assert_eq!(unquote("0x0800"), "0x0800");
        assert_eq!(unquote("02:9d:44:10:6b:01"), "02:9d:44:10:6b:01");
    }

    #[test]
    fn expert_labels_give_their_message() {
        assert_eq!(
            expert_message(
                "Expert Info (Error/Protocol): IPv4 total length exceeds packet length (26 bytes)"
            ),
            Some("IPv4 total length exceeds packet length (26 bytes)")
        );
        assert_eq!(expert_message("Flags: 0x0800"), None);
    }

    #[test]
    fn a_tree_becomes_the_row_of_tshark_fields() {
        let tree = serde_json::json!({"tree": [
            {"l": "Frame 1", "f": "frame", "n": [
                {"l": "Frame Number: 1", "f": "frame.number == 1"},
                {"l": "Protocols", "f": "frame.protocols == \"eth:ethertype:ip:udp:vxlan\""}]},
            {"l": "VXLAN", "f": "vxlan", "n": [{"l": "VNI", "f": "vxlan.vni == 42"}]},
            {"l": "[Malformed Packet: VXLAN]", "f": "_ws.malformed", "n": [
                {"l": "Expert Info (Error/Malformed): Malformed Packet (Exception occurred)", "f": "_ws.expert"}]}
        ]});
        let row = tree_row(&tree);
        assert_eq!(row["frame.number"], ["1"]);
        assert_eq!(row["frame.protocols"], ["eth:ethertype:ip:udp:vxlan"]);
        assert_eq!(row["vxlan.vni"], ["42"]);
        assert_eq!(row["_ws.malformed"], ["[Malformed Packet: VXLAN]"]);
        assert_eq!(row["_ws.expert.message"], ["Malformed Packet (Exception occurred)"]);
        let frame = translate_tree(&tree).unwrap();
        assert_eq!(frame.vxlan.unwrap().vni, Some(42));
    }

    #[test]
    fn the_conversation_asks_for_each_frame_then_ends() {
        let mut c = Conversation::default();
        let line = |c: &mut Conversation, text: &str| c.line(text, serde_json::from_str(text).unwrap());
        assert!(matches!(
            line(&mut c, r#"{"jsonrpc":"2.0","id":1,"result":{"status":"OK"}}"#),
            Ok(Step::Nothing)
        ));
        let Ok(Step::Send(requests)) = line(&mut c, r#"{"jsonrpc":"2.0","id":2,"result":{"frames":2}}"#)
        else {
            panic!("status should ask for the frames")
        };
        assert_eq!(String::from_utf8(requests).unwrap().lines().count(), 2);
        assert!(matches!(
            line(&mut c, r#"{"jsonrpc":"2.0","id":3,"result":{"tree":[]}}"#),
            Ok(Step::Frame(_, false))
        ));
        assert!(line(&mut c, r#"{"jsonrpc":"2.0","id":9,"result":{"tree":[]}}"#).is_err(), "out of step");
        assert!(matches!(
            line(&mut c, r#"{"jsonrpc":"2.0","id":4,"result":{"tree":[]}}"#),
            Ok(Step::Frame(_, true))
        ));
    }

    #[test]
    fn a_refused_load_ends_after_status_with_the_reason() {
        let mut c = Conversation::default();
        let line = |c: &mut Conversation, text: &str| c.line(text, serde_json::from_str(text).unwrap());
        let refused =
            r#"{"jsonrpc":"2.0","id":1,"error":{"code":-2001,"message":"Unable to open the file"}}"#;
        assert!(matches!(line(&mut c, refused), Ok(Step::Nothing)));
        let Ok(Step::End(Some(why))) = line(&mut c, r#"{"jsonrpc":"2.0","id":2,"result":{"frames":0}}"#)
        else {
            panic!("a refused load should end the answer with its reason")
        };
        assert!(why.contains("Unable to open the file"), "{why}");
    }

    #[test]
    fn garbage_is_refused() {
        let mut c = Conversation::default();
        assert!(c.line("[1]", serde_json::json!([1])).is_err());
        assert!(c.line("{}", serde_json::json!({"jsonrpc": "2.0"})).is_err());
        let early = serde_json::json!({"jsonrpc": "2.0", "id": 2, "result": {"frames": 1}});
        assert!(c.line("", early).is_err(), "status before load is out of step");
    }
}
