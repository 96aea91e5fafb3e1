//! The design as a diagram: each node a rounded box at its place on the
//! app's canvas, with its name and kind, tinted by how busy it was (the
//! app's calm / warm / hot, `diagnosis::heat`), down nodes in red; calls as
//! arrows; zones and regions as boxes around their nodes.
//!
//! Positions are the scenario's own (canvas units, a node's centre); a file
//! that gives none (every node at the origin) is laid out as the app's
//! "Tidy layout" does (`scenario::layout`). The whole drawing is scaled to
//! fit the picture.

use crate::diagnosis::heat::{HeatLevel, error_level, next_level};
use crate::scenario::layout::{lacks_positions, layered_positions};
use crate::scenario::{Areas, NodeKind, Scenario};
use crate::sim::{Simulation, Stats};

use super::ExportError;
use super::raster::{Align, Raster, Rgb};

/// A node's box on the app's canvas, canvas units (`gui::canvas::geometry::NODE_SIZE`).
pub const NODE_SIZE: (f32, f32) = (150.0, 64.0);

/// How large the picture is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CanvasOptions {
    pub width: u32,
    pub height: u32,
}

impl Default for CanvasOptions {
    /// 1200 × 675: a 16:9 slide.
    fn default() -> Self {
        CanvasOptions { width: 1200, height: 675 }
    }
}

/// How one node is tinted.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct NodeShade {
    /// Share of its workers busy (`None`: a node without a pool, a client).
    pub utilisation: Option<f64>,
    /// Share of the requests it received that failed at the node itself.
    pub failing: f64,
    pub down: bool,
}

impl NodeShade {
    fn of(stats: &Stats, down: bool) -> NodeShade {
        // A window's failures may be of requests that arrived in the one before.
        let failing =
            if stats.arrivals > 0 { (stats.failures.local() as f64 / stats.arrivals as f64).min(1.0) } else { 0.0 };
        NodeShade { utilisation: stats.utilisation, failing, down }
    }

    /// Each node over the whole run (the report's figures, since the
    /// warm-up), down if it is down at the end.
    pub fn over_run(sim: &Simulation) -> Vec<NodeShade> {
        let report = sim.report();
        report.nodes.iter().enumerate().map(|(i, n)| NodeShade::of(&n.stats, is_down(sim, i))).collect()
    }

    /// Each node in the last closed window, down if it is down now: what
    /// the app's canvas shows at this moment.
    pub fn now(sim: &Simulation) -> Vec<NodeShade> {
        let last = sim.series().last();
        (0..sim.scenario().nodes.len())
            .map(|i| match last.and_then(|f| f.nodes.get(i)) {
                Some(stats) => NodeShade::of(stats, is_down(sim, i)),
                None => NodeShade { down: is_down(sim, i), ..NodeShade::default() },
            })
            .collect()
    }

    /// The app's tint for it: down, or the worse of its utilisation level
    /// and the share failing at the node.
    fn look(self) -> Look {
        if self.down {
            return Look::Down;
        }
        let busy = next_level(HeatLevel::Calm, self.utilisation.unwrap_or(0.0));
        Look::Up(busy.max(error_level(self.failing)))
    }
}

fn is_down(sim: &Simulation, i: usize) -> bool {
    sim.node_live(i).is_some_and(|l| l.down)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Look {
    Up(HeatLevel),
    Down,
}

/// What one picture of the canvas shows.
#[derive(Debug, Clone)]
pub struct CanvasPicture<'a> {
    pub scenario: &'a Scenario,
    /// In the scenario's node order; a node without one is drawn untinted.
    pub shades: Vec<NodeShade>,
    /// The line under the title (what the tints measure, the clock of an animation).
    pub caption: String,
}

