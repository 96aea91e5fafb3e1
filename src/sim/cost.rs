//! What a run cost, reckoned from its report with the scenario's
//! `pricing`: instance-hours, requests billed by use, and internet egress.
//! Pure arithmetic on what the engine counted, so the app's live rate, the
//! report and the command line's table say the same.

use serde::{Deserialize, Serialize};

use super::metrics::EdgeStats;
use super::report::{EdgeReport, NodeReport};
use crate::scenario::{Crossing, NodeKind, Pricing, ValidScenario};

/// Hours in a month, as cloud bills count them (365 × 24 / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Dollars as a person reads them: whole dollars from $10 (`$73`,
/// `$1,234`), cents from 10 cents (`$1.02`, `$0.42`), two significant
/// digits below (`$0.0031`): a run of a minute costs fractions of a cent.
pub fn usd(amount: f64) -> String {
    if !amount.is_finite() || amount <= 0.0 {
        return "$0".into();
    }
    // Rounded first, so an amount just under a step is written as the
    // step it rounds to (9.996 is "$10", 0.09996 is "$0.10").
    if amount.round() >= 10.0 {
        return format!("${}", super::group_thousands(amount.round() as u64));
    }
    if (amount * 100.0).round() >= 10.0 {
        return format!("${amount:.2}");
    }
    let digits = (1 - amount.log10().floor() as i32).clamp(2, 12) as usize;
    format!("${amount:.digits$}")
}

/// The cost of a run since its warm-up, US dollars.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CostReport {
    /// Whether the prices are the illustrative defaults (the file set no
    /// `pricing` of its own): a figure to compare designs by, not a bill.
    #[serde(default)]
    pub illustrative: bool,
    /// Hours billed: the run since its warm-up.
    pub hours: f64,
    /// Each node that costs anything, in the scenario's order.
    pub nodes: Vec<NodeCost>,
    /// Answers sent to clients over the internet, GB, and their price.
    pub egress_gb: f64,
    pub egress_usd: f64,
    /// Requests and answers sent between zones of a region, GB, and their
    /// price (none unless nodes are placed in zones).
    #[serde(default)]
    pub cross_zone_gb: f64,
    #[serde(default)]
    pub cross_zone_usd: f64,
    /// Requests and answers sent between regions, GB, and their price.
    #[serde(default)]
    pub cross_region_gb: f64,
    #[serde(default)]
    pub cross_region_usd: f64,
    pub total_usd: f64,
    /// The run's average rate, and that rate for a month.
    pub per_hour_usd: f64,
    pub per_month_usd: f64,
}

/// What one node cost.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeCost {
    pub node: String,
    /// Instance-hours billed (instances × hours).
    pub instance_hours: f64,
    /// Its price per instance-hour.
    pub per_instance_hour_usd: f64,
    /// Requests (a queue: messages) billed by use, and their price per million.
    pub requests: u64,
    pub per_million_usd: f64,
    pub usd: f64,
}

/// The instances a node bills for when it keeps no count over time: a
/// database's servers (each shard's primary and replicas), one of
/// anything else but a client (a service's are counted as they run).
pub fn billed_instances(kind: &NodeKind) -> f64 {
    match kind {
        NodeKind::Client(_) => 0.0,
        NodeKind::Database(db) => f64::from((1 + db.read_replicas) * db.shards.max(1)),
        NodeKind::Service(_) | NodeKind::Cache(_) | NodeKind::Queue(_) | NodeKind::LoadBalancer(_) => 1.0,
    }
}

/// A node's prices: per instance-hour (its own from `per_hour_of`, else
/// its kind's) and per million requests.
pub fn node_prices(pricing: &Pricing, id: &str, kind: &NodeKind) -> (f64, f64) {
    let (per_hour, per_million) = match kind {
        NodeKind::Client(_) => (0.0, 0.0),
        NodeKind::Service(_) => (pricing.service_per_hour, pricing.service_per_million_requests),
        NodeKind::Database(_) => (pricing.database_per_hour, 0.0),
        NodeKind::Cache(_) => (pricing.cache_per_hour, 0.0),
        NodeKind::Queue(_) => (pricing.queue_per_hour, pricing.queue_per_million_messages),
        NodeKind::LoadBalancer(_) => (pricing.load_balancer_per_hour, 0.0),
    };
    (pricing.per_hour_of.get(id).copied().unwrap_or(per_hour), per_million)
}

/// Bytes a run sent that are billed, by where they went.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Transfer {
    /// Answers sent to clients: internet egress.
    pub internet: u64,
    /// Requests and answers between zones of one region.
    pub cross_zone: u64,
    /// Requests and answers between regions.
    pub cross_region: u64,
}

impl Transfer {
    /// What the bytes cost at `pricing`, dollars: (internet, cross-zone,
    /// cross-region).
    pub fn usd(&self, pricing: &Pricing) -> (f64, f64, f64) {
        (
            self.internet as f64 / 1e9 * pricing.internet_egress_per_gb,
            self.cross_zone as f64 / 1e9 * pricing.cross_zone_per_gb,
            self.cross_region as f64 / 1e9 * pricing.cross_region_per_gb,
        )
    }

    fn total_usd(&self, pricing: &Pricing) -> f64 {
        let (a, b, c) = self.usd(pricing);
        a + b + c
    }
}

