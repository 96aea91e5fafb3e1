//! How a client generates load: arrival process, how the rate changes over
//! time, timeouts, retries and request keys.

use serde::{Deserialize, Serialize};

use super::DistributionSpec;

/// The arrival process of a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Arrivals {
    /// Open loop, Poisson arrivals (exponential gaps) at `rate` requests/s.
    Poisson { rate: f64 },
    /// Open loop, perfectly regular arrivals at `rate` requests/s.
    Constant { rate: f64 },
    /// Open loop, on/off bursts: Poisson at `rate_on` during bursts and
    /// `rate_off` between them; burst and gap lengths are exponential.
    Bursty { rate_on: f64, rate_off: f64, mean_on_s: f64, mean_off_s: f64 },
    /// Closed loop: `users` each wait for their answer, think, then ask again.
    Closed { users: u32, think: DistributionSpec },
}

impl Arrivals {
    /// The base (unshaped) open-loop rate in requests/s; `None` for closed loop.
    pub fn base_rate(&self) -> Option<f64> {
        match self {
            Self::Poisson { rate } | Self::Constant { rate } => Some(*rate),
            Self::Bursty { rate_on, rate_off, mean_on_s, mean_off_s } => {
                let total = mean_on_s + mean_off_s;
                Some(if total > 0.0 { (rate_on * mean_on_s + rate_off * mean_off_s) / total } else { 0.0 })
            }
            Self::Closed { .. } => None,
        }
    }
}

/// One element of a traffic profile. The rate at time t is
/// `base × level(t) × spikes(t) × daily(t) × live multiplier`, where
/// `level` comes from the steps and ramps (1 before the first one),
/// spikes multiply while active and a daily curve multiplies throughout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ProfileShape {
    /// From `at_s` on, the level is `factor`.
    Step { at_s: f64, factor: f64 },
    /// Between `start_s` and `end_s` the level moves linearly from
    /// `from_factor` to `to_factor`, and stays at `to_factor` afterwards.
    Ramp { start_s: f64, end_s: f64, from_factor: f64, to_factor: f64 },
    /// For `duration_s` from `start_s`, the rate is multiplied by `factor`.
    Spike { start_s: f64, duration_s: f64, factor: f64 },
    /// A sine day: multiplies by `1 + amplitude·sin(2π·(t − phase_s)/period_s)`.
    Daily {
        period_s: f64,
        amplitude: f64,
        #[serde(default)]
        phase_s: f64,
    },
}

impl ProfileShape {
    /// Whether this is a spike that was over before `t` (seconds): only a
    /// spike ends; steps, ramps and daily curves shape the rest of the run.
    pub fn ended_before(&self, t: f64) -> bool {
        matches!(self, Self::Spike { start_s, duration_s, .. } if start_s + duration_s < t)
    }
}

/// Retry policy of a client, or of any caller on an edge: exponential
/// backoff with jitter, optionally within a retry budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included (1 = no retry).
    pub max_attempts: u32,
    /// Wait before the first retry.
    pub backoff_ms: f64,
    /// Each further retry waits this many times longer.
    #[serde(default = "default_multiplier")]
    pub multiplier: f64,
    /// Upper bound of one wait.
    #[serde(default = "default_max_backoff_ms")]
    pub max_backoff_ms: f64,
    /// 0 = exact waits; 1 = each wait drawn uniformly in [0, 2×wait].
    #[serde(default)]
    pub jitter: f64,
    /// Retries allowed only within a budget (absent: every failed attempt
    /// is retried up to `max_attempts`).
    #[serde(default)]
    pub budget: Option<RetryBudget>,
}

/// A retry budget, as in Finagle and gRPC: retries may add at most
/// `ratio` of the recent requests on top of them (0.1 = 10 % more load),
/// plus `min_per_s` retries per second so that a quiet caller can still
/// retry. "Recent" is the last 10 seconds. When the budget is spent a
/// failed attempt fails at once instead of being retried, so an outage
/// below costs at most `1 + ratio` times the load instead of `max_attempts`
/// times: what keeps retries from turning a blip into a storm.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryBudget {
    /// Retries per first attempt over the last 10 s (0.1 = at most 10 %).
    pub ratio: f64,
    /// Retries per second allowed whatever the traffic (Finagle's default
    /// is 10).
    #[serde(default = "default_min_retries_per_s")]
    pub min_per_s: f64,
}

