//! What is selected on the canvas: nodes (by id, so a selection survives
//! edits that shift indices) or one edge.

use std::collections::BTreeSet;

use crate::scenario::Scenario;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selection {
    pub nodes: BTreeSet<String>,
    pub edge: Option<usize>,
}

impl Selection {
    pub fn node(id: impl Into<String>) -> Self {
        Self { nodes: BTreeSet::from([id.into()]), edge: None }
    }

    pub fn edge(index: usize) -> Self {
        Self { nodes: BTreeSet::new(), edge: Some(index) }
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.edge.is_none()
    }

    pub fn contains_node(&self, id: &str) -> bool {
        self.nodes.contains(id)
    }

    /// The single selected node, if exactly one is.
    pub fn single_node(&self) -> Option<&str> {
        if self.nodes.len() == 1 { self.nodes.iter().next().map(String::as_str) } else { None }
    }

    /// Drops what no longer exists in `scenario`.
    pub fn retain_existing(&mut self, scenario: &Scenario) {
        self.nodes.retain(|id| scenario.node(id).is_some());
        if self.edge.is_some_and(|e| e >= scenario.edges.len()) {
            self.edge = None;
        }
    }
}
