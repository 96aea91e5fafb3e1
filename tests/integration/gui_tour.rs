//! The first-run tour (issue 7 minor): shown once on a first start when
//! the app is built to show it, walked with Back / Next / Done, closed at
//! once by Skip or Escape, remembered across a restart through eframe's
//! storage, replayed from Help › Show the tour; never in the way of the
//! running simulation or of the keyboard.

#![cfg(feature = "gui")]

use std::collections::HashMap;

use archsim::gui::{AppConfig, ArchsimApp, InitialDocument, ManualClock, ScriptedFileDialog, TOUR_STEPS};
use archsim::scenario::default_scenario;
use eframe::egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// eframe's storage in memory: what a restart reads back.
#[derive(Default)]
struct MemoryStorage(HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }

    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }

    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }

    fn flush(&mut self) {}
}

/// The three-tier scenario in a harness; `tour`: built as the binary is,
/// showing the tour on a first start. `storage`: what a previous run saved.
fn app(tour: bool, storage: Option<&'static MemoryStorage>) -> (Harness<'static, ArchsimApp>, ManualClock) {
    let clock = ManualClock::new();
    let c = clock.clone();
    let harness = Harness::builder().with_size([1280.0, 800.0]).build_eframe(move |cc| {
        let initial = InitialDocument::Scenario(Box::new(default_scenario()), None);
        let mut config = AppConfig::for_tests(Box::new(c), Box::new(ScriptedFileDialog::new()), initial);
        config.show_tour_on_first_start = tour;
        if let Some(s) = storage {
            cc.storage = Some(s);
            config.use_storage = true;
        }
        ArchsimApp::new(cc, config)
    });
    (harness, clock)
}

/// Frames enough for a click to land and a new step to show: egui
/// measures a callout in an invisible pass the first time it appears.
fn settle(h: &mut Harness<'static, ArchsimApp>) {
    h.run_steps(3);
}

fn counter(step: usize) -> String {
    format!("{step} of {TOUR_STEPS}")
}

#[test]
fn tests_do_not_see_the_tour_unless_they_ask_for_it() {
    let (mut h, _clock) = app(false, None);
    settle(&mut h);
    assert_eq!(h.state().tour_step(), None);
    assert!(h.query_by_label("Skip tour").is_none());
    assert!(!h.state().state().prefs.tour_seen);
}

#[test]
fn a_first_start_shows_the_tour_and_next_walks_every_step_to_done() {
    let (mut h, _clock) = app(true, None);
    settle(&mut h);
    assert_eq!(h.state().tour_step(), Some(0));
    assert!(h.query_by_label(&counter(1)).is_some());
    assert!(h.query_by_label("Where traffic comes from").is_some());
    assert!(h.get_by_label("Back").accesskit_node().is_disabled(), "nothing before the first step");
    let titles = ["Connect components", "Watch it run", "Break it", "Read the verdict"];
    for (k, title) in titles.iter().enumerate() {
        h.get_by_label("Next").click();
        settle(&mut h);
        assert_eq!(h.state().tour_step(), Some(k + 1));
        assert!(h.query_by_label(&counter(k + 2)).is_some(), "step {}", k + 2);
        assert!(h.query_by_label(title).is_some(), "{title}");
    }
    // The last step: Done instead of Next and Skip.
    assert!(h.query_by_label("Next").is_none());
    assert!(h.query_by_label("Skip tour").is_none());
    h.get_by_label("Back").click();
    settle(&mut h);
    assert_eq!(h.state().tour_step(), Some(TOUR_STEPS - 2));
    h.get_by_label("Next").click();
    settle(&mut h);
    assert!(!h.state().state().prefs.tour_seen, "seen once closed, not before");
    h.get_by_label("Done").click();
    settle(&mut h);
    assert_eq!(h.state().tour_step(), None);
    assert!(h.query_by_label("Read the verdict").is_none());
    assert!(h.state().state().prefs.tour_seen);
}

#[test]
fn skip_closes_the_tour_at_once() {
    let (mut h, _clock) = app(true, None);
    settle(&mut h);
    h.get_by_label("Next").click();
    settle(&mut h);
    h.get_by_label("Skip tour").click();
    settle(&mut h);
    assert_eq!(h.state().tour_step(), None);
    assert!(h.query_by_label(&counter(2)).is_none());
    assert!(h.state().state().prefs.tour_seen);
}

