//! Simulation › Ramp to 100×: the load ramp of `study::ramp` on a thread of
//! its own (the window stays responsive; the live run is untouched), and
//! a window with its chart: throughput, p99 and errors against the offered
//! load, the knee marked.
//!
//! One ramp at a time: while one runs (or is still stopping after a
//! cancel), the menu item is disabled and the command ignored, so a second
//! click never starts a second thread nor throws the first one's steps
//! away; Cancel in its window, or closing the window, stops it within a
//! slice of a step ([`crate::study::ramp::STEP_SLICE_EVENTS`]).

use eframe::egui::{self, Color32, RichText, Ui};
use egui_plot::{Line, PlotPoints, Points, VLine};

use super::sweep_view::{compact, still_chart, theory_line_at, theory_note_ui};
use crate::scenario::Scenario;
use crate::sim::cost::usd;
use crate::study::knee::{MmcModel, NoClosedForm, mmc_model};
use crate::study::{RampError, RampResult, RampSpec, check_steps, factor_label, run_step_while, summarise};

/// The factor the menu's ramp goes to.
pub const RAMP_TO: f64 = 100.0;

/// Longest step the app runs, simulated seconds: a ramp is a dozen runs,
/// and the answer should come in seconds, not minutes.
const MAX_STEP_S: f64 = 30.0;

const THROUGHPUT: Color32 = Color32::from_rgb(80, 180, 110);
const OFFERED: Color32 = Color32::from_rgb(140, 140, 140);
const P50: Color32 = Color32::from_rgb(90, 150, 230);
const P99: Color32 = Color32::from_rgb(230, 140, 60);
const ERRORS: Color32 = Color32::from_rgb(220, 70, 70);
const KNEE: Color32 = Color32::from_rgb(230, 200, 60);

/// The spec of the menu's ramp for a scenario: 13 steps to 100×, each as
/// long as the scenario's run but at most [`MAX_STEP_S`].
pub fn menu_spec(scenario: &Scenario) -> Result<RampSpec, RampError> {
    let duration_s = scenario.duration_s.min(MAX_STEP_S);
    let warmup_s =
        if scenario.warmup_s > 0.0 && scenario.warmup_s < duration_s { scenario.warmup_s } else { duration_s / 10.0 };
    RampSpec::geometric(RAMP_TO, RampSpec::default_steps(RAMP_TO), duration_s, warmup_s)
}

/// A ramp running on its own thread.
type Job = super::job::Job<Result<RampResult, RampError>>;

/// What the ramp window shows.
enum State {
    Running(Job),
    Done(RampResult),
    /// Cancelled: the steps that had finished, of `total`.
    Cancelled {
        partial: RampResult,
        total: usize,
    },
    Failed(String),
}

/// The ramp window, while it is open, and a cancelled ramp whose window
/// was closed, until its thread has stopped.
pub struct RampView {
    scenario_name: String,
    /// Theory's curve for the chart (the ramp's load is the one client's
    /// offered load), or why there is none.
    theory: Result<MmcModel, NoClosedForm>,
    state: State,
    /// The window was closed: nothing is drawn, the thread is stopping.
    closed: bool,
}

impl RampView {
    /// Starts the menu's ramp of `scenario` on a new thread; `ctx` is
    /// asked to repaint after each step.
    pub fn start(scenario: &Scenario, ctx: &egui::Context) -> RampView {
        let scenario_name = scenario.name.clone();
        let theory = mmc_model(scenario);
        let spec = match menu_spec(scenario) {
            Ok(spec) => spec,
            Err(e) => return RampView { scenario_name, theory, state: State::Failed(e.to_string()), closed: false },
        };
        let total = spec.factors.len();
        let scenario = scenario.clone();
        let job = Job::spawn("archsim-ramp", total, ctx, move |progress| {
            check_steps(&scenario, &spec)?;
            let mut steps = Vec::with_capacity(spec.factors.len());
            let keep_going = || progress.keep_going();
            for &factor in &spec.factors {
                let Some(step) = run_step_while(&scenario, factor, &spec, &keep_going)? else { break };
                steps.push(step);
                progress.one_more();
            }
            Ok(summarise(&scenario, &spec, steps))
        });
        let state = match job {
            Ok(job) => State::Running(job),
            Err(e) => State::Failed(format!("cannot start the ramp's thread: {e}")),
        };
        RampView { scenario_name, theory, state, closed: false }
    }

