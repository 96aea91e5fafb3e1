//! The canvas: the topology, alive. Hand-rolled on [`egui::Scene`] (pan and
//! zoom) and the painter. Geometry is computed apart from drawing
//! ([`geometry`]); nodes and edges are drawn by [`node_view`] and
//! [`edge_view`]; the moving dots come from [`traffic_dots`]. Interaction
//! (select, drag, connect, context menu, drop from the palette) turns into
//! [`Command`]s; nothing here changes the document directly.

pub mod areas;
pub mod edge_view;
pub mod geometry;
pub mod node_view;
pub mod traffic_dots;

use std::collections::BTreeMap;

use eframe::egui::{
    self, Color32, CornerRadius, Pos2, Rangef, Rect, Response, Scene, Sense, Stroke, Ui, Vec2, WidgetInfo, pos2, vec2,
};

use self::edge_view::{EdgeLook, EdgeMark, breaker_ring, dot_color, dot_shown, paint_edge, paint_mark, stroke_width};
use self::geometry::{
    ANTIPARALLEL_OFFSET, CanvasView, EdgeGeometry, HANDLE_RADIUS, centred_on, content_rect, fit_view, handle_pos,
    node_rect, rescaled_view,
};
use self::node_view::{NodeLook, footprint, paint_node};
use super::command::{Command, LiveFault};
use super::edits::{PaletteItem, connect_problem};
use super::format;
use super::live::{
    NodeView, Tone, client_degraded_line, client_reason_line, degraded_line, duplicate_line, edge_card, node_card,
    reason_line,
};
use super::runtime::{PendingKey, Runtime};
use super::selection::Selection;
use super::theme::{Palette, white_text_fill};
use crate::scenario::{NodeKind, Scenario};

/// Canvas state kept between frames (not persisted).
#[derive(Debug, Clone)]
pub struct CanvasState {
    /// The part of the canvas in view, canvas units (egui's Scene keeps it).
    pub scene_rect: Rect,
    /// Fit the whole topology into view on the next frame.
    pub fit_pending: bool,
    /// Centre this node on the next frame.
    pub focus: Option<String>,
    /// The node an edge is being dragged from.
    connecting_from: Option<String>,
    /// The transform of the last frame, for drops from the palette.
    pub view: Option<CanvasView>,
    /// The size of the canvas viewport last frame, points: when it changes
    /// the view is refitted or resized to keep its scale.
    viewport_size: Option<Vec2>,
    /// The view is the topology fitted into the viewport and neither the
    /// user (pan, zoom, a node brought into view) nor the UI zoom has
    /// changed it since: it stays fitted when the viewport changes size
    /// (the window opening at its real size, presenter mode's panels).
    fitted: bool,
    /// egui's zoom factor last frame.
    zoom_factor: Option<f32>,
    /// The view to come back to (see [`CanvasState::remember_view_and_fit`]).
    remembered: Option<RememberedView>,
}

/// A view put aside: the part of the canvas shown and the viewport it was
/// shown in, which together give its scale.
#[derive(Debug, Clone, Copy)]
struct RememberedView {
    scene_rect: Rect,
    viewport_size: Option<Vec2>,
    fitted: bool,
}

impl Default for CanvasState {
    fn default() -> Self {
        Self {
            scene_rect: Rect::NOTHING,
            fit_pending: true,
            focus: None,
            connecting_from: None,
            view: None,
            viewport_size: None,
            fitted: false,
            zoom_factor: None,
            remembered: None,
        }
    }
}

impl CanvasState {
    pub fn new() -> Self {
        Self::default()
    }

    /// Puts the current view aside and fits the topology into the canvas
    /// on the next frame (entering presenter mode, where the canvas grows).
    pub fn remember_view_and_fit(&mut self) {
        self.remembered = Some(RememberedView {
            scene_rect: self.scene_rect,
            viewport_size: self.viewport_size,
            fitted: self.fitted,
        });
        self.fit_pending = true;
    }

