//! The future event list: a binary heap ordered by (time, insertion
//! sequence), plus a FIFO for work that happens "now", which is most of it
//! (zero-latency hops) and needs no heap operation at all.

use std::collections::{BinaryHeap, VecDeque};

use super::{Event, SimTime};

struct Entry {
    /// Time in the high 64 bits, insertion sequence in the low 64: one
    /// integer comparison orders by time and breaks ties by insertion.
    key: u128,
    event: Event,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Reversed: BinaryHeap is a max-heap, we want the earliest first.
        other.key.cmp(&self.key)
    }
}

/// Events in time order; deterministic for equal times.
#[derive(Default)]
pub struct EventQueue {
    heap: BinaryHeap<Entry>,
    now: VecDeque<Event>,
    sequence: u64,
}

impl EventQueue {
    /// Schedules `event` at `at`. Events at `current` go to the FIFO, which
    /// runs before later heap events; its order is insertion order.
    #[inline]
    pub fn push(&mut self, current: SimTime, at: SimTime, event: Event) {
        if at <= current {
            self.now.push_back(event);
        } else {
            self.sequence += 1;
            self.heap.push(Entry { key: (u128::from(at.0) << 64) | u128::from(self.sequence), event });
        }
    }

    /// The time of the next event, if any (the FIFO means "now").
    #[inline]
    pub fn peek_time(&self, current: SimTime) -> Option<SimTime> {
        if !self.now.is_empty() {
            return Some(current);
        }
        self.heap.peek().map(|e| SimTime((e.key >> 64) as u64))
    }

    /// Removes and returns the next event and its time.
    #[inline]
    pub fn pop(&mut self, current: SimTime) -> Option<(SimTime, Event)> {
        if let Some(e) = self.now.pop_front() {
            return Some((current, e));
        }
        self.heap.pop().map(|e| (SimTime((e.key >> 64) as u64), e.event))
    }

    pub fn len(&self) -> usize {
        self.heap.len() + self.now.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_times_come_out_in_insertion_order() {
        let mut q = EventQueue::default();
        let t = SimTime(10);
        q.push(SimTime::ZERO, t, Event::UserReady { node: 1 });
        q.push(SimTime::ZERO, SimTime(5), Event::UserReady { node: 0 });
        q.push(SimTime::ZERO, t, Event::UserReady { node: 2 });
        let order: Vec<_> = std::iter::from_fn(|| q.pop(SimTime::ZERO)).collect();
        assert_eq!(
            order,
            vec![
                (SimTime(5), Event::UserReady { node: 0 }),
                (t, Event::UserReady { node: 1 }),
                (t, Event::UserReady { node: 2 })
            ]
        );
    }

    #[test]
    fn work_for_now_runs_before_later_events() {
        let mut q = EventQueue::default();
        q.push(SimTime(0), SimTime(3), Event::WindowEnd);
        q.push(SimTime(0), SimTime(0), Event::WarmupEnd);
        assert_eq!(q.pop(SimTime(0)), Some((SimTime(0), Event::WarmupEnd)));
        assert_eq!(q.pop(SimTime(0)), Some((SimTime(3), Event::WindowEnd)));
    }
}
