//! Parameter sweeps (`study::sweep`, `archsim sweep`): a sweep of an M/M/1
//! reproduces queueing theory at every point, cartesian and zipped points
//! count as they should, the output is the same on any number of threads,
//! and a bad path or value exits 2 naming it.

use std::path::Path;
use std::process::{Command, Output};

use archsim::scenario::Scenario;
use archsim::study::sweep::{Axis, SweepError, SweepSpec, plan, run_sweep};

use crate::common::{exp_ms, poisson_client, scenario, service};

/// M/M/1: Poisson arrivals at 100/s into one exponential server.
fn mm1() -> Scenario {
    scenario(
        "sweep M/M/1",
        11,
        1.0,
        vec![poisson_client("users", 100.0), service("server", 1, None, exp_ms(2.0))],
        &[("users", "server")],
    )
}

fn spec(scenario: &Scenario, sets: &[&str], zip: bool, replications: usize) -> SweepSpec {
    let axes = sets.iter().map(|s| Axis::parse(scenario, s).expect("a good --set")).collect();
    SweepSpec { axes, zip, replications, duration_s: 60.0, warmup_s: Some(5.0) }
}

#[test]
fn sweeping_the_service_time_mean_gives_utilisation_lambda_over_mu_at_every_point() {
    let s = mm1();
    // ρ = λ · mean = 100/s × 1, 3, 6 ms = 0.1, 0.3, 0.6.
    let result = run_sweep(&s, &spec(&s, &["server.service_time=1,3,6"], false, 5), Some(2), &|_, _| {})
        .expect("the sweep runs");
    assert_eq!(result.points.len(), 3);
    for p in &result.points {
        let rho = 100.0 * p.values[0] / 1000.0;
        let busiest = p.busiest.as_ref().expect("the server has a pool");
        assert_eq!(busiest.node, "server");
        let u = &busiest.utilisation;
        assert!(u.half_width > 0.0, "{u:?}");
        assert!((u.mean - rho).abs() <= u.half_width, "ρ = {rho}: utilisation {} ± {}", u.mean, u.half_width);
        // Little's law end to end: throughput is the arrival rate.
        let x = &p.throughput_rps;
        assert!((x.mean - 100.0).abs() <= x.half_width.max(2.0), "throughput {} ± {}", x.mean, x.half_width);
    }
}

#[test]
fn sweeping_the_client_rate_gives_utilisation_lambda_over_mu_at_every_point() {
    let s = mm1();
    // μ = 500/s: ρ = 0.1 … 0.7.
    let result = run_sweep(&s, &spec(&s, &["users.rate=50..350 step 100"], false, 4), Some(2), &|_, _| {})
        .expect("the sweep runs");
    let rates: Vec<f64> = result.points.iter().map(|p| p.values[0]).collect();
    assert_eq!(rates, [50.0, 150.0, 250.0, 350.0]);
    for p in &result.points {
        let rho = p.values[0] / 500.0;
        let u = &p.busiest.as_ref().expect("the server has a pool").utilisation;
        assert!((u.mean - rho).abs() <= u.half_width, "ρ = {rho}: utilisation {} ± {}", u.mean, u.half_width);
    }
}

#[test]
fn cartesian_points_multiply_and_zipped_points_pair_up() {
    let s = mm1();
    let sets = ["server.workers=1,2,3", "users.rate=10,20,30"];
    assert_eq!(plan(&s, &spec(&s, &sets, false, 1)).expect("valid").len(), 9);
    let zipped = plan(&s, &spec(&s, &sets, true, 1)).expect("valid");
    let values: Vec<Vec<f64>> = zipped.iter().map(|p| p.values.clone()).collect();
    assert_eq!(values, [[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]]);
    let uneven = ["server.workers=1,2,3", "users.rate=10,20"];
    assert!(matches!(plan(&s, &spec(&s, &uneven, true, 1)), Err(SweepError::ZipLengths { .. })));
}

#[test]
fn every_point_is_checked_before_any_runs() {
    let s = mm1();
    let ran = std::sync::atomic::AtomicUsize::new(0);
    let bad = spec(&s, &["users.rate=10,20,1e12"], false, 1);
    let err = run_sweep(&s, &bad, Some(1), &|done, _| {
        ran.fetch_max(done, std::sync::atomic::Ordering::Relaxed);
    })
    .expect_err("the last point is past the limits");
    assert!(matches!(err, SweepError::InvalidPoint { point: 2, .. }), "{err}");
    assert!(err.to_string().contains("users.rate=1000000000000"), "{err}");
    assert_eq!(ran.into_inner(), 0, "nothing ran");
}

