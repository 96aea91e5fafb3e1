//! The eframe app: persisted [`State`] (document and preferences) apart
//! from the [`Runtime`] (simulation and what is derived from it). UI code
//! only emits [`Command`]s; [`ArchsimApp::apply`] carries them out in one
//! place, taking undo points and pushing edits to the running engine.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui::util::undoer::{Settings as UndoSettings, Undoer};
use eframe::egui::{self, Ui, ViewportCommand};

use super::alerts::Severity;
use super::autosave::{self, Autosave};
use super::canvas::{CanvasInput, CanvasState, canvas_ui, topology_rect};
use super::challenge_view::{ChallengeView, challenge_ui, challenge_window_ui, today};
use super::clock::{Clock, SystemClock};
use super::command::{Command, LiveFault, Panel};
use super::compare_view::{Baseline, BaselineChoice, CompareSession, compare_window_ui, overlay_row_ui, unix_now_s};
use super::cues::{CueRunner, RunCourse, command_for, cue_bar_ui, fire_keys_pressed};
use super::dialogs::{BrowsePurpose, Dialog, DialogAnswer, PendingAction, dialog_ui};
use super::edits;
use super::event_log::event_log_ui;
use super::file_browser::{FileBrowser, start_folder};
use super::file_dialog::{FileAnswer, FileDialog, NativeFileDialog};
use super::frame_stats::FrameStats;
use super::inspector::{InspectorInput, inspector_ui};
use super::metrics_server::{self, MetricsServer};
use super::pacer::{EngineThread, PacerConfig, Speed};
use super::palette::left_panel_ui;
use super::placement;
use super::plots::{PlotOptions, plot_data, plots_ui};
use super::presenter::{self, PlotsSide};
use super::problems::DocProblems;
use super::ramp_view::{RampView, ramp_window_ui};
use super::rewind_view::{ReferenceTrace, RewindView, rewind_ui};
use super::runtime::Runtime;
use super::selection::Selection;
use super::shortcuts as keys;
use super::shutdown::ShutdownFlag;
use super::state::{Document, State};
use super::sweep_view::{SweepView, sweep_window_ui};
use super::theme;
use super::toolbar::{SpikeChoice, ToolbarInput, menu_bar_ui, run_controls_ui};
use super::tour::{self, Anchor, Tour, TourInput, tour_ui};
use super::trace_view::{TraceChoice, traces_ui};
use super::verdict::verdict_ui;
use crate::scenario::{BundledScenario, NodeKind, Scenario, ValidScenario, bundled, load_scenario, to_ron_string};
use crate::sim::LiveChange;

/// Where the first document comes from.
pub enum InitialDocument {
    /// The persisted working document: the recovery file's, else eframe
    /// storage's, else (first start) the bundled three-tier scenario.
    Restore,
    /// This scenario, clean, from this file if any.
    Scenario(Box<Scenario>, Option<PathBuf>),
}

/// How the app is set up: real clock and dialogs for the binary, a manual
/// clock and scripted dialogs for tests.
pub struct AppConfig {
    pub clock: Box<dyn Clock>,
    pub files: Box<dyn FileDialog>,
    pub pacer: PacerConfig,
    pub initial: InitialDocument,
    pub start_running: bool,
    /// Restore state from eframe's storage.
    pub use_storage: bool,
    /// Where the working document is autosaved, and restored from when
    /// `initial` is [`InitialDocument::Restore`]; `None`: neither.
    pub recovery_file: Option<PathBuf>,
    /// Raised by the signal listener: save and close.
    pub shutdown: ShutdownFlag,
    pub speed: Option<Speed>,
    pub show_frame_time: bool,
    /// Write a frame-time summary here on exit.
    pub frame_log: Option<PathBuf>,
    /// Problems met while reading the environment, shown once started.
    pub startup_errors: Vec<String>,
    /// Show the tour at start unless the persisted prefs say it was seen.
    pub show_tour_on_first_start: bool,
    /// The step it opens at (0-based), for a screenshot of one step.
    pub tour_first_step: usize,
}

impl AppConfig {
    /// The binary's configuration. Reads `ARCHSIM_OPEN` (a `.ron` file or a
    /// bundled scenario name), `ARCHSIM_SPEED` (`1`, `100`, `max`),
    /// `ARCHSIM_FRAME_TIME=1`, `ARCHSIM_FRAME_LOG=path` and
    /// `ARCHSIM_ENGINE_THREAD=0` (engine inline in the frame),
    /// `ARCHSIM_FILE_DIALOG=builtin` (see [`NativeFileDialog`]) and
    /// `ARCHSIM_TOUR` (see [`tour::on_first_start_from_env`]).
    pub fn from_env() -> Self {
        let (show_tour_on_first_start, tour_first_step) =
            tour::on_first_start_from_env(std::env::var("ARCHSIM_TOUR").ok().as_deref());
        let mut config = AppConfig {
            clock: Box::new(SystemClock::default()),
            files: Box::new(NativeFileDialog::from_env()),
            pacer: PacerConfig { engine: engine_thread_from_env(), ..PacerConfig::default() },
            initial: InitialDocument::Restore,
            start_running: true,
            use_storage: true,
            recovery_file: autosave::default_path(),
            shutdown: ShutdownFlag::new(),
            speed: None,
            show_frame_time: std::env::var("ARCHSIM_FRAME_TIME").is_ok_and(|v| v == "1"),
            frame_log: std::env::var_os("ARCHSIM_FRAME_LOG").map(PathBuf::from),
            startup_errors: Vec::new(),
            show_tour_on_first_start,
            tour_first_step,
        };
        if let Ok(what) = std::env::var("ARCHSIM_OPEN") {
            match open_by_name(&what) {
                Ok((s, path)) => config.initial = InitialDocument::Scenario(Box::new(s), path),
                Err(lines) => config.startup_errors = lines,
            }
        }
        if let Ok(speed) = std::env::var("ARCHSIM_SPEED") {
            config.speed = match speed.trim() {
                "max" => Some(Speed::Max),
                s => s.trim_end_matches(['x', '×']).parse::<f64>().ok().filter(|f| *f > 0.0).map(Speed::Times),
            };
        }
        config
    }

    /// For tests: nothing persisted (no storage, no recovery file), the
    /// given clock and dialogs, paused, no tour (a test that wants it
    /// turns `show_tour_on_first_start` on).
    pub fn for_tests(clock: Box<dyn Clock>, files: Box<dyn FileDialog>, initial: InitialDocument) -> Self {
        AppConfig {
            clock,
            files,
            pacer: PacerConfig { max_frame_dt_s: 3_600.0, ..PacerConfig::default() },
            initial,
            start_running: false,
            use_storage: false,
            recovery_file: None,
            shutdown: ShutdownFlag::new(),
            speed: None,
            show_frame_time: false,
            frame_log: None,
            startup_errors: Vec::new(),
            show_tour_on_first_start: false,
            tour_first_step: 0,
        }
    }
}

/// A `.ron` path or a bundled scenario's name.
/// The engine runs on a thread of its own unless `ARCHSIM_ENGINE_THREAD=0`
/// (for comparing the two in `docs/performance.md`).
fn engine_thread_from_env() -> EngineThread {
    if std::env::var("ARCHSIM_ENGINE_THREAD").is_ok_and(|v| v == "0") {
        EngineThread::Inline
    } else {
        EngineThread::Background
    }
}

fn open_by_name(what: &str) -> Result<(Scenario, Option<PathBuf>), Vec<String>> {
    let path = Path::new(what);
    if path.exists() {
        return load_scenario(path).map(|s| (s, Some(path.to_path_buf()))).map_err(|e| e.diagnostics());
    }
    match bundled(what) {
        Some(b) => b.load().map(|s| (s, None)).map_err(|e| e.diagnostics()),
        None => Err(vec![format!("ARCHSIM_OPEN: \"{what}\" is neither a file nor a bundled scenario")]),
    }
}

/// Frames Paste design waits for the clipboard's paste event.
const PASTE_FRAMES: u32 = 30;

/// Which tab of the bottom panel's side column is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SideTab {
    Events,
    Verdict,
    /// Only for a document with a challenge.
    Challenge,
    /// Request traces as waterfalls.
    Traces,
}

