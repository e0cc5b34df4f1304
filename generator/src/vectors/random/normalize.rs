//! The constraints that keep a case buildable and its expected dissection
//! unambiguous, applied after drawing and after every shrink step.

use super::*;

/// Standard EC2 MTUs (AWS "Network maximum transmission unit for your EC2
/// instance"): an MTU cut is to one of these, and a PacketLength cut never
/// leaves a copy of exactly one of these lengths (a receiver tells the two
/// causes apart only by that, docs/dissection.md).
pub const EC2_MTUS: [u16; 3] = [1500, 8500, 9001];

/// The largest GENEVE option list: Opt Len is 6 bits of 4-byte words (RFC 8926 section 3.4).
pub const MAX_GENEVE_OPTIONS_LEN: usize = 63 * 4;

/// The largest filler payload: a 9001-byte jumbo frame and some.
pub const MAX_PAYLOAD: u16 = 9100;

impl Case {
    /// Brings every field into its range and resolves combinations the
    /// builder cannot emit or a receiver cannot tell apart:
    ///
    /// * bit fields masked to their width (VNI 24 bits, VID 12, PCP 3, DSCP
    ///   6, ECN 2, flow label 20, TCP flags 12, GENEVE version 2);
    /// * at most 3 SACK blocks, fewer when the other TCP options leave no
    ///   room (40 bytes of options, RFC 9293 section 3.1); at most 10 IPv4
    ///   option words, 2 outer;
    /// * GENEVE options of at most 31 words each (5-bit length) and at most
    ///   252 bytes in all (RFC 8926 section 3.5);
    /// * no fault and no MTU cut inside a GWLB's GENEVE (AWS cuts to the MTU
    ///   only for a network-interface target); a fault and a cut never
    ///   together; an MTU one of [`EC2_MTUS`], a PacketLength of 1 ..= 8500
    ///   that never leaves a copy one of those lengths;
    /// * port 8472 only for an ENI or NLB copy without a fault (its
    ///   readings do not combine with theirs);
    /// * application payloads on their transport (HTTP and TLS over TCP, DNS
    ///   over UDP to port 53), no other inner port among the tunnels' and DNS
    ///   ([`super::draw::RESERVED_PORTS`]), the S-tag only on two or more tags.
    pub fn normalize(&mut self) {
        let v = &mut self.vxlan;
        v.vni &= 0xff_ffff;
        if let TargetCase::Gwlb(g) = &mut self.target {
            g.version &= 3;
            g.vni &= 0xff_ffff;
            for o in &mut g.options {
                o.data_words = o.data_words.min(31);
            }
            while g.options_len() > MAX_GENEVE_OPTIONS_LEN {
                g.options.pop();
            }
            self.fault = None;
            if matches!(self.cut, Some(CutCase::Mtu(_))) {
                self.cut = None;
            }
        }
        // Port 8472's two readings (VXLAN, opaque UDP) are the corpus's for an
        // ENI copy; they do not combine with GENEVE's or a fault's.
        if self.outer.dst_port == 8472 && (matches!(self.target, TargetCase::Gwlb(_)) || self.fault.is_some())
        {
            self.outer.dst_port = 4789;
        }
        self.outer.ip_option_words = self.outer.ip_option_words.min(2);
        if self.outer.dst_port != 4789
            && self.outer.dst_port != 8472
            && super::draw::RESERVED_PORTS.contains(&self.outer.dst_port)
        {
            self.outer.dst_port = 4789;
        }
        let inner = &mut self.inner;
        for t in &mut inner.tags {
            t.pcp &= 7;
            t.vid &= 0x0fff;
        }
        inner.s_tag &= inner.tags.len() >= 2;
        match &mut inner.ip {
            IpCase::V4 { dscp, ecn, option_words, .. } => {
                *dscp &= 0x3f;
                *ecn &= 3;
                *option_words = (*option_words).min(10);
            }
            IpCase::V6 { flow_label, .. } => *flow_label &= 0xf_ffff,
        }
        let fix_port = |p: &mut u16| {
            if super::draw::RESERVED_PORTS.contains(p) {
                *p = p.wrapping_add(1000).max(1);
            }
        };
        match &mut inner.l4 {
            L4Case::Tcp(t) => {
                t.flags &= 0x0fff;
                t.sack.truncate(3);
                let fixed = t.mss.map_or(0, |_| 4)
                    + if t.timestamp.is_some() {
                        12
                    } else if t.sack_permitted {
                        4
                    } else {
                        0
                    }
                    + t.window_scale.map_or(0, |_| 4);
                while !t.sack.is_empty() && fixed + 4 + 8 * t.sack.len() > 40 {
                    t.sack.pop();
                }
                fix_port(&mut t.src_port);
                fix_port(&mut t.dst_port);
                if matches!(inner.payload, PayloadCase::DnsQuery { .. }) {
                    inner.payload = PayloadCase::Filler(0);
                }
            }
            L4Case::Udp { src_port, dst_port } => {
                if matches!(inner.payload, PayloadCase::HttpGet { .. } | PayloadCase::TlsClientHello { .. }) {
                    inner.payload = PayloadCase::Filler(0);
                }
                fix_port(src_port);
                if matches!(inner.payload, PayloadCase::DnsQuery { .. }) {
                    *dst_port = 53;
                } else {
                    fix_port(dst_port);
                }
            }
            L4Case::Icmp { .. } => {
                if !matches!(inner.payload, PayloadCase::Filler(_)) {
                    inner.payload = PayloadCase::Filler(0);
                }
            }
        }
        if let PayloadCase::Filler(n) = &mut inner.payload {
            *n = (*n).min(MAX_PAYLOAD);
        }
        if let PayloadCase::DnsQuery { labels, .. } = &mut inner.payload {
            *labels = (*labels).min(8);
        }
        if let PayloadCase::HttpGet { path_len } = &mut inner.payload {
            *path_len = (*path_len).min(200);
        }
        if self.fault.is_some() {
            self.cut = None;
        }
        if let Some(FaultCase::VxlanHeaderCut(n)) = &mut self.fault {
            *n = (*n).min(7);
        }
        if let Some(FaultCase::UdpLengthExceedsIp(n) | FaultCase::UdpLengthShortOfIp(n)) = &mut self.fault {
            *n = (*n).clamp(1, 1024);
        }
        let inner_len = self.inner_len();
        let opts = 4 * usize::from(self.outer.ip_option_words);
        match &mut self.cut {
            Some(CutCase::Mtu(m)) if !EC2_MTUS.contains(m) => *m = 1500,
            Some(CutCase::PacketLength(n)) => {
                *n = (*n).clamp(1, 8500);
                let copy_len = |n: u16| 36 + opts + usize::from(n);
                while usize::from(*n) < inner_len && EC2_MTUS.iter().any(|&m| usize::from(m) == copy_len(*n))
                {
                    *n -= 1;
                }
            }
            _ => {}
        }
    }

