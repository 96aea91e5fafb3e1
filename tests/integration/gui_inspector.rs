//! The inspector says what it did with a value the user typed when that is
//! not what was typed (issue 7 minor): a value brought into range, or text
//! that is not a number, gets a note beside its field. An edge's inspector
//! sets its bulkhead and schedules latency faults (issue 8), and its
//! caller's timeout, retries and retry budget; a client's edge points to
//! the client, whose inspector sets its own. Any edge, a client's too, gets
//! a circuit breaker from its inspector, which the running simulation takes
//! at once. A client sets its priority class and idempotency keys there.
//! A load balancer gets real health checks and outlier ejection.

#![cfg(feature = "gui")]

use archsim::gui::{ArchsimApp, ManualClock, PendingKey};
use archsim::scenario::{
    BreakerSpec, BreakerWindow, HealthCheckSpec, NodeKind, OutlierEjectionSpec, Priority, RetryBudget, ThrottleSpec,
    default_scenario,
};
use archsim::sim::BreakerState;
use eframe::egui::{Key, accesskit::Role};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn app() -> Harness<'static, ArchsimApp> {
    app_with_clock().0
}

/// The app on the three-tier design, and the clock that moves it.
fn app_with_clock() -> (Harness<'static, ArchsimApp>, ManualClock) {
    crate::common::app_on(default_scenario())
}

/// Plays for `secs` of wall time at the default speed.
fn play_for(h: &mut Harness<'static, ArchsimApp>, clock: &ManualClock, secs: f64) {
    if !h.state().runtime().is_running() {
        h.get_by_label("Play").click();
        h.run_steps(1);
    }
    for _ in 0..20 {
        clock.advance(secs / 20.0);
        h.step();
    }
}

/// Selects the edge `from → to` the way a user does: the node, then the
/// "calls …" link in its inspector.
fn select_edge(h: &mut Harness<'static, ArchsimApp>, from: &str, to: &str) {
    h.get_by_label(&format!("node {from}")).click_accesskit();
    h.run_steps(2);
    h.get_by_label(&format!("calls {to}")).click_accesskit();
    h.run_steps(2);
}

/// Clicks the check box labelled `label`.
fn tick(h: &mut Harness<'static, ArchsimApp>, label: &str) {
    h.get_by_role_and_label(Role::CheckBox, label).click_accesskit();
    h.run_steps(2);
}

/// Sets the spin button labelled `label` to `value`, as a screen reader does.
fn set_spin(h: &mut Harness<'static, ArchsimApp>, label: &str, value: f64) {
    h.get_by_role_and_label(Role::SpinButton, label).set_value_accesskit(value);
    h.run_steps(2);
}

/// Types `text` into the spin button labelled `label` and leaves the field.
fn type_into(h: &mut Harness<'static, ArchsimApp>, label: &str, text: &str) {
    h.get_by_role_and_label(Role::SpinButton, label).click();
    h.run_steps(2);
    h.key_press_modifiers(eframe::egui::Modifiers::COMMAND, Key::A);
    h.get_by_role_and_label(Role::SpinButton, label).type_text(text);
    h.run_steps(1);
    h.key_press(Key::Enter);
    h.run_steps(3);
}

fn workers(h: &Harness<'static, ArchsimApp>) -> u32 {
    match &h.state().document().scenario.nodes[2].kind {
        NodeKind::Service(s) => s.workers,
        other => panic!("not a service: {other:?}"),
    }
}

#[test]
fn text_that_is_not_a_number_keeps_the_old_value_with_a_note() {
    let mut h = app();
    h.get_by_label("node app-1").click_accesskit();
    // A third frame: the inspector's scroll bar, when its form is taller
    // than the panel, appears a frame late and moves the fields.
    h.run_steps(3);
    let before = workers(&h);
    type_into(&mut h, "workers", "many");
    assert_eq!(workers(&h), before);
    assert!(h.query_by_label_contains("“many” is not a number").is_some(), "the note shows");
}

#[test]
fn a_value_above_the_limit_is_set_to_the_limit_with_a_note() {
    let mut h = app();
    h.get_by_label("node app-1").click_accesskit();
    h.run_steps(3);
    type_into(&mut h, "workers", "99999999999");
    assert!(workers(&h) < 99_999_999, "brought into range: {}", workers(&h));
    assert!(h.query_by_label_contains("is above the largest value").is_some(), "the note shows");
}

