//! `archsim sweep … --shard I/N --out DIR` and `archsim merge DIR`: a
//! sweep run as shards (one process each, anywhere) and put back together.
//! The sharding and the checks are `study::shard`; this file reads and
//! writes the files and presents the merged sweep as `archsim sweep` does.

use std::path::Path;

use crate::scenario::Scenario;
use crate::study::shard::{MergeError, Shard, ShardResult, merge, run_shard};
use crate::study::sweep::{SweepSpec, points};

use super::output::to_stderr;
use super::progress::StepProgress;
use super::sweep::{present_sweep, sweep_error};
use super::{CliError, MergeArgs, csv};

/// Partial results are the files with this prefix and `.json` suffix.
const PREFIX: &str = "sweep-shard-";

/// Runs one shard and writes its partial result into `out`, through a
/// temporary file renamed into place, so a merge (or a scheduler watching
/// a shared volume) never reads half a file.
pub(super) fn run_shard_command(
    scenario: &Scenario,
    spec: &SweepSpec,
    shard: Shard,
    out: &Path,
    threads: Option<usize>,
) -> Result<(), CliError> {
    csv::prepare_dir(out)?;
    // Bad lists are reported by the sweep itself; the bar only needs a length.
    let total = points(&spec.axes, spec.zip).map_or(0, |p| p.len()) * spec.replications;
    let progress = StepProgress::counting(shard.jobs(total).len(), "run");
    let result = run_shard(scenario, spec, shard, threads, &|done, _| progress.update(done, ""));
    progress.finish();
    let result = result.map_err(sweep_error)?;
    // Compact, not pretty: a large sweep's shards hold millions of runs (`jq .` shows one nicely).
    let mut json = serde_json::to_string(&result)
        .map_err(|e| CliError::Runtime(format!("cannot encode the shard's result as JSON: {e}")))?;
    json.push('\n');
    let path = out.join(shard.file_name());
    let temporary = out.join(format!(".{}.{}.tmp", shard.file_name(), std::process::id()));
    std::fs::write(&temporary, json).and_then(|()| std::fs::rename(&temporary, &path)).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        CliError::io(format!("cannot write {}", path.display()), e)
    })?;
    to_stderr(format_args!(
        "wrote {} (shard {shard}: {} of {} runs; merge with `archsim merge {}`)",
        path.display(),
        result.jobs.len(),
        result.plan.jobs,
        out.display()
    ));
    Ok(())
}

/// Reads every partial result in `args.dir`, merges them and prints the
/// sweep's table or JSON (and its CSV) as the one-process sweep would.
pub fn merge_command(args: &MergeArgs) -> Result<(), CliError> {
    let parts = read_parts(&args.dir)?;
    let result = merge(&parts).map_err(|e| match e {
        MergeError::Empty => CliError::BadInput(format!("{}: {e}", args.dir.display())),
        _ => CliError::BadInput(e.to_string()),
    })?;
    present_sweep(&result, args.json, args.csv.as_deref())
}

/// The partial results in `dir`, by file name so the order is the same on
/// every machine (the merge does not depend on it; its messages do).
fn read_parts(dir: &Path) -> Result<Vec<(String, ShardResult)>, CliError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| CliError::BadInput(format!("cannot read the directory {}: {e}", dir.display())))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| CliError::BadInput(format!("cannot read the directory {}: {e}", dir.display())))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let json = Path::new(&name).extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if name.starts_with(PREFIX) && json {
            paths.push(entry.path());
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let file = path.display().to_string();
            let text =
                std::fs::read_to_string(&path).map_err(|e| CliError::BadInput(format!("cannot read {file}: {e}")))?;
            let part = ShardResult::from_json(&file, &text).map_err(|e| CliError::BadInput(e.to_string()))?;
            Ok((file, part))
        })
        .collect()
}
