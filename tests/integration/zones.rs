//! Zones and regions: where nodes run, what crossing between them costs in
//! time and money, outages of a whole zone or region, and global (DNS-style)
//! load balancing — with the two bundled lessons that teach them.

use archsim::diagnosis::{Advice, diagnose};
use archsim::scenario::{
    DistributionSpec, EdgeSpec, LbPolicy, LoadBalancerSpec, NodeKind, Scenario, SizeSpec, bundled, parse_scenario,
};
use archsim::sim::{SimEventKind, SimTime, Simulation, Stats};

use super::common::{node, poisson_client, service};

fn bundled_scenario(name: &str) -> Scenario {
    bundled(name).and_then(|b| b.load().ok()).unwrap_or_else(|| panic!("{name} loads"))
}

fn run(s: &Scenario) -> Simulation {
    let mut sim = Simulation::new(s).unwrap_or_else(|e| panic!("{} does not build: {e}", s.name));
    sim.run_until(SimTime::from_secs(s.duration_s));
    sim
}

fn index(s: &Scenario, id: &str) -> usize {
    s.node_index(id).unwrap_or_else(|| panic!("no node {id}"))
}

/// A node's stats summed over the windows that start in `[from_s, to_s)`.
fn over(sim: &Simulation, node: usize, from_s: f64, to_s: f64) -> (u64, u64, f64) {
    let frames: Vec<&Stats> = sim
        .series()
        .frames()
        .iter()
        .filter(|f| f.start_s >= from_s && f.start_s < to_s)
        .map(|f| &f.nodes[node])
        .collect();
    assert!(!frames.is_empty(), "no windows in [{from_s}, {to_s})");
    let arrivals = frames.iter().map(|s| s.arrivals).sum();
    let failed = frames.iter().map(|s| s.failed).sum();
    let p50 = frames.iter().map(|s| s.latency.p50_ms).sum::<f64>() / frames.len() as f64;
    (arrivals, failed, p50)
}

/// A region `r` with zones `r-a`, `r-b`, `r-c`.
fn regions(names: &[&str]) -> Vec<archsim::scenario::RegionSpec> {
    names
        .iter()
        .map(|r| archsim::scenario::RegionSpec {
            name: (*r).into(),
            zones: ["a", "b", "c"].iter().map(|z| format!("{r}-{z}")).collect(),
        })
        .collect()
}

fn constant_ms(ms: f64) -> DistributionSpec {
    DistributionSpec::Constant { ms }
}

/// users (in `east`) → front (zone `front_zone`) → back (zone `back_zone`),
/// constant work of 1 ms and 2 ms and plenty of workers: no waiting, so a
/// request's latency is its work plus the network's.
fn chain(front_zone: &str, back_zone: &str) -> Scenario {
    let mut users = poisson_client("users", 50.0);
    users.region = Some("east".into());
    let mut front = service("front", 64, None, constant_ms(1.0));
    front.zone = Some(front_zone.into());
    let mut back = service("back", 64, None, constant_ms(2.0));
    back.zone = Some(back_zone.into());
    Scenario {
        name: "chain".into(),
        duration_s: 20.0,
        regions: regions(&["east", "west"]),
        nodes: vec![users, front, back],
        edges: vec![EdgeSpec::new("users", "front"), EdgeSpec::new("front", "back")],
        ..Scenario::default()
    }
}

