//! The causes the diagnosis can name, with the facts that show each. Its
//! `Display` is the evidence, a sentence with the counts; counts at a node
//! are **attempts** (what the node saw, retries included), counts at a
//! client's users are **requests**.

use std::fmt;

use serde::Serialize;

use super::text::{
    amount, and_list, count, counted, detection_mean, health_checks, ms, percent, possessive, seconds, times,
};
use crate::scenario::{ComponentKind, HealthCheckSpec, LimitPer};
use crate::sim::BreakerState;

/// Why requests failed (or are about to). In JSON, `kind` names the
/// variant in snake case and the other keys are its fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cause {
    /// Retries at two or more layers of one path (the client and the
    /// edges below it) multiplied each other: a failing bottom gets up to
    /// the product of their attempts per request (3 layers of 3 = 27),
    /// and when it recovers that load keeps it overloaded. One finding
    /// for the whole chain, in place of a [`Cause::RetryAmplification`]
    /// for its client: the client's retries are one of its layers.
    RetriesAtEveryLayer {
        /// The client whose requests go down the path.
        client: String,
        /// The layers that retried, top (the client, if it retried) first.
        layers: Vec<RetryLayer>,
        /// The callee of the lowest layer: where the calls multiply.
        bottom: String,
        /// Requests the client's users made.
        requests: u64,
        /// Calls each request became at the bottom through the retries:
        /// the product of each layer's calls per first call.
        calls_per_request: f64,
        /// Calls per request at the bottom while it fails every call: the
        /// product of the layers' `max_attempts`.
        worst_case: f64,
        /// Attempts the bottom turned away with a full queue.
        rejected: u64,
        /// Calls the layers gave up waiting for (their timeouts).
        timed_out: u64,
        /// Answers that came back after a layer had given up on them:
        /// work the bottom did for nobody.
        late_answers: u64,
        /// Whether the first tries alone fit what the bottom can serve:
        /// then the retries are the overload, not a symptom of it.
        retries_cause_overload: bool,
    },
    /// Retry budgets held back retries on a path that retries: without
    /// them the layers would have multiplied the calls at the bottom.
    /// A note on what worked, not a cause of failure.
    RetryBudgetsHeld {
        client: String,
        /// The layers with a retry policy that retried or was held back.
        layers: Vec<RetryLayer>,
        bottom: String,
        /// Calls each request became at the bottom through the retries.
        calls_per_request: f64,
        /// Calls per request at the bottom without budgets while it fails
        /// every call: the product of the layers' `max_attempts`.
        worst_case: f64,
        /// Retries the budgets held back, over all the layers.
        retries_denied: u64,
    },
    /// A client's retries multiplied the load on a node that was already
    /// failing attempts for load (full queue, timeouts): the retries keep
    /// it overloaded, which is how a brief outage becomes a lasting one.
    RetryAmplification {
        client: String,
        /// The node the attempts overloaded: the one that turned most away.
        target: String,
        /// Requests the client's users made.
        requests: u64,
        /// Attempts sent for them, first tries and retries.
        attempts: u64,
        retries: u64,
        attempts_per_request: f64,
        /// Share of the attempts that were retries.
        retry_share: f64,
        /// Attempts the client gave up waiting for.
        timed_out: u64,
        /// Attempts the target turned away with a full queue.
        rejected: u64,
        /// Attempts answered after the client had given up on them.
        late_answers: u64,
        /// Whether the first tries alone fit what the target can serve:
        /// then the retries are the overload, not a symptom of it.
        retries_cause_overload: bool,
    },
    /// A node answered attempts with errors injected by a fault (the
    /// timeline's `Errors` or the app's menu): a fault, not a capacity
    /// problem.
    InjectedErrors {
        node: String,
        /// The largest injected error probability seen: the timeline's or
        /// the one in force at the end.
        probability: f64,
        /// Attempts answered with an error while the injection was on.
        errors: u64,
        /// Attempts that reached the node.
        attempts: u64,
        /// Whether the injection is still on at the end of the run.
        still_in_force: bool,
    },
    /// A node answered attempts with errors by design (its `error_probability`).
    ErrorRate { node: String, probability: f64, errors: u64, attempts: u64 },
    /// A node's rate limiter refused attempts beyond its rate (HTTP 429):
    /// load shed on purpose, to protect the node, not a breakdown.
    RateLimited {
        node: String,
        /// The limiter's rate, requests/s, and its bucket size.
        rate_rps: f64,
        burst: u32,
        /// Attempts refused, of the attempts that reached the node.
        refused: u64,
        attempts: u64,
        /// How busy the node's pool was with what the limiter let through.
        utilisation: Option<f64>,
        /// Whose requests share a bucket: the rate is per client or per
        /// class when they do not all share one.
        per: LimitPer,
    },
    /// A node shed requests on purpose: those that waited longer than its
    /// `shed_after_ms`, so that those it serves are served before their
    /// callers give up, or less important ones a more important request
    /// pushed out of its full line (priority classes) — not a breakdown.
    Shed {
        node: String,
        /// Its waiting-time limit, when it has one.
        shed_after_ms: Option<f64>,
        /// Whether requests of several priority classes reach it, so a
        /// full line pushes the less important out.
        by_priority: bool,
        /// Attempts shed, of the attempts that reached the node.
        shed: u64,
        attempts: u64,
        /// How busy the node's pool was: near 1 when the load exceeded it.
        utilisation: Option<f64>,
    },
    /// A service dropped requests unstarted because their callers had
    /// already given up (deadline propagation): work saved, not lost; the
    /// timeouts above it are the cause.
    DeadlineExceeded { node: String, dropped: u64, attempts: u64 },
    /// A client's adaptive throttling refused requests itself: its
    /// backend accepted too few of its recent ones (the cause is below
    /// it), and the throttle spared the backend the excess.
    Throttled {
        client: String,
        throttled: u64,
        /// The client's requests.
        requests: u64,
        k: f64,
    },
    /// A database applied writes a second time for the same request: a
    /// write retried after a timeout (the first try was not cancelled),
    /// from clients that send no idempotency key. Not a failure — worse:
    /// every request succeeded and some customers were charged twice.
    DuplicateWrites {
        database: String,
        duplicates: u64,
        /// Writes it applied in all (ok answers to writes are not apart
        /// from reads in the report, so: calls it answered ok).
        answered: u64,
        /// The clients whose writes reach it without a key.
        clients: Vec<String>,
    },
    /// A caller's bulkhead on an edge refused calls beyond its cap: the
    /// dependency is slow or busy, and the bulkhead kept it from taking
    /// every worker of the caller — shed on purpose, not a breakdown.
    BulkheadFull {
        from: String,
        to: String,
        max_concurrent: u32,
        /// Calls refused, of the calls the caller tried over the edge.
        refused: u64,
        sent: u64,
        /// The node whose workers the bulkhead keeps free, and its pool:
        /// `from`, or, when `from` is a load balancer (no workers of its
        /// own), the service above it that waits through it.
        holder: Option<String>,
        workers: Option<u32>,
        /// Of the refused calls, those the edge's fallback answered
        /// (degraded, not failed): when it answered them all, the
        /// requests that failed did not fail at the bulkhead.
        answered: u64,
        /// The slowdown a fault put on `to`, or on a node it waits on (1 = none).
        slowdown: f64,
        /// The slowed node, when `slowdown` is above 1.
        slowed: Option<String>,
        /// Users who gave up waiting on calls the bulkhead let through:
        /// a cap bounds how many calls wait, not how long each does.
        let_through: Option<LetThrough>,
        /// How long a call waited for a place before it was refused
        /// (`bulkhead_wait_ms`; `None`: refused at once).
        wait_ms: Option<f64>,
    },
    /// A node was down (crashed) and failed the attempts that reached it.
    NodeDown {
        node: String,
        component: ComponentKind,
        crashes: u64,
        down_s: f64,
        down_at_end: bool,
        /// Attempts that reached it while down or were in it when it crashed.
        failed_attempts: u64,
        /// The load balancer in front of it, if one.
        balancer: Option<String>,
        /// The zone or region outage it went down with ("zone us-east-1a").
        area: Option<String>,
    },
    /// A load balancer had no target its health checks considered up (or
    /// its outlier ejection had left in).
    NoHealthyTarget {
        balancer: String,
        failed_attempts: u64,
        /// The fixed detection delay, in force when `health_check` is absent.
        health_check_delay_s: f64,
        /// Its active health checks, when it has them.
        health_check: Option<HealthCheckSpec>,
        /// Times its outlier ejection took a target out.
        ejections: u64,
        /// Its targets that were down at some point.
        down_targets: Vec<String>,
        /// The one zone or region outage they all went down with, when
        /// every target ran in it ("zone us-east-1a").
        area: Option<String>,
    },
    /// A partition cut a link: everything sent over it was lost.
    Partition { from: String, to: String, lost: u64 },
    /// A link loses requests at random (its `drop_probability`).
    LossyLink { from: String, to: String, lost: u64, drop_probability: f64 },
    /// A link with a bandwidth was nearly always sending one way: its
    /// payloads queue behind each other and every call over it waits.
    SaturatedLink {
        from: String,
        to: String,
        /// Which way: the requests (`from` → `to`) or the answers.
        way: LinkWay,
        /// The share of the run that way was sending.
        utilisation: f64,
        bandwidth_mbps: f64,
        /// The mean size of what it sends that way, KB.
        mean_kb: f64,
    },
    /// A cache started empty, was flushed or restarted, so reads went to
    /// its backend until it refilled.
    ColdCache {
        cache: String,
        hit_ratio: f64,
        flushes: u64,
        restarts: u64,
        /// The run began with an empty cache and no warm-up, and was short.
        started_cold: bool,
        backend: Option<String>,
        /// Attempts the backend turned away with a full queue.
        backend_rejected: u64,
        backend_utilisation: Option<f64>,
    },
    /// A cache that stayed warm but answers few reads: too small, too short
    /// a time to live, or keys too evenly popular.
    LowHitRatio { cache: String, hit_ratio: f64, backend: Option<String>, backend_rejected: u64 },
    /// A node turned attempts away with a full queue while the nodes it
    /// sends to had idle workers (under half busy, or, slowed by a fault,
    /// not saturated): the choke point is this node's pool (often workers
    /// held while waiting on a slow but idle downstream), not the capacity
    /// behind it.
    QueueFullDownstreamIdle {
        node: String,
        component: ComponentKind,
        rejected: u64,
        utilisation: Option<f64>,
        pool_size: Option<u32>,
        downstream: String,
        downstream_utilisation: f64,
        /// The slowdown a fault put on the downstream node (1 = none):
        /// slow but idle is what holds the upstream's workers.
        downstream_slowdown: f64,
    },
    /// A node's pool is (nearly) always busy: it breaks first under load.
    Saturated {
        node: String,
        component: ComponentKind,
        utilisation: Option<f64>,
        pool_size: Option<u32>,
        /// Attempts turned away with a full queue.
        rejected: u64,
        mean_wait_ms: f64,
        /// The slowdown a fault put on it (1 = none).
        slowdown: f64,
    },
    /// A database's queries scan a large table without an index: each
    /// costs `rows × row_scan_us`, which grows with the data, so the pool
    /// that served a development table saturates at production size. In
    /// place of [`Cause::Saturated`] for the database.
    FullTableScan {
        node: String,
        rows: u64,
        /// What the scan adds to each query, ms.
        scan_ms: f64,
        /// What an index lookup would add instead, ms.
        lookup_ms: f64,
        /// The query's own mean time (`query_time`), ms.
        query_ms: f64,
        utilisation: Option<f64>,
        /// Attempts turned away with a full queue.
        rejected: u64,
    },
    /// One shard of a sharded database carries far more than its share
    /// (hot keys under Zipf popularity): it saturates while the others
    /// idle, so the node's average hides it. In place of
    /// [`Cause::Saturated`] for the database.
    HotShard {
        node: String,
        /// The hot shard's position (0 is the first).
        shard: u32,
        shards: u32,
        /// Its share of the database's attempts (a fair share is 1 / shards).
        share: f64,
        /// Its connections' utilisation, and the mean over all shards.
        utilisation: f64,
        mean_utilisation: f64,
        /// Attempts turned away with a full queue (at the database).
        rejected: u64,
    },
    /// A client gave up on attempts that took longer than its timeout.
    Timeouts {
        client: String,
        timeout_ms: f64,
        timed_out: u64,
        attempts: u64,
        /// p99 of the requests that succeeded, if any did.
        p99_ms: Option<f64>,
        /// Attempts answered after the client had given up.
        late_answers: u64,
    },
    /// A node gave up on its calls over an edge after the edge's
    /// `timeout_ms`: the callee answered too late (slowed, overloaded, or
    /// the timeout is shorter than its work), and every late answer is
    /// work it did for nobody. Apart from [`Cause::Timeouts`], which is a
    /// client's own patience: a service's timeout fails its request with
    /// the reason "timeout" all the way up, and reading that at the users
    /// as *their* timeout blames the wrong hop.
    EdgeTimeouts {
        /// The caller, which gave up.
        from: String,
        /// The callee, which answered too late.
        to: String,
        timeout_ms: f64,
        /// Calls the caller gave up on.
        timed_out: u64,
        /// Calls over the edge, retries included.
        calls: u64,
        /// Answers that came back after the caller had given up.
        late_answers: u64,
        /// p99 of the callee's successful answers over the run, if any.
        callee_p99_ms: Option<f64>,
        /// The slowdown a fault put on the callee, or on a node it waits on (1 = none).
        slowdown: f64,
        /// The slowed node, when `slowdown` is above 1: the callee or one below it.
        slowed: Option<String>,
    },
    /// A service that makes its calls in parallel and waits for all of
    /// them (`calls: Parallel(wait_for: All)`) is as slow as the slowest:
    /// its latency is set by its calls' tails, not their medians. With N
    /// calls each slower than its own p99 one time in 100, a share
    /// `1 − 0.99^N` of its requests waits on at least one such call (the
    /// tail at scale: 18 % for 20 calls). A warning on latency: it
    /// explains no failure.
    FanOutTail {
        node: String,
        /// Its parallel calls per request.
        calls: u32,
        /// Its own latency over the run.
        p50_ms: f64,
        p99_ms: f64,
        /// The median of its calls' p50, the network both ways included:
        /// what a request would take if it waited for a typical call.
        calls_p50_ms: f64,
        /// The call with the longest tail, and its p99 with the network.
        slowest: String,
        slowest_p99_ms: f64,
        /// `1 − 0.99^calls`: the share of requests that wait on at least
        /// one call slower than its p99 (`theory::fan_out_slow_share`).
        slow_share: f64,
    },
    /// Requests failed (or, with `failed` 0, calls failed and a fallback
    /// answered them), and none of the causes above accounts for them.
    Unexplained { failed: u64 },
    /// Nothing failed and no pool is saturated.
    Healthy,
}

