//! The result of a run: totals end to end, per node and per edge, and the
//! bottleneck named. This is what `archsim run --json` prints.

use serde::{Deserialize, Serialize};

use super::metrics::{EdgeStats, FailureCounts, Stats};
use super::node::Behaviour;
use super::{BreakerState, FailureReason, Simulation};
use crate::scenario::ComponentKind;

/// Everything a finished (or paused) run measured since its warm-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub scenario: String,
    pub seed: u64,
    /// Simulated seconds run.
    pub sim_time_s: f64,
    pub warmup_s: f64,
    /// Events processed (the engine's unit of work).
    pub events: u64,
    pub end_to_end: Stats,
    pub nodes: Vec<NodeReport>,
    pub edges: Vec<EdgeReport>,
    pub bottleneck: Option<Bottleneck>,
    /// What the run cost since its warm-up, at the scenario's `pricing`.
    #[serde(default)]
    pub cost: super::cost::CostReport,
    /// Each SLO's measured share, error budget used and alerts, in the
    /// scenario's order; absent (and empty) without SLOs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slos: Vec<super::SloReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeReport {
    pub id: String,
    /// Which component (in JSON its label: "Service", "Load balancer"...).
    pub kind: ComponentKind,
    /// Workers / connections / consumers in all, if the node has a pool.
    pub workers: Option<u32>,
    pub queue_capacity: Option<u32>,
    pub stats: Stats,
    /// A client's attempts (first tries and retries), apart from its
    /// requests in `stats`; `None` for every other kind.
    #[serde(default)]
    pub attempts: Option<AttemptStats>,
    /// What faults did to the node since the warm-up, and those in force
    /// at the end: the diagnosis tells a crash or an injected error from
    /// an overload by these.
    #[serde(default)]
    pub faults: FaultHistory,
    /// A load balancer's health checks and outlier ejection since the
    /// warm-up; `None` for every other kind.
    #[serde(default)]
    pub balancer: Option<BalancerHealth>,
    /// A sharded database's shards, in order, since the warm-up: the
    /// node's totals average a hot shard away. Empty for every other node.
    #[serde(default)]
    pub shards: Vec<ShardStats>,
}

/// One shard of a sharded database since the warm-up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShardStats {
    /// Attempts that arrived at the shard (its primary and replicas).
    pub arrivals: u64,
    /// Its connections busy on average, 0–1 (over all its servers).
    pub utilisation: f64,
}

/// What a load balancer's health checks and outlier ejection did since the
/// warm-up, and which targets they hold out at the end. All zero and empty
/// for a balancer with neither (it uses the fixed `health_check_delay_s`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BalancerHealth {
    /// Health-check probes sent, to all targets.
    pub checks: u64,
    /// Probes that failed: the target was down, unreachable, or did not
    /// answer within the timeout.
    pub checks_failed: u64,
    /// Times the checks marked a target unhealthy.
    pub marked_unhealthy: u64,
    /// Times outlier ejection took a target out.
    pub ejections: u64,
    /// Targets the checks hold unhealthy at the end of the run.
    #[serde(default)]
    pub unhealthy_at_end: Vec<String>,
    /// Targets ejected at the end of the run.
    #[serde(default)]
    pub ejected_at_end: Vec<String>,
}

/// A client's attempts since the warm-up. Its `stats` count requests (what
/// its users saw); with retries each request is one to `max_attempts`
/// attempts, and every node downstream sees attempts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct AttemptStats {
    /// Attempts sent, first tries and retries.
    pub sent: u64,
    /// Attempts that failed, whether retried or not.
    pub failed: u64,
    /// `failed` by how each attempt ended: `timeout` is the client's own
    /// timeout, the other reasons are those of the node or edge that
    /// failed it (`retries_exhausted` and `downstream` are always 0 here).
    pub failures: FailureCounts,
    /// Failed attempts the retry policy would have retried but its budget
    /// did not allow (they failed the request at once).
    #[serde(default)]
    pub retries_denied: u64,
}

