//! A service's instances at run time: spreading arrivals over them, adding
//! and removing them (by hand or by the autoscaler), cold starts and
//! drains. Everything here runs only for a service with a fleet (more than
//! one instance, or an autoscaler), so the others never reach it.

use super::fleet::{Autoscaler, Fleet, Instance, InstanceState, Snapshot};
use super::node::{Behaviour, NodeRuntime};
use super::time::secs_to_nanos;
use super::{CallId, Event, SimEventKind, SimTime, Simulation, Station};
use crate::scenario::{AutoscaleSpec, PriorityClass, ScaleTarget, ServiceSpec};

/// Within this share of the target, the autoscaler changes nothing
/// (Kubernetes' default tolerance): a metric that hovers around its target
/// does not make instances come and go.
const TOLERANCE: f64 = 0.1;

/// The fleet a service starts with: its instances beyond the first, all
/// ready; `None` for one instance without an autoscaler.
pub(super) fn fleet_for(spec: &ServiceSpec) -> Option<Box<Fleet>> {
    if spec.instances <= 1 && spec.autoscale.is_none() {
        return None;
    }
    let mut fleet = Fleet::new(spec.balancing, spec.autoscale);
    for _ in 1..spec.instances {
        fleet.extra.push(Instance {
            station: Station::new(spec.workers, spec.queue_capacity),
            state: InstanceState::Ready,
            generation: 0,
        });
    }
    Some(Box::new(fleet))
}

/// A service's instance levels at the start: all ready, all billed.
pub(super) fn start_instance_metrics(n: &mut NodeRuntime) {
    if !matches!(n.behaviour, Behaviour::Service { .. }) {
        return; // an autoscaled database starts in `replica_scaling`
    }
    let Some(counts) = n.instance_counts() else { return };
    let workers = n.workers().unwrap_or(0);
    let scaled = matches!(n.behaviour, Behaviour::Service { fleet: Some(_), .. });
    let m = &mut n.metrics;
    m.instanced = true;
    m.scaled = scaled;
    m.pool.set(SimTime::ZERO, i64::from(workers));
    m.ready.set(SimTime::ZERO, i64::from(counts.ready));
    m.billed.set(SimTime::ZERO, i64::from(counts.running()));
}

/// The count an autoscaler wants when its metric reads `value` over
/// `ready` instances on average and `wanted` are ready or booting: the
/// count that brings the metric to its target (Kubernetes' HPA rule,
/// `ceil(ready × value / target)`), unchanged within the tolerance, within
/// the bounds.
pub(super) fn desired_count(spec: &AutoscaleSpec, value: f64, ready: f64, wanted: u32) -> u32 {
    let ratio = value / spec.target.value();
    let desired = if (ratio - 1.0).abs() <= TOLERANCE {
        wanted
    } else {
        let d = (ready * ratio - 1e-9).ceil().max(0.0);
        if d >= f64::from(spec.max) { spec.max } else { d as u32 }
    };
    desired.clamp(spec.min, spec.max)
}

/// Whether the cooldowns let the count change from `wanted` to `desired`
/// now: no scale-out within the scale-out cooldown of the last change, no
/// scale-in within the scale-in one. False when nothing would change.
pub(super) fn cooldown_allows(a: &Autoscaler, now: SimTime, desired: u32, wanted: u32) -> bool {
    let since_change = a.last_change.map_or(u64::MAX, |t| now.since(t));
    let cooldown = if desired > wanted { a.spec.scale_out_cooldown_s } else { a.spec.scale_in_cooldown_s };
    desired != wanted && since_change >= secs_to_nanos(cooldown)
}

/// An autoscaler's reason in the log's words: "utilisation 92 % > 70 %".
/// `per` names what a request is and what it is counted per ("reads",
/// "replica").
pub(super) fn metric_against_target(target: ScaleTarget, value: f64, out: bool, per: (&str, &str)) -> String {
    let (requests, unit) = per;
    let (shown, goal) = match target {
        ScaleTarget::Utilisation(t) => (format!("{:.0} %", value * 100.0), format!("{:.0} %", t * 100.0)),
        ScaleTarget::QueueDepth(t) => (format!("{value:.1} waiting per {unit}"), format!("{t}")),
        ScaleTarget::RequestsPerInstance(t) => (format!("{value:.0} {requests}/s per {unit}"), format!("{t}")),
    };
    let sign = if out { ">" } else { "<" };
    format!("{} {shown} {sign} {goal}", target.label())
}

