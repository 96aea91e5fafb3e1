//! Independent replications: "how sure is this number?"
//!
//! One run of a scenario is one sample: its p99 would differ with another
//! seed. [`run_replications`] runs the scenario `n` times, each with a seed
//! of its own, and gives every key figure as a mean over the replications
//! with a 95 % confidence interval (Student's t on the `n` per-replication
//! values, which are independent and identically distributed), plus how many
//! replications a ±5 % interval would take. `docs/replications.md` is the
//! user's account of it.
//!
//! - **Seeds**: replication `i`'s seed is the `(i + 1)`-th output of a
//!   `SplitMix64` generator seeded with the scenario's seed
//!   ([`replication_seed`]). Replication 0 therefore does *not* use the
//!   scenario's own seed: a plain `archsim run` is none of the replications.
//!   The engine derives every node's stream from `(seed, node name)`, so
//!   distinct seeds give independent runs; each replication is a plain run
//!   of the scenario with its seed, reproducible alone ([`run_replication`]).
//! - **Threads**: the replications run on a rayon pool of the caller's
//!   size; each builds its own `Simulation` (the engine has no threads) and
//!   the results are collected in replication order, so the result is the
//!   same, bit for bit, on any number of threads.
//! - **Percentiles**: a percentile's interval is of the per-replication
//!   percentile (each replication's own p99, from its own histogram), not of
//!   a pooled histogram: those values are i.i.d., the pooled one is not a
//!   mean of anything. For short runs a sample percentile is biased (by
//!   O(1/samples)), so a replication with fewer than `10 / (1 − q)` answers
//!   for a quantile `q` makes a [`SampleWarning`].
//! - **Warm-up**: the scenario's `warmup_s` when above 0; otherwise MSER-5
//!   ([`stats::mser5`]) on a pilot run (the scenario's own seed, no warm-up)
//!   over its end-to-end mean latency per window; every replication then
//!   uses that warm-up ([`WarmupChoice`]).

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::stats::{self, MSER_BATCH, mean_sd, t_quantile};
use crate::scenario::{ComponentKind, Scenario, ValidScenario};
use crate::sim::{Report, SimTime, Simulation};

/// The confidence level of every interval.
pub const CONFIDENCE: f64 = 0.95;

/// Fewest replications: one gives no spread, so no interval.
pub const MIN_REPLICATIONS: usize = 2;

/// Most replications a study may have (a bound on memory and patience).
pub const MAX_REPLICATIONS: usize = 10_000;

/// The relative half-width [`Estimate::replications_for_5_percent`] aims at.
pub const PRECISION_TARGET: f64 = 0.05;

/// Samples a replication needs for its quantile `q` to be trusted: about
/// ten observations beyond it (`10 / (1 − q)`: 1,000 for a p99).
pub fn samples_needed(q: f64) -> u64 {
    (10.0 / (1.0 - q)).round() as u64
}

/// How the warm-up is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Warmup {
    /// Simulated seconds set by the user (the scenario or `--warmup`).
    Given(f64),
    /// MSER-5 on a pilot run.
    Automatic,
}

impl Warmup {
    /// The user's warm-up when above 0, else automatic.
    pub fn from_seconds(warmup_s: f64) -> Warmup {
        if warmup_s > 0.0 { Warmup::Given(warmup_s) } else { Warmup::Automatic }
    }
}

/// What to run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReplicationSpec {
    /// Number of replications, [`MIN_REPLICATIONS`] to [`MAX_REPLICATIONS`].
    pub replications: usize,
    /// Simulated seconds each replication runs, its warm-up included.
    pub duration_s: f64,
    pub warmup: Warmup,
}

impl ReplicationSpec {
    pub fn check(&self) -> Result<(), ReplicationError> {
        if !(MIN_REPLICATIONS..=MAX_REPLICATIONS).contains(&self.replications) {
            return Err(ReplicationError::BadCount { count: self.replications });
        }
        let warmup_s = match self.warmup {
            Warmup::Given(w) => w,
            Warmup::Automatic => 0.0,
        };
        if !(self.duration_s.is_finite()
            && self.duration_s > 0.0
            && warmup_s.is_finite()
            && warmup_s >= 0.0
            && warmup_s < self.duration_s)
        {
            return Err(ReplicationError::BadDuration { duration_s: self.duration_s, warmup_s });
        }
        Ok(())
    }
}

