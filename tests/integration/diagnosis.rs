//! The diagnosis follows the cause: one small scenario per cause, each
//! asserting the typed cause that comes first, the advice it gets, and the
//! words of that advice (retries for a retry storm, errors for injected
//! errors — never "more workers" where workers are not the problem).

use archsim::diagnosis::{Advice, Cause, Diagnosis, Surroundings, TheoryModel, diagnose};
use archsim::scenario::{Scenario, bundled, parse_scenario};
use archsim::sim::{Report, SimTime, Simulation, group_thousands};

fn parse(source: &str) -> Scenario {
    parse_scenario(source, "test.ron").unwrap_or_else(|e| panic!("test scenario does not load:\n{e}"))
}

fn run(scenario: &Scenario) -> Simulation {
    let mut sim = Simulation::new(scenario).unwrap_or_else(|e| panic!("{} does not build: {e}", scenario.name));
    sim.run_until(SimTime::from_secs(scenario.duration_s));
    sim
}

/// Runs the scenario to its end and diagnoses it.
fn diagnosed(scenario: &Scenario) -> (Report, Diagnosis) {
    let report = run(scenario).report();
    let diagnosis = diagnose(&report, scenario);
    (report, diagnosis)
}

/// Every sentence a learner reads: headline, summary, evidence, advice.
fn all_text(d: &Diagnosis) -> String {
    let mut text = format!("{}\n{}\n", d.headline, d.summary);
    for f in &d.findings {
        text += &format!("{}\n", f.evidence());
        for a in &f.advice {
            text += &format!("{a}\n");
        }
    }
    text
}

fn stats<'a>(report: &'a Report, id: &str) -> &'a archsim::sim::NodeReport {
    report.nodes.iter().find(|n| n.id == id).unwrap_or_else(|| panic!("no node {id}"))
}

#[test]
fn a_retry_storm_is_blamed_on_retries_with_backoff_jitter_and_a_shorter_queue() {
    let scenario = bundled("retry-storm").expect("bundled").load().expect("valid");
    let (report, d) = diagnosed(&scenario);
    let top = d.top().expect("a finding");
    let Cause::RetryAmplification { client, target, attempts_per_request, retry_share, retries_cause_overload, .. } =
        &top.cause
    else {
        panic!("the retries come first:\n{}", all_text(&d));
    };
    assert_eq!((client.as_str(), target.as_str()), ("users", "service"));
    assert!(*attempts_per_request > 2.5, "{attempts_per_request}");
    assert!(*retry_share > 0.5, "{retry_share}");
    assert!(retries_cause_overload, "300 req/s of first tries fit 8 workers at 20 ms");
    assert!(matches!(&top.advice[0], Advice::CapRetries { max_attempts: 4, .. }), "{:?}", top.advice);
    assert!(top.advice.iter().any(|a| matches!(a, Advice::AddJitter { .. })), "{:?}", top.advice);
    assert!(
        top.advice.iter().any(|a| matches!(a, Advice::ShortenQueue { node, capacity: Some(2_000), suggested, .. }
            if node == "service" && *suggested <= 100)),
        "{:?}",
        top.advice
    );
    let first = top.advice[0].to_string();
    assert!(first.contains("retr") && first.contains("backoff") && first.contains("jitter"), "{first}");

    // Requests and attempts are labelled apart.
    let failed = group_thousands(report.end_to_end.failed);
    let rejected = group_thousands(stats(&report, "service").stats.failures.rejected);
    assert!(d.headline.contains(&format!("{failed} requests failed")), "{}", d.headline);
    assert!(d.headline.contains(&format!("service saw {rejected} attempts rejected")), "{}", d.headline);

    // The overloaded service is the retries' doing: no finding of its own,
    // and nothing says to add workers.
    assert!(!d.findings.iter().any(|f| matches!(&f.cause, Cause::Saturated { node, .. } if node == "service")));
    assert!(!all_text(&d).contains("more workers"), "{}", all_text(&d));
    // The outage that started it is named too, after the retries.
    assert!(d.findings.iter().skip(1).any(|f| matches!(&f.cause, Cause::NodeDown { node, .. } if node == "service")));
}

#[test]
fn the_same_outage_without_retries_is_not_a_retry_storm() {
    let mut scenario = bundled("retry-storm").expect("bundled").load().expect("valid");
    if let Some(archsim::scenario::NodeKind::Client(c)) = scenario.nodes.first_mut().map(|n| &mut n.kind) {
        c.retry = None;
    }
    let (_, d) = diagnosed(&scenario);
    assert!(!d.findings.iter().any(|f| matches!(f.cause, Cause::RetryAmplification { .. })), "{}", all_text(&d));
    assert!(matches!(&d.top().expect("a finding").cause, Cause::NodeDown { node, .. } if node == "service"));
}

const ONE_SERVICE: &str = r#"(
    name: "one service",
    seed: 5,
    duration_s: 30,
    nodes: [
        (id: "users", kind: Client(arrivals: Poisson(rate: 100))),
        (id: "service-1", kind: Service(workers: 1, service_time: Exponential(mean_ms: 2))),
    ],
    edges: [(from: "users", to: "service-1")],
)"#;

/// The advice for errors speaks of errors and of the fault, never of workers.
fn assert_blames_injected_errors(d: &Diagnosis, still_in_force: bool) {
    let top = d.top().expect("a finding");
    let Cause::InjectedErrors { node, probability, errors, .. } = &top.cause else {
        panic!("the injected errors come first:\n{}", all_text(d));
    };
    assert_eq!(node, "service-1");
    assert!((probability - 1.0).abs() < 1e-9, "{probability}");
    assert!(*errors > 0);
    assert_eq!(top.advice[0], Advice::StopInjectedErrors { node: "service-1".into(), still_in_force });
    let text = all_text(d);
    assert!(text.contains("error"), "{text}");
    assert!(!text.contains("workers"), "{text}");
    assert!(d.headline.contains("requests failed") && d.headline.contains("attempts with an injected error"));
}

#[test]
fn injected_errors_set_live_are_blamed_on_the_fault_not_on_workers() {
    let scenario = parse(ONE_SERVICE);
    let mut sim = Simulation::new(&scenario).expect("builds");
    sim.set_error_injection(scenario.node_index("service-1").expect("service-1"), 1.0);
    sim.run_until(SimTime::from_secs(scenario.duration_s));
    let d = diagnose(&sim.report(), &scenario);
    assert_blames_injected_errors(&d, true);
}

#[test]
fn injected_errors_from_the_timeline_with_retries_say_retries_cannot_help() {
    let source = ONE_SERVICE
        .replace(
            "Client(arrivals: Poisson(rate: 100))",
            "Client(arrivals: Poisson(rate: 100), retry: (max_attempts: 3, backoff_ms: 50, jitter: 1))",
        )
        .replace(
            "edges: [(from: \"users\", to: \"service-1\")],",
            "edges: [(from: \"users\", to: \"service-1\")],\n    faults: [Errors(node: \"service-1\", probability: 1.0, from_s: 5, to_s: 25)],",
        );
    let (_, d) = diagnosed(&parse(&source));
    assert_blames_injected_errors(&d, false);
    let top = d.top().expect("a finding");
    assert!(top.advice.iter().any(|a| matches!(a, Advice::RetriesCannotFixErrors { .. })), "{:?}", top.advice);
    // Every attempt failed at once: nothing timed out or was turned away,
    // so the retries are not the cause.
    assert!(!d.findings.iter().any(|f| matches!(f.cause, Cause::RetryAmplification { .. })), "{}", all_text(&d));
}

#[test]
fn a_crashed_service_is_blamed_on_the_outage() {
    let source = ONE_SERVICE.replace(
        "edges: [(from: \"users\", to: \"service-1\")],",
        "edges: [(from: \"users\", to: \"service-1\")],\n    faults: [Crash(node: \"service-1\", at_s: 10, restore_s: 20)],",
    );
    let (report, d) = diagnosed(&parse(&source));
    let service = &stats(&report, "service-1").faults;
    assert_eq!(service.crashes, 1);
    assert!((service.down_s - 10.0).abs() < 1e-6, "{}", service.down_s);
    let top = d.top().expect("a finding");
    let Cause::NodeDown { node, down_s, down_at_end, failed_attempts, .. } = &top.cause else {
        panic!("the outage comes first:\n{}", all_text(&d));
    };
    assert_eq!(node, "service-1");
    assert!((down_s - 10.0).abs() < 1e-6 && !down_at_end && *failed_attempts > 500);
    assert_eq!(top.advice[0], Advice::AddReplica { node: "service-1".into(), balancer: None, monthly_usd: 73.0 });
    assert!(top.advice.contains(&Advice::AddCappedRetries { client: "users".into() }), "{:?}", top.advice);
    assert!(d.headline.contains("service-1 was down for 10 s"), "{}", d.headline);
    assert!(!all_text(&d).contains("more workers"), "{}", all_text(&d));
}

#[test]
fn a_service_still_down_at_the_end_is_to_be_restored() {
    let source = ONE_SERVICE.replace(
        "edges: [(from: \"users\", to: \"service-1\")],",
        "edges: [(from: \"users\", to: \"service-1\")],\n    faults: [Crash(node: \"service-1\", at_s: 20)],",
    );
    let (_, d) = diagnosed(&parse(&source));
    let top = d.top().expect("a finding");
    assert!(matches!(top.cause, Cause::NodeDown { down_at_end: true, .. }), "{}", all_text(&d));
    assert_eq!(top.advice[0], Advice::RestoreNode { node: "service-1".into() });
}

#[test]
fn a_partition_is_blamed_on_the_cut_link() {
    let source = r#"(
        name: "partition",
        seed: 5,
        duration_s: 30,
        nodes: [
            (id: "users", kind: Client(arrivals: Poisson(rate: 100))),
            (id: "api", kind: Service(workers: 8, service_time: Exponential(mean_ms: 5))),
            (id: "db", kind: Database(connections: 8, query_time: Exponential(mean_ms: 5))),
        ],
        edges: [(from: "users", to: "api"), (from: "api", to: "db")],
        faults: [Partition(from: "api", to: "db", from_s: 10, to_s: 20)],
    )"#;
    let (report, d) = diagnosed(&parse(source));
    let edge = report.edges.iter().find(|e| e.from == "api").expect("api to db");
    assert!(edge.partitioned > 0 && edge.partitioned == edge.lost, "{edge:?}");
    let top = d.top().expect("a finding");
    assert_eq!(top.cause, Cause::Partition { from: "api".into(), to: "db".into(), lost: edge.partitioned });
    assert_eq!(top.advice[0], Advice::HealPartition { from: "api".into(), to: "db".into() });
    assert!(d.headline.contains("requests failed") && d.headline.contains("attempts were lost"), "{}", d.headline);
}

const CACHE_IN_FRONT_OF_A_SMALL_DB: &str = r#"(
    name: "cache in front of a small database",
    seed: 3,
    duration_s: 60,
    warmup_s: 10,
    nodes: [
        (id: "users", kind: Client(arrivals: Poisson(rate: 400), keys: (keyspace: 2000, zipf_exponent: 1.0))),
        (id: "cache", kind: Cache(mode: Lru(capacity: 2000), lookup_time: Constant(ms: 0.5))),
        (id: "db", kind: Database(connections: 2, queue_capacity: 20, query_time: Exponential(mean_ms: 20))),
    ],
    edges: [(from: "users", to: "cache"), (from: "cache", to: "db")],
    faults: [Flush(node: "cache", at_s: 30)],
)"#;

