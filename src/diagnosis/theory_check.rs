//! Theory beside the simulation: for a node with a pool of workers, what
//! queueing theory predicts at the arrival rate and time per request the
//! run measured — M/M/c with Erlang C — next to what the simulation
//! measured, and in words why they differ when they do.
//!
//! The time per request is measured, not read from the file: the time a
//! request holds a worker (busy workers ÷ requests served, Little's law),
//! which for a service that waits for its calls includes their answers.
//! With it, theory answers "why does p99 explode at 85 % utilisation?": the
//! wait grows like C(c, a) ÷ (cμ − λ), and the curve is on screen.

use serde::Serialize;

use crate::scenario::{ComponentKind, DistributionSpec, NodeKind};
use crate::sim::{Stats, theory};

/// Relative difference from which a measured figure "differs" from theory.
const DIFFERS: f64 = 0.25;
/// Fewest requests served before a comparison means anything.
const MIN_SERVED: u64 = 200;
/// Most servers the model is computed for: the Erlang recursion is linear
/// in them and the inspector asks every frame; far beyond it a pool never
/// waits anyway.
const MAX_SERVERS: u64 = 10_000;

/// Which closed form theory used for a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TheoryModel {
    /// M/M/c with Erlang C: any number of workers, exponential work.
    ErlangC,
    /// M/G/1 by Pollaczek–Khinchine: one worker whose work time has a
    /// known variability; exact for the mean wait, and for constant work
    /// (M/D/1) the p99 too, by Erlang's waiting-time distribution.
    PollaczekKhinchine,
}

impl TheoryModel {
    /// "M/M/c (Erlang C)", for the inspector.
    pub fn label(self) -> &'static str {
        match self {
            TheoryModel::ErlangC => "M/M/c (Erlang C)",
            TheoryModel::PollaczekKhinchine => "M/G/1 (Pollaczek–Khinchine)",
        }
    }
}

/// What around a node bears on theory's assumptions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Surroundings {
    /// The node calls others: a worker also waits for their answers.
    pub makes_calls: bool,
    /// Retried attempts sent so far by the callers upstream of it
    /// (`Simulation::retries_upstream_of`).
    pub upstream_retries: u64,
}

/// Theory's prediction for one node and what was measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TheoryCheck {
    pub model: TheoryModel,
    /// Servers in the model: the node's workers (all instances').
    pub workers: u32,
    /// Requests per second offered to the node.
    pub arrival_rps: f64,
    /// Mean time a request holds a worker, ms (measured).
    pub hold_ms: f64,
    /// Offered load ÷ workers; 1 or more is overloaded.
    pub utilisation: f64,
    pub measured_utilisation: f64,
    /// `None` when overloaded: theory has no steady state then.
    pub wait_probability: Option<f64>,
    pub measured_wait_probability: Option<f64>,
    pub mean_wait_ms: Option<f64>,
    pub measured_mean_wait_ms: f64,
    /// The node's p99 time per request (wait plus hold), ms; `None` when
    /// overloaded, or for M/G/1 work other than constant (no closed form).
    pub p99_ms: Option<f64>,
    pub measured_p99_ms: f64,
    /// Why the figures differ, in words, when one does by more than a quarter.
    pub why_different: Vec<String>,
}

impl TheoryCheck {
    /// Whether a measured figure differs from theory by more than a quarter
    /// (or theory has no answer).
    pub fn differs(&self) -> bool {
        let off = |theory: Option<f64>, measured: f64| {
            theory.is_none_or(|t| (measured - t).abs() > DIFFERS * t.max(measured).max(1e-9))
        };
        let overloaded = self.mean_wait_ms.is_none();
        off(self.mean_wait_ms, self.measured_mean_wait_ms) && self.measured_mean_wait_ms > 1.0
            || (overloaded || self.p99_ms.is_some()) && off(self.p99_ms, self.measured_p99_ms)
    }
}

