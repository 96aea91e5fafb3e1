//! The numbers a user reads: per node, per edge and end to end, for a
//! window or for the whole run.

use serde::{Deserialize, Serialize};

use crate::sim::FailureReason;

/// Latency of successful requests, milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    /// Requests measured.
    pub count: u64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
}

/// Failed requests by reason. At a node, each counts failures that
/// happened there; `downstream` counts requests the node answered with a
/// failure that happened further down.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureCounts {
    pub rejected: u64,
    pub node_down: u64,
    pub error: u64,
    pub timeout: u64,
    pub dropped: u64,
    pub retries_exhausted: u64,
    /// Refused by the node's rate limiter (HTTP 429). Absent from reports
    /// written before rate limiters existed, hence the default.
    #[serde(default)]
    pub rate_limited: u64,
    /// Refused at the caller by an edge's bulkhead. Absent from older reports.
    #[serde(default)]
    pub bulkhead_full: u64,
    /// Refused at the caller by an edge's open circuit breaker. Absent
    /// from older reports.
    #[serde(default)]
    pub breaker_open: u64,
    /// Dropped by the node's load shedding after waiting too long. Absent
    /// from older reports.
    #[serde(default)]
    pub shed: u64,
    /// Refused by the client's own adaptive throttling. Absent from older
    /// reports.
    #[serde(default)]
    pub throttled: u64,
    /// Dropped unstarted because its caller had given up (a propagated
    /// deadline). Absent from older reports.
    #[serde(default)]
    pub deadline_exceeded: u64,
    pub downstream: u64,
}

impl FailureCounts {
    pub fn from_array(by_reason: [u64; FailureReason::COUNT], downstream: u64) -> FailureCounts {
        let [
            rejected,
            node_down,
            error,
            timeout,
            dropped,
            retries_exhausted,
            rate_limited,
            bulkhead_full,
            breaker_open,
            shed,
            throttled,
            deadline_exceeded,
        ] = by_reason;
        FailureCounts {
            rejected,
            node_down,
            error,
            timeout,
            dropped,
            retries_exhausted,
            rate_limited,
            bulkhead_full,
            breaker_open,
            shed,
            throttled,
            deadline_exceeded,
            downstream,
        }
    }

    pub fn get(&self, reason: FailureReason) -> u64 {
        match reason {
            FailureReason::Rejected => self.rejected,
            FailureReason::NodeDown => self.node_down,
            FailureReason::Error => self.error,
            FailureReason::Timeout => self.timeout,
            FailureReason::Dropped => self.dropped,
            FailureReason::RetriesExhausted => self.retries_exhausted,
            FailureReason::RateLimited => self.rate_limited,
            FailureReason::BulkheadFull => self.bulkhead_full,
            FailureReason::BreakerOpen => self.breaker_open,
            FailureReason::Shed => self.shed,
            FailureReason::Throttled => self.throttled,
            FailureReason::DeadlineExceeded => self.deadline_exceeded,
        }
    }

    /// Failures that happened at this node (not counting downstream ones).
    pub fn local(&self) -> u64 {
        FailureReason::ALL.iter().map(|r| self.get(*r)).sum()
    }

    /// (reason, count) for the non-zero local reasons, largest first.
    pub fn ranked(&self) -> Vec<(FailureReason, u64)> {
        let mut v: Vec<_> = FailureReason::ALL.iter().map(|r| (*r, self.get(*r))).filter(|(_, n)| *n > 0).collect();
        v.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        v
    }
}

/// What happened at one node (or end to end) over a stretch of time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Simulated seconds covered.
    pub duration_s: f64,
    /// Requests that reached the node (end to end: requests made).
    pub arrivals: u64,
    /// Requests answered successfully, with the real answer.
    pub ok: u64,
    /// Requests answered by a fallback instead of failing (a default
    /// answer, a stale copy): neither ok nor failed. Absent from older
    /// reports.
    #[serde(default)]
    pub degraded: u64,
    /// Requests answered with a failure (local and downstream).
    pub failed: u64,
    pub failures: FailureCounts,
    pub arrival_rate_rps: f64,
    /// Ok answers per second (degraded ones not included).
    pub throughput_rps: f64,
    /// failed / (ok + degraded + failed).
    pub error_ratio: f64,
    /// degraded / (ok + degraded + failed).
    #[serde(default)]
    pub degraded_ratio: f64,
    /// Latency of the answers that were not failures: ok and degraded.
    pub latency: LatencySummary,
    /// Mean time at the node of every answered request, failed ones
    /// included (the W of Little's law, L = λW).
    pub mean_sojourn_ms: f64,
    /// Time-average requests waiting for a worker (a queue: messages held).
    pub mean_queue_len: f64,
    /// Time-average busy workers.
    pub mean_busy: f64,
    /// Busy workers / workers, when the node has workers.
    pub utilisation: Option<f64>,
    /// Time-average requests at the node (waiting, served or waiting on a
    /// downstream answer); end to end, requests in flight.
    pub mean_in_system: f64,
    /// Share of requests that had to wait for a worker.
    pub wait_probability: Option<f64>,
    /// Mean wait for a worker (a queue: consumer lag).
    pub mean_wait_ms: f64,
    pub cache_hits: u64,
    pub cache_misses: u64,
    pub hit_ratio: Option<f64>,
    pub stale_reads: u64,
    /// A database's writes applied a second time for the same request
    /// (retried without an idempotency key): a customer charged twice.
    /// Absent from older reports.
    #[serde(default)]
    pub duplicate_writes: u64,
    /// Repeated writes a database recognised by their idempotency key and
    /// answered without applying again. Absent from older reports.
    #[serde(default)]
    pub deduplicated_writes: u64,
    /// Attempts beyond the first (clients and end to end).
    pub retries: u64,
    /// A service's instances over the stretch; `None` for other kinds and
    /// in older reports.
    #[serde(default)]
    pub instances: Option<InstanceStats>,
}

/// A service's instances over a stretch of time: what autoscaling did, and
/// what the next slice (cost) bills.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct InstanceStats {
    /// Time-average instances in balancing (serving new requests).
    pub ready: f64,
    /// Time-average instances booting (cold start: billed, not serving).
    pub booting: f64,
    /// Instances × seconds running: booting, ready and draining, since
    /// an instance is billed from boot until it stops.
    pub instance_seconds: f64,
}

/// Traffic over one edge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct EdgeStats {
    /// Requests sent over the edge.
    pub sent: u64,
    /// Of those, answered with a failure (or lost on the edge).
    pub failed: u64,
    pub rate_rps: f64,
    pub error_ratio: f64,
    /// Bytes of the requests sent over it and of the answers that came
    /// back (its `request_kb` and `response_kb`; 0 without).
    #[serde(default)]
    pub request_bytes: u64,
    #[serde(default)]
    pub response_bytes: u64,
    /// With a `bandwidth_mbps`: the share of the time each direction was
    /// sending (requests forward, answers back); `None` without one.
    #[serde(default)]
    pub forward_utilisation: Option<f64>,
    #[serde(default)]
    pub back_utilisation: Option<f64>,
}
