//! The bundled scenarios teach by their numbers: each test runs one for its
//! full duration and checks, window by window, that the lesson its
//! description promises really happens — and that the "Try:" suggestions
//! in the description do what it says.

use archsim::scenario::{
    Arrivals, BUNDLED, BreakerSpec, BreakerWindow, CacheMode, CacheSpec, CallOrder, ClientSpec, DatabaseSpec,
    DistributionSpec, EdgeSpec, FallbackSpec, LbPolicy, NodeKind, NodeSpec, Priority, QueueSpec, Scenario, ServiceSpec,
    SizeSpec, WaitFor, bundled, parse_scenario, to_ron_string,
};
use archsim::sim::{SimTime, Simulation, Stats, WindowFrame, theory};

/// A bundled scenario, parsed.
fn scenario(name: &str) -> Scenario {
    let file = bundled(name).unwrap_or_else(|| panic!("no bundled scenario {name}"));
    file.load().unwrap_or_else(|e| panic!("{name} does not load:\n{e}"))
}

/// Runs a scenario for its whole duration.
fn run(s: &Scenario) -> Simulation {
    let mut sim = Simulation::new(s).unwrap_or_else(|e| panic!("{} does not build: {e}", s.name));
    sim.run_until(SimTime::from_secs(s.duration_s));
    sim
}

fn index(s: &Scenario, id: &str) -> usize {
    s.node_index(id).unwrap_or_else(|| panic!("no node {id} in {}", s.name))
}

/// The closed windows that start in `[from_s, to_s)`.
fn windows(sim: &Simulation, from_s: f64, to_s: f64) -> Vec<&WindowFrame> {
    let frames: Vec<&WindowFrame> = sim.series().iter().filter(|f| f.start_s >= from_s && f.start_s < to_s).collect();
    assert!(!frames.is_empty(), "no windows in [{from_s}, {to_s})");
    frames
}

/// A node's stats in each window of `[from_s, to_s)`.
fn node_windows(sim: &Simulation, node: usize, from_s: f64, to_s: f64) -> Vec<&Stats> {
    windows(sim, from_s, to_s).into_iter().map(|f| &f.nodes[node]).collect()
}

fn mean(values: impl IntoIterator<Item = f64>) -> f64 {
    let (sum, n) = values.into_iter().fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { sum / n as f64 }
}

fn sum(stats: &[&Stats], f: impl Fn(&Stats) -> u64) -> u64 {
    stats.iter().map(|s| f(s)).sum()
}

fn utilisation(stats: &[&Stats]) -> f64 {
    mean(stats.iter().map(|s| s.utilisation.unwrap_or(0.0)))
}

fn end_to_end(sim: &Simulation, from_s: f64, to_s: f64) -> Vec<&Stats> {
    windows(sim, from_s, to_s).into_iter().map(|f| &f.end_to_end).collect()
}

fn service_mut<'a>(s: &'a mut Scenario, id: &str) -> &'a mut ServiceSpec {
    let i = index(s, id);
    match &mut s.nodes[i].kind {
        NodeKind::Service(sv) => sv,
        other => panic!("{id} is a {}", other.label()),
    }
}

fn client_mut<'a>(s: &'a mut Scenario, id: &str) -> &'a mut ClientSpec {
    let i = index(s, id);
    match &mut s.nodes[i].kind {
        NodeKind::Client(c) => c,
        other => panic!("{id} is a {}", other.label()),
    }
}

fn database_mut<'a>(s: &'a mut Scenario, id: &str) -> &'a mut DatabaseSpec {
    let i = index(s, id);
    match &mut s.nodes[i].kind {
        NodeKind::Database(d) => d,
        other => panic!("{id} is a {}", other.label()),
    }
}

fn queue_mut<'a>(s: &'a mut Scenario, id: &str) -> &'a mut QueueSpec {
    let i = index(s, id);
    match &mut s.nodes[i].kind {
        NodeKind::Queue(q) => q,
        other => panic!("{id} is a {}", other.label()),
    }
}

#[test]
fn every_bundled_scenario_loads_runs_its_full_duration_and_serves_requests() {
    for file in BUNDLED {
        let s = scenario(file.file_name);
        let sim = run(&s);
        let windows = (s.duration_s / s.window_s).round() as usize;
        assert_eq!(sim.series().len(), windows, "{}: one frame per window", file.file_name);
        let report = sim.report();
        assert!(report.end_to_end.arrivals > 0 && report.end_to_end.ok > 0, "{}: {report:?}", file.file_name);
        assert!((report.sim_time_s - s.duration_s).abs() < 1e-9);
        for phrase in ["Watch", "Try"] {
            assert!(s.description.contains(phrase), "{}: the description should say what to {phrase}", file.file_name);
        }
    }
}

#[test]
fn every_file_in_the_scenarios_folder_is_bundled_and_round_trips() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut on_disk: Vec<String> = std::fs::read_dir(&folder)
        .expect("scenarios/ exists")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| std::path::Path::new(name).extension().is_some_and(|e| e.eq_ignore_ascii_case("ron")))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = BUNDLED.iter().map(|b| b.file_name.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "scenarios/ and BUNDLED disagree");
    for file in BUNDLED {
        let s = scenario(file.file_name);
        let again = parse_scenario(&to_ron_string(&s), file.file_name).expect("written form loads");
        assert_eq!(again, s, "{} changes when written back", file.file_name);
    }
}

#[test]
fn single_server_latency_explodes_near_saturation_and_rejects_only_past_capacity() {
    let s = scenario("single-server-saturation");
    let sim = run(&s);
    let server = index(&s, "server");
    let p99 = |from, to| mean(end_to_end(&sim, from, to).iter().map(|w| w.latency.p99_ms));
    let (early, late) = (p99(0.0, 20.0), p99(130.0, 150.0));
    assert!(early < 150.0, "p99 in the first 20 s: {early:.0} ms");
    assert!(late > 10.0 * early, "p99 in the last 20 s {late:.0} ms vs first 20 s {early:.0} ms");
    // The rate passes 100/s (the server's capacity) at 100 s.
    let rejected = |from, to| sum(&node_windows(&sim, server, from, to), |w| w.failures.rejected);
    assert_eq!(rejected(0.0, 90.0), 0, "rejections while arrivals are under 95% of capacity");
    assert!(rejected(100.0, 150.0) > 0, "no rejections past capacity");
    assert!(utilisation(&node_windows(&sim, server, 130.0, 150.0)) > 0.98);

    // Try: 2 workers never saturate.
    let mut two = s.clone();
    service_mut(&mut two, "server").workers = 2;
    let sim = run(&two);
    assert_eq!(sim.report().end_to_end.failed, 0);
    assert!(mean(end_to_end(&sim, 130.0, 150.0).iter().map(|w| w.latency.p99_ms)) < 150.0);

    // Try: a short line trades latency for rejections.
    let mut short = s.clone();
    service_mut(&mut short, "server").queue_capacity = Some(20);
    let sim = run(&short);
    let past_capacity = node_windows(&sim, server, 130.0, 150.0);
    let rejected_share =
        sum(&past_capacity, |w| w.failures.rejected) as f64 / sum(&past_capacity, |w| w.arrivals) as f64;
    assert!((0.05..0.3).contains(&rejected_share), "share rejected with a line of 20: {rejected_share:.2}");
    let short_p99 = mean(end_to_end(&sim, 130.0, 150.0).iter().map(|w| w.latency.p99_ms));
    assert!(short_p99 < 500.0 && short_p99 < late / 3.0, "p99 with a line of 20: {short_p99:.0} ms");
}

#[test]
fn load_balancer_black_holes_traffic_until_the_health_check_then_survivors_saturate() {
    let s = scenario("load-balancer-three-replicas");
    let sim = run(&s);
    let replica = |id| index(&s, id);
    let (r1, r2, r3) = (replica("replica-1"), replica("replica-2"), replica("replica-3"));

    // 'down' failures only around the crash at 30 s (health check: 2 s).
    for w in sim.series().frames() {
        let down = w.nodes[r2].failures.node_down;
        if !(29.0..33.0).contains(&w.start_s) {
            assert_eq!(down, 0, "'down' failures at {} s", w.start_s);
        }
    }
    // Least connections sends most requests to the instantly failing replica.
    let crash = end_to_end(&sim, 30.0, 32.0);
    let down_share = sum(&crash, |w| w.failures.node_down) as f64 / sum(&crash, |w| w.arrivals) as f64;
    assert!(down_share > 0.5, "share of requests failing 'down' during detection: {down_share:.2}");

    let util = |node, from, to| utilisation(&node_windows(&sim, node, from, to));
    for survivor in [r1, r3] {
        let (before, during, after) =
            (util(survivor, 5.0, 29.0), util(survivor, 35.0, 59.0), util(survivor, 65.0, 90.0));
        assert!((0.55..0.8).contains(&before), "utilisation before the crash: {before:.2}");
        assert!(during > 0.95, "utilisation while replica-2 is down: {during:.2}");
        assert!(after < 0.8, "utilisation after the restore: {after:.2}");
    }
    assert_eq!(sum(&node_windows(&sim, r2, 33.0, 60.0), |w| w.arrivals), 0, "the balancer skips the dead replica");
    let survivors_rejected = sum(&node_windows(&sim, r1, 45.0, 60.0), |w| w.failures.rejected)
        + sum(&node_windows(&sim, r3, 45.0, 60.0), |w| w.failures.rejected);
    assert!(survivors_rejected > 0, "the survivors' queues should overflow before 60 s");
    assert_eq!(sum(&end_to_end(&sim, 62.0, 90.0), |w| w.failed), 0, "failures after the restore");

    // Try: round robin loses only the dead replica's third.
    let mut rr = s.clone();
    let lb = index(&rr, "lb");
    if let NodeKind::LoadBalancer(spec) = &mut rr.nodes[lb].kind {
        spec.policy = LbPolicy::RoundRobin;
    }
    let sim = run(&rr);
    let crash = end_to_end(&sim, 30.0, 32.0);
    let share = sum(&crash, |w| w.failures.node_down) as f64 / sum(&crash, |w| w.arrivals) as f64;
    assert!((0.25..0.42).contains(&share), "round robin 'down' share: {share:.2}");
}

