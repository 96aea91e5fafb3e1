//! A token bucket in front of a node: admission control, as an API
//! gateway's rate limiter does it.
//!
//! The bucket is refilled lazily, when a request arrives, by the simulated
//! time since the last arrival: no timer events, no allocation, O(1) per
//! arrival, and the same numbers for the same seed.

use std::collections::HashMap;

use super::SimTime;
use super::time::NANOS_PER_SEC;
use crate::scenario::{LimitPer, RateLimitSpec};

/// A node's rate limiter: one token bucket, or one per priority class or
/// per client (`LimitPer`), each with the spec's full rate and burst.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    spec: RateLimitSpec,
    /// The bucket of `Node`, or of each class in `RequestTag` class order.
    shared: Vec<TokenBucket>,
    /// `Client`: a bucket per client node, made full when its first
    /// request arrives (at most one per client of the scenario).
    per_client: HashMap<u32, TokenBucket>,
}

impl RateLimiter {
    pub fn new(spec: &RateLimitSpec, now: SimTime) -> RateLimiter {
        let buckets = match spec.per {
            LimitPer::Node => 1,
            LimitPer::Class => 3,
            LimitPer::Client => 0,
        };
        RateLimiter { spec: *spec, shared: vec![TokenBucket::new(spec, now); buckets], per_client: HashMap::new() }
    }

    /// Whose requests share a bucket.
    pub fn per(&self) -> LimitPer {
        self.spec.per
    }

    /// New parameters from `now` on: each bucket keeps the tokens it
    /// earned (see `TokenBucket::set`); a new `per` starts full buckets.
    pub fn set(&mut self, spec: &RateLimitSpec, now: SimTime) {
        if spec.per != self.spec.per {
            *self = RateLimiter::new(spec, now);
            return;
        }
        self.spec = *spec;
        for bucket in self.shared.iter_mut().chain(self.per_client.values_mut()) {
            bucket.set(spec, now);
        }
    }

    /// Whether a request arriving at `now` may pass, `key` naming its
    /// bucket: ignored for `Node`, the class index for `Class`, the
    /// client's node for `Client`.
    pub fn admit(&mut self, now: SimTime, key: u32) -> bool {
        match self.spec.per {
            LimitPer::Client => {
                let spec = &self.spec;
                self.per_client.entry(key).or_insert_with(|| TokenBucket::new(spec, now)).admit(now)
            }
            LimitPer::Class => self.shared.get_mut(key as usize).is_none_or(|b| b.admit(now)),
            LimitPer::Node => self.shared.first_mut().is_none_or(|b| b.admit(now)),
        }
    }
}

/// Tokens, the time they were last counted, and the bucket's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenBucket {
    /// Tokens added per nanosecond of simulated time.
    per_ns: f64,
    /// The bucket's size, tokens.
    burst: f64,
    /// Tokens at `counted_at` (fractions included).
    tokens: f64,
    counted_at: SimTime,
}

impl TokenBucket {
    /// A full bucket at time `now`.
    pub fn new(spec: &RateLimitSpec, now: SimTime) -> TokenBucket {
        let burst = f64::from(spec.burst.max(1));
        TokenBucket { per_ns: spec.rate / NANOS_PER_SEC, burst, tokens: burst, counted_at: now }
    }

    /// New parameters from `now` on: the tokens earned so far at the old
    /// rate are kept, capped at the new size.
    pub fn set(&mut self, spec: &RateLimitSpec, now: SimTime) {
        self.refill(now);
        self.per_ns = spec.rate / NANOS_PER_SEC;
        self.burst = f64::from(spec.burst.max(1));
        self.tokens = self.tokens.min(self.burst);
    }

    #[inline]
    fn refill(&mut self, now: SimTime) {
        let elapsed = now.since(self.counted_at) as f64;
        self.tokens = (self.tokens + elapsed * self.per_ns).min(self.burst);
        self.counted_at = self.counted_at.max(now);
    }

    /// Whether a request arriving at `now` may pass; takes its token if so.
    #[inline]
    pub fn admit(&mut self, now: SimTime) -> bool {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(rate: f64, burst: u32) -> TokenBucket {
        TokenBucket::new(&RateLimitSpec { rate, burst, ..RateLimitSpec::default() }, SimTime::ZERO)
    }

    #[test]
    fn each_client_or_class_gets_a_bucket_of_its_own() {
        let spec = |per| RateLimitSpec { rate: 1.0, burst: 2, per };
        let now = SimTime::ZERO;
        let mut shared = RateLimiter::new(&spec(LimitPer::Node), now);
        assert!(shared.admit(now, 7) && shared.admit(now, 8));
        assert!(!shared.admit(now, 9), "one bucket for everyone");
        let mut per_client = RateLimiter::new(&spec(LimitPer::Client), now);
        assert!(per_client.admit(now, 7) && per_client.admit(now, 7));
        assert!(!per_client.admit(now, 7), "client 7 used its burst");
        assert!(per_client.admit(now, 8) && per_client.admit(now, 8), "client 8 still has its own");
        let mut per_class = RateLimiter::new(&spec(LimitPer::Class), now);
        assert!(per_class.admit(now, 2) && per_class.admit(now, 2) && !per_class.admit(now, 2));
        assert!(per_class.admit(now, 1), "another class, another bucket");
        per_class.set(&spec(LimitPer::Node), now);
        assert!(per_class.admit(now, 2) && per_class.admit(now, 2), "a new `per` starts full");
    }

    #[test]
    fn a_full_bucket_passes_a_burst_then_refuses() {
        let mut b = bucket(10.0, 3);
        let now = SimTime::ZERO;
        assert!((0..3).all(|_| b.admit(now)));
        assert!(!b.admit(now), "the fourth back-to-back request finds the bucket empty");
    }

    #[test]
    fn tokens_come_back_at_the_rate_and_never_beyond_the_burst() {
        let mut b = bucket(10.0, 2);
        assert!(b.admit(SimTime::ZERO) && b.admit(SimTime::ZERO));
        assert!(!b.admit(SimTime::from_secs(0.05)), "half a token after 50 ms");
        assert!(b.admit(SimTime::from_secs(0.1)), "one token after 100 ms");
        let later = SimTime::from_secs(100.0);
        assert!(b.admit(later) && b.admit(later), "a long quiet spell fills the bucket");
        assert!(!b.admit(later), "but only up to the burst");
    }

    #[test]
    fn a_new_rate_keeps_the_tokens_earned_capped_at_the_new_size() {
        let mut b = bucket(10.0, 10);
        b.set(&RateLimitSpec { rate: 1.0, burst: 4, ..RateLimitSpec::default() }, SimTime::from_secs(1.0));
        assert!((0..4).all(|_| b.admit(SimTime::from_secs(1.0))));
        assert!(!b.admit(SimTime::from_secs(1.0)), "capped at the new size");
        assert!(!b.admit(SimTime::from_secs(1.5)));
        assert!(b.admit(SimTime::from_secs(2.0)));
    }
}
