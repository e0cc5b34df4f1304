//! What the Rust decoder adapters under `conformance/adapters/` share.
//!
//! An adapter translates one packet library's API into the dissection model
//! (docs/dissection.md) and speaks the decoder protocol
//! (docs/decoder-protocol.md). This crate holds everything that is not the
//! translation, so that each adapter's `main.rs` is only that:
//!
//! * [`capture`]: reads pcap (either byte order, micro- or nanosecond
//!   timestamps) and pcapng (enhanced and simple packet blocks) with the
//!   `pcap-file` crate, the reader the workspace uses;
//! * [`Obj`]: a JSON object that leaves out what is absent (the protocol
//!   never prints `null`, and an empty layer is no layer);
//! * [`main`]: the program's command line, the protocol's two modes:
//!   - `PROGRAM CAPTURE`: one JSON frame object per line, exit 0;
//!   - `PROGRAM --batch`: capture paths one per line on standard input; for
//!     each, its frame lines then one end marker `{"end":"<path>"}` (or
//!     `{"end":"<path>","error":"<one line>"}` when the capture cannot be
//!     read or the library panicked on it), flushed; exit 0 at end of input;
//!   - `PROGRAM --version`: `<library> <version>` on one line.
//!
//! A capture's lines are printed only once all its frames are translated,
//! so both modes print the same lines for a capture, and a panic in the
//! library (a finding, not something to hide) is an error for that capture
//! alone: in single mode the exit status 101, as an uncaught panic, in batch
//! mode an end marker with the panic's message.

pub mod capture;

use serde_json::{Map, Value};
use std::io::{BufRead, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};

pub use capture::{read_frames, Frame};

/// A JSON object under construction that never holds `null` or an empty
/// object: absent values are left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Obj(Map<String, Value>);

impl Obj {
    /// An empty object.
    pub fn new() -> Obj {
        Obj::default()
    }

    /// Sets `key` to `value`.
    pub fn put(&mut self, key: &str, value: impl Into<Value>) -> &mut Obj {
        self.0.insert(key.to_owned(), value.into());
        self
    }

    /// Sets `key` to `value` when there is one.
    pub fn put_opt<T: Into<Value>>(&mut self, key: &str, value: Option<T>) -> &mut Obj {
        if let Some(v) = value {
            self.put(key, v);
        }
        self
    }

    /// Sets `key` to the object `value` unless it is empty.
    pub fn put_obj(&mut self, key: &str, value: Obj) -> &mut Obj {
        if !value.is_empty() {
            self.put(key, value.0);
        }
        self
    }

    /// Sets `key` to the list `values` unless it is empty.
    pub fn put_list(&mut self, key: &str, values: Vec<Value>) -> &mut Obj {
        if !values.is_empty() {
            self.put(key, values);
        }
        self
    }

    /// The object at `key`, created empty when absent (it is dropped again
    /// by [`Obj::into_value`] if nothing is put into it).
    pub fn child(&mut self, key: &str) -> ObjRef<'_> {
        let slot = self.0.entry(key.to_owned()).or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        ObjRef(slot.as_object_mut().expect("an object"))
    }

    /// Whether `key` is set.
    pub fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The object, with empty child objects removed.
    pub fn into_value(self) -> Value {
        let mut v = Value::Object(self.0);
        prune(&mut v);
        v
    }
}

/// A child object of an [`Obj`], borrowed.
pub struct ObjRef<'a>(&'a mut Map<String, Value>);

impl ObjRef<'_> {
    /// Sets `key` to the object `value` unless it is empty.
    pub fn put_obj(&mut self, key: &str, value: Obj) -> &mut Self {
        if !value.is_empty() {
            self.0.insert(key.to_owned(), Value::Object(value.0));
        }
        self
    }

    /// Sets `key` to `value`.
    pub fn put(&mut self, key: &str, value: impl Into<Value>) -> &mut Self {
        self.0.insert(key.to_owned(), value.into());
        self
    }

    /// Appends `value` to the list at `key` (created when absent).
    pub fn push(&mut self, key: &str, value: Obj) -> &mut Self {
        let slot = self.0.entry(key.to_owned()).or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = slot {
            list.push(Value::Object(value.0));
        }
        self
    }
}

/// Removes empty objects and empty lists, bottom up.
fn prune(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for child in map.values_mut() {
                prune(child);
            }
            map.retain(|_, c| {
                !matches!(c, Value::Object(m) if m.is_empty())
                    && !matches!(c, Value::Array(a) if a.is_empty())
            });
        }
        Value::Array(list) => list.iter_mut().for_each(prune),
        _ => {}
    }
}

