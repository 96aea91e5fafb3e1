//! `archsim ramp`: a load ramp from 1× to `--to`, its table, JSON or CSV.
//! The ramp itself is `study::ramp`; this file only presents it.

use crate::scenario::Scenario;
use crate::sim::cost::usd;
use crate::study::{RampResult, RampSpec, run_ramp};

use super::output::{Stdout, to_stderr};
use super::progress::StepProgress;
use super::source::load_named_scenario;
use super::table::{Align, Table};
use super::{CliError, RampArgs, csv, format};

/// Runs the ramp and prints its table or JSON, and writes the CSV if asked.
pub fn ramp_command(args: &RampArgs) -> Result<(), CliError> {
    let mut scenario = load_named_scenario(&args.file)?;
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    let spec = spec_for(&scenario, args)?;
    if let Some(dir) = &args.csv {
        csv::prepare_dir(dir)?;
    }
    let progress = StepProgress::new(spec.factors.len());
    let factors = spec.factors.clone();
    let ramp = run_ramp(&scenario, &spec, |done, _| {
        let next = factors.get(done).map(|f| format!("running {}", format::factor(*f))).unwrap_or_default();
        progress.update(done, &next);
    });
    progress.finish();
    let ramp = ramp.map_err(|e| CliError::BadInput(e.to_string()))?;

    let text = if args.json { super::output::json_document(&ramp, "the ramp")? } else { render_ramp(&ramp) };
    Stdout::new().write(&text)?;

    if let Some(dir) = &args.csv {
        let path = csv::write_ramp(dir, &ramp)?;
        to_stderr(format_args!("wrote {} ({} steps)", path.display(), ramp.steps.len()));
    }
    Ok(())
}

/// The ramp the flags ask for, on the scenario's own run length by default.
fn spec_for(scenario: &Scenario, args: &RampArgs) -> Result<RampSpec, CliError> {
    let duration_s = args.duration.unwrap_or(scenario.duration_s);
    let warmup_s = args.warmup.unwrap_or(if scenario.warmup_s > 0.0 && scenario.warmup_s < duration_s {
        scenario.warmup_s
    } else {
        duration_s / 10.0
    });
    if warmup_s >= duration_s {
        return Err(CliError::BadInput(format!(
            "the warm-up ({warmup_s} s) must be shorter than each step ({duration_s} s{})",
            if args.duration.is_some() { ", --duration" } else { ", from the scenario" }
        )));
    }
    let steps = args.steps.map_or_else(|| RampSpec::default_steps(args.to), |n| n as usize);
    RampSpec::geometric(args.to, steps, duration_s, warmup_s).map_err(|e| CliError::BadInput(e.to_string()))
}

/// The table of steps, where each node saturated, and the knee's sentence.
pub fn render_ramp(ramp: &RampResult) -> String {
    let mut out = format!(
        "RAMP  {} (seed {}), {} steps of {} (warm-up {})\n\n",
        ramp.scenario,
        ramp.seed,
        ramp.steps.len(),
        format::seconds(ramp.duration_s),
        format::seconds(ramp.warmup_s)
    );
    let mut table = Table::new(&[
        ("", Align::Left),
        ("load", Align::Right),
        ("offered/s", Align::Right),
        ("ok/s", Align::Right),
        ("p50 ms", Align::Right),
        ("p99 ms", Align::Right),
        ("errors", Align::Right),
        ("cost/h", Align::Right),
        ("busiest", Align::Left),
        ("util", Align::Right),
    ])
    .indented(2);
    let knee = ramp.knee.as_ref().map(|k| k.step);
    for (i, step) in ramp.steps.iter().enumerate() {
        let (busiest, util) =
            step.busiest().map_or((String::from("—"), String::new()), |(n, u)| (n.node.clone(), format::percent(u)));
        table.row(vec![
            if knee == Some(i) { "knee →".into() } else { String::new() },
            format::factor(step.factor),
            format::rate(step.offered_rps),
            format::rate(step.throughput_rps),
            format::millis(step.p50_ms),
            format::millis(step.p99_ms),
            format::percent(step.error_ratio),
            usd(step.cost_per_hour_usd),
            busiest,
            util,
        ]);
    }
    out.push_str(&table.render());
    out.push('\n');
    if !ramp.saturation.is_empty() {
        out.push_str(&format!("SATURATES (utilisation ≥ {})\n", format::percent(ramp.threshold)));
        for s in &ramp.saturation {
            out.push_str(&format!(
                "  {} at {} ({} req/s): {} busy\n",
                s.node,
                format::factor(s.factor),
                format::rate(s.offered_rps),
                format::percent(s.utilisation)
            ));
        }
        out.push('\n');
    }
    if let Some(k) = &ramp.knee {
        out.push_str(&format!(
            "Breaks first at {} at {} ({} req/s): {}\n",
            k.node.as_deref().unwrap_or("the clients"),
            format::factor(k.factor),
            format::rate(k.offered_rps),
            k.why
        ));
    } else {
        let last = ramp.steps.last();
        let load = last.map_or_else(String::new, |s| {
            format!(" up to {} ({} req/s)", format::factor(s.factor), format::rate(s.offered_rps))
        });
        let busiest = last.and_then(|s| s.busiest()).map_or_else(String::new, |(n, u)| {
            format!("; the busiest node, {}, was {} busy", n.node, format::percent(u))
        });
        out.push_str(&format!(
            "Nothing broke{load}: no node reached {} and no more than {} of requests failed{busiest}\n",
            format::percent(ramp.threshold),
            format::percent(ramp.error_limit)
        ));
    }
    out
}
