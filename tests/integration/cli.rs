//! The `archsim` command line, run as a user runs it: the built binary,
//! its exit codes, stdout and stderr. Runs are short (a few simulated
//! seconds) so the suite stays fast.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the binary with `args`.
fn archsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_archsim")).args(args).output().expect("the archsim binary starts")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally, not by a signal")
}

/// A fresh, empty directory for one test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("archsim-cli-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run_json(args: &[&str]) -> serde_json::Value {
    let out = archsim(args);
    assert_eq!(code(&out), 0, "stderr: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("stdout is exactly one JSON document")
}

fn bundled_scenario_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenarios/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort();
    files
}

#[test]
fn validate_accepts_every_bundled_scenario_file() {
    let files = bundled_scenario_files();
    assert!(files.len() >= 6, "expected the bundled scenarios, found {files:?}");
    for file in files {
        let file = file.to_string_lossy();
        let out = archsim(&["validate", &file]);
        assert_eq!(code(&out), 0, "{file}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.starts_with(&format!("{file}: ok (")) && text.contains("nodes"), "{text}");
    }
}

#[test]
fn validate_lists_every_problem_of_a_broken_file_with_its_position() {
    let dir = TempDir::new("validate-broken");
    let file = dir.path().join("broken.ron");
    let source = r#"(
    name: "broken",
    nodes: [
        (id: "users", kind: Client(arrivals: Poisson(rate: -10))),
        (id: "server", kind: Service(workers: 0, service_time: Exponential(mean_ms: 5))),
    ],
    edges: [(from: "users", to: "nowhere")],
)
"#;
    std::fs::write(&file, source).expect("write the file");
    let file = file.to_string_lossy().into_owned();
    let out = archsim(&["validate", &file]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    for line in ["4:", "5:", "7:"] {
        assert!(err.contains(&format!("{file}:{line}")), "no diagnostic at line {line} in:\n{err}");
    }
    assert!(err.contains("nowhere") && err.contains("rate") && err.contains("workers"), "{err}");
    assert!(stdout(&out).is_empty());

    let syntax = dir.path().join("syntax.ron");
    std::fs::write(&syntax, "(\n  name: \"x\",,\n)\n").expect("write the file");
    let out = archsim(&["validate", &syntax.to_string_lossy()]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains(&format!("{}:2:", syntax.to_string_lossy())), "{}", stderr(&out));
}

#[test]
fn a_missing_file_is_bad_input() {
    let out = archsim(&["run", "no-such-scenario.ron"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("no-such-scenario.ron"), "{}", stderr(&out));
    assert_eq!(code(&archsim(&["validate", "/nonexistent/dir/x.ron"])), 2);
}

#[test]
fn run_json_prints_the_report_and_nothing_else() {
    let report = run_json(&["run", "three-tier-web", "--duration", "3", "--json"]);
    let e2e = &report["end_to_end"];
    for field in ["arrivals", "ok", "failed", "throughput_rps", "error_ratio"] {
        assert!(e2e[field].is_number(), "end_to_end.{field} missing in {e2e}");
    }
    for field in ["mean_ms", "p50_ms", "p90_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms"] {
        assert!(e2e["latency"][field].is_number(), "end_to_end.latency.{field} missing");
    }
    assert!(e2e["failures"]["timeout"].is_number());
    assert!(e2e["arrivals"].as_u64().is_some_and(|n| n > 2_000), "about 1,000 requests/s for 3 s: {e2e}");
    assert_eq!(report["sim_time_s"], 3.0);
    assert_eq!(report["seed"], 7);
    assert_eq!(report["nodes"].as_array().map(Vec::len), Some(7));
    assert_eq!(report["edges"].as_array().map(Vec::len), Some(8));
}

#[test]
fn run_flags_override_the_scenario() {
    let report = run_json(&["run", "retry-storm", "--duration", "2", "--warmup", "1", "--seed", "99", "--json"]);
    assert_eq!(report["seed"], 99);
    assert_eq!(report["sim_time_s"], 2.0);
    assert_eq!(report["warmup_s"], 1.0);
    let measured = report["end_to_end"]["duration_s"].as_f64().expect("a number");
    assert!((measured - 1.0).abs() < 1e-9, "totals cover the second after the warm-up, got {measured}");
}

#[test]
fn bad_flag_values_exit_with_2_and_name_the_flag() {
    let cases: &[(&[&str], &str)] = &[
        (&["run", "three-tier-web", "--duration", "-5"], "--duration"),
        (&["run", "three-tier-web", "--duration", "0"], "--duration"),
        (&["run", "three-tier-web", "--duration", "soon"], "--duration"),
        (&["run", "three-tier-web", "--seed", "-1"], "--seed"),
        (&["run", "three-tier-web", "--warmup", "-1"], "--warmup"),
        (&["run", "three-tier-web", "--window", "nan"], "--window"),
        (&["run", "three-tier-web", "--duration", "5", "--warmup", "5"], "--warmup"),
        (&["run", "three-tier-web", "--frobnicate"], "--frobnicate"),
        (&["bench", "--requests", "0"], "--requests"),
        (&["bench", "--only", "nonsense"], "--only"),
    ];
    for (args, flag) in cases {
        let out = archsim(args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(flag), "{args:?}: stderr does not name {flag}:\n{}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{args:?}");
    }
}

#[test]
fn run_csv_writes_one_file_per_node_plus_end_to_end_and_edges() {
    let dir = TempDir::new("csv");
    let target = dir.path().join("nested/out");
    let out = archsim(&["run", "three-tier-web", "--duration", "4", "--csv", &target.to_string_lossy()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains(&*target.to_string_lossy()), "says where: {}", stderr(&out));
    let mut names: Vec<String> = std::fs::read_dir(&target)
        .expect("the directory was created")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let expected = [
        "edges.csv",
        "end_to_end.csv",
        "node-app-1.csv",
        "node-app-2.csv",
        "node-app-3.csv",
        "node-cache.csv",
        "node-db.csv",
        "node-lb.csv",
        "node-users.csv",
    ];
    assert_eq!(names, expected);

    let e2e = std::fs::read_to_string(target.join("end_to_end.csv")).expect("readable");
    let lines: Vec<&str> = e2e.lines().collect();
    assert_eq!(lines.len(), 1 + 4, "a header and one row per 1 s window:\n{e2e}");
    let header: Vec<&str> = lines[0].split(',').collect();
    for column in ["window_start_s", "window_end_s", "arrivals", "ok", "failed", "timeout", "throughput_rps"] {
        assert!(header.contains(&column), "{column} missing from {header:?}");
    }
    for column in ["latency_p99_ms", "mean_queue_len", "utilisation", "hit_ratio"] {
        assert!(header.contains(&column), "{column} missing from {header:?}");
    }
    assert!(lines[1..].iter().all(|row| row.split(',').count() == header.len()));
    assert!(lines[1].starts_with("0,1,"), "{}", lines[1]);

    let cache = std::fs::read_to_string(target.join("node-cache.csv")).expect("readable");
    let hit = header.iter().position(|c| *c == "hit_ratio").expect("hit_ratio column");
    let last: Vec<&str> = cache.lines().last().expect("rows").split(',').collect();
    assert!(last[hit].parse::<f64>().is_ok_and(|h| h > 0.0 && h < 1.0), "cache hit ratio: {}", last[hit]);

    let edges = std::fs::read_to_string(target.join("edges.csv")).expect("readable");
    assert_eq!(edges.lines().count(), 1 + 4 * 8, "8 edges × 4 windows:\n{edges}");
}

#[test]
fn the_window_flag_sets_the_width_of_the_csv_rows() {
    let dir = TempDir::new("csv-window");
    let out =
        archsim(&["run", "retry-storm", "--duration", "5", "--window", "2.5", "--csv", &dir.path().to_string_lossy()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("node-service.csv")).expect("written");
    let starts: Vec<&str> = text.lines().skip(1).map(|l| l.split(',').next().unwrap_or_default()).collect();
    assert_eq!(starts, ["0", "2.5"], "{text}");
}

#[test]
fn the_summary_table_shows_end_to_end_nodes_and_the_bottleneck() {
    let out = archsim(&["run", "single-server-saturation"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    for part in ["Single server pushed past saturation", "seed 1", "END TO END", "PER NODE", "BOTTLENECK"] {
        assert!(text.contains(part), "{part} missing in:\n{text}");
    }
    for part in ["requests", "throughput", "p99.9", "queue full ×", "users", "server"] {
        assert!(text.contains(part), "{part} missing in:\n{text}");
    }
    assert!(stderr(&out).is_empty(), "no progress bar or note when stderr is not a terminal: {}", stderr(&out));
    let bottleneck = text.split("BOTTLENECK").nth(1).expect("a bottleneck section");
    assert!(bottleneck.trim_start().starts_with("server:"), "the saturated server is named:\n{bottleneck}");

    let healthy = stdout(&archsim(&["run", "three-tier-web", "--duration", "3"]));
    assert!(healthy.contains("no bottleneck"), "{healthy}");
}

#[test]
fn the_summary_and_the_json_carry_the_diagnosis() {
    let text = stdout(&archsim(&["run", "retry-storm"]));
    let diagnosis = text.split("DIAGNOSIS").nth(1).expect("a diagnosis section");
    assert!(diagnosis.trim_start().starts_with("Retries amplified the load:"), "{diagnosis}");
    assert!(diagnosis.contains("requests failed") && diagnosis.contains("attempts rejected"), "{diagnosis}");
    assert!(diagnosis.contains("try: Cap users' retries") && !diagnosis.contains("more workers"), "{diagnosis}");
    let end_to_end = text.split("END TO END").nth(1).expect("end to end");
    assert!(end_to_end.contains("attempts") && end_to_end.contains("per request, retries included"), "{text}");

    let json = run_json(&["run", "retry-storm", "--json"]);
    assert_eq!(json["diagnosis"]["findings"][0]["cause"]["kind"], "retry_amplification");
    assert_eq!(json["diagnosis"]["findings"][0]["advice"][0]["kind"], "cap_retries");
    assert!(json["nodes"][0]["attempts"]["sent"].as_u64().is_some_and(|n| n > 100_000), "{}", json["nodes"][0]);
}

#[test]
fn the_same_seed_gives_identical_json_and_another_seed_other_numbers() {
    let args = |seed: &'static str| ["run", "cache-in-front-of-db", "--duration", "3", "--seed", seed, "--json"];
    let first = stdout(&archsim(&args("5")));
    let again = stdout(&archsim(&args("5")));
    assert!(!first.is_empty());
    assert_eq!(first, again, "same seed, same bytes");

    let other: serde_json::Value = serde_json::from_str(&stdout(&archsim(&args("6")))).expect("JSON");
    let first: serde_json::Value = serde_json::from_str(&first).expect("JSON");
    assert_ne!(first["end_to_end"], other["end_to_end"]);
    assert_ne!(first["end_to_end"]["latency"]["mean_ms"], other["end_to_end"]["latency"]["mean_ms"]);
}

#[test]
fn list_names_every_bundled_scenario() {
    let out = archsim(&["list"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(text.contains("TOPIC") && text.contains("Classic designs"), "each scenario's topic:\n{text}");
    for file in bundled_scenario_files() {
        let name = file.file_stem().expect("a name").to_string_lossy().into_owned();
        assert!(text.contains(&name), "{name} missing in:\n{text}");
        // A name from the list runs.
        let out = archsim(&["run", &name, "--duration", "0.5", "--warmup", "0", "--json"]);
        assert_eq!(code(&out), 0, "{name}: {}", stderr(&out));
    }
}

#[test]
fn bench_quick_measures_all_three_benchmarks() {
    let out = archsim(&["bench", "--quick"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    for part in ["M/M/1", "tandem", "five-hop", "requests/s", "events/s", "peak memory", "≥ 5 M req/s", "< 100 MB"] {
        assert!(text.contains(part), "{part} missing in:\n{text}");
    }
    let only = stdout(&archsim(&["bench", "--quick", "--only", "tandem"]));
    assert!(only.contains("tandem") && !only.contains("M/M/1"), "{only}");
}

#[test]
fn every_subcommand_has_help_with_examples() {
    for sub in ["run", "validate", "list", "bench", "ramp", "grade", "sweep", "compare", "export"] {
        let out = archsim(&[sub, "--help"]);
        assert_eq!(code(&out), 0, "{sub}");
        let text = stdout(&out);
        assert!(text.contains("Usage: archsim") && text.contains("Example"), "{sub}:\n{text}");
    }
}

#[cfg(not(feature = "gui"))]
#[test]
fn without_the_gui_no_subcommand_explains_and_shows_the_help() {
    let out = archsim(&[]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("no desktop app") && err.contains("Commands:") && err.contains("run"), "{err}");
}

/// Every key of a report written as `` `key` `` somewhere in the
/// documentation, so a field added to the engine's report cannot go
/// undocumented.
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
fn the_report_format_doc_names_every_json_field_and_csv_column() {
    let doc_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report-format.md");
    let doc = std::fs::read_to_string(doc_path).expect("docs/report-format.md exists");
    let documented = |key: &str| doc.contains(&format!("`{key}`")) || doc.contains(&format!(".{key}`"));

    let mut keys = std::collections::BTreeSet::new();
    collect_keys(&run_json(&["run", "retry-storm", "--duration", "3", "--json"]), &mut keys);
    collect_keys(&run_json(&["run", "three-tier-web", "--duration", "2", "--json"]), &mut keys);
    // The whole run, for the diagnosis of retries at every layer.
    collect_keys(&run_json(&["run", "retries-at-every-layer", "--json"]), &mut keys);
    // And of a fallback's degraded answers (with a breaker).
    collect_keys(&run_json(&["run", "breaker-stops-a-cascade", "--json"]), &mut keys);
    // And of SLOs with their alerts.
    collect_keys(&run_json(&["run", "slo-burn-rate-alerts", "--json"]), &mut keys);
    let missing: Vec<&String> = keys.iter().filter(|k| !documented(k)).collect();
    assert!(missing.is_empty(), "JSON fields not in docs/report-format.md: {missing:?}");

    let dir = TempDir::new("csv-doc");
    let out = archsim(&["run", "three-tier-web", "--duration", "2", "--csv", &dir.path().to_string_lossy()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    for file in ["end_to_end.csv", "edges.csv"] {
        let text = std::fs::read_to_string(dir.path().join(file)).expect("written");
        let header = text.lines().next().expect("a header");
        let missing: Vec<&str> = header.split(',').filter(|c| !documented(c)).collect();
        assert!(missing.is_empty(), "{file} columns not in docs/report-format.md: {missing:?}");
    }
}

/// A sharded database's shards show in the summary, a row each with the
/// hot one marked, and in `shards.csv`, whose columns are documented: the
/// database's own row averages the hot shard away.
#[test]
fn a_sharded_database_shows_each_shard_in_the_summary_and_the_csv() {
    let dir = TempDir::new("shards");
    let out = archsim(&[
        "run",
        "hot-shard-under-zipf-keys",
        "--duration",
        "5",
        "--warmup",
        "1",
        "--csv",
        &dir.path().to_string_lossy(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let section = text.split("\nSHARDS\n").nth(1).expect("a SHARDS section").split("\n\n").next().unwrap_or("");
    let rows: Vec<&str> = section.lines().skip(1).collect();
    assert_eq!(rows.len(), 4, "one row per shard:\n{section}");
    assert!(rows.iter().all(|r| r.trim_start().starts_with("profiles")), "{section}");
    let busiest: Vec<&&str> = rows.iter().filter(|r| r.ends_with("busiest")).collect();
    assert_eq!(busiest.len(), 1, "{section}");
    assert!(busiest[0].split_whitespace().nth(1) == Some("1"), "shard 1 holds the hottest key:\n{section}");

    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report-format.md"))
        .expect("docs/report-format.md exists");
    let csv = std::fs::read_to_string(dir.path().join("shards.csv")).expect("shards.csv written");
    let mut lines = csv.lines();
    let header = lines.next().expect("a header");
    assert_eq!(header, "node,shard,arrivals,share,utilisation");
    for column in header.split(',') {
        assert!(doc.contains(&format!("`{column}`")), "{column} not in docs/report-format.md");
    }
    assert!(doc.contains("`shards.csv`"), "the file is documented");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 4, "{csv}");
    let utilisation = |row: &Vec<&str>| row[4].parse::<f64>().expect("a number");
    assert!(utilisation(&rows[1]) > 0.9 && utilisation(&rows[0]) < 0.5, "{csv}");
}

/// Where a command's stdout or stderr goes in the stream tests.
#[derive(Clone, Copy, Debug)]
enum Sink {
    /// Captured by the test.
    Captured,
    /// `/dev/full`: every write fails with "no space left on device".
    Full,
    /// A pipe whose reader is already gone: every write is a broken pipe.
    Closed,
}

impl Sink {
    fn stdio(self) -> std::process::Stdio {
        match self {
            Sink::Captured => std::process::Stdio::piped(),
            Sink::Full => std::fs::File::options().write(true).open("/dev/full").expect("/dev/full opens").into(),
            Sink::Closed => {
                let (reader, writer) = std::io::pipe().expect("a pipe");
                drop(reader);
                writer.into()
            }
        }
    }
}

/// Runs the binary with stdout and stderr sent to the given sinks.
fn archsim_to(args: &[&str], out: Sink, err: Sink) -> Output {
    Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(args)
        .stdout(out.stdio())
        .stderr(err.stdio())
        .output()
        .expect("the archsim binary starts")
}

/// Every subcommand, briefly, and clap's help: (arguments, exit code when
/// everything can be written). `bench` with `--quick --only` is a tiny run.
const EVERY_COMMAND: &[(&[&str], i32)] = &[
    (&["run", "retry-storm", "--duration", "1"], 0),
    (&["run", "three-tier-web", "--duration", "1", "--json"], 0),
    (&["validate", "retry-storm", "three-tier-web"], 0),
    (&["list"], 0),
    (&["bench", "--quick", "--only", "mm1"], 0),
    (&["--help"], 0),
    (&["run", "--help"], 0),
];

fn dev_full_exists() -> bool {
    Path::new("/dev/full").exists()
}

#[test]
fn a_stderr_that_cannot_be_written_never_panics_and_keeps_the_exit_code() {
    if !dev_full_exists() {
        return;
    }
    let dir = TempDir::new("stderr-full");
    let csv = dir.path().join("csv");
    let csv_text = csv.to_string_lossy();
    let run_with_csv = ["run", "retry-storm", "--duration", "1", "--csv", &csv_text];
    let mut cases: Vec<(&[&str], i32)> = vec![
        (&["validate", "no-such-scenario.ron"], 2),
        (&["validate", "retry-storm"], 0),
        (&run_with_csv, 0),
        (&["bench", "--quick", "--only", "mm1"], 0),
        (&["run", "three-tier-web", "--frobnicate"], 2),
    ];
    // Without the desktop app, no subcommand explains that on stderr.
    if cfg!(not(feature = "gui")) {
        cases.push((&[], 2));
    }
    for (args, expected) in cases {
        for err in [Sink::Full, Sink::Closed] {
            let out = archsim_to(args, Sink::Captured, err);
            assert_eq!(code(&out), expected, "{args:?} 2>{err:?}");
        }
    }
    assert!(csv.join("end_to_end.csv").exists(), "the CSV files are written all the same");
}

#[test]
fn a_full_stdout_is_a_runtime_failure_said_on_stderr_for_every_command() {
    if !dev_full_exists() {
        return;
    }
    for &(args, _) in EVERY_COMMAND {
        let out = archsim_to(args, Sink::Full, Sink::Captured);
        let err = stderr(&out);
        assert_eq!(code(&out), 1, "{args:?} >/dev/full: {err}");
        assert!(err.contains("cannot write to standard output"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        // And with stderr full too: still exit 1, quietly.
        assert_eq!(code(&archsim_to(args, Sink::Full, Sink::Full)), 1, "{args:?} >/dev/full 2>/dev/full");
    }
}

#[test]
fn a_reader_that_goes_away_is_not_a_failure_for_any_command() {
    for &(args, expected) in EVERY_COMMAND {
        let out = archsim_to(args, Sink::Closed, Sink::Captured);
        let err = stderr(&out);
        assert_eq!(code(&out), expected, "{args:?} | (closed): {err}");
        assert!(!err.contains("panicked") && !err.contains("error"), "{args:?}: {err}");
    }
}

#[test]
fn with_stdout_gone_validate_still_checks_every_file_and_run_still_writes_csv() {
    let dir = TempDir::new("closed-stdout");
    let bad = dir.path().join("bad.ron");
    std::fs::write(&bad, "(name: \"x\", nodes: [])\n").expect("write the file");
    let out = archsim_to(&["validate", "retry-storm", &bad.to_string_lossy()], Sink::Closed, Sink::Captured);
    assert_eq!(code(&out), 2, "the invalid file after the closed stdout is still found: {}", stderr(&out));
    assert!(stderr(&out).contains("no nodes"), "{}", stderr(&out));

    let csv = dir.path().join("csv");
    let args = ["run", "retry-storm", "--duration", "1", "--json", "--csv", &csv.to_string_lossy()];
    let out = archsim_to(&args, Sink::Closed, Sink::Captured);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(csv.join("end_to_end.csv").exists(), "{}", stderr(&out));
}

#[test]
fn validating_20000_duplicate_ids_and_20000_misplaced_faults_takes_linear_time() {
    let dir = TempDir::new("big-files");
    for (name, nodes, faults) in [("nodes.ron", 20_000, 0), ("faults.ron", 2, 20_000)] {
        let file = dir.path().join(name);
        std::fs::write(&file, crate::common::generated_scenario(nodes, faults)).expect("write the file");
        let started = std::time::Instant::now();
        let out = archsim(&["validate", &file.to_string_lossy()]);
        let took = started.elapsed();
        assert_eq!(code(&out), 2);
        let problems = stderr(&out).lines().count();
        assert!(problems >= 10_000, "{name}: every problem is printed, got {problems}");
        // Well under a second in a release build; quadratic code took
        // minutes even there, so this bound is generous for a debug build
        // on a busy machine yet still catches it.
        assert!(took.as_secs() < 10, "{name} took {took:?}");
    }
}

/// The summary's end-to-end block counts the copies hedging sent, with the
/// share of calls they added and how many answered first: the JSON's
/// `edges[].hedges` and `hedges_won`, summed. A run without hedging has
/// no such row.
#[test]
fn the_summary_counts_the_copies_hedging_sent_and_those_that_won() {
    let args = ["run", "hedged-requests-cut-the-tail", "--duration", "5"];
    let json = run_json(&[&args[..], &["--json"]].concat());
    let edges = json["edges"].as_array().expect("edges");
    let sum = |key: &str| edges.iter().filter_map(|e| e[key].as_u64()).sum::<u64>();
    let (copies, won) = (sum("hedges"), sum("hedges_won"));
    let sent = |from: &dyn Fn(&str) -> bool| -> u64 {
        edges.iter().filter(|e| e["from"].as_str().is_some_and(from)).filter_map(|e| e["stats"]["sent"].as_u64()).sum()
    };
    let shard_calls = sent(&|f| f == "search");
    assert!(copies > 100 && won > 0 && sent(&|f| f.starts_with("shard-")) == shard_calls + copies, "{copies} {won}");

    let text = stdout(&archsim(&args));
    let end_to_end = text.split("END TO END").nth(1).and_then(|t| t.split("PER NODE").next()).expect("end to end");
    let row = end_to_end.lines().find(|l| l.trim_start().starts_with("hedges")).expect("a hedges row");
    let share = format!("{:.1} %", copies as f64 / shard_calls as f64 * 100.0);
    for part in [group(copies), share, format!("{} answered first", group(won))] {
        assert!(row.contains(&part), "{part} missing in: {row}");
    }
    let plain = stdout(&archsim(&["run", "fan-out-tail-at-scale", "--duration", "3"]));
    assert!(!plain.contains("hedges"), "{plain}");
}

fn group(n: u64) -> String {
    archsim::sim::group_thousands(n)
}

#[test]
fn a_challenge_file_is_graded_by_run_and_by_grade() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let launch = dir.join("challenge-serve-the-launch.ron");
    let launch = launch.to_str().expect("a UTF-8 path");
    let json = run_json(&["run", launch, "--json"]);
    let challenge = &json["challenge"];
    assert_eq!(challenge["passed"], false, "{challenge}");
    assert!(challenge["goals"].as_array().is_some_and(|g| g.len() == 5), "{challenge}");
    assert!(challenge["broke_first"]["at_s"].is_number(), "{challenge}");

    let text = stdout(&archsim(&["run", launch]));
    assert!(text.contains("CHALLENGE") && text.contains("NOT PASSED") && text.contains("hint 1"), "{text}");

    // A shortened timeline is said not to be the challenge's verdict.
    let short = run_json(&["run", launch, "--duration", "20", "--json"]);
    assert!(short["challenge"]["notes"][0].as_str().is_some_and(|n| n.starts_with("not the challenge's verdict")));

    // grade: one row per file; a file with no challenge is reported, exit 2.
    let plain = dir.join("single-server-saturation.ron");
    let out = archsim(&["grade", launch, plain.to_str().expect("UTF-8")]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let table = stdout(&out);
    assert!(table.contains("serve the launch") && table.contains("goals met"), "{table}");
    assert!(stderr(&out).contains("has no `challenge` section"), "{}", stderr(&out));
}

#[test]
fn run_writes_the_metrics_in_prometheus_text_format() {
    let dir = TempDir::new("prometheus");
    let file = dir.path().join("metrics.prom");
    let file_arg = file.to_str().expect("UTF-8");
    let out = archsim(&["run", "three-tier-web", "--duration", "3", "--prometheus", file_arg]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = std::fs::read_to_string(&file).expect("written");
    assert!(text.contains("# TYPE archsim_requests_total counter"), "{text}");
    assert!(text.contains("archsim_latency_seconds{node=\"db\",kind=\"Database\",quantile=\"0.99\"}"), "{text}");
    assert!(text.contains("archsim_cost_per_hour_usd "), "{text}");
}

/// `--traces` writes each window's slowest request call by call, with
/// every field docs/report-format.md lists.
#[test]
fn run_writes_request_traces_as_json() {
    let dir = TempDir::new("traces");
    let file = dir.path().join("traces.json");
    let file_arg = file.to_str().expect("UTF-8");
    let out = archsim(&["run", "three-tier-web", "--duration", "3", "--traces", file_arg]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("written")).expect("JSON");
    let traces = json["traces"].as_array().expect("a list");
    assert!(traces.iter().filter(|t| t["kept"] == "Slowest").count() == 3, "one slowest per window");
    let spans = traces[0]["spans"].as_array().expect("spans");
    assert_eq!(spans[0]["node"], "users");
    assert!(spans.iter().any(|s| s["node"] == "db" && s["depth"].as_u64() == Some(4)), "{spans:?}");
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/report-format.md")).expect("doc");
    for field in traces[0].as_object().expect("fields").keys().chain(spans[0].as_object().expect("fields").keys()) {
        assert!(doc.contains(&format!("| `{field}` |")), "{field} is not in docs/report-format.md");
    }
}

/// `archsim ARGS` with `text` on its standard input.
fn pipe_to(args: &[&str], text: &[u8]) -> Output {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    child.stdin.take().expect("stdin").write_all(text).expect("writes");
    child.wait_with_output().expect("finishes")
}

#[test]
fn a_design_piped_on_standard_input_runs_and_a_broken_one_is_reported_as_stdin() {
    let pipe = |text: &str, args: &[&str]| pipe_to(args, text.as_bytes());
    let design = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/three-tier-web.ron"))
        .expect("readable");
    let out = pipe(&design, &["run", "-", "--duration", "2", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("\"scenario\""));
    let out = pipe("(name: \"x\", nodes: [(id: \"a\", kind: Cleint())])", &["validate", "-"]);
    assert_eq!(code(&out), 2);
    assert!(stdout(&out).contains("<stdin>:1:") || stderr(&out).contains("<stdin>:1:"), "{}", stderr(&out));
}

/// A design copied from a newer version, piped in as it would be pasted in
/// the app: its unknown field is left out with a note naming it where it
/// is, and the run is the run without it; the same text in a file is
/// refused (a typo there must not pass for a default).
#[test]
fn a_piped_design_with_a_field_from_a_newer_version_runs_without_it_and_says_so() {
    let pipe = |text: &str| pipe_to(&["run", "-", "--duration", "3", "--json"], text.as_bytes());
    let design = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/three-tier-web.ron"))
        .expect("readable");
    let (head, rest) = design.split_once("nodes:").expect("a nodes list");
    let newer = format!("{head}carbon_budget_kg: 12,\n    nodes:{rest}");
    let line = newer.lines().position(|l| l.contains("carbon_budget_kg")).expect("inserted") + 1;

    let plain = pipe(&design);
    let out = pipe(&newer);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let note = stderr(&out);
    assert!(note.contains("does not know") && note.contains(&format!("<stdin>:{line}:")), "{note}");
    assert!(note.contains("carbon_budget_kg"), "{note}");
    let report =
        |o: &Output| serde_json::from_slice::<serde_json::Value>(&o.stdout).expect("JSON")["end_to_end"].clone();
    assert_eq!(report(&out), report(&plain), "the same run as without the field");

    let dir = TempDir::new("newer");
    let file = dir.path().join("newer.ron");
    std::fs::write(&file, &newer).expect("written");
    let refused = archsim(&["run", file.to_str().expect("UTF-8"), "--duration", "3"]);
    assert_eq!(code(&refused), 2, "a file refuses it");
    assert!(stderr(&refused).contains("carbon_budget_kg"), "{}", stderr(&refused));

    // Only `run -` is lenient: `validate -` catches the field as in a file.
    let checked = pipe_to(&["validate", "-"], newer.as_bytes());
    assert_eq!(code(&checked), 2, "validate - refuses it");
    let said = format!("{}{}", stdout(&checked), stderr(&checked));
    assert!(said.contains(&format!("<stdin>:{line}:")) && said.contains("carbon_budget_kg"), "{said}");
    // Standard input is read once.
    let twice = pipe_to(&["validate", "-", "-"], design.as_bytes());
    assert_eq!(code(&twice), 2);
    assert!(stderr(&twice).contains("only once"), "{}", stderr(&twice));
    // UTF-16 with no byte-order mark piped to `run -` is named, as a file's is.
    let utf16: Vec<u8> = design.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let wide = pipe_to(&["run", "-", "--duration", "1"], &utf16);
    assert_eq!(code(&wide), 2);
    assert!(stderr(&wide).contains("UTF-16"), "{}", stderr(&wide));
}

/// The summary's SLO section: the objective, what was measured, the
/// budget, and each alert with when it fired.
#[test]
fn run_prints_each_slo_with_its_budget_and_alerts() {
    let out = archsim(&["run", "slo-burn-rate-alerts"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let section = text.split("\nSLOS\n").nth(1).expect("an SLOS section");
    assert!(section.contains("availability (end to end): 99.9 % available"), "{section}");
    assert!(section.contains("error budget") && section.contains("% used"), "{section}");
    assert!(section.contains("alert fast-burn (burn > 14.4× over 30 s and 3 s): fired once"), "{section}");
    assert!(section.contains("alert slow-burn"), "{section}");
    let json = run_json(&["run", "slo-burn-rate-alerts", "--json"]);
    assert_eq!(json["slos"][0]["alerts"][0]["name"], "fast-burn");
    assert!(json["slos"][0]["budget_used_percent"].as_f64().is_some_and(|b| b > 0.0));
}
