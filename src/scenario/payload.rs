//! How big a request or an answer is on one link, and how fast the link
//! is: the "JSON or Protocol Buffers" lesson (a smaller encoding is a
//! cheaper, faster link) and, with bandwidth, a link that saturates.
//!
//! Sizes are in kilobytes of 1,000 bytes, as network bills count them.

use serde::{Deserialize, Serialize};

use super::DistributionSpec;

/// A distribution of payload sizes, KB (1 KB = 1,000 bytes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SizeSpec {
    /// Always the same size: a fixed-format message.
    Constant { kb: f64 },
    /// Uniform between two sizes.
    Uniform { min_kb: f64, max_kb: f64 },
    /// Exponential with the given mean: many small, a few large.
    Exponential { mean_kb: f64 },
    /// Log-normal with the given mean and standard deviation: the usual
    /// shape of real payloads (a long tail of large answers).
    LogNormal { mean_kb: f64, stddev_kb: f64 },
}

impl SizeSpec {
    /// The mean size, KB.
    pub fn mean_kb(&self) -> f64 {
        match self {
            Self::Constant { kb } => *kb,
            Self::Uniform { min_kb, max_kb } => (min_kb + max_kb) / 2.0,
            Self::Exponential { mean_kb } | Self::LogNormal { mean_kb, .. } => *mean_kb,
        }
    }

    /// The same shape as a distribution of durations whose milliseconds
    /// are this one's kilobytes: the engine samples sizes with the
    /// duration samplers (a sampled nanosecond is then a micro-kilobyte,
    /// a thousandth of a byte).
    pub fn as_distribution(&self) -> DistributionSpec {
        match *self {
            Self::Constant { kb } => DistributionSpec::Constant { ms: kb },
            Self::Uniform { min_kb, max_kb } => DistributionSpec::Uniform { min_ms: min_kb, max_ms: max_kb },
            Self::Exponential { mean_kb } => DistributionSpec::Exponential { mean_ms: mean_kb },
            Self::LogNormal { mean_kb, stddev_kb } => {
                DistributionSpec::LogNormal { mean_ms: mean_kb, stddev_ms: stddev_kb }
            }
        }
    }

    /// Its parameters by name, for validation.
    pub fn parameters(&self) -> Vec<(&'static str, f64)> {
        match *self {
            Self::Constant { kb } => vec![("kb", kb)],
            Self::Uniform { min_kb, max_kb } => vec![("min_kb", min_kb), ("max_kb", max_kb)],
            Self::Exponential { mean_kb } => vec![("mean_kb", mean_kb)],
            Self::LogNormal { mean_kb, stddev_kb } => vec![("mean_kb", mean_kb), ("stddev_kb", stddev_kb)],
        }
    }
}

impl Default for SizeSpec {
    fn default() -> Self {
        Self::Constant { kb: 1.0 }
    }
}
