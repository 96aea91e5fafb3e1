//! Rows of the inspector's parameter grids: a label whose tooltip says what
//! the parameter does in a real system, and a widget with units and a
//! sensible range, labelled for screen readers (and for the UI tests).

use std::ops::RangeInclusive;

use eframe::egui::{self, DragValue, Response, Ui};

/// What the rows of one form did this frame.
#[derive(Debug, Clone, Copy, Default)]
pub struct Edit {
    pub changed: bool,
    /// The change comes from a drag still in progress (one undo step per gesture).
    pub dragging: bool,
}

impl Edit {
    pub fn note(&mut self, r: &Response) {
        if r.changed() {
            self.changed = true;
            if r.dragged() {
                self.dragging = true;
            }
        }
    }
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
        .add(DragValue::new(value).range(range).speed(speed).suffix(unit).max_decimals(3))
        .labelled_by(label.id)
        .on_hover_text(help);
    edit.note(&r);
    ui.end_row();
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
    let r =
        ui.add(DragValue::new(value).range(range).speed(0.2).suffix(unit)).labelled_by(label.id).on_hover_text(help);
    edit.note(&r);
    ui.end_row();
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
                .add(DragValue::new(v).range(range).speed((default / 50.0).max(0.01)).suffix(unit).max_decimals(3))
                .labelled_by(label.id)
                .on_hover_text(help);
            edit.note(&r);
        }
    });
    ui.end_row();
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
                .add(DragValue::new(v).range(1..=10_000_000).speed(1.0).suffix(unit))
                .labelled_by(label.id)
                .on_hover_text(help);
            edit.note(&r);
        }
    });
    ui.end_row();
}

/// A yes/no switch.
pub fn bool_row(ui: &mut Ui, edit: &mut Edit, name: &str, value: &mut bool, text: &str, help: &str) {
    let label = label_cell(ui, name, help);
    let r = ui.checkbox(value, text).labelled_by(label.id).on_hover_text(help);
    edit.note(&r);
    ui.end_row();
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
