//! The `vxgen` command line as a user meets it, through the built binary
//! (`CARGO_BIN_EXE_vxgen`):
//!
//! * the same seed and options give byte-identical output; different seeds
//!   give different TCP initial sequence numbers and ports;
//! * invalid input exits non-zero (2 for a usage error, 1 for a failed run,
//!   cli.rs `main`) with exactly one line on stderr, and leaves no file behind;
//! * an existing file is refused without `--force` (left untouched) and
//!   replaced with it;
//! * `-o -` writes a capture that tshark reads from a pipe;
//! * `--help` lists every option and shows examples;
//! * no temporary file is left in the output directory, after success or failure.

mod common;
mod vxgen_support;

use generator::capture::Format;
use generator::mirror::encap::VXLAN_OVERHEAD;
use generator::wire::tcp::TcpFlags;
use generator::wire::{ethernet, ipv4, tcp, EtherType, IpProtocol};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use vxgen_support::{dir_entries, read_pcap, stderr_of, vxgen, Gen, VXGEN};

/// Runs `vxgen generate <args>` (writing into `dir`) expecting a failure with
/// exit code `code`; checks that stderr is exactly one line starting with
/// `vxgen: ` and mentioning `mention`, and that `dir` holds exactly `left`
/// afterwards. Returns the line.
fn expect_failure(dir: &Path, args: &[String], code: i32, mention: &str, left: &[&str]) -> String {
    let out = vxgen(args);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(code), "vxgen {args:?}: exit status (stderr: {stderr:?})");
    assert!(out.stdout.is_empty(), "vxgen {args:?} wrote {} bytes to stdout on failure", out.stdout.len());
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "vxgen {args:?}: stderr is not exactly one line: {stderr:?}");
    assert!(stderr.ends_with('\n'), "vxgen {args:?}: the stderr line is not terminated: {stderr:?}");
    assert!(
        lines[0].starts_with("vxgen: "),
        "vxgen {args:?}: stderr line {:?} does not start with `vxgen: `",
        lines[0]
    );
    assert!(
        lines[0].contains(mention),
        "vxgen {args:?}: stderr line {:?} does not mention {mention:?}",
        lines[0]
    );
    assert_eq!(dir_entries(dir), left, "vxgen {args:?}: directory contents after the failure");
    lines[0].to_string()
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

fn run_ok(args: &[String]) -> Vec<u8> {
    let out = vxgen(args);
    assert!(out.status.success(), "vxgen {args:?} failed ({}): {}", out.status, stderr_of(&out));
    out.stdout
}

// ---------------------------------------------------------------------------
// Determinism.

/// Two runs with the same seed and options write the same bytes, whatever
/// the output file's name or directory, in every format; standard output
/// carries the same bytes as a file.
#[test]
fn same_seed_and_options_give_identical_bytes() {
    let cases = [
        Gen::new(7).vni(9_999_999).format(Format::PcapNg),
        Gen::new(7).vni(9_999_999).format(Format::Pcap),
        Gen::new(7).vni(9_999_999).format(Format::PcapNanos),
        // Random VNI (from the seed), GBP and truncation, pcapng with comments.
        Gen::new(8).gbp(0x1234, true, true).packet_length(128).count(25),
        Gen::new(9).target(generator::mirror::session::TargetKind::GatewayLoadBalancerEndpoint).mtu(1000),
    ];
    for gen in cases {
        let a = tempfile::tempdir().expect("temporary directory");
        let b = tempfile::tempdir().expect("temporary directory");
        let (first, _) = gen.run(a.path());
        let (second, _) = gen.run(b.path());
        let renamed = a.path().join(format!("other-name.{}", gen.format.extension()));
        let mut args = gen.args();
        args.extend(strings(&["-o", renamed.to_str().expect("UTF-8 path")]));
        run_ok(&args);
        let bytes = std::fs::read(&first).expect("reading the first capture");
        assert!(bytes.len() > 24, "{:?}: a capture of {} bytes", gen.args(), bytes.len());
        assert!(
            bytes == std::fs::read(&second).expect("second capture"),
            "{:?}: two runs differ",
            gen.args()
        );
        assert!(
            bytes == std::fs::read(&renamed).expect("renamed capture"),
            "{:?}: output depends on the file name",
            gen.args()
        );
        let mut args = gen.args();
        args.extend(strings(&["-o", "-"]));
        assert!(bytes == run_ok(&args), "{:?}: standard output differs from the file", gen.args());
    }
}

