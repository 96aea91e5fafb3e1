//! Finding the causes in a report: one function per family of causes, each
//! adding its findings with the failed attempts they explain and the advice
//! that follows from them.

use std::collections::{HashMap, HashSet};

use super::text::round_nicely;
use super::{Advice, BreakerEvidence, Cause, FallbackEvidence, Finding, LetThrough, LinkWay, RetryLayer};
use crate::scenario::limits::MAX_BREAKER_WINDOW_CALLS;
use crate::scenario::{Area, Areas};
use crate::scenario::{
    CacheMode, CallOrder, ClientSpec, ComponentKind, DistributionSpec, EdgeSpec, FallbackSpec, FaultSpec, NodeKind,
    RetryPolicy, Scenario, WaitFor, lognormal_params_from_moments,
};
use crate::sim::{EdgeReport, LatencySummary, NodeReport, Report, theory};

/// Utilisation from which a pool counts as saturated (the engine's
/// bottleneck rule uses the same).
const SATURATED: f64 = 0.85;
/// Utilisation from which a link's direction counts as saturated: as a pool.
const SATURATED_LINK: f64 = SATURATED;
/// A pool downstream less busy than this has room: a full queue upstream
/// of it is the upstream's own choke point.
const IDLE: f64 = 0.5;

/// A shard is hot when it is saturated and at least this many times as
/// busy as the other shards on average: uneven keys, not a database too
/// small.
const HOT_SHARD_OVER_OTHERS: f64 = 1.5;
/// Retries below this share of a client's attempts do not amplify enough
/// to blame.
const AMPLIFYING_RETRY_SHARE: f64 = 0.2;
/// A cache answering fewer reads than this is worth a finding.
const LOW_HIT_RATIO: f64 = 0.5;
/// A run with no warm-up shorter than this judges caches while they fill.
const COLD_START_S: f64 = 30.0;
/// An injected error rate from which retrying is hopeless: most retries
/// meet the same error.
const PERSISTENT_ERRORS: f64 = 0.5;
/// How deep the search for the busiest pool behind a balancer or a cache goes.
const LOOK_THROUGH_DEPTH: usize = 4;

/// The report and the scenario it ran, indexed by node id.
pub(super) struct Run<'a> {
    pub report: &'a Report,
    scenario: &'a Scenario,
    nodes: HashMap<&'a str, &'a NodeReport>,
    specs: HashMap<&'a str, &'a NodeKind>,
    callees: HashMap<&'a str, Vec<&'a str>>,
    callers: HashMap<&'a str, Vec<&'a str>>,
    edges: HashMap<(&'a str, &'a str), &'a EdgeReport>,
    /// Each caller's edges, as positions in the report's (and the
    /// scenario's) edge list: two edges may join the same pair of nodes.
    out_edges: HashMap<&'a str, Vec<usize>>,
    /// The nodes each client's requests can reach, walked once: every
    /// detector asks which clients reach a node.
    reached_by_client: Vec<(&'a str, HashSet<&'a str>)>,
    /// Where each node runs, resolved once for the outage detectors.
    areas: Areas,
}

impl<'a> Run<'a> {
    pub fn new(report: &'a Report, scenario: &'a Scenario) -> Run<'a> {
        let mut callees: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut callers: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut out_edges: HashMap<&str, Vec<usize>> = HashMap::new();
        for (k, e) in scenario.edges.iter().enumerate() {
            callees.entry(e.from.as_str()).or_default().push(e.to.as_str());
            callers.entry(e.to.as_str()).or_default().push(e.from.as_str());
            out_edges.entry(e.from.as_str()).or_default().push(k);
        }
        let mut run = Run {
            report,
            scenario,
            nodes: report.nodes.iter().map(|n| (n.id.as_str(), n)).collect(),
            specs: scenario.nodes.iter().map(|n| (n.id.as_str(), &n.kind)).collect(),
            callees,
            callers,
            edges: report.edges.iter().map(|e| ((e.from.as_str(), e.to.as_str()), e)).collect(),
            out_edges,
            reached_by_client: Vec::new(),
            areas: Areas::new(scenario),
        };
        run.reached_by_client = report
            .nodes
            .iter()
            .filter(|n| n.kind == ComponentKind::Client)
            .map(|c| (c.id.as_str(), run.reachable(&c.id).into_iter().collect()))
            .collect();
        run
    }

    fn node(&self, id: &str) -> Option<&'a NodeReport> {
        self.nodes.get(id).copied()
    }

    fn spec(&self, id: &str) -> Option<&'a NodeKind> {
        self.specs.get(id).copied()
    }

    fn client_spec(&self, id: &str) -> Option<&'a ClientSpec> {
        match self.spec(id) {
            Some(NodeKind::Client(c)) => Some(c),
            _ => None,
        }
    }

    fn callees(&self, id: &str) -> &[&'a str] {
        self.callees.get(id).map_or(&[], Vec::as_slice)
    }

    fn callers(&self, id: &str) -> &[&'a str] {
        self.callers.get(id).map_or(&[], Vec::as_slice)
    }

    fn edge(&self, from: &str, to: &str) -> Option<&'a EdgeReport> {
        self.edges.get(&(from, to)).copied()
    }

    /// The clients, in the report's order.
    fn clients(&self) -> impl Iterator<Item = &'a NodeReport> + '_ {
        self.report.nodes.iter().filter(|n| n.kind == ComponentKind::Client)
    }

    /// The load balancer in front of `id`, if one calls it.
    fn balancer_of(&self, id: &str) -> Option<String> {
        self.callers(id)
            .iter()
            .find(|c| matches!(self.spec(c), Some(NodeKind::LoadBalancer(_))))
            .map(|c| (*c).to_string())
    }

    /// The zone or region outage of the fault timeline that took node `id`
    /// down, if one did.
    fn outage_of(&self, id: &str) -> Option<Outage> {
        let i = self.scenario.node_index(id)?;
        // A node with crashes of its own may have gone down by them; the
        // area is named only when it is the only thing that took it down.
        let own_crash =
            self.scenario.faults.iter().any(
                |f| matches!(f, FaultSpec::Crash { node, .. } | FaultSpec::RandomCrashes { node, .. } if node == id),
            );
        if own_crash {
            return None;
        }
        let areas = &self.areas;
        let p = areas.placement(i);
        self.scenario.faults.iter().find_map(|f| match f {
            FaultSpec::ZoneOutage { zone, .. } if p.zone.is_some_and(|z| areas.zone_name(z) == zone) => {
                Some(Outage { area: Area::Zone(p.zone?), name: zone.clone() })
            }
            FaultSpec::RegionOutage { region, .. } if p.region.is_some_and(|r| areas.region_name(r) == region) => {
                Some(Outage { area: Area::Region(p.region?), name: region.clone() })
            }
            _ => None,
        })
    }

    /// Whether anything the clients that reach `id` can reach runs in a
    /// placed node outside `area`: a copy elsewhere already exists.
    fn runs_outside(&self, id: &str, area: Area) -> bool {
        let areas = &self.areas;
        let outside = |node: &str| {
            self.scenario.node_index(node).is_some_and(|i| {
                let p = areas.placement(i);
                !matches!(self.spec(node), Some(NodeKind::Client(_)))
                    && match area {
                        Area::Zone(z) => p.zone.is_some_and(|x| x != z),
                        Area::Region(r) => p.region.is_some_and(|x| x != r),
                    }
            })
        };
        self.reached_by_client
            .iter()
            .filter(|(_, reached)| reached.contains(id))
            .any(|(_, reached)| reached.iter().any(|n| outside(n)))
    }

    /// Whether every target of balancer `lb` runs in `area`.
    fn all_targets_in(&self, lb: &str, area: Area) -> bool {
        let areas = &self.areas;
        let targets = self.callees(lb);
        !targets.is_empty()
            && targets.iter().all(|t| {
                self.scenario.node_index(t).is_some_and(|i| {
                    let p = areas.placement(i);
                    match area {
                        Area::Zone(z) => p.zone == Some(z),
                        Area::Region(r) => p.region == Some(r),
                    }
                })
            })
    }

    /// Every node reachable from `id` by its calls, `id` excluded, nearest first.
    fn reachable(&self, id: &'a str) -> Vec<&'a str> {
        let mut seen: HashSet<&str> = HashSet::from([id]);
        let mut order = Vec::new();
        let mut next = vec![id];
        while !next.is_empty() {
            let mut later = Vec::new();
            for n in next {
                for &c in self.callees(n) {
                    if seen.insert(c) {
                        order.push(c);
                        later.push(c);
                    }
                }
            }
            next = later;
        }
        order
    }

    /// What one more copy of node `id` costs a month at the scenario's
    /// prices (0 for an unknown node or a client): one instance, but for a
    /// sharded database one server on every shard. Each shard is a primary
    /// with its own replicas, so a copy that survives a crash, or a read
    /// replica, is needed on each; the cost model bills every shard's
    /// servers alike (`sim::cost::billed_instances`).
    fn monthly_price_of(&self, id: &str) -> f64 {
        self.spec(id).map_or(0.0, |kind| {
            let servers = match kind {
                NodeKind::Database(db) => f64::from(db.shards.max(1)),
                _ => 1.0,
            };
            crate::sim::cost::node_prices(&self.scenario.pricing, id, kind).0
                * servers
                * crate::sim::cost::HOURS_PER_MONTH
        })
    }

    /// The clients whose requests can reach `id`.
    fn clients_reaching(&self, id: &str) -> Vec<&'a str> {
        self.reached_by_client.iter().filter(|(_, reached)| reached.contains(id)).map(|(client, _)| *client).collect()
    }

    /// How busy the pool a call to `id` ends up waiting on is: the node's
    /// own utilisation, or through a balancer or a cache, the busiest pool
    /// behind it. `None` when no pool is found.
    fn busy_behind(&self, id: &'a str, depth: usize) -> Option<(&'a str, f64)> {
        let n = self.node(id)?;
        if let Some(u) = n.stats.utilisation {
            return Some((id, u));
        }
        if depth == 0 {
            return None;
        }
        self.callees(id).iter().filter_map(|c| self.busy_behind(c, depth - 1)).max_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// The largest factor a `Slow` fault of the timeline puts on `id`, or
    /// the slowdown in force at the end, whichever is larger.
    fn slowdown(&self, n: &NodeReport) -> f64 {
        self.scenario
            .faults
            .iter()
            .filter_map(|f| match f {
                FaultSpec::Slow { node, factor, .. } if *node == n.id => Some(*factor),
                _ => None,
            })
            .fold(n.faults.slowdown, f64::max)
    }

    /// The largest injected error probability `id` had: the timeline's
    /// `Errors` faults or the one in force at the end.
    fn injected_probability(&self, n: &NodeReport) -> f64 {
        self.scenario
            .faults
            .iter()
            .filter_map(|f| match f {
                FaultSpec::Errors { node, probability, .. } if *node == n.id => Some(*probability),
                _ => None,
            })
            .fold(n.faults.injected_error_probability, f64::max)
    }

    /// The advice to shorten `node`'s queue to what it serves within
    /// `client`'s timeout, when its queue is far longer than that.
    fn shorten_queue(&self, node: &NodeReport, client: &str, timeout_ms: f64) -> Option<Advice> {
        if !matches!(self.spec(&node.id), Some(NodeKind::Service(_) | NodeKind::Database(_))) {
            return None;
        }
        let capacity_rps = capacity_rps(node)?;
        // Half the timeout: the attempt still needs its own work and the network.
        let suggested = round_nicely(capacity_rps * timeout_ms / 1_000.0 / 2.0);
        let too_long = node.queue_capacity.is_none_or(|c| c > suggested.saturating_mul(2));
        too_long.then(|| Advice::ShortenQueue {
            node: node.id.clone(),
            client: client.to_string(),
            capacity: node.queue_capacity,
            suggested,
            timeout_ms,
        })
    }
}

/// How much longer than usual a timeout on a call should wait: above the
/// callee's usual p99, so that a normal call almost never times out (at
/// 1.25× a log-normal tail still times out about one call in 200).
const TIMEOUT_OVER_P99: f64 = 1.5;
/// The failure rate a suggested breaker opens at (Resilience4j's default).
const BREAKER_FAILURE_RATE: f64 = 0.5;
/// The suggested breaker's open time and probes: the scenario format's
/// example, short enough to see in a run of a minute.
const BREAKER_OPEN_S: f64 = 5.0;
const BREAKER_PROBES: u32 = 3;
/// Fewest calls in a suggested breaker's window.
const BREAKER_MIN_WINDOW: f64 = 20.0;

impl<'a> Run<'a> {
    /// The position of the edge from `from` to `to`, if one.
    fn edge_index(&self, from: &str, to: &str) -> Option<usize> {
        self.out_edges.get(from)?.iter().copied().find(|&k| self.scenario.edges.get(k).is_some_and(|e| e.to == to))
    }

    /// `id` or the nearest node below it that a fault slowed, with the factor.
    fn slowed_below(&self, id: &'a str) -> Option<(&'a NodeReport, f64)> {
        std::iter::once(id)
            .chain(self.reachable(id))
            .filter_map(|x| self.node(x))
            .map(|n| (n, self.slowdown(n)))
            .find(|(_, factor)| *factor > 1.0)
    }

