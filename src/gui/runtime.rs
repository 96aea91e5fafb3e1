//! Runtime state: the simulation built from the document, and what is
//! derived from it each frame (live view, dots, alerts). Never persisted;
//! rebuilt from the document on start, reset and structural edits.

use std::collections::BTreeMap;
use std::time::Duration;

use super::alerts::{AlertLog, Counted, Severity, severity_of_event};
use super::background::{BackgroundEngine, BackgroundError};
use super::canvas::traffic_dots::{FlowInput, TrafficDots};
use super::clock::Clock;
use super::edits::same_structure;
use super::live::{HeatLevel, LiveView, NodeStatus};
use super::pacer::{EngineThread, FrameWork, Pacer, PacerConfig, Speed};
use super::verdict::{Verdict, verdict};
use crate::scenario::{DistributionSpec, NodeKind, Problem, Scenario, ValidScenario};
use crate::sim::{FailureReason, LiveChange, LiveUpdate, SimTime, Simulation};

mod rewind;
pub use rewind::{HistoryStatus, RewindError, RunHistory};

/// Why a change that is valid in the document cannot go into the running
/// design alone: it needs another change that waits for a reset.
fn waits_on(problems: &[String]) -> String {
    let first = problems.first().map_or("", String::as_str);
    format!("it needs other changes that wait for a reset ({first})")
}

/// What a change waiting for the next reset concerns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum PendingKey {
    Topology,
    Node(String),
    Edge(usize),
}

/// Whether the app has a simulation, and whether it advances. Kept by
/// [`Runtime`] alone, so it cannot say "running" without a simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// The document cannot be simulated (see [`Runtime::problems`]).
    NoSimulation,
    Paused,
    Running,
}

/// The running side of the app.
pub struct Runtime {
    pub sim: Option<Simulation>,
    pub live: LiveView,
    pub dots: TrafficDots,
    pub pacer: Pacer,
    state: RunState,
    /// Why the document cannot be simulated, when it cannot.
    pub problems: Vec<String>,
    /// Edits made after the start that take effect at the next reset, and why.
    pub pending: BTreeMap<PendingKey, String>,
    pub alerts: AlertLog,
    /// Computed when the run is paused.
    pub verdict: Option<Verdict>,
    pub last_work: FrameWork,
    /// Engine events already copied into the alert log (the engine's count).
    events_seen: u64,
    levels: Vec<NodeStatus>,
    /// The engine thread, when the engine runs on one.
    background: Option<BackgroundEngine>,
    /// What the engine thread did since the last frame, waiting to be
    /// reported by [`Runtime::frame`]: the frame length it ran for, and the work.
    returned: Option<(f64, FrameWork)>,
    /// The wall time the current frame counts for.
    frame_dt: f64,
    /// Where the simulation was, for how long and how fast it was sent away.
    sent_from: SimTime,
    sent_dt: f64,
    returned_speed: Speed,
    /// Keep running past the scenario's duration (a preference).
    pub run_past_end: bool,
    /// The run paused at its end once; Play goes on past it.
    past_end: bool,
    /// No frame takes the simulation past this: the next cue let run
    /// fires at exactly its time (`gui::cues`).
    pub hold_at: Option<SimTime>,
    /// Snapshots and live changes, for going back (`runtime/rewind.rs`).
    pub history: RunHistory,
    /// Runs keep request traces: switched on when the Traces tab is first
    /// shown, off before (tracing costs the engine time).
    pub tracing: bool,
}

