//! The right panel: the inspector of the selected node or edge (or of the
//! scenario when nothing is selected). Every parameter of the component,
//! with units, ranges, a tooltip on what it does, inline validation, and
//! whether an edit applied to the running simulation or waits for a reset.

mod breaker;
mod distribution;
mod edge_params;
mod fallback;
mod faults;
mod fields;
mod health_check;
mod node_params;
mod payload;
mod placement;
mod retry;

use eframe::egui::{self, RichText, TextEdit, Ui};

use self::edge_params::{Caller, edge_params_ui};
use self::fields::{Edit, Row, form, label_cell, problems_ui};
use self::node_params::node_kind_ui;
use self::placement::placement_ui;
use super::canvas::card_grid_ui;
use super::command::{Command, LiveFault, ScenarioSettings};
use super::edits::connect_problem;
use super::format;
use super::live::{degraded_line, duplicate_line, edge_traffic, node_card, reason_line};
use super::problems::DocProblems;
use super::runtime::{PendingKey, Runtime};
use super::selection::Selection;
use super::theme::Palette;
use crate::scenario::limits::{MAX_SECONDS, MIN_WINDOW_S};
use crate::scenario::{NodeKind, Scenario};

/// What the inspector reads.
pub struct InspectorInput<'a> {
    pub scenario: &'a Scenario,
    pub selection: &'a Selection,
    pub rt: &'a Runtime,
    pub problems: &'a DocProblems,
}

pub fn inspector_ui(ui: &mut Ui, input: &InspectorInput<'_>, commands: &mut Vec<Command>) {
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        let sel = input.selection;
        if let Some(id) = sel.single_node()
            && let Some(index) = input.scenario.node_index(id)
        {
            node_inspector_ui(ui, input, index, commands);
        } else if let Some(e) = sel.edge.filter(|e| *e < input.scenario.edges.len()) {
            edge_inspector_ui(ui, input, e, commands);
        } else if sel.nodes.len() > 1 {
            ui.heading(format!("{} nodes selected", sel.nodes.len()));
            ui.label("Drag one to move them all; Delete removes them.");
            if ui.button("Delete selected").clicked() {
                commands.push(Command::DeleteSelection);
            }
        } else {
            settings_ui(ui, input, commands);
        }
    });
}

fn pending_note(ui: &mut Ui, input: &InspectorInput<'_>, key: &PendingKey) {
    if let Some(why) = input.rt.pending.get(key) {
        ui.colored_label(ui.visuals().warn_fg_color, format!("Applies at next reset: {why}"));
    }
}