/// Users who gave up waiting on the calls a bulkhead let through to a slow
/// dependency (nothing else on their way was in trouble).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LetThrough {
    /// The client whose users gave up, and after how long.
    pub client: String,
    pub timeout_ms: f64,
    /// Attempts it gave up on.
    pub timed_out: u64,
}

/// A circuit breaker that opened on an edge: evidence on the finding of
/// the cause that made the calls over it fail, never a finding of its own.
///
/// Why evidence and not a cause: the breaker is the design working, not a
/// new failure. Its refusals are requests the root cause failed, made
/// fast; as a finding of its own it would either outrank its root cause
/// (it often refuses more calls than the dead node ever saw) and read as
/// one more thing broken, or, ranked below with nothing to explain, leave
/// its refusals unexplained. On the root cause's finding the learner reads
/// one story (db was down; the breaker on api → db failed 1,994 calls fast
/// instead of sending them to it), the refusals count towards what that
/// cause explains, and the advice leaves out the breaker that is there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakerEvidence {
    /// The edge's caller, where the refusals happened.
    pub from: String,
    pub to: String,
    /// Calls the open breaker failed at once, without sending them.
    pub refused: u64,
    /// Times it opened.
    pub trips: u64,
    /// Calls over the edge, refusals included.
    pub sent: u64,
    /// Where it is at the end of the run.
    pub state: Option<BreakerState>,
}

