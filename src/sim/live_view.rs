//! The state of a node right now, for the app's badges and hover cards:
//! numbers together with their capacity ("workers 6/8").

use serde::{Deserialize, Serialize};

use super::Simulation;
use super::node::Behaviour;

/// What a node looks like at this instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeLive {
    pub down: bool,
    /// Workers (connections, consumers) busy now.
    pub busy: u32,
    /// Workers in all, if the node has a pool.
    pub workers: Option<u32>,
    /// Requests waiting now (a queue: messages held).
    pub queue_len: u32,
    /// Room in the waiting line; `None` = unbounded or no line.
    pub queue_capacity: Option<u32>,
    /// Slowdown factor in force (1 = normal).
    pub slowdown: f64,
    /// Injected error probability in force, on top of the node's own.
    pub injected_error: f64,
    /// Keys held, for an LRU cache.
    pub cache_keys: Option<usize>,
    /// Current arrival rate for an open-loop client.
    pub client_rate: Option<f64>,
    /// A service's instances: ready, booting and draining (`None` for
    /// other kinds).
    #[serde(default)]
    pub instances: Option<super::InstanceCounts>,
    /// What it costs an hour now at the scenario's pricing (`None` for a
    /// client, which costs nothing).
    #[serde(default)]
    pub cost_per_hour: Option<f64>,
    /// A sharded database's busiest shard now: its position, its
    /// connections busy and in all (over its primary and replicas). The
    /// node's own count averages a hot shard away.
    #[serde(default)]
    pub hottest_shard: Option<(u32, u32, u32)>,
    /// A sharded database's shards' utilisation since the warm-up, shard 0
    /// first (the report's `shards`); empty for every other node. Averages
    /// over the run, unlike `hottest_shard`'s count now, so a shard that is
    /// hot all along stands out steadily rather than flickering.
    #[serde(default)]
    pub shard_utilisation: Vec<f64>,
}

/// What the call policies of one edge did since the warm-up, for the
/// app's edge card (the report has the same counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EdgePolicyCounts {
    /// Calls the caller stopped waiting for.
    pub timeouts: u64,
    /// Calls sent again by the edge's retry policy.
    pub retries: u64,
    /// Failed calls its retry budget allowed no retry for.
    pub retries_denied: u64,
    /// Calls its open breaker failed fast.
    pub breaker_open: u64,
    /// Failed calls its fallback answered instead (degraded answers).
    pub fallbacks: u64,
    /// Calls its bulkhead refused at once (`max_concurrent` in flight).
    pub bulkhead_full: u64,
    /// Calls sent over it and not yet answered, now: what its bulkhead
    /// counts against its cap.
    pub in_flight: u32,
    /// Calls that waited for a place in its bulkhead, and calls in its
    /// line now (`bulkhead_wait_ms`).
    pub bulkhead_waited: u64,
    pub waiting: u32,
    /// Second copies its hedging sent, and hedged calls a copy answered
    /// first (see `EdgeReport::hedges`).
    pub hedges: u64,
    pub hedges_won: u64,
}

impl Simulation {
    /// What edge `i`'s timeout, retries, breaker, fallback, bulkhead and
    /// hedging did since the warm-up, and its calls in flight now: a few
    /// counters, cheap enough for every frame.
    pub fn edge_policy_counts(&self, i: usize) -> Option<EdgePolicyCounts> {
        let e = self.edges.get(i)?;
        let c = e.counters.since(&e.total_start.1);
        Some(EdgePolicyCounts {
            timeouts: c.timeouts,
            retries: c.retries,
            retries_denied: c.retries_denied,
            breaker_open: c.breaker_open,
            fallbacks: c.fallbacks,
            bulkhead_full: c.bulkhead_full,
            in_flight: e.in_flight,
            bulkhead_waited: c.bulkhead_waited,
            waiting: e.line.as_ref().map_or(0, |line| u32::try_from(line.len()).unwrap_or(u32::MAX)),
            hedges: c.hedges,
            hedges_won: c.hedges_won,
        })
    }

    /// Where the circuit breaker of edge `i` is now (`None`: no breaker).
    pub fn edge_breaker_state(&self, i: usize) -> Option<super::BreakerState> {
        self.edges.get(i)?.breaker_state(self.now)
    }

    /// The live state of node `i`.
    pub fn node_live(&self, i: usize) -> Option<NodeLive> {
        let n = self.nodes.get(i)?;
        Some(NodeLive {
            down: n.health.down,
            busy: n.busy(),
            workers: n.workers(),
            queue_len: n.queue_len(),
            queue_capacity: n.queue_capacity(),
            slowdown: n.health.slowdown(),
            injected_error: n.health.error_probability(0.0),
            cache_keys: match &n.behaviour {
                Behaviour::Cache { store: store @ super::CacheStore::Lru { .. }, .. } => Some(store.len()),
                _ => None,
            },
            client_rate: self.current_rate(i),
            instances: n.instance_counts(),
            cost_per_hour: self.node_cost_per_hour_now(i),
            hottest_shard: match &n.behaviour {
                Behaviour::Database(db) if db.shards.is_some() => db
                    .servers
                    .chunks(db.replicas + 1)
                    .enumerate()
                    .map(|(k, shard)| {
                        let first = k * (db.replicas + 1);
                        let serving = shard.iter().enumerate().filter(|&(j, _)| db.is_serving(first + j));
                        let (busy, all) = serving.fold((0, 0), |(b, a), (_, s)| (b + s.busy, a + s.workers));
                        (u32::try_from(k).unwrap_or(u32::MAX), busy, all)
                    })
                    .max_by_key(|&(k, busy, _)| (busy, std::cmp::Reverse(k))),
                _ => None,
            },
            shard_utilisation: self.shard_stats(i).iter().map(|s| s.utilisation).collect(),
        })
    }
}
