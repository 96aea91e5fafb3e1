//! What the canvas shows about the running simulation, derived in one place
//! from the engine's API: per node its status (down, calm, warm, hot), the
//! recent numbers, the failure reasons and the degraded answers; per edge
//! its flow; the bottleneck.
//! Updated once per frame in `App::logic`, read by the drawing code.

mod node_card;
mod reasons;
mod sticky;
mod window_cursor;

pub use crate::diagnosis::heat::{Heat, HeatLevel, error_level, next_level};
pub use node_card::{CardLine, Tone, edge_card, edge_traffic, instances_text, node_card};
pub use reasons::{
    ReasonTally, client_degraded_line, client_reason_line, degraded_line, duplicate_line, local_array, reason_line,
};
pub use sticky::Sticky;
pub use window_cursor::WindowCursor;

use crate::sim::{Bottleneck, BreakerState, EdgeStats, FailureReason, NodeLive, Simulation, Stats, TargetOut};

/// How a node is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeStatus {
    Down,
    Up(HeatLevel),
}

/// The state of one node for drawing, indexed like the simulation's nodes.
#[derive(Debug, Clone, Default)]
pub struct NodeView {
    pub live: Option<NodeLive>,
    /// The last complete window.
    pub recent: Option<Stats>,
    pub heat: Heat,
    pub reasons: ReasonTally,
    cursor: WindowCursor,
    /// The open window as last sampled, and the simulated time of the sample.
    open: Option<(f64, Stats)>,
}

impl NodeView {
    /// One source of truth for the node's tint: down, or the worse of its
    /// smoothed utilisation level and the share failing at the node itself.
    pub fn status(&self) -> NodeStatus {
        if self.live.as_ref().is_some_and(|l| l.down) {
            return NodeStatus::Down;
        }
        let errors = self
            .recent
            .as_ref()
            .map_or(0.0, |s| if s.arrivals > 0 { s.failures.local() as f64 / s.arrivals as f64 } else { 0.0 });
        NodeStatus::Up(self.heat.level().max(error_level(errors)))
    }

    /// Requests waiting now, if the node has a waiting line.
    pub fn queue_badge(&self) -> Option<u32> {
        self.live.as_ref().filter(|l| l.workers.is_some() || l.queue_capacity.is_some()).map(|l| l.queue_len)
    }

    /// Share of the node's answers that were failures in the last window.
    pub fn error_ratio(&self) -> f64 {
        self.recent.as_ref().map_or(0.0, |s| s.error_ratio)
    }

    /// Share of the node's answers that a fallback gave (degraded, not
    /// failed) in the last window.
    pub fn degraded_ratio(&self) -> f64 {
        self.recent.as_ref().map_or(0.0, |s| s.degraded_ratio)
    }
}

/// Traffic over one edge, indexed like the simulation's edges.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct EdgeFlow {
    /// Requests per simulated second, smoothed.
    pub rate_rps: f64,
    pub error_ratio: f64,
    /// Where the edge's circuit breaker is now (`None`: no breaker).
    pub breaker: Option<BreakerState>,
    /// For an edge out of a load balancer: why the balancer sends nothing
    /// over it now, if it does not (its target marked down or ejected).
    pub target_out: Option<TargetOut>,
    /// Calls the caller stopped waiting for, since the warm-up: the edge's
    /// timeout, or a client's own on its target edge.
    pub timeouts: u64,
    /// Calls the edge's retry policy sent again, since the warm-up.
    pub retries: u64,
    /// Failed calls the edge's retry budget allowed no retry for.
    pub retries_denied: u64,
    /// Calls the edge's open breaker failed fast, since the warm-up.
    pub breaker_open: u64,
    /// Failed calls the edge's fallback answered instead (degraded
    /// answers), since the warm-up.
    pub fallbacks: u64,
    /// Calls the edge's bulkhead refused at once, since the warm-up.
    pub bulkhead_full: u64,
    /// For an edge with a bulkhead: its calls in flight now, and its cap
    /// (`max_concurrent`).
    pub bulkhead: Option<(u32, u32)>,
    /// For a bulkhead whose calls wait for a place (`bulkhead_wait_ms`):
    /// the calls in its line now.
    pub bulkhead_waiting: Option<u32>,
    /// For an edge that hedges: the copies it sent and the copies that
    /// answered first, since the warm-up.
    pub hedges: Option<(u64, u64)>,
    /// For an edge with payload sizes: its bytes and, with a bandwidth,
    /// how busy each way was, over the last complete window.
    pub link: Option<LinkFlow>,
}

