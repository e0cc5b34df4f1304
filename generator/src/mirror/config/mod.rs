//! Loading mirror sessions from JSON whose keys follow the EC2 API: the
//! output of `aws ec2 describe-traffic-mirror-sessions`,
//! `describe-traffic-mirror-filters` and `describe-traffic-mirror-targets`
//! as the AWS CLI prints it, or our own file with everything embedded.
//!
//! # Shape
//!
//! A document is one session object, or an object with any of
//! `TrafficMirrorSessions`, `TrafficMirrorFilters`, `TrafficMirrorTargets`
//! (the lists the three describe-* commands print; the EC2 API reference's
//! TrafficMirrorSession, TrafficMirrorFilter, TrafficMirrorTarget), our own
//! `Source`, and `NextToken`. Several documents
//! ([`MirrorConfig::from_paths`]) are read as one: sessions are joined to
//! their filter and target by `TrafficMirrorFilterId` and
//! `TrafficMirrorTargetId`, and an id that names nothing given is an error.
//! A session object has the keys of the EC2 API's TrafficMirrorSession, of
//! which these are used:
//!
//! | Key | Meaning |
//! | --- | --- |
//! | `SessionNumber` | required, 1-32766, unique; lower is evaluated first |
//! | `VirtualNetworkId` | the VNI, 0-16777215; absent: chosen at random from the seed |
//! | `PacketLength` | 1-8500 bytes after the VXLAN header; absent: the whole packet |
//! | `TrafficMirrorFilterId`, `TrafficMirrorTargetId` | the filter and target, joined by id |
//! | `NetworkInterfaceId` | the source ENI (a run mirrors one) |
//! | `Description`, `TrafficMirrorSessionId`, `OwnerId`, `Tags` | checked for their types, then dropped |
//!
//! and, in our own format, three objects that AWS keeps elsewhere, embedded:
//!
//! * `TrafficMirrorFilter`: the shape one filter has in the output of
//!   `describe-traffic-mirror-filters`: `IngressFilterRules`,
//!   `EgressFilterRules` (lists of TrafficMirrorFilterRule: `RuleNumber`,
//!   `TrafficDirection`, `RuleAction`, `Protocol`, `SourceCidrBlock`,
//!   `DestinationCidrBlock`, `SourcePortRange` and `DestinationPortRange` as
//!   `{ "FromPort", "ToPort" }`, `Description`) and `NetworkServices`
//!   (`["amazon-dns"]`). `Protocol` absent or -1 means all protocols. A
//!   session with neither a filter nor a filter id mirrors everything
//!   ([`Filter::accept_all`]); a filter without rules mirrors nothing but
//!   Amazon DNS if that is selected, as on AWS.
//! * `TrafficMirrorTarget`: `Type` (`network-interface`,
//!   `network-load-balancer` or `gateway-load-balancer-endpoint`), at most one
//!   of `NetworkInterfaceId`, `NetworkLoadBalancerArn`,
//!   `GatewayLoadBalancerEndpointId` (of that kind; it gives the kind when
//!   `Type` is absent), and our `IpAddress`, `MacAddress`, `Mtu` (at least
//!   68, the IPv4 minimum of RFC 791), `SubnetCidrBlock` and
//!   `RouterMacAddress` (the target subnet's router). All optional.
//! * `Gbp`: test knobs for the VXLAN Group Based Policy extension, which AWS
//!   never sets: `PolicyId` (0-65535, default 0), `DontLearn`, `PolicyApplied`
//!   (default false).
//!
//! `Source` has `NetworkInterfaceId`, `PrivateIpAddress`, `MacAddress`,
//! `VpcCidrBlock` (an IPv4 /16 to /28, the VPC sizes AWS allows),
//! `SubnetCidrBlock` and `RouterMacAddress` (the source subnet's router),
//! all optional.
//!
//! # Unknown keys
//!
//! Every key AWS documents for these objects is accepted (`Tags` as
//! `[{"Key", "Value"}]`, `null` for absent values); any other key is an
//! error naming it: a misspelt `PacketLenght` would otherwise silently change
//! the capture.
//!
//! # Errors
//!
//! Loading is two steps, and each names the key at fault by its path (such
//! as `TrafficMirrorSessions[1].TrafficMirrorFilter.IngressFilterRules[0].Protocol`):
//!
//! 1. the shape: `document.rs` derives one serde struct per object with
//!    `deny_unknown_fields`, read through `serde_path_to_error`, which gives
//!    the path of an unknown key or of a value of the wrong JSON type;
//! 2. the values: this module checks ranges, enumerations, addresses and what
//!    AWS requires of a filter, building the same paths as it goes.
//!
//! ```
//! use generator::mirror::config::MirrorConfig;
//! use generator::flow::Direction;
//!
//! let config = MirrorConfig::from_json_str(r#"{
//!     "TrafficMirrorSessionId": "tms-0123456789abcdef0",
//!     "SessionNumber": 1,
//!     "VirtualNetworkId": 9999999,
//!     "TrafficMirrorFilter": {
//!         "EgressFilterRules": [{
//!             "RuleNumber": 100, "RuleAction": "accept", "Protocol": 6,
//!             "SourceCidrBlock": "0.0.0.0/0", "DestinationCidrBlock": "0.0.0.0/0",
//!             "DestinationPortRange": { "FromPort": 443, "ToPort": 443 }
//!         }],
//!         "NetworkServices": ["amazon-dns"]
//!     }
//! }"#).unwrap();
//! let session = &config.sessions[0];
//! assert_eq!(session.virtual_network_id.map(|v| v.value()), Some(9999999));
//! assert_eq!(session.filter.rules(Direction::Egress)[0].rule_number, 100);
//! assert!(session.filter.amazon_dns());
//!
//! let err = MirrorConfig::from_json_str(r#"{ "SessionNumber": 1, "PacketLength": 9000 }"#).unwrap_err();
//! assert_eq!(err.to_string(), "PacketLength = 9000: must be 1-8500");
//! ```

