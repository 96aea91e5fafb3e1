//! The desktop app: wire a topology on a canvas and watch it live.
//!
//! [`run_app`] opens the window. The app keeps a persisted [`State`] (the
//! scenario document and UI preferences) apart from the runtime (the
//! [`crate::sim::Simulation`], plots, animation). UI code emits
//! [`Command`]s that the app applies in one place, which also feeds undo.
//! The simulation advances in `App::logic` within a per-frame wall-time
//! budget ([`pacer`]); the [`Clock`] and [`FileDialog`] traits let tests
//! drive the app with simulated time and scripted dialogs.

mod alerts;
mod app;
pub mod canvas;
mod clock;
mod command;
mod dialogs;
mod edits;
mod event_log;
mod file_dialog;
mod format;
mod frame_stats;
mod inspector;
pub mod live;
mod pacer;
mod palette;
mod placement;
mod plots;
mod presenter;
mod problems;
mod runtime;
mod selection;
mod shortcuts;
mod state;
mod theme;
mod toolbar;
mod verdict;

pub use alerts::{Alert, AlertLog, Severity};
pub use app::{AppConfig, ArchsimApp, InitialDocument};
pub use clock::{Clock, ManualClock, SystemClock};
pub use command::{Command, LiveFault, Panel, ScenarioSettings};
pub use dialogs::{Dialog, PendingAction};
pub use edits::{PALETTE, PaletteItem};
pub use file_dialog::{FileDialog, NativeFileDialog, ScriptedFileDialog};
pub use pacer::{Pacer, PacerConfig, Speed};
pub use plots::{PlotData, plot_data};
pub use runtime::{PendingKey, Runtime};
pub use selection::Selection;
pub use state::{Document, Prefs, State};
pub use theme::ThemeChoice;
pub use verdict::{Verdict, verdict};

use eframe::egui;

/// Opens the native window with the working document (the bundled
/// three-tier scenario on first start) loaded and running at 1×.
///
/// The environment can pick what opens: `ARCHSIM_OPEN=<file.ron or bundled
/// name>`, `ARCHSIM_SPEED=<factor or max>`, `ARCHSIM_FRAME_TIME=1` (show
/// the frame-time readout), `ARCHSIM_FRAME_LOG=<path>` (write a frame-time
/// summary on exit).
pub fn run_app() -> Result<(), String> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("archsim")
            .with_app_id("archsim")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([800.0, 500.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "archsim",
        options,
        Box::new(|cc| Ok(Box::new(ArchsimApp::new(cc, AppConfig::from_env())) as Box<dyn eframe::App>)),
    )
    .map_err(|e| format!("cannot open the window: {e}"))
}
