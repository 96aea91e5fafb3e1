//! The simulation: building it from a scenario, the event loop, windows and
//! what callers read. Request flow is in `flow.rs`, faults in `faults.rs`,
//! live control in `control.rs`.

use std::collections::{HashMap, VecDeque};

use super::call::{CallSlab, RequestTag};
use super::edge::EdgeCounters;
use super::health_check::LbHealth;
use super::metrics::{NodeMetrics, Span, Stats, TimeSeries, WindowFrame, aggregate_stats, windows_for};
use super::node::{Behaviour, ClientBehaviour, DatabaseBehaviour, Health, KeyGenerator, NodeRuntime, ShardCounts};
use super::rng::{SimRng, stream};
use super::time::{ms_to_nanos, secs_to_nanos};
use super::{
    ArrivalProcess, Balancer, CacheStore, Distribution, EdgeRuntime, Event, EventQueue, FaultRuntime, Profile,
    SimEvent, SimTime, Station,
};
use crate::scenario::{CacheMode, FaultSpec, NodeKind, ProfileShape, Scenario, ValidScenario};

/// Live calls beyond which clients refuse new requests (counted as
/// `rejected` at the client): a guard so an overloaded unbounded queue
/// cannot eat all memory. About 400 MB of calls.
pub const MAX_CALLS_IN_FLIGHT: usize = 4_000_000;

/// Notable events kept for the app's log and plot markers.
const MAX_LOGGED_EVENTS: usize = 1_000;

/// A scenario that cannot be simulated.
#[derive(Debug, thiserror::Error)]
#[error("the scenario is not valid:\n{}", .0.join("\n"))]
pub struct BuildError(pub Vec<String>);

/// A running discrete-event simulation of one scenario.
///
/// `Clone` is a snapshot: every part (random streams, event queue, call
/// slab, metrics, time series) is plain owned data, so a clone run on gives
/// exactly the events, draws and numbers the original would
/// (`sim::snapshot`, the app's rewind).
#[derive(Clone)]
pub struct Simulation {
    pub(super) scenario: ValidScenario,
    pub(super) now: SimTime,
    pub(super) events: EventQueue,
    pub(super) calls: CallSlab,
    pub(super) nodes: Vec<NodeRuntime>,
    pub(super) edges: Vec<EdgeRuntime>,
    pub(super) series: TimeSeries,
    pub(super) faults: Vec<FaultRuntime>,
    pub(super) log: VecDeque<SimEvent>,
    pub(super) logged_total: u64,
    /// Longest path from a client to each node; the topology is fixed for
    /// the life of a simulation, so it is computed once.
    pub(super) call_depths: Vec<usize>,
    /// `Pause` faults in force now, on any node: while none is, answers go
    /// straight to their caller without asking whether it is frozen.
    pub(super) pauses_in_force: u32,
    /// Client requests made so far (wrapping): each request's number in
    /// its [`RequestTag`](super::call::RequestTag).
    pub(super) requests_made: u32,
    /// Whether some client has adaptive throttling: without any, an
    /// attempt pays one flag test for it, not a look at its client.
    pub(super) clients_throttle: bool,
    /// Per edge, the write site its writes count under (see
    /// `idempotency.rs`): its source, or for replicas behind a load
    /// balancer, that balancer. The topology is fixed, so once.
    pub(super) write_sites: Vec<u32>,
    /// Health checks changed live so far: each change's probes carry a
    /// generation no earlier round has (see `change_health_checks`).
    pub(super) check_generations: u16,
    /// Request traces, when switched on (`enable_tracing`): `None` costs
    /// one check when a worker starts and when a call ends.
    pub(super) tracer: Option<Box<super::trace::Tracer>>,
    /// The SLOs and their alerts, judged at each window's close; `None`
    /// for a scenario without SLOs (see `slo.rs`).
    pub(super) slo: Option<Box<super::slo::SloTracker>>,
    window_ns: u64,
    pub(super) warmup: SimTime,
    events_processed: u64,
}

impl Simulation {
    /// Validates `scenario` and builds a simulation of it.
    pub fn new(scenario: &Scenario) -> Result<Simulation, BuildError> {
        ValidScenario::new(scenario.clone())
            .map(Simulation::from_valid)
            .map_err(|problems| BuildError(problems.into_iter().map(|p| p.message).collect()))
    }

