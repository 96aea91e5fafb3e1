//! Everything measured at one node (or end to end): cumulative counters,
//! time-weighted levels and latency histograms, with the checkpoints that
//! turn them into per-window and whole-run [`Stats`].

use hdrhistogram::{Counter, Histogram};

use super::{Counters, LatencySummary, Level, Stats};
use crate::sim::time::{NANOS_PER_SEC, nanos_to_ms};
use crate::sim::{FailureReason, SimTime};

/// Longest latency the histograms track exactly: one hour. Longer ones are
/// counted at this value (and `max` says so).
pub const HIGHEST_TRACKABLE_NS: u64 = 3_600_000_000_000;

/// A latency histogram from 1 ns with `digits` significant digits (3: 0.1 %
/// relative error, 2: 1 %) that starts at its smallest and grows to the
/// largest latency recorded (at most [`HIGHEST_TRACKABLE_NS`]): a node's
/// memory follows what it has seen, so an idle node costs a few kilobytes,
/// not the quarter megabyte of a histogram sized for an hour up front.
pub fn new_latency_histogram<T: Counter>(digits: u8) -> Histogram<T> {
    let mut h = Histogram::new_with_bounds(1, 2, digits).expect("constant, valid histogram bounds");
    h.auto(true);
    h
}

/// Records a latency, counting one above an hour as an hour.
#[inline]
fn record_latency<T: Counter>(h: &mut Histogram<T>, latency_ns: u64) {
    // Growing up to an hour cannot fail: the counts fit a usize many times over.
    let _ = h.record(latency_ns.clamp(1, HIGHEST_TRACKABLE_NS));
}

/// Totals keep 3 significant digits; a window's percentiles are plotted,
/// where 2 digits are plenty and the histogram is 8× smaller to reset and scan.
const TOTAL_DIGITS: u8 = 3;
const WINDOW_DIGITS: u8 = 2;

/// The state of every measured quantity at one instant.
#[derive(Debug, Clone, Copy, Default)]
pub struct Checkpoint {
    pub at: SimTime,
    pub counters: Counters,
    pub queue_area: f64,
    pub busy_area: f64,
    pub in_system_area: f64,
    /// ∫ down dt: nanoseconds the node was down.
    pub down_area: f64,
    /// ∫ workers in service dt (see [`NodeMetrics::pool`]).
    pub pool_area: f64,
    pub ready_area: f64,
    pub booting_area: f64,
    pub billed_area: f64,
    /// Whether the node has instances (a service).
    pub instanced: bool,
    /// Whether its pool changes at simulated events (a service with a
    /// fleet): utilisation is then busy over the pool as it was over time.
    pub scaled: bool,
}

