//! Adaptive client-side throttling (the Google SRE book, "Handling
//! Overload"): a client that sees its backend accept too few of its
//! requests refuses some itself, before they cost the backend anything.
//! Over the last `window_s` it counts the requests it was asked to make
//! and those the backend accepted, and refuses the next with probability
//! `max(0, (requests − k·accepts) / (requests + 1))`. In steady state a
//! backend that accepts `a` requests/s receives about `k·a` of them; the
//! rest fail at the client as "throttled".

use super::SimTime;
use super::time::NANOS_PER_SEC_U64;
use crate::scenario::ThrottleSpec;

/// A client's throttle: its counts per second over the window.
#[derive(Debug, Clone)]
pub struct AdaptiveThrottle {
    k: f64,
    /// (requests, accepts) per second, indexed by second mod the window.
    slots: Vec<(u64, u64)>,
    /// The second the newest slot belongs to.
    second: u64,
    /// Sums over the slots, kept as they change.
    requests: u64,
    accepts: u64,
}

impl AdaptiveThrottle {
    pub fn new(spec: ThrottleSpec) -> AdaptiveThrottle {
        // Validation keeps the window between 1 s and an hour.
        let seconds = spec.window_s.round().clamp(1.0, 3_600.0) as usize;
        AdaptiveThrottle { k: spec.k, slots: vec![(0, 0); seconds], second: 0, requests: 0, accepts: 0 }
    }

    /// Whether it was built from `spec` (a live edit to the same spec keeps
    /// the history).
    pub fn matches(&self, spec: ThrottleSpec) -> bool {
        self.k == spec.k && self.slots.len() == spec.window_s.round().clamp(1.0, 3_600.0) as usize
    }

    /// Moves the window to `now`, forgetting the seconds that fell out.
    fn advance(&mut self, now: SimTime) {
        let second = now.0 / NANOS_PER_SEC_U64;
        if second == self.second {
            return;
        }
        let len = self.slots.len() as u64;
        let gap = (second - self.second).min(len);
        for step in 1..=gap {
            let slot = &mut self.slots[((self.second + step) % len) as usize];
            self.requests -= slot.0;
            self.accepts -= slot.1;
            *slot = (0, 0);
        }
        self.second = second;
    }

    fn slot(&mut self) -> &mut (u64, u64) {
        let len = self.slots.len() as u64;
        &mut self.slots[(self.second % len) as usize]
    }

    /// A request is to be made `now`: counts it, and returns the chance
    /// the client refuses it itself.
    pub fn request(&mut self, now: SimTime) -> f64 {
        self.advance(now);
        let p = (self.requests as f64 - self.k * self.accepts as f64) / (self.requests as f64 + 1.0);
        self.requests += 1;
        self.slot().0 += 1;
        p.max(0.0)
    }

    /// The backend accepted a request (answered it, ok or degraded).
    pub fn accepted(&mut self, now: SimTime) {
        self.advance(now);
        self.accepts += 1;
        self.slot().1 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_refuses_the_share_above_k_times_the_accepts() {
        let mut t = AdaptiveThrottle::new(ThrottleSpec { k: 2.0, window_s: 10.0 });
        let now = SimTime::from_secs(1.0);
        assert_eq!(t.request(now), 0.0, "nothing known yet");
        // 100 requests, 25 accepted: refuse (100 − 50) / 101.
        for _ in 0..99 {
            t.request(now);
        }
        for _ in 0..25 {
            t.accepted(now);
        }
        let p = t.request(now);
        assert!((p - 50.0 / 101.0).abs() < 1e-12, "{p}");
    }

    #[test]
    fn it_forgets_what_is_older_than_its_window() {
        let mut t = AdaptiveThrottle::new(ThrottleSpec { k: 2.0, window_s: 10.0 });
        for _ in 0..100 {
            t.request(SimTime::from_secs(0.5));
        }
        assert!(t.request(SimTime::from_secs(5.0)) > 0.9, "a backend that accepts nothing");
        assert_eq!(t.request(SimTime::from_secs(20.0)), 0.0, "ten seconds later it is forgotten");
    }
}