/// The app.
pub struct ArchsimApp {
    state: State,
    undoer: Undoer<Scenario>,
    rt: Runtime,
    canvas: CanvasState,
    selection: Selection,
    problems: DocProblems,
    dialog: Option<Dialog>,
    side_tab: SideTab,
    clock: Box<dyn Clock>,
    files: Box<dyn FileDialog>,
    commands: Vec<Command>,
    last_frame_s: Option<f64>,
    last_frame_instant: Option<Instant>,
    frame_stats: FrameStats,
    /// When the current frame's `logic` began (spacing frames at "max").
    frame_started: Option<Instant>,
    frame_log: Option<PathBuf>,
    sim_work_ms: f32,
    sent_title: String,
    close_confirmed: bool,
    spike_client: Option<String>,
    /// The theme and whether presenter mode's larger text is applied.
    applied_theme: Option<(theme::ThemeChoice, bool)>,
    /// Size the window to the monitor once its size is known (first start).
    size_to_monitor: bool,
    /// Where presenter mode put the plots, chosen when it is entered.
    presenter_side: Option<PlotsSide>,
    autosave: Autosave,
    /// Whether the last autosave failed (reported once, not every second).
    autosave_failing: bool,
    /// The document to persist instead of the working one once "Don't
    /// save" has closed the window: the discarded changes must not return.
    exit_doc: Option<Document>,
    shutdown: ShutdownFlag,
    shutting_down: bool,
    /// The first-run tour, while it is open.
    tour: Option<Tour>,
    /// Simulation › Ramp to 100×, while its window is open.
    ramp: Option<RampView>,
    /// The sweep dialog, while its window is open.
    sweep: Option<SweepView>,
    /// File › Export › Run as GIF being made (`gui::exports`).
    gif_job: Option<super::exports::GifJob>,
    /// Simulation › Compare with…: the pinned baseline, the window, A's run.
    compare: CompareSession,
    /// The rewind scrubber's state between frames.
    rewind_view: RewindView,
    /// The Challenge tab's evaluation.
    challenge: ChallengeView,
    /// Where the presenter is in the scenario's cues.
    cues: CueRunner,
    /// Which request the Traces tab shows.
    trace_choice: TraceChoice,
    /// View › Serve /metrics, while on; and the wall time of the last
    /// snapshot it was given (one a second is plenty for a scrape).
    metrics: Option<MetricsServer>,
    metrics_published: Option<f64>,
    /// Frames left to wait for the paste event Paste design asked for.
    paste_frames_left: u32,
}

impl ArchsimApp {
    pub fn new(cc: &eframe::CreationContext<'_>, config: AppConfig) -> Self {
        let mut state: State = if config.use_storage {
            cc.storage.and_then(|s| eframe::get_value(s, eframe::APP_KEY)).unwrap_or_default()
        } else {
            State::default()
        };
        let mut restore_problem = None;
        match config.initial {
            InitialDocument::Scenario(s, path) => state.doc = Document::clean(*s, path),
            InitialDocument::Restore => match config.recovery_file.as_deref().map(autosave::read_recovery) {
                Some(Ok(Some(doc))) => state.doc = doc,
                Some(Ok(None)) | None => {}
                Some(Err(e)) => restore_problem = Some(e.to_string()),
            },
        }
        if let Some(speed) = config.speed {
            state.prefs.speed = speed;
        }
        if config.show_frame_time {
            state.prefs.show_frame_time = true;
        }
        // The persisted zoom is restored by egui's own memory; keep ours in step.
        if config.use_storage && (0.5..=3.0).contains(&state.prefs.ui_zoom) {
            cc.egui_ctx.set_zoom_factor(state.prefs.ui_zoom);
        }
        let mut rt = Runtime::new(&state.doc.scenario, config.pacer);
        rt.run_past_end = state.prefs.run_past_end;
        rt.history.set_budget(state.prefs.snapshot_budget());
        if config.start_running {
            rt.play();
        }
        let problems = DocProblems::of(&state.doc.scenario);
        let mut frame_stats = FrameStats::default();
        frame_stats.engine_thread = rt.runs_in_background();
        // No saved state: the first start, whose window eframe has not sized yet.
        let size_to_monitor = config.use_storage && cc.storage.is_none_or(|s| s.get_string(eframe::APP_KEY).is_none());
        let mut app = ArchsimApp {
            undoer: Undoer::with_settings(UndoSettings { max_undos: 200, stable_time: 0.6, auto_save_interval: 10.0 }),
            rt,
            canvas: CanvasState::new(),
            selection: Selection::default(),
            problems,
            dialog: None,
            side_tab: SideTab::Events,
            clock: config.clock,
            files: config.files,
            commands: Vec::new(),
            last_frame_s: None,
            last_frame_instant: None,
            frame_stats,
            frame_started: None,
            frame_log: config.frame_log,
            sim_work_ms: 0.0,
            sent_title: String::new(),
            close_confirmed: false,
            spike_client: None,
            applied_theme: None,
            autosave: Autosave::new(config.recovery_file),
            autosave_failing: false,
            exit_doc: None,
            shutdown: config.shutdown,
            shutting_down: false,
            size_to_monitor,
            presenter_side: None,
            tour: (config.show_tour_on_first_start && !state.prefs.tour_seen).then(|| Tour::at(config.tour_first_step)),
            ramp: None,
            sweep: None,
            gif_job: None,
            compare: CompareSession::default(),
            rewind_view: RewindView::default(),
            challenge: ChallengeView::default(),
            cues: CueRunner::default(),
            trace_choice: TraceChoice::default(),
            metrics: None,
            metrics_published: None,
            paste_frames_left: 0,
            state,
        };
        if app.state.doc.scenario.challenge.is_some() {
            app.side_tab = SideTab::Challenge;
        }
        app.undoer.add_undo(&app.state.doc.scenario);
        if !config.startup_errors.is_empty() {
            app.dialog =
                Some(Dialog::Error { title: "Could not open the scenario".into(), lines: config.startup_errors });
        } else if let Some(problem) = restore_problem {
            app.dialog = Some(Dialog::Error {
                title: "Could not restore the last working document".into(),
                lines: vec![problem, "The next change replaces that file.".into()],
            });
        }
        app
    }

    // ----- read access, for tests and the binary --------------------------

    pub fn document(&self) -> &Document {
        &self.state.doc
    }

    /// The Challenge tab's finished evaluation, if there is one.
    pub fn challenge_evaluation(&self) -> Option<&crate::challenge::Evaluation> {
        self.challenge.evaluation()
    }

    /// Whether the Challenge tab is grading the design now.
    pub fn challenge_running(&self) -> bool {
        self.challenge.is_running()
    }

