//! The time series: one frame per closed window, kept in a ring so memory
//! stays bounded however long the run.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::{EdgeStats, Stats};

/// Windows kept by default: an hour of 1-second windows.
pub const DEFAULT_MAX_WINDOWS: usize = 3_600;

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
#[derive(Debug, Clone)]
pub struct TimeSeries {
    frames: VecDeque<WindowFrame>,
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
        self.frames.push_back(frame);
    }

    pub fn frames(&self) -> &VecDeque<WindowFrame> {
        &self.frames
    }

    pub fn last(&self) -> Option<&WindowFrame> {
        self.frames.back()
    }

    pub fn len(&self) -> usize {
        self.frames.len()
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }
}