/// The SYN segments of a classic pcap capture of ENI/NLB copies, parsed with
/// the crate's own `wire` module: (initial sequence number, source port,
/// destination port) of each, in capture order.
fn syns(capture: &[u8]) -> Vec<(u32, u16, u16)> {
    let (records, _) = read_pcap(capture);
    let mut out = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let inner = &r.data[VXLAN_OVERHEAD..];
        let ethertype = u16::from_be_bytes([inner[12], inner[13]]);
        if ethertype != EtherType::IPV4.0 {
            continue;
        }
        let ip = ipv4::Packet::new_checked(&inner[ethernet::HEADER_LEN..])
            .unwrap_or_else(|e| panic!("frame {}: inner IPv4: {e}", i + 1));
        if ip.next_header() != IpProtocol::TCP {
            continue;
        }
        let seg = tcp::Packet::new_checked(ip.payload())
            .unwrap_or_else(|e| panic!("frame {}: inner TCP: {e}", i + 1));
        if seg.flags().contains(TcpFlags::SYN) && !seg.flags().contains(TcpFlags::ACK) {
            out.push((seg.seq_number(), seg.src_port(), seg.dst_port()));
        }
    }
    out
}

/// Different seeds: different initial sequence numbers (none shared) and a
/// different sequence of ports; the same seed twice: the same ones.
#[test]
fn different_seeds_give_different_isns_and_ports() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let capture = |seed: u64, name: &str| {
        let path = dir.path().join(name);
        let mut args = Gen::new(seed).count(20).vni(1).format(Format::Pcap).args();
        args.extend(strings(&["-o", path.to_str().expect("UTF-8 path")]));
        run_ok(&args);
        syns(&std::fs::read(&path).expect("reading the capture"))
    };
    let one = capture(1, "one.pcap");
    let two = capture(2, "two.pcap");
    assert!(!one.is_empty() && !two.is_empty(), "no SYN in the captures: seed 1 {one:?}, seed 2 {two:?}");
    assert_eq!(one, capture(1, "one-again.pcap"), "seed 1 twice: different SYNs");
    let isns = |s: &[(u32, u16, u16)]| s.iter().map(|x| x.0).collect::<BTreeSet<u32>>();
    let shared: Vec<u32> = isns(&one).intersection(&isns(&two)).copied().collect();
    assert!(
        shared.is_empty(),
        "seeds 1 and 2 share TCP initial sequence numbers (tcp.seq_raw of SYNs) {shared:?}"
    );
    let ports = |s: &[(u32, u16, u16)]| s.iter().map(|x| (x.1, x.2)).collect::<Vec<_>>();
    assert_ne!(
        ports(&one),
        ports(&two),
        "seeds 1 and 2: same TCP ports (tcp.srcport, tcp.dstport) of every SYN"
    );
}

// ---------------------------------------------------------------------------
// Invalid input.