impl BreakerEvidence {
    /// The clause a finding's evidence ends with, the situation told by
    /// the cause it is evidence on: "the breaker on api → db failed 1,994
    /// calls fast (opened 2 times) instead of sending them to db while it
    /// was down".
    pub fn clause(&self, cause: &Cause) -> String {
        let BreakerEvidence { from, to, refused, trips, state, .. } = self;
        let mut line = format!(
            "the breaker on {from} → {to} failed {} fast ({}) instead of sending them to {to} while {}",
            counted(*refused, "call", "calls"),
            if *trips == 1 { "opened once".to_string() } else { format!("opened {} times", count(*trips)) },
            cause.situation(to)
        );
        match state {
            Some(BreakerState::Open) => line += "; it is still open at the end",
            Some(BreakerState::HalfOpen) => line += "; it is half-open at the end, probing",
            _ => {}
        }
        line
    }
}

/// A fallback on an edge that answered calls which failed for good: evidence
/// on the finding of the cause that made those calls fail, as a breaker is,
/// never a finding (or a cause) of its own.
///
/// Why evidence and not a cause: a degraded answer is the design working
/// (the request got an answer, not the real one), and it has a cause below
/// it: the callee was slowed, down or erroring, and the edge's timeout or
/// breaker sent the calls to the fallback. As a cause of its own,
/// "degraded" would name the protection as the trouble, and compete with
/// the fault for first place; on the fault's finding the learner reads one
/// story (recs was slowed 20×; the breaker on shop → recs failed 6,162
/// calls fast; the fallback answered the 6,596 failed calls degraded, 37 %
/// of shop's requests), and the advice is about the fault, not about more
/// protection where it held. Unlike a breaker's refusals, its answers add
/// nothing to the finding's `explains`: they are the same failed calls
/// (timeouts, refusals, errors) the finding already counts, answered
/// instead of passed up. What users saw is in the headline: a run with
/// degraded answers is never healthy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FallbackEvidence {
    /// The edge's caller, which answered in the callee's place.
    pub from: String,
    pub to: String,
    /// A `ServeStale` fallback: answers from the cache's expired copies,
    /// not made up (`Respond`).
    pub stale: bool,
    /// Calls it answered degraded (`EdgeReport.fallbacks`): one per
    /// request of the caller whose call failed for good.
    pub answered: u64,
    /// The caller's requests (its arrivals): `answered` over this is the
    /// share of them it answered degraded.
    pub requests: u64,
    /// Why the calls over the edge failed, of all that did (retries
    /// included): the caller gave up (its `timeout_ms`), its open breaker
    /// refused them, its full bulkhead refused them, the link lost them,
    /// and the rest came back failed from the callee or below it.
    pub timed_out: u64,
    pub breaker_refused: u64,
    pub bulkhead_refused: u64,
    pub lost: u64,
    pub failed_below: u64,
}

impl FallbackEvidence {
    /// "the fallback on shop → recs" or "stale copies (the fallback on cache → db)".
    pub fn label(&self) -> String {
        let FallbackEvidence { from, to, .. } = self;
        if self.stale {
            format!("{} stale copies (the fallback on {from} → {to})", possessive(from))
        } else {
            format!("the fallback on {from} → {to}")
        }
    }

    /// The share of the caller's requests it answered degraded.
    pub fn share(&self) -> f64 {
        if self.requests == 0 { 0.0 } else { (self.answered as f64 / self.requests as f64).min(1.0) }
    }

    /// The clause a finding's evidence ends with: "the fallback on shop →
    /// recs answered 6,596 calls degraded instead of failing them (37 % of
    /// shop's requests)". Why the calls failed is the finding's own
    /// evidence and its breakers' clauses; the split is in the fields.
    pub fn clause(&self) -> String {
        let what = if self.stale { ("read", "reads") } else { ("call", "calls") };
        format!(
            "{} answered {} degraded instead of failing them ({} of {} requests)",
            self.label(),
            counted(self.answered, what.0, what.1),
            percent(self.share()),
            possessive(&self.from)
        )
    }
}

/// One layer of retries: a caller that tries its calls to a callee again
/// (a client's own `retry`, or an edge's).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetryLayer {
    /// The client, or the node the edge starts at.
    pub caller: String,
    pub callee: String,
    /// The client's own policy (its attempts), not an edge's.
    pub at_client: bool,
    /// Calls made, first tries and retries (a client's attempts).
    pub calls: u64,
    pub retries: u64,
    /// Failed calls the layer's retry budget allowed no retry for: the
    /// budget at work.
    pub retries_denied: u64,
    /// The policy's `max_attempts`.
    pub max_attempts: u32,
    /// Whether the policy has a `budget`.
    pub budgeted: bool,
    /// Calls the caller gave up waiting for (its timeout).
    pub timed_out: u64,
}

impl RetryLayer {
    /// Calls per first call: how much this layer's retries multiply what
    /// it is asked.
    pub fn factor(&self) -> f64 {
        self.calls as f64 / self.calls.saturating_sub(self.retries).max(1) as f64
    }

    /// How a sentence names it: the client, or the edge.
    pub fn label(&self) -> String {
        if self.at_client { self.caller.clone() } else { format!("{} → {}", self.caller, self.callee) }
    }
}

