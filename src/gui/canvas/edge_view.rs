//! Drawing one edge: stroke width by throughput, a red core as wide as the
//! share of failures, an arrow head, and a highlight when selected or
//! hovered. Only drawing; the geometry comes from [`super::geometry`].

use eframe::egui::{Color32, CornerRadius, FontId, Painter, Pos2, Rect, Shape, Stroke, Vec2, vec2};

use super::super::theme::{Palette, white_text_fill};
use super::geometry::EdgeGeometry;
use crate::sim::{BreakerState, TargetOut};

/// Size of the breaker's tag, canvas units (as a node's small text).
const BREAKER_TEXT: f32 = super::node_view::SMALL_TEXT;

/// Thinnest and thickest stroke, canvas units.
const MIN_WIDTH: f32 = 1.5;
const MAX_WIDTH: f32 = 8.0;

/// Stroke width for an edge carrying `rate` when the busiest carries
/// `max_rate`: logarithmic, so a 10× busier edge is clearly but not
/// absurdly thicker; the busiest is always the thickest.
pub fn stroke_width(rate: f64, max_rate: f64) -> f32 {
    if rate <= 0.0 || max_rate <= 0.0 {
        return MIN_WIDTH;
    }
    let share = ((1.0 + rate).ln() / (1.0 + max_rate).ln()).clamp(0.0, 1.0) as f32;
    MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * share
}

/// Width of the red core for a share of failures: proportional, but at
/// least visible once anything fails.
pub fn failure_width(width: f32, error_ratio: f64) -> f32 {
    if error_ratio <= 0.0 { 0.0 } else { (width * error_ratio.min(1.0) as f32).max(1.5).min(width) }
}

/// How an edge is drawn.
#[derive(Debug, Clone, Copy)]
pub struct EdgeLook {
    pub width: f32,
    pub error_ratio: f64,
    pub selected: bool,
    pub hovered: bool,
    /// Not in the running simulation (added since the last reset).
    pub pending: bool,
    /// The caller's circuit breaker on this edge, if it has one.
    pub breaker: Option<BreakerState>,
    /// Why the load balancer it starts from sends nothing over it now.
    pub target_out: Option<TargetOut>,
    /// With a bandwidth: the busier direction's share of the last window
    /// spent sending.
    pub link_busy: Option<f64>,
}

impl EdgeLook {
    /// Where traffic stops along the edge (0 to 1): at an open breaker in
    /// its middle, at its start when its balancer took the target out.
    fn traffic_ends_at(&self) -> f32 {
        if self.target_out.is_some() {
            0.0
        } else if self.breaker == Some(BreakerState::Open) {
            0.5
        } else {
            1.0
        }
    }
}

/// What is drawn in the middle of an edge, over the traffic: its breaker,
/// or why its balancer sends nothing over it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EdgeMark {
    Breaker(BreakerState),
    TargetOut(TargetOut),
    /// A link nearly always sending one way: its payloads queue.
    SaturatedLink {
        busy: f64,
    },
}

/// From this share of a window spent sending, a link's tag shows: as the
/// verdict's saturated link.
const SATURATED_LINK: f64 = 0.85;

impl EdgeMark {
    /// The mark an edge drawn with `look` gets, if any: a target taken out
    /// wins, since nothing reaches the breaker then; a breaker that is not
    /// closed comes before a saturated link, which comes before a closed
    /// breaker's plain ring.
    pub fn of(look: &EdgeLook) -> Option<EdgeMark> {
        let tripped = look.breaker.filter(|b| *b != BreakerState::Closed).map(EdgeMark::Breaker);
        let saturated = look.link_busy.filter(|b| *b >= SATURATED_LINK).map(|busy| EdgeMark::SaturatedLink { busy });
        look.target_out.map(EdgeMark::TargetOut).or(tripped).or(saturated).or(look.breaker.map(EdgeMark::Breaker))
    }

