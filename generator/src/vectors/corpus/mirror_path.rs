//! What the mirror path does to a copy: PacketLength and MTU truncation,
//! Gateway Load Balancer GENEVE around the copy (RFC 8926), and the capture
//! file formats a decoder meets.

use super::*;

pub(super) fn packet_length(out: &mut Vec<Vector>) {
    let refs = &["aws-create-session", "aws-packet-format", "rfc7348-5"];
    // The inner frame: Ethernet 14, IPv4 20, TCP 32 (timestamps), HTTP GET.
    for (n, what) in [
        (1u16, "1 byte, the smallest PacketLength: one byte of the inner destination MAC"),
        (8, "8 bytes: inside the inner Ethernet header (destination MAC whole, source MAC cut)"),
        (14, "14 bytes: exactly the inner Ethernet header"),
        (20, "20 bytes: 6 bytes into the inner IPv4 header"),
        (34, "34 bytes: exactly the inner Ethernet and IPv4 headers"),
        (40, "40 bytes: 6 bytes into the inner TCP header"),
        (60, "60 bytes: inside the inner TCP options"),
        (100, "100 bytes: inside the HTTP request"),
    ] {
        let mut f = FrameSpec::aws(inner::http_get(), SEED_VNI);
        f.cut = Some(Cut::PacketLength(n));
        push(
            out,
            "packet-length",
            &format!("packet-length-{n}"),
            &format!("PacketLength {what}; the inner IPv4 header keeps its original Total Length."),
            refs,
            &["truncated_inner", "trusts_inner_length"],
            Expected::Valid,
            None,
            vec![f],
        );
    }
    let get = inner::http_get();
    let len = get.build().0.len() as u16;
    let mut f = FrameSpec::aws(get, SEED_VNI);
    f.cut = Some(Cut::PacketLength(len));
    push(
        out,
        "packet-length",
        "packet-length-exact",
        &format!("PacketLength {len}, exactly the inner frame's length: nothing is cut, the copy is not truncated."),
        refs,
        &["truncated_inner"],
        Expected::Valid,
        None,
        vec![f],
    );
    let mut f = FrameSpec::aws(inner::tcp_jumbo(9001), SEED_VNI);
    f.cut = Some(Cut::PacketLength(8500));
    push(
        out,
        "packet-length",
        "packet-length-8500-jumbo",
        "PacketLength 8500 (the maximum, and NLB targets' default) applied to a 9001-byte jumbo IPv4 packet.",
        refs,
        &["truncated_inner", "jumbo_frame"],
        Expected::Valid,
        None,
        vec![f],
    );
}

pub(super) fn mtu(out: &mut Vec<Vector>) {
    let refs = &["aws-limitations-mtu", "rfc7348-5"];
    let mut f = FrameSpec::aws(inner::tcp_jumbo(9001), SEED_VNI);
    f.cut = Some(Cut::Mtu(9001));
    push(
        out,
        "mtu",
        "mtu-9001-jumbo",
        "A 9001-byte jumbo IPv4 packet mirrored to a 9001-MTU instance: the copy is cut to the MTU (8965 inner bytes).",
        refs,
        &["truncated_inner", "jumbo_frame", "trusts_inner_length"],
        Expected::Valid,
        None,
        vec![f],
    );
    let mut f = FrameSpec::aws(inner::tcp_jumbo(8951), SEED_VNI);
    f.cut = Some(Cut::Mtu(9001));
    push(
        out,
        "mtu",
        "mtu-9001-fits",
        "An 8951-byte IPv4 packet (8965-byte frame): its copy is exactly 9001 bytes of IPv4 and is not cut.",
        refs,
        &["jumbo_frame"],
        Expected::Valid,
        None,
        vec![f],
    );
    let mut f = FrameSpec::aws(inner::tcp_jumbo(1500), SEED_VNI);
    f.cut = Some(Cut::Mtu(1500));
    push(
        out,
        "mtu",
        "mtu-1500",
        "A 1500-byte IPv4 packet mirrored to a 1500-MTU instance: the copy is cut to 1464 inner bytes.",
        refs,
        &["truncated_inner", "trusts_inner_length"],
        Expected::Valid,
        None,
        vec![f],
    );
}

pub(super) fn gwlb(out: &mut Vec<Vector>) {
    let refs = &["aws-packet-format", "rfc8926-3.4", "rfc8926-3.5", "rfc7348-5"];
    push(
        out,
        "gwlb",
        "gwlb-basic",
        "A copy through a Gateway Load Balancer: GENEVE (UDP 6081, protocol 0x0800, AWS options class 0x0108 types 1, 2, 3) around IPv4 / UDP 4789 / VXLAN.",
        refs,
        &["geneve_gwlb"],
        Expected::Valid,
        None,
        vec![FrameSpec::aws_gwlb(inner::tcp_syn(), SEED_VNI)],
    );
    let mut f = FrameSpec::aws_gwlb(inner::http_get(), SEED_VNI);
    f.cut = Some(Cut::PacketLength(54));
    push(
        out,
        "gwlb",
        "gwlb-packet-length-54",
        "A GWLB copy with PacketLength 54: the inner frame is cut inside the TCP header, inside two tunnels.",
        refs,
        &["geneve_gwlb", "truncated_inner"],
        Expected::Valid,
        None,
        vec![f],
    );
    push(
        out,
        "gwlb",
        "gwlb-ipv6-inner",
        "A GWLB copy of an IPv6 SYN: three IP layers of two versions in one frame.",
        refs,
        &["geneve_gwlb", "inner_ipv6"],
        Expected::Valid,
        None,
        vec![FrameSpec::aws_gwlb(
            syn_segment(inner::instance6(inner::CLIENT_PORT), inner::remote6(443)).spec(),
            SEED_VNI,
        )],
    );
    let mut f = FrameSpec::aws_gwlb(inner::tcp_syn(), SEED_VNI);
    f.vxlan = Vxlan::gbp(vni_of(SEED_VNI), 0x00c8, false, true);
    push(
        out,
        "gwlb",
        "gwlb-gbp",
        "A GWLB copy whose VXLAN header carries GBP (G, A, policy id 200).",
        &["aws-packet-format", "rfc8926-3.4", "gbp-2.1"],
        &["geneve_gwlb", "gbp_flags"],
        Expected::Valid,
        None,
        vec![f],
    );
}