/// An edge's inspector sets the resilience patterns of the link (issue 8):
/// a bulkhead switched on goes into the document, and "+ latency" adds a
/// latency fault to the link's timeline.
#[test]
fn an_edge_gets_a_bulkhead_and_a_latency_fault_from_its_inspector() {
    let mut h = app();
    h.state_mut().push_command(archsim::gui::Command::Select(archsim::gui::Selection::edge(0)));
    h.run_steps(2);
    h.get_by_role_and_label(Role::CheckBox, "bulkhead").click();
    h.run_steps(2);
    assert_eq!(h.state().document().scenario.edges[0].max_concurrent, Some(10), "the default cap goes in");
    h.get_by_role_and_label(Role::CheckBox, "  wait for a place").click();
    h.run_steps(2);
    assert_eq!(h.state().document().scenario.edges[0].bulkhead_wait_ms, Some(50.0), "calls wait 50 ms for a place");
    h.get_by_role_and_label(Role::CheckBox, "bulkhead").click();
    h.run_steps(2);
    let edge = &h.state().document().scenario.edges[0];
    assert_eq!((edge.max_concurrent, edge.bulkhead_wait_ms), (None, None), "no bulkhead, no wait for one");
    assert!(h.query_by_label("  wait for a place").is_none(), "the row goes with the bulkhead");
    h.get_by_role_and_label(Role::CheckBox, "bulkhead").click();
    h.run_steps(2);
    h.get_by_label("+ latency").click();
    h.run_steps(2);
    let faults = &h.state().document().scenario.faults;
    assert!(
        faults.iter().any(|f| matches!(f, archsim::scenario::FaultSpec::Latency { added_ms, .. } if *added_ms == 50.0)),
        "{faults:?}"
    );
}

/// The caller of an edge that is not a client's gets its own timeout,
/// retries and retry budget from the edge's inspector (issue 8): each goes
/// into the document's edge, the running simulation takes them at once
/// (nothing waits for a reset), and the calls that then time out and are
/// retried show on the edge's live card.
#[test]
fn a_service_edge_gets_a_timeout_retries_and_a_budget_that_apply_to_the_running_simulation() {
    let (mut h, clock) = app_with_clock();
    play_for(&mut h, &clock, 1.0);
    select_edge(&mut h, "app-1", "cache");
    let index = h.state().document().scenario.edges.iter().position(|e| e.from == "app-1" && e.to == "cache");
    let index = index.expect("app-1 calls the cache");
    assert!(h.query_by_label_contains("set on the client").is_none(), "a service's edge has its own");

    tick(&mut h, "timeout");
    // Shorter than a round trip to the cache (0.5 ms each way): every call times out.
    set_spin(&mut h, "timeout", 0.5);
    tick(&mut h, "retries");
    set_spin(&mut h, "  attempts", 2.0);
    tick(&mut h, "  budget");
    set_spin(&mut h, "    ratio", 20.0);

    let edge = h.state().document().scenario.edges[index].clone();
    assert_eq!(edge.timeout_ms, Some(0.5));
    let retry = edge.retry.as_ref().expect("retries on");
    assert_eq!(retry.max_attempts, 2);
    assert_eq!(retry.budget, Some(RetryBudget { ratio: 0.2, min_per_s: 10.0 }), "20 % of requests");

    let rt = h.state().runtime();
    assert!(rt.now_s() > 0.5, "the edits went to a simulation already running");
    assert!(!rt.pending.contains_key(&PendingKey::Edge(index)), "{:?}", rt.pending);
    let running = rt.sim.as_ref().map(|s| s.scenario().edges[index].clone());
    assert_eq!(running.as_ref(), Some(&edge), "the engine runs the edited edge");

    play_for(&mut h, &clock, 2.0);
    // Paused, the live card reads the counts as they stand.
    h.get_by_label("Pause").click();
    h.run_steps(2);
    let report = h.state().runtime().sim.as_ref().map(archsim::sim::Simulation::report).expect("running");
    let counted = &report.edges[index];
    assert!(counted.timeouts > 0 && counted.retries > 0 && counted.retries_denied > 0, "{counted:?}");
    let live = h.state().runtime().live.edges[index];
    assert_eq!(
        (live.timeouts, live.retries, live.retries_denied),
        (counted.timeouts, counted.retries, counted.retries_denied)
    );
    // The live card: timeouts, retries and retries denied, each "… so far".
    assert!(h.query_by_label("timeouts").is_some() && h.query_by_label("retries denied").is_some());
    assert_eq!(h.query_all_by_label_contains("so far").count(), 3, "three counts on the live card");
}