/// What crossed a link with payload sizes in the last complete window.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LinkFlow {
    /// Bytes per second, both ways.
    pub bytes_per_s: f64,
    /// With a bandwidth: the share of the window each way was sending.
    pub forward_busy: Option<f64>,
    pub back_busy: Option<f64>,
}

/// Failures that appeared at a node since the last frame, for the log.
#[derive(Debug, Clone, PartialEq)]
pub struct FailureBurst {
    pub node: usize,
    pub reason: FailureReason,
    pub count: u64,
    /// The simulated time of the window they happened in.
    pub at_s: f64,
}

/// Wall seconds between two looks at the still-open windows (each look
/// computes latency percentiles, so not every frame).
const SAMPLE_EVERY_S: f64 = 0.1;
/// Time constant of the edge-rate smoothing, wall seconds.
const EDGE_SMOOTHING_S: f64 = 0.25;

/// Everything the canvas draws about the live simulation.
#[derive(Debug, Clone, Default)]
pub struct LiveView {
    pub nodes: Vec<NodeView>,
    pub edges: Vec<EdgeFlow>,
    /// End to end over the open window once it covers half a window, else
    /// the last complete one (sampled a few times a second).
    pub end_to_end: Option<Stats>,
    /// What the design costs an hour now, at the scenario's pricing.
    pub cost_per_hour: f64,
    /// Whether that pricing is the illustrative default.
    pub illustrative_prices: bool,
    /// The bottleneck's name, steadied over windows.
    bottleneck_name: Sticky<String>,
    /// The latest explanation for that name.
    bottleneck: Option<Bottleneck>,
    windows_seen: u64,
    since_sample_s: f64,
    sampled_at_ns: u64,
    /// Simulated time at the last update, to notice a step while paused.
    updated_at_ns: u64,
}

impl LiveView {
    pub fn new(sim: &Simulation) -> Self {
        let cursor = WindowCursor::starting_at(sim.series());
        let mut view = LiveView {
            nodes: (0..sim.node_count()).map(|_| NodeView { cursor, ..NodeView::default() }).collect(),
            edges: vec![EdgeFlow::default(); sim.edge_count()],
            end_to_end: None,
            cost_per_hour: 0.0,
            illustrative_prices: true,
            bottleneck_name: Sticky::new(2, 3),
            bottleneck: None,
            windows_seen: windows_closed(sim),
            since_sample_s: SAMPLE_EVERY_S,
            sampled_at_ns: u64::MAX,
            updated_at_ns: 0,
        };
        view.update(sim, 0.0, false);
        view
    }

    /// The bottleneck of the recent windows, if one stands out.
    pub fn bottleneck(&self) -> Option<&Bottleneck> {
        self.bottleneck.as_ref().filter(|b| self.bottleneck_name.get() == Some(&b.node))
    }