/// Each invalid input: non-zero exit, one line on stderr naming the problem,
/// no file, no temporary file.
#[test]
fn invalid_input_fails_with_one_line_and_no_file() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let d = dir.path();
    let out = d.join("out.pcapng");
    let out = out.to_str().expect("UTF-8 path").to_string();
    // Session files live elsewhere, so that the output directory stays empty.
    let files = tempfile::tempdir().expect("temporary directory");
    let malformed = files.path().join("malformed.json");
    std::fs::write(&malformed, "{ \"SessionNumber\": 1, \"VirtualNetworkId\": ").expect("writing a file");
    let bad_cidr = files.path().join("bad-cidr.json");
    std::fs::write(
        &bad_cidr,
        r#"{ "SessionNumber": 1, "TrafficMirrorFilter": { "EgressFilterRules": [ {
              "RuleNumber": 100, "RuleAction": "accept",
              "SourceCidrBlock": "10.0.0.0/33", "DestinationCidrBlock": "0.0.0.0/0" } ] } }"#,
    )
    .expect("writing a file");
    let missing = files.path().join("missing.json");
    // docs/aws.md: at most 3 sessions per source ENI, enforced when loading.
    let four = files.path().join("four-sessions.json");
    std::fs::write(
        &four,
        r#"{ "TrafficMirrorSessions": [ { "SessionNumber": 1 }, { "SessionNumber": 2 },
                                       { "SessionNumber": 3 }, { "SessionNumber": 4 } ] }"#,
    )
    .expect("writing a file");
    let duplicate = files.path().join("duplicate.json");
    std::fs::write(
        &duplicate,
        r#"{ "TrafficMirrorSessions": [ { "SessionNumber": 7 }, { "SessionNumber": 7 } ] }"#,
    )
    .expect("writing a file");
    let typo = files.path().join("typo.json");
    std::fs::write(&typo, r#"{ "SessionNumber": 1, "PacketLenght": 64 }"#).expect("writing a file");
    let file_vni = files.path().join("vni.json");
    std::fs::write(
        &file_vni,
        format!(r#"{{ "SessionNumber": 1, "VirtualNetworkId": {over} }}"#, over = 1u32 << 24),
    )
    .expect("writing a file");
    let path = |p: &Path| p.to_str().expect("UTF-8 path").to_string();

    let over = (generator::wire::vxlan::Vni::MAX.value() + 1).to_string();
    let pl_over = (generator::mirror::session::MAX_PACKET_LENGTH + 1).to_string();
    let mtu_under = (generator::mirror::config::MIN_MTU - 1).to_string();
    // (arguments, exit code, what the line must mention)
    let cases: Vec<(Vec<String>, i32, String)> = vec![
        (strings(&["--vni", &over]), 2, over.clone()),
        (strings(&["--packet-length", "0"]), 2, "packet-length".into()),
        (strings(&["--packet-length", &pl_over]), 2, pl_over.clone()),
        (strings(&["--target-mtu", &mtu_under]), 2, mtu_under.clone()),
        (strings(&["--gbp-policy-id", "65536"]), 2, "65536".into()),
        (strings(&["--format", "pcapng2"]), 2, "pcapng2".into()),
        (strings(&["--gbp-flags", "d"]), 2, "--gbp-policy-id".into()),
        (strings(&["--scenario", "no-such-scenario"]), 2, "no-such-scenario".into()),
        (strings(&["--scenario", "mixd"]), 2, "(did you mean mixed?)".into()),
        (strings(&["--reorder", "1.5"]), 2, "1.5".into()),
        (vec!["--session".into(), path(&malformed)], 1, "JSON".into()),
        (vec!["--session".into(), path(&bad_cidr)], 1, "10.0.0.0/33".into()),
        (vec!["--session".into(), path(&missing)], 1, "missing.json".into()),
        (vec!["--session".into(), path(&four)], 1, "at most 3".into()),
        (vec!["--session".into(), path(&duplicate)], 1, "SessionNumber".into()),
        (vec!["--session".into(), path(&typo)], 1, "PacketLenght".into()),
        (vec!["--session".into(), path(&file_vni)], 1, (1u32 << 24).to_string()),
    ];
    for (extra, code, mention) in cases {
        let mut args = strings(&["generate", "--count", "2"]);
        args.extend(extra);
        args.extend(["-o".to_string(), out.clone()]);
        expect_failure(d, &args, code, &mention, &[]);
    }

    // Output paths that cannot be written: a missing directory, a regular
    // file used as a directory.
    let nowhere = d.join("no-such-directory").join("out.pcapng");
    let args = strings(&["generate", "--count", "2", "-o", &path(&nowhere)]);
    expect_failure(d, &args, 1, "no-such-directory", &[]);
    std::fs::write(d.join("a-file"), b"not a directory").expect("writing a file");
    let under_file = d.join("a-file").join("out.pcapng");
    let args = strings(&["generate", "--count", "2", "-o", &path(&under_file)]);
    expect_failure(d, &args, 1, "a-file", &["a-file"]);
    std::fs::remove_file(d.join("a-file")).expect("removing a file");

    // An existing directory as the output, with and without --force: refused, left as it was.
    std::fs::create_dir(d.join("a-directory")).expect("creating a directory");
    std::fs::write(d.join("a-directory").join("keep"), b"keep").expect("writing a file");
    for force in [false, true] {
        let mut args = strings(&["generate", "--count", "2", "-o", &path(&d.join("a-directory"))]);
        if force {
            args.push("--force".into());
        }
        expect_failure(d, &args, 1, "a-directory", &["a-directory"]);
        assert_eq!(
            dir_entries(&d.join("a-directory")),
            ["keep"],
            "vxgen {args:?}: the directory was modified"
        );
    }
    // An empty output path.
    expect_failure(d, &strings(&["generate", "--count", "2", "-o", ""]), 2, "-o", &["a-directory"]);
}

/// A directory without write permission. Root ignores permissions, so the
/// check only runs when a probe file cannot be created there.
#[test]
fn unwritable_directory_fails_with_one_line_and_no_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temporary directory");
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).expect("creating a directory");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).expect("chmod 555");
    let probe = locked.join("probe");
    if std::fs::write(&probe, b"x").is_ok() {
        std::fs::remove_file(&probe).expect("removing the probe");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).expect("chmod 755");
        eprintln!(
            "SKIP: permissions are not enforced for this user (root?); unwritable-directory case not run"
        );
        return;
    }
    let out = locked.join("out.pcapng");
    let args = strings(&["generate", "--count", "2", "-o", out.to_str().expect("UTF-8 path")]);
    expect_failure(&locked, &args, 1, "locked", &[]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).expect("chmod 755");
}

