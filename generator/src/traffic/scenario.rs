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

/// What the schedule decides of a flow before the flow itself is planned:
/// its kind, what it shares with the flows around it (a seed preset's group
/// of connections to one host), and when the next flow starts.
///
/// A scenario is played on two kinds of random stream (see
/// [`Scenario::next_order`]): one *schedule* stream, drawn flow after flow
/// for orders only, and one stream *per flow*, from which [`FlowOrder::plan`]
/// draws everything else (addresses, sizes, payloads). So flow *i* is a
/// function of its order, its own stream and its start, and flows can be
/// planned on several threads, in any order, with the same bytes
/// (`generate --jobs`).
///
/// ```
/// use generator::traffic::scenario::Scenario;
/// use generator::traffic::{Host, TrafficSource};
/// use generator::wire::EthernetAddress;
/// use rand::SeedableRng;
///
/// let host = Host {
///     mac: EthernetAddress([0x02, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e]),
///     ipv4: "10.0.1.23".parse().unwrap(),
///     ipv6: "2001:db8::17".parse().unwrap(),
///     router_mac: EthernetAddress([0x02, 0x99, 0x88, 0x77, 0x66, 0x55]),
///     vpc_cidr: "10.0.0.0/16".parse().unwrap(),
/// };
/// let mut schedule = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let mut scenario = Scenario::by_name("dns").unwrap();
/// let order = scenario.next_order(&mut schedule);
/// let plan = |start| order.plan(&host, &mut rand_chacha::ChaCha8Rng::seed_from_u64(9), start);
/// // The same stream planned later is the same flow, later.
/// let (mut early, mut late) = (plan(1_000_000_000), plan(1_500_000_000));
/// assert_eq!(order.kind_name(), "dns");
/// assert_eq!(late.peek_time().unwrap() - early.peek_time().unwrap(), 500_000_000);
/// assert!(order.shifts());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FlowOrder {
    kind: Kind,
    loss: Option<f64>,
    /// A seed preset's group: the remote host, its SNI and the path's RTT.
    group: Option<Group>,
    gap: Gap,
}

/// When the flow after a [`FlowOrder`]'s starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    /// This long after this flow's start.
    FromStart(u64),
    /// This long after this flow's last frame (`http`: one conversation after another).
    FromEnd(u64),
}

impl Gap {
    /// When the next flow starts, given this flow's start and the time of
    /// its last frame (0 for a flow without frames): always later than
    /// this flow's start.
    pub fn next_start(self, start_ns: u64, end_ns: u64) -> u64 {
        let gap = match self {
            Gap::FromStart(gap) => gap,
            Gap::FromEnd(pause) => end_ns.saturating_sub(start_ns) + pause,
        };
        start_ns + gap.max(1)
    }
}

/// A flow and what kind it is.
#[derive(Debug, Clone)]
pub struct PlannedFlow {
    /// The flow.
    pub flow: Flow,
    /// What kind of flow it is, for comments ("https-outbound", "dns", ...).
    pub kind: &'static str,
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

    /// The next flow's order, drawn from the `schedule` stream: the kind
    /// (`mixed` deals its first five one of each, then draws by weight),
    /// a seed preset's group, and the gap to the next flow. Nothing of the
    /// flow itself is drawn here, so a schedule stream is cheap to replay.
    pub fn next_order<R: Rng + ?Sized>(&mut self, schedule: &mut R) -> FlowOrder {
        let kind = match self.kind {
            Kind::Mixed if self.drawn < self.deck.len() => {
                if self.drawn == 0 {
                    // Fisher-Yates, from the run's own randomness.
                    for i in (1..self.deck.len()).rev() {
                        self.deck.swap(i, schedule.random_range(0..=i));
                    }
                }
                self.drawn += 1;
                self.deck[self.drawn - 1]
            }
            Kind::Mixed => match schedule.random_range(0..100) {
                0..40 => Kind::HttpsOutbound,
                40..60 => Kind::HttpInbound,
                60..85 => Kind::Dns,
                85..95 => Kind::Http,
                _ => Kind::Ping,
            },
            k => k,
        };
        // Flows of the plain scenarios start at random, overlapping intervals;
        // `http` keeps the first issue's one-after-another rhythm.
        let mut overlap_gap = |mean_ms: u64| Gap::FromStart(schedule.random_range(MS / 2..2 * mean_ms * MS));
        let (group, gap) = match kind {
            Kind::Http => (None, Gap::FromEnd(schedule.random_range(200_000..20 * MS))),
            Kind::HttpsOutbound | Kind::HttpInbound => (None, overlap_gap(60)),
            Kind::Dns => (None, overlap_gap(40)),
            Kind::Ping => (None, overlap_gap(400)),
            Kind::SeedHttpsOutbound | Kind::SeedHttpInbound => {
                let (group, gap) = self.seed_group(schedule);
                (Some(group), gap)
            }
            Kind::Mixed => unreachable!("mixed picks a concrete kind above"),
        };
        FlowOrder { kind, loss: self.loss, group, gap }
    }

