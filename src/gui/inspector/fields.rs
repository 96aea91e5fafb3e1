//! Rows of the inspector's parameter grids: a label whose tooltip says what
//! the parameter does in a real system, and a widget with units and a
//! sensible range, labelled for screen readers (and for the UI tests).
//!
//! Each row names the file field it edits ([`Row::new`]`("rate in burst",
//! "rate_on")`), under the path its form is in ([`Edit::within`]), so a
//! validation problem is shown under the row whose path is the problem's:
//! no table of label spellings to keep in step with the format.

use std::cell::RefCell;
use std::ops::RangeInclusive;

use eframe::egui::{self, DragValue, Response, RichText, Ui};

use super::super::problems::FieldProblem;
use crate::scenario::PathSegment;

/// What the rows of one form did this frame, and the validation problems
/// its rows show under the field they concern.
#[derive(Debug, Clone, Default)]
pub struct Edit {
    pub changed: bool,
    /// The change comes from a drag still in progress (one undo step per gesture).
    pub dragging: bool,
    problems: Vec<FieldProblem>,
    shown: Vec<bool>,
    /// Where in the node (edge, fault) the rows being drawn are.
    scope: Vec<PathSegment<'static>>,
}

impl Edit {
    pub fn with_problems(problems: &[FieldProblem]) -> Self {
        Edit { problems: problems.to_vec(), shown: vec![false; problems.len()], ..Edit::default() }
    }

