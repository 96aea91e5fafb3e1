//! The top level of a scenario file: the topology, the run's settings and
//! the fault timeline.

use serde::{Deserialize, Serialize};

use super::{
    ChallengeSpec, CueSpec, DistributionSpec, FaultSpec, NetworkSpec, NodeKind, Pricing, RegionSpec, RetryPolicy,
    SizeSpec,
};

/// A whole scenario, as stored in a `.ron` file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    /// What the scenario shows, for the learner who opens it.
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Simulated seconds a headless run lasts.
    #[serde(default = "default_duration")]
    pub duration_s: f64,
    /// Simulated seconds excluded from the totals (the system filling up).
    #[serde(default)]
    pub warmup_s: f64,
    /// Width of one time-series window, simulated seconds.
    #[serde(default = "default_window")]
    pub window_s: f64,
    pub nodes: Vec<NodeSpec>,
    #[serde(default)]
    pub edges: Vec<EdgeSpec>,
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
    /// What the components cost (illustrative defaults when absent).
    #[serde(default)]
    pub pricing: Pricing,
    /// The regions and availability zones nodes may be placed in (none:
    /// placement is not modelled).
    #[serde(default)]
    pub regions: Vec<RegionSpec>,
    /// Latencies between zones and regions, for edges that cross them and
    /// set none of their own.
    #[serde(default)]
    pub network: NetworkSpec,
    /// Goals to meet under a scripted timeline: a challenge to grade.
    #[serde(default)]
    pub challenge: Option<ChallengeSpec>,
    /// An instructor's cues, fired from the app one by one or at their
    /// times (`cues.rs`); nothing in a headless run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cues: Vec<CueSpec>,
    /// Service level objectives judged at every window's close (none: no
    /// SLO is evaluated, and the run costs nothing more).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slos: Vec<super::SloSpec>,
    /// Alerts on those SLOs: burn-rate or threshold rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<super::AlertSpec>,
}

fn default_seed() -> u64 {
    1
}
fn default_duration() -> f64 {
    60.0
}
fn default_window() -> f64 {
    1.0
}

impl Default for Scenario {
    fn default() -> Self {
        Self {
            name: "Untitled".into(),
            description: String::new(),
            seed: default_seed(),
            duration_s: default_duration(),
            warmup_s: 0.0,
            window_s: default_window(),
            nodes: Vec::new(),
            edges: Vec::new(),
            faults: Vec::new(),
            pricing: Pricing::default(),
            regions: Vec::new(),
            network: NetworkSpec::default(),
            challenge: None,
            cues: Vec::new(),
            slos: Vec::new(),
            alerts: Vec::new(),
        }
    }
}

impl Scenario {
    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<&NodeSpec> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The clients' open-loop rates added up, requests/s (closed-loop
    /// clients have none: their rate follows the answers).
    pub fn open_loop_rate(&self) -> f64 {
        self.nodes
            .iter()
            .filter_map(|n| match &n.kind {
                NodeKind::Client(c) => c.arrivals.base_rate(),
                _ => None,
            })
            .sum()
    }

    /// Index of the node with this id.
    pub fn node_index(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }

    /// The edges leaving `id`, in file order (the order calls are made in).
    pub fn out_edges<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a EdgeSpec> + 'a {
        self.edges.iter().filter(move |e| e.from == id)
    }
}

/// One component on the canvas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// Unique name, used by edges and faults.
    pub id: String,
    /// Where the app draws it (canvas units).
    #[serde(default)]
    pub pos: (f32, f32),
    /// The availability zone it runs in (one of `regions`' zones): a zone
    /// outage takes it down, and edges to other zones cross them.
    #[serde(default)]
    pub zone: Option<String>,
    /// The region it runs in, for a node in no particular zone: a regional
    /// service, or a client (where its users are). Implied by `zone`.
    #[serde(default)]
    pub region: Option<String>,
    pub kind: NodeKind,
}

impl NodeSpec {
    /// A node at the canvas origin, placed in no zone.
    pub fn new(id: impl Into<String>, kind: NodeKind) -> NodeSpec {
        NodeSpec { id: id.into(), pos: (0.0, 0.0), zone: None, region: None, kind }
    }

    /// The same node at `pos`.
    pub fn at(mut self, pos: (f32, f32)) -> NodeSpec {
        self.pos = pos;
        self
    }
}

