//! Behaviour of each component and mechanism of the engine, one test per
//! promise the product brief makes.

use crate::common::*;
use archsim::scenario::{
    Arrivals, AutoscaleSpec, BreakerSpec, BreakerWindow, CacheMode, CacheSpec, CallOrder, ClientSpec, DatabaseSpec,
    DistributionSpec, EdgeSpec, FallbackSpec, FaultSpec, HealthCheckSpec, HedgeSpec, InstanceBalancing, KeySpec,
    LbPolicy, LoadBalancerSpec, NodeKind, OutlierEjectionSpec, Priority, ProfileShape, QueueSpec, RateLimitSpec,
    RetryBudget, RetryPolicy, ScaleTarget, Scenario, ServiceSpec, TableSpec, WaitFor,
};
use archsim::sim::{BreakerState, LiveUpdate, SimEventKind, SimTime, Simulation, TargetOut};

fn client_with(id: &str, spec: ClientSpec) -> archsim::scenario::NodeSpec {
    node(id, NodeKind::Client(spec))
}

fn constant(ms: f64) -> DistributionSpec {
    DistributionSpec::Constant { ms }
}

#[test]
fn timeouts_trigger_retries_until_attempts_run_out() {
    let c = ClientSpec {
        arrivals: Arrivals::Constant { rate: 10.0 },
        timeout_ms: Some(50.0),
        retry: Some(RetryPolicy {
            max_attempts: 3,
            backoff_ms: 10.0,
            multiplier: 2.0,
            max_backoff_ms: 1000.0,
            jitter: 0.0,
            budget: None,
        }),
        ..ClientSpec::default()
    };
    let s =
        scenario("t", 1, 1.0, vec![client_with("c", c), service("slow", 100, None, constant(200.0))], &[("c", "slow")]);
    let sim = run(&s, 20.0);
    let e2e = sim.end_to_end_totals();
    assert_eq!(e2e.ok, 0, "every attempt times out");
    assert!(e2e.failures.retries_exhausted >= 190, "{:?}", e2e.failures);
    // Two retries per finished request; requests still running may have used fewer.
    let finished = e2e.failures.retries_exhausted;
    assert!(e2e.retries >= 2 * finished && e2e.retries <= 2 * e2e.arrivals, "{} retries", e2e.retries);
}

#[test]
fn a_request_without_retry_fails_with_the_reason_where_it_happened() {
    let s =
        scenario("t", 1, 1.0, vec![poisson_client("c", 500.0), service("s", 1, Some(0), exp_ms(10.0))], &[("c", "s")]);
    let sim = run(&s, 20.0);
    let e2e = sim.end_to_end_totals();
    assert!(e2e.failures.rejected > 0);
    assert_eq!(e2e.failures.rejected, sim.node_totals(1).map_or(0, |s| s.failures.rejected));
    assert_eq!(e2e.failures.retries_exhausted, 0);
}

#[test]
fn load_balancer_stops_sending_to_a_crashed_target_after_the_health_check_delay() {
    let lb = node(
        "lb",
        NodeKind::LoadBalancer(LoadBalancerSpec {
            policy: LbPolicy::RoundRobin,
            health_check_delay_s: 2.0,
            ..Default::default()
        }),
    );
    let mut s = scenario(
        "t",
        2,
        1.0,
        vec![poisson_client("c", 300.0), lb, service("a", 4, None, exp_ms(2.0)), service("b", 4, None, exp_ms(2.0))],
        &[("c", "lb"), ("lb", "a"), ("lb", "b")],
    );
    s.faults.push(FaultSpec::Crash { node: "b".into(), at_s: 10.0, restore_s: Some(20.0) });
    let sim = run(&s, 30.0);
    let frames: Vec<_> = sim.series().frames().iter().collect();
    let down = |i: usize| frames[i].end_to_end.failures.node_down;
    assert_eq!(down(5), 0, "healthy before the crash");
    assert!(down(10) > 50, "fails while undetected: {}", down(10));
    assert!(down(11) > 50, "fails while undetected: {}", down(11));
    assert_eq!(down(13), 0, "detected after 2 s: the balancer skips it");
    assert_eq!(frames[13].nodes[3].arrivals, 0, "b gets nothing once known down");
    assert!(frames[25].nodes[3].arrivals > 100, "b gets traffic again after it is restored");
}

fn cache_scenario(capacity: u64, keyspace: u64, zipf: f64) -> Scenario {
    let c = ClientSpec {
        arrivals: Arrivals::Poisson { rate: 1000.0 },
        keys: Some(KeySpec { keyspace, zipf_exponent: zipf }),
        ..ClientSpec::default()
    };
    let cache = node(
        "cache",
        NodeKind::Cache(CacheSpec {
            mode: CacheMode::Lru { capacity, ttl_s: None },
            lookup_time: constant(0.1),
            rate_limit: None,
        }),
    );
    scenario(
        "t",
        3,
        1.0,
        vec![client_with("c", c), cache, database("db", 50, constant(2.0))],
        &[("c", "cache"), ("cache", "db")],
    )
}

#[test]
fn lru_hit_ratio_emerges_from_capacity_and_popularity() {
    // Uniform keys: an LRU holding 10 % of the keys hits about 10 % of the time.
    let sim = run(&cache_scenario(100, 1000, 0.0), 60.0);
    let hit = sim.node_totals(1).and_then(|s| s.hit_ratio).unwrap_or(0.0);
    assert!((hit - 0.1).abs() < 0.02, "uniform: {hit}");
    // Everything fits: after the first touch of each key, all hits.
    let sim = run(&cache_scenario(1000, 100, 0.0), 30.0);
    let hit = sim.node_totals(1).and_then(|s| s.hit_ratio).unwrap_or(0.0);
    assert!(hit > 0.99, "fits: {hit}");
    // Skewed popularity makes the same small cache far more useful.
    let sim = run(&cache_scenario(100, 1000, 1.1), 60.0);
    let hit = sim.node_totals(1).and_then(|s| s.hit_ratio).unwrap_or(0.0);
    assert!(hit > 0.5, "zipf: {hit}");
}

#[test]
fn flushing_a_cache_sends_a_stampede_to_the_backing_store() {
    let mut s = cache_scenario(1000, 2000, 1.0);
    s.faults.push(FaultSpec::Flush { node: "cache".into(), at_s: 20.0 });
    let sim = run(&s, 30.0);
    let db_arrivals = |i: usize| sim.series().frames()[i].nodes[2].arrivals;
    assert!(db_arrivals(20) > 2 * db_arrivals(18), "{} vs {}", db_arrivals(20), db_arrivals(18));
}

#[test]
fn a_queue_acknowledges_at_once_and_consumers_drain_it_at_their_pace() {
    let q = node("q", NodeKind::Queue(QueueSpec { capacity: 100_000, consumers: 2, rate_limit: None }));
    let s = scenario(
        "t",
        4,
        1.0,
        vec![poisson_client("c", 300.0), q, service("worker", 2, None, constant(10.0))],
        &[("c", "q"), ("q", "worker")],
    );
    let sim = run(&s, 20.0);
    let e2e = sim.end_to_end_totals();
    assert!(e2e.latency.p99_ms < 0.01, "the producer waits for nothing: {}", e2e.latency.p99_ms);
    // Consumers deliver at most 2 / 10 ms = 200/s, so a backlog builds.
    let live = sim.node_live(1).expect("queue");
    assert!(live.queue_len > 1500, "depth {}", live.queue_len);
    let q = sim.node_totals(1).expect("queue");
    assert!((q.throughput_rps - 200.0).abs() < 10.0, "delivered {}", q.throughput_rps);
    assert!(q.mean_wait_ms > 1000.0, "consumer lag {}", q.mean_wait_ms);
}

#[test]
fn a_full_queue_rejects_the_producer() {
    let q = node("q", NodeKind::Queue(QueueSpec { capacity: 10, consumers: 1, rate_limit: None }));
    let s = scenario(
        "t",
        4,
        1.0,
        vec![poisson_client("c", 500.0), q, service("w", 1, None, constant(10.0))],
        &[("c", "q"), ("q", "w")],
    );
    let sim = run(&s, 10.0);
    assert!(sim.end_to_end_totals().failures.rejected > 3000);
}

#[test]
fn replica_reads_right_after_a_write_are_stale() {
    let c = ClientSpec {
        arrivals: Arrivals::Poisson { rate: 2000.0 },
        keys: Some(KeySpec { keyspace: 50, zipf_exponent: 0.0 }),
        write_fraction: 0.3,
        ..ClientSpec::default()
    };
    let db = |lag| {
        node(
            "db",
            NodeKind::Database(DatabaseSpec {
                connections: 10,
                queue_capacity: None,
                query_time: constant(1.0),
                error_probability: 0.0,
                read_replicas: 2,
                replication_lag_ms: lag,
                rate_limit: None,
                write_time: None,
                table: None,
                shards: 1,
                autoscale: None,
            }),
        )
    };
    let stale = |lag| {
        let s = scenario("t", 5, 1.0, vec![client_with("c", c.clone()), db(lag)], &[("c", "db")]);
        run(&s, 10.0).node_totals(1).map_or(0, |s| s.stale_reads)
    };
    assert_eq!(stale(0.0), 0);
    assert!(stale(100.0) > 1000);
}

#[test]
fn edges_drop_requests_with_their_probability() {
    let mut s =
        scenario("t", 6, 1.0, vec![poisson_client("c", 1000.0), service("s", 50, None, constant(1.0))], &[("c", "s")]);
    s.edges[0].drop_probability = 0.1;
    let sim = run(&s, 20.0);
    let e2e = sim.end_to_end_totals();
    let share = e2e.failures.dropped as f64 / e2e.arrivals as f64;
    assert!((share - 0.1).abs() < 0.01, "{share}");
}

#[test]
fn a_partition_loses_everything_on_the_edge_while_it_lasts() {
    let mut s =
        scenario("t", 7, 1.0, vec![poisson_client("c", 100.0), service("s", 50, None, constant(1.0))], &[("c", "s")]);
    s.faults.push(FaultSpec::Partition { from: "c".into(), to: "s".into(), from_s: 5.0, to_s: 8.0 });
    let sim = run(&s, 12.0);
    let f = sim.series().frames();
    assert_eq!(f[6].end_to_end.ok, 0);
    assert!(f[6].end_to_end.failures.dropped > 50);
    assert_eq!(f[9].end_to_end.failures.dropped, 0);
}

#[test]
fn a_slowdown_multiplies_service_time() {
    let mut s =
        scenario("t", 8, 1.0, vec![poisson_client("c", 100.0), service("s", 10, None, constant(10.0))], &[("c", "s")]);
    s.faults.push(FaultSpec::Slow { node: "s".into(), factor: 4.0, from_s: 5.0, to_s: 10.0 });
    let sim = run(&s, 12.0);
    let f = sim.series().frames();
    assert!((f[3].nodes[1].latency.mean_ms - 10.0).abs() < 0.1);
    assert!((f[7].nodes[1].latency.mean_ms - 40.0).abs() < 0.5, "{}", f[7].nodes[1].latency.mean_ms);
}

#[test]
fn injected_errors_fail_requests_with_their_probability() {
    let mut s =
        scenario("t", 9, 1.0, vec![poisson_client("c", 1000.0), service("s", 50, None, constant(1.0))], &[("c", "s")]);
    s.faults.push(FaultSpec::Errors { node: "s".into(), probability: 0.25, from_s: 0.0, to_s: 100.0 });
    let sim = run(&s, 10.0);
    let e2e = sim.end_to_end_totals();
    let share = e2e.failures.error as f64 / e2e.arrivals as f64;
    assert!((share - 0.25).abs() < 0.02, "{share}");
}

#[test]
fn a_crash_fails_work_in_progress_and_the_node_recovers() {
    let mut s =
        scenario("t", 10, 1.0, vec![poisson_client("c", 200.0), service("s", 4, None, constant(15.0))], &[("c", "s")]);
    s.faults.push(FaultSpec::Crash { node: "s".into(), at_s: 5.0, restore_s: Some(7.0) });
    let mut sim = Simulation::new(&s).expect("valid");
    sim.run_until(SimTime::from_secs(5.0005));
    let live = sim.node_live(1).expect("node");
    assert!(live.down);
    assert_eq!(live.busy, 0, "work in progress was lost");
    sim.run_until(SimTime::from_secs(10.0));
    assert!(!sim.node_live(1).expect("node").down);
    let f = sim.series().frames();
    assert!(f[5].end_to_end.failures.node_down > 150, "{:?}", f[5].end_to_end.failures);
    assert_eq!(f[8].end_to_end.failures.node_down, 0);
    assert!(sim.event_log().iter().any(|e| e.what.contains("crashed")));
}

#[test]
fn random_crashes_follow_mtbf_and_mttr() {
    let mut s =
        scenario("t", 11, 10.0, vec![poisson_client("c", 100.0), service("s", 4, None, constant(1.0))], &[("c", "s")]);
    s.faults.push(FaultSpec::RandomCrashes { node: "s".into(), mtbf_s: 9.0, mttr_s: 1.0 });
    let sim = run(&s, 2000.0);
    let e2e = sim.end_to_end_totals();
    // Down 1/(9+1) of the time.
    let share = e2e.failures.node_down as f64 / e2e.arrivals as f64;
    assert!((share - 0.1).abs() < 0.03, "{share}");
}

/// Thread per request: a slow database holds the web tier's workers and
/// exhausts them; with non-blocking calls the same web tier copes.
#[test]
fn blocking_calls_let_a_slow_database_exhaust_the_callers_workers() {
    let build = |blocking: bool| {
        let web = node(
            "web",
            NodeKind::Service(ServiceSpec {
                workers: 10,
                queue_capacity: Some(20),
                service_time: constant(1.0),
                error_probability: 0.0,
                blocking_calls: blocking,
                rate_limit: None,
                calls: CallOrder::default(),
                shed_after_ms: None,
                drop_expired: false,
                ..ServiceSpec::default()
            }),
        );
        scenario(
            "t",
            12,
            1.0,
            vec![poisson_client("c", 200.0), web, database("db", 100, constant(100.0))],
            &[("c", "web"), ("web", "db")],
        )
    };
    let blocking = run(&build(true), 20.0);
    let web = blocking.node_totals(1).expect("web");
    assert!(web.utilisation.unwrap_or(0.0) > 0.95 && web.failures.rejected > 100, "{web:?}");
    let async_io = run(&build(false), 20.0);
    let web = async_io.node_totals(1).expect("web");
    assert_eq!(web.failures.rejected, 0);
    assert!(web.utilisation.unwrap_or(1.0) < 0.3);
}

#[test]
fn closed_loop_users_never_have_more_than_one_request_each() {
    let s = scenario(
        "t",
        13,
        1.0,
        vec![closed_client("u", 7, exp_ms(10.0)), service("s", 1, None, exp_ms(20.0))],
        &[("u", "s")],
    );
    let mut sim = Simulation::new(&s).expect("valid");
    for step in 1..200 {
        sim.run_until(SimTime::from_secs(f64::from(step) * 0.05));
        let live = sim.node_live(1).expect("s");
        assert!(live.busy + live.queue_len <= 7);
    }
}