/// Faults at one node since the warm-up (counts, time down) and at the end
/// of the run (what is still in force).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FaultHistory {
    /// Times the node crashed: the timeline's crashes, random crashes and
    /// crashes by hand.
    pub crashes: u64,
    /// Simulated seconds the node was down.
    pub down_s: f64,
    /// Whether it is down at the end of the run.
    pub down_at_end: bool,
    /// Errors it answered while an injected error rate was in force.
    pub injected_errors: u64,
    /// The injected error probability in force at the end (timeline and
    /// by hand combined; 0 = none).
    pub injected_error_probability: f64,
    /// The slowdown factor in force at the end (1 = normal speed).
    pub slowdown: f64,
    /// Times a cache was flushed (a crash empties it too, counted in `crashes`).
    pub flushes: u64,
}

impl Default for FaultHistory {
    fn default() -> Self {
        FaultHistory {
            crashes: 0,
            down_s: 0.0,
            down_at_end: false,
            injected_errors: 0,
            injected_error_probability: 0.0,
            slowdown: 1.0,
            flushes: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EdgeReport {
    pub from: String,
    pub to: String,
    pub stats: EdgeStats,
    /// Requests lost on the edge: its `drop_probability` or a partition.
    #[serde(default)]
    pub lost: u64,
    /// Of `lost`, those lost while a partition cut the edge.
    #[serde(default)]
    pub partitioned: u64,
    /// Answers that came back after the caller had stopped waiting (it
    /// timed out, or crashed): work the callee did for nobody.
    #[serde(default)]
    pub late_answers: u64,
    /// Calls its bulkhead (`max_concurrent`) refused: at once, or after
    /// waiting `bulkhead_wait_ms` in line without a place.
    #[serde(default)]
    pub bulkhead_full: u64,
    /// Calls that found its bulkhead full and waited in line for a place
    /// (`bulkhead_wait_ms`), whether they got one or not.
    #[serde(default)]
    pub bulkhead_waited: u64,
    /// Of those, calls whose caller gave up (its timeout) while they were
    /// still in line: never sent (included in `timeouts`).
    #[serde(default)]
    pub bulkhead_gave_up: u64,
    /// Calls the caller stopped waiting for: the edge's `timeout_ms`, or
    /// a client's own timeout on its target edge (included in `stats.failed`).
    #[serde(default)]
    pub timeouts: u64,
    /// Calls sent again by the edge's retry policy (included in `stats.sent`).
    #[serde(default)]
    pub retries: u64,
    /// Failed calls the edge's retry budget allowed no retry for.
    #[serde(default)]
    pub retries_denied: u64,
    /// Calls the edge's circuit breaker refused while open (included in
    /// `stats.sent` and `stats.failed`).
    #[serde(default)]
    pub breaker_open: u64,
    /// Times the breaker opened.
    #[serde(default)]
    pub breaker_trips: u64,
    /// Where the breaker is at the end of the run (`None`: no breaker).
    #[serde(default)]
    pub breaker_state: Option<BreakerState>,
    /// Failed calls the edge's fallback answered instead (degraded answers).
    #[serde(default)]
    pub fallbacks: u64,
    /// Second copies the edge's hedging sent (included in `stats.sent`).
    #[serde(default)]
    pub hedges: u64,
    /// Hedged calls the copy answered first.
    #[serde(default)]
    pub hedges_won: u64,
}

/// Where the design breaks first, and the facts that say so. Its
/// `Display` is the sentence a learner reads ("db: 79% of its only
/// connection busy on average; …"); the JSON carries the facts and that
/// sentence as `reason`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "BottleneckRecord", from = "BottleneckRecord")]
pub struct Bottleneck {
    pub node: String,
    /// Position of the node in the scenario.
    pub node_index: usize,
    pub kind: ComponentKind,
    /// Busy share of the pool, when the node has one.
    pub utilisation: Option<f64>,
    /// Size of the pool (workers, connections, consumers), when it has one.
    pub pool_size: Option<u32>,
    /// Attempts that failed at this node (queue full, down, error), largest first.
    pub local_failures: Vec<(FailureReason, u64)>,
    /// Mean wait for a unit of the pool.
    pub mean_wait_ms: f64,
}

impl Bottleneck {
    /// Whether it is a bottleneck in the capacity sense: its pool nearly
    /// always busy, or its line full. A node that fails for another reason
    /// (errors, a crash) while its pool idles is where requests fail first,
    /// but calling it a bottleneck would teach the wrong lesson.
    pub fn is_capacity(&self) -> bool {
        self.utilisation.is_some_and(|u| u >= SATURATED)
            || self.local_failures.iter().any(|(reason, _)| *reason == FailureReason::Rejected)
    }

    /// The tag over it on the canvas.
    pub fn tag(&self) -> &'static str {
        if self.is_capacity() { "BOTTLENECK" } else { "FAILING FIRST" }
    }

    /// What the canvas banner calls it, before "in the last …".
    pub fn title(&self) -> &'static str {
        if self.is_capacity() { "Bottleneck" } else { "Failing first" }
    }

    /// What one unit of the node's pool is called (singular, plural).
    pub fn pool_noun(&self) -> (&'static str, &'static str) {
        self.kind.pool_noun().unwrap_or(("worker", "workers"))
    }

    /// The facts, each as a phrase, most telling first: the sentence
    /// without the node's name (the canvas banner shows the first two).
    pub fn facts(&self) -> Vec<String> {
        let (one, pool) = self.pool_noun();
        let mut parts = Vec::new();
        if let (Some(u), Some(w)) = (self.utilisation, self.pool_size) {
            let noun = if w == 1 {
                format!("its only {one}")
            } else {
                format!("its {} {pool}", group_thousands(u64::from(w)))
            };
            parts.push(format!("{} of {noun} busy on average", percent(u)));
        }
        // A node sees attempts (retries included), not users' requests.
        for &(reason, count) in &self.local_failures {
            let attempts = if count == 1 { "attempt" } else { "attempts" };
            parts.push(format!("{} {attempts} failed here ({})", group_thousands(count), reason.label()));
        }
        if self.mean_wait_ms > 0.0 {
            parts.push(format!("mean wait for a {one} {:.1} ms", self.mean_wait_ms));
        }
        parts
    }
}

impl std::fmt::Display for Bottleneck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.node, self.facts().join("; "))
    }
}

