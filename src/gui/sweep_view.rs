//! The sweep dialog: one field of a node (a client's rate, a service's
//! workers…) set over a list of values, each point run with replications
//! by `study::sweep` on a thread of its own (the window stays responsive;
//! the live run is untouched), and a chart of each figure against the
//! swept value with its 95 % interval shaded, and a table of the points.
//!
//! When the swept field is a client's offered load, the chart is the
//! latency-vs-load knee, and theory's curve is drawn dashed beside the
//! measurements where a closed form exists (`study::knee`); where none
//! does, the chart says why.
//!
//! One sweep at a time, as the ramp: while one runs (or is stopping after a
//! cancel), Run is off; Cancel, or closing the window, stops it between
//! slices of a run. A cancelled sweep shows nothing: its last points would
//! have fewer runs than the others. The sweep is the one `archsim sweep`
//! runs with the same spec, bit for bit.

use eframe::egui::{self, Color32, RichText, Ui};
use egui_plot::{Line, LineStyle, Plot, PlotPoints, PlotUi, Points, Polygon};

use super::command::Command;
use super::format;
use crate::scenario::Scenario;
use crate::study::knee::{MmcModel, NoClosedForm, mmc_model};
use crate::study::replications::Estimate;
use crate::study::sweep::{
    Axis, Field, MAX_REPLICATIONS, NodeField, SweepError, SweepResult, SweepSpec, SweepableField, job_count,
    parse_values, plan, run_sweep_while, sweepable_fields,
};

/// Replications per point the dialog starts with.
pub const DEFAULT_REPLICATIONS: usize = 5;

/// Longest run the dialog starts with, simulated seconds: a sweep is tens
/// of runs, and the answer should come in seconds (the field takes more).
const DEFAULT_MAX_RUN_S: f64 = 30.0;

pub(super) const THROUGHPUT: Color32 = Color32::from_rgb(80, 180, 110);
pub(super) const OFFERED: Color32 = Color32::from_rgb(140, 140, 140);
pub(super) const P50: Color32 = Color32::from_rgb(90, 150, 230);
pub(super) const P99: Color32 = Color32::from_rgb(230, 140, 60);
const ERRORS: Color32 = Color32::from_rgb(220, 70, 70);
const BUSY: Color32 = Color32::from_rgb(170, 120, 220);

/// Where a sweep's theory curve comes from, for its chart: the M/M/c the
/// design is, or why it has none. `None` for a sweep of anything but a
/// client's offered load.
pub type Theory = Option<Result<MmcModel, NoClosedForm>>;

/// Theory for a sweep of `field` on `scenario`: only a sweep of the rate of
/// the one client of an M/M/c design has a curve.
pub fn theory_for(scenario: &Scenario, field: &Field) -> Theory {
    // The one client of an M/M/c design is the node swept: `mmc_model`
    // wants exactly one.
    let Field::Node { field: NodeField::Rate, .. } = field else { return None };
    Some(mmc_model(scenario))
}

/// A sweep running on its own thread.
type Job = super::job::Job<Result<Option<SweepResult>, SweepError>>;

/// What the window shows below its form.
enum RunState {
    Idle,
    /// The job, and the points it sweeps.
    Running(Job, usize),
    Done {
        result: SweepResult,
        theory: Theory,
        unit: &'static str,
    },
    /// Cancelled after `done` of `total` runs: nothing to show.
    Cancelled {
        done: usize,
        total: usize,
    },
    Failed(String),
}

/// The sweep dialog, while it is open, and a cancelled sweep whose window
/// was closed, until its thread has stopped.
pub struct SweepView {
    scenario_name: String,
    node: String,
    /// Nodes that have a field to sweep, in the scenario's order.
    nodes: Vec<String>,
    fields: Vec<SweepableField>,
    chosen: usize,
    values: String,
    replications: usize,
    duration_s: f64,
    /// The spec of the sweep started last.
    spec: Option<SweepSpec>,
    state: RunState,
    closed: bool,
}

