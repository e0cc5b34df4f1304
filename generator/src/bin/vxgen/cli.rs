//! The `vxgen` command line: argument parsing, option resolution and the
//! run itself. It lives in the binary, as ripgrep and cargo keep their flags,
//! so that the library (and `conformance`, which uses it) builds without clap
//! or indicatif; the integration tests drive it as a process.

use clap::{Args, Parser, Subcommand, ValueEnum};
use generator::capture::{CaptureError, CaptureWriter, Format, Output, OutputTarget};
use generator::generate::{GenerateError, Options, Stats};
use generator::mirror::config::{ConfigError, MirrorConfig};
use generator::mirror::filter::Filter;
use generator::mirror::session::{Gbp, Mirror, Session, Source, Target, TargetKind, MAX_PACKET_LENGTH};
use generator::traffic::scenario::{Scenario, UnknownScenario, SCENARIOS};
use generator::wire::vxlan::Vni;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  vxgen generate -o sample.pcapng
      ten flows of the mixed scenario (HTTPS, HTTP, DNS, ping) mirrored both ways, random VNI,
      pcapng with a ground-truth comment on every packet
  vxgen scenarios
  vxgen generate --scenario seed-https-outbound --count 12 -o seed.pcapng
  vxgen generate --scenario https-outbound --target nlb --reorder 0.05 -o nlb.pcapng
  vxgen generate --vni 9999999 --count 100 --seed 7 -o capture.pcap
  vxgen generate --gbp-policy-id 4660 --gbp-flags d,a -o gbp.pcapng
  vxgen generate --packet-length 64 -o headers-only.pcapng
  vxgen generate --target gwlb -o gwlb.pcapng
  vxgen generate --session docs/examples/session.json -o mine.pcapng
  vxgen generate --count 5 -o - | tshark -r - -V";

/// Synthesize AWS VPC Traffic Mirroring captures (VXLAN, UDP 4789), deterministically from a seed.
#[derive(Debug, Parser)]
#[command(name = "vxgen", version, about, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate a mirrored capture.
    #[command(after_help = EXAMPLES)]
    Generate(GenerateArgs),
    /// List the scenarios `generate --scenario` takes.
    Scenarios,
    /// Rebuild the test-vector corpus (captures, expected dissections, manifest) byte for byte.
    #[command(after_help = CORPUS_EXAMPLES)]
    Corpus(CorpusArgs),
    /// Explain one frame byte by byte: every field, its value and its clause, VXLAN under both readings.
    #[command(after_help = crate::explain::EXPLAIN_EXAMPLES)]
    Explain(crate::explain::ExplainArgs),
    /// Merge the shard files of one run (`generate --shard K/N`) into the bytes of the whole run.
    #[command(after_help = crate::merge::MERGE_EXAMPLES)]
    Merge(crate::merge::MergeArgs),
    /// Send mirror copies to a live target as UDP datagrams (VXLAN to 4789, GENEVE to 6081), as AWS does.
    #[command(after_help = crate::send::SEND_EXAMPLES)]
    Send(crate::send::SendArgs),
}

const CORPUS_EXAMPLES: &str = "\
Examples:
  vxgen corpus --out vectors/
      rebuild the checked-in corpus (an existing vxgen corpus there is replaced atomically)
  vxgen corpus --out /tmp/v && diff -r vectors /tmp/v";

#[derive(Debug, Args)]
struct CorpusArgs {
    /// Directory to write: missing, empty, or an earlier corpus (which is replaced atomically).
    #[arg(long, default_value = "vectors", value_name = "DIR")]
    out: PathBuf,
    /// Replace the directory even if it is not empty and holds no vxgen corpus.
    #[arg(long)]
    force: bool,
}

/// Target kinds on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TargetArg {
    /// A network interface of a monitoring instance (plain VXLAN; MTU truncation).
    Eni,
    /// A Network Load Balancer with a UDP 4789 listener (PacketLength defaults to 8500).
    Nlb,
    /// A Gateway Load Balancer endpoint (the appliance sees GENEVE around the VXLAN copy).
    Gwlb,
}

impl From<TargetArg> for TargetKind {
    fn from(t: TargetArg) -> TargetKind {
        match t {
            TargetArg::Eni => TargetKind::NetworkInterface,
            TargetArg::Nlb => TargetKind::NetworkLoadBalancer,
            TargetArg::Gwlb => TargetKind::GatewayLoadBalancerEndpoint,
        }
    }
}