/// The app's light palette (`gui::theme::Palette`), for a white page.
const CALM: Rgb = Rgb(40, 140, 95);
const WARM: Rgb = Rgb(215, 140, 20);
const HOT: Rgb = Rgb(205, 50, 40);
const DOWN: Rgb = Rgb(175, 30, 25);
const NEUTRAL: Rgb = Rgb(130, 140, 160);
const INK: Rgb = Rgb(25, 28, 35);
const SUBTLE: Rgb = Rgb(85, 90, 100);
const EDGE: Rgb = Rgb(130, 140, 160);
const BACKGROUND: Rgb = Rgb(246, 247, 249);
const WHITE: Rgb = Rgb(255, 255, 255);
const AREA: Rgb = Rgb(120, 130, 150);

/// The canvas of the run so far, every node tinted by its figures over the
/// run, as PNG bytes.
pub fn canvas_png(sim: &Simulation, options: &CanvasOptions) -> Result<Vec<u8>, ExportError> {
    let report = sim.report();
    let e = &report.end_to_end;
    let warmup =
        if report.warmup_s > 0.0 { format!(" (after a {:.0} s warm-up)", report.warmup_s) } else { String::new() };
    let caption = format!(
        "busy over {:.0} simulated s{warmup}: {:.0} requests/s ok, {:.1} % failed",
        (report.sim_time_s - report.warmup_s).max(0.0),
        e.throughput_rps,
        e.error_ratio * 100.0
    );
    let picture = CanvasPicture { scenario: sim.scenario(), shades: NodeShade::over_run(sim), caption };
    render_canvas(&picture, options)?.to_png()
}

