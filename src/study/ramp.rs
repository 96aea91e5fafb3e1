//! A load ramp: "what happens at 100× traffic".
//!
//! Every client's load is multiplied by each factor of a [`RampSpec`] in
//! turn (an open-loop client's rate — Poisson, constant, both rates of a
//! bursty one —, a closed-loop client's users, rounded, at least one); each
//! step is a fresh run of that copy of the scenario, with the same seed (so
//! the steps share their random numbers and differ only by the load),
//! warmed up and run to `duration_s`, and its [`Report`] is boiled down to
//! a [`RampStep`]. Traffic profiles, faults and everything else stay as they
//! are: a spike in the file is a spike at every step, scaled with the rest.
//!
//! [`summarise`] then finds, for each node, the first step at which its
//! utilisation reaches the threshold ([`Saturation`]), and the **knee**:
//! the first step where any node saturates or more than `error_limit` of
//! the requests fail, with the node that broke first and why.

use serde::{Deserialize, Serialize};

use crate::scenario::{Arrivals, ComponentKind, NodeKind, Scenario, ValidScenario};
use crate::sim::{Bottleneck, Report, SimTime, Simulation};

/// Utilisation from which a node counts as saturated: the engine's own
/// bottleneck rule (`SATURATED` in `sim::report`).
pub const DEFAULT_THRESHOLD: f64 = 0.85;

/// Share of failed requests from which a step counts as broken.
pub const DEFAULT_ERROR_LIMIT: f64 = 0.01;

/// Most steps a ramp may have.
pub const MAX_STEPS: usize = 100;

/// What to run: the load factors, and how long each step runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RampSpec {
    /// Multipliers of every client's load, one step each, in order.
    pub factors: Vec<f64>,
    /// Simulated seconds each step runs (its warm-up included).
    pub duration_s: f64,
    /// Simulated seconds at the start of each step left out of its figures.
    pub warmup_s: f64,
    /// Utilisation from which a node counts as saturated.
    pub threshold: f64,
    /// Share of failed requests from which a step counts as broken.
    pub error_limit: f64,
}

impl RampSpec {
    /// `steps` factors growing geometrically from 1× to `to`× (both
    /// included), with the default threshold and error limit.
    pub fn geometric(to: f64, steps: usize, duration_s: f64, warmup_s: f64) -> Result<RampSpec, RampError> {
        if !(to.is_finite() && to > 0.0) {
            return Err(RampError::BadFactor { factor: to });
        }
        if !(2..=MAX_STEPS).contains(&steps) {
            return Err(RampError::BadSteps { steps });
        }
        let last = (steps - 1) as f64;
        let factors = (0..steps).map(|i| if i + 1 == steps { to } else { to.powf(i as f64 / last) }).collect();
        let spec =
            RampSpec { factors, duration_s, warmup_s, threshold: DEFAULT_THRESHOLD, error_limit: DEFAULT_ERROR_LIMIT };
        spec.check()?;
        Ok(spec)
    }

    /// The number of steps a ramp to `to`× takes by default: about six a
    /// decade (each step ×1.5), between 2 and 16.
    pub fn default_steps(to: f64) -> usize {
        let decades = if to.is_finite() && to > 0.0 { to.log10().abs() } else { 1.0 };
        ((decades * 6.0).ceil() as usize + 1).clamp(2, 16)
    }

    /// Checks the spec itself (the scenario at each factor is checked when
    /// its step runs).
    pub fn check(&self) -> Result<(), RampError> {
        if self.factors.is_empty() || self.factors.len() > MAX_STEPS {
            return Err(RampError::BadSteps { steps: self.factors.len() });
        }
        if let Some(&factor) = self.factors.iter().find(|f| !(f.is_finite() && **f > 0.0)) {
            return Err(RampError::BadFactor { factor });
        }
        if !(self.duration_s.is_finite()
            && self.duration_s > 0.0
            && self.warmup_s.is_finite()
            && self.warmup_s >= 0.0
            && self.warmup_s < self.duration_s)
        {
            return Err(RampError::BadDuration { duration_s: self.duration_s, warmup_s: self.warmup_s });
        }
        if !(self.threshold.is_finite() && self.threshold > 0.0) {
            return Err(RampError::BadThreshold { threshold: self.threshold });
        }
        if !(0.0..=1.0).contains(&self.error_limit) {
            return Err(RampError::BadErrorLimit { error_limit: self.error_limit });
        }
        Ok(())
    }
}