#[test]
fn a_flushed_cache_is_blamed_for_its_database_turning_reads_away() {
    let (report, d) = diagnosed(&parse(CACHE_IN_FRONT_OF_A_SMALL_DB));
    assert_eq!(stats(&report, "cache").faults.flushes, 1);
    let top = d.top().expect("a finding");
    let Cause::ColdCache { cache, flushes, backend, backend_rejected, .. } = &top.cause else {
        panic!("the cold cache comes first:\n{}", all_text(&d));
    };
    assert_eq!((cache.as_str(), *flushes, backend.as_deref()), ("cache", 1, Some("db")));
    assert!(*backend_rejected > 0);
    assert_eq!(top.advice[0], Advice::WarmCache { cache: "cache".into(), backend: Some("db".into()) });
    assert!(top.advice.contains(&Advice::SizeBackendForColdCache { backend: "db".into(), cache: "cache".into() }));
    let text = all_text(&d);
    assert!(text.contains("flushed") && text.contains("hit ratio"), "{text}");

    // Without the flush the warm cache shields the database: nothing to blame.
    let mut warm = parse(CACHE_IN_FRONT_OF_A_SMALL_DB);
    warm.faults.clear();
    let (_, d) = diagnosed(&warm);
    assert!(!d.findings.iter().any(|f| matches!(f.cause, Cause::ColdCache { .. })), "{}", all_text(&d));
}

#[test]
fn a_full_queue_in_front_of_idle_workers_asks_for_consumers_not_downstream_capacity() {
    let source = r#"(
        name: "queue full, worker idle",
        seed: 4,
        duration_s: 40,
        nodes: [
            (id: "producer", kind: Client(arrivals: Poisson(rate: 100))),
            (id: "jobs", kind: Queue(capacity: 100, consumers: 2)),
            (id: "worker", kind: Service(workers: 32, service_time: Exponential(mean_ms: 50))),
        ],
        edges: [(from: "producer", to: "jobs"), (from: "jobs", to: "worker")],
    )"#;
    let (_, d) = diagnosed(&parse(source));
    let top = d.top().expect("a finding");
    let Cause::QueueFullDownstreamIdle { node, downstream, downstream_utilisation, rejected, .. } = &top.cause else {
        panic!("the queue in front of idle workers comes first:\n{}", all_text(&d));
    };
    assert_eq!((node.as_str(), downstream.as_str()), ("jobs", "worker"));
    assert!(*downstream_utilisation < 0.2 && *rejected > 0);
    assert!(matches!(&top.advice[0], Advice::AddPool { node, idle_downstream: Some(_), .. } if node == "jobs"));
    assert!(top.advice[0].to_string().starts_with("Add consumers to jobs"), "{}", top.advice[0]);
    assert!(!d.findings.iter().any(|f| matches!(&f.cause, Cause::Saturated { node, .. } if node == "worker")));
}

#[test]
fn a_blocking_service_waiting_on_an_idle_database_is_told_to_stop_blocking() {
    let source = r#"(
        name: "workers held on a slow, idle database",
        seed: 4,
        duration_s: 40,
        nodes: [
            (id: "users", kind: Client(arrivals: Poisson(rate: 50))),
            (id: "web", kind: Service(workers: 2, queue_capacity: 10, service_time: Exponential(mean_ms: 2))),
            (id: "db", kind: Database(connections: 50, query_time: Constant(ms: 100))),
        ],
        edges: [(from: "users", to: "web"), (from: "web", to: "db")],
    )"#;
    let (_, d) = diagnosed(&parse(source));
    let top = d.top().expect("a finding");
    assert!(
        matches!(&top.cause, Cause::QueueFullDownstreamIdle { node, downstream, .. } if node == "web" && downstream == "db"),
        "{}",
        all_text(&d)
    );
    assert!(top.advice.contains(&Advice::NonBlockingCalls { node: "web".into(), downstream: "db".into() }));
}

#[test]
fn plain_saturation_still_asks_for_more_workers() {
    let source = r#"(
        name: "one worker, too much load",
        seed: 2,
        duration_s: 30,
        nodes: [
            (id: "users", kind: Client(arrivals: Poisson(rate: 150))),
            (id: "server", kind: Service(workers: 1, queue_capacity: 50, service_time: Exponential(mean_ms: 10))),
        ],
        edges: [(from: "users", to: "server")],
    )"#;
    let (report, d) = diagnosed(&parse(source));
    let top = d.top().expect("a finding");
    let Cause::Saturated { node, rejected, utilisation, .. } = &top.cause else {
        panic!("saturation comes first:\n{}", all_text(&d));
    };
    assert_eq!(node, "server");
    assert!(utilisation.is_some_and(|u| u > 0.95) && *rejected > 0);
    assert!(matches!(&top.advice[0], Advice::AddPool { node, .. } if node == "server"));
    assert!(top.advice[0].to_string().contains("more workers"), "{}", top.advice[0]);
    let failed = group_thousands(report.end_to_end.failed);
    assert!(d.headline.starts_with(&format!("Breaks first at server: {failed} requests failed")), "{}", d.headline);
}

#[test]
fn timeouts_shorter_than_the_work_ask_for_a_longer_timeout() {
    let source = r#"(
        name: "impatient users",
        seed: 2,
        duration_s: 30,
        nodes: [
            (id: "users", kind: Client(arrivals: Poisson(rate: 20), timeout_ms: 50)),
            (id: "api", kind: Service(workers: 16, service_time: LogNormalPercentiles(p50_ms: 30, p99_ms: 120))),
        ],
        edges: [(from: "users", to: "api")],
    )"#;
    let (_, d) = diagnosed(&parse(source));
    let top = d.top().expect("a finding");
    assert!(matches!(&top.cause, Cause::Timeouts { client, timed_out, .. } if client == "users" && *timed_out > 0));
    assert!(matches!(&top.advice[0], Advice::RaiseTimeout { client, .. } if client == "users"), "{:?}", top.advice);
}

#[test]
fn a_healthy_run_says_so_and_suggests_finding_the_limit() {
    let source = r#"(
        name: "plenty of room",
        seed: 1,
        duration_s: 30,
        nodes: [
            (id: "users", kind: Client(arrivals: Poisson(rate: 10))),
            (id: "server", kind: Service(workers: 4, service_time: Exponential(mean_ms: 10))),
        ],
        edges: [(from: "users", to: "server")],
    )"#;
    let (_, d) = diagnosed(&parse(source));
    assert_eq!(d.findings.len(), 1, "{}", all_text(&d));
    assert_eq!(d.findings[0].cause, Cause::Healthy);
    assert_eq!(d.findings[0].advice, vec![Advice::FindTheLimit]);
    assert!(d.headline.starts_with("Healthy"), "{}", d.headline);
}

#[test]
fn the_json_diagnosis_carries_the_cause_facts_and_the_advice_sentences() {
    let scenario = bundled("retry-storm").expect("bundled").load().expect("valid");
    let (_, d) = diagnosed(&scenario);
    let json = serde_json::to_value(&d).expect("serialisable");
    let top = &json["findings"][0];
    assert_eq!(top["cause"]["kind"], "retry_amplification");
    assert_eq!(top["cause"]["client"], "users");
    assert_eq!(top["advice"][0]["kind"], "cap_retries");
    assert!(top["advice"][0]["text"].as_str().is_some_and(|t| t.contains("backoff")));
    assert!(top["evidence"].as_str().is_some_and(|t| t.contains("attempts")));
    assert_eq!(json["headline"], d.headline);
}

#[test]
fn the_report_counts_attempts_apart_from_requests_and_answers_nobody_waited_for() {
    let scenario = bundled("retry-storm").expect("bundled").load().expect("valid");
    let report = run(&scenario).report();
    let users = stats(&report, "users");
    let attempts = users.attempts.expect("a client counts its attempts");
    let service = stats(&report, "service");
    // Every attempt reached the service (none in flight at the end is lost
    // on this edge), and the service counts attempts, not requests.
    let edge = &report.edges[0];
    assert_eq!(attempts.sent, edge.stats.sent);
    assert!(service.stats.arrivals.abs_diff(attempts.sent) < 10, "{} vs {}", service.stats.arrivals, attempts.sent);
    assert_eq!(attempts.failures.rejected, service.stats.failures.rejected);
    assert!(attempts.failures.timeout > 0 && edge.late_answers > 0);
    assert!(service.attempts.is_none());
}

/// Refusals by a rate limiter are load shed on purpose: the diagnosis says
/// so, tells the callers to back off on a 429, and never asks for more
/// connections at the database the limiter keeps at ease.
#[test]
fn a_rate_limiter_shedding_a_spike_is_named_with_back_off_advice_not_more_capacity() {
    let scenario = bundled("rate-limiter-protects-database").expect("bundled").load().expect("valid");
    let (report, d) = diagnosed(&scenario);
    let top = d.top().expect("a finding");
    let Cause::RateLimited { node, refused, rate_rps, utilisation, .. } = &top.cause else {
        panic!("the limiter comes first:\n{}", all_text(&d));
    };
    assert_eq!(node, "db");
    assert_eq!(*refused, stats(&report, "db").stats.failures.rate_limited);
    assert_eq!(top.explains, *refused);
    assert!((rate_rps - 400.0).abs() < 1e-9);
    assert!(utilisation.is_some_and(|u| u < 0.85), "{utilisation:?}");
    assert!(
        top.advice.contains(&Advice::BackOffOnRateLimit { client: "users".into(), node: "db".into() }),
        "{:?}",
        top.advice
    );
    assert!(d.headline.contains("rate limit"), "{}", d.headline);
    let text = all_text(&d);
    assert!(text.contains("429") && text.contains("back off"), "{text}");
    assert!(
        !d.findings.iter().any(|f| matches!(f.cause, Cause::Unexplained { .. } | Cause::Saturated { .. })),
        "{text}"
    );
    assert!(!d.advice().iter().any(|a| matches!(a, Advice::AddPool { .. })), "{text}");
}

/// A limit far below what the node can serve: the advice is to raise it.
#[test]
fn a_rate_limit_below_an_idle_node_is_to_be_raised() {
    let scenario = parse(
        r#"(
            name: "tight limit",
            duration_s: 20,
            nodes: [
                (id: "users", kind: Client(arrivals: Poisson(rate: 200))),
                (id: "api", kind: Service(workers: 50, service_time: Constant(ms: 5),
                    rate_limit: (rate: 100, burst: 10))),
            ],
            edges: [(from: "users", to: "api")],
        )"#,
    );
    let (_, d) = diagnosed(&scenario);
    let top = d.top().expect("a finding");
    assert!(matches!(&top.cause, Cause::RateLimited { node, .. } if node == "api"), "{}", all_text(&d));
    assert!(
        matches!(&top.advice[0], Advice::RaiseRateLimit { node, rate_rps, .. } if node == "api" && *rate_rps == 100.0),
        "{:?}",
        top.advice
    );
}

/// A bulkhead refusing calls to a slow dependency is load shed on
/// purpose: the verdict says the bulkhead did its job and points at the
/// dependency, not at "unexplained" failures.
#[test]
fn a_full_bulkhead_is_named_and_the_slow_dependency_blamed() {
    let s = parse(
        r#"(
        name: "bulkhead",
        duration_s: 60,
        nodes: [
            (id: "users", kind: Client(arrivals: Poisson(rate: 50))),
            (id: "api", kind: Service(workers: 10, queue_capacity: 1000, service_time: Constant(ms: 1))),
            (id: "slow", kind: Service(workers: 200, service_time: Constant(ms: 500))),
        ],
        edges: [(from: "users", to: "api"), (from: "api", to: "slow", max_concurrent: 4)],
    )"#,
    );
    let (_, d) = diagnosed(&s);
    let first = &d.findings[0];
    assert!(
        matches!(&first.cause, Cause::BulkheadFull { from, to, max_concurrent: 4, .. } if from == "api" && to == "slow"),
        "{d:?}"
    );
    assert!(matches!(&first.advice[0], Advice::SpeedUpBehindBulkhead { to, .. } if to == "slow"), "{d:?}");
    assert!(d.headline.contains("bulkhead"), "{}", d.headline);
}

/// The bundled scenario's source with `budget: (ratio: 0.1)` in the retry
/// policies `which` picks (by their position in the file: the client's,
/// then the edges').
fn retries_at_every_layer_with_budgets(which: &[usize]) -> Scenario {
    let source = bundled("retries-at-every-layer").expect("bundled").source;
    let policy = "jitter: 0.5)";
    let mut out = String::new();
    for (i, part) in source.split(policy).enumerate() {
        out.push_str(part);
        if i < source.matches(policy).count() {
            out.push_str(if which.contains(&i) { "jitter: 0.5, budget: (ratio: 0.1))" } else { policy });
        }
    }
    parse(&out)
}

