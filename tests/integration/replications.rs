//! Independent replications (`study::replications`, `archsim run
//! --replications`): intervals that cover the truth as often as they claim,
//! the same result on any number of threads, seeds of their own that
//! reproduce alone, and the command line's exit codes and JSON.

use std::path::Path;
use std::process::{Command, Output};

use archsim::scenario::Scenario;
use archsim::study::replications::{
    ReplicationSpec, Warmup, WarmupMethod, replication_seed, run_replication, run_replications,
};
use archsim::study::stats::{mser5, t_quantile};

use crate::common::{exp_ms, poisson_client, scenario, service};

/// M/M/1: λ = 50/s into one exponential server of μ = 100/s (ρ = 0.5).
const LAMBDA: f64 = 50.0;
const MU: f64 = 100.0;

fn mm1(seed: u64) -> Scenario {
    scenario(
        "replications M/M/1",
        seed,
        1.0,
        vec![poisson_client("users", LAMBDA), service("server", 1, None, exp_ms(1000.0 / MU))],
        &[("users", "server")],
    )
}

/// Share of `hits` in `n`, and whether it lies in the band 200 experiments
/// allow a 95 % interval: the binomial sd is √(0.95 × 0.05 / 200) = 1.5 %,
/// so [0.91, 0.99] is about ±2.7 sd (a fair interval fails it about once
/// in 150 seeds sets; these seeds are fixed, so the test is deterministic).
fn coverage_ok(hits: usize, n: usize) -> (f64, bool) {
    let share = hits as f64 / n as f64;
    (share, (0.91..=0.99).contains(&share))
}

#[test]
fn the_95_percent_intervals_of_an_mm1_cover_the_true_mean_and_p90_about_95_percent_of_the_time() {
    // M/M/1's sojourn time is exponential of rate μ − λ: mean 1/(μ − λ) =
    // 20 ms, p90 ln(10)/(μ − λ) = 46.05 ms. 200 experiments of 10
    // replications, each 20 s after a 2 s warm-up (≈ 16 relaxation times
    // 1/(μ(1 − √ρ)²) = 0.12 s: the empty start is forgotten). A replication
    // has ≈ 900 answers, so its sample p90 rests on ≈ 90 above it: its bias
    // (O(1/n), under 0.5 %) and the histogram's 3 significant digits
    // (0.1 %) are small beside the interval's half-width (≈ 6 %), and
    // the answers still in flight at the end (≈ 1 of 900) bias the mean by
    // about 0.1 %.
    let true_mean_ms = 1000.0 / (MU - LAMBDA);
    let true_p90_ms = 10f64.ln() * 1000.0 / (MU - LAMBDA);
    let spec = ReplicationSpec { replications: 10, duration_s: 20.0, warmup: Warmup::Given(2.0) };
    let experiments = 200;
    let (mut mean_hits, mut p90_hits) = (0, 0);
    for experiment in 0..experiments {
        let result = run_replications(&mm1(1_000 + experiment), &spec, None, &|_, _| {}).expect("runs");
        let e = &result.end_to_end;
        if (e.mean_ms.mean - true_mean_ms).abs() <= e.mean_ms.half_width {
            mean_hits += 1;
        }
        if (e.p90_ms.mean - true_p90_ms).abs() <= e.p90_ms.half_width {
            p90_hits += 1;
        }
    }
    // Shown with `--nocapture`, for docs/replications.md.
    println!("coverage over {experiments} experiments: mean {mean_hits}, p90 {p90_hits}");
    let (mean_share, mean_ok) = coverage_ok(mean_hits, experiments as usize);
    let (p90_share, p90_ok) = coverage_ok(p90_hits, experiments as usize);
    assert!(mean_ok, "the mean's interval covered 1/(μ−λ) in {mean_share:.3} of {experiments} experiments");
    assert!(p90_ok, "the p90's interval covered ln(10)/(μ−λ) in {p90_share:.3} of {experiments} experiments");
}

#[test]
fn the_result_is_the_same_on_one_thread_and_on_two() {
    let scenario = archsim::scenario::bundled("three-tier-web").expect("bundled").load().expect("loads");
    // 30 windows of 1 s: enough for MSER-5 (at least 4 batches of 5).
    let spec = ReplicationSpec { replications: 5, duration_s: 30.0, warmup: Warmup::Automatic };
    let one = run_replications(&scenario, &spec, Some(1), &|_, _| {}).expect("runs");
    let two = run_replications(&scenario, &spec, Some(2), &|_, _| {}).expect("runs");
    assert_eq!(one, two);
    let json = |r| serde_json::to_string(r).expect("encodes");
    assert_eq!(json(&one), json(&two));
    assert_eq!(one.warmup.method, WarmupMethod::Mser5);
    assert!(one.warmup.warmup_s <= 15.0, "MSER-5 looks at the first half only: {}", one.warmup.warmup_s);
}