#[test]
fn an_edge_across_zones_or_regions_adds_the_networks_one_way_latency_each_way() {
    let latency = |s: &Scenario| run(s).report().end_to_end.latency;
    let same = latency(&chain("east-a", "east-a"));
    assert!((same.mean_ms - 3.0).abs() < 1e-6 && (same.max_ms - 3.0).abs() < 0.01, "{same:?}");
    let zones = latency(&chain("east-a", "east-b"));
    assert!((zones.mean_ms - 4.0).abs() < 1e-6, "0.5 ms each way across zones: {zones:?}");
    let regions = latency(&chain("east-a", "west-a"));
    assert!((regions.mean_ms - 73.0).abs() < 1e-6, "35 ms each way across regions: {regions:?}");

    // The network's figures are the scenario's to set, and an edge's own
    // latency wins over them.
    let mut s = chain("east-a", "east-b");
    s.network.cross_zone_ms = 2.0;
    assert!((latency(&s).mean_ms - 7.0).abs() < 1e-6);
    s.edges[1].latency = Some(constant_ms(0.25));
    assert!((latency(&s).mean_ms - 3.5).abs() < 1e-6);
}

#[test]
fn a_zone_outage_takes_down_every_node_placed_in_the_zone_and_nothing_else() {
    let mut s = chain("east-a", "east-b");
    s.faults =
        vec![archsim::scenario::FaultSpec::ZoneOutage { zone: "east-b".into(), at_s: 5.0, restore_s: Some(10.0) }];
    let sim = run(&s);
    let report = sim.report();
    let down = |id: &str| report.nodes[index(&s, id)].faults.down_s;
    assert!((down("back") - 5.0).abs() < 1e-9, "back down 5 s: {}", down("back"));
    assert_eq!(down("front"), 0.0, "front is in another zone");
    let failed = report.end_to_end.failed as f64;
    assert!((150.0..350.0).contains(&failed), "5 s of 50 requests/s fail: {failed}");
    let logged: Vec<SimEventKind> = sim.event_log().iter().map(|e| e.kind).collect();
    assert!(logged.contains(&SimEventKind::AreaDown) && logged.contains(&SimEventKind::AreaRestored), "{logged:?}");
}

#[test]
fn traffic_between_zones_and_regions_is_billed_per_gigabyte_both_ways() {
    let mut s = chain("east-a", "west-b");
    s.edges[1].request_kb = Some(SizeSpec::Constant { kb: 100.0 });
    s.edges[1].response_kb = Some(SizeSpec::Constant { kb: 400.0 });
    s.pricing.cross_region_per_gb = 0.05;
    let report = run(&s).report();
    let link = &report.edges[1].stats;
    let cost = &report.cost;
    // KB are 1,000 bytes: 100 KB sent per call, 400 KB per answer back
    // (the calls still out at the end have not answered yet).
    assert_eq!(link.request_bytes, link.sent * 100_000);
    assert_eq!(link.response_bytes % 400_000, 0);
    assert!(link.response_bytes >= (link.sent - 5) * 400_000, "{link:?}");
    let gb = (link.request_bytes + link.response_bytes) as f64 / 1e9;
    assert!((cost.cross_region_gb - gb).abs() < 1e-12, "{} GB: {cost:?}", cost.cross_region_gb);
    assert!((cost.cross_region_usd - gb * 0.05).abs() < 1e-12);
    assert_eq!(cost.cross_zone_gb, 0.0);

    s.nodes[2].zone = Some("east-b".into());
    let report = run(&s).report();
    let (link, cost) = (&report.edges[1].stats, &report.cost);
    let gb = (link.request_bytes + link.response_bytes) as f64 / 1e9;
    assert!((cost.cross_zone_gb - gb).abs() < 1e-12 && cost.cross_region_gb == 0.0, "{cost:?}");
    assert!((cost.cross_zone_usd - gb * s.pricing.cross_zone_per_gb).abs() < 1e-12);
}