/// Why a ramp could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RampError {
    #[error("a ramp needs between 2 and {MAX_STEPS} steps, got {steps}")]
    BadSteps { steps: usize },
    #[error("a load factor must be a number above 0, got {factor}")]
    BadFactor { factor: f64 },
    #[error("each step must run more than 0 s and longer than its warm-up (run {duration_s} s, warm-up {warmup_s} s)")]
    BadDuration { duration_s: f64, warmup_s: f64 },
    #[error("the saturation threshold must be above 0, got {threshold}")]
    BadThreshold { threshold: f64 },
    #[error("the error limit must be a share between 0 and 1, got {error_limit}")]
    BadErrorLimit { error_limit: f64 },
    /// The scenario at this factor is not valid: most often a multiplied
    /// rate above the limits (`docs/scenario-format.md`, "Limits").
    #[error("at {} the scenario is not valid: {}", factor_label(*.factor), .problems.join("; "))]
    InvalidStep { factor: f64, problems: Vec<String> },
}

/// One node's load at one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeLoad {
    pub node: String,
    pub kind: ComponentKind,
    /// Busy share of its pool; `None` for a node without one. For a
    /// sharded database, its busiest shard's: a hot shard saturates while
    /// the node's average says it has room, and the ramp must see it.
    pub utilisation: Option<f64>,
    /// Share of the attempts it saw that failed (there or below it).
    pub error_ratio: f64,
}

/// What one step of the ramp measured (since its warm-up).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RampStep {
    /// The multiplier of every client's load.
    pub factor: f64,
    /// The open-loop clients' base rates at this factor, requests/s
    /// (0 when every client is closed-loop).
    pub nominal_rps: f64,
    /// Requests the clients made per second, as measured.
    pub offered_rps: f64,
    /// Requests answered successfully per second, end to end.
    pub throughput_rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Share of requests that failed, end to end.
    pub error_ratio: f64,
    /// What the design cost an hour at this load (the scenario's pricing).
    pub cost_per_hour_usd: f64,
    /// Every node but the clients, in the scenario's order.
    pub nodes: Vec<NodeLoad>,
    /// The engine's bottleneck of this step, if any.
    pub bottleneck: Option<Bottleneck>,
}

impl RampStep {
    /// The node with the highest utilisation, and that utilisation.
    pub fn busiest(&self) -> Option<(&NodeLoad, f64)> {
        self.nodes.iter().filter_map(|n| n.utilisation.map(|u| (n, u))).max_by(|(_, a), (_, b)| a.total_cmp(b))
    }
}

/// The first step at which a node's utilisation reached the threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Saturation {
    pub node: String,
    /// Position of the step in [`RampResult::steps`].
    pub step: usize,
    pub factor: f64,
    pub offered_rps: f64,
    pub utilisation: f64,
}

/// What made the knee's step the knee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KneeCause {
    /// A node's utilisation reached the threshold.
    Saturation,
    /// More than the error limit of the requests failed.
    Errors,
}

/// The first step where the design stops coping, and what broke first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Knee {
    /// Position of the step in [`RampResult::steps`].
    pub step: usize,
    pub factor: f64,
    pub offered_rps: f64,
    pub cause: KneeCause,
    /// The node that broke first, when one can be named.
    pub node: Option<String>,
    /// The evidence, as a sentence without the node's name.
    pub why: String,
}

/// A whole ramp: every step, where each node saturated, the knee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RampResult {
    pub scenario: String,
    pub seed: u64,
    pub duration_s: f64,
    pub warmup_s: f64,
    pub threshold: f64,
    pub error_limit: f64,
    pub steps: Vec<RampStep>,
    /// Nodes in the order they saturated (the first step each reached the threshold).
    pub saturation: Vec<Saturation>,
    pub knee: Option<Knee>,
}

