//! Failures: the scenario's fault timeline, random crashes, stop-the-world
//! pauses, and the crash and restore operations the app's buttons also use.

use rand::RngExt;
use rand_distr::Exp1;
use serde::{Deserialize, Serialize};

use super::call::CallState;
use super::node::Behaviour;
use super::pause::pause_span;
use super::rng::SimRng;
use super::{CallId, Event, FailureReason, Outcome, SimTime, Simulation};
use crate::scenario::{FaultSpec, FaultTarget};

/// A notable event, for the app's log and the markers on its plots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimEvent {
    pub at: SimTime,
    /// The node it concerns, if one.
    pub node: Option<usize>,
    pub kind: SimEventKind,
    /// A sentence for the log, e.g. "db slowed ×8".
    pub what: String,
}

/// What kind of notable event happened: lets the app pick a marker and a
/// severity without reading the sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SimEventKind {
    Crash,
    Restore,
    SlowdownStart,
    SlowdownEnd,
    ErrorsStart,
    ErrorsEnd,
    PartitionStart,
    PartitionEnd,
    /// A link starts or stops taking longer (a `Latency` fault).
    LinkSlowStart,
    LinkSlowEnd,
    Flush,
    SpikeStart,
    SpikeEnd,
    /// A circuit breaker opened (or opened again after failed probes).
    BreakerOpened,
    /// A circuit breaker's open time is over: probes go through.
    BreakerHalfOpen,
    /// A circuit breaker closed: its probes succeeded.
    BreakerClosed,
    /// A node stops the world (a `Pause` fault): its work freezes.
    PauseStart,
    /// A paused node resumes the work it held.
    PauseEnd,
    /// A load balancer's health checks marked a target unhealthy: it gets
    /// no more traffic.
    TargetUnhealthy,
    /// A load balancer's health checks marked a target healthy again.
    TargetHealthy,
    /// A load balancer ejected a target that failed requests in a row.
    TargetEjected,
    /// An ejected target is back in the balancer's rotation.
    TargetReturned,
    /// A service got more instances (by its autoscaler or by hand).
    ScaledOut,
    /// A service got fewer instances: they drain, then stop.
    ScaledIn,
    /// A booting instance finished its cold start and serves.
    InstanceReady,
    /// A whole zone or region went down (a `ZoneOutage` or
    /// `RegionOutage` fault): every node in it crashed.
    AreaDown,
    /// A zone or region that was down is back.
    AreaRestored,
    /// An alert on an SLO started firing (at a window's close).
    AlertFiring,
    /// A firing alert's rule no longer holds.
    AlertResolved,
}

/// A fault timeline entry at run time.
#[derive(Clone)]
pub struct FaultRuntime {
    pub spec: FaultSpec,
    /// The node it acts on (the edge's source for a partition).
    pub node: u32,
    /// The edge a partition cuts.
    pub edge: Option<u32>,
    pub rng: SimRng,
    /// Random crashes: bumped to cancel the pending toggle.
    pub generation: u32,
    /// The nodes a zone or region outage takes down.
    pub members: Vec<u32>,
}

impl FaultRuntime {
    /// `members`: the nodes placed in the area an outage takes down
    /// (empty for other faults).
    pub fn new(spec: FaultSpec, target: FaultTarget, members: Vec<usize>, rng: SimRng) -> FaultRuntime {
        FaultRuntime {
            spec,
            node: target.node as u32,
            edge: target.edge.map(|e| e as u32),
            rng,
            generation: 0,
            members: members.into_iter().map(|m| m as u32).collect(),
        }
    }
}

