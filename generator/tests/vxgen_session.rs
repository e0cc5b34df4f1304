//! `vxgen generate --session FILE.json`: mirror sessions and filters from a
//! file with EC2 API keys.
//!
//! Each test generates a capture through the session file and a "twin"
//! through a file with the same source but one session that mirrors
//! everything, same seed: the twin holds every frame that crossed the
//! source interface. The expected capture is derived from what the file
//! says, by a small evaluator written here from docs/aws.md ("Sessions",
//! "Filters"): never-mirrored traffic aside, Amazon DNS is decided by the
//! `amazon-dns` network service, other packets by the rules of their
//! direction in ascending rule number (first match decides, none: not
//! mirrored), sessions in ascending session number (the first that mirrors
//! takes the packet). Every copy must then be the expected one, in order,
//! with its session's VNI, target, PacketLength and MTU.

mod common;
mod vxgen_support;

use generator::flow::{amazon_dns_vpc_resolver, AMAZON_DNS_IPV4, AMAZON_DNS_IPV6};
use generator::generate::host_of;
use generator::mirror::filter::{
    INSTANCE_METADATA_IPV4, INSTANCE_METADATA_IPV6, TIME_SYNC_IPV4, TIME_SYNC_IPV6, WINDOWS_ACTIVATION_IPV4,
};
use generator::mirror::session::{Source, Target, TargetKind};
use generator::wire::IpProtocol;
use ipnet::{IpNet, Ipv4Net};
use serde_json::{json, Value};
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use vxgen_support::{parse_comment, stderr_of, vxgen, Dissection, Gen, Inner, INNER_FIELDS};

// ---------------------------------------------------------------------------
// What a session file says.

#[derive(Debug, Clone)]
struct Rule {
    number: u64,
    accept: bool,
    protocol: Option<u8>,
    source: IpNet,
    destination: IpNet,
    source_ports: Option<(u16, u16)>,
    destination_ports: Option<(u16, u16)>,
}

#[derive(Debug, Clone)]
struct Filter {
    ingress: Vec<Rule>,
    egress: Vec<Rule>,
    amazon_dns: bool,
}

#[derive(Debug, Clone)]
struct SessionSpec {
    number: u16,
    vni: Option<u32>,
    packet_length: Option<u16>,
    /// `None`: the session mirrors everything (no `TrafficMirrorFilter`).
    filter: Option<Filter>,
    kind: Option<TargetKind>,
    target_ip: Option<Ipv4Addr>,
    target_mac: Option<String>,
    mtu: Option<u16>,
}

#[derive(Debug, Clone)]
struct FileSpec {
    source_ip: Ipv4Addr,
    source_mac: String,
    vpc: Ipv4Net,
    sessions: Vec<SessionSpec>,
}

fn ports(v: &Value) -> Option<(u16, u16)> {
    v.as_object().map(|r| (r["FromPort"].as_u64().unwrap() as u16, r["ToPort"].as_u64().unwrap() as u16))
}

fn rules(v: &Value) -> Vec<Rule> {
    let mut rules: Vec<Rule> = v
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| Rule {
                    number: r["RuleNumber"].as_u64().expect("RuleNumber"),
                    accept: r["RuleAction"] == "accept",
                    protocol: r["Protocol"].as_i64().filter(|p| *p >= 0).map(|p| p as u8),
                    source: r["SourceCidrBlock"].as_str().expect("SourceCidrBlock").parse().expect("CIDR"),
                    destination: r["DestinationCidrBlock"]
                        .as_str()
                        .expect("DestinationCidrBlock")
                        .parse()
                        .expect("CIDR"),
                    source_ports: ports(&r["SourcePortRange"]),
                    destination_ports: ports(&r["DestinationPortRange"]),
                })
                .collect()
        })
        .unwrap_or_default();
    rules.sort_by_key(|r| r.number);
    rules
}

