//! Unit tests of `http`.

use super::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rstest::rstest;

fn rng() -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(42)
}

/// Splits a message into (head lines, body) and checks Content-Length.
fn split(msg: &[u8]) -> (Vec<&str>, &[u8]) {
    let pos = msg.windows(4).position(|w| w == b"\r\n\r\n").expect("end of header section");
    let head = std::str::from_utf8(&msg[..pos]).unwrap();
    let body = &msg[pos + 4..];
    let lines: Vec<&str> = head.split("\r\n").collect();
    if let Some(cl) = lines.iter().find_map(|l| l.strip_prefix("Content-Length: ")) {
        assert_eq!(cl.parse::<usize>().unwrap(), body.len(), "Content-Length matches the body");
    } else {
        assert!(body.is_empty());
    }
    (lines, body)
}

#[test]
fn nginx_404_page_is_153_bytes() {
    assert_eq!(NGINX_404_PAGE.len(), 153);
    let mut out = Vec::new();
    write_response(&Response::not_found(), 1_700_000_000, &mut out, &mut rng());
    let (lines, body) = split(&out);
    assert_eq!(
        lines,
        [
            "HTTP/1.1 404 Not Found",
            "Server: nginx/1.24.0",
            "Date: Tue, 14 Nov 2023 22:13:20 GMT",
            "Content-Type: text/html",
            "Content-Length: 153",
            "Connection: keep-alive"
        ]
    );
    assert_eq!(body, NGINX_404_PAGE);
}

#[test]
fn ok_response_headers_in_nginx_order() {
    let mut out = Vec::new();
    let resp = Response { keep_alive: false, ..Response::ok("text/html", 615) };
    write_response(&resp, 1_700_000_000, &mut out, &mut rng());
    let (lines, body) = split(&out);
    let names: Vec<&str> = lines[1..].iter().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(
        names,
        [
            "Server",
            "Date",
            "Content-Type",
            "Content-Length",
            "Last-Modified",
            "Connection",
            "ETag",
            "Accept-Ranges"
        ]
    );
    assert!(lines.contains(&"Connection: close"));
    let etag = lines.iter().find_map(|l| l.strip_prefix("ETag: ")).unwrap();
    assert!(etag.starts_with('"') && etag.ends_with("-267\""), "{etag}");
    assert!(body.starts_with(b"<!DOCTYPE html>") && body.ends_with(b"</html>\n"));
}

#[test]
fn head_and_bodiless() {
    let mut out = Vec::new();
    let resp = Response::ok("application/json", 1234);
    write_response_head(&resp, 0, &mut out, &mut rng());
    assert!(out.ends_with(b"\r\n\r\n"));
    assert!(std::str::from_utf8(&out).unwrap().contains("Content-Length: 1234\r\n"));
    for status in [204, 304] {
        out.clear();
        write_response(&Response::status(status), 0, &mut out, &mut rng());
        let (lines, body) = split(&out);
        assert!(body.is_empty());
        assert!(!lines.iter().any(|l| l.starts_with("Content-")));
    }
}

#[rstest]
#[case(Method::Get, 0)]
#[case(Method::Head, 0)]
#[case(Method::Post, 0)]
#[case(Method::Post, 5)]
#[case(Method::Put, 300)]
#[case(Method::Patch, 4096)]
fn request_lengths(#[case] method: Method, #[case] body_len: usize) {
    let mut out = Vec::new();
    let req = Request { method, body_len, ..Request::get("example.com", "/a?b=c") };
    write_request(&req, &mut out, &mut rng());
    let (lines, body) = split(&out);
    assert_eq!(lines[0], format!("{} /a?b=c HTTP/1.1", method.as_str()));
    assert_eq!(lines[1], "Host: example.com");
    assert_eq!(lines.iter().any(|l| l.starts_with("Content-Length")), method.has_body());
    assert_eq!(body.len(), if method.has_body() { body_len } else { 0 });
}

