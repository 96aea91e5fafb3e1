//! Simulation › Compare with…: the current design (B) against a baseline
//! (A) on common random numbers (`study::compare`), on a thread of its own
//! with progress and Cancel, in a window with the delta table; and A's run
//! with the live run's seed, drawn faint on the live plots beside B's.
//!
//! A is the document as last saved (when it has unsaved edits), a design
//! pinned with Simulation › Pin as baseline A (kept for the session, not
//! persisted), or a file. One comparison at a time: while one runs, the
//! menu is off and the commands are ignored. Everything said about the
//! figures (verdicts, intervals, the headline) is `study::compare`'s: the
//! command line prints the same words.

use std::path::{Path, PathBuf};

use eframe::egui::{self, Color32, RichText, Ui};

use super::command::Command;
use super::rewind_view::ReferenceTrace;
use super::state::Document;
use crate::scenario::{Scenario, ValidScenario};
use crate::sim::TimeSeries;
use crate::study::compare::{Comparison, FigureDelta, Verdict, compare_while, run_series_while};
use crate::study::replications::{MIN_REPLICATIONS, ReplicationError, ReplicationSpec, Warmup};

/// Pairs of runs a comparison starts with.
pub const DEFAULT_REPLICATIONS: usize = 10;
/// The most the app runs (the command line takes more).
pub const MAX_APP_REPLICATIONS: usize = 200;
/// Longest run of a comparison, simulated seconds: 2 × N of them, and the
/// answer should come in seconds.
const MAX_RUN_S: f64 = 60.0;
/// Longest run of A drawn on the plots.
const MAX_REFERENCE_S: f64 = 600.0;

/// A's run on the plots: violet, faint, under B's lines.
pub const A_RUN: Color32 = Color32::from_rgba_unmultiplied_const(190, 140, 255, 150);
/// A's name in the window, where it must read as text.
const A_TEXT: Color32 = Color32::from_rgb(180, 140, 240);
const BETTER: Color32 = Color32::from_rgb(80, 180, 110);
const WORSE: Color32 = Color32::from_rgb(225, 85, 85);

/// Which baseline the menu's Compare with… was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaselineChoice {
    /// The document as last saved (or opened).
    Saved,
    /// The design pinned with Pin as baseline A.
    Pinned,
    /// A scenario file, asked for with the file dialog.
    File,
}

/// Where design A came from.
#[derive(Debug, Clone, PartialEq)]
pub enum BaselineSource {
    /// The document's last saved version (`file`: its file name; `None`
    /// for a document opened from the library and never saved).
    Saved {
        file: Option<String>,
    },
    /// Pinned at this time of day (UTC, `12:03`).
    Pinned {
        at: String,
    },
    File(PathBuf),
}

/// Design A of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub scenario: Scenario,
    pub source: BaselineSource,
}

impl Baseline {
    /// The current design, pinned at `unix_s` (seconds since 1970, UTC).
    pub fn pinned(scenario: &Scenario, unix_s: u64) -> Self {
        Baseline { scenario: scenario.clone(), source: BaselineSource::Pinned { at: clock_time_utc(unix_s) } }
    }

    /// The document as last saved, when it has unsaved edits (else there
    /// is nothing to compare) and the saved version is a design.
    pub fn saved(doc: &Document) -> Option<Self> {
        if !doc.is_dirty() || doc.saved.nodes.is_empty() {
            return None;
        }
        let file = doc.path.as_deref().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned());
        Some(Baseline { scenario: doc.saved.clone(), source: BaselineSource::Saved { file } })
    }

    pub fn file(scenario: Scenario, path: &Path) -> Self {
        Baseline { scenario, source: BaselineSource::File(path.to_path_buf()) }
    }

    /// `A: three-tier (pinned 12:03 UTC)`, `A: three-tier (saved, x.ron)`.
    pub fn label(&self) -> String {
        let how = match &self.source {
            BaselineSource::Saved { file: Some(f) } => format!("saved, {f}"),
            BaselineSource::Saved { file: None } => "as opened".into(),
            BaselineSource::Pinned { at } => format!("pinned {at} UTC"),
            BaselineSource::File(p) => {
                p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())
            }
        };
        format!("A: {} ({how})", self.scenario.name)
    }
}

/// `hh:mm` of a time in seconds since 1970, UTC.
pub fn clock_time_utc(unix_s: u64) -> String {
    let minutes = unix_s / 60;
    format!("{:02}:{:02}", (minutes / 60) % 24, minutes % 60)
}

