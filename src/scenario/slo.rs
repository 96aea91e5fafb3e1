//! Service level objectives and the alerts on them, as SRE practice has
//! them: an SLO says what share of events must be good (answered faster
//! than a threshold, or answered at all); its error budget is the share
//! that may be bad; an alert fires when the budget burns too fast.
//!
//! A real SLO is kept over 30 days and its alerts look at hours; a
//! simulated run lasts minutes, so the budget here is over the run (or a
//! stated `period_s`) and the alert windows are seconds. The arithmetic is
//! the same: a burn rate of `f` held over a window `w` spends `f × w /
//! period` of the budget, so an alert that fires at 14.4× over a long
//! window of 1/720 of the period (the SRE workbook's 1 hour of 30 days)
//! means 2 % of the budget is gone.

use serde::{Deserialize, Serialize};

/// One service level objective.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SloSpec {
    /// How alerts and reports name it, e.g. "checkout-latency".
    pub name: String,
    /// The node whose answers it judges (a client: its requests end to
    /// end); the whole system, every client together, when absent.
    #[serde(default)]
    pub node: Option<String>,
    pub objective: SloObjective,
    /// Seconds the error budget is for; the measured run (duration less
    /// warm-up) when absent. A shorter period makes every bad request
    /// spend more of it.
    #[serde(default)]
    pub period_s: Option<f64>,
}

/// What a good event is, and what share of events must be good.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum SloObjective {
    /// `percentile` % of the answered requests (ok or degraded) are faster
    /// than `below_ms`: the SLI is the share answered within the threshold.
    Latency { percentile: f64, below_ms: f64 },
    /// `target` % of the answered requests do not fail.
    Availability { target: f64 },
}

impl SloObjective {
    /// The share of events that must be good, 0–1 (0.999 for 99.9 %).
    pub fn target_ratio(&self) -> f64 {
        match self {
            SloObjective::Latency { percentile, .. } => percentile / 100.0,
            SloObjective::Availability { target } => target / 100.0,
        }
    }

    /// The share that must be good, percent, as written.
    pub fn target_percent(&self) -> f64 {
        match self {
            SloObjective::Latency { percentile, .. } => *percentile,
            SloObjective::Availability { target } => *target,
        }
    }

    /// The highest burn rate there can be: every event bad, 1 / (1 − target).
    pub fn max_burn_rate(&self) -> f64 {
        // In percent: 99 % gives exactly 100, where 1 / (1 − 0.99) does not.
        100.0 / (100.0 - self.target_percent())
    }

    /// "p99 < 200 ms" or "99.9 % available", for summaries and the app.
    pub fn describe(&self) -> String {
        match self {
            SloObjective::Latency { percentile, below_ms } => format!("{percentile} % under {below_ms} ms"),
            SloObjective::Availability { target } => format!("{target} % available"),
        }
    }
}

/// An alert on an SLO: it fires into the event log when its rule holds at
/// a window's close, and resolves at the first close where it does not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertSpec {
    pub name: String,
    /// The `name` of the SLO it watches.
    pub slo: String,
    pub rule: AlertRule,
}

/// When an alert fires.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum AlertRule {
    /// The SRE workbook's multi-window burn-rate alert: fires while the
    /// budget burns faster than `factor` times the sustainable rate over
    /// both the last `long_window_s` (it is a real problem) and the last
    /// `short_window_s` (it is still going on, so the alert resolves soon
    /// after it stops).
    BurnRate { factor: f64, long_window_s: f64, short_window_s: f64 },
    /// A plain threshold: fires while more than `bad_percent` % of the last
    /// `window_s`'s events are bad (slower than the SLO's threshold, or
    /// failed).
    Threshold { bad_percent: f64, window_s: f64 },
}

impl AlertRule {
    /// The longest window the rule looks back over, seconds.
    pub fn longest_window_s(&self) -> f64 {
        match self {
            AlertRule::BurnRate { long_window_s, .. } => *long_window_s,
            AlertRule::Threshold { window_s, .. } => *window_s,
        }
    }

    /// "14.4× over 60 s and 5 s" or "> 5 % bad over 10 s".
    pub fn describe(&self) -> String {
        match self {
            AlertRule::BurnRate { factor, long_window_s, short_window_s } => {
                format!("burn > {factor}× over {long_window_s} s and {short_window_s} s")
            }
            AlertRule::Threshold { bad_percent, window_s } => format!("> {bad_percent} % bad over {window_s} s"),
        }
    }
}

/// Most SLOs in one scenario: each is looked at once per window.
pub const MAX_SLOS: usize = 64;

/// Most alerts in one scenario.
pub const MAX_ALERTS: usize = 256;

/// Longest alert window, in metrics windows: an SLO keeps two counts per
/// window of its longest alert's window (an hour of 1-second windows).
pub const MAX_ALERT_WINDOWS: f64 = 3_600.0;
