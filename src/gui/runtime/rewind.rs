//! The run's past, for the rewind scrubber: snapshots of the running
//! simulation (`sim::snapshot`), the live changes made to it, and after a
//! jump back what the first run did next.
//!
//! After a jump back the run *follows* the first one: the changes the user
//! made later are applied again at their times (the pacer stops the engine
//! at each, see `Runtime::limit_to_the_end`), so playing on reproduces the
//! first run to the last digit. Any change made while following *forks*:
//! the first run's later changes are dropped, and its windows are kept as
//! a faint trace beside the fork's on the plots (same seed, so the
//! difference is the change).

use std::collections::VecDeque;

use crate::sim::snapshot::{SnapshotConfig, SnapshotStore};
use crate::sim::{LiveChange, SimTime, Simulation, TimeSeries, TimedChange};

/// Why a jump did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RewindError {
    #[error("there is nothing to go back to yet")]
    NoSnapshots,
    #[error("the snapshots kept start later than that")]
    BeforeTheFirst,
    #[error("the run has not been there yet")]
    NotYetRun,
}

/// What the first run did after the moment the run went back to.
struct Following {
    /// Its changes still to come, in time order.
    later: VecDeque<TimedChange>,
    /// Its windows, as they were when the run went back.
    series: TimeSeries,
    /// How far it had run.
    reached: SimTime,
}

/// Snapshots and changes of the run, and the first run after a rewind.
#[derive(Default)]
pub struct RunHistory {
    store: Option<SnapshotStore>,
    config: SnapshotConfig,
    following: Option<Following>,
    /// The first run's windows after a fork, drawn faint beside the fork's.
    pub first_run: Option<TimeSeries>,
}

/// What the scrubber shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryStatus {
    /// The span one can go to: the first snapshot to the furthest point
    /// reached (the first run's, while following it).
    pub from_s: f64,
    pub reach_s: f64,
    pub bytes: usize,
    pub budget_bytes: usize,
    pub snapshots: usize,
    /// Playing on repeats the first run.
    pub following: bool,
    /// A first run is drawn faint on the plots.
    pub first_run: bool,
}

impl RunHistory {
    /// A fresh history for a new run (its first snapshot now).
    pub fn start(&mut self, sim: &Simulation) {
        self.store = Some(SnapshotStore::new(sim, self.config));
        self.following = None;
        self.first_run = None;
    }

    /// No run, no history.
    pub fn clear(&mut self) {
        self.store = None;
        self.following = None;
        self.first_run = None;
    }

    /// Sets the memory budget; snapshots are thinned to it at the next one
    /// taken, and a fresh run starts with it.
    pub fn set_budget(&mut self, bytes: usize) {
        self.config.budget_bytes = bytes;
        if let Some(store) = &mut self.store {
            store.set_budget(bytes);
        }
    }

    /// Whether the run follows the first one (after a jump back, until it
    /// catches up or forks).
    pub fn is_following(&self) -> bool {
        self.following.is_some()
    }

    /// When the first run made its next change: the engine must stop there.
    pub fn next_change_at(&self) -> Option<SimTime> {
        self.following.as_ref().and_then(|f| f.later.front()).map(|c| c.at)
    }

    /// After the engine advanced: the first run's changes now due are made
    /// again (only when the run goes on, `running`: a run paused at the
    /// moment of a change shows the state before it, so a different change
    /// can be tried there), and a snapshot is taken if one is due.
    pub fn after_advance(&mut self, sim: &mut Simulation, running: bool) {
        if let Some(f) = self.following.as_mut().filter(|_| running) {
            while let Some(c) = f.later.front().filter(|c| c.at <= sim.now()) {
                let _ = sim.apply_live(&c.change);
                if let Some(store) = &mut self.store {
                    store.record(sim.now(), c.change.clone());
                }
                f.later.pop_front();
            }
            if f.later.is_empty() && sim.now() >= f.reached {
                // Caught up: this run is the first one again.
                self.following = None;
            }
        }
        if let Some(store) = &mut self.store {
            store.observe(sim);
        }
    }

    /// Records a change the user made (already applied at `at`). While
    /// following the first run, the run forks here.
    pub fn record(&mut self, at: SimTime, change: LiveChange) {
        if let Some(f) = self.following.take() {
            self.first_run = Some(f.series);
        }
        if let Some(store) = &mut self.store {
            store.record(at, change);
        }
    }

    /// Forks the run here without a change (a cue that only talks, fired
    /// while following the first run): the first run's later changes are
    /// dropped and it is kept as a faint trace, as a change would do.
    pub fn fork(&mut self) {
        if let Some(f) = self.following.take() {
            self.first_run = Some(f.series);
        }
    }

