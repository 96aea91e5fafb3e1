//! The top of the window: the menu bar (with every shortcut shown) and the
//! run controls: play/pause, step, reset, speed, the simulated clock, the
//! seed, the spike button, and what the engine is actually achieving.

use eframe::egui::{self, Button, RichText, Ui};

use super::command::{Command, Panel};
use super::format;
use super::pacer::Speed;
use super::shortcuts as keys;
use super::state::Prefs;
use super::tour::{self, Anchor};

/// What the toolbar shows.
pub struct ToolbarInput<'a> {
    pub prefs: &'a Prefs,
    pub running: bool,
    pub can_run: bool,
    pub now_s: f64,
    pub seed: u64,
    pub can_undo: bool,
    pub can_redo: bool,
    pub clients: Vec<String>,
    /// Achieved speed when slower than asked.
    pub lagging: Option<f64>,
    pub achieved: f64,
    /// The frame-time readout and its tooltip.
    pub frame_readout: Option<(String, String)>,
    /// What the design costs an hour now, and whether at the illustrative
    /// default prices (`None`: nothing runs).
    pub cost: Option<(f64, bool)>,
    /// Edits waiting for a reset.
    pub pending: usize,
    pub dirty: bool,
    /// Where the /metrics endpoint listens, when it is on.
    pub metrics_at: Option<String>,
    /// A load ramp is running (or stopping): Ramp to 100× waits for it.
    pub ramp_running: bool,
    /// The one node selected: Sweep… opens on it.
    pub selected_node: Option<String>,
    /// Pin as baseline A and Compare with….
    pub compare: super::compare_view::CompareMenu,
}