/// A minimal JSON validator (RFC 8259 grammar, enough for what we emit).
fn json_valid(s: &[u8]) -> bool {
    fn ws(s: &[u8], i: &mut usize) {
        while *i < s.len() && matches!(s[*i], b' ' | b'\n' | b'\r' | b'\t') {
            *i += 1;
        }
    }
    fn value(s: &[u8], i: &mut usize) -> bool {
        ws(s, i);
        match s.get(*i) {
            Some(b'{') => {
                *i += 1;
                ws(s, i);
                if s.get(*i) == Some(&b'}') {
                    *i += 1;
                    return true;
                }
                loop {
                    ws(s, i);
                    if !string(s, i) {
                        return false;
                    }
                    ws(s, i);
                    if s.get(*i) != Some(&b':') {
                        return false;
                    }
                    *i += 1;
                    if !value(s, i) {
                        return false;
                    }
                    ws(s, i);
                    match s.get(*i) {
                        Some(b',') => *i += 1,
                        Some(b'}') => {
                            *i += 1;
                            return true;
                        }
                        _ => return false,
                    }
                }
            }
            Some(b'[') => {
                *i += 1;
                ws(s, i);
                if s.get(*i) == Some(&b']') {
                    *i += 1;
                    return true;
                }
                loop {
                    if !value(s, i) {
                        return false;
                    }
                    ws(s, i);
                    match s.get(*i) {
                        Some(b',') => *i += 1,
                        Some(b']') => {
                            *i += 1;
                            return true;
                        }
                        _ => return false,
                    }
                }
            }
            Some(b'"') => string(s, i),
            Some(b't') => lit(s, i, b"true"),
            Some(b'f') => lit(s, i, b"false"),
            Some(b'n') => lit(s, i, b"null"),
            Some(c) if c.is_ascii_digit() => {
                if *c == b'0' && s.get(*i + 1).is_some_and(u8::is_ascii_digit) {
                    return false;
                }
                while *i < s.len() && s[*i].is_ascii_digit() {
                    *i += 1;
                }
                true
            }
            _ => false,
        }
    }
    fn lit(s: &[u8], i: &mut usize, l: &[u8]) -> bool {
        let ok = s[*i..].starts_with(l);
        *i += l.len();
        ok
    }
    fn string(s: &[u8], i: &mut usize) -> bool {
        if s.get(*i) != Some(&b'"') {
            return false;
        }
        *i += 1;
        while let Some(&c) = s.get(*i) {
            *i += 1;
            match c {
                b'"' => return true,
                b'\\' | 0..=0x1f => return false,
                _ => {}
            }
        }
        false
    }
    let mut i = 0;
    value(s, &mut i) && {
        ws(s, &mut i);
        i == s.len()
    }
}

#[test]
fn bodies_exact_and_valid() {
    let mut rng = rng();
    let mut out = Vec::new();
    for len in 0..700 {
        for kind in [BodyKind::Html, BodyKind::Json, BodyKind::Text] {
            out.clear();
            write_body(kind, len, &mut out, &mut rng);
            assert_eq!(out.len(), len, "{kind:?} {len}");
            assert!(out.is_ascii());
            if kind == BodyKind::Json && len > 0 {
                assert!(json_valid(&out), "{}", String::from_utf8_lossy(&out));
            }
            if kind == BodyKind::Text && len > 0 {
                assert!(out[0] != b' ' && out[len - 1] != b' ');
            }
        }
    }
    out.clear();
    write_body(BodyKind::Json, 100_000, &mut out, &mut rng);
    assert!(json_valid(&out));
}

#[test]
fn deterministic() {
    let resp = Response::ok("application/json", 2000);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    write_response(&resp, 5, &mut a, &mut ChaCha8Rng::seed_from_u64(9));
    write_response(&resp, 5, &mut b, &mut ChaCha8Rng::seed_from_u64(9));
    assert_eq!(a, b);
}

#[test]
fn content_type_mapping() {
    assert_eq!(BodyKind::from_content_type("text/html; charset=utf-8"), BodyKind::Html);
    assert_eq!(BodyKind::from_content_type("application/json"), BodyKind::Json);
    assert_eq!(BodyKind::from_content_type("application/problem+json"), BodyKind::Json);
    assert_eq!(BodyKind::from_content_type("text/css"), BodyKind::Text);
    assert_eq!(BodyKind::from_content_type("image/png"), BodyKind::Binary);
}
