//! A pool of workers in front of a waiting line: the queueing station that
//! services, database servers and queue consumers are made of.

use std::collections::VecDeque;

use super::CallId;

/// Workers, the calls waiting for one, and the waiting line's capacity.
#[derive(Debug, Clone)]
pub struct Station {
    pub workers: u32,
    pub busy: u32,
    /// `None` = unbounded.
    pub capacity: Option<u32>,
    pub waiting: VecDeque<CallId>,
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
}

impl Station {
    pub fn new(workers: u32, capacity: Option<u32>) -> Station {
        Station { workers, busy: 0, capacity, waiting: VecDeque::new() }
    }

    /// Takes a worker if one is free, else a place in line, else refuses.
    #[inline]
    pub fn admit(&mut self, call: CallId) -> Admission {
        if self.busy < self.workers {
            self.busy += 1;
            Admission::Started
        } else if self.capacity.is_none_or(|cap| (self.waiting.len() as u32) < cap) {
            self.waiting.push_back(call);
            Admission::Queued
        } else {
            Admission::Rejected
        }
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
            && let Some(next) = self.waiting.pop_front()
        {
            self.busy += 1;
            return Some(next);
        }
        None
    }

    pub fn queue_len(&self) -> u32 {
        self.waiting.len() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_then_queues_then_rejects() {
        let mut s = Station::new(1, Some(1));
        let id = |index| CallId { index, generation: 0 };
        assert_eq!(s.admit(id(0)), Admission::Started);
        assert_eq!(s.admit(id(1)), Admission::Queued);
        assert_eq!(s.admit(id(2)), Admission::Rejected);
        assert_eq!(s.release(), Some(id(1)));
        assert_eq!(s.busy, 1);
        assert_eq!(s.release(), None);
        assert_eq!(s.busy, 0);
    }
}
