//! An SLO's alert in the app: it fires into the event log with its time,
//! shades the plots while it fires, and the verdict reads the SLO out.

#![cfg(feature = "gui")]

use archsim::gui::{Command, Speed, plot_data};
use archsim::scenario::parse_scenario;
use egui_kittest::kittest::Queryable;

const SCENARIO: &str = r#"(
    name: "an alert in the app",
    duration_s: 60,
    nodes: [
        (id: "users", pos: (60, 200), kind: Client(arrivals: Poisson(rate: 200))),
        (id: "api", pos: (300, 200), kind: Service(workers: 8, service_time: Exponential(mean_ms: 5))),
    ],
    edges: [(from: "users", to: "api")],
    faults: [Crash(node: "api", at_s: 5, restore_s: 8)],
    slos: [(name: "availability", objective: Availability(target: 99.9))],
    alerts: [(name: "fast-burn", slo: "availability", rule: BurnRate(factor: 14.4, long_window_s: 10, short_window_s: 2))],
)"#;

#[test]
fn an_alert_fires_into_the_event_log_and_the_verdict_reads_the_slo_out() {
    let scenario = parse_scenario(SCENARIO, "alert.ron").expect("valid");
    let (mut h, clock) = crate::common::app_on(scenario);
    h.state_mut().push_command(Command::SetSpeed(Speed::Times(10.0)));
    h.state_mut().push_command(Command::Play);
    h.step();
    for _ in 0..15 {
        clock.advance(0.1);
        h.step();
    }
    h.state_mut().push_command(Command::Pause);
    h.run_steps(2);
    let now = h.state().runtime().now_s();
    assert!(now >= 12.0, "ran to {now} s");
    // Pausing shows the verdict: its SLO line.
    if h.query_by_label_contains("Verdict •").is_some() {
        h.get_by_label_contains("Verdict").click();
        h.run_steps(2);
    }
    // The verdict's line and the live one above the plots.
    assert_eq!(h.query_all_by_label_contains("availability: ").count(), 2, "the verdict reads the SLO out");
    assert_eq!(h.query_all_by_label_contains("fast-burn fired at 6 s").count(), 2);
    // Its span is shaded on the plots.
    let sim = h.state().runtime().sim.as_ref().expect("a simulation");
    let shades = plot_data(sim, 60.0, None).alert_spans;
    assert_eq!(shades.len(), 1, "{shades:?}");
    assert_eq!(shades[0].from_s, 6.0, "fires at the first window close of the crash");
    // The log lines, as the user reads them.
    h.get_by_label_contains("Events (").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains("alert fast-burn firing").is_some(), "the alert is in the event log");
    assert!(h.query_by_label_contains("alert fast-burn resolved").is_some(), "and its end");
}

/// Above the plots, each SLO reads out live: while its alert fires, the
/// line says so in red, with the error budget spent as a bar.
#[test]
fn the_slo_reads_out_live_above_the_plots_while_its_alert_fires() {
    let scenario = parse_scenario(SCENARIO, "alert.ron").expect("valid");
    let (mut h, clock) = crate::common::app_on(scenario);
    h.state_mut().push_command(Command::SetSpeed(Speed::Times(10.0)));
    h.state_mut().push_command(Command::Play);
    h.step();
    assert!(h.query_by_label_contains("availability: 100.00 %").is_some(), "read out from the start");
    while h.state().runtime().now_s() < 7.0 {
        clock.advance(0.05);
        h.step();
    }
    h.state_mut().push_command(Command::Pause);
    h.run_steps(2);
    let sim = h.state().runtime().sim.as_ref().expect("a simulation");
    let line = &plot_data(sim, 60.0, None).slos[0];
    assert!(line.text.contains("fast-burn FIRING since 6 s"), "{}", line.text);
    assert!(line.budget_used > 1.0, "a crash blows a 99.9 % budget over a minute: {}", line.budget_used);
    assert!(h.query_all_by_label_contains("fast-burn FIRING since 6 s").next().is_some(), "shown: {}", line.text);
}