/// Retries at the client and on two edges below it multiply into 27 calls
/// per request on a crashed database, and keep it overloaded after it is
/// back: one finding names the layers and the product, blames the retries
/// for the full queue (not the database's size), and advises a retry
/// budget and retrying at one layer — never more connections.
#[test]
fn retries_at_every_layer_are_one_finding_with_budget_and_one_layer_advice() {
    let scenario = bundled("retries-at-every-layer").expect("bundled").load().expect("valid");
    let (report, d) = diagnosed(&scenario);
    let top = d.top().expect("a finding");
    let Cause::RetriesAtEveryLayer {
        client,
        layers,
        bottom,
        calls_per_request,
        worst_case,
        rejected,
        retries_cause_overload,
        ..
    } = &top.cause
    else {
        panic!("the layered retries come first:\n{}", all_text(&d));
    };
    assert_eq!((client.as_str(), bottom.as_str()), ("users", "db"));
    let named: Vec<String> = layers.iter().map(archsim::diagnosis::RetryLayer::label).collect();
    assert_eq!(named, ["users", "gateway → api", "api → db"]);
    assert!(layers.iter().all(|l| l.max_attempts == 3 && l.retries > 0 && l.retries_denied == 0), "{layers:?}");
    assert!((worst_case - 27.0).abs() < 1e-9, "{worst_case}");
    let db = stats(&report, "db");
    let measured = db.stats.arrivals as f64 / stats(&report, "users").stats.arrivals as f64;
    assert!(*calls_per_request > 10.0 && (calls_per_request - measured).abs() < 0.05 * measured, "{calls_per_request}");
    assert_eq!(*rejected, db.stats.failures.rejected);
    assert!(retries_cause_overload, "200 requests/s fit a database of about 400/s");
    assert!(
        matches!(&top.advice[0], Advice::AddRetryBudget { layers, bottom, ratio, .. }
            if layers.len() == 3 && bottom == "db" && (*ratio - 0.1).abs() < 1e-9),
        "{:?}",
        top.advice
    );
    assert!(
        top.advice.iter().any(|a| matches!(a, Advice::RetryAtOneLayer { keep, drop, .. }
            if keep == "users" && drop.len() == 2)),
        "{:?}",
        top.advice
    );
    assert!(d.headline.starts_with("Retries at 3 layers multiplied the load on db"), "{}", d.headline);
    let evidence = top.evidence();
    assert!(evidence.contains("3 × 3 × 3 = 27") && evidence.contains("api gave up on"), "{evidence}");
    let budget = top.advice[0].to_string();
    assert!(budget.contains("budget") && budget.contains("10 %") && budget.contains("27"), "{budget}");

    // One finding for the retries: the client's own retries are one of its
    // layers, and the database's full queue is theirs, not its size's.
    assert!(!d.findings.iter().any(|f| matches!(f.cause, Cause::RetryAmplification { .. })), "{}", all_text(&d));
    assert!(!d.findings.iter().any(|f| matches!(f.cause, Cause::Saturated { .. })), "{}", all_text(&d));
    assert!(!d.advice().iter().any(|a| matches!(a, Advice::AddPool { .. } | Advice::ScaleOut { .. })));
    assert!(!all_text(&d).contains("more workers") && !all_text(&d).contains("connection pool"), "{}", all_text(&d));
    // The crash that started it comes after.
    assert!(d.findings.iter().skip(1).any(|f| matches!(&f.cause, Cause::NodeDown { node, .. } if node == "db")));

    let json = serde_json::to_value(&d).expect("serialisable");
    let top = &json["findings"][0];
    assert_eq!(top["cause"]["kind"], "retries_at_every_layer");
    assert_eq!(top["cause"]["layers"][2]["caller"], "api");
    assert_eq!(top["advice"][0]["kind"], "add_retry_budget");
    assert_eq!(top["advice"][1]["kind"], "retry_at_one_layer");
}

/// A storm of one layer (the client's retries only) keeps its own finding.
#[test]
fn a_single_layer_retry_storm_is_still_retry_amplification() {
    let scenario = bundled("retry-storm").expect("bundled").load().expect("valid");
    let (_, d) = diagnosed(&scenario);
    assert!(matches!(d.top().expect("a finding").cause, Cause::RetryAmplification { .. }), "{}", all_text(&d));
    assert!(
        !d.findings
            .iter()
            .any(|f| matches!(f.cause, Cause::RetriesAtEveryLayer { .. } | Cause::RetryBudgetsHeld { .. })),
        "{}",
        all_text(&d)
    );
}

/// With a budget on every layer the retries stay a few percent of the
/// calls: the crash is to blame, not the retries, and a note says what the
/// budgets held back.
#[test]
fn budgets_on_every_layer_take_the_blame_off_retries_and_say_what_they_held_back() {
    let budgeted = retries_at_every_layer_with_budgets(&[0, 1, 2]);
    let sim = run(&budgeted);
    let report = sim.report();
    let d = diagnose(&report, &budgeted);
    assert!(
        matches!(&d.top().expect("a finding").cause, Cause::NodeDown { node, .. } if node == "db"),
        "{}",
        all_text(&d)
    );
    assert!(
        !d.findings
            .iter()
            .any(|f| matches!(f.cause, Cause::RetriesAtEveryLayer { .. } | Cause::RetryAmplification { .. })),
        "{}",
        all_text(&d)
    );
    let denied: u64 = report.edges.iter().map(|e| e.retries_denied).sum::<u64>()
        + stats(&report, "users").attempts.expect("a client's attempts").retries_denied;
    let note = d
        .findings
        .iter()
        .find(|f| matches!(f.cause, Cause::RetryBudgetsHeld { .. }))
        .unwrap_or_else(|| panic!("a note on the budgets:\n{}", all_text(&d)));
    let Cause::RetryBudgetsHeld { layers, bottom, calls_per_request, retries_denied, .. } = &note.cause else {
        unreachable!("found above");
    };
    assert_eq!((layers.len(), bottom.as_str(), *retries_denied), (3, "db", denied));
    assert!(denied > 0 && *calls_per_request < 1.5, "{calls_per_request}");
    assert_eq!(note.explains, 0, "a note on what worked explains no failure");
    assert!(note.evidence().contains("retry budgets held back"), "{}", note.evidence());

    // What the advice promised the budgets would do, they do: over the
    // crash's first 10 s (one budget window) the database gets that many
    // calls per request.
    let unbudgeted = bundled("retries-at-every-layer").expect("bundled").load().expect("valid");
    let (_, before) = diagnosed(&unbudgeted);
    let promised = before
        .advice()
        .into_iter()
        .find_map(|a| match a {
            Advice::AddRetryBudget { budgeted, .. } => Some(*budgeted),
            _ => None,
        })
        .unwrap_or_else(|| panic!("budget advice:\n{}", all_text(&before)));
    let (users, db) = (budgeted.node_index("users").expect("users"), budgeted.node_index("db").expect("db"));
    let crash: Vec<_> = sim.series().frames().iter().filter(|f| (20.0..30.0).contains(&f.start_s)).collect();
    let calls = crash.iter().map(|f| f.nodes[db].arrivals).sum::<u64>() as f64;
    let requests = crash.iter().map(|f| f.nodes[users].arrivals).sum::<u64>() as f64;
    let measured = calls / requests;
    assert!((measured - promised).abs() < 0.1 * promised, "promised {promised:.2}, measured {measured:.2}");
}

/// A budget on the client alone leaves two edges multiplying: the layered
/// finding stands, says what the client's budget held back, and asks for
/// budgets only where there are none.
#[test]
fn a_budget_at_one_layer_is_credited_and_the_other_layers_still_blamed() {
    let (_, d) = diagnosed(&retries_at_every_layer_with_budgets(&[0]));
    let finding = d
        .findings
        .iter()
        .find(|f| matches!(f.cause, Cause::RetriesAtEveryLayer { .. }))
        .unwrap_or_else(|| panic!("the edges' retries still multiply:\n{}", all_text(&d)));
    let Cause::RetriesAtEveryLayer { layers, .. } = &finding.cause else { unreachable!("found above") };
    assert!(layers[0].at_client && layers[0].budgeted && layers[0].retries_denied > 0, "{layers:?}");
    assert!(finding.evidence().contains("retry budgets held back"), "{}", finding.evidence());
    assert!(
        finding.advice.iter().any(|a| matches!(a, Advice::AddRetryBudget { layers, .. }
            if layers.as_slice() == ["gateway → api", "api → db"])),
        "{:?}",
        finding.advice
    );
}

/// Retries on two edges and none at the client are still layers that
/// multiply: the finding keeps the top edge's retries, and nothing asks
/// the client to add a third layer.
#[test]
fn retries_on_two_edges_alone_are_layers_too_and_no_third_is_advised() {
    let source = bundled("retries-at-every-layer").expect("bundled").source;
    let client_retry = "            retry: (max_attempts: 3, backoff_ms: 50, multiplier: 2, jitter: 0.5),\n";
    assert_eq!(source.matches(client_retry).count(), 1, "the client's policy, alone on its line");
    let (_, d) = diagnosed(&parse(&source.replace(client_retry, "")));
    let top = d.top().expect("a finding");
    let Cause::RetriesAtEveryLayer { layers, worst_case, .. } = &top.cause else {
        panic!("the edges' retries come first:\n{}", all_text(&d));
    };
    assert!(layers.iter().all(|l| !l.at_client) && layers.len() == 2, "{layers:?}");
    assert!((worst_case - 9.0).abs() < 1e-9, "{worst_case}");
    assert!(
        top.advice.iter().any(|a| matches!(a, Advice::RetryAtOneLayer { keep, drop, .. }
            if keep == "gateway → api" && drop.as_slice() == ["api → db"])),
        "{:?}",
        top.advice
    );
    assert!(!d.advice().iter().any(|a| matches!(a, Advice::AddCappedRetries { .. })), "{}", all_text(&d));
}

/// The design of `docs/scenario-format.md`'s "Circuit breakers": api gives
/// up on db after 200 ms, retries within a budget and has a breaker; db
/// dies from 20 s to 30 s.
const BREAKER_ON_A_DEAD_DATABASE: &str = r#"(
    name: "Call policies on an edge",
    duration_s: 60,
    nodes: [
        (id: "users", kind: Client(arrivals: Poisson(rate: 200), timeout_ms: 1000)),
        (id: "api", kind: Service(workers: 50, service_time: Exponential(mean_ms: 5))),
        (id: "db", kind: Database(connections: 10, query_time: Exponential(mean_ms: 20))),
    ],
    edges: [
        (from: "users", to: "api", latency: Constant(ms: 5)),
        (from: "api", to: "db", latency: Constant(ms: 1),
            timeout_ms: 200,
            retry: (max_attempts: 3, backoff_ms: 20, jitter: 0.5, budget: (ratio: 0.1)),
            breaker: (failure_rate: 0.5, window: Seconds(10), min_calls: 20, open_s: 5, probes: 3)),
    ],
    faults: [Crash(node: "db", at_s: 20, restore_s: Some(30))],
)"#;

