//! The `vxgen` command line: argument parsing, option resolution and the
//! run itself. It lives in the binary, as ripgrep and cargo keep their flags,
//! so that the library (and `conformance`, which uses it) builds without clap
//! or indicatif; the integration tests drive it as a process.

use clap::{Args, Parser, Subcommand, ValueEnum};
use generator::capture::{CaptureError, CaptureWriter, Format, Output, OutputTarget};
use generator::generate::{mirror_traffic, EmitOptions};
use generator::generate::{GenerateError, Options, Stats};
use generator::mirror::config::{ConfigError, MirrorConfig};
use generator::mirror::filter::Filter;
use generator::mirror::session::{
    Gbp, Mirror, Session, Source, Subnet, Target, TargetKind, MAX_PACKET_LENGTH,
};
use generator::traffic::recorded::{infer_eni, CaptureSource, Eni, ReadError};
use generator::traffic::scenario::{Scenario, UnknownScenario, SCENARIOS};
use generator::traffic::TrafficSource;
use generator::wire::vxlan::Vni;
use generator::wire::EthernetAddress;
use ipnet::Ipv4Net;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::ffi::OsString;
use std::io::IsTerminal;
use std::net::Ipv4Addr;
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
  vxgen generate --session sessions.json --session filters.json --session targets.json -o aws.pcapng
      the JSON `aws ec2 describe-traffic-mirror-sessions`, `-filters` and `-targets` print, joined by id
  vxgen mirror instance.pcap -o mirrored.pcapng --source-ip 10.0.1.23
      what a mirror session would deliver for a capture made on the instance (tcpdump -w)
  vxgen generate --count 5 -o - | tshark -r - -V";

const MIRROR_EXAMPLES: &str = "\
Examples:
  vxgen mirror instance.pcap -o mirrored.pcapng
      the source ENI inferred (the IPv4 address in the most frames; stderr says which), mirrored to an ENI target
  vxgen mirror instance.pcapng -o mirrored.pcap --source-ip 172.31.0.238 --vni 5569041
  vxgen mirror instance.pcap -o nlb.pcapng --session sessions.json --session filters.json --session targets.json
      the sessions AWS describes, their filters (amazon-dns too) and targets (NLB: PacketLength 8500)";