    /// Comes back to the view put aside, exactly as it was (leaving
    /// presenter mode); nothing happens if none was.
    pub fn restore_view(&mut self) {
        if let Some(r) = self.remembered.take() {
            self.scene_rect = r.scene_rect;
            self.viewport_size = r.viewport_size;
            self.fitted = r.fitted;
            // The last frame's scale is presenter mode's: the Scene takes
            // the scale from the restored view instead.
            self.view = None;
            self.fit_pending = false;
        }
    }
}

/// What the canvas reads.
pub struct CanvasInput<'a> {
    pub scenario: &'a Scenario,
    pub rt: &'a Runtime,
    pub selection: &'a Selection,
    /// Validation messages per node id.
    pub node_problems: &'a BTreeMap<String, Vec<String>>,
    /// Spike factor and seconds for the client's context menu.
    pub spike: (f64, f64),
}

/// Margin around the topology when fitting it into view.
const FIT_MARGIN: f32 = 36.0;

/// The band at the top of the canvas, points, that the banner (bottleneck,
/// pending changes) takes: the topology is fitted under it.
const BANNER_BAND: f32 = 36.0;

/// How far the canvas zooms, in screen points per canvas unit. Never out
/// so far that node text falls below [`node_view::MIN_TEXT_POINTS`]: a
/// topology larger than the canvas is panned, not shrunk to illegible text.
/// Points grow with the UI zoom (Ctrl +), so the canvas grows with it.
pub const SCALE_RANGE: Rangef = Rangef { min: node_view::MIN_TEXT_POINTS / node_view::SMALL_TEXT, max: 2.5 };

/// The part of the canvas the topology takes, with the margin fitting
/// leaves around it.
pub fn topology_rect(scenario: &Scenario) -> Rect {
    let nodes = content_rect(scenario.nodes.iter().map(|n| pos2(n.pos.0, n.pos.1)), FIT_MARGIN);
    // The zones' and regions' boxes and labels reach beyond their nodes.
    areas::area_boxes(scenario, |_| false).iter().fold(nodes, |r, b| r.union(b.rect_in_canvas.expand(FIT_MARGIN / 2.0)))
}

pub fn canvas_ui(ui: &mut Ui, state: &mut CanvasState, input: &CanvasInput<'_>, commands: &mut Vec<Command>) {
    let pal = Palette::of(ui.visuals().dark_mode);
    let outer = ui.max_rect();
    ui.painter().rect_filled(outer, CornerRadius::ZERO, pal.canvas_bg);

    // What egui's Scene will allocate: the rest of the panel.
    let viewport_size = ui.available_size_before_wrap();
    let zoom_factor = ui.ctx().zoom_factor();
    if state.zoom_factor.is_some_and(|last| last != zoom_factor) {
        // Ctrl + should grow the topology, not fit it again.
        state.fitted = false;
    }
    state.zoom_factor = Some(zoom_factor);
    let resized = state.viewport_size.is_some_and(|last| last != viewport_size);
    if state.fit_pending || !state.scene_rect.is_finite() || state.scene_rect.area() <= 0.0 || (resized && state.fitted)
    {
        // Fitted under the band the banner takes, so it covers no node.
        let below_banner = vec2(viewport_size.x, (viewport_size.y - BANNER_BAND).max(1.0));
        let view = fit_view(topology_rect(input.scenario), FIT_MARGIN, below_banner, SCALE_RANGE);
        let band_in_canvas = BANNER_BAND * view.height() / below_banner.y.max(1.0);
        state.scene_rect = Rect::from_min_max(view.min - vec2(0.0, band_in_canvas), view.max);
        state.fit_pending = false;
        state.fitted = true;
    } else if resized
        && let Some(view) = state.view
        && view.zoom() > 0.0
    {
        // The Scene would fit the same part of the canvas into the new
        // viewport, shrinking the topology as the panels grow with the UI
        // zoom; keep its scale instead.
        state.scene_rect = rescaled_view(state.scene_rect, viewport_size, view.zoom());
    }
    state.viewport_size = Some(viewport_size);
    if let Some(id) = state.focus.take()
        && let Some(n) = input.scenario.node(&id)
    {
        state.scene_rect = centred_on(state.scene_rect, pos2(n.pos.0, n.pos.1));
        state.fitted = false;
    }

    let mut hovered_edge = None;
    let scene = Scene::new().zoom_range(SCALE_RANGE).max_inner_size(vec2(100_000.0, 100_000.0));
    let mut scene_rect = state.scene_rect;
    let scene_response = scene.show(ui, &mut scene_rect, |ui| {
        hovered_edge = scene_contents_ui(ui, state, input, &pal, commands);
    });
    if scene_rect != state.scene_rect {
        // Panned or zoomed by hand.
        state.fitted = false;
    }
    state.scene_rect = scene_rect;
    let background = scene_response.response;
    background_interaction(ui, &background, state, input, hovered_edge, commands);

    overlay_ui(ui, outer, input, &pal, commands);
}