    /// Brings the view up to date; `running` is false while paused, when
    /// nothing decays. Returns the failures that appeared since last time.
    pub fn update(&mut self, sim: &Simulation, wall_dt_s: f64, running: bool) -> Vec<FailureBurst> {
        let series = sim.series();
        let last = series.last();
        // Paused, the tint stands still, unless the simulation was stepped:
        // then it takes the new state as if a second had passed.
        let stepped = !running && sim.now().0 != self.updated_at_ns;
        self.updated_at_ns = sim.now().0;
        let smoothing_dt = if running {
            wall_dt_s
        } else if stepped {
            1.0
        } else {
            0.0
        };
        let window_s = sim.scenario().window_s.max(1e-9);
        let last_end_s = last.map_or(0.0, |f| f.end_s);
        for (i, view) in self.nodes.iter_mut().enumerate() {
            view.live = sim.node_live(i);
            // The open window once it covers half a window (sampled a few
            // times a second), so the numbers do not lag a whole window
            // behind; before that, the last complete one.
            view.recent = match &view.open {
                Some((at_s, s)) if *at_s > last_end_s && s.duration_s >= 0.5 * window_s => Some(s.clone()),
                _ => last.and_then(|f| f.nodes.get(i).cloned()),
            };
            if let Some(live) = &view.live {
                // The last complete window's average is steadier than the
                // workers busy at this instant (a pool of 4 jumps by 25 %);
                // before the first window closes, the instant is all there is.
                let instant = match live.workers {
                    Some(w) if w > 0 && !live.down => f64::from(live.busy) / f64::from(w),
                    _ => 0.0,
                };
                let u = view.recent.as_ref().and_then(|s| s.utilisation).unwrap_or(instant);
                if running || stepped || view.heat.smoothed() == 0.0 {
                    view.heat.update(u, smoothing_dt);
                }
            }
            view.reasons.expire(sim.now().as_secs());
        }
        let alpha = if running { 1.0 - (-wall_dt_s / EDGE_SMOOTHING_S).exp() } else { 1.0 };
        // The open window blended with the last complete one: a sliding
        // window of one window's length, fresh and without jitter.
        let open_s = (sim.now().as_secs() - last_end_s).clamp(0.0, window_s);
        self.cost_per_hour = sim.cost_per_hour_now();
        self.illustrative_prices = sim.scenario().pricing == crate::scenario::Pricing::default();
        for (e, flow) in self.edges.iter_mut().enumerate() {
            let open = sim.edge_current_window(e).unwrap_or_default();
            let (rate, err) = blend_edge(last.and_then(|f| f.edges.get(e)), &open, open_s, window_s);
            flow.rate_rps += alpha * (rate - flow.rate_rps);
            flow.error_ratio = err;
            flow.breaker = sim.edge_breaker_state(e);
            flow.target_out = sim.balancer_target_out(e);
            let counts = sim.edge_policy_counts(e).unwrap_or_default();
            flow.timeouts = counts.timeouts;
            flow.retries = counts.retries;
            flow.retries_denied = counts.retries_denied;
            flow.breaker_open = counts.breaker_open;
            flow.fallbacks = counts.fallbacks;
            flow.bulkhead_full = counts.bulkhead_full;
            let spec = sim.scenario().edges.get(e);
            flow.bulkhead = spec.and_then(|s| s.max_concurrent).map(|cap| (counts.in_flight, cap));
            flow.bulkhead_waiting = spec.and_then(|s| s.max_concurrent.and(s.bulkhead_wait_ms)).map(|_| counts.waiting);
            flow.hedges = spec.and_then(|s| s.hedge).map(|_| (counts.hedges, counts.hedges_won));
            let sized = spec.is_some_and(|s| s.request_kb.is_some() || s.response_kb.is_some());
            flow.link = sized.then(|| {
                let window = last.and_then(|f| f.edges.get(e)).copied().unwrap_or_default();
                LinkFlow {
                    bytes_per_s: (window.request_bytes + window.response_bytes) as f64 / window_s.max(1e-9),
                    forward_busy: window.forward_utilisation,
                    back_busy: window.back_utilisation,
                }
            });
        }

        let closed = windows_closed(sim);
        if closed != self.windows_seen {
            self.windows_seen = closed;
            let latest = sim.recent_bottleneck();
            self.bottleneck_name.feed(latest.as_ref().map(|b| b.node.clone()));
            if let Some(b) = latest
                && self.bottleneck_name.get() == Some(&b.node)
            {
                self.bottleneck = Some(b);
            }
        }

        // New failures, from the open windows now and then.
        self.since_sample_s += wall_dt_s;
        let now_ns = sim.now().0;
        if now_ns == self.sampled_at_ns || (running && self.since_sample_s < SAMPLE_EVERY_S) {
            return Vec::new();
        }
        self.since_sample_s = 0.0;
        self.sampled_at_ns = now_ns;
        let open_e2e = sim.end_to_end_current_window();
        self.end_to_end = if open_e2e.duration_s >= 0.5 * window_s || last.is_none() {
            Some(open_e2e).filter(|s| s.arrivals > 0)
        } else {
            last.map(|f| f.end_to_end.clone())
        };
        let mut bursts = Vec::new();
        for (i, view) in self.nodes.iter_mut().enumerate() {
            let open_stats = sim.node_current_window(i);
            let open = open_stats.as_ref().map(local_array).unwrap_or_default();
            view.open = open_stats.map(|s| (sim.now().as_secs(), s));
            for (at_s, new) in view.cursor.take_new_timed(series, i, &open, sim.now().as_secs()) {
                view.reasons.add(at_s, &new);
                for r in FailureReason::ALL {
                    if new[r.index()] > 0 {
                        bursts.push(FailureBurst { node: i, reason: r, count: new[r.index()], at_s });
                    }
                }
            }
            view.reasons.expire(sim.now().as_secs());
        }
        bursts
    }
}