/// A breaker that opened while its database was down is the design
/// working: the verdict names the outage first and credits the breaker
/// on it (its refusals are the outage's failures, made fast), never
/// blames the breaker, and advises neither a breaker (there is one) nor
/// retries at the users (api retries already, and nothing retries a
/// refusal).
#[test]
fn a_breaker_that_opened_on_a_dead_database_is_credited_on_the_outage_it_shielded() {
    let (report, d) = diagnosed(&parse(BREAKER_ON_A_DEAD_DATABASE));
    let edge = report.edges.iter().find(|e| e.from == "api").expect("api → db");
    assert!(edge.breaker_open > 0 && edge.breaker_trips > 0, "{edge:?}");
    let top = d.top().expect("a finding");
    let Cause::NodeDown { node, failed_attempts, .. } = &top.cause else {
        panic!("the outage comes first:\n{}", all_text(&d));
    };
    assert_eq!(node, "db");
    let [breaker] = top.breakers.as_slice() else { panic!("one breaker credited: {:?}", top.breakers) };
    assert_eq!((breaker.from.as_str(), breaker.to.as_str()), ("api", "db"));
    assert_eq!((breaker.refused, breaker.trips), (edge.breaker_open, edge.breaker_trips));
    assert_eq!(top.explains, failed_attempts + edge.breaker_open, "the refusals are the outage's failures");
    assert_eq!(d.findings.iter().map(|f| f.breakers.len()).sum::<usize>(), 1, "credited once");

    let refused = group_thousands(edge.breaker_open);
    let evidence = top.evidence();
    assert!(
        evidence.contains(&format!("the breaker on api → db failed {refused} calls fast"))
            && evidence.contains("while it was down"),
        "{evidence}"
    );
    assert!(d.headline.starts_with("db was down") && d.headline.contains("breaker on api → db"), "{}", d.headline);
    assert!(
        !d.advice().iter().any(|a| matches!(a, Advice::AddBreaker { .. } | Advice::AddCappedRetries { .. })),
        "{}",
        all_text(&d)
    );
    assert!(
        top.advice.contains(&Advice::AddReplica { node: "db".into(), balancer: None, monthly_usd: 365.0 }),
        "{:?}",
        top.advice
    );

    let json = serde_json::to_value(&d).expect("serialisable");
    let finding = &json["findings"][0];
    assert_eq!(finding["cause"]["kind"], "node_down");
    assert_eq!(finding["breakers"][0]["refused"], edge.breaker_open);
    assert_eq!(finding["breakers"][0]["state"], "closed");
}

/// The bundled lesson: a database slowed 8× holds every web worker, and
/// the users time out. The advice is what keeps a slow dependency from
/// cascading: a timeout on web → db a little above db's usual p99, a
/// breaker, a bulkhead, in that order and with numbers from the run —
/// and never more workers for web, which would only be held too.
#[test]
fn a_slow_database_holding_every_worker_gets_timeout_breaker_and_bulkhead_advice_not_more_workers() {
    let scenario = bundled("slow-database-exhausts-workers").expect("bundled").load().expect("valid");
    let (_, d) = diagnosed(&scenario);
    let top = d.top().expect("a finding");
    assert!(
        matches!(&top.cause, Cause::QueueFullDownstreamIdle { node, downstream, downstream_slowdown, .. }
            if node == "web" && downstream == "db" && *downstream_slowdown == 8.0),
        "{}",
        all_text(&d)
    );
    assert_eq!(top.advice[0], Advice::EndSlowdown { node: "db".into(), factor: 8.0 });
    let at = |kind: &str| {
        top.advice.iter().position(|a| a.key() == kind).unwrap_or_else(|| panic!("no {kind}: {:?}", top.advice))
    };
    assert!(at("add_call_timeout") < at("add_breaker") && at("add_breaker") < at("add_bulkhead"), "{:?}", top.advice);
    assert!(top.advice.iter().any(|a| matches!(a, Advice::NonBlockingCalls { .. })), "{:?}", top.advice);

    let Some(Advice::AddCallTimeout { from, to, suggested_ms, usual_p99_ms, outer, .. }) =
        top.advice.iter().find(|a| matches!(a, Advice::AddCallTimeout { .. }))
    else {
        unreachable!("found above")
    };
    assert_eq!((from.as_str(), to.as_str()), ("web", "db"));
    // db's stated p99 is 80 ms (and 0.5 ms of network each way), not the
    // 400 ms it took at p99 over the run, slowed.
    assert!((usual_p99_ms - 81.0).abs() < 1.0, "{usual_p99_ms}");
    assert!(*suggested_ms > *usual_p99_ms && *suggested_ms < 200.0, "{suggested_ms}");
    assert_eq!(outer.as_ref().map(|(c, t)| (c.as_str(), *t)), Some(("users", 1_000.0)));
    assert!(
        top.advice.iter().any(|a| matches!(a, Advice::AddBulkhead { suggested, workers: 20, .. } if *suggested < 20)),
        "{:?}",
        top.advice
    );

    assert!(
        !d.advice()
            .iter()
            .any(|a| matches!(a, Advice::AddPool { node, .. } | Advice::ScaleOut { node, .. } if node == "web")),
        "{}",
        all_text(&d)
    );
    assert!(!all_text(&d).contains("more workers"), "{}", all_text(&d));
    let json = serde_json::to_value(&d).expect("serialisable");
    let kinds: Vec<&str> =
        json["findings"][0]["advice"].as_array().expect("advice").iter().filter_map(|a| a["kind"].as_str()).collect();
    assert!(
        kinds.contains(&"add_call_timeout") && kinds.contains(&"add_breaker") && kinds.contains(&"add_bulkhead"),
        "{kinds:?}"
    );
}

/// What the advice promises, it does: with the suggested timeout, breaker
/// and bulkhead on web → db, the slowdown fails requests fast at web
/// instead of filling its queue, the users never wait out their timeout,
/// and the verdict credits the breaker and advises none of them again.
#[test]
fn the_advised_timeout_breaker_and_bulkhead_turn_a_slow_database_into_fast_failures() {
    let mut scenario = bundled("slow-database-exhausts-workers").expect("bundled").load().expect("valid");
    let (before, d) = diagnosed(&scenario);
    let k = scenario.edges.iter().position(|e| e.from == "web" && e.to == "db").expect("web → db");
    for advice in d.advice() {
        let edge = &mut scenario.edges[k];
        match advice {
            Advice::AddCallTimeout { suggested_ms, .. } => edge.timeout_ms = Some(*suggested_ms),
            Advice::AddBreaker { failure_rate, window_calls, min_calls, open_s, probes, .. } => {
                edge.breaker = Some(archsim::scenario::BreakerSpec {
                    failure_rate: *failure_rate,
                    window: archsim::scenario::BreakerWindow::Calls(*window_calls),
                    min_calls: *min_calls,
                    open_s: *open_s,
                    probes: *probes,
                });
            }
            Advice::AddBulkhead { suggested, .. } => edge.max_concurrent = Some(*suggested),
            _ => {}
        }
    }
    let edge = &scenario.edges[k];
    assert!(edge.timeout_ms.is_some() && edge.breaker.is_some() && edge.max_concurrent.is_some(), "{edge:?}");
    let (after, d) = diagnosed(&scenario);

    let users_timed_out = |r: &Report| r.edges.iter().find(|e| e.from == "users").map_or(0, |e| e.timeouts);
    assert!(users_timed_out(&before) > 1_000 && stats(&before, "web").stats.failures.rejected > 1_000);
    assert_eq!(users_timed_out(&after), 0, "no user waits out the 1 s timeout");
    assert_eq!(stats(&after, "web").stats.failures.rejected, 0, "web's queue never fills");
    assert!(after.end_to_end.latency.p99_ms < 200.0, "{}", after.end_to_end.latency.p99_ms);

    let breaker = after.edges[k].breaker_open;
    assert!(breaker > 0);
    let credited = d.findings.iter().find(|f| !f.breakers.is_empty()).expect("the breaker is credited");
    assert!(
        matches!(&credited.cause, Cause::EdgeTimeouts { from, to, slowed: Some(s), .. }
        if from == "web" && to == "db" && s == "db"),
        "{}",
        all_text(&d)
    );
    assert!(d.headline.starts_with("db was slowed 8.0× by a fault"), "{}", d.headline);
    assert!(
        !d.advice().iter().any(|a| matches!(
            a,
            Advice::AddCallTimeout { .. } | Advice::AddBreaker { .. } | Advice::AddBulkhead { .. }
        )),
        "{}",
        all_text(&d)
    );
}

/// A timeout on an edge out of a service: the verdict says which node
/// gave up on which, after how long, and how many answers came late —
/// not that the users gave up, though their requests failed as "timeout".
#[test]
fn timeouts_at_a_hop_say_who_gave_up_on_whom_and_how_many_answers_came_late() {
    let source = bundled("slow-database-exhausts-workers").expect("bundled").source.replace(
        r#"(from: "web", to: "db", latency: Constant(ms: 0.5)),"#,
        r#"(from: "web", to: "db", latency: Constant(ms: 0.5), timeout_ms: 100),"#,
    );
    let (report, d) = diagnosed(&parse(&source));
    let edge = report.edges.iter().find(|e| e.from == "web").expect("web → db");
    assert!(edge.timeouts > 0 && edge.late_answers > 0, "{edge:?}");
    assert_eq!(stats(&report, "web").stats.failures.timeout, edge.timeouts);
    let top = d.top().expect("a finding");
    let Cause::EdgeTimeouts { from, to, timeout_ms, timed_out, late_answers, slowed, .. } = &top.cause else {
        panic!("the hop's timeouts come first:\n{}", all_text(&d));
    };
    assert_eq!((from.as_str(), to.as_str(), *timeout_ms), ("web", "db", 100.0));
    assert_eq!((*timed_out, *late_answers), (edge.timeouts, edge.late_answers));
    assert_eq!(slowed.as_deref(), Some("db"));
    let evidence = top.evidence();
    let (n, late) = (group_thousands(edge.timeouts), group_thousands(edge.late_answers));
    assert!(
        evidence.starts_with(&format!("web gave up on {n} of its")) && evidence.contains("calls to db after 100 ms"),
        "{evidence}"
    );
    assert!(evidence.contains(&format!("{late} answers came back after web had given up")), "{evidence}");
    // The users' requests failed as "timeout", but the users gave up on none.
    assert!(!d.findings.iter().any(|f| matches!(f.cause, Cause::Timeouts { .. })), "{}", all_text(&d));
    assert!(!d.headline.contains("users gave up"), "{}", d.headline);
    // The fault first; the edge has its timeout, so a breaker is next.
    assert_eq!(top.advice[0], Advice::EndSlowdown { node: "db".into(), factor: 8.0 });
    assert!(
        top.advice.iter().any(|a| matches!(a, Advice::AddBreaker { needs_timeout: false, .. })),
        "{:?}",
        top.advice
    );
    assert!(!top.advice.iter().any(|a| matches!(a, Advice::AddCallTimeout { .. })), "{:?}", top.advice);
}

/// A hop's timeout shorter than a healthy callee's work: raise it.
#[test]
fn an_edge_timeout_shorter_than_a_healthy_callee_needs_is_to_be_raised() {
    let source = r#"(
        name: "impatient api",
        seed: 3,
        duration_s: 30,
        nodes: [
            (id: "users", kind: Client(arrivals: Poisson(rate: 50))),
            (id: "api", kind: Service(workers: 20, service_time: Constant(ms: 1))),
            (id: "db", kind: Database(connections: 20, query_time: LogNormalPercentiles(p50_ms: 10, p99_ms: 60))),
        ],
        edges: [(from: "users", to: "api"), (from: "api", to: "db", timeout_ms: 30)],
    )"#;
    let (_, d) = diagnosed(&parse(source));
    let top = d.top().expect("a finding");
    assert!(
        matches!(&top.cause, Cause::EdgeTimeouts { from, to, slowed: None, .. } if from == "api" && to == "db"),
        "{}",
        all_text(&d)
    );
    assert!(
        matches!(&top.advice[0], Advice::RaiseCallTimeout { from, timeout_ms, p99_ms, .. }
            if from == "api" && *timeout_ms == 30.0 && *p99_ms > 30.0),
        "{:?}",
        top.advice
    );
    assert!(d.headline.starts_with("api gave up waiting on db"), "{}", d.headline);
}

