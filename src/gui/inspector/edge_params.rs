//! The parameters of a network link: its delay and losses, its weight for
//! a weighted balancer, and the resilience patterns its caller applies to
//! calls over it (bulkhead, timeout, retries, circuit breaker, fallback).

use eframe::egui::Ui;

use super::breaker::breaker_rows;
use super::distribution::distribution_rows;
use super::fallback::fallback_rows;
use super::fields::{Edit, Row, form, label_cell};
use super::payload::payload_rows;
use super::retry::retry_policy_rows;
use crate::scenario::PathSegment::Key;
use crate::scenario::limits::{MAX_MS, MAX_WEIGHT};
use crate::scenario::{CacheMode, CallOrder, DistributionSpec, EdgeSpec, HedgeSpec, NodeKind, Scenario};

/// What an edge's form needs to know about the node that makes the calls.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    /// A client: its timeout and retries are its own, and its requests
    /// succeed or fail as its users see them (no fallback).
    pub client: bool,
    /// Why it cannot serve stale copies, unless it is an LRU cache.
    pub stale_why_not: Option<String>,
    /// It makes its calls in parallel: retries are not simulated on them.
    pub fan_out: bool,
}

impl Caller {
    /// The caller of `edge` in `scenario`.
    pub fn of(scenario: &Scenario, edge: &EdgeSpec) -> Caller {
        let kind = scenario.node(&edge.from).map(|n| &n.kind);
        let lru_cache = matches!(kind, Some(NodeKind::Cache(c)) if matches!(c.mode, CacheMode::Lru { .. }));
        Caller {
            client: matches!(kind, Some(NodeKind::Client(_))),
            stale_why_not: (!lru_cache).then(|| {
                format!(
                    "Only on the edge from a cache in LRU mode to its store: the cache answers with its expired copy \
                     of the key. \"{}\" is not an LRU cache: use a default answer.",
                    edge.from
                )
            }),
            fan_out: matches!(kind, Some(NodeKind::Service(s)) if s.calls != CallOrder::Sequential),
        }
    }
}

