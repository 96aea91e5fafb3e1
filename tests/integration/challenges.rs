//! The bundled challenges grade as they promise: each starting design fails
//! its goals, and the fix its hints lead to passes them (the lesson's
//! numbers, not only "it ran"). The grading itself cannot be gamed: the
//! challenge's load and given nodes win over the design's.

use archsim::challenge::{ChallengeError, Evaluation, evaluate, evaluation_scenario};
use archsim::scenario::{
    Arrivals, CacheMode, CacheSpec, DistributionSpec, EdgeSpec, FallbackSpec, Level, NodeKind, NodeSpec,
    OutlierEjectionSpec, Priority, Scenario, load_scenario,
};

/// A challenge file of `scenarios/`.
fn challenge(name: &str) -> Scenario {
    let path = format!("{}/scenarios/{name}.ron", env!("CARGO_MANIFEST_DIR"));
    load_scenario(std::path::Path::new(&path)).unwrap_or_else(|e| panic!("{name} does not load:\n{e}"))
}

fn grade(s: &Scenario) -> Evaluation {
    evaluate(s, &mut |_| true).unwrap_or_else(|e| panic!("{} cannot be graded: {e}", s.name))
}

fn index(s: &Scenario, id: &str) -> usize {
    s.node_index(id).unwrap_or_else(|| panic!("no node {id}"))
}

fn kind_mut<'a>(s: &'a mut Scenario, id: &str) -> &'a mut NodeKind {
    let i = index(s, id);
    &mut s.nodes[i].kind
}

fn set_workers(s: &mut Scenario, id: &str, workers: u32) {
    match kind_mut(s, id) {
        NodeKind::Service(sv) => sv.workers = workers,
        other => panic!("{id} is a {}", other.label()),
    }
}

fn no_retry(s: &mut Scenario, client: &str) {
    match kind_mut(s, client) {
        NodeKind::Client(c) => c.retry = None,
        other => panic!("{client} is a {}", other.label()),
    }
}

/// Puts an LRU cache of `keys` between `from` and `to`.
fn cache_between(s: &mut Scenario, from: &str, to: &str, keys: u64) {
    let k = s.edges.iter().position(|e| e.from == from && e.to == to).expect("the edge");
    s.edges.remove(k);
    s.nodes.push(NodeSpec::new(
        "cache",
        NodeKind::Cache(CacheSpec {
            mode: CacheMode::Lru { capacity: keys, ttl_s: None },
            lookup_time: DistributionSpec::Constant { ms: 0.3 },
            ..CacheSpec::default()
        }),
    ));
    s.edges.push(EdgeSpec::new(from, "cache"));
    s.edges.push(EdgeSpec::new("cache", to));
}

/// The starting design fails and says where it broke; the fix passes with
/// full marks.
fn fails_then_passes(start: &Scenario, fixed: &Scenario) -> (Evaluation, Evaluation) {
    let before = grade(start);
    assert!(!before.passed, "{} passes as given: {before:#?}", start.name);
    assert!(before.score < 90, "{}: {}", start.name, before.score);
    assert!(before.broke_first.is_some(), "{}: where did it break? {before:#?}", start.name);
    assert_eq!(before.hints.len(), 3, "three hints, one at a time");
    let after = grade(fixed);
    assert!(after.passed && after.score == 100, "{} fixed: {:#?}", start.name, after.goals);
    (before, after)
}

#[test]
fn serve_the_launch_needs_workers_for_the_load_with_headroom() {
    let s = challenge("challenge-serve-the-launch");
    let mut fixed = s.clone();
    set_workers(&mut fixed, "api", 12);
    let (before, _) = fails_then_passes(&s, &fixed);
    assert!(before.goals.iter().any(|g| g.goal.starts_with("throughput") && (390.0..410.0).contains(&g.measured)));
}

