//! Modal dialogs: "save changes?" before replacing or closing a dirty
//! document, and the list of problems of a file that failed to load.

use std::path::PathBuf;

use eframe::egui::{self, RichText};

/// What waits for the user's answer about unsaved changes.
#[derive(Debug, Clone, PartialEq)]
pub enum PendingAction {
    New,
    Open,
    OpenPath(PathBuf),
    OpenBundled(&'static str),
    Close,
}

/// A dialog on screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    Unsaved { name: String, then: PendingAction },
    Error { title: String, lines: Vec<String> },
}

/// The user's answer.
#[derive(Debug, Clone, PartialEq)]
pub enum DialogAnswer {
    SaveThen(PendingAction),
    DiscardThen(PendingAction),
    Dismiss,
}

pub fn dialog_ui(ctx: &egui::Context, dialog: &Dialog) -> Option<DialogAnswer> {
    let mut answer = None;
    let modal = egui::Modal::new(egui::Id::unique("archsim-dialog")).show(ctx, |ui| {
        ui.set_max_width(560.0);
        match dialog {
            Dialog::Unsaved { name, then } => {
                ui.heading(format!("Save changes to “{name}”?"));
                ui.label("Your changes will be lost if you don't save them.");
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Save").clicked() {
                        answer = Some(DialogAnswer::SaveThen(then.clone()));
                    }
                    if ui.button("Don't save").clicked() {
                        answer = Some(DialogAnswer::DiscardThen(then.clone()));
                    }
                    if ui.button("Cancel").clicked() {
                        answer = Some(DialogAnswer::Dismiss);
                    }
                });
            }
            Dialog::Error { title, lines } => {
                ui.heading(title);
                ui.label("The open document was left as it was.");
                ui.add_space(4.0);
                egui::ScrollArea::vertical().max_height(300.0).show(ui, |ui| {
                    for l in lines {
                        ui.label(
                            RichText::new(super::format::for_app_font(l))
                                .monospace()
                                .color(ui.visuals().error_fg_color),
                        );
                    }
                });
                ui.add_space(8.0);
                if ui.button("OK").clicked() {
                    answer = Some(DialogAnswer::Dismiss);
                }
            }
        }
    });
    if answer.is_none() && modal.should_close() {
        answer = Some(DialogAnswer::Dismiss);
    }
    answer
}
