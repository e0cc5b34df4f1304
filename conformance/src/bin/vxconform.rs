//! `vxconform`: runs a VXLAN decoder against the vectors corpus and reports,
//! field by field, where it is wrong.
//!
//! Exit status: 0 all vectors pass, 1 some fail, 2 usage or setup error
//! (decoder not found, corpus missing, an option out of range). Every
//! usage error is one line on standard error.
//!
//! On Linux `vxconform` is a child subreaper: whatever a decoder leaves
//! behind, in its group or not, is killed when the decoder's vector is done
//! and again at exit (see docs/decoder-protocol.md, "Isolation").

use clap::error::ErrorKind;
use clap::{Args, Parser, Subcommand, ValueEnum};
use conformance::decoder::{by_name, names, process, DecodeOptions, Decoded};
use conformance::inspect;
use conformance::matrix::{html, render as render_matrix, run_matrix, same_results};
use conformance::report::{printable, render, Format, Style};
use conformance::run::{read_id_list, run, selects, Corpus, Progress, RunError, RunOptions};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// `--timeout` range, in seconds: a millisecond to a day.
const TIMEOUT_SECS: (f64, f64) = (0.001, 86_400.0);
/// `--max-output` range, in MiB (the output is held in memory).
const MAX_OUTPUT_MIB: (u64, u64) = (1, 4096);
/// `--jobs` range (the runner runs at most 64 decoders at once).
const JOBS: (usize, usize) = (1, 64);

#[derive(Parser, Debug)]
#[command(
    name = "vxconform",
    version,
    about = "Run a VXLAN decoder against the AWS Traffic Mirroring vectors and report, field by field, where it is wrong",
    after_help = "Exit status: 0 all vectors pass, 1 some fail or are not supported (unless allowed), 2 usage or setup error.\n\
                  The decoder protocol for cmd:\"...\" and cmd+batch:\"...\" decoders is described in docs/decoder-protocol.md."
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
        vxconform run --decoder 'cmd+batch:python3 conformance/examples/decoder.py --batch'\n  \
        vxconform run --decoder tcpdump --filter vni_byte_order --expect-fail tcpdump.xfail")]
    Run(RunArgs),
    /// Run every built-in decoder and write the compatibility matrix (Markdown, HTML).
    #[command(after_help = "Examples:\n  \
        vxconform matrix --output docs/compatibility.md --output docs/compatibility.html\n  \
        vxconform matrix --output docs/compatibility.md --output docs/compatibility.html --check\n  \
        vxconform matrix --decoders reference,tshark --output /tmp/m.html")]
    Matrix(MatrixArgs),
    /// List the vectors a run would judge: id, group, result, subject, description.
    #[command(after_help = "Examples:\n  vxconform list\n  vxconform list --filter gbp --format json")]
    List(ListArgs),
    /// Show one vector: its manifest entry, expected readings, and its bytes annotated by layer and field.
    #[command(after_help = "Example:\n  vxconform show gbp-g-d-a")]
    Show(ShowArgs),
    /// Run a decoder on any capture and print its dissection as JSON Lines; with --against, the fields two decoders read differently.
    #[command(after_help = "Examples:\n  vxconform decode --decoder tshark my.pcap\n  \
        vxconform decode --decoder reference my.pcap --against tshark")]
    Decode(DecodeArgs),
    /// Judge a decoder on random cases drawn from a seed; shrink each new failure to a corpus vector.
    #[command(after_help = "Examples:\n  \
        vxconform fuzz --decoder reference --cases 100000\n  \
        vxconform fuzz --decoder gopacket --time 60 --out /tmp/fuzz-gopacket\n  \
        vxconform fuzz --decoder 'cmd+batch:python3 conformance/examples/decoder.py --batch' --seed 7 --filter gbp\n  \
        vxconform fuzz --decoder gopacket --known conformance/findings/gopacket.known --format json\n\n\
        Exit status: 0 no new failure signature, 1 some (written to --out), 2 usage or setup error.\n\
        See docs/fuzz.md.")]
    Fuzz(FuzzArgs),
}

