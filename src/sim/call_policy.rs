//! What a caller does about a call over one edge: how long it waits
//! (timeout), whether it tries again (retry, within a budget). A client's
//! own timeout and retry policy use the same parts for its requests.
//!
//! An edge without a policy carries `None` and pays one pointer check per
//! call; everything here is off the hot path of a design that uses none.

use std::collections::VecDeque;

use rand::RngExt;

use super::breaker::Breaker;
use super::rng::SimRng;
use super::time::{NANOS_PER_SEC_U64, ms_to_nanos};
use super::{CallId, Distribution, SimTime};
use crate::scenario::{EdgeSpec, FallbackSpec, RetryBudget, RetryPolicy};

/// A caller's policy for calls over one edge, with its run-time state.
#[derive(Clone)]
pub struct CallPolicy {
    /// Stop waiting after this long (`None`: wait for ever).
    pub timeout_ns: Option<u64>,
    /// Calls over the edge that may still time out.
    pub timeouts: TimeoutList,
    pub retry: Option<RetryPolicy>,
    /// The retry budget's recent history, when the policy has one.
    pub budget: Option<RetryBudgetState>,
    pub breaker: Option<Breaker>,
    pub fallback: Option<Fallback>,
    /// Send a second copy of a call unanswered after this long.
    pub hedge_after_ns: Option<u64>,
}

/// A fallback at run time.
#[derive(Clone)]
pub enum Fallback {
    /// A made-up answer after this long (`None`: at once).
    Respond(Option<Distribution>),
    /// The calling cache's expired copy of the key, when it has one.
    ServeStale,
}

impl Fallback {
    fn new(spec: &FallbackSpec) -> Fallback {
        match spec {
            FallbackSpec::Respond { latency } => {
                Fallback::Respond(latency.as_ref().map(Distribution::new).filter(|d| !d.is_zero()))
            }
            FallbackSpec::ServeStale => Fallback::ServeStale,
        }
    }
}

impl CallPolicy {
    /// The policy an edge's spec asks for; `None` when it asks for none,
    /// so the engine's check per call stays a null-pointer test.
    pub fn for_edge(spec: &EdgeSpec) -> Option<Box<CallPolicy>> {
        if spec.timeout_ms.is_none()
            && spec.retry.is_none()
            && spec.breaker.is_none()
            && spec.fallback.is_none()
            && spec.hedge.is_none()
        {
            return None;
        }
        Some(Box::new(CallPolicy {
            timeout_ns: spec.timeout_ms.map(ms_to_nanos),
            timeouts: TimeoutList::default(),
            retry: spec.retry.clone(),
            budget: spec.retry.as_ref().and_then(|r| r.budget).map(RetryBudgetState::new),
            breaker: spec.breaker.map(Breaker::new),
            fallback: spec.fallback.as_ref().map(Fallback::new),
            hedge_after_ns: spec.hedge.map(|h| ms_to_nanos(h.delay_ms)),
        }))
    }

    /// Takes a new spec while calls are in flight: calls already sent keep
    /// the deadline they started with, the budget keeps its history when
    /// its parameters did not change.
    pub fn update(&mut self, spec: &EdgeSpec) {
        let timeout_ns = spec.timeout_ms.map(ms_to_nanos);
        if timeout_ns != self.timeout_ns {
            self.timeouts.sort();
            self.timeout_ns = timeout_ns;
        }
        let budget = spec.retry.as_ref().and_then(|r| r.budget);
        if budget != self.retry.as_ref().and_then(|r| r.budget) {
            self.budget = budget.map(RetryBudgetState::new);
        }
        self.retry.clone_from(&spec.retry);
        if spec.breaker.as_ref() != self.breaker.as_ref().map(Breaker::spec) {
            // A new breaker starts closed with an empty window.
            self.breaker = spec.breaker.map(Breaker::new);
        }
        self.fallback = spec.fallback.as_ref().map(Fallback::new);
        self.hedge_after_ns = spec.hedge.map(|h| ms_to_nanos(h.delay_ms));
    }
}

