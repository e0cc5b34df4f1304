//! Loading and refusing configurations: every message names the key and what is wrong.

use super::*;
use crate::flow::PacketKey;
use crate::mirror::filter::Verdict;
use serde_json::json;
use std::net::IpAddr;

/// Loads `value`, which must fail, and returns the message.
fn message(value: Value) -> String {
    match MirrorConfig::from_json_str(&value.to_string()) {
        Ok(config) => panic!("loaded {config:?}"),
        Err(e) => e.to_string(),
    }
}

/// A minimal valid session with `patch` merged into it.
fn session(patch: Value) -> Value {
    let mut base = json!({ "SessionNumber": 1 });
    if let (Value::Object(b), Value::Object(p)) = (&mut base, patch) {
        b.extend(p);
    }
    base
}

/// A session whose filter has one ingress rule: a valid rule with `patch` merged in.
fn with_rule(patch: Value) -> Value {
    let mut rule = json!({
        "RuleNumber": 10, "RuleAction": "accept",
        "SourceCidrBlock": "0.0.0.0/0", "DestinationCidrBlock": "0.0.0.0/0"
    });
    if let (Value::Object(r), Value::Object(p)) = (&mut rule, patch) {
        for (k, v) in p {
            if v.is_null() {
                r.remove(&k);
            } else {
                r.insert(k, v);
            }
        }
    }
    session(json!({ "TrafficMirrorFilter": { "IngressFilterRules": [rule] } }))
}

const RULE: &str = "TrafficMirrorFilter.IngressFilterRules[0]";

