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
mod autosave;
mod background;
pub mod canvas;
mod challenge_view;
mod clock;
mod command;
mod compare_view;
mod cues;
mod dialogs;
mod edits;
mod event_log;
mod exports;
mod file_browser;
mod file_dialog;
mod format;
mod frame_stats;
mod inspector;
mod job;
mod layout;
pub mod live;
mod metrics_server;
mod pacer;
mod palette;
mod placement;
mod plots;
mod presenter;
mod problems;
mod ramp_view;
mod rewind_view;
mod runtime;
mod selection;
mod shortcuts;
mod shutdown;
mod state;
mod sweep_view;
mod theme;
mod toolbar;
mod tour;
mod trace_view;
mod verdict;

pub use alerts::{Alert, AlertLog, Severity};
pub use app::{AppConfig, ArchsimApp, InitialDocument};
pub use autosave::{AUTOSAVE_AFTER_S, read_recovery};
pub use challenge_view::{ChallengeRecord, ChallengeRecords};
pub use clock::{Clock, ManualClock, SystemClock};
pub use command::{Command, LiveFault, Panel, ScenarioSettings};
pub use compare_view::{
    Baseline, BaselineChoice, BaselineSource, CompareSession, DEFAULT_REPLICATIONS, app_spec, clock_time_utc,
};
pub use dialogs::{BrowsePurpose, Dialog, PendingAction};
pub use edits::{PALETTE, PaletteItem};
pub use exports::ExportKind;
pub use file_browser::{BrowseMode, Entry, FileBrowser};
pub use file_dialog::{FileAnswer, FileDialog, NativeFileDialog, ScriptedFileDialog};
pub use pacer::{EngineThread, Pacer, PacerConfig, Speed};
pub use plots::{AlertShade, PlotData, plot_data};
pub use ramp_view::{RAMP_TO, RampView, knee_sentence, menu_spec};
pub use runtime::{HistoryStatus, PendingKey, RewindError, RunHistory, RunState, Runtime};
pub use selection::Selection;
pub use shutdown::ShutdownFlag;
pub use state::{Document, Prefs, State};
pub use sweep_view::{DEFAULT_REPLICATIONS as SWEEP_REPLICATIONS, SweepView, theory_for, theory_note};
pub use theme::ThemeChoice;
pub use tour::TOUR_STEPS;
pub use trace_view::{TraceChoice, window_ending_nearest};
pub use verdict::{Verdict, verdict};

use eframe::egui;

/// The app's icon, `assets/archsim.png` (made from `assets/archsim.svg`, the
/// one the Debian package installs), embedded so that the window has it
/// wherever the binary was copied to. eframe decodes it with the `image`
/// crate it already depends on.
const ICON_PNG: &[u8] = include_bytes!("../../assets/archsim.png");

/// The window icon decoded from [`ICON_PNG`].
fn window_icon() -> Result<egui::IconData, String> {
    eframe::icon_data::from_png_bytes(ICON_PNG).map_err(|e| e.to_string())
}

/// Opens the native window with the working document (the bundled
/// three-tier scenario on first start) loaded and running at 1×.
///
/// The environment can pick what opens: `ARCHSIM_OPEN=<file.ron or bundled
/// name>`, `ARCHSIM_SPEED=<factor or max>`, `ARCHSIM_FRAME_TIME=1` (show
/// the frame-time readout), `ARCHSIM_FRAME_LOG=<path>` (write a frame-time
/// summary on exit), `ARCHSIM_FILE_DIALOG=builtin` (the app's own file
/// browser instead of the platform's dialog), `ARCHSIM_TOUR=0` (no tour
/// on the first start; `ARCHSIM_TOUR=N` opens it at step N).
///
/// The working document is autosaved to `recovery.ron` in eframe's data
/// folder and restored from it; SIGTERM, SIGINT and SIGHUP save it and
/// close the window ([`shutdown`]).
pub fn run_app() -> Result<(), String> {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("archsim")
        .with_app_id("archsim")
        .with_inner_size([1280.0, 800.0])
        .with_min_inner_size([800.0, 500.0])
        .with_drag_and_drop(true);
    // A window without its icon is still the app: a PNG that would not
    // decode (it is checked by a test) costs the icon, never the start.
    if let Ok(icon) = window_icon() {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions { viewport, ..Default::default() };
    eframe::run_native(
        "archsim",
        options,
        Box::new(|cc| {
            let config = AppConfig::from_env();
            let ctx = cc.egui_ctx.clone();
            if let Err(e) = shutdown::listen_for_termination(config.shutdown.clone(), move || ctx.request_repaint()) {
                eprintln!(
                    "archsim: cannot listen for termination signals ({e}); a kill loses the last second of edits"
                );
            }
            Ok(Box::new(ArchsimApp::new(cc, config)) as Box<dyn eframe::App>)
        }),
    )
    .map_err(|e| format!("cannot open the window: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_embedded_icon_decodes_to_256_pixels_square() {
        let icon = super::window_icon().expect("assets/archsim.png is a PNG");
        assert_eq!((icon.width, icon.height), (256, 256));
        assert_eq!(icon.rgba.len(), 256 * 256 * 4);
    }
}
