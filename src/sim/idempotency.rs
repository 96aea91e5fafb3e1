//! Duplicate writes. Calls are not cancelled: a write whose answer came
//! too late (its caller timed out) was still applied, and the retry that
//! follows applies it again — a customer charged twice. A database that
//! may see a write twice remembers which requests' writes it applied; a
//! write it has seen before is a *duplicate*, unless the client sent an
//! idempotency key with it, in which case the database answers without
//! applying it again (*deduplicated*), as a payments API does.
//!
//! A request may write to one database by design more than once (two
//! services that each write): a write is told apart by its *site*, the
//! caller it comes from, where replicas behind one load balancer count as
//! one caller (a retry or a hedge may reach the database through another
//! replica). A repeat is the same request's write from the same site.
//!
//! Only scenarios where a write can arrive twice (a retry or a hedge
//! somewhere) pay for the memory; the others never build it.

use std::collections::{HashSet, VecDeque};

use super::SimTime;
use super::call::RequestTag;

/// How long a database remembers an applied write: far longer than any
/// retry sequence here takes (idempotency keys live 24 h at Stripe; a
/// minute is plenty inside a simulation, and keeps memory at most a
/// minute of writes).
pub const WRITE_MEMORY_NS: u64 = 60_000_000_000;

/// At most this many writes remembered, whatever the write rate (the
/// oldest are forgotten first): 1 M request numbers, about 40 MB.
pub const MAX_WRITES_REMEMBERED: usize = 1_000_000;

/// What applying a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteEffect {
    /// The request's first write here.
    Applied,
    /// The same request's write, applied again: a duplicate.
    Duplicate,
    /// The same request's write, recognised by its idempotency key and
    /// not applied again.
    Deduplicated,
}

/// The requests whose writes a database applied recently.
#[derive(Debug, Clone, Default)]
pub struct AppliedWrites {
    /// (site << 32) | request number.
    requests: HashSet<u64>,
    /// (when, site and request) in the order applied, to forget the oldest.
    order: VecDeque<(SimTime, u64)>,
}

impl AppliedWrites {
    /// Heap bytes a clone allocates: the set's table (its buckets, a
    /// control byte each, about 8/7 of its capacity) and the order.
    pub fn approx_bytes(&self) -> usize {
        self.requests.capacity() * 8 / 7 * (std::mem::size_of::<u64>() + 1)
            + self.order.len() * std::mem::size_of::<(SimTime, u64)>()
    }

    /// A write of the request tagged `tag`, from write site `site`,
    /// completes `now`.
    pub fn apply(&mut self, tag: RequestTag, site: u32, now: SimTime) -> WriteEffect {
        self.forget_before(now);
        let request = (u64::from(site) << 32) | u64::from(tag.id());
        if !self.requests.insert(request) {
            return if tag.idempotent() { WriteEffect::Deduplicated } else { WriteEffect::Duplicate };
        }
        self.order.push_back((now, request));
        if self.order.len() > MAX_WRITES_REMEMBERED
            && let Some((_, oldest)) = self.order.pop_front()
        {
            self.requests.remove(&oldest);
        }
        WriteEffect::Applied
    }

    /// Writes remembered now.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.order.len()
    }

    fn forget_before(&mut self, now: SimTime) {
        while let Some(&(at, request)) = self.order.front() {
            if now.since(at) < WRITE_MEMORY_NS {
                break;
            }
            self.order.pop_front();
            self.requests.remove(&request);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::PriorityClass;

    #[test]
    fn a_write_seen_twice_is_a_duplicate_unless_it_has_an_idempotency_key() {
        let mut w = AppliedWrites::default();
        let t = SimTime::from_secs(1.0);
        let plain = RequestTag::new(7, PriorityClass::Standard, false);
        let keyed = RequestTag::new(8, PriorityClass::Standard, true);
        assert_eq!(w.apply(plain, 0, t), WriteEffect::Applied);
        assert_eq!(w.apply(plain, 0, t), WriteEffect::Duplicate);
        assert_eq!(w.apply(keyed, 0, t), WriteEffect::Applied);
        assert_eq!(w.apply(keyed, 0, t), WriteEffect::Deduplicated);
        // The same request writing from another site is another write.
        assert_eq!(w.apply(plain, 1, t), WriteEffect::Applied);
    }

    #[test]
    fn writes_are_forgotten_after_a_minute() {
        let mut w = AppliedWrites::default();
        let tag = RequestTag::new(1, PriorityClass::Standard, false);
        assert_eq!(w.apply(tag, 0, SimTime::ZERO), WriteEffect::Applied);
        let later = SimTime::from_secs(61.0);
        assert_eq!(w.apply(RequestTag::new(2, PriorityClass::Standard, false), 0, later), WriteEffect::Applied);
        assert_eq!(w.len(), 1, "the first write was forgotten");
        assert_eq!(w.apply(tag, 0, later), WriteEffect::Applied);
    }
}
