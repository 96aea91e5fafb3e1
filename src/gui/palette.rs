//! The left panel: components to add (click to place in view, or drag onto
//! the canvas) and the library of bundled scenarios with their descriptions.

use std::sync::OnceLock;

use eframe::egui::{self, Button, RichText, Sense, Ui};

use super::command::Command;
use super::edits::PALETTE;
use crate::scenario::BUNDLED;

pub fn palette_ui(ui: &mut Ui, commands: &mut Vec<Command>) {
    ui.heading("Components");
    ui.weak("Click to add, or drag onto the canvas.");
    ui.add_space(4.0);
    // Buttons side by side as they fit: the whole palette stays a few rows
    // tall, leaving the panel's height to the library.
    let buttons = ui.horizontal_wrapped(|ui| palette_buttons_ui(ui, commands)).response.rect;
    super::tour::mark_anchor(ui.ctx(), super::tour::Anchor::Palette, buttons);
}

fn palette_buttons_ui(ui: &mut Ui, commands: &mut Vec<Command>) {
    for item in PALETTE {
        let button =
            Button::new(format!("+ {}", item.label())).min_size(egui::vec2(0.0, 26.0)).sense(Sense::click_and_drag());
        let response = ui.add(button).on_hover_text(item.blurb());
        if response.clicked() {
            commands.push(Command::AddNode { kind: item.kind(), pos_in_canvas: None });
        }
        if response.drag_started() {
            response.dnd_set_drag_payload(item);
        }
        if response.dragged() {
            // A ghost of the component follows the pointer.
            if let Some(p) = ui.ctx().pointer_latest_pos() {
                egui::Area::new(egui::Id::unique("palette-ghost"))
                    .order(egui::Order::Tooltip)
                    .fixed_pos(p + egui::vec2(8.0, 8.0))
                    .interactable(false)
                    .show(ui.ctx(), |ui| {
                        egui::Frame::popup(ui.style()).show(ui, |ui| ui.label(item.label()));
                    });
            }
        }
    }
}

/// A bundled scenario's file, name, description and topic header, parsed once.
struct LibraryEntry {
    file_name: &'static str,
    name: String,
    description: String,
    topic: &'static str,
}

fn library() -> &'static [LibraryEntry] {
    static LIBRARY: OnceLock<Vec<LibraryEntry>> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        BUNDLED
            .iter()
            .map(|b| match b.load() {
                Ok(s) => LibraryEntry {
                    file_name: b.file_name,
                    name: super::format::for_app_font(&s.name),
                    description: super::format::for_app_font(&s.description),
                    topic: b.topic.label(),
                },
                Err(e) => LibraryEntry {
                    file_name: b.file_name,
                    name: b.file_name.into(),
                    description: e.to_string(),
                    topic: b.topic.label(),
                },
            })
            .collect()
    })
}

pub fn library_ui(ui: &mut Ui, current_name: &str, commands: &mut Vec<Command>) {
    ui.heading("Scenarios");
    ui.weak("Ready-made designs to open and break.");
    ui.add_space(4.0);
    let mut topic = None;
    for s in library() {
        // `BUNDLED` lists each topic's scenarios together: a header where
        // the topic changes groups them.
        if topic != Some(s.topic) {
            topic = Some(s.topic);
            ui.add_space(4.0);
            ui.label(RichText::new(s.topic).strong().size(egui::TextStyle::Body.resolve(ui.style()).size * 1.1));
            ui.add_space(2.0);
        }
        let current = s.name == current_name;
        let title = if current { RichText::new(&s.name).strong() } else { RichText::new(&s.name) };
        let response = ui
            .add(Button::new(title).selected(current).min_size(egui::vec2(ui.available_width(), 0.0)).wrap())
            .on_hover_text(&s.description);
        if response.clicked() {
            commands.push(Command::OpenBundled(s.file_name));
        }
        // Two readable lines (a projector at the back of a room), cut with
        // an ellipsis; the whole description on hover.
        let style = ui.style();
        let size = egui::TextStyle::Body.resolve(style).size * 0.9;
        let color = ui.visuals().text_color().gamma_multiply(0.8);
        let mut job = egui::text::LayoutJob::single_section(
            s.description.split_whitespace().collect::<Vec<_>>().join(" "),
            egui::TextFormat { font_id: egui::FontId::proportional(size), color, ..Default::default() },
        );
        job.wrap.max_rows = 2;
        job.wrap.overflow_character = Some('…');
        let summary = ui.add(egui::Label::new(job).wrap().sense(egui::Sense::click()));
        if summary.clone().on_hover_text(&s.description).clicked() {
            commands.push(Command::OpenBundled(s.file_name));
        }
        ui.add_space(6.0);
    }
}

/// Left panel contents: the palette on top and the library under it, each
/// scrolling on its own, so scrolling through the library never hides the
/// components.
pub fn left_panel_ui(ui: &mut Ui, current_name: &str, commands: &mut Vec<Command>) {
    // The palette takes what it needs up to a bit over half the panel.
    let palette_max = (ui.available_height() * 0.6).max(140.0);
    egui::ScrollArea::vertical()
        .id_salt("palette")
        .max_height(palette_max)
        .auto_shrink([false, true])
        .show(ui, |ui| palette_ui(ui, commands));
    ui.separator();
    egui::ScrollArea::vertical()
        .id_salt("library")
        .auto_shrink([false, false])
        .show(ui, |ui| library_ui(ui, current_name, commands));
}
