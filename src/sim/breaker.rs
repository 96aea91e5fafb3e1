//! A circuit breaker on the caller's side of an edge: closed, it watches
//! how calls end; when too many fail it opens and refuses calls at once for
//! a while; then, half-open, it lets a few probes through and closes again
//! if they succeed. What Resilience4j's `CircuitBreaker` does, with its
//! count- and time-based sliding windows.

use serde::{Deserialize, Serialize};

use super::SimTime;
use crate::scenario::{BreakerSpec, BreakerWindow};

const NANOS_PER_SEC: u64 = 1_000_000_000;

/// Where a breaker is, as the app and the report show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    /// Calls go through; their outcomes are watched.
    Closed,
    /// Calls fail at once ("breaker open") without being sent.
    Open,
    /// A few probe calls go through to test the dependency.
    HalfOpen,
}

impl BreakerState {
    /// How the app names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Open => "open",
            Self::HalfOpen => "half-open",
        }
    }
}

/// A change of state, for the event log.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Transition {
    /// Closed → open: `failed` of the last `calls` calls failed.
    Opened { failed: u32, calls: u32 },
    /// Open → half-open: the open time is over; probes go through.
    HalfOpened,
    /// Half-open → closed: the probes succeeded.
    Closed,
    /// Half-open → open again: `failed` of `probes` probes failed.
    Reopened { failed: u32, probes: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Closed,
    Open { until: SimTime },
    HalfOpen { sent: u32, answered: u32, failed: u32 },
}

/// The calls a closed breaker remembers, with running totals so that
/// recording a call costs the same whatever the window's size.
#[derive(Debug, Clone)]
enum Window {
    /// The last `size` calls, a bit each (1 = failed).
    Calls { bits: Vec<u64>, size: u32, next: u32, filled: u32, failed: u32 },
    /// The last `slots.len()` whole seconds: (calls, failed) per second.
    Seconds { slots: Vec<(u32, u32)>, second: u64, calls: u32, failed: u32 },
}

impl Window {
    fn new(spec: BreakerWindow) -> Window {
        match spec {
            BreakerWindow::Calls(n) => {
                let size = n.max(1);
                Window::Calls { bits: vec![0; size.div_ceil(64) as usize], size, next: 0, filled: 0, failed: 0 }
            }
            BreakerWindow::Seconds(n) => {
                Window::Seconds { slots: vec![(0, 0); n.max(1) as usize], second: 0, calls: 0, failed: 0 }
            }
        }
    }

    /// Counts one call and returns (calls, failed) in the window now.
    fn record(&mut self, now: SimTime, call_failed: bool) -> (u32, u32) {
        match self {
            Window::Calls { bits, size, next, filled, failed } => {
                let (word, bit) = ((*next / 64) as usize, *next % 64);
                if *filled == *size && bits[word] >> bit & 1 == 1 {
                    *failed -= 1;
                }
                if call_failed {
                    bits[word] |= 1 << bit;
                    *failed += 1;
                } else {
                    bits[word] &= !(1 << bit);
                }
                *next = (*next + 1) % *size;
                *filled = (*filled + 1).min(*size);
                (*filled, *failed)
            }
            Window::Seconds { slots, second, calls, failed } => {
                let now_s = now.0 / NANOS_PER_SEC;
                let len = slots.len() as u64;
                if now_s > *second {
                    // Forget the seconds that fell out of the window.
                    for k in 1..=(now_s - *second).min(len) {
                        let slot = &mut slots[((*second + k) % len) as usize];
                        *calls -= slot.0;
                        *failed -= slot.1;
                        *slot = (0, 0);
                    }
                    *second = now_s;
                }
                let slot = &mut slots[(now_s % len) as usize];
                slot.0 += 1;
                *calls += 1;
                if call_failed {
                    slot.1 += 1;
                    *failed += 1;
                }
                (*calls, *failed)
            }
        }
    }

    fn clear(&mut self) {
        match self {
            Window::Calls { bits, next, filled, failed, .. } => {
                bits.fill(0);
                (*next, *filled, *failed) = (0, 0, 0);
            }
            Window::Seconds { slots, calls, failed, .. } => {
                slots.fill((0, 0));
                (*calls, *failed) = (0, 0);
            }
        }
    }
}

/// A circuit breaker at run time.
#[derive(Debug, Clone)]
pub struct Breaker {
    spec: BreakerSpec,
    phase: Phase,
    window: Window,
    unlogged: Option<Transition>,
}

impl Breaker {
    pub fn new(spec: BreakerSpec) -> Breaker {
        Breaker { spec, phase: Phase::Closed, window: Window::new(spec.window), unlogged: None }
    }

    /// The spec it was built from.
    pub fn spec(&self) -> &BreakerSpec {
        &self.spec
    }

