//! The classic designs of the library's "Classic designs" topic teach by
//! their numbers, as the lessons do (`scenarios.rs`): each test runs one
//! template, checks the lesson its description states, and then makes the
//! description's "Try:" edits to the file's text, as a learner would, and
//! checks they do what it says. Runs of a "Try:" are cut short where the
//! claim shows within the first seconds, to keep the suite quick.

use archsim::scenario::{Scenario, bundled, parse_scenario};
use archsim::sim::{SimTime, Simulation, Stats};

/// A bundled scenario, parsed.
fn scenario(name: &str) -> Scenario {
    let file = bundled(name).unwrap_or_else(|| panic!("no bundled scenario {name}"));
    file.load().unwrap_or_else(|e| panic!("{name} does not load:\n{e}"))
}

/// The bundled scenario with a "Try:" of its description made to its text:
/// each `(from, to)` replaces text that must occur in the file exactly once,
/// so a test cannot silently try something else than the file says.
fn tried(name: &str, edits: &[(&str, &str)]) -> Scenario {
    let file = bundled(name).unwrap_or_else(|| panic!("no bundled scenario {name}"));
    let mut source = file.source.to_string();
    for (from, to) in edits {
        assert_eq!(source.matches(from).count(), 1, "{name}: `{from}` should occur once");
        source = source.replacen(from, to, 1);
    }
    parse_scenario(&source, file.file_name).unwrap_or_else(|e| panic!("{name} with {edits:?} does not load:\n{e}"))
}

/// Runs a scenario for `secs` simulated seconds (its full duration if `None`).
fn run(s: &Scenario, secs: Option<f64>) -> Simulation {
    let mut sim = Simulation::new(s).unwrap_or_else(|e| panic!("{} does not build: {e}", s.name));
    sim.run_until(SimTime::from_secs(secs.unwrap_or(s.duration_s)));
    sim
}

fn index(s: &Scenario, id: &str) -> usize {
    s.node_index(id).unwrap_or_else(|| panic!("no node {id} in {}", s.name))
}

/// A node's stats in each closed window that starts in `[from_s, to_s)`.
fn node_windows(sim: &Simulation, node: usize, from_s: f64, to_s: f64) -> Vec<&Stats> {
    let stats: Vec<&Stats> = sim
        .series()
        .frames()
        .iter()
        .filter(|f| f.start_s >= from_s && f.start_s < to_s)
        .map(|f| &f.nodes[node])
        .collect();
    assert!(!stats.is_empty(), "no windows in [{from_s}, {to_s})");
    stats
}

fn mean(values: impl IntoIterator<Item = f64>) -> f64 {
    let (sum, n) = values.into_iter().fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { sum / n as f64 }
}

fn total(stats: &[&Stats], f: impl Fn(&Stats) -> u64) -> u64 {
    stats.iter().map(|s| f(s)).sum()
}

fn utilisation(stats: &[&Stats]) -> f64 {
    mean(stats.iter().map(|s| s.utilisation.unwrap_or(0.0)))
}

/// Share of a node's requests in `[from_s, to_s)` answered ok.
fn ok_share(sim: &Simulation, node: usize, from_s: f64, to_s: f64) -> f64 {
    let w = node_windows(sim, node, from_s, to_s);
    total(&w, |s| s.ok) as f64 / total(&w, |s| s.arrivals).max(1) as f64
}

/// Mean over the windows of `[from_s, to_s)` of a node's per-window p99.
fn p99(sim: &Simulation, node: usize, from_s: f64, to_s: f64) -> f64 {
    mean(node_windows(sim, node, from_s, to_s).iter().map(|w| w.latency.p99_ms))
}

/// The scenario with a node deleted and its callers connected to what it
/// called, as a learner removes a tier in the app.
fn without(s: &mut Scenario, id: &str) {
    let next = s.edges.iter().find(|e| e.from == id).map(|e| e.to.clone()).expect("the node calls something");
    s.nodes.retain(|n| n.id != id);
    s.edges.retain(|e| e.from != id);
    for e in s.edges.iter_mut().filter(|e| e.to == id) {
        e.to.clone_from(&next);
    }
}