/// Draws the topology in canvas units and handles its widgets; returns the
/// edge under the pointer, if any.
fn scene_contents_ui(
    ui: &mut Ui,
    state: &mut CanvasState,
    input: &CanvasInput<'_>,
    pal: &Palette,
    commands: &mut Vec<Command>,
) -> Option<usize> {
    let view = CanvasView { screen_from_canvas: ui.ctx().layer_transform_to_global(ui.layer_id()).unwrap_or_default() };
    state.view = Some(view);
    let pointer_in_canvas = ui.ctx().pointer_latest_pos().map(|p| view.canvas_from_screen(p));
    let scenario = input.scenario;
    let rt = input.rt;
    let painter = ui.painter().clone();

    paint_grid(&painter, ui.clip_rect(), pal);
    let down_now = |i: usize| {
        scenario
            .nodes
            .get(i)
            .and_then(|n| rt.sim_node(&n.id))
            .and_then(|s| rt.live.nodes.get(s))
            .is_some_and(|v| v.live.as_ref().is_some_and(|l| l.down))
    };
    areas::paint_areas(&painter, &areas::area_boxes(scenario, down_now), pal);

    let rects: Vec<Rect> = scenario.nodes.iter().map(|n| node_rect(pos2(n.pos.0, n.pos.1))).collect();
    let rect_of = |id: &str| scenario.node_index(id).map(|i| rects[i]);
    let over_node = pointer_in_canvas.is_some_and(|p| rects.iter().any(|r| r.contains(p)));

    // Edges first, under the nodes.
    let geometries: Vec<Option<EdgeGeometry>> = scenario
        .edges
        .iter()
        .map(|e| {
            let reverse = scenario.edges.iter().any(|o| o.from == e.to && o.to == e.from);
            let offset = if reverse { ANTIPARALLEL_OFFSET } else { 0.0 };
            EdgeGeometry::between(rect_of(&e.from)?, rect_of(&e.to)?, offset)
        })
        .collect();
    let sim_edges: Vec<Option<usize>> = scenario.edges.iter().map(|e| rt.sim_edge(&e.from, &e.to)).collect();
    let max_rate =
        sim_edges.iter().flatten().filter_map(|&i| rt.live.edges.get(i)).map(|f| f.rate_rps).fold(0.0, f64::max);
    let zoom = view.zoom().max(0.01);
    let hovered_edge = if over_node || state.connecting_from.is_some() {
        None
    } else {
        pointer_in_canvas.and_then(|p| {
            geometries
                .iter()
                .enumerate()
                .filter_map(|(i, g)| g.map(|g| (i, g.distance_to(p))))
                .filter(|(_, d)| *d <= 8.0 / zoom)
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(i, _)| i)
        })
    };
    let mut marks = Vec::new();
    for (i, g) in geometries.iter().enumerate() {
        let Some(g) = g else { continue };
        let flow = sim_edges[i].and_then(|s| rt.live.edges.get(s)).copied().unwrap_or_default();
        let look = EdgeLook {
            width: stroke_width(flow.rate_rps, max_rate),
            error_ratio: flow.error_ratio,
            selected: input.selection.edge == Some(i),
            hovered: hovered_edge == Some(i),
            pending: sim_edges[i].is_none(),
            // Drawn closed before the run starts, so the design shows it.
            breaker: flow.breaker.or(scenario.edges[i].breaker.map(|_| crate::sim::BreakerState::Closed)),
            target_out: flow.target_out,
            link_busy: flow.link.and_then(|l| match (l.forward_busy, l.back_busy) {
                (Some(f), Some(b)) => Some(f.max(b)),
                (f, b) => f.or(b),
            }),
        };
        paint_edge(&painter, g, &look, pal);
        if let Some(s) = sim_edges[i] {
            for d in rt.dots.dots(s).iter().filter(|d| dot_shown(&look, d.t)) {
                painter.circle_filled(g.point_at(d.t), if d.failed { 3.5 } else { 3.0 }, dot_color(d.failed, pal));
            }
        }
        if let Some(mark) = EdgeMark::of(&look) {
            marks.push((g, mark));
        }
    }

    // The edge being drawn from a handle.
    if let (Some(from), Some(p)) = (&state.connecting_from, pointer_in_canvas)
        && let Some(r) = rect_of(from)
    {
        let target = scenario.nodes.iter().zip(&rects).find(|(n, r)| r.contains(p) && n.id != *from);
        let ok = target.is_some_and(|(n, _)| connect_problem(scenario, from, &n.id).is_none());
        let color = if target.is_some() && !ok { pal.failure } else { pal.handle };
        painter.line_segment([handle_pos(r), p], Stroke::new(2.0, color));
        if let Some((_, tr)) = target {
            painter.rect_stroke(
                tr.expand(4.0),
                CornerRadius::same(12),
                Stroke::new(2.0, color),
                egui::StrokeKind::Outside,
            );
        }
    }

    let bottleneck = rt.live.bottleneck().map(|b| (b.node.clone(), b.tag()));
    // What a breaker's tag keeps clear of: the nodes with their labels, and
    // the marks' rings. A closed breaker has no tag.
    let tags = marks.iter().any(|(_, mark)| mark.has_tag());
    let mut taken: Vec<Rect> = marks.iter().map(|(g, _)| breaker_ring(g)).collect();
    for (i, node) in scenario.nodes.iter().enumerate() {
        let rect = rects[i];
        let response = ui.interact(rect, ui.scope_id().with(("node", &node.id)), Sense::click_and_drag());
        let label = format!("node {}", node.id);
        response.widget_info(|| WidgetInfo::labeled(egui::Role::Button, true, &label));
        node_interaction(ui, &response, node.id.as_str(), input, commands);

        let sim_i = rt.sim_node(&node.id);
        let view_i = sim_i.and_then(|s| rt.live.nodes.get(s));
        let look = NodeLook {
            id: &node.id,
            kind: &node.kind,
            status: view_i.map(NodeView::status),
            selected: input.selection.contains_node(&node.id),
            hovered: response.hovered(),
            bottleneck: bottleneck.as_ref().filter(|(id, _)| *id == node.id).map(|(_, tag)| *tag),
            queue: view_i.and_then(|v| v.queue_badge().map(|q| (q, v.live.as_ref().and_then(|l| l.queue_capacity)))),
            error_ratio: view_i.map_or(0.0, NodeView::error_ratio),
            degraded_ratio: view_i.map_or(0.0, NodeView::degraded_ratio),
            duplicates: view_i.map(|v| v.reasons.duplicate_writes()).filter(|n| *n > 0).map(duplicate_line),
            degraded: view_i.map(|v| v.reasons.degraded()).filter(|n| *n > 0).map(|n| {
                if matches!(node.kind, NodeKind::Client(_)) { client_degraded_line(n) } else { degraded_line(n) }
            }),
            reasons: view_i
                .map(|v| {
                    let client = matches!(node.kind, NodeKind::Client(_));
                    v.reasons
                        .top(3)
                        .into_iter()
                        .map(|(r, c)| {
                            if client {
                                // What the users saw: "239 failed in 10 s: down".
                                client_reason_line(r, c)
                            } else {
                                reason_line(r, c)
                            }
                        })
                        .collect()
                })
                .unwrap_or_default(),
            problem: input.node_problems.contains_key(&node.id),
            headline: view_i.and_then(|v| headline(&node.kind, v)),
            instances: instances_mark(&node.kind, view_i.and_then(|v| v.live.as_ref()).and_then(|l| l.instances)),
        };
        paint_node(&painter, rect, &look, pal);
        if tags {
            taken.push(footprint(&painter, rect, &look, pal));
        }

        // The handle to draw an edge from: shown on hover and selection.
        let handle_rect = Rect::from_center_size(handle_pos(rect), egui::Vec2::splat(HANDLE_RADIUS * 2.4));
        let handle = ui.interact(handle_rect, ui.scope_id().with(("handle", &node.id)), Sense::drag());
        let handle_label = format!("connect from {}", node.id);
        handle.widget_info(|| WidgetInfo::labeled(egui::Role::Button, true, &handle_label));
        let show_handle = response.hovered() || handle.hovered() || look.selected || state.connecting_from.is_some();
        if show_handle && node.kind.component().makes_calls() {
            painter.circle(handle_pos(rect), HANDLE_RADIUS, pal.node_fill, Stroke::new(2.0, pal.handle));
            painter.circle_filled(handle_pos(rect), HANDLE_RADIUS * 0.45, pal.handle);
        }
        let handle = handle.on_hover_text("Drag to another node to make this one call it");
        if handle.drag_started() {
            state.connecting_from = Some(node.id.clone());
        }
        if handle.drag_stopped() {
            if let Some(p) = pointer_in_canvas
                && let Some(target) = scenario.nodes.iter().zip(&rects).find(|(n, r)| r.contains(p) && n.id != node.id)
            {
                commands.push(Command::Connect { from: node.id.clone(), to: target.0.id.clone() });
            }
            state.connecting_from = None;
        }
    }

    // Breakers and taken-out targets last, over the dots and the nodes, so
    // nothing hides one.
    let lines: Vec<[Pos2; 2]> = if tags {
        geometries.iter().flatten().map(|g| [g.start_in_canvas, g.end_in_canvas]).collect()
    } else {
        Vec::new()
    };
    for (g, mark) in marks {
        paint_mark(&painter, g, mark, pal, &mut taken, &lines);
    }
    hovered_edge
}

