//! Loading mirror sessions from JSON whose keys follow the EC2 API, so that
//! the output of `aws ec2 describe-traffic-mirror-sessions` (and the filters of
//! `aws ec2 describe-traffic-mirror-filters`) can be pasted in.
//!
//! # Shape
//!
//! The file is either one session object, or
//! `{ "Source": {...}, "TrafficMirrorSessions": [ {...}, ... ] }` (`Source`
//! optional). A session object has the keys of the EC2 API's
//! TrafficMirrorSession, of which these are used:
//!
//! | Key | Meaning |
//! | --- | --- |
//! | `SessionNumber` | required, 1-32766, unique; lower is evaluated first |
//! | `VirtualNetworkId` | the VNI, 0-16777215; absent: chosen at random from the seed |
//! | `PacketLength` | 1-8500 bytes after the VXLAN header; absent: the whole packet |
//! | `Description` | a string, ignored |
//!
//! and three objects that AWS keeps elsewhere (a session only names its filter
//! and target by id), embedded here:
//!
//! * `TrafficMirrorFilter`: the shape one filter has in the output of
//!   `describe-traffic-mirror-filters`: `IngressFilterRules`,
//!   `EgressFilterRules` (lists of TrafficMirrorFilterRule: `RuleNumber`,
//!   `TrafficDirection`, `RuleAction`, `Protocol`, `SourceCidrBlock`,
//!   `DestinationCidrBlock`, `SourcePortRange` and `DestinationPortRange` as
//!   `{ "FromPort", "ToPort" }`, `Description`) and `NetworkServices`
//!   (`["amazon-dns"]`). `Protocol` absent or -1 means all protocols. Absent
//!   altogether, the session mirrors everything ([`Filter::accept_all`]); present
//!   without rules, it mirrors nothing but Amazon DNS if that is selected, as on AWS.
//! * `TrafficMirrorTarget`: `Type` (`network-interface`,
//!   `network-load-balancer` or `gateway-load-balancer-endpoint`), and our
//!   `IpAddress`, `MacAddress` and `Mtu` (at least 68, the IPv4 minimum of
//!   RFC 791). All optional.
//! * `Gbp`: test knobs for the VXLAN Group Based Policy extension, which AWS
//!   never sets: `PolicyId` (0-65535, default 0), `DontLearn`, `PolicyApplied`
//!   (default false).
//!
//! `Source` has `PrivateIpAddress`, `MacAddress`, `VpcCidrBlock` (an IPv4
//! /16 to /28, the VPC sizes AWS allows) and `RouterMacAddress`, all optional.
//!
//! # Unknown keys
//!
//! Keys that AWS prints but that do not matter here (`TrafficMirrorSessionId`,
//! `TrafficMirrorTargetId`, `TrafficMirrorFilterId`, `TrafficMirrorFilterRuleId`,
//! `NetworkInterfaceId`, `OwnerId`, `Tags`, `NextToken` ...) are accepted and
//! ignored. Any other key is an error naming it: a misspelt `PacketLenght`
//! would otherwise silently change the capture.
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
    FileDoc, FilterDoc, GbpDoc, Int, Object, PortRangeDoc, RuleDoc, SessionDoc, SourceDoc, TargetDoc,
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
    /// The source network interface, if the file describes it.
    pub source: Option<SourceSpec>,
    /// One to three sessions, in file order (evaluation order is by session number).
    pub sessions: Vec<SessionSpec>,
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
    /// `RouterMacAddress`: the VPC router's MAC address.
    pub router_mac: Option<EthernetAddress>,
}

/// One session as the file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSpec {
    /// `SessionNumber`.
    pub session_number: u16,
    /// `VirtualNetworkId`; `None`: chosen at random from the seed.
    pub virtual_network_id: Option<Vni>,
    /// `PacketLength`; `None`: the whole packet.
    pub packet_length: Option<u16>,
    /// `TrafficMirrorFilter`; [`Filter::accept_all`] when absent.
    pub filter: Filter,
    /// `TrafficMirrorTarget`.
    pub target: TargetSpec,
    /// `Gbp`: VXLAN GBP bits to set (a test knob; AWS never sets them).
    pub gbp: Option<Gbp>,
}

/// What the file says about a session's target; `None` fields are filled in
/// from the seed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TargetSpec {
    /// `Type`.
    pub kind: Option<TargetKind>,
    /// `IpAddress`: the outer destination address.
    pub ip: Option<Ipv4Addr>,
    /// `MacAddress`: the outer destination MAC address.
    pub mac: Option<EthernetAddress>,
    /// `Mtu`: the receiving interface's MTU (at least 68).
    pub mtu: Option<u16>,
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
    /// Parses a configuration from JSON text.
    pub fn from_json_str(text: &str) -> Result<MirrorConfig, ConfigError> {
        let root: Value = serde_json::from_str(text)?;
        let wrapped = root.as_object().is_some_and(|m| m.contains_key("TrafficMirrorSessions"));
        if wrapped {
            let Object(file) = document::read::<Object<FileDoc>>(&root)?;
            return load_file(file);
        }
        let Object(session) = document::read::<Object<SessionDoc>>(&root)?;
        Ok(MirrorConfig { source: None, sessions: vec![load_session(&At::default(), session)?] })
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
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Io { path: path.to_path_buf(), source })?;
        MirrorConfig::from_json_str(&text)
    }
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

