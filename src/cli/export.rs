//! `archsim export`: run a scenario headless and draw it (`crate::export`):
//! the plots and the canvas as PNG, the canvas through the run as a GIF.
//!
//! The output paths are checked before the run, so a mistyped directory
//! fails at once (exit 2) rather than after minutes of simulation.

use std::path::{Path, PathBuf};

use crate::challenge::evaluation_scenario;
use crate::export::{CanvasOptions, ExportError, GifOptions, GifRecorder, PlotOptions, canvas_png, plots_png};
use crate::sim::{SimTime, Simulation};

use super::output::to_stderr;
use super::run::run_to_end;
use super::source::load_named_scenario;
use super::{CliError, ExportArgs};

pub fn export_command(args: &ExportArgs) -> Result<(), CliError> {
    let design = load_named_scenario(&args.file)?;
    let mut scenario = evaluation_scenario(&design).unwrap_or(design);
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    if let Some(duration) = args.duration {
        scenario.duration_s = duration;
        scenario.warmup_s = scenario.warmup_s.min(duration / 10.0);
    }
    for path in [&args.plots, &args.canvas, &args.gif].into_iter().flatten() {
        check_output(path)?;
    }
    let mut sim = Simulation::new(&scenario).map_err(|e| CliError::BadInput(e.to_string()))?;
    let gif = if let Some(path) = &args.gif {
        let options = GifOptions { every_s: args.every, ..GifOptions::default() };
        let mut recorder = GifRecorder::new(options).map_err(export_error)?;
        for t in options.frame_times(scenario.duration_s) {
            sim.run_until(SimTime::from_secs(t));
            recorder.capture(&sim).map_err(export_error)?;
        }
        let frames = recorder.frames();
        Some((path, recorder.finish().map_err(export_error)?, frames, options))
    } else {
        run_to_end(&mut sim, scenario.duration_s);
        None
    };
    if let Some(path) = &args.plots {
        let options = PlotOptions::default();
        let png = plots_png(&sim, &options).map_err(export_error)?;
        write(path, &png, &format!("the plots ({}×{} PNG)", options.width, options.height))?;
    }
    if let Some(path) = &args.canvas {
        let options = CanvasOptions::default();
        let png = canvas_png(&sim, &options).map_err(export_error)?;
        write(path, &png, &format!("the canvas ({}×{} PNG)", options.width, options.height))?;
    }
    if let Some((path, bytes, frames, options)) = gif {
        write(path, &bytes, &format!("the run ({}×{} GIF, {frames} frames)", options.width, options.height))?;
    }
    Ok(())
}

/// A path a picture can be written to: not a directory, in a directory that exists.
fn check_output(path: &Path) -> Result<(), CliError> {
    if path.is_dir() {
        return Err(CliError::BadInput(format!(
            "{} is a directory; give a file name such as plots.png",
            path.display()
        )));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if parent.is_dir() {
        Ok(())
    } else {
        Err(CliError::BadInput(format!(
            "cannot write {}: the directory {} does not exist",
            path.display(),
            parent.display()
        )))
    }
}

fn write(path: &Path, bytes: &[u8], what: &str) -> Result<(), CliError> {
    std::fs::write(path, bytes).map_err(|e| CliError::io(format!("cannot write {what} to {}", path.display()), e))?;
    to_stderr(format_args!("wrote {what} to {}", path.display()));
    Ok(())
}

/// An empty run or a design that does not build is the input's fault (exit
/// 2); a failure to encode is ours (exit 1).
fn export_error(error: ExportError) -> CliError {
    match error {
        ExportError::Empty(_) | ExportError::Build(_) | ExportError::Size { .. } => {
            CliError::BadInput(error.to_string())
        }
        ExportError::Font | ExportError::Png(_) | ExportError::Gif(_) => CliError::Runtime(error.to_string()),
    }
}