/// GBP flag letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GbpFlag {
    /// D: Don't Learn (draft-smith-vxlan-group-policy section 2.1).
    D,
    /// A: Policy Applied.
    A,
}

#[derive(Debug, Args)]
struct GenerateArgs {
    /// Seed of every random choice: same seed and options, same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of flows (TCP conversations, DNS lookups, pings) to generate.
    #[arg(long, default_value_t = 10, value_name = "N")]
    count: u64,
    /// What traffic to generate (`vxgen scenarios` lists them).
    #[arg(long, default_value = "mixed", value_name = "NAME")]
    scenario: String,
    /// VXLAN Network Identifier, 0..16777215, or `random` (chosen from the seed, as AWS picks one when
    /// VirtualNetworkId is not given). Default: the scenario's preset VNI, else random.
    #[arg(long, value_parser = parse_vni, value_name = "N|random")]
    vni: Option<VniArg>,
    /// Fraction (0..1) of TCP data copies delayed in the mirror path so that they arrive after later ones, as
    /// AWS warns NLB and GWLB targets may see. Sequence numbers are untouched.
    #[arg(long, default_value_t = 0.0, value_parser = parse_fraction, value_name = "P")]
    reorder: f64,
    /// Fraction (0..1) of TCP data segments lost on the way; the senders retransmit them.
    #[arg(long, default_value_t = 0.0, value_parser = parse_fraction, value_name = "P")]
    loss: f64,
    /// At most this many flows in progress at once (flows overlap in time up to this).
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..), value_name = "N")]
    max_concurrent: u16,
    /// Set the GBP G bit and this Group Policy ID (0..65535). AWS never sets it: a knob for testing decoders.
    #[arg(long, value_name = "N")]
    gbp_policy_id: Option<u16>,
    /// GBP flags to set besides G, comma-separated: d (Don't Learn), a (Policy Applied).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "d,a")]
    gbp_flags: Vec<GbpFlag>,
    /// PacketLength: bytes kept after the VXLAN header, 1..8500 (default: whole packet; 8500 for nlb/gwlb).
    #[arg(long, value_parser = parse_packet_length, value_name = "N")]
    packet_length: Option<u16>,
    /// MTU of the target; larger copies to an ENI target are truncated to it (68..65535).
    #[arg(long, default_value_t = 9001, value_parser = parse_mtu, value_name = "N")]
    target_mtu: u16,
    /// Kind of mirror target.
    #[arg(long, value_enum, default_value_t = TargetArg::Eni)]
    target: TargetArg,
    /// Mirror sessions and filters from a JSON file with EC2 API keys (see docs/examples/session.json);
    /// the options above fill in what the file leaves out.
    #[arg(long, value_name = "FILE.json")]
    session: Option<PathBuf>,
    /// Capture format: pcap (microseconds), pcap-ns (nanoseconds) or pcapng (with per-packet comments).
    /// Default: from the output's extension, else pcapng.
    #[arg(long, value_parser = parse_format, value_name = "pcap|pcap-ns|pcapng")]
    format: Option<Format>,
    /// Leave out the per-packet ground-truth comments of pcapng.
    #[arg(long)]
    no_comments: bool,
    /// Output file, or `-` for standard output. A device or FIFO (`/dev/null`) is written in place; a
    /// symlink is followed to the file it names.
    #[arg(short, long, default_value = "sample.pcapng", value_name = "PATH|-")]
    output: String,
    /// Replace the output file if it exists (atomically; through a symlink, the file it names).
    #[arg(long)]
    force: bool,
    /// Write only shard K of N (K from 0) of the run, by flow: a pcapng shard file that `vxgen merge` puts
    /// back together with the others into the whole run's bytes (in --format). See docs/scale.md.
    #[arg(long, value_name = "K/N", conflicts_with = "jobs")]
    shard: Option<generator::generate::Shard>,
    /// Threads: the run's shards on N threads, merged in order as they are written (the same bytes as 1).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256), value_name = "N")]
    jobs: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VniArg {
    Random,
    Fixed(Vni),
}

