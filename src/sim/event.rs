//! The events the engine schedules. Kept small (12 bytes) because millions
//! sit in the queue: per-request data lives in the call slab.

/// A handle to a call in the slab; `generation` tells a live call from a
/// recycled slot, so events for finished calls are recognised and skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CallId {
    pub index: u32,
    pub generation: u32,
}

/// Whose calls a timeout check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutOwner {
    /// A client's attempts (its `timeout_ms`).
    Client(u32),
    /// The calls over an edge (the edge's `timeout_ms`).
    Edge(u32),
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
    /// The earliest pending deadline of a client's attempts or of the
    /// calls over an edge with a timeout is due: calls still unanswered
    /// by their deadline time out. One such event stands for all of them
    /// (see `TimeoutList`).
    TimeoutCheck(TimeoutOwner),
    /// A client's backoff before a retry is over.
    RetryDue(CallId),
    /// A caller's backoff before calling over the same edge again is over.
    Resend(CallId),
    /// An edge's fallback has made up its (degraded) answer.
    FallbackDone(CallId),
    /// A call over an edge with hedging is due for a second copy if it is
    /// still unanswered.
    Hedge(CallId),
    /// The first call waiting in an edge's bulkhead line may have waited
    /// as long as it may (see `BulkheadLine`).
    BulkheadCheck(u32),
    /// The current metrics window closes.
    WindowEnd,
    /// The warm-up is over: totals start from here.
    WarmupEnd,
    /// Fault timeline entry `index` starts (`ending == false`) or ends.
    Fault { index: u32, ending: bool },
    /// A random crash or repair of a node with MTBF/MTTR failures.
    RandomFailure { fault: u32, generation: u32 },
    /// A load balancer with health checks probes every target; stale if
    /// `generation` is old (the checks were changed live).
    HealthCheck { node: u32, generation: u16 },
    /// A balancer's probe of its target `target` (edge order) is answered,
    /// or its timeout is over.
    ProbeDone { node: u32, target: u16, generation: u16 },
    /// A target's outlier ejection is over.
    EjectionOver { node: u32, target: u16 },
    /// A service's autoscaler decides; stale if `generation` is old (its
    /// settings were changed live).
    Autoscale { node: u32, generation: u32 },
    /// A booting instance of a service is ready to serve; stale if its
    /// boot was cancelled meanwhile (`generation`).
    InstanceReady { node: u32, instance: u16, generation: u16 },
}
