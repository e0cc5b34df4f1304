//! Negative and unusual outer headers: length disagreements, short VXLAN
//! headers, IPv4 options, Ethernet padding, snap lengths.

use super::*;

pub(super) fn malformed(out: &mut Vec<Vector>) {
    let mut f = FrameSpec::aws(inner::tcp_syn(), SEED_VNI);
    f.fault = Some(Fault::UdpLengthExceedsIp(16));
    push(
        out,
        "malformed",
        "udp-length-exceeds-ip",
        "The outer UDP Length is 16 bytes larger than the IPv4 payload that carries it.",
        &["rfc768", "rfc791-3.1"],
        &["udp_length_mismatch"],
        Expected::Invalid,
        Some("RFC 768: Length counts the header and data; a datagram cannot exceed its IP payload (Linux drops it)."),
        vec![f],
    );
    let mut f = FrameSpec::aws(inner::tcp_syn(), SEED_VNI);
    f.fault = Some(Fault::UdpLengthShortOfIp(4));
    push(
        out,
        "malformed",
        "udp-length-short-of-ip",
        "The outer IPv4 payload holds 4 zero bytes after the UDP datagram, which its Length does not count.",
        &["rfc768", "rfc791-3.1"],
        &["udp_length_mismatch"],
        Expected::Acceptable,
        Some(
            "The datagram itself is consistent: a receiver may trim the IP payload to the UDP Length (as Linux does) \
             and decode the VXLAN copy, or flag the mismatch. The expected dissection decodes the datagram and \
             marks the mismatch.",
        ),
        vec![f],
    );
    for n in [4u8, 0] {
        let mut f = FrameSpec::aws(inner::tcp_syn(), SEED_VNI);
        f.fault = Some(Fault::VxlanHeaderCut(n));
        push(
            out,
            "malformed",
            &format!("vxlan-header-{n}-bytes"),
            &format!("A UDP 4789 datagram with only {n} bytes of VXLAN header and nothing after it (UDP and IP lengths agree)."),
            &["rfc7348-5"],
            &["vxlan_header_short"],
            Expected::Invalid,
            Some("RFC 7348 section 5: the VXLAN header is 8 bytes and an Ethernet frame follows it."),
            vec![f],
        );
    }
    let mut f = FrameSpec::aws(inner::tcp_syn(), SEED_VNI);
    f.outer.ip_options = vec![0x94, 0x04, 0x00, 0x00];
    push(
        out,
        "malformed",
        "outer-ipv4-options",
        "The outer IPv4 header carries a Router Alert option (IHL 6): the UDP header starts at byte 24 of the IP packet.",
        &["rfc791-3.1", "rfc2113"],
        &["ip_options"],
        Expected::Valid,
        None,
        vec![f],
    );
    let mut f = FrameSpec::aws(inner::tcp_syn(), SEED_VNI);
    f.outer.udp_checksum = true;
    push(
        out,
        "malformed",
        "outer-udp-checksum",
        "The outer UDP checksum is filled in (correct) instead of 0.",
        &["rfc7348-5", "rfc768"],
        &["udp_checksum"],
        Expected::Valid,
        None,
        vec![f],
    );
    let mut f = FrameSpec::aws(inner::tcp_syn(), SEED_VNI);
    f.cut = Some(Cut::PacketLength(4));
    f.pad = true;
    push(
        out,
        "malformed",
        "ethernet-padding",
        "A 4-byte PacketLength copy (54 bytes) padded to the 60-byte Ethernet minimum: the 6 padding bytes are not inner data.",
        &["ieee8023-3.2", "aws-create-session"],
        &["ethernet_padding", "truncated_inner"],
        Expected::Valid,
        None,
        vec![f],
    );
    let v = Vector {
        id: "snaplen-46".to_owned(),
        group: "malformed",
        description: "A capture with snaplen 46: each record stops 4 bytes into the VXLAN header (captured_len < original_len)."
            .to_owned(),
        references: vec!["pcap-format", "rfc7348-5"],
        flags: vec!["snaplen_truncation", "vxlan_header_short"],
        result: Expected::Valid,
        reason: None,
        snaplen: Some(46),
        format: CaptureFormat::Pcap,
        frames: frames_of_specs(vec![inner::tcp_syn(), inner::http_get()]),
        subject: Vec::new(),
        readings: Vec::new(),
    };
    out.push(v);
}