/// Faint grid lines in the visible part of the canvas.
fn paint_grid(painter: &egui::Painter, visible_in_canvas: Rect, pal: &Palette) {
    const STEP: f32 = 50.0;
    if !visible_in_canvas.is_finite() || visible_in_canvas.width() / STEP > 400.0 {
        return;
    }
    let stroke = Stroke::new(1.0, pal.grid);
    let mut x = (visible_in_canvas.min.x / STEP).floor() * STEP;
    while x <= visible_in_canvas.max.x {
        painter.line_segment([pos2(x, visible_in_canvas.min.y), pos2(x, visible_in_canvas.max.y)], stroke);
        x += STEP;
    }
    let mut y = (visible_in_canvas.min.y / STEP).floor() * STEP;
    while y <= visible_in_canvas.max.y {
        painter.line_segment([pos2(visible_in_canvas.min.x, y), pos2(visible_in_canvas.max.x, y)], stroke);
        y += STEP;
    }
}

/// The live line under a node's name: what it does right now.
fn headline(kind: &NodeKind, v: &super::live::NodeView) -> Option<String> {
    let s = v.recent.as_ref()?;
    let rate = match kind {
        NodeKind::Client(_) => v.live.as_ref().and_then(|l| l.client_rate).unwrap_or(s.arrival_rate_rps),
        _ => s.arrival_rate_rps,
    };
    let mut text = format::rate(rate);
    if s.latency.count > 0 && !matches!(kind, NodeKind::Queue(_)) {
        text.push_str(&format!(" · p99 {}", format::ms(s.latency.p99_ms)));
    }
    if let Some(u) = s.utilisation {
        text = format!("{} · {} busy", format::rate(s.arrival_rate_rps), format::percent(u));
    }
    Some(text)
}