    /// Builds a simulation of a scenario already validated: nothing can fail.
    pub fn from_valid(scenario: ValidScenario) -> Simulation {
        let seed = scenario.seed;
        let mut edges: Vec<EdgeRuntime> = scenario
            .edges
            .iter()
            .zip(scenario.edge_ends())
            .enumerate()
            .map(|(k, (e, &(from, to)))| EdgeRuntime {
                from: from as u32,
                to: to as u32,
                // Its own latency, or a crossing's between zones or regions.
                latency: scenario.edge_latency(k).as_ref().map(Distribution::new).filter(|d| !d.is_zero()),
                plain: false,
                drop_probability: e.drop_probability,
                partitions: 0,
                added_ns: 0,
                max_concurrent: e.max_concurrent,
                in_flight: 0,
                line: e
                    .bulkhead_wait_ms
                    .filter(|_| e.max_concurrent.is_some())
                    .map(|w| Box::new(super::BulkheadLine::new(w))),
                link: super::Link::for_edge(e),
                policy: super::CallPolicy::for_edge(e),
                guarded: false,
                rng: stream(seed, &format!("edge:{}->{}", e.from, e.to)),
                counters: EdgeCounters::default(),
                window_start: (SimTime::ZERO, EdgeCounters::default()),
                total_start: (SimTime::ZERO, EdgeCounters::default()),
            })
            .collect();
        for e in &mut edges {
            e.guarded = e.is_guarded();
            e.refresh_plain();
        }

        // Spikes in the fault timeline are part of a client's profile.
        let mut extra_shapes: Vec<Vec<ProfileShape>> = vec![Vec::new(); scenario.nodes.len()];
        for (f, target) in scenario.faults.iter().zip(scenario.fault_targets()) {
            if let FaultSpec::Spike { at_s, duration_s, factor, .. } = f {
                extra_shapes[target.node].push(ProfileShape::Spike {
                    start_s: *at_s,
                    duration_s: *duration_s,
                    factor: *factor,
                });
            }
        }

        let mut out_edges_of: Vec<Vec<u32>> = vec![Vec::new(); scenario.nodes.len()];
        for (k, e) in edges.iter().enumerate() {
            out_edges_of[e.from as usize].push(k as u32);
        }
        let call_depths = super::report::longest_call_depths(
            scenario.nodes.len(),
            edges.iter().map(|e| (e.from as usize, e.to as usize)),
        );
        let mut nodes = Vec::with_capacity(scenario.nodes.len());
        for (i, spec) in scenario.nodes.iter().enumerate() {
            let out_edges = std::mem::take(&mut out_edges_of[i]);
            let mut rng = stream(seed, &format!("node:{}", spec.id));
            let mut behaviour =
                build_behaviour(&scenario, &spec.kind, &out_edges, std::mem::take(&mut extra_shapes[i]), &mut rng);
            if let (Behaviour::LoadBalancer { health, balancer, .. }, NodeKind::LoadBalancer(lb)) =
                (&mut behaviour, &spec.kind)
            {
                *health = LbHealth::build(lb, seed, &spec.id, out_edges.len());
                balancer.global = scenario.areas().is_global_balancer(i, lb.policy);
            }
            nodes.push(NodeRuntime {
                id: spec.id.clone(),
                behaviour,
                out_edges,
                rng,
                health: Health::default(),
                metrics: NodeMetrics::default(),
                limiter: spec.kind.rate_limit().map(|r| super::RateLimiter::new(r, SimTime::ZERO)),
                shed_after_ns: shed_after_ns(&spec.kind),
                drop_expired: matches!(&spec.kind, NodeKind::Service(s) if s.drop_expired),
            });
        }
        for n in &mut nodes {
            super::scaling::start_instance_metrics(n);
            super::replica_scaling::start_replica_metrics(n);
        }

        // A node's pauses are known from the start: its work is pushed past
        // them as it starts.
        for (f, target) in scenario.faults.iter().zip(scenario.fault_targets()) {
            if let FaultSpec::Pause { at_s, duration_s, .. } = f {
                let (start, end) = super::pause::pause_span(*at_s, *duration_s);
                nodes[target.node].health.pauses.add(start, end);
            }
        }

        // A cache whose backing edge serves stale answers keeps expired keys.
        for (spec, e) in scenario.edges.iter().zip(&edges) {
            if matches!(spec.fallback, Some(crate::scenario::FallbackSpec::ServeStale))
                && let Behaviour::Cache { store, .. } = &mut nodes[e.from as usize].behaviour
            {
                store.set_keep_stale(true);
            }
        }

        let faults = scenario
            .faults
            .iter()
            .enumerate()
            .zip(scenario.fault_targets())
            .map(|((i, f), &target)| {
                let members = target.area.map(|a| scenario.areas().members(a)).unwrap_or_default();
                FaultRuntime::new(f.clone(), target, members, stream(seed, &format!("fault:{i}")))
            })
            .collect();

        let mut sim = Simulation {
            now: SimTime::ZERO,
            events: EventQueue::default(),
            calls: CallSlab::default(),
            nodes,
            edges,
            series: TimeSeries::new(windows_for(scenario.nodes.len(), scenario.edges.len())),
            faults,
            log: VecDeque::new(),
            logged_total: 0,
            call_depths,
            pauses_in_force: 0,
            requests_made: 0,
            clients_throttle: false,
            write_sites: write_sites(&scenario),
            check_generations: 0,
            tracer: None,
            slo: super::slo::SloTracker::build(&scenario),
            window_ns: secs_to_nanos(scenario.window_s).max(1),
            warmup: SimTime::from_secs(scenario.warmup_s),
            events_processed: 0,
            scenario,
        };
        sim.refresh_write_memory();
        sim.refresh_throttling();
        sim.schedule_start();
        sim
    }

