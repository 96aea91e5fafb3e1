//! The fault timeline of one node (or of one edge: partitions) in its
//! inspector: scheduled crashes, slowdowns, injected errors, cache flushes
//! and traffic spikes, added, edited and removed as document edits (undoable)
//! that replay on every run from the next reset.

use eframe::egui::{RichText, Ui};

use super::super::command::Command;
use super::fields::{Edit, f64_row, form, optional_f64_row, percent_row, problems_ui};
use super::{InspectorInput, fault_text};
use crate::scenario::{FaultSpec, NodeKind};

const TIME: std::ops::RangeInclusive<f64> = 0.0..=1e7;

/// What a fault of the timeline is attached to.
#[derive(Clone, Copy)]
pub enum Owner<'a> {
    Node(&'a str, &'a NodeKind),
    Edge(&'a str, &'a str),
}

impl Owner<'_> {
    fn owns(&self, f: &FaultSpec) -> bool {
        match (self, f) {
            (Owner::Edge(a, b), FaultSpec::Partition { from, to, .. }) => from == a && to == b,
            (Owner::Edge(..), _) | (Owner::Node(..), FaultSpec::Partition { .. }) => false,
            (Owner::Node(id, _), f) => f.node_refs().contains(id),
        }
    }

    /// The faults that can be scheduled here, with a button label.
    fn templates(&self, start_s: f64) -> Vec<(&'static str, &'static str, FaultSpec)> {
        let (a, b) = (start_s, start_s + 10.0);
        match *self {
            Owner::Edge(from, to) => vec![(
                "+ partition",
                "Everything sent over this link is lost between two times",
                FaultSpec::Partition { from: from.into(), to: to.into(), from_s: a, to_s: b },
            )],
            Owner::Node(id, kind) => {
                let node = || id.to_string();
                let mut out = vec![
                    (
                        "+ crash",
                        "The node goes down at a time, and comes back later if you say when",
                        FaultSpec::Crash { node: node(), at_s: a, restore_s: Some(b) },
                    ),
                    (
                        "+ slow down",
                        "Its work takes k times longer between two times (a noisy neighbour, a GC storm)",
                        FaultSpec::Slow { node: node(), factor: 4.0, from_s: a, to_s: b },
                    ),
                    (
                        "+ errors",
                        "It fails a share of requests between two times (a bad deploy)",
                        FaultSpec::Errors { node: node(), probability: 0.2, from_s: a, to_s: b },
                    ),
                ];
                if matches!(kind, NodeKind::Cache(_)) {
                    out.push((
                        "+ flush",
                        "The cache is emptied at a time: every read misses until it warms up",
                        FaultSpec::Flush { node: node(), at_s: a },
                    ));
                }
                if matches!(kind, NodeKind::Client(_)) {
                    out.push((
                        "+ spike",
                        "Traffic multiplied by a factor for a while (a sale, a news item)",
                        FaultSpec::Spike { node: node(), at_s: a, duration_s: 10.0, factor: 5.0 },
                    ));
                }
                out
            }
        }
    }
}

