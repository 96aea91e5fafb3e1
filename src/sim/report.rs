//! The result of a run: totals end to end, per node and per edge, and the
//! bottleneck named. This is what `archsim run --json` prints.

use serde::{Deserialize, Serialize};

use super::metrics::{EdgeStats, Stats};
use super::{FailureReason, Simulation};

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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeReport {
    pub id: String,
    /// "Service", "Database", ...
    pub kind: String,
    /// Workers / connections / consumers in all, if the node has a pool.
    pub workers: Option<u32>,
    pub queue_capacity: Option<u32>,
    pub stats: Stats,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EdgeReport {
    pub from: String,
    pub to: String,
    pub stats: EdgeStats,
}

/// Where the design breaks first, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bottleneck {
    pub node: String,
    /// A sentence a learner can read.
    pub reason: String,
}

/// Utilisation from which a pool counts as saturated.
const SATURATED: f64 = 0.85;

impl Simulation {
    /// The report of the run so far.
    pub fn report(&self) -> Report {
        let nodes: Vec<NodeReport> = (0..self.nodes.len())
            .map(|i| {
                let n = &self.nodes[i];
                NodeReport {
                    id: n.id.clone(),
                    kind: self.scenario.nodes[i].kind.label().to_string(),
                    workers: n.workers(),
                    queue_capacity: n.queue_capacity(),
                    stats: n.metrics.total_stats(self.now, n.workers()),
                }
            })
            .collect();
        let edges = self
            .edges
            .iter()
            .map(|e| EdgeReport {
                from: self.nodes[e.from as usize].id.clone(),
                to: self.nodes[e.to as usize].id.clone(),
                stats: e.stats_since(&e.total_start, self.now),
            })
            .collect();
        let depth = self.call_depths();
        let bottleneck = find_bottleneck(&nodes, &depth);
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
        }
    }

    /// How many hops each node is from a client (longest path): deeper
    /// nodes are where blocking callers' troubles start.
    fn call_depths(&self) -> Vec<usize> {
        let mut depth = vec![0usize; self.nodes.len()];
        // The graph is acyclic (validated), so |nodes| relaxation rounds suffice.
        for _ in 0..self.nodes.len() {
            let mut changed = false;
            for e in &self.edges {
                let d = depth[e.from as usize] + 1;
                if d > depth[e.to as usize] {
                    depth[e.to as usize] = d;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        depth
    }
}

/// The saturated or failing node furthest downstream: a blocking caller
/// of a slow node looks saturated too, but the cause is below it.
pub fn find_bottleneck(nodes: &[NodeReport], depth: &[usize]) -> Option<Bottleneck> {
    let local_failures =
        |n: &NodeReport| n.stats.failures.rejected + n.stats.failures.node_down + n.stats.failures.error;
    let troubled = |n: &NodeReport| n.stats.utilisation.is_some_and(|u| u >= SATURATED) || local_failures(n) > 0;
    let (i, n) =
        nodes.iter().enumerate().filter(|(_, n)| n.kind != "Client" && troubled(n)).max_by(|(a, x), (b, y)| {
            (depth[*a], local_failures(x), x.stats.utilisation.unwrap_or(0.0).to_bits()).cmp(&(
                depth[*b],
                local_failures(y),
                y.stats.utilisation.unwrap_or(0.0).to_bits(),
            ))
        })?;
    let _ = i;
    let mut parts = Vec::new();
    if let (Some(u), Some(w)) = (n.stats.utilisation, n.workers) {
        parts.push(format!("{:.0}% of its {w} workers busy on average", u * 100.0));
    }
    for (reason, count) in n.stats.failures.ranked() {
        if matches!(reason, FailureReason::Rejected | FailureReason::NodeDown | FailureReason::Error) {
            parts.push(format!("{count} requests failed here ({})", reason.label()));
        }
    }
    if n.stats.mean_wait_ms > 0.0 {
        parts.push(format!("mean wait for a worker {:.1} ms", n.stats.mean_wait_ms));
    }
    Some(Bottleneck { node: n.id.clone(), reason: format!("{}: {}", n.id, parts.join("; ")) })
}
