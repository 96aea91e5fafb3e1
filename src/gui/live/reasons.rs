//! Why requests failed at a node, as the small stacked list under it
//! ("queue full ×120 in 10 s"), and the answers a fallback gave there
//! instead of failing ("degraded ×300 in 10 s"): the counts of the last
//! [`SPAN_S`] simulated seconds, so every count on the canvas says what
//! span it covers. Paused, simulated time stands still and so do the counts.

use std::collections::VecDeque;

use crate::sim::{FailureReason, Stats};

/// Counts by outcome: one slot per failure reason (at its
/// [`FailureReason::index`]), then [`DEGRADED`], then [`DUPLICATE_WRITES`].
pub type Tally = [u64; SLOTS];
/// The slots of a [`Tally`].
pub const SLOTS: usize = FailureReason::COUNT + 2;
/// The slot of degraded answers (a fallback's), after the failure reasons.
pub const DEGRADED: usize = FailureReason::COUNT;
/// The slot of a database's writes applied twice (not failures: worse).
pub const DUPLICATE_WRITES: usize = FailureReason::COUNT + 1;

/// The span the counts cover, simulated seconds.
pub const SPAN_S: f64 = 10.0;
/// Samples kept at most; the oldest are merged beyond it (a slow run
/// samples often, and the list must stay bounded).
const MAX_SAMPLES: usize = 512;

/// Failure counts by reason, and degraded answers, over the last
/// [`SPAN_S`] simulated seconds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReasonTally {
    /// (simulated time of the sample, new counts by outcome), oldest first.
    samples: VecDeque<(f64, Tally)>,
}

impl ReasonTally {
    /// Adds the counts seen up to `now_s`, and forgets those older than the span.
    pub fn add(&mut self, now_s: f64, new: &Tally) {
        if new.iter().any(|n| *n > 0) {
            if self.samples.len() == MAX_SAMPLES
                && let Some((_, oldest)) = self.samples.pop_front()
                && let Some((_, next)) = self.samples.front_mut()
            {
                for (n, o) in next.iter_mut().zip(oldest) {
                    *n += o;
                }
            }
            self.samples.push_back((now_s, *new));
        }
        self.expire(now_s);
    }

    /// Forgets failures older than [`SPAN_S`] before `now_s`.
    pub fn expire(&mut self, now_s: f64) {
        while self.samples.front().is_some_and(|(at, _)| *at < now_s - SPAN_S) {
            self.samples.pop_front();
        }
    }

    fn sums(&self) -> Tally {
        let mut sums = [0u64; SLOTS];
        for (_, counts) in &self.samples {
            for (s, c) in sums.iter_mut().zip(counts) {
                *s += c;
            }
        }
        sums
    }

    /// The reasons worth showing, largest first, at most `n`.
    pub fn top(&self, n: usize) -> Vec<(FailureReason, u64)> {
        let sums = self.sums();
        let mut v: Vec<(FailureReason, u64)> =
            FailureReason::ALL.iter().map(|r| (*r, sums[r.index()])).filter(|(_, c)| *c > 0).collect();
        v.sort_by_key(|r| std::cmp::Reverse(r.1));
        v.truncate(n);
        v
    }

    /// Answers a fallback gave instead of failing, over the span.
    pub fn degraded(&self) -> u64 {
        self.sums()[DEGRADED]
    }

    /// Writes a database applied a second time, over the span.
    pub fn duplicate_writes(&self) -> u64 {
        self.sums()[DUPLICATE_WRITES]
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }
}

/// A node's reason with its count of failed attempts, as the canvas writes
/// it: `queue full ×120 in 10 s`.
pub fn reason_line(reason: FailureReason, count: u64) -> String {
    format!("{} ×{} in {SPAN_S:.0} s", reason.label(), super::super::format::count(count))
}

/// A client's failed requests, as its users saw them: `239 failed in 10 s: down`.
pub fn client_reason_line(reason: FailureReason, count: u64) -> String {
    format!("{} failed in {SPAN_S:.0} s: {}", super::super::format::count(count), reason.label())
}

/// A node's degraded answers, as the canvas writes them under it:
/// `degraded ×300 in 10 s` (answered by a fallback, not failed).
pub fn degraded_line(count: u64) -> String {
    format!("degraded ×{} in {SPAN_S:.0} s", super::super::format::count(count))
}

/// A database's writes applied twice, as the canvas writes them under it:
/// `written twice ×12 in 10 s` (retried writes without an idempotency key).
pub fn duplicate_line(count: u64) -> String {
    format!("written twice ×{} in {SPAN_S:.0} s", super::super::format::count(count))
}

/// A client's degraded requests, as its users saw them: `300 degraded in 10 s`.
pub fn client_degraded_line(count: u64) -> String {
    format!("{} degraded in {SPAN_S:.0} s", super::super::format::count(count))
}

/// A node's local failure counts by reason and its degraded answers, as a [`Tally`].
pub fn local_array(stats: &Stats) -> Tally {
    let mut out = [0; SLOTS];
    for r in FailureReason::ALL {
        out[r.index()] = stats.failures.get(r);
    }
    out[DEGRADED] = stats.degraded;
    out[DUPLICATE_WRITES] = stats.duplicate_writes;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_cover_the_last_ten_simulated_seconds_largest_first() {
        let mut t = ReasonTally::default();
        let mut new = [0; SLOTS];
        new[FailureReason::Rejected.index()] = 120;
        new[FailureReason::Timeout.index()] = 35;
        t.add(1.0, &new);
        t.add(6.0, &new);
        assert_eq!(t.top(3), vec![(FailureReason::Rejected, 240), (FailureReason::Timeout, 70)]);
        assert_eq!(reason_line(FailureReason::Rejected, 120), "queue full ×120 in 10 s");
        assert_eq!(client_reason_line(FailureReason::Timeout, 239), "239 failed in 10 s: timeout");
        t.expire(11.5);
        assert_eq!(t.top(1), vec![(FailureReason::Rejected, 120)], "the sample at 1 s is older than 10 s");
        t.expire(30.0);
        assert!(t.is_empty());
    }

    /// Degraded answers are counted over the same span, apart from the
    /// failures: they are never a reason.
    #[test]
    fn degraded_answers_are_counted_apart_from_failures() {
        let mut t = ReasonTally::default();
        let mut new = [0; SLOTS];
        new[DEGRADED] = 300;
        t.add(1.0, &new);
        new[FailureReason::Timeout.index()] = 2;
        t.add(2.0, &new);
        assert_eq!(t.degraded(), 600);
        assert_eq!(t.top(5), vec![(FailureReason::Timeout, 2)], "degraded is not a failure reason");
        assert_eq!(degraded_line(600), "degraded ×600 in 10 s");
        assert_eq!(client_degraded_line(600), "600 degraded in 10 s");
        t.expire(11.5);
        assert_eq!(t.degraded(), 300);
    }

    #[test]
    fn a_slow_run_keeps_a_bounded_list_and_loses_no_failure() {
        let mut t = ReasonTally::default();
        let mut one = [0; SLOTS];
        one[FailureReason::Rejected.index()] = 1;
        for k in 0..2_000 {
            t.add(f64::from(k) * 0.001, &one);
        }
        assert!(t.samples.len() <= MAX_SAMPLES);
        assert_eq!(t.top(1), vec![(FailureReason::Rejected, 2_000)]);
    }
}