fn hit_ratio(sim: &Simulation, cache: usize, from_s: f64, to_s: f64) -> f64 {
    let w = node_windows(sim, cache, from_s, to_s);
    total(&w, |s| s.cache_hits) as f64 / total(&w, |s| s.cache_hits + s.cache_misses).max(1) as f64
}

#[test]
fn url_shortener_cache_hit_ratio_decides_the_database_load() {
    let s = scenario("url-shortener");
    let (users, cache, db) = (index(&s, "users"), index(&s, "cache"), index(&s, "db"));
    let sim = run(&s, None);
    assert!(hit_ratio(&sim, cache, 0.0, 1.0) < 0.55, "a cold cache misses: {:.2}", hit_ratio(&sim, cache, 0.0, 1.0));
    let warm = hit_ratio(&sim, cache, 10.0, 60.0);
    assert!((0.66..0.78).contains(&warm), "about 72 % once warm: {warm:.2}");
    let db_util = utilisation(&node_windows(&sim, db, 10.0, 60.0));
    assert!((0.28..0.45).contains(&db_util), "the database about 36 % busy: {db_util:.2}");
    let report = sim.report();
    assert_eq!(report.end_to_end.failed, 0, "{:?}", report.end_to_end.failures);
    assert!(report.end_to_end.latency.p99_ms < 35.0, "p99 about 22 ms: {}", report.end_to_end.latency.p99_ms);

    // Try: a cache of 1,000 codes — half the lookups miss, the database's
    // load nearly doubles.
    let small = tried("url-shortener", &[("capacity: 10000)", "capacity: 1000)")]);
    let sim = run(&small, Some(30.0));
    let hits = hit_ratio(&sim, cache, 10.0, 30.0);
    assert!((0.42..0.58).contains(&hits), "about 50 % with 1,000 codes: {hits:.2}");
    let small_util = utilisation(&node_windows(&sim, db, 10.0, 30.0));
    assert!(small_util > 1.5 * db_util && small_util < 0.8, "about 65 % busy: {small_util:.2}");

    // Try: no cache — the api calls the database, which cannot keep up.
    let mut no_cache = s.clone();
    without(&mut no_cache, "cache");
    let sim = run(&no_cache, Some(20.0));
    let served = ok_share(&sim, users, 5.0, 20.0);
    assert!((0.7..0.9).contains(&served), "a fifth of the redirects fail: {served:.2} served");
    assert!(p99(&sim, users, 5.0, 20.0) > 200.0, "the rest wait: p99 {:.0} ms", p99(&sim, users, 5.0, 20.0));
}

