//! The walk over a frame's headers, outermost first.

use super::{Explanation, Row, VxlanReadings};
use crate::dissection::registry::{self, DOT1Q, ETH, RFC768, RFC791, RFC8200, RFC8926, RFC9293};
use crate::wire::{ethernet, geneve, ipv4, ipv6, tcp, udp, vlan, vxlan};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::ops::Range;

/// Where the walk is: which part of the copy the next header belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// The outer headers AWS (or the GWLB) adds.
    Outer,
    /// The mirror copy's own IPv4 / UDP, inside a GWLB's GENEVE.
    Geneve,
    /// The mirrored frame.
    Inner,
}

impl Part {
    fn prefix(self) -> &'static str {
        match self {
            Part::Outer => "outer",
            Part::Geneve => "geneve",
            Part::Inner => "inner",
        }
    }
}

pub(super) struct Walk<'a> {
    frame: &'a [u8],
    out: Explanation,
    vlans: usize,
}

impl<'a> Walk<'a> {
    pub(super) fn run(frame: &'a [u8]) -> Explanation {
        let mut walk = Walk { frame, out: Explanation::default(), vlans: 0 };
        walk.ethernet(0, Part::Outer);
        walk.out
    }

    /// The big-endian value of `range` at `at`, if captured.
    fn uint(&self, at: usize, range: Range<usize>) -> Option<u64> {
        let bytes = self.frame.get(at + range.start..at + range.end)?;
        Some(bytes.iter().fold(0u64, |v, b| v << 8 | u64::from(*b)))
    }

    /// Adds a field if its bytes were captured; whether they were.
    fn row(
        &mut self,
        at: usize,
        range: Range<usize>,
        path: String,
        name: &'static str,
        value: String,
        clause: &'static str,
    ) -> bool {
        self.row_masked(at, range, None, path, name, value, clause)
    }

    #[allow(clippy::too_many_arguments)]
    fn row_masked(
        &mut self,
        at: usize,
        range: Range<usize>,
        mask: Option<u64>,
        path: String,
        name: &'static str,
        value: String,
        clause: &'static str,
    ) -> bool {
        if at + range.end > self.frame.len() {
            return false;
        }
        let clause = registry::field(&path).map_or(clause, |f| f.spec);
        self.out.rows.push(Row {
            offset: at + range.start,
            len: range.len(),
            mask,
            path,
            name,
            value,
            clause,
        });
        true
    }

    /// A header cut short: a note, and the walk stops.
    fn cut(&mut self, what: &str, at: usize, needed: usize) {
        self.out.notes.push(format!(
            "{what} at offset {at} needs {needed} bytes; the capture holds {} (cut by PacketLength, the MTU or the snap length)",
            self.frame.len().saturating_sub(at)
        ));
    }

    fn ethernet(&mut self, at: usize, part: Part) {
        use ethernet::field::*;
        let layer = format!("{}.eth", part.prefix());
        let mac = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<Vec<_>>().join(":");
        for (range, name, leaf) in [(DESTINATION, "Destination MAC", "dst"), (SOURCE, "Source MAC", "src")] {
            if let Some(bytes) = self.frame.get(at + range.start..at + range.end) {
                let value = mac(bytes);
                self.row(at, range, format!("{layer}.{leaf}"), name, value, ETH);
            }
        }
        let Some(ethertype) = self.uint(at, ETHERTYPE) else {
            return self.cut("an Ethernet header", at, PAYLOAD);
        };
        self.row(at, ETHERTYPE, format!("{layer}.ethertype"), "EtherType", ethertype_text(ethertype), ETH);
        self.after_ethertype(at + PAYLOAD, ethertype as u16, part);
    }

    fn after_ethertype(&mut self, at: usize, ethertype: u16, part: Part) {
        match ethertype {
            0x8100 | 0x88a8 => self.vlan(at, part),
            0x0800 => self.ipv4(at, part),
            0x86dd => self.ipv6(at, part),
            other => self
                .out
                .notes
                .push(format!("offset {at}: EtherType 0x{other:04x} is not one this explanation looks into")),
        }
    }

