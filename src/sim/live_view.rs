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
}

impl Simulation {
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
        })
    }
}
