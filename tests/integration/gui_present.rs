//! The app in front of a room (issue 7): the UI zoom grows the topology's
//! text with the panels instead of shrinking it, node text never falls
//! below a readable size, and presenter mode keeps the live plots and the
//! event log beside a big canvas.

#![cfg(feature = "gui")]

use archsim::gui::canvas::geometry::NODE_SIZE;
use archsim::gui::canvas::node_view::{MIN_TEXT_POINTS, SMALL_TEXT};
use archsim::gui::{AppConfig, ArchsimApp, Command, InitialDocument, LiveFault, ManualClock, ScriptedFileDialog};
use archsim::scenario::default_scenario;
use eframe::egui::{self, Key, Modifiers, TextStyle};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The window's size in physical pixels (the harness runs at one pixel
/// per point at 100 %).
const WINDOW_PX: egui::Vec2 = egui::vec2(1280.0, 800.0);

/// The app with the three-tier scenario, paused, in a 1280×800 window.
fn three_tier_app() -> (Harness<'static, ArchsimApp>, ManualClock) {
    let clock = ManualClock::new();
    let c = clock.clone();
    let initial = InitialDocument::Scenario(Box::new(default_scenario()), None);
    let mut harness = Harness::builder().with_size(WINDOW_PX).build_eframe(move |cc| {
        ArchsimApp::new(cc, AppConfig::for_tests(Box::new(c), Box::new(ScriptedFileDialog::new()), initial))
    });
    harness.run_steps(3);
    (harness, clock)
}

/// Presses a zoom key as a person does. A real window keeps its pixels, so
/// it holds fewer points as the zoom grows: the harness is resized to match.
fn zoom_key(h: &mut Harness<'_, ArchsimApp>, key: Key) {
    h.key_press_modifiers(Modifiers::COMMAND, key);
    h.run_steps(1);
    let zoom = h.ctx.zoom_factor();
    h.set_size(WINDOW_PX / zoom);
    h.run_steps(3);
}

/// How tall node text is on screen, pixels.
fn node_text_px(h: &Harness<'_, ArchsimApp>) -> f32 {
    h.state().node_text_points().expect("the canvas was drawn") * h.ctx.pixels_per_point()
}

/// How wide a node's box is on screen, pixels (twice its centre to its
/// handle on the right edge).
fn node_width_px(h: &Harness<'_, ArchsimApp>, id: &str) -> f32 {
    let (centre, handle) = h.state().node_screen_points(id).expect("the node is on the canvas");
    2.0 * (handle.x - centre.x) * h.ctx.pixels_per_point()
}

#[test]
fn zoom_grows_node_text() {
    let (mut h, _clock) = three_tier_app();
    let text_at_100 = node_text_px(&h);
    let width_at_100 = node_width_px(&h, "app-1");
    // The topology is wider than the canvas at 1280×800: it is fitted no
    // smaller than readable, not shrunk until the text is 6 px.
    assert!(text_at_100 >= MIN_TEXT_POINTS - 0.01, "node text {text_at_100} px at 100 %");

    for _ in 0..5 {
        zoom_key(&mut h, Key::Plus);
    }
    assert!((h.ctx.zoom_factor() - 1.5).abs() < 1e-3, "zoom {}", h.ctx.zoom_factor());
    let text_at_150 = node_text_px(&h);
    let width_at_150 = node_width_px(&h, "app-1");
    assert!(text_at_150 >= 1.4 * text_at_100, "{text_at_100} px at 100 %, {text_at_150} px at 150 %");
    assert!(width_at_150 >= 1.4 * width_at_100, "{width_at_100} px at 100 %, {width_at_150} px at 150 %");

    // Fitting the topology into the smaller canvas (in points) keeps the
    // text at least as large as the zoom makes the readable minimum.
    h.key_press(Key::F);
    h.run_steps(3);
    let fitted = node_text_px(&h);
    assert!(fitted >= 1.5 * MIN_TEXT_POINTS - 0.01, "{fitted} px after fitting at 150 %");

    // A scroll-wheel zoom out on the canvas stops at the readable minimum too.
    let at = h.state().node_screen_points("app-1").expect("on the canvas").0;
    h.event(egui::Event::PointerMoved(at));
    for _ in 0..20 {
        h.event(egui::Event::Zoom(0.7));
        h.run_steps(1);
    }
    let zoomed_out = node_text_px(&h);
    assert!(zoomed_out >= 1.5 * MIN_TEXT_POINTS - 0.01, "{zoomed_out} px after zooming the canvas out");

    // Ctrl 0 returns to 100 %, and the text to its size there.
    zoom_key(&mut h, Key::Num0);
    assert!((h.ctx.zoom_factor() - 1.0).abs() < 1e-3);
    let back = node_text_px(&h);
    assert!(back >= MIN_TEXT_POINTS - 0.01 && back < text_at_150, "{back} px back at 100 %");
}

/// The window opens small and is then sized to the monitor: the topology,
/// fitted and untouched, is fitted again into the larger canvas rather than
/// keeping a scale chosen for a canvas too small to show it all.
#[test]
fn a_fitted_topology_stays_fitted_when_the_window_grows() {
    let (mut h, _clock) = three_tier_app();
    let inspector_left = |h: &Harness<'_, ArchsimApp>| h.get_by_label("Scenario").rect().min.x;
    let db_right = |h: &Harness<'_, ArchsimApp>| h.state().node_screen_points("db").expect("on the canvas").1.x;
    assert!(db_right(&h) > inspector_left(&h), "at 1280×800 the database is past the canvas's edge");
    h.set_size(egui::vec2(1600.0, 1000.0));
    h.run_steps(3);
    assert!(db_right(&h) < inspector_left(&h), "the whole topology is in view");
    assert!(node_text_px(&h) >= MIN_TEXT_POINTS - 0.01);
}

