//! Drawing one node: a rounded box with an icon per kind, its name, a
//! headline number, the status tint, badges for queue depth, errors and
//! degraded answers, the stacked failure reasons under it (then its
//! degraded answers, in yellow: answered, but not as asked), and the
//! bottleneck mark. Only drawing: what to show is decided by the caller
//! from the live view.

use eframe::egui::{Align2, Color32, CornerRadius, FontId, Painter, Pos2, Rect, Shape, Stroke, StrokeKind, pos2, vec2};

use super::super::live::{HeatLevel, NodeStatus};
use super::super::theme::{Palette, white_text_fill};
use crate::scenario::NodeKind;

/// The size of a node's name, canvas units.
pub const NAME_TEXT: f32 = 15.0;
/// The size of everything else a node says (its live numbers, badges,
/// failure reasons, the bottleneck mark), canvas units: the smallest text
/// on the canvas, which decides how far it may be zoomed out.
pub const SMALL_TEXT: f32 = 12.5;
/// The smallest on-screen size, in points, node text may have: readable
/// from the back of a room. The canvas never zooms out further than
/// [`SMALL_TEXT`] at this size.
pub const MIN_TEXT_POINTS: f32 = 12.0;

/// Everything needed to draw a node.
#[derive(Debug, Clone)]
pub struct NodeLook<'a> {
    pub id: &'a str,
    pub kind: &'a NodeKind,
    /// `None` when the simulation does not know the node (not built, or added since).
    pub status: Option<NodeStatus>,
    pub selected: bool,
    pub hovered: bool,
    /// The bottleneck's tag when it is this node ("BOTTLENECK", or
    /// "FAILING FIRST" for one that fails with its pool idle).
    pub bottleneck: Option<&'static str>,
    /// Requests waiting and the room there is.
    pub queue: Option<(u32, Option<u32>)>,
    pub error_ratio: f64,
    /// Share of its answers a fallback gave (degraded, not failed).
    pub degraded_ratio: f64,
    /// "queue full ×120", largest first.
    pub reasons: Vec<String>,
    /// "degraded ×300 in 10 s", under the reasons, when there were some.
    pub degraded: Option<String>,
    /// "written twice ×12 in 10 s" at a database that applied retried
    /// writes again, under the reasons, in the failure colour.
    pub duplicates: Option<String>,
    /// Validation problems with this node.
    pub problem: bool,
    /// One line of live numbers: "320 rps · p99 12 ms".
    pub headline: Option<String>,
    /// A service with more than one instance (or an autoscaler): drawn as
    /// a stack, with this count on it ("×3", "×3 +2" with two booting).
    pub instances: Option<String>,
}

