//! The Challenge tab: a challenge's goals, the Evaluate button that grades
//! the design on a thread of its own (the window stays responsive, the live
//! run is untouched) with a progress bar, and the result: pass or fail per
//! goal, the score, where it broke first and why, and the hints, one at a
//! time. The grading is `crate::challenge`'s, the same as the command
//! line's; this module only presents it and remembers the best score.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::thread::JoinHandle;

use eframe::egui::{self, RichText, ScrollArea, Ui};
use serde::{Deserialize, Serialize};

use super::command::Command;
use super::problems::in_app_words;
use crate::challenge::{ChallengeError, Evaluation, evaluate};
use crate::scenario::Scenario;

/// The best result of a challenge on this machine, kept with the app's
/// preferences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChallengeRecord {
    pub best_score: u32,
    pub passed: bool,
    /// When the best score was reached, `YYYY-MM-DD`.
    pub date: String,
}

/// Best results by challenge (the scenario's name).
pub type ChallengeRecords = BTreeMap<String, ChallengeRecord>;

/// Keeps `e` if it beats the challenge's best so far; `today` is the date
/// to write. Returns whether it is a new best.
pub fn remember(records: &mut ChallengeRecords, e: &Evaluation, today: String) -> bool {
    let better = records.get(&e.challenge).is_none_or(|r| e.score > r.best_score);
    if better {
        records.insert(e.challenge.clone(), ChallengeRecord { best_score: e.score, passed: e.passed, date: today });
    }
    better
}

/// An evaluation running on its own thread.
struct Job {
    handle: Option<JoinHandle<Result<Evaluation, ChallengeError>>>,
    /// Thousandths of the run done.
    progress: Arc<AtomicU32>,
    cancel: Arc<AtomicBool>,
}

