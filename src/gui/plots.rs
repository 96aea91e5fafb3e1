//! The live plots over a sliding window of simulated time: throughput (ok /
//! degraded / failed), latency percentiles (optionally on a log scale),
//! failures by reason, and for the selected node its queue, utilisation,
//! cache hit ratio and degraded answers. Engine events (spikes, crashes,
//! restores) are vertical markers. Points are the closed windows of `Simulation::series()`: each is a
//! complete window, so the last point does not jitter.

use eframe::egui::{self, Color32, RichText, Ui};
use egui_plot::{Line, Plot, PlotPoints, VLine};

use super::format;
use super::theme::Palette;
use crate::sim::{FailureReason, SimEvent, SimEventKind, Simulation, Stats};

type Series = Vec<[f64; 2]>;

/// A vertical marker on the time axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub at_s: f64,
    pub text: String,
    pub kind: MarkerKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerKind {
    Crash,
    Restore,
    Spike,
    /// A slowdown, injected errors, a partition or a cache flush begins.
    Fault,
    /// A slowdown, error injection, partition or spike ends.
    Recovery,
    /// A service's instance count changes, or a new instance is ready.
    Scaling,
    /// The scenario's duration: where the run pauses unless asked to go on.
    End,
    /// An SLO's alert fires (its span is shaded until it resolves).
    AlertFiring,
    /// A firing alert resolves.
    AlertResolved,
}

impl MarkerKind {
    pub fn of(event: &SimEvent) -> Self {
        match event.kind {
            SimEventKind::Crash | SimEventKind::AreaDown => MarkerKind::Crash,
            SimEventKind::Restore | SimEventKind::AreaRestored => MarkerKind::Restore,
            SimEventKind::SpikeStart => MarkerKind::Spike,
            SimEventKind::SlowdownStart
            | SimEventKind::ErrorsStart
            | SimEventKind::PartitionStart
            | SimEventKind::LinkSlowStart
            | SimEventKind::Flush
            | SimEventKind::BreakerOpened
            | SimEventKind::PauseStart
            | SimEventKind::TargetUnhealthy
            | SimEventKind::TargetEjected => MarkerKind::Fault,
            SimEventKind::SlowdownEnd
            | SimEventKind::ErrorsEnd
            | SimEventKind::PartitionEnd
            | SimEventKind::LinkSlowEnd
            | SimEventKind::SpikeEnd
            | SimEventKind::BreakerHalfOpen
            | SimEventKind::BreakerClosed
            | SimEventKind::PauseEnd
            | SimEventKind::TargetHealthy
            | SimEventKind::TargetReturned => MarkerKind::Recovery,
            SimEventKind::ScaledOut | SimEventKind::ScaledIn | SimEventKind::InstanceReady => MarkerKind::Scaling,
            SimEventKind::AlertFiring => MarkerKind::AlertFiring,
            SimEventKind::AlertResolved => MarkerKind::AlertResolved,
        }
    }

    fn label(self) -> &'static str {
        match self {
            MarkerKind::Crash => "crash",
            MarkerKind::Restore => "restore",
            MarkerKind::Spike => "spike",
            MarkerKind::Fault => "fault",
            MarkerKind::Recovery => "back to normal",
            MarkerKind::Scaling => "scaling",
            MarkerKind::End => "end of the run",
            MarkerKind::AlertFiring => "alert firing",
            MarkerKind::AlertResolved => "alert resolved",
        }
    }

    fn color(self) -> Color32 {
        match self {
            MarkerKind::Crash => Color32::from_rgb(230, 75, 60),
            MarkerKind::Restore => Color32::from_rgb(70, 170, 110),
            MarkerKind::Spike => Color32::from_rgb(235, 170, 50),
            MarkerKind::Fault => Color32::from_rgb(200, 120, 200),
            MarkerKind::Recovery => Color32::from_rgb(120, 170, 150),
            MarkerKind::Scaling => Color32::from_rgb(90, 150, 220),
            MarkerKind::End => Color32::from_rgb(150, 150, 160),
            MarkerKind::AlertFiring => ALERT,
            MarkerKind::AlertResolved => Color32::from_rgb(70, 170, 110),
        }
    }
}

/// A stretch of time an alert fired, shaded on every plot.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertShade {
    pub from_s: f64,
    /// Where it resolved, or now while it still fires.
    pub to_s: f64,
    pub alert: String,
}

