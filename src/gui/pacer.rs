//! Advancing the simulation inside a frame without freezing the window.
//!
//! Each frame asks for `speed × wall dt` of simulated time. The engine runs
//! in slices of a bounded number of events (`run_until_bounded`); between
//! slices the pacer looks at the clock and stops once the frame's work
//! budget is spent. What was not done is dropped, not owed: a simulation
//! that cannot keep up runs slower than asked instead of stalling the UI to
//! catch up, and the toolbar says so.

use serde::{Deserialize, Serialize};

use super::clock::Clock;
use crate::sim::{SimTime, Simulation};

/// How fast simulated time runs compared with wall time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Speed {
    /// Simulated seconds per wall second.
    Times(f64),
    /// As fast as the frame budget allows.
    Max,
}

impl Default for Speed {
    fn default() -> Self {
        Speed::Times(1.0)
    }
}

impl Speed {
    /// The choices the toolbar offers.
    pub const CHOICES: [Speed; 11] = [
        Speed::Times(0.1),
        Speed::Times(0.25),
        Speed::Times(0.5),
        Speed::Times(1.0),
        Speed::Times(2.0),
        Speed::Times(5.0),
        Speed::Times(10.0),
        Speed::Times(100.0),
        Speed::Times(300.0),
        Speed::Times(1000.0),
        Speed::Max,
    ];

    pub fn label(self) -> String {
        match self {
            Speed::Times(f) => super::format::speed(f),
            Speed::Max => "max".into(),
        }
    }
}

/// Settings of the per-frame stepping.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PacerConfig {
    /// Wall seconds of engine work allowed per frame.
    pub budget_s: f64,
    /// Events per slice between two looks at the clock.
    pub slice_events: u64,
    /// A longer frame gap (the window was hidden, a breakpoint) counts as this.
    pub max_frame_dt_s: f64,
    /// Events per frame at "max" speed when the clock never runs out
    /// (a manual clock in tests).
    pub max_events_per_frame: u64,
    /// Where the engine runs.
    pub engine: EngineThread,
    /// Frames per second at "max" speed with the engine on its own thread.
    /// Each frame drawn takes CPU from the engine (under software GL the
    /// drawing is most of it), and a fast-forward needs no more than a
    /// smooth-enough picture: the engine gets the rest.
    pub fast_forward_fps: f64,
}

/// Where the engine runs: in the frame's own time, or on a thread of its
/// own while the window draws (see [`super::background`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EngineThread {
    /// Inside `logic`, within [`PacerConfig::budget_s`]: predictable frame
    /// by frame, which is what tests with a manual clock need.
    #[default]
    Inline,
    /// On a worker thread between the end of one frame's `ui` and the
    /// start of the next one's `logic`.
    Background,
}

impl Default for PacerConfig {
    fn default() -> Self {
        Self {
            budget_s: 0.008,
            slice_events: 2_000,
            max_frame_dt_s: 0.25,
            max_events_per_frame: 20_000_000,
            engine: EngineThread::Inline,
            fast_forward_fps: 24.0,
        }
    }
}

/// What one frame of stepping did.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FrameWork {
    /// Simulated seconds advanced.
    pub sim_dt_s: f64,
    pub events: u64,
    /// Wall seconds spent in the engine.
    pub work_s: f64,
    /// The frame ran out of budget before reaching its target.
    pub fell_behind: bool,
}

/// Steps the simulation each frame and measures the speed it achieves.
#[derive(Debug, Clone)]
pub struct Pacer {
    pub config: PacerConfig,
    /// Achieved speed (sim s per wall s), smoothed over about a second.
    achieved: f64,
    /// Share of recent frames that fell behind, smoothed.
    behind: f64,
    /// No frame takes the simulation past this (the end of the run).
    pub until: SimTime,
}

impl Pacer {
    pub fn new(config: PacerConfig) -> Self {
        Self { config, achieved: 0.0, behind: 0.0, until: SimTime::NEVER }
    }

    /// The wall time a frame of `wall_dt_s` counts for (a long gap counts
    /// as the maximum frame).
    pub fn frame_dt(&self, wall_dt_s: f64) -> f64 {
        wall_dt_s.clamp(0.0, self.config.max_frame_dt_s)
    }

    /// Where a frame of `dt` (from [`Pacer::frame_dt`]) at `speed` aims to
    /// take a simulation that is at `now`: never past [`Pacer::until`].
    pub fn target(&self, now: SimTime, dt: f64, speed: Speed) -> SimTime {
        let target = match speed {
            Speed::Times(f) => SimTime::from_secs(now.as_secs() + f.max(0.0) * dt),
            Speed::Max => SimTime::NEVER,
        };
        target.min(self.until.max(now))
    }

