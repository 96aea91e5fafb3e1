//! The load ramp (`study::ramp`, `archsim ramp`): the knee where queueing
//! theory puts it, the same numbers for the same file, and the command
//! line's exit codes, JSON and CSV.

use std::path::PathBuf;
use std::process::{Command, Output};

use archsim::study::{KneeCause, RampError, RampSpec, run_ramp};

use crate::common::{exp_ms, poisson_client, scenario, service};

/// M/M/c: one Poisson client at `lambda` into `c` exponential workers of
/// rate `mu` each, unbounded queue.
fn mmc(lambda: f64, c: u32, mu: f64) -> archsim::scenario::Scenario {
    scenario(
        "ramp M/M/c",
        21,
        1.0,
        vec![poisson_client("users", lambda), service("server", c, None, exp_ms(1000.0 / mu))],
        &[("users", "server")],
    )
}

#[test]
fn the_knee_of_an_mmc_is_where_utilisation_crosses_the_threshold() {
    // M/M/4, μ = 10/s per worker: ρ = λ/(cμ) = 0.095 × factor, so the
    // factors 10^(i/6) give ρ ≈ 0.095, 0.14, 0.20, 0.30, 0.44, 0.65, 0.95:
    // theory puts the knee (ρ ≥ 0.85) at the last step, well clear of
    // the one before.
    let (lambda, c, mu) = (3.8, 4, 10.0);
    let spec = RampSpec::geometric(10.0, 7, 400.0, 40.0).expect("a valid ramp");
    let mut calls = Vec::new();
    let ramp = run_ramp(&mmc(lambda, c, mu), &spec, |done, total| calls.push((done, total))).expect("runs");
    assert_eq!(calls.first(), Some(&(0, 7)));
    assert_eq!(calls.last(), Some(&(7, 7)));

    let rho: Vec<f64> = spec.factors.iter().map(|f| lambda * f / (f64::from(c) * mu)).collect();
    let theory_knee = rho.iter().position(|r| *r >= spec.threshold).expect("the ramp crosses 0.85");
    for (step, r) in ramp.steps.iter().zip(&rho) {
        let u = step.nodes[0].utilisation.expect("a service has a pool");
        assert!((u - r).abs() < 0.03 + 0.03 * r, "at {}× utilisation {u:.3}, theory ρ = {r:.3}", step.factor);
        let offered = lambda * step.factor;
        assert!((step.offered_rps - offered).abs() < 0.05 * offered, "offered {} vs λ {offered}", step.offered_rps);
        assert!((step.nominal_rps - offered).abs() < 1e-9);
        assert_eq!(step.error_ratio, 0.0);
    }
    let knee = ramp.knee.as_ref().expect("a knee");
    assert_eq!(knee.step, theory_knee, "knee at {}×, theory at {}×", knee.factor, spec.factors[theory_knee]);
    assert_eq!(knee.cause, KneeCause::Saturation);
    assert_eq!(knee.node.as_deref(), Some("server"));
    assert_eq!(ramp.saturation.len(), 1);
    assert_eq!(ramp.saturation[0].node, "server");
    assert_eq!(ramp.saturation[0].step, theory_knee);
    // p99 grows with the load: queueing.
    assert!(ramp.steps[6].p99_ms > ramp.steps[0].p99_ms * 2.0);
}

#[test]
fn the_same_file_gives_the_same_ramp() {
    let spec = RampSpec::geometric(20.0, 4, 20.0, 2.0).expect("a valid ramp");
    let s = mmc(5.0, 2, 20.0);
    let first = run_ramp(&s, &spec, |_, _| {}).expect("runs");
    let second = run_ramp(&s, &spec, |_, _| {}).expect("runs");
    assert_eq!(first, second);
    // The overloaded steps fail nothing (unbounded queue) but saturate.
    assert!(first.knee.is_some());
}