mod document;
#[cfg(test)]
mod tests;

use super::filter::{Filter, FilterError, FilterRule, PortRange, RuleAction, RULE_NUMBER_RANGE};
use super::session::{Gbp, TargetKind, MAX_PACKET_LENGTH, MAX_SESSIONS_PER_SOURCE, SESSION_NUMBER_RANGE};
use crate::flow::Direction;
use crate::wire::vxlan::Vni;
use crate::wire::{EthernetAddress, IpProtocol};
use core::ops::RangeInclusive;
use document::{
    FileDoc, FilterDoc, GbpDoc, Int, List, Object, PortRangeDoc, RuleDoc, SessionDoc, SourceDoc, TargetDoc,
};
use ipnet::{IpNet, Ipv4Net};
use serde_json::Value;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

/// Largest VXLAN Network Identifier (24 bits; EC2 API
/// CreateTrafficMirrorSession `VirtualNetworkId`).
pub const MAX_VIRTUAL_NETWORK_ID: u32 = 0xff_ffff;

/// Smallest MTU accepted for a target: every IPv4 host must take 68-octet
/// datagrams (RFC 791).
pub const MIN_MTU: u16 = 68;

/// Shortest and longest VPC IPv4 prefix (Amazon VPC User Guide, "VPC CIDR
/// blocks": between a /16 and a /28 netmask).
pub const VPC_PREFIX_RANGE: core::ops::RangeInclusive<u8> = 16..=28;

/// A loaded configuration: the sessions of one source network interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MirrorConfig {
    /// The source network interface, if a file describes it.
    pub source: Option<SourceSpec>,
    /// The `NetworkInterfaceId` of the source the sessions mirror, when the
    /// files name one.
    pub source_eni: Option<String>,
    /// One to three sessions, in file order (evaluation order is by session number).
    pub sessions: Vec<SessionSpec>,
    /// Sessions of other source network interfaces, left out (see
    /// [`MirrorConfig::from_paths`]).
    pub other_sessions: usize,
}

/// What the file says about the source network interface; `None` fields are
/// filled in from the seed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceSpec {
    /// `PrivateIpAddress`: the ENI's primary private IPv4 address.
    pub ip: Option<Ipv4Addr>,
    /// `MacAddress`: the ENI's MAC address.
    pub mac: Option<EthernetAddress>,
    /// `VpcCidrBlock`: the VPC's primary IPv4 CIDR block.
    pub vpc_cidr: Option<Ipv4Net>,
    /// `SubnetCidrBlock`: the IPv4 CIDR block of the ENI's subnet.
    pub subnet_cidr: Option<Ipv4Net>,
    /// `RouterMacAddress`: the MAC address of the router of the ENI's subnet.
    pub router_mac: Option<EthernetAddress>,
    /// `NetworkInterfaceId`: the ENI's id (`eni-...`).
    pub network_interface_id: Option<String>,
}

/// One session as the file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSpec {
    /// `TrafficMirrorSessionId`, when given.
    pub id: Option<String>,
    /// `NetworkInterfaceId`: the source ENI, when given.
    pub network_interface_id: Option<String>,
    /// `SessionNumber`.
    pub session_number: u16,
    /// `VirtualNetworkId`; `None`: chosen at random from the seed.
    pub virtual_network_id: Option<Vni>,
    /// `PacketLength`; `None`: the whole packet.
    pub packet_length: Option<u16>,
    /// `TrafficMirrorFilter`, embedded or joined by `TrafficMirrorFilterId`;
    /// [`Filter::accept_all`] when the session names no filter at all.
    pub filter: Filter,
    /// `TrafficMirrorFilterId`, when given.
    pub filter_id: Option<String>,
    /// `TrafficMirrorTarget`.
    pub target: TargetSpec,
    /// `Gbp`: VXLAN GBP bits to set (a test knob; AWS never sets them).
    pub gbp: Option<Gbp>,
}

/// What the file says about a session's target; `None` fields are filled in
/// from the seed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TargetSpec {
    /// `TrafficMirrorTargetId`, when given.
    pub id: Option<String>,
    /// `Type`, or the kind its `NetworkInterfaceId`, `NetworkLoadBalancerArn`
    /// or `GatewayLoadBalancerEndpointId` implies.
    pub kind: Option<TargetKind>,
    /// That `NetworkInterfaceId`, `NetworkLoadBalancerArn` or
    /// `GatewayLoadBalancerEndpointId`.
    pub resource: Option<String>,
    /// `IpAddress`: the outer destination address.
    pub ip: Option<Ipv4Addr>,
    /// `MacAddress`: the outer destination MAC address.
    pub mac: Option<EthernetAddress>,
    /// `Mtu`: the receiving interface's MTU (at least 68).
    pub mtu: Option<u16>,
    /// `SubnetCidrBlock`: the IPv4 CIDR block of the target's subnet.
    pub subnet_cidr: Option<Ipv4Net>,
    /// `RouterMacAddress`: the MAC of the router of the target's subnet, the
    /// outer Ethernet source of every copy.
    pub router_mac: Option<EthernetAddress>,
}