/// The bottleneck as the JSON report writes it: the facts and the sentence.
#[derive(Serialize, Deserialize)]
struct BottleneckRecord {
    node: String,
    reason: String,
    #[serde(default)]
    node_index: usize,
    kind: ComponentKind,
    utilisation: Option<f64>,
    pool_size: Option<u32>,
    #[serde(default)]
    local_failures: Vec<LocalFailure>,
    #[serde(default)]
    mean_wait_ms: f64,
}

/// One reason requests failed at the bottleneck, as the JSON writes it.
#[derive(Serialize, Deserialize)]
struct LocalFailure {
    reason: FailureReason,
    count: u64,
}

impl From<Bottleneck> for BottleneckRecord {
    fn from(b: Bottleneck) -> Self {
        BottleneckRecord {
            reason: b.to_string(),
            node: b.node,
            node_index: b.node_index,
            kind: b.kind,
            utilisation: b.utilisation,
            pool_size: b.pool_size,
            local_failures: b
                .local_failures
                .into_iter()
                .map(|(reason, count)| LocalFailure { reason, count })
                .collect(),
            mean_wait_ms: b.mean_wait_ms,
        }
    }
}

impl From<BottleneckRecord> for Bottleneck {
    fn from(r: BottleneckRecord) -> Self {
        Bottleneck {
            node: r.node,
            node_index: r.node_index,
            kind: r.kind,
            utilisation: r.utilisation,
            pool_size: r.pool_size,
            local_failures: r.local_failures.into_iter().map(|f| (f.reason, f.count)).collect(),
            mean_wait_ms: r.mean_wait_ms,
        }
    }
}

/// Utilisation from which a pool counts as saturated.
const SATURATED: f64 = 0.85;

