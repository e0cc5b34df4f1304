//! TLS 1.2 (RFC 5246) and TLS 1.3 (RFC 8446) records as they appear on the
//! wire, with every length field right and no real cryptography: where a key,
//! a signature or ciphertext goes, random bytes of the right size go.
//!
//! Builders append whole records (RFC 8446 section 5.1 `TLSPlaintext` /
//! section 5.2 `TLSCiphertext`; RFC 5246 section 6.2) to a `Vec<u8>`; the
//! caller cuts them into TCP segments. Each function writes one side's flight:
//!
//! | step | TLS 1.3 | TLS 1.2 |
//! | --- | --- | --- |
//! | client | [`write_client_hello`] | [`write_client_hello`] |
//! | server | [`write_tls13_server_flight`] | [`write_tls12_server_flight`] |
//! | client | [`write_tls13_client_finished`] | [`write_tls12_client_finish`] |
//! | server | ([`write_tls13_new_session_ticket`]) | [`write_tls12_server_finish`] |
//! | both | [`write_application_data`] | [`write_application_data`] |
//! | both | [`write_close_notify`] | [`write_close_notify`] |
//!
//! Handshake messages visible in cleartext (what `tls.handshake.type` shows)
//! are listed by [`cleartext_handshake_types`] and can be read back from bytes
//! with [`handshake_types_of`]: TLS 1.3 client `1`, server `2` (everything
//! after ServerHello is encrypted); TLS 1.2 client `1`, `16`, server `2`,
//! `11`, `12`, `14`, and `4` when a session ticket is issued (both Finished
//! messages, type 20, travel encrypted after ChangeCipherSpec).
//!
//! Length: about 1,400 lines of code and 300 of tests, over the crate's ~800
//! for one file. Both versions' flights share the record and handshake
//! framing, the extension writers and the reader used by the tests, and the
//! table above is the map of the whole; a split into client, server and
//! record modules is possible but not done yet.
//!
//! ```
//! use generator::traffic::app::tls::{self, ClientHelloParams, Side, TlsVersion};
//! use rand::SeedableRng;
//!
//! let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
//! let (mut client, mut server) = (Vec::new(), Vec::new());
//! let hello = tls::write_client_hello(
//!     &ClientHelloParams { sni: Some("example.com"), alpn: &["h2", "http/1.1"], max_version: TlsVersion::Tls13 },
//!     &mut client,
//!     &mut rng,
//! );
//! tls::write_tls13_server_flight(&tls::Tls13ServerParams::new(hello.session_id), &mut server, &mut rng);
//! tls::write_tls13_client_finished(tls::cipher_suite::TLS_AES_128_GCM_SHA256, &mut client, &mut rng);
//! assert_eq!(tls::handshake_types_of(&client), tls::cleartext_handshake_types(TlsVersion::Tls13, Side::Client, false));
//! assert_eq!(tls::handshake_types_of(&server), [tls::handshake_type::SERVER_HELLO]);
//! assert!(tls::records(&server).all(|r| r.fragment.len() <= tls::MAX_CIPHERTEXT_LEN));
//! ```

use rand::Rng;

/// Largest `TLSPlaintext.length` (RFC 8446 section 5.1, RFC 5246 section 6.2.1): 2^14.
pub const MAX_PLAINTEXT_LEN: usize = 16_384;

/// Largest `TLSCiphertext.length` this module writes: 2^14 + 256 (RFC 8446
/// section 5.2).
pub const MAX_CIPHERTEXT_LEN: usize = 16_384 + 256;

/// Bytes an AEAD record adds to its plaintext in TLS 1.3: the inner content
/// type and a 16-byte tag (RFC 8446 section 5.2).
pub const TLS13_RECORD_OVERHEAD: usize = 1 + 16;

/// Bytes an AES-GCM record adds to its plaintext in TLS 1.2: an 8-byte
/// explicit nonce and a 16-byte tag (RFC 5288 section 3).
pub const TLS12_GCM_RECORD_OVERHEAD: usize = 8 + 16;

/// `ContentType` values (RFC 8446 section 5.1, RFC 5246 section 6.2.1).
pub mod content_type {
    /// change_cipher_spec.
    pub const CHANGE_CIPHER_SPEC: u8 = 20;
    /// alert.
    pub const ALERT: u8 = 21;
    /// handshake.
    pub const HANDSHAKE: u8 = 22;
    /// application_data.
    pub const APPLICATION_DATA: u8 = 23;
}

/// `HandshakeType` values (RFC 8446 section 4, RFC 5246 section 7.4).
pub mod handshake_type {
    /// client_hello.
    pub const CLIENT_HELLO: u8 = 1;
    /// server_hello.
    pub const SERVER_HELLO: u8 = 2;
    /// new_session_ticket (RFC 5077 section 3.3, RFC 8446 section 4.6.1).
    pub const NEW_SESSION_TICKET: u8 = 4;
    /// encrypted_extensions (TLS 1.3 only).
    pub const ENCRYPTED_EXTENSIONS: u8 = 8;
    /// certificate.
    pub const CERTIFICATE: u8 = 11;
    /// server_key_exchange (TLS 1.2 only).
    pub const SERVER_KEY_EXCHANGE: u8 = 12;
    /// server_hello_done (TLS 1.2 only).
    pub const SERVER_HELLO_DONE: u8 = 14;
    /// certificate_verify.
    pub const CERTIFICATE_VERIFY: u8 = 15;
    /// client_key_exchange (TLS 1.2 only).
    pub const CLIENT_KEY_EXCHANGE: u8 = 16;
    /// finished.
    pub const FINISHED: u8 = 20;
}

/// `ExtensionType` values (IANA "TLS ExtensionType Values").
pub mod extension_type {
    /// server_name (RFC 6066 section 3).
    pub const SERVER_NAME: u16 = 0;
    /// supported_groups (RFC 8422 section 5.1.1, RFC 8446 section 4.2.7).
    pub const SUPPORTED_GROUPS: u16 = 10;
    /// ec_point_formats (RFC 8422 section 5.1.2).
    pub const EC_POINT_FORMATS: u16 = 11;
    /// signature_algorithms (RFC 8446 section 4.2.3).
    pub const SIGNATURE_ALGORITHMS: u16 = 13;
    /// application_layer_protocol_negotiation (RFC 7301 section 3.1).
    pub const ALPN: u16 = 16;
    /// extended_master_secret (RFC 7627 section 5.1).
    pub const EXTENDED_MASTER_SECRET: u16 = 23;
    /// session_ticket (RFC 5077 section 3.2).
    pub const SESSION_TICKET: u16 = 35;
    /// supported_versions (RFC 8446 section 4.2.1).
    pub const SUPPORTED_VERSIONS: u16 = 43;
    /// psk_key_exchange_modes (RFC 8446 section 4.2.9).
    pub const PSK_KEY_EXCHANGE_MODES: u16 = 45;
    /// key_share (RFC 8446 section 4.2.8).
    pub const KEY_SHARE: u16 = 51;
    /// renegotiation_info (RFC 5746 section 3.2).
    pub const RENEGOTIATION_INFO: u16 = 0xff01;
}

/// Cipher suites (IANA "TLS Cipher Suites"; RFC 8446 appendix B.4, RFC 5289,
/// RFC 7905).
pub mod cipher_suite {
    /// TLS 1.3 AES-128-GCM with SHA-256.
    pub const TLS_AES_128_GCM_SHA256: u16 = 0x1301;
    /// TLS 1.3 AES-256-GCM with SHA-384.
    pub const TLS_AES_256_GCM_SHA384: u16 = 0x1302;
    /// TLS 1.3 ChaCha20-Poly1305 with SHA-256.
    pub const TLS_CHACHA20_POLY1305_SHA256: u16 = 0x1303;
    /// TLS 1.2 ECDHE, ECDSA certificate, AES-128-GCM.
    pub const TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: u16 = 0xc02b;
    /// TLS 1.2 ECDHE, RSA certificate, AES-128-GCM.
    pub const TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: u16 = 0xc02f;
    /// TLS 1.2 ECDHE, ECDSA certificate, AES-256-GCM.
    pub const TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: u16 = 0xc02c;
    /// TLS 1.2 ECDHE, RSA certificate, AES-256-GCM.
    pub const TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: u16 = 0xc030;
    /// TLS 1.2 ECDHE, ECDSA certificate, ChaCha20-Poly1305.
    pub const TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: u16 = 0xcca9;
    /// TLS 1.2 ECDHE, RSA certificate, ChaCha20-Poly1305.
    pub const TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: u16 = 0xcca8;
    /// TLS 1.2 ECDHE, RSA certificate, AES-128-CBC with SHA-1.
    pub const TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: u16 = 0xc013;
    /// TLS 1.2 ECDHE, RSA certificate, AES-256-CBC with SHA-1.
    pub const TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: u16 = 0xc014;
    /// TLS 1.2 RSA key transport, AES-128-GCM.
    pub const TLS_RSA_WITH_AES_128_GCM_SHA256: u16 = 0x009c;
    /// TLS 1.2 RSA key transport, AES-256-GCM.
    pub const TLS_RSA_WITH_AES_256_GCM_SHA384: u16 = 0x009d;
    /// TLS 1.2 RSA key transport, AES-128-CBC with SHA-1.
    pub const TLS_RSA_WITH_AES_128_CBC_SHA: u16 = 0x002f;
    /// TLS 1.2 RSA key transport, AES-256-CBC with SHA-1.
    pub const TLS_RSA_WITH_AES_256_CBC_SHA: u16 = 0x0035;
}

