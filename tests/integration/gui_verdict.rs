//! The verdict card as a user reads it (issue 7, major 3): it follows the
//! cause. The retry storm is blamed on retries (with backoff and jitter as
//! the fix, not more workers); a service made to fail by injected errors is
//! blamed on the errors, not on its capacity.

#![cfg(feature = "gui")]

use archsim::gui::{ArchsimApp, Command, LiveFault, ManualClock, Speed};
use archsim::scenario::{Scenario, bundled, default_scenario};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn app(scenario: Scenario) -> (Harness<'static, ArchsimApp>, ManualClock) {
    crate::common::app_on(scenario)
}

/// Runs at 10× for `secs` simulated seconds, pauses, opens the verdict tab.
fn run_and_read_the_verdict(h: &mut Harness<'static, ArchsimApp>, clock: &ManualClock, secs: f64) {
    h.state_mut().push_command(Command::SetSpeed(Speed::Times(10.0)));
    h.state_mut().push_command(Command::Play);
    h.step();
    let frames = (secs / 10.0 / 0.1).ceil() as usize;
    for _ in 0..frames {
        clock.advance(0.1);
        h.step();
    }
    h.state_mut().push_command(Command::Pause);
    h.run_steps(2);
    h.get_by_label_contains("Verdict").click();
    h.run_steps(2);
}

#[test]
fn the_retry_storm_verdict_names_retries_backoff_and_jitter() {
    let scenario = bundled("retry-storm").expect("bundled").load().expect("valid");
    let (mut h, clock) = app(scenario);
    run_and_read_the_verdict(&mut h, &clock, 60.0);
    assert!(h.query_by_label_contains("Retries amplified the load").is_some(), "the headline blames retries");
    assert!(h.query_by_label_contains("backoff and jitter").is_some(), "the fix is backoff and jitter");
    assert!(h.query_by_label_contains("more workers").is_none(), "not more workers");
}

#[test]
fn an_injected_error_rate_is_blamed_on_the_errors_not_the_workers() {
    let (mut h, clock) = app(default_scenario());
    h.state_mut().push_command(Command::Fault { node: "app-1".into(), fault: LiveFault::ErrorRate(1.0) });
    run_and_read_the_verdict(&mut h, &clock, 20.0);
    assert!(h.query_all_by_label_contains("injected").count() >= 1, "the verdict names the injected errors");
    assert!(h.query_by_label_contains("more workers").is_none(), "not more workers");
}
