//! A database's read replicas under an autoscaler (`sim::replica_scaling`):
//! a step in reads adds replicas a cold start later, a drop removes them
//! without losing a read, writes stay on the primary, and the bill follows
//! the servers running.

use archsim::scenario::{
    Arrivals, AutoscaleSpec, ClientSpec, DatabaseSpec, NodeKind, ProfileShape, ScaleTarget, Scenario, parse_scenario,
};
use archsim::sim::{SimEventKind, SimTime, Simulation};

use crate::common::{exp_ms, node, run, scenario};

/// 200 reads/s (a `write_fraction` of writes), ten times that from 60 s
/// and back from `drop_at_s`, into a database of 4 connections of 10 ms
/// per server (400 queries/s each), starting with 1 read replica.
fn stepped_reads(autoscale: AutoscaleSpec, write_fraction: f64, drop_at_s: f64) -> Scenario {
    let client = ClientSpec {
        arrivals: Arrivals::Poisson { rate: 200.0 },
        profile: vec![
            ProfileShape::Step { at_s: 60.0, factor: 10.0 },
            ProfileShape::Step { at_s: drop_at_s, factor: 1.0 },
        ],
        write_fraction,
        ..ClientSpec::default()
    };
    let db = DatabaseSpec {
        connections: 4,
        queue_capacity: Some(100),
        query_time: exp_ms(10.0),
        read_replicas: 1,
        autoscale: Some(autoscale),
        ..DatabaseSpec::default()
    };
    scenario(
        "replicas",
        7,
        5.0,
        vec![node("c", NodeKind::Client(client)), node("db", NodeKind::Database(db))],
        &[("c", "db")],
    )
}

fn scaling() -> AutoscaleSpec {
    AutoscaleSpec {
        min: 1,
        max: 12,
        target: ScaleTarget::Utilisation(0.6),
        interval_s: 10.0,
        scale_out_cooldown_s: 0.0,
        scale_in_cooldown_s: 120.0,
        cold_start_s: 30.0,
    }
}

fn logged(sim: &Simulation, kind: SimEventKind) -> Vec<(f64, String)> {
    sim.event_log().iter().filter(|e| e.kind == kind).map(|e| (e.at.as_secs(), e.what.clone())).collect()
}

/// 2,000 reads/s over replicas of 400 queries/s held 60 % busy want
/// ⌈2000 / 240⌉ = 9 replicas; the first is added at the first decision
/// after the step and serves exactly a cold start later.
#[test]
fn a_step_in_reads_adds_replicas_a_cold_start_later() {
    let mut sim = Simulation::new(&stepped_reads(scaling(), 0.0, 1e6)).expect("valid");
    sim.run_until(SimTime::from_secs(59.0));
    assert!(logged(&sim, SimEventKind::ScaledOut).is_empty(), "no scaling before the step");
    sim.run_until(SimTime::from_secs(400.0));
    let out = logged(&sim, SimEventKind::ScaledOut);
    let ready = logged(&sim, SimEventKind::InstanceReady);
    assert!(out[0].0 > 60.0 && out[0].0 <= 70.0 + 1e-9, "first decision after the step: {out:?}");
    assert!((ready[0].0 - (out[0].0 + 30.0)).abs() < 1e-6, "ready a cold start later: {ready:?}");
    assert!(out[0].1.starts_with("db: 1 → ") && out[0].1.contains("read replicas"), "{}", out[0].1);
    assert!(ready[0].1.contains("read replica is ready"), "{}", ready[0].1);
    // Servers: the primary and the replicas.
    let counts = sim.node_live(1).expect("db").instances.expect("an autoscaled database counts its servers");
    assert_eq!((counts.ready, counts.booting), (10, 0), "the primary and 9 replicas: {counts:?}");
    let w = sim.node_current_window(1).expect("db");
    assert!(w.failed == 0, "{w:?}");
}