/// Two user populations, one per region, behind one global balancer over
/// a service in each region.
fn two_regions(policy: LbPolicy) -> Scenario {
    let mut us = poisson_client("users-us", 100.0);
    us.region = Some("us".into());
    let mut eu = poisson_client("users-eu", 50.0);
    eu.region = Some("eu".into());
    let dns = node("dns", NodeKind::LoadBalancer(LoadBalancerSpec { policy, ..LoadBalancerSpec::default() }));
    let mut app_us = service("app-us", 32, None, constant_ms(1.0));
    app_us.zone = Some("us-a".into());
    let mut app_eu = service("app-eu", 32, None, constant_ms(1.0));
    app_eu.zone = Some("eu-a".into());
    Scenario {
        name: "two regions".into(),
        duration_s: 20.0,
        regions: regions(&["us", "eu"]),
        nodes: vec![us, eu, dns, app_us, app_eu],
        edges: [("users-us", "dns"), ("users-eu", "dns"), ("dns", "app-us"), ("dns", "app-eu")]
            .iter()
            .map(|(a, b)| EdgeSpec::new(*a, *b))
            .collect(),
        ..Scenario::default()
    }
}

#[test]
fn a_nearest_balancer_keeps_each_regions_users_in_their_region() {
    let s = two_regions(LbPolicy::Nearest);
    let report = run(&s).report();
    let node = |id: &str| &report.nodes[index(&s, id)].stats;
    assert_eq!(node("app-us").arrivals, node("users-us").arrivals);
    assert_eq!(node("app-eu").arrivals, node("users-eu").arrivals);
    assert!((node("users-eu").latency.mean_ms - 1.0).abs() < 1e-6, "no ocean to cross");
}

#[test]
fn a_global_balancer_is_not_a_hop_each_request_pays_its_users_round_trip_to_the_target() {
    let s = two_regions(LbPolicy::Failover);
    let report = run(&s).report();
    let node = |id: &str| &report.nodes[index(&s, id)].stats;
    assert_eq!(node("app-eu").arrivals, 0, "the standby waits");
    assert!((node("users-us").latency.mean_ms - 1.0).abs() < 1e-6, "{:?}", node("users-us").latency);
    assert!((node("users-eu").latency.mean_ms - 71.0).abs() < 1e-6, "35 ms each way to the primary");
}

#[test]
fn three_replicas_in_one_zone_go_down_together_while_three_zones_lose_only_the_detection_delay() {
    let s = bundled_scenario("three-replicas-one-zone-or-three");
    let sim = run(&s);
    let report = sim.report();
    let users = |id: &str| &report.nodes[index(&s, id)].stats;
    let one_zone = users("users-a").failed as f64 / users("users-a").arrivals as f64;
    assert!((0.31..0.36).contains(&one_zone), "30 s of 90 fail in one zone: {one_zone:.3}");
    let three = users("users-b").failed;
    assert!((250..600).contains(&three), "2 s of a third of 600/s: {three}");
    // The two survivors carry the load without waiting to speak of.
    let (_, _, p50_during) = over(&sim, index(&s, "users-b"), 33.0, 60.0);
    let (_, _, p50_before) = over(&sim, index(&s, "users-b"), 5.0, 30.0);
    assert!(p50_during < p50_before * 1.3, "p50 {p50_before:.1} -> {p50_during:.1} ms");

    let diagnosis = diagnose(&report, &s);
    let first = diagnosis.advice().first().copied();
    assert!(
        matches!(first, Some(Advice::SpreadOverZones { balancer, zone, targets })
            if balancer == "lb-a" && zone == "us-east-1a" && targets.len() == 3),
        "{first:?}"
    );

    // Try: a3 in another zone. The outage no longer takes everything, but
    // one replica cannot carry the load: size for a zone gone.
    let mut moved = s.clone();
    moved.nodes[index(&s, "a3")].zone = Some("us-east-1b".into());
    let report = run(&moved).report();
    let failed = report.nodes[index(&s, "users-a")].stats.failed;
    assert!(failed < users("users-a").failed / 2, "{failed}");
    assert!(report.nodes[index(&s, "a3")].stats.failures.rejected > 0, "a3 alone overflows");

    // Try: 4 workers per replica in three zones: two cannot carry 600/s.
    let mut thin = s.clone();
    for id in ["b1", "b2", "b3"] {
        let i = index(&s, id);
        if let NodeKind::Service(sv) = &mut thin.nodes[i].kind {
            sv.workers = 4;
        }
    }
    let sim = run(&thin);
    let (_, _, p50_thin) = over(&sim, index(&s, "users-b"), 45.0, 60.0);
    assert!(p50_thin > 4.0 * p50_before, "two thin replicas queue: p50 {p50_thin:.1} ms");
}

