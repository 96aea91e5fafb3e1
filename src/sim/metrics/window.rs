//! The time series: one frame per closed window, kept in a ring so memory
//! stays bounded however long the run.

use std::collections::VecDeque;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{EdgeStats, Stats};

/// Windows kept at most: an hour of 1-second windows.
pub const DEFAULT_MAX_WINDOWS: usize = 3_600;

/// Windows kept at least, however large the topology: a minute of
/// 1-second windows, enough for the app's plots.
pub const MIN_WINDOWS: usize = 60;

/// Memory the time series may take, in bytes. A frame holds one [`Stats`]
/// per node (about 300 bytes), so a large topology keeps fewer windows
/// rather than more memory: 3,600 windows up to about 60 nodes, about 100
/// to 200 at the node and edge limits.
pub const SERIES_BUDGET_BYTES: usize = 64 * 1024 * 1024;

/// How many windows fit the budget for a topology of this size.
pub fn windows_for(nodes: usize, edges: usize) -> usize {
    let frame = std::mem::size_of::<WindowFrame>()
        + (nodes + 1) * std::mem::size_of::<Stats>()
        + edges * std::mem::size_of::<EdgeStats>();
    (SERIES_BUDGET_BYTES / frame).clamp(MIN_WINDOWS, DEFAULT_MAX_WINDOWS)
}

/// Everything measured in one window of simulated time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowFrame {
    pub start_s: f64,
    pub end_s: f64,
    pub end_to_end: Stats,
    /// In the scenario's node order.
    pub nodes: Vec<Stats>,
    /// In the scenario's edge order.
    pub edges: Vec<EdgeStats>,
}

/// The most recent windows, oldest first.
///
/// A closed window never changes, so frames are shared (`Arc`): a clone of
/// the series — a snapshot of the simulation (`sim::snapshot`), the app's
/// faint trace of a run it rewound — copies a pointer per window, not the
/// window. One allocation per closed window is all the engine pays for it.
#[derive(Debug, Clone)]
pub struct TimeSeries {
    frames: VecDeque<Arc<WindowFrame>>,
    max_frames: usize,
    /// Frames dropped off the front so far.
    pub dropped: u64,
}

impl TimeSeries {
    pub fn new(max_frames: usize) -> TimeSeries {
        TimeSeries { frames: VecDeque::new(), max_frames: max_frames.max(1), dropped: 0 }
    }

    pub fn push(&mut self, frame: WindowFrame) {
        if self.frames.len() == self.max_frames {
            self.frames.pop_front();
            self.dropped += 1;
        }
        self.frames.push_back(Arc::new(frame));
    }

    pub fn frames(&self) -> &VecDeque<Arc<WindowFrame>> {
        &self.frames
    }

    /// The windows kept, oldest first, as plain references.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &WindowFrame> + ExactSizeIterator {
        self.frames.iter().map(|f| &**f)
    }

    pub fn last(&self) -> Option<&WindowFrame> {
        self.frames.back().map(|f| &**f)
    }

    /// Windows closed since the start, kept or dropped.
    pub fn closed(&self) -> u64 {
        self.dropped + self.frames.len() as u64
    }

    /// Approximate bytes of one frame of a topology of this size: the
    /// frame, its node and edge vectors, and the `Arc`'s counts.
    pub fn frame_bytes(nodes: usize, edges: usize) -> usize {
        std::mem::size_of::<WindowFrame>()
            + 2 * std::mem::size_of::<usize>()
            + nodes * std::mem::size_of::<Stats>()
            + edges * std::mem::size_of::<EdgeStats>()
    }

    pub fn len(&self) -> usize {
        self.frames.len()
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_topologies_keep_an_hour_and_large_ones_fit_the_budget() {
        assert_eq!(windows_for(10, 12), DEFAULT_MAX_WINDOWS);
        let large = windows_for(1_000, 5_000);
        assert!((MIN_WINDOWS..DEFAULT_MAX_WINDOWS).contains(&large), "{large}");
        let frame = 1_001 * std::mem::size_of::<Stats>() + 5_000 * std::mem::size_of::<EdgeStats>();
        assert!(large * frame <= SERIES_BUDGET_BYTES, "{large} windows of {frame} bytes");
    }
}