/// Why a configuration could not be loaded. Every message is one line and
/// names the key (as a path such as
/// `TrafficMirrorSessions[1].TrafficMirrorFilter.IngressFilterRules[0].Protocol`)
/// and the value at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: std::io::Error,
    },
    /// The text is not JSON.
    #[error("not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A value has the wrong JSON type.
    #[error("{key}: expected {expected}, found {found}")]
    WrongType {
        /// Path of the key.
        key: String,
        /// What was expected.
        expected: &'static str,
        /// What was found (JSON, shortened).
        found: String,
    },
    /// A required key is absent.
    #[error("{key}: required key is missing")]
    Missing {
        /// Path of the missing key.
        key: String,
    },
    /// A key that is neither used nor a known AWS key (a typo, probably).
    #[error("{key}: unknown key")]
    UnknownKey {
        /// Path of the key.
        key: String,
    },
    /// A value of the right type but not allowed.
    #[error("{key} = {value}: {reason}")]
    InvalidValue {
        /// Path of the key.
        key: String,
        /// The value (JSON, shortened).
        value: String,
        /// Why it is refused.
        reason: String,
    },
    /// A filter AWS would refuse (rule numbers, port ranges, quota).
    #[error("{key}: {source}")]
    Filter {
        /// Path of the rule or filter at fault.
        key: String,
        /// What is wrong with it.
        #[source]
        source: FilterError,
    },
    /// More sessions than one source network interface may have.
    #[error("TrafficMirrorSessions: {count} sessions, but a source network interface takes at most 3 (Traffic Mirroring quotas)")]
    TooManySessions {
        /// How many were given.
        count: usize,
    },
    /// `TrafficMirrorSessions` is empty.
    #[error("TrafficMirrorSessions: the list is empty; give at least one session")]
    NoSessions,
    /// A session names a filter or target by id that no file gives.
    #[error("{key} = \"{id}\": no {what} with this id was given; add the output of `aws ec2 describe-traffic-mirror-{what}s` (another --session file, or merged into this one)")]
    NotGiven {
        /// Path of the id key.
        key: String,
        /// The id.
        id: String,
        /// `filter` or `target`.
        what: &'static str,
    },
    /// Two objects of the same kind carry one id.
    #[error("{key} = \"{id}\": given twice (also {first})")]
    Duplicate {
        /// Path of the second id.
        key: String,
        /// The id.
        id: String,
        /// Where the first was.
        first: String,
    },
    /// Sessions of several source network interfaces, and no choice among them.
    #[error("the sessions mirror {count} network interfaces ({enis}); a run mirrors one: choose it (vxgen: --source-eni ID)")]
    SeveralSources {
        /// How many.
        count: usize,
        /// Their ids, comma-separated.
        enis: String,
    },
    /// The chosen source network interface has no session.
    #[error("no session mirrors {eni} (the sessions given mirror {enis})")]
    NoSessionOf {
        /// The chosen id.
        eni: String,
        /// The ids the sessions name.
        enis: String,
    },
    /// An error in one of several files.
    #[error("{}: {source}", path.display())]
    InFile {
        /// The file.
        path: PathBuf,
        /// What is wrong in it.
        #[source]
        source: Box<ConfigError>,
    },
    /// Any other mismatch between the file and its shape, in serde's words.
    #[error("{key}: {message}")]
    Shape {
        /// Path of the key.
        key: String,
        /// What serde said.
        message: String,
    },
}

impl MirrorConfig {
    /// Parses a configuration from JSON text: one document (see the module's
    /// documentation for the shapes).
    pub fn from_json_str(text: &str) -> Result<MirrorConfig, ConfigError> {
        let parts = Parts::parse(text)?;
        join(vec![(None, parts)], None)
    }

    /// Reads and parses a configuration file.
    ///
    /// ```
    /// use generator::mirror::config::MirrorConfig;
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/examples/session.json");
    /// let config = MirrorConfig::from_path(path.as_ref()).unwrap();
    /// assert_eq!(config.sessions.len(), 2);
    /// ```
    pub fn from_path(path: &Path) -> Result<MirrorConfig, ConfigError> {
        MirrorConfig::from_paths(&[path], None)
    }