/// The bundled lesson: recs slowed 20× behind a timeout, a breaker and a
/// fallback. No request failed, but over a third were answered degraded:
/// the verdict is not healthy, it says how many requests the fallback
/// answered and why (recs slowed, the breaker failing the calls fast),
/// and advises only the fault's end — not more protection where it held.
#[test]
fn a_slowed_dependency_answered_by_its_fallback_is_degraded_not_healthy() {
    let scenario = bundled("breaker-stops-a-cascade").expect("bundled").load().expect("valid");
    let (report, d) = diagnosed(&scenario);
    let e2e = &report.end_to_end;
    assert!(e2e.failed == 0 && e2e.degraded > 5_000, "{e2e:?}");
    let edge = report.edges.iter().find(|e| e.from == "shop" && e.to == "recs").expect("shop → recs");

    assert!(!d.headline.starts_with("Healthy"), "{}", d.headline);
    let share = format!("{:.0} %", e2e.degraded_ratio * 100.0);
    assert!(
        d.headline.starts_with(&format!(
            "recs was slowed 20× by a fault: {} requests ({share}) were answered degraded by the fallback on shop → recs",
            group_thousands(e2e.degraded)
        )) && d.headline.ends_with("none failed."),
        "{}",
        d.headline
    );
    assert!(d.summary.contains(&format!("{} degraded ({share})", group_thousands(e2e.degraded))), "{}", d.summary);

    let top = d.top().expect("a finding");
    assert!(
        matches!(&top.cause, Cause::EdgeTimeouts { from, to, slowed: Some(s), .. }
            if from == "shop" && to == "recs" && s == "recs"),
        "{}",
        all_text(&d)
    );
    let [breaker] = top.breakers.as_slice() else { panic!("the breaker is credited: {:?}", top.breakers) };
    assert_eq!((breaker.to.as_str(), breaker.refused), ("recs", edge.breaker_open));
    let [fallback] = top.fallbacks.as_slice() else { panic!("the fallback is credited: {:?}", top.fallbacks) };
    assert_eq!((fallback.from.as_str(), fallback.to.as_str(), fallback.stale), ("shop", "recs", false));
    assert_eq!(fallback.answered, e2e.degraded);
    assert_eq!((fallback.timed_out, fallback.breaker_refused), (edge.timeouts, edge.breaker_open));
    assert_eq!(top.explains, edge.timeouts + edge.breaker_open, "the answers add no failure to what it explains");
    let evidence = top.evidence();
    assert!(
        evidence.contains("the breaker on shop → recs failed")
            && evidence.contains(&format!(
                "the fallback on shop → recs answered {} calls degraded",
                group_thousands(e2e.degraded)
            )),
        "{evidence}"
    );

    // Advice about the cause only: the protection held, shop failed nothing.
    assert_eq!(top.advice, vec![Advice::EndSlowdown { node: "recs".into(), factor: 20.0 }]);
    assert!(
        !d.advice().iter().any(|a| matches!(
            a,
            Advice::AddCallTimeout { .. }
                | Advice::AddBreaker { .. }
                | Advice::AddBulkhead { .. }
                | Advice::AddPool { .. }
                | Advice::AddCappedRetries { .. }
        )),
        "{}",
        all_text(&d)
    );

    let json = serde_json::to_value(&d).expect("serialisable");
    let finding = &json["findings"][0];
    assert_eq!(finding["fallbacks"][0]["answered"], e2e.degraded);
    assert_eq!(finding["fallbacks"][0]["stale"], false);
    assert_eq!(finding["breakers"][0]["refused"], edge.breaker_open);
}

/// A cache that serves its expired copies while the database is down:
/// `keyspace` keys, of which it holds all (none fails) or a few.
fn stale_cache_over_a_dead_database(keyspace: u32) -> Scenario {
    parse(&format!(
        r#"(
        name: "stale answers while the database is down",
        seed: 3,
        duration_s: 60,
        warmup_s: 10,
        nodes: [
            (id: "users", kind: Client(arrivals: Poisson(rate: 200), keys: (keyspace: {keyspace}, zipf_exponent: 1.0))),
            (id: "cache", kind: Cache(mode: Lru(capacity: 1000, ttl_s: Some(2)), lookup_time: Constant(ms: 0.5))),
            (id: "db", kind: Database(connections: 20, query_time: Exponential(mean_ms: 10))),
        ],
        edges: [(from: "users", to: "cache"), (from: "cache", to: "db", fallback: ServeStale)],
        faults: [Crash(node: "db", at_s: 30, restore_s: Some(40))],
    )"#
    ))
}

/// Stale copies answered reads while the database was down: the outage
/// is named, and the stale answers credited on it — in the headline as
/// requests answered degraded, beside those that failed when the cache
/// had no copy.
#[test]
fn stale_copies_served_while_the_database_is_down_are_credited_on_the_outage() {
    // Every key held: nothing fails, a fifth is answered stale.
    let (report, d) = diagnosed(&stale_cache_over_a_dead_database(200));
    let e2e = &report.end_to_end;
    assert!(e2e.failed == 0 && e2e.degraded > 1_000, "{e2e:?}");
    let top = d.top().expect("a finding");
    assert!(matches!(&top.cause, Cause::NodeDown { node, .. } if node == "db"), "{}", all_text(&d));
    let [stale] = top.fallbacks.as_slice() else { panic!("the stale copies are credited: {:?}", top.fallbacks) };
    assert!(stale.stale && stale.from == "cache" && stale.answered == e2e.degraded, "{stale:?}");
    assert!(
        d.headline.starts_with(&format!("db was down for 10 s: {} requests", group_thousands(e2e.degraded)))
            && d.headline
                .contains("were answered degraded by cache's stale copies (the fallback on cache → db); none failed."),
        "{}",
        d.headline
    );
    assert!(
        top.evidence().contains("cache's stale copies (the fallback on cache → db) answered"),
        "{}",
        top.evidence()
    );
    // The users saw no failure: retries are no advice.
    assert!(!d.advice().iter().any(|a| matches!(a, Advice::AddCappedRetries { .. })), "{}", all_text(&d));
    assert!(
        top.advice.contains(&Advice::AddReplica { node: "db".into(), balancer: None, monthly_usd: 365.0 }),
        "{:?}",
        top.advice
    );

    // Many keys: reads the cache had no copy of fail; the rest are stale.
    let (report, d) = diagnosed(&stale_cache_over_a_dead_database(5_000));
    let e2e = &report.end_to_end;
    assert!(e2e.failed > 0 && e2e.degraded > 0, "{e2e:?}");
    assert!(matches!(&d.top().expect("a finding").cause, Cause::NodeDown { node, .. } if node == "db"));
    assert!(
        d.headline.starts_with(&format!("db was down for 10 s: {} requests failed", group_thousands(e2e.failed)))
            && d.headline.contains(&format!(
                "{} more ({:.0} %) were answered degraded by cache's stale copies",
                group_thousands(e2e.degraded),
                e2e.degraded_ratio * 100.0
            )),
        "{}",
        d.headline
    );
}

/// `search` fans out to `leaves` shards at once and waits for `wait_for`;
/// each shard usually answers in 10 ms, one call in 100 takes over 100 ms
/// (`leaf_time`).
fn fan_out(leaves: usize, wait_for: &str, leaf_time: &str, edge_policy: &str) -> Scenario {
    let shards: String = (1..=leaves)
        .map(|i| format!("        (id: \"shard-{i}\", kind: Service(workers: 8, service_time: {leaf_time})),\n"))
        .collect();
    let edges: String = (1..=leaves)
        .map(|i| format!("        (from: \"search\", to: \"shard-{i}\", latency: Constant(ms: 0.5){edge_policy}),\n"))
        .collect();
    parse(&format!(
        r#"(
    name: "fan-out",
    seed: 7,
    duration_s: 60,
    nodes: [
        (id: "users", kind: Client(arrivals: Poisson(rate: 50), timeout_ms: 2000)),
        (id: "search", kind: Service(workers: 64, service_time: Constant(ms: 1), calls: Parallel(wait_for: {wait_for}))),
{shards}    ],
    edges: [
        (from: "users", to: "search", latency: Constant(ms: 5)),
{edges}    ],
)"#
    ))
}

const TAILED: &str = "LogNormalPercentiles(p50_ms: 10, p99_ms: 100)";

/// A fan-out that waits for all of 20 calls is as slow as the slowest:
/// the finding gives the tail-at-scale numbers (18 % of requests wait on
/// some call's 1-in-100 tail), and each piece of advice does what it
/// says: a quorum of 19 and half the calls cut the p99, and a timeout with
/// a fallback caps it near the timeout — after which the verdict speaks
/// of the degraded answers, not of timeouts to raise.
#[test]
fn a_fan_out_waiting_for_all_its_calls_is_as_slow_as_their_tails() {
    let (report, d) = diagnosed(&fan_out(20, "All", TAILED, ""));
    assert_eq!(report.end_to_end.failed, 0);
    let finding = d
        .findings
        .iter()
        .find(|f| matches!(f.cause, Cause::FanOutTail { .. }))
        .unwrap_or_else(|| panic!("a fan-out tail:\n{}", all_text(&d)));
    let Cause::FanOutTail { node, calls, p50_ms, p99_ms, calls_p50_ms, slowest_p99_ms, slow_share, .. } =
        &finding.cause
    else {
        unreachable!("found above")
    };
    assert_eq!((node.as_str(), *calls), ("search", 20));
    assert!((slow_share - (1.0 - 0.99f64.powi(20))).abs() < 1e-9, "{slow_share}");
    assert!(*calls_p50_ms > 9.0 && *calls_p50_ms < 13.0, "{calls_p50_ms}");
    assert!(*p50_ms > 3.0 * calls_p50_ms && *p99_ms > *slowest_p99_ms, "{p50_ms} {p99_ms} {slowest_p99_ms}");
    assert_eq!(finding.explains, 0, "a warning on latency");
    assert!(
        d.headline.starts_with("Runs, but search is as slow as the slowest of its parallel calls"),
        "{}",
        d.headline
    );
    let evidence = finding.evidence();
    assert!(
        evidence.contains("waits for all 20") && evidence.contains("18 %") && evidence.contains("0.99^20"),
        "{evidence}"
    );
    let kinds: Vec<&str> = finding.advice.iter().map(Advice::key).collect();
    assert_eq!(kinds, ["wait_for_quorum", "time_out_fan_out_calls", "fewer_calls"]);
    let Some(Advice::WaitForQuorum { quorum: 19, quorum_slow_share, .. }) = finding.advice.first() else {
        panic!("{:?}", finding.advice)
    };
    assert!((quorum_slow_share - 0.0169).abs() < 0.001, "{quorum_slow_share}");
    let Some(Advice::TimeOutFanOutCalls { suggested_ms, .. }) = finding.advice.get(1) else {
        panic!("{:?}", finding.advice)
    };
    let before = report.end_to_end.latency.p99_ms;

    // A quorum of 19, or 10 calls instead of 20: the p99 falls.
    let (quorum, d) = diagnosed(&fan_out(20, "Quorum(19)", TAILED, ""));
    assert!(quorum.end_to_end.latency.p99_ms < 0.5 * before, "{} vs {before}", quorum.end_to_end.latency.p99_ms);
    assert!(!d.findings.iter().any(|f| matches!(f.cause, Cause::FanOutTail { .. })), "{}", all_text(&d));
    let (fewer, _) = diagnosed(&fan_out(10, "All", TAILED, ""));
    assert!(fewer.end_to_end.latency.p99_ms < 0.9 * before, "{} vs {before}", fewer.end_to_end.latency.p99_ms);

    // A timeout and a fallback: the p99 stays near the timeout, a few
    // requests are answered degraded, and the timeouts are the fan-out's.
    let policy = format!(", timeout_ms: {suggested_ms}, fallback: Respond()");
    let (cut, d) = diagnosed(&fan_out(20, "All", TAILED, &policy));
    let e2e = &cut.end_to_end;
    assert!(e2e.latency.p99_ms < suggested_ms + 20.0, "{} with a {suggested_ms} ms timeout", e2e.latency.p99_ms);
    assert!(e2e.failed == 0 && e2e.degraded > 0 && e2e.degraded_ratio < 0.1, "{e2e:?}");
    let top = d.top().expect("a finding");
    assert!(matches!(&top.cause, Cause::FanOutTail { node, .. } if node == "search"), "{}", all_text(&d));
    assert_eq!(top.fallbacks.len(), 20, "every call's fallback credited on the fan-out");
    assert!(d.headline.contains("were answered degraded by the fallbacks on search → shard-"), "{}", d.headline);
    assert!(d.headline.contains("and 18 other edges; none failed."), "{}", d.headline);
    assert!(
        !d.findings.iter().any(|f| matches!(f.cause, Cause::EdgeTimeouts { .. })),
        "the timeouts cut the tail on purpose:\n{}",
        all_text(&d)
    );
    assert!(
        !d.advice().iter().any(|a| matches!(a, Advice::RaiseCallTimeout { .. } | Advice::TimeOutFanOutCalls { .. }))
    );
}