    /// Whether it has a tag beside the edge (a closed breaker has none).
    pub fn has_tag(self) -> bool {
        self != EdgeMark::Breaker(BreakerState::Closed)
    }
}

/// Draws the edge: its stroke, red core and arrow head. An open breaker
/// sends nothing on, so the edge past it is drawn faint and dashed, with no
/// red core: the cut shows from across the room. The breaker itself is
/// drawn by [`paint_breaker`], over the traffic dots.
pub fn paint_edge(painter: &Painter, g: &EdgeGeometry, look: &EdgeLook, pal: &Palette) {
    let a = g.start_in_canvas;
    let b = g.end_in_canvas - g.direction() * 7.0;
    let ends_at = look.traffic_ends_at();
    let cut = ends_at < 1.0;
    let live_end = a + (b - a) * ends_at;
    // The faint part's width: an open breaker's edge carries nothing past it.
    let cut_width = look.width.min(2.5);
    if look.selected || look.hovered {
        let halo = if look.selected { pal.selection } else { pal.selection.gamma_multiply(0.5) };
        painter.line_segment([a, live_end], Stroke::new(look.width + 5.0, halo));
        if cut {
            painter.line_segment([live_end, b], Stroke::new(cut_width + 5.0, halo.gamma_multiply(0.5)));
        }
    }
    let base = if look.pending { pal.edge.gamma_multiply(0.5) } else { pal.edge };
    if look.pending {
        painter.add(Shape::dashed_line(&[a, live_end], Stroke::new(look.width, base), 8.0, 6.0));
    } else if ends_at > 0.0 {
        painter.line_segment([a, live_end], Stroke::new(look.width, base));
    }
    let red = failure_width(look.width, look.error_ratio);
    if red > 0.0 && ends_at > 0.0 {
        painter.line_segment([a, live_end], Stroke::new(red, pal.failure));
    }
    let faint = pal.edge.gamma_multiply(0.45);
    if cut {
        painter.add(Shape::dashed_line(&[live_end, b], Stroke::new(cut_width, faint), 6.0, 6.0));
    }
    let head = g.arrow_head(10.0 + look.width);
    let color = if cut {
        faint
    } else if look.error_ratio > 0.5 {
        pal.failure
    } else {
        base
    };
    painter.add(Shape::convex_polygon(head.to_vec(), color, Stroke::NONE));
}

/// Whether a traffic dot at `t` along an edge is drawn: none past an open
/// breaker, which fails every call at once without sending it, and none
/// on an edge whose balancer took its target out.
pub fn dot_shown(look: &EdgeLook, t: f32) -> bool {
    t <= look.traffic_ends_at()
}

/// Radius of the breaker's ring, canvas units.
const BREAKER_RADIUS: f32 = 9.0;
/// Room between the ring and its tag, canvas units.
const TAG_GAP: f32 = 4.0;
/// How far a tag may be moved away from its ring to find free room: steps
/// of [`TAG_STEP`], on either side of the edge.
const TAG_STEPS: u8 = 8;
const TAG_STEP: f32 = 8.0;

/// The room a breaker's ring takes at the middle of its edge.
pub fn breaker_ring(g: &EdgeGeometry) -> Rect {
    Rect::from_center_size(g.midpoint(), Vec2::splat(BREAKER_RADIUS * 2.0 + 2.0))
}

