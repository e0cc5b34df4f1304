//! The VXLAN header itself: VNI values, the GBP extension's flags and policy
//! id, reserved bits, the I flag, UDP ports, and VXLAN-GPE look-alikes
//! (RFC 7348 section 5; draft-smith-vxlan-group-policy section 2.1).

use super::*;

pub(super) fn vni(out: &mut Vec<Vector>) {
    let refs = &["rfc7348-5", "aws-packet-format"];
    for (v, what) in [
        (0u32, "VNI 0, the lowest: a decoder must not take 0 for \"no VNI\""),
        (1, "VNI 1"),
        (4095, "VNI 4095 = 0x000fff, the largest 12-bit value (a VLAN id's width)"),
        (4096, "VNI 4096 = 0x001000, the first VNI wider than a VLAN id"),
        (SEED_VNI, "VNI 9999999 = 0x98967f, as AWS users see it in Wireshark"),
        (0x80_0000, "VNI 8388608 = 0x800000: the top bit of the 24, catching signed reads"),
        (0x12_3456, "VNI 1193046 = 0x123456: three distinct bytes, catching byte-order mistakes"),
        (0xff_ffff, "VNI 16777215 = 2^24-1, the largest"),
    ] {
        push(
            out,
            "vni",
            &format!("vni-{v}"),
            &format!("{what}; flags 0x08 otherwise as AWS sends it."),
            refs,
            &["vni_range", "vni_byte_order"],
            Expected::Valid,
            None,
            one(inner::tcp_syn(), Vxlan::rfc7348(vni_of(v))),
        );
    }
}

pub(super) fn gbp(out: &mut Vec<Vector>) {
    let refs = &["gbp-2.1", "rfc7348-5"];
    let g = vxlan::FLAG_G;
    let (i, d, a) = (vxlan::FLAG_I, vxlan::FLAG_D, vxlan::FLAG_A);
    for (id, flags, gpid, what) in [
        ("gbp-g-policy-0", g, 0u16, "G set, Group Policy ID 0"),
        ("gbp-g-policy-1", g, 1, "G set, Group Policy ID 1"),
        ("gbp-g-policy-65535", g, 0xffff, "G set, Group Policy ID 0xffff"),
        ("gbp-g-policy-4660", g, 0x1234, "G set, Group Policy ID 0x1234 (byte order)"),
        ("gbp-d-only", d, 0, "D (Don't Learn) alone, no G"),
        ("gbp-a-only", a, 0, "A (Policy Applied) alone, no G"),
        ("gbp-g-d", g | d, 0x0064, "G and D, Group Policy ID 100"),
        ("gbp-g-a", g | a, 0x0064, "G and A, Group Policy ID 100"),
        ("gbp-d-a", d | a, 0, "D and A without G"),
        ("gbp-g-d-a", g | d | a, 0xffff, "G, D and A, Group Policy ID 0xffff: first word 0x8848ffff"),
    ] {
        let vx = Vxlan { flags: i | flags, group_policy_id: gpid, vni: vni_of(SEED_VNI), reserved8: 0 };
        push(
            out,
            "gbp",
            id,
            &format!("{what}; I set, VNI 9999999."),
            refs,
            &["gbp_flags", "gbp_policy_id"],
            Expected::Valid,
            None,
            one(inner::tcp_syn(), vx),
        );
    }
}

pub(super) fn reserved(out: &mut Vec<Vector>) {
    let refs = &["rfc7348-5", "gbp-2.1"];
    let i = vxlan::FLAG_I;
    let vni = vni_of(SEED_VNI);
    for (id, vx, what) in [
        (
            "reserved-flags-all",
            Vxlan { flags: i | vxlan::FLAGS_RESERVED, group_policy_id: 0, vni, reserved8: 0 },
            "every bit of the flags word reserved in both readings set (0x77b7), I set: first word 0x7fb70000",
        ),
        (
            "reserved-flags-r1",
            Vxlan { flags: i | 0x4000, group_policy_id: 0, vni, reserved8: 0 },
            "the reserved bit right after G (0x4000) set",
        ),
        (
            "reserved-flags-low",
            Vxlan { flags: i | 0x0001, group_policy_id: 0, vni, reserved8: 0 },
            "the lowest bit of the flags word (0x0001) set",
        ),
        (
            "reserved-24-all",
            Vxlan { flags: i | 0x00ff, group_policy_id: 0xffff, vni, reserved8: 0 },
            "RFC 7348's 24 reserved bits all set (bytes 1-3 = ff ff ff); under GBP that is D, A, reserved bits 0x00b7 and policy id 0xffff with G clear",
        ),
        (
            "reserved-24-policy-without-g",
            Vxlan { flags: i, group_policy_id: 0x0102, vni, reserved8: 0 },
            "a non-zero Group Policy ID (0x0102) with G clear: reserved bits under RFC 7348, an unflagged policy id under GBP",
        ),
        (
            "reserved-8-all",
            Vxlan { flags: i, group_policy_id: 0, vni, reserved8: 0xff },
            "the last reserved byte set to 0xff: must not leak into the VNI",
        ),
        (
            "reserved-all",
            Vxlan { flags: 0xffff, group_policy_id: 0xffff, vni, reserved8: 0xff },
            "every bit of the header set except the VNI: all flags, all reserved bits",
        ),
    ] {
        push(
            out,
            "reserved",
            id,
            &format!("{what}; VNI 9999999."),
            refs,
            &["reserved_bits_rejected", "reserved_bits_reported"],
            Expected::Valid,
            None,
            one(inner::tcp_syn(), vx),
        );
    }
}

