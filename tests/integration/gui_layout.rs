//! Where nodes go (issue 7 minors): nodes added from the palette land in
//! free, visible space; "Tidy layout" puts callers left of what they call
//! as one undo step; the palette stays in view while the library scrolls.

#![cfg(feature = "gui")]

use archsim::gui::{AppConfig, ArchsimApp, Command, InitialDocument, ManualClock, ScriptedFileDialog};
use archsim::scenario::default_scenario;
use eframe::egui::{Key, Rect};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn app(initial: InitialDocument) -> Harness<'static, ArchsimApp> {
    Harness::builder().with_size([1280.0, 800.0]).build_eframe(|cc| {
        ArchsimApp::new(
            cc,
            AppConfig::for_tests(Box::new(ManualClock::new()), Box::new(ScriptedFileDialog::new()), initial),
        )
    })
}

/// A node's box on screen, from its centre (the box is 150 × 64 canvas units).
fn on_screen(h: &Harness<'static, ArchsimApp>, id: &str) -> eframe::egui::Pos2 {
    h.state().node_screen_points(id).expect("drawn").0
}

#[test]
fn nodes_added_from_the_palette_land_in_view_without_overlapping() {
    let mut h = app(InitialDocument::Scenario(Box::default(), None));
    for _ in 0..6 {
        h.get_by_label("+ Service").click();
        h.run_steps(2);
    }
    let doc = &h.state().document().scenario;
    assert_eq!(doc.nodes.len(), 6);
    // The canvas is the middle of the window, between the side panels.
    let window = Rect::from_min_max([0.0, 0.0].into(), [1280.0, 800.0].into());
    for n in &doc.nodes {
        let p = on_screen(&h, &n.id);
        assert!(window.contains(p), "{} is off-screen at {p:?}", n.id);
    }
    for (i, a) in doc.nodes.iter().enumerate() {
        for b in &doc.nodes[i + 1..] {
            let d = (a.pos.0 - b.pos.0).abs().max(0.0) >= 150.0 || (a.pos.1 - b.pos.1).abs() >= 64.0;
            assert!(d, "{} and {} overlap", a.id, b.id);
        }
    }
}

#[test]
fn tidy_layout_puts_callers_left_of_callees_and_undoes_in_one_step() {
    let mut scenario = default_scenario();
    for (k, n) in scenario.nodes.iter_mut().enumerate() {
        n.pos = (0.0, k as f32 * 3.0);
    }
    let before = scenario.clone();
    let mut h = app(InitialDocument::Scenario(Box::new(scenario), None));
    h.key_press(Key::L);
    h.run_steps(2);
    let doc = h.state().document().scenario.clone();
    for e in &doc.edges {
        let (a, b) = (doc.node(&e.from).expect("from"), doc.node(&e.to).expect("to"));
        assert!(a.pos.0 < b.pos.0, "{} is not left of {}", e.from, e.to);
    }
    h.state_mut().push_command(Command::Undo);
    h.run_steps(2);
    assert_eq!(h.state().document().scenario, before);
}

/// Every failure count on the canvas names its span (issue 7 minor): the
/// banner counts the last window; the lines under nodes the last 10 s.
#[test]
fn the_bottleneck_banner_names_the_span_it_counts() {
    let mut scenario = default_scenario();
    let db = scenario.node_index("db").expect("db");
    if let archsim::scenario::NodeKind::Database(d) = &mut scenario.nodes[db].kind {
        d.connections = 2;
        d.queue_capacity = Some(10);
    }
    let (mut h, clock) = crate::common::app_on(scenario);
    h.state_mut().push_command(Command::Play);
    for _ in 0..40 {
        clock.advance(0.25);
        h.step();
    }
    assert!(h.query_by_label_contains("Bottleneck in the last 1.0 s: db").is_some(), "the banner names its window");
}