/// A circuit breaker drawn in the middle of its edge, over the traffic and
/// the nodes: a green ring when closed, an amber one with a "half-open"
/// tag while it probes, and a red ring struck through with a "breaker OPEN"
/// tag while it fails calls fast, so a learner sees from across the room
/// which dependency has been cut off. A target its balancer took out gets
/// the struck-through ring too, with "ejected" (amber: outlier ejection,
/// for a while) or "marked down" (red: its health checks failed). The tag
/// is coloured as the node badges are. It sits beside the edge, clear of
/// every edge (and so of the traffic dots) and of what is in `taken`
/// (nodes with their badges and failure lines, rings, tags drawn before),
/// moved further out with a leader line when it must be; its room is
/// added to `taken`.
pub fn paint_mark(
    painter: &Painter,
    g: &EdgeGeometry,
    mark: EdgeMark,
    pal: &Palette,
    taken: &mut Vec<Rect>,
    edges: &[[Pos2; 2]],
) {
    let at = g.midpoint();
    // The tag's fill and text as the node badges have them: white on a
    // darkened red, black on amber.
    let red_tag = |text: &str| Some((text.to_string(), white_text_fill(pal.failure), Color32::WHITE));
    let amber_tag = |text: &str| Some((text.to_string(), pal.warm, Color32::BLACK));
    let (color, text) = match mark {
        EdgeMark::Breaker(BreakerState::Closed) => (pal.calm, None),
        EdgeMark::Breaker(BreakerState::HalfOpen) => (pal.warm, amber_tag("half-open")),
        EdgeMark::Breaker(BreakerState::Open) => (pal.failure, red_tag("breaker OPEN")),
        EdgeMark::TargetOut(TargetOut::Ejected) => (pal.warm, amber_tag("ejected")),
        EdgeMark::TargetOut(TargetOut::MarkedDown) => (pal.failure, red_tag("marked down")),
        EdgeMark::SaturatedLink { busy } => (pal.hot, red_tag(&format!("link {:.0} % busy", busy.min(1.0) * 100.0))),
    };
    let radius = BREAKER_RADIUS;
    let d = g.direction();
    if let Some((text, fill, text_color)) = text {
        let galley = painter.layout_no_wrap(text, FontId::proportional(BREAKER_TEXT), text_color);
        let size = galley.size() + vec2(10.0, 3.0);
        let (tag, moved) = place_tag(at, d, size, taken, edges);
        if moved {
            let from = at + (tag.clamp(at) - at).normalized() * radius;
            painter.line_segment([from, tag.clamp(at)], Stroke::new(1.5, fill));
        }
        painter.rect_filled(tag, CornerRadius::same(7), fill);
        painter.galley(tag.center() - galley.size() / 2.0, galley, text_color);
        taken.push(tag);
    }
    if let EdgeMark::SaturatedLink { .. } = mark {
        // No ring: calls still pass, they wait; the tag says it.
        return;
    }
    painter.circle(at, radius, pal.canvas_bg, Stroke::new(3.0, color));
    match mark {
        EdgeMark::Breaker(BreakerState::Open) | EdgeMark::TargetOut(_) => {
            // Struck through: no call passes.
            let bar = vec2(d.x - d.y, d.y + d.x) * (radius * 0.72);
            painter.line_segment([at - bar, at + bar], Stroke::new(3.0, color));
        }
        EdgeMark::Breaker(BreakerState::HalfOpen) => {
            painter.circle_filled(at, radius * 0.3, color);
        }
        EdgeMark::Breaker(BreakerState::Closed) | EdgeMark::SaturatedLink { .. } => {
            painter.circle_filled(at, radius * 0.45, color);
        }
    }
}

/// Where a tag of `size` goes for the ring at `at` on an edge running along
/// `direction`: beside the edge, above it (right of a vertical one), or
/// below, the nearest place that overlaps nothing in `taken` and crosses no
/// edge; failing that, the place that overlaps least. Also says whether it
/// had to move away from its ring.
fn place_tag(at: Pos2, direction: Vec2, size: Vec2, taken: &[Rect], edges: &[[Pos2; 2]]) -> (Rect, bool) {
    let mut up = vec2(direction.y, -direction.x);
    let vertical = up.y.abs() < 1e-3;
    if (vertical && up.x < 0.0) || (!vertical && up.y > 0.0) {
        up = -up;
    }
    // How far the tag's box reaches towards the edge from its centre.
    let reach = up.x.abs() * size.x / 2.0 + up.y.abs() * size.y / 2.0;
    let mut best: Option<(f32, Rect, bool)> = None;
    for step in 0..=TAG_STEPS {
        for side in [up, -up] {
            let away = BREAKER_RADIUS + TAG_GAP + reach + f32::from(step) * TAG_STEP;
            let tag = Rect::from_center_size(at + side * away, size);
            let cost = crowding(tag.expand(2.0), taken, edges);
            if cost == 0.0 {
                return (tag, step > 0);
            }
            if best.is_none_or(|(c, _, _)| cost < c) {
                best = Some((cost, tag, step > 0));
            }
        }
    }
    best.map_or((Rect::from_center_size(at, size), false), |(_, tag, moved)| (tag, moved))
}