    /// The best score of each challenge evaluated, by name.
    pub fn challenge_records(&self) -> &super::challenge_view::ChallengeRecords {
        &self.state.prefs.challenges
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    pub fn runtime(&self) -> &Runtime {
        &self.rt
    }

    /// The ramp window's ramp, while the window is open.
    pub fn ramp(&self) -> Option<&RampView> {
        self.ramp.as_ref()
    }

    /// The sweep dialog, while its window is open.
    pub fn sweep(&self) -> Option<&SweepView> {
        self.sweep.as_ref()
    }

    /// The comparisons: the pinned baseline, the window's result, A's run.
    pub fn comparison(&self) -> &CompareSession {
        &self.compare
    }

    pub fn selection(&self) -> &Selection {
        &self.selection
    }

    pub fn dialog(&self) -> Option<&Dialog> {
        self.dialog.as_ref()
    }

    /// Which request the Traces tab shows.
    pub fn trace_choice(&self) -> TraceChoice {
        self.trace_choice
    }

    /// The tour's step (0-based) while it is open.
    pub fn tour_step(&self) -> Option<usize> {
        self.tour.map(Tour::step)
    }

    /// Whether a termination signal was seen and the window asked to close.
    pub fn shutting_down(&self) -> bool {
        self.shutting_down
    }

    /// Where a node's centre and its edge handle are on screen (last frame),
    /// for tests that drag and right-click on the canvas.
    pub fn node_screen_points(&self, id: &str) -> Option<(egui::Pos2, egui::Pos2)> {
        let view = self.canvas.view?;
        let n = self.state.doc.scenario.node(id)?;
        let rect = super::canvas::geometry::node_rect(egui::pos2(n.pos.0, n.pos.1));
        Some((
            view.screen_from_canvas(rect.center()),
            view.screen_from_canvas(super::canvas::geometry::handle_pos(rect)),
        ))
    }

    /// How tall node text (the smallest: live numbers, badges) is on screen,
    /// points (last frame); pixels are this times `pixels_per_point`. For
    /// tests that check it grows with the UI zoom and stays readable.
    pub fn node_text_points(&self) -> Option<f32> {
        Some(self.canvas.view?.zoom() * super::canvas::node_view::SMALL_TEXT)
    }

    /// Queues a command as if the UI had emitted it (applied next frame).
    pub fn push_command(&mut self, c: Command) {
        self.commands.push(c);
    }

    // ----- applying commands ----------------------------------------------

    fn apply_all(&mut self, ctx: &egui::Context) {
        let commands = std::mem::take(&mut self.commands);
        for c in commands {
            self.apply(ctx, c);
        }
    }

    /// Carries out one command. The single place that changes the document.
    pub fn apply(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::AddNode { kind, pos_in_canvas } => {
                let wanted = pos_in_canvas.unwrap_or_else(|| self.canvas.scene_rect.center());
                let taken: Vec<egui::Pos2> =
                    self.state.doc.scenario.nodes.iter().map(|n| egui::pos2(n.pos.0, n.pos.1)).collect();
                let pos = super::layout::free_spot_in_view(wanted, &taken, self.canvas.scene_rect);
                let mut new_id = String::new();
                self.edit_doc(false, |s| {
                    new_id = edits::add_node(s, kind, pos);
                    Ok(())
                });
                self.selection = Selection::node(new_id);
            }
            Command::MoveNodes { ids, delta_in_canvas } => {
                // Positions do not matter to the engine: no sync, and the
                // undoer groups the gesture into one step.
                edits::move_nodes(&mut self.state.doc.scenario, &ids, delta_in_canvas);
                self.autosave.mark(self.clock.now_s());
            }
            Command::Connect { from, to } => self.edit_doc(false, |s| edits::connect(s, &from, &to)),
            Command::DeleteSelection => {
                let ids: Vec<String> = self.selection.nodes.iter().cloned().collect();
                let edge = self.selection.edge;
                self.edit_doc(false, |s| {
                    edits::delete_nodes(s, &ids);
                    if let Some(e) = edge {
                        edits::delete_edge(s, e);
                    }
                    Ok(())
                });
                self.selection = Selection::default();
            }
            Command::DeleteNode(id) => {
                self.edit_doc(false, |s| {
                    edits::delete_nodes(s, std::slice::from_ref(&id));
                    Ok(())
                });
            }
            Command::DeleteEdge(i) => {
                self.edit_doc(false, |s| {
                    edits::delete_edge(s, i);
                    Ok(())
                });
                self.selection.edge = None;
            }
            Command::SetNodeKind { index, kind, continuous } => self.edit_doc(continuous, |s| {
                let n = s.nodes.get_mut(index).ok_or_else(|| "no such node".to_string())?;
                n.kind = kind;
                Ok(())
            }),
            Command::SetPlacement { index, zone, region } => self.edit_doc(false, |s| {
                let n = s.nodes.get_mut(index).ok_or_else(|| "no such node".to_string())?;
                n.zone = zone;
                n.region = region;
                Ok(())
            }),
            Command::AddRegion(name) => self.edit_doc(false, |s| {
                let zones = ["a", "b", "c"].iter().map(|z| format!("{name}{z}")).collect();
                s.regions.push(crate::scenario::RegionSpec { name, zones });
                Ok(())
            }),
            Command::RenameNode { index, new_id } => {
                let old = self.state.doc.scenario.nodes.get(index).map(|n| n.id.clone());
                self.edit_doc(false, |s| edits::rename_node(s, index, &new_id));
                if let Some(old) = old
                    && self.selection.nodes.remove(&old)
                {
                    self.selection.nodes.insert(new_id.trim().to_string());
                }
            }
            Command::SetEdge { index, edge, continuous } => self.edit_doc(continuous, |s| {
                let e = s.edges.get_mut(index).ok_or_else(|| "no such edge".to_string())?;
                *e = edge;
                Ok(())
            }),
            Command::SetSettings { settings, continuous } => self.edit_doc(continuous, |s| {
                settings.apply_to(s);
                Ok(())
            }),
            Command::SetSeed(seed) => self.edit_doc(false, |s| {
                s.seed = seed;
                Ok(())
            }),
            Command::RemoveFault(i) => self.edit_doc(false, |s| {
                if i < s.faults.len() {
                    s.faults.remove(i);
                }
                Ok(())
            }),
            Command::AddFault(fault) => self.edit_doc(false, |s| {
                s.faults.push(fault);
                Ok(())
            }),
            Command::SetFault { index, fault, continuous } => self.edit_doc(continuous, |s| {
                let f = s.faults.get_mut(index).ok_or_else(|| "no such fault".to_string())?;
                *f = fault;
                Ok(())
            }),

            Command::Select(sel) => self.selection = sel,
            Command::ToggleNode(id) => {
                self.selection.edge = None;
                if !self.selection.nodes.remove(&id) {
                    self.selection.nodes.insert(id);
                }
            }
            Command::SelectAll => {
                self.selection = Selection {
                    nodes: self.state.doc.scenario.nodes.iter().map(|n| n.id.clone()).collect(),
                    edge: None,
                }
            }
            Command::FocusNode(id) => {
                if self.state.doc.scenario.node(&id).is_some() {
                    self.canvas.focus = Some(id.clone());
                    self.selection = Selection::node(id);
                }
            }
            Command::FitView => self.canvas.fit_pending = true,
            Command::TidyLayout => {
                let positions = super::layout::layered_positions(&self.state.doc.scenario);
                self.edit_doc(false, |s| {
                    for (node, p) in s.nodes.iter_mut().zip(positions) {
                        node.pos = (p.x, p.y);
                    }
                    Ok(())
                });
                self.canvas.fit_pending = true;
            }

            Command::Undo => {
                if let Some(prev) = self.undoer.undo(&self.state.doc.scenario).cloned() {
                    self.state.doc.scenario = prev;
                    self.doc_changed();
                }
            }
            Command::Redo => {
                if let Some(next) = self.undoer.redo(&self.state.doc.scenario).cloned() {
                    self.state.doc.scenario = next;
                    self.doc_changed();
                }
            }

            Command::Play => self.rt.play(),
            Command::Pause => self.pause(),
            Command::TogglePlay => {
                if self.rt.is_running() {
                    self.pause();
                } else {
                    self.rt.play();
                }
            }
            Command::Step => {
                // A cue let run that is due fires before the step goes on.
                let now = self.rt.sim.as_ref().map(crate::sim::Simulation::now);
                if !self.rt.history.is_following()
                    && now.is_some_and(|t| self.cues.due(&self.state.doc.scenario.cues, t))
                {
                    self.fire_cue(ctx);
                }
                self.rt.hold_at = self.cue_hold();
                self.step_window();
                self.follow_run_with_cues();
            }
            Command::Reset => self.reset(),
            Command::RunAgain => {
                self.reset();
                self.rt.play();
            }
            Command::SetSpeed(s) => {
                self.state.prefs.speed = s;
                self.rt.pacer.reset();
            }
            Command::Spike { client, factor, secs } => {
                if let Some(i) = self.rt.sim_node(&client) {
                    self.rt.apply_live(LiveChange::Spike { client: i, factor, secs });
                }
            }
            Command::Fault { node, fault } => self.live_fault(&node, fault),
            Command::RewindTo(t) => {
                self.rt.rewind_to(t);
                self.follow_run_with_cues();
            }
            Command::ForgetFirstRun => self.rt.history.forget_first_run(),
            Command::SetSnapshotBudget(bytes) => {
                self.state.prefs.snapshot_budget_bytes = bytes;
                self.rt.history.set_budget(self.state.prefs.snapshot_budget());
            }
            // One ramp at a time: while one runs (the menu item is disabled
            // then), the command is ignored rather than starting a second
            // thread or throwing the running one's steps away. A finished
            // ramp's window is replaced.
            Command::RampTo100 => {
                if !self.ramp.as_ref().is_some_and(RampView::is_running) {
                    self.ramp = Some(RampView::start(&self.state.doc.scenario, ctx));
                }
            }
            // One dialog: opened again while its sweep runs, it is shown
            // as it is; otherwise it starts afresh on the node.
            Command::OpenSweep(node) => match &mut self.sweep {
                Some(view) if view.is_running() => view.reopen(),
                _ => self.sweep = Some(SweepView::open(&self.state.doc.scenario, node.as_deref())),
            },
            Command::StartSweep(spec) => {
                if let Some(view) = &mut self.sweep {
                    view.start(&self.state.doc.scenario, *spec, ctx);
                }
            }
            Command::CancelSweep => {
                if let Some(view) = &self.sweep {
                    view.cancel();
                }
            }
            Command::PinBaseline => {
                self.compare.pin(&self.state.doc.scenario, unix_now_s());
                let label = self.compare.pinned().map(Baseline::label).unwrap_or_default();
                self.rt.alerts.push(Severity::Info, self.rt.now_s(), None, format!("pinned {label}"), 1);
            }
            Command::CompareWith(choice) => self.compare_with(ctx, choice),
            Command::RerunComparison => self.compare.rerun(&self.state.doc.scenario, ctx),
            Command::SetCompareReplications(n) => self.compare.set_replications(n),
            Command::CancelCompare => self.compare.cancel(),
            Command::DropCompareOverlay => self.compare.drop_overlay(),
            Command::EvaluateChallenge => {
                self.challenge.start(&self.state.doc.scenario, ctx);
                self.side_tab = SideTab::Challenge;
            }
            Command::CancelChallenge => self.challenge.cancel(),
            Command::RevealHint => self.challenge.reveal_hint(),
            Command::ShowChallengeVerdict => self.challenge.show_verdict(),
            Command::FireCue => self.fire_cue(ctx),
            Command::ShowTraceAt(t_s) => {
                // The running simulation's windows (an edit not yet applied
                // may have changed the document's).
                let window_s = self.rt.sim.as_ref().map_or(self.state.doc.scenario.window_s, |s| s.scenario().window_s);
                self.trace_choice = TraceChoice::at_plot_time(t_s, window_s);
                // The tabs sit beside the plots (in presenter mode too).
                self.side_tab = SideTab::Traces;
            }
            Command::SetCuesRun(on) => self.cues.auto = on,

            Command::New => self.request(ctx, PendingAction::New),
            Command::Open => self.request(ctx, PendingAction::Open),
            Command::OpenPath(p) => self.request(ctx, PendingAction::OpenPath(p)),
            Command::OpenBundled(name) => self.request(ctx, PendingAction::OpenBundled(name)),
            Command::CopyDesign => {
                ctx.copy_text(to_ron_string(&self.state.doc.scenario));
                self.rt.alerts.push(Severity::Info, self.rt.now_s(), None, "design copied to the clipboard".into(), 1);
            }
            Command::PasteDesign => {
                // The integration reads the clipboard and sends a paste
                // event; `take_pasted_design` picks it up in a frame or two.
                self.paste_frames_left = PASTE_FRAMES;
                ctx.send_viewport_cmd(ViewportCommand::RequestPaste);
                ctx.request_repaint();
            }
            Command::Save => self.save_then(ctx, None),
            Command::SaveAs => self.save_as_then(ctx, None),
            Command::Export(kind) => self.export_as(kind),
            Command::Quit => ctx.send_viewport_cmd(ViewportCommand::Close),

            Command::ToggleTheme => self.state.prefs.theme = self.state.prefs.theme.toggled(),
            Command::ZoomIn => egui::gui_zoom::zoom_in(ctx),
            Command::ZoomOut => egui::gui_zoom::zoom_out(ctx),
            Command::ZoomReset => ctx.set_zoom_factor(1.0),
            Command::TogglePresenter => self.set_presenter(!self.state.prefs.presenter),
            Command::ToggleFrameTime => self.state.prefs.show_frame_time = !self.state.prefs.show_frame_time,
            Command::ToggleMetricsServer => {
                if self.metrics.take().is_none() {
                    match MetricsServer::start(metrics_server::configured_port()) {
                        Ok(server) => {
                            let at = format!("http://{}/metrics", server.addr());
                            self.rt.alerts.push(Severity::Info, self.rt.now_s(), None, format!("serving {at}"), 1);
                            self.metrics = Some(server);
                            self.metrics_published = None;
                        }
                        Err(e) => self.rt.alerts.push(
                            Severity::Error,
                            self.rt.now_s(),
                            None,
                            format!("cannot serve metrics on port {}: {e}", metrics_server::configured_port()),
                            1,
                        ),
                    }
                }
            }
            Command::TogglePauseAtEnd => {
                self.state.prefs.run_past_end = !self.state.prefs.run_past_end;
                self.rt.run_past_end = self.state.prefs.run_past_end;
            }
            Command::TogglePanel(p) => {
                self.set_presenter(false);
                let prefs = &mut self.state.prefs;
                match p {
                    Panel::Left => prefs.left_panel = !prefs.left_panel,
                    Panel::Right => prefs.right_panel = !prefs.right_panel,
                    Panel::Bottom => prefs.bottom_panel = !prefs.bottom_panel,
                }
            }

            Command::ShowTour => self.tour = Some(Tour::default()),
            Command::CloseTour => {
                self.tour = None;
                self.state.prefs.tour_seen = true;
            }
        }
    }

