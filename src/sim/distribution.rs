//! Samplers for durations, built once from a [`DistributionSpec`] so the hot
//! path only draws numbers.

use rand::RngExt;
use rand_distr::{Distribution as _, Exp1, Gamma, LogNormal, Pareto, StandardNormal, Weibull};

use super::rng::SimRng;
use super::time::NANOS_PER_MS;
use crate::scenario::{DistributionSpec, lognormal_params_from_moments, lognormal_params_from_percentiles};

/// A ready-to-sample duration distribution; samples are nanoseconds.
#[derive(Debug, Clone)]
pub enum Distribution {
    Constant(u64),
    Uniform { min_ns: f64, max_ns: f64 },
    Exponential { mean_ns: f64 },
    Normal { mean_ns: f64, stddev_ns: f64 },
    LogNormal(LogNormal<f64>),
    Pareto(Pareto<f64>),
    Weibull(Weibull<f64>),
    Gamma(Gamma<f64>),
    Empirical(Vec<u64>),
}

impl Distribution {
    /// Builds a sampler. Specs are validated on load; anything still
    /// degenerate here becomes a constant of its mean (or zero) rather
    /// than a panic.
    pub fn new(spec: &DistributionSpec) -> Distribution {
        const MS: f64 = NANOS_PER_MS;
        let fallback = || Distribution::Constant(ms(spec.mean_ms().unwrap_or(0.0)));
        match spec {
            DistributionSpec::Constant { ms: v } => Distribution::Constant(ms(*v)),
            DistributionSpec::Uniform { min_ms, max_ms } => {
                Distribution::Uniform { min_ns: min_ms.max(0.0) * MS, max_ns: max_ms.max(*min_ms).max(0.0) * MS }
            }
            DistributionSpec::Exponential { mean_ms } => Distribution::Exponential { mean_ns: mean_ms.max(0.0) * MS },
            DistributionSpec::Normal { mean_ms, stddev_ms } => {
                Distribution::Normal { mean_ns: mean_ms * MS, stddev_ns: stddev_ms.max(0.0) * MS }
            }
            DistributionSpec::LogNormal { mean_ms, stddev_ms } => lognormal_params_from_moments(*mean_ms, *stddev_ms)
                .and_then(|(mu, sigma)| LogNormal::new(mu + MS.ln(), sigma).ok())
                .map_or_else(fallback, Distribution::LogNormal),
            DistributionSpec::LogNormalPercentiles { p50_ms, p99_ms } => {
                lognormal_params_from_percentiles(*p50_ms, *p99_ms)
                    .and_then(|(mu, sigma)| LogNormal::new(mu + MS.ln(), sigma).ok())
                    .map_or_else(fallback, Distribution::LogNormal)
            }
            DistributionSpec::Pareto { scale_ms, shape } => {
                Pareto::new(scale_ms * MS, *shape).map_or_else(|_| fallback(), Distribution::Pareto)
            }
            DistributionSpec::Weibull { scale_ms, shape } => {
                Weibull::new(scale_ms * MS, *shape).map_or_else(|_| fallback(), Distribution::Weibull)
            }
            DistributionSpec::Gamma { shape, scale_ms } => {
                Gamma::new(*shape, scale_ms * MS).map_or_else(|_| fallback(), Distribution::Gamma)
            }
            DistributionSpec::Empirical { values_ms } if !values_ms.is_empty() => {
                Distribution::Empirical(values_ms.iter().map(|v| ms(*v)).collect())
            }
            DistributionSpec::Empirical { .. } => Distribution::Constant(0),
        }
    }

    /// A constant zero: no delay at all (lets the engine skip scheduling).
    pub fn is_zero(&self) -> bool {
        matches!(self, Distribution::Constant(0))
    }

    /// One draw, in nanoseconds.
    #[inline]
    pub fn sample(&self, rng: &mut SimRng) -> u64 {
        let nanos = match self {
            Distribution::Constant(v) => return *v,
            // Written out rather than `random_range`, which panics on an
            // infinite span; `to_nanos` saturates whatever comes out.
            Distribution::Uniform { min_ns, max_ns } => min_ns + (max_ns - min_ns) * rng.random::<f64>(),
            Distribution::Exponential { mean_ns } => {
                let e: f64 = rng.sample(Exp1);
                e * mean_ns
            }
            Distribution::Normal { mean_ns, stddev_ns } => truncated_normal(rng, *mean_ns, *stddev_ns),
            Distribution::LogNormal(d) => d.sample(rng),
            Distribution::Pareto(d) => d.sample(rng),
            Distribution::Weibull(d) => d.sample(rng),
            Distribution::Gamma(d) => d.sample(rng),
            Distribution::Empirical(values) => return values[rng.random_range(0..values.len())],
        };
        to_nanos(nanos)
    }
}