    /// Runs `rows` with `segments` added to the path of every row in it
    /// (`within(&[Key("retry")], ..)` for the retry policy's rows).
    pub fn within<R>(&mut self, segments: &[PathSegment<'static>], rows: impl FnOnce(&mut Self) -> R) -> R {
        let depth = self.scope.len();
        self.scope.extend_from_slice(segments);
        let out = rows(self);
        self.scope.truncate(depth);
        out
    }

    /// A grid row of red text under the row just ended, for each problem
    /// about the field `field` at the current path.
    fn inline_problems(&mut self, ui: &mut Ui, field: &'static str) {
        let depth = self.scope.len();
        for (p, shown) in self.problems.iter().zip(self.shown.iter_mut()) {
            let here = p.path.len() == depth + 1
                && p.path[..depth] == self.scope[..]
                && p.path[depth] == PathSegment::Key(field);
            if here {
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

/// One labelled row of a form, built up like egui's `DragValue` and
/// finished by the widget it edits with (`number`, `whole`, `percent`…).
#[must_use = "a row shows nothing until a widget method finishes it"]
pub struct Row<'a> {
    label: &'a str,
    field: &'static str,
    help: &'a str,
    unit: &'a str,
    speed: f64,
}

impl<'a> Row<'a> {
    /// A row labelled `label` that edits the file field `field`. A drag
    /// moves it by 0.2 a point unless [`Self::speed`] says otherwise.
    pub fn new(label: &'a str, field: &'static str) -> Self {
        Row { label, field, help: "", unit: "", speed: 0.2 }
    }

    /// What the parameter does in a real system (the tooltip).
    pub fn help(mut self, help: &'a str) -> Self {
        self.help = help;
        self
    }

    /// The unit shown after the value (" ms", "×").
    pub fn unit(mut self, unit: &'a str) -> Self {
        self.unit = unit;
        self
    }

    /// How much a drag of one point changes the value.
    pub fn speed(mut self, speed: f64) -> Self {
        self.speed = speed;
        self
    }

    fn label_cell(&self, ui: &mut Ui) -> Response {
        label_cell(ui, self.label, self.help)
    }

    fn end(self, ui: &mut Ui, edit: &mut Edit) {
        ui.end_row();
        value_note_ui(ui, self.note_id(ui));
        edit.inline_problems(ui, self.field);
    }

    /// Where this row's note about a typed value lives in egui's memory.
    fn note_id(&self, ui: &Ui) -> egui::Id {
        ui.scope_id().with(("value-note", self.label, self.field))
    }

    /// After a typed value went in (the field lost focus): if it was not a
    /// number, or had to be brought into range, remember a note saying so
    /// beside the field. Another change to the field clears the note.
    fn note_typed(&self, ui: &Ui, r: &Response, typed: &Typed, stored: f64, range: (f64, f64)) {
        let id = self.note_id(ui);
        let note = if r.lost_focus() { typed.note(stored, range, self.unit) } else { None };
        if let Some(text) = note {
            let until = ui.input(|i| i.time) + NOTE_SECS;
            ui.data_mut(|d| d.insert_temp(id, ValueNote { text, until }));
        } else if r.changed() {
            ui.data_mut(|d| d.remove::<ValueNote>(id));
        }
    }

    /// A number with a unit.
    pub fn number(self, ui: &mut Ui, edit: &mut Edit, value: &mut f64, range: RangeInclusive<f64>) {
        let label = self.label_cell(ui);
        let range = typed_range(range);
        let typed = Typed::default();
        let r = ui
            .add(
                DragValue::new(value)
                    .range(range.clone())
                    .clamp_existing_to_range(false)
                    .speed(self.speed)
                    .suffix(self.unit)
                    .max_decimals(3)
                    .custom_parser(|t| typed.parse(t)),
            )
            .labelled_by(label.id)
            .on_hover_text(self.help);
        edit.note(&r);
        self.note_typed(ui, &r, &typed, *value, (*range.start(), *range.end()));
        self.end(ui, edit);
    }

    /// A whole number (workers, keys) with a unit.
    pub fn whole<N: egui::emath::Numeric>(self, ui: &mut Ui, edit: &mut Edit, value: &mut N, range: RangeInclusive<N>) {
        let label = self.label_cell(ui);
        let typed = Typed::default();
        // From zero rather than the range's start, like `typed_range`.
        let r = ui
            .add(
                DragValue::new(value)
                    .range(N::from_f64(0.0)..=*range.end())
                    .clamp_existing_to_range(false)
                    .speed(self.speed)
                    .suffix(self.unit)
                    .custom_parser(|t| typed.parse(t)),
            )
            .labelled_by(label.id)
            .on_hover_text(self.help);
        edit.note(&r);
        self.note_typed(ui, &r, &typed, value.to_f64(), (0.0, range.end().to_f64()));
        self.end(ui, edit);
    }

    /// A whole number in a unit chosen beside it, after `lead` (a breaker's
    /// window: "last [20] [calls ▾]"). `units` are the choices, each with
    /// its name and largest value; `unit` is the index of the one in use.
    /// Another unit keeps the number, brought into its range.
    pub fn whole_in_unit(
        self,
        ui: &mut Ui,
        edit: &mut Edit,
        lead: &str,
        (value, unit): (&mut u32, &mut usize),
        units: &[(&str, u32)],
    ) {
        let label = self.label_cell(ui);
        let (name, max) = units.get(*unit).copied().unwrap_or(("", u32::MAX));
        let suffix = format!(" {name}");
        let typed = Typed::default();
        let r = ui
            .horizontal(|ui| {
                ui.label(lead);
                let r = ui
                    .add(
                        DragValue::new(value)
                            .range(0..=max)
                            .clamp_existing_to_range(false)
                            .speed(self.speed)
                            .custom_parser(|t| typed.parse(t)),
                    )
                    .labelled_by(label.id)
                    .on_hover_text(self.help);
                let before = *unit;
                egui::ComboBox::from_id_salt(("unit", self.field))
                    .selected_text(name)
                    .show_ui(ui, |ui| {
                        for (i, (n, _)) in units.iter().enumerate() {
                            ui.selectable_value(unit, i, *n);
                        }
                    })
                    .response
                    .labelled_by(label.id)
                    .on_hover_text(self.help);
                if *unit != before {
                    if let Some((_, new_max)) = units.get(*unit) {
                        *value = (*value).min(*new_max);
                    }
                    edit.changed = true;
                }
                r
            })
            .inner;
        edit.note(&r);
        Row { unit: &suffix, ..self }.note_typed(ui, &r, &typed, f64::from(*value), (0.0, f64::from(max)));
        self.end(ui, edit);
    }

    /// A probability shown as a percentage.
    pub fn percent(self, ui: &mut Ui, edit: &mut Edit, p: &mut f64) {
        self.percent_up_to(ui, edit, p, 1.0);
    }

    /// A ratio from 0 to `max` shown as a percentage (a retry budget of
    /// 0.1 is "10 %", and may go past 100 %); the unit, if any, follows
    /// the "%" ("10 % of requests").
    pub fn percent_up_to(self, ui: &mut Ui, edit: &mut Edit, p: &mut f64, max: f64) {
        let label = self.label_cell(ui);
        let mut pct = *p * 100.0;
        let max_pct = max * 100.0;
        let unit = format!(" %{}", self.unit);
        let typed = Typed::default();
        let r = ui
            .add(
                DragValue::new(&mut pct)
                    .range(0.0..=max_pct)
                    .speed(0.1)
                    .suffix(unit.as_str())
                    .max_decimals(2)
                    .custom_parser(|t| typed.parse(t)),
            )
            .labelled_by(label.id)
            .on_hover_text(self.help);
        if r.changed() {
            *p = (pct / 100.0).clamp(0.0, max);
        }
        edit.note(&r);
        Row { unit: &unit, ..self }.note_typed(ui, &r, &typed, pct, (0.0, max_pct));
        self.end(ui, edit);
    }

    /// An optional number: a checkbox turns it on (with `default`) or off
    /// (`off_label` says what off means: "none", "forever").
    pub fn optional_number(
        self,
        ui: &mut Ui,
        edit: &mut Edit,
        value: &mut Option<f64>,
        (default, off_label): (f64, &str),
        range: RangeInclusive<f64>,
    ) {
        let unit = self.unit;
        let range = typed_range(range);
        let bounds = (*range.start(), *range.end());
        self.optional(ui, edit, value, (default, off_label), bounds, |v| {
            DragValue::new(v)
                .range(range)
                .clamp_existing_to_range(false)
                .speed((default / 50.0).max(0.01))
                .suffix(unit)
                .max_decimals(3)
        });
    }

    /// An optional whole number (a queue capacity; off = unbounded).
    pub fn optional_whole(
        self,
        ui: &mut Ui,
        edit: &mut Edit,
        value: &mut Option<u32>,
        (default, off_label): (u32, &str),
    ) {
        let unit = self.unit;
        self.optional(ui, edit, value, (default, off_label), (0.0, f64::from(u32::MAX)), |v| {
            DragValue::new(v).range(0..=u32::MAX).speed(1.0).suffix(unit)
        });
    }

    /// The checkbox that turns an optional value on or off, then the
    /// value's widget (made by `widget`) while it is on.
    fn optional<N: egui::emath::Numeric>(
        self,
        ui: &mut Ui,
        edit: &mut Edit,
        value: &mut Option<N>,
        (default, off_label): (N, &str),
        bounds: (f64, f64),
        widget: impl FnOnce(&mut N) -> DragValue<'_>,
    ) {
        let label = self.label_cell(ui);
        ui.horizontal(|ui| {
            let mut on = value.is_some();
            let text = if on { "" } else { off_label };
            let cb = ui.checkbox(&mut on, text).labelled_by(label.id);
            if cb.changed() {
                *value = if on { Some(default) } else { None };
                edit.changed = true;
            }
            if let Some(v) = value {
                let typed = Typed::default();
                let r =
                    ui.add(widget(v).custom_parser(|t| typed.parse(t))).labelled_by(label.id).on_hover_text(self.help);
                edit.note(&r);
                self.note_typed(ui, &r, &typed, v.to_f64(), bounds);
            }
        });
        self.end(ui, edit);
    }

    /// A menu of `options` (a fallback: none, a default answer, the stale
    /// copy); `chosen` is the index of the one in use, and the caller turns
    /// it back into the value. An option that is not available here is
    /// greyed out, and says why on hover.
    pub fn choice(self, ui: &mut Ui, edit: &mut Edit, chosen: &mut usize, options: &[Choice<'_>]) {
        let label = self.label_cell(ui);
        let before = *chosen;
        let current = options.get(*chosen).map_or("", |c| c.name);
        egui::ComboBox::from_id_salt(("choice", self.field, self.label))
            .selected_text(current)
            .show_ui(ui, |ui| {
                for (i, option) in options.iter().enumerate() {
                    match option.unavailable {
                        None => {
                            ui.selectable_value(chosen, i, option.name);
                        }
                        Some(why) => {
                            ui.add_enabled(false, egui::Button::selectable(*chosen == i, option.name))
                                .on_disabled_hover_text(why);
                        }
                    }
                }
            })
            .response
            .labelled_by(label.id)
            .on_hover_text(self.help);
        if *chosen != before {
            edit.changed = true;
        }
        self.end(ui, edit);
    }

    /// A yes/no switch; `text` is written beside the box.
    pub fn switch(self, ui: &mut Ui, edit: &mut Edit, value: &mut bool, text: &str) {
        let label = self.label_cell(ui);
        let r = ui.checkbox(value, text).labelled_by(label.id).on_hover_text(self.help);
        edit.note(&r);
        self.end(ui, edit);
    }
}

/// One option of a [`Row::choice`] menu.
#[derive(Debug, Clone, Copy)]
pub struct Choice<'a> {
    pub name: &'a str,
    /// Why it cannot be picked here, if it cannot.
    pub unavailable: Option<&'a str>,
}

impl<'a> Choice<'a> {
    pub fn new(name: &'a str) -> Self {
        Choice { name, unavailable: None }
    }

    /// Greyed out, with `why` on hover, when `why` is `Some`.
    pub fn unless(self, why: Option<&'a str>) -> Self {
        Choice { unavailable: why, ..self }
    }
}

/// How long a note about a typed value stays beside its field.
const NOTE_SECS: f64 = 8.0;

/// A note beside a field: what happened to the value the user typed.
#[derive(Debug, Clone)]
struct ValueNote {
    text: String,
    /// egui time after which it is no longer shown.
    until: f64,
}

/// The text a field parsed last, and what it made of it: the parser egui
/// calls is ours, so the value typed is known even when egui brings it into
/// range or keeps the old one.
#[derive(Debug, Default)]
struct Typed(RefCell<Option<(String, Option<f64>)>>);

impl Typed {
    /// egui's own parsing (spaces ignored, U+2212 as minus), remembered.
    fn parse(&self, text: &str) -> Option<f64> {
        let clean: String =
            text.chars().filter(|c| !c.is_whitespace()).map(|c| if c == '−' { '-' } else { c }).collect();
        let parsed = clean.parse::<f64>().ok().filter(|v| v.is_finite());
        *self.0.borrow_mut() = Some((text.trim().to_string(), parsed));
        parsed
    }

    /// What to tell the user once the field holds `stored`, if anything.
    fn note(&self, stored: f64, (min, max): (f64, f64), unit: &str) -> Option<String> {
        let (text, parsed) = self.0.borrow().clone()?;
        match parsed {
            None => Some(format!("“{text}” is not a number: kept {}{unit}", shown_number(stored))),
            Some(v) if (v - stored).abs() > 1e-9 * v.abs().max(1.0) => {
                let side = if v > max {
                    "above the largest"
                } else if v < min {
                    "below the smallest"
                } else {
                    "outside"
                };
                let limit = if v > max { max } else { min };
                Some(format!(
                    "{}{unit} is {side} value, {}{unit}: set to {}{unit}",
                    shown_number(v),
                    shown_number(limit),
                    shown_number(stored)
                ))
            }
            Some(_) => None,
        }
    }
}

/// A number as a person reads it: thousands grouped, no float noise.
fn shown_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        let digits = crate::gui::format::count(v.abs() as u64);
        if v < 0.0 { format!("−{digits}") } else { digits }
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The note beside a field, while it lasts.
fn value_note_ui(ui: &mut Ui, id: egui::Id) {
    let now = ui.input(|i| i.time);
    let Some(note) = ui.data(|d| d.get_temp::<ValueNote>(id)) else { return };
    if now > note.until {
        ui.data_mut(|d| d.remove::<ValueNote>(id));
        return;
    }
    ui.label("");
    ui.add(egui::Label::new(RichText::new(&note.text).color(ui.visuals().warn_fg_color)).wrap());
    ui.end_row();
    ui.ctx().request_repaint_after_secs((note.until - now) as f32);
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
    fn a_value_brought_into_range_is_told_with_its_limit() {
        let typed = Typed::default();
        assert_eq!(typed.parse("1e9"), Some(1e9));
        let note = typed.note(10_000_000.0, (0.0, 10_000_000.0), "/s").expect("a note");
        assert_eq!(note, "1,000,000,000/s is above the largest value, 10,000,000/s: set to 10,000,000/s");
        typed.parse("−5");
        let note = typed.note(0.0, (0.0, 100.0), " ms").expect("a note");
        assert!(note.starts_with("−5 ms is below the smallest value, 0 ms"), "{note}");
    }

    #[test]
    fn text_that_is_not_a_number_keeps_the_old_value_and_says_so() {
        let typed = Typed::default();
        assert_eq!(typed.parse("fast"), None);
        assert_eq!(typed.note(50.0, (0.0, 100.0), " ms").as_deref(), Some("“fast” is not a number: kept 50 ms"));
    }

    #[test]
    fn a_value_that_went_in_as_typed_needs_no_note() {
        let typed = Typed::default();
        typed.parse(" 12.5 ");
        assert_eq!(typed.note(12.5, (0.0, 100.0), " ms"), None);
        assert_eq!(Typed::default().note(3.0, (0.0, 10.0), ""), None, "nothing typed");
    }
}
