//! Fidelity: the simulator against queueing theory.
//!
//! Each test builds a model with a closed-form answer, runs it with a fixed
//! seed, and compares. The statistical error of a simulated mean is
//! estimated by batch means: the run is cut into windows (batches) long
//! compared with the system's relaxation time, so their means are nearly
//! independent; the standard error is sd(batch means)/√batches. A check
//! passes when |simulation − theory| ≤ 4 standard errors (plus the
//! histogram's 0.1 % resolution for percentiles), and a check is only
//! meaningful if that error is small, so each also asserts the standard
//! error is under 3 % of the value.
//!
//! Each test renders its own table of `docs/validation.md` and compares it
//! with the committed one: a change that moves the numbers fails here until
//! the tables are regenerated with `UPDATE_VALIDATION=1 cargo test --test
//! integration fidelity::` (as `egui_kittest`'s `UPDATE_SNAPSHOTS`), so the document always
//! shows the numbers of the current engine and a plain `cargo test` never
//! rewrites a tracked file.

use std::sync::Mutex;

use crate::common::*;
use archsim::scenario::{
    AutoscaleSpec, BreakerSpec, BreakerWindow, CallOrder, ClientSpec, DatabaseSpec, DistributionSpec, FallbackSpec,
    FaultSpec, HealthCheckSpec, HedgeSpec, InstanceBalancing, KeySpec, LimitPer, LoadBalancerSpec, NodeKind, NodeSpec,
    OutlierEjectionSpec, Priority, RateLimitSpec, RetryBudget, RetryPolicy, ScaleTarget, Scenario, SizeSpec, TableSpec,
    ThrottleSpec, WaitFor,
};
use archsim::sim::theory;
use archsim::sim::{SimEventKind, Simulation, Stats, WindowFrame};

/// One quantity compared with theory.
struct Check {
    quantity: &'static str,
    theory: f64,
    simulated: f64,
    stderr: f64,
    /// Extra absolute tolerance (histogram resolution), same unit.
    slack: f64,
}

impl Check {
    fn passes(&self) -> bool {
        (self.simulated - self.theory).abs() <= 4.0 * self.stderr + self.slack
    }
}