/// Seconds since 1970 now (0 if the system clock is before it).
pub fn unix_now_s() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The study the app runs: `replications` pairs of runs as long as A's
/// (at most [`MAX_RUN_S`]), A's warm-up when it fits, else a tenth.
pub fn app_spec(a: &Scenario, replications: usize) -> ReplicationSpec {
    let duration_s = if a.duration_s > 0.0 { a.duration_s.min(MAX_RUN_S) } else { MAX_RUN_S };
    let warmup_s = if a.warmup_s > 0.0 && a.warmup_s < duration_s { a.warmup_s } else { duration_s / 10.0 };
    ReplicationSpec { replications, duration_s, warmup: Warmup::Given(warmup_s) }
}

/// What the thread brings back: the comparison, and A's run with the live
/// run's seed for the plots.
struct Outcome {
    comparison: Comparison,
    a_run: TimeSeries,
}

/// A comparison running on its own thread.
type Job = super::job::Job<Result<Outcome, ReplicationError>>;

enum State {
    Running(Job),
    Done(Comparison),
    Cancelled,
    /// Why it could not run, in lines.
    Failed(Vec<String>),
}

/// The comparison window.
struct CompareView {
    baseline: Baseline,
    b_name: String,
    state: State,
    /// The window was closed: nothing is drawn, the thread is stopping.
    closed: bool,
}

/// A's run on the plots.
struct Overlay {
    label: String,
    series: TimeSeries,
}

/// What the Simulation menu shows of the comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareMenu {
    pub running: bool,
    /// The saved version's label, when it can be compared with.
    pub saved: Option<String>,
    pub pinned: Option<String>,
    pub replications: usize,
}

/// The app's comparisons: the pinned baseline, the window, the overlay.
pub struct CompareSession {
    pinned: Option<Baseline>,
    replications: usize,
    view: Option<CompareView>,
    overlay: Option<Overlay>,
}

impl Default for CompareSession {
    fn default() -> Self {
        CompareSession { pinned: None, replications: DEFAULT_REPLICATIONS, view: None, overlay: None }
    }
}

impl CompareSession {
    /// Keeps `scenario` as A (replacing any pinned before).
    pub fn pin(&mut self, scenario: &Scenario, unix_s: u64) {
        self.pinned = Some(Baseline::pinned(scenario, unix_s));
    }

    pub fn pinned(&self) -> Option<&Baseline> {
        self.pinned.as_ref()
    }

    pub fn replications(&self) -> usize {
        self.replications
    }

    pub fn set_replications(&mut self, n: usize) {
        self.replications = n.clamp(MIN_REPLICATIONS, MAX_APP_REPLICATIONS);
    }

    /// Whether a comparison's thread is running (a cancelled one until it
    /// has stopped).
    pub fn is_running(&self) -> bool {
        self.view.as_ref().is_some_and(|v| matches!(v.state, State::Running(_)))
    }

    /// The finished comparison, while its window is open.
    pub fn result(&self) -> Option<&Comparison> {
        match &self.view.as_ref()?.state {
            State::Done(c) => Some(c),
            _ => None,
        }
    }

    /// Why the comparison could not run, while its window is open.
    pub fn failure(&self) -> Option<&[String]> {
        match &self.view.as_ref()?.state {
            State::Failed(lines) => Some(lines),
            _ => None,
        }
    }

    /// Whether the user cancelled and the thread has stopped.
    pub fn was_cancelled(&self) -> bool {
        self.view.as_ref().is_some_and(|v| matches!(v.state, State::Cancelled))
    }

    /// The label of the run drawn faint on the plots, if one is.
    pub fn overlay_label(&self) -> Option<&str> {
        self.overlay.as_ref().map(|o| o.label.as_str())
    }

    /// A's run over the plots' span, to draw under B's.
    pub fn overlay_trace(&self, span: (f64, f64)) -> Option<ReferenceTrace> {
        self.overlay.as_ref().map(|o| ReferenceTrace::of(&o.series, span, o.label.clone(), A_RUN))
    }

    pub fn drop_overlay(&mut self) {
        self.overlay = None;
    }

    pub fn menu(&self, doc: &Document) -> CompareMenu {
        CompareMenu {
            running: self.is_running(),
            saved: Baseline::saved(doc).map(|b| b.label()),
            pinned: self.pinned.as_ref().map(Baseline::label),
            replications: self.replications,
        }
    }

