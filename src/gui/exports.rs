//! File › Export: the app's simulation drawn by the same pure renderer as
//! `archsim export` (`crate::export`), written where the user chose.
//!
//! The plots and the canvas are drawn at once from the simulation as it is
//! (a few tens of milliseconds). The GIF needs the run's past, which the
//! app does not keep frame by frame, so it **re-runs the design from time
//! zero with its seed** up to the current simulated time, on a thread of
//! its own: the engine is deterministic, so the film shows the run the
//! user watched, and recording while running would have meant a hook in
//! the runtime's hot loop and memory for frames nobody may ask for. What a
//! re-run does not replay is a change made live (a fault injected from the
//! canvas, an edit applied while running): the film shows the design's own
//! timeline (docs/exports.md says so).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use crate::export::{CanvasOptions, ExportError, GifOptions, PlotOptions, canvas_png, plots_png, record_run};
use crate::scenario::Scenario;
use crate::sim::Simulation;

/// What File › Export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Plots,
    Canvas,
    Gif,
}

impl ExportKind {
    /// The file name suggested for the design `slug`.
    pub fn suggested_name(self, slug: &str) -> String {
        match self {
            ExportKind::Plots => format!("{slug}-plots.png"),
            ExportKind::Canvas => format!("{slug}-canvas.png"),
            ExportKind::Gif => format!("{slug}-run.gif"),
        }
    }

    /// The file type, for the dialog's filter: its name and extension.
    pub fn file_type(self) -> (&'static str, &'static str) {
        match self {
            ExportKind::Plots | ExportKind::Canvas => ("PNG image", "png"),
            ExportKind::Gif => ("GIF animation", "gif"),
        }
    }

    fn what(self) -> &'static str {
        match self {
            ExportKind::Plots => "the plots",
            ExportKind::Canvas => "the canvas",
            ExportKind::Gif => "the run",
        }
    }
}

/// `path` with the kind's extension when it has none, or has the `.ron`
/// the app's own file browser adds to a bare name (it saves designs).
pub fn with_extension(path: PathBuf, kind: ExportKind) -> PathBuf {
    match path.extension() {
        Some(ext) if !ext.eq_ignore_ascii_case("ron") => path,
        _ => path.with_extension(kind.file_type().1),
    }
}

/// Draws the plots or the canvas of `sim` and writes it to `path`; the
/// sentence for the event log, or why it failed.
pub fn export_now(kind: ExportKind, sim: &Simulation, path: &Path) -> Result<String, String> {
    let bytes = match kind {
        ExportKind::Plots => plots_png(sim, &PlotOptions::default()),
        ExportKind::Canvas => canvas_png(sim, &CanvasOptions::default()),
        ExportKind::Gif => return Err("a GIF is made on a thread: see start_gif".into()),
    }
    .map_err(|e| failed(kind, path, &e.to_string()))?;
    write(kind, path, &bytes)
}

fn write(kind: ExportKind, path: &Path, bytes: &[u8]) -> Result<String, String> {
    std::fs::write(path, bytes).map_err(|e| failed(kind, path, &e.to_string()))?;
    Ok(format!("Exported {} to {}", kind.what(), path.display()))
}

fn failed(kind: ExportKind, path: &Path, why: &str) -> String {
    format!("Could not export {} to {}: {why}", kind.what(), path.display())
}

/// A GIF being made on its thread.
pub struct GifJob {
    answer: Receiver<Result<Vec<u8>, ExportError>>,
    cancel: Arc<AtomicBool>,
    path: PathBuf,
}

impl GifJob {
    /// Starts filming `scenario` from time zero to `until_s` (the app's
    /// current simulated time).
    pub fn start(scenario: Scenario, until_s: f64, path: PathBuf) -> GifJob {
        let (tell, answer) = channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&cancel);
        std::thread::spawn(move || {
            let keep_going = || !stop.load(Ordering::Relaxed);
            // The app may have gone: nobody to tell then.
            let _ = tell.send(record_run(&scenario, until_s, &GifOptions::default(), &keep_going));
        });
        GifJob { answer, cancel, path }
    }

    /// The outcome once the film is written: the sentence for the event
    /// log (`Ok`) or why it failed (`Err`); `None` while it is being made.
    pub fn poll(&self) -> Option<Result<String, String>> {
        match self.answer.try_recv() {
            Ok(Ok(bytes)) => Some(write(ExportKind::Gif, &self.path, &bytes)),
            Ok(Err(e)) => Some(Err(failed(ExportKind::Gif, &self.path, &e.to_string()))),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err(failed(ExportKind::Gif, &self.path, "the export stopped"))),
        }
    }
}

impl Drop for GifJob {
    /// A job dropped unfinished (the app closing) stops filming.
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_extensions_follow_the_kind() {
        assert_eq!(ExportKind::Plots.suggested_name("shop"), "shop-plots.png");
        assert_eq!(ExportKind::Gif.suggested_name("shop"), "shop-run.gif");
        assert_eq!(with_extension(PathBuf::from("/tmp/film"), ExportKind::Gif), PathBuf::from("/tmp/film.gif"));
        assert_eq!(with_extension(PathBuf::from("/tmp/a.png"), ExportKind::Canvas), PathBuf::from("/tmp/a.png"));
        assert_eq!(with_extension(PathBuf::from("/tmp/a.ron"), ExportKind::Plots), PathBuf::from("/tmp/a.png"));
    }
}
