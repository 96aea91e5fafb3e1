//! A network link at run time.

use super::Distribution;
use super::SimTime;
use super::metrics::{Counters, EdgeStats};
use super::rng::SimRng;
use super::time::NANOS_PER_SEC;

/// One edge while the simulation runs.
pub struct EdgeRuntime {
    pub from: u32,
    pub to: u32,
    /// `None` when the edge adds no delay (skips a draw and an event).
    pub latency: Option<Distribution>,
    pub drop_probability: f64,
    /// How many partition faults cut the edge now.
    pub partitions: u32,
    pub rng: SimRng,
    /// `sent` and `failed[..]` are used; failures counted in `failed_downstream`.
    pub counters: Counters,
    pub window_start: (SimTime, Counters),
    pub total_start: (SimTime, Counters),
}

impl EdgeRuntime {
    /// One-way delay for one crossing.
    #[inline]
    pub fn delay(&mut self) -> u64 {
        match &self.latency {
            Some(d) => d.sample(&mut self.rng),
            None => 0,
        }
    }

    pub fn stats_since(&self, (at, base): &(SimTime, Counters), now: SimTime) -> EdgeStats {
        let c = self.counters.since(base);
        let secs = now.since(*at) as f64 / NANOS_PER_SEC;
        EdgeStats {
            sent: c.sent,
            failed: c.failed_downstream,
            rate_rps: if secs > 0.0 { c.sent as f64 / secs } else { 0.0 },
            error_ratio: if c.sent > 0 { c.failed_downstream as f64 / c.sent as f64 } else { 0.0 },
        }
    }
}