#[test]
fn a_multiplied_rate_beyond_the_limits_is_a_typed_error() {
    let spec = RampSpec { factors: vec![100.0], ..RampSpec::geometric(2.0, 2, 10.0, 1.0).expect("valid") };
    let error = run_ramp(&mmc(1e6, 1, 10.0), &spec, |_, _| {}).expect_err("1e8 req/s is beyond the limit");
    assert!(matches!(error, RampError::InvalidStep { factor, .. } if factor == 100.0), "{error}");
    assert!(error.to_string().contains("at 100×"), "{error}");
}

// The command line.

fn archsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_archsim")).args(args).output().expect("the archsim binary starts")
}

/// A temporary M/M/1 file (λ = 20/s, μ = 100/s) for one test, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn mm1(test: &str) -> TempFile {
        let dir = std::env::temp_dir().join(format!("archsim-ramp-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("mm1.ron");
        std::fs::write(
            &path,
            r#"(
    name: "ramp M/M/1",
    seed: 3,
    nodes: [
        (id: "users", kind: Client(arrivals: Poisson(rate: 20))),
        (id: "server", kind: Service(workers: 1, service_time: Exponential(mean_ms: 10))),
    ],
    edges: [(from: "users", to: "server")],
)"#,
        )
        .expect("write the scenario");
        TempFile(dir)
    }

    fn file(&self) -> String {
        self.0.join("mm1.ron").display().to_string()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn cli_ramp_prints_json_with_the_knee() {
    let tmp = TempFile::mm1("json");
    let file = tmp.file();
    let args = ["ramp", file.as_str(), "--to", "10x", "--steps", "5", "--duration", "30", "--json"];
    let out = archsim(&args);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    let steps = json["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 5);
    assert_eq!(steps[0]["factor"], 1.0);
    assert_eq!(steps[4]["factor"], 10.0);
    for field in [
        "nominal_rps",
        "offered_rps",
        "throughput_rps",
        "p50_ms",
        "p99_ms",
        "error_ratio",
        "cost_per_hour_usd",
        "nodes",
        "bottleneck",
    ] {
        assert!(steps[0].get(field).is_some(), "steps[].{field} missing");
    }
    assert_eq!(steps[0]["nodes"][0]["node"], "server");
    // ρ = 0.2 × factor: 0.2, 0.36, 0.63, 1.12, 2: the knee is at 5.62×.
    assert_eq!(json["knee"]["step"], 3);
    assert_eq!(json["knee"]["node"], "server");
    assert_eq!(json["knee"]["cause"], "Saturation");
    assert_eq!(json["saturation"][0]["node"], "server");
    assert_eq!(json["threshold"], 0.85);

    // Same file, same output.
    assert_eq!(archsim(&args).stdout, out.stdout);
}

#[test]
fn cli_ramp_prints_a_table_and_writes_csv() {
    let tmp = TempFile::mm1("csv");
    let file = tmp.file();
    let dir = tmp.0.join("out");
    let dir_text = dir.display().to_string();
    let out = archsim(&["ramp", &file, "--to", "10", "--steps", "3", "--duration", "20", "--csv", &dir_text]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Breaks first at server at 10×"), "{text}");
    assert!(text.contains("knee →"), "{text}");
    let csv = std::fs::read_to_string(dir.join("ramp.csv")).expect("ramp.csv written");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[0].starts_with("step,factor,nominal_rps,offered_rps,"), "{}", lines[0]);
    assert!(lines[0].ends_with(",utilisation:server"), "{}", lines[0]);
    assert!(lines[1].starts_with("0,1,20,"), "{}", lines[1]);
}

#[test]
fn cli_ramp_refuses_bad_input_with_exit_2() {
    let out = archsim(&["ramp", "no-such-scenario", "--to", "10x"]);
    assert_eq!(out.status.code(), Some(2));

    let tmp = TempFile::mm1("bad");
    let file = tmp.file();
    let out = archsim(&["ramp", &file, "--to", "0x"]);
    assert_eq!(out.status.code(), Some(2));
    let out = archsim(&["ramp", &file, "--steps", "1"]);
    assert_eq!(out.status.code(), Some(2));
    let out = archsim(&["ramp", &file, "--duration", "5", "--warmup", "5"]);
    assert_eq!(out.status.code(), Some(2));

    // A file with a mistake: file:line:column, exit 2.
    let broken = tmp.0.join("broken.ron");
    std::fs::write(
        &broken,
        "(\n    name: \"x\",\n    nodes: [(id: \"a\", kind: Client(arrivals: Poisson(rate: -1)))],\n)",
    )
    .expect("write");
    let out = archsim(&["ramp", &broken.display().to_string(), "--to", "10x"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.ron:3:"), "{err}");

    // 20 req/s × 1e6 is beyond the rate limit: the step is refused, exit 2.
    let out = archsim(&["ramp", &file, "--to", "1000000x", "--steps", "2", "--duration", "2"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("at 1000000×"), "{err}");
}

fn collect_keys(value: &serde_json::Value, keys: &mut std::collections::BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                keys.insert(key.clone());
                collect_keys(inner, keys);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| collect_keys(i, keys)),
        _ => {}
    }
}

#[test]
fn the_ramp_doc_names_every_json_field_and_csv_column() {
    let doc = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ramp.md"))
        .expect("docs/ramp.md exists");
    let documented = |key: &str| doc.contains(&format!("`{key}`"));
    let tmp = TempFile::mm1("doc");
    let dir = tmp.0.join("out");
    let dir_text = dir.display().to_string();
    // At 10× the web tier saturates: a bottleneck and a knee.
    let out = archsim(&[
        "ramp",
        "three-tier-web",
        "--to",
        "10x",
        "--steps",
        "3",
        "--duration",
        "3",
        "--json",
        "--csv",
        &dir_text,
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let mut keys = std::collections::BTreeSet::new();
    collect_keys(&json, &mut keys);
    assert!(keys.contains("local_failures") && keys.contains("knee"), "{keys:?}");
    let missing: Vec<&String> = keys.iter().filter(|k| !documented(k)).collect();
    assert!(missing.is_empty(), "JSON fields not in docs/ramp.md: {missing:?}");

    let csv = std::fs::read_to_string(dir.join("ramp.csv")).expect("ramp.csv written");
    let header = csv.lines().next().expect("a header");
    let missing: Vec<&str> = header.split(',').filter(|c| !c.starts_with("utilisation:") && !documented(c)).collect();
    assert!(missing.is_empty(), "ramp.csv columns not in docs/ramp.md: {missing:?}");
}

/// A ramp whose last steps would pass the rate limits fails before any
/// step runs: no minutes spent on steps whose results are thrown away.
#[test]
fn a_ramp_past_the_limits_fails_before_running_any_step() {
    let scenario = archsim::scenario::bundled("single-server-saturation").expect("bundled").load().expect("valid");
    let spec = RampSpec::geometric(1e9, 3, 1.0, 0.0).expect("a valid ramp spec");
    let mut steps_run = 0;
    let result = run_ramp(&scenario, &spec, |done, _| steps_run = done);
    assert!(matches!(result, Err(RampError::InvalidStep { .. })), "{result:?}");
    assert_eq!(steps_run, 0, "no step ran");
}

#[test]
fn a_hot_shard_saturates_the_ramp_before_its_database_average_does() {
    // Four shards under Zipf keys: at 0.8× the hottest shard (51 % of
    // 3,600 queries/s for its 2,000) runs over 90 % busy while the
    // database's average is near 42 %. The ramp judges a sharded database
    // by its busiest shard, so it saturates at the first step; by the
    // average it would not at all.
    let scenario = archsim::scenario::bundled("hot-shard-under-zipf-keys").expect("bundled").load().expect("valid");
    let mut spec = RampSpec::geometric(1.0, 2, 20.0, 4.0).expect("a valid ramp");
    spec.factors = vec![0.8, 1.0];
    let ramp = run_ramp(&scenario, &spec, |_, _| {}).expect("runs");
    let step = &ramp.steps[0];
    let profiles = step.nodes.iter().find(|n| n.node == "profiles").expect("the database");
    let u = profiles.utilisation.expect("a database has a pool");
    assert!(u >= spec.threshold, "busiest shard {u:.2} at 0.8×");
    let saturated = ramp.saturation.iter().find(|s| s.node == "profiles").expect("the database saturates");
    assert_eq!(saturated.step, 0);
}
