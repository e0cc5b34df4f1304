//! When each datagram is due.

use std::time::{Duration, Instant};

/// How fast datagrams go out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pacing {
    /// As fast as the socket takes them.
    Fast,
    /// A fixed number of datagrams per second.
    Rate(f64),
    /// The capture's own timing, `speed` times as fast (1.0: real time).
    Capture {
        /// How many times faster than captured.
        speed: f64,
    },
}

/// An absolute schedule: datagram `i` is due at an instant computed from
/// the start, never from when the last one went, so lateness (a sleep that
/// overslept, a slow batch) is caught up rather than accumulated.
#[derive(Debug)]
pub(crate) struct Schedule {
    pacing: Pacing,
    /// When the first datagram was due (set by the first call of `due`).
    start: Option<Instant>,
    /// Datagrams scheduled so far (for a fixed rate).
    count: u64,
    /// Capture timing: the first timestamp of the pass and the instant it maps to.
    origin: Option<(u64, Instant)>,
    /// The latest instant handed out, where the next pass starts.
    last: Instant,
}

impl Schedule {
    pub(crate) fn new(pacing: Pacing) -> Schedule {
        let now = Instant::now();
        // Capture timing starts at the first datagram's instant too (`last`, until then now).
        Schedule { pacing, start: None, count: 0, origin: None, last: now }
    }

    /// A new pass over the capture (`--loop`): capture timing starts again
    /// from the pass's first timestamp, right after the previous pass's last datagram.
    pub(crate) fn new_pass(&mut self) {
        self.origin = None;
    }

    /// When the next datagram, captured at `timestamp_ns`, is due (`None`: now).
    pub(crate) fn due(&mut self, timestamp_ns: u64) -> Option<Instant> {
        let at = match self.pacing {
            Pacing::Fast => return None,
            Pacing::Rate(pps) => {
                *self.start.get_or_insert_with(Instant::now)
                    + Duration::from_secs_f64(self.count as f64 / pps)
            }
            Pacing::Capture { speed } => {
                if self.count == 0 {
                    self.last = Instant::now();
                }
                let (t0, i0) = *self.origin.get_or_insert((timestamp_ns, self.last));
                i0 + Duration::from_secs_f64(timestamp_ns.saturating_sub(t0) as f64 / 1e9 / speed)
            }
        };
        self.count += 1;
        self.last = self.last.max(at);
        Some(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_rate_is_an_absolute_schedule() {
        let mut s = Schedule::new(Pacing::Rate(1000.0));
        let first = s.due(0).unwrap();
        let thousandth = (1..1000).map(|_| s.due(0).unwrap()).last().unwrap();
        assert_eq!(thousandth - first, Duration::from_millis(999));
    }

    #[test]
    fn capture_timing_scales_and_each_pass_follows_the_last() {
        let mut s = Schedule::new(Pacing::Capture { speed: 2.0 });
        let a = s.due(5_000_000_000).unwrap();
        let b = s.due(7_000_000_000).unwrap();
        assert_eq!(b - a, Duration::from_secs(1));
        s.new_pass();
        let c = s.due(5_000_000_000).unwrap();
        assert_eq!(c, b, "the second pass starts where the first ended");
        assert_eq!(Schedule::new(Pacing::Fast).due(1), None);
    }
}
