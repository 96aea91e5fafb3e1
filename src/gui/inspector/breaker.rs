//! The rows of an edge's circuit breaker: a switch, then while it is on the
//! failure rate that opens it, the window it is measured over, the fewest
//! calls before it counts, how long it stays open and how many probes test
//! the dependency afterwards.

use eframe::egui::Ui;

use super::super::format;
use super::fields::{Edit, Row};
use crate::scenario::PathSegment::Key;
use crate::scenario::limits::{MAX_BREAKER_PROBES, MAX_BREAKER_WINDOW_CALLS, MAX_BREAKER_WINDOW_S, MAX_SECONDS};
use crate::scenario::{BreakerSpec, BreakerWindow};

/// What the switch's tooltip says: what a breaker does, and when to use one.
const BREAKER_HELP: &str = "Stops calling a dependency that keeps failing: fails fast for the open time instead of \
     tying up workers, then lets a few probes through. Once enough of the recent calls over this link failed, every \
     call fails at once at the caller ('breaker open') without being sent, and is never retried; the callee gets \
     time to recover and the caller's workers are free for other work. Use it on a call to a dependency that can be \
     down or drowning for seconds at a time (a database, another team's service), with a timeout so that slow calls \
     count as failures. Applies at once; a changed breaker starts closed.";

/// The units of a breaker's window, in the order of its menu, each with its
/// largest size.
const WINDOW_UNITS: [(&str, u32); 2] = [("calls", MAX_BREAKER_WINDOW_CALLS), ("seconds", MAX_BREAKER_WINDOW_S)];

/// The "circuit breaker" switch (on = the defaults of
/// [`BreakerSpec::default`]), then, while it is on, its rows at the path
/// `breaker`, so their problems show under them.
pub fn breaker_rows(ui: &mut Ui, edit: &mut Edit, slot: &mut Option<BreakerSpec>) {
    let mut on = slot.is_some();
    let summary = match slot {
        Some(b) => format!("fail fast once {} fail", format::percent(b.failure_rate)),
        None => "always call".to_string(),
    };
    Row::new("circuit breaker", "breaker").help(BREAKER_HELP).switch(ui, edit, &mut on, &summary);
    if on != slot.is_some() {
        *slot = on.then(BreakerSpec::default);
    }
    let Some(b) = slot else { return };
    edit.within(&[Key("breaker")], |edit| {
        Row::new("  failure rate", "failure_rate")
            .unit(" failed")
            .help(
                "The share of failed calls in the window that opens the breaker: 50 % = half. A failure is an error, \
                 a timeout, a lost call, a dead or overloaded callee (not this link's own bulkhead). Lower opens \
                 sooner; too low and ordinary blips open it.",
            )
            .percent(ui, edit, &mut b.failure_rate);
        let (mut size, mut unit) = match b.window {
            BreakerWindow::Calls(n) => (n, 0),
            BreakerWindow::Seconds(n) => (n, 1),
        };
        Row::new("  window", "window")
            .speed(0.2)
            .help(
                "What the failure rate is measured over: the last N calls, or the calls of the last N seconds. A \
                 small window reacts fast but can open on a few unlucky calls; a time window suits a link whose \
                 traffic comes and goes.",
            )
            .whole_in_unit(ui, edit, "last", (&mut size, &mut unit), &WINDOW_UNITS);
        b.window = if unit == 0 { BreakerWindow::Calls(size) } else { BreakerWindow::Seconds(size) };
        let most_calls = match b.window {
            BreakerWindow::Calls(n) => n.max(1),
            BreakerWindow::Seconds(_) => u32::MAX,
        };
        Row::new("  min calls", "min_calls")
            .unit(" calls")
            .help(
                "The fewest calls in the window before the rate counts, so that 1 failure out of 1 call does not \
                 open it. With a window of N calls, at most N.",
            )
            .whole(ui, edit, &mut b.min_calls, 1..=most_calls);
        Row::new("  open time", "open_s")
            .unit(" s")
            .speed(0.1)
            .help(
                "How long it stays open, failing every call at once, before it lets probes through. Give the \
                 dependency time to recover: a restart takes seconds, a failover longer.",
            )
            .number(ui, edit, &mut b.open_s, 0.001..=MAX_SECONDS);
        Row::new("  probes", "probes")
            .unit(" calls")
            .help(
                "Calls let through once the open time is over, to test the dependency (the others still fail \
                 fast). If fewer than the failure rate of them fail it closes; otherwise it opens for another open \
                 time.",
            )
            .whole(ui, edit, &mut b.probes, 1..=MAX_BREAKER_PROBES);
    });
}