/// `NamedGroup` values (RFC 8446 section 4.2.7).
pub mod named_group {
    /// secp256r1 (NIST P-256).
    pub const SECP256R1: u16 = 0x0017;
    /// secp384r1 (NIST P-384).
    pub const SECP384R1: u16 = 0x0018;
    /// x25519 (RFC 7748).
    pub const X25519: u16 = 0x001d;
}

/// `SignatureScheme` values (RFC 8446 section 4.2.3).
pub mod signature_scheme {
    /// rsa_pkcs1_sha256.
    pub const RSA_PKCS1_SHA256: u16 = 0x0401;
    /// rsa_pkcs1_sha384.
    pub const RSA_PKCS1_SHA384: u16 = 0x0501;
    /// rsa_pkcs1_sha512.
    pub const RSA_PKCS1_SHA512: u16 = 0x0601;
    /// ecdsa_secp256r1_sha256.
    pub const ECDSA_SECP256R1_SHA256: u16 = 0x0403;
    /// ecdsa_secp384r1_sha384.
    pub const ECDSA_SECP384R1_SHA384: u16 = 0x0503;
    /// rsa_pss_rsae_sha256.
    pub const RSA_PSS_RSAE_SHA256: u16 = 0x0804;
    /// rsa_pss_rsae_sha384.
    pub const RSA_PSS_RSAE_SHA384: u16 = 0x0805;
    /// rsa_pss_rsae_sha512.
    pub const RSA_PSS_RSAE_SHA512: u16 = 0x0806;
}

/// The highest protocol version a client offers, or the version a
/// connection uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TlsVersion {
    /// TLS 1.2 (RFC 5246), wire value 0x0303.
    Tls12,
    /// TLS 1.3 (RFC 8446), wire value 0x0304.
    Tls13,
}

impl TlsVersion {
    /// The `ProtocolVersion` wire value.
    pub const fn wire(self) -> u16 {
        match self {
            TlsVersion::Tls12 => 0x0303,
            TlsVersion::Tls13 => 0x0304,
        }
    }
}

/// Which end of the connection wrote a byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The side that sent the ClientHello.
    Client,
    /// The side that answered it.
    Server,
}

/// The key type of a server certificate chain (TLS 1.2 and the size of the
/// TLS 1.3 CertificateVerify).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// RSA 2048-bit keys, sha256WithRSAEncryption signatures (what AWS
    /// Certificate Manager issues by default).
    Rsa2048,
    /// NIST P-256 keys, ecdsa-with-SHA256 signatures.
    EcdsaP256,
}

impl KeyType {
    /// The TLS 1.2 cipher suite a server with this key picks from a modern
    /// ClientHello: `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256` or
    /// `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`.
    pub const fn tls12_cipher_suite(self) -> u16 {
        match self {
            KeyType::Rsa2048 => cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            KeyType::EcdsaP256 => cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        }
    }

    /// The `SignatureScheme` this key signs handshakes with.
    pub const fn signature_scheme(self) -> u16 {
        match self {
            KeyType::Rsa2048 => signature_scheme::RSA_PSS_RSAE_SHA256,
            KeyType::EcdsaP256 => signature_scheme::ECDSA_SECP256R1_SHA256,
        }
    }
}

// ---------------------------------------------------------------------------
// Length-prefixed writing.

/// A length field written as zeros, to be patched by [`close`] once the
/// content behind it is written.
#[must_use]
struct Mark {
    pos: usize,
    width: usize,
}

#[inline]
fn open(out: &mut Vec<u8>, width: usize) -> Mark {
    let pos = out.len();
    out.extend_from_slice(&[0u8; 4][..width]);
    Mark { pos, width }
}

#[inline]
fn close(out: &mut [u8], mark: Mark) {
    let len = out.len() - mark.pos - mark.width;
    assert!(len < 1 << (8 * mark.width), "TLS length field overflow: {len} bytes in {} bytes", mark.width);
    let be = (len as u32).to_be_bytes();
    out[mark.pos..mark.pos + mark.width].copy_from_slice(&be[4 - mark.width..]);
}

#[inline]
fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

#[inline]
fn put_random<R: Rng + ?Sized>(out: &mut Vec<u8>, n: usize, rng: &mut R) {
    super::push_random(out, n, rng);
}

/// Opens a record header (RFC 8446 section 5.1): type, legacy version, length.
fn begin_record(out: &mut Vec<u8>, content_type: u8, version: u16) -> Mark {
    out.push(content_type);
    put_u16(out, version);
    open(out, 2)
}

fn end_record(out: &mut [u8], mark: Mark) {
    debug_assert!(out.len() - mark.pos - 2 <= MAX_CIPHERTEXT_LEN);
    close(out, mark);
}

/// Opens a handshake message header (RFC 8446 section 4): type, uint24 length.
fn begin_handshake(out: &mut Vec<u8>, msg_type: u8) -> Mark {
    out.push(msg_type);
    open(out, 3)
}

/// Opens an extension (RFC 8446 section 4.2): type, uint16 length.
fn begin_ext(out: &mut Vec<u8>, ext_type: u16) -> Mark {
    put_u16(out, ext_type);
    open(out, 2)
}

/// Writes one record of `content_type` whose fragment is `len` random bytes.
fn opaque_record<R: Rng + ?Sized>(out: &mut Vec<u8>, content_type: u8, len: usize, rng: &mut R) {
    assert!(len <= MAX_CIPHERTEXT_LEN, "TLSCiphertext.length {len} exceeds 2^14 + 256");
    out.push(content_type);
    put_u16(out, 0x0303);
    put_u16(out, len as u16);
    put_random(out, len, rng);
}

/// Writes a ChangeCipherSpec record (RFC 5246 section 7.1; in TLS 1.3 only
/// for middlebox compatibility, RFC 8446 appendix D.4).
fn change_cipher_spec(out: &mut Vec<u8>) {
    out.extend_from_slice(&[content_type::CHANGE_CIPHER_SPEC, 0x03, 0x03, 0x00, 0x01, 0x01]);
}

// ---------------------------------------------------------------------------
// ClientHello.

/// What a client offers (RFC 8446 section 4.1.2, RFC 5246 section 7.4.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientHelloParams<'a> {
    /// The host name sent in server_name (RFC 6066 section 3), or `None` to
    /// omit the extension (connections to an IP literal).
    pub sni: Option<&'a str>,
    /// ALPN protocol names in preference order (RFC 7301 section 3.1), e.g.
    /// `["h2", "http/1.1"]`; empty omits the extension. Each name must be
    /// 1..=255 bytes.
    pub alpn: &'a [&'a str],
    /// `Tls13` offers TLS 1.3 and 1.2 (supported_versions, key_share,
    /// psk_key_exchange_modes and the 0x13xx suites); `Tls12` is a 1.2-only
    /// client that sends none of those.
    pub max_version: TlsVersion,
}

/// Values from a written ClientHello that the server's reply depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientHelloInfo {
    /// `Random` (RFC 8446 section 4.1.2).
    pub random: [u8; 32],
    /// `legacy_session_id`, which a TLS 1.3 ServerHello echoes.
    pub session_id: [u8; 32],
}

/// Cipher suites of a TLS 1.3-capable browser-like client, TLS 1.3 first.
const CIPHERS_13: [u16; 3] = [
    cipher_suite::TLS_AES_128_GCM_SHA256,
    cipher_suite::TLS_AES_256_GCM_SHA384,
    cipher_suite::TLS_CHACHA20_POLY1305_SHA256,
];
const CIPHERS_12: [u16; 12] = [
    cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    cipher_suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    cipher_suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    cipher_suite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
    cipher_suite::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
    cipher_suite::TLS_RSA_WITH_AES_128_GCM_SHA256,
    cipher_suite::TLS_RSA_WITH_AES_256_GCM_SHA384,
    cipher_suite::TLS_RSA_WITH_AES_128_CBC_SHA,
    cipher_suite::TLS_RSA_WITH_AES_256_CBC_SHA,
];
const GROUPS: [u16; 3] = [named_group::X25519, named_group::SECP256R1, named_group::SECP384R1];
const SIG_ALGS: [u16; 8] = [
    signature_scheme::ECDSA_SECP256R1_SHA256,
    signature_scheme::RSA_PSS_RSAE_SHA256,
    signature_scheme::RSA_PKCS1_SHA256,
    signature_scheme::ECDSA_SECP384R1_SHA384,
    signature_scheme::RSA_PSS_RSAE_SHA384,
    signature_scheme::RSA_PKCS1_SHA384,
    signature_scheme::RSA_PSS_RSAE_SHA512,
    signature_scheme::RSA_PKCS1_SHA512,
];