fn parse_vni(s: &str) -> Result<VniArg, String> {
    if s.eq_ignore_ascii_case("random") {
        return Ok(VniArg::Random);
    }
    let n: u64 =
        s.parse().map_err(|_| format!("VNI must be a number 0..={} or `random`", Vni::MAX.value()))?;
    u32::try_from(n)
        .ok()
        .and_then(|n| Vni::new(n).ok())
        .map(VniArg::Fixed)
        .ok_or_else(|| format!("VNI {n} is over 2^24-1 ({}): VXLAN has 24 bits for it", Vni::MAX.value()))
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err("must be a fraction between 0 and 1".to_string()),
    }
}

fn parse_packet_length(s: &str) -> Result<u16, String> {
    match s.parse::<u32>() {
        Ok(n) if (1..=MAX_PACKET_LENGTH as u32).contains(&n) => Ok(n as u16),
        _ => {
            Err(format!("PacketLength must be 1..={MAX_PACKET_LENGTH} (EC2 API CreateTrafficMirrorSession)"))
        }
    }
}

fn parse_mtu(s: &str) -> Result<u16, String> {
    match s.parse::<u32>() {
        Ok(n) if (68..=65535).contains(&n) => Ok(n as u16),
        _ => Err("MTU must be 68..=65535 (68 is the IPv4 minimum, RFC 791)".to_string()),
    }
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse::<Format>().map_err(|_| "format must be pcap, pcap-ns or pcapng".to_string())
}

/// Why a run failed, as one line for the user.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Capture(#[from] CaptureError),
    #[error("{0}")]
    Generate(#[from] GenerateError),
    #[error("{0}")]
    Invalid(String),
}

/// Runs `vxgen` with `args` (the first being the program name) and returns
/// the process exit code: 0 on success, 1 on a failed run, 2 on a usage error.
pub fn main<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand { 2 } else { 0 };
            }
            // One clear line: clap's first line names the argument and the reason.
            let text = e.render().to_string();
            let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("invalid arguments");
            eprintln!("vxgen: {}", line.trim_start_matches("error: "));
            return 2;
        }
    };
    match cli.command {
        Command::Corpus(args) => match generator::vectors::write_corpus(&args.out, args.force) {
            Ok(s) => {
                eprintln!(
                    "vxgen: {} vectors, {} files, {} bytes written to {}",
                    s.vectors,
                    s.files,
                    s.bytes,
                    args.out.display()
                );
                0
            }
            Err(e) => {
                eprintln!("vxgen: {e}");
                1
            }
        },
        Command::Generate(args) => match generate(&args) {
            Ok(()) => 0,
            Err(CliError::Capture(CaptureError::BrokenPipe))
            | Err(CliError::Generate(GenerateError::Capture(CaptureError::BrokenPipe))) => 0,
            Err(e) => {
                eprintln!("vxgen: {e}");
                1
            }
        },
        Command::Explain(args) => crate::explain::run(&args),
        Command::Merge(args) => crate::merge::run(&args),
        Command::Send(args) => crate::send::run(&args),
        Command::Scenarios => {
            let width = SCENARIOS.iter().map(|s| s.name.len()).max().unwrap_or(0);
            for s in SCENARIOS {
                println!("{:width$}  {}", s.name, s.summary);
            }
            0
        }
    }
}

