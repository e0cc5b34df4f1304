//! The one flattener: a dissection (or any JSON value of the model's form)
//! as *leaves*, dotted paths to values, in path order.
//!
//! A list of layers is indexed (`inner.vlan[1].vid`, `geneve.options[0].data`);
//! a list of scalars is one leaf (`app.tls.record_content_types`); `null` and
//! empty lists are absent (a field is either reported or not). The paths are
//! those of [`super::registry`], with concrete indices.
//!
//! ```
//! use generator::dissection::{flatten::leaves, FrameDissection, FrameFacts};
//!
//! let f = FrameDissection::new(FrameFacts::complete(7, 60));
//! let fields = leaves(&f);
//! assert_eq!(fields.get("frame.number"), Some(&serde_json::json!(7)));
//! assert_eq!(fields.get("frame.truncated"), Some(&serde_json::json!(false)));
//! assert!(!fields.contains_key("vxlan.vni"));
//! ```

use super::FrameDissection;
use serde_json::Value;
use std::collections::BTreeMap;

/// The leaves of one frame.
pub fn leaves(frame: &FrameDissection) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    // A dissection is plain data: serializing it cannot fail.
    if let Ok(v) = serde_json::to_value(frame) {
        walk_owned(v, &mut String::with_capacity(64), &mut out);
    }
    out
}

/// The leaves of a JSON value below `prefix`, added to `out`.
pub fn value_leaves(value: &Value, prefix: &str, out: &mut BTreeMap<String, Value>) {
    let mut path = String::with_capacity(64);
    path.push_str(prefix);
    walk_owned(value.clone(), &mut path, out);
}

/// The leaves below `path`, with the path built in one buffer (each key
/// pushed on the way down and cut off on the way back) and the leaves moved
/// out of the value, not copied.
fn walk_owned(value: Value, path: &mut String, out: &mut BTreeMap<String, Value>) {
    let len = path.len();
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if len > 0 {
                    path.push('.');
                }
                path.push_str(&k);
                walk_owned(v, path, out);
                path.truncate(len);
            }
        }
        Value::Array(items) if items.is_empty() => {}
        Value::Array(items) if items.iter().all(Value::is_object) => {
            let mut digits = itoa::Buffer::new();
            for (i, v) in items.into_iter().enumerate() {
                path.push('[');
                path.push_str(digits.format(i));
                path.push(']');
                walk_owned(v, path, out);
                path.truncate(len);
            }
        }
        Value::Null => {}
        other => {
            out.insert(path.clone(), other);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissection::{registry, App, FrameFacts, Inner, Tls, Vlan};

    #[test]
    fn lists_of_layers_are_indexed_lists_of_scalars_are_one_leaf() {
        let mut f = FrameDissection::new(FrameFacts::complete(1, 100));
        f.inner = Some(Inner {
            vlan: vec![Vlan { vid: Some(10), ..Vlan::default() }, Vlan { vid: Some(20), ..Vlan::default() }],
            ..Inner::default()
        });
        f.app = Some(App {
            tls: Some(Tls { record_content_types: vec![22, 20], ..Tls::default() }),
            ..App::default()
        });
        let l = leaves(&f);
        assert_eq!(l["inner.vlan[1].vid"], serde_json::json!(20));
        assert_eq!(l["app.tls.record_content_types"], serde_json::json!([22, 20]));
        for path in l.keys() {
            assert!(registry::field(path).is_some(), "{path} is not in the registry");
        }
    }
}