    /// Simulation › Compare with…: finds A (the saved version, the pinned
    /// one, or a file, asked for) and starts the comparison with the
    /// design as B. Nothing starts while one runs.
    fn compare_with(&mut self, ctx: &egui::Context, choice: BaselineChoice) {
        if self.compare.is_running() {
            return;
        }
        let baseline = match choice {
            BaselineChoice::Saved => Baseline::saved(&self.state.doc),
            BaselineChoice::Pinned => self.compare.pinned().cloned(),
            BaselineChoice::File => {
                let folder = self.browse_folder();
                match self.files.pick_open(Some(&folder)) {
                    FileAnswer::Picked(path) => return self.compare_with_file(ctx, &path),
                    FileAnswer::Cancelled => None,
                    FileAnswer::Unavailable => {
                        self.dialog = Some(Dialog::Browse {
                            purpose: BrowsePurpose::Baseline,
                            browser: Box::new(FileBrowser::open(folder).with_heading("Design A to compare with")),
                        });
                        None
                    }
                }
            }
        };
        if let Some(baseline) = baseline {
            self.compare.start(baseline, &self.state.doc.scenario, ctx);
        }
    }

    /// Compares the design with the scenario in `path`, or says why the
    /// file cannot be A.
    fn compare_with_file(&mut self, ctx: &egui::Context, path: &Path) {
        match load_scenario(path) {
            Ok(a) => self.compare.start(Baseline::file(a, path), &self.state.doc.scenario, ctx),
            Err(e) => {
                self.dialog = Some(Dialog::Error {
                    title: format!("Could not compare with {}", path.display()),
                    lines: e.diagnostics(),
                });
            }
        }
    }

    /// Changes the document. A discrete edit is one undo step; a continuous
    /// one (a drag in progress) is grouped by the undoer's stable-time rule.
    fn edit_doc(&mut self, continuous: bool, f: impl FnOnce(&mut Scenario) -> Result<(), String>) {
        let before = self.state.doc.scenario.clone();
        match f(&mut self.state.doc.scenario) {
            Ok(()) => {
                if self.state.doc.scenario != before {
                    if !continuous {
                        self.undoer.add_undo(&before);
                    }
                    self.doc_changed();
                }
            }
            Err(why) => {
                self.state.doc.scenario = before;
                let now = self.rt.now_s();
                self.rt.alerts.push(Severity::Warning, now, None, why, 1);
            }
        }
    }

    /// After any change of the document: problems, selection, engine.
    fn doc_changed(&mut self) {
        let doc = &self.state.doc.scenario;
        // Validated once; the problems panel and the engine share the result.
        let checked = ValidScenario::new(doc.clone());
        self.problems = DocProblems::filed(doc, checked.as_ref().err().map_or(&[][..], Vec::as_slice));
        self.selection.retain_existing(doc);
        self.rt.sync(doc, checked);
        self.autosave.mark(self.clock.now_s());
    }

    /// Replaces the document (new, open): fresh history, simulation and view.
    fn replace_document(&mut self, doc: Document) {
        self.state.doc = doc;
        self.undoer =
            Undoer::with_settings(UndoSettings { max_undos: 200, stable_time: 0.6, auto_save_interval: 10.0 });
        self.undoer.add_undo(&self.state.doc.scenario);
        self.selection = Selection::default();
        self.canvas.fit_pending = true;
        self.rt.alerts.clear();
        self.rt.rebuild(&self.state.doc.scenario);
        self.problems = DocProblems::of(&self.state.doc.scenario);
        self.challenge.clear();
        self.cues = CueRunner::default();
        // What belonged to the other design: A's faint run, the trace
        // picked, a film of it being made.
        self.compare.drop_overlay();
        self.trace_choice = TraceChoice::Newest;
        self.gif_job = None;
        self.side_tab = if self.state.doc.scenario.challenge.is_some() { SideTab::Challenge } else { SideTab::Events };
        // At once: after "Don't save" the discarded work must not stay in
        // the recovery file even for a second.
        self.autosave.mark(self.clock.now_s());
        self.write_recovery();
    }

    /// Gives the /metrics endpoint, when on, a fresh snapshot once a second
    /// of wall time (a report of every node is too much for every frame).
    fn publish_metrics(&mut self, now_s: f64) {
        let (Some(server), Some(sim)) = (&self.metrics, &self.rt.sim) else { return };
        if self.metrics_published.is_some_and(|last| now_s - last < 1.0) {
            return;
        }
        self.metrics_published = Some(now_s);
        server.publish(crate::sim::prometheus::prometheus_text(&sim.report()));
    }

    fn pause(&mut self) {
        self.rt.pause();
        if self.rt.verdict.is_some() {
            self.side_tab = SideTab::Verdict;
        }
    }

    fn reset(&mut self) {
        // A new run: the last one's events would read as this one's, and
        // the lesson starts over.
        self.cues.restart();
        self.rt.alerts.clear();
        self.rt.rebuild(&self.state.doc.scenario);
        self.rt.alerts.push(Severity::Info, 0.0, None, "reset to time zero".into(), 1);
        self.side_tab = SideTab::Events;
    }

    /// Pauses and advances one window of simulated time.
    fn step_window(&mut self) {
        self.rt.hold();
        let window = self.state.doc.scenario.window_s.max(0.001);
        self.rt.step_by(window);
        self.rt.compute_verdict();
    }