/// Click, shift-click, drag, hover card and context menu of a node.
fn node_interaction(ui: &Ui, response: &Response, id: &str, input: &CanvasInput<'_>, commands: &mut Vec<Command>) {
    let shift = ui.input(|i| i.modifiers.shift);
    if response.clicked() {
        if shift {
            commands.push(Command::ToggleNode(id.to_string()));
        } else {
            commands.push(Command::Select(Selection::node(id)));
        }
    }
    if response.drag_started() && !input.selection.contains_node(id) {
        commands.push(Command::Select(Selection::node(id)));
    }
    if response.dragged() {
        let delta = response.drag_delta();
        if delta != egui::Vec2::ZERO {
            let ids = if input.selection.contains_node(id) {
                input.selection.nodes.iter().cloned().collect()
            } else {
                vec![id.to_string()]
            };
            commands.push(Command::MoveNodes { ids, delta_in_canvas: delta });
        }
    }
    let rt = input.rt;
    let sim_i = rt.sim_node(id);
    let kind = input.scenario.node(id).map(|n| &n.kind);
    if !response.dragged() && !response.context_menu_opened() {
        response.clone().on_hover_ui(|ui| hover_card_ui(ui, id, input));
    }
    response.context_menu(|ui| {
        ui.label(egui::RichText::new(id).strong());
        let live = sim_i.and_then(|i| rt.sim.as_ref()?.node_live(i));
        let enabled = live.is_some();
        let fault = |f: LiveFault| Command::Fault { node: id.to_string(), fault: f };
        ui.add_enabled_ui(enabled, |ui| {
            let down = live.as_ref().is_some_and(|l| l.down);
            if down {
                if ui.button("Restore").clicked() {
                    commands.push(fault(LiveFault::Restore));
                }
            } else if ui.button("Crash").on_hover_text("Everything in it fails; callers see errors").clicked() {
                commands.push(fault(LiveFault::Crash));
            }
            ui.menu_button("Slow down", |ui| {
                for k in [2.0, 5.0, 10.0] {
                    if ui.button(format!("×{k}")).clicked() {
                        commands.push(fault(LiveFault::Slow(k)));
                    }
                }
                if ui.button("normal speed").clicked() {
                    commands.push(fault(LiveFault::Slow(1.0)));
                }
            });
            ui.menu_button("Inject errors", |ui| {
                for p in [0.01, 0.1, 0.5] {
                    if ui.button(format::percent(p)).clicked() {
                        commands.push(fault(LiveFault::ErrorRate(p)));
                    }
                }
                if ui.button("off").clicked() {
                    commands.push(fault(LiveFault::ErrorRate(0.0)));
                }
            });
            if matches!(kind, Some(NodeKind::Cache(_))) && ui.button("Flush cache").clicked() {
                commands.push(fault(LiveFault::FlushCache));
            }
            if matches!(kind, Some(NodeKind::Client(_))) {
                let (factor, secs) = input.spike;
                if ui.button(format!("Spike ×{factor} for {secs} s")).clicked() {
                    commands.push(Command::Spike { client: id.to_string(), factor, secs });
                }
            }
        });
        if !enabled {
            ui.weak("(not in the running simulation: reset first)");
        }
        ui.separator();
        if ui.button("Delete node").clicked() {
            commands.push(Command::DeleteNode(id.to_string()));
        }
    });
}

