//! When each flow of a scenario starts.
//!
//! A flow's [`Gap`] says when the next one starts, counted from its own
//! start or (the `http` scenario) from its last frame; and at most
//! `max_concurrent` flows are in progress at once: a flow is in progress
//! from its start to its last frame, and one that would start while
//! `max_concurrent` are starts 1 ns after the first of them ends. So the
//! starts follow from the flows' lengths alone: [`StartClock`] computes
//! them in order, for the scheduler that plays the flows
//! ([`super::FlowScheduler`]) and for a `--jobs` run, whose flows are
//! planned on other threads ([`super::parallel`]), alike.

use crate::traffic::scenario::Gap;
use core::cmp::Reverse;
use std::collections::BinaryHeap;

/// The starts of a scenario's flows, one after another.
///
/// ```text
/// let s = clock.start();            // flow i's start
/// clock.planned(s, gap, end);       // flow i planned at s: its gap and last frame
/// let s = clock.start();            // flow i + 1's start
/// ```
#[derive(Debug, Clone)]
pub(crate) struct StartClock {
    /// The next flow's start by its gap alone.
    next: u64,
    /// Last frames of the flows in progress at `next` (or later).
    ends: BinaryHeap<Reverse<u64>>,
    max: usize,
}

impl StartClock {
    /// The first flow starts at `start_ns`; at most `max_concurrent` (at
    /// least 1) in progress at once.
    pub(crate) fn new(start_ns: u64, max_concurrent: usize) -> StartClock {
        let max = max_concurrent.max(1);
        StartClock { next: start_ns, ends: BinaryHeap::with_capacity(max + 1), max }
    }

    /// The start of the next flow: strictly later than the one before.
    pub(crate) fn start(&mut self) -> u64 {
        let mut start = self.next;
        self.forget_before(start);
        if self.ends.len() >= self.max {
            // Full: the flow starts just after the first one in progress ends.
            let Reverse(first_end) = self.ends.pop().expect("full, so not empty");
            start = start.max(first_end + 1);
            self.forget_before(start);
        }
        self.next = start;
        start
    }

    /// The flow [`start`](Self::start) last gave `start_ns` was planned:
    /// `gap` decides the next start, `end_ns` is its last frame's time
    /// (`None`: the flow has no frames, and is never in progress).
    pub(crate) fn planned(&mut self, start_ns: u64, gap: Gap, end_ns: Option<u64>) {
        if let Some(end) = end_ns {
            self.ends.push(Reverse(end));
        }
        self.next = gap.next_start(start_ns, end_ns.unwrap_or(0));
    }

    fn forget_before(&mut self, t: u64) {
        while self.ends.peek().is_some_and(|Reverse(end)| *end < t) {
            self.ends.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_alone_while_not_full() {
        let mut c = StartClock::new(100, 2);
        assert_eq!(c.start(), 100);
        c.planned(100, Gap::FromStart(10), Some(500));
        assert_eq!(c.start(), 110);
        c.planned(110, Gap::FromEnd(5), Some(130));
        assert_eq!(c.start(), 135, "5 after the last frame");
    }

    #[test]
    fn a_full_clock_waits_for_the_first_end() {
        let mut c = StartClock::new(0, 2);
        let s = c.start();
        c.planned(s, Gap::FromStart(1), Some(50));
        let s = c.start();
        c.planned(s, Gap::FromStart(1), Some(40));
        assert_eq!(c.start(), 41, "two in progress until 40");
        c.planned(41, Gap::FromStart(1), Some(45));
        assert_eq!(c.start(), 46, "then 41..45 and 0..50");
        c.planned(46, Gap::FromStart(1), None);
        assert_eq!(c.start(), 47, "a flow without frames takes no place, and 41..45 has ended");
        c.planned(47, Gap::FromStart(1), Some(60));
        assert_eq!(c.start(), 51, "0..50 and 47..60 in progress");
    }

    #[test]
    fn a_flow_ending_at_the_next_start_is_still_in_progress() {
        let mut c = StartClock::new(0, 1);
        c.start();
        c.planned(0, Gap::FromStart(10), Some(10));
        assert_eq!(c.start(), 11);
    }
}