/// Calls that may still time out, in deadline order, with a single
/// scheduled check for all of them instead of one timer event per call.
/// All calls of one owner share one timeout, so the order they start in is
/// their deadline order; answered calls are dropped lazily when they reach
/// the front.
#[derive(Debug, Clone, Default)]
pub struct TimeoutList {
    entries: VecDeque<(SimTime, CallId)>,
    /// When the pending check fires, if one is scheduled.
    next_check: Option<SimTime>,
}

impl TimeoutList {
    /// Heap bytes a clone of the list allocates.
    pub fn approx_bytes(&self) -> usize {
        self.entries.len() * std::mem::size_of::<(SimTime, CallId)>()
    }

    /// Adds a call that times out at `deadline`, in deadline order (at the
    /// back unless the timeout was shortened mid-run); returns when to
    /// schedule a check if none is pending as early as this deadline (the
    /// later one pending then finds itself replaced and does nothing).
    #[inline]
    pub fn push(&mut self, deadline: SimTime, call: CallId) -> Option<SimTime> {
        if self.entries.back().is_none_or(|&(last, _)| last <= deadline) {
            self.entries.push_back((deadline, call));
        } else {
            let at = self.entries.partition_point(|&(d, _)| d <= deadline);
            self.entries.insert(at, (deadline, call));
        }
        if self.next_check.is_some_and(|t| t <= deadline) {
            return None;
        }
        self.next_check = Some(deadline);
        self.next_check
    }

    /// When the pending check fires, if one is scheduled.
    pub fn next_check(&self) -> Option<SimTime> {
        self.next_check
    }

    /// How many calls it holds, answered ones not yet dropped included.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Keeps only the calls `awaited` says are still unanswered.
    pub fn retain(&mut self, mut awaited: impl FnMut(CallId) -> bool) {
        self.entries.retain(|&(_, call)| awaited(call));
    }

    /// The latest entry.
    pub fn back(&self) -> Option<(SimTime, CallId)> {
        self.entries.back().copied()
    }

    /// The earliest entry.
    pub fn front(&self) -> Option<(SimTime, CallId)> {
        self.entries.front().copied()
    }

    pub fn pop_front(&mut self) {
        self.entries.pop_front();
    }

    /// The scheduled check fired (or is replaced by the one at `next`).
    pub fn set_next_check(&mut self, next: Option<SimTime>) {
        self.next_check = next;
    }

    /// Restores deadline order after the timeout changed mid-run.
    pub fn sort(&mut self) {
        self.entries.make_contiguous().sort_by_key(|(deadline, _)| *deadline);
    }
}

/// How long to wait before attempt `attempts_made + 1`: exponential
/// backoff from `backoff_ms`, capped, with jitter spread around it.
pub fn backoff_ns(policy: &RetryPolicy, attempts_made: u32, rng: &mut SimRng) -> u64 {
    let exponent = attempts_made.saturating_sub(1).min(64) as i32;
    let base = (policy.backoff_ms * policy.multiplier.powi(exponent)).min(policy.max_backoff_ms);
    let jitter = policy.jitter.clamp(0.0, 1.0);
    // Drawn even without jitter, so a policy's jitter changes no other draw.
    let wait_ms = base * (1.0 + jitter * (2.0 * rng.random::<f64>() - 1.0));
    ms_to_nanos(wait_ms)
}

/// Seconds of history a retry budget looks at (Finagle's `ttl`).
pub const BUDGET_WINDOW_S: usize = 10;

