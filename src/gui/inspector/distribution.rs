//! Editing a duration distribution: pick the family, then its parameters in
//! milliseconds. Switching family keeps the mean, so a learner can compare
//! "same mean, different tail" in one click.

use eframe::egui::{self, TextEdit, Ui};

use super::fields::{Edit, Row, label_cell};
use crate::gui::format;
use crate::scenario::DistributionSpec;
use crate::scenario::PathSegment::Key;
use crate::scenario::limits::MAX_MS;

/// The families, in the order the menu shows them.
const FAMILIES: [&str; 10] = [
    "constant",
    "uniform",
    "exponential",
    "normal",
    "log-normal",
    "log-normal (p50, p99)",
    "Pareto",
    "Weibull",
    "gamma",
    "empirical",
];

fn family(spec: &DistributionSpec) -> usize {
    match spec {
        DistributionSpec::Constant { .. } => 0,
        DistributionSpec::Uniform { .. } => 1,
        DistributionSpec::Exponential { .. } => 2,
        DistributionSpec::Normal { .. } => 3,
        DistributionSpec::LogNormal { .. } => 4,
        DistributionSpec::LogNormalPercentiles { .. } => 5,
        DistributionSpec::Pareto { .. } => 6,
        DistributionSpec::Weibull { .. } => 7,
        DistributionSpec::Gamma { .. } => 8,
        DistributionSpec::Empirical { .. } => 9,
    }
}

/// A distribution of the given family with (about) the given mean.
pub fn with_mean(family: usize, mean_ms: f64) -> DistributionSpec {
    let m = if mean_ms.is_finite() && mean_ms > 0.0 { mean_ms } else { 10.0 };
    match family {
        0 => DistributionSpec::Constant { ms: m },
        1 => DistributionSpec::Uniform { min_ms: 0.5 * m, max_ms: 1.5 * m },
        3 => DistributionSpec::Normal { mean_ms: m, stddev_ms: 0.25 * m },
        4 => DistributionSpec::LogNormal { mean_ms: m, stddev_ms: 0.5 * m },
        5 => DistributionSpec::LogNormalPercentiles { p50_ms: 0.8 * m, p99_ms: 4.0 * m },
        6 => DistributionSpec::Pareto { scale_ms: 0.6 * m, shape: 2.5 },
        7 => DistributionSpec::Weibull { scale_ms: m / crate::sim::math::gamma_fn(1.0 + 1.0 / 1.5), shape: 1.5 },
        8 => DistributionSpec::Gamma { shape: 2.0, scale_ms: m / 2.0 },
        9 => DistributionSpec::Empirical { values_ms: vec![0.5 * m, m, 1.5 * m] },
        _ => DistributionSpec::Exponential { mean_ms: m },
    }
}

const MS: &str = " ms";
const BIG: std::ops::RangeInclusive<f64> = 0.0..=MAX_MS;