    /// Reads several documents and joins them: sessions from one (the output
    /// of `aws ec2 describe-traffic-mirror-sessions`, say), the filters and
    /// targets they name by `TrafficMirrorFilterId` and
    /// `TrafficMirrorTargetId` from the others (`describe-traffic-mirror-filters`,
    /// `describe-traffic-mirror-targets`), or all of them merged into one
    /// object. A session that names a filter or target no document gives is
    /// an error ([`ConfigError::NotGiven`]); filters and targets no session
    /// names are ignored (the AWS CLI lists every one of the region).
    ///
    /// A run mirrors one source network interface. `source_eni` (or the
    /// `Source` object's `NetworkInterfaceId`) chooses it: the sessions of
    /// other interfaces are left out and counted in
    /// [`MirrorConfig::other_sessions`]. Without a choice, sessions of two
    /// or more interfaces are an error ([`ConfigError::SeveralSources`]).
    /// The quota (at most 3 sessions) and unique session numbers apply to
    /// the chosen interface's sessions.
    ///
    /// Errors in one file name it when there are several.
    ///
    /// ```
    /// use generator::mirror::config::MirrorConfig;
    /// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/examples/");
    /// let files: Vec<std::path::PathBuf> = ["describe-traffic-mirror-sessions.json",
    ///     "describe-traffic-mirror-filters.json", "describe-traffic-mirror-targets.json"]
    ///     .iter().map(|f| std::path::Path::new(dir).join(f)).collect();
    /// let paths: Vec<&std::path::Path> = files.iter().map(|p| p.as_path()).collect();
    /// let config = MirrorConfig::from_paths(&paths, None).unwrap();
    /// assert_eq!(config.sessions.len(), 2);
    /// assert!(config.sessions[0].filter.amazon_dns());
    /// // Without the filters, the sessions' filter ids name nothing.
    /// let err = MirrorConfig::from_paths(&[paths[0], paths[2]], None).unwrap_err();
    /// assert!(err.to_string().contains("TrafficMirrorFilterId = \"tmf-0aa11bb22cc33dd44\": no filter"), "{err}");
    /// ```
    pub fn from_paths(paths: &[&Path], source_eni: Option<&str>) -> Result<MirrorConfig, ConfigError> {
        let many = paths.len() > 1;
        let mut docs = Vec::with_capacity(paths.len());
        for path in paths {
            let text = std::fs::read_to_string(path)
                .map_err(|source| ConfigError::Io { path: path.to_path_buf(), source })?;
            let parts = Parts::parse(&text).map_err(|e| in_file(many.then_some(*path), e))?;
            docs.push((many.then(|| path.to_path_buf()), parts));
        }
        join(docs, source_eni)
    }
}

fn in_file(path: Option<&Path>, e: ConfigError) -> ConfigError {
    match path {
        Some(path) => ConfigError::InFile { path: path.to_path_buf(), source: Box::new(e) },
        None => e,
    }
}

/// A filter or target of a session: embedded (our own format), named by id
/// (AWS's), or neither.
#[derive(Debug)]
enum Ref<T> {
    Embedded(T),
    ById(String),
    Neither,
}

/// A session before the join.
#[derive(Debug)]
struct Draft {
    at: At,
    spec: SessionSpec,
    filter: Ref<Filter>,
    target: Ref<TargetSpec>,
    target_id_at: String,
}

/// What one document holds.
#[derive(Debug, Default)]
struct Parts {
    source: Option<SourceSpec>,
    sessions: Vec<Draft>,
    filters: Vec<(At, String, Filter)>,
    targets: Vec<(At, String, TargetSpec)>,
}

/// The keys that make a document a file rather than one session object.
const FILE_KEYS: [&str; 5] =
    ["Source", "TrafficMirrorSessions", "TrafficMirrorFilters", "TrafficMirrorTargets", "NextToken"];

impl Parts {
    fn parse(text: &str) -> Result<Parts, ConfigError> {
        let root: Value = serde_json::from_str(text)?;
        let wrapped = root.as_object().is_some_and(|m| FILE_KEYS.iter().any(|k| m.contains_key(*k)));
        if !wrapped {
            let Object(session) = document::read::<Object<SessionDoc>>(&root)?;
            return Ok(Parts { sessions: vec![load_session(&At::default(), session)?], ..Parts::default() });
        }
        let Object(file) = document::read::<Object<FileDoc>>(&root)?;
        load_file(file)
    }
}