    /// The deepest node at or below `id` with trouble of its own (a full
    /// queue, down, errors, a saturated pool).
    fn troubled_below(&self, id: &'a str) -> Option<&'a NodeReport> {
        std::iter::once(id).chain(self.reachable(id)).filter_map(|x| self.node(x)).rfind(|n| local_trouble(n))
    }

    /// How long `n` usually takes to answer (its p99, or its mean), without
    /// the slowdown a fault put on it or below it: the run's own figure
    /// when nothing was slowed; else its work's distribution as the
    /// scenario states it (a node that calls no other), else the run's
    /// figure divided by the slowdown. `None` when nothing says.
    fn usual_latency_ms(&self, n: &'a NodeReport, p99: bool) -> Option<f64> {
        let measured = |l: &LatencySummary| (l.count > 0).then_some(if p99 { l.p99_ms } else { l.mean_ms });
        let Some((_, factor)) = self.slowed_below(&n.id) else { return measured(&n.stats.latency) };
        let stated = self
            .callees(&n.id)
            .is_empty()
            .then(|| work_time(self.spec(&n.id)?))
            .flatten()
            .and_then(|d| if p99 { p99_ms(d) } else { d.mean_ms() });
        stated.or_else(|| measured(&n.stats.latency).map(|v| v / factor))
    }

    /// Both ways over edge `k`: the mean of its latency, twice.
    fn round_trip_ms(&self, k: usize) -> f64 {
        self.scenario.edges.get(k).and_then(|e| e.latency.as_ref()).and_then(DistributionSpec::mean_ms).unwrap_or(0.0)
            * 2.0
    }

    /// Calls a second over edge `k` at the load its caller was offered: its
    /// calls per request it took in, times the requests that came. The
    /// edge's own rate is lower when the caller turned requests away. A
    /// load balancer turns nothing away of its own: its share of the calls
    /// over `k`, times the calls its callers were offered to send it.
    fn usual_call_rate(&self, k: usize) -> f64 {
        self.offered_rate(k, LOOK_THROUGH_DEPTH)
    }

    fn offered_rate(&self, k: usize, depth: usize) -> f64 {
        let Some(e) = self.report.edges.get(k) else { return 0.0 };
        let Some(caller) = self.node(&e.from) else { return e.stats.rate_rps };
        if depth > 0 && caller.kind == ComponentKind::LoadBalancer {
            let out: u64 = self.out_edges.get(e.from.as_str()).into_iter().flatten().map(|&j| self.sent(j)).sum();
            let into: f64 = self
                .scenario
                .edges
                .iter()
                .enumerate()
                .filter(|(_, x)| x.to == e.from)
                .map(|(j, _)| self.offered_rate(j, depth - 1))
                .sum();
            if out > 0 && into > 0.0 {
                return e.stats.sent as f64 / out as f64 * into;
            }
        }
        let f = &caller.stats.failures;
        let taken_in = caller.stats.arrivals.saturating_sub(f.rejected + f.node_down + f.rate_limited);
        if taken_in == 0 {
            return e.stats.rate_rps;
        }
        e.stats.sent as f64 / taken_in as f64 * caller.stats.arrival_rate_rps
    }

    /// Calls sent over edge `j`.
    fn sent(&self, j: usize) -> u64 {
        self.report.edges.get(j).map_or(0, |e| e.stats.sent)
    }

    /// The first client above `id` that gives up after a timeout, and that
    /// timeout: how long its users wait for an answer from `id`.
    fn outer_timeout(&self, id: &str) -> Option<(String, f64)> {
        self.clients_reaching(id).into_iter().find_map(|c| self.client_spec(c)?.timeout_ms.map(|t| (c.to_string(), t)))
    }

    /// Timeouts the client's own patience ended: those on its edges.
    /// Its attempts' `timeout` count also holds the timeouts of the hops
    /// below it, whose reason travels up with the failure.
    fn own_timeouts(&self, client: &str) -> u64 {
        self.out_edges
            .get(client)
            .map_or(0, |ks| ks.iter().filter_map(|&k| self.report.edges.get(k)).map(|e| e.timeouts).sum())
    }

    /// Whether an edge on the way from `client` to `node` retries already:
    /// then a retry at the client is one more layer to multiply, not a fix.
    fn retries_on_the_way(&self, client: &str, node: &str) -> bool {
        let Some((_, reached)) = self.reached_by_client.iter().find(|(c, _)| *c == client) else { return false };
        self.scenario.edges.iter().any(|e| {
            e.retry.as_ref().is_some_and(|r| r.max_attempts > 1)
                && (e.from == client || reached.contains(e.from.as_str()))
                && (e.to == node || self.reachable(&e.to).contains(&node))
        })
    }

    /// What protects a blocking caller from a dependency that went slow,
    /// for edge `k`, in the order they work: a timeout (a slow call then
    /// ends, and counts as failed), a breaker (failing calls then stop
    /// being made), a bulkhead (what is left can hold only so many of its
    /// workers). Each only where the edge does not have it already; with
    /// numbers from the run.
    ///
    /// `slowed` is the node that went slow, at or below the callee: when
    /// the calls reach it through a request router (a balancer whose
    /// targets are different services, [`Run::routes_by_request`]), the
    /// protection goes on the router's edge to the slow target
    /// ([`Run::guard_edge`]), where only the calls that wait on it pass; on
    /// `k` it would throttle the calls to the healthy targets too. The
    /// workers it keeps free are still those of `k`'s caller (or, for a
    /// balancer, of the blocking service above it), and the call times
    /// are the whole call's, through any balancer ([`Run::usual_call_ms`]).
    fn protect(&self, k: usize, slowed: Option<&str>) -> Vec<Advice> {
        let Some(waiting) = self.report.edges.get(k) else { return Vec::new() };
        if self.client_spec(&waiting.from).is_some() {
            return Vec::new(); // a client's timeout is its own, and it holds no workers
        }
        let k = slowed.map_or(k, |s| self.guard_edge(k, s));
        let (Some(e), Some(spec)) = (self.report.edges.get(k), self.scenario.edges.get(k)) else { return Vec::new() };
        if self.client_spec(&e.from).is_some() {
            return Vec::new();
        }
        // The blocking service whose workers wait on these calls: the
        // caller, or the one above a balancer.
        let holder = self.workers_held_by(&waiting.from);
        // Named in the advice when it is not the edge's own caller.
        let holder_name = holder.filter(|(id, _)| *id != e.from).map(|(id, _)| id.to_string());
        let mut advice = Vec::new();
        if spec.timeout_ms.is_none()
            && let Some(usual_p99_ms) = self.usual_call_ms(k, true, LOOK_THROUGH_DEPTH)
        {
            let suggested_ms = f64::from(round_nicely(usual_p99_ms * TIMEOUT_OVER_P99));
            advice.push(Advice::AddCallTimeout {
                from: e.from.clone(),
                to: e.to.clone(),
                suggested_ms,
                usual_p99_ms,
                // Named only when the users above wait longer than that.
                outer: self.outer_timeout(&waiting.from).filter(|(_, t)| *t > suggested_ms),
                holder: holder_name.clone(),
                has_fallback: spec.fallback.is_some(),
            });
        }
        // A breaker counts a slow call as failed once a timeout ends it.
        let needs_timeout = advice.iter().any(|a| matches!(a, Advice::AddCallTimeout { .. }));
        let rate = self.usual_call_rate(k);
        if spec.breaker.is_none() {
            let window_calls = round_nicely(rate.max(BREAKER_MIN_WINDOW)).min(MAX_BREAKER_WINDOW_CALLS);
            advice.push(Advice::AddBreaker {
                from: e.from.clone(),
                to: e.to.clone(),
                failure_rate: BREAKER_FAILURE_RATE,
                window_calls,
                min_calls: window_calls.div_ceil(2),
                open_s: BREAKER_OPEN_S,
                probes: BREAKER_PROBES,
                needs_timeout,
                holder: holder_name.clone(),
            });
        }
        if spec.max_concurrent.is_none()
            && let Some((_, workers)) = holder
            && let Some(mean) = self.usual_call_ms(k, false, LOOK_THROUGH_DEPTH)
        {
            // Little's law: calls in flight = rate × time per call (the
            // whole call, through any balancer); the count in flight is
            // about Poisson, so 3 σ above its mean leaves room for the
            // bursts of normal traffic.
            let in_flight = rate * mean / 1_000.0;
            let suggested = round_nicely((in_flight + 3.0 * in_flight.sqrt()).ceil());
            if suggested < workers {
                advice.push(Advice::AddBulkhead {
                    from: e.from.clone(),
                    to: e.to.clone(),
                    suggested,
                    in_flight,
                    workers,
                    shared_with: if holder_name.is_some() {
                        self.callees(&e.from).iter().filter(|t| **t != e.to).map(|t| (*t).to_string()).collect()
                    } else {
                        Vec::new()
                    },
                    holder: holder_name,
                });
            }
        }
        advice
    }

    /// The node whose workers wait on `id`'s calls, and its pool: `id`
    /// itself when it has a pool, or, for a load balancer (no workers of
    /// its own), the first node with one that calls it, through other
    /// balancers.
    fn workers_held_by(&self, id: &'a str) -> Option<(&'a str, u32)> {
        let mut at = vec![id];
        for _ in 0..=LOOK_THROUGH_DEPTH {
            let mut above = Vec::new();
            for n in at {
                if let Some(w) = self.node(n).and_then(|r| r.workers) {
                    return Some((n, w));
                }
                if matches!(self.spec(n), Some(NodeKind::LoadBalancer(_))) {
                    above.extend(self.callers(n).iter().copied());
                }
            }
            at = above;
        }
        None
    }

    /// Whether `a` and `b` are replicas of the same thing: the same kind
    /// of component doing the same work, calling the same nodes.
    fn replicas(&self, a: &str, b: &str) -> bool {
        let (Some(ka), Some(kb)) = (self.spec(a), self.spec(b)) else { return false };
        let same_work = match (work_time(ka), work_time(kb)) {
            (Some(wa), Some(wb)) => wa == wb,
            (None, None) => ka == kb,
            _ => false,
        };
        ka.component() == kb.component() && same_work && self.callees(a) == self.callees(b)
    }

    /// Whether `id` is a load balancer that routes different requests to
    /// different services (an api's request router: stock checks to one,
    /// recommendations to another), rather than spreading them over
    /// replicas of one: its targets are not all replicas of the first.
    fn routes_by_request(&self, id: &str) -> bool {
        let targets = self.callees(id);
        matches!(self.spec(id), Some(NodeKind::LoadBalancer(_)))
            && targets.len() >= 2
            && targets.iter().skip(1).any(|t| !self.replicas(targets[0], t))
    }

    /// Whether `id` is a load balancer over two or more replicas of the
    /// same thing, which a hedge's copy can go to.
    fn balances_replicas(&self, id: &str) -> bool {
        let targets = self.callees(id);
        matches!(self.spec(id), Some(NodeKind::LoadBalancer(_)))
            && targets.len() >= 2
            && targets.iter().skip(1).all(|t| self.replicas(targets[0], t))
    }

    /// The edge to protect when the calls over edge `k` wait on `slowed`
    /// (at or below its callee): `k`, or, when its callee is a request
    /// router ([`Run::routes_by_request`]) and just one of its targets
    /// leads to `slowed`, the router's edge to that target (and so on
    /// down a chain of routers). A cap there holds back only the calls
    /// that wait on the slow node.
    fn guard_edge(&self, k: usize, slowed: &str) -> usize {
        let mut k = k;
        for _ in 0..LOOK_THROUGH_DEPTH {
            let Some(router) = self.scenario.edges.get(k).map(|e| e.to.as_str()) else { break };
            if router == slowed || !self.routes_by_request(router) {
                break;
            }
            let leads_there = |t: &str| t == slowed || self.reachable(t).contains(&slowed);
            let through: Vec<usize> = self
                .out_edges
                .get(router)
                .into_iter()
                .flatten()
                .copied()
                .filter(|&j| self.scenario.edges.get(j).is_some_and(|e| leads_there(&e.to)))
                .collect();
            match through.as_slice() {
                [only] => k = *only,
                _ => break,
            }
        }
        k
    }

    /// The edges over which a blocking service waits on `slowed`: from
    /// its callers that are blocking services, and through the load
    /// balancers that call it, from theirs.
    fn waiting_edges(&self, slowed: &'a str) -> Vec<usize> {
        let mut edges = Vec::new();
        let mut at = vec![slowed];
        for _ in 0..=LOOK_THROUGH_DEPTH {
            let mut above = Vec::new();
            for n in at {
                for &caller in self.callers(n) {
                    match self.spec(caller) {
                        Some(NodeKind::Service(s)) if s.blocking_calls => {
                            edges.extend(self.edge_index(caller, n).filter(|k| !edges.contains(k)));
                        }
                        Some(NodeKind::LoadBalancer(_)) => above.push(caller),
                        _ => {}
                    }
                }
            }
            at = above;
        }
        edges
    }

    /// The users who gave up on calls over edge `k` that went through
    /// (a bulkhead let them through), when those calls are why: its callee
    /// was slowed (`slowed`) or answered slower than their timeout, and
    /// nothing else on their way was in trouble. The first such client.
    fn gave_up_behind(&self, k: usize, slowed: bool) -> Option<LetThrough> {
        let e = self.scenario.edges.get(k)?;
        let callee = self.node(&e.to)?;
        let below: HashSet<&str> = std::iter::once(e.to.as_str()).chain(self.reachable(&e.to)).collect();
        self.clients_reaching(&e.from).into_iter().find_map(|client| {
            let timeout_ms = self.client_spec(client)?.timeout_ms?;
            let timed_out = self.own_timeouts(client);
            let slow = slowed || callee.stats.latency.max_ms >= timeout_ms;
            let trouble_elsewhere = self
                .reachable(client)
                .into_iter()
                .filter(|id| !below.contains(id))
                .filter_map(|id| self.node(id))
                .any(local_trouble);
            (timed_out > 0 && slow && !trouble_elsewhere).then(|| LetThrough {
                client: client.to_string(),
                timeout_ms,
                timed_out,
            })
        })
    }

    /// How long a call over edge `k` usually takes, its p99 or its mean,
    /// without a fault's slowdown: the network both ways and the callee's
    /// usual time ([`Run::usual_latency_ms`]); through a load balancer,
    /// the call behind it (the mean weighted by the calls each of its
    /// edges carried, the p99 of the slowest), never the balancer's own
    /// figure, which a slowdown below it blurs.
    fn usual_call_ms(&self, k: usize, p99: bool, depth: usize) -> Option<f64> {
        let to = self.scenario.edges.get(k)?.to.as_str();
        let round_trip = self.round_trip_ms(k);
        let behind = self.out_edges.get(to).map_or(&[][..], Vec::as_slice);
        if !matches!(self.spec(to), Some(NodeKind::LoadBalancer(_))) || behind.is_empty() || depth == 0 {
            return self.usual_latency_ms(self.node(to)?, p99).map(|ms| ms + round_trip);
        }
        let calls: Vec<(f64, f64)> = behind
            .iter()
            .filter_map(|&j| {
                let ms = self.usual_call_ms(j, p99, depth - 1)?;
                let sent = self.report.edges.get(j).map_or(0, |e| e.stats.sent);
                Some((sent as f64, ms))
            })
            .collect();
        let through = if p99 {
            calls.iter().map(|c| c.1).reduce(f64::max)?
        } else {
            let sent: f64 = calls.iter().map(|c| c.0).sum();
            if sent > 0.0 {
                calls.iter().map(|(n, ms)| n * ms).sum::<f64>() / sent
            } else {
                calls.iter().map(|c| c.1).sum::<f64>() / calls.len().max(1) as f64
            }
        };
        Some(round_trip + through)
    }
}

/// The distribution of the work a node does itself, as the scenario states it.
fn work_time(kind: &NodeKind) -> Option<&DistributionSpec> {
    match kind {
        NodeKind::Service(s) => Some(&s.service_time),
        NodeKind::Database(d) => Some(&d.query_time),
        NodeKind::Cache(c) => Some(&c.lookup_time),
        _ => None,
    }
}

/// The 99th percentile of a stated distribution, in closed form where it
/// has one (`None` for a gamma).
fn p99_ms(d: &DistributionSpec) -> Option<f64> {
    /// z-score of the 99th percentile of the standard normal.
    const Z99: f64 = 2.326_347_874_040_841;
    let ln_100 = 100f64.ln();
    match d {
        DistributionSpec::Constant { ms } => Some(*ms),
        DistributionSpec::Uniform { min_ms, max_ms } => Some(min_ms + 0.99 * (max_ms - min_ms)),
        DistributionSpec::Exponential { mean_ms } => Some(mean_ms * ln_100),
        DistributionSpec::Normal { mean_ms, stddev_ms } => Some(mean_ms + Z99 * stddev_ms),
        DistributionSpec::LogNormal { mean_ms, stddev_ms } => {
            lognormal_params_from_moments(*mean_ms, *stddev_ms).map(|(mu, sigma)| (mu + Z99 * sigma).exp())
        }
        DistributionSpec::LogNormalPercentiles { p99_ms, .. } => Some(*p99_ms),
        DistributionSpec::Pareto { scale_ms, shape } => Some(scale_ms * 100f64.powf(1.0 / shape)),
        DistributionSpec::Weibull { scale_ms, shape } => Some(scale_ms * ln_100.powf(1.0 / shape)),
        DistributionSpec::Gamma { .. } => None,
        DistributionSpec::Empirical { values_ms } => {
            let mut sorted = values_ms.clone();
            sorted.sort_by(f64::total_cmp);
            let index = ((sorted.len() as f64 * 0.99).ceil() as usize).saturating_sub(1);
            sorted.get(index).copied()
        }
    }
}

/// How much a chain of retry layers below a node multiplies, to pick the
/// path whose retries multiply most: layers that amplify first, then
/// layers, then the product of their calls per first call.
#[derive(Clone, Copy)]
struct ChainScore {
    amplifying: u32,
    layers: u32,
    product: f64,
}

impl ChainScore {
    const NONE: ChainScore = ChainScore { amplifying: 0, layers: 0, product: 1.0 };