#[test]
fn single_session_minimal() {
    let c = MirrorConfig::from_json_str(r#"{ "SessionNumber": 7 }"#).unwrap();
    assert_eq!(c.source, None);
    assert_eq!(c.sessions.len(), 1);
    let s = &c.sessions[0];
    assert_eq!(s.session_number, 7);
    assert_eq!((s.virtual_network_id, s.packet_length, s.gbp), (None, None, None));
    assert_eq!(s.filter, Filter::accept_all(), "no filter given: mirror everything");
    assert_eq!(s.target, TargetSpec::default());
}

#[test]
fn describe_output_shape_with_aws_keys_and_nulls() {
    let c = MirrorConfig::from_json_str(
        &json!({
            "TrafficMirrorSessions": [{
                "TrafficMirrorSessionId": "tms-1", "TrafficMirrorTargetId": "tmt-1",
                "TrafficMirrorFilterId": "tmf-1", "NetworkInterfaceId": "eni-1", "OwnerId": "1",
                "PacketLength": null, "SessionNumber": 1, "VirtualNetworkId": 0,
                "Description": "d", "Tags": [{ "Key": "k", "Value": "v" }]
            }],
            "TrafficMirrorFilters": [{
                "TrafficMirrorFilterId": "tmf-1", "IngressFilterRules": [], "EgressFilterRules": [{
                    "TrafficMirrorFilterRuleId": "tmfr-1", "TrafficMirrorFilterId": "tmf-1",
                    "TrafficDirection": "egress", "RuleNumber": 100, "RuleAction": "reject", "Protocol": 6,
                    "DestinationPortRange": { "FromPort": 22, "ToPort": 22 },
                    "DestinationCidrBlock": "0.0.0.0/0", "SourceCidrBlock": "0.0.0.0/0", "Description": null
                }],
                "NetworkServices": [], "Description": null, "Tags": []
            }],
            "TrafficMirrorTargets": [{
                "TrafficMirrorTargetId": "tmt-1", "NetworkLoadBalancerArn": "arn:aws:elasticloadbalancing:x",
                "Type": "network-load-balancer", "Description": null, "OwnerId": "1", "Tags": []
            }],
            "NextToken": null
        })
        .to_string(),
    )
    .unwrap();
    assert_eq!(c.source_eni.as_deref(), Some("eni-1"));
    let s = &c.sessions[0];
    assert_eq!((s.id.as_deref(), s.filter_id.as_deref()), (Some("tms-1"), Some("tmf-1")));
    assert_eq!(s.virtual_network_id.map(Vni::value), Some(0));
    assert_eq!(s.packet_length, None);
    let rules = s.filter.rules(Direction::Egress);
    assert_eq!((rules.len(), rules[0].action), (1, RuleAction::Reject));
    assert_eq!(s.target.kind, Some(TargetKind::NetworkLoadBalancer));
    assert_eq!(s.target.id.as_deref(), Some("tmt-1"));
}

/// A session output alone names a filter and a target that are not given:
/// an error, never a session that mirrors everything.
#[test]
fn ids_that_name_nothing_are_errors() {
    let sessions = json!({ "TrafficMirrorSessions": [{
        "SessionNumber": 1, "TrafficMirrorFilterId": "tmf-1", "TrafficMirrorTargetId": "tmt-1"
    }] });
    assert_eq!(
        message(sessions.clone()),
        "TrafficMirrorSessions[0].TrafficMirrorFilterId = \"tmf-1\": no filter with this id was given; add the \
         output of `aws ec2 describe-traffic-mirror-filters` (another --session file, or merged into this one)"
    );
    let mut with_filter = sessions.clone();
    with_filter["TrafficMirrorFilters"] = json!([{ "TrafficMirrorFilterId": "tmf-1" }]);
    assert!(message(with_filter.clone()).starts_with(
        "TrafficMirrorSessions[0].TrafficMirrorTargetId = \"tmt-1\": no target with this id was given"
    ));
    // Another filter's id does not do.
    let mut other = sessions.clone();
    other["TrafficMirrorFilters"] = json!([{ "TrafficMirrorFilterId": "tmf-2" }]);
    assert!(message(other).contains("\"tmf-1\": no filter"));
    // Ids given twice, and lists of filters or targets without ids.
    let mut twice = with_filter.clone();
    twice["TrafficMirrorFilters"] =
        json!([{ "TrafficMirrorFilterId": "tmf-1" }, { "TrafficMirrorFilterId": "tmf-1" }]);
    assert_eq!(
        message(twice),
        "TrafficMirrorFilters[1].TrafficMirrorFilterId = \"tmf-1\": given twice (also TrafficMirrorFilters[0])"
    );
    assert_eq!(
        message(json!({ "TrafficMirrorSessions": [{ "SessionNumber": 1 }], "TrafficMirrorFilters": [{}] })),
        "TrafficMirrorFilters[0].TrafficMirrorFilterId: required key is missing"
    );
    assert_eq!(
        message(json!({ "TrafficMirrorSessions": [{ "SessionNumber": 1 }],
                        "TrafficMirrorTargets": [{ "TrafficMirrorTargetId": "t" }] })),
        "TrafficMirrorTargets[0].Type: required key is missing"
    );
    // Filters alone hold no session.
    assert!(matches!(
        MirrorConfig::from_json_str(&json!({ "TrafficMirrorFilters": [] }).to_string()),
        Err(ConfigError::NoSessions)
    ));
    // An embedded filter or rule with another id than its session's.
    assert_eq!(
        message(json!({ "SessionNumber": 1, "TrafficMirrorFilterId": "a",
                        "TrafficMirrorFilter": { "TrafficMirrorFilterId": "b" } })),
        "TrafficMirrorFilter.TrafficMirrorFilterId = \"b\": the session names a"
    );
    assert_eq!(
        message(json!({ "SessionNumber": 1, "TrafficMirrorFilter": { "TrafficMirrorFilterId": "a",
            "IngressFilterRules": [{ "TrafficMirrorFilterId": "b", "RuleNumber": 1, "RuleAction": "accept",
                "SourceCidrBlock": "0.0.0.0/0", "DestinationCidrBlock": "0.0.0.0/0" }] } })),
        "TrafficMirrorFilter.IngressFilterRules[0].TrafficMirrorFilterId = \"b\": the rule is in filter a"
    );
}

#[test]
fn target_resources_say_the_kind() {
    let target = |t: Value| session(json!({ "TrafficMirrorTarget": t }));
    for (key, kind) in [
        ("NetworkInterfaceId", TargetKind::NetworkInterface),
        ("NetworkLoadBalancerArn", TargetKind::NetworkLoadBalancer),
        ("GatewayLoadBalancerEndpointId", TargetKind::GatewayLoadBalancerEndpoint),
    ] {
        let c = MirrorConfig::from_json_str(&target(json!({ key: "x-1" })).to_string()).unwrap();
        assert_eq!(
            (c.sessions[0].target.kind, c.sessions[0].target.resource.as_deref()),
            (Some(kind), Some("x-1"))
        );
    }
    assert_eq!(
        message(target(json!({ "Type": "network-interface", "NetworkLoadBalancerArn": "arn:x" }))),
        "TrafficMirrorTarget.NetworkLoadBalancerArn = \"arn:x\": a network-interface target has no NetworkLoadBalancerArn"
    );
    assert_eq!(
        message(target(json!({ "NetworkInterfaceId": "eni-1", "GatewayLoadBalancerEndpointId": "vpce-1" }))),
        "TrafficMirrorTarget.GatewayLoadBalancerEndpointId = \"vpce-1\": a target is one resource, and NetworkInterfaceId is given too"
    );
    assert_eq!(
        message(target(json!({ "IpAddress": "10.0.3.5", "SubnetCidrBlock": "10.0.2.0/24" }))),
        "TrafficMirrorTarget.IpAddress = \"10.0.3.5\": is not within SubnetCidrBlock"
    );
    assert_eq!(
        message(target(json!({ "Tags": [{ "Key": "k", "Valu": "v" }] }))),
        "TrafficMirrorTarget.Tags[0].Valu: unknown key"
    );
    assert_eq!(
        message(target(json!({ "Tags": { "Key": "k" } }))),
        "TrafficMirrorTarget.Tags: expected a list, found an object {\"Key\":\"k\"}"
    );
}

/// Sessions of several source interfaces: one is chosen, or it is an error.
#[test]
fn one_source_interface_per_run() {
    let doc = json!({ "TrafficMirrorSessions": [
        { "SessionNumber": 1, "NetworkInterfaceId": "eni-a" },
        { "SessionNumber": 1, "NetworkInterfaceId": "eni-b" },
        { "SessionNumber": 2, "NetworkInterfaceId": "eni-b" }
    ] });
    assert_eq!(
        message(doc.clone()),
        "the sessions mirror 2 network interfaces (eni-a, eni-b); a run mirrors one: choose it (vxgen: --source-eni ID)"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let c = MirrorConfig::from_paths(&[&file], Some("eni-b")).unwrap();
    assert_eq!(c.sessions.iter().map(|s| s.session_number).collect::<Vec<_>>(), [1, 2]);
    assert_eq!((c.other_sessions, c.source_eni.as_deref()), (1, Some("eni-b")));
    let err = MirrorConfig::from_paths(&[&file], Some("eni-c")).unwrap_err();
    assert_eq!(err.to_string(), "no session mirrors eni-c (the sessions given mirror eni-a, eni-b)");
    // The Source object's NetworkInterfaceId chooses too.
    let mut chosen = doc.clone();
    chosen["Source"] = json!({ "NetworkInterfaceId": "eni-a" });
    let c = MirrorConfig::from_json_str(&chosen.to_string()).unwrap();
    assert_eq!((c.sessions.len(), c.other_sessions), (1, 2));
    // The quota counts the chosen interface's sessions.
    let four = json!({ "TrafficMirrorSessions": (1..=4).map(|n| json!({ "SessionNumber": n, "NetworkInterfaceId": if n == 4 { "eni-b" } else { "eni-a" } })).collect::<Vec<_>>() });
    std::fs::write(&file, four.to_string()).unwrap();
    assert_eq!(MirrorConfig::from_paths(&[&file], Some("eni-a")).unwrap().sessions.len(), 3);
}

/// Several files: joined, and errors name the file.
#[test]
fn several_files_are_joined_and_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, v: Value| {
        let p = dir.path().join(name);
        std::fs::write(&p, v.to_string()).unwrap();
        p
    };
    let s = write(
        "s.json",
        json!({ "TrafficMirrorSessions": [{ "SessionNumber": 1, "TrafficMirrorFilterId": "f" }] }),
    );
    let f = write(
        "f.json",
        json!({ "TrafficMirrorFilters": [{ "TrafficMirrorFilterId": "f", "NetworkServices": ["amazon-dns"] }] }),
    );
    let c = MirrorConfig::from_paths(&[&s, &f], None).unwrap();
    assert!(c.sessions[0].filter.amazon_dns());
    assert!(
        c.sessions[0].filter.rules(Direction::Egress).is_empty(),
        "an AWS filter without rules mirrors no rule's traffic"
    );
    let bad = write(
        "bad.json",
        json!({ "TrafficMirrorFilters": [{ "TrafficMirrorFilterId": "g", "NetworkServices": ["dns"] }] }),
    );
    let err = MirrorConfig::from_paths(&[&s, &f, &bad], None).unwrap_err().to_string();
    assert_eq!(
        err,
        format!("{}: TrafficMirrorFilters[0].NetworkServices[0] = \"dns\": the only network service is \"amazon-dns\"", bad.display())
    );
    let again = write("again.json", json!({ "TrafficMirrorFilters": [{ "TrafficMirrorFilterId": "f" }] }));
    let err = MirrorConfig::from_paths(&[&s, &f, &again], None).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "{}: TrafficMirrorFilters[0].TrafficMirrorFilterId = \"f\": given twice (also TrafficMirrorFilters[0] in {})",
            again.display(),
            f.display()
        )
    );
    let err = MirrorConfig::from_paths(&[&s], None).unwrap_err().to_string();
    assert!(err.starts_with("TrafficMirrorSessions[0].TrafficMirrorFilterId = \"f\": no filter"), "{err}");
}

