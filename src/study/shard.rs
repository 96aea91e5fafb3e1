//! A sweep cut into shards: "the sweep outgrew one machine".
//!
//! Every (point, replication) of a sweep is an independent job addressed by
//! its index `k` (replication `k % R` of point `k / R`, see
//! [`sweep::job_count`]): its seed follows from the point's seed and the
//! replication number alone, so it gives the same bits whichever process,
//! machine or thread runs it. A shard `I/N` runs the jobs with
//! `k % N == I` ([`Shard::jobs`]) — dealt out like cards, so every shard gets
//! a mix of cheap and dear points — and writes a [`ShardResult`]: the plan,
//! the scenario's fingerprint, which jobs it ran and each job's figures.
//! [`merge`] checks that the partial results belong to one sweep and hold
//! every job exactly once, and hands the runs in job order to
//! [`sweep::aggregate`], the same summary the one-process sweep makes: the
//! merged report is the one-process report, byte for byte.
//!
//! Shards are numbered from 0 (`0/4` … `3/4`), as Slurm numbers an array
//! `--array=0-3` (`SLURM_ARRAY_TASK_ID`) and Kubernetes an Indexed Job
//! (`JOB_COMPLETION_INDEX`); the schedulers distribute the shards, archsim
//! has no cluster code. `docs/sweep.md` ("Sharded sweeps") is the user's
//! account.
//!
//! Figures travel as JSON numbers: `serde_json` writes the shortest decimal
//! that reads back as the same `f64`, and reads it back exactly with its
//! `float_roundtrip` feature (on in `Cargo.toml`; without it a number may
//! come back one ulp off, and the merge would differ in the last digit).

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::sweep::{self, PlannedPoint, PointPlan, PointRun, SweepError, SweepResult, SweepSpec};
use crate::scenario::Scenario;
use crate::sim::rng::fnv1a;

/// What a partial result says it is in its `format` field.
pub const FORMAT: &str = "archsim-sweep-shard";

/// The version of the partial result's layout; a merge reads only its own.
pub const FORMAT_VERSION: u32 = 1;

/// Jobs named in full in a "missing" or "duplicated" message; the rest are
/// counted.
const JOBS_NAMED: usize = 10;

/// Shard `index` of `count`, numbered from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

/// Why `I/N` is not a shard.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    #[error(
        "`{text}`: expected I/N, shard I of N numbered from 0, such as 0/4 (I as Slurm's SLURM_ARRAY_TASK_ID or k8s's JOB_COMPLETION_INDEX gives it)"
    )]
    Syntax { text: String },
    #[error("`{text}`: the number of shards must be at least 1")]
    NoShards { text: String },
    #[error(
        "`{text}`: shard {index} of {count} does not exist: shards are numbered from 0 to {last} (a Slurm array for {count} shards is --array=0-{last})",
        last = .count - 1
    )]
    IndexTooLarge { text: String, index: usize, count: usize },
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Shard, ShardError> {
        let syntax = || ShardError::Syntax { text: text.to_string() };
        let (index, count) = text.split_once('/').ok_or_else(syntax)?;
        let index: usize = index.trim().parse().map_err(|_| syntax())?;
        let count: usize = count.trim().parse().map_err(|_| syntax())?;
        if count == 0 {
            return Err(ShardError::NoShards { text: text.to_string() });
        }
        if index >= count {
            return Err(ShardError::IndexTooLarge { text: text.to_string(), index, count });
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// The jobs of this shard among `total`: every `count`-th from `index`.
    pub fn jobs(self, total: usize) -> Vec<usize> {
        (self.index..total).step_by(self.count.max(1)).collect()
    }

    /// The file a shard writes: `sweep-shard-I-of-N.json`.
    pub fn file_name(self) -> String {
        format!("sweep-shard-{}-of-{}.json", self.index, self.count)
    }
}

/// What every shard of one sweep shares, and the merge checks: the
/// scenario (by name and fingerprint), the spec, and each point's values,
/// seed, run length and warm-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPlan {
    pub scenario: String,
    /// [`fingerprint`] of the scenario as loaded, before any point's changes.
    pub scenario_fingerprint: String,
    pub spec: SweepSpec,
    pub points: Vec<PointPlan>,
    /// Points × replications.
    pub jobs: usize,
}