/// Everything the plots draw, derived from the simulation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlotData {
    pub ok_rps: Series,
    /// Answers a fallback gave instead of failing, per second.
    pub degraded_rps: Series,
    pub failed_rps: Series,
    /// Whether the throughput plot shows degraded answers: some in the
    /// window, or a fallback in the design (so a flat zero is news too).
    pub show_degraded: bool,
    pub p50_ms: Series,
    pub p95_ms: Series,
    pub p99_ms: Series,
    /// Failures per second by reason, only reasons that occur in the window.
    pub failures: Vec<(FailureReason, Series)>,
    pub node_queue: Series,
    pub node_utilisation_pct: Series,
    pub node_hit_pct: Series,
    /// Requests/s arriving at the selected node, and failing there.
    pub node_arrivals_rps: Series,
    pub node_failed_rps: Series,
    /// The selected node's degraded answers per second, and as a share of
    /// its answers; empty unless it gave some in the window.
    pub node_degraded_rps: Series,
    pub node_degraded_pct: Series,
    /// A scaled service's instances in balancing and booting (time-averaged
    /// per window); empty for anything else.
    pub node_ready: Series,
    pub node_booting: Series,
    /// The selected node's p99 per window, and queueing theory's p99 for it
    /// (M/M/c at its measured rate and hold time, see
    /// `diagnosis::theory_check`), drawn dashed beside it; both empty or
    /// `None` for a node without a pool.
    pub node_p99_ms: Series,
    pub node_theory_p99_ms: Option<f64>,
    pub markers: Vec<Marker>,
    /// Other runs drawn faint under the live one (`rewind_view.rs`): the
    /// first run after a rewind forked it, design A's run in a comparison.
    pub references: Vec<super::rewind_view::ReferenceTrace>,
    /// Where an SLO's alert was firing in the span shown: shaded.
    pub alert_spans: Vec<AlertShade>,
    /// Each SLO so far, for the live readout above the plots.
    pub slos: Vec<SloLine>,
    /// The time span shown.
    pub span: (f64, f64),
}

impl PlotData {
    /// Whether any window has closed yet.
    pub fn has_points(&self) -> bool {
        !self.ok_rps.is_empty()
    }
}

/// One SLO's live readout: "checkout-latency: 99.21 % ≥ 99 % · budget 79 %
/// used · fast-burn FIRING since 62 s", in red when missed or firing.
#[derive(Debug, Clone, PartialEq)]
pub struct SloLine {
    pub text: String,
    /// Share of the period's error budget spent (over 1: blown).
    pub budget_used: f64,
    pub tone: ReadoutTone,
}

/// The plot data for the last `window_s` simulated seconds; `node` is the
/// selected node's index in the simulation.
pub fn plot_data(sim: &Simulation, window_s: f64, node: Option<usize>) -> PlotData {
    let now = sim.now().as_secs();
    let from = (now - window_s).max(0.0);
    let frames = sim.series().frames();
    let first = frames.partition_point(|f| f.end_s < from);
    let mut d = PlotData { span: (from, now.max(from + 1.0)), ..PlotData::default() };
    let mut by_reason: Vec<Series> = vec![Vec::new(); FailureReason::COUNT];
    for f in frames.iter().skip(first) {
        let x = f.end_s;
        let e = &f.end_to_end;
        let secs = e.duration_s.max(1e-9);
        d.ok_rps.push([x, e.throughput_rps]);
        d.degraded_rps.push([x, e.degraded as f64 / secs]);
        d.failed_rps.push([x, e.failed as f64 / secs]);
        if e.latency.count > 0 {
            d.p50_ms.push([x, e.latency.p50_ms]);
            d.p95_ms.push([x, e.latency.p95_ms]);
            d.p99_ms.push([x, e.latency.p99_ms]);
        }
        for r in FailureReason::ALL {
            by_reason[r.index()].push([x, e.failures.get(r) as f64 / secs]);
        }
        if let Some(s) = node.and_then(|i| f.nodes.get(i)) {
            let node_secs = s.duration_s.max(1e-9);
            d.node_arrivals_rps.push([x, s.arrival_rate_rps]);
            d.node_failed_rps.push([x, s.failed as f64 / node_secs]);
            d.node_degraded_rps.push([x, s.degraded as f64 / node_secs]);
            d.node_degraded_pct.push([x, s.degraded_ratio * 100.0]);
            d.node_queue.push([x, s.mean_queue_len]);
            if let Some(u) = s.utilisation {
                d.node_utilisation_pct.push([x, u * 100.0]);
            }
            if let Some(h) = s.hit_ratio {
                d.node_hit_pct.push([x, h * 100.0]);
            }
            if let Some(i) = s.instances {
                d.node_ready.push([x, i.ready]);
                d.node_booting.push([x, i.booting]);
            }
            if s.utilisation.is_some() && s.latency.count > 0 {
                d.node_p99_ms.push([x, s.latency.p99_ms]);
            }
        }
    }
    // One instance all along is nothing to plot.
    if !d.node_ready.iter().zip(&d.node_booting).any(|(r, b)| r[1] + b[1] > 1.0 + 1e-9) {
        d.node_ready.clear();
        d.node_booting.clear();
    }
    if !d.node_degraded_rps.iter().any(|p| p[1] > 0.0) {
        d.node_degraded_rps.clear();
        d.node_degraded_pct.clear();
    }
    if let Some(i) = node
        && let (Some(spec), Some(totals)) = (sim.scenario().nodes.get(i), sim.node_totals(i))
    {
        let around = crate::diagnosis::Surroundings {
            makes_calls: sim.scenario().out_edges(&spec.id).next().is_some(),
            upstream_retries: sim.retries_upstream_of(i),
        };
        d.node_theory_p99_ms =
            crate::diagnosis::theory_check(&spec.kind, &totals, around).and_then(|check| check.p99_ms);
    }
    if d.node_theory_p99_ms.is_none() {
        d.node_p99_ms.clear();
    }
    d.show_degraded =
        d.degraded_rps.iter().any(|p| p[1] > 0.0) || sim.scenario().edges.iter().any(|e| e.fallback.is_some());
    d.failures = FailureReason::ALL
        .iter()
        .zip(by_reason)
        .filter(|(_, s)| s.iter().any(|p| p[1] > 0.0))
        .map(|(r, s)| (*r, s))
        .collect();
    d.markers = sim
        .event_log()
        .iter()
        .filter(|e| e.at.as_secs() >= from)
        .map(|e| Marker { at_s: e.at.as_secs(), text: e.what.clone(), kind: MarkerKind::of(e) })
        .collect();
    let slos = sim.slo_reports();
    d.alert_spans = alert_shades(&slos, from, now);
    d.slos = slos
        .iter()
        .map(|s| SloLine {
            text: s.readout(),
            budget_used: s.budget_used_percent / 100.0,
            tone: if s.firing() || !s.met { ReadoutTone::Failed } else { ReadoutTone::Plain },
        })
        .collect();
    let end = sim.scenario().duration_s;
    if end >= from && end <= now {
        d.markers.push(Marker {
            at_s: end,
            text: format!("the scenario's duration ({})", format::sim_clock(end)),
            kind: MarkerKind::End,
        });
    }
    d
}