/// Draws the diagram.
pub fn render_canvas(picture: &CanvasPicture<'_>, options: &CanvasOptions) -> Result<Raster, ExportError> {
    let scenario = picture.scenario;
    let mut r = Raster::new(options.width, options.height, BACKGROUND)?;
    let k = (r.width() / 1200.0).min(r.height() / 675.0).max(0.4);
    let font = |size: f32| (size * k).max(10.0);
    let margin = 20.0 * k;
    r.text(margin, margin + font(24.0), font(24.0), INK, &scenario.name, Align::Left, true);
    let caption = r.fitted(&picture.caption, font(15.0), r.width() - 2.0 * margin);
    r.text(margin, margin + font(24.0) + font(15.0) * 1.6, font(15.0), SUBTLE, &caption, Align::Left, false);
    let legend_h = font(14.0) * 2.4;
    let top = margin + font(24.0) + font(15.0) * 2.6;
    let bottom = r.height() - legend_h - margin * 0.5;
    let legend_baseline = r.height() - margin;
    legend(&mut r, margin, legend_baseline, font(14.0));

    let centres: Vec<(f32, f32)> = if lacks_positions(scenario) {
        layered_positions(scenario, NODE_SIZE)
    } else {
        scenario.nodes.iter().map(|n| n.pos).collect()
    };
    let areas = area_boxes(scenario, &centres);
    let Some(bounds) = centres
        .iter()
        .map(|&(x, y)| [x - NODE_SIZE.0 / 2.0, y - NODE_SIZE.1 / 2.0, x + NODE_SIZE.0 / 2.0, y + NODE_SIZE.1 / 2.0])
        .chain(areas.iter().map(|a| a.rect))
        .reduce(|a, b| [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])])
    else {
        r.text(r.width() / 2.0, f32::midpoint(top, bottom), font(18.0), SUBTLE, "no nodes", Align::Centre, false);
        return Ok(r);
    };
    // Fit the drawing between the title and the legend, never enlarged
    // more than twice (a two-node design should not fill a slide with boxes).
    let (avail_w, avail_h) = (r.width() - 2.0 * margin, bottom - top - margin * 0.5);
    let (bw, bh) = ((bounds[2] - bounds[0]).max(1.0), (bounds[3] - bounds[1]).max(1.0));
    let s = (avail_w / bw).min(avail_h / bh).min(2.0);
    let (ox, oy) = (margin + (avail_w - bw * s) / 2.0 - bounds[0] * s, top + (avail_h - bh * s) / 2.0 - bounds[1] * s);
    let to_px = |(x, y): (f32, f32)| (ox + x * s, oy + y * s);

    for area in &areas {
        let [x0, y0, x1, y1] = area.rect;
        let (a, b) = (to_px((x0, y0)), to_px((x1, y1)));
        let fill = if area.region { Rgb(236, 238, 242) } else { Rgb(228, 232, 238) };
        r.rounded_rect([a.0, a.1, b.0 - a.0, b.1 - a.1], 10.0 * s, Some(fill), Some((AREA, 1.0)));
        r.text(a.0 + 8.0 * s, a.1 + font(12.0) * 1.3, font(12.0), SUBTLE, &area.label, Align::Left, false);
    }

    let half = (NODE_SIZE.0 / 2.0 * s, NODE_SIZE.1 / 2.0 * s);
    for edge in &scenario.edges {
        let (Some(a), Some(b)) = (scenario.node_index(&edge.from), scenario.node_index(&edge.to)) else { continue };
        if a == b {
            continue;
        }
        let (pa, pb) = (to_px(centres[a]), to_px(centres[b]));
        // A call each way between the same two nodes: side by side.
        let both_ways = scenario.edges.iter().any(|e| e.from == edge.to && e.to == edge.from);
        let (dx, dy) = (pb.0 - pa.0, pb.1 - pa.1);
        let len = (dx * dx + dy * dy).sqrt().max(1e-3);
        let shift = if both_ways { 7.0 * s } else { 0.0 };
        let (nx, ny) = (-dy / len * shift, dx / len * shift);
        let from = border_point((pa.0 + nx, pa.1 + ny), (dx, dy), half);
        let to = border_point((pb.0 + nx, pb.1 + ny), (-dx, -dy), half);
        r.arrow(from, to, EDGE, (2.0 * s).max(1.2));
    }

    for (i, node) in scenario.nodes.iter().enumerate() {
        let shade = picture.shades.get(i).copied();
        let (cx, cy) = to_px(centres[i]);
        let rect = [cx - half.0, cy - half.1, half.0 * 2.0, half.1 * 2.0];
        let look = shade.map(NodeShade::look);
        let accent = match look {
            Some(Look::Up(HeatLevel::Calm)) => CALM,
            Some(Look::Up(HeatLevel::Warm)) => WARM,
            Some(Look::Up(HeatLevel::Hot)) => HOT,
            Some(Look::Down) => DOWN,
            None => NEUTRAL,
        };
        let fill = match look {
            Some(Look::Down) => WHITE.mix(DOWN, 0.35),
            _ => WHITE.mix(accent, 0.14),
        };
        r.rounded_rect(rect, 8.0 * s, Some(fill), Some((accent, (3.0 * s).max(1.5))));
        let id_size = (16.0 * s).max(11.0);
        let sub_size = (12.5 * s).max(10.0);
        let inner = half.0 * 2.0 - 12.0 * s;
        let id = r.fitted(&node.id, id_size, inner);
        r.text(cx, cy - half.1 * 0.18, id_size, INK, &id, Align::Centre, true);
        let detail = match (look, shade) {
            (Some(Look::Down), _) => "DOWN".to_string(),
            (_, Some(sh)) => detail_line(&node.kind, sh),
            _ => node.kind.label().to_string(),
        };
        let color = if matches!(look, Some(Look::Down)) { DOWN } else { SUBTLE };
        let detail = r.fitted(&detail, sub_size, inner);
        r.text(cx, cy + half.1 * 0.5, sub_size, color, &detail, Align::Centre, matches!(look, Some(Look::Down)));
    }
    Ok(r)
}

/// "Service · 73 % busy", "Cache · 2 % failing".
fn detail_line(kind: &NodeKind, shade: NodeShade) -> String {
    let mut text = kind.label().to_string();
    if shade.failing >= 0.005 {
        text.push_str(&format!(" · {:.0} % failing", (shade.failing * 100.0).max(1.0)));
    } else if let Some(u) = shade.utilisation {
        text.push_str(&format!(" · {:.0} % busy", u * 100.0));
    }
    text
}

