//! Degraded answers and parallel calls in the app (issue 8): an edge's
//! inspector sets a fallback that the running simulation takes at once, and
//! offers a stale copy only where a cache can serve one; a service's
//! inspector makes its calls all at once, waiting for all, the first or a
//! quorum; and the bundled "breaker stops a cascade" run says, while the
//! recommendations service is slow, that its pages are served degraded,
//! apart from ok and failed: in the readout, the plot's legend, the shop's
//! card and the edge's card.

#![cfg(feature = "gui")]

use archsim::gui::{ArchsimApp, Command, ManualClock, PendingKey, Speed};
use archsim::scenario::{
    CallOrder, DistributionSpec, EdgeSpec, FallbackSpec, NodeKind, Scenario, WaitFor, default_scenario,
};
use eframe::egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// The app on `scenario`, and the clock that moves it.
fn app(scenario: Scenario) -> (Harness<'static, ArchsimApp>, ManualClock) {
    crate::common::app_on(scenario)
}

/// Plays for `secs` of wall time at the speed set.
fn play_for(h: &mut Harness<'static, ArchsimApp>, clock: &ManualClock, secs: f64) {
    if !h.state().runtime().is_running() {
        h.get_by_label("Play").click();
        h.run_steps(1);
    }
    let frames = (secs / 0.1).ceil() as usize;
    for _ in 0..frames {
        clock.advance(secs / frames as f64);
        h.step();
    }
}

fn pause(h: &mut Harness<'static, ArchsimApp>) {
    h.get_by_label("Pause").click();
    h.run_steps(2);
}

/// Selects the node `id` on the canvas.
fn select_node(h: &mut Harness<'static, ArchsimApp>, id: &str) {
    h.get_by_label(&format!("node {id}")).click_accesskit();
    h.run_steps(2);
}

/// Selects the edge `from → to` through the "calls …" link in its caller's inspector.
fn select_edge(h: &mut Harness<'static, ArchsimApp>, from: &str, to: &str) {
    select_node(h, from);
    h.get_by_label(&format!("calls {to}")).click_accesskit();
    h.run_steps(2);
}

/// Picks `option` in the menu labelled `menu`.
fn pick(h: &mut Harness<'static, ArchsimApp>, menu: &str, option: &str) {
    h.get_by_role_and_label(Role::ComboBox, menu).click_accesskit();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, option).click_accesskit();
    h.run_steps(2);
    // A screen reader's click picks without closing the menu (a pointer's
    // closes it): close it as a second click on the menu's button does.
    if h.query_by_role_and_label(Role::Button, option).is_some() {
        h.get_by_role_and_label(Role::ComboBox, menu).click_accesskit();
        h.run_steps(2);
    }
}

/// The document's validation problems.
fn problems(h: &Harness<'static, ArchsimApp>) -> Vec<archsim::scenario::Problem> {
    archsim::scenario::validate(&h.state().document().scenario)
}

fn edge_index(h: &Harness<'static, ArchsimApp>, from: &str, to: &str) -> usize {
    let edges = &h.state().document().scenario.edges;
    edges.iter().position(|e| e.from == from && e.to == to).expect("such an edge")
}

/// The edge `index` as the running simulation has it.
fn running_edge(h: &Harness<'static, ArchsimApp>, index: usize) -> Option<EdgeSpec> {
    h.state().runtime().sim.as_ref().map(|s| s.scenario().edges[index].clone())
}