#[test]
fn full_session() {
    let c = MirrorConfig::from_json_str(
        &json!({
            "Source": {
                "PrivateIpAddress": "10.0.1.25", "MacAddress": "02:00:00:00:00:01",
                "VpcCidrBlock": "10.0.0.0/16", "RouterMacAddress": "02-00-00-00-00-FE",
                "NetworkInterfaceId": "eni-1"
            },
            "TrafficMirrorSessions": [{
                "SessionNumber": 32766, "VirtualNetworkId": 16777215, "PacketLength": 8500,
                "TrafficMirrorFilter": {
                    "EgressFilterRules": [{
                        "TrafficDirection": "egress", "RuleNumber": 32766, "RuleAction": "reject",
                        "Protocol": 17, "SourceCidrBlock": "::/0", "DestinationCidrBlock": "2001:db8::/32",
                        "SourcePortRange": { "FromPort": 0, "ToPort": 65535 },
                        "DestinationPortRange": { "FromPort": 53, "ToPort": 53 },
                        "Description": "no DNS to 2001:db8::/32",
                        "TrafficMirrorFilterRuleId": "tmfr-1", "TrafficMirrorFilterId": "tmf-1", "Tags": [],
                        "TagSet": [{ "Key": "k", "Value": "v" }]
                    }],
                    "NetworkServices": ["amazon-dns", "amazon-dns"]
                },
                "TrafficMirrorTarget": {
                    "Type": "gateway-load-balancer-endpoint", "IpAddress": "10.0.9.9",
                    "MacAddress": "06:00:00:00:00:09", "Mtu": 68,
                    "GatewayLoadBalancerEndpointId": "vpce-1"
                },
                "Gbp": { "PolicyId": 65535, "DontLearn": true }
            }]
        })
        .to_string(),
    )
    .unwrap();
    let src = c.source.unwrap();
    assert_eq!(src.ip, Some(Ipv4Addr::new(10, 0, 1, 25)));
    assert_eq!(src.mac, Some(EthernetAddress([2, 0, 0, 0, 0, 1])));
    assert_eq!(src.vpc_cidr, Some("10.0.0.0/16".parse().unwrap()));
    assert_eq!(src.router_mac, Some(EthernetAddress([2, 0, 0, 0, 0, 0xfe])));
    let s = &c.sessions[0];
    assert_eq!(s.session_number, 32766);
    assert_eq!(s.virtual_network_id, Some(Vni::MAX));
    assert_eq!(s.packet_length, Some(8500));
    assert!(s.filter.amazon_dns());
    assert!(s.filter.rules(Direction::Ingress).is_empty());
    let rule = &s.filter.rules(Direction::Egress)[0];
    assert_eq!(rule.action, RuleAction::Reject);
    assert_eq!(rule.protocol, Some(IpProtocol::UDP));
    assert_eq!(rule.destination_port_range, Some(PortRange { from_port: 53, to_port: 53 }));
    assert_eq!(rule.description.as_deref(), Some("no DNS to 2001:db8::/32"));
    assert_eq!(
        s.target,
        TargetSpec {
            kind: Some(TargetKind::GatewayLoadBalancerEndpoint),
            resource: Some("vpce-1".into()),
            ip: Some(Ipv4Addr::new(10, 0, 9, 9)),
            mac: Some(EthernetAddress([6, 0, 0, 0, 0, 9])),
            mtu: Some(68),
            ..TargetSpec::default()
        }
    );
    assert_eq!(s.gbp, Some(Gbp { dont_learn: true, policy_applied: false, policy_id: 65535 }));
}