#[derive(Args, Debug)]
struct FuzzArgs {
    /// reference, tshark, tcpdump, scapy, an adapter program, cmd:"COMMAND" or cmd+batch:"COMMAND".
    #[arg(long, value_name = "NAME")]
    decoder: String,
    /// The seed of the cases: the same seed gives the same cases on every machine.
    #[arg(long, value_name = "N", default_value_t = 1)]
    seed: u64,
    /// Run this many cases (default 10000).
    #[arg(long, value_name = "N", conflicts_with = "time", value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    cases: Option<u64>,
    /// Run for this many seconds instead (1 to 86400).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    time: Option<u64>,
    /// Write the shrunk case of each new failure signature here, as a corpus directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace --out even if it holds something other than a previous fuzz output.
    #[arg(long)]
    force: bool,
    /// Worker threads, 1 to 64 (default: the number of CPUs).
    #[arg(long, value_name = "N", value_parser = parse_jobs, allow_negative_numbers = true)]
    jobs: Option<usize>,
    /// Count only failures in this field group (frame, outer, geneve, vxlan, vxlan-core, gbp, inner, app) or under this path (inner.tcp); repeatable.
    #[arg(long, value_name = "FIELD-GROUP")]
    filter: Vec<String>,
    /// A file of known failure signatures (`PATH: CLASS` per line, # comments): counted, not shrunk, not failing.
    #[arg(long, value_name = "FILE")]
    known: Option<PathBuf>,
    /// Cases per capture handed to the decoder (1 to 4096).
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=4096))]
    frames_per_capture: u64,
    /// Seconds after which one decoder call is killed (0.001 to 86400).
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = parse_timeout, allow_negative_numbers = true)]
    timeout: Duration,
    /// Report format.
    #[arg(long, value_enum, default_value_t = FuzzFormat::Text)]
    format: FuzzFormat,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FuzzFormat {
    Text,
    Json,
}

#[derive(Args, Debug)]
struct ListArgs {
    /// The corpus directory (holding manifest.json).
    #[arg(long, value_name = "DIR", default_value = "vectors")]
    vectors: PathBuf,
    /// Only vectors whose id or group matches this glob, or that carry this flag (repeatable).
    #[arg(long, value_name = "GLOB|FLAG")]
    filter: Vec<String>,
    /// text, or json (one object per line).
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    format: ListFormat,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(Args, Debug)]
struct ShowArgs {
    /// The vector's id.
    id: String,
    /// The corpus directory (holding manifest.json).
    #[arg(long, value_name = "DIR", default_value = "vectors")]
    vectors: PathBuf,
}

#[derive(Args, Debug)]
struct DecodeArgs {
    /// reference, tshark, tcpdump, scapy, gopacket, libtrace, pnet, packet-dissector, cmd:"COMMAND" or cmd+batch:"COMMAND".
    #[arg(long, value_name = "NAME")]
    decoder: String,
    /// A second decoder: print the fields the two read differently.
    #[arg(long, value_name = "NAME")]
    against: Option<String>,
    /// The capture (pcap or pcapng).
    file: PathBuf,
    /// Seconds after which the decoder is killed (0.001 to 86400).
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = parse_timeout, allow_negative_numbers = true)]
    timeout: Duration,
}

#[derive(Args, Debug)]
struct Common {
    /// The corpus directory (holding manifest.json).
    #[arg(long, value_name = "DIR", default_value = "vectors")]
    vectors: PathBuf,
    /// Seconds after which one decoder invocation is killed (0.001 to 86400).
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = parse_timeout, allow_negative_numbers = true)]
    timeout: Duration,
    /// MiB of output after which one decoder invocation is killed (1 to 4096).
    #[arg(long, value_name = "MB", default_value = "64", value_parser = parse_max_output, allow_negative_numbers = true)]
    max_output: usize,
    /// Vectors decoded at once, 1 to 64 (default: the number of CPUs).
    #[arg(long, value_name = "N", value_parser = parse_jobs, allow_negative_numbers = true)]
    jobs: Option<usize>,
    /// Quiet: no progress bar and no summary line on standard error.
    #[arg(long, short = 'q')]
    quiet: bool,
}

#[derive(Args, Debug)]
struct RunArgs {
    /// reference, tshark, tcpdump, scapy, the adapter programs gopacket, libtrace, pnet and packet-dissector (built by conformance/adapters/build.sh), cmd:"COMMAND" (one process per vector) or cmd+batch:"COMMAND" (one for the run; see docs/decoder-protocol.md).
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
    /// Print every failing vector and every failing field (the text and Markdown reports show the first few otherwise).
    #[arg(long)]
    all: bool,
    /// Colours in the text report.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
}

#[derive(Args, Debug)]
struct MatrixArgs {
    #[command(flatten)]
    common: Common,
    /// Decoders to run, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = names().into_iter().map(String::from))]
    decoders: Vec<String>,
    /// Write the matrix here instead of standard output (repeatable): HTML when FILE ends in
    /// .html or .htm (docs/compatibility.html), Markdown otherwise (docs/compatibility.md).
    #[arg(long, value_name = "FILE")]
    output: Vec<PathBuf>,
    /// Do not write: exit 1 if any FILE (--output) differs from the matrix (versions aside).
    #[arg(long, requires = "output")]
    check: bool,
}