fn default_min_retries_per_s() -> f64 {
    10.0
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self { ratio: 0.1, min_per_s: default_min_retries_per_s() }
    }
}

fn default_multiplier() -> f64 {
    2.0
}
fn default_max_backoff_ms() -> f64 {
    10_000.0
}

/// How much a request matters when a node is overloaded (the SRE book's
/// "criticality"): a node serves waiting critical requests first and
/// sheddable ones last, and when its line is full it drops the least
/// important waiting request to make room for a more important one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub enum PriorityClass {
    /// Losing it loses money or users (checkout, login).
    Critical,
    #[default]
    Standard,
    /// Nice to have, fine to drop under load (recommendations, prefetches).
    Sheddable,
}

impl PriorityClass {
    /// From most to least important.
    pub const ALL: [PriorityClass; 3] = [Self::Critical, Self::Standard, Self::Sheddable];

    pub fn label(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::Standard => "standard",
            Self::Sheddable => "sheddable",
        }
    }
}

/// Which priority classes a client's requests belong to: one class for
/// all, or a share of each (`Mix(critical: 0.2, sheddable: 0.3)`, the rest
/// standard unless given).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub enum Priority {
    Critical,
    #[default]
    Standard,
    Sheddable,
    /// Each request draws its class; the shares, each in [0, 1], add up to 1.
    Mix {
        #[serde(default)]
        critical: f64,
        #[serde(default)]
        standard: f64,
        #[serde(default)]
        sheddable: f64,
    },
}

impl Priority {
    /// The class of a request, given a uniform draw `u` in [0, 1) (only a
    /// mix looks at it).
    pub fn class_for(self, u: f64) -> PriorityClass {
        match self {
            Self::Critical => PriorityClass::Critical,
            Self::Standard => PriorityClass::Standard,
            Self::Sheddable => PriorityClass::Sheddable,
            Self::Mix { critical, .. } if u < critical => PriorityClass::Critical,
            Self::Mix { critical, standard, .. } if u < critical + standard => PriorityClass::Standard,
            Self::Mix { .. } => PriorityClass::Sheddable,
        }
    }

    /// Whether requests need a draw to pick their class.
    pub fn is_mix(self) -> bool {
        matches!(self, Self::Mix { .. })
    }
}

/// Adaptive client-side throttling, as the Google SRE book describes it
/// ("Handling Overload"): the client remembers how many requests it made
/// and how many its backend accepted over the last `window_s`, and refuses
/// a new request itself with probability
/// `max(0, (requests − k·accepts) / (requests + 1))`. A backend that
/// accepts only some of what it gets then receives about `k` times what
/// it accepts, not everything the client is asked for: the excess fails
/// at the client, at no cost to the backend.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThrottleSpec {
    /// How many requests per accepted one the client still sends (the
    /// book uses 2; lower throttles sooner and harder).
    #[serde(default = "default_throttle_k")]
    pub k: f64,
    /// How far back it counts requests and accepts, seconds.
    #[serde(default = "default_throttle_window_s")]
    pub window_s: f64,
}

fn default_throttle_k() -> f64 {
    2.0
}

fn default_throttle_window_s() -> f64 {
    120.0
}

impl Default for ThrottleSpec {
    fn default() -> Self {
        Self { k: default_throttle_k(), window_s: default_throttle_window_s() }
    }
}

/// Request keys drawn from a Zipf popularity over `keyspace` keys: key k
/// (1-based rank) has probability ∝ 1/k^`zipf_exponent`. With exponent 0
/// every key is equally likely.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySpec {
    pub keyspace: u64,
    #[serde(default = "default_zipf")]
    pub zipf_exponent: f64,
}

fn default_zipf() -> f64 {
    1.0
}
