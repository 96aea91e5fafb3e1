//! The rewind row under the plots: a scrubber over the simulated time the
//! snapshots cover, the memory they hold against their budget, and the
//! first run's faint trace after a fork (`runtime/rewind.rs` keeps the
//! history; this only presents it and asks with [`Command`]s).

use eframe::egui::{self, Color32, RichText, Ui};
use egui_plot::{Line, PlotPoints, PlotUi};

use super::command::Command;
use super::format;
use super::runtime::HistoryStatus;
use crate::sim::TimeSeries;

/// Budgets offered for the snapshots, MiB.
const BUDGETS_MIB: [usize; 5] = [64, 128, 256, 512, 1024];

/// What the scrubber remembers between frames: the moment under the
/// user's hand while dragging (the run jumps when it is let go).
#[derive(Debug, Default)]
pub struct RewindView {
    dragging_to: Option<f64>,
}

/// `41 MB` (MiB, rounded; under one, in KB).
pub fn megabytes(bytes: usize) -> String {
    let mib = bytes as f64 / (1024.0 * 1024.0);
    if mib >= 1.0 { format!("{mib:.0} MB") } else { format!("{:.0} KB", bytes as f64 / 1024.0) }
}

/// The row: "Rewind [slider] 1 min 03 s · covered 0.0 s – 2 min 10 s ·
/// snapshots 41 MB of 256 MB", and while there is one, the first run's
/// legend with a button that drops it.
pub fn rewind_ui(ui: &mut Ui, view: &mut RewindView, status: &HistoryStatus, now_s: f64, commands: &mut Vec<Command>) {
    // Wrapped: in a narrow panel the memory and the first run's legend go
    // to a second line rather than off the edge.
    ui.horizontal_wrapped(|ui| {
        let label = ui.label(RichText::new("Rewind").strong()).on_hover_text(
            "Go back to any moment of the run (it replays from the nearest snapshot, to the same numbers) and \
             pause there. Play repeats the first run; a change from there forks it, and the plots show the \
             first run faint beside the new one.",
        );
        let mut at = view.dragging_to.unwrap_or(now_s);
        let range = status.from_s..=status.reach_s.max(status.from_s);
        let width = (ui.available_width() * 0.3).clamp(100.0, 360.0);
        ui.spacing_mut().slider_width = width;
        let slider = egui::Slider::new(&mut at, range).show_value(false).clamping(egui::SliderClamping::Always);
        let response = ui.add(slider).labelled_by(label.id);
        if response.dragged() {
            view.dragging_to = Some(at);
        } else if response.drag_stopped() || response.changed() {
            view.dragging_to = None;
            commands.push(Command::RewindTo(at));
        }
        let shown = view.dragging_to.unwrap_or(now_s);
        ui.label(format::sim_clock(shown));
        ui.weak("·");
        ui.weak(format!("covered {} – {}", format::sim_clock(status.from_s), format::sim_clock(status.reach_s)))
            .on_hover_text(format!(
                "{} snapshots, thinned as the run grows: the recent past finely, the start coarsely",
                status.snapshots
            ));
        ui.weak("·");
        ui.weak(format!("snapshots {} of", megabytes(status.bytes)));
        let current = status.budget_bytes / (1024 * 1024);
        egui::ComboBox::from_id_salt("snapshot-budget")
            .selected_text(megabytes(status.budget_bytes))
            .width(70.0)
            .show_ui(ui, |ui| {
                for mib in BUDGETS_MIB {
                    if ui.selectable_label(current == mib, format!("{mib} MB")).clicked() {
                        commands.push(Command::SetSnapshotBudget(mib * 1024 * 1024));
                    }
                }
            })
            .response
            .on_hover_text("Memory the snapshots may use; older ones are thinned to stay within it");
        if status.following {
            ui.weak("·");
            ui.weak("repeating the first run");
        }
        if status.first_run {
            ui.weak("·");
            ui.label(RichText::new("faint: the first run").small().color(FIRST_RUN));
            if ui.small_button("Hide the first run").clicked() {
                commands.push(Command::ForgetFirstRun);
            }
        }
    });
}

/// The first run's trace: light grey, under the fork's lines.
pub const FIRST_RUN: Color32 = Color32::from_rgba_premultiplied(150, 150, 160, 150);

/// Another run's throughput and p99 over the plots' span, drawn faint
/// under the live run's lines: the first run after a rewind forked it
/// ("first run"), or design A's run beside the live B of a comparison
/// ("A: three-tier").
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceTrace {
    /// What the run is, in the plots' legend and hover: `first run`.
    pub label: String,
    pub color: Color32,
    pub ok_rps: Vec<[f64; 2]>,
    pub p99_ms: Vec<[f64; 2]>,
}

impl ReferenceTrace {
    /// The windows of `series` that end within `span`.
    pub fn of(series: &TimeSeries, span: (f64, f64), label: impl Into<String>, color: Color32) -> Self {
        let mut t = ReferenceTrace { label: label.into(), color, ok_rps: Vec::new(), p99_ms: Vec::new() };
        for f in series.iter().filter(|f| f.end_s >= span.0 && f.end_s <= span.1) {
            t.ok_rps.push([f.end_s, f.end_to_end.throughput_rps]);
            if f.end_to_end.latency.count > 0 {
                t.p99_ms.push([f.end_s, f.end_to_end.latency.p99_ms]);
            }
        }
        t
    }

    /// The first run of a forked rewind.
    pub fn first_run(series: &TimeSeries, span: (f64, f64)) -> Self {
        Self::of(series, span, "first run", FIRST_RUN)
    }

    pub fn draw_throughput(&self, plot_ui: &mut PlotUi<'_>) {
        let name = format!("ok, {}", self.label);
        plot_ui.line(Line::new(name, PlotPoints::from(self.ok_rps.clone())).color(self.color).width(1.5));
    }

    pub fn draw_p99(&self, plot_ui: &mut PlotUi<'_>, log: bool) {
        let points: Vec<[f64; 2]> =
            self.p99_ms.iter().map(|p| [p[0], if log { p[1].max(1e-3).log10() } else { p[1] }]).collect();
        let name = format!("p99, {}", self.label);
        plot_ui.line(Line::new(name, PlotPoints::from(points)).color(self.color).width(1.5));
    }
}