impl Simulation {
    /// The report of the run so far.
    pub fn report(&self) -> Report {
        let nodes: Vec<NodeReport> = (0..self.nodes.len())
            .map(|i| {
                let n = &self.nodes[i];
                let counters = n.metrics.counters.since(&n.metrics.total_start.counters);
                let attempts = matches!(n.behaviour, Behaviour::Client(_)).then(|| AttemptStats {
                    sent: counters.attempts,
                    failed: counters.attempt_failed.iter().sum(),
                    failures: FailureCounts::from_array(counters.attempt_failed, 0),
                    retries_denied: counters.retries_denied,
                });
                let down_ns = n.metrics.down.area_at(self.now) - n.metrics.total_start.down_area;
                let balancer = matches!(n.behaviour, Behaviour::LoadBalancer { .. }).then(|| {
                    let (unhealthy_at_end, ejected_at_end) = self.targets_out(i);
                    BalancerHealth {
                        checks: counters.checks,
                        checks_failed: counters.checks_failed,
                        marked_unhealthy: counters.marked_unhealthy,
                        ejections: counters.ejections,
                        unhealthy_at_end,
                        ejected_at_end,
                    }
                });
                NodeReport {
                    id: n.id.clone(),
                    kind: self.scenario.nodes[i].kind.component(),
                    workers: n.workers(),
                    queue_capacity: n.queue_capacity(),
                    stats: n.metrics.total_stats(self.now, n.workers()),
                    attempts,
                    faults: FaultHistory {
                        crashes: counters.crashes,
                        down_s: down_ns.max(0.0) / 1e9,
                        down_at_end: n.health.down,
                        injected_errors: counters.injected_errors,
                        injected_error_probability: n.health.injected_error_probability(),
                        slowdown: n.health.slowdown(),
                        flushes: counters.flushes,
                    },
                    balancer,
                    shards: self.shard_stats(i),
                }
            })
            .collect();
        let edges: Vec<EdgeReport> = self
            .edges
            .iter()
            .map(|e| {
                let counted = e.counters.since(&e.total_start.1);
                EdgeReport {
                    from: self.nodes[e.from as usize].id.clone(),
                    to: self.nodes[e.to as usize].id.clone(),
                    stats: e.stats_since(&e.total_start, self.now),
                    lost: counted.lost,
                    partitioned: counted.partitioned,
                    late_answers: counted.late_answers,
                    bulkhead_full: counted.bulkhead_full,
                    bulkhead_waited: counted.bulkhead_waited,
                    bulkhead_gave_up: counted.bulkhead_gave_up,
                    timeouts: counted.timeouts,
                    retries: counted.retries,
                    retries_denied: counted.retries_denied,
                    breaker_open: counted.breaker_open,
                    breaker_trips: counted.breaker_trips,
                    breaker_state: e.breaker_state(self.now),
                    fallbacks: counted.fallbacks,
                    hedges: counted.hedges,
                    hedges_won: counted.hedges_won,
                }
            })
            .collect();
        let bottleneck = find_bottleneck(&nodes, &self.call_depths);
        // The totals start at the end of the warm-up, once it has come.
        let now_s = self.now.as_secs();
        let measured_s = if now_s >= self.scenario.warmup_s { now_s - self.scenario.warmup_s } else { now_s };
        let cost = super::cost::reckon(&self.scenario, &nodes, &edges, measured_s);
        Report {
            scenario: self.scenario.name.clone(),
            seed: self.scenario.seed,
            sim_time_s: self.now.as_secs(),
            warmup_s: self.scenario.warmup_s,
            events: self.events_processed(),
            end_to_end: self.end_to_end_totals(),
            nodes,
            edges,
            bottleneck,
            cost,
            slos: self.slo_reports(),
        }
    }