impl Simulation {
    pub(super) fn schedule_faults(&mut self) {
        for i in 0..self.faults.len() {
            let index = i as u32;
            let start = |s: f64| SimTime::from_secs(s);
            match self.faults[i].spec.clone() {
                FaultSpec::Crash { at_s, restore_s, .. }
                | FaultSpec::ZoneOutage { at_s, restore_s, .. }
                | FaultSpec::RegionOutage { at_s, restore_s, .. } => {
                    self.schedule(start(at_s), Event::Fault { index, ending: false });
                    if let Some(r) = restore_s {
                        self.schedule(start(r), Event::Fault { index, ending: true });
                    }
                }
                FaultSpec::Slow { from_s, to_s, .. }
                | FaultSpec::Errors { from_s, to_s, .. }
                | FaultSpec::Partition { from_s, to_s, .. }
                | FaultSpec::Latency { from_s, to_s, .. } => {
                    self.schedule(start(from_s), Event::Fault { index, ending: false });
                    self.schedule(start(to_s), Event::Fault { index, ending: true });
                }
                FaultSpec::Flush { at_s, .. } => self.schedule(start(at_s), Event::Fault { index, ending: false }),
                FaultSpec::Spike { at_s, duration_s, .. } => {
                    // The rate change itself is in the client's profile; these only log it.
                    self.schedule(start(at_s), Event::Fault { index, ending: false });
                    self.schedule(start(at_s + duration_s), Event::Fault { index, ending: true });
                }
                FaultSpec::Pause { at_s, duration_s, .. } => {
                    // The work it freezes is pushed later when it starts
                    // (`Pauses`); these count the pauses in force and log them.
                    let (from, to) = pause_span(at_s, duration_s);
                    self.schedule(from, Event::Fault { index, ending: false });
                    self.schedule(to, Event::Fault { index, ending: true });
                }
                FaultSpec::RandomCrashes { mtbf_s, .. } => {
                    let f = &mut self.faults[i];
                    let gap: f64 = f.rng.sample(Exp1);
                    self.schedule(start(gap * mtbf_s), Event::RandomFailure { fault: index, generation: 0 });
                }
            }
        }
    }

    // Rare (a few per run) and long: kept out of line so the event loop
    // that dispatches to it stays small enough to be inlined whole.
    #[inline(never)]
    pub(super) fn apply_fault(&mut self, index: usize, ending: bool) {
        let Some(f) = self.faults.get(index) else { return };
        let node = f.node;
        let edge = f.edge;
        let spec = f.spec.clone();
        let n = &mut self.nodes[node as usize];
        let id = n.id.clone();
        match spec {
            FaultSpec::Crash { .. } => {
                if ending {
                    n.health.crash_holds = n.health.crash_holds.saturating_sub(1);
                    if n.health.crash_holds == 0 {
                        self.restore_node(node as usize);
                    }
                } else {
                    n.health.crash_holds += 1;
                    self.crash_node(node as usize);
                }
            }
            FaultSpec::Slow { factor, .. } => {
                if ending {
                    n.health.timeline_slowdown /= factor;
                    self.log_event(Some(node), SimEventKind::SlowdownEnd, format!("{id} back to normal speed"));
                } else {
                    n.health.timeline_slowdown *= factor;
                    self.log_event(Some(node), SimEventKind::SlowdownStart, format!("{id} slowed ×{factor}"));
                }
            }
            FaultSpec::Errors { probability, .. } => {
                if ending {
                    if let Some(i) = n.health.timeline_errors.iter().position(|p| *p == probability) {
                        n.health.timeline_errors.swap_remove(i);
                    }
                    self.log_event(Some(node), SimEventKind::ErrorsEnd, format!("{id} stops injected errors"));
                } else {
                    n.health.timeline_errors.push(probability);
                    self.log_event(
                        Some(node),
                        SimEventKind::ErrorsStart,
                        format!("{id} fails {:.0}% of requests", probability * 100.0),
                    );
                }
            }
            FaultSpec::Partition { from, to, .. } => {
                if let Some(e) = edge.and_then(|e| self.edges.get_mut(e as usize)) {
                    if ending {
                        e.partitions = e.partitions.saturating_sub(1);
                    } else {
                        e.partitions += 1;
                    }
                }
                let what = if ending { "healed" } else { "partitioned" };
                self.log_event(
                    Some(node),
                    if ending { SimEventKind::PartitionEnd } else { SimEventKind::PartitionStart },
                    format!("link {from} → {to} {what}"),
                );
            }
            FaultSpec::Latency { from, to, added_ms, .. } => {
                let added_ns = SimTime::from_secs(added_ms / 1_000.0).0;
                if let Some(e) = edge.and_then(|e| self.edges.get_mut(e as usize)) {
                    // Overlapping faults add up, and each takes back its own.
                    e.added_ns = if ending { e.added_ns.saturating_sub(added_ns) } else { e.added_ns + added_ns };
                }
                let (kind, what) = if ending {
                    (SimEventKind::LinkSlowEnd, format!("link {from} → {to} back to normal"))
                } else {
                    (SimEventKind::LinkSlowStart, format!("link {from} → {to} +{added_ms} ms each way"))
                };
                self.log_event(Some(node), kind, what);
            }
            FaultSpec::Flush { .. } => self.flush_cache(node as usize),
            FaultSpec::Spike { factor, duration_s, .. } => {
                let what = if ending {
                    format!("{id} spike over")
                } else {
                    format!("{id} traffic ×{factor} for {duration_s} s")
                };
                self.log_event(
                    Some(node),
                    if ending { SimEventKind::SpikeEnd } else { SimEventKind::SpikeStart },
                    what,
                );
            }
            FaultSpec::Pause { duration_s, .. } => {
                if ending {
                    self.pauses_in_force = self.pauses_in_force.saturating_sub(1);
                    n.health.pauses.forget_ended(self.now);
                    self.log_event(
                        Some(node),
                        SimEventKind::PauseEnd,
                        format!("{id} resumes after a {duration_s} s pause"),
                    );
                } else {
                    self.pauses_in_force += 1;
                    self.log_event(
                        Some(node),
                        SimEventKind::PauseStart,
                        format!("{id} paused (stop the world) for {duration_s} s"),
                    );
                }
            }
            FaultSpec::RandomCrashes { .. } => {}
            FaultSpec::ZoneOutage { .. } | FaultSpec::RegionOutage { .. } => self.area_outage(index, ending),
        }
    }