#[test]
fn cache_hit_ratio_emerges_and_a_flush_stampedes_the_database() {
    let s = scenario("cache-in-front-of-db");
    let sim = run(&s);
    let (cache, db) = (index(&s, "cache"), index(&s, "db"));
    let hits = node_windows(&sim, cache, 20.0, 60.0);
    let hit_ratio = sum(&hits, |w| w.cache_hits) as f64 / sum(&hits, |w| w.cache_hits + w.cache_misses) as f64;
    assert!(hit_ratio > 0.6, "hit ratio after warm-up: {hit_ratio:.2}");

    let db_before = mean(node_windows(&sim, db, 50.0, 60.0).iter().map(|w| w.arrivals as f64));
    let db_flush = node_windows(&sim, db, 60.0, 61.0)[0].arrivals as f64;
    assert!(db_flush > 2.0 * db_before, "DB arrivals right after the flush {db_flush} vs before {db_before:.0}");
    assert!(utilisation(&node_windows(&sim, db, 50.0, 60.0)) < 0.65);
    assert!(utilisation(&node_windows(&sim, db, 60.0, 62.0)) > 0.95, "the DB saturates after the flush");
    let p99_before = mean(end_to_end(&sim, 50.0, 60.0).iter().map(|w| w.latency.p99_ms));
    let p99_flush = end_to_end(&sim, 60.0, 64.0).iter().map(|w| w.latency.p99_ms).fold(0.0, f64::max);
    assert!(p99_before < 50.0 && p99_flush > 250.0, "p99 before {p99_before:.0} ms, after the flush {p99_flush:.0} ms");
    assert!(utilisation(&node_windows(&sim, db, 80.0, 120.0)) < 0.65, "the stampede is over");
    assert_eq!(sim.report().end_to_end.failed, 0);

    // Try: a flatter popularity defeats the cache for good.
    let mut flat = s.clone();
    if let Some(keys) = &mut client_mut(&mut flat, "users").keys {
        keys.zipf_exponent = 0.6;
    }
    let sim = run(&flat);
    let hits = node_windows(&sim, cache, 20.0, 60.0);
    let hit_ratio = sum(&hits, |w| w.cache_hits) as f64 / sum(&hits, |w| w.cache_hits + w.cache_misses) as f64;
    assert!(hit_ratio < 0.35, "hit ratio with zipf 0.6: {hit_ratio:.2}");
    assert!(utilisation(&node_windows(&sim, db, 20.0, 60.0)) > 0.95);
    assert!(sum(&end_to_end(&sim, 20.0, 60.0), |w| w.failures.rejected) > 0);
}

#[test]
fn async_queue_absorbs_the_spike_while_the_api_stays_fast_then_drains() {
    let s = scenario("async-queue-absorbs-spike");
    let sim = run(&s);
    let (api, jobs) = (index(&s, "api"), index(&s, "jobs"));
    let depth: Vec<(f64, f64)> =
        sim.series().frames().iter().map(|f| (f.start_s, f.nodes[jobs].mean_queue_len)).collect();
    let (peak_at, peak) = depth.iter().copied().fold((0.0, 0.0), |best, d| if d.1 > best.1 { d } else { best });
    assert!((25.0..40.0).contains(&peak_at), "queue depth peaks at {peak_at} s");
    assert!(peak > 2_000.0, "peak depth {peak:.0}");
    for w in node_windows(&sim, api, 0.0, 120.0) {
        assert!(w.latency.p99_ms < 100.0, "API p99 {:.0} ms", w.latency.p99_ms);
    }
    assert!(depth.iter().filter(|d| d.0 < 20.0).all(|d| d.1 < 10.0), "no backlog before the spike");
    assert!(depth.iter().filter(|d| d.0 >= 100.0).all(|d| d.1 < 10.0), "the queue has drained by 100 s");
    let lag = node_windows(&sim, jobs, 0.0, 120.0).iter().map(|w| w.mean_wait_ms).fold(0.0, f64::max);
    assert!(lag > 20_000.0, "longest consumer lag {lag:.0} ms");
    assert_eq!(sim.report().end_to_end.failed, 0);

    // Try: a smaller queue rejects during the spike.
    let mut small = s.clone();
    queue_mut(&mut small, "jobs").capacity = 1000;
    let sim = run(&small);
    assert!(sum(&node_windows(&sim, jobs, 20.0, 35.0), |w| w.failures.rejected) > 0);

    // Try: 4 consumers cannot keep up even without the spike.
    let mut four = s.clone();
    queue_mut(&mut four, "jobs").consumers = 4;
    let sim = run(&four);
    assert!(node_windows(&sim, jobs, 15.0, 20.0).iter().all(|w| w.mean_queue_len > 100.0));
}

#[test]
fn slow_database_exhausts_the_web_workers_one_hop_above_it() {
    let s = scenario("slow-database-exhausts-workers");
    let sim = run(&s);
    let (web, db) = (index(&s, "web"), index(&s, "db"));
    let slow = end_to_end(&sim, 31.0, 60.0);
    let failed_share = sum(&slow, |w| w.failed) as f64 / sum(&slow, |w| w.arrivals) as f64;
    assert!(failed_share > 0.5, "share failing while the DB is slow: {failed_share:.2}");
    assert!(sum(&slow, |w| w.failures.timeout) > 0, "users time out");
    let web_slow = node_windows(&sim, web, 31.0, 60.0);
    assert!(sum(&web_slow, |w| w.failures.rejected) > 0, "the web queue overflows");
    assert!(utilisation(&web_slow) > 0.98);
    let db_all = node_windows(&sim, db, 0.0, 90.0);
    assert_eq!(sum(&db_all, |w| w.failures.rejected), 0, "the database never rejects");
    assert!(utilisation(&node_windows(&sim, db, 31.0, 60.0)) < 0.5, "the database has connections to spare");
    assert_eq!(sum(&end_to_end(&sim, 0.0, 30.0), |w| w.failed), 0);
    assert_eq!(sum(&end_to_end(&sim, 62.0, 90.0), |w| w.failed), 0);

    // Try: the verdict's timeout, breaker and bulkhead on web → db make
    // the failures fast, not fewer: at once or after 120 ms, never after
    // the users' 1 s, the web queue never fills, and within 5 s of the
    // slowdown's end requests succeed again.
    let edge = s.edges.iter().position(|e| e.from == "web" && e.to == "db").expect("web → db");
    let mut protected = s.clone();
    protected.edges[edge].timeout_ms = Some(120.0);
    protected.edges[edge].breaker = Some(BreakerSpec {
        failure_rate: 0.5,
        window: BreakerWindow::Calls(200),
        min_calls: 100,
        open_s: 5.0,
        probes: 3,
    });
    protected.edges[edge].max_concurrent = Some(12);
    let sim = run(&protected);
    let report = sim.report();
    assert!(failure_share(&sim, 30.0, 60.0) > 0.97, "as many fail: {:.3}", failure_share(&sim, 30.0, 60.0));
    let users_edge = report.edges.iter().find(|e| e.from == "users").expect("users → web");
    assert_eq!(users_edge.timeouts, 0, "no user waits out the 1 s timeout");
    assert_eq!(report.nodes[web].stats.failures.rejected, 0, "the web queue never fills");
    let slow = end_to_end(&sim, 30.0, 60.0);
    let sojourn = mean(slow.iter().map(|w| w.mean_sojourn_ms));
    assert!(sojourn < 100.0, "they fail fast: {sojourn:.1} ms on average");
    assert!(failure_share(&sim, 65.0, 90.0) < 0.01, "{:.3}", failure_share(&sim, 65.0, 90.0));
    // ... and with a fallback on the edge too, they are answered degraded.
    let mut fallback = protected.clone();
    fallback.edges[edge].fallback =
        Some(FallbackSpec::Respond { latency: Some(DistributionSpec::Constant { ms: 1.0 }) });
    let sim = run(&fallback);
    assert_eq!(sim.report().end_to_end.failed, 0, "none fails");
    assert!(degraded_share(&sim, 30.0, 60.0) > 0.97, "{:.3}", degraded_share(&sim, 30.0, 60.0));

    // Try: non-blocking calls, or enough threads to wait out this slowdown.
    let mut more = s.clone();
    service_mut(&mut more, "web").workers = 50;
    let mut non_blocking = s.clone();
    service_mut(&mut non_blocking, "web").blocking_calls = false;
    for variant in [more, non_blocking] {
        let sim = run(&variant);
        let slow = end_to_end(&sim, 30.0, 60.0);
        let share = sum(&slow, |w| w.failed) as f64 / sum(&slow, |w| w.arrivals) as f64;
        assert!(share < 0.01, "failures with the fix: {share:.3}");
        assert!(success_share(&sim, 30.0, 60.0) > 0.985, "{:.3}", success_share(&sim, 30.0, 60.0));
        assert!(sim.report().end_to_end.latency.p99_ms < 1_000.0, "{}", sim.report().end_to_end.latency.p99_ms);
    }
}