#[test]
fn cache_the_hot_reads_passes_with_a_cache_and_not_with_a_faster_database() {
    let s = challenge("challenge-cache-the-hot-reads");
    let mut fixed = s.clone();
    cache_between(&mut fixed, "web", "db", 20_000);
    fails_then_passes(&s, &fixed);

    // The database is given: 100 connections in the design change nothing.
    let mut cheat = s.clone();
    if let NodeKind::Database(db) = kind_mut(&mut cheat, "db") {
        db.connections = 100;
    }
    let e = grade(&cheat);
    assert!(!e.passed, "{:#?}", e.goals);
    assert!(e.notes.iter().any(|n| n.starts_with("db is provided by the challenge")), "{:?}", e.notes);
}

#[test]
fn a_replica_crash_is_survived_by_ejecting_the_dead_replica_at_once() {
    let s = challenge("challenge-survive-a-replica-crash");
    let mut fixed = s.clone();
    if let NodeKind::LoadBalancer(lb) = kind_mut(&mut fixed, "lb") {
        lb.outlier_ejection = Some(OutlierEjectionSpec { consecutive_failures: 3, ..OutlierEjectionSpec::default() });
    }
    let (before, _) = fails_then_passes(&s, &fixed);
    assert_eq!(before.broke_first.map(|b| b.at_s), Some(40.0), "at the scripted crash");
}

#[test]
fn a_slow_dependency_is_contained_by_a_timeout_with_a_fallback() {
    let s = challenge("challenge-contain-a-slow-dependency");
    let mut fixed = s.clone();
    let e = fixed.edges.iter_mut().find(|e| e.from == "shop" && e.to == "recs").expect("shop -> recs");
    e.timeout_ms = Some(100.0);
    e.fallback = Some(FallbackSpec::Respond { latency: None });
    let (before, _) = fails_then_passes(&s, &fixed);
    assert!(before.broke_first.as_ref().is_some_and(|b| (30.0..35.0).contains(&b.at_s)), "{:?}", before.broke_first);
}

#[test]
fn a_flash_sale_keeps_checkout_alive_by_priority_not_by_workers() {
    let s = challenge("challenge-flash-sale");
    let mut fixed = s.clone();
    for (client, priority) in [("checkout", Priority::Critical), ("browse", Priority::Sheddable)] {
        if let NodeKind::Client(c) = kind_mut(&mut fixed, client) {
            c.priority = priority;
        }
    }
    fails_then_passes(&s, &fixed);
    let mut cheat = s.clone();
    set_workers(&mut cheat, "api", 80);
    assert!(!grade(&cheat).passed, "the api is given");
}

#[test]
fn a_retry_storm_is_stopped_by_a_line_that_drains_within_the_timeout() {
    let s = challenge("challenge-stop-the-retry-storm");
    let mut fixed = s.clone();
    if let NodeKind::Service(api) = kind_mut(&mut fixed, "api") {
        api.queue_capacity = Some(50);
    }
    fails_then_passes(&s, &fixed);
    // No retries at all is not enough: the outage alone fails almost 3 %.
    let mut no_retries = s.clone();
    no_retry(&mut no_retries, "users");
    let e = grade(&no_retries);
    assert!(!e.passed && e.goals[0].measured > 0.02, "{:#?}", e.goals);
}

#[test]
fn a_zone_outage_is_survived_by_spreading_and_sizing_for_a_zone_gone() {
    let s = challenge("challenge-survive-a-zone-outage");
    assert_eq!(s.challenge.as_ref().map(|c| c.level), Some(Level::Hard));
    let mut spread = s.clone();
    for (id, zone) in [("app-1", "us-east-1a"), ("app-2", "us-east-1b"), ("app-3", "us-east-1c")] {
        let i = index(&spread, id);
        spread.nodes[i].zone = Some(zone.into());
        set_workers(&mut spread, id, 12);
    }
    // Spread alone leaves the balancer's 3 s black hole (least
    // connections favours the dead replica).
    assert!(!grade(&spread).passed);
    let mut fixed = spread.clone();
    if let NodeKind::LoadBalancer(lb) = kind_mut(&mut fixed, "lb") {
        lb.outlier_ejection = Some(OutlierEjectionSpec { consecutive_failures: 3, ..OutlierEjectionSpec::default() });
    }
    fails_then_passes(&s, &fixed);
}

