//! `vxconform`: runs a VXLAN decoder against the vectors corpus and reports,
//! field by field, where it is wrong.
//!
//! Exit status: 0 all vectors pass, 1 some fail, 2 usage or setup error
//! (decoder not found, corpus missing).

use clap::{Args, Parser, Subcommand, ValueEnum};
use conformance::decoder::{by_name, DecodeOptions, BUILT_IN};
use conformance::matrix::{render as render_matrix, run_matrix, same_results};
use conformance::report::{render, Format, Style};
use conformance::run::{read_id_list, run, Corpus, RunError, RunOptions};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "vxconform",
    version,
    about = "Run a VXLAN decoder against the AWS Traffic Mirroring vectors and report, field by field, where it is wrong",
    after_help = "Exit status: 0 all vectors pass, 1 some fail or are not supported (unless allowed), 2 usage or setup error.\n\
                  The decoder protocol for cmd:\"...\" decoders is described in docs/decoder-protocol.md."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run one decoder over the corpus.
    #[command(after_help = "Examples:\n  \
        vxconform run --decoder reference\n  \
        vxconform run --decoder tshark --filter 'gbp-*' --format markdown\n  \
        vxconform run --decoder 'cmd:python3 conformance/examples/decoder.py' --format junit --output junit.xml\n  \
        vxconform run --decoder tcpdump --filter vni_byte_order --expect-fail tcpdump.xfail")]
    Run(RunArgs),
    /// Run every built-in decoder and write the compatibility matrix (Markdown).
    Matrix(MatrixArgs),
}

#[derive(Args, Debug)]
struct Common {
    /// The corpus directory (holding manifest.json).
    #[arg(long, value_name = "DIR", default_value = "vectors")]
    vectors: PathBuf,
    /// Seconds after which one decoder invocation is killed.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    timeout: f64,
    /// Megabytes of output after which one decoder invocation is killed.
    #[arg(long, value_name = "MB", default_value_t = 64)]
    max_output: usize,
    /// Vectors decoded at once (default: the number of CPUs).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
}

#[derive(Args, Debug)]
struct RunArgs {
    /// reference, tshark, tcpdump, scapy, or cmd:"COMMAND" (see docs/decoder-protocol.md).
    #[arg(long, value_name = "NAME")]
    decoder: String,
    #[command(flatten)]
    common: Common,
    /// Only vectors whose id or group matches this glob, or that carry this flag (repeatable).
    #[arg(long, value_name = "GLOB|FLAG")]
    filter: Vec<String>,
    /// A file of vector ids (one per line, # comments) not to run.
    #[arg(long, value_name = "FILE")]
    skip: Option<PathBuf>,
    /// A file of vector ids expected to fail: their failure does not fail the run, their passing does.
    #[arg(long, value_name = "FILE")]
    expect_fail: Option<PathBuf>,
    /// Not-supported vectors of this vector group, manifest flag or field group (e.g. gbp) do not fail the run (repeatable).
    #[arg(long, value_name = "GROUP|FLAG")]
    allow_unsupported: Vec<String>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
    /// Write the report here instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Colours in the text report.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
}

