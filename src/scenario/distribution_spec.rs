//! How a file describes a random duration (service time, latency, think time).
//!
//! Every parameter is in milliseconds, the unit engineers think in. The
//! engine turns a spec into a sampler in [`crate::sim::Distribution`].

use serde::{Deserialize, Serialize};

/// A distribution of durations, written the way an engineer states one:
/// a mean and a spread, or a median and a tail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum DistributionSpec {
    /// Always the same value.
    Constant { ms: f64 },
    /// Uniform between two bounds.
    Uniform { min_ms: f64, max_ms: f64 },
    /// Exponential (memoryless) with the given mean: the M in M/M/1.
    Exponential { mean_ms: f64 },
    /// Normal with the given mean and standard deviation, truncated at zero
    /// (a negative draw is drawn again).
    Normal { mean_ms: f64, stddev_ms: f64 },
    /// Log-normal set by its mean and standard deviation.
    LogNormal { mean_ms: f64, stddev_ms: f64 },
    /// Log-normal set by its median and 99th percentile: how latency SLOs
    /// are usually quoted.
    LogNormalPercentiles { p50_ms: f64, p99_ms: f64 },
    /// Pareto (heavy tail) with minimum `scale_ms` and tail index `shape`.
    Pareto { scale_ms: f64, shape: f64 },
    /// Weibull with scale and shape (shape < 1: heavy tail, > 1: light).
    Weibull { scale_ms: f64, shape: f64 },
    /// Gamma with shape k and scale θ (mean = k·θ).
    Gamma { shape: f64, scale_ms: f64 },
    /// Draw uniformly from a list of measured values.
    Empirical { values_ms: Vec<f64> },
}

impl DistributionSpec {
    /// The mean in milliseconds, where it exists in closed form.
    ///
    /// Used by the inspector, validation hints and the queueing-theory tests.
    pub fn mean_ms(&self) -> Option<f64> {
        match self {
            Self::Constant { ms } => Some(*ms),
            Self::Uniform { min_ms, max_ms } => Some((min_ms + max_ms) / 2.0),
            Self::Exponential { mean_ms } => Some(*mean_ms),
            // The truncation at zero shifts the mean a little; for the
            // usual mean ≫ stddev case this is exact to many digits.
            Self::Normal { mean_ms, .. } => Some(*mean_ms),
            Self::LogNormal { mean_ms, .. } => Some(*mean_ms),
            Self::LogNormalPercentiles { p50_ms, p99_ms } => {
                let (mu, sigma) = lognormal_params_from_percentiles(*p50_ms, *p99_ms)?;
                Some((mu + sigma * sigma / 2.0).exp())
            }
            Self::Pareto { scale_ms, shape } => (*shape > 1.0).then(|| shape * scale_ms / (shape - 1.0)),
            Self::Weibull { scale_ms, shape } => Some(scale_ms * crate::sim::math::gamma_fn(1.0 + 1.0 / shape)),
            Self::Gamma { shape, scale_ms } => Some(shape * scale_ms),
            Self::Empirical { values_ms } => {
                (!values_ms.is_empty()).then(|| values_ms.iter().sum::<f64>() / values_ms.len() as f64)
            }
        }
    }

    /// A short human label, e.g. `exp(mean 10 ms)`.
    pub fn label(&self) -> String {
        match self {
            Self::Constant { ms } => format!("{ms} ms"),
            Self::Uniform { min_ms, max_ms } => format!("uniform {min_ms}–{max_ms} ms"),
            Self::Exponential { mean_ms } => format!("exp(mean {mean_ms} ms)"),
            Self::Normal { mean_ms, stddev_ms } => format!("normal({mean_ms} ± {stddev_ms} ms)"),
            Self::LogNormal { mean_ms, stddev_ms } => {
                format!("lognormal({mean_ms} ± {stddev_ms} ms)")
            }
            Self::LogNormalPercentiles { p50_ms, p99_ms } => {
                format!("lognormal(p50 {p50_ms} ms, p99 {p99_ms} ms)")
            }
            Self::Pareto { scale_ms, shape } => format!("pareto(min {scale_ms} ms, α {shape})"),
            Self::Weibull { scale_ms, shape } => format!("weibull({scale_ms} ms, k {shape})"),
            Self::Gamma { shape, scale_ms } => format!("gamma(k {shape}, θ {scale_ms} ms)"),
            Self::Empirical { values_ms } => format!("empirical({} values)", values_ms.len()),
        }
    }

