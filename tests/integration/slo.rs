//! SLOs and burn-rate alerts (issue 10): the arithmetic on designed runs,
//! to the window; the error budget against its closed form; validation
//! with `file:line:column`; the bundled lesson; and no cost to a run
//! without SLOs.

use archsim::scenario::{LoadError, Scenario, bundled, parse_scenario};
use archsim::sim::{SimEventKind, SimTime, Simulation, prometheus::prometheus_text};

/// 1,000 requests/s to a service that fails half of them from 20 s to
/// 40 s, with an availability SLO of 99 % (a 1 % budget: a 50× burn
/// while the errors last) and the given SLOs and alerts sections.
fn half_failing(slos_and_alerts: &str) -> Scenario {
    let source = format!(
        r#"(
    name: "half failing",
    seed: 3,
    duration_s: 60,
    nodes: [
        (id: "users", kind: Client(arrivals: Poisson(rate: 1000))),
        (id: "api", kind: Service(workers: 8, service_time: Constant(ms: 1))),
    ],
    edges: [(from: "users", to: "api")],
    faults: [Errors(node: "api", probability: 0.5, from_s: 20, to_s: 40)],
    {slos_and_alerts}
)"#
    );
    parse_scenario(&source, "half-failing.ron").unwrap_or_else(|e| panic!("{e}"))
}

fn run(s: &Scenario) -> Simulation {
    let mut sim = Simulation::new(s).expect("valid");
    sim.run_until(SimTime::from_secs(s.duration_s));
    sim
}

const AVAILABILITY_99: &str = r#"slos: [(name: "avail", objective: Availability(target: 99))],
    alerts: [(name: "page", slo: "avail", rule: BurnRate(factor: 14, long_window_s: 10, short_window_s: 2))],"#;

/// Burn rate over the `n` windows closing at or before `end_s`, worked
/// out again from the time series the engine keeps (end to end: failed
/// over answered, over the budget of 1 %).
fn burn_from_series(sim: &Simulation, end_s: f64, n: usize) -> f64 {
    let frames: Vec<_> = sim.series().frames().iter().filter(|f| f.end_s <= end_s + 1e-9).collect();
    let (bad, valid) = frames.iter().rev().take(n).fold((0u64, 0u64), |(b, v), f| {
        let e = &f.end_to_end;
        (b + e.failed, v + e.ok + e.degraded + e.failed)
    });
    bad as f64 / valid as f64 / 0.01
}

#[test]
fn a_burn_rate_alert_fires_at_the_first_close_where_both_windows_exceed_the_factor() {
    let sim = run(&half_failing(AVAILABILITY_99));
    let slo = &sim.slo_reports()[0];
    let alert = &slo.alerts[0];
    // The errors burn 50×: over 10 s that is 5× a second of them, so the
    // long window passes 14× after 3 s of errors (15×), not after 2 (10×).
    assert_eq!(alert.fired, 1, "{alert:?}");
    let span = alert.spans[0];
    assert_eq!(span.from_s, 23.0, "fires at the third window close of the errors: {alert:?}");
    // And resolves when the 2 s short window holds none of them.
    assert_eq!(span.to_s, Some(42.0), "{alert:?}");
    assert!((alert.firing_s - 19.0).abs() < 1e-9, "{alert:?}");
    // The engine's rule, worked out independently from the series: the
    // first close where both windows exceed the factor.
    let first = sim
        .series()
        .frames()
        .iter()
        .map(|f| f.end_s)
        .find(|&t| burn_from_series(&sim, t, 10) > 14.0 && burn_from_series(&sim, t, 2) > 14.0);
    assert_eq!(first, Some(23.0));
    assert!((span.burn_rate - burn_from_series(&sim, 23.0, 10)).abs() < 1e-9, "{span:?}");
    // In the event log, with its sim time, firing then resolved.
    let logged: Vec<(f64, SimEventKind)> = sim
        .event_log()
        .iter()
        .filter(|e| matches!(e.kind, SimEventKind::AlertFiring | SimEventKind::AlertResolved))
        .map(|e| (e.at.as_secs(), e.kind))
        .collect();
    assert_eq!(logged, [(23.0, SimEventKind::AlertFiring), (42.0, SimEventKind::AlertResolved)]);
}

