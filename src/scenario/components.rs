//! The parameters of each component a user can place on the canvas.
//!
//! Where a component sends its work is not written here: it is the list of
//! the node's outgoing edges, in file order (see [`super::EdgeSpec`]). A
//! client's first edge is its target; a load balancer spreads over all of
//! them; a service calls each in turn; a cache's and a queue's single edge
//! is the backing store or the consumer's destination.

use serde::{Deserialize, Serialize};

use super::{Arrivals, DistributionSpec, KeySpec, Priority, ProfileShape, RetryPolicy, ThrottleSpec};

/// What kind of component a node is, with its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum NodeKind {
    Client(ClientSpec),
    LoadBalancer(LoadBalancerSpec),
    Service(ServiceSpec),
    Cache(CacheSpec),
    Queue(QueueSpec),
    Database(DatabaseSpec),
}

/// Which component a node is, without its parameters: what reports, the
/// canvas and the verdict branch on. Serialised as its label, so the JSON
/// report reads `"kind": "Load balancer"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ComponentKind {
    Client,
    #[serde(rename = "Load balancer")]
    LoadBalancer,
    Service,
    Cache,
    Queue,
    Database,
}

impl ComponentKind {
    /// The component's name as the palette shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Client => "Client",
            Self::LoadBalancer => "Load balancer",
            Self::Service => "Service",
            Self::Cache => "Cache",
            Self::Queue => "Queue",
            Self::Database => "Database",
        }
    }

    /// What one unit of the node's pool is called (singular, plural), for
    /// the kinds that have a pool.
    pub fn pool_noun(self) -> Option<(&'static str, &'static str)> {
        match self {
            Self::Service => Some(("worker", "workers")),
            Self::Database => Some(("connection", "connections")),
            Self::Queue => Some(("consumer", "consumers")),
            Self::Client | Self::LoadBalancer | Self::Cache => None,
        }
    }

    /// Whether the node can call other nodes (everything but a database).
    pub fn makes_calls(self) -> bool {
        self != Self::Database
    }
}

impl std::fmt::Display for ComponentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

impl NodeKind {
    /// Which component this is.
    pub fn component(&self) -> ComponentKind {
        match self {
            Self::Client(_) => ComponentKind::Client,
            Self::LoadBalancer(_) => ComponentKind::LoadBalancer,
            Self::Service(_) => ComponentKind::Service,
            Self::Cache(_) => ComponentKind::Cache,
            Self::Queue(_) => ComponentKind::Queue,
            Self::Database(_) => ComponentKind::Database,
        }
    }

    /// The component's name as the palette shows it.
    pub fn label(&self) -> &'static str {
        self.component().label()
    }

    /// Whether requests can be sent to this kind of node (everything but a client).
    pub fn accepts_requests(&self) -> bool {
        !matches!(self, Self::Client(_))
    }

    /// The node's rate limiter, if it has one (clients never do).
    pub fn rate_limit(&self) -> Option<&RateLimitSpec> {
        match self {
            Self::Service(s) => s.rate_limit.as_ref(),
            Self::Cache(c) => c.rate_limit.as_ref(),
            Self::Queue(q) => q.rate_limit.as_ref(),
            Self::Database(d) => d.rate_limit.as_ref(),
            Self::LoadBalancer(b) => b.rate_limit.as_ref(),
            Self::Client(_) => None,
        }
    }

    /// The rate-limiter slot of the kinds that can have one, for editors
    /// that switch it on and off; `None` for clients.
    pub fn rate_limit_mut(&mut self) -> Option<&mut Option<RateLimitSpec>> {
        match self {
            Self::Service(s) => Some(&mut s.rate_limit),
            Self::Cache(c) => Some(&mut c.rate_limit),
            Self::Queue(q) => Some(&mut q.rate_limit),
            Self::Database(d) => Some(&mut d.rate_limit),
            Self::LoadBalancer(b) => Some(&mut b.rate_limit),
            Self::Client(_) => None,
        }
    }
}