/// How much `r` covers of the rectangles in `taken` (their area in common)
/// and of the edges (the length of each inside it, as a band of dots).
fn crowding(r: Rect, taken: &[Rect], edges: &[[Pos2; 2]]) -> f32 {
    let boxes: f32 = taken.iter().map(|t| r.intersect(*t)).filter(Rect::is_positive).map(|i| i.area()).sum();
    let lines: f32 = edges.iter().map(|[a, b]| length_inside(r, *a, *b) * 8.0).sum();
    boxes + lines
}

/// The length of the segment `a`–`b` inside `r` (Liang–Barsky clipping).
fn length_inside(r: Rect, a: Pos2, b: Pos2) -> f32 {
    let d = b - a;
    let (mut t0, mut t1) = (0.0_f32, 1.0_f32);
    for (p, q) in [(-d.x, a.x - r.min.x), (d.x, r.max.x - a.x), (-d.y, a.y - r.min.y), (d.y, r.max.y - a.y)] {
        if p == 0.0 {
            if q < 0.0 {
                return 0.0;
            }
        } else if p < 0.0 {
            t0 = t0.max(q / p);
        } else {
            t1 = t1.min(q / p);
        }
    }
    if t1 > t0 { (t1 - t0) * d.length() } else { 0.0 }
}

/// A dot of the traffic animation.
pub fn dot_color(failed: bool, pal: &Palette) -> Color32 {
    if failed { pal.failure } else { pal.ok_dot }
}

#[cfg(test)]
mod tests {
    use eframe::egui::pos2;

    use super::*;

    #[test]
    fn busier_edges_are_wider_and_the_busiest_widest() {
        assert_eq!(stroke_width(0.0, 1000.0), MIN_WIDTH);
        assert_eq!(stroke_width(1000.0, 1000.0), MAX_WIDTH);
        assert!(stroke_width(100.0, 1000.0) > stroke_width(10.0, 1000.0));
        assert!(stroke_width(100.0, 1000.0) < MAX_WIDTH);
    }

    /// A breaker's tag is beside its edge at any angle, above it when it
    /// can: its box never reaches the edge's line.
    #[test]
    fn a_breakers_tag_stays_off_its_edge() {
        let size = vec2(90.0, 18.0);
        let at = pos2(500.0, 300.0);
        for deg in (0..360).step_by(15) {
            let a = (deg as f32).to_radians();
            let d = vec2(a.cos(), a.sin());
            let edge = [at - d * 200.0, at + d * 200.0];
            let (tag, moved) = place_tag(at, d, size, &[], &[edge]);
            assert!(!moved, "{deg}°: nothing in the way");
            assert_eq!(length_inside(tag, edge[0], edge[1]), 0.0, "{deg}°: {tag:?}");
            let off = tag.center() - at;
            assert!(off.y < 0.0 || (off.y.abs() < 1e-3 && off.x > 0.0), "{deg}°: above, or right of a vertical edge");
        }
    }

