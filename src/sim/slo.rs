//! SLOs judged as each metrics window closes, and the alerts on them.
//!
//! Nothing here runs per request: at a window's close (before the windows
//! reset) each SLO reads its node's window counters — and, for a latency
//! SLO, its window histogram — into a tally of bad and valid events, keeps
//! the last tallies its longest alert looks at, and each alert compares
//! burn rates over its windows. A scenario without SLOs has no tracker
//! (`Simulation::slo` is `None`): a window close pays one `Option` check.
//!
//! SLOs count whole windows that start at or after the warm-up's end, so
//! a window's counts and its latencies always cover the same span.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::node::Behaviour;
use super::time::{NANOS_PER_SEC, ms_to_nanos};
use super::{SimEventKind, SimTime, Simulation};
use crate::scenario::{AlertRule, Scenario, SloObjective};

/// Firing spans an alert remembers (the count of firings goes on).
const MAX_SPANS: usize = 1_000;

/// Whose answers an SLO judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// Every client's requests together: end to end.
    System,
    Node(u32),
}

/// Bad and valid events over some windows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Tally {
    bad: u64,
    valid: u64,
}

impl Tally {
    fn plus(self, other: Tally) -> Tally {
        Tally { bad: self.bad + other.bad, valid: self.valid + other.valid }
    }

    /// The bad share, 0 with nothing measured.
    fn bad_share(self) -> f64 {
        if self.valid == 0 { 0.0 } else { self.bad as f64 / self.valid as f64 }
    }
}

#[derive(Debug, Clone)]
struct SloState {
    name: String,
    node: Option<String>,
    source: Source,
    objective: SloObjective,
    /// A latency SLO's threshold, nanoseconds.
    threshold_ns: Option<u64>,
    period_s: f64,
    /// The last windows' tallies, newest last: as many as its longest
    /// alert looks back over.
    recent: VecDeque<Tally>,
    keep: usize,
    total: Tally,
    /// Whole windows counted since the warm-up.
    windows: u64,
}

impl SloState {
    /// The burn rate over the last `windows` windows (fewer at the start:
    /// the windows measured so far): the bad share over the budget's.
    fn burn_over(&self, windows: usize) -> f64 {
        let tally = self.recent.iter().rev().take(windows).fold(Tally::default(), |a, &t| a.plus(t));
        tally.bad_share() / (1.0 - self.objective.target_ratio())
    }
}

#[derive(Debug, Clone)]
struct AlertState {
    name: String,
    slo: usize,
    rule: AlertRule,
    /// The rule's windows in metrics windows: (long, short), or (window, 0).
    windows: (usize, usize),
    firing_since: Option<SimTime>,
    spans: Vec<AlertSpan>,
    fired: u64,
    /// Nanoseconds firing in spans already resolved.
    firing_ns: u64,
}

/// The SLOs and alerts of a scenario that has some.
#[derive(Debug, Clone)]
pub(crate) struct SloTracker {
    slos: Vec<SloState>,
    alerts: Vec<AlertState>,
    window_s: f64,
}

/// Whole metrics windows in `s` seconds (validation made it whole).
fn windows_in(s: f64, window_s: f64) -> usize {
    // Validated: 1 to 3,600 windows.
    (s / window_s).round().clamp(1.0, crate::scenario::MAX_ALERT_WINDOWS) as usize
}

impl SloTracker {
    /// The tracker for `scenario`, `None` when it has no SLOs (validated:
    /// every name it refers to exists).
    pub(crate) fn build(scenario: &Scenario) -> Option<Box<SloTracker>> {
        if scenario.slos.is_empty() {
            return None;
        }
        let window_s = scenario.window_s;
        let mut slos: Vec<SloState> = scenario
            .slos
            .iter()
            .map(|spec| SloState {
                name: spec.name.clone(),
                node: spec.node.clone(),
                source: spec
                    .node
                    .as_deref()
                    .and_then(|id| scenario.node_index(id))
                    .map_or(Source::System, |i| Source::Node(i as u32)),
                objective: spec.objective,
                threshold_ns: match spec.objective {
                    SloObjective::Latency { below_ms, .. } => Some(ms_to_nanos(below_ms)),
                    SloObjective::Availability { .. } => None,
                },
                period_s: spec.period_s.unwrap_or(scenario.duration_s - scenario.warmup_s).max(window_s),
                recent: VecDeque::new(),
                keep: 1,
                total: Tally::default(),
                windows: 0,
            })
            .collect();
        let alerts = scenario
            .alerts
            .iter()
            .filter_map(|spec| {
                let slo = slos.iter().position(|s| s.name == spec.slo)?;
                let windows = match spec.rule {
                    AlertRule::BurnRate { long_window_s, short_window_s, .. } => {
                        (windows_in(long_window_s, window_s), windows_in(short_window_s, window_s))
                    }
                    AlertRule::Threshold { window_s: w, .. } => (windows_in(w, window_s), 0),
                };
                slos[slo].keep = slos[slo].keep.max(windows.0);
                Some(AlertState {
                    name: spec.name.clone(),
                    slo,
                    rule: spec.rule,
                    windows,
                    firing_since: None,
                    spans: Vec::new(),
                    fired: 0,
                    firing_ns: 0,
                })
            })
            .collect();
        Some(Box::new(SloTracker { slos, alerts, window_s }))
    }
}

