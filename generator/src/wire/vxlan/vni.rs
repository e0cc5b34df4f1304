//! The 24-bit VXLAN Network Identifier (RFC 7348 section 5).

use crate::wire::{Error, Layer, Result};
use core::fmt;
use core::str::FromStr;

/// A 24-bit VXLAN Network Identifier (RFC 7348 section 5): 0 ..= 16,777,215.
///
/// Serializes as a plain number; deserializing a number above [`Vni::MAX`]
/// fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Vni(u32);

impl Vni {
    /// The largest VNI, 2^24 - 1.
    pub const MAX: Vni = Vni(0xff_ffff);

    /// The VNI `value`, or [`Error::TooWide`] when it does not fit in 24 bits.
    pub const fn new(value: u32) -> Result<Vni> {
        if value > Vni::MAX.0 {
            Err(Error::TooWide {
                layer: Layer::Vxlan,
                field: "VNI",
                value: value as u64,
                max: Vni::MAX.0 as u64,
            })
        } else {
            Ok(Vni(value))
        }
    }

    /// The VNI from the three bytes of a header, which cannot exceed [`Vni::MAX`].
    #[inline]
    pub(super) const fn from_u24(value: u32) -> Vni {
        debug_assert!(value <= Vni::MAX.0);
        Vni(value)
    }

    /// The VNI as a number.
    pub const fn value(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Vni {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<u32> for Vni {
    type Error = Error;

    fn try_from(value: u32) -> Result<Vni> {
        Vni::new(value)
    }
}

impl From<Vni> for u32 {
    fn from(vni: Vni) -> u32 {
        vni.0
    }
}

impl FromStr for Vni {
    type Err = Error;

    /// Parses a decimal VNI, `9999999` say.
    fn from_str(s: &str) -> Result<Vni> {
        let value =
            s.parse::<u32>().map_err(|_| Error::Syntax { what: "VNI", problem: "not a decimal number" })?;
        Vni::new(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(0)]
    #[case(1)]
    #[case(9_999_999)]
    #[case(0xff_ffff)]
    fn vni_in_range(#[case] value: u32) {
        let v = Vni::new(value).unwrap();
        assert_eq!(v.value(), value);
        assert_eq!(Vni::try_from(value), Ok(v));
        assert_eq!(u32::from(v), value);
        assert_eq!(v.to_string(), value.to_string());
        assert_eq!(value.to_string().parse::<Vni>(), Ok(v));
    }

    #[rstest]
    #[case(0x100_0000)]
    #[case(u32::MAX)]
    fn vni_out_of_range(#[case] value: u32) {
        assert_eq!(
            Vni::new(value),
            Err(Error::TooWide { layer: Layer::Vxlan, field: "VNI", value: value.into(), max: 0xff_ffff })
        );
        assert!(Vni::try_from(value).is_err());
        assert!(value.to_string().parse::<Vni>().is_err());
    }

    #[test]
    fn vni_max_and_order() {
        assert_eq!(Vni::MAX.value(), 0xff_ffff);
        assert!(Vni::new(1).unwrap() < Vni::new(2).unwrap());
        assert!("-1".parse::<Vni>().is_err());
        assert!("ten".parse::<Vni>().is_err());
    }

    #[test]
    fn vni_serde_is_a_plain_number_with_range_check() {
        let v = Vni::new(9_999_999).unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), "9999999");
        assert_eq!(serde_json::from_str::<Vni>("9999999").unwrap(), v);
        assert_eq!(serde_json::from_str::<Vni>("16777215").unwrap(), Vni::MAX);
        assert!(serde_json::from_str::<Vni>("16777216").is_err());
        assert!(serde_json::from_str::<Vni>("-1").is_err());
        assert!(serde_json::from_str::<Vni>("\"5\"").is_err());
    }
}