#[test]
fn protocol_absent_or_minus_one_is_all() {
    for protocol in [Value::Null, json!(-1)] {
        let c = MirrorConfig::from_json_str(&with_rule(json!({ "Protocol": protocol })).to_string()).unwrap();
        assert_eq!(c.sessions[0].filter.rules(Direction::Ingress)[0].protocol, None);
    }
    let c = MirrorConfig::from_json_str(&with_rule(json!({ "Protocol": 0 })).to_string()).unwrap();
    assert_eq!(c.sessions[0].filter.rules(Direction::Ingress)[0].protocol, Some(IpProtocol(0)));
}

#[test]
fn empty_filter_mirrors_only_what_network_services_select() {
    let c = MirrorConfig::from_json_str(
        &session(json!({ "TrafficMirrorFilter": { "NetworkServices": ["amazon-dns"] } })).to_string(),
    )
    .unwrap();
    let f = &c.sessions[0].filter;
    let vpc = "10.0.0.0/16".parse().unwrap();
    let web = PacketKey::tcp([10, 0, 1, 5].into(), [1, 1, 1, 1].into(), 40000, 443);
    let dns = PacketKey::udp([10, 0, 1, 5].into(), [10, 0, 0, 2].into(), 40000, 53);
    assert_eq!(f.evaluate(Direction::Egress, &web, &vpc), Verdict::NoMatchingRule);
    assert_eq!(f.evaluate(Direction::Egress, &dns, &vpc), Verdict::MirrorAmazonDns);
}

#[test]
fn structural_errors() {
    assert!(message(json!(null)).starts_with("(top level): expected an object, found null"));
    assert_eq!(
        MirrorConfig::from_json_str("{ \"SessionNumber\": 1,, }").unwrap_err().to_string(),
        "not valid JSON: key must be a string at line 1 column 22"
    );
    assert_eq!(message(json!([1])), "(top level): expected an object, found a list [1]");
    assert_eq!(message(session(json!({ "PacketLenght": 100 }))), "PacketLenght: unknown key");
    assert_eq!(message(json!({ "Source": {}, "SessionNumber": 1 })), "SessionNumber: unknown key");
    assert_eq!(message(json!({ "TrafficMirrorSessions": [], "Sorce": {} })), "Sorce: unknown key");
    assert_eq!(
        message(json!({ "TrafficMirrorSessions": [{ "SessionNumber": 1, "Foo": 1 }] })),
        "TrafficMirrorSessions[0].Foo: unknown key"
    );
    assert_eq!(
        message(json!({ "TrafficMirrorSessions": "x" })),
        "TrafficMirrorSessions: expected a list, found a string \"x\""
    );
    assert_eq!(
        message(json!({ "TrafficMirrorSessions": [] })),
        "TrafficMirrorSessions: the list is empty; give at least one session"
    );
    assert_eq!(
        message(json!({ "TrafficMirrorSessions": [1] })),
        "TrafficMirrorSessions[0]: expected an object, found a number 1"
    );
    let four: Vec<Value> = (1..=4).map(|n| json!({ "SessionNumber": n })).collect();
    assert_eq!(
        message(json!({ "TrafficMirrorSessions": four })),
        "TrafficMirrorSessions: 4 sessions, but a source network interface takes at most 3 (Traffic Mirroring quotas)"
    );
    let three: Vec<Value> = (1..=3).map(|n| json!({ "SessionNumber": n })).collect();
    assert!(MirrorConfig::from_json_str(&json!({ "TrafficMirrorSessions": three }).to_string()).is_ok());
}

