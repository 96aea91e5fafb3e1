//! A bulkhead that waits: calls beyond the cap wait in line at the edge
//! for a place, first come first served, up to a maximum wait — as
//! Resilience4j's semaphore bulkhead with `maxWaitDuration` does.
//!
//! Only an edge with `bulkhead_wait_ms` has a line; a call that finds the
//! bulkhead full on any other edge fails at once, and an edge without a
//! bulkhead pays nothing for this module.

use super::call_policy::TimeoutList;
use super::time::ms_to_nanos;
use super::{CallId, SimTime};

/// Calls waiting for a place in one edge's bulkhead.
///
/// A waiting call is a child already made (its caller waits on it, its
/// timeout and hedge already count), not yet sent: `in_flight` does not
/// include it. The line reuses [`TimeoutList`]: every call waits at most
/// the same time, so arrival order is deadline order and one scheduled
/// check serves the whole line.
#[derive(Debug, Clone)]
pub struct BulkheadLine {
    max_wait_ns: u64,
    waiting: TimeoutList,
}

impl BulkheadLine {
    /// Heap bytes a clone of the line allocates.
    pub fn approx_bytes(&self) -> usize {
        std::mem::size_of::<Self>() + self.waiting.approx_bytes()
    }

    pub fn new(max_wait_ms: f64) -> BulkheadLine {
        BulkheadLine { max_wait_ns: ms_to_nanos(max_wait_ms), waiting: TimeoutList::default() }
    }

    /// A longer or shorter wait for calls that join from now on; those
    /// already waiting keep the deadline they joined with.
    pub fn set_max_wait(&mut self, max_wait_ms: f64) {
        self.max_wait_ns = ms_to_nanos(max_wait_ms);
    }

    /// Puts `call` at the back of the line at `now`; returns when to
    /// schedule the line's check if none is pending as early. Its deadline
    /// is never before the call ahead's (after a shorter wait was set, it
    /// applies once the calls that came before have left), so the line
    /// stays first come, first served.
    pub fn join(&mut self, now: SimTime, call: CallId) -> Option<SimTime> {
        let deadline = now.after(self.max_wait_ns).max(self.waiting.back().map_or(SimTime::ZERO, |(at, _)| at));
        self.waiting.push(deadline, call)
    }

    /// Drops the calls `keep` says no caller waits for any more: amortised
    /// O(1) when done only once the line holds many more calls than there
    /// are calls in flight at all (see `is_crowded`).
    pub fn retain(&mut self, keep: impl FnMut(CallId) -> bool) {
        self.waiting.retain(keep);
    }

    /// The call at the front of the line and when it stops waiting.
    pub fn front(&self) -> Option<(SimTime, CallId)> {
        self.waiting.front()
    }

    pub fn pop_front(&mut self) {
        self.waiting.pop_front();
    }

    /// Calls in line, including ones whose caller stopped waiting and
    /// that leave the line when they reach its front.
    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    pub fn is_empty(&self) -> bool {
        self.waiting.len() == 0
    }

    /// When the pending check fires, if one is scheduled.
    pub fn next_check(&self) -> Option<SimTime> {
        self.waiting.next_check()
    }

    /// The scheduled check fired (or is replaced by the one at `next`).
    pub fn set_next_check(&mut self, next: Option<SimTime>) {
        self.waiting.set_next_check(next);
    }
}
