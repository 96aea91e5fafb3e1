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
        let appearing = self.bar.is_none() && self.enabled && self.started.elapsed() >= SHOW_AFTER;
        if appearing {
            self.bar = Some(self.new_bar());
        }
        if let Some(bar) = &self.bar {
            let elapsed = self.started.elapsed().as_secs_f64().max(1e-9);
            let position = seconds_to_ms(sim_s).min(self.total_ms);
            let mut message =
                format!("{} events at {}/s", format::si(events as f64), format::si(events as f64 / elapsed));
            if let Some(left) = remaining_secs(position, self.total_ms, elapsed) {
                message.push_str(&format!(", about {} left", format::seconds(left)));
            }
            bar.set_message(message);
            bar.set_position(position);
            if appearing {
                // Drawn only now, so its first frame already shows where the run is.
                bar.set_draw_target(ProgressDrawTarget::stderr());
            }
        }
    }

    /// Removes the bar, leaving the terminal as it was.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }

    fn new_bar(&self) -> ProgressBar {
        let bar = ProgressBar::with_draw_target(Some(self.total_ms), ProgressDrawTarget::hidden());
        // The template is a constant; if indicatif ever rejects it, the
        // default style is still a working bar.
        if let Ok(style) = ProgressStyle::with_template("{spinner} simulated {percent:>3}% [{wide_bar}] {msg}") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    }
}

/// Progress of a ramp through its steps: a bar on a terminal's stderr
/// from the start (each step is a whole run), nothing elsewhere.
pub struct StepProgress {
    bar: Option<ProgressBar>,
}

impl StepProgress {
    /// A bar of `steps` steps, drawn only when stderr is a terminal.
    pub fn new(steps: usize) -> StepProgress {
        StepProgress::counting(steps, "step")
    }

    /// A bar of `steps` things called `noun` ("replication 3/10").
    pub fn counting(steps: usize, noun: &str) -> StepProgress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(steps as u64);
            let template = format!("{{spinner}} {noun} {{pos}}/{{len}} [{{wide_bar}}] {{elapsed}} {{msg}}");
            if let Ok(style) = ProgressStyle::with_template(&template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        StepProgress { bar }
    }

    /// Reports that `done` steps are finished; `next` says what runs now.
    pub fn update(&self, done: usize, next: &str) {
        if let Some(bar) = &self.bar {
            bar.set_position(done as u64);
            bar.set_message(next.to_string());
        }
    }

    /// Removes the bar, leaving the terminal as it was.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Wall seconds left if the rest of the run goes as fast as the part done.
/// (indicatif's own estimate starts when the bar appears, a second into the
/// run, and so misreads the progress made before.)
fn remaining_secs(done: u64, total: u64, elapsed_s: f64) -> Option<f64> {
    (done > 0 && done <= total).then(|| elapsed_s * (total - done) as f64 / done as f64)
}

fn seconds_to_ms(s: f64) -> u64 {
    if s.is_finite() && s > 0.0 { (s * 1e3).round() as u64 } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_extrapolates_the_pace_so_far() {
        assert_eq!(remaining_secs(250, 1_000, 2.0), Some(6.0));
        assert_eq!(remaining_secs(1_000, 1_000, 2.0), Some(0.0));
        assert_eq!(remaining_secs(0, 1_000, 2.0), None);
    }
}
