//! Editing a duration distribution: pick the family, then its parameters in
//! milliseconds. Switching family keeps the mean, so a learner can compare
//! "same mean, different tail" in one click.

use eframe::egui::{self, TextEdit, Ui};

use super::fields::{Edit, f64_row, label_cell};
use crate::gui::format;
use crate::scenario::DistributionSpec;

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
const BIG: std::ops::RangeInclusive<f64> = 0.0..=1_000_000.0;

/// Rows for a distribution named `name` (inside a form grid).
pub fn distribution_rows(ui: &mut Ui, edit: &mut Edit, name: &str, spec: &mut DistributionSpec, help: &str) {
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
    match spec {
        DistributionSpec::Constant { ms } => f64_row(ui, edit, "  value", ms, MS, BIG, step, "Every draw is this."),
        DistributionSpec::Uniform { min_ms, max_ms } => {
            f64_row(ui, edit, "  min", min_ms, MS, BIG, step, "Smallest value.");
            f64_row(ui, edit, "  max", max_ms, MS, BIG, step, "Largest value.");
        }
        DistributionSpec::Exponential { mean_ms } => {
            f64_row(ui, edit, "  mean", mean_ms, MS, BIG, step, "Memoryless: many short, a few long. The M in M/M/1.")
        }
        DistributionSpec::Normal { mean_ms, stddev_ms } | DistributionSpec::LogNormal { mean_ms, stddev_ms } => {
            f64_row(ui, edit, "  mean", mean_ms, MS, BIG, step, "Average value.");
            f64_row(ui, edit, "  std dev", stddev_ms, MS, BIG, step, "Spread around the mean.");
        }
        DistributionSpec::LogNormalPercentiles { p50_ms, p99_ms } => {
            f64_row(ui, edit, "  p50", p50_ms, MS, BIG, step, "Median: half the draws are faster.");
            f64_row(ui, edit, "  p99", p99_ms, MS, BIG, step, "One draw in a hundred is slower: the tail.");
        }
        DistributionSpec::Pareto { scale_ms, shape } => {
            f64_row(ui, edit, "  minimum", scale_ms, MS, BIG, step, "No draw is shorter.");
            f64_row(ui, edit, "  tail index", shape, "", 0.01..=100.0, 0.01, "Smaller = heavier tail (≤ 1: no mean).");
        }
        DistributionSpec::Weibull { scale_ms, shape } => {
            f64_row(ui, edit, "  scale", scale_ms, MS, BIG, step, "Typical size of a draw.");
            f64_row(ui, edit, "  shape", shape, "", 0.01..=100.0, 0.01, "< 1: heavy tail; 1: exponential; > 1: light.");
        }
        DistributionSpec::Gamma { shape, scale_ms } => {
            f64_row(ui, edit, "  shape k", shape, "", 0.01..=1000.0, 0.01, "Mean = k × θ; larger k = less spread.");
            f64_row(ui, edit, "  scale θ", scale_ms, MS, BIG, step, "Mean = k × θ.");
        }
        DistributionSpec::Empirical { values_ms } => empirical_row(ui, edit, name, values_ms),
    }
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

/// Measured values typed as a comma-separated list.
fn empirical_row(ui: &mut Ui, edit: &mut Edit, name: &str, values_ms: &mut Vec<f64>) {
    let label = label_cell(ui, "  values", "Draws pick uniformly from these measured values (ms), comma-separated.");
    let id = ui.scope_id().with(("empirical", name));
    let mut text = ui.data_mut(|d| {
        d.get_temp_mut_or_insert_with(id, || values_ms.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", "))
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
