//! The future event list: a radix heap over integer-nanosecond times, plus
//! a FIFO for work that happens "now" (most zero-latency hops), which needs
//! no ordering work at all.
//!
//! A radix heap suits a discrete-event simulation because time never goes
//! back: every key pushed is ≥ the last key popped. Items sit in bucket
//! `b` = the position of the highest bit where their key differs from the
//! last popped key; popping empties bucket 0 in FIFO order, and when it is
//! empty the lowest non-empty bucket is redistributed around its minimum.
//! Each item moves down at most 64 times in its life, usually a few times.
//!
//! Equal times come out in insertion order: items with the same key always
//! share a bucket, every bucket is appended to and redistributed in order,
//! and bucket 0 is read front to back (tested against a (time, sequence)
//! binary heap below).

use std::collections::VecDeque;

use super::{Event, SimTime};

const BUCKETS: usize = 65;

/// Events in time order; deterministic for equal times.
pub struct EventQueue {
    buckets: Vec<Vec<(u64, Event)>>,
    /// Read position in bucket 0 (items before it were popped).
    head: usize,
    /// The key all of bucket 0 has: the last minimum taken.
    last: u64,
    /// Items in the buckets (not counting `now`).
    len: usize,
    /// Bit `i − 1` set ⇔ bucket `i` (1..=64) is non-empty: finds the lowest
    /// non-empty bucket with one instruction instead of a scan.
    occupied: u64,
    now: VecDeque<Event>,
}

impl Default for EventQueue {
    fn default() -> Self {
        EventQueue { buckets: vec![Vec::new(); BUCKETS], head: 0, last: 0, len: 0, occupied: 0, now: VecDeque::new() }
    }
}

#[inline]
fn bucket_of(key: u64, last: u64) -> usize {
    if key == last { 0 } else { 64 - (key ^ last).leading_zeros() as usize }
}

impl EventQueue {
    /// Schedules `event` at `at`. Events at `current` go to the FIFO, which
    /// runs before later events; its order is insertion order.
    #[inline]
    pub fn push(&mut self, current: SimTime, at: SimTime, event: Event) {
        if at <= current {
            self.now.push_back(event);
        } else {
            // Time never goes back, so `at` ≥ `last`; clamp defensively.
            let key = at.0.max(self.last);
            self.put(key, event);
            self.len += 1;
        }
    }

    #[inline]
    fn put(&mut self, key: u64, event: Event) {
        let b = bucket_of(key, self.last);
        self.buckets[b].push((key, event));
        if b > 0 {
            self.occupied |= 1 << (b - 1);
        }
    }

    /// Makes bucket 0 hold the earliest items; false if there are none.
    #[inline]
    fn settle(&mut self) -> bool {
        if self.head < self.buckets[0].len() {
            return true;
        }
        if self.len == 0 {
            return false;
        }
        self.buckets[0].clear();
        self.head = 0;
        if self.occupied == 0 {
            return false;
        }
        let i = self.occupied.trailing_zeros() as usize + 1;
        self.occupied &= !(1 << (i - 1));
        let mut items = std::mem::take(&mut self.buckets[i]);
        self.last = items.iter().map(|(k, _)| *k).min().unwrap_or(self.last);
        for &(key, event) in &items {
            self.put(key, event);
        }
        items.clear();
        self.buckets[i] = items; // keep the allocation
        true
    }

    /// The time of the next event, if any (the FIFO means "now").
    #[inline]
    pub fn peek_time(&mut self, current: SimTime) -> Option<SimTime> {
        if !self.now.is_empty() {
            return Some(current);
        }
        self.settle().then_some(SimTime(self.last))
    }

    /// Removes and returns the next event if it is due at or before `until`.
    #[inline]
    pub fn pop_due(&mut self, current: SimTime, until: SimTime) -> Option<(SimTime, Event)> {
        if let Some(e) = self.now.pop_front() {
            return Some((current, e));
        }
        if !self.settle() || self.last > until.0 {
            return None;
        }
        let (key, event) = self.buckets[0][self.head];
        self.head += 1;
        self.len -= 1;
        Some((SimTime(key), event))
    }

    /// Removes and returns the next event and its time.
    #[inline]
    pub fn pop(&mut self, current: SimTime) -> Option<(SimTime, Event)> {
        if let Some(e) = self.now.pop_front() {
            return Some((current, e));
        }
        if !self.settle() {
            return None;
        }
        let (key, event) = self.buckets[0][self.head];
        self.head += 1;
        self.len -= 1;
        Some((SimTime(key), event))
    }

    pub fn len(&self) -> usize {
        self.len + self.now.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
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

    /// The radix heap pops exactly what a (time, insertion sequence) binary
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
