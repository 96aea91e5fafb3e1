//! A network link at run time.

use super::SimTime;
use super::metrics::EdgeStats;
use super::rng::SimRng;
use super::time::NANOS_PER_SEC;
use rand::RngExt;

use super::{BreakerState, BulkheadLine, CallPolicy, Distribution, FailureReason, Link, Way};

/// Monotone counts of what crossed one edge since the start of the run;
/// windows and totals are differences of two snapshots, as at a node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EdgeCounters {
    /// Requests sent over the edge.
    pub sent: u64,
    /// Of those, answered with a failure or lost on the way.
    pub failed: u64,
    /// Lost on the way: the edge's drop probability or a partition.
    pub lost: u64,
    /// Of the lost, those lost while a partition cut the edge.
    pub partitioned: u64,
    /// Answers that came back after the caller had stopped waiting (it
    /// timed out or crashed): work the callee did for nobody.
    pub late_answers: u64,
    /// Calls the edge's bulkhead refused (also counted in `sent` and `failed`).
    pub bulkhead_full: u64,
    /// Calls that found the bulkhead full and waited in line for a place
    /// (`bulkhead_wait_ms`); those still without one after the wait are
    /// also in `bulkhead_full`.
    pub bulkhead_waited: u64,
    /// Of those, calls whose caller gave up (its timeout) while they were
    /// still in line: never sent, and no failure of the callee.
    pub bulkhead_gave_up: u64,
    /// Bytes of the requests and answers that crossed it (`request_kb`,
    /// `response_kb`; 0 without).
    pub request_bytes: u64,
    pub response_bytes: u64,
    /// Time each direction spent sending, ns (with `bandwidth_mbps`): its
    /// utilisation over a span is this over the span's length.
    pub forward_busy_ns: u64,
    pub back_busy_ns: u64,
    /// Calls the caller stopped waiting for (its timeout, the edge's or a
    /// client's own; also counted in `failed`).
    pub timeouts: u64,
    /// Calls sent again after a failure by the edge's retry policy (also
    /// counted in `sent`).
    pub retries: u64,
    /// Failed calls the retry policy would have retried but its budget
    /// did not allow.
    pub retries_denied: u64,
    /// Calls the edge's circuit breaker refused while open (also counted
    /// in `sent` and `failed`).
    pub breaker_open: u64,
    /// Times the breaker opened (from closed, or again from half-open).
    pub breaker_trips: u64,
    /// Failed calls the edge's fallback answered instead (degraded answers).
    pub fallbacks: u64,
    /// Second copies sent by the edge's hedging (also counted in `sent`).
    pub hedges: u64,
    /// Of the hedged calls, those the copy answered first.
    pub hedges_won: u64,
}

impl EdgeCounters {
    /// `self − base`, field by field.
    pub fn since(&self, base: &EdgeCounters) -> EdgeCounters {
        EdgeCounters {
            sent: self.sent - base.sent,
            failed: self.failed - base.failed,
            lost: self.lost - base.lost,
            partitioned: self.partitioned - base.partitioned,
            late_answers: self.late_answers - base.late_answers,
            bulkhead_full: self.bulkhead_full - base.bulkhead_full,
            bulkhead_waited: self.bulkhead_waited - base.bulkhead_waited,
            bulkhead_gave_up: self.bulkhead_gave_up - base.bulkhead_gave_up,
            request_bytes: self.request_bytes - base.request_bytes,
            response_bytes: self.response_bytes - base.response_bytes,
            forward_busy_ns: self.forward_busy_ns - base.forward_busy_ns,
            back_busy_ns: self.back_busy_ns - base.back_busy_ns,
            timeouts: self.timeouts - base.timeouts,
            retries: self.retries - base.retries,
            retries_denied: self.retries_denied - base.retries_denied,
            breaker_open: self.breaker_open - base.breaker_open,
            breaker_trips: self.breaker_trips - base.breaker_trips,
            fallbacks: self.fallbacks - base.fallbacks,
            hedges: self.hedges - base.hedges,
            hedges_won: self.hedges_won - base.hedges_won,
        }
    }
}