#[test]
fn growing_a_pool_while_running_drains_its_queue() {
    let s =
        scenario("t", 14, 1.0, vec![poisson_client("c", 300.0), service("s", 2, None, constant(10.0))], &[("c", "s")]);
    let mut sim = Simulation::new(&s).expect("valid");
    sim.run_until(SimTime::from_secs(10.0));
    assert!(sim.node_live(1).expect("s").queue_len > 500);
    let bigger = NodeKind::Service(ServiceSpec {
        workers: 8,
        queue_capacity: None,
        service_time: constant(10.0),
        error_probability: 0.0,
        blocking_calls: true,
        rate_limit: None,
        calls: CallOrder::default(),
        shed_after_ms: None,
        drop_expired: false,
        ..ServiceSpec::default()
    });
    assert_eq!(sim.update_node(1, &bigger), LiveUpdate::Applied);
    sim.run_until(SimTime::from_secs(20.0));
    assert_eq!(sim.node_live(1).expect("s").queue_len, 0);
}

#[test]
fn the_spike_button_multiplies_the_rate_for_its_duration() {
    let s =
        scenario("t", 15, 1.0, vec![poisson_client("c", 200.0), service("s", 100, None, constant(1.0))], &[("c", "s")]);
    let mut sim = Simulation::new(&s).expect("valid");
    sim.run_until(SimTime::from_secs(5.0));
    sim.spike(0, 5.0, 3.0);
    sim.run_until(SimTime::from_secs(12.0));
    let f = sim.series().frames();
    let rate = |i: usize| f[i].end_to_end.arrivals as f64;
    assert!((rate(3) - 200.0).abs() < 60.0);
    assert!((rate(6) - 1000.0).abs() < 130.0, "{}", rate(6));
    assert!((rate(10) - 200.0).abs() < 60.0);
}

/// Each node draws from its own stream: adding an unrelated client and
/// service leaves the first pair's results bit-identical.
#[test]
fn adding_a_node_does_not_reshuffle_the_others() {
    let one =
        scenario("t", 16, 1.0, vec![poisson_client("c", 300.0), service("s", 1, None, exp_ms(2.0))], &[("c", "s")]);
    let mut two = one.clone();
    two.nodes.push(poisson_client("c2", 100.0));
    two.nodes.push(service("s2", 1, None, exp_ms(5.0)));
    two.edges.push(EdgeSpec::new("c2", "s2"));
    let a = run(&one, 30.0).node_totals(1);
    let b = run(&two, 30.0).node_totals(1);
    assert_eq!(a, b);
}

/// Memory follows the requests in flight: after a long run only the
/// requests still in progress hold slots, and the series is capped.
#[test]
fn memory_stays_bounded_over_a_long_run() {
    let s = scenario("t", 17, 1.0, vec![poisson_client("c", 500.0), service("s", 1, None, exp_ms(1.0))], &[("c", "s")]);
    let sim = run(&s, 5000.0);
    assert!(sim.calls_in_flight() < 200, "{}", sim.calls_in_flight());
    assert!(sim.series().len() <= archsim::sim::metrics::DEFAULT_MAX_WINDOWS);
    assert!(sim.series().dropped > 0);
}

#[test]
fn warmup_is_excluded_from_the_totals() {
    let mut s =
        scenario("t", 18, 1.0, vec![poisson_client("c", 100.0), service("s", 4, None, constant(1.0))], &[("c", "s")]);
    s.warmup_s = 10.0;
    let sim = run(&s, 30.0);
    let t = sim.end_to_end_totals();
    assert!((t.duration_s - 20.0).abs() < 1e-9);
    assert!((t.arrivals as f64 - 2000.0).abs() < 200.0, "{}", t.arrivals);
}

#[test]
fn an_invalid_live_change_is_refused_and_changes_nothing() {
    let s =
        scenario("t", 19, 1.0, vec![poisson_client("c", 100.0), service("s", 2, None, constant(1.0))], &[("c", "s")]);
    let mut sim = Simulation::new(&s).expect("valid");
    let broken = NodeKind::Service(ServiceSpec {
        workers: 0,
        queue_capacity: None,
        service_time: constant(1.0),
        error_probability: 2.0,
        blocking_calls: true,
        rate_limit: None,
        calls: CallOrder::default(),
        shed_after_ms: None,
        drop_expired: false,
        ..ServiceSpec::default()
    });
    match sim.update_node(1, &broken) {
        LiveUpdate::Invalid(problems) => assert_eq!(problems.len(), 2, "{problems:?}"),
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert_eq!(sim.node_live(1).and_then(|l| l.workers), Some(2));
}

/// A random repair does not end a scheduled outage early.
#[test]
fn random_repairs_do_not_end_a_scheduled_crash() {
    let mut s = scenario(
        "t",
        20,
        1.0,
        vec![poisson_client("c", 100.0), service("api", 4, None, constant(1.0))],
        &[("c", "api")],
    );
    s.faults.push(FaultSpec::Crash { node: "api".into(), at_s: 10.0, restore_s: Some(50.0) });
    s.faults.push(FaultSpec::RandomCrashes { node: "api".into(), mtbf_s: 3.0, mttr_s: 0.5 });
    let sim = run(&s, 60.0);
    let served: u64 = sim.series().frames().iter().skip(11).take(38).map(|w| w.nodes[1].ok).sum();
    assert_eq!(served, 0, "the scheduled crash holds the node down until 50 s");
}

/// A database whose replica count changes needs a reset; the query time
/// written in the same edit must not sneak into the running simulation.
#[test]
fn a_live_edit_that_needs_a_reset_changes_nothing() {
    let s = scenario("t", 21, 1.0, vec![poisson_client("c", 100.0), database("db", 4, constant(2.0))], &[("c", "db")]);
    let mut sim = run(&s, 5.0);
    let before = sim.scenario().clone();
    let mut edited = s.nodes[1].kind.clone();
    if let NodeKind::Database(db) = &mut edited {
        db.read_replicas = 2;
        db.query_time = constant(50.0);
    }
    assert!(matches!(sim.update_node(1, &edited), LiveUpdate::NeedsReset(_)));
    assert_eq!(sim.scenario(), &before, "the engine still describes the design it runs");
    sim.run_until(SimTime::from_secs(15.0));
    let last = sim.series().last().expect("windows").nodes[1].latency.mean_ms;
    assert!((last - 2.0).abs() < 0.1, "queries still take 2 ms, got {last}");
}

/// Changing a node's kind needs a reset: the report keeps naming what runs.
#[test]
fn a_kind_change_waiting_for_a_reset_keeps_the_running_kind_in_the_report() {
    let s =
        scenario("t", 22, 1.0, vec![poisson_client("c", 10.0), service("s", 2, None, constant(1.0))], &[("c", "s")]);
    let mut sim = run(&s, 2.0);
    let db = NodeKind::Database(DatabaseSpec::default());
    assert!(matches!(sim.update_node(1, &db), LiveUpdate::NeedsReset(_)));
    assert_eq!(sim.scenario().nodes[1].kind, s.nodes[1].kind);
    assert_eq!(sim.report().nodes[1].kind, s.nodes[1].kind.component());
}

/// Switching a client from open to closed loop needs a reset; the timeout
/// written in the same edit waits for it too.
#[test]
fn a_client_edit_waiting_for_a_reset_keeps_its_old_timeout() {
    let s = scenario(
        "t",
        23,
        1.0,
        vec![poisson_client("c", 50.0), service("slow", 100, None, constant(100.0))],
        &[("c", "slow")],
    );
    let mut sim = run(&s, 2.0);
    let closed = NodeKind::Client(ClientSpec {
        arrivals: Arrivals::Closed { users: 5, think: constant(10.0) },
        timeout_ms: Some(10.0),
        ..ClientSpec::default()
    });
    assert!(matches!(sim.update_node(0, &closed), LiveUpdate::NeedsReset(_)));
    sim.run_until(SimTime::from_secs(10.0));
    assert_eq!(sim.end_to_end_totals().failures.timeout, 0, "no timeout is in force");
}

/// A new load-balancer weight applies at once, and a later policy change
/// builds the balancer from the weights that are in force.
#[test]
fn a_new_weight_applies_live_and_survives_a_policy_change() {
    let lb = node("lb", NodeKind::LoadBalancer(LoadBalancerSpec { policy: LbPolicy::Weighted, ..Default::default() }));
    let s = scenario(
        "t",
        24,
        1.0,
        vec![
            poisson_client("c", 1000.0),
            lb,
            service("a", 100, None, constant(1.0)),
            service("b", 100, None, constant(1.0)),
        ],
        &[("c", "lb"), ("lb", "a"), ("lb", "b")],
    );
    let mut sim = run(&s, 1.0);
    let mut heavier = s.edges[1].clone();
    heavier.weight = 3.0;
    assert_eq!(sim.update_edge(1, &heavier), LiveUpdate::Applied);
    assert_eq!(sim.scenario().edges[1].weight, 3.0);
    let random = NodeKind::LoadBalancer(LoadBalancerSpec { policy: LbPolicy::Random, ..Default::default() });
    assert_eq!(sim.update_node(1, &random), LiveUpdate::Applied);
    let weighted = NodeKind::LoadBalancer(LoadBalancerSpec { policy: LbPolicy::Weighted, ..Default::default() });
    assert_eq!(sim.update_node(1, &weighted), LiveUpdate::Applied);
    let a0 = sim.node_totals(2).map_or(0, |t| t.arrivals);
    let b0 = sim.node_totals(3).map_or(0, |t| t.arrivals);
    sim.run_until(SimTime::from_secs(41.0));
    let a = (sim.node_totals(2).map_or(0, |t| t.arrivals) - a0) as f64;
    let b = (sim.node_totals(3).map_or(0, |t| t.arrivals) - b0) as f64;
    let share = a / (a + b);
    // 40,000 requests: the share's standard error is about 0.002.
    assert!((share - 0.75).abs() < 0.01, "share of the heavier target {share}");
}

/// The clock cannot freeze: whatever base rate, profile factors, timeline
/// spikes, live multiplier and live spike combine to, every accepted
/// scenario moves simulated time forward at a bounded cost in events.
mod the_clock_always_advances {
    use super::*;
    use archsim::scenario::ProfileShape;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed};

    /// Events one request can cost here at most: arrival, send, work,
    /// reply, timeout check and a window close, with room to spare.
    const EVENTS_PER_REQUEST: f64 = 10.0;

    fn log_uniform(low: f64, high: f64) -> impl Strategy<Value = f64> {
        (low.ln()..high.ln()).prop_map(f64::exp)
    }

    fn shape() -> impl Strategy<Value = ProfileShape> {
        let factor = || log_uniform(1e-3, 1e4);
        prop_oneof![
            (0.0..0.01f64, factor()).prop_map(|(at_s, factor)| ProfileShape::Step { at_s, factor }),
            (0.0..0.01f64, factor(), factor()).prop_map(|(start_s, from_factor, to_factor)| ProfileShape::Ramp {
                start_s,
                end_s: start_s + 0.01,
                from_factor,
                to_factor
            }),
            (0.0..0.01f64, factor()).prop_map(|(start_s, factor)| ProfileShape::Spike {
                start_s,
                duration_s: 1.0,
                factor
            }),
        ]
    }

    fn arrivals() -> impl Strategy<Value = Arrivals> {
        prop_oneof![
            log_uniform(1.0, 1e7).prop_map(|rate| Arrivals::Poisson { rate }),
            log_uniform(1.0, 1e7).prop_map(|rate| Arrivals::Constant { rate }),
            log_uniform(1.0, 1e7).prop_map(|rate_on| Arrivals::Bursty {
                rate_on,
                rate_off: 0.0,
                mean_on_s: 0.001,
                mean_off_s: 0.001
            }),
        ]
    }

    fn config() -> Config {
        let mut config = Config { cases: 24, ..Config::default() };
        if config.rng_seed == RngSeed::Random {
            config.rng_seed = RngSeed::Fixed(0x00c1_0c4e);
        }
        config
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn under_any_rate_and_factors(
            arrivals in arrivals(),
            profile in prop::collection::vec(shape(), 0..4),
            fault_spikes in prop::collection::vec((0.0..0.01f64, log_uniform(1.0, 1e4)), 0..3),
            multiplier in log_uniform(1e-3, 1e6),
            live_spike in log_uniform(1.0, 1e6),
        ) {
            let client = ClientSpec { arrivals, profile, ..ClientSpec::default() };
            let mut s = scenario(
                "clock",
                31,
                0.001,
                vec![client_with("c", client), service("s", 64, Some(64), constant(0.001))],
                &[("c", "s")],
            );
            for (at_s, factor) in fault_spikes {
                s.faults.push(FaultSpec::Spike { node: "c".into(), at_s, duration_s: 1.0, factor });
            }
            // Validation may refuse the peak rate; what it accepts must run.
            let Ok(mut sim) = Simulation::new(&s) else { return Ok(()) };
            sim.set_rate_multiplier(0, multiplier);
            sim.spike(0, live_spike, 1.0);
            let batch = 20_000u64;
            for _ in 0..4 {
                let before = sim.now();
                let done = sim.run_events(batch);
                prop_assert!(done == 0 || sim.now() > before, "{done} events at {:?} without time moving", before);
            }
            let events = sim.events_processed() as f64;
            let floor_s = events / (archsim::sim::MAX_EFFECTIVE_RATE_RPS * EVENTS_PER_REQUEST);
            prop_assert!(
                sim.now().as_secs() >= floor_s,
                "{events} events took only {} s of simulated time (at least {floor_s} s expected)",
                sim.now().as_secs()
            );
        }
    }
}

fn requests_made(sim: &Simulation) -> f64 {
    sim.end_to_end_totals().arrivals as f64
}

/// A live edit of a client rebuilds its profile from the new spec: a
/// planned spike is not multiplied again, and one deleted is gone.
#[test]
fn a_live_client_edit_neither_doubles_a_planned_spike_nor_keeps_a_deleted_one() {
    use archsim::scenario::ProfileShape;
    let spike = ProfileShape::Spike { start_s: 20.0, duration_s: 10.0, factor: 3.0 };
    let client =
        ClientSpec { arrivals: Arrivals::Poisson { rate: 100.0 }, profile: vec![spike], ..ClientSpec::default() };
    let s = scenario(
        "t",
        26,
        1.0,
        vec![client_with("c", client.clone()), service("s", 100, None, constant(1.0))],
        &[("c", "s")],
    );
    for (edit, expected) in [(Some(200.0), 3_000.0), (None, 1_000.0)] {
        let mut sim = run(&s, 5.0);
        let mut edited = client.clone();
        match edit {
            Some(timeout) => edited.timeout_ms = Some(timeout),
            None => edited.profile.clear(),
        }
        assert_eq!(sim.update_node(0, &NodeKind::Client(edited.clone())), LiveUpdate::Applied);
        assert_eq!(sim.update_node(0, &NodeKind::Client(edited)), LiveUpdate::Applied);
        sim.run_until(SimTime::from_secs(20.0));
        let before = requests_made(&sim);
        sim.run_until(SimTime::from_secs(30.0));
        let during = requests_made(&sim) - before;
        // Poisson: sd about 55 at 3,000, 32 at 1,000.
        assert!((during - expected).abs() < 250.0, "{edit:?}: {during} requests, {expected} expected");
    }
}