    /// The score with `layer` on top.
    fn with(self, layer: Option<&RetryLayer>) -> ChainScore {
        match layer {
            Some(l) => ChainScore {
                amplifying: self.amplifying + u32::from(amplifies(l)),
                layers: self.layers + 1,
                product: self.product * l.factor(),
            },
            None => self,
        }
    }

    fn beats(&self, other: &ChainScore) -> bool {
        (self.amplifying, self.layers)
            .cmp(&(other.amplifying, other.layers))
            .then(self.product.total_cmp(&other.product))
            == std::cmp::Ordering::Greater
    }
}

/// A layer whose retries are a fifth or more of its calls (as for a
/// client's retry amplification): a budget of 10 % keeps a layer well
/// under it.
fn amplifies(layer: &RetryLayer) -> bool {
    layer.retries as f64 >= AMPLIFYING_RETRY_SHARE * layer.calls as f64
}

impl<'a> Run<'a> {
    /// Edge `k` as a retry layer, when its policy retries and it did.
    fn edge_layer(&self, k: usize) -> Option<RetryLayer> {
        let e = self.report.edges.get(k)?;
        let policy = self.scenario.edges.get(k)?.retry.as_ref().filter(|p| p.max_attempts > 1)?;
        (e.retries + e.retries_denied > 0).then(|| RetryLayer {
            caller: e.from.clone(),
            callee: e.to.clone(),
            at_client: false,
            calls: e.stats.sent,
            retries: e.retries,
            retries_denied: e.retries_denied,
            max_attempts: policy.max_attempts,
            budgeted: policy.budget.is_some(),
            timed_out: e.timeouts,
        })
    }

    /// The client's own retries as a layer, when it retried.
    fn client_layer(&self, client: &NodeReport) -> Option<(RetryLayer, &'a RetryPolicy)> {
        let policy = self.client_spec(&client.id)?.retry.as_ref().filter(|p| p.max_attempts > 1)?;
        let attempts = client.attempts?;
        let callee = self.callees(&client.id).first()?;
        (client.stats.retries + attempts.retries_denied > 0).then(|| {
            let layer = RetryLayer {
                caller: client.id.clone(),
                callee: (*callee).to_string(),
                at_client: true,
                calls: attempts.sent,
                retries: client.stats.retries,
                retries_denied: attempts.retries_denied,
                max_attempts: policy.max_attempts,
                budgeted: policy.budget.is_some(),
                timed_out: self.own_timeouts(&client.id),
            };
            (layer, policy)
        })
    }

    /// For each node with retry layers below it, the edge that starts the
    /// path whose retries multiply most, and that path's score. Walks the
    /// nodes once, callees before callers (the calls form no cycle), so a
    /// node shared by many paths is looked at once.
    fn retry_paths(&self, layers: &[Option<RetryLayer>]) -> HashMap<&'a str, (ChainScore, usize)> {
        let edges = &self.scenario.edges;
        let mut waiting_callers: HashMap<&str, usize> = HashMap::new();
        for e in edges {
            *waiting_callers.entry(e.to.as_str()).or_default() += 1;
        }
        // Callers before callees (Kahn); reversed below.
        let mut order: Vec<&'a str> =
            self.scenario.nodes.iter().map(|n| n.id.as_str()).filter(|id| !waiting_callers.contains_key(id)).collect();
        let mut next = 0;
        while let Some(&id) = order.get(next) {
            next += 1;
            for &k in self.out_edges.get(id).map_or(&[][..], Vec::as_slice) {
                let to = edges[k].to.as_str();
                if let Some(n) = waiting_callers.get_mut(to) {
                    *n -= 1;
                    if *n == 0 {
                        order.push(to);
                    }
                }
            }
        }
        let mut paths: HashMap<&'a str, (ChainScore, usize)> = HashMap::new();
        for &id in order.iter().rev() {
            let mut best: Option<(ChainScore, usize)> = None;
            for &k in self.out_edges.get(id).map_or(&[][..], Vec::as_slice) {
                let below = paths.get(edges[k].to.as_str()).map_or(ChainScore::NONE, |(score, _)| *score);
                let score = below.with(layers.get(k).and_then(Option::as_ref));
                if score.layers > 0 && best.as_ref().is_none_or(|(b, _)| score.beats(b)) {
                    best = Some((score, k));
                }
            }
            if let Some(best) = best {
                paths.insert(id, best);
            }
        }
        paths
    }
}

/// Attempts per second the node's pool can serve, from what it did:
/// the pool over the mean time an attempt held a unit of it.
fn capacity_rps(n: &NodeReport) -> Option<f64> {
    let pool = f64::from(n.workers?);
    let s = &n.stats;
    let served = s.arrivals.saturating_sub(s.failures.rejected + s.failures.node_down);
    if served == 0 || s.mean_busy <= 0.0 || s.duration_s <= 0.0 {
        return None;
    }
    let hold_s = s.mean_busy * s.duration_s / served as f64;
    Some(pool / hold_s)
}

/// Failures at the node itself: a full queue, down, an error.
fn local_trouble(n: &NodeReport) -> bool {
    let f = &n.stats.failures;
    f.rejected + f.node_down + f.error > 0 || n.stats.utilisation.is_some_and(|u| u >= SATURATED)
}

/// Clients whose retries overload a node, and the node: their saturation
/// and timeouts are the retries' doing, so they get no finding of their own.
#[derive(Default)]
pub(super) struct Amplified {
    pub clients: HashSet<String>,
    pub targets: HashSet<String>,
    /// Clients whose paths retry at several layers ([`Cause::RetriesAtEveryLayer`]):
    /// that finding speaks for their retries, so they get no retry
    /// amplification finding of their own, and no advice to add a layer.
    pub layered: HashSet<String>,
    /// The edges (caller, callee) that are layers of such a finding: it
    /// names their timeouts, so they get no [`Cause::EdgeTimeouts`] of their own.
    pub edges: HashSet<(String, String)>,
}

/// Retry budget ratio the advice suggests: Finagle's default, 10 % more
/// load at most per layer.
const SUGGESTED_BUDGET_RATIO: f64 = 0.1;
/// Retries a second a budget allows whatever the traffic when `min_per_s`
/// is left out (the scenario format's default, Finagle's).
const BUDGET_MIN_PER_S: f64 = 10.0;