impl Cause {
    /// Which cause comes first when two explain as many failures: the root
    /// causes (retries, faults) before the symptoms they produce
    /// (saturation, timeouts).
    pub(super) fn rank(&self) -> u8 {
        match self {
            Self::RetriesAtEveryLayer { .. } | Self::RetryAmplification { .. } | Self::DuplicateWrites { .. } => 0,
            Self::Partition { .. } => 1,
            Self::NodeDown { .. } => 2,
            Self::NoHealthyTarget { .. } => 3,
            Self::InjectedErrors { .. } => 4,
            Self::ErrorRate { .. } => 5,
            Self::RateLimited { .. }
            | Self::Shed { .. }
            | Self::BulkheadFull { .. }
            | Self::Throttled { .. }
            | Self::DeadlineExceeded { .. } => 6,
            Self::LossyLink { .. } | Self::SaturatedLink { .. } => 7,
            Self::ColdCache { .. } => 8,
            Self::LowHitRatio { .. } => 9,
            Self::QueueFullDownstreamIdle { .. } => 10,
            Self::Saturated { .. } | Self::FullTableScan { .. } | Self::HotShard { .. } => 11,
            // The hop that gave up is nearer the cause than the users
            // whose requests then failed.
            Self::EdgeTimeouts { .. } => 12,
            Self::Timeouts { .. } => 13,
            Self::FanOutTail { .. } => 14,
            Self::RetryBudgetsHeld { .. } => 15,
            Self::Unexplained { .. } => 16,
            Self::Healthy => 17,
        }
    }

    /// What was wrong below a breaker on a call to `callee`, for its
    /// evidence: "it was down", "db was answering with errors", "the link
    /// from api to db was cut".
    fn situation(&self, callee: &str) -> String {
        let who = |node: &str| if node == callee { "it".to_string() } else { node.to_string() };
        match self {
            Self::NodeDown { node, .. } => format!("{} was down", who(node)),
            Self::NoHealthyTarget { balancer, .. } => format!("{} had no healthy target", who(balancer)),
            Self::InjectedErrors { node, .. } | Self::ErrorRate { node, .. } => {
                format!("{} was answering with errors", who(node))
            }
            Self::RateLimited { node, .. } => format!("{} was refusing calls beyond its rate limit", who(node)),
            Self::Shed { node, shed_after_ms: Some(_), .. } => {
                format!("{} was shedding what it could not serve in time", who(node))
            }
            Self::Shed { node, .. } => format!("{} was shedding its less important requests", who(node)),
            Self::Partition { from, to, .. } => format!("the link from {from} to {to} was cut"),
            Self::LossyLink { from, to, .. } => format!("the link from {from} to {to} was losing calls"),
            Self::SaturatedLink { from, to, .. } => format!("the link from {from} to {to} was saturated"),
            Self::EdgeTimeouts { to, .. } => format!("{} was too slow to answer in time", who(to)),
            Self::Timeouts { .. } => format!("{} was too slow to answer in time", who(callee)),
            Self::Saturated { node, .. }
            | Self::QueueFullDownstreamIdle { node, .. }
            | Self::FullTableScan { node, .. }
            | Self::HotShard { node, .. } => {
                format!("{} was overloaded", who(node))
            }
            Self::RetryAmplification { target, .. } => format!("{} was overloaded", who(target)),
            Self::RetriesAtEveryLayer { bottom, .. } => format!("{} was overloaded", who(bottom)),
            _ => "it was failing".into(),
        }
    }

    /// The node (or the source of the link) the cause is about, for the
    /// app to point at.
    pub fn node(&self) -> Option<&str> {
        match self {
            Self::RetriesAtEveryLayer { client, .. }
            | Self::RetryBudgetsHeld { client, .. }
            | Self::RetryAmplification { client, .. }
            | Self::Timeouts { client, .. }
            | Self::Throttled { client, .. } => Some(client),
            Self::InjectedErrors { node, .. }
            | Self::ErrorRate { node, .. }
            | Self::RateLimited { node, .. }
            | Self::Shed { node, .. }
            | Self::DeadlineExceeded { node, .. }
            | Self::NodeDown { node, .. }
            | Self::QueueFullDownstreamIdle { node, .. }
            | Self::Saturated { node, .. }
            | Self::FullTableScan { node, .. }
            | Self::HotShard { node, .. }
            | Self::FanOutTail { node, .. } => Some(node),
            Self::NoHealthyTarget { balancer, .. } => Some(balancer),
            Self::DuplicateWrites { database, .. } => Some(database),
            Self::Partition { from, .. }
            | Self::LossyLink { from, .. }
            | Self::SaturatedLink { from, .. }
            | Self::BulkheadFull { from, .. }
            | Self::EdgeTimeouts { from, .. } => Some(from),
            Self::ColdCache { cache, .. } | Self::LowHitRatio { cache, .. } => Some(cache),
            Self::Unexplained { .. } | Self::Healthy => None,
        }
    }

    /// The headline's opening, before its counts: the cause in a few
    /// words ("db was down for 10 s", "recs was slowed 20× by a fault").
    /// `None` for the causes whose headline is built otherwise (a note,
    /// unexplained failures, a healthy run).
    pub(super) fn lead(&self) -> Option<String> {
        Some(match self {
            Self::RetriesAtEveryLayer { layers, bottom, calls_per_request, .. } => format!(
                "Retries at {} layers multiplied the load on {bottom} {}",
                count(layers.len() as u64),
                times(*calls_per_request)
            ),
            Self::RetryAmplification { .. } => "Retries amplified the load".into(),
            Self::InjectedErrors { .. } => "Injected errors".into(),
            Self::ErrorRate { node, .. } => format!("{node} fails by design"),
            Self::RateLimited { node, .. } => format!("{node}'s rate limit shed the excess"),
            Self::Shed { node, .. } => format!("{node} shed the excess"),
            Self::Throttled { client, .. } => format!("{client} throttled itself"),
            Self::DeadlineExceeded { node, .. } => format!("{node} dropped work its callers had given up on"),
            Self::DuplicateWrites { database, duplicates, .. } => {
                format!("{database} applied {} twice", counted(*duplicates, "write", "writes"))
            }
            Self::BulkheadFull { slowdown, slowed: Some(node), .. } if *slowdown > 1.0 => {
                format!("{node} was slowed {} by a fault", times(*slowdown))
            }
            Self::BulkheadFull { from, to, .. } => format!("The bulkhead on {from} → {to} shed the excess"),
            Self::NodeDown { node, down_s, .. } => format!("{node} was down for {}", seconds(*down_s)),
            Self::NoHealthyTarget { balancer, .. } => format!("{balancer} had nowhere to send"),
            Self::Partition { from, to, .. } => format!("The link from {from} to {to} was cut"),
            Self::LossyLink { from, to, .. } => format!("The link from {from} to {to} loses requests"),
            Self::SaturatedLink { from, to, way, .. } => {
                format!("The link from {from} to {to} is saturated by its {}", way.payloads())
            }
            Self::ColdCache { cache, .. } => format!("{cache} went cold"),
            Self::LowHitRatio { cache, hit_ratio, .. } => {
                format!("{cache} answers only {} of reads", percent(*hit_ratio))
            }
            Self::QueueFullDownstreamIdle { node, .. } => format!("Breaks first at {node}, not at what it feeds"),
            Self::Saturated { node, .. } => format!("Breaks first at {node}"),
            Self::FullTableScan { node, rows, .. } => {
                format!("{node} scans all {} rows for every query", count(*rows))
            }
            Self::HotShard { node, shard, .. } => format!("Shard {shard} of {node} is hot"),
            Self::Timeouts { client, .. } => format!("{client} gave up waiting"),
            Self::EdgeTimeouts { slowdown, slowed: Some(node), .. } if *slowdown > 1.0 => {
                format!("{node} was slowed {} by a fault", times(*slowdown))
            }
            Self::EdgeTimeouts { from, to, .. } => format!("{from} gave up waiting on {to}"),
            Self::FanOutTail { node, .. } => format!("{node} is as slow as the slowest of its parallel calls"),
            Self::RetryBudgetsHeld { .. } | Self::Unexplained { .. } | Self::Healthy => return None,
        })
    }

