//! A parameter sweep: "how do p99 and cost move as I add workers?"
//!
//! A sweep changes named parameters of one scenario over lists of values
//! (`app.workers=4,8,16`, `users.rate=500..5000 step 500`), runs every
//! combination (the cartesian product, or the lists side by side with
//! `zip`), each point `replications` times, and reports per point the key
//! figures as a mean with a 95 % confidence interval. `docs/sweep.md` is the
//! user's account of it.
//!
//! - **Fields** are a typed, closed set per component ([`NodeField`],
//!   [`EdgeField`], [`ScenarioField`]) rather than paths poked into serde
//!   values: each knows how to set itself (a distribution's mean scales the
//!   whole distribution, keeping its shape), what range it takes, and a
//!   misspelt one is an error that lists the fields the node has.
//! - **Validation first**: every point's scenario is built and checked with
//!   [`ValidScenario::new`] before anything runs ([`plan`]), as
//!   [`super::check_steps`] does for the ramp: a bad last point fails at
//!   once, not after the others ran for nothing.
//! - **Seeds**: with one replication a point runs with the scenario's own
//!   seed (a plain `archsim run` of that point); with `n ≥ 2`, replication
//!   `i` uses [`replication_seed`]`(seed, i)` as `archsim run
//!   --replications` does. Every point uses the same seeds: the points
//!   differ by their settings, not by their luck (common random numbers).
//! - **Threads**: points × replications run on a rayon pool of the caller's
//!   size and are collected in order, so the result is the same, bit for
//!   bit, on any number of threads.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::ramp::STEP_SLICE_EVENTS;
use super::replications::{CONFIDENCE, Estimate, replication_seed};
use super::stats::t_quantile;
use crate::scenario::{
    Arrivals, CacheMode, ComponentKind, DistributionSpec, LbPolicy, NodeKind, Scenario, ValidScenario,
};
use crate::sim::{Report, SimTime, Simulation};

/// Most values one `--set` may list or a range may make.
pub const MAX_VALUES: usize = 1000;

/// Most points a sweep may have (the product of its lists' lengths).
pub const MAX_POINTS: usize = 1000;

/// Most replications per point.
pub const MAX_REPLICATIONS: usize = 10_000;

/// Largest whole number a value may carry exactly (2^53): beyond it an
/// `f64` skips integers, and a seed would silently change.
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

/// Why a sweep could not run. Every message names the path it is about.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SweepError {
    #[error("`{text}`: expected PATH=VALUES, such as `app.workers=4,8,16` or `users.rate=500..5000 step 500`")]
    BadSetting { text: String },
    #[error("`{path}`: {why}")]
    BadValues { path: String, why: String },
    #[error("`{path}`: there is no node `{node}` (nodes: {})", .nodes.join(", "))]
    UnknownNode { path: String, node: String, nodes: Vec<String> },
    #[error("`{path}`: there is no edge from `{from}` to `{to}`")]
    UnknownEdge { path: String, from: String, to: String },
    #[error("`{path}`: {} {kind} has no settable field `{field}` (it has: {})", article(.kind), .fields.join(", "))]
    UnknownField { path: String, kind: String, field: String, fields: Vec<&'static str> },
    #[error("`{path}` = {value}: {why}")]
    OutOfRange { path: String, value: f64, why: String },
    #[error("`{path}`: `{value}` is not one of its choices ({})", .choices.join(", "))]
    UnknownChoice { path: String, value: String, choices: Vec<&'static str> },
    #[error("`{path}` is set twice")]
    Duplicate { path: String },
    #[error("a sweep needs at least one --set")]
    NothingToSweep,
    #[error("--zip needs lists of the same length, got {}", .lengths.iter().map(|(p, n)| format!("{n} for `{p}`")).collect::<Vec<_>>().join(", "))]
    ZipLengths { lengths: Vec<(String, usize)> },
    #[error("the sweep has {points} points, more than the {MAX_POINTS} allowed: use fewer values or --zip")]
    TooManyPoints { points: usize },
    #[error("replications per point must number between 1 and {MAX_REPLICATIONS}, got {count}")]
    BadReplications { count: usize },
    #[error(
        "point {} ({label}): each run must last more than 0 s and longer than its warm-up (run {duration_s} s, warm-up {warmup_s} s)",
        .point + 1
    )]
    BadDuration { point: usize, label: String, duration_s: f64, warmup_s: f64 },
    #[error("point {} ({label}): the scenario is not valid: {}", .point + 1, .problems.join("; "))]
    InvalidPoint { point: usize, label: String, problems: Vec<String> },
    #[error("cannot start {threads} threads: {why}")]
    Threads { threads: usize, why: String },
    #[error("job {job} is not in the sweep (it has {jobs} jobs)")]
    NoSuchJob { job: usize, jobs: usize },
    #[error("cannot fingerprint the scenario: {why}")]
    Fingerprint { why: String },
}

/// `a` or `an` before a kind's name.
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

/// A settable field of the whole scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScenarioField {
    /// The seed every run derives its random numbers from.
    Seed,
    /// Simulated seconds each run lasts.
    DurationS,
}

/// A settable field of a node, by component. Distribution fields set the
/// distribution's mean and scale the rest with it (see [`scale_to_mean`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NodeField {
    Workers,
    Instances,
    QueueCapacity,
    ServiceTimeMean,
    Connections,
    ReadReplicas,
    Shards,
    QueryTimeMean,
    /// An LRU cache's capacity, in keys.
    Capacity,
    /// A queue's capacity, in messages.
    QueueMessages,
    Consumers,
    /// An open-loop client's base rate, requests/s.
    Rate,
    /// A closed-loop client's users.
    Users,
    TimeoutMs,
    HealthCheckDelayS,
    /// A choice: a load balancer's policy (one of [`POLICY_CHOICES`]).
    Policy,
    /// A choice: the shape of a service's work time, its mean kept (one
    /// of [`SHAPE_CHOICES`]): exponential against constant is M/M/c
    /// against M/D/c.
    ServiceTimeShape,
    /// A choice: the shape of a database's query time, its mean kept.
    QueryTimeShape,
}

/// A load balancer's policies, by the names the scenario format uses.
pub const POLICY_CHOICES: [&str; 8] = [
    "RoundRobin",
    "Random",
    "LeastConnections",
    "PowerOfTwoChoices",
    "Weighted",
    "ConsistentHash",
    "Nearest",
    "Failover",
];

/// Shapes a time's distribution can be swept over, its mean kept.
pub const SHAPE_CHOICES: [&str; 2] = ["Exponential", "Constant"];

/// A settable field of an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EdgeField {
    TimeoutMs,
    /// The mean of the edge's one-way latency (a constant when it had none).
    LatencyMs,
}

/// What a path points at, resolved against the scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Scenario(ScenarioField),
    Node { node: String, field: NodeField },
    Edge { from: String, to: String, field: EdgeField },
}