impl FileSpec {
    /// Reads the file's meaning; where it is silent, the defaults vxgen
    /// documents (`Source::example`, `Target::example`).
    fn from_json(v: &Value) -> FileSpec {
        let source = &v["Source"];
        let list = match v.get("TrafficMirrorSessions") {
            Some(list) => list.as_array().expect("TrafficMirrorSessions").clone(),
            None => vec![v.clone()],
        };
        let mut sessions: Vec<SessionSpec> = list
            .iter()
            .map(|s| {
                let t = &s["TrafficMirrorTarget"];
                SessionSpec {
                    number: s["SessionNumber"].as_u64().expect("SessionNumber") as u16,
                    vni: s["VirtualNetworkId"].as_u64().map(|v| v as u32),
                    packet_length: s["PacketLength"].as_u64().map(|v| v as u16),
                    filter: s.get("TrafficMirrorFilter").map(|f| Filter {
                        ingress: rules(&f["IngressFilterRules"]),
                        egress: rules(&f["EgressFilterRules"]),
                        amazon_dns: f["NetworkServices"]
                            .as_array()
                            .is_some_and(|a| a.iter().any(|x| x == "amazon-dns")),
                    }),
                    kind: t["Type"].as_str().map(|k| match k {
                        "network-interface" => TargetKind::NetworkInterface,
                        "network-load-balancer" => TargetKind::NetworkLoadBalancer,
                        "gateway-load-balancer-endpoint" => TargetKind::GatewayLoadBalancerEndpoint,
                        other => panic!("unknown target type {other}"),
                    }),
                    target_ip: t["IpAddress"].as_str().map(|a| a.parse().expect("IpAddress")),
                    target_mac: t["MacAddress"].as_str().map(str::to_lowercase),
                    mtu: t["Mtu"].as_u64().map(|m| m as u16),
                }
            })
            .collect();
        sessions.sort_by_key(|s| s.number);
        let d = Source::example();
        FileSpec {
            source_ip: source["PrivateIpAddress"]
                .as_str()
                .map_or(d.ip, |a| a.parse().expect("PrivateIpAddress")),
            source_mac: source["MacAddress"].as_str().map_or(d.mac.to_string(), str::to_lowercase),
            vpc: source["VpcCidrBlock"].as_str().map_or(d.vpc_cidr, |c| c.parse().expect("VpcCidrBlock")),
            sessions,
        }
    }
}

// ---------------------------------------------------------------------------
// The evaluator (docs/aws.md "Filters").

fn never_mirrored(inner: &Inner) -> bool {
    let special = |a: IpAddr| match a {
        IpAddr::V4(a) => {
            a == INSTANCE_METADATA_IPV4 || a == TIME_SYNC_IPV4 || WINDOWS_ACTIVATION_IPV4.contains(&a)
        }
        IpAddr::V6(a) => a == INSTANCE_METADATA_IPV6 || a == TIME_SYNC_IPV6,
    };
    let dhcp = inner.protocol == IpProtocol::UDP
        && [inner.src_port, inner.dst_port].iter().any(|p| matches!(p, Some(67 | 68 | 546 | 547)));
    special(inner.src) || special(inner.dst) || dhcp
}

fn amazon_dns(inner: &Inner, vpc: &Ipv4Net) -> bool {
    let server = |a: IpAddr| match a {
        IpAddr::V4(a) => a == AMAZON_DNS_IPV4 || a == amazon_dns_vpc_resolver(vpc),
        IpAddr::V6(a) => a == AMAZON_DNS_IPV6,
    };
    matches!(inner.protocol, IpProtocol::TCP | IpProtocol::UDP)
        && ((inner.dst_port == Some(53) && server(inner.dst))
            || (inner.src_port == Some(53) && server(inner.src)))
}

fn rule_matches(r: &Rule, inner: &Inner) -> bool {
    let in_range = |range: Option<(u16, u16)>, port: Option<u16>| match range {
        None => true,
        Some((lo, hi)) => port.is_some_and(|p| (lo..=hi).contains(&p)),
    };
    r.source.contains(&inner.src)
        && r.destination.contains(&inner.dst)
        && !matches!(r.protocol, Some(p) if p != inner.protocol.0)
        && in_range(r.source_ports, inner.src_port)
        && in_range(r.destination_ports, inner.dst_port)
}