    /// Whether the ramp's thread is still running (a cancelled one until
    /// it has stopped, a fraction of a second later).
    pub fn is_running(&self) -> bool {
        matches!(self.state, State::Running(_))
    }

    /// Asks the ramp to stop: its thread gives up the step it is in within
    /// a slice of events, and the window then shows the steps that had
    /// finished. Nothing happens to a ramp that has ended.
    pub fn cancel(&self) {
        if let State::Running(job) = &self.state {
            job.cancel();
        }
    }

    /// Whether the user cancelled the ramp and its thread has stopped.
    pub fn was_cancelled(&self) -> bool {
        matches!(self.state, State::Cancelled { .. })
    }

    /// Steps finished so far (of a ramp running, finished or cancelled).
    pub fn steps_done(&self) -> usize {
        match &self.state {
            State::Running(job) => job.done(),
            State::Done(r) | State::Cancelled { partial: r, .. } => r.steps.len(),
            State::Failed(_) => 0,
        }
    }

    /// The window was closed: the ramp is cancelled and nothing more is
    /// drawn; the app keeps the view until [`is_running`](Self::is_running)
    /// turns false, so that no second ramp starts before this one's thread
    /// has stopped.
    pub fn close(&mut self) {
        self.cancel();
        self.closed = true;
    }

    /// Whether the app can forget the view: its window is closed and its
    /// thread has stopped.
    pub fn is_finished_and_closed(&mut self) -> bool {
        self.poll();
        self.closed && !self.is_running()
    }

    /// The finished ramp, if it is.
    pub fn result(&self) -> Option<&RampResult> {
        match &self.state {
            State::Done(r) => Some(r),
            _ => None,
        }
    }

    /// Takes the result in once the thread has finished.
    fn poll(&mut self) {
        let State::Running(job) = &mut self.state else { return };
        let Some(answer) = job.take_if_finished() else { return };
        let (cancelled, total) = (job.is_cancelled(), job.total());
        self.state = match answer {
            Ok(Ok(partial)) if cancelled && partial.steps.len() < total => State::Cancelled { partial, total },
            Ok(Ok(result)) => State::Done(result),
            Ok(Err(e)) => State::Failed(e.to_string()),
            Err(_) => State::Failed("the ramp stopped unexpectedly".into()),
        };
    }
}

/// Shows the ramp window; returns `false` once the user has closed it.
pub fn ramp_window_ui(ctx: &egui::Context, view: &mut RampView) -> bool {
    view.poll();
    if view.closed {
        return false;
    }
    let mut open = true;
    let mut cancel = false;
    egui::Window::new(format!("Ramp to {}× — {}", RAMP_TO, view.scenario_name))
        .id(egui::Id::unique("ramp-window"))
        .open(&mut open)
        .default_size([720.0, 560.0])
        .resizable(true)
        .show(ctx, |ui| match &view.state {
            State::Running(job) => {
                let (done, total) = (job.done(), job.total());
                ui.label(format!(
                    "Running step {} of {total}: every client's load × {}",
                    (done + 1).min(total),
                    factor_label(RAMP_TO.powf(done as f64 / (total.max(2) - 1) as f64))
                ));
                ui.add(egui::ProgressBar::new(job.fraction()).show_percentage());
                if job.is_cancelled() {
                    ui.label("Cancelling…");
                } else if ui.button("Cancel").on_hover_text("Stop the ramp now; the steps already run stay.").clicked()
                {
                    cancel = true;
                }
                ctx.request_repaint_after(std::time::Duration::from_millis(200));
            }
            State::Failed(why) => {
                ui.colored_label(ERRORS, format!("The ramp could not run: {why}"));
            }
            State::Cancelled { partial, total } => {
                ui.label(format!("Cancelled after {} of {total} steps.", partial.steps.len()));
                if !partial.steps.is_empty() {
                    result_ui(ui, partial, &view.theory);
                }
            }
            State::Done(result) => result_ui(ui, result, &view.theory),
        });
    if cancel {
        view.cancel();
    }
    open
}

