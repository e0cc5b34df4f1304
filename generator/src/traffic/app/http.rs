//! HTTP/1.1 messages (RFC 9112 section 2.1: `start-line *( field-line CRLF )
//! CRLF [ message-body ]`), as curl or a browser sends requests and as nginx
//! sends responses.
//!
//! Requests carry the header fields a real client sends (RFC 9110 section 7.2
//! `Host`, 10.1.5 `User-Agent`, 12.5.1 `Accept`, 12.5.3 `Accept-Encoding`,
//! RFC 9112 section 9.3 `Connection: keep-alive`, and for methods with a body
//! 8.3 `Content-Type` and 8.6 `Content-Length`). Responses look like nginx's:
//! `Server`, an IMF-fixdate `Date` (RFC 9110 section 5.6.7) derived from a
//! timestamp argument, an exact `Content-Length`, and for `200` a
//! `Last-Modified` / `ETag` (RFC 9110 sections 8.8.2 and 8.8.3) pair in
//! nginx's `"<mtime hex>-<length hex>"` format. A `404` with a `text/html`
//! body is byte for byte nginx's default error page.
//!
//! ```
//! use generator::traffic::app::http::{self, Method, Request, Response};
//! use rand::SeedableRng;
//!
//! let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
//! let mut buf = Vec::new();
//! let req = Request { method: Method::Post, body_len: 64, ..Request::get("api.example.com", "/v1/items") };
//! http::write_request(&req, &mut buf, &mut rng);
//! let text = std::str::from_utf8(&buf).unwrap();
//! assert!(text.starts_with("POST /v1/items HTTP/1.1\r\nHost: api.example.com\r\n"));
//! assert!(text.contains("\r\nContent-Length: 64\r\n\r\n"));
//! assert!(text.ends_with('}'));
//!
//! buf.clear();
//! http::write_response(&Response::not_found(), 784_111_777, &mut buf, &mut rng);
//! let text = std::str::from_utf8(&buf).unwrap();
//! assert!(text.starts_with("HTTP/1.1 404 Not Found\r\nServer: nginx/1.24.0\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"));
//! assert!(text.ends_with("<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n"));
//! ```

use super::{push_2digits, push_decimal, push_hex, Civil};
use rand::Rng;

/// The `Server` header value, and the version nginx prints in error pages.
pub const SERVER: &str = "nginx/1.24.0";

/// curl's `User-Agent` (curl 8.5, as shipped by Ubuntu 24.04).
pub const CURL_USER_AGENT: &str = "curl/8.5.0";

/// A desktop Chrome `User-Agent` (reduced UA string).
pub const CHROME_USER_AGENT: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

/// The AWS CLI / boto `User-Agent` prefix an instance's SDK calls carry.
pub const AWS_CLI_USER_AGENT: &str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79-99.167.amzn2023.x86_64";

/// A browser's `Accept` for a top-level navigation.
pub const BROWSER_ACCEPT: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

/// The request body media type written for methods that carry a body.
pub const REQUEST_CONTENT_TYPE: &str = "application/json";

/// nginx's default 404 page (`ngx_http_error_404_page` followed by
/// `ngx_http_error_full_tail`, for `nginx/1.24.0`): 153 bytes.
pub const NGINX_404_PAGE: &[u8] = b"<html>\r\n\
<head><title>404 Not Found</title></head>\r\n\
<body>\r\n\
<center><h1>404 Not Found</h1></center>\r\n\
<hr><center>nginx/1.24.0</center>\r\n\
</body>\r\n\
</html>\r\n";

/// A request method (RFC 9110 section 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET (RFC 9110 section 9.3.1).
    Get,
    /// HEAD (section 9.3.2): the response carries no body.
    Head,
    /// POST (section 9.3.3).
    Post,
    /// PUT (section 9.3.4).
    Put,
    /// DELETE (section 9.3.5).
    Delete,
    /// OPTIONS (section 9.3.7).
    Options,
    /// PATCH (RFC 5789).
    Patch,
}