/// What happened to a call leaving over an edge (see [`EdgeRuntime::cross`]).
pub struct Crossing {
    pub delay_ns: u64,
    /// Lost on the way (a drop or a partition): the caller learns after
    /// the delay.
    pub lost: bool,
}

/// One edge while the simulation runs.
#[derive(Clone)]
pub struct EdgeRuntime {
    pub from: u32,
    pub to: u32,
    /// `None` when the edge adds no delay (skips a draw and an event).
    pub latency: Option<Distribution>,
    /// Neither a latency nor a link: a crossing's delay is only a latency
    /// fault's, one flag for the hot path to test (see `refresh_plain`).
    pub plain: bool,
    pub drop_probability: f64,
    /// How many partition faults cut the edge now.
    pub partitions: u32,
    /// Delay added to every crossing by latency faults now, nanoseconds.
    pub added_ns: u64,
    /// The bulkhead: calls allowed in flight at once (`None`: no cap).
    pub max_concurrent: Option<u32>,
    /// Calls sent and not yet answered (the answer back at the caller).
    pub in_flight: u32,
    /// Calls waiting for a place in the bulkhead (`bulkhead_wait_ms`);
    /// `None`: a full bulkhead refuses at once.
    pub line: Option<Box<BulkheadLine>>,
    /// Payload sizes and bandwidth (`None`: payloads are not modelled).
    pub link: Option<Box<Link>>,
    /// The caller's timeout, retries and breaker for calls over this edge
    /// (`None`: wait for ever, never retry, never refuse).
    pub policy: Option<Box<CallPolicy>>,
    /// Whether a call may be refused before it leaves (a bulkhead or a
    /// breaker): one flag for the hot path to test.
    pub guarded: bool,
    pub rng: SimRng,
    pub counters: EdgeCounters,
    pub window_start: (SimTime, EdgeCounters),
    pub total_start: (SimTime, EdgeCounters),
}

