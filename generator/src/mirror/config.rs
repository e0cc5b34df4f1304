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

use super::filter::{Filter, FilterError, FilterRule, PortRange, RuleAction, RULE_NUMBER_RANGE};
use super::session::{Gbp, TargetKind, MAX_PACKET_LENGTH, MAX_SESSIONS_PER_SOURCE, SESSION_NUMBER_RANGE};
use crate::flow::Direction;
use crate::wire::vxlan::Vni;
use crate::wire::{EthernetAddress, IpProtocol};
use ipnet::{IpNet, Ipv4Net};
use serde_json::{Map, Value};
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
}

impl MirrorConfig {
    /// Parses a configuration from JSON text.
    pub fn from_json_str(text: &str) -> Result<MirrorConfig, ConfigError> {
        let root: Value = serde_json::from_str(text)?;
        parse_root(&root)
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
// Keys.

const ROOT_KEYS: &[&str] = &["Source", "TrafficMirrorSessions"];
const ROOT_IGNORED: &[&str] = &["NextToken"];

const SOURCE_KEYS: &[&str] = &["PrivateIpAddress", "MacAddress", "VpcCidrBlock", "RouterMacAddress"];
const SOURCE_IGNORED: &[&str] =
    &["NetworkInterfaceId", "VpcId", "SubnetId", "OwnerId", "Description", "Tags", "TagSet"];

const SESSION_KEYS: &[&str] = &[
    "SessionNumber",
    "VirtualNetworkId",
    "PacketLength",
    "Description",
    "TrafficMirrorFilter",
    "TrafficMirrorTarget",
    "Gbp",
];
const SESSION_IGNORED: &[&str] = &[
    "TrafficMirrorSessionId",
    "TrafficMirrorTargetId",
    "TrafficMirrorFilterId",
    "NetworkInterfaceId",
    "OwnerId",
    "Tags",
];

const FILTER_KEYS: &[&str] = &["IngressFilterRules", "EgressFilterRules", "NetworkServices"];
const FILTER_IGNORED: &[&str] = &["TrafficMirrorFilterId", "Description", "Tags"];

const RULE_KEYS: &[&str] = &[
    "RuleNumber",
    "TrafficDirection",
    "RuleAction",
    "Protocol",
    "SourceCidrBlock",
    "DestinationCidrBlock",
    "SourcePortRange",
    "DestinationPortRange",
    "Description",
];
const RULE_IGNORED: &[&str] = &["TrafficMirrorFilterRuleId", "TrafficMirrorFilterId", "Tags"];

const PORT_RANGE_KEYS: &[&str] = &["FromPort", "ToPort"];

const TARGET_KEYS: &[&str] = &["Type", "IpAddress", "MacAddress", "Mtu"];
const TARGET_IGNORED: &[&str] = &[
    "TrafficMirrorTargetId",
    "NetworkInterfaceId",
    "NetworkLoadBalancerArn",
    "GatewayLoadBalancerEndpointId",
    "Description",
    "OwnerId",
    "Tags",
];

const GBP_KEYS: &[&str] = &["PolicyId", "DontLearn", "PolicyApplied"];

// ---------------------------------------------------------------------------
// JSON walking helpers.

/// A JSON object with the path that leads to it.
struct Obj<'a> {
    path: String,
    map: &'a Map<String, Value>,
}

impl<'a> Obj<'a> {
    /// `value` as an object, checking its keys: `known` are used, `ignored`
    /// are AWS keys we accept and drop, anything else is an error.
    fn new(path: String, value: &'a Value, known: &[&str], ignored: &[&str]) -> Result<Obj<'a>, ConfigError> {
        let Value::Object(map) = value else {
            let key = if path.is_empty() { "(top level)".to_string() } else { path };
            return Err(wrong_type(key, "an object", value));
        };
        let obj = Obj { path, map };
        if let Some(key) = map.keys().find(|k| !known.contains(&k.as_str()) && !ignored.contains(&k.as_str()))
        {
            return Err(ConfigError::UnknownKey { key: obj.key_path(key) });
        }
        Ok(obj)
    }

    fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The value of `key`; JSON `null` counts as absent.
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn require(&self, key: &str) -> Result<&'a Value, ConfigError> {
        self.get(key).ok_or_else(|| ConfigError::Missing { key: self.key_path(key) })
    }

