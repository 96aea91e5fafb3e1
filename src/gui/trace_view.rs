//! The Traces tab: a request drawn as a waterfall, one bar per call, so a
//! learner sees where a slow request spent its time — in line for a worker
//! (the pale part of a bar), at work, or waiting on what it called (the
//! bars under it). The engine keeps each window's slowest request and a
//! few ordinary ones (`sim::trace`); with a node selected, only requests
//! that reached it are offered.

use eframe::egui::{self, Align2, Color32, FontId, Rect, Sense, Ui, pos2, vec2};

use super::format;
use crate::sim::Simulation;
use crate::sim::trace::{Kept, SpanOutcome, TraceView};

/// Traces offered in the list, newest first.
const LISTED: usize = 30;

/// Which trace the tab shows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum TraceChoice {
    /// The newest slowest request, as they come.
    #[default]
    Newest,
    /// The slowest request kept in a window (a click on the latency plot).
    Window(u64),
    /// One request, by its window and when it was made (the list).
    Request { window: u64, at_s: f64 },
}

impl TraceChoice {
    /// The slowest request of the window whose point on the plots is
    /// nearest `t_s`: points are drawn at their window's end, so a click on
    /// the point at 42 s means the window that ended there.
    pub fn at_plot_time(t_s: f64, window_s: f64) -> TraceChoice {
        TraceChoice::Window(window_ending_nearest(t_s, window_s))
    }
}

/// The window (0 = the first) whose end is nearest `t_s`.
pub fn window_ending_nearest(t_s: f64, window_s: f64) -> u64 {
    let ends = (t_s / window_s.max(1e-9)).round();
    // Truncation is intended: a window index, at least 0.
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "a non-negative whole number")]
    let window = (ends - 1.0).max(0.0) as u64;
    window
}

/// The tab: a list of recent traces and the chosen one's waterfall.
pub fn traces_ui(ui: &mut Ui, sim: Option<&Simulation>, node: Option<usize>, choice: &mut TraceChoice) {
    let Some(sim) = sim else {
        ui.weak("Traces appear once the design runs.");
        return;
    };
    let ids: Vec<String> = sim.scenario().nodes.iter().map(|n| n.id.clone()).collect();
    let reached = |t: &&crate::sim::trace::Trace| node.is_none_or(|i| t.spans.iter().any(|s| s.node as usize == i));
    let traces: Vec<_> = sim.traces().collect();
    let mut recent: Vec<TraceView> =
        traces.iter().copied().rev().filter(reached).take(LISTED).map(|t| t.view(&ids)).collect();
    // A window picked on the plot: its slowest request, listed first if it
    // is older than the list.
    let mut missing_window = None;
    if let TraceChoice::Window(w) = *choice {
        let in_window = traces.iter().filter(|t| t.window == w);
        match in_window.clone().find(|t| t.kept == Kept::Slowest).or_else(|| in_window.clone().next()) {
            Some(t) => {
                let view = t.view(&ids);
                *choice = TraceChoice::Request { window: w, at_s: view.at_s };
                if !recent.iter().any(|r| r.window == view.window && r.at_s == view.at_s) {
                    recent.insert(0, view);
                }
            }
            None => missing_window = Some(w),
        }
    }
    if let Some(w) = missing_window {
        let window_s = sim.scenario().window_s;
        #[expect(clippy::cast_precision_loss, reason = "a window index, far below 2^52")]
        let end_of = |window: u64| (window + 1) as f64 * window_s;
        let ended = end_of(w);
        let first = traces.first().map(|t| t.window);
        let started = sim.tracing_started_in_window().unwrap_or(0);
        ui.colored_label(
            ui.visuals().warn_fg_color,
            match first {
                Some(_) if started > w => format!(
                    "No request was traced in the window that ended at {}: tracing started when this tab first \
                     opened, in the window that ended at {}.",
                    format::sim_clock(ended),
                    format::sim_clock(end_of(started))
                ),
                Some(first) if first > w => format!(
                    "The requests of the window that ended at {} are no longer kept: only the last {} windows' \
                     are, and the oldest kept ended at {}.",
                    format::sim_clock(ended),
                    crate::sim::trace::MAX_WINDOWS_KEPT,
                    format::sim_clock(end_of(first))
                ),
                _ => format!("No request was kept for the window that ended at {}.", format::sim_clock(ended)),
            },
        );
    }
    let Some(newest_slowest) = recent.iter().find(|t| t.kept == Kept::Slowest).or(recent.first()) else {
        ui.weak(match node {
            Some(_) => "No request kept so far reached the selected node.",
            None => "Tracing started when this tab opened: each window's slowest request shows here as it ends.",
        });
        return;
    };
    let picked = match *choice {
        TraceChoice::Request { window, at_s } => recent.iter().find(|t| t.window == window && t.at_s == at_s),
        TraceChoice::Newest | TraceChoice::Window(_) => None,
    };
    let shown = picked.unwrap_or(newest_slowest).clone();
    let label = |t: &TraceView| {
        let why = if t.kept == Kept::Slowest { "slowest" } else { "ordinary" };
        format!("{} · {why} · {}", format::sim_clock(t.at_s), format::ms(t.latency_ms))
    };
    ui.horizontal(|ui| {
        ui.label("request");
        egui::ComboBox::from_id_salt("trace-pick").selected_text(label(&shown)).show_ui(ui, |ui| {
            for t in &recent {
                if ui.selectable_label(t.window == shown.window && t.at_s == shown.at_s, label(t)).clicked() {
                    *choice = TraceChoice::Request { window: t.window, at_s: t.at_s };
                }
            }
        });
        if *choice != TraceChoice::Newest
            && ui.small_button("newest").on_hover_text("Follow the newest slowest request").clicked()
        {
            *choice = TraceChoice::Newest;
        }
    });
    if *choice == TraceChoice::Newest {
        ui.weak("Click a point of the latency plot to see that second's slowest request.");
    }
    ui.weak("Each bar is one call: pale while it waited for a worker, solid while its node worked or waited on the calls under it.");
    egui::ScrollArea::vertical().auto_shrink([false, true]).show(ui, |ui| waterfall_ui(ui, &shown));
}