impl Field {
    /// The names a choice field takes, in order; `None` for a number. A
    /// point's value for a choice is the index of its name here, so every
    /// point stays a list of numbers (shards, merges and CSVs alike) and
    /// [`SweepResult::value_text`] writes the name back.
    pub fn choices(&self) -> Option<&'static [&'static str]> {
        match self {
            Field::Node { field: NodeField::Policy, .. } => Some(&POLICY_CHOICES),
            Field::Node { field: NodeField::ServiceTimeShape | NodeField::QueryTimeShape, .. } => Some(&SHAPE_CHOICES),
            _ => None,
        }
    }

    /// `value` as a point's label writes it: the choice's name, or the number.
    pub fn value_text(&self, value: f64) -> String {
        choice_name(self.choices(), value).map_or_else(|| value.to_string(), str::to_string)
    }
}

/// The name at index `value` of `choices`, if it is one.
fn choice_name(choices: Option<&'static [&'static str]>, value: f64) -> Option<&'static str> {
    name_at(choices?, value)
}

/// `names[value]` when `value` is a whole index into them.
fn name_at<S: AsRef<str>>(names: &[S], value: f64) -> Option<&str> {
    let index = (value.fract() == 0.0 && value >= 0.0).then_some(value as usize)?;
    names.get(index).map(AsRef::as_ref)
}

/// The names of the settable fields of each kind of node, with what they
/// set. A field may have a second spelling (`service_time.mean_ms`).
fn node_fields(kind: ComponentKind) -> &'static [(&'static str, NodeField)] {
    match kind {
        ComponentKind::Service => &[
            ("workers", NodeField::Workers),
            ("instances", NodeField::Instances),
            ("queue_capacity", NodeField::QueueCapacity),
            ("service_time", NodeField::ServiceTimeMean),
            ("service_time.shape", NodeField::ServiceTimeShape),
        ],
        ComponentKind::Database => &[
            ("connections", NodeField::Connections),
            ("read_replicas", NodeField::ReadReplicas),
            ("shards", NodeField::Shards),
            ("queue_capacity", NodeField::QueueCapacity),
            ("query_time", NodeField::QueryTimeMean),
            ("query_time.shape", NodeField::QueryTimeShape),
        ],
        ComponentKind::Cache => &[("capacity", NodeField::Capacity)],
        ComponentKind::Queue => &[("consumers", NodeField::Consumers), ("capacity", NodeField::QueueMessages)],
        ComponentKind::Client => {
            &[("rate", NodeField::Rate), ("users", NodeField::Users), ("timeout_ms", NodeField::TimeoutMs)]
        }
        ComponentKind::LoadBalancer => {
            &[("health_check_delay_s", NodeField::HealthCheckDelayS), ("policy", NodeField::Policy)]
        }
    }
}

const EDGE_FIELDS: [(&str, EdgeField); 2] =
    [("timeout_ms", EdgeField::TimeoutMs), ("latency_ms", EdgeField::LatencyMs)];

/// Resolves `path` against `scenario`: `seed`, `duration_s`,
/// `NODE.FIELD` or `FROM->TO.FIELD`.
pub fn resolve(scenario: &Scenario, path: &str) -> Result<Field, SweepError> {
    let path = path.trim();
    match path {
        "seed" => return Ok(Field::Scenario(ScenarioField::Seed)),
        "duration_s" => return Ok(Field::Scenario(ScenarioField::DurationS)),
        _ => {}
    }
    if let Some((from, rest)) = path.split_once("->") {
        let (to, field) = rest.split_once('.').ok_or_else(|| unknown_edge_field(path, ""))?;
        let (from, to) = (from.trim(), to.trim());
        if !scenario.edges.iter().any(|e| e.from == from && e.to == to) {
            return Err(SweepError::UnknownEdge { path: path.into(), from: from.into(), to: to.into() });
        }
        let field = EDGE_FIELDS
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, f)| *f)
            .ok_or_else(|| unknown_edge_field(path, field))?;
        return Ok(Field::Edge { from: from.into(), to: to.into(), field });
    }
    let Some((node_id, field)) = path.split_once('.') else {
        return Err(SweepError::UnknownField {
            path: path.into(),
            kind: "scenario".into(),
            field: path.into(),
            fields: vec!["seed", "duration_s", "NODE.FIELD", "FROM->TO.FIELD"],
        });
    };
    let Some(node) = scenario.nodes.iter().find(|n| n.id == node_id) else {
        return Err(SweepError::UnknownNode {
            path: path.into(),
            node: node_id.into(),
            nodes: scenario.nodes.iter().map(|n| n.id.clone()).collect(),
        });
    };
    let kind = node.kind.component();
    let fields = node_fields(kind);
    // A distribution's mean may be written out: `service_time.mean_ms`.
    let name = field.strip_suffix(".mean_ms").unwrap_or(field);
    let found = fields.iter().find(|(n, f)| *n == name && (name == field || is_distribution(*f)));
    match found {
        Some((_, f)) => Ok(Field::Node { node: node_id.into(), field: *f }),
        None => Err(SweepError::UnknownField {
            path: path.into(),
            kind: kind.label().to_lowercase(),
            field: field.into(),
            fields: fields.iter().map(|(n, _)| *n).collect(),
        }),
    }
}

fn is_distribution(field: NodeField) -> bool {
    matches!(field, NodeField::ServiceTimeMean | NodeField::QueryTimeMean)
}

fn unknown_edge_field(path: &str, field: &str) -> SweepError {
    SweepError::UnknownField {
        path: path.into(),
        kind: "edge".into(),
        field: field.into(),
        fields: EDGE_FIELDS.iter().map(|(n, _)| *n).collect(),
    }
}

/// A field of a node the app offers to sweep: its path, its value now and
/// values to start from.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepableField {
    /// The field's name as a path ends (`workers`, `service_time`).
    pub name: &'static str,
    /// `NODE.FIELD`, as `--set` takes it.
    pub path: String,
    pub field: Field,
    /// Its value in the scenario, when it has one (a queue may be unbounded).
    pub current: Option<f64>,
    /// Values around it to start from, in [`parse_values`]' syntax.
    pub suggested: String,
}

/// The fields of `node` a sweep can set, the most natural first (a
/// client's rate, a service's workers, a database's connections…); fields
/// that do not apply to it (a closed-loop client's rate, a fixed-hit-rate
/// cache's capacity, the mean of a distribution that has none) are left
/// out. Empty for a node that is not in the scenario.
pub fn sweepable_fields(scenario: &Scenario, node: &str) -> Vec<SweepableField> {
    let Some(spec) = scenario.node(node) else { return Vec::new() };
    let kind = spec.kind.component();
    node_fields(kind)
        .iter()
        .filter_map(|&(name, field)| {
            let current = current_value(&spec.kind, field)?;
            let suggested = suggest(scenario, node, field, current);
            Some(SweepableField {
                name,
                path: format!("{node}.{name}"),
                field: Field::Node { node: node.into(), field },
                current,
                suggested,
            })
        })
        .collect()
}

