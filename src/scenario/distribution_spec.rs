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
        self.parameter_problems().into_iter().map(|(_, message)| message).collect()
    }

    /// Every way this spec is invalid, each with the parameter it concerns
    /// (so a loader can point at it) and a sentence saying what was
    /// expected and what was found.
    pub fn parameter_problems(&self) -> Vec<(&'static str, String)> {
        use super::limits::MAX_MS;
        let mut out = Vec::new();
        /// Checks a duration in milliseconds: at least 0 (or above 0), at most `MAX_MS`.
        fn duration(out: &mut Vec<(&'static str, String)>, name: &'static str, v: f64, zero_ok: bool) -> bool {
            let low_ok = if zero_ok { v >= 0.0 } else { v > 0.0 };
            if low_ok && v <= MAX_MS {
                return true;
            }
            let low = if zero_ok { "0 or more" } else { "more than 0" };
            out.push((name, format!("`{name}` must be {low} and at most {} ms, got {}", thousands(MAX_MS), show(v))));
            false
        }
        match self {
            Self::Constant { ms } => {
                duration(&mut out, "ms", *ms, true);
            }
            Self::Uniform { min_ms, max_ms } => {
                let ok = duration(&mut out, "min_ms", *min_ms, true) & duration(&mut out, "max_ms", *max_ms, true);
                if ok && min_ms > max_ms {
                    out.push(("min_ms", format!("`min_ms` ({min_ms}) must not be larger than `max_ms` ({max_ms})")));
                }
            }
            Self::Exponential { mean_ms } => {
                duration(&mut out, "mean_ms", *mean_ms, true);
            }
            Self::Normal { mean_ms, stddev_ms } => {
                duration(&mut out, "mean_ms", *mean_ms, true);
                duration(&mut out, "stddev_ms", *stddev_ms, true);
            }
            Self::LogNormal { mean_ms, stddev_ms } => {
                duration(&mut out, "mean_ms", *mean_ms, false);
                duration(&mut out, "stddev_ms", *stddev_ms, true);
            }
            Self::LogNormalPercentiles { p50_ms, p99_ms } => {
                let ok = duration(&mut out, "p50_ms", *p50_ms, false) & duration(&mut out, "p99_ms", *p99_ms, false);
                if ok && p99_ms < p50_ms {
                    out.push((
                        "p99_ms",
                        format!("`p99_ms` ({p99_ms}) must be at least `p50_ms` ({p50_ms}): a 99th percentile is never below the median"),
                    ));
                }
            }
            Self::Pareto { scale_ms, shape } | Self::Weibull { scale_ms, shape } | Self::Gamma { shape, scale_ms } => {
                duration(&mut out, "scale_ms", *scale_ms, false);
                if !(*shape > 0.0 && shape.is_finite()) {
                    out.push(("shape", format!("`shape` must be a number above 0, got {}", show(*shape))));
                }
            }
            Self::Empirical { values_ms } => {
                if values_ms.is_empty() {
                    out.push(("values_ms", "`values_ms` needs at least one measured value, in ms".into()));
                }
                if let Some(bad) = values_ms.iter().find(|v| !(**v >= 0.0 && **v <= MAX_MS)) {
                    out.push((
                        "values_ms",
                        format!(
                            "every value in `values_ms` must be 0 or more and at most {} ms, got {}",
                            thousands(MAX_MS),
                            show(*bad)
                        ),
                    ));
                }
            }
        }
        out
    }
}

/// A number as a learner wrote it: `NaN` and infinities spelled out.
pub(crate) fn show(v: f64) -> String {
    if v.is_nan() {
        "NaN (not a number)".into()
    } else if v.is_infinite() {
        if v > 0.0 { "infinity".into() } else { "minus infinity".into() }
    } else {
        format!("{v}")
    }
}

/// A whole number with thousands separators, `1,000,000`, as limits are quoted.
pub(crate) fn thousands(v: f64) -> String {
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 { format!("-{out}") } else { out }
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
