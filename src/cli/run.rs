//! `archsim run`: load a scenario, apply the flags, simulate, print.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::challenge::{Evaluation, evaluation_scenario, grade};
use crate::diagnosis::{Diagnosis, diagnose};
use crate::scenario::Scenario;
use crate::sim::{Report, SimTime, Simulation};

use super::grade::render_challenge;
use super::output::{Stdout, to_stderr};
use super::progress::RunProgress;
use super::source::load_named_scenario_with;
use super::summary::render_summary;
use super::{CliError, RunArgs, csv};
use crate::scenario::UnknownFields;

/// Events per slice of the run: small enough that the progress bar moves
/// several times a second, large enough that the slicing costs nothing.
const EVENTS_PER_SLICE: u64 = 1 << 18;

/// The file `--traces` writes.
#[derive(serde::Serialize)]
struct TracesFile<'a> {
    traces: &'a [crate::sim::trace::TraceView],
}

/// Runs the scenario and prints the summary table or the JSON report, and
/// writes the CSV files if asked.
pub fn run_command(args: &RunArgs) -> Result<(), CliError> {
    let design = load_named_scenario_with(&args.file, UnknownFields::Ignore)?;
    // A challenge runs its own timeline (the flags may still change it,
    // with a note), and is graded at the end.
    let mut scenario = evaluation_scenario(&design).unwrap_or_else(|| design.clone());
    apply_overrides(&mut scenario, args)?;
    if let Some(count) = args.replications {
        return super::replications::replications_command(&scenario, args, count);
    }
    if let Some(dir) = &args.csv {
        csv::prepare_dir(dir)?;
    }
    let mut sim = Simulation::new(&scenario).map_err(|e| CliError::BadInput(e.to_string()))?;
    if args.traces.is_some() {
        sim.enable_tracing();
    }
    let wall = run_to_end(&mut sim, scenario.duration_s);
    let report = sim.report();
    let diagnosis = diagnose(&report, sim.scenario());
    let challenge = match &design.challenge {
        Some(ch) => {
            let mut evaluation = grade(&design, &sim).map_err(|e| CliError::Runtime(e.to_string()))?;
            if args.duration.is_some() || args.warmup.is_some() {
                evaluation.notes.push(format!(
                    "not the challenge's verdict: --duration or --warmup changed its timeline ({} s, {} s warm-up)",
                    ch.duration_s, ch.warmup_s
                ));
            }
            Some(evaluation)
        }
        None => None,
    };

    let text = if args.json {
        let json = JsonReport { report: &report, diagnosis: &diagnosis, challenge: challenge.as_ref() };
        super::output::json_document(&json, "the report")?
    } else {
        let mut text = render_summary(&report, &diagnosis, wall);
        if let Some(e) = &challenge {
            text.push_str("\nCHALLENGE\n");
            text.push_str(&render_challenge(e));
        }
        text
    };
    // A reader that stops early (`| head`) does not stop the CSV files.
    Stdout::new().write(&text)?;

    if let Some(path) = &args.prometheus {
        let text = crate::sim::prometheus::prometheus_text(&report);
        std::fs::write(path, text).map_err(|source| CliError::Io {
            what: format!("cannot write the metrics to {}", path.display()),
            source,
        })?;
    }
    if let Some(path) = &args.traces {
        let node_ids: Vec<String> = scenario.nodes.iter().map(|n| n.id.clone()).collect();
        let traces: Vec<_> = sim.traces().map(|t| t.view(&node_ids)).collect();
        let text = super::output::json_document(&TracesFile { traces: &traces }, "the traces")?;
        std::fs::write(path, text).map_err(|source| CliError::Io {
            what: format!("cannot write the traces to {}", path.display()),
            source,
        })?;
    }
    if let Some(dir) = &args.csv {
        let node_ids: Vec<String> = scenario.nodes.iter().map(|n| n.id.clone()).collect();
        let edges: Vec<(String, String)> = scenario.edges.iter().map(|e| (e.from.clone(), e.to.clone())).collect();
        let written = csv::write_series(dir, sim.series(), &node_ids, &edges)?;
        let shards = csv::write_shards(dir, &report.nodes)?;
        to_stderr(format_args!(
            "wrote {} CSV files ({} windows of {} s each) to {}",
            written.files.len() + usize::from(shards.is_some()),
            written.windows,
            scenario.window_s,
            dir.display()
        ));
        if written.dropped_windows > 0 {
            to_stderr(format_args!(
                "note: the first {} windows are not in the files: the engine keeps only the most recent {}",
                written.dropped_windows, written.windows
            ));
        }
        if written.windows == 0 {
            to_stderr(format_args!(
                "note: no window closed: the run ({} s) is shorter than one window ({} s); try --window",
                scenario.duration_s, scenario.window_s
            ));
        }
    }
    Ok(())
}

/// What `--json` prints: the engine's report with the diagnosis of it
/// as one more top-level field.
#[derive(Serialize)]
struct JsonReport<'a> {
    #[serde(flatten)]
    report: &'a Report,
    diagnosis: &'a Diagnosis,
    /// A challenge's evaluation; absent for a scenario without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    challenge: Option<&'a Evaluation>,
}

/// Replaces the scenario's settings with the flags given, and checks the
/// combination (each flag alone was checked while parsing).
pub fn apply_overrides(scenario: &mut Scenario, args: &RunArgs) -> Result<(), CliError> {
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    if let Some(duration) = args.duration {
        scenario.duration_s = duration;
    }
    if let Some(warmup) = args.warmup {
        scenario.warmup_s = warmup;
    }
    if let Some(window) = args.window {
        scenario.window_s = window;
    }
    if scenario.warmup_s >= scenario.duration_s {
        return Err(CliError::BadInput(format!(
            "the warm-up ({} s{}) must be shorter than the run ({} s{})",
            scenario.warmup_s,
            if args.warmup.is_some() { ", --warmup" } else { ", from the scenario" },
            scenario.duration_s,
            if args.duration.is_some() { ", --duration" } else { ", from the scenario" },
        )));
    }
    Ok(())
}

/// Advances the simulation to `duration_s` in slices so the progress bar
/// can move; returns the wall time it took. Slicing by events does not
/// change the result: it processes exactly the events `run_until` would.
pub fn run_to_end(sim: &mut Simulation, duration_s: f64) -> Duration {
    let end = SimTime::from_secs(duration_s);
    let started = Instant::now();
    let mut progress = RunProgress::new(duration_s);
    // A slice that processed fewer events than allowed reached `end`.
    while sim.run_until_bounded(end, EVENTS_PER_SLICE) == EVENTS_PER_SLICE {
        progress.update(sim.now().as_secs(), sim.events_processed());
    }
    progress.finish();
    started.elapsed()
}