/// A drop in reads removes replicas once the scale-in cooldown is over;
/// the ones removed finish every read they hold first.
#[test]
fn replicas_scaled_in_finish_their_reads() {
    let sim = run(&stepped_reads(scaling(), 0.0, 250.0), 900.0);
    let ins = logged(&sim, SimEventKind::ScaledIn);
    assert!(!ins.is_empty() && ins[0].0 > 250.0, "scaled in after the drop: {ins:?}");
    let counts = sim.node_live(1).expect("db").instances.expect("servers");
    assert_eq!(counts.draining, 0, "{counts:?}");
    assert!((2..=3).contains(&counts.ready), "the primary and 1 or 2 replicas for 200 reads/s: {counts:?}");
    let after_drop = sim.series().frames().iter().filter(|w| w.start_s >= 250.0);
    assert_eq!(after_drop.map(|w| w.nodes[1].failed).sum::<u64>(), 0, "no read lost by scaling in");
    assert_eq!(sim.node_live(1).expect("db").workers, Some(counts.ready * 4), "stopped replicas hold no connections");
}

/// Writes go to the primary whatever the replicas do: with half the
/// requests writes, the primary's 400 queries/s take 1,000 writes/s at
/// 10× and fail them while replicas are added for the reads only.
#[test]
fn writes_stay_on_the_primary_while_replicas_scale_for_reads() {
    let sim = run(&stepped_reads(scaling(), 0.5, 1e6), 300.0);
    let out = logged(&sim, SimEventKind::ScaledOut);
    assert!(!out.is_empty(), "the reads scale the replicas");
    let late: Vec<_> =
        sim.series().frames().iter().filter(|w| w.start_s >= 200.0).map(|w| w.nodes[1].clone()).collect();
    let rejected: u64 = late.iter().map(|w| w.failures.rejected).sum();
    let arrivals: u64 = late.iter().map(|w| w.arrivals).sum();
    // The primary serves 400 of the 1,000 writes a second: about 30 % of
    // all requests fail, however many replicas there are.
    let share = rejected as f64 / arrivals as f64;
    assert!((0.25..0.35).contains(&share), "{share:.3} of requests rejected at the primary");
}

/// Held at a fixed count (min = max), an autoscaled database bills what
/// the same fixed replicas bill, to the cent.
#[test]
fn an_autoscaled_database_held_still_costs_what_fixed_replicas_cost() {
    let fixed = |autoscale: Option<AutoscaleSpec>| {
        let mut s = stepped_reads(scaling(), 0.0, 1e6);
        if let NodeKind::Database(db) = &mut s.nodes[1].kind {
            db.read_replicas = 3;
            db.shards = 2;
            db.autoscale = autoscale;
        }
        if let NodeKind::Client(c) = &mut s.nodes[0].kind {
            c.keys = Some(archsim::scenario::KeySpec { keyspace: 1000, zipf_exponent: 0.0 });
        }
        run(&s, 120.0).report().cost
    };
    let still = fixed(Some(AutoscaleSpec { min: 3, max: 3, ..scaling() }));
    let plain = fixed(None);
    let db = |c: &archsim::sim::cost::CostReport| c.nodes.iter().find(|n| n.node == "db").cloned().expect("billed");
    let (a, b) = (db(&still), db(&plain));
    assert!((a.instance_hours - 8.0 * 120.0 / 3600.0).abs() < 1e-9, "2 shards × 4 servers: {a:?}");
    assert!((a.instance_hours - b.instance_hours).abs() < 1e-9 && (a.usd - b.usd).abs() < 1e-9, "{a:?} vs {b:?}");
}

/// Bad autoscaling of replicas is refused with the field named.
#[test]
fn replica_autoscaling_problems_name_their_field() {
    let text = r#"(
        name: "bad",
        nodes: [
            (id: "c", kind: Client(arrivals: Poisson(rate: 10))),
            (id: "db", kind: Database(connections: 4, query_time: Constant(ms: 1), read_replicas: 5,
                autoscale: (min: 1, max: 3, target: QueueDepth(2)))),
        ],
        edges: [(from: "c", to: "db")],
    )"#;
    let Err(archsim::scenario::LoadError::Invalid(problems)) = parse_scenario(text, "bad.ron") else {
        panic!("refused")
    };
    assert!(problems.iter().all(|p| p.line == 6), "{problems:?}");
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert!(messages.iter().any(|m| m.contains("starts with 5 read replicas")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("not on `QueueDepth`")), "{messages:?}");
}