#[test]
fn news_feed_push_reads_faster_and_pull_writes_cheaper() {
    let s = scenario("news-feed-fan-out");
    let (push, pull, fanout, timelines) =
        (index(&s, "readers-push"), index(&s, "readers-pull"), index(&s, "fanout"), index(&s, "timelines"));
    let sim = run(&s, None);
    let report = sim.report();
    assert_eq!(report.end_to_end.failed, 0, "{:?}", report.end_to_end.failures);
    let (push_p99, pull_p99) = (report.nodes[push].stats.latency.p99_ms, report.nodes[pull].stats.latency.p99_ms);
    assert!(push_p99 < 35.0 && pull_p99 > 2.0 * push_p99, "p99: push {push_p99:.0} ms, pull {pull_p99:.0} ms");
    assert!(report.nodes[pull].stats.latency.p50_ms > report.nodes[push].stats.latency.p50_ms + 5.0);
    // Pull: six queries per feed read; push: one.
    let shard_queries: u64 = (1..=6).map(|i| report.nodes[index(&s, &format!("posts-{i}"))].stats.arrivals).sum();
    let pull_reads = report.nodes[pull].stats.arrivals;
    let per_read = shard_queries as f64 / pull_reads as f64;
    assert!((6.0..6.1).contains(&per_read), "6 queries per feed, plus the posts: {per_read:.2}");
    let push_reads = report.nodes[push].stats.arrivals;
    let timeline_queries = report.nodes[timelines].stats.arrivals;
    assert!(timeline_queries < push_reads + push_reads / 20, "one read per feed and a post now and then");
    // Push: a post reaches its followers through the queue, late for the popular ones.
    let lag = &report.nodes[fanout].stats.latency;
    assert!(lag.p50_ms < 100.0 && lag.p99_ms > 1000.0, "fan-out p50 {:.0} ms, p99 {:.0} ms", lag.p50_ms, lag.p99_ms);

    // Try: three times the readers — the post shards near saturation and
    // pull's p99 up; push does not notice.
    let busy = tried(
        "news-feed-fan-out",
        &[
            (
                "(id: \"readers-push\", pos: (60, 200), kind: Client(arrivals: Poisson(rate: 500)",
                "(id: \"readers-push\", pos: (60, 200), kind: Client(arrivals: Poisson(rate: 1500)",
            ),
            (
                "(id: \"readers-pull\", pos: (60, 560), kind: Client(arrivals: Poisson(rate: 500)",
                "(id: \"readers-pull\", pos: (60, 560), kind: Client(arrivals: Poisson(rate: 1500)",
            ),
        ],
    );
    let sim = run(&busy, Some(30.0));
    let shard = utilisation(&node_windows(&sim, index(&busy, "posts-1"), 5.0, 30.0));
    assert!(shard > 0.85, "the post shards near saturation: {shard:.2}");
    let report = sim.report();
    let (push_busy, pull_busy) = (report.nodes[push].stats.latency.p99_ms, report.nodes[pull].stats.latency.p99_ms);
    assert!(push_busy < 35.0 && pull_busy > pull_p99 + 10.0, "p99: push {push_busy:.0} ms, pull {pull_busy:.0} ms");

    // Try: celebrities — the fan-out queue falls behind for good, pull does
    // not change.
    let famous = tried("news-feed-fan-out", &[("p50_ms: 20, p99_ms: 2000", "p50_ms: 20, p99_ms: 20000")]);
    let sim = run(&famous, None);
    let backlog = node_windows(&sim, fanout, 50.0, 60.0);
    assert!(mean(backlog.iter().map(|w| w.mean_queue_len)) > 200.0, "the fan-out queue grows");
    let report = sim.report();
    assert!(report.nodes[fanout].stats.mean_wait_ms > 5000.0, "posts seconds late");
    assert!((report.nodes[pull].stats.latency.p99_ms - pull_p99).abs() < 1e-9, "pull is untouched");
}

#[test]
fn chat_queue_hides_a_slow_delivery_from_senders_and_a_bound_pushes_back() {
    let s = scenario("chat-messaging");
    let (people, outbox) = (index(&s, "people"), index(&s, "outbox"));
    let sim = run(&s, None);
    assert_eq!(sim.report().end_to_end.failed, 0);
    for (from, to) in [(0.0, 30.0), (30.0, 60.0), (60.0, 120.0)] {
        let tick = p99(&sim, people, from, to);
        assert!(tick < 100.0, "senders' p99 in [{from}, {to}): {tick:.0} ms");
    }
    let depth = |sim: &Simulation, from, to| mean(node_windows(sim, outbox, from, to).iter().map(|w| w.mean_queue_len));
    assert!(depth(&sim, 0.0, 30.0) < 5.0, "nothing waits while delivery keeps up");
    assert!(depth(&sim, 57.0, 60.0) > 5000.0, "messages pile up: {:.0}", depth(&sim, 57.0, 60.0));
    let lag = node_windows(&sim, outbox, 57.0, 62.0).iter().map(|w| w.mean_wait_ms).fold(0.0, f64::max);
    assert!(lag > 12_000.0, "the newest wait over 12 s: {lag:.0} ms");
    assert!(depth(&sim, 100.0, 120.0) < 5.0, "drained by 100 s: {:.0}", depth(&sim, 100.0, 120.0));

    // Try: a bounded outbox — the senders learn (rejections), and no message
    // is as late.
    let bounded = tried("chat-messaging", &[("capacity: 20000", "capacity: 2000")]);
    let sim = run(&bounded, Some(75.0));
    let refused = sim.report().nodes[people].stats.failures.rejected;
    assert!((3000..6000).contains(&refused), "about 4,400 refused 'queue full': {refused}");
    let lag = node_windows(&sim, outbox, 30.0, 75.0).iter().map(|w| w.mean_wait_ms).fold(0.0, f64::max);
    assert!(lag < 13_000.0, "no message more than about 11 s late: {lag:.0} ms");
    assert!(depth(&sim, 70.0, 75.0) < 5.0, "empty by 70 s");
}

