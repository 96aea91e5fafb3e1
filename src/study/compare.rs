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

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::Serialize;

use super::replications::{
    CONFIDENCE, Estimate, KeyFigures, Replication, ReplicationError, ReplicationSpec, SLICE_EVENTS, Warmup,
    replication_scenario, run_replication, run_replication_while,
};
use super::stats::{mean_sd, t_quantile};
use crate::scenario::{Scenario, ValidScenario};
use crate::sim::cost::HOURS_PER_MONTH;
use crate::sim::{SimTime, Simulation, TimeSeries};

/// An end-to-end figure compared. Serialised by its name in the JSON
/// (`p99_ms`, `cost_per_month_usd`…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Figure {
    #[serde(rename = "throughput_rps")]
    Throughput,
    #[serde(rename = "mean_ms")]
    Mean,
    #[serde(rename = "p50_ms")]
    P50,
    #[serde(rename = "p90_ms")]
    P90,
    #[serde(rename = "p99_ms")]
    P99,
    #[serde(rename = "p999_ms")]
    P999,
    #[serde(rename = "error_ratio")]
    ErrorRatio,
    #[serde(rename = "cost_per_month_usd")]
    CostPerMonth,
}

/// Which way a figure is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Lower,
    Higher,
}

/// What B − A says about B, in plain words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The paired interval excludes 0, on the better side.
    Better,
    /// The paired interval excludes 0, on the worse side.
    Worse,
    /// 0 lies in the paired interval.
    NoDifference,
}

impl Figure {
    /// Every figure, in the order of the comparison.
    pub const ALL: [Figure; 8] = [
        Figure::Throughput,
        Figure::Mean,
        Figure::P50,
        Figure::P90,
        Figure::P99,
        Figure::P999,
        Figure::ErrorRatio,
        Figure::CostPerMonth,
    ];

    /// Its name in the JSON and the command line's table.
    pub fn name(self) -> &'static str {
        match self {
            Figure::Throughput => "throughput_rps",
            Figure::Mean => "mean_ms",
            Figure::P50 => "p50_ms",
            Figure::P90 => "p90_ms",
            Figure::P99 => "p99_ms",
            Figure::P999 => "p999_ms",
            Figure::ErrorRatio => "error_ratio",
            Figure::CostPerMonth => "cost_per_month_usd",
        }
    }

    /// Its name in a sentence: `p99`, `throughput`, `cost`.
    pub fn label(self) -> &'static str {
        match self {
            Figure::Throughput => "throughput",
            Figure::Mean => "mean latency",
            Figure::P50 => "p50",
            Figure::P90 => "p90",
            Figure::P99 => "p99",
            Figure::P999 => "p99.9",
            Figure::ErrorRatio => "errors",
            Figure::CostPerMonth => "cost",
        }
    }

    /// Lower latency, errors and cost are better; higher throughput.
    pub fn better(self) -> Better {
        if self == Figure::Throughput { Better::Higher } else { Better::Lower }
    }

    /// The figure of one run.
    fn read(self, k: &KeyFigures<f64>) -> f64 {
        match self {
            Figure::Throughput => k.throughput_rps,
            Figure::Mean => k.mean_ms,
            Figure::P50 => k.p50_ms,
            Figure::P90 => k.p90_ms,
            Figure::P99 => k.p99_ms,
            Figure::P999 => k.p999_ms,
            Figure::ErrorRatio => k.error_ratio,
            Figure::CostPerMonth => k.cost_per_hour_usd * HOURS_PER_MONTH,
        }
    }

    /// The value with its unit: `412 req/s`, `18.3 ms`, `0.52 %`, `$73/mo`.
    pub fn value_text(self, v: f64) -> String {
        self.text(v, self.decimals(v.abs()), false, true)
    }

    /// A difference with its sign (− or +; none for exactly 0) and unit:
    /// `−170 ms`, `+$73/mo`.
    pub fn delta_text(self, v: f64) -> String {
        self.text(v, self.decimals(v.abs()), true, true)
    }

    /// Decimals for a value of this size: about three digits.
    fn decimals(self, magnitude: f64) -> usize {
        match self {
            Figure::ErrorRatio => match magnitude * 100.0 {
                m if m < 0.1 => 3,
                m if m < 10.0 => 2,
                _ => 1,
            },
            Figure::CostPerMonth => usize::from(magnitude < 10.0) * 2,
            _ => match magnitude {
                m if m < 1.0 => 2,
                m if m < 100.0 => 1,
                _ => 0,
            },
        }
    }

    fn text(self, v: f64, decimals: usize, signed: bool, unit: bool) -> String {
        let sign = match () {
            () if !signed || v == 0.0 => "",
            () if v < 0.0 => "\u{2212}",
            () => "+",
        };
        let a = if signed { v.abs() } else { v };
        let (prefix, number, suffix) = match self {
            Figure::ErrorRatio => ("", a * 100.0, " %"),
            Figure::CostPerMonth => ("$", a, "/mo"),
            Figure::Throughput => ("", a, " req/s"),
            _ => ("", a, " ms"),
        };
        let mut number = format!("{number:.decimals$}");
        if self == Figure::CostPerMonth && decimals == 0 {
            number = thousands(&number);
        }
        // "−0.00" and "+0.00" read as a difference that is not there.
        let sign = if number.trim_start_matches(['0', '.']).is_empty() { "" } else { sign };
        let suffix = if unit { suffix } else { "" };
        format!("{sign}{prefix}{number}{suffix}")
    }
}