/// Synthesize AWS VPC Traffic Mirroring captures (VXLAN, UDP 4789), deterministically from a seed.
#[derive(Debug, Parser)]
#[command(name = "vxgen", version, about, after_help = EXAMPLES)]
pub struct Cli {
    /// Quiet: no summary line, no progress bar and no warnings on standard error (errors still).
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Verbose: also say, before the run, what the mirror is (source ENI, each session's target, VNI,
    /// PacketLength and filter rules) and where the output goes.
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

/// How much `vxgen` says on standard error besides errors.
#[derive(Debug, Clone, Copy)]
struct Ui {
    quiet: bool,
    verbose: bool,
}

impl Ui {
    /// A warning: an option that has no effect, or a choice the user may not expect.
    fn warn(&self, what: &str) {
        if !self.quiet {
            eprintln!("vxgen: warning: {what}");
        }
    }

    /// A line for `-v`.
    fn detail(&self, what: &str) {
        if self.verbose {
            eprintln!("vxgen: {what}");
        }
    }
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
    /// Mirror an existing capture of an instance's traffic (pcap or pcapng, Ethernet): write what an AWS
    /// mirror session would deliver to its target.
    #[command(after_help = MIRROR_EXAMPLES)]
    Mirror(MirrorCmdArgs),
    /// Explain one frame byte by byte: every field, its value and its clause, VXLAN under both readings.
    #[command(after_help = crate::explain::EXPLAIN_EXAMPLES)]
    Explain(crate::explain::ExplainArgs),
    /// Merge the shard files of one run (`generate --shard K/N`) into the bytes of the whole run.
    #[command(after_help = crate::merge::MERGE_EXAMPLES)]
    Merge(crate::merge::MergeArgs),
    /// Send mirror copies to a live target as UDP datagrams (VXLAN to 4789, GENEVE to 6081), as AWS does.
    #[command(after_help = crate::send::SEND_EXAMPLES)]
    Send(crate::send::SendArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to standard output.
    #[command(
        after_help = "Examples:\n  vxgen completions bash > ~/.local/share/bash-completion/completions/vxgen\n  \
        vxgen completions zsh > \"${fpath[1]}/_vxgen\""
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Write man pages (vxgen.1 and one per subcommand) into a directory.
    #[command(after_help = "Examples:\n  vxgen man --out ~/.local/share/man/man1 && man vxgen-generate")]
    Man {
        /// The directory (it must exist).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Replace man pages already there.
        #[arg(long)]
        force: bool,
    },
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
    /// Number of flows (TCP conversations, DNS lookups, pings) to generate. Default: 10, or as many as
    /// -c needs.
    #[arg(long, value_name = "N")]
    count: Option<u64>,
    /// Write exactly N packets (mirror copies) and stop, as tcpdump -c does; flows are generated until
    /// then (at most --count of them, if given).
    #[arg(short = 'c', long = "packets", value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    packets: Option<u64>,
    /// What traffic to generate (`vxgen scenarios` lists them).
    #[arg(long, default_value = "mixed", value_name = "NAME")]
    scenario: String,
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
    #[command(flatten)]
    mirror: MirrorArgs,
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
    #[arg(long, value_name = "K/N")]
    shard: Option<generator::generate::Shard>,
    /// Threads to run on (at most one per core), each flow whole on one, their copies merged as they go: the
    /// same bytes as 1 (with --shard: threads planning the shard's flows ahead). See docs/scale.md.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256), value_name = "N")]
    jobs: u16,
}

/// The mirror: sessions, filters, targets and the source ENI (shared by `generate` and `mirror`).
#[derive(Debug, Args)]
struct MirrorArgs {
    /// VXLAN Network Identifier, 0..16777215, or `random` (chosen from the seed, as AWS picks one when
    /// VirtualNetworkId is not given). Default: the scenario's preset VNI, else random.
    #[arg(long, value_parser = parse_vni, value_name = "N|random")]
    vni: Option<VniArg>,
    /// Set the GBP G bit and this Group Policy ID (0..65535). AWS never sets it: a knob for testing decoders.
    #[arg(long, value_name = "N")]
    gbp_policy_id: Option<u16>,
    /// GBP flags to set besides G, comma-separated: d (Don't Learn), a (Policy Applied).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "d,a")]
    gbp_flags: Vec<GbpFlag>,
    /// PacketLength: bytes kept after the VXLAN header, 1..8500 (default: whole packet; 8500 for nlb/gwlb).
    #[arg(long, value_parser = parse_packet_length, value_name = "N")]
    packet_length: Option<u16>,
    /// MTU of the target; larger copies to an ENI target are truncated to it (68..65535). Default: 9001.
    #[arg(long, value_parser = parse_mtu, value_name = "N")]
    target_mtu: Option<u16>,
    /// Kind of mirror target (for sessions whose target the files do not describe).
    #[arg(long, value_enum, default_value_t = TargetArg::Eni)]
    target: TargetArg,
    /// Primary IPv4 address of the target (AWS's describe-traffic-mirror-targets does not say it). Default:
    /// 10.0.2.50 (ENI), 10.0.2.100 (NLB), 10.0.2.200 (GWLB endpoint).
    #[arg(long, value_name = "IPv4")]
    target_ip: Option<Ipv4Addr>,
    /// Mirror sessions, filters and targets from JSON with EC2 API keys: our own file
    /// (docs/examples/session.json), or what `aws ec2 describe-traffic-mirror-sessions`, `-filters` and
    /// `-targets` print (repeat --session for each, or merge them), joined by TrafficMirrorFilterId and
    /// TrafficMirrorTargetId. The options above fill in what the files leave out.
    #[arg(long, value_name = "FILE.json")]
    session: Vec<PathBuf>,
    /// The source ENI's id, when the sessions given mirror several (`eni-...`); the others are left out.
    #[arg(long, value_name = "ID")]
    source_eni: Option<String>,
    /// Primary private IPv4 address of the source ENI (the outer IPv4 source). Default: 10.0.1.23 for
    /// `generate`; for `mirror`, inferred from the capture.
    #[arg(long, value_name = "IPv4")]
    source_ip: Option<Ipv4Addr>,
    /// MAC address of the source ENI. Default: 02:4f:1a:8c:3e:71 for `generate`; for `mirror`, inferred.
    #[arg(long, value_name = "MAC", value_parser = parse_mac)]
    source_mac: Option<EthernetAddress>,
    /// The VPC's IPv4 CIDR block (its base + 2 is the Amazon DNS server). Default: 10.0.0.0/16 if it holds
    /// the source ENI, else the /16 that does.
    #[arg(long, value_name = "CIDR")]
    vpc_cidr: Option<Ipv4Net>,
}

const MIRROR_INFER_FRAMES: u64 = 10_000;

/// The target MTU without --target-mtu: a jumbo-frame ENI's (AWS: 9001).
const DEFAULT_TARGET_MTU: u16 = 9001;

/// The flows `generate` makes without --count and without -c.
const DEFAULT_FLOWS: u64 = 10;

#[derive(Debug, Args)]
struct MirrorCmdArgs {
    /// The capture to mirror: pcap or pcapng, link type Ethernet (`tcpdump -w` on the instance); `-` for
    /// standard input (with --source-ip and --source-mac, since nothing can be inferred in one pass).
    #[arg(value_name = "INPUT")]
    input: PathBuf,
    /// Seed of the random choices (a random VNI).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    mirror: MirrorArgs,
    /// Capture format: pcap (microseconds), pcap-ns (nanoseconds) or pcapng (with per-packet comments).
    /// Default: from the output's extension, else pcapng.
    #[arg(long, value_parser = parse_format, value_name = "pcap|pcap-ns|pcapng")]
    format: Option<Format>,
    /// Leave out the per-packet comments of pcapng.
    #[arg(long)]
    no_comments: bool,
    /// Output file, or `-` for standard output.
    #[arg(short, long, value_name = "PATH|-")]
    output: String,
    /// Replace the output file if it exists (atomically).
    #[arg(long)]
    force: bool,
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

fn parse_mac(s: &str) -> Result<EthernetAddress, String> {
    match s.parse::<EthernetAddress>() {
        Ok(m) if m.is_multicast() => Err("a group (multicast) address is not an interface's".to_string()),
        Ok(m) => Ok(m),
        Err(_) => Err("not a MAC address (like 02:1a:2b:3c:4d:5e)".to_string()),
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
    /// Options that cannot work together, or a value the parser could not
    /// check: a usage error (exit 2).
    #[error("{0}")]
    Invalid(String),
    /// A run that failed on its input (exit 1).
    #[error("{0}")]
    Failed(String),
    #[error("{}: {source}", path.display())]
    Read { path: PathBuf, source: ReadError },
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
    let ui = Ui { quiet: cli.quiet, verbose: cli.verbose };
    match cli.command {
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut stdout = std::io::stdout().lock();
            clap_complete::generate(shell, &mut command, "vxgen", &mut stdout);
            0
        }
        Command::Man { out, force } => match write_man_pages(&out, force) {
            Ok(pages) => {
                if !ui.quiet {
                    eprintln!("vxgen: {} man pages written to {}", pages, out.display());
                }
                0
            }
            Err(e) => {
                eprintln!("vxgen: {e}");
                1
            }
        },
        Command::Corpus(args) => match generator::vectors::write_corpus(&args.out, args.force) {
            Ok(s) if ui.quiet => {
                let _ = s;
                0
            }
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
        Command::Mirror(args) => exit_code(mirror_capture(&args, ui)),
        Command::Generate(args) => exit_code(generate(&args, ui)),
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

/// The exit code of a run, its error said on one line: 0 (a reader that
/// closed the pipe early included), 2 for options that cannot work
/// together (a usage error, as clap's own), 1 for a run that failed.
fn exit_code(result: Result<(), CliError>) -> i32 {
    match result {
        Ok(())
        | Err(CliError::Capture(CaptureError::BrokenPipe))
        | Err(CliError::Generate(GenerateError::Capture(CaptureError::BrokenPipe))) => 0,
        Err(e @ CliError::Invalid(_)) => {
            eprintln!("vxgen: {e}");
            2
        }
        Err(e) => {
            eprintln!("vxgen: {e}");
            1
        }
    }
}

/// Builds the mirror (source and sessions) from the options and the session
/// file, and parses the scenario, whose preset VNI is one of the defaults.
fn resolve_mirror(args: &GenerateArgs) -> Result<(Mirror, Scenario), CliError> {
    let scenario: Scenario = args.scenario.parse().map_err(|e: UnknownScenario| {
        CliError::Invalid(format!(
            "{e}{}",
            generator::suggest::did_you_mean(&args.scenario, SCENARIOS.iter().map(|s| s.name))
        ))
    })?;
    let preset = scenario.info().vni.and_then(|v| Vni::new(v).ok());
    let config = load_config(&args.mirror)?;
    let mirror = build_mirror(&args.mirror, config, args.seed, preset, None)?;
    Ok((mirror, scenario))
}

/// The /16 holding `ip` (**chosen** default VPC block when 10.0.0.0/16 does not hold the ENI: AWS's
/// default VPCs are /16s), or the example VPC if it holds `ip`.
fn default_vpc(ip: Ipv4Addr) -> Ipv4Net {
    let example = Source::example().vpc_cidr;
    if example.contains(&ip) {
        example
    } else {
        Ipv4Net::new(ip, 16).expect("16 is a valid prefix").trunc()
    }
}

/// The /24 holding `ip` with `router_mac`, or `example` if it holds `ip`.
fn default_subnet(ip: Ipv4Addr, example: Subnet) -> Subnet {
    if example.contains(ip) {
        example
    } else {
        Subnet { cidr: Ipv4Net::new(ip, 24).expect("24 is a valid prefix").trunc(), ..example }
    }
}

/// An option and the file's value for the same thing: either, or both if equal.
fn agree<T: PartialEq + std::fmt::Display + Copy>(
    option: Option<T>,
    file: Option<T>,
    flag: &str,
    key: &str,
) -> Result<Option<T>, CliError> {
    match (option, file) {
        (Some(o), Some(f)) if o != f => {
            Err(CliError::Invalid(format!("{flag} {o} contradicts the session file's Source.{key} {f}")))
        }
        (o, f) => Ok(o.or(f)),
    }
}

/// The `--session` files, joined; `None` without any.
fn load_config(args: &MirrorArgs) -> Result<Option<MirrorConfig>, CliError> {
    if args.session.is_empty() {
        if args.source_eni.is_some() {
            return Err(CliError::Invalid(
                "--source-eni chooses among the sessions of --session files".into(),
            ));
        }
        return Ok(None);
    }
    let paths: Vec<&std::path::Path> = args.session.iter().map(PathBuf::as_path).collect();
    let config = MirrorConfig::from_paths(&paths, args.source_eni.as_deref())?;
    if config.other_sessions > 0 {
        eprintln!(
            "vxgen: mirroring {}: {} session(s) of other network interfaces left out",
            config.source_eni.as_deref().unwrap_or("the source ENI"),
            config.other_sessions
        );
    }
    Ok(Some(config))
}

/// The mirror from the options and the `--session` files. `preset` is the
/// scenario's VNI; `found` the source ENI a capture shows (`vxgen mirror`).
fn build_mirror(
    args: &MirrorArgs,
    config: Option<MirrorConfig>,
    seed: u64,
    preset: Option<Vni>,
    found: Option<(Ipv4Addr, Option<EthernetAddress>)>,
) -> Result<Mirror, CliError> {
    // Configuration randomness has its own stream so that it never shifts the traffic's.
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(1);
    let gbp = gbp_from_args(args)?;
    // An explicit --vni wins; else the scenario's preset; else random, as AWS does.
    let vni_arg = args.vni.unwrap_or(match preset {
        Some(v) => VniArg::Fixed(v),
        None => VniArg::Random,
    });
    let cli_vni = match vni_arg {
        VniArg::Fixed(v) => v,
        VniArg::Random => random_vni(&mut rng),
    };

    // The source ENI: options, the file's Source, what the capture shows, the example.
    let example = Source::example();
    let file_source = config.as_ref().and_then(|c| c.source.clone()).unwrap_or_default();
    let ip = agree(args.source_ip, file_source.ip, "--source-ip", "PrivateIpAddress")?
        .or(found.map(|f| f.0))
        .unwrap_or(example.ip);
    let mac = agree(args.source_mac, file_source.mac, "--source-mac", "MacAddress")?
        .or(found.and_then(|f| f.1))
        .unwrap_or(example.mac);
    let vpc_cidr = agree(args.vpc_cidr, file_source.vpc_cidr, "--vpc-cidr", "VpcCidrBlock")?
        .unwrap_or_else(|| default_vpc(ip));
    let mut subnet = default_subnet(ip, example.subnet);
    if let Some(cidr) = file_source.subnet_cidr {
        subnet.cidr = cidr;
    }
    subnet.router_mac = file_source.router_mac.unwrap_or(subnet.router_mac);
    if !vpc_cidr.contains(&ip) {
        return Err(CliError::Invalid(format!("the source ENI {ip} is not in the VPC {vpc_cidr}")));
    }
    let source = Source { ip, mac, vpc_cidr, subnet };

    let kind = TargetKind::from(args.target);
    let Some(config) = config else {
        let mut target = Target::example(kind);
        target.mtu = args.target_mtu.unwrap_or(DEFAULT_TARGET_MTU);
        target.ip = args.target_ip.unwrap_or(target.ip);
        target.subnet = target_subnet(&source, target.ip, None, None);
        let session = Session {
            session_number: 1,
            vni: cli_vni,
            packet_length: args.packet_length,
            filter: Filter::accept_all(),
            target,
            gbp,
        };
        return Ok(Mirror { source, sessions: vec![session] });
    };

    // Targets: one per distinct TrafficMirrorTargetId (or per session when none).
    let without_ip = config.sessions.iter().filter(|s| s.target.ip.is_none()).map(|s| &s.target.id);
    let mut distinct_without_ip: Vec<&Option<String>> = Vec::new();
    for id in without_ip {
        if id.is_none() || !distinct_without_ip.contains(&id) {
            distinct_without_ip.push(id);
        }
    }
    if args.target_ip.is_some() && distinct_without_ip.len() > 1 {
        return Err(CliError::Invalid(format!(
            "--target-ip: {} targets have no IpAddress; give each one in the session file",
            distinct_without_ip.len()
        )));
    }
    let mut sessions = Vec::with_capacity(config.sessions.len());
    let mut made: Vec<(Option<String>, Target)> = Vec::new();
    for spec in config.sessions {
        let target = match made.iter().find(|(id, _)| id.is_some() && *id == spec.target.id) {
            Some((_, t)) => t.clone(),
            None => {
                let kind = spec.target.kind.unwrap_or(kind);
                let mut t = Target::example(kind);
                // Default addresses: the example's, then the next ones for further targets of a kind.
                let same_kind = made.iter().filter(|(_, m)| m.kind == kind).count() as u32;
                let default_ip = Ipv4Addr::from(u32::from(t.ip).wrapping_add(same_kind));
                t.ip = spec.target.ip.or(args.target_ip).unwrap_or(default_ip);
                t.mac = spec.target.mac.unwrap_or(EthernetAddress({
                    let mut m = t.mac.0;
                    m[5] = m[5].wrapping_add(same_kind as u8);
                    m
                }));
                t.mtu = spec.target.mtu.or(args.target_mtu).unwrap_or(DEFAULT_TARGET_MTU);
                t.subnet = target_subnet(&source, t.ip, spec.target.subnet_cidr, spec.target.router_mac);
                made.push((spec.target.id.clone(), t.clone()));
                t
            }
        };
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
            target,
            gbp: spec.gbp.or(gbp),
        });
    }
    if sessions.is_empty() {
        return Err(CliError::Failed("the --session files hold no session".into()));
    }
    sessions.sort_by_key(|s| s.session_number);
    Ok(Mirror { source, sessions })
}

/// The target's subnet: as the file says; else the source's if it holds the
/// target (one router, one MAC); else the example target subnet (or the /24
/// holding the target), with its own router MAC.
fn target_subnet(
    source: &Source,
    ip: Ipv4Addr,
    cidr: Option<Ipv4Net>,
    router_mac: Option<EthernetAddress>,
) -> Subnet {
    let mut subnet = match cidr {
        Some(cidr) if cidr == source.subnet.cidr => source.subnet,
        Some(cidr) => Subnet { cidr, ..Subnet::example_target() },
        None if source.subnet.contains(ip) => source.subnet,
        None => default_subnet(ip, Subnet::example_target()),
    };
    subnet.router_mac = router_mac.unwrap_or(subnet.router_mac);
    subnet
}

/// The mirror and options `vxgen generate ARGS` would run, comments off
/// (for `vxgen send`, which sends the datagrams and never the comments);
/// the error is one line for the user.
pub(crate) fn plan_of(args: &[String]) -> Result<(Mirror, Options), String> {
    let argv = ["vxgen", "generate"].into_iter().map(String::from).chain(args.iter().cloned());
    let args = match Cli::try_parse_from(argv) {
        Ok(Cli { command: Command::Generate(args), .. }) => args,
        Ok(_) => unreachable!("parsed as generate"),
        Err(e) => {
            let text = e.render().to_string();
            let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("invalid arguments").to_string();
            return Err(format!("generate options after --: {}", line.trim_start_matches("error: ")));
        }
    };
    let (mirror, scenario) = resolve_mirror(&args).map_err(|e| e.to_string())?;
    if args.packets.is_some() {
        return Err("generate options after --: -c is not for send (--loop and --count say how much)".into());
    }
    let opts = Options {
        seed: args.seed,
        conversations: args.count.unwrap_or(DEFAULT_FLOWS),
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

fn gbp_from_args(args: &MirrorArgs) -> Result<Option<Gbp>, CliError> {
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

fn generate(args: &GenerateArgs, ui: Ui) -> Result<(), CliError> {
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
    let format = format_for(args.format, &target, ui);
    warn_without_effect(&args.mirror, &mirror, format, args.no_comments, ui);
    // With -c and no --count, flows go on until the N-th packet.
    let flows = args.count.unwrap_or(if args.packets.is_some() { u64::MAX } else { DEFAULT_FLOWS });
    let opts = Options {
        seed: args.seed,
        conversations: flows,
        start_ns: Mirror::DEFAULT_START_NS,
        comments: format == Format::PcapNg && !args.no_comments,
        scenario,
        reorder: args.reorder,
        loss: args.loss,
        max_concurrent: args.max_concurrent as usize,
    };
    describe(&mirror, &args.output, format, ui);
    let output = Output::create(&target, args.force)?;
    if args.packets.is_some() && args.shard.is_some() {
        return Err(CliError::Invalid(
            "-c counts the packets of one writer: it does not go with --shard (merge, then cut with editcap -r)".into(),
        ));
    }
    // The bar counts flows; with -c and no --count it has no end to count to.
    let bar = progress_bar(if args.count.is_none() && args.packets.is_some() { u64::MAX } else { flows }, ui);
    let progress = |done| bar.set_position(done);
    if let Some(shard) = args.shard {
        let header = crate::merge::shard_header(&mirror, &opts, format, shard);
        let mut writer = CaptureWriter::new_shard(output, 262_144, &header)?;
        let jobs = args.jobs.into();
        let stats = generator::generate::run_shard_jobs(&mirror, &opts, shard, jobs, &mut writer, progress)?;
        bar.finish_and_clear();
        let (packets, bytes) = (writer.packets_written(), writer.bytes_written());
        writer.finish()?.commit()?;
        if !ui.quiet {
            summary(&args.output, &mirror, &stats, packets, bytes);
        }
        return Ok(());
    }
    let mut writer = CaptureWriter::new(output, format, 262_144)?;
    if let Some(n) = args.packets {
        writer = writer.with_limit(n);
    }
    let stats = generator::generate::run_jobs(&mirror, &opts, args.jobs.into(), &mut writer, progress)?;
    bar.finish_and_clear();
    let packets = writer.packets_written();
    let bytes = writer.bytes_written();
    writer.finish()?.commit()?;
    if let Some(n) = args.packets.filter(|n| packets < *n) {
        ui.warn(&format!(
            "only {packets} of the {n} packets -c asked for: the {flows} flows of --count ended first"
        ));
    }
    if !ui.quiet {
        if args.packets.is_some_and(|n| packets == n) {
            // The counts of flows, truncated and reordered copies are of the
            // work done up to the cut, which --jobs does in its own steps:
            // only what was written is told.
            let vnis: Vec<String> = mirror.sessions.iter().map(|s| s.vni.to_string()).collect();
            eprintln!(
                "vxgen: {packets} copies, {} to {} (VNI {})",
                size_text(bytes),
                output_name(&args.output),
                vnis.join(", ")
            );
            eprintln!("vxgen: stopped after the {packets} packets of -c (flows in progress are cut there)");
        } else {
            summary(&args.output, &mirror, &stats, packets, bytes);
        }
    }
    Ok(())
}

/// Warnings for options the run ignores.
fn warn_without_effect(args: &MirrorArgs, mirror: &Mirror, format: Format, no_comments: bool, ui: Ui) {
    if args.target_mtu.is_some()
        && mirror.sessions.iter().all(|s| s.target.kind != TargetKind::NetworkInterface)
    {
        ui.warn(
            "--target-mtu has no effect: AWS cuts copies to the MTU only for a network-interface (eni) target; \
             NLB and GWLB targets take PacketLength (8500 by default)",
        );
    }
    if no_comments && format != Format::PcapNg {
        ui.warn("--no-comments has no effect: only pcapng has per-packet comments");
    }
}

/// `-v`: the mirror, session by session, and where the copies go.
fn describe(mirror: &Mirror, output: &str, format: Format, ui: Ui) {
    if !ui.verbose {
        return;
    }
    let s = &mirror.source;
    ui.detail(&format!(
        "source ENI {} ({}) in VPC {}, subnet {} (router {})",
        s.ip, s.mac, s.vpc_cidr, s.subnet.cidr, s.subnet.router_mac
    ));
    for session in &mirror.sessions {
        let t = &session.target;
        let length =
            session.packet_length.map_or("whole packets".to_string(), |n| format!("PacketLength {n}"));
        ui.detail(&format!(
            "session {}: VNI {}, {length}, target {:?} {} (MTU {}, subnet {}), filter: {} egress and {} ingress rule(s)",
            session.session_number,
            session.vni,
            t.kind,
            t.ip,
            t.mtu,
            t.subnet.cidr,
            session.filter.rules(generator::flow::Direction::Egress).len(),
            session.filter.rules(generator::flow::Direction::Ingress).len()
        ));
    }
    let to = if output == "-" { "standard output" } else { output };
    ui.detail(&format!("writing {} to {to}", format_name(format)));
}

/// `--format`, else from the output's extension (`.pcap`: pcap, `.pcapng`:
/// pcapng), else pcapng; a warning when `--format` contradicts the extension.
fn format_for(format: Option<Format>, target: &OutputTarget, ui: Ui) -> Format {
    let by_extension = match target {
        OutputTarget::File(p) => match p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase) {
            Some(e) if e == "pcap" => Some(Format::Pcap),
            Some(e) if e == "pcapng" => Some(Format::PcapNg),
            _ => None,
        },
        _ => None,
    };
    match (format, by_extension) {
        (Some(f), Some(e)) if (f == Format::PcapNg) != (e == Format::PcapNg) => {
            ui.warn(&format!(
                "--format {} writes {} into a file named .{}: tools read the content, people the name",
                format_name(f),
                if f == Format::PcapNg { "pcapng" } else { "classic pcap" },
                if e == Format::PcapNg { "pcapng" } else { "pcap" }
            ));
            f
        }
        (Some(f), _) => f,
        (None, Some(e)) => e,
        (None, None) => Format::PcapNg,
    }
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Pcap => "pcap",
        Format::PcapNanos => "pcap-ns",
        Format::PcapNg => "pcapng",
    }
}

/// `vxgen man`: vxgen.1 and vxgen-SUBCOMMAND.1 written into `dir`, each
/// atomically; the number written.
fn write_man_pages(dir: &std::path::Path, force: bool) -> Result<usize, String> {
    let command = <Cli as clap::CommandFactory>::command();
    if !dir.is_dir() {
        return Err(format!("--out {}: not a directory", dir.display()));
    }
    let mut pages: Vec<(String, clap::Command)> = vec![("vxgen.1".into(), command.clone())];
    for sub in command.get_subcommands().filter(|c| c.get_name() != "help") {
        // clap names commands with &'static str; a handful of names, once per process.
        let name: &'static str = Box::leak(format!("vxgen-{}", sub.get_name()).into_boxed_str());
        pages.push((format!("{name}.1"), sub.clone().name(name)));
    }
    for (file, page) in &pages {
        let path = dir.join(file);
        let mut text = Vec::new();
        clap_mangen::Man::new(page.clone()).render(&mut text).map_err(|e| format!("{file}: {e}"))?;
        let target = OutputTarget::File(path.clone());
        let mut out = Output::create(&target, force).map_err(|e| e.to_string())?;
        std::io::Write::write_all(&mut out, &text).map_err(|e| format!("{}: {e}", path.display()))?;
        out.commit().map_err(|e| e.to_string())?;
    }
    Ok(pages.len())
}

/// `vxgen mirror`: an existing capture through the mirror, streamed.
fn mirror_capture(args: &MirrorCmdArgs, ui: Ui) -> Result<(), CliError> {
    let _ = generator::capture::install_signal_cleanup();
    let stdin = args.input.as_os_str() == "-";
    let open = || -> Result<Box<dyn std::io::Read>, CliError> {
        if stdin {
            return Ok(Box::new(std::io::stdin().lock()));
        }
        let file = std::fs::File::open(&args.input)
            .map_err(|e| CliError::Failed(format!("cannot read {}: {e}", args.input.display())))?;
        Ok(Box::new(file))
    };
    let read_error = |source: ReadError| CliError::Read { path: args.input.clone(), source };
    // The source ENI: as given (options, the session file's Source), or guessed from the first frames.
    let m = &args.mirror;
    let config = load_config(m)?;
    let file_source = config.as_ref().and_then(|c| c.source.clone()).unwrap_or_default();
    let known_ip = m.source_ip.or(file_source.ip);
    let known_mac = m.source_mac.or(file_source.mac);
    let found = match (known_ip, known_mac) {
        (Some(_), Some(_)) => None,
        _ if stdin => {
            return Err(CliError::Invalid(
                "reading standard input (-) needs --source-ip and --source-mac: the ENI cannot be inferred in one pass"
                    .into(),
            ))
        }
        (ip, mac) => match infer_eni(open()?, Eni { ip, mac }, MIRROR_INFER_FRAMES).map_err(read_error)? {
            Some(f) => Some(f),
            None => {
                return Err(CliError::Failed(format!(
                "{}: no frame carries a unicast IPv4 address to take for the source ENI; give --source-ip",
                args.input.display()
            )))
            }
        },
    };
    let mirror = build_mirror(m, config, args.seed, None, found.map(|f| (f.ip, f.mac)))?;
    if let Some(f) = found.filter(|_| !ui.quiet) {
        let first = format!("the first {} frames", f.frames);
        match (known_ip, known_mac, f.mac) {
            (Some(ip), _, Some(mac)) => eprintln!(
                "vxgen: source ENI {ip}: MAC inferred: {mac} (most frames from {ip} in {first}); --source-mac chooses another"
            ),
            (Some(ip), _, None) => {
                eprintln!("vxgen: source ENI {ip}: no frame from it in {first}, so its MAC is unknown: frames are told by IPv4 address only")
            }
            (None, given, mac) => {
                let mac = match (given, mac) {
                    (Some(m), _) => format!("{m}, given"),
                    (None, Some(m)) => m.to_string(),
                    (None, None) => "MAC unknown".into(),
                };
                eprintln!(
                    "vxgen: source ENI inferred: {} ({mac}), in {} of {first}; --source-ip and --source-mac choose another",
                    f.ip, f.frames_with_ip
                )
            }
        }
    }
    // Frames are the ENI's by its IPv4 address, and by its MAC when that is known.
    let mac_known = known_mac.is_some() || found.is_some_and(|f| f.mac.is_some());
    let eni = Eni { ip: Some(mirror.source.ip), mac: mac_known.then_some(mirror.source.mac) };
    let mut source = CaptureSource::new(open()?, eni).map_err(read_error)?;

    let target: OutputTarget = args.output.parse().map_err(|e| CliError::Invalid(format!("-o: {e}")))?;
    if target.is_terminal() {
        return Err(CliError::Invalid(
            "refusing to write a binary capture to a terminal; pipe it (-o - | tshark -r -) or name a file"
                .into(),
        ));
    }
    let format = format_for(args.format, &target, ui);
    warn_without_effect(m, &mirror, format, args.no_comments, ui);
    describe(&mirror, &args.output, format, ui);
    let output = Output::create(&target, args.force)?;
    let mut writer = CaptureWriter::new(output, format, 262_144)?;
    let opts = EmitOptions {
        comments: format == Format::PcapNg && !args.no_comments,
        reorder: 0.0,
        seed: args.seed,
    };
    let bar = progress_spinner("frames read", ui);
    let stats = mirror_traffic(
        &mirror,
        &mut Counted { inner: &mut source, bar: &bar, frames: 0 },
        &opts,
        &mut writer,
    )?;
    bar.finish_and_clear();
    if let Some(e) = source.take_error() {
        // The output is not committed: its temporary file goes with the writer.
        return Err(read_error(e));
    }
    writer.finish()?.commit()?;
    let read = source.stats();
    let to = if args.output == "-" { "standard output".to_string() } else { args.output.clone() };
    let vnis: Vec<String> = mirror.sessions.iter().map(|s| s.vni.to_string()).collect();
    if !ui.quiet {
        eprintln!(
            "vxgen: {} records read, {} of the source ENI ({} of other hosts, {} too short); {} copies ({} truncated, {} not mirrored), {} to {} (VNI {})",
            read.records,
            read.frames,
            read.not_the_eni,
            read.runts,
            stats.copies,
            stats.truncated,
            stats.not_mirrored,
            size_text(stats.bytes),
            to,
            vnis.join(", ")
        );
    }
    if read.cut_short > 0 {
        ui.warn(&format!(
            "{} records were cut short by the input's snapshot length; their copies hold only the bytes captured",
            read.cut_short
        ));
    }
    Ok(())
}

/// A progress bar over `total` flows on standard error: on a terminal only,
/// not with `-q`, and drawn once the run has taken a second.
fn progress_bar(total: u64, ui: Ui) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    if ui.quiet || !std::io::stderr().is_terminal() || total == u64::MAX {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} flows ({eta} left)") {
        bar.set_style(style);
    }
    show_after_a_second(&bar);
    bar
}

/// A spinner with a count and a rate for a run of unknown length (`vxgen
/// mirror` reads a capture of unknown size): on a terminal only, not with
/// `-q`, drawn once the run has taken a second.
fn progress_spinner(unit: &'static str, ui: Ui) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    if ui.quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    if let Ok(style) = ProgressStyle::with_template(&format!("{{spinner}} {{pos}} {unit} ({{per_sec}})")) {
        bar.set_style(style);
    }
    show_after_a_second(&bar);
    bar
}

/// A traffic source that moves a progress bar every 4096 frames.
struct Counted<'a, S: TrafficSource + ?Sized> {
    inner: &'a mut S,
    bar: &'a indicatif::ProgressBar,
    frames: u64,
}

impl<S: TrafficSource + ?Sized> TrafficSource for Counted<'_, S> {
    fn next_frame(&mut self, frame: &mut Vec<u8>) -> Option<generator::traffic::PacketInfo> {
        let info = self.inner.next_frame(frame);
        self.frames += 1;
        if self.frames % 4096 == 0 {
            self.bar.set_position(self.frames);
        }
        info
    }

    fn peek_time(&self) -> Option<u64> {
        self.inner.peek_time()
    }

    fn skip_frame(&mut self, frame: &mut Vec<u8>) -> Option<generator::traffic::PacketInfo> {
        self.inner.skip_frame(frame)
    }

    fn flow_kind(&self) -> &str {
        self.inner.flow_kind()
    }
}

/// Draws `bar` on standard error once a second has passed, unless the run
/// has finished by then (a quick run shows no bar at all).
fn show_after_a_second(bar: &indicatif::ProgressBar) {
    let shown = bar.clone();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(1));
        if !shown.is_finished() {
            shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    });
}