pub fn menu_bar_ui(ui: &mut Ui, input: &ToolbarInput<'_>, commands: &mut Vec<Command>) {
    let ctx = ui.ctx().clone();
    let item = |ui: &mut Ui, text: &str, shortcut: Option<String>, enabled: bool| -> bool {
        let mut b = Button::new(text);
        if let Some(s) = shortcut {
            b = b.shortcut_text(s);
        }
        ui.add_enabled(enabled, b).clicked()
    };
    let sc = |s: &egui::KeyboardShortcut| Some(ctx.format_shortcut(s));
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            if item(ui, "New", sc(&keys::NEW), true) {
                commands.push(Command::New);
            }
            if item(ui, "Open…", sc(&keys::OPEN), true) {
                commands.push(Command::Open);
            }
            if item(ui, "Save", sc(&keys::SAVE), true) {
                commands.push(Command::Save);
            }
            if item(ui, "Save as…", sc(&keys::SAVE_AS), true) {
                commands.push(Command::SaveAs);
            }
            ui.menu_button("Export", |ui| {
                use super::exports::ExportKind;
                for (kind, text, hint) in [
                    (
                        ExportKind::Plots,
                        "Plots as PNG…",
                        "Throughput, latency and failures over the whole run, for a report",
                    ),
                    (
                        ExportKind::Canvas,
                        "Canvas as PNG…",
                        "The design, each node tinted by how busy it was over the run",
                    ),
                    (
                        ExportKind::Gif,
                        "Run as GIF…",
                        "The canvas from time zero to now, re-run with the same seed, for slides and chat",
                    ),
                ] {
                    if ui.button(text).on_hover_text(hint).clicked() {
                        commands.push(Command::Export(kind));
                    }
                }
            });
            ui.separator();
            if item(ui, "Quit", sc(&keys::QUIT), true) {
                commands.push(Command::Quit);
            }
        });
        ui.menu_button("Edit", |ui| {
            if ui
                .button("Copy design")
                .on_hover_text(
                    "The whole design as text (RON) on the clipboard: paste it in a chat, a ticket or a slide note",
                )
                .clicked()
            {
                commands.push(Command::CopyDesign);
            }
            if ui
                .button("Paste design")
                .on_hover_text(
                    "Open the design on the clipboard, checked like a file; a broken one is refused and yours kept",
                )
                .clicked()
            {
                commands.push(Command::PasteDesign);
            }
            ui.separator();
            if item(ui, "Undo", sc(&keys::UNDO), input.can_undo) {
                commands.push(Command::Undo);
            }
            if item(ui, "Redo", sc(&keys::REDO), input.can_redo) {
                commands.push(Command::Redo);
            }
            ui.separator();
            if item(ui, "Select all", sc(&keys::SELECT_ALL), true) {
                commands.push(Command::SelectAll);
            }
            if item(ui, "Delete selected", Some("Del".into()), true) {
                commands.push(Command::DeleteSelection);
            }
        });
        ui.menu_button("Simulation", |ui| {
            let play = if input.running { "Pause" } else { "Play" };
            if item(ui, play, Some("Space".into()), input.can_run) {
                commands.push(Command::TogglePlay);
            }
            if item(ui, "Step one window", Some(".".into()), input.can_run) {
                commands.push(Command::Step);
            }
            if item(ui, "Reset", sc(&keys::RESET), true) {
                commands.push(Command::Reset);
            }
            ui.separator();
            let ramp = ui.add_enabled(input.can_run && !input.ramp_running, Button::new("Ramp to 100×")).on_hover_text(
                "Capacity planning: run the design again at every client's load × 1 up to × 100, each step to \
                     steady state, and chart throughput, p99 and errors against the offered load, with where it \
                     breaks first.",
            );
            // One ramp at a time: say why the item is off while one runs.
            let ramp = if input.ramp_running {
                ramp.on_disabled_hover_text("A ramp is running: cancel it in its window to start another.")
            } else {
                ramp
            };
            if ramp.clicked() {
                commands.push(Command::RampTo100);
            }
            if ui
                .button("Sweep…")
                .on_hover_text(
                    "Run the design at every value of one field (a client's rate, a service's workers…), each \
                     point several times, and chart the figures with their 95 % intervals.",
                )
                .clicked()
            {
                commands.push(Command::OpenSweep(input.selected_node.clone()));
            }
            ui.separator();
            super::compare_view::compare_menu_ui(ui, &input.compare, commands);
            ui.separator();
            let mut pause_at_end = !input.prefs.run_past_end;
            if ui
                .checkbox(&mut pause_at_end, "Pause at the end of the run")
                .on_hover_text("Stop when the simulated clock reaches the scenario's duration (Play goes on past it).")
                .changed()
            {
                commands.push(Command::TogglePauseAtEnd);
            }
        });
        ui.menu_button("View", |ui| {
            let theme = match input.prefs.theme {
                super::theme::ThemeChoice::Dark => "Light theme",
                super::theme::ThemeChoice::Light => "Dark theme",
            };
            if item(ui, theme, sc(&keys::THEME), true) {
                commands.push(Command::ToggleTheme);
            }
            if item(ui, "Zoom in", Some(keys::ZOOM_IN_TEXT.into()), true) {
                commands.push(Command::ZoomIn);
            }
            if item(ui, "Zoom out", Some(keys::ZOOM_OUT_TEXT.into()), true) {
                commands.push(Command::ZoomOut);
            }
            if item(ui, "Reset zoom", Some(keys::ZOOM_RESET_TEXT.into()), true) {
                commands.push(Command::ZoomReset);
            }
            ui.separator();
            if item(ui, "Fit topology in view", Some("F".into()), true) {
                commands.push(Command::FitView);
            }
            if item(ui, "Tidy layout (callers left, callees right)", Some("L".into()), true) {
                commands.push(Command::TidyLayout);
            }
            let presenter =
                if input.prefs.presenter { "Leave presenter mode" } else { "Presenter mode (big canvas, live plots)" };
            if item(ui, presenter, sc(&keys::PRESENTER), true) {
                commands.push(Command::TogglePresenter);
            }
            let mut toggle = |ui: &mut Ui, on: bool, text: &str, panel: Panel| {
                let mut shown = on;
                if ui.checkbox(&mut shown, text).changed() {
                    commands.push(Command::TogglePanel(panel));
                }
            };
            toggle(ui, input.prefs.left_panel, "Palette and library", Panel::Left);
            toggle(ui, input.prefs.right_panel, "Inspector", Panel::Right);
            toggle(ui, input.prefs.bottom_panel, "Plots and log", Panel::Bottom);
            let ft = if input.prefs.show_frame_time { "Hide frame time" } else { "Show frame time" };
            if item(ui, ft, sc(&keys::FRAME_TIME), true) {
                commands.push(Command::ToggleFrameTime);
            }
            let metrics = match &input.metrics_at {
                Some(at) => format!("Stop serving metrics ({at})"),
                None => "Serve /metrics for Prometheus".to_string(),
            };
            if ui
                .button(metrics)
                .on_hover_text(
                    "The running simulation's metrics in Prometheus' text format at http://127.0.0.1:9464/metrics \
                     (ARCHSIM_METRICS_PORT to change it), loopback only: point a Prometheus and Grafana at it.",
                )
                .clicked()
            {
                commands.push(Command::ToggleMetricsServer);
            }
        });
        ui.menu_button("Help", |ui| {
            if item(ui, "Show the tour", None, true) {
                commands.push(Command::ShowTour);
            }
        });
        if input.dirty {
            ui.weak("• unsaved changes");
        }
    });
}

/// Per-frame choices the toolbar keeps in the app.
pub struct SpikeChoice<'a> {
    pub client: &'a mut Option<String>,
    pub factor: &'a mut f64,
    pub secs: &'a mut f64,
}

