//! A progress bar for long runs, on stderr only.
//!
//! It appears only once a run has taken more than a second of wall time,
//! and only when stderr is a terminal: short runs stay quiet, and logs,
//! pipes and tests never get control characters. stdout is untouched, so
//! `--json` output stays clean.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::format;

/// Wall time after which a run is long enough to deserve a bar.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// Progress of a run through simulated time.
pub struct RunProgress {
    started: Instant,
    /// Simulated milliseconds the run lasts (the bar's length).
    total_ms: u64,
    enabled: bool,
    bar: Option<ProgressBar>,
}

impl RunProgress {
    /// A progress tracker for a run of `duration_s` simulated seconds.
    pub fn new(duration_s: f64) -> RunProgress {
        RunProgress {
            started: Instant::now(),
            total_ms: seconds_to_ms(duration_s),
            enabled: std::io::stderr().is_terminal(),
            bar: None,
        }
    }

    /// Reports that the run has reached `sim_s` simulated seconds after
    /// `events` events.
    pub fn update(&mut self, sim_s: f64, events: u64) {
        if self.bar.is_none() && self.enabled && self.started.elapsed() >= SHOW_AFTER {
            self.bar = Some(self.new_bar());
        }
        if let Some(bar) = &self.bar {
            bar.set_position(seconds_to_ms(sim_s).min(self.total_ms));
            let per_sec = events as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
            bar.set_message(format!("{} events, {} events/s", format::si(events as f64), format::si(per_sec)));
        }
    }

    /// Removes the bar, leaving the terminal as it was.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }

    fn new_bar(&self) -> ProgressBar {
        let bar = ProgressBar::with_draw_target(Some(self.total_ms), ProgressDrawTarget::stderr());
        // The template is a constant; if indicatif ever rejects it, the
        // default style is still a working bar.
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} simulating [{bar:30}] {percent:>3}% of sim time  {msg}  eta {eta}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    }
}

fn seconds_to_ms(s: f64) -> u64 {
    if s.is_finite() && s > 0.0 { (s * 1e3).round() as u64 } else { 0 }
}