/// Theory beside the node `kind` whose measurements over a stretch are
/// `stats`; `None` for a node without a pool, or too few requests.
pub fn theory_check(kind: &NodeKind, stats: &Stats, around: Surroundings) -> Option<TheoryCheck> {
    let (per_instance, queue_capacity, service_time, instances) = match kind {
        NodeKind::Service(s) => {
            // An autoscaled service: the instances that served, on average.
            let ran = stats.instances.map_or(f64::from(s.instances.max(1)), |i| i.ready.max(1.0));
            (s.workers, s.queue_capacity, &s.service_time, ran.round().max(1.0) as u32)
        }
        NodeKind::Database(d) => (d.connections, d.queue_capacity, &d.query_time, 1),
        _ => return None,
    };
    let workers = u64::from(per_instance) * u64::from(instances);
    if workers > MAX_SERVERS {
        return None;
    }
    let workers = workers as u32;
    if kind.component() == ComponentKind::Database
        && let NodeKind::Database(d) = kind
        && (d.read_replicas > 0 || d.shards > 1)
    {
        // Reads spread over servers by rules theory here does not model.
        return None;
    }
    let f = &stats.failures;
    let turned_away = f.rejected + f.rate_limited + f.shed + f.node_down;
    let served = (stats.ok + stats.degraded + stats.failed).saturating_sub(turned_away);
    if served < MIN_SERVED || stats.duration_s <= 0.0 || workers == 0 {
        return None;
    }
    let served_rps = served as f64 / stats.duration_s;
    let hold_s = stats.mean_busy / served_rps;
    if hold_s.is_nan() || hold_s <= 0.0 {
        return None;
    }
    let lambda = stats.arrival_rate_rps;
    let mu = 1.0 / hold_s;
    let utilisation = lambda * hold_s / f64::from(workers);
    // One worker doing its own work (no calls to wait for) with a known
    // variability other than exponential: Pollaczek–Khinchine is exact.
    let single = workers == 1 && !around.makes_calls;
    let cv2 = squared_cv(service_time).filter(|cv2| single && (cv2 - 1.0).abs() > 1e-9);
    let (model, wait_probability, mean_wait_ms, p99_ms) = if let Some(cv2) = cv2 {
        {
            let stable = utilisation < 1.0;
            let second_moment = hold_s * hold_s * (1.0 + cv2);
            let wait = stable.then(|| 1_000.0 * theory::mg1_mean_wait(lambda, hold_s, second_moment));
            let p99 =
                (cv2 == 0.0).then(|| theory::md1_sojourn_quantile(lambda, hold_s, 0.99)).flatten().map(|t| t * 1_000.0);
            (TheoryModel::PollaczekKhinchine, stable.then_some(utilisation), wait, p99)
        }
    } else {
        {
            let wait_probability = theory::erlang_c_stable(workers, lambda / mu);
            let mean_wait_ms = wait_probability.map(|c| 1_000.0 * c / (f64::from(workers) * mu - lambda));
            let p99_ms = theory::mmc_sojourn_quantile(workers, lambda, mu, 0.99).map(|t| t * 1_000.0);
            (TheoryModel::ErlangC, wait_probability, mean_wait_ms, p99_ms)
        }
    };
    let mut check = TheoryCheck {
        model,
        workers,
        arrival_rps: lambda,
        hold_ms: hold_s * 1_000.0,
        utilisation,
        measured_utilisation: stats.utilisation.unwrap_or(0.0),
        wait_probability,
        measured_wait_probability: stats.wait_probability,
        mean_wait_ms,
        measured_mean_wait_ms: stats.mean_wait_ms,
        p99_ms,
        measured_p99_ms: stats.latency.p99_ms,
        why_different: Vec::new(),
    };
    if check.differs() {
        check.why_different = reasons(&check, stats, queue_capacity, service_time, instances, around, turned_away);
    }
    Some(check)
}

/// The likely reasons, most telling first.
fn reasons(
    check: &TheoryCheck,
    stats: &Stats,
    queue_capacity: Option<u32>,
    service_time: &DistributionSpec,
    instances: u32,
    around: Surroundings,
    turned_away: u64,
) -> Vec<String> {
    let mut out = Vec::new();
    if check.utilisation >= 1.0 {
        out.push(format!(
            "It is offered {:.0} % of what it can serve: theory has no steady state, the line only grows until \
             it is full",
            check.utilisation * 100.0
        ));
    }
    if turned_away > 0 {
        let share = turned_away as f64 / stats.arrivals.max(1) as f64;
        let why = if queue_capacity.is_some() { "its line is finite" } else { "it refused some" };
        out.push(format!(
            "{why}: {:.1} % were turned away, so fewer wait than in theory's unbounded line",
            share * 100.0
        ));
    }
    if instances > 1 {
        out.push(format!(
            "its {instances} instances split the traffic: each is a queue of its own (E/M/c under round robin), \
             which waits more than one pool of all the workers"
        ));
    }
    if around.upstream_retries > 0 {
        out.push(format!(
            "callers upstream retried {} attempts: retries come in bursts right after failures, not as Poisson \
             arrivals, and add load the offered rate does not show",
            around.upstream_retries
        ));
    }
    let shape_in_model = check.model == TheoryModel::PollaczekKhinchine;
    if let Some(cv2) = squared_cv(service_time).filter(|cv2| !shape_in_model && (cv2 - 1.0).abs() > 0.2) {
        let shape = if cv2 < 1.0 { "steadier" } else { "more variable" };
        let corrected = check.mean_wait_ms.map(|w| w * (1.0 + cv2) / 2.0);
        out.push(format!(
            "its work time is {shape} than exponential (cv² = {cv2:.2}), which Erlang C assumes{}",
            corrected.map_or(String::new(), |w| format!(
                "; the Allen–Cunneen correction (1 + cv²)/2 gives a mean wait of {w:.1} ms"
            ))
        ));
    }
    if around.makes_calls {
        out.push(
            "a worker also waits for this node's calls, whose time varies with what is behind them: the hold \
             time is not exponential"
                .to_string(),
        );
    }
    if out.is_empty() {
        out.push(
            "arrivals are not Poisson here (a burst, a profile that changes the rate), or the stretch measured \
             is still short"
                .to_string(),
        );
    }
    out
}

/// The squared coefficient of variation of a work-time distribution,
/// where it has a closed form.
fn squared_cv(d: &DistributionSpec) -> Option<f64> {
    match d {
        DistributionSpec::Constant { .. } => Some(0.0),
        DistributionSpec::Exponential { .. } => Some(1.0),
        DistributionSpec::Uniform { min_ms, max_ms } => {
            let mean = (min_ms + max_ms) / 2.0;
            let var = (max_ms - min_ms).powi(2) / 12.0;
            (mean > 0.0).then(|| var / (mean * mean))
        }
        DistributionSpec::Normal { mean_ms, stddev_ms } | DistributionSpec::LogNormal { mean_ms, stddev_ms } => {
            (*mean_ms > 0.0).then(|| (stddev_ms / mean_ms).powi(2))
        }
        DistributionSpec::Gamma { shape, .. } => (*shape > 0.0).then(|| 1.0 / shape),
        DistributionSpec::LogNormalPercentiles { p50_ms, p99_ms } => {
            // σ = ln(p99 / p50) / z₀.₉₉; a log-normal's cv² is e^{σ²} − 1.
            let sigma = (p99_ms / p50_ms).ln() / 2.326_347_874;
            sigma.is_finite().then(|| sigma.mul_add(sigma, 0.0).exp() - 1.0)
        }
        _ => None,
    }
}