/// Whole digits grouped by three, as a bill reads: `12,345`.
fn thousands(digits: &str) -> String {
    let n = digits.len();
    digits.chars().enumerate().fold(String::with_capacity(n + n / 3), |mut out, (i, c)| {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
        out
    })
}

/// One figure of both designs and their difference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureDelta {
    /// Which figure (its name in the JSON: `p99_ms`, `cost_per_month_usd`…).
    pub figure: Figure,
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

impl FigureDelta {
    /// Better, worse or no difference we can tell, by the figure's direction.
    pub fn verdict(&self) -> Verdict {
        if !self.differs {
            return Verdict::NoDifference;
        }
        match (self.figure.better(), self.delta.mean > 0.0) {
            (Better::Higher, true) | (Better::Lower, false) => Verdict::Better,
            _ => Verdict::Worse,
        }
    }

    /// The verdict in plain words: "B is faster", "B costs more", "no
    /// difference we can tell".
    pub fn verdict_text(&self) -> &'static str {
        let better = match self.verdict() {
            Verdict::NoDifference => return "no difference we can tell",
            Verdict::Better => true,
            Verdict::Worse => false,
        };
        match (self.figure, better) {
            (Figure::Throughput, true) => "B serves more",
            (Figure::Throughput, false) => "B serves less",
            (Figure::ErrorRatio, true) => "B fails less",
            (Figure::ErrorRatio, false) => "B fails more",
            (Figure::CostPerMonth, true) => "B costs less",
            (Figure::CostPerMonth, false) => "B costs more",
            (_, true) => "B is faster",
            (_, false) => "B is slower",
        }
    }

    /// B − A and its paired 95 % interval: `−170 ms (−190 … −150)`;
    /// `+$73/mo (in every pair)` when every pair differed by the same, and
    /// just `0 ms` when by nothing.
    pub fn interval_text(&self) -> String {
        let (mean, hw) = (self.delta.mean, self.delta.half_width);
        if hw == 0.0 {
            // Every pair differed by the same: no interval to give.
            let text = self.figure.delta_text(mean);
            return if mean == 0.0 { text } else { format!("{text} (in every pair)") };
        }
        // One precision for the three numbers, set by the largest.
        let d = self.figure.decimals(mean.abs().max(hw));
        let f = self.figure;
        format!(
            "{} ({} \u{2026} {})",
            f.text(mean, d, true, true),
            f.text(mean - hw, d, true, false),
            f.text(mean + hw, d, true, false)
        )
    }

    /// The figure's difference in a sentence: `p99 −170 ms (−190 … −150)`.
    pub fn sentence(&self) -> String {
        format!("{} {}", self.figure.label(), self.interval_text())
    }

    /// What common random numbers bought on this figure: the paired
    /// interval against the one independent runs would have had.
    pub fn pairing_text(&self) -> String {
        let f = self.figure;
        let (paired, unpaired) = (self.delta.half_width, self.unpaired_half_width);
        if unpaired == 0.0 {
            return "Every pair of runs gave the same difference: nothing left to narrow.".into();
        }
        let ratio = if paired > 0.0 { format!(", {:.1}\u{d7} narrower", unpaired / paired) } else { String::new() };
        format!(
            "Both designs ran the same seeds, so each pair saw the same arrivals and work times where the \
             nodes correspond: the paired interval is \u{b1}{} against \u{b1}{} for independent runs \
             (Welch){ratio}.",
            f.value_text(paired),
            f.value_text(unpaired),
        )
    }
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

