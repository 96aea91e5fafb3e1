//! Instructor mode's cues (`scenario::cues`): where the presenter is in
//! the lesson, the bar that says what comes next, and what firing a cue
//! does — the Spike button's and the node menu's commands, so a cue acts
//! exactly as the presenter's own click would.
//!
//! Cues are fired one by one (N or Page Down, what a presentation clicker
//! sends, or the bar's button), or let run: each cue with an `at_s` then
//! fires at that simulated second. The runtime holds every frame at the
//! next such time ([`CueRunner::hold_at`]), so a let-run cue acts at
//! exactly its time and "Run again" with the same seed replays the same run
//! to the last digit. A reset starts the lesson over.

use eframe::egui::{self, RichText, Ui};

use super::command::{Command, LiveFault};
use crate::scenario::{CueAction, CueSpec};
use crate::sim::SimTime;

/// Where the presenter is in the lesson. Runtime state, never saved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CueRunner {
    /// The next cue to fire (`cues.len()` when all have fired).
    pub next: usize,
    /// Fire cues with an `at_s` at their times.
    pub auto: bool,
    /// When each cue fired, simulated time, in order. After a jump back it
    /// still holds the first run's later firings: while the run follows the
    /// first one, their changes are made again and [`Self::follow_run`]
    /// moves `next` on past them; a fork drops them.
    fired_at: Vec<SimTime>,
}

/// Where the run stands against the first run, for [`CueRunner::follow_run`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RunCourse {
    /// The run is its own: every firing kept happened.
    Own,
    /// After a jump back, the run follows the first one; the first run's
    /// changes from `pending_from` on are still to be made again.
    Following { pending_from: Option<SimTime> },
}

impl CueRunner {
    /// Back to the first cue (a reset, another document).
    pub fn restart(&mut self) {
        self.next = 0;
        self.fired_at.clear();
    }

    /// Marks the next cue fired at `now`. The first run's later firings
    /// (kept after a jump back) are dropped: firing a cue forks the run.
    pub fn mark_fired(&mut self, now: SimTime) {
        self.fired_at.truncate(self.next);
        self.fired_at.push(now);
        self.next += 1;
    }

    /// After the run moved (a frame, a jump back): the cues fired are those
    /// the run has been through. Back before a cue, it is the next one
    /// again; following the first run, it counts as fired once its change
    /// has been made again (firing times before `pending_from`); once the
    /// run is its own again (caught up, or forked), the first run's
    /// firings still ahead are dropped, so their cues can be fired anew.
    pub fn follow_run(&mut self, now: SimTime, course: RunCourse) {
        let pending_from = match course {
            RunCourse::Own => None,
            RunCourse::Following { pending_from } => pending_from,
        };
        self.next = self.fired_at.iter().take_while(|at| **at <= now && pending_from.is_none_or(|p| **at < p)).count();
        if course == RunCourse::Own {
            self.fired_at.truncate(self.next);
        }
    }

    /// When let run, the time the next cue fires at: the engine is held
    /// there so it acts at exactly its time.
    pub fn hold_at(&self, cues: &[CueSpec]) -> Option<SimTime> {
        if !self.auto {
            return None;
        }
        cues.get(self.next).and_then(|c| c.at_s).map(SimTime::from_secs)
    }

    /// Whether, let run, the next cue is due at `now`.
    pub fn due(&self, cues: &[CueSpec], now: SimTime) -> bool {
        self.hold_at(cues).is_some_and(|at| now >= at)
    }
}

