//! Changing a running simulation: the app's knobs, spike button and fault
//! menu. Parameters that can change live do so at once; the rest need a
//! rebuild, and the answer says which.

use super::SimEventKind;
use super::health_check::{ActiveChecks, LbHealth, OutlierEjection};
use super::idempotency::AppliedWrites;
use super::node::Behaviour;
use super::time::{ms_to_nanos, secs_to_nanos};
use super::{Balancer, CacheStore, Distribution, Event, Simulation};
use crate::scenario::{Arrivals, CacheMode, EdgeSpec, HealthCheckSpec, KeySpec, NodeKind, ProfileShape, ValidScenario};

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
            let spike = ProfileShape::Spike { start_s, duration_s, factor };
            c.outside_spikes.push(spike.clone());
            a.profile.push(spike);
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

    /// Changes a node's parameters while running, all or nothing: the new
    /// parameters are validated with the rest of the scenario, then either
    /// every one of them takes effect now (`Applied`) or none does
    /// (`NeedsReset`, `Invalid`), so [`Simulation::scenario`] always
    /// describes the design that is running.
    pub fn update_node(&mut self, i: usize, kind: &NodeKind) -> LiveUpdate {
        let Some(current) = self.scenario.nodes.get(i) else {
            return LiveUpdate::Invalid(vec![format!("there is no node {}", i + 1)]);
        };
        if current.kind == *kind {
            return LiveUpdate::Applied;
        }
        let mut candidate = self.scenario().clone();
        candidate.nodes[i].kind = kind.clone();
        let candidate = match ValidScenario::new(candidate) {
            Ok(valid) => valid,
            Err(problems) => return LiveUpdate::Invalid(problems.into_iter().map(|p| p.message).collect()),
        };
        if let Some(why) = self.reset_needed_for(i, kind) {
            return LiveUpdate::NeedsReset(why.into());
        }
        self.apply_node_change(i, kind);
        self.scenario = candidate;
        if matches!(kind, NodeKind::Client(_)) {
            // The next arrival was drawn at the old rate (or none at all, if
            // the old profile had stopped the client).
            self.redraw_arrival(i);
        }
        self.start_waiting_work(i);
        self.refresh_write_memory();
        self.refresh_throttling();
        LiveUpdate::Applied
    }

    /// Why node `i` cannot take `kind` while running, if it cannot: the
    /// changes that would need state the running node does not have.
    fn reset_needed_for(&self, i: usize, kind: &NodeKind) -> Option<&'static str> {
        match (&self.nodes[i].behaviour, kind) {
            (Behaviour::Client(c), NodeKind::Client(spec)) => {
                let same_loop = match (&c.arrivals, &spec.arrivals) {
                    (None, Arrivals::Closed { users, .. }) => *users == c.users,
                    (Some(_), Arrivals::Closed { .. }) | (None, _) => false,
                    (Some(_), _) => true,
                };
                (!same_loop).then_some("changing between open and closed loop, or the number of users, needs a reset")
            }
            (Behaviour::Cache { store, .. }, NodeKind::Cache(spec)) => match (store, &spec.mode) {
                (CacheStore::Lru { .. }, CacheMode::Lru { .. })
                | (CacheStore::Fixed { .. }, CacheMode::FixedHitRate { .. }) => None,
                _ => Some("switching between LRU and a fixed hit rate needs a reset"),
            },
            (Behaviour::Database(db), NodeKind::Database(spec)) => {
                let shards = db.shards.as_ref().map_or(1, |s| s.arrivals.len());
                let autoscale = db.scaler.as_ref().map(|sc| sc.autoscaler.spec);
                let replicas = db.scaler.as_ref().map_or(db.replicas, |sc| sc.start as usize);
                if shards != spec.shards.max(1) as usize {
                    Some("changing the number of shards needs a reset")
                } else if autoscale != spec.autoscale {
                    Some("changing how read replicas autoscale needs a reset")
                } else if replicas != spec.read_replicas as usize {
                    Some("adding or removing read replicas needs a reset")
                } else {
                    None
                }
            }
            (Behaviour::LoadBalancer { .. }, NodeKind::LoadBalancer(_))
            | (Behaviour::Service { .. }, NodeKind::Service(_))
            | (Behaviour::Queue { .. }, NodeKind::Queue(_)) => None,
            _ => Some("changing a node's kind needs a reset"),
        }
    }

    /// Puts `kind`'s parameters into the running node `i`. Only called once
    /// [`Self::reset_needed_for`] said the change can be made live.
    fn apply_node_change(&mut self, i: usize, kind: &NodeKind) {
        let now = self.now;
        let weights = self.edge_weights_from(i);
        let n = &mut self.nodes[i];
        match (&mut n.behaviour, kind) {
            (Behaviour::Client(c), NodeKind::Client(spec)) => {
                let timeout_ns = spec.timeout_ms.map(ms_to_nanos);
                if timeout_ns != c.timeout_ns {
                    // Attempts keep the deadline they started with; keep the
                    // list in deadline order for the next check.
                    c.timeouts.sort();
                    c.timeout_ns = timeout_ns;
                }
                let budget = spec.retry.as_ref().and_then(|r| r.budget);
                if budget != c.retry.as_ref().and_then(|r| r.budget) {
                    c.budget = budget.map(super::RetryBudgetState::new);
                }
                c.retry.clone_from(&spec.retry);
                c.keys = spec.keys.as_ref().map(|KeySpec { keyspace, zipf_exponent }| {
                    super::node::KeyGenerator::new(*keyspace, *zipf_exponent)
                });
                c.write_fraction = spec.write_fraction;
                c.set_request_kind(spec.priority, spec.idempotency_keys);
                match spec.throttle {
                    Some(t) if c.throttle.as_ref().is_some_and(|own| own.matches(t)) => {}
                    other => c.throttle = other.map(super::throttle::AdaptiveThrottle::new),
                }
                if let Arrivals::Closed { think, .. } = &spec.arrivals {
                    c.think_time = Some(Distribution::new(think));
                }
                if let Some(a) = &mut c.arrivals {
                    let multiplier = a.multiplier;
                    // The new profile, and the timeline's and the spike
                    // button's spikes that have not ended.
                    let mut shapes = spec.profile.clone();
                    shapes.extend(c.outside_spikes.iter().filter(|s| !s.ended_before(now.as_secs())).cloned());
                    if let Some(mut fresh) =
                        super::ArrivalProcess::new(&spec.arrivals, super::Profile::new(shapes), &mut n.rng)
                    {
                        fresh.multiplier = multiplier;
                        *a = fresh;
                    }
                }
            }
            (Behaviour::LoadBalancer { balancer, health_check_delay_ns, health }, NodeKind::LoadBalancer(spec)) => {
                *health_check_delay_ns = secs_to_nanos(spec.health_check_delay_s);
                // Ejections under way end when they were to end; switched
                // off, every ejected target is back at once.
                let (checks, outliers) = health.take().map_or((None, None), |h| (h.checks, h.outliers));
                let outliers = match (outliers, &spec.outlier_ejection) {
                    (Some(mut o), Some(new)) => {
                        o.set(new);
                        Some(o)
                    }
                    (_, new) => new.as_ref().map(|o| OutlierEjection::new(o, n.out_edges.len())),
                };
                *health = LbHealth::boxed(checks, outliers);
                if balancer.policy != spec.policy {
                    let targets: Vec<&str> =
                        n.out_edges.iter().map(|&e| self.scenario.edges[e as usize].to.as_str()).collect();
                    let open = std::mem::take(&mut balancer.open);
                    *balancer = Balancer::new(spec.policy, &targets, &weights);
                    balancer.open = open;
                    balancer.global = self.scenario.areas().is_global_balancer(i, spec.policy);
                }
            }
            (
                Behaviour::Service { station, service_time, error_probability, blocking_calls, fan_out, .. },
                NodeKind::Service(spec),
            ) => {
                station.workers = spec.workers.max(1);
                station.capacity = spec.queue_capacity;
                *service_time = Distribution::new(&spec.service_time);
                *error_probability = spec.error_probability;
                *blocking_calls = spec.blocking_calls;
                // Requests already fanned out finish waiting for all calls.
                *fan_out = spec.calls.wait_for();
                n.shed_after_ns = spec.shed_after_ms.map(ms_to_nanos);
                n.drop_expired = spec.drop_expired;
            }
            (Behaviour::Cache { store, lookup_time }, NodeKind::Cache(spec)) => {
                *lookup_time = Distribution::new(&spec.lookup_time);
                match (store, &spec.mode) {
                    (s @ CacheStore::Lru { .. }, CacheMode::Lru { capacity, ttl_s }) => {
                        s.resize(*capacity);
                        if let CacheStore::Lru { ttl_ns, .. } = s {
                            *ttl_ns = ttl_s.map(secs_to_nanos);
                        }
                    }
                    (CacheStore::Fixed { hit_probability }, CacheMode::FixedHitRate { hit_probability: p }) => {
                        *hit_probability = *p;
                    }
                    _ => {}
                }
            }
            (Behaviour::Queue { station }, NodeKind::Queue(spec)) => {
                station.workers = spec.consumers.max(1);
                station.capacity = Some(spec.capacity);
            }
            (Behaviour::Database(db), NodeKind::Database(spec)) => {
                db.query_time = Distribution::new(&spec.query_time);
                db.write_time = spec.write_time.as_ref().map(Distribution::new);
                db.table_ns = super::engine::table_nanos(spec.table.as_ref());
                db.error_probability = spec.error_probability;
                db.replication_lag_ns = ms_to_nanos(spec.replication_lag_ms);
                for s in &mut db.servers {
                    s.workers = spec.connections.max(1);
                    s.capacity = spec.queue_capacity;
                }
                db.resize_pools(now, &mut n.metrics);
            }
            _ => {}
        }
        if let NodeKind::LoadBalancer(spec) = kind {
            self.change_health_checks(i, spec.health_check.as_ref());
        }
        if let NodeKind::Service(spec) = kind {
            self.change_fleet(i, spec);
            // The pool in service may have grown or shrunk.
            let n = &mut self.nodes[i];
            let workers = n.workers().unwrap_or(0);
            n.metrics.pool.set(now, i64::from(workers));
        }
        let n = &mut self.nodes[i];
        // A limiter switched on starts full, as at the start of a run; one
        // changed keeps the tokens it has; one switched off is gone.
        match (&mut n.limiter, kind.rate_limit()) {
            (Some(limiter), Some(spec)) => limiter.set(spec, now),
            (slot, spec) => *slot = spec.map(|spec| super::RateLimiter::new(spec, now)),
        }
    }

    /// Balancer `i`'s active health checks become `spec`. New thresholds
    /// apply from the next probe; a new interval or timeout starts a new
    /// round of probes now (probes out under the old ones are forgotten);
    /// checks switched on start with every target healthy, and switched
    /// off leave the fixed `health_check_delay_s` in charge.
    fn change_health_checks(&mut self, i: usize, spec: Option<&HealthCheckSpec>) {
        let seed = self.scenario.seed;
        let n = &mut self.nodes[i];
        let targets = n.out_edges.len();
        let Behaviour::LoadBalancer { health, .. } = &mut n.behaviour else { return };
        let (checks, outliers) = health.take().map_or((None, None), |h| (h.checks, h.outliers));
        let (checks, restart) = match (checks, spec) {
            (Some(mut c), Some(new)) => {
                let (interval, timeout) = (c.interval_ns, c.timeout_ns);
                c.set(new);
                let restart = c.interval_ns != interval || c.timeout_ns != timeout;
                (Some(c), restart)
            }
            (None, Some(new)) => {
                let rng = super::rng::stream(seed, &format!("health:{}", n.id));
                (Some(ActiveChecks::new(new, targets, rng)), true)
            }
            (_, None) => (None, false),
        };
        *health = LbHealth::boxed(checks, outliers);
        if !restart {
            return;
        }
        // A generation no round or probe still out has: a simulation-wide
        // count, so checks switched off and on again do not take the old
        // round for theirs.
        self.check_generations = self.check_generations.wrapping_add(1);
        let generation = self.check_generations;
        if let Behaviour::LoadBalancer { health: Some(h), .. } = &mut self.nodes[i].behaviour
            && let Some(c) = h.checks.as_mut()
        {
            c.generation = generation;
            self.schedule(self.now, Event::HealthCheck { node: i as u32, generation });
        }
    }

    /// The weights of node `i`'s outgoing edges, in edge order, as running.
    fn edge_weights_from(&self, i: usize) -> Vec<f64> {
        self.nodes[i].out_edges.iter().map(|&e| self.scenario.edges[e as usize].weight).collect()
    }

    /// Databases start remembering the writes they apply as soon as a
    /// write can arrive twice: a retry or a hedge anywhere (a client's, an
    /// edge's). Once started they keep remembering, so the counts of
    /// duplicates stay whole.
    pub(super) fn refresh_write_memory(&mut self) {
        let s = &self.scenario;
        let clients_retry = s.nodes.iter().any(|n| matches!(&n.kind, NodeKind::Client(c) if c.retry.is_some()));
        let edges_repeat = s.edges.iter().any(|e| e.retry.is_some() || e.hedge.is_some());
        if !(clients_retry || edges_repeat) {
            return;
        }
        for n in &mut self.nodes {
            if let Behaviour::Database(db) = &mut n.behaviour
                && db.applied_writes.is_none()
            {
                db.applied_writes = Some(AppliedWrites::default());
            }
        }
    }

    /// Notes whether any client throttles (see `clients_throttle`).
    pub(super) fn refresh_throttling(&mut self) {
        self.clients_throttle =
            self.nodes.iter().any(|n| matches!(&n.behaviour, Behaviour::Client(c) if c.throttle.is_some()));
    }

    /// After a pool grew, idle workers take waiting calls.
    fn start_waiting_work(&mut self, i: usize) {
        loop {
            let now = self.now;
            let n = &mut self.nodes[i];
            let next = match &mut n.behaviour {
                Behaviour::Service { station, fleet: Some(fleet), .. } => fleet.take_next(station),
                Behaviour::Service { station, .. } | Behaviour::Queue { station } => {
                    station.take_next().map(|c| (c, 0))
                }
                Behaviour::Database(db) => {
                    db.servers.iter_mut().enumerate().find_map(|(k, s)| s.take_next().map(|c| (c, k)))
                }
                _ => None,
            };
            let Some((call, server)) = next else { break };
            n.metrics.queue.add(now, -1);
            if matches!(n.behaviour, Behaviour::Queue { .. }) {
                self.consume(call);
            } else if n.shed_after_ns.is_some() || n.drop_expired {
                // What waited too long, or for nobody, is dropped as usual.
                self.serve_or_shed(call, i, server);
            } else {
                self.start_work(call, true);
            }
        }
    }

    /// Changes an edge's latency, drop probability and weight while
    /// running, all or nothing (see [`Simulation::update_node`]). A new
    /// weight re-weights the load balancer the edge leaves at once.
    pub fn update_edge(&mut self, index: usize, spec: &EdgeSpec) -> LiveUpdate {
        let Some(current) = self.scenario.edges.get(index) else {
            return LiveUpdate::Invalid(vec![format!("there is no edge {}", index + 1)]);
        };
        if current == spec {
            return LiveUpdate::Applied;
        }
        if current.from != spec.from || current.to != spec.to {
            return LiveUpdate::NeedsReset("reconnecting an edge needs a reset".into());
        }
        let mut candidate = self.scenario().clone();
        candidate.edges[index] = spec.clone();
        let candidate = match ValidScenario::new(candidate) {
            Ok(valid) => valid,
            Err(problems) => return LiveUpdate::Invalid(problems.into_iter().map(|p| p.message).collect()),
        };
        let weight_changed = current.weight != spec.weight;
        let e = &mut self.edges[index];
        e.latency = candidate.edge_latency(index).as_ref().map(Distribution::new).filter(|d| !d.is_zero());
        e.drop_probability = spec.drop_probability;
        // Calls already in flight stay; a smaller cap refuses until they drain.
        e.max_concurrent = spec.max_concurrent;
        // Calls already waiting keep their deadline; see `settle_bulkhead_line`.
        let keeps_waiting = spec.bulkhead_wait_ms.filter(|_| spec.max_concurrent.is_some());
        match (&mut e.line, keeps_waiting) {
            (Some(line), Some(wait)) => line.set_max_wait(wait),
            (line @ None, Some(wait)) => *line = Some(Box::new(super::BulkheadLine::new(wait))),
            (_, None) => {}
        }
        match (&mut e.link, super::Link::for_edge(spec)) {
            (Some(link), Some(_)) => link.update(spec),
            (link, fresh) => *link = fresh,
        }
        match (&mut e.policy, super::CallPolicy::for_edge(spec)) {
            (Some(policy), Some(_)) => policy.update(spec),
            (policy, fresh) => *policy = fresh,
        }
        e.guarded = e.is_guarded();
        e.refresh_plain();
        let serve_stale = matches!(spec.fallback, Some(crate::scenario::FallbackSpec::ServeStale));
        let source = e.from as usize;
        if let Behaviour::Cache { store, .. } = &mut self.nodes[source].behaviour {
            store.set_keep_stale(serve_stale);
        }
        self.scenario = candidate;
        self.settle_bulkhead_line(index as u32, keeps_waiting.is_some());
        if weight_changed {
            let weights = self.edge_weights_from(source);
            if let Behaviour::LoadBalancer { balancer, .. } = &mut self.nodes[source].behaviour {
                balancer.set_weights(&weights);
            }
        }
        self.refresh_write_memory();
        LiveUpdate::Applied
    }
}
