//! The first-run tour: five short callouts, each beside what it talks
//! about: where traffic comes from, how to connect, what to watch, how to
//! break it, where the verdict is. A learner who opens the app for the
//! first time sees a running system and no hint of what to do with it;
//! the tour is that hint, and it gets out of the way.
//!
//! Shown once, on the first start (`Prefs::tour_seen`, false in a state
//! saved before the tour existed), and replayed from Help ▸ Show the tour.
//! It is not modal: it floats in an [`egui::Area`] while the simulation
//! keeps running and every other control keeps working. Back and Next are
//! the tour's own state; Skip, Done and Escape emit [`Command::CloseTour`],
//! which the app applies and remembers.
//!
//! It points at real things on screen. Canvas nodes are found through the
//! canvas transform ([`TourInput::of`]); the canvas and widgets in panels
//! (palette, Play, Spike, plots, event log) mark their rectangle with
//! [`mark_anchor`]. A mark counts only in the pass it was made in, so a
//! hidden panel is never pointed at: the callout says how to show it.

use eframe::egui::{self, Button, Id, Key, Modifiers, Pos2, Rect, RichText, Stroke, Vec2, vec2};

use super::canvas::CanvasState;
use super::canvas::geometry::{handle_pos, node_rect};
use super::command::Command;
use crate::scenario::{NodeKind, Scenario};

/// How many steps the tour has.
pub const TOUR_STEPS: usize = 5;

/// Width of a callout's text: a few words a line, readable at a glance.
const WIDTH: f32 = 300.0;
/// Space between a callout and what it points at.
const GAP: f32 = 16.0;

/// Whether the tour shows on a first start, and at which step, from
/// `ARCHSIM_TOUR`: unset, on from step 1; `0`, never at start (the
/// screenshot script, whose storage is always fresh, would show it on
/// every picture); `N` from 1 to 5, on from step N.
pub fn on_first_start_from_env(value: Option<&str>) -> (bool, usize) {
    match value.map(str::trim) {
        Some("0") => (false, 0),
        Some(v) => (true, v.parse::<usize>().map_or(0, |n| n.saturating_sub(1))),
        None => (true, 0),
    }
}

/// Widgets in panels the tour points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Anchor {
    /// The component buttons at the top of the left panel.
    Palette,
    /// The Play / Pause button in the toolbar.
    Play,
    /// The Spike button in the toolbar.
    Spike,
    /// The plots in the bottom panel.
    Plots,
    /// The Events / Verdict column at the bottom right.
    SideLog,
    /// The canvas's panel.
    Canvas,
}

/// A rectangle marked in one pass.
#[derive(Debug, Clone, Copy)]
struct Marked {
    pass: u64,
    rect: Rect,
}

fn anchor_id(anchor: Anchor) -> Id {
    Id::unique(("archsim-tour-anchor", anchor))
}

/// Records where `anchor` is on screen this pass. Cheap (one map insert),
/// so callers mark every frame whether or not the tour is open.
pub fn mark_anchor(ctx: &egui::Context, anchor: Anchor, rect: Rect) {
    let pass = ctx.cumulative_pass_nr();
    ctx.data_mut(|d| d.insert_temp(anchor_id(anchor), Marked { pass, rect }));
}

/// Where `anchor` is, if it was drawn in this pass (not hidden since).
fn anchor_rect(ctx: &egui::Context, anchor: Anchor) -> Option<Rect> {
    let pass = ctx.cumulative_pass_nr();
    ctx.data(|d| d.get_temp::<Marked>(anchor_id(anchor))).filter(|m| m.pass == pass).map(|m| m.rect)
}

/// The panel widgets found on screen this pass.
#[derive(Debug, Clone, Copy, Default)]
struct Anchors {
    palette: Option<Rect>,
    play: Option<Rect>,
    spike: Option<Rect>,
    plots: Option<Rect>,
    side_log: Option<Rect>,
}

impl Anchors {
    fn of(ctx: &egui::Context) -> Self {
        Anchors {
            palette: anchor_rect(ctx, Anchor::Palette),
            play: anchor_rect(ctx, Anchor::Play),
            spike: anchor_rect(ctx, Anchor::Spike),
            plots: anchor_rect(ctx, Anchor::Plots),
            side_log: anchor_rect(ctx, Anchor::SideLog),
        }
    }
}

