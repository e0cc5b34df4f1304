//! `vxgen mirror INPUT -o OUTPUT`: an existing capture of an instance's
//! traffic through the mirror.
//!
//! * A capture made by `vxgen generate`, its mirror layers stripped (the
//!   inner frames at the times they crossed the interface), mirrored again,
//!   gives back the very copies: the same bytes, times and directions.
//! * A hand-built capture of what an instance sees: what AWS never mirrors
//!   is dropped, the filters of the describe-* examples decide (a rule that
//!   rejects egress port 22 keeps SSH out), the resolver's replies carry
//!   outer port 65408, NTP to an internet server one port both ways, and
//!   tshark finds nothing malformed.
//! * Bad input is a clear error and leaves no output: another link type, a
//!   truncated capture, not a capture at all.
//!
//! Expected values come from docs/aws.md and the frames built here.

mod common;
mod vxgen_support;

use generator::flow::PacketKey;
use generator::mirror::encap::{source_port, SOURCE_PORT_BASE, VXLAN_OVERHEAD};
use generator::mirror::session::{Mirror, Source, Target, TargetKind};
use generator::traffic::frame::{push_tcp_frame, push_udp_frame, IpFields};
use generator::traffic::Endpoint;
use generator::wire::tcp::{self, TcpFlags};
use generator::wire::EthernetAddress;
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketOption;
use pcap_file::pcapng::{Block, PcapNgReader};
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use vxgen_support::{stderr_of, vxgen, Dissection, SEVERITY_WARN};

/// One record: time (ns), bytes, pcapng direction flags (1 inbound, 2 outbound).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rec {
    ns: u64,
    data: Vec<u8>,
    direction: Option<u32>,
}

/// Every packet of a pcapng file (interfaces at nanosecond or microsecond resolution).
fn read_pcapng(path: &Path) -> Vec<Rec> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = PcapNgReader::new(file).expect("a pcapng file");
    let mut out = Vec::new();
    let mut nanos = Vec::new();
    while let Some(block) = reader.next_block() {
        match block.expect("a block") {
            Block::InterfaceDescription(idb) => nanos.push(idb.options.iter().any(|o| {
                matches!(
                    o,
                    pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption::IfTsResol(
                        9
                    )
                )
            })),
            Block::EnhancedPacket(epb) => {
                let raw = epb.timestamp.as_nanos() as u64;
                let ns = if nanos[epb.interface_id as usize] { raw } else { raw * 1000 };
                let direction = epb.options.iter().find_map(|o| match o {
                    EnhancedPacketOption::Flags(f) => Some(f & 3),
                    _ => None,
                });
                out.push(Rec { ns, data: epb.data.to_vec(), direction });
            }
            _ => {}
        }
    }
    out
}