    /// The seed article's pattern: several connections between the same two
    /// hosts opened a few milliseconds apart, so that the three handshake
    /// segments of one land among the data segments of another.
    fn seed_group<R: Rng + ?Sized>(&mut self, schedule: &mut R) -> (Group, Gap) {
        let group = match self.group {
            Some(g) if g.left > 0 => g,
            _ => {
                // One address is one site: a later group that draws the same
                // address asks for the same name.
                let remote = web::remote_ipv4(schedule);
                Group {
                    remote: IpAddr::V4(remote),
                    sni: HTTPS_SITES[remote.octets()[3] as usize % HTTPS_SITES.len()],
                    rtt_ns: schedule.random_range(8 * MS..60 * MS),
                    left: schedule.random_range(2..=4),
                }
            }
        };
        let left = group.left - 1;
        self.group = Some(Group { left, ..group });
        // Within a group the next connection opens one to one and a half round
        // trips after this one, while this one is exchanging data: its SYN,
        // SYN-ACK and ACK all land among this one's segments. After the group,
        // a pause.
        let gap = if left > 0 {
            group.rtt_ns + schedule.random_range(0..group.rtt_ns / 2)
        } else {
            schedule.random_range(300 * MS..1500 * MS)
        };
        (group, Gap::FromStart(gap))
    }
}

impl FlowOrder {
    /// The kind of flow, as comments name it ("https-outbound", "dns", ...).
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            Kind::Http => "http",
            Kind::HttpsOutbound => "https-outbound",
            Kind::HttpInbound => "http-inbound",
            Kind::Dns => "dns",
            Kind::Ping => "ping",
            Kind::SeedHttpsOutbound => "seed-https-outbound",
            Kind::SeedHttpInbound => "seed-http-inbound",
            Kind::Mixed => unreachable!("an order has a concrete kind"),
        }
    }

    /// When the next flow starts, given this flow's start and the time of
    /// its last frame ([`Flow::end_ns`]).
    pub fn next_start(&self, start_ns: u64, end_ns: u64) -> u64 {
        self.gap.next_start(start_ns, end_ns)
    }

    /// When the flow after this one starts, as a rule of this flow's
    /// start and end ([`FlowOrder::next_start`]).
    pub fn gap(&self) -> Gap {
        self.gap
    }

    /// Whether the flow planned at one start, moved later with
    /// [`Flow::shift`], is the flow planned at the later start (both at
    /// least [`SHIFT_FLOOR_NS`]): true of TCP and DNS, whose bytes never
    /// hold the time; not of ping, whose echo data holds the time it was
    /// sent (`icmp::echo_data`).
    pub fn shifts(&self) -> bool {
        self.kind != Kind::Ping
    }

    /// Plans the flow starting at `start_ns`, every choice drawn from `rng`
    /// (the flow's own stream).
    pub fn plan<R: Rng + ?Sized>(&self, host: &Host, rng: &mut R, start_ns: u64) -> Flow {
        let opts = WebOptions {
            remote: self.group.map(|g| g.remote),
            loss: self.loss.map(|probability| Loss { probability, seed: rng.random() }),
            rtt_ns: self.group.map(|g| g.rtt_ns),
        };
        match self.kind {
            Kind::Http => Flow::Tcp(web::http_basic(host, rng, start_ns).0),
            Kind::HttpsOutbound => {
                let sni = HTTPS_SITES[rng.random_range(0..HTTPS_SITES.len())];
                let version = if rng.random_bool(0.8) { TlsVersion::Tls13 } else { TlsVersion::Tls12 };
                Flow::Tcp(web::https_outbound(host, rng, start_ns, sni, version, &opts).0)
            }
            Kind::HttpInbound => Flow::Tcp(web::http_inbound(host, rng, start_ns, &opts).0),
            Kind::Dns => Flow::Packets(dns::dns_flow(host, rng, start_ns)),
            Kind::Ping => {
                let v6 = rng.random_bool(0.3);
                Flow::Packets(icmp::ping_flow(host, rng, start_ns, v6))
            }
            Kind::SeedHttpsOutbound => {
                let sni = self.group.map_or(HTTPS_SITES[0], |g| g.sni);
                Flow::Tcp(web::https_outbound(host, rng, start_ns, sni, TlsVersion::Tls13, &opts).0)
            }
            Kind::SeedHttpInbound => Flow::Tcp(web::http_inbound(host, rng, start_ns, &opts).0),
            Kind::Mixed => unreachable!("an order has a concrete kind"),
        }
    }
}