fn load_file(file: FileDoc) -> Result<MirrorConfig, ConfigError> {
    let source = file.source.map(|Object(s)| load_source(&At::default().child("Source"), s)).transpose()?;
    let list = file.traffic_mirror_sessions.ok_or(ConfigError::NoSessions)?.0;
    if list.is_empty() {
        return Err(ConfigError::NoSessions);
    }
    if list.len() > MAX_SESSIONS_PER_SOURCE {
        return Err(ConfigError::TooManySessions { count: list.len() });
    }
    let at = At::default().child("TrafficMirrorSessions");
    let mut sessions: Vec<SessionSpec> = Vec::with_capacity(list.len());
    for (i, Object(doc)) in list.into_iter().enumerate() {
        let session = load_session(&at.index(i), doc)?;
        if let Some(first) = sessions.iter().position(|s| s.session_number == session.session_number) {
            return Err(ConfigError::InvalidValue {
                key: at.index(i).key("SessionNumber"),
                value: session.session_number.to_string(),
                reason: format!("already used by {}; session numbers must be unique", at.index(first).0),
            });
        }
        sessions.push(session);
    }
    Ok(MirrorConfig { source, sessions })
}

fn load_source(at: &At, doc: SourceDoc) -> Result<SourceSpec, ConfigError> {
    let vpc_cidr = match doc.vpc_cidr_block.as_deref() {
        None => None,
        Some(s) => {
            let key = at.key("VpcCidrBlock");
            let net: Ipv4Net = s
                .parse()
                .map_err(|_| invalid(key.clone(), s, "not an IPv4 CIDR block (like 10.0.0.0/16)"))?;
            if !VPC_PREFIX_RANGE.contains(&net.prefix_len()) {
                return Err(invalid(key, s, "a VPC CIDR block is between /16 and /28"));
            }
            Some(net)
        }
    };
    Ok(SourceSpec {
        ip: ipv4(at, "PrivateIpAddress", doc.private_ip_address.as_deref())?,
        mac: mac(at, "MacAddress", doc.mac_address.as_deref())?,
        vpc_cidr,
        router_mac: mac(at, "RouterMacAddress", doc.router_mac_address.as_deref())?,
    })
}

fn load_session(at: &At, doc: SessionDoc) -> Result<SessionSpec, ConfigError> {
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
    let filter = match doc.traffic_mirror_filter {
        None => Filter::accept_all(),
        Some(Object(f)) => load_filter(&at.child("TrafficMirrorFilter"), f)?,
    };
    let target = match doc.traffic_mirror_target {
        None => TargetSpec::default(),
        Some(Object(t)) => load_target(&at.child("TrafficMirrorTarget"), t)?,
    };
    let gbp = doc.gbp.map(|Object(g)| load_gbp(&at.child("Gbp"), g)).transpose()?;
    Ok(SessionSpec { session_number, virtual_network_id, packet_length, filter, target, gbp })
}

fn load_filter(at: &At, doc: FilterDoc) -> Result<Filter, ConfigError> {
    let mut rules = Vec::new();
    for (key, list, direction) in [
        ("IngressFilterRules", doc.ingress_filter_rules, Direction::Ingress),
        ("EgressFilterRules", doc.egress_filter_rules, Direction::Egress),
    ] {
        let list_at = at.child(key);
        for (i, Object(rule)) in list.into_iter().flat_map(|l| l.0).enumerate() {
            rules.push(load_rule(&list_at.index(i), rule, direction)?);
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
    let kind = match doc.r#type.as_deref() {
        None => None,
        Some("network-interface") => Some(TargetKind::NetworkInterface),
        Some("network-load-balancer") => Some(TargetKind::NetworkLoadBalancer),
        Some("gateway-load-balancer-endpoint") => Some(TargetKind::GatewayLoadBalancerEndpoint),
        Some(other) => {
            let reason = "must be \"network-interface\", \"network-load-balancer\" or \"gateway-load-balancer-endpoint\"";
            return Err(invalid(at.key("Type"), other, reason));
        }
    };
    let reason = "must be 68-65535 (68 is the IPv4 minimum)";
    let mtu = optional_in_range(at, "Mtu", doc.mtu, i64::from(MIN_MTU)..=i64::from(u16::MAX), reason)?;
    Ok(TargetSpec {
        kind,
        ip: ipv4(at, "IpAddress", doc.ip_address.as_deref())?,
        mac: mac(at, "MacAddress", doc.mac_address.as_deref())?,
        mtu,
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