/// A matrix page's format, by its file's extension: `.html` and `.htm` are
/// HTML, anything else Markdown.
fn is_html(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
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

/// `--timeout`: seconds within [`TIMEOUT_SECS`] (no NaN, no infinity).
fn parse_timeout(s: &str) -> Result<Duration, String> {
    let (min, max) = TIMEOUT_SECS;
    let why = || format!("expected a number of seconds from {min} to {max}");
    let secs: f64 = s.trim().parse().map_err(|_| why())?;
    if !(min..=max).contains(&secs) {
        return Err(why());
    }
    Duration::try_from_secs_f64(secs).map_err(|_| why())
}

/// `--max-output`: whole MiB within [`MAX_OUTPUT_MIB`], as bytes.
fn parse_max_output(s: &str) -> Result<usize, String> {
    let (min, max) = MAX_OUTPUT_MIB;
    let why = || format!("expected a whole number of MiB from {min} to {max}");
    let mib: u64 = s.trim().parse().map_err(|_| why())?;
    if !(min..=max).contains(&mib) {
        return Err(why());
    }
    Ok(usize::try_from(mib << 20).unwrap_or(usize::MAX))
}

/// `--jobs`: a whole number within [`JOBS`].
fn parse_jobs(s: &str) -> Result<usize, String> {
    let (min, max) = JOBS;
    let why = || format!("expected a whole number from {min} to {max}");
    let n: usize = s.trim().parse().map_err(|_| why())?;
    if !(min..=max).contains(&n) {
        return Err(why());
    }
    Ok(n)
}

fn options(c: &Common) -> RunOptions {
    let mut o = RunOptions {
        decode: DecodeOptions { timeout: c.timeout, max_output_bytes: c.max_output },
        ..RunOptions::default()
    };
    if let Some(j) = c.jobs {
        o.jobs = j;
    }
    o
}

/// A progress bar on standard error for a run of `total` vectors: drawn
/// only on a terminal, not with `-q`, and only once the run has taken a
/// second (a quick run shows nothing). `label` names what runs.
fn progress(c: &Common, total: usize, label: &str) -> (Progress, indicatif::ProgressBar) {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
    if c.quiet || !std::io::stderr().is_terminal() {
        return (Progress::default(), bar);
    }
    let style = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} vectors, {per_sec} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(printable(label).to_string());
    let started = std::time::Instant::now();
    let shown = bar.clone();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let hook = Progress::new(move |_, _, id| {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if shown.is_hidden() && started.elapsed() >= Duration::from_secs(1) {
            shown.set_draw_target(ProgressDrawTarget::stderr());
        }
        shown.set_position(n as u64);
        shown.set_message(printable(id).to_string());
    });
    (hook, bar)
}

/// Writes `line` and a newline to standard error; a closed or broken stderr
/// is no reason to fail (`eprintln!` would panic).
fn say(line: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
}

fn cmd_list(a: &ListArgs) -> Result<u8, String> {
    let corpus = corpus(&a.vectors)?;
    let rows = inspect::list(&corpus, &a.filter);
    if rows.is_empty() {
        return Err(format!("no vector matches the filter {:?}", a.filter));
    }
    let text = match a.format {
        ListFormat::Text => inspect::list_text(&rows),
        ListFormat::Json => {
            rows.iter().map(|r| serde_json::to_string(r).unwrap_or_default() + "\n").collect()
        }
    };
    write_out(None, &text)?;
    Ok(0)
}

fn cmd_show(a: &ShowArgs) -> Result<u8, String> {
    let corpus = corpus(&a.vectors)?;
    write_out(None, &inspect::show(&corpus, &a.id)?)?;
    Ok(0)
}

fn decode_with(name: &str, file: &Path, opts: &DecodeOptions) -> Result<Decoded, String> {
    let decoder = by_name(name).map_err(|e| e.to_string())?;
    decoder.decode(file, opts).map_err(|e| format!("{name}: {}", printable(&e.to_string())))
}