/// Mean over the windows of `[from_s, to_s)` of a node's per-window p50.
fn p50(sim: &Simulation, node: usize, from_s: f64, to_s: f64) -> f64 {
    mean(node_windows(sim, node, from_s, to_s).iter().map(|w| w.latency.p50_ms))
}

#[test]
fn video_transcoding_waits_for_cold_starts_in_the_peak_and_transcoders_are_the_bill() {
    let s = scenario("video-upload-transcoding");
    let (uploaders, jobs, transcoder) = (index(&s, "uploaders"), index(&s, "jobs"), index(&s, "transcoder"));
    let sim = run(&s, None);
    let report = sim.report();
    assert_eq!(report.end_to_end.failed, 0, "{:?}", report.end_to_end.failures);
    let (quiet, peak) = (p50(&sim, jobs, 0.0, 200.0), p50(&sim, jobs, 200.0, 400.0));
    assert!(quiet < 4500.0, "ready about 3.7 s after the upload: {quiet:.0} ms");
    assert!(peak > 6000.0, "about 7 s in the peak, waiting for new instances: {peak:.0} ms");
    let most = sim.series().frames().iter().filter_map(|f| f.nodes[transcoder].instances).map(|i| i.ready);
    let most = most.fold(0.0, f64::max);
    assert!(most >= 30.0, "the fleet grows to about 36: {most}");
    let transcoders = report.cost.nodes.iter().find(|n| n.node == "transcoder").expect("billed").usd;
    assert!(transcoders > 0.95 * report.cost.total_usd, "the transcoders are the bill: {:?}", report.cost);
    let month = report.cost.per_month_usd;
    assert!((5500.0..7000.0).contains(&month), "about $6,340 a month: {month:.0}");
    let link = report.edges.iter().find(|e| e.from == "uploaders").expect("the upload edge");
    let busy = link.stats.forward_utilisation.unwrap_or(0.0);
    assert!((0.4..0.75).contains(&busy), "the ingress link's share busy: {busy:.2}");

    // Try: a 10 s cold start — the peak barely shows.
    let warm = tried("video-upload-transcoding", &[("cold_start_s: 60", "cold_start_s: 10")]);
    let sim = run(&warm, Some(400.0));
    let warm_peak = p50(&sim, jobs, 200.0, 400.0);
    assert!(warm_peak < 5500.0 && warm_peak < peak - 1500.0, "under 5 s in the peak: {warm_peak:.0} ms");

    // Try: a 5 Gbit/s link — the peak does not fit, uploads time out and the
    // abandoned ones keep it full.
    let thin = tried("video-upload-transcoding", &[("bandwidth_mbps: 10000", "bandwidth_mbps: 5000")]);
    let sim = run(&thin, None);
    assert!(ok_share(&sim, uploaders, 0.0, 200.0) > 0.99, "5 Gbit/s carry the quiet hours");
    assert!(ok_share(&sim, uploaders, 450.0, 600.0) < 0.05, "nothing gets through after the peak");
    assert!(sim.report().nodes[uploaders].stats.failures.timeout > 1000);
}