impl Method {
    /// The method token as it appears in the request line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Patch => "PATCH",
        }
    }

    /// Whether requests with this method carry a body (and so `Content-Type`
    /// and `Content-Length`) when written by [`write_request`].
    pub const fn has_body(self) -> bool {
        matches!(self, Method::Post | Method::Put | Method::Patch)
    }
}

/// An HTTP/1.1 request (RFC 9112 section 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    /// The method.
    pub method: Method,
    /// The request-target in origin-form (`/path?query`, RFC 9112 section 3.2.1).
    pub path: &'a str,
    /// The `Host` header value.
    pub host: &'a str,
    /// The `User-Agent` header value.
    pub user_agent: &'a str,
    /// The `Accept` header value.
    pub accept: &'a str,
    /// Body length in bytes; used only if [`Method::has_body`], where the body
    /// is JSON of exactly this length.
    pub body_len: usize,
}

impl<'a> Request<'a> {
    /// A curl-like `GET` of `path` on `host`.
    pub const fn get(host: &'a str, path: &'a str) -> Request<'a> {
        Request { method: Method::Get, path, host, user_agent: CURL_USER_AGENT, accept: "*/*", body_len: 0 }
    }
}

/// Appends `req` (request line, header section and, for methods with a body,
/// a JSON body of exactly `req.body_len` bytes) to `out`.
///
/// ```
/// use generator::traffic::app::http::{write_request, Request};
/// use rand::SeedableRng;
///
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
/// let mut out = Vec::new();
/// write_request(&Request::get("example.com", "/index.html"), &mut out, &mut rng);
/// assert_eq!(
///     out,
///     b"GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\
///       Accept-Encoding: gzip, deflate, br\r\nConnection: keep-alive\r\n\r\n"
/// );
/// ```
pub fn write_request<R: Rng + ?Sized>(req: &Request<'_>, out: &mut Vec<u8>, rng: &mut R) {
    out.reserve(160 + req.path.len() + req.user_agent.len() + req.body_len);
    out.extend_from_slice(req.method.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(req.path.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\nHost: ");
    out.extend_from_slice(req.host.as_bytes());
    out.extend_from_slice(b"\r\nUser-Agent: ");
    out.extend_from_slice(req.user_agent.as_bytes());
    out.extend_from_slice(b"\r\nAccept: ");
    out.extend_from_slice(req.accept.as_bytes());
    out.extend_from_slice(b"\r\nAccept-Encoding: gzip, deflate, br\r\nConnection: keep-alive\r\n");
    if req.method.has_body() {
        out.extend_from_slice(b"Content-Type: ");
        out.extend_from_slice(REQUEST_CONTENT_TYPE.as_bytes());
        out.extend_from_slice(b"\r\nContent-Length: ");
        push_decimal(out, req.body_len as u64);
        out.extend_from_slice(b"\r\n\r\n");
        write_body(BodyKind::Json, req.body_len, out, rng);
    } else {
        out.extend_from_slice(b"\r\n");
    }
}

/// An HTTP/1.1 response (RFC 9112 section 4) as nginx sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Response<'a> {
    /// Status code (RFC 9110 section 15).
    pub status: u16,
    /// Reason phrase; see [`reason_phrase`] for nginx's.
    pub reason: &'a str,
    /// The `Content-Type` header value; it also selects the generated body
    /// ([`BodyKind::from_content_type`]).
    pub content_type: &'a str,
    /// Body length in bytes (but see [`Response::content_length`]).
    pub body_len: usize,
    /// `Connection: keep-alive` if true, `Connection: close` otherwise.
    pub keep_alive: bool,
}

impl Response<'static> {
    /// A keep-alive `200 OK` with a generated body of `body_len` bytes.
    pub const fn ok(content_type: &'static str, body_len: usize) -> Response<'static> {
        Response { status: 200, reason: "OK", content_type, body_len, keep_alive: true }
    }

    /// nginx's default `404 Not Found` ([`NGINX_404_PAGE`]).
    pub const fn not_found() -> Response<'static> {
        Response {
            status: 404,
            reason: "Not Found",
            content_type: "text/html",
            body_len: NGINX_404_PAGE.len(),
            keep_alive: true,
        }
    }

    /// A response with `status`, nginx's reason phrase for it and nginx's
    /// default error page as body when it is `404`, an empty body otherwise.
    pub const fn status(status: u16) -> Response<'static> {
        if status == 404 {
            return Response::not_found();
        }
        Response {
            status,
            reason: reason_phrase(status),
            content_type: "text/html",
            body_len: 0,
            keep_alive: true,
        }
    }
}

