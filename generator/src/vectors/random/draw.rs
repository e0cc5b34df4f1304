//! Drawing a case: ChaCha8 seeded by the run's seed, one stream per case
//! index, so that case *i* never depends on the cases before it, the number
//! of jobs or the machine.
//!
//! Each layer is drawn with a bias towards the values decoders get wrong:
//! VNI edges (0, 1, 2^23, 2^24-1), GBP with D set and policy ids over 32767,
//! reserved bits, port 8472, GENEVE option lists that fill the 6-bit length
//! field, QinQ, IPv4 options, TCP options with SACK blocks, cuts inside
//! every header.

use super::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The RNG of case `index` of `seed`.
pub fn rng(seed: u64, index: u64) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(index);
    r
}

/// Ports a random inner or outer port never takes: the tunnels' own (VXLAN,
/// Linux VXLAN, GPE, GENEVE), DNS and DHCP, which decoders read by port (a
/// filler payload to port 68 is not a DHCP message, and gopacket says so).
pub const RESERVED_PORTS: [u16; 7] = [4789, 8472, 4790, 6081, 53, 67, 68];

fn port(r: &mut ChaCha8Rng) -> u16 {
    loop {
        let p = match r.random_range(0..4u8) {
            0 => r.random_range(1..1024),
            1 => [80, 443, 22, 8080, 3306][r.random_range(0..5)],
            _ => r.random_range(1024..=65535),
        };
        if !RESERVED_PORTS.contains(&p) {
            return p;
        }
    }
}

fn chance(r: &mut ChaCha8Rng, percent: u8) -> bool {
    r.random_range(0..100u8) < percent
}

fn edgy_u32(r: &mut ChaCha8Rng, bits: u32) -> u32 {
    let max = if bits == 32 { u32::MAX } else { (1 << bits) - 1 };
    match r.random_range(0..6u8) {
        0 => 0,
        1 => max,
        2 => 1 << (bits - 1),
        3 => (1 << (bits - 1)) - 1,
        _ => r.random::<u32>() & max,
    }
}

fn edgy_u16(r: &mut ChaCha8Rng) -> u16 {
    edgy_u32(r, 16) as u16
}

impl Case {
    /// Case `index` of `seed`, normalized ([`Case::normalize`]).
    pub fn draw(seed: u64, index: u64) -> Case {
        let r = &mut rng(seed, index);
        let target = match r.random_range(0..10u8) {
            0..=4 => TargetCase::Eni,
            5..=6 => TargetCase::Nlb,
            _ => TargetCase::Gwlb(geneve(r)),
        };
        let vxlan = vxlan(r);
        // The source port: AWS's flow hash range mostly; sometimes VXLAN's
        // own port, which must not make a datagram VXLAN (RFC 7348 section 5).
        let src_port = match r.random_range(0..100u8) {
            0..=69 => r.random_range(65408..=65535),
            70..=74 => 4789,
            _ => r.random(),
        };
        let not_vxlan = if src_port == 4789 { 50 } else { 5 };
        let outer = OuterCase {
            src_port,
            dst_port: if chance(r, not_vxlan) {
                r.random_range(30000..40000)
            } else if chance(r, 5) {
                8472
            } else {
                4789
            },
            udp_checksum: chance(r, 10),
            ip_option_words: if chance(r, 10) { r.random_range(1..=2) } else { 0 },
        };
        let inner = inner(r);
        let fault = if matches!(target, TargetCase::Gwlb(_)) || !chance(r, 10) {
            None
        } else {
            Some(match r.random_range(0..3u8) {
                0 => FaultCase::UdpLengthExceedsIp(r.random_range(1..=64)),
                1 => FaultCase::UdpLengthShortOfIp(r.random_range(1..=16)),
                _ => FaultCase::VxlanHeaderCut(r.random_range(0..8)),
            })
        };
        let cut = if fault.is_some() {
            None
        } else {
            match r.random_range(0..10u8) {
                0..=1 => Some(CutCase::PacketLength(match r.random_range(0..3u8) {
                    0 => r.random_range(1..=64),
                    1 => r.random_range(1..=200),
                    _ => r.random_range(1..=8500),
                })),
                2 if target == TargetCase::Eni => {
                    Some(CutCase::Mtu([1500, 8500, 9001][r.random_range(0..3)]))
                }
                _ => None,
            }
        };
        let pad = chance(r, 30);
        let mut case = Case { target, vxlan, outer, inner, cut, fault, pad };
        // A jumbo payload for an MTU cut to bite on, sometimes.
        if let (Some(CutCase::Mtu(m)), true) = (case.cut, chance(r, 60)) {
            let len = usize::from(m).saturating_sub(r.random_range(0..120)) + r.random_range(0..200);
            case.inner.payload = PayloadCase::Filler(len.min(9100) as u16);
        }
        case.normalize();
        case
    }
}

fn vxlan(r: &mut ChaCha8Rng) -> VxlanCase {
    use crate::wire::vxlan::{FLAG_A, FLAG_D, FLAG_G, FLAG_I};
    let mut flags = FLAG_I;
    let mut group_policy_id = 0;
    match r.random_range(0..10u8) {
        0..=5 => {}
        6..=7 => {
            // GBP (draft-smith-vxlan-group-policy section 2.1).
            flags |= FLAG_G;
            if chance(r, 50) {
                flags |= FLAG_D;
            }
            if chance(r, 50) {
                flags |= FLAG_A;
            }
            group_policy_id = edgy_u16(r);
        }
        8 => {
            // Reserved bits (and GPE look-alikes): RFC 7348 says ignore them.
            flags |= r.random::<u16>() & !(FLAG_G | FLAG_I | FLAG_D | FLAG_A);
            if chance(r, 50) {
                group_policy_id = r.random();
            }
        }
        _ => {
            // Anything at all, I clear included.
            flags = r.random();
            group_policy_id = r.random();
        }
    }
    let vni = match r.random_range(0..8u8) {
        0 => 9_999_999,
        1 => r.random_range(0..256),
        _ => edgy_u32(r, 24),
    };
    let reserved8 = if chance(r, 10) { r.random() } else { 0 };
    VxlanCase { flags, group_policy_id, vni, reserved8 }
}

