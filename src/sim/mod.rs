//! The discrete-event simulation engine: pure, deterministic, no GUI, no
//! threads, no wall clock.
//!
//! Build a [`Simulation`] from a [`Scenario`](crate::scenario::Scenario),
//! advance it with [`Simulation::run_until`] (or a bounded number of events
//! with [`Simulation::step`]), read [`Simulation::report`] or the windowed
//! [`Simulation::series`], and change it while it runs: parameters
//! ([`Simulation::update_node`]), faults ([`Simulation::crash_node`],
//! [`Simulation::set_slowdown`]), traffic ([`Simulation::spike`]).
//!
//! Time is integer nanoseconds; events at equal times run in insertion
//! order; every node, edge and fault draws from its own random stream
//! derived from the seed and its name. Same scenario and seed, same result.

mod arrivals;
mod cache_store;
mod call;
mod control;
mod distribution;
mod edge;
mod engine;
mod event;
mod event_queue;
mod failure;
mod faults;
mod flow;
mod live_view;
mod load_balancer;
pub mod math;
pub mod metrics;
mod node;
mod profile;
mod report;
pub mod rng;
mod station;
pub mod theory;
pub mod time;

pub use arrivals::{ArrivalProcess, MAX_EFFECTIVE_RATE_RPS};
pub use cache_store::CacheStore;
pub use control::LiveUpdate;
pub use distribution::Distribution;
pub use edge::EdgeRuntime;
pub use engine::{BuildError, MAX_CALLS_IN_FLIGHT, Simulation};
pub use event::{CallId, Event};
pub use event_queue::EventQueue;
pub use failure::{FailureReason, Outcome};
pub use faults::{FaultRuntime, SimEvent, SimEventKind};
pub use live_view::NodeLive;
pub use load_balancer::Balancer;
pub use metrics::{EdgeStats, FailureCounts, LatencySummary, Stats, TimeSeries, WindowFrame};
pub use profile::Profile;
pub use report::{Bottleneck, EdgeReport, NodeReport, Report, find_bottleneck, group_thousands};
pub use station::Station;
pub use time::SimTime;
