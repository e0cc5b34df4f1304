//! The mirrored packet inside the copy: IPv6, 802.1Q and QinQ, TCP options,
//! handshakes (also reordered and interleaved), TLS, HTTP, DNS and ICMP.

use super::*;

pub(super) fn inner_ipv6(out: &mut Vec<Vector>) {
    let refs = &["rfc8200-3", "rfc7348-5"];
    let (a, b) = (inner::instance6(inner::CLIENT_PORT), inner::remote6(443));
    push(
        out,
        "inner-ipv6",
        "ipv6-tcp-syn",
        "A mirrored IPv6 SYN with Linux's options.",
        refs,
        &["inner_ipv6"],
        Expected::Valid,
        None,
        one(syn_segment(a, b).spec(), Vxlan::rfc7348(vni_of(SEED_VNI))),
    );
    let seg = inner::http_request_segment(
        inner::instance6(inner::CLIENT_PORT),
        inner::remote6(80),
        "example.com",
        "/index.html",
    );
    push(
        out,
        "inner-ipv6",
        "ipv6-http-get",
        "A mirrored IPv6 segment carrying an HTTP GET.",
        &["rfc8200-3", "rfc9112-3"],
        &["inner_ipv6", "http_parsing"],
        Expected::Valid,
        None,
        one(seg.spec(), Vxlan::rfc7348(vni_of(SEED_VNI))),
    );
    let mut f = FrameSpec::aws(syn_segment(a, b).spec(), SEED_VNI);
    f.cut = Some(Cut::PacketLength(40));
    push(
        out,
        "inner-ipv6",
        "ipv6-packet-length-40",
        "A mirrored IPv6 SYN cut by PacketLength 40, inside the IPv6 source address.",
        &["rfc8200-3", "aws-create-session"],
        &["inner_ipv6", "truncated_inner"],
        Expected::Valid,
        None,
        vec![f],
    );
}

pub(super) fn inner_vlan(out: &mut Vec<Vector>) {
    let refs = &["ieee8021q-9.6", "rfc7348-5"];
    for (id, spec, what) in [
        ("vlan-100", inner::tagged(inner::tcp_syn(), 0, false, 100), "one 802.1Q tag, VID 100, PCP 0"),
        (
            "vlan-pcp-dei-4094",
            inner::tagged(inner::tcp_syn(), 5, true, 4094),
            "one tag, PCP 5, DEI set, VID 4094",
        ),
        (
            "vlan-ipv6",
            inner::tagged(
                syn_segment(inner::instance6(inner::CLIENT_PORT), inner::remote6(443)).spec(),
                3,
                false,
                42,
            ),
            "one tag, VID 42, then IPv6",
        ),
        (
            "vlan-double",
            inner::tagged(inner::tagged(inner::tcp_syn(), 1, false, 10), 2, false, 20),
            "two stacked 802.1Q tags (VID 20 then 10), both with TPID 0x8100",
        ),
    ] {
        push(
            out,
            "inner-vlan",
            id,
            &format!("A mirrored frame with {what}."),
            refs,
            &["inner_vlan"],
            Expected::Valid,
            None,
            one(spec, Vxlan::rfc7348(vni_of(SEED_VNI))),
        );
    }
}

pub(super) fn tcp_options(out: &mut Vec<Vector>) {
    let (c, s) = (instance(inner::CLIENT_PORT), remote(443));
    let mut synack = syn_segment(s, c);
    synack.flags = TcpFlags::SYN | TcpFlags::ACK;
    synack.seq = 0x1c55_0e70;
    synack.ack = 0x6f3a_9c02;
    synack.ts = Some((1_177_000_000, 2_840_123_456));
    synack.syn_options = Some((1400, 10, true));
    let mut sack = data_segment(s, c, 0x1c55_0e71, 0x6f3a_9c02, Vec::new(), None);
    sack.flags = TcpFlags::ACK;
    sack.sack = vec![(0x6f3a_a000, 0x6f3a_a5a8), (0x6f3a_b000, 0x6f3a_b5a8), (0x6f3a_c000, 0x6f3a_c5a8)];
    let mut bare = Segment::new(c, s, TcpFlags::ACK, 0x6f3a_9c02, 0x1c55_0e71);
    bare.window = 65535;
    let mut mss_only = syn_segment(c, s);
    mss_only.ts = None;
    mss_only.syn_options = Some((8961, 0, false));
    let mut ecn = syn_segment(c, s);
    ecn.flags = TcpFlags::SYN | TcpFlags::ECE | TcpFlags::CWR;
    let mut urg = data_segment(c, s, 0x6f3a_9c02, 0x1c55_0e71, b"!".to_vec(), None);
    urg.flags = TcpFlags::URG | TcpFlags::ACK | TcpFlags::PSH;
    urg.urgent = 1;
    for (id, seg, what, refs) in [
        (
            "tcp-syn-linux",
            syn_segment(c, s),
            "a Linux SYN: MSS 1460, SACK-Permitted, timestamps, window scale 7 (20 option bytes)",
            &["rfc9293-3.1", "rfc7323-2", "rfc2018"][..],
        ),
        (
            "tcp-synack",
            synack,
            "a SYN-ACK: MSS 1400, SACK-Permitted, timestamps, window scale 10",
            &["rfc9293-3.1", "rfc7323-2"][..],
        ),
        (
            "tcp-sack-blocks",
            sack,
            "an ACK with timestamps and three SACK blocks (36 option bytes)",
            &["rfc2018", "rfc7323-3"][..],
        ),
        ("tcp-no-options", bare, "an ACK without options (20-byte header)", &["rfc9293-3.1"][..]),
        (
            "tcp-mss-only",
            mss_only,
            "a SYN with MSS 8961 and window scale 0 only, no timestamps or SACK",
            &["rfc9293-3.1"][..],
        ),
        ("tcp-ecn-setup", ecn, "an ECN-setup SYN: ECE and CWR set", &["rfc3168-6.1", "rfc9293-3.1"][..]),
        (
            "tcp-urgent",
            urg,
            "a segment with URG, urgent pointer 1 and one byte of data",
            &["rfc9293-3.1"][..],
        ),
    ] {
        push(
            out,
            "tcp-options",
            id,
            &format!("Inner TCP: {what}."),
            refs,
            &["tcp_options"],
            Expected::Valid,
            None,
            one(seg.spec(), Vxlan::rfc7348(vni_of(SEED_VNI))),
        );
    }
}

