//! The sweep dialog in the app: opened from a node's inspector or
//! Simulation › Sweep…, it runs `study::sweep` on its own thread while
//! frames go on, shows its progress, can be cancelled, and charts the
//! result: the same result `archsim sweep` gives for the same spec.

#![cfg(feature = "gui")]

use std::time::{Duration, Instant};

use archsim::gui::{ArchsimApp, SweepView};
use archsim::scenario::Scenario;
use archsim::study::knee::mmc_model;
use archsim::study::sweep::run_sweep;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

fn app(scenario: Scenario) -> Harness<'static, ArchsimApp> {
    let mut h = crate::common::app_on(scenario).0;
    h.run_steps(2);
    h
}

/// Steps frames until the sweep's thread has stopped; the frames drawn.
fn until_stopped(h: &mut Harness<'static, ArchsimApp>, limit: Duration) -> usize {
    let started = Instant::now();
    let mut frames = 0;
    while h.state().sweep().is_some_and(SweepView::is_running) {
        assert!(started.elapsed() < limit, "the sweep stops within {limit:?}");
        h.step();
        frames += 1;
        std::thread::sleep(Duration::from_millis(10));
    }
    h.run_steps(2);
    frames
}

#[test]
fn a_sweep_of_the_load_from_the_inspector_charts_the_knee_beside_theory() {
    let scenario = crate::common::light_mm1("sweep in the app");
    let mut h = app(scenario.clone());
    h.get_by_label("node users").click_accesskit();
    h.run_steps(2);
    h.get_by_label("Sweep…").click();
    // The window's first frame measures it, unseen.
    h.run_steps(4);
    let view = h.state().sweep().expect("the dialog opened");
    assert_eq!(view.path(), Some("users.rate"), "a client's natural field");
    // Pre-filled: a tenth to nine tenths of the server's 100/s, 5 replications.
    let spec = view.form_spec(&scenario).expect("a valid form");
    assert_eq!(spec.axes[0].values, (1..=9).map(|i| f64::from(i) * 10.0).collect::<Vec<_>>());
    assert_eq!(spec.replications, archsim::gui::SWEEP_REPLICATIONS);
    h.get_by_label("9 points, 45 runs");

    h.get_by_label("Run sweep").click();
    h.run_steps(1);
    assert!(h.state().sweep().is_some_and(|v| v.is_running() || v.result().is_some()), "the sweep started");
    let frames = until_stopped(&mut h, Duration::from_mins(2));
    assert!(frames >= 1, "frames went on ({frames})");

    let view = h.state().sweep().expect("the window stays");
    let result = view.result().expect("a finished sweep");
    assert_eq!(result.points.len(), 9);
    assert!(result.points.iter().all(|p| p.runs.len() == 5 && p.p99_ms.half_width > 0.0), "bands");
    // The same sweep as the command line's, bit for bit.
    let spec = view.spec().expect("the spec it ran");
    let cli = run_sweep(&scenario, spec, Some(1), &|_, _| {}).expect("the same sweep headless");
    assert_eq!(result, &cli);
    // The chart says theory's curve is on it, and the table has its points.
    h.get_by_label(&archsim::gui::theory_note(&mmc_model(&scenario)));
    h.get_by_label("Points");
    assert!(h.query_by_label("Latency (ms)").is_some(), "the latency chart");
    // The live simulation was not touched: still paused at the start.
    assert_eq!(h.state().runtime().now_s(), 0.0);
}

#[test]
fn cancel_stops_a_long_sweep_at_once_and_a_second_runs_to_its_end() {
    let scenario = crate::common::heavy("a long sweep");
    let mut h = app(scenario.clone());
    h.get_by_label("Simulation").click();
    h.run_steps(2);
    h.get_by_label("Sweep…").click();
    // The window's first frame measures it, unseen.
    h.run_steps(4);
    assert_eq!(h.state().sweep().and_then(SweepView::path), Some("users.rate"), "the first client");
    h.get_by_label("Run sweep").click();
    h.run_steps(2);
    let (done, total) = h.state().sweep().and_then(SweepView::progress).expect("running");
    assert_eq!((done, total), (0, 45), "9 points × 5 replications, the first runs still going");
    h.get_by_label("Running: 0 of 45 runs done (9 points × 5 replications)");
    // One sweep at a time: Run is off while one runs.
    assert!(h.get_by_label("Run sweep").accesskit_node().is_disabled());

    h.get_by_label("Cancel").click();
    let asked = Instant::now();
    until_stopped(&mut h, Duration::from_secs(20));
    let took = asked.elapsed();
    assert!(took < Duration::from_secs(3), "stopped {took:?} after Cancel");
    let view = h.state().sweep().expect("the window stays");
    assert!(view.was_cancelled() && view.result().is_none(), "cancelled: no result");
    h.get_by_label_contains("Cancelled after 0 of 45 runs");

    // A mistake in the values is said inline, in the study layer's words,
    // and Run waits for it to be fixed.
    let values = h.get_by_label("Values");
    values.focus();
    h.run_steps(1);
    h.key_press_modifiers(eframe::egui::Modifiers::COMMAND, eframe::egui::Key::A);
    h.get_by_label("Values").type_text("100,,200");
    h.run_steps(2);
    h.get_by_label("`users.rate`: `` is not a number");
    assert!(h.get_by_label("Run sweep").accesskit_node().is_disabled());
    h.key_press_modifiers(eframe::egui::Modifiers::COMMAND, eframe::egui::Key::A);
    h.get_by_label("Values").type_text("100,200");
    h.run_steps(2);
    h.get_by_label("2 points, 10 runs");
    h.get_by_label("Run sweep").click();
    h.run_steps(1);
    until_stopped(&mut h, Duration::from_mins(2));
    let result = h.state().sweep().and_then(SweepView::result).expect("the second sweep finished");
    assert_eq!(result.points.len(), 2);
    assert_eq!(result.points.iter().map(|p| p.values[0]).collect::<Vec<_>>(), [100.0, 200.0]);
    // The design is an M/M/64: theory's curve is on the chart.
    h.get_by_label(&archsim::gui::theory_note(&mmc_model(&scenario)));
}
