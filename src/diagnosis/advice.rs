//! What to change, as typed advice: a test asserts the advice a cause
//! gets, the app and the command line print its `Display`, the sentence.

use std::fmt;

use serde::Serialize;

use super::cause::LinkWay;
use super::text::{amount, and_list, count, detection_mean, health_checks, ms, percent, possessive, seconds, times};
use crate::scenario::{ComponentKind, HealthCheckSpec};

/// One concrete change to try. In JSON each is `{kind, text}`: the
/// variant in snake case and the sentence.
#[derive(Debug, Clone, PartialEq)]
pub enum Advice {
    /// Smaller payloads over a saturated link (a binary encoding,
    /// compression, fewer fields), or more bandwidth: `needed_mbps` keeps
    /// it at 70 % busy with today's payloads.
    ShrinkPayloads { from: String, to: String, way: LinkWay, mean_kb: f64, needed_mbps: f64 },
    /// Fewer attempts per request, spread out: the fix for a retry storm.
    CapRetries { client: String, max_attempts: u32 },
    /// A retry budget on each layer that retries without one: a layer
    /// then adds at most `ratio` of its calls (plus `min_per_s`) as
    /// retries, so a failing bottom gets `budgeted` calls per request
    /// (`theory::budgeted_retry_load` multiplied over the layers) instead
    /// of the product of their attempts. `layers` are named as sentences
    /// name them (`users`, `gateway → api`).
    AddRetryBudget { layers: Vec<String>, bottom: String, ratio: f64, min_per_s: f64, budgeted: f64, worst_case: f64 },
    /// Retries at one layer only (the top one, nearest the user, which
    /// knows whether the request still matters): the others fail fast and
    /// pass the failure up instead of multiplying it.
    RetryAtOneLayer { keep: String, drop: Vec<String>, bottom: String, kept_attempts: u32, worst_case: f64 },
    /// Jitter, so the retries of requests that failed together do not
    /// arrive together.
    AddJitter { client: String },
    /// A waiting line the node drains within the client's timeout: it
    /// then rejects at once instead of serving attempts nobody waits for.
    ShortenQueue { node: String, client: String, capacity: Option<u32>, suggested: u32, timeout_ms: f64 },
    /// The errors come from a fault: end it.
    StopInjectedErrors { node: String, still_in_force: bool },
    /// Retrying against a node that fails every attempt only multiplies its load.
    RetriesCannotFixErrors { client: String, node: String },
    /// The node's own error rate is the cause.
    LowerErrorRate { node: String, probability: f64 },
    /// A retry or two gets requests past brief, independent failures.
    AddCappedRetries { client: String },
    /// Callers of a rate-limited node should slow down when told to.
    BackOffOnRateLimit { client: String, node: String },
    /// A bulkhead that refuses calls protects the caller; the dependency
    /// behind it is what to fix.
    SpeedUpBehindBulkhead {
        from: String,
        to: String,
        /// The node whose workers it keeps free: `from`, or, when `from`
        /// is a load balancer, the blocking service above it; `None` when
        /// no pool waits on the calls.
        holder: Option<String>,
        /// The edge has a fallback, which answers the calls it refuses.
        has_fallback: bool,
    },
    /// The limited node had room: its limit can go up.
    RaiseRateLimit { node: String, rate_rps: f64, utilisation: f64 },
    /// The node is still down.
    RestoreNode { node: String },
    /// A second copy, so one crash is not an outage.
    AddReplica {
        node: String,
        balancer: Option<String>,
        /// What one more copy costs a month at the scenario's prices.
        monthly_usd: f64,
    },
    /// Every target of the balancer ran in one zone, which went down: one
    /// in each of several zones turns a zone outage into lost capacity.
    SpreadOverZones { balancer: String, zone: String, targets: Vec<String> },
    /// Everything ran in one region, which went down: a standby in a
    /// second region behind a global balancer survives it.
    SecondRegion { balancer: Option<String>, region: String },
    /// The balancer keeps sending to a dead target until its health checks
    /// notice: after the fixed `delay_s`, or, when it has real checks,
    /// after `health_check`'s failures in a row.
    ShortenHealthCheck { balancer: String, delay_s: f64, health_check: Option<HealthCheckSpec> },
    /// Outlier ejection on the balancer: a target that fails requests in a
    /// row is taken out at once. `target_down`: the target crashed (ejection
    /// notices it after a few requests, before the checks do); else it
    /// failed requests while up, which health checks cannot see
    /// (`health_checked`: the balancer has checks, and they passed it).
    AddOutlierEjection { balancer: String, target: String, target_down: bool, health_checked: bool },
    /// The partition is a fault: heal it.
    HealPartition { from: String, to: String },
    /// Another path around one cut link.
    SecondRoute { from: String, to: String },
    /// Fill a cache before it takes traffic.
    WarmCache { cache: String, backend: Option<String> },
    /// Size the backend for the miss rate of a cold cache.
    SizeBackendForColdCache { backend: String, cache: String },
    /// Leave the cache's filling out of the totals.
    WarmUpBeforeJudging { cache: String },
    /// A larger cache or a longer time to live.
    GrowCache { cache: String },
    /// A larger pool at the node (workers, connections, consumers).
    AddPool {
        node: String,
        component: ComponentKind,
        pool_size: Option<u32>,
        utilisation: Option<f64>,
        /// The node it sends to and how busy that was, when that is why the pool is the fix.
        idle_downstream: Option<(String, f64)>,
    },
    /// Free the worker while the downstream call is in flight.
    NonBlockingCalls { node: String, downstream: String },
    /// A blocking caller's workers are freed sooner when what it calls is faster.
    SpeedUpDownstream { node: String },
    /// Spread the node's load over copies.
    ScaleOut {
        node: String,
        balancer: Option<String>,
        /// What one more copy costs a month at the scenario's prices.
        monthly_usd: f64,
    },
    /// Repeated reads never reach the database.
    PutCacheInFront { node: String },
    /// Reads to replicas, writes to the primary.
    AddReadReplicas {
        node: String,
        write_share: f64,
        /// What a replica costs a month at the scenario's prices: one on
        /// every shard of a sharded database.
        monthly_usd: f64,
    },
    /// An index turns a scan that grows with rows into a lookup that
    /// grows with log(rows).
    AddIndex { node: String, scan_ms: f64, lookup_ms: f64 },
    /// A hot shard holds the hottest keys: more shards do not split one
    /// key, a key that spreads the load (or a cache for the hot keys) does.
    BetterShardKey { node: String, shard: u32 },
    /// A longer queue trades errors for latency; capacity is the fix.
    LongerQueueOnlyDelays { node: String, rejected: u64 },
    /// A slowdown fault is behind the saturation.
    EndSlowdown { node: String, factor: f64 },
    /// The timeouts are a symptom of a troubled node further down.
    FixSlowNodeFirst { client: String, node: String },
    /// The timeout is shorter than the requests need.
    RaiseTimeout { client: String, timeout_ms: f64, p99_ms: f64 },
    /// A timeout on a blocking caller's edge to a dependency that went
    /// slow: the first defence against a slow dependency cascading up.
    /// Without one a caller holds a worker for as long as the callee
    /// takes, and once they are all held it turns its own callers away,
    /// while its users give up on answers it is still waiting for. Set a
    /// little above the callee's usual p99 (with the network both ways),
    /// so a normal call never times out.
    AddCallTimeout {
        from: String,
        to: String,
        /// The suggested `timeout_ms`, rounded.
        suggested_ms: f64,
        /// The callee's p99 when it is not slowed, the network included.
        usual_p99_ms: f64,
        /// The client that gives up above, and its timeout: the caller
        /// should give up on the callee well before its own users give up on it.
        outer: Option<(String, f64)>,
        /// The blocking service whose worker waits on the call, when it is
        /// not `from` (a load balancer that routes its requests).
        holder: Option<String>,
        /// The edge has a fallback: a call that times out is answered
        /// degraded instead of failing.
        has_fallback: bool,
    },
    /// A circuit breaker on that edge: once a share of the calls fail or
    /// time out it fails the next ones at once, so the caller's workers
    /// are not held by the timeout on every call and the dependency gets
    /// room to recover; probes close it again. Second after the timeout:
    /// a slow call only counts as failed once a timeout ends it.
    AddBreaker {
        from: String,
        to: String,
        failure_rate: f64,
        /// A count window of about one second of the edge's calls: it
        /// follows the traffic, where a window of seconds still remembers
        /// the good calls from before the trouble and opens late.
        window_calls: u32,
        /// Half the window, so a few unlucky calls do not open it.
        min_calls: u32,
        open_s: f64,
        probes: u32,
        /// A timeout is advised before it: the breaker counts a slow call
        /// as failed only once that timeout ends it.
        needs_timeout: bool,
        /// The blocking service whose workers wait on these calls, when it
        /// is not `from` (a load balancer that routes its requests).
        holder: Option<String>,
    },
    /// A bulkhead on that edge (`max_concurrent`): a slow dependency can
    /// then hold at most that many of the caller's workers, and calls
    /// beyond it fail at once. Sized from the run by Little's law: the
    /// calls usually in flight (the edge's rate times the usual call
    /// time) with room for bursts.
    AddBulkhead {
        from: String,
        to: String,
        suggested: u32,
        /// Calls usually in flight over the edge.
        in_flight: f64,
        /// The pool of the node whose workers wait on these calls.
        workers: u32,
        /// That node, when it is not `from`: `from` is a load balancer that
        /// routes each request to the service it needs, and the cap is on
        /// its edge to the slow one rather than between `holder` and it,
        /// where the calls to its other targets (`shared_with`) pass too.
        holder: Option<String>,
        shared_with: Vec<String>,
    },
    /// Idempotency keys on the clients whose writes arrive twice: the
    /// database then applies each request's write once.
    AddIdempotencyKeys { clients: Vec<String>, database: String },
    /// Priority classes on the clients that share an overloaded node,
    /// which then drops the least important requests first instead of
    /// everyone's alike.
    MarkPriorities { node: String, clients: Vec<String> },
    /// An edge's timeout is shorter than what its callee needs when it
    /// is well: it gives up on calls that would have been answered.
    RaiseCallTimeout { from: String, to: String, timeout_ms: f64, p99_ms: f64 },
    /// A fan-out that waits for all its calls waits for a quorum instead
    /// (or the first answer), where a partial answer will do: a request
    /// then waits on a slow call only when `calls − quorum + 1` of them are
    /// slow at once (`theory::fan_out_slow_share`).
    WaitForQuorum {
        node: String,
        calls: u32,
        /// The suggested quorum: all but one.
        quorum: u32,
        /// Requests waiting on at least one call's 1-in-100 tail now, and with the quorum.
        slow_share: f64,
        quorum_slow_share: f64,
    },
    /// A timeout with a fallback on a fan-out's calls: a request then
    /// waits at most about that long for its slowest call, and one cut
    /// short is answered degraded instead of waiting out the tail.
    TimeOutFanOutCalls {
        node: String,
        /// The suggested `timeout_ms`: 1.5 times the slowest call's p99.
        suggested_ms: f64,
        /// The slowest call's p99, the network both ways included.
        usual_p99_ms: f64,
    },
    /// Fewer calls per request (fewer, larger shards): the share of
    /// requests that wait on a slow call falls with the count.
    FewerCalls { node: String, calls: u32, fewer: u32, slow_share: f64, fewer_slow_share: f64 },
    /// Hedged requests on a fan-out's calls that go through load
    /// balancers over replicas: a balancer sends a copy of a call still
    /// unanswered after `delay_ms` (about the calls' p95) to another
    /// replica and takes the first answer, so a call is slow only when
    /// both are. Costs `extra` more calls to the replicas: the share of
    /// calls slower than the delay.
    HedgeCalls {
        node: String,
        /// The balancers whose edges to their replicas would hedge (those
        /// that do not yet), in the scenario's order.
        balancers: Vec<String>,
        /// The suggested `hedge: (delay_ms: …)`, rounded.
        delay_ms: f64,
        /// The calls' p95 (a replica's time and the network both ways).
        p95_ms: f64,
        /// Extra calls per call: the share slower than the delay.
        extra: f64,
    },
    /// Failures no rule explains: read them per node.
    ReadFailuresPerNode,
    /// Nothing broke: push it until it does.
    FindTheLimit,
}