#[test]
fn replications_have_seeds_of_their_own_and_each_reproduces_alone() {
    let scenario = mm1(5);
    let spec = ReplicationSpec { replications: 4, duration_s: 10.0, warmup: Warmup::Given(1.0) };
    let result = run_replications(&scenario, &spec, Some(2), &|_, _| {}).expect("runs");
    let seeds: Vec<u64> = result.runs.iter().map(|r| r.seed).collect();
    let distinct: std::collections::HashSet<u64> = seeds.iter().copied().collect();
    assert_eq!(distinct.len(), 4, "{seeds:?}");
    assert!(!seeds.contains(&5), "no replication reuses the scenario's seed: {seeds:?}");
    for (i, run) in result.runs.iter().enumerate() {
        assert_eq!(run.index, i);
        assert_eq!(run.seed, replication_seed(5, i));
    }
    // Different seeds, different numbers.
    assert_ne!(result.runs[0].end_to_end.mean_ms, result.runs[1].end_to_end.mean_ms);
    let alone = run_replication(&scenario, 10.0, result.warmup.warmup_s, 2).expect("runs");
    assert_eq!(alone, result.runs[2]);
    // And the estimate is the mean of the runs.
    let mean = result.runs.iter().map(|r| r.end_to_end.mean_ms).sum::<f64>() / 4.0;
    assert!((result.end_to_end.mean_ms.mean - mean).abs() < 1e-9);
}

#[test]
fn t_quantiles_match_the_published_tables() {
    for (df, t) in [(1, 12.706), (4, 2.776), (9, 2.262), (29, 2.045), (100, 1.984)] {
        assert!((t_quantile(0.975, df) - t).abs() < 5e-4, "t(0.975, {df}) = {}, table {t}", t_quantile(0.975, df));
    }
}

#[test]
fn mser5_cuts_an_obvious_initial_transient() {
    // Windows of a system filling up: 30 windows decaying from 100 to ≈ 10,
    // then 270 around 10.
    let series: Vec<f64> = (0..300)
        .map(|i| {
            let noise = if i % 2 == 0 { 0.5 } else { -0.5 };
            if i < 30 { 10.0 + 90.0 * (-f64::from(i) / 8.0).exp() + noise } else { 10.0 + noise }
        })
        .collect();
    let cut = mser5(&series).expect("enough windows");
    assert!((15..=40).contains(&cut), "cut {cut} windows");
}

#[test]
fn too_few_replications_are_a_typed_error() {
    let spec = ReplicationSpec { replications: 1, duration_s: 10.0, warmup: Warmup::Given(1.0) };
    let error = run_replications(&mm1(1), &spec, None, &|_, _| {}).expect_err("one replication has no spread");
    assert!(error.to_string().contains("between 2 and 10000"), "{error}");
}

// The command line.

fn archsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_archsim")).args(args).output().expect("the archsim binary starts")
}

#[test]
fn cli_one_replication_is_a_usage_error_naming_the_flag() {
    for bad in ["1", "0", "10001", "many"] {
        let out = archsim(&["run", "three-tier-web", "--replications", bad]);
        assert_eq!(out.status.code(), Some(2), "--replications {bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--replications"), "{err}");
    }
    let out = archsim(&["run", "three-tier-web", "--threads", "2"]);
    assert_eq!(out.status.code(), Some(2), "--threads needs --replications");
    let out = archsim(&["run", "three-tier-web", "--replications", "3", "--threads", "0"]);
    assert_eq!(out.status.code(), Some(2));
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

#[test]
fn cli_replications_json_has_the_documented_fields() {
    let args = ["run", "three-tier-web", "--duration", "6", "--replications", "4", "--json"];
    let out = archsim(&args);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    assert_eq!(json["replications"], 4);
    assert_eq!(json["confidence"], 0.95);
    assert_eq!(json["runs"].as_array().map(Vec::len), Some(4));
    let p99 = &json["end_to_end"]["p99_ms"];
    for field in ["mean", "half_width", "sd", "min", "max", "replications_for_5_percent"] {
        assert!(p99.get(field).is_some(), "end_to_end.p99_ms.{field} missing: {p99}");
    }
    assert!(json["nodes"][0]["node"].is_string());
    assert!(json["warmup"]["warmup_s"].is_number());

    // Every field is in docs/replications.md.
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/replications.md"))
        .expect("docs/replications.md exists");
    let mut found = std::collections::BTreeSet::new();
    keys(&json, &mut found);
    // As `key` or as the end of a path, `warmup.key`.
    let documented = |k: &str| doc.contains(&format!("`{k}`")) || doc.contains(&format!(".{k}`"));
    let missing: Vec<&String> = found.iter().filter(|k| !documented(k)).collect();
    assert!(missing.is_empty(), "JSON fields not in docs/replications.md: {missing:?}");

    // Same file, same output, whatever the threads.
    let mut one = args.to_vec();
    one.extend(["--threads", "1"]);
    assert_eq!(archsim(&one).stdout, out.stdout);
}

#[test]
fn cli_replications_print_intervals_and_the_replications_for_five_percent() {
    let out = archsim(&["run", "three-tier-web", "--duration", "6", "--warmup", "1", "--replications", "3"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("3 replications of 6.00 s, warm-up 1.00 s (as set)"), "{text}");
    assert!(text.contains("p99 ms") && text.contains(" ± "), "{text}");
    assert!(text.contains("Replications for ±5.0 % on p99: "), "{text}");
}
