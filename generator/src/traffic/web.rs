//! Web conversations: HTTP/1.1 in the clear and HTTPS (TLS 1.2 and 1.3), with
//! the instance as client (outbound) or as an nginx server (inbound).
//!
//! Each builder plans one TCP connection ([`super::tcp`]) carrying bytes from
//! [`super::app`], and returns the facts a test needs to predict what a
//! dissector must see.

use super::app::{http, tls};
use super::tcp::{Close, ConversationSpec, Exchange, Loss, TcpConversation, TcpProfile};
use super::{Endpoint, Host};
use rand::Rng;
use std::net::{IpAddr, Ipv4Addr};

/// Sites the instance talks to over HTTPS (the SNI it sends).
pub const HTTPS_SITES: &[&str] = &[
    "www.example.com",
    "api.example.com",
    "cdn.example.net",
    "s3.us-east-1.amazonaws.com",
    "login.example.org",
];

/// Paths clients ask for.
pub const PATHS: &[&str] = &["/", "/index.html", "/api/v1/status", "/static/app.js", "/robots.txt", "/login"];

/// Path that nginx answers with its default 404 page.
pub const MISSING_PATH: &str = "/favicon.ico";

/// Unix time written into HTTP `Date` headers and certificates: the capture's
/// default start (2024-01-15T09:00:00Z), so that bytes never depend on the clock.
pub const HTTP_DATE_UNIX: u64 = 1_705_309_200;

/// A plausible public address from the documentation ranges (RFC 5737), so
/// that synthetic captures never name a real host.
pub fn remote_ipv4<R: Rng + ?Sized>(rng: &mut R) -> Ipv4Addr {
    let nets = [[192, 0, 2], [198, 51, 100], [203, 0, 113]];
    let n = nets[rng.random_range(0..nets.len())];
    Ipv4Addr::new(n[0], n[1], n[2], rng.random_range(1..255))
}

/// What a web conversation carries, for tests and comments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebFacts {
    /// HTTP requests as (method, URI), in order; empty for HTTPS (encrypted).
    pub requests: Vec<(&'static str, &'static str)>,
    /// HTTP status codes of the responses, in order; empty for HTTPS.
    pub statuses: Vec<u16>,
    /// The SNI of the ClientHello, for HTTPS.
    pub sni: Option<&'static str>,
    /// The TLS version negotiated, for HTTPS.
    pub tls: Option<tls::TlsVersion>,
}

/// Knobs shared by the web builders.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WebOptions {
    /// Remote address to use instead of a random one (for several connections
    /// to the same site).
    pub remote: Option<IpAddr>,
    /// Segment loss, if any.
    pub loss: Option<Loss>,
    /// Round-trip time to use instead of a random one (connections between
    /// the same two hosts share their path).
    pub rtt_ns: Option<u64>,
}

fn base_spec<R: Rng + ?Sized>(
    host: &Host,
    rng: &mut R,
    start_ns: u64,
    instance_is_client: bool,
    server_port: u16,
    opts: &WebOptions,
) -> ConversationSpec {
    let instance_port = if instance_is_client { rng.random_range(32768..61000) } else { server_port };
    let remote_port = if instance_is_client { server_port } else { rng.random_range(1024..65535) };
    let remote_ip = opts.remote.unwrap_or_else(|| IpAddr::V4(remote_ipv4(rng)));
    let instance = Endpoint { mac: host.mac, ip: IpAddr::V4(host.ipv4), port: instance_port };
    let remote = Endpoint { mac: host.router_mac, ip: remote_ip, port: remote_port };
    let (client, server) = if instance_is_client { (instance, remote) } else { (remote, instance) };
    // A remote host's packets arrive with its initial TTL less the hops on the way.
    let remote_ttl = if rng.random_bool(0.8) { 64 } else { 128 } - rng.random_range(6..20);
    let (client_ttl, server_ttl) = if instance_is_client { (64, remote_ttl) } else { (remote_ttl, 64) };
    let loss = opts.loss.map(|l| Loss { seed: l.seed ^ rng.random::<u64>(), ..l });
    ConversationSpec {
        client,
        server,
        instance_is_client,
        start_ns,
        rtt_ns: opts.rtt_ns.unwrap_or_else(|| rng.random_range(2_000_000..90_000_000)),
        client_profile: TcpProfile::linux(client_ttl),
        server_profile: TcpProfile::linux(server_ttl),
        isn: (rng.random(), rng.random()),
        ts_offset: (rng.random(), rng.random()),
        ip_ident: (rng.random(), rng.random()),
        exchanges: Vec::new(),
        close: Close::ClientFin,
        loss,
    }
}