#[test]
fn a_rate_limiter_keeps_the_database_fast_through_a_spike_by_refusing_the_excess() {
    let s = scenario("rate-limiter-protects-database");
    let sim = run(&s);
    let db = index(&s, "db");
    let calm = node_windows(&sim, db, 0.0, 20.0);
    assert_eq!(sum(&calm, |w| w.failures.rate_limited), 0, "300/s passes a 400/s limiter untouched");
    let spike = node_windows(&sim, db, 21.0, 40.0);
    for w in &spike {
        assert!(w.latency.p99_ms < 150.0, "database p99 {:.0} ms during the spike", w.latency.p99_ms);
        assert!(w.utilisation.unwrap_or(1.0) < 0.9, "database {:?} busy", w.utilisation);
    }
    let refused = sum(&spike, |w| w.failures.rate_limited);
    let arrived = sum(&spike, |w| w.arrivals);
    assert!(refused as f64 > 0.55 * arrived as f64, "two thirds of 1,200/s refused: {refused} of {arrived}");
    assert_eq!(sum(&spike, |w| w.failures.local() - w.failures.rate_limited), 0, "nothing else fails");
    let served = end_to_end(&sim, 21.0, 40.0);
    let goodput = mean(served.iter().map(|w| w.throughput_rps));
    assert!(goodput > 360.0, "about 400 requests/s still succeed: {goodput:.0}");
    assert_eq!(sum(&served, |w| w.failures.timeout), 0, "the admitted are served in time");

    // Try: without the limiter the database's queue swallows the spike.
    let mut open = s.clone();
    if let Some(limit) = open.nodes[db].kind.rate_limit_mut() {
        *limit = None;
    }
    let sim = run(&open);
    let spike = node_windows(&sim, db, 25.0, 40.0);
    assert!(utilisation(&spike) > 0.97, "the database saturates: {:.2}", utilisation(&spike));
    assert!(spike.iter().all(|w| w.latency.p99_ms > 1_000.0), "queries wait seconds");
    let goodput = mean(end_to_end(&sim, 25.0, 40.0).iter().map(|w| w.throughput_rps));
    assert!(goodput < 100.0, "almost nothing succeeds in time: {goodput:.0} requests/s");

    // Try: a rate of 480 lets more through, and the database runs hotter and slower.
    let p99 = |s: &Scenario| {
        let sim = run(s);
        let spike = node_windows(&sim, db, 21.0, 40.0);
        (utilisation(&spike), mean(spike.iter().map(|w| w.latency.p99_ms)))
    };
    let mut closer = s.clone();
    if let Some(Some(limit)) = closer.nodes[db].kind.rate_limit_mut() {
        limit.rate = 480.0;
    }
    let ((busy_400, p99_400), (busy_480, p99_480)) = (p99(&s), p99(&closer));
    assert!(busy_480 > busy_400 + 0.1, "{busy_400:.2} → {busy_480:.2} busy");
    assert!(p99_480 > p99_400, "p99 {p99_400:.0} → {p99_480:.0} ms");
}

/// The share of the windows' arrivals that `count` counts.
fn share_of_arrivals(windows: &[&Stats], count: impl Fn(&Stats) -> u64) -> f64 {
    sum(windows, count) as f64 / sum(windows, |w| w.arrivals).max(1) as f64
}

/// Share of requests that succeed end to end in `[from_s, to_s)`.
fn success_share(sim: &Simulation, from_s: f64, to_s: f64) -> f64 {
    share_of_arrivals(&end_to_end(sim, from_s, to_s), |w| w.ok)
}

#[test]
fn retry_storm_outlives_the_outage_by_far() {
    let s = scenario("retry-storm");
    let sim = run(&s);
    let service = index(&s, "service");
    assert!(success_share(&sim, 0.0, 30.0) > 0.95, "healthy before the outage");
    // The outage is 30–33 s; from 40 s to the end nothing gets through.
    for f in windows(&sim, 40.0, 120.0) {
        let w = &f.end_to_end;
        assert!(w.ok * 20 < w.arrivals, "{} of {} succeed at {} s", w.ok, w.arrivals, f.start_s);
    }
    let storm = node_windows(&sim, service, 40.0, 120.0);
    assert!(utilisation(&storm) > 0.99, "the service stays saturated");
    let attempts = sum(&storm, |w| w.arrivals) as f64;
    let requests = sum(&end_to_end(&sim, 40.0, 120.0), |w| w.arrivals) as f64;
    assert!(attempts > 3.0 * requests, "retries multiply the load: {attempts} attempts for {requests} requests");
    assert!(mean(storm.iter().map(|w| w.mean_queue_len)) > 1_500.0, "the line stays (almost) full");

    // The description's "Try" list: three fixes recover, jitter alone does not.
    let mut short_line = s.clone();
    service_mut(&mut short_line, "service").queue_capacity = Some(50);
    let mut no_retries = s.clone();
    client_mut(&mut no_retries, "users").retry.as_mut().expect("retry policy").max_attempts = 1;
    let mut quick_backoff = s.clone();
    client_mut(&mut quick_backoff, "users").retry.as_mut().expect("retry policy").backoff_ms = 10.0;
    for (what, variant) in
        [("queue_capacity 50", short_line), ("max_attempts 1", no_retries), ("backoff 10 ms", quick_backoff)]
    {
        let sim = run(&variant);
        let share = success_share(&sim, 45.0, 120.0);
        assert!(share > 0.95, "{what}: success share after the outage {share:.2}");
    }
    let mut jitter = s.clone();
    client_mut(&mut jitter, "users").retry.as_mut().expect("retry policy").jitter = 1.0;
    let sim = run(&jitter);
    assert!(success_share(&sim, 60.0, 120.0) < 0.05, "jitter alone should not recover");
}

/// Calls `callee` received per request `client`'s users made in `[from_s, to_s)`.
fn calls_per_request(sim: &Simulation, client: usize, callee: usize, from_s: f64, to_s: f64) -> f64 {
    let calls = sum(&node_windows(sim, callee, from_s, to_s), |w| w.arrivals) as f64;
    let requests = sum(&node_windows(sim, client, from_s, to_s), |w| w.arrivals) as f64;
    calls / requests.max(1.0)
}

#[test]
fn retries_at_every_layer_multiply_an_outage_27_times_and_keep_the_database_down_after_it() {
    let s = scenario("retries-at-every-layer");
    let sim = run(&s);
    let (users, db) = (index(&s, "users"), index(&s, "db"));
    assert!(success_share(&sim, 0.0, 20.0) > 0.99, "healthy before the crash");
    // The crash is 20–35 s. Once the requests started before it are
    // through, every query fails, and each of the 3 layers tries 3 times.
    let every_layer = theory::nested_retry_load(1.0, &[3, 3, 3]);
    let outage = calls_per_request(&sim, users, db, 21.0, 35.0);
    assert!(
        (0.9 * every_layer..1.05 * every_layer).contains(&outage),
        "{outage:.1} calls at db per request during the outage, theory {every_layer}"
    );
    // Back at 35 s, it never recovers: a full line of queries nobody waits
    // for, the retries still multiplying, and no request succeeding.
    let back = node_windows(&sim, db, 37.0, 60.0);
    assert!(utilisation(&back) > 0.99, "db busy {:.2}", utilisation(&back));
    assert!(back.iter().all(|w| w.mean_queue_len > 1_900.0), "the line of 2,000 stays full");
    let stuck = calls_per_request(&sim, users, db, 40.0, 60.0);
    assert!(stuck > 0.9 * every_layer, "{stuck:.1} calls at db per request after it is back");
    assert_eq!(sum(&end_to_end(&sim, 36.0, 60.0), |w| w.ok), 0, "no request succeeds after the database is back");

    // Try: `budget: (ratio: 0.1)` on each retry policy, as the description writes it.
    let policy = "jitter: 0.5)";
    let file = bundled("retries-at-every-layer").expect("bundled").source;
    assert_eq!(file.matches(policy).count(), 3, "one retry policy per layer");
    let budgeted = parse_scenario(&file.replace(policy, "jitter: 0.5, budget: (ratio: 0.1))"), "budgeted.ron")
        .unwrap_or_else(|e| panic!("the budgeted variant does not load:\n{e}"));
    let rate = match &s.nodes[users].kind {
        NodeKind::Client(ClientSpec { arrivals: Arrivals::Poisson { rate }, .. }) => *rate,
        other => panic!("users are {other:?}"),
    };
    // Over any 10 s a budget allows `ratio` retries per first try plus
    // `min_per_s` (10 by default) a second: 1.15 calls per call at each
    // layer at 200 requests/s, about 1.5 at the bottom (1.1³ = 1.33 without
    // the floor) instead of 27. The crash's first 10 s are one such window.
    let held = theory::budgeted_retry_load(0.1, 10.0, rate, 3).powi(3);
    let sim = run(&budgeted);
    let first_ten = calls_per_request(&sim, users, db, 20.0, 30.0);
    assert!((0.9 * held..1.02 * held).contains(&first_ten), "{first_ten:.2} calls at db per request, theory {held:.2}");
    let outage = calls_per_request(&sim, users, db, 21.0, 35.0);
    assert!(outage < 1.6, "{outage:.2} calls at db per request during the outage with budgets");
    assert!(success_share(&sim, 35.0, 60.0) > 0.99, "with budgets it serves again once it is back");

    // Try: retry only at the edge, the client: 3 calls per request, and it recovers.
    let mut one_layer = s.clone();
    for edge in &mut one_layer.edges {
        edge.retry = None;
    }
    let sim = run(&one_layer);
    let at_client = theory::nested_retry_load(1.0, &[3]);
    let outage = calls_per_request(&sim, users, db, 21.0, 35.0);
    assert!((outage - at_client).abs() < 0.05 * at_client, "{outage:.2} calls at db per request, theory {at_client}");
    assert!(success_share(&sim, 35.0, 60.0) > 0.99, "retrying at one layer it serves again once it is back");
}

#[test]
fn three_tier_web_is_a_healthy_baseline() {
    let s = scenario("three-tier-web");
    let sim = run(&s);
    let report = sim.report();
    assert_eq!(report.end_to_end.failed, 0);
    for n in &report.nodes {
        assert!(n.stats.utilisation.unwrap_or(0.0) < 0.25, "{} is {:?} busy", n.id, n.stats.utilisation);
    }
    let cache = index(&s, "cache");
    let hits = node_windows(&sim, cache, 20.0, 60.0);
    let hit_ratio = sum(&hits, |w| w.cache_hits) as f64 / sum(&hits, |w| w.cache_hits + w.cache_misses) as f64;
    assert!(hit_ratio > 0.5, "hit ratio {hit_ratio:.2}");
}

