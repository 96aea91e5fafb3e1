//! Changing a running simulation: the app's knobs, spike button and fault
//! menu. Parameters that can change live do so at once; the rest need a
//! rebuild, and the answer says which.

use super::SimEventKind;
use super::node::Behaviour;
use super::time::{ms_to_nanos, secs_to_nanos};
use super::{Balancer, CacheStore, Distribution, Simulation};
use crate::scenario::{Arrivals, CacheMode, EdgeSpec, KeySpec, NodeKind, ProfileShape, validate};

/// Whether a parameter change took effect in the running simulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveUpdate {
    Applied,
    /// The change needs a reset to take effect; the text says why.
    NeedsReset(String),
    /// The new parameters are not valid; nothing changed. Each entry is a
    /// problem as validation words it.
    Invalid(Vec<String>),
}

/// Rate factors above this are treated as this: a finite bound keeps the
/// arrival process from scheduling infinitely many events at one instant.
const MAX_RATE_FACTOR: f64 = 1e6;

fn sane_factor(f: f64) -> f64 {
    if f.is_finite() {
        f.clamp(0.0, MAX_RATE_FACTOR)
    } else if f > 0.0 {
        MAX_RATE_FACTOR
    } else {
        0.0
    }
}

impl Simulation {
    /// Multiplies a client's rate by `factor` from now on (1 = as written).
    pub fn set_rate_multiplier(&mut self, client: usize, factor: f64) {
        if let Some(Behaviour::Client(c)) = self.nodes.get_mut(client).map(|n| &mut n.behaviour)
            && let Some(a) = &mut c.arrivals
        {
            a.multiplier = sane_factor(factor);
            self.redraw_arrival(client);
        }
    }

    /// The live multiplier of a client's rate.
    pub fn rate_multiplier(&self, client: usize) -> f64 {
        match self.nodes.get(client).map(|n| &n.behaviour) {
            Some(Behaviour::Client(c)) => c.arrivals.as_ref().map_or(1.0, |a| a.multiplier),
            _ => 1.0,
        }
    }

    /// Multiplies a client's rate by `factor` for `duration_s` from now: the spike button.
    pub fn spike(&mut self, client: usize, factor: f64, duration_s: f64) {
        let start_s = self.now.as_secs();
        let Some(n) = self.nodes.get_mut(client) else { return };
        if let Behaviour::Client(c) = &mut n.behaviour
            && let Some(a) = &mut c.arrivals
        {
            let (factor, duration_s) = (sane_factor(factor), sane_factor(duration_s));
            a.profile.push(ProfileShape::Spike { start_s, duration_s, factor });
            let id = n.id.clone();
            self.log_event(
                Some(client as u32),
                SimEventKind::SpikeStart,
                format!("{id} traffic ×{factor} for {duration_s} s"),
            );
            self.redraw_arrival(client);
        }
    }

    /// Current arrival rate of an open-loop client (requests/s), if it is one.
    pub fn current_rate(&self, client: usize) -> Option<f64> {
        match &self.nodes.get(client)?.behaviour {
            Behaviour::Client(c) => c.arrivals.as_ref().map(|a| a.rate_at(self.now.as_secs())),
            _ => None,
        }
    }

    /// Draws a client's next arrival again (after its rate changed).
    fn redraw_arrival(&mut self, client: usize) {
        if let Some(Behaviour::Client(c)) = self.nodes.get_mut(client).map(|n| &mut n.behaviour) {
            c.arrival_generation = c.arrival_generation.wrapping_add(1);
            self.schedule_next_arrival(client as u32);
        }
    }

    /// Cuts (or heals) edge `index`: everything sent over it is lost.
    pub fn set_partition(&mut self, index: usize, cut: bool) {
        let Some(e) = self.edges.get_mut(index) else { return };
        let was_cut = e.partitions > 0;
        // A manual cut is one more partition hold on top of the timeline's.
        if cut && !was_cut {
            e.partitions += 1;
        } else if !cut && was_cut {
            e.partitions = 0;
        }
        if cut != was_cut {
            let source = e.from;
            let (from, to) = (self.nodes[e.from as usize].id.clone(), self.nodes[e.to as usize].id.clone());
            let what = if cut { "partitioned" } else { "healed" };
            self.log_event(
                Some(source),
                if cut { SimEventKind::PartitionStart } else { SimEventKind::PartitionEnd },
                format!("link {from} → {to} {what}"),
            );
        }
    }

    /// Whether edge `index` is cut now.
    pub fn is_partitioned(&self, index: usize) -> bool {
        self.edges.get(index).is_some_and(|e| e.partitions > 0)
    }

