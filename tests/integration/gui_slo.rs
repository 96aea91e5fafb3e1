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
    if h.query_by_label_contains("availability: ").is_none() {
        h.get_by_label_contains("Verdict").click();
        h.run_steps(2);
    }
    assert!(h.query_by_label_contains("availability: ").is_some(), "the verdict reads the SLO out");
    assert!(h.query_by_label_contains("fast-burn fired at 6 s").is_some());
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