#[test]
fn a_url_shortener_at_20k_needs_instances_and_a_cache_within_the_budget() {
    let s = challenge("challenge-shorten-20k-urls");
    let mut fixed = s.clone();
    if let NodeKind::Service(app) = kind_mut(&mut fixed, "app") {
        app.workers = 24;
        app.instances = 4;
    }
    cache_between(&mut fixed, "app", "db", 100_000);
    let (_, after) = fails_then_passes(&s, &fixed);
    let cost = after.goals.iter().find(|g| g.goal.starts_with("cost")).map(|g| g.measured);
    assert!(cost.is_some_and(|c| c < 1_000.0), "{cost:?}");
}

#[test]
fn the_challenges_load_wins_over_a_design_that_asks_for_less() {
    let mut s = challenge("challenge-serve-the-launch");
    if let NodeKind::Client(c) = kind_mut(&mut s, "users") {
        c.arrivals = Arrivals::Poisson { rate: 10.0 };
    }
    let e = evaluation_scenario(&s).expect("a challenge");
    assert!(matches!(&e.nodes[0].kind, NodeKind::Client(c) if c.arrivals == Arrivals::Poisson { rate: 800.0 }));
    assert!(!grade(&s).passed, "800 requests/s, whatever the design says");
}

#[test]
fn grading_is_deterministic() {
    let s = challenge("challenge-survive-a-replica-crash");
    assert_eq!(grade(&s), grade(&s));
}

#[test]
fn a_scenario_without_a_challenge_cannot_be_graded() {
    let mut s = challenge("challenge-serve-the-launch");
    s.challenge = None;
    assert_eq!(evaluate(&s, &mut |_| true), Err(ChallengeError::NotAChallenge));
}

#[test]
fn added_traffic_and_a_decoy_for_the_script_do_not_game_the_grade() {
    // A client of its own, sending easy requests, would drown the real
    // users' figures: it sends nothing in the evaluation.
    let s = challenge("challenge-cache-the-hot-reads");
    let mut bots = s.clone();
    bots.nodes.push(NodeSpec::new(
        "bots",
        NodeKind::Client(archsim::scenario::ClientSpec {
            arrivals: Arrivals::Poisson { rate: 150_000.0 },
            ..archsim::scenario::ClientSpec::default()
        }),
    ));
    bots.nodes.push(NodeSpec::new(
        "noop",
        NodeKind::Service(archsim::scenario::ServiceSpec {
            workers: 10_000,
            service_time: DistributionSpec::Constant { ms: 0.01 },
            ..archsim::scenario::ServiceSpec::default()
        }),
    ));
    bots.edges.push(EdgeSpec::new("bots", "noop"));
    let e = grade(&bots);
    assert!(!e.passed, "{:#?}", e.goals);
    assert!(e.notes.iter().any(|n| n.starts_with("bots sent nothing")), "{:?}", e.notes);

    // A decoy for the scripted crash while the traffic goes elsewhere.
    let s = challenge("challenge-survive-a-replica-crash");
    let mut decoy = s.clone();
    decoy.nodes.push(NodeSpec::new("replica-4", decoy.nodes[index(&s, "replica-2")].kind.clone()));
    for e in &mut decoy.edges {
        if e.to == "replica-2" {
            e.to = "replica-4".into();
        }
    }
    match evaluate(&decoy, &mut |_| true) {
        Err(ChallengeError::Invalid(why)) => assert!(why[0].contains("no traffic reaches it"), "{why:?}"),
        other => panic!("a decoy must not be graded: {other:?}"),
    }

    // Answering with a fallback is not an answer where the challenge says so.
    let mut fallback = s.clone();
    for e in fallback.edges.iter_mut().filter(|e| e.from == "lb") {
        e.fallback = Some(FallbackSpec::Respond { latency: None });
    }
    let e = grade(&fallback);
    assert!(e.goals.iter().any(|g| g.goal.starts_with("fallback answers") && !g.passed), "{:#?}", e.goals);
}