fn geneve(r: &mut ChaCha8Rng) -> GeneveCase {
    let aws = chance(r, 50);
    let mut options = Vec::new();
    if aws {
        // AWS's three options: endpoint id, attachment id, flow cookie.
        for (t, w) in [(1u8, 2u8), (2, 2), (3, 1)] {
            options.push(OptionCase { class: 0x0108, option_type: t, data_words: w, fill: r.random() });
        }
    }
    let fill_all = chance(r, 15);
    let extra = if fill_all { 8 } else { r.random_range(0..3) };
    for _ in 0..extra {
        options.push(OptionCase {
            class: if chance(r, 50) { 0x0108 } else { r.random() },
            option_type: r.random(),
            data_words: if fill_all || chance(r, 20) {
                r.random_range(16..=31)
            } else {
                r.random_range(0..=4)
            },
            fill: r.random(),
        });
    }
    GeneveCase {
        version: if chance(r, 10) { r.random_range(1..=3) } else { 0 },
        oam: chance(r, 10),
        critical: chance(r, 15),
        vni: if chance(r, 70) { 0 } else { edgy_u32(r, 24) },
        options,
    }
}

fn inner(r: &mut ChaCha8Rng) -> InnerCase {
    let ntags = match r.random_range(0..10u8) {
        0..=6 => 0,
        7..=8 => 1,
        _ => r.random_range(2..=3),
    };
    let tags = (0..ntags)
        .map(|_| TagCase {
            pcp: r.random_range(0..8),
            dei: chance(r, 20),
            vid: match r.random_range(0..4u8) {
                0 => [0, 1, 4094, 4095][r.random_range(0..4)],
                _ => r.random_range(0..4096),
            },
        })
        .collect();
    let s_tag = ntags >= 2 && chance(r, 50);
    let ip = if chance(r, 75) {
        IpCase::V4 {
            ttl: r.random(),
            ident: r.random(),
            dont_frag: chance(r, 60),
            dscp: if chance(r, 20) { r.random_range(0..64) } else { 0 },
            ecn: if chance(r, 20) { r.random_range(0..4) } else { 0 },
            option_words: if chance(r, 15) { r.random_range(1..=10) } else { 0 },
        }
    } else {
        IpCase::V6 {
            traffic_class: if chance(r, 30) { r.random() } else { 0 },
            flow_label: r.random::<u32>() & 0xf_ffff,
            hop_limit: r.random(),
        }
    };
    let (l4, payload) = match r.random_range(0..10u8) {
        0..=5 => {
            let t = tcp(r);
            let payload = match r.random_range(0..10u8) {
                0 => PayloadCase::HttpGet { path_len: r.random_range(0..40) },
                1 => PayloadCase::TlsClientHello { tls13: chance(r, 50), seed: r.random() },
                _ => PayloadCase::Filler(filler_len(r)),
            };
            (L4Case::Tcp(t), payload)
        }
        6..=8 => {
            if chance(r, 30) {
                let id = r.random();
                let labels = r.random_range(0..4);
                (L4Case::Udp { src_port: port(r), dst_port: 53 }, PayloadCase::DnsQuery { id, labels })
            } else {
                (L4Case::Udp { src_port: port(r), dst_port: port(r) }, PayloadCase::Filler(filler_len(r)))
            }
        }
        _ => (
            L4Case::Icmp { request: chance(r, 50), ident: r.random(), seq: r.random() },
            PayloadCase::Filler(if chance(r, 70) { 56 } else { filler_len(r) }),
        ),
    };
    InnerCase { tags, s_tag, ip, l4, payload }
}

fn filler_len(r: &mut ChaCha8Rng) -> u16 {
    match r.random_range(0..10u8) {
        0..=2 => 0,
        3..=7 => r.random_range(1..=200),
        _ => r.random_range(200..=1400),
    }
}

fn tcp(r: &mut ChaCha8Rng) -> TcpCase {
    let syn = chance(r, 30);
    let flags = match r.random_range(0..10u8) {
        0..=6 => {
            if syn {
                0x002 | if chance(r, 50) { 0x010 } else { 0 }
            } else {
                0x010 | if chance(r, 50) { 0x008 } else { 0 }
            }
        }
        _ => r.random::<u16>() & 0x0fff,
    };
    let timestamp = chance(r, 60).then(|| (r.random(), r.random()));
    let nsack = if chance(r, 20) { r.random_range(1..=3) } else { 0 };
    TcpCase {
        src_port: port(r),
        dst_port: port(r),
        seq: r.random(),
        ack: r.random(),
        flags,
        window: r.random(),
        urgent: if flags & 0x020 != 0 || chance(r, 5) { r.random() } else { 0 },
        mss: (syn || chance(r, 10)).then(|| if chance(r, 70) { 1460 } else { r.random() }),
        window_scale: (syn || chance(r, 10)).then(|| r.random_range(0..=14)),
        sack_permitted: syn && chance(r, 80),
        sack: (0..nsack).map(|_| (r.random(), r.random())).collect(),
        timestamp,
    }
}
