//! The parameters of a network link: its delay and losses, its weight for
//! a weighted balancer, and the resilience patterns its caller applies to
//! calls over it (bulkhead, timeout, retries, circuit breaker).

use eframe::egui::Ui;

use super::breaker::breaker_rows;
use super::distribution::distribution_rows;
use super::fields::{Edit, Row, form, label_cell};
use super::retry::retry_policy_rows;
use crate::scenario::limits::{MAX_MS, MAX_WEIGHT};
use crate::scenario::{DistributionSpec, EdgeSpec};

/// The form for an edge's parameters. Edits `spec` in place. An edge from
/// a client (`from_client`) has no timeout or retries of its own: the
/// client's apply to it. Every edge may have a circuit breaker, a client's
/// too.
pub fn edge_params_ui(ui: &mut Ui, spec: &mut EdgeSpec, edit: &mut Edit, salt: usize, from_client: bool) {
    form(ui, ("edge", salt), |ui| {
        let label = label_cell(
            ui,
            "latency",
            "One-way network delay, paid by the request and again by the answer. Same rack ~0.1 ms, same region ~1 ms, across an ocean ~70 ms.",
        );
        let mut on = spec.latency.is_some();
        if ui.checkbox(&mut on, "network delay").labelled_by(label.id).changed() {
            spec.latency = on.then_some(DistributionSpec::Constant { ms: 1.0 });
            edit.changed = true;
        }
        ui.end_row();
        if let Some(lat) = &mut spec.latency {
            distribution_rows(ui, edit, ("  delay", "latency"), lat, "The one-way delay's distribution.");
        }
        Row::new("packet loss", "drop_probability")
            .help("Share of requests lost on the way; the caller sees a failure ('dropped').")
            .percent(ui, edit, &mut spec.drop_probability);
        Row::new("weight", "weight")
            .speed(0.05)
            .help("Share of traffic for a weighted load balancer (ignored by other policies). Applies at once.")
            .number(ui, edit, &mut spec.weight, 0.0..=MAX_WEIGHT);
        Row::new("bulkhead", "max_concurrent")
            .unit(" calls")
            .help(
                "At most this many calls over this link at once; one more fails at once ('bulkhead full'). \
                 Use it so one slow dependency cannot take every worker of the caller. Applies at once.",
            )
            .optional_whole(ui, edit, &mut spec.max_concurrent, (10, "no cap"));
        // A client's timeout and retries are the client's own; the rows
        // still show when a file set them here, so they can be turned off
        // where the problem says so.
        if !from_client || spec.timeout_ms.is_some() {
            Row::new("timeout", "timeout_ms")
                .unit(" ms")
                .help(
                    "The caller stops waiting for a call over this link after this long and counts it as failed \
                     ('timeout'). The callee is not told: it finishes the work for nobody. Set it a little above the \
                     callee's usual p99, so a slow dependency cannot hold the caller's workers. Off = wait for ever. \
                     Applies at once.",
                )
                .optional_number(ui, edit, &mut spec.timeout_ms, (1_000.0, "wait for ever"), 0.001..=MAX_MS);
        }
        if !from_client || spec.retry.is_some() {
            retry_policy_rows(
                ui,
                edit,
                &mut spec.retry,
                "The caller sends a failed call over this link again (any failure, its timeout included), waiting \
                 longer each time; a load balancer picks a target again. Use it for brief blips. Retries at every \
                 layer multiply: 3 layers × 3 attempts = 27 calls to the bottom during an outage, so add a budget. \
                 Applies at once.",
            );
        }
        breaker_rows(ui, edit, &mut spec.breaker);
    });
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use egui_kittest::Harness;

    use super::*;
    use crate::gui::problems::DocProblems;
    use crate::scenario::limits::{MAX_BREAKER_PROBES, MAX_BREAKER_WINDOW_S};
    use crate::scenario::{BreakerSpec, BreakerWindow, NodeKind, RetryBudget, RetryPolicy, Scenario, default_scenario};

    /// Draws edge `index`'s form with the document's problems and returns
    /// how many it has and the messages no row showed under its field.
    fn unplaced_problems(scenario: &Scenario, index: usize) -> (usize, Vec<String>) {
        let problems = DocProblems::of(scenario).edges.get(&index).cloned().unwrap_or_default();
        let edge = &scenario.edges[index];
        let from_client = scenario.node(&edge.from).is_some_and(|n| matches!(n.kind, NodeKind::Client(_)));
        let spec = RefCell::new(edge.clone());
        let edit = RefCell::new(Edit::with_problems(&problems));
        let mut harness = Harness::new_ui(|ui| {
            edge_params_ui(ui, &mut spec.borrow_mut(), &mut edit.borrow_mut(), index, from_client);
        });
        harness.run();
        drop(harness);
        (problems.len(), edit.into_inner().not_shown())
    }

    fn edge_from(scenario: &Scenario, client: bool) -> usize {
        let is_client = |id: &str| scenario.node(id).is_some_and(|n| matches!(n.kind, NodeKind::Client(_)));
        scenario.edges.iter().position(|e| is_client(&e.from) == client).expect("such an edge")
    }

    /// A wrong timeout, retry policy, budget or circuit breaker on a link
    /// is shown under its row, as every other field's problem is.
    #[test]
    fn every_edge_field_problem_shows_under_its_row() {
        let mut s = default_scenario();
        let inner = edge_from(&s, false);
        let e = &mut s.edges[inner];
        e.drop_probability = 2.0;
        e.timeout_ms = Some(-1.0);
        e.retry = Some(RetryPolicy {
            max_attempts: 0,
            backoff_ms: -1.0,
            multiplier: 0.5,
            max_backoff_ms: -1.0,
            jitter: 3.0,
            budget: Some(RetryBudget { ratio: 20.0, min_per_s: -1.0 }),
        });
        e.breaker = Some(BreakerSpec {
            failure_rate: 0.0,
            window: BreakerWindow::Calls(0),
            min_calls: 0,
            open_s: -1.0,
            probes: 0,
        });
        let (found, unplaced) = unplaced_problems(&s, inner);
        assert_eq!(found, 14, "each wrong field has its problem");
        assert!(unplaced.is_empty(), "not under their rows: {unplaced:?}");
    }

    /// A breaker's problems show under its rows on a client's edge too (a
    /// breaker is valid there), the window's size and a `min_calls` larger
    /// than a window of calls included.
    #[test]
    fn a_breakers_problems_show_under_its_rows_on_any_edge() {
        let too_big = BreakerSpec {
            failure_rate: 1.5,
            window: BreakerWindow::Seconds(MAX_BREAKER_WINDOW_S + 1),
            probes: MAX_BREAKER_PROBES + 1,
            ..BreakerSpec::default()
        };
        let never_opens = BreakerSpec { window: BreakerWindow::Calls(5), min_calls: 10, ..BreakerSpec::default() };
        for (client, breaker, expected) in [(true, too_big, 3), (false, never_opens, 1), (true, never_opens, 1)] {
            let mut s = default_scenario();
            let index = edge_from(&s, client);
            s.edges[index].breaker = Some(breaker);
            let (found, unplaced) = unplaced_problems(&s, index);
            assert_eq!(found, expected, "{breaker:?}");
            assert!(unplaced.is_empty(), "not under their rows: {unplaced:?}");
        }
    }

    /// A file may set a timeout or retries on a client's edge, which
    /// validation refuses: the rows show there, with the problem under
    /// them, so the user can switch them off where they are told to.
    #[test]
    fn a_client_edge_shows_a_timeout_set_by_the_file_with_its_problem() {
        let mut s = default_scenario();
        let outer = edge_from(&s, true);
        s.edges[outer].timeout_ms = Some(500.0);
        s.edges[outer].retry = Some(RetryPolicy {
            max_attempts: 2,
            backoff_ms: 10.0,
            multiplier: 2.0,
            max_backoff_ms: 100.0,
            jitter: 0.0,
            budget: None,
        });
        let (found, unplaced) = unplaced_problems(&s, outer);
        assert_eq!(found, 2, "the timeout and the retries belong on the client");
        assert!(unplaced.is_empty(), "not under their rows: {unplaced:?}");
    }
}