fn result_ui(ui: &mut Ui, ramp: &RampResult, theory: &Result<MmcModel, NoClosedForm>) {
    ui.label(RichText::new(knee_sentence(ramp)).strong());
    ui.label(
        RichText::new(format!(
            "{} steps of {} s (warm-up {} s), seed {}; a node saturates at {:.0} % busy.",
            ramp.steps.len(),
            ramp.duration_s,
            ramp.warmup_s,
            ramp.seed,
            ramp.threshold * 100.0
        ))
        .small(),
    );
    theory_note_ui(ui, theory);
    let curve = theory.as_ref().ok().map_or_else(Vec::new, |m| {
        let (first, last) = (ramp.steps.first(), ramp.steps.last());
        m.curve(first.map_or(0.0, |s| s.offered_rps), last.map_or(0.0, |s| s.offered_rps), 80, true)
    });
    let knee_x = ramp.knee.as_ref().map(|k| k.offered_rps.max(1e-9).log10());
    // Offered load on a log axis: the steps are geometric.
    let x = |offered: f64| offered.max(1e-9).log10();
    let series = |value: &dyn Fn(&crate::study::RampStep) -> f64| -> Vec<[f64; 2]> {
        ramp.steps.iter().map(|s| [x(s.offered_rps), value(s)]).collect()
    };
    let x_span =
        (ramp.steps.first().map_or(0.0, |s| x(s.offered_rps)), ramp.steps.last().map_or(1.0, |s| x(s.offered_rps)));
    let height = ((ui.available_height() - 120.0) / 3.0).max(90.0);
    let plot = |ui: &mut Ui, title: &str, legend: &[(&str, Color32)], add: &dyn Fn(&mut egui_plot::PlotUi<'_>)| {
        ui.horizontal(|ui| {
            ui.label(RichText::new(title).small().strong());
            for (name, color) in legend {
                ui.label(RichText::new(format!("– {name}")).small().color(*color));
            }
        });
        still_chart(("ramp-plot", title), height, x_span)
            .custom_x_axes(vec![
                egui_plot::AxisHints::new_x().formatter(|m, _| format!("{} req/s", compact(10f64.powf(m.value)))),
            ])
            .label_formatter(|h| match h {
                egui_plot::HoverPosition::NearDataPoint { plot_name, position, .. } => {
                    Some(format!("{plot_name} at {} req/s: {:.1}", compact(10f64.powf(position.x)), position.y))
                }
                egui_plot::HoverPosition::Elsewhere { .. } => None,
            })
            .show(ui, |plot_ui| {
                add(plot_ui);
                if let Some(k) = knee_x {
                    plot_ui.vline(VLine::new("knee", k).color(KNEE).width(1.5));
                }
            });
    };
    let offered = series(&|s| s.offered_rps);
    let ok = series(&|s| s.throughput_rps);
    plot(ui, "Throughput (req/s)", &[("ok", THROUGHPUT), ("offered", OFFERED), ("knee", KNEE)], &|p| {
        p.line(Line::new("offered", PlotPoints::from(offered.clone())).color(OFFERED).width(1.5));
        p.line(Line::new("ok", PlotPoints::from(ok.clone())).color(THROUGHPUT).width(2.0));
        p.points(Points::new("ok", PlotPoints::from(ok.clone())).color(THROUGHPUT).radius(3.0));
    });
    let p50 = series(&|s| s.p50_ms);
    let p99 = series(&|s| s.p99_ms);
    let latency_legend: &[(&str, Color32)] = if curve.is_empty() {
        &[("p50", P50), ("p99", P99)]
    } else {
        &[("p50", P50), ("p99", P99), ("theory p50, dashed", P50), ("theory p99, dashed", P99)]
    };
    plot(ui, "Latency (ms)", latency_legend, &|p| {
        p.line(Line::new("p50", PlotPoints::from(p50.clone())).color(P50).width(2.0));
        p.line(Line::new("p99", PlotPoints::from(p99.clone())).color(P99).width(2.0));
        theory_line_at(p, "theory p50", &curve, |t| x(t.offered_rps), |t| t.p50_ms, P50);
        theory_line_at(p, "theory p99", &curve, |t| x(t.offered_rps), |t| t.p99_ms, P99);
    });
    let errors = series(&|s| s.error_ratio * 100.0);
    plot(ui, "Errors (% of requests)", &[("errors", ERRORS)], &|p| {
        p.line(Line::new("errors %", PlotPoints::from(errors.clone())).color(ERRORS).width(2.0));
    });
    egui::CollapsingHeader::new("Steps").default_open(false).show(ui, |ui| {
        egui::Grid::new("ramp-steps").striped(true).show(ui, |ui| {
            for head in ["load", "offered/s", "ok/s", "p99", "errors", "cost/h", "busiest"] {
                ui.label(RichText::new(head).small().strong());
            }
            ui.end_row();
            for s in &ramp.steps {
                ui.label(factor_label(s.factor));
                ui.label(compact(s.offered_rps));
                ui.label(compact(s.throughput_rps));
                ui.label(ms_text(s.p99_ms));
                ui.label(format!("{:.1} %", s.error_ratio * 100.0));
                ui.label(usd(s.cost_per_hour_usd));
                ui.label(s.busiest().map_or_else(String::new, |(n, u)| format!("{} {:.0} %", n.node, u * 100.0)));
                ui.end_row();
            }
        });
    });
}

