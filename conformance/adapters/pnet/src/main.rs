//! `pnet_packet` (libpnet's packet crate) as a vxconform decoder.
//!
//! pnet_packet is a set of typed views over byte buffers, one per header
//! (`EthernetPacket`, `Ipv4Packet`, `VxlanPacket`, ...): each `new` returns
//! `None` when the buffer is shorter than the header's fixed part, each
//! getter reads one field, `payload()` is what follows. It has no
//! dissector: nothing in it says which view to apply to a payload. So this
//! adapter chains the views by the numbers each header names, as their
//! specifications assign them (EtherType per IEEE 802.3 clause 3.2 and
//! IEEE 802.1Q clause 9.5: 0x0800 IPv4, 0x86DD IPv6, 0x8100 / 0x88A8 /
//! 0x9100 a tag; IP protocol per the IANA registry: 6 TCP, 17 UDP, 1 ICMP,
//! 58 ICMPv6; ICMP type 0/8 and ICMPv6 128/129 for pnet's echo views).
//!
//! **Its one decision about VXLAN**: a UDP datagram whose *destination* port
//! is 4789 is read as VXLAN (`VxlanPacket`), as RFC 7348 section 5 says the
//! destination port identifies it ("Destination Port: IANA has assigned the
//! value 4789 for the VXLAN UDP port"); no other port, and never the source
//! port. pnet itself binds nothing.
//!
//! What it reports, and only when pnet's view could be built (its fixed
//! part captured):
//!
//! * `frame`: number, captured and original length, from the capture
//!   record (pcap-file); never `truncated` or `malformed`: pnet has no
//!   notion of either (a view over a cut buffer clips its payload);
//! * `outer`: `eth`, `ipv4`, `udp`, all of pnet's getters for them
//!   (`ipv4.options_present` only when the whole header was captured);
//! * `vxlan`: pnet's `VxlanPacket` is RFC 7348's layout only (`flags: u8`,
//!   `reserved1: u24be`, `vni: u24be`, `reserved2: u8`, pnet_packet
//!   src/vxlan.rs): `flags8`, `flag_i` (its 0x08 bit, RFC 7348 section 5),
//!   `reserved24`, `vni`, `reserved8`. Nothing of the Group Policy
//!   extension (draft-smith-vxlan-group-policy section 2.1): no `flags16`,
//!   G, D, A or Group Policy ID, which pnet does not know;
//! * `inner`: `eth`, `vlan` tags, `ipv4` or `ipv6`, `tcp` (with its options
//!   when the whole TCP header was captured), `udp`, `icmp` and `icmpv6`
//!   (identifier and sequence number of echo messages). Not
//!   `tcp.payload_len` nor Ethernet padding: pnet states neither;
//! * no `geneve` (pnet has no GENEVE view, so a Gateway Load Balancer's
//!   copies end at the outer UDP header, port 6081) and no `app` (pnet's DNS
//!   view would need a second port binding; HTTP and TLS it has not).

use pnet_packet::ethernet::{EtherType, EtherTypes, EthernetPacket};
use pnet_packet::icmp::{echo_reply, echo_request, IcmpPacket, IcmpTypes};
use pnet_packet::icmpv6::{self, Icmpv6Packet, Icmpv6Types};
use pnet_packet::ip::{IpNextHeaderProtocol, IpNextHeaderProtocols};
use pnet_packet::ipv4::{Ipv4Flags, Ipv4Packet};
use pnet_packet::ipv6::Ipv6Packet;
use pnet_packet::tcp::{TcpFlags, TcpOptionNumbers, TcpPacket};
use pnet_packet::udp::UdpPacket;
use pnet_packet::vlan::VlanPacket;
use pnet_packet::vxlan::VxlanPacket;
use pnet_packet::Packet;
use serde_json::Value;
use vxc_adapter_support::capture::LINKTYPE_ETHERNET;
use vxc_adapter_support::{frame_by_frame, frame_facts, Frame, Obj};

/// RFC 7348 section 5: the VXLAN UDP destination port.
const VXLAN_PORT: u16 = 4789;

fn main() {
    let version = concat!("pnet_packet ", env!("LIBRARY_VERSION"));
    std::process::exit(vxc_adapter_support::main(version, &|frames| frame_by_frame(frames, dissect)));
}

/// One frame in the model.
fn dissect(number: u32, frame: &Frame<'_>) -> Value {
    let mut out = Obj::new();
    out.put_obj("frame", frame_facts(number, frame));
    if frame.link_type == LINKTYPE_ETHERNET {
        outer(frame.data, &mut out);
    }
    out.into_value()
}