/// GENEVE edges (RFC 8926 sections 3.4, 3.5) around an ordinary GWLB copy.
pub(super) fn gwlb_edges(out: &mut Vec<Vector>) {
    use crate::wire::geneve::OwnedOption;
    let refs = &["rfc8926-3.4", "rfc8926-3.5", "aws-packet-format", "rfc7348-5"];
    // An option ahead of AWS's three, so a decoder must skip it by its length.
    let with_first = |opt: OwnedOption| {
        let mut f = FrameSpec::aws_gwlb(inner::tcp_syn(), SEED_VNI);
        if let Some(g) = &mut f.gwlb {
            g.geneve.options.insert(0, opt);
        }
        f
    };
    let mut f = FrameSpec::aws_gwlb(inner::tcp_syn(), SEED_VNI);
    if let Some(g) = &mut f.gwlb {
        g.geneve.version = 1;
    }
    push(
        out,
        "gwlb",
        "gwlb-geneve-version-1",
        "A GWLB copy whose GENEVE Ver field (2 bits) is 1, otherwise laid out as version 0: first byte 0x48.",
        &["rfc8926-3.4"],
        &["geneve_edges"],
        Expected::Acceptable,
        Some(
            "RFC 8926 section 3.4: a tunnel endpoint MUST drop a packet of an unknown version, so a decoder may leave              it opaque; one that dissects it must report version 1, not 0. The expected dissection is the as-found reading.",
        ),
        vec![f],
    );
    let data: Vec<u8> = (0..124u8).map(|i| i.wrapping_mul(7)).collect();
    push(
        out,
        "gwlb",
        "gwlb-geneve-option-124",
        "A GWLB copy with an experimental option (class 0xfff0, type 0x10) of 31 four-byte words (124 bytes, the \
         5-bit Length's largest) ahead of AWS's options: Opt Len 40 words (160 bytes).",
        &["rfc8926-3.5", "rfc8926-7.1", "rfc8926-3.4", "rfc7348-5"],
        &["geneve_edges", "geneve_gwlb"],
        Expected::Valid,
        None,
        vec![with_first(OwnedOption::new(0xfff0, 0x10, data).expect("31 words"))],
    );
    let mut f =
        with_first(OwnedOption::new(0xfff1, 0x80 | 0x05, vec![0xde, 0xad, 0xbe, 0xef]).expect("1 word"));
    if let Some(g) = &mut f.gwlb {
        g.geneve.critical = true;
    }
    push(
        out,
        "gwlb",
        "gwlb-geneve-critical",
        "A GWLB copy with the C bit set and a critical option (type 0x85: the high bit of Type) of experimental class \
         0xfff1 ahead of AWS's options.",
        refs,
        &["geneve_edges"],
        Expected::Valid,
        None,
        vec![f],
    );
    push(
        out,
        "gwlb",
        "gwlb-geneve-unknown-class",
        "A GWLB copy with an option of unknown class 0xfff5 (type 0x42, 8 bytes) ahead of AWS's options: it must be \
         skipped by its length and reported as found.",
        &["rfc8926-3.5", "rfc8926-7.1", "rfc8926-3.4", "rfc7348-5"],
        &["geneve_edges", "geneve_gwlb"],
        Expected::Valid,
        None,
        vec![with_first(OwnedOption::new(0xfff5, 0x42, vec![1, 2, 3, 4, 5, 6, 7, 8]).expect("2 words"))],
    );
}

/// The same AWS copies in each capture file format.
pub(super) fn capture_format(out: &mut Vec<Vector>) {
    let frames =
        vec![FrameSpec::aws(inner::tcp_syn(), SEED_VNI), FrameSpec::aws(inner::http_get(), SEED_VNI)];
    for (format, refs, what) in [
        (CaptureFormat::Pcap, &["pcap-header", "pcap-format"][..], "classic pcap, little-endian, microseconds (magic d4 c3 b2 a1): the control"),
        (CaptureFormat::PcapBe, &["pcap-header", "pcap-format"][..], "classic pcap written big-endian (magic a1 b2 c3 d4; every header field big-endian)"),
        (CaptureFormat::PcapNs, &["pcap-header", "pcap-format"][..], "classic pcap with nanosecond timestamps (magic 4d 3c b2 a1)"),
        (
            CaptureFormat::PcapNg,
            &["pcapng-4.2", "pcapng-4.3"][..],
            "pcapng: SHB, an IDB with if_tsresol 9 (nanoseconds), an Enhanced Packet Block per frame with an opt_comment",
        ),
    ] {
        let id = format!("capture-format-{}", format.name());
        push(
            out,
            "capture-format",
            &id,
            &format!("Two AWS copies (a SYN and an HTTP GET, VNI 9999999) as {what}."),
            refs,
            &["capture_format"],
            Expected::Valid,
            None,
            frames.clone(),
        );
        out.last_mut().expect("pushed").format = format;
    }
}
