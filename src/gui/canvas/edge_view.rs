//! Drawing one edge: stroke width by throughput, a red core as wide as the
//! share of failures, an arrow head, and a highlight when selected or
//! hovered. Only drawing; the geometry comes from [`super::geometry`].

use eframe::egui::{Align2, Color32, FontId, Painter, Shape, Stroke, vec2};

use super::super::theme::Palette;
use super::geometry::EdgeGeometry;
use crate::sim::BreakerState;

/// Size of the breaker's label, canvas units (as a node's small text).
const BREAKER_TEXT: f32 = 12.0;

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
}

pub fn paint_edge(painter: &Painter, g: &EdgeGeometry, look: &EdgeLook, pal: &Palette) {
    let a = g.start_in_canvas;
    let b = g.end_in_canvas - g.direction() * 7.0;
    if look.selected || look.hovered {
        let halo = if look.selected { pal.selection } else { pal.selection.gamma_multiply(0.5) };
        painter.line_segment([a, b], Stroke::new(look.width + 5.0, halo));
    }
    let base = if look.pending { pal.edge.gamma_multiply(0.5) } else { pal.edge };
    if look.pending {
        painter.add(Shape::dashed_line(&[a, b], Stroke::new(look.width, base), 8.0, 6.0));
    } else {
        painter.line_segment([a, b], Stroke::new(look.width, base));
    }
    let red = failure_width(look.width, look.error_ratio);
    if red > 0.0 {
        painter.line_segment([a, b], Stroke::new(red, pal.failure));
    }
    let head = g.arrow_head(10.0 + look.width);
    let color = if look.error_ratio > 0.5 { pal.failure } else { base };
    painter.add(Shape::convex_polygon(head.to_vec(), color, Stroke::NONE));
    if let Some(state) = look.breaker {
        paint_breaker(painter, g, state, pal);
    }
}

/// A circuit breaker drawn as a switch in the middle of its edge: a green
/// ring when closed, an amber one with "half-open" while probing, and a red
/// break with "OPEN" while it fails calls fast, so a learner sees from
/// across the room which dependency has been cut off.
fn paint_breaker(painter: &Painter, g: &EdgeGeometry, state: BreakerState, pal: &Palette) {
    let at = g.midpoint();
    let (color, text) = match state {
        BreakerState::Closed => (pal.calm, None),
        BreakerState::HalfOpen => (pal.warm, Some("half-open")),
        BreakerState::Open => (pal.failure, Some("OPEN")),
    };
    let radius = 7.0;
    painter.circle(at, radius, pal.canvas_bg, Stroke::new(2.5, color));
    if state == BreakerState::Open {
        // The switch's blade, lifted: the circuit is cut.
        let d = g.direction();
        let blade = vec2(d.x - d.y, d.y + d.x) * (radius * 0.75);
        painter.line_segment([at - blade, at + blade], Stroke::new(2.5, color));
    } else {
        painter.circle_filled(at, radius * 0.4, color);
    }
    if let Some(text) = text {
        painter.text(at + vec2(0.0, radius + 2.0), Align2::CENTER_TOP, text, FontId::proportional(BREAKER_TEXT), color);
    }
}

/// A dot of the traffic animation.
pub fn dot_color(failed: bool, pal: &Palette) -> Color32 {
    if failed { pal.failure } else { pal.ok_dot }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busier_edges_are_wider_and_the_busiest_widest() {
        assert_eq!(stroke_width(0.0, 1000.0), MIN_WIDTH);
        assert_eq!(stroke_width(1000.0, 1000.0), MAX_WIDTH);
        assert!(stroke_width(100.0, 1000.0) > stroke_width(10.0, 1000.0));
        assert!(stroke_width(100.0, 1000.0) < MAX_WIDTH);
    }

    #[test]
    fn the_red_core_follows_the_failure_share() {
        assert_eq!(failure_width(8.0, 0.0), 0.0);
        assert_eq!(failure_width(8.0, 0.01), 1.5, "a few failures still show");
        assert_eq!(failure_width(8.0, 0.5), 4.0);
        assert_eq!(failure_width(8.0, 2.0), 8.0);
    }
}
