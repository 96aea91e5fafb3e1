//! Validation problems of the document, sorted by what they concern so the
//! canvas can mark a node and the inspector can show the message next to
//! it. Recomputed when the document changes.

use std::collections::BTreeMap;

use crate::scenario::{PathSegment, Problem, Scenario, validate};

/// Problems by node id, by edge index, and the rest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocProblems {
    pub nodes: BTreeMap<String, Vec<String>>,
    pub edges: BTreeMap<usize, Vec<String>>,
    pub other: Vec<String>,
}

impl DocProblems {
    pub fn of(scenario: &Scenario) -> Self {
        let mut out = DocProblems::default();
        for p in validate(scenario) {
            match target(&p) {
                Target::Node(i) if i < scenario.nodes.len() => {
                    out.nodes.entry(scenario.nodes[i].id.clone()).or_default().push(p.message)
                }
                Target::Edge(i) => out.edges.entry(i).or_default().push(p.message),
                _ => out.other.push(p.message),
            }
        }
        out
    }

    pub fn count(&self) -> usize {
        self.nodes.values().map(Vec::len).sum::<usize>()
            + self.edges.values().map(Vec::len).sum::<usize>()
            + self.other.len()
    }
}

enum Target {
    Node(usize),
    Edge(usize),
    Other,
}

/// What a problem's path points at: `[Key("nodes"), Index(i), ..]` is node i.
fn target(p: &Problem) -> Target {
    match p.path.as_slice() {
        [PathSegment::Key("nodes"), PathSegment::Index(i), ..] => Target::Node(*i),
        [PathSegment::Key("edges"), PathSegment::Index(i), ..] => Target::Edge(*i),
        _ => Target::Other,
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
        assert!(p.edges.get(&0).is_some_and(|v| v[0].contains("drop_probability")), "{p:?}");
        assert!(p.other.iter().any(|m| m.contains("duration_s")), "{p:?}");
        assert_eq!(p.count(), 3);
        assert_eq!(DocProblems::of(&default_scenario()).count(), 0);
    }
}
