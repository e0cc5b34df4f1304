//! `vectors/manifest.json`: the corpus's table of contents, in the manner of
//! Project Wycheproof's test vector files: a header, tables of the
//! references and bug-class flags the vectors cite, and groups of vectors,
//! each with an id, its files, a one-line description, the clauses it
//! exercises, the flags naming the bugs it catches, and a result (`valid`,
//! `invalid` or `acceptable`). docs/manifest.md documents it and
//! docs/manifest.schema.json is its JSON Schema.

use super::corpus::{Group, Vector};
use crate::dissection::{CaptureDissection, Malformation, MalformedReason, TruncationCause};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the manifest layout.
pub const MANIFEST_VERSION: u32 = 2;

/// The `generator` value that marks a directory as a vxgen corpus.
pub const GENERATOR: &str = "vxgen corpus";

/// The manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The manifest's JSON Schema, relative to the manifest.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// [`MANIFEST_VERSION`].
    pub manifest_version: u32,
    /// The version of the dissection format of the expected files.
    pub dissection_format_version: u32,
    /// The JSON Schema of the expected files, relative to the manifest.
    pub expected_schema: String,
    /// [`GENERATOR`].
    pub generator: String,
    /// How to rebuild the corpus.
    pub regenerate: String,
    /// How many vectors the groups hold.
    pub number_of_vectors: usize,
    /// Free text about the corpus.
    pub header: Vec<String>,
    /// What each result means.
    pub results: BTreeMap<String, String>,
    /// The documents vectors cite, by key.
    pub references: BTreeMap<String, Reference>,
    /// The bug classes vectors are flagged with, by name.
    pub flags: BTreeMap<String, Flag>,
    /// The vectors, by group.
    pub groups: Vec<ManifestGroup>,
}

/// A document and clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// The document, e.g. `RFC 7348`.
    pub document: String,
    /// The clause, e.g. `section 5`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    /// Where to read it.
    pub url: String,
}

/// A bug class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    /// Wycheproof's `bugType` vocabulary: `FUNCTIONALITY`, `EDGE_CASE`,
    /// `MALFORMED_INPUT`, `MISSING_CHECK`, `LEGACY`.
    pub bug_type: String,
    /// What a decoder that fails such vectors gets wrong.
    pub description: String,
}

/// One group of vectors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestGroup {
    /// The group's name (and sub-directory).
    pub name: String,
    /// What it tests.
    pub description: String,
    /// Its vectors.
    pub vectors: Vec<Entry>,
}

/// One vector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Stable id.
    pub id: String,
    /// The capture, relative to the manifest.
    pub capture: String,
    /// The expected dissection, relative to the manifest.
    pub expected: String,
    /// Capture file format: `pcap` (classic libpcap, little-endian,
    /// microseconds), `pcap-be`, `pcap-ns` or `pcapng` ([`CaptureFormat`]).
    pub format: String,
    /// Number of frames.
    pub frames: usize,
    /// One line.
    pub description: String,
    /// Keys of [`Manifest::references`].
    pub references: Vec<String>,
    /// Keys of [`Manifest::flags`].
    pub flags: Vec<String>,
    /// What a decoder must do.
    pub result: Expected,
    /// Why the result is `invalid` or `acceptable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The field (or layer) paths the vector exists to test, generic
    /// (`inner.vlan[].vid`); `frame.malformed` for "the frame is flagged".
    /// A decoder passes only when it reports every one of them right.
    pub subject: Vec<String>,
    /// An acceptable vector's allowed readings (the first is `expected`'s);
    /// a decoder passes with any of them and with nothing else.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readings: Vec<ReadingEntry>,
    /// SHA-256 of the capture and expected files, checked before any decoder runs.
    pub sha256: Digests,
}

/// One allowed reading of an acceptable vector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadingEntry {
    /// Its name (`as-found`, `flagged`).
    pub name: String,
    /// What a decoder that reads the vector so does.
    pub description: String,
    /// Its complete expected dissection, relative to the manifest.
    pub expected: String,
    /// The fields it tests.
    pub subject: Vec<String>,
    /// SHA-256 of the expected file.
    pub sha256: String,
}

/// SHA-256 digests (lowercase hex) of a vector's files.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Digests {
    /// Of the capture.
    pub capture: String,
    /// Of the expected dissection (the first reading's).
    pub expected: String,
}