    /// Every way this spec is invalid, as human sentences.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        fn check(out: &mut Vec<String>, name: &str, v: f64) {
            if !v.is_finite() || v < 0.0 {
                out.push(format!("`{name}` must be a finite number ≥ 0, got {v}"));
            }
        }
        macro_rules! non_negative {
            ($name:expr, $v:expr) => {
                check(&mut out, $name, $v)
            };
        }
        match self {
            Self::Constant { ms } => non_negative!("ms", *ms),
            Self::Uniform { min_ms, max_ms } => {
                non_negative!("min_ms", *min_ms);
                non_negative!("max_ms", *max_ms);
                if min_ms > max_ms {
                    out.push(format!("`min_ms` ({min_ms}) is larger than `max_ms` ({max_ms})"));
                }
            }
            Self::Exponential { mean_ms } => non_negative!("mean_ms", *mean_ms),
            Self::Normal { mean_ms, stddev_ms } | Self::LogNormal { mean_ms, stddev_ms } => {
                non_negative!("mean_ms", *mean_ms);
                non_negative!("stddev_ms", *stddev_ms);
                if matches!(self, Self::LogNormal { .. }) && *mean_ms <= 0.0 {
                    out.push("a log-normal needs `mean_ms` > 0".into());
                }
            }
            Self::LogNormalPercentiles { p50_ms, p99_ms } => {
                if !(*p50_ms > 0.0 && p50_ms.is_finite()) {
                    out.push(format!("`p50_ms` must be > 0, got {p50_ms}"));
                }
                if !(p99_ms >= p50_ms && p99_ms.is_finite()) {
                    out.push(format!("`p99_ms` ({p99_ms}) must be ≥ `p50_ms` ({p50_ms})"));
                }
            }
            Self::Pareto { scale_ms, shape } | Self::Weibull { scale_ms, shape } | Self::Gamma { shape, scale_ms } => {
                if !(*scale_ms > 0.0 && scale_ms.is_finite()) {
                    out.push(format!("`scale_ms` must be > 0, got {scale_ms}"));
                }
                if !(*shape > 0.0 && shape.is_finite()) {
                    out.push(format!("`shape` must be > 0, got {shape}"));
                }
            }
            Self::Empirical { values_ms } => {
                if values_ms.is_empty() {
                    out.push("`values_ms` needs at least one value".into());
                }
                for v in values_ms {
                    non_negative!("values_ms", *v);
                }
            }
        }
        out
    }
}

/// μ and σ of the underlying normal for a log-normal with the given median
/// and 99th percentile. `None` when they describe no log-normal.
pub fn lognormal_params_from_percentiles(p50_ms: f64, p99_ms: f64) -> Option<(f64, f64)> {
    /// z-score of the 99th percentile of the standard normal.
    const Z99: f64 = 2.326_347_874_040_841;
    if p50_ms <= 0.0 || p99_ms < p50_ms {
        return None;
    }
    let mu = p50_ms.ln();
    let sigma = (p99_ms / p50_ms).ln() / Z99;
    Some((mu, sigma))
}

/// μ and σ of the underlying normal for a log-normal with the given mean and
/// standard deviation.
pub fn lognormal_params_from_moments(mean_ms: f64, stddev_ms: f64) -> Option<(f64, f64)> {
    if mean_ms <= 0.0 || stddev_ms < 0.0 {
        return None;
    }
    let variance_ratio = 1.0 + (stddev_ms / mean_ms).powi(2);
    let sigma2 = variance_ratio.ln();
    Some((mean_ms.ln() - sigma2 / 2.0, sigma2.sqrt()))
}