/// The session (index into `spec.sessions`) that mirrors the packet, if any.
fn pick(spec: &FileSpec, egress: bool, inner: &Inner) -> Option<usize> {
    if never_mirrored(inner) {
        return None;
    }
    spec.sessions.iter().position(|s| match &s.filter {
        None => true,
        Some(_) if amazon_dns(inner, &spec.vpc) => s.filter.as_ref().is_some_and(|f| f.amazon_dns),
        Some(f) => {
            let rules = if egress { &f.egress } else { &f.ingress };
            rules.iter().find(|r| rule_matches(r, inner)).is_some_and(|r| r.accept)
        }
    })
}

// ---------------------------------------------------------------------------
// Running and comparing.

const FIELDS: &[&str] = &[
    "frame.comment",
    "frame.packet_flags_direction",
    "eth.src",
    "eth.dst",
    "vxlan.vni",
    "tcp.seq_raw",
    "tcp.ack_raw",
    "_ws.malformed",
];

fn fields() -> Vec<&'static str> {
    let mut all = INNER_FIELDS.to_vec();
    all.extend(FIELDS.iter().filter(|f| !INNER_FIELDS.contains(f)));
    all
}

/// Runs vxgen with `--session file` and `extra`; returns the capture and stderr.
fn generate(file: &Path, out: &Path, extra: &[&str]) -> String {
    let mut args: Vec<String> = vec!["generate".into(), "--session".into(), file.to_string_lossy().into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(["-o".into(), out.to_string_lossy().into()]);
    let o = vxgen(&args);
    let stderr = stderr_of(&o);
    assert!(o.status.success(), "vxgen {args:?} failed: {stderr}");
    stderr
}

/// The `M` of `(... M not mirrored)` in vxgen's summary line.
fn not_mirrored(stderr: &str) -> usize {
    let end = stderr.find(" not mirrored").unwrap_or_else(|| panic!("no `not mirrored` count in {stderr:?}"));
    let start = stderr[..end].rfind(' ').map_or(0, |i| i + 1);
    stderr[start..end].parse().unwrap_or_else(|_| panic!("not-mirrored count in {stderr:?}"))
}

/// Generates through `session_json` and through its mirror-everything twin
/// (same `Source`), and checks the capture frame by frame against the
/// evaluator. `vni` is passed as `--vni` (it fills in sessions without
/// `VirtualNetworkId`). Returns the sessions used, per copy.
fn check_session_file(session_json: &Value, seed: u64, count: u64, vni: u32) -> Vec<u16> {
    let spec = FileSpec::from_json(session_json);
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("sessions.json");
    std::fs::write(&file, serde_json::to_string_pretty(session_json).unwrap()).expect("writing the file");
    let mut twin_json =
        json!({ "TrafficMirrorSessions": [ { "SessionNumber": 1, "VirtualNetworkId": vni } ] });
    if let Some(source) = session_json.get("Source") {
        twin_json["Source"] = source.clone();
    }
    let twin_file = dir.path().join("twin.json");
    std::fs::write(&twin_file, twin_json.to_string()).expect("writing the twin file");

    let common_args = ["--seed".to_string(), seed.to_string(), "--count".into(), count.to_string()];
    let mut extra: Vec<&str> = common_args.iter().map(String::as_str).collect();
    let vni_text = vni.to_string();
    extra.extend(["--vni", &vni_text]);
    let real_path = dir.path().join("real.pcapng");
    let stderr = generate(&file, &real_path, &extra);
    let twin_path = dir.path().join("twin.pcapng");
    generate(&twin_file, &twin_path, &extra);

    let fields = fields();
    let real = Dissection::of(&real_path, &fields);
    let twin = Dissection::of(&twin_path, &fields);
    assert!(twin.frames() > 0, "the twin capture is empty");

    let instance_v6 = host_of(&Source { ip: spec.source_ip, ..Source::example() }).ipv6;
    let overhead = generator::mirror::encap::VXLAN_OVERHEAD;
    // Expected copies: (twin frame, session index).
    let mut expected = Vec::new();
    for f in 1..=twin.frames() {
        let inner = twin.inner(f, 1);
        let instance: IpAddr = if inner.v6 { instance_v6.into() } else { spec.source_ip.into() };
        let egress = inner.src == instance;
        assert!(egress || inner.dst == instance, "twin frame {f}: neither end is the instance {instance}");
        if let Some(s) = pick(&spec, egress, &inner) {
            expected.push((f, s, egress));
        }
    }
    assert_eq!(
        real.frames(),
        expected.len(),
        "copies in the capture vs packets the file's filters select among the twin's {} frames",
        twin.frames()
    );
    assert_eq!(not_mirrored(&stderr), twin.frames() - expected.len(), "`not mirrored` count of the summary");

    let mut used = Vec::new();
    for (i, &(tf, s, egress)) in expected.iter().enumerate() {
        let f = i + 1;
        let session = &spec.sessions[s];
        used.push(session.number);
        let inner = real.inner(f, 1);
        let twin_inner = twin.inner(tf, 1);
        assert_eq!(inner, twin_inner, "frame {f}: inner headers differ from twin frame {tf}");
        for field in ["tcp.seq_raw", "tcp.ack_raw"] {
            assert_eq!(
                real.raw(f, field),
                twin.raw(tf, field),
                "frame {f}: {field} differs from twin frame {tf}"
            );
        }
        let c = parse_comment(f, real.raw(f, "frame.comment"));
        assert_eq!(c.session, session.number, "frame {f}: frame.comment session");
        assert_eq!(
            c.direction,
            if egress { "egress" } else { "ingress" },
            "frame {f}: frame.comment direction"
        );
        assert_eq!(
            real.num(f, "frame.packet_flags_direction", 0) & 3,
            if egress { 2 } else { 1 },
            "frame {f}: frame.packet_flags_direction"
        );
        let want_vni = session.vni.unwrap_or(vni);
        assert_eq!(real.num(f, "vxlan.vni", 0), want_vni as u64, "frame {f}: vxlan.vni");
        assert_eq!(c.vni, want_vni, "frame {f}: frame.comment vni");
        let kind = session.kind.unwrap_or(TargetKind::NetworkInterface);
        let target = Target::example(kind);
        assert_eq!(real.at(f, "ip.src", 0), spec.source_ip.to_string(), "frame {f}: outer ip.src");
        let target_ip = session.target_ip.unwrap_or(target.ip);
        assert_eq!(real.at(f, "ip.dst", 0), target_ip.to_string(), "frame {f}: outer ip.dst");
        let target_mac = session.target_mac.clone().unwrap_or(target.mac.to_string());
        assert_eq!(real.at(f, "eth.dst", 0), target_mac, "frame {f}: outer eth.dst");
        let inner_mac = if egress { real.at(f, "eth.src", -1) } else { real.at(f, "eth.dst", -1) };
        assert_eq!(inner_mac, spec.source_mac, "frame {f}: the instance's MAC in the inner frame");
        // PacketLength and MTU of this session.
        let limits = Gen {
            packet_length: session.packet_length,
            target_mtu: session.mtu,
            target: kind,
            ..Gen::new(seed)
        };
        let inner_len = twin.num(tf, "frame.len", 0) as usize - overhead;
        let (kept, why) = limits.expected_kept(inner_len);
        let present = real.num(f, "frame.len", 0) as usize - limits.overhead();
        assert_eq!(
            present, kept,
            "frame {f}: inner bytes of a {inner_len}-byte frame in session {} ({why:?})",
            session.number
        );
        assert_eq!(c.truncation, why.map(|w| (w, inner_len)), "frame {f}: frame.comment truncation");
    }
    used
}

fn example_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/session.json")
}