/// A client whose profile stopped it starts again when the step goes.
#[test]
fn a_client_stopped_by_its_profile_starts_again_when_the_step_is_removed() {
    use archsim::scenario::ProfileShape;
    let client = ClientSpec {
        arrivals: Arrivals::Poisson { rate: 100.0 },
        profile: vec![ProfileShape::Step { at_s: 0.0, factor: 0.0 }],
        ..ClientSpec::default()
    };
    let s = scenario(
        "t",
        27,
        1.0,
        vec![client_with("c", client.clone()), service("s", 100, None, constant(1.0))],
        &[("c", "s")],
    );
    let mut sim = run(&s, 5.0);
    assert_eq!(requests_made(&sim), 0.0);
    let running = ClientSpec { profile: Vec::new(), ..client };
    assert_eq!(sim.update_node(0, &NodeKind::Client(running)), LiveUpdate::Applied);
    sim.run_until(SimTime::from_secs(15.0));
    assert!((requests_made(&sim) - 1_000.0).abs() < 150.0, "{}", requests_made(&sim));
}

/// A `Latency` fault slows its link only while it lasts: the users' mean
/// response inside the span is about 2 × `added_ms` above the one outside,
/// and the link is back to normal after it (and the log says both).
#[test]
fn a_latency_fault_slows_its_link_only_while_it_lasts() {
    let mut s = scenario(
        "slow link",
        5,
        1.0,
        vec![poisson_client("c", 100.0), service("s", 4, None, constant(5.0))],
        &[("c", "s")],
    );
    s.faults.push(FaultSpec::Latency { from: "c".into(), to: "s".into(), added_ms: 40.0, from_s: 10.0, to_s: 20.0 });
    let sim = run(&s, 30.0);
    let mean_in = |a: f64, b: f64| {
        let frames: Vec<f64> = sim
            .series()
            .frames()
            .iter()
            .filter(|f| f.start_s >= a && f.end_s <= b)
            .map(|f| f.end_to_end.latency.mean_ms)
            .collect();
        frames.iter().sum::<f64>() / frames.len() as f64
    };
    let (before, during, after) = (mean_in(1.0, 10.0), mean_in(11.0, 20.0), mean_in(21.0, 30.0));
    assert!((before - 5.0).abs() < 0.5, "before: {before}");
    assert!((during - 85.0).abs() < 0.5, "during: 5 ms of work + 2 × 40 ms on the wire, got {during}");
    assert!((after - 5.0).abs() < 0.5, "after: {after}");
    let log: Vec<&str> = sim.event_log().iter().map(|e| e.what.as_str()).collect();
    assert!(log.iter().any(|t| t.contains("+40 ms")) && log.iter().any(|t| t.contains("back to normal")), "{log:?}");
}

/// A service of `workers` with 1 ms of work behind a token bucket.
fn limited_service(workers: u32, rate: f64, burst: u32) -> archsim::scenario::NodeSpec {
    node(
        "s",
        NodeKind::Service(ServiceSpec {
            workers,
            queue_capacity: None,
            service_time: constant(1.0),
            rate_limit: Some(RateLimitSpec { rate, burst, ..RateLimitSpec::default() }),
            ..ServiceSpec::default()
        }),
    )
}

/// Twice the limiter's rate, perfectly regular: every other request finds
/// the bucket empty. It is refused at once, at the limiter (one count
/// there, none downstream), the client sees the failure under the same
/// reason, and the refused half never takes a worker.
#[test]
fn a_rate_limiter_refuses_the_excess_at_once_without_using_a_worker() {
    let c = client_with("c", ClientSpec { arrivals: Arrivals::Constant { rate: 200.0 }, ..ClientSpec::default() });
    let s = scenario("t", 40, 1.0, vec![c, limited_service(1, 100.0, 1)], &[("c", "s")]);
    let sim = run(&s, 20.0);
    let node = sim.node_totals(1).expect("s");
    let client = sim.node_totals(0).expect("c");
    assert!((node.failures.rate_limited as f64 - 2000.0).abs() <= 2.0, "{:?}", node.failures);
    assert!((node.ok as f64 - 2000.0).abs() <= 2.0, "{}", node.ok);
    assert_eq!(node.failures.local(), node.failures.rate_limited, "nothing else failed");
    assert_eq!(client.failures.rate_limited, node.failures.rate_limited, "the caller sees each refusal");
    assert_eq!(client.failures.downstream, 0);
    // Only the admitted requests took the worker: 100/s × 1 ms.
    let busy = node.utilisation.expect("a service has workers");
    assert!((busy - 0.1).abs() < 0.01, "utilisation {busy}");
}

/// A crashed node answers "down" as it always did, before its limiter
/// looks at the request, so an outage spends no tokens: after the restore
/// the full bucket lets a burst through at once.
#[test]
fn a_down_node_answers_down_before_its_rate_limiter_and_spends_no_tokens() {
    let c = client_with("c", ClientSpec { arrivals: Arrivals::Constant { rate: 100.0 }, ..ClientSpec::default() });
    let mut s = scenario("t", 41, 1.0, vec![c, limited_service(4, 10.0, 50)], &[("c", "s")]);
    s.faults.push(FaultSpec::Crash { node: "s".into(), at_s: 0.0, restore_s: Some(5.0) });
    let sim = run(&s, 8.0);
    let frames = sim.series().frames();
    for w in frames.iter().take(5) {
        let f = w.nodes[1].failures;
        assert_eq!(f.rate_limited, 0, "down, not rate limited, while crashed: {f:?}");
        assert!(f.node_down >= 99, "{f:?}");
    }
    let first_second_back = &frames[5].nodes[1];
    assert!(first_second_back.ok >= 55, "a full bucket (50) and 10/s of refill: {}", first_second_back.ok);
    assert!(frames[6].nodes[1].ok <= 12, "then the refill rate alone: {}", frames[6].nodes[1].ok);
}

/// The limiter's rate and burst change live, and the limiter can be
/// switched off and on again without a reset.
#[test]
fn a_rate_limit_changes_while_running() {
    let s = scenario("t", 42, 1.0, vec![poisson_client("c", 400.0), limited_service(64, 100.0, 10)], &[("c", "s")]);
    let mut sim = Simulation::new(&s).expect("valid");
    let ok_in = |sim: &Simulation, w: usize| sim.series().frames()[w].nodes[1].ok as f64;
    sim.run_until(SimTime::from_secs(10.0));
    assert!((ok_in(&sim, 5) - 100.0).abs() <= 12.0, "{}", ok_in(&sim, 5));

    let with = |rate_limit: Option<RateLimitSpec>| {
        NodeKind::Service(ServiceSpec {
            workers: 64,
            queue_capacity: None,
            service_time: constant(1.0),
            rate_limit,
            ..ServiceSpec::default()
        })
    };
    assert_eq!(
        sim.update_node(1, &with(Some(RateLimitSpec { rate: 300.0, burst: 10, ..RateLimitSpec::default() }))),
        LiveUpdate::Applied
    );
    sim.run_until(SimTime::from_secs(20.0));
    assert!((ok_in(&sim, 15) - 300.0).abs() <= 40.0, "{}", ok_in(&sim, 15));

    assert_eq!(sim.update_node(1, &with(None)), LiveUpdate::Applied);
    sim.run_until(SimTime::from_secs(30.0));
    let off = &sim.series().frames()[25].nodes[1];
    assert_eq!(off.failures.rate_limited, 0, "switched off");
    assert!((off.ok as f64 - 400.0).abs() <= 80.0, "{}", off.ok);

    assert_eq!(
        sim.update_node(1, &with(Some(RateLimitSpec { rate: 50.0, burst: 1, ..RateLimitSpec::default() }))),
        LiveUpdate::Applied
    );
    sim.run_until(SimTime::from_secs(40.0));
    assert!((ok_in(&sim, 35) - 50.0).abs() <= 10.0, "{}", ok_in(&sim, 35));
}

/// A bulkhead on the call to a slow dependency caps how many of the
/// caller's workers wait on it: without one, 50 req/s × 0.5 s of waiting
/// take all 10 workers of `api` and its queue grows; with a bulkhead of 4,
/// at most 4 workers wait, the excess fails at once as "bulkhead full" at
/// `api`, and the rest of `api` stays free.
#[test]
fn a_bulkhead_keeps_a_slow_dependency_from_taking_every_worker() {
    let build = |cap: Option<u32>| {
        let mut s = scenario(
            "bulkhead",
            9,
            1.0,
            vec![
                poisson_client("users", 50.0),
                service("api", 10, Some(1_000), constant(1.0)),
                service("slow", 200, None, constant(500.0)),
            ],
            &[("users", "api"), ("api", "slow")],
        );
        s.edges[1].max_concurrent = cap;
        run(&s, 60.0)
    };
    let without = build(None);
    let with = build(Some(4));
    let busy = |sim: &Simulation| sim.node_totals(1).and_then(|t| t.utilisation).unwrap_or(0.0);
    assert!(busy(&without) > 0.95, "without a bulkhead api is saturated: {}", busy(&without));
    assert!(busy(&with) < 0.45, "with one, at most 4 of 10 workers wait: {}", busy(&with));
    let api = with.node_totals(1).expect("api");
    assert!(api.failures.bulkhead_full > 1_000, "the excess fails fast at api: {:?}", api.failures);
    assert_eq!(api.failures.rejected, 0, "api's own queue never fills");
    let edge = &with.report().edges[1];
    assert_eq!(edge.bulkhead_full, api.failures.bulkhead_full, "the edge counts the same refusals");
}

/// A bulkhead of 2 calls whose calls wait up to 20 ms, in front of 2
/// workers taking 10 ms each, offered 300 calls/s against 200/s: every
/// call is answered within the wait plus the work, the excess fails
/// "bulkhead full" after exactly its wait, and the callee never queues.
#[test]
fn no_call_waits_longer_than_the_bulkhead_allows() {
    let mut s = scenario(
        "bulkhead-wait",
        63,
        1.0,
        vec![poisson_client("users", 300.0), service("api", 2, None, constant(10.0))],
        &[("users", "api")],
    );
    s.edges[0].max_concurrent = Some(2);
    s.edges[0].bulkhead_wait_ms = Some(20.0);
    let sim = run(&s, 60.0);
    let users = sim.node_totals(0).expect("users");
    let api = sim.node_totals(1).expect("api");
    let edge = &sim.report().edges[0];
    assert!(users.latency.max_ms <= 30.0 + 0.1, "wait + work at most: {:?}", users.latency);
    assert!(users.failures.bulkhead_full > 1_000, "the excess is turned away: {:?}", users.failures);
    assert_eq!(users.failures.local(), users.failures.bulkhead_full, "{:?}", users.failures);
    assert_eq!(edge.bulkhead_full, users.failures.bulkhead_full, "the edge counts the same refusals");
    assert!(edge.bulkhead_waited > edge.bulkhead_full, "some waited and got a place: {edge:?}");
    assert_eq!(api.wait_probability.unwrap_or(0.0), 0.0, "the callee never queues");
    assert!((api.utilisation.unwrap_or(0.0) - 1.0).abs() < 0.02, "yet its workers never idle: {api:?}");
}

/// A call whose caller gave up while it waited for a place in the
/// bulkhead (the client's 50 ms timeout, well inside the bulkhead's 10 s
/// wait) leaves the line unsent: the callee sees only the calls that got
/// a place, one at a time.
#[test]
fn a_call_whose_caller_gave_up_while_it_waited_for_a_bulkhead_place_is_never_sent() {
    let mut s = scenario(
        "bulkhead-wait-timeout",
        64,
        1.0,
        vec![poisson_client("users", 50.0), service("slow", 10, None, constant(100.0))],
        &[("users", "slow")],
    );
    if let NodeKind::Client(c) = &mut s.nodes[0].kind {
        c.timeout_ms = Some(50.0);
    }
    s.edges[0].max_concurrent = Some(1);
    s.edges[0].bulkhead_wait_ms = Some(10_000.0);
    let sim = run(&s, 30.0);
    let users = sim.node_totals(0).expect("users");
    let slow = sim.node_totals(1).expect("slow");
    // One call at a time for 100 ms each: about 10 a second get through.
    assert!(slow.arrivals <= 305, "only calls with a place are sent: {}", slow.arrivals);
    assert!(users.arrivals > 1_300, "{}", users.arrivals);
    assert_eq!(users.failures.bulkhead_full, 0, "the callers gave up first");
    assert_eq!(users.failures.local(), users.failures.timeout, "{:?}", users.failures);
}

/// Live changes to a bulkhead whose calls wait: without the wait, the
/// calls in line are turned away at once; without the bulkhead, they are
/// all sent at once.
#[test]
fn changing_a_waiting_bulkhead_live_settles_the_calls_in_its_line() {
    let mut s = scenario(
        "bulkhead-live",
        65,
        1.0,
        vec![poisson_client("users", 50.0), service("slow", 100, None, constant(100.0))],
        &[("users", "slow")],
    );
    s.edges[0].max_concurrent = Some(1);
    s.edges[0].bulkhead_wait_ms = Some(60_000.0);
    let mut sim = Simulation::new(&s).expect("valid");
    sim.run_until(SimTime::from_secs(5.0));
    let waiting = sim.edge_policy_counts(0).expect("edge").waiting;
    assert!(waiting > 100, "a line builds up behind one place: {waiting}");

    let mut no_wait = s.edges[0].clone();
    no_wait.bulkhead_wait_ms = None;
    assert_eq!(sim.update_edge(0, &no_wait), LiveUpdate::Applied);
    assert_eq!(sim.edge_policy_counts(0).expect("edge").waiting, 0);
    sim.run_until(SimTime::from_secs(5.001));
    let refused = sim.edge_policy_counts(0).expect("edge").bulkhead_full;
    assert!(refused >= u64::from(waiting), "every call in line turned away: {refused} of {waiting}");

    let mut waiting_again = no_wait.clone();
    waiting_again.bulkhead_wait_ms = Some(60_000.0);
    assert_eq!(sim.update_edge(0, &waiting_again), LiveUpdate::Applied);
    sim.run_until(SimTime::from_secs(10.0));
    let waiting = sim.edge_policy_counts(0).expect("edge").waiting;
    assert!(waiting > 100, "{waiting}");
    let mut uncapped = waiting_again.clone();
    uncapped.max_concurrent = None;
    uncapped.bulkhead_wait_ms = None;
    assert_eq!(sim.update_edge(0, &uncapped), LiveUpdate::Applied);
    let counts = sim.edge_policy_counts(0).expect("edge");
    assert_eq!(counts.waiting, 0, "the line is gone");
    assert!(counts.in_flight > waiting, "and every call in it was sent: {} in flight", counts.in_flight);
}

/// A timeout on an edge out of a service: `api` stops waiting for `slow`
/// after 20 ms and fails the request as its own "timeout"; `slow` is not
/// told and finishes every call, whose answers come back late (issue 8).
#[test]
fn an_edge_timeout_fails_the_call_at_the_caller_and_the_callee_still_works() {
    let mut s = scenario(
        "edge-timeout",
        31,
        1.0,
        vec![
            poisson_client("users", 20.0),
            service("api", 100, None, constant(1.0)),
            service("slow", 100, None, constant(100.0)),
        ],
        &[("users", "api"), ("api", "slow")],
    );
    s.edges[1].timeout_ms = Some(20.0);
    let sim = run(&s, 30.0);
    let api = sim.node_totals(1).expect("api");
    let slow = sim.node_totals(2).expect("slow");
    assert!(api.failures.timeout > 400, "api times out its calls: {:?}", api.failures);
    assert_eq!(api.ok, 0, "no call to slow comes back within 20 ms");
    assert!(
        slow.ok >= api.failures.timeout - 5,
        "slow finishes the work for nobody: {} vs {}",
        slow.ok,
        api.failures.timeout
    );
    let report = sim.report();
    let edge = &report.edges[1];
    assert_eq!(edge.timeouts, api.failures.timeout, "the edge counts the same timeouts");
    assert!(edge.late_answers >= edge.timeouts - 5, "their answers come late: {edge:?}");
    assert_eq!(edge.stats.failed, edge.timeouts, "a late answer is not counted as a second failure");
}

