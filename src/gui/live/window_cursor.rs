//! New failures (and degraded answers) at a node since the last look,
//! from the closed windows of the time series plus the window still open.
//! The engine keeps cumulative numbers per window; this turns them into
//! increments without counting anything twice.

use crate::sim::metrics::TimeSeries;

use super::reasons::{SLOTS, Tally, local_array};

/// Where the previous look stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WindowCursor {
    /// Windows closed (ever, including those dropped from the ring) at the last look.
    closed: u64,
    /// Counts of the window that was open at the last look, already reported.
    seen: Tally,
}

impl WindowCursor {
    /// A cursor that reports only what happens from now on.
    pub fn starting_at(series: &TimeSeries) -> Self {
        Self { closed: series.dropped + series.len() as u64, seen: [0; SLOTS] }
    }

    /// Failures (and degraded answers) of node `node` since the previous call, given
    /// the counts of the window open now.
    pub fn take_new(&mut self, series: &TimeSeries, node: usize, open_window: &Tally) -> Tally {
        let mut sum = [0u64; SLOTS];
        for (_, piece) in self.take_new_timed(series, node, open_window, 0.0) {
            add_diff(&mut sum, &piece, &[0; SLOTS]);
        }
        sum
    }

    /// The same failures, window by window, each with the simulated time
    /// it belongs to (a closed window's end; `now_s` for the open one), so
    /// a count covering many windows at once (fast-forward) is still put
    /// where it happened. Windows without a failure are left out.
    pub fn take_new_timed(
        &mut self,
        series: &TimeSeries,
        node: usize,
        open_window: &Tally,
        now_s: f64,
    ) -> Vec<(f64, Tally)> {
        let closed_now = series.dropped + series.len() as u64;
        let mut pieces = Vec::new();
        let mut keep = |at: f64, piece: Tally| {
            if piece.iter().any(|n| *n > 0) {
                pieces.push((at, piece));
            }
        };
        if closed_now < self.closed {
            // The simulation was rebuilt: start over.
            *self = WindowCursor { closed: closed_now, seen: *open_window };
            keep(now_s, *open_window);
            return pieces;
        }
        let mut already = self.seen;
        for k in self.closed..closed_now {
            if k >= series.dropped {
                let frame = &series.frames()[(k - series.dropped) as usize];
                if let Some(stats) = frame.nodes.get(node) {
                    let mut piece = [0u64; SLOTS];
                    add_diff(&mut piece, &local_array(stats), &already);
                    keep(frame.end_s, piece);
                }
            }
            already = [0; SLOTS];
        }
        let mut piece = [0u64; SLOTS];
        add_diff(&mut piece, open_window, &already);
        keep(now_s, piece);
        *self = WindowCursor { closed: closed_now, seen: *open_window };
        pieces
    }
}

fn add_diff(acc: &mut Tally, now: &Tally, before: &Tally) {
    for i in 0..acc.len() {
        acc[i] += now[i].saturating_sub(before[i]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{FailureCounts, FailureReason, Stats, WindowFrame};

    fn frame(rejected: u64) -> WindowFrame {
        frame_ending(1.0, rejected)
    }

    fn frame_ending(end_s: f64, rejected: u64) -> WindowFrame {
        let stats = Stats { failures: FailureCounts { rejected, ..Default::default() }, ..Default::default() };
        WindowFrame { start_s: end_s - 1.0, end_s, end_to_end: Stats::default(), nodes: vec![stats], edges: vec![] }
    }

    fn open(rejected: u64) -> Tally {
        let mut a = [0; SLOTS];
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

    /// Many windows taken at once (fast-forward) keep their own times.
    #[test]
    fn failures_of_several_windows_keep_the_time_of_their_window() {
        let mut series = TimeSeries::new(10);
        let mut cursor = WindowCursor::default();
        series.push(frame_ending(1.0, 4));
        series.push(frame_ending(2.0, 0));
        series.push(frame_ending(3.0, 6));
        let pieces = cursor.take_new_timed(&series, 0, &open(2), 3.4);
        let r = FailureReason::Rejected.index();
        let got: Vec<(f64, u64)> = pieces.iter().map(|(t, p)| (*t, p[r])).collect();
        assert_eq!(got, [(1.0, 4), (3.0, 6), (3.4, 2)]);
    }
}
