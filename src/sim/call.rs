//! The call slab: one slot per request in flight at one node. Slots are
//! recycled, so memory follows the number of requests in flight, never the
//! number served.

use super::{CallId, Outcome, SimTime};
use crate::scenario::PriorityClass;

/// "No call" / "no edge" marker for `u32` links.
pub const NONE: u32 = u32::MAX;

/// Set in a call's `parent` when its caller stopped waiting for it (timed
/// out): the link names no slot any more (there are far fewer than 2³¹),
/// so its answer is late whatever the caller does next, and the caller's
/// breaker, which counted the timeout, does not count the answer again.
const DETACHED: u32 = 1 << 31;

/// Where a call is in its life at its node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CallState {
    /// Travelling over an edge towards its node.
    #[default]
    InTransit,
    /// Not sent yet: waiting in line for a place in its edge's bulkhead
    /// (`bulkhead_wait_ms`).
    WaitingForPlace,
    /// Waiting for a worker.
    Queued,
    /// A worker is on it.
    Working,
    /// Waiting for the answer of a downstream call.
    Waiting,
    /// Answered; the reply is travelling back.
    Finished,
    /// A downstream call over an edge with a retry policy failed; the
    /// caller waits out the backoff before calling again.
    Backoff,
    /// A downstream call failed for good and the edge's fallback is
    /// making up its answer.
    Fallback,
    /// A service's calls are out all at once (a parallel fan-out): it
    /// waits for enough of their answers. `waiting_on` holds the tally
    /// (see [`Call::fan_out_tally`]), not one call.
    FanOut,
    /// A call over an edge with hedging was not answered in time and a
    /// second copy went out (`waiting_on` names the copy): the first
    /// success of the two wins.
    Hedged,
    /// A hedged call one copy of which failed: the other decides.
    HedgedHalf,
}

/// One request at one node. A client's logical request is a call at the
/// client node whose children are the attempts.
#[derive(Debug, Clone, Default)]
pub struct Call {
    pub generation: u32,
    pub node: u32,
    pub parent: u32,
    pub parent_generation: u32,
    /// The edge it came over (its reply goes back over it); `NONE` for roots.
    pub via_edge: u32,
    /// The downstream call whose answer this call waits for.
    pub waiting_on: CallId,
    pub state: CallState,
    /// When it reached its node (a root: when the request was made).
    pub arrived: SimTime,
    /// When it entered the current waiting queue, or the current attempt began.
    pub mark: SimTime,
    /// The request's key (0 = none). 32 bits: a file's keyspace is at
    /// most `u32::MAX`, and the other half of the word holds the tag.
    pub key: u32,
    /// The client request this call is part of (see [`RequestTag`]).
    pub tag: RequestTag,
    pub is_write: bool,
    /// Children started so far: a client's attempts, or the position of
    /// a service's downstream call in progress (its out-edge index).
    pub children_started: u16,
    /// Retries made so far of the downstream call in progress (over the
    /// edge being called now; at most `MAX_RETRY_ATTEMPTS`).
    pub edge_retries: u8,
    /// At a database: which server holds it (0 = the primary; at most
    /// 64 replicas, so a byte holds it). At a service: which instance
    /// (at most 255).
    pub server: u8,
    /// At a load balancer: which target (out-edge index) it went to (at
    /// most 255 targets, so a byte holds it). One byte each keeps a call
    /// at 72 bytes, which the hot loop feels.
    pub lb_target: u8,
    /// The node's crash epoch at arrival: a crash invalidates older calls.
    pub epoch: u32,
    /// Whether the node worked on it (worker held) — released on finish.
    pub holds_worker: bool,
    pub outcome: Outcome,
}

/// Which client request a call belongs to, its priority class, and
/// whether it carries an idempotency key — copied from the client's call
/// to every call the request causes, retries and hedges included.
///
/// One word, packed, to keep a call at 72 bytes: the low 29 bits number
/// the request (they wrap after 536 M requests, far longer than a
/// database remembers a write for), two bits hold the class, the top bit
/// the idempotency key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequestTag(u32);