/// The hover card: the node's numbers with their capacity.
pub fn hover_card_ui(ui: &mut Ui, id: &str, input: &CanvasInput<'_>) {
    let Some(node) = input.scenario.node(id) else { return };
    ui.label(egui::RichText::new(format!("{id} · {}", node.kind.label())).strong());
    let rt = input.rt;
    if let Some(i) = rt.sim_node(id)
        && let Some(v) = rt.live.nodes.get(i)
        && let Some(live) = &v.live
    {
        card_grid_ui(ui, &node_card(&node.kind, live, v.recent.as_ref()), id);
        let client = matches!(node.kind, NodeKind::Client(_));
        for (r, c) in v.reasons.top(3) {
            let line = if client { client_reason_line(r, c) } else { reason_line(r, c) };
            ui.colored_label(ui.visuals().error_fg_color, line);
        }
        let duplicates = v.reasons.duplicate_writes();
        if duplicates > 0 {
            ui.colored_label(ui.visuals().error_fg_color, duplicate_line(duplicates))
                .on_hover_text("Writes retried after a timeout, applied a second time: the first try had gone through. Send idempotency keys from the client.");
        }
        let degraded = v.reasons.degraded();
        if degraded > 0 {
            let line = if client { client_degraded_line(degraded) } else { degraded_line(degraded) };
            ui.colored_label(Palette::of(ui.visuals().dark_mode).degraded, line);
        }
    } else {
        ui.weak("Not in the running simulation yet: press Reset.");
    }
    if let Some(problems) = input.node_problems.get(id) {
        for p in problems {
            ui.colored_label(ui.visuals().error_fg_color, p);
        }
    }
}

