//! Helpers shared by the integration tests: small scenario builders.

use archsim::scenario::{
    Arrivals, CallOrder, ClientSpec, DatabaseSpec, DistributionSpec, EdgeSpec, NodeKind, NodeSpec, RetryPolicy,
    Scenario, ServiceSpec,
};
use archsim::sim::{SimTime, Simulation};

pub fn node(id: &str, kind: NodeKind) -> NodeSpec {
    NodeSpec { id: id.into(), pos: (0.0, 0.0), zone: None, region: None, kind }
}

pub fn poisson_client(id: &str, rate: f64) -> NodeSpec {
    node(id, NodeKind::Client(ClientSpec { arrivals: Arrivals::Poisson { rate }, ..ClientSpec::default() }))
}

pub fn closed_client(id: &str, users: u32, think: DistributionSpec) -> NodeSpec {
    node(id, NodeKind::Client(ClientSpec { arrivals: Arrivals::Closed { users, think }, ..ClientSpec::default() }))
}

pub fn service(id: &str, workers: u32, queue_capacity: Option<u32>, service_time: DistributionSpec) -> NodeSpec {
    node(
        id,
        NodeKind::Service(ServiceSpec {
            workers,
            queue_capacity,
            service_time,
            error_probability: 0.0,
            blocking_calls: true,
            rate_limit: None,
            calls: CallOrder::default(),
            shed_after_ms: None,
            drop_expired: false,
            ..ServiceSpec::default()
        }),
    )
}

/// A service that frees its worker before calling downstream: stations
/// in a chain of these form a tandem queueing network.
pub fn pipeline_stage(id: &str, service_time: DistributionSpec) -> NodeSpec {
    node(
        id,
        NodeKind::Service(ServiceSpec {
            workers: 1,
            queue_capacity: None,
            service_time,
            error_probability: 0.0,
            blocking_calls: false,
            rate_limit: None,
            calls: CallOrder::default(),
            shed_after_ms: None,
            drop_expired: false,
            ..ServiceSpec::default()
        }),
    )
}

pub fn database(id: &str, connections: u32, query_time: DistributionSpec) -> NodeSpec {
    node(
        id,
        NodeKind::Database(DatabaseSpec { connections, queue_capacity: None, query_time, ..DatabaseSpec::default() }),
    )
}

pub fn exp_ms(mean_ms: f64) -> DistributionSpec {
    DistributionSpec::Exponential { mean_ms }
}

pub fn scenario(name: &str, seed: u64, window_s: f64, nodes: Vec<NodeSpec>, edges: &[(&str, &str)]) -> Scenario {
    Scenario {
        name: name.into(),
        seed,
        window_s,
        duration_s: 1e9,
        nodes,
        edges: edges.iter().map(|(a, b)| EdgeSpec::new(*a, *b)).collect(),
        ..Scenario::default()
    }
}

/// Builds and runs a scenario for `secs` of simulated time.
pub fn run(scenario: &Scenario, secs: f64) -> Simulation {
    let mut sim = Simulation::new(scenario).expect("test scenarios are valid");
    sim.run_until(SimTime::from_secs(secs));
    sim
}

/// A file with `nodes` services whose ids each appear twice, and `faults`
/// faults that alternately name an unknown node and flush a service (not a
/// cache): one problem per node and per fault, for the linear-time tests.
pub fn generated_scenario(nodes: usize, faults: usize) -> String {
    let mut text = String::from("(\n  name: \"generated\",\n  nodes: [\n");
    text.push_str("    (id: \"users\", kind: Client(arrivals: Poisson(rate: 10))),\n");
    for i in 0..nodes {
        text.push_str(&format!(
            "    (id: \"s{}\", kind: Service(workers: 1, service_time: Constant(ms: 1))),\n",
            i / 2
        ));
    }
    text.push_str("  ],\n  edges: [(from: \"users\", to: \"s0\")],\n  faults: [\n");
    for i in 0..faults {
        if i % 2 == 0 {
            text.push_str(&format!("    Crash(node: \"ghost{i}\", at_s: 1),\n"));
        } else {
            text.push_str("    Flush(node: \"s0\", at_s: 1),\n");
        }
    }
    text.push_str("  ],\n)\n");
    text
}

/// The app on `scenario` at 1280×800, with a clock the test moves and no
/// native file dialog: how the UI tests start it.
#[cfg(feature = "gui")]
pub fn app_on(
    scenario: Scenario,
) -> (egui_kittest::Harness<'static, archsim::gui::ArchsimApp>, archsim::gui::ManualClock) {
    use archsim::gui::{AppConfig, ArchsimApp, InitialDocument, ManualClock, ScriptedFileDialog};
    let clock = ManualClock::new();
    let c = clock.clone();
    let harness = egui_kittest::Harness::builder().with_size([1280.0, 800.0]).build_eframe(move |cc| {
        ArchsimApp::new(
            cc,
            AppConfig::for_tests(
                Box::new(c),
                Box::new(ScriptedFileDialog::new()),
                InitialDocument::Scenario(Box::new(scenario), None),
            ),
        )
    });
    (harness, clock)
}

/// A retry policy of `max_attempts` tries, waiting the same `backoff_ms`
/// before each retry, with no jitter and no budget: the simplest policy,
/// whose load theory counts exactly.
pub fn fixed_retry(max_attempts: u32, backoff_ms: f64) -> RetryPolicy {
    RetryPolicy { max_attempts, backoff_ms, multiplier: 1.0, max_backoff_ms: backoff_ms, jitter: 0.0, budget: None }
}

/// M/M/1 at ρ = 0.2 (λ = 20/s, μ = 100/s), 5 s runs: small enough for a
/// ramp or a sweep in the app to finish in a test.
#[cfg(feature = "gui")]
pub fn light_mm1(name: &str) -> Scenario {
    let source = format!(
        r#"(
    name: "{name}",
    seed: 5,
    duration_s: 5,
    nodes: [
        (id: "users", kind: Client(arrivals: Poisson(rate: 20))),
        (id: "server", kind: Service(workers: 1, service_time: Exponential(mean_ms: 10))),
    ],
    edges: [(from: "users", to: "server")],
)"#
    );
    archsim::scenario::parse_scenario(&source, "mm1.ron").unwrap_or_else(|e| panic!("{e}"))
}

/// 50,000 requests/s for 30 s: one run is 1.5 million requests, seconds of
/// the engine's work, so a ramp, sweep or comparison is still running when
/// a test cancels it.
#[cfg(feature = "gui")]
pub fn heavy(name: &str) -> Scenario {
    let source = format!(
        r#"(
    name: "{name}",
    seed: 5,
    duration_s: 30,
    nodes: [
        (id: "users", kind: Client(arrivals: Poisson(rate: 50000))),
        (id: "server", kind: Service(workers: 64, service_time: Exponential(mean_ms: 1))),
    ],
    edges: [(from: "users", to: "server")],
)"#
    );
    archsim::scenario::parse_scenario(&source, "heavy.ron").unwrap_or_else(|e| panic!("{e}"))
}