    /// Slows node `i` down by `factor` (1 = normal), on top of timeline faults.
    pub fn set_slowdown(&mut self, i: usize, factor: f64) {
        if let Some(n) = self.nodes.get_mut(i) {
            n.health.manual_slowdown = if factor > 0.0 && factor.is_finite() { factor.min(1e6) } else { 1.0 };
            let id = n.id.clone();
            let kind =
                if n.health.manual_slowdown == 1.0 { SimEventKind::SlowdownEnd } else { SimEventKind::SlowdownStart };
            self.log_event(Some(i as u32), kind, format!("{id} slowdown set to ×{factor}"));
        }
    }

    /// Makes node `i` fail requests with probability `p` (0 = off).
    pub fn set_error_injection(&mut self, i: usize, p: f64) {
        if let Some(n) = self.nodes.get_mut(i) {
            n.health.manual_error = p.clamp(0.0, 1.0);
            let id = n.id.clone();
            let kind = if n.health.manual_error == 0.0 { SimEventKind::ErrorsEnd } else { SimEventKind::ErrorsStart };
            self.log_event(Some(i as u32), kind, format!("{id} injected error rate set to {:.0}%", p * 100.0));
        }
    }

    /// Changes a node's parameters while running. The new parameters are
    /// validated with the rest of the scenario first; invalid ones change
    /// nothing.
    pub fn update_node(&mut self, i: usize, kind: &NodeKind) -> LiveUpdate {
        let now = self.now;
        let mut candidate = self.scenario.clone();
        match candidate.nodes.get_mut(i) {
            Some(n) => n.kind = kind.clone(),
            None => return LiveUpdate::NeedsReset("no such node".into()),
        }
        let problems = validate(&candidate);
        if !problems.is_empty() {
            return LiveUpdate::Invalid(problems.into_iter().map(|p| p.message).collect());
        }
        let Some(n) = self.nodes.get_mut(i) else { return LiveUpdate::NeedsReset("no such node".into()) };
        let result = match (&mut n.behaviour, kind) {
            (Behaviour::Client(c), NodeKind::Client(spec)) => {
                let same_kind = matches!(
                    (&c.arrivals, &spec.arrivals),
                    (Some(_), Arrivals::Poisson { .. } | Arrivals::Constant { .. } | Arrivals::Bursty { .. })
                ) || (c.arrivals.is_none()
                    && matches!(spec.arrivals, Arrivals::Closed { users, .. } if users == c.users));
                let timeout_ns = spec.timeout_ms.map(ms_to_nanos);
                if timeout_ns != c.timeout_ns {
                    // Attempts keep the deadline they started with; keep the
                    // list in deadline order for the next check.
                    c.deadlines.make_contiguous().sort_by_key(|(deadline, _)| *deadline);
                    c.timeout_ns = timeout_ns;
                }
                c.retry = spec.retry.clone();
                c.keys = spec.keys.as_ref().map(|KeySpec { keyspace, zipf_exponent }| {
                    super::node::KeyGenerator::new(*keyspace, *zipf_exponent)
                });
                c.write_fraction = spec.write_fraction;
                if let Arrivals::Closed { think, .. } = &spec.arrivals {
                    c.think_time = Some(Distribution::new(think));
                }
                if same_kind {
                    if let Some(a) = &mut c.arrivals {
                        let multiplier = a.multiplier;
                        let mut shapes = spec.profile.clone();
                        // Keep spikes that are running now.
                        shapes.extend(a.profile.spikes_active_at(now.as_secs()));
                        if let Some(mut fresh) =
                            super::ArrivalProcess::new(&spec.arrivals, super::Profile::new(shapes), &mut n.rng)
                        {
                            fresh.multiplier = multiplier;
                            *a = fresh;
                        }
                    }
                    LiveUpdate::Applied
                } else {
                    LiveUpdate::NeedsReset(
                        "changing between open and closed loop, or the number of users, needs a reset".into(),
                    )
                }
            }
            (Behaviour::LoadBalancer { balancer, health_check_delay_ns }, NodeKind::LoadBalancer(spec)) => {
                *health_check_delay_ns = secs_to_nanos(spec.health_check_delay_s);
                if balancer.policy != spec.policy {
                    let targets: Vec<String> =
                        n.out_edges.iter().map(|&e| self.scenario.edges[e as usize].to.clone()).collect();
                    let names: Vec<&str> = targets.iter().map(String::as_str).collect();
                    let weights: Vec<f64> =
                        n.out_edges.iter().map(|&e| self.scenario.edges[e as usize].weight).collect();
                    let open = std::mem::take(&mut balancer.open);
                    *balancer = Balancer::new(spec.policy, &names, &weights);
                    balancer.open = open;
                }
                LiveUpdate::Applied
            }
            (
                Behaviour::Service { station, service_time, error_probability, blocking_calls },
                NodeKind::Service(spec),
            ) => {
                station.workers = spec.workers.max(1);
                station.capacity = spec.queue_capacity;
                *service_time = Distribution::new(&spec.service_time);
                *error_probability = spec.error_probability;
                *blocking_calls = spec.blocking_calls;
                LiveUpdate::Applied
            }
            (Behaviour::Cache { store, lookup_time }, NodeKind::Cache(spec)) => {
                *lookup_time = Distribution::new(&spec.lookup_time);
                match (store, &spec.mode) {
                    (s @ CacheStore::Lru { .. }, CacheMode::Lru { capacity, ttl_s }) => {
                        s.resize(*capacity);
                        if let CacheStore::Lru { ttl_ns, .. } = s {
                            *ttl_ns = ttl_s.map(secs_to_nanos);
                        }
                        LiveUpdate::Applied
                    }
                    (CacheStore::Fixed { hit_probability }, CacheMode::FixedHitRate { hit_probability: p }) => {
                        *hit_probability = *p;
                        LiveUpdate::Applied
                    }
                    _ => LiveUpdate::NeedsReset("switching between LRU and a fixed hit rate needs a reset".into()),
                }
            }
            (Behaviour::Queue { station }, NodeKind::Queue(spec)) => {
                station.workers = spec.consumers.max(1);
                station.capacity = Some(spec.capacity);
                LiveUpdate::Applied
            }
            (Behaviour::Database(db), NodeKind::Database(spec)) => {
                db.query_time = Distribution::new(&spec.query_time);
                db.error_probability = spec.error_probability;
                db.replication_lag_ns = ms_to_nanos(spec.replication_lag_ms);
                for s in &mut db.servers {
                    s.workers = spec.connections.max(1);
                    s.capacity = spec.queue_capacity;
                }
                if db.servers.len() == spec.read_replicas as usize + 1 {
                    LiveUpdate::Applied
                } else {
                    LiveUpdate::NeedsReset("adding or removing read replicas needs a reset".into())
                }
            }
            _ => LiveUpdate::NeedsReset("changing a node's kind needs a reset".into()),
        };
        if let Some(spec) = self.scenario.nodes.get_mut(i) {
            spec.kind = kind.clone();
        }
        self.start_waiting_work(i);
        result
    }