    /// The first events: arrivals, users, windows, warm-up and faults.
    fn schedule_start(&mut self) {
        for n in 0..self.nodes.len() {
            let NodeRuntime { behaviour, rng, .. } = &mut self.nodes[n];
            if let Behaviour::Client(client) = behaviour {
                if client.arrivals.is_some() {
                    self.schedule_next_arrival(n as u32);
                } else if let Some(think) = &client.think_time {
                    // Users start at random points of their think time, not in lockstep.
                    for _ in 0..client.users {
                        let at = SimTime::ZERO.after(think.sample(rng));
                        self.events.push(self.now, at, Event::UserReady { node: n as u32 });
                    }
                }
            }
        }
        self.events.push(self.now, SimTime(self.window_ns), Event::WindowEnd);
        if self.warmup > SimTime::ZERO {
            self.events.push(self.now, self.warmup, Event::WarmupEnd);
        }
        self.schedule_faults();
        self.schedule_health_checks();
        self.schedule_autoscalers();
    }

    /// Schedules `event` at `at` (now or later).
    #[inline]
    pub(super) fn schedule(&mut self, at: SimTime, event: Event) {
        self.events.push(self.now, at, event);
    }

    /// Processes every event up to and including time `until`, then sets
    /// the clock to `until`. Returns the number of events processed.
    pub fn run_until(&mut self, until: SimTime) -> u64 {
        self.run_until_bounded(until, u64::MAX)
    }

    /// Like [`run_until`](Self::run_until) but stops after `max_events`;
    /// the clock then stays at the last event. A GUI uses this to keep its
    /// frame budget.
    pub fn run_until_bounded(&mut self, until: SimTime, max_events: u64) -> u64 {
        let start = self.events_processed;
        while self.events_processed - start < max_events {
            let Some((at, event)) = self.events.pop_due(self.now, until) else {
                self.now = self.now.max(until);
                break;
            };
            self.now = at;
            self.events_processed += 1;
            self.dispatch(event);
        }
        self.events_processed - start
    }

    /// Processes at most `max_events` events, whatever their time.
    pub fn run_events(&mut self, max_events: u64) -> u64 {
        self.run_until_bounded(SimTime::NEVER, max_events)
    }