#[test]
fn session_errors() {
    assert_eq!(message(json!({})), "SessionNumber: required key is missing");
    assert_eq!(message(json!({ "SessionNumber": 0 })), "SessionNumber = 0: must be 1-32766");
    assert_eq!(message(json!({ "SessionNumber": 32767 })), "SessionNumber = 32767: must be 1-32766");
    assert_eq!(
        message(json!({ "SessionNumber": "1" })),
        "SessionNumber: expected an integer, found a string \"1\""
    );
    assert_eq!(
        message(json!({ "SessionNumber": 1.5 })),
        "SessionNumber: expected an integer, found a number 1.5"
    );
    assert_eq!(
        message(json!({ "TrafficMirrorSessions": [{ "SessionNumber": 2 }, { "SessionNumber": 1 }, { "SessionNumber": 2 }] })),
        "TrafficMirrorSessions[2].SessionNumber = 2: already used by TrafficMirrorSessions[0]; session numbers must be unique"
    );
    assert_eq!(
        message(session(json!({ "VirtualNetworkId": 16777216 }))),
        "VirtualNetworkId = 16777216: must be 0-16777215"
    );
    assert_eq!(
        message(session(json!({ "VirtualNetworkId": -1 }))),
        "VirtualNetworkId = -1: must be 0-16777215"
    );
    assert_eq!(message(session(json!({ "PacketLength": 0 }))), "PacketLength = 0: must be 1-8500");
    assert_eq!(message(session(json!({ "PacketLength": 8501 }))), "PacketLength = 8501: must be 1-8500");
    assert_eq!(
        message(session(json!({ "Description": 5 }))),
        "Description: expected a string, found a number 5"
    );
    let ok = MirrorConfig::from_json_str(&session(json!({ "PacketLength": 1 })).to_string()).unwrap();
    assert_eq!(ok.sessions[0].packet_length, Some(1));
}

#[test]
fn filter_errors() {
    let filter = |f: Value| session(json!({ "TrafficMirrorFilter": f }));
    assert_eq!(message(filter(json!({ "Rules": [] }))), "TrafficMirrorFilter.Rules: unknown key");
    assert_eq!(
        message(filter(json!({ "IngressFilterRules": {} }))),
        "TrafficMirrorFilter.IngressFilterRules: expected a list, found an object {}"
    );
    assert_eq!(
        message(filter(json!({ "NetworkServices": ["amazon-dnz"] }))),
        "TrafficMirrorFilter.NetworkServices[0] = \"amazon-dnz\": the only network service is \"amazon-dns\""
    );
    assert_eq!(
        message(filter(json!({ "NetworkServices": [true] }))),
        "TrafficMirrorFilter.NetworkServices[0]: expected a string, found a boolean true"
    );
    let rule = |n: u16, direction: &str| {
        json!({ "RuleNumber": n, "RuleAction": "accept", "TrafficDirection": direction,
                "SourceCidrBlock": "0.0.0.0/0", "DestinationCidrBlock": "0.0.0.0/0" })
    };
    assert_eq!(
        message(filter(json!({ "EgressFilterRules": [rule(5, "egress"), rule(5, "egress")] }))),
        "TrafficMirrorFilter: egress RuleNumber 5 is used by more than one rule (must be unique per direction)"
    );
    let ingress: Vec<Value> = (1..=6).map(|n| rule(n, "ingress")).collect();
    let egress: Vec<Value> = (1..=5).map(|n| rule(n, "egress")).collect();
    assert_eq!(
        message(filter(json!({ "IngressFilterRules": ingress, "EgressFilterRules": egress }))),
        "TrafficMirrorFilter: 11 filter rules, but a filter holds at most 10 (Traffic Mirroring quotas)"
    );
    let egress: Vec<Value> = (1..=4).map(|n| rule(n, "egress")).collect();
    assert!(MirrorConfig::from_json_str(
        &filter(json!({ "IngressFilterRules": ingress, "EgressFilterRules": egress })).to_string()
    )
    .is_ok());
}