/// The tour on screen: which step it is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tour {
    step: usize,
}

impl Tour {
    /// The tour at `step` (0-based; past the end means the last step).
    pub fn at(step: usize) -> Self {
        Tour { step: step.min(TOUR_STEPS - 1) }
    }

    /// The step shown, 0-based.
    pub fn step(self) -> usize {
        self.step
    }

    fn is_last(self) -> bool {
        self.step + 1 == TOUR_STEPS
    }
}

/// What the tour reads from the app: the design and where its nodes are.
#[derive(Debug, Clone)]
pub struct TourInput<'a> {
    pub scenario_name: &'a str,
    pub running: bool,
    /// Presenter mode hides every panel (F5 shows them again).
    pub presenter: bool,
    /// The first client's id, and its card on screen when in view.
    pub client: Option<(&'a str, Option<Rect>)>,
    /// The client's edge handle on screen, when in view.
    pub client_handle: Option<Rect>,
    /// The card of a node that does work (the first service, else the
    /// first node that is not a client), when in view.
    pub worker: Option<Rect>,
    /// The part of the canvas on screen, where a callout covers least.
    pub canvas: Option<Rect>,
    /// Every node card in view: a callout keeps off them if it can.
    pub cards: Vec<Rect>,
}

impl<'a> TourInput<'a> {
    /// Reads the scenario, and where the canvas and its nodes are on
    /// screen as drawn this pass (the tour is drawn after the panels).
    pub fn of(
        ctx: &egui::Context,
        scenario: &'a Scenario,
        canvas: &CanvasState,
        running: bool,
        presenter: bool,
    ) -> Self {
        // A node outside the canvas's panel is not pointed at. (The scene
        // rectangle is not the panel: after a fit it is the design's box.)
        let visible = anchor_rect(ctx, Anchor::Canvas);
        let on_screen = |pos: (f32, f32)| -> Option<Rect> {
            let rect = canvas.view?.screen_from_canvas * node_rect(egui::pos2(pos.0, pos.1));
            visible?.contains_rect(rect).then_some(rect)
        };
        let client = scenario.nodes.iter().find(|n| matches!(n.kind, NodeKind::Client(_)));
        let worker = scenario
            .nodes
            .iter()
            .find(|n| matches!(n.kind, NodeKind::Service(_)))
            .or_else(|| scenario.nodes.iter().find(|n| !matches!(n.kind, NodeKind::Client(_))));
        let handle = |card: Rect| {
            let canvas_rect = canvas.view.map(|v| v.screen_from_canvas.inverse() * card);
            let zoom = canvas.view.map_or(1.0, |v| v.zoom());
            canvas_rect.and_then(|r| {
                let p = canvas.view?.screen_from_canvas(handle_pos(r));
                Some(Rect::from_center_size(p, Vec2::splat(18.0 * zoom.max(0.6))))
            })
        };
        let client_card = client.and_then(|c| on_screen(c.pos));
        TourInput {
            scenario_name: &scenario.name,
            running,
            presenter,
            client: client.map(|c| (c.id.as_str(), client_card)),
            client_handle: client_card.and_then(handle),
            worker: worker.and_then(|w| on_screen(w.pos)),
            canvas: visible,
            cards: scenario.nodes.iter().filter_map(|n| on_screen(n.pos)).collect(),
        }
    }
}

/// Which side of its target a callout sits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Right,
    Below,
    Left,
    Above,
}

/// One step's callout.
#[derive(Debug, Clone)]
struct Step {
    title: &'static str,
    paragraphs: Vec<String>,
    /// What the callout sits beside (and points at); none: the middle of
    /// the screen.
    target: Option<Rect>,
    /// Outlined as well.
    also: Vec<Rect>,
    /// Sides to try, best first.
    sides: [Side; 4],
}

/// How to bring back a hidden panel.
fn hidden_note(what: &str, presenter: bool, menu_item: &str) -> String {
    if presenter {
        format!("{what} is hidden in presenter mode: press F5 to show the panels.")
    } else {
        format!("{what} is hidden: View › {menu_item} shows it.")
    }
}