/// The facts every adapter takes from the capture record, not from its
/// library: `frame.number`, `captured_len` and `original_len` (pcap
/// `incl_len` / `orig_len`, pcapng's captured and original packet length).
pub fn frame_facts(number: u32, frame: &Frame<'_>) -> Obj {
    let mut f = Obj::new();
    f.put("number", number)
        .put("captured_len", frame.data.len() as u64)
        .put("original_len", frame.original_len);
    f
}

/// A capture's translation: every record of one capture file, in file
/// order (the first is frame number 1), to one frame object each. Called
/// once per capture, so a library's state across frames (reassembly) is
/// that capture's alone.
pub type Dissect<'d> = &'d dyn Fn(&[Frame<'_>]) -> Vec<Value>;

/// [`Dissect`] from a function of one frame and its number.
pub fn frame_by_frame(frames: &[Frame<'_>], dissect: impl Fn(u32, &Frame<'_>) -> Value) -> Vec<Value> {
    frames.iter().zip(1u32..).map(|(frame, number)| dissect(number, frame)).collect()
}

/// The frame lines of the capture held in `bytes`, as compact JSON.
pub fn capture_lines(bytes: &[u8], dissect: Dissect<'_>) -> Result<Vec<String>, String> {
    let frames = read_frames(bytes)?;
    Ok(dissect(&frames).iter().map(Value::to_string).collect())
}

/// [`capture_lines`] for the file at `path`, a panic of the library turned
/// into an error message.
fn lines_for(path: &std::path::Path, dissect: Dissect<'_>) -> Result<Vec<String>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    match catch_unwind(AssertUnwindSafe(|| capture_lines(&bytes, dissect))) {
        Ok(result) => result,
        Err(payload) => Err(format!("panic: {}", panic_message(payload.as_ref()))),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_owned()
    }
}

/// `text` on one line (newlines become spaces).
fn one_line(text: &str) -> String {
    text.split(['\n', '\r']).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The adapter program's `main`: `version` is what `--version` prints
/// (`pnet_packet 0.35.0`), `dissect` translates one capture's frames.
/// Returns the exit status.
pub fn main(version: &str, dissect: Dissect<'_>) -> i32 {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let program = std::env::args().next().unwrap_or_else(|| "adapter".into());
    let usage = || {
        eprintln!("usage: {program} CAPTURE | --batch | --version");
        2
    };
    match args.as_slice() {
        [a] if a == "--version" => {
            println!("{version}");
            0
        }
        [a] if a == "--batch" => batch(dissect),
        [a] if a.to_str().is_some_and(|s| s.starts_with("--")) => usage(),
        [path] => match lines_for(std::path::Path::new(path), dissect) {
            Ok(lines) => {
                let stdout = std::io::stdout();
                let mut out = std::io::BufWriter::new(stdout.lock());
                for line in lines {
                    if writeln!(out, "{line}").is_err() {
                        return 1;
                    }
                }
                i32::from(out.flush().is_err())
            }
            Err(e) => {
                eprintln!("{program}: {e}");
                if e.starts_with("panic: ") {
                    101
                } else {
                    1
                }
            }
        },
        _ => usage(),
    }
}

/// The batch mode: one capture path a line on standard input.
fn batch(dissect: Dissect<'_>) -> i32 {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut line = Vec::new();
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => return 0,
            Ok(_) => {}
            Err(e) => {
                eprintln!("reading standard input: {e}");
                return 1;
            }
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        let received = String::from_utf8_lossy(&line).into_owned();
        let path = path_from_bytes(&line);
        let mut end = serde_json::Map::new();
        end.insert("end".into(), Value::String(received));
        match lines_for(&path, dissect) {
            Ok(lines) => {
                for l in lines {
                    if writeln!(out, "{l}").is_err() {
                        return 1;
                    }
                }
            }
            Err(e) => {
                end.insert("error".into(), Value::String(one_line(&e)));
            }
        }
        if writeln!(out, "{}", Value::Object(end)).is_err() || out.flush().is_err() {
            return 1;
        }
    }
}

#[cfg(unix)]
fn path_from_bytes(bytes: &[u8]) -> std::path::PathBuf {
    use std::os::unix::ffi::OsStrExt;
    std::path::PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: &[u8]) -> std::path::PathBuf {
    std::path::PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_layers_are_dropped() {
        let mut o = Obj::new();
        o.child("outer").put_obj("eth", Obj::new());
        o.child("frame").put("number", 1);
        o.put_opt::<u8>("x", None);
        assert_eq!(o.into_value().to_string(), r#"{"frame":{"number":1}}"#);
    }

    #[test]
    fn one_line_joins() {
        assert_eq!(one_line("a\nb\r\nc"), "a b c");
    }
}