#[test]
fn bad_paths_are_typed_errors_naming_the_path() {
    let s = mm1();
    let err = |text: &str| Axis::parse(&s, text).expect_err(text);
    assert!(matches!(err("nobody.workers=1"), SweepError::UnknownNode { .. }));
    let e = err("server.threads=1");
    assert!(e.to_string().contains("workers, instances, queue_capacity, service_time"), "{e}");
    assert!(matches!(err("users->nobody.timeout_ms=5"), SweepError::UnknownEdge { .. }));
    assert!(matches!(err("server.workers"), SweepError::BadSetting { .. }));
    assert!(matches!(err("server.workers=1..5 step 0"), SweepError::BadValues { .. }));
    // Distribution means may be written out.
    assert!(Axis::parse(&s, "server.service_time.mean_ms=2").is_ok());
    assert!(Axis::parse(&s, "users->server.latency_ms=0.5,1").is_ok());
}

// The command line.

fn archsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_archsim")).args(args).output().expect("the archsim binary starts")
}

/// Every key of a JSON value, nested.
fn keys(value: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                out.insert(key.clone());
                keys(inner, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| keys(i, out)),
        _ => {}
    }
}

const SWEEP: [&str; 10] = [
    "sweep",
    "three-tier-web",
    "--set",
    "app-1.workers=4,8",
    "--set",
    "db.connections=10,20",
    "--duration",
    "3",
    "--replications",
    "2",
];