/// Admission control by a token bucket, in front of a node: what an API
/// gateway's or a service mesh's rate limiter does. The bucket holds up to
/// `burst` tokens and refills at `rate` tokens per second; each request
/// that arrives takes one, and a request that finds the bucket empty is
/// refused at once ("rate limited", HTTP 429) without touching the node's
/// workers or queue. Over a long stretch at most `rate` requests/s get
/// through, plus one `burst` at the start; below that rate a short burst
/// of up to `burst` requests passes unharmed. It protects what is behind
/// it (a database from a spike) by failing the excess fast; callers are
/// expected to back off and retry.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSpec {
    /// Tokens added per second: the sustained rate let through, requests/s.
    pub rate: f64,
    /// The bucket's size: how many requests may pass back to back after a
    /// quiet spell. The bucket starts full.
    pub burst: u32,
    /// Whose requests share a bucket: all of them (`Node`), each client's
    /// (`Client`: a public API's limit per API key, so one noisy client
    /// cannot use up the others' share), or each priority class's
    /// (`Class`: sheddable traffic cannot take the critical requests'
    /// tokens). Each bucket has the full `rate` and `burst`.
    #[serde(default)]
    pub per: LimitPer,
}

/// Whose requests share one token bucket of a rate limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum LimitPer {
    /// One bucket for every request the node gets.
    #[default]
    Node,
    /// A bucket per client the requests come from (through any number of
    /// hops): a limit per API key or tenant.
    Client,
    /// A bucket per priority class (`Critical`, `Standard`, `Sheddable`).
    Class,
}

impl Default for RateLimitSpec {
    fn default() -> Self {
        Self { rate: 100.0, burst: 20, per: LimitPer::Node }
    }
}

/// A traffic source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    pub arrivals: Arrivals,
    /// How the open-loop rate changes over time (empty = constant).
    #[serde(default)]
    pub profile: Vec<ProfileShape>,
    /// Give up on an attempt after this long.
    #[serde(default)]
    pub timeout_ms: Option<f64>,
    /// Retry failed attempts (none if absent).
    #[serde(default)]
    pub retry: Option<RetryPolicy>,
    /// Give each request a key (needed for LRU caches and consistent hashing).
    #[serde(default)]
    pub keys: Option<KeySpec>,
    /// Share of requests that are writes, in [0, 1].
    #[serde(default)]
    pub write_fraction: f64,
    /// Send an idempotency key with every write, so a database applies a
    /// write once however often retries deliver it (a payment charged
    /// once). Without it, a write retried after a timeout may be applied
    /// twice: the first try was not cancelled.
    #[serde(default)]
    pub idempotency_keys: bool,
    /// How much its requests matter when a node is overloaded.
    #[serde(default)]
    pub priority: Priority,
    /// Adaptive throttling: refuse requests itself while its backend
    /// accepts too few (none if absent).
    #[serde(default)]
    pub throttle: Option<ThrottleSpec>,
}

impl Default for ClientSpec {
    fn default() -> Self {
        Self {
            arrivals: Arrivals::Poisson { rate: 100.0 },
            profile: Vec::new(),
            timeout_ms: None,
            retry: None,
            keys: None,
            write_fraction: 0.0,
            idempotency_keys: false,
            priority: Priority::Standard,
            throttle: None,
        }
    }
}

/// How a load balancer picks a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum LbPolicy {
    #[default]
    RoundRobin,
    Random,
    LeastConnections,
    PowerOfTwoChoices,
    /// In proportion to each edge's `weight`.
    Weighted,
    /// A hash ring over the request key: the same key goes to the same target.
    ConsistentHash,
    /// Each request to the healthy target nearest its sender (the node that
    /// called the balancer, or the nearest placed one up the request's
    /// chain: same zone, then same region, then the nearest region), round robin
    /// among equally near ones: a DNS-style global load balancer, whose
    /// `health_check_delay_s` is its failover time.
    Nearest,
    /// Every request to the first healthy target in edge order: active
    /// and passive, the others standing by until the first goes down.
    Failover,
}