#[test]
fn an_active_passive_pair_of_regions_fails_over_after_the_dns_delay_and_moves_who_pays_the_ocean() {
    let s = bundled_scenario("active-passive-failover-across-regions");
    let sim = run(&s);
    let (us, eu) = (index(&s, "users-us"), index(&s, "users-eu"));

    let (_, failed_before, us_before) = over(&sim, us, 5.0, 30.0);
    let (_, _, eu_before) = over(&sim, eu, 5.0, 30.0);
    assert_eq!(failed_before, 0);
    assert!((eu_before - us_before - 70.0).abs() < 5.0, "Europe pays 70 ms: {us_before:.1} vs {eu_before:.1}");

    // (A window counts the failures of requests sent in the one before it.)
    let (arrivals, failed, _) = over(&sim, us, 31.0, 59.0);
    assert!(
        failed + 5 >= arrivals,
        "until DNS fails over, every request goes to the dead region: {failed} of {arrivals}"
    );
    let (_, failed_after, us_after) = over(&sim, us, 62.0, 89.0);
    let (_, _, eu_after) = over(&sim, eu, 62.0, 89.0);
    assert_eq!(failed_after, 0);
    assert!((us_after - eu_after - 70.0).abs() < 5.0, "now America pays: {us_after:.1} vs {eu_after:.1}");
    let (_, failed_back, us_back) = over(&sim, us, 92.0, 120.0);
    assert_eq!(failed_back, 0);
    assert!((us_back - us_before).abs() < 3.0, "back on the primary");

    // The idle standby is billed as the primary is.
    let cost = sim.report().cost;
    let usd = |id: &str| cost.nodes.iter().find(|n| n.node == id).map(|n| n.usd).unwrap_or_default();
    assert!((usd("app-eu") - usd("app-us")).abs() < 1e-12 && usd("db-eu") > 0.0, "{cost:?}");

    // Try: Nearest, active-active. Europe's users never fail and never
    // cross the ocean.
    let mut active = s.clone();
    if let NodeKind::LoadBalancer(lb) = &mut active.nodes[index(&s, "dns")].kind {
        lb.policy = LbPolicy::Nearest;
    }
    let sim = run(&active);
    let report = sim.report();
    assert_eq!(report.nodes[eu].stats.failed, 0);
    assert!(report.nodes[eu].stats.latency.p50_ms < us_before + 5.0, "{:?}", report.nodes[eu].stats.latency);
}

#[test]
fn a_bad_placement_is_reported_where_it_is_written() {
    let source = r#"(
    name: "zones",
    regions: [
        (name: "east", zones: ["east-a", "east-b"]),
        (name: "west", zones: ["west-a", "east-b"]),
    ],
    nodes: [
        (id: "users", region: "north", kind: Client(arrivals: Poisson(rate: 10))),
        (id: "api", zone: "east-c", kind: Service(workers: 2, service_time: Constant(ms: 1))),
        (id: "db", zone: "west-a", region: "east", kind: Database(connections: 2, query_time: Constant(ms: 1))),
    ],
    edges: [(from: "users", to: "api"), (from: "api", to: "db")],
    faults: [ZoneOutage(zone: "east-a", at_s: 1), RegionOutage(region: "south", at_s: 1)],
)"#;
    let Err(archsim::scenario::LoadError::Invalid(problems)) = parse_scenario(source, "zones.ron") else {
        panic!("expected problems")
    };
    let at = |needle: &str| {
        problems
            .iter()
            .find(|p| p.message.contains(needle))
            .map_or_else(|| panic!("no problem mentions {needle:?}: {problems:#?}"), |p| (p.line, p.message.clone()))
    };
    assert_eq!(at("zone \"east-b\" is declared twice").0, 5);
    assert_eq!(at("no region \"north\"").0, 8);
    let (line, message) = at("no zone \"east-c\"");
    assert_eq!(line, 9);
    assert!(message.contains("\"east-a\""), "the declared zones are listed: {message}");
    assert_eq!(at("which is in region \"west\"").0, 10);
    assert!(problems.iter().all(|p| !p.message.contains("east-a\" for an outage")), "an empty zone may go down");
    assert!(at("no region \"south\"").1.starts_with("fault 2"));
}

