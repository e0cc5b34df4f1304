//! The socket end: batches of datagrams out, counts in.

use super::datagrams::{DatagramSource, ReadError};
use super::pace::{Pacing, Schedule};
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Datagrams handed to the kernel in one `sendmmsg(2)` call by default (as
/// fast as on loopback as 64 or 1024 were, in `benches/scale.rs`).
pub const BATCH: usize = 256;

/// The most datagrams in one `sendmmsg(2)` call: `UIO_MAXIOV`, the most
/// messages one call takes (sendmmsg(2): "vlen is capped to UIO_MAXIOV (1024)").
pub const MAX_BATCH: usize = 1024;

/// How to send.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SendOptions {
    /// When each datagram is due.
    pub pacing: Pacing,
    /// Datagrams per system call, 1..=[`MAX_BATCH`] (default [`BATCH`]): 1
    /// is one `send(2)` each; more use `sendmmsg(2)` on Linux (elsewhere,
    /// always one `send` each).
    pub batch: usize,
    /// How often the progress callback is called.
    pub progress_every: Duration,
    /// Whether runs of equal-sized datagrams in a batch (and one shorter
    /// datagram after a run) may go as one message with UDP segmentation
    /// offload (Linux; see `send_batch`).
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
    /// When `progress` was last called (kept from pass to pass: a short capture looped reports too).
    reported: Instant,
    stats: SendStats,
    drops_at_start: Option<(u64, u64)>,
    /// Datagrams read and not yet sent: their bytes, and (due, start, end) of each.
    arena: Vec<u8>,
    queue: Vec<(Option<Instant>, usize, usize)>,
    /// The largest datagram sent as a segment with UDP segmentation offload
    /// (0: none; until the kernel refuses it).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    gso_max_segment: usize,
    /// The `sendmmsg(2)` arguments, kept from call to call.
    #[cfg(target_os = "linux")]
    messages: Messages,
}

/// The `sendmmsg(2)` arguments of one batch, allocated once: one message,
/// its iovec and its control buffer (aligned for `cmsghdr`) per datagram at most.
#[cfg(target_os = "linux")]
struct Messages {
    msgs: Vec<libc::mmsghdr>,
    iov: Vec<libc::iovec>,
    control: Vec<[u64; 4]>,
    /// Datagrams in each message.
    counts: Vec<usize>,
}

// SAFETY: the raw pointers in `msgs` and `iov` are written by `send_batch`
// before each call, into memory the `Sender` owns (its arena and these
// vectors), and nothing reads them between calls; moving the `Sender` to
// another thread shares nothing.
#[cfg(target_os = "linux")]
unsafe impl Send for Messages {}

#[cfg(target_os = "linux")]
impl Messages {
    fn new(batch: usize) -> Messages {
        // SAFETY: mmsghdr is plain data, all-zero is a valid (empty) value.
        let empty: libc::mmsghdr = unsafe { core::mem::zeroed() };
        Messages {
            msgs: vec![empty; batch],
            iov: vec![libc::iovec { iov_base: core::ptr::null_mut(), iov_len: 0 }; batch],
            control: vec![[0u64; 4]; batch],
            counts: vec![0; batch],
        }
    }
}

#[cfg(target_os = "linux")]
impl std::fmt::Debug for Messages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Messages").field("capacity", &self.msgs.len()).finish_non_exhaustive()
    }
}

/// The largest UDP payload one segment of a `UDP_SEGMENT` message may have
/// on the socket's path: the path MTU (`IP_MTU` or `IPV6_MTU`, ip(7) and
/// ipv6(7), a connected socket) less the IP and UDP headers (Linux refuses
/// larger segments: `EINVAL`).
#[cfg(target_os = "linux")]
fn max_segment(socket: &UdpSocket) -> Option<usize> {
    use std::os::fd::AsRawFd;
    let v6 = socket.peer_addr().ok()?.is_ipv6();
    let (level, name, headers) = if v6 {
        (libc::IPPROTO_IPV6, libc::IPV6_MTU, 40 + 8)
    } else {
        (libc::IPPROTO_IP, libc::IP_MTU, 20 + 8)
    };
    let mut mtu: libc::c_int = 0;
    let mut len = core::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: a valid socket, and a c_int with its length to write the option into.
    let r = unsafe {
        libc::getsockopt(socket.as_raw_fd(), level, name, (&mut mtu as *mut libc::c_int).cast(), &mut len)
    };
    if r != 0 {
        return None;
    }
    usize::try_from(mtu).ok()?.checked_sub(headers)
}