/// Normal truncated at zero: a negative draw is drawn again (a few tries,
/// then zero, so a nonsense spec cannot loop forever).
fn truncated_normal(rng: &mut SimRng, mean: f64, stddev: f64) -> f64 {
    for _ in 0..64 {
        let z: f64 = rng.sample(StandardNormal);
        let x = mean + stddev * z;
        if x >= 0.0 {
            return x;
        }
    }
    0.0
}

fn ms(v: f64) -> u64 {
    to_nanos(v * NANOS_PER_MS)
}

#[inline]
fn to_nanos(x: f64) -> u64 {
    // `as` saturates and maps NaN to 0; round to the nearest nanosecond.
    (x + 0.5) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::stream;

    fn sample_mean(spec: DistributionSpec, n: usize) -> f64 {
        let d = Distribution::new(&spec);
        let mut rng = stream(42, "test");
        (0..n).map(|_| d.sample(&mut rng) as f64).sum::<f64>() / n as f64 / NANOS_PER_MS
    }

    #[test]
    fn sample_means_match_the_specified_means() {
        let n = 200_000;
        let specs = [
            DistributionSpec::Exponential { mean_ms: 10.0 },
            DistributionSpec::Uniform { min_ms: 2.0, max_ms: 6.0 },
            DistributionSpec::LogNormal { mean_ms: 10.0, stddev_ms: 5.0 },
            DistributionSpec::LogNormalPercentiles { p50_ms: 5.0, p99_ms: 50.0 },
            DistributionSpec::Gamma { shape: 2.0, scale_ms: 3.0 },
            DistributionSpec::Weibull { scale_ms: 10.0, shape: 1.5 },
            DistributionSpec::Pareto { scale_ms: 1.0, shape: 3.0 },
            DistributionSpec::Normal { mean_ms: 20.0, stddev_ms: 2.0 },
            DistributionSpec::Empirical { values_ms: vec![1.0, 2.0, 6.0] },
        ];
        for spec in specs {
            let expected = spec.mean_ms().expect("closed-form mean");
            let got = sample_mean(spec.clone(), n);
            // Generous bound: 5% covers the sampling error of every spec here.
            assert!((got - expected).abs() / expected < 0.05, "{spec:?}: mean {got} vs {expected}");
        }
    }

    #[test]
    fn lognormal_by_percentiles_hits_its_median() {
        let d = Distribution::new(&DistributionSpec::LogNormalPercentiles { p50_ms: 5.0, p99_ms: 50.0 });
        let mut rng = stream(1, "median");
        let mut v: Vec<u64> = (0..100_001).map(|_| d.sample(&mut rng)).collect();
        v.sort_unstable();
        let median_ms = v[50_000] as f64 / NANOS_PER_MS;
        let p99_ms = v[99_000] as f64 / NANOS_PER_MS;
        assert!((median_ms - 5.0).abs() < 0.15, "median {median_ms}");
        assert!((p99_ms - 50.0).abs() < 3.0, "p99 {p99_ms}");
    }

    #[test]
    fn absurd_parameters_saturate_instead_of_panicking() {
        let mut rng = stream(2, "absurd");
        let d = Distribution::new(&DistributionSpec::Uniform { min_ms: 0.0, max_ms: 1e305 });
        let _ = d.sample(&mut rng);
    }

    #[test]
    fn truncated_normal_never_goes_negative() {
        let d = Distribution::new(&DistributionSpec::Normal { mean_ms: 1.0, stddev_ms: 5.0 });
        let mut rng = stream(3, "n");
        // u64 cannot be negative; the point is no panic and a positive mean.
        let mean = (0..10_000).map(|_| d.sample(&mut rng) as f64).sum::<f64>() / 10_000.0;
        assert!(mean > 0.0);
    }
}