impl Runtime {
    pub fn new(scenario: &Scenario, pacer: PacerConfig) -> Self {
        let mut rt = Runtime {
            sim: None,
            live: LiveView::default(),
            dots: TrafficDots::default(),
            pacer: Pacer::new(pacer),
            state: RunState::NoSimulation,
            problems: Vec::new(),
            pending: BTreeMap::new(),
            alerts: AlertLog::default(),
            verdict: None,
            last_work: FrameWork::default(),
            events_seen: 0,
            levels: Vec::new(),
            background: None,
            returned: None,
            frame_dt: 0.0,
            sent_from: SimTime::ZERO,
            sent_dt: 0.0,
            returned_speed: Speed::Max,
            run_past_end: false,
            past_end: false,
            hold_at: None,
            history: RunHistory::default(),
            tracing: false,
        };
        if pacer.engine == EngineThread::Background {
            match BackgroundEngine::start() {
                Ok(bg) => rt.background = Some(bg),
                Err(e) => rt.alerts.push(
                    Severity::Info,
                    0.0,
                    None,
                    format!("the engine runs in the window's frames: no thread for it ({e})"),
                    1,
                ),
            }
        }
        rt.rebuild(scenario);
        rt
    }

    /// Whether the engine runs on a thread of its own.
    pub fn runs_in_background(&self) -> bool {
        self.background.is_some()
    }