/// One job's run, as a shard wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardJob {
    /// The job's index: point × replications + replication.
    pub job: usize,
    pub point: usize,
    pub replication: usize,
    pub run: PointRun,
}

/// A shard's partial result: the file `archsim sweep --shard` writes and
/// `archsim merge` reads (`docs/sweep.md`, "Sharded sweeps").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardResult {
    /// [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub version: u32,
    /// The archsim that ran it: shards of one sweep must agree, since
    /// another engine may give other figures for the same seed.
    pub archsim_version: String,
    pub shard: Shard,
    pub plan: SweepPlan,
    /// The jobs it ran, in job order.
    pub jobs: Vec<ShardJob>,
}

/// A stable fingerprint of a scenario: FNV-1a (64 bits) over its RON
/// serialisation, so formatting and comments do not count but every value
/// does. It tells sweeps of different scenarios apart; it is not a
/// defence against someone forging a file.
pub fn fingerprint(scenario: &Scenario) -> Result<String, SweepError> {
    let text = ron::to_string(scenario)
        .map_err(|e| SweepError::Fingerprint { why: format!("the scenario cannot be serialised: {e}") })?;
    Ok(format!("fnv1a64:{:016x}", fnv1a(text.as_bytes())))
}

/// Plans the sweep (every point checked, as [`sweep::plan`]) and the part
/// of it every shard shares.
pub fn sweep_plan(scenario: &Scenario, spec: &SweepSpec) -> Result<(SweepPlan, Vec<PlannedPoint>), SweepError> {
    let planned = sweep::plan(scenario, spec)?;
    let plan = SweepPlan {
        scenario: scenario.name.clone(),
        scenario_fingerprint: fingerprint(scenario)?,
        spec: spec.clone(),
        points: planned.iter().map(PointPlan::from).collect(),
        jobs: sweep::job_count(planned.len(), spec.replications),
    };
    Ok((plan, planned))
}

/// Runs shard `shard` of the sweep on a pool of `threads` threads.
/// `progress(done, total)` counts this shard's jobs. Every point is
/// validated first, whichever jobs the shard has, so a bad sweep fails in
/// every shard at once.
pub fn run_shard(
    scenario: &Scenario,
    spec: &SweepSpec,
    shard: Shard,
    threads: Option<usize>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<ShardResult, SweepError> {
    let (plan, planned) = sweep_plan(scenario, spec)?;
    let jobs = shard.jobs(plan.jobs);
    let runs = sweep::run_jobs(&planned, spec, &jobs, threads, progress)?;
    let n = spec.replications;
    Ok(ShardResult {
        format: FORMAT.into(),
        version: FORMAT_VERSION,
        archsim_version: env!("CARGO_PKG_VERSION").into(),
        shard,
        plan,
        jobs: jobs
            .into_iter()
            .zip(runs)
            .map(|(job, run)| ShardJob { job, point: job / n, replication: job % n, run })
            .collect(),
    })
}

/// Why partial results could not be merged. Each names the files at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    #[error(
        "no partial results to merge (files named sweep-shard-*.json, written by `archsim sweep --shard I/N --out DIR`)"
    )]
    Empty,
    #[error("{file}: not a partial sweep result: {why}")]
    Unreadable { file: String, why: String },
    #[error(
        "{file}: a partial result of format version {version}; this archsim reads version {FORMAT_VERSION}: merge with the archsim that ran the shards"
    )]
    Version { file: String, version: u32 },
    #[error("{file} and {other} are not shards of the same sweep: {what} differs ({ours} vs {theirs})")]
    Mismatch { file: String, other: String, what: &'static str, ours: String, theirs: String },
    #[error("{file}: job {job} {why}")]
    BadJob { file: String, job: usize, why: String },
    #[error("job {job} (point {}, replication {}) is in both {first} and {second}", .point + 1, .replication + 1)]
    Duplicate { job: usize, point: usize, replication: usize, first: String, second: String },
    #[error("{missing} of {total} jobs are missing{}: jobs {}", shards_missing(.shards, *.count), name_jobs(.jobs, *.missing))]
    Missing { missing: usize, total: usize, jobs: Vec<usize>, shards: Vec<usize>, count: Option<usize> },
}

