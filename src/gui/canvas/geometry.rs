//! Where things are on the canvas, apart from how they are drawn (the
//! split rerun's graph view makes): node boxes, edge lines clipped at the
//! boxes, points along an edge, the canvas ↔ screen transform. Pure
//! functions, unit-tested.

use eframe::egui::emath::TSTransform;
use eframe::egui::{Pos2, Rangef, Rect, Vec2, pos2, vec2};

/// Size of a node's box, canvas units.
pub const NODE_SIZE: Vec2 = vec2(150.0, 64.0);
/// Radius of the handle one drags an edge from.
pub const HANDLE_RADIUS: f32 = 7.0;
/// Sideways offset of each of two edges running in opposite directions.
pub const ANTIPARALLEL_OFFSET: f32 = 8.0;

/// The box of a node whose position (its centre) is `pos_in_canvas`.
pub fn node_rect(pos_in_canvas: Pos2) -> Rect {
    Rect::from_center_size(pos_in_canvas, NODE_SIZE)
}

/// Where the edge handle sits: the middle of the box's right side.
pub fn handle_pos(node_rect_in_canvas: Rect) -> Pos2 {
    node_rect_in_canvas.right_center()
}

/// The point where the segment from the box's centre towards `towards`
/// leaves the box.
pub fn exit_point(rect: Rect, towards: Pos2) -> Pos2 {
    let c = rect.center();
    let d = towards - c;
    if d.x.abs() < f32::EPSILON && d.y.abs() < f32::EPSILON {
        return c;
    }
    let half = rect.size() / 2.0;
    let tx = if d.x.abs() > f32::EPSILON { half.x / d.x.abs() } else { f32::INFINITY };
    let ty = if d.y.abs() > f32::EPSILON { half.y / d.y.abs() } else { f32::INFINITY };
    c + d * tx.min(ty).min(1.0)
}

/// A straight edge between two boxes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EdgeGeometry {
    pub start_in_canvas: Pos2,
    pub end_in_canvas: Pos2,
}

impl EdgeGeometry {
    /// The segment from box `from` to box `to`, moved `offset` units to
    /// its left (so two edges in opposite directions do not overlap).
    /// `None` when the boxes overlap and no visible segment is left.
    pub fn between(from: Rect, to: Rect, offset: f32) -> Option<EdgeGeometry> {
        let dir = to.center() - from.center();
        let len = dir.length();
        if len < 1.0 {
            return None;
        }
        let normal = vec2(dir.y, -dir.x) / len * offset;
        let start = exit_point(from, to.center()) + normal;
        let end = exit_point(to, from.center()) + normal;
        let geometry = EdgeGeometry { start_in_canvas: start, end_in_canvas: end };
        // Overlapping boxes: the clipped segment points backwards.
        if (end - start).dot(dir) <= 0.0 { None } else { Some(geometry) }
    }

    pub fn length(&self) -> f32 {
        (self.end_in_canvas - self.start_in_canvas).length()
    }

    /// Unit vector from start to end.
    pub fn direction(&self) -> Vec2 {
        (self.end_in_canvas - self.start_in_canvas).normalized()
    }

    /// The point a fraction `t` (0 = start, 1 = end) along the edge.
    pub fn point_at(&self, t: f32) -> Pos2 {
        self.start_in_canvas.lerp(self.end_in_canvas, t.clamp(0.0, 1.0))
    }

    pub fn midpoint(&self) -> Pos2 {
        self.point_at(0.5)
    }

    /// Distance from `p` to the segment.
    pub fn distance_to(&self, p_in_canvas: Pos2) -> f32 {
        let ab = self.end_in_canvas - self.start_in_canvas;
        let len2 = ab.length_sq();
        if len2 <= f32::EPSILON {
            return (p_in_canvas - self.start_in_canvas).length();
        }
        let t = ((p_in_canvas - self.start_in_canvas).dot(ab) / len2).clamp(0.0, 1.0);
        (p_in_canvas - (self.start_in_canvas + ab * t)).length()
    }

    /// The three corners of the arrow head at the end.
    pub fn arrow_head(&self, size: f32) -> [Pos2; 3] {
        let d = self.direction();
        let n = vec2(-d.y, d.x);
        let tip = self.end_in_canvas;
        let back = tip - d * size;
        [tip, back + n * size * 0.5, back - n * size * 0.5]
    }
}

