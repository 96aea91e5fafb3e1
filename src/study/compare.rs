//! A/B comparison on common random numbers: "is design B really better,
//! or was A unlucky?"
//!
//! Both designs run the same `n` replications, replication `i` of each
//! with the same seed ([`replication_seed`] of A's seed). The engine draws
//! every node's and edge's randomness from a stream named after it, so
//! where the two designs have the same nodes they see the same arrivals and
//! the same service times: the difference between their figures is the
//! design's, not the luck's. Each figure's difference is then estimated on
//! the **pairs** (B − A per replication, Student's t over the `n`
//! differences), which is narrower than comparing the two means as
//! independent samples — both intervals are reported, so the gain shows.

use rayon::prelude::*;
use serde::Serialize;

use super::replications::{
    CONFIDENCE, Estimate, KeyFigures, ReplicationError, ReplicationSpec, Warmup, replication_scenario, run_replication,
};
use super::stats::{mean_sd, t_quantile};
use crate::scenario::Scenario;
use crate::sim::cost::HOURS_PER_MONTH;

/// One figure of both designs and their difference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureDelta {
    /// The figure's name: `p99_ms`, `cost_per_month_usd`…
    pub figure: &'static str,
    pub a: Estimate,
    pub b: Estimate,
    /// B − A over the pairs, with its paired 95 % interval.
    pub delta: Estimate,
    /// The half-width B − A would have if the runs were independent
    /// (Welch's interval): what common random numbers saved.
    pub unpaired_half_width: f64,
    /// Zero lies outside the paired interval: the designs differ in this.
    pub differs: bool,
}

/// The comparison of two designs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    pub replications: usize,
    pub duration_s: f64,
    pub warmup_s: f64,
    /// The seeds both designs ran with, in replication order.
    pub seeds: Vec<u64>,
    pub figures: Vec<FigureDelta>,
}

/// How a compared figure is read from one run's key figures.
type Reader = fn(&KeyFigures<f64>) -> f64;

/// The end-to-end figures compared, by name.
const FIGURES: [(&str, Reader); 8] = [
    ("throughput_rps", |k| k.throughput_rps),
    ("mean_ms", |k| k.mean_ms),
    ("p50_ms", |k| k.p50_ms),
    ("p90_ms", |k| k.p90_ms),
    ("p99_ms", |k| k.p99_ms),
    ("p999_ms", |k| k.p999_ms),
    ("error_ratio", |k| k.error_ratio),
    ("cost_per_month_usd", |k| k.cost_per_hour_usd * HOURS_PER_MONTH),
];

/// Runs `a` and `b` for `spec.replications` pairs on common random numbers
/// (on a pool of `threads`, `None`: one per core) and compares them. The
/// warm-up must be given (an automatic one would be chosen per design, and
/// the pairs would not measure the same stretch).
pub fn compare(
    a: &Scenario,
    b: &Scenario,
    spec: &ReplicationSpec,
    threads: Option<usize>,
) -> Result<Comparison, ReplicationError> {
    spec.check()?;
    let warmup_s = match spec.warmup {
        Warmup::Given(w) => w,
        Warmup::Automatic => spec.duration_s / 10.0,
    };
    // B runs with A's seeds: common random numbers.
    let mut b_on_a = b.clone();
    b_on_a.seed = a.seed;
    for s in [a, &b_on_a] {
        crate::scenario::ValidScenario::new(replication_scenario(s, spec.duration_s, warmup_s, 0)).map_err(
            |problems| ReplicationError::Invalid {
                problems: problems.into_iter().map(|p| format!("{}: {}", s.name, p.message)).collect(),
            },
        )?;
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| ReplicationError::Threads { threads: threads.unwrap_or(0), why: e.to_string() })?;
    let n = spec.replications;
    let runs = pool.install(|| {
        (0..2 * n)
            .into_par_iter()
            .map(|job| {
                let design = if job < n { a } else { &b_on_a };
                run_replication(design, spec.duration_s, warmup_s, job % n)
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    let (runs_a, runs_b) = runs.split_at(n);
    let t = t_quantile(0.5 + CONFIDENCE / 2.0, (n - 1) as u32);
    let figures = FIGURES
        .iter()
        .map(|(figure, get)| {
            let va: Vec<f64> = runs_a.iter().map(|r| get(&r.end_to_end)).collect();
            let vb: Vec<f64> = runs_b.iter().map(|r| get(&r.end_to_end)).collect();
            let diffs: Vec<f64> = va.iter().zip(&vb).map(|(x, y)| y - x).collect();
            let (ea, eb, delta) = (Estimate::of(&va, t), Estimate::of(&vb, t), Estimate::of(&diffs, t));
            let unpaired_half_width = welch_half_width(&va, &vb);
            FigureDelta {
                figure,
                differs: delta.mean.abs() > delta.half_width,
                a: ea,
                b: eb,
                delta,
                unpaired_half_width,
            }
        })
        .collect();
    Ok(Comparison {
        a: a.name.clone(),
        b: b.name.clone(),
        replications: n,
        duration_s: spec.duration_s,
        warmup_s,
        seeds: runs_a.iter().map(|r| r.seed).collect(),
        figures,
    })
}

/// Welch's 95 % half-width for the difference of two independent means,
/// with the Welch–Satterthwaite degrees of freedom.
fn welch_half_width(a: &[f64], b: &[f64]) -> f64 {
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let ((_, sa), (_, sb)) = (mean_sd(a), mean_sd(b));
    let (va, vb) = (sa * sa / na, sb * sb / nb);
    let se2 = va + vb;
    if se2 == 0.0 {
        return 0.0;
    }
    let df = se2 * se2 / (va * va / (na - 1.0) + vb * vb / (nb - 1.0));
    t_quantile(0.5 + CONFIDENCE / 2.0, df.floor().max(1.0) as u32) * se2.sqrt()
}
