//! tshark reads back the conventions of a real AWS mirrored capture
//! (docs/aws.md, "The copy on the wire" and "Subnets"):
//!
//! * the VPC resolver's DNS replies carry outer UDP source port 65408, and
//!   inner IPv4 ID 0, DF set, TTL 255; each query its own flow hash;
//! * the outer Ethernet source is the router MAC of the target's subnet,
//!   which differs from the source subnet's router MAC in the inner frames;
//!   a target in the source's own subnet has the one router's MAC;
//! * no frame is malformed or has a checksum problem.

mod common;
mod vxgen_support;

use generator::mirror::encap::SOURCE_PORT_BASE;
use generator::mirror::session::{Source, Subnet};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use vxgen_support::{stderr_of, vxgen, Dissection, SEVERITY_WARN};

const FIELDS: &[&str] = &[
    "eth.src",
    "eth.dst",
    "ip.src",
    "ip.dst",
    "ip.id",
    "ip.flags.df",
    "ip.ttl",
    "udp.srcport",
    "udp.dstport",
    "dns.flags.response",
    "_ws.malformed",
    "_ws.expert.message",
    "_ws.expert.severity",
];

fn generate(dir: &Path, name: &str, extra: &[&str]) -> Dissection {
    let out = dir.join(name);
    let mut args = vec!["generate", "--scenario", "dns", "--count", "40", "--seed", "9"];
    args.extend_from_slice(extra);
    args.extend(["-o", out.to_str().unwrap()]);
    let o = vxgen(&args);
    assert!(o.status.success(), "vxgen {args:?}: {}", stderr_of(&o));
    Dissection::of(&out, FIELDS)
}

fn no_problems(d: &Dissection) {
    for f in 1..=d.frames() {
        assert_eq!(d.raw(f, "_ws.malformed"), "", "frame {f}: malformed");
        for (m, sev) in d.expert(f) {
            assert!(sev < SEVERITY_WARN, "frame {f}: expert info {m:?} ({sev:#x})");
        }
    }
}

#[test]
fn resolver_replies_and_router_macs_read_back() {
    if !common::require_tool("tshark") {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let d = generate(dir.path(), "dns.pcapng", &[]);
    assert!(d.frames() > 100, "{} frames", d.frames());
    no_problems(&d);
    let source = Source::example();
    let (inner_router, outer_router) =
        (Subnet::example_source().router_mac, Subnet::example_target().router_mac);
    assert_ne!(inner_router, outer_router);
    let resolvers = ["10.0.0.2", "169.254.169.253"];
    let (mut replies, mut queries) = (0, BTreeMap::<String, BTreeSet<u64>>::new());
    for f in 1..=d.frames() {
        // Outer frame from the target subnet's router; inner between the instance and its own subnet's router.
        assert_eq!(d.at(f, "eth.src", 0), outer_router.to_string(), "frame {f}: outer eth.src");
        let inner_ends = [d.at(f, "eth.src", -1), d.at(f, "eth.dst", -1)];
        let mut sorted = inner_ends.map(str::to_string);
        sorted.sort();
        let mut want = [source.mac.to_string(), inner_router.to_string()];
        want.sort();
        assert_eq!(sorted, want, "frame {f}: inner MACs");
        if d.all(f, "ip.src").len() < 2 {
            continue; // IPv6 inside
        }
        let (src, sport) = (d.at(f, "ip.src", 1), d.num(f, "udp.srcport", 1));
        let outer_port = d.num(f, "udp.srcport", 0);
        if resolvers.contains(&src) && sport == 53 {
            replies += 1;
            assert_eq!(d.at(f, "dns.flags.response", 0), "1", "frame {f}: a reply");
            assert_eq!(
                outer_port, SOURCE_PORT_BASE as u64,
                "frame {f}: the resolver's reply: outer port 65408"
            );
            assert_eq!(d.num(f, "ip.id", 1), 0, "frame {f}: inner ip.id");
            assert_eq!(d.at(f, "ip.flags.df", 1), "1", "frame {f}: inner DF");
            assert_eq!(d.num(f, "ip.ttl", 1), 255, "frame {f}: inner TTL");
        } else if d.num(f, "udp.dstport", 1) == 53 {
            queries.entry(format!("{}:{}", src, sport)).or_default().insert(outer_port);
        }
    }
    assert!(replies > 20, "{replies} resolver replies");
    // Each query flow keeps its own hash; over forty lookups not all fall on 65408.
    for (flow, ports) in &queries {
        assert_eq!(ports.len(), 1, "query flow {flow}: outer ports {ports:?}");
    }
    let all: BTreeSet<u64> = queries.values().flatten().copied().collect();
    assert!(all.len() > 10, "query flows' outer ports: {all:?}");
}

/// Subnets from a session file: a target in another subnet with its own
/// router MAC, and a target in the source's own subnet.
#[test]
fn subnets_from_the_session_file_read_back() {
    if !common::require_tool("tshark") {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let cases = [
        // Another subnet, its router's MAC given.
        (
            json!({ "IpAddress": "10.0.9.9", "SubnetCidrBlock": "10.0.9.0/24", "RouterMacAddress": "06:aa:bb:cc:dd:01" }),
            "06:aa:bb:cc:dd:01",
        ),
        // The source's own subnet: one router, one MAC.
        (json!({ "IpAddress": "10.0.1.200" }), "02:61:00:00:00:01"),
    ];
    for (i, (target, want)) in cases.into_iter().enumerate() {
        let file = dir.path().join(format!("s{i}.json"));
        let doc = json!({
            "Source": { "SubnetCidrBlock": "10.0.1.0/24", "RouterMacAddress": "02:61:00:00:00:01" },
            "TrafficMirrorSessions": [{ "SessionNumber": 1, "VirtualNetworkId": 7, "TrafficMirrorTarget": target }]
        });
        std::fs::write(&file, doc.to_string()).unwrap();
        let d = generate(dir.path(), &format!("s{i}.pcapng"), &["--session", file.to_str().unwrap()]);
        no_problems(&d);
        for f in 1..=d.frames() {
            assert_eq!(d.at(f, "eth.src", 0), want, "case {i}, frame {f}: outer eth.src");
            let inner = [d.at(f, "eth.src", -1), d.at(f, "eth.dst", -1)];
            assert!(
                inner.contains(&"02:61:00:00:00:01"),
                "case {i}, frame {f}: the source subnet's router inside"
            );
        }
    }
}