/// No tail, or no wait for all: no fan-out finding.
#[test]
fn a_fan_out_without_a_tail_or_waiting_for_the_first_gets_no_tail_finding() {
    for scenario in [
        fan_out(20, "All", "Constant(ms: 10)", ""),
        fan_out(20, "First", TAILED, ""),
        fan_out(20, "Quorum(10)", TAILED, ""),
    ] {
        let (_, d) = diagnosed(&scenario);
        assert_eq!(d.findings.len(), 1, "{}", all_text(&d));
        assert_eq!(d.findings[0].cause, Cause::Healthy, "{}", all_text(&d));
    }
}

/// Requests a service shed after waiting too long are load dropped on
/// purpose: the verdict says so and names the service, not the clients'
/// timeouts (issue 8).
#[test]
fn shed_requests_are_explained_as_load_shedding_at_the_service() {
    let scenario = bundled("shedding-survives-a-spike").expect("bundled").load().expect("valid");
    let report = run(&scenario).report();
    let d = diagnose(&report, &scenario);
    let top = &d.findings[0];
    assert!(matches!(&top.cause, Cause::Shed { node, .. } if node == "checkout"), "{:?}", top.cause);
    assert!(d.headline.contains("checkout shed the excess"), "{}", d.headline);
    assert!(top.explains > 30_000);
}

/// A balancer with real health checks over two replicas (issue 8);
/// `extra_faults` is the rest of the `faults` list.
fn checked_pair(lb_extra: &str, faults: &str) -> Scenario {
    parse(&format!(
        r#"(
    name: "checked pair",
    duration_s: 60,
    nodes: [
        (id: "users", kind: Client(arrivals: Poisson(rate: 200))),
        (id: "lb", kind: LoadBalancer(
            health_check: (interval_s: 5, timeout_s: 2, unhealthy_threshold: 3, healthy_threshold: 2),
            {lb_extra}
        )),
        (id: "app-1", kind: Service(workers: 8, service_time: Exponential(mean_ms: 5))),
        (id: "app-2", kind: Service(workers: 8, service_time: Exponential(mean_ms: 5))),
    ],
    edges: [(from: "users", to: "lb"), (from: "lb", to: "app-1"), (from: "lb", to: "app-2")],
    faults: [{faults}],
)"#
    ))
}

