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
    let (_, n) =
        nodes.iter().enumerate().filter(|(_, n)| n.kind != "Client" && troubled(n)).max_by(|(a, x), (b, y)| {
            (depth[*a], local_failures(x), x.stats.utilisation.unwrap_or(0.0).to_bits()).cmp(&(
                depth[*b],
                local_failures(y),
                y.stats.utilisation.unwrap_or(0.0).to_bits(),
            ))
        })?;
    // What the node's pool is called in a real system.
    let (pool, one) = match n.kind.as_str() {
        "Database" => ("connections", "connection"),
        "Queue" => ("consumers", "consumer"),
        _ => ("workers", "worker"),
    };
    let mut parts = Vec::new();
    if let (Some(u), Some(w)) = (n.stats.utilisation, n.workers) {
        let noun =
            if w == 1 { format!("its only {one}") } else { format!("its {} {pool}", group_thousands(u64::from(w))) };
        parts.push(format!("{} of {noun} busy on average", percent(u)));
    }
    for (reason, count) in n.stats.failures.ranked() {
        if matches!(reason, FailureReason::Rejected | FailureReason::NodeDown | FailureReason::Error) {
            let requests = if count == 1 { "request" } else { "requests" };
            parts.push(format!("{} {requests} failed here ({})", group_thousands(count), reason.label()));
        }
    }
    if n.stats.mean_wait_ms > 0.0 {
        parts.push(format!("mean wait for a {one} {:.1} ms", n.stats.mean_wait_ms));
    }
    Some(Bottleneck { node: n.id.clone(), reason: format!("{}: {}", n.id, parts.join("; ")) })
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
    fn counts_are_grouped_by_thousands() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(65_865), "65,865");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn the_bottleneck_sentence_names_the_pool_and_counts() {
        let stats = Stats {
            utilisation: Some(0.79),
            failures: crate::sim::FailureCounts { rejected: 65_865, ..Default::default() },
            mean_wait_ms: 12.34,
            ..Stats::default()
        };
        let node = |id: &str, kind: &str, workers| NodeReport {
            id: id.into(),
            kind: kind.into(),
            workers: Some(workers),
            queue_capacity: None,
            stats: stats.clone(),
        };
        let b = find_bottleneck(&[node("db", "Database", 1)], &[1]).expect("a bottleneck");
        assert_eq!(
            b.reason,
            "db: 79% of its only connection busy on average; 65,865 requests failed here (queue full); mean wait for a connection 12.3 ms"
        );
        let b = find_bottleneck(&[node("q", "Queue", 8)], &[1]).expect("a bottleneck");
        assert!(b.reason.starts_with("q: 79% of its 8 consumers busy"), "{}", b.reason);
    }
}