fn node_inspector_ui(ui: &mut Ui, input: &InspectorInput<'_>, index: usize, commands: &mut Vec<Command>) {
    let node = &input.scenario.nodes[index];
    ui.horizontal(|ui| {
        ui.heading(node.kind.label());
    });
    rename_ui(ui, index, &node.id, commands);
    let field_problems = input.problems.node_fields.get(&node.id).map_or(&[][..], Vec::as_slice);
    if !field_problems.is_empty() {
        let n = field_problems.len();
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!("{n} problem{} to fix: see the red lines under Parameters.", if n == 1 { "" } else { "s" }),
        );
    }
    pending_note(ui, input, &PendingKey::Node(node.id.clone()));

    // The live card, pinned.
    let rt = input.rt;
    ui.add_space(4.0);
    ui.label(RichText::new("Live").strong());
    match rt.sim_node(&node.id).and_then(|i| Some((i, rt.live.nodes.get(i)?))) {
        Some((sim_i, v)) if v.live.is_some() => {
            if let Some(live) = &v.live {
                card_grid_ui(ui, &node_card(&node.kind, live, v.recent.as_ref()), "inspector");
                for (r, c) in v.reasons.top(4) {
                    ui.colored_label(ui.visuals().error_fg_color, reason_line(r, c));
                }
                let duplicates = v.reasons.duplicate_writes();
                if duplicates > 0 {
                    ui.colored_label(ui.visuals().error_fg_color, duplicate_line(duplicates));
                }
                let degraded = v.reasons.degraded();
                if degraded > 0 {
                    ui.colored_label(Palette::of(ui.visuals().dark_mode).degraded, degraded_line(degraded));
                }
                ui.horizontal_wrapped(|ui| {
                    let fault = |f| Command::Fault { node: node.id.clone(), fault: f };
                    if live.down {
                        if ui.button("Restore").clicked() {
                            commands.push(fault(LiveFault::Restore));
                        }
                    } else if ui.button("Crash").on_hover_text("Crash it now: everything in it fails").clicked() {
                        commands.push(fault(LiveFault::Crash));
                    }
                    if matches!(node.kind, NodeKind::Cache(_)) && ui.button("Flush").clicked() {
                        commands.push(fault(LiveFault::FlushCache));
                    }
                });
            }
            theory_ui(ui, input, node, sim_i);
        }
        _ => {
            not_running_note(ui, rt);
        }
    }

    // Where it sends work, before how it is set: connecting a new node
    // is the first thing to do with it, and the parameters below can be long.
    calls_ui(ui, input, &node.id, commands);

    ui.add_space(6.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new("Parameters").strong());
        if !crate::study::sweep::sweepable_fields(input.scenario, &node.id).is_empty()
            && ui
                .small_button("Sweep…")
                .on_hover_text("Run the design at a list of values of one of these fields and chart the figures")
                .clicked()
        {
            commands.push(Command::OpenSweep(Some(node.id.clone())));
        }
    });
    let mut kind = node.kind.clone();
    let mut edit = Edit::with_problems(field_problems);
    let out_edges = input.scenario.edges.iter().filter(|e| e.from == node.id).count();
    node_kind_ui(ui, &mut kind, &mut edit, &node.id, out_edges);
    problems_ui(ui, &edit.not_shown());
    if edit.changed && kind != node.kind {
        commands.push(Command::SetNodeKind { index, kind, continuous: edit.dragging });
    }

    placement_ui(ui, input, index, node, commands);
    let areas = crate::scenario::Areas::new(input.scenario);
    let placed = areas.placement(index);
    let owner = faults::Owner::Node {
        id: &node.id,
        kind: &node.kind,
        zone: placed.zone.map(|z| areas.zone_name(z)),
        region: placed.region.map(|r| areas.region_name(r)),
    };
    faults::fault_timeline_ui(ui, input, owner, commands);
    ui.add_space(8.0);
    if ui.button("Delete node").on_hover_text("Removes it with its edges (Delete)").clicked() {
        commands.push(Command::DeleteNode(node.id.clone()));
    }
}

/// Why a node or edge has no live numbers.
/// Queueing theory's prediction for the node at the arrival rate and time
/// per request measured so far (since the warm-up), beside what the run
/// measured, and why they differ when they do.
fn theory_ui(ui: &mut Ui, input: &InspectorInput<'_>, node: &crate::scenario::NodeSpec, sim_i: usize) {
    let Some(stats) = input.rt.sim.as_ref().and_then(|s| s.node_totals(sim_i)) else { return };
    let around = crate::diagnosis::Surroundings {
        makes_calls: input.scenario.out_edges(&node.id).next().is_some(),
        upstream_retries: input.rt.sim.as_ref().map_or(0, |s| s.retries_upstream_of(sim_i)),
    };
    let Some(check) = crate::diagnosis::theory_check(&node.kind, &stats, around) else { return };
    ui.add_space(4.0);
    egui::CollapsingHeader::new(RichText::new("Theory beside the simulation").strong())
        .id_salt(("theory", &node.id))
        .default_open(true)
        .show(ui, |ui| {
            ui.label(
                RichText::new(match check.model {
                    crate::diagnosis::TheoryModel::ErlangC => format!(
                        "M/M/c with c = {} (Erlang C) at {} and {} per request, as measured since the warm-up",
                        check.workers,
                        format::rate(check.arrival_rps),
                        format::ms(check.hold_ms)
                    ),
                    crate::diagnosis::TheoryModel::PollaczekKhinchine => format!(
                        "{} at {} and {} per request, as measured since the warm-up: one worker, work time \
                         as variable as the file says",
                        check.model.label(),
                        format::rate(check.arrival_rps),
                        format::ms(check.hold_ms)
                    ),
                })
                .small(),
            );
            let overloaded = check.utilisation >= 1.0;
            let or_none = |v: Option<String>| {
                v.unwrap_or_else(|| if overloaded { "overloaded" } else { "no closed form" }.into())
            };
            let rows = [
                ("utilisation", format::percent(check.utilisation), format::percent(check.measured_utilisation)),
                (
                    "chance to wait",
                    or_none(check.wait_probability.map(format::percent)),
                    check.measured_wait_probability.map_or_else(|| "—".into(), format::percent),
                ),
                ("mean wait", or_none(check.mean_wait_ms.map(format::ms)), format::ms(check.measured_mean_wait_ms)),
                ("p99 here", or_none(check.p99_ms.map(format::ms)), format::ms(check.measured_p99_ms)),
            ];
            egui::Grid::new(("theory-grid", &node.id)).num_columns(3).striped(true).show(ui, |ui| {
                ui.label(RichText::new("").small());
                ui.label(RichText::new("theory").small().strong());
                ui.label(RichText::new("measured").small().strong());
                ui.end_row();
                for (what, theory, measured) in rows {
                    ui.label(what);
                    ui.label(theory);
                    ui.label(measured);
                    ui.end_row();
                }
            });
            if check.why_different.is_empty() {
                ui.label(RichText::new("They agree within a quarter: the queue behaves as theory says.").small());
            } else {
                ui.label(RichText::new("Why they differ:").small().strong());
                for why in &check.why_different {
                    ui.label(RichText::new(format!("• {why}")).small());
                }
            }
        });
}

