//! `archsim run FILE --replications N`: independent replications, every
//! figure as mean ± 95 % half-width. The study is `study::replications`;
//! this file only presents it.

use crate::scenario::Scenario;
use crate::sim::cost::usd;
use crate::study::replications::{
    Estimate, PRECISION_TARGET, ReplicationError, ReplicationResult, ReplicationSpec, Warmup, WarmupMethod,
    run_replications,
};

use super::output::Stdout;
use super::progress::StepProgress;
use super::table::{Align, Table};
use super::{CliError, RunArgs, format};

/// Runs the replications and prints their table or JSON. The scenario
/// already carries the flags' seed, duration and warm-up.
pub fn replications_command(scenario: &Scenario, args: &RunArgs, count: u32) -> Result<(), CliError> {
    let spec = ReplicationSpec {
        replications: count as usize,
        duration_s: scenario.duration_s,
        warmup: Warmup::from_seconds(scenario.warmup_s),
    };
    let progress = StepProgress::counting(spec.replications, "replication");
    if spec.warmup == Warmup::Automatic {
        progress.update(0, "pilot run for the warm-up (MSER-5)");
    }
    let threads = args.threads.map(|t| t as usize);
    let result = run_replications(scenario, &spec, threads, &|done, _| progress.update(done, ""));
    progress.finish();
    let result = result.map_err(|e| match e {
        ReplicationError::Threads { .. } => CliError::Runtime(e.to_string()),
        _ => CliError::BadInput(e.to_string()),
    })?;
    let text = if args.json {
        super::output::json_document(&result, "the replications")?
    } else {
        render_replications(&result)
    };
    Stdout::new().write(&text)
}

/// A table row: its label, the estimate, how to write its numbers.
type Row<'a> = (&'a str, &'a Estimate, fn(f64) -> String);

/// `mean ± half-width` with `show` formatting both.
fn pm(e: &Estimate, show: fn(f64) -> String) -> String {
    format!("{} ± {}", show(e.mean), show(e.half_width))
}

/// The table of estimates, the warnings, and the replications a ±5 % p99 takes.
pub fn render_replications(r: &ReplicationResult) -> String {
    let warmup_how = match r.warmup.method {
        WarmupMethod::Given => String::from("as set"),
        WarmupMethod::Mser5 => {
            format!("MSER-5 on a pilot run: {} of its {} windows cut", r.warmup.truncated_windows, r.warmup.windows)
        }
        WarmupMethod::TenthOfRun => String::from("a tenth of the run: too few windows for MSER-5"),
    };
    let mut out = format!(
        "REPLICATIONS  {} (seed {}): {} replications of {}, warm-up {} ({warmup_how})\n\
         mean ± half-width of the 95 % confidence interval (Student t = {:.3}, {} degrees of freedom)\n\n",
        r.scenario,
        r.seed,
        r.replications,
        format::seconds(r.duration_s),
        format::seconds(r.warmup.warmup_s),
        r.t_quantile,
        r.replications.saturating_sub(1),
    );
    let e = &r.end_to_end;
    let mut table =
        Table::new(&[("END TO END", Align::Left), ("mean ± 95 % CI", Align::Right), ("min – max", Align::Right)])
            .indented(2);
    let range = |x: &Estimate, show: fn(f64) -> String| format!("{} – {}", show(x.min), show(x.max));
    let rows: [Row<'_>; 8] = [
        ("ok/s", &e.throughput_rps, format::rate),
        ("mean ms", &e.mean_ms, format::millis),
        ("p50 ms", &e.p50_ms, format::millis),
        ("p90 ms", &e.p90_ms, format::millis),
        ("p99 ms", &e.p99_ms, format::millis),
        ("p99.9 ms", &e.p999_ms, format::millis),
        ("errors", &e.error_ratio, percent2),
        ("cost/h", &e.cost_per_hour_usd, usd),
    ];
    for (label, x, show) in rows {
        table.row(vec![label.to_string(), pm(x, show), range(x, show)]);
    }
    out.push_str(&table.render());
    out.push('\n');

    if !r.nodes.is_empty() {
        let mut nodes = Table::new(&[
            ("NODE", Align::Left),
            ("kind", Align::Left),
            ("ok/s", Align::Right),
            ("util", Align::Right),
            ("mean ms", Align::Right),
            ("p99 ms", Align::Right),
            ("errors", Align::Right),
        ])
        .indented(2);
        for n in &r.nodes {
            nodes.row(vec![
                n.node.clone(),
                n.kind.label().to_string(),
                pm(&n.throughput_rps, format::rate),
                n.utilisation.as_ref().map_or_else(|| String::from("—"), |u| pm(u, percent2)),
                pm(&n.mean_ms, format::millis),
                pm(&n.p99_ms, format::millis),
                pm(&n.error_ratio, percent2),
            ]);
        }
        out.push_str(&nodes.render());
        out.push('\n');
    }

    if let Some(note) = &r.warmup.note {
        out.push_str(&format!("Note: {note}\n"));
    }
    if !r.warnings.is_empty() {
        out.push_str("WARNINGS\n");
        for w in &r.warnings {
            out.push_str(&format!("  {}\n", w.message));
        }
    }
    let p99 = &e.p99_ms;
    let target = format::percent(PRECISION_TARGET);
    match p99.replications_for_5_percent {
        Some(n) => out.push_str(&format!(
            "Replications for ±{target} on p99: {} (at this run length; from these {}: p99 {} ms, sd {} ms, now ±{})\n",
            format::count(n),
            r.replications,
            format::millis(p99.mean),
            format::millis(p99.sd),
            p99.relative_half_width().map_or_else(|| String::from("—"), format::percent),
        )),
        None => out.push_str(&format!("Replications for ±{target} on p99: — (p99 is 0: no answers)\n")),
    }
    out
}

/// A ratio as a percentage with two decimals: an interval on a small error
/// ratio needs them.
fn percent2(ratio: f64) -> String {
    format!("{} %", format::decimal(ratio * 100.0, 2))
}