/// The outage behind a health-checked balancer is explained by its checks:
/// how often they probe, how many failures mark a target down, and how
/// long that takes on average; the advice is to probe more often, and to
/// eject a dead target after a few failed requests.
#[test]
fn a_health_checked_balancer_is_diagnosed_in_terms_of_its_checks() {
    let (_, d) = diagnosed(&checked_pair("", r#"Crash(node: "app-2", at_s: 20, restore_s: 40)"#));
    let top = d.top().expect("a finding");
    assert!(matches!(&top.cause, Cause::NodeDown { node, .. } if node == "app-2"), "{}", all_text(&d));
    let checks = top.advice.iter().find(|a| matches!(a, Advice::ShortenHealthCheck { .. })).expect("shorten");
    assert!(matches!(checks, Advice::ShortenHealthCheck { health_check: Some(h), .. } if h.interval_s == 5.0));
    assert_eq!(
        checks.to_string(),
        "Make the health checks of lb notice sooner (now checks every 5.0 s (2.0 s timeout), 3 failures to mark \
         down: a dead target keeps its share of the traffic for 14 s on average): probe more often (`interval_s`) \
         or mark a target down after fewer failures (`unhealthy_threshold`)"
    );
    assert!(
        top.advice.contains(&Advice::AddOutlierEjection {
            balancer: "lb".into(),
            target: "app-2".into(),
            target_down: true,
            health_checked: true,
        }),
        "{:?}",
        top.advice
    );

    // Both targets die: the balancer has nowhere to send, in its checks' words.
    let (_, d) = diagnosed(&checked_pair(
        "",
        r#"Crash(node: "app-1", at_s: 20, restore_s: 40), Crash(node: "app-2", at_s: 20, restore_s: 40)"#,
    ));
    let lb = d
        .findings
        .iter()
        .find(|f| matches!(f.cause, Cause::NoHealthyTarget { .. }))
        .unwrap_or_else(|| panic!("no healthy target:\n{}", all_text(&d)));
    assert!(
        lb.evidence().contains(
            "its health checks (checks every 5.0 s (2.0 s timeout), 3 failures to mark down) notice a dead target \
             14 s after it goes on average"
        ),
        "{}",
        lb.evidence()
    );
}

/// The classic case for outlier ejection: a target that fails every
/// request while it is up passes its health checks, so the balancer keeps
/// sending it its share; the diagnosis says to eject it. With ejection on,
/// that advice is not given again.
#[test]
fn a_target_failing_while_its_checks_pass_gets_outlier_ejection_advised() {
    let errors = r#"Errors(node: "app-2", from_s: 10, to_s: 50, probability: 1)"#;
    let (report, d) = diagnosed(&checked_pair("", errors));
    assert_eq!(stats(&report, "lb").balancer.as_ref().map(|b| b.marked_unhealthy), Some(0), "its checks pass");
    let top = d.top().expect("a finding");
    assert!(matches!(&top.cause, Cause::InjectedErrors { node, .. } if node == "app-2"), "{}", all_text(&d));
    let eject = Advice::AddOutlierEjection {
        balancer: "lb".into(),
        target: "app-2".into(),
        target_down: false,
        health_checked: true,
    };
    assert!(top.advice.contains(&eject), "{:?}", top.advice);
    assert!(eject.to_string().contains("app-2 fails requests while it is up, its health checks pass"), "{eject}");

    let ejecting = "outlier_ejection: (consecutive_failures: 5, base_ejection_s: 30, max_ejected_percent: 50),";
    let (report, d) = diagnosed(&checked_pair(ejecting, errors));
    assert!(stats(&report, "lb").balancer.as_ref().is_some_and(|b| b.ejections >= 1));
    assert!(!d.advice().iter().any(|a| matches!(a, Advice::AddOutlierEjection { .. })), "{}", all_text(&d));
    assert!(report.end_to_end.failed < 20, "ejected after 5 failures, for 30 s: {}", report.end_to_end.failed);
}

/// The bulkhead lesson, and the position of its edge from the router to
/// the recommendations service.
fn bulkhead_lesson() -> (Scenario, usize) {
    let s = bundled("bulkheads-isolate-a-slow-dependency").expect("bundled").load().expect("valid");
    let k = s.edges.iter().position(|e| e.from == "router" && e.to == "recs").expect("router → recs");
    (s, k)
}

/// Without its bulkhead, the lesson's slow recommendations service takes
/// the api's stock checks down too. The api reaches it through a request
/// router (a weighted balancer over two different services), so the
/// timeout, breaker and bulkhead go on router → recs, where only the
/// recommendation calls pass — never on api → router, which every request
/// crosses — with the api's workers as the pool they protect and the
/// whole call's time (recs' work and the network, not the router's own
/// near-zero figure) in Little's law.
#[test]
fn a_slow_service_behind_a_request_router_is_guarded_on_the_routers_edge_not_the_shared_one() {
    let (mut s, k) = bulkhead_lesson();
    s.edges[k].max_concurrent = None;
    let (report, d) = diagnosed(&s);
    let top = d.top().expect("a finding");
    assert!(matches!(&top.cause, Cause::QueueFullDownstreamIdle { node, .. } if node == "api"), "{}", all_text(&d));
    let on = |a: &Advice| match a {
        Advice::AddCallTimeout { from, to, .. }
        | Advice::AddBreaker { from, to, .. }
        | Advice::AddBulkhead { from, to, .. } => Some((from.clone(), to.clone())),
        _ => None,
    };
    let guarded: Vec<(String, String)> = d.advice().into_iter().filter_map(on).collect();
    assert_eq!(guarded.len(), 3, "a timeout, a breaker and a bulkhead: {}", all_text(&d));
    assert!(guarded.iter().all(|(from, to)| from == "router" && to == "recs"), "{guarded:?}");
    assert!(!all_text(&d).contains("api → router"), "{}", all_text(&d));

    let Some(Advice::AddBulkhead { suggested, in_flight, workers, holder, shared_with, .. }) =
        top.advice.iter().find(|a| matches!(a, Advice::AddBulkhead { .. }))
    else {
        panic!("a bulkhead: {}", all_text(&d))
    };
    // 300 requests/s, one in five for recommendations: 60 calls/s, each
    // recs' mean (a log-normal with a median of 20 ms and a p99 of 80 ms:
    // 23.9 ms) and 1 ms of network: 1.5 in flight.
    let recs_mean = archsim::scenario::DistributionSpec::LogNormalPercentiles { p50_ms: 20.0, p99_ms: 80.0 }
        .mean_ms()
        .expect("a mean");
    let expected = 60.0 * (recs_mean + 1.0) / 1_000.0;
    assert!((in_flight - expected).abs() < 0.1 * expected, "{in_flight:.2} in flight, Little's law {expected:.2}");
    assert!((5..=8).contains(suggested), "{suggested}");
    assert_eq!((*workers, holder.as_deref()), (30, Some("api")), "the api's workers are what it protects");
    assert_eq!(shared_with, &["inventory".to_string()]);
    let Some(Advice::AddCallTimeout { usual_p99_ms, holder, has_fallback, .. }) =
        top.advice.iter().find(|a| matches!(a, Advice::AddCallTimeout { .. }))
    else {
        unreachable!("found above")
    };
    assert!((usual_p99_ms - 81.0).abs() < 1.0, "recs' stated p99 and the network: {usual_p99_ms}");
    assert_eq!((holder.as_deref(), *has_fallback), (Some("api"), true));
    let text = all_text(&d);
    assert!(text.contains("a slow recs can hold at most") && text.contains("of api's 30 workers"), "{text}");
    assert!(text.contains("where the calls to inventory pass too"), "{text}");
    assert!(report.end_to_end.failed > 5_000, "the cascade: {:?}", report.end_to_end);
}

/// What that advice promises, it does: with the advised timeout, breaker
/// and bulkhead on router → recs (and the lesson's fallback), every stock
/// check succeeds through the slowdown and no request fails; the same cap
/// on api → router, the edge every request crosses, turns stock checks
/// away with the recommendations.
#[test]
fn the_advised_protection_on_the_routers_edge_keeps_the_stock_checks_alive() {
    let (mut s, k) = bulkhead_lesson();
    s.edges[k].max_concurrent = None;
    let (bare, d) = diagnosed(&s);
    let shared = s.edges.iter().position(|e| e.from == "api" && e.to == "router").expect("api → router");
    let mut on_the_shared_edge = s.clone();
    for advice in d.advice() {
        let edge = &mut s.edges[k];
        match advice {
            Advice::AddCallTimeout { suggested_ms, .. } => edge.timeout_ms = Some(*suggested_ms),
            Advice::AddBreaker { failure_rate, window_calls, min_calls, open_s, probes, .. } => {
                edge.breaker = Some(archsim::scenario::BreakerSpec {
                    failure_rate: *failure_rate,
                    window: archsim::scenario::BreakerWindow::Calls(*window_calls),
                    min_calls: *min_calls,
                    open_s: *open_s,
                    probes: *probes,
                });
            }
            Advice::AddBulkhead { suggested, .. } => {
                edge.max_concurrent = Some(*suggested);
                on_the_shared_edge.edges[shared].max_concurrent = Some(*suggested);
            }
            _ => {}
        }
    }
    let edge = &s.edges[k];
    assert!(edge.timeout_ms.is_some() && edge.breaker.is_some() && edge.max_concurrent.is_some(), "{edge:?}");
    let (after, d) = diagnosed(&s);
    let inventory = |r: &Report| stats(r, "inventory").stats.ok;
    assert!(bare.end_to_end.failed > 5_000);
    assert_eq!(after.end_to_end.failed, 0, "{:?}", after.end_to_end);
    assert!(after.end_to_end.degraded > 0, "the recommendations the protection cut short are degraded");
    assert!(inventory(&after) > inventory(&bare), "stock checks: {} against {}", inventory(&after), inventory(&bare));
    assert_eq!(stats(&after, "api").stats.failures.rejected, 0, "the api's queue never fills");
    assert!(
        !d.advice().iter().any(|a| matches!(
            a,
            Advice::AddCallTimeout { .. } | Advice::AddBreaker { .. } | Advice::AddBulkhead { .. }
        )),
        "{}",
        all_text(&d)
    );

    // The same cap where the old verdict put it holds back stock checks.
    let shared_cap = run(&on_the_shared_edge).report();
    let refused = shared_cap.edges[shared].bulkhead_full;
    assert!(refused > 1_000, "api → router refused {refused} calls");
    assert!(inventory(&shared_cap) < inventory(&after), "{} stock checks", inventory(&shared_cap));
}

/// With its bulkhead, the lesson still fails a few requests: calls to the
/// slowed recs that the cap let through, which outlasted the users' 1 s.
/// The verdict says that — not that the bulkhead failed them (its fallback
/// answered every call it refused) — and names the api's workers as what
/// the cap keeps free (the router has none), without advising the fallback
/// the edge has; a timeout on the same edge is what would end the rest.
#[test]
fn a_bulkhead_behind_a_router_frees_the_callers_workers_and_the_verdict_blames_the_slow_calls_it_let_through() {
    let (s, k) = bulkhead_lesson();
    let (report, d) = diagnosed(&s);
    let e2e = &report.end_to_end;
    let edge = &report.edges[k];
    assert!(e2e.failed > 0 && e2e.failed == e2e.failures.timeout, "{e2e:?}");
    assert_eq!(edge.bulkhead_full, edge.fallbacks, "every refusal answered by the fallback");
    let top = d.top().expect("a finding");
    let Cause::BulkheadFull { from, to, holder, workers, answered, slowed, slowdown, let_through, .. } = &top.cause
    else {
        panic!("{}", all_text(&d))
    };
    assert_eq!((from.as_str(), to.as_str()), ("router", "recs"));
    assert_eq!((holder.as_deref(), *workers), (Some("api"), Some(30)));
    assert_eq!(*answered, edge.bulkhead_full);
    assert_eq!((slowed.as_deref(), *slowdown), (Some("recs"), 50.0));
    let gave_up = let_through.as_ref().expect("the users gave up on calls it let through");
    assert_eq!((gave_up.client.as_str(), gave_up.timeout_ms, gave_up.timed_out), ("users", 1_000.0, e2e.failed));

    assert!(
        d.headline.starts_with(&format!(
            "recs was slowed 50× by a fault: {} requests failed; they waited on calls to recs that the bulkhead on \
             router → recs let through, longer than users' 1.00 s timeout; the bulkhead refused {} calls",
            group_thousands(e2e.failed),
            group_thousands(edge.bulkhead_full)
        )),
        "{}",
        d.headline
    );
    assert!(!d.headline.contains("shed the excess"), "{}", d.headline);

    assert_eq!(
        top.advice[0],
        Advice::SpeedUpBehindBulkhead {
            from: "router".into(),
            to: "recs".into(),
            holder: Some("api".into()),
            has_fallback: true
        }
    );
    let text = all_text(&d);
    for wrong in ["router's other workers", "router has workers", "answer those calls with a fallback"] {
        assert!(!text.contains(wrong), "`{wrong}` in:\n{text}");
    }
    assert!(text.contains("api's other workers stay free") && text.contains("if api has workers to spare"), "{text}");
    assert!(
        top.advice
            .iter()
            .any(|a| matches!(a, Advice::AddCallTimeout { from, to, .. } if from == "router" && to == "recs")),
        "{text}"
    );
}

/// The hedging lesson without its hedges: a fan-out to 100 shards, each
/// behind a balancer over two replicas. The verdict advises hedging after
/// about the calls' p95 and says how many more calls it costs, and the
/// advice keeps its word when applied; on the lesson as written, which
/// hedges already, it is not repeated.
#[test]
fn a_fan_out_through_balancers_over_replicas_is_advised_to_hedge_at_the_calls_p95() {
    let file = bundled("hedged-requests-cut-the-tail").expect("bundled").source;
    let hedge = ", hedge: (delay_ms: 25))";
    let with = |to: &str| parse(&file.replace(hedge, to));
    let (_, d) = diagnosed(&with(")"));
    let tail = d.findings.iter().find(|f| matches!(f.cause, Cause::FanOutTail { .. })).expect("the tail at scale");
    let Some(Advice::HedgeCalls { node, balancers, delay_ms, p95_ms, extra }) = tail.advice.first() else {
        panic!("hedging first: {}", all_text(&d))
    };
    assert_eq!((node.as_str(), balancers.len()), ("search", 100));
    assert_eq!(balancers[0], "shard-00");
    // A replica's work is log-normal (p50 5 ms, p99 50 ms): its p95 is
    // 25.5 ms, 26.5 ms with the network both ways.
    assert!((p95_ms - 26.5).abs() < 1.5, "{p95_ms}");
    assert!((delay_ms - p95_ms).abs() <= 1.0 && delay_ms.fract() == 0.0, "{delay_ms}");
    assert!((0.04..0.065).contains(extra), "{extra}");
    let text = all_text(&d);
    assert!(text.contains(&format!("`hedge: (delay_ms: {delay_ms})`")), "{text}");

    // Hedged after that delay, the balancers send about that many more calls.
    let mut hedged = with(&format!(", hedge: (delay_ms: {delay_ms}))"));
    hedged.duration_s /= 3.0;
    let report = run(&hedged).report();
    let shard_calls: u64 = report.edges.iter().filter(|e| e.from == "search").map(|e| e.stats.sent).sum();
    let copies: u64 = report.edges.iter().map(|e| e.hedges).sum();
    let measured = copies as f64 / shard_calls as f64;
    assert!((measured - extra).abs() < 0.01, "{measured:.4} more calls, advised {extra:.4}");

    let (_, d) = diagnosed(&with(hedge));
    assert!(d.findings.iter().any(|f| matches!(f.cause, Cause::FanOutTail { .. })), "{}", all_text(&d));
    assert!(!d.advice().iter().any(|a| matches!(a, Advice::HedgeCalls { .. })), "{}", all_text(&d));
}

#[test]
fn a_scan_of_a_large_table_without_an_index_is_named_with_the_index_as_advice() {
    let source = r#"(
        name: "a scan at production size",
        seed: 2,
        duration_s: 30,
        nodes: [
            (id: "users", kind: Client(arrivals: Poisson(rate: 100))),
            (id: "db", kind: Database(connections: 10, queue_capacity: 20, query_time: Exponential(mean_ms: 2),
                table: (rows: 10000000, index: false))),
        ],
        edges: [(from: "users", to: "db")],
    )"#;
    let (_, d) = diagnosed(&parse(source));
    let top = d.top().expect("a finding");
    let Cause::FullTableScan { node, rows, scan_ms, lookup_ms, rejected, .. } = &top.cause else {
        panic!("the scan comes first:\n{}", all_text(&d));
    };
    assert_eq!((node.as_str(), *rows), ("db", 10_000_000));
    assert!((scan_ms - 200.0).abs() < 1e-9 && (lookup_ms - 0.04).abs() < 1e-9, "{scan_ms} {lookup_ms}");
    assert!(*rejected > 0);
    assert!(matches!(&top.advice[0], Advice::AddIndex { node, .. } if node == "db"), "{:?}", top.advice);
    assert!(d.headline.starts_with("db scans all 10,000,000 rows for every query"), "{}", d.headline);
    // The same table with an index: healthy.
    let (_, d) = diagnosed(&parse(&source.replace("index: false", "index: true")));
    assert!(matches!(d.top().map(|f| &f.cause), None | Some(Cause::Healthy)), "{}", all_text(&d));
}

#[test]
fn a_hot_shard_is_named_where_the_database_average_hides_it() {
    let source = r#"(
        name: "a hot shard",
        seed: 2,
        duration_s: 30,
        nodes: [
            (id: "users", kind: Client(arrivals: Poisson(rate: 4500), keys: (keyspace: 1000000, zipf_exponent: 1.5))),
            (id: "db", kind: Database(connections: 4, query_time: Exponential(mean_ms: 2), shards: 4)),
        ],
        edges: [(from: "users", to: "db")],
    )"#;
    let (report, d) = diagnosed(&parse(source));
    assert!(report.nodes[1].stats.utilisation.is_some_and(|u| u < 0.85), "the node's average is not saturated");
    let top = d.top().expect("a finding");
    let Cause::HotShard { node, shards: 4, share, utilisation, mean_utilisation, .. } = &top.cause else {
        panic!("the hot shard:\n{}", all_text(&d));
    };
    assert_eq!(node, "db");
    assert!(*share > 0.4 && *utilisation > 0.95 && *mean_utilisation < 0.6, "{share} {utilisation} {mean_utilisation}");
    assert!(matches!(&top.advice[0], Advice::BetterShardKey { node, .. } if node == "db"), "{:?}", top.advice);
    assert!(top.advice.iter().any(|a| matches!(a, Advice::PutCacheInFront { .. })));
}

/// A sharded database is a primary (and its replicas) per shard: a copy
/// that survives a crash, or a read replica, is needed on every shard, so
/// the advice's price is the shards times a server's, not one server's.
#[test]
fn a_replica_of_a_sharded_database_is_priced_on_every_shard() {
    let (_, d) = diagnosed(&parse(
        r#"(
        name: "a sharded database crashes",
        seed: 3,
        duration_s: 30,
        nodes: [
            (id: "users", kind: Client(arrivals: Poisson(rate: 200))),
            (id: "db", kind: Database(connections: 20, query_time: Exponential(mean_ms: 10), shards: 4)),
        ],
        edges: [(from: "users", to: "db")],
        faults: [Crash(node: "db", at_s: 10, restore_s: Some(20))],
    )"#,
    ));
    let top = d.top().expect("a finding");
    assert!(matches!(&top.cause, Cause::NodeDown { node, .. } if node == "db"), "{}", all_text(&d));
    // $0.50 an hour a server (the illustrative price), 730 hours, 4 shards.
    assert!(
        top.advice.contains(&Advice::AddReplica { node: "db".into(), balancer: None, monthly_usd: 1_460.0 }),
        "{:?}",
        top.advice
    );
}

#[test]
fn read_replicas_for_a_saturated_sharded_database_cost_one_server_a_shard() {
    // 4 shards of 2 connections at 2 ms: 4,000 queries/s; 3,600 arrive,
    // keyless, spread evenly: every shard 90 % busy, none hot.
    let (report, d) = diagnosed(&parse(
        r#"(
        name: "a saturated sharded database",
        seed: 3,
        duration_s: 20,
        warmup_s: 2,
        nodes: [
            (id: "users", kind: Client(arrivals: Poisson(rate: 3600))),
            (id: "db", kind: Database(connections: 2, query_time: Exponential(mean_ms: 2), shards: 4)),
        ],
        edges: [(from: "users", to: "db")],
    )"#,
    ));
    assert!(stats(&report, "db").stats.utilisation.is_some_and(|u| u > 0.85), "{:?}", stats(&report, "db").stats);
    let replicas = d
        .advice()
        .into_iter()
        .find_map(|a| match a {
            Advice::AddReadReplicas { monthly_usd, .. } => Some(*monthly_usd),
            _ => None,
        })
        .unwrap_or_else(|| panic!("read replicas advised:\n{}", all_text(&d)));
    assert_eq!(replicas, 1_460.0, "one replica on each of 4 shards at $365 a month");
    // Every shard equally saturated: a database too small, not a hot shard.
    let top = d.top().expect("a finding");
    assert!(matches!(&top.cause, Cause::Saturated { node, .. } if node == "db"), "{}", all_text(&d));
    assert!(!d.findings.iter().any(|f| matches!(f.cause, Cause::HotShard { .. })), "{}", all_text(&d));
    assert!(all_text(&d).contains("Add read replicas to db") && all_text(&d).contains("$1,460 a month more"));
}