fn not_running_note(ui: &mut Ui, rt: &Runtime) {
    if rt.sim.is_none() {
        ui.weak("No simulation yet: it starts once the scenario's problems are fixed.");
    } else {
        ui.weak("Not in the running simulation: it joins at the next reset.");
    }
}

/// The node's name, edited in place and applied on Enter or leaving the field.
fn rename_ui(ui: &mut Ui, index: usize, id: &str, commands: &mut Vec<Command>) {
    let buffer_id = ui.scope_id().with(("rename", index));
    let mut text = ui.data_mut(|d| d.get_temp_mut_or_insert_with(buffer_id, || id.to_string()).clone());
    ui.horizontal(|ui| {
        let label = label_cell(ui, "name", "Unique name; edges and faults refer to it.");
        let r = ui.add(TextEdit::singleline(&mut text).desired_width(150.0)).labelled_by(label.id);
        if r.changed() {
            ui.data_mut(|d| d.insert_temp(buffer_id, text.clone()));
        }
        if r.lost_focus() {
            if text.trim() != id {
                commands.push(Command::RenameNode { index, new_id: text.trim().to_string() });
            }
            ui.data_mut(|d| d.remove::<String>(buffer_id));
        } else if !r.has_focus() {
            ui.data_mut(|d| d.insert_temp(buffer_id, id.to_string()));
        }
    });
}

/// The node's outgoing edges, and a menu to add one.
fn calls_ui(ui: &mut Ui, input: &InspectorInput<'_>, id: &str, commands: &mut Vec<Command>) {
    let s = input.scenario;
    let Some(node) = s.node(id) else { return };
    if matches!(node.kind, NodeKind::Database(_)) {
        return;
    }
    ui.add_space(6.0);
    ui.label(RichText::new("Calls").strong()).on_hover_text(
        "Where this node sends work, in order: a client's single target, a load balancer's pool, a service's downstream calls (one after another, or all at once: its \"calls\" row above).",
    );
    for (i, e) in s.edges.iter().enumerate().filter(|(_, e)| e.from == id) {
        ui.horizontal(|ui| {
            if ui.link(format!("calls {}", e.to)).on_hover_text("Select this edge").clicked() {
                commands.push(Command::Select(Selection::edge(i)));
            }
        });
    }
    let targets: Vec<&str> =
        s.nodes.iter().map(|n| n.id.as_str()).filter(|t| connect_problem(s, id, t).is_none()).collect();
    ui.add_enabled_ui(!targets.is_empty(), |ui| {
        ui.menu_button("Call another node…", |ui| {
            for t in targets {
                if ui.button(format!("call {t}")).clicked() {
                    commands.push(Command::Connect { from: id.to_string(), to: t.to_string() });
                }
            }
        })
        .response
        .on_hover_text("Add an edge from this node (or drag from its right handle on the canvas)");
    });
}

fn edge_inspector_ui(ui: &mut Ui, input: &InspectorInput<'_>, index: usize, commands: &mut Vec<Command>) {
    let edge = &input.scenario.edges[index];
    ui.heading("Network link");
    ui.label(RichText::new(format!("{} -> {}", edge.from, edge.to)).strong());
    let edge_problems = input.problems.edges.get(&index).map_or(&[][..], Vec::as_slice);
    pending_note(ui, input, &PendingKey::Edge(index));
    let rt = input.rt;
    if let Some(f) = rt.sim_edge(&edge.from, &edge.to).and_then(|i| rt.live.edges.get(i)) {
        card_grid_ui(ui, &edge_traffic(f), "edge-live");
    } else {
        not_running_note(ui, rt);
    }
    ui.add_space(6.0);
    let mut spec = edge.clone();
    let mut edit = Edit::with_problems(edge_problems);
    let caller = Caller::of(input.scenario, edge);
    edge_params_ui(ui, &mut spec, &mut edit, index, &caller);
    if caller.client {
        client_policy_note(ui, &edge.from, commands);
    }
    problems_ui(ui, &edit.not_shown());
    if edit.changed && spec != *edge {
        commands.push(Command::SetEdge { index, edge: spec, continuous: edit.dragging });
    }
    faults::fault_timeline_ui(ui, input, faults::Owner::Edge(&edge.from, &edge.to), commands);
    ui.add_space(8.0);
    if ui.button("Delete edge").clicked() {
        commands.push(Command::DeleteEdge(index));
    }
}

