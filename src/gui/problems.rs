//! Validation problems of the document, sorted by what they concern so the
//! canvas can mark a node and the inspector can show the message next to
//! it. Recomputed when the document changes.

use std::collections::BTreeMap;

use crate::scenario::{PathSegment, Problem, Scenario};

/// Problems by node id, by edge index, by fault-timeline entry, and the rest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocProblems {
    pub nodes: BTreeMap<String, Vec<String>>,
    /// The same node problems with the field each concerns, for the
    /// inspector to show next to that field.
    pub node_fields: BTreeMap<String, Vec<FieldProblem>>,
    pub edges: BTreeMap<usize, Vec<FieldProblem>>,
    pub faults: BTreeMap<usize, Vec<String>>,
    pub other: Vec<String>,
}

/// A message and the field (the last field name of its path) it concerns.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldProblem {
    pub field: Option<&'static str>,
    pub message: String,
}

impl FieldProblem {
    fn of(p: &Problem) -> Self {
        let field = p.path.iter().skip(2).rev().find_map(|s| match s {
            PathSegment::Key(k) => Some(*k),
            PathSegment::Index(_) => None,
        });
        FieldProblem { field, message: p.message.clone() }
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
                out.node_fields.entry(id.clone()).or_default().push(FieldProblem::of(&p));
                out.nodes.entry(id).or_default().push(p.message.clone());
            } else if let Some(i) = p.edge_index() {
                out.edges.entry(i).or_default().push(FieldProblem::of(&p));
            } else if let Some(i) = p.fault_index() {
                out.faults.entry(i).or_default().push(p.message.clone());
            } else {
                out.other.push(p.message.clone());
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
        assert_eq!(p.edges[&0][0].field, Some("drop_probability"));
        assert_eq!(p.node_fields["app-1"][0].field, Some("workers"));
        assert!(p.other.iter().any(|m| m.contains("duration_s")), "{p:?}");
        assert_eq!(p.count(), 3);
        assert_eq!(DocProblems::of(&default_scenario()).count(), 0);
    }
}