#[test]
fn rule_errors() {
    let cases = [
        (json!({ "RuleNumber": null }), format!("{RULE}.RuleNumber: required key is missing")),
        (json!({ "RuleNumber": 0 }), format!("{RULE}.RuleNumber = 0: must be 1-32766")),
        (json!({ "RuleNumber": 32767 }), format!("{RULE}.RuleNumber = 32767: must be 1-32766")),
        (json!({ "RuleAction": null }), format!("{RULE}.RuleAction: required key is missing")),
        (json!({ "RuleAction": "allow" }), format!("{RULE}.RuleAction = \"allow\": must be \"accept\" or \"reject\"")),
        (
            json!({ "TrafficDirection": "egress" }),
            format!(
                "{RULE}.TrafficDirection = \"egress\": a rule in IngressFilterRules must have TrafficDirection \"ingress\""
            ),
        ),
        (
            json!({ "Protocol": 256 }),
            format!("{RULE}.Protocol = 256: must be an IANA protocol number 0-255, or -1 for all"),
        ),
        (
            json!({ "Protocol": -2 }),
            format!("{RULE}.Protocol = -2: must be an IANA protocol number 0-255, or -1 for all"),
        ),
        (json!({ "Protocol": "tcp" }), format!("{RULE}.Protocol: expected an integer, found a string \"tcp\"")),
        (
            json!({ "SourceCidrBlock": "10.0.0/8" }),
            format!("{RULE}.SourceCidrBlock = \"10.0.0/8\": not a CIDR block (like 10.0.0.0/16 or ::/0)"),
        ),
        (
            json!({ "SourceCidrBlock": "10.0.0.1" }),
            format!("{RULE}.SourceCidrBlock = \"10.0.0.1\": not a CIDR block (like 10.0.0.0/16 or ::/0)"),
        ),
        (json!({ "DestinationCidrBlock": null }), format!("{RULE}.DestinationCidrBlock: required key is missing")),
        (
            json!({ "DestinationCidrBlock": "::/0" }),
            format!(
                "{RULE}: ingress rule 10: SourceCidrBlock 0.0.0.0/0 and DestinationCidrBlock ::/0 must both be IPv4 or both IPv6"
            ),
        ),
        (
            json!({ "Protocol": 6, "SourcePortRange": { "FromPort": 70000, "ToPort": 70000 } }),
            format!("{RULE}.SourcePortRange.FromPort = 70000: must be a port 0-65535"),
        ),
        (
            json!({ "Protocol": 6, "SourcePortRange": { "FromPort": 1 } }),
            format!("{RULE}.SourcePortRange.ToPort: required key is missing"),
        ),
        (
            json!({ "Protocol": 6, "SourcePortRange": { "FromPort": 1, "ToPort": 2, "Step": 1 } }),
            format!("{RULE}.SourcePortRange.Step: unknown key"),
        ),
        (
            json!({ "Protocol": 6, "DestinationPortRange": "80" }),
            format!("{RULE}.DestinationPortRange: expected an object, found a string \"80\""),
        ),
        (
            json!({ "DestinationPortRange": { "FromPort": 80, "ToPort": 80 } }),
            format!("{RULE}: ingress rule 10: DestinationPortRange needs Protocol 6 (TCP) or 17 (UDP), not -1 (all)"),
        ),
        (
            json!({ "Protocol": 1, "DestinationPortRange": { "FromPort": 80, "ToPort": 80 } }),
            format!("{RULE}: ingress rule 10: DestinationPortRange needs Protocol 6 (TCP) or 17 (UDP), not 1"),
        ),
        (
            json!({ "Protocol": 17, "DestinationPortRange": { "FromPort": 81, "ToPort": 80 } }),
            format!("{RULE}: ingress rule 10: DestinationPortRange 81-80 has FromPort greater than ToPort"),
        ),
        (json!({ "Cidr": "x" }), format!("{RULE}.Cidr: unknown key")),
        (json!({ "Description": [] }), format!("{RULE}.Description: expected a string, found a list []")),
    ];
    for (patch, expected) in cases {
        assert_eq!(message(with_rule(patch.clone())), expected, "patch {patch}");
    }
    // Both ends of a port range may be equal, and 0 and 65535 are ports.
    let ok = with_rule(json!({ "Protocol": 6, "SourcePortRange": { "FromPort": 0, "ToPort": 65535 } }));
    assert!(MirrorConfig::from_json_str(&ok.to_string()).is_ok());
}