impl Sender {
    /// A socket bound to an ephemeral port of the address family of `to`
    /// and connected to it.
    ///
    /// # Errors
    /// The socket's errors; `batch` outside 1..=[`MAX_BATCH`] or a rate or speed
    /// that is not a positive number is [`io::ErrorKind::InvalidInput`].
    pub fn new(to: SocketAddr, opts: SendOptions) -> io::Result<Sender> {
        let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, what.to_string());
        if !(1..=MAX_BATCH).contains(&opts.batch) {
            return Err(bad("batch must be 1..=1024"));
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
        #[cfg(target_os = "linux")]
        let gso_max_segment = if opts.segmentation { max_segment(&socket).unwrap_or(0) } else { 0 };
        #[cfg(not(target_os = "linux"))]
        let gso_max_segment = 0;
        Ok(Sender {
            socket,
            opts,
            schedule: Schedule::new(opts.pacing),
            started: None,
            reported: Instant::now(),
            stats: SendStats::default(),
            drops_at_start: udp_drop_counters(),
            arena: Vec::with_capacity(opts.batch * 2048),
            queue: Vec::with_capacity(opts.batch),
            gso_max_segment,
            #[cfg(target_os = "linux")]
            messages: Messages::new(opts.batch),
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
        let mut eof = false;
        loop {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            // Here, so that it is called while waiting for a datagram due later too.
            if self.reported.elapsed() >= self.opts.progress_every {
                self.reported = Instant::now();
                progress(&self.stats());
            }
            while !eof && self.queue.len() < self.opts.batch {
                let start = self.arena.len();
                match source.append_next(&mut self.arena)? {
                    None => eof = true,
                    Some((timestamp_ns, _)) => {
                        let due = self.schedule.due(timestamp_ns);
                        self.started.get_or_insert_with(|| due.unwrap_or_else(Instant::now));
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
    /// transfer, or a train of bare ACKs), and one shorter datagram after
    /// such a run, go as one message with UDP generic segmentation offload
    /// (`UDP_SEGMENT`, udp(7), Linux 4.18): the kernel cuts the message's
    /// payload into segments of the first one's size, "the last segment
    /// [...] shorter" if the total is not a multiple of it (commit
    /// bec1f6f69736, "udp: generate gso with UDP_SEGMENT"), each datagram
    /// with its own UDP and IP header: the same datagrams in the same
    /// order, but one buffer through the stack instead of one per datagram.
    /// At most 64 segments (`UDP_MAX_SEGMENTS` of Linux 4.18) and 65,000
    /// bytes a message, segments no larger than the path MTU allows
    /// (`IP_MTU`, ip(7); the kernel refuses larger ones with `EINVAL`). If
    /// the kernel refuses a segmented message (`EIO` when the route cannot
    /// checksum in the stack's GSO, `EINVAL`, `ENOPROTOOPT`), the path MTU
    /// is read again and, if it did not shrink, plain messages are sent
    /// from then on.
    #[cfg(target_os = "linux")]
    fn send_batch(&mut self, from: usize, to: usize) -> io::Result<usize> {
        use std::os::fd::AsRawFd;
        /// udp(7): `SOL_UDP` level, `UDP_SEGMENT` option (linux/udp.h).
        const SOL_UDP: libc::c_int = 17;
        const UDP_SEGMENT: libc::c_int = 103;
        const MAX_SEGMENTS: usize = 64;
        const MAX_GSO_BYTES: usize = 65_000;
        let largest = self.gso_max_segment;
        let m = &mut self.messages;
        let mut n = 0;
        let mut i = from;
        while i < to {
            let (_, a, b) = self.queue[i];
            let len = b - a;
            let mut j = i + 1;
            if len > 0 && len <= largest {
                let mut total = len;
                while j < to && j - i < MAX_SEGMENTS && self.queue[j].1 == self.queue[j - 1].2 {
                    let next = self.queue[j].2 - self.queue[j].1;
                    if next == 0 || next > len || total + next > MAX_GSO_BYTES {
                        break;
                    }
                    total += next;
                    j += 1;
                    if next < len {
                        break; // The shorter last segment ends the message.
                    }
                }
            }
            let end = self.queue[j - 1].2;
            m.iov[n] =
                libc::iovec { iov_base: self.arena[a..end].as_ptr() as *mut libc::c_void, iov_len: end - a };
            let hdr = &mut m.msgs[n].msg_hdr;
            hdr.msg_iov = &mut m.iov[n];
            hdr.msg_iovlen = 1;
            if j - i > 1 {
                hdr.msg_control = m.control[n].as_mut_ptr().cast();
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
            } else {
                hdr.msg_control = core::ptr::null_mut();
                hdr.msg_controllen = 0;
            }
            m.counts[n] = j - i;
            n += 1;
            i = j;
        }
        // SAFETY: `msgs[..n]` point at `iov[..n]` (which point into
        // `self.arena`) and at `control[..n]` or no control; all outlive the
        // call, and the kernel only reads them (msg_name is null: the socket
        // is connected).
        let sent =
            unsafe { libc::sendmmsg(self.socket.as_raw_fd(), m.msgs.as_mut_ptr(), n as libc::c_uint, 0) };
        if sent < 0 {
            let e = io::Error::last_os_error();
            let refused = matches!(e.raw_os_error(), Some(libc::EINVAL | libc::EIO | libc::ENOPROTOOPT));
            if m.counts[0] > 1 && refused {
                let segment = self.queue[from].2 - self.queue[from].1;
                self.gso_max_segment = match max_segment(&self.socket) {
                    // The path MTU shrank under the segment (a PMTU update): smaller segments only.
                    Some(max) if max < segment => max,
                    // No segmentation offload here: plain messages from now on.
                    _ => 0,
                };
                return Err(io::Error::from(io::ErrorKind::Interrupted));
            }
            return Err(e);
        }
        Ok(m.counts[..sent as usize].iter().sum())
    }

    #[cfg(not(target_os = "linux"))]
    fn send_batch(&mut self, from: usize, _to: usize) -> io::Result<usize> {
        self.send_one(from)
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use crate::send::Datagram;

    #[test]
    fn a_sender_can_move_to_another_thread() {
        fn is_send<T: Send>() {}
        is_send::<Sender>();
    }

    /// Datagrams whose sizes exercise every way a segmented message ends
    /// (a run longer than 64, one past 65,000 bytes, a shorter last one, a
    /// longer one, an empty one), each of distinct bytes, arrive one by one
    /// and in order at a socket without `UDP_GRO`, with and without offload.
    #[test]
    fn segmented_runs_arrive_as_the_same_datagrams_in_order() {
        let mut sizes = vec![100; 70];
        sizes.extend([1400, 1400, 1400, 700, 700]);
        sizes.extend([1400; 50]);
        sizes.extend([10, 10, 0, 10, 10, 10, 11, 2000, 2000, 1999, 1]);
        let payloads: Vec<Vec<u8>> =
            sizes.iter().enumerate().map(|(i, &n)| (0..n).map(|k| (i * 7 + k) as u8).collect()).collect();
        let datagrams: Vec<Datagram<'_>> =
            payloads.iter().map(|p| Datagram { timestamp_ns: 0, port: 4789, payload: p }).collect();
        for segmentation in [true, false] {
            let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
            socket.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
            let to = socket.local_addr().unwrap();
            let want = payloads.len();
            let rx = std::thread::spawn(move || {
                let mut buf = vec![0u8; 65536];
                let mut got = Vec::new();
                while got.len() < want {
                    let Ok(n) = socket.recv(&mut buf) else { break };
                    got.push(buf[..n].to_vec());
                }
                got
            });
            let opts = SendOptions { segmentation, ..SendOptions::default() };
            let mut sender = Sender::new(to, opts).unwrap();
            let stats = sender.send_all(&mut datagrams.iter(), &AtomicBool::new(false), |_| {}).unwrap();
            assert_eq!(stats.packets, want as u64);
            let got = rx.join().unwrap();
            assert_eq!(got.len(), want, "segmentation {segmentation}");
            for (i, (g, p)) in got.iter().zip(&payloads).enumerate() {
                assert!(
                    g == p,
                    "datagram {i} ({} bytes, got {}), segmentation {segmentation}",
                    p.len(),
                    g.len()
                );
            }
        }
    }
}