/// The transform between canvas units and screen points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CanvasView {
    pub screen_from_canvas: TSTransform,
}

impl CanvasView {
    pub fn screen_from_canvas(&self, pos_in_canvas: Pos2) -> Pos2 {
        self.screen_from_canvas * pos_in_canvas
    }

    pub fn canvas_from_screen(&self, pos_on_screen: Pos2) -> Pos2 {
        self.screen_from_canvas.inverse() * pos_on_screen
    }

    pub fn zoom(&self) -> f32 {
        self.screen_from_canvas.scaling
    }
}

/// The rectangle holding every node box, with a margin; a default area
/// when there are no nodes.
pub fn content_rect(node_positions_in_canvas: impl IntoIterator<Item = Pos2>, margin: f32) -> Rect {
    let mut rect = Rect::NOTHING;
    for p in node_positions_in_canvas {
        rect = rect.union(node_rect(p));
    }
    if rect.is_negative() { Rect::from_min_size(pos2(0.0, 0.0), vec2(900.0, 500.0)) } else { rect.expand(margin) }
}

/// The part of the canvas to show so that `content` (the nodes and a
/// `margin` around them) fills a viewport of `view_size` points as far as
/// `scale_range` (points per canvas unit) allows. At the smallest scale the
/// node text is still readable, so a topology larger than the viewport is
/// not shrunk further: it gives up its margin first, then is shown from its
/// top-left corner, where the clients and so the requests start, and the
/// rest is reached by panning.
pub fn fit_view(content: Rect, margin: f32, view_size: Vec2, scale_range: Rangef) -> Rect {
    let size = view_size / fit_scale(content.size(), view_size, scale_range);
    // Centred when it fits (the offset is then negative).
    let start = |min: f32, len: f32, view: f32| min + ((len - view) / 2.0).min(margin);
    Rect::from_min_size(
        pos2(start(content.min.x, content.width(), size.x), start(content.min.y, content.height(), size.y)),
        size,
    )
}

/// The scale (points per canvas unit) at which `content` fills a viewport
/// of `view_size` points, within `scale_range`.
pub fn fit_scale(content: Vec2, view_size: Vec2, scale_range: Rangef) -> f32 {
    let fitting = (view_size / content).min_elem();
    if fitting.is_finite() && fitting > 0.0 { scale_range.clamp(fitting) } else { scale_range.min }
}

/// The part of the canvas to show in a viewport that now measures
/// `view_size` points, keeping `scale` and the centre of `view`. A panel
/// that grows, a window resized or the UI zoom (which changes how many
/// points the window holds) then changes how much of the canvas is seen,
/// never the size of its text.
pub fn rescaled_view(view: Rect, view_size: Vec2, scale: f32) -> Rect {
    Rect::from_center_size(view.center(), view_size / scale)
}