impl LbPolicy {
    pub const ALL: [LbPolicy; 8] = [
        Self::RoundRobin,
        Self::Random,
        Self::LeastConnections,
        Self::PowerOfTwoChoices,
        Self::Weighted,
        Self::ConsistentHash,
        Self::Nearest,
        Self::Failover,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::RoundRobin => "round robin",
            Self::Random => "random",
            Self::LeastConnections => "least connections",
            Self::PowerOfTwoChoices => "power of two choices",
            Self::Weighted => "weighted",
            Self::ConsistentHash => "consistent hash",
            Self::Nearest => "nearest (global)",
            Self::Failover => "failover (active-passive)",
        }
    }
}

/// A load balancer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancerSpec {
    #[serde(default)]
    pub policy: LbPolicy,
    /// How long after a target goes down the balancer notices and stops
    /// sending to it (health-check interval × failures needed): the simple
    /// model, used when `health_check` is absent.
    #[serde(default = "default_health_check_delay_s")]
    pub health_check_delay_s: f64,
    /// Real active health checks (a probe of every target every interval,
    /// thresholds to mark it down and up) in place of the fixed delay.
    /// Absent = `health_check_delay_s`.
    #[serde(default)]
    pub health_check: Option<HealthCheckSpec>,
    /// Passive outlier ejection: a target that fails this many answers in
    /// a row is taken out for a while, whatever its health checks say.
    /// Absent = none.
    #[serde(default)]
    pub outlier_ejection: Option<OutlierEjectionSpec>,
    /// An API gateway's rate limit in front of the targets: requests
    /// beyond it are refused at once ("rate limited", HTTP 429) before a
    /// target is picked. Absent = none.
    #[serde(default)]
    pub rate_limit: Option<RateLimitSpec>,
}

fn default_health_check_delay_s() -> f64 {
    2.0
}

impl Default for LoadBalancerSpec {
    fn default() -> Self {
        Self {
            policy: LbPolicy::RoundRobin,
            health_check_delay_s: default_health_check_delay_s(),
            health_check: None,
            outlier_ejection: None,
            rate_limit: None,
        }
    }
}

/// Active health checks, as a cloud load balancer runs them (an AWS target
/// group, Envoy's health checker): every `interval_s` the balancer probes
/// each target. A probe fails when the target is down, unreachable (a
/// partition, a lost probe) or does not answer within `timeout_s` (a
/// stop-the-world pause, a slow link); a failure is known only when the
/// timeout is over, a success when the answer is back. A target is marked
/// unhealthy after `unhealthy_threshold` failed probes in a row, and
/// healthy again after `healthy_threshold` successes in a row; the
/// balancer sends only to healthy targets. All targets start healthy.
///
/// A dead target is noticed `timeout_s` plus the time to fail
/// `unhealthy_threshold` probes after it dies: on average
/// `(unhealthy_threshold − ½) × interval_s + timeout_s`. Shorter intervals
/// notice sooner, at the cost of probe traffic; a threshold above 1 keeps
/// one lost probe from taking a target out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheckSpec {
    /// Time between two probes of a target, seconds.
    #[serde(default = "default_check_interval_s")]
    pub interval_s: f64,
    /// How long a probe waits for its answer before it counts as failed,
    /// seconds; shorter than the interval (as AWS requires), so a target
    /// has one probe out at a time.
    #[serde(default = "default_check_timeout_s")]
    pub timeout_s: f64,
    /// Failed probes in a row that mark a target unhealthy.
    #[serde(default = "default_unhealthy_threshold")]
    pub unhealthy_threshold: u32,
    /// Successful probes in a row that mark an unhealthy target healthy again.
    #[serde(default = "default_healthy_threshold")]
    pub healthy_threshold: u32,
}

fn default_check_interval_s() -> f64 {
    5.0
}
fn default_check_timeout_s() -> f64 {
    2.0
}
fn default_unhealthy_threshold() -> u32 {
    3
}
fn default_healthy_threshold() -> u32 {
    2
}

impl Default for HealthCheckSpec {
    fn default() -> Self {
        Self {
            interval_s: default_check_interval_s(),
            timeout_s: default_check_timeout_s(),
            unhealthy_threshold: default_unhealthy_threshold(),
            healthy_threshold: default_healthy_threshold(),
        }
    }
}