    /// Stops drawing the first run.
    pub fn forget_first_run(&mut self) {
        self.first_run = None;
    }

    /// Takes `sim` to `t`: back from the nearest snapshot at or before it,
    /// replaying the changes made in between, or on along the first run
    /// while following it.
    ///
    /// # Errors
    /// `t` is before the first snapshot kept, or past where the run has been.
    pub fn jump(&mut self, sim: &mut Simulation, t: SimTime) -> Result<(), RewindError> {
        let store = self.store.as_mut().ok_or(RewindError::NoSnapshots)?;
        let now = sim.now();
        if t > now {
            let Some(f) = &mut self.following else { return Err(RewindError::NotYetRun) };
            if t > f.reached {
                return Err(RewindError::NotYetRun);
            }
            while let Some(c) = f.later.front().filter(|c| c.at < t) {
                store.run_until(sim, c.at);
                let _ = sim.apply_live(&c.change);
                store.record(sim.now(), c.change.clone());
                f.later.pop_front();
            }
            store.run_until(sim, t);
            return Ok(());
        }
        let rewind = store.rewind_to(t).ok_or(RewindError::BeforeTheFirst)?;
        let (back, later) = rewind.replay();
        let mut later: VecDeque<TimedChange> = later.into();
        let following = match self.following.take() {
            Some(mut f) => {
                later.append(&mut f.later);
                Following { later, ..f }
            }
            None => Following { later, series: sim.series().clone(), reached: now },
        };
        self.following = Some(following);
        *sim = back;
        Ok(())
    }

    /// What the scrubber shows, for a run at `now`.
    pub fn status(&self, now: SimTime) -> Option<HistoryStatus> {
        let store = self.store.as_ref()?;
        let (first, _) = store.span()?;
        let reach = self.following.as_ref().map_or(now, |f| f.reached.max(now));
        Some(HistoryStatus {
            from_s: first.as_secs(),
            reach_s: reach.as_secs(),
            bytes: store.bytes(),
            budget_bytes: store.budget_bytes(),
            snapshots: store.len(),
            following: self.following.is_some(),
            first_run: self.first_run.is_some(),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::gui::clock::ManualClock;
    use crate::gui::pacer::{PacerConfig, Speed};
    use crate::gui::runtime::Runtime;
    use crate::scenario::default_scenario;
    use crate::sim::LiveChange;

    fn slowdown(rt: &Runtime, node: usize) -> f64 {
        rt.sim.as_ref().and_then(|s| s.node_live(node)).map_or(f64::NAN, |l| l.slowdown)
    }

    /// Back at the very moment of a change, paused: the state before it, so
    /// another change can be tried there instead; Play would have made it.
    #[test]
    fn a_run_paused_at_a_changes_moment_shows_the_state_before_it() {
        let doc = default_scenario();
        let db = doc.node_index("db").expect("db");
        let mut rt = Runtime::new(&doc, PacerConfig { max_frame_dt_s: 10.0, ..PacerConfig::default() });
        let clock = ManualClock::new();
        rt.play();
        rt.frame(1.0, Speed::Times(10.0), &clock);
        assert_eq!(rt.now_s(), 10.0);
        rt.apply_live(LiveChange::Slowdown { node: db, factor: 4.0 });
        rt.frame(1.0, Speed::Times(10.0), &clock);
        assert_eq!(rt.now_s(), 20.0);

        rt.rewind_to(10.0);
        assert_eq!(rt.now_s(), 10.0);
        rt.frame(0.1, Speed::Times(10.0), &clock);
        assert_eq!(slowdown(&rt, db), 1.0, "paused at 10 s, before the slowdown");
        assert!(rt.history.status(rt.sim.as_ref().expect("sim").now()).is_some_and(|s| s.following));

        // On along the first run by the scrubber: its slowdown on the way.
        rt.rewind_to(15.0);
        assert_eq!(rt.now_s(), 15.0);
        assert_eq!(slowdown(&rt, db), 4.0);
        rt.rewind_to(25.0);
        assert_eq!(rt.now_s(), 15.0, "not past where the first run went");

        // Played on, the first run's slowdown is made again at 10 s.
        rt.rewind_to(10.0);
        rt.play();
        rt.frame(0.1, Speed::Times(10.0), &clock);
        assert_eq!(slowdown(&rt, db), 4.0);

        // Back again, and another change instead: a fork, without the slowdown.
        rt.rewind_to(10.0);
        rt.apply_live(LiveChange::ErrorInjection { node: db, probability: 0.1 });
        assert!(rt.history.first_run.is_some(), "the first run is kept for the plots");
        rt.play();
        rt.frame(1.0, Speed::Times(10.0), &clock);
        assert_eq!(slowdown(&rt, db), 1.0, "the fork does not repeat the first run's changes");
    }
}