#[test]
fn flash_sale_limiter_protects_the_database_but_only_priorities_keep_the_payments() {
    let s = scenario("flash-sale-checkout");
    let (buyers, browsers, db) = (index(&s, "buyers"), index(&s, "browsers"), index(&s, "db"));
    let sim = run(&s, None);
    let paid = ok_share(&sim, buyers, 22.0, 40.0);
    assert!((0.5..0.7).contains(&paid), "4 payments in 10 refused: {paid:.2} succeed");
    assert!((paid - ok_share(&sim, browsers, 22.0, 40.0)).abs() < 0.05, "the bucket does not know a payment");
    assert!(ok_share(&sim, buyers, 0.0, 20.0) > 0.99 && ok_share(&sim, buyers, 42.0, 60.0) > 0.99);
    let db_busy = utilisation(&node_windows(&sim, db, 22.0, 40.0));
    assert!((0.8..0.96).contains(&db_busy), "the database about 90 % busy: {db_busy:.2}");
    assert!(p99(&sim, buyers, 22.0, 40.0) < 100.0, "a payment's p99 about 64 ms");
    let report = sim.report();
    assert!(report.nodes[buyers].stats.failures.rate_limited > 1000);

    // Try: a bucket per class — every payment passes; shop sheds browsing.
    let per_class = tried("flash-sale-checkout", &[("burst: 100)", "burst: 100, per: Class)")]);
    let sim = run(&per_class, Some(45.0));
    assert!(ok_share(&sim, buyers, 22.0, 40.0) > 0.99, "payments: {:.3}", ok_share(&sim, buyers, 22.0, 40.0));
    let browsing = ok_share(&sim, browsers, 22.0, 40.0);
    assert!((0.5..0.7).contains(&browsing), "browsing loses about 40 %: {browsing:.2}");
    assert!(sim.report().nodes[browsers].stats.failures.shed > 0, "some browsing shed by the shop");
    assert!(p99(&sim, buyers, 22.0, 40.0) < 100.0, "a payment's p99 about 72 ms");

    // Try: no protections — a third of the payments fail, the rest are slow.
    let bare = tried(
        "flash-sale-checkout",
        &[
            ("            rate_limit: (rate: 900, burst: 100),\n", ""),
            ("priority: Critical", "priority: Standard"),
            ("priority: Sheddable", "priority: Standard"),
            (",\n            shed_after_ms: 300", ""),
        ],
    );
    let sim = run(&bare, Some(45.0));
    let paid = ok_share(&sim, buyers, 22.0, 40.0);
    assert!((0.55..0.8).contains(&paid), "a third of the payments fail: {paid:.2} succeed");
    assert!(p99(&sim, buyers, 22.0, 40.0) > 300.0, "the rest take about 440 ms");
}

