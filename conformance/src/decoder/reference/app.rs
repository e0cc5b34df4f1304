//! Application facts the reference decoder reads from a whole inner
//! transport payload: TLS records (RFC 8446 section 5.1, RFC 5246 section
//! 6.2), HTTP/1.x heads (RFC 9112 sections 3 and 4) and DNS headers and first
//! questions (RFC 1035 section 4.1).

use super::*;

/// Application facts of a whole transport payload.
pub(super) fn read_app(proto: u8, payload: &[u8], sport: u16, dport: u16) -> Option<App> {
    if payload.is_empty() {
        return None;
    }
    if proto == 17 && (sport == 53 || dport == 53) {
        return read_dns(payload).map(|d| App { dns: Some(d), ..App::default() });
    }
    if proto != 6 {
        return None;
    }
    if let Some(t) = read_tls(payload) {
        return Some(App { tls: Some(t), ..App::default() });
    }
    read_http(payload).map(|h| App { http: Some(h), ..App::default() })
}

fn read_dns(msg: &[u8]) -> Option<Dns> {
    let h = dns::Header::parse(msg)?;
    let mut d = Dns {
        id: Some(h.id),
        is_response: Some(h.flags & dns::flags::QR != 0),
        rcode: Some(h.rcode()),
        query_name: None,
        query_type: None,
        answer_count: Some(h.ancount),
    };
    if h.qdcount > 0 {
        let mut labels = Vec::new();
        let mut i = dns::Header::LEN;
        loop {
            let len = usize::from(*msg.get(i)?);
            if len == 0 {
                i += 1;
                break;
            }
            if len > 63 {
                return Some(d); // a compression pointer in a question: not expected
            }
            labels.push(String::from_utf8_lossy(msg.get(i + 1..i + 1 + len)?).into_owned());
            i += 1 + len;
        }
        d.query_name = Some(labels.join("."));
        d.query_type = msg.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    }
    Some(d)
}

fn read_tls(payload: &[u8]) -> Option<Tls> {
    // A TLS record starts with a known content type and a 3.x version.
    if !(20..=24).contains(&payload[0]) || payload.get(1) != Some(&3) {
        return None;
    }
    let mut records = tls::records(payload);
    let mut t = Tls::default();
    for rec in records.by_ref() {
        t.record_content_types.push(rec.content_type);
        t.record_versions.push(rec.version);
    }
    if t.record_content_types.is_empty() || !records.remainder().is_empty() {
        return None;
    }
    t.handshake_types = tls::handshake_types_of(payload);
    // SNI and ALPN from the cleartext hellos.
    for rec in tls::records(payload) {
        match rec.content_type {
            tls::content_type::CHANGE_CIPHER_SPEC => break,
            tls::content_type::HANDSHAKE => {
                let mut msgs = rec.fragment;
                while msgs.len() >= 4 {
                    let len = usize::from(msgs[1]) << 16 | usize::from(msgs[2]) << 8 | usize::from(msgs[3]);
                    let body = msgs.get(4..4 + len).unwrap_or(&[]);
                    if msgs[0] == tls::handshake_type::CLIENT_HELLO
                        || msgs[0] == tls::handshake_type::SERVER_HELLO
                    {
                        hello_extensions(msgs[0], body, &mut t);
                    }
                    msgs = msgs.get(4 + len..).unwrap_or(&[]);
                }
            }
            _ => {}
        }
    }
    Some(t)
}

/// Reads SNI (RFC 6066 section 3) and ALPN (RFC 7301 section 3.1) from a
/// ClientHello or ServerHello body (RFC 8446 section 4.1.2 and 4.1.3).
fn hello_extensions(kind: u8, body: &[u8], t: &mut Tls) {
    let u16_at = |i: usize| body.get(i..i + 2).map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])));
    // legacy_version (2), random (32), session id.
    let Some(&sid) = body.get(34) else { return };
    let mut i = 35 + usize::from(sid);
    if kind == tls::handshake_type::CLIENT_HELLO {
        let Some(suites) = u16_at(i) else { return };
        i += 2 + suites;
        let Some(&comp) = body.get(i) else { return };
        i += 1 + usize::from(comp);
    } else {
        i += 2 + 1; // cipher_suite, legacy_compression_method
    }
    let Some(ext_len) = u16_at(i) else { return };
    let end = (i + 2 + ext_len).min(body.len());
    i += 2;
    while i + 4 <= end {
        let (Some(ty), Some(len)) = (u16_at(i), u16_at(i + 2)) else { return };
        let ext = body.get(i + 4..i + 4 + len).unwrap_or(&[]);
        match ty {
            // server_name_list: list length, then (type, length, name).
            0 if ext.len() >= 5 && ext[2] == 0 => {
                let n = usize::from(u16::from_be_bytes([ext[3], ext[4]]));
                if let Some(name) = ext.get(5..5 + n) {
                    t.sni = Some(String::from_utf8_lossy(name).into_owned());
                }
            }
            16 => {
                let mut j = 2;
                while let Some(&n) = ext.get(j) {
                    let Some(name) = ext.get(j + 1..j + 1 + usize::from(n)) else { break };
                    t.alpn.push(String::from_utf8_lossy(name).into_owned());
                    j += 1 + usize::from(n);
                }
            }
            _ => {}
        }
        i += 4 + len;
    }
}

/// Request methods of RFC 9110 section 9 (and PATCH, RFC 5789).
const HTTP_METHODS: [&str; 9] =
    ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];

fn read_http(payload: &[u8]) -> Option<Http> {
    let head_end = payload.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&payload[..head_end]).ok()?;
    let mut lines = head.split("\r\n");
    let start = lines.next()?;
    let mut h = Http::default();
    let mut content_length = None;
    let mut host = None;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            content_length = value.parse::<usize>().ok();
        } else if name.eq_ignore_ascii_case("host") {
            host = Some(value.to_owned());
        }
    }
    let mut parts = start.splitn(3, ' ');
    let (a, b) = (parts.next()?, parts.next()?);
    let c = parts.next();
    if a.starts_with("HTTP/1.") {
        h.version = Some(a.to_owned());
        h.status_code = Some(b.parse().ok()?);
    } else if HTTP_METHODS.contains(&a) {
        let version = c?;
        if !version.starts_with("HTTP/1.") {
            return None;
        }
        h.method = Some(a.to_owned());
        h.uri = Some(b.to_owned());
        h.version = Some(version.to_owned());
        h.host = host;
    } else {
        return None;
    }
    // Reported on the segment carrying the message's last byte only.
    if let Some(n) = content_length {
        if payload.len() < head_end + 4 + n {
            return None;
        }
    }
    Some(h)
}
