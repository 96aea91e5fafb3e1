//! Request traces: a few requests kept with every hop they made — when
//! each call reached its node, waited, was worked on, and ended, and how —
//! so a learner can see *where* a slow request spent its time (a
//! waterfall), not only that p99 is high.
//!
//! - **Tail-based**: while tracing is on, every request in flight collects
//!   its calls' spans, and the decision to keep it is made when it ends,
//!   knowing its latency. Each window keeps its **slowest** request and up
//!   to [`SAMPLES_PER_WINDOW`] ordinary ones (every [`SAMPLE_EVERY`]th
//!   request, a rule, not a random draw: the simulation's random streams
//!   are untouched, so a traced run gives the same numbers as an untraced
//!   one).
//! - **Bounded**: a trace holds at most [`MAX_SPANS`] spans (the rest are
//!   counted), and only the last [`MAX_WINDOWS_KEPT`] windows' traces are
//!   kept: at most 3 × 300 traces of 256 spans, about 15 MB, whatever the
//!   run's length. Requests in flight hold their spans until they end,
//!   which the call slab already bounds.
//! - **Off by default**: `Simulation::enable_tracing` switches it on (the
//!   app once its Traces tab is opened; `archsim run --traces FILE`). Off, the engine pays one
//!   `Option` check when a worker starts and when a call ends.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{CallId, FailureReason, Outcome, SimTime};

/// Most spans one trace keeps (a fan-out to 100 shards with retries stays
/// within it); the rest are counted in [`Trace::spans_dropped`].
pub const MAX_SPANS: usize = 256;
/// Ordinary requests kept per window besides the slowest.
pub const SAMPLES_PER_WINDOW: usize = 2;
/// Every this-many-th request is a candidate ordinary sample.
pub const SAMPLE_EVERY: u32 = 97;
/// Windows whose traces are kept (older ones are dropped).
pub const MAX_WINDOWS_KEPT: usize = 300;

/// How a call ended, as a trace shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SpanOutcome {
    Ok,
    Degraded,
    /// Failed for this reason (here or below).
    Failed(FailureReason),
    /// Still under way when its request ended: the client gave up (a
    /// timeout) or stopped waiting for it (a hedge, a fan-out's first).
    Unfinished,
}

impl SpanOutcome {
    fn of(outcome: Outcome) -> SpanOutcome {
        match outcome {
            Outcome::Failed { reason, .. } => SpanOutcome::Failed(reason),
            Outcome::Degraded => SpanOutcome::Degraded,
            Outcome::Ok => SpanOutcome::Ok,
            Outcome::Pending => SpanOutcome::Unfinished,
        }
    }
}

/// One call of a request at one node: a bar of the waterfall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// The node (index in the scenario's nodes).
    pub node: u32,
    /// The span that made this call (index in the trace); `None` for the
    /// client's request itself.
    pub parent: Option<u16>,
    /// When it reached its node, seconds since the start of the run.
    pub arrived_s: f64,
    /// When a worker (connection, consumer) took it; `None` if none did
    /// (a balancer, a cache hit, refused while waiting).
    pub started_s: Option<f64>,
    /// When its node answered (the reply then travels back).
    pub ended_s: f64,
    pub outcome: SpanOutcome,
}

/// Why a trace was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kept {
    /// The slowest request that ended in its window.
    Slowest,
    /// An ordinary request, for comparison.
    Sample,
}

/// One request with every call it made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// The window it ended in (0 = the first).
    pub window: u64,
    pub kept: Kept,
    /// End-to-end latency, ms.
    pub latency_ms: f64,
    /// Its spans, the client's request first, then in the order the calls
    /// were made.
    pub spans: Vec<Span>,
    /// Spans beyond [`MAX_SPANS`], not kept.
    pub spans_dropped: u32,
}

/// A span being collected, before its parent is resolved.
#[derive(Debug, Clone)]
struct Raw {
    id: CallId,
    parent: Option<CallId>,
    node: u32,
    arrived: SimTime,
    started: Option<SimTime>,
    ended: SimTime,
    outcome: Outcome,
}

/// The spans of one request in flight.
#[derive(Debug, Clone, Default)]
struct Building {
    spans: Vec<Raw>,
    /// Calls made for it so far (ended or not): those still under way when
    /// the request ends are shown as unfinished.
    open: Vec<CallId>,
    dropped: u32,
}

/// What the engine knows of a call still in flight: its caller, node,
/// and when it was sent or reached its node.
pub type InFlight = (Option<CallId>, u32, SimTime);

