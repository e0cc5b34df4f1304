//! Scenarios: which flows a capture holds, how they mix and how they overlap
//! in time; and the two presets that reproduce the seed article's captures.
//!
//! ```
//! use generator::traffic::scenario::{Scenario, SCENARIOS};
//! assert!(SCENARIOS.iter().any(|s| s.name == "mixed"));
//! assert_eq!(Scenario::by_name("seed-https-outbound").unwrap().info().vni, Some(9_999_999));
//! ```

use super::app::tls::TlsVersion;
use super::tcp::Loss;
use super::web::{self, WebOptions, HTTPS_SITES};
use super::{dns, icmp, Flow, Host};
use rand::Rng;
use std::net::IpAddr;

/// A scenario as `vxgen scenarios` lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScenarioInfo {
    /// The name `--scenario` takes.
    pub name: &'static str,
    /// One line on what it generates.
    pub summary: &'static str,
    /// The VNI a preset uses unless `--vni` says otherwise.
    pub vni: Option<u32>,
}

/// Every scenario, in the order `vxgen scenarios` lists them.
pub const SCENARIOS: &[ScenarioInfo] = &[
    ScenarioInfo {
        name: "mixed",
        summary: "a realistic blend: HTTPS out 40%, HTTP to nginx 20%, DNS 25%, HTTP out 10%, ping 5% (the first five flows one of each, so any run of 5 or more holds them all); flows overlap",
        vni: None,
    },
    ScenarioInfo {
        name: "http",
        summary: "one HTTP/1.1 GET per TCP conversation, the instance as client or server (the first issue's default)",
        vni: None,
    },
    ScenarioInfo {
        name: "https-outbound",
        summary: "the instance makes HTTPS requests: TLS 1.3 (80%) or 1.2 handshakes with SNI and ALPN, encrypted data",
        vni: None,
    },
    ScenarioInfo {
        name: "http-inbound",
        summary: "clients on the internet ask nginx on the instance: GET, POST, 404, keep-alive",
        vni: None,
    },
    ScenarioInfo {
        name: "dns",
        summary: "A/AAAA lookups and NXDOMAIN to the Amazon DNS server (VPC base + 2, 169.254.169.253)",
        vni: None,
    },
    ScenarioInfo { name: "ping", summary: "ICMP and ICMPv6 echo requests and replies", vni: None },
    ScenarioInfo {
        name: "seed-https-outbound",
        summary: "preset: the seed article's capture of an instance making HTTPS requests; VNI 9999999; parallel \
                  connections to one site, handshakes interleaved with other segments of the same host pair",
        vni: Some(9_999_999),
    },
    ScenarioInfo {
        name: "seed-http-inbound",
        summary: "preset: the seed article's capture of nginx on the instance answering requests from outside; \
                  VNI 9999999; the handshakes interleaved as observed",
        vni: Some(9_999_999),
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Mixed,
    Http,
    HttpsOutbound,
    HttpInbound,
    Dns,
    Ping,
    SeedHttpsOutbound,
    SeedHttpInbound,
}

/// A group of parallel connections to one remote host (browsers open several).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Group {
    remote: IpAddr,
    sni: &'static str,
    rtt_ns: u64,
    left: u32,
}

/// A scenario being played: hands out flows one after another.
///
/// Parse one from its name (`"mixed".parse::<Scenario>()`, or
/// [`Scenario::by_name`]); the default is `mixed`.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    kind: Kind,
    info: &'static ScenarioInfo,
    loss: Option<f64>,
    group: Option<Group>,
    /// `mixed`: how many flows it has drawn, and the order its first five
    /// take (one of each kind, shuffled), so that even a short run holds
    /// every kind the blend promises.
    drawn: usize,
    deck: [Kind; 5],
}

/// The kinds of `mixed`, one of each: its first five flows.
const MIXED_KINDS: [Kind; 5] = [Kind::HttpsOutbound, Kind::HttpInbound, Kind::Dns, Kind::Http, Kind::Ping];

impl Default for Scenario {
    /// `mixed`, vxgen's default.
    fn default() -> Scenario {
        Scenario::by_name("mixed").expect("mixed is listed")
    }
}

/// A name that is not one of [`SCENARIOS`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scenario `{0}` (vxgen scenarios lists them)")]
pub struct UnknownScenario(pub String);

impl core::str::FromStr for Scenario {
    type Err = UnknownScenario;

    fn from_str(name: &str) -> Result<Scenario, UnknownScenario> {
        Scenario::by_name(name).ok_or_else(|| UnknownScenario(name.to_string()))
    }
}

/// A flow and when the next one starts.
#[derive(Debug, Clone)]
pub struct NextFlow {
    /// The flow.
    pub flow: Flow,
    /// What kind of flow it is, for comments ("https-outbound", "dns", ...).
    pub kind: &'static str,
    /// Time from this flow's start to the next flow's start.
    pub gap_ns: u64,
}

const MS: u64 = 1_000_000;

impl Scenario {
    /// The scenario named `name` (see [`SCENARIOS`]).
    pub fn by_name(name: &str) -> Option<Scenario> {
        let kind = match name {
            "mixed" => Kind::Mixed,
            "http" => Kind::Http,
            "https-outbound" => Kind::HttpsOutbound,
            "http-inbound" => Kind::HttpInbound,
            "dns" => Kind::Dns,
            "ping" => Kind::Ping,
            "seed-https-outbound" => Kind::SeedHttpsOutbound,
            "seed-http-inbound" => Kind::SeedHttpInbound,
            _ => return None,
        };
        let info = SCENARIOS.iter().find(|s| s.name == name)?;
        Some(Scenario { kind, info, loss: None, group: None, drawn: 0, deck: MIXED_KINDS })
    }