/// Retries at two layers or more of one path, each a fifth or more of its
/// calls: the layers multiply, so the bottom of the path gets the product
/// of their calls per first call. One finding per path (per client, or
/// once for a path of edges that several clients share). A path whose
/// budgets held every layer's retries under a fifth of its calls gets a
/// note instead: the budgets worked, the retries are not to blame.
pub(super) fn retry_layers(run: &Run<'_>, out: &mut Vec<Finding>) -> Amplified {
    let mut amplified = Amplified::default();
    let layers: Vec<Option<RetryLayer>> = (0..run.report.edges.len()).map(|k| run.edge_layer(k)).collect();
    if layers.iter().all(Option::is_none) {
        return amplified;
    }
    let paths = run.retry_paths(&layers);
    let mut reported: Vec<Vec<usize>> = Vec::new();
    for client in run.clients() {
        let requests = client.stats.arrivals;
        if requests == 0 {
            continue;
        }
        let own = run.client_layer(client);
        let jitterless = own.as_ref().is_some_and(|(_, policy)| policy.jitter <= 0.0);
        let mut late_answers = if own.is_some() {
            run.callees(&client.id).first().and_then(|first| run.edge(&client.id, first)).map_or(0, |e| e.late_answers)
        } else {
            0
        };
        let mut chain: Vec<RetryLayer> = own.into_iter().map(|(layer, _)| layer).collect();
        let mut edges = Vec::new();
        let mut at = client.id.as_str();
        while let Some(&(_, k)) = paths.get(at) {
            if let Some(layer) = &layers[k] {
                chain.push(layer.clone());
                edges.push(k);
                late_answers += run.report.edges[k].late_answers;
            }
            at = run.scenario.edges[k].to.as_str();
        }
        let amplifying = chain.iter().filter(|l| amplifies(l)).count();
        let retries_denied: u64 = chain.iter().map(|l| l.retries_denied).sum();
        let layered = chain.len() >= 2 && amplifying >= 2;
        let held = amplifying == 0 && retries_denied > 0;
        if !layered && !held {
            continue;
        }
        // A path of edges alone, reached by another client too, is one finding.
        if chain.first().is_some_and(|l| !l.at_client) {
            if reported.contains(&edges) {
                continue;
            }
            reported.push(edges);
        }
        let Some(bottom) = chain.last().and_then(|l| run.node(&l.callee)) else { continue };
        let calls_per_request: f64 = chain.iter().map(RetryLayer::factor).product();
        let worst_case: f64 = chain.iter().map(|l| f64::from(l.max_attempts)).product();
        if held {
            out.push(Finding::new(
                Cause::RetryBudgetsHeld {
                    client: client.id.clone(),
                    layers: chain,
                    bottom: bottom.id.clone(),
                    calls_per_request,
                    worst_case,
                    retries_denied,
                },
                0,
                Vec::new(),
            ));
            continue;
        }
        let rejected = bottom.stats.failures.rejected;
        let timed_out: u64 = chain.iter().map(|l| l.timed_out).sum();
        let load_failures = rejected + timed_out;
        let first_tries_fit = match capacity_rps(bottom) {
            Some(capacity) => bottom.stats.arrival_rate_rps / calls_per_request < 0.95 * capacity,
            None => calls_per_request >= 2.0,
        };
        let retries_cause_overload = load_failures > 0 && first_tries_fit;
        let explains = if retries_cause_overload {
            load_failures
        } else {
            (load_failures as f64 * (1.0 - 1.0 / calls_per_request)) as u64
        };
        let mut advice = Vec::new();
        let unbudgeted: Vec<String> = chain.iter().filter(|l| !l.budgeted).map(RetryLayer::label).collect();
        if !unbudgeted.is_empty() {
            // With budgets the layers above barely retry, so each layer's
            // first calls come at about the users' rate.
            let rate = requests as f64 / client.stats.duration_s.max(f64::MIN_POSITIVE);
            let budgeted = chain
                .iter()
                .map(|l| theory::budgeted_retry_load(SUGGESTED_BUDGET_RATIO, BUDGET_MIN_PER_S, rate, l.max_attempts))
                .product();
            advice.push(Advice::AddRetryBudget {
                layers: unbudgeted,
                bottom: bottom.id.clone(),
                ratio: SUGGESTED_BUDGET_RATIO,
                min_per_s: BUDGET_MIN_PER_S,
                budgeted,
                worst_case,
            });
        }
        advice.push(Advice::RetryAtOneLayer {
            keep: chain[0].label(),
            drop: chain[1..].iter().map(RetryLayer::label).collect(),
            bottom: bottom.id.clone(),
            kept_attempts: chain[0].max_attempts,
            worst_case,
        });
        if jitterless {
            advice.push(Advice::AddJitter { client: client.id.clone() });
        }
        amplified.layered.insert(client.id.clone());
        amplified.edges.extend(chain.iter().filter(|l| !l.at_client).map(|l| (l.caller.clone(), l.callee.clone())));
        if retries_cause_overload {
            amplified.clients.insert(client.id.clone());
            amplified.targets.insert(bottom.id.clone());
        }
        out.push(Finding::new(
            Cause::RetriesAtEveryLayer {
                client: client.id.clone(),
                layers: chain,
                bottom: bottom.id.clone(),
                requests,
                calls_per_request,
                worst_case,
                rejected,
                timed_out,
                late_answers,
                retries_cause_overload,
            },
            explains,
            advice,
        ));
    }
    amplified
}

/// Retries that multiply the load on a node already failing attempts for load.
pub(super) fn retry_amplification(run: &Run<'_>, amplified: &mut Amplified, out: &mut Vec<Finding>) {
    for client in run.clients() {
        if amplified.layered.contains(&client.id) {
            continue;
        }
        let Some(spec) = run.client_spec(&client.id) else { continue };
        let Some(policy) = spec.retry.as_ref().filter(|p| p.max_attempts > 1) else { continue };
        let Some(attempts) = client.attempts else { continue };
        let requests = client.stats.arrivals;
        if attempts.sent == 0 || requests == 0 {
            continue;
        }
        let retries = client.stats.retries;
        let retry_share = retries as f64 / attempts.sent as f64;
        // Attempts that failed for load anywhere below (a hop's timeout
        // reaches the client as "timeout" too); the evidence names the
        // client's own timeouts.
        let load_failures = attempts.failures.timeout + attempts.failures.rejected;
        let timed_out = run.own_timeouts(&client.id);
        if retry_share < AMPLIFYING_RETRY_SHARE || load_failures == 0 {
            continue;
        }
        let reachable = run.reachable(&client.id);
        let Some(first_hop) = reachable.first().copied() else { continue };
        // The node the attempts overload: the one that turned most away,
        // else the busiest, else the first one they reach.
        let target = reachable
            .iter()
            .filter_map(|id| run.node(id))
            .max_by_key(|n| (n.stats.failures.rejected, n.stats.utilisation.unwrap_or(0.0).to_bits()))
            .or_else(|| run.node(first_hop));
        let Some(target) = target else { continue };
        let first_tries_share = requests as f64 / attempts.sent as f64;
        let retries_cause_overload = match capacity_rps(target) {
            Some(capacity) => target.stats.arrival_rate_rps * first_tries_share < 0.95 * capacity,
            None => retry_share >= 0.5,
        };
        let explains = if retries_cause_overload { load_failures } else { (load_failures as f64 * retry_share) as u64 };
        let mut advice = vec![Advice::CapRetries { client: client.id.clone(), max_attempts: policy.max_attempts }];
        if policy.jitter <= 0.0 {
            advice.push(Advice::AddJitter { client: client.id.clone() });
        }
        if let Some(timeout_ms) = spec.timeout_ms
            && let Some(shorten) = run.shorten_queue(target, &client.id, timeout_ms)
        {
            advice.push(shorten);
        }
        if retries_cause_overload {
            amplified.clients.insert(client.id.clone());
            amplified.targets.insert(target.id.clone());
        }
        out.push(Finding::new(
            Cause::RetryAmplification {
                client: client.id.clone(),
                target: target.id.clone(),
                requests,
                attempts: attempts.sent,
                retries,
                attempts_per_request: attempts.sent as f64 / requests as f64,
                retry_share,
                timed_out,
                rejected: target.stats.failures.rejected,
                late_answers: run.edge(&client.id, first_hop).map_or(0, |e| e.late_answers),
                retries_cause_overload,
            },
            explains,
            advice,
        ));
    }
}

/// Errors: injected by a fault, or the node's own error rate.
/// A pool less busy than this behind a limiter has room for a higher limit.
const ROOM_BEHIND_LIMIT: f64 = 0.6;

/// Rate limiters that refused attempts: load shed on purpose. The advice
/// is for the callers (back off on a 429) and, when the node behind had
/// room, for the limit itself.
pub(super) fn rate_limits(run: &Run<'_>, out: &mut Vec<Finding>) {
    for n in &run.report.nodes {
        let refused = n.stats.failures.rate_limited;
        let Some(limit) = run.spec(&n.id).and_then(NodeKind::rate_limit) else { continue };
        if refused == 0 {
            continue;
        }
        // The clients that were refused (by this limiter or another).
        let mut advice: Vec<Advice> = run
            .clients_reaching(&n.id)
            .into_iter()
            .filter(|c| {
                run.node(c).is_none_or(|client| {
                    // A client that retries ends its requests otherwise: its attempts say it.
                    let attempts = client.attempts.as_ref().map_or(0, |a| a.failures.rate_limited);
                    client.stats.failures.rate_limited.max(attempts) > 0
                })
            })
            .map(|c| Advice::BackOffOnRateLimit { client: c.to_string(), node: n.id.clone() })
            .collect();
        if let Some(u) = n.stats.utilisation.filter(|u| *u < ROOM_BEHIND_LIMIT) {
            advice.insert(0, Advice::RaiseRateLimit { node: n.id.clone(), rate_rps: limit.rate, utilisation: u });
        }
        out.push(Finding::new(
            Cause::RateLimited {
                node: n.id.clone(),
                rate_rps: limit.rate,
                burst: limit.burst,
                refused,
                attempts: n.stats.arrivals,
                utilisation: n.stats.utilisation,
                per: limit.per,
            },
            refused,
            advice,
        ));
    }
}

/// Nodes that shed requests on purpose: those which waited too long, or
/// less important ones pushed out of a full line by more important ones.
/// The advice is capacity, when the pool was full, for the load that was
/// shed.
pub(super) fn shedding(run: &Run<'_>, out: &mut Vec<Finding>) {
    for n in &run.report.nodes {
        let shed = n.stats.failures.shed;
        if shed == 0 {
            continue;
        }
        let shed_after_ms = match run.spec(&n.id) {
            Some(NodeKind::Service(spec)) => spec.shed_after_ms,
            Some(NodeKind::Database(_)) => None,
            _ => continue,
        };
        let by_priority = run
            .clients_reaching(&n.id)
            .iter()
            .any(|c| run.client_spec(c).is_some_and(|spec| spec.priority != crate::scenario::Priority::Standard));
        let advice = vec![Advice::AddPool {
            node: n.id.clone(),
            component: n.kind,
            pool_size: n.workers,
            utilisation: n.stats.utilisation,
            idle_downstream: None,
        }];
        out.push(Finding::new(
            Cause::Shed {
                node: n.id.clone(),
                shed_after_ms,
                by_priority,
                shed,
                attempts: n.stats.arrivals,
                utilisation: n.stats.utilisation,
            },
            shed,
            advice,
        ));
    }
}

/// Services that dropped requests their callers had given up on
/// (`drop_expired`): a note, so they are accounted for; the timeouts and
/// the wait behind them are the findings that lead.
pub(super) fn expired_work(run: &Run<'_>, out: &mut Vec<Finding>) {
    for n in &run.report.nodes {
        let dropped = n.stats.failures.deadline_exceeded;
        if dropped > 0 {
            out.push(Finding::new(
                Cause::DeadlineExceeded { node: n.id.clone(), dropped, attempts: n.stats.arrivals },
                // A note: the callers' timeouts are the failures, explained
                // where they are (a hedge's two copies are two drops).
                0,
                Vec::new(),
            ));
        }
    }
}

/// Clients whose adaptive throttling refused requests: load dropped on
/// purpose at the client, a note; what made the backend refuse is the
/// finding that leads.
pub(super) fn throttling(run: &Run<'_>, out: &mut Vec<Finding>) {
    for client in run.clients() {
        let throttled = client.stats.failures.throttled;
        let Some(spec) = run.client_spec(&client.id).and_then(|c| c.throttle).filter(|_| throttled > 0) else {
            continue;
        };
        out.push(Finding::new(
            Cause::Throttled { client: client.id.clone(), throttled, requests: client.stats.arrivals, k: spec.k },
            // A note: the throttle answers what the backend refused, which
            // is the finding that leads.
            0,
            Vec::new(),
        ));
    }
}

/// Databases that applied a request's write twice: the clients whose
/// writes reach them without an idempotency key are told to send one.
/// The finding explains no failure — every request may have succeeded —
/// but leads the notes: a double charge is worse than a slow page.
pub(super) fn duplicate_writes(run: &Run<'_>, out: &mut Vec<Finding>) {
    for n in &run.report.nodes {
        let duplicates = n.stats.duplicate_writes;
        if duplicates == 0 {
            continue;
        }
        let clients: Vec<String> = run
            .clients_reaching(&n.id)
            .into_iter()
            .filter(|c| run.client_spec(c).is_some_and(|spec| spec.write_fraction > 0.0 && !spec.idempotency_keys))
            .map(str::to_string)
            .collect();
        // Clients that send keys by now (a live edit) get no advice.
        let advice = if clients.is_empty() {
            Vec::new()
        } else {
            vec![Advice::AddIdempotencyKeys { clients: clients.clone(), database: n.id.clone() }]
        };
        out.push(Finding::new(
            Cause::DuplicateWrites { database: n.id.clone(), duplicates, answered: n.stats.ok, clients },
            0,
            advice,
        ));
    }
}

