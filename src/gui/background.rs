//! The engine on a core of its own while the window draws.
//!
//! A frame has three parts: `logic` (apply input, step), `ui` (build the
//! widgets, reading the simulation) and drawing (tessellation and GL, the
//! largest part under software rendering). Run inline, the engine only gets
//! a slice of `logic`; here the simulation is *handed* to a worker thread at
//! the end of `ui` and taken back at the start of the next `logic`, so it
//! runs while the frame is drawn and the window waits for the next one.
//!
//! The simulation is moved, never shared: no lock, and everything the UI
//! does to it (live edits, faults, reset, step) happens while it is home,
//! exactly as before. Where a run of events is cut does not change what
//! the events do, so the numbers are the same as inline for the same seed.
//! The worker looks at a stop flag between slices of a few thousand events,
//! so taking the simulation back costs at most one slice (well under a
//! millisecond).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::sim::{SimTime, Simulation};

/// One stretch of work: run `sim` until `until`, at most `max_events`.
struct Job {
    sim: Simulation,
    until: SimTime,
    slice_events: u64,
    max_events: u64,
}

/// The simulation back from the worker, and what it did away.
pub struct Returned {
    pub sim: Simulation,
    pub events: u64,
    /// Wall seconds the worker spent on it.
    pub work_s: f64,
    /// It reached `until` (rather than being stopped or capped).
    pub reached: bool,
}

/// Why the simulation did not come back.
#[derive(Debug, thiserror::Error)]
pub enum BackgroundError {
    #[error("the engine thread stopped unexpectedly (a bug in the engine); the run was rebuilt from the document")]
    WorkerLost,
}

/// A worker thread that runs handed-over simulations.
pub struct BackgroundEngine {
    jobs: Option<Sender<Job>>,
    returned: Receiver<Returned>,
    stop: Arc<AtomicBool>,
    away: bool,
    worker: Option<JoinHandle<()>>,
}

impl BackgroundEngine {
    /// Starts the worker thread.
    pub fn start() -> std::io::Result<Self> {
        let (jobs, job_rx) = channel::<Job>();
        let (done_tx, returned) = channel::<Returned>();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let worker =
            std::thread::Builder::new().name("archsim-engine".into()).spawn(move || work(&job_rx, &done_tx, &flag))?;
        Ok(Self { jobs: Some(jobs), returned, stop, away: false, worker: Some(worker) })
    }

    /// Whether a simulation is with the worker.
    pub fn is_away(&self) -> bool {
        self.away
    }

    /// Hands `sim` to the worker to run until `until` (or until taken back).
    /// On failure (the worker is gone) the simulation is given back.
    #[expect(
        clippy::result_large_err,
        reason = "the simulation goes back by value, and only when the thread is gone; boxing it would cost a move every frame"
    )]
    pub fn send(
        &mut self,
        sim: Simulation,
        until: SimTime,
        slice_events: u64,
        max_events: u64,
    ) -> Result<(), Simulation> {
        let Some(jobs) = &self.jobs else { return Err(sim) };
        self.stop.store(false, Ordering::Release);
        match jobs.send(Job { sim, until, slice_events, max_events }) {
            Ok(()) => {
                self.away = true;
                Ok(())
            }
            Err(e) => Err(e.0.sim),
        }
    }

    /// Takes the simulation back: waits up to `wait` for the worker to
    /// finish on its own, then asks it to stop after its current slice.
    /// `Ok(None)` if nothing was away.
    pub fn take_back(&mut self, wait: Duration) -> Result<Option<Returned>, BackgroundError> {
        if !self.away {
            return Ok(None);
        }
        self.away = false;
        let back = match self.returned.recv_timeout(wait) {
            Ok(r) => Ok(r),
            Err(RecvTimeoutError::Timeout) => {
                self.stop.store(true, Ordering::Release);
                self.returned.recv().map_err(|_| BackgroundError::WorkerLost)
            }
            Err(RecvTimeoutError::Disconnected) => Err(BackgroundError::WorkerLost),
        };
        back.map(Some)
    }
}

impl Drop for BackgroundEngine {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        // Closing the job channel ends the worker's loop.
        self.jobs = None;
        if let Some(worker) = self.worker.take() {
            // A worker that panicked has nothing left to clean up.
            let _ = worker.join();
        }
    }
}

/// The worker's loop: one job at a time until the app drops its sender.
fn work(jobs: &Receiver<Job>, returned: &Sender<Returned>, stop: &AtomicBool) {
    while let Ok(Job { mut sim, until, slice_events, max_events }) = jobs.recv() {
        let started = Instant::now();
        let mut events = 0;
        while sim.now() < until && events < max_events && !stop.load(Ordering::Acquire) {
            events += sim.run_until_bounded(until, slice_events.min(max_events - events));
        }
        let reached = sim.now() >= until;
        let back = Returned { sim, events, work_s: started.elapsed().as_secs_f64(), reached };
        if returned.send(back).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::default_scenario;

    fn sim() -> Simulation {
        Simulation::new(&default_scenario()).expect("the default scenario builds")
    }

    #[test]
    fn a_simulation_sent_away_comes_back_at_its_target() {
        let mut bg = BackgroundEngine::start().expect("thread");
        assert!(bg.take_back(Duration::ZERO).expect("nothing away").is_none());
        bg.send(sim(), SimTime::from_secs(2.0), 2_000, u64::MAX).ok().expect("sent");
        assert!(bg.is_away());
        let back = bg.take_back(Duration::from_secs(30)).expect("worker alive").expect("was away");
        assert!(back.reached);
        assert!((back.sim.now().as_secs() - 2.0).abs() < 1e-9);
        assert!(back.events > 0);
        assert!(!bg.is_away());
    }

    /// Running without end, it stops when asked instead of holding the
    /// simulation: the window never waits for the engine.
    #[test]
    fn an_endless_run_stops_when_taken_back() {
        let mut bg = BackgroundEngine::start().expect("thread");
        bg.send(sim(), SimTime::NEVER, 2_000, u64::MAX).ok().expect("sent");
        std::thread::sleep(Duration::from_millis(20));
        let asked = Instant::now();
        let back = bg.take_back(Duration::ZERO).expect("worker alive").expect("was away");
        assert!(asked.elapsed() < Duration::from_secs(1), "stopped after a slice, not at the end");
        assert!(!back.reached);
        assert!(back.sim.now() > SimTime::ZERO);
    }

    /// Runs cut at different places give the same numbers: the same seed
    /// gives the same report whether the engine ran inline or away.
    #[test]
    fn running_away_in_pieces_matches_running_inline() {
        let mut inline = sim();
        inline.run_until(SimTime::from_secs(3.0));

        let mut bg = BackgroundEngine::start().expect("thread");
        let mut away = sim();
        for (i, t) in [0.4, 1.1, 1.9, 3.0].into_iter().enumerate() {
            bg.send(away, SimTime::from_secs(t), 100 + 300 * i as u64, u64::MAX).ok().expect("sent");
            away = bg.take_back(Duration::from_secs(30)).expect("alive").expect("away").sim;
        }
        assert_eq!(away.now(), inline.now());
        assert_eq!(format!("{:?}", away.report()), format!("{:?}", inline.report()));
    }
}
