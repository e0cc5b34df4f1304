//! Adapters for decoder libraries of other ecosystems (Go, Rust crates
//! outside this workspace, C, Python): each is a small program under
//! `conformance/adapters/NAME/` that translates its library's own API into
//! the dissection model and speaks the decoder protocol
//! (docs/decoder-protocol.md). It is built once, outside the workspace build
//! (so `cargo test` stays lean), by `conformance/adapters/build.sh`, into
//! the adapters directory ([`adapters_dir`]); this module runs the built
//! program in batch mode (`PROGRAM --batch`, [`super::batch`]): one process
//! per run (per `--jobs` worker) instead of one per vector.
//!
//! Every adapter program:
//!
//! * dissects the capture whose path is its last argument and prints one
//!   frame object per line (the protocol's single mode: `PROGRAM CAPTURE`);
//! * with `--batch`, reads capture paths from its standard input, one per
//!   line, and answers each with its frames and the end marker (the
//!   protocol's batch mode), until the end of its standard input;
//! * prints its library's name and version on one line for `--version`
//!   (`gopacket 1.1.19`), which the report and matrix show;
//! * translates, and never judges or fixes up: a library's misreading is a
//!   finding (conformance/findings/NAME.md), not something to hide.
//!
//! ```
//! use conformance::decoder::adapter::{by_name, ADAPTERS};
//! use conformance::decoder::Decoder;
//!
//! assert!(ADAPTERS.iter().all(|a| by_name(a.name).is_some()));
//! assert!(by_name("no-such-library").is_none());
//! ```

use super::batch::Pool;
use super::{process, DecodeOptions, Decoded, Decoder, DecoderFailure};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// One adapter program: its decoder name and what it wraps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdapterInfo {
    /// The decoder name (`--decoder NAME`), also the directory under
    /// `conformance/adapters/` and the program's file name in
    /// [`adapters_dir`].
    pub name: &'static str,
    /// The library and language, for `vxconform list-decoders` and docs.
    pub wraps: &'static str,
}

/// The adapter programs, in matrix order.
pub const ADAPTERS: &[AdapterInfo] = &[
    AdapterInfo { name: "gopacket", wraps: "gopacket (Go, github.com/google/gopacket)" },
    AdapterInfo { name: "libtrace", wraps: "libtrace (C, WAND libtrace 3)" },
    AdapterInfo { name: "pnet", wraps: "pnet_packet (Rust)" },
    AdapterInfo { name: "packet-dissector", wraps: "packet-dissector (Rust)" },
];

/// The directory the built adapter programs are in: `$VXCONFORM_ADAPTERS`
/// when set, else `target/adapters` of this workspace (where
/// `conformance/adapters/build.sh` puts them).
pub fn adapters_dir() -> PathBuf {
    match std::env::var_os("VXCONFORM_ADAPTERS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/adapters"),
    }
}

/// The adapter called `name`, if there is one.
pub fn by_name(name: &str) -> Option<Adapter> {
    ADAPTERS.iter().find(|a| a.name == name).map(|info| Adapter::new(*info, adapters_dir().join(info.name)))
}

/// A built adapter program, run as a decoder in batch mode.
#[derive(Debug)]
pub struct Adapter {
    info: AdapterInfo,
    program: PathBuf,
    version: OnceLock<Option<String>>,
    pool: Pool,
}

impl Adapter {
    /// The adapter `info` whose program is at `program`.
    pub fn new(info: AdapterInfo, program: PathBuf) -> Adapter {
        let launch = program.clone();
        let pool = Pool::new(program.display().to_string(), move || {
            let mut c = Command::new(&launch);
            c.arg("--batch");
            c
        });
        Adapter { info, program, version: OnceLock::new(), pool }
    }

    /// Its pool of `PROGRAM --batch` processes.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// What it wraps.
    pub fn info(&self) -> AdapterInfo {
        self.info
    }

    /// The program's path.
    pub fn program(&self) -> &Path {
        &self.program
    }

    fn not_built(&self) -> DecoderFailure {
        DecoderFailure::NotFound {
            program: format!(
                "{} (adapter for {} not built at {}: run conformance/adapters/build.sh {})",
                self.info.name,
                self.info.wraps,
                self.program.display(),
                self.info.name
            ),
        }
    }
}

impl Decoder for Adapter {
    fn name(&self) -> &str {
        self.info.name
    }

    /// The first line the program prints for `--version`.
    fn version(&self) -> Option<String> {
        self.version
            .get_or_init(|| {
                let out = process::run(
                    Command::new(&self.program).arg("--version"),
                    None,
                    &DecodeOptions::default(),
                )
                .ok()?;
                let text = String::from_utf8_lossy(&out.stdout);
                let first = text.lines().next()?.trim();
                (out.status.success() && !first.is_empty()).then(|| super::shorten(first, 80))
            })
            .clone()
    }

    fn decode(&self, capture: &Path, opts: &DecodeOptions) -> Result<Decoded, DecoderFailure> {
        if !self.program.is_file() {
            return Err(self.not_built());
        }
        self.pool.ask(capture, opts).map(|answer| answer.decoded())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_program_is_not_found_and_says_how_to_build_it() {
        let a = Adapter::new(AdapterInfo { name: "x", wraps: "libx" }, "/nonexistent/x".into());
        let e = a.decode(Path::new("/dev/null"), &DecodeOptions::default()).unwrap_err();
        assert!(matches!(&e, DecoderFailure::NotFound { program } if program.contains("build.sh x")), "{e}");
        assert_eq!(a.version(), None);
    }
}