/// How an acceptable vector's reading derives from the frames as built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadingKind {
    /// The dissection as built.
    AsBuilt,
    /// As built, every frame flagged malformed for this reason at this layer.
    Flagged(MalformedReason, &'static str),
    /// As built, without the malformation the frames carry (the receiver
    /// repairs what it may, e.g. trims the IP payload to the UDP Length).
    Unflagged,
    /// Only the frame facts and the outer headers: the UDP payload left opaque.
    OuterOnly,
}

impl ReadingKind {
    /// The reading's expected dissection from the one as built.
    pub fn apply(self, built: &CaptureDissection) -> CaptureDissection {
        let mut d = built.clone();
        for f in &mut d.frames {
            match self {
                ReadingKind::AsBuilt => {}
                ReadingKind::Flagged(reason, layer) => {
                    f.frame.malformed = Some(Malformation { reason, layer: Some(layer.to_owned()) });
                }
                ReadingKind::Unflagged => f.frame.malformed = None,
                ReadingKind::OuterOnly => {
                    // A PacketLength or MTU cut is inside the payload left
                    // opaque: the datagram itself is whole to this reader.
                    if f.frame.truncation.as_ref().is_some_and(|t| t.cause != TruncationCause::Snaplen) {
                        f.frame.truncated = Some(false);
                        f.frame.truncation = None;
                    }
                    f.geneve = None;
                    f.vxlan = None;
                    f.inner = None;
                    f.app = None;
                }
            }
        }
        d
    }
}

/// What a decoder must do with a vector (Wycheproof's `result`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expected {
    /// Well-formed: a decoder must report the expected dissection.
    Valid,
    /// Breaks a MUST of a specification: a decoder must flag it (and
    /// should report what it can, as the expected dissection does).
    Invalid,
    /// Any of the vector's named readings is allowed (the manifest lists
    /// them, each with its own expected dissection); nothing else is.
    Acceptable,
}

/// The capture file format of a vector (the manifest's `format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaptureFormat {
    /// Classic libpcap, little-endian, microsecond timestamps (magic `d4 c3 b2 a1`).
    #[default]
    Pcap,
    /// Classic libpcap, big-endian, microsecond timestamps (magic `a1 b2 c3 d4`).
    PcapBe,
    /// Classic libpcap, little-endian, nanosecond timestamps (magic `4d 3c b2 a1`).
    PcapNs,
    /// pcapng, little-endian: SHB, one IDB with `if_tsresol` 9 (nanoseconds),
    /// an EPB per frame with an `opt_comment`.
    PcapNg,
}

impl CaptureFormat {
    /// The manifest's `format` value.
    pub const fn name(self) -> &'static str {
        match self {
            CaptureFormat::Pcap => "pcap",
            CaptureFormat::PcapBe => "pcap-be",
            CaptureFormat::PcapNs => "pcap-ns",
            CaptureFormat::PcapNg => "pcapng",
        }
    }

    /// The capture's file extension.
    pub const fn extension(self) -> &'static str {
        match self {
            CaptureFormat::PcapNg => "pcapng",
            _ => "pcap",
        }
    }
}

/// The capture's path for a vector, relative to the corpus root.
pub fn capture_path(v: &Vector) -> String {
    format!("{}/{}.{}", v.group, v.id, v.format.extension())
}

/// The expected dissection's path for a vector, relative to the corpus root.
pub fn expected_path(v: &Vector) -> String {
    format!("{}/{}.json", v.group, v.id)
}

/// The expected file of an acceptable vector's reading other than the first.
pub fn reading_path(v: &Vector, reading: &str) -> String {
    format!("{}/{}.{reading}.json", v.group, v.id)
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    crate::dissection::hex(&sha2::Sha256::digest(bytes))
}