/// Appends one handshake record holding a ClientHello (RFC 8446 section
/// 4.1.2): `legacy_version` 0x0303, 32-byte random and session id, a
/// browser-like cipher suite list, null compression, and the extensions
/// server_name (RFC 6066 section 3), extended_master_secret,
/// renegotiation_info (RFC 5746), supported_groups, ec_point_formats,
/// session_ticket, ALPN (RFC 7301 section 3.1), signature_algorithms and,
/// for 1.3-capable clients, key_share (x25519), psk_key_exchange_modes
/// (psk_dhe_ke) and supported_versions (0x0304, 0x0303). The record's
/// `legacy_record_version` is 0x0301, as clients send it.
///
/// # Panics
/// If an ALPN name is empty or longer than 255 bytes, or the SNI is longer
/// than 65 530 bytes.
///
/// ```
/// use generator::traffic::app::tls::{records, write_client_hello, ClientHelloParams, TlsVersion};
/// use rand::SeedableRng;
///
/// let mut out = Vec::new();
/// let p = ClientHelloParams { sni: Some("s3.amazonaws.com"), alpn: &["http/1.1"], max_version: TlsVersion::Tls12 };
/// write_client_hello(&p, &mut out, &mut rand_chacha::ChaCha8Rng::seed_from_u64(0));
/// let rec = records(&out).next().unwrap();
/// assert_eq!((rec.content_type, rec.version, rec.fragment.len() + 5), (22, 0x0301, out.len()));
/// ```
pub fn write_client_hello<R: Rng + ?Sized>(
    p: &ClientHelloParams<'_>,
    out: &mut Vec<u8>,
    rng: &mut R,
) -> ClientHelloInfo {
    let tls13 = p.max_version == TlsVersion::Tls13;
    let mut info = ClientHelloInfo { random: [0; 32], session_id: [0; 32] };
    rng.fill_bytes(&mut info.random);
    rng.fill_bytes(&mut info.session_id);
    out.reserve(600);

    let rec = begin_record(out, content_type::HANDSHAKE, 0x0301);
    let hs = begin_handshake(out, handshake_type::CLIENT_HELLO);
    put_u16(out, 0x0303);
    out.extend_from_slice(&info.random);
    out.push(32);
    out.extend_from_slice(&info.session_id);

    let suites = open(out, 2);
    if tls13 {
        CIPHERS_13.iter().for_each(|&c| put_u16(out, c));
    }
    CIPHERS_12.iter().for_each(|&c| put_u16(out, c));
    close(out, suites);
    out.extend_from_slice(&[1, 0]); // compression_methods: null

    let exts = open(out, 2);
    if let Some(sni) = p.sni {
        // RFC 6066 section 3: ServerNameList { NameType host_name(0); HostName }.
        let e = begin_ext(out, extension_type::SERVER_NAME);
        let list = open(out, 2);
        out.push(0);
        let name = open(out, 2);
        out.extend_from_slice(sni.as_bytes());
        close(out, name);
        close(out, list);
        close(out, e);
    }
    // extended_master_secret: empty (RFC 7627 section 5.1).
    out.extend_from_slice(&[0x00, 0x17, 0x00, 0x00]);
    // renegotiation_info: empty renegotiated_connection (RFC 5746 section 3.4).
    out.extend_from_slice(&[0xff, 0x01, 0x00, 0x01, 0x00]);
    let e = begin_ext(out, extension_type::SUPPORTED_GROUPS);
    let list = open(out, 2);
    GROUPS.iter().for_each(|&g| put_u16(out, g));
    close(out, list);
    close(out, e);
    // ec_point_formats: [uncompressed] (RFC 8422 section 5.1.2).
    out.extend_from_slice(&[0x00, 0x0b, 0x00, 0x02, 0x01, 0x00]);
    // session_ticket: empty, asking for a new ticket (RFC 5077 section 3.2).
    out.extend_from_slice(&[0x00, 0x23, 0x00, 0x00]);
    if !p.alpn.is_empty() {
        let e = begin_ext(out, extension_type::ALPN);
        let list = open(out, 2);
        for proto in p.alpn {
            assert!((1..=255).contains(&proto.len()), "ALPN protocol name must be 1..=255 bytes");
            out.push(proto.len() as u8);
            out.extend_from_slice(proto.as_bytes());
        }
        close(out, list);
        close(out, e);
    }
    let e = begin_ext(out, extension_type::SIGNATURE_ALGORITHMS);
    let list = open(out, 2);
    SIG_ALGS.iter().for_each(|&s| put_u16(out, s));
    close(out, list);
    close(out, e);
    if tls13 {
        // key_share: KeyShareClientHello { client_shares<0..2^16-1> }
        // with one x25519 KeyShareEntry (RFC 8446 section 4.2.8).
        let e = begin_ext(out, extension_type::KEY_SHARE);
        let shares = open(out, 2);
        put_u16(out, named_group::X25519);
        put_u16(out, 32);
        put_random(out, 32, rng);
        close(out, shares);
        close(out, e);
        // psk_key_exchange_modes: [psk_dhe_ke] (RFC 8446 section 4.2.9).
        out.extend_from_slice(&[0x00, 0x2d, 0x00, 0x02, 0x01, 0x01]);
        // supported_versions: [TLS 1.3, TLS 1.2] (RFC 8446 section 4.2.1).
        out.extend_from_slice(&[0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03]);
    }
    close(out, exts);
    close(out, hs);
    end_record(out, rec);
    info
}

// ---------------------------------------------------------------------------
// TLS 1.3.

/// The server's choices for a TLS 1.3 handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tls13ServerParams<'a> {
    /// The client's `legacy_session_id`, echoed (RFC 8446 section 4.1.3).
    pub session_id: [u8; 32],
    /// A TLS 1.3 suite (0x1301..=0x1303).
    pub cipher_suite: u16,
    /// The selected ALPN protocol; it travels in the encrypted
    /// EncryptedExtensions, so it only changes that record's size.
    pub alpn: Option<&'a str>,
    /// The certificate key type; it sets the CertificateVerify size.
    pub key: KeyType,
}

impl Tls13ServerParams<'static> {
    /// TLS_AES_128_GCM_SHA256, ALPN `h2`, an RSA certificate.
    pub const fn new(session_id: [u8; 32]) -> Tls13ServerParams<'static> {
        Tls13ServerParams {
            session_id,
            cipher_suite: cipher_suite::TLS_AES_128_GCM_SHA256,
            alpn: Some("h2"),
            key: KeyType::Rsa2048,
        }
    }
}

/// The Finished `verify_data` length for a TLS 1.3 suite: the HKDF hash size.
const fn tls13_hash_len(suite: u16) -> usize {
    if suite == cipher_suite::TLS_AES_256_GCM_SHA384 {
        48
    } else {
        32
    }
}

/// Appends the server's first TLS 1.3 flight: a ServerHello record (RFC 8446
/// section 4.1.3: legacy_version 0x0303, the echoed session id, the suite,
/// supported_versions 0x0304 and an x25519 key_share), a ChangeCipherSpec
/// record (appendix D.4), then four application_data records standing for
/// the encrypted EncryptedExtensions, Certificate (2-3.5 KB),
/// CertificateVerify and Finished (section 4.3 to 4.4.4). About 2.5 to
/// 4 KB in all.
pub fn write_tls13_server_flight<R: Rng + ?Sized>(p: &Tls13ServerParams<'_>, out: &mut Vec<u8>, rng: &mut R) {
    out.reserve(4096);
    let rec = begin_record(out, content_type::HANDSHAKE, 0x0303);
    let hs = begin_handshake(out, handshake_type::SERVER_HELLO);
    put_u16(out, 0x0303);
    put_random(out, 32, rng);
    out.push(32);
    out.extend_from_slice(&p.session_id);
    put_u16(out, p.cipher_suite);
    out.push(0);
    let exts = open(out, 2);
    // supported_versions: selected_version (RFC 8446 section 4.2.1).
    out.extend_from_slice(&[0x00, 0x2b, 0x00, 0x02, 0x03, 0x04]);
    // key_share: KeyShareServerHello { KeyShareEntry server_share }.
    let e = begin_ext(out, extension_type::KEY_SHARE);
    put_u16(out, named_group::X25519);
    put_u16(out, 32);
    put_random(out, 32, rng);
    close(out, e);
    close(out, exts);
    close(out, hs);
    end_record(out, rec);

    change_cipher_spec(out);

    // EncryptedExtensions { extensions<0..2^16-1> } holding ALPN (4 + 2 + 1 + n)
    // and an empty server_name acknowledgement (4).
    let ee = 4 + 2 + 4 + p.alpn.map_or(0, |a| 4 + 2 + 1 + a.len());
    // Certificate: a one- or two-certificate chain with OCSP/SCT data.
    let cert = rng.random_range(2000..3500);
    // CertificateVerify: scheme, length, signature.
    let cv = 4
        + 2
        + 2
        + match p.key {
            KeyType::Rsa2048 => 256,
            KeyType::EcdsaP256 => rng.random_range(70..=72),
        };
    let fin = 4 + tls13_hash_len(p.cipher_suite);
    for plain in [ee, cert, cv, fin] {
        opaque_record(out, content_type::APPLICATION_DATA, plain + TLS13_RECORD_OVERHEAD, rng);
    }
}

/// Appends the client's second TLS 1.3 flight: ChangeCipherSpec (RFC 8446
/// appendix D.4) and the encrypted Finished (section 4.4.4) as an
/// application_data record.
pub fn write_tls13_client_finished<R: Rng + ?Sized>(cipher_suite: u16, out: &mut Vec<u8>, rng: &mut R) {
    change_cipher_spec(out);
    let fin = 4 + tls13_hash_len(cipher_suite);
    opaque_record(out, content_type::APPLICATION_DATA, fin + TLS13_RECORD_OVERHEAD, rng);
}