    fn vlan(&mut self, at: usize, part: Part) {
        use vlan::field::*;
        let layer = match part {
            Part::Inner => {
                self.vlans += 1;
                format!("inner.vlan[{}]", self.vlans - 1)
            }
            _ => format!("{}.vlan", part.prefix()),
        };
        let Some(tci) = self.uint(at, TCI) else { return self.cut("an 802.1Q tag", at, PAYLOAD) };
        self.row_masked(
            at,
            TCI,
            Some(0xe000),
            format!("{layer}.pcp"),
            "Priority Code Point",
            (tci >> 13).to_string(),
            DOT1Q,
        );
        self.row_masked(
            at,
            TCI,
            Some(0x1000),
            format!("{layer}.dei"),
            "Drop Eligible Indicator",
            (tci >> 12 & 1).to_string(),
            DOT1Q,
        );
        self.row_masked(
            at,
            TCI,
            Some(0x0fff),
            format!("{layer}.vid"),
            "VLAN Identifier",
            (tci & 0xfff).to_string(),
            DOT1Q,
        );
        let Some(ethertype) = self.uint(at, ETHERTYPE) else { return self.cut("an 802.1Q tag", at, PAYLOAD) };
        self.row(at, ETHERTYPE, format!("{layer}.ethertype"), "EtherType", ethertype_text(ethertype), DOT1Q);
        self.after_ethertype(at + PAYLOAD, ethertype as u16, part);
    }

