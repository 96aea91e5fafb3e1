//! Where nodes run: regions, their availability zones, and what it costs
//! in time and money to cross between them.
//!
//! A scenario declares its regions and each region's zones; a node names
//! its `zone` (and so its region), or only a `region` (a regional service,
//! or a client: where its users are). Nodes placed nowhere behave as
//! before zones existed. Placement does three things:
//!
//! - an edge that crosses zones or regions and sets no `latency` of its
//!   own gets the network's one-way latency for that crossing;
//! - bytes that cross zones or regions are billed at their per-GB price;
//! - a `ZoneOutage` or `RegionOutage` fault takes down every node in it.
//!
//! A load balancer with the `Nearest` policy sends each request to the
//! healthy target closest to its sender (the node that called the
//! balancer, or the nearest placed one up the request's chain), by the
//! same latencies: a DNS-style global load balancer.

use serde::{Deserialize, Serialize};

use super::{DistributionSpec, NodeKind, Scenario};

/// A region and its availability zones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionSpec {
    /// The region's name, as nodes and faults name it: `"us-east-1"`.
    pub name: String,
    /// Its availability zones' names, unique across all regions:
    /// `["us-east-1a", "us-east-1b"]`.
    #[serde(default)]
    pub zones: Vec<String>,
}

/// The one-way latencies of crossings between zones and regions, for edges
/// that set none of their own. The defaults are typical of a cloud: about a
/// millisecond round trip between zones of a region, tens of milliseconds
/// between regions of a continent and more across an ocean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkSpec {
    /// Between two zones of one region, ms each way.
    pub cross_zone_ms: f64,
    /// Between two regions, ms each way, unless `between_regions` names
    /// the pair.
    pub cross_region_ms: f64,
    /// Latencies of particular pairs of regions, ms each way (either order).
    pub between_regions: Vec<RegionPair>,
}

impl Default for NetworkSpec {
    fn default() -> Self {
        Self {
            cross_zone_ms: DEFAULT_CROSS_ZONE_MS,
            cross_region_ms: DEFAULT_CROSS_REGION_MS,
            between_regions: Vec::new(),
        }
    }
}

/// Default one-way latency between zones of a region, ms.
pub const DEFAULT_CROSS_ZONE_MS: f64 = 0.5;
/// Default one-way latency between regions, ms.
pub const DEFAULT_CROSS_REGION_MS: f64 = 35.0;

/// The one-way latency between two particular regions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionPair {
    /// The two regions, in either order.
    pub regions: (String, String),
    /// One-way latency between them, ms.
    pub ms: f64,
}

/// Where one node runs, as positions in the scenario's lists of regions
/// and zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Placement {
    pub region: Option<usize>,
    pub zone: Option<usize>,
}

/// What a path between two nodes crosses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Crossing {
    /// At least one end is placed nowhere: nothing is known.
    Unplaced,
    /// Both in one zone (or both only in one region, or one is a client in
    /// the other's region): no added latency, no transfer price.
    Local,
    /// Between zones of one region.
    Zones,
    /// Between regions, with their one-way latency, ms.
    Regions { ms: f64 },
}

/// The scenario's regions and zones resolved: each node's placement and
/// the latencies between them. Built from a scenario without trusting it
/// (unknown names place nothing), so the app can draw an invalid draft.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Areas {
    placements: Vec<Placement>,
    clients: Vec<bool>,
    region_names: Vec<String>,
    /// Zone names, and the region each belongs to.
    zones: Vec<(String, usize)>,
    cross_zone_ms: f64,
    cross_region_ms: f64,
    /// `(region a, region b, ms)` with a < b.
    pairs: Vec<(usize, usize, f64)>,
}

/// An area a fault can take down: a zone or a region, by position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Zone(usize),
    Region(usize),
}