/// A network link from a caller to a callee. Requests travel `from` → `to`;
/// answers travel back over the same edge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeSpec {
    pub from: String,
    pub to: String,
    /// One-way latency, paid by the request and again by the answer.
    /// Absent = no network delay.
    #[serde(default)]
    pub latency: Option<DistributionSpec>,
    /// Chance the request is lost on the way; the caller sees a failure
    /// (connection reset) after the one-way latency.
    #[serde(default)]
    pub drop_probability: f64,
    /// Share for a weighted load balancer.
    #[serde(default = "default_weight")]
    pub weight: f64,
    /// Bulkhead: at most this many calls over this edge at once. One more
    /// fails at once ("bulkhead full") instead of taking another of the
    /// caller's workers into a slow dependency. Absent = no cap.
    #[serde(default)]
    pub max_concurrent: Option<u32>,
    /// With a bulkhead: a call that finds it full waits up to this long
    /// for a place, first come first served, instead of failing at once
    /// (Resilience4j's `maxWaitDuration`); still without a place then, it
    /// fails "bulkhead full". The caller's `timeout_ms` counts the wait.
    /// Absent = fail at once.
    #[serde(default)]
    pub bulkhead_wait_ms: Option<f64>,
    /// The caller stops waiting for a call over this edge after this long
    /// and treats it as failed ("timeout"); the callee is not told and
    /// finishes the work for nobody. A client's own `timeout_ms` is this
    /// for its target edge. Absent = wait for ever.
    #[serde(default)]
    pub timeout_ms: Option<f64>,
    /// Retry failed calls over this edge (any failure, timeouts included),
    /// as a client's `retry` does for its requests. Retries at several
    /// layers multiply: three layers of three attempts send 27 times the
    /// load to the bottom during an outage.
    #[serde(default)]
    pub retry: Option<RetryPolicy>,
    /// A circuit breaker on the caller's side: when too many recent calls
    /// over this edge failed, it opens and fails calls at once ("breaker
    /// open") for a while instead of sending them to a dependency that is
    /// down or drowning, then lets a few probes through to see whether it
    /// is back. Absent = no breaker.
    #[serde(default)]
    pub breaker: Option<BreakerSpec>,
    /// What the caller answers when a call over this edge fails for good
    /// (after its retries; an error, a timeout, an open breaker, a full
    /// bulkhead, a dead callee): a **degraded** answer instead of a
    /// failure. Absent = the failure goes up to the caller's caller.
    #[serde(default)]
    pub fallback: Option<FallbackSpec>,
    /// Hedged requests: when a call has not been answered after
    /// `delay_ms`, send a second copy (from a load balancer: to another
    /// target) and take whichever answer comes first. Cuts the tail at the
    /// cost of the extra copies. Absent = no hedging.
    #[serde(default)]
    pub hedge: Option<HedgeSpec>,
    /// How big each request sent over this link is, KB. Counted in the
    /// report (`request_bytes`); with `bandwidth_mbps` it takes time to
    /// send. Absent = not counted, no time.
    #[serde(default)]
    pub request_kb: Option<SizeSpec>,
    /// How big each answer coming back over this link is, KB, as
    /// `request_kb`.
    #[serde(default)]
    pub response_kb: Option<SizeSpec>,
    /// The link's bandwidth each way, Mbit/s: a payload takes size ÷
    /// bandwidth to send, one after another in each direction, so a busy
    /// link queues (before its `latency`). Absent = unlimited.
    #[serde(default)]
    pub bandwidth_mbps: Option<f64>,
}

/// A hedging policy, as in "The Tail at Scale" (Dean and Barroso): a
/// second copy after a delay, typically the call's p95, so that at most
/// about 5 % more calls are sent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HedgeSpec {
    /// How long to wait for the first answer before sending the copy, ms.
    pub delay_ms: f64,
}

/// A fallback: graceful degradation instead of an error. Its answers are
/// counted as *degraded*, apart from ok and failed, everywhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FallbackSpec {
    /// A fixed answer (a default, an empty list, a cached recommendation)
    /// the caller makes up itself, taking `latency` to produce (absent:
    /// at once).
    Respond {
        #[serde(default)]
        latency: Option<DistributionSpec>,
    },
    /// Only on the edge from an LRU cache to its backing store: answer from
    /// the cache's expired copy of the key when it still holds one, and
    /// fail as before when it does not. With `serve stale` the cache keeps
    /// expired keys (until evicted) instead of dropping them at lookup.
    ServeStale,
}

/// A circuit breaker, as Resilience4j and Hystrix build one. Closed, it
/// lets calls through and watches how they end over a sliding window; once
/// the window holds at least `min_calls` calls and `failure_rate` of them
/// failed (errors, timeouts, lost calls, a dead callee), it **opens**: for
/// `open_s` seconds every call fails at once without being sent. Then it is
/// **half-open**: `probes` calls go through; if fewer than `failure_rate` of
/// them fail it closes again, else it opens for another `open_s`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakerSpec {
    /// Share of failed calls in the window that opens it (0.5 = half).
    pub failure_rate: f64,
    /// The sliding window the failure rate is measured over.
    #[serde(default)]
    pub window: BreakerWindow,
    /// Fewest calls in the window before the rate counts (so that one
    /// failure out of one call does not open it).
    #[serde(default = "default_breaker_min_calls")]
    pub min_calls: u32,
    /// How long it stays open before letting probes through, seconds.
    #[serde(default = "default_breaker_open_s")]
    pub open_s: f64,
    /// Calls let through while half-open to test the dependency.
    #[serde(default = "default_breaker_probes")]
    pub probes: u32,
}

/// What a breaker's failure rate is measured over.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum BreakerWindow {
    /// The last n calls.
    Calls(u32),
    /// The calls of the last n seconds (whole seconds).
    Seconds(u32),
}

impl Default for BreakerWindow {
    fn default() -> Self {
        Self::Calls(20)
    }
}

fn default_breaker_min_calls() -> u32 {
    10
}
fn default_breaker_open_s() -> f64 {
    5.0
}
fn default_breaker_probes() -> u32 {
    3
}

impl Default for BreakerSpec {
    fn default() -> Self {
        Self {
            failure_rate: 0.5,
            window: BreakerWindow::default(),
            min_calls: default_breaker_min_calls(),
            open_s: default_breaker_open_s(),
            probes: default_breaker_probes(),
        }
    }
}

fn default_weight() -> f64 {
    1.0
}

impl EdgeSpec {
    pub fn new(from: impl Into<String>, to: impl Into<String>) -> Self {
        Self {
            from: from.into(),
            to: to.into(),
            latency: None,
            drop_probability: 0.0,
            weight: 1.0,
            max_concurrent: None,
            bulkhead_wait_ms: None,
            timeout_ms: None,
            retry: None,
            breaker: None,
            fallback: None,
            hedge: None,
            request_kb: None,
            response_kb: None,
            bandwidth_mbps: None,
        }
    }
}