/// docs/examples/session.json loads and generates; every copy is the one its
/// sessions and filters select, and each of its sessions mirrors something.
#[test]
fn example_session_file_generates_what_it_says() {
    if !common::require_tool("tshark") {
        return;
    }
    let path = example_path();
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("SKIP: {} not present", path.display());
        return;
    };
    let json: Value = serde_json::from_str(&text).expect("docs/examples/session.json is JSON");
    let spec = FileSpec::from_json(&json);
    let used = check_session_file(&json, 21, 30, 4242);
    for s in &spec.sessions {
        assert!(
            used.contains(&s.number),
            "session {} of the example mirrored nothing with seed 21",
            s.number
        );
    }
    // And the shipped file itself, as the README shows it, in place.
    let dir = tempfile::tempdir().expect("temporary directory");
    let out = dir.path().join("example.pcapng");
    let stderr = generate(&path, &out, &["--count", "3"]);
    assert!(std::fs::metadata(&out).is_ok_and(|m| m.len() > 0), "no capture written: {stderr}");
}

/// A session that accepts egress traffic only yields egress copies: every
/// inner source is the instance, every comment and pcapng direction says
/// egress, and they are exactly the twin's egress packets the rule selects.
#[test]
fn egress_only_session_mirrors_only_egress() {
    if !common::require_tool("tshark") {
        return;
    }
    let json = json!({
        "SessionNumber": 1,
        "VirtualNetworkId": 777,
        "TrafficMirrorFilter": {
            "EgressFilterRules": [{
                "RuleNumber": 100, "RuleAction": "accept", "TrafficDirection": "egress",
                "SourceCidrBlock": "0.0.0.0/0", "DestinationCidrBlock": "0.0.0.0/0"
            }],
            "IngressFilterRules": [],
            "NetworkServices": []
        }
    });
    let used = check_session_file(&json, 22, 20, 1);
    assert!(!used.is_empty(), "the egress-only session mirrored nothing");
    // The direct reading of the brief, on top of the frame-by-frame comparison.
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("egress.json");
    std::fs::write(&file, json.to_string()).expect("writing the file");
    let out = dir.path().join("egress.pcapng");
    generate(&file, &out, &["--seed", "22", "--count", "20"]);
    let d = Dissection::of(&out, &fields());
    let instance = Source::example().ip;
    for f in 1..=d.frames() {
        let inner = d.inner(f, 1);
        assert_eq!(inner.src, IpAddr::from(instance), "frame {f}: inner ip.src of an egress-only capture");
        let c = parse_comment(f, d.raw(f, "frame.comment"));
        assert_eq!(c.direction, "egress", "frame {f}: frame.comment direction");
        assert_eq!(
            d.num(f, "frame.packet_flags_direction", 0) & 3,
            2,
            "frame {f}: frame.packet_flags_direction"
        );
    }
}