/// Rows for a distribution labelled `name`, the file's field `field`
/// (inside a form grid): the family, then its parameters.
pub fn distribution_rows(
    ui: &mut Ui,
    edit: &mut Edit,
    (name, field): (&str, &'static str),
    spec: &mut DistributionSpec,
    help: &str,
) {
    let label = label_cell(ui, name, help);
    let current = family(spec);
    let mut chosen = current;
    egui::ComboBox::from_id_salt(("family", name))
        .selected_text(FAMILIES[current])
        .show_ui(ui, |ui| {
            for (i, f) in FAMILIES.iter().enumerate() {
                ui.selectable_value(&mut chosen, i, *f);
            }
        })
        .response
        .labelled_by(label.id);
    ui.end_row();
    if chosen != current {
        *spec = with_mean(chosen, spec.mean_ms().unwrap_or(10.0));
        edit.changed = true;
    }
    let step = spec.mean_ms().map_or(0.1, |m| (m / 100.0).max(0.01));
    edit.within(&[Key(field)], |edit| parameter_rows(ui, edit, name, spec, step));
    // Families set by their mean already show it.
    let mean_is_a_parameter = matches!(
        spec,
        DistributionSpec::Constant { .. }
            | DistributionSpec::Exponential { .. }
            | DistributionSpec::Normal { .. }
            | DistributionSpec::LogNormal { .. }
    );
    if !mean_is_a_parameter {
        let label = label_cell(ui, "  average", "The mean of this distribution.");
        ui.label(spec.mean_ms().map_or_else(|| "none (tail too heavy)".into(), format::ms)).labelled_by(label.id);
        ui.end_row();
    }
}

/// The parameter rows of the distribution's family, under its field.
fn parameter_rows(ui: &mut Ui, edit: &mut Edit, name: &str, spec: &mut DistributionSpec, step: f64) {
    match spec {
        DistributionSpec::Constant { ms } => {
            Row::new("  value", "ms").unit(MS).speed(step).help("Every draw is this.").number(ui, edit, ms, BIG);
        }
        DistributionSpec::Uniform { min_ms, max_ms } => {
            Row::new("  min", "min_ms").unit(MS).speed(step).help("Smallest value.").number(ui, edit, min_ms, BIG);
            Row::new("  max", "max_ms").unit(MS).speed(step).help("Largest value.").number(ui, edit, max_ms, BIG);
        }
        DistributionSpec::Exponential { mean_ms } => Row::new("  mean", "mean_ms")
            .unit(MS)
            .speed(step)
            .help("Memoryless: many short, a few long. The M in M/M/1.")
            .number(ui, edit, mean_ms, BIG),
        DistributionSpec::Normal { mean_ms, stddev_ms } | DistributionSpec::LogNormal { mean_ms, stddev_ms } => {
            Row::new("  mean", "mean_ms").unit(MS).speed(step).help("Average value.").number(ui, edit, mean_ms, BIG);
            Row::new("  std dev", "stddev_ms")
                .unit(MS)
                .speed(step)
                .help("Spread around the mean.")
                .number(ui, edit, stddev_ms, BIG);
        }
        DistributionSpec::LogNormalPercentiles { p50_ms, p99_ms } => {
            Row::new("  p50", "p50_ms")
                .unit(MS)
                .speed(step)
                .help("Median: half the draws are faster.")
                .number(ui, edit, p50_ms, BIG);
            Row::new("  p99", "p99_ms")
                .unit(MS)
                .speed(step)
                .help("One draw in a hundred is slower: the tail.")
                .number(ui, edit, p99_ms, BIG);
        }
        DistributionSpec::Pareto { scale_ms, shape } => {
            Row::new("  minimum", "scale_ms")
                .unit(MS)
                .speed(step)
                .help("No draw is shorter.")
                .number(ui, edit, scale_ms, BIG);
            Row::new("  tail index", "shape").speed(0.01).help("Smaller = heavier tail (≤ 1: no mean).").number(
                ui,
                edit,
                shape,
                0.01..=100.0,
            );
        }
        DistributionSpec::Weibull { scale_ms, shape } => {
            Row::new("  scale", "scale_ms")
                .unit(MS)
                .speed(step)
                .help("Typical size of a draw.")
                .number(ui, edit, scale_ms, BIG);
            Row::new("  shape", "shape").speed(0.01).help("< 1: heavy tail; 1: exponential; > 1: light.").number(
                ui,
                edit,
                shape,
                0.01..=100.0,
            );
        }
        DistributionSpec::Gamma { shape, scale_ms } => {
            Row::new("  shape k", "shape").speed(0.01).help("Mean = k × θ; larger k = less spread.").number(
                ui,
                edit,
                shape,
                0.01..=1000.0,
            );
            Row::new("  scale θ", "scale_ms")
                .unit(MS)
                .speed(step)
                .help("Mean = k × θ.")
                .number(ui, edit, scale_ms, BIG);
        }
        DistributionSpec::Empirical { values_ms } => empirical_row(ui, edit, name, values_ms),
    }
}

/// Measured values typed as a comma-separated list.
fn empirical_row(ui: &mut Ui, edit: &mut Edit, name: &str, values_ms: &mut Vec<f64>) {
    let label = label_cell(ui, "  values", "Draws pick uniformly from these measured values (ms), comma-separated.");
    let id = ui.scope_id().with(("empirical", name));
    let mut text = ui.data_mut(|d| {
        d.get_temp_mut_or_insert_with(id, || values_ms.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
            .clone()
    });
    let r = ui.add(TextEdit::singleline(&mut text).desired_width(160.0)).labelled_by(label.id);
    if r.changed() {
        let parsed: Result<Vec<f64>, _> =
            text.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::parse::<f64>).collect();
        if let Ok(v) = parsed
            && !v.is_empty()
        {
            *values_ms = v;
            edit.changed = true;
        }
        ui.data_mut(|d| d.insert_temp(id, text));
    } else if !r.has_focus() {
        ui.data_mut(|d| d.remove::<String>(id));
    }
    ui.end_row();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switching_family_keeps_the_mean() {
        for (f, name) in FAMILIES.iter().enumerate() {
            let spec = with_mean(f, 20.0);
            assert_eq!(family(&spec), f);
            if f != 5 {
                let mean = spec.mean_ms().expect("has a mean");
                assert!((mean - 20.0).abs() < 1e-6, "{name} has mean {mean}");
            }
            assert!(spec.problems().is_empty(), "{spec:?}");
        }
    }
}
