//! Everything measured at one node (or end to end): cumulative counters,
//! time-weighted levels and latency histograms, with the checkpoints that
//! turn them into per-window and whole-run [`Stats`].

use hdrhistogram::Histogram;

use super::{Counters, LatencySummary, Level, Stats};
use crate::sim::SimTime;
use crate::sim::time::{NANOS_PER_SEC, nanos_to_ms};

/// Longest latency the histograms track exactly: one hour. Longer ones are
/// counted at this value (and `max` says so).
const HIGHEST_TRACKABLE_NS: u64 = 3_600_000_000_000;

/// A new latency histogram: 1 ns to an hour at 3 significant digits
/// (0.1 % relative error), the accuracy HdrHistogram is known for.
pub fn new_latency_histogram() -> Histogram<u64> {
    // Constant, valid bounds: this cannot fail; fall back to the default
    // constructor rather than panic if the crate ever disagrees.
    Histogram::new_with_bounds(1, HIGHEST_TRACKABLE_NS, 3)
        .or_else(|_| Histogram::new(3))
        .unwrap_or_else(|_| unreachable_histogram())
}

fn unreachable_histogram() -> Histogram<u64> {
    Histogram::new_with_max(HIGHEST_TRACKABLE_NS, 2).expect("hdrhistogram accepts 2 significant digits")
}

/// The state of every measured quantity at one instant.
#[derive(Debug, Clone, Copy, Default)]
pub struct Checkpoint {
    pub at: SimTime,
    pub counters: Counters,
    pub queue_area: f64,
    pub busy_area: f64,
    pub in_system_area: f64,
}

/// Measurements of one node.
pub struct NodeMetrics {
    pub counters: Counters,
    pub queue: Level,
    pub busy: Level,
    pub in_system: Level,
    /// Latencies of the current window.
    pub window_latency: Histogram<u64>,
    /// Latencies since the warm-up ended, up to the current window.
    pub total_latency: Histogram<u64>,
    pub window_start: Checkpoint,
    pub total_start: Checkpoint,
}

impl Default for NodeMetrics {
    fn default() -> Self {
        NodeMetrics {
            counters: Counters::default(),
            queue: Level::default(),
            busy: Level::default(),
            in_system: Level::default(),
            window_latency: new_latency_histogram(),
            total_latency: new_latency_histogram(),
            window_start: Checkpoint::default(),
            total_start: Checkpoint::default(),
        }
    }
}

impl NodeMetrics {
    /// A successful answer after `latency_ns`.
    #[inline]
    pub fn record_ok(&mut self, latency_ns: u64) {
        self.counters.ok += 1;
        self.counters.latency_sum_ns += latency_ns as f64;
        self.window_latency.saturating_record(latency_ns.max(1));
    }

    pub fn checkpoint(&self, now: SimTime) -> Checkpoint {
        Checkpoint {
            at: now,
            counters: self.counters,
            queue_area: self.queue.area_at(now),
            busy_area: self.busy.area_at(now),
            in_system_area: self.in_system.area_at(now),
        }
    }

    /// Stats of the current window up to `now`.
    pub fn window_stats(&self, now: SimTime, workers: Option<u32>) -> Stats {
        summarise(&self.window_start, &self.checkpoint(now), &self.window_latency, workers)
    }

    /// Closes the window at `now`: returns its stats and starts the next.
    pub fn close_window(&mut self, now: SimTime, workers: Option<u32>) -> Stats {
        let stats = self.window_stats(now, workers);
        // Adding equal-shaped histograms cannot fail.
        let _ = self.total_latency.add(&self.window_latency);
        self.window_latency.reset();
        self.window_start = self.checkpoint(now);
        stats
    }

    /// Restarts the totals at `now` (end of the warm-up).
    pub fn restart_totals(&mut self, now: SimTime) {
        self.total_latency.reset();
        self.window_latency.reset();
        self.total_start = self.checkpoint(now);
    }

    /// Stats since the warm-up, up to `now`.
    pub fn total_stats(&self, now: SimTime, workers: Option<u32>) -> Stats {
        let mut latency = self.total_latency.clone();
        let _ = latency.add(&self.window_latency);
        summarise(&self.total_start, &self.checkpoint(now), &latency, workers)
    }
}

/// Stats between two checkpoints.
pub fn summarise(from: &Checkpoint, to: &Checkpoint, latency: &Histogram<u64>, workers: Option<u32>) -> Stats {
    let c = to.counters.since(&from.counters);
    let span_ns = to.at.since(from.at) as f64;
    let secs = span_ns / NANOS_PER_SEC;
    let per_sec = |n: u64| if secs > 0.0 { n as f64 / secs } else { 0.0 };
    let time_avg = |a: f64, b: f64| if span_ns > 0.0 { (b - a) / span_ns } else { 0.0 };
    let failed = c.failed_total();
    let answered = c.ok + failed;
    let mean_busy = time_avg(from.busy_area, to.busy_area);
    let lookups = c.hits + c.misses;
    Stats {
        duration_s: secs,
        arrivals: c.arrivals,
        ok: c.ok,
        failed,
        failures: super::FailureCounts::from_array(c.failed, c.failed_downstream),
        arrival_rate_rps: per_sec(c.arrivals),
        throughput_rps: per_sec(c.ok),
        error_ratio: if answered > 0 { failed as f64 / answered as f64 } else { 0.0 },
        latency: latency_summary(latency, c.latency_sum_ns, c.ok),
        mean_queue_len: time_avg(from.queue_area, to.queue_area),
        mean_busy,
        utilisation: workers.filter(|&w| w > 0).map(|w| mean_busy / f64::from(w)),
        mean_in_system: time_avg(from.in_system_area, to.in_system_area),
        wait_probability: (c.started > 0).then(|| c.waited as f64 / c.started as f64),
        mean_wait_ms: if c.started > 0 { nanos_to_ms(c.wait_sum_ns / c.started as f64) } else { 0.0 },
        cache_hits: c.hits,
        cache_misses: c.misses,
        hit_ratio: (lookups > 0).then(|| c.hits as f64 / lookups as f64),
        stale_reads: c.stale_reads,
        retries: c.retries,
    }
}

/// Percentiles from the histogram; the mean from the exact sum.
fn latency_summary(h: &Histogram<u64>, sum_ns: f64, ok: u64) -> LatencySummary {
    if h.is_empty() {
        return LatencySummary::default();
    }
    let q = |p: f64| nanos_to_ms(h.value_at_quantile(p) as f64);
    LatencySummary {
        count: h.len(),
        mean_ms: if ok > 0 { nanos_to_ms(sum_ns / ok as f64) } else { nanos_to_ms(h.mean()) },
        p50_ms: q(0.50),
        p90_ms: q(0.90),
        p95_ms: q(0.95),
        p99_ms: q(0.99),
        p999_ms: q(0.999),
        max_ms: nanos_to_ms(h.max() as f64),
    }
}