// ---------------------------------------------------------------------------
// Overwriting.

/// Without `--force` an existing file is refused and left untouched; with
/// it, replaced by the capture. No temporary file remains either way.
#[test]
fn existing_file_needs_force() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("existing.pcap");
    let original = b"precious data, not a capture\n";
    std::fs::write(&path, original).expect("writing a file");
    let mut args = Gen::new(3).vni(3).format(Format::Pcap).args();
    args.extend(strings(&["-o", path.to_str().expect("UTF-8 path")]));
    expect_failure(dir.path(), &args, 1, "--force", &["existing.pcap"]);
    assert_eq!(std::fs::read(&path).expect("reading the file"), original, "the existing file was modified");

    args.push("--force".into());
    let out = vxgen(&args);
    assert!(out.status.success(), "vxgen --force failed: {}", stderr_of(&out));
    let bytes = std::fs::read(&path).expect("reading the file");
    let (records, _) = read_pcap(&bytes);
    assert!(!records.is_empty(), "the forced overwrite holds no packet");
    assert_eq!(dir_entries(dir.path()), ["existing.pcap"], "directory after --force");
    // The same bytes as a fresh run.
    let fresh = tempfile::tempdir().expect("temporary directory");
    let (p, _) = Gen::new(3).vni(3).format(Format::Pcap).run(fresh.path());
    assert!(
        bytes == std::fs::read(p).expect("fresh capture"),
        "the overwritten file differs from a fresh run"
    );
}

/// After a successful run the output directory holds the capture and nothing else.
#[test]
fn success_leaves_only_the_capture() {
    for gen in [Gen::new(4).format(Format::PcapNg), Gen::new(4).format(Format::Pcap).count(50)] {
        let dir = tempfile::tempdir().expect("temporary directory");
        let (path, _) = gen.run(dir.path());
        let name = path.file_name().expect("file name").to_string_lossy().into_owned();
        assert_eq!(dir_entries(dir.path()), [name], "{:?}: directory after success", gen.args());
        let out = vxgen(&{
            let mut a = gen.args();
            a.extend(strings(&["-o", path.to_str().expect("UTF-8 path")]));
            a
        });
        assert!(!out.status.success(), "second run without --force succeeded");
        assert_eq!(dir_entries(dir.path()), [path.file_name().unwrap().to_string_lossy().into_owned()]);
    }
}

