//! The socket end: batches of datagrams out, counts in.

use super::datagrams::{DatagramSource, ReadError};
use super::pace::{Pacing, Schedule};
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Datagrams handed to the kernel in one `sendmmsg(2)` call.
pub const BATCH: usize = 64;

/// How to send.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SendOptions {
    /// When each datagram is due.
    pub pacing: Pacing,
    /// Datagrams per system call, 1..=[`BATCH`]: 1 is one `send(2)` each
    /// (the plain loop the benchmark compares with); more use `sendmmsg(2)`
    /// on Linux (elsewhere, always one `send` each).
    pub batch: usize,
    /// How often the progress callback is called.
    pub progress_every: Duration,
    /// Whether runs of equal-sized datagrams in a batch may go as one
    /// message with UDP segmentation offload (Linux; see `send_batch`).
    pub segmentation: bool,
}

impl Default for SendOptions {
    fn default() -> SendOptions {
        SendOptions {
            pacing: Pacing::Fast,
            batch: BATCH,
            progress_every: Duration::from_millis(250),
            segmentation: true,
        }
    }
}

/// What was sent.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SendStats {
    /// Datagrams the kernel accepted.
    pub packets: u64,
    /// Their UDP payload bytes.
    pub bytes: u64,
    /// Datagrams refused by the socket (`ECONNREFUSED`: an ICMP port
    /// unreachable came back for an earlier one, RFC 1122 section 4.1.3.3).
    pub refused: u64,
    /// Time since the first datagram was due.
    pub elapsed: Duration,
    /// Increase of the kernel's UDP `SndbufErrors` and `RcvbufErrors`
    /// (`/proc/net/snmp`; machine-wide, so other programs' drops count too),
    /// when they can be read.
    pub kernel_drops: Option<(u64, u64)>,
}

impl SendStats {
    /// Datagrams per second so far.
    pub fn packets_per_second(&self) -> f64 {
        self.packets as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Payload bits per second so far, in Gbit/s.
    pub fn gbits_per_second(&self) -> f64 {
        self.bytes as f64 * 8.0 / self.elapsed.as_secs_f64().max(1e-9) / 1e9
    }
}

/// The kernel's UDP `(SndbufErrors, RcvbufErrors)` counters from
/// `/proc/net/snmp` (Linux; `None` elsewhere or when unreadable).
pub fn udp_drop_counters() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/net/snmp").ok()?;
    let mut lines = text.lines().filter(|l| l.starts_with("Udp: "));
    let (names, values) = (lines.next()?, lines.next()?);
    let find = |name: &str| {
        let i = names.split_whitespace().position(|n| n == name)?;
        values.split_whitespace().nth(i)?.parse::<u64>().ok()
    };
    Some((find("SndbufErrors")?, find("RcvbufErrors")?))
}

/// Sends datagrams to one address, paced, in batches.
#[derive(Debug)]
pub struct Sender {
    socket: UdpSocket,
    opts: SendOptions,
    schedule: Schedule,
    started: Option<Instant>,
    stats: SendStats,
    drops_at_start: Option<(u64, u64)>,
    /// Datagrams read and not yet sent: their bytes, and (due, start, end) of each.
    arena: Vec<u8>,
    queue: Vec<(Option<Instant>, usize, usize)>,
    /// Whether equal-sized runs go with UDP segmentation offload (until the kernel refuses it).
    gso: std::cell::Cell<bool>,
}

