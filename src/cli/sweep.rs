//! `archsim sweep FILE --set PATH=VALUES ...`: a parameter sweep, its
//! table, JSON or CSV. The sweep itself is `study::sweep`; this file only
//! presents it.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::sim::cost::usd;
use crate::study::replications::Estimate;
use crate::study::sweep::{Axis, SweepError, SweepResult, SweepSpec, points, run_sweep};

use super::output::{Stdout, to_stderr};
use super::progress::StepProgress;
use super::source::load_named_scenario;
use super::table::{Align, Table};
use super::{CliError, SweepArgs, csv, format};

/// Runs the sweep and prints its table or JSON, and writes the CSV if asked.
pub fn sweep_command(args: &SweepArgs) -> Result<(), CliError> {
    let scenario = load_named_scenario(&args.file)?;
    let bad = |e: SweepError| CliError::BadInput(e.to_string());
    let axes: Vec<Axis> =
        args.set.iter().map(|text| Axis::parse(&scenario, text)).collect::<Result<_, _>>().map_err(bad)?;
    let duration_s = args.duration.unwrap_or(scenario.duration_s);
    // The scenario's warm-up when it fits the run; else a tenth of each run.
    let warmup_s =
        args.warmup.or((scenario.warmup_s > 0.0 && scenario.warmup_s < duration_s).then_some(scenario.warmup_s));
    let spec = SweepSpec { axes, zip: args.zip, replications: args.replications as usize, duration_s, warmup_s };
    let threads = args.threads.map(|t| t as usize);
    if let (Some(shard), Some(out)) = (args.shard, &args.out) {
        return super::merge::run_shard_command(&scenario, &spec, shard, out, threads);
    }
    if let Some(dir) = &args.csv {
        csv::prepare_dir(dir)?;
    }
    // Bad lists are reported by the sweep itself; the bar only needs a length.
    let runs = points(&spec.axes, spec.zip).map_or(0, |p| p.len()) * spec.replications;
    let progress = StepProgress::counting(runs, "run");
    let result = run_sweep(&scenario, &spec, threads, &|done, _| progress.update(done, ""));
    progress.finish();
    let result = result.map_err(sweep_error)?;
    present_sweep(&result, args.json, args.csv.as_deref())
}

/// A sweep's error as the command line reports it: a thread pool that
/// would not start (or a failure no input can cause) is a runtime failure,
/// everything else bad input.
pub(super) fn sweep_error(e: SweepError) -> CliError {
    match e {
        SweepError::Threads { .. } | SweepError::Fingerprint { .. } | SweepError::NoSuchJob { .. } => {
            CliError::Runtime(e.to_string())
        }
        _ => CliError::BadInput(e.to_string()),
    }
}

/// Prints the sweep's table or JSON and writes its CSV if asked: the one
/// presentation of `archsim sweep` and `archsim merge`, so a merged sharded
/// sweep prints what the one-process sweep prints.
pub(super) fn present_sweep(result: &SweepResult, json: bool, csv_dir: Option<&Path>) -> Result<(), CliError> {
    if let Some(dir) = csv_dir {
        csv::prepare_dir(dir)?;
    }
    let text = if json { super::output::json_document(result, "the sweep")? } else { render_sweep(result) };
    Stdout::new().write(&text)?;

    if let Some(dir) = csv_dir {
        let path = write_sweep_csv(dir, result)?;
        to_stderr(format_args!("wrote {} ({} points)", path.display(), result.points.len()));
    }
    Ok(())
}

/// `mean ± half-width`, or the mean alone with one replication.
fn show(e: &Estimate, replicated: bool, how: fn(f64) -> String) -> String {
    if replicated { format!("{} ± {}", how(e.mean), how(e.half_width)) } else { how(e.mean) }
}