/// The billed bytes of `stats` (one per edge, in the scenario's order):
/// answers to clients go over the internet; between other nodes, what
/// crosses zones or regions is billed both ways, and traffic inside a
/// zone is free. The edges' ends and the placements are the ones the
/// validated scenario resolved once (the app asks every frame).
pub fn transfer<'a>(scenario: &ValidScenario, stats: impl IntoIterator<Item = &'a EdgeStats>) -> Transfer {
    let areas = scenario.areas();
    let mut t = Transfer::default();
    for (&(from, to), s) in scenario.edge_ends().iter().zip(stats) {
        if matches!(scenario.nodes[from].kind, NodeKind::Client(_)) {
            t.internet += s.response_bytes;
            continue;
        }
        let both_ways = s.request_bytes + s.response_bytes;
        match areas.crossing(from, to) {
            Crossing::Zones => t.cross_zone += both_ways,
            Crossing::Regions { .. } => t.cross_region += both_ways,
            Crossing::Local | Crossing::Unplaced => {}
        }
    }
    t
}

/// The cost of a run of `scenario` whose report has `nodes` and `edges`,
/// over `seconds` since the warm-up.
pub fn reckon(scenario: &ValidScenario, nodes: &[NodeReport], edges: &[EdgeReport], seconds: f64) -> CostReport {
    let hours = seconds.max(0.0) / 3600.0;
    let pricing = &scenario.pricing;
    let nodes: Vec<NodeCost> = scenario
        .nodes
        .iter()
        .zip(nodes)
        .filter(|(spec, _)| !matches!(spec.kind, NodeKind::Client(_)))
        .map(|(spec, report)| {
            let (per_hour, per_million) = node_prices(pricing, &spec.id, &spec.kind);
            // A service's instances as counted over the run (autoscaling
            // included, booting and draining billed); else a fixed count.
            let instance_hours =
                report.stats.instances.map_or(billed_instances(&spec.kind) * hours, |i| i.instance_seconds / 3600.0);
            let requests = report.stats.arrivals;
            let usd = instance_hours * per_hour + requests as f64 / 1e6 * per_million;
            NodeCost {
                node: spec.id.clone(),
                instance_hours,
                per_instance_hour_usd: per_hour,
                requests,
                per_million_usd: per_million,
                usd,
            }
        })
        .collect();
    let bytes = transfer(scenario, edges.iter().map(|e| &e.stats));
    let (egress_usd, cross_zone_usd, cross_region_usd) = bytes.usd(pricing);
    let total_usd = nodes.iter().map(|n| n.usd).sum::<f64>() + egress_usd + cross_zone_usd + cross_region_usd;
    let per_hour_usd = if hours > 0.0 { total_usd / hours } else { 0.0 };
    CostReport {
        illustrative: *pricing == Pricing::default(),
        hours,
        nodes,
        egress_gb: bytes.internet as f64 / 1e9,
        egress_usd,
        cross_zone_gb: bytes.cross_zone as f64 / 1e9,
        cross_zone_usd,
        cross_region_gb: bytes.cross_region as f64 / 1e9,
        cross_region_usd,
        total_usd,
        per_hour_usd,
        per_month_usd: per_hour_usd * HOURS_PER_MONTH,
    }
}

impl super::Simulation {
    /// What the design costs an hour now: each node's rate (see
    /// [`Self::node_cost_per_hour_now`]) and the bytes billed in the last
    /// complete window (to clients, across zones and regions) at that pace.
    pub fn cost_per_hour_now(&self) -> f64 {
        let scenario = self.scenario();
        let nodes: f64 = (0..scenario.nodes.len()).filter_map(|i| self.node_cost_per_hour_now(i)).sum();
        let transfer = self.series().frames().back().map_or(0.0, |window| {
            transfer(&self.scenario, &window.edges).total_usd(&scenario.pricing) / (scenario.window_s / 3600.0)
        });
        nodes + transfer
    }

    /// What node `i` costs an hour now: its instances running now at its
    /// price, and the requests it bills by use in the last complete window
    /// at that pace. `None` for a client (and an unknown node).
    pub fn node_cost_per_hour_now(&self, i: usize) -> Option<f64> {
        let scenario = self.scenario();
        let spec = scenario.nodes.get(i).filter(|n| !matches!(n.kind, NodeKind::Client(_)))?;
        let (price, per_million) = node_prices(&scenario.pricing, &spec.id, &spec.kind);
        let running = self.nodes.get(i).and_then(super::node::NodeRuntime::instance_counts);
        let instances = running.map_or_else(|| billed_instances(&spec.kind), |c| f64::from(c.running()));
        let by_use = match self.series().frames().back().and_then(|w| w.nodes.get(i)) {
            Some(window) if per_million > 0.0 => {
                window.arrivals as f64 / 1e6 * per_million / (scenario.window_s / 3600.0)
            }
            _ => 0.0,
        };
        Some(instances * price + by_use)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sharded_database_bills_every_shards_servers() {
        let db = crate::scenario::DatabaseSpec { shards: 4, read_replicas: 1, ..Default::default() };
        assert_eq!(billed_instances(&NodeKind::Database(db)), 8.0, "4 shards of a primary and a replica");
    }

    #[test]
    fn dollars_read_as_a_bill_shows_them() {
        assert_eq!(usd(0.0), "$0");
        assert_eq!(usd(0.003_14), "$0.0031");
        assert_eq!(usd(0.42), "$0.42");
        assert_eq!(usd(1.024), "$1.02");
        assert_eq!(usd(73.000_000_1), "$73");
        assert_eq!(usd(9.996), "$10");
        assert_eq!(usd(0.099_96), "$0.10");
        assert_eq!(usd(1_234.4), "$1,234");
    }
}
