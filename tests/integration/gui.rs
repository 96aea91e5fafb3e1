//! The desktop app driven through its accessibility tree (`egui_kittest)`:
//! build a topology from the palette, run it with a manual clock, undo,
//! save and open through a scripted file dialog, a broken file, the spike
//! button, and two small snapshots.

#![cfg(feature = "gui")]

use std::path::PathBuf;

use archsim::gui::{AppConfig, ArchsimApp, Dialog, InitialDocument, ManualClock, ScriptedFileDialog, plot_data};
use archsim::scenario::{NodeKind, default_scenario};
use eframe::egui::{self, Key, Modifiers, accesskit::Role};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The app in a harness, with the clock and file dialog the test controls.
fn app_with(initial: InitialDocument) -> (Harness<'static, ArchsimApp>, ManualClock, ScriptedFileDialog) {
    let clock = ManualClock::new();
    let files = ScriptedFileDialog::new();
    let (c, f) = (clock.clone(), files.clone());
    let harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| ArchsimApp::new(cc, AppConfig::for_tests(Box::new(c), Box::new(f), initial)));
    (harness, clock, files)
}

fn three_tier() -> InitialDocument {
    InitialDocument::Scenario(Box::new(default_scenario()), None)
}

/// Lets `secs` of wall time pass over `frames` frames.
fn advance(harness: &mut Harness<'_, ArchsimApp>, clock: &ManualClock, secs: f64, frames: usize) {
    for _ in 0..frames {
        clock.advance(secs / frames as f64);
        harness.step();
    }
}

fn sim_time(harness: &Harness<'_, ArchsimApp>) -> f64 {
    harness.state().runtime().now_s()
}

/// Throughput end to end in the last closed window.
fn last_throughput(harness: &Harness<'_, ArchsimApp>) -> f64 {
    harness
        .state()
        .runtime()
        .sim
        .as_ref()
        .and_then(|s| s.series().last().map(|f| f.end_to_end.throughput_rps))
        .unwrap_or(0.0)
}

fn temp_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("archsim-gui-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

#[test]
fn build_a_topology_from_the_palette_and_watch_it_run() {
    let (mut h, clock, _files) = app_with(InitialDocument::Scenario(Box::default(), None));
    h.get_by_label("+ Client").click();
    h.run_steps(2);
    h.get_by_label("+ Service").click();
    h.run_steps(2);
    h.get_by_label("+ Database").click();
    h.run_steps(2);
    let ids: Vec<String> = h.state().document().scenario.nodes.iter().map(|n| n.id.clone()).collect();
    assert_eq!(ids, ["client-1", "service-1", "db-1"]);

    // Connect client → service → database from the inspector's "Calls".
    for (from, to) in [("client-1", "service-1"), ("service-1", "db-1")] {
        h.get_by_label(&format!("node {from}")).click_accesskit();
        h.run_steps(2);
        h.get_by_label("Call another node…").click();
        h.run_steps(2);
        h.get_by_label(&format!("call {to}")).click();
        h.run_steps(2);
    }
    let edges: Vec<(String, String)> =
        h.state().document().scenario.edges.iter().map(|e| (e.from.clone(), e.to.clone())).collect();
    assert_eq!(edges, [("client-1".into(), "service-1".into()), ("service-1".into(), "db-1".into())]);
    assert!(h.state().runtime().sim.is_some(), "{:?}", h.state().runtime().problems);

    // Set a parameter in the inspector: the service gets 3 workers.
    h.get_by_label("node service-1").click_accesskit();
    h.run_steps(2);
    h.get_by_role_and_label(Role::SpinButton, "workers").set_value_accesskit(3.0);
    h.run_steps(2);
    let workers = match &h.state().document().scenario.nodes[1].kind {
        NodeKind::Service(s) => s.workers,
        other => panic!("not a service: {other:?}"),
    };
    assert_eq!(workers, 3);

    // Play, and let five simulated seconds pass at 1×.
    h.get_by_label("Play").click();
    h.run_steps(1);
    assert!(h.state().runtime().is_running());
    advance(&mut h, &clock, 5.0, 25);
    assert!((sim_time(&h) - 5.0).abs() < 0.3, "t = {}", sim_time(&h));
    let sim = h.state().runtime().sim.as_ref().expect("running");
    let data = plot_data(sim, 60.0, Some(1));
    assert!(data.ok_rps.len() >= 4, "{:?}", data.ok_rps);
    assert!(data.ok_rps.iter().any(|p| p[1] > 50.0), "{:?}", data.ok_rps);
    assert!(!data.node_utilisation_pct.is_empty());
    // The hover card pinned in the inspector shows the numbers with capacity.
    assert!(h.query_by_label_contains("/3").is_some(), "workers n/3 in the live card");
    h.get_by_label("Pause").click();
    h.run_steps(2);
    assert!(!h.state().runtime().is_running());
    assert!(h.state().runtime().verdict.is_some());
}

#[test]
fn a_wrong_value_stays_as_typed_with_its_problem_under_the_field() {
    let (mut h, _clock, _files) = app_with(three_tier());
    h.get_by_label("node app-1").click_accesskit();
    h.run_steps(2);
    h.get_by_role_and_label(Role::SpinButton, "workers").set_value_accesskit(0.0);
    h.run_steps(3);
    let workers = match &h.state().document().scenario.nodes[2].kind {
        NodeKind::Service(s) => s.workers,
        other => panic!("not a service: {other:?}"),
    };
    assert_eq!(workers, 0, "the typed value is kept, not clamped");
    assert!(h.query_all_by_label_contains("“workers” must be").count() >= 1, "the message shows");
    assert!(h.query_by_label_contains("see the red lines").is_some());
}

#[test]
fn undo_restores_the_previous_document_and_redo_brings_the_edit_back() {
    let (mut h, _clock, _files) = app_with(three_tier());
    let original = h.state().document().scenario.clone();
    h.get_by_label("+ Cache").click();
    h.run_steps(2);
    assert_eq!(h.state().document().scenario.nodes.len(), original.nodes.len() + 1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().document().scenario, original);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().document().scenario.nodes.len(), original.nodes.len() + 1);
}