/// A fallback picked in a running edge's inspector goes into the document
/// and the engine at once; once the callee dies, the calls it answers are
/// counted on the edge's card and the caller's card as degraded, not
/// failed. A stale copy is offered only from an LRU cache, and greyed out
/// (with why) elsewhere.
#[test]
fn a_fallback_set_on_a_running_edge_answers_for_a_dead_callee() {
    let (mut h, clock) = app(default_scenario());
    play_for(&mut h, &clock, 1.0);
    select_edge(&mut h, "app-1", "cache");
    let index = edge_index(&h, "app-1", "cache");

    h.get_by_role_and_label(Role::ComboBox, "fallback").click_accesskit();
    h.run_steps(2);
    let stale = h.get_by_label("serve stale (from an LRU cache only)");
    assert!(stale.accesskit_node().is_disabled(), "app-1 is no cache: no stale copy to serve");
    h.get_by_label("default answer").click_accesskit();
    h.run_steps(2);
    let edge = h.state().document().scenario.edges[index].clone();
    let one_ms = Some(DistributionSpec::Constant { ms: 1.0 });
    assert_eq!(edge.fallback, Some(FallbackSpec::Respond { latency: one_ms }), "a default answer in 1 ms");
    // Made at once instead.
    h.get_by_role_and_label(Role::CheckBox, "  answer time").click_accesskit();
    h.run_steps(2);
    let edge = h.state().document().scenario.edges[index].clone();
    assert_eq!(edge.fallback, Some(FallbackSpec::Respond { latency: None }));
    let rt = h.state().runtime();
    assert!(rt.now_s() > 0.5, "the edits went to a simulation already running");
    assert!(!rt.pending.contains_key(&PendingKey::Edge(index)), "{:?}", rt.pending);
    assert_eq!(running_edge(&h, index), Some(edge), "the engine runs the edited edge");

    // The cache dies: app-1's calls to it fail, and its fallback answers.
    select_node(&mut h, "cache");
    h.get_by_label("Crash").click_accesskit();
    h.run_steps(2);
    play_for(&mut h, &clock, 2.0);
    pause(&mut h);
    let report = h.state().runtime().sim.as_ref().map(archsim::sim::Simulation::report).expect("running");
    assert!(report.edges[index].fallbacks > 0, "{:?}", report.edges[index]);
    assert_eq!(h.state().runtime().live.edges[index].fallbacks, report.edges[index].fallbacks);
    select_edge(&mut h, "app-1", "cache");
    assert!(h.query_by_label("answered by fallback").is_some(), "the edge's card counts them");
    select_node(&mut h, "app-1");
    assert!(h.query_by_label("degraded").is_some(), "app-1's card has its degraded answers");
    assert!(h.query_by_label_contains("degraded ×").is_some(), "counted over the last 10 s");

    // The cache's own edge to its store may serve stale copies.
    select_edge(&mut h, "cache", "db");
    pick(&mut h, "fallback", "serve stale");
    let store = edge_index(&h, "cache", "db");
    assert_eq!(h.state().document().scenario.edges[store].fallback, Some(FallbackSpec::ServeStale));
    assert!(problems(&h).is_empty(), "valid from an LRU cache: {:?}", problems(&h));
}

/// The service app-1, calling the cache and the database.
fn fan_out_design() -> Scenario {
    let mut s = default_scenario();
    s.edges.push(EdgeSpec::new("app-1", "db"));
    s
}

/// The calls of app-1 in the document and in the running simulation.
fn calls(h: &Harness<'static, ArchsimApp>) -> (CallOrder, Option<CallOrder>) {
    let kind = |s: &Scenario| {
        s.node("app-1").map(|n| match &n.kind {
            NodeKind::Service(svc) => svc.calls,
            other => panic!("not a service: {other:?}"),
        })
    };
    let doc = kind(&h.state().document().scenario).expect("app-1");
    (doc, h.state().runtime().sim.as_ref().and_then(|s| kind(s.scenario())))
}

