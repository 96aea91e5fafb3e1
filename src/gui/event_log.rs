//! The docked alert log: severity, time, text, count; click a line to
//! select its node and bring it into view. Newest first.

use eframe::egui::{self, Color32, RichText, Ui};

use super::alerts::{AlertLog, Severity};
use super::command::Command;

fn severity_color(ui: &Ui, s: Severity) -> Color32 {
    match s {
        Severity::Info => ui.visuals().weak_text_color(),
        Severity::Warning => ui.visuals().warn_fg_color,
        Severity::Error => ui.visuals().error_fg_color,
    }
}

pub fn event_log_ui(ui: &mut Ui, log: &AlertLog, commands: &mut Vec<Command>) {
    if log.is_empty() {
        ui.weak("Nothing yet. Crashes, spikes, saturation and failures are listed here as they happen.");
        return;
    }
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        for (k, a) in log.entries().iter().enumerate().rev() {
            ui.push_id(k, |ui| {
                ui.horizontal(|ui| {
                    let color = severity_color(ui, a.severity);
                    ui.label(RichText::new(a.severity.label()).small().color(color))
                        .on_hover_text(format!("first at {:.1} s, last at {:.1} s", a.first_s, a.last_s));
                    ui.label(RichText::new(format!("{:>7.1} s", a.last_s)).small().monospace().weak());
                    let text = a.line();
                    match &a.node {
                        Some(node) => {
                            if ui.link(RichText::new(text).color(color)).on_hover_text(format!("Show {node}")).clicked()
                            {
                                commands.push(Command::FocusNode(node.clone()));
                            }
                        }
                        None => {
                            ui.label(RichText::new(text).color(color));
                        }
                    }
                });
            });
        }
    });
}