#[test]
fn save_then_open_round_trips_to_an_equal_scenario() {
    let (mut h, _clock, files) = app_with(three_tier());
    // An edit, so the file differs from the bundled scenario.
    h.get_by_label("node db").click_accesskit();
    h.run_steps(2);
    h.get_by_role_and_label(Role::SpinButton, "connections").set_value_accesskit(7.0);
    h.run_steps(2);
    let edited = h.state().document().scenario.clone();
    assert!(h.state().document().is_dirty());

    let path = temp_path("round-trip.ron");
    files.answer(Some(path.clone()));
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::S);
    h.run_steps(2);
    assert!(path.exists());
    assert!(!h.state().document().is_dirty());
    assert_eq!(files.suggested.borrow().as_slice(), ["three-tier-web-application.ron"]);

    h.key_press_modifiers(Modifiers::COMMAND, Key::N);
    h.run_steps(2);
    assert!(h.state().document().scenario.nodes.is_empty());

    files.answer(Some(path.clone()));
    h.key_press_modifiers(Modifiers::COMMAND, Key::O);
    h.run_steps(2);
    assert_eq!(h.state().document().scenario, edited);
    assert_eq!(h.state().document().path.as_deref(), Some(path.as_path()));
}

#[test]
fn a_broken_file_shows_its_problems_and_keeps_the_open_scenario() {
    let (mut h, _clock, files) = app_with(three_tier());
    let before = h.state().document().clone();
    let path = temp_path("broken.ron");
    std::fs::write(
        &path,
        "(name: \"x\", nodes: [(id: \"a\", kind: Service(workers: 0, service_time: Constant(ms: 1)))])",
    )
    .expect("write");
    files.answer(Some(path.clone()));
    h.key_press_modifiers(Modifiers::COMMAND, Key::O);
    h.run_steps(2);
    assert!(matches!(h.state().dialog(), Some(Dialog::Error { .. })));
    assert!(h.query_by_label_contains("Could not open").is_some());
    assert!(h.query_all_by_label_contains("workers").next().is_some(), "the problem is listed");
    assert_eq!(h.state().document(), &before);
    h.get_by_label("OK").click();
    h.run_steps(2);
    assert!(h.state().dialog().is_none());
}

