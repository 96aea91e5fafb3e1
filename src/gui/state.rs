//! What survives a restart: the document being edited and the UI
//! preferences. Everything else (the running simulation, plots, dots) is
//! runtime state, rebuilt from this.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::pacer::Speed;
use super::theme::ThemeChoice;
use crate::scenario::{Scenario, default_scenario};

/// The persisted part of the app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct State {
    pub doc: Document,
    pub prefs: Prefs,
}

/// The scenario being edited, where it lives on disk, and what it looked
/// like when last opened or saved (the document is dirty when it differs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Document {
    pub scenario: Scenario,
    pub path: Option<PathBuf>,
    pub saved: Scenario,
}

impl Default for Document {
    fn default() -> Self {
        Document::clean(default_scenario(), None)
    }
}

impl Document {
    /// A document with no unsaved changes.
    pub fn clean(scenario: Scenario, path: Option<PathBuf>) -> Self {
        Self { saved: scenario.clone(), scenario, path }
    }

    /// Whether there are changes not written to disk.
    pub fn is_dirty(&self) -> bool {
        self.scenario != self.saved
    }

    /// The file name, or the scenario's name for a document never saved.
    pub fn display_name(&self) -> String {
        match self.path.as_ref().and_then(|p| p.file_name()) {
            Some(name) => name.to_string_lossy().into_owned(),
            None => self.scenario.name.clone(),
        }
    }

    /// What is left once the unsaved changes are thrown away ("Don't
    /// save" on close): the file as last saved, or, for a document that
    /// never had a file, the start of a first run. This, not the discarded
    /// work, is what the next start shows.
    pub fn discarded(&self) -> Document {
        match &self.path {
            Some(path) => Document::clean(self.saved.clone(), Some(path.clone())),
            None => Document::default(),
        }
    }

    /// The window title: `archsim — name`, with a bullet when unsaved.
    pub fn window_title(&self) -> String {
        let mark = if self.is_dirty() { " ●" } else { "" };
        format!("archsim — {}{mark}", self.display_name())
    }
}

/// UI preferences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    pub theme: ThemeChoice,
    pub speed: Speed,
    pub show_frame_time: bool,
    pub left_panel: bool,
    pub right_panel: bool,
    pub bottom_panel: bool,
    /// All panels hidden, for a projector.
    pub presenter: bool,
    pub latency_log_scale: bool,
    /// Seconds of simulated time the plots show.
    pub plot_window_s: f64,
    pub ui_zoom: f32,
    pub spike_factor: f64,
    pub spike_secs: f64,
    /// Keep running past the scenario's duration instead of pausing there.
    pub run_past_end: bool,
    /// The folder of the last file opened or saved, where the file browser
    /// starts when the document has no file.
    pub last_folder: Option<PathBuf>,
    /// The first-run tour was closed (skipped or finished): it does not
    /// show at start again. False in states saved before the tour existed,
    /// so those users see it once too.
    pub tour_seen: bool,
    /// The best score of each challenge evaluated here, by its name.
    pub challenges: super::challenge_view::ChallengeRecords,
    /// Memory the rewind's snapshots may take, bytes (the scrubber's
    /// budget menu); clamped to [`SNAPSHOT_BUDGET_RANGE`] when used.
    pub snapshot_budget_bytes: usize,
}

/// The snapshot budgets a saved state may ask for: a hand-edited or
/// damaged value cannot starve the rewind or take the machine's memory.
pub const SNAPSHOT_BUDGET_RANGE: std::ops::RangeInclusive<usize> = (16 << 20)..=(4 << 30);

impl Prefs {
    /// The snapshot budget to use, within [`SNAPSHOT_BUDGET_RANGE`].
    pub fn snapshot_budget(&self) -> usize {
        self.snapshot_budget_bytes.clamp(*SNAPSHOT_BUDGET_RANGE.start(), *SNAPSHOT_BUDGET_RANGE.end())
    }
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            theme: ThemeChoice::Dark,
            speed: Speed::Times(1.0),
            show_frame_time: false,
            left_panel: true,
            right_panel: true,
            bottom_panel: true,
            presenter: false,
            latency_log_scale: false,
            plot_window_s: 60.0,
            ui_zoom: 1.0,
            spike_factor: 5.0,
            spike_secs: 10.0,
            run_past_end: false,
            last_folder: None,
            tour_seen: false,
            challenges: super::challenge_view::ChallengeRecords::new(),
            snapshot_budget_bytes: crate::sim::snapshot::DEFAULT_BUDGET_BYTES,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snapshot_budget_is_kept_in_the_preferences_and_bounded_when_used() {
        // A state saved before the budget was a preference reads the default.
        let old: Prefs = ron::from_str("(tour_seen: true)").expect("an older state");
        assert_eq!(old.snapshot_budget(), crate::sim::snapshot::DEFAULT_BUDGET_BYTES);
        let chosen = Prefs { snapshot_budget_bytes: 64 << 20, ..Prefs::default() };
        let again: Prefs = ron::from_str(&ron::to_string(&chosen).expect("saved")).expect("read back");
        assert_eq!(again.snapshot_budget(), 64 << 20);
        let damaged = Prefs { snapshot_budget_bytes: usize::MAX, ..Prefs::default() };
        assert_eq!(damaged.snapshot_budget(), 4 << 30);
        assert_eq!(Prefs { snapshot_budget_bytes: 0, ..Prefs::default() }.snapshot_budget(), 16 << 20);
    }

    #[test]
    fn a_fresh_document_is_the_three_tier_scenario_and_clean() {
        let doc = Document::default();
        assert!(!doc.is_dirty());
        assert_eq!(doc.window_title(), "archsim — Three-tier web application");
    }

    #[test]
    fn an_edit_marks_the_title_and_saving_clears_it() {
        let mut doc = Document::default();
        doc.scenario.seed += 1;
        assert!(doc.window_title().ends_with('●'));
        doc.path = Some(PathBuf::from("/tmp/x/my-design.ron"));
        doc.saved = doc.scenario.clone();
        assert_eq!(doc.window_title(), "archsim — my-design.ron");
    }

    #[test]
    fn discarding_goes_back_to_the_saved_file_or_to_a_first_start() {
        let mut doc = Document::clean(Scenario::default(), Some(PathBuf::from("/x/a.ron")));
        doc.scenario.seed = 42;
        let back = doc.discarded();
        assert!(!back.is_dirty());
        assert_eq!(back.scenario, Scenario::default());
        assert_eq!(back.path, doc.path);
        doc.path = None;
        assert_eq!(doc.discarded(), Document::default());
    }

    #[test]
    fn a_state_saved_before_the_tour_existed_has_not_seen_it() {
        let old = "(prefs: (theme: Light, spike_factor: 3.0))";
        let state: State = ron::from_str(old).expect("deserialises");
        assert!(!state.prefs.tour_seen);
        assert_eq!(state.prefs.spike_factor, 3.0);
    }

    #[test]
    fn state_round_trips_through_the_storage_format() {
        // eframe stores values as RON with default options.
        let mut state = State::default();
        state.doc.scenario.seed = 99;
        state.prefs.speed = Speed::Max;
        let text = ron::to_string(&state).expect("serialises");
        let back: State = ron::from_str(&text).expect("deserialises");
        assert_eq!(back, state);
    }
}