impl Areas {
    /// Resolves `scenario`'s placements.
    pub fn new(scenario: &Scenario) -> Areas {
        let region_names: Vec<String> = scenario.regions.iter().map(|r| r.name.clone()).collect();
        let zones: Vec<(String, usize)> = scenario
            .regions
            .iter()
            .enumerate()
            .flat_map(|(r, spec)| spec.zones.iter().map(move |z| (z.clone(), r)))
            .collect();
        let region_of = |name: &str| region_names.iter().position(|r| r == name);
        let zone_of = |name: &str| zones.iter().position(|(z, _)| z == name);
        let placements = scenario
            .nodes
            .iter()
            .map(|n| {
                let zone = n.zone.as_deref().and_then(zone_of);
                let region = zone.map(|z| zones[z].1).or_else(|| n.region.as_deref().and_then(region_of));
                Placement { region, zone }
            })
            .collect();
        let pairs = scenario
            .network
            .between_regions
            .iter()
            .filter_map(|p| {
                let (a, b) = (region_of(&p.regions.0)?, region_of(&p.regions.1)?);
                Some((a.min(b), a.max(b), p.ms))
            })
            .collect();
        Areas {
            placements,
            clients: scenario.nodes.iter().map(|n| matches!(n.kind, NodeKind::Client(_))).collect(),
            region_names,
            zones,
            cross_zone_ms: scenario.network.cross_zone_ms,
            cross_region_ms: scenario.network.cross_region_ms,
            pairs,
        }
    }

    /// Whether any node is placed anywhere.
    pub fn any_placed(&self) -> bool {
        self.placements.iter().any(|p| p.region.is_some())
    }

    /// Where node `i` runs.
    pub fn placement(&self, i: usize) -> Placement {
        self.placements.get(i).copied().unwrap_or_default()
    }

    /// The name of region `r`.
    pub fn region_name(&self, r: usize) -> &str {
        self.region_names.get(r).map_or("", String::as_str)
    }

    /// The name of zone `z`.
    pub fn zone_name(&self, z: usize) -> &str {
        self.zones.get(z).map_or("", |(name, _)| name.as_str())
    }

    /// The regions' names, in the scenario's order.
    pub fn region_names(&self) -> &[String] {
        &self.region_names
    }

    /// Zone names with their region's position, in the scenario's order.
    pub fn zones(&self) -> impl Iterator<Item = (&str, usize)> {
        self.zones.iter().map(|(z, r)| (z.as_str(), *r))
    }

    /// The zone named `name`.
    pub fn zone_index(&self, name: &str) -> Option<usize> {
        self.zones.iter().position(|(z, _)| z == name)
    }

    /// The region named `name`.
    pub fn region_index(&self, name: &str) -> Option<usize> {
        self.region_names.iter().position(|r| r == name)
    }