#[test]
fn target_errors() {
    let target = |t: Value| session(json!({ "TrafficMirrorTarget": t }));
    let cases = [
        (
            json!({ "Type": "instance" }),
            "TrafficMirrorTarget.Type = \"instance\": must be \"network-interface\", \"network-load-balancer\" \
             or \"gateway-load-balancer-endpoint\"",
        ),
        (json!({ "IpAddress": "10.0.2" }), "TrafficMirrorTarget.IpAddress = \"10.0.2\": not an IPv4 address (like 10.0.1.5)"),
        (json!({ "IpAddress": "::1" }), "TrafficMirrorTarget.IpAddress = \"::1\": not an IPv4 address (like 10.0.1.5)"),
        (
            json!({ "MacAddress": "02:00:00" }),
            "TrafficMirrorTarget.MacAddress = \"02:00:00\": not a MAC address (like 02:1a:2b:3c:4d:5e)",
        ),
        (
            json!({ "MacAddress": "01:00:5e:00:00:01" }),
            "TrafficMirrorTarget.MacAddress = \"01:00:5e:00:00:01\": is a group (multicast) address, not an interface's",
        ),
        (json!({ "Mtu": 67 }), "TrafficMirrorTarget.Mtu = 67: must be 68-65535 (68 is the IPv4 minimum)"),
        (json!({ "Mtu": 65536 }), "TrafficMirrorTarget.Mtu = 65536: must be 68-65535 (68 is the IPv4 minimum)"),
        (json!({ "Port": 4789 }), "TrafficMirrorTarget.Port: unknown key"),
        (json!("eni-1"), "TrafficMirrorTarget: expected an object, found a string \"eni-1\""),
    ];
    for (t, expected) in cases {
        assert_eq!(message(target(t.clone())), expected, "target {t}");
    }
    for (name, kind) in [
        ("network-interface", TargetKind::NetworkInterface),
        ("network-load-balancer", TargetKind::NetworkLoadBalancer),
        ("gateway-load-balancer-endpoint", TargetKind::GatewayLoadBalancerEndpoint),
    ] {
        let c = MirrorConfig::from_json_str(&target(json!({ "Type": name })).to_string()).unwrap();
        assert_eq!(c.sessions[0].target.kind, Some(kind));
        assert_eq!(kind.api_name(), name);
    }
}

#[test]
fn gbp_errors() {
    let gbp = |g: Value| session(json!({ "Gbp": g }));
    assert_eq!(message(gbp(json!({ "PolicyId": 65536 }))), "Gbp.PolicyId = 65536: must be 0-65535");
    assert_eq!(
        message(gbp(json!({ "DontLearn": "yes" }))),
        "Gbp.DontLearn: expected true or false, found a string \"yes\""
    );
    assert_eq!(message(gbp(json!({ "Group": 1 }))), "Gbp.Group: unknown key");
    let c = MirrorConfig::from_json_str(&gbp(json!({})).to_string()).unwrap();
    assert_eq!(c.sessions[0].gbp, Some(Gbp::default()));
}

#[test]
fn source_errors() {
    let src = |s: Value| json!({ "Source": s, "TrafficMirrorSessions": [{ "SessionNumber": 1 }] });
    let cases = [
        (json!({ "VpcCidrBlock": "10.0.0.0/8" }), "Source.VpcCidrBlock = \"10.0.0.0/8\": a VPC CIDR block is between /16 and /28"),
        (json!({ "VpcCidrBlock": "10.0.0.0/29" }), "Source.VpcCidrBlock = \"10.0.0.0/29\": a VPC CIDR block is between /16 and /28"),
        (
            json!({ "VpcCidrBlock": "2001:db8::/56" }),
            "Source.VpcCidrBlock = \"2001:db8::/56\": not an IPv4 CIDR block (like 10.0.0.0/16)",
        ),
        (
            json!({ "PrivateIpAddress": "10.0.1.256" }),
            "Source.PrivateIpAddress = \"10.0.1.256\": not an IPv4 address (like 10.0.1.5)",
        ),
        (
            json!({ "MacAddress": "02:00:00:00:00:0g" }),
            "Source.MacAddress = \"02:00:00:00:00:0g\": not a MAC address (like 02:1a:2b:3c:4d:5e)",
        ),
        (
            json!({ "RouterMacAddress": "FF-FF-FF-FF-FF-FF" }),
            "Source.RouterMacAddress = \"FF-FF-FF-FF-FF-FF\": is a group (multicast) address, not an interface's",
        ),
        (json!({ "Vpc": "x" }), "Source.Vpc: unknown key"),
    ];
    for (s, expected) in cases {
        assert_eq!(message(src(s.clone())), expected, "source {s}");
    }
    let c = MirrorConfig::from_json_str(&src(json!({ "VpcCidrBlock": "10.0.0.0/28" })).to_string()).unwrap();
    assert_eq!(c.source.unwrap().vpc_cidr.map(|n| n.prefix_len()), Some(28));
}

#[test]
fn long_values_are_shortened() {
    let long = "x".repeat(200);
    let m = message(session(json!({ "TrafficMirrorTarget": { "Type": long } })));
    assert!(m.len() < 250 && m.contains("xxx...: must be"), "{m}");
    assert!(!m.contains('\n'));
}

#[test]
fn missing_file() {
    let err = MirrorConfig::from_path(Path::new("/nonexistent/session.json")).unwrap_err();
    assert!(matches!(err, ConfigError::Io { .. }));
    assert!(err.to_string().starts_with("cannot read /nonexistent/session.json: "), "{err}");
}

