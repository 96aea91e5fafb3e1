//! Automatic layout of a topology: callers left, callees right, in layers
//! (a Sugiyama-style drawing). Pure, below the app, so that the app's
//! "Tidy layout" and a headless export of the canvas (`export::canvas_png`)
//! draw a file without positions the same way.
//!
//! Why not a crate: `rust-sugiyama` (the kept layered-layout crate) pulls
//! in petgraph and unwraps internally on inputs our half-edited documents
//! can hold (edges to missing nodes, self-loops); the drawing a learner
//! needs — one column per call depth, few crossings — is the short code
//! below, and it cannot panic or loop on any document.

use super::Scenario;

/// Gap between two columns and between two nodes of a column.
pub const COLUMN_GAP: f32 = 90.0;
pub const ROW_GAP: f32 = 40.0;
/// Rounds of ordering each column by the mean row of its callers.
const ORDERING_SWEEPS: usize = 4;

/// Canvas positions (centres) for every node of `scenario` (same order as its
/// nodes), for nodes of `node_size` (width, height): each node one column right of its furthest caller, columns
/// ordered to keep calls from crossing, centred on the origin row.
pub fn layered_positions(scenario: &Scenario, node_size: (f32, f32)) -> Vec<(f32, f32)> {
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
            let x = layer[i] as f32 * (node_size.0 + COLUMN_GAP);
            let y = row[i] * (node_size.1 + ROW_GAP);
            (x.round(), y.round())
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

/// Whether the file gave the nodes no positions of their own: every node
/// at the same spot (the default is the origin), so a drawing of them
/// needs [`layered_positions`].
pub fn lacks_positions(scenario: &Scenario) -> bool {
    scenario.nodes.windows(2).all(|w| w[0].pos == w[1].pos) && scenario.nodes.len() > 1
}