impl Response<'_> {
    /// Whether the status code forbids a body and `Content-Length`
    /// (1xx, 204, 304: RFC 9110 sections 6.4.1 and 8.6).
    pub const fn is_bodiless(&self) -> bool {
        self.status < 200 || self.status == 204 || self.status == 304
    }

    /// Whether the body is nginx's default 404 page: status 404 with
    /// `Content-Type: text/html`.
    pub fn is_nginx_404(&self) -> bool {
        self.status == 404 && self.content_type == "text/html"
    }

    /// The `Content-Length` written: 0 for bodiless statuses, the length of
    /// [`NGINX_404_PAGE`] for nginx's 404 page, `body_len` otherwise.
    pub fn content_length(&self) -> usize {
        if self.is_bodiless() {
            0
        } else if self.is_nginx_404() {
            NGINX_404_PAGE.len()
        } else {
            self.body_len
        }
    }
}

/// nginx's reason phrase for `status` (nginx's `ngx_http_status_lines`,
/// which follow RFC 9110 section 15 except for a few historical spellings
/// such as `405 Not Allowed`), or `"Unknown"`.
pub const fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Moved Temporarily",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Not Allowed",
        408 => "Request Time-out",
        409 => "Conflict",
        413 => "Request Entity Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Temporarily Unavailable",
        504 => "Gateway Time-out",
        _ => "Unknown",
    }
}