    /// The lead of the headline when no request failed but some were
    /// answered degraded: the lead, with the node named where it is not.
    pub(super) fn degraded_lead(&self) -> Option<String> {
        match self {
            Self::InjectedErrors { node, .. } => Some(format!("Injected errors at {node}")),
            other => other.lead(),
        }
    }

    /// What the headline says after "N requests failed", with its counts
    /// of attempts; `None` when the lead says it all.
    fn detail(&self) -> Option<String> {
        Some(match self {
            Self::RetriesAtEveryLayer { bottom, rejected, .. } if *rejected > 0 => {
                format!("{bottom} saw {} rejected", counted(*rejected, "attempt", "attempts"))
            }
            Self::RetryAmplification { client, target, attempts, requests: made, rejected, .. } => {
                let mut line = format!(
                    "{client} sent {} for {} requests",
                    counted(*attempts, "attempt", "attempts"),
                    count(*made)
                );
                if *rejected > 0 {
                    line += &format!(", and {target} saw {} rejected", counted(*rejected, "attempt", "attempts"));
                }
                line
            }
            Self::InjectedErrors { node, errors, .. } => {
                format!("{node} answered {} with an injected error", counted(*errors, "attempt", "attempts"))
            }
            Self::ErrorRate { errors, .. } => {
                format!("it answered {} with an error", counted(*errors, "attempt", "attempts"))
            }
            Self::RateLimited { refused, rate_rps, per, .. } => format!(
                "it refused {} beyond {} requests/s{}",
                counted(*refused, "attempt", "attempts"),
                round_rate(*rate_rps),
                per_bucket(*per)
            ),
            Self::Shed { shed, shed_after_ms: Some(after), by_priority: false, .. } => {
                format!("it shed {} that waited over {} ms", counted(*shed, "attempt", "attempts"), round_rate(*after))
            }
            Self::Shed { shed, .. } => format!("it shed {}", counted(*shed, "attempt", "attempts")),
            Self::Throttled { throttled, k, .. } => format!(
                "it refused {} itself, sending at most {} what its backend accepted",
                counted(*throttled, "attempt", "attempts"),
                times(*k)
            ),
            Self::BulkheadFull { refused, max_concurrent, .. } => format!(
                "it refused {} beyond {} in flight at once",
                counted(*refused, "call", "calls"),
                count(u64::from(*max_concurrent))
            ),
            Self::NodeDown { failed_attempts, .. } => {
                format!("it saw {} while down", counted(*failed_attempts, "attempt", "attempts"))
            }
            Self::NoHealthyTarget { failed_attempts, .. } => {
                format!("it turned away {} with no healthy target", counted(*failed_attempts, "attempt", "attempts"))
            }
            Self::Partition { lost, .. } | Self::LossyLink { lost, .. } => {
                format!("{} were lost on it", counted(*lost, "attempt", "attempts"))
            }
            Self::ColdCache { backend: Some(b), backend_rejected, .. } if *backend_rejected > 0 => {
                format!("{b} behind it saw {} rejected", counted(*backend_rejected, "attempt", "attempts"))
            }
            Self::QueueFullDownstreamIdle { node, rejected, downstream, downstream_utilisation, .. } => format!(
                "{node} saw {} rejected while {downstream} was {} busy",
                counted(*rejected, "attempt", "attempts"),
                percent(*downstream_utilisation)
            ),
            Self::Saturated { node, rejected, .. }
            | Self::FullTableScan { node, rejected, .. }
            | Self::HotShard { node, rejected, .. }
                if *rejected > 0 =>
            {
                format!("{node} saw {} rejected (queue full)", counted(*rejected, "attempt", "attempts"))
            }
            Self::Timeouts { timed_out, .. } => format!("{} timed out", counted(*timed_out, "attempt", "attempts")),
            Self::EdgeTimeouts { from, to, timed_out, timeout_ms, slowdown, slowed: Some(_), .. }
                if *slowdown > 1.0 =>
            {
                format!("{from} gave up on {} to {to} after {}", counted(*timed_out, "call", "calls"), ms(*timeout_ms))
            }
            Self::EdgeTimeouts { timed_out, timeout_ms, .. } => {
                format!("{} timed out after {}", counted(*timed_out, "call", "calls"), ms(*timeout_ms))
            }
            _ => return None,
        })
    }

    /// What a bulkhead's headline says after "N requests failed": what it
    /// refused, and what failed instead when its fallback answered the
    /// refusals (calls it let through that outlasted the users' patience),
    /// so the cap is not blamed for failures it did not make.
    fn bulkhead_detail(&self, failed_requests: u64) -> String {
        let Self::BulkheadFull { from, to, max_concurrent, refused, answered, slowdown, let_through, .. } = self else {
            return String::new();
        };
        let refusals = format!(
            "{} beyond {} in flight at once",
            counted(*refused, "call", "calls"),
            count(u64::from(*max_concurrent))
        );
        // The lead names the bulkhead unless it names a slowed node.
        let named = if *slowdown > 1.0 { format!("the bulkhead on {from} → {to}") } else { "it".to_string() };
        let all_answered = *answered >= *refused;
        match let_through {
            Some(LetThrough { client, timeout_ms, timed_out }) if all_answered => {
                let who = if *timed_out >= failed_requests {
                    "they".to_string()
                } else {
                    format!("{} of them", count(*timed_out))
                };
                format!(
                    "{who} waited on calls to {to} that the bulkhead on {from} → {to} let through, longer than {} {} \
                     timeout; the bulkhead refused {refusals}",
                    possessive(client),
                    ms(*timeout_ms)
                )
            }
            Some(LetThrough { client, timeout_ms, timed_out }) => format!(
                "{named} refused {refusals}; {} more waited on calls to {to} it let through, longer than {} {} timeout",
                count(*timed_out),
                possessive(client),
                ms(*timeout_ms)
            ),
            None if all_answered => format!("{named} refused {refusals}, and its fallback answered them all"),
            None => format!("{named} refused {refusals}"),
        }
    }