/// Why replications could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReplicationError {
    #[error("replications must number between {MIN_REPLICATIONS} and {MAX_REPLICATIONS}, got {count}")]
    BadCount { count: usize },
    #[error(
        "each replication must run more than 0 s and longer than its warm-up (run {duration_s} s, warm-up {warmup_s} s)"
    )]
    BadDuration { duration_s: f64, warmup_s: f64 },
    #[error("the scenario is not valid: {}", .problems.join("; "))]
    Invalid { problems: Vec<String> },
    #[error("cannot start {threads} threads: {why}")]
    Threads { threads: usize, why: String },
    /// The caller's `keep_going` said stop (a cancellable study).
    #[error("cancelled")]
    Cancelled,
}

/// The figures of one run, or their estimates over the replications
/// (`T` = `f64` for one replication, [`Estimate`] for the summary).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyFigures<T> {
    /// Requests answered successfully per second, end to end.
    pub throughput_rps: T,
    /// Latency of the answered requests (ok and degraded), end to end.
    pub mean_ms: T,
    pub p50_ms: T,
    pub p90_ms: T,
    pub p99_ms: T,
    pub p999_ms: T,
    /// Share of requests that failed, end to end.
    pub error_ratio: T,
    /// What the design cost an hour (the scenario's pricing).
    pub cost_per_hour_usd: T,
}

/// One node's figures (every node but the clients).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeFigures<T> {
    pub node: String,
    pub kind: ComponentKind,
    /// Attempts it answered successfully per second.
    pub throughput_rps: T,
    /// Busy share of its pool; `None` for a node without one.
    pub utilisation: Option<T>,
    /// Latency at the node of the attempts it answered.
    pub mean_ms: T,
    pub p99_ms: T,
    /// Share of the attempts it saw that failed (there or below it).
    pub error_ratio: T,
}

/// One replication's figures, and the answers its percentiles rest on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Replication {
    /// Position of the replication (0-based).
    pub index: usize,
    /// Its seed ([`replication_seed`] of the scenario's seed and `index`).
    pub seed: u64,
    /// Answers its end-to-end latency figures count.
    pub latency_count: u64,
    pub end_to_end: KeyFigures<f64>,
    pub nodes: Vec<NodeRun>,
}

/// One node in one replication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeRun {
    #[serde(flatten)]
    pub figures: NodeFigures<f64>,
    /// Answers its latency figures count.
    pub latency_count: u64,
}

/// A figure over the replications: its mean and a 95 % confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Mean of the per-replication values.
    pub mean: f64,
    /// Half-width of the 95 % interval: `t(0.975, n−1) × sd / √n`.
    pub half_width: f64,
    /// Standard deviation of the per-replication values (n − 1).
    pub sd: f64,
    pub min: f64,
    pub max: f64,
    /// Replications a ±5 % interval would take at this mean and sd
    /// ([`replications_for`]); `None` when the mean is 0.
    pub replications_for_5_percent: Option<u64>,
}

impl Estimate {
    /// The estimate of `values` (one per replication), `t` the quantile
    /// for their number.
    pub fn of(values: &[f64], t: f64) -> Estimate {
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // Equal values (a price, no errors) have no spread: exactly 0, not
        // the rounding noise of their sum (which would print as $0.000000000001).
        let (mean, sd) = if min == max { (min, 0.0) } else { mean_sd(values) };
        let n = values.len().max(1) as f64;
        Estimate {
            mean,
            half_width: t * sd / n.sqrt(),
            sd,
            min,
            max,
            replications_for_5_percent: replications_for(mean, sd, PRECISION_TARGET),
        }
    }

    /// Half-width over |mean|; `None` when the mean is 0.
    pub fn relative_half_width(&self) -> Option<f64> {
        (self.mean != 0.0).then(|| self.half_width / self.mean.abs())
    }
}

/// How the warm-up was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WarmupMethod {
    /// The user's `warmup_s`.
    Given,
    /// MSER-5 on the pilot run's windows.
    Mser5,
    /// The pilot had too few windows with answers for MSER-5 (fewer than
    /// 4 batches of 5): a tenth of the run, as `archsim ramp` does.
    TenthOfRun,
}

/// The warm-up every replication used, and how it was chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarmupChoice {
    pub warmup_s: f64,
    pub method: WarmupMethod,
    /// The pilot run's seed (the scenario's own), when there was a pilot.
    pub pilot_seed: Option<u64>,
    /// Windows of the pilot with at least one answer: MSER-5's observations.
    pub windows: usize,
    /// Of those, the windows MSER-5 cut (a multiple of 5).
    pub truncated_windows: usize,
    /// Something the reader should know about the choice.
    pub note: Option<String>,
}