    /// Where it is at `now` (an open breaker whose time is over shows as
    /// half-open: the next call is a probe).
    pub fn state(&self, now: SimTime) -> BreakerState {
        match self.phase {
            Phase::Closed => BreakerState::Closed,
            Phase::Open { until } if now < until => BreakerState::Open,
            Phase::Open { .. } | Phase::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    /// Whether a call may be sent now. An open breaker whose time is over
    /// turns half-open (kept for the log, see [`Self::take_unlogged`]) and
    /// lets up to `probes` calls through.
    pub fn admits(&mut self, now: SimTime) -> bool {
        if let Phase::Open { until } = self.phase {
            if now < until {
                return false;
            }
            self.phase = Phase::HalfOpen { sent: 0, answered: 0, failed: 0 };
            self.unlogged = Some(Transition::HalfOpened);
        }
        match &mut self.phase {
            Phase::HalfOpen { sent, .. } if *sent < self.spec.probes => {
                *sent += 1;
                true
            }
            Phase::HalfOpen { .. } => false,
            Phase::Closed | Phase::Open { .. } => true,
        }
    }

    /// The change [`Self::admits`] made and nobody logged yet. Admission
    /// runs where the engine cannot write to its log; the log is written
    /// right after.
    pub fn take_unlogged(&mut self) -> Option<Transition> {
        self.unlogged.take()
    }

    /// A call sent over the edge ended for its caller (`failed`: with an
    /// error, lost, timed out, refused below). Returns the change of state
    /// it caused, if any.
    pub fn record(&mut self, now: SimTime, failed: bool) -> Option<Transition> {
        match &mut self.phase {
            Phase::Closed => {
                let (calls, failures) = self.window.record(now, failed);
                let tripped =
                    calls >= self.spec.min_calls && f64::from(failures) >= self.spec.failure_rate * f64::from(calls);
                if !tripped {
                    return None;
                }
                self.open(now);
                Some(Transition::Opened { failed: failures, calls })
            }
            // An answer to a call sent before it opened.
            Phase::Open { .. } => None,
            Phase::HalfOpen { answered, failed: failures, .. } => {
                *answered += 1;
                *failures += u32::from(failed);
                let (answered, failures) = (*answered, *failures);
                if answered < self.spec.probes {
                    return None;
                }
                if f64::from(failures) >= self.spec.failure_rate * f64::from(answered) {
                    self.open(now);
                    Some(Transition::Reopened { failed: failures, probes: answered })
                } else {
                    self.phase = Phase::Closed;
                    self.window.clear();
                    Some(Transition::Closed)
                }
            }
        }
    }

    fn open(&mut self, now: SimTime) {
        self.phase = Phase::Open { until: now.after(SimTime::from_secs(self.spec.open_s).0) };
        self.window.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(window: BreakerWindow) -> BreakerSpec {
        BreakerSpec { failure_rate: 0.5, window, min_calls: 4, open_s: 2.0, probes: 2 }
    }

    fn at(s: f64) -> SimTime {
        SimTime::from_secs(s)
    }

    #[test]
    fn it_opens_once_the_window_holds_enough_calls_at_the_failure_rate() {
        let mut b = Breaker::new(spec(BreakerWindow::Calls(10)));
        assert_eq!(b.record(at(0.0), true), None);
        assert_eq!(b.record(at(0.0), true), None);
        assert_eq!(b.record(at(0.0), true), None, "3 calls are fewer than min_calls");
        assert_eq!(b.record(at(0.0), false), Some(Transition::Opened { failed: 3, calls: 4 }));
        assert_eq!(b.state(at(1.0)), BreakerState::Open);
        assert!(!b.admits(at(1.0)));
    }

    #[test]
    fn a_count_window_forgets_the_oldest_call() {
        let mut b = Breaker::new(BreakerSpec { min_calls: 4, ..spec(BreakerWindow::Calls(4)) });
        for failed in [true, false, false, false, false] {
            assert_eq!(b.record(at(0.0), failed), None);
        }
        // The window is now 4 successes; one failure is 1 in 4.
        assert_eq!(b.record(at(0.0), true), None);
        assert_eq!(b.record(at(0.0), true), Some(Transition::Opened { failed: 2, calls: 4 }));
    }

    #[test]
    fn a_time_window_forgets_calls_older_than_its_seconds() {
        let mut b = Breaker::new(spec(BreakerWindow::Seconds(2)));
        for _ in 0..3 {
            assert_eq!(b.record(at(0.5), true), None);
        }
        // Two seconds later the three failures are gone.
        for _ in 0..3 {
            assert_eq!(b.record(at(3.0), false), None);
        }
        assert_eq!(b.record(at(3.1), true), None, "1 failure in 4 calls");
    }

    #[test]
    fn after_the_open_time_probes_go_through_and_their_success_closes_it() {
        let mut b = Breaker::new(spec(BreakerWindow::Calls(4)));
        for _ in 0..4 {
            b.record(at(0.0), true);
        }
        assert_eq!(b.state(at(2.5)), BreakerState::HalfOpen);
        assert!(b.admits(at(2.5)));
        assert_eq!(b.take_unlogged(), Some(Transition::HalfOpened));
        assert!(b.admits(at(2.5)));
        assert!(!b.admits(at(2.5)), "only `probes` calls go through");
        assert_eq!(b.take_unlogged(), None);
        assert_eq!(b.record(at(2.6), false), None);
        assert_eq!(b.record(at(2.6), false), Some(Transition::Closed));
        assert!(b.admits(at(2.7)));
    }

    #[test]
    fn failed_probes_open_it_again() {
        let mut b = Breaker::new(spec(BreakerWindow::Calls(4)));
        for _ in 0..4 {
            b.record(at(0.0), true);
        }
        b.admits(at(3.0));
        b.admits(at(3.0));
        b.record(at(3.1), true);
        assert_eq!(b.record(at(3.1), false), Some(Transition::Reopened { failed: 1, probes: 2 }));
        assert_eq!(b.state(at(4.0)), BreakerState::Open);
        assert_eq!(b.state(at(5.2)), BreakerState::HalfOpen);
    }
}
