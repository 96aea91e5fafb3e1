//! A/B comparison on common random numbers (issue 11): a design compared
//! with itself differs by exactly nothing, and on two near-identical
//! designs the paired interval of B − A is narrower than the one
//! independent runs would give.

use archsim::scenario::{NodeKind, parse_scenario};
use archsim::study::compare::{Figure, compare};
use archsim::study::replications::{ReplicationSpec, Warmup};

const DESIGN: &str = r#"(
    name: "M/M/4",
    seed: 5,
    nodes: [
        (id: "users", kind: Client(arrivals: Poisson(rate: 300))),
        (id: "api", kind: Service(workers: 4, service_time: Exponential(mean_ms: 10))),
    ],
    edges: [(from: "users", to: "api")],
)"#;

fn spec() -> ReplicationSpec {
    ReplicationSpec { replications: 12, duration_s: 40.0, warmup: Warmup::Given(5.0) }
}

#[test]
fn a_design_compared_with_itself_differs_by_exactly_nothing() {
    let a = parse_scenario(DESIGN, "a.ron").expect("valid");
    let c = compare(&a, &a, &spec(), Some(2)).expect("compared");
    for f in &c.figures {
        assert_eq!((f.delta.mean, f.delta.half_width), (0.0, 0.0), "{}: {f:?}", f.figure.name());
        assert!(!f.differs);
    }
}

#[test]
fn common_random_numbers_narrow_the_interval_of_a_small_change_and_find_it() {
    let a = parse_scenario(DESIGN, "a.ron").expect("valid");
    let mut b = a.clone();
    b.name = "M/M/4, 5 % faster".into();
    if let NodeKind::Service(s) = &mut b.nodes[1].kind {
        s.service_time = archsim::scenario::DistributionSpec::Exponential { mean_ms: 9.5 };
    }
    let c = compare(&a, &b, &spec(), Some(2)).expect("compared");
    let mean = c.figures.iter().find(|f| f.figure == Figure::Mean).expect("mean_ms");
    assert!(mean.delta.mean < 0.0 && mean.differs, "5 % faster work cuts the mean: {mean:?}");
    assert!(
        mean.delta.half_width < mean.unpaired_half_width / 2.0,
        "paired ±{} against unpaired ±{}",
        mean.delta.half_width,
        mean.unpaired_half_width
    );
    // Same arrivals in both: the same throughput but for the few requests
    // still in flight at the end, known to a small fraction of what
    // independent runs could say.
    let throughput = c.figures.iter().find(|f| f.figure == Figure::Throughput).expect("throughput");
    assert!(throughput.delta.mean.abs() < 0.2 && !throughput.differs, "{throughput:?}");
    assert!(throughput.delta.half_width < throughput.unpaired_half_width / 10.0, "{throughput:?}");
    let cost = c.figures.iter().find(|f| f.figure == Figure::CostPerMonth).expect("cost");
    assert_eq!(cost.delta.mean, 0.0, "workers are not billed, instances are");
}

#[test]
fn the_comparison_is_the_same_on_one_thread_and_two() {
    let a = parse_scenario(DESIGN, "a.ron").expect("valid");
    let mut b = a.clone();
    if let NodeKind::Service(s) = &mut b.nodes[1].kind {
        s.workers = 6;
    }
    assert_eq!(compare(&a, &b, &spec(), Some(1)), compare(&a, &b, &spec(), Some(2)));
}

#[test]
fn cli_compare_prints_the_deltas_and_refuses_one_replication() {
    let bin = env!("CARGO_BIN_EXE_archsim");
    let out = std::process::Command::new(bin)
        .args(["compare", "three-tier-web", "three-tier-web", "--replications", "3", "--duration", "5"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("B − A (paired 95 %)") && text.contains("p99_ms") && text.contains("+0.00 ± 0.00"), "{text}");
    let out = std::process::Command::new(bin)
        .args(["compare", "three-tier-web", "three-tier-web", "--replications", "1"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--replications"));
}