/// The card's lines as a two-column grid.
pub fn card_grid_ui(ui: &mut Ui, card: &[super::live::CardLine], salt: &str) {
    egui::Grid::new(("card", salt)).num_columns(2).spacing([12.0, 2.0]).show(ui, |ui| {
        for line in card {
            ui.weak(line.name);
            if let Some(hot) = &line.highlight {
                ui.label(highlighted(ui, &line.value, hot.clone()));
                ui.end_row();
                continue;
            }
            match line.tone {
                Tone::Alarm => ui.colored_label(ui.visuals().warn_fg_color, &line.value),
                Tone::Degraded => ui.colored_label(Palette::of(ui.visuals().dark_mode).degraded, &line.value),
                Tone::Plain => ui.label(&line.value),
            };
            ui.end_row();
        }
    });
}

/// A card value with one part in the warning colour (the hot shard):
/// one label, so it reads as one text; a range that does not fall on
/// characters of `value` draws it plain.
fn highlighted(ui: &Ui, value: &str, hot: std::ops::Range<usize>) -> egui::text::LayoutJob {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let (plain, warn) = (ui.visuals().text_color(), ui.visuals().warn_fg_color);
    let mut job = egui::text::LayoutJob::default();
    let parts = [(0..hot.start, plain), (hot.clone(), warn), (hot.end..value.len(), plain)];
    if parts.iter().all(|(range, _)| value.get(range.clone()).is_some()) {
        for (range, color) in parts {
            if let Some(text) = value.get(range).filter(|t| !t.is_empty()) {
                job.append(text, 0.0, egui::TextFormat::simple(font.clone(), color));
            }
        }
    } else {
        job.append(value, 0.0, egui::TextFormat::simple(font, plain));
    }
    job
}

/// Clicks on the background (select an edge or nothing), drops from the
/// palette, and the edge hover card.
fn background_interaction(
    ui: &Ui,
    background: &Response,
    state: &CanvasState,
    input: &CanvasInput<'_>,
    hovered_edge: Option<usize>,
    commands: &mut Vec<Command>,
) {
    if background.clicked() {
        let shift = ui.input(|i| i.modifiers.shift);
        match hovered_edge {
            Some(e) => commands.push(Command::Select(Selection::edge(e))),
            None if !shift => commands.push(Command::Select(Selection::default())),
            None => {}
        }
    }
    if let Some(item) = background.dnd_release_payload::<PaletteItem>() {
        let pos = ui.ctx().pointer_latest_pos().and_then(|p| state.view.map(|v| v.canvas_from_screen(p)));
        commands.push(Command::AddNode { kind: item.kind(), pos_in_canvas: pos });
    }
    if let Some(e) = hovered_edge
        && let Some(edge) = input.scenario.edges.get(e)
    {
        background.clone().on_hover_ui_at_pointer(|ui| {
            ui.label(egui::RichText::new(format!("{} -> {}", edge.from, edge.to)).strong());
            let flow = input.rt.sim_edge(&edge.from, &edge.to).and_then(|i| input.rt.live.edges.get(i));
            card_grid_ui(ui, &edge_card(edge, flow), "edge-card");
        });
    }
}