/// A retry on a load balancer's edges picks a target again, avoiding the
/// one that just failed (as Envoy's `previous_hosts` predicate does): with
/// one of two targets crashed and the health check not yet aware, the
/// first try may reach the dead one and the retry always the live one, so
/// users see no failure at all (issue 8).
#[test]
fn a_load_balancer_retry_goes_to_a_target_again_and_hides_a_dead_one() {
    let lb = node(
        "lb",
        NodeKind::LoadBalancer(LoadBalancerSpec {
            policy: LbPolicy::RoundRobin,
            health_check_delay_s: 1_000.0,
            ..Default::default()
        }),
    );
    let mut s = scenario(
        "lb-retry",
        32,
        1.0,
        vec![
            poisson_client("users", 100.0),
            lb,
            service("a", 8, None, exp_ms(2.0)),
            service("b", 8, None, exp_ms(2.0)),
        ],
        &[("users", "lb"), ("lb", "a"), ("lb", "b")],
    );
    s.faults.push(FaultSpec::Crash { node: "b".into(), at_s: 5.0, restore_s: None });
    let without = run(&s, 30.0);
    let retry = RetryPolicy {
        max_attempts: 2,
        backoff_ms: 1.0,
        multiplier: 2.0,
        max_backoff_ms: 10.0,
        jitter: 0.0,
        budget: None,
    };
    s.edges[1].retry = Some(retry.clone());
    s.edges[2].retry = Some(retry);
    let with = run(&s, 30.0);
    let failed = |sim: &Simulation| sim.node_totals(0).map_or(0, |t| t.failures.local() + t.failures.downstream);
    assert!(failed(&without) > 1_000, "round robin sends half to the dead target: {}", failed(&without));
    assert_eq!(failed(&with), 0, "each failed try goes round to the live target");
    let report = with.report();
    let to_b = &report.edges[2];
    assert!(to_b.retries > 0 || report.edges[1].retries > 0, "retries are counted on the edges");
    assert_eq!(report.edges[1].retries + to_b.retries, to_b.stats.failed, "every failure at b was retried once");
}

/// A retry budget holds retries to a share of recent first tries: against
/// a dead dependency, `api` with a budget of 10 % sends 1.1 calls per
/// request instead of 3, and the failed tries it could not retry are
/// counted as denied (issue 8).
#[test]
fn a_retry_budget_denies_retries_beyond_its_share() {
    let mut s = scenario(
        "budget",
        33,
        1.0,
        vec![
            poisson_client("users", 100.0),
            service("api", 100, None, constant(1.0)),
            service("dead", 100, None, constant(1.0)),
        ],
        &[("users", "api"), ("api", "dead")],
    );
    s.faults.push(FaultSpec::Crash { node: "dead".into(), at_s: 0.0, restore_s: None });
    s.edges[1].retry =
        Some(RetryPolicy { budget: Some(RetryBudget { ratio: 0.1, min_per_s: 0.0 }), ..fixed_retry(3, 1.0) });
    let sim = run(&s, 60.0);
    let report = sim.report();
    let edge = &report.edges[1];
    let api = sim.node_totals(1).expect("api");
    let per_request = edge.stats.sent as f64 / api.arrivals as f64;
    assert!((per_request - 1.1).abs() < 0.02, "1 + 10 %: {per_request}");
    assert!(edge.retries_denied > 4_000, "most failures are not retried: {edge:?}");
    assert_eq!(
        api.failures.retries_exhausted + edge.retries_denied,
        api.failures.local() + api.failures.downstream,
        "every failed request either used all its tries or was denied a retry"
    );
}

/// A caller that crashes while it waits out a backoff before a retry does
/// not retry afterwards, and nothing is left behind (issue 8).
#[test]
fn a_caller_crashed_during_a_backoff_does_not_retry() {
    let mut s = scenario(
        "crash-in-backoff",
        34,
        1.0,
        vec![
            poisson_client("users", 50.0),
            service("api", 100, None, constant(1.0)),
            service("dead", 10, None, constant(1.0)),
        ],
        &[("users", "api"), ("api", "dead")],
    );
    s.faults.push(FaultSpec::Crash { node: "dead".into(), at_s: 0.0, restore_s: None });
    s.faults.push(FaultSpec::Crash { node: "api".into(), at_s: 10.0, restore_s: Some(11.0) });
    s.edges[1].retry = Some(fixed_retry(5, 500.0));
    let mut sim = run(&s, 10.9);
    let sent_at_crash = sim.report().edges[1].stats.sent;
    sim.run_until(SimTime::from_secs(10.99));
    assert_eq!(sim.report().edges[1].stats.sent, sent_at_crash, "nothing is resent while api is down");
    sim.run_until(SimTime::from_secs(30.0));
    let api = sim.node_totals(1).expect("api");
    assert!(api.failures.node_down > 0, "the calls in backoff failed with the crash: {:?}", api.failures);
}

/// An edge's timeout and retry change while the run goes on.
#[test]
fn an_edge_policy_applies_live() {
    let s = scenario(
        "live-policy",
        35,
        1.0,
        vec![
            poisson_client("users", 50.0),
            service("api", 100, None, constant(1.0)),
            service("slow", 100, None, constant(50.0)),
        ],
        &[("users", "api"), ("api", "slow")],
    );
    let mut sim = run(&s, 5.0);
    assert_eq!(sim.node_totals(1).map(|t| t.failures.timeout), Some(0));
    let mut edge = s.edges[1].clone();
    edge.timeout_ms = Some(10.0);
    assert_eq!(sim.update_edge(1, &edge), LiveUpdate::Applied);
    sim.run_until(SimTime::from_secs(10.0));
    assert!(sim.node_totals(1).is_some_and(|t| t.failures.timeout > 100), "calls time out once the timeout is set");
    edge.timeout_ms = None;
    assert_eq!(sim.update_edge(1, &edge), LiveUpdate::Applied);
    let before = sim.report().edges[1].timeouts;
    sim.run_until(SimTime::from_secs(15.0));
    assert_eq!(sim.report().edges[1].timeouts, before, "and stop when it is removed");
}

/// The sentences of the engine's log, for breaker tests.
fn logged(sim: &Simulation) -> Vec<String> {
    sim.events_since(0).0.map(|e| e.what.clone()).collect()
}

/// A breaker on the call to a database that dies for ten seconds: it
/// opens after its window fills with failures, fails calls fast at the
/// caller ("breaker open") instead of sending them, probes when its open
/// time is over, and closes once the database answers again (issue 8).
#[test]
fn a_breaker_opens_on_a_dead_dependency_fails_fast_and_closes_when_it_recovers() {
    let mut s = scenario(
        "breaker",
        36,
        1.0,
        vec![
            poisson_client("users", 200.0),
            service("api", 100, None, constant(1.0)),
            service("db", 100, None, constant(2.0)),
        ],
        &[("users", "api"), ("api", "db")],
    );
    s.faults.push(FaultSpec::Crash { node: "db".into(), at_s: 10.0, restore_s: Some(20.0) });
    s.edges[1].breaker = Some(BreakerSpec {
        failure_rate: 0.5,
        window: BreakerWindow::Calls(20),
        min_calls: 10,
        open_s: 2.0,
        probes: 3,
    });
    let mut sim = run(&s, 15.0);
    assert_eq!(sim.edge_breaker_state(1), Some(BreakerState::Open), "open while the database is down");
    let at_15 = sim.node_totals(2).expect("db").arrivals;
    sim.run_until(SimTime::from_secs(19.0));
    let reached = sim.node_totals(2).expect("db").arrivals - at_15;
    assert!(reached <= 2 * 3, "only probes reach the dead database: {reached} calls in 4 s");
    sim.run_until(SimTime::from_secs(30.0));
    assert_eq!(sim.edge_breaker_state(1), Some(BreakerState::Closed), "closed again once the probes succeed");
    let report = sim.report();
    let edge = &report.edges[1];
    let api = sim.node_totals(1).expect("api");
    assert!(edge.breaker_open > 1_000, "most calls in the outage failed fast: {edge:?}");
    assert_eq!(api.failures.breaker_open, edge.breaker_open, "counted at the caller as its own failure");
    assert!(edge.breaker_trips >= 2, "opened, and opened again after failed probes: {edge:?}");
    let log = logged(&sim);
    assert!(log.iter().any(|l| l.starts_with("api → db: breaker opened")), "{log:?}");
    assert!(log.iter().any(|l| l.contains("breaker half-open")), "{log:?}");
    assert!(log.iter().any(|l| l.contains("breaker closed")), "{log:?}");
    let late = sim.node_totals(0).expect("users");
    assert!(late.ok > 3_800, "before and after the outage users are served (200/s × 20 s): {}", late.ok);
}

/// A client's own requests through a breaker on its edge: a refusal by an
/// open breaker is not retried (the breaker says the dependency is down),
/// so the retry policy does not turn fail-fast into more load (issue 8).
#[test]
fn a_refusal_by_an_open_breaker_is_not_retried() {
    let mut users = poisson_client("users", 100.0);
    if let NodeKind::Client(c) = &mut users.kind {
        c.retry = Some(fixed_retry(3, 1.0));
    }
    let mut s =
        scenario("breaker-no-retry", 37, 1.0, vec![users, service("db", 10, None, constant(1.0))], &[("users", "db")]);
    s.faults.push(FaultSpec::Crash { node: "db".into(), at_s: 0.0, restore_s: None });
    s.edges[0].breaker = Some(BreakerSpec { open_s: 100.0, ..BreakerSpec::default() });
    let sim = run(&s, 20.0);
    let report = sim.report();
    let users = &report.nodes[0];
    let attempts = users.attempts.expect("a client counts attempts");
    assert!(users.stats.failures.breaker_open > 1_500, "{:?}", users.stats.failures);
    assert!(
        attempts.sent < users.stats.arrivals + 30,
        "no retries after it opened: {} attempts for {} requests",
        attempts.sent,
        users.stats.arrivals
    );
}

/// A fallback on the call to a dead recommendations service: `api`
/// answers with a made-up default (5 ms) instead of failing, so users see
/// degraded answers, not errors, counted apart from ok everywhere (issue 8).
#[test]
fn a_fallback_turns_a_dead_dependency_into_degraded_answers() {
    let mut s = scenario(
        "fallback",
        38,
        1.0,
        vec![
            poisson_client("users", 100.0),
            service("api", 100, None, constant(1.0)),
            service("recs", 100, None, constant(1.0)),
        ],
        &[("users", "api"), ("api", "recs")],
    );
    s.faults.push(FaultSpec::Crash { node: "recs".into(), at_s: 10.0, restore_s: Some(20.0) });
    s.edges[1].fallback = Some(FallbackSpec::Respond { latency: Some(constant(5.0)) });
    let sim = run(&s, 30.0);
    let report = sim.report();
    let users = &report.end_to_end;
    assert_eq!(users.failed, 0, "no user sees a failure: {:?}", users.failures);
    assert!((900..=1_100).contains(&users.degraded), "the outage's 10 s are degraded: {}", users.degraded);
    assert!(users.ok > 1_800, "the rest is ok: {}", users.ok);
    assert_eq!(report.edges[1].fallbacks, users.degraded, "each degraded answer came from the edge's fallback");
    let api = sim.node_totals(1).expect("api");
    assert_eq!(api.degraded, users.degraded, "api answered them degraded");
    assert_eq!(api.failures.downstream, 0);
    assert!((users.degraded_ratio - users.degraded as f64 / users.arrivals as f64).abs() < 0.01);
    // A degraded answer takes the fallback's 5 ms on top of api's 1 ms.
    assert!(users.latency.max_ms >= 6.0, "{:?}", users.latency);
}

/// A degraded answer from the first of two calls makes the whole request
/// degraded even though the second call succeeds; a cache does not keep
/// a fallback's answer as if it were the value (issue 8).
#[test]
fn one_degraded_call_makes_the_request_degraded() {
    let mut s = scenario(
        "fallback-chain",
        39,
        1.0,
        vec![
            poisson_client("users", 50.0),
            service("api", 100, None, constant(1.0)),
            service("profile", 100, None, constant(1.0)),
            service("orders", 100, None, constant(1.0)),
        ],
        &[("users", "api"), ("api", "profile"), ("api", "orders")],
    );
    s.faults.push(FaultSpec::Crash { node: "profile".into(), at_s: 0.0, restore_s: None });
    s.edges[1].fallback = Some(FallbackSpec::Respond { latency: None });
    let sim = run(&s, 20.0);
    let e2e = sim.report().end_to_end;
    assert_eq!(e2e.ok, 0, "every request had a made-up profile");
    assert!(e2e.degraded > 900, "{e2e:?}");
    let orders = sim.node_totals(3).expect("orders");
    assert_eq!(orders.ok, e2e.degraded, "orders was still called, and answered");
}

/// `ServeStale` on a cache's edge to its store: while the store is down,
/// keys the cache held (even expired) are answered from the stale copy,
/// degraded; keys it never held fail as before (issue 8).
#[test]
fn a_cache_serves_stale_copies_while_its_store_is_down() {
    let mut users = poisson_client("users", 200.0);
    if let NodeKind::Client(c) = &mut users.kind {
        c.keys = Some(KeySpec { keyspace: 1_000, zipf_exponent: 1.0 });
    }
    let cache = node(
        "cache",
        NodeKind::Cache(CacheSpec {
            mode: CacheMode::Lru { capacity: 10_000, ttl_s: Some(1.0) },
            ..CacheSpec::default()
        }),
    );
    let mut s = scenario(
        "stale",
        40,
        1.0,
        vec![users, cache, database("db", 20, constant(2.0))],
        &[("users", "cache"), ("cache", "db")],
    );
    s.faults.push(FaultSpec::Crash { node: "db".into(), at_s: 20.0, restore_s: Some(30.0) });
    let without = run(&s, 30.0).report().end_to_end;
    s.edges[1].fallback = Some(FallbackSpec::ServeStale);
    let sim = run(&s, 30.0);
    let with = sim.report().end_to_end;
    assert!(without.failed > 500, "without it the outage's misses fail: {without:?}");
    assert!(with.degraded > 500, "stale copies answer most of them: {with:?}");
    assert!(
        with.failed > 0 && with.failed < without.failed / 3,
        "keys never cached still fail: {} vs {}",
        with.failed,
        without.failed
    );
    assert_eq!(sim.report().edges[1].fallbacks, with.degraded);
}