#[test]
fn the_budget_used_is_the_closed_form_within_statistical_error() {
    let sim = run(&half_failing(AVAILABILITY_99));
    let slo = &sim.slo_reports()[0];
    // Half of 20 s of 1,000 requests/s fail: 10,000 of 60,000, a bad share
    // of 1/6, a burn of 16.7 over the 60 s period: 1,667 % of the budget.
    let expected = (20.0 * 0.5 / 60.0) / 0.01 * 100.0;
    assert!((slo.budget_used_percent / expected - 1.0).abs() < 0.03, "{} against {expected}", slo.budget_used_percent);
    assert!(!slo.met);
    assert_eq!(slo.valid, sim.report().end_to_end.ok + sim.report().end_to_end.failed);
    assert_eq!(slo.bad, sim.report().end_to_end.failed);
    // Over a period 10 times the run, a tenth of it.
    let longer = half_failing(&AVAILABILITY_99.replace("target: 99)", "target: 99), period_s: 600"));
    let tenth = &run(&longer).slo_reports()[0];
    assert!((tenth.budget_used_percent * 10.0 - slo.budget_used_percent).abs() < 1e-6);
}

#[test]
fn a_latency_threshold_alert_counts_the_slow_answers_of_each_window() {
    // Constant 5 ms work, 50 ms while slowed ×10 from 20 s to 30 s: every
    // answer then misses 20 ms; none does otherwise.
    let s = parse_scenario(
        r#"(
    name: "slowed",
    duration_s: 60,
    nodes: [
        (id: "users", kind: Client(arrivals: Poisson(rate: 100))),
        (id: "api", kind: Service(workers: 50, service_time: Constant(ms: 5))),
    ],
    edges: [(from: "users", to: "api")],
    faults: [Slow(node: "api", factor: 10, from_s: 20, to_s: 30)],
    slos: [(name: "fast-api", node: "api", objective: Latency(percentile: 99, below_ms: 20))],
    alerts: [(name: "slow", slo: "fast-api", rule: Threshold(bad_percent: 60, window_s: 2))],
)"#,
        "slowed.ron",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let sim = run(&s);
    let slo = &sim.slo_reports()[0];
    // The slow answers are exactly those of the requests started while
    // slowed: count them from the per-window series.
    let answered: u64 = sim.series().frames().iter().map(|f| f.nodes[1].ok).sum();
    assert_eq!(slo.valid, answered);
    let slowed: u64 =
        sim.series().frames().iter().filter(|f| f.end_s > 20.0 && f.end_s <= 31.0).map(|f| f.nodes[1].ok).sum();
    // Those windows also hold the fast answers just before and after it.
    assert!(slo.bad <= slowed && slo.bad + 200 >= slowed, "{} slow of {slowed} answered around the slowdown", slo.bad);
    assert!((slo.measured_percent - 100.0 * 50.0 / 60.0).abs() < 1.5, "{slo:?}");
    // Over 2 s the first slowed window is diluted by a fast one (about
    // 48 %): it fires at 22 s, and resolves once 2 s hold 60 % fast answers.
    let span = slo.alerts[0].spans[0];
    assert_eq!((span.from_s, span.to_s), (22.0, Some(31.0)), "{:?}", slo.alerts[0]);
}

#[test]
fn slos_change_nothing_the_engine_measures() {
    let with = run(&half_failing(AVAILABILITY_99));
    let without = run(&half_failing(""));
    assert!(without.slo_reports().is_empty());
    assert_eq!(with.report().end_to_end, without.report().end_to_end);
    assert_eq!(with.report().nodes, without.report().nodes);
    // A report without SLOs writes no `slos` (older reports read the same).
    let json = serde_json::to_string(&without.report()).expect("serialises");
    assert!(!json.contains("\"slos\""));
    let text = prometheus_text(&without.report());
    assert!(!text.contains("archsim_slo_") && !text.contains("ALERTS"), "{text}");
}

#[test]
fn the_prometheus_text_has_slo_gauges_and_the_alerts_firing() {
    let mut sim = Simulation::new(&half_failing(AVAILABILITY_99)).expect("valid");
    sim.run_until(SimTime::from_secs(30.0));
    let text = prometheus_text(&sim.report());
    assert!(text.contains("archsim_slo_objective_ratio{slo=\"avail\"} 0.99"), "{text}");
    assert!(text.contains("ALERTS{alertname=\"page\",alertstate=\"firing\",slo=\"avail\"} 1"), "{text}");
    assert!(text.contains("archsim_slo_alert_firings_total{slo=\"avail\",alertname=\"page\"} 1"), "{text}");
}

/// The messages of a source that must not load, as `file:line:column: message`.
fn errors(slos_and_alerts: &str) -> String {
    let source = format!(
        r#"(
    name: "bad",
    window_s: 2,
    nodes: [
        (id: "users", kind: Client(arrivals: Poisson(rate: 10))),
        (id: "api", kind: Service(workers: 2, service_time: Constant(ms: 1))),
    ],
    edges: [(from: "users", to: "api")],
    {slos_and_alerts}
)"#
    );
    match parse_scenario(&source, "bad.ron") {
        Ok(_) => panic!("expected problems:\n{source}"),
        Err(e @ LoadError::Invalid(_)) => e.to_string(),
        Err(other) => panic!("expected diagnostics, got {other}"),
    }
}

