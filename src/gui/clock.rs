//! Wall time, behind a trait so tests decide how much time passes.
//!
//! The app reads the clock twice per frame: once to learn how much wall time
//! went by since the previous frame (which, times the speed, is how far the
//! simulation should advance), and while stepping, to stop when the frame's
//! work budget is spent. A [`ManualClock`] only moves when a test says so, so
//! a test advances simulated time explicitly and the budget never runs out.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Instant;

/// A source of wall time in seconds since an arbitrary start.
pub trait Clock {
    fn now_s(&self) -> f64;
}

/// The real clock.
#[derive(Debug)]
pub struct SystemClock {
    start: Instant,
}

impl Default for SystemClock {
    fn default() -> Self {
        Self { start: Instant::now() }
    }
}

impl Clock for SystemClock {
    fn now_s(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }
}

/// A clock that stands still until [`ManualClock::advance`] is called.
/// Clones share the same time, so a test keeps one and gives one to the app.
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    now: Rc<Cell<f64>>,
}

impl ManualClock {
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the time forward by `secs` (negative values are ignored).
    pub fn advance(&self, secs: f64) {
        if secs > 0.0 {
            self.now.set(self.now.get() + secs);
        }
    }
}

impl Clock for ManualClock {
    fn now_s(&self) -> f64 {
        self.now.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_clones_share_it() {
        let clock = ManualClock::new();
        let app_side = clock.clone();
        assert_eq!(app_side.now_s(), 0.0);
        clock.advance(1.5);
        clock.advance(-3.0);
        assert_eq!(app_side.now_s(), 1.5);
    }
}