    /// Takes the simulation back from the engine thread, if it is there.
    /// Call before anything reads or changes the simulation in a frame.
    ///
    /// # Errors
    /// The engine thread died (an engine bug): the simulation is lost, and
    /// the engine runs inline from now on; the caller rebuilds the run.
    pub fn bring_home(&mut self) -> Result<(), BackgroundError> {
        let Some(bg) = self.background.as_mut() else { return Ok(()) };
        if !bg.is_away() {
            return Ok(());
        }
        // A paced run gets a moment to reach its target; "max" has none.
        let wait = match self.returned_speed {
            Speed::Times(_) => Duration::from_secs_f64(self.pacer.config.budget_s),
            Speed::Max => Duration::ZERO,
        };
        match bg.take_back(wait) {
            Ok(Some(back)) => {
                let start = self.sent_from;
                let work = FrameWork {
                    sim_dt_s: back.sim.now().as_secs() - start.as_secs(),
                    events: back.events,
                    work_s: back.work_s,
                    fell_behind: !back.reached && self.returned_speed != Speed::Max,
                };
                self.returned = Some((self.sent_dt, work));
                self.sim = Some(back.sim);
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(e) => {
                self.background = None;
                self.sim = None;
                self.state = RunState::NoSimulation;
                Err(e)
            }
        }
    }

    /// The time from one frame's start to the next's while running at
    /// "max" with the engine thread (`None`: as fast as the window draws).
    /// The pause between frames leaves the engine the CPU.
    pub fn frame_period(&self, speed: Speed) -> Option<Duration> {
        let fps = self.pacer.config.fast_forward_fps;
        (self.background.is_some() && speed == Speed::Max && fps > 0.0).then(|| Duration::from_secs_f64(1.0 / fps))
    }

    /// Hands the simulation to the engine thread for the rest of the frame,
    /// if the engine runs on one and the run is going. It comes back at the
    /// next [`Runtime::bring_home`].
    pub fn send_away(&mut self, speed: Speed) {
        if !self.is_running() {
            return;
        }
        self.limit_to_the_end();
        let Some(bg) = self.background.as_mut() else { return };
        let Some(sim) = self.sim.take() else { return };
        let start = sim.now();
        let until = self.pacer.target(start, self.frame_dt, speed);
        let config = self.pacer.config;
        match bg.send(sim, until, config.slice_events, config.max_events_per_frame) {
            Ok(()) => {
                self.sent_from = start;
                self.sent_dt = self.frame_dt;
                self.returned_speed = speed;
            }
            Err(sim) => {
                // The thread is gone: keep the simulation and run inline.
                self.sim = Some(sim);
                self.background = None;
            }
        }
    }

    pub fn run_state(&self) -> RunState {
        self.state
    }

    pub fn is_running(&self) -> bool {
        self.state == RunState::Running
    }

    /// A fresh simulation of `scenario` at time zero (or the reasons it
    /// cannot be built). A running session goes on running the new one.
    pub fn rebuild(&mut self, scenario: &Scenario) {
        self.rebuild_checked(ValidScenario::new(scenario.clone()));
    }

    /// A fresh simulation from a document validated by the caller.
    fn rebuild_checked(&mut self, checked: Result<ValidScenario, Vec<Problem>>) {
        self.pending.clear();
        self.verdict = None;
        self.dots.clear();
        self.pacer.reset();
        self.events_seen = 0;
        self.past_end = false;
        match checked {
            Ok(valid) => {
                let mut sim = Simulation::from_valid(valid);
                // Once the Traces tab was opened, every run is traced (it
                // costs the engine a quarter or more; the numbers are the same).
                if self.tracing {
                    sim.enable_tracing();
                }
                self.live = LiveView::new(&sim);
                self.levels = vec![NodeStatus::Up(HeatLevel::Calm); sim.node_count()];
                self.history.start(&sim);
                self.sim = Some(sim);
                self.problems.clear();
                if self.state == RunState::NoSimulation {
                    self.state = RunState::Paused;
                }
            }
            Err(problems) => {
                self.sim = None;
                self.history.clear();
                self.live = LiveView::default();
                self.problems = problems.iter().map(|p| super::problems::in_app_words(&p.message)).collect();
                self.state = RunState::NoSimulation;
            }
        }
    }

    /// Simulated seconds so far.
    pub fn now_s(&self) -> f64 {
        self.sim.as_ref().map_or(0.0, |s| s.now().as_secs())
    }

    /// Brings the simulation in line with an edited document, validated
    /// once by the caller: rebuilt if nothing has run yet, parameters pushed
    /// live where the engine can, and the rest noted as waiting for a
    /// reset. The notes are worked out afresh each time, so an edit that is
    /// undone or typed back no longer waits for anything.
    pub fn sync(&mut self, doc: &Scenario, checked: Result<ValidScenario, Vec<Problem>>) {
        let fresh = self.sim.as_ref().is_none_or(|s| s.now().0 == 0);
        // An empty canvas has nothing left to run: the old run stops
        // rather than go on plotting nodes that are gone.
        if fresh || doc.nodes.is_empty() {
            self.rebuild_checked(checked);
            return;
        }
        self.pending.clear();
        if let Err(problems) = checked {
            // Keep the running simulation; nothing invalid reaches it.
            self.problems = problems.iter().map(|p| super::problems::in_app_words(&p.message)).collect();
            self.pending.insert(PendingKey::Topology, "fix the problems listed, then reset".into());
            return;
        }
        self.problems.clear();
        let Some(sim) = self.sim.as_ref() else { return };
        if !same_structure(sim.scenario(), doc) {
            self.pending.insert(PendingKey::Topology, "nodes, edges, faults or the seed changed".into());
            return;
        }
        // The engine checks each change against the design it runs, so a
        // change may only be valid once another has gone in (a weighted
        // policy after its weights): go round until nothing more applies.
        // What is left waits for a reset, and says why.
        let mut waiting = BTreeMap::new();
        for _ in 0..=doc.nodes.len() + doc.edges.len() {
            waiting.clear();
            let mut applied = false;
            for (i, node) in doc.nodes.iter().enumerate() {
                if self.running_scenario().is_some_and(|s| s.nodes.get(i).is_some_and(|n| n.kind != node.kind)) {
                    match self.apply_live(LiveChange::Node { index: i, kind: node.kind.clone() }) {
                        LiveUpdate::Applied => applied = true,
                        LiveUpdate::NeedsReset(why) => {
                            waiting.insert(PendingKey::Node(node.id.clone()), why);
                        }
                        LiveUpdate::Invalid(problems) => {
                            waiting.insert(PendingKey::Node(node.id.clone()), waits_on(&problems));
                        }
                    }
                }
            }
            for (i, edge) in doc.edges.iter().enumerate() {
                if self.running_scenario().is_some_and(|s| s.edges.get(i).is_some_and(|e| e != edge)) {
                    match self.apply_live(LiveChange::Edge { index: i, edge: edge.clone() }) {
                        LiveUpdate::Applied => applied = true,
                        LiveUpdate::NeedsReset(why) => {
                            waiting.insert(PendingKey::Edge(i), why);
                        }
                        LiveUpdate::Invalid(problems) => {
                            waiting.insert(PendingKey::Edge(i), waits_on(&problems));
                        }
                    }
                }
            }
            if !applied {
                break;
            }
        }
        self.pending.append(&mut waiting);
    }

    /// One frame: step the engine if running, then refresh what is drawn.
    pub fn frame(&mut self, wall_dt_s: f64, speed: Speed, clock: &dyn Clock) {
        let running = self.is_running();
        self.frame_dt = self.pacer.frame_dt(wall_dt_s);
        self.limit_to_the_end();
        let end = self.end();
        let returned = self.returned.take();
        let Some(sim) = self.sim.as_mut() else { return };
        self.last_work = match (running, returned) {
            (false, _) => FrameWork::default(),
            (true, Some((dt, work))) => {
                self.pacer.observe(dt, &work);
                work
            }
            (true, None) if self.background.is_some() => FrameWork::default(),
            (true, None) => self.pacer.advance(sim, wall_dt_s, speed, clock),
        };
        // The first run's changes due now (after a rewind), a snapshot if due.
        self.history.after_advance(sim, running);
        let bursts = self.live.update(sim, wall_dt_s, running);
        if running {
            let edges = &sim.scenario().edges;
            let flows: Vec<FlowInput> = self
                .live
                .edges
                .iter()
                .enumerate()
                .map(|(i, e)| FlowInput {
                    rate_rps: e.rate_rps,
                    error_ratio: e.error_ratio,
                    latency_ms: edges
                        .get(i)
                        .and_then(|s| s.latency.as_ref())
                        .and_then(DistributionSpec::mean_ms)
                        .unwrap_or(0.0),
                })
                .collect();
            let speed_now = match speed {
                Speed::Times(f) => self.pacer.lagging(speed).unwrap_or(f),
                Speed::Max => self.pacer.achieved(),
            };
            self.dots.advance(&flows, speed_now, wall_dt_s);
        }
        let now_s = sim.now().as_secs();
        // Held for a cue or a change is not the end: the run goes on.
        let reached_the_end = running && sim.now() >= end;
        let name = |i: usize| sim.scenario().nodes.get(i).map(|n| n.id.clone());
        for b in bursts {
            // A client also counts the failures that happened downstream;
            // the log names them where they happened, so only the client's
            // own (timeouts, retries used up) are logged at the client.
            let at_client = sim.scenario().nodes.get(b.node).is_some_and(|n| matches!(n.kind, NodeKind::Client(_)));
            if at_client && !matches!(b.reason, FailureReason::Timeout | FailureReason::RetriesExhausted) {
                continue;
            }
            let counted = if at_client { Counted::Requests } else { Counted::Attempts };
            self.alerts.push_counted(
                Severity::Error,
                b.at_s,
                name(b.node),
                format!("{} at {}", b.reason.label(), name(b.node).unwrap_or_default()),
                (b.count, counted),
            );
        }
        for (i, view) in self.live.nodes.iter().enumerate() {
            let status = view.status();
            let before = self.levels.get(i).copied().unwrap_or(NodeStatus::Up(HeatLevel::Calm));
            if status == NodeStatus::Up(HeatLevel::Hot) && before != status {
                let id = name(i).unwrap_or_default();
                let text = if view.heat.level() == HeatLevel::Hot {
                    format!("{id} is saturated ({} busy)", super::format::percent(view.heat.smoothed()))
                } else {
                    format!("{id} is failing requests ({} of answers)", super::format::percent(view.error_ratio()))
                };
                self.alerts.push(Severity::Warning, now_s, Some(id), text, 1);
            }
            if let Some(l) = self.levels.get_mut(i) {
                *l = status;
            }
        }
        self.copy_engine_events();
        if reached_the_end {
            self.past_end = true;
            self.pause();
            let text = format!(
                "the run reached the scenario's duration ({}) and paused: press Play to go on past it",
                super::format::sim_clock(now_s)
            );
            self.alerts.push(Severity::Info, now_s, None, text, 1);
        }
    }

    /// Where the run stops: the scenario's duration, unless the user keeps
    /// running past it (a preference) or already went on past it once.
    /// It also stops at the first run's next change while following it
    /// after a rewind, which is made there (`RunHistory::after_advance`).
    fn limit_to_the_end(&mut self) {
        let change = self.history.next_change_at().unwrap_or(SimTime::NEVER);
        let cue = self.hold_at.unwrap_or(SimTime::NEVER);
        self.pacer.until = self.end().min(change).min(cue);
    }

    /// Where the run pauses by itself: the scenario's duration, or never.
    fn end(&self) -> SimTime {
        let end = self.sim.as_ref().map(|s| SimTime::from_secs(s.scenario().duration_s));
        match end {
            Some(end) if !self.run_past_end && !self.past_end => end,
            _ => SimTime::NEVER,
        }
    }

    /// The scenario the simulation runs (which may lag the document).
    fn running_scenario(&self) -> Option<&Scenario> {
        self.sim.as_ref().map(Simulation::scenario)
    }

    /// Makes a change to the running simulation, and records it with its
    /// time so that a rewind replays it (and a change after a rewind forks).
    pub fn apply_live(&mut self, change: LiveChange) -> LiveUpdate {
        let Some(sim) = self.sim.as_mut() else {
            return LiveUpdate::NeedsReset("there is no simulation running".into());
        };
        let answer = sim.apply_live(&change);
        if answer == LiveUpdate::Applied {
            self.history.record(sim.now(), change);
        }
        answer
    }

    /// Advances a paused run by `secs` of simulated time, stopping at the
    /// first run's changes on the way (after a rewind) to make them.
    pub fn step_by(&mut self, secs: f64) {
        let Some(sim) = self.sim.as_mut() else { return };
        let mut target = SimTime::from_secs(sim.now().as_secs() + secs);
        // A cue let run is not stepped over: the step stops at its time.
        if let Some(hold) = self.hold_at.filter(|h| *h > sim.now()) {
            target = target.min(hold);
        }
        while sim.now() < target {
            let stop = target.min(self.history.next_change_at().unwrap_or(SimTime::NEVER));
            // A window's events at most per stretch, as before.
            if sim.run_until_bounded(stop, 50_000_000) == 0 && sim.now() < stop {
                break;
            }
            self.history.after_advance(sim, true);
        }
    }

    /// Goes to `t_s` (back, or on along the first run while following it)
    /// and pauses there: a fresh live view, the verdict of the run so far,
    /// and a line in the log.
    pub fn rewind_to(&mut self, t_s: f64) {
        let Some(sim) = self.sim.as_mut() else { return };
        let from_s = sim.now().as_secs();
        let t = SimTime::from_secs(t_s.max(0.0));
        let text = match self.history.jump(sim, t) {
            Ok(()) => {
                self.live = LiveView::new(sim);
                self.levels = vec![NodeStatus::Up(HeatLevel::Calm); sim.node_count()];
                self.events_seen = sim.events_logged();
                self.dots.clear();
                self.pacer.reset();
                self.past_end = false;
                self.hold();
                self.compute_verdict();
                format!(
                    "went to {} from {}: Play repeats the first run, a change from here forks it",
                    super::format::sim_clock(t.as_secs()),
                    super::format::sim_clock(from_s)
                )
            }
            Err(e) => format!("cannot go to {}: {e}", super::format::sim_clock(t.as_secs())),
        };
        self.alerts.push(Severity::Info, self.now_s(), None, text, 1);
    }

    /// Copies engine events (crashes, restores, spikes...) not seen yet.
    fn copy_engine_events(&mut self) {
        let Some(sim) = self.sim.as_ref() else { return };
        let (new, lost) = sim.events_since(self.events_seen);
        if lost > 0 {
            let text = format!("{lost} earlier engine events came faster than the log could show them");
            self.alerts.push(Severity::Info, sim.now().as_secs(), None, text, 1);
        }
        for e in new {
            let node = e.node.and_then(|i| sim.scenario().nodes.get(i)).map(|n| n.id.clone());
            self.alerts.push(severity_of_event(e.kind), e.at.as_secs(), node, e.what.clone(), 1);
        }
        self.events_seen = sim.events_logged();
    }

    pub fn play(&mut self) {
        if self.state == RunState::Paused {
            self.state = RunState::Running;
            self.verdict = None;
        }
    }

    /// Stops the clock and judges the run so far.
    pub fn pause(&mut self) {
        if self.state == RunState::Running {
            self.state = RunState::Paused;
            self.pacer.reset();
            self.compute_verdict();
        }
    }

    /// Stops the clock without a verdict (before stepping by hand).
    pub fn hold(&mut self) {
        if self.state == RunState::Running {
            self.state = RunState::Paused;
            self.pacer.reset();
        }
    }

    /// The verdict of the run so far (after some simulated time).
    pub fn compute_verdict(&mut self) {
        self.verdict =
            self.sim.as_ref().filter(|s| s.now().as_secs() >= 1.0).map(|s| verdict(&s.report(), s.scenario()));
    }

    /// Index of a node in the simulation (which may lag the document).
    pub fn sim_node(&self, id: &str) -> Option<usize> {
        self.sim.as_ref().and_then(|s| s.node_index(id))
    }

    /// Index of the edge `from → to` in the simulation.
    pub fn sim_edge(&self, from: &str, to: &str) -> Option<usize> {
        self.sim.as_ref().and_then(|s| s.scenario().edges.iter().position(|e| e.from == from && e.to == to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gui::clock::ManualClock;
    use crate::scenario::{NodeKind, default_scenario};

    #[test]
    fn parameter_edits_apply_live_and_structural_ones_wait_for_a_reset() {
        let mut doc = default_scenario();
        let mut rt = Runtime::new(&doc, PacerConfig::default());
        let clock = ManualClock::new();
        rt.play();
        rt.frame(0.2, Speed::Times(5.0), &clock);
        assert!(rt.now_s() > 0.9);

        let app = doc.node_index("app-1").expect("app-1");
        if let NodeKind::Service(s) = &mut doc.nodes[app].kind {
            s.workers = 32;
        }
        rt.sync(&doc, ValidScenario::new(doc.clone()));
        assert!(rt.pending.is_empty(), "{:?}", rt.pending);
        assert_eq!(rt.sim.as_ref().and_then(|s| s.node_live(app)).and_then(|l| l.workers), Some(32));

        let db = doc.node_index("db").expect("db");
        if let NodeKind::Database(d) = &mut doc.nodes[db].kind {
            d.read_replicas = 2;
        }
        rt.sync(&doc, ValidScenario::new(doc.clone()));
        assert!(rt.pending.contains_key(&PendingKey::Node("db".into())));
        let running = rt.sim.as_ref().map(|s| s.scenario().nodes[db].kind.clone());
        assert_ne!(running.as_ref(), Some(&doc.nodes[db].kind), "the engine runs the old database");

        // Typing the old value back: nothing waits for a reset any more.
        if let NodeKind::Database(d) = &mut doc.nodes[db].kind {
            d.read_replicas = 0;
        }
        rt.sync(&doc, ValidScenario::new(doc.clone()));
        assert!(rt.pending.is_empty(), "{:?}", rt.pending);

        doc.edges.remove(0);
        rt.sync(&doc, ValidScenario::new(doc.clone()));
        assert!(rt.pending.contains_key(&PendingKey::Topology));
        assert!(rt.now_s() > 0.9, "the run goes on until reset");
    }

    /// A change that is only valid with another one (a weighted policy
    /// and a weight above zero) goes in with it, not silently dropped.
    #[test]
    fn changes_that_need_each_other_apply_together() {
        use crate::scenario::LbPolicy;
        let mut doc = default_scenario();
        let mut rt = Runtime::new(&doc, PacerConfig::default());
        rt.play();
        rt.frame(0.2, Speed::Times(5.0), &ManualClock::new());
        let lb = doc.node_index("lb").expect("lb");
        let lb_edges: Vec<usize> = (0..doc.edges.len()).filter(|&i| doc.edges[i].from == "lb").collect();
        for &e in &lb_edges {
            doc.edges[e].weight = 0.0;
        }
        rt.sync(&doc, ValidScenario::new(doc.clone()));
        assert!(rt.pending.is_empty(), "{:?}", rt.pending);
        if let NodeKind::LoadBalancer(b) = &mut doc.nodes[lb].kind {
            b.policy = LbPolicy::Weighted;
        }
        doc.edges[lb_edges[0]].weight = 1.0;
        rt.sync(&doc, ValidScenario::new(doc.clone()));
        assert!(rt.pending.is_empty(), "{:?}", rt.pending);
        let running = rt.sim.as_ref().map(|s| s.scenario().nodes[lb].kind.clone());
        assert_eq!(running.as_ref(), Some(&doc.nodes[lb].kind));
    }

    #[test]
    fn an_invalid_document_keeps_the_last_good_simulation() {
        let mut doc = default_scenario();
        let mut rt = Runtime::new(&doc, PacerConfig::default());
        rt.play();
        rt.frame(0.1, Speed::Times(10.0), &ManualClock::new());
        doc.edges.clear();
        rt.sync(&doc, ValidScenario::new(doc.clone()));
        assert!(rt.sim.is_some());
        assert!(!rt.problems.is_empty());
    }

    /// Deleting every node while running stops the run: nothing is left
    /// to plot, and the old nodes' numbers must not go on.
    #[test]
    fn an_emptied_canvas_stops_the_run() {
        let mut doc = default_scenario();
        let mut rt = Runtime::new(&doc, PacerConfig::default());
        rt.play();
        rt.frame(0.1, Speed::Times(10.0), &ManualClock::new());
        assert!(rt.now_s() > 0.0);
        doc.nodes.clear();
        doc.edges.clear();
        rt.sync(&doc, ValidScenario::new(doc.clone()));
        assert!(rt.sim.is_none());
        assert_eq!(rt.run_state(), RunState::NoSimulation);
        assert!(!rt.problems.is_empty(), "it says why there is nothing to run");
    }

    /// The run stops at the scenario's duration, with a verdict and a line
    /// in the log; Play then goes on past it, and so does a user who asked
    /// to keep running.
    #[test]
    fn a_run_pauses_at_the_scenarios_duration_and_play_goes_on() {
        let mut doc = default_scenario();
        doc.duration_s = 3.0;
        let clock = ManualClock::new();
        let mut rt = Runtime::new(&doc, PacerConfig { max_frame_dt_s: 10.0, ..PacerConfig::default() });
        rt.play();
        rt.frame(1.0, Speed::Times(2.0), &clock);
        assert!(rt.is_running());
        rt.frame(1.0, Speed::Times(2.0), &clock);
        assert_eq!(rt.now_s(), 3.0, "stopped exactly at the end, not at 4 s");
        assert_eq!(rt.run_state(), RunState::Paused);
        assert!(rt.verdict.is_some(), "the end of the run is judged");
        assert!(rt.alerts.entries().iter().any(|a| a.text.contains("duration")));

        rt.play();
        rt.frame(1.0, Speed::Times(2.0), &clock);
        assert!(rt.is_running() && rt.now_s() > 4.9, "Play goes on past the end: {}", rt.now_s());

        let mut keep_going = Runtime::new(&doc, PacerConfig { max_frame_dt_s: 10.0, ..PacerConfig::default() });
        keep_going.run_past_end = true;
        keep_going.play();
        keep_going.frame(5.0, Speed::Times(1.0), &clock);
        assert!(keep_going.is_running() && keep_going.now_s() > 4.9);
    }

    #[test]
    fn engine_events_reach_the_alert_log_once() {
        let doc = default_scenario();
        let mut rt = Runtime::new(&doc, PacerConfig::default());
        let clock = ManualClock::new();
        rt.play();
        rt.frame(0.1, Speed::Times(1.0), &clock);
        if let Some(sim) = rt.sim.as_mut() {
            sim.crash_node(2);
        }
        rt.frame(0.1, Speed::Times(1.0), &clock);
        rt.frame(0.1, Speed::Times(1.0), &clock);
        let crashes = rt.alerts.entries().iter().filter(|a| a.text.contains("crashed")).count();
        assert_eq!(crashes, 1);
    }
}