pub(super) fn i_flag(out: &mut Vec<Vector>) {
    let refs = &["rfc7348-5"];
    let reason = "RFC 7348 section 5: the I flag MUST be 1 for a valid VNI. A receiver may drop or flag the \
                  frame (as the Linux kernel drops it), or report the VNI field as found; the expected \
                  dissection reports the fields as found and no malformation.";
    for (id, vx, what) in [
        (
            "i-clear",
            Vxlan { flags: 0, group_policy_id: 0, vni: vni_of(42), reserved8: 0 },
            "I clear, every other bit 0, VNI field 42",
        ),
        (
            "i-clear-vni-0",
            Vxlan { flags: 0, group_policy_id: 0, vni: vni_of(0), reserved8: 0 },
            "the whole first word and VNI zero: an all-zero VXLAN header",
        ),
        (
            "i-clear-g-set",
            Vxlan { flags: vxlan::FLAG_G, group_policy_id: 7, vni: vni_of(SEED_VNI), reserved8: 0 },
            "G set but I clear (flags 0x8000), policy id 7: G must not be taken for I",
        ),
    ] {
        push(
            out,
            "i-flag",
            id,
            &format!("{what}."),
            refs,
            &["i_flag_clear"],
            Expected::Acceptable,
            Some(reason),
            one(inner::tcp_syn(), vx),
        );
    }
}

pub(super) fn port(out: &mut Vec<Vector>) {
    let mut f = FrameSpec::aws(inner::tcp_syn(), SEED_VNI);
    f.outer.dst_port = vxlan::LINUX_UDP_PORT;
    push(
        out,
        "port",
        "port-8472",
        "A VXLAN copy to UDP port 8472, the Linux kernel's historic default, instead of IANA's 4789.",
        &["rfc7348-5", "linux-vxlan"],
        &["nonstandard_port"],
        Expected::Acceptable,
        Some(
            "AWS always sends to 4789; a decoder may decode 8472 as VXLAN (as Linux does) or leave it as an \
             opaque UDP payload (as Wireshark does by default). The expected dissection is the VXLAN reading.",
        ),
        vec![f],
    );
    let mut f = FrameSpec::aws(inner::tcp_syn(), SEED_VNI);
    f.outer.src_port = vxlan::UDP_PORT;
    push(
        out,
        "port",
        "port-source-4789",
        "Source and destination port both 4789, as some VTEPs send: VXLAN is recognised by the destination port.",
        &["rfc7348-5"],
        &["nonstandard_port"],
        Expected::Valid,
        None,
        vec![f],
    );
    let mut f = FrameSpec::aws(inner::tcp_syn(), SEED_VNI);
    f.outer.src_port = 1024;
    push(
        out,
        "port",
        "port-source-low",
        "Source port 1024, outside both AWS's observed 65408-65535 and RFC 7348's recommended 49152-65535.",
        &["rfc7348-5", "aws-packet-format"],
        &["nonstandard_port"],
        Expected::Valid,
        None,
        vec![f],
    );
    let mut f = FrameSpec::aws(inner::tcp_syn(), SEED_VNI);
    f.outer.src_port = vxlan::UDP_PORT;
    f.outer.dst_port = 33333;
    f.opaque = true;
    push(
        out,
        "port",
        "port-dst-not-vxlan",
        "A UDP datagram from port 4789 to port 33333 carrying what looks like a VXLAN copy: not VXLAN, the destination \
         port identifies VXLAN.",
        &["rfc7348-5"],
        &["source_port_vxlan", "nonstandard_port"],
        Expected::Valid,
        None,
        vec![f],
    );
}

pub(super) fn gpe(out: &mut Vec<Vector>) {
    let refs = &["gpe-3", "rfc7348-5", "gbp-2.1"];
    let vni = vni_of(SEED_VNI);
    for (id, vx, what) in [
        (
            "gpe-p-next-ethernet",
            Vxlan::gpe(vni, 0, Some(vxlan::GPE_NEXT_PROTOCOL_ETHERNET), false),
            "first byte 0x0c (GPE's I and P) and byte 3 = 0x03 (GPE Next Protocol: Ethernet)",
        ),
        (
            "gpe-p-next-ipv4",
            Vxlan::gpe(vni, 0, Some(vxlan::GPE_NEXT_PROTOCOL_IPV4), false),
            "GPE's P bit with Next Protocol 0x01 (IPv4) although an Ethernet frame follows",
        ),
        ("gpe-version-2-oam", Vxlan::gpe(vni, 2, None, true), "GPE version 2 and O bit (first byte 0x29)"),
    ] {
        push(
            out,
            "gpe",
            id,
            &format!("On port 4789, {what}: under RFC 7348 / GBP these are reserved bits, and an Ethernet frame follows."),
            refs,
            &["gpe_confusion", "reserved_bits_rejected"],
            Expected::Valid,
            None,
            one(inner::tcp_syn(), vx),
        );
    }
}