#[derive(Args, Debug)]
struct MatrixArgs {
    #[command(flatten)]
    common: Common,
    /// Decoders to run, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = BUILT_IN.map(String::from))]
    decoders: Vec<String>,
    /// Write the matrix here instead of standard output (e.g. docs/compatibility.md).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Do not write: exit 1 if FILE (--output) differs from the matrix.
    #[arg(long, requires = "output")]
    check: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FormatArg {
    Text,
    Json,
    Junit,
    Markdown,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

fn options(c: &Common) -> Result<RunOptions, String> {
    if !(c.timeout > 0.0 && c.timeout.is_finite()) {
        return Err(format!("--timeout must be a positive number of seconds, not {}", c.timeout));
    }
    let mut o = RunOptions {
        decode: DecodeOptions {
            timeout: Duration::from_secs_f64(c.timeout),
            max_output_bytes: c.max_output.saturating_mul(1 << 20).max(1),
        },
        ..RunOptions::default()
    };
    if let Some(j) = c.jobs {
        o.jobs = j.max(1);
    }
    Ok(o)
}

fn corpus(dir: &Path) -> Result<Corpus, String> {
    Corpus::load(dir).map_err(|e| format!("{e} (run from the repository root or pass --vectors DIR)"))
}

fn write_out(path: Option<&Path>, text: &str) -> Result<(), String> {
    match path {
        Some(p) => std::fs::write(p, text).map_err(|e| format!("cannot write {}: {e}", p.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth a message.
            let _ = stdout.write_all(text.as_bytes());
            let _ = stdout.flush();
            Ok(())
        }
    }
}

fn cmd_run(a: &RunArgs) -> Result<u8, String> {
    let mut opts = options(&a.common)?;
    opts.filter = a.filter.clone();
    opts.allow_unsupported = a.allow_unsupported.clone();
    if let Some(p) = &a.skip {
        opts.skip = read_id_list(p).map_err(|e| e.to_string())?;
    }
    if let Some(p) = &a.expect_fail {
        opts.expect_fail = read_id_list(p).map_err(|e| e.to_string())?;
    }
    let corpus = corpus(&a.common.vectors)?;
    let decoder = by_name(&a.decoder).map_err(|e| e.to_string())?;
    let report = match run(decoder.as_ref(), &corpus, &opts) {
        Ok(r) => r,
        Err(e @ RunError::DecoderNotFound { .. }) => return Err(e.to_string()),
        Err(e) => return Err(e.to_string()),
    };
    let format = match a.format {
        FormatArg::Text => Format::Text,
        FormatArg::Json => Format::Json,
        FormatArg::Junit => Format::Junit,
        FormatArg::Markdown => Format::Markdown,
    };
    let tty = a.output.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let style = Style {
        color: match a.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => tty,
        },
        ..Style::plain()
    };
    let text = render(&report, format, &style)?;
    write_out(a.output.as_deref(), &text)?;
    if a.output.is_some() {
        // Still say the verdict on the terminal.
        let s = &report.summary;
        eprintln!(
            "vxconform: {} vectors, {} pass, {} acceptable, {} fail, {} not supported, {} error; report written to {}",
            s.total,
            s.pass,
            s.acceptable,
            s.fail + s.unexpected_pass,
            s.not_supported,
            s.error,
            a.output.as_deref().map(Path::display).map(|d| d.to_string()).unwrap_or_default()
        );
    }
    Ok(u8::try_from(report.exit_code()).unwrap_or(1))
}

fn cmd_matrix(a: &MatrixArgs) -> Result<u8, String> {
    let opts = options(&a.common)?;
    let corpus = corpus(&a.common.vectors)?;
    let names: Vec<&str> = a.decoders.iter().map(String::as_str).collect();
    for n in &names {
        by_name(n).map_err(|e| e.to_string())?;
    }
    let m = run_matrix(&corpus, &names, &opts);
    let page = render_matrix(&m);
    if a.check {
        let path = a.output.as_deref().unwrap_or(Path::new("docs/compatibility.md"));
        let current = std::fs::read_to_string(path).unwrap_or_default();
        if same_results(&current, &page) {
            eprintln!("vxconform: {} is up to date", path.display());
            return Ok(0);
        }
        eprintln!(
            "vxconform: {} is stale: regenerate it with `vxconform matrix --output {}`",
            path.display(),
            path.display()
        );
        print_diff(&current, &page);
        return Ok(1);
    }
    write_out(a.output.as_deref(), &page)?;
    Ok(0)
}

/// The first lines where `old` and `new` differ, on stderr.
fn print_diff(old: &str, new: &str) {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let mut shown = 0;
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i).copied().unwrap_or(""), b.get(i).copied().unwrap_or(""));
        if x != y && shown < 5 {
            eprintln!("  line {}:\n  - {x}\n  + {y}", i + 1);
            shown += 1;
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Run(a) => cmd_run(a),
        Command::Matrix(a) => cmd_matrix(a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(msg) => {
            eprintln!("vxconform: {msg}");
            ExitCode::from(2)
        }
    }
}
