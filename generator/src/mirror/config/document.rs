//! The file's shape, as serde derives it: one struct per JSON object, keys
//! in the EC2 API's PascalCase, unknown keys refused (`deny_unknown_fields`)
//! and the AWS keys that do not matter here accepted and dropped.
//!
//! Values are kept loose (integers as [`Int`], enumerations and addresses as
//! strings) and every key is optional, JSON `null` counting as absent as in
//! the AWS CLI's output: what a value may be, and which keys are required, is
//! checked by the parent module, which words each refusal. Here only the JSON
//! types are checked; [`read`] turns serde's error into a [`ConfigError`]
//! naming the key's path (from `serde_path_to_error`) and the value found.

use super::ConfigError;
use core::fmt;
use core::marker::PhantomData;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// An AWS key that is accepted and dropped (whatever its value).
type Ignored = Option<IgnoredAny>;

/// `{ "Source": {...}, "TrafficMirrorSessions": [...], "TrafficMirrorFilters":
/// [...], "TrafficMirrorTargets": [...] }`: our own file, the output of one of
/// `aws ec2 describe-traffic-mirror-sessions`, `-filters`, `-targets`, or
/// their merge.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub(super) struct FileDoc {
    pub source: Option<Object<SourceDoc>>,
    pub traffic_mirror_sessions: Option<List<Object<SessionDoc>>>,
    pub traffic_mirror_filters: Option<List<Object<FilterDoc>>>,
    pub traffic_mirror_targets: Option<List<Object<TargetDoc>>>,
    /// Pagination token the AWS CLI prints (a string); dropped.
    _next_token: Option<String>,
}

/// `Source`: the mirrored network interface (our own object: AWS's outputs
/// do not describe the ENI).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub(super) struct SourceDoc {
    pub network_interface_id: Option<String>,
    pub private_ip_address: Option<String>,
    pub mac_address: Option<String>,
    pub vpc_cidr_block: Option<String>,
    pub subnet_cidr_block: Option<String>,
    pub router_mac_address: Option<String>,
    // Dropped: what `describe-network-interfaces` also prints.
    _vpc_id: Ignored,
    _subnet_id: Ignored,
    _owner_id: Ignored,
    _description: Ignored,
    _tags: Ignored,
    _tag_set: Ignored,
}

/// One TrafficMirrorSession (EC2 API reference, "TrafficMirrorSession").
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub(super) struct SessionDoc {
    pub session_number: Option<Int>,
    pub virtual_network_id: Option<Int>,
    pub packet_length: Option<Int>,
    /// Must be a string, then dropped.
    _description: Option<String>,
    pub traffic_mirror_filter_id: Option<String>,
    pub traffic_mirror_target_id: Option<String>,
    pub network_interface_id: Option<String>,
    /// Our own: the filter and target embedded rather than joined by id.
    pub traffic_mirror_filter: Option<Object<FilterDoc>>,
    pub traffic_mirror_target: Option<Object<TargetDoc>>,
    pub gbp: Option<Object<GbpDoc>>,
    // Checked for their JSON types, then dropped.
    pub traffic_mirror_session_id: Option<String>,
    _owner_id: Option<String>,
    _tags: Option<List<Object<TagDoc>>>,
    /// The API's `tagSet`, as some tools print it.
    _tag_set: Option<List<Object<TagDoc>>>,
}

/// One TrafficMirrorFilter, as `describe-traffic-mirror-filters` prints it
/// (EC2 API reference, "TrafficMirrorFilter").
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub(super) struct FilterDoc {
    pub traffic_mirror_filter_id: Option<String>,
    pub ingress_filter_rules: Option<List<Object<RuleDoc>>>,
    pub egress_filter_rules: Option<List<Object<RuleDoc>>>,
    pub network_services: Option<List<String>>,
    // Checked for their JSON types, then dropped.
    _description: Option<String>,
    _tags: Option<List<Object<TagDoc>>>,
    /// The API's `tagSet`, as some tools print it.
    _tag_set: Option<List<Object<TagDoc>>>,
}

/// One TrafficMirrorFilterRule (EC2 API reference, "TrafficMirrorFilterRule").
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub(super) struct RuleDoc {
    pub rule_number: Option<Int>,
    pub traffic_direction: Option<String>,
    pub rule_action: Option<String>,
    pub protocol: Option<Int>,
    pub source_cidr_block: Option<String>,
    pub destination_cidr_block: Option<String>,
    pub source_port_range: Option<Object<PortRangeDoc>>,
    pub destination_port_range: Option<Object<PortRangeDoc>>,
    pub description: Option<String>,
    pub traffic_mirror_filter_id: Option<String>,
    // Checked for their JSON types, then dropped.
    _traffic_mirror_filter_rule_id: Option<String>,
    _tags: Option<List<Object<TagDoc>>>,
    /// The API's `tagSet`, as some tools print it.
    _tag_set: Option<List<Object<TagDoc>>>,
}

/// TrafficMirrorPortRange.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub(super) struct PortRangeDoc {
    pub from_port: Option<Int>,
    pub to_port: Option<Int>,
}