/// The fenced code blocks of `docs/scenario-format.md`: (info string, body, line of the fence).
fn format_doc_blocks() -> Vec<(String, String, usize)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scenario-format.md");
    let doc = std::fs::read_to_string(&path).expect("docs/scenario-format.md exists");
    let mut blocks = Vec::new();
    let mut open: Option<(String, String, usize)> = None;
    for (n, line) in doc.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => open = Some((info.trim().to_string(), String::new(), n + 1)),
            (Some(_), Some("")) => blocks.extend(open.take()),
            (Some((_, body, _)), _) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "an unclosed code block in the format doc");
    blocks
}

#[test]
fn every_scenario_example_in_the_format_doc_loads_and_runs() {
    let blocks = format_doc_blocks();
    let examples: Vec<_> = blocks.iter().filter(|(info, _, _)| info == "ron").collect();
    assert!(examples.len() >= 10, "expected an example per component, found {}", examples.len());
    for (_, body, line) in examples {
        let s = parse_scenario(body, &format!("docs/scenario-format.md:{line}"))
            .unwrap_or_else(|e| panic!("the example at line {line} does not load:\n{e}"));
        let mut sim = Simulation::new(&s).expect("a loaded example builds");
        sim.run_until(SimTime::from_secs(s.duration_s.min(5.0)));
        assert!(sim.report().end_to_end.arrivals > 0, "the example at line {line} sends no requests");
    }
}

#[test]
fn the_format_doc_shows_the_real_error_output() {
    let blocks = format_doc_blocks();
    let mut checked = 0;
    for pair in blocks.windows(2) {
        let [(info, bad, line), (next_info, expected, _)] = pair else { continue };
        if info != "ron invalid" {
            continue;
        }
        assert_eq!(next_info, "text", "the invalid example at line {line} is followed by its output");
        let err = parse_scenario(bad, "example.ron").expect_err("the invalid example must not load");
        assert_eq!(err.to_string(), expected.trim_end(), "the output shown after line {line} is out of date");
        checked += 1;
    }
    assert!(checked >= 1, "no invalid example with its output in the format doc");
}

#[test]
fn the_format_doc_describes_every_field_and_variant() {
    let doc = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scenario-format.md"))
        .expect("docs/scenario-format.md exists");
    // The prose and tables: the doc without its example scenarios.
    let mut prose = doc.clone();
    for (info, body, _) in format_doc_blocks() {
        if info.starts_with("ron") {
            prose = prose.replacen(&body, "", 1);
        }
    }
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mentioned = |name: &str| {
        prose.match_indices(name).any(|(at, _)| {
            let before = prose[..at].chars().next_back();
            let after = prose[at + name.len()..].chars().next();
            !before.is_some_and(is_word) && !after.is_some_and(is_word)
        })
    };
    // Written back, the examples spell out every field (defaults included)
    // and every variant they use.
    let mut names = std::collections::BTreeSet::new();
    for (_, body, _) in format_doc_blocks().iter().filter(|(info, _, _)| info == "ron") {
        let written = to_ron_string(&parse_scenario(body, "doc").expect("loads"));
        for line in written.lines() {
            let line = line.trim_start();
            let word: String = line.chars().take_while(|c| is_word(*c)).collect();
            let rest = &line[word.len()..];
            if !word.is_empty() && (rest.starts_with(':') || rest.starts_with('(')) {
                names.insert(word);
            }
            if let Some((_, value)) = line.split_once(": ") {
                let value: String = value.chars().take_while(|c| is_word(*c)).collect();
                if value.starts_with(|c: char| c.is_ascii_uppercase()) {
                    names.insert(value);
                }
            }
        }
    }
    names.extend(LbPolicy::ALL.iter().map(|p| format!("{p:?}")));
    assert!(names.len() > 80, "too few names collected: {names:?}");
    let missing: Vec<&String> = names.iter().filter(|n| !mentioned(n)).collect();
    assert!(missing.is_empty(), "not described in docs/scenario-format.md: {missing:?}");
}

/// Share of requests answered degraded end to end in `[from_s, to_s)`.
fn degraded_share(sim: &Simulation, from_s: f64, to_s: f64) -> f64 {
    share_of_arrivals(&end_to_end(sim, from_s, to_s), |w| w.degraded)
}

/// Share of requests that fail end to end in `[from_s, to_s)`.
fn failure_share(sim: &Simulation, from_s: f64, to_s: f64) -> f64 {
    share_of_arrivals(&end_to_end(sim, from_s, to_s), |w| w.failed)
}

#[test]
fn a_breaker_timeout_and_fallback_keep_a_slow_dependency_from_taking_the_shop_down() {
    let s = scenario("breaker-stops-a-cascade");
    let sim = run(&s);
    let report = sim.report();
    assert_eq!(report.end_to_end.failed, 0, "no request fails: {:?}", report.end_to_end.failures);
    assert!(success_share(&sim, 0.0, 30.0) > 0.99, "whole pages before the slowdown");
    assert!(degraded_share(&sim, 30.0, 60.0) > 0.98, "degraded pages, not errors, during it");
    assert!(success_share(&sim, 70.0, 90.0) > 0.99, "whole pages again within 10 s of its end");
    let recs = report.edges.iter().find(|e| e.from == "shop" && e.to == "recs").expect("shop → recs");
    assert!(recs.breaker_trips >= 5, "opened and probed again every 5 s: {recs:?}");
    assert_eq!(recs.fallbacks, report.end_to_end.degraded);

    // Try: remove all three — the slow dependency takes the shop down.
    let edge = s.edges.iter().position(|e| e.from == "shop" && e.to == "recs").expect("shop → recs");
    let mut bare = s.clone();
    bare.edges[edge].timeout_ms = None;
    bare.edges[edge].breaker = None;
    bare.edges[edge].fallback = None;
    let sim = run(&bare);
    assert!(failure_share(&sim, 30.0, 40.0) > 0.85, "{:.2}", failure_share(&sim, 30.0, 40.0));
    assert!(failure_share(&sim, 40.0, 60.0) > 0.99, "{:.2}", failure_share(&sim, 40.0, 60.0));
    // Keep only the timeout: the workers are freed, but every request fails.
    let mut timeout_only = bare.clone();
    timeout_only.edges[edge].timeout_ms = s.edges[edge].timeout_ms;
    let sim = run(&timeout_only);
    assert!(failure_share(&sim, 30.0, 60.0) > 0.98, "{:.2}", failure_share(&sim, 30.0, 60.0));
    // Remove only the timeout: slow calls are no failures, the breaker never opens.
    let mut no_timeout = s.clone();
    no_timeout.edges[edge].timeout_ms = None;
    let sim = run(&no_timeout);
    let recs = &sim.report().edges[edge];
    assert_eq!(recs.breaker_trips, 0, "a breaker cannot see slowness without a timeout: {recs:?}");
    assert!(failure_share(&sim, 40.0, 60.0) > 0.99);
}

#[test]
fn a_fan_out_to_100_shards_is_slower_than_any_shard_and_a_quorum_or_partial_results_fix_it() {
    let s = scenario("fan-out-tail-at-scale");
    let report = run(&s).report();
    let e2e = &report.end_to_end;
    let slowest_shard_p99 =
        report.nodes.iter().filter(|n| n.id.starts_with("shard-")).map(|n| n.stats.latency.p99_ms).fold(0.0, f64::max);
    assert!(e2e.latency.p50_ms > slowest_shard_p99, "median {} vs shard p99 {slowest_shard_p99}", e2e.latency.p50_ms);
    assert!(e2e.latency.p99_ms > 3.0 * slowest_shard_p99, "p99 {}", e2e.latency.p99_ms);

    // Try: a quorum of 95.
    let mut quorum = s.clone();
    service_mut(&mut quorum, "search").calls = CallOrder::Parallel { wait_for: WaitFor::Quorum(95) };
    let q = run(&quorum).report().end_to_end;
    assert!(q.latency.p50_ms < 40.0 && q.latency.p99_ms < 60.0, "{:?}", q.latency);

    // Try: a 50 ms timeout and a fallback on every shard call.
    let mut partial = s.clone();
    for e in &mut partial.edges[1..] {
        e.timeout_ms = Some(50.0);
        e.fallback = Some(FallbackSpec::Respond { latency: None });
    }
    let report = run(&partial).report();
    let p = &report.end_to_end;
    assert!(p.latency.max_ms < 65.0, "capped near the timeout: {:?}", p.latency);
    // Each shard call times out with probability t; a search is partial
    // unless all 100 came in time: 1 − (1 − t)^100 (fan_out_slow_share).
    let sent: u64 = report.edges[1..].iter().map(|e| e.stats.sent).sum();
    let timeouts: u64 = report.edges[1..].iter().map(|e| e.timeouts).sum();
    let expected = theory::fan_out_slow_share(timeouts as f64 / sent as f64, 100, 100);
    assert!((p.degraded_ratio - expected).abs() < 0.04, "degraded {:.3} vs {expected:.3}", p.degraded_ratio);
    assert_eq!(p.failed, 0);
}