/// A field's value now: `Some(None)` for an unset optional one, `None`
/// for a field that does not apply to this node.
#[expect(clippy::option_option, reason = "not applicable differs from applicable but unset")]
fn current_value(kind: &NodeKind, field: NodeField) -> Option<Option<f64>> {
    let n = |v: u32| Some(Some(f64::from(v)));
    let opt = |v: Option<u32>| Some(v.map(f64::from));
    let mean = |d: &DistributionSpec| scale_to_mean(d, 1.0).and(d.mean_ms()).map(Some);
    match (kind, field) {
        (NodeKind::Service(s), NodeField::Workers) => n(s.workers),
        (NodeKind::Service(s), NodeField::Instances) => n(s.instances),
        (NodeKind::Service(s), NodeField::QueueCapacity) => opt(s.queue_capacity),
        (NodeKind::Service(s), NodeField::ServiceTimeMean) => mean(&s.service_time),
        (NodeKind::Database(d), NodeField::Connections) => n(d.connections),
        (NodeKind::Database(d), NodeField::ReadReplicas) => n(d.read_replicas),
        (NodeKind::Database(d), NodeField::Shards) => n(d.shards),
        (NodeKind::Database(d), NodeField::QueueCapacity) => opt(d.queue_capacity),
        (NodeKind::Database(d), NodeField::QueryTimeMean) => mean(&d.query_time),
        (NodeKind::Cache(c), NodeField::Capacity) => match c.mode {
            CacheMode::Lru { capacity, .. } => Some(Some(capacity as f64)),
            CacheMode::FixedHitRate { .. } => None,
        },
        (NodeKind::Queue(q), NodeField::Consumers) => n(q.consumers),
        (NodeKind::Queue(q), NodeField::QueueMessages) => n(q.capacity),
        (NodeKind::Client(c), NodeField::Rate) => match c.arrivals {
            Arrivals::Closed { .. } => None,
            Arrivals::Bursty { .. } if c.arrivals.base_rate().is_none_or(|r| r <= 0.0) => None,
            _ => Some(c.arrivals.base_rate()),
        },
        (NodeKind::Client(c), NodeField::Users) => match c.arrivals {
            Arrivals::Closed { users, .. } => n(users),
            _ => None,
        },
        (NodeKind::Client(c), NodeField::TimeoutMs) => Some(c.timeout_ms),
        (NodeKind::LoadBalancer(b), NodeField::HealthCheckDelayS) => Some(Some(b.health_check_delay_s)),
        // A choice (policy, shape) has no number: the app's dialog, whose
        // chart plots numbers, does not offer it; `--set` does.
        _ => None,
    }
}

/// Values to start a sweep of `field` from, around its value now. A
/// client's rate of a design theory models (one Poisson client, one
/// M/M/c station) goes from a tenth to nine tenths of the station's
/// capacity: the knee.
fn suggest(scenario: &Scenario, node: &str, field: NodeField, current: Option<f64>) -> String {
    use NodeField as F;
    let counts = |x: f64, low: f64| {
        let x = x.max(1.0);
        if x <= 4.0 {
            return format!("{low}..8");
        }
        let mut values: Vec<f64> = [0.25, 0.5, 0.75, 1.0, 1.5, 2.0].iter().map(|k| (k * x).round().max(low)).collect();
        values.dedup();
        values.iter().map(|v| format!("{v}")).collect::<Vec<_>>().join(",")
    };
    let around = |x: f64| {
        let step = round_sig(x / 4.0);
        format!("{}..{} step {step}", step, round_sig(step * 8.0))
    };
    match (field, current) {
        (F::Rate, _) => match super::knee::mmc_model(scenario) {
            Ok(model) if model.client == node => {
                let step = round_sig(model.capacity_rps() / 10.0);
                format!("{step}..{} step {step}", round_sig(step * 9.0))
            }
            _ => around(current.filter(|r| *r > 0.0).unwrap_or(100.0)),
        },
        (F::ReadReplicas, _) => "0..4".into(),
        (F::Shards, _) => "1..8".into(),
        (F::Workers | F::Instances | F::Connections | F::Consumers | F::Users, x) => counts(x.unwrap_or(1.0), 1.0),
        (F::QueueCapacity, Some(x)) if x > 0.0 => counts(x, 0.0),
        (F::QueueCapacity, _) => "0,10,50,100,500".into(),
        (F::TimeoutMs, None) => "100,200,500,1000,2000".into(),
        (F::Capacity | F::QueueMessages, x) => counts(x.unwrap_or(100.0), 1.0),
        (F::HealthCheckDelayS, x) => around(x.filter(|v| *v > 0.0).unwrap_or(10.0)),
        (F::ServiceTimeMean | F::QueryTimeMean | F::TimeoutMs, x) => around(x.filter(|v| *v > 0.0).unwrap_or(10.0)),
        // Choices are swept from the command line only (the dialog's
        // chart has a numeric axis): `current_value` never offers them.
        (F::Policy | F::ServiceTimeShape | F::QueryTimeShape, _) => String::new(),
    }
}

/// `x` with three significant digits, as a short number (`7.5`, `2500`).
fn round_sig(x: f64) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return 1.0;
    }
    let digits = 2 - x.log10().floor() as i32;
    let scale = 10f64.powi(digits);
    (x * scale).round() / scale
}

/// Parses a list of values: `4,8,16`, or a range `500..5000 step 500`
/// (the end included when a step lands on it; `step` 1 when left out).
/// A range's values are rounded to the decimals its numbers were written
/// with, so `0.1..0.3 step 0.1` is `0.1, 0.2, 0.3`, not `0.30000000000000004`.
pub fn parse_values(text: &str) -> Result<Vec<f64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("no values: write a list `4,8,16` or a range `500..5000 step 500`".into());
    }
    if let Some((start, rest)) = text.split_once("..") {
        let (end, step) = match rest.split_once("step") {
            Some((end, step)) => (end, step),
            None => (rest, "1"),
        };
        let (start, end, step) = (start.trim(), end.trim(), step.trim());
        let (a, b, s) = (number(start)?, number(end)?, number(step)?);
        if s <= 0.0 {
            return Err(format!("the step must be above 0, got {step}"));
        }
        if b < a {
            return Err(format!("a range goes up: its end ({end}) is below its start ({start})"));
        }
        let steps = ((b - a) / s * (1.0 + 1e-12)).floor();
        if !steps.is_finite() || steps + 1.0 > MAX_VALUES as f64 {
            return Err(format!("the range makes more than {MAX_VALUES} values: use a larger step"));
        }
        let decimals = decimals(start).max(decimals(step));
        return Ok((0..=steps as usize).map(|i| round_to(a + i as f64 * s, decimals)).collect());
    }
    let values: Vec<f64> = text.split(',').map(|v| number(v.trim())).collect::<Result<_, _>>()?;
    if values.len() > MAX_VALUES {
        return Err(format!("{} values, more than the {MAX_VALUES} allowed", values.len()));
    }
    Ok(values)
}

