//! Stop-the-world pauses of a node (the `Pause` fault): when its work ends.
//!
//! A pause freezes the node's own work — a service's work, a database
//! query, a cache lookup — as a garbage collector's stop-the-world phase
//! freezes every thread of a process: a piece of work that would end at
//! `t` ends at `t` plus the paused time between its start and its end,
//! and work that starts during a pause starts when the pause ends.
//!
//! The pauses of a run are all in the fault timeline, known when the run
//! is built, so the end of a piece of work is computed exactly when it
//! starts: nothing has to be found and moved later when a pause begins,
//! and a node without pauses pays one emptiness check per piece of work.

use super::SimTime;

/// The span a `Pause(at_s, duration_s)` freezes its node, `[start, end)`:
/// the one place both ends are rounded, so the engine's bookkeeping and the
/// log's "paused" and "resumes" events agree to the nanosecond.
pub fn pause_span(at_s: f64, duration_s: f64) -> (SimTime, SimTime) {
    (SimTime::from_secs(at_s), SimTime::from_secs(at_s + duration_s))
}

/// A node's pauses that have not ended yet: disjoint `[start, end)` spans
/// in time order (overlapping or touching pauses are merged into one).
#[derive(Debug, Clone, Default)]
pub struct Pauses {
    spans: Vec<(SimTime, SimTime)>,
}

impl Pauses {
    /// Adds a pause from `start` to `end` (an empty one is ignored).
    pub fn add(&mut self, start: SimTime, end: SimTime) {
        if end <= start {
            return;
        }
        let (mut start, mut end) = (start, end);
        // Swallow every span that overlaps or touches the new one.
        self.spans.retain(|&(a, b)| {
            let apart = b < start || a > end;
            if !apart {
                start = start.min(a);
                end = end.max(b);
            }
            apart
        });
        let at = self.spans.partition_point(|&(a, _)| a < start);
        self.spans.insert(at, (start, end));
    }

    /// When work of `duration` nanoseconds that starts at `start` ends:
    /// `start + duration` plus the paused time it runs into.
    #[inline]
    pub fn work_ends(&self, start: SimTime, duration: u64) -> SimTime {
        if self.spans.is_empty() { start.after(duration) } else { self.frozen_work_ends(start, duration) }
    }

    // Only while pauses are to come: kept out of line so the check above
    // is all the hot path carries.
    #[cold]
    #[inline(never)]
    fn frozen_work_ends(&self, start: SimTime, duration: u64) -> SimTime {
        let (mut t, mut left) = (start, duration);
        for &(a, b) in &self.spans {
            if b <= t {
                continue; // over before the work reached it
            }
            if a > t {
                // The work runs until the pause, or ends before it.
                let before = a.since(t);
                if left <= before {
                    return t.after(left);
                }
                left -= before;
            }
            // Frozen until the pause ends (work that starts during a pause
            // starts when it ends).
            t = b;
        }
        t.after(left)
    }

    /// The end of the pause in force at `now`, if one is.
    pub fn paused_until(&self, now: SimTime) -> Option<SimTime> {
        self.spans.iter().find(|&&(a, b)| a <= now && now < b).map(|&(_, b)| b)
    }

    /// Forgets the pauses over by `now`, so a node whose pauses are all
    /// past is back on the path without them.
    pub fn forget_ended(&mut self, now: SimTime) {
        self.spans.retain(|&(_, b)| b > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64) -> SimTime {
        SimTime(ms * 1_000_000)
    }

    const MS: u64 = 1_000_000;

    #[test]
    fn work_is_pushed_later_by_the_paused_time_it_overlaps() {
        let mut p = Pauses::default();
        assert_eq!(p.work_ends(t(5), 10 * MS), t(15), "no pause: start + duration");
        p.add(t(100), t(200));
        // Over before the pause, or ending exactly as it starts: untouched.
        assert_eq!(p.work_ends(t(50), 10 * MS), t(60));
        assert_eq!(p.work_ends(t(90), 10 * MS), t(100));
        // Running into it: 5 ms before, 100 ms frozen, 5 ms after.
        assert_eq!(p.work_ends(t(95), 10 * MS), t(205));
        // Starting during it: starts when it ends; no time, ends then.
        assert_eq!(p.work_ends(t(150), 10 * MS), t(210));
        assert_eq!(p.work_ends(t(150), 0), t(200));
        assert_eq!(p.work_ends(t(100), 0), t(200), "a pause holds from its first instant");
        // After it: untouched.
        assert_eq!(p.work_ends(t(200), 10 * MS), t(210));
        // Pushed into a later pause: frozen again.
        p.add(t(210), t(260));
        assert_eq!(p.work_ends(t(95), 10 * MS), t(205), "done before the next pause");
        assert_eq!(p.work_ends(t(95), 20 * MS), t(265), "5 ms, 100 frozen, 10 ms, 50 frozen, 5 ms");
    }

    #[test]
    fn overlapping_and_touching_pauses_merge_and_ended_ones_are_forgotten() {
        let mut p = Pauses::default();
        p.add(t(300), t(400));
        p.add(t(100), t(200));
        p.add(t(150), t(250));
        p.add(t(250), t(260));
        p.add(t(500), t(500));
        assert_eq!(p.spans, vec![(t(100), t(260)), (t(300), t(400))]);
        assert_eq!(p.paused_until(t(99)), None);
        assert_eq!(p.paused_until(t(100)), Some(t(260)));
        assert_eq!(p.paused_until(t(260)), None, "over at its end");
        assert_eq!(p.work_ends(t(90), 20 * MS), t(270));
        p.forget_ended(t(260));
        assert_eq!(p.spans, vec![(t(300), t(400))]);
        p.forget_ended(t(400));
        assert!(p.spans.is_empty());
    }
}