    /// A zone or region outage starts or ends: every node in the area is
    /// held down, as by its own scheduled crash, so overlapping outages
    /// and crashes each take back only their own hold.
    fn area_outage(&mut self, index: usize, ending: bool) {
        let Some(f) = self.faults.get(index) else { return };
        let members = f.members.clone();
        let Some((word, name)) = f.spec.area_ref() else { return };
        let what = if ending {
            format!("{word} {name} is back ({} nodes)", members.len())
        } else {
            format!("{word} {name} is down: {} nodes with it", members.len())
        };
        self.log_event(None, if ending { SimEventKind::AreaRestored } else { SimEventKind::AreaDown }, what);
        for m in members {
            let m = m as usize;
            let Some(n) = self.nodes.get_mut(m) else { continue };
            if ending {
                n.health.crash_holds = n.health.crash_holds.saturating_sub(1);
                if n.health.crash_holds == 0 {
                    self.restore_node(m);
                }
            } else {
                n.health.crash_holds += 1;
                self.crash_node(m);
            }
        }
    }

    /// While a pause is in force somewhere: whether the answer `child`
    /// reaches a caller paused now, and if so holds it until the pause is
    /// over. A frozen process reads no answer; it reads them when it
    /// resumes, as it resumes its work.
    #[cold]
    #[inline(never)]
    pub(super) fn answer_held_by_pause(&mut self, child: CallId) -> bool {
        let Some(c) = self.calls.get(child) else { return false };
        let parent = CallId { index: c.parent, generation: c.parent_generation };
        let Some(node) = self.calls.get(parent).map(|p| p.node as usize) else { return false };
        let Some(end) = self.nodes[node].health.pauses.paused_until(self.now) else { return false };
        self.schedule(end, Event::Reply(child));
        true
    }

    pub(super) fn on_random_failure(&mut self, index: usize, generation: u32) {
        let Some(f) = self.faults.get_mut(index) else { return };
        let FaultSpec::RandomCrashes { mtbf_s, mttr_s, .. } = f.spec else { return };
        if f.generation != generation {
            return;
        }
        let node = f.node as usize;
        let gap: f64 = f.rng.sample(Exp1);
        let now = self.now;
        let next = if self.nodes[node].health.down {
            // A scheduled crash in force keeps the node down past this repair.
            if self.nodes[node].health.crash_holds == 0 {
                self.restore_node(node);
            }
            gap * mtbf_s
        } else {
            self.crash_node(node);
            gap * mttr_s
        };
        self.schedule(
            now.after(super::time::secs_to_nanos(next)),
            Event::RandomFailure { fault: index as u32, generation },
        );
    }