/// Builds the mirror (source and sessions) from the options and the session
/// file, and parses the scenario, whose preset VNI is one of the defaults.
fn resolve_mirror(args: &GenerateArgs) -> Result<(Mirror, Scenario), CliError> {
    // Configuration randomness has its own stream so that it never shifts the traffic's.
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    rng.set_stream(1);
    let gbp = gbp_from_args(args)?;
    let scenario: Scenario =
        args.scenario.parse().map_err(|e: UnknownScenario| CliError::Invalid(e.to_string()))?;
    // An explicit --vni wins; else the scenario's preset; else random, as AWS does.
    let vni_arg = args.vni.unwrap_or(match scenario.info().vni.and_then(|v| Vni::new(v).ok()) {
        Some(v) => VniArg::Fixed(v),
        None => VniArg::Random,
    });
    let cli_vni = match vni_arg {
        VniArg::Fixed(v) => v,
        VniArg::Random => random_vni(&mut rng),
    };
    let kind = TargetKind::from(args.target);
    let mut target = Target::example(kind);
    target.mtu = args.target_mtu;
    let Some(path) = &args.session else {
        let mirror = Mirror {
            source: Source::example(),
            sessions: vec![Session {
                session_number: 1,
                vni: cli_vni,
                packet_length: args.packet_length,
                filter: Filter::accept_all(),
                target,
                gbp,
            }],
        };
        return Ok((mirror, scenario));
    };
    let config = MirrorConfig::from_path(path)?;
    let mut source = Source::example();
    if let Some(s) = &config.source {
        source.ip = s.ip.unwrap_or(source.ip);
        source.mac = s.mac.unwrap_or(source.mac);
        source.vpc_cidr = s.vpc_cidr.unwrap_or(source.vpc_cidr);
        source.router_mac = s.router_mac.unwrap_or(source.router_mac);
    }
    let mut sessions = Vec::with_capacity(config.sessions.len());
    for spec in config.sessions {
        let kind = spec.target.kind.unwrap_or(kind);
        let mut t = Target::example(kind);
        t.ip = spec.target.ip.unwrap_or(t.ip);
        t.mac = spec.target.mac.unwrap_or(t.mac);
        t.mtu = spec.target.mtu.unwrap_or(args.target_mtu);
        sessions.push(Session {
            session_number: spec.session_number,
            // A session without VirtualNetworkId gets a random one, as AWS does;
            // --vni N given explicitly applies to such sessions instead.
            vni: spec.virtual_network_id.unwrap_or(match vni_arg {
                VniArg::Fixed(v) => v,
                VniArg::Random => random_vni(&mut rng),
            }),
            packet_length: spec.packet_length.or(args.packet_length),
            filter: spec.filter,
            target: t,
            gbp: spec.gbp.or(gbp),
        });
    }
    if sessions.is_empty() {
        return Err(CliError::Invalid(format!("{}: the file holds no session", path.display())));
    }
    sessions.sort_by_key(|s| s.session_number);
    Ok((Mirror { source, sessions }, scenario))
}

/// The mirror and options `vxgen generate ARGS` would run, comments off
/// (for `vxgen send`, which sends the datagrams and never the comments);
/// the error is one line for the user.
pub(crate) fn plan_of(args: &[String]) -> Result<(Mirror, Options), String> {
    let argv = ["vxgen", "generate"].into_iter().map(String::from).chain(args.iter().cloned());
    let args = match Cli::try_parse_from(argv) {
        Ok(Cli { command: Command::Generate(args) }) => args,
        Ok(_) => unreachable!("parsed as generate"),
        Err(e) => {
            let text = e.render().to_string();
            let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("invalid arguments").to_string();
            return Err(format!("generate options after --: {}", line.trim_start_matches("error: ")));
        }
    };
    let (mirror, scenario) = resolve_mirror(&args).map_err(|e| e.to_string())?;
    let opts = Options {
        seed: args.seed,
        conversations: args.count,
        start_ns: Mirror::DEFAULT_START_NS,
        comments: false,
        scenario,
        reorder: args.reorder,
        loss: args.loss,
        max_concurrent: args.max_concurrent as usize,
    };
    Ok((mirror, opts))
}

fn random_vni(rng: &mut ChaCha8Rng) -> Vni {
    Vni::new(rng.random_range(0..=Vni::MAX.value())).expect("in range by construction")
}

fn gbp_from_args(args: &GenerateArgs) -> Result<Option<Gbp>, CliError> {
    match (args.gbp_policy_id, args.gbp_flags.is_empty()) {
        (None, true) => Ok(None),
        (None, false) => Err(CliError::Invalid(
            "--gbp-flags needs --gbp-policy-id (the G bit marks a policy id as present)".into(),
        )),
        (Some(policy_id), _) => Ok(Some(Gbp {
            policy_id,
            dont_learn: args.gbp_flags.contains(&GbpFlag::D),
            policy_applied: args.gbp_flags.contains(&GbpFlag::A),
        })),
    }
}

