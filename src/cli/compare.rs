//! `archsim compare A B`: two designs on common random numbers, every
//! end-to-end figure of each and B − A with its paired 95 % interval. The
//! study is `study::compare`; this file only presents it.

use crate::study::compare::{Comparison, Figure, FigureDelta, compare};
use crate::study::replications::{ReplicationError, ReplicationSpec, Warmup};

use super::output::Stdout;
use super::source::{load_named_scenario, stdin_at_most_once};
use super::table::{Align, Table};
use super::{CliError, CompareArgs};

/// Runs the comparison and prints its table or JSON.
pub fn compare_command(args: &CompareArgs) -> Result<(), CliError> {
    stdin_at_most_once([args.a.as_str(), args.b.as_str()])?;
    let (a, b) = (load_named_scenario(&args.a)?, load_named_scenario(&args.b)?);
    let duration_s = args.duration.unwrap_or(a.duration_s);
    let warmup_s = args.warmup.unwrap_or(if a.warmup_s > 0.0 { a.warmup_s } else { duration_s / 10.0 });
    let spec =
        ReplicationSpec { replications: args.replications as usize, duration_s, warmup: Warmup::Given(warmup_s) };
    let result = compare(&a, &b, &spec, args.threads.map(|t| t as usize)).map_err(|e| match e {
        ReplicationError::Threads { .. } => CliError::Runtime(e.to_string()),
        _ => CliError::BadInput(e.to_string()),
    })?;
    let text =
        if args.json { super::output::json_document(&result, "the comparison")? } else { render_comparison(&result) };
    Stdout::new().write(&text)
}

/// One row per figure: A, B, B − A ± its paired interval, what independent
/// runs would have given, and the verdict (the app's words,
/// `FigureDelta::verdict_text`); under the table the headline the app's
/// comparison window shows (`Comparison::headline`).
fn render_comparison(c: &Comparison) -> String {
    let mut out = format!(
        "A: {}\nB: {}\n{} pairs of runs of {} s (warm-up {} s), on common random numbers\n\n",
        c.a, c.b, c.replications, c.duration_s, c.warmup_s
    );
    let mut table = Table::new(&[
        ("figure", Align::Left),
        ("A", Align::Right),
        ("B", Align::Right),
        ("B − A (paired 95 %)", Align::Right),
        ("unpaired ±", Align::Right),
        ("verdict", Align::Left),
    ]);
    for f in &c.figures {
        table.row(vec![
            f.figure.name().to_string(),
            value(f, f.a.mean),
            value(f, f.b.mean),
            format!("{} ± {}", signed(f, f.delta.mean), value(f, f.delta.half_width)),
            value(f, f.unpaired_half_width),
            f.verdict_text().to_string(),
        ]);
    }
    out.push_str(&table.render());
    out.push('\n');
    out.push_str(&c.headline());
    out.push('\n');
    out
}

fn value(f: &FigureDelta, v: f64) -> String {
    match f.figure {
        Figure::ErrorRatio => format!("{:.3} %", v * 100.0),
        Figure::CostPerMonth => format!("${v:.0}"),
        _ => format!("{v:.2}"),
    }
}

fn signed(f: &FigureDelta, v: f64) -> String {
    let text = value(f, v.abs());
    if v < 0.0 { format!("−{text}") } else { format!("+{text}") }
}
