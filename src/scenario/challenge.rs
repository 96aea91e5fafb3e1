//! A challenge: a scenario with goals to meet under a scripted timeline,
//! as an interview question puts it ("p99 under 200 ms and fewer than
//! 0.1 % errors at 2,000 requests/s, through the crash of a database
//! replica at 60 s, for under $4,000 a month").
//!
//! The file holds the goals, the load the design must carry, the faults
//! of the script and the hints; `crate::challenge` runs the script and
//! grades the design, for the app's Evaluate button and the command line
//! alike.

use serde::{Deserialize, Serialize};

use super::{FaultSpec, NetworkSpec, NodeKind, Pricing};

/// The `challenge` section of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChallengeSpec {
    /// What the design must achieve, all of it, over the evaluation run
    /// after its warm-up.
    pub goals: Vec<Goal>,
    /// The traffic the design must carry: each named client's rate is set
    /// to this for the evaluation, whatever the design says, so a design
    /// cannot pass by asking for less.
    #[serde(default)]
    pub load: Vec<LoadSpec>,
    /// Nodes the challenge provides as they are (a database's speed, a
    /// third party's API): the evaluation uses these parameters whatever
    /// the design set, so a design cannot pass by making them faster.
    #[serde(default)]
    pub given: Vec<GivenNode>,
    /// Faults the evaluation adds to the scenario's own: the scripted
    /// timeline the design must survive. Nodes are named as in the
    /// starting design; keep those names.
    #[serde(default)]
    pub script: Vec<FaultSpec>,
    /// How long the evaluation runs, simulated seconds.
    #[serde(default = "default_duration")]
    pub duration_s: f64,
    /// Left out of the goals' figures at the start (the system filling
    /// up), seconds.
    #[serde(default)]
    pub warmup_s: f64,
    /// Up to three hints, from a nudge to nearly the answer, shown one at
    /// a time.
    #[serde(default)]
    pub hints: Vec<String>,
    /// How hard it is, for the library's order.
    #[serde(default)]
    pub level: Level,
    /// The evaluation's seed, whatever the design's: a borderline design
    /// cannot pass by trying seeds.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// The prices the cost goal is reckoned at (absent: the illustrative
    /// defaults), whatever the design's `pricing` says.
    #[serde(default)]
    pub pricing: Option<Pricing>,
    /// The latencies between zones and regions (absent: the defaults),
    /// whatever the design's `network` says.
    #[serde(default)]
    pub network: Option<NetworkSpec>,
}

fn default_seed() -> u64 {
    1
}

fn default_duration() -> f64 {
    120.0
}

/// A challenge's difficulty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub enum Level {
    #[default]
    Easy,
    Medium,
    Hard,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Self::Easy => "easy",
            Self::Medium => "medium",
            Self::Hard => "hard",
        }
    }
}

/// One goal, measured end to end (every client's requests together)
/// unless it names a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Goal {
    /// A latency percentile of the answered requests at most `ms`.
    Latency {
        percentile: Percentile,
        ms: f64,
        #[serde(default)]
        client: Option<String>,
    },
    /// Failed requests (after retries) at most this share of all, 0–1.
    ErrorRate {
        at_most: f64,
        #[serde(default)]
        client: Option<String>,
    },
    /// Requests answered by a fallback (degraded) at most this share of
    /// all, 0–1: a challenge that wants real answers says how few defaults
    /// it accepts.
    Degraded {
        at_most: f64,
        #[serde(default)]
        client: Option<String>,
    },
    /// Requests answered successfully per second at least this.
    Throughput {
        at_least_rps: f64,
        #[serde(default)]
        client: Option<String>,
    },
    /// The design's cost at most this many dollars a month (its average
    /// rate over the evaluation, at the scenario's prices).
    Cost { at_most_per_month: f64 },
}

/// A latency percentile a goal can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Percentile {
    P50,
    P90,
    P95,
    P99,
    P999,
}

impl Percentile {
    pub fn label(self) -> &'static str {
        match self {
            Self::P50 => "p50",
            Self::P90 => "p90",
            Self::P95 => "p95",
            Self::P99 => "p99",
            Self::P999 => "p99.9",
        }
    }
}

/// A node the challenge provides: its id in the design and its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GivenNode {
    pub id: String,
    pub kind: NodeKind,
}

/// The rate a client of the challenge sends at during the evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadSpec {
    pub client: String,
    /// Poisson arrivals at this rate, requests/s.
    pub rate: f64,
}

impl Goal {
    /// The client the goal is measured at, if not end to end.
    pub fn client(&self) -> Option<&str> {
        match self {
            Self::Latency { client, .. }
            | Self::ErrorRate { client, .. }
            | Self::Degraded { client, .. }
            | Self::Throughput { client, .. } => client.as_deref(),
            Self::Cost { .. } => None,
        }
    }

    /// The goal in words: "p99 ≤ 200 ms", "errors ≤ 0.1 % (users)".
    pub fn describe(&self) -> String {
        let whose = self.client().map_or(String::new(), |c| format!(" ({c})"));
        match self {
            Self::Latency { percentile, ms, .. } => format!("{} ≤ {} ms{whose}", percentile.label(), trim(*ms)),
            Self::ErrorRate { at_most, .. } => format!("errors ≤ {} %{whose}", trim(at_most * 100.0)),
            Self::Degraded { at_most, .. } => format!("fallback answers ≤ {} %{whose}", trim(at_most * 100.0)),
            Self::Throughput { at_least_rps, .. } => format!("throughput ≥ {} req/s{whose}", trim(*at_least_rps)),
            Self::Cost { at_most_per_month } => format!("cost ≤ ${} a month", trim(*at_most_per_month)),
        }
    }
}

/// A number without trailing zeros: 200, 0.1, 2.5.
fn trim(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goals_read_as_an_interviewer_states_them() {
        let p99 = Goal::Latency { percentile: Percentile::P99, ms: 200.0, client: None };
        assert_eq!(p99.describe(), "p99 ≤ 200 ms");
        let errors = Goal::ErrorRate { at_most: 0.001, client: Some("users".into()) };
        assert_eq!(errors.describe(), "errors ≤ 0.1 % (users)");
        assert_eq!(Goal::Cost { at_most_per_month: 4000.0 }.describe(), "cost ≤ $4000 a month");
    }
}
