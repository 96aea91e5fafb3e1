//! Validation problems of the document, sorted by what they concern so the
//! canvas can mark a node and the inspector can show the message next to
//! it. Recomputed when the document changes.

use std::collections::BTreeMap;

use super::format::for_app_font;
use crate::scenario::{PathSegment, Problem, Scenario};

/// Problems by node id, by edge index, by fault-timeline entry, and the rest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocProblems {
    pub nodes: BTreeMap<String, Vec<String>>,
    /// The same node problems with the field each concerns, for the
    /// inspector to show next to that field.
    pub node_fields: BTreeMap<String, Vec<FieldProblem>>,
    pub edges: BTreeMap<usize, Vec<FieldProblem>>,
    pub faults: BTreeMap<usize, Vec<FieldProblem>>,
    /// The run settings' problems and those of the file as a whole, path from the top.
    pub other: Vec<FieldProblem>,
}

/// A message and the path of the field it concerns, from inside the node's
/// `kind` (`[arrivals, rate]`), the edge (`[latency, mean_ms]`) or the
/// fault (`[at_s]`): the path the inspector's rows are keyed by.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldProblem {
    pub path: Vec<PathSegment<'static>>,
    pub message: String,
}

impl FieldProblem {
    fn of(p: &Problem) -> Self {
        // Past `nodes[i]` (and its `kind`), `edges[i]` or `faults[i]`.
        let mut path = p.path.get(2..).unwrap_or_default();
        if let (Some(PathSegment::Key("nodes")), Some(PathSegment::Key("kind"))) = (p.path.first(), path.first()) {
            path = &path[1..];
        }
        FieldProblem { path: path.to_vec(), message: for_app_font(&p.message) }
    }
}

impl DocProblems {
    /// Validates `scenario` and files what it finds.
    pub fn of(scenario: &Scenario) -> Self {
        Self::filed(scenario, &crate::scenario::validate(scenario))
    }

    /// Files `problems`, found by validating `scenario`.
    pub fn filed(scenario: &Scenario, problems: &[Problem]) -> Self {
        let mut out = DocProblems::default();
        for p in problems {
            if let Some(i) = p.node_index().filter(|i| *i < scenario.nodes.len()) {
                let id = scenario.nodes[i].id.clone();
                out.node_fields.entry(id.clone()).or_default().push(FieldProblem::of(p));
                out.nodes.entry(id).or_default().push(for_app_font(&p.message));
            } else if let Some(i) = p.edge_index() {
                out.edges.entry(i).or_default().push(FieldProblem::of(p));
            } else if let Some(i) = p.fault_index() {
                out.faults.entry(i).or_default().push(FieldProblem::of(p));
            } else {
                out.other.push(FieldProblem { path: p.path.clone(), message: for_app_font(&p.message) });
            }
        }
        out
    }

    pub fn count(&self) -> usize {
        self.nodes.values().map(Vec::len).sum::<usize>()
            + self.edges.values().map(Vec::len).sum::<usize>()
            + self.faults.values().map(Vec::len).sum::<usize>()
            + self.other.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{NodeKind, default_scenario};

    #[test]
    fn problems_are_filed_under_their_node_or_edge() {
        let mut s = default_scenario();
        if let NodeKind::Service(sv) = &mut s.nodes[2].kind {
            sv.workers = 0;
        }
        s.edges[0].drop_probability = 2.0;
        s.duration_s = -1.0;
        let p = DocProblems::of(&s);
        assert!(p.nodes.get("app-1").is_some_and(|v| v[0].contains("workers")), "{p:?}");
        assert!(p.edges.get(&0).is_some_and(|v| v[0].message.contains("drop_probability")), "{p:?}");
        assert_eq!(p.edges[&0][0].path, vec![PathSegment::Key("drop_probability")]);
        assert_eq!(p.node_fields["app-1"][0].path, vec![PathSegment::Key("workers")]);
        assert!(p.other.iter().any(|m| m.message.contains("duration_s")), "{p:?}");
        assert_eq!(p.count(), 3);
        assert_eq!(DocProblems::of(&default_scenario()).count(), 0);
    }
}
