//! The strict reading of a decoder's JSON: every key must be a field or
//! layer of the model ([`super::registry`]), every value of its field's
//! [`Kind`]; a decoder's own extras go under the one extension key
//! [`EXTENSION_KEY`] of a frame, which is never read.
//!
//! What breaks the rules is not dropped silently: each offending key or
//! value becomes a [`Problem`] naming its path (with the closest known key
//! for an unknown one), and is left out of the frame, so that the rest of
//! the frame is still judged.
//!
//! ```
//! use generator::dissection::validate::frame_from_value;
//!
//! let v = serde_json::json!({
//!     "frame": {"number": 1},
//!     "vxlan": {"VNI": 9999999, "flag_i": true, "reserved8": -6},
//!     "extensions": {"my_decoder": {"anything": [1, 2]}}
//! });
//! let (frame, problems) = frame_from_value(&v);
//! let frame = frame.unwrap();
//! assert_eq!(frame.vxlan.unwrap().flag_i, Some(true));
//! let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
//! assert_eq!(text, [
//!     "vxlan.VNI: unknown key (did you mean vxlan.vni?)",
//!     "vxlan.reserved8: -6 is not an 8-bit unsigned integer (byte 7)",
//! ]);
//! ```

use super::registry::{self, Kind};
use super::FrameDissection;
use serde_json::{Map, Value};
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The key of a frame object under which a decoder may put anything of its own.
pub const EXTENSION_KEY: &str = "extensions";

/// Something in a decoder's output that the model does not allow.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// The dotted path of the offending key (`vxlan.VNI`), or empty for the
    /// frame object itself.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Reads one frame object strictly: the frame with every valid field
/// (`None` when not even `frame.number` is usable), and the problems found.
pub fn frame_from_value(value: &Value) -> (Option<FrameDissection>, Vec<Problem>) {
    let mut problems = Vec::new();
    let Value::Object(map) = value else {
        problems.push(Problem {
            path: String::new(),
            message: format!("a frame must be a JSON object, not {}", what(value)),
        });
        return (None, problems);
    };
    let mut clean = Map::new();
    for (k, v) in map {
        if k == EXTENSION_KEY {
            continue;
        }
        if let Some(v) = check(k, v, &mut problems) {
            clean.insert(k.clone(), v);
        }
    }
    match serde_json::from_value::<FrameDissection>(Value::Object(clean)) {
        Ok(frame) => (Some(frame), problems),
        Err(e) => {
            problems.push(Problem { path: String::new(), message: format!("not a frame of the model: {e}") });
            (None, problems)
        }
    }
}

/// Checks the value at `path`; returns what of it is valid.
fn check(path: &str, value: &Value, problems: &mut Vec<Problem>) -> Option<Value> {
    if value.is_null() {
        return None;
    }
    if let Some(field) = registry::field(path) {
        return match check_kind(field.kind, value) {
            Ok(()) => Some(value.clone()),
            Err(why) => {
                problems.push(Problem {
                    path: path.to_owned(),
                    message: format!("{} is not {why} ({})", short(value), field.meaning),
                });
                None
            }
        };
    }
    let generic = registry::generic_path(path);
    if let Some(list) = registry::LAYERS.iter().find(|l| l.strip_suffix("[]") == Some(generic.as_str())) {
        let Value::Array(items) = value else {
            problems.push(Problem {
                path: path.to_owned(),
                message: format!("{} is not a list of objects ({list})", short(value)),
            });
            return None;
        };
        let kept: Vec<Value> = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                check(&format!("{path}[{i}]"), item, problems).unwrap_or(Value::Object(Map::new()))
            })
            .collect();
        return Some(Value::Array(kept));
    }
    if registry::LAYERS.contains(&generic.as_str()) {
        let Value::Object(map) = value else {
            problems.push(Problem {
                path: path.to_owned(),
                message: format!("{} is not an object (a layer)", short(value)),
            });
            return None;
        };
        let mut clean = Map::new();
        for (k, v) in map {
            if let Some(v) = check(&format!("{path}.{k}"), v, problems) {
                clean.insert(k.clone(), v);
            }
        }
        return Some(Value::Object(clean));
    }
    let message = match registry::closest(path) {
        Some(near) => format!("unknown key (did you mean {}?)", with_indices(near, path)),
        None => "unknown key".to_owned(),
    };
    problems.push(Problem { path: path.to_owned(), message });
    None
}

