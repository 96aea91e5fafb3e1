//! Scheduled and random failures in a scenario's fault timeline.

use serde::{Deserialize, Serialize};

/// One entry of the fault timeline. Times are seconds of simulated time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum FaultSpec {
    /// The node crashes at `at_s` (work in it fails, a cache loses its
    /// contents) and comes back at `restore_s` if given.
    Crash {
        node: String,
        at_s: f64,
        #[serde(default)]
        restore_s: Option<f64>,
    },
    /// The node's work takes `factor` times longer between the two times.
    Slow { node: String, factor: f64, from_s: f64, to_s: f64 },
    /// The node fails requests with an extra `probability` between the two times.
    Errors { node: String, probability: f64, from_s: f64, to_s: f64 },
    /// The node crashes at random: up times exponential with mean `mtbf_s`,
    /// repairs exponential with mean `mttr_s`.
    RandomCrashes { node: String, mtbf_s: f64, mttr_s: f64 },
    /// Everything sent over the edge `from` → `to` is lost between the times.
    Partition { from: String, to: String, from_s: f64, to_s: f64 },
    /// Every crossing of the edge `from` → `to` (the call and its answer)
    /// takes `added_ms` longer between the times: a congested or rerouted
    /// link, a slow DNS, a cross-region failover.
    Latency { from: String, to: String, added_ms: f64, from_s: f64, to_s: f64 },
    /// A cache is emptied at `at_s`.
    Flush { node: String, at_s: f64 },
    /// A client's rate is multiplied by `factor` for `duration_s` from `at_s`
    /// (the same thing as the app's spike button).
    Spike { node: String, at_s: f64, duration_s: f64, factor: f64 },
    /// The node makes no progress for `duration_s` from `at_s`: a
    /// stop-the-world garbage-collection pause (or a VM migration, a
    /// frozen container). Its work in progress is frozen and resumes where
    /// it was, arrivals still queue, and its callers' timeouts keep
    /// running: they give up and retry while it is frozen.
    Pause { node: String, at_s: f64, duration_s: f64 },
    /// Every node placed in availability zone `zone` (clients aside) goes
    /// down at `at_s`, as a crash, and comes back at `restore_s` if given:
    /// a power or network failure of a whole data centre.
    ZoneOutage {
        zone: String,
        at_s: f64,
        #[serde(default)]
        restore_s: Option<f64>,
    },
    /// Every node placed in `region` (in any of its zones, clients aside)
    /// goes down at `at_s` and comes back at `restore_s` if given.
    RegionOutage {
        region: String,
        at_s: f64,
        #[serde(default)]
        restore_s: Option<f64>,
    },
}

impl FaultSpec {
    /// The node ids this fault refers to.
    pub fn node_refs(&self) -> Vec<&str> {
        match self {
            Self::Crash { node, .. }
            | Self::Slow { node, .. }
            | Self::Errors { node, .. }
            | Self::RandomCrashes { node, .. }
            | Self::Flush { node, .. }
            | Self::Spike { node, .. }
            | Self::Pause { node, .. } => vec![node],
            Self::Partition { from, to, .. } | Self::Latency { from, to, .. } => vec![from, to],
            Self::ZoneOutage { .. } | Self::RegionOutage { .. } => Vec::new(),
        }
    }

    /// The zone or region an outage takes down, by name, with the word
    /// for it.
    pub fn area_ref(&self) -> Option<(&'static str, &str)> {
        match self {
            Self::ZoneOutage { zone, .. } => Some(("zone", zone)),
            Self::RegionOutage { region, .. } => Some(("region", region)),
            _ => None,
        }
    }

    /// The time it first takes effect, seconds (0 for random crashes).
    pub fn start_s(&self) -> f64 {
        match self {
            Self::Crash { at_s, .. }
            | Self::Flush { at_s, .. }
            | Self::Spike { at_s, .. }
            | Self::Pause { at_s, .. }
            | Self::ZoneOutage { at_s, .. }
            | Self::RegionOutage { at_s, .. } => *at_s,
            Self::Slow { from_s, .. }
            | Self::Errors { from_s, .. }
            | Self::Partition { from_s, .. }
            | Self::Latency { from_s, .. } => *from_s,
            Self::RandomCrashes { .. } => 0.0,
        }
    }
}
