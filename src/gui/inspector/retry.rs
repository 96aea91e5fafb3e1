//! The rows of a retry policy, a client's or an edge's. The file format has
//! one `RetryPolicy` for both callers, so the app has one form for it: a
//! change to retries (a new field, a help text) reaches both inspectors.

use eframe::egui::Ui;

use super::super::format;
use super::fields::{Edit, Row};
use crate::scenario::PathSegment::Key;
use crate::scenario::limits::{MAX_FACTOR, MAX_MS, MAX_RATE_RPS, MAX_RETRY_ATTEMPTS, MAX_RETRY_BUDGET_RATIO};
use crate::scenario::{RetryBudget, RetryPolicy};

/// The policy a caller starts from when retries are switched on: three
/// attempts, 100 ms then 200 ms apart with jitter, no budget.
fn first_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        backoff_ms: 100.0,
        multiplier: 2.0,
        max_backoff_ms: 10_000.0,
        jitter: 0.5,
        budget: None,
    }
}

/// The "retries" switch (its tooltip is `help`, which says who retries),
/// then, while it is on, the policy's rows and its budget. Rows are at the
/// path `retry` under the form's, so their problems show under them.
pub fn retry_policy_rows(ui: &mut Ui, edit: &mut Edit, slot: &mut Option<RetryPolicy>, help: &str) {
    let mut on = slot.is_some();
    Row::new("retries", "retry").help(help).switch(ui, edit, &mut on, "retry failures");
    if on != slot.is_some() {
        *slot = on.then(first_policy);
    }
    let Some(r) = slot else { return };
    edit.within(&[Key("retry")], |edit| {
        Row::new("  attempts", "max_attempts")
            .help("Attempts in all, the first included: 3 = the first try and up to 2 retries.")
            .whole(ui, edit, &mut r.max_attempts, 1..=MAX_RETRY_ATTEMPTS);
        Row::new("  backoff", "backoff_ms")
            .unit(" ms")
            .speed(1.0)
            .help("Wait before the first retry, so a callee that is briefly overloaded gets time to recover.")
            .number(ui, edit, &mut r.backoff_ms, 0.0..=MAX_MS);
        Row::new("  multiplier", "multiplier")
            .unit("×")
            .speed(0.05)
            .help("Each further wait is this many times longer (2× = exponential backoff).")
            .number(ui, edit, &mut r.multiplier, 1.0..=MAX_FACTOR);
        Row::new("  max backoff", "max_backoff_ms")
            .unit(" ms")
            .speed(10.0)
            .help("No wait is longer than this.")
            .number(ui, edit, &mut r.max_backoff_ms, 0.0..=MAX_MS);
        Row::new("  jitter", "jitter")
            .help(
                "Randomises each wait so callers do not retry in lockstep (100 % = anywhere between 0 and twice \
                 the wait).",
            )
            .percent(ui, edit, &mut r.jitter);
        budget_rows(ui, edit, &mut r.budget);
    });
}

/// The retry budget: a switch whose text sums it up ("retries ≤ 10 % of
/// requests"), then its share and its floor while it is on.
fn budget_rows(ui: &mut Ui, edit: &mut Edit, slot: &mut Option<RetryBudget>) {
    let mut on = slot.is_some();
    let summary = match slot {
        Some(b) => format!("retries ≤ {} of requests", format::percent(b.ratio)),
        None => "retry every failure".to_string(),
    };
    Row::new("  budget", "budget")
        .help(
            "Retries at every layer multiply: 3 layers × 3 attempts = 27 calls to the bottom during an outage. \
             A budget caps retries at a share of recent requests (the last 10 s): beyond it a failure is not \
             retried, it fails at once with its own reason (counted as 'retries denied') instead of adding load. \
             Use one wherever retries are on at more than one layer, as Finagle and gRPC do.",
        )
        .switch(ui, edit, &mut on, &summary);
    if on != slot.is_some() {
        *slot = on.then(RetryBudget::default);
    }
    let Some(b) = slot else { return };
    edit.within(&[Key("budget")], |edit| {
        Row::new("    ratio", "ratio")
            .unit(" of requests")
            .help(
                "Retries allowed per request over the last 10 s: 10 % lets retries add at most a tenth more load. \
                 Lower it if a struggling callee must not see extra load.",
            )
            .percent_up_to(ui, edit, &mut b.ratio, MAX_RETRY_BUDGET_RATIO);
        Row::new("    min retries", "min_per_s")
            .unit(" /s")
            .speed(0.5)
            .help(
                "Retries per second allowed whatever the traffic, so a caller with few requests can still retry \
                 (Finagle's default is 10).",
            )
            .number(ui, edit, &mut b.min_per_s, 0.0..=MAX_RATE_RPS);
    });
}