pub(super) fn handshake(out: &mut Vec<Vector>) {
    let conn = http_connection(inner::CLIENT_PORT, 0x6f3a_9c01, 0x1c55_0e70, "/");
    push(
        out,
        "handshake",
        "handshake-in-order",
        "One HTTP connection in order: SYN, SYN-ACK, ACK, GET, ACK, 200 response; both directions share one outer source port.",
        &["rfc9293-3.5", "aws-packet-format"],
        &["tcp_reordering"],
        Expected::Valid,
        None,
        frames_of(&conn),
    );
    let order = [1usize, 0, 3, 2, 5, 4];
    let reordered: Vec<Segment> = order.iter().map(|&i| conn[i].clone()).collect();
    push(
        out,
        "handshake",
        "handshake-reordered",
        "The same connection as delivered out of order through an NLB target: SYN-ACK before SYN, GET before the handshake ACK, response before the GET's ACK.",
        &["aws-targets", "rfc9293-3.5"],
        &["tcp_reordering"],
        Expected::Valid,
        None,
        frames_of(&reordered),
    );
    let other = http_connection(50_000, 0x0abc_0001, 0x7def_0001, "/api/v1/status");
    let mut mixed = Vec::new();
    for (a, b) in conn.iter().zip(other.iter()) {
        mixed.push(a.clone());
        mixed.push(b.clone());
    }
    push(
        out,
        "handshake",
        "handshake-interleaved",
        "Two HTTP connections whose handshakes and data segments interleave, as in the seed capture; each flow has its own outer source port.",
        &["rfc9293-3.5", "aws-packet-format"],
        &["tcp_reordering"],
        Expected::Valid,
        None,
        frames_of(&mixed),
    );
}

pub(super) fn tls_group(out: &mut Vec<Vector>) {
    let vx = Vxlan::rfc7348(vni_of(SEED_VNI));
    for (id, spec, what, refs) in [
        (
            "tls12-client-hello",
            inner::tls_client_hello(tls::TlsVersion::Tls12, "example.com", &["http/1.1"], 11),
            "a TLS 1.2 ClientHello with SNI example.com and ALPN http/1.1",
            &["rfc5246-7.4", "rfc6066-3", "rfc7301-3.1"][..],
        ),
        (
            "tls13-client-hello",
            inner::tls_client_hello(tls::TlsVersion::Tls13, "s3.us-east-1.amazonaws.com", &["h2", "http/1.1"], 12),
            "a TLS 1.3 ClientHello (supported_versions 1.3, 1.2) with SNI s3.us-east-1.amazonaws.com and ALPN h2, http/1.1",
            &["rfc8446-4.1.2", "rfc6066-3", "rfc7301-3.1"][..],
        ),
        (
            "tls13-server-flight",
            inner::tls_server_flight(tls::TlsVersion::Tls13, 13),
            "a TLS 1.3 server flight in one jumbo segment: ServerHello, ChangeCipherSpec, four encrypted records",
            &["rfc8446-4.1.3", "rfc8446-d.4"][..],
        ),
        (
            "tls12-server-flight",
            inner::tls_server_flight(tls::TlsVersion::Tls12, 14),
            "a TLS 1.2 server flight in one jumbo segment: ServerHello (ALPN http/1.1), Certificate, ServerKeyExchange, ServerHelloDone",
            &["rfc5246-7.4", "rfc7301-3.1"][..],
        ),
    ] {
        push(out, "tls", id, &format!("Inner TCP 443: {what}."), refs, &["tls_parsing"], Expected::Valid, None, one(spec, vx));
    }
}