/// Draws the node into `rect` (canvas units).
pub fn paint_node(painter: &Painter, rect: Rect, look: &NodeLook<'_>, pal: &Palette) {
    let radius = CornerRadius::same(10);
    let status_color = match look.status {
        Some(NodeStatus::Down) => pal.down,
        Some(NodeStatus::Up(level)) => pal.heat(level),
        None => pal.edge,
    };
    let down = look.status == Some(NodeStatus::Down);
    let fill = if down { pal.down_fill } else { pal.node_fill };

    if look.bottleneck.is_some() {
        painter.rect_stroke(
            rect.expand(6.0),
            CornerRadius::same(14),
            Stroke::new(3.0, pal.hot.gamma_multiply(0.6)),
            StrokeKind::Outside,
        );
    }
    if look.selected {
        painter.rect_stroke(
            rect.expand(3.0),
            CornerRadius::same(12),
            Stroke::new(2.5, pal.selection),
            StrokeKind::Outside,
        );
    }
    let hot = matches!(look.status, Some(NodeStatus::Up(HeatLevel::Hot)));
    let outline = Stroke::new(
        if hot || down {
            2.5
        } else if look.hovered {
            2.0
        } else {
            1.5
        },
        status_color,
    );
    if look.instances.is_some() {
        // Two cards behind the box: a stack of identical instances.
        for offset in [8.0, 4.0] {
            let behind = rect.translate(vec2(offset, -offset));
            painter.rect(behind, radius, fill, Stroke::new(1.0, status_color), StrokeKind::Inside);
        }
    }
    painter.rect(rect, radius, fill, outline, StrokeKind::Inside);
    // The status strip on the left edge.
    let strip = Rect::from_min_max(rect.min, pos2(rect.min.x + 7.0, rect.max.y));
    painter.rect_filled(strip, CornerRadius { nw: 10, sw: 10, ne: 0, se: 0 }, status_color);

    let text_color = if down { pal.node_subtext } else { pal.node_text };
    let icon_center = pos2(rect.min.x + 28.0, rect.min.y + 22.0);
    paint_icon(painter, icon_center, 18.0, look.kind, status_color);

    let name_pos = pos2(rect.min.x + 46.0, rect.min.y + 22.0);
    let name = painter.layout_no_wrap(look.id.to_string(), FontId::proportional(NAME_TEXT), text_color);
    // A stack's count sits at the right of the name's row: the line under
    // the name is the headline's, which can be long.
    let count = look
        .instances
        .as_ref()
        .map(|count| painter.layout_no_wrap(count.clone(), FontId::proportional(SMALL_TEXT), text_color));
    let count_w = count.as_ref().map_or(0.0, |c| c.size().x + 8.0);
    let max_name_w = rect.max.x - name_pos.x - 8.0 - count_w;
    if name.size().x <= max_name_w {
        painter.galley(pos2(name_pos.x, name_pos.y - name.size().y / 2.0), name, text_color);
    } else {
        let short: String = look.id.chars().take(((max_name_w / 8.0) as usize).max(3)).collect();
        painter.text(name_pos, Align2::LEFT_CENTER, format!("{short}…"), FontId::proportional(NAME_TEXT), text_color);
    }
    let sub =
        if down { "DOWN".to_string() } else { look.headline.clone().unwrap_or_else(|| look.kind.label().to_string()) };
    painter.text(
        pos2(rect.min.x + 16.0, rect.max.y - 16.0),
        Align2::LEFT_CENTER,
        sub,
        FontId::proportional(SMALL_TEXT),
        if down { pal.down_text } else { pal.node_subtext },
    );

    if let Some(count) = count {
        let at = pos2(rect.max.x - 8.0 - count.size().x, name_pos.y - count.size().y / 2.0);
        painter.galley(at, count, text_color);
    }

    // Badges on the top edge, right aligned: errors, degraded answers,
    // then queue depth.
    let mut right = rect.max.x - 6.0;
    if look.error_ratio > 0.0 {
        right = badge(
            painter,
            right,
            rect.min.y,
            &super::super::format::percent(look.error_ratio),
            white_text_fill(pal.failure),
            Color32::WHITE,
        );
    }
    if look.degraded_ratio > 0.0 {
        let text = format!("{} degraded", super::super::format::percent(look.degraded_ratio));
        right = badge(painter, right, rect.min.y, &text, pal.degraded_badge, Color32::BLACK);
    }
    if let Some((len, cap)) = look.queue
        && len > 0
    {
        let full = cap.is_some_and(|c| len >= c);
        let text = match cap {
            Some(c) => format!("q {len}/{c}"),
            None => format!("q {len}"),
        };
        let (fill, text_color) =
            if full { (white_text_fill(pal.failure), Color32::WHITE) } else { (pal.warm, Color32::BLACK) };
        right = badge(painter, right, rect.min.y, &text, fill, text_color);
    }
    if look.problem {
        badge(painter, right, rect.min.y, "!", white_text_fill(pal.failure), Color32::WHITE);
    }

    if let Some(tag) = look.bottleneck {
        let label_pos = pos2(rect.center().x, rect.min.y - 26.0);
        let galley = painter.layout_no_wrap(tag.into(), FontId::proportional(SMALL_TEXT), Color32::WHITE);
        let pill = Rect::from_center_size(label_pos, galley.size() + vec2(12.0, 4.0));
        painter.rect_filled(pill, CornerRadius::same(8), white_text_fill(pal.hot));
        painter.galley(pill.center() - galley.size() / 2.0, galley, Color32::WHITE);
    }

    // Failure reasons stacked under the box, then the degraded answers.
    for (k, (line, color)) in lines_under(look, pal).enumerate() {
        painter.text(
            pos2(rect.min.x + 4.0, rect.max.y + 6.0 + k as f32 * (SMALL_TEXT + 3.0)),
            Align2::LEFT_TOP,
            line,
            FontId::proportional(SMALL_TEXT),
            color,
        );
    }
}

/// The lines under a node, top down, each with its colour: the failure
/// reasons and writes applied twice in the failure red, then the degraded
/// answers in yellow.
fn lines_under<'a>(look: &'a NodeLook<'_>, pal: &Palette) -> impl Iterator<Item = (&'a String, Color32)> {
    let (failure, degraded) = (pal.failure, pal.degraded);
    look.reasons
        .iter()
        .chain(&look.duplicates)
        .map(move |l| (l, failure))
        .chain(look.degraded.iter().map(move |l| (l, degraded)))
}