/// Why the instance count changes, for the log.
enum Reason {
    /// The autoscaler's metric and target, in the log's words.
    Metric { target: ScaleTarget, value: f64 },
    /// A live edit of `instances` or of the autoscaler's bounds.
    Edit,
}

impl Simulation {
    /// A call reaches a service with several instances: the balancing
    /// picks a ready one, whose own station admits it.
    #[inline(never)]
    pub(super) fn arrive_at_fleet(&mut self, id: CallId, node: usize, class: PriorityClass) {
        let n = &mut self.nodes[node];
        let Behaviour::Service { station, fleet: Some(fleet), .. } = &mut n.behaviour else { return };
        let k = fleet.pick(station, &mut n.rng);
        if let Some(c) = self.calls.get_mut(id) {
            c.server = u8::try_from(k).unwrap_or(0);
        }
        let Some(s) = fleet.station(station, k) else { return };
        let admission = s.admit(id, class);
        self.admitted(id, admission);
    }

    /// The first autoscaling decisions, one interval into the run.
    pub(super) fn schedule_autoscalers(&mut self) {
        for node in 0..self.nodes.len() {
            self.restart_autoscaler(node);
        }
    }

    /// Starts node `node`'s chain of decisions afresh from now (at the
    /// start, or after its autoscaler changed live): the metric is measured
    /// from now, the first decision is one interval away.
    fn restart_autoscaler(&mut self, node: usize) {
        let now = self.now;
        let n = &mut self.nodes[node];
        let a = match &mut n.behaviour {
            Behaviour::Service { fleet: Some(fleet), .. } => match fleet.autoscaler.as_mut() {
                Some(a) => {
                    a.last = Snapshot::of(&n.metrics, now);
                    a
                }
                None => return,
            },
            Behaviour::Database(db) => match db.scaler.as_mut() {
                Some(sc) => {
                    sc.autoscaler.last = sc.snapshot(now);
                    &mut sc.autoscaler
                }
                None => return,
            },
            _ => return,
        };
        a.generation = a.generation.wrapping_add(1);
        let (generation, interval) = (a.generation, secs_to_nanos(a.spec.interval_s).max(1));
        self.schedule(now.after(interval), Event::Autoscale { node: node as u32, generation });
    }

    /// An autoscaler's decision: the metric over the last interval against
    /// the target, as Kubernetes' HPA decides, within the cooldowns.
    #[inline(never)]
    pub(super) fn on_autoscale(&mut self, node: u32, generation: u32) {
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        if matches!(n.behaviour, Behaviour::Database(_)) {
            self.on_autoscale_replicas(node, generation);
            return;
        }
        let Behaviour::Service { fleet: Some(fleet), .. } = &mut n.behaviour else { return };
        let counts = fleet.counts();
        let Some(a) = fleet.autoscaler.as_mut() else { return };
        if a.generation != generation {
            return; // changed live: a newer chain of decisions runs
        }
        let current = Snapshot::of(&n.metrics, now);
        let last = std::mem::replace(&mut a.last, current);
        let span_ns = current.at.since(last.at) as f64;
        // The instances the metric was measured on: those ready over the
        // interval, on average. Instances that just became ready have not
        // taken their share yet; counting them would scale out twice for
        // the same load.
        let ready = if span_ns > 0.0 { (current.ready_area - last.ready_area) / span_ns } else { 0.0 };
        let ready = if ready > 0.0 { ready } else { f64::from(counts.ready) };
        let value = match a.spec.target {
            ScaleTarget::Utilisation(_) => {
                let pool = current.pool_area - last.pool_area;
                if pool > 0.0 { (current.busy_area - last.busy_area) / pool } else { 0.0 }
            }
            ScaleTarget::QueueDepth(_) if span_ns > 0.0 => (current.queue_area - last.queue_area) / span_ns / ready,
            ScaleTarget::RequestsPerInstance(_) if span_ns > 0.0 => {
                (current.arrivals - last.arrivals) as f64 / (span_ns / 1e9) / ready
            }
            _ => 0.0,
        };
        let spec = a.spec;
        let wanted = counts.ready + counts.booting;
        let desired = desired_count(&spec, value, ready, wanted);
        if cooldown_allows(a, now, desired, wanted) {
            a.last_change = Some(now);
            self.scale_to(
                node as usize,
                desired,
                secs_to_nanos(spec.cold_start_s),
                Reason::Metric { target: spec.target, value },
            );
        }
        let interval = secs_to_nanos(spec.interval_s).max(1);
        self.schedule(now.after(interval), Event::Autoscale { node, generation });
    }

