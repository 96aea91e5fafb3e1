//! `archsim bench`: how fast the engine is, on three fixed topologies, in
//! simulated requests and events per second of wall time, and how much
//! memory a run needs.
//!
//! The set mirrors the targets in the project brief (≥ 5 M requests/s on
//! M/M/1, ≥ 1 M requests/s on the five-hop web topology, < 100 MB peak for
//! a 50 M-request run), so the printed figures can be compared with them
//! directly. `docs/performance.md` records the measurements.

use std::time::Duration;

use crate::scenario::{
    Arrivals, CallOrder, ClientSpec, DistributionSpec, EdgeSpec, NodeKind, NodeSpec, Scenario, ServiceSpec, bundled,
};
use crate::sim::Simulation;

use super::output::{Stdout, to_stderr};
use super::run::run_to_end;
use super::table::{Align, Table};
use super::{BenchArgs, BenchName, CliError, format, process};

/// Requests per benchmark with `--quick`: enough to exercise every path.
const QUICK_REQUESTS: u64 = 20_000;
/// Windows a benchmark run is cut into: the time series is part of the
/// work measured, but a fixed 1 s window over hours of simulated time
/// would measure window bookkeeping instead of requests.
const WINDOWS_PER_RUN: f64 = 100.0;
/// Requests per second on M/M/1 the engine should reach.
const MM1_TARGET_RPS: f64 = 5e6;
/// Requests per second on the five-hop topology the engine should reach.
const FIVE_HOP_TARGET_RPS: f64 = 1e6;
/// Peak memory a 50 M-request run should stay under, bytes.
const MEMORY_TARGET_BYTES: u64 = 100_000_000;
/// Requests in the run the memory target is about.
const MEMORY_TARGET_REQUESTS: u64 = 50_000_000;

/// One benchmark: what it is and how long it runs by default.
struct Benchmark {
    name: BenchName,
    label: &'static str,
    /// Requests for a run of a few seconds on the reference machine.
    default_requests: u64,
    /// Requests/s it should reach, if the brief sets a target.
    target_rps: Option<f64>,
}

const BENCHMARKS: [Benchmark; 3] = [
    Benchmark {
        name: BenchName::Mm1,
        label: "M/M/1 (ρ 0.8)",
        default_requests: 10_000_000,
        target_rps: Some(MM1_TARGET_RPS),
    },
    Benchmark {
        name: BenchName::Tandem,
        label: "tandem, 3 stations (ρ 0.7)",
        default_requests: 4_000_000,
        target_rps: None,
    },
    Benchmark {
        name: BenchName::FiveHop,
        label: "five-hop web (three-tier-web)",
        default_requests: 3_000_000,
        target_rps: Some(FIVE_HOP_TARGET_RPS),
    },
];

/// What one benchmark run measured.
#[derive(Debug, Clone)]
struct Measurement {
    label: &'static str,
    /// Requests the run was sized for (`--requests`).
    requested: u64,
    /// Requests the clients actually made (Poisson: close to `requested`).
    requests: u64,
    events: u64,
    wall: Duration,
    /// CPU time the process used during the run, where the OS says.
    cpu: Option<Duration>,
    peak_bytes: Option<u64>,
}

