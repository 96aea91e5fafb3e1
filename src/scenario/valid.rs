//! A scenario that passed validation, with its references resolved.
//!
//! Validation runs once, here; what it proved is kept in the type. The
//! engine is built from a [`ValidScenario`] and reads node positions from
//! it instead of looking ids up again (and trusting that they exist), and
//! the app validates each edit once and hands the result on.

use std::collections::HashMap;

use super::{Area, Areas, FaultSpec, Problem, Scenario, validate};

/// A [`Scenario`] with no validation problems, and where its references lead.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidScenario {
    scenario: Scenario,
    /// `(from, to)` node positions of each edge, in edge order.
    edge_ends: Vec<(usize, usize)>,
    /// Per fault: the node it acts on (a partition's source) and, for a
    /// partition, the edge it cuts.
    fault_targets: Vec<FaultTarget>,
    /// Where each node runs, and the latencies between zones and regions.
    areas: Areas,
}

/// What a fault-timeline entry acts on, as positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultTarget {
    pub node: usize,
    pub edge: Option<usize>,
    /// The zone or region an outage takes down.
    pub area: Option<Area>,
}

impl ValidScenario {
    /// Validates `scenario`; every problem found, or the scenario with its
    /// references resolved.
    pub fn new(scenario: Scenario) -> Result<ValidScenario, Vec<Problem>> {
        let problems = validate(&scenario);
        if !problems.is_empty() {
            return Err(problems);
        }
        let index: HashMap<&str, usize> = scenario.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
        // Validation proved every id below exists; `unresolved` only keeps
        // this total rather than trusting it with an index panic.
        let position = |id: &str| index.get(id).copied();
        let mut edge_ends = Vec::with_capacity(scenario.edges.len());
        let mut edge_by_ends = HashMap::with_capacity(scenario.edges.len());
        for (k, e) in scenario.edges.iter().enumerate() {
            let (Some(from), Some(to)) = (position(&e.from), position(&e.to)) else {
                return Err(vec![unresolved(&format!("edge {}", k + 1))]);
            };
            edge_ends.push((from, to));
            edge_by_ends.entry((from, to)).or_insert(k);
        }
        let areas = Areas::new(&scenario);
        let mut fault_targets = Vec::with_capacity(scenario.faults.len());
        for (k, f) in scenario.faults.iter().enumerate() {
            if let Some((word, name)) = f.area_ref() {
                // An outage acts on every node of its area; it is logged
                // against the first (validation proved there is one).
                let area = match word {
                    "zone" => areas.zone_index(name).map(Area::Zone),
                    _ => areas.region_index(name).map(Area::Region),
                };
                let Some(area) = area else {
                    return Err(vec![unresolved(&format!("fault {}", k + 1))]);
                };
                // An empty area takes nothing down; node 0 only carries the log line.
                let first = areas.members(area).first().copied().unwrap_or(0);
                fault_targets.push(FaultTarget { node: first, edge: None, area: Some(area) });
                continue;
            }
            let refs: Vec<Option<usize>> = f.node_refs().into_iter().map(position).collect();
            let target = match (f, refs.as_slice()) {
                (FaultSpec::Partition { .. } | FaultSpec::Latency { .. }, [Some(from), Some(to)]) => {
                    FaultTarget { node: *from, edge: edge_by_ends.get(&(*from, *to)).copied(), area: None }
                }
                (_, [Some(node)]) => FaultTarget { node: *node, edge: None, area: None },
                _ => return Err(vec![unresolved(&format!("fault {}", k + 1))]),
            };
            fault_targets.push(target);
        }
        Ok(ValidScenario { scenario, edge_ends, fault_targets, areas })
    }

    /// The scenario itself.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Gives the scenario back.
    pub fn into_scenario(self) -> Scenario {
        self.scenario
    }

    /// `(from, to)` node positions of each edge, in edge order.
    pub fn edge_ends(&self) -> &[(usize, usize)] {
        &self.edge_ends
    }

    /// Where each node runs, and what crossing between them costs.
    pub fn areas(&self) -> &Areas {
        &self.areas
    }

    /// The latency edge `k` has: its own, or its crossing's default.
    pub fn edge_latency(&self, k: usize) -> Option<super::DistributionSpec> {
        let (&(from, to), edge) = (self.edge_ends.get(k)?, self.scenario.edges.get(k)?);
        super::effective_latency(&self.areas, edge.latency.as_ref(), from, to)
    }

    /// What each fault-timeline entry acts on, in timeline order.
    pub fn fault_targets(&self) -> &[FaultTarget] {
        &self.fault_targets
    }
}

impl std::ops::Deref for ValidScenario {
    type Target = Scenario;

    fn deref(&self) -> &Scenario {
        &self.scenario
    }
}

impl TryFrom<Scenario> for ValidScenario {
    type Error = Vec<Problem>;

    fn try_from(scenario: Scenario) -> Result<Self, Self::Error> {
        ValidScenario::new(scenario)
    }
}

/// A reference validation should have caught; reported, never a panic.
fn unresolved(what: &str) -> Problem {
    Problem { path: Vec::new(), message: format!("{what} names a node that does not exist") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::default_scenario;

    #[test]
    fn references_are_resolved_to_positions() {
        let s = default_scenario();
        let valid = ValidScenario::new(s.clone()).expect("the default scenario is valid");
        for (e, &(from, to)) in s.edges.iter().zip(valid.edge_ends()) {
            assert_eq!(s.nodes[from].id, e.from);
            assert_eq!(s.nodes[to].id, e.to);
        }
        assert_eq!(valid.fault_targets().len(), s.faults.len());
    }

    #[test]
    fn an_invalid_scenario_gives_its_problems() {
        let mut s = default_scenario();
        s.edges[0].to = "nowhere".into();
        let problems = ValidScenario::new(s).expect_err("an edge to nowhere");
        assert!(problems.iter().any(|p| p.message.contains("nowhere")), "{problems:?}");
    }
}