    /// The headline when requests failed: the lead, the requests that
    /// failed, and the detail with its attempts.
    pub(super) fn headline(&self, failed_requests: u64) -> String {
        let requests = counted(failed_requests, "request", "requests");
        if let (Self::BulkheadFull { .. }, Some(lead)) = (self, self.lead()) {
            return format!("{lead}: {requests} failed; {}.", self.bulkhead_detail(failed_requests));
        }
        match (self.lead(), self.detail()) {
            (Some(lead), Some(detail)) => format!("{lead}: {requests} failed; {detail}."),
            (Some(lead), None) => format!("{lead}: {requests} failed."),
            (None, _) => match self {
                Self::RetryBudgetsHeld { retries_denied, .. } => format!(
                    "{requests} failed; retry budgets held back {}.",
                    counted(*retries_denied, "retry", "retries")
                ),
                Self::Healthy => "Healthy: no node saturated, no request failed.".into(),
                _ => format!("{requests} failed, but no node is saturated, down or failing by itself."),
            },
        }
    }
}

impl fmt::Display for Cause {
    /// The evidence: what happened, with its counts.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RetriesAtEveryLayer {
                layers,
                bottom,
                calls_per_request,
                worst_case,
                rejected,
                late_answers,
                retries_cause_overload,
                ..
            } => {
                let each: Vec<String> = layers
                    .iter()
                    .map(|l| {
                        let per = if l.at_client { "attempts per request" } else { "calls per call" };
                        format!(
                            "{} retried {} ({:.1} {per})",
                            l.label(),
                            counted(l.retries, "time", "times"),
                            l.factor()
                        )
                    })
                    .collect();
                write!(
                    f,
                    "retries at {} layers multiply: {}; each request became {:.1} calls at {bottom} on average, and up to {} while {bottom} fails every call",
                    count(layers.len() as u64),
                    each.join(", "),
                    calls_per_request,
                    product_of_attempts(layers, *worst_case)
                )?;
                let mut parts = Vec::new();
                if *rejected > 0 {
                    parts.push(format!(
                        "{bottom} turned away {} with a full queue",
                        counted(*rejected, "attempt", "attempts")
                    ));
                }
                for l in layers.iter().filter(|l| l.timed_out > 0) {
                    parts.push(if l.at_client {
                        format!("{} gave up on {}", l.caller, counted(l.timed_out, "attempt", "attempts"))
                    } else {
                        format!("{} gave up on {} to {}", l.caller, counted(l.timed_out, "call", "calls"), l.callee)
                    });
                }
                if *late_answers > 0 {
                    parts.push(format!(
                        "{} came back after their caller had given up",
                        counted(*late_answers, "answer", "answers")
                    ));
                }
                if let [rest @ .., last] = parts.as_slice() {
                    if rest.is_empty() {
                        write!(f, "; {last}")?;
                    } else {
                        write!(f, "; {}, and {last}", rest.join(", "))?;
                    }
                }
                if let Some(denied) = held_back(layers) {
                    write!(f, "; {denied}")?;
                }
                if *retries_cause_overload {
                    write!(f, ". The first tries alone would fit {bottom}: the retries are the overload")?;
                }
                Ok(())
            }
            Self::RetryBudgetsHeld { layers, bottom, calls_per_request, worst_case, .. } => {
                if let Some(denied) = held_back(layers) {
                    write!(f, "{denied}: ")?;
                }
                write!(
                    f,
                    "with retries at {}, each request became {:.1} calls at {bottom} on average, where without budgets up to {} would reach it while it fails every call",
                    counted(layers.len() as u64, "layer", "layers"),
                    calls_per_request,
                    product_of_attempts(layers, *worst_case)
                )
            }
            Self::RetryAmplification {
                client,
                target,
                requests,
                attempts,
                attempts_per_request,
                retry_share,
                timed_out,
                rejected,
                late_answers,
                retries_cause_overload,
                ..
            } => {
                write!(
                    f,
                    "{client} sent {} for {} ({:.1} per request; retries were {} of the load)",
                    counted(*attempts, "attempt", "attempts"),
                    counted(*requests, "request", "requests"),
                    attempts_per_request,
                    percent(*retry_share)
                )?;
                let mut parts = Vec::new();
                if *rejected > 0 {
                    parts.push(format!("{target} turned away {} with a full queue", count(*rejected)));
                }
                if *timed_out > 0 {
                    parts.push(format!("{} timed out at {client}", count(*timed_out)));
                }
                if *late_answers > 0 {
                    parts.push(format!("{} were answered after {client} had given up on them", count(*late_answers)));
                }
                if !parts.is_empty() {
                    write!(f, "; of the attempts, {}", parts.join(", "))?;
                }
                if *retries_cause_overload {
                    write!(f, ". The first tries alone would fit {target}: the retries are the overload")?;
                }
                Ok(())
            }
            Self::InjectedErrors { node, probability, errors, attempts, still_in_force } => {
                write!(
                    f,
                    "{node} answered {} of its {} with an injected error (an injected error rate of {}{})",
                    count(*errors),
                    counted(*attempts, "attempt", "attempts"),
                    percent(*probability),
                    if *still_in_force { ", still on" } else { "" }
                )
            }
            Self::ErrorRate { node, probability, errors, attempts } => write!(
                f,
                "{node} answered {} of its {} with an error: its own error rate is {}",
                count(*errors),
                counted(*attempts, "attempt", "attempts"),
                percent(*probability)
            ),
            Self::RateLimited { node, rate_rps, burst, refused, attempts, utilisation, per } => {
                write!(
                    f,
                    "{node} refused {} of its {} (\"rate limited\", HTTP 429) beyond its limit of {} requests/s{} (burst {})",
                    count(*refused),
                    counted(*attempts, "attempt", "attempts"),
                    round_rate(*rate_rps),
                    per_bucket(*per),
                    count(u64::from(*burst))
                )?;
                if let Some(u) = utilisation {
                    write!(f, "; what it let through kept it {} busy", percent(*u))?;
                }
                Ok(())
            }
            Self::Shed { node, shed_after_ms, by_priority, shed, attempts, utilisation } => {
                write!(
                    f,
                    "{node} shed {} of its {} (\"shed\"): ",
                    count(*shed),
                    counted(*attempts, "attempt", "attempts")
                )?;
                match (shed_after_ms, by_priority) {
                    (Some(after), false) => write!(
                        f,
                        "they had waited over {} ms for a worker, so their callers would likely have given up \
                         before they were served",
                        round_rate(*after)
                    )?,
                    (Some(after), true) => write!(
                        f,
                        "they had waited over {} ms for a worker, or a more important request took their place in \
                         its full line",
                        round_rate(*after)
                    )?,
                    (None, _) => write!(
                        f,
                        "its line was full, and more important requests took the places of less important ones"
                    )?,
                }
                if let Some(u) = utilisation {
                    write!(f, "; the rest kept it {} busy", percent(*u))?;
                }
                Ok(())
            }
            Self::DeadlineExceeded { node, dropped, attempts } => write!(
                f,
                "{node} dropped {} of its {} unstarted (\"deadline exceeded\"): their callers had already given up, \
                 so it spent no worker on answers nobody would read; why they waited that long is the cause",
                count(*dropped),
                counted(*attempts, "attempt", "attempts")
            ),
            Self::Throttled { client, throttled, requests, k } => write!(
                f,
                "{client} refused {} of its {} itself (\"throttled\", adaptive throttling with k = {}): its backend \
                 accepted too few of its recent requests, so it sends at most {} what gets accepted and spares the \
                 backend the rest; what the backend refused is the cause",
                count(*throttled),
                counted(*requests, "request", "requests"),
                k,
                times(*k)
            ),
            Self::DuplicateWrites { database, duplicates, answered, clients } => {
                write!(
                    f,
                    "{database} applied {} a second time for the same request, of the {} it answered: writes \
                     retried or hedged whose first try had gone through after all (a call given up on is not \
                     cancelled)",
                    counted(*duplicates, "write", "writes"),
                    counted(*answered, "call", "calls"),
                )?;
                if !clients.is_empty() {
                    write!(
                        f,
                        "; {} {} no idempotency key, so it cannot tell a repeat from a new write",
                        and_list(clients),
                        if clients.len() == 1 { "sends" } else { "send" }
                    )?;
                }
                Ok(())
            }
            Self::BulkheadFull {
                from,
                to,
                max_concurrent,
                refused,
                sent,
                holder,
                workers,
                slowdown,
                slowed,
                let_through,
                wait_ms,
                ..
            } => {
                let after = wait_ms.map_or(String::new(), |wait| format!(" after waiting {} for a place", ms(wait)));
                write!(
                    f,
                    "{from} refused {} of its {} to {to} (\"bulkhead full\"{after}): {} were already in flight, waiting on {to}",
                    count(*refused),
                    counted(*sent, "call", "calls"),
                    count(u64::from(*max_concurrent))
                )?;
                f.write_str(&slowed_clause(to, slowed.as_deref(), *slowdown))?;
                if let (Some(h), Some(w)) = (holder, workers) {
                    let whose = if h == from { "its".to_string() } else { possessive(h) };
                    write!(
                        f,
                        ", so they held at most {} of {whose} {} workers",
                        count(u64::from(*max_concurrent).min(u64::from(*w))),
                        count(u64::from(*w))
                    )?;
                }
                if let Some(LetThrough { client, timeout_ms, timed_out }) = let_through {
                    write!(
                        f,
                        "; {client} gave up after {} on {} waiting on calls it let through",
                        ms(*timeout_ms),
                        counted(*timed_out, "attempt", "attempts")
                    )?;
                }
                Ok(())
            }
            Self::NodeDown { node, crashes, down_s, down_at_end, failed_attempts, area, .. } => {
                write!(
                    f,
                    "{node} was down for {} ({}{}{}): {} reached it while down or were lost in the crash",
                    seconds(*down_s),
                    counted(*crashes, "crash", "crashes"),
                    area.as_ref().map_or(String::new(), |a| format!(" with {a}")),
                    if *down_at_end { ", still down at the end" } else { "" },
                    counted(*failed_attempts, "attempt", "attempts")
                )
            }
            Self::NoHealthyTarget {
                balancer,
                failed_attempts,
                health_check_delay_s,
                health_check,
                ejections,
                down_targets,
                area,
            } => {
                let out = if *ejections > 0 { "down or ejected" } else { "down" };
                write!(
                    f,
                    "{balancer} turned away {} because every target was {out}",
                    counted(*failed_attempts, "attempt", "attempts")
                )?;
                match (down_targets.is_empty(), area) {
                    (false, Some(area)) => {
                        write!(f, " ({} all ran in {area}, and went down with it)", down_targets.join(", "))?;
                    }
                    (false, None) => write!(f, " ({} went down)", down_targets.join(", "))?,
                    (true, _) => {}
                }
                if let Some(h) = health_check {
                    write!(
                        f,
                        "; its health checks ({}) notice a dead target {} after it goes on average",
                        health_checks(h),
                        seconds(detection_mean(h))
                    )?;
                } else {
                    write!(f, "; it notices a target is down {} after it goes", seconds(*health_check_delay_s))?;
                }
                if *ejections > 0 {
                    write!(f, "; its outlier ejection took a target out {}", counted(*ejections, "time", "times"))?;
                }
                Ok(())
            }
            Self::Partition { from, to, lost } => write!(
                f,
                "a partition cut the link from {from} to {to}: {} sent over it were lost",
                counted(*lost, "attempt", "attempts")
            ),
            Self::SaturatedLink { from, to, way, utilisation, bandwidth_mbps, mean_kb } => write!(
                f,
                "the link from {from} to {to} was sending its {} {} of the time ({} KB each on average at {} Mbit/s): \
                 they queue behind each other, and every call over it waits",
                way.payloads(),
                percent(*utilisation),
                amount(*mean_kb),
                amount(*bandwidth_mbps)
            ),
            Self::LossyLink { from, to, lost, drop_probability } => write!(
                f,
                "the link from {from} to {to} lost {} ({} of what it carries is dropped)",
                counted(*lost, "attempt", "attempts"),
                percent(*drop_probability)
            ),
            Self::ColdCache {
                cache,
                hit_ratio,
                flushes,
                restarts,
                started_cold,
                backend,
                backend_rejected,
                backend_utilisation,
            } => {
                let why = match (*flushes, *restarts) {
                    (0, 0) if *started_cold => "started empty".to_string(),
                    (0, r) => format!("restarted empty ({})", counted(r, "crash", "crashes")),
                    (n, 0) => format!("was flushed {}", counted(n, "time", "times")),
                    (n, r) => format!(
                        "was flushed {} and restarted empty {}",
                        counted(n, "time", "times"),
                        counted(r, "time", "times")
                    ),
                };
                write!(f, "{cache} {why} and answered {} of reads", percent(*hit_ratio))?;
                if let Some(b) = backend {
                    write!(f, "; every miss went to {b}")?;
                    if *backend_rejected > 0 {
                        write!(
                            f,
                            ", which turned away {} with a full queue",
                            counted(*backend_rejected, "attempt", "attempts")
                        )?;
                    }
                    if let Some(u) = backend_utilisation {
                        write!(f, " ({} busy)", percent(*u))?;
                    }
                }
                Ok(())
            }
            Self::LowHitRatio { cache, hit_ratio, backend, backend_rejected } => {
                write!(f, "{cache} answered only {} of reads while warm", percent(*hit_ratio))?;
                if let Some(b) = backend {
                    write!(f, "; the rest went to {b}")?;
                    if *backend_rejected > 0 {
                        write!(
                            f,
                            ", which turned away {} with a full queue",
                            counted(*backend_rejected, "attempt", "attempts")
                        )?;
                    }
                }
                Ok(())
            }
            Self::QueueFullDownstreamIdle {
                node,
                component,
                rejected,
                utilisation,
                pool_size,
                downstream,
                downstream_utilisation,
                downstream_slowdown,
            } => {
                let (_, pool) = component.pool_noun().unwrap_or(("worker", "workers"));
                write!(f, "{node} turned away {} with a full queue", counted(*rejected, "attempt", "attempts"))?;
                if let (Some(u), Some(p)) = (utilisation, pool_size) {
                    write!(f, " while its {} {pool} were {} busy", count(u64::from(*p)), percent(*u))?;
                }
                write!(f, ", but {downstream}, which it sends to, was only {} busy", percent(*downstream_utilisation))?;
                if *downstream_slowdown > 1.0 {
                    write!(f, " (slow, not busy: a fault slowed it {})", times(*downstream_slowdown))?;
                }
                Ok(())
            }
            Self::Saturated { node, component, utilisation, pool_size, rejected, mean_wait_ms, slowdown } => {
                let (one, pool) = component.pool_noun().unwrap_or(("worker", "workers"));
                write!(f, "{node}:")?;
                if let (Some(u), Some(p)) = (utilisation, pool_size) {
                    let noun = if *p == 1 {
                        format!("its only {one}")
                    } else {
                        format!("its {} {pool}", count(u64::from(*p)))
                    };
                    write!(f, " {} of {noun} busy on average", percent(*u))?;
                }
                if *rejected > 0 {
                    write!(f, "; {} turned away with a full queue", counted(*rejected, "attempt", "attempts"))?;
                }
                if *mean_wait_ms > 0.0 {
                    write!(f, "; mean wait for a {one} {}", ms(*mean_wait_ms))?;
                }
                if *slowdown > 1.0 {
                    write!(f, "; a fault slows its work {}", times(*slowdown))?;
                }
                Ok(())
            }
            Self::FullTableScan { node, rows, scan_ms, lookup_ms, query_ms, utilisation, rejected } => {
                write!(
                    f,
                    "{node}: each query scans {} rows without an index, {} on top of its own {} (an index \
                     lookup would add {})",
                    count(*rows),
                    ms(*scan_ms),
                    ms(*query_ms),
                    ms(*lookup_ms)
                )?;
                if let Some(u) = utilisation {
                    write!(f, "; {} of its connections busy on average", percent(*u))?;
                }
                if *rejected > 0 {
                    write!(f, "; {} turned away with a full queue", counted(*rejected, "attempt", "attempts"))?;
                }
                Ok(())
            }
            Self::HotShard { node, shard, shards, share, utilisation, mean_utilisation, rejected } => {
                write!(
                    f,
                    "{node}: shard {shard} of {shards} took {} of the attempts (a fair share is {}) and kept {} of \
                     its connections busy, against {} over all shards: the hottest keys live there",
                    percent(*share),
                    percent(1.0 / f64::from((*shards).max(1))),
                    percent(*utilisation),
                    percent(*mean_utilisation)
                )?;
                if *rejected > 0 {
                    write!(f, "; {} turned away with a full queue", counted(*rejected, "attempt", "attempts"))?;
                }
                Ok(())
            }
            Self::Timeouts { client, timeout_ms, timed_out, attempts, p99_ms, late_answers } => {
                write!(
                    f,
                    "{client} gave up on {} of its {} after {}",
                    count(*timed_out),
                    counted(*attempts, "attempt", "attempts"),
                    ms(*timeout_ms)
                )?;
                if let Some(p99) = p99_ms {
                    write!(f, "; the requests that succeeded took {} at p99", ms(*p99))?;
                }
                if *late_answers > 0 {
                    write!(f, "; {} were answered after it had given up", count(*late_answers))?;
                }
                Ok(())
            }
            Self::EdgeTimeouts {
                from,
                to,
                timeout_ms,
                timed_out,
                calls,
                late_answers,
                callee_p99_ms,
                slowdown,
                slowed,
            } => {
                write!(
                    f,
                    "{from} gave up on {} of its {} to {to} after {}",
                    count(*timed_out),
                    counted(*calls, "call", "calls"),
                    ms(*timeout_ms)
                )?;
                if *late_answers > 0 {
                    write!(
                        f,
                        "; {} came back after {from} had given up: work {to} did for nobody",
                        counted(*late_answers, "answer", "answers")
                    )?;
                }
                if let Some(p99) = callee_p99_ms {
                    write!(f, "; {to} took {} at p99", ms(*p99))?;
                }
                f.write_str(&slowed_clause(to, slowed.as_deref(), *slowdown))?;
                Ok(())
            }
            Self::FanOutTail { node, calls, p50_ms, p99_ms, calls_p50_ms, slowest, slowest_p99_ms, slow_share } => {
                write!(
                    f,
                    "{node} waits for all {calls} of its parallel calls, so a request is as slow as the slowest of them: it took {} at p50 and {} at p99, where its calls take {} at p50 ({slowest} {} at p99). With each call slower than its own p99 one time in 100, {} of requests wait on at least one such call (1 − 0.99^{calls})",
                    ms(*p50_ms),
                    ms(*p99_ms),
                    ms(*calls_p50_ms),
                    ms(*slowest_p99_ms),
                    percent(*slow_share),
                )
            }
            Self::Unexplained { failed: 0 } => f.write_str(
                "calls failed without a saturated pool, a fault or a full queue to blame: see the failures per edge",
            ),
            Self::Unexplained { failed } => write!(
                f,
                "{} failed without a saturated pool, a fault or a full queue to blame: see the failures per node",
                counted(*failed, "request", "requests")
            ),
            Self::Healthy => f.write_str("no node saturated, no request failed"),
        }
    }
}