    /// Fires the next cue: logs what the presenter says and does what it
    /// does, as the presenter's own click would.
    fn fire_cue(&mut self, ctx: &egui::Context) {
        let cues = &self.state.doc.scenario.cues;
        let Some(cue) = cues.get(self.cues.next).cloned() else { return };
        let total = cues.len();
        let now = self.rt.sim.as_ref().map_or(crate::sim::SimTime::ZERO, crate::sim::Simulation::now);
        // Firing a cue forks a run that follows the first one, whether or
        // not the cue changes anything: the first run's later cues (and
        // their changes) are dropped together, never one without the other.
        self.rt.history.fork();
        self.cues.mark_fired(now);
        let text = format!("cue {} of {total}: {}", self.cues.next, cue.say);
        self.rt.alerts.push(Severity::Info, self.rt.now_s(), cue.action.node().map(str::to_string), text, 1);
        if let Some(command) = command_for(&cue.action) {
            self.apply(ctx, command);
        }
    }

    /// Where the engine must stop for a cue let run: nowhere while the run
    /// follows the first one (its firings are made again at their times,
    /// which stop the engine already; holding at a cue the first run fired
    /// late, or never, would stop the clock for good).
    fn cue_hold(&self) -> Option<crate::sim::SimTime> {
        if self.rt.history.is_following() { None } else { self.cues.hold_at(&self.state.doc.scenario.cues) }
    }

    /// Keeps the cue bar where the run is: after a jump back, the cues
    /// fired later are to come again (see [`CueRunner::follow_run`]).
    /// Following the first run, each of its cues is logged again as the
    /// run passes it, as it was the first time.
    fn follow_run_with_cues(&mut self) {
        let Some(sim) = self.rt.sim.as_ref() else { return };
        let history = &self.rt.history;
        let course = if history.is_following() {
            RunCourse::Following { pending_from: history.next_change_at() }
        } else {
            RunCourse::Own
        };
        let before = self.cues.next;
        self.cues.follow_run(sim.now(), course);
        if course == RunCourse::Own {
            return;
        }
        let cues = &self.state.doc.scenario.cues;
        for k in before..self.cues.next {
            let Some(cue) = cues.get(k) else { break };
            let text = format!("cue {} of {}: {} (as in the first run)", k + 1, cues.len(), cue.say);
            self.rt.alerts.push(Severity::Info, self.rt.now_s(), cue.action.node().map(str::to_string), text, 1);
        }
    }

    fn live_fault(&mut self, node: &str, fault: LiveFault) {
        let Some(i) = self.rt.sim_node(node) else { return };
        let change = match fault {
            LiveFault::Crash => LiveChange::Crash(i),
            LiveFault::Restore => LiveChange::Restore(i),
            LiveFault::Slow(factor) => LiveChange::Slowdown { node: i, factor },
            LiveFault::ErrorRate(probability) => LiveChange::ErrorInjection { node: i, probability },
            LiveFault::FlushCache => LiveChange::FlushCache(i),
        };
        self.rt.apply_live(change);
    }

    // ----- files ------------------------------------------------------------
    //
    // Every way of saving or opening ends in one of three places: the file
    // is written or read, the user cancelled (nothing happens, the document
    // keeps its unsaved mark), or the native dialog is unavailable and the
    // in-app browser (`Dialog::Browse`) takes over, carrying the action that
    // was to follow the save, which `answer_dialog` carries out.

    /// Runs `action` now, or first asks about unsaved changes.
    fn request(&mut self, ctx: &egui::Context, action: PendingAction) {
        if self.state.doc.is_dirty() {
            self.dialog = Some(Dialog::Unsaved { name: self.state.doc.display_name(), then: action });
        } else {
            self.perform(ctx, action);
        }
    }

    fn perform(&mut self, ctx: &egui::Context, action: PendingAction) {
        match action {
            PendingAction::New => {
                self.replace_document(Document::clean(Scenario::default(), None));
            }
            PendingAction::Open => {
                let folder = self.browse_folder();
                match self.files.pick_open(Some(&folder)) {
                    FileAnswer::Picked(path) => self.open_path(&path),
                    FileAnswer::Cancelled => {}
                    FileAnswer::Unavailable => {
                        self.dialog = Some(Dialog::Browse {
                            purpose: BrowsePurpose::Open,
                            browser: Box::new(FileBrowser::open(folder)),
                        });
                    }
                }
            }
            PendingAction::OpenPath(path) => self.open_path(&path),
            PendingAction::OpenBundled(name) => match bundled(name).map(BundledScenario::load) {
                Some(Ok(s)) => self.replace_document(Document::clean(s, None)),
                Some(Err(e)) => {
                    self.dialog =
                        Some(Dialog::Error { title: format!("Could not open {name}"), lines: e.diagnostics() });
                }
                None => {
                    self.dialog =
                        Some(Dialog::Error { title: format!("No bundled scenario {name}"), lines: Vec::new() });
                }
            },
            PendingAction::OpenPasted(parsed) => {
                let crate::scenario::Parsed { scenario, ignored } = *parsed;
                // Never saved: marked unsaved, so closing asks before losing it.
                let doc = Document { scenario, path: None, saved: Scenario::default() };
                self.replace_document(doc);
                if !ignored.is_empty() {
                    let n = ignored.len();
                    self.dialog = Some(Dialog::Notice {
                        title: "The pasted design is open, without what this version does not know".into(),
                        body: format!(
                            "It has {n} field{} this version of archsim does not know, perhaps from a newer \
                             version. {} left out; everything else is as pasted. Saving writes the design \
                             without {}.",
                            if n == 1 { "" } else { "s" },
                            if n == 1 { "It was" } else { "They were" },
                            if n == 1 { "it" } else { "them" },
                        ),
                        lines: ignored.iter().map(ToString::to_string).collect(),
                    });
                }
            }
            PendingAction::Close => {
                self.close_confirmed = true;
                ctx.send_viewport_cmd(ViewportCommand::Close);
            }
        }
    }

    /// Where file dialogs start: the document's folder, else the last one used.
    fn browse_folder(&self) -> PathBuf {
        start_folder(self.state.doc.path.as_deref(), self.state.prefs.last_folder.as_deref())
    }

    /// Opens a file; on failure shows every problem and keeps the document.
    fn open_path(&mut self, path: &Path) {
        match load_scenario(path) {
            Ok(s) => {
                self.remember_folder(path);
                self.replace_document(Document::clean(s, Some(path.to_path_buf())));
            }
            Err(e) => {
                self.dialog =
                    Some(Dialog::Error { title: format!("Could not open {}", path.display()), lines: e.diagnostics() });
            }
        }
    }

    fn remember_folder(&mut self, file: &Path) {
        if let Some(folder) = file.parent().filter(|f| !f.as_os_str().is_empty()) {
            self.state.prefs.last_folder = Some(folder.to_path_buf());
        }
    }

    /// Saves to the document's file, asking for one if it has none, then
    /// carries out `then` if it was saved.
    fn save_then(&mut self, ctx: &egui::Context, then: Option<PendingAction>) {
        match self.state.doc.path.clone() {
            Some(path) => self.write_then(ctx, &path, then),
            None => self.save_as_then(ctx, then),
        }
    }

    /// Asks where to save, then saves and carries out `then`; with no
    /// native dialog, the in-app browser asks and keeps `then` until answered.
    fn save_as_then(&mut self, ctx: &egui::Context, then: Option<PendingAction>) {
        let suggested = match &self.state.doc.path {
            Some(p) => p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            None => format!("{}.ron", slug(&self.state.doc.scenario.name)),
        };
        let folder = self.browse_folder();
        match self.files.pick_save(Some(&folder), &suggested) {
            FileAnswer::Picked(path) => self.write_then(ctx, &path, then),
            FileAnswer::Cancelled => self.not_saved(then),
            FileAnswer::Unavailable => {
                self.dialog = Some(Dialog::Browse {
                    purpose: BrowsePurpose::Save { then },
                    browser: Box::new(FileBrowser::save(folder, &suggested)),
                });
            }
        }
    }

    /// File › Export: asks where, then draws (`gui::exports`).
    fn export_as(&mut self, kind: super::exports::ExportKind) {
        let suggested = kind.suggested_name(&slug(&self.state.doc.scenario.name));
        let folder = self.browse_folder();
        match self.files.pick_export(Some(&folder), &suggested, kind.file_type()) {
            FileAnswer::Picked(path) => self.export_to(kind, path),
            FileAnswer::Cancelled => {}
            FileAnswer::Unavailable => {
                self.dialog = Some(Dialog::Browse {
                    purpose: BrowsePurpose::Export(kind),
                    browser: Box::new(FileBrowser::save(folder, &suggested)),
                });
            }
        }
    }