// ---------------------------------------------------------------------------
// Standard output.

/// `vxgen generate -o - | tshark -r -`: tshark reads every frame from the
/// pipe, as many as the same run writes to a file.
#[test]
fn stdout_capture_is_read_by_tshark_from_a_pipe() {
    if !common::require_tool("tshark") {
        return;
    }
    let gen = Gen::new(5).vni(5);
    let mut args = gen.args();
    args.extend(strings(&["-o", "-"]));
    let mut producer = Command::new(VXGEN)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting vxgen");
    let pipe = producer.stdout.take().expect("vxgen's stdout");
    let config = tempfile::tempdir().expect("temporary directory");
    let consumer = Command::new("tshark")
        .env("WIRESHARK_CONFIG_DIR", config.path())
        .args(["-n", "-r", "-", "-T", "fields", "-e", "frame.number", "-e", "vxlan.vni"])
        .stdin(pipe)
        .output()
        .expect("running tshark");
    let produced = producer.wait_with_output().expect("waiting for vxgen");
    assert!(produced.status.success(), "vxgen -o - failed: {}", stderr_of(&produced));
    assert!(consumer.status.success(), "tshark -r - failed: {}", String::from_utf8_lossy(&consumer.stderr));
    let text = String::from_utf8(consumer.stdout).expect("UTF-8");
    let rows: Vec<&str> = text.lines().collect();

    let dir = tempfile::tempdir().expect("temporary directory");
    let (path, _) = gen.run(dir.path());
    let from_file = common::tshark_fields(&path, &["frame.number"], &[]);
    assert!(!rows.is_empty(), "tshark read no frame from the pipe");
    assert_eq!(rows.len(), from_file.len(), "frames read from the pipe vs from the file");
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(
            *row,
            format!("{}\t{}", i + 1, gen.vni.unwrap()),
            "frame {}: frame.number / vxlan.vni from the pipe",
            i + 1
        );
    }
}

/// A reader that goes away early (`vxgen ... -o - | head -c 100`) ends the
/// run quietly and successfully (cli.rs: a broken pipe is not an error).
#[test]
fn closed_stdout_pipe_ends_quietly() {
    use std::io::Read;
    let mut args = Gen::new(6).count(3000).args();
    args.extend(strings(&["-o", "-"]));
    let mut child = Command::new(VXGEN)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting vxgen");
    let mut head = [0u8; 100];
    child.stdout.take().expect("vxgen's stdout").read_exact(&mut head).expect("reading 100 bytes");
    // The read end is closed here, as `head` does.
    let out = child.wait_with_output().expect("waiting for vxgen");
    assert!(out.status.success(), "vxgen after a closed pipe: {} ({})", out.status, stderr_of(&out));
    assert!(!stderr_of(&out).contains("rror"), "vxgen after a closed pipe: stderr {:?}", stderr_of(&out));
}

// ---------------------------------------------------------------------------
// Help.

/// `--help` of the program and of `generate` show the examples; `generate
/// --help` names every option.
#[test]
fn help_shows_examples_and_every_option() {
    for args in [&["--help"][..], &["generate", "--help"][..], &["help", "generate"][..]] {
        let out = vxgen(args);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "vxgen {args:?}: {}", out.status);
        assert!(text.contains("Examples:"), "vxgen {args:?}: no `Examples:` in {text}");
        assert!(text.contains("vxgen generate"), "vxgen {args:?}: no example command in {text}");
        assert!(text.contains("-o - | tshark -r -"), "vxgen {args:?}: no piping example in {text}");
    }
    let out = vxgen(&["generate", "--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for option in [
        "--seed",
        "--count",
        "--scenario",
        "--vni",
        "--reorder",
        "--loss",
        "--max-concurrent",
        "--gbp-policy-id",
        "--gbp-flags",
        "--packet-length",
        "--target-mtu",
        "--target",
        "--session",
        "--format",
        "--no-comments",
        "--output",
        "--force",
    ] {
        assert!(text.contains(option), "vxgen generate --help does not mention {option}");
    }
}

