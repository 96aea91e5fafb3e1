//! Cumulative event counts at a node. Windows and totals are differences of
//! two snapshots, so each event is counted once on the hot path.

use crate::sim::FailureReason;

/// Monotone counts and sums since the start of the run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counters {
    pub arrivals: u64,
    pub ok: u64,
    /// Answered by a fallback instead of failing: a success, but a worse
    /// answer than the real one (a default, a stale copy).
    pub degraded: u64,
    pub failed: [u64; FailureReason::COUNT],
    pub failed_downstream: u64,
    /// Calls that got a worker (or a consumer took).
    pub started: u64,
    /// Of those, how many waited first.
    pub waited: u64,
    pub wait_sum_ns: f64,
    /// Sum of latencies of successful calls (ok and degraded).
    pub latency_sum_ns: f64,
    /// Sum of the time every answered call (ok or failed) spent: with the
    /// time-average number in the system, this checks Little's law.
    pub sojourn_sum_ns: f64,
    pub hits: u64,
    pub misses: u64,
    pub stale_reads: u64,
    /// Writes a database applied again for a request it had applied
    /// already (a retry after a timeout, without an idempotency key).
    pub duplicate_writes: u64,
    /// Repeated writes a database recognised by their idempotency key and
    /// did not apply again.
    pub deduplicated_writes: u64,
    pub retries: u64,
    /// A client's failed attempts its retry budget allowed no retry for.
    pub retries_denied: u64,
    /// A client's attempts sent, first tries and retries: with `arrivals`
    /// (its requests) this is how much the retry policy multiplies the load.
    pub attempts: u64,
    /// A client's failed attempts by how each ended (its own timeout, or
    /// the reason the node that failed it gave): the failures retries
    /// hide behind `retries exhausted`.
    pub attempt_failed: [u64; FailureReason::COUNT],
    /// Times the node crashed (by the timeline, at random or by hand).
    pub crashes: u64,
    /// Times a cache was emptied by a flush (a crash empties it too, but
    /// counts under `crashes`).
    pub flushes: u64,
    /// Errors the node answered while an injected error rate was in force,
    /// so the diagnosis can tell a fault from the node's own error rate.
    pub injected_errors: u64,
    /// A load balancer's health-check probes sent (to all its targets).
    pub checks: u64,
    /// Of those, the probes that failed (a target down, unreachable, or
    /// not answering within the timeout).
    pub checks_failed: u64,
    /// Times its health checks marked a target unhealthy.
    pub marked_unhealthy: u64,
    /// Times its outlier ejection ejected a target.
    pub ejections: u64,
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
            degraded: self.degraded - base.degraded,
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
            duplicate_writes: self.duplicate_writes - base.duplicate_writes,
            deduplicated_writes: self.deduplicated_writes - base.deduplicated_writes,
            retries: self.retries - base.retries,
            retries_denied: self.retries_denied - base.retries_denied,
            attempts: self.attempts - base.attempts,
            attempt_failed: std::array::from_fn(|i| self.attempt_failed[i] - base.attempt_failed[i]),
            crashes: self.crashes - base.crashes,
            flushes: self.flushes - base.flushes,
            injected_errors: self.injected_errors - base.injected_errors,
            checks: self.checks - base.checks,
            checks_failed: self.checks_failed - base.checks_failed,
            marked_unhealthy: self.marked_unhealthy - base.marked_unhealthy,
            ejections: self.ejections - base.ejections,
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
            degraded: self.degraded + other.degraded,
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
            duplicate_writes: self.duplicate_writes + other.duplicate_writes,
            deduplicated_writes: self.deduplicated_writes + other.deduplicated_writes,
            retries: self.retries + other.retries,
            retries_denied: self.retries_denied + other.retries_denied,
            attempts: self.attempts + other.attempts,
            attempt_failed: std::array::from_fn(|i| self.attempt_failed[i] + other.attempt_failed[i]),
            crashes: self.crashes + other.crashes,
            flushes: self.flushes + other.flushes,
            injected_errors: self.injected_errors + other.injected_errors,
            checks: self.checks + other.checks,
            checks_failed: self.checks_failed + other.checks_failed,
            marked_unhealthy: self.marked_unhealthy + other.marked_unhealthy,
            ejections: self.ejections + other.ejections,
        }
    }

    /// Local and downstream failures.
    pub fn failed_total(&self) -> u64 {
        self.failed.iter().sum::<u64>() + self.failed_downstream
    }
}