#[test]
fn the_spike_button_raises_measured_throughput() {
    let (mut h, clock, _files) = app_with(three_tier());
    h.key_press(Key::Space);
    h.run_steps(1);
    assert!(h.state().runtime().is_running());
    advance(&mut h, &clock, 4.0, 20);
    let before = last_throughput(&h);
    assert!(before > 500.0, "{before}");
    h.get_by_label("Spike").click();
    h.run_steps(1);
    advance(&mut h, &clock, 3.0, 15);
    let during = last_throughput(&h);
    assert!(during > 2.0 * before, "before {before}, during {during}");
    assert!(h.state().runtime().alerts.entries().iter().any(|a| a.text.contains("traffic ×")));
}

#[test]
fn the_inspector_crash_button_turns_the_node_down() {
    let (mut h, clock, _files) = app_with(three_tier());
    h.key_press(Key::Space);
    advance(&mut h, &clock, 1.0, 5);
    h.get_by_label("node app-2").click_accesskit();
    h.run_steps(2);
    // Hover first, as a person does, then click.
    h.get_by_label("Crash").hover();
    h.run_steps(1);
    h.get_by_label("Crash").click();
    h.run_steps(2);
    let rt = h.state().runtime();
    let i = rt.sim_node("app-2").expect("in the simulation");
    assert!(rt.sim.as_ref().and_then(|s| s.node_live(i)).is_some_and(|l| l.down));
    assert!(h.query_by_label("Restore").is_some());
}

/// Reset starts a new run: the old run's events leave the log.
#[test]
fn reset_clears_the_previous_runs_events() {
    let (mut h, clock, _files) = app_with(three_tier());
    h.key_press(Key::Space);
    advance(&mut h, &clock, 1.0, 5);
    h.get_by_label("node app-2").click_accesskit();
    // A third frame: the inspector's scroll bar appears a frame late.
    h.run_steps(3);
    h.get_by_label("Crash").click();
    h.run_steps(2);
    let crashed =
        |h: &Harness<'_, ArchsimApp>| h.state().runtime().alerts.entries().iter().any(|a| a.text.contains("crashed"));
    assert!(crashed(&h), "the crash is logged");
    h.get_by_role_and_label(Role::Button, "Reset").click();
    h.run_steps(2);
    assert!(!crashed(&h), "the old run's crash is gone after a reset");
    assert!(h.state().runtime().alerts.entries().iter().any(|a| a.text.contains("reset to time zero")));
}

#[test]
fn a_scheduled_crash_is_an_undoable_edit_that_runs_after_reset() {
    use archsim::scenario::FaultSpec;
    let (mut h, clock, _files) = app_with(three_tier());
    h.key_press(Key::Space);
    advance(&mut h, &clock, 1.0, 5);
    h.get_by_label("node app-2").click_accesskit();
    h.run_steps(2);
    h.get_by_label("+ crash").click_accesskit();
    h.run_steps(2);
    let faults = h.state().document().scenario.faults.clone();
    assert!(
        matches!(&faults[..], [FaultSpec::Crash { node, restore_s: Some(_), .. }] if node == "app-2"),
        "{faults:?}"
    );
    assert!(h.query_by_label_contains("Applies at next reset").is_some());
    // Edit it: crash at 2 s.
    h.get_by_role_and_label(Role::SpinButton, "crash at").set_value_accesskit(2.0);
    h.run_steps(2);
    assert!(matches!(&h.state().document().scenario.faults[0], FaultSpec::Crash { at_s, .. } if *at_s == 2.0));
    // Undo takes the edit back, redo brings it again.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert!(matches!(&h.state().document().scenario.faults[0], FaultSpec::Crash { at_s, .. } if *at_s != 2.0));
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run_steps(2);
    // After a reset it happens at 2 s.
    h.get_by_label_contains("Reset (").click();
    h.run_steps(2);
    if !h.state().runtime().is_running() {
        h.get_by_label("Play").click();
        h.run_steps(1);
    }
    advance(&mut h, &clock, 2.5, 10);
    let rt = h.state().runtime();
    let i = rt.sim_node("app-2").expect("in the simulation");
    assert!(rt.now_s() > 2.0);
    assert!(rt.sim.as_ref().and_then(|s| s.node_live(i)).is_some_and(|l| l.down));
    // And remove it.
    h.get_by_label("remove").click_accesskit();
    h.run_steps(2);
    assert!(h.state().document().scenario.faults.is_empty());
}