/// A call that waits in a bulkhead line behind a global balancer pays the
/// ocean too when it is finally sent: two places, 70 ms round trip plus
/// 10 ms of work, carry 25 calls a second, not 200.
#[test]
fn a_call_let_out_of_a_bulkhead_line_behind_a_global_balancer_still_pays_the_round_trip() {
    let source = r#"(
        name: "global lb with a bulkhead line",
        duration_s: 60,
        regions: [(name: "us", zones: ["us-a"]), (name: "eu", zones: ["eu-a"])],
        nodes: [
            (id: "users-eu", region: "eu", kind: Client(arrivals: Poisson(rate: 200))),
            (id: "dns", kind: LoadBalancer(policy: Nearest)),
            (id: "app-us", zone: "us-a", kind: Service(workers: 100, service_time: Constant(ms: 10))),
        ],
        edges: [
            (from: "users-eu", to: "dns"),
            (from: "dns", to: "app-us", max_concurrent: 2, bulkhead_wait_ms: 1000),
        ],
    )"#;
    let s = parse_scenario(source, "bulkhead.ron").expect("valid");
    let report = run(&s).report();
    let ok = report.end_to_end.throughput_rps;
    assert!((ok - 25.0).abs() < 1.0, "2 places / 80 ms = 25 calls/s, got {ok}");
}

/// A global balancer behind a service measures from that service, not from
/// the users at the end of the chain: an American api's queries go to the
/// American database, whatever continent its users are on.
#[test]
fn a_nearest_balancer_behind_a_service_measures_from_the_service() {
    let source = r#"(
        name: "nearest behind a service",
        duration_s: 20,
        regions: [(name: "us", zones: ["us-a"]), (name: "eu", zones: ["eu-a"])],
        nodes: [
            (id: "users-eu", region: "eu", kind: Client(arrivals: Poisson(rate: 100))),
            (id: "api-us", zone: "us-a", kind: Service(workers: 50, service_time: Constant(ms: 1))),
            (id: "dns", kind: LoadBalancer(policy: Nearest)),
            (id: "db-us", zone: "us-a", kind: Database(connections: 50, query_time: Constant(ms: 1))),
            (id: "db-eu", zone: "eu-a", kind: Database(connections: 50, query_time: Constant(ms: 1))),
        ],
        edges: [
            (from: "users-eu", to: "api-us"),
            (from: "api-us", to: "dns"),
            (from: "dns", to: "db-us"),
            (from: "dns", to: "db-eu"),
        ],
    )"#;
    let s = parse_scenario(source, "inner.ron").expect("valid");
    let report = run(&s).report();
    let arrivals = |id: &str| report.nodes[index(&s, id)].stats.arrivals;
    assert_eq!(arrivals("db-eu"), 0, "the api is in America");
    assert!(arrivals("db-us") > 1_500);
    // Users in Europe pay the ocean to the api (35 ms each way), nothing more.
    let mean = report.end_to_end.latency.mean_ms;
    assert!((mean - 72.0).abs() < 1e-6, "70 ms of ocean + 1 ms api + 1 ms query: {mean}");
}