    // Handlers of rare events (retries, timeouts, hedges, fallbacks,
    // faults, window ends) are `#[inline(never)]`: when they grow into
    // `dispatch`, it stops being inlined into the event loop and M/M/1
    // costs about 4 % more instructions (callgrind, docs/performance.md).
    fn dispatch(&mut self, event: Event) {
        match event {
            Event::ClientArrival { node, generation } => self.on_client_arrival(node, generation),
            Event::UserReady { node } => self.start_request(node),
            Event::Arrive(call) => self.on_arrive(call),
            Event::WorkDone(call) => self.on_work_done(call),
            Event::Reply(call) => {
                // A paused node reads no answer until its pause is over. The
                // check is all a run without pauses pays: a guard on the arm
                // or a second call of `on_reply` costs 1.4 % more
                // instructions on M/M/1 (callgrind).
                if self.pauses_in_force == 0 || !self.answer_held_by_pause(call) {
                    self.on_reply(call);
                }
            }
            Event::TimeoutCheck(owner) => self.on_timeout_check(owner),
            Event::RetryDue(call) => self.on_retry_due(call),
            Event::Resend(call) => self.on_resend(call),
            Event::FallbackDone(call) => self.on_fallback_done(call),
            Event::Hedge(call) => self.on_hedge_due(call),
            Event::BulkheadCheck(edge) => self.on_bulkhead_check(edge),
            Event::WindowEnd => self.close_window(),
            Event::WarmupEnd => self.end_warmup(),
            Event::Fault { index, ending } => self.apply_fault(index as usize, ending),
            Event::RandomFailure { fault, generation } => self.on_random_failure(fault as usize, generation),
            Event::HealthCheck { node, generation } => self.on_health_check(node, generation),
            Event::ProbeDone { node, target, generation } => self.on_probe_done(node, target, generation),
            Event::EjectionOver { node, target } => self.on_ejection_over(node, target),
            Event::Autoscale { node, generation } => self.on_autoscale(node, generation),
            Event::InstanceReady { node, instance, generation } => self.on_instance_ready(node, instance, generation),
        }
    }

    // Once a window, and grown with the tracer and the SLOs: kept out of
    // `dispatch`, which must stay small enough to be inlined whole.
    #[inline(never)]
    fn close_window(&mut self) {
        let now = self.now;
        if let Some(tracer) = self.tracer.as_mut() {
            let calls = &self.calls;
            tracer.close_window(|id| calls.get(id).is_some());
        }
        // Before the windows reset: the SLOs read the open ones.
        if self.slo.is_some() {
            self.judge_slos();
        }
        // End to end first: it reads the clients' open windows.
        let end_to_end = self.end_to_end_stats(Span::Window);
        let nodes: Vec<Stats> = self
            .nodes
            .iter_mut()
            .map(|n| {
                let workers = n.workers();
                n.metrics.close_window(now, workers)
            })
            .collect();
        let edges = self
            .edges
            .iter_mut()
            .map(|e| {
                let s = e.stats_since(&e.window_start, now);
                e.window_start = (now, e.snapshot(now));
                s
            })
            .collect();
        let start_s = now.as_secs() - self.window_ns as f64 / 1e9;
        self.series.push(WindowFrame { start_s: start_s.max(0.0), end_s: now.as_secs(), end_to_end, nodes, edges });
        let t = now.as_secs();
        for n in &mut self.nodes {
            match &mut n.behaviour {
                Behaviour::Client(ClientBehaviour { arrivals: Some(a), outside_spikes, .. }) => {
                    a.profile.forget_before(t);
                    outside_spikes.retain(|s| !s.ended_before(t));
                }
                // A write only makes reads stale until it has replicated:
                // older ones are forgotten, so the map holds the writes of
                // the last lag (plus a window), not of the whole run.
                Behaviour::Database(db) => {
                    let lag = db.replication_lag_ns;
                    db.last_write.retain(|_, written| now.since(*written) < lag);
                }
                _ => {}
            }
        }
        self.schedule(now.after(self.window_ns), Event::WindowEnd);
    }

    fn end_warmup(&mut self) {
        let now = self.now;
        for n in &mut self.nodes {
            n.metrics.restart_totals(now);
            if let Behaviour::Database(DatabaseBehaviour { shards: Some(shards), .. }) = &mut n.behaviour {
                let ShardCounts { arrivals, busy, total_start, .. } = &mut **shards;
                for ((start, &a), b) in total_start.iter_mut().zip(arrivals.iter()).zip(busy.iter()) {
                    *start = (a, b.area_at(now));
                }
            }
        }
        for e in &mut self.edges {
            e.total_start = (now, e.snapshot(now));
        }
    }