/// The alerts' firing spans that reach into `[from, now]`, clipped to it.
fn alert_shades(slos: &[crate::sim::SloReport], from: f64, now: f64) -> Vec<AlertShade> {
    let mut shades = Vec::new();
    for slo in slos {
        for alert in &slo.alerts {
            for span in &alert.spans {
                let to_s = span.to_s.unwrap_or(now);
                if to_s >= from {
                    shades.push(AlertShade { from_s: span.from_s.max(from), to_s, alert: alert.name.clone() });
                }
            }
        }
    }
    shades
}

/// A firing alert: its marker, and the tint of its span.
const ALERT: Color32 = Color32::from_rgb(235, 60, 110);

/// Colours of the series, chosen to read on dark and light backgrounds
/// (degraded answers take the theme's yellow, [`Palette::degraded`]).
/// The selected node's p99 and theory's dashed line beside it.
const NODE_P99: Color32 = Color32::from_rgb(200, 120, 220);
const OK: Color32 = Color32::from_rgb(80, 160, 230);
const FAILED: Color32 = Color32::from_rgb(230, 75, 60);
const P50: Color32 = Color32::from_rgb(90, 180, 120);
const P95: Color32 = Color32::from_rgb(235, 170, 50);
const P99: Color32 = Color32::from_rgb(230, 75, 60);

fn reason_color(r: FailureReason) -> Color32 {
    match r {
        FailureReason::Rejected => Color32::from_rgb(230, 75, 60),
        FailureReason::NodeDown => Color32::from_rgb(150, 150, 160),
        FailureReason::Error => Color32::from_rgb(200, 90, 200),
        FailureReason::Timeout => Color32::from_rgb(235, 170, 50),
        FailureReason::Dropped => Color32::from_rgb(90, 160, 230),
        FailureReason::RetriesExhausted => Color32::from_rgb(240, 120, 40),
        // Teal: a refusal by design, apart from the reds of overload.
        FailureReason::RateLimited => Color32::from_rgb(60, 180, 170),
        FailureReason::BulkheadFull => Color32::from_rgb(170, 130, 220),
        // Slate blue: the caller's own choice to fail fast, like the bulkhead.
        FailureReason::BreakerOpen => Color32::from_rgb(110, 130, 200),
        // Brown: load dropped on purpose after waiting too long.
        FailureReason::Shed => Color32::from_rgb(170, 120, 80),
        FailureReason::Throttled => Color32::from_rgb(120, 160, 150),
        FailureReason::DeadlineExceeded => Color32::from_rgb(150, 110, 170),
    }
}