    /// An integer in `range`, or `None` when absent.
    fn int(
        &self,
        key: &str,
        range: core::ops::RangeInclusive<i64>,
        reason: &str,
    ) -> Result<Option<i64>, ConfigError> {
        let Some(v) = self.get(key) else { return Ok(None) };
        let path = self.key_path(key);
        let n = v.as_i64().ok_or_else(|| wrong_type(path.clone(), "an integer", v))?;
        if !range.contains(&n) {
            return Err(invalid(path, v, reason));
        }
        Ok(Some(n))
    }

    fn required_int(
        &self,
        key: &str,
        range: core::ops::RangeInclusive<i64>,
        reason: &str,
    ) -> Result<i64, ConfigError> {
        self.require(key)?;
        self.int(key, range, reason).map(|n| n.unwrap_or_default())
    }

    fn str(&self, key: &str) -> Result<Option<&'a str>, ConfigError> {
        let Some(v) = self.get(key) else { return Ok(None) };
        v.as_str().map(Some).ok_or_else(|| wrong_type(self.key_path(key), "a string", v))
    }

    fn required_str(&self, key: &str) -> Result<&'a str, ConfigError> {
        self.require(key)?;
        self.str(key).map(|s| s.unwrap_or_default())
    }

    fn bool(&self, key: &str) -> Result<Option<bool>, ConfigError> {
        let Some(v) = self.get(key) else { return Ok(None) };
        v.as_bool().map(Some).ok_or_else(|| wrong_type(self.key_path(key), "true or false", v))
    }

    fn array(&self, key: &str) -> Result<Option<&'a Vec<Value>>, ConfigError> {
        let Some(v) = self.get(key) else { return Ok(None) };
        v.as_array().map(Some).ok_or_else(|| wrong_type(self.key_path(key), "a list", v))
    }

    /// A string parsed with `FromStr`, or `None` when absent.
    fn parsed<T: core::str::FromStr>(&self, key: &str, reason: &str) -> Result<Option<T>, ConfigError> {
        let Some(s) = self.str(key)? else { return Ok(None) };
        s.parse().map(Some).map_err(|_| invalid(self.key_path(key), &Value::from(s), reason))
    }

    fn ipv4(&self, key: &str) -> Result<Option<Ipv4Addr>, ConfigError> {
        self.parsed(key, "not an IPv4 address (like 10.0.1.5)")
    }

    fn cidr(&self, key: &str) -> Result<IpNet, ConfigError> {
        self.require(key)?;
        let net = self.parsed(key, "not a CIDR block (like 10.0.0.0/16 or ::/0)")?;
        Ok(net.unwrap_or_default())
    }

    /// A unicast MAC address, or `None` when absent.
    fn mac(&self, key: &str) -> Result<Option<EthernetAddress>, ConfigError> {
        let mac: Option<EthernetAddress> = self.parsed(key, "not a MAC address (like 02:1a:2b:3c:4d:5e)")?;
        if mac.is_some_and(|m| m.is_multicast()) {
            let raw = self.get(key).unwrap_or(&Value::Null);
            return Err(invalid(
                self.key_path(key),
                raw,
                "is a group (multicast) address, not an interface's",
            ));
        }
        Ok(mac)
    }
}

fn index_path(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
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
    let kind = match found {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    };
    ConfigError::WrongType { key, expected, found: format!("{kind} {}", show(found)) }
}

fn invalid(key: String, value: &Value, reason: &str) -> ConfigError {
    ConfigError::InvalidValue { key, value: show(value), reason: reason.to_string() }
}

// ---------------------------------------------------------------------------
// The shapes.