#[test]
fn bad_slos_and_alerts_are_named_at_their_line_and_column() {
    let text = errors(
        r#"slos: [
        (name: "a", node: "apj", objective: Availability(target: 100)),
        (name: "a", objective: Latency(percentile: 0, below_ms: -1), period_s: 1),
    ],
    alerts: [
        (name: "x", slo: "b", rule: BurnRate(factor: 14.4, long_window_s: 60, short_window_s: 5)),
        (name: "x", slo: "a", rule: BurnRate(factor: 2000, long_window_s: 4, short_window_s: 4)),
        (name: "y", slo: "a", rule: Threshold(bad_percent: 100, window_s: 8000)),
    ],"#,
    );
    let expect = [
        "bad.ron:10:21: SLO \"a\": there is no node \"apj\"; did you mean \"api\"?",
        "bad.ron:10:58: `target` is a percentage of good events",
        "bad.ron:11:10: SLO \"a\" is declared twice",
        "bad.ron:11:40: `percentile` is a percentage of good events",
        "bad.ron:11:55: `below_ms` must be more than 0",
        "bad.ron:11:70: `period_s` must be at least 2",
        "bad.ron:14:21: alert \"x\" watches no SLO \"b\"; the SLOs are \"a\", \"a\"",
        "bad.ron:14:79: `short_window_s` must be a whole number of metrics windows (`window_s` is 2 s)",
        "bad.ron:15:10: alert \"x\" is declared twice",
        "bad.ron:15:78: `short_window_s` (4) must be shorter than `long_window_s` (4)",
        "bad.ron:16:47: `bad_percent` must be from 0 to less than 100",
        "bad.ron:16:65: `window_s` must be a whole number of metrics windows",
    ];
    for line in expect {
        assert!(text.lines().any(|l| l.starts_with(line)), "missing {line:?} in:\n{text}");
    }
    // A factor no burn can reach: 99 % allows at most 100×.
    let text = errors(
        r#"slos: [(name: "a", objective: Availability(target: 99))],
    alerts: [(name: "x", slo: "a", rule: BurnRate(factor: 100, long_window_s: 4, short_window_s: 2))],"#,
    );
    assert!(text.lines().any(|l| l.starts_with("bad.ron:10:51: a burn rate of 100× can never be reached")), "{text}");
}

#[test]
fn the_bundled_lesson_fires_fast_burn_on_the_crash_slow_burn_on_the_leak_and_nothing_on_the_blip() {
    let s = bundled("slo-burn-rate-alerts").expect("bundled").load().expect("valid");
    let sim = run(&s);
    let slo = &sim.slo_reports()[0];
    let by_name = |name: &str| slo.alerts.iter().find(|a| a.name == name).expect("an alert");
    let (fast, slow) = (by_name("fast-burn"), by_name("slow-burn"));
    let fired = |a: &archsim::sim::AlertReport| a.spans.iter().map(|s| (s.from_s, s.to_s)).collect::<Vec<_>>();
    // Nothing fires for the blip at 30 s.
    assert!(fast.spans.iter().chain(&slow.spans).all(|s| s.from_s > 40.0), "{fast:?} {slow:?}");
    // The leak (60 s to 180 s, a 10× burn) never pages, but opens a ticket.
    assert_eq!(fast.fired, 1, "fast-burn fires for the crash alone: {:?}", fired(fast));
    let crash = fast.spans[0];
    assert_eq!(crash.from_s, 221.0, "within a second of the crash at 220 s");
    let back = crash.to_s.expect("resolved");
    assert!((226.0..=230.0).contains(&back), "resolves a few seconds after 225 s: {back}");
    let ticket = slow.spans[0];
    assert!((90.0..=120.0).contains(&ticket.from_s), "slow-burn fires on the leak: {:?}", fired(slow));
    assert!(ticket.to_s.is_some_and(|t| (181.0..=200.0).contains(&t)), "{:?}", fired(slow));
    assert!(slow.spans.iter().any(|s| s.from_s >= 220.0 && s.from_s <= 222.0), "and on the crash: {:?}", fired(slow));
    assert!(!slo.met, "{slo:?}");
    assert!((10.0..100.0).contains(&slo.budget_used_percent), "the 6-hour budget is not blown: {slo:?}");
}