/// The layers' attempts multiplied: `3 × 3 × 3 = 27`, or `4` for one layer.
fn product_of_attempts(layers: &[RetryLayer], product: f64) -> String {
    let attempts: Vec<String> = layers.iter().map(|l| count(u64::from(l.max_attempts))).collect();
    if attempts.len() > 1 {
        format!("{} = {}", attempts.join(" × "), round_rate(product))
    } else {
        round_rate(product)
    }
}

/// "retry budgets held back N retries (users 2,814, api → db 4,089)", when
/// a budget held any back: the budget at work.
fn held_back(layers: &[RetryLayer]) -> Option<String> {
    let denied: Vec<String> = layers
        .iter()
        .filter(|l| l.retries_denied > 0)
        .map(|l| format!("{} {}", l.label(), count(l.retries_denied)))
        .collect();
    (!denied.is_empty()).then(|| {
        let total = layers.iter().map(|l| l.retries_denied).sum();
        format!("retry budgets held back {} ({})", counted(total, "retry", "retries"), denied.join(", "))
    })
}

/// A rate as written in a scenario: whole numbers without decimals.
fn round_rate(rate: f64) -> String {
    if rate.fract() == 0.0 && rate.abs() < 1e15 { count(rate as u64) } else { format!("{rate}") }
}

/// What a fault did to the callee of an edge, for its evidence: " (a fault
/// slowed it 50×)", " (a fault slowed db, which it waits on, 8×)", or
/// nothing when no fault slowed it.
fn slowed_clause(to: &str, slowed: Option<&str>, slowdown: f64) -> String {
    match slowed {
        Some(node) if slowdown > 1.0 && node == to => format!(" (a fault slowed it {})", times(slowdown)),
        Some(node) if slowdown > 1.0 => format!(" (a fault slowed {node}, which it waits on, {})", times(slowdown)),
        _ => String::new(),
    }
}

/// What a rate limit's rate is counted over, after "N requests/s".
fn per_bucket(per: LimitPer) -> &'static str {
    match per {
        LimitPer::Node => "",
        LimitPer::Client => " per client",
        LimitPer::Class => " per priority class",
    }
}

/// Which way over a link a cause is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkWay {
    /// The requests, caller to callee.
    Requests,
    /// The answers, callee to caller.
    Answers,
}

impl LinkWay {
    /// What crosses that way, plural: "requests", "answers".
    pub fn payloads(self) -> &'static str {
        match self {
            Self::Requests => "requests",
            Self::Answers => "answers",
        }
    }
}