fn cmd_decode(a: &DecodeArgs) -> Result<u8, String> {
    match std::fs::metadata(&a.file) {
        Ok(m) if m.is_file() => {}
        Ok(_) => return Err(format!("{}: not a regular file", printable(&a.file.display().to_string()))),
        Err(e) => return Err(format!("{}: {e}", printable(&a.file.display().to_string()))),
    }
    let opts = DecodeOptions { timeout: a.timeout, ..DecodeOptions::default() };
    let first = decode_with(&a.decoder, &a.file, &opts)?;
    for p in &first.problems {
        say(&format!("vxconform: {}: {}", a.decoder, printable(&p.to_string())));
    }
    let Some(other) = &a.against else {
        let text: String =
            first.frames.iter().map(|f| serde_json::to_string(f).unwrap_or_default() + "\n").collect();
        write_out(None, &text)?;
        return Ok(u8::from(!first.problems.is_empty()));
    };
    let second = decode_with(other, &a.file, &opts)?;
    let diffs = inspect::diff(&first, &second);
    let mut text = String::new();
    for d in &diffs {
        let v = |x: &Option<String>| {
            x.as_deref().map(|s| printable(s).into_owned()).unwrap_or("(not reported)".into())
        };
        text.push_str(&format!(
            "frame {} {}: {} {} | {} {}\n",
            d.frame,
            d.path,
            a.decoder,
            v(&d.a),
            other,
            v(&d.b)
        ));
    }
    text.push_str(&format!(
        "{} fields differ between {} and {} over {} frames\n",
        diffs.len(),
        printable(&a.decoder),
        printable(other),
        first.frames.len().max(second.frames.len())
    ));
    write_out(None, &text)?;
    Ok(u8::from(!diffs.is_empty()))
}

fn corpus(dir: &Path) -> Result<Corpus, String> {
    Corpus::load(dir).map_err(|e| format!("{e} (run from the repository root or pass --vectors DIR)"))
}

