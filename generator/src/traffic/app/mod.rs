//! Application-layer payload builders: the bytes an EC2 instance's
//! applications put inside TCP and UDP.
//!
//! Every builder is a pure function that **appends** to a caller-provided
//! `Vec<u8>` and takes all its randomness from a caller-provided
//! [`rand::Rng`], so the same seed always gives the same bytes, and a hot loop
//! can reuse one buffer for millions of payloads. Nothing here knows about
//! TCP, IP or segmentation: the caller cuts the bytes into segments.
//!
//! * [`http`]: HTTP/1.1 requests as curl or a browser sends them and
//!   responses as nginx sends them (RFC 9110, RFC 9112).
//! * [`tls`]: TLS 1.2 (RFC 5246) and TLS 1.3 (RFC 8446) records: hellos with
//!   SNI (RFC 6066) and ALPN (RFC 7301), server flights with a well-formed
//!   X.509 certificate chain, opaque encrypted records.
//! * [`dns`]: DNS queries and recursive-resolver responses (RFC 1035
//!   section 4.1, RFC 3596 for AAAA).
//!
//! ```
//! use generator::traffic::app::{dns, http, tls};
//! use rand::SeedableRng;
//! use rand_chacha::ChaCha8Rng;
//!
//! let mut rng = ChaCha8Rng::seed_from_u64(7);
//! let mut buf = Vec::with_capacity(2048);
//!
//! http::write_request(&http::Request::get("example.com", "/"), &mut buf, &mut rng);
//! assert!(buf.starts_with(b"GET / HTTP/1.1\r\nHost: example.com\r\n"));
//!
//! buf.clear();
//! let params = tls::ClientHelloParams { sni: Some("example.com"), alpn: &["h2", "http/1.1"], max_version: tls::TlsVersion::Tls13 };
//! tls::write_client_hello(&params, &mut buf, &mut rng);
//! assert_eq!(tls::handshake_types_of(&buf), [tls::handshake_type::CLIENT_HELLO]);
//!
//! buf.clear();
//! dns::write_query(&dns::Query { id: 0x1234, name: "example.com", qtype: dns::QType::A }, &mut buf).unwrap();
//! assert_eq!(buf.len(), 12 + 13 + 4);
//! ```

pub mod dns;
pub mod http;
pub mod tls;

/// A point in time broken down into UTC calendar fields (proleptic Gregorian
/// calendar), as the HTTP `Date` header (RFC 9110 section 5.6.7) and X.509
/// `UTCTime` (RFC 5280 section 4.1.2.5.1) need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Civil {
    pub year: i64,
    /// 1..=12
    pub month: u8,
    /// 1..=31
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    /// 0 = Sunday .. 6 = Saturday
    pub weekday: u8,
}

impl Civil {
    /// Breaks a count of seconds since 1970-01-01T00:00:00Z into calendar
    /// fields (Howard Hinnant's days-to-civil algorithm).
    pub(crate) fn from_unix(secs: u64) -> Civil {
        let days = (secs / 86_400) as i64;
        let rem = secs % 86_400;
        // 1970-01-01 was a Thursday (4).
        let weekday = ((days + 4) % 7) as u8;
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Civil {
            year,
            month,
            day,
            hour: (rem / 3600) as u8,
            minute: (rem / 60 % 60) as u8,
            second: (rem % 60) as u8,
            weekday,
        }
    }
}

/// Appends `n` as exactly two decimal digits (`n` < 100).
#[inline]
pub(crate) fn push_2digits(out: &mut Vec<u8>, n: u8) {
    out.push(b'0' + n / 10);
    out.push(b'0' + n % 10);
}

/// Appends the decimal representation of `n`, without allocating.
#[inline]
pub(crate) fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Appends the lowercase hexadecimal representation of `n`, without leading
/// zeros (as nginx's `%xT` / `%xO` ETag formats do).
#[inline]
pub(crate) fn push_hex(out: &mut Vec<u8>, mut n: u64) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 16];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = HEX[(n & 0xf) as usize];
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Appends `n` random bytes from `rng`: the same bytes as one
/// `rng.fill_bytes` into `n` zeroed bytes at the end of `out`, without
/// zeroing them first.
///
/// Encrypted TLS records and binary bodies are most of the bytes a capture
/// carries, and zeroing each before filling it doubled the stores. The bytes
/// go through a small piece on the stack instead, whose whole-piece fills
/// are a multiple of 8 bytes long: rand's block generators (ChaCha) consume
/// whole 32-bit words and the others (`fill_bytes_via_next`) whole 64-bit
/// words, so consecutive fills of such lengths draw what one fill draws.
pub(crate) fn push_random<R: rand::Rng + ?Sized>(out: &mut Vec<u8>, n: usize, rng: &mut R) {
    const PIECE: usize = 1024;
    const _: () = assert!(PIECE % 8 == 0);
    if n <= 64 {
        // Short fields (randoms, keys): zeroing a few bytes costs nothing.
        let start = out.len();
        out.resize(start + n, 0);
        rng.fill_bytes(&mut out[start..]);
        return;
    }
    out.reserve(n);
    let mut piece = [0u8; PIECE];
    let mut left = n;
    while left > 0 {
        let len = left.min(PIECE);
        rng.fill_bytes(&mut piece[..len]);
        out.extend_from_slice(&piece[..len]);
        left -= len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_known_dates() {
        // RFC 9110's example date: Sun, 06 Nov 1994 08:49:37 GMT.
        let c = Civil::from_unix(784_111_777);
        assert_eq!(
            (c.year, c.month, c.day, c.hour, c.minute, c.second, c.weekday),
            (1994, 11, 6, 8, 49, 37, 0)
        );
        let c = Civil::from_unix(0);
        assert_eq!((c.year, c.month, c.day, c.weekday), (1970, 1, 1, 4));
        // Leap day.
        let c = Civil::from_unix(1_709_210_096); // 2024-02-29T12:34:56Z
        assert_eq!(
            (c.year, c.month, c.day, c.hour, c.minute, c.second, c.weekday),
            (2024, 2, 29, 12, 34, 56, 4)
        );
    }

    #[test]
    fn decimal_and_hex() {
        let mut v = Vec::new();
        push_decimal(&mut v, 0);
        v.push(b' ');
        push_decimal(&mut v, 18_446_744_073_709_551_615);
        v.push(b' ');
        push_hex(&mut v, 0x6434_bbbe);
        v.push(b' ');
        push_2digits(&mut v, 7);
        assert_eq!(v, b"0 18446744073709551615 6434bbbe 07");
    }

    #[test]
    fn push_random_draws_what_one_fill_draws() {
        use rand::{RngCore, SeedableRng};
        for len in [0, 1, 7, 64, 65, 1023, 1024, 1025, 3000, 16_389] {
            for seed in 0..3 {
                let mut ours = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
                let mut theirs = ours.clone();
                let mut got = vec![9u8; 5];
                push_random(&mut got, len, &mut ours);
                let mut want = vec![9u8; 5 + len];
                theirs.fill_bytes(&mut want[5..]);
                assert_eq!(got, want, "{len} bytes");
                assert_eq!(ours.next_u64(), theirs.next_u64(), "the stream goes on alike after {len} bytes");
            }
        }
    }
}