/// Options of the plot row.
pub struct PlotOptions<'a> {
    pub log_latency: &'a mut bool,
    pub window_s: &'a mut f64,
    /// The selected node's name, if one.
    pub node_name: Option<&'a str>,
    /// End to end over the last second or so, for the readout.
    pub now: Option<&'a Stats>,
    /// One plot under the other (presenter mode's column beside the
    /// canvas) rather than side by side (the bottom panel).
    pub stacked: bool,
}

/// What a piece of the readout's text says by its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadoutTone {
    Plain,
    Degraded,
    Failed,
}

/// The readout, "now: 180 rps ok · 10 % degraded · p99 41 ms · 0 % failed",
/// in pieces with their tone: degraded answers only when there are some,
/// in yellow; the rest in red once more than 1 % fail.
pub fn readout(s: &Stats) -> Vec<(String, ReadoutTone)> {
    let tone = if s.error_ratio > 0.01 { ReadoutTone::Failed } else { ReadoutTone::Plain };
    let mut parts = vec![(format!("now: {} ok", format::rate(s.throughput_rps)), tone)];
    if s.degraded > 0 {
        parts.push((" · ".into(), tone));
        parts.push((format!("{} degraded", format::percent(s.degraded_ratio)), ReadoutTone::Degraded));
    }
    let p99 = format::percentile_ms(&s.latency, s.latency.p99_ms);
    parts.push((format!(" · p99 {p99} · {} failed", format::percent(s.error_ratio)), tone));
    parts
}

