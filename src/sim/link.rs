//! A link's payloads and bandwidth at run time: how many bytes cross it
//! each way, and, with a bandwidth, how long each payload takes to send.
//!
//! Each direction sends one payload after another (first come, first
//! served), so a busy link queues. The queue is never stored: a FIFO
//! single server's departures follow Lindley's recursion, so the time the
//! direction is next free is all it keeps — no events, no memory per
//! payload, O(1) per crossing. An edge without sizes or bandwidth has no
//! `Link` and pays one null check per crossing.

use super::edge::EdgeCounters;
use super::rng::SimRng;
use super::{Distribution, SimTime};
use crate::scenario::EdgeSpec;

/// A sampled size is in micro-kilobytes (see `SizeSpec::as_distribution`):
/// this many make a byte.
const SAMPLE_UNITS_PER_BYTE: u64 = 1_000;

/// The payloads and bandwidth of one edge.
#[derive(Debug, Clone)]
pub struct Link {
    request: Option<Distribution>,
    response: Option<Distribution>,
    /// Nanoseconds to send one byte (`None`: the link is never the limit).
    ns_per_byte: Option<f64>,
    /// When each direction has sent everything handed to it so far.
    forward_free_at: SimTime,
    back_free_at: SimTime,
}

/// Which way a payload crosses its edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// Caller to callee: a request.
    Forward,
    /// Callee to caller: an answer.
    Back,
}

impl Link {
    /// The link `spec` describes; `None` when it has no sizes.
    pub fn for_edge(spec: &EdgeSpec) -> Option<Box<Link>> {
        if spec.request_kb.is_none() && spec.response_kb.is_none() {
            return None;
        }
        Some(Box::new(Link {
            request: spec.request_kb.as_ref().map(|s| Distribution::new(&s.as_distribution())),
            response: spec.response_kb.as_ref().map(|s| Distribution::new(&s.as_distribution())),
            ns_per_byte: spec.bandwidth_mbps.map(ns_per_byte),
            forward_free_at: SimTime::ZERO,
            back_free_at: SimTime::ZERO,
        }))
    }

    /// New sizes and bandwidth from now on; what is being sent goes on.
    pub fn update(&mut self, spec: &EdgeSpec) {
        self.request = spec.request_kb.as_ref().map(|s| Distribution::new(&s.as_distribution()));
        self.response = spec.response_kb.as_ref().map(|s| Distribution::new(&s.as_distribution()));
        self.ns_per_byte = spec.bandwidth_mbps.map(ns_per_byte);
    }

    /// Sending time handed to each direction (forward, back) and not yet
    /// spent at `now`: the payloads still queued or being sent.
    pub fn backlog(&self, now: SimTime) -> (u64, u64) {
        (self.forward_free_at.since(now), self.back_free_at.since(now))
    }

    /// Whether the link has a bandwidth (payloads take time to send).
    pub fn has_bandwidth(&self) -> bool {
        self.ns_per_byte.is_some()
    }

    /// A payload is handed to the link at `now`, `way`: its size is drawn
    /// and counted; returns how long until it has been sent (its wait for
    /// the payloads ahead of it, then its own transmission), 0 without a
    /// bandwidth or a size that way.
    pub fn send(&mut self, way: Way, now: SimTime, rng: &mut SimRng, counters: &mut EdgeCounters) -> u64 {
        let (size, free_at, bytes, busy) = match way {
            Way::Forward => {
                (&self.request, &mut self.forward_free_at, &mut counters.request_bytes, &mut counters.forward_busy_ns)
            }
            Way::Back => {
                (&self.response, &mut self.back_free_at, &mut counters.response_bytes, &mut counters.back_busy_ns)
            }
        };
        let Some(size) = size else { return 0 };
        let payload = size.sample(rng) / SAMPLE_UNITS_PER_BYTE;
        *bytes = bytes.saturating_add(payload);
        let Some(ns_per_byte) = self.ns_per_byte else { return 0 };
        let transmission = (payload as f64 * ns_per_byte).round() as u64;
        let start = (*free_at).max(now);
        *free_at = start.after(transmission);
        *busy = busy.saturating_add(transmission);
        free_at.since(now)
    }
}

/// Nanoseconds to send a byte at `mbps` megabits per second.
fn ns_per_byte(mbps: f64) -> f64 {
    8_000.0 / mbps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::SizeSpec;

    fn link(request_kb: f64, mbps: Option<f64>) -> Link {
        let mut spec = EdgeSpec::new("a", "b");
        spec.request_kb = Some(SizeSpec::Constant { kb: request_kb });
        spec.bandwidth_mbps = mbps;
        *Link::for_edge(&spec).expect("a size")
    }

    #[test]
    fn payloads_queue_one_after_another_on_a_link() {
        // 1.25 KB at 10 Mbit/s: 1 ms each.
        let mut l = link(1.25, Some(10.0));
        let mut rng = crate::sim::rng::stream(1, "t");
        let mut counters = EdgeCounters::default();
        let at = |ms: f64| SimTime::from_secs(ms / 1000.0);
        assert_eq!(l.send(Way::Forward, at(0.0), &mut rng, &mut counters), 1_000_000);
        assert_eq!(l.send(Way::Forward, at(0.0), &mut rng, &mut counters), 2_000_000, "waits for the first");
        assert_eq!(l.send(Way::Forward, at(5.0), &mut rng, &mut counters), 1_000_000, "idle again by then");
        assert_eq!(l.send(Way::Back, at(5.0), &mut rng, &mut counters), 0, "no answer size: nothing to send");
        assert_eq!(counters.request_bytes, 3 * 1_250);
        assert_eq!(counters.forward_busy_ns, 3_000_000);
    }

    #[test]
    fn without_a_bandwidth_payloads_are_counted_and_take_no_time() {
        let mut l = link(2.0, None);
        let mut rng = crate::sim::rng::stream(1, "t");
        let mut counters = EdgeCounters::default();
        assert_eq!(l.send(Way::Forward, SimTime::ZERO, &mut rng, &mut counters), 0);
        assert_eq!(counters.request_bytes, 2_000);
    }
}