impl Drop for Job {
    fn drop(&mut self) {
        // Replaced or closed: the thread stops at its next check.
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// Where the Challenge tab is.
enum Phase {
    Idle,
    Running(Job),
    Done {
        evaluation: Box<Evaluation>,
        hints_shown: usize,
        new_best: bool,
        /// The verdict's own window is open (it opens when the evaluation
        /// ends: the side tab is too small to read a verdict against the
        /// clock).
        window_open: bool,
    },
    Failed(String),
}

/// The Challenge tab's state: one evaluation at a time.
pub struct ChallengeView {
    phase: Phase,
}

impl Default for ChallengeView {
    fn default() -> Self {
        Self { phase: Phase::Idle }
    }
}

impl ChallengeView {
    /// Grades `design` on a new thread, replacing (and stopping) any
    /// evaluation under way; `ctx` is asked to repaint as it goes.
    pub fn start(&mut self, design: &Scenario, ctx: &egui::Context) {
        let progress = Arc::new(AtomicU32::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (design, thread_progress, thread_cancel, ctx) =
            (design.clone(), progress.clone(), cancel.clone(), ctx.clone());
        let spawned = std::thread::Builder::new().name("archsim-challenge".into()).spawn(move || {
            evaluate(&design, &mut |done| {
                thread_progress.store((done * 1000.0) as u32, Ordering::Relaxed);
                ctx.request_repaint();
                !thread_cancel.load(Ordering::Relaxed)
            })
        });
        self.phase = match spawned {
            Ok(handle) => Phase::Running(Job { handle: Some(handle), progress, cancel }),
            Err(e) => Phase::Failed(format!("cannot start the evaluation's thread: {e}")),
        };
    }

    /// Stops the evaluation under way.
    pub fn cancel(&mut self) {
        if matches!(self.phase, Phase::Running(_)) {
            self.phase = Phase::Idle;
        }
    }

    /// Shows one more hint of the finished evaluation.
    pub fn reveal_hint(&mut self) {
        if let Phase::Done { evaluation, hints_shown, .. } = &mut self.phase {
            *hints_shown = (*hints_shown + 1).min(evaluation.hints.len());
        }
    }

    /// Opens the verdict's window again (after it was closed).
    pub fn show_verdict(&mut self) {
        if let Phase::Done { window_open, .. } = &mut self.phase {
            *window_open = true;
        }
    }

    /// Forgets the result (the document changed to another one).
    pub fn clear(&mut self) {
        self.phase = Phase::Idle;
    }

    /// Whether an evaluation is under way.
    pub fn is_running(&self) -> bool {
        matches!(self.phase, Phase::Running(_))
    }

    /// The finished evaluation, if there is one.
    pub fn evaluation(&self) -> Option<&Evaluation> {
        match &self.phase {
            Phase::Done { evaluation, .. } => Some(evaluation),
            _ => None,
        }
    }

    /// Takes the result in once the thread has finished; returns it the
    /// first time, for the caller to remember.
    pub fn poll(&mut self, records: &mut ChallengeRecords, today: impl FnOnce() -> String) -> Option<&Evaluation> {
        let Phase::Running(job) = &mut self.phase else { return None };
        if !job.handle.as_ref().is_some_and(JoinHandle::is_finished) {
            return None;
        }
        let handle = job.handle.take()?;
        self.phase = match handle.join() {
            Ok(Ok(evaluation)) => {
                let new_best = remember(records, &evaluation, today());
                Phase::Done { evaluation: Box::new(evaluation), hints_shown: 0, new_best, window_open: true }
            }
            Ok(Err(ChallengeError::Cancelled)) => Phase::Idle,
            Ok(Err(e)) => Phase::Failed(in_app_words(&e.to_string())),
            Err(_) => Phase::Failed("the evaluation stopped unexpectedly".into()),
        };
        self.evaluation()
    }
}

/// The Challenge tab of the document `design`.
pub fn challenge_ui(
    ui: &mut Ui,
    design: &Scenario,
    view: &ChallengeView,
    records: &ChallengeRecords,
    commands: &mut Vec<Command>,
) {
    let Some(ch) = &design.challenge else {
        ui.weak("This design has no challenge. Open one from the library (Challenges) to get goals and a grade.");
        return;
    };
    ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        ui.label(RichText::new(format!("{} ({})", design.name, ch.level.label())).strong());
        ui.label(RichText::new("Goals").small());
        for goal in &ch.goals {
            ui.label(format!("• {}", goal.describe()));
        }
        if !ch.script.is_empty() {
            let script: Vec<String> = ch.script.iter().map(super::inspector::fault_text).collect();
            ui.label(RichText::new(format!("Script: {}", script.join("; "))).small());
        }
        if let Some(best) = records.get(&design.name) {
            ui.label(
                RichText::new(format!(
                    "Best: {}/100{} on {}",
                    best.best_score,
                    if best.passed { ", passed" } else { "" },
                    best.date
                ))
                .small(),
            );
        }
        ui.add_space(4.0);
        if let Phase::Running(job) = &view.phase {
            let done = f64::from(job.progress.load(Ordering::Relaxed)) / 1000.0;
            ui.horizontal(|ui| {
                ui.add(egui::ProgressBar::new(done as f32).show_percentage().desired_width(160.0));
                if ui.button("Cancel").clicked() {
                    commands.push(Command::CancelChallenge);
                }
            });
        } else {
            let button = ui.button("Evaluate").on_hover_text(format!(
                "Run the design through the challenge's {} s timeline (its load and scripted faults) and grade it",
                ch.duration_s
            ));
            if button.clicked() {
                commands.push(Command::EvaluateChallenge);
            }
        }
        match &view.phase {
            Phase::Done { evaluation, new_best, .. } => {
                let (ok, bad) = (egui::Color32::from_rgb(80, 180, 110), ui.visuals().error_fg_color);
                let best = if *new_best { ", a new best" } else { "" };
                let (word, color) = if evaluation.passed { ("passed", ok) } else { ("not passed", bad) };
                ui.horizontal_wrapped(|ui| {
                    ui.label(
                        RichText::new(format!("Last evaluation: {}/100, {word}{best}", evaluation.score))
                            .strong()
                            .color(color),
                    );
                    if ui.button("Show the verdict").clicked() {
                        commands.push(Command::ShowChallengeVerdict);
                    }
                });
            }
            Phase::Failed(message) => {
                ui.colored_label(ui.visuals().error_fg_color, message);
            }
            Phase::Idle | Phase::Running(_) => {}
        }
    });
}

/// The verdict's window: pass or fail per goal, the score, where the
/// design broke first and why, the advice and the hints, in type large
/// enough to read from across a room. Closing it keeps the verdict (the
/// tab's "Show the verdict" opens it again).
pub fn challenge_window_ui(ctx: &egui::Context, view: &mut ChallengeView, commands: &mut Vec<Command>) {
    let Phase::Done { evaluation, hints_shown, new_best, window_open } = &mut view.phase else { return };
    if !*window_open {
        return;
    }
    egui::Window::new(format!("Verdict: {}", evaluation.challenge))
        .id(egui::Id::unique("challenge-verdict"))
        .open(window_open)
        // Over the canvas, clear of the palette and the inspector.
        .pivot(egui::Align2::CENTER_TOP)
        .default_pos(ctx.content_rect().center_top() + egui::vec2(0.0, 70.0))
        .default_size([560.0, 460.0])
        .resizable(true)
        .collapsible(false)
        .show(ctx, |ui| {
            ScrollArea::vertical().auto_shrink([false, true]).show(ui, |ui| {
                result_ui(ui, evaluation, *hints_shown, *new_best, commands);
            });
        });
}

fn result_ui(ui: &mut Ui, e: &Evaluation, hints_shown: usize, new_best: bool, commands: &mut Vec<Command>) {
    ui.add_space(4.0);
    let (ok, bad) = (egui::Color32::from_rgb(80, 180, 110), ui.visuals().error_fg_color);
    let verdict = if e.passed { "PASSED" } else { "NOT PASSED" };
    let best = if new_best { " (new best)" } else { "" };
    ui.label(RichText::new(format!("{verdict}: score {}/100{best}", e.score)).heading().strong().color(if e.passed {
        ok
    } else {
        bad
    }));
    ui.add_space(4.0);
    for g in &e.goals {
        let (word, color) = if g.passed { ("pass", ok) } else { ("FAIL", bad) };
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(word).strong().color(color));
            ui.label(format!("{}: {}", g.goal, g.measured_text));
        });
    }
    if let Some(b) = &e.broke_first {
        ui.add_space(4.0);
        ui.label(RichText::new(format!("Broke first: {}", b.what)).color(ui.visuals().warn_fg_color));
    }
    if !e.passed {
        ui.add_space(4.0);
        ui.label(RichText::new("Why").strong());
        ui.label(in_app_words(&e.verdict));
        for advice in &e.advice {
            ui.label(format!("• {}", in_app_words(advice)));
        }
    }
    for note in &e.notes {
        ui.label(RichText::new(format!("Note: {note}")).small().italics());
    }
    ui.add_space(4.0);
    for (i, hint) in e.hints.iter().take(hints_shown).enumerate() {
        ui.label(format!("Hint {}: {hint}", i + 1));
    }
    if hints_shown < e.hints.len() {
        let label = format!("Show a hint ({} of {})", hints_shown + 1, e.hints.len());
        if ui.button(label).clicked() {
            commands.push(Command::RevealHint);
        }
    }
}

