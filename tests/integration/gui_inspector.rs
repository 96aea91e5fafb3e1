//! The inspector says what it did with a value the user typed when that is
//! not what was typed (issue 7 minor): a value brought into range, or text
//! that is not a number, gets a note beside its field. An edge's inspector
//! sets its bulkhead and schedules latency faults (issue 8).

#![cfg(feature = "gui")]

use archsim::gui::{AppConfig, ArchsimApp, InitialDocument, ManualClock, ScriptedFileDialog};
use archsim::scenario::{NodeKind, default_scenario};
use eframe::egui::{Key, accesskit::Role};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn app() -> Harness<'static, ArchsimApp> {
    Harness::builder().with_size([1280.0, 800.0]).build_eframe(|cc| {
        ArchsimApp::new(
            cc,
            AppConfig::for_tests(
                Box::new(ManualClock::new()),
                Box::new(ScriptedFileDialog::new()),
                InitialDocument::Scenario(Box::new(default_scenario()), None),
            ),
        )
    })
}

/// Types `text` into the spin button labelled `label` and leaves the field.
fn type_into(h: &mut Harness<'static, ArchsimApp>, label: &str, text: &str) {
    h.get_by_role_and_label(Role::SpinButton, label).click();
    h.run_steps(2);
    h.key_press_modifiers(eframe::egui::Modifiers::COMMAND, Key::A);
    h.get_by_role_and_label(Role::SpinButton, label).type_text(text);
    h.run_steps(1);
    h.key_press(Key::Enter);
    h.run_steps(3);
}

fn workers(h: &Harness<'static, ArchsimApp>) -> u32 {
    match &h.state().document().scenario.nodes[2].kind {
        NodeKind::Service(s) => s.workers,
        other => panic!("not a service: {other:?}"),
    }
}

#[test]
fn text_that_is_not_a_number_keeps_the_old_value_with_a_note() {
    let mut h = app();
    h.get_by_label("node app-1").click_accesskit();
    h.run_steps(2);
    let before = workers(&h);
    type_into(&mut h, "workers", "many");
    assert_eq!(workers(&h), before);
    assert!(h.query_by_label_contains("“many” is not a number").is_some(), "the note shows");
}

#[test]
fn a_value_above_the_limit_is_set_to_the_limit_with_a_note() {
    let mut h = app();
    h.get_by_label("node app-1").click_accesskit();
    h.run_steps(2);
    type_into(&mut h, "workers", "99999999999");
    assert!(workers(&h) < 99_999_999, "brought into range: {}", workers(&h));
    assert!(h.query_by_label_contains("is above the largest value").is_some(), "the note shows");
}

/// An edge's inspector sets the resilience patterns of the link (issue 8):
/// a bulkhead switched on goes into the document, and "+ latency" adds a
/// latency fault to the link's timeline.
#[test]
fn an_edge_gets_a_bulkhead_and_a_latency_fault_from_its_inspector() {
    let mut h = app();
    h.state_mut().push_command(archsim::gui::Command::Select(archsim::gui::Selection::edge(0)));
    h.run_steps(2);
    h.get_by_role_and_label(Role::CheckBox, "bulkhead").click();
    h.run_steps(2);
    assert_eq!(h.state().document().scenario.edges[0].max_concurrent, Some(10), "the default cap goes in");
    h.get_by_label("+ latency").click();
    h.run_steps(2);
    let faults = &h.state().document().scenario.faults;
    assert!(
        faults.iter().any(|f| matches!(f, archsim::scenario::FaultSpec::Latency { added_ms, .. } if *added_ms == 50.0)),
        "{faults:?}"
    );
}
