//! Rows of the inspector's parameter grids: a label whose tooltip says what
//! the parameter does in a real system, and a widget with units and a
//! sensible range, labelled for screen readers (and for the UI tests).

use std::ops::RangeInclusive;

use eframe::egui::{self, DragValue, Response, RichText, Ui};

use super::super::problems::FieldProblem;

/// What the rows of one form did this frame, and the validation problems
/// its rows show under the field they concern.
#[derive(Debug, Clone, Default)]
pub struct Edit {
    pub changed: bool,
    /// The change comes from a drag still in progress (one undo step per gesture).
    pub dragging: bool,
    problems: Vec<FieldProblem>,
    shown: Vec<bool>,
}

impl Edit {
    pub fn with_problems(problems: &[FieldProblem]) -> Self {
        Edit { problems: problems.to_vec(), shown: vec![false; problems.len()], ..Edit::default() }
    }

    /// A grid row of red text under the row just ended, for each problem
    /// about the field labelled `name`.
    pub fn inline_problems(&mut self, ui: &mut Ui, name: &str) {
        for (p, shown) in self.problems.iter().zip(self.shown.iter_mut()) {
            if p.field.is_some_and(|f| label_matches(name, f)) {
                *shown = true;
                ui.label("");
                ui.add(egui::Label::new(RichText::new(&p.message).color(ui.visuals().error_fg_color)).wrap());
                ui.end_row();
            }
        }
    }

    /// The problems no row showed, for a list under the form.
    pub fn not_shown(&self) -> Vec<String> {
        self.problems.iter().zip(&self.shown).filter(|(_, s)| !**s).map(|(p, _)| p.message.clone()).collect()
    }

    pub fn note(&mut self, r: &Response) {
        if r.changed() {
            self.changed = true;
            if r.dragged() {
                self.dragging = true;
            }
        }
    }
}

/// Whether a row labelled `label` edits the file's field `field`: the same
/// words (`queue capacity` is `queue_capacity`), or without the unit
/// suffix (`timeout` is `timeout_ms`), or one of a few renamed labels.
pub fn label_matches(label: &str, field: &str) -> bool {
    let norm = label.trim().replace(' ', "_");
    let renamed = match norm.as_str() {
        "rate_in_burst" => "rate_on",
        "rate_between" => "rate_off",
        "burst_length" => "mean_on_s",
        "gap_length" => "mean_off_s",
        "packet_loss" => "drop_probability",
        other => other,
    };
    [field, field.trim_end_matches("_ms"), field.trim_end_matches("_s")].contains(&renamed)
}

/// Drag bounds that still let a typed value through, so a wrong value stays
/// as typed and the problem shows under it instead of being clamped away.
fn typed_range(range: RangeInclusive<f64>) -> RangeInclusive<f64> {
    range.start().min(0.0)..=*range.end()
}

/// The label cell; its tooltip explains the parameter.
pub fn label_cell(ui: &mut Ui, name: &str, help: &str) -> Response {
    ui.label(name).on_hover_text(help)
}

/// A number with a unit.
#[allow(clippy::too_many_arguments)]
pub fn f64_row(
    ui: &mut Ui,
    edit: &mut Edit,
    name: &str,
    value: &mut f64,
    unit: &str,
    range: RangeInclusive<f64>,
    speed: f64,
    help: &str,
) {
    let label = label_cell(ui, name, help);
    let r = ui
        .add(
            DragValue::new(value)
                .range(typed_range(range))
                .clamp_existing_to_range(false)
                .speed(speed)
                .suffix(unit)
                .max_decimals(3),
        )
        .labelled_by(label.id)
        .on_hover_text(help);
    edit.note(&r);
    ui.end_row();
    edit.inline_problems(ui, name);
}

/// A whole number with a unit.
#[allow(clippy::too_many_arguments)]
pub fn u32_row(
    ui: &mut Ui,
    edit: &mut Edit,
    name: &str,
    value: &mut u32,
    unit: &str,
    range: RangeInclusive<u32>,
    help: &str,
) {
    let label = label_cell(ui, name, help);
    let r = ui
        .add(DragValue::new(value).range(0..=*range.end()).clamp_existing_to_range(false).speed(0.2).suffix(unit))
        .labelled_by(label.id)
        .on_hover_text(help);
    edit.note(&r);
    ui.end_row();
    edit.inline_problems(ui, name);
}