/// Flow `index`'s own random stream under `seed`: stream 2^32 + `index` of
/// the ChaCha8 generator the seed keys (streams below 2^32 are the
/// schedule's, 0, and the mirror path's for sources without flows of
/// their own, `generate::reorder`'s 2; from 2^63, each flow's mirror path,
/// [`mirror_stream`]).
///
/// ```
/// use rand::Rng;
/// use generator::traffic::scenario::flow_stream;
/// let a: u64 = flow_stream(7, 0).random();
/// assert_eq!(a, flow_stream(7, 0).random::<u64>());
/// assert_ne!(a, flow_stream(7, 1).random::<u64>());
/// ```
pub fn flow_stream(seed: u64, index: u64) -> rand_chacha::ChaCha8Rng {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream((1 << 32) + index);
    rng
}

/// The mirror path's random stream for flow `index` under `seed` (the
/// `--reorder` delays of its copies): stream 2^63 + `index`, apart from the
/// flow's own ([`flow_stream`]), so that asking for reordering leaves the
/// traffic unchanged, and keyed by the flow, so that a flow's delays do not
/// depend on how its frames interleave with other flows'.
///
/// ```
/// use rand::Rng;
/// use generator::traffic::scenario::{flow_stream, mirror_stream};
/// assert_ne!(mirror_stream(7, 0).random::<u64>(), flow_stream(7, 0).random::<u64>());
/// ```
pub fn mirror_stream(seed: u64, index: u64) -> rand_chacha::ChaCha8Rng {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream((1 << 63) + index);
    rng
}

/// The earliest start at which flows move in time unchanged
/// ([`FlowOrder::shifts`]): a flow whose instance is the server has frames
/// from one one-way delay (under 50 ms) before its start.
pub const SHIFT_FLOOR_NS: u64 = 1_000_000_000;

#[cfg(test)]
mod tests {
    use super::*;

    use crate::traffic::collect_frames;
    use rand::SeedableRng;

    use crate::traffic::test_host as host;

    #[test]
    fn a_flow_planned_later_is_the_flow_shifted_unless_it_holds_the_time() {
        let host = host();
        for info in SCENARIOS {
            let mut scenario = Scenario::by_name(info.name).unwrap().with_loss(0.05);
            let mut schedule = rand_chacha::ChaCha8Rng::seed_from_u64(3);
            for index in 0..30 {
                let order = scenario.next_order(&mut schedule);
                let plan = |start| order.plan(&host, &mut flow_stream(11, index), start);
                let delta = 7_654_321_987 + index * 1_000_003;
                let mut shifted = plan(SHIFT_FLOOR_NS);
                shifted.shift(delta);
                let later = collect_frames(&mut plan(SHIFT_FLOOR_NS + delta));
                let shifted = collect_frames(&mut shifted);
                assert_eq!(shifted.len(), later.len(), "{} flow {index}", info.name);
                let same_bytes = shifted.iter().zip(&later).all(|(a, b)| a.1 == b.1);
                assert!(
                    shifted.iter().zip(&later).all(|(a, b)| a.0 == b.0),
                    "{} flow {index}: times",
                    info.name
                );
                assert_eq!(same_bytes, order.shifts(), "{} flow {index} ({})", info.name, order.kind_name());
            }
        }
    }

    #[test]
    fn orders_draw_only_from_the_schedule() {
        // Replaying the schedule gives the same orders whatever was planned in between.
        let host = host();
        let orders = |plan: bool| {
            let mut scenario = Scenario::default();
            let mut schedule = rand_chacha::ChaCha8Rng::seed_from_u64(5);
            (0..50)
                .map(|i| {
                    let order = scenario.next_order(&mut schedule);
                    if plan {
                        order.plan(&host, &mut flow_stream(5, i), SHIFT_FLOOR_NS);
                    }
                    order
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(orders(false), orders(true));
        let kinds: std::collections::BTreeSet<_> = orders(false).iter().map(|o| o.kind_name()).collect();
        assert_eq!(kinds.len(), 5, "{kinds:?}");
    }

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