fn number(text: &str) -> Result<f64, String> {
    let value: f64 = text.replace('_', "").parse().map_err(|_| format!("`{text}` is not a number"))?;
    if value.is_finite() { Ok(value) } else { Err(format!("`{text}` is not a finite number")) }
}

/// Digits after the decimal point of a number as written (0 for `1e3`).
fn decimals(text: &str) -> usize {
    match text.split_once('.') {
        Some((_, fraction)) if !text.contains(['e', 'E']) => fraction.len(),
        _ => 0,
    }
}

fn round_to(value: f64, decimals: usize) -> f64 {
    format!("{value:.decimals$}").parse().unwrap_or(value)
}

/// One swept parameter: its path as written, what it sets, its values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    pub path: String,
    pub field: Field,
    pub values: Vec<f64>,
}

impl Axis {
    /// Parses `PATH=VALUES` and resolves the path against `scenario`.
    pub fn parse(scenario: &Scenario, text: &str) -> Result<Axis, SweepError> {
        let (path, values) = text.split_once('=').ok_or_else(|| SweepError::BadSetting { text: text.to_string() })?;
        let path = path.trim().to_string();
        if path.is_empty() {
            return Err(SweepError::BadSetting { text: text.to_string() });
        }
        let field = resolve(scenario, &path)?;
        let values = match field.choices() {
            Some(choices) => parse_choices(&path, values, choices)?,
            None => parse_values(values).map_err(|why| SweepError::BadValues { path: path.clone(), why })?,
        };
        Ok(Axis { path, field, values })
    }
}

/// `RoundRobin,LeastConnections`: each name's index in `choices`.
fn parse_choices(path: &str, text: &str, choices: &'static [&'static str]) -> Result<Vec<f64>, SweepError> {
    let names: Vec<&str> = text.split(',').map(str::trim).collect();
    if names.iter().any(|n| n.is_empty()) {
        return Err(SweepError::BadValues {
            path: path.into(),
            why: format!("write the choices as a list, such as `{},{}`", choices[0], choices[1]),
        });
    }
    names
        .into_iter()
        .map(|name| {
            choices.iter().position(|c| *c == name).map(|i| i as f64).ok_or_else(|| SweepError::UnknownChoice {
                path: path.into(),
                value: name.into(),
                choices: choices.to_vec(),
            })
        })
        .collect()
}

/// What to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepSpec {
    pub axes: Vec<Axis>,
    /// The lists side by side (point `i` takes every list's `i`-th value)
    /// instead of every combination.
    pub zip: bool,
    /// Runs per point, 1 to [`MAX_REPLICATIONS`].
    pub replications: usize,
    /// Simulated seconds each run lasts, unless `duration_s` is swept.
    pub duration_s: f64,
    /// Simulated seconds at the start of each run left out of its figures;
    /// `None`: a tenth of the run.
    pub warmup_s: Option<f64>,
}

/// The values of every point, in order: the cartesian product with the
/// first axis varying slowest, or the lists zipped.
pub fn points(axes: &[Axis], zip: bool) -> Result<Vec<Vec<f64>>, SweepError> {
    if axes.is_empty() {
        return Err(SweepError::NothingToSweep);
    }
    for (i, axis) in axes.iter().enumerate() {
        if axes[..i].iter().any(|a| a.field == axis.field) {
            return Err(SweepError::Duplicate { path: axis.path.clone() });
        }
    }
    if zip {
        let n = axes[0].values.len();
        if axes.iter().any(|a| a.values.len() != n) {
            return Err(SweepError::ZipLengths {
                lengths: axes.iter().map(|a| (a.path.clone(), a.values.len())).collect(),
            });
        }
        return Ok((0..n).map(|i| axes.iter().map(|a| a.values[i]).collect()).collect());
    }
    let count = axes.iter().try_fold(1usize, |acc, a| acc.checked_mul(a.values.len()));
    match count {
        Some(n) if n <= MAX_POINTS => {}
        other => return Err(SweepError::TooManyPoints { points: other.unwrap_or(usize::MAX) }),
    }
    let mut out: Vec<Vec<f64>> = vec![Vec::new()];
    for axis in axes {
        out = out.iter().flat_map(|prefix| axis.values.iter().map(move |v| with(prefix, *v))).collect();
    }
    Ok(out)
}

fn with(prefix: &[f64], value: f64) -> Vec<f64> {
    let mut v = prefix.to_vec();
    v.push(value);
    v
}

/// `path=value, path=value`: a point as the messages and the table say it.
pub fn point_label(axes: &[Axis], values: &[f64]) -> String {
    let mut out = String::new();
    for (axis, value) in axes.iter().zip(values) {
        if !out.is_empty() {
            out.push_str(", ");
        }
        let _ = write!(out, "{}={}", axis.path, axis.field.value_text(*value));
    }
    out
}

/// A whole number in `[low, high]`, or why not.
fn whole(path: &str, value: f64, low: f64, high: f64) -> Result<f64, SweepError> {
    if value.fract() == 0.0 && value >= low && value <= high {
        Ok(value)
    } else {
        Err(SweepError::OutOfRange {
            path: path.into(),
            value,
            why: format!("must be a whole number from {low} to {high}"),
        })
    }
}

/// A number of at least 0 (or above 0 when `zero_ok` is false), or why not.
fn non_negative(path: &str, value: f64, zero_ok: bool) -> Result<f64, SweepError> {
    if value > 0.0 || (zero_ok && value == 0.0) {
        Ok(value)
    } else {
        let low = if zero_ok { "0 or more" } else { "above 0" };
        Err(SweepError::OutOfRange { path: path.into(), value, why: format!("must be {low}") })
    }
}

/// `spec` scaled so its mean is `mean_ms`, keeping its shape: every
/// time parameter multiplied by the same factor (a constant or an
/// exponential is simply set). `None` when the distribution has no mean to
/// scale from (a Pareto with shape ≤ 1, or a mean of 0).
pub fn scale_to_mean(spec: &DistributionSpec, mean_ms: f64) -> Option<DistributionSpec> {
    use DistributionSpec as D;
    match spec {
        D::Constant { .. } => return Some(D::Constant { ms: mean_ms }),
        D::Exponential { .. } => return Some(D::Exponential { mean_ms }),
        _ => {}
    }
    let old = spec.mean_ms().filter(|m| m.is_finite() && *m > 0.0)?;
    let k = mean_ms / old;
    Some(match spec.clone() {
        D::Constant { .. } | D::Exponential { .. } => return None,
        D::Uniform { min_ms, max_ms } => D::Uniform { min_ms: min_ms * k, max_ms: max_ms * k },
        D::Normal { mean_ms: m, stddev_ms } => D::Normal { mean_ms: m * k, stddev_ms: stddev_ms * k },
        D::LogNormal { mean_ms: m, stddev_ms } => D::LogNormal { mean_ms: m * k, stddev_ms: stddev_ms * k },
        D::LogNormalPercentiles { p50_ms, p99_ms } => {
            D::LogNormalPercentiles { p50_ms: p50_ms * k, p99_ms: p99_ms * k }
        }
        D::Pareto { scale_ms, shape } => D::Pareto { scale_ms: scale_ms * k, shape },
        D::Weibull { scale_ms, shape } => D::Weibull { scale_ms: scale_ms * k, shape },
        D::Gamma { shape, scale_ms } => D::Gamma { shape, scale_ms: scale_ms * k },
        D::Empirical { values_ms } => D::Empirical { values_ms: values_ms.iter().map(|v| v * k).collect() },
    })
}

