//! Shrinking: the simpler cases one step away from a case, for the fuzzer
//! to try in order until none still fails the same way.
//!
//! A step removes something (the fault, the cut, the GWLB wrapping, a GENEVE
//! option, an 802.1Q tag, a TCP option, IPv4 options, the application
//! payload) or simplifies a value (halved, cleared, set to the AWS
//! default). Every candidate is normalized and strictly less complex
//! ([`Case::complexity`]) than the case it came from, so shrinking ends.

use super::*;
use serde_json::Value;

impl Case {
    /// A measure of how much a case holds: each integer counts its bit
    /// length, each `true` one, each list element ten, each variant other
    /// than the simplest (ENI, IPv4, TCP, filler, no cut or fault) its rank.
    /// Shrink candidates are always below the case they came from.
    pub fn complexity(&self) -> u64 {
        let value = serde_json::to_value(self).unwrap_or(Value::Null);
        weigh(&value)
    }

    /// The candidates one shrink step away, largest removals first; each
    /// is normalized and less complex than `self`.
    pub fn shrink_candidates(&self) -> Vec<Case> {
        let mut out: Vec<Case> = Vec::new();
        let mut push = |f: &dyn Fn(&mut Case)| {
            let mut c = self.clone();
            f(&mut c);
            c.normalize();
            out.push(c);
        };
        // Removals.
        push(&|c| c.fault = None);
        push(&|c| c.cut = None);
        push(&|c| c.target = TargetCase::Eni);
        if let TargetCase::Gwlb(g) = &self.target {
            if !g.options.is_empty() {
                push(&|c| gwlb(c, |g| g.options.clear()));
                for i in 0..g.options.len() {
                    push(&|c| {
                        gwlb(c, |g| {
                            g.options.remove(i);
                        })
                    });
                }
            }
        }
        push(&|c| c.inner.tags.clear());
        for i in 0..self.inner.tags.len() {
            push(&|c| {
                c.inner.tags.remove(i);
            });
        }
        push(&|c| c.inner.payload = PayloadCase::Filler(0));
        push(&|c| {
            c.inner.ip = IpCase::V4 { ttl: 64, ident: 0, dont_frag: false, dscp: 0, ecn: 0, option_words: 0 }
        });
        push(&|c| c.inner.l4 = L4Case::Tcp(TcpCase::plain()));
        if let L4Case::Tcp(_) = &self.inner.l4 {
            push(&|c| {
                tcp(c, |t| *t = TcpCase { src_port: t.src_port, dst_port: t.dst_port, ..TcpCase::plain() })
            });
            push(&|c| tcp(c, |t| t.sack.clear()));
            push(&|c| {
                tcp(c, |t| {
                    t.sack.pop();
                })
            });
            push(&|c| tcp(c, |t| t.timestamp = None));
            push(&|c| tcp(c, |t| t.mss = None));
            push(&|c| tcp(c, |t| t.window_scale = None));
            push(&|c| tcp(c, |t| t.sack_permitted = false));
        }
        push(&|c| ip(c, |w| *w = 0));
        push(&|c| c.outer.ip_option_words = 0);
        push(&|c| c.pad = false);
        push(&|c| c.outer.udp_checksum = false);
        // Simpler values.
        if let PayloadCase::Filler(n) = self.inner.payload {
            push(&|c| c.inner.payload = PayloadCase::Filler(n / 2));
            push(&|c| c.inner.payload = PayloadCase::Filler(n - n.min(1)));
        }
        match self.cut {
            Some(CutCase::PacketLength(n)) => {
                push(&|c| c.cut = Some(CutCase::PacketLength(n / 2)));
                push(&|c| c.cut = Some(CutCase::PacketLength(n - n.min(1))));
            }
            Some(CutCase::Mtu(m)) if m != 1500 => push(&|c| c.cut = Some(CutCase::Mtu(1500))),
            _ => {}
        }
        match self.fault {
            Some(FaultCase::UdpLengthExceedsIp(n)) => {
                push(&|c| c.fault = Some(FaultCase::UdpLengthExceedsIp(n / 2)))
            }
            Some(FaultCase::UdpLengthShortOfIp(n)) => {
                push(&|c| c.fault = Some(FaultCase::UdpLengthShortOfIp(n / 2)))
            }
            Some(FaultCase::VxlanHeaderCut(n)) => push(&|c| c.fault = Some(FaultCase::VxlanHeaderCut(n / 2))),
            None => {}
        }
        push(&|c| {
            c.vxlan = VxlanCase {
                flags: crate::wire::vxlan::FLAG_I,
                group_policy_id: 0,
                vni: c.vxlan.vni,
                reserved8: 0,
            }
        });
        for bit in 0..16 {
            if self.vxlan.flags & (1 << bit) != 0 {
                push(&|c| c.vxlan.flags &= !(1 << bit));
            }
        }
        for (i, v) in [self.vxlan.group_policy_id as u32, self.vxlan.vni, u32::from(self.vxlan.reserved8)]
            .into_iter()
            .enumerate()
        {
            for smaller in smaller_values(v) {
                push(&|c| match i {
                    0 => c.vxlan.group_policy_id = smaller as u16,
                    1 => c.vxlan.vni = smaller,
                    _ => c.vxlan.reserved8 = smaller as u8,
                });
            }
        }
        for smaller in smaller_values(u32::from(self.outer.src_port)) {
            push(&|c| c.outer.src_port = smaller as u16);
        }
        if self.outer.dst_port != 4789 {
            push(&|c| c.outer.dst_port = 4789);
        }
        if let TargetCase::Gwlb(g) = &self.target {
            push(&|c| {
                gwlb(c, |g| {
                    g.version = 0;
                    g.oam = false;
                    g.critical = false;
                    g.vni = 0;
                })
            });
            for (i, o) in g.options.iter().enumerate() {
                if o.data_words > 0 {
                    push(&|c| gwlb(c, |g| g.options[i].data_words /= 2));
                    push(&|c| gwlb(c, |g| g.options[i].data_words -= 1));
                }
                if o.fill != 0 || o.class != 0x0108 || o.option_type != 0 {
                    push(&|c| {
                        gwlb(c, |g| {
                            let o = &mut g.options[i];
                            (o.fill, o.class, o.option_type) = (0, 0x0108, 0);
                        })
                    });
                }
                if o.option_type & 0x80 != 0 {
                    push(&|c| gwlb(c, |g| g.options[i].option_type &= 0x7f));
                }
            }
        }
        for (i, t) in self.inner.tags.iter().enumerate() {
            if *t != (TagCase { pcp: 0, dei: false, vid: 1 }) {
                push(&|c| c.inner.tags[i] = TagCase { pcp: 0, dei: false, vid: 1 });
            }
        }
        push(&|c| c.inner.s_tag = false);
        if let L4Case::Tcp(t) = &self.inner.l4 {
            for (field, v) in [
                (0, t.seq),
                (1, t.ack),
                (2, u32::from(t.window)),
                (3, u32::from(t.urgent)),
                (4, u32::from(t.src_port)),
                (5, u32::from(t.dst_port)),
            ] {
                for smaller in smaller_values(v) {
                    push(&|c| {
                        tcp(c, |t| match field {
                            0 => t.seq = smaller,
                            1 => t.ack = smaller,
                            2 => t.window = smaller as u16,
                            3 => t.urgent = smaller as u16,
                            4 => t.src_port = smaller as u16,
                            _ => t.dst_port = smaller as u16,
                        })
                    });
                }
            }
            if t.flags != 0x010 {
                push(&|c| tcp(c, |t| t.flags = 0x010));
            }
        }
        let me = self.complexity();
        out.retain(|c| c != self && c.complexity() < me);
        let mut seen = std::collections::HashSet::new();
        out.retain(|c| seen.insert(c.clone()));
        out
    }
}