#[test]
fn a_quota_per_api_key_keeps_a_noisy_customer_from_the_quiet_ones() {
    let s = scenario("rate-limited-public-api");
    let (noisy, quiet_a, quiet_b, api) =
        (index(&s, "noisy"), index(&s, "quiet-a"), index(&s, "quiet-b"), index(&s, "api-1"));
    let sim = run(&s, Some(30.0));
    for quiet in [quiet_a, quiet_b] {
        assert!(ok_share(&sim, quiet, 0.0, 30.0) > 0.99, "quiet customers served");
        assert!(p99(&sim, quiet, 0.0, 30.0) < 120.0);
    }
    let report = sim.report();
    let refused = report.nodes[noisy].stats.failures.rate_limited as f64 / report.nodes[noisy].stats.arrivals as f64;
    assert!((0.72..0.84).contains(&refused), "78 % of the noisy customer's requests refused: {refused:.2}");
    let busy = utilisation(&node_windows(&sim, api, 0.0, 30.0));
    assert!((0.3..0.45).contains(&busy), "the servers 37 % busy: {busy:.2}");

    // Try: one shared bucket — the quiet customers lose as much as the noisy one.
    let shared =
        tried("rate-limited-public-api", &[("rate: 200, burst: 50, per: Client", "rate: 600, burst: 50, per: Node")]);
    let sim = run(&shared, Some(30.0));
    for quiet in [quiet_a, quiet_b] {
        let served = ok_share(&sim, quiet, 0.0, 30.0);
        assert!((0.5..0.7).contains(&served), "quiet customers lose 40 %: {served:.2} served");
    }

    // Try: no limit — everyone loses a fifth and waits.
    let open =
        tried("rate-limited-public-api", &[("            rate_limit: (rate: 200, burst: 50, per: Client),\n", "")]);
    let sim = run(&open, Some(30.0));
    for quiet in [quiet_a, quiet_b] {
        let served = ok_share(&sim, quiet, 5.0, 30.0);
        assert!((0.7..0.9).contains(&served), "a fifth fail: {served:.2} served");
        assert!(p99(&sim, quiet, 5.0, 30.0) > 150.0, "and wait");
    }
}

#[test]
fn ride_hailing_downtown_cell_makes_one_shard_hot_and_more_shards_do_not_cool_it() {
    let s = scenario("ride-hailing-dispatch");
    let (drivers, locations) = (index(&s, "drivers"), index(&s, "locations"));
    let shard_util = |report: &archsim::sim::Report| -> (f64, f64, f64) {
        let shards = &report.nodes[locations].shards;
        let busiest = shards.iter().map(|s| s.utilisation).fold(0.0, f64::max);
        let quietest = shards.iter().map(|s| s.utilisation).fold(1.0, f64::min);
        (busiest, quietest, mean(shards.iter().map(|s| s.utilisation)))
    };
    let sim = run(&s, Some(30.0));
    let report = sim.report();
    assert_eq!(report.end_to_end.failed, 0, "{:?}", report.end_to_end.failures);
    let (busiest, quietest, average) = shard_util(&report);
    assert!(busiest > 0.8 && quietest < 0.4 && (0.4..0.6).contains(&average), "{:?}", report.nodes[locations].shards);
    let hottest = report.nodes[locations].shards.iter().map(|s| s.arrivals).max().unwrap_or(0);
    let share = hottest as f64 / report.nodes[locations].stats.arrivals as f64;
    assert!(share > 0.18, "the hot shard takes about 22 % of the queries: {share:.2}");
    let diagnosis = archsim::diagnosis::diagnose(&report, &s);
    assert!(
        matches!(
            diagnosis.findings.first().map(|f| &f.cause),
            Some(archsim::diagnosis::Cause::HotShard { shards: 8, .. })
        ),
        "the verdict names the hot shard: {:#?}",
        diagnosis.findings
    );

    // Try: rush hour — the hot shard breaks while the others idle.
    let rush = tried("ride-hailing-dispatch", &[("rate: 5000", "rate: 6000")]);
    let sim = run(&rush, Some(30.0));
    let report = sim.report();
    let (busiest, _, _) = shard_util(&report);
    let others_max = {
        let mut u: Vec<f64> = report.nodes[locations].shards.iter().map(|s| s.utilisation).collect();
        u.sort_by(f64::total_cmp);
        u[u.len() - 2]
    };
    assert!(busiest > 0.97 && others_max < 0.8, "{:?}", report.nodes[locations].shards);
    assert!(report.nodes[drivers].stats.failures.rejected > 0, "updates fail 'queue full'");
    assert!(report.nodes[drivers].stats.latency.p50_ms > 200.0, "and the rest wait");

    // Try: 16 shards — nothing fails, the hot shard is still hot.
    let more = tried("ride-hailing-dispatch", &[("shards: 8", "shards: 16")]);
    let report = run(&more, Some(30.0)).report();
    let (busiest, _, average) = shard_util(&report);
    assert_eq!(report.end_to_end.failed, 0);
    assert!(busiest > 0.65 && average < 0.3, "busiest {busiest:.2}, average {average:.2}");

    // Try: finer cells downtown — the same 8 shards even out.
    let finer = tried(
        "ride-hailing-dispatch",
        &[
            (
                "arrivals: Poisson(rate: 5000),\n            keys: (keyspace: 10000, zipf_exponent: 1.1)",
                "arrivals: Poisson(rate: 5000),\n            keys: (keyspace: 10000, zipf_exponent: 0.8)",
            ),
            (
                "arrivals: Poisson(rate: 200),\n            keys: (keyspace: 10000, zipf_exponent: 1.1)",
                "arrivals: Poisson(rate: 200),\n            keys: (keyspace: 10000, zipf_exponent: 0.8)",
            ),
        ],
    );
    let (busiest, _, _) = shard_util(&run(&finer, Some(30.0)).report());
    assert!(busiest < 0.65, "the busiest shard about 58 % busy: {busiest:.2}");
}