#[test]
fn a_gc_pause_tips_retries_into_a_failure_that_outlives_it_and_a_budget_or_a_breaker_recovers() {
    let s = scenario("gc-pause-metastable");
    let sim = run(&s);
    let api = index(&s, "api");
    assert!(success_share(&sim, 0.0, 30.0) > 0.99, "healthy before the pause");
    let before = node_windows(&sim, api, 5.0, 30.0);
    assert!((0.7..0.8).contains(&utilisation(&before)), "75 % busy before: {:.2}", utilisation(&before));
    // The pause is 30–33 s. From 35 s to the end (85 s after it ended) no
    // window lets even a fifth of its requests through.
    for f in windows(&sim, 35.0, 120.0) {
        let w = &f.end_to_end;
        assert!(w.ok * 5 < w.arrivals, "{} of {} succeed at {} s", w.ok, w.arrivals, f.start_s);
    }
    assert!(success_share(&sim, 35.0, 120.0) < 0.01, "{:.3}", success_share(&sim, 35.0, 120.0));
    let stuck = node_windows(&sim, api, 40.0, 120.0);
    assert!(utilisation(&stuck) > 0.99, "the api stays saturated");
    assert!(mean(stuck.iter().map(|w| w.mean_queue_len)) > 390.0, "its line of 400 stays full");
    let attempts = sum(&stuck, |w| w.arrivals) as f64;
    let requests = sum(&end_to_end(&sim, 40.0, 120.0), |w| w.arrivals) as f64;
    assert!(attempts > 2.8 * requests, "3 attempts per request: {attempts} for {requests}");
    let log: Vec<&str> = sim.event_log().iter().map(|e| e.what.as_str()).collect();
    assert!(log.iter().any(|t| t.starts_with("api paused")) && log.iter().any(|t| t.starts_with("api resumes")));

    // The description's "Try" list, as it writes them: a budget, a breaker
    // and a shorter pause each recover within a few seconds of its end.
    let file = bundled("gc-pause-metastable").expect("bundled").source;
    let variant = |from: &str, to: &str| {
        assert_eq!(file.matches(from).count(), 1, "`{from}` once in the file");
        parse_scenario(&file.replace(from, to), "variant.ron").unwrap_or_else(|e| panic!("{to}:\n{e}"))
    };
    let budget = variant("jitter: 0.5)", "jitter: 0.5, budget: (ratio: 0.1))");
    let breaker = variant("latency: Constant(ms: 2))", "latency: Constant(ms: 2), breaker: (failure_rate: 0.5))");
    let short = variant("duration_s: 3)", "duration_s: 0.3)");
    for (what, variant, from_s) in
        [("a retry budget", budget, 37.0), ("a breaker", breaker, 37.0), ("a 0.3 s pause", short, 32.0)]
    {
        let sim = run(&variant);
        let share = success_share(&sim, from_s, 120.0);
        assert!(share > 0.95, "{what}: success share from {from_s} s {share:.3}");
    }
    // A pause longer than the clients' timeout tips it like the 3 s one.
    let sim = run(&variant("duration_s: 3)", "duration_s: 0.8)"));
    assert!(success_share(&sim, 40.0, 120.0) < 0.01, "a 0.8 s pause tips it too");
}

/// Goodput (ok answers per second) end to end in `[from_s, to_s)`.
fn goodput(sim: &Simulation, from_s: f64, to_s: f64) -> f64 {
    sum(&end_to_end(sim, from_s, to_s), |w| w.ok) as f64 / (to_s - from_s)
}

#[test]
fn shedding_keeps_a_service_at_capacity_through_a_spike_and_without_it_nothing_succeeds() {
    let s = scenario("shedding-survives-a-spike");
    let sim = run(&s);
    let capacity = 20.0 / 0.08;
    let during = goodput(&sim, 32.0, 60.0);
    assert!(during > 0.95 * capacity, "{during:.0}/s served during the spike, capacity {capacity}");
    assert!(success_share(&sim, 62.0, 90.0) > 0.99, "everyone served again after it");
    let report = sim.report();
    assert!(report.end_to_end.failures.shed > 30_000, "{:?}", report.end_to_end.failures);
    assert!(report.end_to_end.latency.p99_ms < 1_000.0, "those served are served before they give up");

    // Try: no shedding — nothing succeeds from 40 s to the end.
    let mut no_shedding = s.clone();
    service_mut(&mut no_shedding, "checkout").shed_after_ms = None;
    let sim = run(&no_shedding);
    assert_eq!(sum(&end_to_end(&sim, 40.0, 90.0), |w| w.ok), 0, "every answer comes after its shopper gave up");
    // Try: no shedding but a short line — as good as shedding.
    let mut short_line = no_shedding.clone();
    service_mut(&mut short_line, "checkout").queue_capacity = Some(50);
    let sim = run(&short_line);
    assert!(goodput(&sim, 32.0, 60.0) > 0.95 * capacity);
    assert!(success_share(&sim, 62.0, 90.0) > 0.99);
}

/// Share of node `i`'s requests that succeed in `[from_s, to_s)`.
fn node_success_share(sim: &Simulation, i: usize, from_s: f64, to_s: f64) -> f64 {
    share_of_arrivals(&node_windows(sim, i, from_s, to_s), |w| w.ok)
}

#[test]
fn priority_classes_keep_checkout_served_through_a_spike_of_browsing() {
    let s = scenario("priority-keeps-checkout-alive");
    let (checkout, browse) = (index(&s, "checkout"), index(&s, "browse"));
    let sim = run(&s);
    let during = |sim: &Simulation, i| node_success_share(sim, i, 31.0, 60.0);
    assert!(during(&sim, checkout) > 0.99, "checkouts during the spike: {}", during(&sim, checkout));
    assert!((0.12..0.3).contains(&during(&sim, browse)), "browsing served: {}", during(&sim, browse));
    assert!(sim.report().end_to_end.failures.shed > 500, "sheddable requests pushed out");
    let diagnosis = archsim::diagnosis::diagnose(&sim.report(), &s);
    assert!(
        diagnosis.findings.iter().any(|f| f.cause.to_string().contains("more important requests took the places")),
        "the verdict says why they were shed: {:#?}",
        diagnosis.findings
    );

    // Try: both Standard — checkouts fail as often as browsing, and the
    // verdict suggests priorities.
    let mut flat = s.clone();
    client_mut(&mut flat, "checkout").priority = Priority::Standard;
    client_mut(&mut flat, "browse").priority = Priority::Standard;
    let sim = run(&flat);
    assert!(during(&sim, checkout) < 0.35, "checkouts without priorities: {}", during(&sim, checkout));
    let diagnosis = archsim::diagnosis::diagnose(&sim.report(), &flat);
    assert!(diagnosis.advice().iter().any(|a| a.key() == "mark_priorities"), "{:#?}", diagnosis.advice());

    // Try: 100 workers — room for the whole spike, nothing shed.
    let mut roomy = s.clone();
    service_mut(&mut roomy, "api").workers = 100;
    let report = run(&roomy).report();
    assert_eq!(report.end_to_end.failed, 0, "{:?}", report.end_to_end.failures);
}

#[test]
fn retried_payments_are_charged_twice_without_idempotency_keys() {
    let s = scenario("payments-charged-twice");
    let (shop, ledger) = (index(&s, "shop"), index(&s, "ledger"));
    let sim = run(&s);
    let report = sim.report();
    let ledger_stats = &report.nodes[ledger].stats;
    assert_eq!(report.end_to_end.failed, 0, "every charge succeeds");
    assert!((80..200).contains(&ledger_stats.duplicate_writes), "charged twice: {}", ledger_stats.duplicate_writes);
    let diagnosis = archsim::diagnosis::diagnose(&report, &s);
    assert!(diagnosis.headline.contains("twice"), "{}", diagnosis.headline);
    assert!(diagnosis.advice().iter().any(|a| a.key() == "add_idempotency_keys"));
    let twice = ledger_stats.duplicate_writes;

    // Try: idempotency keys — the same retries, none applied twice.
    let mut keyed = s.clone();
    client_mut(&mut keyed, "shop").idempotency_keys = true;
    let report = run(&keyed).report();
    let stats = &report.nodes[ledger].stats;
    assert_eq!((stats.duplicate_writes, stats.deduplicated_writes), (0, twice));

    // Try: no retries — nothing twice, but failed payments that were charged.
    let mut no_retries = s.clone();
    client_mut(&mut no_retries, "shop").retry = None;
    let report = run(&no_retries).report();
    assert_eq!(report.nodes[ledger].stats.duplicate_writes, 0);
    let failed = report.nodes[shop].stats.failed;
    assert!(failed > 50, "customers told their payment failed: {failed}");
    // The ledger wrote the charges the shop had given up on.
    let written_after_giving_up = report.nodes[ledger].stats.ok - report.nodes[shop].stats.ok;
    assert!(written_after_giving_up * 10 >= failed * 9, "{written_after_giving_up} of {failed} failed charges written");
}

/// The lesson of the saturated link: the answers' direction of a 10 Mbit/s
/// uplink is what breaks under a spike while the server idles; answers a
/// third of the size (Protocol Buffers) or a link a third faster fix it.
#[test]
fn a_saturated_link_fails_requests_while_the_server_idles_and_smaller_answers_fix_it() {
    let s = scenario("saturated-link-json-or-protobuf");
    let (users, search) = (index(&s, "users"), index(&s, "search"));
    let report = run(&s).report();
    let link = &report.edges[edge_index(&s, "users", "search")].stats;
    assert!(link.back_utilisation.is_some_and(|u| u > 0.85), "the answers keep the link busy: {link:?}");
    assert!(report.nodes[search].stats.utilisation.is_some_and(|u| u < 0.2), "search idles");
    let failed = report.nodes[users].stats.failed;
    assert!((2_000..5_000).contains(&failed), "the spike's queue outlasts the users' timeout: {failed}");
    assert_eq!(failed, report.nodes[users].stats.failures.timeout);
    let diagnosis = archsim::diagnosis::diagnose(&report, &s);
    assert!(diagnosis.headline.starts_with("The link from users to search is saturated"), "{}", diagnosis.headline);
    let advised = diagnosis.advice().iter().find_map(|a| match a {
        archsim::diagnosis::Advice::ShrinkPayloads { needed_mbps, .. } => Some(*needed_mbps),
        _ => None,
    });
    assert_eq!(diagnosis.advice().first().map(|a| a.key()), Some("shrink_payloads"), "{:#?}", diagnosis.advice());

    // Try: Protocol Buffers, a third of the size.
    let mut smaller = s.clone();
    smaller.edges[0].response_kb = Some(SizeSpec::Exponential { mean_kb: 1.0 });
    let report = run(&smaller).report();
    assert_eq!(report.end_to_end.failed, 0, "{:?}", report.end_to_end.failures);
    assert!(report.end_to_end.latency.p99_ms < 100.0, "{:?}", report.end_to_end.latency);

    // Try: the bandwidth the verdict advises (13 Mbit/s, as the description says).
    assert_eq!(advised, Some(13.0));
    let mut faster = s.clone();
    faster.edges[0].bandwidth_mbps = advised;
    assert_eq!(run(&faster).report().end_to_end.failed, 0);
}

