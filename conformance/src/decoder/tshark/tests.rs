//! Unit tests of `mod`.

use super::*;

fn row<'a>(pairs: &[(&'a str, &'a str)]) -> HashMap<&'a str, Vec<&'a str>> {
    pairs.iter().map(|(k, v)| (*k, v.split(',').filter(|s| !s.is_empty()).collect())).collect()
}

#[test]
fn occurrences_follow_frame_protocols() {
    let r = row(&[
        ("frame.number", "1"),
        ("frame.protocols", "eth:ethertype:ip:udp:geneve:ip:udp:vxlan:eth:ethertype:ip:tcp"),
        ("ip.ttl", "255,254,64"),
        ("ip.hdr_len", "20,20,20"),
        ("ip.dst", "10.0.3.50,10.0.2.200,203.0.113.7"),
        ("udp.dstport", "6081,4789"),
        ("vxlan.flags", "0x8848"),
        ("vxlan.gbp", "65535"),
        ("vxlan.vni", "9999999"),
        ("tcp.srcport", "41522"),
        ("tcp.hdr_len", "20"),
        ("tcp.urgent_pointer", "0"),
        ("geneve.option.class", "0x0108,0x0108,0x0108"),
        ("geneve.option.type", "0x01,0x02,0x03"),
    ]);
    let f = translate_row(&r).unwrap();
    assert_eq!(f.outer.as_ref().unwrap().ipv4.as_ref().unwrap().ttl, Some(255));
    let g = f.geneve.as_ref().unwrap();
    assert_eq!(g.ipv4.as_ref().unwrap().ttl, Some(254));
    assert_eq!(g.udp.as_ref().unwrap().dst_port, Some(4789));
    assert_eq!(
        g.options.iter().map(|o| (o.class, o.option_type)).collect::<Vec<_>>(),
        [(Some(0x108), Some(1)), (Some(0x108), Some(2)), (Some(0x108), Some(3))]
    );
    let inner = f.inner.as_ref().unwrap();
    assert_eq!(inner.ipv4.as_ref().unwrap().ttl, Some(64));
    assert_eq!(inner.ipv4.as_ref().unwrap().options_present, Some(false));
    let v = f.vxlan.as_ref().unwrap();
    assert_eq!((v.flags16, v.flags8, v.reserved24), (Some(0x8848), Some(0x88), Some(0x48ffff)));
    assert_eq!(inner.tcp.as_ref().unwrap().options.as_ref().unwrap().sack_permitted, Some(false));
    assert_eq!(f.frame.truncated, None);
}

#[test]
fn truncated_inner_layer_keeps_outer_values() {
    let r = row(&[
        ("frame.number", "1"),
        ("frame.protocols", "eth:ethertype:ip:udp:vxlan:eth:ethertype:ip"),
        ("ip.hdr_len", "20,20"),
        ("ip.len", "56,186"),
        ("ip.ttl", "255"),
        ("_ws.malformed", "[Malformed Packet: IPv4],_ws.malformed"),
        ("_ws.expert.message", "IPv4 total length exceeds packet length (6 bytes)"),
    ]);
    let f = translate_row(&r).unwrap();
    let inner = f.inner.unwrap().ipv4.unwrap();
    assert_eq!((inner.total_len, inner.ttl, inner.options_present), (Some(186), None, None));
    assert_eq!(f.frame.truncated, Some(true));
    let m = f.frame.malformed.unwrap();
    assert_eq!(m.layer.as_deref(), Some("inner.ipv4"));
}

#[test]
fn out_of_range_values_are_dropped_not_fatal() {
    let json = serde_json::json!({"frame": {"number": 3}, "vxlan": {"flags8": 4096, "vni": 7}});
    let f = from_json(json);
    assert_eq!(f.frame.number, 3);
    let v = f.vxlan.unwrap();
    assert_eq!((v.flags8, v.vni), (None, Some(7)));
}

#[test]
fn version_is_the_first_number() {
    let text = "TShark (Wireshark) 4.0.17 (Git v4.0.17 packaged as 4.0.17-0+deb12u3).\n\nCopyright";
    assert_eq!(version_from(text).as_deref(), Some("4.0.17"));
}