    /// Compares `b` (the current design) with `baseline` on a new thread;
    /// nothing happens while a comparison runs. A design that is not valid
    /// is said so in the window, before anything runs.
    pub fn start(&mut self, baseline: Baseline, b: &Scenario, ctx: &egui::Context) {
        if self.is_running() {
            return;
        }
        let b_name = b.name.clone();
        let mut problems = Vec::new();
        for (which, s) in [("A", &baseline.scenario), ("B", b)] {
            if let Err(found) = ValidScenario::new(s.clone()) {
                problems.push(format!("{which} ({}) is not a valid design:", s.name));
                problems.extend(found.into_iter().map(|p| format!("  {}", p.message)));
            }
        }
        if !problems.is_empty() {
            self.view = Some(CompareView { baseline, b_name, state: State::Failed(problems), closed: false });
            return;
        }
        self.overlay = None;
        let spec = app_spec(&baseline.scenario, self.replications);
        let reference_s = if b.duration_s > 0.0 { b.duration_s.min(MAX_REFERENCE_S) } else { MAX_RUN_S };
        let total = 2 * spec.replications + 1;
        let (a, b) = (baseline.scenario.clone(), b.clone());
        // Leave a core to the live run and the window.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1));
        let job = Job::spawn("archsim-compare", total, ctx, move |progress| {
            let keep_going = || progress.keep_going();
            let runs_done = |finished: usize, _total: usize| progress.finished(finished);
            let outcome = compare_while(&a, &b, &spec, Some(threads), &runs_done, &keep_going).and_then(|comparison| {
                // A with the live run's seed: beside it on the plots, the
                // same draws where the nodes correspond.
                let a_run =
                    run_series_while(&a, b.seed, reference_s, &keep_going)?.ok_or(ReplicationError::Cancelled)?;
                Ok(Outcome { comparison, a_run })
            });
            progress.one_more();
            outcome
        });
        let state = match job {
            Ok(job) => State::Running(job),
            Err(e) => State::Failed(vec![format!("cannot start the comparison's thread: {e}")]),
        };
        self.view = Some(CompareView { baseline, b_name, state, closed: false });
    }

    /// Runs the last comparison again with its A and the current design.
    pub fn rerun(&mut self, b: &Scenario, ctx: &egui::Context) {
        if let Some(baseline) = self.view.as_ref().map(|v| v.baseline.clone()) {
            self.start(baseline, b, ctx);
        }
    }

    /// Asks the running comparison to stop within a slice of its runs.
    pub fn cancel(&self) {
        if let Some(CompareView { state: State::Running(job), .. }) = &self.view {
            job.cancel();
        }
    }

    /// Takes the result in once the thread has finished; forgets a closed
    /// window once its thread has stopped.
    pub fn poll(&mut self) {
        let Some(view) = &mut self.view else { return };
        if let State::Running(job) = &mut view.state
            && let Some(answer) = job.take_if_finished()
        {
            view.state = match answer {
                Ok(Ok(outcome)) => {
                    self.overlay = Some(Overlay { label: view.baseline.label(), series: outcome.a_run });
                    State::Done(outcome.comparison)
                }
                Ok(Err(ReplicationError::Cancelled)) => State::Cancelled,
                Ok(Err(e)) => State::Failed(vec![e.to_string()]),
                Err(_) => State::Failed(vec!["the comparison stopped unexpectedly".into()]),
            };
        }
        if view.closed && !matches!(view.state, State::Running(_)) {
            self.view = None;
        }
    }

    /// Runs done of the running comparison (of `2 × N + 1`, the last A's
    /// run for the plots).
    pub fn runs_done(&self) -> usize {
        match &self.view {
            Some(CompareView { state: State::Running(job), .. }) => job.done(),
            _ => 0,
        }
    }
}