    /// Current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The scenario this simulation was built from.
    pub fn scenario(&self) -> &Scenario {
        self.scenario.scenario()
    }

    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }

    /// Events waiting in the queue.
    pub fn pending_events(&self) -> usize {
        self.events.len()
    }

    /// Requests in flight at all nodes (slab slots in use).
    pub fn calls_in_flight(&self) -> usize {
        self.calls.live()
    }

    /// The windowed time series, oldest first.
    pub fn series(&self) -> &TimeSeries {
        &self.series
    }

    /// Switches request traces on from now (`sim::trace`): each window then
    /// keeps its slowest request and a few ordinary ones with every hop.
    /// The numbers of the run are the same with or without.
    pub fn enable_tracing(&mut self) {
        if self.tracer.is_none() {
            // Windows are numbered from the start of the run, whenever
            // tracing starts, so a trace's window is the plots' window.
            let window = self.series.closed();
            self.tracer = Some(Box::new(super::trace::Tracer::starting_in_window(window)));
        }
    }

    /// The window tracing started in, while it is on.
    pub fn tracing_started_in_window(&self) -> Option<u64> {
        self.tracer.as_ref().map(|t| t.first_window())
    }

    /// The traces kept so far, oldest window first (none unless enabled).
    pub fn traces(&self) -> impl Iterator<Item = &super::trace::Trace> {
        self.tracer.iter().flat_map(|t| t.traces())
    }

    /// Notable events (faults, spikes), oldest first, the last 1000.
    pub fn event_log(&self) -> &VecDeque<SimEvent> {
        &self.log
    }

    /// Events logged since the simulation started (the log keeps only the
    /// last 1,000 of them): a reader keeps this number and asks for
    /// [`Self::events_since`] it next time.
    pub fn events_logged(&self) -> u64 {
        self.logged_total
    }

    /// The events logged after the first `seen` ones, oldest first, and how
    /// many were logged since `seen` but already dropped from the log.
    pub fn events_since(&self, seen: u64) -> (impl Iterator<Item = &SimEvent>, u64) {
        let first_kept = self.logged_total - self.log.len() as u64;
        let skip = seen.saturating_sub(first_kept).min(self.log.len() as u64);
        let lost = first_kept.saturating_sub(seen);
        (self.log.iter().skip(skip as usize), lost)
    }

    pub(super) fn log_event(&mut self, node: Option<u32>, kind: super::SimEventKind, what: String) {
        if self.log.len() == MAX_LOGGED_EVENTS {
            self.log.pop_front();
        }
        self.logged_total += 1;
        self.log.push_back(SimEvent { at: self.now, node: node.map(|n| n as usize), kind, what });
    }

    /// Totals since the warm-up, for node `i`.
    pub fn node_totals(&self, i: usize) -> Option<Stats> {
        let n = self.nodes.get(i)?;
        Some(n.metrics.total_stats(self.now, n.workers()))
    }

    /// The current (still open) window of node `i`.
    pub fn node_current_window(&self, i: usize) -> Option<Stats> {
        let n = self.nodes.get(i)?;
        Some(n.metrics.window_stats(self.now, n.workers()))
    }

    /// End-to-end totals since the warm-up.
    pub fn end_to_end_totals(&self) -> Stats {
        self.end_to_end_stats(Span::Total)
    }

    /// End to end is every client's requests taken together.
    fn end_to_end_stats(&self, span: Span) -> Stats {
        let clients: Vec<&NodeMetrics> =
            self.nodes.iter().filter(|n| matches!(n.behaviour, Behaviour::Client(_))).map(|n| &n.metrics).collect();
        aggregate_stats(&clients, self.now, span)
    }

    /// Traffic over edge `i` in the window still open.
    pub fn edge_current_window(&self, i: usize) -> Option<super::EdgeStats> {
        let e = self.edges.get(i)?;
        Some(e.stats_since(&e.window_start, self.now))
    }

    /// Traffic over edge `i` since the warm-up.
    pub fn edge_totals(&self, i: usize) -> Option<super::EdgeStats> {
        let e = self.edges.get(i)?;
        Some(e.stats_since(&e.total_start, self.now))
    }

    /// Retried attempts sent so far by every caller upstream of node `i`
    /// (edge retry policies on the edges that lead to it, and its upstream
    /// clients' retries): the attempts that make its arrivals burstier than
    /// Poisson (`diagnosis::theory_check`). Since the warm-up, as the
    /// figures theory is set beside: retries of a fault long over do not
    /// explain a difference measured after it.
    pub fn retries_upstream_of(&self, i: usize) -> u64 {
        let mut seen = vec![false; self.nodes.len()];
        let Some(first) = seen.get_mut(i) else { return 0 };
        *first = true;
        let mut stack = vec![i];
        let mut retries = 0;
        while let Some(k) = stack.pop() {
            for e in self.edges.iter().filter(|e| e.to as usize == k) {
                retries += e.counters.retries.saturating_sub(e.total_start.1.retries);
                let from = e.from as usize;
                if !seen[from] {
                    seen[from] = true;
                    let metrics = &self.nodes[from].metrics;
                    retries += metrics.counters.retries.saturating_sub(metrics.total_start.counters.retries);
                    stack.push(from);
                }
            }
        }
        retries
    }

    /// End-to-end stats of the window still open.
    pub fn end_to_end_current_window(&self) -> Stats {
        self.end_to_end_stats(Span::Window)
    }

    /// Index of the node with this id.
    pub fn node_index(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }
}