/// The text and targets of step `n` (0-based).
fn step(n: usize, input: &TourInput<'_>, at: &Anchors) -> Step {
    let palette_note = || hidden_note("The palette", input.presenter, "Palette and library");
    match n {
        0 => {
            let mut paragraphs = Vec::new();
            let running = if input.running {
                format!("“{}” is loaded and running.", input.scenario_name)
            } else {
                format!("“{}” is loaded: press Play (or Space) to run it.", input.scenario_name)
            };
            let target = if let Some((id, card)) = input.client {
                paragraphs.push(format!(
                    "Traffic starts at a client node, here “{id}”. Its rate is in requests per second (rps on \
                     its card); select it to change the rate in the inspector on the right."
                ));
                paragraphs.push(running);
                card
            } else {
                paragraphs.push(
                    "Traffic starts at a client node. This design has none yet: add one with “+ Client” in the \
                     palette on the left."
                        .into(),
                );
                if at.palette.is_none() {
                    paragraphs.push(palette_note());
                }
                at.palette
            };
            Step {
                title: "Where traffic comes from",
                paragraphs,
                target,
                also: Vec::new(),
                sides: [Side::Below, Side::Above, Side::Right, Side::Left],
            }
        }
        1 => {
            let mut paragraphs = vec![
                "Add components from the palette on the left: click one, or drag it onto the canvas.".to_string(),
                "To make a node call another, drag from the dot on its right edge onto the other node, or select \
                 it and use “Call another node…” in the inspector."
                    .to_string(),
            ];
            if at.palette.is_none() {
                paragraphs.push(palette_note());
            }
            Step {
                title: "Connect components",
                paragraphs,
                target: input.client_handle.or(at.palette),
                also: at.palette.into_iter().collect(),
                sides: [Side::Below, Side::Right, Side::Above, Side::Left],
            }
        }
        2 => {
            let mut paragraphs = vec![
                "Each node card shows its rate (requests per second), its p99 (99 % of requests are faster) and \
                 how busy it is."
                    .to_string(),
                "The plots below show throughput, latency and failures over time. Select a node to plot just \
                 that node."
                    .to_string(),
            ];
            if at.plots.is_none() {
                paragraphs.push(hidden_note("The plots panel", input.presenter, "Plots and log"));
            }
            Step {
                title: "Watch it run",
                paragraphs,
                target: at.plots.or(input.worker),
                also: input.worker.into_iter().collect(),
                sides: [Side::Above, Side::Right, Side::Left, Side::Below],
            }
        }
        3 => {
            let mut paragraphs = Vec::new();
            if at.spike.is_some() {
                paragraphs.push(
                    "Press Spike for a burst of traffic; the numbers beside it set how big and how long.".to_string(),
                );
            } else {
                paragraphs.push("Spike (a burst of traffic) appears up here once the design has a client.".into());
            }
            paragraphs.push("Right-click a node to crash it, slow it down or make it return errors.".into());
            paragraphs.push(
                "To plan faults at set times, select a node and add them under “Scheduled faults” in the inspector."
                    .into(),
            );
            Step {
                title: "Break it",
                paragraphs,
                target: at.spike.or(at.play),
                also: Vec::new(),
                sides: [Side::Below, Side::Right, Side::Left, Side::Above],
            }
        }
        _ => {
            let mut paragraphs = vec![
                "Pause (or press Space): the Verdict tab here says what broke first and what to try.".to_string(),
                "Events lists crashes, spikes and failures as they happen; click one to find its node.".to_string(),
            ];
            if at.side_log.is_none() {
                paragraphs.push(hidden_note("The events and verdict column", input.presenter, "Plots and log"));
            }
            paragraphs.push("See this tour again from Help › Show the tour.".into());
            Step {
                title: "Read the verdict",
                paragraphs,
                target: at.side_log,
                also: at.play.into_iter().collect(),
                sides: [Side::Above, Side::Left, Side::Below, Side::Right],
            }
        }
    }
}

/// The area of the part of `a` inside `b`.
fn overlap(a: Rect, b: Rect) -> f32 {
    let i = a.intersect(b);
    i.width().max(0.0) * i.height().max(0.0)
}