/// Appends an IMF-fixdate (RFC 9110 section 5.6.7, e.g.
/// `Sun, 06 Nov 1994 08:49:37 GMT`) for `unix_secs` seconds since the epoch.
///
/// ```
/// let mut out = Vec::new();
/// generator::traffic::app::http::write_http_date(784_111_777, &mut out);
/// assert_eq!(out, b"Sun, 06 Nov 1994 08:49:37 GMT");
/// ```
pub fn write_http_date(unix_secs: u64, out: &mut Vec<u8>) {
    const DAYS: [&[u8; 3]; 7] = [b"Sun", b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat"];
    const MONTHS: [&[u8; 3]; 12] =
        [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];
    let c = Civil::from_unix(unix_secs);
    out.extend_from_slice(DAYS[c.weekday as usize]);
    out.extend_from_slice(b", ");
    push_2digits(out, c.day);
    out.push(b' ');
    out.extend_from_slice(MONTHS[c.month as usize - 1]);
    out.push(b' ');
    let y = c.year.clamp(0, 9999) as u16;
    push_2digits(out, (y / 100) as u8);
    push_2digits(out, (y % 100) as u8);
    out.push(b' ');
    push_2digits(out, c.hour);
    out.push(b':');
    push_2digits(out, c.minute);
    out.push(b':');
    push_2digits(out, c.second);
    out.extend_from_slice(b" GMT");
}

/// Appends the status line and header section of `resp` (ending with the
/// empty line), with `Date` derived from `unix_secs`. Use this alone for the
/// response to a `HEAD` request (RFC 9110 section 9.3.2).
///
/// For `200`, `Last-Modified` is a random moment up to a year before
/// `unix_secs` and `ETag` is nginx's `"<mtime hex>-<length hex>"`.
pub fn write_response_head<R: Rng + ?Sized>(
    resp: &Response<'_>,
    unix_secs: u64,
    out: &mut Vec<u8>,
    rng: &mut R,
) {
    out.extend_from_slice(b"HTTP/1.1 ");
    push_decimal(out, u64::from(resp.status));
    out.push(b' ');
    out.extend_from_slice(resp.reason.as_bytes());
    out.extend_from_slice(b"\r\nServer: ");
    out.extend_from_slice(SERVER.as_bytes());
    out.extend_from_slice(b"\r\nDate: ");
    write_http_date(unix_secs, out);
    out.extend_from_slice(b"\r\n");
    if !resp.is_bodiless() {
        out.extend_from_slice(b"Content-Type: ");
        out.extend_from_slice(resp.content_type.as_bytes());
        out.extend_from_slice(b"\r\nContent-Length: ");
        push_decimal(out, resp.content_length() as u64);
        out.extend_from_slice(b"\r\n");
    }
    let etag_mtime =
        (resp.status == 200).then(|| unix_secs.saturating_sub(rng.random_range(3600..31_536_000)));
    if let Some(mtime) = etag_mtime {
        out.extend_from_slice(b"Last-Modified: ");
        write_http_date(mtime, out);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(if resp.keep_alive {
        b"Connection: keep-alive\r\n".as_slice()
    } else {
        b"Connection: close\r\n".as_slice()
    });
    if let Some(mtime) = etag_mtime {
        out.extend_from_slice(b"ETag: \"");
        push_hex(out, mtime);
        out.push(b'-');
        push_hex(out, resp.content_length() as u64);
        out.extend_from_slice(b"\"\r\nAccept-Ranges: bytes\r\n");
    }
    out.extend_from_slice(b"\r\n");
}

/// Appends the whole response: [`write_response_head`] then a body of exactly
/// [`Response::content_length`] bytes ([`NGINX_404_PAGE`] for nginx's 404,
/// else generated by [`write_body`] from the content type).
pub fn write_response<R: Rng + ?Sized>(resp: &Response<'_>, unix_secs: u64, out: &mut Vec<u8>, rng: &mut R) {
    out.reserve(256 + resp.content_length());
    write_response_head(resp, unix_secs, out, rng);
    if resp.is_bodiless() {
    } else if resp.is_nginx_404() {
        out.extend_from_slice(NGINX_404_PAGE);
    } else {
        write_body(BodyKind::from_content_type(resp.content_type), resp.body_len, out, rng);
    }
}

/// What a generated body looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyKind {
    /// An HTML5 document (`text/html`).
    Html,
    /// A valid JSON text (RFC 8259): an object with an `items` array, or a
    /// bare number when the length is below 8 bytes.
    Json,
    /// Lowercase words separated by spaces (`text/plain`, `text/css` ...).
    Text,
    /// Random bytes (`application/octet-stream`, images ...).
    Binary,
}

impl BodyKind {
    /// The body kind for a `Content-Type` value (parameters ignored).
    pub fn from_content_type(content_type: &str) -> BodyKind {
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if essence.eq_ignore_ascii_case("text/html") || essence.eq_ignore_ascii_case("application/xhtml+xml")
        {
            BodyKind::Html
        } else if essence.eq_ignore_ascii_case("application/json") || essence.ends_with("+json") {
            BodyKind::Json
        } else if essence.len() >= 5 && essence[..5].eq_ignore_ascii_case("text/") {
            BodyKind::Text
        } else {
            BodyKind::Binary
        }
    }
}

const WORDS: [&[u8]; 32] = [
    b"the",
    b"instance",
    b"service",
    b"request",
    b"data",
    b"cloud",
    b"region",
    b"network",
    b"a",
    b"of",
    b"and",
    b"latency",
    b"cache",
    b"server",
    b"client",
    b"to",
    b"bucket",
    b"object",
    b"metrics",
    b"in",
    b"deploy",
    b"stack",
    b"volume",
    b"is",
    b"load",
    b"balancer",
    b"route",
    b"table",
    b"subnet",
    b"with",
    b"traffic",
    b"mirror",
];

const NAMES: [&[u8]; 8] = [b"alpha", b"bravo", b"charlie", b"delta", b"echo", b"foxtrot", b"golf", b"hotel"];

/// Appends exactly `n` bytes of lowercase words separated by single spaces;
/// the text never starts or ends with a space.
/// A fixed 16 KiB of prose made of [`WORDS`], the same on every machine, from
/// which bodies copy whole runs: one random draw per run rather than per word
/// keeps body generation off the hot path.
fn text_pool() -> &'static [u8] {
    static POOL: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x7665_7874);
        let mut pool = Vec::with_capacity(16 * 1024 + 32);
        while pool.len() < 16 * 1024 {
            pool.extend_from_slice(WORDS[rng.random_range(0..WORDS.len())]);
            pool.push(b' ');
        }
        pool
    })
}