/// A copy of `scenario` with every client's load multiplied by `factor`
/// and the spec's run length and warm-up.
pub fn scaled_scenario(scenario: &Scenario, factor: f64, spec: &RampSpec) -> Scenario {
    let mut copy = scenario.clone();
    copy.duration_s = spec.duration_s;
    copy.warmup_s = spec.warmup_s;
    for node in &mut copy.nodes {
        if let NodeKind::Client(client) = &mut node.kind {
            match &mut client.arrivals {
                Arrivals::Poisson { rate } | Arrivals::Constant { rate } => *rate *= factor,
                Arrivals::Bursty { rate_on, rate_off, .. } => {
                    *rate_on *= factor;
                    *rate_off *= factor;
                }
                Arrivals::Closed { users, .. } => {
                    let scaled = (f64::from(*users) * factor).round();
                    // Past u32 validation refuses it anyway; saturate.
                    *users = if scaled >= f64::from(u32::MAX) { u32::MAX } else { (scaled as u32).max(1) };
                }
            }
        }
    }
    copy
}

/// A load factor as `×` and up to three significant digits, trailing
/// zeros dropped: `1×`, `1.47×`, `21.5×`, `100×` (the CLI and the app
/// both write it so).
pub fn factor_label(f: f64) -> String {
    let decimals = match f.abs() {
        v if v >= 100.0 => 0,
        v if v >= 10.0 => 1,
        _ => 2,
    };
    let text = format!("{f:.decimals$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    format!("{text}×")
}

/// Events a step runs between two questions to its `keep_going` in
/// [`run_step_while`]: a few milliseconds of the engine's work in a release
/// build, a few tens in a debug one. A slice of events rather than of
/// simulated time, because a simulated second at 100× the load is 100
/// times the work: the wait after a cancel stays short at every step.
pub const STEP_SLICE_EVENTS: u64 = 20_000;

/// Runs one step: the scenario at `factor`, to the spec's duration.
pub fn run_step(scenario: &Scenario, factor: f64, spec: &RampSpec) -> Result<RampStep, RampError> {
    let (mut sim, nominal_rps) = step_simulation(scenario, factor, spec)?;
    sim.run_until(SimTime::from_secs(spec.duration_s));
    Ok(step_of(factor, nominal_rps, &sim.report()))
}

/// Runs one step like [`run_step`], asking `keep_going` before each slice
/// of [`STEP_SLICE_EVENTS`] events, and gives up with `Ok(None)` at its
/// first `false`: a caller on another thread can cancel a long step within
/// a fraction of a second (the study owns no thread: the caller decides
/// what `keep_going` reads, a flag or a deadline). Cutting the run into
/// slices does not change its numbers: the engine processes the same
/// events in the same order however its run is cut.
pub fn run_step_while(
    scenario: &Scenario,
    factor: f64,
    spec: &RampSpec,
    keep_going: &dyn Fn() -> bool,
) -> Result<Option<RampStep>, RampError> {
    let (mut sim, nominal_rps) = step_simulation(scenario, factor, spec)?;
    let until = SimTime::from_secs(spec.duration_s);
    while sim.now() < until {
        if !keep_going() {
            return Ok(None);
        }
        sim.run_until_bounded(until, STEP_SLICE_EVENTS);
    }
    Ok(Some(step_of(factor, nominal_rps, &sim.report())))
}

/// The simulation of the scenario at `factor`, not yet run, and the
/// open-loop clients' base rate at that factor.
fn step_simulation(scenario: &Scenario, factor: f64, spec: &RampSpec) -> Result<(Simulation, f64), RampError> {
    let scaled = scaled_scenario(scenario, factor, spec);
    let nominal_rps = scaled.open_loop_rate();
    let valid = ValidScenario::new(scaled).map_err(|problems| RampError::InvalidStep {
        factor,
        problems: problems.into_iter().map(|p| p.message).collect(),
    })?;
    Ok((Simulation::from_valid(valid), nominal_rps))
}

/// Boils a step's report down to what the ramp shows.
fn step_of(factor: f64, nominal_rps: f64, report: &Report) -> RampStep {
    let offered_rps =
        report.nodes.iter().filter(|n| n.kind == ComponentKind::Client).map(|n| n.stats.arrival_rate_rps).sum();
    let e2e = &report.end_to_end;
    RampStep {
        factor,
        nominal_rps,
        offered_rps,
        throughput_rps: e2e.throughput_rps,
        p50_ms: e2e.latency.p50_ms,
        p99_ms: e2e.latency.p99_ms,
        error_ratio: e2e.error_ratio,
        cost_per_hour_usd: report.cost.per_hour_usd,
        nodes: report
            .nodes
            .iter()
            .filter(|n| n.kind != ComponentKind::Client)
            .map(|n| NodeLoad {
                node: n.id.clone(),
                kind: n.kind,
                utilisation: busiest_part(n),
                error_ratio: n.stats.error_ratio,
            })
            .collect(),
        bottleneck: report.bottleneck.clone(),
    }
}

/// A node's utilisation as the ramp judges saturation: its own, or its
/// busiest shard's when it is a sharded database.
fn busiest_part(node: &crate::sim::NodeReport) -> Option<f64> {
    let hottest = node.shards.iter().map(|s| s.utilisation).max_by(f64::total_cmp);
    match (node.stats.utilisation, hottest) {
        (Some(u), Some(h)) => Some(u.max(h)),
        (u, h) => u.or(h),
    }
}

/// Checks every step's scaled scenario before any runs: a ramp past the
/// limits fails at once, not after its cheaper steps ran for nothing.
pub fn check_steps(scenario: &Scenario, spec: &RampSpec) -> Result<(), RampError> {
    for &factor in &spec.factors {
        if let Err(problems) = ValidScenario::new(scaled_scenario(scenario, factor, spec)) {
            return Err(RampError::InvalidStep { factor, problems: problems.into_iter().map(|p| p.message).collect() });
        }
    }
    Ok(())
}

/// Runs every step of `spec` in order. `progress(done, total)` is called
/// before the first step (`done` = 0) and after each.
pub fn run_ramp(
    scenario: &Scenario,
    spec: &RampSpec,
    mut progress: impl FnMut(usize, usize),
) -> Result<RampResult, RampError> {
    spec.check()?;
    check_steps(scenario, spec)?;
    let total = spec.factors.len();
    progress(0, total);
    let mut steps = Vec::with_capacity(total);
    for (i, &factor) in spec.factors.iter().enumerate() {
        steps.push(run_step(scenario, factor, spec)?);
        progress(i + 1, total);
    }
    Ok(summarise(scenario, spec, steps))
}

/// The saturation points and the knee of steps already run.
pub fn summarise(scenario: &Scenario, spec: &RampSpec, steps: Vec<RampStep>) -> RampResult {
    let mut saturation: Vec<Saturation> = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        for node in &step.nodes {
            if let Some(u) = node.utilisation
                && u >= spec.threshold
                && !saturation.iter().any(|s| s.node == node.node)
            {
                saturation.push(Saturation {
                    node: node.node.clone(),
                    step: i,
                    factor: step.factor,
                    offered_rps: step.offered_rps,
                    utilisation: u,
                });
            }
        }
    }
    let knee = steps.iter().enumerate().find_map(|(i, step)| knee_at(i, step, spec));
    RampResult {
        scenario: scenario.name.clone(),
        seed: scenario.seed,
        duration_s: spec.duration_s,
        warmup_s: spec.warmup_s,
        threshold: spec.threshold,
        error_limit: spec.error_limit,
        steps,
        saturation,
        knee,
    }
}