/// One row per call: its node (indented by depth), then its bar on the
/// request's time axis.
fn waterfall_ui(ui: &mut Ui, trace: &TraceView) {
    let row = 18.0;
    let name_width = 150.0;
    let width = ui.available_width().max(name_width + 80.0);
    let total = trace.latency_ms.max(1e-9);
    let visuals = ui.visuals().clone();
    for span in &trace.spans {
        let (rect, response) = ui.allocate_exact_size(vec2(width, row), Sense::hover());
        let painter = ui.painter_at(rect);
        let indent = f32::from(span.depth.min(8)) * 8.0;
        painter.text(
            pos2(rect.left() + indent, rect.center().y),
            Align2::LEFT_CENTER,
            &span.node,
            FontId::proportional(12.0),
            visuals.text_color(),
        );
        // How long the call took, at the right of the name column.
        painter.text(
            pos2(rect.left() + name_width - 6.0, rect.center().y),
            Align2::RIGHT_CENTER,
            format::ms(span.duration_ms),
            FontId::proportional(11.0),
            visuals.weak_text_color(),
        );
        let axis = Rect::from_min_max(
            pos2(rect.left() + name_width, rect.top() + 3.0),
            pos2(rect.right() - 4.0, rect.bottom() - 3.0),
        );
        let x = |ms: f64| axis.left() + (ms / total).clamp(0.0, 1.0) as f32 * axis.width();
        let color = match span.outcome {
            SpanOutcome::Ok => Color32::from_rgb(90, 160, 230),
            SpanOutcome::Degraded => Color32::from_rgb(230, 170, 60),
            SpanOutcome::Failed(_) => Color32::from_rgb(220, 80, 70),
            SpanOutcome::Unfinished => Color32::from_gray(140),
        };
        let start = x(span.start_ms);
        let queued_until = x(span.start_ms + span.queue_ms);
        let end = x(span.start_ms + span.duration_ms).max(start + 1.0);
        painter.rect_filled(
            Rect::from_min_max(pos2(start, axis.top()), pos2(queued_until, axis.bottom())),
            2.0,
            color.gamma_multiply(0.35),
        );
        painter.rect_filled(Rect::from_min_max(pos2(queued_until, axis.top()), pos2(end, axis.bottom())), 2.0, color);
        let outcome = match span.outcome {
            SpanOutcome::Ok => String::new(),
            SpanOutcome::Degraded => " · degraded".into(),
            SpanOutcome::Failed(reason) => format!(" · failed: {}", reason.label()),
            SpanOutcome::Unfinished => " · still under way when the request ended".into(),
        };
        let queue =
            if span.queue_ms > 0.0 { format!(", {} in line", format::ms(span.queue_ms)) } else { String::new() };
        let text = format!(
            "{}: from {} for {}{queue}{outcome}",
            span.node,
            format::ms(span.start_ms),
            format::ms(span.duration_ms)
        );
        response.on_hover_text(text);
    }
    if trace.spans_dropped > 0 {
        ui.weak(format!("{} more calls not kept", trace.spans_dropped));
    }
}
