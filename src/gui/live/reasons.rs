//! Why requests failed at a node, as the small stacked list under it
//! ("queue full ×120"): counts that decay slowly while the simulation runs
//! and stand still while it is paused.

use crate::sim::{FailureCounts, FailureReason};

/// Half-life of a count, wall seconds of running.
const HALF_LIFE_S: f64 = 6.0;

/// Decaying failure counts by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ReasonTally {
    values: [f64; FailureReason::COUNT],
}

impl ReasonTally {
    /// Adds new failures.
    pub fn add(&mut self, new: &[u64; FailureReason::COUNT]) {
        for (v, n) in self.values.iter_mut().zip(new) {
            *v += *n as f64;
        }
    }

    /// Lets `wall_dt_s` of running pass. Not called while paused.
    pub fn decay(&mut self, wall_dt_s: f64) {
        let keep = 0.5f64.powf(wall_dt_s.max(0.0) / HALF_LIFE_S);
        for v in &mut self.values {
            *v *= keep;
            if *v < 0.5 {
                *v = 0.0;
            }
        }
    }

    /// The reasons worth showing, largest first, at most `n`.
    pub fn top(&self, n: usize) -> Vec<(FailureReason, u64)> {
        let mut v: Vec<(FailureReason, u64)> = FailureReason::ALL
            .iter()
            .map(|r| (*r, self.values[r.index()].round() as u64))
            .filter(|(_, c)| *c > 0)
            .collect();
        v.sort_by_key(|r| std::cmp::Reverse(r.1));
        v.truncate(n);
        v
    }

    pub fn is_empty(&self) -> bool {
        self.values.iter().all(|v| *v < 0.5)
    }
}

/// A reason with its count, as the canvas writes it: `queue full ×120`.
pub fn reason_line(reason: FailureReason, count: u64) -> String {
    format!("{} ×{}", reason.label(), super::super::format::count(count))
}

/// The local failure counts of a [`FailureCounts`] as an array by reason.
pub fn local_array(f: &FailureCounts) -> [u64; FailureReason::COUNT] {
    let mut out = [0; FailureReason::COUNT];
    for r in FailureReason::ALL {
        out[r.index()] = f.get(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_decay_while_running_and_list_largest_first() {
        let mut t = ReasonTally::default();
        let mut new = [0; FailureReason::COUNT];
        new[FailureReason::Rejected.index()] = 120;
        new[FailureReason::Timeout.index()] = 35;
        t.add(&new);
        assert_eq!(t.top(3), vec![(FailureReason::Rejected, 120), (FailureReason::Timeout, 35)]);
        assert_eq!(reason_line(FailureReason::Rejected, 120), "queue full ×120");
        t.decay(HALF_LIFE_S);
        assert_eq!(t.top(1), vec![(FailureReason::Rejected, 60)]);
        t.decay(100.0);
        assert!(t.is_empty());
    }
}
