//! DNS messages (RFC 1035 section 4.1) as a stub resolver on an instance and
//! the VPC's Route 53 Resolver exchange them: a query with RD set, and a
//! response with QR, RD and RA set whose answers point back at the question
//! name with a compression pointer (section 4.1.4), or an NXDOMAIN / NODATA
//! answer carrying the zone's SOA in the authority section (RFC 2308
//! section 3), as Route 53 returns it.
//!
//! Messages are written as for UDP; over TCP the caller prefixes the
//! two-byte length (RFC 1035 section 4.2.2).
//!
//! ```
//! use generator::traffic::app::dns::{self, Answer, Header, QType, Query, RData};
//! use std::net::Ipv4Addr;
//!
//! let q = Query { id: 0xbeef, name: "example.com", qtype: QType::A };
//! let mut buf = Vec::new();
//! dns::write_query(&q, &mut buf).unwrap();
//! assert_eq!(Header::parse(&buf).unwrap().flags, dns::flags::RD);
//!
//! buf.clear();
//! let answers = [Answer { ttl: 60, data: RData::A(Ipv4Addr::new(93, 184, 215, 14)) }];
//! dns::write_response(&q, &answers, &mut buf).unwrap();
//! let h = Header::parse(&buf).unwrap();
//! assert_eq!((h.id, h.flags, h.qdcount, h.ancount), (0xbeef, 0x8180, 1, 1));
//! assert_eq!(&buf[29..31], &[0xc0, 0x0c]); // the answer's owner points at the question
//! assert_eq!(buf.len(), 29 + 16);
//!
//! assert!(dns::write_query(&Query { name: "bad..name", ..q }, &mut buf).is_err());
//! ```

use super::push_decimal;
use rand::Rng;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Longest name accepted, in presentation form without the trailing dot
/// (255 octets in wire form, RFC 1035 section 3.1).
pub const MAX_NAME_LEN: usize = 253;

/// Longest label (RFC 1035 section 2.3.4).
pub const MAX_LABEL_LEN: usize = 63;

/// CLASS IN (RFC 1035 section 3.2.4).
pub const CLASS_IN: u16 = 1;

/// Header flag bits (RFC 1035 section 4.1.1).
pub mod flags {
    /// Query (0) or response (1).
    pub const QR: u16 = 0x8000;
    /// Authoritative answer.
    pub const AA: u16 = 0x0400;
    /// Truncated.
    pub const TC: u16 = 0x0200;
    /// Recursion desired.
    pub const RD: u16 = 0x0100;
    /// Recursion available.
    pub const RA: u16 = 0x0080;
    /// The RCODE field.
    pub const RCODE_MASK: u16 = 0x000f;
}

/// Response codes (RFC 1035 section 4.1.1).
pub mod rcode {
    /// No error.
    pub const NOERROR: u8 = 0;
    /// Format error.
    pub const FORMERR: u8 = 1;
    /// Server failure.
    pub const SERVFAIL: u8 = 2;
    /// Name error: the name does not exist.
    pub const NXDOMAIN: u8 = 3;
    /// Refused.
    pub const REFUSED: u8 = 5;
}

/// Why a name cannot be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The name is empty (or just `.`).
    #[error("empty domain name")]
    Empty,
    /// Two dots in a row, or a leading dot.
    #[error("empty label at byte {at}")]
    EmptyLabel {
        /// Byte offset of the empty label.
        at: usize,
    },
    /// A label longer than 63 bytes.
    #[error("label of {len} bytes exceeds 63")]
    LabelTooLong {
        /// The label's length.
        len: usize,
    },
    /// A name longer than 253 bytes.
    #[error("name of {len} bytes exceeds 253")]
    NameTooLong {
        /// The name's length.
        len: usize,
    },
    /// A byte other than a letter, digit, `-` or `_`, or a hyphen starting
    /// or ending a label (RFC 1035 section 2.3.1, relaxed by RFC 1123
    /// section 2.1 for leading digits).
    #[error("invalid byte {byte:#04x} at {at}")]
    InvalidChar {
        /// The offending byte.
        byte: u8,
        /// Its offset.
        at: usize,
    },
}