#[test]
fn escape_closes_the_tour_and_shortcuts_work_with_it_open_or_closed() {
    let (mut h, _clock) = app(true, None);
    settle(&mut h);
    assert!(!h.state().runtime().is_running());
    h.key_press(Key::Space);
    settle(&mut h);
    assert!(h.state().runtime().is_running(), "Space plays with the tour open");
    assert_eq!(h.state().tour_step(), Some(0));
    h.key_press(Key::Escape);
    settle(&mut h);
    assert_eq!(h.state().tour_step(), None);
    assert!(h.state().state().prefs.tour_seen);
    h.key_press(Key::Space);
    settle(&mut h);
    assert!(!h.state().runtime().is_running(), "Space pauses with the tour closed");
}

#[test]
fn the_simulation_runs_behind_the_tour_and_the_app_stays_usable() {
    let (mut h, clock) = app(true, None);
    settle(&mut h);
    h.get_by_label("Play").click();
    h.run_steps(1);
    for _ in 0..20 {
        clock.advance(0.2);
        h.step();
    }
    assert!(h.state().runtime().now_s() > 3.0, "t = {}", h.state().runtime().now_s());
    assert_eq!(h.state().tour_step(), Some(0), "still open");
    // The palette works with the tour open.
    let nodes = h.state().document().scenario.nodes.len();
    h.get_by_label("+ Cache").click();
    settle(&mut h);
    assert_eq!(h.state().document().scenario.nodes.len(), nodes + 1);
}

#[test]
fn the_break_it_step_sits_under_the_spike_button_without_covering_it() {
    let (mut h, _clock) = app(true, None);
    settle(&mut h);
    for _ in 0..3 {
        h.get_by_label("Next").click();
        settle(&mut h);
    }
    let spike = h.get_by_label("Spike").rect();
    let title = h.get_by_label("Break it").rect();
    assert!(title.min.y > spike.max.y, "the callout ({title:?}) is below Spike ({spike:?})");
    assert!(title.min.y - spike.max.y < 80.0, "and close to it: {title:?} vs {spike:?}");
    // Spike still answers a click.
    h.get_by_label("Spike").click();
    settle(&mut h);
}

#[test]
fn a_restart_after_the_tour_was_closed_does_not_show_it_again() {
    // First start: the tour shows; the app is closed with it still open.
    let (mut h, _clock) = app(true, None);
    settle(&mut h);
    let mut storage = MemoryStorage::default();
    eframe::App::save(h.state_mut(), &mut storage);
    let saved: &'static MemoryStorage = Box::leak(Box::new(storage));
    let (mut h, _clock) = app(true, Some(saved));
    settle(&mut h);
    assert_eq!(h.state().tour_step(), Some(0), "never closed: shown again");

    // Skipped, saved, restarted: not shown.
    h.get_by_label("Skip tour").click();
    settle(&mut h);
    let mut storage = MemoryStorage::default();
    eframe::App::save(h.state_mut(), &mut storage);
    let saved: &'static MemoryStorage = Box::leak(Box::new(storage));
    let (mut h, _clock) = app(true, Some(saved));
    settle(&mut h);
    assert!(h.state().state().prefs.tour_seen);
    assert_eq!(h.state().tour_step(), None);
    assert!(h.query_by_label("Skip tour").is_none());
}

#[test]
fn the_help_menu_replays_the_tour_from_its_first_step() {
    let (mut h, _clock) = app(false, None);
    settle(&mut h);
    for round in 0..2 {
        h.get_by_label("Help").click();
        settle(&mut h);
        h.get_by_label("Show the tour").click();
        settle(&mut h);
        assert_eq!(h.state().tour_step(), Some(0), "round {round}");
        assert!(h.query_by_label(&counter(1)).is_some());
        h.get_by_label("Next").click();
        settle(&mut h);
        assert_eq!(h.state().tour_step(), Some(1));
        h.get_by_label("Skip tour").click();
        settle(&mut h);
        assert_eq!(h.state().tour_step(), None);
    }
}

#[test]
fn escape_closes_an_open_menu_before_the_tour() {
    let (mut h, _clock) = app(true, None);
    settle(&mut h);
    h.get_by_label("Help").click();
    settle(&mut h);
    assert!(h.query_by_label("Show the tour").is_some(), "the menu is open");
    h.key_press(Key::Escape);
    settle(&mut h);
    assert!(h.query_by_label("Show the tour").is_none(), "the menu closed");
    assert_eq!(h.state().tour_step(), Some(0), "the tour stays");
    h.key_press(Key::Escape);
    settle(&mut h);
    assert_eq!(h.state().tour_step(), None);
}