/// A client's timeout and retries are the client's (issue 8): its edge's
/// inspector says so, with a link to the client, and has no timeout or
/// retries rows of its own.
#[test]
fn a_client_edge_points_to_the_client_instead_of_showing_timeout_rows() {
    let mut h = app();
    select_edge(&mut h, "users", "lb");
    assert!(h.query_by_label_contains("timeout and retries are set on the client").is_some(), "the pointer line");
    assert!(h.query_by_role_and_label(Role::CheckBox, "timeout").is_none(), "no timeout row");
    assert!(h.query_by_role_and_label(Role::CheckBox, "retries").is_none(), "no retries row");
    h.get_by_label("select users").click_accesskit();
    h.run_steps(2);
    assert_eq!(h.state().selection().single_node(), Some("users"));
    assert!(h.query_by_role_and_label(Role::CheckBox, "timeout").is_some(), "the client's own timeout row");
}

/// The client's retries get a budget from its inspector, through the same
/// rows an edge's retries use.
#[test]
fn a_clients_retry_budget_is_set_from_its_inspector() {
    let mut h = app();
    h.get_by_label("node users").click_accesskit();
    h.run_steps(2);
    tick(&mut h, "retries");
    tick(&mut h, "  budget");
    set_spin(&mut h, "    ratio", 5.0);
    set_spin(&mut h, "    min retries", 2.0);
    let budget = match &h.state().document().scenario.nodes[0].kind {
        NodeKind::Client(c) => c.retry.as_ref().and_then(|r| r.budget),
        other => panic!("not a client: {other:?}"),
    };
    assert_eq!(budget, Some(RetryBudget { ratio: 0.05, min_per_s: 2.0 }));
}

/// The index of the edge `from → to` in the document (and in the running
/// simulation, whose topology has not changed).
fn edge_index(h: &Harness<'static, ArchsimApp>, from: &str, to: &str) -> usize {
    let edges = &h.state().document().scenario.edges;
    edges.iter().position(|e| e.from == from && e.to == to).expect("such an edge")
}

/// Where the running simulation's breaker on edge `index` is.
fn breaker_state(h: &Harness<'static, ArchsimApp>, index: usize) -> Option<BreakerState> {
    h.state().runtime().sim.as_ref().and_then(|s| s.edge_breaker_state(index))
}

/// A circuit breaker switched on in a running edge's inspector starts from
/// the defaults, takes the open time typed in, and is in force at once:
/// the engine runs the edited edge, its breaker closed, nothing waits for a
/// reset, and the edge's live card says where the breaker is.
#[test]
fn a_breaker_switched_on_for_a_running_edge_runs_closed_with_its_open_time() {
    let (mut h, clock) = app_with_clock();
    play_for(&mut h, &clock, 1.0);
    select_edge(&mut h, "app-1", "cache");
    let index = edge_index(&h, "app-1", "cache");
    assert_eq!(breaker_state(&h, index), None, "no breaker yet");

    tick(&mut h, "circuit breaker");
    set_spin(&mut h, "  open time", 12.0);

    let edge = h.state().document().scenario.edges[index].clone();
    assert_eq!(edge.breaker, Some(BreakerSpec { open_s: 12.0, ..BreakerSpec::default() }));
    let rt = h.state().runtime();
    assert!(rt.now_s() > 0.5, "the edits went to a simulation already running");
    assert!(!rt.pending.contains_key(&PendingKey::Edge(index)), "{:?}", rt.pending);
    let running = rt.sim.as_ref().map(|s| s.scenario().edges[index].clone());
    assert_eq!(running.as_ref(), Some(&edge), "the engine runs the edited edge");
    assert_eq!(breaker_state(&h, index), Some(BreakerState::Closed));

    play_for(&mut h, &clock, 0.5);
    assert_eq!(breaker_state(&h, index), Some(BreakerState::Closed), "a healthy cache keeps it closed");
    assert!(h.query_by_label("closed (calls go through)").is_some(), "the live card says where it is");
}