/// A probability shown as a percentage.
pub fn percent_row(ui: &mut Ui, edit: &mut Edit, name: &str, p: &mut f64, help: &str) {
    let label = label_cell(ui, name, help);
    let mut pct = *p * 100.0;
    let r = ui
        .add(DragValue::new(&mut pct).range(0.0..=100.0).speed(0.1).suffix(" %").max_decimals(2))
        .labelled_by(label.id)
        .on_hover_text(help);
    if r.changed() {
        *p = (pct / 100.0).clamp(0.0, 1.0);
    }
    edit.note(&r);
    ui.end_row();
    edit.inline_problems(ui, name);
}

/// An optional number: a checkbox turns it on (with `default`) or off.
#[allow(clippy::too_many_arguments)]
pub fn optional_f64_row(
    ui: &mut Ui,
    edit: &mut Edit,
    name: &str,
    value: &mut Option<f64>,
    default: f64,
    unit: &str,
    range: RangeInclusive<f64>,
    off_label: &str,
    help: &str,
) {
    let label = label_cell(ui, name, help);
    ui.horizontal(|ui| {
        let mut on = value.is_some();
        let text = if on { "" } else { off_label };
        let cb = ui.checkbox(&mut on, text).labelled_by(label.id);
        if cb.changed() {
            *value = if on { Some(default) } else { None };
            edit.changed = true;
        }
        if let Some(v) = value {
            let r = ui
                .add(
                    DragValue::new(v)
                        .range(typed_range(range))
                        .clamp_existing_to_range(false)
                        .speed((default / 50.0).max(0.01))
                        .suffix(unit)
                        .max_decimals(3),
                )
                .labelled_by(label.id)
                .on_hover_text(help);
            edit.note(&r);
        }
    });
    ui.end_row();
    edit.inline_problems(ui, name);
}

/// An optional whole number (e.g. a queue capacity; off = unbounded).
#[allow(clippy::too_many_arguments)]
pub fn optional_u32_row(
    ui: &mut Ui,
    edit: &mut Edit,
    name: &str,
    value: &mut Option<u32>,
    default: u32,
    unit: &str,
    off_label: &str,
    help: &str,
) {
    let label = label_cell(ui, name, help);
    ui.horizontal(|ui| {
        let mut on = value.is_some();
        let text = if on { "" } else { off_label };
        let cb = ui.checkbox(&mut on, text).labelled_by(label.id);
        if cb.changed() {
            *value = if on { Some(default) } else { None };
            edit.changed = true;
        }
        if let Some(v) = value {
            let r = ui
                .add(DragValue::new(v).range(0..=u32::MAX).speed(1.0).suffix(unit))
                .labelled_by(label.id)
                .on_hover_text(help);
            edit.note(&r);
        }
    });
    ui.end_row();
    edit.inline_problems(ui, name);
}

/// A yes/no switch.
pub fn bool_row(ui: &mut Ui, edit: &mut Edit, name: &str, value: &mut bool, text: &str, help: &str) {
    let label = label_cell(ui, name, help);
    let r = ui.checkbox(value, text).labelled_by(label.id).on_hover_text(help);
    edit.note(&r);
    ui.end_row();
    edit.inline_problems(ui, name);
}

/// A grid for rows, two columns wide.
pub fn form<R>(ui: &mut Ui, id: impl egui::AsIdSalt, add_rows: impl FnOnce(&mut Ui) -> R) -> R {
    egui::Grid::new(id).num_columns(2).spacing([10.0, 6.0]).striped(false).show(ui, add_rows).inner
}

/// Red lines under a form.
pub fn problems_ui(ui: &mut Ui, problems: &[String]) {
    for p in problems {
        ui.colored_label(ui.visuals().error_fg_color, p.as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_match_the_file_fields() {
        assert!(label_matches("workers", "workers"));
        assert!(label_matches("queue capacity", "queue_capacity"));
        assert!(label_matches("timeout", "timeout_ms"));
        assert!(label_matches("  mean", "mean_ms"));
        assert!(label_matches("burst length", "mean_on_s"));
        assert!(!label_matches("workers", "queue_capacity"));
    }
}
