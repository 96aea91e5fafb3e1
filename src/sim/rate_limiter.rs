//! A token bucket in front of a node: admission control, as an API
//! gateway's rate limiter does it.
//!
//! The bucket is refilled lazily, when a request arrives, by the simulated
//! time since the last arrival: no timer events, no allocation, O(1) per
//! arrival, and the same numbers for the same seed.

use super::SimTime;
use super::time::NANOS_PER_SEC;
use crate::scenario::RateLimitSpec;

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
        TokenBucket::new(&RateLimitSpec { rate, burst }, SimTime::ZERO)
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
        b.set(&RateLimitSpec { rate: 1.0, burst: 4 }, SimTime::from_secs(1.0));
        assert!((0..4).all(|_| b.admit(SimTime::from_secs(1.0))));
        assert!(!b.admit(SimTime::from_secs(1.0)), "capped at the new size");
        assert!(!b.admit(SimTime::from_secs(1.5)));
        assert!(b.admit(SimTime::from_secs(2.0)));
    }
}