    /// Its entry in [`SCENARIOS`].
    pub fn info(&self) -> &'static ScenarioInfo {
        self.info
    }

    /// Loses this fraction of TCP data segments (retransmissions follow).
    pub fn with_loss(mut self, probability: f64) -> Scenario {
        self.loss = (probability > 0.0).then_some(probability);
        self
    }

    /// The next flow, starting at `start_ns`.
    pub fn next_flow<R: Rng + ?Sized>(&mut self, host: &Host, rng: &mut R, start_ns: u64) -> NextFlow {
        let kind = match self.kind {
            Kind::Mixed if self.drawn < self.deck.len() => {
                if self.drawn == 0 {
                    // Fisher-Yates, from the run's own randomness.
                    for i in (1..self.deck.len()).rev() {
                        self.deck.swap(i, rng.random_range(0..=i));
                    }
                }
                self.drawn += 1;
                self.deck[self.drawn - 1]
            }
            Kind::Mixed => match rng.random_range(0..100) {
                0..40 => Kind::HttpsOutbound,
                40..60 => Kind::HttpInbound,
                60..85 => Kind::Dns,
                85..95 => Kind::Http,
                _ => Kind::Ping,
            },
            k => k,
        };
        let opts = WebOptions {
            remote: None,
            loss: self.loss.map(|probability| Loss { probability, seed: rng.random() }),
            rtt_ns: None,
        };
        // Flows of the plain scenarios start at random, overlapping intervals;
        // `http` keeps the first issue's one-after-another rhythm.
        let overlap_gap = |rng: &mut R, mean_ms: u64| rng.random_range(MS / 2..2 * mean_ms * MS);
        match kind {
            Kind::Http => {
                let (conv, _) = web::http_basic(host, rng, start_ns);
                let gap = conv.end_ns().saturating_sub(start_ns) + rng.random_range(200_000..20 * MS);
                NextFlow { flow: Flow::Tcp(conv), kind: "http", gap_ns: gap }
            }
            Kind::HttpsOutbound => {
                let sni = HTTPS_SITES[rng.random_range(0..HTTPS_SITES.len())];
                let version = if rng.random_bool(0.8) { TlsVersion::Tls13 } else { TlsVersion::Tls12 };
                let (conv, _) = web::https_outbound(host, rng, start_ns, sni, version, &opts);
                NextFlow { flow: Flow::Tcp(conv), kind: "https-outbound", gap_ns: overlap_gap(rng, 60) }
            }
            Kind::HttpInbound => {
                let (conv, _) = web::http_inbound(host, rng, start_ns, &opts);
                NextFlow { flow: Flow::Tcp(conv), kind: "http-inbound", gap_ns: overlap_gap(rng, 60) }
            }
            Kind::Dns => {
                let list = dns::dns_flow(host, rng, start_ns);
                NextFlow { flow: Flow::Packets(list), kind: "dns", gap_ns: overlap_gap(rng, 40) }
            }
            Kind::Ping => {
                let v6 = rng.random_bool(0.3);
                let list = icmp::ping_flow(host, rng, start_ns, v6);
                NextFlow { flow: Flow::Packets(list), kind: "ping", gap_ns: overlap_gap(rng, 400) }
            }
            Kind::SeedHttpsOutbound | Kind::SeedHttpInbound => {
                self.seed_flow(kind, host, rng, start_ns, opts)
            }
            Kind::Mixed => unreachable!("mixed picks a concrete kind above"),
        }
    }

    /// The seed article's pattern: several connections between the same two
    /// hosts opened a few milliseconds apart, so that the three handshake
    /// segments of one land among the data segments of another.
    fn seed_flow<R: Rng + ?Sized>(
        &mut self,
        kind: Kind,
        host: &Host,
        rng: &mut R,
        start_ns: u64,
        mut opts: WebOptions,
    ) -> NextFlow {
        let group = match self.group {
            Some(g) if g.left > 0 => g,
            _ => Group {
                remote: IpAddr::V4(web::remote_ipv4(rng)),
                sni: HTTPS_SITES[rng.random_range(0..HTTPS_SITES.len())],
                rtt_ns: rng.random_range(8 * MS..60 * MS),
                left: rng.random_range(2..=4),
            },
        };
        let left = group.left - 1;
        self.group = Some(Group { left, ..group });
        opts.remote = Some(group.remote);
        opts.rtt_ns = Some(group.rtt_ns);
        // Within a group the next connection opens one to one and a half round
        // trips after this one, while this one is exchanging data: its SYN,
        // SYN-ACK and ACK all land among this one's segments. After the group,
        // a pause.
        let gap = if left > 0 {
            group.rtt_ns + rng.random_range(0..group.rtt_ns / 2)
        } else {
            rng.random_range(300 * MS..1500 * MS)
        };
        let (conv, name) = if kind == Kind::SeedHttpsOutbound {
            (
                web::https_outbound(host, rng, start_ns, group.sni, TlsVersion::Tls13, &opts).0,
                "seed-https-outbound",
            )
        } else {
            (web::http_inbound(host, rng, start_ns, &opts).0, "seed-http-inbound")
        };
        NextFlow { flow: Flow::Tcp(conv), kind: name, gap_ns: gap }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_scenario_resolves() {
        for s in SCENARIOS {
            assert_eq!(Scenario::by_name(s.name).map(|x| x.info().name), Some(s.name));
        }
        assert!(Scenario::by_name("nope").is_none());
        assert_eq!(
            "nope".parse::<Scenario>().unwrap_err().to_string(),
            "unknown scenario `nope` (vxgen scenarios lists them)"
        );
        assert_eq!(Scenario::default().info().name, "mixed");
    }
}