/// The figures a headline speaks of, in its order.
const HEADLINE: [Figure; 4] = [Figure::CostPerMonth, Figure::P99, Figure::Throughput, Figure::ErrorRatio];

impl Comparison {
    /// The delta of one figure.
    pub fn figure(&self, figure: Figure) -> Option<&FigureDelta> {
        self.figures.iter().find(|f| f.figure == figure)
    }

    /// Whether either design costs anything (the scenario prices it).
    pub fn has_cost(&self) -> bool {
        self.figure(Figure::CostPerMonth).is_some_and(|f| f.a.mean != 0.0 || f.b.mean != 0.0)
    }

    /// The figures a summary shows: throughput, mean, p50, p99, p99.9,
    /// errors, and the cost when there is one.
    pub fn summary_figures(&self) -> impl Iterator<Item = &FigureDelta> {
        let cost = self.has_cost();
        self.figures.iter().filter(move |f| f.figure != Figure::P90 && (cost || f.figure != Figure::CostPerMonth))
    }

    /// One line: what differs among cost, p99, throughput and errors,
    /// "Cost +$73/mo (in every pair), p99 −170 ms (−190 … −150)", or that
    /// none of them differs.
    pub fn headline(&self) -> String {
        let differing: Vec<String> = HEADLINE
            .iter()
            .filter_map(|&f| self.figure(f))
            .filter(|f| f.differs && (f.figure != Figure::CostPerMonth || self.has_cost()))
            .map(FigureDelta::sentence)
            .collect();
        if differing.is_empty() {
            let cost = if self.has_cost() { ", errors or cost" } else { " or errors" };
            return format!("No difference we can tell in p99, throughput{cost}.");
        }
        let line = differing.join(", ");
        // "Cost +$73/mo…", but "p99 −170 ms…" stays as it is written.
        match line.get(..1) {
            Some(first) if first != "p" => first.to_uppercase() + &line[1..],
            _ => line,
        }
    }
}

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
    compare_runs(a, b, spec, threads, &|_, _| {}, &|design, duration_s, warmup_s, index| {
        run_replication(design, duration_s, warmup_s, index).map(Some)
    })
}

/// [`compare`] for a caller on another thread: `progress(done, total)`
/// after each of the `2 × replications` runs (from whichever thread
/// finished it), and `keep_going` asked between slices of
/// [`SLICE_EVENTS`] events; at its first `false` the study stops within a
/// fraction of a second with [`ReplicationError::Cancelled`]. The numbers
/// are [`compare`]'s.
pub fn compare_while(
    a: &Scenario,
    b: &Scenario,
    spec: &ReplicationSpec,
    threads: Option<usize>,
    progress: &(dyn Fn(usize, usize) + Sync),
    keep_going: &(dyn Fn() -> bool + Sync),
) -> Result<Comparison, ReplicationError> {
    compare_runs(a, b, spec, threads, progress, &|design, duration_s, warmup_s, index| {
        run_replication_while(design, duration_s, warmup_s, index, keep_going)
    })
}