/// A fallback behind a breaker: while the breaker is open, the calls it
/// refuses are answered by the fallback too, so the user sees degraded
/// answers at once instead of errors (issue 8).
#[test]
fn an_open_breaker_sends_its_refusals_to_the_fallback() {
    let mut s = scenario(
        "breaker-fallback",
        41,
        1.0,
        vec![
            poisson_client("users", 100.0),
            service("api", 100, None, constant(1.0)),
            service("dead", 10, None, constant(1.0)),
        ],
        &[("users", "api"), ("api", "dead")],
    );
    s.faults.push(FaultSpec::Crash { node: "dead".into(), at_s: 0.0, restore_s: None });
    s.edges[1].breaker = Some(BreakerSpec::default());
    s.edges[1].fallback = Some(FallbackSpec::Respond { latency: None });
    let sim = run(&s, 20.0);
    let report = sim.report();
    assert_eq!(report.end_to_end.failed, 0);
    assert!(report.edges[1].breaker_open > 1_500, "{:?}", report.edges[1]);
    assert_eq!(report.edges[1].fallbacks, report.end_to_end.degraded);
}

/// A service fanning out to three leaves, one of which always errors:
/// waiting for all, every request fails (at the first failure); waiting
/// for the first success or a quorum of 2, none does; the answers nobody
/// waits for any more come back late (issue 8).
#[test]
fn a_fan_out_fails_or_succeeds_by_what_it_waits_for() {
    let build = |wait_for: WaitFor| {
        let mut root = service("api", 100, None, constant(1.0));
        if let NodeKind::Service(spec) = &mut root.kind {
            spec.calls = CallOrder::Parallel { wait_for };
        }
        let mut broken = service("c", 100, None, constant(1.0));
        if let NodeKind::Service(spec) = &mut broken.kind {
            spec.error_probability = 1.0;
        }
        let s = scenario(
            "fan-out",
            42,
            1.0,
            vec![
                poisson_client("users", 100.0),
                root,
                service("a", 100, None, constant(2.0)),
                service("b", 100, None, constant(3.0)),
                broken,
            ],
            &[("users", "api"), ("api", "a"), ("api", "b"), ("api", "c")],
        );
        run(&s, 20.0)
    };
    let all = build(WaitFor::All);
    let e2e = all.report().end_to_end;
    assert_eq!(e2e.ok, 0, "one leaf always fails: {e2e:?}");
    assert!(e2e.failed > 1_800);
    let report = all.report();
    assert!(report.edges[1].late_answers > 1_800, "a's answers come after the request failed: {:?}", report.edges[1]);
    for wait_for in [WaitFor::First, WaitFor::Quorum(2)] {
        let sim = build(wait_for);
        let e2e = sim.report().end_to_end;
        assert_eq!(e2e.failed, 0, "{wait_for:?}: {e2e:?}");
        // The first answer takes a's 2 ms; a quorum of 2 waits for b's 3 ms.
        let expected = if wait_for == WaitFor::First { 3.0 } else { 4.0 };
        assert!((e2e.latency.p50_ms - expected).abs() < 0.1, "{wait_for:?}: p50 {}", e2e.latency.p50_ms);
    }
}

/// A timeout with a fallback on each leaf of a fan-out: a slow leaf is
/// cut off and answered degraded, so the fan-out waits at most the
/// timeout (issue 8).
#[test]
fn a_timeout_and_fallback_cap_a_fan_out_at_its_timeout() {
    let mut root = service("api", 100, None, constant(1.0));
    if let NodeKind::Service(spec) = &mut root.kind {
        spec.calls = CallOrder::Parallel { wait_for: WaitFor::All };
    }
    let mut s = scenario(
        "fan-out-timeout",
        43,
        1.0,
        vec![
            poisson_client("users", 100.0),
            root,
            service("fast", 100, None, constant(2.0)),
            service("slow", 200, None, constant(500.0)),
        ],
        &[("users", "api"), ("api", "fast"), ("api", "slow")],
    );
    s.edges[2].timeout_ms = Some(50.0);
    s.edges[2].fallback = Some(FallbackSpec::Respond { latency: None });
    let sim = run(&s, 20.0);
    let e2e = sim.report().end_to_end;
    assert_eq!(e2e.failed, 0);
    assert!(e2e.degraded > 1_800, "{e2e:?}");
    assert!(e2e.latency.max_ms < 52.0, "capped at the timeout: {:?}", e2e.latency);
}

/// A load balancer hedging over two replicas, one of which a fault slows
/// 50×: a call still unanswered after 30 ms gets a copy on the other
/// replica, which answers first, so the slow replica no longer sets the
/// tail (issue 8).
#[test]
fn a_load_balancer_hedge_goes_to_the_other_replica_and_cuts_the_tail() {
    let lb =
        node("lb", NodeKind::LoadBalancer(LoadBalancerSpec { policy: LbPolicy::RoundRobin, ..Default::default() }));
    let mut s = scenario(
        "hedge-lb",
        44,
        1.0,
        vec![
            poisson_client("users", 100.0),
            lb,
            service("a", 100, None, constant(5.0)),
            service("b", 100, None, constant(5.0)),
        ],
        &[("users", "lb"), ("lb", "a"), ("lb", "b")],
    );
    s.faults.push(FaultSpec::Slow { node: "b".into(), factor: 50.0, from_s: 0.0, to_s: 1_000.0 });
    let without = run(&s, 30.0).report().end_to_end;
    for e in &mut s.edges[1..] {
        e.hedge = Some(HedgeSpec { delay_ms: 30.0 });
    }
    let sim = run(&s, 30.0);
    let with = sim.report();
    assert!(without.latency.p99_ms > 240.0, "half the calls wait 250 ms on b: {:?}", without.latency);
    assert!(with.end_to_end.latency.p99_ms < 40.0, "the copy on a answers by 35 ms: {:?}", with.end_to_end.latency);
    let to_b = &with.edges[2];
    let to_a = &with.edges[1];
    assert!(to_b.hedges > 1_000, "calls stuck on b are hedged: {to_b:?}");
    assert!(to_a.hedges_won > 1_000, "and their copies, sent to a, win: {to_a:?}");
    assert_eq!(with.end_to_end.failed, 0);
}

/// A client at a constant `rate` in front of `server`, with optional timeout.
fn paced_client(rate: f64, timeout_ms: Option<f64>) -> archsim::scenario::NodeSpec {
    client_with("c", ClientSpec { arrivals: Arrivals::Constant { rate }, timeout_ms, ..ClientSpec::default() })
}

/// A `Pause` freezes the work in progress and defers the work that starts
/// during it, exactly: at 100 requests/s (one every 10 ms) to workers that
/// each take 100 ms, a 2 s pause from 10.005 s delays the ten requests in
/// service by the whole 2 s and each request arriving at 10.01…12.00 s
/// until 12.005 s, 2.005 − 0.01·k late: 20 + 200 = 220 s in all. Nothing
/// else changes, and the log says when it began and ended.
#[test]
fn a_pause_freezes_work_in_progress_and_work_that_starts_during_it() {
    let mut s = scenario(
        "pause",
        1,
        1.0,
        vec![paced_client(100.0, None), service("s", 1_000, None, constant(100.0))],
        &[("c", "s")],
    );
    s.faults.push(FaultSpec::Pause { node: "s".into(), at_s: 10.005, duration_s: 2.0 });
    let sim = run(&s, 30.0);
    let e2e = sim.end_to_end_totals();
    assert_eq!(e2e.failed, 0);
    let ok = e2e.ok as f64;
    let extra_s = e2e.latency.mean_ms * ok / 1_000.0 - 0.1 * ok;
    assert!((extra_s - 220.0).abs() < 1e-6, "{extra_s} s of delay added, expected 220");
    assert!(
        (e2e.latency.max_ms - 2_100.0).abs() <= 2.1,
        "the longest: 100 ms of work + 2 s frozen, got {}",
        e2e.latency.max_ms
    );
    let first = &sim.series().frames()[0].end_to_end;
    assert!((first.latency.mean_ms - 100.0).abs() < 1e-6, "untouched before the pause: {first:?}");
    let log: Vec<&str> = sim.event_log().iter().map(|e| e.what.as_str()).collect();
    assert!(
        log.contains(&"s paused (stop the world) for 2 s") && log.contains(&"s resumes after a 2 s pause"),
        "{log:?}"
    );
    let at: Vec<f64> = sim.event_log().iter().map(|e| e.at.as_secs()).collect();
    assert_eq!(at, [10.005, 12.005]);
}

/// A paused node reads no answer: a database's answer that reaches the
/// paused API waits until the pause ends. One user (a request every
/// 1.101 s: 1 ms at the API, 100 ms at the database, 1 s of thought)
/// sends its second request at 2.101 s; the answer is back at the API at
/// 2.202 s, inside the pause from 2.15 s to 3.15 s, so the user has it at
/// 3.15 s, 1.049 s after asking. Every other request takes 101 ms.
#[test]
fn a_paused_node_reads_answers_only_when_its_pause_ends() {
    let mut s = scenario(
        "pause answers",
        1,
        1.0,
        vec![
            closed_client("c", 1, constant(1_000.0)),
            service("api", 1, None, constant(1.0)),
            node(
                "db",
                NodeKind::Database(DatabaseSpec {
                    connections: 1,
                    query_time: constant(100.0),
                    ..DatabaseSpec::default()
                }),
            ),
        ],
        &[("c", "api"), ("api", "db")],
    );
    s.faults.push(FaultSpec::Pause { node: "api".into(), at_s: 2.15, duration_s: 1.0 });
    let sim = run(&s, 20.0);
    let e2e = sim.end_to_end_totals();
    assert!(e2e.ok >= 15, "{e2e:?}");
    assert!((e2e.latency.max_ms - 1_049.0).abs() <= 1.1, "held until the pause ended: {}", e2e.latency.max_ms);
    let others_ms = (e2e.latency.mean_ms * e2e.ok as f64 - 1_049.0) / (e2e.ok - 1) as f64;
    assert!((others_ms - 101.0).abs() < 1e-6, "every other request takes 101 ms, got {others_ms}");
    let db = sim.node_totals(2).expect("db");
    assert!((db.latency.max_ms - 100.0).abs() < 0.1, "the database itself was never paused: {}", db.latency.max_ms);
}

/// Callers' clocks keep running while the node is frozen: at 100
/// requests/s with a 300 ms timeout and 10 ms of work, a 2 s pause from
/// 10.005 s times out the request in service at 10.00 s and every one that
/// arrives before 11.715 s (it would be answered at 12.015 s): 172
/// requests, most of them during the pause. Those arriving in its last
/// 0.3 s are served in time, and every request was accepted.
#[test]
fn callers_time_out_during_a_pause_and_arrivals_still_queue() {
    let mut s = scenario(
        "pause timeouts",
        1,
        1.0,
        vec![paced_client(100.0, Some(300.0)), service("s", 1_000, None, constant(10.0))],
        &[("c", "s")],
    );
    s.faults.push(FaultSpec::Pause { node: "s".into(), at_s: 10.005, duration_s: 2.0 });
    let sim = run(&s, 20.0);
    let e2e = sim.end_to_end_totals();
    assert_eq!(e2e.failures.timeout, 172, "{:?}", e2e.failures);
    assert_eq!(e2e.failed, 172);
    let during: u64 = sim
        .series()
        .frames()
        .iter()
        .filter(|f| f.start_s >= 10.0 && f.end_s <= 12.0)
        .map(|f| f.end_to_end.failures.timeout)
        .sum();
    assert!(during > 150, "{during} timeouts while the server was frozen");
    let server = sim.node_totals(1).expect("server");
    assert_eq!(server.failed, 0, "the frozen server accepted and served everything: {:?}", server.failures);
}

/// Found by review: a half-open breaker counted a probe only when its
/// caller still waited for the answer, so a probe that lost a hedge race
/// was never counted and the breaker stayed half-open for good. Every
/// answer that was not already counted as a timeout now reaches it.
#[test]
fn a_breaker_behind_a_hedge_closes_again_once_its_callee_recovers() {
    let mut s = scenario(
        "hedge-breaker",
        45,
        1.0,
        vec![
            poisson_client("users", 50.0),
            service("api", 500, None, constant(0.001)),
            service("db", 500, None, constant(20.0)),
        ],
        &[("users", "api"), ("api", "db")],
    );
    s.edges[1].hedge = Some(HedgeSpec { delay_ms: 5.0 });
    s.edges[1].breaker = Some(BreakerSpec {
        failure_rate: 0.5,
        window: BreakerWindow::Calls(10),
        min_calls: 10,
        open_s: 1.0,
        probes: 2,
    });
    s.faults.push(FaultSpec::Errors { node: "db".into(), probability: 1.0, from_s: 1.0, to_s: 3.0 });
    let mut sim = run(&s, 10.0);
    assert_eq!(sim.edge_breaker_state(1), Some(BreakerState::Closed));
    let before = sim.node_totals(0).expect("users").ok;
    sim.run_until(SimTime::from_secs(20.0));
    let served = sim.node_totals(0).expect("users").ok - before;
    assert!(served > 450, "served again after the errors stop: {served} in 10 s at 50/s");
}

/// Found by review: an answer to a call its own breaker refused gave back
/// a bulkhead place it never took, so the bulkhead let several times its
/// cap through. The callee now never holds more calls than the cap.
#[test]
fn a_breakers_refusals_leave_the_bulkhead_count_alone() {
    let mut s = scenario(
        "bulkhead-breaker",
        46,
        1.0,
        vec![
            poisson_client("users", 1_000.0),
            service("api", 5_000, None, constant(0.001)),
            service("slow", 5_000, None, constant(2_000.0)),
        ],
        &[("users", "api"), ("api", "slow")],
    );
    s.edges[1].max_concurrent = Some(10);
    s.edges[1].timeout_ms = Some(50.0);
    s.edges[1].breaker = Some(BreakerSpec {
        failure_rate: 0.5,
        window: BreakerWindow::Calls(10),
        min_calls: 10,
        open_s: 0.3,
        probes: 10,
    });
    let sim = run(&s, 4.0);
    let slow = sim.node_totals(2).expect("slow");
    assert!(slow.mean_busy <= 10.0, "never more than the bulkhead's 10 at once: {}", slow.mean_busy);
}

/// Found by review: a timeout shortened while the run goes on fired only
/// once the calls sent under the old, longer one had reached their
/// deadline. The new calls now time out on time.
#[test]
fn a_timeout_shortened_live_applies_to_the_next_calls_at_once() {
    let mut s = scenario(
        "shorter-timeout",
        47,
        1.0,
        vec![
            poisson_client("users", 50.0),
            service("api", 500, None, constant(1.0)),
            service("slow", 500, None, constant(200.0)),
        ],
        &[("users", "api"), ("api", "slow")],
    );
    s.edges[1].timeout_ms = Some(10_000.0);
    let mut sim = run(&s, 2.0);
    let mut edge = s.edges[1].clone();
    edge.timeout_ms = Some(50.0);
    assert_eq!(sim.update_edge(1, &edge), LiveUpdate::Applied);
    sim.run_until(SimTime::from_secs(4.0));
    let timeouts = sim.report().edges[1].timeouts;
    assert!(timeouts > 60, "the calls of the last 2 s time out after 50 ms, not 10 s: {timeouts}");
}