/// Where the top-left of a callout of `size` goes, next to `target` on
/// `screen`: on one of `sides` (best first), centred on the target, lined
/// up with either end of it, or slid to either edge of the canvas. It must not hide what it points at, so
/// covering `target` costs most; covering a node card (`keep_clear`) costs
/// less, and hanging off the `canvas` over a panel a little: the empty
/// canvas is where it hides least.
fn place(target: Rect, size: Vec2, screen: Rect, canvas: Option<Rect>, keep_clear: &[Rect], sides: &[Side]) -> Pos2 {
    let clamp_x = |x: f32| x.min(screen.max.x - size.x).max(screen.min.x);
    let clamp_y = |y: f32| y.min(screen.max.y - size.y).max(screen.min.y);
    let area = canvas.unwrap_or(screen).shrink(8.0);
    let along_x =
        [target.center().x - size.x / 2.0, target.min.x, target.max.x - size.x, area.min.x, area.max.x - size.x];
    let along_y =
        [target.center().y - size.y / 2.0, target.min.y, target.max.y - size.y, area.min.y, area.max.y - size.y];
    let candidates = sides.iter().flat_map(|side| {
        (0..along_x.len()).map(move |k| match side {
            Side::Right => (*side, egui::pos2(target.max.x + GAP, along_y[k])),
            Side::Left => (*side, egui::pos2(target.min.x - GAP - size.x, along_y[k])),
            Side::Below => (*side, egui::pos2(along_x[k], target.max.y + GAP)),
            Side::Above => (*side, egui::pos2(along_x[k], target.min.y - GAP - size.y)),
        })
    });
    let cost = |side: Side, rect: Rect| {
        // Pushed back onto the screen, it may no longer be on its side.
        let beside = match side {
            Side::Right => rect.min.x >= target.max.x,
            Side::Left => rect.max.x <= target.min.x,
            Side::Below => rect.min.y >= target.max.y,
            Side::Above => rect.max.y <= target.min.y,
        };
        let misplaced = if beside { 0.0 } else { rect.area() };
        let hidden = overlap(rect, target.expand(4.0)) * 20.0;
        let cards: f32 = keep_clear.iter().map(|c| overlap(rect, *c)).sum();
        let off_canvas = canvas.map_or(0.0, |c| rect.area() - overlap(rect, c)) * 0.3;
        // Far from what it talks about, the link is lost.
        let far = rect.distance_to_pos(target.center()).max(0.0) * 20.0;
        misplaced + hidden + cards + off_canvas + far
    };
    let mut best: Option<(f32, Pos2)> = None;
    for (k, (side, p)) in candidates.enumerate() {
        let pos = egui::pos2(clamp_x(p.x), clamp_y(p.y));
        // A small tie-break keeps the order of preference among equals.
        let c = cost(side, Rect::from_min_size(pos, size)) + k as f32;
        if best.is_none_or(|(b, _)| c < b) {
            best = Some((c, pos));
        }
    }
    best.map_or_else(|| screen.center() - size / 2.0, |(_, pos)| pos)
}

/// Where a callout that points at nothing goes: a corner or the middle of
/// an edge of `area` (the canvas), wherever it covers the fewest node
/// cards; the bottom first, since a design is usually drawn in the middle.
fn free_spot(size: Vec2, area: Rect, keep_clear: &[Rect]) -> Pos2 {
    let area = area.shrink(8.0);
    let xs = [area.center().x - size.x / 2.0, area.min.x, area.max.x - size.x];
    let ys = [area.max.y - size.y, area.min.y, area.center().y - size.y / 2.0];
    let mut best: Option<(f32, Pos2)> = None;
    for (k, pos) in ys.iter().flat_map(|y| xs.iter().map(|x| egui::pos2(*x, *y))).enumerate() {
        let pos = egui::pos2(pos.x.max(area.min.x), pos.y.max(area.min.y));
        let rect = Rect::from_min_size(pos, size);
        let c = keep_clear.iter().map(|c| overlap(rect, *c)).sum::<f32>() + k as f32;
        if best.is_none_or(|(b, _)| c < b) {
            best = Some((c, pos));
        }
    }
    best.map_or(area.min, |(_, pos)| pos)
}

