//! A pool of workers in front of a waiting line: the queueing station that
//! services, database servers and queue consumers are made of.

use std::collections::VecDeque;

use super::CallId;
use crate::scenario::PriorityClass;

/// Workers, the calls waiting for one, and the waiting line's capacity.
///
/// Waiting calls are served by priority class (critical, then standard,
/// then sheddable), first come first served within a class: a
/// non-preemptive priority queue. Almost every scenario has standard
/// requests only; they wait in `waiting` and the other classes' lines are
/// not even allocated, so a plain FIFO station pays one check per pop.
#[derive(Debug, Clone)]
pub struct Station {
    pub workers: u32,
    pub busy: u32,
    /// `None` = unbounded (for all classes together).
    pub capacity: Option<u32>,
    /// Standard requests waiting, oldest first.
    waiting: VecDeque<CallId>,
    /// Critical and sheddable requests waiting, from the first one that came.
    classes: Option<Box<ClassLines>>,
}

/// The lines of the classes other than standard.
#[derive(Debug, Clone, Default)]
struct ClassLines {
    critical: VecDeque<CallId>,
    sheddable: VecDeque<CallId>,
}

/// What happened to a call that asked for a worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// A worker took it.
    Started,
    /// It waits in line.
    Queued,
    /// The line is full.
    Rejected,
    /// The line was full, so the newest waiting call of a less important
    /// class was pushed out to make room: it is to be failed as shed.
    QueuedInstead(CallId),
}

impl Station {
    /// Heap bytes a clone of the station allocates: its waiting lines.
    pub fn approx_bytes(&self) -> usize {
        let lines = self
            .classes
            .as_ref()
            .map_or(0, |c| std::mem::size_of::<ClassLines>() + c.critical.len() + c.sheddable.len());
        (self.waiting.len() + lines) * std::mem::size_of::<CallId>()
    }

    pub fn new(workers: u32, capacity: Option<u32>) -> Station {
        Station { workers, busy: 0, capacity, waiting: VecDeque::new(), classes: None }
    }

    /// Takes a worker if one is free, else a place in line, else pushes a
    /// less important waiting call out of the line, else refuses.
    #[inline]
    pub fn admit(&mut self, call: CallId, class: PriorityClass) -> Admission {
        if self.busy < self.workers {
            self.busy += 1;
            Admission::Started
        } else if self.capacity.is_none_or(|cap| self.queue_len() < cap) {
            self.push(call, class);
            Admission::Queued
        } else if class != PriorityClass::Sheddable
            && let Some(out) = self.push_out_below(class)
        {
            self.push(call, class);
            Admission::QueuedInstead(out)
        } else {
            Admission::Rejected
        }
    }

    /// Puts a call at the back of its class's line (a queue's message
    /// waiting for a consumer, or a call for a worker).
    #[inline]
    pub fn push(&mut self, call: CallId, class: PriorityClass) {
        if class == PriorityClass::Standard {
            self.waiting.push_back(call);
        } else {
            self.push_classed(call, class);
        }
    }

    /// A critical or sheddable call joins its own line (out of line: most
    /// scenarios never have one).
    #[inline(never)]
    fn push_classed(&mut self, call: CallId, class: PriorityClass) {
        let lines = self.classes.get_or_insert_default();
        match class {
            PriorityClass::Critical => lines.critical.push_back(call),
            _ => lines.sheddable.push_back(call),
        }
    }

    /// Removes the newest waiting call of the least important class below
    /// `class` (the one that has waited least, so the least work is lost).
    #[inline(never)]
    fn push_out_below(&mut self, class: PriorityClass) -> Option<CallId> {
        if let Some(out) = self.classes.as_mut().and_then(|lines| lines.sheddable.pop_back()) {
            return Some(out);
        }
        if class == PriorityClass::Critical { self.waiting.pop_back() } else { None }
    }

    /// Frees a worker; returns the next waiting call if a worker is free for it.
    #[inline]
    pub fn release(&mut self) -> Option<CallId> {
        self.busy = self.busy.saturating_sub(1);
        self.take_next()
    }

    /// Hands a waiting call to a free worker, if both exist (after the pool
    /// grew, or after a release).
    #[inline]
    pub fn take_next(&mut self) -> Option<CallId> {
        if self.busy < self.workers
            && let Some(next) = self.pop_next()
        {
            self.busy += 1;
            return Some(next);
        }
        None
    }

    /// The next call to serve: the oldest of the most important class waiting.
    #[inline]
    fn pop_next(&mut self) -> Option<CallId> {
        match &mut self.classes {
            None => self.waiting.pop_front(),
            Some(lines) => {
                lines.critical.pop_front().or_else(|| self.waiting.pop_front()).or_else(|| lines.sheddable.pop_front())
            }
        }
    }

    pub fn queue_len(&self) -> u32 {
        let others = self.classes.as_ref().map_or(0, |l| l.critical.len() + l.sheddable.len());
        (self.waiting.len() + others) as u32
    }

    /// Empties the line (a crash lost everything in it).
    pub fn clear_waiting(&mut self) {
        self.waiting.clear();
        self.classes = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PriorityClass::{Critical, Sheddable, Standard};

    #[test]
    fn admits_then_queues_then_rejects() {
        let mut s = Station::new(1, Some(1));
        let id = |index| CallId { index, generation: 0 };
        assert_eq!(s.admit(id(0), Standard), Admission::Started);
        assert_eq!(s.admit(id(1), Standard), Admission::Queued);
        assert_eq!(s.admit(id(2), Standard), Admission::Rejected);
        assert_eq!(s.release(), Some(id(1)));
        assert_eq!(s.busy, 1);
        assert_eq!(s.release(), None);
        assert_eq!(s.busy, 0);
    }

    #[test]
    fn critical_calls_are_served_first_and_sheddable_ones_last() {
        let mut s = Station::new(1, None);
        let id = |index| CallId { index, generation: 0 };
        assert_eq!(s.admit(id(0), Standard), Admission::Started);
        for (i, class) in [(1, Sheddable), (2, Standard), (3, Critical), (4, Critical), (5, Standard)] {
            assert_eq!(s.admit(id(i), class), Admission::Queued);
        }
        assert_eq!(s.queue_len(), 5);
        let order: Vec<u32> = std::iter::from_fn(|| s.release()).map(|c| c.index).collect();
        assert_eq!(order, [3, 4, 2, 5, 1]);
    }

    #[test]
    fn a_full_line_pushes_out_the_newest_less_important_call() {
        let mut s = Station::new(1, Some(3));
        let id = |index| CallId { index, generation: 0 };
        assert_eq!(s.admit(id(0), Standard), Admission::Started);
        assert_eq!(s.admit(id(1), Sheddable), Admission::Queued);
        assert_eq!(s.admit(id(2), Sheddable), Admission::Queued);
        assert_eq!(s.admit(id(3), Standard), Admission::Queued);
        // Full: a sheddable call is refused, a standard one takes the newest sheddable's place.
        assert_eq!(s.admit(id(4), Sheddable), Admission::Rejected);
        assert_eq!(s.admit(id(5), Standard), Admission::QueuedInstead(id(2)));
        assert_eq!(s.admit(id(6), Standard), Admission::QueuedInstead(id(1)));
        // No sheddable left: standard is refused, critical pushes out the newest standard.
        assert_eq!(s.admit(id(7), Standard), Admission::Rejected);
        assert_eq!(s.admit(id(8), Critical), Admission::QueuedInstead(id(6)));
        assert_eq!(s.queue_len(), 3);
    }
}