/// Load shedding under overload: at twice its capacity a service without
/// it queues without end and every answer comes later; with
/// `shed_after_ms: 50` the requests that waited too long are dropped when
/// their turn comes, and those served wait at most 50 ms (issue 8).
#[test]
fn shedding_keeps_the_wait_of_served_requests_bounded_under_overload() {
    let build = |shed: Option<f64>| {
        let mut s = scenario(
            "shed",
            48,
            1.0,
            vec![poisson_client("users", 200.0), service("api", 1, None, exp_ms(10.0))],
            &[("users", "api")],
        );
        if let NodeKind::Service(spec) = &mut s.nodes[1].kind {
            spec.shed_after_ms = shed;
        }
        run(&s, 30.0).node_totals(1).expect("api")
    };
    let without = build(None);
    let with = build(Some(50.0));
    assert!(without.latency.p99_ms > 5_000.0, "the line grows for ever: {:?}", without.latency);
    assert!(with.failures.shed > 2_000, "about half is shed: {:?}", with.failures);
    assert!(with.mean_wait_ms <= 50.0, "served requests waited at most 50 ms: {}", with.mean_wait_ms);
    assert!(with.latency.p99_ms < 120.0, "{:?}", with.latency);
    assert!(with.utilisation.unwrap_or(0.0) > 0.95, "the worker stays busy with fresh requests");
}

/// Priority classes under a 2× overload: a critical client (50/s) and a
/// sheddable one (150/s) share a service that serves 100/s with room for
/// 20 waiting. The full line takes critical requests in place of
/// sheddable ones, which are shed, so checkout keeps every request while
/// recommendations get what is left; with both standard, both lose about
/// half (issue 8).
#[test]
fn a_full_line_sheds_sheddable_requests_to_keep_critical_ones() {
    let build = |critical: Priority, sheddable: Priority| {
        let client = |id: &str, rate: f64, priority: Priority| {
            client_with(id, ClientSpec { arrivals: Arrivals::Poisson { rate }, priority, ..ClientSpec::default() })
        };
        let s = scenario(
            "priority-shed",
            49,
            1.0,
            vec![
                client("checkout", 50.0, critical),
                client("recommendations", 150.0, sheddable),
                service("api", 1, Some(20), exp_ms(10.0)),
            ],
            &[("checkout", "api"), ("recommendations", "api")],
        );
        let sim = run(&s, 60.0);
        let ok = |i| sim.node_totals(i).map_or(0.0, |s| s.ok as f64 / s.arrivals.max(1) as f64);
        (ok(0), ok(1), sim.node_totals(2).expect("api"))
    };
    let (checkout, recommendations, api) = build(Priority::Critical, Priority::Sheddable);
    assert!(checkout > 0.99, "critical requests all get through: {checkout}");
    assert!((0.25..0.42).contains(&recommendations), "sheddable ones get the rest, ~1/3: {recommendations}");
    assert!(api.failures.shed > 100, "critical requests pushed sheddable ones out: {:?}", api.failures);
    let (checkout, recommendations, _) = build(Priority::Standard, Priority::Standard);
    assert!(checkout < 0.7 && recommendations < 0.7, "without classes both lose: {checkout} {recommendations}");
}

/// A client with a mix of classes draws each request's class: with a
/// share of critical requests, those push sheddable ones out of a full
/// line (shed), and without any critical share nothing is (issue 8).
#[test]
fn a_client_mix_of_classes_gives_each_request_its_class() {
    let build = |critical: f64| {
        let priority = Priority::Mix { critical, standard: 0.0, sheddable: 1.0 - critical };
        let c = ClientSpec { arrivals: Arrivals::Poisson { rate: 300.0 }, priority, ..ClientSpec::default() };
        let s = scenario(
            "priority-mix",
            50,
            1.0,
            vec![client_with("users", c), service("api", 1, Some(10), exp_ms(10.0))],
            &[("users", "api")],
        );
        run(&s, 30.0).node_totals(1).expect("api")
    };
    let mixed = build(0.2);
    // Critical arrivals (60/s) find the line full most of the time and
    // each pushes one sheddable request out.
    assert!(mixed.failures.shed > 800, "{:?}", mixed.failures);
    assert!(mixed.failures.rejected > mixed.failures.shed, "sheddable arrivals are refused: {:?}", mixed.failures);
    assert_eq!(build(0.0).failures.shed, 0);
}

/// A write retried after a timeout is applied twice at the database
/// (the first try was not cancelled) — a customer charged twice; with
/// idempotency keys the database applies it once (issue 8).
#[test]
fn a_retried_write_is_applied_twice_without_an_idempotency_key() {
    let build = |keys: bool| {
        let c = ClientSpec {
            arrivals: Arrivals::Constant { rate: 10.0 },
            timeout_ms: Some(50.0),
            retry: Some(fixed_retry(2, 0.0)),
            write_fraction: 1.0,
            idempotency_keys: keys,
            ..ClientSpec::default()
        };
        let s = scenario(
            "charge",
            51,
            1.0,
            vec![client_with("shop", c), database("payments", 10, constant(80.0))],
            &[("shop", "payments")],
        );
        run(&s, 10.5).node_totals(1).expect("payments")
    };
    // Every query takes 80 ms > the 50 ms timeout: each charge is tried
    // twice and both tries are applied (about 100 requests whose second
    // write finished in the run, so about 200 writes).
    let plain = build(false);
    assert!((95..=105).contains(&plain.duplicate_writes), "{plain:?}");
    assert_eq!(plain.failed, 0, "no write failed");
    assert_eq!(plain.deduplicated_writes, 0);
    let keyed = build(true);
    assert_eq!((keyed.duplicate_writes, keyed.deduplicated_writes), (0, plain.duplicate_writes), "{keyed:?}");
}

/// Deadline propagation under overload: users who give up after 200 ms
/// send twice what a service can serve, through a balancer, into an
/// unbounded line. Without deadlines the service works through requests
/// nobody waits for and almost every answer comes too late; dropping
/// them when their turn comes keeps it serving requests in time, at about
/// its capacity (issue 8).
#[test]
fn dropping_expired_work_keeps_an_overloaded_service_answering_in_time() {
    let build = |drop_expired: bool| {
        let users = client_with(
            "users",
            ClientSpec {
                arrivals: Arrivals::Poisson { rate: 200.0 },
                timeout_ms: Some(200.0),
                ..ClientSpec::default()
            },
        );
        let mut s = scenario(
            "deadline",
            52,
            1.0,
            vec![
                users,
                node("lb", NodeKind::LoadBalancer(LoadBalancerSpec::default())),
                service("api", 1, None, exp_ms(10.0)),
            ],
            &[("users", "lb"), ("lb", "api")],
        );
        if let NodeKind::Service(spec) = &mut s.nodes[2].kind {
            spec.drop_expired = drop_expired;
        }
        let sim = run(&s, 30.0);
        (sim.node_totals(0).expect("users"), sim.node_totals(2).expect("api"))
    };
    let (users, _) = build(false);
    assert!(users.ok < 500, "answers come after the users gave up: {} ok", users.ok);
    let (users, api) = build(true);
    // About half of its capacity reaches users in time: a request whose
    // turn comes just before its deadline is served, then answered too late
    // (shedding a little before the timeout, `shed_after_ms`, saves those).
    assert!(users.ok > 1_200, "served in time: {} ok", users.ok);
    assert!(api.failures.deadline_exceeded > 1_500, "{:?}", api.failures);
}

// ----- load-balancer health checks and outlier ejection (issue 8) -----------

/// A round-robin balancer `lb` over targets `a` and `b` (4 workers, 1 ms
/// each), fed by `users` at `rate` requests/s, evenly spaced.
fn balanced_pair(name: &str, seed: u64, rate: f64, lb: LoadBalancerSpec) -> Scenario {
    let users = ClientSpec { arrivals: Arrivals::Constant { rate }, ..ClientSpec::default() };
    scenario(
        name,
        seed,
        1.0,
        vec![
            client_with("users", users),
            node("lb", NodeKind::LoadBalancer(lb)),
            service("a", 4, None, constant(1.0)),
            service("b", 4, None, constant(1.0)),
        ],
        &[("users", "lb"), ("lb", "a"), ("lb", "b")],
    )
}

/// The balancer's log lines about its targets, with their times (s).
fn target_events(sim: &Simulation) -> Vec<(f64, String)> {
    sim.event_log().iter().filter(|e| e.what.starts_with("lb: ")).map(|e| (e.at.as_secs(), e.what.clone())).collect()
}

fn checks(interval_s: f64, timeout_s: f64, unhealthy_threshold: u32, healthy_threshold: u32) -> HealthCheckSpec {
    HealthCheckSpec { interval_s, timeout_s, unhealthy_threshold, healthy_threshold }
}

#[test]
fn a_health_checked_balancer_stops_sending_to_a_dead_target_after_its_threshold() {
    let lb = LoadBalancerSpec { health_check: Some(checks(1.0, 0.5, 3, 2)), ..LoadBalancerSpec::default() };
    let mut s = balanced_pair("checks", 60, 200.0, lb);
    s.faults.push(FaultSpec::Crash { node: "b".into(), at_s: 10.0, restore_s: Some(20.0) });
    let sim = run(&s, 30.0);
    let events = target_events(&sim);
    let (marked_at, marked) = events.iter().find(|(_, w)| w.contains("unhealthy")).expect("b is marked unhealthy");
    assert_eq!(marked, "lb: b marked unhealthy after 3 failed checks");
    // The first probe after the crash fails, then two more, each known
    // 0.5 s after it went: between 2.5 s and 3.5 s after the crash.
    assert!((12.5..=13.5).contains(marked_at), "marked at {marked_at}");
    let (healthy_at, healthy) = events.iter().find(|(_, w)| w.contains("healthy again")).expect("b comes back");
    assert_eq!(healthy, "lb: b healthy again after 2 passed checks");
    assert!((21.0..=22.0).contains(healthy_at), "healthy at {healthy_at}");
    let frames = sim.series().frames();
    let b_arrivals = |second: usize| frames[second].nodes[3].arrivals;
    assert!(b_arrivals(11) > 50, "sent to until it is marked");
    assert!((14..20).all(|t| b_arrivals(t) == 0), "nothing once marked unhealthy");
    assert_eq!(b_arrivals(20), 0, "restored, but not yet healthy by its checks");
    assert!(b_arrivals(23) > 50, "traffic again once healthy");
    let health = sim.report().nodes[1].balancer.clone().expect("a balancer's report");
    assert_eq!(health.marked_unhealthy, 1);
    assert!((10..=12).contains(&health.checks_failed), "one failed probe a second while down: {health:?}");
    assert_eq!(health.checks, 2 * 30, "two targets probed every second for 30 s: {health:?}");
    assert!(health.unhealthy_at_end.is_empty());
}

/// A probe fails only when its answer does not come within the timeout: a
/// stop-the-world pause longer than the timeout fails the probes sent
/// during it; a shorter one delays their answers and fails none.
#[test]
fn health_checks_fail_a_paused_target_only_when_the_pause_outlasts_their_timeout() {
    let lb = LoadBalancerSpec { health_check: Some(checks(1.0, 0.5, 2, 1)), ..LoadBalancerSpec::default() };
    let mut s = balanced_pair("paused", 61, 100.0, lb);
    s.faults.push(FaultSpec::Pause { node: "a".into(), at_s: 5.0, duration_s: 0.3 });
    s.faults.push(FaultSpec::Pause { node: "b".into(), at_s: 10.0, duration_s: 5.0 });
    let sim = run(&s, 20.0);
    let events = target_events(&sim);
    assert!(!events.iter().any(|(_, w)| w.starts_with("lb: a")), "a short pause fails no probe: {events:?}");
    let marked = events.iter().find(|(_, w)| w == "lb: b marked unhealthy after 2 failed checks");
    assert!(marked.is_some_and(|(at, _)| (11.5..=12.5).contains(at)), "{events:?}");
    let back = events.iter().find(|(_, w)| w == "lb: b healthy again after 1 passed check");
    assert!(back.is_some_and(|(at, _)| (15.0..=16.0).contains(at)), "{events:?}");
}

#[test]
fn outlier_ejection_removes_a_failing_target_for_a_growing_time() {
    let ejection = OutlierEjectionSpec { consecutive_failures: 5, base_ejection_s: 2.0, max_ejected_percent: 50 };
    let lb = LoadBalancerSpec { outlier_ejection: Some(ejection), ..LoadBalancerSpec::default() };
    let mut s = balanced_pair("ejection", 62, 100.0, lb);
    if let NodeKind::Service(b) = &mut s.nodes[3].kind {
        b.error_probability = 1.0;
    }
    let sim = run(&s, 30.0);
    let events = target_events(&sim);
    let ejected: Vec<&(f64, String)> = events.iter().filter(|(_, w)| w.contains("ejected")).collect();
    let back: Vec<f64> = events.iter().filter(|(_, w)| w.contains("back from ejection")).map(|(at, _)| *at).collect();
    assert!(ejected.len() >= 4, "{events:?}");
    for (k, (at, what)) in ejected.iter().enumerate() {
        let length = 2.0 * (k + 1) as f64;
        assert_eq!(*what, format!("lb: b ejected for {length} s after 5 failures in a row"));
        if let Some(returned) = back.get(k) {
            assert!((returned - at - length).abs() < 1e-9, "ejection {k} lasted {}", returned - at);
        }
    }
    // Exactly 5 failures per ejection, and at most 4 more since the last.
    let b = sim.node_totals(3).expect("b");
    let failures = b.failures.error;
    let ejections = sim.report().nodes[1].balancer.clone().expect("lb").ejections;
    assert_eq!(ejections as usize, ejected.len());
    assert!(failures >= 5 * ejections && failures < 5 * (ejections + 1), "{failures} failures, {ejections} ejections");
    // `a` takes the rest: every request but b's few succeeds.
    assert_eq!(sim.end_to_end_totals().failed, failures);
}

#[test]
fn outlier_ejection_never_ejects_more_than_its_share_but_always_one() {
    let ejection = OutlierEjectionSpec { consecutive_failures: 3, base_ejection_s: 1.0, max_ejected_percent: 10 };
    let lb = LoadBalancerSpec { outlier_ejection: Some(ejection), ..LoadBalancerSpec::default() };
    let mut s = balanced_pair("share", 63, 100.0, lb);
    for i in [2, 3] {
        if let NodeKind::Service(t) = &mut s.nodes[i].kind {
            t.error_probability = 1.0;
        }
    }
    let sim = run(&s, 20.0);
    let mut out = 0i32;
    let mut most = 0;
    for (_, what) in target_events(&sim) {
        if what.contains(" ejected for ") {
            out += 1;
        } else if what.contains("back from ejection") {
            out -= 1;
        }
        most = most.max(out);
    }
    assert_eq!(most, 1, "10 % of two targets is none, but one may always be ejected");
    assert!(sim.report().nodes[1].balancer.clone().expect("lb").ejections >= 3);
    assert_eq!(sim.node_totals(1).expect("lb").failures.node_down, 0, "the balancer always had a target");
}

/// The classic case for outlier ejection: a target that is up, so its
/// health checks pass, but fails every request. The checks never take it
/// out; ejection does, after a few requests.
#[test]
fn outlier_ejection_catches_a_target_that_passes_its_health_checks() {
    let failures_with = |ejection: Option<OutlierEjectionSpec>| {
        let lb = LoadBalancerSpec {
            health_check: Some(checks(1.0, 0.5, 2, 2)),
            outlier_ejection: ejection,
            ..LoadBalancerSpec::default()
        };
        let mut s = balanced_pair("classic", 64, 100.0, lb);
        s.faults.push(FaultSpec::Errors { node: "b".into(), from_s: 5.0, to_s: 25.0, probability: 1.0 });
        let sim = run(&s, 30.0);
        let health = sim.report().nodes[1].balancer.clone().expect("lb");
        assert_eq!(health.marked_unhealthy, 0, "b answers its probes: it is up");
        sim.end_to_end_totals().failed
    };
    let without = failures_with(None);
    let with = failures_with(Some(OutlierEjectionSpec {
        consecutive_failures: 5,
        base_ejection_s: 5.0,
        max_ejected_percent: 50,
    }));
    assert!((990..=1_010).contains(&without), "half of 20 s at 100/s: {without}");
    assert!(with <= 20, "5 failures per ejection, 3 ejections in 20 s: {with}");
}