/// The table: one row per point, the swept values then the figures.
pub fn render_sweep(r: &SweepResult) -> String {
    let replicated = r.replications >= 2;
    let first = r.points.first();
    let mut out = format!(
        "SWEEP  {}: {} point{} ({}), {} of {} each (warm-up {}){}\n\n",
        r.scenario,
        r.points.len(),
        if r.points.len() == 1 { "" } else { "s" },
        if r.mode == "zip" { "lists zipped" } else { "every combination" },
        if r.replications == 1 { String::from("1 run") } else { format!("{} replications", r.replications) },
        first.map_or_else(String::new, |p| format::seconds(p.duration_s)),
        first.map_or_else(String::new, |p| format::seconds(p.warmup_s)),
        if replicated { ", mean ± half-width of the 95 % confidence interval" } else { "" },
    );
    let mut columns: Vec<(&str, Align)> = vec![("#", Align::Right)];
    columns.extend(r.parameters.iter().map(|p| (p.as_str(), Align::Right)));
    columns.extend([
        ("ok/s", Align::Right),
        ("p50 ms", Align::Right),
        ("p99 ms", Align::Right),
        ("errors", Align::Right),
        ("cost/h", Align::Right),
        ("busiest", Align::Left),
        ("util", Align::Right),
    ]);
    let mut table = Table::new(&columns).indented(2);
    for p in &r.points {
        let mut row = vec![(p.index + 1).to_string()];
        row.extend(p.values.iter().enumerate().map(|(i, v)| r.value_text(i, *v)));
        let (busiest, util) = p.busiest.as_ref().map_or((String::from("—"), String::new()), |b| {
            (b.node.clone(), show(&b.utilisation, replicated, format::percent))
        });
        row.extend([
            show(&p.throughput_rps, replicated, format::rate),
            show(&p.p50_ms, replicated, format::millis),
            show(&p.p99_ms, replicated, format::millis),
            show(&p.error_ratio, replicated, format::percent),
            show(&p.cost_per_hour_usd, replicated, usd),
            busiest,
            util,
        ]);
        table.row(row);
    }
    out.push_str(&table.render());
    out
}

/// Writes `sweep.csv` into `dir`: one row per point, the swept values
/// (headed by their paths), then each figure's mean and half-width.
pub fn write_sweep_csv(dir: &Path, r: &SweepResult) -> Result<PathBuf, CliError> {
    csv::prepare_dir(dir)?;
    let path = dir.join("sweep.csv");
    csv::write_file(&path, |out| write_sweep_rows(out, r))?;
    Ok(path)
}

/// The columns after the swept values' (documented in docs/sweep.md).
pub const SWEEP_COLUMNS: [&str; 14] = [
    "replications",
    "throughput_rps",
    "throughput_rps_ci",
    "p50_ms",
    "p50_ms_ci",
    "p99_ms",
    "p99_ms_ci",
    "error_ratio",
    "error_ratio_ci",
    "cost_per_hour_usd",
    "cost_per_hour_usd_ci",
    "busiest",
    "busiest_utilisation",
    "busiest_utilisation_ci",
];

fn write_sweep_rows(out: &mut dyn Write, r: &SweepResult) -> std::io::Result<()> {
    let mut header = vec![String::from("point")];
    header.extend(r.parameters.iter().map(|p| csv::field(p)));
    header.extend(SWEEP_COLUMNS.iter().map(|c| (*c).to_string()));
    writeln!(out, "{}", header.join(","))?;
    for p in &r.points {
        let mut row = vec![(p.index + 1).to_string()];
        row.extend(p.values.iter().enumerate().map(|(i, v)| csv::field(&r.value_text(i, *v))));
        row.push(r.replications.to_string());
        for e in [&p.throughput_rps, &p.p50_ms, &p.p99_ms, &p.error_ratio, &p.cost_per_hour_usd] {
            row.push(e.mean.to_string());
            row.push(e.half_width.to_string());
        }
        let busiest = p.busiest.as_ref();
        row.push(busiest.map(|b| csv::field(&b.node)).unwrap_or_default());
        row.push(csv::optional(busiest.map(|b| b.utilisation.mean)));
        row.push(csv::optional(busiest.map(|b| b.utilisation.half_width)));
        writeln!(out, "{}", row.join(","))?;
    }
    Ok(())
}