#[test]
fn example_file_loads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/session.json");
    let c = MirrorConfig::from_path(&path).unwrap();
    let src = c.source.as_ref().unwrap();
    let vpc = src.vpc_cidr.unwrap();
    assert_eq!(c.sessions.len(), 2);
    let (web, rest) = (&c.sessions[0], &c.sessions[1]);
    assert_eq!(web.session_number, 1);
    assert_eq!(web.virtual_network_id.map(Vni::value), Some(9_999_999));
    assert!(web.filter.amazon_dns());
    assert_eq!(web.target.kind, Some(TargetKind::NetworkInterface));
    assert_eq!(web.target.mtu, Some(9001));
    assert_eq!(rest.virtual_network_id, None);
    assert_eq!(rest.packet_length, Some(128));
    assert!(!rest.filter.amazon_dns());
    assert_eq!(rest.target.kind, Some(TargetKind::NetworkLoadBalancer));
    // Its reject rule has a lower number than the accept that would also match.
    let instance = IpAddr::V4(src.ip.unwrap());
    let ssh = PacketKey::tcp([198, 51, 100, 7].into(), instance, 50000, 22);
    let http = PacketKey::tcp([198, 51, 100, 7].into(), instance, 50000, 80);
    assert_eq!(web.filter.evaluate(Direction::Ingress, &ssh, &vpc), Verdict::Rejected { rule_number: 10 });
    assert_eq!(web.filter.evaluate(Direction::Ingress, &http, &vpc), Verdict::Mirror { rule_number: 20 });
    let dns = PacketKey::udp(instance, [10, 0, 0, 2].into(), 40000, 53);
    assert_eq!(web.filter.evaluate(Direction::Egress, &dns, &vpc), Verdict::MirrorAmazonDns);
    assert_eq!(rest.filter.evaluate(Direction::Egress, &dns, &vpc), Verdict::AmazonDnsNotSelected);
}

#[test]
fn every_aws_key_we_drop_is_accepted_at_its_level() {
    let c = MirrorConfig::from_json_str(
        &json!({
            "NextToken": "t",
            "Source": {
                "NetworkInterfaceId": "eni-1", "VpcId": "vpc-1", "SubnetId": "subnet-1", "OwnerId": "1",
                "Description": 5, "Tags": [], "TagSet": []
            },
            "TrafficMirrorSessions": [{
                "SessionNumber": 1,
                "TrafficMirrorSessionId": "tms-1", "TrafficMirrorTargetId": "tmt-1",
                "TrafficMirrorFilterId": "tmf-1", "NetworkInterfaceId": "eni-1", "OwnerId": "1", "Tags": [],
                "TrafficMirrorFilter": {
                    "TrafficMirrorFilterId": "tmf-1", "Description": "d", "Tags": [],
                    "IngressFilterRules": [{
                        "RuleNumber": 1, "RuleAction": "accept",
                        "SourceCidrBlock": "0.0.0.0/0", "DestinationCidrBlock": "0.0.0.0/0",
                        "TrafficMirrorFilterRuleId": "tmfr-1", "TrafficMirrorFilterId": "tmf-1", "Tags": [],
                        "TagSet": [{ "Key": "k", "Value": "v" }]
                    }]
                },
                "TrafficMirrorTarget": {
                    "TrafficMirrorTargetId": "tmt-1", "NetworkInterfaceId": "eni-2", "Type": "network-interface",
                    "Description": "d", "OwnerId": "1", "Tags": [{ "Key": "Name", "Value": "ids" }]
                }
            }]
        })
        .to_string(),
    )
    .unwrap();
    assert_eq!(c.sessions[0].filter.rules(Direction::Ingress).len(), 1);
    // Our own keys are not dropped where they do not belong.
    assert_eq!(
        message(json!({ "TrafficMirrorSessions": [{ "SessionNumber": 1 }], "PacketLength": 1 })),
        "PacketLength: unknown key"
    );
    assert_eq!(message(session(json!({ "Gbp": { "Tags": [] } }))), "Gbp.Tags: unknown key");
}

#[test]
fn objects_and_lists_are_only_objects_and_lists() {
    // A list where an object belongs is refused, not read field by field.
    assert_eq!(
        message(json!({ "TrafficMirrorSessions": [[1]] })),
        "TrafficMirrorSessions[0]: expected an object, found a list [1]"
    );
    assert_eq!(
        message(session(json!({ "TrafficMirrorFilter": { "EgressFilterRules": [[10, "accept"]] } }))),
        "TrafficMirrorFilter.EgressFilterRules[0]: expected an object, found a list [10,\"accept\"]"
    );
    assert_eq!(
        message(session(json!({ "Gbp": [1, true] }))),
        "Gbp: expected an object, found a list [1,true]"
    );
    assert_eq!(
        message(session(json!({ "TrafficMirrorFilter": { "NetworkServices": "amazon-dns" } }))),
        "TrafficMirrorFilter.NetworkServices: expected a list, found a string \"amazon-dns\""
    );
    assert_eq!(
        message(json!({ "SessionNumber": 18446744073709551615u64 })),
        "SessionNumber: expected an integer, found a number 18446744073709551615"
    );
    assert_eq!(
        message(session(json!({ "Gbp": { "PolicyApplied": null, "DontLearn": 1 } }))),
        "Gbp.DontLearn: expected true or false, found a number 1"
    );
}