fn parse_root(root: &Value) -> Result<MirrorConfig, ConfigError> {
    let wrapped = root.as_object().is_some_and(|m| m.contains_key("TrafficMirrorSessions"));
    if !wrapped {
        let session = parse_session(String::new(), root)?;
        return Ok(MirrorConfig { source: None, sessions: vec![session] });
    }
    let obj = Obj::new(String::new(), root, ROOT_KEYS, ROOT_IGNORED)?;
    let source = obj.get("Source").map(|v| parse_source(obj.key_path("Source"), v)).transpose()?;
    let list = obj.array("TrafficMirrorSessions")?.ok_or(ConfigError::NoSessions)?;
    if list.is_empty() {
        return Err(ConfigError::NoSessions);
    }
    if list.len() > MAX_SESSIONS_PER_SOURCE {
        return Err(ConfigError::TooManySessions { count: list.len() });
    }
    let path = obj.key_path("TrafficMirrorSessions");
    let mut sessions: Vec<SessionSpec> = Vec::with_capacity(list.len());
    for (i, v) in list.iter().enumerate() {
        let session = parse_session(index_path(&path, i), v)?;
        if let Some(first) = sessions.iter().position(|s| s.session_number == session.session_number) {
            return Err(ConfigError::InvalidValue {
                key: format!("{}.SessionNumber", index_path(&path, i)),
                value: session.session_number.to_string(),
                reason: format!(
                    "already used by {}; session numbers must be unique",
                    index_path(&path, first)
                ),
            });
        }
        sessions.push(session);
    }
    Ok(MirrorConfig { source, sessions })
}

fn parse_source(path: String, value: &Value) -> Result<SourceSpec, ConfigError> {
    let obj = Obj::new(path, value, SOURCE_KEYS, SOURCE_IGNORED)?;
    let vpc_cidr = match obj.str("VpcCidrBlock")? {
        None => None,
        Some(s) => {
            let key = obj.key_path("VpcCidrBlock");
            let net: Ipv4Net = s.parse().map_err(|_| {
                invalid(key.clone(), &Value::from(s), "not an IPv4 CIDR block (like 10.0.0.0/16)")
            })?;
            if !VPC_PREFIX_RANGE.contains(&net.prefix_len()) {
                return Err(invalid(key, &Value::from(s), "a VPC CIDR block is between /16 and /28"));
            }
            Some(net)
        }
    };
    Ok(SourceSpec {
        ip: obj.ipv4("PrivateIpAddress")?,
        mac: obj.mac("MacAddress")?,
        vpc_cidr,
        router_mac: obj.mac("RouterMacAddress")?,
    })
}

fn parse_session(path: String, value: &Value) -> Result<SessionSpec, ConfigError> {
    let obj = Obj::new(path, value, SESSION_KEYS, SESSION_IGNORED)?;
    let session_number = obj.required_int(
        "SessionNumber",
        i64::from(*SESSION_NUMBER_RANGE.start())..=i64::from(*SESSION_NUMBER_RANGE.end()),
        "must be 1-32766",
    )?;
    let vni = obj.int("VirtualNetworkId", 0..=i64::from(MAX_VIRTUAL_NETWORK_ID), "must be 0-16777215")?;
    let virtual_network_id = vni
        .map(|n| {
            // In range by the check above; `Vni::new` has the final word.
            let key = obj.key_path("VirtualNetworkId");
            u32::try_from(n)
                .ok()
                .and_then(|n| Vni::new(n).ok())
                .ok_or_else(|| invalid(key, &Value::from(n), "must be 0-16777215"))
        })
        .transpose()?;
    let packet_length = obj.int("PacketLength", 1..=i64::from(MAX_PACKET_LENGTH), "must be 1-8500")?;
    obj.str("Description")?;
    let filter = match obj.get("TrafficMirrorFilter") {
        None => Filter::accept_all(),
        Some(v) => parse_filter(obj.key_path("TrafficMirrorFilter"), v)?,
    };
    let target = match obj.get("TrafficMirrorTarget") {
        None => TargetSpec::default(),
        Some(v) => parse_target(obj.key_path("TrafficMirrorTarget"), v)?,
    };
    let gbp = obj.get("Gbp").map(|v| parse_gbp(obj.key_path("Gbp"), v)).transpose()?;
    Ok(SessionSpec {
        // The ranges checked above make these conversions lossless.
        session_number: u16::try_from(session_number).unwrap_or_default(),
        virtual_network_id,
        packet_length: packet_length.map(|n| u16::try_from(n).unwrap_or_default()),
        filter,
        target,
        gbp,
    })
}