fn mean_of(path: &str, spec: &DistributionSpec, value: f64) -> Result<DistributionSpec, SweepError> {
    let value = non_negative(path, value, true)?;
    scale_to_mean(spec, value).ok_or_else(|| SweepError::OutOfRange {
        path: path.into(),
        value,
        why: format!("{} has no finite mean above 0 to scale from", spec.label()),
    })
}

const U32_MAX: f64 = u32::MAX as f64;

/// Sets one field of `scenario` to `value`. The range checked here is the
/// field's type's; [`ValidScenario::new`] then checks the scenario's limits.
pub fn apply(scenario: &mut Scenario, path: &str, field: &Field, value: f64) -> Result<(), SweepError> {
    let mismatch = |why: &str| SweepError::OutOfRange { path: path.into(), value, why: why.into() };
    match field {
        Field::Scenario(ScenarioField::Seed) => scenario.seed = whole(path, value, 0.0, MAX_EXACT)? as u64,
        Field::Scenario(ScenarioField::DurationS) => scenario.duration_s = non_negative(path, value, false)?,
        Field::Edge { from, to, field } => {
            let edge = scenario
                .edges
                .iter_mut()
                .find(|e| &e.from == from && &e.to == to)
                .ok_or_else(|| SweepError::UnknownEdge { path: path.into(), from: from.clone(), to: to.clone() })?;
            match field {
                EdgeField::TimeoutMs => edge.timeout_ms = Some(non_negative(path, value, false)?),
                EdgeField::LatencyMs => {
                    edge.latency = Some(match &edge.latency {
                        Some(spec) => mean_of(path, spec, value)?,
                        None => DistributionSpec::Constant { ms: non_negative(path, value, true)? },
                    });
                }
            }
        }
        Field::Node { node, field } => {
            let spec = scenario.nodes.iter_mut().find(|n| &n.id == node).ok_or_else(|| SweepError::UnknownNode {
                path: path.into(),
                node: node.clone(),
                nodes: Vec::new(),
            })?;
            let int = |low: f64| whole(path, value, low, U32_MAX).map(|v| v as u32);
            match (&mut spec.kind, field) {
                (NodeKind::Service(s), NodeField::Workers) => s.workers = int(1.0)?,
                (NodeKind::Service(s), NodeField::Instances) => s.instances = int(1.0)?,
                (NodeKind::Service(s), NodeField::QueueCapacity) => s.queue_capacity = Some(int(0.0)?),
                (NodeKind::Service(s), NodeField::ServiceTimeMean) => {
                    s.service_time = mean_of(path, &s.service_time, value)?;
                }
                (NodeKind::Database(d), NodeField::Connections) => d.connections = int(1.0)?,
                (NodeKind::Database(d), NodeField::ReadReplicas) => d.read_replicas = int(0.0)?,
                (NodeKind::Database(d), NodeField::Shards) => d.shards = int(1.0)?,
                (NodeKind::Database(d), NodeField::QueueCapacity) => d.queue_capacity = Some(int(0.0)?),
                (NodeKind::Database(d), NodeField::QueryTimeMean) => {
                    d.query_time = mean_of(path, &d.query_time, value)?;
                }
                (NodeKind::Cache(c), NodeField::Capacity) => match &mut c.mode {
                    CacheMode::Lru { capacity, .. } => *capacity = whole(path, value, 1.0, MAX_EXACT)? as u64,
                    CacheMode::FixedHitRate { .. } => {
                        return Err(mismatch("a cache with a fixed hit rate has no capacity (only an LRU cache has)"));
                    }
                },
                (NodeKind::Queue(q), NodeField::Consumers) => q.consumers = int(1.0)?,
                (NodeKind::Queue(q), NodeField::QueueMessages) => q.capacity = int(1.0)?,
                (NodeKind::Client(c), NodeField::Rate) => {
                    set_rate(&mut c.arrivals, non_negative(path, value, true)?).map_err(|why| mismatch(&why))?;
                }
                (NodeKind::Client(c), NodeField::Users) => match &mut c.arrivals {
                    Arrivals::Closed { users, .. } => *users = int(1.0)?,
                    _ => return Err(mismatch("an open-loop client has no users: sweep its `rate`")),
                },
                (NodeKind::Client(c), NodeField::TimeoutMs) => c.timeout_ms = Some(non_negative(path, value, false)?),
                (NodeKind::LoadBalancer(b), NodeField::HealthCheckDelayS) => {
                    b.health_check_delay_s = non_negative(path, value, true)?;
                }
                (NodeKind::LoadBalancer(b), NodeField::Policy) => {
                    let name = choice_name(Some(&POLICY_CHOICES), value).ok_or_else(|| mismatch("not a policy"))?;
                    b.policy = LbPolicy::ALL
                        .into_iter()
                        .find(|p| format!("{p:?}") == name)
                        .ok_or_else(|| mismatch("not a policy"))?;
                }
                (NodeKind::Service(s), NodeField::ServiceTimeShape) => {
                    s.service_time = with_shape(&s.service_time, value).map_err(|why| mismatch(&why))?;
                }
                (NodeKind::Database(d), NodeField::QueryTimeShape) => {
                    d.query_time = with_shape(&d.query_time, value).map_err(|why| mismatch(&why))?;
                }
                (kind, _) => {
                    let kind = kind.component();
                    return Err(SweepError::UnknownField {
                        path: path.into(),
                        kind: kind.label().to_lowercase(),
                        field: path.split_once('.').map_or(path, |(_, f)| f).into(),
                        fields: node_fields(kind).iter().map(|(n, _)| *n).collect(),
                    });
                }
            }
        }
    }
    Ok(())
}

/// `spec` with the shape at index `value` of [`SHAPE_CHOICES`], its mean
/// kept: the same load, only the variability changes.
fn with_shape(spec: &DistributionSpec, value: f64) -> Result<DistributionSpec, String> {
    let mean_ms = spec
        .mean_ms()
        .filter(|m| m.is_finite() && *m >= 0.0)
        .ok_or_else(|| format!("{} has no finite mean to keep", spec.label()))?;
    match choice_name(Some(&SHAPE_CHOICES), value) {
        Some("Exponential") => Ok(DistributionSpec::Exponential { mean_ms }),
        Some("Constant") => Ok(DistributionSpec::Constant { ms: mean_ms }),
        _ => Err("not a shape".into()),
    }
}