/// Where the ray from a box's centre `c` in direction `d` leaves the box
/// of half-size `half`.
fn border_point(c: (f32, f32), d: (f32, f32), half: (f32, f32)) -> (f32, f32) {
    let tx = if d.0.abs() > 1e-6 { half.0 / d.0.abs() } else { f32::INFINITY };
    let ty = if d.1.abs() > 1e-6 { half.1 / d.1.abs() } else { f32::INFINITY };
    let t = tx.min(ty);
    if t.is_finite() { (c.0 + d.0 * t, c.1 + d.1 * t) } else { c }
}

/// The key to the tints, at the bottom left.
fn legend(r: &mut Raster, x: f32, baseline: f32, size: f32) {
    let mut x = x;
    let entries = [
        (CALM, "under 70 % busy"),
        (WARM, "70 to 90 % busy, or some failing"),
        (HOT, "over 90 % busy, or 5 % failing"),
        (DOWN, "down"),
    ];
    for (color, text) in entries {
        let box_side = size * 0.9;
        let fill = WHITE.mix(color, if color == DOWN { 0.35 } else { 0.14 });
        r.rounded_rect([x, baseline - box_side, box_side, box_side], 2.0, Some(fill), Some((color, 2.0)));
        x += box_side + size * 0.4;
        r.text(x, baseline - size * 0.1, size, SUBTLE, text, Align::Left, false);
        x += r.text_width(text, size) + size * 1.4;
    }
}

/// A zone's or a region's box, canvas units.
struct AreaBox {
    rect: [f32; 4],
    label: String,
    region: bool,
}

/// Boxes around the nodes of each zone, and larger ones around each region.
fn area_boxes(scenario: &Scenario, centres: &[(f32, f32)]) -> Vec<AreaBox> {
    if scenario.regions.is_empty() {
        return Vec::new();
    }
    let areas = Areas::new(scenario);
    let around = |members: &mut dyn Iterator<Item = usize>, margin: f32| {
        members
            .map(|i| {
                let (x, y) = centres[i];
                [x - NODE_SIZE.0 / 2.0, y - NODE_SIZE.1 / 2.0, x + NODE_SIZE.0 / 2.0, y + NODE_SIZE.1 / 2.0]
            })
            .reduce(|a, b| [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])])
            .map(|b| [b[0] - margin, b[1] - margin - 18.0, b[2] + margin, b[3] + margin])
    };
    let n = scenario.nodes.len();
    let mut boxes = Vec::new();
    for (r, name) in areas.region_names().iter().enumerate() {
        if let Some(rect) = around(&mut (0..n).filter(|&i| areas.placement(i).region == Some(r)), 34.0) {
            boxes.push(AreaBox { rect, label: format!("region {name}"), region: true });
        }
    }
    for (z, (name, _)) in areas.zones().enumerate() {
        if let Some(rect) = around(&mut (0..n).filter(|&i| areas.placement(i).zone == Some(z)), 12.0) {
            boxes.push(AreaBox { rect, label: format!("zone {name}"), region: false });
        }
    }
    boxes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edge_leaves_a_box_at_its_border() {
        assert_eq!(border_point((0.0, 0.0), (10.0, 0.0), (75.0, 32.0)), (75.0, 0.0));
        assert_eq!(border_point((0.0, 0.0), (0.0, -5.0), (75.0, 32.0)), (0.0, -32.0));
        assert_eq!(border_point((1.0, 1.0), (0.0, 0.0), (75.0, 32.0)), (1.0, 1.0));
    }

    #[test]
    fn the_tint_is_the_apps() {
        let shade = |u: f64, failing: f64, down: bool| NodeShade { utilisation: Some(u), failing, down }.look();
        assert_eq!(shade(0.5, 0.0, false), Look::Up(HeatLevel::Calm));
        assert_eq!(shade(0.75, 0.0, false), Look::Up(HeatLevel::Warm));
        assert_eq!(shade(0.95, 0.0, false), Look::Up(HeatLevel::Hot));
        assert_eq!(shade(0.1, 0.2, false), Look::Up(HeatLevel::Hot));
        assert_eq!(shade(0.1, 0.0, true), Look::Down);
    }
}