    /// Node `i`'s shards since the warm-up (empty unless it is a sharded
    /// database): arrivals, and busy connections over the time measured.
    /// The report and the app's node card both read it, so they agree.
    pub(super) fn shard_stats(&self, i: usize) -> Vec<ShardStats> {
        let Behaviour::Database(db) = &self.nodes[i].behaviour else { return Vec::new() };
        let Some(shards) = &db.shards else { return Vec::new() };
        let start = self.nodes[i].metrics.total_start.at;
        let elapsed = self.now.since(start) as f64;
        let per_shard = (db.replicas + 1) as f64;
        let connections = db.servers.first().map_or(1, |s| s.workers).max(1);
        let capacity = if db.scaler.is_some() {
            // Autoscaled: its replicas came and went, every shard alike.
            let m = &self.nodes[i].metrics;
            (m.pool.area_at(self.now) - m.total_start.pool_area) / shards.arrivals.len().max(1) as f64
        } else {
            elapsed * per_shard * f64::from(connections)
        };
        shards
            .arrivals
            .iter()
            .zip(&shards.busy)
            .zip(&shards.total_start)
            .map(|((&arrivals, busy), &(a0, b0))| ShardStats {
                arrivals: arrivals - a0,
                utilisation: if capacity > 0.0 { ((busy.area_at(self.now) - b0) / capacity).max(0.0) } else { 0.0 },
            })
            .collect()
    }

    /// How many hops each node is from a client (longest path), in node
    /// order: deeper nodes are where blocking callers' troubles start.
    pub fn call_depths(&self) -> &[usize] {
        &self.call_depths
    }

    /// The bottleneck rule applied to the last complete window rather than
    /// to the totals: where the design breaks *now*. `None` before the
    /// first window closes, or when nothing stands out.
    pub fn recent_bottleneck(&self) -> Option<Bottleneck> {
        let frame = self.series.last()?;
        let nodes: Vec<NodeReport> = frame
            .nodes
            .iter()
            .zip(&self.nodes)
            .zip(&self.scenario.nodes)
            .map(|((stats, n), spec)| NodeReport {
                id: n.id.clone(),
                kind: spec.kind.component(),
                workers: n.workers(),
                queue_capacity: n.queue_capacity(),
                stats: stats.clone(),
                attempts: None,
                faults: FaultHistory::default(),
                balancer: None,
                shards: Vec::new(),
            })
            .collect();
        find_bottleneck(&nodes, &self.call_depths)
    }
}

/// Longest path (in edges) from a node nothing calls to each node, in node
/// order, for an acyclic graph given as `(from, to)` index pairs: a
/// topological order (Kahn), then one pass. Nodes on a cycle, which
/// validation refuses, keep depth 0.
pub(super) fn longest_call_depths(node_count: usize, edges: impl Iterator<Item = (usize, usize)>) -> Vec<usize> {
    let mut callees: Vec<Vec<usize>> = vec![Vec::new(); node_count];
    let mut callers = vec![0usize; node_count];
    for (from, to) in edges {
        callees[from].push(to);
        callers[to] += 1;
    }
    let mut depth = vec![0usize; node_count];
    let mut ready: Vec<usize> = (0..node_count).filter(|&i| callers[i] == 0).collect();
    while let Some(n) = ready.pop() {
        for &c in &callees[n] {
            depth[c] = depth[c].max(depth[n] + 1);
            callers[c] -= 1;
            if callers[c] == 0 {
                ready.push(c);
            }
        }
    }
    depth
}

/// The saturated or failing node furthest downstream: a blocking caller
/// of a slow node looks saturated too, but the cause is below it.
/// `depth` is [`Simulation::call_depths`], in the same order as `nodes`.
pub fn find_bottleneck(nodes: &[NodeReport], depth: &[usize]) -> Option<Bottleneck> {
    let local_failures =
        |n: &NodeReport| n.stats.failures.rejected + n.stats.failures.node_down + n.stats.failures.error;
    let troubled = |n: &NodeReport| n.stats.utilisation.is_some_and(|u| u >= SATURATED) || local_failures(n) > 0;
    let depth_of = |i: usize| depth.get(i).copied().unwrap_or(0);
    let (index, n) = nodes.iter().enumerate().filter(|(_, n)| n.kind != ComponentKind::Client && troubled(n)).max_by(
        |(a, x), (b, y)| {
            (depth_of(*a), local_failures(x), x.stats.utilisation.unwrap_or(0.0).to_bits()).cmp(&(
                depth_of(*b),
                local_failures(y),
                y.stats.utilisation.unwrap_or(0.0).to_bits(),
            ))
        },
    )?;
    let local = n
        .stats
        .failures
        .ranked()
        .into_iter()
        .filter(|(reason, _)| {
            matches!(reason, FailureReason::Rejected | FailureReason::NodeDown | FailureReason::Error)
        })
        .collect();
    Some(Bottleneck {
        node: n.id.clone(),
        node_index: index,
        kind: n.kind,
        utilisation: n.stats.utilisation,
        pool_size: n.workers,
        local_failures: local,
        mean_wait_ms: n.stats.mean_wait_ms,
    })
}