/// Passive outlier ejection, as Envoy's consecutive-5xx detection does it:
/// the balancer watches the answers its targets give real requests, and a
/// target that fails `consecutive_failures` of them in a row (errors, a
/// crash, a full queue, a timeout or a lost call — not the balancer's own
/// refusals, nor a 429 from a rate limiter) is ejected: it gets no traffic
/// for `base_ejection_s` × the number of times it has been ejected, then
/// comes back. It catches what health checks miss, a target that is up
/// but fails requests, and catches a dead one after a few requests rather
/// than a few probe intervals. Never more than `max_ejected_percent` of
/// the targets are out at once, except that one may always be.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutlierEjectionSpec {
    /// Failed answers in a row that eject a target (Envoy's default: 5).
    #[serde(default = "default_consecutive_failures")]
    pub consecutive_failures: u32,
    /// Length of a first ejection, seconds; the n-th ejection of the same
    /// target lasts n times this (Envoy's default: 30 s).
    #[serde(default = "default_base_ejection_s")]
    pub base_ejection_s: f64,
    /// The most targets ejected at once, as a percentage of all of them;
    /// one may always be ejected (Envoy's default: 10 %).
    #[serde(default = "default_max_ejected_percent")]
    pub max_ejected_percent: u32,
}

fn default_consecutive_failures() -> u32 {
    5
}
fn default_base_ejection_s() -> f64 {
    30.0
}
fn default_max_ejected_percent() -> u32 {
    10
}

impl Default for OutlierEjectionSpec {
    fn default() -> Self {
        Self {
            consecutive_failures: default_consecutive_failures(),
            base_ejection_s: default_base_ejection_s(),
            max_ejected_percent: default_max_ejected_percent(),
        }
    }
}

/// An application server: a worker pool in front of a bounded queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// Requests served at once (threads).
    pub workers: u32,
    /// Requests that may wait for a worker; `None` = unbounded.
    #[serde(default)]
    pub queue_capacity: Option<u32>,
    /// The service's own work per request.
    pub service_time: DistributionSpec,
    /// Chance a request fails with an error after its work.
    #[serde(default)]
    pub error_probability: f64,
    /// `true` (thread per request): the worker stays busy while downstream
    /// calls are in flight. `false` (non-blocking I/O): the worker is freed
    /// after its own work and the request continues downstream.
    #[serde(default = "default_true")]
    pub blocking_calls: bool,
    /// Admission control in front of the node (none if absent).
    #[serde(default)]
    pub rate_limit: Option<RateLimitSpec>,
    /// How the service makes its calls: one after another (the default),
    /// or all at once, answering when all, the first, or a quorum of them
    /// have answered.
    #[serde(default)]
    pub calls: CallOrder,
    /// Load shedding: a request that waited longer than this for a worker
    /// is dropped when its turn comes ("shed") instead of being served
    /// late, for a caller that has probably given up. Absent = serve every
    /// request however long it waited.
    #[serde(default)]
    pub shed_after_ms: Option<f64>,
    /// Deadline propagation (as gRPC's): a request whose caller, or a
    /// caller above it, has already given up (timed out) is dropped when a
    /// worker would start it ("deadline exceeded") instead of being worked
    /// on for nobody.
    #[serde(default)]
    pub drop_expired: bool,
    /// Identical copies of the service running side by side (app servers,
    /// pods), each with its own `workers` and its own waiting line of
    /// `queue_capacity`, behind the node's own balancing: "3 app servers"
    /// is one node with `instances: 3`. With `autoscale`, the count it
    /// starts with.
    #[serde(default = "default_instances")]
    pub instances: u32,
    /// How requests are spread over the instances (only matters with more
    /// than one).
    #[serde(default)]
    pub balancing: InstanceBalancing,
    /// Adds and removes instances by a metric, as a Kubernetes horizontal
    /// pod autoscaler or a cloud autoscaling group does (none if absent:
    /// `instances` stay as they are).
    #[serde(default)]
    pub autoscale: Option<AutoscaleSpec>,
}

fn default_instances() -> u32 {
    1
}