/// The manifest of `vectors` in `groups`; `digest(path)` is the SHA-256 of
/// the corpus file at `path` (relative to the corpus root).
pub fn build(groups: &[Group], vectors: &[Vector], digest: &dyn Fn(&str) -> String) -> Manifest {
    let groups = groups
        .iter()
        .map(|g| ManifestGroup {
            name: g.name.to_owned(),
            description: g.description.to_owned(),
            vectors: vectors
                .iter()
                .filter(|v| v.group == g.name)
                .map(|v| Entry {
                    id: v.id.clone(),
                    capture: capture_path(v),
                    expected: expected_path(v),
                    format: v.format.name().to_owned(),
                    frames: v.frames.len(),
                    description: v.description.clone(),
                    references: v.references.iter().map(|s| (*s).to_owned()).collect(),
                    flags: v.flags.iter().map(|s| (*s).to_owned()).collect(),
                    result: v.result,
                    reason: v.reason.clone(),
                    subject: v.subject.iter().map(|s| (*s).to_owned()).collect(),
                    readings: v
                        .readings
                        .iter()
                        .enumerate()
                        .map(|(i, r)| {
                            let expected = if i == 0 { expected_path(v) } else { reading_path(v, r.name) };
                            ReadingEntry {
                                name: r.name.to_owned(),
                                description: r.description.to_owned(),
                                sha256: digest(&expected),
                                expected,
                                subject: r.subject.iter().map(|s| (*s).to_owned()).collect(),
                            }
                        })
                        .collect(),
                    sha256: Digests {
                        capture: digest(&capture_path(v)),
                        expected: digest(&expected_path(v)),
                    },
                })
                .collect(),
        })
        .collect();
    Manifest {
        schema: "schemas/manifest.schema.json".to_owned(),
        manifest_version: MANIFEST_VERSION,
        dissection_format_version: crate::dissection::FORMAT_VERSION,
        expected_schema: "schemas/dissection.schema.json".to_owned(),
        generator: GENERATOR.to_owned(),
        regenerate: "vxgen corpus --out vectors/".to_owned(),
        number_of_vectors: vectors.len(),
        header: [
            "Test vectors for VXLAN as AWS VPC Traffic Mirroring emits it, and for the ways decoders misread it.",
            "Each vector is a capture (classic pcap unless its format says otherwise) and a JSON file with the expected dissection of every frame,",
            "derived from what the generator built, never from running a decoder. docs/dissection.md defines the",
            "fields; docs/manifest.md this file. Fields absent from an expected file were not captured.",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
        results: [
            ("valid", "Well-formed: a decoder must report the expected dissection, frame facts included."),
            ("invalid", "Breaks a MUST of a specification: a decoder must flag the frame as malformed."),
            ("acceptable", "Any of the vector's named readings is allowed, each with its own expected file; nothing else is."),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect(),
        references: references()
            .iter()
            .map(|(k, doc, clause, url)| {
                (
                    (*k).to_owned(),
                    Reference {
                        document: (*doc).to_owned(),
                        clause: clause.map(str::to_owned),
                        url: (*url).to_owned(),
                    },
                )
            })
            .collect(),
        flags: flags()
            .iter()
            .map(|(k, bug, d)| {
                ((*k).to_owned(), Flag { bug_type: (*bug).to_owned(), description: (*d).to_owned() })
            })
            .collect(),
        groups,
    }
}

const AWS_MIRRORING: &str = "https://docs.aws.amazon.com/vpc/latest/mirroring/";

/// The documents vectors cite: (key, document, clause, URL).
pub fn references() -> Vec<(&'static str, &'static str, Option<&'static str>, String)> {
    let rfc = |n: u32, anchor: &str| format!("https://www.rfc-editor.org/rfc/rfc{n}{anchor}");
    let aws = |page: &str| format!("{AWS_MIRRORING}{page}");
    vec![
        ("rfc7348-5", "RFC 7348 (VXLAN)", Some("section 5, VXLAN Frame Format"), rfc(7348, "#section-5")),
        (
            "gbp-2.1",
            "draft-smith-vxlan-group-policy-05 (VXLAN Group Policy Option)",
            Some("section 2.1, VXLAN Group Policy Header"),
            "https://datatracker.ietf.org/doc/html/draft-smith-vxlan-group-policy-05#section-2.1".to_owned(),
        ),
        (
            "gpe-3",
            "draft-ietf-nvo3-vxlan-gpe-13 (Generic Protocol Extension for VXLAN)",
            Some("section 3, VXLAN-GPE Header"),
            "https://datatracker.ietf.org/doc/html/draft-ietf-nvo3-vxlan-gpe-13#section-3".to_owned(),
        ),
        (
            "rfc8926-3.4",
            "RFC 8926 (Geneve)",
            Some("section 3.4, Tunnel Header Fields"),
            rfc(8926, "#section-3.4"),
        ),
        ("rfc8926-3.5", "RFC 8926 (Geneve)", Some("section 3.5, Tunnel Options"), rfc(8926, "#section-3.5")),
        ("rfc768", "RFC 768 (UDP)", None, rfc(768, "")),
        (
            "rfc8926-7.1",
            "RFC 8926 (Geneve)",
            Some("section 7.1, Option Class (0xFFF0-0xFFFF Experimental Use)"),
            rfc(8926, "#section-7.1"),
        ),
        (
            "rfc791-3.1",
            "RFC 791 (IPv4)",
            Some("section 3.1, Internet Header Format"),
            rfc(791, "#section-3.1"),
        ),
        ("rfc2113", "RFC 2113 (IP Router Alert Option)", None, rfc(2113, "")),
        ("rfc8200-3", "RFC 8200 (IPv6)", Some("section 3, IPv6 Header Format"), rfc(8200, "#section-3")),
        (
            "ieee8021q-9.6",
            "IEEE 802.1Q",
            Some("clause 9.6, VLAN Tag Control Information"),
            "https://standards.ieee.org/ieee/802.1Q/10323/".to_owned(),
        ),
        (
            "ieee8023-3.2",
            "IEEE 802.3",
            Some("clause 3.2, MAC frame elements (minimum frame size, pad)"),
            "https://standards.ieee.org/ieee/802.3/10422/".to_owned(),
        ),
        ("rfc9293-3.1", "RFC 9293 (TCP)", Some("section 3.1, Header Format"), rfc(9293, "#section-3.1")),
        (
            "rfc9293-3.5",
            "RFC 9293 (TCP)",
            Some("section 3.5, Establishing a Connection"),
            rfc(9293, "#section-3.5"),
        ),
        (
            "rfc7323-2",
            "RFC 7323 (TCP Extensions for High Performance)",
            Some("section 2, Window Scale"),
            rfc(7323, "#section-2"),
        ),
        ("rfc7323-3", "RFC 7323", Some("section 3, Timestamps Option"), rfc(7323, "#section-3")),
        ("rfc2018", "RFC 2018 (TCP Selective Acknowledgment)", None, rfc(2018, "")),
        ("rfc3168-6.1", "RFC 3168 (ECN)", Some("section 6.1, TCP"), rfc(3168, "#section-6.1")),
        (
            "rfc5246-7.4",
            "RFC 5246 (TLS 1.2)",
            Some("section 7.4, Handshake Protocol"),
            rfc(5246, "#section-7.4"),
        ),
        (
            "rfc8446-4.1.2",
            "RFC 8446 (TLS 1.3)",
            Some("section 4.1.2, Client Hello"),
            rfc(8446, "#section-4.1.2"),
        ),
        (
            "rfc8446-4.1.3",
            "RFC 8446 (TLS 1.3)",
            Some("section 4.1.3, Server Hello"),
            rfc(8446, "#section-4.1.3"),
        ),
        (
            "rfc8446-d.4",
            "RFC 8446 (TLS 1.3)",
            Some("appendix D.4, Middlebox Compatibility Mode"),
            rfc(8446, "#appendix-D.4"),
        ),
        (
            "rfc6066-3",
            "RFC 6066 (TLS Extensions)",
            Some("section 3, Server Name Indication"),
            rfc(6066, "#section-3"),
        ),
        ("rfc7301-3.1", "RFC 7301 (ALPN)", Some("section 3.1"), rfc(7301, "#section-3.1")),
        ("rfc9112-3", "RFC 9112 (HTTP/1.1)", Some("section 3, Request Line"), rfc(9112, "#section-3")),
        ("rfc9112-4", "RFC 9112 (HTTP/1.1)", Some("section 4, Status Line"), rfc(9112, "#section-4")),
        ("rfc1035-4.1", "RFC 1035 (DNS)", Some("section 4.1, Message format"), rfc(1035, "#section-4.1")),
        ("rfc2308", "RFC 2308 (Negative Caching of DNS Queries)", None, rfc(2308, "")),
        ("rfc3596", "RFC 3596 (DNS Extensions to Support IPv6)", None, rfc(3596, "")),
        ("rfc792", "RFC 792 (ICMP)", None, rfc(792, "")),
        (
            "rfc4443-4",
            "RFC 4443 (ICMPv6)",
            Some("section 4, Echo Request and Echo Reply"),
            rfc(4443, "#section-4"),
        ),
        (
            "pcap-format",
            "draft-ietf-opsawg-pcap (PCAP Capture File Format)",
            Some("section 5, Packet Record (CapLen, OrigLen)"),
            "https://datatracker.ietf.org/doc/html/draft-ietf-opsawg-pcap#section-5".to_owned(),
        ),
        (
            "pcap-header",
            "draft-ietf-opsawg-pcap (PCAP Capture File Format)",
            Some("section 4, File Header (magic number, byte order, timestamp resolution)"),
            "https://datatracker.ietf.org/doc/html/draft-ietf-opsawg-pcap#section-4".to_owned(),
        ),
        (
            "pcapng-4.2",
            "draft-ietf-opsawg-pcapng (PCAP Next Generation Capture File Format)",
            Some("section 4.2, Interface Description Block (if_tsresol)"),
            "https://datatracker.ietf.org/doc/html/draft-ietf-opsawg-pcapng#section-4.2".to_owned(),
        ),
        (
            "pcapng-4.3",
            "draft-ietf-opsawg-pcapng (PCAP Next Generation Capture File Format)",
            Some("section 4.3, Enhanced Packet Block (options, opt_comment)"),
            "https://datatracker.ietf.org/doc/html/draft-ietf-opsawg-pcapng#section-4.3".to_owned(),
        ),
        (
            "linux-vxlan",
            "Linux kernel documentation, Virtual eXtensible Local Area Networking",
            Some("the default destination port"),
            "https://docs.kernel.org/networking/vxlan.html".to_owned(),
        ),
        (
            "aws-packet-format",
            "AWS VPC Traffic Mirroring: Traffic Mirroring packet format",
            None,
            aws("traffic-mirroring-packet-formats.html"),
        ),
        (
            "aws-how-it-works",
            "AWS VPC Traffic Mirroring: How Traffic Mirroring works",
            None,
            aws("traffic-mirroring-how-it-works.html"),
        ),
        (
            "aws-limitations-mtu",
            "AWS VPC Traffic Mirroring: Traffic Mirroring limitations",
            Some("MTU and packet length limitations"),
            aws("traffic-mirroring-network-limitations.html#traffic-mirroring-mtu"),
        ),
        (
            "aws-targets",
            "AWS VPC Traffic Mirroring: Understand traffic mirror target concepts",
            Some("out-of-order delivery"),
            aws("traffic-mirroring-targets.html"),
        ),
        (
            "aws-filters",
            "AWS VPC Traffic Mirroring: Understand traffic mirror filter concepts",
            None,
            aws("traffic-mirroring-filters.html"),
        ),
        (
            "aws-create-session",
            "Amazon EC2 API Reference: CreateTrafficMirrorSession",
            Some("PacketLength"),
            "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateTrafficMirrorSession.html"
                .to_owned(),
        ),
    ]
}

/// The bug classes: (name, Wycheproof-style bug type, description).
pub fn flags() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        ("vni_range", "EDGE_CASE", "VNI edge values mishandled: 0 taken for absent, 2^24-1 overflowing, the top bit read as a sign."),
        ("vni_byte_order", "FUNCTIONALITY", "VNI read with the wrong byte order or width (32 bits, or the low 24 bits of the second word)."),
        ("gbp_flags", "FUNCTIONALITY", "GBP's G, D or A bits not decoded, taken for reserved bits, or G (0x80 of byte 0) taken for I (0x08)."),
        ("gbp_policy_id", "FUNCTIONALITY", "Group Policy ID not read, read from the wrong bytes, or only when G is set."),
        ("reserved_bits_rejected", "EDGE_CASE", "A header with reserved bits set is rejected or misread; RFC 7348 says to ignore them on receipt."),
        ("reserved_bits_reported", "FUNCTIONALITY", "Reserved fields not reported as found (a strict decoder should show them)."),
        ("i_flag_clear", "MISSING_CHECK", "The I flag is not checked: a frame whose VNI is not marked valid is treated as any other."),
        ("nonstandard_port", "EDGE_CASE", "VXLAN recognised by the wrong port (the source port) or only on 4789 where 8472 is in use."),
        ("gpe_confusion", "FUNCTIONALITY", "VXLAN-GPE rules (version, P bit, Next Protocol) applied on port 4789, misreading the inner frame."),
        ("truncated_inner", "MALFORMED_INPUT", "A copy cut by PacketLength or the MTU crashes the decoder, is read past its end, or is not reported as truncated."),
        ("trusts_inner_length", "MALFORMED_INPUT", "The inner IP Total Length is trusted over the bytes present."),
        ("jumbo_frame", "EDGE_CASE", "Frames over 1514 bytes dropped or cut by buffers sized for 1500-byte MTUs."),
        ("geneve_gwlb", "FUNCTIONALITY", "The GWLB's GENEVE layer not parsed, its options' length miscounted, or the VXLAN inside it missed."),
        ("inner_ipv6", "FUNCTIONALITY", "Inner IPv6 not decoded, or IPv4 assumed."),
        ("inner_vlan", "FUNCTIONALITY", "802.1Q tags in the inner frame not skipped, so the inner IP header is read 4 bytes early."),
        ("tcp_options", "FUNCTIONALITY", "TCP options misparsed, or the payload taken to start at byte 20."),
        ("tcp_reordering", "FUNCTIONALITY", "Per-flow state that assumes the handshake comes first and in order."),
        ("tls_parsing", "FUNCTIONALITY", "TLS records, handshake types, SNI or ALPN misread."),
        ("http_parsing", "FUNCTIONALITY", "HTTP/1.1 request or status line misread."),
        ("dns_parsing", "FUNCTIONALITY", "DNS header or question misread."),
        ("icmp", "FUNCTIONALITY", "ICMP or ICMPv6 echo fields misread."),
        ("filter_outcome", "FUNCTIONALITY", "Assumptions about which packets a session mirrors (both directions, all packets, one VNI per capture)."),
        ("udp_length_mismatch", "MALFORMED_INPUT", "The outer UDP Length and the IP length disagree and one is trusted blindly."),
        ("vxlan_header_short", "MALFORMED_INPUT", "VXLAN fields read past the end of a datagram or capture that holds fewer than 8 bytes of header."),
        ("ip_options", "FUNCTIONALITY", "A 20-byte IPv4 header assumed: with options, UDP and VXLAN are read at the wrong offset."),
        ("udp_checksum", "EDGE_CASE", "A non-zero outer UDP checksum rejected or mishandled (RFC 7348: receivers must accept it)."),
        ("ethernet_padding", "EDGE_CASE", "The frame length used instead of the IP length, so Ethernet padding is taken for inner data."),
        ("capture_format", "FUNCTIONALITY", "Only little-endian microsecond classic pcap read: big-endian headers, the nanosecond magic or pcapng blocks (if_tsresol, options) rejected or misread."),
        ("source_port_vxlan", "FUNCTIONALITY", "Source port taken for VXLAN: a datagram from port 4789 to another port decoded as VXLAN (RFC 7348: the destination port identifies it)."),
        ("geneve_edges", "EDGE_CASE", "GENEVE edges misread: a non-zero version reported as 0, an option over 15 words miscounted (5-bit length), the C bit or an option's critical bit dropped, or an unknown option class not skipped by its length."),
        ("snaplen_truncation", "MALFORMED_INPUT", "Records with captured length below the original length not handled."),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectors::corpus::{vectors, GROUPS};

    #[test]
    fn every_cited_reference_and_flag_is_defined() {
        let refs: Vec<&str> = references().iter().map(|r| r.0).collect();
        let fl: Vec<&str> = flags().iter().map(|f| f.0).collect();
        for v in vectors() {
            for r in &v.references {
                assert!(refs.contains(r), "{}: unknown reference {r}", v.id);
            }
            for f in &v.flags {
                assert!(fl.contains(f), "{}: unknown flag {f}", v.id);
            }
        }
        let m = build(GROUPS, &vectors(), &|_| String::new());
        assert_eq!(m.groups.iter().map(|g| g.vectors.len()).sum::<usize>(), m.number_of_vectors);
    }
}
