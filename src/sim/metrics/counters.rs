//! Cumulative event counts at a node. Windows and totals are differences of
//! two snapshots, so each event is counted once on the hot path.

use crate::sim::FailureReason;

/// Monotone counts and sums since the start of the run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counters {
    pub arrivals: u64,
    pub ok: u64,
    pub failed: [u64; FailureReason::COUNT],
    pub failed_downstream: u64,
    /// Calls that got a worker (or a consumer took).
    pub started: u64,
    /// Of those, how many waited first.
    pub waited: u64,
    pub wait_sum_ns: f64,
    /// Sum of latencies of successful calls.
    pub latency_sum_ns: f64,
    /// Sum of the time every answered call (ok or failed) spent: with the
    /// time-average number in the system, this checks Little's law.
    pub sojourn_sum_ns: f64,
    pub hits: u64,
    pub misses: u64,
    pub stale_reads: u64,
    pub retries: u64,
    /// Requests sent over an edge (edges only use this and `failed_total`).
    pub sent: u64,
}

impl Counters {
    /// `self − base`, field by field.
    pub fn since(&self, base: &Counters) -> Counters {
        let mut failed = [0; FailureReason::COUNT];
        for (i, f) in failed.iter_mut().enumerate() {
            *f = self.failed[i] - base.failed[i];
        }
        Counters {
            arrivals: self.arrivals - base.arrivals,
            ok: self.ok - base.ok,
            failed,
            failed_downstream: self.failed_downstream - base.failed_downstream,
            started: self.started - base.started,
            waited: self.waited - base.waited,
            wait_sum_ns: self.wait_sum_ns - base.wait_sum_ns,
            latency_sum_ns: self.latency_sum_ns - base.latency_sum_ns,
            sojourn_sum_ns: self.sojourn_sum_ns - base.sojourn_sum_ns,
            hits: self.hits - base.hits,
            misses: self.misses - base.misses,
            stale_reads: self.stale_reads - base.stale_reads,
            retries: self.retries - base.retries,
            sent: self.sent - base.sent,
        }
    }

    /// `self + other`, field by field (to aggregate several clients).
    pub fn plus(&self, other: &Counters) -> Counters {
        let mut failed = self.failed;
        for (f, o) in failed.iter_mut().zip(other.failed) {
            *f += o;
        }
        Counters {
            arrivals: self.arrivals + other.arrivals,
            ok: self.ok + other.ok,
            failed,
            failed_downstream: self.failed_downstream + other.failed_downstream,
            started: self.started + other.started,
            waited: self.waited + other.waited,
            wait_sum_ns: self.wait_sum_ns + other.wait_sum_ns,
            latency_sum_ns: self.latency_sum_ns + other.latency_sum_ns,
            sojourn_sum_ns: self.sojourn_sum_ns + other.sojourn_sum_ns,
            hits: self.hits + other.hits,
            misses: self.misses + other.misses,
            stale_reads: self.stale_reads + other.stale_reads,
            retries: self.retries + other.retries,
            sent: self.sent + other.sent,
        }
    }

    /// Local and downstream failures.
    pub fn failed_total(&self) -> u64 {
        self.failed.iter().sum::<u64>() + self.failed_downstream
    }
}
