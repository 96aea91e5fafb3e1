//! Simulation › Compare with… in the app (issue 11): pin a design as A,
//! edit it, and the comparison on common random numbers runs off the
//! frame, says what changed with paired intervals, and leaves A's run
//! faint on the live plots; a design compared with its unchanged self
//! differs by exactly nothing; Cancel stops it at once; a broken design
//! is said so, never a panic.

#![cfg(feature = "gui")]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use archsim::gui::{AppConfig, ArchsimApp, Command, Dialog, InitialDocument, ManualClock, ScriptedFileDialog};
use archsim::scenario::{NodeKind, Scenario, parse_scenario};
use archsim::study::compare::{Figure, Verdict};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// M/M/4 at ρ = 0.75: eight workers instead of four cut the queue, and
/// its p99, by much.
const MM4: &str = r#"(
    name: "M/M/4",
    seed: 5,
    duration_s: 10,
    warmup_s: 2,
    nodes: [
        (id: "users", kind: Client(arrivals: Poisson(rate: 300))),
        (id: "api", kind: Service(workers: 4, service_time: Exponential(mean_ms: 10))),
    ],
    edges: [(from: "users", to: "api")],
)"#;

fn app(scenario: Scenario, files: ScriptedFileDialog) -> Harness<'static, ArchsimApp> {
    let clock = ManualClock::new();
    let initial = InitialDocument::Scenario(Box::new(scenario), None);
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(move |cc| ArchsimApp::new(cc, AppConfig::for_tests(Box::new(clock), Box::new(files), initial)));
    h.run_steps(2);
    h
}

fn simulation_menu(h: &mut Harness<'static, ArchsimApp>) {
    h.get_by_label("Simulation").click();
    h.run_steps(2);
}

/// Simulation › Compare with… › `item`.
fn compare_with(h: &mut Harness<'static, ArchsimApp>, item: &str) {
    simulation_menu(h);
    h.get_by_label("Compare with…").click();
    h.run_steps(2);
    h.get_by_label(item).click();
    h.run_steps(2);
}

fn pin(h: &mut Harness<'static, ArchsimApp>) {
    simulation_menu(h);
    h.get_by_label("Pin as baseline A").click();
    h.run_steps(2);
}

/// Steps frames until the comparison's thread has finished.
fn wait(h: &mut Harness<'static, ArchsimApp>) -> usize {
    let started = Instant::now();
    let mut frames = 0;
    while h.state().comparison().is_running() {
        assert!(started.elapsed() < Duration::from_mins(3), "the comparison finishes");
        h.step();
        frames += 1;
        std::thread::sleep(Duration::from_millis(20));
    }
    h.run_steps(2);
    frames
}

fn with_workers(s: &Scenario, workers: u32) -> NodeKind {
    let mut kind = s.nodes[1].kind.clone();
    if let NodeKind::Service(svc) = &mut kind {
        svc.workers = workers;
    }
    kind
}

#[test]
fn pinned_then_edited_the_comparison_shows_p99_fell_and_draws_a_faint() {
    let scenario = parse_scenario(MM4, "mm4.ron").expect("valid");
    let mut h = app(scenario.clone(), ScriptedFileDialog::new());
    pin(&mut h);
    let pinned = h.state().comparison().pinned().expect("pinned").label();
    assert!(pinned.starts_with("A: M/M/4 (pinned ") && pinned.ends_with(" UTC)"), "{pinned}");
    // The menu says which one is pinned.
    simulation_menu(&mut h);
    h.get_by_label(&pinned);
    simulation_menu(&mut h);

    // More workers: the edited copy is B.
    h.state_mut().push_command(Command::SetNodeKind { index: 1, kind: with_workers(&scenario, 8), continuous: false });
    h.run_steps(2);
    compare_with(&mut h, "The pinned baseline");
    assert!(h.state().comparison().is_running(), "the comparison started");
    let frames = wait(&mut h);
    assert!(frames > 1, "frames went on while it ran ({frames})");

    let c = h.state().comparison().result().expect("a finished comparison").clone();
    assert_eq!(c.replications, 10, "ten pairs unless asked for more");
    let p99 = c.figure(Figure::P99).expect("p99");
    assert!(p99.delta.mean < 0.0 && p99.differs, "eight workers cut the p99: {p99:?}");
    assert_eq!(p99.verdict(), Verdict::Better);
    // The window shows the headline, the row and its verdict.
    h.get_by_label(&c.headline());
    h.get_by_label(&p99.interval_text());
    assert!(h.query_all_by_label("B is faster").count() >= 3, "mean, p50, p99 and p99.9 fell");
    assert!(c.headline().starts_with("p99 \u{2212}"), "{}", c.headline());
    // The live run was not touched.
    assert_eq!(h.state().runtime().now_s(), 0.0);

    // A's run is drawn faint on the plots, with a button that drops it.
    assert_eq!(h.state().comparison().overlay_label(), Some(pinned.as_str()));
    h.get_by_label(&format!("faint: {pinned}"));
    h.get_by_label("Drop A's run").hover();
    h.step();
    h.get_by_label("Drop A's run").click();
    h.run_steps(2);
    assert!(h.state().comparison().overlay_label().is_none());
    assert!(h.query_by_label("Drop A's run").is_none());
}