/// One TrafficMirrorTarget, as `describe-traffic-mirror-targets` prints it
/// (EC2 API reference, "TrafficMirrorTarget"), with our own `IpAddress`,
/// `MacAddress`, `Mtu`, `SubnetCidrBlock` and `RouterMacAddress`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub(super) struct TargetDoc {
    pub traffic_mirror_target_id: Option<String>,
    pub r#type: Option<String>,
    pub network_interface_id: Option<String>,
    pub network_load_balancer_arn: Option<String>,
    pub gateway_load_balancer_endpoint_id: Option<String>,
    pub ip_address: Option<String>,
    pub mac_address: Option<String>,
    pub mtu: Option<Int>,
    pub subnet_cidr_block: Option<String>,
    pub router_mac_address: Option<String>,
    // Checked for their JSON types, then dropped.
    _description: Option<String>,
    _owner_id: Option<String>,
    _tags: Option<List<Object<TagDoc>>>,
    /// The API's `tagSet`, as some tools print it.
    _tag_set: Option<List<Object<TagDoc>>>,
}

/// One tag, `{ "Key": "Name", "Value": "ids" }` (EC2 API reference, "Tag").
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub(super) struct TagDoc {
    _key: Option<String>,
    _value: Option<String>,
}

/// `Gbp`: our test knobs.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub(super) struct GbpDoc {
    pub policy_id: Option<Int>,
    pub dont_learn: Option<Flag>,
    pub policy_applied: Option<Flag>,
}

// ---------------------------------------------------------------------------
// JSON types, each with the words an error uses for it.

const AN_OBJECT: &str = "an object";
const A_LIST: &str = "a list";
const AN_INTEGER: &str = "an integer";
const A_STRING: &str = "a string";
const TRUE_OR_FALSE: &str = "true or false";

/// What an error may say was expected (`String` says "a string" itself).
const EXPECTATIONS: [&str; 5] = [AN_OBJECT, A_LIST, AN_INTEGER, A_STRING, TRUE_OR_FALSE];

/// A JSON object and nothing else (a derived struct alone would also take a
/// list, field by field).
#[derive(Debug)]
pub(super) struct Object<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = Object<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(AN_OBJECT)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Object<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Object)
            }
        }
        deserializer.deserialize_map(ObjectVisitor(PhantomData))
    }
}

/// A JSON list.
#[derive(Debug)]
pub(super) struct List<T>(pub Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
            type Value = List<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(A_LIST)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(List(items))
            }
        }
        deserializer.deserialize_seq(ListVisitor(PhantomData))
    }
}

/// A JSON integer that fits an `i64` (not `1.0`, not `"1"`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Int(pub i64);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IntVisitor;
        impl Visitor<'_> for IntVisitor {
            type Value = Int;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(AN_INTEGER)
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Int, E> {
                Ok(Int(n))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Int, E> {
                i64::try_from(n).map(Int).map_err(|_| E::invalid_type(de::Unexpected::Unsigned(n), &self))
            }
        }
        deserializer.deserialize_i64(IntVisitor)
    }
}

/// A JSON `true` or `false`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Flag(pub bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FlagVisitor;
        impl Visitor<'_> for FlagVisitor {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(TRUE_OR_FALSE)
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Flag, E> {
                Ok(Flag(b))
            }
        }
        deserializer.deserialize_bool(FlagVisitor)
    }
}

// ---------------------------------------------------------------------------
// Reading, and serde's errors in our words.

/// `root` as a `T`, or the first JSON type or key that does not fit, named by
/// its path: `TrafficMirrorSessions[0].Foo: unknown key`,
/// `SessionNumber: expected an integer, found a string "1"`.
pub(super) fn read<T: for<'de> Deserialize<'de>>(root: &Value) -> Result<T, ConfigError> {
    serde_path_to_error::deserialize(root).map_err(|e| shape_error(root, &e))
}

fn shape_error(root: &Value, err: &serde_path_to_error::Error<serde_json::Error>) -> ConfigError {
    let path = err.path();
    let key = if path.iter().next().is_none() { "(top level)".to_string() } else { path.to_string() };
    let message = err.inner().to_string();
    // serde's words: "unknown field `Foo`, expected one of ..." and
    // "invalid type: string \"1\", expected an integer" (the expectation is
    // one of ours: see the visitors above).
    if message.starts_with("unknown field `") {
        return ConfigError::UnknownKey { key };
    }
    let expected =
        message.rsplit_once(", expected ").and_then(|(_, e)| EXPECTATIONS.into_iter().find(|x| *x == e));
    match expected {
        Some(expected) => super::wrong_type(key, expected, value_at(root, path).unwrap_or(&Value::Null)),
        None => ConfigError::Shape { key, message },
    }
}

/// The value at `path` in `root`.
fn value_at<'v>(root: &'v Value, path: &serde_path_to_error::Path) -> Option<&'v Value> {
    use serde_path_to_error::Segment;
    path.iter().try_fold(root, |v, segment| match segment {
        Segment::Seq { index } => v.get(*index),
        Segment::Map { key } => v.get(key.as_str()),
        _ => None,
    })
}