    fn export_to(&mut self, kind: super::exports::ExportKind, path: PathBuf) {
        use super::exports::{ExportKind, GifJob, export_now, with_extension};
        let path = with_extension(path, kind);
        let now = self.rt.now_s();
        let outcome = match (&self.rt.sim, kind) {
            (None, _) => Err("Nothing to export: the design does not run (see Problems)".to_string()),
            (Some(sim), ExportKind::Gif) => {
                let until = sim.now().as_secs();
                if until <= 0.0 {
                    Err("Nothing to export yet: run the simulation first, the film ends where it is".to_string())
                } else {
                    self.gif_job = Some(GifJob::start(sim.scenario().clone(), until, path.clone()));
                    Ok(format!("Exporting the run to {}…", path.display()))
                }
            }
            (Some(sim), _) => export_now(kind, sim, &path),
        };
        match outcome {
            Ok(text) => self.rt.alerts.push(Severity::Info, now, None, text, 1),
            Err(text) => self.rt.alerts.push(Severity::Warning, now, None, text, 1),
        }
    }

    /// Once a frame: writes the GIF when its thread is done.
    fn poll_gif_job(&mut self, ctx: &egui::Context) {
        let Some(outcome) = self.gif_job.as_ref().map(super::exports::GifJob::poll) else { return };
        let now = self.rt.now_s();
        match outcome {
            None => ctx.request_repaint_after(std::time::Duration::from_millis(200)),
            Some(Ok(text)) => {
                self.gif_job = None;
                self.rt.alerts.push(Severity::Info, now, None, text, 1);
            }
            Some(Err(text)) => {
                self.gif_job = None;
                self.rt.alerts.push(Severity::Warning, now, None, text, 1);
            }
        }
    }

    fn write_then(&mut self, ctx: &egui::Context, path: &Path, then: Option<PendingAction>) {
        if self.write_to(path)
            && let Some(action) = then
        {
            self.perform(ctx, action);
        }
    }

    /// The user cancelled a save that an action waited on: the action is
    /// not done, and the event log says so.
    fn not_saved(&mut self, then: Option<PendingAction>) {
        if let Some(action) = then {
            let now = self.rt.now_s();
            self.rt.alerts.push(Severity::Info, now, None, action.not_done_note().into(), 1);
        }
    }

    fn write_to(&mut self, path: &Path) -> bool {
        let text = to_ron_string(&self.state.doc.scenario);
        match std::fs::write(path, text) {
            Ok(()) => {
                self.state.doc.path = Some(path.to_path_buf());
                self.state.doc.saved = self.state.doc.scenario.clone();
                self.remember_folder(path);
                self.autosave.mark(self.clock.now_s());
                true
            }
            Err(e) => {
                self.dialog = Some(Dialog::Error {
                    title: format!("Could not save {}", path.display()),
                    lines: vec![e.to_string()],
                });
                false
            }
        }
    }

    fn answer_dialog(&mut self, ctx: &egui::Context, answer: DialogAnswer) {
        let dialog = self.dialog.take();
        match answer {
            DialogAnswer::Dismiss => {
                if let Some(Dialog::Browse { purpose: BrowsePurpose::Save { then }, .. }) = dialog {
                    self.not_saved(then);
                }
            }
            DialogAnswer::Chosen(path) => match dialog {
                Some(Dialog::Browse { purpose: BrowsePurpose::Open, .. }) => self.open_path(&path),
                Some(Dialog::Browse { purpose: BrowsePurpose::Baseline, .. }) => self.compare_with_file(ctx, &path),
                Some(Dialog::Browse { purpose: BrowsePurpose::Save { then }, .. }) => {
                    self.write_then(ctx, &path, then);
                }
                Some(Dialog::Browse { purpose: BrowsePurpose::Export(kind), .. }) => self.export_to(kind, path),
                _ => {}
            },
            DialogAnswer::SaveThen(action) => self.save_then(ctx, Some(action)),
            DialogAnswer::DiscardThen(action) => {
                if action == PendingAction::Close {
                    // What the next start shows is what was saved, not the
                    // changes the user just threw away.
                    self.exit_doc = Some(self.state.doc.discarded());
                    self.autosave.mark(self.clock.now_s());
                    self.write_recovery();
                }
                // New and Open replace the document, which writes the
                // recovery file at once.
                self.perform(ctx, action);
            }
        }
    }

    // ----- autosave and shutdown -------------------------------------------

    /// Writes the recovery file now if anything changed since the last write.
    fn write_recovery(&mut self) {
        if !self.autosave.pending() {
            return;
        }
        let doc = self.exit_doc.as_ref().unwrap_or(&self.state.doc);
        match self.autosave.write(doc, self.clock.now_s()) {
            Ok(()) => self.autosave_failing = false,
            Err(e) => {
                if !self.autosave_failing {
                    let now = self.rt.now_s();
                    self.rt.alerts.push(Severity::Warning, now, None, format!("Autosave failed: {e}"), 1);
                }
                self.autosave_failing = true;
            }
        }
    }

    /// Once a frame: the autosave when due (and a wake-up for it, since an
    /// idle window runs no frames), and the close after a signal.
    fn autosave_and_shutdown(&mut self, ctx: &egui::Context, now: f64) {
        if self.shutdown.is_raised() && !self.shutting_down {
            self.shutting_down = true;
            self.write_recovery();
            // The unsaved changes are in the recovery file: no question.
            self.close_confirmed = true;
            ctx.send_viewport_cmd(ViewportCommand::Close);
            return;
        }
        match self.autosave.due_in(now) {
            Some(wait) if wait <= 0.0 => self.write_recovery(),
            Some(wait) => ctx.request_repaint_after(Duration::from_secs_f64(wait)),
            None => {}
        }
    }

