//! Sharded sweeps (`study::shard`, `archsim sweep --shard I/N --out DIR`,
//! `archsim merge DIR`): three shards run as separate processes merge into
//! the one-process sweep's table, JSON and CSV byte for byte; a missing,
//! duplicated, foreign or tampered part is an error naming it (exit 2).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use archsim::scenario::Scenario;
use archsim::study::shard::{MergeError, Shard, ShardResult, merge, run_shard};
use archsim::study::sweep::{Axis, SweepSpec, run_sweep};

use crate::common::{exp_ms, poisson_client, scenario, service};

fn archsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_archsim")).args(args).output().expect("the archsim binary starts")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A directory of its own per test, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("archsim-shards-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    fn join(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A small sweep: 4 points × 2 replications of 2 simulated seconds.
const SWEEP: [&str; 10] = [
    "sweep",
    "three-tier-web",
    "--set",
    "app-1.workers=4,8",
    "--set",
    "db.connections=10,20",
    "--duration",
    "2",
    "--replications",
    "2",
];

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

fn with<'a>(base: &[&'a str], more: &[&'a str]) -> Vec<&'a str> {
    let mut args = base.to_vec();
    args.extend_from_slice(more);
    args
}

/// Runs shards `indices` of `count` of `sweep` as separate processes, at
/// the same time, each writing into `out`.
fn run_shards(sweep: &[&str], indices: &[usize], count: usize, out: &str) {
    let children: Vec<_> = indices
        .iter()
        .map(|i| {
            let shard = format!("{i}/{count}");
            let child = Command::new(env!("CARGO_BIN_EXE_archsim"))
                .args(sweep)
                .args(["--shard", &shard, "--out", out])
                .output();
            (shard, child)
        })
        .collect();
    for (shard, child) in children {
        let out = child.expect("a shard starts");
        assert_eq!(out.status.code(), Some(0), "shard {shard}: {}", stderr(&out));
        assert!(out.stdout.is_empty(), "a shard prints nothing on stdout");
    }
}

#[test]
fn three_shards_in_separate_processes_merge_into_the_one_process_sweep_byte_for_byte() {
    let dir = TempDir::new("same");
    let (parts, one_csv, merged_csv) = (dir.join("parts"), dir.join("one"), dir.join("merged"));
    // Three processes running at once, as a cluster's job array would.
    let shards: Vec<std::process::Child> = (0..3)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_archsim"))
                .args(SWEEP)
                .args(["--shard", &format!("{i}/3"), "--out", &parts, "--threads", "1"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("a shard starts")
        })
        .collect();
    for child in shards {
        let out = child.wait_with_output().expect("the shard ends");
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let written: Vec<String> = {
        let mut names: Vec<String> = std::fs::read_dir(&parts)
            .expect("the parts directory")
            .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(written, ["sweep-shard-0-of-3.json", "sweep-shard-1-of-3.json", "sweep-shard-2-of-3.json"]);
    // Every field of a partial result is documented.
    let part: serde_json::Value =
        serde_json::from_slice(&std::fs::read(Path::new(&parts).join(&written[0])).expect("readable"))
            .expect("a shard's file is JSON");
    assert_eq!(part["jobs"].as_array().map(Vec::len), Some(3), "jobs 0, 3 and 6 of 8");
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/sweep.md")).expect("doc");
    let mut found = std::collections::BTreeSet::new();
    keys(&part, &mut found);
    let documented = |k: &str| {
        doc.contains(&format!("`{k}`")) || doc.contains(&format!(".{k}`")) || doc.contains(&format!("\"{k}\""))
    };
    let missing: Vec<&String> = found.iter().filter(|k| !documented(k)).collect();
    assert!(missing.is_empty(), "partial-result fields not in docs/sweep.md: {missing:?}");

    // JSON.
    let one = archsim(&with(&SWEEP, &["--json"]));
    assert_eq!(one.status.code(), Some(0), "{}", stderr(&one));
    let merged = archsim(&["merge", &parts, "--json"]);
    assert_eq!(merged.status.code(), Some(0), "{}", stderr(&merged));
    assert!(!one.stdout.is_empty());
    assert_eq!(String::from_utf8_lossy(&merged.stdout), String::from_utf8_lossy(&one.stdout), "JSON differs");

    // The table and the CSV.
    let one = archsim(&with(&SWEEP, &["--csv", &one_csv]));
    assert_eq!(one.status.code(), Some(0), "{}", stderr(&one));
    let merged = archsim(&["merge", &parts, "--csv", &merged_csv]);
    assert_eq!(merged.status.code(), Some(0), "{}", stderr(&merged));
    assert!(String::from_utf8_lossy(&one.stdout).contains("4 points"), "{}", String::from_utf8_lossy(&one.stdout));
    assert_eq!(String::from_utf8_lossy(&merged.stdout), String::from_utf8_lossy(&one.stdout), "tables differ");
    let read = |dir: &str| std::fs::read(Path::new(dir).join("sweep.csv")).expect("sweep.csv written");
    assert_eq!(read(&merged_csv), read(&one_csv), "CSV differs");
    assert_eq!(String::from_utf8_lossy(&read(&merged_csv)).lines().count(), 5);
}

#[test]
fn a_missing_shard_is_named_and_exits_2() {
    let dir = TempDir::new("missing");
    let parts = dir.join("parts");
    run_shards(&SWEEP, &[0, 2], 3, &parts);
    let out = archsim(&["merge", &parts]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("3 of 8 jobs are missing") && err.contains("sweep-shard-1-of-3.json"), "{err}");
    assert!(out.stdout.is_empty());
    // An empty or absent directory.
    std::fs::create_dir_all(dir.join("empty")).expect("a directory");
    let out = archsim(&["merge", &dir.join("empty")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no partial results"), "{}", stderr(&out));
    let out = archsim(&["merge", &dir.join("nowhere")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nowhere"), "{}", stderr(&out));
}

#[test]
fn shards_of_different_sweeps_do_not_merge() {
    let dir = TempDir::new("mixed");
    // Another scenario.
    let parts = dir.join("scenario");
    run_shards(&SWEEP, &[0], 2, &parts);
    let other =
        ["sweep", "cache-in-front-of-db", "--set", "db.connections=4,8", "--duration", "2", "--replications", "2"];
    run_shards(&other, &[1], 2, &parts);
    let out = archsim(&["merge", &parts]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("not shards of the same sweep") && err.contains("fingerprint"), "{err}");

    // The same scenario, another plan (a longer run).
    let parts = dir.join("plan");
    run_shards(&SWEEP, &[0], 2, &parts);
    let mut longer = SWEEP.to_vec();
    longer[7] = "3";
    run_shards(&longer, &[1], 2, &parts);
    let out = archsim(&["merge", &parts]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("the sweep plan differs") && err.contains("3 s runs"), "{err}");

    // A job twice: the same shard copied under another name.
    let parts = dir.join("twice");
    run_shards(&SWEEP, &[0, 1], 2, &parts);
    std::fs::copy(
        Path::new(&parts).join("sweep-shard-0-of-2.json"),
        Path::new(&parts).join("sweep-shard-0-of-2-again.json"),
    )
    .expect("copied");
    let out = archsim(&["merge", &parts]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("job 0 (point 1, replication 1) is in both"), "{}", stderr(&out));

    // Not a partial result at all.
    let parts = dir.join("junk");
    std::fs::create_dir_all(&parts).expect("a directory");
    std::fs::write(Path::new(&parts).join("sweep-shard-0-of-1.json"), "{\"points\": []}").expect("written");
    let out = archsim(&["merge", &parts]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a partial sweep result"), "{}", stderr(&out));
}

#[test]
fn bad_shards_exit_2_saying_how_shards_are_numbered() {
    let dir = TempDir::new("bad");
    let out_dir = dir.join("parts");
    for (shard, says) in [
        ("3/3", "numbered from 0 to 2"),
        ("0/0", "at least 1"),
        ("1", "expected I/N"),
        ("-1/3", "expected I/N"),
        ("a/b", "expected I/N"),
    ] {
        let out = archsim(&with(&SWEEP, &["--shard", shard, "--out", &out_dir]));
        assert_eq!(out.status.code(), Some(2), "--shard {shard}");
        assert!(stderr(&out).contains(says), "--shard {shard}: {}", stderr(&out));
    }
    // A shard needs somewhere to write, and writes no report of its own.
    assert_eq!(archsim(&with(&SWEEP, &["--shard", "0/2"])).status.code(), Some(2));
    assert_eq!(archsim(&with(&SWEEP, &["--out", &out_dir])).status.code(), Some(2));
    assert_eq!(archsim(&with(&SWEEP, &["--shard", "0/2", "--out", &out_dir, "--json"])).status.code(), Some(2));
    assert!(!Path::new(&out_dir).exists(), "nothing written");
    let help = archsim(&["merge", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("Example"));
}

// The pure merge, without processes.

/// M/M/1 at ρ = 0.2, short runs.
fn mm1() -> Scenario {
    scenario(
        "shards M/M/1",
        5,
        1.0,
        vec![poisson_client("users", 100.0), service("server", 1, None, exp_ms(2.0))],
        &[("users", "server")],
    )
}

fn spec(s: &Scenario, sets: &[&str], zip: bool, replications: usize) -> SweepSpec {
    let axes = sets.iter().map(|t| Axis::parse(s, t).expect("a good --set")).collect();
    SweepSpec { axes, zip, replications, duration_s: 2.0, warmup_s: Some(0.5) }
}

fn shards(s: &Scenario, spec: &SweepSpec, count: usize) -> Vec<(String, ShardResult)> {
    (0..count)
        .map(|index| {
            let shard = Shard { index, count };
            (shard.file_name(), run_shard(s, spec, shard, Some(1), &|_, _| {}).expect("the shard runs"))
        })
        .collect()
}

#[test]
fn merged_shards_equal_the_whole_sweep_in_any_order_and_with_more_shards_than_jobs() {
    let s = mm1();
    // One replication (the points' own seeds) and zipped lists; then replications.
    for spec in [
        spec(&s, &["server.service_time=1,2,3", "users.rate=50,100,150"], true, 1),
        spec(&s, &["server.service_time=1,3"], false, 3),
        // A choice is an index like any value: shards merge it alike.
        spec(&s, &["server.service_time.shape=Constant,Exponential"], false, 2),
    ] {
        let whole = run_sweep(&s, &spec, Some(2), &|_, _| {}).expect("the sweep runs");
        for count in [1, 2, 4, 7] {
            let mut parts = shards(&s, &spec, count);
            parts.reverse();
            assert_eq!(merge(&parts).expect("they merge"), whole, "{count} shards");
        }
    }
}

#[test]
fn a_tampered_or_misplaced_job_is_refused() {
    let s = mm1();
    let spec = spec(&s, &["server.service_time=1,3"], false, 2);
    let good = shards(&s, &spec, 2);
    assert!(merge(&good).is_ok());

    let mut bad = good.clone();
    bad[1].1.jobs[0].run.seed ^= 1;
    assert!(matches!(merge(&bad), Err(MergeError::BadJob { job: 1, .. })), "{:?}", merge(&bad));

    let mut bad = good.clone();
    let moved = bad[1].1.jobs.remove(0);
    bad[0].1.jobs.push(moved);
    let err = merge(&bad).expect_err("a job in the wrong shard");
    assert!(err.to_string().contains("does not belong to shard 0/2"), "{err}");

    let mut bad = good.clone();
    bad[0].1.archsim_version = "0.0.1".into();
    assert!(matches!(merge(&bad), Err(MergeError::Mismatch { what: "the archsim version", .. })));

    let mut bad = good;
    bad[0].1.version = 99;
    let text = serde_json::to_string(&bad[0].1).expect("encodes");
    assert!(matches!(ShardResult::from_json("x.json", &text), Err(MergeError::Version { version: 99, .. })));
    assert_eq!(merge(&[]), Err(MergeError::Empty));
}