    /// A booting instance is ready: it joins the balancing.
    #[inline(never)]
    pub(super) fn on_instance_ready(&mut self, node: u32, instance: u16, generation: u16) {
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        if matches!(n.behaviour, Behaviour::Database(_)) {
            self.on_replica_ready(node, instance, generation);
            return;
        }
        let Behaviour::Service { fleet: Some(fleet), .. } = &mut n.behaviour else { return };
        let Some(i) = fleet.extra.get_mut(usize::from(instance).wrapping_sub(1)) else { return };
        if i.state != InstanceState::Booting || i.generation != generation {
            return; // its boot was cancelled by a scale-in
        }
        i.state = InstanceState::Ready;
        let workers = i.station.workers;
        n.metrics.booting.add(now, -1);
        n.metrics.ready.add(now, 1);
        n.metrics.pool.add(now, i64::from(workers));
        let counts = fleet.counts();
        let id = n.id.clone();
        let booting = if counts.booting > 0 { format!(", {} booting", counts.booting) } else { String::new() };
        self.log_event(
            Some(node),
            SimEventKind::InstanceReady,
            format!("{id}: an instance is ready, {} serving{booting}", counts.ready),
        );
    }

    /// Makes node `node` have `desired` ready and booting instances.
    /// Instances added take back draining ones first (they are warm and
    /// serve at once), then boot for `cold_start_ns` (at once when 0).
    /// Instances removed are booting ones first (their boot is cancelled),
    /// then the ready ones with the least work in hand, which drain. The
    /// first instance is never removed: `min` is at least 1.
    fn scale_to(&mut self, node: usize, desired: u32, cold_start_ns: u64, reason: Reason) {
        let now = self.now;
        let n = &mut self.nodes[node];
        let Behaviour::Service { station, fleet: Some(fleet), .. } = &mut n.behaviour else { return };
        let before = fleet.counts();
        let wanted = before.ready + before.booting;
        let (workers, capacity) = (station.workers, station.capacity);
        let m = &mut n.metrics;
        let mut boots: Vec<(u16, u16)> = Vec::new();
        if desired > wanted {
            let mut more = desired - wanted;
            for i in fleet.extra.iter_mut().filter(|i| i.state == InstanceState::Draining) {
                if more == 0 {
                    break;
                }
                i.state = InstanceState::Ready;
                m.ready.add(now, 1);
                more -= 1;
            }
            while more > 0 {
                let slot = fleet.extra.iter().position(|i| i.state == InstanceState::Stopped).unwrap_or_else(|| {
                    fleet.extra.push(Instance {
                        station: Station::new(workers, capacity),
                        state: InstanceState::Stopped,
                        generation: 0,
                    });
                    fleet.extra.len() - 1
                });
                let i = &mut fleet.extra[slot];
                i.station = Station::new(workers, capacity);
                m.billed.add(now, 1);
                if cold_start_ns == 0 {
                    i.state = InstanceState::Ready;
                    m.ready.add(now, 1);
                    m.pool.add(now, i64::from(workers));
                } else {
                    i.state = InstanceState::Booting;
                    i.generation = i.generation.wrapping_add(1);
                    m.booting.add(now, 1);
                    boots.push((u16::try_from(slot + 1).unwrap_or(u16::MAX), i.generation));
                }
                more -= 1;
            }
        } else {
            let mut fewer = wanted - desired;
            for i in fleet.extra.iter_mut().rev().filter(|i| i.state == InstanceState::Booting) {
                if fewer == 0 {
                    break;
                }
                i.state = InstanceState::Stopped;
                m.booting.add(now, -1);
                m.billed.add(now, -1);
                fewer -= 1;
            }
            while fewer > 0 {
                let least_loaded = fleet
                    .extra
                    .iter()
                    .enumerate()
                    .filter(|(_, i)| i.state == InstanceState::Ready)
                    .min_by_key(|(k, i)| (i.station.busy + i.station.queue_len(), std::cmp::Reverse(*k)))
                    .map(|(k, _)| k);
                let Some(k) = least_loaded else { break };
                let i = &mut fleet.extra[k];
                m.ready.add(now, -1);
                if i.station.busy == 0 && i.station.queue_len() == 0 {
                    i.state = InstanceState::Stopped;
                    m.pool.add(now, -i64::from(i.station.workers));
                    m.billed.add(now, -1);
                } else {
                    i.state = InstanceState::Draining;
                }
                fewer -= 1;
            }
        }
        let after = fleet.counts();
        let id = n.id.clone();
        for (instance, generation) in boots {
            self.schedule(now.after(cold_start_ns), Event::InstanceReady { node: node as u32, instance, generation });
        }
        let (from, to) = (before.ready + before.booting, after.ready + after.booting);
        if from == to {
            return;
        }
        let why = match reason {
            Reason::Metric { target, value } => {
                metric_against_target(target, value, to > from, ("requests", "instance"))
            }
            Reason::Edit => "changed by hand".to_string(),
        };
        let booting = if after.booting > 0 { format!(", {} booting", after.booting) } else { String::new() };
        let kind = if to > from { SimEventKind::ScaledOut } else { SimEventKind::ScaledIn };
        self.log_event(Some(node as u32), kind, format!("{id}: {from} → {to} instances ({why}){booting}"));
    }