/// Writes `text` to the file `path` whole or not at all: through a temporary
/// file in the same directory, renamed over it, keeping its permissions.
/// Anything but a regular file or nothing at `path` (a device such as
/// `/dev/null`, a FIFO, a symbolic link such as `/dev/stdout`, which may
/// lead to a file opened for appending) is written in place, never replaced.
fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    let existing = match std::fs::symlink_metadata(path) {
        Ok(m) if !m.is_file() => return std::fs::write(path, text),
        Ok(m) => Some(m.permissions()),
        Err(_) => None,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".vxconform-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // What a new file would get (the umask applies), not tempfile's 0600.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.flush()?;
    if let Some(p) = existing {
        tmp.as_file().set_permissions(p)?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn write_out(path: Option<&Path>, text: &str) -> Result<(), String> {
    match path {
        Some(p) => write_file(p, text).map_err(|e| format!("cannot write {}: {e}", p.display())),
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
    let mut opts = options(&a.common);
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
    let selected = corpus.vectors().filter(|v| selects(&opts.filter, v)).count();
    let (hook, bar) = progress(&a.common, selected, &a.decoder);
    opts.progress = hook;
    let report = run(decoder.as_ref(), &corpus, &opts);
    bar.finish_and_clear();
    let report = match report {
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
    let style =
        if a.all { Style { max_failures: usize::MAX, max_fields: usize::MAX, ..style } } else { style };
    let text = render(&report, format, &style)?;
    write_out(a.output.as_deref(), &text)?;
    if a.output.is_some() && !a.common.quiet {
        // Still say the verdict on the terminal.
        let s = &report.summary;
        say(&format!(
            "vxconform: {} vectors, {} pass, {} acceptable, {} fail, {} not supported, {} error; report written to {}",
            s.total,
            s.pass,
            s.acceptable,
            s.fail + s.unexpected_pass,
            s.not_supported,
            s.error,
            printable(&a.output.as_deref().map(Path::display).map(|d| d.to_string()).unwrap_or_default())
        ));
    }
    Ok(u8::try_from(report.exit_code()).unwrap_or(1))
}

fn cmd_fuzz(a: &FuzzArgs) -> Result<u8, String> {
    use conformance::fuzz::{fuzz, report, signature::read_known, FuzzError, FuzzOptions, Progress};
    if let Some(f) = a.filter.iter().find(|f| f.is_empty() || f.chars().any(char::is_whitespace)) {
        return Err(format!("--filter {f:?}: expected a field group or a field path"));
    }
    let mut opts = FuzzOptions {
        seed: a.seed,
        cases: a.cases,
        time: a.time.map(Duration::from_secs),
        jobs: a.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from)),
        frames_per_capture: a.frames_per_capture as usize,
        filter: a.filter.clone(),
        out: a.out.clone(),
        force: a.force,
        ..FuzzOptions::default()
    };
    opts.decode.timeout = a.timeout;
    if let Some(p) = &a.known {
        opts.known = read_known(p)?;
    }
    let decoder = by_name(&a.decoder).map_err(|e| e.to_string())?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = match opts.cases.or(opts.time.is_none().then_some(conformance::fuzz::DEFAULT_CASES)) {
            Some(n) => indicatif::ProgressBar::new(n),
            None => indicatif::ProgressBar::new_spinner(),
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} cases, {per_sec}, {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let on_progress = |p: Progress| {
        if let Some(bar) = &bar {
            bar.set_position(p.cases);
            match p.shrinking {
                Some((n, of)) => bar.set_message(format!("{} failures; shrinking {n}/{of}", p.failures)),
                None => bar.set_message(format!("{} failures", p.failures)),
            }
        }
    };
    let result = fuzz(decoder.as_ref(), &opts, &on_progress);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let r = match result {
        Ok(r) => r,
        Err(FuzzError::Usage(e) | FuzzError::Output(e)) => return Err(e),
        Err(e) => return Err(e.to_string()),
    };
    let text = match a.format {
        FuzzFormat::Text => report::text(&r),
        FuzzFormat::Json => report::json(&r),
    };
    write_out(None, &text)?;
    Ok(u8::try_from(r.exit_code()).unwrap_or(1))
}

fn cmd_matrix(a: &MatrixArgs) -> Result<u8, String> {
    let mut opts = options(&a.common);
    let corpus = corpus(&a.common.vectors)?;
    let names: Vec<&str> = a.decoders.iter().map(String::as_str).collect();
    for n in &names {
        by_name(n).map_err(|e| e.to_string())?;
    }
    let (hook, bar) = progress(&a.common, corpus.vectors().count() * names.len(), "matrix");
    opts.progress = hook;
    // One run, every page.
    let m = run_matrix(&corpus, &names, &opts);
    bar.finish_and_clear();
    let pages: Vec<(Option<&Path>, String)> = if a.output.is_empty() {
        vec![(None, render_matrix(&m))]
    } else {
        a.output
            .iter()
            .map(|p| (Some(p.as_path()), if is_html(p) { html::render(&m) } else { render_matrix(&m) }))
            .collect()
    };
    if a.check {
        let regenerate = format!(
            "vxconform matrix{}",
            a.output
                .iter()
                .map(|p| format!(" --output {}", printable(&p.display().to_string())))
                .collect::<String>()
        );
        let mut stale = 0;
        for (path, page) in &pages {
            let Some(path) = path else { continue };
            let shown = printable(&path.display().to_string()).into_owned();
            let current = std::fs::read_to_string(path).unwrap_or_default();
            if same_results(&current, page) {
                say(&format!("vxconform: {shown} is up to date"));
            } else {
                say(&format!("vxconform: {shown} is stale: regenerate it with `{regenerate}`"));
                print_diff(&current, page);
                stale += 1;
            }
        }
        return Ok(u8::from(stale > 0));
    }
    for (path, page) in &pages {
        write_out(*path, page)?;
    }
    Ok(0)
}

/// The first lines where `old` and `new` differ, on stderr.
fn print_diff(old: &str, new: &str) {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let mut shown = 0;
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i).copied().unwrap_or(""), b.get(i).copied().unwrap_or(""));
        if x != y && shown < 5 {
            say(&format!("  line {}:\n  - {}\n  + {}", i + 1, printable(x), printable(y)));
            shown += 1;
        }
    }
}

/// A clap error as one line: its first paragraph (no tip, no usage) with
/// its lines joined, any control character of an offending value escaped.
fn usage_error(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let first = text.split("\n\n").next().unwrap_or("");
    let joined = first.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
    let line = joined.strip_prefix("error: ").unwrap_or(&joined);
    format!("{} (see vxconform --help)", printable(line))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let _ = e.print();
                    ExitCode::SUCCESS
                }
                ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    let _ = e.print();
                    ExitCode::from(2)
                }
                _ => {
                    say(&format!("vxconform: {}", usage_error(&e)));
                    ExitCode::from(2)
                }
            };
        }
    };
    // Whatever a decoder leaves behind is reparented here, and killed.
    process::supervise();
    let result = match &cli.command {
        Command::Run(a) => cmd_run(a),
        Command::Matrix(a) => cmd_matrix(a),
        Command::List(a) => cmd_list(a),
        Command::Show(a) => cmd_show(a),
        Command::Decode(a) => cmd_decode(a),
        Command::Fuzz(a) => cmd_fuzz(a),
    };
    process::kill_descendants();
    match result {
        Ok(code) => ExitCode::from(code),
        Err(msg) => {
            // One line, whatever the message holds.
            say(&format!("vxconform: {}", printable(&msg)));
            ExitCode::from(2)
        }
    }
}