/// Standard error of the mean of `batches` (batch-means method).
fn batch_stderr(batches: &[f64]) -> f64 {
    let n = batches.len() as f64;
    let mean = batches.iter().sum::<f64>() / n;
    let var = batches.iter().map(|b| (b - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (var / n).sqrt()
}

/// The per-window values of one node's statistic, skipping the first
/// window (the warm-up from an empty system).
fn per_window(sim: &Simulation, node: usize, f: impl Fn(&Stats) -> f64) -> Vec<f64> {
    sim.series().iter().skip(1).map(|w: &WindowFrame| f(&w.nodes[node])).collect()
}

fn per_window_e2e(sim: &Simulation, f: impl Fn(&Stats) -> f64) -> Vec<f64> {
    sim.series().frames().iter().skip(1).map(|w| f(&w.end_to_end)).collect()
}

fn check(quantity: &'static str, theory: f64, simulated: f64, batches: &[f64], slack: f64) -> Check {
    Check { quantity, theory, simulated, stderr: batch_stderr(batches), slack }
}

static DOC: Mutex<()> = Mutex::new(());

/// Writes this case's table into docs/validation.md, then asserts.
fn verify(case: &str, title: &str, checks: &[Check]) {
    write_table(case, title, checks);
    for c in checks {
        assert!(
            c.passes(),
            "{case}: {} simulated {:.6} vs theory {:.6} (stderr {:.6})",
            c.quantity,
            c.simulated,
            c.theory,
            c.stderr
        );
        assert!(
            c.stderr <= 0.03 * c.theory.abs().max(1e-9),
            "{case}: {} has too large a statistical error ({:.6} for {:.6}) for the check to mean anything",
            c.quantity,
            c.stderr,
            c.theory
        );
    }
}

/// Set to regenerate the tables in `docs/validation.md`.
const UPDATE_VARIABLE: &str = "UPDATE_VALIDATION";

/// Renders this case's table; with `UPDATE_VALIDATION` set, writes it into
/// `docs/validation.md`, otherwise fails when the committed one differs.
fn write_table(case: &str, title: &str, checks: &[Check]) {
    let _guard = DOC.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/validation.md");
    let doc = std::fs::read_to_string(path).expect("docs/validation.md is in the repository");
    let begin = format!("<!-- table:{case} -->");
    let end = format!("<!-- /table:{case} -->");
    let mut table = format!(
        "{begin}\n**{title}**\n\n| quantity | theory | simulation | ± 95 % (1.96 SE) | within 4 SE |\n|---|---:|---:|---:|:---:|\n"
    );
    for c in checks {
        table.push_str(&format!(
            "| {} | {:.4} | {:.4} | {:.4} | {} |\n",
            c.quantity,
            c.theory,
            c.simulated,
            1.96 * c.stderr,
            if c.passes() { "yes" } else { "**NO**" }
        ));
    }
    table.push_str(&end);
    let updated = match (doc.find(&begin), doc.find(&end)) {
        (Some(a), Some(b)) if b > a => format!("{}{}{}", &doc[..a], table, &doc[b + end.len()..]),
        _ => format!("{}\n{}\n", doc.trim_end(), table),
    };
    if updated == doc {
        return;
    }
    if std::env::var_os(UPDATE_VARIABLE).is_some() {
        std::fs::write(path, updated).expect("docs/validation.md is writable");
    } else {
        panic!(
            "the {case} table in docs/validation.md is stale: the engine's numbers changed. Check the new ones, \
             then regenerate with `{UPDATE_VARIABLE}=1 cargo test --test integration fidelity::`. New table:\n{table}"
        );
    }
}

/// M/M/1 with service rate 1000/s at utilisation ρ.
fn mm1(case: &str, rho: f64, secs: f64, window_s: f64, seed: u64) {
    let mu = 1000.0;
    let lambda = rho * mu;
    let mut s = scenario(
        "mm1",
        seed,
        window_s,
        vec![poisson_client("c", lambda), service("s", 1, None, exp_ms(1.0))],
        &[("c", "s")],
    );
    s.warmup_s = window_s;
    let sim = run(&s, secs);
    let total = sim.node_totals(1).expect("node 1");
    let ms = 1000.0;
    let checks = [
        check(
            "mean sojourn W (ms)",
            theory::mm1_mean_sojourn(lambda, mu) * ms,
            total.latency.mean_ms,
            &per_window(&sim, 1, |w| w.latency.mean_ms),
            0.0,
        ),
        check(
            "mean number in system L",
            theory::mm1_mean_in_system(lambda, mu),
            total.mean_in_system,
            &per_window(&sim, 1, |w| w.mean_in_system),
            0.0,
        ),
        check(
            "P(wait) = ρ",
            rho,
            total.wait_probability.unwrap_or(0.0),
            &per_window(&sim, 1, |w| w.wait_probability.unwrap_or(0.0)),
            0.0,
        ),
        check(
            "utilisation = ρ",
            rho,
            total.utilisation.unwrap_or(0.0),
            &per_window(&sim, 1, |w| w.utilisation.unwrap_or(0.0)),
            0.0,
        ),
        check(
            "p95 sojourn (ms)",
            theory::mm1_sojourn_quantile(lambda, mu, 0.95) * ms,
            total.latency.p95_ms,
            &per_window(&sim, 1, |w| w.latency.p95_ms),
            0.002 * theory::mm1_sojourn_quantile(lambda, mu, 0.95) * ms,
        ),
    ];
    verify(case, &format!("M/M/1, λ = {lambda}/s, μ = {mu}/s (ρ = {rho}), {secs} s simulated, seed {seed}"), &checks);
}

/// A `Latency` fault on the client's link adds `d` to each crossing: the
/// users wait W + 2d (the call and its answer), the server's own sojourn
/// stays W — the delay is on the wire, not in the queue (issue 8).
#[test]
fn added_link_latency_shifts_the_response_time_by_twice_the_delay() {
    let (lambda, mu, d_ms, secs) = (500.0, 1000.0, 20.0, 400.0);
    let mut s = scenario(
        "mm1-slow-link",
        11,
        1.0,
        vec![poisson_client("c", lambda), service("s", 1, None, exp_ms(1.0))],
        &[("c", "s")],
    );
    s.warmup_s = 1.0;
    s.duration_s = secs;
    s.faults.push(FaultSpec::Latency {
        from: "c".into(),
        to: "s".into(),
        added_ms: d_ms,
        from_s: 0.0,
        to_s: secs + 1.0,
    });
    let sim = run(&s, secs);
    let report = sim.report();
    let server = sim.node_totals(1).expect("node 1");
    let w_ms = theory::mm1_mean_sojourn(lambda, mu) * 1000.0;
    let p95_ms = theory::mm1_sojourn_quantile(lambda, mu, 0.95) * 1000.0;
    let checks = [
        check(
            "mean response at the client = W + 2d (ms)",
            w_ms + 2.0 * d_ms,
            report.end_to_end.latency.mean_ms,
            &per_window_e2e(&sim, |w| w.latency.mean_ms),
            0.0,
        ),
        check(
            "p95 response at the client = W₉₅ + 2d (ms)",
            p95_ms + 2.0 * d_ms,
            report.end_to_end.latency.p95_ms,
            &per_window_e2e(&sim, |w| w.latency.p95_ms),
            0.002 * (p95_ms + 2.0 * d_ms),
        ),
        check(
            "server's own sojourn W (ms)",
            w_ms,
            server.latency.mean_ms,
            &per_window(&sim, 1, |w| w.latency.mean_ms),
            0.0,
        ),
    ];
    verify(
        "mm1-slow-link",
        &format!(
            "M/M/1 behind a link slowed by d = {d_ms} ms each way, λ = {lambda}/s, μ = {mu}/s, {secs} s simulated, seed 11"
        ),
        &checks,
    );
}

#[test]
fn mm1_at_half_load_matches_theory() {
    mm1("mm1-0.5", 0.5, 1000.0, 10.0, 11);
}

#[test]
fn mm1_at_80_percent_load_matches_theory() {
    mm1("mm1-0.8", 0.8, 2000.0, 20.0, 12);
}

#[test]
fn mmc_wait_probability_matches_erlang_c() {
    let (c, mu, lambda) = (4u32, 250.0, 800.0);
    let mut s =
        scenario("mmc", 13, 10.0, vec![poisson_client("c", lambda), service("s", c, None, exp_ms(4.0))], &[("c", "s")]);
    s.warmup_s = 10.0;
    let sim = run(&s, 1500.0);
    let total = sim.node_totals(1).expect("node 1");
    let checks = [
        check(
            "P(wait) (Erlang C)",
            theory::erlang_c(c, lambda / mu),
            total.wait_probability.unwrap_or(0.0),
            &per_window(&sim, 1, |w| w.wait_probability.unwrap_or(0.0)),
            0.0,
        ),
        check(
            "mean sojourn W (ms)",
            theory::mmc_mean_sojourn(c, lambda, mu) * 1000.0,
            total.latency.mean_ms,
            &per_window(&sim, 1, |w| w.latency.mean_ms),
            0.0,
        ),
        check("mean busy servers = λ/μ", lambda / mu, total.mean_busy, &per_window(&sim, 1, |w| w.mean_busy), 0.0),
    ];
    verify("mmc", "M/M/4, λ = 800/s, μ = 250/s per server (ρ = 0.8), 1500 s, seed 13", &checks);
}

#[test]
fn mm1k_blocking_matches_the_finite_queue_formula() {
    let (lambda, mu, k) = (900.0, 1000.0, 5u32);
    let mut s = scenario(
        "mm1k",
        14,
        5.0,
        vec![poisson_client("c", lambda), service("s", 1, Some(k - 1), exp_ms(1.0))],
        &[("c", "s")],
    );
    s.warmup_s = 5.0;
    let sim = run(&s, 600.0);
    let total = sim.node_totals(1).expect("node 1");
    let blocked = |w: &Stats| if w.arrivals > 0 { w.failures.rejected as f64 / w.arrivals as f64 } else { 0.0 };
    let checks = [check(
        "blocking probability",
        theory::mm1k_blocking(lambda, mu, k),
        blocked(&total),
        &per_window(&sim, 1, blocked),
        0.0,
    )];
    verify("mm1k", "M/M/1/5 (1 in service + 4 waiting), λ = 900/s, μ = 1000/s, 600 s, seed 14", &checks);
}

#[test]
fn mmcc_blocking_matches_erlang_b() {
    let (c, lambda, mu) = (3u32, 400.0, 200.0);
    let mut s = scenario(
        "erlang-b",
        15,
        5.0,
        vec![poisson_client("c", lambda), service("s", c, Some(0), exp_ms(5.0))],
        &[("c", "s")],
    );
    s.warmup_s = 5.0;
    let sim = run(&s, 800.0);
    let total = sim.node_totals(1).expect("node 1");
    let blocked = |w: &Stats| if w.arrivals > 0 { w.failures.rejected as f64 / w.arrivals as f64 } else { 0.0 };
    let checks = [check(
        "blocking probability (Erlang B)",
        theory::erlang_b(c, lambda / mu),
        blocked(&total),
        &per_window(&sim, 1, blocked),
        0.0,
    )];
    verify("erlang-b", "M/M/3/3 (no waiting room), λ = 400/s, μ = 200/s per server, 800 s, seed 15", &checks);
}

/// A bulkhead of c calls on the caller's edge in front of c exponential
/// workers behind an unbounded queue: the callee never queues, so the
/// edge is an M/M/c/c loss system and the share the caller's bulkhead
/// refuses is Erlang B, the same as the blocking of a server with no
/// waiting room (issue 8).
#[test]
fn a_bulkhead_refuses_the_erlang_b_share_and_the_callee_never_queues() {
    let (c, lambda, mu) = (3u32, 400.0, 200.0);
    let mut s = scenario(
        "bulkhead",
        16,
        5.0,
        vec![poisson_client("c", lambda), service("s", c, None, exp_ms(5.0))],
        &[("c", "s")],
    );
    s.edges[0].max_concurrent = Some(c);
    s.warmup_s = 5.0;
    let sim = run(&s, 800.0);
    let client = sim.node_totals(0).expect("node 0");
    let server = sim.node_totals(1).expect("node 1");
    let refused = |w: &Stats| if w.arrivals > 0 { w.failures.bulkhead_full as f64 / w.arrivals as f64 } else { 0.0 };
    let checks = [
        check(
            "share refused by the bulkhead (Erlang B)",
            theory::erlang_b(c, lambda / mu),
            refused(&client),
            &per_window(&sim, 0, refused),
            0.0,
        ),
        check(
            "server utilisation = (1 − B)·λ/(cμ)",
            (1.0 - theory::erlang_b(c, lambda / mu)) * lambda / (f64::from(c) * mu),
            server.utilisation.unwrap_or(0.0),
            &per_window(&sim, 1, |w| w.utilisation.unwrap_or(0.0)),
            0.0,
        ),
    ];
    assert_eq!(server.wait_probability.unwrap_or(0.0), 0.0, "the bulkhead keeps the callee from ever queueing");
    verify(
        "bulkhead",
        "A bulkhead of 3 calls before 3 workers, λ = 400/s, μ = 200/s per worker, 800 s, seed 16",
        &checks,
    );
}

/// A bulkhead of c calls whose calls wait up to τ for a place, in front
/// of c exponential workers: the callee never queues, so the edge is an
/// M/M/c+D queue (impatient callers with a constant patience τ), and the
/// shares of calls that wait and that give up are Zeltyn and Mandelbaum's
/// (see `theory::mmc_deterministic_patience`). With a long τ and λ < cμ
/// nobody gives up: P(wait) is Erlang C and the caller's mean response
/// is M/M/c's.
fn bulkhead_that_waits(case: &str, title: &str, lambda: f64, tau_ms: f64, seed: u64) {
    let (c, mu, window_s, secs) = (4u32, 200.0, 5.0, 600.0);
    let mut s = scenario(
        "bulkhead-wait",
        seed,
        window_s,
        vec![poisson_client("c", lambda), service("s", c, None, exp_ms(1000.0 / mu))],
        &[("c", "s")],
    );
    s.edges[0].max_concurrent = Some(c);
    s.edges[0].bulkhead_wait_ms = Some(tau_ms);
    s.warmup_s = window_s;
    // Run window by window to read how many calls waited in each.
    let mut sim = Simulation::new(&s).expect("valid");
    let mut waited = Vec::new();
    let mut before = 0;
    let mut t = window_s;
    while t <= secs + 1e-9 {
        sim.run_until(archsim::sim::SimTime::from_secs(t));
        let now = sim.edge_policy_counts(0).expect("edge 0").bulkhead_waited;
        waited.push(now - before);
        before = now;
        t += window_s;
    }
    let client = sim.node_totals(0).expect("node 0");
    let server = sim.node_totals(1).expect("node 1");
    let edge = sim.report().edges[0].clone();
    // Window k of the series is [k·w, (k+1)·w); `waited[k]` is the same span.
    let waited_share: Vec<f64> = sim
        .series()
        .frames()
        .iter()
        .zip(&waited)
        .skip(1)
        .map(|(w, &n)| if w.nodes[0].arrivals > 0 { n as f64 / w.nodes[0].arrivals as f64 } else { 0.0 })
        .collect();
    let gave_up = |w: &Stats| if w.arrivals > 0 { w.failures.bulkhead_full as f64 / w.arrivals as f64 } else { 0.0 };
    let (p_wait, p_abandon) = theory::mmc_deterministic_patience(c, lambda, mu, tau_ms / 1000.0);
    assert_eq!(server.wait_probability.unwrap_or(0.0), 0.0, "the bulkhead keeps the callee from ever queueing");
    let mut checks = vec![
        check("P(wait for a place)", p_wait, edge.bulkhead_waited as f64 / client.arrivals as f64, &waited_share, 0.0),
        check(
            "admitted rate λ(1 − P(give up)), req/s",
            lambda * (1.0 - p_abandon),
            server.throughput_rps,
            &per_window(&sim, 1, |w| w.throughput_rps),
            0.0,
        ),
    ];
    if p_abandon > 0.01 {
        checks.push(check(
            "P(give up: bulkhead full)",
            p_abandon,
            gave_up(&client),
            &per_window(&sim, 0, gave_up),
            0.0,
        ));
    } else {
        assert!(client.failures.bulkhead_full as f64 <= 1e-3 * client.arrivals as f64, "{client:?}");
        checks.push(check(
            "mean response, ms (M/M/c)",
            theory::mmc_mean_sojourn(c, lambda, mu) * 1000.0,
            client.latency.mean_ms,
            &per_window(&sim, 0, |w| w.latency.mean_ms),
            0.0,
        ));
    }
    verify(case, title, &checks);
}

#[test]
fn a_bulkhead_that_waits_is_an_mmc_queue_in_front_of_its_callee() {
    bulkhead_that_waits(
        "bulkhead-wait-erlang-c",
        "A bulkhead of 4 calls that wait up to 1 s, before 4 workers, λ = 600/s, μ = 200/s per worker (ρ = 0.75), 600 s, seed 61",
        600.0,
        1000.0,
        61,
    );
}

#[test]
fn an_overloaded_bulkhead_that_waits_turns_away_the_impatient_share() {
    bulkhead_that_waits(
        "bulkhead-wait-patience",
        "A bulkhead of 4 calls that wait up to 10 ms, before 4 workers, λ = 1000/s against cμ = 800/s (M/M/4+D), 600 s, seed 62",
        1000.0,
        10.0,
        62,
    );
}

/// A link of bandwidth B carrying payloads of size S to a server that never
/// waits: each direction sends one payload after another, a single server
/// with service time S·8/B. Poisson requests make the forward direction an
/// M/G/1 queue — M/D/1 for a fixed size, M/M/1 for exponential sizes — and
/// a callee that answers after a fixed time passes the forward direction's
/// departures on: Poisson for M/M/1 (Burke), so the answers' direction is
/// an M/M/1 queue too. The caller waits both ways.
fn link_queue(case: &str, title: &str, size: SizeSpec, both_ways: bool, seed: u64) {
    let (lambda, mbps) = (800.0, 10.0);
    let mut s = scenario(
        "link",
        seed,
        5.0,
        vec![poisson_client("c", lambda), service("s", 10_000, None, DistributionSpec::Constant { ms: 0.001 })],
        &[("c", "s")],
    );
    s.edges[0].bandwidth_mbps = Some(mbps);
    s.edges[0].request_kb = Some(size.clone());
    if both_ways {
        s.edges[0].response_kb = Some(size.clone());
    }
    s.warmup_s = 5.0;
    let sim = run(&s, 600.0);
    let client = sim.node_totals(0).expect("client");
    let edge = sim.report().edges[0].clone();
    // Service time of the link: 1.25 KB at 10 Mbit/s is 1 ms.
    let mu = mbps * 1e6 / (size.mean_kb() * 8_000.0);
    let rho = lambda / mu;
    let one_way_s = match size {
        SizeSpec::Constant { .. } => 1.0 / mu + rho / (2.0 * mu * (1.0 - rho)),
        _ => theory::mm1_mean_sojourn(lambda, mu),
    };
    let ways = if both_ways { 2.0 } else { 1.0 };
    let forward = |sim: &Simulation| -> Vec<f64> {
        sim.series().frames().iter().skip(1).map(|w| w.edges[0].forward_utilisation.unwrap_or(0.0)).collect()
    };
    let checks = [
        check(
            "caller's mean response, ms (link wait and sending, each way)",
            (ways * one_way_s + 0.000_001) * 1000.0,
            client.latency.mean_ms,
            &per_window(&sim, 0, |w| w.latency.mean_ms),
            0.0,
        ),
        check("requests' direction busy = ρ", rho, edge.stats.forward_utilisation.unwrap_or(0.0), &forward(&sim), 0.0),
    ];
    let mean_bytes = edge.stats.request_bytes as f64 / edge.stats.sent as f64;
    assert!((mean_bytes - 1_250.0).abs() < 25.0, "1.25 KB a request on average: {mean_bytes}");
    verify(case, title, &checks);
}

#[test]
fn a_link_of_fixed_size_payloads_queues_as_md1() {
    link_queue(
        "link-md1",
        "A 10 Mbit/s link, requests of 1.25 KB (1 ms to send), Poisson λ = 800/s (ρ = 0.8): M/D/1, 600 s, seed 68",
        SizeSpec::Constant { kb: 1.25 },
        false,
        68,
    );
}

#[test]
fn a_link_of_exponential_payloads_queues_as_mm1_each_way() {
    link_queue(
        "link-mm1",
        "A 10 Mbit/s link, requests and answers of 1.25 KB on average (exponential), Poisson λ = 800/s (ρ = 0.8 each way): M/M/1 each way, 600 s, seed 69",
        SizeSpec::Exponential { mean_kb: 1.25 },
        true,
        69,
    );
}

/// A token bucket (`rate` r, `burst` b) in front of a server that never
/// waits (64 workers, 1 µs of work), fed Poisson arrivals at λ: the share
/// refused is the loss of an M/D/1/b queue with service time 1/r (see
/// `theory::md1k_blocking`), and the admitted rate `λ(1 − P_b)`, which tends
/// to min(λ, r) as the bucket grows.
fn token_bucket(case: &str, title: &str, lambda: f64, rate: f64, burst: u32, secs: f64, seed: u64) {
    let mut limited = service("s", 64, None, DistributionSpec::Constant { ms: 0.001 });
    if let NodeKind::Service(spec) = &mut limited.kind {
        spec.rate_limit = Some(RateLimitSpec { rate, burst, ..RateLimitSpec::default() });
    }
    let mut s = scenario("token-bucket", seed, 5.0, vec![poisson_client("c", lambda), limited], &[("c", "s")]);
    s.warmup_s = 5.0;
    let sim = run(&s, secs);
    let total = sim.node_totals(1).expect("node 1");
    let refused = |w: &Stats| if w.arrivals > 0 { w.failures.rate_limited as f64 / w.arrivals as f64 } else { 0.0 };
    let p = theory::md1k_blocking(lambda, rate, burst);
    assert_eq!(total.failures.local(), total.failures.rate_limited, "the limiter is the only cause of failure");
    let checks = [
        check("rejected share (rate limited)", p, refused(&total), &per_window(&sim, 1, refused), 0.0),
        check(
            "admitted rate, req/s",
            lambda * (1.0 - p),
            total.throughput_rps,
            &per_window(&sim, 1, |w| w.throughput_rps),
            0.0,
        ),
    ];
    verify(case, title, &checks);
}

/// A gateway (a load balancer) with a rate limit of r per client, in front
/// of a server that never waits, fed by a noisy client (λ₁ = 10r) and a
/// quiet one (λ₂ = r/2): each client has its own bucket, so each loses the
/// M/D/1/b share of its own rate — the quiet one next to nothing. With one
/// bucket for the node both lose the share of λ₁ + λ₂ (a Poisson sum).
#[test]
fn a_rate_limit_per_client_gives_each_client_its_own_bucket() {
    let (noisy, quiet, rate, burst) = (1000.0, 50.0, 100.0, 20u32);
    let run_with = |per: LimitPer, seed: u64| {
        let gateway =
            LoadBalancerSpec { rate_limit: Some(RateLimitSpec { rate, burst, per }), ..LoadBalancerSpec::default() };
        let mut s = scenario(
            "rate-limit-per-client",
            seed,
            5.0,
            vec![
                poisson_client("noisy", noisy),
                poisson_client("quiet", quiet),
                node("gateway", NodeKind::LoadBalancer(gateway)),
                service("api", 64, None, DistributionSpec::Constant { ms: 0.001 }),
            ],
            &[("noisy", "gateway"), ("quiet", "gateway"), ("gateway", "api")],
        );
        s.warmup_s = 5.0;
        run(&s, 600.0)
    };
    let refused = |w: &Stats| if w.arrivals > 0 { w.failures.rate_limited as f64 / w.arrivals as f64 } else { 0.0 };
    let per_client = run_with(LimitPer::Client, 66);
    let shared = run_with(LimitPer::Node, 67);
    let totals = |sim: &Simulation, i: usize| refused(&sim.node_totals(i).expect("client"));
    let checks = [
        check(
            "noisy client (λ = 1000/s), own bucket: refused share",
            theory::md1k_blocking(noisy, rate, burst),
            totals(&per_client, 0),
            &per_window(&per_client, 0, refused),
            0.0,
        ),
        check(
            "noisy client, one bucket for both: refused share",
            theory::md1k_blocking(noisy + quiet, rate, burst),
            totals(&shared, 0),
            &per_window(&shared, 0, refused),
            0.0,
        ),
        check(
            "quiet client (λ = 50/s), one bucket for both: refused share",
            theory::md1k_blocking(noisy + quiet, rate, burst),
            totals(&shared, 1),
            &per_window(&shared, 1, refused),
            0.0,
        ),
    ];
    let quiet_refused = per_client.node_totals(1).expect("quiet").failures.rate_limited;
    let expected = theory::md1k_blocking(quiet, rate, burst) * quiet * 595.0;
    assert!(
        (quiet_refused as f64) <= expected + 5.0,
        "with its own bucket the quiet client is (all but) never refused: {quiet_refused}, theory {expected:.3}"
    );
    verify(
        "rate-limit-per-client",
        "Rate limit r = 100/s, b = 20 at a gateway, per client or for the node, clients at 1000/s and 50/s, 600 s, seeds 66 and 67",
        &checks,
    );
}

#[test]
fn a_token_bucket_at_twice_its_rate_admits_its_rate_and_refuses_the_rest() {
    token_bucket(
        "token-bucket-2r",
        "Token bucket, r = 500/s, b = 20, Poisson λ = 1000/s (λ = 2r: min(λ, r) = 500/s admitted, 1 − r/λ = 50 % refused), 600 s, seed 17",
        1000.0,
        500.0,
        20,
        600.0,
        17,
    );
}

#[test]
fn a_token_bucket_at_its_rate_refuses_what_its_burst_cannot_absorb() {
    token_bucket(
        "token-bucket-r",
        "Token bucket, r = 500/s, b = 10, Poisson λ = 500/s (λ = r: the bucket's size alone decides the refused share), 600 s, seed 18",
        500.0,
        500.0,
        10,
        600.0,
        18,
    );
}

#[test]
fn a_token_bucket_at_half_its_rate_with_a_small_burst_refuses_a_little() {
    token_bucket(
        "token-bucket-half",
        "Token bucket, r = 500/s, b = 3, Poisson λ = 250/s (λ = r/2: nearly all admitted, a small burst trims the clusters), 1000 s, seed 19",
        250.0,
        500.0,
        3,
        1000.0,
        19,
    );
}

/// M/G/1 mean waiting time against Pollaczek–Khinchine.
fn mg1(
    case: &str,
    title: &str,
    service_time: DistributionSpec,
    second_moment_ms2: f64,
    lambda: f64,
    secs: f64,
    seed: u64,
) {
    let mean_ms = service_time.mean_ms().expect("closed-form mean");
    let mut s = scenario(
        case,
        seed,
        20.0,
        vec![poisson_client("c", lambda), service("s", 1, None, service_time)],
        &[("c", "s")],
    );
    s.warmup_s = 20.0;
    let sim = run(&s, secs);
    let total = sim.node_totals(1).expect("node 1");
    let wq_ms = theory::mg1_mean_wait(lambda, mean_ms / 1000.0, second_moment_ms2 / 1e6) * 1000.0;
    let checks = [
        check("mean wait Wq (ms)", wq_ms, total.mean_wait_ms, &per_window(&sim, 1, |w| w.mean_wait_ms), 0.0),
        check(
            "mean sojourn W = Wq + E[S] (ms)",
            wq_ms + mean_ms,
            total.latency.mean_ms,
            &per_window(&sim, 1, |w| w.latency.mean_ms),
            0.0,
        ),
    ];
    verify(case, title, &checks);
}

#[test]
fn md1_wait_matches_pollaczek_khinchine() {
    mg1(
        "md1",
        "M/D/1, constant 1 ms service, λ = 800/s (ρ = 0.8), 1000 s, seed 16",
        DistributionSpec::Constant { ms: 1.0 },
        1.0,
        800.0,
        1000.0,
        16,
    );
}

#[test]
fn mg1_with_lognormal_service_matches_pollaczek_khinchine() {
    // Log-normal with mean 1 ms and sd 1.5 ms: E[S²] = sd² + mean² = 3.25 ms².
    mg1(
        "mg1-lognormal",
        "M/G/1, log-normal service (mean 1 ms, sd 1.5 ms), λ = 500/s (ρ = 0.5), 3000 s, seed 17",
        DistributionSpec::LogNormal { mean_ms: 1.0, stddev_ms: 1.5 },
        3.25,
        500.0,
        3000.0,
        17,
    );
}

#[test]
fn tandem_network_matches_jackson() {
    let lambda = 500.0;
    let means_ms = [1.0, 1.25, 1.4];
    let nodes = vec![
        poisson_client("c", lambda),
        pipeline_stage("s1", exp_ms(means_ms[0])),
        pipeline_stage("s2", exp_ms(means_ms[1])),
        pipeline_stage("s3", exp_ms(means_ms[2])),
    ];
    let mut s = scenario("tandem", 18, 10.0, nodes, &[("c", "s1"), ("s1", "s2"), ("s2", "s3")]);
    s.warmup_s = 10.0;
    let sim = run(&s, 1200.0);
    let e2e = sim.end_to_end_totals();
    let w_total: f64 = means_ms.iter().map(|m| theory::mm1_mean_sojourn(lambda, 1000.0 / m) * 1000.0).sum();
    let mut checks = vec![check(
        "end-to-end mean sojourn (ms)",
        w_total,
        e2e.latency.mean_ms,
        &per_window_e2e(&sim, |w| w.latency.mean_ms),
        0.0,
    )];
    const NAMES: [&str; 3] = ["station 1 mean queue Lq", "station 2 mean queue Lq", "station 3 mean queue Lq"];
    for (i, m) in means_ms.iter().enumerate() {
        let rho = lambda * m / 1000.0;
        let total = sim.node_totals(i + 1).expect("station");
        checks.push(check(
            NAMES[i],
            rho * rho / (1.0 - rho),
            total.mean_queue_len,
            &per_window(&sim, i + 1, |w| w.mean_queue_len),
            0.0,
        ));
    }
    verify(
        "tandem",
        "Three M/M/1 stations in tandem (non-blocking hand-off), λ = 500/s, μ = 1000, 800, 714/s, 1200 s, seed 18",
        &checks,
    );
}

#[test]
fn closed_network_matches_mean_value_analysis() {
    let (users, think_ms, demands_ms) = (12u32, 40.0, [4.0, 2.5]);
    let nodes = vec![
        closed_client("users", users, exp_ms(think_ms)),
        pipeline_stage("s1", exp_ms(demands_ms[0])),
        pipeline_stage("s2", exp_ms(demands_ms[1])),
    ];
    let mut s = scenario("closed", 19, 10.0, nodes, &[("users", "s1"), ("s1", "s2")]);
    s.warmup_s = 10.0;
    let sim = run(&s, 1200.0);
    let (x, r) = theory::mva(users, &[demands_ms[0] / 1000.0, demands_ms[1] / 1000.0], think_ms / 1000.0);
    let e2e = sim.end_to_end_totals();
    let checks = [
        check("throughput X (requests/s)", x, e2e.throughput_rps, &per_window_e2e(&sim, |w| w.throughput_rps), 0.0),
        check(
            "response time R (ms)",
            r * 1000.0,
            e2e.latency.mean_ms,
            &per_window_e2e(&sim, |w| w.latency.mean_ms),
            0.0,
        ),
    ];
    verify(
        "closed-mva",
        "Closed network: 12 users, exponential think 40 ms, stations of 4 ms and 2.5 ms (exponential), 1200 s, seed 19",
        &checks,
    );
}

/// Little's law L = λW holds at every node and end to end, in a topology
/// with a load balancer, an LRU cache, timeouts and retries, where no
/// formula gives L or W themselves.
#[test]
fn littles_law_holds_on_a_web_topology_with_caches_and_retries() {
    let mut s = archsim::scenario::bundled("three-tier-web").and_then(|b| b.load().ok()).expect("bundled scenario");
    s.seed = 20;
    s.warmup_s = 10.0;
    for n in &mut s.nodes {
        if let NodeKind::Client(c) = &mut n.kind {
            *c = ClientSpec {
                timeout_ms: Some(60.0),
                retry: Some(RetryPolicy {
                    max_attempts: 3,
                    backoff_ms: 5.0,
                    multiplier: 2.0,
                    max_backoff_ms: 100.0,
                    jitter: 0.5,
                    budget: None,
                }),
                keys: Some(KeySpec { keyspace: 20_000, zipf_exponent: 0.9 }),
                ..c.clone()
            };
        }
    }
    let sim = run(&s, 200.0);
    let report = sim.report();
    let little = |st: &Stats| {
        let answered = (st.ok + st.failed) as f64;
        answered / st.duration_s * st.mean_sojourn_ms / 1000.0
    };
    let mut checks = Vec::new();
    let e2e = &report.end_to_end;
    assert!(e2e.retries > 0, "the test needs retries to happen");
    checks.push(Check {
        quantity: "end to end: L vs λW",
        theory: little(e2e),
        simulated: e2e.mean_in_system,
        stderr: 0.0,
        slack: 0.01 * little(e2e) + 1e-3,
    });
    for (i, n) in report.nodes.iter().enumerate() {
        let st = &n.stats;
        let quantity: &'static str = Box::leak(format!("{}: L vs λW", n.id).into_boxed_str());
        let _ = i;
        checks.push(Check {
            quantity,
            theory: little(st),
            simulated: st.mean_in_system,
            stderr: 0.0,
            slack: 0.01 * little(st) + 1e-3,
        });
    }
    write_table(
        "little",
        "Little's law on the three-tier web scenario with a 60 ms timeout and 3 attempts, 200 s, seed 20 (L measured as a time average; λW from completions and their mean time)",
        &checks,
    );
    for c in &checks {
        assert!(c.passes(), "{}: L = {:.5}, λW = {:.5}", c.quantity, c.simulated, c.theory);
    }
}

/// The same scenario and seed give bit-identical reports; another seed does not.
#[test]
fn same_seed_same_report_other_seed_other_report() {
    let s: Scenario = archsim::scenario::bundled("three-tier-web").and_then(|b| b.load().ok()).expect("bundled");
    let a = run(&s, 20.0).report();
    let b = run(&s, 20.0).report();
    assert_eq!(serde_json::to_string(&a).ok(), serde_json::to_string(&b).ok());
    let mut other = s.clone();
    other.seed += 1;
    let c = run(&other, 20.0).report();
    assert_ne!(a.end_to_end, c.end_to_end);
}

/// A chain of three callers, each retrying any failure up to 3 times with
/// no backoff, above a node that fails each call with probability `p`:
/// `users` (its own retry policy) → `api` → `app` → `db`, where `api → app`
/// and `app → db` carry the edge retry policy. Returns the run and the
/// calls `db` received per request the users made, per window.
fn three_retrying_layers(p: f64, budget: Option<RetryBudget>, seed: u64) -> (f64, Vec<f64>) {
    let retry =
        RetryPolicy { max_attempts: 3, backoff_ms: 0.0, multiplier: 1.0, max_backoff_ms: 0.0, jitter: 0.0, budget };
    let mut users = poisson_client("users", 200.0);
    if let NodeKind::Client(c) = &mut users.kind {
        c.retry = Some(retry.clone());
    }
    let quick = || DistributionSpec::Constant { ms: 0.01 };
    let mut db = service("db", 1_000, None, quick());
    if let NodeKind::Service(spec) = &mut db.kind {
        spec.error_probability = p;
    }
    let mut s = scenario(
        "retry-layers",
        seed,
        5.0,
        vec![users, service("api", 1_000, None, quick()), service("app", 1_000, None, quick()), db],
        &[("users", "api"), ("api", "app"), ("app", "db")],
    );
    s.edges[1].retry = Some(retry.clone());
    s.edges[2].retry = Some(retry);
    s.warmup_s = 5.0;
    let sim = run(&s, 300.0);
    let requests = sim.node_totals(0).expect("users").arrivals as f64;
    let calls = sim.node_totals(3).expect("db").arrivals as f64;
    let frames = sim.series().frames();
    let batches =
        frames.iter().skip(1).map(|w| w.nodes[3].arrivals as f64 / w.nodes[0].arrivals.max(1) as f64).collect();
    (calls / requests, batches)
}

/// Retries at every layer multiply: three layers of three tries send
/// `m^L = 27` calls per request to a dead bottom, and
/// `Π (1 − q_l^m)/(1 − q_l)` (with `q_{l+1} = q_l^m`) to one that fails
/// half the time; a retry budget of 10 % on each layer holds the bottom
/// near `(1.1)^3` instead (issue 8).
#[test]
fn retries_at_three_layers_multiply_the_load_as_theory_says_and_a_budget_caps_it() {
    let (dead, dead_batches) = three_retrying_layers(1.0, None, 21);
    let (half, half_batches) = three_retrying_layers(0.5, None, 22);
    let budget = RetryBudget { ratio: 0.1, min_per_s: 0.0 };
    let (held, held_batches) = three_retrying_layers(1.0, Some(budget), 23);
    // Requests still in flight at the end are a few in 60 000: slack for
    // the calls counted before their request was.
    let checks = [
        check(
            "calls at db per request, db always fails",
            theory::nested_retry_load(1.0, &[3, 3, 3]),
            dead,
            &dead_batches,
            0.001 * 27.0,
        ),
        check(
            "calls at db per request, db fails half the calls",
            theory::nested_retry_load(0.5, &[3, 3, 3]),
            half,
            &half_batches,
            0.0,
        ),
        check(
            "calls at db per request, always fails, budget 10 % per layer",
            theory::budgeted_retry_load(0.1, 0.0, 1.0, 3).powi(3),
            held,
            &held_batches,
            0.001 * 1.331,
        ),
    ];
    verify(
        "retry-layers",
        "Retries at three layers (users → api → app → db, 3 tries each, no backoff), Poisson 200 req/s, 300 s, seeds 21–23",
        &checks,
    );
}

/// A circuit breaker in front of a dependency that is down for the whole
/// run, with no network delay: once it has opened, each cycle refuses the
/// Poisson calls of its open time and lets its `probes` through, which fail
/// and open it again, so the share of calls that still reach the dead node
/// is `k / (λ·T + k)` (`theory::breaker_share_through`) (issue 8).
#[test]
fn an_open_breaker_lets_only_its_probes_reach_a_dead_dependency() {
    let (lambda, open_s, probes) = (200.0, 0.5, 5u32);
    let mut s = scenario(
        "breaker",
        24,
        5.0,
        vec![poisson_client("c", lambda), service("dead", 10, None, DistributionSpec::Constant { ms: 1.0 })],
        &[("c", "dead")],
    );
    s.faults.push(FaultSpec::Crash { node: "dead".into(), at_s: 0.0, restore_s: None });
    s.edges[0].breaker =
        Some(BreakerSpec { failure_rate: 0.5, window: BreakerWindow::Calls(20), min_calls: 10, open_s, probes });
    s.warmup_s = 5.0;
    let sim = run(&s, 600.0);
    let through = |reached: u64, sent: u64| if sent > 0 { reached as f64 / sent as f64 } else { 0.0 };
    let dead = sim.node_totals(1).expect("dead");
    let sent = sim.report().edges[0].stats.sent;
    let frames = sim.series().frames();
    let batches: Vec<f64> = frames.iter().skip(1).map(|w| through(w.nodes[1].arrivals, w.edges[0].sent)).collect();
    let checks = [check(
        "share of calls sent to the dead node, k/(λT + k)",
        theory::breaker_share_through(lambda, open_s, probes),
        through(dead.arrivals, sent),
        &batches,
        0.0,
    )];
    verify(
        "breaker",
        "A breaker (open 0.5 s, 5 probes) before a node down for the whole run, Poisson λ = 200/s, 600 s, seed 24",
        &checks,
    );
}

/// A fallback behind a retry: `api` tries `leaf` (which fails each call
/// with probability p) up to m times and answers with its fallback when
/// every try failed, so a request is degraded with probability `p^m`, ok
/// otherwise, and never fails (issue 8).
#[test]
fn a_fallback_behind_retries_degrades_the_share_every_try_failed() {
    let (p, m) = (0.3, 2u32);
    let quick = || DistributionSpec::Constant { ms: 0.01 };
    let mut leaf = service("leaf", 1_000, None, quick());
    if let NodeKind::Service(spec) = &mut leaf.kind {
        spec.error_probability = p;
    }
    let mut s = scenario(
        "fallback",
        25,
        5.0,
        vec![poisson_client("users", 500.0), service("api", 1_000, None, quick()), leaf],
        &[("users", "api"), ("api", "leaf")],
    );
    s.edges[1].retry = Some(fixed_retry(m, 0.0));
    s.edges[1].fallback = Some(FallbackSpec::Respond { latency: None });
    s.warmup_s = 5.0;
    let sim = run(&s, 300.0);
    let total = sim.end_to_end_totals();
    let degraded = |w: &Stats| if w.arrivals > 0 { w.degraded as f64 / w.arrivals as f64 } else { 0.0 };
    assert_eq!(total.failed, 0, "the fallback answers every request whose tries all failed");
    let checks = [check(
        "degraded share of requests, p^m",
        p.powi(m as i32),
        degraded(&total),
        &per_window_e2e(&sim, degraded),
        0.0,
    )];
    verify(
        "fallback",
        "A fallback behind 2 tries of a leaf failing 30 % of calls, Poisson 500 req/s, 300 s, seed 25",
        &checks,
    );
}

/// A parallel fan-out to N leaves, each slow (1 s instead of 10 ms) with
/// probability p: the service waits for `needed` of them, so a request
/// is slow with probability `P(Binomial(N, 1 − p) < needed)` and its mean
/// latency is `10 + 990 · P` ms — for all of them, the tail at scale
/// `1 − (1 − p)^N` (issue 8).
fn fan_out_mean_latency(wait_for: WaitFor, seed: u64) -> (f64, Vec<f64>) {
    let leaves = 10;
    let mut values = vec![10.0; 19];
    values.push(1_000.0);
    let mut root = service("search", 1_000, None, DistributionSpec::Constant { ms: 0.001 });
    if let NodeKind::Service(spec) = &mut root.kind {
        spec.calls = CallOrder::Parallel { wait_for };
    }
    let mut nodes = vec![poisson_client("users", 300.0), root];
    let mut edges = vec![("users".to_string(), "search".to_string())];
    for k in 0..leaves {
        let id = format!("shard-{k}");
        nodes.push(service(&id, 1_000, None, DistributionSpec::Empirical { values_ms: values.clone() }));
        edges.push(("search".to_string(), id));
    }
    let edge_refs: Vec<(&str, &str)> = edges.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let mut s = scenario("fan-out", seed, 5.0, nodes, &edge_refs);
    s.warmup_s = 5.0;
    let sim = run(&s, 300.0);
    let mean = sim.end_to_end_totals().latency.mean_ms;
    (mean, per_window_e2e(&sim, |w| w.latency.mean_ms))
}

#[test]
fn a_parallel_fan_out_is_as_slow_as_the_slowest_leaf_it_waits_for() {
    let (p, n) = (0.05, 10u32);
    let expected = |needed: u32| 0.001 + 10.0 + 990.0 * theory::fan_out_slow_share(p, n, needed);
    let (all, all_batches) = fan_out_mean_latency(WaitFor::All, 26);
    let (quorum, quorum_batches) = fan_out_mean_latency(WaitFor::Quorum(8), 27);
    let (first, first_batches) = fan_out_mean_latency(WaitFor::First, 28);
    let checks = [
        check("mean latency waiting for all 10, ms: 10 + 990·(1 − (1 − p)^N)", expected(n), all, &all_batches, 0.0),
        check("mean latency waiting for 8 of 10, ms", expected(8), quorum, &quorum_batches, 0.0),
        // Exact up to the clock's nanosecond: no spread to measure.
        check("mean latency waiting for the first, ms: 10 + 990·p^N", expected(1), first, &first_batches, 1e-6),
    ];
    verify(
        "fan-out",
        "A parallel fan-out to 10 leaves, each 1 s instead of 10 ms with p = 0.05, Poisson 300 req/s, 300 s, seeds 26–28",
        &checks,
    );
}

/// Hedging a call to a leaf with exponential service times (mean m, ample
/// workers, no network delay) after d: a copy goes out for the share of
/// calls slower than d, `e^{−d/m}`, and the call takes
/// `min(S₁, d + S₂)`, whose mean is `m(1 − e^{−d/m}) + e^{−d/m}·m/2`
/// (`theory::hedged_exponential`) (issue 8).
#[test]
fn hedging_sends_copies_for_the_share_slower_than_its_delay_and_cuts_the_mean() {
    let (mean_ms, delay_ms) = (10.0, 10.0);
    let quick = DistributionSpec::Constant { ms: 0.001 };
    let mut s = scenario(
        "hedging",
        29,
        5.0,
        vec![
            poisson_client("users", 200.0),
            service("api", 1_000, None, quick),
            service("leaf", 1_000, None, exp_ms(mean_ms)),
        ],
        &[("users", "api"), ("api", "leaf")],
    );
    s.edges[1].hedge = Some(HedgeSpec { delay_ms });
    s.warmup_s = 5.0;
    let sim = run(&s, 300.0);
    let (extra, mean) = theory::hedged_exponential(mean_ms, delay_ms);
    let api = sim.node_totals(1).expect("api");
    let leaf = sim.node_totals(2).expect("leaf");
    let copies = |w: &WindowFrame| {
        if w.nodes[1].arrivals > 0 { w.nodes[2].arrivals as f64 / w.nodes[1].arrivals as f64 - 1.0 } else { 0.0 }
    };
    let batches: Vec<f64> = sim.series().iter().skip(1).map(copies).collect();
    let checks = [
        check("extra calls per call, e^(−d/m)", extra, leaf.arrivals as f64 / api.arrivals as f64 - 1.0, &batches, 0.0),
        check(
            "mean latency at the caller, ms: m(1 − e^(−d/m)) + e^(−d/m)·m/2",
            mean + 0.001,
            api.latency.mean_ms,
            &per_window(&sim, 1, |w| w.latency.mean_ms),
            0.0,
        ),
    ];
    verify(
        "hedging",
        "Hedging after 10 ms a leaf with exponential 10 ms calls, Poisson 200 req/s, 300 s, seed 29",
        &checks,
    );
}

/// Stop-the-world pauses on a D/D/1 server: a request every 10 ms, 8 ms
/// of work each (ρ = 0.8), and three 1 s pauses, each starting while a
/// request is in service (at a different point of it). Each pause delays
/// the frozen request by the whole second and the backlog behind it by
/// P − kδ (δ = 2 ms of idle time won back per request), in all
/// `theory::pause_added_delay_dd1` = λP²/2 · μ/(μ − λ) + P/2 = 250.5 s;
/// the slowest request takes 1/μ + P. The model is deterministic, so the
/// engine must be exact (issue 8).
#[test]
fn a_pause_adds_the_delay_its_backlog_takes_to_drain() {
    let (lambda, mu, pause_s, secs) = (100.0, 125.0, 1.0, 70.0);
    let mut s = scenario(
        "pause",
        26,
        1.0,
        vec![
            node(
                "c",
                NodeKind::Client(ClientSpec {
                    arrivals: archsim::scenario::Arrivals::Constant { rate: lambda },
                    ..ClientSpec::default()
                }),
            ),
            service("s", 1, None, DistributionSpec::Constant { ms: 1_000.0 / mu }),
        ],
        &[("c", "s")],
    );
    s.duration_s = secs;
    // Requests arrive at whole hundredths and are served for 8 ms: each
    // pause starts 3, 7.5 and 0.1 ms into a service.
    for at_s in [10.003, 30.0075, 50.0001] {
        s.faults.push(FaultSpec::Pause { node: "s".into(), at_s, duration_s: pause_s });
    }
    let sim = run(&s, secs);
    let total = sim.end_to_end_totals();
    assert_eq!(total.failed, 0);
    let ok = total.ok as f64;
    let added_s = total.latency.mean_ms * ok / 1_000.0 - ok / mu;
    let longest_ms = (1.0 / mu + pause_s) * 1_000.0;
    // No randomness, so no statistical error: only the rounding of a sum
    // of nanoseconds and the histogram's 0.1 % for the maximum.
    let checks = [
        Check {
            quantity: "delay added, summed over requests, 3 pauses (s)",
            theory: 3.0 * theory::pause_added_delay_dd1(lambda, mu, pause_s),
            simulated: added_s,
            stderr: 0.0,
            slack: 1e-6,
        },
        Check {
            quantity: "slowest response = 1/μ + P (ms)",
            theory: longest_ms,
            simulated: total.latency.max_ms,
            stderr: 0.0,
            slack: 0.001 * longest_ms,
        },
    ];
    verify(
        "pause",
        &format!(
            "D/D/1, λ = {lambda}/s, μ = {mu}/s (ρ = 0.8), three pauses of P = {pause_s} s starting mid-service, {secs} s, deterministic"
        ),
        &checks,
    );
}

/// Load shedding by waiting time on an M/M/1 server: a request that
/// waited more than d is dropped when its turn comes, which is M/M/1+D
/// (deterministic patience) for who is served; the shed share is
/// `(1 − ρ)ρe^{−(μ−λ)d} / (1 − ρ²e^{−(μ−λ)d})` (`theory::mm1_shed_share`),
/// below and above saturation (issue 8).
fn shed_share(lambda: f64, seed: u64) -> (f64, Vec<f64>) {
    let mut s = scenario(
        "shedding",
        seed,
        5.0,
        vec![poisson_client("c", lambda), service("s", 1, None, exp_ms(10.0))],
        &[("c", "s")],
    );
    if let NodeKind::Service(spec) = &mut s.nodes[1].kind {
        spec.shed_after_ms = Some(20.0);
    }
    s.warmup_s = 5.0;
    let sim = run(&s, 600.0);
    let shed = |w: &Stats| if w.arrivals > 0 { w.failures.shed as f64 / w.arrivals as f64 } else { 0.0 };
    let total = sim.node_totals(1).expect("s");
    (shed(&total), per_window(&sim, 1, shed))
}

#[test]
fn shedding_after_a_wait_drops_the_m_m_1_plus_d_share() {
    let (mu, d) = (100.0, 0.02);
    let (below, below_batches) = shed_share(80.0, 30);
    let (above, above_batches) = shed_share(150.0, 31);
    let checks = [
        check("shed share at ρ = 0.8", theory::mm1_shed_share(80.0, mu, d), below, &below_batches, 0.0),
        check("shed share at ρ = 1.5 (overload)", theory::mm1_shed_share(150.0, mu, d), above, &above_batches, 0.0),
    ];
    verify(
        "shedding",
        "M/M/1 shedding requests that waited over 20 ms, μ = 100/s, λ = 80/s and 150/s, 600 s, seeds 30–31",
        &checks,
    );
}

/// A payment client writes with a 10 ms timeout and up to 3 tries to a
/// database whose queries take Exp(10 ms) with no queueing: an attempt
/// times out with probability q = e^(−1), and a timed-out write is still
/// applied, so each request applies `(1 − q³)/(1 − q) − 1` extra writes
/// (`theory::duplicate_writes_per_request`). With idempotency keys as
/// many repeats arrive and the database applies none of them (issue 8).
#[test]
fn writes_retried_after_a_timeout_are_applied_again_unless_they_carry_an_idempotency_key() {
    let (timeout_ms, mean_ms, attempts) = (10.0, 10.0, 3);
    let build = |keys: bool, seed: u64| {
        let mut client = poisson_client("payments", 200.0);
        if let NodeKind::Client(c) = &mut client.kind {
            c.timeout_ms = Some(timeout_ms);
            c.retry = Some(fixed_retry(attempts, 0.0));
            c.write_fraction = 1.0;
            c.idempotency_keys = keys;
        }
        let mut s = scenario(
            "duplicate-writes",
            seed,
            5.0,
            vec![client, database("ledger", 1_000, exp_ms(mean_ms))],
            &[("payments", "ledger")],
        );
        s.warmup_s = 5.0;
        run(&s, 300.0)
    };
    let per_request = |sim: &Simulation, f: fn(&Stats) -> u64| {
        let requests = sim.node_totals(0).expect("client").arrivals as f64;
        let batches: Vec<f64> = sim
            .series()
            .frames()
            .iter()
            .skip(1)
            .map(|w| f(&w.nodes[1]) as f64 / w.nodes[0].arrivals.max(1) as f64)
            .collect();
        (f(&sim.node_totals(1).expect("ledger")) as f64 / requests, batches)
    };
    let theory = theory::duplicate_writes_per_request((-timeout_ms / mean_ms).exp(), attempts);
    let plain = build(false, 31);
    let keyed = build(true, 32);
    let (duplicates, duplicate_batches) = per_request(&plain, |s| s.duplicate_writes);
    let (deduplicated, deduplicated_batches) = per_request(&keyed, |s| s.deduplicated_writes);
    let (keyed_duplicates, _) = per_request(&keyed, |s| s.duplicate_writes);
    assert_eq!(keyed_duplicates, 0.0, "an idempotency key lets no write through twice");
    // Requests still in flight at the end: slack of a few in 60 000.
    let checks = [
        check("duplicate writes per request, no keys", theory, duplicates, &duplicate_batches, 0.001),
        check("repeats recognised by their key per request", theory, deduplicated, &deduplicated_batches, 0.001),
    ];
    verify(
        "duplicate-writes",
        "Writes with a 10 ms timeout and 3 tries to a database of Exp(10 ms) queries, no queueing, Poisson 200/s, 300 s, seeds 31–32",
        &checks,
    );
}

/// An M/M/1 server (μ = 1000/s) shared by three clients of different
/// priority classes (critical 300/s, standard 200/s, sheddable 300/s,
/// ρ = 0.8): it serves the waiting critical requests first, so each
/// class waits as Cobham's non-preemptive priority formula says
/// (`theory::priority_waits`), and together they still wait as long as
/// FIFO would (the conservation law) (issue 8).
#[test]
fn priority_classes_wait_as_cobhams_formula_says() {
    let (mu, rates) = (1_000.0, [300.0, 200.0, 300.0]);
    let classes = [Priority::Critical, Priority::Standard, Priority::Sheddable];
    let names = ["critical", "standard", "sheddable"];
    let mut nodes: Vec<NodeSpec> = names
        .iter()
        .zip(rates)
        .zip(classes)
        .map(|((name, rate), class)| {
            let mut c = poisson_client(name, rate);
            if let NodeKind::Client(spec) = &mut c.kind {
                spec.priority = class;
            }
            c
        })
        .collect();
    nodes.push(service("server", 1, None, exp_ms(1_000.0 / mu)));
    let mut s = scenario(
        "priority",
        33,
        10.0,
        nodes,
        &[("critical", "server"), ("standard", "server"), ("sheddable", "server")],
    );
    s.warmup_s = 10.0;
    let sim = run(&s, 1_200.0);
    let waits = theory::priority_waits(&rates, mu);
    let service_ms = 1_000.0 / mu;
    let checks: Vec<Check> = (0..3)
        .map(|k| {
            let quantity =
                ["critical mean response (ms)", "standard mean response (ms)", "sheddable mean response (ms)"][k];
            let simulated = sim.node_totals(k).expect("client").latency.mean_ms;
            let batches = per_window(&sim, k, |w| w.latency.mean_ms);
            check(quantity, waits[k] * 1_000.0 + service_ms, simulated, &batches, 0.0)
        })
        .collect();
    verify(
        "priority",
        "M/M/1 serving by priority class (non-preemptive), μ = 1000/s, critical 300/s, standard 200/s, sheddable 300/s, 1200 s, seed 33",
        &checks,
    );
}

/// A client asked for 1000 requests/s, with adaptive throttling (k = 2,
/// a 120 s window), in front of a service whose rate limiter lets 200/s
/// through: the client sends about k·200 = 400/s and refuses the rest
/// itself, `1 − k·r/λ` = 60 % (`theory::throttled_share`); the limiter
/// refuses half of what it gets (issue 8).
#[test]
fn adaptive_throttling_sends_k_times_what_the_backend_accepts() {
    let (lambda, limit, k) = (1_000.0, 200.0, 2.0);
    let mut client = poisson_client("users", lambda);
    if let NodeKind::Client(c) = &mut client.kind {
        c.throttle = Some(ThrottleSpec { k, window_s: 120.0 });
    }
    let mut api = service("api", 100, None, exp_ms(1.0));
    if let NodeKind::Service(spec) = &mut api.kind {
        spec.rate_limit = Some(RateLimitSpec { rate: limit, burst: 20, ..RateLimitSpec::default() });
    }
    let mut s = scenario("throttle", 34, 10.0, vec![client, api], &[("users", "api")]);
    s.warmup_s = 30.0;
    let sim = run(&s, 630.0);
    let users = sim.node_totals(0).expect("users");
    let api = sim.node_totals(1).expect("api");
    let share = |w: &Stats| w.failures.throttled as f64 / w.arrivals.max(1) as f64;
    let sent = |w: &Stats| w.arrivals as f64 / w.duration_s;
    let refused = |w: &Stats| w.failures.rate_limited as f64 / w.arrivals.max(1) as f64;
    let checks = [
        check(
            "share the client refuses itself, 1 − k·r/λ",
            theory::throttled_share(lambda, limit, k),
            share(&users),
            &per_window(&sim, 0, share),
            0.0,
        ),
        check("requests/s reaching the service, k·r", k * limit, sent(&api), &per_window(&sim, 1, sent), 0.0),
        check("share the limiter refuses, 1 − 1/k", 1.0 - 1.0 / k, refused(&api), &per_window(&sim, 1, refused), 0.0),
    ];
    verify(
        "throttle",
        "Adaptive throttling (k = 2, 120 s window) before a 200/s rate limit, Poisson λ = 1000/s, 600 s after 30 s warm-up, seed 34",
        &checks,
    );
}

/// A uniform draw in [0, 1) for draw `k` of stream `seed` (splitmix64):
/// the test's own randomness, apart from the engine's.
fn uniform(seed: u64, k: u64) -> f64 {
    let mut z =
        seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(k.wrapping_add(1).wrapping_mul(0xBF58_476D_1CE4_E5B9));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// The times (s) of the logged events of `kind` about node `node`.
fn logged_at(sim: &Simulation, kind: SimEventKind, node: usize) -> Vec<f64> {
    sim.event_log().iter().filter(|e| e.kind == kind && e.node == Some(node)).map(|e| e.at.as_secs()).collect()
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Active health checks (interval I = 2 s, timeout t = 0.5 s, u = 3
/// failures to mark a target down, h = 2 passes to bring it back) on a
/// round-robin balancer over two targets, one of which crashes 100 times,
/// each at a time uniform over the probe cycle, for 10 to 12 s. The checks
/// notice after (u − ½)·I + t = 5.5 s on average
/// (`theory::health_check_detection_mean`), the balancer sends the dead
/// target λ/2 of its requests a second until then
/// (`theory::requests_to_a_dead_target`), and a restored target is back
/// after (h − ½)·I (`theory::health_check_recovery_mean`, no link
/// latency). Each crash is one batch (issue 8).
#[test]
fn health_checks_notice_a_dead_target_after_u_minus_a_half_intervals_and_the_timeout() {
    let (lambda, interval_s, timeout_s, u, h) = (200.0, 2.0, 0.5, 3u32, 2u32);
    let (crashes, period, seed) = (100usize, 25.0, 27u64);
    let lb = LoadBalancerSpec {
        health_check: Some(HealthCheckSpec { interval_s, timeout_s, unhealthy_threshold: u, healthy_threshold: h }),
        ..LoadBalancerSpec::default()
    };
    let quick = || DistributionSpec::Constant { ms: 0.01 };
    let mut s = scenario(
        "health-checks",
        seed,
        period,
        vec![
            poisson_client("users", lambda),
            node("lb", NodeKind::LoadBalancer(lb)),
            service("a", 100, None, quick()),
            service("b", 100, None, quick()),
        ],
        &[("users", "lb"), ("lb", "a"), ("lb", "b")],
    );
    // One crash in each window of 25 s, at a uniform point of a probe
    // interval, down for 10 to 12 s (so the restore falls at a point of
    // the cycle of its own): noticed and back well within its window.
    for k in 0..crashes {
        let at_s = period * k as f64 + 5.0 + interval_s * uniform(seed, k as u64);
        let restore_s = at_s + 10.0 + interval_s * uniform(seed + 1, k as u64);
        s.faults.push(FaultSpec::Crash { node: "b".into(), at_s, restore_s: Some(restore_s) });
    }
    let sim = run(&s, period * crashes as f64);
    let (crashed, restored) = (logged_at(&sim, SimEventKind::Crash, 3), logged_at(&sim, SimEventKind::Restore, 3));
    let marked_down = logged_at(&sim, SimEventKind::TargetUnhealthy, 1);
    let marked_up = logged_at(&sim, SimEventKind::TargetHealthy, 1);
    for times in [&crashed, &restored, &marked_down, &marked_up] {
        assert_eq!(times.len(), crashes, "one of each per crash");
    }
    let delays: Vec<f64> = marked_down.iter().zip(&crashed).map(|(m, c)| m - c).collect();
    let back: Vec<f64> = marked_up.iter().zip(&restored).map(|(m, r)| m - r).collect();
    let failed: Vec<f64> = sim.series().frames().iter().map(|w| w.nodes[3].failures.node_down as f64).collect();
    assert_eq!(failed.len(), crashes);
    let detection = theory::health_check_detection_mean(interval_s, timeout_s, u);
    let checks = [
        check("mean time to mark a dead target down, (u − ½)·I + t (s)", detection, mean(&delays), &delays, 0.0),
        check(
            "requests sent to it meanwhile, per crash: λ/2 × that",
            theory::requests_to_a_dead_target(lambda, 2, detection),
            mean(&failed),
            &failed,
            0.0,
        ),
        check(
            "mean time to mark it healthy once restored, (h − ½)·I (s)",
            theory::health_check_recovery_mean(interval_s, 0.0, h),
            mean(&back),
            &back,
            0.0,
        ),
    ];
    verify(
        "health-checks",
        "Health checks every 2 s (0.5 s timeout, 3 failures down, 2 passes up) on round robin over two targets, \
         Poisson 200 req/s, 100 crashes of one target for 10–12 s, seed 27",
        &checks,
    );
}

/// Deadline propagation: users with a 20 ms timeout call an M/M/1 server
/// (μ = 100/s) through a load balancer; the server drops a request whose
/// caller has given up when its turn comes (`drop_expired`). The users'
/// timeout runs from the moment the request reaches the server (no network
/// delay), so the server drops exactly those that waited over 20 ms: the
/// M/M/1+D abandonment share `theory::mm1_shed_share`, found through the
/// balancer's call the users detached (issue 8).
#[test]
fn a_server_that_honours_deadlines_drops_the_m_m_1_plus_d_share() {
    let (mu, timeout_ms) = (100.0, 20.0);
    let dropped_share = |lambda: f64, seed: u64| {
        let mut users = poisson_client("users", lambda);
        if let NodeKind::Client(c) = &mut users.kind {
            c.timeout_ms = Some(timeout_ms);
        }
        let mut api = service("api", 1, None, exp_ms(1_000.0 / mu));
        if let NodeKind::Service(spec) = &mut api.kind {
            spec.drop_expired = true;
        }
        let lb = node("lb", NodeKind::LoadBalancer(LoadBalancerSpec::default()));
        let mut s = scenario("deadline", seed, 10.0, vec![users, lb, api], &[("users", "lb"), ("lb", "api")]);
        s.warmup_s = 10.0;
        let sim = run(&s, 610.0);
        let share = |w: &Stats| w.failures.deadline_exceeded as f64 / w.arrivals.max(1) as f64;
        let api = sim.node_totals(2).expect("api");
        assert_eq!(api.failures.local(), api.failures.deadline_exceeded, "the only failures at api");
        (share(&api), per_window(&sim, 2, share))
    };
    let (below, below_batches) = dropped_share(80.0, 35);
    let (above, above_batches) = dropped_share(150.0, 36);
    let d = timeout_ms / 1_000.0;
    let checks = [
        check("dropped share at ρ = 0.8", theory::mm1_shed_share(80.0, mu, d), below, &below_batches, 0.0),
        check("dropped share at ρ = 1.5 (overload)", theory::mm1_shed_share(150.0, mu, d), above, &above_batches, 0.0),
    ];
    verify(
        "deadline",
        "M/M/1 behind a load balancer dropping requests whose users (20 ms timeout) gave up, μ = 100/s, λ = 80/s and 150/s, 600 s, seeds 35–36",
        &checks,
    );
}

/// Outlier ejection (n failures in a row eject a target): a target that
/// fails each request with probability p gets `(1 − p^n)/((1 − p)·p^n)`
/// requests before its first ejection on average, the mean wait for a run
/// of n failures (`theory::requests_until_ejection`; 14 at p = ½, n = 3),
/// one run per seed; a target that fails every request gets exactly n,
/// and its k-th ejection lasts k × the base time (issue 8).
#[test]
fn outlier_ejection_takes_a_target_out_after_its_first_run_of_failures() {
    let pair = |seed: u64, p: f64, ejection: OutlierEjectionSpec| {
        let lb = LoadBalancerSpec { outlier_ejection: Some(ejection), ..LoadBalancerSpec::default() };
        let quick = || DistributionSpec::Constant { ms: 0.01 };
        let mut failing = service("b", 100, None, quick());
        if let NodeKind::Service(spec) = &mut failing.kind {
            spec.error_probability = p;
        }
        scenario(
            "outlier-ejection",
            seed,
            1.0,
            vec![
                poisson_client("users", 100.0),
                node("lb", NodeKind::LoadBalancer(lb)),
                service("a", 100, None, quick()),
                failing,
            ],
            &[("users", "lb"), ("lb", "a"), ("lb", "b")],
        )
    };
    // p = ½, n = 3, ejected for good: run each seed until the ejection (the
    // only event it logs), then count what the target got.
    let (p, n) = (0.5, 3u32);
    let once = OutlierEjectionSpec { consecutive_failures: n, base_ejection_s: 1e6, max_ejected_percent: 50 };
    let runs: Vec<f64> = (0..2_000u64)
        .map(|seed| {
            let mut sim = Simulation::new(&pair(1_000 + seed, p, once)).expect("valid");
            let mut t = 0.0;
            while sim.events_logged() == 0 {
                t += 0.1;
                sim.run_until(archsim::sim::SimTime::from_secs(t));
            }
            sim.node_totals(3).expect("b").arrivals as f64
        })
        .collect();
    // p = 1, n = 5, ejected for 2 s, 4 s, 6 s…: deterministic.
    let always = OutlierEjectionSpec { consecutive_failures: 5, base_ejection_s: 2.0, max_ejected_percent: 50 };
    let mut sim = Simulation::new(&pair(28, 1.0, always)).expect("valid");
    while sim.events_logged() == 0 {
        sim.run_events(1);
    }
    let until_first = sim.node_totals(3).expect("b").arrivals as f64;
    sim.run_until(archsim::sim::SimTime::from_secs(120.0));
    let (ejected, back) =
        (logged_at(&sim, SimEventKind::TargetEjected, 1), logged_at(&sim, SimEventKind::TargetReturned, 1));
    let per_base: Vec<f64> =
        back.iter().zip(&ejected).enumerate().map(|(k, (b, e))| (b - e) / (k + 1) as f64).collect();
    assert!(per_base.len() >= 8, "{} ejections in 120 s", per_base.len());
    let exact = |quantity, theory: f64, simulated: f64| Check { quantity, theory, simulated, stderr: 0.0, slack: 1e-9 };
    let checks = [
        check(
            "requests to a target failing half of them before 3 in a row eject it, (1 − pⁿ)/((1 − p)pⁿ)",
            theory::requests_until_ejection(p, n),
            mean(&runs),
            &runs,
            0.0,
        ),
        exact("requests to a target failing all of them before 5 in a row eject it", 5.0, until_first),
        exact("its k-th ejection's length ÷ k, base 2 s (s)", 2.0, mean(&per_base)),
    ];
    verify(
        "outlier-ejection",
        "Outlier ejection on round robin over two targets, Poisson 100 req/s: a target failing half its requests \
         (3 in a row eject it; 2,000 seeds, one ejection each) and one failing all of them (5 in a row, base 2 s, \
         120 s, seed 28)",
        &checks,
    );
}

/// `instances` copies of a service of `workers` workers each (exponential
/// service of `mean_ms`, unbounded lines) behind the node's `balancing`,
/// fed Poisson arrivals of `lambda`.
fn instances_run(balancing: InstanceBalancing, instances: u32, workers: u32, lambda: f64, secs: f64) -> Simulation {
    let mut svc = service("s", workers, None, exp_ms(10.0));
    if let NodeKind::Service(spec) = &mut svc.kind {
        spec.instances = instances;
        spec.balancing = balancing;
    }
    let mut s = scenario("instances", 31, 10.0, vec![poisson_client("c", lambda), svc], &[("c", "s")]);
    s.warmup_s = 10.0;
    run(&s, secs)
}

/// Random balancing splits a Poisson stream into independent Poisson
/// streams of λ/N: each instance is an M/M/c, and the node's mean
/// response is Erlang C's.
#[test]
fn random_balancing_makes_each_instance_an_m_m_c() {
    let (n, c, mu, lambda) = (3u32, 2u32, 100.0, 480.0);
    let sim = instances_run(InstanceBalancing::Random, n, c, lambda, 1000.0);
    let total = sim.node_totals(1).expect("node 1");
    let per_instance = lambda / f64::from(n);
    let checks = [
        check(
            "mean sojourn W (ms), M/M/2 at λ/3",
            theory::mmc_mean_sojourn(c, per_instance, mu) * 1000.0,
            total.latency.mean_ms,
            &per_window(&sim, 1, |w| w.latency.mean_ms),
            0.0,
        ),
        check(
            "P(wait) (Erlang C)",
            theory::erlang_c(c, per_instance / mu),
            total.wait_probability.unwrap_or(0.0),
            &per_window(&sim, 1, |w| w.wait_probability.unwrap_or(0.0)),
            0.0,
        ),
        check(
            "utilisation = λ/(Ncμ)",
            lambda / (f64::from(n * c) * mu),
            total.utilisation.unwrap_or(0.0),
            &per_window(&sim, 1, |w| w.utilisation.unwrap_or(0.0)),
            0.0,
        ),
    ];
    verify(
        "instances-random",
        "3 instances × 2 workers, random balancing, λ = 480/s, μ = 100/s per worker (ρ = 0.8), 1000 s, seed 31",
        &checks,
    );
}

/// Round robin hands each single-worker instance every N-th arrival: its
/// gaps are Erlang-N, steadier than Poisson, so it waits as `E_N/M/1` —
/// less than the M/M/1 random balancing makes of it.
#[test]
fn round_robin_makes_each_instance_an_erlang_n_m_1_and_waits_less_than_random() {
    let (n, mu, lambda) = (3u32, 100.0, 240.0);
    let sim = instances_run(InstanceBalancing::RoundRobin, n, 1, lambda, 2000.0);
    let total = sim.node_totals(1).expect("node 1");
    let wait = theory::erlang_m1_mean_wait(n, lambda, mu);
    let random_wait = theory::mm1_mean_sojourn(lambda / f64::from(n), mu) - 1.0 / mu;
    assert!(wait < 0.7 * random_wait, "E3/M/1 waits {wait} s, M/M/1 {random_wait} s");
    let checks = [
        check(
            "mean sojourn W (ms), E3/M/1",
            (wait + 1.0 / mu) * 1000.0,
            total.latency.mean_ms,
            &per_window(&sim, 1, |w| w.latency.mean_ms),
            0.0,
        ),
        check(
            "mean wait (ms), E3/M/1",
            wait * 1000.0,
            total.mean_wait_ms,
            &per_window(&sim, 1, |w| w.mean_wait_ms),
            0.0,
        ),
        check(
            "utilisation = λ/(Nμ)",
            lambda / (f64::from(n) * mu),
            total.utilisation.unwrap_or(0.0),
            &per_window(&sim, 1, |w| w.utilisation.unwrap_or(0.0)),
            0.0,
        ),
    ];
    verify(
        "instances-round-robin",
        "3 single-worker instances, round robin, λ = 240/s, μ = 100/s (ρ = 0.8), 2000 s, seed 31 \
         (M/M/1 with random balancing would wait 40 ms)",
        &checks,
    );
}

/// The arrival-epoch queue of an `E_N/M/c` queue: one instance of `c`
/// workers (rate `mu` each) fed every `n`-th arrival of a Poisson stream
/// of `lambda`, so its gaps are Erlang-N with phases of rate `lambda`.
/// Solved exactly, as a continuous-time Markov chain of (requests
/// present, arrival phase), by power iteration of the uniformised chain
/// truncated far beyond any level it reaches. Returns the mean wait (s)
/// and P(wait) seen by an arrival (arrivals leave the last phase, so they
/// see the chain's distribution there). GI/M/c has a closed form only
/// through its boundary probabilities; this is the same number without
/// them, and for c = 1 it is `theory::erlang_m1_mean_wait`.
fn erlang_m_c_wait(n: u32, c: u32, lambda: f64, mu: f64) -> (f64, f64) {
    const LEVELS: usize = 400;
    let phases = n.max(1) as usize;
    let rate = lambda + f64::from(c) * mu;
    let at = |level: usize, phase: usize| level * phases + phase;
    let mut pi = vec![0.0; (LEVELS + 1) * phases];
    pi[0] = 1.0;
    for _ in 0..200 {
        let mut change = 0.0;
        for _ in 0..1000 {
            let mut next = vec![0.0; pi.len()];
            for level in 0..=LEVELS {
                let out = f64::from(c.min(level as u32)) * mu;
                for phase in 0..phases {
                    let p = pi[at(level, phase)];
                    if p == 0.0 {
                        continue;
                    }
                    let (advance, stay) = (p * lambda / rate, p * (rate - lambda - out) / rate);
                    next[at(level, phase)] += stay;
                    if phase + 1 < phases {
                        next[at(level, phase + 1)] += advance;
                    } else {
                        // An arrival; beyond the last level it is lost (never reached).
                        next[at((level + 1).min(LEVELS), 0)] += advance;
                    }
                    if level > 0 {
                        next[at(level - 1, phase)] += p * out / rate;
                    }
                }
            }
            change = pi.iter().zip(&next).map(|(a, b)| (a - b).abs()).sum::<f64>();
            pi = next;
        }
        if change < 1e-13 {
            break;
        }
    }
    let seen: Vec<f64> = (0..=LEVELS).map(|level| pi[at(level, phases - 1)]).collect();
    let total: f64 = seen.iter().sum();
    let c = c as usize;
    let wait = seen.iter().enumerate().skip(c).map(|(k, q)| q * (k - c + 1) as f64).sum::<f64>() / total;
    let waits = seen.iter().skip(c).sum::<f64>() / total;
    (wait / (c as f64 * mu), waits)
}

/// Round robin over instances of several workers: each instance still
/// sees every N-th arrival, Erlang-N gaps, and is an `E_N/M/c` queue.
/// Per-instance M/M/c (what random balancing makes of it) is only an
/// upper bound: the steadier gaps wait less.
#[test]
fn round_robin_over_instances_of_several_workers_makes_each_an_erlang_n_m_c() {
    let (n, c, mu, lambda) = (3u32, 2u32, 100.0, 480.0);
    let (one_worker, _) = erlang_m_c_wait(n, 1, 240.0, mu);
    assert!(
        (one_worker - theory::erlang_m1_mean_wait(n, 240.0, mu)).abs() < 1e-6,
        "the chain agrees with GI/M/1's closed form: {one_worker}"
    );
    let (wait, waits) = erlang_m_c_wait(n, c, lambda, mu);
    let mmc = theory::mmc_mean_sojourn(c, lambda / f64::from(n), mu) - 1.0 / mu;
    assert!(wait < 0.7 * mmc, "E3/M/2 waits {wait} s, M/M/2 {mmc} s");
    let sim = instances_run(InstanceBalancing::RoundRobin, n, c, lambda, 1000.0);
    let total = sim.node_totals(1).expect("node 1");
    let checks = [
        check(
            "mean sojourn W (ms), E3/M/2",
            (wait + 1.0 / mu) * 1000.0,
            total.latency.mean_ms,
            &per_window(&sim, 1, |w| w.latency.mean_ms),
            0.0,
        ),
        check(
            "P(wait), E3/M/2",
            waits,
            total.wait_probability.unwrap_or(0.0),
            &per_window(&sim, 1, |w| w.wait_probability.unwrap_or(0.0)),
            0.0,
        ),
        check(
            "utilisation = λ/(Ncμ)",
            lambda / (f64::from(n * c) * mu),
            total.utilisation.unwrap_or(0.0),
            &per_window(&sim, 1, |w| w.utilisation.unwrap_or(0.0)),
            0.0,
        ),
    ];
    verify(
        "instances-round-robin-workers",
        "3 instances × 2 workers, round robin, λ = 480/s, μ = 100/s per worker (ρ = 0.8), 1000 s, seed 31 \
         (M/M/2 per instance, as random balancing makes it, would stay 27.8 ms)",
        &checks,
    );
}

/// A service of `c` workers of exponential work (rate `mu`) per instance,
/// starting at one instance and autoscaled on `target` (every 10 s, a 5 s
/// cold start, 60 s before scaling in), under Poisson `lambda` for
/// `secs`. A line of 50 per instance keeps the first overload short.
fn autoscaled_run(lambda: f64, mu: f64, c: u32, target: ScaleTarget, secs: f64) -> Simulation {
    let mut svc = service("s", c, Some(50), exp_ms(1000.0 / mu));
    if let NodeKind::Service(spec) = &mut svc.kind {
        spec.autoscale = Some(AutoscaleSpec {
            min: 1,
            max: 60,
            target,
            interval_s: 10.0,
            scale_out_cooldown_s: 0.0,
            scale_in_cooldown_s: 60.0,
            cold_start_s: 5.0,
        });
    }
    let s = scenario("autoscaled", 37, 10.0, vec![poisson_client("c", lambda), svc], &[("c", "s")]);
    run(&s, secs)
}

/// The instances in balancing, averaged over the windows from `from_s` on.
fn settled_instances(sim: &Simulation, from_s: f64) -> (f64, Vec<f64>) {
    let ready: Vec<f64> = sim
        .series()
        .frames()
        .iter()
        .filter(|w| w.start_s >= from_s)
        .map(|w| w.nodes[1].instances.map_or(0.0, |i| i.ready))
        .collect();
    (ready.iter().sum::<f64>() / ready.len() as f64, ready)
}

/// An autoscaler settles on the fewest instances that hold its target:
/// whatever the count, ready × metric is the load (λ/(μc) instances'
/// worth of busy workers, or λ requests/s), so it wants
/// ⌈λ/(μ·c·target)⌉ (⌈λ/r⌉ for requests per instance) from any start.
/// Within its 10 % tolerance a neighbour may also rest, so the check is
/// one instance wide.
#[test]
fn an_autoscaler_settles_on_the_fewest_instances_that_meet_its_target() {
    let cases: [(&'static str, f64, f64, u32, ScaleTarget); 5] = [
        ("instances, λ 300/s, μ 25/s, 8 workers, 60 % busy: ⌈2.5⌉", 300.0, 25.0, 8, ScaleTarget::Utilisation(0.6)),
        ("instances, λ 900/s, μ 25/s, 8 workers, 60 % busy: ⌈7.5⌉", 900.0, 25.0, 8, ScaleTarget::Utilisation(0.6)),
        ("instances, λ 1000/s, μ 100/s, 4 workers, 70 % busy: ⌈3.57⌉", 1000.0, 100.0, 4, ScaleTarget::Utilisation(0.7)),
        ("instances, λ 1000/s, μ 50/s, 2 workers, 80 % busy: ⌈12.5⌉", 1000.0, 50.0, 2, ScaleTarget::Utilisation(0.8)),
        (
            "instances, λ 500/s, μ 100/s, 4 workers, 60 req/s each: ⌈8.33⌉",
            500.0,
            100.0,
            4,
            ScaleTarget::RequestsPerInstance(60.0),
        ),
    ];
    let mut checks = Vec::new();
    for (quantity, lambda, mu, c, target) in cases {
        let wanted = match target {
            ScaleTarget::RequestsPerInstance(r) => lambda / r,
            _ => lambda / (mu * f64::from(c) * target.value()),
        };
        let sim = autoscaled_run(lambda, mu, c, target, 900.0);
        let (settled, batches) = settled_instances(&sim, 600.0);
        checks.push(check(quantity, wanted.ceil(), settled, &batches, 1.0));
    }
    verify(
        "autoscaler-steady-state",
        "An autoscaler's steady state: Poisson λ, exponential work, starting at 1 instance, a decision every 10 s, \
         5 s cold start, 60 s scale-in cooldown; instances in balancing averaged over 600–900 s, seed 37 \
         (passes within one instance)",
        &checks,
    );
}

/// A database of `c` connections per server (exponential queries at rate
/// `mu`) over `shards` shards, starting at one read replica per shard,
/// its replicas autoscaled on `target` (every 10 s, a 5 s cold start, 60 s
/// before scaling in), read by Poisson `lambda` on uniform keys.
fn autoscaled_replicas_run(lambda: f64, mu: f64, c: u32, shards: u32, target: ScaleTarget, secs: f64) -> Simulation {
    let db = DatabaseSpec {
        connections: c,
        queue_capacity: Some(50),
        query_time: exp_ms(1000.0 / mu),
        read_replicas: 1,
        shards,
        autoscale: Some(AutoscaleSpec {
            min: 1,
            max: 40,
            target,
            interval_s: 10.0,
            scale_out_cooldown_s: 0.0,
            scale_in_cooldown_s: 60.0,
            cold_start_s: 5.0,
        }),
        ..DatabaseSpec::default()
    };
    let mut client = poisson_client("c", lambda);
    if let NodeKind::Client(spec) = &mut client.kind {
        spec.keys = Some(KeySpec { keyspace: 1_000_000, zipf_exponent: 0.0 });
    }
    let nodes = vec![client, NodeSpec::new("db", NodeKind::Database(db))];
    let s = scenario("autoscaled replicas", 41, 10.0, nodes, &[("c", "db")]);
    run(&s, secs)
}

/// A database's autoscaled read replicas settle as a service's instances
/// do, on the replicas' own load: reads λ over R replicas of c connections
/// keep them λ/(Rcμ) busy, so the autoscaler wants ⌈λ/(μ·c·target)⌉
/// replicas (⌈λ/r⌉ for reads per replica), per shard ⌈λ/(shards·μ·c·target)⌉
/// — every shard alike. The node counts servers (each shard's primary and
/// replicas): replicas per shard = servers ÷ shards − 1.
#[test]
fn autoscaled_read_replicas_settle_on_the_fewest_that_meet_their_target() {
    let cases: [(&'static str, f64, f64, u32, u32, ScaleTarget); 4] = [
        (
            "read replicas, λ 900/s, μ 100/s, 4 connections, 70 % busy: ⌈3.21⌉",
            900.0,
            100.0,
            4,
            1,
            ScaleTarget::Utilisation(0.7),
        ),
        (
            "read replicas, λ 600/s, μ 50/s, 8 connections, 60 % busy: ⌈2.5⌉",
            600.0,
            50.0,
            8,
            1,
            ScaleTarget::Utilisation(0.6),
        ),
        (
            "read replicas, λ 1000/s, μ 100/s, 4 connections, 150 reads/s each: ⌈6.67⌉",
            1000.0,
            100.0,
            4,
            1,
            ScaleTarget::RequestsPerInstance(150.0),
        ),
        (
            "read replicas per shard, 2 shards, λ 1600/s, μ 100/s, 4 connections, 70 % busy: ⌈2.86⌉",
            1600.0,
            100.0,
            4,
            2,
            ScaleTarget::Utilisation(0.7),
        ),
    ];
    let mut checks = Vec::new();
    for (quantity, lambda, mu, c, shards, target) in cases {
        let per_shard = lambda / f64::from(shards);
        let wanted = match target {
            ScaleTarget::RequestsPerInstance(r) => per_shard / r,
            _ => per_shard / (mu * f64::from(c) * target.value()),
        };
        let sim = autoscaled_replicas_run(lambda, mu, c, shards, target, 900.0);
        let (servers, batches) = settled_instances(&sim, 600.0);
        let replicas = |servers: f64| servers / f64::from(shards) - 1.0;
        let batches: Vec<f64> = batches.into_iter().map(replicas).collect();
        checks.push(check(quantity, wanted.ceil(), replicas(servers), &batches, 1.0));
    }
    verify(
        "replica-autoscaler-steady-state",
        "A database's read replicas autoscaled: Poisson reads on uniform keys, exponential queries, starting at 1 \
         replica per shard, a decision every 10 s, 5 s cold start, 60 s scale-in cooldown; replicas per shard \
         averaged over 600–900 s, seed 41 (passes within one replica)",
        &checks,
    );
}

/// A database of one connection whose queries cost their own time plus the
/// table's fixed part: an M/G/1 whose service time is the query's shifted
/// by that part, checked against Pollaczek–Khinchine.
fn database_mg1(case: &str, title: &str, query_time: DistributionSpec, table: TableSpec, lambda: f64, seed: u64) {
    let own_ms = query_time.mean_ms().expect("closed-form mean");
    let own_var = match query_time {
        DistributionSpec::Exponential { mean_ms } => mean_ms * mean_ms,
        _ => 0.0,
    };
    let extra_ms = table.query_cost_ms();
    let mean_ms = own_ms + extra_ms;
    let second_moment_ms2 = own_var + mean_ms * mean_ms;
    let db = DatabaseSpec {
        connections: 1,
        queue_capacity: None,
        query_time,
        table: Some(table),
        ..DatabaseSpec::default()
    };
    let mut s = scenario(
        case,
        seed,
        20.0,
        vec![poisson_client("c", lambda), node("db", NodeKind::Database(db))],
        &[("c", "db")],
    );
    s.warmup_s = 20.0;
    let sim = run(&s, 2000.0);
    let total = sim.node_totals(1).expect("node 1");
    let wq_ms = theory::mg1_mean_wait(lambda, mean_ms / 1000.0, second_moment_ms2 / 1e6) * 1000.0;
    let checks = [
        check(
            "mean service E[S] = query + table (ms)",
            mean_ms,
            total.mean_busy / lambda * 1000.0,
            &per_window(&sim, 1, |w| w.mean_busy / lambda * 1000.0),
            0.0,
        ),
        check("mean wait Wq (ms)", wq_ms, total.mean_wait_ms, &per_window(&sim, 1, |w| w.mean_wait_ms), 0.0),
        check(
            "mean sojourn W = Wq + E[S] (ms)",
            wq_ms + mean_ms,
            total.latency.mean_ms,
            &per_window(&sim, 1, |w| w.latency.mean_ms),
            0.0,
        ),
    ];
    verify(case, title, &checks);
}

#[test]
fn a_table_scan_adds_rows_times_the_row_cost_to_every_query_as_pollaczek_khinchine_expects() {
    // 50,000 rows at 0.02 µs: a 1 ms scan on top of an exponential 1 ms query.
    database_mg1(
        "db-scan",
        "Database, 1 connection, exponential 1 ms query + a scan of 50,000 rows at 0.02 µs (1 ms): M/G/1 with E[S] = 2 ms, E[S²] = 5 ms², λ = 400/s (ρ = 0.8), 2000 s, seed 41",
        DistributionSpec::Exponential { mean_ms: 1.0 },
        TableSpec { rows: 50_000, index: false, ..TableSpec::default() },
        400.0,
        41,
    );
}

#[test]
fn an_index_lookup_adds_its_levels_to_every_query_as_md1_expects() {
    // 1,000,000 rows: ceil(log100 10⁶) = 3 levels of 0.1 ms on a constant 0.7 ms query.
    database_mg1(
        "db-index",
        "Database, 1 connection, constant 0.7 ms query + an index lookup in 1,000,000 rows (3 levels × 0.1 ms): M/D/1 with S = 1 ms, λ = 800/s (ρ = 0.8), 2000 s, seed 42",
        DistributionSpec::Constant { ms: 0.7 },
        TableSpec { rows: 1_000_000, index: true, index_level_ms: 0.1, ..TableSpec::default() },
        800.0,
        42,
    );
}

#[test]
fn uniform_keys_over_shards_make_each_shard_an_mmc_at_its_share_of_the_load() {
    // 4 shards of 2 connections, μ = 250/s each; λ = 1600/s of uniform keys: each shard an M/M/2 at 400/s.
    let (shards, c, mu, lambda) = (4u32, 2u32, 250.0, 1600.0);
    let db = DatabaseSpec {
        connections: c,
        queue_capacity: None,
        query_time: exp_ms(4.0),
        shards,
        ..DatabaseSpec::default()
    };
    let client = ClientSpec {
        arrivals: archsim::scenario::Arrivals::Poisson { rate: lambda },
        keys: Some(KeySpec { keyspace: 1_000_000, zipf_exponent: 0.0 }),
        ..ClientSpec::default()
    };
    let mut s = scenario(
        "db-shards",
        43,
        10.0,
        vec![node("c", NodeKind::Client(client)), node("db", NodeKind::Database(db))],
        &[("c", "db")],
    );
    s.warmup_s = 10.0;
    let sim = run(&s, 1500.0);
    let total = sim.node_totals(1).expect("node 1");
    let per_shard = lambda / f64::from(shards);
    let checks = [
        check(
            "mean sojourn W (ms), M/M/2 at λ/4",
            theory::mmc_mean_sojourn(c, per_shard, mu) * 1000.0,
            total.latency.mean_ms,
            &per_window(&sim, 1, |w| w.latency.mean_ms),
            0.0,
        ),
        check(
            "P(wait) (Erlang C)",
            theory::erlang_c(c, per_shard / mu),
            total.wait_probability.unwrap_or(0.0),
            &per_window(&sim, 1, |w| w.wait_probability.unwrap_or(0.0)),
            0.0,
        ),
        check(
            "utilisation = λ/(N c μ)",
            lambda / (f64::from(shards * c) * mu),
            total.utilisation.unwrap_or(0.0),
            &per_window(&sim, 1, |w| w.utilisation.unwrap_or(0.0)),
            0.0,
        ),
    ];
    verify(
        "db-shards",
        "Database, 4 shards × 2 connections, uniform keys, λ = 1600/s, μ = 250/s per connection (ρ = 0.8), 1500 s, seed 43",
        &checks,
    );
    // And each shard, not only their sum, carries its quarter.
    for shard in &sim.report().nodes[1].shards {
        assert!((shard.utilisation - 0.8).abs() < 0.02, "{:?}", sim.report().nodes[1].shards);
    }
}