impl Advice {
    /// The variant's name in snake case, as the JSON writes it.
    pub fn key(&self) -> &'static str {
        match self {
            Self::ShrinkPayloads { .. } => "shrink_payloads",
            Self::CapRetries { .. } => "cap_retries",
            Self::AddRetryBudget { .. } => "add_retry_budget",
            Self::RetryAtOneLayer { .. } => "retry_at_one_layer",
            Self::AddJitter { .. } => "add_jitter",
            Self::ShortenQueue { .. } => "shorten_queue",
            Self::StopInjectedErrors { .. } => "stop_injected_errors",
            Self::RetriesCannotFixErrors { .. } => "retries_cannot_fix_errors",
            Self::LowerErrorRate { .. } => "lower_error_rate",
            Self::AddCappedRetries { .. } => "add_capped_retries",
            Self::BackOffOnRateLimit { .. } => "back_off_on_rate_limit",
            Self::SpeedUpBehindBulkhead { .. } => "speed_up_behind_bulkhead",
            Self::RaiseRateLimit { .. } => "raise_rate_limit",
            Self::RestoreNode { .. } => "restore_node",
            Self::AddReplica { .. } => "add_replica",
            Self::SpreadOverZones { .. } => "spread_over_zones",
            Self::SecondRegion { .. } => "second_region",
            Self::ShortenHealthCheck { .. } => "shorten_health_check",
            Self::AddOutlierEjection { .. } => "add_outlier_ejection",
            Self::HealPartition { .. } => "heal_partition",
            Self::SecondRoute { .. } => "second_route",
            Self::WarmCache { .. } => "warm_cache",
            Self::SizeBackendForColdCache { .. } => "size_backend_for_cold_cache",
            Self::WarmUpBeforeJudging { .. } => "warm_up_before_judging",
            Self::GrowCache { .. } => "grow_cache",
            Self::AddPool { .. } => "add_pool",
            Self::NonBlockingCalls { .. } => "non_blocking_calls",
            Self::SpeedUpDownstream { .. } => "speed_up_downstream",
            Self::ScaleOut { .. } => "scale_out",
            Self::PutCacheInFront { .. } => "put_cache_in_front",
            Self::AddReadReplicas { .. } => "add_read_replicas",
            Self::AddIndex { .. } => "add_index",
            Self::BetterShardKey { .. } => "better_shard_key",
            Self::LongerQueueOnlyDelays { .. } => "longer_queue_only_delays",
            Self::EndSlowdown { .. } => "end_slowdown",
            Self::FixSlowNodeFirst { .. } => "fix_slow_node_first",
            Self::RaiseTimeout { .. } => "raise_timeout",
            Self::AddCallTimeout { .. } => "add_call_timeout",
            Self::AddBreaker { .. } => "add_breaker",
            Self::AddBulkhead { .. } => "add_bulkhead",
            Self::AddIdempotencyKeys { .. } => "add_idempotency_keys",
            Self::MarkPriorities { .. } => "mark_priorities",
            Self::RaiseCallTimeout { .. } => "raise_call_timeout",
            Self::WaitForQuorum { .. } => "wait_for_quorum",
            Self::TimeOutFanOutCalls { .. } => "time_out_fan_out_calls",
            Self::FewerCalls { .. } => "fewer_calls",
            Self::HedgeCalls { .. } => "hedge_calls",
            Self::ReadFailuresPerNode => "read_failures_per_node",
            Self::FindTheLimit => "find_the_limit",
        }
    }
}

