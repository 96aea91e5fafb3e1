//! Everything the UI can ask for. Widgets push commands; the app applies
//! them in one place ([`super::app::ArchsimApp::apply`]), which is also
//! where undo points are taken and where edits reach the running engine.

use std::path::PathBuf;

use eframe::egui::{Pos2, Vec2};

use super::compare_view::BaselineChoice;
use super::pacer::Speed;
use super::selection::Selection;
use crate::scenario::{EdgeSpec, FaultSpec, NodeKind, Scenario};

/// Scenario-wide settings edited in the inspector when nothing is selected.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioSettings {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub duration_s: f64,
    pub warmup_s: f64,
    pub window_s: f64,
}

impl ScenarioSettings {
    pub fn of(s: &Scenario) -> Self {
        Self {
            name: s.name.clone(),
            description: s.description.clone(),
            seed: s.seed,
            duration_s: s.duration_s,
            warmup_s: s.warmup_s,
            window_s: s.window_s,
        }
    }

    pub fn apply_to(&self, s: &mut Scenario) {
        s.name.clone_from(&self.name);
        s.description.clone_from(&self.description);
        s.seed = self.seed;
        s.duration_s = self.duration_s;
        s.warmup_s = self.warmup_s;
        s.window_s = self.window_s;
    }
}

/// A fault the node's context menu injects into the running simulation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LiveFault {
    Crash,
    Restore,
    /// Work takes this many times longer (1 = normal).
    Slow(f64),
    /// Extra chance of failing each request (0 = off).
    ErrorRate(f64),
    FlushCache,
}

/// One request from the UI.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    // --- Document edits (each one is an undo step, unless `continuous`)
    AddNode {
        kind: NodeKind,
        pos_in_canvas: Option<Pos2>,
    },
    /// Moves nodes while dragging: many per gesture, grouped into one undo step.
    MoveNodes {
        ids: Vec<String>,
        delta_in_canvas: Vec2,
    },
    Connect {
        from: String,
        to: String,
    },
    DeleteSelection,
    DeleteNode(String),
    DeleteEdge(usize),
    /// New parameters for the node at this index; `continuous` while a
    /// value is being dragged.
    SetNodeKind {
        index: usize,
        kind: NodeKind,
        continuous: bool,
    },
    /// Places the node at this index in a zone, or a region only, or nowhere.
    SetPlacement {
        index: usize,
        zone: Option<String>,
        region: Option<String>,
    },
    /// Declares a region of this name with three availability zones.
    AddRegion(String),
    RenameNode {
        index: usize,
        new_id: String,
    },
    SetEdge {
        index: usize,
        edge: EdgeSpec,
        continuous: bool,
    },
    SetSettings {
        settings: ScenarioSettings,
        continuous: bool,
    },
    SetSeed(u64),
    RemoveFault(usize),
    /// Adds an entry to the fault timeline (applies at the next reset).
    AddFault(FaultSpec),
    /// Replaces an entry of the fault timeline.
    SetFault {
        index: usize,
        fault: FaultSpec,
        continuous: bool,
    },

    // --- Selection and view
    Select(Selection),
    /// Adds a node to the selection or removes it (shift-click).
    ToggleNode(String),
    SelectAll,
    /// Selects a node and scrolls the canvas to it.
    FocusNode(String),
    FitView,
    /// Lays the topology out in layers, callers left of callees (an undo step).
    TidyLayout,

    // --- History
    Undo,
    Redo,

    // --- Simulation
    Play,
    Pause,
    TogglePlay,
    Step,
    Reset,
    /// Reset, then play: "run again, same setup".
    RunAgain,
    SetSpeed(Speed),
    Spike {
        client: String,
        factor: f64,
        secs: f64,
    },
    Fault {
        node: String,
        fault: LiveFault,
    },
    /// The rewind scrubber: go to this simulated second (back from the
    /// nearest snapshot, or on along the first run) and pause there.
    RewindTo(f64),
    /// Stop drawing the first run's faint trace after a fork.
    ForgetFirstRun,
    /// The snapshots' memory budget, bytes.
    SetSnapshotBudget(usize),
    /// Simulation › Ramp to 100×: the load ramp of the document, on a
    /// thread of its own, in a window.
    RampTo100,
    /// Simulation › Sweep…, or Sweep… in a node's inspector: the sweep
    /// dialog on this node (or the first client).
    OpenSweep(Option<String>),
    /// The sweep dialog's Run sweep: this sweep of the document, on a
    /// thread of its own (ignored while one runs).
    StartSweep(Box<crate::study::sweep::SweepSpec>),
    CancelSweep,
    /// Simulation › Pin as baseline A: keep the design as it is now as A.
    PinBaseline,
    /// Simulation › Compare with…: the design (B) against this A on common
    /// random numbers, on a thread of its own, in a window.
    CompareWith(BaselineChoice),
    /// The comparison window's Run again: the same A, the design as it is.
    RerunComparison,
    /// Pairs of runs the next comparison makes.
    SetCompareReplications(usize),
    CancelCompare,
    /// Stop drawing A's run faint on the plots.
    DropCompareOverlay,
    /// The Challenge tab's Evaluate: grade the document on a thread.
    EvaluateChallenge,
    CancelChallenge,
    /// Show the next hint of the evaluated challenge.
    RevealHint,
    /// Instructor mode: fire the scenario's next cue.
    FireCue,
    /// Open the last evaluation's verdict window again.
    ShowChallengeVerdict,
    /// Show the slowest request of the window at this simulated second in
    /// the Traces tab (a click on the latency plot).
    ShowTraceAt(f64),
    /// Instructor mode: let cues with a time fire at it (or wait for N).
    SetCuesRun(bool),

    // --- Files
    /// Edit › Copy design: the scenario as RON text on the clipboard.
    CopyDesign,
    /// Edit › Paste design: open the design on the clipboard (validated
    /// like a file; the current one is kept if it is not valid).
    PasteDesign,
    New,
    Open,
    OpenPath(PathBuf),
    OpenBundled(&'static str),
    Save,
    SaveAs,
    /// File › Export: the plots, the canvas or the run as a picture (`gui::exports`).
    Export(super::exports::ExportKind),
    Quit,

    // --- Look
    ToggleTheme,
    ZoomIn,
    ZoomOut,
    ZoomReset,
    TogglePresenter,
    ToggleFrameTime,
    /// View › Serve /metrics: start or stop the loopback Prometheus endpoint.
    ToggleMetricsServer,
    TogglePanel(Panel),
    /// Pause when the run reaches the scenario's duration, or run on.
    TogglePauseAtEnd,

    // --- Help
    /// Open the tour at its first step (Help ▸ Show the tour).
    ShowTour,
    /// Close the tour (Skip, Done, Escape); it does not show at start again.
    CloseTour,
}

/// The docked panels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    Left,
    Right,
    Bottom,
}