const TAG_ID_BITS: u32 = 29;
const TAG_ID_MASK: u32 = (1 << TAG_ID_BITS) - 1;
const TAG_CLASS_SHIFT: u32 = TAG_ID_BITS;
const TAG_IDEMPOTENT: u32 = 1 << 31;

impl RequestTag {
    pub fn new(id: u32, class: PriorityClass, idempotent: bool) -> RequestTag {
        let class_bits = match class {
            // Standard is 0, so a call that was never tagged is standard.
            PriorityClass::Standard => 0,
            PriorityClass::Critical => 1,
            PriorityClass::Sheddable => 2,
        };
        RequestTag((id & TAG_ID_MASK) | (class_bits << TAG_CLASS_SHIFT) | if idempotent { TAG_IDEMPOTENT } else { 0 })
    }

    /// This tag with the request number `id` (the class and key kept).
    #[inline]
    pub fn with_id(self, id: u32) -> RequestTag {
        RequestTag((self.0 & !TAG_ID_MASK) | (id & TAG_ID_MASK))
    }

    /// The request's number (unique among the last 536 M requests).
    pub fn id(self) -> u32 {
        self.0 & TAG_ID_MASK
    }

    /// The class as a small number, 0 to 2 (standard is 0): an index for
    /// what is kept per class.
    #[inline]
    pub fn class_index(self) -> u32 {
        (self.0 >> TAG_CLASS_SHIFT) & 0b11
    }

    pub fn class(self) -> PriorityClass {
        match (self.0 >> TAG_CLASS_SHIFT) & 0b11 {
            1 => PriorityClass::Critical,
            2 => PriorityClass::Sheddable,
            _ => PriorityClass::Standard,
        }
    }

    /// Whether the client sent an idempotency key with it: a database
    /// applies its write once however often it arrives.
    pub fn idempotent(self) -> bool {
        self.0 & TAG_IDEMPOTENT != 0
    }
}

/// What every call made for one client request carries along: its key,
/// tag and kind, copied to each call it causes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequestInfo {
    pub key: u32,
    pub tag: RequestTag,
    pub is_write: bool,
}

/// What a fanned-out call has heard back so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FanOutTally {
    /// Calls that answered ok or degraded.
    pub succeeded: u16,
    pub failed: u16,
    /// Whether one of the successes was degraded.
    pub degraded: bool,
}

impl Call {
    /// The request this call is made for.
    #[inline]
    pub fn request(&self) -> RequestInfo {
        RequestInfo { key: self.key, tag: self.tag, is_write: self.is_write }
    }

    /// Makes this call part of `request`.
    #[inline]
    pub fn carry(&mut self, request: RequestInfo) {
        self.key = request.key;
        self.tag = request.tag;
        self.is_write = request.is_write;
    }

    /// Its caller stopped waiting for it (see `DETACHED`).
    pub fn detach(&mut self) {
        if self.parent != NONE {
            self.parent |= DETACHED;
        }
    }

    /// The call that made this one, whether or not it still waits for it
    /// (`None` for a client's request or a queue's message).
    pub fn caller(&self) -> Option<CallId> {
        (self.parent != NONE).then_some(CallId { index: self.parent & !DETACHED, generation: self.parent_generation })
    }

    /// Whether its caller stopped waiting for it.
    pub fn is_detached(&self) -> bool {
        self.parent != NONE && self.parent & DETACHED != 0
    }

    /// The tally of a call in [`CallState::FanOut`]. It lives in
    /// `waiting_on`, which such a call does not use (it waits on many):
    /// keeping it there keeps a call at 72 bytes.
    pub fn fan_out_tally(&self) -> FanOutTally {
        FanOutTally {
            succeeded: (self.waiting_on.index & 0xffff) as u16,
            failed: (self.waiting_on.index >> 16) as u16,
            degraded: self.waiting_on.generation != 0,
        }
    }

    pub fn set_fan_out_tally(&mut self, t: FanOutTally) {
        self.waiting_on =
            CallId { index: u32::from(t.succeeded) | (u32::from(t.failed) << 16), generation: u32::from(t.degraded) };
    }
}

