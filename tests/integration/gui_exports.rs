//! File › Export in the app: the menu's three items write the plots and
//! the canvas at once, and the GIF from its thread, with a line in the
//! event log each.

#![cfg(feature = "gui")]

use std::time::{Duration, Instant};

use archsim::gui::{AppConfig, ArchsimApp, Command, InitialDocument, ManualClock, ScriptedFileDialog};
use archsim::scenario::bundled;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

#[test]
fn file_export_writes_the_plots_the_canvas_and_the_run() {
    let dir = std::env::temp_dir().join(format!("archsim-gui-exports-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let scenario = bundled("three-tier-web").expect("bundled").load().expect("valid");
    let clock = ManualClock::new();
    let files = ScriptedFileDialog::new();
    // Answers in the order asked: plots, canvas, run (no extension: .gif is added).
    files.answer(Some(dir.join("plots.png")));
    files.answer(Some(dir.join("canvas.png")));
    files.answer(Some(dir.join("film")));
    let suggested = files.suggested.clone();
    let initial = InitialDocument::Scenario(Box::new(scenario), None);
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| ArchsimApp::new(cc, AppConfig::for_tests(Box::new(clock), Box::new(files), initial)));
    h.run_steps(2);
    for _ in 0..3 {
        h.state_mut().push_command(Command::Step);
        h.run_steps(1);
    }
    for item in ["Plots as PNG…", "Canvas as PNG…", "Run as GIF…"] {
        h.get_by_label("File").click();
        h.run_steps(2);
        h.get_by_label("Export").hover();
        h.run_steps(2);
        h.get_by_label(item).click();
        h.run_steps(2);
    }
    assert_eq!(
        suggested.borrow().as_slice(),
        [
            "three-tier-web-application-plots.png",
            "three-tier-web-application-canvas.png",
            "three-tier-web-application-run.gif"
        ]
    );
    let started = Instant::now();
    while !dir.join("film.gif").exists() {
        assert!(started.elapsed() < Duration::from_mins(2), "the GIF is written");
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    h.run_steps(2);
    for file in ["plots.png", "canvas.png", "film.gif"] {
        let bytes = std::fs::read(dir.join(file)).expect("written");
        assert!(image::load_from_memory(&bytes).is_ok(), "{file} decodes");
    }
    let log: Vec<String> = h.state().runtime().alerts.entries().iter().map(|a| a.text.clone()).collect();
    for what in ["Exported the plots", "Exported the canvas", "Exported the run"] {
        assert!(log.iter().any(|l| l.starts_with(what)), "{what} in {log:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