fn shards_missing(shards: &[usize], count: Option<usize>) -> String {
    match count {
        Some(count) if !shards.is_empty() => format!(
            " (shard{} {} of {count}: no {})",
            if shards.len() == 1 { "" } else { "s" },
            shards.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
            shards.iter().map(|&index| Shard { index, count }.file_name()).collect::<Vec<_>>().join(", ")
        ),
        _ => String::new(),
    }
}

fn name_jobs(jobs: &[usize], missing: usize) -> String {
    let mut text = jobs.iter().take(JOBS_NAMED).map(ToString::to_string).collect::<Vec<_>>().join(", ");
    if missing > JOBS_NAMED {
        text.push_str(&format!(" and {} more", missing - JOBS_NAMED));
    }
    text
}

impl ShardResult {
    /// Reads a partial result from its JSON, `file` naming it in errors. A
    /// file of another format or version is told apart from a damaged one.
    pub fn from_json(file: &str, text: &str) -> Result<ShardResult, MergeError> {
        #[derive(Deserialize)]
        struct Header {
            format: Option<String>,
            version: Option<u32>,
        }
        let unreadable = |why: String| MergeError::Unreadable { file: file.to_string(), why };
        let header: Header = serde_json::from_str(text).map_err(|e| unreadable(e.to_string()))?;
        if header.format.as_deref() != Some(FORMAT) {
            return Err(unreadable(format!("its `format` is not \"{FORMAT}\"")));
        }
        match header.version {
            Some(FORMAT_VERSION) => {}
            Some(version) => return Err(MergeError::Version { file: file.to_string(), version }),
            None => return Err(unreadable("it has no `version`".into())),
        }
        serde_json::from_str(text).map_err(|e| unreadable(e.to_string()))
    }
}

/// Merges partial results (each with the name of its file) into the
/// sweep's result. Checks that all belong to one sweep (same archsim, same
/// scenario fingerprint, same plan), that each job is where its shard
/// says, has the seed the plan gives it, and that every job is present
/// exactly once; then summarises as the one-process sweep does
/// ([`sweep::aggregate`]). The order of `parts` does not matter.
pub fn merge(parts: &[(String, ShardResult)]) -> Result<SweepResult, MergeError> {
    let Some((first_file, first)) = parts.first() else { return Err(MergeError::Empty) };
    let plan = &first.plan;
    for (file, part) in &parts[1..] {
        let mismatch = |what: &'static str, ours: String, theirs: String| MergeError::Mismatch {
            file: file.clone(),
            other: first_file.clone(),
            what,
            ours,
            theirs,
        };
        if part.archsim_version != first.archsim_version {
            return Err(mismatch("the archsim version", part.archsim_version.clone(), first.archsim_version.clone()));
        }
        if part.plan.scenario_fingerprint != plan.scenario_fingerprint {
            return Err(mismatch(
                "the scenario's fingerprint",
                format!("{} {}", part.plan.scenario, part.plan.scenario_fingerprint),
                format!("{} {}", plan.scenario, plan.scenario_fingerprint),
            ));
        }
        if part.plan != *plan {
            return Err(mismatch("the sweep plan", describe(&part.plan), describe(plan)));
        }
    }
    let n = plan.spec.replications;
    let total = plan.jobs;
    if n == 0 || plan.points.len().checked_mul(n) != Some(total) {
        return Err(MergeError::Unreadable {
            file: first_file.clone(),
            why: format!("its plan has {total} jobs for {} points × {n} replications", plan.points.len()),
        });
    }
    let mut slots: Vec<Option<(&str, &PointRun)>> = vec![None; total];
    for (file, part) in parts {
        let bad = |job: usize, why: String| MergeError::BadJob { file: file.clone(), job, why };
        if part.shard.count == 0 || part.shard.index >= part.shard.count {
            return Err(MergeError::Unreadable { file: file.clone(), why: format!("it is shard {}", part.shard) });
        }
        for job in &part.jobs {
            let k = job.job;
            let Some(point) = plan.points.get(k / n).filter(|_| k < total) else {
                return Err(bad(k, format!("is not in the sweep (it has {total} jobs)")));
            };
            if (job.point, job.replication) != (k / n, k % n) {
                return Err(bad(k, format!("says point {} replication {}", job.point, job.replication)));
            }
            if k % part.shard.count != part.shard.index {
                return Err(bad(k, format!("does not belong to shard {}", part.shard)));
            }
            let seed = sweep::job_seed(point.seed, n, k % n);
            if job.run.seed != seed {
                return Err(bad(k, format!("ran with seed {}, the plan gives it {seed}", job.run.seed)));
            }
            match slots[k] {
                Some((earlier, _)) => {
                    return Err(MergeError::Duplicate {
                        job: k,
                        point: k / n,
                        replication: k % n,
                        first: earlier.to_string(),
                        second: file.clone(),
                    });
                }
                None => slots[k] = Some((file.as_str(), &job.run)),
            }
        }
    }
    let missing: Vec<usize> = slots.iter().enumerate().filter(|(_, s)| s.is_none()).map(|(k, _)| k).collect();
    if !missing.is_empty() {
        // With one shard count throughout, name the shards whose files are absent.
        let counts: BTreeSet<usize> = parts.iter().map(|(_, p)| p.shard.count).collect();
        let count = (counts.len() == 1).then_some(first.shard.count);
        let shards: Vec<usize> = match count {
            Some(c) => missing.iter().map(|k| k % c).collect::<BTreeSet<_>>().into_iter().collect(),
            None => Vec::new(),
        };
        return Err(MergeError::Missing {
            missing: missing.len(),
            total,
            jobs: missing.into_iter().take(JOBS_NAMED).collect(),
            shards,
            count,
        });
    }
    let runs: Vec<PointRun> = slots.into_iter().flatten().map(|(_, run)| run.clone()).collect();
    Ok(sweep::aggregate(&plan.scenario, &plan.spec, &plan.points, runs))
}

