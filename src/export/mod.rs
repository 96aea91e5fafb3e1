//! Pictures of a run for reports, slides and chat: the time-series plots
//! as a PNG ([`plot_png`]), the design as a diagram coloured by how busy
//! each node was ([`canvas_png`]), and the run's canvas as an animated GIF
//! ([`gif`]).
//!
//! Pure and headless, like the engine: no egui, no window, no system font
//! (the text is drawn in the app's own embedded font, see [`raster`]), so
//! the command line built without the app (`--no-default-features`)
//! exports the same bytes as the app's File › Export menu. The same
//! simulation and options give the same bytes every time.
//!
//! ```
//! use archsim::export::{PlotOptions, plots_png};
//! use archsim::scenario::bundled;
//! use archsim::sim::{SimTime, Simulation};
//!
//! let scenario = bundled("three-tier-web").expect("bundled").load().expect("valid");
//! let mut sim = Simulation::new(&scenario).expect("builds");
//! sim.run_until(SimTime::from_secs(20.0));
//! let png = plots_png(&sim, &PlotOptions::default()).expect("drawn");
//! assert_eq!(&png[1..4], b"PNG");
//! ```

pub mod canvas_png;
pub mod gif;
pub mod plot_png;
pub mod raster;

pub use canvas_png::{CanvasOptions, CanvasPicture, NodeShade, canvas_png};
pub use gif::{GifOptions, GifRecorder, record_run};
pub use plot_png::{PlotOptions, RunSeries, plots_png};

/// Why a picture could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The size asked for is outside what can be drawn.
    #[error(
        "a picture of {width}×{height} pixels cannot be drawn: each side must be {} to {} pixels",
        raster::MIN_SIDE,
        raster::MAX_SIDE
    )]
    Size { width: u32, height: u32 },
    /// The run has nothing to plot yet.
    #[error("nothing to plot: {0}")]
    Empty(String),
    /// The embedded font could not be read (a broken build, not the input).
    #[error("the embedded font cannot be read")]
    Font,
    /// The design does not build into a simulation.
    #[error("the design cannot run: {0}")]
    Build(String),
    #[error("cannot encode the PNG: {0}")]
    Png(#[from] png::EncodingError),
    #[error("cannot encode the GIF: {0}")]
    Gif(#[from] ::gif::EncodingError),
}