/// The form for an edge's parameters. Edits `spec` in place. An edge from
/// a client has no timeout, retries or fallback of its own: the client's
/// apply to it, and its users see its failures. Every edge may have a
/// circuit breaker, a client's too.
pub fn edge_params_ui(ui: &mut Ui, spec: &mut EdgeSpec, edit: &mut Edit, salt: usize, caller: &Caller) {
    let from_client = caller.client;
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
        payload_rows(ui, edit, spec);
        Row::new("weight", "weight")
            .speed(0.05)
            .help("Share of traffic for a weighted load balancer (ignored by other policies). Applies at once.")
            .number(ui, edit, &mut spec.weight, 0.0..=MAX_WEIGHT);
        let had_bulkhead = spec.max_concurrent.is_some();
        Row::new("bulkhead", "max_concurrent")
            .unit(" calls")
            .help(
                "At most this many calls over this link at once; one more fails at once ('bulkhead full'). \
                 Use it so one slow dependency cannot take every worker of the caller. Applies at once.",
            )
            .optional_whole(ui, edit, &mut spec.max_concurrent, (10, "no cap"));
        if had_bulkhead && spec.max_concurrent.is_none() {
            // No bulkhead, no place to wait for.
            spec.bulkhead_wait_ms = None;
        }
        if spec.max_concurrent.is_some() || spec.bulkhead_wait_ms.is_some() {
            Row::new("  wait for a place", "bulkhead_wait_ms")
                .unit(" ms")
                .help(
                    "A call that finds the bulkhead full waits up to this long for a place, first come first \
                     served, and only then fails ('bulkhead full'). A short wait smooths bursts without letting a \
                     line build up behind a slow dependency; the caller's timeout counts the wait. Off = fail at \
                     once. Applies at once.",
                )
                .optional_number(ui, edit, &mut spec.bulkhead_wait_ms, (50.0, "fail at once"), 0.001..=MAX_MS);
        }
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
        // Nor are a fan-out's calls retried (the rows show while a file or
        // an earlier choice set them, with the problem under them).
        if (!from_client && !caller.fan_out) || spec.retry.is_some() {
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
        // A client or a fan-out cannot hedge (the file format refuses it);
        // the row still shows when a file set it, with its problem.
        if (!from_client && !caller.fan_out) || spec.hedge.is_some() {
            let mut delay_ms = spec.hedge.map(|h| h.delay_ms);
            edit.within(&[Key("hedge")], |edit| {
                Row::new("hedge after", "delay_ms")
                    .unit(" ms")
                    .help(
                        "When a call over this link is still unanswered after this long, send a second copy (from a \
                         load balancer, to another target) and take the first answer. Set it near the call's p95: \
                         about 5 % more calls, and a slow replica or a long tail no longer sets the p99. The slow \
                         copy is not cancelled. Applies at once.",
                    )
                    .optional_number(ui, edit, &mut delay_ms, (50.0, "never"), 0.001..=MAX_MS);
            });
            spec.hedge = delay_ms.map(|delay_ms| HedgeSpec { delay_ms });
        }
        breaker_rows(ui, edit, &mut spec.breaker);
        if !from_client || spec.fallback.is_some() {
            fallback_rows(ui, edit, &mut spec.fallback, caller.stale_why_not.as_deref());
        }
    });
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use egui_kittest::Harness;

    use super::*;
    use crate::gui::problems::DocProblems;
    use crate::scenario::limits::{MAX_BREAKER_PROBES, MAX_BREAKER_WINDOW_S};
    use crate::scenario::{
        BreakerSpec, BreakerWindow, FallbackSpec, RetryBudget, RetryPolicy, WaitFor, default_scenario,
    };

    /// Draws edge `index`'s form with the document's problems and returns
    /// how many it has and the messages no row showed under its field.
    fn unplaced_problems(scenario: &Scenario, index: usize) -> (usize, Vec<String>) {
        let problems = DocProblems::of(scenario).edges.get(&index).cloned().unwrap_or_default();
        let edge = &scenario.edges[index];
        let caller = Caller::of(scenario, edge);
        let spec = RefCell::new(edge.clone());
        let edit = RefCell::new(Edit::with_problems(&problems));
        let mut harness = Harness::new_ui(|ui| {
            edge_params_ui(ui, &mut spec.borrow_mut(), &mut edit.borrow_mut(), index, &caller);
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
        e.fallback = Some(FallbackSpec::Respond { latency: Some(DistributionSpec::Exponential { mean_ms: -1.0 }) });
        e.hedge = Some(HedgeSpec { delay_ms: 0.0 });
        let (found, unplaced) = unplaced_problems(&s, inner);
        assert_eq!(found, 16, "each wrong field has its problem");
        assert!(unplaced.is_empty(), "not under their rows: {unplaced:?}");
    }

    /// A fallback where there can be none (a stale copy from a node that is
    /// no LRU cache, any fallback on a client's edge) and retries on a
    /// fan-out's call: each problem under the row that set it, which shows
    /// while it is set even where it is not offered.
    #[test]
    fn fallback_and_fan_out_problems_show_under_their_rows() {
        let base = default_scenario();
        let mut stale = base.clone();
        let inner = edge_from(&stale, false);
        stale.edges[inner].fallback = Some(FallbackSpec::ServeStale);
        let mut client = base.clone();
        let outer = edge_from(&client, true);
        client.edges[outer].fallback = Some(FallbackSpec::Respond { latency: None });
        let mut fan_out = base.clone();
        let app = fan_out.node_index("app-1").expect("app-1");
        if let NodeKind::Service(svc) = &mut fan_out.nodes[app].kind {
            svc.calls = CallOrder::Parallel { wait_for: WaitFor::First };
        }
        let to_cache = fan_out.edges.iter().position(|e| e.from == "app-1").expect("app-1 calls the cache");
        fan_out.edges[to_cache].retry = Some(RetryPolicy {
            max_attempts: 2,
            backoff_ms: 10.0,
            multiplier: 2.0,
            max_backoff_ms: 100.0,
            jitter: 0.0,
            budget: None,
        });
        for (s, index) in [(&stale, inner), (&client, outer), (&fan_out, to_cache)] {
            let (found, unplaced) = unplaced_problems(s, index);
            assert_eq!(found, 1, "{:?}", s.edges[index]);
            assert!(unplaced.is_empty(), "not under their rows: {unplaced:?}");
        }
        // The cache's own edge to its store takes a stale copy.
        let mut lru = base;
        let store = lru.edges.iter().position(|e| e.from == "cache").expect("the cache's store");
        lru.edges[store].fallback = Some(FallbackSpec::ServeStale);
        assert_eq!(unplaced_problems(&lru, store).0, 0, "valid from an LRU cache");
        assert!(Caller::of(&lru, &lru.edges[store]).stale_why_not.is_none());
        assert!(Caller::of(&stale, &stale.edges[inner]).stale_why_not.is_some_and(|w| w.contains("\"lb\"")));
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