/// A breaker on an edge whose callee dies opens and fails the calls fast;
/// the edge's inspector says so and counts them.
#[test]
fn a_breaker_opens_when_its_callee_dies_and_the_edge_card_says_so() {
    let (mut h, clock) = app_with_clock();
    play_for(&mut h, &clock, 0.5);
    select_edge(&mut h, "app-1", "cache");
    let index = edge_index(&h, "app-1", "cache");
    tick(&mut h, "circuit breaker");
    h.get_by_label("node cache").click_accesskit();
    h.run_steps(2);
    h.get_by_label("Crash").click_accesskit();
    h.run_steps(2);
    play_for(&mut h, &clock, 1.0);
    h.get_by_label("Pause").click();
    h.run_steps(2);
    assert_eq!(breaker_state(&h, index), Some(BreakerState::Open), "the cache is down: the breaker opened");

    select_edge(&mut h, "app-1", "cache");
    assert!(h.query_by_label("OPEN: calls fail fast").is_some(), "the live card says it is open");
    let failed_fast = h.state().runtime().live.edges[index].breaker_open;
    assert!(failed_fast > 0, "calls failed fast");
    assert!(h.query_by_label("failed fast (breaker)").is_some(), "and counts them");
}

/// A client's edge gets a breaker too (unlike a timeout, it belongs to the
/// edge), its window counted in seconds from the window's menu.
#[test]
fn a_client_edge_gets_a_breaker_with_a_window_in_seconds() {
    let mut h = app();
    select_edge(&mut h, "users", "lb");
    let index = edge_index(&h, "users", "lb");
    tick(&mut h, "circuit breaker");
    h.get_by_role_and_label(Role::ComboBox, "  window").click_accesskit();
    h.run_steps(2);
    h.get_by_label("seconds").click_accesskit();
    h.run_steps(2);
    set_spin(&mut h, "  window", 30.0);
    set_spin(&mut h, "  failure rate", 25.0);

    let breaker = h.state().document().scenario.edges[index].breaker;
    let expected = BreakerSpec { failure_rate: 0.25, window: BreakerWindow::Seconds(30), ..BreakerSpec::default() };
    assert_eq!(breaker, Some(expected));
    assert!(h.state().runtime().pending.is_empty(), "valid on a client's edge, and in force at once");
    assert_eq!(breaker_state(&h, index), Some(BreakerState::Closed));
}

/// Hedging is set from a load balancer's edge in the inspector and the
/// running engine takes it at once; the copies it sends show in the
/// report (issue 8).
#[test]
fn a_load_balancer_edge_gets_a_hedge_that_applies_to_the_running_simulation() {
    let (mut h, clock) = app_with_clock();
    play_for(&mut h, &clock, 1.0);
    select_edge(&mut h, "lb", "app-1");
    let index = h.state().document().scenario.edges.iter().position(|e| e.from == "lb" && e.to == "app-1");
    let index = index.expect("lb calls app-1");

    tick(&mut h, "hedge after");
    set_spin(&mut h, "hedge after", 0.5);
    let edge = h.state().document().scenario.edges[index].clone();
    assert_eq!(edge.hedge.map(|h| h.delay_ms), Some(0.5));
    let rt = h.state().runtime();
    assert!(!rt.pending.contains_key(&PendingKey::Edge(index)), "{:?}", rt.pending);
    let running = rt.sim.as_ref().map(|s| s.scenario().edges[index].clone());
    assert_eq!(running.as_ref(), Some(&edge), "the engine runs the edited edge");

    play_for(&mut h, &clock, 2.0);
    let report = h.state().runtime().sim.as_ref().map(archsim::sim::Simulation::report).expect("running");
    assert!(report.edges[index].hedges > 0, "calls slower than 0.5 ms got a copy: {:?}", report.edges[index]);
}