/// Each edge's write site: the index of its source node, or, when a load
/// balancer sends to that source (a replica), of the first such balancer.
fn write_sites(scenario: &ValidScenario) -> Vec<u32> {
    let index: std::collections::HashMap<&str, usize> =
        scenario.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let balancer_of = |node: &str| {
        scenario
            .edges
            .iter()
            .filter(|e| e.to == node)
            .filter_map(|e| index.get(e.from.as_str()).copied())
            .filter(|&from| matches!(scenario.nodes[from].kind, NodeKind::LoadBalancer(_)))
            .min()
    };
    scenario
        .edges
        .iter()
        .map(|e| {
            let from = index.get(e.from.as_str()).copied().unwrap_or(usize::MAX);
            let site = balancer_of(&e.from).unwrap_or(from);
            u32::try_from(site).unwrap_or(u32::MAX)
        })
        .collect()
}

/// A service's load-shedding wait limit, nanoseconds.
pub(super) fn shed_after_ns(kind: &NodeKind) -> Option<u64> {
    match kind {
        NodeKind::Service(s) => s.shed_after_ms.map(ms_to_nanos),
        _ => None,
    }
}

fn build_behaviour(
    scenario: &Scenario,
    kind: &NodeKind,
    out_edges: &[u32],
    extra_shapes: Vec<ProfileShape>,
    rng: &mut SimRng,
) -> Behaviour {
    match kind {
        NodeKind::Client(c) => {
            let mut shapes = c.profile.clone();
            shapes.extend(extra_shapes.iter().cloned());
            let arrivals = ArrivalProcess::new(&c.arrivals, Profile::new(shapes), rng);
            let (users, think_time) = match &c.arrivals {
                crate::scenario::Arrivals::Closed { users, think } => (*users, Some(Distribution::new(think))),
                _ => (0, None),
            };
            let mut client = ClientBehaviour {
                arrivals,
                users,
                think_time,
                arrival_generation: 0,
                outside_spikes: extra_shapes,
                timeout_ns: c.timeout_ms.map(ms_to_nanos),
                timeouts: super::TimeoutList::default(),
                retry: c.retry.clone(),
                budget: c.retry.as_ref().and_then(|r| r.budget).map(super::RetryBudgetState::new),
                keys: c.keys.as_ref().map(|k| KeyGenerator::new(k.keyspace, k.zipf_exponent)),
                write_fraction: c.write_fraction,
                tag: RequestTag::default(),
                class_mix: None,
                throttle: c.throttle.map(super::throttle::AdaptiveThrottle::new),
            };
            client.set_request_kind(c.priority, c.idempotency_keys);
            Behaviour::Client(client)
        }
        NodeKind::LoadBalancer(lb) => {
            let targets: Vec<&str> = out_edges.iter().map(|&e| scenario.edges[e as usize].to.as_str()).collect();
            let weights: Vec<f64> = out_edges.iter().map(|&e| scenario.edges[e as usize].weight).collect();
            Behaviour::LoadBalancer {
                balancer: Balancer::new(lb.policy, &targets, &weights),
                health_check_delay_ns: secs_to_nanos(lb.health_check_delay_s),
                health: None,
            }
        }
        NodeKind::Service(s) => Behaviour::Service {
            station: Station::new(s.workers, s.queue_capacity),
            service_time: Distribution::new(&s.service_time),
            error_probability: s.error_probability,
            blocking_calls: s.blocking_calls,
            fan_out: s.calls.wait_for(),
            fleet: super::scaling::fleet_for(s),
        },
        NodeKind::Cache(c) => Behaviour::Cache {
            store: match c.mode {
                CacheMode::Lru { capacity, ttl_s } => CacheStore::lru(capacity, ttl_s.map(secs_to_nanos)),
                CacheMode::FixedHitRate { hit_probability } => CacheStore::Fixed { hit_probability },
            },
            lookup_time: Distribution::new(&c.lookup_time),
        },
        NodeKind::Queue(q) => Behaviour::Queue { station: Station::new(q.consumers, Some(q.capacity)) },
        NodeKind::Database(d) => Behaviour::Database(DatabaseBehaviour {
            servers: (0..d.shards.max(1) * (replica_slots(d) + 1))
                .map(|_| Station::new(d.connections, d.queue_capacity))
                .collect(),
            replicas: replica_slots(d) as usize,
            query_time: Distribution::new(&d.query_time),
            write_time: d.write_time.as_ref().map(Distribution::new),
            table_ns: table_nanos(d.table.as_ref()),
            shards: (d.shards > 1).then(|| Box::new(ShardCounts::new(d.shards as usize))),
            error_probability: d.error_probability,
            replication_lag_ns: ms_to_nanos(d.replication_lag_ms),
            next_replica: 0,
            last_write: HashMap::default(),
            applied_writes: None,
            scaler: d.autoscale.map(|a| {
                Box::new(super::replica_scaling::ReplicaScaler::new(a, d.read_replicas, replica_slots(d) as usize))
            }),
        }),
    }
}