/// How a service picks the instance that serves a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum InstanceBalancing {
    /// Each ready instance in turn: even shares, blind to how busy each is.
    #[default]
    RoundRobin,
    /// The ready instance with the fewest requests in hand (served and
    /// waiting): a slow request does not pile more onto its instance.
    LeastConnections,
    /// A ready instance at random: what a balancer without state does; the
    /// worst of the three, since chance piles requests onto one instance.
    Random,
}

impl InstanceBalancing {
    pub const ALL: [InstanceBalancing; 3] = [Self::RoundRobin, Self::LeastConnections, Self::Random];

    pub const fn label(self) -> &'static str {
        match self {
            Self::RoundRobin => "round robin",
            Self::LeastConnections => "least connections",
            Self::Random => "random",
        }
    }
}

/// Horizontal autoscaling of a service's instances, decided as
/// Kubernetes' horizontal pod autoscaler does: every `interval_s` the
/// metric is measured over the last interval, and the instances wanted
/// are `ceil(ready × metric / target)`, clamped to `[min, max]`; within
/// 10 % of the target nothing changes. A new instance boots for
/// `cold_start_s` (billed, serving nothing) before it takes requests; an
/// instance scaled in stops taking requests at once, finishes what it
/// holds (drains), then stops. The cooldowns keep it from flapping: no
/// scale-out within `scale_out_cooldown_s` of the last change, no scale-in
/// within `scale_in_cooldown_s` of it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoscaleSpec {
    /// Fewest instances (at least 1).
    pub min: u32,
    /// Most instances.
    pub max: u32,
    /// What to hold each instance at.
    pub target: ScaleTarget,
    /// Time between two decisions, seconds; the metric is measured over
    /// it (Kubernetes: 15 s).
    #[serde(default = "default_scale_interval_s")]
    pub interval_s: f64,
    /// Shortest time after a change before instances are added again,
    /// seconds.
    #[serde(default)]
    pub scale_out_cooldown_s: f64,
    /// Shortest time after a change before instances are removed,
    /// seconds (Kubernetes' stabilisation window: 300 s): a dip in load
    /// does not throw away capacity the next burst needs.
    #[serde(default = "default_scale_in_cooldown_s")]
    pub scale_in_cooldown_s: f64,
    /// How long a new instance boots before it serves, seconds (a VM: a
    /// minute or more; a container: seconds). It is billed from boot.
    #[serde(default = "default_cold_start_s")]
    pub cold_start_s: f64,
}

fn default_scale_interval_s() -> f64 {
    15.0
}
fn default_scale_in_cooldown_s() -> f64 {
    300.0
}
fn default_cold_start_s() -> f64 {
    30.0
}

impl Default for AutoscaleSpec {
    fn default() -> Self {
        Self {
            min: 1,
            max: 10,
            target: ScaleTarget::Utilisation(0.7),
            interval_s: default_scale_interval_s(),
            scale_out_cooldown_s: 0.0,
            scale_in_cooldown_s: default_scale_in_cooldown_s(),
            cold_start_s: default_cold_start_s(),
        }
    }
}

/// The metric an autoscaler holds at its target, per ready instance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum ScaleTarget {
    /// Busy workers over workers, time-averaged (0.7 = 70 %): the usual
    /// CPU target. Keeps headroom for bursts; the lower, the more headroom.
    Utilisation(f64),
    /// Requests waiting for a worker per instance, time-averaged: reacts
    /// to the backlog itself (a queue-driven worker fleet).
    QueueDepth(f64),
    /// Requests arriving per second per instance: scales with traffic
    /// before it queues, when an instance's capacity is known.
    RequestsPerInstance(f64),
}

impl ScaleTarget {
    /// The target's value.
    pub fn value(self) -> f64 {
        match self {
            Self::Utilisation(v) | Self::QueueDepth(v) | Self::RequestsPerInstance(v) => v,
        }
    }

    /// The metric's name as the log and the inspector say it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Utilisation(_) => "utilisation",
            Self::QueueDepth(_) => "queue depth",
            Self::RequestsPerInstance(_) => "requests per instance",
        }
    }
}