/// Joins the documents' sessions with their filters and targets and picks
/// the source interface (see [`MirrorConfig::from_paths`]).
fn join(docs: Vec<(Option<PathBuf>, Parts)>, source_eni: Option<&str>) -> Result<MirrorConfig, ConfigError> {
    let placed = |path: &Option<PathBuf>, e: ConfigError| in_file(path.as_deref(), e);
    let mut source: Option<(Option<PathBuf>, SourceSpec)> = None;
    let mut filters: Vec<(Option<PathBuf>, At, String, Filter)> = Vec::new();
    let mut targets: Vec<(Option<PathBuf>, At, String, TargetSpec)> = Vec::new();
    let mut drafts: Vec<(Option<PathBuf>, Draft)> = Vec::new();
    let describe = |path: &Option<PathBuf>, at: &At| match path {
        Some(p) => format!("{} in {}", at.0, p.display()),
        None => at.0.clone(),
    };
    for (path, parts) in docs {
        if let Some(s) = parts.source {
            if let Some((first, _)) = &source {
                let first = describe(first, &At("Source".into()));
                let e = invalid("Source".into(), "{...}", &format!("given twice (also {first})"));
                return Err(placed(&path, e));
            }
            source = Some((path.clone(), s));
        }
        for (at, id, f) in parts.filters {
            let key = at.key("TrafficMirrorFilterId");
            if let Some((p, a, ..)) = filters.iter().find(|(_, _, i, _)| *i == id) {
                let first = describe(p, a);
                return Err(placed(&path, ConfigError::Duplicate { key, id, first }));
            }
            filters.push((path.clone(), at, id, f));
        }
        for (at, id, t) in parts.targets {
            let key = at.key("TrafficMirrorTargetId");
            if let Some((p, a, ..)) = targets.iter().find(|(_, _, i, _)| *i == id) {
                let first = describe(p, a);
                return Err(placed(&path, ConfigError::Duplicate { key, id, first }));
            }
            targets.push((path.clone(), at, id, t));
        }
        drafts.extend(parts.sessions.into_iter().map(|d| (path.clone(), d)));
    }
    if drafts.is_empty() {
        return Err(ConfigError::NoSessions);
    }

    // The source interface: chosen, named by Source, or the only one.
    let chosen = source_eni
        .map(str::to_string)
        .or_else(|| source.as_ref().and_then(|(_, s)| s.network_interface_id.clone()));
    let mut enis: Vec<&str> = Vec::new();
    for (_, d) in &drafts {
        if let Some(e) = d.spec.network_interface_id.as_deref() {
            if !enis.contains(&e) {
                enis.push(e);
            }
        }
    }
    let source_eni = match chosen {
        Some(eni) => {
            if !enis.is_empty() && !enis.contains(&eni.as_str()) {
                return Err(ConfigError::NoSessionOf { eni, enis: enis.join(", ") });
            }
            Some(eni)
        }
        None if enis.len() > 1 => {
            return Err(ConfigError::SeveralSources { count: enis.len(), enis: enis.join(", ") });
        }
        None => enis.first().map(|e| e.to_string()),
    };
    let before = drafts.len();
    drafts.retain(|(_, d)| match (&d.spec.network_interface_id, &source_eni) {
        (Some(e), Some(chosen)) => e == chosen,
        _ => true,
    });
    let other_sessions = before - drafts.len();
    if drafts.len() > MAX_SESSIONS_PER_SOURCE {
        return Err(ConfigError::TooManySessions { count: drafts.len() });
    }

    let mut sessions: Vec<SessionSpec> = Vec::with_capacity(drafts.len());
    let mut placed_at: Vec<(Option<PathBuf>, At)> = Vec::with_capacity(drafts.len());
    for (path, d) in drafts {
        let Draft { at, mut spec, filter, target, target_id_at } = d;
        if let Some(first) = sessions.iter().position(|s| s.session_number == spec.session_number) {
            let e = ConfigError::InvalidValue {
                key: at.key("SessionNumber"),
                value: spec.session_number.to_string(),
                reason: format!(
                    "already used by {}; session numbers must be unique",
                    describe(&placed_at[first].0, &placed_at[first].1)
                ),
            };
            return Err(placed(&path, e));
        }
        spec.filter = match filter {
            Ref::Embedded(f) => f,
            Ref::Neither => Filter::accept_all(),
            Ref::ById(id) => match filters.iter().find(|(_, _, i, _)| *i == id) {
                Some((.., f)) => f.clone(),
                None => {
                    let key = at.key("TrafficMirrorFilterId");
                    return Err(placed(&path, ConfigError::NotGiven { key, id, what: "filter" }));
                }
            },
        };
        spec.target = match target {
            Ref::Embedded(t) => t,
            Ref::Neither => TargetSpec::default(),
            Ref::ById(id) => match targets.iter().find(|(_, _, i, _)| *i == id) {
                Some((.., t)) => t.clone(),
                None => {
                    let e = ConfigError::NotGiven { key: target_id_at, id, what: "target" };
                    return Err(placed(&path, e));
                }
            },
        };
        sessions.push(spec);
        placed_at.push((path, at));
    }
    Ok(MirrorConfig { source: source.map(|(_, s)| s), source_eni, sessions, other_sessions })
}

// ---------------------------------------------------------------------------
// Where a value is, and the words of a refusal.

/// The path of an object in the file, for messages:
/// `TrafficMirrorSessions[1].TrafficMirrorFilter`; empty at the top level.
#[derive(Debug, Clone, Default)]
struct At(String);

impl At {
    /// The path of `key` in this object.
    fn key(&self, key: &str) -> String {
        if self.0.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.0)
        }
    }

    /// The object at `key`.
    fn child(&self, key: &str) -> At {
        At(self.key(key))
    }

    /// Element `i` of this list.
    fn index(&self, i: usize) -> At {
        At(format!("{}[{i}]", self.0))
    }
}

/// A JSON value, compact and shortened for an error message.
fn show(value: &Value) -> String {
    const LIMIT: usize = 60;
    let text = value.to_string();
    if text.chars().count() <= LIMIT {
        text
    } else {
        let mut short: String = text.chars().take(LIMIT).collect();
        short.push_str("...");
        short
    }
}

fn wrong_type(key: String, expected: &'static str, found: &Value) -> ConfigError {
    let kind = crate::dissection::validate::what(found);
    ConfigError::WrongType { key, expected, found: format!("{kind} {}", show(found)) }
}

fn invalid(key: String, value: impl Into<Value>, reason: &str) -> ConfigError {
    ConfigError::InvalidValue { key, value: show(&value.into()), reason: reason.to_string() }
}

/// `value` of `key`, which must be present.
fn required<T>(at: &At, key: &str, value: Option<T>) -> Result<T, ConfigError> {
    value.ok_or_else(|| ConfigError::Missing { key: at.key(key) })
}

/// The integer `n` of `key` as a `T`, if it lies in `range`.
fn in_range<T: TryFrom<i64>>(
    at: &At,
    key: &str,
    Int(n): Int,
    range: RangeInclusive<i64>,
    reason: &str,
) -> Result<T, ConfigError> {
    match T::try_from(n) {
        Ok(v) if range.contains(&n) => Ok(v),
        _ => Err(invalid(at.key(key), n, reason)),
    }
}