/// "Breaks first at … at …× (… req/s): …", or that nothing broke.
pub fn knee_sentence(ramp: &RampResult) -> String {
    match &ramp.knee {
        Some(k) => format!(
            "Breaks first at {} at {} ({} req/s): {}",
            k.node.as_deref().unwrap_or("the clients"),
            factor_label(k.factor),
            compact(k.offered_rps),
            k.why
        ),
        None => format!(
            "Nothing broke up to {}: no node reached {:.0} % busy and no more than {:.0} % of requests failed.",
            ramp.steps.last().map_or_else(String::new, |s| factor_label(s.factor)),
            ramp.threshold * 100.0,
            ramp.error_limit * 100.0
        ),
    }
}

/// Milliseconds with about three digits: `0.31 ms`, `18.3 ms`, `1204 ms`.
fn ms_text(ms: f64) -> String {
    let decimals = match ms {
        m if m < 1.0 => 2,
        m if m < 100.0 => 1,
        _ => 0,
    };
    format!("{ms:.decimals$} ms")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A closed window cancels its ramp; the view says it can go only once
    /// the thread has stopped, which takes a slice of a step, not a step.
    #[test]
    fn closing_the_window_cancels_and_waits_for_the_thread() {
        let scenario = crate::scenario::parse_scenario(
            r#"(
            name: "long steps",
            seed: 1,
            duration_s: 30,
            nodes: [
                (id: "users", kind: Client(arrivals: Poisson(rate: 50000))),
                (id: "server", kind: Service(workers: 64, service_time: Exponential(mean_ms: 1))),
            ],
            edges: [(from: "users", to: "server")],
        )"#,
            "long.ron",
        )
        .expect("valid");
        let mut view = RampView::start(&scenario, &egui::Context::default());
        assert!(view.is_running() && !view.is_finished_and_closed(), "open and running");
        let closed = std::time::Instant::now();
        view.close();
        while !view.is_finished_and_closed() {
            assert!(closed.elapsed() < std::time::Duration::from_secs(20), "the thread stops");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(closed.elapsed() < std::time::Duration::from_secs(2), "{:?}", closed.elapsed());
        assert!(view.was_cancelled() && view.steps_done() == 0);
    }
}
