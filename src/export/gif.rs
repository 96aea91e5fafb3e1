//! A run's canvas as an animated GIF, for slides and chat: one frame every
//! few simulated seconds, each node tinted by its last closed window (the
//! app's live tint), down nodes red, and a caption with the clock and the
//! end-to-end throughput.
//!
//! Frames are drawn while the simulation runs ([`GifRecorder::capture`]
//! after each step) and encoded at once, so memory holds one frame's pixels
//! and the encoded bytes, never the whole film. The count is bounded
//! ([`MAX_FRAMES`]): a long run takes longer steps, not more frames.
//!
//! GIF rather than APNG or `WebM`: every chat tool, slide editor and browser
//! plays it, and the `gif` crate is small and pure Rust. Each frame gets its
//! own 256-colour palette (the `NeuQuant` quantiser `gif` uses), which keeps the
//! tints exact and the text smooth.

use crate::scenario::Scenario;
use crate::sim::{SimTime, Simulation};

use super::ExportError;
use super::canvas_png::{CanvasOptions, CanvasPicture, NodeShade, render_canvas};

/// Frames in one GIF at most.
pub const MAX_FRAMES: u32 = 200;
/// Frames when no step is given: a run of any length plays in about ten seconds.
pub const DEFAULT_FRAMES: u32 = 100;
/// `NeuQuant` sampling (1 best, 30 fastest): 10 is `gif`'s own default, sharp
/// enough for flat tints and text, a few milliseconds a frame.
const QUANTISE_SPEED: i32 = 10;

/// How the film is made.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GifOptions {
    pub width: u32,
    pub height: u32,
    /// Simulated seconds between frames (`None`: the run in [`DEFAULT_FRAMES`]).
    pub every_s: Option<f64>,
    /// How long each frame shows, milliseconds (rounded to GIF's 10 ms).
    pub frame_ms: u32,
}

impl Default for GifOptions {
    /// 960 × 540 (half of full HD: small enough for chat), ten frames a second.
    fn default() -> Self {
        GifOptions { width: 960, height: 540, every_s: None, frame_ms: 100 }
    }
}

impl GifOptions {
    /// The simulated times at which frames are taken over a run of
    /// `until_s` seconds: every `every_s` (or the run in
    /// [`DEFAULT_FRAMES`]), at most [`MAX_FRAMES`] (longer steps if need
    /// be), the last at the end of the run.
    pub fn frame_times(&self, until_s: f64) -> Vec<f64> {
        if !(until_s.is_finite() && until_s > 0.0) {
            return Vec::new();
        }
        let wanted = self.every_s.filter(|s| s.is_finite() && *s > 0.0).unwrap_or(until_s / f64::from(DEFAULT_FRAMES));
        let step = wanted.max(until_s / f64::from(MAX_FRAMES));
        let count = ((until_s / step) - 1e-9).ceil().max(1.0) as u32;
        (1..=count).map(|k| (f64::from(k) * step).min(until_s)).collect()
    }
}

/// Draws and encodes frames as the simulation advances.
pub struct GifRecorder {
    encoder: gif::Encoder<Vec<u8>>,
    options: GifOptions,
    frames: u32,
}

impl GifRecorder {
    pub fn new(options: GifOptions) -> Result<GifRecorder, ExportError> {
        super::raster::check_size(options.width, options.height)?;
        let size = |side: u32| {
            u16::try_from(side).map_err(|_| ExportError::Size { width: options.width, height: options.height })
        };
        let mut encoder = gif::Encoder::new(Vec::new(), size(options.width)?, size(options.height)?, &[])?;
        encoder.set_repeat(gif::Repeat::Infinite)?;
        Ok(GifRecorder { encoder, options, frames: 0 })
    }

    /// Adds a frame of the simulation as it is now. Past [`MAX_FRAMES`]
    /// frames, further calls add nothing.
    pub fn capture(&mut self, sim: &Simulation) -> Result<(), ExportError> {
        if self.frames >= MAX_FRAMES {
            return Ok(());
        }
        let picture = CanvasPicture { scenario: sim.scenario(), shades: NodeShade::now(sim), caption: caption(sim) };
        let canvas = CanvasOptions { width: self.options.width, height: self.options.height };
        let mut rgba = render_canvas(&picture, &canvas)?.rgba();
        let mut frame = gif::Frame::from_rgba_speed(
            self.options.width as u16,
            self.options.height as u16,
            &mut rgba,
            QUANTISE_SPEED,
        );
        frame.delay = u16::try_from(self.options.frame_ms.div_ceil(10)).unwrap_or(u16::MAX).max(2);
        self.encoder.write_frame(&frame)?;
        self.frames += 1;
        Ok(())
    }

    /// Frames added so far.
    pub fn frames(&self) -> u32 {
        self.frames
    }

    /// The GIF's bytes.
    pub fn finish(self) -> Result<Vec<u8>, ExportError> {
        Ok(self.encoder.into_inner()?)
    }
}

/// "t = 42 s · 480 requests/s ok · 1.2 % failed (last 1 s window)".
fn caption(sim: &Simulation) -> String {
    let now = sim.now().as_secs();
    match sim.series().last() {
        Some(f) => format!(
            "t = {now:.0} s · {:.0} requests/s ok · {:.1} % failed (the {} s window to {:.0} s)",
            f.end_to_end.throughput_rps,
            f.end_to_end.error_ratio * 100.0,
            f.end_s - f.start_s,
            f.end_s
        ),
        None => format!("t = {now:.0} s · no window closed yet"),
    }
}

/// Runs `scenario` from its start (its own seed: the same run every time)
/// to `until_s` simulated seconds and films it. `keep_going` is asked
/// before each frame; when it says no the film stops there (the app
/// cancelling an export).
pub fn record_run(
    scenario: &Scenario,
    until_s: f64,
    options: &GifOptions,
    keep_going: &dyn Fn() -> bool,
) -> Result<Vec<u8>, ExportError> {
    let mut sim = Simulation::new(scenario).map_err(|e| ExportError::Build(e.to_string()))?;
    let mut recorder = GifRecorder::new(*options)?;
    for t in options.frame_times(until_s) {
        if !keep_going() {
            break;
        }
        sim.run_until(SimTime::from_secs(t));
        recorder.capture(&sim)?;
    }
    recorder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_bounded_and_end_with_the_run() {
        let every = |s: f64| GifOptions { every_s: Some(s), ..GifOptions::default() };
        assert_eq!(every(5.0).frame_times(60.0).len(), 12);
        assert_eq!(every(7.0).frame_times(60.0).last(), Some(&60.0));
        assert_eq!(every(0.01).frame_times(600.0).len(), MAX_FRAMES as usize);
        assert_eq!(GifOptions::default().frame_times(60.0).len(), DEFAULT_FRAMES as usize);
        assert!(GifOptions::default().frame_times(0.0).is_empty());
    }
}