/// A client's priority class, idempotency keys and throttling are set from its
/// inspector and the running simulation takes them at once; a mix whose
/// shares do not add up to 100 % waits with its problem shown, and runs
/// once they do (issue 8).
#[test]
fn a_clients_priority_and_idempotency_keys_are_set_from_its_inspector() {
    let (mut h, clock) = app_with_clock();
    play_for(&mut h, &clock, 0.5);
    h.get_by_label("node users").click_accesskit();
    h.run_steps(2);
    tick(&mut h, "idempotency keys");
    tick(&mut h, "throttling");
    set_spin(&mut h, "  k", 1.5);
    h.get_by_role_and_label(Role::ComboBox, "priority").click_accesskit();
    h.run_steps(2);
    h.get_by_label("critical").click_accesskit();
    h.run_steps(2);
    let client = |h: &Harness<'static, ArchsimApp>| match &h.state().document().scenario.nodes[0].kind {
        NodeKind::Client(c) => c.clone(),
        other => panic!("not a client: {other:?}"),
    };
    let running =
        |h: &Harness<'static, ArchsimApp>| h.state().runtime().sim.as_ref().map(|s| s.scenario().nodes[0].kind.clone());
    assert!(client(&h).idempotency_keys);
    assert_eq!(client(&h).throttle, Some(ThrottleSpec { k: 1.5, window_s: 120.0 }));
    assert_eq!(client(&h).priority, Priority::Critical);
    assert_eq!(running(&h), Some(NodeKind::Client(client(&h))), "the engine runs the edited client");

    if h.query_by_label("mix of classes").is_none() {
        h.get_by_role_and_label(Role::ComboBox, "priority").click_accesskit();
        h.run_steps(2);
    }
    h.get_by_label("mix of classes").click_accesskit();
    h.run_steps(2);
    set_spin(&mut h, "  critical", 50.0);
    assert!(h.query_by_label_contains("must add up to 1").is_some(), "the problem is shown");
    assert!(!h.state().runtime().pending.is_empty(), "an invalid mix waits");
    set_spin(&mut h, "  standard", 20.0);
    assert_eq!(client(&h).priority, Priority::Mix { critical: 0.5, standard: 0.2, sheddable: 0.3 });
    assert!(h.state().runtime().pending.is_empty(), "{:?}", h.state().runtime().pending);
    assert_eq!(running(&h), Some(NodeKind::Client(client(&h))));
}

/// A load balancer's inspector switches on real health checks (the fixed
/// delay's row gives way to their rows) and outlier ejection, with values
/// typed in, and the running engine takes both at once: its probes go out
/// and the report counts them (issue 8).
#[test]
fn a_load_balancer_gets_health_checks_and_outlier_ejection_that_apply_to_the_running_simulation() {
    let (mut h, clock) = app_with_clock();
    play_for(&mut h, &clock, 1.0);
    h.get_by_label("node lb").click_accesskit();
    h.run_steps(2);
    assert!(h.query_by_role_and_label(Role::SpinButton, "health check").is_some(), "the fixed delay's row");

    tick(&mut h, "health checks");
    assert!(h.query_by_role_and_label(Role::SpinButton, "health check").is_none(), "ignored once checks are on");
    set_spin(&mut h, "  check every", 0.5);
    set_spin(&mut h, "  check timeout", 0.2);
    set_spin(&mut h, "  down after", 2.0);
    tick(&mut h, "outlier ejection");
    set_spin(&mut h, "  eject after", 3.0);
    set_spin(&mut h, "  max ejected", 50.0);

    let lb = h.state().document().scenario.nodes.iter().position(|n| n.id == "lb").expect("lb");
    let NodeKind::LoadBalancer(spec) = h.state().document().scenario.nodes[lb].kind.clone() else {
        panic!("lb is a load balancer")
    };
    assert_eq!(
        spec.health_check,
        Some(HealthCheckSpec { interval_s: 0.5, timeout_s: 0.2, unhealthy_threshold: 2, ..HealthCheckSpec::default() })
    );
    assert_eq!(
        spec.outlier_ejection,
        Some(OutlierEjectionSpec {
            consecutive_failures: 3,
            max_ejected_percent: 50,
            ..OutlierEjectionSpec::default()
        })
    );
    let rt = h.state().runtime();
    assert!(!rt.pending.contains_key(&PendingKey::Node("lb".into())), "{:?}", rt.pending);
    let running = rt.sim.as_ref().map(|s| s.scenario().nodes[lb].kind.clone());
    assert_eq!(running, Some(NodeKind::LoadBalancer(spec)), "the engine runs the edited balancer");

    play_for(&mut h, &clock, 2.0);
    let report = h.state().runtime().sim.as_ref().map(archsim::sim::Simulation::report).expect("running");
    let checks = report.nodes[lb].balancer.as_ref().map_or(0, |b| b.checks);
    assert!(checks > 0, "its probes go out: {:?}", report.nodes[lb].balancer);
}

