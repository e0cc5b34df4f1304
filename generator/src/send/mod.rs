//! Sending mirror copies to a live target, as AWS delivers them: each copy
//! is one UDP datagram whose payload is the VXLAN header and the mirrored
//! frame (UDP 4789, RFC 7348 section 5), or for a Gateway Load Balancer
//! target the GENEVE header around it (UDP 6081, RFC 8926 section 3.3).
//!
//! * `datagrams.rs`: [`DatagramReader`] streams a capture (pcap or pcapng,
//!   written by vxgen or by tcpdump on a mirror target) and yields each
//!   record's outer UDP payload, its destination port and its time; records
//!   that are not Ethernet / IPv4 / UDP to 4789 or 6081 are skipped and
//!   counted. [`DatagramSource`] is what a sender takes: such a reader, or
//!   datagrams already in memory.
//! * `pace.rs`: [`Pacing`]: as fast as possible, a fixed rate, or the
//!   capture's own timing (scaled by a speed); an absolute schedule (each
//!   datagram has the instant it is due), so that sleeping late never
//!   lowers the average rate.
//! * `socket.rs`: [`Sender`]: batches of datagrams in one `sendmmsg(2)`
//!   call on Linux, runs of equal-sized ones as one message under UDP
//!   segmentation offload (`UDP_SEGMENT`, udp(7)); one `send` per datagram
//!   elsewhere; the counts, and the kernel's UDP drop counters from
//!   `/proc/net/snmp`.
//!
//! ```
//! use generator::send::{DatagramReader, Pacing, SendOptions, Sender};
//! use std::net::UdpSocket;
//! use std::sync::atomic::AtomicBool;
//!
//! // A capture of two flows, as `vxgen generate` writes it.
//! use generator::capture::{CaptureWriter, Format};
//! use generator::generate::{run, Options};
//! use generator::mirror::session::Mirror;
//! let mut w = CaptureWriter::new(Vec::new(), Format::Pcap, 65535)?;
//! let stats = run(&Mirror::example(1), &Options { conversations: 2, ..Options::default() }, &mut w, |_| {})?;
//! let capture = w.finish()?;
//!
//! let target = UdpSocket::bind("127.0.0.1:0")?;
//! let mut sender = Sender::new(target.local_addr()?, SendOptions { pacing: Pacing::Fast, ..SendOptions::default() })?;
//! let mut reader = DatagramReader::new(&capture[..])?;
//! let sent = sender.send_all(&mut reader, &AtomicBool::new(false), |_| {})?;
//! assert_eq!(sent.packets, stats.copies);
//! assert_eq!(reader.skipped(), 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod datagrams;
mod pace;
mod socket;

pub use datagrams::{Datagram, DatagramReader, DatagramSource, ReadError, GENEVE_PORT, VXLAN_PORT};
pub use pace::Pacing;
pub use socket::{udp_drop_counters, SendOptions, SendStats, Sender, BATCH, MAX_BATCH};

/// A flag set by the first SIGINT or SIGTERM (a second one ends the process
/// with status 130), so that a sender can stop between two batches and
/// report what it sent.
///
/// # Errors
/// The error of registering the handlers.
#[cfg(unix)]
pub fn stop_on_signals() -> std::io::Result<std::sync::Arc<std::sync::atomic::AtomicBool>> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for signal in [SIGINT, SIGTERM] {
        // The first signal sets the flag; one arriving with the flag set exits.
        signal_hook::flag::register_conditional_shutdown(signal, 130, stop.clone())?;
        signal_hook::flag::register(signal, stop.clone())?;
    }
    Ok(stop)
}