/// Sets an open-loop client's base rate: a bursty client's two rates are
/// scaled together, keeping the shape of its bursts.
fn set_rate(arrivals: &mut Arrivals, value: f64) -> Result<(), String> {
    match arrivals {
        Arrivals::Poisson { rate } | Arrivals::Constant { rate } => *rate = value,
        Arrivals::Bursty { .. } => {
            let base = arrivals.base_rate().unwrap_or(0.0);
            let Arrivals::Bursty { rate_on, rate_off, .. } = arrivals else { return Ok(()) };
            if base <= 0.0 || !base.is_finite() {
                return Err("a bursty client at rate 0 cannot be scaled to a rate".into());
            }
            *rate_on *= value / base;
            *rate_off *= value / base;
        }
        Arrivals::Closed { .. } => return Err("a closed-loop client has no rate: sweep its `users`".into()),
    }
    Ok(())
}

/// One point ready to run: its values and its checked scenario (the
/// duration and warm-up in place; the seed is the point's).
#[derive(Debug, Clone)]
pub struct PlannedPoint {
    pub values: Vec<f64>,
    pub scenario: Scenario,
}

/// Builds every point's scenario and validates each before anything runs.
pub fn plan(scenario: &Scenario, spec: &SweepSpec) -> Result<Vec<PlannedPoint>, SweepError> {
    if !(1..=MAX_REPLICATIONS).contains(&spec.replications) {
        return Err(SweepError::BadReplications { count: spec.replications });
    }
    let values = points(&spec.axes, spec.zip)?;
    let mut planned = Vec::with_capacity(values.len());
    for (i, point) in values.into_iter().enumerate() {
        let mut copy = scenario.clone();
        copy.duration_s = spec.duration_s;
        for (axis, value) in spec.axes.iter().zip(&point) {
            apply(&mut copy, &axis.path, &axis.field, *value)?;
        }
        copy.warmup_s = spec.warmup_s.unwrap_or(copy.duration_s / 10.0);
        if !(copy.duration_s.is_finite() && copy.duration_s > 0.0 && copy.warmup_s >= 0.0)
            || copy.warmup_s >= copy.duration_s
        {
            return Err(SweepError::BadDuration {
                point: i,
                label: point_label(&spec.axes, &point),
                duration_s: copy.duration_s,
                warmup_s: copy.warmup_s,
            });
        }
        if let Err(problems) = ValidScenario::new(copy.clone()) {
            return Err(SweepError::InvalidPoint {
                point: i,
                label: point_label(&spec.axes, &point),
                problems: problems.into_iter().map(|p| p.message).collect(),
            });
        }
        planned.push(PlannedPoint { values: point, scenario: copy });
    }
    Ok(planned)
}

/// One node's utilisation at a point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeUtilisation {
    pub node: String,
    pub utilisation: Estimate,
}

/// What one run of a point measured (since its warm-up).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointRun {
    pub seed: u64,
    pub throughput_rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub error_ratio: f64,
    pub cost_per_hour_usd: f64,
    /// Every node with a pool, in the scenario's order, and its utilisation.
    pub utilisation: Vec<(String, f64)>,
}

/// One point of the sweep: its values and its figures over its runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    /// Position of the point (0-based).
    pub index: usize,
    /// The swept values, in the order of [`SweepResult::parameters`].
    pub values: Vec<f64>,
    pub seed: u64,
    pub duration_s: f64,
    pub warmup_s: f64,
    pub throughput_rps: Estimate,
    pub p50_ms: Estimate,
    pub p99_ms: Estimate,
    pub error_ratio: Estimate,
    pub cost_per_hour_usd: Estimate,
    /// The node with the highest mean utilisation, when a node has a pool.
    pub busiest: Option<NodeUtilisation>,
    /// Every node with a pool, in the scenario's order.
    pub nodes: Vec<NodeUtilisation>,
    /// Each run's own figures, in replication order.
    pub runs: Vec<PointRun>,
}

/// A whole sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepResult {
    pub scenario: String,
    /// The paths swept, in the order of each point's `values`.
    pub parameters: Vec<String>,
    /// `cartesian` (every combination) or `zip` (the lists side by side).
    pub mode: String,
    pub replications: usize,
    /// 0.95.
    pub confidence: f64,
    /// `t(0.975, replications − 1)`, the intervals' multiplier (0 with one
    /// replication: no interval).
    pub t_quantile: f64,
    pub points: Vec<SweepPoint>,
    /// For each parameter that is a choice, its names in order: a point's
    /// value for it is the index of its name. Empty for a number, and left
    /// out of the JSON when nothing swept is a choice.
    #[serde(default, skip_serializing_if = "no_choices")]
    pub choices: Vec<Vec<String>>,
}

fn no_choices(choices: &[Vec<String>]) -> bool {
    choices.iter().all(Vec::is_empty)
}

impl SweepResult {
    /// Parameter `parameter`'s `value` in words: a choice's name, or the number.
    pub fn value_text(&self, parameter: usize, value: f64) -> String {
        let names = self.choices.get(parameter).map_or(&[][..], Vec::as_slice);
        name_at(names, value).map_or_else(|| value.to_string(), str::to_string)
    }
}

/// What the figures of a point need from its plan once its runs are done:
/// its values and the seed, run length and warm-up its runs used. A
/// sharded sweep carries these in every partial result
/// ([`super::shard::SweepPlan`]), so the merge can summarise without the
/// scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointPlan {
    pub values: Vec<f64>,
    pub seed: u64,
    pub duration_s: f64,
    pub warmup_s: f64,
}

impl From<&PlannedPoint> for PointPlan {
    fn from(p: &PlannedPoint) -> PointPlan {
        PointPlan {
            values: p.values.clone(),
            seed: p.scenario.seed,
            duration_s: p.scenario.duration_s,
            warmup_s: p.scenario.warmup_s,
        }
    }
}

/// Jobs of a sweep: one per point and replication. Job `k` is replication
/// `k % replications` of point `k / replications`, so jobs in index order
/// are the runs in point then replication order.
pub fn job_count(points: usize, replications: usize) -> usize {
    points * replications
}

/// The seed job `k` runs with: the point's own with one replication, the
/// replications' seeds with more (see the module's "Seeds").
pub fn job_seed(point_seed: u64, replications: usize, replication: usize) -> u64 {
    if replications >= 2 { replication_seed(point_seed, replication) } else { point_seed }
}