/// [`in_range`] for a key that may be absent.
fn optional_in_range<T: TryFrom<i64>>(
    at: &At,
    key: &str,
    value: Option<Int>,
    range: RangeInclusive<i64>,
    reason: &str,
) -> Result<Option<T>, ConfigError> {
    value.map(|n| in_range(at, key, n, range, reason)).transpose()
}

/// The string of `key` parsed with `FromStr`, or `None` when absent.
fn parsed<T: core::str::FromStr>(
    at: &At,
    key: &str,
    value: Option<&str>,
    reason: &str,
) -> Result<Option<T>, ConfigError> {
    let Some(s) = value else { return Ok(None) };
    s.parse().map(Some).map_err(|_| invalid(at.key(key), s, reason))
}

fn ipv4(at: &At, key: &str, value: Option<&str>) -> Result<Option<Ipv4Addr>, ConfigError> {
    parsed(at, key, value, "not an IPv4 address (like 10.0.1.5)")
}

/// A unicast MAC address, or `None` when absent.
fn mac(at: &At, key: &str, value: Option<&str>) -> Result<Option<EthernetAddress>, ConfigError> {
    let mac: Option<EthernetAddress> = parsed(at, key, value, "not a MAC address (like 02:1a:2b:3c:4d:5e)")?;
    if mac.is_some_and(|m| m.is_multicast()) {
        return Err(invalid(
            at.key(key),
            value.unwrap_or_default(),
            "is a group (multicast) address, not an interface's",
        ));
    }
    Ok(mac)
}

fn cidr(at: &At, key: &str, value: Option<&str>) -> Result<IpNet, ConfigError> {
    let value = required(at, key, value)?;
    let net = parsed(at, key, Some(value), "not a CIDR block (like 10.0.0.0/16 or ::/0)")?;
    Ok(net.unwrap_or_default())
}

/// The range of a `u16`-valued key, as `in_range` takes it.
fn wide(range: &RangeInclusive<u16>) -> RangeInclusive<i64> {
    i64::from(*range.start())..=i64::from(*range.end())
}

// ---------------------------------------------------------------------------
// The values, object by object.

fn load_file(file: FileDoc) -> Result<Parts, ConfigError> {
    let root = At::default();
    let source = file.source.map(|Object(s)| load_source(&root.child("Source"), s)).transpose()?;
    let mut parts = Parts { source, ..Parts::default() };
    if let Some(List(list)) = file.traffic_mirror_sessions {
        if list.is_empty() && file.traffic_mirror_filters.is_none() && file.traffic_mirror_targets.is_none() {
            return Err(ConfigError::NoSessions);
        }
        let at = root.child("TrafficMirrorSessions");
        for (i, Object(doc)) in list.into_iter().enumerate() {
            parts.sessions.push(load_session(&at.index(i), doc)?);
        }
    }
    if let Some(List(list)) = file.traffic_mirror_filters {
        let at = root.child("TrafficMirrorFilters");
        for (i, Object(doc)) in list.into_iter().enumerate() {
            let at = at.index(i);
            let id = required(&at, "TrafficMirrorFilterId", doc.traffic_mirror_filter_id.clone())?;
            let filter = load_filter(&at, doc)?;
            parts.filters.push((at, id, filter));
        }
    }
    if let Some(List(list)) = file.traffic_mirror_targets {
        let at = root.child("TrafficMirrorTargets");
        for (i, Object(doc)) in list.into_iter().enumerate() {
            let at = at.index(i);
            let id = required(&at, "TrafficMirrorTargetId", doc.traffic_mirror_target_id.clone())?;
            let target = load_target(&at, doc)?;
            if target.kind.is_none() {
                return Err(ConfigError::Missing { key: at.key("Type") });
            }
            parts.targets.push((at, id, target));
        }
    }
    Ok(parts)
}

fn ipv4_block(at: &At, key: &str, value: Option<&str>) -> Result<Option<Ipv4Net>, ConfigError> {
    let Some(s) = value else { return Ok(None) };
    let net: Ipv4Net =
        s.parse().map_err(|_| invalid(at.key(key), s, "not an IPv4 CIDR block (like 10.0.0.0/16)"))?;
    if !VPC_PREFIX_RANGE.contains(&net.prefix_len()) {
        let reason = if key == "VpcCidrBlock" {
            "a VPC CIDR block is between /16 and /28"
        } else {
            "a subnet CIDR block is between /16 and /28"
        };
        return Err(invalid(at.key(key), s, reason));
    }
    Ok(Some(net))
}

fn load_source(at: &At, doc: SourceDoc) -> Result<SourceSpec, ConfigError> {
    let vpc = ipv4_block(at, "VpcCidrBlock", doc.vpc_cidr_block.as_deref())?;
    let subnet = ipv4_block(at, "SubnetCidrBlock", doc.subnet_cidr_block.as_deref())?;
    if let (Some(v), Some(s)) = (vpc, subnet) {
        if !v.contains(&s) {
            return Err(invalid(at.key("SubnetCidrBlock"), s.to_string(), "is not within VpcCidrBlock"));
        }
    }
    let ip = ipv4(at, "PrivateIpAddress", doc.private_ip_address.as_deref())?;
    if let (Some(ip), Some(s)) = (ip, subnet) {
        if !s.contains(&ip) {
            return Err(invalid(at.key("PrivateIpAddress"), ip.to_string(), "is not within SubnetCidrBlock"));
        }
    }
    Ok(SourceSpec {
        ip,
        mac: mac(at, "MacAddress", doc.mac_address.as_deref())?,
        vpc_cidr: vpc,
        subnet_cidr: subnet,
        router_mac: mac(at, "RouterMacAddress", doc.router_mac_address.as_deref())?,
        network_interface_id: doc.network_interface_id,
    })
}