/// The outer Ethernet / IPv4 / UDP, then VXLAN on UDP destination 4789.
fn outer(data: &[u8], out: &mut Obj) {
    let Some(eth) = EthernetPacket::new(data) else { return };
    let mut o = Obj::new();
    o.put_obj("eth", ethernet(&eth));
    let mut vxlan_payload = None;
    if eth.get_ethertype() == EtherTypes::Ipv4 {
        if let Some(ip) = Ipv4Packet::new(eth.payload()) {
            o.put_obj("ipv4", ipv4(&ip));
            if ip.get_next_level_protocol() == IpNextHeaderProtocols::Udp {
                if let Some(udp) = UdpPacket::new(ip.payload()) {
                    o.put_obj("udp", udp_fields(&udp));
                    if udp.get_destination() == VXLAN_PORT {
                        vxlan_payload = Some(udp.payload().to_vec());
                    }
                }
            }
        }
    }
    out.put_obj("outer", o);
    if let Some(payload) = vxlan_payload {
        vxlan(&payload, out);
    }
}

fn ethernet(eth: &EthernetPacket<'_>) -> Obj {
    let mut o = Obj::new();
    o.put("dst", eth.get_destination().to_string())
        .put("src", eth.get_source().to_string())
        .put("ethertype", eth.get_ethertype().0);
    o
}

fn ipv4(ip: &Ipv4Packet<'_>) -> Obj {
    let header_len = u16::from(ip.get_header_length()) * 4;
    let flags = ip.get_flags();
    let mut o = Obj::new();
    o.put("header_len", header_len)
        .put("dscp", ip.get_dscp())
        .put("ecn", ip.get_ecn())
        .put("total_len", ip.get_total_length())
        .put("ident", ip.get_identification())
        .put("dont_frag", flags & Ipv4Flags::DontFragment != 0)
        .put("more_frags", flags & Ipv4Flags::MoreFragments != 0)
        .put("frag_offset", ip.get_fragment_offset())
        .put("ttl", ip.get_ttl())
        .put("protocol", ip.get_next_level_protocol().0)
        .put("src", ip.get_source().to_string())
        .put("dst", ip.get_destination().to_string());
    // The protocol: a field only when all its bytes were captured.
    if ip.packet().len() >= usize::from(header_len) {
        o.put("options_present", ip.get_header_length() > 5);
    }
    o
}

fn udp_fields(udp: &UdpPacket<'_>) -> Obj {
    let mut o = Obj::new();
    o.put("src_port", udp.get_source())
        .put("dst_port", udp.get_destination())
        .put("length", udp.get_length())
        .put("checksum", udp.get_checksum());
    o
}

/// pnet's `VxlanPacket`: RFC 7348 section 5's fields, nothing of GBP.
fn vxlan(data: &[u8], out: &mut Obj) {
    let Some(v) = VxlanPacket::new(data) else { return };
    let flags = v.get_flags();
    let mut o = Obj::new();
    o.put("flags8", flags)
        .put("flag_i", flags & 0x08 != 0)
        .put("reserved24", v.get_reserved1())
        .put("vni", v.get_vni())
        .put("reserved8", v.get_reserved2());
    out.put_obj("vxlan", o);
    inner(v.payload(), out);
}

/// The mirrored frame: Ethernet, 802.1Q tags, IPv4 or IPv6, transport.
fn inner(data: &[u8], out: &mut Obj) {
    let Some(eth) = EthernetPacket::new(data) else { return };
    let mut i = out.child("inner");
    i.put_obj("eth", ethernet(&eth));
    let mut ethertype = eth.get_ethertype();
    let mut payload = eth.payload().to_vec();
    while is_tag(ethertype) {
        let Some(tag) = VlanPacket::new(&payload) else { return };
        let mut t = Obj::new();
        t.put("pcp", tag.get_priority_code_point().0)
            .put("dei", tag.get_drop_eligible_indicator() != 0)
            .put("vid", tag.get_vlan_identifier())
            .put("ethertype", tag.get_ethertype().0);
        i.push("vlan", t);
        ethertype = tag.get_ethertype();
        payload = tag.payload().to_vec();
    }
    if ethertype == EtherTypes::Ipv4 {
        let Some(ip) = Ipv4Packet::new(&payload) else { return };
        out.child("inner").put_obj("ipv4", ipv4(&ip));
        transport(ip.get_next_level_protocol(), ip.payload(), out);
    } else if ethertype == EtherTypes::Ipv6 {
        let Some(ip) = Ipv6Packet::new(&payload) else { return };
        let mut o = Obj::new();
        o.put("traffic_class", ip.get_traffic_class())
            .put("flow_label", ip.get_flow_label())
            .put("payload_len", ip.get_payload_length())
            .put("next_header", ip.get_next_header().0)
            .put("hop_limit", ip.get_hop_limit())
            .put("src", ip.get_source().to_string())
            .put("dst", ip.get_destination().to_string());
        out.child("inner").put_obj("ipv6", o);
        transport(ip.get_next_header(), ip.payload(), out);
    }
}

/// IEEE 802.1Q tag EtherTypes: C-tag 0x8100, S-tag 0x88A8, and the older
/// 0x9100 (pnet's `Vlan`, `PBridge`, `QinQ`).
fn is_tag(ethertype: EtherType) -> bool {
    ethertype == EtherTypes::Vlan || ethertype == EtherTypes::PBridge || ethertype == EtherTypes::QinQ
}