    /// The state eframe persists: the working one, unless "Don't save"
    /// closed the window.
    fn persisted_state(&self) -> std::borrow::Cow<'_, State> {
        match &self.exit_doc {
            Some(doc) => std::borrow::Cow::Owned(State { doc: doc.clone(), prefs: self.state.prefs.clone() }),
            None => std::borrow::Cow::Borrowed(&self.state),
        }
    }

    // ----- per-frame helpers -----------------------------------------------

    fn shortcuts(&mut self, ctx: &egui::Context) {
        let typing = ctx.text_edit_focused();
        let mut c = Vec::new();
        ctx.input_mut(|i| {
            let mut on = |s: &egui::KeyboardShortcut, cmd: Command| {
                if i.consume_shortcut(s) {
                    c.push(cmd);
                }
            };
            on(&keys::SAVE_AS, Command::SaveAs);
            on(&keys::SAVE, Command::Save);
            on(&keys::OPEN, Command::Open);
            on(&keys::NEW, Command::New);
            on(&keys::REDO, Command::Redo);
            on(&keys::REDO_ALT, Command::Redo);
            on(&keys::RESET, Command::Reset);
            on(&keys::THEME, Command::ToggleTheme);
            on(&keys::QUIT, Command::Quit);
            on(&keys::PRESENTER, Command::TogglePresenter);
            on(&keys::FRAME_TIME, Command::ToggleFrameTime);
            if !typing {
                // Text fields keep their own undo, select-all and keys.
                on(&keys::UNDO, Command::Undo);
                on(&keys::SELECT_ALL, Command::SelectAll);
                on(&keys::PLAY_PAUSE, Command::TogglePlay);
                on(&keys::STEP, Command::Step);
                on(&keys::DELETE, Command::DeleteSelection);
                on(&keys::BACKSPACE, Command::DeleteSelection);
                on(&keys::FIT, Command::FitView);
                on(&keys::TIDY, Command::TidyLayout);
            }
        });
        if !typing && !self.state.doc.scenario.cues.is_empty() && fire_keys_pressed(ctx) {
            c.push(Command::FireCue);
        }
        self.commands.extend(c);
    }

    /// After Paste design: the clipboard's text, when its paste event comes,
    /// opened as a design (asking about unsaved changes first), or its
    /// problems shown with the current design kept.
    fn take_pasted_design(&mut self, ctx: &egui::Context) {
        if self.paste_frames_left == 0 {
            return;
        }
        self.paste_frames_left -= 1;
        let pasted = ctx.input(|i| {
            i.events.iter().find_map(|e| match e {
                egui::Event::Paste(text) => Some(text.clone()),
                _ => None,
            })
        });
        let Some(text) = pasted else {
            if self.paste_frames_left == 0 {
                self.rt.alerts.push(Severity::Warning, self.rt.now_s(), None, "the clipboard holds no text".into(), 1);
            } else {
                ctx.request_repaint();
            }
            return;
        };
        self.paste_frames_left = 0;
        match crate::scenario::parse_scenario_with(&text, "<clipboard>", crate::scenario::UnknownFields::Ignore) {
            Ok(parsed) => self.request(ctx, PendingAction::OpenPasted(Box::new(parsed))),
            Err(e) => {
                self.dialog = Some(Dialog::Error {
                    title: "The clipboard does not hold a valid design; yours is kept".into(),
                    lines: e.diagnostics(),
                });
            }
        }
    }

    fn dropped_files(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw.dropped_files.iter().map(|f| f.path().to_path_buf()).filter(|p| !p.as_os_str().is_empty()).collect()
        });
        if let Some(p) = dropped.into_iter().next() {
            self.commands.push(Command::OpenPath(p));
        }
    }

    fn toolbar_input(&self) -> ToolbarInput<'_> {
        let doc = &self.state.doc.scenario;
        ToolbarInput {
            prefs: &self.state.prefs,
            running: self.rt.is_running(),
            can_run: self.rt.sim.is_some(),
            now_s: self.rt.now_s(),
            seed: doc.seed,
            can_undo: self.undoer.has_undo(doc),
            can_redo: self.undoer.has_redo(doc),
            clients: doc.nodes.iter().filter(|n| matches!(n.kind, NodeKind::Client(_))).map(|n| n.id.clone()).collect(),
            lagging: if self.rt.is_running() { self.rt.pacer.lagging(self.state.prefs.speed) } else { None },
            achieved: self.rt.pacer.achieved(),
            frame_readout: self
                .state
                .prefs
                .show_frame_time
                .then(|| (self.frame_stats.readout(), self.frame_stats.details())),
            cost: self.rt.sim.as_ref().map(|_| (self.rt.live.cost_per_hour, self.rt.live.illustrative_prices)),
            pending: self.rt.pending.len(),
            dirty: self.state.doc.is_dirty(),
            ramp_running: self.ramp.as_ref().is_some_and(RampView::is_running),
            selected_node: self.selection.single_node().map(str::to_string),
            compare: self.compare.menu(&self.state.doc),
            metrics_at: self.metrics.as_ref().map(|m| format!("http://{}/metrics", m.addr())),
        }
    }

    /// The bottom panel: the live plots side by side, the events and the
    /// verdict beside them.
    fn bottom_panel_ui(&mut self, ui: &mut Ui) {
        let mut commands = Vec::new();
        egui::Panel::right("side-log").resizable(true).default_size(330.0).min_size(220.0).show(ui, |ui| {
            self.log_tabs_ui(ui, &mut commands);
        });
        egui::CentralPanel::default_margins().show(ui, |ui| self.live_plots_ui(ui, false));
        self.commands.extend(commands);
    }

    /// Presenter mode's plots and log, beside the canvas on `side`: what a
    /// room watches while the canvas shows where it happens. Their own
    /// panel ids, so the normal layout's sizes are untouched.
    fn presenter_panels_ui(&mut self, ui: &mut Ui, side: PlotsSide) {
        let mut commands = Vec::new();
        let window = ui.available_size();
        match side {
            PlotsSide::Right => {
                let width = presenter::column_width(window.x);
                egui::Panel::right("presenter-column").resizable(true).default_size(width).min_size(300.0).show(
                    ui,
                    |ui| {
                        let log_height = (ui.available_height() * 0.3).max(140.0);
                        egui::Panel::bottom("presenter-column-log")
                            .resizable(true)
                            .default_size(log_height)
                            .min_size(120.0)
                            .show(ui, |ui| self.log_tabs_ui(ui, &mut commands));
                        egui::CentralPanel::default_margins().show(ui, |ui| self.live_plots_ui(ui, true));
                    },
                );
            }
            PlotsSide::Bottom => {
                let height = presenter::strip_height(window.y);
                egui::Panel::bottom("presenter-strip").resizable(true).default_size(height).min_size(200.0).show(
                    ui,
                    |ui| {
                        let log_width = (ui.available_width() * 0.25).max(330.0);
                        egui::Panel::right("presenter-strip-log")
                            .resizable(true)
                            .default_size(log_width)
                            .min_size(220.0)
                            .show(ui, |ui| self.log_tabs_ui(ui, &mut commands));
                        egui::CentralPanel::default_margins().show(ui, |ui| self.live_plots_ui(ui, false));
                    },
                );
            }
        }
        self.commands.extend(commands);
    }

    /// The events and verdict tabs.
    fn log_tabs_ui(&mut self, ui: &mut Ui, commands: &mut Vec<Command>) {
        tour::mark_anchor(ui.ctx(), Anchor::SideLog, ui.max_rect());
        ui.horizontal(|ui| {
            let events = format!("Events ({})", self.rt.alerts.len());
            ui.selectable_value(&mut self.side_tab, SideTab::Events, events);
            let verdict = if self.rt.verdict.is_some() { "Verdict •" } else { "Verdict" };
            ui.selectable_value(&mut self.side_tab, SideTab::Verdict, verdict);
            if self.state.doc.scenario.challenge.is_some() {
                let label = if self.challenge.evaluation().is_some() { "Challenge •" } else { "Challenge" };
                ui.selectable_value(&mut self.side_tab, SideTab::Challenge, label);
            }
            ui.selectable_value(&mut self.side_tab, SideTab::Traces, "Traces");
        });
        ui.separator();
        match self.side_tab {
            SideTab::Events => event_log_ui(ui, &self.rt.alerts, commands),
            SideTab::Verdict => verdict_ui(ui, self.rt.verdict.as_ref(), commands),
            SideTab::Challenge => {
                challenge_ui(ui, &self.state.doc.scenario, &self.challenge, &self.state.prefs.challenges, commands);
            }
            SideTab::Traces => {
                // Tracing starts when the tab is first shown (and after a
                // rewind to before that).
                self.rt.tracing = true;
                if let Some(sim) = self.rt.sim.as_mut() {
                    sim.enable_tracing();
                }
                let node = self.selection.single_node().and_then(|id| self.rt.sim_node(id));
                traces_ui(ui, self.rt.sim.as_ref(), node, &mut self.trace_choice);
            }
        }
    }

    /// The live plots, or why there are none; `stacked` one under the other.
    fn live_plots_ui(&mut self, ui: &mut Ui, stacked: bool) {
        tour::mark_anchor(ui.ctx(), Anchor::Plots, ui.max_rect());
        let selected = self.selection.single_node().map(str::to_string);
        let sim_node = selected.as_deref().and_then(|id| self.rt.sim_node(id));
        match &self.rt.sim {
            Some(sim) => {
                if let Some(status) = self.rt.history.status(sim.now()) {
                    rewind_ui(ui, &mut self.rewind_view, &status, sim.now().as_secs(), &mut self.commands);
                }
                let mut data = plot_data(sim, self.state.prefs.plot_window_s, sim_node);
                data.references
                    .extend(self.rt.history.first_run.as_ref().map(|s| ReferenceTrace::first_run(s, data.span)));
                if let Some(label) = self.compare.overlay_label() {
                    overlay_row_ui(ui, label, &mut self.commands);
                }
                data.references.extend(self.compare.overlay_trace(data.span));
                let prefs = &mut self.state.prefs;
                let latency_clicked = plots_ui(
                    ui,
                    &data,
                    PlotOptions {
                        log_latency: &mut prefs.latency_log_scale,
                        window_s: &mut prefs.plot_window_s,
                        node_name: selected.as_deref().filter(|_| sim_node.is_some()),
                        now: self.rt.live.end_to_end.as_ref(),
                        stacked,
                    },
                );
                if let Some(t_s) = latency_clicked {
                    self.commands.push(Command::ShowTraceAt(t_s));
                }
            }
            None if self.state.doc.scenario.nodes.is_empty() => {
                ui.weak("Add a client and what it calls: the plots fill as soon as it runs.");
            }
            None => {
                ui.weak("No simulation: the scenario has problems (see the inspector).");
            }
        }
    }

    /// Presenter mode on or off. On, the canvas view is put aside and the
    /// topology fitted into the larger canvas; off, that view comes back as
    /// it was, and so do the panels (egui keeps their sizes).
    fn set_presenter(&mut self, on: bool) {
        if on == self.state.prefs.presenter {
            return;
        }
        self.state.prefs.presenter = on;
        self.presenter_side = None;
        if on {
            self.canvas.remember_view_and_fit();
        } else {
            self.canvas.restore_view();
        }
    }

    fn sync_window(&mut self, ctx: &egui::Context) {
        let title = self.state.doc.window_title();
        if title != self.sent_title {
            ctx.send_viewport_cmd(ViewportCommand::Title(title.clone()));
            self.sent_title = title;
        }
        let look = (self.state.prefs.theme, self.state.prefs.presenter);
        if self.applied_theme != Some(look) {
            theme::apply(ctx, look.0, look.1);
            self.applied_theme = Some(look);
            ctx.request_repaint();
        }
        if self.size_to_monitor
            && let Some(monitor) = ctx.input(|i| i.viewport().monitor_size)
        {
            self.size_to_monitor = false;
            let (pos, size) = placement::first_placement(monitor);
            ctx.send_viewport_cmd(ViewportCommand::InnerSize(size));
            ctx.send_viewport_cmd(ViewportCommand::OuterPosition(pos));
        }
        self.state.prefs.ui_zoom = ctx.zoom_factor();
    }
}