impl EdgeRuntime {
    /// A call leaves over the edge: it takes a place in flight and draws
    /// its one-way delay and whether the link loses it (counted).
    #[expect(
        clippy::inline_always,
        reason = "on every call `send` makes; left to the compiler it stays a call and M/M/1 costs 0.5 % more \
                  instructions (callgrind)"
    )]
    #[inline(always)]
    pub fn cross(&mut self, now: SimTime) -> Crossing {
        self.in_flight += 1;
        let delay_ns = self.delay(now, Way::Forward);
        let partitioned = self.partitions > 0;
        let lost = partitioned || (self.drop_probability > 0.0 && self.rng.random_bool(self.drop_probability.min(1.0)));
        if lost {
            self.counters.lost += 1;
            self.counters.partitioned += u64::from(partitioned);
        }
        Crossing { delay_ns, lost }
    }

    /// Whether the bulkhead has room for one more call in flight.
    pub fn has_room(&self) -> bool {
        self.max_concurrent.is_none_or(|cap| self.in_flight < cap)
    }

    /// The delay of an answer handed back over the edge at `now`: the
    /// link's one-way latency, after the time to send it on a link with a
    /// bandwidth.
    #[inline]
    pub fn delay_back(&mut self, now: SimTime) -> u64 {
        self.delay(now, Way::Back)
    }

    /// One-way delay of a payload handed to the edge at `now`, going `way`:
    /// its latency (and a latency fault's), after the time to send it on a
    /// link with a bandwidth. The link is out of line: an edge without one
    /// pays a null check.
    #[inline]
    fn delay(&mut self, now: SimTime, way: Way) -> u64 {
        if self.plain {
            return self.added_ns;
        }
        let delay_ns = match &self.latency {
            Some(d) => d.sample(&mut self.rng) + self.added_ns,
            None => self.added_ns,
        };
        if self.link.is_none() { delay_ns } else { delay_ns.saturating_add(self.link_delay(now, way)) }
    }

    /// Sets `plain` from the latency and the link (after either changed).
    pub fn refresh_plain(&mut self) {
        self.plain = self.latency.is_none() && self.link.is_none();
    }

    /// The time to send a payload over the edge's link (see [`Link::send`]).
    #[inline(never)]
    fn link_delay(&mut self, now: SimTime, way: Way) -> u64 {
        let Some(link) = &mut self.link else { return 0 };
        link.send(way, now, &mut self.rng, &mut self.counters)
    }

    /// Whether a bulkhead or a breaker is configured (see `guarded`).
    pub fn is_guarded(&self) -> bool {
        self.max_concurrent.is_some() || self.policy.as_ref().is_some_and(|p| p.breaker.is_some())
    }

    /// Why a call must be refused now, if it must: the breaker is open (or
    /// half-open with its probes out), or the bulkhead is full. Only for a
    /// `guarded` edge.
    #[inline(never)]
    pub fn refusal(&mut self, now: SimTime) -> Option<FailureReason> {
        let breaker = self.policy.as_mut().and_then(|p| p.breaker.as_mut());
        if self.max_concurrent.is_some_and(|cap| self.in_flight >= cap) {
            // Full: an open breaker still says so, but a half-open one keeps
            // its probes for calls that are sent.
            let open = breaker.is_some_and(|b| b.state(now) == BreakerState::Open);
            return Some(if open { FailureReason::BreakerOpen } else { FailureReason::BulkheadFull });
        }
        breaker.is_some_and(|b| !b.admits(now)).then_some(FailureReason::BreakerOpen)
    }

    /// Where the edge's circuit breaker is at `now` (`None`: it has none).
    pub fn breaker_state(&self, now: SimTime) -> Option<BreakerState> {
        self.policy.as_ref()?.breaker.as_ref().map(|b| b.state(now))
    }

    /// The share of `span_ns` a direction of a link with a bandwidth spent
    /// sending (`None` without a bandwidth).
    fn link_busy_share(&self, busy_ns: u64, span_ns: u64) -> Option<f64> {
        let limited = self.link.as_ref().is_some_and(|l| l.has_bandwidth());
        (limited && span_ns > 0).then(|| busy_ns as f64 / span_ns as f64)
    }

    /// Its counts at `now`, a link's busy time as spent by then: a payload
    /// is counted whole when handed to the link, so the part of the
    /// backlog not yet sent is taken off (a window's utilisation is then
    /// the share of it spent sending, never above 1).
    pub fn snapshot(&self, now: SimTime) -> EdgeCounters {
        let mut counters = self.counters;
        if let Some(link) = &self.link {
            let (forward, back) = link.backlog(now);
            counters.forward_busy_ns -= forward.min(counters.forward_busy_ns);
            counters.back_busy_ns -= back.min(counters.back_busy_ns);
        }
        counters
    }

    pub fn stats_since(&self, (at, base): &(SimTime, EdgeCounters), now: SimTime) -> EdgeStats {
        let c = self.snapshot(now).since(base);
        let secs = now.since(*at) as f64 / NANOS_PER_SEC;
        EdgeStats {
            sent: c.sent,
            failed: c.failed,
            rate_rps: if secs > 0.0 { c.sent as f64 / secs } else { 0.0 },
            error_ratio: if c.sent > 0 { c.failed as f64 / c.sent as f64 } else { 0.0 },
            request_bytes: c.request_bytes,
            response_bytes: c.response_bytes,
            forward_utilisation: self.link_busy_share(c.forward_busy_ns, now.since(*at)),
            back_utilisation: self.link_busy_share(c.back_busy_ns, now.since(*at)),
        }
    }
}