/// A service's "deadlines" switch sets deadline propagation, which the
/// running simulation takes at once (issue 8).
#[test]
fn a_services_deadline_switch_applies_to_the_running_simulation() {
    let (mut h, clock) = app_with_clock();
    play_for(&mut h, &clock, 0.5);
    h.get_by_label("node app-1").click_accesskit();
    h.run_steps(2);
    tick(&mut h, "deadlines");
    let index = h.state().document().scenario.nodes.iter().position(|n| n.id == "app-1").expect("app-1");
    let kind = h.state().document().scenario.nodes[index].kind.clone();
    assert!(matches!(&kind, NodeKind::Service(s) if s.drop_expired), "{kind:?}");
    let running = h.state().runtime().sim.as_ref().map(|s| s.scenario().nodes[index].kind.clone());
    assert_eq!(running, Some(kind), "the engine runs the edited service");
}

/// A service's inspector sets its instances, which the running simulation
/// starts at once (the live card counts them), and switches autoscaling on
/// with its cold start (issue 9).
#[test]
fn a_services_instances_and_autoscaling_apply_to_the_running_simulation() {
    let (mut h, clock) = app_with_clock();
    play_for(&mut h, &clock, 0.5);
    h.get_by_label("node app-1").click_accesskit();
    h.run_steps(2);
    set_spin(&mut h, "instances", 3.0);
    play_for(&mut h, &clock, 0.5);
    let app = h.state().document().scenario.nodes.iter().position(|n| n.id == "app-1").expect("app-1");
    let live = h.state().runtime().sim.as_ref().and_then(|s| s.node_live(app)).expect("running");
    assert_eq!(live.instances.map(|c| c.ready), Some(3), "{live:?}");
    assert_eq!(live.workers, Some(48), "three instances of 16 workers");

    tick(&mut h, "autoscale");
    set_spin(&mut h, "  cold start", 5.0);
    let NodeKind::Service(spec) = h.state().document().scenario.nodes[app].kind.clone() else {
        panic!("app-1 is a service")
    };
    let auto = spec.autoscale.expect("autoscaling on");
    assert_eq!((auto.cold_start_s, auto.min, spec.instances), (5.0, 3, 3), "it starts from the count there is");
    let running = h.state().runtime().sim.as_ref().map(|s| s.scenario().nodes[app].kind.clone());
    assert_eq!(running, Some(NodeKind::Service(spec)), "the engine runs the edited service");
    assert!(h.query_by_label("instances at start").is_some(), "the count is where it starts");
}

/// The toolbar says what the running design costs, an hour and a month,
/// from its instances and prices (issue 9): the three-tier design's six
/// nodes at the illustrative prices cost about a dollar an hour.
#[test]
fn the_toolbar_shows_what_the_running_design_costs() {
    use archsim::sim::cost::{HOURS_PER_MONTH, usd};
    let (mut h, clock) = app_with_clock();
    play_for(&mut h, &clock, 2.0);
    let per_hour = h.state().runtime().live.cost_per_hour;
    assert!((1.0..1.1).contains(&per_hour), "{per_hour}");
    let expected = format!("{}/h · {}/month", usd(per_hour), usd(per_hour * HOURS_PER_MONTH));
    assert!(h.query_by_label(&expected).is_some(), "the toolbar shows {expected}");
}

/// A database's inspector gives it a table, switches its index off (into
/// the document and the running simulation at once) and shards it.
#[test]
fn a_databases_table_index_and_shards_are_set_from_its_inspector() {
    let (mut h, clock) = app_with_clock();
    play_for(&mut h, &clock, 0.5);
    h.get_by_label("node db").click_accesskit();
    h.run_steps(2);
    let index = h.state().document().scenario.nodes.iter().position(|n| n.id == "db").expect("db");
    let db = |h: &Harness<'static, ArchsimApp>| match &h.state().document().scenario.nodes[index].kind {
        NodeKind::Database(d) => d.clone(),
        other => panic!("not a database: {other:?}"),
    };
    tick(&mut h, "table");
    assert_eq!(db(&h).table.as_ref().map(|t| (t.rows, t.index)), Some((10_000, true)));
    set_spin(&mut h, "  rows", 10_000_000.0);
    tick(&mut h, "  index");
    let table = db(&h).table.expect("a table");
    assert_eq!((table.rows, table.index), (10_000_000, false), "the index is off in the document");
    let running = h.state().runtime().sim.as_ref().map(|s| s.scenario().nodes[index].kind.clone());
    assert_eq!(running, Some(NodeKind::Database(db(&h))), "the engine runs the edited database");
    tick(&mut h, "write time");
    assert!(db(&h).write_time.is_some());
    set_spin(&mut h, "shards", 4.0);
    assert_eq!(db(&h).shards, 4);
}