fn generate(args: &GenerateArgs) -> Result<(), CliError> {
    // SIGINT, SIGTERM, SIGHUP: delete the temporary file, exit 128 + signal.
    // If it cannot be set up the signals keep their default action, which is no reason to fail the run.
    let _ = generator::capture::install_signal_cleanup();
    let (mirror, scenario) = resolve_mirror(args)?;
    let target: OutputTarget = args.output.parse().map_err(|e| CliError::Invalid(format!("-o: {e}")))?;
    if target.is_terminal() {
        return Err(CliError::Invalid(
            "refusing to write a binary capture to a terminal; pipe it (-o - | tshark -r -) or name a file"
                .into(),
        ));
    }
    let format = args.format.unwrap_or_else(|| match &target {
        OutputTarget::File(p) if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pcap")) => {
            Format::Pcap
        }
        _ => Format::PcapNg,
    });
    let opts = Options {
        seed: args.seed,
        conversations: args.count,
        start_ns: Mirror::DEFAULT_START_NS,
        comments: format == Format::PcapNg && !args.no_comments,
        scenario,
        reorder: args.reorder,
        loss: args.loss,
        max_concurrent: args.max_concurrent as usize,
    };
    let output = Output::create(&target, args.force)?;
    let bar = progress_bar(args.count);
    let progress = |done| {
        if let Some(b) = &bar {
            b.set_position(done)
        }
    };
    if let Some(shard) = args.shard {
        let header = crate::merge::shard_header(&mirror, &opts, format, shard);
        let mut writer = CaptureWriter::new_shard(output, 262_144, &header)?;
        let stats = generator::generate::run_shard(&mirror, &opts, shard, &mut writer, progress)?;
        writer.finish()?.commit()?;
        summary(&args.output, &mirror, &stats);
        return Ok(());
    }
    let mut writer = CaptureWriter::new(output, format, 262_144)?;
    let stats = generator::generate::run_jobs(&mirror, &opts, args.jobs.into(), &mut writer, progress)?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    writer.finish()?.commit()?;
    summary(&args.output, &mirror, &stats);
    Ok(())
}

fn progress_bar(count: u64) -> Option<indicatif::ProgressBar> {
    if count < 100_000 || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(count);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} conversations ({eta} left)")
    {
        bar.set_style(style);
    }
    Some(bar)
}

fn summary(output: &str, mirror: &Mirror, stats: &Stats) {
    let vnis: Vec<String> = mirror.sessions.iter().map(|s| s.vni.to_string()).collect();
    let to = if output == "-" { "standard output".to_string() } else { output.to_string() };
    eprintln!(
        "vxgen: {} flows, {} copies ({} truncated, {} reordered, {} not mirrored), {} bytes to {} (VNI {})",
        stats.conversations,
        stats.copies,
        stats.truncated,
        stats.reordered,
        stats.not_mirrored,
        stats.bytes,
        to,
        vnis.join(", ")
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("random", Some(VniArg::Random))]
    #[case("RANDOM", Some(VniArg::Random))]
    #[case("0", Some(VniArg::Fixed(Vni::new(0).unwrap())))]
    #[case("16777215", Some(VniArg::Fixed(Vni::MAX)))]
    #[case("16777216", None)]
    #[case("99999999999", None)]
    #[case("-1", None)]
    #[case("abc", None)]
    fn vni_argument(#[case] text: &str, #[case] want: Option<VniArg>) {
        assert_eq!(parse_vni(text).ok(), want);
    }

    #[rstest]
    #[case("1", true)]
    #[case("8500", true)]
    #[case("0", false)]
    #[case("8501", false)]
    fn packet_length_argument(#[case] text: &str, #[case] ok: bool) {
        assert_eq!(parse_packet_length(text).is_ok(), ok);
    }

    #[rstest]
    #[case("68", true)]
    #[case("67", false)]
    #[case("9001", true)]
    fn mtu_argument(#[case] text: &str, #[case] ok: bool) {
        assert_eq!(parse_mtu(text).is_ok(), ok);
    }

    #[test]
    fn random_vni_depends_on_the_seed_only() {
        let vni = |seed| {
            let cli = Cli::try_parse_from(["vxgen", "generate", "--seed", seed]).unwrap();
            let Command::Generate(args) = cli.command else { unreachable!() };
            resolve_mirror(&args).unwrap().0.sessions[0].vni
        };
        assert_eq!(vni("5"), vni("5"));
        assert_ne!(vni("5"), vni("6"));
    }

    #[test]
    fn gbp_flags_need_a_policy_id() {
        let cli = Cli::try_parse_from(["vxgen", "generate", "--gbp-flags", "d"]).unwrap();
        let Command::Generate(args) = cli.command else { unreachable!() };
        assert!(resolve_mirror(&args).is_err());
    }

    #[test]
    fn help_lists_examples() {
        let help = <Cli as clap::CommandFactory>::command().render_long_help().to_string();
        assert!(help.contains("Examples:"));
    }
}