impl Sender {
    /// A socket bound to an ephemeral port of the address family of `to`
    /// and connected to it.
    ///
    /// # Errors
    /// The socket's errors; `batch` outside 1..=[`BATCH`] or a rate or speed
    /// that is not a positive number is [`io::ErrorKind::InvalidInput`].
    pub fn new(to: SocketAddr, opts: SendOptions) -> io::Result<Sender> {
        let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, what.to_string());
        if !(1..=BATCH).contains(&opts.batch) {
            return Err(bad("batch must be 1..=64"));
        }
        match opts.pacing {
            Pacing::Rate(x) | Pacing::Capture { speed: x } if !(x.is_finite() && x > 0.0) => {
                return Err(bad("rate and speed must be positive numbers"))
            }
            _ => {}
        }
        let local: SocketAddr =
            if to.is_ipv4() { "0.0.0.0:0".parse() } else { "[::]:0".parse() }.expect("a socket address");
        let socket = UdpSocket::bind(local)?;
        socket.connect(to)?;
        Ok(Sender {
            socket,
            opts,
            schedule: Schedule::new(opts.pacing),
            started: None,
            stats: SendStats::default(),
            drops_at_start: udp_drop_counters(),
            arena: Vec::with_capacity(BATCH * 2048),
            queue: Vec::with_capacity(BATCH),
            gso: std::cell::Cell::new(cfg!(target_os = "linux") && opts.segmentation),
        })
    }

    /// The counts so far.
    pub fn stats(&self) -> SendStats {
        let mut s = self.stats;
        s.elapsed = self.started.map_or(Duration::ZERO, |t| t.elapsed());
        s.kernel_drops = match (self.drops_at_start, udp_drop_counters()) {
            (Some((a, b)), Some((c, d))) => Some((c.saturating_sub(a), d.saturating_sub(b))),
            _ => None,
        };
        s
    }

    /// Sends every datagram of `source` (one pass; call again for another,
    /// the schedule going on), until its end or until `stop` is set;
    /// `progress` is called every [`SendOptions::progress_every`]. Returns
    /// the counts since the sender was made.
    ///
    /// # Errors
    /// A damaged capture, or a send error other than `ECONNREFUSED`.
    pub fn send_all(
        &mut self,
        source: &mut impl DatagramSource,
        stop: &AtomicBool,
        mut progress: impl FnMut(&SendStats),
    ) -> Result<SendStats, ReadError> {
        self.schedule.new_pass();
        let mut last_report = Instant::now();
        let mut eof = false;
        loop {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            while !eof && self.queue.len() < self.opts.batch {
                match source.next_datagram()? {
                    None => eof = true,
                    Some(d) => {
                        let due = self.schedule.due(d.timestamp_ns);
                        self.started.get_or_insert_with(|| due.unwrap_or_else(Instant::now));
                        let start = self.arena.len();
                        self.arena.extend_from_slice(d.payload);
                        self.queue.push((due, start, self.arena.len()));
                    }
                }
            }
            if self.queue.is_empty() {
                break;
            }
            let now = Instant::now();
            let ready = self.queue.iter().take_while(|(due, _, _)| due.map_or(true, |d| d <= now)).count();
            if ready == 0 {
                let wait = self.queue[0].0.expect("not due yet, so scheduled") - now;
                // Sleep in slices so that a stop is noticed.
                std::thread::sleep(wait.min(Duration::from_millis(50)));
                continue;
            }
            self.send_ready(ready)?;
            // Keep what is not due yet at the front.
            let from = self.queue.get(ready).map_or(self.arena.len(), |q| q.1);
            self.arena.drain(..from);
            self.queue.drain(..ready);
            for q in &mut self.queue {
                q.1 -= from;
                q.2 -= from;
            }
            if last_report.elapsed() >= self.opts.progress_every {
                last_report = Instant::now();
                progress(&self.stats());
            }
        }
        if stop.load(Ordering::Relaxed) {
            self.queue.clear();
            self.arena.clear();
        }
        Ok(self.stats())
    }

    /// Sends the first `n` datagrams of the queue.
    fn send_ready(&mut self, n: usize) -> io::Result<()> {
        let mut i = 0;
        while i < n {
            let sent = if self.opts.batch > 1 { self.send_batch(i, n) } else { self.send_one(i) };
            match sent {
                Ok(k) => {
                    for q in &self.queue[i..i + k] {
                        self.stats.packets += 1;
                        self.stats.bytes += (q.2 - q.1) as u64;
                    }
                    i += k;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                    // The error belongs to an earlier datagram; this one was not sent.
                    self.stats.refused += 1;
                    i += 1;
                }
                Err(e) if e.raw_os_error() == Some(105) => std::thread::yield_now(), // ENOBUFS: try again
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn send_one(&self, i: usize) -> io::Result<usize> {
        let (_, a, b) = self.queue[i];
        self.socket.send(&self.arena[a..b]).map(|_| 1)
    }

    /// `sendmmsg(2)` of datagrams `from..to`; how many the kernel took.
    ///
    /// Runs of equal-sized datagrams (the full-sized segments of a bulk
    /// transfer) go as one message with UDP generic segmentation offload
    /// (`UDP_SEGMENT`, Linux 4.18, udp(7)): the stack splits it into the
    /// datagrams, each with its own UDP and IP header, once, instead of
    /// being walked once per datagram. If the kernel refuses it, plain
    /// messages from then on.
    #[cfg(target_os = "linux")]
    fn send_batch(&self, from: usize, to: usize) -> io::Result<usize> {
        use std::os::fd::AsRawFd;
        /// udp(7): `SOL_UDP` level, `UDP_SEGMENT` option (linux/udp.h), at most 64 segments.
        const SOL_UDP: libc::c_int = 17;
        const UDP_SEGMENT: libc::c_int = 103;
        const MAX_SEGMENTS: usize = 64;
        const MAX_GSO_BYTES: usize = 65_000;
        let mut iov: [libc::iovec; BATCH] =
            [libc::iovec { iov_base: core::ptr::null_mut(), iov_len: 0 }; BATCH];
        // SAFETY: mmsghdr is plain data, all-zero is a valid (empty) value.
        let mut msgs: [libc::mmsghdr; BATCH] = unsafe { core::mem::zeroed() };
        // One control buffer per message, aligned for cmsghdr.
        let mut control = [[0u64; 4]; BATCH];
        // Datagrams in each message.
        let mut counts = [0usize; BATCH];
        let gso = self.gso.get();
        let mut m = 0;
        let mut i = from;
        while i < to {
            let (_, a, b) = self.queue[i];
            let len = b - a;
            let mut j = i + 1;
            if gso {
                while j < to
                    && j - i < MAX_SEGMENTS
                    && self.queue[j].2 - self.queue[j].1 == len
                    && self.queue[j].1 == self.queue[j - 1].2
                    && (j + 1 - i) * len <= MAX_GSO_BYTES
                {
                    j += 1;
                }
            }
            let end = self.queue[j - 1].2;
            iov[m] =
                libc::iovec { iov_base: self.arena[a..end].as_ptr() as *mut libc::c_void, iov_len: end - a };
            msgs[m].msg_hdr.msg_iov = &mut iov[m];
            msgs[m].msg_hdr.msg_iovlen = 1;
            if j - i > 1 {
                let hdr = &mut msgs[m].msg_hdr;
                hdr.msg_control = control[m].as_mut_ptr().cast();
                // SAFETY: CMSG_SPACE of a u16 (24 bytes) fits the 32-byte buffer
                // just set as msg_control; CMSG_FIRSTHDR and CMSG_DATA point into it.
                unsafe {
                    hdr.msg_controllen = libc::CMSG_SPACE(2) as _;
                    let c = libc::CMSG_FIRSTHDR(hdr);
                    (*c).cmsg_level = SOL_UDP;
                    (*c).cmsg_type = UDP_SEGMENT;
                    (*c).cmsg_len = libc::CMSG_LEN(2) as _;
                    core::ptr::write_unaligned(libc::CMSG_DATA(c).cast::<u16>(), len as u16);
                }
            }
            counts[m] = j - i;
            m += 1;
            i = j;
        }
        // SAFETY: `msgs[..m]` point at `iov[..m]` and `control[..m]`, which
        // point into `self.arena`; all outlive the call, and the kernel only
        // reads them (msg_name is null: the socket is connected).
        let n = unsafe { libc::sendmmsg(self.socket.as_raw_fd(), msgs.as_mut_ptr(), m as libc::c_uint, 0) };
        if n < 0 {
            let e = io::Error::last_os_error();
            let refused = matches!(e.raw_os_error(), Some(libc::EINVAL | libc::EIO | libc::ENOPROTOOPT));
            if gso && counts[0] > 1 && refused {
                // No segmentation offload here: plain messages from now on.
                self.gso.set(false);
                return Err(io::Error::from(io::ErrorKind::Interrupted));
            }
            return Err(e);
        }
        Ok(counts[..n as usize].iter().sum())
    }

    #[cfg(not(target_os = "linux"))]
    fn send_batch(&self, from: usize, _to: usize) -> io::Result<usize> {
        self.send_one(from)
    }
}
