//! The control bits of a TCP header (RFC 9293 section 3.1; ECE and CWR from
//! RFC 3168 section 6.1).

use core::fmt;
use core::ops::{BitOr, BitOrAssign};

/// The control bits of a TCP header (RFC 9293 section 3.1; ECE and CWR from
/// RFC 3168 section 6.1).
///
/// The value holds the twelve bits after the data offset: the eight control
/// bits and, above them, the four reserved bits, which are carried through
/// unchanged. Bits above `0x0fff` do not exist on the wire; emit drops them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TcpFlags(pub u16);

impl TcpFlags {
    /// No more data from sender.
    pub const FIN: TcpFlags = TcpFlags(0x01);
    /// Synchronize sequence numbers.
    pub const SYN: TcpFlags = TcpFlags(0x02);
    /// Reset the connection.
    pub const RST: TcpFlags = TcpFlags(0x04);
    /// Push function.
    pub const PSH: TcpFlags = TcpFlags(0x08);
    /// Acknowledgment field is significant.
    pub const ACK: TcpFlags = TcpFlags(0x10);
    /// Urgent pointer field is significant.
    pub const URG: TcpFlags = TcpFlags(0x20);
    /// ECN-Echo (RFC 3168).
    pub const ECE: TcpFlags = TcpFlags(0x40);
    /// Congestion Window Reduced (RFC 3168).
    pub const CWR: TcpFlags = TcpFlags(0x80);

    const NAMES: [(TcpFlags, &'static str); 8] = [
        (TcpFlags::FIN, "FIN"),
        (TcpFlags::SYN, "SYN"),
        (TcpFlags::RST, "RST"),
        (TcpFlags::PSH, "PSH"),
        (TcpFlags::ACK, "ACK"),
        (TcpFlags::URG, "URG"),
        (TcpFlags::ECE, "ECE"),
        (TcpFlags::CWR, "CWR"),
    ];

    /// Whether every bit of `other` is set in `self`.
    pub const fn contains(self, other: TcpFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no bit is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl BitOr for TcpFlags {
    type Output = TcpFlags;

    fn bitor(self, rhs: TcpFlags) -> TcpFlags {
        TcpFlags(self.0 | rhs.0)
    }
}

impl BitOrAssign for TcpFlags {
    fn bitor_assign(&mut self, rhs: TcpFlags) {
        self.0 |= rhs.0
    }
}

impl fmt::Display for TcpFlags {
    /// Names joined by `|` from the lowest bit up (`SYN|ACK`); bits without a
    /// name as one trailing hex number (`ACK|0x100`); no bit at all as `none`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        let mut sep = "";
        let mut rest = self.0;
        for (flag, name) in TcpFlags::NAMES {
            if self.contains(flag) {
                write!(f, "{sep}{name}")?;
                sep = "|";
                rest &= !flag.0;
            }
        }
        if rest != 0 {
            write!(f, "{sep}0x{rest:x}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(TcpFlags::SYN | TcpFlags::ACK, "SYN|ACK")]
    #[case(TcpFlags::FIN | TcpFlags::PSH | TcpFlags::ACK, "FIN|PSH|ACK")]
    #[case(TcpFlags(0xff), "FIN|SYN|RST|PSH|ACK|URG|ECE|CWR")]
    #[case(TcpFlags::ACK | TcpFlags(0x300), "ACK|0x300")]
    #[case(TcpFlags(0x100), "0x100")]
    #[case(TcpFlags(0), "none")]
    fn flags_display(#[case] flags: TcpFlags, #[case] text: &str) {
        assert_eq!(flags.to_string(), text);
    }

    #[test]
    fn flags_combine_and_contain() {
        let mut flags = TcpFlags::SYN;
        flags |= TcpFlags::ACK;
        assert!(flags.contains(TcpFlags::SYN | TcpFlags::ACK));
        assert!(flags.contains(TcpFlags::ACK));
        assert!(!flags.contains(TcpFlags::FIN | TcpFlags::ACK));
        assert!(flags.contains(TcpFlags::default()));
        assert!(!flags.is_empty());
    }
}