impl SweepView {
    /// The dialog on `node` (or the first client, or the first node with a
    /// field to sweep), pre-filled with its most natural field.
    pub fn open(scenario: &Scenario, node: Option<&str>) -> SweepView {
        let nodes: Vec<String> = scenario
            .nodes
            .iter()
            .filter(|n| !sweepable_fields(scenario, &n.id).is_empty())
            .map(|n| n.id.clone())
            .collect();
        let first_client = scenario
            .nodes
            .iter()
            .find(|n| n.kind.component() == crate::scenario::ComponentKind::Client && nodes.contains(&n.id))
            .map(|n| n.id.clone());
        let node = node
            .filter(|n| nodes.iter().any(|m| m == n))
            .map(str::to_string)
            .or(first_client)
            .or_else(|| nodes.first().cloned())
            .unwrap_or_default();
        let mut view = SweepView {
            scenario_name: scenario.name.clone(),
            node: String::new(),
            nodes,
            fields: Vec::new(),
            chosen: 0,
            values: String::new(),
            replications: DEFAULT_REPLICATIONS,
            duration_s: scenario.duration_s.min(DEFAULT_MAX_RUN_S),
            spec: None,
            state: RunState::Idle,
            closed: false,
        };
        view.pick_node(scenario, &node);
        view
    }

    /// Shows `node`'s fields, its natural one chosen with its suggested values.
    fn pick_node(&mut self, scenario: &Scenario, node: &str) {
        node.clone_into(&mut self.node);
        self.fields = sweepable_fields(scenario, node);
        self.pick_field(0);
    }

    fn pick_field(&mut self, index: usize) {
        self.chosen = index;
        if let Some(f) = self.fields.get(index) {
            self.values.clone_from(&f.suggested);
        }
    }

    /// The swept field's path (`users.rate`), if the node has one.
    pub fn path(&self) -> Option<&str> {
        self.fields.get(self.chosen).map(|f| f.path.as_str())
    }

    /// The spec the form describes, or what is wrong with it in the study
    /// layer's words.
    pub fn form_spec(&self, scenario: &Scenario) -> Result<SweepSpec, String> {
        let field = self.fields.get(self.chosen).ok_or("this design has no field to sweep")?;
        let values = parse_values(&self.values)
            .map_err(|why| SweepError::BadValues { path: field.path.clone(), why }.to_string())?;
        if !(1..=MAX_REPLICATIONS).contains(&self.replications) {
            return Err(SweepError::BadReplications { count: self.replications }.to_string());
        }
        let warmup_s = (scenario.warmup_s > 0.0 && scenario.warmup_s < self.duration_s).then_some(scenario.warmup_s);
        Ok(SweepSpec {
            axes: vec![Axis { path: field.path.clone(), field: field.field.clone(), values }],
            zip: false,
            replications: self.replications,
            duration_s: self.duration_s,
            warmup_s,
        })
    }