/// Why an edge from a client has no timeout or retries of its own: the
/// client's apply to it, and are set on the client (a link selects it).
fn client_policy_note(ui: &mut Ui, client: &str, commands: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        ui.weak("This client's timeout and retries are set on the client:");
        if ui.link(format!("select {client}")).on_hover_text("Select the client to change them").clicked() {
            commands.push(Command::Select(Selection::node(client)));
        }
    });
}

fn settings_ui(ui: &mut Ui, input: &InspectorInput<'_>, commands: &mut Vec<Command>) {
    let s = input.scenario;
    ui.heading("Scenario");
    ui.weak("Select a node or an edge on the canvas to inspect it.");
    let mut settings = ScenarioSettings::of(s);
    let mut edit = Edit::with_problems(&input.problems.other);
    form(ui, "settings", |ui| {
        let label = label_cell(ui, "name", "Shown in the title and the library.");
        let r = ui.add(TextEdit::singleline(&mut settings.name).desired_width(170.0)).labelled_by(label.id);
        edit.note(&r);
        ui.end_row();
        let label = label_cell(
            ui,
            "seed",
            "Same scenario and seed = same run, to the request. Change it to see another random outcome.",
        );
        let r = ui.add(egui::DragValue::new(&mut settings.seed).speed(1.0)).labelled_by(label.id);
        edit.note(&r);
        ui.end_row();
        Row::new("duration", "duration_s")
            .unit(" s")
            .speed(1.0)
            .help("Simulated seconds of a headless run (archsim run). The app runs until you pause.")
            .number(ui, &mut edit, &mut settings.duration_s, 0.001..=MAX_SECONDS);
        Row::new("warm-up", "warmup_s")
            .unit(" s")
            .speed(1.0)
            .help("Simulated seconds left out of the totals and the verdict, while queues and caches fill.")
            .number(ui, &mut edit, &mut settings.warmup_s, 0.0..=MAX_SECONDS);
        Row::new("window", "window_s").unit(" s").speed(0.05).help("Width of one point of the live plots.").number(
            ui,
            &mut edit,
            &mut settings.window_s,
            MIN_WINDOW_S..=3600.0,
        );
    });
    ui.label("Description").on_hover_text("What the scenario shows, for the learner who opens it.");
    let r = ui.add(TextEdit::multiline(&mut settings.description).desired_rows(4).desired_width(f32::INFINITY));
    let r = r.on_hover_text("Description");
    edit.note(&r);
    if edit.changed && settings != ScenarioSettings::of(s) {
        // Text edits are continuous: one undo step per pause in typing.
        commands.push(Command::SetSettings { settings, continuous: true });
    }
    problems_ui(ui, &edit.not_shown());
    if input.problems.count() > 0 {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!(
                "{} problem(s) in all; nodes with problems are marked \"!\" on the canvas.",
                input.problems.count()
            ),
        );
    }

    ui.add_space(8.0);
    ui.label(RichText::new("Fault timeline").strong()).on_hover_text(
        "Scheduled failures from the scenario file; they replay at the same simulated times on every run.",
    );
    if s.faults.is_empty() {
        ui.weak("None. Schedule them in a node's inspector, or inject them live from its right-click menu.");
    }
    for (i, f) in s.faults.iter().enumerate() {
        ui.horizontal_wrapped(|ui| {
            ui.label(fault_text(f));
            if ui.small_button("remove").on_hover_text("Remove this fault").clicked() {
                commands.push(Command::RemoveFault(i));
            }
        });
        if let Some(p) = input.problems.faults.get(&i) {
            let messages: Vec<String> = p.iter().map(|p| p.message.clone()).collect();
            problems_ui(ui, &messages);
        }
    }
}

/// A fault in words (the diagnosis's, so the challenge's JSON and the
/// inspector say it alike).
pub use crate::diagnosis::fault_text;
