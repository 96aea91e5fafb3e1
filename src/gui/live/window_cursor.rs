//! New failures at a node since the last look, from the closed windows of
//! the time series plus the window still open. The engine keeps cumulative
//! numbers per window; this turns them into increments without counting
//! anything twice.

use crate::sim::FailureReason;
use crate::sim::metrics::TimeSeries;

use super::reasons::local_array;

type ByReason = [u64; FailureReason::COUNT];

/// Where the previous look stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WindowCursor {
    /// Windows closed (ever, including those dropped from the ring) at the last look.
    closed: u64,
    /// Counts of the window that was open at the last look, already reported.
    seen: ByReason,
}

impl WindowCursor {
    /// A cursor that reports only what happens from now on.
    pub fn starting_at(series: &TimeSeries) -> Self {
        Self { closed: series.dropped + series.len() as u64, seen: [0; FailureReason::COUNT] }
    }

    /// Failures of node `node` that happened since the previous call, given
    /// the counts of the window open now.
    pub fn take_new(&mut self, series: &TimeSeries, node: usize, open_window: &ByReason) -> ByReason {
        let closed_now = series.dropped + series.len() as u64;
        let mut new = [0u64; FailureReason::COUNT];
        if closed_now < self.closed {
            // The simulation was rebuilt: start over.
            *self = WindowCursor { closed: closed_now, seen: *open_window };
            return *open_window;
        }
        let mut already = self.seen;
        for k in self.closed..closed_now {
            if k >= series.dropped {
                let frame = &series.frames()[(k - series.dropped) as usize];
                if let Some(stats) = frame.nodes.get(node) {
                    add_diff(&mut new, &local_array(&stats.failures), &already);
                }
            }
            already = [0; FailureReason::COUNT];
        }
        add_diff(&mut new, open_window, &already);
        *self = WindowCursor { closed: closed_now, seen: *open_window };
        new
    }
}

fn add_diff(acc: &mut ByReason, now: &ByReason, before: &ByReason) {
    for i in 0..acc.len() {
        acc[i] += now[i].saturating_sub(before[i]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{FailureCounts, Stats, WindowFrame};

    fn frame(rejected: u64) -> WindowFrame {
        let stats = Stats { failures: FailureCounts { rejected, ..Default::default() }, ..Default::default() };
        WindowFrame { start_s: 0.0, end_s: 1.0, end_to_end: Stats::default(), nodes: vec![stats], edges: vec![] }
    }

    fn open(rejected: u64) -> ByReason {
        let mut a = [0; FailureReason::COUNT];
        a[FailureReason::Rejected.index()] = rejected;
        a
    }

    #[test]
    fn increments_add_up_across_window_boundaries() {
        let mut series = TimeSeries::new(10);
        let mut cursor = WindowCursor::default();
        let r = FailureReason::Rejected.index();
        assert_eq!(cursor.take_new(&series, 0, &open(5))[r], 5);
        assert_eq!(cursor.take_new(&series, 0, &open(8))[r], 3);
        // The window closes with 10 in all, two more windows pass, 4 so far in the open one.
        series.push(frame(10));
        series.push(frame(7));
        series.push(frame(1));
        assert_eq!(cursor.take_new(&series, 0, &open(4))[r], 2 + 7 + 1 + 4);
        assert_eq!(cursor.take_new(&series, 0, &open(4))[r], 0);
    }

    #[test]
    fn a_rebuilt_simulation_starts_over() {
        let mut series = TimeSeries::new(10);
        series.push(frame(3));
        let mut cursor = WindowCursor::default();
        cursor.take_new(&series, 0, &open(0));
        let fresh = TimeSeries::new(10);
        assert_eq!(cursor.take_new(&fresh, 0, &open(2))[FailureReason::Rejected.index()], 2);
    }
}