/// Rule order and port ranges: inbound TCP from port 443 is mirrored except
/// from 192.0.2.0/24, which a lower-numbered reject rule keeps out; nothing
/// else. A second session with PacketLength 96 to an NLB takes all egress TCP.
#[test]
fn reject_before_accept_and_port_ranges() {
    if !common::require_tool("tshark") {
        return;
    }
    let json = json!({
        "Source": { "PrivateIpAddress": "10.0.1.40", "VpcCidrBlock": "10.0.0.0/16" },
        "TrafficMirrorSessions": [
            {
                "SessionNumber": 5,
                "VirtualNetworkId": 5005,
                "TrafficMirrorFilter": {
                    "IngressFilterRules": [
                        { "RuleNumber": 20, "RuleAction": "accept", "Protocol": 6,
                          "SourcePortRange": { "FromPort": 443, "ToPort": 443 },
                          "SourceCidrBlock": "0.0.0.0/0", "DestinationCidrBlock": "10.0.0.0/16" },
                        { "RuleNumber": 10, "RuleAction": "reject", "Protocol": 6,
                          "SourceCidrBlock": "192.0.2.0/24", "DestinationCidrBlock": "0.0.0.0/0" }
                    ]
                },
                "TrafficMirrorTarget": { "Type": "network-interface", "IpAddress": "10.0.2.77", "Mtu": 1500 }
            },
            {
                "SessionNumber": 9,
                "PacketLength": 96,
                "TrafficMirrorFilter": {
                    "EgressFilterRules": [
                        { "RuleNumber": 1, "RuleAction": "accept", "Protocol": 6,
                          "SourceCidrBlock": "10.0.0.0/16", "DestinationCidrBlock": "0.0.0.0/0" }
                    ]
                },
                "TrafficMirrorTarget": { "Type": "network-load-balancer", "IpAddress": "10.0.3.99" }
            }
        ]
    });
    let used = check_session_file(&json, 23, 40, 9009);
    assert!(used.contains(&5) && used.contains(&9), "sessions used: {used:?}");
}

