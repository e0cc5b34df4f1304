//! Conversion from the `Repr`s the generator built the bytes from to the
//! model: each layer's fields that lie wholly within the captured bytes.

use super::model::*;
use crate::wire::{geneve, ipv4, ipv6, tcp, udp, vlan, vxlan};

/// `Some(value)` when a field whose bytes end at offset `end` of its layer
/// lies within the `avail` captured bytes of that layer.
// TODO(issue 10): the `from_repr` functions restate each header's field ends;
// take them from `wire::<header>::field` with `wire::field::Captured` instead,
// as conformance's reference decoder does.
#[inline]
fn whole<T>(avail: usize, end: usize, value: T) -> Option<T> {
    (end <= avail).then_some(value)
}

impl Ethernet {
    /// The fields of `repr` whose bytes lie within the first `avail` bytes.
    pub fn from_repr(repr: &crate::wire::ethernet::Repr, avail: usize) -> Ethernet {
        Ethernet {
            dst: whole(avail, 6, mac(repr.dst_addr)),
            src: whole(avail, 12, mac(repr.src_addr)),
            ethertype: whole(avail, 14, repr.ethertype.0),
            padding_len: None,
        }
    }

    fn is_empty(&self) -> bool {
        self.dst.is_none()
    }
}

impl Vlan {
    /// The fields of `repr` whose bytes lie within the first `avail` bytes.
    pub fn from_repr(repr: &vlan::Repr, avail: usize) -> Vlan {
        Vlan {
            pcp: whole(avail, 2, repr.pcp),
            dei: whole(avail, 2, repr.dei),
            vid: whole(avail, 2, repr.vid),
            ethertype: whole(avail, 4, repr.ethertype.0),
        }
    }

    fn is_empty(&self) -> bool {
        self.vid.is_none()
    }
}

impl Ipv4 {
    /// The fields of a header emitted from `repr` followed by `options_len`
    /// option bytes, whose bytes lie within the first `avail` bytes.
    pub fn from_repr(repr: &ipv4::Repr, options_len: usize, avail: usize) -> Ipv4 {
        let header_len = ipv4::HEADER_LEN + options_len;
        Ipv4 {
            header_len: whole(avail, 1, header_len as u8),
            dscp: whole(avail, 2, repr.dscp),
            ecn: whole(avail, 2, repr.ecn),
            total_len: whole(avail, 4, (header_len + repr.payload_len) as u16),
            ident: whole(avail, 6, repr.ident),
            dont_frag: whole(avail, 8, repr.dont_frag),
            more_frags: whole(avail, 8, false),
            frag_offset: whole(avail, 8, 0),
            ttl: whole(avail, 9, repr.hop_limit),
            protocol: whole(avail, 10, repr.next_header.0),
            src: whole(avail, 16, repr.src_addr),
            dst: whole(avail, 20, repr.dst_addr),
            options_present: whole(avail, header_len, options_len > 0),
        }
    }

    fn is_empty(&self) -> bool {
        self.header_len.is_none()
    }
}

impl Ipv6 {
    /// The fields of `repr` whose bytes lie within the first `avail` bytes.
    pub fn from_repr(repr: &ipv6::Repr, avail: usize) -> Ipv6 {
        Ipv6 {
            traffic_class: whole(avail, 2, repr.traffic_class),
            flow_label: whole(avail, 4, repr.flow_label & 0xf_ffff),
            payload_len: whole(avail, 6, repr.payload_len as u16),
            next_header: whole(avail, 7, repr.next_header.0),
            hop_limit: whole(avail, 8, repr.hop_limit),
            src: whole(avail, 24, repr.src_addr),
            dst: whole(avail, 40, repr.dst_addr),
        }
    }

    fn is_empty(&self) -> bool {
        self.traffic_class.is_none()
    }
}

impl Udp {
    /// The fields of `repr` with Length `length` (normally
    /// `repr.total_len()`) and, if known, `checksum`, whose bytes lie within
    /// the first `avail` bytes.
    pub fn from_repr(repr: &udp::Repr, length: u16, checksum: Option<u16>, avail: usize) -> Udp {
        Udp {
            src_port: whole(avail, 2, repr.src_port),
            dst_port: whole(avail, 4, repr.dst_port),
            length: whole(avail, 6, length),
            checksum: checksum.and_then(|c| whole(avail, 8, c)),
        }
    }

    fn is_empty(&self) -> bool {
        self.src_port.is_none()
    }
}

impl Geneve {
    /// The fields of `repr` (header and options only) whose bytes lie within
    /// the first `avail` bytes; `ipv4` and `udp` are left empty.
    pub fn from_repr(repr: &geneve::Repr, avail: usize) -> Geneve {
        let mut options = Vec::new();
        let mut at = geneve::HEADER_LEN;
        for o in &repr.options {
            let end = at + o.total_len();
            let opt = GeneveOption {
                class: whole(avail, at + 2, o.class),
                option_type: whole(avail, at + 3, o.option_type),
                data_len: whole(avail, at + 4, o.data.len() as u8),
                data: whole(avail, end, hex(&o.data)),
            };
            if opt.class.is_some() {
                options.push(opt);
            }
            at = end;
        }
        Geneve {
            version: whole(avail, 1, repr.version),
            options_len: whole(avail, 1, repr.options_len() as u16),
            oam: whole(avail, 2, repr.oam),
            critical: whole(avail, 2, repr.critical),
            protocol_type: whole(avail, 4, repr.protocol_type.0),
            vni: whole(avail, 7, repr.vni),
            options,
            ipv4: None,
            udp: None,
        }
    }

    fn is_empty(&self) -> bool {
        self.version.is_none()
    }
}