/// The knee, if `step` is one: a node at or above the threshold, or too
/// many failed requests.
fn knee_at(index: usize, step: &RampStep, spec: &RampSpec) -> Option<Knee> {
    let saturated: Vec<(&NodeLoad, f64)> =
        step.nodes.iter().filter_map(|n| n.utilisation.filter(|u| *u >= spec.threshold).map(|u| (n, u))).collect();
    let failing = step.error_ratio > spec.error_limit;
    if saturated.is_empty() && !failing {
        return None;
    }
    let errors = format!("{} of requests failed", percent(step.error_ratio));
    // The engine's bottleneck is the saturated or failing node furthest
    // downstream: a blocking caller of a slow node saturates too, but the
    // cause is below it. Else the busiest saturated node.
    let (cause, node, mut why) = match (&step.bottleneck, saturated.first()) {
        (Some(b), _) if failing || saturated.iter().any(|(n, _)| n.node == b.node) => {
            let cause = if saturated.is_empty() { KneeCause::Errors } else { KneeCause::Saturation };
            (cause, Some(b.node.clone()), b.facts().join("; "))
        }
        (_, Some(_)) => {
            let (n, u) =
                saturated.iter().max_by(|(_, a), (_, b)| a.total_cmp(b)).copied().expect("saturated is not empty here");
            (KneeCause::Saturation, Some(n.node.clone()), format!("{} of its pool busy on average", percent(u)))
        }
        (_, None) => (KneeCause::Errors, None, errors.clone()),
    };
    if why.is_empty() {
        why.clone_from(&errors);
    } else if failing && why != errors {
        why = format!("{why}; {errors}");
    }
    Some(Knee { step: index, factor: step.factor, offered_rps: step.offered_rps, cause, node, why })
}