/// Appends exactly `n` bytes of words separated by single spaces.
fn write_words<R: Rng + ?Sized>(n: usize, out: &mut Vec<u8>, rng: &mut R) {
    let pool = text_pool();
    let end = out.len() + n;
    while out.len() < end {
        let left = end - out.len();
        // Start at a word boundary somewhere in the first half of the pool.
        let from = rng.random_range(0..pool.len() / 2);
        let from = pool[from..].iter().position(|&b| b == b' ').map_or(0, |p| from + p + 1);
        let mut take = left.min(rng.random_range(64..2048)).min(pool.len() - from);
        if take < left {
            // Not the last run: end it after a whole word and its space.
            if let Some(sp) = pool[from..from + take].iter().rposition(|&b| b == b' ') {
                take = sp + 1;
            }
        }
        out.extend_from_slice(&pool[from..from + take]);
    }
    // Never end on a space: pluralise the last word instead.
    if n > 0 && out.last() == Some(&b' ') {
        *out.last_mut().expect("non-empty") = b's';
    }
}

/// Appends `n` random lowercase alphanumerics (safe inside a JSON string).
fn write_alnum<R: Rng + ?Sized>(n: usize, out: &mut Vec<u8>, rng: &mut R) {
    const ALNUM: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    out.extend((0..n).map(|_| ALNUM[rng.random_range(0..ALNUM.len())]));
}

/// Appends a plausible body of `kind` and of exactly `len` bytes,
/// deterministically from `rng`.
///
/// ```
/// use generator::traffic::app::http::{write_body, BodyKind};
/// use rand::SeedableRng;
///
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
/// for kind in [BodyKind::Html, BodyKind::Json, BodyKind::Text, BodyKind::Binary] {
///     for len in [0, 1, 7, 8, 21, 22, 100, 5000] {
///         let mut out = vec![0xAA];
///         write_body(kind, len, &mut out, &mut rng);
///         assert_eq!(out.len(), 1 + len);
///     }
/// }
/// ```
pub fn write_body<R: Rng + ?Sized>(kind: BodyKind, len: usize, out: &mut Vec<u8>, rng: &mut R) {
    out.reserve(len);
    let start = out.len();
    match kind {
        BodyKind::Html => write_html(len, out, rng),
        BodyKind::Json => write_json(len, out, rng),
        BodyKind::Text => write_words(len, out, rng),
        BodyKind::Binary => super::push_random(out, len, rng),
    }
    debug_assert_eq!(out.len() - start, len);
}