/// A question or record type (RFC 1035 section 3.2.2, RFC 3596 section 2.1
/// for AAAA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QType {
    /// IPv4 host address (1).
    A,
    /// Name server (2).
    Ns,
    /// Canonical name (5).
    Cname,
    /// Start of authority (6).
    Soa,
    /// Domain name pointer (12).
    Ptr,
    /// Mail exchange (15).
    Mx,
    /// Text strings (16).
    Txt,
    /// IPv6 host address (28, RFC 3596).
    Aaaa,
    /// Service locator (33, RFC 2782).
    Srv,
    /// HTTPS binding (65, RFC 9460).
    Https,
    /// Any other type code.
    Other(u16),
}

impl QType {
    /// The TYPE / QTYPE wire value.
    pub const fn code(self) -> u16 {
        match self {
            QType::A => 1,
            QType::Ns => 2,
            QType::Cname => 5,
            QType::Soa => 6,
            QType::Ptr => 12,
            QType::Mx => 15,
            QType::Txt => 16,
            QType::Aaaa => 28,
            QType::Srv => 33,
            QType::Https => 65,
            QType::Other(c) => c,
        }
    }
}

/// A query for one name (RFC 1035 section 4.1.2), class IN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query<'a> {
    /// Message ID (section 4.1.1), echoed by the response.
    pub id: u16,
    /// The name, e.g. `s3.us-east-1.amazonaws.com` (a trailing dot is
    /// allowed).
    pub name: &'a str,
    /// The question type.
    pub qtype: QType,
}

/// Resource record data (RFC 1035 section 3.3, RFC 3596 section 2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RData<'a> {
    /// A: a 4-byte IPv4 address (RFC 1035 section 3.4.1).
    A(Ipv4Addr),
    /// AAAA: a 16-byte IPv6 address (RFC 3596 section 2.2).
    Aaaa(Ipv6Addr),
    /// CNAME (RFC 1035 section 3.3.1): records after it are owned by this
    /// target name.
    Cname(&'a str),
}

/// One answer record; its owner is the question name, or the target of the
/// latest CNAME before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer<'a> {
    /// Time to live in seconds.
    pub ttl: u32,
    /// The record data.
    pub data: RData<'a>,
}

/// A decoded message header (RFC 1035 section 4.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// ID.
    pub id: u16,
    /// QR, Opcode, AA, TC, RD, RA, Z and RCODE.
    pub flags: u16,
    /// Entries in the question section.
    pub qdcount: u16,
    /// Records in the answer section.
    pub ancount: u16,
    /// Records in the authority section.
    pub nscount: u16,
    /// Records in the additional section.
    pub arcount: u16,
}

impl Header {
    /// Length of the header.
    pub const LEN: usize = 12;

    /// Reads the header at the start of `msg`, or `None` if it is shorter
    /// than 12 bytes.
    pub fn parse(msg: &[u8]) -> Option<Header> {
        let w = |i: usize| u16::from_be_bytes([msg[i], msg[i + 1]]);
        (msg.len() >= Header::LEN).then(|| Header {
            id: w(0),
            flags: w(2),
            qdcount: w(4),
            ancount: w(6),
            nscount: w(8),
            arcount: w(10),
        })
    }

    /// The RCODE.
    pub const fn rcode(&self) -> u8 {
        (self.flags & flags::RCODE_MASK) as u8
    }

    fn write(&self, out: &mut Vec<u8>) {
        for v in [self.id, self.flags, self.qdcount, self.ancount, self.nscount, self.arcount] {
            out.extend_from_slice(&v.to_be_bytes());
        }
    }
}

/// Checks that `name` can be encoded: at most 253 bytes (trailing dot
/// aside), labels of 1..=63 letters, digits, `-` or `_`, no label starting
/// or ending with `-`.
///
/// ```
/// use generator::traffic::app::dns::{validate_name, NameError};
/// assert!(validate_name("ip-10-0-1-17.ec2.internal.").is_ok());
/// assert_eq!(validate_name(""), Err(NameError::Empty));
/// assert_eq!(validate_name(&"a".repeat(64)), Err(NameError::LabelTooLong { len: 64 }));
/// ```
pub fn validate_name(name: &str) -> Result<(), NameError> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.len() > MAX_NAME_LEN {
        return Err(NameError::NameTooLong { len: name.len() });
    }
    let mut at = 0;
    for b in labels(name) {
        if b.is_empty() {
            return Err(NameError::EmptyLabel { at });
        }
        if b.len() > MAX_LABEL_LEN {
            return Err(NameError::LabelTooLong { len: b.len() });
        }
        for (i, &c) in b.iter().enumerate() {
            let ok = c.is_ascii_alphanumeric() || c == b'_' || (c == b'-' && i != 0 && i != b.len() - 1);
            if !ok {
                return Err(NameError::InvalidChar { byte: c, at: at + i });
            }
        }
        at += b.len() + 1;
    }
    Ok(())
}

