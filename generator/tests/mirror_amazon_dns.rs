//! End to end: the session filter's `amazon-dns` network service decides
//! whether DNS to the Amazon DNS server is mirrored, whatever the rules say
//! (AWS ModifyTrafficMirrorFilterNetworkServices); other traffic follows the
//! rules.

use generator::capture::{CaptureWriter, Format};
use generator::flow::Direction;
use generator::generate::{run, Options};
use generator::mirror::filter::{Filter, FilterRule, RuleAction};
use generator::mirror::session::Mirror;

/// Accept-everything rules, with or without the amazon-dns service.
fn filter(amazon_dns: bool) -> Filter {
    let all4 = "0.0.0.0/0".parse().unwrap();
    let all6 = "::/0".parse().unwrap();
    let mut rules = Vec::new();
    for direction in [Direction::Ingress, Direction::Egress] {
        rules.push(FilterRule::new(100, direction, RuleAction::Accept, all4, all4));
        rules.push(FilterRule::new(200, direction, RuleAction::Accept, all6, all6));
    }
    Filter::new(rules, amazon_dns).unwrap()
}

fn stats(scenario: &str, amazon_dns: bool) -> generator::generate::Stats {
    let mut mirror = Mirror::example(77);
    mirror.sessions[0].filter = filter(amazon_dns);
    let opts =
        Options { conversations: 30, scenario: scenario.parse().unwrap(), seed: 4, ..Options::default() };
    let mut writer = CaptureWriter::new(Vec::new(), Format::Pcap, 65535).unwrap();
    run(&mirror, &opts, &mut writer, |_| {}).unwrap()
}

#[test]
fn dns_to_the_amazon_resolver_is_mirrored_only_with_amazon_dns() {
    let off = stats("dns", false);
    assert!(off.inner_packets > 0);
    assert_eq!(off.copies, 0, "amazon-dns off: no DNS copy, although the rules accept everything");
    assert_eq!(off.not_mirrored, off.inner_packets);
    let on = stats("dns", true);
    assert_eq!(on.inner_packets, off.inner_packets, "the same traffic either way");
    assert_eq!(on.copies, on.inner_packets, "amazon-dns on: every DNS packet is mirrored");
}

#[test]
fn amazon_dns_does_not_touch_other_traffic() {
    let off = stats("https-outbound", false);
    assert_eq!(off.not_mirrored, 0);
    assert_eq!(off, stats("https-outbound", true));
}
