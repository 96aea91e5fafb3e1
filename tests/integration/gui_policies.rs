//! An edge's bulkhead and hedging on its card in the app: the calls in
//! flight against the cap and the calls it refused, even when a fallback
//! answers them (the bulkhead lesson through its slowdown); the copies a
//! hedge sent and those that answered first (the hedging lesson). The
//! numbers are the engine's, the same the report has.

#![cfg(feature = "gui")]

use archsim::gui::{ArchsimApp, Command, ManualClock, Speed};
use archsim::scenario::bundled;
use archsim::sim::group_thousands;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The bundled lesson `name` in the app, running at 10×, played for
/// `secs` of wall time (10 × as much simulated), then paused.
fn lesson_played(name: &str, secs: f64) -> Harness<'static, ArchsimApp> {
    let scenario = bundled(name).expect("bundled").load().expect("valid");
    let (mut h, clock): (Harness<'static, ArchsimApp>, ManualClock) = crate::common::app_on(scenario);
    h.state_mut().push_command(Command::SetSpeed(Speed::Times(10.0)));
    h.state_mut().push_command(Command::Play);
    h.step();
    let frames = (secs / 0.1).ceil() as usize;
    for _ in 0..frames {
        clock.advance(secs / frames as f64);
        h.step();
    }
    h.state_mut().push_command(Command::Pause);
    h.run_steps(2);
    h
}

/// Selects the edge `from → to` through the "calls …" link in its caller's inspector.
fn select_edge(h: &mut Harness<'static, ArchsimApp>, from: &str, to: &str) {
    h.get_by_label(&format!("node {from}")).click_accesskit();
    h.run_steps(2);
    h.get_by_label(&format!("calls {to}")).click_accesskit();
    h.run_steps(2);
}

/// The report's counts for the edge `from → to`.
fn reported(h: &Harness<'static, ArchsimApp>, from: &str, to: &str) -> archsim::sim::EdgeReport {
    let report = h.state().runtime().sim.as_ref().map(archsim::sim::Simulation::report).expect("running");
    report.edges.into_iter().find(|e| e.from == from && e.to == to).expect("such an edge")
}

/// Through the slowdown, the bulkhead on router → recs is full and refuses
/// the calls beyond it; its fallback answers them, and the edge's card
/// still shows both: "in flight 10/10" and "bulkhead full ×N so far".
#[test]
fn a_bulkheads_refusals_show_on_its_edge_card_though_a_fallback_answers_them() {
    let mut h = lesson_played("bulkheads-isolate-a-slow-dependency", 4.0);
    let now = h.state().runtime().now_s();
    assert!(now > 35.0 && now < 60.0, "in the slowdown: {now}");
    select_edge(&mut h, "router", "recs");

    let edge = reported(&h, "router", "recs");
    assert!(edge.bulkhead_full > 100 && edge.fallbacks >= edge.bulkhead_full, "{edge:?}");
    let index = h.state().runtime().sim_edge("router", "recs").expect("router → recs");
    let flow = h.state().runtime().live.edges[index];
    assert_eq!(flow.bulkhead_full, edge.bulkhead_full, "the count the report has");
    let (in_flight, cap) = flow.bulkhead.expect("an edge with max_concurrent shows it");
    assert_eq!((in_flight, cap), (10, 10), "recs is slow: every place is taken");

    assert!(h.query_by_label("in flight").is_some(), "the card's in-flight line");
    assert!(h.query_by_label("10/10").is_some(), "against the cap");
    assert!(h.query_by_label("bulkhead full").is_some(), "the refusals, under their reason's label");
    assert!(h.query_by_label(&format!("×{} so far", group_thousands(edge.bulkhead_full))).is_some());
    assert!(h.query_by_label("answered by fallback").is_some(), "and what answered them");

    // The api's edge to the router has no bulkhead: no in-flight line.
    select_edge(&mut h, "api", "router");
    assert!(h.query_by_label("in flight").is_none(), "no bulkhead, no line");
    assert!(h.query_by_label("bulkhead full").is_none());
}

/// A balancer of the hedging lesson hedges its calls to each replica: the
/// edge's card counts the copies it sent and those that answered first.
#[test]
fn a_hedged_edge_card_counts_the_copies_sent_and_those_that_won() {
    let mut h = lesson_played("hedged-requests-cut-the-tail", 1.5);
    assert!(h.state().runtime().now_s() > 10.0, "{}", h.state().runtime().now_s());
    select_edge(&mut h, "shard-00", "shard-00a");

    let edge = reported(&h, "shard-00", "shard-00a");
    assert!(edge.hedges > 5 && edge.hedges_won > 0, "{edge:?}");
    let index = h.state().runtime().sim_edge("shard-00", "shard-00a").expect("the edge");
    assert_eq!(h.state().runtime().live.edges[index].hedges, Some((edge.hedges, edge.hedges_won)));
    assert!(h.query_by_label("hedge copies sent").is_some(), "the copies sent");
    assert!(h.query_by_label("copies answered first").is_some(), "and those that won");
    assert!(h.query_by_label(&format!("{} so far", group_thousands(edge.hedges))).is_some());

    // The search's edge to the balancer does not hedge: no such lines.
    select_edge(&mut h, "search", "shard-00");
    assert!(h.query_by_label("hedge copies sent").is_none());
}
