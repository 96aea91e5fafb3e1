//! The alert log's contents: what happened, how bad, where, how often.
//! Repeats of the same alert are folded into one line with a count, so a
//! stream of failures reads "queue full at db ×1,204", not a wall of lines.

use std::collections::VecDeque;

use crate::sim::SimEventKind;

/// How bad an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub severity: Severity,
    /// Simulated seconds of the first and latest occurrence.
    pub first_s: f64,
    pub last_s: f64,
    /// The node it concerns (click to focus it).
    pub node: Option<String>,
    pub text: String,
    /// How many times, between `first_s` and `last_s`.
    pub count: u64,
    /// What `count` counts.
    pub counted: Counted,
}

/// What an alert's count counts, so the log never shows a bare number: a
/// node sees attempts (a retried request is several), a client sees
/// requests (what a user waited for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    Times,
    /// Calls that failed at a node, retries included.
    Attempts,
    /// Requests that failed as their user saw it.
    Requests,
}

impl Alert {
    /// The line as the log shows it: the text, then how many of what over
    /// which span of simulated time (`queue full at db: 1,204 attempts
    /// from 12.0 s to 30.5 s`).
    pub fn line(&self) -> String {
        use super::format::{count, sim_clock};
        let what = match (self.counted, self.count) {
            (Counted::Times, 1) => return self.text.clone(),
            (Counted::Times, n) => format!("{} times", count(n)),
            (Counted::Attempts, 1) => "1 attempt".into(),
            (Counted::Attempts, n) => format!("{} attempts", count(n)),
            (Counted::Requests, 1) => "1 request".into(),
            (Counted::Requests, n) => format!("{} requests", count(n)),
        };
        if self.first_s == self.last_s {
            format!("{}: {what} at {}", self.text, sim_clock(self.last_s))
        } else {
            format!("{}: {what} from {} to {}", self.text, sim_clock(self.first_s), sim_clock(self.last_s))
        }
    }
}

/// Entries kept at most.
const MAX_ALERTS: usize = 500;
/// How far back a repeat is looked for.
const FOLD_WINDOW: usize = 12;

/// The alert log.
#[derive(Debug, Clone, Default)]
pub struct AlertLog {
    entries: VecDeque<Alert>,
}

impl AlertLog {
    /// Adds an alert, or folds it into a recent one with the same text and
    /// node, which then moves to the end: the log stays in order of the
    /// time each line shows (its latest occurrence).
    pub fn push(&mut self, severity: Severity, at_s: f64, node: Option<String>, text: String, count: u64) {
        self.push_counted(severity, at_s, node, text, (count, Counted::Times));
    }

    /// [`AlertLog::push`] for a count of something other than occurrences.
    pub fn push_counted(
        &mut self,
        severity: Severity,
        at_s: f64,
        node: Option<String>,
        text: String,
        (count, counted): (u64, Counted),
    ) {
        let text = super::format::for_app_font(&text);
        let len = self.entries.len();
        let recent = len.saturating_sub(FOLD_WINDOW);
        if let Some(k) = (recent..len).rev().find(|&k| {
            self.entries[k].text == text && self.entries[k].node == node && self.entries[k].counted == counted
        }) && let Some(mut same) = self.entries.remove(k)
        {
            same.count += count;
            same.last_s = at_s;
            same.severity = same.severity.max(severity);
            self.entries.push_back(same);
            return;
        }
        if self.entries.len() == MAX_ALERTS {
            self.entries.pop_front();
        }
        self.entries.push_back(Alert { severity, first_s: at_s, last_s: at_s, node, text, count, counted });
    }

    pub fn entries(&self) -> &VecDeque<Alert> {
        &self.entries
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// How serious an engine event is, from its wording.
pub fn severity_of_event(kind: SimEventKind) -> Severity {
    use SimEventKind::{
        AlertFiring, AlertResolved, AreaDown, AreaRestored, BreakerClosed, BreakerHalfOpen, BreakerOpened, Crash,
        ErrorsEnd, ErrorsStart, Flush, InstanceReady, LinkSlowEnd, LinkSlowStart, PartitionEnd, PartitionStart,
        PauseEnd, PauseStart, Restore, ScaledIn, ScaledOut, SlowdownEnd, SlowdownStart, SpikeEnd, SpikeStart,
        TargetEjected, TargetHealthy, TargetReturned, TargetUnhealthy,
    };
    match kind {
        Crash | AreaDown | AlertFiring => Severity::Error,
        Restore | AreaRestored | SlowdownEnd | ErrorsEnd | PartitionEnd | LinkSlowEnd | SpikeEnd | BreakerHalfOpen
        | BreakerClosed | PauseEnd | TargetHealthy | TargetReturned | ScaledOut | ScaledIn | InstanceReady
        | AlertResolved => Severity::Info,
        SlowdownStart | ErrorsStart | PartitionStart | LinkSlowStart | Flush | SpikeStart | BreakerOpened
        | PauseStart | TargetUnhealthy | TargetEjected => Severity::Warning,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_fold_into_one_line_with_a_count() {
        let mut log = AlertLog::default();
        log.push(Severity::Error, 1.0, Some("db".into()), "queue full".into(), 10);
        log.push(Severity::Info, 1.5, None, "reset".into(), 1);
        log.push(Severity::Error, 2.0, Some("db".into()), "queue full".into(), 5);
        log.push(Severity::Error, 2.0, Some("app".into()), "queue full".into(), 1);
        assert_eq!(log.len(), 3);
        let db = &log.entries()[1];
        assert_eq!((db.count, db.first_s, db.last_s), (15, 1.0, 2.0));
        assert_eq!(log.entries()[0].text, "reset", "the folded line moved after it");
    }

    #[test]
    fn each_line_names_what_it_counts_and_over_which_span() {
        let mut log = AlertLog::default();
        log.push_counted(
            Severity::Error,
            12.0,
            Some("db".into()),
            "queue full at db".into(),
            (1_000, Counted::Attempts),
        );
        log.push_counted(Severity::Error, 30.5, Some("db".into()), "queue full at db".into(), (204, Counted::Attempts));
        log.push_counted(Severity::Error, 4.0, Some("c".into()), "timeout at c".into(), (1, Counted::Requests));
        log.push(Severity::Info, 5.0, None, "spike".into(), 1);
        let lines: Vec<String> = log.entries().iter().map(Alert::line).collect();
        assert_eq!(
            lines,
            ["queue full at db: 1,204 attempts from 12.0 s to 30.5 s", "timeout at c: 1 request at 4.0 s", "spike"]
        );
    }

    #[test]
    fn the_log_is_bounded() {
        let mut log = AlertLog::default();
        for i in 0..(MAX_ALERTS + 10) {
            log.push(Severity::Info, i as f64, None, format!("event {i}"), 1);
        }
        assert_eq!(log.len(), MAX_ALERTS);
        assert_eq!(log.entries()[0].text, "event 10");
    }

    #[test]
    fn engine_events_get_a_severity() {
        assert_eq!(severity_of_event(SimEventKind::Crash), Severity::Error);
        assert_eq!(severity_of_event(SimEventKind::Restore), Severity::Info);
        assert_eq!(severity_of_event(SimEventKind::SlowdownEnd), Severity::Info);
        assert_eq!(severity_of_event(SimEventKind::SpikeStart), Severity::Warning);
    }
}