/// One stretch of time an alert fired.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AlertSpan {
    /// Simulated seconds at the window close where it fired.
    pub from_s: f64,
    /// Where it resolved; `None` while it still fires.
    pub to_s: Option<f64>,
    /// The burn rate that fired it: over the long window for a burn-rate
    /// rule, over its window for a threshold.
    pub burn_rate: f64,
}

/// An alert over the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertReport {
    pub name: String,
    pub rule: AlertRule,
    /// Times it fired.
    pub fired: u64,
    /// Simulated seconds it was firing.
    pub firing_s: f64,
    /// Whether it fires at the end.
    pub firing_at_end: bool,
    /// When it fired and resolved, oldest first (the first 1,000).
    pub spans: Vec<AlertSpan>,
}

/// An SLO over the run: what it asked, what was measured, how much of the
/// error budget went, and its alerts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloReport {
    pub name: String,
    /// The node it judges; `None`: the whole system, end to end.
    pub node: Option<String>,
    pub objective: SloObjective,
    /// Events judged (answered requests) and, of those, bad ones (too slow
    /// or failed), in whole windows since the warm-up.
    pub valid: u64,
    pub bad: u64,
    /// Good events over valid ones, percent (100 with none measured).
    pub measured_percent: f64,
    /// What the objective asks, percent.
    pub target_percent: f64,
    /// Whether the measured share meets it.
    pub met: bool,
    /// The run's burn rate: bad share over the budget's (1 − target).
    pub burn_rate: f64,
    /// Share of the period's error budget spent, percent (over 100: blown).
    pub budget_used_percent: f64,
    /// Seconds the budget is for.
    pub period_s: f64,
    /// Seconds measured so far (whole windows since the warm-up).
    pub measured_s: f64,
    pub alerts: Vec<AlertReport>,
}

impl SloReport {
    /// "checkout-latency: 99.21 % ≥ 99 % · budget 79 % used · fast-burn
    /// fired at 62 s": the app's readout of one SLO.
    pub fn readout(&self) -> String {
        let sign = if self.met { "≥" } else { "<" };
        let mut text = format!(
            "{}: {:.2} % {sign} {} % · budget {:.0} % used",
            self.name, self.measured_percent, self.target_percent, self.budget_used_percent
        );
        for a in &self.alerts {
            if let (true, Some(last)) = (a.firing_at_end, a.spans.last()) {
                text.push_str(&format!(" · {} FIRING since {:.0} s", a.name, last.from_s));
            } else if let Some(first) = a.spans.first() {
                let again = if a.fired > 1 { format!(" (and {} more times)", a.fired - 1) } else { String::new() };
                text.push_str(&format!(" · {} fired at {:.0} s{again}", a.name, first.from_s));
            }
        }
        text
    }

    /// Whether one of its alerts is firing now.
    pub fn firing(&self) -> bool {
        self.alerts.iter().any(|a| a.firing_at_end)
    }

    /// Whether the SLO needs attention: missed, or an alert fired.
    pub fn troubled(&self) -> bool {
        !self.met || self.alerts.iter().any(|a| a.fired > 0)
    }
}

impl Simulation {
    /// Judges every SLO on the window closing now, before the windows
    /// reset; fires and resolves alerts into the event log.
    #[inline(never)]
    pub(super) fn judge_slos(&mut self) {
        let Some(mut tracker) = self.slo.take() else { return };
        // Whole windows from the warm-up's end only.
        let window_ns = (tracker.window_s * NANOS_PER_SEC).round() as u64;
        if self.now.0 >= self.warmup.0.saturating_add(window_ns) {
            for slo in &mut tracker.slos {
                let tally = self.window_tally(slo.source, slo.threshold_ns);
                slo.total = slo.total.plus(tally);
                slo.windows += 1;
                if slo.recent.len() == slo.keep {
                    slo.recent.pop_front();
                }
                slo.recent.push_back(tally);
            }
            for k in 0..tracker.alerts.len() {
                self.judge_alert(&mut tracker, k);
            }
        }
        self.slo = Some(tracker);
    }