/// A file-name friendly version of a scenario name.
fn slug(name: &str) -> String {
    let s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let s = s.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    if s.is_empty() { "scenario".into() } else { s }
}

impl eframe::App for ArchsimApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        let now = self.clock.now_s();
        let wall_dt = self.last_frame_s.map_or(0.0, |last| (now - last).max(0.0));
        self.last_frame_s = Some(now);

        self.autosave_and_shutdown(ctx, now);
        self.poll_gif_job(ctx);
        if ctx.input(|i| i.viewport().close_requested()) && self.state.doc.is_dirty() && !self.close_confirmed {
            ctx.send_viewport_cmd(ViewportCommand::CancelClose);
            self.dialog = Some(Dialog::Unsaved { name: self.state.doc.display_name(), then: PendingAction::Close });
        }
        if self.dialog.is_none() {
            // Not while a dialog waits: a drop would replace it and lose
            // the action it carries.
            self.dropped_files(ctx);
            self.take_pasted_design(ctx);
        }

        // At "max" with the engine on its own thread, frames are spaced out
        // (the engine runs meanwhile): every frame drawn takes CPU from it.
        if let Some(period) = self.rt.frame_period(self.state.prefs.speed)
            && let Some(last) = self.frame_started
        {
            std::thread::sleep(period.saturating_sub(last.elapsed()));
        }
        self.frame_started = Some(Instant::now());
        let started = Instant::now();
        if let Err(e) = self.rt.bring_home() {
            self.rt.rebuild(&self.state.doc.scenario);
            self.rt.alerts.push(Severity::Error, 0.0, None, e.to_string(), 1);
        }
        self.follow_run_with_cues();
        // A cue let run fires at its time (the engine was held there). Not
        // while the run follows the first one after a jump back: the first
        // run's firings are made again at their times, and a cue fired here
        // would fork the run.
        let now_sim = self.rt.sim.as_ref().map(crate::sim::Simulation::now);
        if self.rt.is_running()
            && !self.rt.history.is_following()
            && now_sim.is_some_and(|t| self.cues.due(&self.state.doc.scenario.cues, t))
        {
            self.fire_cue(ctx);
        }
        self.rt.hold_at = self.cue_hold();
        self.rt.frame(wall_dt, self.state.prefs.speed, self.clock.as_ref());
        self.sim_work_ms = started.elapsed().as_secs_f32() * 1000.0;
        if self.rt.is_running() {
            ctx.request_repaint();
        }
        let time = ctx.input(|i| i.time);
        self.undoer.feed_state(time, &self.state.doc.scenario);
        if self.challenge.poll(&mut self.state.prefs.challenges, today).is_some() {
            self.side_tab = SideTab::Challenge;
        }
        if self.challenge.is_running() {
            ctx.request_repaint();
        }
        self.publish_metrics(now);
    }

    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        let ui_started = Instant::now();
        let ctx = ui.ctx().clone();
        if self.dialog.is_none() {
            self.shortcuts(&ctx);
        }
        let mut commands = std::mem::take(&mut self.commands);
        let presenter = self.state.prefs.presenter;

        egui::Panel::top("toolbar").show(ui, |ui| {
            let input = self.toolbar_input();
            menu_bar_ui(ui, &input, &mut commands);
            let mut factor = self.state.prefs.spike_factor;
            let mut secs = self.state.prefs.spike_secs;
            let mut client = self.spike_client.clone();
            run_controls_ui(
                ui,
                &input,
                SpikeChoice { client: &mut client, factor: &mut factor, secs: &mut secs },
                &mut commands,
            );
            self.state.prefs.spike_factor = factor;
            self.state.prefs.spike_secs = secs;
            self.spike_client = client;
        });
        if !self.state.doc.scenario.cues.is_empty() {
            egui::Panel::top("cues").show(ui, |ui| {
                cue_bar_ui(ui, &self.state.doc.scenario.cues, &self.cues, presenter, &mut commands);
            });
        }
        if presenter {
            // A big canvas for a projector, the plots and the log beside it;
            // the editing panels (palette, inspector) are hidden.
            let window = ui.available_size();
            let scenario = &self.state.doc.scenario;
            let side =
                *self.presenter_side.get_or_insert_with(|| presenter::plots_side(topology_rect(scenario), window));
            self.presenter_panels_ui(ui, side);
        }
        if !presenter && self.state.prefs.bottom_panel {
            egui::Panel::bottom("bottom").resizable(true).default_size(230.0).min_size(140.0).show(ui, |ui| {
                self.bottom_panel_ui(ui);
            });
        }
        if !presenter && self.state.prefs.left_panel {
            egui::Panel::left("left").resizable(true).default_size(190.0).min_size(150.0).show(ui, |ui| {
                left_panel_ui(ui, &self.state.doc.scenario.name, &mut commands);
            });
        }
        if !presenter && self.state.prefs.right_panel {
            egui::Panel::right("right").resizable(true).default_size(300.0).min_size(220.0).show(ui, |ui| {
                let input = InspectorInput {
                    scenario: &self.state.doc.scenario,
                    selection: &self.selection,
                    rt: &self.rt,
                    problems: &self.problems,
                };
                inspector_ui(ui, &input, &mut commands);
            });
        }
        egui::CentralPanel::no_frame().show(ui, |ui| {
            tour::mark_anchor(ui.ctx(), Anchor::Canvas, ui.max_rect());
            let input = CanvasInput {
                scenario: &self.state.doc.scenario,
                rt: &self.rt,
                selection: &self.selection,
                node_problems: &self.problems.nodes,
                spike: (self.state.prefs.spike_factor, self.state.prefs.spike_secs),
            };
            canvas_ui(ui, &mut self.canvas, &input, &mut commands);
            if ctx.input(|i| !i.raw.hovered_files.is_empty()) {
                let rect = ui.max_rect();
                egui::Area::new(egui::Id::unique("drop-hint"))
                    .order(egui::Order::Foreground)
                    .fixed_pos(rect.min)
                    .interactable(false)
                    .show(&ctx, |ui| {
                        ui.painter().rect_filled(rect, 0.0, egui::Color32::from_black_alpha(150));
                        ui.painter().text(
                            rect.center(),
                            egui::Align2::CENTER_CENTER,
                            "Drop a .ron scenario to open it",
                            egui::FontId::proportional(24.0),
                            egui::Color32::WHITE,
                        );
                    });
            }
        });

        let mut verdict_commands = Vec::new();
        challenge_window_ui(&ctx, &mut self.challenge, &mut verdict_commands);
        self.commands.extend(verdict_commands);
        // A closed window cancels its ramp; the view stays (drawing
        // nothing) until the thread has stopped, so no second one starts.
        if let Some(view) = &mut self.ramp
            && !ramp_window_ui(&ctx, view)
        {
            view.close();
            if view.is_finished_and_closed() {
                self.ramp = None;
            } else {
                ctx.request_repaint_after(std::time::Duration::from_millis(50));
            }
        }
        // As the ramp's: a closed window cancels its sweep, and the view
        // stays until the thread has stopped.
        if let Some(view) = &mut self.sweep
            && !sweep_window_ui(&ctx, view, &self.state.doc.scenario, &mut commands)
        {
            view.close();
            if view.is_finished_and_closed(&self.state.doc.scenario) {
                self.sweep = None;
            } else {
                ctx.request_repaint_after(std::time::Duration::from_millis(50));
            }
        }
        compare_window_ui(&ctx, &mut self.compare, &mut commands);
        if let Some(dialog) = &mut self.dialog
            && let Some(answer) = dialog_ui(&ctx, dialog)
        {
            self.answer_dialog(&ctx, answer);
        }
        // Out of the way of a dialog, which has the keyboard and Escape.
        if self.dialog.is_none()
            && let Some(tour) = &mut self.tour
        {
            let input = TourInput::of(&ctx, &self.state.doc.scenario, &self.canvas, self.rt.is_running(), presenter);
            tour_ui(&ctx, tour, &input, &mut commands);
        }

        self.commands.extend(commands);
        self.apply_all(&ctx);
        self.sync_window(&ctx);

        let now = Instant::now();
        let interval_ms = self.last_frame_instant.map_or(0.0, |t| now.duration_since(t).as_secs_f32() * 1000.0);
        self.last_frame_instant = Some(now);
        let ui_ms = ui_started.elapsed().as_secs_f32() * 1000.0;
        self.frame_stats.record(interval_ms, self.sim_work_ms, ui_ms, self.rt.last_work.events);
        // Last: the engine runs on its own core while this frame is drawn.
        self.rt.send_away(self.state.prefs.speed);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &*self.persisted_state());
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.write_recovery();
        if let Some(path) = &self.frame_log
            && let Err(e) = std::fs::write(path, self.frame_stats.session_report())
        {
            eprintln!("archsim: cannot write the frame log {}: {e}", path.display());
        }
    }
}