/// The plots: a row in the bottom panel, a column in presenter mode.
/// Returns the simulated time of a click on the latency plot (its
/// slowest request is shown in the Traces tab).
pub fn plots_ui(ui: &mut Ui, data: &PlotData, opts: PlotOptions<'_>) -> Option<f64> {
    let mut latency_clicked = None;
    let degraded = Palette::of(ui.visuals().dark_mode).degraded;
    let header = |ui: &mut Ui| {
        ui.label(RichText::new("Live").strong());
        ui.weak("last");
        egui::ComboBox::from_id_salt("plot-window")
            .selected_text(format!("{} s", *opts.window_s))
            .width(70.0)
            .show_ui(ui, |ui| {
                for w in [30.0, 60.0, 120.0, 300.0, 900.0] {
                    ui.selectable_value(opts.window_s, w, format!("{w} s"));
                }
            })
            .response
            .on_hover_text("Plot window (simulated seconds)");
        ui.checkbox(opts.log_latency, "log latency")
            .on_hover_text("Latency on a logarithmic axis: tails stay readable");
        if let Some(s) = opts.now {
            ui.separator();
            let mut job = egui::text::LayoutJob::default();
            let font = egui::TextStyle::Body.resolve(ui.style());
            for (text, tone) in readout(s) {
                let color = match tone {
                    ReadoutTone::Plain => ui.visuals().text_color(),
                    ReadoutTone::Degraded => degraded,
                    ReadoutTone::Failed => FAILED,
                };
                job.append(&text, 0.0, egui::TextFormat::simple(font.clone(), color));
            }
            // Whole, on the next line if it does not fit on this one.
            ui.add(egui::Label::new(job).wrap_mode(egui::TextWrapMode::Extend)).on_hover_text(
                "End to end, as the clients see it, over the last simulated window (the open one once it is half \
                 full). Degraded: answered by a fallback (a default, a stale copy) instead of failing.",
            );
        }
        if !data.has_points() {
            ui.weak("Points appear as each simulated window (1 s by default) closes.");
        }
    };
    // Large text (presenter mode, the UI zoom) wraps the readout rather than cutting it.
    ui.horizontal_wrapped(header);
    for slo in &data.slos {
        slo_line_ui(ui, slo);
    }
    let scaled = opts.node_name.is_some() && !data.node_ready.is_empty();
    let count = match (opts.node_name.is_some(), scaled) {
        (true, true) => 5.0,
        (true, false) => 4.0,
        _ => 3.0,
    };
    let gap = ui.spacing().item_spacing;
    let (width, height, layout) = if opts.stacked {
        let height = ((ui.available_height() - gap.y * (count - 1.0)) / count).max(100.0);
        (ui.available_width().max(120.0), height, egui::Layout::top_down(egui::Align::Min))
    } else {
        let width = ((ui.available_width() - gap.x * (count - 1.0)) / count).max(120.0);
        (width, (ui.available_height() - 4.0).max(80.0), egui::Layout::left_to_right(egui::Align::Min))
    };
    let log = *opts.log_latency;
    ui.with_layout(layout, |ui| {
        // Another run drawn faint (the first run after a fork, design A
        // of a comparison) is named in both legends, in its colour.
        let references = data.references.iter().map(|r| (r.label.as_str(), r.color));
        let mut throughput: Vec<(&str, Color32)> = if data.show_degraded {
            vec![("ok", OK), ("degraded", degraded), ("failed", FAILED)]
        } else {
            vec![("ok", OK), ("failed", FAILED)]
        };
        throughput.extend(references);
        plot_box(ui, "Throughput req/s", &throughput, width, height, data, false, |plot_ui| {
            for reference in &data.references {
                reference.draw_throughput(plot_ui);
            }
            plot_ui.line(Line::new("ok", PlotPoints::from(data.ok_rps.clone())).color(OK).width(2.0));
            if data.show_degraded {
                plot_ui.line(
                    Line::new("degraded", PlotPoints::from(data.degraded_rps.clone())).color(degraded).width(2.0),
                );
            }
            plot_ui.line(Line::new("failed", PlotPoints::from(data.failed_rps.clone())).color(FAILED).width(2.0));
        });
        let latency_title = if log { "Latency ms (log)" } else { "Latency ms" };
        let mut percentiles = vec![("p50", P50), ("p95", P95), ("p99", P99)];
        if data.node_theory_p99_ms.is_some() {
            percentiles.push(("node p99, theory dashed", NODE_P99));
        }
        // Drawn in the latency plot as its p99 only: said so.
        let reference_p99: Vec<String> = data.references.iter().map(|r| format!("p99, {}", r.label)).collect();
        percentiles.extend(reference_p99.iter().map(String::as_str).zip(data.references.iter().map(|r| r.color)));
        latency_clicked = plot_box(ui, latency_title, &percentiles, width, height, data, log, |plot_ui| {
            let tr = |s: &Series| -> PlotPoints<'static> {
                PlotPoints::from(
                    s.iter().map(|p| [p[0], if log { p[1].max(1e-3).log10() } else { p[1] }]).collect::<Vec<_>>(),
                )
            };
            for reference in &data.references {
                reference.draw_p99(plot_ui, log);
            }
            plot_ui.line(Line::new("p50", tr(&data.p50_ms)).color(P50).width(2.0));
            plot_ui.line(Line::new("p95", tr(&data.p95_ms)).color(P95).width(2.0));
            plot_ui.line(Line::new("p99", tr(&data.p99_ms)).color(P99).width(2.0));
            // The selected node's p99 and theory's, dashed: how far the
            // queue is from what Erlang C says.
            if let Some(theory) = data.node_theory_p99_ms {
                plot_ui.line(Line::new("node p99", tr(&data.node_p99_ms)).color(NODE_P99).width(1.5));
                let y = if log { theory.max(1e-3).log10() } else { theory };
                plot_ui.hline(
                    egui_plot::HLine::new("theory p99 (M/M/c)", y)
                        .color(NODE_P99)
                        .width(1.5)
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
            }
        });
        let reasons: Vec<(&str, Color32)> = data.failures.iter().map(|(r, _)| (r.label(), reason_color(*r))).collect();
        let reasons_title = if reasons.is_empty() { "Failures req/s: none" } else { "Failures req/s" };
        plot_box(ui, reasons_title, &reasons, width, height, data, false, |plot_ui| {
            for (r, s) in &data.failures {
                plot_ui.line(Line::new(r.label(), PlotPoints::from(s.clone())).color(reason_color(*r)).width(2.0));
            }
        });
        if let Some(name) = opts.node_name {
            // A pool shows its queue and how busy it is; a cache its hit
            // ratio; anything else (client, balancer) its traffic.
            let has_pool = !data.node_utilisation_pct.is_empty();
            let has_hits = !data.node_hit_pct.is_empty();
            let mut series = Vec::new();
            if has_pool {
                series.extend([("queue", P95), ("busy %", OK)]);
            }
            if has_hits {
                series.push(("hit %", P50));
            }
            let traffic = !has_pool && !has_hits;
            let has_degraded = !data.node_degraded_rps.is_empty();
            if traffic {
                series.extend([("req/s", OK), ("failed/s", FAILED)]);
                if has_degraded {
                    series.push(("degraded/s", degraded));
                }
            } else if has_degraded {
                // On the percent axis of "busy %" and "hit %".
                series.push(("degraded %", degraded));
            }
            plot_box(ui, name, &series, width, height, data, false, |plot_ui| {
                if traffic {
                    plot_ui.line(
                        Line::new("req/s", PlotPoints::from(data.node_arrivals_rps.clone())).color(OK).width(2.0),
                    );
                    plot_ui.line(
                        Line::new("failed/s", PlotPoints::from(data.node_failed_rps.clone())).color(FAILED).width(2.0),
                    );
                    if has_degraded {
                        plot_ui.line(
                            Line::new("degraded/s", PlotPoints::from(data.node_degraded_rps.clone()))
                                .color(degraded)
                                .width(2.0),
                        );
                    }
                } else if has_degraded {
                    plot_ui.line(
                        Line::new("degraded %", PlotPoints::from(data.node_degraded_pct.clone()))
                            .color(degraded)
                            .width(2.0),
                    );
                }
                if has_pool {
                    plot_ui.line(Line::new("queue", PlotPoints::from(data.node_queue.clone())).color(P95).width(2.0));
                }
                if !data.node_utilisation_pct.is_empty() {
                    plot_ui.line(
                        Line::new("busy %", PlotPoints::from(data.node_utilisation_pct.clone())).color(OK).width(2.0),
                    );
                }
                if !data.node_hit_pct.is_empty() {
                    plot_ui.line(Line::new("hit %", PlotPoints::from(data.node_hit_pct.clone())).color(P50).width(2.0));
                }
            });
        }
        if scaled {
            // Its own plot: instance counts next to "busy %" would be lost.
            let series = [("ready", OK), ("booting", P95)];
            plot_box(ui, "Instances", &series, width, height, data, false, |plot_ui| {
                plot_ui.line(Line::new("ready", PlotPoints::from(data.node_ready.clone())).color(OK).width(2.0));
                plot_ui.line(Line::new("booting", PlotPoints::from(data.node_booting.clone())).color(P95).width(2.0));
            });
        }
    });
    latency_clicked.filter(|_| data.has_points())
}