pub(super) fn http(out: &mut Vec<Vector>) {
    let vx = Vxlan::rfc7348(vni_of(SEED_VNI));
    let (c, s) = (instance(inner::CLIENT_PORT), remote(80));
    push(
        out,
        "http",
        "http-get",
        "Inner TCP 80: a curl-style HTTP/1.1 GET / with Host example.com.",
        &["rfc9112-3"],
        &["http_parsing"],
        Expected::Valid,
        None,
        one(inner::http_get(), vx),
    );
    push(
        out,
        "http",
        "http-200",
        "Inner TCP 80: an nginx HTTP/1.1 200 response with a 256-byte HTML body.",
        &["rfc9112-4"],
        &["http_parsing"],
        Expected::Valid,
        None,
        one(inner::http_response_segment(s, c, 200, 256).spec(), vx),
    );
    push(
        out,
        "http",
        "http-404",
        "Inner TCP 80: nginx's HTTP/1.1 404 Not Found page.",
        &["rfc9112-4"],
        &["http_parsing"],
        Expected::Valid,
        None,
        one(inner::http_response_segment(s, c, 404, 0).spec(), vx),
    );
}

pub(super) fn dns_group(out: &mut Vec<Vector>) {
    let refs = &["rfc1035-4.1", "aws-filters"];
    let name = "s3.us-east-1.amazonaws.com";
    push(
        out,
        "dns",
        "dns-query-a",
        "Inner UDP 53: an A query for s3.us-east-1.amazonaws.com to the VPC resolver 10.0.0.2.",
        refs,
        &["dns_parsing"],
        Expected::Valid,
        None,
        frames_of_specs(vec![inner::dns_query(0x4a1c, name, dns::QType::A)]),
    );
    push(
        out,
        "dns",
        "dns-exchange",
        "Inner UDP 53: the query and the resolver's answer with two A records.",
        refs,
        &["dns_parsing"],
        Expected::Valid,
        None,
        frames_of_specs(vec![
            inner::dns_query(0x4a1c, name, dns::QType::A),
            inner::dns_response(
                0x4a1c,
                name,
                &[Ipv4Addr::new(52, 216, 8, 91), Ipv4Addr::new(52, 217, 4, 30)],
            ),
        ]),
    );
    push(
        out,
        "dns",
        "dns-nxdomain",
        "Inner UDP 53: an NXDOMAIN answer (RCODE 3) with the zone's SOA.",
        &["rfc1035-4.1", "rfc2308"],
        &["dns_parsing"],
        Expected::Valid,
        None,
        frames_of_specs(vec![inner::dns_response(0x0bad, "no-such-host.example.com", &[])]),
    );
    push(
        out,
        "dns",
        "dns-query-aaaa",
        "Inner UDP 53: an AAAA query (type 28).",
        &["rfc1035-4.1", "rfc3596"],
        &["dns_parsing"],
        Expected::Valid,
        None,
        frames_of_specs(vec![inner::dns_query(0x0c0d, "example.com", dns::QType::Aaaa)]),
    );
}

pub(super) fn icmp(out: &mut Vec<Vector>) {
    push(
        out,
        "icmp",
        "icmp-echo",
        "Inner ICMP: an echo request and its reply (ident 0x1d2e, seq 1); both share one outer source port.",
        &["rfc792", "aws-packet-format"],
        &["icmp"],
        Expected::Valid,
        None,
        frames_of_specs(vec![
            inner::icmp_echo(false, true, 0x1d2e, 1),
            inner::icmp_echo(false, false, 0x1d2e, 1),
        ]),
    );
    push(
        out,
        "icmp",
        "icmpv6-echo",
        "Inner ICMPv6: an echo request and its reply (ident 0x1d2e, seq 7).",
        &["rfc4443-4", "rfc8200-3"],
        &["icmp", "inner_ipv6"],
        Expected::Valid,
        None,
        frames_of_specs(vec![
            inner::icmp_echo(true, true, 0x1d2e, 7),
            inner::icmp_echo(true, false, 0x1d2e, 7),
        ]),
    );
    let mut f = FrameSpec::aws(inner::icmp_echo(false, true, 0x1d2e, 2), SEED_VNI);
    f.cut = Some(Cut::PacketLength(40));
    push(
        out,
        "icmp",
        "icmp-packet-length-40",
        "Inner ICMP echo request cut by PacketLength 40, inside the echo identifier.",
        &["rfc792", "aws-create-session"],
        &["icmp", "truncated_inner"],
        Expected::Valid,
        None,
        vec![f],
    );
}