/// How a service makes its downstream calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CallOrder {
    /// One after another in edge order; a failure stops the sequence.
    #[default]
    Sequential,
    /// All at once (a fan-out, a scatter-gather): the request goes on when
    /// `wait_for` of them have answered. The slowest call it waits for
    /// sets its latency: with N calls each slow with probability p,
    /// waiting for all is slow with probability `1 − (1 − p)^N`.
    Parallel { wait_for: WaitFor },
}

impl CallOrder {
    /// What a parallel fan-out waits for; `None` for sequential calls.
    pub fn wait_for(self) -> Option<WaitFor> {
        match self {
            Self::Sequential => None,
            Self::Parallel { wait_for } => Some(wait_for),
        }
    }
}

/// How many answers of a parallel fan-out a service waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WaitFor {
    /// Every call must succeed; the first failure fails the request.
    All,
    /// The first success answers; the request fails when every call failed.
    First,
    /// `k` successes answer; the request fails once more than N − k failed.
    Quorum(u32),
}

impl WaitFor {
    /// Successes needed out of `calls` calls.
    pub fn needed(self, calls: usize) -> usize {
        match self {
            Self::All => calls,
            Self::First => 1.min(calls),
            Self::Quorum(k) => (k as usize).min(calls),
        }
    }
}

fn default_true() -> bool {
    true
}

impl Default for ServiceSpec {
    fn default() -> Self {
        Self {
            workers: 8,
            queue_capacity: Some(100),
            service_time: DistributionSpec::Exponential { mean_ms: 20.0 },
            error_probability: 0.0,
            blocking_calls: true,
            rate_limit: None,
            calls: CallOrder::Sequential,
            shed_after_ms: None,
            drop_expired: false,
            instances: 1,
            balancing: InstanceBalancing::RoundRobin,
            autoscale: None,
        }
    }
}

/// How a cache decides hits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum CacheMode {
    /// Least-recently-used over request keys: the hit rate emerges from the
    /// key popularity, the capacity and the time to live.
    Lru {
        capacity: u64,
        #[serde(default)]
        ttl_s: Option<f64>,
    },
    /// Each read hits with a fixed probability (for simple lessons).
    FixedHitRate { hit_probability: f64 },
}

/// A cache in front of a backing node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheSpec {
    pub mode: CacheMode,
    /// Time to answer a lookup (hit or miss).
    pub lookup_time: DistributionSpec,
    /// Admission control in front of the node (none if absent).
    #[serde(default)]
    pub rate_limit: Option<RateLimitSpec>,
}

impl Default for CacheSpec {
    fn default() -> Self {
        Self {
            mode: CacheMode::Lru { capacity: 10_000, ttl_s: None },
            lookup_time: DistributionSpec::Constant { ms: 0.5 },
            rate_limit: None,
        }
    }
}

/// A message broker: acknowledges the producer at once, consumers deliver
/// the messages downstream at their own pace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSpec {
    /// Messages held at most; more are rejected.
    pub capacity: u32,
    /// Messages being delivered at once.
    pub consumers: u32,
    /// Admission control in front of the node (none if absent).
    #[serde(default)]
    pub rate_limit: Option<RateLimitSpec>,
}

impl Default for QueueSpec {
    fn default() -> Self {
        Self { capacity: 10_000, consumers: 4, rate_limit: None }
    }
}