/// Bulkheads that refused calls: load shed on purpose, so that a slow or
/// busy dependency holds at most so many of the workers that wait on it
/// (its caller's, or, behind a load balancer, the service's above it).
/// The advice is about the dependency, and, when users gave up on calls
/// the cap let through, a timeout on the same edge: a cap bounds how many
/// calls wait, not how long each does.
pub(super) fn bulkheads(run: &Run<'_>, out: &mut Vec<Finding>) {
    for (k, (e, spec)) in run.report.edges.iter().zip(&run.scenario.edges).enumerate() {
        let Some(cap) = spec.max_concurrent else { continue };
        if e.bulkhead_full == 0 {
            continue;
        }
        let holder = run
            .workers_held_by(&e.from)
            .filter(|(id, _)| matches!(run.spec(id), Some(NodeKind::Service(s)) if s.blocking_calls));
        let slowed = run.slowed_below(&e.to);
        let let_through = run.gave_up_behind(k, slowed.is_some());
        let mut advice = vec![Advice::SpeedUpBehindBulkhead {
            from: e.from.clone(),
            to: e.to.clone(),
            holder: holder.map(|(id, _)| id.to_string()),
            has_fallback: spec.fallback.is_some(),
        }];
        if let Some((node, factor)) = slowed {
            advice.push(Advice::EndSlowdown { node: node.id.clone(), factor });
        }
        if let_through.is_some() {
            advice.extend(
                run.protect(k, slowed.map(|(n, _)| n.id.as_str()))
                    .into_iter()
                    .filter(|a| matches!(a, Advice::AddCallTimeout { .. })),
            );
        }
        out.push(Finding::new(
            Cause::BulkheadFull {
                from: e.from.clone(),
                to: e.to.clone(),
                max_concurrent: cap,
                refused: e.bulkhead_full,
                sent: e.stats.sent,
                holder: holder.map(|(id, _)| id.to_string()),
                workers: holder.map(|(_, w)| w),
                answered: e.fallbacks.min(e.bulkhead_full),
                slowdown: slowed.map_or(1.0, |(_, factor)| factor),
                slowed: slowed.map(|(node, _)| node.id.clone()),
                let_through,
                wait_ms: spec.bulkhead_wait_ms,
            },
            e.bulkhead_full,
            advice,
        ));
    }
}

pub(super) fn errors(run: &Run<'_>, out: &mut Vec<Finding>) {
    for n in &run.report.nodes {
        if n.kind == ComponentKind::Client {
            continue;
        }
        let retrying = |c: &&str| run.client_spec(c).and_then(|s| s.retry.as_ref()).is_some_and(|r| r.max_attempts > 1);
        let injected = n.faults.injected_errors;
        let own = n.stats.failures.error.saturating_sub(injected);
        if injected + own == 0 {
            continue;
        }
        let clients = run.clients_reaching(&n.id);
        if injected > 0 {
            let probability = run.injected_probability(n);
            let mut advice = vec![Advice::StopInjectedErrors {
                node: n.id.clone(),
                still_in_force: n.faults.injected_error_probability > 0.0,
            }];
            for c in &clients {
                if probability >= PERSISTENT_ERRORS && retrying(c) {
                    advice.push(Advice::RetriesCannotFixErrors { client: (*c).to_string(), node: n.id.clone() });
                } else if probability < PERSISTENT_ERRORS && !retrying(c) && !run.retries_on_the_way(c, &n.id) {
                    advice.push(Advice::AddCappedRetries { client: (*c).to_string() });
                }
            }
            if probability >= PERSISTENT_ERRORS
                && let Some(add) = run.balancer_of(&n.id).and_then(|lb| outlier_ejection_advice(run, &lb, &n.id, false))
            {
                advice.push(add);
            }
            out.push(Finding::new(
                Cause::InjectedErrors {
                    node: n.id.clone(),
                    probability,
                    errors: injected,
                    attempts: n.stats.arrivals,
                    still_in_force: n.faults.injected_error_probability > 0.0,
                },
                injected,
                advice,
            ));
        }
        let probability = match run.spec(&n.id) {
            Some(NodeKind::Service(s)) => s.error_probability,
            Some(NodeKind::Database(d)) => d.error_probability,
            _ => 0.0,
        };
        if own > 0 && probability > 0.0 {
            let mut advice = vec![Advice::LowerErrorRate { node: n.id.clone(), probability }];
            if probability >= PERSISTENT_ERRORS
                && let Some(add) = run.balancer_of(&n.id).and_then(|lb| outlier_ejection_advice(run, &lb, &n.id, false))
            {
                advice.push(add);
            }
            advice.extend(
                clients
                    .iter()
                    .filter(|c| !retrying(c) && !run.retries_on_the_way(c, &n.id))
                    .map(|c| Advice::AddCappedRetries { client: (*c).to_string() }),
            );
            out.push(Finding::new(
                Cause::ErrorRate { node: n.id.clone(), probability, errors: own, attempts: n.stats.arrivals },
                own,
                advice,
            ));
        }
    }
}

/// Outlier ejection on balancer `lb` for its target `target`, which failed
/// requests (`down`: by crashing; else with errors while up), when `lb`
/// has none and more than one target (ejecting the only target would
/// leave nothing to send to).
fn outlier_ejection_advice(run: &Run<'_>, lb: &str, target: &str, down: bool) -> Option<Advice> {
    let Some(NodeKind::LoadBalancer(spec)) = run.spec(lb) else { return None };
    (spec.outlier_ejection.is_none() && run.callees(lb).len() > 1).then(|| Advice::AddOutlierEjection {
        balancer: lb.to_string(),
        target: target.to_string(),
        target_down: down,
        health_checked: spec.health_check.is_some(),
    })
}

/// A zone or region outage of the fault timeline.
struct Outage {
    area: Area,
    name: String,
}

impl Outage {
    /// "zone us-east-1a", "region eu-west-1".
    fn label(&self) -> String {
        match self.area {
            Area::Zone(_) => format!("zone {}", self.name),
            Area::Region(_) => format!("region {}", self.name),
        }
    }

    /// The advice for a balancer whose targets all sat in the area.
    fn advice(&self, balancer: Option<&str>, targets: Vec<String>) -> Advice {
        match self.area {
            Area::Zone(_) => Advice::SpreadOverZones {
                balancer: balancer.unwrap_or_default().to_string(),
                zone: self.name.clone(),
                targets,
            },
            Area::Region(_) => {
                Advice::SecondRegion { balancer: balancer.map(ToString::to_string), region: self.name.clone() }
            }
        }
    }
}

/// Crashed nodes, and balancers left with no healthy target.
pub(super) fn outages(run: &Run<'_>, out: &mut Vec<Finding>) {
    for n in &run.report.nodes {
        if n.kind == ComponentKind::Client {
            continue;
        }
        let f = &n.faults;
        let failed = n.stats.failures.node_down;
        let crashed = f.crashes > 0 || f.down_s > 0.0 || f.down_at_end;
        if crashed && (failed > 0 || f.down_at_end) {
            let balancer = run.balancer_of(&n.id);
            let outage = run.outage_of(&n.id);
            let mut advice = Vec::new();
            // A lone node in a region that went down, in a design that runs
            // nowhere else: the fix is a second region.
            if balancer.is_none()
                && let Some(o) = outage.as_ref().filter(|o| matches!(o.area, Area::Region(_)))
                && !run.runs_outside(&n.id, o.area)
            {
                advice.push(o.advice(None, Vec::new()));
            }
            if f.down_at_end {
                advice.push(Advice::RestoreNode { node: n.id.clone() });
            }
            // Another copy in the same zone would have gone down with it:
            // the balancer's finding says where copies belong.
            if outage.is_none() {
                advice.push(Advice::AddReplica {
                    node: n.id.clone(),
                    balancer: balancer.clone(),
                    monthly_usd: run.monthly_price_of(&n.id),
                });
            }
            if let Some(lb) = &balancer
                && let Some(NodeKind::LoadBalancer(spec)) = run.spec(lb)
                && failed > 0
            {
                advice.push(Advice::ShortenHealthCheck {
                    balancer: lb.clone(),
                    delay_s: spec.health_check_delay_s,
                    health_check: spec.health_check,
                });
                if let Some(add) = outlier_ejection_advice(run, lb, &n.id, true) {
                    advice.push(add);
                }
            }
            advice.extend(
                run.clients_reaching(&n.id)
                    .into_iter()
                    .filter(|c| run.client_spec(c).and_then(|s| s.retry.as_ref()).is_none_or(|r| r.max_attempts <= 1))
                    .filter(|c| !run.retries_on_the_way(c, &n.id))
                    .map(|c| Advice::AddCappedRetries { client: c.to_string() }),
            );
            out.push(Finding::new(
                Cause::NodeDown {
                    node: n.id.clone(),
                    component: n.kind,
                    crashes: f.crashes,
                    down_s: f.down_s,
                    down_at_end: f.down_at_end,
                    failed_attempts: failed,
                    balancer,
                    area: outage.map(|o| o.label()),
                },
                failed,
                advice,
            ));
        } else if n.kind == ComponentKind::LoadBalancer && failed > 0 {
            let down_targets: Vec<String> = run
                .callees(&n.id)
                .iter()
                .filter_map(|t| run.node(t))
                .filter(|t| t.faults.crashes > 0 || t.faults.down_s > 0.0 || t.faults.down_at_end)
                .map(|t| t.id.clone())
                .collect();
            let (health_check_delay_s, health_check) = match run.spec(&n.id) {
                Some(NodeKind::LoadBalancer(spec)) => (spec.health_check_delay_s, spec.health_check),
                _ => (0.0, None),
            };
            let ejections = n.balancer.as_ref().map_or(0, |b| b.ejections);
            // Every target went down with one zone or region.
            let outages: Vec<Outage> = down_targets.iter().filter_map(|t| run.outage_of(t)).collect();
            let shared = outages
                .first()
                .filter(|o| outages.len() == down_targets.len() && outages.iter().all(|x| x.area == o.area))
                .filter(|o| run.all_targets_in(&n.id, o.area));
            let spread = shared.map(|o| o.advice(Some(&n.id), down_targets.clone()));
            let area = shared.map(Outage::label);
            let advice = spread
                .iter()
                .cloned()
                .chain(
                    down_targets
                        .iter()
                        .filter(|_| spread.is_none())
                        .take(1)
                        .map(|t| Advice::AddReplica {
                            node: t.clone(),
                            balancer: Some(n.id.clone()),
                            monthly_usd: run.monthly_price_of(t),
                        })
                        .chain(
                            run.callees(&n.id)
                                .iter()
                                .filter_map(|t| run.node(t))
                                .filter(|t| t.faults.down_at_end)
                                .map(|t| Advice::RestoreNode { node: t.id.clone() }),
                        ),
                )
                .collect();
            out.push(Finding::new(
                Cause::NoHealthyTarget {
                    balancer: n.id.clone(),
                    failed_attempts: failed,
                    health_check_delay_s,
                    health_check,
                    ejections,
                    down_targets,
                    area,
                },
                failed,
                advice,
            ));
        }
    }
}

/// Links that lost requests: to a partition, or at random.
pub(super) fn links(run: &Run<'_>, out: &mut Vec<Finding>) {
    let measured_s = (run.report.sim_time_s - run.report.warmup_s).max(run.report.sim_time_s.min(1e-9));
    for (e, spec) in run.report.edges.iter().zip(&run.scenario.edges) {
        saturated_link(e, spec, measured_s, out);
        if e.partitioned > 0 {
            out.push(Finding::new(
                Cause::Partition { from: e.from.clone(), to: e.to.clone(), lost: e.partitioned },
                e.partitioned,
                vec![
                    Advice::HealPartition { from: e.from.clone(), to: e.to.clone() },
                    Advice::SecondRoute { from: e.from.clone(), to: e.to.clone() },
                ],
            ));
        }
        let random = e.lost.saturating_sub(e.partitioned);
        if random > 0 {
            let mut sources = run.clients_reaching(&e.from);
            if run.client_spec(&e.from).is_some() {
                sources.push(spec.from.as_str());
            }
            let advice = sources
                .into_iter()
                .filter(|c| run.client_spec(c).and_then(|s| s.retry.as_ref()).is_none_or(|r| r.max_attempts <= 1))
                .filter(|c| !run.retries_on_the_way(c, &e.to))
                .map(|c| Advice::AddCappedRetries { client: c.to_string() })
                .collect();
            out.push(Finding::new(
                Cause::LossyLink {
                    from: e.from.clone(),
                    to: e.to.clone(),
                    lost: random,
                    drop_probability: spec.drop_probability,
                },
                random,
                advice,
            ));
        }
    }
}

/// The finding of a saturated link on the way of `client`'s requests
/// (from it or from a node it reaches), if one was found.
fn saturated_link_on_path(findings: &[Finding], client: &str, reachable: &[&str]) -> Option<usize> {
    findings.iter().position(|f| {
        matches!(&f.cause, Cause::SaturatedLink { from, to, .. }
            if (from == client || reachable.contains(&from.as_str())) && reachable.contains(&to.as_str()))
    })
}