/// The room a node takes on the canvas with everything drawn around its
/// box: the badges on its top edge, the bottleneck mark above it and the
/// failure reasons and degraded answers under it, so that a breaker's tag
/// can keep clear of them.
pub fn footprint(painter: &Painter, rect: Rect, look: &NodeLook<'_>, pal: &Palette) -> Rect {
    // Badges stick out half their height above the box; the bottleneck's
    // outline is 6 outside it.
    let mut room = rect.expand(6.0).union(Rect::from_min_max(pos2(rect.min.x, rect.min.y - 10.0), rect.max));
    if look.bottleneck.is_some() {
        room.min.y = rect.min.y - 26.0 - SMALL_TEXT;
    }
    for (k, (line, color)) in lines_under(look, pal).enumerate() {
        // Laid out as `paint_node` draws it, so egui's text cache has it.
        let size = painter.layout_no_wrap(line.clone(), FontId::proportional(SMALL_TEXT), color).size();
        let top = rect.max.y + 6.0 + k as f32 * (SMALL_TEXT + 3.0);
        room = room.union(Rect::from_min_size(pos2(rect.min.x + 4.0, top), size));
    }
    room
}

/// A small pill with text whose right end is at `right`; returns where the
/// next badge should end.
fn badge(painter: &Painter, right: f32, top: f32, text: &str, fill: Color32, text_color: Color32) -> f32 {
    let galley = painter.layout_no_wrap(text.to_string(), FontId::proportional(SMALL_TEXT), text_color);
    let size = galley.size() + vec2(10.0, 3.0);
    let rect = Rect::from_min_size(pos2(right - size.x, top - size.y / 2.0), size);
    painter.rect_filled(rect, CornerRadius::same(7), fill);
    painter.galley(rect.center() - galley.size() / 2.0, galley, text_color);
    rect.min.x - 4.0
}

/// A simple vector icon per kind, drawn with the painter so it is crisp at
/// any zoom and needs no font glyphs.
pub fn paint_icon(painter: &Painter, c: Pos2, size: f32, kind: &NodeKind, color: Color32) {
    let s = size / 2.0;
    let stroke = Stroke::new(1.8, color);
    match kind {
        NodeKind::Client(_) => {
            painter.circle_stroke(c + vec2(0.0, -s * 0.45), s * 0.38, stroke);
            let body = [
                c + vec2(-s * 0.8, s),
                c + vec2(-s * 0.55, s * 0.15),
                c + vec2(s * 0.55, s * 0.15),
                c + vec2(s * 0.8, s),
            ];
            painter.add(Shape::line(body.to_vec(), stroke));
        }
        NodeKind::LoadBalancer(_) => {
            let root = c + vec2(-s, 0.0);
            painter.circle_filled(root, s * 0.22, color);
            for dy in [-0.8, 0.0, 0.8] {
                let end = c + vec2(s, dy * s);
                painter.line_segment([root, end], stroke);
                painter.circle_filled(end, s * 0.18, color);
            }
        }
        NodeKind::Service(_) => {
            for dy in [-0.55, 0.35] {
                let r = Rect::from_center_size(c + vec2(0.0, dy * s), vec2(2.0 * s, 0.75 * s));
                painter.rect_stroke(r, CornerRadius::same(2), stroke, StrokeKind::Middle);
                painter.circle_filled(r.right_center() - vec2(s * 0.3, 0.0), s * 0.1, color);
            }
        }
        NodeKind::Cache(_) => {
            let bolt = vec![
                c + vec2(s * 0.25, -s),
                c + vec2(-s * 0.55, s * 0.15),
                c + vec2(-s * 0.02, s * 0.15),
                c + vec2(-s * 0.25, s),
                c + vec2(s * 0.55, -s * 0.15),
                c + vec2(s * 0.02, -s * 0.15),
                c + vec2(s * 0.25, -s),
            ];
            painter.add(Shape::line(bolt, stroke));
        }
        NodeKind::Queue(_) => {
            for k in 0..4 {
                let x = c.x - s + 0.25 * s + k as f32 * 0.5 * s;
                let r = Rect::from_center_size(pos2(x, c.y), vec2(0.32 * s, 1.6 * s));
                painter.rect_filled(r, CornerRadius::same(1), color.gamma_multiply(1.0 - 0.18 * k as f32));
            }
        }
        NodeKind::Database(_) => {
            let rx = s * 0.85;
            let ry = s * 0.3;
            let top = c + vec2(0.0, -s * 0.7);
            let bottom = c + vec2(0.0, s * 0.7);
            painter.add(Shape::ellipse_stroke(top, vec2(rx, ry), stroke));
            painter.line_segment([top - vec2(rx, 0.0), bottom - vec2(rx, 0.0)], stroke);
            painter.line_segment([top + vec2(rx, 0.0), bottom + vec2(rx, 0.0)], stroke);
            let arc: Vec<Pos2> = (0..=12)
                .map(|k| {
                    let a = std::f32::consts::PI * k as f32 / 12.0;
                    bottom + vec2(-rx * a.cos(), ry * a.sin())
                })
                .collect();
            painter.add(Shape::line(arc, stroke));
        }
    }
}