/// `116860 bytes (114.1 KiB)`.
fn size_text(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut v = bytes as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{bytes} bytes ({v:.1} {})", UNITS[unit])
}

/// `-o`'s argument as the summary names it.
fn output_name(output: &str) -> String {
    if output == "-" {
        "standard output".to_string()
    } else {
        output.to_string()
    }
}

fn summary(output: &str, mirror: &Mirror, stats: &Stats, packets: u64, bytes: u64) {
    let vnis: Vec<String> = mirror.sessions.iter().map(|s| s.vni.to_string()).collect();
    let to = output_name(output);
    eprintln!(
        "vxgen: {} flows, {} copies ({} truncated, {} reordered, {} not mirrored), {} to {} (VNI {})",
        stats.conversations,
        packets,
        stats.truncated,
        stats.reordered,
        stats.not_mirrored,
        size_text(bytes),
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

    /// The mirror `vxgen generate` builds from `args` (after `generate`) and a session file holding `json`.
    fn mirror_of(json: &str, args: &[&str]) -> Result<Mirror, CliError> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.json");
        std::fs::write(&file, json).unwrap();
        let mut all = vec!["vxgen", "generate", "--session", file.to_str().unwrap()];
        all.extend_from_slice(args);
        let cli = Cli::try_parse_from(all).unwrap();
        let Command::Generate(args) = cli.command else { unreachable!() };
        resolve_mirror(&args).map(|(m, _)| m)
    }

    #[test]
    fn targets_get_distinct_default_addresses_and_their_subnets_router() {
        let json = r#"{ "TrafficMirrorSessions": [
            { "SessionNumber": 1, "TrafficMirrorTargetId": "a" },
            { "SessionNumber": 2, "TrafficMirrorTargetId": "b" },
            { "SessionNumber": 3, "TrafficMirrorTargetId": "a" } ],
          "TrafficMirrorTargets": [
            { "TrafficMirrorTargetId": "a", "Type": "network-interface" },
            { "TrafficMirrorTargetId": "b", "Type": "network-interface" } ] }"#;
        let m = mirror_of(json, &[]).unwrap();
        let ips: Vec<String> = m.sessions.iter().map(|s| s.target.ip.to_string()).collect();
        assert_eq!(ips, ["10.0.2.50", "10.0.2.51", "10.0.2.50"]);
        assert_ne!(m.sessions[0].target.mac, m.sessions[1].target.mac);
        assert_eq!(m.sessions[0].target.subnet, Subnet::example_target());
        assert_ne!(m.sessions[0].target.subnet.router_mac, m.source.subnet.router_mac);
        // --target-ip cannot say which of two targets it means.
        let err = mirror_of(json, &["--target-ip", "10.0.2.9"]).unwrap_err().to_string();
        assert!(err.contains("2 targets have no IpAddress"), "{err}");
        // A target in the source's subnet: the one router's MAC.
        let same = r#"{ "SessionNumber": 1, "TrafficMirrorTarget": { "IpAddress": "10.0.1.99" } }"#;
        let m = mirror_of(same, &[]).unwrap();
        assert_eq!(m.sessions[0].target.subnet, m.source.subnet);
    }

    #[test]
    fn options_fill_in_and_must_agree_with_the_file() {
        let file = r#"{ "Source": { "PrivateIpAddress": "10.0.1.25" }, "TrafficMirrorSessions": [{ "SessionNumber": 1 }] }"#;
        let err = mirror_of(file, &["--source-ip", "10.0.1.26"]).unwrap_err().to_string();
        assert_eq!(
            err,
            "--source-ip 10.0.1.26 contradicts the session file's Source.PrivateIpAddress 10.0.1.25"
        );
        assert_eq!(
            mirror_of(file, &["--source-ip", "10.0.1.25"]).unwrap().source.ip.to_string(),
            "10.0.1.25"
        );
        // An ENI outside the example VPC: its own /16 and /24.
        let m = mirror_of(r#"{ "SessionNumber": 1 }"#, &["--source-ip", "172.31.0.238"]).unwrap();
        assert_eq!(m.source.vpc_cidr.to_string(), "172.31.0.0/16");
        assert_eq!(m.source.subnet.cidr.to_string(), "172.31.0.0/24");
        assert!(mirror_of(
            r#"{ "SessionNumber": 1 }"#,
            &["--source-ip", "172.31.0.238", "--vpc-cidr", "10.0.0.0/16"]
        )
        .is_err());
    }

    #[test]
    fn help_lists_examples() {
        let help = <Cli as clap::CommandFactory>::command().render_long_help().to_string();
        assert!(help.contains("Examples:"));
    }
}