/// A link with a bandwidth busy sending one way for most of the run, with
/// the advice that frees it. On its own it explains no failure: what it
/// makes fail is a timeout, which [`timeouts`] then credits to it.
fn saturated_link(e: &EdgeReport, spec: &EdgeSpec, measured_s: f64, out: &mut Vec<Finding>) {
    let Some(bandwidth_mbps) = spec.bandwidth_mbps else { return };
    let ways = [
        (LinkWay::Requests, e.stats.forward_utilisation, &spec.request_kb, e.stats.request_bytes),
        (LinkWay::Answers, e.stats.back_utilisation, &spec.response_kb, e.stats.response_bytes),
    ];
    for (way, utilisation, size, bytes) in ways {
        let (Some(utilisation), Some(size)) = (utilisation, size) else { continue };
        if utilisation < SATURATED_LINK {
            continue;
        }
        let mean_kb = size.mean_kb();
        out.push(Finding::new(
            Cause::SaturatedLink { from: e.from.clone(), to: e.to.clone(), way, utilisation, bandwidth_mbps, mean_kb },
            0,
            vec![Advice::ShrinkPayloads {
                from: e.from.clone(),
                to: e.to.clone(),
                way,
                mean_kb,
                // What was handed to the link, not what it managed to send
                // (never above its bandwidth): the demand, at 70 % busy.
                needed_mbps: (bytes as f64 * 8.0 / measured_s / 1e6 / 0.7).ceil().max(bandwidth_mbps.ceil()),
            }],
        ));
    }
}

/// Caches that went cold (flushed, restarted, just started) or answer few reads.
pub(super) fn caches(run: &Run<'_>, out: &mut Vec<Finding>) {
    for n in &run.report.nodes {
        let Some(NodeKind::Cache(spec)) = run.spec(&n.id) else { continue };
        let Some(hit_ratio) = n.stats.hit_ratio else { continue };
        if matches!(spec.mode, CacheMode::FixedHitRate { .. }) {
            continue; // its hit ratio is a setting, not an outcome
        }
        let backend = run.callees(&n.id).first().and_then(|b| run.node(b));
        let backend_rejected = backend.map_or(0, |b| b.stats.failures.rejected);
        let backend_utilisation = backend.and_then(|b| b.stats.utilisation);
        let backend_troubled = backend_rejected > 0 || backend_utilisation.is_some_and(|u| u >= SATURATED);
        let emptied = n.faults.flushes + n.faults.crashes > 0;
        let started_cold = run.report.warmup_s <= 0.0 && run.report.sim_time_s < COLD_START_S;
        let backend_id = backend.map(|b| b.id.clone());
        if (emptied && (backend_troubled || hit_ratio < LOW_HIT_RATIO)) || (started_cold && hit_ratio < LOW_HIT_RATIO) {
            let mut advice = Vec::new();
            if emptied {
                advice.push(Advice::WarmCache { cache: n.id.clone(), backend: backend_id.clone() });
                if let Some(b) = &backend_id {
                    advice.push(Advice::SizeBackendForColdCache { backend: b.clone(), cache: n.id.clone() });
                }
            } else {
                advice.push(Advice::WarmUpBeforeJudging { cache: n.id.clone() });
            }
            // Started cold is a note on the measurement: what the
            // backend failed, it failed for its own capacity.
            let explains = if emptied { backend_rejected } else { 0 };
            out.push(Finding::new(
                Cause::ColdCache {
                    cache: n.id.clone(),
                    hit_ratio,
                    flushes: n.faults.flushes,
                    restarts: n.faults.crashes,
                    started_cold: started_cold && !emptied,
                    backend: backend_id,
                    backend_rejected,
                    backend_utilisation,
                },
                explains,
                advice,
            ));
        } else if hit_ratio < LOW_HIT_RATIO && !started_cold {
            out.push(Finding::new(
                Cause::LowHitRatio { cache: n.id.clone(), hit_ratio, backend: backend_id, backend_rejected },
                backend_rejected,
                vec![Advice::GrowCache { cache: n.id.clone() }],
            ));
        }
    }
}

/// Pools that are saturated or turn attempts away: saturated by their own
/// work, or a choke point in front of idle capacity. A pool that only
/// waits on a troubled node further down gets no finding: the cause is
/// below it (the engine's bottleneck rule says the same). A blocking
/// service whose workers wait on a dependency a fault slowed is told how
/// to protect itself on that edge (a timeout, a breaker, a bulkhead:
/// [`Run::protect`]), never to add workers: they would be held as well,
/// the more of them the slower the dependency gets.
pub(super) fn pools(run: &Run<'_>, amplified: &Amplified, out: &mut Vec<Finding>) {
    for n in &run.report.nodes {
        let Some(pool_size) = n.workers else { continue };
        let rejected = n.stats.failures.rejected;
        let utilisation = n.stats.utilisation;
        let saturated = utilisation.is_some_and(|u| u >= SATURATED);
        let hot = hot_shard(n);
        if (rejected == 0 && !saturated && hot.is_none()) || amplified.targets.contains(&n.id) {
            continue;
        }
        let spec = run.spec(&n.id);
        let holds_while_calling = match spec {
            Some(NodeKind::Service(s)) => s.blocking_calls && !run.callees(&n.id).is_empty(),
            Some(NodeKind::Queue(_)) => true,
            _ => false,
        };
        if holds_while_calling && run.reachable(&n.id).iter().filter_map(|id| run.node(id)).any(local_trouble) {
            continue;
        }
        // A dependency a fault slowed (the edge to it, the slowed node and
        // the factor): the service's workers are held waiting on it. More
        // workers would be held as well, and it would take more the
        // slower it gets; what protects the service is on the edge.
        let slow_dependency = matches!(spec, Some(NodeKind::Service(_)) if holds_while_calling)
            .then(|| {
                run.out_edges
                    .get(n.id.as_str())
                    .into_iter()
                    .flatten()
                    .filter_map(|&k| {
                        let to = run.scenario.edges.get(k)?.to.as_str();
                        run.slowed_below(to).map(|(slowed, factor)| (k, slowed, factor))
                    })
                    .max_by(|a, b| a.2.total_cmp(&b.2))
            })
            .flatten();
        let idle_downstream = holds_while_calling
            .then(|| {
                run.callees(&n.id)
                    .iter()
                    .filter_map(|c| run.busy_behind(c, LOOK_THROUGH_DEPTH))
                    .max_by(|a, b| a.1.total_cmp(&b.1))
            })
            .flatten()
            .filter(|(_, u)| *u < IDLE || (slow_dependency.is_some() && *u < SATURATED));
        if let Some((downstream, downstream_utilisation)) = idle_downstream
            && rejected > 0
        {
            let downstream_slowdown = run.node(downstream).map_or(1.0, |d| run.slowdown(d));
            let mut advice = Vec::new();
            if let Some((k, slowed, factor)) = slow_dependency {
                advice.push(Advice::EndSlowdown { node: slowed.id.clone(), factor });
                advice.extend(run.protect(k, Some(&slowed.id)));
            } else {
                if downstream_slowdown > 1.0 {
                    advice.push(Advice::EndSlowdown { node: downstream.to_string(), factor: downstream_slowdown });
                }
                advice.push(Advice::AddPool {
                    node: n.id.clone(),
                    component: n.kind,
                    pool_size: Some(pool_size),
                    utilisation,
                    idle_downstream: Some((downstream.to_string(), downstream_utilisation)),
                });
            }
            if matches!(spec, Some(NodeKind::Service(_))) {
                advice.push(Advice::NonBlockingCalls { node: n.id.clone(), downstream: downstream.to_string() });
            }
            out.push(Finding::new(
                Cause::QueueFullDownstreamIdle {
                    node: n.id.clone(),
                    component: n.kind,
                    rejected,
                    utilisation,
                    pool_size: Some(pool_size),
                    downstream: downstream.to_string(),
                    downstream_utilisation,
                    downstream_slowdown,
                },
                rejected,
                advice,
            ));
            continue;
        }
        let slowdown = run.slowdown(n);
        // The cause is the same whichever advice follows it.
        let saturated = || Cause::Saturated {
            node: n.id.clone(),
            component: n.kind,
            utilisation,
            pool_size: Some(pool_size),
            rejected,
            mean_wait_ms: n.stats.mean_wait_ms,
            slowdown,
        };
        if slowdown <= 1.0
            && let Some(NodeKind::Database(db)) = spec
            && let Some(finding) = data_finding(run, n, db, hot)
        {
            out.push(finding);
            continue;
        }
        let mut advice = Vec::new();
        if slowdown > 1.0 {
            advice.push(Advice::EndSlowdown { node: n.id.clone(), factor: slowdown });
        }
        if let Some((k, slowed, factor)) = slow_dependency {
            advice.push(Advice::EndSlowdown { node: slowed.id.clone(), factor });
            advice.extend(run.protect(k, Some(&slowed.id)));
            if let Some(to) = run.scenario.edges.get(k) {
                advice.push(Advice::NonBlockingCalls { node: n.id.clone(), downstream: to.to.clone() });
            }
            out.push(Finding::new(saturated(), rejected, advice));
            continue;
        }
        advice.push(Advice::AddPool {
            node: n.id.clone(),
            component: n.kind,
            pool_size: Some(pool_size),
            utilisation,
            idle_downstream: None,
        });
        match spec {
            Some(NodeKind::Service(s)) => {
                advice.push(Advice::ScaleOut {
                    node: n.id.clone(),
                    balancer: run.balancer_of(&n.id),
                    monthly_usd: run.monthly_price_of(&n.id),
                });
                if s.blocking_calls && !run.callees(&n.id).is_empty() {
                    advice.push(Advice::SpeedUpDownstream { node: n.id.clone() });
                }
            }
            Some(NodeKind::Database(d)) => {
                let cache_in_front = run.callers(&n.id).iter().any(|c| matches!(run.spec(c), Some(NodeKind::Cache(_))));
                if !cache_in_front {
                    advice.push(Advice::PutCacheInFront { node: n.id.clone() });
                }
                let write_share =
                    run.clients().filter_map(|c| run.client_spec(&c.id)).map(|c| c.write_fraction).fold(0.0, f64::max);
                // An autoscaled database adds its replicas itself: its
                // saturation is a cold start or its `max`, not a count.
                if write_share < 0.5 && d.autoscale.is_none() {
                    advice.push(Advice::AddReadReplicas {
                        node: n.id.clone(),
                        write_share,
                        monthly_usd: run.monthly_price_of(&n.id),
                    });
                }
            }
            _ => {}
        }
        if rejected > 0 {
            advice.push(Advice::LongerQueueOnlyDelays { node: n.id.clone(), rejected });
            // Several clients' requests fail alike: marked by importance,
            // the sheddable ones would go first.
            let clients = run.clients_reaching(&n.id);
            let unmarked = clients
                .iter()
                .all(|c| run.client_spec(c).is_some_and(|spec| spec.priority == crate::scenario::Priority::Standard));
            if clients.len() >= 2 && unmarked && matches!(spec, Some(NodeKind::Service(_) | NodeKind::Database(_))) {
                let clients = clients.iter().map(|c| (*c).to_string()).collect();
                advice.push(Advice::MarkPriorities { node: n.id.clone(), clients });
            }
        }
        out.push(Finding::new(saturated(), rejected, advice));
    }
}

/// A sharded database's hot shard: its position, share of the attempts,
/// utilisation and the mean utilisation over all the shards, when one is
/// saturated and well above the others. Compared with the others' mean,
/// not the mean of all: the hot shard in the mean lifts it, the more the
/// fewer the shards, so with two shards one at 100 % and one at 45 % (more
/// than twice as busy) would read as "too small", and "1.5 times the mean"
/// would ask 3 times the other's load of two shards but 1.8 times of four.
/// Shards equally saturated are a database too small, not a hot shard.
fn hot_shard(n: &NodeReport) -> Option<(u32, f64, f64, f64)> {
    if n.shards.len() < 2 {
        return None;
    }
    let total: u64 = n.shards.iter().map(|s| s.arrivals).sum();
    let sum = n.shards.iter().map(|s| s.utilisation).sum::<f64>();
    let mean = sum / n.shards.len() as f64;
    // The first of equally busy shards, as the app's card and the summary mark it.
    let (i, hot) = n.shards.iter().enumerate().rev().max_by(|a, b| a.1.utilisation.total_cmp(&b.1.utilisation))?;
    let others = (sum - hot.utilisation) / (n.shards.len() - 1) as f64;
    let share = if total > 0 { hot.arrivals as f64 / total as f64 } else { 0.0 };
    (hot.utilisation >= SATURATED && hot.utilisation >= HOT_SHARD_OVER_OTHERS * others)
        .then(|| (u32::try_from(i).unwrap_or(u32::MAX), share, hot.utilisation, mean))
}

/// A saturated database whose trouble is its data rather than its size:
/// a scan of a large table without an index (the scan costs at least the
/// query's own time), or a hot shard. `None` leaves it to the usual
/// saturation finding.
fn data_finding(
    run: &Run<'_>,
    n: &NodeReport,
    db: &crate::scenario::DatabaseSpec,
    hot: Option<(u32, f64, f64, f64)>,
) -> Option<Finding> {
    let rejected = n.stats.failures.rejected;
    let cache_in_front = || run.callers(&n.id).iter().any(|c| matches!(run.spec(c), Some(NodeKind::Cache(_))));
    if let Some(table) = &db.table
        && !table.index
    {
        let scan_ms = table.query_cost_ms();
        let query_ms = db.query_time.mean_ms().unwrap_or(0.0);
        let lookup_ms = crate::scenario::TableSpec { index: true, ..table.clone() }.query_cost_ms();
        if scan_ms >= query_ms {
            return Some(Finding::new(
                Cause::FullTableScan {
                    node: n.id.clone(),
                    rows: table.rows,
                    scan_ms,
                    lookup_ms,
                    query_ms,
                    utilisation: n.stats.utilisation,
                    rejected,
                },
                rejected,
                vec![Advice::AddIndex { node: n.id.clone(), scan_ms, lookup_ms }],
            ));
        }
    }
    let (shard, share, utilisation, mean_utilisation) = hot?;
    let mut advice = vec![Advice::BetterShardKey { node: n.id.clone(), shard }];
    if !cache_in_front() {
        advice.push(Advice::PutCacheInFront { node: n.id.clone() });
    }
    Some(Finding::new(
        Cause::HotShard {
            node: n.id.clone(),
            shard,
            shards: db.shards,
            share,
            utilisation,
            mean_utilisation,
            rejected,
        },
        rejected,
        advice,
    ))
}