/// Read replicas a database holds room for, per shard: its fixed count, or
/// the most its autoscaler may run.
fn replica_slots(d: &crate::scenario::DatabaseSpec) -> u32 {
    d.autoscale.map_or(d.read_replicas, |a| a.max.max(d.read_replicas))
}

/// What a table adds to each query, whole nanoseconds (0 without one).
pub(super) fn table_nanos(table: Option<&crate::scenario::TableSpec>) -> u64 {
    table.map_or(0, |t| ms_to_nanos(t.query_cost_ms()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{
        Arrivals, ClientSpec, DatabaseSpec, DistributionSpec, EdgeSpec, KeySpec, NodeSpec, Scenario,
    };

    /// A database remembers writes only while they replicate: writes to
    /// ever new keys over a long run keep its memory flat.
    #[test]
    fn a_database_forgets_writes_once_they_have_replicated() {
        let client = ClientSpec {
            arrivals: Arrivals::Poisson { rate: 2_000.0 },
            keys: Some(KeySpec { keyspace: u64::from(u32::MAX), zipf_exponent: 0.0 }),
            write_fraction: 0.5,
            ..ClientSpec::default()
        };
        let db = DatabaseSpec {
            connections: 64,
            query_time: DistributionSpec::Constant { ms: 1.0 },
            read_replicas: 1,
            replication_lag_ms: 100.0,
            ..DatabaseSpec::default()
        };
        let s = Scenario {
            nodes: vec![
                NodeSpec { id: "c".into(), pos: (0.0, 0.0), zone: None, region: None, kind: NodeKind::Client(client) },
                NodeSpec { id: "db".into(), pos: (0.0, 0.0), zone: None, region: None, kind: NodeKind::Database(db) },
            ],
            edges: vec![EdgeSpec::new("c", "db")],
            ..Scenario::default()
        };
        let mut sim = Simulation::new(&s).expect("valid");
        sim.run_until(SimTime::from_secs(60.0));
        let Behaviour::Database(db) = &sim.nodes[1].behaviour else { panic!("a database") };
        // 60,000 writes to distinct keys (the run kept all 60,000 before);
        // the last lag plus a window's worth, about 1,100, are kept now.
        assert!(db.last_write.len() < 3_000, "{} writes remembered", db.last_write.len());
    }
}