#[test]
fn an_edit_that_changes_nothing_the_engine_sees_differs_by_exactly_zero() {
    let scenario = parse_scenario(MM4, "mm4.ron").expect("valid");
    let mut h = app(scenario.clone(), ScriptedFileDialog::new());
    // Nothing to compare with before an edit.
    simulation_menu(&mut h);
    h.get_by_label("Compare with…").click();
    h.run_steps(2);
    assert!(h.get_by_label("The saved version").accesskit_node().is_disabled());
    assert!(h.get_by_label("The pinned baseline").accesskit_node().is_disabled());
    simulation_menu(&mut h);

    // An edit the engine does not see: the description.
    let mut settings = archsim::gui::ScenarioSettings::of(&scenario);
    settings.description = "the same design, described".into();
    h.state_mut().push_command(Command::SetSettings { settings, continuous: false });
    h.run_steps(2);
    assert!(h.state().document().is_dirty());
    h.state_mut().push_command(Command::SetCompareReplications(4));
    compare_with(&mut h, "The saved version");
    wait(&mut h);
    let c = h.state().comparison().result().expect("a finished comparison").clone();
    assert_eq!(c.replications, 4);
    for f in &c.figures {
        assert_eq!((f.delta.mean, f.delta.half_width), (0.0, 0.0), "{}: {f:?}", f.figure.name());
        assert_eq!(f.verdict(), Verdict::NoDifference);
    }
    assert!(c.headline().starts_with("No difference we can tell in p99, throughput"), "{}", c.headline());
    h.get_by_label(&c.headline());
    let rows = c.summary_figures().count();
    assert_eq!(rows, if c.has_cost() { 7 } else { 6 }, "no p90; cost when there is one");
    assert_eq!(h.query_all_by_label("no difference we can tell").count(), rows);
    assert!(h.state().comparison().overlay_label().is_some_and(|l| l.contains("(as opened)")));
}

#[test]
fn cancel_stops_a_long_comparison_at_once_and_no_second_starts_meanwhile() {
    let scenario = crate::common::heavy("a long comparison");
    let mut h = app(scenario, ScriptedFileDialog::new());
    pin(&mut h);
    compare_with(&mut h, "The pinned baseline");
    assert!(h.state().comparison().is_running());
    simulation_menu(&mut h);
    assert!(h.get_by_label("Compare with…").accesskit_node().is_disabled(), "one comparison at a time");
    simulation_menu(&mut h);

    h.get_by_label("Cancel").click();
    let asked = Instant::now();
    h.run_steps(1);
    while h.state().comparison().is_running() {
        assert!(asked.elapsed() < Duration::from_secs(20), "the comparison stops");
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    let took = asked.elapsed();
    h.run_steps(2);
    assert!(h.state().comparison().was_cancelled());
    assert!(took < Duration::from_secs(2), "stopped {took:?} after Cancel");
    h.get_by_label("Cancelled: nothing to compare yet.");
    assert!(h.state().comparison().overlay_label().is_none());
    simulation_menu(&mut h);
    assert!(!h.get_by_label("Compare with…").accesskit_node().is_disabled());
}

#[test]
fn a_broken_design_or_file_is_said_so_in_the_apps_words() {
    let scenario = parse_scenario(MM4, "mm4.ron").expect("valid");
    let files = ScriptedFileDialog::new();
    files.answer(Some(PathBuf::from("/nonexistent/a.ron")));
    let mut h = app(scenario.clone(), files);
    compare_with(&mut h, "A file…");
    assert!(
        matches!(h.state().dialog(), Some(Dialog::Error { title, .. }) if title.starts_with("Could not compare with")),
        "{:?}",
        h.state().dialog()
    );
    h.run_steps(2);
    assert!(h.query_by_label_contains("Could not compare with").is_some(), "the dialog is shown");
    h.get_by_label("OK").click();
    h.run_steps(2);
    assert!(h.state().dialog().is_none());

    pin(&mut h);
    h.state_mut().push_command(Command::SetNodeKind { index: 1, kind: with_workers(&scenario, 0), continuous: false });
    h.run_steps(2);
    compare_with(&mut h, "The pinned baseline");
    let lines = h.state().comparison().failure().expect("refused before running").to_vec();
    assert_eq!(lines[0], "B (M/M/4) is not a valid design:", "{lines:?}");
    h.run_steps(2);
    h.get_by_label("The comparison could not run:");
    h.get_by_label(&lines[0]);
}