/// The timeline section: each fault of `owner` with its fields and a
/// remove button, then buttons to add one.
pub fn fault_timeline_ui(ui: &mut Ui, input: &InspectorInput<'_>, owner: Owner<'_>, commands: &mut Vec<Command>) {
    ui.add_space(6.0);
    ui.label(RichText::new("Scheduled faults").strong()).on_hover_text(
        "Failures at set simulated times, saved with the scenario; they replay the same way on every run.",
    );
    let mine = |faults: &[FaultSpec]| faults.iter().filter(|f| owner.owns(f)).cloned().collect::<Vec<_>>();
    let running = input.rt.sim.as_ref().map(|s| mine(&s.scenario().faults));
    if running.is_some_and(|r| r != mine(&input.scenario.faults)) {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "Applies at next reset: this timeline changed since the run began.",
        );
    } else {
        ui.weak("Edits apply at the next reset (Reset, or Run again).");
    }
    let mut any = false;
    for (index, fault) in input.scenario.faults.iter().enumerate().filter(|(_, f)| owner.owns(f)) {
        any = true;
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(fault_text(fault)).italics());
            if ui.small_button("remove").on_hover_text("Remove this fault from the timeline").clicked() {
                commands.push(Command::RemoveFault(index));
            }
        });
        let mut edited = fault.clone();
        let mut edit = Edit::default();
        form(ui, ("fault", index), |ui| fault_rows(ui, &mut edit, &mut edited));
        if let Some(p) = input.problems.faults.get(&index) {
            problems_ui(ui, p);
        }
        if edit.changed && edited != *fault {
            commands.push(Command::SetFault { index, fault: edited, continuous: edit.dragging });
        }
        ui.separator();
    }
    if !any {
        ui.weak("None yet.");
    }
    let start = (input.rt.now_s() / 5.0).ceil() * 5.0 + 10.0;
    ui.horizontal_wrapped(|ui| {
        for (label, help, fault) in owner.templates(start) {
            if ui.button(label).on_hover_text(help).clicked() {
                commands.push(Command::AddFault(fault));
            }
        }
    });
}

/// The fields of one fault.
fn fault_rows(ui: &mut Ui, edit: &mut Edit, f: &mut FaultSpec) {
    match f {
        FaultSpec::Crash { at_s, restore_s, .. } => {
            f64_row(ui, edit, "crash at", at_s, " s", TIME, 0.5, "Simulated time the node goes down.");
            let default = *at_s + 10.0;
            optional_f64_row(
                ui,
                edit,
                "restore at",
                restore_s,
                default,
                " s",
                TIME,
                "stays down",
                "Simulated time it comes back (empty, for a cache).",
            );
        }
        FaultSpec::Slow { factor, from_s, to_s, .. } => {
            f64_row(ui, edit, "slower ×", factor, "", 1.0..=1000.0, 0.1, "Its work takes this many times longer.");
            f64_row(ui, edit, "from", from_s, " s", TIME, 0.5, "When the slowdown starts.");
            f64_row(ui, edit, "to", to_s, " s", TIME, 0.5, "When it is back to normal speed.");
        }
        FaultSpec::Errors { probability, from_s, to_s, .. } => {
            percent_row(ui, edit, "fails", probability, "Share of requests it fails on purpose.");
            f64_row(ui, edit, "from", from_s, " s", TIME, 0.5, "When the errors start.");
            f64_row(ui, edit, "to", to_s, " s", TIME, 0.5, "When they stop.");
        }
        FaultSpec::Partition { from_s, to_s, .. } => {
            f64_row(ui, edit, "cut from", from_s, " s", TIME, 0.5, "When the link starts losing everything.");
            f64_row(ui, edit, "healed at", to_s, " s", TIME, 0.5, "When it works again.");
        }
        FaultSpec::Flush { at_s, .. } => {
            f64_row(ui, edit, "flush at", at_s, " s", TIME, 0.5, "When the cache is emptied.");
        }
        FaultSpec::Spike { at_s, duration_s, factor, .. } => {
            f64_row(ui, edit, "traffic ×", factor, "", 0.0..=1000.0, 0.1, "Rate multiplied by this.");
            f64_row(ui, edit, "at", at_s, " s", TIME, 0.5, "When the spike starts.");
            f64_row(ui, edit, "for", duration_s, " s", TIME, 0.5, "How long it lasts.");
        }
        FaultSpec::RandomCrashes { mtbf_s, mttr_s, .. } => {
            f64_row(ui, edit, "MTBF", mtbf_s, " s", 0.001..=1e9, 1.0, "Mean time between failures.");
            f64_row(ui, edit, "MTTR", mttr_s, " s", 0.001..=1e9, 0.5, "Mean time to repair.");
        }
    }
}