/// Runs the app eight seconds at 1× in a projector-sized window, with a
/// crash for the log to show.
fn running_on_a_projector(scenario: archsim::scenario::Scenario) -> Harness<'static, ArchsimApp> {
    let clock = ManualClock::new();
    let c = clock.clone();
    let initial = InitialDocument::Scenario(Box::new(scenario), None);
    let mut h = Harness::builder().with_size(egui::vec2(1600.0, 1000.0)).build_eframe(move |cc| {
        ArchsimApp::new(cc, AppConfig::for_tests(Box::new(c), Box::new(ScriptedFileDialog::new()), initial))
    });
    h.key_press(Key::Space);
    for _ in 0..8 {
        clock.advance(1.0);
        h.step();
    }
    h.state_mut().push_command(Command::Fault { node: "app-2".into(), fault: LiveFault::Crash });
    h.run_steps(2);
    h
}

fn body_size(h: &Harness<'_, ArchsimApp>) -> f32 {
    h.ctx.global_style().text_styles[&TextStyle::Body].size
}

/// The bottom edge of the lowest node box on screen, and the right edge of
/// the rightmost, points.
fn topology_extent(h: &Harness<'_, ArchsimApp>) -> egui::Pos2 {
    let half_height = h.state().node_text_points().expect("drawn") / SMALL_TEXT * NODE_SIZE.y / 2.0;
    h.state().document().scenario.nodes.iter().fold(egui::pos2(f32::MIN, f32::MIN), |extent, n| {
        let (centre, handle) = h.state().node_screen_points(&n.id).expect("on the canvas");
        egui::pos2(extent.x.max(handle.x), extent.y.max(centre.y + half_height))
    })
}

#[test]
fn presenter_mode_keeps_plots_and_the_event_log_beside_the_canvas() {
    let mut h = running_on_a_projector(default_scenario());
    let normal_view = h.state().node_screen_points("app-1");
    let normal_width = node_width_px(&h, "app-1");
    let normal_body = body_size(&h);
    assert!(h.query_by_label("+ Client").is_some());

    h.key_press(Key::F5);
    h.run_steps(3);
    // The editing panels are hidden ...
    assert!(h.query_by_label("+ Client").is_none(), "the palette is hidden");
    assert!(h.query_by_label("Scenario").is_none(), "the inspector is hidden");
    assert!(h.query_by_label("Pause").is_some(), "the run controls stay");
    // ... the plots and the log are kept beside the canvas: this design is
    // wide, so they are in a strip under it, the plots side by side and the
    // log on their right.
    let throughput = h.get_by_label("Throughput req/s").rect();
    let latency = h.get_by_label("Latency ms").rect();
    let failures = h.get_by_label_contains("Failures req/s").rect();
    let events = h.get_by_label_contains("Events (").rect();
    assert!(throughput.min.y > topology_extent(&h).y, "the plots are under the topology");
    assert!(latency.min.x > throughput.max.x && failures.min.x > latency.max.x, "side by side");
    assert!(events.min.x > failures.max.x, "the event log is beside the plots");
    assert!(h.query_by_label_contains("app-2 crashed").is_some(), "the log shows its events");
    // ... the text is larger, and the topology fills the big canvas.
    assert!(body_size(&h) > normal_body, "larger text");
    let presenter_width = node_width_px(&h, "app-1");
    assert!(presenter_width > 1.2 * normal_width, "the topology grows: {normal_width} px, then {presenter_width} px");

    // F5 again: the normal layout, exactly as before.
    h.key_press(Key::F5);
    h.run_steps(3);
    assert!(h.query_by_label("+ Client").is_some());
    assert!(h.query_by_label("Scenario").is_some());
    assert!(h.query_by_label("Throughput req/s").is_some(), "the plots are back in the bottom panel");
    assert!((body_size(&h) - normal_body).abs() < 1e-3);
    assert_eq!(h.state().node_screen_points("app-1"), normal_view, "the canvas view comes back");
}

#[test]
fn a_tall_design_gets_the_plots_in_a_column_on_its_right() {
    let mut tall = default_scenario();
    for (k, node) in tall.nodes.iter_mut().enumerate() {
        node.pos = (0.0, 110.0 * k as f32);
    }
    let mut h = running_on_a_projector(tall);
    h.key_press(Key::F5);
    h.run_steps(3);
    let throughput = h.get_by_label("Throughput req/s").rect();
    let latency = h.get_by_label("Latency ms").rect();
    let failures = h.get_by_label_contains("Failures req/s").rect();
    let events = h.get_by_label_contains("Events (").rect();
    assert!(throughput.min.x > topology_extent(&h).x, "the plots are right of the topology");
    assert!(latency.min.y > throughput.max.y && failures.min.y > latency.max.y, "one under the other");
    assert!((latency.min.x - throughput.min.x).abs() < 1.0);
    assert!(events.min.y > failures.max.y, "the event log is under the plots");
    assert!(h.query_by_label("+ Client").is_none() && h.query_by_label("Scenario").is_none());
}