    /// Starts `spec` on `scenario` on a new thread, unless a sweep runs;
    /// every point is planned and checked first, and a bad one is shown in
    /// the window instead. `ctx` is asked to repaint after each run.
    pub fn start(&mut self, scenario: &Scenario, spec: SweepSpec, ctx: &egui::Context) {
        if self.is_running() {
            return;
        }
        self.closed = false;
        let planned = match plan(scenario, &spec) {
            Ok(planned) => planned,
            Err(e) => {
                self.state = RunState::Failed(e.to_string());
                return;
            }
        };
        let points = planned.len();
        let total = job_count(points, spec.replications);
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1));
        let (scenario, thread_spec) = (scenario.clone(), spec.clone());
        let job = Job::spawn("archsim-sweep", total, ctx, move |progress| {
            let runs_done = |runs: usize, _total: usize| progress.finished(runs);
            let keep_going = || progress.keep_going();
            run_sweep_while(&scenario, &thread_spec, Some(threads), &runs_done, &keep_going)
        });
        self.state = match job {
            Ok(job) => RunState::Running(job, points),
            Err(e) => RunState::Failed(format!("cannot start the sweep's thread: {e}")),
        };
        self.spec = Some(spec);
    }

    /// Whether the sweep's thread is still running (a cancelled one until
    /// it has stopped).
    pub fn is_running(&self) -> bool {
        matches!(self.state, RunState::Running(..))
    }

    /// Asks the sweep to stop; nothing happens to one that has ended.
    pub fn cancel(&self) {
        if let RunState::Running(job, _) = &self.state {
            job.cancel();
        }
    }

    /// Whether the user cancelled the sweep and its thread has stopped.
    pub fn was_cancelled(&self) -> bool {
        matches!(self.state, RunState::Cancelled { .. })
    }

    /// Runs finished so far, and the sweep's runs in all.
    pub fn progress(&self) -> Option<(usize, usize)> {
        match &self.state {
            RunState::Running(job, _) => Some((job.done(), job.total())),
            RunState::Cancelled { done, total } => Some((*done, *total)),
            _ => None,
        }
    }

    /// The finished sweep, if it is.
    pub fn result(&self) -> Option<&SweepResult> {
        match &self.state {
            RunState::Done { result, .. } => Some(result),
            _ => None,
        }
    }

    /// The spec of the sweep started last.
    pub fn spec(&self) -> Option<&SweepSpec> {
        self.spec.as_ref()
    }

    /// Why the last start failed, if it did.
    pub fn failure(&self) -> Option<&str> {
        match &self.state {
            RunState::Failed(why) => Some(why),
            _ => None,
        }
    }

    /// The window was closed: the sweep is cancelled and nothing more is
    /// drawn; the app keeps the view until its thread has stopped.
    pub fn close(&mut self) {
        self.cancel();
        self.closed = true;
    }

    /// Opens the window again (after it was closed while its sweep stopped).
    pub fn reopen(&mut self) {
        self.closed = false;
    }

    /// Whether the app can forget the view: closed, and its thread stopped.
    pub fn is_finished_and_closed(&mut self, scenario: &Scenario) -> bool {
        self.poll(scenario);
        self.closed && !self.is_running()
    }

    /// Takes the result in once the thread has finished.
    fn poll(&mut self, scenario: &Scenario) {
        let RunState::Running(job, _) = &mut self.state else { return };
        let Some(answer) = job.take_if_finished() else { return };
        let (done, total) = (job.done(), job.total());
        let field = self.spec.as_ref().and_then(|s| s.axes.first()).map(|a| a.field.clone());
        self.state = match answer {
            Ok(Ok(Some(result))) => RunState::Done {
                result,
                theory: field.as_ref().and_then(|f| theory_for(scenario, f)),
                unit: field.as_ref().map_or("", unit),
            },
            Ok(Ok(None)) => RunState::Cancelled { done, total },
            Ok(Err(e)) => RunState::Failed(e.to_string()),
            Err(_) => RunState::Failed("the sweep stopped unexpectedly".into()),
        };
    }
}

/// The unit of a swept field's values, for the chart's axis.
fn unit(field: &Field) -> &'static str {
    match field {
        Field::Node { field: NodeField::Rate, .. } => "req/s",
        Field::Node { field: NodeField::ServiceTimeMean | NodeField::QueryTimeMean | NodeField::TimeoutMs, .. }
        | Field::Edge { .. } => "ms",
        Field::Node { field: NodeField::HealthCheckDelayS, .. } => "s",
        _ => "",
    }
}