/// The tracer: requests in flight and the traces kept.
#[derive(Debug, Clone, Default)]
pub struct Tracer {
    /// Per request number, its spans so far.
    building: HashMap<u32, Building>,
    /// When a worker took each call in flight (removed when it ends).
    started: HashMap<CallId, SimTime>,
    /// The current window: its slowest so far and its samples.
    slowest: Option<Trace>,
    samples: Vec<Trace>,
    window: u64,
    /// The window tracing started in: windows before it were never traced
    /// (those after it but older than the kept ones were, and were let go).
    first_window: u64,
    /// Kept traces of the last windows, oldest first. A closed window's
    /// traces never change, so a snapshot (a clone, for rewinding) shares
    /// them instead of copying them.
    kept: VecDeque<Arc<Vec<Trace>>>,
}

impl Tracer {
    /// A tracer started during window `window` of the run (0 = the first).
    pub fn starting_in_window(window: u64) -> Self {
        Self { window, first_window: window, ..Self::default() }
    }

    /// The window tracing started in (0 = the first of the run).
    pub fn first_window(&self) -> u64 {
        self.first_window
    }

    /// Call `id` was made for request `request`.
    #[inline(never)]
    pub fn opened(&mut self, request: u32, id: CallId) {
        let b = self.building.entry(request).or_default();
        if b.open.len() < MAX_SPANS {
            b.open.push(id);
        }
    }

    /// A worker took call `id`.
    #[inline(never)]
    pub fn started(&mut self, id: CallId, now: SimTime) {
        self.started.insert(id, now);
    }

    /// Call `id` of request `request` ended at its node.
    #[inline(never)]
    #[expect(clippy::too_many_arguments, reason = "the fields of one span, passed from the call that ends")]
    pub fn ended(
        &mut self,
        request: u32,
        id: CallId,
        parent: Option<CallId>,
        node: u32,
        arrived: SimTime,
        now: SimTime,
        outcome: Outcome,
    ) {
        let started = self.started.remove(&id);
        let b = self.building.entry(request).or_default();
        if b.spans.len() >= MAX_SPANS - 1 {
            b.dropped += 1;
            return;
        }
        b.spans.push(Raw { id, parent, node, arrived, started, ended: now, outcome });
    }

    /// The client's request `request` (call `root`) is over: its trace is
    /// complete, and kept if it is the window's slowest or a sample.
    #[inline(never)]
    #[expect(clippy::too_many_arguments, reason = "the request's own span, and how to look up its calls in flight")]
    pub fn request_done(
        &mut self,
        request: u32,
        root: CallId,
        node: u32,
        arrived: SimTime,
        now: SimTime,
        outcome: Outcome,
        in_flight: impl Fn(CallId) -> Option<InFlight>,
    ) {
        let mut b = self.building.remove(&request).unwrap_or_default();
        let latency_ms = now.since(arrived) as f64 / 1e6;
        let slowest = self.slowest.as_ref().is_none_or(|s| latency_ms > s.latency_ms);
        let sample = request.is_multiple_of(SAMPLE_EVERY) && self.samples.len() < SAMPLES_PER_WINDOW;
        if !slowest && !sample {
            return;
        }
        // Calls still under way: the client stopped waiting for them.
        let ended: std::collections::HashSet<CallId> = b.spans.iter().map(|r| r.id).collect();
        for id in std::mem::take(&mut b.open) {
            if ended.contains(&id) || b.spans.len() >= MAX_SPANS - 1 {
                continue;
            }
            if let Some((parent, at, since)) = in_flight(id) {
                let started = self.started.get(&id).copied();
                b.spans.push(Raw {
                    id,
                    parent,
                    node: at,
                    arrived: since,
                    started,
                    ended: now,
                    outcome: Outcome::Pending,
                });
            }
        }
        let root_span = Raw { id: root, parent: None, node, arrived, started: None, ended: now, outcome };
        let trace = assemble(root_span, b, self.window, latency_ms);
        if slowest {
            self.slowest = Some(Trace { kept: Kept::Slowest, ..trace.clone() });
        }
        if sample {
            self.samples.push(Trace { kept: Kept::Sample, ..trace });
        }
    }

    /// A window ended: its traces join the kept ones, the oldest window's
    /// go. Calls no longer in flight (a crash dropped them) are forgotten.
    pub fn close_window(&mut self, alive: impl Fn(CallId) -> bool) {
        let mut traces: Vec<Trace> = self.slowest.take().into_iter().collect();
        traces.append(&mut self.samples);
        self.kept.push_back(Arc::new(traces));
        while self.kept.len() > MAX_WINDOWS_KEPT {
            self.kept.pop_front();
        }
        self.window += 1;
        self.started.retain(|id, _| alive(*id));
        // A request in flight has a call alive among its calls or their
        // callers (its own, at least); one without is gone (a late answer
        // after its request ended, or a crash dropped it).
        self.building.retain(|_, b| {
            b.open.iter().any(|id| alive(*id)) || b.spans.iter().any(|s| alive(s.id) || s.parent.is_some_and(&alive))
        });
    }

