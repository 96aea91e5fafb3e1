//! archsim: a system-design lab built on a validated discrete-event simulation.
//!
//! - [`scenario`]: the `.ron` scenario format, loading and validation.
//! - [`sim`]: the engine — pure and deterministic.
//! - [`diagnosis`]: why a run failed, as typed causes and advice (the verdict behind the app and the summary).
//! - [`export`]: pictures of a run (plots and canvas as PNG, the canvas as an animated GIF), headless.
//! - [`study`]: studies of many runs (a load ramp), pure like the engine.
//! - [`challenge`]: grading a design against a challenge's goals under its scripted timeline.
//! - `cli`: the headless command line.
//! - `gui` (feature `gui`): the desktop app.
//!
//! ```
//! use archsim::scenario::parse_scenario;
//! use archsim::sim::{SimTime, Simulation};
//!
//! let source = r#"(
//!     name: "M/M/1",
//!     seed: 7,
//!     nodes: [
//!         (id: "users", kind: Client(arrivals: Poisson(rate: 80))),
//!         (id: "server", kind: Service(workers: 1, service_time: Exponential(mean_ms: 10))),
//!     ],
//!     edges: [(from: "users", to: "server")],
//! )"#;
//! let scenario = parse_scenario(source, "example.ron").expect("valid scenario");
//! let mut sim = Simulation::new(&scenario).expect("buildable");
//! sim.run_until(SimTime::from_secs(200.0));
//! let server = &sim.report().nodes[1].stats;
//! // ρ = 0.8: the server is busy about 80% of the time.
//! assert!((server.utilisation.unwrap() - 0.8).abs() < 0.05);
//! ```

pub mod challenge;
pub mod cli;
pub mod diagnosis;
pub mod export;
#[cfg(feature = "gui")]
pub mod gui;
pub mod scenario;
pub mod sim;
pub mod study;