/// The conventions of tcpdump, tshark and editcap: `-c N` writes exactly N
/// packets; the format follows the extension, and `--format` against it is
/// a warning; an option without effect is a warning; `-q` says nothing,
/// `-v` more; the summary gives the size; completions and man pages.
#[test]
fn command_line_conventions() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    // -c: exactly N records, whatever the flows.
    for n in [1u64, 7, 500] {
        let out = vxgen(&["generate", "-c", &n.to_string(), "-o", &at(&format!("c{n}.pcap"))]);
        assert!(out.status.success(), "{}", stderr_of(&out));
        let (packets, _) = read_pcap(&std::fs::read(at(&format!("c{n}.pcap"))).unwrap());
        assert_eq!(packets.len() as u64, n, "-c {n}");
        assert!(stderr_of(&out).contains(&format!("{n} copies")), "{}", stderr_of(&out));
        // With flows planned on threads, the same first N.
        let jobs = at(&format!("c{n}-jobs.pcap"));
        let out = vxgen(&["generate", "-c", &n.to_string(), "--jobs", "2", "-o", &jobs]);
        assert!(out.status.success(), "{}", stderr_of(&out));
        assert!(
            std::fs::read(&jobs).unwrap() == std::fs::read(at(&format!("c{n}.pcap"))).unwrap(),
            "-c {n} --jobs 2"
        );
    }
    // The format from the extension; --format against it warns.
    let out = vxgen(&["generate", "--count", "1", "-o", &at("e.pcap")]);
    assert!(out.status.success());
    assert_eq!(&std::fs::read(at("e.pcap")).unwrap()[..4], &[0xd4, 0xc3, 0xb2, 0xa1], "classic pcap");
    let out = vxgen(&["generate", "--count", "1", "--format", "pcap", "-o", &at("e.pcapng")]);
    assert!(out.status.success());
    assert!(stderr_of(&out).contains("warning: --format pcap writes classic pcap into a file named .pcapng"));
    // Options that change nothing.
    let out = vxgen(&[
        "generate",
        "--count",
        "1",
        "--target",
        "nlb",
        "--target-mtu",
        "1500",
        "-o",
        &at("n.pcapng"),
    ]);
    assert!(out.status.success());
    assert!(stderr_of(&out).contains("warning: --target-mtu has no effect"), "{}", stderr_of(&out));
    let out = vxgen(&["generate", "--count", "1", "--no-comments", "-o", &at("p.pcap")]);
    assert!(stderr_of(&out).contains("warning: --no-comments has no effect"), "{}", stderr_of(&out));
    // -q: silence; -v: the mirror; the summary's size.
    let out = vxgen(&[
        "-q",
        "generate",
        "--count",
        "1",
        "--target",
        "nlb",
        "--target-mtu",
        "1500",
        "-o",
        &at("q.pcapng"),
    ]);
    assert!(out.status.success() && out.stderr.is_empty(), "{}", stderr_of(&out));
    let out = vxgen(&["generate", "-v", "--count", "1", "-o", &at("v.pcapng")]);
    let said = stderr_of(&out);
    assert!(said.contains("source ENI 10.0.1.23") && said.contains("session 1: VNI"), "{said}");
    let size = std::fs::metadata(at("v.pcapng")).unwrap().len();
    assert!(said.contains(&format!("{size} bytes (")), "the summary gives the file's size: {said}");
    // Completions and man pages.
    let out = vxgen(&["completions", "bash"]);
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("_vxgen()"));
    let man = dir.path().join("man");
    std::fs::create_dir(&man).unwrap();
    let out = vxgen(&["man", "--out", man.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let page = std::fs::read_to_string(man.join("vxgen-generate.1")).unwrap();
    assert!(page.starts_with(".ie") || page.contains(".TH"), "a roff page: {}", &page[..page.len().min(200)]);
    assert!(page.contains("packets"), "the generate page documents -c");
    let again = vxgen(&["man", "--out", man.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1), "existing pages are not replaced without --force");
    assert!(vxgen(&["man", "--out", man.to_str().unwrap(), "--force"]).status.success());
}