    /// A service's instances, balancing and autoscaler after a live edit
    /// (its `workers` and `queue_capacity` already apply to every
    /// instance). Without an autoscaler the count becomes `instances` at
    /// once (no cold start: the edit is the designer's, not a boot); with
    /// one, the count is brought within its new bounds and its decisions
    /// start afresh when its settings changed.
    pub(super) fn change_fleet(&mut self, node: usize, spec: &ServiceSpec) {
        let n = &mut self.nodes[node];
        let Behaviour::Service { station, fleet, .. } = &mut n.behaviour else { return };
        if fleet.is_none() && (spec.instances > 1 || spec.autoscale.is_some()) {
            *fleet = Some(Box::new(Fleet::new(spec.balancing, None)));
            n.metrics.scaled = true;
        }
        let Some(f) = fleet.as_mut() else { return };
        for s in f.all_stations(station) {
            s.workers = spec.workers.max(1);
            s.capacity = spec.queue_capacity;
        }
        f.balancing = spec.balancing;
        let old = f.autoscaler.as_ref().map(|a| a.spec);
        match (f.autoscaler.as_mut(), spec.autoscale) {
            (Some(a), Some(new)) => a.spec = new,
            (_, new) => f.autoscaler = new.map(super::fleet::Autoscaler::new),
        }
        let counts = f.counts();
        let wanted = counts.ready + counts.booting;
        match spec.autoscale {
            None => self.scale_to(node, spec.instances, 0, Reason::Edit),
            Some(a) => {
                let cold = secs_to_nanos(a.cold_start_s);
                let clamped = wanted.clamp(a.min, a.max.max(a.min));
                self.scale_to(node, clamped, cold, Reason::Edit);
                if old.is_none_or(|o| o.interval_s != a.interval_s) {
                    self.restart_autoscaler(node);
                }
            }
        }
    }
}