/// Measurements of one node.
#[derive(Clone)]
pub struct NodeMetrics {
    pub counters: Counters,
    pub queue: Level,
    pub busy: Level,
    pub in_system: Level,
    /// 1 while the node is down, 0 while it is up: its area is the time
    /// down, which tells a brief outage from a long one.
    pub down: Level,
    /// A service's workers in service: those of its ready and draining
    /// instances. Utilisation is busy over this, time-averaged, so a pool
    /// that grows or shrinks mid-window is weighed by how long it had
    /// each size. Zero for other kinds (they use their fixed pool).
    pub pool: Level,
    /// A service's instances in balancing, booting, and running (billed:
    /// booting, ready and draining).
    pub ready: Level,
    pub booting: Level,
    pub billed: Level,
    /// Whether the node has instances (a service): its stats carry them.
    pub instanced: bool,
    /// Whether it has several instances or an autoscaler, so its pool
    /// changes as it runs: utilisation is then busy over `pool`, time
    /// averaged. Other nodes keep busy over the pool at the end, which a
    /// live edit's exact instant does not change.
    pub scaled: bool,
    /// Latencies of the current window (32-bit counts: half the memory to
    /// reset every window; a window never holds 4 billion requests).
    pub window_latency: Histogram<u32>,
    /// Latencies since the warm-up ended.
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
            down: Level::default(),
            pool: Level::default(),
            ready: Level::default(),
            booting: Level::default(),
            billed: Level::default(),
            instanced: false,
            scaled: false,
            window_latency: new_latency_histogram(WINDOW_DIGITS),
            total_latency: new_latency_histogram(TOTAL_DIGITS),
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
        self.record_latency(latency_ns);
    }

    /// A degraded answer (a fallback's) after `latency_ns`: counted apart
    /// from ok, and in the latency percentiles, which describe what the
    /// caller waited for every answer it got.
    #[inline(never)]
    pub fn record_degraded(&mut self, latency_ns: u64) {
        self.counters.degraded += 1;
        self.record_latency(latency_ns);
    }

    #[inline]
    fn record_latency(&mut self, latency_ns: u64) {
        self.counters.latency_sum_ns += latency_ns as f64;
        self.counters.sojourn_sum_ns += latency_ns as f64;
        record_latency(&mut self.window_latency, latency_ns);
        record_latency(&mut self.total_latency, latency_ns);
    }

    /// A failed answer after `sojourn_ns` (no latency percentile: those
    /// describe successful requests).
    #[inline]
    pub fn record_failed(&mut self, reason: Option<FailureReason>, sojourn_ns: u64) {
        match reason {
            Some(r) => self.counters.failed[r.index()] += 1,
            None => self.counters.failed_downstream += 1,
        }
        self.counters.sojourn_sum_ns += sojourn_ns as f64;
    }

    pub fn checkpoint(&self, now: SimTime) -> Checkpoint {
        Checkpoint {
            at: now,
            counters: self.counters,
            queue_area: self.queue.area_at(now),
            busy_area: self.busy.area_at(now),
            in_system_area: self.in_system.area_at(now),
            down_area: self.down.area_at(now),
            pool_area: self.pool.area_at(now),
            ready_area: self.ready.area_at(now),
            booting_area: self.booting.area_at(now),
            billed_area: self.billed.area_at(now),
            instanced: self.instanced,
            scaled: self.scaled,
        }
    }

    /// Stats of the current window up to `now`.
    pub fn window_stats(&self, now: SimTime, workers: Option<u32>) -> Stats {
        summarise(&self.window_start, &self.checkpoint(now), &self.window_latency, workers)
    }

    /// Closes the window at `now`: returns its stats and starts the next.
    pub fn close_window(&mut self, now: SimTime, workers: Option<u32>) -> Stats {
        let stats = self.window_stats(now, workers);
        self.window_latency.reset();
        self.window_start = self.checkpoint(now);
        stats
    }

    /// Counts since the open window began: what an SLO judges at its close.
    pub fn window_counters(&self) -> Counters {
        self.counters.since(&self.window_start.counters)
    }

    /// Successful answers of the open window slower than `threshold_ns`,
    /// read off its histogram: exact but for the answers in the bucket
    /// holding the threshold (less than 1 % wide at the window's two
    /// digits), which count as fast. Read once per window, and only for a
    /// latency SLO, so no request pays for it.
    pub fn window_slower_than(&self, threshold_ns: u64) -> u64 {
        self.window_latency.len().saturating_sub(self.window_latency.count_between(0, threshold_ns))
    }

    /// Restarts the totals at `now` (end of the warm-up).
    pub fn restart_totals(&mut self, now: SimTime) {
        self.total_latency.reset();
        self.window_latency.reset();
        self.total_start = self.checkpoint(now);
    }

    /// Stats since the warm-up, up to `now`.
    pub fn total_stats(&self, now: SimTime, workers: Option<u32>) -> Stats {
        summarise(&self.total_start, &self.checkpoint(now), &self.total_latency, workers)
    }
}

impl Checkpoint {
    fn plus(&self, other: &Checkpoint) -> Checkpoint {
        Checkpoint {
            at: self.at.max(other.at),
            counters: self.counters.plus(&other.counters),
            queue_area: self.queue_area + other.queue_area,
            busy_area: self.busy_area + other.busy_area,
            in_system_area: self.in_system_area + other.in_system_area,
            down_area: self.down_area + other.down_area,
            pool_area: self.pool_area + other.pool_area,
            ready_area: self.ready_area + other.ready_area,
            booting_area: self.booting_area + other.booting_area,
            billed_area: self.billed_area + other.billed_area,
            instanced: self.instanced || other.instanced,
            scaled: self.scaled || other.scaled,
        }
    }
}

/// Which stretch of time an aggregate covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// The open window, up to now.
    Window,
    /// Since the warm-up, up to now.
    Total,
}

/// Stats of several nodes taken as one (end to end = all the clients).
/// Computed on demand, so the hot path records each request once.
pub fn aggregate_stats(parts: &[&NodeMetrics], now: SimTime, span: Span) -> Stats {
    let Some((first, rest)) = parts.split_first() else {
        let empty = Checkpoint { at: now, ..Checkpoint::default() };
        return summarise(&empty, &empty, &new_latency_histogram::<u32>(WINDOW_DIGITS), None);
    };
    let start = |m: &NodeMetrics| match span {
        Span::Window => m.window_start,
        Span::Total => m.total_start,
    };
    let from = rest.iter().fold(start(first), |acc, m| acc.plus(&start(m)));
    let to = rest.iter().fold(first.checkpoint(now), |acc, m| acc.plus(&m.checkpoint(now)));
    match span {
        Span::Window => {
            let mut merged = first.window_latency.clone();
            for m in rest {
                // Histograms of equal precision always add (growing as needed).
                let _ = merged.add(&m.window_latency);
            }
            summarise(&from, &to, &merged, None)
        }
        Span::Total if rest.is_empty() => summarise(&from, &to, &first.total_latency, None),
        Span::Total => {
            let mut merged = first.total_latency.clone();
            for m in rest {
                let _ = merged.add(&m.total_latency);
            }
            summarise(&from, &to, &merged, None)
        }
    }
}