/// "SLO [budget bar] checkout-latency: 99.21 % ≥ 99 % · budget 79 % used":
/// the error budget spent so far as a bar (red once blown), and the
/// readout, red while the SLO is missed or an alert fires.
fn slo_line_ui(ui: &mut Ui, slo: &SloLine) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("SLO").small().strong());
        let used = slo.budget_used.clamp(0.0, 1.0) as f32;
        let fill = if slo.budget_used >= 1.0 {
            FAILED
        } else if slo.budget_used >= 0.5 {
            P95
        } else {
            P50
        };
        ui.add(egui::ProgressBar::new(used).desired_width(80.0).desired_height(10.0).fill(fill)).on_hover_text(
            "The error budget spent so far: the bad requests the SLO's target allows over its period. \
             Full: the budget is blown.",
        );
        let text = RichText::new(super::format::for_app_font(&slo.text)).small();
        let text = if slo.tone == ReadoutTone::Failed { text.color(FAILED) } else { text };
        ui.label(text);
    });
}

/// One titled plot with the event markers; the legend is in the title
/// line, so it never covers the data.
#[expect(clippy::too_many_arguments, reason = "one plot's data, axes and markers, each its own kind")]
fn plot_box(
    ui: &mut Ui,
    title: &str,
    legend: &[(&str, Color32)],
    width: f32,
    height: f32,
    data: &PlotData,
    log_y: bool,
    add: impl FnOnce(&mut egui_plot::PlotUi<'_>),
) -> Option<f64> {
    ui.vertical(|ui| {
        ui.set_width(width);
        // The legend goes under the title when the plot is too narrow for both.
        ui.horizontal_wrapped(|ui| {
            let extend = egui::TextWrapMode::Extend;
            ui.add(egui::Label::new(RichText::new(title).small().strong()).wrap_mode(extend));
            for (name, color) in legend {
                ui.add(egui::Label::new(RichText::new(format!("– {name}")).small().color(*color)).wrap_mode(extend));
            }
        });
        // The title line's height grows with the text size (presenter mode).
        let title_height = ui.min_rect().height() + ui.spacing().item_spacing.y;
        let plot = Plot::new(("plot", title))
            .width(width)
            .height((height - title_height).max(60.0))
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .allow_boxed_zoom(false)
            .allow_double_click_reset(false)
            .include_x(data.span.0)
            .include_x(data.span.1)
            .custom_x_axes(vec![
                egui_plot::AxisHints::new_x().formatter(|m, _| format!("{:.0} s", m.value)).label_spacing(34.0..=48.0),
            ])
            // Short plots still get a few y labels (egui_plot's default
            // spacing hides them below ~20 px apart).
            .custom_y_axes(vec![if log_y {
                egui_plot::AxisHints::new_y()
                    .formatter(|m, _| format::ms(10f64.powf(m.value)))
                    .label_spacing(14.0..=20.0)
                    .min_thickness(40.0)
            } else {
                egui_plot::AxisHints::new_y()
                    .formatter(|m, _| compact(m.value))
                    .label_spacing(14.0..=20.0)
                    .min_thickness(36.0)
            }]);
        let plot = if log_y {
            plot.label_formatter(|h| match h {
                egui_plot::HoverPosition::NearDataPoint { plot_name, position, .. } => {
                    Some(format!("{plot_name} at {:.0} s: {}", position.x, format::ms(10f64.powf(position.y))))
                }
                egui_plot::HoverPosition::Elsewhere { .. } => None,
            })
            .y_grid_spacer(egui_plot::log_grid_spacer(10))
        } else {
            plot.include_y(0.0)
                .include_y(1.0)
                .y_grid_spacer(egui_plot::uniform_grid_spacer(one_two_five_steps))
                .label_formatter(|h| match h {
                    egui_plot::HoverPosition::NearDataPoint { plot_name, position, .. } => {
                        Some(format!("{plot_name} at {:.0} s: {:.1}", position.x, position.y))
                    }
                    egui_plot::HoverPosition::Elsewhere { .. } => None,
                })
        };
        let shown = plot.show(ui, |plot_ui| {
            // Behind the data: where an alert was firing.
            for s in &data.alert_spans {
                plot_ui.span(
                    egui_plot::Span::new(format!("alert {}", s.alert), s.from_s..=s.to_s)
                        .fill(ALERT.gamma_multiply(0.12))
                        .border_width(0.0),
                );
            }
            add(plot_ui);
            for m in &data.markers {
                plot_ui.vline(VLine::new(m.kind.label(), m.at_s).color(m.kind.color()).width(1.5));
            }
        });
        // Where on the time axis a click landed.
        let clicked = shown.response.clicked().then(|| shown.response.interact_pointer_pos()).flatten();
        clicked.map(|pos| shown.transform.value_from_position(pos).x)
    })
    .inner
}

/// Grid steps of 1, 2 or 5 times a power of ten, the finest at least
/// `base_step_size`, each a multiple of the finer (so a value is labelled
/// once). `egui_plot`'s default steps are powers of ten only, so a short
/// plot with large text (presenter mode, the UI zoom) has no room for a
/// label between 0 and 100; a step of 20 gives it some.
fn one_two_five_steps(input: egui_plot::GridInput) -> [f64; 3] {
    let base = input.base_step_size.max(f64::MIN_POSITIVE);
    let power = 10f64.powf(base.log10().floor());
    let mantissa = [1.0, 2.0, 5.0, 10.0].into_iter().find(|m| m * power >= base * (1.0 - 1e-9)).unwrap_or(10.0);
    let fine = mantissa * power;
    // 1 → 2 → 10, 2 → 10 → 20, 5 → 10 → 50.
    let medium = if (mantissa - 2.0).abs() < f64::EPSILON { 5.0 * fine } else { 2.0 * fine };
    [fine, medium, 10.0 * fine]
}

/// An axis number without noise: `0`, `250`, `12k`, `1.5M`.
fn compact(v: f64) -> String {
    let a = v.abs();
    if a >= 1_000_000.0 {
        format!("{:.1}M", v / 1_000_000.0)
    } else if a >= 10_000.0 {
        format!("{:.0}k", v / 1_000.0)
    } else if a >= 1_000.0 {
        format!("{:.1}k", v / 1_000.0)
    } else if a >= 10.0 || v == v.trunc() {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::default_scenario;
    use crate::sim::SimTime;

    #[test]
    fn grid_steps_go_one_two_five() {
        let steps = |base| one_two_five_steps(egui_plot::GridInput { bounds: (0.0, 100.0), base_step_size: base });
        assert_eq!(steps(7.0), [10.0, 20.0, 100.0]);
        assert_eq!(steps(20.0), [20.0, 100.0, 200.0]);
        assert_eq!(steps(0.3), [0.5, 1.0, 5.0]);
    }

    #[test]
    fn axis_numbers_are_compact() {
        assert_eq!(compact(0.0), "0");
        assert_eq!(compact(250.0), "250");
        assert_eq!(compact(2.5), "2.5");
        assert_eq!(compact(1_500.0), "1.5k");
        assert_eq!(compact(100_000.0), "100k");
    }

    #[test]
    fn the_window_slides_and_markers_follow_events() {
        let mut sim = Simulation::new(&default_scenario()).expect("builds");
        sim.run_until(SimTime::from_secs(10.0));
        sim.spike(0, 5.0, 2.0);
        sim.run_until(SimTime::from_secs(20.0));
        let d = plot_data(&sim, 8.0, Some(2));
        assert_eq!(d.ok_rps.len(), 9, "{:?}", d.ok_rps);
        assert!(d.ok_rps.iter().all(|p| p[0] >= 12.0));
        assert!(d.markers.is_empty(), "the spike at 10 s is out of the window");
        let d = plot_data(&sim, 60.0, Some(2));
        assert_eq!(d.ok_rps.len(), 20);
        assert_eq!(d.markers.len(), 1);
        assert_eq!(d.markers[0].kind, MarkerKind::Spike);
        assert_eq!(d.node_utilisation_pct.len(), 20);
        assert!(d.p99_ms.iter().all(|p| p[1] >= 0.0));
        assert!(d.node_ready.is_empty(), "a single instance has no instances plot");
    }

    /// An autoscaled service's plot data has its instances, ready and
    /// booting, window by window: the instance-count plot.
    #[test]
    fn a_scaled_service_has_its_instances_plotted() {
        let scenario = crate::scenario::bundled("autoscaling-catches-a-spike")
            .and_then(|b| b.load().ok())
            .expect("bundled and valid");
        let app = scenario.node_index("app").expect("app");
        let mut sim = Simulation::new(&scenario).expect("builds");
        sim.run_until(SimTime::from_secs(100.0));
        let d = plot_data(&sim, 60.0, Some(app));
        assert_eq!(d.node_ready.len(), d.node_booting.len());
        assert!(d.node_booting.iter().any(|p| p[1] > 0.5), "instances boot after the step: {:?}", d.node_booting);
        assert!(d.node_ready.iter().all(|p| p[1] >= 3.0 - 1e-9), "{:?}", d.node_ready);
    }

    /// While the recommendations service is slow, the shop's fallback
    /// answers: the throughput plot has its degraded answers apart from ok
    /// and failed, and so has the shop's own plot.
    #[test]
    fn degraded_answers_are_a_series_of_their_own() {
        let scenario =
            crate::scenario::bundled("breaker-stops-a-cascade").and_then(|b| b.load().ok()).expect("bundled and valid");
        let shop = scenario.node_index("shop").expect("shop");
        let users = scenario.node_index("users").expect("users");
        let mut sim = Simulation::new(&scenario).expect("builds");
        sim.run_until(SimTime::from_secs(45.0));
        let d = plot_data(&sim, 30.0, Some(shop));
        assert!(d.show_degraded);
        let last = |s: &Series| s.last().map_or(0.0, |p| p[1]);
        assert!(last(&d.degraded_rps) > 150.0, "{:?}", d.degraded_rps.last());
        assert!(last(&d.ok_rps) < 20.0, "ok counts real answers only: {:?}", d.ok_rps.last());
        assert!(last(&d.failed_rps) < 1.0, "a degraded answer is no failure: {:?}", d.failed_rps.last());
        assert!(last(&d.node_degraded_pct) > 90.0, "{:?}", d.node_degraded_pct.last());
        assert!(!plot_data(&sim, 30.0, Some(users)).node_degraded_rps.is_empty(), "the users saw them too");
        // Before the slowdown (a few calls past the timeout at most), a
        // design with a fallback shows the series, near zero.
        let mut early = Simulation::new(&scenario).expect("builds");
        early.run_until(SimTime::from_secs(10.0));
        let d = plot_data(&early, 30.0, Some(shop));
        assert!(d.show_degraded && d.degraded_rps.iter().all(|p| p[1] < 10.0), "{:?}", d.degraded_rps);
        let mut plain = Simulation::new(&default_scenario()).expect("builds");
        plain.run_until(SimTime::from_secs(3.0));
        assert!(!plot_data(&plain, 30.0, None).show_degraded, "no fallback, no degraded series");
    }

    #[test]
    fn the_readout_names_degraded_answers_only_when_there_are_some() {
        let text = |s: &Stats| readout(s).into_iter().map(|(t, _)| t).collect::<String>();
        let healthy = Stats { throughput_rps: 200.0, ..Stats::default() };
        assert_eq!(text(&healthy), "now: 200 rps ok · p99 – · 0 % failed");
        let degraded = Stats { throughput_rps: 2.0, degraded: 198, degraded_ratio: 0.99, ..Stats::default() };
        assert_eq!(text(&degraded), "now: 2.0 rps ok · 99 % degraded · p99 – · 0 % failed");
        let parts = readout(&degraded);
        assert!(parts.iter().any(|(t, tone)| t == "99 % degraded" && *tone == ReadoutTone::Degraded), "{parts:?}");
        assert!(parts.iter().all(|(_, tone)| *tone != ReadoutTone::Failed), "nothing failed");
        // Failing, the line turns red but for the degraded share.
        let failing = Stats { error_ratio: 0.5, degraded: 10, degraded_ratio: 0.1, ..Stats::default() };
        let tones: Vec<ReadoutTone> = readout(&failing).into_iter().map(|(_, tone)| tone).collect();
        use ReadoutTone::{Degraded, Failed};
        assert_eq!(tones, [Failed, Failed, Degraded, Failed]);
    }

    #[test]
    fn the_end_of_the_run_is_marked_once_reached() {
        let mut scenario = default_scenario();
        scenario.duration_s = 5.0;
        let mut sim = Simulation::new(&scenario).expect("builds");
        sim.run_until(SimTime::from_secs(4.0));
        assert!(plot_data(&sim, 60.0, None).markers.iter().all(|m| m.kind != MarkerKind::End));
        sim.run_until(SimTime::from_secs(7.0));
        let d = plot_data(&sim, 60.0, None);
        let end: Vec<_> = d.markers.iter().filter(|m| m.kind == MarkerKind::End).collect();
        assert_eq!(end.len(), 1);
        assert_eq!(end[0].at_s, 5.0);
    }
}