fn edge_index(s: &Scenario, from: &str, to: &str) -> usize {
    s.edges.iter().position(|e| e.from == from && e.to == to).unwrap_or_else(|| panic!("no edge {from} -> {to}"))
}

#[test]
fn a_bulkhead_keeps_a_slow_dependency_from_taking_the_stock_checks_down_with_it() {
    let s = scenario("bulkheads-isolate-a-slow-dependency");
    let sim = run(&s);
    let (api, inventory) = (index(&s, "api"), index(&s, "inventory"));
    let edge = edge_index(&s, "router", "recs");
    assert!(success_share(&sim, 0.0, 30.0) > 0.99, "healthy before the slowdown");
    // recs is 50× slower from 30 s to 60 s. Every stock check still
    // succeeds: the requests answered ok are at least those inventory
    // answered (plus the few recommendations that came back in time).
    let stock_checks = sum(&node_windows(&sim, inventory, 30.0, 60.0), |w| w.ok) as f64;
    let slow = end_to_end(&sim, 30.0, 60.0);
    let ok = sum(&slow, |w| w.ok) as f64;
    assert!(ok > 0.99 * stock_checks, "{ok} ok for {stock_checks} stock checks");
    assert!(success_share(&sim, 30.0, 60.0) > 0.79, "{:.3}", success_share(&sim, 30.0, 60.0));
    let degraded = degraded_share(&sim, 30.0, 60.0);
    assert!((0.15..0.2).contains(&degraded), "recommendations answered by the fallback: {degraded:.3}");
    // What fails is a recommendation let through the bulkhead that took
    // longer than the users' timeout.
    assert_eq!(sum(&slow, |w| w.failed), sum(&slow, |w| w.failures.timeout), "{:?}", sim.report().end_to_end);
    assert!(failure_share(&sim, 30.0, 60.0) < 0.02, "{:.3}", failure_share(&sim, 30.0, 60.0));
    let api_slow = node_windows(&sim, api, 30.0, 60.0);
    assert_eq!(sum(&api_slow, |w| w.failures.rejected), 0, "the api's queue never fills");
    assert!(mean(api_slow.iter().map(|w| w.mean_queue_len)) < 0.5, "nor grows");
    let busy = utilisation(&api_slow);
    assert!(busy < 0.5, "at most 10 of its 30 workers wait on recs: {busy:.2} busy");
    assert!(success_share(&sim, 65.0, 90.0) > 0.99, "whole pages again after the slowdown");
    let report = sim.report();
    let recs = &report.edges[edge];
    assert_eq!(recs.bulkhead_full, recs.fallbacks, "every refusal answered by the fallback: {recs:?}");
    assert_eq!(recs.fallbacks, report.end_to_end.degraded);

    // Try: remove max_concurrent: the cascade. The fallback alone cannot
    // help (a slow call is no failure), and inventory stays fast throughout.
    let mut bare = s.clone();
    bare.edges[edge].max_concurrent = None;
    let sim = run(&bare);
    assert_eq!(sum(&end_to_end(&sim, 35.0, 60.0), |w| w.ok), 0, "nothing succeeds from 35 s to 60 s");
    let api_slow = node_windows(&sim, api, 35.0, 60.0);
    assert!(utilisation(&api_slow) > 0.99, "every worker waits on recs");
    assert!(sum(&api_slow, |w| w.failures.rejected) > 0, "the api's queue fills");
    let inventory_p99 = |from, to| mean(node_windows(&sim, inventory, from, to).iter().map(|w| w.latency.p99_ms));
    let (before, during) = (inventory_p99(0.0, 30.0), inventory_p99(35.0, 60.0));
    assert!(during < 1.2 * before, "inventory's p99 {before:.1} ms before, {during:.1} ms during the slowdown");
    assert!(success_share(&sim, 65.0, 90.0) > 0.99, "it recovers when recs does");

    // Try: the bulkhead without the fallback: as many ok, the refused fail fast.
    let mut no_fallback = s.clone();
    no_fallback.edges[edge].fallback = None;
    let sim = run(&no_fallback);
    assert!(success_share(&sim, 30.0, 60.0) > 0.79, "{:.3}", success_share(&sim, 30.0, 60.0));
    let slow = end_to_end(&sim, 30.0, 60.0);
    let refused = sum(&slow, |w| w.failures.bulkhead_full) as f64 / sum(&slow, |w| w.arrivals) as f64;
    assert!((0.15..0.2).contains(&refused), "'bulkhead full': {refused:.3}");
    assert_eq!(sum(&slow, |w| w.degraded), 0);

    // Try: a bulkhead of 2 refuses even normal traffic, as Erlang B says
    // for its mean calls in flight (recs has ample workers, so the edge
    // is a loss system with 2 places).
    let mut tight = s.clone();
    tight.edges[edge].max_concurrent = Some(2);
    let sim = run(&tight);
    let calm: Vec<_> = windows(&sim, 0.0, 30.0).into_iter().map(|f| &f.edges[edge]).collect();
    let (sent, refused) = (calm.iter().map(|e| e.sent).sum::<u64>(), calm.iter().map(|e| e.failed).sum::<u64>());
    let recs_ms = service_mut(&mut tight, "recs").service_time.mean_ms().expect("a mean");
    let round_trip_ms = 1.0;
    let offered = sent as f64 / 30.0 * (recs_ms + round_trip_ms) / 1_000.0;
    let expected = theory::erlang_b(2, offered);
    let share = refused as f64 / sent as f64;
    assert!((share - expected).abs() < 0.05, "refused {share:.3} of {sent} calls, Erlang B {expected:.3}");
    assert!((0.04..0.08).contains(&degraded_share(&sim, 0.0, 30.0)), "{:.3}", degraded_share(&sim, 0.0, 30.0));

    // Try: a 300 ms timeout on the same edge: the slow calls let through fall back too.
    let mut timeout = s.clone();
    timeout.edges[edge].timeout_ms = Some(300.0);
    let sim = run(&timeout);
    assert_eq!(sim.report().end_to_end.failed, 0, "{:?}", sim.report().end_to_end.failures);
    assert!(success_share(&sim, 30.0, 60.0) > 0.79);
    for tried in ["remove max_concurrent", "remove the fallback", "bulkhead of 2", "timeout_ms: 300"] {
        assert!(s.description.contains(tried), "the description's Try list has `{tried}`");
    }
}

/// `P(X > x)` for a log-normal `X` with median `p50_ms` and 99th
/// percentile `p99_ms` (erfc after Numerical Recipes' `erfcc`, to 1.2e-7).
fn lognormal_tail(p50_ms: f64, p99_ms: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let (mu, sigma) = archsim::scenario::lognormal_params_from_percentiles(p50_ms, p99_ms).expect("a log-normal");
    let z = (x.ln() - mu) / sigma / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * z.abs());
    let poly = [
        -1.265_512_23,
        1.000_023_68,
        0.374_091_96,
        0.096_784_18,
        -0.186_288_06,
        0.278_868_07,
        -1.135_203_98,
        1.488_515_87,
        -0.822_152_23,
        0.170_872_77,
    ];
    let sum = poly.iter().rev().fold(0.0, |acc, c| c + t * acc);
    let erfc = t * (-z * z + sum).exp();
    0.5 * if z >= 0.0 { erfc } else { 2.0 - erfc }
}