/// Appends one encrypted NewSessionTicket (RFC 8446 section 4.6.1) as an
/// application_data record, as servers send one or two after the client's
/// Finished.
pub fn write_tls13_new_session_ticket<R: Rng + ?Sized>(out: &mut Vec<u8>, rng: &mut R) {
    // lifetime, age_add, nonce<0..255>, ticket<1..2^16-1>, extensions.
    let plain = 4 + 4 + 4 + 1 + 8 + 2 + rng.random_range(160..240) + 2;
    opaque_record(out, content_type::APPLICATION_DATA, plain + TLS13_RECORD_OVERHEAD, rng);
}

// ---------------------------------------------------------------------------
// TLS 1.2.

/// The server's choices for a full TLS 1.2 ECDHE handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tls12ServerParams<'a> {
    /// The name the leaf certificate is issued for (subject CN and
    /// subjectAltName dNSName), normally the client's SNI.
    pub sni: &'a str,
    /// The ALPN protocol selected (RFC 7301 section 3.1), if the client
    /// offered ALPN.
    pub alpn: Option<&'a str>,
    /// The certificate key type; it selects the cipher suite
    /// ([`KeyType::tls12_cipher_suite`]).
    pub key: KeyType,
    /// Certificates sent: 1 (leaf) or 2 (leaf and intermediate).
    pub chain_len: usize,
    /// The current time, seconds since the epoch: the certificates are valid
    /// around it.
    pub unix_time: u64,
    /// Whether the server acknowledges session_ticket (RFC 5077 section 3.2)
    /// and so sends a NewSessionTicket in [`write_tls12_server_finish`].
    pub session_ticket: bool,
}

impl<'a> Tls12ServerParams<'a> {
    /// An RSA server with a two-certificate chain, ALPN `http/1.1` and
    /// session tickets.
    pub const fn new(sni: &'a str, unix_time: u64) -> Tls12ServerParams<'a> {
        Tls12ServerParams {
            sni,
            alpn: Some("http/1.1"),
            key: KeyType::Rsa2048,
            chain_len: 2,
            unix_time,
            session_ticket: true,
        }
    }
}

/// Appends the server's TLS 1.2 flight, one record per message:
/// ServerHello (RFC 5246 section 7.4.1.3, with renegotiation_info,
/// ec_point_formats, session_ticket, ALPN and extended_master_secret),
/// Certificate (section 7.4.2, DER X.509 certificates from [`x509`]),
/// ServerKeyExchange (RFC 8422 section 5.4: named_curve x25519, a 32-byte
/// public key, a DigitallySigned signature) and ServerHelloDone (RFC 5246
/// section 7.4.5).
///
/// # Panics
/// If `chain_len` is not 1 or 2.
pub fn write_tls12_server_flight<R: Rng + ?Sized>(p: &Tls12ServerParams<'_>, out: &mut Vec<u8>, rng: &mut R) {
    assert!(matches!(p.chain_len, 1 | 2), "chain_len must be 1 or 2");
    out.reserve(1024 + 1400 * p.chain_len);

    // ServerHello.
    let rec = begin_record(out, content_type::HANDSHAKE, 0x0303);
    let hs = begin_handshake(out, handshake_type::SERVER_HELLO);
    put_u16(out, 0x0303);
    put_random(out, 32, rng);
    out.push(32);
    put_random(out, 32, rng);
    put_u16(out, p.key.tls12_cipher_suite());
    out.push(0);
    let exts = open(out, 2);
    out.extend_from_slice(&[0xff, 0x01, 0x00, 0x01, 0x00]);
    // ec_point_formats: uncompressed, ansiX962_compressed_prime, _char2.
    out.extend_from_slice(&[0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02]);
    if p.session_ticket {
        out.extend_from_slice(&[0x00, 0x23, 0x00, 0x00]);
    }
    if let Some(proto) = p.alpn {
        assert!((1..=255).contains(&proto.len()), "ALPN protocol name must be 1..=255 bytes");
        let e = begin_ext(out, extension_type::ALPN);
        let list = open(out, 2);
        out.push(proto.len() as u8);
        out.extend_from_slice(proto.as_bytes());
        close(out, list);
        close(out, e);
    }
    out.extend_from_slice(&[0x00, 0x17, 0x00, 0x00]);
    close(out, exts);
    close(out, hs);
    end_record(out, rec);

    // Certificate: certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>.
    let rec = begin_record(out, content_type::HANDSHAKE, 0x0303);
    let hs = begin_handshake(out, handshake_type::CERTIFICATE);
    let list = open(out, 3);
    let (issuer, root) = x509::amazon_names(p.key);
    let leaf_from = p.unix_time.saturating_sub(rng.random_range(86_400..300 * 86_400));
    let leaf = x509::CertParams {
        subject: x509::Name { country: None, organization: None, common_name: p.sni },
        issuer,
        dns_name: Some(p.sni),
        key: p.key,
        signature_key: p.key,
        not_before: leaf_from,
        not_after: leaf_from + 395 * 86_400 - 1,
        is_ca: false,
    };
    let cert = open(out, 3);
    x509::write_certificate(&leaf, out, rng);
    close(out, cert);
    if p.chain_len == 2 {
        let ca_from = p.unix_time.saturating_sub(rng.random_range(365 * 86_400..3 * 365 * 86_400));
        let intermediate = x509::CertParams {
            subject: issuer,
            issuer: root,
            dns_name: None,
            key: p.key,
            signature_key: p.key,
            not_before: ca_from,
            not_after: ca_from + 8 * 365 * 86_400,
            is_ca: true,
        };
        let cert = open(out, 3);
        x509::write_certificate(&intermediate, out, rng);
        close(out, cert);
    }
    close(out, list);
    close(out, hs);
    end_record(out, rec);

    // ServerKeyExchange: ServerECDHParams then DigitallySigned (RFC 5246
    // section 4.7 with the TLS 1.2 SignatureAndHashAlgorithm prefix).
    let rec = begin_record(out, content_type::HANDSHAKE, 0x0303);
    let hs = begin_handshake(out, handshake_type::SERVER_KEY_EXCHANGE);
    out.push(3); // ECCurveType named_curve
    put_u16(out, named_group::X25519);
    out.push(32);
    put_random(out, 32, rng);
    put_u16(out, p.key.signature_scheme());
    let sig = open(out, 2);
    match p.key {
        KeyType::Rsa2048 => put_random(out, 256, rng),
        KeyType::EcdsaP256 => x509::write_ecdsa_sig_value(out, rng),
    }
    close(out, sig);
    close(out, hs);
    end_record(out, rec);

    // ServerHelloDone: empty body.
    out.extend_from_slice(&[
        content_type::HANDSHAKE,
        0x03,
        0x03,
        0x00,
        0x04,
        handshake_type::SERVER_HELLO_DONE,
        0,
        0,
        0,
    ]);
}

/// Appends the client's second TLS 1.2 flight: ClientKeyExchange (RFC 8422
/// section 5.7, a 32-byte x25519 public key), ChangeCipherSpec (RFC 5246
/// section 7.1) and the encrypted Finished (section 7.4.9) as a handshake
/// record of 40 opaque bytes (AES-GCM: 8-byte nonce, 16-byte message, 16-byte
/// tag).
pub fn write_tls12_client_finish<R: Rng + ?Sized>(out: &mut Vec<u8>, rng: &mut R) {
    let rec = begin_record(out, content_type::HANDSHAKE, 0x0303);
    let hs = begin_handshake(out, handshake_type::CLIENT_KEY_EXCHANGE);
    out.push(32);
    put_random(out, 32, rng);
    close(out, hs);
    end_record(out, rec);
    change_cipher_spec(out);
    opaque_record(out, content_type::HANDSHAKE, 16 + TLS12_GCM_RECORD_OVERHEAD, rng);
}

/// Appends the server's last TLS 1.2 flight: a NewSessionTicket (RFC 5077
/// section 3.3: lifetime hint 300 s, as nginx's default
/// `ssl_session_timeout`, and an opaque ticket) if `session_ticket`,
/// ChangeCipherSpec and the encrypted Finished (40 opaque bytes).
pub fn write_tls12_server_finish<R: Rng + ?Sized>(session_ticket: bool, out: &mut Vec<u8>, rng: &mut R) {
    if session_ticket {
        let rec = begin_record(out, content_type::HANDSHAKE, 0x0303);
        let hs = begin_handshake(out, handshake_type::NEW_SESSION_TICKET);
        out.extend_from_slice(&300u32.to_be_bytes());
        let ticket = open(out, 2);
        put_random(out, rng.random_range(160..=240), rng);
        close(out, ticket);
        close(out, hs);
        end_record(out, rec);
    }
    change_cipher_spec(out);
    opaque_record(out, content_type::HANDSHAKE, 16 + TLS12_GCM_RECORD_OVERHEAD, rng);
}

// ---------------------------------------------------------------------------
// After the handshake.

/// Appends application_data records carrying `plaintext_len` bytes of
/// application data, cut into records of at most 2^14 plaintext bytes, each
/// grown by the AEAD overhead of `version` ([`TLS13_RECORD_OVERHEAD`] or
/// [`TLS12_GCM_RECORD_OVERHEAD`]). Returns the number of records written
/// (none for `plaintext_len` 0).
///
/// ```
/// use generator::traffic::app::tls::{records, write_application_data, TlsVersion};
/// use rand::SeedableRng;
///
/// let mut out = Vec::new();
/// let n = write_application_data(TlsVersion::Tls13, 20_000, &mut out, &mut rand_chacha::ChaCha8Rng::seed_from_u64(0));
/// assert_eq!(n, 2);
/// let lens: Vec<usize> = records(&out).map(|r| r.fragment.len()).collect();
/// assert_eq!(lens, [16_384 + 17, 20_000 - 16_384 + 17]);
/// ```
pub fn write_application_data<R: Rng + ?Sized>(
    version: TlsVersion,
    plaintext_len: usize,
    out: &mut Vec<u8>,
    rng: &mut R,
) -> usize {
    let overhead = match version {
        TlsVersion::Tls12 => TLS12_GCM_RECORD_OVERHEAD,
        TlsVersion::Tls13 => TLS13_RECORD_OVERHEAD,
    };
    let records = plaintext_len.div_ceil(MAX_PLAINTEXT_LEN);
    out.reserve(plaintext_len + records * (5 + overhead));
    let mut left = plaintext_len;
    while left > 0 {
        let chunk = left.min(MAX_PLAINTEXT_LEN);
        opaque_record(out, content_type::APPLICATION_DATA, chunk + overhead, rng);
        left -= chunk;
    }
    records
}

/// Appends one application_data record whose `encrypted_record` is
/// `ciphertext_len` random bytes (RFC 8446 section 5.2).
///
/// # Panics
/// If `ciphertext_len` exceeds [`MAX_CIPHERTEXT_LEN`].
pub fn write_application_data_record<R: Rng + ?Sized>(ciphertext_len: usize, out: &mut Vec<u8>, rng: &mut R) {
    opaque_record(out, content_type::APPLICATION_DATA, ciphertext_len, rng);
}

/// Appends an encrypted close_notify alert (RFC 8446 section 6.1, RFC 5246
/// section 7.2.1) as it appears on the wire after the handshake: in TLS 1.2
/// an alert record (type 21) of 26 opaque bytes (2-byte alert plus AES-GCM
/// overhead); in TLS 1.3, where the outer type of every encrypted record is
/// application_data (RFC 8446 section 5.2), an application_data record of 19
/// opaque bytes.
pub fn write_close_notify<R: Rng + ?Sized>(version: TlsVersion, out: &mut Vec<u8>, rng: &mut R) {
    match version {
        TlsVersion::Tls12 => opaque_record(out, content_type::ALERT, 2 + TLS12_GCM_RECORD_OVERHEAD, rng),
        TlsVersion::Tls13 => {
            opaque_record(out, content_type::APPLICATION_DATA, 2 + TLS13_RECORD_OVERHEAD, rng)
        }
    }
}

// ---------------------------------------------------------------------------
// Reading back.

/// One record as read by [`records`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// `ContentType`.
    pub content_type: u8,
    /// `legacy_record_version`.
    pub version: u16,
    /// The `length` bytes after the header.
    pub fragment: &'a [u8],
}