/// Rate and failure share over the last `window_s` seconds: the open
/// window (`open_s` seconds long) plus the matching tail of the last
/// complete window, assumed even.
pub fn blend_edge(last: Option<&EdgeStats>, open: &EdgeStats, open_s: f64, window_s: f64) -> (f64, f64) {
    let f = (open_s / window_s).clamp(0.0, 1.0);
    let (sent, failed, span) = match last {
        Some(l) => {
            (open.sent as f64 + l.sent as f64 * (1.0 - f), open.failed as f64 + l.failed as f64 * (1.0 - f), window_s)
        }
        None => (open.sent as f64, open.failed as f64, open_s),
    };
    if span <= 0.0 || sent <= 0.0 {
        return (0.0, 0.0);
    }
    (sent / span, (failed / sent).clamp(0.0, 1.0))
}

fn windows_closed(sim: &Simulation) -> u64 {
    sim.series().dropped + sim.series().len() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::default_scenario;
    use crate::sim::SimTime;

    #[test]
    fn a_healthy_run_is_calm_and_a_crash_is_down() {
        let mut sim = Simulation::new(&default_scenario()).expect("builds");
        let mut view = LiveView::new(&sim);
        for k in 1..=60 {
            sim.run_until(SimTime::from_secs(f64::from(k) * 0.1));
            view.update(&sim, 1.0 / 60.0, true);
        }
        let app = sim.node_index("app-1").expect("app-1");
        assert_eq!(view.nodes[app].status(), NodeStatus::Up(HeatLevel::Calm));
        assert!(view.edges.iter().all(|e| e.rate_rps > 0.0), "{:?}", view.edges);
        sim.crash_node(app);
        view.update(&sim, 1.0 / 60.0, true);
        assert_eq!(view.nodes[app].status(), NodeStatus::Down);
    }

    #[test]
    fn a_saturated_database_turns_hot_names_its_reason_and_is_the_bottleneck() {
        let mut scenario = default_scenario();
        let db = scenario.node_index("db").expect("db");
        if let crate::scenario::NodeKind::Database(d) = &mut scenario.nodes[db].kind {
            d.connections = 2;
            d.queue_capacity = Some(10);
        }
        let mut sim = Simulation::new(&scenario).expect("builds");
        let mut view = LiveView::new(&sim);
        let mut bursts = Vec::new();
        for k in 1..=300 {
            sim.run_until(SimTime::from_secs(f64::from(k) * 0.02));
            bursts.extend(view.update(&sim, 0.1, true));
        }
        assert_eq!(view.nodes[db].status(), NodeStatus::Up(HeatLevel::Hot));
        assert!(view.nodes[db].reasons.top(3).iter().any(|(r, _)| *r == FailureReason::Rejected));
        assert!(bursts.iter().any(|b| b.node == db && b.reason == FailureReason::Rejected));
        assert_eq!(view.bottleneck().map(|b| b.node.as_str()), Some("db"));
    }

    /// The canvas names a rate limiter's refusals by their label under
    /// the node that refused them.
    #[test]
    fn a_rate_limited_database_names_its_refusals_under_it() {
        let scenario = crate::scenario::bundled("rate-limiter-protects-database")
            .and_then(|b| b.load().ok())
            .expect("bundled and valid");
        let db = scenario.node_index("db").expect("db");
        let mut sim = Simulation::new(&scenario).expect("builds");
        let mut view = LiveView::new(&sim);
        let mut bursts = Vec::new();
        for k in 1..=150 {
            sim.run_until(SimTime::from_secs(20.0 + f64::from(k) * 0.02));
            bursts.extend(view.update(&sim, 0.1, true));
        }
        let top = view.nodes[db].reasons.top(1);
        assert_eq!(top.first().map(|(r, _)| *r), Some(FailureReason::RateLimited), "{top:?}");
        assert!(bursts.iter().any(|b| b.node == db && b.reason == FailureReason::RateLimited));
        assert_eq!(super::reasons::reason_line(FailureReason::RateLimited, 12), "rate limited ×12 in 10 s");
    }

    /// While the recommendations service is slow, the shop answers from
    /// its fallback: the canvas counts those answers as degraded, under
    /// the shop and on its edge to recommendations, and never as a reason
    /// the shop failed.
    #[test]
    fn a_fallback_answers_show_as_degraded_not_as_failures() {
        let scenario =
            crate::scenario::bundled("breaker-stops-a-cascade").and_then(|b| b.load().ok()).expect("bundled and valid");
        let shop = scenario.node_index("shop").expect("shop");
        let recs = scenario.edges.iter().position(|e| e.from == "shop" && e.to == "recs").expect("shop calls recs");
        let mut sim = Simulation::new(&scenario).expect("builds");
        sim.run_until(SimTime::from_secs(38.0));
        let mut view = LiveView::new(&sim);
        for k in 1..=100 {
            sim.run_until(SimTime::from_secs(38.0 + f64::from(k) * 0.05));
            view.update(&sim, 0.1, true);
        }
        let node = &view.nodes[shop];
        assert!(node.reasons.degraded() > 500, "{}", node.reasons.degraded());
        assert!(node.degraded_ratio() > 0.9, "{}", node.degraded_ratio());
        assert!(node.error_ratio() < 0.01, "{}", node.error_ratio());
        let report = sim.report();
        assert!(view.edges[recs].fallbacks > 0);
        assert_eq!(view.edges[recs].fallbacks, report.edges[recs].fallbacks, "the count the report has");
    }

    #[test]
    fn a_spike_shows_on_the_edges_within_the_window_it_starts_in() {
        let mut sim = Simulation::new(&default_scenario()).expect("builds");
        let mut view = LiveView::new(&sim);
        let mut t = 0.0;
        let mut run_to = |sim: &mut Simulation, view: &mut LiveView, until: f64| {
            while t < until - 1e-9 {
                t += 0.05;
                sim.run_until(SimTime::from_secs(t));
                view.update(sim, 0.05, true);
            }
        };
        run_to(&mut sim, &mut view, 3.0);
        let before = view.edges[0].rate_rps;
        let users = sim.node_index("users").expect("users");
        sim.spike(users, 4.0, 10.0);
        // 0.7 s into the window: the last complete window alone still says
        // "no spike"; the blend already shows most of it.
        run_to(&mut sim, &mut view, 3.7);
        assert!(view.edges[0].rate_rps > 2.0 * before, "{before} -> {}", view.edges[0].rate_rps);
        assert!(view.end_to_end.as_ref().is_some_and(|s| s.arrival_rate_rps > 2.0 * before));
    }

    #[test]
    fn edge_rates_blend_the_open_window_with_the_last() {
        let last = EdgeStats { sent: 100, failed: 0, rate_rps: 100.0, error_ratio: 0.0, ..EdgeStats::default() };
        // A quarter into the next window, traffic doubled: 50 sent.
        let open = EdgeStats { sent: 50, failed: 50, rate_rps: 200.0, error_ratio: 1.0, ..EdgeStats::default() };
        let (rate, err) = blend_edge(Some(&last), &open, 0.25, 1.0);
        assert!((rate - 125.0).abs() < 1e-9, "{rate}");
        assert!((err - 0.4).abs() < 1e-9, "{err}");
        // Before any window closes, the open one alone.
        assert_eq!(blend_edge(None, &open, 0.25, 1.0), (200.0, 1.0));
        assert_eq!(blend_edge(None, &EdgeStats::default(), 0.0, 1.0), (0.0, 0.0));
    }

    #[test]
    fn depths_follow_the_longest_path() {
        let s = default_scenario();
        let sim = Simulation::new(&s).expect("valid");
        let d = sim.call_depths();
        assert_eq!(d[s.node_index("users").expect("users")], 0);
        assert_eq!(d[s.node_index("db").expect("db")], 4);
    }
}
