//! The fault timeline of one node (or of one edge: partitions and added latency) in its
//! inspector: scheduled crashes, slowdowns, injected errors, stop-the-world pauses, cache
//! flushes and traffic spikes, added, edited and removed as document edits (undoable)
//! that replay on every run from the next reset.

use eframe::egui::{RichText, Ui};

use super::super::command::Command;
use super::fields::{Edit, Row, form, problems_ui};
use super::{InspectorInput, fault_text};
use crate::scenario::limits::{MAX_FACTOR, MAX_MS, MAX_SECONDS, MIN_RANDOM_CRASH_MEAN_S};
use crate::scenario::{FaultSpec, NodeKind};

const TIME: std::ops::RangeInclusive<f64> = 0.0..=MAX_SECONDS;

/// What a fault of the timeline is attached to.
#[derive(Clone, Copy)]
pub enum Owner<'a> {
    /// A node, with the zone and region it runs in: their outages are
    /// listed with its own faults.
    Node {
        id: &'a str,
        kind: &'a NodeKind,
        zone: Option<&'a str>,
        region: Option<&'a str>,
    },
    Edge(&'a str, &'a str),
}

impl Owner<'_> {
    fn owns(&self, f: &FaultSpec) -> bool {
        match (self, f) {
            (Owner::Edge(a, b), FaultSpec::Partition { from, to, .. } | FaultSpec::Latency { from, to, .. }) => {
                from == a && to == b
            }
            (Owner::Edge(..), _) | (Owner::Node { .. }, FaultSpec::Partition { .. } | FaultSpec::Latency { .. }) => {
                false
            }
            (Owner::Node { zone, .. }, FaultSpec::ZoneOutage { zone: z, .. }) => *zone == Some(z.as_str()),
            (Owner::Node { region, .. }, FaultSpec::RegionOutage { region: r, .. }) => *region == Some(r.as_str()),
            (Owner::Node { id, .. }, f) => f.node_refs().contains(id),
        }
    }

    /// The faults that can be scheduled here, with a button label.
    fn templates(&self, start_s: f64) -> Vec<(&'static str, &'static str, FaultSpec)> {
        let (a, b) = (start_s, start_s + 10.0);
        match *self {
            Owner::Edge(from, to) => vec![
                (
                    "+ partition",
                    "Everything sent over this link is lost between two times",
                    FaultSpec::Partition { from: from.into(), to: to.into(), from_s: a, to_s: b },
                ),
                (
                    "+ latency",
                    "Every crossing of this link, the call and its answer, takes longer between two times \
                     (a congested link, a cross-region failover)",
                    FaultSpec::Latency { from: from.into(), to: to.into(), added_ms: 50.0, from_s: a, to_s: b },
                ),
            ],
            Owner::Node { id, kind, zone, region } => {
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
                if matches!(kind, NodeKind::Service(_) | NodeKind::Cache(_) | NodeKind::Database(_)) {
                    out.push((
                        "+ pause",
                        "It makes no progress for a while (a stop-the-world GC pause): its work freezes, \
                         requests queue, callers time out and retry",
                        FaultSpec::Pause { node: node(), at_s: a, duration_s: 2.0 },
                    ));
                }
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
                if !matches!(kind, NodeKind::Client(_)) {
                    if let Some(zone) = zone {
                        out.push((
                            "+ zone outage",
                            "Its whole availability zone goes down (power, network): every node placed in it, \
                             at once",
                            FaultSpec::ZoneOutage { zone: zone.into(), at_s: a, restore_s: Some(b + 20.0) },
                        ));
                    }
                    if let Some(region) = region {
                        out.push((
                            "+ region outage",
                            "Its whole region goes down: every node in any of its zones, at once",
                            FaultSpec::RegionOutage { region: region.into(), at_s: a, restore_s: Some(b + 50.0) },
                        ));
                    }
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
        let mut edit = Edit::with_problems(input.problems.faults.get(&index).map_or(&[][..], Vec::as_slice));
        form(ui, ("fault", index), |ui| fault_rows(ui, &mut edit, &mut edited));
        problems_ui(ui, &edit.not_shown());
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
            Row::new("crash at", "at_s")
                .unit(" s")
                .speed(0.5)
                .help("Simulated time the node goes down.")
                .number(ui, edit, at_s, TIME);
            let default = *at_s + 10.0;
            Row::new("restore at", "restore_s")
                .unit(" s")
                .help("Simulated time it comes back (empty, for a cache).")
                .optional_number(ui, edit, restore_s, (default, "stays down"), TIME);
        }
        FaultSpec::Slow { factor, from_s, to_s, .. } => {
            Row::new("slower ×", "factor").speed(0.1).help("Its work takes this many times longer.").number(
                ui,
                edit,
                factor,
                1.0..=MAX_FACTOR,
            );
            Row::new("from", "from_s")
                .unit(" s")
                .speed(0.5)
                .help("When the slowdown starts.")
                .number(ui, edit, from_s, TIME);
            Row::new("to", "to_s")
                .unit(" s")
                .speed(0.5)
                .help("When it is back to normal speed.")
                .number(ui, edit, to_s, TIME);
        }
        FaultSpec::Errors { probability, from_s, to_s, .. } => {
            Row::new("fails", "probability").help("Share of requests it fails on purpose.").percent(
                ui,
                edit,
                probability,
            );
            Row::new("from", "from_s")
                .unit(" s")
                .speed(0.5)
                .help("When the errors start.")
                .number(ui, edit, from_s, TIME);
            Row::new("to", "to_s").unit(" s").speed(0.5).help("When they stop.").number(ui, edit, to_s, TIME);
        }
        FaultSpec::Partition { from_s, to_s, .. } => {
            Row::new("cut from", "from_s")
                .unit(" s")
                .speed(0.5)
                .help("When the link starts losing everything.")
                .number(ui, edit, from_s, TIME);
            Row::new("healed at", "to_s")
                .unit(" s")
                .speed(0.5)
                .help("When it works again.")
                .number(ui, edit, to_s, TIME);
        }
        FaultSpec::Latency { added_ms, from_s, to_s, .. } => {
            Row::new("added", "added_ms")
                .unit(" ms")
                .speed(1.0)
                .help("Delay added to each crossing of the link, both ways: a call over it takes twice this longer.")
                .number(ui, edit, added_ms, 0.0..=MAX_MS);
            Row::new("from", "from_s")
                .unit(" s")
                .speed(0.5)
                .help("When the link becomes slow.")
                .number(ui, edit, from_s, TIME);
            Row::new("to", "to_s")
                .unit(" s")
                .speed(0.5)
                .help("When it is back to normal.")
                .number(ui, edit, to_s, TIME);
        }
        FaultSpec::Flush { at_s, .. } => {
            Row::new("flush at", "at_s")
                .unit(" s")
                .speed(0.5)
                .help("When the cache is emptied.")
                .number(ui, edit, at_s, TIME);
        }
        FaultSpec::Spike { at_s, duration_s, factor, .. } => {
            Row::new("traffic ×", "factor").speed(0.1).help("Rate multiplied by this.").number(
                ui,
                edit,
                factor,
                0.0..=MAX_FACTOR,
            );
            Row::new("at", "at_s").unit(" s").speed(0.5).help("When the spike starts.").number(ui, edit, at_s, TIME);
            Row::new("for", "duration_s")
                .unit(" s")
                .speed(0.5)
                .help("How long it lasts.")
                .number(ui, edit, duration_s, TIME);
        }
        FaultSpec::Pause { at_s, duration_s, .. } => {
            Row::new("pause at", "at_s")
                .unit(" s")
                .speed(0.5)
                .help("When the node stops the world.")
                .number(ui, edit, at_s, TIME);
            Row::new("for", "duration_s")
                .unit(" s")
                .speed(0.1)
                .help("How long it makes no progress; its work resumes where it was.")
                .number(ui, edit, duration_s, TIME);
        }
        FaultSpec::ZoneOutage { at_s, restore_s, .. } | FaultSpec::RegionOutage { at_s, restore_s, .. } => {
            Row::new("down at", "at_s")
                .unit(" s")
                .speed(0.5)
                .help("Simulated time every node in the area goes down.")
                .number(ui, edit, at_s, TIME);
            let default = *at_s + 30.0;
            Row::new("back at", "restore_s")
                .unit(" s")
                .help("Simulated time the area comes back (empty: stays down).")
                .optional_number(ui, edit, restore_s, (default, "stays down"), TIME);
        }
        FaultSpec::RandomCrashes { mtbf_s, mttr_s, .. } => {
            Row::new("MTBF", "mtbf_s").unit(" s").speed(1.0).help("Mean time between failures.").number(
                ui,
                edit,
                mtbf_s,
                MIN_RANDOM_CRASH_MEAN_S..=MAX_SECONDS,
            );
            Row::new("MTTR", "mttr_s").unit(" s").speed(0.5).help("Mean time to repair.").number(
                ui,
                edit,
                mttr_s,
                MIN_RANDOM_CRASH_MEAN_S..=MAX_SECONDS,
            );
        }
    }
}