/// A running service's calls go all at once from its inspector, waiting
/// for all, then for a quorum (a majority to start with, then the size
/// set; one larger than its calls stays, with its problem under the row);
/// the engine takes each valid choice at once, and the service's edges no
/// longer offer retries, which a fan-out does not make.
#[test]
fn a_service_makes_its_calls_in_parallel_then_waits_for_a_quorum() {
    let (mut h, clock) = app(fan_out_design());
    play_for(&mut h, &clock, 0.5);
    select_node(&mut h, "app-1");
    pick(&mut h, "calls", "all at once, wait for all");
    let all = CallOrder::Parallel { wait_for: WaitFor::All };
    assert_eq!(calls(&h), (all, Some(all)));

    pick(&mut h, "calls", "all at once, wait for a quorum");
    let majority = CallOrder::Parallel { wait_for: WaitFor::Quorum(2) };
    assert_eq!(calls(&h), (majority, Some(majority)), "2 of its 2 calls");
    h.get_by_role_and_label(Role::SpinButton, "  quorum").set_value_accesskit(1.0);
    h.run_steps(2);
    let one = CallOrder::Parallel { wait_for: WaitFor::Quorum(1) };
    assert_eq!(calls(&h), (one, Some(one)));
    // More than its calls: kept as typed, with the problem under the row,
    // and the engine goes on with the last valid quorum.
    h.get_by_role_and_label(Role::SpinButton, "  quorum").set_value_accesskit(5.0);
    h.run_steps(2);
    let five = CallOrder::Parallel { wait_for: WaitFor::Quorum(5) };
    assert_eq!(calls(&h), (five, Some(one)));
    assert!(h.query_by_label_contains("a quorum must be 1 to 2").is_some(), "the problem under the row");
    h.get_by_role_and_label(Role::SpinButton, "  quorum").set_value_accesskit(2.0);
    h.run_steps(2);
    assert_eq!(calls(&h), (majority, Some(majority)));
    assert!(h.state().runtime().pending.is_empty(), "{:?}", h.state().runtime().pending);
    assert!(problems(&h).is_empty(), "{:?}", problems(&h));

    select_edge(&mut h, "app-1", "cache");
    assert!(h.query_by_role_and_label(Role::CheckBox, "retries").is_none(), "a fan-out's calls are not retried");
    assert!(h.query_by_role_and_label(Role::ComboBox, "fallback").is_some(), "but may have a fallback");
    play_for(&mut h, &clock, 0.5);
    assert!(h.state().runtime().now_s() > 0.9, "it runs on");
}

/// The bundled cascade, opened from the library and run past 40 s: while
/// the recommendations service is slow every page is served degraded, and
/// the app says so apart from ok and failed wherever it counts answers.
#[test]
fn the_cascade_scenario_reports_degraded_answers_while_recs_is_slow() {
    let (mut h, clock) = app(default_scenario());
    h.get_by_label("Breaker and fallback stop a cascade").click_accesskit();
    h.run_steps(3);
    assert_eq!(h.state().document().scenario.name, "Breaker and fallback stop a cascade");
    h.state_mut().push_command(Command::SetSpeed(Speed::Times(10.0)));
    h.run_steps(1);
    play_for(&mut h, &clock, 4.5);
    pause(&mut h);
    let now = h.state().runtime().now_s();
    assert!(now > 40.0 && now < 60.0, "in the slowdown: {now}");

    let readout = h.get_by_label_contains("now: ").value().unwrap_or_default();
    assert!(readout.contains("% degraded"), "the readout: {readout}");
    assert!(readout.ends_with("0 % failed"), "nothing failed: {readout}");
    assert!(h.query_by_label("– degraded").is_some(), "the throughput plot's legend");
    let plots = archsim::gui::plot_data(h.state().runtime().sim.as_ref().expect("running"), 30.0, None);
    let last = plots.degraded_rps.last().map_or(0.0, |p| p[1]);
    assert!(last > 150.0, "the degraded series: {last}");

    select_node(&mut h, "shop");
    assert!(h.query_by_label("degraded").is_some(), "the shop's card has a degraded line");
    let share = h.query_all_by_label_contains(" answers").filter_map(|n| n.value()).find(|v| v.contains(" % · "));
    assert!(share.is_some(), "the card's degraded share and count");
    assert!(h.query_by_label_contains("degraded ×").is_some(), "the shop's degraded answers over 10 s");
    assert!(h.query_by_label_contains("– degraded %").is_some(), "the shop's own plot");
    select_edge(&mut h, "shop", "recs");
    assert!(h.query_by_label("answered by fallback").is_some(), "the edge's card");
    assert!(h.query_by_label("OPEN: calls fail fast").is_some() || h.query_by_label("half-open: probing").is_some());
}