/// `near` (generic) with the list indices of `path` put back where they fit.
fn with_indices(near: &str, path: &str) -> String {
    let mut indices =
        path.match_indices('[').filter_map(|(i, _)| path[i..].find(']').map(|j| &path[i..=i + j]));
    let mut out = String::new();
    let mut rest = near;
    while let Some(at) = rest.find("[]") {
        out.push_str(&rest[..at]);
        out.push_str(indices.next().unwrap_or("[]"));
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    out
}

fn check_kind(kind: Kind, v: &Value) -> Result<(), String> {
    let ok = match kind {
        Kind::Uint(bits) => v.as_u64().is_some_and(|n| bits >= 64 || n >> bits == 0),
        Kind::Bool => v.is_boolean(),
        Kind::Mac => v.as_str().is_some_and(is_mac),
        Kind::Ipv4 => v.as_str().is_some_and(|s| s.parse::<Ipv4Addr>().is_ok()),
        Kind::Ipv6 => v.as_str().is_some_and(|s| s.parse::<Ipv6Addr>().is_ok()),
        Kind::Str => v.is_string(),
        Kind::Hex => v.as_str().is_some_and(|s| s.len() % 2 == 0 && s.bytes().all(|b| b.is_ascii_hexdigit())),
        Kind::UintList(bits) => {
            v.as_array().is_some_and(|a| a.iter().all(|i| check_kind(Kind::Uint(bits), i).is_ok()))
        }
        Kind::List(k) => v.as_array().is_some_and(|a| a.iter().all(|i| check_kind(*k, i).is_ok())),
    };
    if ok {
        Ok(())
    } else {
        Err(kind.describe())
    }
}

fn is_mac(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    parts.len() == 6 && parts.iter().all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// What kind of JSON value `v` is, for messages: `a string`, `a list`.
pub(crate) fn what(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A value as JSON, at most 60 characters.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        let mut t: String = s.chars().take(57).collect();
        t.push_str("...");
        t
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(v: Value) -> Vec<String> {
        frame_from_value(&v).1.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_valid_frame_has_no_problem() {
        let v = json!({"frame": {"number": 3, "captured_len": 60, "truncated": false},
            "outer": {"eth": {"src": "02:AA:bb:cc:dd:ee"}, "ipv4": {"src": "10.0.0.1"}},
            "inner": {"vlan": [{"vid": 4095}], "ipv6": {"src": "2001:db8::1"}},
            "app": {"tls": {"record_content_types": [22], "alpn": ["h2"]}}});
        assert_eq!(problems(v), Vec::<String>::new());
    }

    #[test]
    fn wrong_types_and_ranges() {
        let v = json!({"frame": {"number": 1}, "vxlan": {"vni": 16777216, "flag_g": 1},
            "outer": {"eth": {"src": "02:aa"}, "ipv4": {"ttl": 1.5}},
            "inner": {"vlan": [{"vid": 4096}], "tcp": "x"}});
        assert_eq!(
            problems(v),
            [
                "inner.tcp: \"x\" is not an object (a layer)",
                "inner.vlan[0].vid: 4096 is not a 12-bit unsigned integer (VLAN identifier)",
                "outer.eth.src: \"02:aa\" is not a MAC address (\"02:4f:1a:8c:3e:71\") (source MAC)",
                "outer.ipv4.ttl: 1.5 is not an 8-bit unsigned integer (Time to Live)",
                "vxlan.flag_g: 1 is not a boolean (G: Group Policy ID present)",
                "vxlan.vni: 16777216 is not a 24-bit unsigned integer (VXLAN Network Identifier)",
            ]
        );
    }

    #[test]
    fn unknown_keys_name_the_closest_with_indices() {
        let v = json!({"frame": {"number": 1}, "inner": {"vlan": [{}, {"VID": 5}]}, "Vxlan": {}});
        assert_eq!(
            problems(v),
            [
                "Vxlan: unknown key (did you mean vxlan?)",
                "inner.vlan[1].VID: unknown key (did you mean inner.vlan[1].vid?)"
            ]
        );
    }

    #[test]
    fn no_number_no_frame() {
        let (frame, p) = frame_from_value(&json!({"vxlan": {"vni": 1}}));
        assert!(frame.is_none());
        assert!(p[0].message.contains("not a frame of the model"), "{p:?}");
        let (frame, p) = frame_from_value(&json!([1]));
        assert!(frame.is_none());
        assert_eq!(p[0].message, "a frame must be a JSON object, not a list");
    }
}