impl fmt::Display for Advice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CapRetries { client, max_attempts } => write!(
                f,
                "Cap {} retries at 1–2 (`max_attempts` 2–3, now {max_attempts}) with exponential backoff and jitter: every failed attempt now comes back as more load",
                possessive(client)
            ),
            Self::AddRetryBudget { layers, bottom, ratio, min_per_s, budgeted, worst_case } => write!(
                f,
                "Give each retry a budget (`budget` with a `ratio` of {ratio} in the `retry` of {}): each layer then retries at most {} of its calls, plus {min_per_s} a second, so a failing {bottom} gets about {:.1} calls per request instead of up to {}",
                and_list(layers),
                percent(*ratio),
                budgeted,
                whole(*worst_case)
            ),
            Self::RetryAtOneLayer { keep, drop, bottom, kept_attempts, worst_case } => write!(
                f,
                "Retry at one layer only: keep the retries of {keep} and take the `retry` off {}, so they pass a failure up at once. Retried at every layer, a request becomes up to {} calls at a failing {bottom}; at one layer, {}",
                and_list(drop),
                whole(*worst_case),
                count(u64::from(*kept_attempts))
            ),
            Self::AddJitter { client } => write!(
                f,
                "Add jitter to {} backoff (`jitter` 0.5–1): without it the retries of requests that failed together arrive together",
                possessive(client)
            ),
            Self::ShortenQueue { node, client, capacity, suggested, timeout_ms } => {
                let now = capacity.map_or_else(|| "unbounded".to_string(), |c| count(u64::from(c)));
                write!(
                    f,
                    "Shorten the queue of {node} (now {now}) to about {} so it rejects fast: that is what it serves within {} {} timeout, instead of working on attempts nobody waits for",
                    count(u64::from(*suggested)),
                    possessive(client),
                    ms(*timeout_ms)
                )
            }
            Self::StopInjectedErrors { node, still_in_force } => {
                write!(f, "The errors at {node} are an injected fault, not a lack of capacity: ")?;
                if *still_in_force {
                    write!(f, "switch the injection off (the node's right-click menu) or end its Errors fault")
                } else {
                    write!(f, "end or shorten its Errors fault in the timeline to see the design without it")
                }
            }
            Self::RetriesCannotFixErrors { client, node } => write!(
                f,
                "{} retries cannot get past errors {node} gives every attempt: they only multiply its load; retry only failures that are brief",
                possessive(client)
            ),
            Self::LowerErrorRate { node, probability } => write!(
                f,
                "Lower the error rate of {node} (`error_probability` {probability}), or let callers retry: its errors are independent, so a second attempt usually succeeds"
            ),
            Self::ShrinkPayloads { from, to, way, mean_kb, needed_mbps } => write!(
                f,
                "Send less over {from} → {to}: its {} average {} KB; a binary encoding (Protocol Buffers is often a \
                 third of JSON's size) or compression frees the link. Or raise its `bandwidth_mbps` to {} or more, \
                 to keep it at most 70 % busy",
                way.payloads(),
                amount(*mean_kb),
                amount(*needed_mbps)
            ),
            Self::AddCappedRetries { client } => write!(
                f,
                "Give {client} a capped retry (2–3 attempts, exponential backoff with jitter) so requests caught by a brief failure succeed on a later attempt"
            ),
            Self::RestoreNode { node } => write!(f, "Restore {node}: it is still down (right-click it, Restore)"),
            Self::AddReplica { node, balancer: Some(lb), monthly_usd } => write!(
                f,
                "Add another replica of {node} behind {lb}: the others then carry its share while it is down{}",
                costs_more(*monthly_usd)
            ),
            Self::AddReplica { node, balancer: None, monthly_usd } => write!(
                f,
                "Run a second copy of {node} behind a load balancer: a crash of one copy then costs a health-check delay, not an outage{}",
                costs_more(*monthly_usd)
            ),
            Self::SpreadOverZones { balancer, zone, targets } => write!(
                f,
                "Spread the targets of {balancer} over availability zones: {} all ran in {zone}, so one zone outage \
                 took them all; with one per zone in three zones, an outage costs a third of the capacity, not the \
                 service (size each to carry the load with one zone gone)",
                targets.join(", ")
            ),
            Self::SecondRegion { balancer: Some(lb), region } => write!(
                f,
                "Run a copy of what {lb} serves in a second region, behind a global load balancer (policy `Nearest` \
                 or `Failover`): everything ran in {region}, so its outage was an outage of the service"
            ),
            Self::SecondRegion { balancer: None, region } => write!(
                f,
                "Run a copy in a second region behind a global load balancer (policy `Nearest` or `Failover`): it \
                 all ran in {region}, so the region's outage was the service's"
            ),
            Self::ShortenHealthCheck { balancer, delay_s, health_check: None } => write!(
                f,
                "Shorten the health-check delay of {balancer} (now {}): it sends to a dead target until it notices",
                seconds(*delay_s)
            ),
            Self::ShortenHealthCheck { balancer, health_check: Some(h), .. } => write!(
                f,
                "Make the health checks of {balancer} notice sooner (now {}: a dead target keeps its share of the traffic for {} on average): probe more often (`interval_s`) or mark a target down after fewer failures (`unhealthy_threshold`)",
                health_checks(h),
                seconds(detection_mean(h))
            ),
            Self::AddOutlierEjection { balancer, target, target_down: true, .. } => write!(
                f,
                "Give {balancer} outlier ejection (`outlier_ejection`: 5 failures in a row eject a target for 30 s): it takes a dead {target} out after its first few failed requests, before the health checks notice"
            ),
            Self::AddOutlierEjection { balancer, target, target_down: false, health_checked } => write!(
                f,
                "Give {balancer} outlier ejection (`outlier_ejection`: 5 failures in a row eject a target for 30 s): {target} fails requests while it is up, {}, so {balancer} keeps sending it its share",
                if *health_checked { "its health checks pass" } else { "a health check would pass" }
            ),
            Self::HealPartition { from, to } => write!(
                f,
                "Heal the link from {from} to {to} (end its Partition fault, or the link's menu): everything sent over it is lost"
            ),
            Self::SecondRoute { from, to } => write!(
                f,
                "Give {from} a second route: a replica of {to} reached over another link, behind a load balancer, so one cut link is not an outage"
            ),
            Self::WarmCache { cache, backend } => {
                write!(f, "Warm {cache} before it takes traffic (load the popular keys), or flush it off-peak")?;
                match backend {
                    Some(b) => write!(f, ": until it refills, every miss is work for {b}"),
                    None => Ok(()),
                }
            }
            Self::SizeBackendForColdCache { backend, cache } => write!(
                f,
                "Size {backend} for a cold cache, not a warm one: after a flush or restart of {cache} expect a lower hit ratio, and {backend} takes the misses until it refills"
            ),
            Self::WarmUpBeforeJudging { cache } => write!(
                f,
                "Set `warmup_s` (or run longer) before judging {cache}: the totals include it filling from empty"
            ),
            Self::GrowCache { cache } => write!(
                f,
                "Give {cache} more capacity or a longer time to live, or check the key popularity: few reads repeat within what it holds"
            ),
            Self::AddPool { node, component, pool_size, utilisation, idle_downstream } => {
                let (_, pool) = component.pool_noun().unwrap_or(("worker", "workers"));
                match component {
                    ComponentKind::Database => write!(f, "Raise the connection pool of {node}")?,
                    ComponentKind::Queue => write!(f, "Add consumers to {node}")?,
                    _ => write!(f, "Give {node} more {pool}")?,
                }
                match (pool_size, utilisation) {
                    (Some(p), Some(u)) => write!(f, " (now {}, {} busy)", count(u64::from(*p)), percent(*u))?,
                    (Some(p), None) => write!(f, " (now {})", count(u64::from(*p)))?,
                    _ => {}
                }
                if let Some((downstream, u)) = idle_downstream {
                    write!(f, ": {downstream} behind it is only {} busy and can take more", percent(*u))?;
                }
                Ok(())
            }
            Self::NonBlockingCalls { node, downstream } => write!(
                f,
                "Make {} calls non-blocking (turn off `blocking_calls`): its workers now sit waiting on {downstream}, which has room",
                possessive(node)
            ),
            Self::SpeedUpDownstream { node } => write!(
                f,
                "{node} holds its worker while waiting downstream; speeding up what it calls frees workers too"
            ),
            Self::ScaleOut { node, balancer: Some(lb), monthly_usd } => {
                write!(f, "Add another replica of {node} behind {lb}{}", costs_more(*monthly_usd))
            }
            Self::ScaleOut { node, balancer: None, monthly_usd } => {
                write!(f, "Put a load balancer in front of {node} and run two or more copies{}", costs_more(*monthly_usd))
            }
            Self::PutCacheInFront { node } => {
                write!(f, "Put a cache in front of {node}: repeated reads then never reach it")
            }
            Self::AddReadReplicas { node, write_share, monthly_usd } => write!(
                f,
                "Add read replicas to {node}: reads go to them, only writes ({}) to the primary{}",
                percent(*write_share),
                costs_more(*monthly_usd)
            ),
            Self::AddIndex { node, scan_ms, lookup_ms } => write!(
                f,
                "Add an index to {node}'s table (`index: true`): each query's {} scan becomes a {} lookup, \
                 and it stays that fast as the table grows",
                ms(*scan_ms),
                ms(*lookup_ms)
            ),
            Self::BetterShardKey { node, shard } => write!(
                f,
                "Spread {node}'s hottest keys: shard by a key whose load is even, or put a cache in front for \
                 the hot keys; more shards do not help, the hottest key still lands on one shard (now shard {shard})"
            ),
            Self::LongerQueueOnlyDelays { node, rejected } => write!(
                f,
                "{node} turned away {} attempts with a full queue: a longer queue only trades errors for latency; add capacity",
                count(*rejected)
            ),
            Self::EndSlowdown { node, factor } => write!(
                f,
                "A fault slows {node} {}: end the Slow fault (or the slowdown set by hand) and it keeps up again",
                times(*factor)
            ),
            Self::FixSlowNodeFirst { client, node } => write!(
                f,
                "Fix {node} first: {} timeouts follow from it, and a longer timeout would only make users wait longer for the same failures",
                possessive(client)
            ),
            Self::RaiseTimeout { client, timeout_ms, p99_ms } => write!(
                f,
                "Raise {} timeout (now {}) above what its requests need (p99 {}), or make the slow path faster",
                possessive(client),
                ms(*timeout_ms),
                ms(*p99_ms)
            ),
            Self::AddCallTimeout { from, to, suggested_ms, usual_p99_ms, outer, holder, has_fallback } => {
                write!(
                    f,
                    "Give {from} → {to} a `timeout_ms` of about {}, above {} usual p99 ({} with the network): when {to} slows, ",
                    ms(*suggested_ms),
                    possessive(to),
                    ms(*usual_p99_ms),
                )?;
                let queue = if let Some(h) = holder {
                    write!(
                        f,
                        "{from} then gives up within {} and frees {} worker waiting on the call",
                        ms(*suggested_ms),
                        possessive(h)
                    )?;
                    format!("{} queue", possessive(h))
                } else {
                    write!(f, "{from} then gives up and frees its worker within {}", ms(*suggested_ms))?;
                    "its queue".to_string()
                };
                let answer = if *has_fallback { "the fallback's answer" } else { "a fast failure" };
                match outer {
                    Some((client, timeout_ms)) => write!(
                        f,
                        ", so {queue} does not fill and {client} get {answer} instead of waiting out their {} timeout",
                        ms(*timeout_ms)
                    ),
                    None if *has_fallback => {
                        write!(f, " and answers with the fallback instead of waiting as long as {to} takes")
                    }
                    None => write!(f, " instead of waiting as long as {to} takes"),
                }
            }
            Self::AddBreaker {
                from,
                to,
                failure_rate,
                window_calls,
                min_calls,
                open_s,
                probes,
                needs_timeout,
                holder,
            } => {
                let worker = holder.as_ref().map_or_else(|| "a worker".to_string(), |h| format!("a worker of {h}"));
                write!(
                    f,
                    "Put a circuit breaker (`breaker`) on {from} → {to}, opening when {} of its last {} calls failed (once it has {}), for {}, then {} probes: while {to} is slow or down, {} calls to it then fail at once instead of each holding {worker}, and {to} gets room to recover",
                    percent(*failure_rate),
                    count(u64::from(*window_calls)),
                    count(u64::from(*min_calls)),
                    seconds(*open_s),
                    count(u64::from(*probes)),
                    possessive(from)
                )?;
                if *needs_timeout {
                    write!(f, "; with the timeout, a slow call counts as failed")?;
                }
                Ok(())
            }
            Self::AddBulkhead { from, to, suggested, in_flight, workers, holder, shared_with } => {
                write!(
                    f,
                    "Cap the calls from {from} to {to} at about {} at once (a bulkhead, `max_concurrent`)",
                    count(u64::from(*suggested))
                )?;
                if let Some(h) = holder {
                    let others = if shared_with.is_empty() || shared_with.len() > 3 {
                        format!("{} other targets", possessive(from))
                    } else {
                        and_list(shared_with)
                    };
                    write!(f, ", here rather than between {h} and {from}, where the calls to {others} pass too")?;
                }
                write!(
                    f,
                    ": {from} usually has {in_flight:.1} in flight there, so the cap leaves room for bursts, and a slow {to} can hold at most {} of {} {} workers; calls beyond it fail at once",
                    count(u64::from(*suggested)),
                    holder.as_ref().map_or_else(|| "its".to_string(), |h| possessive(h)),
                    count(u64::from(*workers))
                )
            }
            Self::AddIdempotencyKeys { clients, database } => write!(
                f,
                "Send an idempotency key with each write (`idempotency_keys: true` on {}): {database} then \
                 recognises a retried write and answers it without applying it again — the retries stay, the \
                 double charges go",
                and_list(clients)
            ),
            Self::MarkPriorities { node, clients } => write!(
                f,
                "Mark how much each client's requests matter (`priority: Critical`, `Standard` or `Sheddable` on {}): \
                 an overloaded {node} then serves the critical ones first and, when its line is full, drops the \
                 sheddable ones instead of everyone's alike",
                and_list(clients)
            ),
            Self::RaiseCallTimeout { from, to, timeout_ms, p99_ms } => write!(
                f,
                "Raise the `timeout_ms` of {from} → {to} (now {}) above what {to} needs (p99 {} with the network), or make {to} faster: {from} gives up on calls that would have been answered",
                ms(*timeout_ms),
                ms(*p99_ms)
            ),
            Self::BackOffOnRateLimit { client, node } => write!(
                f,
                "{node}'s limiter is doing its job: {} requests beyond it fail fast instead of queueing. Have {client} back off on a 429 (retries with exponential backoff and jitter, or fewer requests) rather than retry at once",
                possessive(client)
            ),
            Self::SpeedUpBehindBulkhead { from, to, holder, has_fallback } => {
                write!(f, "The bulkhead on {from} → {to} is doing its job: calls to {to} beyond it fail fast")?;
                if *has_fallback {
                    write!(f, " and its fallback answers them")?;
                }
                match holder {
                    Some(h) => write!(f, ", so {} other workers stay free", possessive(h))?,
                    None => write!(f, " instead of waiting on {to}")?,
                }
                write!(f, ". Make {to} faster (or give it more capacity)")?;
                if !*has_fallback {
                    write!(f, ", or answer those calls with a fallback")?;
                }
                match holder {
                    Some(h) => write!(f, "; raise the cap only if {h} has workers to spare"),
                    None => write!(f, "; raise the cap only if {to} can take more"),
                }
            }
            Self::RaiseRateLimit { node, rate_rps, utilisation } => write!(
                f,
                "{node} was only {} busy with what its limiter let through: raise its rate limit (now {rate_rps} requests/s) to admit more; keep it below what {node} can serve",
                percent(*utilisation)
            ),
            Self::WaitForQuorum { node, calls, quorum, slow_share, quorum_slow_share } => write!(
                f,
                "Let {node} answer once {} of its {} calls have (`calls: Parallel(wait_for: Quorum({quorum}))`), or with the first (`First`), if a partial answer will do: a request then waits on a call's 1-in-100 tail only when {} of its calls are that slow at once, {} of requests instead of {}",
                count(u64::from(*quorum)),
                count(u64::from(*calls)),
                count(u64::from(calls.saturating_sub(*quorum) + 1)),
                percent(*quorum_slow_share),
                percent(*slow_share)
            ),
            Self::TimeOutFanOutCalls { node, suggested_ms, usual_p99_ms } => write!(
                f,
                "Give {} calls a `timeout_ms` of about {} (above the slowest one's p99 of {} with the network) and a `fallback`: a request then waits at most about {} for its slowest call, and one cut short is answered degraded, without that call's part, instead of waiting out its tail",
                possessive(node),
                ms(*suggested_ms),
                ms(*usual_p99_ms),
                ms(*suggested_ms)
            ),
            Self::FewerCalls { node, calls, fewer, slow_share, fewer_slow_share } => write!(
                f,
                "Fan {node} out to fewer calls (fewer, larger shards): with {} instead of {}, {} of requests wait on a call's 1-in-100 tail instead of {}",
                count(u64::from(*fewer)),
                count(u64::from(*calls)),
                percent(*fewer_slow_share),
                percent(*slow_share)
            ),
            Self::HedgeCalls { node, balancers, delay_ms, p95_ms, extra } => {
                let on = match balancers.as_slice() {
                    [one] => format!("{one}'s edges to its replicas"),
                    [one, two] => format!("the edges of {one} and {two} to their replicas"),
                    [one, two, rest @ ..] => format!(
                        "the edges of {one}, {two} and {} other balancers to their replicas",
                        count(rest.len() as u64)
                    ),
                    [] => "the balancers' edges to their replicas".to_string(),
                };
                write!(
                    f,
                    "Hedge {} calls (`hedge: (delay_ms: {})` on {on}, about the calls' p95 of {}): a call still unanswered after {} gets a copy sent to another replica and the first answer wins, so a call is slow only when both are; it costs about {} more calls, those slower than the delay",
                    possessive(node),
                    whole(*delay_ms),
                    ms(*p95_ms),
                    ms(*delay_ms),
                    percent(*extra)
                )
            }
            Self::ReadFailuresPerNode => f.write_str(
                "Read the failures per node (the table, or each node's card): the reason and where it happened name the fix",
            ),
            Self::FindTheLimit => {
                f.write_str("Push it to find the limit: more load (the spike button, or a Spike fault) or a crash (a node's right-click menu, or a Crash fault)")
            }
        }
    }
}

/// A product of attempts, whole: `27`; a huge one stays readable.
fn whole(value: f64) -> String {
    if value < 1e15 { count(value.round() as u64) } else { format!("{value:.1e}") }
}

/// The advice as the JSON writes it: its kind and its sentence.
#[derive(Serialize)]
struct AdviceRecord {
    kind: &'static str,
    text: String,
}

impl Serialize for Advice {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        AdviceRecord { kind: self.key(), text: self.to_string() }.serialize(serializer)
    }
}

/// What a fix that adds a copy costs, after its sentence: " (about $73 a
/// month more at the scenario's prices)"; nothing when it is free.
fn costs_more(monthly_usd: f64) -> String {
    if monthly_usd > 0.0 {
        format!(" (about {} a month more at the scenario's prices)", crate::sim::cost::usd(monthly_usd))
    } else {
        String::new()
    }
}