/// A ratio as a percentage with at most one decimal: `0.873` → `87.3 %`.
fn percent(ratio: f64) -> String {
    format!("{:.1} %", ratio * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometric_factors_run_from_one_to_the_target() {
        let spec = RampSpec::geometric(100.0, 5, 10.0, 1.0).expect("valid");
        assert_eq!(spec.factors.len(), 5);
        assert_eq!(spec.factors[0], 1.0);
        assert_eq!(spec.factors[4], 100.0);
        assert!((spec.factors[2] - 10.0).abs() < 1e-9);
        assert!(RampSpec::geometric(0.0, 5, 10.0, 1.0).is_err());
        assert!(RampSpec::geometric(10.0, 1, 10.0, 1.0).is_err());
        assert!(RampSpec::geometric(10.0, 5, 10.0, 10.0).is_err());
        let spec = RampSpec { error_limit: f64::NAN, ..RampSpec::geometric(10.0, 2, 10.0, 1.0).expect("valid") };
        assert!(matches!(spec.check(), Err(RampError::BadErrorLimit { .. })));
    }

    /// M/M/1 at 80 requests/s: about 2,000 events a simulated second.
    fn mm1() -> Scenario {
        crate::scenario::parse_scenario(
            r#"(
            name: "slices",
            seed: 9,
            duration_s: 20,
            nodes: [
                (id: "users", kind: Client(arrivals: Poisson(rate: 80))),
                (id: "server", kind: Service(workers: 1, service_time: Exponential(mean_ms: 10))),
            ],
            edges: [(from: "users", to: "server")],
        )"#,
            "slices.ron",
        )
        .expect("valid")
    }

    #[test]
    fn a_step_run_in_slices_measures_what_one_run_measures() {
        let scenario = mm1();
        let spec = RampSpec::geometric(10.0, 2, 60.0, 5.0).expect("valid");
        let asked = std::cell::Cell::new(0_u32);
        let sliced = run_step_while(&scenario, 10.0, &spec, &|| {
            asked.set(asked.get() + 1);
            true
        })
        .expect("runs")
        .expect("never cancelled");
        assert_eq!(sliced, run_step(&scenario, 10.0, &spec).expect("runs"));
        assert!(asked.get() > 5, "the run was cut into slices ({} asks)", asked.get());
    }

    #[test]
    fn a_step_stops_at_the_first_no_without_running_to_its_end() {
        let scenario = mm1();
        let spec = RampSpec::geometric(10.0, 2, 1_000_000.0, 5.0).expect("valid");
        let asked = std::cell::Cell::new(0_u32);
        let started = std::time::Instant::now();
        let step = run_step_while(&scenario, 10.0, &spec, &|| {
            asked.set(asked.get() + 1);
            asked.get() < 3
        })
        .expect("a valid step");
        assert_eq!(step, None, "cancelled");
        assert_eq!(asked.get(), 3, "two slices ran, then the third ask said no");
        // A million simulated seconds at 800/s would take hours.
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "{:?}", started.elapsed());
    }

    #[test]
    fn default_steps_are_about_six_a_decade() {
        assert_eq!(RampSpec::default_steps(100.0), 13);
        assert_eq!(RampSpec::default_steps(10.0), 7);
        assert_eq!(RampSpec::default_steps(1e6), 16);
        assert_eq!(RampSpec::default_steps(1.0), 2);
    }
}