/// A node's placement (issue 9, zones): "+ region" declares a region with
/// three zones, the Placement menu puts the node in one, and the zone's
/// outage is offered beside the node's own faults. Both are undoable edits.
#[test]
fn a_node_is_placed_in_a_zone_from_its_inspector_and_offers_the_zones_outage() {
    let mut h = app();
    h.get_by_label("node app-2").click_accesskit();
    h.run_steps(2);
    assert!(h.query_by_label("no regions yet").is_some());
    h.get_by_label("+ region").click_accesskit();
    h.run_steps(2);
    let regions = |h: &Harness<'static, ArchsimApp>| h.state().document().scenario.regions.clone();
    assert_eq!(regions(&h).len(), 1);
    assert_eq!(regions(&h)[0].zones, ["us-east-1a", "us-east-1b", "us-east-1c"]);

    h.get_by_role_and_label(Role::ComboBox, "Placement").click_accesskit();
    h.run_steps(2);
    h.get_by_label("zone us-east-1b").click_accesskit();
    h.run_steps(2);
    let app = |h: &Harness<'static, ArchsimApp>| {
        let s = &h.state().document().scenario;
        s.node("app-2").map(|n| (n.zone.clone(), n.region.clone()))
    };
    assert_eq!(app(&h), Some((Some("us-east-1b".into()), None)));

    h.get_by_label("+ zone outage").click_accesskit();
    h.run_steps(2);
    let faults = &h.state().document().scenario.faults;
    assert!(
        faults
            .iter()
            .any(|f| matches!(f, archsim::scenario::FaultSpec::ZoneOutage { zone, .. } if zone == "us-east-1b")),
        "{faults:?}"
    );
    assert!(h.query_by_label_contains("zone us-east-1b down at").is_some(), "listed with the node's faults");

    h.key_press_modifiers(eframe::egui::Modifiers::COMMAND, Key::Z);
    h.key_press_modifiers(eframe::egui::Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(app(&h), Some((None, None)), "undone");
}

/// A running service's inspector puts queueing theory beside what the run
/// measured (issue 10): Erlang C's wait and p99 next to the simulation's.
#[test]
fn a_running_services_inspector_shows_theory_beside_the_simulation() {
    let (mut h, clock) = app_with_clock();
    play_for(&mut h, &clock, 3.0);
    h.get_by_label("node app-1").click_accesskit();
    h.run_steps(2);
    assert!(h.query_by_label("Theory beside the simulation").is_some());
    assert!(h.query_by_label_contains("(Erlang C) at").is_some());
    assert!(h.query_by_label("p99 here").is_some());
}

/// A database with read replicas offers to autoscale them: switched on, its
/// bounds start from the replicas it has, the document keeps it, and the
/// change waits for a reset (the replicas' room is laid out at the start).
#[test]
fn a_databases_read_replicas_are_autoscaled_from_its_inspector() {
    let (mut h, clock) = app_with_clock();
    play_for(&mut h, &clock, 0.5);
    h.get_by_label("node db").click_accesskit();
    h.run_steps(2);
    assert!(h.query_by_label("autoscale").is_none(), "nothing to scale without replicas");
    set_spin(&mut h, "read replicas", 2.0);
    tick(&mut h, "autoscale");
    set_spin(&mut h, "  max", 6.0);
    let index = h.state().document().scenario.nodes.iter().position(|n| n.id == "db").expect("db");
    let NodeKind::Database(d) = h.state().document().scenario.nodes[index].kind.clone() else {
        panic!("db is a database")
    };
    let auto = d.autoscale.expect("autoscaling on");
    assert_eq!((auto.min, auto.max, d.read_replicas), (2, 6, 2), "{auto:?}");
    assert!(h.query_by_label("read replicas at start").is_some(), "the count is where it starts");
}
