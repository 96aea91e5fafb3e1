//! Colours with a meaning: the status tints of nodes, edge and failure
//! colours, in a dark and a light variant. The canvas asks this module, so
//! a colour means the same thing everywhere.

use eframe::egui::{self, Color32, Visuals};
use serde::{Deserialize, Serialize};

use super::live::HeatLevel;

/// The theme the user picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ThemeChoice {
    #[default]
    Dark,
    Light,
}

impl ThemeChoice {
    pub fn toggled(self) -> Self {
        match self {
            ThemeChoice::Dark => ThemeChoice::Light,
            ThemeChoice::Light => ThemeChoice::Dark,
        }
    }

    pub fn egui_theme(self) -> egui::Theme {
        match self {
            ThemeChoice::Dark => egui::Theme::Dark,
            ThemeChoice::Light => egui::Theme::Light,
        }
    }
}

/// The meaningful colours of one theme.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    pub canvas_bg: Color32,
    pub grid: Color32,
    pub node_fill: Color32,
    pub node_text: Color32,
    pub node_subtext: Color32,
    pub calm: Color32,
    pub warm: Color32,
    pub hot: Color32,
    pub down: Color32,
    pub selection: Color32,
    pub edge: Color32,
    pub failure: Color32,
    pub ok_dot: Color32,
    pub handle: Color32,
}

impl Palette {
    pub fn of(dark_mode: bool) -> Palette {
        if dark_mode {
            Palette {
                canvas_bg: Color32::from_rgb(24, 26, 30),
                grid: Color32::from_rgb(36, 39, 45),
                node_fill: Color32::from_rgb(40, 44, 52),
                node_text: Color32::from_rgb(235, 235, 240),
                node_subtext: Color32::from_rgb(160, 165, 175),
                calm: Color32::from_rgb(70, 160, 120),
                warm: Color32::from_rgb(235, 170, 50),
                hot: Color32::from_rgb(230, 75, 60),
                down: Color32::from_rgb(110, 110, 115),
                selection: Color32::from_rgb(90, 160, 255),
                edge: Color32::from_rgb(110, 125, 150),
                failure: Color32::from_rgb(240, 80, 70),
                ok_dot: Color32::from_rgb(150, 210, 255),
                handle: Color32::from_rgb(90, 160, 255),
            }
        } else {
            Palette {
                canvas_bg: Color32::from_rgb(246, 247, 249),
                grid: Color32::from_rgb(230, 232, 236),
                node_fill: Color32::from_rgb(255, 255, 255),
                node_text: Color32::from_rgb(25, 28, 35),
                node_subtext: Color32::from_rgb(95, 100, 110),
                calm: Color32::from_rgb(40, 140, 95),
                warm: Color32::from_rgb(215, 140, 20),
                hot: Color32::from_rgb(205, 50, 40),
                down: Color32::from_rgb(150, 150, 155),
                selection: Color32::from_rgb(30, 110, 230),
                edge: Color32::from_rgb(130, 140, 160),
                failure: Color32::from_rgb(215, 45, 35),
                ok_dot: Color32::from_rgb(40, 120, 220),
                handle: Color32::from_rgb(30, 110, 230),
            }
        }
    }

    /// The outline/tint colour of a node's status.
    pub fn heat(&self, level: HeatLevel) -> Color32 {
        match level {
            HeatLevel::Calm => self.calm,
            HeatLevel::Warm => self.warm,
            HeatLevel::Hot => self.hot,
        }
    }
}

/// Applies the theme and a slightly larger default text size (readable on
/// a projector) to the context.
pub fn apply(ctx: &egui::Context, choice: ThemeChoice) {
    ctx.set_theme(choice.egui_theme());
    let visuals = match choice {
        ThemeChoice::Dark => Visuals::dark(),
        ThemeChoice::Light => Visuals::light(),
    };
    ctx.set_visuals_of(choice.egui_theme(), visuals);
}