#[test]
fn notifications_a_queue_delays_a_burst_and_a_breaker_with_a_fallback_drains_an_outage() {
    let s = scenario("notification-system");
    let (services, outbox, sender, provider) =
        (index(&s, "services"), index(&s, "outbox"), index(&s, "sender"), index(&s, "provider"));
    let sim = run(&s, None);
    let report = sim.report();
    assert_eq!(report.end_to_end.failed, 0, "{:?}", report.end_to_end.failures);
    assert_eq!(report.nodes[outbox].stats.failed, 0, "no notification lost");
    assert!(report.nodes[services].stats.latency.p99_ms < 20.0, "acknowledged at once");
    let depth = |sim: &Simulation, from, to| {
        node_windows(sim, outbox, from, to).iter().map(|w| w.mean_queue_len).fold(0.0, f64::max)
    };
    let late = |sim: &Simulation, from, to| {
        node_windows(sim, outbox, from, to).iter().map(|w| w.latency.p50_ms).fold(0.0, f64::max)
    };
    assert!(depth(&sim, 20.0, 35.0) > 6000.0, "the burst piles up: {:.0}", depth(&sim, 20.0, 35.0));
    assert!(late(&sim, 30.0, 70.0) > 30_000.0, "pushed about 45 s late: {:.0} ms", late(&sim, 30.0, 70.0));
    let degraded = total(&node_windows(&sim, sender, 70.0, 90.0), |w| w.degraded);
    assert!((4000..8000).contains(&degraded), "about 6,100 to the inbox: {degraded}");
    assert!(depth(&sim, 80.0, 90.0) < 10.0, "the outbox empties during the outage");
    let calls = |sim: &Simulation, from: f64, to: f64| {
        total(&node_windows(sim, provider, from, to), |w| w.arrivals) as f64 / (to - from)
    };
    assert!(calls(&sim, 72.0, 90.0) < 0.4 * calls(&sim, 40.0, 70.0), "the breaker spares the provider");
    let edge = report.edges.iter().find(|e| e.to == "provider").expect("sender -> provider");
    assert!(edge.breaker_trips >= 1 && edge.retries_denied > 0, "{edge:?}");

    // Try: no breaker and no budget — the outbox stops draining.
    let unguarded = tried(
        "notification-system",
        &[
            (", budget: (ratio: 0.1, min_per_s: 5)", ""),
            (
                "            breaker: (failure_rate: 0.5, window: Seconds(10), min_calls: 20, open_s: 5, probes: 3),\n",
                "",
            ),
        ],
    );
    let sim = run(&unguarded, None);
    assert!(depth(&sim, 110.0, 120.0) > 3000.0, "still waiting at the end: {:.0}", depth(&sim, 110.0, 120.0));
    assert!(late(&sim, 70.0, 120.0) > 50_000.0, "up to 57 s late: {:.0} ms", late(&sim, 70.0, 120.0));

    // Try: a bounded outbox — backpressure on the campaign, shorter delays.
    let bounded = tried("notification-system", &[("capacity: 10000", "capacity: 2000")]);
    let sim = run(&bounded, Some(70.0));
    let refused = sim.report().nodes[services].stats.failures.rejected;
    assert!((5000..7500).contains(&refused), "about 6,200 refused: {refused}");
    assert!(late(&sim, 20.0, 70.0) < 12_000.0, "no notification more than 11 s late");

    // Try: twice the consumers — drains sooner, calls the provider twice as hard.
    let wide = tried(
        "notification-system",
        &[("consumers: 24", "consumers: 48"), ("workers: 24, queue_capacity: 24", "workers: 48, queue_capacity: 48")],
    );
    let sim = run(&wide, Some(60.0));
    assert!(depth(&sim, 53.0, 60.0) < 10.0, "empty about 20 s after the burst");
    assert!(calls(&sim, 20.0, 30.0) > 350.0, "about 400 calls/s: {:.0}", calls(&sim, 20.0, 30.0));
}