/// The dot-separated labels of `name`, as `name.split('.')` gives them, but
/// scanning bytes: labels are a few bytes long, and `split`'s searcher costs
/// more per label than the bytes do (every DNS name is validated and
/// written).
fn labels(name: &str) -> impl Iterator<Item = &[u8]> {
    name.as_bytes().split(|&c| c == b'.')
}

/// Appends `name` uncompressed in wire form (RFC 1035 section 3.1: length
/// octet and bytes per label, then the zero-length root label). Nothing is
/// appended if the name is invalid.
pub fn write_name(name: &str, out: &mut Vec<u8>) -> Result<(), NameError> {
    validate_name(name)?;
    write_valid_name(name, out);
    Ok(())
}

fn write_valid_name(name: &str, out: &mut Vec<u8>) {
    let name = name.strip_suffix('.').unwrap_or(name);
    for label in labels(name) {
        out.push(label.len() as u8);
        out.extend_from_slice(label);
    }
    out.push(0);
}

/// The wire length of a valid name.
fn wire_len(name: &str) -> usize {
    name.strip_suffix('.').unwrap_or(name).len() + 2
}

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Writes the question section entry (RFC 1035 section 4.1.2).
fn write_question(q: &Query<'_>, out: &mut Vec<u8>) {
    write_valid_name(q.name, out);
    put_u16(out, q.qtype.code());
    put_u16(out, CLASS_IN);
}

/// Appends a recursive query (RD set) for `q`: header and question.
pub fn write_query(q: &Query<'_>, out: &mut Vec<u8>) -> Result<(), NameError> {
    validate_name(q.name)?;
    out.reserve(Header::LEN + wire_len(q.name) + 4);
    Header { id: q.id, flags: flags::RD, qdcount: 1, ancount: 0, nscount: 0, arcount: 0 }.write(out);
    write_question(q, out);
    Ok(())
}

/// Flags of a recursive resolver's response: QR, RD (copied from the
/// query), RA and `rcode`.
const fn response_flags(rcode: u8) -> u16 {
    flags::QR | flags::RD | flags::RA | rcode as u16
}

/// Offset of the question name in a message: right after the header.
const QNAME_OFFSET: u16 = Header::LEN as u16;

/// A compression pointer (RFC 1035 section 4.1.4) to `offset`.
fn pointer(offset: usize) -> u16 {
    assert!(offset < 0x4000, "compression target beyond 16 KiB");
    0xc000 | offset as u16
}

/// Appends a NOERROR response to `q` (ID echoed, QR RD RA set) with the
/// question and `answers`. The first answer's owner is a pointer to the
/// question name (0xc00c); after a CNAME, owners point at its target.
///
/// Nothing is appended if the query name or a CNAME target is invalid.
///
/// ```
/// use generator::traffic::app::dns::{write_response, Answer, QType, Query, RData};
/// use std::net::Ipv6Addr;
///
/// let q = Query { id: 1, name: "www.example.com", qtype: QType::Aaaa };
/// let answers = [
///     Answer { ttl: 300, data: RData::Cname("d111111abcdef8.cloudfront.net") },
///     Answer { ttl: 60, data: RData::Aaaa("2600:9000:2000::1".parse::<Ipv6Addr>().unwrap()) },
/// ];
/// let mut msg = Vec::new();
/// write_response(&q, &answers, &mut msg).unwrap();
/// // The AAAA record's owner is a pointer to the CNAME target (offset 45).
/// let aaaa = msg.len() - (2 + 10 + 16);
/// assert_eq!(&msg[aaaa..aaaa + 4], &[0xc0, 45, 0, 28]);
/// ```
pub fn write_response(q: &Query<'_>, answers: &[Answer<'_>], out: &mut Vec<u8>) -> Result<(), NameError> {
    validate_name(q.name)?;
    for a in answers {
        if let RData::Cname(target) = a.data {
            validate_name(target)?;
        }
    }
    assert!(answers.len() <= usize::from(u16::MAX), "too many answers");
    let base = out.len();
    out.reserve(Header::LEN + wire_len(q.name) + 4 + answers.len() * 40);
    Header {
        id: q.id,
        flags: response_flags(rcode::NOERROR),
        qdcount: 1,
        ancount: answers.len() as u16,
        nscount: 0,
        arcount: 0,
    }
    .write(out);
    write_question(q, out);
    let mut owner = 0xc000 | QNAME_OFFSET;
    for a in answers {
        put_u16(out, owner);
        let rtype = match a.data {
            RData::A(_) => QType::A,
            RData::Aaaa(_) => QType::Aaaa,
            RData::Cname(_) => QType::Cname,
        };
        put_u16(out, rtype.code());
        put_u16(out, CLASS_IN);
        out.extend_from_slice(&a.ttl.to_be_bytes());
        match a.data {
            RData::A(addr) => {
                put_u16(out, 4);
                out.extend_from_slice(&addr.octets());
            }
            RData::Aaaa(addr) => {
                put_u16(out, 16);
                out.extend_from_slice(&addr.octets());
            }
            RData::Cname(target) => {
                put_u16(out, wire_len(target) as u16);
                owner = pointer(out.len() - base);
                write_valid_name(target, out);
            }
        }
    }
    Ok(())
}