/// An iterator over the whole records at the start of a byte stream; see
/// [`records`].
#[derive(Debug, Clone)]
pub struct Records<'a> {
    rest: &'a [u8],
}

impl<'a> Records<'a> {
    /// The bytes not consumed: empty after iterating a stream of whole
    /// records, else a truncated record.
    pub fn remainder(&self) -> &'a [u8] {
        self.rest
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        if self.rest.len() < 5 {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([self.rest[3], self.rest[4]]));
        if self.rest.len() < 5 + len {
            return None;
        }
        let rec = Record {
            content_type: self.rest[0],
            version: u16::from_be_bytes([self.rest[1], self.rest[2]]),
            fragment: &self.rest[5..5 + len],
        };
        self.rest = &self.rest[5 + len..];
        Some(rec)
    }
}

/// Iterates over the records of one direction's byte stream.
pub fn records(bytes: &[u8]) -> Records<'_> {
    Records { rest: bytes }
}

/// The handshake message types readable in cleartext in one direction's
/// byte stream, in order: those in handshake records before that
/// direction's ChangeCipherSpec (after it, handshake records are encrypted).
/// This is what tshark shows as `tls.handshake.type` without keys.
///
/// ```
/// use generator::traffic::app::tls::*;
/// use rand::SeedableRng;
///
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
/// let mut server = Vec::new();
/// write_tls12_server_flight(&Tls12ServerParams::new("example.com", 1_700_000_000), &mut server, &mut rng);
/// write_tls12_server_finish(true, &mut server, &mut rng);
/// assert_eq!(handshake_types_of(&server), [2, 11, 12, 14, 4]);
/// assert_eq!(handshake_types_of(&server), cleartext_handshake_types(TlsVersion::Tls12, Side::Server, true));
/// ```
pub fn handshake_types_of(bytes: &[u8]) -> Vec<u8> {
    let mut types = Vec::new();
    for rec in records(bytes) {
        match rec.content_type {
            content_type::CHANGE_CIPHER_SPEC => break,
            content_type::HANDSHAKE => {
                let mut msgs = rec.fragment;
                while msgs.len() >= 4 {
                    let len =
                        (usize::from(msgs[1]) << 16) | (usize::from(msgs[2]) << 8) | usize::from(msgs[3]);
                    types.push(msgs[0]);
                    msgs = msgs.get(4 + len..).unwrap_or(&[]);
                }
            }
            _ => {}
        }
    }
    types
}

/// The cleartext handshake types this module's builders produce for one
/// side of a full handshake, in order (see [`handshake_types_of`]).
/// `session_ticket` only matters for a TLS 1.2 server, which then sends a
/// NewSessionTicket (4) before its ChangeCipherSpec.
pub const fn cleartext_handshake_types(
    version: TlsVersion,
    side: Side,
    session_ticket: bool,
) -> &'static [u8] {
    use handshake_type::*;
    match (version, side, session_ticket) {
        (TlsVersion::Tls13, Side::Client, _) => &[CLIENT_HELLO],
        (TlsVersion::Tls13, Side::Server, _) => &[SERVER_HELLO],
        (TlsVersion::Tls12, Side::Client, _) => &[CLIENT_HELLO, CLIENT_KEY_EXCHANGE],
        (TlsVersion::Tls12, Side::Server, false) => {
            &[SERVER_HELLO, CERTIFICATE, SERVER_KEY_EXCHANGE, SERVER_HELLO_DONE]
        }
        (TlsVersion::Tls12, Side::Server, true) => {
            &[SERVER_HELLO, CERTIFICATE, SERVER_KEY_EXCHANGE, SERVER_HELLO_DONE, NEW_SESSION_TICKET]
        }
    }
}

// ---------------------------------------------------------------------------
// X.509.

pub mod x509 {
    //! A minimal DER encoder (ITU-T X.690 section 10) for X.509 v3
    //! certificates (RFC 5280 section 4.1) with real structure and random
    //! key and signature bytes.
    //!
    //! ```
    //! use generator::traffic::app::tls::{x509, KeyType};
    //! use rand::SeedableRng;
    //!
    //! let (issuer, _) = x509::amazon_names(KeyType::EcdsaP256);
    //! let p = x509::CertParams {
    //!     subject: x509::Name { country: None, organization: None, common_name: "example.com" },
    //!     issuer,
    //!     dns_name: Some("example.com"),
    //!     key: KeyType::EcdsaP256,
    //!     signature_key: KeyType::EcdsaP256,
    //!     not_before: 1_700_000_000,
    //!     not_after: 1_734_000_000,
    //!     is_ca: false,
    //! };
    //! let mut der = Vec::new();
    //! x509::write_certificate(&p, &mut der, &mut rand_chacha::ChaCha8Rng::seed_from_u64(0));
    //! // SEQUENCE with a two-byte long-form length covering the rest.
    //! assert_eq!((der[0], der[1]), (0x30, 0x82));
    //! assert_eq!(usize::from(u16::from_be_bytes([der[2], der[3]])), der.len() - 4);
    //! ```

    use super::{put_random, KeyType};
    use crate::traffic::app::{push_2digits, Civil};
    use rand::Rng;

    const SEQUENCE: u8 = 0x30;
    const SET: u8 = 0x31;
    const INTEGER: u8 = 0x02;
    const BIT_STRING: u8 = 0x03;
    const OCTET_STRING: u8 = 0x04;
    const NULL: u8 = 0x05;
    const OID: u8 = 0x06;
    const UTF8_STRING: u8 = 0x0c;
    const PRINTABLE_STRING: u8 = 0x13;
    const UTC_TIME: u8 = 0x17;
    const GENERALIZED_TIME: u8 = 0x18;
    const BOOLEAN: u8 = 0x01;

