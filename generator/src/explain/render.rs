//! The explanation as text: a table of fields grouped by layer, then the
//! VXLAN header under both readings, side by side.

use super::{CapturedFrame, Explanation, VxlanReadings};
use std::fmt::Write;

const BOLD: &str = "\x1b[1m";
const CYAN: &str = "\x1b[36m";
const GREEN: &str = "\x1b[32m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// The explanation of `frame` as text; with ANSI colours when `colour`
/// (for a terminal only: a file or a pipe gets plain text).
pub fn render(explained: &Explanation, frame: &CapturedFrame, colour: bool) -> String {
    let paint = |code: &str, text: &str| paint(colour, code, text);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        paint(
            BOLD,
            &format!(
                "Frame {}: {} bytes captured, {} bytes on the wire",
                frame.number,
                frame.data.len(),
                frame.original_len
            )
        )
    );
    for comment in &frame.comments {
        let _ = writeln!(out, "  comment: {}", printable(comment));
    }
    let _ = writeln!(out);
    // Each row's cells, then the columns as wide as their widest cell.
    let cells: Vec<[String; 6]> = explained
        .rows
        .iter()
        .map(|row| {
            let bytes = &frame.data[row.offset..row.offset + row.len];
            [
                format!("0x{:04x}", row.offset),
                hex(bytes),
                bits(bytes, row.mask),
                format!("{} ({})", row.name, leaf(&row.path)),
                printable(&row.value),
                row.clause.to_owned(),
            ]
        })
        .collect();
    let heading = ["offset", "bytes", "bits", "field", "value", "clause"];
    let mut widths = heading.map(str::len);
    for c in &cells {
        for (w, cell) in widths.iter_mut().zip(c) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |c: [&str; 6]| {
        let mut l = String::new();
        for (i, (cell, w)) in c.iter().zip(widths).enumerate() {
            if i == 5 {
                l.push_str(cell);
            } else {
                let _ = write!(l, "{cell:<w$}  ");
            }
        }
        l
    };
    let _ = writeln!(out, "{}", paint(DIM, &line(heading)));
    let mut layer = "";
    for (row, c) in explained.rows.iter().zip(&cells) {
        let this = layer_of(&row.path);
        if this != layer {
            layer = this;
            let _ = writeln!(out, "{}", paint(CYAN, &format!("{layer}  ({})", layer_title(layer))));
        }
        let _ = writeln!(out, "{}", line([&c[0], &c[1], &c[2], &c[3], &c[4], &c[5]]));
    }
    for note in &explained.notes {
        let _ = writeln!(out, "{}", paint(DIM, &format!("note: {note}")));
    }
    if let Some(v) = &explained.vxlan {
        let _ = writeln!(out);
        out.push_str(&render_vxlan(v, colour));
    }
    out
}

/// The VXLAN header under both readings, side by side: each reading's
/// fields with their bytes and values, the flag bits by name, and what
/// each reading makes of the bits the other defines.
pub fn render_vxlan(v: &VxlanReadings, colour: bool) -> String {
    let paint = |code: &str, text: &str| paint(colour, code, text);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        paint(
            BOLD,
            &format!("The VXLAN header at offset 0x{:04x}: {}, read two ways", v.offset, hex(&v.bytes))
        )
    );
    let left = "RFC 7348 section 5";
    let right = "draft-smith-vxlan-group-policy section 2.1 (GBP)";
    let lefts: Vec<String> =
        v.rfc7348().iter().map(|(b, n, v)| format!("bytes {b:<4} {n:<14} {v}")).collect();
    let w = lefts.iter().map(String::len).max().unwrap_or(0).max(left.len());
    let _ = writeln!(out, "  {} | {}", paint(CYAN, &format!("{left:<w$}")), paint(CYAN, right));
    for (l, (rb, rn, rv)) in lefts.iter().zip(v.gbp()) {
        let _ = writeln!(out, "  {l:<w$} | bytes {rb:<4} {rn:<21} {rv}");
    }
    let [first, second] = v.flag_bits();
    let _ = writeln!(out, "  flag bits (GBP names):   byte 0: {}    byte 1: {}", first.0, second.0);
    let _ = writeln!(
        out,
        "                           value:  {}    value:  {}",
        highlight(&first.1, colour),
        highlight(&second.1, colour)
    );
    let _ = writeln!(
        out,
        "  RFC 7348 defines only I (0x08 of byte 0, set for a valid VNI); the other flag bits and bytes 1-3 are\n  \
         reserved: sent as zero, ignored on receipt. GBP gives G (0x80 of byte 0: a Group Policy ID follows),\n  \
         D (0x40 of byte 1: don't learn) and A (0x08 of byte 1: policy applied), and bytes 2-3 the policy id.\n  \
         Wireshark shows the GBP layout; AWS sends 08 00 00 00 (I only) and a zero last byte."
    );
    out
}