/// Appends an NXDOMAIN response (RCODE 3, QR RD RA) to `q`: the question,
/// no answers and the zone's SOA in the authority section, as Route 53
/// Resolver returns it (RFC 2308 section 2.1). See [`write_negative`].
pub fn write_nxdomain<R: Rng + ?Sized>(
    q: &Query<'_>,
    out: &mut Vec<u8>,
    rng: &mut R,
) -> Result<(), NameError> {
    write_negative(q, rcode::NXDOMAIN, out, rng)
}

/// Appends a NODATA response (NOERROR, no answers, the zone's SOA in the
/// authority section; RFC 2308 section 2.2), as for an AAAA query on a name
/// with only A records.
pub fn write_nodata<R: Rng + ?Sized>(q: &Query<'_>, out: &mut Vec<u8>, rng: &mut R) -> Result<(), NameError> {
    write_negative(q, rcode::NOERROR, out, rng)
}

/// Appends a negative response with `rcode` and an SOA authority record.
///
/// The zone is taken to be the last two labels of the query name (the whole
/// name if it has fewer); the SOA owner is a compression pointer to that
/// suffix of the question. Its data is a Route 53 hosted zone's SOA
/// (`ns-N.awsdns-M.<tld> awsdns-hostmaster.amazon.com 1 7200 900 1209600
/// 86400`) and its TTL the remaining negative-cache time, 1..=900 seconds.
///
/// ```
/// use generator::traffic::app::dns::{write_nxdomain, Header, QType, Query};
/// use rand::SeedableRng;
///
/// let q = Query { id: 9, name: "nope.example.com", qtype: QType::A };
/// let mut msg = Vec::new();
/// write_nxdomain(&q, &mut msg, &mut rand_chacha::ChaCha8Rng::seed_from_u64(0)).unwrap();
/// let h = Header::parse(&msg).unwrap();
/// assert_eq!((h.flags, h.rcode(), h.ancount, h.nscount), (0x8183, 3, 0, 1));
/// // The SOA owner points at "example.com" inside the question (12 + 5).
/// assert_eq!(&msg[34..38], &[0xc0, 17, 0, 6]);
/// ```
pub fn write_negative<R: Rng + ?Sized>(
    q: &Query<'_>,
    rcode: u8,
    out: &mut Vec<u8>,
    rng: &mut R,
) -> Result<(), NameError> {
    const TLDS: [&str; 4] = ["com", "net", "org", "co.uk"];
    validate_name(q.name)?;
    let base = out.len();
    Header { id: q.id, flags: response_flags(rcode & 0x0f), qdcount: 1, ancount: 0, nscount: 1, arcount: 0 }
        .write(out);
    write_question(q, out);

    // Zone apex: the last two labels, as an offset into the question name.
    let name = q.name.strip_suffix('.').unwrap_or(q.name);
    let zone_at = name.rmatch_indices('.').nth(1).map_or(0, |(i, _)| i + 1);
    put_u16(out, pointer(usize::from(QNAME_OFFSET) + zone_at));
    put_u16(out, QType::Soa.code());
    put_u16(out, CLASS_IN);
    out.extend_from_slice(&rng.random_range(1u32..=900).to_be_bytes());
    let rdlength_at = out.len();
    put_u16(out, 0);

    // MNAME: ns-<0..2047>.awsdns-<0..63>.<tld>
    let label_at = out.len();
    out.push(0);
    out.extend_from_slice(b"ns-");
    push_decimal(out, rng.random_range(0..2048));
    out[label_at] = (out.len() - label_at - 1) as u8;
    let label_at = out.len();
    out.push(0);
    out.extend_from_slice(b"awsdns-");
    let n = rng.random_range(0..64u8);
    if n < 10 {
        out.push(b'0');
    }
    push_decimal(out, u64::from(n));
    out[label_at] = (out.len() - label_at - 1) as u8;
    write_valid_name(TLDS[rng.random_range(0..TLDS.len())], out);
    // RNAME: awsdns-hostmaster.amazon.com
    out.extend_from_slice(b"\x11awsdns-hostmaster\x06amazon\x03com\x00");
    for v in [1u32, 7200, 900, 1_209_600, 86_400] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let rdlength = (out.len() - rdlength_at - 2) as u16;
    out[rdlength_at..rdlength_at + 2].copy_from_slice(&rdlength.to_be_bytes());
    debug_assert!(out.len() - base < 0x4000);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rstest::rstest;

    /// Reads a (possibly compressed) name at `at`; returns it and the offset
    /// after it in the original position.
    fn read_name(msg: &[u8], mut at: usize) -> (String, usize) {
        let mut labels = Vec::new();
        let mut end = None;
        for _ in 0..128 {
            let len = msg[at];
            if len & 0xc0 == 0xc0 {
                let target = usize::from(u16::from_be_bytes([msg[at], msg[at + 1]]) & 0x3fff);
                assert!(target < at, "pointers go backwards");
                end.get_or_insert(at + 2);
                at = target;
            } else if len == 0 {
                return (labels.join("."), end.unwrap_or(at + 1));
            } else {
                labels.push(String::from_utf8(msg[at + 1..at + 1 + usize::from(len)].to_vec()).unwrap());
                at += 1 + usize::from(len);
            }
        }
        panic!("pointer loop");
    }

    /// (owner, type, rdata offset, rdata) of a resource record.
    type Rr = (String, u16, usize, Vec<u8>);

    /// Walks a whole message, checking every count and RDLENGTH.
    fn parse(msg: &[u8]) -> (Header, Vec<Rr>) {
        let h = Header::parse(msg).unwrap();
        let mut at = Header::LEN;
        for _ in 0..h.qdcount {
            at = read_name(msg, at).1 + 4;
        }
        let mut rrs = Vec::new();
        for _ in 0..(h.ancount + h.nscount + h.arcount) {
            let (owner, next) = read_name(msg, at);
            let ty = u16::from_be_bytes([msg[next], msg[next + 1]]);
            assert_eq!(u16::from_be_bytes([msg[next + 2], msg[next + 3]]), CLASS_IN);
            let rdlen = usize::from(u16::from_be_bytes([msg[next + 8], msg[next + 9]]));
            let rd = next + 10;
            rrs.push((owner, ty, rd, msg[rd..rd + rdlen].to_vec()));
            at = rd + rdlen;
        }
        assert_eq!(at, msg.len(), "counts and lengths cover the message exactly");
        (h, rrs)
    }

    #[rstest]
    #[case("", NameError::Empty)]
    #[case(".", NameError::Empty)]
    #[case("a..b", NameError::EmptyLabel { at: 2 })]
    #[case(".a", NameError::EmptyLabel { at: 0 })]
    #[case("a b.com", NameError::InvalidChar { byte: b' ', at: 1 })]
    #[case("-a.com", NameError::InvalidChar { byte: b'-', at: 0 })]
    #[case("a.com-", NameError::InvalidChar { byte: b'-', at: 5 })]
    fn invalid_names(#[case] name: &str, #[case] err: NameError) {
        assert_eq!(validate_name(name), Err(err));
        let mut out = vec![1, 2];
        assert_eq!(write_query(&Query { id: 1, name, qtype: QType::A }, &mut out), Err(err));
        assert_eq!(out, [1, 2], "nothing appended on error");
    }

    #[test]
    fn length_limits() {
        let label63 = "a".repeat(63);
        assert!(validate_name(&label63).is_ok());
        assert_eq!(validate_name(&"a".repeat(64)), Err(NameError::LabelTooLong { len: 64 }));
        // 4 labels of 63 + 3 dots = 255 > 253; 253 exactly is fine.
        let long = [label63.as_str(); 4].join(".");
        assert_eq!(validate_name(&long), Err(NameError::NameTooLong { len: 255 }));
        let ok = format!("{}.{}.{}.{}", label63, label63, label63, "a".repeat(61));
        assert_eq!(ok.len(), 253);
        assert!(validate_name(&ok).is_ok());
        assert!(validate_name(&format!("{ok}.")).is_ok());
        let mut out = Vec::new();
        write_name(&ok, &mut out).unwrap();
        assert_eq!(out.len(), 255);
    }

    #[test]
    fn query_bytes() {
        let mut out = Vec::new();
        write_query(&Query { id: 0x1234, name: "Example.com.", qtype: QType::Aaaa }, &mut out).unwrap();
        assert_eq!(
            out,
            [
                0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 7, b'E', b'x', b'a', b'm', b'p', b'l', b'e',
                3, b'c', b'o', b'm', 0, 0, 28, 0, 1
            ]
        );
    }

    #[test]
    fn response_with_cname_chain() {
        let q = Query { id: 77, name: "www.example.org", qtype: QType::A };
        let answers = [
            Answer { ttl: 300, data: RData::Cname("lb-1.us-east-1.elb.amazonaws.com") },
            Answer { ttl: 60, data: RData::A(Ipv4Addr::new(3, 5, 7, 9)) },
            Answer { ttl: 60, data: RData::A(Ipv4Addr::new(3, 5, 7, 10)) },
        ];
        let mut out = vec![0xff; 3];
        write_response(&q, &answers, &mut out).unwrap();
        let (h, rrs) = parse(&out[3..]);
        assert_eq!((h.id, h.flags, h.rcode(), h.qdcount, h.ancount, h.nscount), (77, 0x8180, 0, 1, 3, 0));
        assert_eq!(rrs[0].0, "www.example.org");
        assert_eq!(rrs[0].1, 5);
        assert_eq!(read_name(&out[3..], rrs[0].2).0, "lb-1.us-east-1.elb.amazonaws.com");
        assert_eq!(rrs[1], ("lb-1.us-east-1.elb.amazonaws.com".to_string(), 1, rrs[1].2, vec![3, 5, 7, 9]));
        assert_eq!(rrs[2].0, "lb-1.us-east-1.elb.amazonaws.com");
    }

    #[test]
    fn aaaa_response() {
        let q = Query { id: 5, name: "ipv6.example", qtype: QType::Aaaa };
        let addr: Ipv6Addr = "2001:db8::5".parse().unwrap();
        let mut out = Vec::new();
        write_response(&q, &[Answer { ttl: 20, data: RData::Aaaa(addr) }], &mut out).unwrap();
        let (_, rrs) = parse(&out);
        assert_eq!(rrs[0].1, 28);
        assert_eq!(rrs[0].3, addr.octets());
        assert_eq!(&out[Header::LEN + wire_len(q.name) + 4..][..2], &[0xc0, 0x0c]);
    }

    #[rstest]
    #[case("missing.example.com", "example.com", rcode::NXDOMAIN)]
    #[case("example.com.", "example.com", rcode::NXDOMAIN)]
    #[case("localhost", "localhost", rcode::NXDOMAIN)]
    #[case("a.b.c.d.amazonaws.com", "amazonaws.com", rcode::NOERROR)]
    fn negative_responses(#[case] name: &str, #[case] zone: &str, #[case] rc: u8) {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let q = Query { id: 0xabcd, name, qtype: QType::Aaaa };
        for _ in 0..20 {
            let mut out = Vec::new();
            if rc == rcode::NXDOMAIN {
                write_nxdomain(&q, &mut out, &mut rng).unwrap();
            } else {
                write_nodata(&q, &mut out, &mut rng).unwrap();
            }
            let (h, rrs) = parse(&out);
            assert_eq!((h.flags & !flags::RCODE_MASK, h.rcode()), (0x8180, rc));
            assert_eq!((h.ancount, h.nscount), (0, 1));
            let (owner, ty, rd, data) = &rrs[0];
            assert_eq!((owner.as_str(), *ty), (zone, 6));
            let (mname, after) = read_name(&out, *rd);
            assert!(mname.starts_with("ns-") && mname.contains(".awsdns-"), "{mname}");
            let (rname, after) = read_name(&out, after);
            assert_eq!(rname, "awsdns-hostmaster.amazon.com");
            let nums: Vec<u32> =
                out[after..].chunks(4).map(|c| u32::from_be_bytes(c.try_into().unwrap())).collect();
            assert_eq!(nums, [1, 7200, 900, 1_209_600, 86_400]);
            assert_eq!(after + 20 - rd, data.len());
        }
    }
}