fn transport(protocol: IpNextHeaderProtocol, data: &[u8], out: &mut Obj) {
    let mut i = out.child("inner");
    if protocol == IpNextHeaderProtocols::Tcp {
        if let Some(tcp) = TcpPacket::new(data) {
            i.put_obj("tcp", tcp_fields(&tcp));
        }
    } else if protocol == IpNextHeaderProtocols::Udp {
        if let Some(udp) = UdpPacket::new(data) {
            i.put_obj("udp", udp_fields(&udp));
        }
    } else if protocol == IpNextHeaderProtocols::Icmp {
        if let Some(icmp) = IcmpPacket::new(data) {
            let t = icmp.get_icmp_type();
            let mut o = Obj::new();
            o.put("type", t.0).put("code", icmp.get_icmp_code().0);
            if t == IcmpTypes::EchoRequest {
                if let Some(e) = echo_request::EchoRequestPacket::new(data) {
                    o.put("ident", e.get_identifier()).put("seq", e.get_sequence_number());
                }
            } else if t == IcmpTypes::EchoReply {
                if let Some(e) = echo_reply::EchoReplyPacket::new(data) {
                    o.put("ident", e.get_identifier()).put("seq", e.get_sequence_number());
                }
            }
            i.put_obj("icmp", o);
        }
    } else if protocol == IpNextHeaderProtocols::Icmpv6 {
        if let Some(icmp) = Icmpv6Packet::new(data) {
            let t = icmp.get_icmpv6_type();
            let mut o = Obj::new();
            o.put("type", t.0).put("code", icmp.get_icmpv6_code().0);
            if t == Icmpv6Types::EchoRequest {
                if let Some(e) = icmpv6::echo_request::EchoRequestPacket::new(data) {
                    o.put("ident", e.get_identifier()).put("seq", e.get_sequence_number());
                }
            } else if t == Icmpv6Types::EchoReply {
                if let Some(e) = icmpv6::echo_reply::EchoReplyPacket::new(data) {
                    o.put("ident", e.get_identifier()).put("seq", e.get_sequence_number());
                }
            }
            i.put_obj("icmpv6", o);
        }
    }
}

fn tcp_fields(tcp: &TcpPacket<'_>) -> Obj {
    let flags = tcp.get_flags();
    let header_len = u16::from(tcp.get_data_offset()) * 4;
    let mut o = Obj::new();
    o.put("src_port", tcp.get_source())
        .put("dst_port", tcp.get_destination())
        .put("seq", tcp.get_sequence())
        .put("ack", tcp.get_acknowledgement())
        .put("header_len", header_len)
        // RFC 9293 section 3.1: the 12 bits after Data Offset; pnet splits
        // them into `reserved: u4` and `flags: u8`.
        .put("flags", u16::from(tcp.get_reserved()) << 8 | u16::from(flags))
        .put("flag_fin", flags & TcpFlags::FIN != 0)
        .put("flag_syn", flags & TcpFlags::SYN != 0)
        .put("flag_rst", flags & TcpFlags::RST != 0)
        .put("flag_psh", flags & TcpFlags::PSH != 0)
        .put("flag_ack", flags & TcpFlags::ACK != 0)
        .put("flag_urg", flags & TcpFlags::URG != 0)
        .put("flag_ece", flags & TcpFlags::ECE != 0)
        .put("flag_cwr", flags & TcpFlags::CWR != 0)
        .put("window", tcp.get_window())
        .put("urgent_pointer", tcp.get_urgent_ptr());
    // Options only when the whole header was captured (pnet clips a cut
    // option list to the bytes present).
    if header_len >= 20 && tcp.packet().len() >= usize::from(header_len) {
        o.put_obj("options", tcp_options(tcp));
    }
    o
}

/// pnet's option list (`get_options_iter`), each option's data as pnet
/// gives it; an option whose data has not its defined length is skipped.
fn tcp_options(tcp: &TcpPacket<'_>) -> Obj {
    let mut o = Obj::new();
    let mut sack_permitted = false;
    let mut blocks = Vec::new();
    for opt in tcp.get_options_iter() {
        let data = opt.payload();
        let number = opt.get_number();
        if number == TcpOptionNumbers::MSS && data.len() == 2 {
            o.put("mss", u16::from_be_bytes([data[0], data[1]]));
        } else if number == TcpOptionNumbers::WSCALE && data.len() == 1 {
            o.put("window_scale", data[0]);
        } else if number == TcpOptionNumbers::SACK_PERMITTED {
            sack_permitted = true;
        } else if number == TcpOptionNumbers::TIMESTAMPS && data.len() == 8 {
            o.put("tsval", be32(&data[..4])).put("tsecr", be32(&data[4..]));
        } else if number == TcpOptionNumbers::SACK && data.len() % 8 == 0 {
            for edge in data.chunks_exact(8) {
                blocks.push(serde_json::json!({"left": be32(&edge[..4]), "right": be32(&edge[4..])}));
            }
        }
    }
    o.put("sack_permitted", sack_permitted).put_list("sack_blocks", blocks);
    o
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}
