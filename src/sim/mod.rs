//! The discrete-event simulation engine: pure, deterministic, no GUI, no
//! threads, no wall clock.
//!
//! Build a [`Simulation`] from a [`Scenario`](crate::scenario::Scenario),
//! advance it with [`Simulation::run_until`] (or a bounded number of events
//! with [`Simulation::run_events`]), read [`Simulation::report`] or the windowed
//! [`Simulation::series`], and change it while it runs: parameters
//! ([`Simulation::update_node`]), faults ([`Simulation::crash_node`],
//! [`Simulation::set_slowdown`]), traffic ([`Simulation::spike`]).
//!
//! A simulation is `Clone`, and a clone is a snapshot: run on, it gives
//! exactly the original's numbers. [`snapshot::SnapshotStore`] keeps them
//! within a memory budget, with the [`LiveChange`]s made to the run, so a
//! run can go back to any moment and on again ([`Simulation::apply_live`]).
//!
//! Time is integer nanoseconds; events at equal times run in insertion
//! order; every node, edge and fault draws from its own random stream
//! derived from the seed and its name. Same scenario and seed, same result.

mod arrivals;
mod breaker;
mod bulkhead;
mod cache_store;
mod call;
mod call_policy;
mod control;
pub mod cost;
mod distribution;
mod edge;
mod engine;
mod event;
mod event_queue;
mod failure;
mod faults;
mod fleet;
mod flow;
mod footprint;
mod health_check;
mod idempotency;
mod link;
mod live_change;
mod live_view;
mod load_balancer;
pub(crate) mod math;
pub mod metrics;
mod node;
mod pause;
mod profile;
pub mod prometheus;
mod rate_limiter;
mod replica_scaling;
mod report;
pub(crate) mod rng;
mod scaling;
mod slo;
pub mod snapshot;
mod station;
pub mod theory;
mod throttle;
mod time;
pub mod trace;

// What the command line, the app and the tests use: the simulation, what
// it reports, and the words for its events. Everything else is the
// engine's own.
pub use arrivals::MAX_EFFECTIVE_RATE_RPS;
pub use breaker::BreakerState;
pub use control::LiveUpdate;
pub use engine::{BuildError, MAX_CALLS_IN_FLIGHT, Simulation};
pub use failure::FailureReason;
pub use faults::{SimEvent, SimEventKind};
pub use fleet::InstanceCounts;
pub use health_check::TargetOut;
pub use live_change::{LiveChange, TimedChange};
pub use live_view::{EdgePolicyCounts, NodeLive};
pub use metrics::{EdgeStats, FailureCounts, InstanceStats, LatencySummary, Stats, TimeSeries, WindowFrame};
pub use report::{
    AttemptStats, BalancerHealth, Bottleneck, EdgeReport, FaultHistory, NodeReport, Report, ShardStats,
    find_bottleneck, group_thousands,
};
pub use slo::{AlertReport, AlertSpan, SloReport};
pub use time::SimTime;

pub(crate) use arrivals::ArrivalProcess;
pub(crate) use bulkhead::BulkheadLine;
pub(crate) use cache_store::CacheStore;
pub(crate) use call_policy::{CallPolicy, RetryBudgetState, TimeoutList};
pub(crate) use distribution::Distribution;
pub(crate) use edge::EdgeRuntime;
pub(crate) use event::{CallId, Event, TimeoutOwner};
pub(crate) use event_queue::EventQueue;
pub(crate) use failure::Outcome;
pub(crate) use faults::FaultRuntime;
pub(crate) use link::{Link, Way};
pub(crate) use load_balancer::Balancer;
pub(crate) use profile::Profile;
pub(crate) use rate_limiter::RateLimiter;
pub(crate) use station::Station;
