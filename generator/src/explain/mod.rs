//! `vxgen explain`: one frame's bytes, annotated for a learner.
//!
//! [`explain`] walks a captured frame the way AWS builds a mirror copy
//! (outer Ethernet / IPv4 / UDP, GENEVE for a Gateway Load Balancer, VXLAN,
//! then the mirrored frame: Ethernet, 802.1Q tags, IPv4 or IPv6, TCP, UDP or
//! ICMP) and lists every header field as a [`Row`]: where it sits (offset,
//! length and, for a field of a few bits, its mask), its path in the
//! dissection model (`outer.ipv4.ttl`), its value, and the clause of the
//! specification that defines it (from the field
//! [`registry`](crate::dissection::registry)). The eight VXLAN bytes come out
//! once more under both of their readings, side by side ([`VxlanReadings`]):
//! RFC 7348's Flags 8 / Reserved 24 / VNI 24 / Reserved 8 and the Group
//! Policy draft's Flags 16 / Group Policy ID 16 / VNI 24 / Reserved 8, with
//! the I, G, D and A bits picked out. [`render`] prints it as text, with
//! colour when asked (on a terminal).
//!
//! The walk reads what is there and says where it stops: a header cut short
//! by PacketLength, the MTU or a snap length shows the fields it still holds
//! whole and a note. It judges nothing (that is the conformance runner's
//! job) and never fails: any bytes can be explained.
//!
//! ```
//! use generator::explain::{explain, render};
//! use generator::vectors::{build_vector, corpus};
//!
//! let vector = corpus::vectors().into_iter().find(|v| v.id == "gbp-g-d-a").unwrap();
//! let built = build_vector(&vector);
//! let frame = generator::explain::read_frame(&built.capture[..], 1).unwrap();
//! let explained = explain(&frame.data);
//! let vxlan = explained.vxlan.as_ref().unwrap();
//! assert!(vxlan.g() && vxlan.d() && vxlan.a() && vxlan.i());
//! let row = explained.rows.iter().find(|r| r.path == "vxlan.vni").unwrap();
//! assert_eq!((row.offset, row.len), (46, 3));
//! let text = render(&explained, &frame, false);
//! assert!(text.contains("Group Policy ID"));
//! ```

mod read;
mod render;
mod vxlan;
mod walk;

pub use read::{read_frame, CapturedFrame, ReadError};
pub use render::{render, render_vxlan};
pub use vxlan::VxlanReadings;

/// One header field of a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Offset of its first byte in the frame.
    pub offset: usize,
    /// Its length in bytes (the bytes that hold it, for a field of a few bits).
    pub len: usize,
    /// For a field of a few bits: which bits of those bytes, as a mask over
    /// them read big-endian.
    pub mask: Option<u64>,
    /// Its path in the dissection model (`outer.ipv4.ttl`,
    /// `inner.vlan[0].vid`), or a path of the same shape for a field the
    /// model does not hold (`outer.ipv4.checksum`).
    pub path: String,
    /// Its name, for a reader (`Time to Live`).
    pub name: &'static str,
    /// Its value, as a reader writes it (`255`, `10.0.1.23`, `0x0800 (IPv4)`).
    pub value: String,
    /// The clause of the specification that defines it.
    pub clause: &'static str,
}

/// A frame's fields, in order, and its VXLAN header under both readings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Explanation {
    /// Every field found, in the order of the bytes.
    pub rows: Vec<Row>,
    /// The VXLAN header, when the frame has one whole.
    pub vxlan: Option<VxlanReadings>,
    /// What the walk noticed: where a header is cut short, what it did not
    /// look into.
    pub notes: Vec<String>,
}

/// Explains `frame`, the captured bytes of one record (see the module
/// documentation).
pub fn explain(frame: &[u8]) -> Explanation {
    walk::Walk::run(frame)
}

#[cfg(test)]
mod tests;