fn load_session(at: &At, doc: SessionDoc) -> Result<Draft, ConfigError> {
    let number = required(at, "SessionNumber", doc.session_number)?;
    let session_number =
        in_range(at, "SessionNumber", number, wide(&SESSION_NUMBER_RANGE), "must be 1-32766")?;
    let vni: Option<u32> = optional_in_range(
        at,
        "VirtualNetworkId",
        doc.virtual_network_id,
        0..=i64::from(MAX_VIRTUAL_NETWORK_ID),
        "must be 0-16777215",
    )?;
    // In range by the check above; `Vni::new` has the final word.
    let virtual_network_id = vni
        .map(|n| Vni::new(n).map_err(|_| invalid(at.key("VirtualNetworkId"), n, "must be 0-16777215")))
        .transpose()?;
    let packet_length = optional_in_range(
        at,
        "PacketLength",
        doc.packet_length,
        1..=i64::from(MAX_PACKET_LENGTH),
        "must be 1-8500",
    )?;
    let filter_id = doc.traffic_mirror_filter_id;
    let filter = match (doc.traffic_mirror_filter, &filter_id) {
        (Some(Object(f)), id) => {
            let f_at = at.child("TrafficMirrorFilter");
            same_id(&f_at, "TrafficMirrorFilterId", f.traffic_mirror_filter_id.as_deref(), id.as_deref())?;
            Ref::Embedded(load_filter(&f_at, f)?)
        }
        (None, Some(id)) => Ref::ById(id.clone()),
        (None, None) => Ref::Neither,
    };
    let target = match (doc.traffic_mirror_target, &doc.traffic_mirror_target_id) {
        (Some(Object(t)), id) => {
            let t_at = at.child("TrafficMirrorTarget");
            same_id(&t_at, "TrafficMirrorTargetId", t.traffic_mirror_target_id.as_deref(), id.as_deref())?;
            Ref::Embedded(load_target(&t_at, t)?)
        }
        (None, Some(id)) => Ref::ById(id.clone()),
        (None, None) => Ref::Neither,
    };
    let gbp = doc.gbp.map(|Object(g)| load_gbp(&at.child("Gbp"), g)).transpose()?;
    let spec = SessionSpec {
        id: doc.traffic_mirror_session_id,
        network_interface_id: doc.network_interface_id,
        session_number,
        virtual_network_id,
        packet_length,
        filter: Filter::accept_all(),
        filter_id,
        target: TargetSpec::default(),
        gbp,
    };
    Ok(Draft { at: at.clone(), spec, filter, target, target_id_at: at.key("TrafficMirrorTargetId") })
}

/// An embedded object's own id, if it has one, must be the one its session names.
fn same_id(at: &At, key: &str, own: Option<&str>, session: Option<&str>) -> Result<(), ConfigError> {
    match (own, session) {
        (Some(own), Some(session)) if own != session => {
            Err(invalid(at.key(key), own, &format!("the session names {session}")))
        }
        _ => Ok(()),
    }
}

fn load_filter(at: &At, doc: FilterDoc) -> Result<Filter, ConfigError> {
    let mut rules = Vec::new();
    for (key, list, direction) in [
        ("IngressFilterRules", doc.ingress_filter_rules, Direction::Ingress),
        ("EgressFilterRules", doc.egress_filter_rules, Direction::Egress),
    ] {
        let list_at = at.child(key);
        for (i, Object(rule)) in list.into_iter().flat_map(|l| l.0).enumerate() {
            let rule_at = list_at.index(i);
            let own = rule.traffic_mirror_filter_id.as_deref();
            if let (Some(own), Some(filter)) = (own, doc.traffic_mirror_filter_id.as_deref()) {
                if own != filter {
                    let reason = format!("the rule is in filter {filter}");
                    return Err(invalid(rule_at.key("TrafficMirrorFilterId"), own, &reason));
                }
            }
            rules.push(load_rule(&rule_at, rule, direction)?);
        }
    }
    let mut amazon_dns = false;
    let services_at = at.child("NetworkServices");
    for (i, service) in doc.network_services.into_iter().flat_map(|l| l.0).enumerate() {
        if service != "amazon-dns" {
            let reason = "the only network service is \"amazon-dns\"";
            return Err(invalid(services_at.index(i).0, service, reason));
        }
        amazon_dns = true;
    }
    Filter::new(rules, amazon_dns).map_err(|source| ConfigError::Filter { key: at.0.clone(), source })
}