/// A pointer event at a screen position.
fn pointer(
    h: &Harness<'_, ArchsimApp>,
    pos: egui::Pos2,
    button: egui::PointerButton,
    pressed: bool,
    modifiers: Modifiers,
) {
    h.event(egui::Event::PointerButton { pos, button, pressed, modifiers });
}

fn node_center(h: &Harness<'_, ArchsimApp>, id: &str) -> egui::Pos2 {
    h.state().node_screen_points(id).expect("the node is on the canvas").0
}

#[test]
fn the_right_click_menu_injects_faults_live() {
    let (mut h, clock, _files) = app_with(three_tier());
    h.key_press(Key::Space);
    advance(&mut h, &clock, 1.0, 5);
    let at = node_center(&h, "app-2");
    h.event(egui::Event::PointerMoved(at));
    h.run_steps(1);
    pointer(&h, at, egui::PointerButton::Secondary, true, Modifiers::NONE);
    pointer(&h, at, egui::PointerButton::Secondary, false, Modifiers::NONE);
    h.run_steps(2);
    h.get_by_label("Crash").hover();
    h.run_steps(1);
    h.get_by_label("Crash").click();
    advance(&mut h, &clock, 0.2, 2);
    let rt = h.state().runtime();
    let i = rt.sim_node("app-2").expect("in the simulation");
    assert!(rt.sim.as_ref().and_then(|s| s.node_live(i)).is_some_and(|l| l.down));
    assert!(rt.alerts.entries().iter().any(|a| a.text == "app-2 crashed"));
}

#[test]
fn dragging_from_a_handle_to_a_node_draws_an_edge() {
    let (mut h, _clock, _files) = app_with(three_tier());
    h.run_steps(2);
    let from = h.state().node_screen_points("app-1").expect("on the canvas").1;
    let to = node_center(&h, "db");
    h.event(egui::Event::PointerMoved(from));
    h.run_steps(1);
    pointer(&h, from, egui::PointerButton::Primary, true, Modifiers::NONE);
    h.run_steps(1);
    for k in 1..=10 {
        h.event(egui::Event::PointerMoved(from + (to - from) * (k as f32 / 10.0)));
        h.run_steps(1);
    }
    pointer(&h, to, egui::PointerButton::Primary, false, Modifiers::NONE);
    h.run_steps(2);
    let edges = &h.state().document().scenario.edges;
    assert!(edges.iter().any(|e| e.from == "app-1" && e.to == "db"), "{edges:?}");
    assert!(h.state().runtime().sim.is_some());
}

#[test]
fn dragging_a_node_moves_it_and_undo_puts_it_back() {
    let (mut h, _clock, _files) = app_with(three_tier());
    h.run_steps(2);
    // The cache: the database, furthest right, is past the canvas's edge at
    // 1280×800, where the topology is not shrunk below readable.
    let before = h.state().document().scenario.node("cache").map(|n| n.pos).expect("cache");
    let from = node_center(&h, "cache");
    h.event(egui::Event::PointerMoved(from));
    h.run_steps(1);
    pointer(&h, from, egui::PointerButton::Primary, true, Modifiers::NONE);
    h.run_steps(1);
    for k in 1..=5 {
        h.event(egui::Event::PointerMoved(from + egui::vec2(0.0, 12.0 * k as f32)));
        h.run_steps(1);
    }
    pointer(&h, from + egui::vec2(0.0, 60.0), egui::PointerButton::Primary, false, Modifiers::NONE);
    h.run_steps(2);
    let after = h.state().document().scenario.node("cache").map(|n| n.pos).expect("cache");
    assert_eq!(after.0, before.0);
    assert!(after.1 > before.1 + 30.0, "{before:?} -> {after:?}");
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().document().scenario.node("cache").map(|n| n.pos), Some(before));
}