/// Today's date in UTC, `YYYY-MM-DD`, for the record of a best score
/// (the app's wall clock; the engine never reads one).
pub fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    civil_date(secs / 86_400)
}

/// The calendar date of a day counted from 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_date(days: u64) -> String {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_since_the_epoch_become_calendar_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(civil_date(20_788), "2026-12-01");
    }

    #[test]
    fn only_a_better_score_replaces_the_record() {
        let mut records = ChallengeRecords::new();
        let mut e = Evaluation {
            challenge: "c".into(),
            level: crate::scenario::Level::Easy,
            passed: false,
            score: 40,
            goals: Vec::new(),
            broke_first: None,
            verdict: String::new(),
            causes: Vec::new(),
            advice: Vec::new(),
            load: Vec::new(),
            script: Vec::new(),
            hints: Vec::new(),
            notes: Vec::new(),
            duration_s: 1.0,
            warmup_s: 0.0,
        };
        assert!(remember(&mut records, &e, "2026-12-01".into()));
        e.score = 30;
        assert!(!remember(&mut records, &e, "2026-12-02".into()));
        assert_eq!(records["c"].best_score, 40);
        e.score = 100;
        e.passed = true;
        assert!(remember(&mut records, &e, "2026-12-03".into()));
        assert_eq!(records["c"], ChallengeRecord { best_score: 100, passed: true, date: "2026-12-03".into() });
    }
}
