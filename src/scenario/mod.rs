//! Scenario files: the RON format, loading, validation and errors.
//!
//! A scenario is the whole document a user edits: nodes with their
//! parameters and canvas positions, the edges between them, the run's
//! settings and a fault timeline. `docs/scenario-format.md` describes every
//! field. [`parse_scenario`] and [`load_scenario`] either return a valid
//! [`Scenario`] or every problem found, each with file, line and column.
//! [`validate`] checks a scenario built in code (the app's editor) the same
//! way; [`limits`] holds the bounds it enforces so the engine can always
//! simulate what it accepts.

mod challenge;
mod components;
mod cues;
mod diagnostic;
mod distribution_spec;
mod fault_spec;
pub mod layout;
mod library;
pub mod limits;
mod load;
mod locate;
mod payload;
mod placement;
mod pricing;
mod scenario_file;
mod slo;
mod traffic;
mod valid;
mod validate;

pub use challenge::{ChallengeSpec, GivenNode, Goal, Level, LoadSpec, Percentile};
pub use components::{
    AutoscaleSpec, CacheMode, CacheSpec, CallOrder, ClientSpec, ComponentKind, DatabaseSpec, HealthCheckSpec,
    INDEX_FANOUT, InstanceBalancing, LbPolicy, LimitPer, LoadBalancerSpec, NodeKind, OutlierEjectionSpec, QueueSpec,
    RateLimitSpec, ScaleTarget, ServiceSpec, TableSpec, WaitFor,
};
pub use cues::{CueAction, CueSpec, MAX_CUE_TEXT, MAX_CUES};
pub use diagnostic::{Diagnostic, LoadError};
pub use distribution_spec::{DistributionSpec, lognormal_params_from_moments, lognormal_params_from_percentiles};
pub use fault_spec::FaultSpec;
pub use library::{BUNDLED, BundledScenario, Topic, bundled, default_scenario};
pub use load::{
    Parsed, UnknownFields, load_scenario, parse_scenario, parse_scenario_input, parse_scenario_input_with,
    parse_scenario_with, to_ron_string,
};
pub use payload::SizeSpec;
pub use placement::{
    Area, Areas, Crossing, DEFAULT_CROSS_REGION_MS, DEFAULT_CROSS_ZONE_MS, NetworkSpec, Placement, RegionPair,
    RegionSpec, effective_latency,
};
pub use pricing::Pricing;
pub use scenario_file::{BreakerSpec, BreakerWindow, EdgeSpec, FallbackSpec, HedgeSpec, NodeSpec, Scenario};
pub use slo::{AlertRule, AlertSpec, MAX_ALERT_WINDOWS, MAX_ALERTS, MAX_SLOS, SloObjective, SloSpec};
pub use traffic::{Arrivals, KeySpec, Priority, PriorityClass, ProfileShape, RetryBudget, RetryPolicy, ThrottleSpec};
pub use valid::{FaultTarget, ValidScenario};
pub use validate::{PathSegment, Problem, validate};