    /// Runs the simulation for one frame of `wall_dt_s` at `speed`.
    pub fn advance(&mut self, sim: &mut Simulation, wall_dt_s: f64, speed: Speed, clock: &dyn Clock) -> FrameWork {
        let dt = self.frame_dt(wall_dt_s);
        let start_sim = sim.now();
        let target = self.target(start_sim, dt, speed);
        let started = clock.now_s();
        let mut events = 0;
        let mut fell_behind = false;
        while sim.now() < target {
            events += sim.run_until_bounded(target, self.config.slice_events);
            if sim.now() >= target {
                break;
            }
            if clock.now_s() - started >= self.config.budget_s || events >= self.config.max_events_per_frame {
                fell_behind = true;
                break;
            }
        }
        let work = FrameWork {
            sim_dt_s: sim.now().as_secs() - start_sim.as_secs(),
            events,
            work_s: clock.now_s() - started,
            fell_behind: fell_behind && speed != Speed::Max,
        };
        self.observe(dt, &work);
        work
    }

    /// Takes in what a frame of `dt` achieved (the engine thread's work
    /// comes back a frame later, so the runtime reports it here).
    pub fn observe(&mut self, dt: f64, work: &FrameWork) {
        if dt <= 0.0 {
            return;
        }
        // About one second of frames at 60 fps.
        let alpha = (dt / 1.0).clamp(0.02, 1.0);
        let speed_now = work.sim_dt_s / dt;
        self.achieved += alpha * (speed_now - self.achieved);
        let behind_now = if work.fell_behind { 1.0 } else { 0.0 };
        self.behind += alpha * (behind_now - self.behind);
    }

    /// Forgets the measurements (after a reset or a pause).
    pub fn reset(&mut self) {
        self.achieved = 0.0;
        self.behind = 0.0;
    }

    /// The smoothed achieved speed.
    pub fn achieved(&self) -> f64 {
        self.achieved
    }

    /// `Some(achieved)` when the simulation runs clearly slower than
    /// asked: most recent frames ran out of budget.
    pub fn lagging(&self, speed: Speed) -> Option<f64> {
        match speed {
            Speed::Times(asked) if self.behind > 0.5 && self.achieved < asked * 0.9 => Some(self.achieved),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gui::clock::ManualClock;
    use crate::scenario::default_scenario;

    #[test]
    fn one_frame_advances_speed_times_dt() {
        let mut sim = Simulation::new(&default_scenario()).expect("bundled scenario builds");
        let clock = ManualClock::new();
        let mut pacer = Pacer::new(PacerConfig::default());
        let work = pacer.advance(&mut sim, 0.1, Speed::Times(10.0), &clock);
        assert!((sim.now().as_secs() - 1.0).abs() < 1e-9, "{}", sim.now().as_secs());
        assert!(work.events > 0);
        assert!(!work.fell_behind);
    }

    #[test]
    fn a_long_gap_counts_as_the_maximum_frame() {
        let mut sim = Simulation::new(&default_scenario()).expect("bundled scenario builds");
        let clock = ManualClock::new();
        let mut pacer = Pacer::new(PacerConfig::default());
        pacer.advance(&mut sim, 30.0, Speed::Times(1.0), &clock);
        assert!((sim.now().as_secs() - 0.25).abs() < 1e-9);
    }

    #[test]
    fn max_speed_stops_at_the_event_cap_with_a_clock_that_never_moves() {
        let mut sim = Simulation::new(&default_scenario()).expect("bundled scenario builds");
        let clock = ManualClock::new();
        let mut pacer =
            Pacer::new(PacerConfig { max_events_per_frame: 5_000, slice_events: 1_000, ..PacerConfig::default() });
        let work = pacer.advance(&mut sim, 0.016, Speed::Max, &clock);
        assert!(work.events >= 5_000 && work.events < 7_000, "{}", work.events);
        assert!(sim.now() > SimTime::ZERO);
    }

    /// A clock that jumps forward every time it is read: each slice looks
    /// like it took 5 ms of wall time.
    struct SlowClock(std::cell::Cell<f64>);
    impl Clock for SlowClock {
        fn now_s(&self) -> f64 {
            let t = self.0.get();
            self.0.set(t + 0.005);
            t
        }
    }

    #[test]
    fn when_the_budget_runs_out_it_reports_running_slower_than_asked() {
        let mut sim = Simulation::new(&default_scenario()).expect("bundled scenario builds");
        let clock = SlowClock(std::cell::Cell::new(0.0));
        let mut pacer = Pacer::new(PacerConfig { slice_events: 100, ..PacerConfig::default() });
        for _ in 0..120 {
            pacer.advance(&mut sim, 1.0 / 60.0, Speed::Times(1000.0), &clock);
        }
        let achieved = pacer.lagging(Speed::Times(1000.0)).expect("lagging");
        assert!(achieved < 900.0);
        assert!(pacer.lagging(Speed::Times(0.0001)).is_none());
    }
}
