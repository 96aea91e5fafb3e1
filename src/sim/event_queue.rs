//! The future event list: a 4-ary min-heap ordered by (time, insertion
//! sequence), plus a FIFO for work that happens "now" (most zero-latency
//! hops), which needs no ordering work at all.
//!
//! A 4-ary heap is half as deep as a binary one, so a pop moves half as
//! many 32-byte entries; the four children of a node share a cache line
//! pair. Time and sequence are packed in one `u128` so one comparison
//! orders by time and breaks ties by insertion order.

use std::collections::VecDeque;

use super::{Event, SimTime};

const ARITY: usize = 4;

#[derive(Clone, Copy)]
struct Entry {
    key: u128,
    event: Event,
}

/// Events in time order; deterministic for equal times.
#[derive(Clone, Default)]
pub struct EventQueue {
    heap: Vec<Entry>,
    sequence: u64,
    now: VecDeque<Event>,
}

impl EventQueue {
    /// Heap bytes a clone of the queue allocates (see `footprint.rs`).
    pub fn approx_bytes(&self) -> usize {
        self.heap.len() * std::mem::size_of::<Entry>() + self.now.len() * std::mem::size_of::<Event>()
    }

    /// Schedules `event` at `at`. Events at `current` go to the FIFO, which
    /// runs before later events; its order is insertion order.
    #[inline]
    pub fn push(&mut self, current: SimTime, at: SimTime, event: Event) {
        if at <= current {
            self.now.push_back(event);
            return;
        }
        self.sequence += 1;
        let entry = Entry { key: (u128::from(at.0) << 64) | u128::from(self.sequence), event };
        // Sift up with a hole: move parents down until the entry fits.
        let mut i = self.heap.len();
        self.heap.push(entry);
        while i > 0 {
            let parent = (i - 1) / ARITY;
            if self.heap[parent].key <= entry.key {
                break;
            }
            self.heap[i] = self.heap[parent];
            i = parent;
        }
        self.heap[i] = entry;
    }

    /// Removes and returns the next event if it is due at or before `until`.
    #[inline]
    pub fn pop_due(&mut self, current: SimTime, until: SimTime) -> Option<(SimTime, Event)> {
        if let Some(e) = self.now.pop_front() {
            return Some((current, e));
        }
        let first = self.heap.first()?;
        if (first.key >> 64) as u64 > until.0 {
            return None;
        }
        self.pop_heap()
    }

    /// Removes and returns the next event and its time (the engine uses
    /// [`Self::pop_due`]; the tests read the order with this).
    #[cfg(test)]
    pub fn pop(&mut self, current: SimTime) -> Option<(SimTime, Event)> {
        if let Some(e) = self.now.pop_front() {
            return Some((current, e));
        }
        self.pop_heap()
    }

    #[inline]
    fn pop_heap(&mut self) -> Option<(SimTime, Event)> {
        let last = self.heap.pop()?;
        let top = match self.heap.first() {
            None => last,
            Some(&top) => {
                // Sift the last entry down from the root with a hole.
                let n = self.heap.len();
                let mut i = 0;
                loop {
                    let first_child = i * ARITY + 1;
                    if first_child >= n {
                        break;
                    }
                    let end = (first_child + ARITY).min(n);
                    let mut best = first_child;
                    for c in first_child + 1..end {
                        if self.heap[c].key < self.heap[best].key {
                            best = c;
                        }
                    }
                    if last.key <= self.heap[best].key {
                        break;
                    }
                    self.heap[i] = self.heap[best];
                    i = best;
                }
                self.heap[i] = last;
                top
            }
        };
        Some((SimTime((top.key >> 64) as u64), top.event))
    }

    pub fn len(&self) -> usize {
        self.heap.len() + self.now.len()
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    use rand::RngExt;

    use super::*;
    use crate::sim::rng::stream;

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

    /// The heap pops exactly what a (time, insertion sequence) binary
    /// heap pops, over a long random interleaving of pushes and pops with
    /// many equal times.
    #[test]
    fn matches_a_binary_heap_ordered_by_time_then_sequence() {
        let mut rng = stream(11, "queue");
        let mut radix = EventQueue::default();
        let mut reference = BinaryHeap::new();
        let mut now = 0u64;
        let mut seq = 0u32;
        for _ in 0..200_000 {
            if rng.random_bool(0.55) {
                // Small offsets make ties common; occasional huge jumps cross many buckets.
                let offset =
                    if rng.random_bool(0.05) { rng.random_range(1..1u64 << 40) } else { rng.random_range(1..8) };
                seq += 1;
                let event = Event::UserReady { node: seq };
                radix.push(SimTime(now), SimTime(now + offset), event);
                reference.push(Reverse((now + offset, seq)));
            } else {
                let got = radix.pop(SimTime(now));
                let want = reference.pop().map(|Reverse((t, s))| (SimTime(t), Event::UserReady { node: s }));
                assert_eq!(got, want);
                if let Some((t, _)) = got {
                    now = t.0;
                }
            }
        }
    }
}