fn parse_filter(path: String, value: &Value) -> Result<Filter, ConfigError> {
    let obj = Obj::new(path, value, FILTER_KEYS, FILTER_IGNORED)?;
    let mut rules = Vec::new();
    for (key, direction) in
        [("IngressFilterRules", Direction::Ingress), ("EgressFilterRules", Direction::Egress)]
    {
        let list_path = obj.key_path(key);
        for (i, v) in obj.array(key)?.into_iter().flatten().enumerate() {
            rules.push(parse_rule(index_path(&list_path, i), v, direction)?);
        }
    }
    let mut amazon_dns = false;
    let services_path = obj.key_path("NetworkServices");
    for (i, v) in obj.array("NetworkServices")?.into_iter().flatten().enumerate() {
        match v.as_str() {
            Some("amazon-dns") => amazon_dns = true,
            Some(_) => {
                return Err(invalid(
                    index_path(&services_path, i),
                    v,
                    "the only network service is \"amazon-dns\"",
                ))
            }
            None => return Err(wrong_type(index_path(&services_path, i), "a string", v)),
        }
    }
    Filter::new(rules, amazon_dns).map_err(|source| ConfigError::Filter { key: obj.path.clone(), source })
}

fn parse_rule(path: String, value: &Value, direction: Direction) -> Result<FilterRule, ConfigError> {
    let obj = Obj::new(path, value, RULE_KEYS, RULE_IGNORED)?;
    let rule_number = obj.required_int(
        "RuleNumber",
        i64::from(*RULE_NUMBER_RANGE.start())..=i64::from(*RULE_NUMBER_RANGE.end()),
        "must be 1-32766",
    )?;
    if let Some(s) = obj.str("TrafficDirection")? {
        if s != direction.as_str() {
            let reason = format!(
                "a rule in {}FilterRules must have TrafficDirection \"{}\"",
                if direction == Direction::Ingress { "Ingress" } else { "Egress" },
                direction.as_str()
            );
            return Err(invalid(obj.key_path("TrafficDirection"), &Value::from(s), &reason));
        }
    }
    let action = match obj.required_str("RuleAction")? {
        "accept" => RuleAction::Accept,
        "reject" => RuleAction::Reject,
        other => {
            return Err(invalid(
                obj.key_path("RuleAction"),
                &Value::from(other),
                "must be \"accept\" or \"reject\"",
            ))
        }
    };
    let protocol =
        match obj.int("Protocol", -1..=255, "must be an IANA protocol number 0-255, or -1 for all")? {
            None | Some(-1) => None,
            Some(n) => Some(IpProtocol(u8::try_from(n).unwrap_or_default())),
        };
    let source_cidr = obj.cidr("SourceCidrBlock")?;
    let destination_cidr = obj.cidr("DestinationCidrBlock")?;
    let source_port_range = parse_port_range(&obj, "SourcePortRange")?;
    let destination_port_range = parse_port_range(&obj, "DestinationPortRange")?;
    let description = obj.str("Description")?.map(str::to_string);
    let rule = FilterRule {
        rule_number: u16::try_from(rule_number).unwrap_or_default(),
        direction,
        action,
        protocol,
        source_cidr,
        destination_cidr,
        source_port_range,
        destination_port_range,
        description,
    };
    rule.validate().map_err(|source| ConfigError::Filter { key: obj.path.clone(), source })?;
    Ok(rule)
}