impl Vxlan {
    /// The fields of `repr` whose bytes lie within the first `avail` bytes.
    ///
    /// ```
    /// use generator::dissection::Vxlan;
    /// use generator::wire::vxlan::{Repr, Vni};
    ///
    /// // Only five bytes captured: the VNI (bytes 4-6) and byte 7 are cut off.
    /// let v = Vxlan::from_repr(&Repr::gbp(Vni::new(7).unwrap(), 0xabcd, true, false), 5);
    /// assert_eq!((v.flags16, v.group_policy_id, v.reserved24), (Some(0x8840), Some(0xabcd), Some(0x40abcd)));
    /// assert_eq!((v.vni, v.reserved8), (None, None));
    /// ```
    pub fn from_repr(repr: &vxlan::Repr, avail: usize) -> Vxlan {
        Vxlan {
            flags16: whole(avail, 2, repr.flags),
            flags8: whole(avail, 1, repr.flags8()),
            flag_i: whole(avail, 1, repr.i_flag()),
            flag_g: whole(avail, 1, repr.g_flag()),
            flag_d: whole(avail, 2, repr.d_flag()),
            flag_a: whole(avail, 2, repr.a_flag()),
            reserved_flags: whole(avail, 2, repr.reserved_flag_bits()),
            reserved24: whole(avail, 4, repr.reserved24()),
            group_policy_id: whole(avail, 4, repr.group_policy_id),
            vni: whole(avail, 7, repr.vni.value()),
            reserved8: whole(avail, 8, repr.reserved8),
        }
    }

    fn is_empty(&self) -> bool {
        self.flags8.is_none()
    }
}

impl Tcp {
    /// The fields of `repr` whose bytes lie within the first `avail` bytes.
    pub fn from_repr(repr: &tcp::Repr, avail: usize) -> Tcp {
        let f = repr.flags.0 & 0x0fff;
        let bit = |mask: u16| whole(avail, 14, f & mask != 0);
        let header_len = repr.header_len();
        Tcp {
            src_port: whole(avail, 2, repr.src_port),
            dst_port: whole(avail, 4, repr.dst_port),
            seq: whole(avail, 8, repr.seq_number),
            ack: whole(avail, 12, repr.ack_number),
            header_len: whole(avail, 13, header_len as u8),
            flags: whole(avail, 14, f),
            flag_fin: bit(tcp::TcpFlags::FIN.0),
            flag_syn: bit(tcp::TcpFlags::SYN.0),
            flag_rst: bit(tcp::TcpFlags::RST.0),
            flag_psh: bit(tcp::TcpFlags::PSH.0),
            flag_ack: bit(tcp::TcpFlags::ACK.0),
            flag_urg: bit(tcp::TcpFlags::URG.0),
            flag_ece: bit(tcp::TcpFlags::ECE.0),
            flag_cwr: bit(tcp::TcpFlags::CWR.0),
            window: whole(avail, 16, repr.window_len),
            urgent_pointer: whole(avail, 20, repr.urgent_pointer),
            payload_len: whole(avail, 13, repr.payload_len as u32),
            options: whole(
                avail,
                header_len,
                TcpOptions {
                    mss: repr.max_seg_size,
                    window_scale: repr.window_scale,
                    sack_permitted: Some(repr.sack_permitted),
                    tsval: repr.timestamp.map(|t| t.0),
                    tsecr: repr.timestamp.map(|t| t.1),
                    sack_blocks: repr
                        .sack_ranges
                        .iter()
                        .flatten()
                        .map(|&(left, right)| SackBlock { left, right })
                        .collect(),
                },
            ),
        }
    }

    fn is_empty(&self) -> bool {
        self.src_port.is_none()
    }
}

impl Icmp {
    /// An echo message's fields whose bytes lie within the first `avail` bytes.
    pub fn echo(icmp_type: u8, ident: u16, seq: u16, avail: usize) -> Icmp {
        Icmp {
            icmp_type: whole(avail, 1, icmp_type),
            code: whole(avail, 2, 0),
            ident: whole(avail, 6, ident),
            seq: whole(avail, 8, seq),
        }
    }

    fn is_empty(&self) -> bool {
        self.icmp_type.is_none()
    }
}

/// Layers that may be cut to nothing are dropped: `Some(layer)` only when
/// at least one field of it is whole.
pub(crate) fn non_empty<T>(layer: T, is_empty: impl Fn(&T) -> bool) -> Option<T> {
    (!is_empty(&layer)).then_some(layer)
}

/// `non_empty` for each layer type, used by the vector builder.
pub(crate) mod keep {
    use super::*;

    pub fn eth(l: Ethernet) -> Option<Ethernet> {
        non_empty(l, Ethernet::is_empty)
    }
    pub fn vlan(l: Vlan) -> Option<Vlan> {
        non_empty(l, Vlan::is_empty)
    }
    pub fn ipv4(l: Ipv4) -> Option<Ipv4> {
        non_empty(l, Ipv4::is_empty)
    }
    pub fn ipv6(l: Ipv6) -> Option<Ipv6> {
        non_empty(l, Ipv6::is_empty)
    }
    pub fn udp(l: Udp) -> Option<Udp> {
        non_empty(l, Udp::is_empty)
    }
    pub fn tcp(l: Tcp) -> Option<Tcp> {
        non_empty(l, Tcp::is_empty)
    }
    pub fn icmp(l: Icmp) -> Option<Icmp> {
        non_empty(l, Icmp::is_empty)
    }
    pub fn geneve(l: Geneve) -> Option<Geneve> {
        non_empty(l, Geneve::is_empty)
    }
    pub fn vxlan(l: Vxlan) -> Option<Vxlan> {
        non_empty(l, Vxlan::is_empty)
    }
}