/// Body sizes of web responses: log-uniform between 256 B and 64 KiB.
fn body_len<R: Rng + ?Sized>(rng: &mut R) -> usize {
    (1usize << rng.random_range(8..16)) + rng.random_range(0..512)
}

fn http_exchange<R: Rng + ?Sized>(
    rng: &mut R,
    host_header: &str,
    path: &'static str,
    user_agent: &str,
    facts: &mut WebFacts,
) -> Exchange {
    let post = path == "/login";
    let mut req = http::Request::get(host_header, path);
    req.user_agent = user_agent;
    if post {
        req.method = http::Method::Post;
        req.body_len = rng.random_range(40..400);
    }
    let mut request = Vec::with_capacity(512 + req.body_len);
    http::write_request(&req, &mut request, rng);
    let resp = if path == MISSING_PATH {
        http::Response::not_found()
    } else if post {
        http::Response::ok("application/json", rng.random_range(60..600))
    } else {
        let ct = if path.ends_with(".js") {
            "application/javascript"
        } else if path.ends_with(".txt") {
            "text/plain"
        } else if path.starts_with("/api") {
            "application/json"
        } else {
            "text/html"
        };
        http::Response::ok(ct, body_len(rng))
    };
    let mut response = Vec::with_capacity(resp.body_len + 512);
    http::write_response(&resp, HTTP_DATE_UNIX, &mut response, rng);
    facts.requests.push((req.method.as_str(), path));
    facts.statuses.push(resp.status);
    Exchange {
        request,
        request_label: if post { "HTTP POST request" } else { "HTTP GET request" },
        response,
        response_label: match resp.status {
            200 => "HTTP 200 response",
            404 => "HTTP 404 response",
            _ => "HTTP response",
        },
        think_ns: rng.random_range(200_000..5_000_000),
    }
}

/// The first issue's default: one HTTP/1.1 GET over a complete TCP
/// conversation, the instance as client or as nginx server at random.
pub fn http_basic<R: Rng + ?Sized>(host: &Host, rng: &mut R, start_ns: u64) -> (TcpConversation, WebFacts) {
    let instance_is_client = rng.random_bool(0.5);
    let mut spec = base_spec(host, rng, start_ns, instance_is_client, 80, &WebOptions::default());
    let host_header = if instance_is_client { "example.com" } else { "ip-10-0-1-23.ec2.internal" };
    let mut facts = WebFacts { requests: vec![], statuses: vec![], sni: None, tls: None };
    let path = PATHS[rng.random_range(0..PATHS.len() - 1)];
    spec.exchanges.push(http_exchange(rng, host_header, path, http::CURL_USER_AGENT, &mut facts));
    (TcpConversation::plan(spec), facts)
}

/// A client on the internet talking to nginx on the instance (port 80): one to
/// four requests on a keep-alive connection, sometimes a POST, sometimes the
/// nginx 404 page.
pub fn http_inbound<R: Rng + ?Sized>(
    host: &Host,
    rng: &mut R,
    start_ns: u64,
    opts: &WebOptions,
) -> (TcpConversation, WebFacts) {
    let mut spec = base_spec(host, rng, start_ns, false, 80, opts);
    let mut facts = WebFacts { requests: vec![], statuses: vec![], sni: None, tls: None };
    let n = rng.random_range(1..=4);
    for i in 0..n {
        let path = if rng.random_bool(0.15) { MISSING_PATH } else { PATHS[rng.random_range(0..PATHS.len())] };
        let ua = if i % 2 == 0 { http::CHROME_USER_AGENT } else { http::CURL_USER_AGENT };
        let host_header = "ec2-203-0-113-10.compute-1.amazonaws.com";
        spec.exchanges.push(http_exchange(rng, host_header, path, ua, &mut facts));
    }
    (TcpConversation::plan(spec), facts)
}