/// A plan in a few words, for a mismatch message.
fn describe(plan: &SweepPlan) -> String {
    let paths: Vec<&str> = plan.spec.axes.iter().map(|a| a.path.as_str()).collect();
    format!(
        "{} point{} over {}, {} replication{}, {} s runs",
        plan.points.len(),
        if plan.points.len() == 1 { "" } else { "s" },
        paths.join(" × "),
        plan.spec.replications,
        if plan.spec.replications == 1 { "" } else { "s" },
        plan.spec.duration_s,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_numbered_from_zero() {
        assert_eq!("0/3".parse(), Ok(Shard { index: 0, count: 3 }));
        assert_eq!(" 2 / 3 ".parse(), Ok(Shard { index: 2, count: 3 }));
        assert!(matches!("3/3".parse::<Shard>(), Err(ShardError::IndexTooLarge { index: 3, count: 3, .. })));
        assert!(matches!("0/0".parse::<Shard>(), Err(ShardError::NoShards { .. })));
        for bad in ["", "1", "a/3", "1/b", "-1/3", "1/3/4", "1.5/3"] {
            assert!(matches!(bad.parse::<Shard>(), Err(ShardError::Syntax { .. })), "{bad}");
        }
        let e = "4/4".parse::<Shard>().expect_err("too large");
        assert!(e.to_string().contains("--array=0-3"), "{e}");
    }

    #[test]
    fn the_shards_deal_out_every_job_once() {
        let total = 23;
        let mut seen = vec![0; total];
        for index in 0..5 {
            for k in (Shard { index, count: 5 }).jobs(total) {
                assert_eq!(k % 5, index);
                seen[k] += 1;
            }
        }
        assert!(seen.iter().all(|&c| c == 1), "{seen:?}");
        // More shards than jobs: the last ones have none.
        assert!((Shard { index: 7, count: 9 }).jobs(5).is_empty());
    }

    #[test]
    fn figures_survive_json_bit_for_bit() {
        // The merge is byte-identical only if every f64 reads back exactly:
        // serde_json's `float_roundtrip` must be on.
        let mut state = 0x1234_5678_9abc_def0_u64;
        for _ in 0..20_000 {
            state = crate::sim::rng::splitmix64(state);
            let x = f64::from_bits(state);
            if !x.is_finite() {
                continue;
            }
            for value in [x, x.abs().sqrt(), (state >> 11) as f64 / (1u64 << 53) as f64] {
                let text = serde_json::to_string(&value).expect("a finite number");
                let back: f64 = serde_json::from_str(&text).expect("reads back");
                assert_eq!(back.to_bits(), value.to_bits(), "{text}");
            }
        }
    }
}