/// The Simulation menu's items: Pin as baseline A, which one is pinned,
/// and Compare with… (off while a comparison runs).
pub fn compare_menu_ui(ui: &mut Ui, menu: &CompareMenu, commands: &mut Vec<Command>) {
    if ui
        .button("Pin as baseline A")
        .on_hover_text(
            "Keep the design as it is now as A (for this session): edit freely, then Compare with… › the pinned \
             baseline shows what the edits changed.",
        )
        .clicked()
    {
        commands.push(Command::PinBaseline);
    }
    if let Some(pinned) = &menu.pinned {
        ui.label(RichText::new(pinned).small().color(A_TEXT));
    }
    let compare = ui.add_enabled_ui(!menu.running, |ui| {
        ui.menu_button("Compare with…", |ui| {
            let saved = ui
                .add_enabled(menu.saved.is_some(), egui::Button::new("The saved version"))
                .on_hover_text(menu.saved.as_deref().unwrap_or("No unsaved edits: the design is its saved version."));
            if saved.clicked() {
                commands.push(Command::CompareWith(BaselineChoice::Saved));
            }
            let pinned = ui
                .add_enabled(menu.pinned.is_some(), egui::Button::new("The pinned baseline"))
                .on_hover_text(menu.pinned.as_deref().unwrap_or("Nothing pinned: Simulation › Pin as baseline A."));
            if pinned.clicked() {
                commands.push(Command::CompareWith(BaselineChoice::Pinned));
            }
            if ui.button("A file…").on_hover_text("A scenario file as A").clicked() {
                commands.push(Command::CompareWith(BaselineChoice::File));
            }
            ui.separator();
            replications_ui(ui, menu.replications, commands);
        })
    });
    compare.response.on_disabled_hover_text("A comparison is running: cancel it in its window to start another.");
}

/// "Pairs of runs [10]".
fn replications_ui(ui: &mut Ui, replications: usize, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let mut n = replications;
        let label = ui.label("Pairs of runs");
        let drag = egui::DragValue::new(&mut n).range(MIN_REPLICATIONS..=MAX_APP_REPLICATIONS).speed(0.2);
        if ui
            .add(drag)
            .labelled_by(label.id)
            .on_hover_text("More pairs narrow the intervals (by √N) and take longer.")
            .changed()
        {
            commands.push(Command::SetCompareReplications(n));
        }
    });
}

/// The row over the plots while A's run is drawn: its legend and a button
/// that drops it.
pub fn overlay_row_ui(ui: &mut Ui, label: &str, commands: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("faint: {label}")).small().color(A_TEXT)).on_hover_text(
            "Design A run once with this run's seed: where the nodes correspond, both see the same arrivals and \
             work times, so the gap between the lines is the design's.",
        );
        if ui.small_button("Drop A's run").clicked() {
            commands.push(Command::DropCompareOverlay);
        }
    });
}

/// Shows the comparison window while there is one; closing it cancels a
/// running comparison (the overlay stays).
pub fn compare_window_ui(ctx: &egui::Context, session: &mut CompareSession, commands: &mut Vec<Command>) {
    session.poll();
    let replications = session.replications;
    let has_overlay = session.overlay.is_some();
    let Some(view) = &mut session.view else { return };
    if view.closed {
        ctx.request_repaint_after(std::time::Duration::from_millis(50));
        return;
    }
    let mut open = true;
    egui::Window::new("Compare A and B")
        .id(egui::Id::unique("compare-window"))
        .open(&mut open)
        .default_size([660.0, 440.0])
        // Over the canvas, clear of the palette and the menu.
        .pivot(egui::Align2::CENTER_TOP)
        .default_pos(ctx.content_rect().center_top() + egui::vec2(0.0, 70.0))
        .resizable(true)
        .show(ctx, |ui| {
            ui.label(RichText::new(view.baseline.label()).color(A_TEXT));
            ui.label(format!("B: {} (the design as it is now)", view.b_name));
            ui.separator();
            let running = matches!(view.state, State::Running(_));
            match &view.state {
                State::Running(job) => {
                    let (done, total) = (job.done(), job.total());
                    let what = if done + 1 >= total {
                        "Running A once more with the live run's seed, for the plots".to_string()
                    } else {
                        format!("Running {} of {} runs (A and B, on the same seeds)", done + 1, total - 1)
                    };
                    ui.label(what);
                    ui.add(egui::ProgressBar::new(job.fraction()).show_percentage());
                    if job.is_cancelled() {
                        ui.label("Cancelling…");
                    } else if ui.button("Cancel").on_hover_text("Stop the comparison now.").clicked() {
                        commands.push(Command::CancelCompare);
                    }
                    ctx.request_repaint_after(std::time::Duration::from_millis(200));
                }
                State::Failed(lines) => {
                    ui.colored_label(WORSE, "The comparison could not run:");
                    for line in lines {
                        ui.colored_label(WORSE, super::format::for_app_font(line));
                    }
                }
                State::Cancelled => {
                    ui.label("Cancelled: nothing to compare yet.");
                }
                State::Done(c) => result_ui(ui, c),
            }
            ui.separator();
            ui.horizontal(|ui| {
                replications_ui(ui, replications, commands);
                if ui.add_enabled(!running, egui::Button::new("Run again")).clicked() {
                    commands.push(Command::RerunComparison);
                }
                if has_overlay && ui.button("Drop A's run from the plots").clicked() {
                    commands.push(Command::DropCompareOverlay);
                }
            });
        });
    if !open {
        view.closed = true;
        if let State::Running(job) = &view.state {
            job.cancel();
        }
        session.poll();
    }
}