/// How one replication is run: to its end, or until cancelled (`None`).
type RunOne<'a> = dyn Fn(&Scenario, f64, f64, usize) -> Result<Option<Replication>, ReplicationError> + Sync + 'a;

fn compare_runs(
    a: &Scenario,
    b: &Scenario,
    spec: &ReplicationSpec,
    threads: Option<usize>,
    progress: &(dyn Fn(usize, usize) + Sync),
    run: &RunOne<'_>,
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
        ValidScenario::new(replication_scenario(s, spec.duration_s, warmup_s, 0)).map_err(|problems| {
            ReplicationError::Invalid {
                problems: problems.into_iter().map(|p| format!("{}: {}", s.name, p.message)).collect(),
            }
        })?;
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| ReplicationError::Threads { threads: threads.unwrap_or(0), why: e.to_string() })?;
    let n = spec.replications;
    let done = AtomicUsize::new(0);
    let runs = pool.install(|| {
        (0..2 * n)
            .into_par_iter()
            .map(|job| {
                let design = if job < n { a } else { &b_on_a };
                let run = run(design, spec.duration_s, warmup_s, job % n)?.ok_or(ReplicationError::Cancelled)?;
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, 2 * n);
                Ok(run)
            })
            .collect::<Result<Vec<_>, ReplicationError>>()
    })?;
    let (runs_a, runs_b) = runs.split_at(n);
    let t = t_quantile(0.5 + CONFIDENCE / 2.0, (n - 1) as u32);
    let figures = Figure::ALL
        .iter()
        .map(|&figure| {
            let va: Vec<f64> = runs_a.iter().map(|r| figure.read(&r.end_to_end)).collect();
            let vb: Vec<f64> = runs_b.iter().map(|r| figure.read(&r.end_to_end)).collect();
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

/// One run of `scenario` with `seed`, for `duration_s` simulated seconds,
/// and its windows: A's run beside a live run of B with the same seed
/// (common random numbers: where the nodes correspond, the same draws).
/// `keep_going` is asked between slices; `Ok(None)` when it said stop.
pub fn run_series_while(
    scenario: &Scenario,
    seed: u64,
    duration_s: f64,
    keep_going: &dyn Fn() -> bool,
) -> Result<Option<TimeSeries>, ReplicationError> {
    let mut copy = scenario.clone();
    copy.seed = seed;
    copy.duration_s = duration_s;
    let valid = ValidScenario::new(copy).map_err(|problems| ReplicationError::Invalid {
        problems: problems.into_iter().map(|p| format!("{}: {}", scenario.name, p.message)).collect(),
    })?;
    let mut sim = Simulation::from_valid(valid);
    let end = SimTime::from_secs(duration_s);
    loop {
        if !keep_going() {
            return Ok(None);
        }
        if sim.run_until_bounded(end, SLICE_EVENTS) < SLICE_EVENTS {
            break;
        }
    }
    Ok(Some(sim.series().clone()))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate(mean: f64, half_width: f64) -> Estimate {
        Estimate { mean, half_width, sd: 0.0, min: mean, max: mean, replications_for_5_percent: None }
    }

    fn delta(figure: Figure, a: f64, b: f64, half_width: f64) -> FigureDelta {
        let d = b - a;
        FigureDelta {
            figure,
            a: estimate(a, 0.0),
            b: estimate(b, 0.0),
            delta: estimate(d, half_width),
            unpaired_half_width: half_width * 4.0,
            differs: d.abs() > half_width,
        }
    }

    #[test]
    fn lower_is_better_but_for_throughput() {
        assert_eq!(Figure::Throughput.better(), Better::Higher);
        for f in Figure::ALL.into_iter().filter(|f| *f != Figure::Throughput) {
            assert_eq!(f.better(), Better::Lower, "{f:?}");
        }
        assert_eq!(delta(Figure::P99, 400.0, 230.0, 20.0).verdict(), Verdict::Better);
        assert_eq!(delta(Figure::P99, 400.0, 230.0, 20.0).verdict_text(), "B is faster");
        assert_eq!(delta(Figure::Throughput, 400.0, 230.0, 20.0).verdict_text(), "B serves less");
        assert_eq!(delta(Figure::CostPerMonth, 100.0, 173.0, 0.0).verdict_text(), "B costs more");
        assert_eq!(delta(Figure::ErrorRatio, 0.02, 0.01, 0.001).verdict_text(), "B fails less");
        assert_eq!(delta(Figure::P99, 400.0, 390.0, 20.0).verdict_text(), "no difference we can tell");
    }

    #[test]
    fn a_delta_reads_with_its_sign_unit_and_paired_interval() {
        assert_eq!(
            delta(Figure::P99, 400.0, 230.0, 20.0).sentence(),
            "p99 \u{2212}170 ms (\u{2212}190 \u{2026} \u{2212}150)"
        );
        assert_eq!(delta(Figure::CostPerMonth, 100.0, 173.0, 0.0).interval_text(), "+$73/mo (in every pair)");
        assert_eq!(delta(Figure::Mean, 10.0, 9.5, 1.0).interval_text(), "\u{2212}0.5 ms (\u{2212}1.5 \u{2026} +0.5)");
        assert_eq!(
            delta(Figure::ErrorRatio, 0.02, 0.01, 0.001).interval_text(),
            "\u{2212}1.00 % (\u{2212}1.10 \u{2026} \u{2212}0.90)"
        );
        assert_eq!(delta(Figure::Throughput, 300.0, 300.0, 0.0).interval_text(), "0.00 req/s");
        assert_eq!(Figure::Throughput.value_text(1234.4), "1234 req/s");
        assert_eq!(Figure::ErrorRatio.value_text(0.0052), "0.52 %");
        assert_eq!(Figure::CostPerMonth.value_text(1113.2), "$1,113/mo");
        assert_eq!(Figure::CostPerMonth.delta_text(-123_456.0), "\u{2212}$123,456/mo");
        assert_eq!(Figure::CostPerMonth.value_text(748.0), "$748/mo");
        assert_eq!(Figure::CostPerMonth.delta_text(-0.001), "$0.00/mo", "no sign on a rounded zero");
    }

    #[test]
    fn the_headline_names_what_differs_and_leaves_out_a_cost_nobody_pays() {
        let mut c = Comparison {
            a: "a".into(),
            b: "b".into(),
            replications: 10,
            duration_s: 60.0,
            warmup_s: 6.0,
            seeds: Vec::new(),
            figures: vec![
                delta(Figure::Throughput, 300.0, 300.0, 0.1),
                delta(Figure::P90, 300.0, 200.0, 5.0),
                delta(Figure::P99, 400.0, 230.0, 20.0),
                delta(Figure::ErrorRatio, 0.0, 0.0, 0.0),
                delta(Figure::CostPerMonth, 0.0, 0.0, 0.0),
            ],
        };
        assert!(!c.has_cost());
        assert_eq!(c.summary_figures().count(), 3, "no p90, no cost");
        assert_eq!(c.headline(), "p99 \u{2212}170 ms (\u{2212}190 \u{2026} \u{2212}150)");
        c.figures[4] = delta(Figure::CostPerMonth, 100.0, 173.0, 0.0);
        assert_eq!(c.summary_figures().count(), 4);
        assert!(c.headline().starts_with("Cost +$73/mo"), "{}", c.headline());
        c.figures[2] = delta(Figure::P99, 400.0, 400.0, 20.0);
        c.figures[4] = delta(Figure::CostPerMonth, 100.0, 100.0, 0.0);
        assert_eq!(c.headline(), "No difference we can tell in p99, throughput, errors or cost.");
    }

    #[test]
    fn the_pairing_text_says_how_much_narrower() {
        let text = delta(Figure::P99, 400.0, 230.0, 20.0).pairing_text();
        assert!(text.contains("\u{b1}20.0 ms against \u{b1}80.0 ms") && text.contains("4.0\u{d7} narrower"), "{text}");
    }
}