    fn ipv4(&mut self, at: usize, part: Part) {
        use ipv4::field::*;
        let layer = format!("{}.ipv4", part.prefix());
        let Some(ver_ihl) = self.uint(at, VER_IHL) else { return self.cut("an IPv4 header", at, OPTIONS) };
        let header_len = ((ver_ihl & 0x0f) * 4) as usize;
        self.row_masked(
            at,
            VER_IHL,
            Some(0xf0),
            format!("{layer}.version"),
            "Version",
            (ver_ihl >> 4).to_string(),
            RFC791,
        );
        self.row_masked(
            at,
            VER_IHL,
            Some(0x0f),
            format!("{layer}.header_len"),
            "Header length (IHL x 4)",
            format!("{header_len} bytes"),
            RFC791,
        );
        let fields: [(Range<usize>, Option<u64>, &str, &'static str); 10] = [
            (DSCP_ECN, Some(0xfc), "dscp", "DSCP"),
            (DSCP_ECN, Some(0x03), "ecn", "ECN"),
            (LENGTH, None, "total_len", "Total Length"),
            (IDENT, None, "ident", "Identification"),
            (FLG_OFF, Some(0x4000), "dont_frag", "Don't Fragment"),
            (FLG_OFF, Some(0x2000), "more_frags", "More Fragments"),
            (FLG_OFF, Some(0x1fff), "frag_offset", "Fragment Offset (8-byte units)"),
            (TTL, None, "ttl", "Time to Live"),
            (PROTOCOL, None, "protocol", "Protocol"),
            (CHECKSUM, None, "checksum", "Header Checksum"),
        ];
        for (range, mask, leaf, name) in fields {
            let Some(raw) = self.uint(at, range.clone()) else {
                return self.cut("an IPv4 header", at, OPTIONS);
            };
            let value = match mask {
                Some(m) => (raw & m) >> m.trailing_zeros(),
                None => raw,
            };
            let text = match leaf {
                "protocol" => protocol_text(value),
                "checksum" | "ident" => format!("0x{value:04x}"),
                _ => value.to_string(),
            };
            self.row_masked(at, range, mask, format!("{layer}.{leaf}"), name, text, RFC791);
        }
        for (range, leaf, name) in
            [(SRC_ADDR, "src", "Source Address"), (DST_ADDR, "dst", "Destination Address")]
        {
            let Some(raw) = self.uint(at, range.clone()) else {
                return self.cut("an IPv4 header", at, OPTIONS);
            };
            self.row(
                at,
                range,
                format!("{layer}.{leaf}"),
                name,
                Ipv4Addr::from(raw as u32).to_string(),
                RFC791,
            );
        }
        if header_len < OPTIONS {
            return self
                .out
                .notes
                .push(format!("offset {at}: an IHL of {header_len} bytes is shorter than the IPv4 header"));
        }
        if header_len > OPTIONS {
            let present = self.frame.len().saturating_sub(at + OPTIONS).min(header_len - OPTIONS);
            self.row(
                at,
                OPTIONS..OPTIONS + present,
                format!("{layer}.options"),
                "Options",
                format!("{} bytes", header_len - OPTIONS),
                RFC791,
            );
        }
        let protocol = self.uint(at, PROTOCOL).unwrap_or(0) as u8;
        self.transport(at + header_len, protocol, part);
    }

    fn ipv6(&mut self, at: usize, part: Part) {
        use ipv6::field::*;
        let layer = format!("{}.ipv6", part.prefix());
        let Some(word) = self.uint(at, VER_TC_FLOW) else { return self.cut("an IPv6 header", at, PAYLOAD) };
        self.row_masked(
            at,
            VER_TC_FLOW,
            Some(0xf000_0000),
            format!("{layer}.version"),
            "Version",
            (word >> 28).to_string(),
            RFC8200,
        );
        self.row_masked(
            at,
            VER_TC_FLOW,
            Some(0x0ff0_0000),
            format!("{layer}.traffic_class"),
            "Traffic Class",
            (word >> 20 & 0xff).to_string(),
            RFC8200,
        );
        self.row_masked(
            at,
            VER_TC_FLOW,
            Some(0x000f_ffff),
            format!("{layer}.flow_label"),
            "Flow Label",
            (word & 0xfffff).to_string(),
            RFC8200,
        );
        for (range, leaf, name) in [
            (LENGTH, "payload_len", "Payload Length"),
            (NXT_HDR, "next_header", "Next Header"),
            (HOP_LIMIT, "hop_limit", "Hop Limit"),
        ] {
            let Some(v) = self.uint(at, range.clone()) else {
                return self.cut("an IPv6 header", at, PAYLOAD);
            };
            let text = if leaf == "next_header" { protocol_text(v) } else { v.to_string() };
            self.row(at, range, format!("{layer}.{leaf}"), name, text, RFC8200);
        }
        for (range, leaf, name) in
            [(SRC_ADDR, "src", "Source Address"), (DST_ADDR, "dst", "Destination Address")]
        {
            let Some(bytes) = self.frame.get(at + range.start..at + range.end) else {
                return self.cut("an IPv6 header", at, PAYLOAD);
            };
            let addr: [u8; 16] = bytes.try_into().expect("16 bytes");
            self.row(at, range, format!("{layer}.{leaf}"), name, Ipv6Addr::from(addr).to_string(), RFC8200);
        }
        let next = self.uint(at, NXT_HDR).unwrap_or(0) as u8;
        self.transport(at + PAYLOAD, next, part);
    }

    fn transport(&mut self, at: usize, protocol: u8, part: Part) {
        match protocol {
            17 => self.udp(at, part),
            6 if part == Part::Inner => self.tcp(at),
            1 | 58 if part == Part::Inner => self.icmp(at, protocol),
            other => self
                .out
                .notes
                .push(format!("offset {at}: protocol {other} is not one this explanation looks into")),
        }
    }

    fn udp(&mut self, at: usize, part: Part) {
        use udp::field::*;
        let layer = format!("{}.udp", part.prefix());
        let mut ports = [0u16; 2];
        for (i, (range, leaf, name)) in [
            (SRC_PORT, "src_port", "Source Port"),
            (DST_PORT, "dst_port", "Destination Port"),
            (LENGTH, "length", "Length"),
            (CHECKSUM, "checksum", "Checksum"),
        ]
        .into_iter()
        .enumerate()
        {
            let Some(v) = self.uint(at, range.clone()) else { return self.cut("a UDP header", at, PAYLOAD) };
            if i < 2 {
                ports[i] = v as u16;
            }
            let text = match leaf {
                "checksum" if v == 0 => "0x0000 (none: RFC 768 allows it over IPv4)".to_owned(),
                "checksum" => format!("0x{v:04x}"),
                "dst_port" => port_text(v),
                _ => v.to_string(),
            };
            self.row(at, range, format!("{layer}.{leaf}"), name, text, RFC768);
        }
        let payload = at + PAYLOAD;
        match (part, ports[1]) {
            (Part::Outer, geneve::UDP_PORT) => self.geneve(payload),
            (Part::Outer | Part::Geneve, vxlan::UDP_PORT) => self.vxlan(payload),
            (Part::Inner, _) => self.payload(payload, &layer),
            (_, port) => self.out.notes.push(format!(
                "offset {payload}: UDP port {port} is neither VXLAN (4789) nor GENEVE (6081); the payload is not looked into"
            )),
        }
    }

    fn geneve(&mut self, at: usize) {
        use geneve::field::*;
        let Some(first) = self.uint(at, VER_OPT_LEN) else { return self.cut("a GENEVE header", at, OPTIONS) };
        let options_len = ((first & u64::from(OPT_LEN_MASK)) * 4) as usize;
        self.row_masked(
            at,
            VER_OPT_LEN,
            Some(u64::from(VER_MASK)),
            "geneve.version".into(),
            "Version",
            (first >> 6).to_string(),
            RFC8926,
        );
        self.row_masked(
            at,
            VER_OPT_LEN,
            Some(u64::from(OPT_LEN_MASK)),
            "geneve.options_len".into(),
            "Options length (x 4)",
            format!("{options_len} bytes"),
            RFC8926,
        );
        let Some(flags) = self.uint(at, FLAGS) else { return self.cut("a GENEVE header", at, OPTIONS) };
        self.row_masked(
            at,
            FLAGS,
            Some(u64::from(FLAG_O)),
            "geneve.oam".into(),
            "O (OAM)",
            u64::from(flags as u8 & FLAG_O != 0).to_string(),
            RFC8926,
        );
        self.row_masked(
            at,
            FLAGS,
            Some(u64::from(FLAG_C)),
            "geneve.critical".into(),
            "C (critical options)",
            u64::from(flags as u8 & FLAG_C != 0).to_string(),
            RFC8926,
        );
        let Some(protocol) = self.uint(at, PROTOCOL_TYPE) else {
            return self.cut("a GENEVE header", at, OPTIONS);
        };
        self.row(
            at,
            PROTOCOL_TYPE,
            "geneve.protocol_type".into(),
            "Protocol Type",
            ethertype_text(protocol),
            RFC8926,
        );
        let Some(vni) = self.uint(at, VNI) else { return self.cut("a GENEVE header", at, OPTIONS) };
        self.row(at, VNI, "geneve.vni".into(), "Virtual Network Identifier", vni.to_string(), RFC8926);
        self.row(
            at,
            RESERVED,
            "geneve.reserved".into(),
            "Reserved",
            format!("0x{:02x}", self.uint(at, RESERVED).unwrap_or(0)),
            RFC8926,
        );
        let mut opt = at + OPTIONS;
        let end = at + OPTIONS + options_len;
        let mut i = 0;
        while opt + OPTION_DATA <= end {
            let (Some(class), Some(kind), Some(len)) =
                (self.uint(opt, OPTION_CLASS), self.uint(opt, OPTION_TYPE), self.uint(opt, OPTION_LENGTH))
            else {
                return self.cut("a GENEVE option", opt, OPTION_DATA);
            };
            let data_len = ((len & u64::from(OPTION_LENGTH_MASK)) * 4) as usize;
            let p = |leaf: &str| format!("geneve.options[{i}].{leaf}");
            let class_text =
                if class == 0x0108 { "0x0108 (Amazon)".to_owned() } else { format!("0x{class:04x}") };
            self.row(opt, OPTION_CLASS, p("class"), "Option Class", class_text, "RFC 8926 section 3.5");
            self.row(
                opt,
                OPTION_TYPE,
                p("type"),
                "Option Type",
                gwlb_option(class, kind),
                "RFC 8926 section 3.5",
            );
            self.row_masked(
                opt,
                OPTION_LENGTH,
                Some(u64::from(OPTION_LENGTH_MASK)),
                p("data_len"),
                "Option Length (x 4)",
                format!("{data_len} bytes"),
                "RFC 8926 section 3.5",
            );
            let data = OPTION_DATA..OPTION_DATA + data_len;
            match self.frame.get(opt + data.start..opt + data.end) {
                Some(bytes) => {
                    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                    self.row(opt, data, p("data"), "Option Data", hex, "RFC 8926 section 3.5");
                }
                None => return self.cut("a GENEVE option's data", opt + OPTION_DATA, data_len),
            }
            opt += OPTION_DATA + data_len;
            i += 1;
        }
        match protocol {
            0x0800 => self.ipv4(end, Part::Geneve),
            0x86dd => self.ipv6(end, Part::Geneve),
            other => self
                .out
                .notes
                .push(format!("offset {end}: GENEVE protocol type 0x{other:04x} is not looked into")),
        }
    }

    fn vxlan(&mut self, at: usize) {
        use vxlan::field::*;
        let Some(bytes) = self.frame.get(at..at + PAYLOAD) else {
            return self.cut("a VXLAN header", at, PAYLOAD);
        };
        let readings = VxlanReadings { offset: at, bytes: bytes.try_into().expect("8 bytes") };
        let flags16 = u64::from(readings.flags16());
        let flag = |mask: u16| u64::from(flags16 & u64::from(mask) != 0).to_string();
        self.row(at, FLAGS16, "vxlan.flags16".into(), "Flags (GBP: 16 bits)", format!("0x{flags16:04x}"), "");
        self.row_masked(
            at,
            FLAGS16,
            Some(u64::from(vxlan::FLAG_G)),
            "vxlan.flag_g".into(),
            "G: Group Policy ID present",
            flag(vxlan::FLAG_G),
            "",
        );
        self.row_masked(
            at,
            FLAGS16,
            Some(u64::from(vxlan::FLAG_I)),
            "vxlan.flag_i".into(),
            "I: VNI valid",
            flag(vxlan::FLAG_I),
            "",
        );
        self.row_masked(
            at,
            FLAGS16,
            Some(u64::from(vxlan::FLAG_D)),
            "vxlan.flag_d".into(),
            "D: Don't Learn",
            flag(vxlan::FLAG_D),
            "",
        );
        self.row_masked(
            at,
            FLAGS16,
            Some(u64::from(vxlan::FLAG_A)),
            "vxlan.flag_a".into(),
            "A: Policy Applied",
            flag(vxlan::FLAG_A),
            "",
        );
        let gpid = self.uint(at, GROUP_POLICY_ID).unwrap_or(0);
        self.row(
            at,
            GROUP_POLICY_ID,
            "vxlan.group_policy_id".into(),
            "Group Policy ID (RFC 7348: reserved)",
            gpid.to_string(),
            "",
        );
        self.row(at, VNI, "vxlan.vni".into(), "VXLAN Network Identifier", readings.vni().to_string(), "");
        self.row(at, RESERVED8, "vxlan.reserved8".into(), "Reserved", format!("0x{:02x}", bytes[7]), "");
        self.out.vxlan = Some(readings);
        self.ethernet(at + PAYLOAD, Part::Inner);
    }

    fn tcp(&mut self, at: usize) {
        use tcp::field::*;
        let fixed: [(Range<usize>, Option<u64>, &str, &'static str); 7] = [
            (SRC_PORT, None, "src_port", "Source Port"),
            (DST_PORT, None, "dst_port", "Destination Port"),
            (SEQ_NUM, None, "seq", "Sequence Number"),
            (ACK_NUM, None, "ack", "Acknowledgment Number"),
            (DATA_OFFSET, Some(0xf0), "header_len", "Header length (data offset x 4)"),
            (FLAGS, Some(0x0fff), "flags", "Flags"),
            (WIN_SIZE, None, "window", "Window"),
        ];
        let mut header_len = OPTIONS;
        for (range, mask, leaf, name) in fixed {
            let Some(raw) = self.uint(at, range.clone()) else {
                return self.cut("a TCP header", at, OPTIONS);
            };
            let value = mask.map_or(raw, |m| (raw & m) >> m.trailing_zeros());
            let text = match leaf {
                "header_len" => {
                    header_len = value as usize * 4;
                    format!("{header_len} bytes")
                }
                "flags" => format!("0x{value:03x} ({})", tcp_flags(value)),
                "dst_port" => port_text(value),
                _ => value.to_string(),
            };
            self.row_masked(at, range, mask, format!("inner.tcp.{leaf}"), name, text, RFC9293);
        }
        for (range, leaf, name) in
            [(CHECKSUM, "checksum", "Checksum"), (URGENT, "urgent_pointer", "Urgent Pointer")]
        {
            let Some(v) = self.uint(at, range.clone()) else { return self.cut("a TCP header", at, OPTIONS) };
            let text = if leaf == "checksum" { format!("0x{v:04x}") } else { v.to_string() };
            self.row(at, range, format!("inner.tcp.{leaf}"), name, text, RFC9293);
        }
        self.tcp_options(at, header_len);
        self.payload(at + header_len.max(OPTIONS), "inner.tcp");
    }

    fn tcp_options(&mut self, at: usize, header_len: usize) {
        let mut i = at + tcp::field::OPTIONS;
        let end = at + header_len;
        let mut sack = 0;
        while i < end {
            let Some(&kind) = self.frame.get(i) else { return self.cut("the TCP options", i, end - i) };
            if kind == 0 || kind == 1 {
                let name = if kind == 0 { "End of Option List" } else { "No-Operation" };
                self.row(
                    i,
                    0..1,
                    "inner.tcp.options.kind".into(),
                    name,
                    kind.to_string(),
                    "RFC 9293 section 3.2",
                );
                i += 1;
                continue;
            }
            let Some(&len) = self.frame.get(i + 1) else { return self.cut("a TCP option", i, 2) };
            let len = usize::from(len).max(2);
            if self.frame.len() < i + len {
                return self.cut("a TCP option", i, len);
            }
            let value = self.uint(i, 2..len.min(10)).unwrap_or(0);
            match (kind, len) {
                (2, 4) => {
                    self.row(i, 0..4, "inner.tcp.options.mss".into(), "MSS option", value.to_string(), "");
                }
                (3, 3) => {
                    self.row(
                        i,
                        0..3,
                        "inner.tcp.options.window_scale".into(),
                        "Window Scale option",
                        value.to_string(),
                        "",
                    );
                }
                (4, 2) => {
                    self.row(
                        i,
                        0..2,
                        "inner.tcp.options.sack_permitted".into(),
                        "SACK-Permitted option",
                        "1 (present)".into(),
                        "",
                    );
                }
                (8, 10) => {
                    self.row(
                        i,
                        2..6,
                        "inner.tcp.options.tsval".into(),
                        "Timestamp value",
                        (value >> 32).to_string(),
                        "",
                    );
                    self.row(
                        i,
                        6..10,
                        "inner.tcp.options.tsecr".into(),
                        "Timestamp echo reply",
                        (value & 0xffff_ffff).to_string(),
                        "",
                    );
                }
                (5, _) => {
                    let mut b = 2;
                    while b + 8 <= len {
                        let left = self.uint(i, b..b + 4).unwrap_or(0);
                        let right = self.uint(i, b + 4..b + 8).unwrap_or(0);
                        self.row(
                            i,
                            b..b + 4,
                            format!("inner.tcp.options.sack_blocks[{sack}].left"),
                            "SACK left edge",
                            left.to_string(),
                            "",
                        );
                        self.row(
                            i,
                            b + 4..b + 8,
                            format!("inner.tcp.options.sack_blocks[{sack}].right"),
                            "SACK right edge",
                            right.to_string(),
                            "",
                        );
                        sack += 1;
                        b += 8;
                    }
                }
                _ => {
                    self.row(
                        i,
                        0..len,
                        "inner.tcp.options.other".into(),
                        "Option",
                        format!("kind {kind}, {len} bytes"),
                        "RFC 9293 section 3.2",
                    );
                }
            }
            i += len;
        }
    }

    fn icmp(&mut self, at: usize, protocol: u8) {
        let layer = if protocol == 1 { "inner.icmp" } else { "inner.icmpv6" };
        let clause = if protocol == 1 { "RFC 792" } else { "RFC 4443 section 2.1" };
        for (range, leaf, name) in
            [(0..1, "type", "Type"), (1..2, "code", "Code"), (2..4, "checksum", "Checksum")]
        {
            let Some(v) = self.uint(at, range.clone()) else { return self.cut("an ICMP header", at, 4) };
            let text = if leaf == "checksum" { format!("0x{v:04x}") } else { v.to_string() };
            self.row(at, range, format!("{layer}.{leaf}"), name, text, clause);
        }
        let kind = self.uint(at, 0..1).unwrap_or(0);
        if matches!((protocol, kind), (1, 0 | 8) | (58, 128 | 129)) {
            for (range, leaf, name) in [(4..6, "ident", "Identifier"), (6..8, "seq", "Sequence Number")] {
                let Some(v) = self.uint(at, range.clone()) else {
                    return self.cut("an ICMP echo header", at, 8);
                };
                self.row(at, range, format!("{layer}.{leaf}"), name, v.to_string(), clause);
            }
            self.payload(at + 8, layer);
        }
    }

    /// The bytes after the innermost header.
    fn payload(&mut self, at: usize, layer: &str) {
        let present = self.frame.len().saturating_sub(at);
        if present > 0 {
            let preview: String = self.frame[at..at + present.min(16)]
                .iter()
                .map(|b| if b.is_ascii_graphic() || *b == b' ' { *b as char } else { '.' })
                .collect();
            self.row(
                at,
                0..present,
                format!("{layer}.payload"),
                "Payload",
                format!("{present} bytes: \"{preview}\""),
                "",
            );
        }
    }
}

fn ethertype_text(v: u64) -> String {
    let name = match v {
        0x0800 => " (IPv4)",
        0x86dd => " (IPv6)",
        0x8100 => " (802.1Q tag)",
        0x88a8 => " (802.1ad S-tag)",
        0x0806 => " (ARP)",
        _ => "",
    };
    format!("0x{v:04x}{name}")
}

fn protocol_text(v: u64) -> String {
    let name = match v {
        1 => " (ICMP)",
        6 => " (TCP)",
        17 => " (UDP)",
        58 => " (ICMPv6)",
        _ => "",
    };
    format!("{v}{name}")
}

fn port_text(v: u64) -> String {
    let name = match v {
        4789 => " (VXLAN)",
        6081 => " (GENEVE)",
        8472 => " (Linux VXLAN)",
        4790 => " (VXLAN-GPE)",
        53 => " (DNS)",
        80 => " (HTTP)",
        443 => " (HTTPS)",
        _ => "",
    };
    format!("{v}{name}")
}

fn tcp_flags(v: u64) -> String {
    let names = [
        (0x80, "CWR"),
        (0x40, "ECE"),
        (0x20, "URG"),
        (0x10, "ACK"),
        (0x08, "PSH"),
        (0x04, "RST"),
        (0x02, "SYN"),
        (0x01, "FIN"),
    ];
    let set: Vec<&str> = names.iter().filter(|(m, _)| v & m != 0).map(|(_, n)| *n).collect();
    if set.is_empty() {
        "none".into()
    } else {
        set.join(" ")
    }
}

/// AWS GWLB's option types (class 0x0108): 1 endpoint id, 2 attachment id, 3 flow cookie.
fn gwlb_option(class: u64, kind: u64) -> String {
    let name = match (class, kind) {
        (0x0108, 1) => " (GWLB endpoint id)",
        (0x0108, 2) => " (GWLB attachment id)",
        (0x0108, 3) => " (GWLB flow cookie)",
        _ => "",
    };
    format!("{kind}{name}")
}