#[test]
fn cdn_edge_buys_latency_shield_protects_the_origin_and_egress_is_the_bill() {
    let s = scenario("cdn-in-front-of-origin");
    let (readers, edge, shield, origin) =
        (index(&s, "readers"), index(&s, "edge"), index(&s, "shield"), index(&s, "origin"));
    let sim = run(&s, None);
    let edge_hits = hit_ratio(&sim, edge, 60.0, 120.0);
    let shield_hits = hit_ratio(&sim, shield, 60.0, 120.0);
    assert!((0.72..0.84).contains(&edge_hits), "the edge answers about 78 %: {edge_hits:.2}");
    assert!((0.6..0.76).contains(&shield_hits), "the shield about two thirds: {shield_hits:.2}");
    let cold = utilisation(&node_windows(&sim, origin, 0.0, 3.0));
    let warm = utilisation(&node_windows(&sim, origin, 60.0, 120.0));
    assert!(cold > 0.8 && warm < 0.3, "origin busy {cold:.2} cold, {warm:.2} warm");
    assert!(p50(&sim, readers, 60.0, 120.0) < 25.0, "a hit at the PoP: {:.0} ms", p50(&sim, readers, 60.0, 120.0));
    assert!(p99(&sim, readers, 60.0, 120.0) > 100.0, "a miss crosses the ocean");
    let report = sim.report();
    let cost = &report.cost;
    assert!(cost.egress_usd > 0.9 * cost.total_usd && cost.cross_region_usd > 0.0, "{cost:?}");
    let origin_requests = report.nodes[origin].stats.arrivals;

    // Try: no shield — the origin takes every edge miss.
    let mut no_shield = s.clone();
    without(&mut no_shield, "shield");
    let sim = run(&no_shield, None);
    let origin = index(&no_shield, "origin");
    let requests = sim.report().nodes[origin].stats.arrivals;
    assert!(requests > 2 * origin_requests, "2.3 times the requests: {requests} vs {origin_requests}");
    assert!(utilisation(&node_windows(&sim, origin, 60.0, 120.0)) > 0.45);

    // Try: no edge — the readers' connection crosses the Atlantic.
    let mut no_edge = s.clone();
    without(&mut no_edge, "edge");
    no_edge.edges[0].latency = None;
    let sim = run(&no_edge, Some(60.0));
    let shield = index(&no_edge, "shield");
    assert!(hit_ratio(&sim, shield, 30.0, 60.0) > 0.85, "the shield sees the hot objects now");
    assert!(p50(&sim, readers, 30.0, 60.0) > 60.0, "p50 about 72 ms: {:.0}", p50(&sim, readers, 30.0, 60.0));
}