/// A database: a connection pool in front of query execution, with optional
/// read replicas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSpec {
    /// Queries executed at once per server (pool size).
    pub connections: u32,
    /// Queries that may wait for a connection; `None` = unbounded.
    #[serde(default)]
    pub queue_capacity: Option<u32>,
    pub query_time: DistributionSpec,
    #[serde(default)]
    pub error_probability: f64,
    /// Read replicas; reads go to them round robin, writes to the primary.
    #[serde(default)]
    pub read_replicas: u32,
    /// How long a write takes to reach the replicas; a read of that key
    /// from a replica within this time is stale.
    #[serde(default)]
    pub replication_lag_ms: f64,
    /// Admission control in front of the node (none if absent).
    #[serde(default)]
    pub rate_limit: Option<RateLimitSpec>,
    /// What a write takes, when writes cost more than reads (an update
    /// also writes the log and every index); `None` = `query_time` for
    /// both. Writes go to the primary (of their shard).
    #[serde(default)]
    pub write_time: Option<DistributionSpec>,
    /// The table the queries read: its size and whether they use an index
    /// add a cost to every query that depends on the data, not on the load
    /// (`None` = no such cost, `query_time` is all there is).
    #[serde(default)]
    pub table: Option<TableSpec>,
    /// Servers the data is split over by key (1 = not sharded): a request
    /// goes to shard `hash(key) mod shards`, each shard a primary (and its
    /// own `read_replicas`) with `connections` each. Under Zipf-popular keys
    /// the shard holding the hottest keys gets more than its share.
    #[serde(default = "one_shard")]
    pub shards: u32,
    /// Adds and removes read replicas to hold a target on the replicas'
    /// load (every shard alike, as a managed database's replica
    /// autoscaling does); `read_replicas` is the count it starts with, and
    /// `min`/`max` count replicas per shard. `None` = a fixed count.
    #[serde(default)]
    pub autoscale: Option<AutoscaleSpec>,
}

fn one_shard() -> u32 {
    1
}

/// The table behind a database's queries: how big it is and whether the
/// query finds its rows through an index. An index lookup walks a B-tree,
/// one level per `fanout`-fold of rows (`ceil(log_100(rows))` levels), so
/// it grows with log(rows); a query without one scans every row, so it
/// grows with rows: fast on a development table of 10 k rows, seconds on a
/// production table of 10 M.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    /// Rows in the table each server scans: a sharded database holds this
    /// many in each shard.
    pub rows: u64,
    /// Whether the query uses an index (true) or scans the table (false).
    #[serde(default = "yes")]
    pub index: bool,
    /// Time to read one row in a scan, µs. The default, 0.02 µs (50 M rows
    /// a second), is illustrative: a 10 M-row scan takes 200 ms.
    #[serde(default = "default_row_scan_us")]
    pub row_scan_us: f64,
    /// Time per level of the index's B-tree, ms (a page that is usually
    /// cached). The default, 0.01 ms, makes a lookup in 10 M rows
    /// (4 levels) cost 0.04 ms.
    #[serde(default = "default_index_level_ms")]
    pub index_level_ms: f64,
}

fn yes() -> bool {
    true
}

fn default_row_scan_us() -> f64 {
    0.02
}

fn default_index_level_ms() -> f64 {
    0.01
}

/// Keys per B-tree page: the index has `ceil(log_INDEX_FANOUT(rows))` levels.
pub const INDEX_FANOUT: f64 = 100.0;

impl TableSpec {
    /// Levels of the index's B-tree: `ceil(log_100(rows))`, at least 1.
    pub fn index_levels(&self) -> u32 {
        let rows = self.rows.max(1) as f64;
        // A small nudge keeps exact powers of the fanout (10⁴ = 100²) from
        // rounding up through a last-bit error of the logarithm.
        let levels = (rows.ln() / INDEX_FANOUT.ln() - 1e-9).ceil();
        (levels as u32).max(1)
    }

    /// What the table adds to every query, ms: the index's levels, or a
    /// scan of every row.
    pub fn query_cost_ms(&self) -> f64 {
        if self.index {
            f64::from(self.index_levels()) * self.index_level_ms
        } else {
            self.rows as f64 * self.row_scan_us / 1000.0
        }
    }
}

impl Default for TableSpec {
    fn default() -> Self {
        Self { rows: 10_000, index: true, row_scan_us: default_row_scan_us(), index_level_ms: default_index_level_ms() }
    }
}

impl Default for DatabaseSpec {
    fn default() -> Self {
        Self {
            connections: 20,
            queue_capacity: Some(200),
            query_time: DistributionSpec::LogNormalPercentiles { p50_ms: 5.0, p99_ms: 50.0 },
            error_probability: 0.0,
            read_replicas: 0,
            replication_lag_ms: 0.0,
            rate_limit: None,
            write_time: None,
            table: None,
            shards: 1,
            autoscale: None,
        }
    }
}