impl Case {
    /// The simplest case: an AWS copy to a network interface, VNI 1, flags
    /// 0x08, of a TCP ACK without options or payload over IPv4.
    pub fn simplest() -> Case {
        Case {
            target: TargetCase::Eni,
            vxlan: VxlanCase { flags: crate::wire::vxlan::FLAG_I, group_policy_id: 0, vni: 1, reserved8: 0 },
            outer: OuterCase { src_port: 65408, dst_port: 4789, udp_checksum: false, ip_option_words: 0 },
            inner: InnerCase {
                tags: Vec::new(),
                s_tag: false,
                ip: IpCase::V4 { ttl: 64, ident: 0, dont_frag: false, dscp: 0, ecn: 0, option_words: 0 },
                l4: L4Case::Tcp(TcpCase::plain()),
                payload: PayloadCase::Filler(0),
            },
            cut: None,
            fault: None,
            pad: false,
        }
    }
}

impl TcpCase {
    /// An ACK without options from port 1000 to port 2000.
    pub fn plain() -> TcpCase {
        TcpCase {
            src_port: 1000,
            dst_port: 2000,
            seq: 0,
            ack: 0,
            flags: 0x010,
            window: 0,
            urgent: 0,
            mss: None,
            window_scale: None,
            sack_permitted: false,
            sack: Vec::new(),
            timestamp: None,
        }
    }
}

/// 0, half, and the value without its top bit: simpler values to try.
fn smaller_values(v: u32) -> Vec<u32> {
    if v == 0 {
        return Vec::new();
    }
    let top = 1u32 << (31 - v.leading_zeros());
    let mut out = vec![0, v / 2, v & !top, v - 1];
    out.dedup();
    out.retain(|&s| s < v);
    out
}

fn gwlb(c: &mut Case, f: impl FnOnce(&mut GeneveCase)) {
    if let TargetCase::Gwlb(g) = &mut c.target {
        f(g);
    }
}

fn tcp(c: &mut Case, f: impl FnOnce(&mut TcpCase)) {
    if let L4Case::Tcp(t) = &mut c.inner.l4 {
        f(t);
    }
}

fn ip(c: &mut Case, f: impl FnOnce(&mut u8)) {
    if let IpCase::V4 { option_words, .. } = &mut c.inner.ip {
        f(option_words);
    }
}

/// The rank of a variant name: what it costs over the simplest choice.
fn rank(name: &str) -> u64 {
    match name {
        "gwlb" => 200,
        "nlb" => 20,
        "v6" => 60,
        "udp" | "icmp" => 40,
        "http_get" | "dns_query" | "tls_client_hello" => 80,
        "packet_length" | "mtu" => 100,
        "udp_length_exceeds_ip" | "udp_length_short_of_ip" | "vxlan_header_cut" => 150,
        _ => 0,
    }
}

fn weigh(v: &Value) -> u64 {
    match v {
        Value::Null => 0,
        Value::Bool(b) => u64::from(*b),
        Value::Number(n) => n.as_u64().map_or(0, |n| u64::from(64 - n.leading_zeros())),
        Value::String(s) => rank(s),
        Value::Array(a) => a.iter().map(|x| 10 + weigh(x)).sum(),
        Value::Object(o) => o.iter().map(|(k, x)| rank(k) + weigh(x)).sum(),
    }
}