/// Clients that gave up waiting.
pub(super) fn timeouts(run: &Run<'_>, amplified: &Amplified, out: &mut Vec<Finding>) {
    for client in run.clients() {
        if amplified.clients.contains(&client.id) {
            continue;
        }
        let Some(timeout_ms) = run.client_spec(&client.id).and_then(|s| s.timeout_ms) else { continue };
        let Some(attempts) = client.attempts else { continue };
        // Its own timeouts only: those of a hop below are that hop's
        // finding ([`edge_timeouts`]), though they reach the users as "timeout" too.
        let timed_out = run.own_timeouts(&client.id);
        if timed_out == 0 {
            continue;
        }
        let reachable = run.reachable(&client.id);
        let late_answers =
            reachable.first().and_then(|first| run.edge(&client.id, first)).map_or(0, |e| e.late_answers);
        let p99_ms = (client.stats.latency.count > 0).then_some(client.stats.latency.p99_ms);
        // Where the attempts waited longest: if that wait alone eats the
        // timeout, the queue is too long for it.
        let waited_most = reachable
            .iter()
            .filter_map(|id| run.node(id))
            .max_by(|a, b| a.stats.mean_wait_ms.total_cmp(&b.stats.mean_wait_ms));
        let queue_too_long = waited_most
            .filter(|n| n.stats.mean_wait_ms > timeout_ms / 2.0)
            .and_then(|n| run.shorten_queue(n, &client.id, timeout_ms));
        // A slowed node, else the deepest troubled one, is what the
        // timeouts follow from; with none, the timeout is simply too short.
        let slowed = reachable.iter().filter_map(|id| run.node(id)).find(|n| run.slowdown(n) > 1.0);
        let troubled = reachable.iter().rev().filter_map(|id| run.node(id)).find(|n| local_trouble(n));
        // A saturated link on the way: its queue is what the users waited
        // in. Its finding explains the timeouts and leads; the advice is
        // what frees the link, not a longer timeout.
        let link = saturated_link_on_path(out, &client.id, &reachable);
        if let Some(k) = link
            && let Some(finding) = out.get_mut(k)
        {
            finding.explains = finding.explains.max(timed_out);
        }
        let link_advice = link.and_then(|k| out.get(k)).map(|f| f.advice.clone());
        let mut advice = match (queue_too_long, slowed.or(troubled), link_advice) {
            (Some(shorten), _, _) => vec![shorten],
            (None, None, Some(free_the_link)) => free_the_link,
            (None, Some(cause), _) => {
                vec![Advice::FixSlowNodeFirst { client: client.id.clone(), node: cause.id.clone() }]
            }
            (None, None, None) => vec![Advice::RaiseTimeout {
                client: client.id.clone(),
                timeout_ms,
                p99_ms: p99_ms.unwrap_or(timeout_ms),
            }],
        };
        // A slowed node behind a blocking service: the users time out
        // because the service's workers are all waiting on it. What
        // protects the service is on its edge to the slow node.
        // Through a balancer too: its blocking callers wait on the slow
        // node as well.
        if let Some(slowed) = slowed {
            for k in run.waiting_edges(&slowed.id) {
                if run.scenario.edges.get(k).is_some_and(|e| reachable.contains(&e.from.as_str())) {
                    for a in run.protect(k, Some(&slowed.id)) {
                        if !advice.contains(&a) {
                            advice.push(a);
                        }
                    }
                }
            }
        }
        out.push(Finding::new(
            Cause::Timeouts {
                client: client.id.clone(),
                timeout_ms,
                timed_out,
                attempts: attempts.sent,
                p99_ms,
                late_answers,
            },
            timed_out,
            advice,
        ));
    }
}

/// Timeouts at a hop: a node (not a client: its timeouts are
/// [`timeouts`]') gave up on calls over an edge with a `timeout_ms`
/// (apart from a fan-out's calls to healthy callees whose fallback
/// answered: [`fan_out_tails`] speaks for those, so it runs first). The
/// advice follows the callee: a fault slowed it (end it; a breaker and a
/// bulkhead keep the next slowdown from holding the caller's workers), it
/// has trouble of its own (fix it first), or it is well and the timeout is
/// shorter than its work (raise it).
pub(super) fn edge_timeouts(run: &Run<'_>, amplified: &Amplified, out: &mut Vec<Finding>) {
    for (k, (e, spec)) in run.report.edges.iter().zip(&run.scenario.edges).enumerate() {
        let Some(timeout_ms) = spec.timeout_ms else { continue };
        if e.timeouts == 0
            || run.client_spec(&e.from).is_some()
            || amplified.edges.contains(&(e.from.clone(), e.to.clone()))
        {
            continue;
        }
        let Some(callee) = run.node(&e.to) else { continue };
        let slowed = run.slowed_below(&e.to);
        let troubled = run.troubled_below(&e.to);
        // A fan-out's timeout and fallback on a healthy call cut its tail
        // on purpose: the fan-out's finding speaks for them.
        let cuts_a_tail = spec.fallback.is_some()
            && slowed.is_none()
            && troubled.is_none()
            && out.iter().any(|f| matches!(&f.cause, Cause::FanOutTail { node, .. } if *node == e.from));
        if cuts_a_tail {
            continue;
        }
        let mut advice = Vec::new();
        if let Some((node, factor)) = slowed {
            advice.push(Advice::EndSlowdown { node: node.id.clone(), factor });
        } else if let Some(node) = troubled {
            advice.push(Advice::FixSlowNodeFirst { client: e.from.clone(), node: node.id.clone() });
        } else {
            let p99 = run.usual_latency_ms(callee, true).unwrap_or(timeout_ms) + run.round_trip_ms(k);
            advice.push(Advice::RaiseCallTimeout { from: e.from.clone(), to: e.to.clone(), timeout_ms, p99_ms: p99 });
        }
        if slowed.is_some() || troubled.is_some() {
            advice.extend(run.protect(k, slowed.map(|(n, _)| n.id.as_str())));
        }
        out.push(Finding::new(
            Cause::EdgeTimeouts {
                from: e.from.clone(),
                to: e.to.clone(),
                timeout_ms,
                timed_out: e.timeouts,
                calls: e.stats.sent,
                late_answers: e.late_answers,
                callee_p99_ms: (callee.stats.latency.count > 0).then_some(callee.stats.latency.p99_ms),
                slowdown: slowed.map_or(1.0, |(_, factor)| factor),
                slowed: slowed.map(|(node, _)| node.id.clone()),
            },
            e.timeouts,
            advice,
        ));
    }
}

/// Breakers that opened: each is credited on the finding of what made the
/// calls over its edge fail (the edge's own timeouts or losses, or a cause
/// at its callee or below), whose `explains` then counts its refusals too:
/// they are failures of that cause, made fast. Returns the breakers no
/// finding accounts for.
pub(super) fn breakers(run: &Run<'_>, findings: &mut [Finding]) -> Vec<BreakerEvidence> {
    let mut orphans = Vec::new();
    for e in &run.report.edges {
        if e.breaker_open == 0 {
            continue;
        }
        let evidence = BreakerEvidence {
            from: e.from.clone(),
            to: e.to.clone(),
            refused: e.breaker_open,
            trips: e.breaker_trips,
            sent: e.stats.sent,
            state: e.breaker_state,
        };
        let below: HashSet<&str> = std::iter::once(e.to.as_str()).chain(run.reachable(&e.to)).collect();
        let root = findings
            .iter_mut()
            .filter(|f| shields_from(&f.cause, e, &below))
            .max_by(|a, b| a.explains.cmp(&b.explains).then(b.cause.rank().cmp(&a.cause.rank())));
        match root {
            Some(f) => {
                f.explains += e.breaker_open;
                f.breakers.push(evidence);
            }
            None => orphans.push(evidence),
        }
    }
    orphans
}

/// Whether `cause` can be why calls over `edge` failed, and so what its
/// breaker shielded the caller from: trouble on the edge itself, or at a
/// node in `below` (its callee and what that calls).
fn shields_from(cause: &Cause, edge: &EdgeReport, below: &HashSet<&str>) -> bool {
    match cause {
        Cause::Partition { from, to, .. }
        | Cause::LossyLink { from, to, .. }
        | Cause::EdgeTimeouts { from, to, .. } => {
            (*from == edge.from && *to == edge.to) || below.contains(from.as_str())
        }
        Cause::Timeouts { client, .. } => *client == edge.from,
        Cause::RetryAmplification { target, .. } => below.contains(target.as_str()),
        Cause::RetriesAtEveryLayer { bottom, .. } => below.contains(bottom.as_str()),
        Cause::RetryBudgetsHeld { .. } | Cause::Unexplained { .. } | Cause::Healthy => false,
        other => other.node().is_some_and(|n| below.contains(n)),
    }
}

/// Fallbacks that answered calls: each is credited on the finding of what
/// made the calls over its edge fail, as a breaker is ([`breakers`]), with
/// the breaker's own finding first in line: the calls it refused are the
/// ones the fallback answered. Its answers add nothing to `explains` (they
/// are the failed calls the finding counts already, answered instead of
/// passed up). Returns the fallbacks no finding accounts for.
pub(super) fn fallbacks(run: &Run<'_>, findings: &mut [Finding]) -> Vec<FallbackEvidence> {
    let mut orphans = Vec::new();
    for (e, spec) in run.report.edges.iter().zip(&run.scenario.edges) {
        if e.fallbacks == 0 {
            continue;
        }
        let routed = e.timeouts + e.breaker_open + e.bulkhead_full + e.lost;
        let evidence = FallbackEvidence {
            from: e.from.clone(),
            to: e.to.clone(),
            stale: matches!(spec.fallback, Some(FallbackSpec::ServeStale)),
            answered: e.fallbacks,
            requests: run.node(&e.from).map_or(0, |n| n.stats.arrivals),
            timed_out: e.timeouts,
            breaker_refused: e.breaker_open,
            bulkhead_refused: e.bulkhead_full,
            lost: e.lost,
            failed_below: e.stats.failed.saturating_sub(routed),
        };
        let on_edge = |f: &Finding| f.breakers.iter().any(|b| b.from == e.from && b.to == e.to);
        let below: HashSet<&str> = std::iter::once(e.to.as_str()).chain(run.reachable(&e.to)).collect();
        let root = match findings.iter().position(on_edge) {
            Some(i) => findings.get_mut(i),
            None => findings
                .iter_mut()
                .filter(|f| {
                    shields_from(&f.cause, e, &below)
                        || matches!(&f.cause, Cause::BulkheadFull { from, to, .. } if *from == e.from && *to == e.to)
                        || matches!(&f.cause, Cause::FanOutTail { node, .. } if *node == e.from)
                })
                .max_by(|a, b| a.explains.cmp(&b.explains).then(b.cause.rank().cmp(&a.cause.rank()))),
        };
        match root {
            Some(f) => f.fallbacks.push(evidence),
            None => orphans.push(evidence),
        }
    }
    orphans
}

/// Where protection held, advice for more of it, or for retries, only
/// adds machinery: it is left out, and what remains is the advice about
/// the cause. An edge whose fallback answered while its caller failed
/// nothing needs no timeout, breaker or bulkhead advised (the caller's
/// workers came to no harm); a client none of whose requests failed needs
/// no retries (a degraded answer is not retried).
pub(super) fn leave_out_what_held(run: &Run<'_>, findings: &mut [Finding]) {
    // Held unless users above gave up on the calls it let through (a
    // bulkhead's fallback answers the calls it refuses, not the slow ones).
    let held: HashSet<(&str, &str)> = run
        .report
        .edges
        .iter()
        .enumerate()
        .filter(|(k, e)| {
            e.fallbacks > 0
                && run.node(&e.from).is_some_and(|n| n.stats.failed == 0)
                && run.gave_up_behind(*k, run.slowed_below(&e.to).is_some()).is_none()
        })
        .map(|(_, e)| (e.from.as_str(), e.to.as_str()))
        .collect();
    let unfailed = |client: &str| run.node(client).is_some_and(|n| n.stats.failed == 0);
    for f in findings {
        f.advice.retain(|a| match a {
            Advice::AddCallTimeout { from, to, .. }
            | Advice::AddBreaker { from, to, .. }
            | Advice::AddBulkhead { from, to, .. } => !held.contains(&(from.as_str(), to.as_str())),
            Advice::AddCappedRetries { client } => !unfailed(client),
            _ => true,
        });
    }
}