/// A retry budget at run time: first attempts and retries of the last
/// [`BUDGET_WINDOW_S`] seconds, in one-second slots. A retry is allowed
/// while `ratio × first attempts + min_per_s × window − retries ≥ 1`,
/// as Finagle's `RetryBudget` computes it.
#[derive(Debug, Clone)]
pub struct RetryBudgetState {
    spec: RetryBudget,
    /// (first attempts, retries) per second, indexed by second mod window.
    slots: [(u64, u64); BUDGET_WINDOW_S],
    /// The second the newest slot belongs to.
    second: u64,
}

impl RetryBudgetState {
    pub fn new(spec: RetryBudget) -> Self {
        Self { spec, slots: [(0, 0); BUDGET_WINDOW_S], second: 0 }
    }

    /// Moves the window to `now`, clearing the seconds that fell out.
    fn advance(&mut self, now: SimTime) {
        let second = now.0 / NANOS_PER_SEC_U64;
        if second == self.second {
            return;
        }
        let gap = (second - self.second).min(BUDGET_WINDOW_S as u64);
        for k in 1..=gap {
            self.slots[((self.second + k) % BUDGET_WINDOW_S as u64) as usize] = (0, 0);
        }
        self.second = second;
    }

    fn slot(&mut self) -> &mut (u64, u64) {
        &mut self.slots[(self.second % BUDGET_WINDOW_S as u64) as usize]
    }

    /// A first attempt was made: it earns `ratio` of a retry.
    pub fn deposit(&mut self, now: SimTime) {
        self.advance(now);
        self.slot().0 += 1;
    }

    /// Whether a retry may be made now; if so it is counted against the budget.
    pub fn try_withdraw(&mut self, now: SimTime) -> bool {
        self.advance(now);
        let (firsts, retries) = self.slots.iter().fold((0, 0), |(f, r), &(df, dr)| (f + df, r + dr));
        let reserve = self.spec.min_per_s * BUDGET_WINDOW_S as f64;
        let balance = self.spec.ratio * firsts as f64 + reserve - retries as f64;
        if balance < 1.0 {
            return false;
        }
        self.slot().1 += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_s(s: f64) -> SimTime {
        SimTime::from_secs(s)
    }

    #[test]
    fn a_budget_allows_ratio_of_recent_first_attempts() {
        let mut b = RetryBudgetState::new(RetryBudget { ratio: 0.1, min_per_s: 0.0 });
        for k in 0..100 {
            b.deposit(at_s(f64::from(k) * 0.01));
        }
        let allowed = (0..100).filter(|_| b.try_withdraw(at_s(1.0))).count();
        assert_eq!(allowed, 10);
    }

    #[test]
    fn a_budget_forgets_what_is_older_than_its_window() {
        let mut b = RetryBudgetState::new(RetryBudget { ratio: 1.0, min_per_s: 0.0 });
        for _ in 0..50 {
            b.deposit(at_s(0.5));
        }
        assert!(b.try_withdraw(at_s(9.5)), "within the window the deposits count");
        assert!(!b.try_withdraw(at_s(10.5 + BUDGET_WINDOW_S as f64)), "past it they are gone");
    }

    #[test]
    fn the_minimum_rate_lets_a_quiet_caller_retry() {
        let mut b = RetryBudgetState::new(RetryBudget { ratio: 0.0, min_per_s: 2.0 });
        let allowed = (0..100).filter(|_| b.try_withdraw(at_s(3.0))).count();
        assert_eq!(allowed, 2 * BUDGET_WINDOW_S);
    }

    #[test]
    fn backoff_grows_by_the_multiplier_up_to_its_cap() {
        let policy = RetryPolicy {
            max_attempts: 10,
            backoff_ms: 10.0,
            multiplier: 2.0,
            max_backoff_ms: 50.0,
            jitter: 0.0,
            budget: None,
        };
        let mut rng = crate::sim::rng::stream(1, "t");
        let waits: Vec<u64> = (1..=4).map(|a| backoff_ns(&policy, a, &mut rng) / 1_000_000).collect();
        assert_eq!(waits, vec![10, 20, 40, 50]);
    }
}