/// A classic pcap (little-endian; nanosecond magic if `nanos`) of `records`, link type `linktype`.
fn pcap_bytes(nanos: bool, linktype: u32, records: &[(u64, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(if nanos { 0xa1b2_3c4du32 } else { 0xa1b2_c3d4u32 }.to_le_bytes());
    out.extend(2u16.to_le_bytes());
    out.extend(4u16.to_le_bytes());
    out.extend([0; 8]);
    out.extend(262_144u32.to_le_bytes());
    out.extend(linktype.to_le_bytes());
    for (ns, data) in records {
        let frac = if nanos { ns % 1_000_000_000 } else { ns % 1_000_000_000 / 1000 };
        out.extend(((ns / 1_000_000_000) as u32).to_le_bytes());
        out.extend((frac as u32).to_le_bytes());
        out.extend((data.len() as u32).to_le_bytes());
        out.extend((data.len() as u32).to_le_bytes());
        out.extend(data);
    }
    out
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

fn run_ok(args: &[&str]) -> String {
    let o = vxgen(args);
    let err = stderr_of(&o);
    assert!(o.status.success(), "vxgen {args:?} failed: {err}");
    err
}

/// A capture made by vxgen, stripped of its mirror layers, mirrored again:
/// the copies come back byte for byte, at the same times, in the same
/// directions; the ENI is inferred and stderr says so.
#[test]
fn a_stripped_vxgen_capture_mirrors_back_to_the_original() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let original = dir.path().join("original.pcapng");
    run_ok(&[
        "generate",
        "--seed",
        "5",
        "--count",
        "40",
        "--vni",
        "77",
        "--no-comments",
        "-o",
        path_str(&original),
    ]);
    let copies = read_pcapng(&original);
    assert!(copies.len() > 200, "{} copies", copies.len());
    // Strip: the inner frame, at the time it crossed the interface.
    let inner: Vec<(u64, Vec<u8>)> =
        copies.iter().map(|c| (c.ns - Mirror::LATENCY_NS, c.data[VXLAN_OVERHEAD..].to_vec())).collect();
    for (nanos, name) in [(true, "inner-ns.pcap"), (false, "inner-us.pcap")] {
        let input = dir.path().join(name);
        std::fs::write(&input, pcap_bytes(nanos, 1, &inner)).unwrap();
        let again = dir.path().join(format!("{name}.pcapng"));
        let err =
            run_ok(&["mirror", path_str(&input), "--vni", "77", "--no-comments", "-o", path_str(&again)]);
        let source = Source::example();
        assert!(
            err.contains(&format!("source ENI inferred: {} ({})", source.ip, source.mac)),
            "stderr says what it chose: {err}"
        );
        let back = read_pcapng(&again);
        assert_eq!(back.len(), copies.len(), "{name}: one copy per inner frame");
        for (i, (b, c)) in back.iter().zip(&copies).enumerate() {
            assert!(b.data == c.data, "{name}: copy {} differs from the original's", i + 1);
            assert_eq!(b.direction, c.direction, "{name}: copy {}: direction", i + 1);
            // Microsecond input loses the nanoseconds the original had.
            let want =
                if nanos { c.ns } else { (c.ns - Mirror::LATENCY_NS) / 1000 * 1000 + Mirror::LATENCY_NS };
            assert_eq!(b.ns, want, "{name}: copy {}: time", i + 1);
        }
        assert!(back.iter().any(|r| r.direction == Some(1)) && back.iter().any(|r| r.direction == Some(2)));
    }
    // Given the address instead, the same bytes; pcap output too.
    let input = dir.path().join("inner-ns.pcap");
    let given = dir.path().join("given.pcapng");
    let err = run_ok(&[
        "mirror",
        path_str(&input),
        "--source-ip",
        "10.0.1.23",
        "--vni",
        "77",
        "--no-comments",
        "-o",
        path_str(&given),
    ]);
    assert!(err.contains("source ENI 10.0.1.23: MAC inferred: 02:4f:1a:8c:3e:71"), "{err}");
    let again = dir.path().join("inner-ns.pcap.pcapng");
    assert!(
        std::fs::read(&given).unwrap() == std::fs::read(&again).unwrap(),
        "given or inferred: other bytes"
    );
}

// ---------------------------------------------------------------------------
// A hand-built capture of an instance.

const T0: u64 = 1_705_309_200_000_000_000;

struct Frames {
    me: Endpoint,
    router: EthernetAddress,
    list: Vec<(u64, Vec<u8>)>,
    /// What each frame is, in the order pushed.
    names: Vec<&'static str>,
}

impl Frames {
    fn new() -> Frames {
        let s = Source::example();
        Frames {
            me: Endpoint { mac: s.mac, ip: s.ip.into(), port: 0 },
            router: s.subnet.router_mac,
            list: Vec::new(),
            names: Vec::new(),
        }
    }
    fn at(&self) -> u64 {
        T0 + self.list.len() as u64 * 1_000_000
    }
    fn remote(&self, ip: [u8; 4], port: u16) -> Endpoint {
        Endpoint { mac: self.router, ip: IpAddr::from(ip), port }
    }
    fn udp(&mut self, name: &'static str, egress: bool, remote: Endpoint, my_port: u16, payload: &[u8]) {
        let me = Endpoint { port: my_port, ..self.me };
        let (from, to) = if egress { (me, remote) } else { (remote, me) };
        let ip = IpFields { hop_limit: 64, ident: 7, dont_frag: true };
        let mut buf = Vec::new();
        push_udp_frame(&mut buf, &from, &to, &ip, payload);
        self.list.push((self.at(), buf));
        self.names.push(name);
    }
    fn tcp(&mut self, name: &'static str, egress: bool, remote: Endpoint, my_port: u16) {
        let me = Endpoint { port: my_port, ..self.me };
        let (from, to) = if egress { (me, remote) } else { (remote, me) };
        let ip = IpFields { hop_limit: 64, ident: 9, dont_frag: true };
        let repr = tcp::Repr {
            src_port: from.port,
            dst_port: to.port,
            seq_number: 1000,
            ack_number: 0,
            flags: TcpFlags::SYN,
            window_len: 64240,
            urgent_pointer: 0,
            max_seg_size: Some(1460),
            window_scale: Some(7),
            sack_permitted: true,
            sack_ranges: [None; 3],
            timestamp: None,
            payload_len: 0,
        };
        let mut buf = Vec::new();
        push_tcp_frame(&mut buf, &from, &to, &ip, &repr, &[]);
        self.list.push((self.at(), buf));
        self.names.push(name);
    }
    fn raw(&mut self, name: &'static str, frame: Vec<u8>) {
        self.list.push((self.at(), frame));
        self.names.push(name);
    }
}

/// What a capture on the instance holds, of every kind `vxgen mirror` must tell apart.
fn instance_capture() -> Frames {
    let mut f = Frames::new();
    let me = f.me.mac.0;
    // ARP request from the instance (never mirrored).
    let mut arp = vec![0xff; 6];
    arp.extend(me);
    arp.extend([0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1]);
    arp.extend(me);
    arp.extend([10, 0, 1, 23, 0, 0, 0, 0, 0, 0, 10, 0, 1, 1]);
    f.raw("arp", arp);
    f.udp("dhcp", true, f.remote([10, 0, 1, 1], 67), 68, &[0; 240]);
    f.tcp("imds", true, f.remote([169, 254, 169, 254], 80), 41000);
    f.udp("time-sync", true, f.remote([169, 254, 169, 123], 123), 123, &[0x23; 48]);
    f.tcp("windows-activation", true, f.remote([169, 254, 169, 250], 1688), 41001);
    f.tcp("ssh-out", true, f.remote([198, 51, 100, 22], 22), 41002);
    f.tcp("https-out", true, f.remote([93, 184, 216, 34], 443), 41003);
    f.udp(
        "dns-query",
        true,
        f.remote([10, 0, 0, 2], 53),
        45000,
        &[0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1],
    );
    f.udp(
        "dns-reply",
        false,
        f.remote([10, 0, 0, 2], 53),
        45000,
        &[0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1],
    );
    f.udp("ntp-out", true, f.remote([192, 0, 2, 123], 123), 123, &[0x23; 48]);
    f.udp("ntp-in", false, f.remote([192, 0, 2, 123], 123), 123, &[0x24; 48]);
    // Another host's frame (neither end is the ENI), and a runt.
    let other =
        Endpoint { mac: EthernetAddress([2, 9, 9, 9, 9, 9]), ip: IpAddr::from([10, 0, 1, 99]), port: 5000 };
    let mut buf = Vec::new();
    push_udp_frame(
        &mut buf,
        &other,
        &f.remote([198, 51, 100, 5], 6000),
        &IpFields { hop_limit: 64, ident: 1, dont_frag: true },
        b"x",
    );
    f.raw("other-host", buf);
    f.raw("runt", vec![0x02; 10]);
    f
}

/// Fields read from each copy.
const FIELDS: &[&str] = &[
    "frame.comment",
    "eth.src",
    "udp.srcport",
    "udp.dstport",
    "vxlan.vni",
    "ip.src",
    "ip.dst",
    "tcp.dstport",
    "_ws.malformed",
    "_ws.expert.message",
    "_ws.expert.severity",
];

/// What the describe-* examples do with the hand-built capture, and what
/// AWS never mirrors: gone.
#[test]
fn filters_decide_and_what_aws_never_mirrors_is_dropped() {
    if !common::require_tool("tshark") {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let frames = instance_capture();
    let input = dir.path().join("instance.pcap");
    std::fs::write(&input, pcap_bytes(true, 1, &frames.list)).unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples");
    let describe = |k: &str| examples.join(format!("describe-traffic-mirror-{k}.json"));
    let out = dir.path().join("mirrored.pcapng");
    let (s, f, t) = (describe("sessions"), describe("filters"), describe("targets"));
    let err = run_ok(&[
        "mirror",
        path_str(&input),
        "--source-ip",
        "10.0.1.23",
        "--session",
        path_str(&s),
        "--session",
        path_str(&f),
        "--session",
        path_str(&t),
        "-o",
        path_str(&out),
    ]);
    assert!(err.contains("13 records read, 11 of the source ENI (1 of other hosts, 1 too short)"), "{err}");
    let d = Dissection::of(&out, FIELDS);
    // Session 1 (VNI 9999999, ENI target): egress TCP 443, amazon-dns.
    // Session 2 (VNI 5569041, NLB, PacketLength 128): all but egress TCP 22.
    // Never: ARP, DHCP, IMDS, Time Sync NTP, Windows activation.
    let want: &[(&str, u64)] = &[
        ("https-out", 9_999_999),
        ("dns-query", 9_999_999),
        ("dns-reply", 9_999_999),
        ("ntp-out", 5_569_041),
        ("ntp-in", 5_569_041),
    ];
    assert_eq!(
        d.frames(),
        want.len(),
        "copies: {:?}",
        (1..=d.frames()).map(|i| d.raw(i, "frame.comment")).collect::<Vec<_>>()
    );
    let eni = Target::example(TargetKind::NetworkInterface);
    let nlb = Target::example(TargetKind::NetworkLoadBalancer);
    let mut ntp_ports = Vec::new();
    for (i, (name, vni)) in want.iter().enumerate() {
        let n = i + 1;
        assert_eq!(d.num(n, "vxlan.vni", 0), *vni, "{name}: vni");
        assert_eq!(d.raw(n, "_ws.malformed"), "", "{name}: malformed");
        for (m, sev) in d.expert(n) {
            assert!(sev < SEVERITY_WARN, "{name}: expert info {m:?}");
        }
        let target = if *vni == 9_999_999 { &eni } else { &nlb };
        assert_eq!(d.at(n, "ip.dst", 0), target.ip.to_string(), "{name}: outer ip.dst");
        assert_eq!(d.at(n, "eth.src", 0), target.subnet.router_mac.to_string(), "{name}: outer eth.src");
        let port = d.num(n, "udp.srcport", 0);
        match *name {
            "dns-reply" => {
                assert_eq!(port, SOURCE_PORT_BASE as u64, "the resolver's reply: outer port 65408")
            }
            "dns-query" => {
                let key = PacketKey::udp(
                    Ipv4Addr::new(10, 0, 1, 23).into(),
                    Ipv4Addr::new(10, 0, 0, 2).into(),
                    45000,
                    53,
                );
                assert_eq!(port, source_port(&key) as u64, "the query: its flow hash");
            }
            "ntp-out" | "ntp-in" => ntp_ports.push(port),
            _ => {}
        }
    }
    assert_eq!(ntp_ports.len(), 2);
    assert_eq!(ntp_ports[0], ntp_ports[1], "NTP with an internet server: one outer port both ways");
    // No copy of SSH out, of any kind.
    for n in 1..=d.frames() {
        assert!(!d.all(n, "tcp.dstport").contains(&"22"), "frame {n}: SSH egress was mirrored");
    }

    // Without filters: the same capture, all that AWS mirrors, nothing it never does.
    let all = dir.path().join("all.pcapng");
    run_ok(&["mirror", path_str(&input), "--source-ip", "10.0.1.23", "-o", path_str(&all)]);
    let d = Dissection::of(&all, FIELDS);
    let names: Vec<&str> = frames
        .names
        .iter()
        .copied()
        .filter(|n| {
            !matches!(
                *n,
                "arp" | "dhcp" | "imds" | "time-sync" | "windows-activation" | "other-host" | "runt"
            )
        })
        .collect();
    assert_eq!(d.frames(), names.len(), "copies of {names:?}");
    for n in 1..=d.frames() {
        for ip in d.all(n, "ip.dst").iter().chain(d.all(n, "ip.src").iter()) {
            assert!(!ip.starts_with("169.254.169."), "frame {n}: {ip} is never mirrored");
        }
    }
}

/// Directions come from the ENI: by MAC alone too, and pcapng input with
/// nanosecond interfaces.
#[test]
fn directions_by_mac_and_pcapng_input() {
    use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
    use pcap_file::pcapng::blocks::interface_description::{
        InterfaceDescriptionBlock, InterfaceDescriptionOption,
    };
    use pcap_file::pcapng::PcapNgWriter;
    let dir = tempfile::tempdir().expect("temporary directory");
    let frames = instance_capture();
    let input = dir.path().join("instance.pcapng");
    let mut w = PcapNgWriter::new(std::fs::File::create(&input).unwrap()).unwrap();
    w.write_pcapng_block(InterfaceDescriptionBlock {
        linktype: pcap_file::DataLink::ETHERNET,
        snaplen: 0,
        options: vec![InterfaceDescriptionOption::IfTsResol(9)],
    })
    .unwrap();
    for (ns, data) in &frames.list {
        w.write_pcapng_block(EnhancedPacketBlock {
            interface_id: 0,
            timestamp: std::time::Duration::from_nanos(*ns),
            original_len: data.len() as u32,
            data: data.as_slice().into(),
            options: vec![],
        })
        .unwrap();
    }
    drop(w);
    let out = dir.path().join("by-mac.pcapng");
    let mac = Source::example().mac.to_string();
    let err = run_ok(&["mirror", path_str(&input), "--source-mac", &mac, "-o", path_str(&out)]);
    assert!(err.contains("source ENI inferred: 10.0.1.23"), "{err}");
    let recs = read_pcapng(&out);
    // ENI frames kept by the filter: ssh-out, https-out, dns-query, dns-reply, ntp-out, ntp-in.
    let want = [(2, "ssh"), (2, "https"), (2, "dns-query"), (1, "dns-reply"), (2, "ntp-out"), (1, "ntp-in")];
    assert_eq!(recs.len(), want.len());
    for (r, (dir_flag, name)) in recs.iter().zip(want) {
        assert_eq!(r.direction, Some(dir_flag), "{name}");
    }
    // Times: the frame's plus the mirror latency.
    let ssh = frames.names.iter().position(|n| *n == "ssh-out").unwrap();
    assert_eq!(recs[0].ns, frames.list[ssh].0 + Mirror::LATENCY_NS);
}

/// Bad input: a clear message naming what is wrong, exit status 1, no output left behind.
#[test]
fn bad_input_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let frames = instance_capture();
    let good = pcap_bytes(false, 1, &frames.list);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("raw-ip.pcap", pcap_bytes(false, 101, &frames.list), "is not Ethernet"),
        ("truncated.pcap", good[..good.len() - 7].to_vec(), "record 13: the capture ends inside it"),
        ("header.pcap", good[..20].to_vec(), "capture header"),
        (
            "text.pcap",
            b"hello, world\n".to_vec(),
            "not a pcap or pcapng capture (the file starts with 68 65 6c 6c)",
        ),
        (
            "empty.pcap",
            Vec::new(),
            "not a pcap or pcapng capture (the file starts with nothing: it is empty)",
        ),
        (
            "huge-frac.pcap",
            {
                let mut b = good.clone();
                b[28..32].copy_from_slice(&2_000_000u32.to_le_bytes());
                b
            },
            "record 1: timestamp fraction 2000000 microseconds is a second or more",
        ),
    ];
    for (name, bytes, message) in cases {
        let input = dir.path().join(name);
        std::fs::write(&input, &bytes).unwrap();
        let out = dir.path().join(format!("{name}.pcapng"));
        let o = vxgen(&["mirror", path_str(&input), "--source-ip", "10.0.1.23", "-o", path_str(&out)]);
        let err = stderr_of(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains(message), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: one line: {err}");
        assert!(!out.exists(), "{name}: no output");
        assert!(dir_has_no_partial(dir.path()), "{name}: a temporary file was left behind");
    }
    let missing = dir.path().join("missing.pcap");
    let o = vxgen(&["mirror", path_str(&missing), "-o", path_str(&dir.path().join("x.pcapng"))]);
    assert!(stderr_of(&o).contains("cannot read") && o.status.code() == Some(1), "{}", stderr_of(&o));
    // Standard input: with both addresses, else refused.
    let good_path = dir.path().join("stdin.pcap");
    std::fs::write(&good_path, &good).unwrap();
    let piped = |extra: &[&str]| {
        let mut args = vec!["mirror", "-", "-o", "-"];
        args.extend_from_slice(extra);
        std::process::Command::new(vxgen_support::VXGEN)
            .args(&args)
            .stdin(std::fs::File::open(&good_path).unwrap())
            .output()
            .unwrap()
    };
    let o = piped(&["--source-ip", "10.0.1.23", "--source-mac", "02:4f:1a:8c:3e:71"]);
    assert!(o.status.success(), "{}", stderr_of(&o));
    let from_file = dir.path().join("from-file.pcapng");
    run_ok(&[
        "mirror",
        path_str(&good_path),
        "--source-ip",
        "10.0.1.23",
        "--source-mac",
        "02:4f:1a:8c:3e:71",
        "-o",
        path_str(&from_file),
    ]);
    assert!(o.stdout == std::fs::read(&from_file).unwrap(), "standard input: another capture than the file");
    let o = piped(&["--source-ip", "10.0.1.23"]);
    assert!(stderr_of(&o).contains("needs --source-ip and --source-mac"), "{}", stderr_of(&o));
    // Inference with nothing to infer from.
    let arp_only = dir.path().join("arp.pcap");
    std::fs::write(&arp_only, pcap_bytes(false, 1, &frames.list[..1])).unwrap();
    let o = vxgen(&["mirror", path_str(&arp_only), "-o", path_str(&dir.path().join("y.pcapng"))]);
    assert!(stderr_of(&o).contains("give --source-ip"), "{}", stderr_of(&o));
    // The output is not overwritten without --force.
    let input = dir.path().join("good.pcap");
    std::fs::write(&input, &good).unwrap();
    let out = dir.path().join("exists.pcapng");
    std::fs::write(&out, b"keep").unwrap();
    let o = vxgen(&["mirror", path_str(&input), "--source-ip", "10.0.1.23", "-o", path_str(&out)]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read(&out).unwrap(), b"keep");
    run_ok(&["mirror", path_str(&input), "--source-ip", "10.0.1.23", "--force", "-o", path_str(&out)]);
    assert_ne!(std::fs::read(&out).unwrap(), b"keep");
}

fn dir_has_no_partial(dir: &Path) -> bool {
    std::fs::read_dir(dir).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().contains(".partial-"))
}

/// Every target kind, with the pcapng comments: tshark reads each copy
/// without a problem, a GWLB target's copies behind GENEVE, and each comment
/// says the copy's direction and session.
#[test]
fn every_target_kind_and_the_comments() {
    if !common::require_tool("tshark") {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let frames = instance_capture();
    let input = dir.path().join("instance.pcap");
    std::fs::write(&input, pcap_bytes(true, 1, &frames.list)).unwrap();
    // The frames AWS mirrors with a filter that accepts everything.
    let mirrored = ["ssh-out", "https-out", "dns-query", "dns-reply", "ntp-out", "ntp-in"];
    for target in ["eni", "nlb", "gwlb"] {
        let out = dir.path().join(format!("{target}.pcapng"));
        run_ok(&[
            "mirror",
            path_str(&input),
            "--source-ip",
            "10.0.1.23",
            "--target",
            target,
            "--vni",
            "3",
            "-o",
            path_str(&out),
        ]);
        let mut fields = FIELDS.to_vec();
        fields.push("geneve.version");
        let d = Dissection::of(&out, &fields);
        assert_eq!(d.frames(), mirrored.len(), "{target}");
        for (n, name) in (1..=d.frames()).zip(mirrored) {
            assert_eq!(d.raw(n, "_ws.malformed"), "", "{target} {name}: malformed");
            for (m, sev) in d.expert(n) {
                assert!(sev < SEVERITY_WARN, "{target} {name}: expert info {m:?}");
            }
            let comment = d.raw(n, "frame.comment");
            let direction = if matches!(name, "dns-reply" | "ntp-in") { "ingress" } else { "egress" };
            assert!(comment.starts_with(direction), "{target} {name}: comment {comment:?}");
            assert!(comment.contains("captured; vni 3, session 1"), "{target} {name}: comment {comment:?}");
            assert_eq!(d.raw(n, "geneve.version") == "0", target == "gwlb", "{target} {name}: GENEVE");
        }
    }
    // PacketLength and the MTU cut the copies as they cut generated ones.
    for (flag, value, why) in
        [("--packet-length", "60", "by PacketLength 60"), ("--target-mtu", "100", "to target MTU 100")]
    {
        let out = dir.path().join(format!("cut{value}.pcapng"));
        run_ok(&["mirror", path_str(&input), "--source-ip", "10.0.1.23", flag, value, "-o", path_str(&out)]);
        let kept = if flag == "--packet-length" { 60 } else { 100 - 36 };
        let recs = read_pcapng(&out);
        assert_eq!(recs.len(), mirrored.len());
        let d = Dissection::of(&out, FIELDS);
        for (n, r) in (1..=d.frames()).zip(&recs) {
            let name = mirrored[n - 1];
            let original = &frames.list[frames.names.iter().position(|x| *x == name).unwrap()].1;
            let inner = &r.data[VXLAN_OVERHEAD..];
            assert_eq!(inner, &original[..original.len().min(kept)], "{why}: {name}: the inner bytes kept");
            let comment = d.raw(n, "frame.comment");
            assert_eq!(
                comment.contains(&format!("truncated {why} (inner frame {} bytes)", original.len())),
                original.len() > kept,
                "{why}: {name}: {comment:?}"
            );
            // (A cut inside the inner TCP header is malformed to tshark, as on AWS: not checked here.)
        }
    }
}