#[test]
fn cli_sweep_json_is_the_same_on_one_thread_and_on_two_and_documented() {
    let mut one = SWEEP.to_vec();
    one.extend(["--json", "--threads", "1"]);
    let mut two = SWEEP.to_vec();
    two.extend(["--json", "--threads", "2"]);
    let (a, b) = (archsim(&one), archsim(&two));
    assert_eq!(a.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(a.stdout, b.stdout, "1 and 2 threads differ");
    let json: serde_json::Value = serde_json::from_slice(&a.stdout).expect("stdout is one JSON document");
    assert_eq!(json["points"].as_array().map(Vec::len), Some(4));
    assert_eq!(json["parameters"], serde_json::json!(["app-1.workers", "db.connections"]));
    assert_eq!(json["points"][1]["values"], serde_json::json!([4.0, 20.0]));
    assert!(json["points"][0]["p99_ms"]["half_width"].is_number());

    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/sweep.md"))
        .expect("docs/sweep.md exists");
    let mut found = std::collections::BTreeSet::new();
    keys(&json, &mut found);
    let documented = |k: &str| doc.contains(&format!("`{k}`")) || doc.contains(&format!(".{k}`"));
    let missing: Vec<&String> = found.iter().filter(|k| !documented(k)).collect();
    assert!(missing.is_empty(), "JSON fields not in docs/sweep.md: {missing:?}");
}

#[test]
fn cli_sweep_prints_a_row_per_point_and_writes_sweep_csv() {
    let dir = std::env::temp_dir().join(format!("archsim-sweep-csv-{}", std::process::id()));
    let mut args = SWEEP.to_vec();
    let dir_text = dir.to_string_lossy().to_string();
    args.extend(["--csv", &dir_text]);
    let out = archsim(&args);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("4 points (every combination), 2 replications"), "{text}");
    assert!(text.contains("app-1.workers") && text.contains("db.connections") && text.contains(" ± "), "{text}");
    let csv = std::fs::read_to_string(dir.join("sweep.csv")).expect("sweep.csv written");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5, "{csv}");
    assert!(lines[0].starts_with("point,app-1.workers,db.connections,replications,throughput_rps,"), "{}", lines[0]);
    assert!(lines[2].starts_with("2,4,20,2,"), "{}", lines[2]);
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/sweep.md")).expect("doc");
    for column in lines[0].split(',').skip(3) {
        assert!(doc.contains(&format!("`{column}`")), "CSV column {column} not in docs/sweep.md");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_bad_paths_and_values_exit_2_naming_the_path() {
    for (set, says) in [
        ("nobody.workers=4", "no node `nobody`"),
        ("app-1.threads=4", "no settable field `threads`"),
        ("app-1.workers=0", "`app-1.workers` = 0"),
        ("app-1.workers=2.5", "`app-1.workers` = 2.5"),
        ("users.rate=1..5 step 0", "`users.rate`"),
        ("users.users=4", "`users.users`"),
        ("users.rate=100,1e12", "users.rate=1000000000000"),
        ("lb->nobody.timeout_ms=5", "`lb->nobody.timeout_ms`"),
    ] {
        let out = archsim(&["sweep", "three-tier-web", "--set", set, "--duration", "1"]);
        assert_eq!(out.status.code(), Some(2), "--set {set}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "--set {set}: {err}");
        assert!(out.stdout.is_empty(), "--set {set}: nothing on stdout");
    }
    let out = archsim(&["sweep", "three-tier-web", "--set", "app-1.workers=1,2", "--set", "db.connections=1", "--zip"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--zip"));
    let out = archsim(&["sweep", "three-tier-web"]);
    assert_eq!(out.status.code(), Some(2), "--set is required");
}

/// The knee beside theory (`study::knee`): a sweep of an M/M/1's offered
/// load, 5 replications a point, has 95 % intervals of p50 and p99 that
/// cover theory's curve at every load up to ρ = 0.8, and its utilisation
/// is λ/μ. The curve the app draws dashed is the one the runs follow.
#[test]
fn a_sweep_of_an_mm1s_load_covers_theorys_knee_up_to_rho_0_8() {
    let s = mm1();
    let model = archsim::study::knee::mmc_model(&s).expect("an M/M/1");
    assert!((model.capacity_rps() - 500.0).abs() < 1e-9, "μ = 1 / 2 ms");
    let mut spec = spec(&s, &["users.rate=100,250,400"], false, 5);
    spec.duration_s = 120.0;
    spec.warmup_s = Some(10.0);
    let result = run_sweep(&s, &spec, Some(2), &|_, _| {}).expect("the sweep runs");
    for p in &result.points {
        let lambda = p.values[0];
        let theory = model.at(lambda).expect("below saturation");
        for (what, measured, expected) in [("p50", p.p50_ms, theory.p50_ms), ("p99", p.p99_ms, theory.p99_ms)] {
            assert!(
                (measured.mean - expected).abs() <= measured.half_width,
                "λ = {lambda}: {what} {:.3} ± {:.3} ms does not cover theory's {expected:.3} ms",
                measured.mean,
                measured.half_width
            );
        }
        let busy = p.busiest.as_ref().expect("the server has a pool").utilisation;
        assert!((busy.mean - theory.utilisation).abs() <= busy.half_width.max(0.01), "λ = {lambda}: {busy:?}");
    }
}

/// A choice field is swept by its names: exponential against constant
/// work of the same mean is M/M/1 against M/D/1, and each point agrees
/// with its own closed form (p99 ln(100)/(μ − λ), and Erlang's M/D/1
/// quantile); a name that is not a choice is refused with the choices.
#[test]
fn sweeping_the_shape_of_the_work_moves_p99_from_mm1_to_md1() {
    let s = mm1();
    let sets = ["server.service_time=7", "server.service_time.shape=Exponential,Constant"];
    let result = run_sweep(&s, &spec(&s, &sets, false, 8), Some(2), &|_, _| {}).expect("the sweep runs");
    assert_eq!(result.choices, [vec![], vec!["Exponential".to_string(), "Constant".to_string()]]);
    let names: Vec<String> = result.points.iter().map(|p| result.value_text(1, p.values[1])).collect();
    assert_eq!(names, ["Exponential", "Constant"]);
    let (lambda, d) = (100.0, 0.007);
    let mm1_p99 = 1000.0 * 100f64.ln() / (1.0 / d - lambda);
    let md1_p99 = 1000.0 * archsim::sim::theory::md1_sojourn_quantile(lambda, d, 0.99).expect("computable");
    for (p, theory) in result.points.iter().zip([mm1_p99, md1_p99]) {
        let tolerance = (2.0 * p.p99_ms.half_width).max(0.08 * theory);
        assert!(
            (p.p99_ms.mean - theory).abs() <= tolerance,
            "p99 {} ± {} against {theory}",
            p.p99_ms.mean,
            p.p99_ms.half_width
        );
    }
    assert!(result.points[1].p99_ms.mean < 0.7 * result.points[0].p99_ms.mean, "constant work waits less");

    let e = Axis::parse(&s, "server.service_time.shape=Exponential,Pareto").expect_err("not a choice");
    assert!(matches!(e, SweepError::UnknownChoice { .. }) && e.to_string().contains("Exponential, Constant"), "{e}");
}

/// A load balancer's policy swept from the command line: the table and
/// the CSV name each policy, and the JSON lists the names its values index.
#[test]
fn archsim_sweep_names_the_choices_in_the_table_the_csv_and_the_json() {
    let dir = std::env::temp_dir().join(format!("archsim-sweep-choices-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let set = ["sweep", "three-tier-web", "--set", "lb.policy=LeastConnections,RoundRobin", "--duration", "3"];
    let out = archsim(&[&set[..], &["--csv", dir.to_str().expect("UTF-8")]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("LeastConnections") && table.contains("RoundRobin"), "{table}");
    let csv = std::fs::read_to_string(dir.join("sweep.csv")).expect("written");
    let rows: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').nth(1).expect("a value")).collect();
    assert_eq!(rows, ["LeastConnections", "RoundRobin"], "{csv}");
    let _ = std::fs::remove_dir_all(&dir);
    let json: serde_json::Value =
        serde_json::from_slice(&archsim(&[&set[..], &["--json"]].concat()).stdout).expect("JSON");
    let names = &json["choices"][0];
    let values: Vec<&str> = json["points"]
        .as_array()
        .expect("points")
        .iter()
        .map(|p| names[p["values"][0].as_f64().expect("an index") as usize].as_str().expect("a name"))
        .collect();
    assert_eq!(values, ["LeastConnections", "RoundRobin"]);
    // A sweep of numbers alone writes no `choices`.
    let plain = archsim(&["sweep", "three-tier-web", "--set", "app-1.workers=4,8", "--duration", "2", "--json"]);
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("\"choices\""));
}
