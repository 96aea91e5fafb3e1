//! Automatic layout of the topology: callers left, callees right, in
//! layers (a Sugiyama-style drawing), and a free visible spot for a node
//! added from the palette.
//!
//! Why not a crate: `rust-sugiyama` (the kept layered-layout crate) pulls
//! in petgraph and unwraps internally on inputs our half-edited documents
//! can hold (edges to missing nodes, self-loops); the drawing a learner
//! needs — one column per call depth, few crossings — is the short code
//! below, and it cannot panic or loop on any document.

use eframe::egui::{Pos2, Rect, pos2, vec2};

use super::canvas::geometry::{NODE_SIZE, node_rect};
use crate::scenario::Scenario;

/// Gap between two columns and between two nodes of a column.
const COLUMN_GAP: f32 = 90.0;
const ROW_GAP: f32 = 40.0;
/// Rounds of ordering each column by the mean row of its callers.
const ORDERING_SWEEPS: usize = 4;

/// Canvas positions for every node of `scenario` (same order as its
/// nodes): each node one column right of its furthest caller, columns
/// ordered to keep calls from crossing, centred on the origin row.
pub fn layered_positions(scenario: &Scenario) -> Vec<Pos2> {
    let n = scenario.nodes.len();
    let index = |id: &str| scenario.nodes.iter().position(|x| x.id == id);
    let edges: Vec<(usize, usize)> =
        scenario.edges.iter().filter_map(|e| Some((index(&e.from)?, index(&e.to)?))).filter(|(a, b)| a != b).collect();
    let forward = without_back_edges(n, &edges);

    // Longest path from a node nobody calls: Kahn's order on an acyclic graph.
    let mut incoming = vec![0usize; n];
    for &(_, b) in &forward {
        incoming[b] += 1;
    }
    let mut layer = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).filter(|&i| incoming[i] == 0).collect();
    while let Some(a) = ready.pop() {
        for &(from, to) in &forward {
            if from == a {
                layer[to] = layer[to].max(layer[a] + 1);
                incoming[to] -= 1;
                if incoming[to] == 0 {
                    ready.push(to);
                }
            }
        }
    }

    // Columns, first ordered as the user had them (top to bottom), then by
    // the mean row of each node's callers.
    let columns = layer.iter().max().map_or(0, |m| m + 1);
    let mut column: Vec<Vec<usize>> = vec![Vec::new(); columns];
    let mut by_y: Vec<usize> = (0..n).collect();
    by_y.sort_by(|&a, &b| scenario.nodes[a].pos.1.total_cmp(&scenario.nodes[b].pos.1));
    for i in by_y {
        column[layer[i]].push(i);
    }
    let mut row = vec![0.0f32; n];
    let place = |column: &[Vec<usize>], row: &mut [f32]| {
        for c in column {
            for (k, &i) in c.iter().enumerate() {
                row[i] = k as f32 - (c.len() as f32 - 1.0) / 2.0;
            }
        }
    };
    place(&column, &mut row);
    for _ in 0..ORDERING_SWEEPS {
        for c in column.iter_mut().skip(1) {
            let mean_caller_row = |i: usize| {
                let rows: Vec<f32> = forward.iter().filter(|e| e.1 == i).map(|e| row[e.0]).collect();
                if rows.is_empty() { row[i] } else { rows.iter().sum::<f32>() / rows.len() as f32 }
            };
            let mut keyed: Vec<(f32, usize)> = c.iter().map(|&i| (mean_caller_row(i), i)).collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            *c = keyed.into_iter().map(|(_, i)| i).collect();
        }
        place(&column, &mut row);
    }

    (0..n)
        .map(|i| {
            let x = layer[i] as f32 * (NODE_SIZE.x + COLUMN_GAP);
            let y = row[i] * (NODE_SIZE.y + ROW_GAP);
            pos2(x.round(), y.round())
        })
        .collect()
}

/// The edges of a depth-first walk that do not close a cycle: what is left
/// is acyclic, so layering ends on any document.
fn without_back_edges(n: usize, edges: &[(usize, usize)]) -> Vec<(usize, usize)> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let mut mark = vec![Mark::New; n];
    let mut back = vec![false; edges.len()];
    for start in 0..n {
        if mark[start] != Mark::New {
            continue;
        }
        // (node, next edge to look at), an explicit stack: no recursion depth limit.
        let mut stack = vec![(start, 0usize)];
        mark[start] = Mark::OnPath;
        while let Some((node, next)) = stack.last_mut() {
            let node = *node;
            if let Some((k, &(_, to))) = edges.iter().enumerate().skip(*next).find(|(_, e)| e.0 == node) {
                *next = k + 1;
                match mark[to] {
                    Mark::OnPath => back[k] = true,
                    Mark::New => {
                        mark[to] = Mark::OnPath;
                        stack.push((to, 0));
                    }
                    Mark::Done => {}
                }
            } else {
                mark[node] = Mark::Done;
                stack.pop();
            }
        }
    }
    edges.iter().zip(back).filter(|(_, b)| !b).map(|(e, _)| *e).collect()
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