/// Shows the tour's current step. Back and Next move `tour`; Skip, Done
/// and Escape push [`Command::CloseTour`].
pub fn tour_ui(ctx: &egui::Context, tour: &mut Tour, input: &TourInput<'_>, commands: &mut Vec<Command>) {
    // Escape closes what is on top: an open menu or list first (egui
    // closes it on the same key, without consuming it), then the tour.
    if !ctx.any_popup_open() && ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
        commands.push(Command::CloseTour);
        return;
    }
    let content = step(tour.step, input, &Anchors::of(ctx));
    let screen = ctx.content_rect().shrink(8.0);
    // One area per step: the first time a step shows, egui measures it in
    // an invisible pass, so it lands in its place instead of jumping there.
    let id = Id::unique(("archsim-tour", tour.step));
    let guess = vec2(WIDTH + 24.0, 200.0);
    let size = ctx.memory(|m| m.area_rect(id)).map_or(guess, |r| r.size());
    let keep_clear: Vec<Rect> = input.cards.iter().chain(&content.also).copied().collect();
    let pos = match content.target {
        Some(target) => place(target, size, screen, input.canvas, &keep_clear, &content.sides),
        None => free_spot(size, input.canvas.unwrap_or(screen), &keep_clear),
    };
    // egui's selection colour, darker on a light background; not the
    // canvas's selection blue, so a node the tour outlines does not look
    // selected.
    let visuals = &ctx.global_style().visuals;
    let accent = if visuals.dark_mode { visuals.selection.bg_fill } else { visuals.selection.stroke.color };
    let area = egui::Area::new(id).order(egui::Order::Foreground).fixed_pos(pos).constrain_to(screen).show(ctx, |ui| {
        let painter = ctx.layer_painter(ui.layer_id());
        for r in content.target.iter().chain(&content.also) {
            painter.rect_stroke(r.expand(4.0), 8.0, Stroke::new(3.0, accent), egui::StrokeKind::Outside);
        }
        egui::Frame::popup(ui.style()).stroke(Stroke::new(2.0, accent)).show(ui, |ui| {
            ui.set_width(WIDTH);
            callout_ui(ui, tour, &content, commands);
        });
    });
    let shown = area.response.rect;
    if let Some(target) = content.target {
        // A short line from the callout to what it talks about.
        let painter = ctx.layer_painter(area.response.layer_id);
        let from = shown.clamp(target.center());
        let to = target.expand(4.0).clamp(from);
        painter.line_segment([from, to], Stroke::new(3.0, accent));
        painter.circle_filled(to, 5.0, accent);
    }
    if (shown.size() - size).length() > 1.0 {
        ctx.request_repaint();
    }
}