/// A count with thousands separators, 1234567 → "1,234,567": the one
/// place the engine's sentences, the table and the app format counts.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// 0.793 → "79%", but never "100%" for a pool that was not always full.
fn percent(ratio: f64) -> String {
    let p = ratio * 100.0;
    if p > 99.5 && p < 100.0 { "99.5%+".to_string() } else { format!("{p:.0}%") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_failing_with_its_pool_idle_is_failing_first_not_a_bottleneck() {
        let at = |utilisation: f64, reason: FailureReason| Bottleneck {
            node: "app".into(),
            node_index: 1,
            kind: ComponentKind::Service,
            utilisation: Some(utilisation),
            pool_size: Some(4),
            local_failures: vec![(reason, 11)],
            mean_wait_ms: 0.0,
        };
        assert_eq!(at(0.06, FailureReason::Error).tag(), "FAILING FIRST");
        assert_eq!(at(0.06, FailureReason::Error).title(), "Failing first");
        assert_eq!(at(0.97, FailureReason::Error).tag(), "BOTTLENECK", "busy and failing");
        assert_eq!(at(0.40, FailureReason::Rejected).tag(), "BOTTLENECK", "its line was full");
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(65_865), "65,865");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn call_depth_is_the_longest_path_from_a_caller() {
        // 0 → 1 → 2 → 3 and a shortcut 0 → 3: 3 is three hops deep.
        let d = longest_call_depths(5, [(0, 1), (1, 2), (2, 3), (0, 3)].into_iter());
        assert_eq!(d, vec![0, 1, 2, 3, 0]);
    }

    #[test]
    fn the_json_bottleneck_keeps_its_sentence_and_reads_back() {
        let b = Bottleneck {
            node: "db".into(),
            node_index: 2,
            kind: ComponentKind::Database,
            utilisation: Some(0.9),
            pool_size: Some(4),
            local_failures: vec![(FailureReason::Rejected, 3)],
            mean_wait_ms: 0.0,
        };
        let json = serde_json::to_value(&b).expect("serialisable");
        assert_eq!(json["reason"], "db: 90% of its 4 connections busy on average; 3 attempts failed here (queue full)");
        assert_eq!(json["kind"], "Database");
        let back: Bottleneck = serde_json::from_value(json).expect("reads back");
        assert_eq!(back, b);
    }

    #[test]
    fn the_bottleneck_sentence_names_the_pool_and_counts() {
        let stats = Stats {
            utilisation: Some(0.79),
            failures: crate::sim::FailureCounts { rejected: 65_865, ..Default::default() },
            mean_wait_ms: 12.34,
            ..Stats::default()
        };
        let node = |id: &str, kind: ComponentKind, workers| NodeReport {
            id: id.into(),
            kind,
            workers: Some(workers),
            queue_capacity: None,
            stats: stats.clone(),
            attempts: None,
            faults: FaultHistory::default(),
            balancer: None,
            shards: Vec::new(),
        };
        let b = find_bottleneck(&[node("db", ComponentKind::Database, 1)], &[1]).expect("a bottleneck");
        assert_eq!(
            b.to_string(),
            "db: 79% of its only connection busy on average; 65,865 attempts failed here (queue full); mean wait for a connection 12.3 ms"
        );
        let b = find_bottleneck(&[node("q", ComponentKind::Queue, 8)], &[1]).expect("a bottleneck");
        assert!(b.to_string().starts_with("q: 79% of its 8 consumers busy"), "{b}");
    }
}