/// What common random numbers are, for the table's hover.
const CRN: &str = "B ran with A's seeds: where the nodes correspond, each pair of runs saw the same arrivals and \
                   work times, so B − A is measured on the pairs and its interval is narrower than comparing \
                   two sets of independent runs (Welch's) would give. Hover a row for its two widths.";

fn result_ui(ui: &mut Ui, c: &Comparison) {
    ui.label(RichText::new(super::format::for_app_font(&c.headline())).strong().size(16.0));
    ui.label(
        RichText::new(format!(
            "{} pairs of runs of {} s (warm-up {} s) on common random numbers; intervals are 95 %.",
            c.replications, c.duration_s, c.warmup_s
        ))
        .small(),
    )
    .on_hover_text(CRN);
    ui.add_space(4.0);
    egui::Grid::new("compare-table").striped(true).num_columns(5).spacing([16.0, 4.0]).show(ui, |ui| {
        for head in ["figure", "A", "B"] {
            ui.label(RichText::new(head).strong());
        }
        ui.label(RichText::new("B − A (paired 95 %)").strong()).on_hover_text(CRN);
        ui.label(RichText::new("verdict").strong());
        ui.end_row();
        for f in c.summary_figures() {
            figure_row_ui(ui, f);
            ui.end_row();
        }
    });
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 4.0;
        ui.label(RichText::new("green: B is better").small().color(BETTER));
        ui.label(RichText::new("·").small());
        ui.label(RichText::new("red: B is worse").small().color(WORSE));
        ui.label(RichText::new("·").small());
        ui.label(RichText::new("grey: the interval holds 0, so no difference we can tell").small().weak());
    });
}

fn figure_row_ui(ui: &mut Ui, f: &FigureDelta) {
    let color = match f.verdict() {
        Verdict::Better => BETTER,
        Verdict::Worse => WORSE,
        Verdict::NoDifference => ui.visuals().weak_text_color(),
    };
    ui.label(f.figure.label());
    ui.label(f.figure.value_text(f.a.mean));
    ui.label(f.figure.value_text(f.b.mean));
    ui.label(RichText::new(f.interval_text()).color(color)).on_hover_text(f.pairing_text());
    ui.label(RichText::new(f.verdict_text()).color(color)).on_hover_text(f.pairing_text());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pinned_baseline_says_when_it_was_pinned() {
        let s = Scenario { name: "three-tier".into(), ..Scenario::default() };
        // 2026-12-02 12:03:40 UTC.
        let b = Baseline::pinned(&s, 1_796_169_600 + 12 * 3600 + 3 * 60 + 40);
        assert_eq!(b.label(), "A: three-tier (pinned 12:03 UTC)");
        assert_eq!(clock_time_utc(59), "00:00");
    }

    #[test]
    fn the_saved_version_is_a_baseline_only_with_unsaved_edits() {
        let mut doc = Document::default();
        assert!(Baseline::saved(&doc).is_none(), "nothing to compare");
        doc.scenario.seed += 1;
        assert_eq!(Baseline::saved(&doc).map(|b| b.label()), Some(format!("A: {} (as opened)", doc.saved.name)));
        doc.path = Some(PathBuf::from("/x/mine.ron"));
        assert!(Baseline::saved(&doc).is_some_and(|b| b.label().ends_with("(saved, mine.ron)")));
    }

    #[test]
    fn the_apps_runs_are_at_most_a_minute_with_a_warm_up_inside() {
        let mut s = Scenario { duration_s: 300.0, warmup_s: 100.0, ..Scenario::default() };
        let spec = app_spec(&s, 10);
        assert_eq!((spec.duration_s, spec.warmup), (60.0, Warmup::Given(6.0)));
        s.warmup_s = 5.0;
        assert_eq!(app_spec(&s, 10).warmup, Warmup::Given(5.0));
    }
}