    /// The kept traces, oldest window first.
    pub fn traces(&self) -> impl Iterator<Item = &Trace> {
        self.kept.iter().flat_map(|w| w.iter())
    }

    /// Approximate bytes a clone allocates: the requests in flight and the
    /// current window's traces (closed windows' are shared).
    pub fn approx_bytes(&self) -> usize {
        let trace = |t: &Trace| size_of::<Trace>() + t.spans.len() * size_of::<Span>();
        self.building
            .values()
            .map(|b| size_of::<Building>() + 8 + b.spans.len() * size_of::<Raw>() + b.open.len() * size_of::<CallId>())
            .sum::<usize>()
            + self.started.len() * (size_of::<CallId>() + size_of::<SimTime>() + 8)
            + self.slowest.iter().chain(&self.samples).map(trace).sum::<usize>()
            + self.kept.len() * size_of::<Arc<Vec<Trace>>>()
    }

    /// Requests in flight being traced (for memory checks).
    pub fn in_flight(&self) -> usize {
        self.building.len()
    }
}

/// Orders a request's spans (the root first, then by arrival) and links
/// each to its parent's position.
fn assemble(root: Raw, b: Building, window: u64, latency_ms: f64) -> Trace {
    let mut raws = Vec::with_capacity(b.spans.len() + 1);
    raws.push(root);
    let mut rest = b.spans;
    rest.sort_by_key(|r| (r.arrived, r.id.index, r.id.generation));
    raws.extend(rest);
    let position: HashMap<CallId, u16> =
        raws.iter().enumerate().map(|(i, r)| (r.id, u16::try_from(i).unwrap_or(u16::MAX))).collect();
    let secs = |t: SimTime| t.as_secs();
    let spans = raws
        .iter()
        .map(|r| Span {
            node: r.node,
            parent: r.parent.and_then(|p| position.get(&p).copied()).or(if r.parent.is_some() {
                Some(0)
            } else {
                None
            }),
            arrived_s: secs(r.arrived),
            started_s: r.started.map(secs),
            ended_s: secs(r.ended),
            outcome: SpanOutcome::of(r.outcome),
        })
        .collect();
    Trace { window, kept: Kept::Slowest, latency_ms, spans, spans_dropped: b.dropped }
}

/// A trace as a person reads it: node names, times in milliseconds from
/// the moment the request was made (the waterfall's axis), and each call
/// split into the wait for a worker and the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceView {
    pub window: u64,
    pub kept: Kept,
    /// When the request was made, seconds since the start of the run.
    pub at_s: f64,
    pub latency_ms: f64,
    pub spans: Vec<SpanView>,
    pub spans_dropped: u32,
}

/// One bar of the waterfall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpanView {
    pub node: String,
    /// The bar that made this call (its index); `None` for the request.
    pub parent: Option<u16>,
    /// Calls between it and the request (0 for the request itself).
    pub depth: u16,
    /// When it reached its node, ms after the request was made.
    pub start_ms: f64,
    /// Time waiting in line for a worker, ms (0 if it never waited or no
    /// worker took it).
    pub queue_ms: f64,
    /// From reaching its node to its node's answer, ms: the wait, the work
    /// and every call it waited for.
    pub duration_ms: f64,
    pub outcome: SpanOutcome,
}

impl Trace {
    /// The trace with node names and times relative to the request.
    pub fn view(&self, node_ids: &[String]) -> TraceView {
        let origin = self.spans.first().map_or(0.0, |s| s.arrived_s);
        let ms = |s: f64| (s - origin) * 1000.0;
        let mut depths: Vec<u16> = Vec::with_capacity(self.spans.len());
        let spans = self
            .spans
            .iter()
            .map(|s| {
                let depth = s.parent.and_then(|p| depths.get(usize::from(p))).map_or(0, |d| d.saturating_add(1));
                depths.push(depth);
                SpanView {
                    node: node_ids.get(s.node as usize).cloned().unwrap_or_default(),
                    parent: s.parent,
                    depth,
                    start_ms: ms(s.arrived_s),
                    queue_ms: s.started_s.map_or(0.0, |t| (t - s.arrived_s) * 1000.0),
                    duration_ms: (s.ended_s - s.arrived_s) * 1000.0,
                    outcome: s.outcome,
                }
            })
            .collect();
        TraceView {
            window: self.window,
            kept: self.kept,
            at_s: origin,
            latency_ms: self.latency_ms,
            spans,
            spans_dropped: self.spans_dropped,
        }
    }
}