/// Stats between two checkpoints.
pub fn summarise<T: Counter>(
    from: &Checkpoint,
    to: &Checkpoint,
    latency: &Histogram<T>,
    workers: Option<u32>,
) -> Stats {
    let c = to.counters.since(&from.counters);
    let span_ns = to.at.since(from.at) as f64;
    let secs = span_ns / NANOS_PER_SEC;
    let per_sec = |n: u64| if secs > 0.0 { n as f64 / secs } else { 0.0 };
    let time_avg = |a: f64, b: f64| if span_ns > 0.0 { (b - a) / span_ns } else { 0.0 };
    let failed = c.failed_total();
    let succeeded = c.ok + c.degraded;
    let answered = succeeded + failed;
    let mean_busy = time_avg(from.busy_area, to.busy_area);
    let mean_pool = time_avg(from.pool_area, to.pool_area);
    // A scaled service's pool over time; any other pool as it is now.
    let utilisation = if to.scaled && mean_pool > 0.0 {
        Some(mean_busy / mean_pool)
    } else {
        workers.filter(|&w| w > 0).map(|w| mean_busy / f64::from(w))
    };
    let instances = to.instanced.then(|| super::InstanceStats {
        ready: time_avg(from.ready_area, to.ready_area),
        booting: time_avg(from.booting_area, to.booting_area),
        instance_seconds: (to.billed_area - from.billed_area) / NANOS_PER_SEC,
    });
    let lookups = c.hits + c.misses;
    Stats {
        duration_s: secs,
        arrivals: c.arrivals,
        ok: c.ok,
        degraded: c.degraded,
        failed,
        failures: super::FailureCounts::from_array(c.failed, c.failed_downstream),
        arrival_rate_rps: per_sec(c.arrivals),
        throughput_rps: per_sec(c.ok),
        error_ratio: if answered > 0 { failed as f64 / answered as f64 } else { 0.0 },
        degraded_ratio: if answered > 0 { c.degraded as f64 / answered as f64 } else { 0.0 },
        latency: latency_summary(latency, c.latency_sum_ns, succeeded),
        mean_sojourn_ms: if answered > 0 { nanos_to_ms(c.sojourn_sum_ns / answered as f64) } else { 0.0 },
        mean_queue_len: time_avg(from.queue_area, to.queue_area),
        mean_busy,
        utilisation,
        mean_in_system: time_avg(from.in_system_area, to.in_system_area),
        wait_probability: (c.started > 0).then(|| c.waited as f64 / c.started as f64),
        mean_wait_ms: if c.started > 0 { nanos_to_ms(c.wait_sum_ns / c.started as f64) } else { 0.0 },
        cache_hits: c.hits,
        cache_misses: c.misses,
        hit_ratio: (lookups > 0).then(|| c.hits as f64 / lookups as f64),
        stale_reads: c.stale_reads,
        duplicate_writes: c.duplicate_writes,
        deduplicated_writes: c.deduplicated_writes,
        retries: c.retries,
        instances,
    }
}

/// Percentiles from the histogram; the mean from the exact sum.
fn latency_summary<T: Counter>(h: &Histogram<T>, sum_ns: f64, succeeded: u64) -> LatencySummary {
    if h.is_empty() {
        return LatencySummary::default();
    }
    // One pass over the counts for all five quantiles.
    let mut q = [0.0; 5];
    for (slot, v) in q.iter_mut().zip(h.value_at_quantiles([0.50, 0.90, 0.95, 0.99, 0.999])) {
        *slot = nanos_to_ms(v as f64);
    }
    let [p50_ms, p90_ms, p95_ms, p99_ms, p999_ms] = q;
    LatencySummary {
        count: h.len(),
        mean_ms: if succeeded > 0 { nanos_to_ms(sum_ns / succeeded as f64) } else { nanos_to_ms(h.mean()) },
        p50_ms,
        p90_ms,
        p95_ms,
        p99_ms,
        p999_ms,
        max_ms: nanos_to_ms(h.max() as f64),
    }
}