impl Measurement {
    fn per_wall_second(&self, n: u64) -> f64 {
        n as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    /// CPU time / wall time: about 1 on an idle machine, less when other
    /// programs took the CPU during the run. `None` for runs too short for
    /// the OS's 10 ms CPU clock to say.
    fn cpu_share(&self) -> Option<f64> {
        if self.wall < Duration::from_secs(1) {
            return None;
        }
        Some(self.cpu?.as_secs_f64() / self.wall.as_secs_f64().max(1e-9))
    }
}

/// CPU share under which a run's figures are flagged as disturbed.
const UNDISTURBED_CPU_SHARE: f64 = 0.9;

/// Runs the selected benchmarks one after the other and prints the table.
pub fn bench_command(args: &BenchArgs) -> Result<(), CliError> {
    if cfg!(debug_assertions) {
        to_stderr(format_args!(
            "warning: this is a debug build; its figures say nothing about the engine. \
             Use `cargo run --release --no-default-features -- bench`."
        ));
    }
    let peak_is_per_run = process::reset_peak();
    let mut table = Table::new(&[
        ("benchmark", Align::Left),
        ("requests", Align::Right),
        ("wall", Align::Right),
        ("cpu/wall", Align::Right),
        ("requests/s", Align::Right),
        ("events/s", Align::Right),
        ("peak memory", Align::Right),
        ("target", Align::Left),
    ]);
    let mut measurements = Vec::new();
    for bench in BENCHMARKS.iter().filter(|b| args.only.is_none_or(|only| only == b.name)) {
        let requests = match (args.quick, args.requests) {
            (_, Some(n)) => n,
            (true, None) => QUICK_REQUESTS,
            (false, None) => bench.default_requests,
        };
        to_stderr(format_args!("running {} with {} requests…", bench.label, format::count(requests)));
        let scenario = benchmark_scenario(bench.name, requests)?;
        let m = measure(&scenario, bench.label, requests)?;
        let rps = m.per_wall_second(m.requests);
        table.row(vec![
            bench.label.to_string(),
            format::count(m.requests),
            format::seconds(m.wall.as_secs_f64()),
            m.cpu_share().map_or_else(|| "—".to_string(), format::percent),
            format::si(rps),
            format::si(m.per_wall_second(m.events)),
            m.peak_bytes.map_or_else(|| "n/a".to_string(), megabytes),
            bench.target_rps.map_or_else(String::new, |t| verdict(&format!("≥ {} M req/s", t / 1e6), rps >= t)),
        ]);
        measurements.push(m);
    }
    let mut text = table.render();
    text.push_str(&memory_target_line(&measurements, peak_is_per_run));
    if measurements.iter().any(|m| m.cpu_share().is_some_and(|c| c < UNDISTURBED_CPU_SHARE)) {
        text.push_str(
            "note: cpu/wall under 90 %: other programs took the CPU during a run, so its figures understate the engine\n",
        );
    }
    if args.quick {
        text.push_str("(--quick: a smoke test; the figures are noise)\n");
    }
    Stdout::new().write(&text)
}

/// Builds and runs one scenario to its end; returns what it measured.
fn measure(scenario: &Scenario, label: &'static str, requested: u64) -> Result<Measurement, CliError> {
    process::reset_peak();
    let cpu_before = process::cpu_time();
    let mut sim = Simulation::new(scenario)
        .map_err(|e| CliError::Runtime(format!("benchmark scenario `{}` does not build: {e}", scenario.name)))?;
    let wall = run_to_end(&mut sim, scenario.duration_s);
    let cpu = process::cpu_time().zip(cpu_before).map(|(after, before)| after.saturating_sub(before));
    let requests = sim.end_to_end_totals().arrivals;
    Ok(Measurement {
        label,
        requested,
        requests,
        events: sim.events_processed(),
        wall,
        cpu,
        peak_bytes: process::peak_resident_bytes(),
    })
}

/// The scenario of a benchmark, long enough for about `requests` requests.
fn benchmark_scenario(name: BenchName, requests: u64) -> Result<Scenario, CliError> {
    let mut scenario = match name {
        BenchName::Mm1 => mm1_scenario(),
        BenchName::Tandem => tandem_scenario(),
        BenchName::FiveHop => bundled("three-tier-web")
            .ok_or_else(|| CliError::Runtime("the bundled scenario `three-tier-web` is missing".into()))?
            .load()
            .map_err(|e| CliError::Runtime(format!("the bundled scenario `three-tier-web` does not load: {e}")))?,
    };
    let rate = offered_rate(&scenario)
        .ok_or_else(|| CliError::Runtime(format!("benchmark `{}` has no open-loop client", scenario.name)))?;
    scenario.duration_s = requests as f64 / rate;
    scenario.warmup_s = 0.0;
    scenario.window_s = scenario.duration_s / WINDOWS_PER_RUN;
    Ok(scenario)
}

/// Sum of the clients' base open-loop rates, requests/s.
fn offered_rate(scenario: &Scenario) -> Option<f64> {
    let rate = scenario.open_loop_rate();
    (rate > 0.0).then_some(rate)
}

/// One Poisson client at 800 requests/s into one exponential server of
/// mean 1 ms with an unbounded queue: M/M/1 at ρ = 0.8.
fn mm1_scenario() -> Scenario {
    Scenario {
        name: "bench: M/M/1".into(),
        nodes: vec![poisson_client("client", 800.0), single_server("server", 1.0, true)],
        edges: vec![EdgeSpec::new("client", "server")],
        ..Scenario::default()
    }
}

/// A Poisson client at 700 requests/s into three exponential servers of
/// mean 1 ms in a chain; each frees its worker once its own work is done
/// (`blocking_calls: false`), so the stations are independent queues: a
/// Jackson tandem network at ρ = 0.7 each.
fn tandem_scenario() -> Scenario {
    let stations = ["s1", "s2", "s3"];
    let mut nodes = vec![poisson_client("client", 700.0)];
    nodes.extend(stations.iter().map(|id| single_server(id, 1.0, false)));
    let mut edges = vec![EdgeSpec::new("client", stations[0])];
    edges.extend(stations.windows(2).map(|pair| EdgeSpec::new(pair[0], pair[1])));
    Scenario { name: "bench: tandem".into(), nodes, edges, ..Scenario::default() }
}

fn poisson_client(id: &str, rate: f64) -> NodeSpec {
    NodeSpec {
        id: id.into(),
        pos: (0.0, 0.0),
        zone: None,
        region: None,
        kind: NodeKind::Client(ClientSpec { arrivals: Arrivals::Poisson { rate }, ..ClientSpec::default() }),
    }
}

/// One worker, exponential service, unbounded queue.
fn single_server(id: &str, mean_ms: f64, blocking_calls: bool) -> NodeSpec {
    NodeSpec {
        id: id.into(),
        pos: (0.0, 0.0),
        zone: None,
        region: None,
        kind: NodeKind::Service(ServiceSpec {
            workers: 1,
            queue_capacity: None,
            service_time: DistributionSpec::Exponential { mean_ms },
            error_probability: 0.0,
            blocking_calls,
            rate_limit: None,
            calls: CallOrder::default(),
            shed_after_ms: None,
            drop_expired: false,
            ..ServiceSpec::default()
        }),
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{} MB", format::decimal(bytes as f64 / 1e6, 1))
}

fn verdict(target: &str, met: bool) -> String {
    format!("{target}: {}", if met { "met" } else { "MISSED" })
}

/// The line about the memory target: a verdict on the largest peak of the
/// runs as large as the target's, otherwise how to measure it.
fn memory_target_line(runs: &[Measurement], peak_is_per_run: bool) -> String {
    let target = format!("peak memory < {} MB for a 50 M-request run", MEMORY_TARGET_BYTES / 1_000_000);
    let scope = if peak_is_per_run { "" } else { " (peak of the whole process: it could not be reset per run)" };
    if runs.iter().any(|m| m.peak_bytes.is_none()) {
        return format!("\n{target}: n/a (peak memory is only measured on Linux)\n");
    }
    let worst = runs
        .iter()
        .filter(|m| m.requested >= MEMORY_TARGET_REQUESTS)
        .filter_map(|m| Some((m.peak_bytes?, m.label)))
        .max_by_key(|(peak, _)| *peak);
    match worst {
        Some((peak, label)) => {
            let met = verdict(&target, peak < MEMORY_TARGET_BYTES);
            format!("\n{met} ({} at most, {label}){scope}\n", megabytes(peak))
        }
        None => format!("\n{target}: measure with `archsim bench --requests 50000000`{scope}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benchmark_scenarios_are_valid_and_sized_by_requests() {
        for b in &BENCHMARKS {
            let s = benchmark_scenario(b.name, 8_000).expect("builds");
            assert!(crate::scenario::validate(&s).is_empty(), "{}", s.name);
            let expected = 8_000.0 / offered_rate(&s).expect("open loop");
            assert!((s.duration_s - expected).abs() < 1e-9);
        }
    }

    #[test]
    fn mm1_runs_at_the_intended_utilisation() {
        let s = benchmark_scenario(BenchName::Mm1, 200_000).expect("builds");
        let mut sim = Simulation::new(&s).expect("valid");
        run_to_end(&mut sim, s.duration_s);
        let u = sim.report().nodes[1].stats.utilisation.expect("a pool");
        assert!((u - 0.8).abs() < 0.02, "utilisation {u}");
    }

    #[test]
    fn the_memory_line_gives_a_verdict_only_for_a_large_enough_run() {
        let big = Measurement {
            label: "big",
            requested: MEMORY_TARGET_REQUESTS,
            requests: MEMORY_TARGET_REQUESTS - 5,
            events: 0,
            wall: Duration::from_secs(1),
            cpu: None,
            peak_bytes: Some(20_000_000),
        };
        let small = Measurement { label: "small", requested: 10, requests: 10, ..big.clone() };
        let line = memory_target_line(&[small.clone(), big.clone()], true);
        assert!(line.contains(": met (20.0 MB at most, big)"), "{line}");
        let heavy = Measurement { peak_bytes: Some(MEMORY_TARGET_BYTES), ..big };
        assert!(memory_target_line(&[heavy], true).contains("MISSED"));
        assert!(memory_target_line(&[small], true).contains("measure with"));
    }
}