    /// After a pool grew, idle workers take waiting calls.
    fn start_waiting_work(&mut self, i: usize) {
        loop {
            let now = self.now;
            let n = &mut self.nodes[i];
            let next = match &mut n.behaviour {
                Behaviour::Service { station, .. } | Behaviour::Queue { station } => {
                    station.take_next().map(|c| (c, 0))
                }
                Behaviour::Database(db) => {
                    db.servers.iter_mut().enumerate().find_map(|(k, s)| s.take_next().map(|c| (c, k)))
                }
                _ => None,
            };
            let Some((call, _)) = next else { break };
            n.metrics.queue.add(now, -1);
            if matches!(n.behaviour, Behaviour::Queue { .. }) {
                self.consume(call);
            } else {
                self.start_work(call, true);
            }
        }
    }

    /// Changes an edge's latency, drop probability and weight while running.
    pub fn update_edge(&mut self, index: usize, spec: &EdgeSpec) -> LiveUpdate {
        let mut candidate = self.scenario.clone();
        match candidate.edges.get_mut(index) {
            Some(e) if e.from == spec.from && e.to == spec.to => *e = spec.clone(),
            Some(_) => return LiveUpdate::NeedsReset("reconnecting an edge needs a reset".into()),
            None => return LiveUpdate::NeedsReset("no such edge".into()),
        }
        let problems = validate(&candidate);
        if !problems.is_empty() {
            return LiveUpdate::Invalid(problems.into_iter().map(|p| p.message).collect());
        }
        let Some(e) = self.edges.get_mut(index) else { return LiveUpdate::NeedsReset("no such edge".into()) };
        e.latency = spec.latency.as_ref().map(Distribution::new).filter(|d| !d.is_zero());
        e.drop_probability = spec.drop_probability;
        let weight_changed = self.scenario.edges.get(index).is_some_and(|old| old.weight != spec.weight);
        if let Some(old) = self.scenario.edges.get_mut(index) {
            *old = spec.clone();
        }
        if weight_changed {
            LiveUpdate::NeedsReset("a new load-balancer weight takes effect after a reset".into())
        } else {
            LiveUpdate::Applied
        }
    }
}