/// The instance making HTTPS requests to an external site: a TLS 1.3 (or,
/// with `version`, 1.2) handshake with SNI and ALPN, encrypted requests and
/// responses, close_notify both ways, FIN.
pub fn https_outbound<R: Rng + ?Sized>(
    host: &Host,
    rng: &mut R,
    start_ns: u64,
    sni: &'static str,
    version: tls::TlsVersion,
    opts: &WebOptions,
) -> (TcpConversation, WebFacts) {
    let mut spec = base_spec(host, rng, start_ns, true, 443, opts);
    let facts = WebFacts { requests: vec![], statuses: vec![], sni: Some(sni), tls: Some(version) };
    let think = |rng: &mut R| rng.random_range(300_000..3_000_000);
    let mut hello = Vec::with_capacity(600);
    let info = tls::write_client_hello(
        &tls::ClientHelloParams { sni: Some(sni), alpn: &["h2", "http/1.1"], max_version: version },
        &mut hello,
        rng,
    );
    let mut flight = Vec::with_capacity(6000);
    match version {
        tls::TlsVersion::Tls13 => {
            tls::write_tls13_server_flight(&tls::Tls13ServerParams::new(info.session_id), &mut flight, rng);
            spec.exchanges.push(Exchange {
                request: hello,
                request_label: "TLS ClientHello",
                response: flight,
                response_label: "TLS ServerHello",
                think_ns: 150_000,
            });
            let mut finished = Vec::with_capacity(2000);
            tls::write_tls13_client_finished(tls::cipher_suite::TLS_AES_128_GCM_SHA256, &mut finished, rng);
            tls::write_application_data(version, rng.random_range(80..600), &mut finished, rng);
            let mut response = Vec::with_capacity(70_000);
            tls::write_tls13_new_session_ticket(&mut response, rng);
            tls::write_application_data(version, body_len(rng), &mut response, rng);
            spec.exchanges.push(Exchange {
                request: finished,
                request_label: "TLS Finished + application data",
                response,
                response_label: "TLS application data",
                think_ns: think(rng),
            });
        }
        tls::TlsVersion::Tls12 => {
            let mut params = tls::Tls12ServerParams::new(sni, HTTP_DATE_UNIX);
            params.session_ticket = false;
            tls::write_tls12_server_flight(&params, &mut flight, rng);
            spec.exchanges.push(Exchange {
                request: hello,
                request_label: "TLS ClientHello",
                response: flight,
                response_label: "TLS ServerHello",
                think_ns: 150_000,
            });
            let mut cke = Vec::with_capacity(200);
            tls::write_tls12_client_finish(&mut cke, rng);
            let mut fin = Vec::with_capacity(200);
            tls::write_tls12_server_finish(false, &mut fin, rng);
            spec.exchanges.push(Exchange {
                request: cke,
                request_label: "TLS ClientKeyExchange",
                response: fin,
                response_label: "TLS ChangeCipherSpec",
                think_ns: 200_000,
            });
            let mut request = Vec::with_capacity(1000);
            tls::write_application_data(version, rng.random_range(80..600), &mut request, rng);
            let mut response = Vec::with_capacity(70_000);
            tls::write_application_data(version, body_len(rng), &mut response, rng);
            spec.exchanges.push(Exchange {
                request,
                request_label: "TLS application data",
                response,
                response_label: "TLS application data",
                think_ns: think(rng),
            });
        }
    }
    let mut c_alert = Vec::with_capacity(64);
    tls::write_close_notify(version, &mut c_alert, rng);
    let mut s_alert = Vec::with_capacity(64);
    tls::write_close_notify(version, &mut s_alert, rng);
    spec.exchanges.push(Exchange {
        request: c_alert,
        request_label: "TLS close_notify",
        response: s_alert,
        response_label: "TLS close_notify",
        think_ns: 50_000,
    });
    (TcpConversation::plan(spec), facts)
}