#[test]
fn hedging_after_the_p95_cuts_a_fan_outs_p99_by_more_than_half_for_about_5_percent_more_calls() {
    let s = scenario("hedged-requests-cut-the-tail");
    let file = bundled("hedged-requests-cut-the-tail").expect("bundled").source;
    let hedge = ", hedge: (delay_ms: 25))";
    assert_eq!(file.matches(hedge).count(), 200, "both edges of the 100 balancers hedge after 25 ms");
    let variant =
        |to: &str| parse_scenario(&file.replace(hedge, to), "variant.ron").unwrap_or_else(|e| panic!("{to}:\n{e}"));
    let (p50_ms, p99_ms) = match &s.nodes[index(&s, "shard-00a")].kind {
        NodeKind::Service(ServiceSpec {
            service_time: DistributionSpec::LogNormalPercentiles { p50_ms, p99_ms },
            ..
        }) => (*p50_ms, *p99_ms),
        other => panic!("a replica is {other:?}"),
    };
    // A call from a balancer takes 1 ms of network plus the replica's
    // time S; hedged after d, its copy answers after d + 1 ms + S₂.
    let call_tail = |t: f64, delay: Option<f64>| {
        let first = lognormal_tail(p50_ms, p99_ms, t - 1.0);
        delay.map_or(first, |d| first * lognormal_tail(p50_ms, p99_ms, t - d - 1.0))
    };
    // Users wait 10 ms of network, 1 ms at the search, and the slowest of
    // 100 calls: its p99 is where P(all 100 calls ≤ t) = 0.99.
    let p99_theory = |delay: Option<f64>| {
        let (mut lo, mut hi) = (0.0, 10_000.0);
        for _ in 0..60 {
            let t = f64::midpoint(lo, hi);
            if (1.0 - call_tail(t, delay)).powi(100) < 0.99 { lo = t } else { hi = t }
        }
        11.0 + lo
    };
    // (p50 and p99 end to end in ms, copies sent per call)
    let measure = |s: &Scenario| {
        let report = run(s).report();
        let sent = |from: &dyn Fn(&str) -> bool| -> u64 {
            report.edges.iter().filter(|e| from(&e.from)).map(|e| e.stats.sent).sum()
        };
        let shard_calls = sent(&|from| from == "search");
        let replica_calls = sent(&|from| from.starts_with("shard-"));
        let hedges: u64 = report.edges.iter().map(|e| e.hedges).sum();
        assert_eq!(replica_calls, shard_calls + hedges, "each copy is one more call to a replica");
        assert_eq!(report.end_to_end.failed, 0);
        let latency = &report.end_to_end.latency;
        (latency.p50_ms, latency.p99_ms, hedges as f64 / shard_calls as f64)
    };

    let (p50, p99, extra) = measure(&s);
    // A copy goes out for the share of calls slower than the delay.
    let expected = call_tail(25.0, None);
    assert!((extra - expected).abs() < 0.005, "{extra:.4} more calls, theory {expected:.4}");
    assert!((0.04..0.07).contains(&extra), "about 5 % more calls: {extra:.4}");
    let theory = p99_theory(Some(25.0));
    assert!((p99 - theory).abs() < 0.1 * theory, "p99 {p99:.1} ms, theory {theory:.1} ms");

    // Try: no hedging: the tail at scale, with no extra calls.
    let (p50_none, p99_none, extra_none) = measure(&variant(")"));
    assert_eq!(extra_none, 0.0);
    let theory = p99_theory(None);
    assert!((p99_none - theory).abs() < 0.1 * theory, "p99 {p99_none:.1} ms, theory {theory:.1} ms");
    assert!(p99 < 0.45 * p99_none, "hedging cuts the p99 from {p99_none:.0} ms to {p99:.0} ms");
    assert!(p50 < 0.75 * p50_none, "and the median from {p50_none:.0} ms to {p50:.0} ms");

    // Try: hedging later, at the call's p99, sends a fifth as many copies
    // and keeps most of the cut (a third of the run is enough to see it).
    let mut late = variant(", hedge: (delay_ms: 50))");
    late.duration_s /= 3.0;
    let (_, p99_late, extra_late) = measure(&late);
    let expected = call_tail(50.0, None);
    assert!((extra_late - expected).abs() < 0.003, "{extra_late:.4} more calls, theory {expected:.4}");
    assert!(p99 < p99_late && p99_late < 0.6 * p99_none, "p99 {p99_late:.1} ms hedging after 50 ms");

    // Try: hedging sooner (about the p70) sends five times as many copies for
    // little more: most of the gain came with the first 5 %.
    let mut soon = variant(", hedge: (delay_ms: 10))");
    soon.duration_s /= 3.0;
    let (_, p99_soon, extra_soon) = measure(&soon);
    assert!(extra_soon > 4.0 * extra, "{extra_soon:.3} more calls");
    assert!(p99_soon > 0.8 * p99, "p99 {p99_soon:.1} ms against {p99:.1} ms");
    assert!(p99 - p99_soon < 0.2 * (p99_none - p99), "the first 5 % bought most of the cut");
    assert!(s.description.contains("hedge: (delay_ms: 25)") && s.description.contains("delay_ms: 10"));
}

#[test]
fn outlier_ejection_takes_a_replica_that_fails_while_up_out_of_rotation() {
    let s = scenario("outlier-ejection-catches-a-bad-deploy");
    let (lb, bad) = (index(&s, "lb"), index(&s, "app-3"));
    let report = run(&s).report();
    assert!(report.end_to_end.failed < 200, "a few requests fail before each ejection: {}", report.end_to_end.failed);
    let balancer = report.nodes[lb].balancer.as_ref().expect("a balancer's counts");
    assert!(balancer.ejections >= 2, "ejected, back, ejected again: {balancer:?}");
    assert_eq!(balancer.checks_failed, 0, "its health checks kept passing");
    assert!(report.nodes[bad].stats.arrivals < 4_000, "app-3 got far less than its third");

    // Try: no outlier ejection — the checks pass, app-3 keeps its third, and
    // the verdict suggests ejection.
    let mut without = s.clone();
    match &mut without.nodes[lb].kind {
        NodeKind::LoadBalancer(spec) => spec.outlier_ejection = None,
        other => panic!("not a balancer: {other:?}"),
    }
    let report = run(&without).report();
    let from_30 = end_to_end(&run(&without), 30.0, 90.0).iter().map(|w| w.failed).sum::<u64>();
    assert!(from_30 > 2_000, "a sixth of the traffic fails from 30 s: {from_30}");
    let diagnosis = archsim::diagnosis::diagnose(&report, &without);
    assert!(diagnosis.advice().iter().any(|a| a.key() == "add_outlier_ejection"), "{:#?}", diagnosis.advice());
}

/// The service's ready instances at the end of the run.
fn ready_instances(sim: &Simulation, i: usize) -> u32 {
    sim.node_live(i).and_then(|l| l.instances).map_or(0, |c| c.ready)
}

#[test]
fn autoscaling_catches_a_spike_only_after_its_cold_start() {
    let s = scenario("autoscaling-catches-a-spike");
    let app = index(&s, "app");
    let sim = run(&s);
    assert!(success_share(&sim, 20.0, 60.0) > 0.99, "healthy before the step");
    let bump = success_share(&sim, 70.0, 120.0);
    assert!(bump < 0.85, "the old instances cannot take the step while new ones boot: {bump:.3} succeed");
    assert!(success_share(&sim, 200.0, 420.0) > 0.99, "healthy once the new instances serve");
    let ready = ready_instances(&sim, app);
    assert!((7..=10).contains(&ready), "about ceil(900 × 0.04 / (8 × 0.6)) = 8 instances: {ready}");
    let first_ready = sim
        .event_log()
        .iter()
        .find(|e| e.kind == archsim::sim::SimEventKind::InstanceReady)
        .map(|e| e.at.as_secs())
        .expect("an instance became ready");
    assert!((120.0..=136.0).contains(&first_ready), "a decision by 75 s, then 60 s of boot: {first_ready}");

    // Try: a cold start of 10 s — the bump is a fraction as long.
    let mut quick = s.clone();
    if let Some(a) = &mut service_mut(&mut quick, "app").autoscale {
        a.cold_start_s = 10.0;
    }
    let sim = run(&quick);
    assert!(success_share(&sim, 100.0, 420.0) > 0.99, "healthy from 100 s on");
    // Try: a minimum of 5 instances — no bump at all.
    let mut five = s.clone();
    let spec = service_mut(&mut five, "app");
    spec.instances = 5;
    if let Some(a) = &mut spec.autoscale {
        a.min = 5;
    }
    let sim = run(&five);
    assert!(success_share(&sim, 60.0, 420.0) > 0.99, "five instances take the step");
}

#[test]
fn a_missing_index_is_fine_in_development_and_fatal_at_production_size() {
    let s = scenario("missing-index-at-production-size");
    let orders = index(&s, "orders");
    let report = run(&s).report();
    let failed = report.end_to_end.failed as f64 / report.end_to_end.arrivals as f64;
    assert!((0.45..0.55).contains(&failed), "half the requests fail: {failed}");
    assert!(report.nodes[orders].stats.utilisation.unwrap_or(0.0) > 0.99);
    assert!(report.nodes[orders].stats.failures.rejected > 0);
    let diagnosis = archsim::diagnosis::diagnose(&report, &s);
    let top = diagnosis.findings.first().expect("a finding");
    assert!(
        matches!(&top.cause, archsim::diagnosis::Cause::FullTableScan { node, rows: 10_000_000, .. } if node == "orders"),
        "{:?}",
        top.cause
    );
    assert_eq!(top.advice.first().map(archsim::diagnosis::Advice::key), Some("add_index"), "{:#?}", top.advice);

    // In development: the same scan over 10,000 rows is 0.2 ms.
    let mut dev = s.clone();
    database_mut(&mut dev, "orders").table.as_mut().expect("a table").rows = 10_000;
    let report = run(&dev).report();
    assert_eq!(report.end_to_end.failed, 0);
    assert!(report.nodes[orders].stats.utilisation.unwrap_or(1.0) < 0.05);
    assert!(report.end_to_end.latency.p99_ms < 30.0, "p99 {}", report.end_to_end.latency.p99_ms);

    // Try: the index, at production size.
    let mut indexed = s.clone();
    database_mut(&mut indexed, "orders").table.as_mut().expect("a table").index = true;
    let report = run(&indexed).report();
    assert_eq!(report.end_to_end.failed, 0);
    assert!(report.nodes[orders].stats.utilisation.unwrap_or(1.0) < 0.05);
    assert!(report.end_to_end.latency.p99_ms < 30.0, "p99 {}", report.end_to_end.latency.p99_ms);
    let diagnosis = archsim::diagnosis::diagnose(&report, &indexed);
    assert!(diagnosis.headline.starts_with("Healthy"), "{}", diagnosis.headline);
}