fn parse_port_range(rule: &Obj<'_>, key: &str) -> Result<Option<PortRange>, ConfigError> {
    let Some(v) = rule.get(key) else { return Ok(None) };
    let obj = Obj::new(rule.key_path(key), v, PORT_RANGE_KEYS, &[])?;
    let port = |k| {
        obj.required_int(k, 0..=65535, "must be a port 0-65535").map(|n| u16::try_from(n).unwrap_or_default())
    };
    Ok(Some(PortRange { from_port: port("FromPort")?, to_port: port("ToPort")? }))
}

fn parse_target(path: String, value: &Value) -> Result<TargetSpec, ConfigError> {
    let obj = Obj::new(path, value, TARGET_KEYS, TARGET_IGNORED)?;
    let kind = match obj.str("Type")? {
        None => None,
        Some("network-interface") => Some(TargetKind::NetworkInterface),
        Some("network-load-balancer") => Some(TargetKind::NetworkLoadBalancer),
        Some("gateway-load-balancer-endpoint") => Some(TargetKind::GatewayLoadBalancerEndpoint),
        Some(other) => return Err(invalid(
            obj.key_path("Type"),
            &Value::from(other),
            "must be \"network-interface\", \"network-load-balancer\" or \"gateway-load-balancer-endpoint\"",
        )),
    };
    let mtu = obj.int(
        "Mtu",
        i64::from(MIN_MTU)..=i64::from(u16::MAX),
        "must be 68-65535 (68 is the IPv4 minimum)",
    )?;
    Ok(TargetSpec {
        kind,
        ip: obj.ipv4("IpAddress")?,
        mac: obj.mac("MacAddress")?,
        mtu: mtu.map(|n| u16::try_from(n).unwrap_or_default()),
    })
}

fn parse_gbp(path: String, value: &Value) -> Result<Gbp, ConfigError> {
    let obj = Obj::new(path, value, GBP_KEYS, &[])?;
    let policy_id = obj.int("PolicyId", 0..=65535, "must be 0-65535")?.unwrap_or_default();
    Ok(Gbp {
        policy_id: u16::try_from(policy_id).unwrap_or_default(),
        dont_learn: obj.bool("DontLearn")?.unwrap_or(false),
        policy_applied: obj.bool("PolicyApplied")?.unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
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
                "NextToken": null
            })
            .to_string(),
        )
        .unwrap();
        let s = &c.sessions[0];
        assert_eq!(s.virtual_network_id.map(Vni::value), Some(0));
        assert_eq!(s.packet_length, None);
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
                            "TrafficMirrorFilterRuleId": "tmfr-1", "TrafficMirrorFilterId": "tmf-1", "Tags": []
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
                ip: Some(Ipv4Addr::new(10, 0, 9, 9)),
                mac: Some(EthernetAddress([6, 0, 0, 0, 0, 9])),
                mtu: Some(68),
            }
        );
        assert_eq!(s.gbp, Some(Gbp { dont_learn: true, policy_applied: false, policy_id: 65535 }));
    }

    #[test]
    fn protocol_absent_or_minus_one_is_all() {
        for protocol in [Value::Null, json!(-1)] {
            let c =
                MirrorConfig::from_json_str(&with_rule(json!({ "Protocol": protocol })).to_string()).unwrap();
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
        assert_eq!(message(json!({ "Source": {}, "SessionNumber": 1 })), "Source: unknown key");
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
        let c =
            MirrorConfig::from_json_str(&src(json!({ "VpcCidrBlock": "10.0.0.0/28" })).to_string()).unwrap();
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
        assert_eq!(
            web.filter.evaluate(Direction::Ingress, &ssh, &vpc),
            Verdict::Rejected { rule_number: 10 }
        );
        assert_eq!(web.filter.evaluate(Direction::Ingress, &http, &vpc), Verdict::Mirror { rule_number: 20 });
        let dns = PacketKey::udp(instance, [10, 0, 0, 2].into(), 40000, 53);
        assert_eq!(web.filter.evaluate(Direction::Egress, &dns, &vpc), Verdict::MirrorAmazonDns);
        assert_eq!(rest.filter.evaluate(Direction::Egress, &dns, &vpc), Verdict::AmazonDnsNotSelected);
    }
}
