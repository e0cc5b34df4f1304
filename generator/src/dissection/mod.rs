//! The dissection model: what a correct decoder reports for each frame of an
//! AWS VPC Traffic Mirroring capture, field by field.
//!
//! One set of types serves three parties:
//!
//! * the generator, which writes the *expected* dissection of every corpus
//!   vector from the `Repr`s it built the bytes from (ground truth, never
//!   obtained by parsing bytes or running a decoder; see [`crate::vectors`]);
//! * the reference decoder and the adapters of the conformance runner, which
//!   translate a decoder's output into these types;
//! * the runner, which compares the two field by field.
//!
//! Every field is optional (`skip_serializing_if = "Option::is_none"`): a
//! decoder's output *omits what it does not know*, and an expected
//! dissection omits what is not in the captured bytes (a field cut off by
//! truncation is absent, not zero). A field is present only when all of its
//! bytes were captured. A layer is absent when none of its fields is whole.
//!
//! Names are snake_case and stable: renaming one is a breaking change of
//! [`FORMAT_VERSION`]. Addresses are strings (`"10.0.1.23"`, `"2001:db8::1"`,
//! `"02:4f:1a:8c:3e:71"`), numbers are JSON numbers, flags are booleans next
//! to the raw word they come from. docs/dissection.md documents every field
//! with its specification clause and its tshark counterpart; the same
//! correspondence is [`tshark::FIELD_MAP`] in code.
//!
//! ```
//! use generator::dissection::{FrameDissection, FrameFacts, Vxlan};
//!
//! let mut frame = FrameDissection::new(FrameFacts::complete(1, 148));
//! frame.vxlan = Some(Vxlan::from_repr(&generator::wire::vxlan::Repr::rfc7348(
//!     generator::wire::vxlan::Vni::new(9_999_999).unwrap(),
//! ), 8));
//! let json = serde_json::to_value(&frame).unwrap();
//! assert_eq!(json["vxlan"]["flags16"], 0x0800);
//! assert_eq!(json["vxlan"]["flag_i"], true);
//! assert_eq!(json["vxlan"]["vni"], 9_999_999);
//! assert!(json.get("inner").is_none()); // omitted, not null
//! let back: FrameDissection = serde_json::from_value(json).unwrap();
//! assert_eq!(back, frame);
//! ```

mod convert;
pub mod flatten;
mod model;
pub mod registry;
pub mod validate;

pub(crate) use convert::keep;
pub use model::*;

/// Version of the dissection format. It changes when a field is renamed,
/// removed or changes meaning; adding an optional field does not change it.
pub const FORMAT_VERSION: u32 = 1;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::vxlan::{Repr, Vni};
    use crate::wire::EthernetAddress;

    #[test]
    fn vxlan_both_views() {
        let v = Vxlan::from_repr(&Repr::gbp(Vni::new(1).unwrap(), 0xffff, true, true), 8);
        assert_eq!(v.flags16, Some(0x8848));
        assert_eq!(v.flags8, Some(0x88));
        assert_eq!(v.reserved24, Some(0x48ffff));
        assert_eq!(
            (v.flag_i, v.flag_g, v.flag_d, v.flag_a),
            (Some(true), Some(true), Some(true), Some(true))
        );
        assert_eq!(v.reserved_flags, Some(0));
        assert_eq!(v.vni, Some(1));
    }

    #[test]
    fn clipped_layers_drop_partial_fields() {
        let eth = crate::wire::ethernet::Repr {
            src_addr: EthernetAddress([2, 0, 0, 0, 0, 1]),
            dst_addr: EthernetAddress([2, 0, 0, 0, 0, 2]),
            ethertype: crate::wire::EtherType::IPV4,
        };
        let e = Ethernet::from_repr(&eth, 8);
        assert_eq!(
            (e.dst.as_deref(), e.src.as_deref(), e.ethertype),
            (Some("02:00:00:00:00:02"), None, None)
        );
        assert!(keep::eth(Ethernet::from_repr(&eth, 5)).is_none());
    }

    #[test]
    fn unknown_malformed_reason_reads_as_other() {
        let m: Malformation = serde_json::from_str(r#"{"reason":"checksum_bad"}"#).unwrap();
        assert_eq!(m.reason, MalformedReason::Other);
        let m: Malformation = serde_json::from_str(r#"{"reason":"vxlan_header_truncated"}"#).unwrap();
        assert_eq!(m.reason, MalformedReason::VxlanHeaderTruncated);
    }

    #[test]
    fn hex_is_lowercase_without_separators() {
        assert_eq!(hex(&[0x0a, 0xff, 0x00]), "0aff00");
    }
}