fn write_html<R: Rng + ?Sized>(len: usize, out: &mut Vec<u8>, rng: &mut R) {
    const HEAD: &[u8] = b"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<title>Welcome</title>\n</head>\n<body>\n";
    const TAIL: &[u8] = b"</body>\n</html>\n";
    // "<p>" + at least 4 bytes of text + "</p>\n"
    const MIN_P: usize = 12;
    if len < HEAD.len() + TAIL.len() + MIN_P {
        write_words(len, out, rng);
        return;
    }
    out.extend_from_slice(HEAD);
    let mut left = len - HEAD.len() - TAIL.len();
    while left > 0 {
        let mut p = rng.random_range(80..480).min(left);
        if left - p < MIN_P {
            p = left;
        }
        out.extend_from_slice(b"<p>");
        write_words(p - 8, out, rng);
        out.extend_from_slice(b"</p>\n");
        left -= p;
    }
    out.extend_from_slice(TAIL);
}

/// A fixed pool of JSON objects `{"id":..,"name":..,"active":..,"score":..}`
/// joined by commas, the same on every machine, and the offset at which each
/// starts (plus one past the end): bodies copy runs of whole items.
fn json_pool() -> &'static (Vec<u8>, Vec<usize>) {
    static POOL: std::sync::OnceLock<(Vec<u8>, Vec<usize>)> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x6a73_6f6e);
        let (mut pool, mut starts) = (Vec::with_capacity(200_000), Vec::with_capacity(4100));
        let mut id: u64 = 1000;
        for _ in 0..4096 {
            starts.push(pool.len());
            pool.extend_from_slice(b"{\"id\":");
            push_decimal(&mut pool, id);
            pool.extend_from_slice(b",\"name\":\"");
            pool.extend_from_slice(NAMES[rng.random_range(0..NAMES.len())]);
            pool.extend_from_slice(b"\",\"active\":");
            pool.extend_from_slice(if rng.random_bool(0.8) {
                b"true".as_slice()
            } else {
                b"false".as_slice()
            });
            pool.extend_from_slice(b",\"score\":");
            push_decimal(&mut pool, rng.random_range(0..10_000));
            pool.extend_from_slice(b"},");
            id += rng.random_range(1..50);
        }
        starts.push(pool.len());
        (pool, starts)
    })
}

fn write_json<R: Rng + ?Sized>(len: usize, out: &mut Vec<u8>, rng: &mut R) {
    const OPEN: &[u8] = b"{\"items\":[";
    const CLOSE_ITEMS: &[u8] = b"],\"next\":\"";
    const SMALL_OPEN: &[u8] = b"{\"p\":\"";
    let end = out.len() + len;
    if len < 8 {
        // A bare JSON number of `len` digits, no leading zero.
        if len > 0 {
            out.push(b'1' + rng.random_range(0..9u8));
            out.extend((1..len).map(|_| b'0' + rng.random_range(0..10u8)));
        }
        return;
    }
    if len < OPEN.len() + CLOSE_ITEMS.len() + 2 {
        out.extend_from_slice(SMALL_OPEN);
        write_alnum(end - out.len() - 2, out, rng);
        out.extend_from_slice(b"\"}");
        return;
    }
    out.extend_from_slice(OPEN);
    // Room that must stay free for `],"next":"` + `"}`.
    let limit = end - CLOSE_ITEMS.len() - 2;
    // Copy a run of whole items from the pool: one draw per body.
    let (pool, starts) = json_pool();
    let first = rng.random_range(0..starts.len() / 2);
    let from = starts[first];
    let room = limit - out.len();
    // Items first..last fit when their bytes (without the comma after the last) fit.
    let last = starts.partition_point(|&o| o <= from + room + 1) - 1;
    if last > first {
        out.extend_from_slice(&pool[from..starts[last] - 1]);
    }
    out.extend_from_slice(CLOSE_ITEMS);
    write_alnum(end - out.len() - 2, out, rng);
    out.extend_from_slice(b"\"}");
}

#[cfg(test)]
mod tests;
