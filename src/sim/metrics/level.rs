//! Time-weighted averages (queue length, busy workers, requests in the
//! system): the integral of a level over time, read as a difference of two
//! cumulative areas so one update serves the totals and every window.

use crate::sim::SimTime;

/// A quantity that changes at instants and is averaged over time.
#[derive(Debug, Clone, Copy, Default)]
pub struct Level {
    value: i64,
    last: SimTime,
    /// ∫ value dt from the start to `last`, in value·ns.
    area: f64,
}

impl Level {
    /// Adds `delta` at `now`.
    #[inline]
    pub fn add(&mut self, now: SimTime, delta: i64) {
        self.area += self.value as f64 * now.since(self.last) as f64;
        self.last = now;
        self.value += delta;
    }

    /// Sets the level to `value` at `now`.
    pub fn set(&mut self, now: SimTime, value: i64) {
        self.add(now, value - self.value);
    }

    pub fn value(&self) -> i64 {
        self.value
    }

    /// ∫ value dt from the start to `now`.
    #[inline]
    pub fn area_at(&self, now: SimTime) -> f64 {
        self.area + self.value as f64 * now.since(self.last) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_over_time_not_over_changes() {
        let mut l = Level::default();
        l.add(SimTime(0), 2); // 2 for 10 ns
        l.add(SimTime(10), -2); // 0 for 30 ns
        assert_eq!(l.area_at(SimTime(40)) / 40.0, 0.5);
    }
}
