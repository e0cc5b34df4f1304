//! Words about a case: what it holds, layer by layer, and what shrinking
//! took away from the case drawn.

use super::*;
use crate::wire::vxlan::{FLAG_A, FLAG_D, FLAG_G, FLAG_I};

impl Case {
    /// One line, outermost layer first: `GWLB (GENEVE v0, 3 options, 20
    /// bytes) / outer UDP 65432 -> 4789 / VXLAN flags 0x8848 [G I D A]
    /// policy 40000 VNI 16777215 / 802.1Q vid 5 / IPv4 / TCP 1000 -> 2000
    /// [mss ts] / 12 bytes filler / PacketLength 60`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        parts.push(match &self.target {
            TargetCase::Eni => "ENI target".to_owned(),
            TargetCase::Nlb => "NLB target".to_owned(),
            TargetCase::Gwlb(g) => format!(
                "GWLB target (GENEVE v{}{}{} VNI {}, {} option(s), {} bytes)",
                g.version,
                if g.oam { " O" } else { "" },
                if g.critical { " C" } else { "" },
                g.vni,
                g.options.len(),
                g.options_len()
            ),
        });
        let o = &self.outer;
        parts.push(format!(
            "outer UDP {} -> {}{}{}",
            o.src_port,
            o.dst_port,
            if o.udp_checksum { " with checksum" } else { "" },
            if o.ip_option_words > 0 {
                format!(", IPv4 options {} bytes", 4 * o.ip_option_words)
            } else {
                String::new()
            }
        ));
        let v = &self.vxlan;
        let mut bits = Vec::new();
        for (bit, name) in [(FLAG_G, "G"), (FLAG_I, "I"), (FLAG_D, "D"), (FLAG_A, "A")] {
            if v.flags & bit != 0 {
                bits.push(name);
            }
        }
        let reserved = v.flags & !(FLAG_G | FLAG_I | FLAG_D | FLAG_A);
        parts.push(format!(
            "VXLAN flags {:#06x} [{}]{} policy {} VNI {}{}",
            v.flags,
            bits.join(" "),
            if reserved != 0 { format!(" reserved {reserved:#06x}") } else { String::new() },
            v.group_policy_id,
            v.vni,
            if v.reserved8 != 0 { format!(" reserved8 {}", v.reserved8) } else { String::new() }
        ));
        let i = &self.inner;
        for (n, t) in i.tags.iter().enumerate() {
            let tpid = if n == 0 && i.s_tag { "802.1ad S-tag" } else { "802.1Q" };
            parts.push(format!("{tpid} pcp {} dei {} vid {}", t.pcp, u8::from(t.dei), t.vid));
        }
        parts.push(match i.ip {
            IpCase::V4 { ttl, ident, dont_frag, dscp, ecn, option_words } => format!(
                "IPv4 ttl {ttl} id {ident}{}{}{}",
                if dont_frag { " DF" } else { "" },
                if dscp != 0 || ecn != 0 { format!(" dscp {dscp} ecn {ecn}") } else { String::new() },
                if option_words > 0 { format!(" options {} bytes", 4 * option_words) } else { String::new() }
            ),
            IpCase::V6 { traffic_class, flow_label, hop_limit } => {
                format!("IPv6 tc {traffic_class} flow {flow_label} hlim {hop_limit}")
            }
        });
        parts.push(match &i.l4 {
            L4Case::Tcp(t) => {
                let mut opts = Vec::new();
                if let Some(m) = t.mss {
                    opts.push(format!("mss {m}"));
                }
                if let Some(w) = t.window_scale {
                    opts.push(format!("ws {w}"));
                }
                if t.sack_permitted {
                    opts.push("sackok".to_owned());
                }
                if !t.sack.is_empty() {
                    opts.push(format!("{} sack block(s)", t.sack.len()));
                }
                if t.timestamp.is_some() {
                    opts.push("ts".to_owned());
                }
                format!(
                    "TCP {} -> {} flags {:#05x} seq {} ack {} win {}{} [{}]",
                    t.src_port,
                    t.dst_port,
                    t.flags,
                    t.seq,
                    t.ack,
                    t.window,
                    if t.urgent != 0 { format!(" urg {}", t.urgent) } else { String::new() },
                    opts.join(", ")
                )
            }
            L4Case::Udp { src_port, dst_port } => format!("UDP {src_port} -> {dst_port}"),
            L4Case::Icmp { request, ident, seq } => {
                format!("ICMP echo {} id {ident} seq {seq}", if *request { "request" } else { "reply" })
            }
        });
        parts.push(match i.payload {
            PayloadCase::Filler(n) => format!("{n} bytes of payload"),
            PayloadCase::HttpGet { path_len } => format!("HTTP GET of a {}-character path", path_len + 1),
            PayloadCase::DnsQuery { id, labels } => format!("DNS query id {id} ({} labels)", labels + 2),
            PayloadCase::TlsClientHello { tls13, .. } => {
                format!("TLS {} ClientHello", if tls13 { "1.3" } else { "1.2" })
            }
        });
        match self.cut {
            Some(CutCase::PacketLength(n)) => parts.push(format!("PacketLength {n}")),
            Some(CutCase::Mtu(m)) => parts.push(format!("MTU {m}")),
            None => {}
        }
        match self.fault {
            Some(FaultCase::UdpLengthExceedsIp(n)) => {
                parts.push(format!("UDP Length {n} over the IP payload"))
            }
            Some(FaultCase::UdpLengthShortOfIp(n)) => parts.push(format!("{n} bytes after the UDP datagram")),
            Some(FaultCase::VxlanHeaderCut(n)) => parts.push(format!("VXLAN header cut to {n} bytes")),
            None => {}
        }
        if self.pad {
            parts.push("padded to 60 bytes".to_owned());
        }
        parts.join(" / ")
    }

    /// What `self` (a shrunk case) no longer holds of `drawn`, the case as
    /// drawn: `["the GWLB wrapping", "2 802.1Q tags", "1200 payload bytes"]`.
    pub fn shrunk_away(&self, drawn: &Case) -> Vec<String> {
        let mut out = Vec::new();
        if drawn.fault.is_some() && self.fault.is_none() {
            out.push("the malformation".to_owned());
        }
        if drawn.cut.is_some() && self.cut.is_none() {
            out.push("the truncation".to_owned());
        }
        match (&drawn.target, &self.target) {
            (TargetCase::Gwlb(_), TargetCase::Gwlb(_)) | (TargetCase::Eni, _) => {}
            (TargetCase::Gwlb(_), _) => out.push("the GWLB's GENEVE wrapping".to_owned()),
            (TargetCase::Nlb, _) => out.push("the NLB target".to_owned()),
        }
        if let (TargetCase::Gwlb(a), TargetCase::Gwlb(b)) = (&drawn.target, &self.target) {
            if a.options.len() > b.options.len() {
                out.push(format!("{} GENEVE option(s)", a.options.len() - b.options.len()));
            }
            if a.options_len() > b.options_len() {
                out.push(format!("{} bytes of GENEVE options", a.options_len() - b.options_len()));
            }
        }
        let (a, b) = (&drawn.inner, &self.inner);
        if a.tags.len() > b.tags.len() {
            out.push(format!("{} VLAN tag(s)", a.tags.len() - b.tags.len()));
        }
        if matches!(a.ip, IpCase::V6 { .. }) && matches!(b.ip, IpCase::V4 { .. }) {
            out.push("IPv6 (now IPv4)".to_owned());
        }
        if let (IpCase::V4 { option_words: x, .. }, IpCase::V4 { option_words: y, .. }) = (a.ip, b.ip) {
            if x > y {
                out.push(format!("{} bytes of inner IPv4 options", 4 * (x - y)));
            }
        }
        if drawn.outer.ip_option_words > self.outer.ip_option_words {
            out.push("the outer IPv4 options".to_owned());
        }
        match (&a.l4, &b.l4) {
            (L4Case::Tcp(x), L4Case::Tcp(y)) => {
                let count = |t: &TcpCase| {
                    usize::from(t.mss.is_some())
                        + usize::from(t.window_scale.is_some())
                        + usize::from(t.sack_permitted)
                        + usize::from(t.timestamp.is_some())
                        + t.sack.len()
                };
                if count(x) > count(y) {
                    out.push(format!("{} TCP option(s)", count(x) - count(y)));
                }
            }
            (L4Case::Udp { .. }, L4Case::Tcp(_)) => out.push("UDP (now TCP)".to_owned()),
            (L4Case::Icmp { .. }, L4Case::Tcp(_)) => out.push("ICMP (now TCP)".to_owned()),
            _ => {}
        }
        if a.payload != b.payload {
            let len = |p: &PayloadCase| match p {
                PayloadCase::Filler(n) => format!("{n} bytes"),
                other => format!("{other:?}"),
            };
            out.push(format!("payload {} (now {})", len(&a.payload), len(&b.payload)));
        }
        if drawn.pad && !self.pad {
            out.push("the padding".to_owned());
        }
        if drawn.outer.udp_checksum && !self.outer.udp_checksum {
            out.push("the outer UDP checksum".to_owned());
        }
        if drawn.vxlan != self.vxlan {
            out.push("simpler VXLAN field values".to_owned());
        }
        out
    }
}