    /// Crashes node `i`: everything in it fails as `down`, a cache loses
    /// its contents, a queue its messages.
    pub fn crash_node(&mut self, i: usize) {
        let now = self.now;
        let Some(n) = self.nodes.get_mut(i) else { return };
        if n.health.down {
            return;
        }
        n.health.down = true;
        n.health.down_since = now;
        n.health.epoch = n.health.epoch.wrapping_add(1);
        n.metrics.counters.crashes += 1;
        n.metrics.down.set(now, 1);
        let id = n.id.clone();
        self.log_event(Some(i as u32), SimEventKind::Crash, format!("{id} crashed"));
        let affected: Vec<CallId> = self
            .calls
            .live_ids()
            .into_iter()
            .filter(|c| {
                self.calls.get(*c).is_some_and(|c| {
                    c.node == i as u32
                        && matches!(
                            c.state,
                            CallState::Queued
                                | CallState::Working
                                | CallState::Waiting
                                | CallState::Backoff
                                | CallState::Fallback
                                | CallState::FanOut
                                | CallState::Hedged
                                | CallState::HedgedHalf
                        )
                })
            })
            .collect();
        for call in affected {
            let Some(c) = self.calls.get_mut(call) else { continue };
            c.holds_worker = false;
            let is_root_or_message = c.parent == super::call::NONE;
            if matches!(self.nodes[i].behaviour, Behaviour::Client(_)) {
                self.complete_request(call, Outcome::Failed { reason: FailureReason::NodeDown, origin: i as u32 });
            } else if is_root_or_message {
                // A queued message is lost with the broker.
                // Anything but waiting in line: a consumer had it (waiting
                // for, retrying, or falling back from its delivery).
                let was_delivering = c.state != CallState::Queued;
                let m = &mut self.nodes[i].metrics;
                m.counters.failed[FailureReason::NodeDown.index()] += 1;
                if was_delivering {
                    m.in_system.add(now, -1);
                }
                self.calls.free(call);
            } else {
                self.finish(call, Outcome::Failed { reason: FailureReason::NodeDown, origin: i as u32 });
            }
        }
        let n = &mut self.nodes[i];
        match &mut n.behaviour {
            Behaviour::Service { station, fleet: Some(fleet), .. } => {
                for s in fleet.all_stations(station) {
                    s.busy = 0;
                    s.clear_waiting();
                }
                fleet.stop_drained(now, &mut n.metrics);
            }
            Behaviour::Service { station, .. } | Behaviour::Queue { station } => {
                station.busy = 0;
                station.clear_waiting();
            }
            Behaviour::Database(db) => {
                for s in &mut db.servers {
                    s.busy = 0;
                    s.clear_waiting();
                }
                if let Some(shards) = &mut db.shards {
                    shards.busy.iter_mut().for_each(|b| b.set(now, 0));
                }
                db.stop_drained(now, &mut n.metrics);
            }
            Behaviour::Cache { store, .. } => store.clear(),
            Behaviour::LoadBalancer { balancer, .. } => balancer.open.iter_mut().for_each(|o| *o = 0),
            Behaviour::Client(_) => {}
        }
        n.metrics.busy.set(now, 0);
        n.metrics.queue.set(now, 0);
    }

    /// Brings node `i` back (empty: a cache restarts cold).
    pub fn restore_node(&mut self, i: usize) {
        let now = self.now;
        let Some(n) = self.nodes.get_mut(i) else { return };
        if !n.health.down {
            return;
        }
        n.health.down = false;
        n.metrics.down.set(now, 0);
        let id = n.id.clone();
        self.log_event(Some(i as u32), SimEventKind::Restore, format!("{id} restored"));
    }

    /// Empties cache `i` (no-op for other kinds).
    pub fn flush_cache(&mut self, i: usize) {
        let Some(n) = self.nodes.get_mut(i) else { return };
        if let Behaviour::Cache { store, .. } = &mut n.behaviour {
            store.clear();
            n.metrics.counters.flushes += 1;
            let id = n.id.clone();
            self.log_event(Some(i as u32), SimEventKind::Flush, format!("{id} flushed"));
        }
    }
}
