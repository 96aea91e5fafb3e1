//! The events the engine schedules. Kept small (16 bytes) because millions
//! sit in the queue: per-request data lives in the call slab.

/// A handle to a call in the slab; `generation` tells a live call from a
/// recycled slot, so events for finished calls are recognised and skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CallId {
    pub index: u32,
    pub generation: u32,
}

/// Something that happens at a point in simulated time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// An open-loop client's next arrival; stale if `generation` is old
    /// (the rate changed and the arrival was drawn again).
    ClientArrival { node: u32, generation: u32 },
    /// A closed-loop user finished thinking and sends a request.
    UserReady { node: u32 },
    /// A call reaches the node it was sent to.
    Arrive(CallId),
    /// A node finished its own work on a call.
    WorkDone(CallId),
    /// A call's answer reaches its caller.
    Reply(CallId),
    /// A client's earliest pending deadline is due: attempts still
    /// unanswered by their deadline time out. One such event stands for a
    /// whole client's attempts (see `ClientBehaviour::deadlines`).
    TimeoutCheck { node: u32 },
    /// A client's backoff before a retry is over.
    RetryDue(CallId),
    /// The current metrics window closes.
    WindowEnd,
    /// The warm-up is over: totals start from here.
    WarmupEnd,
    /// Fault timeline entry `index` starts (`ending == false`) or ends.
    Fault { index: u32, ending: bool },
    /// A random crash or repair of a node with MTBF/MTTR failures.
    RandomFailure { fault: u32, generation: u32 },
}