/// Runs the sweep: plans and checks every point, then runs points ×
/// replications on a pool of `threads` threads (`None`: one per core).
/// `progress(done, total)` is called after each run, from whichever
/// thread finished it.
pub fn run_sweep(
    scenario: &Scenario,
    spec: &SweepSpec,
    threads: Option<usize>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<SweepResult, SweepError> {
    run_sweep_while(scenario, spec, threads, progress, &|| true).map(|r| r.unwrap_or_else(|| empty(scenario, spec)))
}

/// [`run_sweep`] that stops when `keep_going` turns false: it is asked
/// before each job and between slices of [`STEP_SLICE_EVENTS`] events
/// within one, so a cancel lands within a fraction of a second even in a
/// long run. `Ok(None)`: stopped, nothing to show (a part of a sweep would
/// mislead: its last points would have fewer replications). A sweep that
/// runs to its end gives [`run_sweep`]'s result, bit for bit.
pub fn run_sweep_while(
    scenario: &Scenario,
    spec: &SweepSpec,
    threads: Option<usize>,
    progress: &(dyn Fn(usize, usize) + Sync),
    keep_going: &(dyn Fn() -> bool + Sync),
) -> Result<Option<SweepResult>, SweepError> {
    let planned = plan(scenario, spec)?;
    let jobs: Vec<usize> = (0..job_count(planned.len(), spec.replications)).collect();
    let Some(runs) = run_jobs_while(&planned, spec, &jobs, threads, progress, keep_going)? else {
        return Ok(None);
    };
    let points: Vec<PointPlan> = planned.iter().map(PointPlan::from).collect();
    Ok(Some(aggregate(&scenario.name, spec, &points, runs)))
}

/// A sweep without points (never returned by a sweep left to run).
fn empty(scenario: &Scenario, spec: &SweepSpec) -> SweepResult {
    aggregate(&scenario.name, spec, &[], Vec::new())
}

/// Runs the jobs `jobs` (indices as in [`job_count`]) of a planned sweep
/// on a pool of `threads` threads and returns their runs in the order of
/// `jobs`, whatever the thread count. Each job is independent: its figures
/// depend only on its point and its seed, so a job run alone (in another
/// process, on another machine: [`super::shard`]) gives the same bits.
pub fn run_jobs(
    planned: &[PlannedPoint],
    spec: &SweepSpec,
    jobs: &[usize],
    threads: Option<usize>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<PointRun>, SweepError> {
    run_jobs_while(planned, spec, jobs, threads, progress, &|| true).map(Option::unwrap_or_default)
}

/// [`run_jobs`] that stops when `keep_going` turns false (asked before
/// each job and between slices of one); `Ok(None)` when it stopped.
pub fn run_jobs_while(
    planned: &[PlannedPoint],
    spec: &SweepSpec,
    jobs: &[usize],
    threads: Option<usize>,
    progress: &(dyn Fn(usize, usize) + Sync),
    keep_going: &(dyn Fn() -> bool + Sync),
) -> Result<Option<Vec<PointRun>>, SweepError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| SweepError::Threads { threads: threads.unwrap_or(0), why: e.to_string() })?;
    let n = spec.replications;
    let total = jobs.len();
    progress(0, total);
    let done = AtomicUsize::new(0);
    pool.install(|| {
        jobs.par_iter()
            .map(|&k| {
                let (p, i) = (k / n, k % n);
                let point = planned.get(p).ok_or(SweepError::NoSuchJob { job: k, jobs: planned.len() * n })?;
                if !keep_going() {
                    return Ok(None);
                }
                let run = run_point(point, p, &spec.axes, n, i, keep_going)?;
                if run.is_some() {
                    progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                }
                Ok(run)
            })
            .collect::<Result<Option<Vec<_>>, _>>()
    })
}

/// The sweep's result from every job's run, in job order: each point's
/// estimates over its runs. The one-process sweep and the merge of a
/// sharded one both end here, so they give the same result, bit for bit.
/// `runs` must hold `points.len() × spec.replications` runs.
pub fn aggregate(scenario_name: &str, spec: &SweepSpec, points: &[PointPlan], runs: Vec<PointRun>) -> SweepResult {
    let n = spec.replications;
    let t = if n >= 2 { t_quantile(0.5 + CONFIDENCE / 2.0, (n - 1) as u32) } else { 0.0 };
    let mut runs = runs.into_iter();
    let points = points
        .iter()
        .enumerate()
        .map(|(index, p)| summarise_point(index, p, runs.by_ref().take(n).collect(), t))
        .collect();
    SweepResult {
        scenario: scenario_name.to_string(),
        parameters: spec.axes.iter().map(|a| a.path.clone()).collect(),
        mode: if spec.zip { "zip" } else { "cartesian" }.into(),
        replications: n,
        confidence: CONFIDENCE,
        t_quantile: t,
        points,
        choices: spec
            .axes
            .iter()
            .map(|a| a.field.choices().unwrap_or_default().iter().map(|c| (*c).to_string()).collect())
            .collect(),
    }
}

/// Runs replication `i` of a point: its own seed with one replication,
/// the replications' seeds with more.
/// `None` when `keep_going` turned false before the run's end.
fn run_point(
    point: &PlannedPoint,
    index: usize,
    axes: &[Axis],
    n: usize,
    i: usize,
    keep_going: &(dyn Fn() -> bool + Sync),
) -> Result<Option<PointRun>, SweepError> {
    let mut copy = point.scenario.clone();
    copy.seed = job_seed(copy.seed, n, i);
    let seed = copy.seed;
    let end = SimTime::from_secs(copy.duration_s);
    let valid = ValidScenario::new(copy).map_err(|problems| SweepError::InvalidPoint {
        point: index,
        label: point_label(axes, &point.values),
        problems: problems.into_iter().map(|p| p.message).collect(),
    })?;
    let mut sim = Simulation::from_valid(valid);
    // In slices: the same events in the same order as one `run_until`
    // (a slice short of its bound has reached `end`), with a look at
    // `keep_going` between slices.
    loop {
        if !keep_going() {
            return Ok(None);
        }
        if sim.run_until_bounded(end, STEP_SLICE_EVENTS) < STEP_SLICE_EVENTS {
            break;
        }
    }
    Ok(Some(run_of(seed, &sim.report())))
}

fn run_of(seed: u64, report: &Report) -> PointRun {
    let e2e = &report.end_to_end;
    PointRun {
        seed,
        throughput_rps: e2e.throughput_rps,
        p50_ms: e2e.latency.p50_ms,
        p99_ms: e2e.latency.p99_ms,
        error_ratio: e2e.error_ratio,
        cost_per_hour_usd: report.cost.per_hour_usd,
        utilisation: report
            .nodes
            .iter()
            .filter(|n| n.kind != ComponentKind::Client)
            .filter_map(|n| n.stats.utilisation.map(|u| (n.id.clone(), u)))
            .collect(),
    }
}