/// Shows the sweep window; returns `false` once the user has closed it.
/// `scenario` is the document: the form's fields are read against it, and
/// Run sweeps it as it is then.
pub fn sweep_window_ui(
    ctx: &egui::Context,
    view: &mut SweepView,
    scenario: &Scenario,
    commands: &mut Vec<Command>,
) -> bool {
    view.poll(scenario);
    if view.closed {
        return false;
    }
    let mut open = true;
    egui::Window::new(format!("Sweep — {}", view.scenario_name))
        .id(egui::Id::unique("sweep-window"))
        .open(&mut open)
        .default_size([900.0, 680.0])
        .resizable(true)
        .show(ctx, |ui| {
            let running = view.is_running();
            ui.add_enabled_ui(!running, |ui| form_ui(ui, view, scenario, commands));
            ui.separator();
            match &view.state {
                RunState::Idle => {
                    ui.label("Pick a field and its values, then Run sweep.");
                }
                RunState::Running(job, points) => {
                    let (done, total) = (job.done(), job.total());
                    ui.label(format!(
                        "Running: {done} of {total} runs done ({points} points × {} replications)",
                        total / (*points).max(1)
                    ));
                    ui.add(egui::ProgressBar::new(job.fraction()).show_percentage());
                    if job.is_cancelled() {
                        ui.label("Cancelling…");
                    } else if ui.button("Cancel").on_hover_text("Stop the sweep now.").clicked() {
                        commands.push(Command::CancelSweep);
                    }
                    ctx.request_repaint_after(std::time::Duration::from_millis(200));
                }
                RunState::Cancelled { done, total } => {
                    ui.label(format!(
                        "Cancelled after {done} of {total} runs: no result (its last points would have fewer runs \
                         than the others)."
                    ));
                }
                RunState::Failed(why) => {
                    ui.colored_label(ERRORS, format!("The sweep could not run: {}", format::for_app_font(why)));
                }
                RunState::Done { result, theory, unit } => {
                    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
                        result_ui(ui, result, theory.as_ref(), unit);
                    });
                }
            }
        });
    open
}

/// The form: node, field, values, replications, run length, Run.
fn form_ui(ui: &mut Ui, view: &mut SweepView, scenario: &Scenario, commands: &mut Vec<Command>) {
    if view.nodes.is_empty() {
        ui.label("This design has no node with a field to sweep.");
        return;
    }
    egui::Grid::new("sweep-form").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
        ui.label("Node");
        let mut node = view.node.clone();
        egui::ComboBox::from_id_salt("sweep-node").selected_text(&node).show_ui(ui, |ui| {
            for n in &view.nodes {
                ui.selectable_value(&mut node, n.clone(), n);
            }
        });
        if node != view.node {
            view.pick_node(scenario, &node);
        }
        ui.end_row();

        ui.label("Field");
        let mut chosen = view.chosen;
        let name = |f: &SweepableField| match f.current {
            Some(v) => format!("{} (now {})", f.name, short(v)),
            None => format!("{} (not set)", f.name),
        };
        let selected = view.fields.get(chosen).map(name).unwrap_or_default();
        egui::ComboBox::from_id_salt("sweep-field").selected_text(selected).show_ui(ui, |ui| {
            for (i, f) in view.fields.iter().enumerate() {
                ui.selectable_value(&mut chosen, i, name(f));
            }
        });
        if chosen != view.chosen {
            view.pick_field(chosen);
        }
        ui.end_row();

        let label = ui.label("Values");
        ui.add(egui::TextEdit::singleline(&mut view.values).desired_width(260.0))
            .labelled_by(label.id)
            .on_hover_text("A list, 4,8,16, or a range, 500..5000 step 500 (as archsim sweep --set takes them)");
        ui.end_row();

        let label = ui.label("Replications per point");
        ui.add(egui::DragValue::new(&mut view.replications).range(1..=MAX_REPLICATIONS).speed(0.2))
            .labelled_by(label.id)
            .on_hover_text("Runs per point, each with a seed of its own: the shaded bands are their 95 % intervals");
        ui.end_row();

        let label = ui.label("Each run (simulated s)");
        ui.add(egui::DragValue::new(&mut view.duration_s).range(1.0..=crate::scenario::limits::MAX_SECONDS).speed(1.0))
            .labelled_by(label.id);
        ui.end_row();
    });
    let spec = view.form_spec(scenario);
    let runs = spec.as_ref().ok().map(|s| {
        let points = s.axes.first().map_or(0, |a| a.values.len());
        (points, job_count(points, s.replications))
    });
    ui.horizontal(|ui| {
        let run = ui.add_enabled(spec.is_ok(), egui::Button::new("Run sweep"));
        if let Some((points, runs)) = runs {
            ui.label(RichText::new(format!("{points} points, {runs} runs")).small());
        }
        if run.clicked()
            && let Ok(spec) = &spec
        {
            commands.push(Command::StartSweep(Box::new(spec.clone())));
        }
    });
    if let Err(why) = &spec {
        ui.colored_label(ui.visuals().error_fg_color, format::for_app_font(why));
    }
}