    /// A tag moves off what is in its way: below the edge when a node's
    /// label is above, further out when both sides are taken.
    #[test]
    fn a_breakers_tag_keeps_clear_of_nodes_and_other_edges() {
        let at = pos2(500.0, 300.0);
        let size = vec2(90.0, 18.0);
        let edge = [pos2(300.0, 300.0), pos2(700.0, 300.0)];
        let above = place_tag(at, vec2(1.0, 0.0), size, &[], &[edge]).0;
        assert!(above.max.y < 300.0);
        let label = Rect::from_min_max(pos2(400.0, 250.0), pos2(600.0, 299.0));
        let (below, _) = place_tag(at, vec2(1.0, 0.0), size, &[label], &[edge]);
        assert!(below.min.y > 300.0, "{below:?}");
        // Another edge crossing just below: the tag goes further out.
        let other = [pos2(300.0, 325.0), pos2(700.0, 325.0)];
        let (out, moved) = place_tag(at, vec2(1.0, 0.0), size, &[label], &[edge, other]);
        assert!(moved && out.min.y > 325.0, "{out:?}");
        assert_eq!(crowding(out, &[label], &[edge, other]), 0.0);
    }

    #[test]
    fn a_segment_is_clipped_to_a_rectangle() {
        let r = Rect::from_min_max(pos2(0.0, 0.0), pos2(10.0, 10.0));
        assert!((length_inside(r, pos2(-5.0, 5.0), pos2(15.0, 5.0)) - 10.0).abs() < 1e-4);
        assert!((length_inside(r, pos2(5.0, 5.0), pos2(5.0, 50.0)) - 5.0).abs() < 1e-4);
        assert_eq!(length_inside(r, pos2(-5.0, -5.0), pos2(-1.0, 20.0)), 0.0);
        assert_eq!(length_inside(r, pos2(20.0, 5.0), pos2(30.0, 5.0)), 0.0);
    }

    /// A plain edge's look with its breaker, balancer and link as given.
    fn look(breaker: Option<BreakerState>, target_out: Option<TargetOut>, link_busy: Option<f64>) -> EdgeLook {
        EdgeLook {
            width: 2.0,
            error_ratio: 0.0,
            selected: false,
            hovered: false,
            pending: false,
            breaker,
            target_out,
            link_busy,
        }
    }

    #[test]
    fn no_dot_passes_an_open_breaker() {
        let look = |breaker, target_out| look(breaker, target_out, None);
        assert!(dot_shown(&look(None, None), 0.9) && dot_shown(&look(Some(BreakerState::HalfOpen), None), 0.9));
        assert!(dot_shown(&look(Some(BreakerState::Open), None), 0.3));
        assert!(!dot_shown(&look(Some(BreakerState::Open), None), 0.7));
        assert!(!dot_shown(&look(None, Some(TargetOut::Ejected)), 0.1), "nothing goes to an ejected target");
    }

    #[test]
    fn an_edge_shows_the_mark_that_matters_most() {
        let closed = Some(BreakerState::Closed);
        assert_eq!(EdgeMark::of(&look(closed, None, Some(0.5))), Some(EdgeMark::Breaker(BreakerState::Closed)));
        assert_eq!(
            EdgeMark::of(&look(closed, None, Some(0.93))),
            Some(EdgeMark::SaturatedLink { busy: 0.93 }),
            "a saturated link says so over a quiet breaker"
        );
        assert_eq!(
            EdgeMark::of(&look(Some(BreakerState::Open), None, Some(0.93))),
            Some(EdgeMark::Breaker(BreakerState::Open))
        );
        assert_eq!(
            EdgeMark::of(&look(Some(BreakerState::Open), Some(TargetOut::MarkedDown), None)),
            Some(EdgeMark::TargetOut(TargetOut::MarkedDown))
        );
        assert_eq!(EdgeMark::of(&look(None, None, None)), None);
    }

    #[test]
    fn the_red_core_follows_the_failure_share() {
        assert_eq!(failure_width(8.0, 0.0), 0.0);
        assert_eq!(failure_width(8.0, 0.01), 1.5, "a few failures still show");
        assert_eq!(failure_width(8.0, 0.5), 4.0);
        assert_eq!(failure_width(8.0, 2.0), 8.0);
    }
}
