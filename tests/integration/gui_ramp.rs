//! Simulation › Ramp to 100× in the app: the ramp runs on its own thread
//! while frames go on, and its window shows the chart and where the
//! design breaks first.

#![cfg(feature = "gui")]

use std::time::{Duration, Instant};

use archsim::gui::menu_spec;
use egui_kittest::kittest::Queryable;

#[test]
fn the_ramp_runs_off_the_frame_and_shows_where_it_breaks() {
    // M/M/1 at ρ = 0.2: the ramp saturates the server at the first factor
    // ≥ 4.25, 4.64× (step 4).
    let scenario = crate::common::light_mm1("ramp in the app");
    let theory = archsim::study::knee::mmc_model(&scenario);
    let spec = menu_spec(&scenario).expect("a ramp");
    assert_eq!(spec.factors.len(), 13);
    assert_eq!(spec.duration_s, 5.0);
    let mut h = crate::common::app_on(scenario).0;
    h.run_steps(2);
    h.get_by_label("Simulation").click();
    h.run_steps(2);
    h.get_by_label("Ramp to 100×").click();
    h.run_steps(2);
    assert!(h.state().ramp().is_some(), "the ramp started");

    // Frames go on while it runs.
    let started = Instant::now();
    let mut frames = 0;
    while h.state().ramp().is_some_and(archsim::gui::RampView::is_running) {
        assert!(started.elapsed() < Duration::from_mins(2), "the ramp finishes");
        h.step();
        frames += 1;
        std::thread::sleep(Duration::from_millis(20));
    }
    h.run_steps(2);
    assert!(frames > 1, "the window kept drawing frames while the ramp ran ({frames})");

    let ramp = h.state().ramp().and_then(archsim::gui::RampView::result).expect("a finished ramp");
    assert_eq!(ramp.steps.len(), 13);
    let knee = ramp.knee.as_ref().expect("a knee");
    assert_eq!(knee.step, 4, "knee at {}×", knee.factor);
    assert_eq!(knee.node.as_deref(), Some("server"));
    let sentence = archsim::gui::knee_sentence(ramp);
    assert!(sentence.starts_with("Breaks first at server at 4.64×"), "{sentence}");
    h.get_by_label(&sentence);
    // An M/M/1: theory's knee is drawn dashed on the latency chart.
    assert!(theory.is_ok(), "{theory:?}");
    h.get_by_label(&archsim::gui::theory_note(&theory));
    // The live simulation was not touched: still paused at the start.
    assert_eq!(h.state().runtime().now_s(), 0.0);
}

/// Cancel stops the ramp within a fraction of a second even in the middle
/// of a long step, and while it runs the menu item cannot start a second.
#[test]
fn cancel_stops_a_long_step_at_once_and_no_second_ramp_starts_meanwhile() {
    use egui_kittest::kittest::NodeT;

    let scenario = crate::common::heavy("a long ramp");
    let mut h = crate::common::app_on(scenario).0;
    h.run_steps(2);
    h.get_by_label("Simulation").click();
    h.run_steps(2);
    h.get_by_label("Ramp to 100×").click();
    h.run_steps(2);
    assert!(h.state().ramp().is_some_and(archsim::gui::RampView::is_running), "the ramp started");

    // While it runs, the menu item is off: a second click starts nothing.
    h.get_by_label("Simulation").click();
    h.run_steps(2);
    assert!(h.get_by_label("Ramp to 100×").accesskit_node().is_disabled(), "one ramp at a time");
    h.get_by_label("Simulation").click();
    h.run_steps(2);

    h.get_by_label("Cancel").click();
    let asked = Instant::now();
    h.run_steps(1);
    while h.state().ramp().is_some_and(archsim::gui::RampView::is_running) {
        assert!(asked.elapsed() < Duration::from_secs(20), "the ramp stops");
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    let took = asked.elapsed();
    h.run_steps(2);
    let view = h.state().ramp().expect("the window stays, with what it had");
    assert!(view.was_cancelled(), "cancelled, not finished");
    assert_eq!(view.steps_done(), 0, "stopped in the middle of the first step");
    assert!(took < Duration::from_secs(2), "stopped {took:?} after Cancel");
    h.get_by_label("Cancelled after 0 of 13 steps.");
    // Stopped: the menu item is back.
    h.get_by_label("Simulation").click();
    h.run_steps(2);
    assert!(!h.get_by_label("Ramp to 100×").accesskit_node().is_disabled());
}