/// Behind an edge with a timeout and a retry, the balancer hears each
/// timeout from the slow target as it happens, before its retry sends the
/// request elsewhere: the requests succeed and the slow target is ejected.
#[test]
fn outlier_ejection_counts_the_timeouts_a_balancer_retries() {
    let ejection = OutlierEjectionSpec { consecutive_failures: 3, base_ejection_s: 100.0, max_ejected_percent: 50 };
    let lb = LoadBalancerSpec { outlier_ejection: Some(ejection), ..LoadBalancerSpec::default() };
    let mut s = balanced_pair("timeouts", 65, 100.0, lb);
    s.nodes[3] = service("b", 100, None, constant(1_000.0));
    for e in &mut s.edges[1..] {
        e.timeout_ms = Some(50.0);
        e.retry = Some(fixed_retry(2, 0.0));
    }
    let sim = run(&s, 10.0);
    let report = sim.report();
    assert_eq!(report.nodes[1].balancer.as_ref().map(|b| b.ejections), Some(1));
    assert_eq!(report.nodes[1].balancer.as_ref().map(|b| b.ejected_at_end.clone()), Some(vec!["b".to_string()]));
    // The third timeout is known 50 ms after its call: the calls sent to b
    // meanwhile (about one in two, every 20 ms) are the last it gets.
    let b = sim.node_totals(3).expect("b").arrivals;
    assert!((3..=6).contains(&b), "three calls timed out, then none was sent once it was known: {b}");
    assert_eq!(sim.end_to_end_totals().failed, 0, "each retried on a");
    // The app draws the balancer's edge to b as taken out, and only that one.
    assert_eq!(sim.balancer_target_out(2), Some(TargetOut::Ejected));
    assert_eq!(sim.balancer_target_out(1), None, "a is in");
    assert_eq!(sim.balancer_target_out(0), None, "not a balancer's edge");
}

/// A crashed target is marked down once its health checks have failed
/// enough, and back in once they pass again: what the app draws on the
/// balancer's edge to it.
#[test]
fn a_crashed_target_is_marked_down_by_its_balancer_until_its_checks_pass() {
    let lb = LoadBalancerSpec { health_check: Some(checks(1.0, 0.5, 2, 1)), ..LoadBalancerSpec::default() };
    let mut s = balanced_pair("marked-down", 66, 100.0, lb);
    s.faults.push(FaultSpec::Crash { node: "b".into(), at_s: 5.0, restore_s: Some(10.0) });
    let mut sim = Simulation::new(&s).expect("valid");
    sim.run_until(SimTime::from_secs(5.1));
    assert_eq!(sim.balancer_target_out(2), None, "just crashed: no check has failed yet");
    sim.run_until(SimTime::from_secs(9.0));
    assert_eq!(sim.balancer_target_out(2), Some(TargetOut::MarkedDown));
    sim.run_until(SimTime::from_secs(13.0));
    assert_eq!(sim.balancer_target_out(2), None, "restored and checked again");
}

#[test]
fn health_checks_and_ejection_are_switched_on_and_off_live() {
    let s = balanced_pair("live", 66, 100.0, LoadBalancerSpec::default());
    let mut sim = run(&s, 5.0);
    // On: checks, and ejection of a target that fails.
    let mut on = LoadBalancerSpec {
        health_check: Some(checks(1.0, 0.5, 2, 1)),
        outlier_ejection: Some(OutlierEjectionSpec {
            consecutive_failures: 2,
            base_ejection_s: 1_000.0,
            max_ejected_percent: 50,
        }),
        ..LoadBalancerSpec::default()
    };
    assert_eq!(sim.update_node(1, &NodeKind::LoadBalancer(on.clone())), LiveUpdate::Applied);
    sim.set_error_injection(2, 1.0);
    sim.run_until(SimTime::from_secs(10.0));
    assert_eq!(sim.report().nodes[1].balancer.as_ref().map(|b| b.ejected_at_end.clone()), Some(vec!["a".into()]));
    assert!(sim.report().nodes[1].balancer.as_ref().is_some_and(|b| b.checks >= 8), "probes go out");
    // Off: the ejected target is back at once.
    sim.set_error_injection(2, 0.0);
    on.outlier_ejection = None;
    assert_eq!(sim.update_node(1, &NodeKind::LoadBalancer(on.clone())), LiveUpdate::Applied);
    let before = sim.node_totals(2).expect("a").arrivals;
    sim.run_until(SimTime::from_secs(11.0));
    assert!(sim.node_totals(2).expect("a").arrivals > before + 40, "a is back in the rotation");
    // A new interval: the checks go on at the new pace, once.
    let checks_before = sim.report().nodes[1].balancer.as_ref().map_or(0, |b| b.checks);
    on.health_check = Some(checks(0.5, 0.25, 2, 1));
    assert_eq!(sim.update_node(1, &NodeKind::LoadBalancer(on)), LiveUpdate::Applied);
    sim.run_until(SimTime::from_secs(16.0));
    let sent = sim.report().nodes[1].balancer.as_ref().map_or(0, |b| b.checks) - checks_before;
    assert!((20..=22).contains(&sent), "two targets every 0.5 s for 5 s: {sent}");
    // An invalid change is refused whole.
    let bad = LoadBalancerSpec { health_check: Some(checks(1.0, 2.0, 2, 1)), ..LoadBalancerSpec::default() };
    assert!(matches!(sim.update_node(1, &NodeKind::LoadBalancer(bad)), LiveUpdate::Invalid(_)));
}

#[test]
fn health_checked_runs_are_the_same_for_the_same_seed() {
    let lb = LoadBalancerSpec {
        health_check: Some(checks(0.7, 0.2, 2, 2)),
        outlier_ejection: Some(OutlierEjectionSpec::default()),
        ..LoadBalancerSpec::default()
    };
    let mut s = balanced_pair("seeded", 67, 300.0, lb);
    s.edges[1].latency = Some(exp_ms(50.0));
    s.edges[2].drop_probability = 0.3;
    s.faults.push(FaultSpec::RandomCrashes { node: "a".into(), mtbf_s: 5.0, mttr_s: 3.0 });
    let first = run(&s, 60.0);
    let second = run(&s, 60.0);
    assert_eq!(first.report(), second.report());
    assert_eq!(target_events(&first), target_events(&second));
    assert!(first.report().nodes[1].balancer.as_ref().is_some_and(|b| b.checks_failed > 0));
}

/// A request that writes to one database from two services (each does its
/// own write) is not a duplicate: only the same caller's write again is —
/// with retries configured and nothing retried, none is counted (issue 8).
#[test]
fn two_services_writing_for_one_request_are_not_duplicates() {
    let users = client_with(
        "users",
        ClientSpec {
            arrivals: Arrivals::Poisson { rate: 50.0 },
            write_fraction: 1.0,
            retry: Some(fixed_retry(2, 10.0)),
            ..ClientSpec::default()
        },
    );
    let s = scenario(
        "two-writers",
        53,
        1.0,
        vec![
            users,
            service("api", 50, None, exp_ms(1.0)),
            service("orders", 50, None, exp_ms(1.0)),
            service("stock", 50, None, exp_ms(1.0)),
            database("db", 50, exp_ms(2.0)),
        ],
        &[("users", "api"), ("api", "orders"), ("api", "stock"), ("orders", "db"), ("stock", "db")],
    );
    let db = run(&s, 20.0).node_totals(4).expect("db");
    assert!(db.ok > 1_500, "both services wrote: {}", db.ok);
    assert_eq!(db.duplicate_writes, 0, "{db:?}");
}

// ----- instances and autoscaling ---------------------------------------

/// A service of `workers` workers per instance, `instances` of them, with
/// exponential work of `mean_ms` and a line of `queue` per instance.
fn fleet(workers: u32, instances: u32, queue: Option<u32>, mean_ms: f64) -> ServiceSpec {
    ServiceSpec { workers, queue_capacity: queue, service_time: exp_ms(mean_ms), instances, ..ServiceSpec::default() }
}

fn mean_latency_with(balancing: InstanceBalancing) -> f64 {
    let spec = ServiceSpec { balancing, ..fleet(1, 4, None, 10.0) };
    let s =
        scenario("lb", 5, 10.0, vec![poisson_client("c", 340.0), node("s", NodeKind::Service(spec))], &[("c", "s")]);
    run(&s, 600.0).node_totals(1).expect("s").latency.mean_ms
}

/// At the same load, spreading arrivals evenly waits less than spreading
/// them at random, and sending each to the instance with the least work
/// less still: it sees the queues that chance and slow requests build.
#[test]
fn least_connections_beats_round_robin_which_beats_random_balancing() {
    let random = mean_latency_with(InstanceBalancing::Random);
    let round_robin = mean_latency_with(InstanceBalancing::RoundRobin);
    let least = mean_latency_with(InstanceBalancing::LeastConnections);
    assert!(least < 0.8 * round_robin, "least connections {least} ms, round robin {round_robin} ms");
    assert!(round_robin < 0.8 * random, "round robin {round_robin} ms, random {random} ms");
}

/// 50 requests/s, ten times that from 60 s on, and back to 50 from
/// `drop_at_s`: 4 workers of 50 ms per instance (80 requests/s each),
/// two instances to start with (the minimum), autoscaled on utilisation.
fn stepped(autoscale: AutoscaleSpec, drop_at_s: f64) -> Scenario {
    let client = ClientSpec {
        arrivals: Arrivals::Poisson { rate: 50.0 },
        profile: vec![
            ProfileShape::Step { at_s: 60.0, factor: 10.0 },
            ProfileShape::Step { at_s: drop_at_s, factor: 1.0 },
        ],
        ..ClientSpec::default()
    };
    let spec = ServiceSpec { autoscale: Some(autoscale), ..fleet(4, 2, Some(20), 50.0) };
    scenario("step", 3, 5.0, vec![client_with("c", client), node("app", NodeKind::Service(spec))], &[("c", "app")])
}

fn scaling() -> AutoscaleSpec {
    AutoscaleSpec {
        min: 2,
        max: 20,
        target: ScaleTarget::Utilisation(0.6),
        interval_s: 10.0,
        scale_out_cooldown_s: 0.0,
        scale_in_cooldown_s: 300.0,
        cold_start_s: 20.0,
    }
}

fn logged_times(sim: &Simulation, kind: SimEventKind) -> Vec<f64> {
    sim.event_log().iter().filter(|e| e.kind == kind).map(|e| e.at.as_secs()).collect()
}

/// A step in load is met after an interval and a cold start, and settles
/// near ceil(λ·S / (c·target)) instances: 500 × 0.05 / (4 × 0.6) → 11.
#[test]
fn a_step_in_load_scales_out_after_the_interval_and_the_cold_start() {
    let mut sim = Simulation::new(&stepped(scaling(), 1e6)).expect("valid");
    sim.run_until(SimTime::from_secs(59.0));
    assert!(logged_times(&sim, SimEventKind::ScaledOut).is_empty(), "no scaling before the step");
    sim.run_until(SimTime::from_secs(400.0));
    let out = logged_times(&sim, SimEventKind::ScaledOut);
    let ready = logged_times(&sim, SimEventKind::InstanceReady);
    assert!(out[0] > 60.0 && out[0] <= 70.0 + 1e-9, "the first decision after the step: {out:?}");
    assert!((ready[0] - (out[0] + 20.0)).abs() < 1e-6, "ready a cold start later: {ready:?}");
    let counts = sim.node_live(1).expect("app").instances.expect("a service");
    assert!((10..=13).contains(&counts.ready), "{counts:?}");
    assert_eq!(counts.booting, 0);
    let w = sim.node_current_window(1).expect("app");
    assert!(w.utilisation.is_some_and(|u| u < 0.75), "{w:?}");
    let first = sim.event_log().iter().find(|e| e.kind == SimEventKind::ScaledOut).expect("logged");
    assert!(first.what.starts_with("app: 2 → ") && first.what.contains("utilisation"), "{}", first.what);
}

/// After the load drops, instances are removed only once the scale-in
/// cooldown since the last change is over, down to what the load needs.
#[test]
fn scale_in_waits_for_its_cooldown_after_the_load_drops() {
    let sim = run(&stepped(scaling(), 250.0), 900.0);
    let out = logged_times(&sim, SimEventKind::ScaledOut);
    let ins = logged_times(&sim, SimEventKind::ScaledIn);
    assert!(!ins.is_empty(), "scaled in at last");
    let last_out = out.iter().copied().filter(|&t| t < ins[0]).fold(0.0, f64::max);
    assert!(ins[0] > 250.0, "not while the load is high: {ins:?}");
    assert!(ins[0] >= last_out + 300.0 - 1e-9, "scale-in at {} s, last change at {last_out} s", ins[0]);
    let counts = sim.node_live(1).expect("app").instances.expect("a service");
    assert!((2..=4).contains(&counts.ready), "{counts:?}");
    let after_drop = sim.series().frames().iter().filter(|w| w.start_s >= 250.0);
    assert_eq!(after_drop.map(|w| w.nodes[1].failed).sum::<u64>(), 0, "no request lost by scaling in");
}

/// A booting instance takes no request: with a cold start longer than
/// the run, the node serves what its first two instances can, whatever it
/// decided to add.
#[test]
fn a_booting_instance_gets_no_work() {
    let s = stepped(AutoscaleSpec { cold_start_s: 1e4, ..scaling() }, 1e6);
    let sim = run(&s, 200.0);
    let live = sim.node_live(1).expect("app");
    let counts = live.instances.expect("a service");
    assert!(counts.booting > 0 && counts.ready == 2, "{counts:?}");
    assert_eq!(live.workers, Some(8), "only the ready instances' workers serve");
    for w in sim.series().frames().iter().filter(|w| w.start_s >= 100.0) {
        let s = &w.nodes[1];
        assert!(s.throughput_rps <= 2.0 * 80.0 * 1.2, "{} ok/s at {} s", s.throughput_rps, w.start_s);
        let i = s.instances.expect("a service");
        assert!(i.booting > 0.0 && (i.ready - 2.0).abs() < 1e-9, "{i:?}");
        assert!((i.instance_seconds - (i.ready + i.booting) * 5.0).abs() < 1e-6, "booting ones are billed");
    }
}

