//! The Challenge tab (issue 10): a challenge opened in the app shows its
//! goals; Evaluate grades the design on a thread with a progress bar and
//! shows pass or fail per goal, the score and where it broke first; hints
//! come one at a time; the best score is remembered.

#![cfg(feature = "gui")]

use archsim::scenario::{NodeKind, bundled};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn challenge_app(name: &str) -> Harness<'static, archsim::gui::ArchsimApp> {
    let scenario = bundled(name).and_then(|b| b.load().ok()).expect("the bundled challenge");
    crate::common::app_on(scenario).0
}

/// Steps the app until the evaluation on its thread has finished.
fn wait_for_grade(h: &mut Harness<'static, archsim::gui::ArchsimApp>) {
    for _ in 0..600 {
        h.step();
        if !h.state().challenge_running() {
            h.run_steps(2);
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("the evaluation did not finish");
}

#[test]
fn evaluate_grades_the_design_shows_where_it_broke_and_gives_hints_one_at_a_time() {
    let mut h = challenge_app("challenge-serve-the-launch");
    h.run_steps(2);
    assert!(h.query_by_label("• p99 ≤ 100 ms").is_some(), "the goals are listed");
    h.get_by_label("Evaluate").click_accesskit();
    h.run_steps(1);
    wait_for_grade(&mut h);
    let e = h.state().challenge_evaluation().expect("graded").clone();
    assert!(!e.passed);
    assert!(h.query_by_label_contains("NOT PASSED: score").is_some());
    assert!(h.query_by_label_contains("Broke first:").is_some());
    assert!(h.query_by_label_contains("Hint 1:").is_none(), "no hint before it is asked for");
    h.get_by_label("Show a hint (1 of 3)").click_accesskit();
    h.run_steps(2);
    assert!(h.query_by_label_contains("Hint 1:").is_some());
    assert!(h.query_by_label_contains("Hint 2:").is_none());
    assert_eq!(h.state().challenge_records().get(&e.challenge).map(|r| r.best_score), Some(e.score));

    // The verdict has a window of its own; closed, the tab opens it again.
    let summary = format!("Last evaluation: {}/100, not passed", e.score);
    assert!(h.query_by_label_contains(&summary).is_some(), "the tab sums it up");
    h.get_by_label("Close window").click_accesskit();
    h.run_steps(2);
    assert!(h.query_by_label_contains("NOT PASSED: score").is_none(), "the window closed");
    h.get_by_label("Show the verdict").click_accesskit();
    h.run_steps(2);
    assert!(h.query_by_label_contains("NOT PASSED: score").is_some(), "and opens again");
    assert!(h.query_by_label_contains("Hint 1:").is_some(), "with the hints already shown");
}

#[test]
fn a_fixed_design_passes_and_its_best_score_is_kept() {
    let mut scenario = bundled("challenge-serve-the-launch").and_then(|b| b.load().ok()).expect("bundled");
    let api = scenario.node_index("api").expect("api");
    if let NodeKind::Service(s) = &mut scenario.nodes[api].kind {
        s.workers = 12;
    }
    let mut h = crate::common::app_on(scenario).0;
    h.run_steps(2);
    h.get_by_label("Evaluate").click_accesskit();
    h.run_steps(1);
    wait_for_grade(&mut h);
    assert!(h.query_by_label_contains("PASSED: score 100/100").is_some());
    let record = h.state().challenge_records().get("Challenge: serve the launch").cloned().expect("kept");
    assert!(record.passed && record.best_score == 100 && record.date.len() == 10, "{record:?}");
}

/// An instructor grading files from the command line sees the verdict the
/// learner saw: the app's evaluation and `archsim run FILE --json`'s
/// `challenge` section are the same, field for field, the scripted faults
/// included.
#[test]
fn the_app_and_the_command_line_give_the_same_verdict() {
    let name = "challenge-stop-the-retry-storm";
    let mut h = challenge_app(name);
    h.run_steps(2);
    h.get_by_label("Evaluate").click_accesskit();
    h.run_steps(1);
    wait_for_grade(&mut h);
    let in_app = serde_json::to_value(h.state().challenge_evaluation().expect("graded")).expect("serialises");

    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("{name}.ron"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(["run", file.to_str().expect("UTF-8"), "--json"])
        .output()
        .expect("archsim runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let headless = &json["challenge"];
    assert!(headless["script"].as_array().is_some_and(|s| !s.is_empty()), "the script is in the JSON: {headless}");
    assert_eq!(&in_app, headless, "the app's verdict and the command line's differ");
}