#[test]
fn shift_click_selects_several_nodes_and_delete_removes_them() {
    let (mut h, _clock, _files) = app_with(three_tier());
    h.run_steps(2);
    for (id, modifiers) in [("app-1", Modifiers::NONE), ("app-3", Modifiers::SHIFT)] {
        let at = node_center(&h, id);
        h.event(egui::Event::PointerMoved(at));
        h.run_steps(1);
        h.event(egui::Event::ModifiersChanged(modifiers));
        pointer(&h, at, egui::PointerButton::Primary, true, modifiers);
        pointer(&h, at, egui::PointerButton::Primary, false, modifiers);
        h.event(egui::Event::ModifiersChanged(Modifiers::NONE));
        h.run_steps(2);
    }
    assert_eq!(h.state().selection().nodes.len(), 2, "{:?}", h.state().selection());
    h.key_press(Key::Delete);
    h.run_steps(2);
    let s = &h.state().document().scenario;
    assert!(s.node("app-1").is_none() && s.node("app-3").is_none() && s.node("app-2").is_some());
    assert!(s.edges.iter().all(|e| e.from != "app-1" && e.to != "app-3"));
    // Removing nodes of a running topology waits for a reset; before any run it applies at once.
    assert!(h.state().runtime().sim.as_ref().is_some_and(|sim| sim.node_count() == s.nodes.len()));
}

#[test]
fn replacing_an_edited_document_asks_first() {
    let (mut h, _clock, _files) = app_with(three_tier());
    h.get_by_label("+ Queue").click();
    h.run_steps(2);
    assert!(h.state().document().is_dirty());
    h.key_press_modifiers(Modifiers::COMMAND, Key::N);
    h.run_steps(2);
    assert!(matches!(h.state().dialog(), Some(Dialog::Unsaved { .. })));
    assert_eq!(h.state().document().scenario.nodes.len(), 8, "nothing replaced yet");
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert!(h.state().dialog().is_none());
    assert_eq!(h.state().document().scenario.nodes.len(), 8);
    h.key_press_modifiers(Modifiers::COMMAND, Key::N);
    h.run_steps(2);
    h.get_by_label("Don't save").click();
    h.run_steps(2);
    assert!(h.state().document().scenario.nodes.is_empty());
    assert!(!h.state().document().is_dirty());
}

#[derive(Debug)]
struct DroppedRon(PathBuf);

impl egui::DroppedFile for DroppedRon {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn a_ron_file_dropped_on_the_window_opens() {
    let (mut h, _clock, _files) = app_with(three_tier());
    let path = temp_path("dropped.ron");
    let mut s = default_scenario();
    s.name = "Dropped design".into();
    std::fs::write(&path, archsim::scenario::to_ron_string(&s)).expect("write");
    h.input_mut().dropped_files.push(std::sync::Arc::new(DroppedRon(path.clone())));
    h.run_steps(3);
    assert_eq!(h.state().document().scenario.name, "Dropped design");
    assert_eq!(h.state().document().path.as_deref(), Some(path.as_path()));
}

/// More in `gui_present.rs`: where the plots and the log go.
#[test]
fn presenter_mode_hides_the_editing_panels_keeps_the_plots_and_comes_back() {
    let (mut h, _clock, _files) = app_with(three_tier());
    assert!(h.query_by_label("+ Client").is_some());
    h.key_press(Key::F5);
    h.run_steps(3);
    assert!(h.query_by_label("+ Client").is_none());
    assert!(h.query_by_label("Scenario").is_none());
    assert!(h.query_by_label("Play").is_some(), "the run controls stay");
    assert!(h.query_by_label("Throughput req/s").is_some(), "the live plots stay");
    assert!(h.query_by_label_contains("Events (").is_some(), "the event log stays");
    h.key_press(Key::F5);
    h.run_steps(3);
    assert!(h.query_by_label("+ Client").is_some());
}

/// Small snapshots rendered on the CPU (wgpu on Mesa lavapipe).
mod snapshots {
    use super::*;

    fn small(initial: InitialDocument) -> (Harness<'static, ArchsimApp>, ManualClock) {
        let clock = ManualClock::new();
        let c = clock.clone();
        let harness = Harness::builder().with_size([960.0, 600.0]).wgpu().build_eframe(move |cc| {
            ArchsimApp::new(cc, AppConfig::for_tests(Box::new(c), Box::new(ScriptedFileDialog::new()), initial))
        });
        (harness, clock)
    }

    #[test]
    fn empty_canvas() {
        let (mut h, _clock) = small(InitialDocument::Scenario(Box::default(), None));
        h.run_steps(3);
        h.snapshot("empty_canvas");
    }

    #[test]
    fn running_three_tier() {
        let (mut h, clock) = small(three_tier());
        h.key_press(Key::Space);
        advance(&mut h, &clock, 6.0, 30);
        h.state_mut().push_command(archsim::gui::Command::Pause);
        h.run_steps(3);
        h.snapshot("running_three_tier");
    }
}