/// A database declared with one shard is the database itself: no shard
/// figures, and its saturation is the usual finding.
#[test]
fn a_database_of_one_shard_is_saturated_not_hot() {
    let (report, d) = diagnosed(&parse(
        r#"(
        name: "one shard",
        seed: 3,
        duration_s: 20,
        warmup_s: 2,
        nodes: [
            (id: "users", kind: Client(arrivals: Poisson(rate: 900), keys: (keyspace: 1000, zipf_exponent: 1.5))),
            (id: "db", kind: Database(connections: 2, query_time: Exponential(mean_ms: 2), shards: 1)),
        ],
        edges: [(from: "users", to: "db")],
    )"#,
    ));
    assert!(stats(&report, "db").shards.is_empty(), "{:?}", stats(&report, "db").shards);
    let top = d.top().expect("a finding");
    assert!(matches!(&top.cause, Cause::Saturated { node, .. } if node == "db"), "{}", all_text(&d));
}

/// Every request reads one key: its shard takes all the traffic and the
/// others none. That shard is hot (its share is all of it), whatever the
/// idle shards' zeros do to the average.
#[test]
fn one_key_makes_its_shard_hot_while_the_others_get_nothing() {
    let (report, d) = diagnosed(&parse(
        r#"(
        name: "one key",
        seed: 3,
        duration_s: 20,
        warmup_s: 2,
        nodes: [
            (id: "users", kind: Client(arrivals: Poisson(rate: 1900), keys: (keyspace: 1, zipf_exponent: 0))),
            (id: "db", kind: Database(connections: 4, query_time: Exponential(mean_ms: 2), shards: 4)),
        ],
        edges: [(from: "users", to: "db")],
    )"#,
    ));
    let shards = &stats(&report, "db").shards;
    assert_eq!(shards.iter().filter(|s| s.arrivals == 0 && s.utilisation == 0.0).count(), 3, "{shards:?}");
    let hot = shards.iter().position(|s| s.arrivals > 0).expect("one shard worked");
    let top = d.top().expect("a finding");
    let Cause::HotShard { shard, share, .. } = &top.cause else { panic!("the hot shard:\n{}", all_text(&d)) };
    assert_eq!((*shard as usize, *share), (hot, 1.0));
}

/// Theory beside the simulation (issue 10): an M/M/4 service at 85 %
/// matches Erlang C within its statistical error, with nothing to explain;
/// a finite line under overload differs, and says why.
#[test]
fn theory_beside_the_simulation_matches_an_mmc_service_and_explains_an_overloaded_one() {
    let source = |rate: f64, capacity: &str| {
        format!(
            r#"(
            name: "M/M/4",
            seed: 9,
            duration_s: 600,
            warmup_s: 20,
            nodes: [
                (id: "users", kind: Client(arrivals: Poisson(rate: {rate}))),
                (id: "api", kind: Service(workers: 4, queue_capacity: {capacity}, service_time: Exponential(mean_ms: 10))),
            ],
            edges: [(from: "users", to: "api")],
        )"#
        )
    };
    let s = parse(&source(340.0, "None"));
    let report = run(&s).report();
    let api = &s.nodes[1];
    let check =
        archsim::diagnosis::theory_check(&api.kind, &report.nodes[1].stats, Surroundings::default()).expect("a pool");
    let wait = check.mean_wait_ms.expect("stable");
    // Erlang C for the arrival rate and hold time the run measured,
    // worked out here: C = (aᶜ/c!)·c/(c − a) ÷ (Σₖ<c aᵏ/k! + that),
    // Wq = C / (cμ − λ) (about 11.95 ms at a = 3.4, c = 4).
    let (lambda, mu, c) = (check.arrival_rps, 1000.0 / check.hold_ms, 4.0);
    let a = lambda / mu;
    let mut term = 1.0;
    let mut below = 0.0;
    for k in 0..4 {
        below += term;
        term *= a / f64::from(k + 1);
    }
    let tail = term * c / (c - a);
    let erlang_c = tail / (below + tail);
    let closed_wait = 1000.0 * erlang_c / (c * mu - lambda);
    assert!((wait - closed_wait).abs() < 1e-9 * closed_wait, "overlay {wait} ms, Erlang C {closed_wait} ms");
    assert!((wait - 11.95).abs() / 11.95 < 0.1, "theory {wait}");
    assert!((check.measured_mean_wait_ms - wait).abs() / wait < 0.1, "{check:?}");
    let p99 = check.p99_ms.expect("stable");
    // p99 of the time in the node: P(T > t) = e^(−μt)·(1 + C·(1 − e^(−μt(c−1−a)))/(c−1−a)).
    let t = p99 / 1000.0;
    let beyond = (-mu * t).exp() * (1.0 + erlang_c * (1.0 - (-mu * t * (c - 1.0 - a)).exp()) / (c - 1.0 - a));
    assert!((beyond - 0.01).abs() < 1e-6, "P(T > p99 of the overlay) = {beyond}");
    assert!((check.measured_p99_ms - p99).abs() / p99 < 0.1, "{check:?}");
    assert!(!check.differs() && check.why_different.is_empty(), "{check:?}");

    let s = parse(&source(500.0, "Some(20)"));
    let report = run(&s).report();
    let check = archsim::diagnosis::theory_check(&s.nodes[1].kind, &report.nodes[1].stats, Surroundings::default())
        .expect("a pool");
    assert!(check.utilisation > 1.0 && check.mean_wait_ms.is_none(), "{check:?}");
    assert!(check.why_different.iter().any(|w| w.contains("no steady state")), "{check:?}");
    assert!(check.why_different.iter().any(|w| w.contains("turned away")), "{check:?}");
}

/// The overlay is the closed form for the node's setup: on an M/M/1 it is
/// M/M/1's mean wait ρ/(μ − λ) and p99 ln(100)/(μ − λ); on an M/D/1 it is
/// Pollaczek–Khinchine's mean wait ρD/(2(1 − ρ)) and Erlang's p99 — and the
/// simulation agrees with both within its statistical error.
#[test]
fn theory_beside_the_simulation_is_the_closed_form_for_mm1_and_md1() {
    let source = |work: &str| {
        format!(
            r#"(
            name: "one server",
            seed: 21,
            duration_s: 900,
            warmup_s: 20,
            nodes: [
                (id: "users", kind: Client(arrivals: Poisson(rate: 70))),
                (id: "api", kind: Service(workers: 1, service_time: {work})),
            ],
            edges: [(from: "users", to: "api")],
        )"#
        )
    };
    // M/M/1 at ρ = 0.7 (λ = 70/s, μ = 100/s).
    let s = parse(&source("Exponential(mean_ms: 10)"));
    let report = run(&s).report();
    let stats = &report.nodes[1].stats;
    let check = archsim::diagnosis::theory_check(&s.nodes[1].kind, stats, Surroundings::default()).expect("a pool");
    assert_eq!(check.model, TheoryModel::ErlangC);
    let (lambda, mu) = (check.arrival_rps, 1000.0 / check.hold_ms);
    let wait = 1000.0 * (lambda / mu) / (mu - lambda);
    let p99 = 1000.0 * 100f64.ln() / (mu - lambda);
    assert!((check.mean_wait_ms.expect("stable") - wait).abs() < 1e-6 * wait, "{check:?}");
    assert!((check.p99_ms.expect("stable") - p99).abs() < 1e-6 * p99, "{check:?}");
    assert!((check.measured_mean_wait_ms - wait).abs() / wait < 0.1, "{check:?}");
    assert!((check.measured_p99_ms - p99).abs() / p99 < 0.1, "{check:?}");

    // M/D/1 at ρ = 0.7, D = 10 ms: Pollaczek–Khinchine, and Erlang's p99.
    let s = parse(&source("Constant(ms: 10)"));
    let report = run(&s).report();
    let stats = &report.nodes[1].stats;
    let check = archsim::diagnosis::theory_check(&s.nodes[1].kind, stats, Surroundings::default()).expect("a pool");
    assert_eq!(check.model, TheoryModel::PollaczekKhinchine);
    let (lambda, d) = (check.arrival_rps, check.hold_ms / 1000.0);
    let rho = lambda * d;
    let wait = 1000.0 * rho * d / (2.0 * (1.0 - rho));
    assert!((check.mean_wait_ms.expect("stable") - wait).abs() < 1e-6 * wait, "{check:?}");
    let p99 = 1000.0 * archsim::sim::theory::md1_sojourn_quantile(lambda, d, 0.99).expect("computable");
    assert_eq!(check.p99_ms, Some(p99));
    assert!((check.measured_mean_wait_ms - wait).abs() / wait < 0.1, "{check:?}");
    assert!((check.measured_p99_ms - p99).abs() / p99 < 0.1, "{check:?}");
    assert!(!check.differs() && check.why_different.is_empty(), "M/D/1 agrees with its own formula: {check:?}");
}

/// Retries upstream make a node's arrivals burstier than Poisson: when
/// theory and the run differ there, the reason names the retries.
#[test]
fn theory_beside_the_simulation_names_upstream_retries_when_they_differ() {
    let s = parse(
        r#"(
        name: "retries",
        seed: 4,
        duration_s: 300,
        warmup_s: 10,
        nodes: [
            (id: "users", kind: Client(arrivals: Poisson(rate: 70), timeout_ms: 60, retry: (max_attempts: 3, backoff_ms: 1, jitter: 0))),
            (id: "lb", kind: LoadBalancer(policy: RoundRobin)),
            (id: "api", kind: Service(workers: 1, service_time: Exponential(mean_ms: 10))),
        ],
        edges: [(from: "users", to: "lb"), (from: "lb", to: "api")],
    )"#,
    );
    let sim = run(&s);
    let retries = sim.retries_upstream_of(2);
    assert!(retries > 1000, "the client retried: {retries}");
    assert_eq!(sim.retries_upstream_of(0), 0, "nothing is upstream of the client");
    let report = sim.report();
    let around = Surroundings { makes_calls: false, upstream_retries: retries };
    let check = archsim::diagnosis::theory_check(&s.nodes[2].kind, &report.nodes[2].stats, around).expect("a pool");
    assert!(check.differs(), "retried bursts wait more than Poisson arrivals: {check:?}");
    assert!(check.why_different.iter().any(|w| w.contains("retried") && w.contains("not as Poisson")), "{check:?}");
}

/// Upstream retries are counted since the warm-up, as the figures theory
/// is set beside: a burst of errors retried before it is over does not
/// explain a difference measured after it.
#[test]
fn upstream_retries_are_counted_since_the_warm_up() {
    let s = parse(
        r#"(
        name: "retries before the warm-up",
        seed: 4,
        duration_s: 60,
        warmup_s: 20,
        nodes: [
            (id: "users", kind: Client(arrivals: Poisson(rate: 50), retry: (max_attempts: 3, backoff_ms: 1, jitter: 0))),
            (id: "api", kind: Service(workers: 4, service_time: Exponential(mean_ms: 10))),
        ],
        edges: [(from: "users", to: "api")],
        faults: [Errors(node: "api", probability: 0.5, from_s: 0, to_s: 10)],
    )"#,
    );
    let mut sim = Simulation::new(&s).expect("valid");
    sim.run_until(SimTime::from_secs(15.0));
    assert!(sim.retries_upstream_of(1) > 100, "the errors were retried: {}", sim.retries_upstream_of(1));
    sim.run_until(SimTime::from_secs(60.0));
    assert_eq!(sim.retries_upstream_of(1), 0, "none since the warm-up at 20 s");
}