/// A percentile resting on too few answers in some replications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleWarning {
    /// `end_to_end.p99_ms`, or `NODE.p99_ms` for a node.
    pub figure: String,
    pub quantile: f64,
    /// Answers a replication needs for it: `10 / (1 − q)`.
    pub samples_needed: u64,
    /// Replications that had fewer.
    pub replications_affected: usize,
    /// The fewest answers any replication had.
    pub fewest_samples: u64,
    /// The warning as a sentence.
    pub message: String,
}

/// A whole study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicationResult {
    pub scenario: String,
    /// The scenario's seed, from which every replication's is derived.
    pub seed: u64,
    pub replications: usize,
    pub duration_s: f64,
    pub warmup: WarmupChoice,
    /// 0.95.
    pub confidence: f64,
    /// `t(0.975, replications − 1)`, the intervals' multiplier.
    pub t_quantile: f64,
    pub end_to_end: KeyFigures<Estimate>,
    pub nodes: Vec<NodeFigures<Estimate>>,
    pub warnings: Vec<SampleWarning>,
    /// Every replication's own figures, in order.
    pub runs: Vec<Replication>,
}

/// The seed of replication `index`: the `(index + 1)`-th output of a
/// `SplitMix64` generator seeded with `seed` (Steele, Lea and Flood, 2014:
/// state += 0x9E37…7C15, then its finaliser). The finaliser is a bijection
/// and the states differ, so the seeds of one study are all distinct; none
/// is `seed` itself except by a 1-in-2^64 chance.
pub fn replication_seed(seed: u64, index: usize) -> u64 {
    let mut z = seed.wrapping_add((index as u64).wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Replications for a ±`relative` interval on a figure of this `mean` and
/// `sd` (from a pilot): the smallest `n` with
/// `t(0.975, n−1) × sd / √n ≤ relative × |mean|`, i.e.
/// `n ≥ (t·sd / (relative·mean))²`, found by iterating t with its degrees
/// of freedom from the normal quantile's answer. At least 2; `None` when
/// the mean is 0 (a relative interval means nothing) or a value is not
/// finite. Saturates at `u64::MAX / 2` for absurd ratios.
pub fn replications_for(mean: f64, sd: f64, relative: f64) -> Option<u64> {
    if !(mean.is_finite() && mean != 0.0 && sd.is_finite() && sd >= 0.0 && relative.is_finite() && relative > 0.0) {
        return None;
    }
    let k = sd / (relative * mean.abs());
    let cap = (u64::MAX / 2) as f64;
    let needed = |t: f64| ((t * k) * (t * k)).ceil().clamp(2.0, cap);
    let mut n = needed(stats::normal_quantile(0.975));
    // t(n−1) falls as n grows, so the need falls too: a few steps settle.
    for _ in 0..100 {
        let df = (n - 1.0).min(f64::from(u32::MAX)) as u32;
        let next = needed(t_quantile(0.975, df));
        if next <= n {
            break;
        }
        n = next;
    }
    // The steps may overshoot by one or two: every n above the answer
    // satisfies the rule too, so step down while the one below does.
    for _ in 0..1000 {
        let below = n - 1.0;
        if below < 2.0 || below < needed(t_quantile(0.975, (below - 1.0).min(f64::from(u32::MAX)) as u32)) {
            break;
        }
        n = below;
    }
    Some(n as u64)
}

/// The scenario as replication `index` runs it: its seed, the run length
/// and the warm-up.
pub fn replication_scenario(scenario: &Scenario, duration_s: f64, warmup_s: f64, index: usize) -> Scenario {
    let mut copy = scenario.clone();
    copy.seed = replication_seed(scenario.seed, index);
    copy.duration_s = duration_s;
    copy.warmup_s = warmup_s;
    copy
}

/// Runs replication `index` alone: the same figures it has in a study of
/// this scenario, run length and warm-up.
pub fn run_replication(
    scenario: &Scenario,
    duration_s: f64,
    warmup_s: f64,
    index: usize,
) -> Result<Replication, ReplicationError> {
    let copy = replication_scenario(scenario, duration_s, warmup_s, index);
    let seed = copy.seed;
    let report = run_report(copy)?;
    Ok(replication_of(index, seed, &report))
}

/// Runs replication `index` like [`run_replication`], asking `keep_going`
/// before each slice of [`SLICE_EVENTS`] events, and gives up with
/// `Ok(None)` at its first `false` (a caller on another thread cancels a
/// long run within a fraction of a second). Cutting the run into slices
/// does not change its numbers: the engine processes the same events in
/// the same order however its run is cut.
pub fn run_replication_while(
    scenario: &Scenario,
    duration_s: f64,
    warmup_s: f64,
    index: usize,
    keep_going: &(dyn Fn() -> bool + Sync),
) -> Result<Option<Replication>, ReplicationError> {
    let copy = replication_scenario(scenario, duration_s, warmup_s, index);
    let seed = copy.seed;
    let end = SimTime::from_secs(copy.duration_s);
    let mut sim = Simulation::from_valid(valid(copy)?);
    // A slice short of its bound reached the end (and set the clock to it).
    loop {
        if !keep_going() {
            return Ok(None);
        }
        if sim.run_until_bounded(end, SLICE_EVENTS) < SLICE_EVENTS {
            break;
        }
    }
    Ok(Some(replication_of(index, seed, &sim.report())))
}

/// Events a cancellable run processes between two looks at its flag.
pub const SLICE_EVENTS: u64 = 20_000;

/// Builds and runs a scenario to its duration.
fn run_report(scenario: Scenario) -> Result<Report, ReplicationError> {
    let end = SimTime::from_secs(scenario.duration_s);
    let mut sim = Simulation::from_valid(valid(scenario)?);
    sim.run_until(end);
    Ok(sim.report())
}

fn valid(scenario: Scenario) -> Result<ValidScenario, ReplicationError> {
    ValidScenario::new(scenario)
        .map_err(|problems| ReplicationError::Invalid { problems: problems.into_iter().map(|p| p.message).collect() })
}

/// Boils a replication's report down to its key figures.
fn replication_of(index: usize, seed: u64, report: &Report) -> Replication {
    let e2e = &report.end_to_end;
    Replication {
        index,
        seed,
        latency_count: e2e.latency.count,
        end_to_end: KeyFigures {
            throughput_rps: e2e.throughput_rps,
            mean_ms: e2e.latency.mean_ms,
            p50_ms: e2e.latency.p50_ms,
            p90_ms: e2e.latency.p90_ms,
            p99_ms: e2e.latency.p99_ms,
            p999_ms: e2e.latency.p999_ms,
            error_ratio: e2e.error_ratio,
            cost_per_hour_usd: report.cost.per_hour_usd,
        },
        nodes: report
            .nodes
            .iter()
            .filter(|n| n.kind != ComponentKind::Client)
            .map(|n| NodeRun {
                figures: NodeFigures {
                    node: n.id.clone(),
                    kind: n.kind,
                    throughput_rps: n.stats.throughput_rps,
                    utilisation: n.stats.utilisation,
                    mean_ms: n.stats.latency.mean_ms,
                    p99_ms: n.stats.latency.p99_ms,
                    error_ratio: n.stats.error_ratio,
                },
                latency_count: n.stats.latency.count,
            })
            .collect(),
    }
}

/// Chooses the warm-up: the spec's, or MSER-5 on a pilot run of the
/// scenario with its own seed and no warm-up.
pub fn choose_warmup(scenario: &Scenario, spec: &ReplicationSpec) -> Result<WarmupChoice, ReplicationError> {
    if let Warmup::Given(warmup_s) = spec.warmup {
        return Ok(WarmupChoice {
            warmup_s,
            method: WarmupMethod::Given,
            pilot_seed: None,
            windows: 0,
            truncated_windows: 0,
            note: None,
        });
    }
    let mut pilot = scenario.clone();
    pilot.duration_s = spec.duration_s;
    pilot.warmup_s = 0.0;
    let end = SimTime::from_secs(spec.duration_s);
    let mut sim = Simulation::from_valid(valid(pilot)?);
    sim.run_until(end);
    let series = sim.series();
    // Windows without an answer have no latency: left out.
    let observed: Vec<(f64, f64)> = series
        .frames()
        .iter()
        .filter(|f| f.end_to_end.latency.count > 0)
        .map(|f| (f.start_s, f.end_to_end.latency.mean_ms))
        .collect();
    let values: Vec<f64> = observed.iter().map(|(_, v)| *v).collect();
    let mut notes = Vec::new();
    if series.dropped > 0 {
        notes.push(format!(
            "the pilot's first {} windows fell off its time series (it keeps {}): MSER-5 saw the rest, so the \
             warm-up is at least the part it did not see",
            series.dropped,
            series.frames().len()
        ));
    }
    let (warmup_s, method, cut) = if let Some(cut) = stats::mser5(&values) {
        // The warm-up ends where the first window kept starts.
        let at = observed.get(cut).map_or(0.0, |(start, _)| *start);
        (if cut == 0 && series.dropped == 0 { 0.0 } else { at }, WarmupMethod::Mser5, cut)
    } else {
        notes.push(format!(
            "the pilot had {} windows with answers, fewer than MSER-5's {} (4 batches of {MSER_BATCH}): \
             warm-up set to a tenth of the run",
            values.len(),
            4 * MSER_BATCH
        ));
        (spec.duration_s / 10.0, WarmupMethod::TenthOfRun, 0)
    };
    Ok(WarmupChoice {
        warmup_s,
        method,
        pilot_seed: Some(scenario.seed),
        windows: values.len(),
        truncated_windows: cut,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    })
}

/// Runs the study: chooses the warm-up, runs every replication on a pool
/// of `threads` threads (`None`: rayon's default, one per core), and
/// summarises. `progress(done, total)` is called with 0 once the warm-up is
/// chosen and after each replication, from whichever thread finished it
/// (so not in order of index).
pub fn run_replications(
    scenario: &Scenario,
    spec: &ReplicationSpec,
    threads: Option<usize>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<ReplicationResult, ReplicationError> {
    spec.check()?;
    // The scenario as the replications run it, checked before anything runs.
    let warmup_probe = match spec.warmup {
        Warmup::Given(w) => w,
        Warmup::Automatic => 0.0,
    };
    valid(replication_scenario(scenario, spec.duration_s, warmup_probe, 0))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| ReplicationError::Threads { threads: threads.unwrap_or(0), why: e.to_string() })?;
    let warmup = choose_warmup(scenario, spec)?;
    let total = spec.replications;
    progress(0, total);
    let done = AtomicUsize::new(0);
    let runs: Vec<Replication> = pool.install(|| {
        (0..total)
            .into_par_iter()
            .map(|i| {
                let run = run_replication(scenario, spec.duration_s, warmup.warmup_s, i);
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                run
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    Ok(summarise(scenario, spec, warmup, runs))
}

/// The estimates and warnings of replications already run (in order).
pub fn summarise(
    scenario: &Scenario,
    spec: &ReplicationSpec,
    warmup: WarmupChoice,
    runs: Vec<Replication>,
) -> ReplicationResult {
    let n = runs.len();
    let t = t_quantile(0.5 + CONFIDENCE / 2.0, (n.max(2) - 1) as u32);
    let est = |get: &dyn Fn(&Replication) -> f64| Estimate::of(&runs.iter().map(get).collect::<Vec<_>>(), t);
    let end_to_end = KeyFigures {
        throughput_rps: est(&|r| r.end_to_end.throughput_rps),
        mean_ms: est(&|r| r.end_to_end.mean_ms),
        p50_ms: est(&|r| r.end_to_end.p50_ms),
        p90_ms: est(&|r| r.end_to_end.p90_ms),
        p99_ms: est(&|r| r.end_to_end.p99_ms),
        p999_ms: est(&|r| r.end_to_end.p999_ms),
        error_ratio: est(&|r| r.end_to_end.error_ratio),
        cost_per_hour_usd: est(&|r| r.end_to_end.cost_per_hour_usd),
    };
    let node_count = runs.first().map_or(0, |r| r.nodes.len());
    let nodes: Vec<NodeFigures<Estimate>> = (0..node_count)
        .map(|j| {
            let value = |get: fn(&NodeFigures<f64>) -> f64| est(&|r| r.nodes.get(j).map_or(0.0, |n| get(&n.figures)));
            let first = &runs[0].nodes[j].figures;
            let utilisations: Option<Vec<f64>> =
                runs.iter().map(|r| r.nodes.get(j).and_then(|n| n.figures.utilisation)).collect();
            NodeFigures {
                node: first.node.clone(),
                kind: first.kind,
                throughput_rps: value(|f| f.throughput_rps),
                utilisation: utilisations.map(|u| Estimate::of(&u, t)),
                mean_ms: value(|f| f.mean_ms),
                p99_ms: value(|f| f.p99_ms),
                error_ratio: value(|f| f.error_ratio),
            }
        })
        .collect();

    let mut warnings = Vec::new();
    let e2e_counts: Vec<u64> = runs.iter().map(|r| r.latency_count).collect();
    for (name, q) in [("p50_ms", 0.5), ("p90_ms", 0.9), ("p99_ms", 0.99), ("p999_ms", 0.999)] {
        warnings.extend(sample_warning(&format!("end_to_end.{name}"), q, &e2e_counts));
    }
    for j in 0..node_count {
        let counts: Vec<u64> = runs.iter().map(|r| r.nodes.get(j).map_or(0, |n| n.latency_count)).collect();
        warnings.extend(sample_warning(&format!("{}.p99_ms", runs[0].nodes[j].figures.node), 0.99, &counts));
    }

    ReplicationResult {
        scenario: scenario.name.clone(),
        seed: scenario.seed,
        replications: n,
        duration_s: spec.duration_s,
        warmup,
        confidence: CONFIDENCE,
        t_quantile: t,
        end_to_end,
        nodes,
        warnings,
        runs,
    }
}

/// A warning when some replication had fewer answers than quantile `q`
/// needs. A node no replication's requests reached is not warned about
/// (its percentiles are all 0, and say so).
fn sample_warning(figure: &str, q: f64, counts: &[u64]) -> Option<SampleWarning> {
    let needed = samples_needed(q);
    let affected = counts.iter().filter(|&&c| c < needed).count();
    let fewest = counts.iter().copied().min().unwrap_or(0);
    if affected == 0 || counts.iter().all(|&c| c == 0) {
        return None;
    }
    let message = format!(
        "{figure}: {affected} of {} replications had fewer than {} answers (fewest {}), the 10/(1−q) a {q} quantile \
         needs; that percentile is biased and its interval is not to be trusted: run longer",
        counts.len(),
        crate::sim::group_thousands(needed),
        crate::sim::group_thousands(fewest),
    );
    Some(SampleWarning {
        figure: figure.to_string(),
        quantile: q,
        samples_needed: needed,
        replications_affected: affected,
        fewest_samples: fewest,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_splitmix64_outputs() {
        // SplitMix64 seeded with 0: its first outputs (the reference
        // implementation's published sequence).
        assert_eq!(replication_seed(0, 0), 0xE220_A839_7B1D_CDAF);
        assert_eq!(replication_seed(0, 1), 0x6E78_9E6A_A1B9_65F4);
        let seeds: std::collections::HashSet<u64> = (0..1000).map(|i| replication_seed(42, i)).collect();
        assert_eq!(seeds.len(), 1000);
        assert!(!seeds.contains(&42));
    }

    #[test]
    fn replications_needed_follow_the_t_rule() {
        // sd/mean = 0.1, ±5 %: (t·2)² with t(0.975, 17) = 2.110 gives 17.8 → 18.
        assert_eq!(replications_for(100.0, 10.0, 0.05), Some(18));
        // No spread: the minimum.
        assert_eq!(replications_for(5.0, 0.0, 0.05), Some(2));
        assert_eq!(replications_for(0.0, 1.0, 0.05), None);
        // Large: close to the normal rule (1.96 × 1 / 0.05)² = 1537.
        let n = replications_for(1.0, 1.0, 0.05).expect("finite");
        assert!((1537..1550).contains(&n), "{n}");
    }

    #[test]
    fn equal_values_have_no_spread() {
        let e = Estimate::of(&[1.025, 1.025, 1.025], 4.303);
        assert_eq!((e.mean, e.sd, e.half_width), (1.025, 0.0, 0.0));
        assert_eq!(e.replications_for_5_percent, Some(2));
        let e = Estimate::of(&[1.0, 2.0, 3.0], 4.303);
        assert!((e.half_width - 4.303 / 3f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn samples_needed_are_ten_beyond_the_quantile() {
        assert_eq!(samples_needed(0.99), 1_000);
        assert_eq!(samples_needed(0.999), 10_000);
        assert_eq!(samples_needed(0.5), 20);
        let w = sample_warning("end_to_end.p99_ms", 0.99, &[5_000, 800, 999]).expect("two short");
        assert_eq!(w.replications_affected, 2);
        assert_eq!(w.fewest_samples, 800);
        assert!(w.message.contains("end_to_end.p99_ms") && w.message.contains("2 of 3"), "{}", w.message);
        assert_eq!(sample_warning("x", 0.99, &[1_000, 2_000]), None);
    }
}