/// `text` in the ANSI style `code` when `colour`, else as it is.
fn paint(colour: bool, code: &str, text: &str) -> String {
    if colour {
        format!("{code}{text}{RESET}")
    } else {
        text.to_owned()
    }
}

/// The layer part of a path (`outer.ipv4` of `outer.ipv4.ttl`).
fn layer_of(path: &str) -> &str {
    match path.strip_prefix("inner.tcp.options.") {
        Some(_) => "inner.tcp.options",
        None => path.rsplit_once('.').map_or(path, |(l, _)| l),
    }
}

fn leaf(path: &str) -> &str {
    path.rsplit_once('.').map_or(path, |(_, l)| l)
}

fn layer_title(layer: &str) -> &'static str {
    let generic = layer.split('[').next().unwrap_or(layer);
    match generic {
        "outer.eth" => "the outer Ethernet header: to the target",
        "outer.vlan" => "an outer 802.1Q tag",
        "outer.ipv4" | "outer.ipv6" => "the outer IP header: source ENI (or GWLB) to target",
        "outer.udp" => "the outer UDP header: to port 4789 (VXLAN) or 6081 (GENEVE)",
        "geneve" => "GENEVE, added by a Gateway Load Balancer",
        "geneve.options" => "a GENEVE option",
        "geneve.ipv4" | "geneve.ipv6" => "the mirror copy's IP header, inside GENEVE",
        "geneve.udp" => "the mirror copy's UDP header, inside GENEVE",
        "vxlan" => "VXLAN, shown in the GBP layout as Wireshark does (both readings below)",
        "inner.eth" => "the mirrored frame: Ethernet",
        "inner.vlan" => "the mirrored frame: an 802.1Q tag",
        "inner.ipv4" | "inner.ipv6" => "the mirrored frame: IP",
        "inner.tcp" => "the mirrored frame: TCP",
        "inner.tcp.options" => "the mirrored frame: TCP options",
        "inner.udp" => "the mirrored frame: UDP",
        "inner.icmp" | "inner.icmpv6" => "the mirrored frame: ICMP",
        _ => "",
    }
}

/// The bytes in hex, at most eight (then the count).
fn hex(bytes: &[u8]) -> String {
    let shown: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
    if bytes.len() > 8 {
        format!("{} .. ({} bytes)", shown[..4].join(" "), bytes.len())
    } else {
        shown.join(" ")
    }
}

/// The bits of a masked field of at most two bytes, others as dots
/// (`.... 0101`).
fn bits(bytes: &[u8], mask: Option<u64>) -> String {
    let Some(mask) = mask else { return String::new() };
    if bytes.len() > 2 {
        return format!("mask 0x{mask:x}");
    }
    let value = bytes.iter().fold(0u64, |v, b| v << 8 | u64::from(*b));
    let width = bytes.len() * 8;
    let mut out = String::new();
    for i in (0..width).rev() {
        let bit = 1u64 << i;
        out.push(if mask & bit == 0 {
            '.'
        } else if value & bit != 0 {
            '1'
        } else {
            '0'
        });
        if i % 4 == 0 && i > 0 {
            out.push(' ');
        }
    }
    out
}

fn highlight(bits: &str, colour: bool) -> String {
    if !colour {
        return bits.to_owned();
    }
    bits.split(' ')
        .map(|b| if b == "1" { format!("{GREEN}1{RESET}") } else { b.to_owned() })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Control characters (a hostile comment's escape sequences) as `\u{..}`.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { c.escape_unicode().to_string() } else { c.to_string() })
        .collect()
}