/// docs/examples/describe-traffic-mirror-*.json, as `aws ec2` prints them,
/// joined by the ids here (independently of vxgen's loader).
fn describe_examples() -> (Vec<PathBuf>, Value) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples");
    let paths: Vec<PathBuf> = ["sessions", "filters", "targets"]
        .iter()
        .map(|k| dir.join(format!("describe-traffic-mirror-{k}.json")))
        .collect();
    let read = |p: &PathBuf| -> Value { serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap() };
    let (sessions, filters, targets) = (read(&paths[0]), read(&paths[1]), read(&paths[2]));
    let by_id = |list: &Value, key: &str, id: &Value| -> Value {
        list.as_array()
            .unwrap()
            .iter()
            .find(|x| &x[key] == id)
            .unwrap_or_else(|| panic!("{key} {id}"))
            .clone()
    };
    let mut embedded = sessions.clone();
    for s in embedded["TrafficMirrorSessions"].as_array_mut().unwrap() {
        let filter =
            by_id(&filters["TrafficMirrorFilters"], "TrafficMirrorFilterId", &s["TrafficMirrorFilterId"]);
        let target =
            by_id(&targets["TrafficMirrorTargets"], "TrafficMirrorTargetId", &s["TrafficMirrorTargetId"]);
        s["TrafficMirrorFilter"] = filter;
        s["TrafficMirrorTarget"] = target;
    }
    (paths, embedded)
}

/// The real-shaped outputs of describe-traffic-mirror-sessions, -filters and
/// -targets generate the capture their rules imply (checked frame by frame by
/// the evaluator above, through their join), byte for byte the same whether
/// given as three `--session` files, as one merged file, or embedded; without
/// the filters it is an error naming the session's filter id.
#[test]
fn describe_outputs_generate_what_their_rules_imply() {
    if !common::require_tool("tshark") {
        return;
    }
    let (paths, embedded) = describe_examples();
    let used = check_session_file(&embedded, 21, 30, 4242);
    assert!(used.contains(&1) && used.contains(&2), "both sessions mirror something: {used:?}");

    let dir = tempfile::tempdir().expect("temporary directory");
    let run = |files: &[&Path], name: &str| -> Vec<u8> {
        let mut args: Vec<String> =
            vec!["generate".into(), "--seed".into(), "21".into(), "--count".into(), "30".into()];
        for f in files {
            args.extend(["--session".into(), f.to_string_lossy().into_owned()]);
        }
        let out = dir.path().join(name);
        args.extend(["-o".into(), out.to_string_lossy().into_owned()]);
        let o = vxgen(&args);
        assert!(o.status.success(), "vxgen {args:?}: {}", stderr_of(&o));
        std::fs::read(&out).expect("the capture")
    };
    let embedded_file = dir.path().join("embedded.json");
    std::fs::write(&embedded_file, embedded.to_string()).unwrap();
    let mut merged = Value::Object(Default::default());
    for p in &paths {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
        merged.as_object_mut().unwrap().extend(v.as_object().unwrap().clone());
    }
    let merged_file = dir.path().join("merged.json");
    std::fs::write(&merged_file, merged.to_string()).unwrap();
    let want = run(&[&embedded_file], "embedded.pcapng");
    let three: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    assert!(run(&three, "three.pcapng") == want, "three describe-* files: another capture than their join");
    assert!(run(&[&merged_file], "merged.pcapng") == want, "the merged file: another capture than the join");
    // In another order too: ids join, not positions.
    let reordered = [three[2], three[0], three[1]];
    assert!(run(&reordered, "reordered.pcapng") == want, "the files in another order");

    // A session whose filter is not given is an error, not "mirror everything".
    let out = dir.path().join("none.pcapng");
    let args = ["generate", "--session", three[0].to_str().unwrap(), "--session", three[2].to_str().unwrap()];
    let o = vxgen(&[&args[..], &["-o", out.to_str().unwrap()]].concat());
    let err = stderr_of(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("TrafficMirrorSessions[0].TrafficMirrorFilterId = \"tmf-0aa11bb22cc33dd44\": no filter"),
        "{err}"
    );
    assert!(!out.exists(), "no capture is written");
    // And a missing target likewise.
    let o = vxgen(&[
        "generate",
        "--session",
        three[0].to_str().unwrap(),
        "--session",
        three[1].to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(
        stderr_of(&o).contains("TrafficMirrorTargetId = \"tmt-0123456789abcdef0\": no target"),
        "{}",
        stderr_of(&o)
    );
}
