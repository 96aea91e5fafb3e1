//! Automatic layout of the topology on the canvas (the pure layering is
//! `scenario::layout`, shared with the exports), and a free visible spot
//! for a node added from the palette.

use eframe::egui::{Pos2, Rect, pos2, vec2};

use super::canvas::geometry::{NODE_SIZE, node_rect};
use crate::scenario::Scenario;

/// Canvas positions for every node of `scenario` (same order as its
/// nodes): [`crate::scenario::layout::layered_positions`] for the canvas's
/// node size.
pub fn layered_positions(scenario: &Scenario) -> Vec<Pos2> {
    crate::scenario::layout::layered_positions(scenario, (NODE_SIZE.x, NODE_SIZE.y))
        .into_iter()
        .map(|(x, y)| pos2(x, y))
        .collect()
}

/// A free spot for a new node: the nearest to `wanted` on a grid of node
/// cells that overlaps no node and lies inside `view`, so a node added from
/// the palette is where the user looks and never on top of another. If the
/// view is full, the nearest free cell outside it.
pub fn free_spot_in_view(wanted: Pos2, taken: &[Pos2], view: Rect) -> Pos2 {
    let step = vec2(NODE_SIZE.x + 30.0, NODE_SIZE.y + 24.0);
    let snap = |p: Pos2| pos2((p.x / 10.0).round() * 10.0, (p.y / 10.0).round() * 10.0);
    let free = |p: Pos2| !taken.iter().any(|t| node_rect(*t).expand(8.0).intersects(node_rect(p)));
    let inside = view.shrink(8.0);
    let mut first_free = None;
    for ring in 0..40i32 {
        let mut cells: Vec<Pos2> = Vec::new();
        for dx in -ring..=ring {
            for dy in -ring..=ring {
                if dx.abs().max(dy.abs()) == ring {
                    cells.push(snap(wanted + vec2(dx as f32 * step.x, dy as f32 * step.y)));
                }
            }
        }
        cells.sort_by(|a, b| (*a - wanted).length().total_cmp(&(*b - wanted).length()));
        for p in cells {
            if free(p) {
                if inside.contains_rect(node_rect(p)) {
                    return p;
                }
                first_free.get_or_insert(p);
            }
        }
    }
    first_free.unwrap_or_else(|| snap(wanted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{EdgeSpec, default_scenario};

    fn overlaps(ps: &[Pos2]) -> bool {
        ps.iter().enumerate().any(|(i, a)| ps[i + 1..].iter().any(|b| node_rect(*a).intersects(node_rect(*b))))
    }

    #[test]
    fn callers_are_left_of_what_they_call_and_nothing_overlaps() {
        let s = default_scenario();
        let ps = layered_positions(&s);
        assert!(!overlaps(&ps));
        for e in &s.edges {
            let (a, b) = (s.node_index(&e.from).expect("from"), s.node_index(&e.to).expect("to"));
            assert!(ps[a].x < ps[b].x, "{} → {}", e.from, e.to);
        }
    }

    #[test]
    fn a_cycle_or_a_dangling_edge_still_gets_a_layout() {
        let mut s = default_scenario();
        let first = s.nodes[0].id.clone();
        let last = s.nodes[s.nodes.len() - 1].id.clone();
        s.edges.push(EdgeSpec::new(last, first.clone()));
        s.edges.push(EdgeSpec::new(first.clone(), "gone"));
        s.edges.push(EdgeSpec::new(first.clone(), first));
        let ps = layered_positions(&s);
        assert_eq!(ps.len(), s.nodes.len());
        assert!(!overlaps(&ps));
        assert!(layered_positions(&crate::scenario::Scenario::default()).is_empty());
    }

    #[test]
    fn five_new_nodes_all_land_in_view_without_overlap() {
        let view = Rect::from_center_size(pos2(0.0, 0.0), vec2(900.0, 600.0));
        let mut taken = vec![pos2(0.0, 0.0)];
        for _ in 0..8 {
            let p = free_spot_in_view(pos2(0.0, 0.0), &taken, view);
            assert!(view.contains_rect(node_rect(p)), "{p:?} is off-screen");
            taken.push(p);
        }
        assert!(!overlaps(&taken));
    }
}