fn load_rule(at: &At, doc: RuleDoc, direction: Direction) -> Result<FilterRule, ConfigError> {
    let number = required(at, "RuleNumber", doc.rule_number)?;
    let rule_number = in_range(at, "RuleNumber", number, wide(&RULE_NUMBER_RANGE), "must be 1-32766")?;
    if let Some(s) = doc.traffic_direction {
        if s != direction.as_str() {
            let reason = format!(
                "a rule in {}FilterRules must have TrafficDirection \"{}\"",
                if direction == Direction::Ingress { "Ingress" } else { "Egress" },
                direction.as_str()
            );
            return Err(invalid(at.key("TrafficDirection"), s, &reason));
        }
    }
    let action = match required(at, "RuleAction", doc.rule_action)?.as_str() {
        "accept" => RuleAction::Accept,
        "reject" => RuleAction::Reject,
        other => return Err(invalid(at.key("RuleAction"), other, "must be \"accept\" or \"reject\"")),
    };
    let reason = "must be an IANA protocol number 0-255, or -1 for all";
    let protocol = match optional_in_range::<i16>(at, "Protocol", doc.protocol, -1..=255, reason)? {
        None | Some(-1) => None,
        Some(n) => u8::try_from(n).ok().map(IpProtocol),
    };
    let source_cidr = cidr(at, "SourceCidrBlock", doc.source_cidr_block.as_deref())?;
    let destination_cidr = cidr(at, "DestinationCidrBlock", doc.destination_cidr_block.as_deref())?;
    let ports = |key: &str, range: Option<Object<PortRangeDoc>>| {
        range.map(|Object(r)| load_port_range(&at.child(key), r)).transpose()
    };
    let rule = FilterRule {
        rule_number,
        direction,
        action,
        protocol,
        source_cidr,
        destination_cidr,
        source_port_range: ports("SourcePortRange", doc.source_port_range)?,
        destination_port_range: ports("DestinationPortRange", doc.destination_port_range)?,
        description: doc.description,
    };
    rule.validate().map_err(|source| ConfigError::Filter { key: at.0.clone(), source })?;
    Ok(rule)
}

fn load_port_range(at: &At, doc: PortRangeDoc) -> Result<PortRange, ConfigError> {
    let port = |key: &str, value: Option<Int>| {
        in_range(at, key, required(at, key, value)?, 0..=65535, "must be a port 0-65535")
    };
    Ok(PortRange { from_port: port("FromPort", doc.from_port)?, to_port: port("ToPort", doc.to_port)? })
}

fn load_target(at: &At, doc: TargetDoc) -> Result<TargetSpec, ConfigError> {
    let named = match doc.r#type.as_deref() {
        None => None,
        Some("network-interface") => Some(TargetKind::NetworkInterface),
        Some("network-load-balancer") => Some(TargetKind::NetworkLoadBalancer),
        Some("gateway-load-balancer-endpoint") => Some(TargetKind::GatewayLoadBalancerEndpoint),
        Some(other) => {
            let reason = "must be \"network-interface\", \"network-load-balancer\" or \"gateway-load-balancer-endpoint\"";
            return Err(invalid(at.key("Type"), other, reason));
        }
    };
    // The resource: at most one, of the kind `Type` says (EC2 API
    // TrafficMirrorTarget: one of NetworkInterfaceId, NetworkLoadBalancerArn,
    // GatewayLoadBalancerEndpointId).
    let mut kind = named;
    let mut resource: Option<(&str, String)> = None;
    for (key, value, k) in [
        ("NetworkInterfaceId", doc.network_interface_id, TargetKind::NetworkInterface),
        ("NetworkLoadBalancerArn", doc.network_load_balancer_arn, TargetKind::NetworkLoadBalancer),
        (
            "GatewayLoadBalancerEndpointId",
            doc.gateway_load_balancer_endpoint_id,
            TargetKind::GatewayLoadBalancerEndpoint,
        ),
    ] {
        let Some(value) = value else { continue };
        if let Some((other, _)) = &resource {
            let reason = format!("a target is one resource, and {other} is given too");
            return Err(invalid(at.key(key), value, &reason));
        }
        if named.is_some_and(|n| n != k) {
            let reason = format!("a {} target has no {key}", named.map_or("", TargetKind::api_name));
            return Err(invalid(at.key(key), value, &reason));
        }
        kind = Some(k);
        resource = Some((key, value));
    }
    let reason = "must be 68-65535 (68 is the IPv4 minimum)";
    let mtu = optional_in_range(at, "Mtu", doc.mtu, i64::from(MIN_MTU)..=i64::from(u16::MAX), reason)?;
    let ip = ipv4(at, "IpAddress", doc.ip_address.as_deref())?;
    let subnet_cidr = ipv4_block(at, "SubnetCidrBlock", doc.subnet_cidr_block.as_deref())?;
    if let (Some(ip), Some(s)) = (ip, subnet_cidr) {
        if !s.contains(&ip) {
            return Err(invalid(at.key("IpAddress"), ip.to_string(), "is not within SubnetCidrBlock"));
        }
    }
    Ok(TargetSpec {
        id: doc.traffic_mirror_target_id,
        kind,
        resource: resource.map(|(_, v)| v),
        ip,
        mac: mac(at, "MacAddress", doc.mac_address.as_deref())?,
        mtu,
        subnet_cidr,
        router_mac: mac(at, "RouterMacAddress", doc.router_mac_address.as_deref())?,
    })
}

fn load_gbp(at: &At, doc: GbpDoc) -> Result<Gbp, ConfigError> {
    let policy_id = optional_in_range(at, "PolicyId", doc.policy_id, 0..=65535, "must be 0-65535")?;
    Ok(Gbp {
        policy_id: policy_id.unwrap_or_default(),
        dont_learn: doc.dont_learn.is_some_and(|f| f.0),
        policy_applied: doc.policy_applied.is_some_and(|f| f.0),
    })
}