#[test]
fn a_hot_shard_under_zipf_keys_saturates_while_the_others_idle() {
    let s = scenario("hot-shard-under-zipf-keys");
    let profiles = index(&s, "profiles");
    let report = run(&s).report();
    let shards = &report.nodes[profiles].shards;
    assert_eq!(shards.len(), 4);
    let busiest = shards.iter().map(|s| s.utilisation).fold(0.0, f64::max);
    let idlest = shards.iter().map(|s| s.utilisation).fold(1.0, f64::min);
    assert!(busiest > 0.99 && idlest < 0.25, "{shards:?}");
    let node = report.nodes[profiles].stats.utilisation.unwrap_or(1.0);
    assert!(node < 0.6, "the database's average hides it: {node}");
    let failed = report.end_to_end.failed as f64 / report.end_to_end.arrivals as f64;
    assert!((0.04..0.10).contains(&failed), "{failed}");
    let diagnosis = archsim::diagnosis::diagnose(&report, &s);
    let top = diagnosis.findings.first().expect("a finding");
    assert!(matches!(&top.cause, archsim::diagnosis::Cause::HotShard { shard: 1, shards: 4, .. }), "{:?}", top.cause);
    assert_eq!(top.advice.first().map(archsim::diagnosis::Advice::key), Some("better_shard_key"));
    assert!(top.advice.iter().any(|a| a.key() == "put_cache_in_front"));

    // Try: more shards — nothing fails, but the hottest key's shard stays near 90 %.
    for (n, at_least) in [(8, 0.85), (16, 0.85)] {
        let mut more = s.clone();
        database_mut(&mut more, "profiles").shards = n;
        let report = run(&more).report();
        let shards = &report.nodes[profiles].shards;
        let busiest = shards.iter().map(|s| s.utilisation).fold(0.0, f64::max);
        let mean = shards.iter().map(|s| s.utilisation).sum::<f64>() / shards.len() as f64;
        assert!(busiest > at_least && mean < 0.3, "{n} shards: {shards:?}");
        let diagnosis = archsim::diagnosis::diagnose(&report, &more);
        assert!(diagnosis.headline.contains("shard"), "{}", diagnosis.headline);
    }

    // Try: a cache in front — every shard idles.
    let mut cached = s.clone();
    cached.nodes.push(NodeSpec {
        id: "cache".into(),
        pos: (240.0, 220.0),
        zone: None,
        region: None,
        kind: NodeKind::Cache(CacheSpec {
            mode: CacheMode::Lru { capacity: 10_000, ttl_s: None },
            lookup_time: DistributionSpec::Constant { ms: 0.3 },
            ..CacheSpec::default()
        }),
    });
    cached.edges = vec![EdgeSpec::new("users", "cache"), EdgeSpec::new("cache", "profiles")];
    let report = run(&cached).report();
    assert_eq!(report.end_to_end.failed, 0);
    let shards = &report.nodes[profiles].shards;
    assert!(shards.iter().all(|s| s.utilisation < 0.05), "{shards:?}");
}

/// A node's cost in the report, projected to a month of 730 hours.
fn per_month_usd(report: &archsim::sim::Report, node: &str) -> f64 {
    let billed = report.cost.nodes.iter().find(|n| n.node == node).unwrap_or_else(|| panic!("{node} is not billed"));
    billed.usd / report.cost.hours * archsim::sim::cost::HOURS_PER_MONTH
}

/// The worst p99 of a node's 10 s windows: an SLO holds at the peak, not
/// only over the day.
fn worst_window_p99(sim: &Simulation, node: usize) -> f64 {
    sim.series().frames().iter().map(|f| f.nodes[node].latency.p99_ms).fold(0.0, f64::max)
}

#[test]
fn three_fleets_meet_the_same_slo_and_the_autoscaled_one_costs_least() {
    const SLO_P99_MS: f64 = 200.0;
    let s = scenario("over-provisioned-right-sized-autoscaled");
    let sim = run(&s);
    let report = sim.report();
    let variants = [("users-over", "over-provisioned"), ("users-right", "right-sized"), ("users-auto", "autoscaled")];
    let mut months = Vec::new();
    for (client, service) in variants {
        let i = index(&s, client);
        let stats = &report.nodes[i].stats;
        let (p99, worst, month) = (stats.latency.p99_ms, worst_window_p99(&sim, i), per_month_usd(&report, service));
        assert_eq!(stats.failed, 0, "{service}: {:?}", stats.failures);
        assert!(
            p99 < SLO_P99_MS && worst < SLO_P99_MS,
            "{service}: p99 {p99:.0} ms over the day, {worst:.0} ms in its worst window, SLO {SLO_P99_MS} ms"
        );
        months.push((service, p99, month));
    }
    let [(_, over_p99, over), (_, right_p99, right), (_, auto_p99, auto)] = months[..] else { unreachable!() };
    let numbers =
        format!("p99 {over_p99:.0} / {right_p99:.0} / {auto_p99:.0} ms, ${over:.0} / ${right:.0} / ${auto:.0} a month");
    assert!((over_p99 - auto_p99).abs() < 10.0, "the same p99 for every fleet: {numbers}");
    assert!(over > right && right > auto, "over-provisioned > right-sized > autoscaled: {numbers}");
    assert!((over - 584.0).abs() < 1.0 && (right - 219.0).abs() < 1.0, "8 and 3 instances at $0.10 an hour: {numbers}");
    assert!((130.0..175.0).contains(&auto), "about 2.1 instances on average: {numbers}");
    let autoscaled = index(&s, "autoscaled");
    let peak = windows(&sim, 550.0, 650.0)
        .iter()
        .map(|f| f.nodes[autoscaled].instances.map_or(0.0, |i| i.ready))
        .fold(0.0, f64::max);
    assert!((peak - 3.0).abs() < 1e-9, "as many instances as the right-sized fleet at noon: {peak}");

    // Try: a target of 85 % — cheaper, but the new instances come too late.
    let mut hot = s.clone();
    if let Some(a) = &mut service_mut(&mut hot, "autoscaled").autoscale {
        a.target = archsim::scenario::ScaleTarget::Utilisation(0.85);
    }
    let report = run(&hot).report();
    let users = &report.nodes[index(&s, "users-auto")].stats;
    let month = per_month_usd(&report, "autoscaled");
    assert!(
        users.latency.p99_ms > 2.0 * SLO_P99_MS && users.failed > 200 && month < 0.8 * auto,
        "target 85 %: p99 {:.0} ms, {} failed, ${month:.0} a month",
        users.latency.p99_ms,
        users.failed
    );

    // Try: the right-sized fleet at 2 instances — the SLO holds, barely.
    let mut two = s.clone();
    service_mut(&mut two, "right-sized").instances = 2;
    let sim2 = run(&two);
    let worst = worst_window_p99(&sim2, index(&s, "users-right"));
    assert!((160.0..SLO_P99_MS).contains(&worst), "2 instances at noon: worst p99 {worst:.0} ms");

    // Try: a spike of 1.6 at noon — only the over-provisioned fleet does not notice.
    let mut spiked = s.clone();
    for (client, _) in variants {
        spiked.faults.push(archsim::scenario::FaultSpec::Spike {
            node: client.into(),
            at_s: 540.0,
            duration_s: 60.0,
            factor: 1.6,
        });
    }
    let sim3 = run(&spiked);
    let worst: Vec<f64> = variants.iter().map(|(c, _)| worst_window_p99(&sim3, index(&s, c))).collect();
    assert!(
        worst[0] < SLO_P99_MS && worst[1] > SLO_P99_MS && worst[2] > SLO_P99_MS,
        "worst p99 in the spike, over / right / auto: {worst:?}"
    );
}

#[test]
fn microservices_cost_the_monolith_their_hops_in_latency_and_more_instances_in_money() {
    let s = scenario("monolith-or-microservices");
    let (mono, micro) = (index(&s, "users-mono"), index(&s, "users-micro"));
    let report = run(&s).report();
    let (m, u) = (&report.nodes[mono].stats, &report.nodes[micro].stats);
    assert_eq!((m.failed, u.failed), (0, 0), "{:?} {:?}", m.failures, u.failures);
    // Three hops of 1 ms each way, and 1 ms of encoding and decoding at each end of each: 12 ms.
    let hops_ms = 3.0 * (2.0 * 1.0 + 2.0 * 1.0);
    let (p50, p99) = (u.latency.p50_ms - m.latency.p50_ms, u.latency.p99_ms - m.latency.p99_ms);
    let latencies = format!(
        "p50 {:.1} vs {:.1} ms, p99 {:.1} vs {:.1} ms",
        u.latency.p50_ms, m.latency.p50_ms, u.latency.p99_ms, m.latency.p99_ms
    );
    assert!((p50 - hops_ms).abs() < 2.0, "the p50 grows by the hops' {hops_ms} ms: {latencies}");
    assert!(p99 > hops_ms - 2.0 && p99 < 2.0 * hops_ms, "the p99 by about as much: {latencies}");
    let monolith = per_month_usd(&report, "monolith");
    let split: f64 = ["gateway", "auth", "catalog", "pricing"].iter().map(|n| per_month_usd(&report, n)).sum();
    assert!(
        (monolith - 146.0).abs() < 1.0 && (split - 365.0).abs() < 1.0,
        "2 instances at $0.10 an hour against 2 at $0.10 and 6 at $0.05: ${monolith:.0} vs ${split:.0} a month"
    );
    let inner = edge_index(&s, "gateway", "catalog");
    assert!(report.edges[inner].stats.response_bytes > 0, "the catalog's answers cross the network");

    // Try: the services in other zones, 3 ms each way — the gap triples.
    let mut zones = s.clone();
    for e in zones.edges.iter_mut().filter(|e| e.from == "gateway") {
        e.latency = Some(DistributionSpec::Constant { ms: 3.0 });
    }
    let report = run(&zones).report();
    let gap = report.nodes[micro].stats.latency.p50_ms - report.nodes[mono].stats.latency.p50_ms;
    assert!((gap - 24.0).abs() < 2.5, "3 × 2 × 3 ms of network and 6 ms of encoding: {gap:.1} ms");

    // Try: the gateway calls all three at once — the hops overlap, and the p50 is the monolith's.
    let mut parallel = s.clone();
    service_mut(&mut parallel, "gateway").calls = CallOrder::Parallel { wait_for: WaitFor::All };
    let report = run(&parallel).report();
    let gap = report.nodes[micro].stats.latency.p50_ms - report.nodes[mono].stats.latency.p50_ms;
    assert!(gap.abs() < 2.0, "in parallel the microservices' p50 is the monolith's: {gap:.1} ms apart");

    // Try: crash catalog — every page of the microservices fails.
    let mut crashed = s.clone();
    crashed.faults.push(archsim::scenario::FaultSpec::Crash { node: "catalog".into(), at_s: 30.0, restore_s: None });
    let sim = run(&crashed);
    assert!(success_share(&sim, 40.0, 120.0) < 0.55, "only the monolith's half of the pages succeed");
    let late = node_windows(&sim, micro, 40.0, 120.0);
    assert_eq!(sum(&late, |w| w.ok), 0, "no microservices page succeeds without catalog");
}
