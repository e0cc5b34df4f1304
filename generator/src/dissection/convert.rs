//! Conversion from the `Repr`s the generator built the bytes from to the
//! model: each layer's fields that lie wholly within the captured bytes.
//!
//! Which bytes a field lies in is the header module's to say
//! (`wire::<header>::field`); [`Captured`] answers whether a cut copy still
//! holds them. conformance's reference decoder asks the same question of the
//! same ranges, so the two cannot disagree on where a field ends.

use super::model::*;
use crate::wire::field::{shift, Captured};
use crate::wire::{ethernet, geneve, icmp_echo, ipv4, ipv6, tcp, udp, vlan, vxlan};

impl Ethernet {
    /// The fields of `repr` whose bytes lie within the first `avail` bytes.
    pub fn from_repr(repr: &crate::wire::ethernet::Repr, avail: usize) -> Ethernet {
        let cut = Captured::new(avail);
        Ethernet {
            dst: cut.field(ethernet::field::DESTINATION, mac(repr.dst_addr)),
            src: cut.field(ethernet::field::SOURCE, mac(repr.src_addr)),
            ethertype: cut.field(ethernet::field::ETHERTYPE, repr.ethertype.0),
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
        let cut = Captured::new(avail);
        Vlan {
            pcp: cut.field(vlan::field::TCI, repr.pcp),
            dei: cut.field(vlan::field::TCI, repr.dei),
            vid: cut.field(vlan::field::TCI, repr.vid),
            ethertype: cut.field(vlan::field::ETHERTYPE, repr.ethertype.0),
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
        let cut = Captured::new(avail);
        let header_len = ipv4::HEADER_LEN + options_len;
        Ipv4 {
            header_len: cut.field(ipv4::field::VER_IHL, header_len as u8),
            dscp: cut.field(ipv4::field::DSCP_ECN, repr.dscp),
            ecn: cut.field(ipv4::field::DSCP_ECN, repr.ecn),
            total_len: cut.field(ipv4::field::LENGTH, (header_len + repr.payload_len) as u16),
            ident: cut.field(ipv4::field::IDENT, repr.ident),
            dont_frag: cut.field(ipv4::field::FLG_OFF, repr.dont_frag),
            more_frags: cut.field(ipv4::field::FLG_OFF, false),
            frag_offset: cut.field(ipv4::field::FLG_OFF, 0),
            ttl: cut.field(ipv4::field::TTL, repr.hop_limit),
            protocol: cut.field(ipv4::field::PROTOCOL, repr.next_header.0),
            src: cut.field(ipv4::field::SRC_ADDR, repr.src_addr),
            dst: cut.field(ipv4::field::DST_ADDR, repr.dst_addr),
            options_present: cut.reaches(header_len).then_some(options_len > 0),
        }
    }

    fn is_empty(&self) -> bool {
        self.header_len.is_none()
    }
}

impl Ipv6 {
    /// The fields of `repr` whose bytes lie within the first `avail` bytes.
    pub fn from_repr(repr: &ipv6::Repr, avail: usize) -> Ipv6 {
        let cut = Captured::new(avail);
        Ipv6 {
            traffic_class: cut.field(ipv6::field::TRAFFIC_CLASS, repr.traffic_class),
            flow_label: cut.field(ipv6::field::FLOW_LABEL, repr.flow_label & 0xf_ffff),
            payload_len: cut.field(ipv6::field::LENGTH, repr.payload_len as u16),
            next_header: cut.field(ipv6::field::NXT_HDR, repr.next_header.0),
            hop_limit: cut.field(ipv6::field::HOP_LIMIT, repr.hop_limit),
            src: cut.field(ipv6::field::SRC_ADDR, repr.src_addr),
            dst: cut.field(ipv6::field::DST_ADDR, repr.dst_addr),
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
        let cut = Captured::new(avail);
        Udp {
            src_port: cut.field(udp::field::SRC_PORT, repr.src_port),
            dst_port: cut.field(udp::field::DST_PORT, repr.dst_port),
            length: cut.field(udp::field::LENGTH, length),
            checksum: checksum.and_then(|c| cut.field(udp::field::CHECKSUM, c)),
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
        let cut = Captured::new(avail);
        let mut options = Vec::new();
        let mut at = geneve::HEADER_LEN;
        for o in &repr.options {
            let end = at + o.total_len();
            let opt = GeneveOption {
                class: cut.field(shift(geneve::field::OPTION_CLASS, at), o.class),
                option_type: cut.field(shift(geneve::field::OPTION_TYPE, at), o.option_type),
                data_len: cut.field(shift(geneve::field::OPTION_LENGTH, at), o.data.len() as u8),
                data: cut.reaches(end).then_some(hex(&o.data)),
            };
            if opt.class.is_some() {
                options.push(opt);
            }
            at = end;
        }
        Geneve {
            version: cut.field(geneve::field::VER_OPT_LEN, repr.version),
            options_len: cut.field(geneve::field::VER_OPT_LEN, repr.options_len() as u16),
            oam: cut.field(geneve::field::FLAGS, repr.oam),
            critical: cut.field(geneve::field::FLAGS, repr.critical),
            protocol_type: cut.field(geneve::field::PROTOCOL_TYPE, repr.protocol_type.0),
            vni: cut.field(geneve::field::VNI, repr.vni),
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
        let cut = Captured::new(avail);
        Vxlan {
            flags16: cut.field(vxlan::field::FLAGS16, repr.flags),
            flags8: cut.field(vxlan::field::FLAGS8, repr.flags8()),
            flag_i: cut.field(vxlan::field::FLAGS8, repr.i_flag()),
            flag_g: cut.field(vxlan::field::FLAGS8, repr.g_flag()),
            flag_d: cut.field(vxlan::field::FLAGS16, repr.d_flag()),
            flag_a: cut.field(vxlan::field::FLAGS16, repr.a_flag()),
            reserved_flags: cut.field(vxlan::field::FLAGS16, repr.reserved_flag_bits()),
            reserved24: cut.field(vxlan::field::GROUP_POLICY_ID, repr.reserved24()),
            group_policy_id: cut.field(vxlan::field::GROUP_POLICY_ID, repr.group_policy_id),
            vni: cut.field(vxlan::field::VNI, repr.vni.value()),
            reserved8: cut.field(vxlan::field::RESERVED8, repr.reserved8),
        }
    }

    fn is_empty(&self) -> bool {
        self.flags8.is_none()
    }
}

impl Tcp {
    /// The fields of `repr` whose bytes lie within the first `avail` bytes.
    pub fn from_repr(repr: &tcp::Repr, avail: usize) -> Tcp {
        let cut = Captured::new(avail);
        let f = repr.flags.0 & 0x0fff;
        let bit = |mask: u16| cut.field(tcp::field::FLAGS, f & mask != 0);
        let header_len = repr.header_len();
        Tcp {
            src_port: cut.field(tcp::field::SRC_PORT, repr.src_port),
            dst_port: cut.field(tcp::field::DST_PORT, repr.dst_port),
            seq: cut.field(tcp::field::SEQ_NUM, repr.seq_number),
            ack: cut.field(tcp::field::ACK_NUM, repr.ack_number),
            header_len: cut.field(tcp::field::DATA_OFFSET, header_len as u8),
            flags: cut.field(tcp::field::FLAGS, f),
            flag_fin: bit(tcp::TcpFlags::FIN.0),
            flag_syn: bit(tcp::TcpFlags::SYN.0),
            flag_rst: bit(tcp::TcpFlags::RST.0),
            flag_psh: bit(tcp::TcpFlags::PSH.0),
            flag_ack: bit(tcp::TcpFlags::ACK.0),
            flag_urg: bit(tcp::TcpFlags::URG.0),
            flag_ece: bit(tcp::TcpFlags::ECE.0),
            flag_cwr: bit(tcp::TcpFlags::CWR.0),
            window: cut.field(tcp::field::WIN_SIZE, repr.window_len),
            urgent_pointer: cut.field(tcp::field::URGENT, repr.urgent_pointer),
            payload_len: cut.field(tcp::field::DATA_OFFSET, repr.payload_len as u32),
            options: cut.reaches(header_len).then_some(TcpOptions {
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
            }),
        }
    }

    fn is_empty(&self) -> bool {
        self.src_port.is_none()
    }
}

impl Icmp {
    /// An echo message's fields whose bytes lie within the first `avail` bytes.
    pub fn echo(icmp_type: u8, ident: u16, seq: u16, avail: usize) -> Icmp {
        let cut = Captured::new(avail);
        Icmp {
            icmp_type: cut.field(icmp_echo::field::TYPE, icmp_type),
            code: cut.field(icmp_echo::field::CODE, 0),
            ident: cut.field(icmp_echo::field::ECHO_IDENT, ident),
            seq: cut.field(icmp_echo::field::ECHO_SEQNO, seq),
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
