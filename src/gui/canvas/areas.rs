//! Regions and availability zones drawn as labelled areas behind the
//! nodes placed in them: a zone is a box around its nodes, a region a
//! wider box around its zones. An area whose every node is down now is
//! tinted as a down node is, so a zone outage reads at a glance.

use eframe::egui::{self, Align2, Color32, CornerRadius, FontId, Rect, Stroke, pos2};

use super::geometry::node_rect;
use crate::gui::theme::Palette;
use crate::scenario::{Areas, NodeKind, Scenario};

/// Space between a zone's box and its nodes; a region's box keeps this
/// much more around its zones. The top margin holds the label.
const ZONE_MARGIN: f32 = 14.0;
const REGION_MARGIN: f32 = 16.0;
const LABEL_SPACE: f32 = 18.0;

/// One area to draw, in canvas space.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaBox {
    pub label: String,
    pub rect_in_canvas: Rect,
    pub is_region: bool,
    /// Every node placed in it is down now.
    pub down: bool,
}

/// The boxes of `scenario`'s regions (first, to draw underneath) and
/// zones that hold at least one node. `is_down(i)` says whether node `i`
/// is down now.
pub fn area_boxes(scenario: &Scenario, is_down: impl Fn(usize) -> bool) -> Vec<AreaBox> {
    // Most designs place nothing: no resolving every node each frame for them.
    if scenario.regions.is_empty() {
        return Vec::new();
    }
    let areas = Areas::new(scenario);
    if !areas.any_placed() {
        return Vec::new();
    }
    let rect_of = |i: usize| {
        let p = scenario.nodes[i].pos;
        node_rect(pos2(p.0, p.1))
    };
    let framed = |rect: Rect, margin: f32| {
        Rect::from_min_max(rect.min - egui::vec2(margin, margin + LABEL_SPACE), rect.max + egui::vec2(margin, margin))
    };
    // One pass over the nodes: each zone's and each region's members.
    let zone_regions: Vec<usize> = areas.zones().map(|(_, r)| r).collect();
    let mut in_zone: Vec<Vec<usize>> = vec![Vec::new(); zone_regions.len()];
    let mut regional: Vec<Vec<usize>> = vec![Vec::new(); areas.region_names().len()];
    let mut servers_down: Vec<(bool, bool)> = vec![(false, true); areas.region_names().len()];
    for i in 0..scenario.nodes.len() {
        let p = areas.placement(i);
        match (p.zone, p.region) {
            (Some(z), _) => in_zone[z].push(i),
            (None, Some(r)) => regional[r].push(i),
            (None, None) => {}
        }
        if let Some(r) = p.region
            && !is_client(scenario, i)
        {
            let (any, all) = &mut servers_down[r];
            *any = true;
            *all &= is_down(i);
        }
    }
    let mut zones = Vec::new();
    for (z, members) in in_zone.iter().enumerate() {
        let Some(rect) = union(members.iter().map(|&i| rect_of(i))) else { continue };
        let servers: Vec<usize> = members.iter().copied().filter(|&i| !is_client(scenario, i)).collect();
        zones.push((
            zone_regions[z],
            AreaBox {
                label: areas.zone_name(z).to_string(),
                rect_in_canvas: framed(rect, ZONE_MARGIN),
                is_region: false,
                down: !servers.is_empty() && servers.iter().all(|&i| is_down(i)),
            },
        ));
    }
    let mut out = Vec::new();
    for (r, name) in areas.region_names().iter().enumerate() {
        let own = regional[r].iter().map(|&i| framed(rect_of(i), ZONE_MARGIN));
        let inner = zones.iter().filter(|(zr, _)| *zr == r).map(|(_, b)| b.rect_in_canvas);
        let Some(rect) = union(own.chain(inner)) else { continue };
        let (any, all) = servers_down[r];
        out.push(AreaBox {
            label: name.clone(),
            rect_in_canvas: framed(rect, REGION_MARGIN),
            is_region: true,
            down: any && all,
        });
    }
    out.extend(zones.into_iter().map(|(_, b)| b));
    out
}

fn is_client(scenario: &Scenario, i: usize) -> bool {
    matches!(scenario.nodes[i].kind, NodeKind::Client(_))
}

fn union(rects: impl Iterator<Item = Rect>) -> Option<Rect> {
    rects.reduce(Rect::union)
}

/// Draws the boxes (canvas space) under everything else.
pub fn paint_areas(painter: &egui::Painter, boxes: &[AreaBox], pal: &Palette) {
    for b in boxes {
        let (fill, stroke, text) = if b.down {
            (pal.failure.gamma_multiply(0.08), pal.failure, pal.failure)
        } else if b.is_region {
            (Color32::TRANSPARENT, pal.node_subtext.gamma_multiply(0.6), pal.node_subtext)
        } else {
            (pal.node_subtext.gamma_multiply(0.06), pal.node_subtext.gamma_multiply(0.45), pal.node_subtext)
        };
        let radius = if b.is_region { 18 } else { 12 };
        painter.rect(
            b.rect_in_canvas,
            CornerRadius::same(radius),
            fill,
            Stroke::new(if b.is_region { 1.5 } else { 1.0 }, stroke),
            egui::StrokeKind::Inside,
        );
        let label = if b.down { format!("{} · DOWN", b.label) } else { b.label.clone() };
        let size = if b.is_region { 15.0 } else { 13.0 };
        painter.text(
            b.rect_in_canvas.left_top() + egui::vec2(10.0, 4.0),
            Align2::LEFT_TOP,
            label,
            FontId::proportional(size),
            text,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{NodeSpec, RegionSpec, ServiceSpec};

    #[test]
    fn a_region_box_holds_its_zone_boxes() {
        let mut s = Scenario {
            regions: vec![RegionSpec { name: "east".into(), zones: vec!["east-a".into(), "east-b".into()] }],
            ..Scenario::default()
        };
        for (id, zone, x) in [("a", "east-a", 0.0), ("b", "east-b", 400.0)] {
            let mut n = NodeSpec::new(id, NodeKind::Service(ServiceSpec::default())).at((x, 0.0));
            n.zone = Some(zone.into());
            s.nodes.push(n);
        }
        let boxes = area_boxes(&s, |i| i == 0);
        assert_eq!(boxes.len(), 3, "{boxes:?}");
        assert!(boxes[0].is_region && !boxes[0].down);
        for zone in &boxes[1..] {
            assert!(boxes[0].rect_in_canvas.contains_rect(zone.rect_in_canvas));
        }
        assert!(boxes[1].down && !boxes[2].down, "east-a's only node is down");
    }
}