    /// The length of the mirrored frame, before any cut.
    pub fn inner_len(&self) -> usize {
        let i = &self.inner;
        let l2 = 14 + 4 * i.tags.len();
        let l3 = match i.ip {
            IpCase::V4 { option_words, .. } => 20 + 4 * usize::from(option_words),
            IpCase::V6 { .. } => 40,
        };
        let l4 = match &i.l4 {
            L4Case::Tcp(t) => {
                let fixed = t.mss.map_or(0, |_| 4)
                    + if t.timestamp.is_some() {
                        12
                    } else if t.sack_permitted {
                        4
                    } else {
                        0
                    }
                    + t.window_scale.map_or(0, |_| 4);
                let sack = if t.sack.is_empty() { 0 } else { 4 + 8 * t.sack.len() };
                20 + (fixed + sack).next_multiple_of(4)
            }
            L4Case::Udp { .. } | L4Case::Icmp { .. } => 8,
        };
        let payload = match i.payload {
            PayloadCase::Filler(n) => usize::from(n),
            _ => {
                let (sport, dport) = match &i.l4 {
                    L4Case::Tcp(t) => (t.src_port, t.dst_port),
                    L4Case::Udp { src_port, dst_port } => (*src_port, *dst_port),
                    L4Case::Icmp { .. } => (0, 0),
                };
                i.payload.bytes(sport, dport).0.len()
            }
        };
        l2 + l3 + l4 + payload
    }
}