/// `12`, `7.5`, `0.25`: a value as the form shows it.
fn short(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}").trim_end_matches('0').to_string()
    }
}

/// The chart and table of a finished sweep.
fn result_ui(ui: &mut Ui, result: &SweepResult, theory: Option<&Result<MmcModel, NoClosedForm>>, unit: &str) {
    let path = result.parameters.first().cloned().unwrap_or_default();
    let xs: Vec<f64> = result.points.iter().map(|p| p.values.first().copied().unwrap_or(0.0)).collect();
    let intervals = if result.replications >= 2 {
        format!("{} replications per point, shaded: 95 % intervals", result.replications)
    } else {
        "1 run per point: no interval".to_string()
    };
    let first = result.points.first();
    ui.label(
        RichText::new(format!(
            "{} points of `{path}`, {intervals}; runs of {} s (warm-up {} s), seed {}.",
            result.points.len(),
            first.map_or(0.0, |p| p.duration_s),
            first.map_or(0.0, |p| p.warmup_s),
            first.map_or(0, |p| p.seed),
        ))
        .small(),
    );
    if let Some(theory) = theory {
        theory_note_ui(ui, theory);
        if theory.is_ok() {
            ui.label(
                RichText::new(
                    "Near saturation a run of seconds has not seen the long busy periods that make theory's tail: \
                     its p99 reads low. Longer runs close the gap.",
                )
                .small()
                .weak(),
            );
        }
    }
    let model = theory.and_then(|t| t.as_ref().ok());
    let x_span =
        (xs.iter().copied().fold(f64::INFINITY, f64::min), xs.iter().copied().fold(f64::NEG_INFINITY, f64::max));
    let curve = model.map(|m| m.curve(x_span.0.min(m.capacity_rps() * 0.01), x_span.1, 80, false)).unwrap_or_default();
    let series = |get: &dyn Fn(&crate::study::sweep::SweepPoint) -> Estimate, scale: f64| -> Vec<(f64, Estimate)> {
        result
            .points
            .iter()
            .zip(&xs)
            .map(|(p, x)| {
                let e = get(p);
                (*x, Estimate { mean: e.mean * scale, half_width: e.half_width * scale, ..e })
            })
            .collect()
    };
    let height = 190.0;
    let x_label = if unit.is_empty() { path.clone() } else { format!("{path} ({unit})") };
    let chart = |ui: &mut Ui, title: &str, legend: &[(&str, Color32, bool)], add: &dyn Fn(&mut PlotUi<'_>)| {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(title).small().strong());
            for (name, color, dashed) in legend {
                let mark = if *dashed { "- -" } else { "—" };
                ui.label(RichText::new(format!("{mark} {name}")).small().color(*color));
            }
        });
        still_chart(("sweep-plot", title), height, x_span)
            // Labels closer than egui_plot's default, so that a range of 0
            // to 90 is marked every 10 rather than only at 0.
            .custom_x_axes(vec![
                egui_plot::AxisHints::new_x()
                    .label(x_label.clone())
                    .formatter(|m, _| compact(m.value))
                    .label_spacing(24.0..=40.0),
            ])
            .y_grid_spacer(egui_plot::uniform_grid_spacer(nice_steps))
            .label_formatter(|h| match h {
                egui_plot::HoverPosition::NearDataPoint { plot_name, position, .. } => {
                    Some(format!("{plot_name} at {}: {}", short(position.x), compact(position.y)))
                }
                egui_plot::HoverPosition::Elsewhere { .. } => None,
            })
            .show(ui, add);
    };
    let throughput = series(&|p| p.throughput_rps, 1.0);
    let p50 = series(&|p| p.p50_ms, 1.0);
    let p99 = series(&|p| p.p99_ms, 1.0);
    let errors = series(&|p| p.error_ratio, 100.0);
    // Named when it is the same node at every point.
    let mut busiest_names = result.points.iter().filter_map(|p| p.busiest.as_ref()).map(|b| b.node.clone());
    let busiest_name = busiest_names.next().filter(|first| busiest_names.all(|n| &n == first));
    let busy = series(&|p| p.busiest.as_ref().map_or_else(|| Estimate::of(&[0.0], 0.0), |b| b.utilisation), 100.0);
    // The rate set, which is the load offered unless a traffic profile
    // changes it over the run.
    let offered = (unit == "req/s").then(|| xs.iter().map(|x| [*x, *x]).collect::<Vec<_>>());
    ui.columns(2, |cols| {
        let mut legend = vec![("ok", THROUGHPUT, false)];
        if offered.is_some() {
            legend.push(("rate set", OFFERED, true));
        }
        chart(&mut cols[0], "Throughput (req/s)", &legend, &|p| {
            if let Some(offered) = &offered {
                p.line(
                    Line::new("rate set", PlotPoints::from(offered.clone()))
                        .color(OFFERED)
                        .style(LineStyle::dashed_loose()),
                );
            }
            estimate_ui(p, "ok/s", &throughput, THROUGHPUT);
        });
        let mut legend = vec![("p50", P50, false), ("p99", P99, false)];
        if !curve.is_empty() {
            legend.extend([("theory p50", P50, true), ("theory p99", P99, true)]);
        }
        chart(&mut cols[1], "Latency (ms)", &legend, &|p| {
            estimate_ui(p, "p50 ms", &p50, P50);
            estimate_ui(p, "p99 ms", &p99, P99);
            theory_line(p, "theory p50 ms", &curve, |t| t.p50_ms, P50);
            theory_line(p, "theory p99 ms", &curve, |t| t.p99_ms, P99);
        });
    });
    ui.columns(2, |cols| {
        chart(&mut cols[0], "Errors (% of requests)", &[("errors", ERRORS, false)], &|p| {
            estimate_ui(p, "errors %", &errors, ERRORS);
        });
        let title = match &busiest_name {
            Some(node) => format!("Busiest node, {node} (% busy)"),
            None => "Busiest node (% busy)".to_string(),
        };
        let mut legend = vec![("busy", BUSY, false)];
        if !curve.is_empty() {
            legend.push(("theory λ/(cμ)", BUSY, true));
        }
        chart(&mut cols[1], &title, &legend, &|p| {
            estimate_ui(p, "busy %", &busy, BUSY);
            theory_line(p, "theory busy %", &curve, |t| t.utilisation * 100.0, BUSY);
        });
    });
    egui::CollapsingHeader::new("Points").id_salt("sweep-points").default_open(true).show(ui, |ui| {
        egui::Grid::new("sweep-points-grid").striped(true).show(ui, |ui| {
            for head in [path.as_str(), "ok/s", "p50", "p99", "errors", "busiest", "cost/h"] {
                ui.label(RichText::new(head).small().strong());
            }
            ui.end_row();
            for p in &result.points {
                ui.label(short(p.values.first().copied().unwrap_or(0.0)));
                ui.label(pm(&p.throughput_rps, compact));
                ui.label(pm(&p.p50_ms, format::ms));
                ui.label(pm(&p.p99_ms, format::ms));
                ui.label(pm(&p.error_ratio, format::percent));
                ui.label(
                    p.busiest
                        .as_ref()
                        .map_or_else(String::new, |b| format!("{} {}", b.node, pm(&b.utilisation, format::percent))),
                );
                ui.label(crate::sim::cost::usd(p.cost_per_hour_usd.mean));
                ui.end_row();
            }
        });
    });
}