/// Instances removed (here by a live edit) leave balancing at once but
/// finish every request they hold, in service and waiting, then stop.
#[test]
fn a_draining_instance_finishes_its_work_before_it_stops() {
    let spec = ServiceSpec { service_time: constant(1000.0), ..fleet(2, 5, None, 10.0) };
    let client = ClientSpec { arrivals: Arrivals::Constant { rate: 20.0 }, ..ClientSpec::default() };
    let s = scenario(
        "drain",
        9,
        1.0,
        vec![client_with("c", client), node("s", NodeKind::Service(spec.clone()))],
        &[("c", "s")],
    );
    let mut sim = Simulation::new(&s).expect("valid");
    sim.run_until(SimTime::from_secs(3.0));
    let before = sim.node_live(1).expect("s");
    assert!(before.queue_len > 10, "work waits at every instance: {before:?}");
    let one = NodeKind::Service(ServiceSpec { instances: 1, ..spec });
    assert_eq!(sim.update_node(1, &one), LiveUpdate::Applied);
    sim.set_rate_multiplier(0, 0.0);
    let counts = sim.node_live(1).expect("s").instances.expect("a service");
    assert_eq!((counts.ready, counts.draining), (1, 4), "{counts:?}");
    sim.run_until(SimTime::from_secs(200.0));
    let e2e = sim.end_to_end_totals();
    assert_eq!(e2e.failed, 0, "{:?}", e2e.failures);
    assert_eq!(e2e.ok, e2e.arrivals, "every request answered");
    let after = sim.node_live(1).expect("s");
    assert_eq!(after.instances.map(|c| (c.ready, c.draining)), Some((1, 0)), "drained ones stopped");
    assert_eq!(after.workers, Some(2));
    assert!(logged_times(&sim, SimEventKind::ScaledIn).len() == 1);
}

/// Adding instances live starts them at once and spreads the work.
#[test]
fn instances_added_live_serve_at_once() {
    let spec = fleet(1, 1, Some(10), 10.0);
    let s = scenario(
        "grow",
        4,
        1.0,
        vec![poisson_client("c", 250.0), node("s", NodeKind::Service(spec.clone()))],
        &[("c", "s")],
    );
    let mut sim = Simulation::new(&s).expect("valid");
    sim.run_until(SimTime::from_secs(20.0));
    assert!(sim.node_totals(1).expect("s").failures.rejected > 1000, "one instance is overloaded");
    assert_eq!(sim.update_node(1, &NodeKind::Service(ServiceSpec { instances: 4, ..spec })), LiveUpdate::Applied);
    sim.run_until(SimTime::from_secs(60.0));
    let late =
        sim.series().frames().iter().filter(|w| w.start_s >= 25.0).map(|w| w.nodes[1].failures.rejected).sum::<u64>();
    assert!(late < 100, "{late} rejected with four instances");
    assert_eq!(sim.node_live(1).expect("s").workers, Some(4));
}

/// The autoscaler is part of the deterministic run: the same seed gives
/// the same decisions and the same report.
#[test]
fn the_same_seed_scales_the_same_way() {
    let s = stepped(scaling(), 250.0);
    let (a, b) = (run(&s, 500.0), run(&s, 500.0));
    assert_eq!(a.report(), b.report());
    let log = |sim: &Simulation| sim.event_log().iter().map(|e| (e.at, e.what.clone())).collect::<Vec<_>>();
    assert_eq!(log(&a), log(&b));
}

/// The report's cost is the arithmetic of a bill: each node's instances
/// × hours × its price (a database's replicas are servers too, a node's
/// own price wins over its kind's), requests billed by use per million,
/// and the answers sent to the client at the egress price (issue 9).
#[test]
fn the_cost_of_a_run_is_instance_hours_requests_and_egress_at_the_scenarios_prices() {
    let db = DatabaseSpec { read_replicas: 2, ..DatabaseSpec::default() };
    let mut s = scenario(
        "cost",
        71,
        10.0,
        vec![
            poisson_client("users", 100.0),
            service("api", 4, None, constant(1.0)),
            node("queue", NodeKind::Queue(QueueSpec::default())),
            node("db", NodeKind::Database(db)),
        ],
        &[("users", "api"), ("api", "queue"), ("queue", "db")],
    );
    s.edges[0].response_kb = Some(archsim::scenario::SizeSpec::Constant { kb: 2.0 });
    s.pricing.per_hour_of.insert("api".into(), 1.5);
    s.warmup_s = 60.0;
    let sim = run(&s, 60.0 + 1800.0);
    let report = sim.report();
    let cost = &report.cost;
    assert!((cost.hours - 0.5).abs() < 1e-9, "half an hour after the warm-up: {}", cost.hours);
    assert!(!cost.illustrative, "the file set a price of its own");
    let node = |id: &str| cost.nodes.iter().find(|n| n.node == id).expect("billed");
    assert!(cost.nodes.iter().all(|n| n.node != "users"), "clients cost nothing");
    assert!((node("api").usd - 1.5 * 0.5).abs() < 1e-6, "its own price: {:?}", node("api"));
    let db = node("db");
    assert!((db.instance_hours - 1.5).abs() < 1e-9 && (db.usd - 0.75).abs() < 1e-9, "three servers: {db:?}");
    let queue = node("queue");
    let messages = report.nodes[2].stats.arrivals;
    assert_eq!(queue.requests, messages);
    assert!((queue.usd - messages as f64 / 1e6 * 0.40).abs() < 1e-9, "per million messages: {queue:?}");
    let answers = report.edges[0].stats.response_bytes;
    assert_eq!(answers, 2_000 * report.edges[0].stats.sent, "2 KB an answer");
    assert!((cost.egress_gb - answers as f64 / 1e9).abs() < 1e-12);
    assert!((cost.egress_usd - cost.egress_gb * 0.09).abs() < 1e-12);
    let sum = cost.nodes.iter().map(|n| n.usd).sum::<f64>() + cost.egress_usd;
    assert!((cost.total_usd - sum).abs() < 1e-9);
    assert!((cost.per_month_usd - cost.total_usd / 0.5 * 730.0).abs() < 1e-6);
    // The live rate: the instances running now, the last window's traffic.
    let live = sim.cost_per_hour_now();
    assert!((live - cost.per_hour_usd).abs() < 0.02 * cost.per_hour_usd, "{live} vs {}", cost.per_hour_usd);
}

/// An autoscaled service is billed for the instances it ran, booting ones
/// included: its instance-hours are the instance-seconds the engine counted.
#[test]
fn an_autoscaled_service_is_billed_for_the_instances_it_ran() {
    let s = archsim::scenario::bundled("autoscaling-catches-a-spike").expect("bundled").load().expect("valid");
    let sim = run(&s, s.duration_s);
    let report = sim.report();
    let app = s.node_index("app").expect("app");
    let counted = report.nodes[app].stats.instances.expect("a service counts its instances").instance_seconds;
    let billed = report.cost.nodes.iter().find(|n| n.node == "app").expect("billed");
    assert!((billed.instance_hours - counted / 3600.0).abs() < 1e-9);
    let hours = report.cost.hours;
    assert!(
        billed.instance_hours > 2.0 * hours,
        "it scaled out: {} instance-hours in {hours} h",
        billed.instance_hours
    );
}

/// A database whose queries take 1 ms of their own, over a table of `rows`
/// with or without an index, measured at a load too light to queue: the
/// time a query spends there is its own work.
fn query_ms_at(rows: u64, index: bool) -> f64 {
    let db = DatabaseSpec {
        connections: 1_000,
        queue_capacity: None,
        query_time: constant(1.0),
        table: Some(TableSpec { rows, index, ..TableSpec::default() }),
        ..DatabaseSpec::default()
    };
    let s = scenario("t", 3, 1.0, vec![poisson_client("c", 5.0), node("db", NodeKind::Database(db))], &[("c", "db")]);
    run(&s, 20.0).report().nodes[1].stats.mean_sojourn_ms
}

#[test]
fn an_index_turns_a_scan_that_grows_with_rows_into_a_lookup_that_grows_with_log_rows() {
    let (scan4, scan6, scan8) =
        (query_ms_at(10_000, false), query_ms_at(1_000_000, false), query_ms_at(100_000_000, false));
    // A scan: 0.02 µs a row on top of the query's own 1 ms — linear in rows.
    assert!((scan4 - 1.2).abs() < 1e-6, "10⁴ rows scanned: {scan4} ms");
    assert!((scan6 - 21.0).abs() < 1e-6, "10⁶ rows scanned: {scan6} ms");
    assert!((scan8 - 2_001.0).abs() < 1e-6, "10⁸ rows scanned: {scan8} ms");
    let (look4, look6, look8) =
        (query_ms_at(10_000, true), query_ms_at(1_000_000, true), query_ms_at(100_000_000, true));
    // A lookup: 0.01 ms per B-tree level, ceil(log₁₀₀ rows) = 2, 3, 4 levels.
    assert!((look4 - 1.02).abs() < 1e-6, "10⁴ rows by index: {look4} ms");
    assert!((look6 - 1.03).abs() < 1e-6, "10⁶ rows by index: {look6} ms");
    assert!((look8 - 1.04).abs() < 1e-6, "10⁸ rows by index: {look8} ms");
}

#[test]
fn writes_take_their_own_time_when_the_database_has_one() {
    let db = DatabaseSpec {
        connections: 1_000,
        queue_capacity: None,
        query_time: constant(1.0),
        write_time: Some(constant(9.0)),
        ..DatabaseSpec::default()
    };
    let c = ClientSpec { arrivals: Arrivals::Poisson { rate: 50.0 }, write_fraction: 0.25, ..ClientSpec::default() };
    let s = scenario("t", 3, 1.0, vec![client_with("c", c), node("db", NodeKind::Database(db))], &[("c", "db")]);
    let mean = run(&s, 60.0).report().nodes[1].stats.mean_sojourn_ms;
    // A quarter of the queries take 9 ms, the rest 1 ms: 3 ms on average.
    assert!((mean - 3.0).abs() < 0.3, "mean {mean} ms");
}

#[test]
fn zipf_keys_make_one_shard_hot_and_uniform_keys_spread_evenly() {
    let shards = |exponent: f64| {
        let db = DatabaseSpec {
            connections: 4,
            queue_capacity: None,
            query_time: constant(1.0),
            shards: 4,
            ..DatabaseSpec::default()
        };
        let c = ClientSpec {
            arrivals: Arrivals::Poisson { rate: 4_000.0 },
            keys: Some(KeySpec { keyspace: 100_000, zipf_exponent: exponent }),
            ..ClientSpec::default()
        };
        let s = scenario("t", 3, 1.0, vec![client_with("c", c), node("db", NodeKind::Database(db))], &[("c", "db")]);
        let sim = run(&s, 30.0);
        let live = sim.node_live(1).and_then(|l| l.hottest_shard).expect("a sharded database's busiest shard");
        assert!(live.0 < 4 && live.1 <= live.2 && live.2 == 4, "{live:?}");
        let report = sim.report();
        assert_eq!(report.nodes[1].workers, Some(16), "4 connections on each of 4 shards");
        // The app's card reads the report's figures, so the two agree.
        let card: Vec<f64> = sim.node_live(1).map(|l| l.shard_utilisation).unwrap_or_default();
        assert_eq!(card, report.nodes[1].shards.iter().map(|s| s.utilisation).collect::<Vec<_>>());
        report.nodes[1].shards.clone()
    };
    let even = shards(0.0);
    assert_eq!(even.len(), 4);
    let total: u64 = even.iter().map(|s| s.arrivals).sum();
    for s in &even {
        let share = s.arrivals as f64 / total as f64;
        assert!((share - 0.25).abs() < 0.02, "uniform keys: {even:?}");
        assert!((s.utilisation - 0.25).abs() < 0.03, "1,000/s of 1 ms on 4 connections: {even:?}");
    }
    let hot = shards(1.2);
    let busiest = hot.iter().map(|s| s.utilisation).fold(0.0, f64::max);
    let idlest = hot.iter().map(|s| s.utilisation).fold(1.0, f64::min);
    // Zipf 1.2 over 100 k keys: key 1 alone is 18 % of requests, so its
    // shard carries half again its fair share, and twice the coolest's.
    assert!(busiest > 0.35 && busiest > 2.0 * idlest, "Zipf keys: one hot shard: {hot:?}");
}

#[test]
fn a_database_table_and_write_time_change_live_but_shards_need_a_reset() {
    let db = DatabaseSpec { query_time: constant(1.0), ..DatabaseSpec::default() };
    let s = scenario(
        "t",
        3,
        1.0,
        vec![poisson_client("c", 5.0), node("db", NodeKind::Database(db.clone()))],
        &[("c", "db")],
    );
    let mut sim = run(&s, 1.0);
    let with_table = DatabaseSpec {
        table: Some(TableSpec { rows: 1_000_000, index: false, ..TableSpec::default() }),
        write_time: Some(constant(2.0)),
        ..db.clone()
    };
    assert_eq!(sim.update_node(1, &NodeKind::Database(with_table)), LiveUpdate::Applied);
    let sharded = DatabaseSpec { shards: 2, ..db };
    assert!(matches!(sim.update_node(1, &NodeKind::Database(sharded)), LiveUpdate::NeedsReset(_)));
}

/// 400 requests/s swinging ±50 % every two minutes, over instances of 4
/// workers of 50 ms (80 requests/s each), autoscaled at 60 % every 10 s
/// with a 5 s cold start and the given cooldowns, for `secs`: the changes
/// it made (scaled out or in).
fn changes_under_a_swinging_load(scale_out_cooldown_s: f64, scale_in_cooldown_s: f64, secs: f64) -> (usize, usize) {
    let client = ClientSpec {
        arrivals: Arrivals::Poisson { rate: 400.0 },
        profile: vec![ProfileShape::Daily { period_s: 120.0, amplitude: 0.5, phase_s: 0.0 }],
        ..ClientSpec::default()
    };
    let autoscale = AutoscaleSpec { scale_out_cooldown_s, scale_in_cooldown_s, cold_start_s: 5.0, ..scaling() };
    let spec = ServiceSpec { autoscale: Some(autoscale), ..fleet(4, 2, Some(50), 50.0) };
    let s = scenario(
        "swing",
        8,
        10.0,
        vec![client_with("c", client), node("app", NodeKind::Service(spec))],
        &[("c", "app")],
    );
    let sim = run(&s, secs);
    (logged_times(&sim, SimEventKind::ScaledOut).len(), logged_times(&sim, SimEventKind::ScaledIn).len())
}

/// Without cooldowns an autoscaler chases a load that swings faster than
/// its instances are worth keeping: it adds and removes instances every
/// cycle. A scale-in cooldown of C allows at most one removal per C (each
/// needs C since the last change), and so far fewer changes; cooldowns
/// both ways bound every change to one per C.
#[test]
fn cooldowns_keep_an_autoscaler_from_flapping_under_a_swinging_load() {
    let secs = 1800.0;
    let (out, inward) = changes_under_a_swinging_load(0.0, 0.0, secs);
    let cycles = secs / 120.0;
    assert!(
        out as f64 >= cycles && inward as f64 >= cycles,
        "without cooldowns it scales out and in every cycle: {out} out, {inward} in, {cycles} cycles"
    );
    let cooldown = 300.0;
    let bound = (secs / cooldown).floor() as usize + 1;
    let (out_c, in_c) = changes_under_a_swinging_load(0.0, cooldown, secs);
    assert!(in_c <= bound, "at most one removal per {cooldown} s: {in_c} > {bound}");
    assert!(
        3 * (out_c + in_c) <= out + inward,
        "a scale-in cooldown: {out_c} out and {in_c} in, against {out} and {inward} without"
    );
    let (out_b, in_b) = changes_under_a_swinging_load(cooldown, cooldown, secs);
    assert!(out_b + in_b <= bound, "cooldowns both ways: {out_b} out and {in_b} in, at most {bound}");
}