fn summarise_point(index: usize, point: &PointPlan, runs: Vec<PointRun>, t: f64) -> SweepPoint {
    let est = |get: &dyn Fn(&PointRun) -> f64| Estimate::of(&runs.iter().map(get).collect::<Vec<_>>(), t);
    // Every run of a point has the same nodes with a pool, in order.
    let names: Vec<String> =
        runs.first().map(|r| r.utilisation.iter().map(|(n, _)| n.clone()).collect()).unwrap_or_default();
    let nodes: Vec<NodeUtilisation> = names
        .into_iter()
        .enumerate()
        .map(|(j, node)| NodeUtilisation { node, utilisation: est(&|r| r.utilisation.get(j).map_or(0.0, |(_, u)| *u)) })
        .collect();
    let busiest = nodes.iter().max_by(|a, b| a.utilisation.mean.total_cmp(&b.utilisation.mean)).cloned();
    SweepPoint {
        index,
        values: point.values.clone(),
        seed: point.seed,
        duration_s: point.duration_s,
        warmup_s: point.warmup_s,
        throughput_rps: est(&|r| r.throughput_rps),
        p50_ms: est(&|r| r.p50_ms),
        p99_ms: est(&|r| r.p99_ms),
        error_ratio: est(&|r| r.error_ratio),
        cost_per_hour_usd: est(&|r| r.cost_per_hour_usd),
        busiest,
        nodes,
        runs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_includes_its_end_when_a_step_lands_on_it() {
        assert_eq!(parse_values("500..2000 step 500"), Ok(vec![500.0, 1000.0, 1500.0, 2000.0]));
        assert_eq!(parse_values("1..10 step 4"), Ok(vec![1.0, 5.0, 9.0]));
        assert_eq!(parse_values("2..4"), Ok(vec![2.0, 3.0, 4.0]));
        assert_eq!(parse_values("3..3 step 1"), Ok(vec![3.0]));
    }

    #[test]
    fn a_range_of_decimals_is_rounded_as_written() {
        assert_eq!(parse_values("0.1..0.5 step 0.1"), Ok(vec![0.1, 0.2, 0.3, 0.4, 0.5]));
        assert_eq!(parse_values("0..1 step 0.25"), Ok(vec![0.0, 0.25, 0.5, 0.75, 1.0]));
    }

    #[test]
    fn lists_take_commas_and_spaces() {
        assert_eq!(parse_values("4, 8,16"), Ok(vec![4.0, 8.0, 16.0]));
        assert_eq!(parse_values("2.5"), Ok(vec![2.5]));
        assert_eq!(parse_values("1_000"), Ok(vec![1000.0]));
    }

    #[test]
    fn bad_ranges_and_lists_say_why() {
        assert!(parse_values("").is_err());
        assert!(parse_values("4,,8").is_err());
        assert!(parse_values("four").is_err());
        assert!(parse_values("1..10 step 0").expect_err("step 0").contains("step"));
        assert!(parse_values("1..10 step -1").is_err());
        assert!(parse_values("10..1 step 1").expect_err("downwards").contains("below"));
        assert!(parse_values("1..inf step 1").is_err());
        assert!(parse_values("0..1000000 step 1").expect_err("too many").contains("1000"));
        assert_eq!(parse_values("1..1000 step 1").map(|v| v.len()), Ok(1000));
    }

    #[test]
    fn a_node_offers_its_natural_field_first_with_values_that_parse() {
        let scenario = crate::scenario::parse_scenario(
            r#"(name: "fields", seed: 1, duration_s: 10,
                nodes: [
                    (id: "users", kind: Client(arrivals: Poisson(rate: 20))),
                    (id: "api", kind: Service(workers: 8, service_time: LogNormalPercentiles(p50_ms: 5, p99_ms: 50))),
                    (id: "db", kind: Database(connections: 20, query_time: Exponential(mean_ms: 3))),
                    (id: "mm1", kind: Service(workers: 1, service_time: Exponential(mean_ms: 10))),
                ],
                edges: [(from: "users", to: "api"), (from: "api", to: "db"), (from: "api", to: "mm1")])"#,
            "fields.ron",
        )
        .expect("valid");
        let names = |node: &str| sweepable_fields(&scenario, node).iter().map(|f| f.name).collect::<Vec<_>>();
        assert_eq!(names("users"), ["rate", "timeout_ms"], "an open-loop client has no users");
        assert_eq!(names("api")[0], "workers");
        assert_eq!(names("db")[0], "connections");
        assert!(names("nobody").is_empty());
        for node in ["users", "api", "db", "mm1"] {
            for f in sweepable_fields(&scenario, node) {
                let values = parse_values(&f.suggested).unwrap_or_else(|e| panic!("{}: {}: {e}", f.path, f.suggested));
                assert!(values.len() >= 4, "{}: {values:?}", f.path);
                assert_eq!(resolve(&scenario, &f.path), Ok(f.field.clone()));
            }
        }
        let workers = &sweepable_fields(&scenario, "api")[0];
        assert_eq!((workers.current, workers.suggested.as_str()), (Some(8.0), "2,4,6,8,12,16"));
    }

    #[test]
    fn a_client_of_an_mm1_is_offered_the_knee() {
        let scenario = crate::scenario::parse_scenario(
            r#"(name: "mm1", seed: 1, duration_s: 10,
                nodes: [
                    (id: "users", kind: Client(arrivals: Poisson(rate: 20))),
                    (id: "server", kind: Service(workers: 2, service_time: Exponential(mean_ms: 10))),
                ],
                edges: [(from: "users", to: "server")])"#,
            "mm1.ron",
        )
        .expect("valid");
        let rate = &sweepable_fields(&scenario, "users")[0];
        assert_eq!(rate.suggested, "20..180 step 20", "a tenth to nine tenths of 200/s");
    }

    #[test]
    fn a_distribution_scaled_to_a_mean_keeps_its_shape() {
        let d = DistributionSpec::LogNormalPercentiles { p50_ms: 5.0, p99_ms: 50.0 };
        let old = d.mean_ms().expect("finite");
        let scaled = scale_to_mean(&d, 2.0 * old).expect("scalable");
        assert_eq!(scaled, DistributionSpec::LogNormalPercentiles { p50_ms: 10.0, p99_ms: 100.0 });
        let g = scale_to_mean(&DistributionSpec::Gamma { shape: 2.0, scale_ms: 5.0 }, 30.0).expect("scalable");
        assert!((g.mean_ms().expect("finite") - 30.0).abs() < 1e-9);
        assert_eq!(
            scale_to_mean(&DistributionSpec::Exponential { mean_ms: 3.0 }, 7.0),
            Some(DistributionSpec::Exponential { mean_ms: 7.0 })
        );
        assert_eq!(scale_to_mean(&DistributionSpec::Pareto { scale_ms: 1.0, shape: 0.9 }, 7.0), None);
    }

    #[test]
    fn zipped_lists_must_have_the_same_length() {
        let axis = |path: &str, values: Vec<f64>| Axis {
            path: path.into(),
            field: Field::Node { node: path.into(), field: NodeField::Workers },
            values,
        };
        let a = axis("a", vec![1.0, 2.0, 3.0]);
        let b = axis("b", vec![4.0, 5.0]);
        assert_eq!(points(&[a.clone(), b.clone()], false).map(|p| p.len()), Ok(6));
        assert_eq!(points(&[a.clone(), b.clone()], false).map(|p| p[1].clone()), Ok(vec![1.0, 5.0]));
        assert!(matches!(points(&[a.clone(), b], true), Err(SweepError::ZipLengths { .. })));
        let c = axis("c", vec![7.0, 8.0, 9.0]);
        assert_eq!(points(&[a.clone(), c], true), Ok(vec![vec![1.0, 7.0], vec![2.0, 8.0], vec![3.0, 9.0]]));
        assert!(matches!(points(&[a.clone(), a], false), Err(SweepError::Duplicate { .. })));
    }
}