    /// One alert at a window close.
    fn judge_alert(&mut self, tracker: &mut SloTracker, k: usize) {
        let alert = &tracker.alerts[k];
        let slo = &tracker.slos[alert.slo];
        let (burn, holds, what) = match alert.rule {
            AlertRule::BurnRate { factor, long_window_s, short_window_s } => {
                let long = slo.burn_over(alert.windows.0);
                let short = slo.burn_over(alert.windows.1);
                let what = format!(
                    "burning its budget {long:.1}× over {long_window_s} s and {short:.1}× over {short_window_s} s"
                );
                (long, long > factor && short > factor, what)
            }
            AlertRule::Threshold { bad_percent, window_s } => {
                let burn = slo.burn_over(alert.windows.0);
                let bad = burn * (1.0 - slo.objective.target_ratio()) * 100.0;
                (burn, bad > bad_percent, format!("{bad:.1} % bad over {window_s} s"))
            }
        };
        let node = match slo.source {
            Source::Node(i) => Some(i),
            Source::System => None,
        };
        let now = self.now;
        let alert = &mut tracker.alerts[k];
        match (alert.firing_since, holds) {
            (None, true) => {
                alert.firing_since = Some(now);
                alert.fired += 1;
                if alert.spans.len() < MAX_SPANS {
                    alert.spans.push(AlertSpan { from_s: now.as_secs(), to_s: None, burn_rate: burn });
                }
                let text = format!("alert {} firing: {} {what}", alert.name, tracker.slos[alert.slo].name);
                self.log_event(node, SimEventKind::AlertFiring, text);
            }
            (Some(since), false) => {
                alert.firing_since = None;
                let lasted = now.since(since);
                alert.firing_ns += lasted;
                // The open span, unless it fired after the spans were full.
                if let Some(span) = alert.spans.last_mut()
                    && span.to_s.is_none()
                {
                    span.to_s = Some(now.as_secs());
                }
                let text = format!("alert {} resolved after {:.0} s", alert.name, lasted as f64 / NANOS_PER_SEC);
                self.log_event(node, SimEventKind::AlertResolved, text);
            }
            _ => {}
        }
    }

    /// Bad and valid events of the open window at `source`.
    fn window_tally(&self, source: Source, threshold_ns: Option<u64>) -> Tally {
        let one = |i: usize| {
            let m = &self.nodes[i].metrics;
            let c = m.window_counters();
            match threshold_ns {
                Some(t) => Tally { bad: m.window_slower_than(t), valid: c.ok + c.degraded },
                None => Tally { bad: c.failed_total(), valid: c.ok + c.degraded + c.failed_total() },
            }
        };
        match source {
            Source::Node(i) => one(i as usize),
            Source::System => (0..self.nodes.len())
                .filter(|&i| matches!(self.nodes[i].behaviour, Behaviour::Client(_)))
                .fold(Tally::default(), |a, i| a.plus(one(i))),
        }
    }

    /// Every SLO so far: measured share, budget spent, alerts (empty for a
    /// scenario without SLOs).
    pub fn slo_reports(&self) -> Vec<SloReport> {
        let Some(tracker) = &self.slo else { return Vec::new() };
        tracker
            .slos
            .iter()
            .enumerate()
            .map(|(k, slo)| {
                let target = slo.objective.target_ratio();
                let burn_rate = slo.total.bad_share() / (1.0 - target);
                let measured_s = slo.windows as f64 * tracker.window_s;
                let measured_percent = (1.0 - slo.total.bad_share()) * 100.0;
                let alerts = tracker
                    .alerts
                    .iter()
                    .filter(|a| a.slo == k)
                    .map(|a| {
                        let open = a.firing_since.map_or(0, |since| self.now.since(since));
                        AlertReport {
                            name: a.name.clone(),
                            rule: a.rule,
                            fired: a.fired,
                            firing_s: (a.firing_ns + open) as f64 / NANOS_PER_SEC,
                            firing_at_end: a.firing_since.is_some(),
                            spans: a.spans.clone(),
                        }
                    })
                    .collect();
                SloReport {
                    name: slo.name.clone(),
                    node: slo.node.clone(),
                    objective: slo.objective,
                    valid: slo.total.valid,
                    bad: slo.total.bad,
                    measured_percent,
                    target_percent: slo.objective.target_percent(),
                    met: measured_percent >= slo.objective.target_percent() - 1e-9,
                    burn_rate,
                    // The budget is (1 − target) of the period's events: at
                    // the rate measured so far, spent as burn × elapsed / period.
                    budget_used_percent: burn_rate * measured_s / slo.period_s * 100.0,
                    period_s: slo.period_s,
                    measured_s,
                    alerts,
                }
            })
            .collect()
    }
}
