//! Helpers shared by the hostile-input tests (`hostile_options.rs`,
//! `escaping_decoders.rs`, `terminal_safety.rs`, `stress.rs`), included
//! with `#[path = "common/hostile.rs"] mod hostile;` next to `mod common;`.
//!
//! * [`vxconform`]: runs the binary from the repository root;
//! * [`Scripts`]: shell decoders written to a temporary directory, with
//!   the corpus's expected frames as JSON Lines to print;
//! * [`alive_with`]: live processes whose command line holds a marker.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::common;

/// Runs `vxconform` with `args` from the repository root, without colour.
pub fn vxconform<S: AsRef<OsStr>>(args: &[S]) -> Output {
    command(args).output().expect("vxconform runs")
}

/// The `vxconform` command, not started.
pub fn command<S: AsRef<OsStr>>(args: &[S]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vxconform"));
    c.current_dir(common::root()).args(args).env("NO_COLOR", "1");
    c
}

/// Standard output, lossily.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error, lossily.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A temporary directory of decoder scripts.
pub struct Scripts {
    /// Keeps the directory alive.
    pub dir: tempfile::TempDir,
}

impl Scripts {
    /// An empty directory, readable by anyone (a test may run `vxconform`
    /// as another user).
    pub fn new() -> Scripts {
        let dir = tempfile::tempdir().unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        Scripts { dir }
    }

    /// A path in the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes the shell script `name` and returns `cmd:sh <path>`. In the
    /// script, `$FRAMES` is the expected frames of the vector whose capture
    /// is `$1`, as JSON Lines (see [`Scripts::frames`]).
    pub fn decoder(&self, name: &str, body: &str) -> String {
        let path = self.path(name);
        let script = format!(
            "#!/bin/sh\nFRAMES=\"{}/frames-$(basename \"$1\").jsonl\"\n{body}\n",
            self.dir.path().display()
        );
        std::fs::write(&path, script).unwrap();
        format!("cmd:sh {}", path.display())
    }

    /// Writes the expected frames of every vector whose id starts with
    /// `prefix` (as `frames-<capture file name>.jsonl`), changed by `edit`.
    pub fn frames(&self, prefix: &str, edit: impl Fn(&mut serde_json::Value)) {
        let corpus = common::corpus();
        for v in corpus.vectors().filter(|v| v.entry.id.starts_with(prefix)) {
            let expected = corpus.expected(v.entry).unwrap();
            let mut lines = String::new();
            for f in &expected.frames {
                let mut value = serde_json::to_value(f).unwrap();
                edit(&mut value);
                lines.push_str(&serde_json::to_string(&value).unwrap());
                lines.push('\n');
            }
            let capture = corpus.capture_path(v.entry);
            let name = capture.file_name().unwrap().to_string_lossy().into_owned();
            std::fs::write(self.path(&format!("frames-{name}.jsonl")), lines).unwrap();
        }
    }
}

/// Live (not zombie) processes whose command line holds `marker`, as
/// `pid: command line`.
pub fn alive_with(marker: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else { return out };
    for entry in dir.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().filter(|n| n.bytes().all(|b| b.is_ascii_digit())) else { continue };
        let Ok(cmdline) = std::fs::read(Path::new("/proc").join(pid).join("cmdline")) else { continue };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains(marker) {
            out.push(format!("{pid}: {cmdline}"));
        }
    }
    out
}

/// A number unique to this test process and `n`, for `sleep` markers:
/// `4242.<pid><n>` seconds.
pub fn marker(n: u32) -> String {
    format!("4242.{:07}{n:02}", std::process::id())
}
