//! Modal dialogs: "save changes?" before replacing or closing a dirty
//! document, the list of problems of a file that failed to load, and the
//! app's own file browser when the platform has no file dialog.

use std::path::PathBuf;

use eframe::egui::{self, RichText};

use super::file_browser::{BrowserAnswer, FileBrowser};

/// What waits for the user's answer about unsaved changes.
#[derive(Debug, Clone, PartialEq)]
pub enum PendingAction {
    New,
    Open,
    OpenPath(PathBuf),
    OpenBundled(&'static str),
    /// A design pasted from the clipboard, already validated.
    /// A pasted design, and the fields it had that this version ignored
    /// (shown once it is open).
    OpenPasted(Box<crate::scenario::Parsed>),
    Close,
}

impl PendingAction {
    /// Said when a save it waited on was cancelled, so it was not done.
    pub fn not_done_note(&self) -> &'static str {
        match self {
            PendingAction::New => "Not saved, so no new scenario was started",
            PendingAction::Open
            | PendingAction::OpenPath(_)
            | PendingAction::OpenBundled(_)
            | PendingAction::OpenPasted(_) => "Not saved, so the other scenario was not opened",
            PendingAction::Close => "Not saved, so the window stays open",
        }
    }
}

/// What the in-app file browser is choosing a file for.
#[derive(Debug, Clone, PartialEq)]
pub enum BrowsePurpose {
    /// Open the chosen file.
    Open,
    /// Save to the chosen file, then carry out `then` (the action that
    /// waited on "save changes?"); if the user cancels, neither happens.
    Save { then: Option<PendingAction> },
    /// Export a picture to the chosen file.
    Export(super::exports::ExportKind),
    /// Compare the design with the chosen file (Simulation › Compare with…).
    Baseline,
}

/// A dialog on screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    Unsaved {
        name: String,
        then: PendingAction,
    },
    Error {
        title: String,
        lines: Vec<String>,
    },
    /// Something the user should know that went right, with a caveat: a
    /// pasted design opened without the fields this version ignored.
    Notice {
        title: String,
        body: String,
        lines: Vec<String>,
    },
    /// The app's own file browser, when the native dialog is unavailable.
    Browse {
        purpose: BrowsePurpose,
        browser: Box<FileBrowser>,
    },
}

/// The user's answer.
#[derive(Debug, Clone, PartialEq)]
pub enum DialogAnswer {
    SaveThen(PendingAction),
    DiscardThen(PendingAction),
    /// The file browser's choice.
    Chosen(PathBuf),
    /// Cancel, OK, Escape: close the dialog and do nothing more.
    Dismiss,
}

/// Shows the dialog; `Some` once the user has answered. Takes it mutably
/// because the file browser keeps what is typed in it.
pub fn dialog_ui(ctx: &egui::Context, dialog: &mut Dialog) -> Option<DialogAnswer> {
    if let Dialog::Browse { browser, .. } = dialog {
        return browser.ui(ctx).map(|a| match a {
            BrowserAnswer::Chosen(path) => DialogAnswer::Chosen(path),
            BrowserAnswer::Cancelled => DialogAnswer::Dismiss,
        });
    }
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
            Dialog::Notice { title, body, lines } => {
                ui.heading(title.as_str());
                ui.label(body.as_str());
                ui.add_space(4.0);
                egui::ScrollArea::vertical().max_height(300.0).show(ui, |ui| {
                    for l in lines {
                        ui.label(RichText::new(super::format::for_app_font(l)).monospace());
                    }
                });
                ui.add_space(8.0);
                if ui.button("OK").clicked() {
                    answer = Some(DialogAnswer::Dismiss);
                }
            }
            Dialog::Browse { .. } => {}
        }
    });
    if answer.is_none() && modal.should_close() {
        answer = Some(DialogAnswer::Dismiss);
    }
    answer
}
