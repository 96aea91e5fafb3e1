//! Measurement: counters, time-weighted levels, latency histograms and the
//! windowed time series, all bounded in memory.

mod counters;
mod level;
mod node_metrics;
mod stats;
mod window;

pub use counters::Counters;
pub use level::Level;
pub use node_metrics::{Checkpoint, NodeMetrics, Span, aggregate_stats, new_latency_histogram, summarise};
pub use stats::{EdgeStats, FailureCounts, InstanceStats, LatencySummary, Stats};
pub use window::{DEFAULT_MAX_WINDOWS, MIN_WINDOWS, SERIES_BUDGET_BYTES, TimeSeries, WindowFrame, windows_for};