/// The one small banner in the canvas corner, and the fit button.
fn overlay_ui(ui: &mut Ui, outer: Rect, input: &CanvasInput<'_>, pal: &Palette, commands: &mut Vec<Command>) {
    let rt = input.rt;
    let banner: Option<(String, Color32)> = if input.scenario.nodes.is_empty() {
        Some(("Empty canvas: click or drag a component from the palette on the left.".into(), pal.selection))
    } else if let Some(why) = rt.pending.get(&PendingKey::Topology) {
        Some((format!("Changes apply at the next reset ({why})."), pal.warm))
    } else if rt.sim.is_none() && !rt.problems.is_empty() {
        Some((format!("Cannot run yet: {}", rt.problems[0]), pal.failure))
    } else {
        let window_s = rt.sim.as_ref().map_or(input.scenario.window_s, |s| s.scenario().window_s);
        rt.live.bottleneck().map(|b| {
            // The first two facts keep the banner small; the verdict has all.
            // They count the last complete window: the banner says so.
            let short = b.facts().into_iter().take(2).collect::<Vec<_>>().join("; ");
            (format!("{} in the last {}: {} ({short})", b.title(), format::sim_clock(window_s), b.node), pal.hot)
        })
    };
    // Areas, so they sit above the scene's layer (and get the clicks).
    let ctx = ui.ctx().clone();
    if let Some((text, color)) = banner {
        let max_w = (outer.width() - 90.0).max(100.0);
        egui::Area::new(egui::Id::unique("canvas-banner"))
            .order(egui::Order::Middle)
            .fixed_pos(outer.min + vec2(10.0, 10.0))
            .interactable(false)
            .show(&ctx, |ui| {
                egui::Frame::new()
                    .fill(white_text_fill(color))
                    .corner_radius(CornerRadius::same(6))
                    .inner_margin(egui::Margin::symmetric(8, 4))
                    .show(ui, |ui| {
                        ui.set_max_width(max_w);
                        ui.label(egui::RichText::new(text).color(Color32::WHITE).size(13.5));
                    });
            });
    }
    egui::Area::new(egui::Id::unique("canvas-fit"))
        .order(egui::Order::Middle)
        // Anchored by its corner, so larger text (presenter mode) grows it inwards.
        .pivot(egui::Align2::RIGHT_BOTTOM)
        .fixed_pos(outer.right_bottom() - vec2(14.0, 12.0))
        .show(&ctx, |ui| {
            let fit = egui::Button::new("Fit").wrap_mode(egui::TextWrapMode::Extend);
            if ui.add(fit).on_hover_text("Fit the whole topology into view (F)").clicked() {
                commands.push(Command::FitView);
            }
        });
}

/// The count drawn on a service with several instances or an autoscaler,
/// short enough to sit beside its name: the running simulation's when it
/// has one ("×3", "×3 +2" with two booting; the card spells it out), else
/// the design's ("×3"); `None` for a single instance and for other kinds.
fn instances_mark(kind: &NodeKind, live: Option<crate::sim::InstanceCounts>) -> Option<String> {
    let NodeKind::Service(spec) = kind else { return None };
    match live {
        Some(counts) if counts.running() > 1 || spec.autoscale.is_some() => Some(match counts.booting {
            0 => format!("×{}", counts.ready),
            booting => format!("×{} +{booting}", counts.ready),
        }),
        Some(_) => None,
        None => (spec.instances > 1 || spec.autoscale.is_some()).then(|| format!("×{}", spec.instances)),
    }
}