/// Slots for calls, with a free list.
#[derive(Clone, Default)]
pub struct CallSlab {
    calls: Vec<Call>,
    free: Vec<u32>,
}

impl CallSlab {
    /// Heap bytes a clone of the slab allocates: every slot, live or free
    /// (see `footprint.rs`).
    pub fn approx_bytes(&self) -> usize {
        self.calls.len() * std::mem::size_of::<Call>() + self.free.len() * std::mem::size_of::<u32>()
    }

    /// A fresh call at `node`, arriving `now`.
    #[inline]
    pub fn alloc(&mut self, node: u32, now: SimTime) -> CallId {
        let index = if let Some(i) = self.free.pop() {
            i
        } else {
            self.calls.push(Call::default());
            (self.calls.len() - 1) as u32
        };
        let slot = &mut self.calls[index as usize];
        let generation = slot.generation;
        *slot = Call {
            generation,
            node,
            parent: NONE,
            parent_generation: 0,
            via_edge: NONE,
            waiting_on: CallId { index: NONE, generation: 0 },
            arrived: now,
            mark: now,
            ..Call::default()
        };
        CallId { index, generation }
    }

    /// Releases a slot; events still naming it become stale.
    #[inline]
    pub fn free(&mut self, id: CallId) {
        if let Some(slot) = self.calls.get_mut(id.index as usize)
            && slot.generation == id.generation
        {
            slot.generation = slot.generation.wrapping_add(1);
            self.free.push(id.index);
        }
    }

    /// The call, if `id` still names a live one.
    #[inline]
    pub fn get(&self, id: CallId) -> Option<&Call> {
        self.calls.get(id.index as usize).filter(|c| c.generation == id.generation)
    }

    #[inline]
    pub fn get_mut(&mut self, id: CallId) -> Option<&mut Call> {
        self.calls.get_mut(id.index as usize).filter(|c| c.generation == id.generation)
    }

    /// Calls in flight now.
    pub fn live(&self) -> usize {
        self.calls.len() - self.free.len()
    }

    /// Every live call (used by rare operations such as a crash).
    pub fn live_ids(&self) -> Vec<CallId> {
        let mut is_free = vec![false; self.calls.len()];
        for &f in &self.free {
            is_free[f as usize] = true;
        }
        self.calls
            .iter()
            .enumerate()
            .filter(|(i, _)| !is_free[*i])
            .map(|(i, c)| CallId { index: i as u32, generation: c.generation })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_freed_slot_is_reused_and_old_handles_go_stale() {
        let mut slab = CallSlab::default();
        let a = slab.alloc(0, SimTime::ZERO);
        slab.free(a);
        let b = slab.alloc(1, SimTime::ZERO);
        assert_eq!(a.index, b.index);
        assert!(slab.get(a).is_none());
        assert_eq!(slab.get(b).map(|c| c.node), Some(1));
        assert_eq!(slab.live(), 1);
    }
}

#[cfg(test)]
mod tag {
    use super::*;

    #[test]
    fn a_request_tag_keeps_its_id_class_and_key_apart() {
        for class in [PriorityClass::Critical, PriorityClass::Standard, PriorityClass::Sheddable] {
            for idempotent in [false, true] {
                let t = RequestTag::new(TAG_ID_MASK, class, idempotent);
                assert_eq!((t.id(), t.class(), t.idempotent()), (TAG_ID_MASK, class, idempotent));
            }
        }
        // Ids wrap instead of spilling into the class bits.
        assert_eq!(RequestTag::new(TAG_ID_MASK + 3, PriorityClass::Critical, false).id(), 2);
        assert_eq!(RequestTag::default().class(), PriorityClass::Standard);
    }
}

#[cfg(test)]
mod size {
    /// The slab is walked on every event: a call that grows past 72 bytes
    /// costs M/M/1 about a tenth of its speed (measured with `archsim bench`).
    #[test]
    fn a_call_fits_in_72_bytes() {
        assert!(std::mem::size_of::<super::Call>() <= 72, "{}", std::mem::size_of::<super::Call>());
    }
}