/// The view rectangle centred on `pos` keeping the size of `current`.
pub fn centred_on(current: Rect, pos_in_canvas: Pos2) -> Rect {
    Rect::from_center_size(pos_in_canvas, current.size())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Pos2, b: Pos2) -> bool {
        (a - b).length() < 1e-3
    }

    #[test]
    fn an_edge_starts_and_ends_at_the_box_borders() {
        let a = node_rect(pos2(0.0, 0.0));
        let b = node_rect(pos2(400.0, 0.0));
        let g = EdgeGeometry::between(a, b, 0.0).expect("visible");
        assert!(close(g.start_in_canvas, pos2(75.0, 0.0)));
        assert!(close(g.end_in_canvas, pos2(325.0, 0.0)));
        assert!(close(g.point_at(0.5), pos2(200.0, 0.0)));
        assert!(close(g.point_at(2.0), g.end_in_canvas), "t is clamped");
        assert!((g.distance_to(pos2(200.0, 10.0)) - 10.0).abs() < 1e-3);
        assert!((g.distance_to(pos2(0.0, 0.0)) - 75.0).abs() < 1e-3);
    }

    #[test]
    fn a_diagonal_edge_leaves_through_the_nearest_side() {
        let a = node_rect(pos2(0.0, 0.0));
        let p = exit_point(a, pos2(0.0, 500.0));
        assert!(close(p, pos2(0.0, 32.0)));
        let q = exit_point(a, pos2(300.0, 300.0));
        assert!((q.y - 32.0).abs() < 1e-3 && (q.x - 32.0).abs() < 1e-3);
    }

    #[test]
    fn opposite_edges_are_offset_to_different_sides() {
        let a = node_rect(pos2(0.0, 0.0));
        let b = node_rect(pos2(400.0, 0.0));
        let there = EdgeGeometry::between(a, b, ANTIPARALLEL_OFFSET).expect("visible");
        let back = EdgeGeometry::between(b, a, ANTIPARALLEL_OFFSET).expect("visible");
        assert!(there.start_in_canvas.y * back.start_in_canvas.y < 0.0);
    }

    #[test]
    fn overlapping_boxes_have_no_edge() {
        let a = node_rect(pos2(0.0, 0.0));
        let b = node_rect(pos2(20.0, 0.0));
        assert!(EdgeGeometry::between(a, b, 0.0).is_none());
    }

    #[test]
    fn the_arrow_head_points_at_the_end() {
        let g = EdgeGeometry { start_in_canvas: pos2(0.0, 0.0), end_in_canvas: pos2(100.0, 0.0) };
        let [tip, l, r] = g.arrow_head(10.0);
        assert!(close(tip, pos2(100.0, 0.0)));
        assert!(close(l, pos2(90.0, 5.0)) && close(r, pos2(90.0, -5.0)));
    }

    #[test]
    fn screen_and_canvas_coordinates_convert_both_ways() {
        let view = CanvasView {
            screen_from_canvas: TSTransform::from_translation(vec2(100.0, 50.0)) * TSTransform::from_scaling(2.0),
        };
        let p = pos2(10.0, 20.0);
        assert!(close(view.screen_from_canvas(p), pos2(120.0, 90.0)));
        assert!(close(view.canvas_from_screen(view.screen_from_canvas(p)), p));
        assert_eq!(view.zoom(), 2.0);
    }

    #[test]
    fn content_rect_wraps_the_nodes_with_a_margin() {
        let r = content_rect([pos2(0.0, 0.0), pos2(300.0, 100.0)], 10.0);
        assert_eq!(r.min, pos2(-85.0, -42.0));
        assert_eq!(r.max, pos2(385.0, 142.0));
    }

    #[test]
    fn a_small_topology_is_fitted_centred_and_a_large_one_from_its_corner() {
        let range = Rangef::new(1.0, 2.0);
        let small = Rect::from_min_size(pos2(0.0, 0.0), vec2(400.0, 200.0));
        let view = fit_view(small, 10.0, vec2(600.0, 600.0), range);
        assert_eq!(view.size(), vec2(400.0, 400.0), "1.5 points per unit: the width fits");
        assert_eq!(view.center(), small.center());
        let tiny = Rect::from_min_size(pos2(0.0, 0.0), vec2(100.0, 50.0));
        assert_eq!(fit_view(tiny, 10.0, vec2(600.0, 600.0), range).size(), vec2(300.0, 300.0), "at most 2×");
        let large = Rect::from_min_size(pos2(-50.0, 10.0), vec2(1000.0, 300.0));
        let view = fit_view(large, 10.0, vec2(500.0, 400.0), range);
        assert_eq!(view.size(), vec2(500.0, 400.0), "never below the readable scale");
        assert_eq!(view.min.x, -40.0, "from the left end (the clients), without the margin");
        assert_eq!(view.center().y, large.center().y, "the height fits: centred");
        let a_little_large = Rect::from_min_size(pos2(0.0, 0.0), vec2(510.0, 300.0));
        let view = fit_view(a_little_large, 10.0, vec2(500.0, 400.0), range);
        assert_eq!(view.min.x, 5.0, "the margins are given up evenly");
    }

    #[test]
    fn a_resized_viewport_keeps_the_scale_and_the_centre() {
        let view = Rect::from_min_size(pos2(0.0, 0.0), vec2(800.0, 400.0));
        let resized = rescaled_view(view, vec2(600.0, 300.0), 1.5);
        assert_eq!(resized.size(), vec2(400.0, 200.0));
        assert_eq!(resized.center(), view.center());
    }
}