    /// The nodes an outage of `area` takes down: those placed in it, but
    /// not clients (their users are not in a data centre).
    pub fn members(&self, area: Area) -> Vec<usize> {
        self.placements
            .iter()
            .enumerate()
            .filter(|&(i, p)| {
                !self.clients[i]
                    && match area {
                        Area::Zone(z) => p.zone == Some(z),
                        Area::Region(r) => p.region == Some(r),
                    }
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// What a path from node `a` to node `b` crosses.
    pub fn crossing(&self, a: usize, b: usize) -> Crossing {
        let (pa, pb) = (self.placement(a), self.placement(b));
        let (Some(ra), Some(rb)) = (pa.region, pb.region) else { return Crossing::Unplaced };
        if ra != rb {
            return Crossing::Regions { ms: self.region_latency_ms(ra, rb) };
        }
        // Users are in the region, not in a zone of it; a regional node
        // (no zone) is reached across zones.
        let either_client =
            self.clients.get(a).copied().unwrap_or(false) || self.clients.get(b).copied().unwrap_or(false);
        match (pa.zone, pb.zone) {
            _ if either_client => Crossing::Local,
            (Some(za), Some(zb)) if za == zb => Crossing::Local,
            (None, None) => Crossing::Local,
            _ => Crossing::Zones,
        }
    }

    /// One-way latency between regions `a` and `b`, ms.
    pub fn region_latency_ms(&self, a: usize, b: usize) -> f64 {
        if a == b {
            return 0.0;
        }
        let (a, b) = (a.min(b), a.max(b));
        self.pairs.iter().find(|p| p.0 == a && p.1 == b).map_or(self.cross_region_ms, |p| p.2)
    }

    /// The one-way latency a path from `a` to `b` adds, ms (0 when local
    /// or unknown).
    pub fn latency_ms(&self, a: usize, b: usize) -> f64 {
        match self.crossing(a, b) {
            Crossing::Unplaced | Crossing::Local => 0.0,
            Crossing::Zones => self.cross_zone_ms,
            Crossing::Regions { ms } => ms,
        }
    }

    /// The latency an edge from `a` to `b` has when it sets none of its
    /// own: a constant one-way delay for a crossing, else none.
    pub fn default_edge_latency(&self, a: usize, b: usize) -> Option<DistributionSpec> {
        let ms = self.latency_ms(a, b);
        (ms > 0.0).then_some(DistributionSpec::Constant { ms })
    }

    /// Whether load balancer `i` with `policy` is a global, DNS-style one:
    /// `Nearest` or `Failover`, in a scenario with placements, and placed
    /// nowhere itself. It is then not a hop of its own: each request it
    /// sends pays the round trip between its client and the target, as a
    /// user's connection to the region DNS named would.
    pub fn is_global_balancer(&self, i: usize, policy: super::LbPolicy) -> bool {
        matches!(policy, super::LbPolicy::Nearest | super::LbPolicy::Failover)
            && self.any_placed()
            && self.placement(i).region.is_none()
    }

    /// How near node `to` is to node `from`, for a `Nearest` balancer: its
    /// one-way latency, with an unplaced end farthest of all.
    pub fn nearness(&self, from: usize, to: usize) -> f64 {
        match self.crossing(from, to) {
            Crossing::Unplaced => f64::INFINITY,
            _ => self.latency_ms(from, to),
        }
    }
}

/// The latency an edge has: its own, or its crossing's default.
pub fn effective_latency(
    areas: &Areas,
    own: Option<&DistributionSpec>,
    from: usize,
    to: usize,
) -> Option<DistributionSpec> {
    own.cloned().or_else(|| areas.default_edge_latency(from, to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{NodeSpec, ServiceSpec};

    fn placed(id: &str, zone: Option<&str>, region: Option<&str>) -> NodeSpec {
        let mut n = NodeSpec::new(id, NodeKind::Service(ServiceSpec::default()));
        n.zone = zone.map(Into::into);
        n.region = region.map(Into::into);
        n
    }

    fn two_regions() -> Scenario {
        Scenario {
            regions: vec![
                RegionSpec { name: "east".into(), zones: vec!["east-a".into(), "east-b".into()] },
                RegionSpec { name: "west".into(), zones: vec!["west-a".into()] },
                RegionSpec { name: "asia".into(), zones: vec![] },
            ],
            network: NetworkSpec {
                between_regions: vec![RegionPair { regions: ("asia".into(), "east".into()), ms: 90.0 }],
                ..NetworkSpec::default()
            },
            nodes: vec![
                placed("a1", Some("east-a"), None),
                placed("a2", Some("east-a"), Some("east")),
                placed("b", Some("east-b"), None),
                placed("regional", None, Some("east")),
                placed("w", Some("west-a"), None),
                placed("x", None, Some("asia")),
                placed("nowhere", None, None),
            ],
            ..Scenario::default()
        }
    }

    #[test]
    fn crossings_follow_zones_and_regions() {
        let areas = Areas::new(&two_regions());
        assert_eq!(areas.crossing(0, 1), Crossing::Local);
        assert_eq!(areas.crossing(0, 2), Crossing::Zones);
        assert_eq!(areas.crossing(0, 3), Crossing::Zones, "a regional node is reached across zones");
        assert_eq!(areas.crossing(0, 4), Crossing::Regions { ms: DEFAULT_CROSS_REGION_MS });
        assert_eq!(areas.crossing(5, 0), Crossing::Regions { ms: 90.0 }, "a named pair, either order");
        assert_eq!(areas.crossing(0, 6), Crossing::Unplaced);
        assert_eq!(areas.default_edge_latency(0, 2), Some(DistributionSpec::Constant { ms: DEFAULT_CROSS_ZONE_MS }));
        assert_eq!(areas.default_edge_latency(0, 1), None);
        assert_eq!(areas.default_edge_latency(0, 6), None);
    }

    #[test]
    fn an_outage_takes_down_what_is_placed_in_the_area() {
        let areas = Areas::new(&two_regions());
        assert_eq!(areas.members(Area::Zone(0)), vec![0, 1]);
        assert_eq!(areas.members(Area::Region(0)), vec![0, 1, 2, 3]);
        assert_eq!(areas.members(Area::Region(2)), vec![5]);
    }
}