/// "Theory (dashed): M/M/c …", or why there is none.
pub(super) fn theory_note_ui(ui: &mut Ui, theory: &Result<MmcModel, NoClosedForm>) {
    let text = theory_note(theory);
    match theory {
        Ok(_) => ui.label(RichText::new(text).small()),
        Err(_) => ui.label(RichText::new(text).small().weak()),
    };
}

/// The sentence under a knee chart about theory's curve.
pub fn theory_note(theory: &Result<MmcModel, NoClosedForm>) -> String {
    match theory {
        Ok(m) => format!(
            "Theory, dashed: M/M/{} at {} ({} worker{}, exponential work of {}), saturating at {}.",
            m.servers,
            m.station,
            m.servers,
            if m.servers == 1 { "" } else { "s" },
            format::ms(m.mean_service_ms),
            format::rate(m.capacity_rps())
        ),
        Err(why) => format!("Theory: {why}."),
    }
}

/// A dashed line of theory's `get` along `curve`.
pub(super) fn theory_line(
    p: &mut PlotUi<'_>,
    name: &str,
    curve: &[crate::study::knee::TheoryPoint],
    get: impl Fn(&crate::study::knee::TheoryPoint) -> f64,
    color: Color32,
) {
    theory_line_at(p, name, curve, |t| t.offered_rps, get, color);
}