fn callout_ui(ui: &mut egui::Ui, tour: &mut Tour, content: &Step, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(content.title).heading().strong());
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.weak(format!("{} of {TOUR_STEPS}", tour.step + 1));
        });
    });
    ui.add_space(2.0);
    for p in &content.paragraphs {
        ui.label(p);
        ui.add_space(2.0);
    }
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        if ui.add_enabled(tour.step > 0, Button::new("Back")).clicked() {
            tour.step -= 1;
        }
        if tour.is_last() {
            if ui.add(Button::new(RichText::new("Done").strong())).clicked() {
                commands.push(Command::CloseTour);
            }
        } else {
            if ui.add(Button::new(RichText::new("Next").strong())).clicked() {
                tour.step += 1;
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .button("Skip tour")
                    .on_hover_text("Close the tour (Escape); Help › Show the tour brings it back")
                    .clicked()
                {
                    commands.push(Command::CloseTour);
                }
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn screen() -> Rect {
        Rect::from_min_size(Pos2::ZERO, vec2(1280.0, 800.0))
    }

    fn input() -> TourInput<'static> {
        let card = Rect::from_min_size(egui::pos2(220.0, 280.0), vec2(120.0, 50.0));
        TourInput {
            scenario_name: "Three-tier web application",
            running: true,
            presenter: false,
            client: Some(("users", Some(card))),
            client_handle: Some(Rect::from_center_size(card.right_center(), Vec2::splat(18.0))),
            worker: Some(card.translate(vec2(300.0, 0.0))),
            canvas: Some(Rect::from_min_max(egui::pos2(190.0, 50.0), egui::pos2(980.0, 570.0))),
            cards: vec![card, card.translate(vec2(300.0, 0.0))],
        }
    }

    fn all_anchors() -> Anchors {
        let r = |x: f32, y: f32| Some(Rect::from_min_size(egui::pos2(x, y), vec2(100.0, 30.0)));
        Anchors {
            palette: r(10.0, 100.0),
            play: r(10.0, 30.0),
            spike: r(530.0, 30.0),
            plots: Some(Rect::from_min_max(egui::pos2(0.0, 580.0), egui::pos2(890.0, 800.0))),
            side_log: Some(Rect::from_min_max(egui::pos2(900.0, 580.0), egui::pos2(1280.0, 800.0))),
        }
    }

    #[test]
    fn a_callout_that_fits_sits_beside_its_target_without_covering_it() {
        let target = Rect::from_min_size(egui::pos2(400.0, 300.0), vec2(120.0, 50.0));
        let size = vec2(350.0, 200.0);
        for side in [Side::Right, Side::Below, Side::Left, Side::Above] {
            let pos = place(target, size, screen(), None, &[], &[side]);
            let callout = Rect::from_min_size(pos, size);
            assert!(!callout.intersects(target), "{side:?}: {callout:?} covers {target:?}");
            assert!(screen().contains_rect(callout), "{side:?}: {callout:?} is off screen");
            let beside = match side {
                Side::Right => callout.min.x > target.max.x,
                Side::Left => callout.max.x < target.min.x,
                Side::Below => callout.min.y > target.max.y,
                Side::Above => callout.max.y < target.min.y,
            };
            assert!(beside, "{side:?}: {callout:?}");
        }
    }

    #[test]
    fn a_callout_moves_to_another_side_when_the_first_has_no_room_and_stays_on_screen() {
        // A toolbar button at the top right: no room above or right.
        let target = Rect::from_min_size(egui::pos2(1180.0, 20.0), vec2(80.0, 24.0));
        let size = vec2(350.0, 220.0);
        let pos = place(target, size, screen(), None, &[], &[Side::Above, Side::Right, Side::Below, Side::Left]);
        let callout = Rect::from_min_size(pos, size);
        assert!(screen().contains_rect(callout));
        assert!(!callout.intersects(target));
        assert!(callout.min.y > target.max.y, "below it: {callout:?}");
        // Nowhere to go whole (a target as big as the screen): still on screen.
        let pos = place(screen().shrink(10.0), size, screen(), None, &[], &[Side::Right]);
        assert!(screen().contains_rect(Rect::from_min_size(pos, size)));
    }

    #[test]
    fn a_callout_keeps_off_node_cards_and_over_the_canvas_when_it_can() {
        let target = Rect::from_min_size(egui::pos2(400.0, 300.0), vec2(120.0, 50.0));
        let size = vec2(300.0, 150.0);
        // A card right under the target: below, centred, would cover it.
        let card = Rect::from_min_size(egui::pos2(400.0, 380.0), vec2(120.0, 50.0));
        let pos = place(target, size, screen(), None, &[card], &[Side::Below, Side::Right]);
        let callout = Rect::from_min_size(pos, size);
        assert!(!callout.intersects(card), "{callout:?} covers the card");
        assert!(!callout.intersects(target));
        // The canvas is right of x = 300: not over the panel on the left.
        let canvas = Rect::from_min_max(egui::pos2(300.0, 0.0), egui::pos2(1280.0, 800.0));
        let pos = place(target, size, screen(), Some(canvas), &[], &[Side::Left, Side::Right]);
        assert!(canvas.contains_rect(Rect::from_min_size(pos, size)), "{pos:?}");
    }

    #[test]
    fn a_callout_with_nothing_to_point_at_keeps_off_the_design() {
        let canvas = Rect::from_min_max(egui::pos2(190.0, 50.0), egui::pos2(980.0, 570.0));
        let size = vec2(300.0, 160.0);
        // A design across the middle and the bottom of the canvas.
        let cards = [
            Rect::from_center_size(canvas.center(), vec2(600.0, 150.0)),
            Rect::from_min_max(egui::pos2(190.0, 450.0), egui::pos2(980.0, 570.0)),
        ];
        let callout = Rect::from_min_size(free_spot(size, canvas, &cards), size);
        assert!(canvas.contains_rect(callout), "{callout:?}");
        assert!(cards.iter().all(|c| !c.intersects(callout)), "{callout:?}");
    }

    #[test]
    fn every_step_has_a_title_words_and_something_to_point_at() {
        let (input, at) = (input(), all_anchors());
        for n in 0..TOUR_STEPS {
            let s = step(n, &input, &at);
            assert!(!s.title.is_empty() && !s.paragraphs.is_empty(), "step {n}");
            assert!(s.target.is_some(), "step {n} points at nothing");
            assert!(!s.paragraphs.iter().any(|p| p.contains("hidden")), "step {n}: {:?}", s.paragraphs);
        }
        let first = step(0, &input, &at).paragraphs.join(" ");
        assert!(first.contains("“users”") && first.contains("requests per second"), "{first}");
        assert!(first.contains("running"), "{first}");
        assert_eq!(step(3, &input, &at).target, at.spike);
        assert_eq!(step(4, &input, &at).target, at.side_log);
    }

    #[test]
    fn a_hidden_panel_is_named_with_the_way_to_show_it() {
        let input = TourInput { presenter: true, ..input() };
        let s = step(4, &input, &Anchors::default());
        assert!(s.paragraphs.iter().any(|p| p.contains("press F5")), "{:?}", s.paragraphs);
        assert_eq!(s.target, None, "nothing to point at: the callout goes in the middle");
        let input = TourInput { presenter: false, client: None, client_handle: None, ..input };
        let s = step(0, &input, &Anchors::default());
        assert!(s.paragraphs.iter().any(|p| p.contains("+ Client")), "{:?}", s.paragraphs);
        assert!(s.paragraphs.iter().any(|p| p.contains("View › Palette and library")), "{:?}", s.paragraphs);
    }

    #[test]
    fn an_anchor_counts_only_in_the_pass_it_was_marked_in() {
        let ctx = egui::Context::default();
        let rect = Rect::from_min_size(Pos2::ZERO, vec2(10.0, 10.0));
        let mut seen = Vec::new();
        for mark in [true, false] {
            let mut out = ctx.run_ui(egui::RawInput::default(), |ui| {
                if mark {
                    mark_anchor(ui.ctx(), Anchor::Spike, rect);
                }
                seen.push(anchor_rect(ui.ctx(), Anchor::Spike));
            });
            out.textures_delta.clear();
        }
        assert_eq!(seen, [Some(rect), None]);
    }

    /// A character the font lacks shows as an empty box (`→` does).
    #[test]
    fn every_character_of_the_tour_is_in_the_font() {
        let ctx = egui::Context::default();
        let mut out = ctx.run_ui(egui::RawInput::default(), |_| {});
        out.textures_delta.clear();
        let fonts = [egui::FontId::proportional(14.0), egui::TextStyle::Heading.resolve(&ctx.global_style())];
        let base = input();
        let inputs = [
            base.clone(),
            TourInput { running: false, presenter: true, client: None, client_handle: None, ..base.clone() },
            TourInput { client: None, client_handle: None, ..base },
        ];
        for (input, at) in inputs.iter().flat_map(|i| [(i, all_anchors()), (i, Anchors::default())]) {
            for n in 0..TOUR_STEPS {
                let s = step(n, input, &at);
                let text =
                    format!("{} {} Back Next Done Skip tour {} of {TOUR_STEPS}", s.title, s.paragraphs.join(" "), n);
                for font in &fonts {
                    let missing: String = text.chars().filter(|c| !ctx.fonts_mut(|f| f.has_glyph(font, *c))).collect();
                    assert!(missing.is_empty(), "step {n}: {missing:?} not in the font");
                }
            }
        }
    }

    #[test]
    fn archsim_tour_turns_the_first_start_tour_off_or_picks_its_step() {
        assert_eq!(on_first_start_from_env(None), (true, 0));
        assert_eq!(on_first_start_from_env(Some("0")), (false, 0));
        assert_eq!(on_first_start_from_env(Some("1")), (true, 0));
        assert_eq!(on_first_start_from_env(Some(" 4 ")), (true, 3));
        assert_eq!(on_first_start_from_env(Some("yes")), (true, 0));
    }

    #[test]
    fn the_tour_starts_at_a_step_within_range() {
        assert_eq!(Tour::at(2).step(), 2);
        assert_eq!(Tour::at(99).step(), TOUR_STEPS - 1);
        assert!(Tour::at(99).is_last());
    }
}