/// What firing `action` does in the app: the command the Spike button or
/// the node menu sends; `None` for a talking point.
pub fn command_for(action: &CueAction) -> Option<Command> {
    let fault = |node: &str, fault: LiveFault| Command::Fault { node: node.to_string(), fault };
    Some(match action {
        CueAction::Note => return None,
        CueAction::Spike { client, factor, duration_s } => {
            Command::Spike { client: client.clone(), factor: *factor, secs: *duration_s }
        }
        CueAction::Crash { node } => fault(node, LiveFault::Crash),
        CueAction::Restore { node } => fault(node, LiveFault::Restore),
        CueAction::Slow { node, factor } => fault(node, LiveFault::Slow(*factor)),
        CueAction::Errors { node, probability } => fault(node, LiveFault::ErrorRate(*probability)),
        CueAction::FlushCache { node } => fault(node, LiveFault::FlushCache),
    })
}

/// The cue bar: the cue just fired, the next one and how to fire it, and
/// the switch that lets them run. `big` in presenter mode (a projector).
pub fn cue_bar_ui(ui: &mut Ui, cues: &[CueSpec], runner: &CueRunner, big: bool, commands: &mut Vec<Command>) {
    let size = if big { 20.0 } else { 14.0 };
    // Two rows: what was just said, then the button and what comes next,
    // so a long cue wraps under itself, not under the button.
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Cues").size(size).strong());
        match runner.next.checked_sub(1).and_then(|i| cues.get(i)) {
            Some(last) => {
                ui.label(RichText::new(format!("{} of {}: {}", runner.next, cues.len(), last.say)).size(size))
            }
            None => ui.label(RichText::new(format!("{} to fire, none yet", cues.len())).size(size).weak()),
        };
    });
    ui.horizontal_wrapped(|ui| {
        match cues.get(runner.next) {
            Some(next) => {
                let fire = ui
                    .button(RichText::new("Fire next cue (N)").size(size))
                    .on_hover_text(format!("{}: N or Page Down fires it too", next.action.describe()));
                if fire.clicked() {
                    commands.push(Command::FireCue);
                }
                let when = match (runner.auto, next.at_s) {
                    (true, Some(at)) => format!(" (at {at} s)"),
                    _ => String::new(),
                };
                ui.label(RichText::new(format!("next: {}{when}", next.say)).size(size).weak());
            }
            None => {
                ui.label(
                    RichText::new(format!("all {} cues fired: Run again starts the lesson over", cues.len()))
                        .size(size)
                        .weak(),
                );
            }
        }
        let mut auto = runner.auto;
        if ui
            .checkbox(&mut auto, RichText::new("let cues run at their times").size(size))
            .on_hover_text("Cues with a time fire by themselves at that simulated second; the others wait for N.")
            .changed()
        {
            commands.push(Command::SetCuesRun(auto));
        }
    });
}

/// The keys that fire the next cue: N, and Page Down (a clicker's "next").
pub fn fire_keys_pressed(ctx: &egui::Context) -> bool {
    ctx.input_mut(|i| {
        i.consume_key(egui::Modifiers::NONE, egui::Key::N) | i.consume_key(egui::Modifiers::NONE, egui::Key::PageDown)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(at_s: Option<f64>) -> CueSpec {
        CueSpec { say: "x".into(), at_s, action: CueAction::Crash { node: "db".into() } }
    }

    #[test]
    fn only_let_run_cues_with_a_time_hold_the_engine() {
        let cues = [cue(Some(30.0)), cue(None)];
        let mut r = CueRunner::default();
        assert_eq!(r.hold_at(&cues), None, "fired by hand");
        r.auto = true;
        assert_eq!(r.hold_at(&cues), Some(SimTime::from_secs(30.0)));
        assert!(!r.due(&cues, SimTime::from_secs(29.9)) && r.due(&cues, SimTime::from_secs(30.0)));
        r.next = 1;
        assert_eq!(r.hold_at(&cues), None, "the next waits for N");
    }

    #[test]
    fn a_cue_acts_as_the_node_menu_does() {
        assert_eq!(command_for(&CueAction::Note), None);
        assert_eq!(
            command_for(&CueAction::Slow { node: "db".into(), factor: 4.0 }),
            Some(Command::Fault { node: "db".into(), fault: LiveFault::Slow(4.0) })
        );
    }
}