    // OID contents (X.690 section 8.19).
    const OID_ECDSA_WITH_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
    const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    const OID_PRIME256V1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    const OID_RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    const OID_SHA256_WITH_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
    const OID_COUNTRY: &[u8] = &[0x55, 0x04, 0x06];
    const OID_ORGANIZATION: &[u8] = &[0x55, 0x04, 0x0a];
    const OID_COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
    const OID_SUBJECT_KEY_ID: &[u8] = &[0x55, 0x1d, 0x0e];
    const OID_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];
    const OID_SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11];
    const OID_BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];
    const OID_AUTHORITY_KEY_ID: &[u8] = &[0x55, 0x1d, 0x23];
    const OID_EXT_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25];
    const OID_KP_SERVER_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
    const OID_KP_CLIENT_AUTH: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02];

    /// A distinguished name (RFC 5280 section 4.1.2.4) of up to three
    /// attributes: C and O as PrintableString, CN as UTF8String.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Name<'a> {
        /// countryName (2.5.4.6), two letters.
        pub country: Option<&'a str>,
        /// organizationName (2.5.4.10).
        pub organization: Option<&'a str>,
        /// commonName (2.5.4.3).
        pub common_name: &'a str,
    }

    /// The AWS Certificate Manager issuing CA and root names for a key type:
    /// `(C=US, O=Amazon, CN=Amazon RSA 2048 M02`, `... CN=Amazon Root CA 1)`
    /// for RSA, `Amazon ECDSA 256 M02` / `Amazon Root CA 3` for ECDSA.
    pub const fn amazon_names(key: KeyType) -> (Name<'static>, Name<'static>) {
        let (issuing, root) = match key {
            KeyType::Rsa2048 => ("Amazon RSA 2048 M02", "Amazon Root CA 1"),
            KeyType::EcdsaP256 => ("Amazon ECDSA 256 M02", "Amazon Root CA 3"),
        };
        (
            Name { country: Some("US"), organization: Some("Amazon"), common_name: issuing },
            Name { country: Some("US"), organization: Some("Amazon"), common_name: root },
        )
    }

    /// What goes into a certificate.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct CertParams<'a> {
        /// subject.
        pub subject: Name<'a>,
        /// issuer.
        pub issuer: Name<'a>,
        /// A subjectAltName dNSName (RFC 5280 section 4.2.1.6), for leaves.
        pub dns_name: Option<&'a str>,
        /// The subject's key type (SubjectPublicKeyInfo, section 4.1.2.7).
        pub key: KeyType,
        /// The issuer's key type, which sets the signature algorithm.
        pub signature_key: KeyType,
        /// notBefore, seconds since the epoch.
        pub not_before: u64,
        /// notAfter, seconds since the epoch.
        pub not_after: u64,
        /// A CA certificate (basicConstraints cA, keyCertSign) or a leaf
        /// (digitalSignature, serverAuth/clientAuth).
        pub is_ca: bool,
    }

    /// Opens a TLV: the tag and a one-byte length placeholder.
    #[inline]
    fn tlv_open(out: &mut Vec<u8>, tag: u8) -> usize {
        out.push(tag);
        out.push(0);
        out.len()
    }

    /// Closes a TLV with a definite-form, minimal length (X.690 sections
    /// 8.1.3 and 10.1), inserting long-form length octets if needed.
    fn tlv_close(out: &mut Vec<u8>, start: usize) {
        let len = out.len() - start;
        if len < 0x80 {
            out[start - 1] = len as u8;
        } else {
            let be = (len as u32).to_be_bytes();
            let skip = be.iter().take_while(|&&b| b == 0).count();
            out[start - 1] = 0x80 | (4 - skip) as u8;
            out.splice(start..start, be[skip..].iter().copied());
        }
    }

    fn tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
        let s = tlv_open(out, tag);
        out.extend_from_slice(content);
        tlv_close(out, s);
    }

    /// A non-negative INTEGER from big-endian magnitude bytes (X.690 section
    /// 8.3: minimal, with a 0x00 prefix when the top bit is set).
    fn uint(out: &mut Vec<u8>, magnitude: &[u8]) {
        let zeros = magnitude.iter().take_while(|&&b| b == 0).count().min(magnitude.len().saturating_sub(1));
        let m = &magnitude[zeros..];
        let s = tlv_open(out, INTEGER);
        if m.first().is_some_and(|&b| b & 0x80 != 0) {
            out.push(0);
        }
        out.extend_from_slice(m);
        tlv_close(out, s);
    }

    fn algorithm(out: &mut Vec<u8>, key: KeyType) {
        let s = tlv_open(out, SEQUENCE);
        match key {
            // RFC 5758 section 3.2: parameters absent.
            KeyType::EcdsaP256 => tlv(out, OID, OID_ECDSA_WITH_SHA256),
            // RFC 4055 section 5: parameters NULL.
            KeyType::Rsa2048 => {
                tlv(out, OID, OID_SHA256_WITH_RSA);
                tlv(out, NULL, &[]);
            }
        }
        tlv_close(out, s);
    }

    fn name(out: &mut Vec<u8>, n: &Name<'_>) {
        let s = tlv_open(out, SEQUENCE);
        let attrs = [
            (OID_COUNTRY, PRINTABLE_STRING, n.country),
            (OID_ORGANIZATION, PRINTABLE_STRING, n.organization),
            (OID_COMMON_NAME, UTF8_STRING, Some(n.common_name)),
        ];
        for (oid, tag, value) in attrs {
            if let Some(v) = value {
                let set = tlv_open(out, SET);
                let atv = tlv_open(out, SEQUENCE);
                tlv(out, OID, oid);
                tlv(out, tag, v.as_bytes());
                tlv_close(out, atv);
                tlv_close(out, set);
            }
        }
        tlv_close(out, s);
    }

    /// UTCTime for 1950..=2049, GeneralizedTime otherwise (RFC 5280 section
    /// 4.1.2.5).
    fn time(out: &mut Vec<u8>, unix: u64) {
        let c = Civil::from_unix(unix);
        let utc = (1950..2050).contains(&c.year);
        let s = tlv_open(out, if utc { UTC_TIME } else { GENERALIZED_TIME });
        if !utc {
            push_2digits(out, (c.year / 100 % 100) as u8);
        }
        push_2digits(out, (c.year % 100) as u8);
        for v in [c.month, c.day, c.hour, c.minute, c.second] {
            push_2digits(out, v);
        }
        out.push(b'Z');
        tlv_close(out, s);
    }

    fn public_key_info<R: Rng + ?Sized>(out: &mut Vec<u8>, key: KeyType, rng: &mut R) {
        let spki = tlv_open(out, SEQUENCE);
        let alg = tlv_open(out, SEQUENCE);
        match key {
            KeyType::EcdsaP256 => {
                // RFC 5480 section 2.1.1: id-ecPublicKey, namedCurve.
                tlv(out, OID, OID_EC_PUBLIC_KEY);
                tlv(out, OID, OID_PRIME256V1);
                tlv_close(out, alg);
                // Uncompressed point (SEC 1 section 2.3.3): 0x04 || X || Y.
                let bits = tlv_open(out, BIT_STRING);
                out.extend_from_slice(&[0x00, 0x04]);
                put_random(out, 64, rng);
                tlv_close(out, bits);
            }
            KeyType::Rsa2048 => {
                // RFC 3279 section 2.3.1: rsaEncryption, NULL; RSAPublicKey.
                tlv(out, OID, OID_RSA_ENCRYPTION);
                tlv(out, NULL, &[]);
                tlv_close(out, alg);
                let bits = tlv_open(out, BIT_STRING);
                out.push(0x00);
                let rsa = tlv_open(out, SEQUENCE);
                let mut modulus = [0u8; 256];
                rng.fill_bytes(&mut modulus);
                modulus[0] |= 0x80;
                modulus[255] |= 0x01;
                uint(out, &modulus);
                uint(out, &[0x01, 0x00, 0x01]);
                tlv_close(out, rsa);
                tlv_close(out, bits);
            }
        }
        tlv_close(out, spki);
    }

    /// Appends a DER `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`
    /// (RFC 3279 section 2.2.3) with random 256-bit r and s.
    pub fn write_ecdsa_sig_value<R: Rng + ?Sized>(out: &mut Vec<u8>, rng: &mut R) {
        let s = tlv_open(out, SEQUENCE);
        for _ in 0..2 {
            let mut v = [0u8; 32];
            rng.fill_bytes(&mut v);
            v[0] = v[0].max(1);
            uint(out, &v);
        }
        tlv_close(out, s);
    }

    fn extension(out: &mut Vec<u8>, oid: &[u8], critical: bool, value: impl FnOnce(&mut Vec<u8>)) {
        let s = tlv_open(out, SEQUENCE);
        tlv(out, OID, oid);
        if critical {
            tlv(out, BOOLEAN, &[0xff]);
        }
        let v = tlv_open(out, OCTET_STRING);
        value(out);
        tlv_close(out, v);
        tlv_close(out, s);
    }

    /// Appends one DER `Certificate` (RFC 5280 section 4.1): a v3
    /// tbsCertificate (version, 16-byte serial, signature algorithm, issuer,
    /// validity, subject, SubjectPublicKeyInfo and extensions: authority and
    /// subject key identifiers, subjectAltName, keyUsage, extKeyUsage,
    /// basicConstraints), the signature algorithm again and a random
    /// signature BIT STRING of the issuer key's size.
    pub fn write_certificate<R: Rng + ?Sized>(p: &CertParams<'_>, out: &mut Vec<u8>, rng: &mut R) {
        let cert = tlv_open(out, SEQUENCE);
        let tbs = tlv_open(out, SEQUENCE);
        // version [0] EXPLICIT v3(2).
        out.extend_from_slice(&[0xa0, 0x03, INTEGER, 0x01, 0x02]);
        let mut serial = [0u8; 16];
        rng.fill_bytes(&mut serial);
        serial[0] = (serial[0] & 0x7f).max(1);
        uint(out, &serial);
        algorithm(out, p.signature_key);
        name(out, &p.issuer);
        let validity = tlv_open(out, SEQUENCE);
        time(out, p.not_before);
        time(out, p.not_after);
        tlv_close(out, validity);
        name(out, &p.subject);
        public_key_info(out, p.key, rng);

        // extensions [3] EXPLICIT SEQUENCE OF Extension (section 4.2).
        let explicit = tlv_open(out, 0xa3);
        let exts = tlv_open(out, SEQUENCE);
        let mut key_id = [0u8; 20];
        rng.fill_bytes(&mut key_id);
        // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT }.
        extension(out, OID_AUTHORITY_KEY_ID, false, |out| {
            let s = tlv_open(out, SEQUENCE);
            tlv(out, 0x80, &key_id);
            tlv_close(out, s);
        });
        rng.fill_bytes(&mut key_id);
        extension(out, OID_SUBJECT_KEY_ID, false, |out| tlv(out, OCTET_STRING, &key_id));
        if let Some(dns) = p.dns_name {
            // GeneralNames with one dNSName [2] IMPLICIT IA5String.
            extension(out, OID_SUBJECT_ALT_NAME, false, |out| {
                let s = tlv_open(out, SEQUENCE);
                tlv(out, 0x82, dns.as_bytes());
                tlv_close(out, s);
            });
        }
        // KeyUsage BIT STRING, named bits with trailing zero bits removed.
        let key_usage: &[u8] = match (p.is_ca, p.key) {
            // digitalSignature, keyCertSign, cRLSign.
            (true, _) => &[0x01, 0x86],
            // digitalSignature, keyEncipherment.
            (false, KeyType::Rsa2048) => &[0x05, 0xa0],
            // digitalSignature.
            (false, KeyType::EcdsaP256) => &[0x07, 0x80],
        };
        extension(out, OID_KEY_USAGE, true, |out| tlv(out, BIT_STRING, key_usage));
        extension(out, OID_EXT_KEY_USAGE, false, |out| {
            let s = tlv_open(out, SEQUENCE);
            tlv(out, OID, OID_KP_SERVER_AUTH);
            tlv(out, OID, OID_KP_CLIENT_AUTH);
            tlv_close(out, s);
        });
        // BasicConstraints ::= SEQUENCE { cA DEFAULT FALSE, pathLen OPTIONAL }.
        extension(out, OID_BASIC_CONSTRAINTS, true, |out| {
            let s = tlv_open(out, SEQUENCE);
            if p.is_ca {
                tlv(out, BOOLEAN, &[0xff]);
                tlv(out, INTEGER, &[0x00]);
            }
            tlv_close(out, s);
        });
        tlv_close(out, exts);
        tlv_close(out, explicit);
        tlv_close(out, tbs);

        algorithm(out, p.signature_key);
        let sig = tlv_open(out, BIT_STRING);
        out.push(0x00);
        match p.signature_key {
            KeyType::Rsa2048 => put_random(out, 256, rng),
            KeyType::EcdsaP256 => write_ecdsa_sig_value(out, rng),
        }
        tlv_close(out, sig);
        tlv_close(out, cert);
    }

    #[cfg(test)]
    pub(super) mod der_check {
        //! A strict DER walker for tests: every length definite and minimal,
        //! every constructed value exactly filled by its children.

        /// Reads one TLV at the start of `b`: (tag, content, rest).
        pub fn read(b: &[u8]) -> Result<(u8, &[u8], &[u8]), String> {
            let (&tag, b) = b.split_first().ok_or("missing tag")?;
            let (&l0, mut b) = b.split_first().ok_or("missing length")?;
            let len = if l0 < 0x80 {
                usize::from(l0)
            } else {
                let n = usize::from(l0 & 0x7f);
                if n == 0 || n > 3 || b.len() < n {
                    return Err(format!("bad long length {l0:#x}"));
                }
                let len = b[..n].iter().fold(0usize, |a, &x| a << 8 | usize::from(x));
                if b[0] == 0 || len < 0x80 {
                    return Err("non-minimal length".into());
                }
                b = &b[n..];
                len
            };
            if b.len() < len {
                return Err(format!("length {len} beyond {} bytes", b.len()));
            }
            Ok((tag, &b[..len], &b[len..]))
        }

        /// Walks `b` recursively; returns the number of TLVs seen.
        pub fn walk(mut b: &[u8]) -> Result<usize, String> {
            let mut n = 0;
            while !b.is_empty() {
                let (tag, content, rest) = read(b)?;
                n += 1;
                if tag & 0x20 != 0 {
                    n += walk(content)?;
                } else if tag == 0x02 && content.len() > 1 {
                    let redundant = (content[0] == 0 && content[1] & 0x80 == 0)
                        || (content[0] == 0xff && content[1] & 0x80 != 0);
                    if redundant {
                        return Err("non-minimal INTEGER".into());
                    }
                }
                b = rest;
            }
            Ok(n)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::x509::der_check;
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rstest::rstest;

    fn rng() -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(0x7157)
    }

    fn u16_at(b: &[u8], i: usize) -> usize {
        usize::from(u16::from_be_bytes([b[i], b[i + 1]]))
    }

    fn u24_at(b: &[u8], i: usize) -> usize {
        (usize::from(b[i]) << 16) | u16_at(b, i + 1)
    }

    /// Splits a handshake record fragment into (type, body) messages,
    /// checking the uint24 lengths fill it exactly.
    fn messages(fragment: &[u8]) -> Vec<(u8, &[u8])> {
        let mut v = Vec::new();
        let mut b = fragment;
        while !b.is_empty() {
            let len = u24_at(b, 1);
            v.push((b[0], &b[4..4 + len]));
            b = &b[4 + len..];
        }
        v
    }

    /// Parses an extensions block (uint16 total, then type/len/data) and
    /// checks every length.
    fn extensions(b: &[u8]) -> Vec<(u16, &[u8])> {
        let total = u16_at(b, 0);
        assert_eq!(total, b.len() - 2, "extensions length fills the message");
        let mut v = Vec::new();
        let mut e = &b[2..];
        while !e.is_empty() {
            let ty = u16_at(e, 0) as u16;
            let len = u16_at(e, 2);
            v.push((ty, &e[4..4 + len]));
            e = &e[4 + len..];
        }
        v
    }

    /// Parses a ClientHello body, returning its extensions.
    fn client_hello_extensions(body: &[u8]) -> (Vec<u16>, Vec<(u16, &[u8])>) {
        assert_eq!(&body[..2], &[3, 3]);
        let sid = usize::from(body[34]);
        assert_eq!(sid, 32);
        let mut i = 35 + sid;
        let suites_len = u16_at(body, i);
        assert_eq!(suites_len % 2, 0);
        let suites = (0..suites_len / 2).map(|k| u16_at(body, i + 2 + 2 * k) as u16).collect();
        i += 2 + suites_len;
        assert_eq!(&body[i..i + 2], &[1, 0], "null compression");
        (suites, extensions(&body[i + 2..]))
    }

    #[rstest]
    #[case(TlsVersion::Tls13, Some("example.com"), &["h2", "http/1.1"][..])]
    #[case(TlsVersion::Tls12, Some("sts.us-east-1.amazonaws.com"), &["http/1.1"][..])]
    #[case(TlsVersion::Tls13, None, &[][..])]
    fn client_hello_structure(#[case] v: TlsVersion, #[case] sni: Option<&str>, #[case] alpn: &[&str]) {
        let mut out = vec![0xEE]; // appends, never clobbers
        let info = write_client_hello(&ClientHelloParams { sni, alpn, max_version: v }, &mut out, &mut rng());
        assert_eq!(out[0], 0xEE);
        let mut recs = records(&out[1..]);
        let rec = recs.next().unwrap();
        assert!(recs.remainder().is_empty() && recs.next().is_none());
        assert_eq!((rec.content_type, rec.version), (22, 0x0301));
        let msgs = messages(rec.fragment);
        assert_eq!(msgs.len(), 1);
        let (ty, body) = msgs[0];
        assert_eq!(ty, 1);
        assert_eq!(&body[2..34], &info.random);
        assert_eq!(&body[35..67], &info.session_id);
        let (suites, exts) = client_hello_extensions(body);
        assert_eq!(suites.contains(&0x1301), v == TlsVersion::Tls13);
        assert!(suites.contains(&0xc02f));
        let types: Vec<u16> = exts.iter().map(|e| e.0).collect();
        let find = |t: u16| exts.iter().find(|e| e.0 == t).map(|e| e.1);
        for t in [23, 0xff01, 10, 11, 35, 13] {
            assert!(types.contains(&t), "extension {t} present");
        }
        for t in [43, 51, 45] {
            assert_eq!(types.contains(&t), v == TlsVersion::Tls13, "extension {t}");
        }
        match sni {
            Some(name) => {
                let d = find(0).unwrap();
                assert_eq!(u16_at(d, 0), d.len() - 2);
                assert_eq!(d[2], 0);
                assert_eq!(u16_at(d, 3), name.len());
                assert_eq!(&d[5..], name.as_bytes());
            }
            None => assert!(find(0).is_none()),
        }
        if alpn.is_empty() {
            assert!(find(16).is_none());
        } else {
            let d = find(16).unwrap();
            assert_eq!(u16_at(d, 0), d.len() - 2);
            let mut names = Vec::new();
            let mut l = &d[2..];
            while !l.is_empty() {
                let n = usize::from(l[0]);
                names.push(std::str::from_utf8(&l[1..1 + n]).unwrap());
                l = &l[1 + n..];
            }
            assert_eq!(names, alpn);
        }
        let sig = find(13).unwrap();
        assert_eq!(u16_at(sig, 0), sig.len() - 2);
        let groups = find(10).unwrap();
        assert_eq!(u16_at(groups, 0), groups.len() - 2);
        if v == TlsVersion::Tls13 {
            assert_eq!(find(43).unwrap(), &[4, 3, 4, 3, 3]);
            let ks = find(51).unwrap();
            assert_eq!(u16_at(ks, 0), ks.len() - 2);
            assert_eq!((u16_at(ks, 2), u16_at(ks, 4), ks.len()), (0x001d, 32, 2 + 4 + 32));
        }
    }

    #[test]
    fn tls13_server_flight_structure() {
        let mut out = Vec::new();
        let sid = [7u8; 32];
        let p = Tls13ServerParams {
            cipher_suite: cipher_suite::TLS_AES_256_GCM_SHA384,
            ..Tls13ServerParams::new(sid)
        };
        write_tls13_server_flight(&p, &mut out, &mut rng());
        let mut it = records(&out);
        let recs: Vec<Record<'_>> = it.by_ref().collect();
        assert!(it.remainder().is_empty());
        let kinds: Vec<u8> = recs.iter().map(|r| r.content_type).collect();
        assert_eq!(kinds, [22, 20, 23, 23, 23, 23]);
        let msgs = messages(recs[0].fragment);
        let (ty, body) = msgs[0];
        assert_eq!(ty, 2);
        assert_eq!(&body[35..67], &sid);
        assert_eq!(u16_at(body, 67), 0x1302);
        let exts = extensions(&body[70..]);
        assert_eq!(exts[0], (43, &[3u8, 4][..]));
        assert_eq!((exts[1].0, u16_at(exts[1].1, 0), u16_at(exts[1].1, 2)), (51, 0x001d, 32));
        assert_eq!(recs[1].fragment, &[1]);
        let total: usize = recs[2..].iter().map(|r| r.fragment.len()).sum();
        assert!((2000..4200).contains(&total), "{total}");
        assert_eq!(recs[5].fragment.len(), 4 + 48 + 17);
        assert_eq!(handshake_types_of(&out), [2]);
    }

    #[rstest]
    #[case(KeyType::Rsa2048, 2, true)]
    #[case(KeyType::EcdsaP256, 1, false)]
    fn tls12_server_flight_structure(#[case] key: KeyType, #[case] chain_len: usize, #[case] ticket: bool) {
        let mut out = Vec::new();
        let p = Tls12ServerParams {
            key,
            chain_len,
            session_ticket: ticket,
            ..Tls12ServerParams::new("www.example.com", 1_700_000_000)
        };
        write_tls12_server_flight(&p, &mut out, &mut rng());
        write_tls12_server_finish(ticket, &mut out, &mut rng());
        let mut it = records(&out);
        let recs: Vec<Record<'_>> = it.by_ref().collect();
        assert!(it.remainder().is_empty());
        let mut types = Vec::new();
        for r in &recs[..recs.len() - 2] {
            assert_eq!((r.content_type, r.version), (22, 0x0303));
            for (ty, body) in messages(r.fragment) {
                types.push(ty);
                match ty {
                    2 => {
                        assert_eq!(u16_at(body, 67), usize::from(key.tls12_cipher_suite()));
                        let exts: Vec<u16> = extensions(&body[70..]).iter().map(|e| e.0).collect();
                        assert_eq!(exts.contains(&35), ticket);
                        assert!(exts.contains(&0xff01) && exts.contains(&23) && exts.contains(&16));
                    }
                    11 => {
                        assert_eq!(u24_at(body, 0), body.len() - 3);
                        let mut certs = &body[3..];
                        let mut n = 0;
                        while !certs.is_empty() {
                            let len = u24_at(certs, 0);
                            let der = &certs[3..3 + len];
                            let (tag, _, rest) = der_check::read(der).unwrap();
                            assert_eq!(tag, 0x30);
                            assert!(rest.is_empty());
                            der_check::walk(der).unwrap();
                            certs = &certs[3 + len..];
                            n += 1;
                        }
                        assert_eq!(n, chain_len);
                    }
                    12 => {
                        assert_eq!((body[0], u16_at(body, 1), body[3]), (3, 0x001d, 32));
                        assert_eq!(u16_at(body, 36), usize::from(key.signature_scheme()));
                        assert_eq!(u16_at(body, 38), body.len() - 40);
                        if key == KeyType::EcdsaP256 {
                            der_check::walk(&body[40..]).unwrap();
                        }
                    }
                    14 => assert!(body.is_empty()),
                    4 => assert_eq!(u16_at(body, 4), body.len() - 6),
                    _ => panic!("unexpected handshake type {ty}"),
                }
            }
        }
        assert_eq!(types, cleartext_handshake_types(TlsVersion::Tls12, Side::Server, ticket));
        assert_eq!(handshake_types_of(&out), types);
        let n = recs.len();
        assert_eq!((recs[n - 2].content_type, recs[n - 2].fragment), (20, &[1u8][..]));
        assert_eq!((recs[n - 1].content_type, recs[n - 1].fragment.len()), (22, 40));
    }

    #[test]
    fn client_finishes() {
        let mut out = Vec::new();
        write_tls12_client_finish(&mut out, &mut rng());
        let recs: Vec<Record<'_>> = records(&out).collect();
        assert_eq!(recs.iter().map(|r| r.content_type).collect::<Vec<_>>(), [22, 20, 22]);
        assert_eq!(messages(recs[0].fragment)[0].0, 16);
        assert_eq!(messages(recs[0].fragment)[0].1.len(), 33);
        assert_eq!(handshake_types_of(&out), [16]);
        out.clear();
        write_tls13_client_finished(cipher_suite::TLS_AES_128_GCM_SHA256, &mut out, &mut rng());
        let recs: Vec<Record<'_>> = records(&out).collect();
        assert_eq!(
            recs.iter().map(|r| (r.content_type, r.fragment.len())).collect::<Vec<_>>(),
            [(20, 1), (23, 53)]
        );
        assert!(handshake_types_of(&out).is_empty());
    }

    #[test]
    fn application_data_and_alerts() {
        let mut out = Vec::new();
        assert_eq!(write_application_data(TlsVersion::Tls12, 0, &mut out, &mut rng()), 0);
        assert!(out.is_empty());
        assert_eq!(write_application_data(TlsVersion::Tls12, 16_384 * 2, &mut out, &mut rng()), 2);
        write_close_notify(TlsVersion::Tls12, &mut out, &mut rng());
        write_close_notify(TlsVersion::Tls13, &mut out, &mut rng());
        write_application_data_record(MAX_CIPHERTEXT_LEN, &mut out, &mut rng());
        let got: Vec<(u8, usize)> = records(&out).map(|r| (r.content_type, r.fragment.len())).collect();
        assert_eq!(got, [(23, 16_408), (23, 16_408), (21, 26), (23, 19), (23, 16_640)]);
    }

    #[test]
    #[should_panic(expected = "exceeds")]
    fn oversized_record_panics() {
        write_application_data_record(MAX_CIPHERTEXT_LEN + 1, &mut Vec::new(), &mut rng());
    }

    #[rstest]
    #[case(KeyType::Rsa2048, true)]
    #[case(KeyType::Rsa2048, false)]
    #[case(KeyType::EcdsaP256, true)]
    #[case(KeyType::EcdsaP256, false)]
    fn certificates_are_strict_der(#[case] key: KeyType, #[case] is_ca: bool) {
        let mut rng = rng();
        for i in 0..50u64 {
            let (issuer, root) = x509::amazon_names(key);
            let p = x509::CertParams {
                subject: if is_ca {
                    issuer
                } else {
                    x509::Name { country: None, organization: None, common_name: "a.example" }
                },
                issuer: if is_ca { root } else { issuer },
                dns_name: (!is_ca).then_some("a.example"),
                key,
                signature_key: key,
                // Straddles the UTCTime / GeneralizedTime boundary.
                not_before: 1_700_000_000 + i * 86_400 * 30,
                not_after: 2_524_000_000 + i * 86_400 * 30,
                is_ca,
            };
            let mut der = Vec::new();
            x509::write_certificate(&p, &mut der, &mut rng);
            let (tag, content, rest) = der_check::read(&der).unwrap();
            assert!(tag == 0x30 && rest.is_empty());
            assert!(der_check::walk(&der).unwrap() > 40);
            // tbsCertificate, signatureAlgorithm, signatureValue.
            let (t1, _, r) = der_check::read(content).unwrap();
            let (t2, _, r) = der_check::read(r).unwrap();
            let (t3, _, r) = der_check::read(r).unwrap();
            assert_eq!((t1, t2, t3, r.len()), (0x30, 0x30, 0x03, 0));
        }
    }

    #[test]
    fn deterministic() {
        let run = |seed| {
            let mut out = Vec::new();
            let mut r = ChaCha8Rng::seed_from_u64(seed);
            write_tls12_server_flight(&Tls12ServerParams::new("x.example", 1_700_000_000), &mut out, &mut r);
            out
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }
}