/// [`theory_line`] with the x of each point chosen by `x` (a log axis).
pub(super) fn theory_line_at(
    p: &mut PlotUi<'_>,
    name: &str,
    curve: &[crate::study::knee::TheoryPoint],
    x: impl Fn(&crate::study::knee::TheoryPoint) -> f64,
    get: impl Fn(&crate::study::knee::TheoryPoint) -> f64,
    color: Color32,
) {
    if curve.is_empty() {
        return;
    }
    let points: Vec<[f64; 2]> = curve.iter().map(|t| [x(t), get(t)]).collect();
    p.line(Line::new(name, PlotPoints::from(points)).color(color).width(1.5).style(LineStyle::Dashed { length: 8.0 }));
}

/// A figure's means joined by a line, with its 95 % interval shaded
/// around it (one convex quadrilateral between each two points, as a
/// polygon is drawn convex).
fn estimate_ui(p: &mut PlotUi<'_>, name: &str, series: &[(f64, Estimate)], color: Color32) {
    let band = color.gamma_multiply(0.25);
    for pair in series.windows(2) {
        let [(x0, a), (x1, b)] = pair else { continue };
        if a.half_width <= 0.0 && b.half_width <= 0.0 {
            continue;
        }
        let quad = vec![
            [*x0, a.mean - a.half_width],
            [*x1, b.mean - b.half_width],
            [*x1, b.mean + b.half_width],
            [*x0, a.mean + a.half_width],
        ];
        p.polygon(Polygon::new(format!("{name} 95 %"), PlotPoints::from(quad)).fill_color(band).stroke((0.0, band)));
    }
    let means: Vec<[f64; 2]> = series.iter().map(|(x, e)| [*x, e.mean]).collect();
    p.line(Line::new(name, PlotPoints::from(means.clone())).color(color).width(2.0));
    p.points(Points::new(name, PlotPoints::from(means)).color(color).radius(3.0));
}

/// Grid steps of 1, 2 or 5 times a power of ten, about five to a chart's
/// height (`egui_plot`'s own steps are powers of ten only: a range of 0 to
/// 90 would be marked at 0 alone, its steps of 10 too close for labels).
fn nice_steps(input: egui_plot::GridInput) -> [f64; 3] {
    let raw = ((input.bounds.1 - input.bounds.0).abs() / 5.0).max(1e-9);
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|k| k * power).find(|s| *s >= raw).unwrap_or(10.0 * power);
    [step / 5.0, step, step * 5.0]
}