pub fn run_controls_ui(ui: &mut Ui, input: &ToolbarInput<'_>, spike: SpikeChoice<'_>, commands: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        let play = if input.running { "Pause" } else { "Play" };
        let play_btn = ui
            .add_enabled(input.can_run, Button::new(RichText::new(play).strong()).min_size(egui::vec2(80.0, 0.0)))
            .on_hover_text("Run or pause the simulation (Space)");
        tour::mark_anchor(ui.ctx(), Anchor::Play, play_btn.rect);
        if play_btn.clicked() {
            commands.push(Command::TogglePlay);
        }
        if ui
            .add_enabled(input.can_run, Button::new("Step"))
            .on_hover_text("Advance one window of simulated time, then pause (.)")
            .clicked()
        {
            commands.push(Command::Step);
        }
        let reset_text = if input.pending > 0 { format!("Reset ({} to apply)", input.pending) } else { "Reset".into() };
        if ui.button(reset_text).on_hover_text("Start over from time zero with the current document (Ctrl+R)").clicked()
        {
            commands.push(Command::Reset);
        }
        ui.separator();
        let speed_label = ui.label("speed");
        let mut speed = input.prefs.speed;
        // Tall enough for every choice: 1000× and max must not hide below a scroll.
        let row = ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
        egui::ComboBox::from_id_salt("speed")
            .selected_text(speed.label())
            .width(64.0)
            .height(Speed::CHOICES.len() as f32 * row + 2.0 * ui.spacing().menu_margin.sum().y)
            .show_ui(ui, |ui| {
                for s in Speed::CHOICES {
                    ui.selectable_value(&mut speed, s, s.label());
                }
            })
            .response
            .labelled_by(speed_label.id)
            .on_hover_text("Simulated seconds per wall second; max = as fast as the machine allows");
        if speed != input.prefs.speed {
            commands.push(Command::SetSpeed(speed));
        }
        // Padded to its widest ("999 h 59 min 59 s") in a monospace font, so
        // the controls after it do not shift as the clock's text grows.
        ui.label(RichText::new(format!("t = {:<17}", format::sim_clock(input.now_s))).monospace())
            .on_hover_text("Simulated time since the start (or the last reset)");
        if let Some(achieved) = input.lagging {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("running at {} (asked {})", format::speed(achieved), input.prefs.speed.label()),
            )
            .on_hover_text("The engine cannot keep up with the speed asked within the frame budget.");
        } else if input.prefs.speed == Speed::Max && input.running {
            ui.weak(format!("at {}", format::speed(input.achieved)));
        }
        ui.separator();
        let seed_label = ui.label("seed");
        let mut seed = input.seed;
        let r = ui
            .add(egui::DragValue::new(&mut seed).speed(0.2))
            .labelled_by(seed_label.id)
            .on_hover_text("Same seed, same run. A new seed applies at the next reset.");
        if r.changed() {
            commands.push(Command::SetSeed(seed));
        }
        ui.separator();
        spike_ui(ui, input, spike, commands);
        if let Some((per_hour, illustrative)) = input.cost {
            ui.separator();
            let prices = if illustrative {
                "illustrative prices (the file sets no `pricing`): a figure to compare designs by, not a bill"
            } else {
                "the file's `pricing`"
            };
            // Whole, on the next row if it does not fit on this one.
            ui.add(egui::Label::new(format::cost_rate(per_hour)).wrap_mode(egui::TextWrapMode::Extend)).on_hover_text(
                format!(
                    "What the design costs at its instances now and the last window's traffic, at {prices}: \
                 instance-hours, requests billed by use, answers sent to clients. The report's `cost` has the run's."
                ),
            );
        }
        if let Some((readout, details)) = &input.frame_readout {
            ui.separator();
            ui.label(RichText::new(readout).small().monospace()).on_hover_text(details);
        }
    });
}

fn spike_ui(ui: &mut Ui, input: &ToolbarInput<'_>, spike: SpikeChoice<'_>, commands: &mut Vec<Command>) {
    if input.clients.is_empty() {
        return;
    }
    if spike.client.as_ref().is_none_or(|c| !input.clients.contains(c)) {
        *spike.client = input.clients.first().cloned();
    }
    let Some(client) = spike.client.clone() else { return };
    let button =
        ui.add_enabled(input.running || input.can_run, Button::new(RichText::new("Spike").strong())).on_hover_text(
            format!("Multiply {client}'s traffic by {} for {} s of simulated time", spike.factor, spike.secs),
        );
    tour::mark_anchor(ui.ctx(), Anchor::Spike, button.rect);
    if button.clicked() {
        commands.push(Command::Spike { client: client.clone(), factor: *spike.factor, secs: *spike.secs });
    }
    if input.clients.len() > 1 {
        let label = ui.label("on");
        egui::ComboBox::from_id_salt("spike-client")
            .selected_text(&client)
            .show_ui(ui, |ui| {
                for c in &input.clients {
                    ui.selectable_value(spike.client, Some(c.clone()), c);
                }
            })
            .response
            .labelled_by(label.id);
    }
    let x = ui.label("×");
    ui.add(egui::DragValue::new(spike.factor).range(0.0..=1000.0).speed(0.1).max_decimals(1))
        .labelled_by(x.id)
        .on_hover_text("Traffic multiplier");
    let f = ui.label("for");
    ui.add(egui::DragValue::new(spike.secs).range(0.1..=3600.0).speed(0.5).suffix(" s").max_decimals(1))
        .labelled_by(f.id)
        .on_hover_text("Spike length, simulated seconds");
}
