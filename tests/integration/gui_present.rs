//! The app in front of a room (issue 7): the UI zoom grows the topology's
//! text with the panels instead of shrinking it, and node text never falls
//! below a readable size.

#![cfg(feature = "gui")]

use archsim::gui::canvas::node_view::MIN_TEXT_POINTS;
use archsim::gui::{AppConfig, ArchsimApp, InitialDocument, ManualClock, ScriptedFileDialog};
use archsim::scenario::default_scenario;
use eframe::egui::{self, Key, Modifiers};
use egui_kittest::Harness;

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