/// `12.3 ± 0.4` in the figure's own writing; just the mean without an interval.
fn pm(e: &Estimate, write: impl Fn(f64) -> String) -> String {
    if e.half_width > 0.0 { format!("{} ± {}", write(e.mean), write(e.half_width)) } else { write(e.mean) }
}

/// A number with k/M for the big ones: `950`, `4.6k`, `1.2M`, `0.31`.
/// A chart of a finished result (the sweep's, the ramp's): it does not
/// move under the pointer, always shows 0 to 1 and the whole `x_span`, and
/// gives every y axis one width with compact labels, so the charts of a
/// column line up.
pub(super) fn still_chart<'a>(id: impl egui::AsIdSalt, height: f32, x_span: (f64, f64)) -> Plot<'a> {
    Plot::new(id)
        .height(height)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .include_y(0.0)
        .include_y(1.0)
        .include_x(x_span.0)
        .include_x(x_span.1)
        .custom_y_axes(vec![
            egui_plot::AxisHints::new_y()
                .formatter(|m, _| compact(m.value))
                .label_spacing(14.0..=20.0)
                .min_thickness(48.0),
        ])
}

/// A number with k/M for the big ones: `950`, `4.6k`, `1.2M`, `0`, `0.25`.
pub(super) fn compact(v: f64) -> String {
    match v.abs() {
        a if a >= 1e6 => format!("{:.1}M", v / 1e6),
        a if a >= 1e4 => format!("{:.0}k", v / 1e3),
        a if a >= 1e3 => format!("{:.1}k", v / 1e3),
        a if a >= 10.0 => format!("{v:.0}"),
        0.0 => "0".to_string(),
        a if a >= 1.0 => format!("{v:.1}"),
        _ => format!("{v:.2}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAVY: &str = r#"(
        name: "long runs",
        seed: 1,
        duration_s: 30,
        nodes: [
            (id: "users", kind: Client(arrivals: Poisson(rate: 50000))),
            (id: "server", kind: Service(workers: 64, service_time: Exponential(mean_ms: 1))),
        ],
        edges: [(from: "users", to: "server")],
    )"#;

    /// A closed window cancels its sweep within a slice of a run; the view
    /// says it can go only once the thread has stopped.
    #[test]
    fn closing_the_sweep_window_cancels_and_waits_for_the_thread() {
        let scenario = crate::scenario::parse_scenario(HEAVY, "long.ron").expect("valid");
        let mut view = SweepView::open(&scenario, None);
        let spec = view.form_spec(&scenario).expect("the pre-filled form is valid");
        view.start(&scenario, spec, &egui::Context::default());
        assert!(view.is_running() && !view.is_finished_and_closed(&scenario), "open and running");
        let closed = std::time::Instant::now();
        view.close();
        while !view.is_finished_and_closed(&scenario) {
            assert!(closed.elapsed() < std::time::Duration::from_secs(20), "the thread stops");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(closed.elapsed() < std::time::Duration::from_secs(2), "{:?}", closed.elapsed());
        assert!(view.was_cancelled() && view.result().is_none(), "no result from a cancelled sweep");
    }

    #[test]
    fn the_form_says_what_is_wrong_in_the_sweeps_words() {
        let scenario = crate::scenario::parse_scenario(HEAVY, "long.ron").expect("valid");
        let mut view = SweepView::open(&scenario, Some("server"));
        assert_eq!(view.path(), Some("server.workers"), "a service's natural field");
        view.values = "4..1".into();
        let why = view.form_spec(&scenario).expect_err("a range going down");
        assert!(why.starts_with("`server.workers`: a range goes up"), "{why}");
        view.values = "0,4".into();
        view.start(&scenario, view.form_spec(&scenario).expect("parses"), &egui::Context::default());
        assert!(!view.is_running(), "checked before any thread starts");
        let why = view.failure().expect("a point out of range");
        assert!(why.contains("server.workers") && why.contains("whole number from 1"), "{why}");
    }
}