/// The share of a fan-out's calls after which the advice hedges: their p95.
const HEDGE_AT: f64 = 0.05;

/// The share of answers slower than `x_ms`, read off a latency summary's
/// percentiles: between two of them (p50, p90, p95, p99, p99.9, the
/// slowest), the log of the share falls linearly, as an exponential
/// tail's does; none past the slowest.
fn share_slower(l: &LatencySummary, x_ms: f64) -> f64 {
    if l.count == 0 {
        return 0.0;
    }
    let last = 1.0 / l.count as f64;
    let points = [
        (0.0, 1.0),
        (l.p50_ms, 0.5),
        (l.p90_ms, 0.1),
        (l.p95_ms, 0.05),
        (l.p99_ms, 0.01),
        (l.p999_ms, 0.001_f64.max(last)),
        (l.max_ms, last),
    ];
    for pair in points.windows(2) {
        let [(t0, s0), (t1, s1)] = [pair[0], pair[1]];
        if x_ms <= t1 {
            if t1 <= t0 {
                return s1;
            }
            let f = ((x_ms - t0) / (t1 - t0)).clamp(0.0, 1.0);
            return (s0.ln() + f * (s1.ln() - s0.ln())).exp();
        }
    }
    0.0
}

impl Run<'_> {
    /// Hedging for a fan-out whose calls (`ks`) each go through a load
    /// balancer over replicas: a copy of a call still unanswered after
    /// about the calls' p95 goes to another replica. `None` when some
    /// call does not go through one, or every balancer hedges already.
    fn hedge(&self, node: &str, ks: &[usize]) -> Option<Advice> {
        let mut balancers = Vec::new();
        for &k in ks {
            let lb = self.scenario.edges.get(k)?.to.as_str();
            if !self.balances_replicas(lb) {
                return None;
            }
            balancers.push(lb);
        }
        let replica_edges: Vec<usize> =
            balancers.iter().flat_map(|lb| self.out_edges.get(lb).into_iter().flatten().copied()).collect();
        let unhedged: Vec<String> = balancers
            .iter()
            .filter(|lb| {
                self.out_edges
                    .get(**lb)
                    .into_iter()
                    .flatten()
                    .any(|&j| self.scenario.edges.get(j).is_some_and(|e| e.hedge.is_none()))
            })
            .map(|lb| (*lb).to_string())
            .collect();
        if unhedged.is_empty() {
            return None;
        }
        // A call as the balancer's hedge waits for it: the replica's time
        // and the network both ways; the typical (median) edge's p95.
        let mut p95s: Vec<f64> = replica_edges
            .iter()
            .filter_map(|&j| {
                let l = &self.node(&self.scenario.edges.get(j)?.to)?.stats.latency;
                (l.count > 0).then(|| l.p95_ms + self.round_trip_ms(j))
            })
            .collect();
        p95s.sort_by(f64::total_cmp);
        let p95_ms = *p95s.get(p95s.len() / 2)?;
        let delay_ms = f64::from(round_nicely(p95_ms));
        // The extra calls: the share slower than the delay, each edge
        // weighted by its calls; exponential work at a replica that
        // hardly queues has it in closed form.
        let (mut weighted, mut calls) = (0.0, 0.0);
        for &j in &replica_edges {
            let (Some(e), Some(edge)) = (self.scenario.edges.get(j), self.report.edges.get(j)) else { continue };
            let Some(replica) = self.node(&e.to) else { continue };
            let waits = self.round_trip_ms(j);
            let exponential = match self.spec(&e.to) {
                Some(NodeKind::Service(s)) if self.callees(&e.to).is_empty() => match s.service_time {
                    DistributionSpec::Exponential { mean_ms } if replica.stats.mean_wait_ms < 0.1 * mean_ms => {
                        Some(mean_ms)
                    }
                    _ => None,
                },
                _ => None,
            };
            let share = match exponential {
                Some(mean_ms) => theory::hedged_exponential(mean_ms, (delay_ms - waits).max(0.0)).0,
                None => share_slower(&replica.stats.latency, delay_ms - waits),
            };
            let sent = edge.stats.sent.saturating_sub(edge.hedges) as f64;
            weighted += share * sent;
            calls += sent;
        }
        let extra = if calls > 0.0 { weighted / calls } else { HEDGE_AT };
        Some(Advice::HedgeCalls { node: node.to_string(), balancers: unhedged, delay_ms, p95_ms, extra })
    }
}

/// A call's tail, for the fan-out's figures: slower than its own p99.
const CALL_TAIL: f64 = 0.01;
/// Requests a fan-out must have answered for its p99 to say something.
const FAN_OUT_MIN_REQUESTS: u64 = 200;
/// How much slower than a request that waits on a typical call (its own
/// work and the calls' median p50) a fan-out is when its calls' tails set
/// its latency: even its median request waits on a slow call, and its p99
/// is far above a typical call ...
const FAN_OUT_P50_OVER_TYPICAL: f64 = 2.0;
const FAN_OUT_P99_OVER_TYPICAL: f64 = 3.0;
/// ... and near (or above) its slowest call's p99.
const FAN_OUT_NEAR_SLOWEST: f64 = 0.8;

/// Services that call in parallel and wait for all the answers, whose
/// latency is set by their calls' tails: the fan-out's p50 at least twice
/// and its p99 at least three times what waiting on a typical call would
/// take, its p99 near its slowest call's. Left out where something else
/// makes it slow: a fault or trouble at it or below it, or a wait for a
/// worker (its own saturation is [`pools`]' finding).
pub(super) fn fan_out_tails(run: &Run<'_>, out: &mut Vec<Finding>) {
    for n in &run.report.nodes {
        let Some(NodeKind::Service(spec)) = run.spec(&n.id) else { continue };
        let latency = &n.stats.latency;
        let ks = run.out_edges.get(n.id.as_str()).map_or(&[][..], Vec::as_slice);
        if spec.calls != (CallOrder::Parallel { wait_for: WaitFor::All })
            || ks.len() < 2
            || latency.count < FAN_OUT_MIN_REQUESTS
            || local_trouble(n)
            || n.stats.mean_wait_ms > 0.1 * latency.p50_ms
            || run.slowed_below(&n.id).is_some()
            || run.reachable(&n.id).iter().filter_map(|id| run.node(id)).any(local_trouble)
        {
            continue;
        }
        // Each call as the fan-out waits for it: the callee's time and the
        // network both ways.
        let calls: Option<Vec<(&str, f64, f64)>> = ks
            .iter()
            .map(|&k| {
                let to = run.scenario.edges.get(k)?.to.as_str();
                let l = &run.node(to)?.stats.latency;
                let round_trip = run.round_trip_ms(k);
                (l.count > 0).then_some((to, l.p50_ms + round_trip, l.p99_ms + round_trip))
            })
            .collect();
        let Some(calls) = calls else { continue };
        let mut p50s: Vec<f64> = calls.iter().map(|c| c.1).collect();
        p50s.sort_by(f64::total_cmp);
        let Some(&calls_p50_ms) = p50s.get(p50s.len() / 2) else { continue };
        let Some(&(slowest, _, slowest_p99_ms)) = calls.iter().max_by(|a, b| a.2.total_cmp(&b.2)) else { continue };
        let typical = spec.service_time.mean_ms().unwrap_or(0.0) + calls_p50_ms;
        if latency.p50_ms < FAN_OUT_P50_OVER_TYPICAL * typical
            || latency.p99_ms < FAN_OUT_P99_OVER_TYPICAL * typical
            || latency.p99_ms < FAN_OUT_NEAR_SLOWEST * slowest_p99_ms
        {
            continue;
        }
        let count = u32::try_from(calls.len()).unwrap_or(u32::MAX);
        let slow_share = theory::fan_out_slow_share(CALL_TAIL, count, count);
        let quorum = count - 1;
        // Hedging keeps whole answers: first, where the calls allow it.
        let mut advice: Vec<Advice> = run.hedge(&n.id, ks).into_iter().collect();
        advice.push(Advice::WaitForQuorum {
            node: n.id.clone(),
            calls: count,
            quorum,
            slow_share,
            quorum_slow_share: theory::fan_out_slow_share(CALL_TAIL, count, quorum),
        });
        let unprotected = ks
            .iter()
            .filter_map(|&k| run.scenario.edges.get(k))
            .any(|e| e.timeout_ms.is_none() || e.fallback.is_none());
        if unprotected {
            advice.push(Advice::TimeOutFanOutCalls {
                node: n.id.clone(),
                suggested_ms: f64::from(round_nicely(slowest_p99_ms * TIMEOUT_OVER_P99)),
                usual_p99_ms: slowest_p99_ms,
            });
        }
        if count >= 4 {
            let fewer = count / 2;
            advice.push(Advice::FewerCalls {
                node: n.id.clone(),
                calls: count,
                fewer,
                slow_share,
                fewer_slow_share: theory::fan_out_slow_share(CALL_TAIL, fewer, fewer),
            });
        }
        out.push(Finding::new(
            Cause::FanOutTail {
                node: n.id.clone(),
                calls: count,
                p50_ms: latency.p50_ms,
                p99_ms: latency.p99_ms,
                calls_p50_ms,
                slowest: slowest.to_string(),
                slowest_p99_ms,
                slow_share,
            },
            0,
            advice,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sharded(utilisation: &[f64]) -> NodeReport {
        NodeReport {
            id: "db".into(),
            kind: ComponentKind::Database,
            workers: Some(8),
            queue_capacity: None,
            stats: crate::sim::Stats::default(),
            attempts: None,
            faults: crate::sim::FaultHistory::default(),
            balancer: None,
            shards: utilisation
                .iter()
                .map(|&u| crate::sim::ShardStats { arrivals: (u * 1000.0) as u64, utilisation: u })
                .collect(),
        }
    }

    #[test]
    fn of_two_shards_one_saturated_at_twice_the_others_load_is_hot() {
        let (shard, share, utilisation, mean) = hot_shard(&sharded(&[0.45, 1.0])).expect("hot");
        assert_eq!((shard, utilisation), (1, 1.0));
        assert!((share - 1000.0 / 1450.0).abs() < 1e-9 && (mean - 0.725).abs() < 1e-9, "{share} {mean}");
    }

    #[test]
    fn shards_equally_saturated_are_a_database_too_small_not_a_hot_shard() {
        assert_eq!(hot_shard(&sharded(&[0.95, 0.95, 0.95, 0.95])), None);
        assert_eq!(hot_shard(&sharded(&[1.0, 0.9, 0.92, 0.88])), None, "a little uneven, all saturated");
        assert_eq!(hot_shard(&sharded(&[1.0, 1.0])), None);
    }

    #[test]
    fn a_shard_taking_all_the_traffic_while_the_others_get_none_is_hot() {
        let (shard, share, _, mean) = hot_shard(&sharded(&[0.0, 0.0, 0.97, 0.0])).expect("hot");
        assert_eq!((shard, share), (2, 1.0));
        assert!((mean - 0.97 / 4.0).abs() < 1e-9);
    }

    #[test]
    fn no_shard_is_hot_under_saturation_or_without_shards_or_traffic() {
        assert_eq!(hot_shard(&sharded(&[0.8, 0.1])), None, "busy but not saturated");
        assert_eq!(hot_shard(&sharded(&[1.0])), None, "one shard is the database itself");
        assert_eq!(hot_shard(&sharded(&[])), None);
        assert_eq!(hot_shard(&sharded(&[0.0, 0.0, 0.0])), None, "no traffic at all");
    }

    #[test]
    fn of_two_equally_hot_shards_the_first_is_named() {
        assert_eq!(hot_shard(&sharded(&[0.1, 0.99, 0.99, 0.1])).map(|h| h.0), Some(1));
    }

    /// The share of calls slower than a hedge's delay, read off the
    /// percentiles, follows an exponential tail between them: exact for
    /// exponential calls, and none past the slowest.
    #[test]
    fn the_share_slower_than_a_delay_follows_the_percentiles() {
        let mean: f64 = 10.0;
        let at = |p: f64| -mean * (1.0 - p).ln();
        let l = LatencySummary {
            count: 100_000,
            mean_ms: mean,
            p50_ms: at(0.5),
            p90_ms: at(0.9),
            p95_ms: at(0.95),
            p99_ms: at(0.99),
            p999_ms: at(0.999),
            max_ms: at(0.99999),
        };
        for delay in [3.0, 10.0, 25.0, 30.0, 50.0] {
            let (theory, _) = theory::hedged_exponential(mean, delay);
            let read = share_slower(&l, delay);
            assert!((read - theory).abs() < 1e-9 + 1e-6 * theory, "{delay} ms: {read} against {theory}");
        }
        assert!((share_slower(&l, l.p95_ms) - 0.05).abs() < 1e-12);
        assert_eq!(share_slower(&l, 2.0 * l.max_ms), 0.0);
        assert_eq!(share_slower(&LatencySummary::default(), 5.0), 0.0);
    }
}
