//! Colours with a meaning: the status tints of nodes, edge and failure
//! colours, in a dark and a light variant. The canvas asks this module, so
//! a colour means the same thing everywhere. Also the text sizes and the
//! text colours of both themes, chosen to be read on a projector: every
//! text colour reaches a 4.5:1 contrast (WCAG AA) with what it is drawn on,
//! which the tests below compute.

use std::collections::BTreeMap;

use eframe::egui::{self, Color32, FontFamily, FontId, TextStyle, Visuals};
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
    /// The box of a node that is down (its name is `node_subtext` on it).
    pub down_fill: Color32,
    /// "DOWN" on `down_fill`.
    pub down_text: Color32,
    pub selection: Color32,
    pub edge: Color32,
    pub failure: Color32,
    /// Answers a fallback gave instead of failing: yellow, apart from the
    /// failure red and the amber of a queue (and of the warnings), readable
    /// as text and as a plot line on the theme's background.
    pub degraded: Color32,
    /// The fill of a degraded badge, under black text.
    pub degraded_badge: Color32,
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
                down_fill: Color32::from_rgb(52, 53, 57),
                down_text: Color32::from_rgb(255, 120, 110),
                selection: Color32::from_rgb(90, 160, 255),
                edge: Color32::from_rgb(110, 125, 150),
                failure: Color32::from_rgb(240, 80, 70),
                degraded: Color32::from_rgb(232, 212, 64),
                degraded_badge: Color32::from_rgb(232, 212, 64),
                ok_dot: Color32::from_rgb(150, 210, 255),
                handle: Color32::from_rgb(90, 160, 255),
            }
        } else {
            Palette {
                canvas_bg: Color32::from_rgb(246, 247, 249),
                grid: Color32::from_rgb(230, 232, 236),
                node_fill: Color32::from_rgb(255, 255, 255),
                node_text: Color32::from_rgb(25, 28, 35),
                node_subtext: Color32::from_rgb(85, 90, 100),
                calm: Color32::from_rgb(40, 140, 95),
                warm: Color32::from_rgb(215, 140, 20),
                hot: Color32::from_rgb(205, 50, 40),
                down: Color32::from_rgb(150, 150, 155),
                down_fill: Color32::from_rgb(226, 227, 230),
                down_text: Color32::from_rgb(175, 30, 25),
                selection: Color32::from_rgb(30, 110, 230),
                edge: Color32::from_rgb(130, 140, 160),
                failure: Color32::from_rgb(215, 45, 35),
                degraded: Color32::from_rgb(118, 100, 0),
                degraded_badge: Color32::from_rgb(250, 222, 80),
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

/// `color` darkened just enough for white text on it to be read (4.5:1):
/// the fill of badges, the bottleneck mark and the canvas banner, which keep
/// their meaning's hue (red, orange, blue) in both themes.
pub fn white_text_fill(color: Color32) -> Color32 {
    let mut fill = color;
    for step in 1..=20u8 {
        if contrast_ratio(Color32::WHITE, fill) >= 4.6 {
            break;
        }
        fill = color.lerp_to_gamma(Color32::BLACK, f32::from(step) * 0.05);
    }
    fill
}

/// WCAG's contrast ratio of two opaque colours, 1 to 21: text needs 4.5
/// (AA), large text 3.
pub fn contrast_ratio(a: Color32, b: Color32) -> f32 {
    let (la, lb) = (relative_luminance(a), relative_luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// WCAG's relative luminance of an sRGB colour, 0 (black) to 1 (white).
fn relative_luminance(c: Color32) -> f32 {
    let linear = |v: u8| {
        let v = f32::from(v) / 255.0;
        if v <= 0.040_45 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * linear(c.r()) + 0.7152 * linear(c.g()) + 0.0722 * linear(c.b())
}

/// How much larger presenter mode makes the panels' text.
pub const PRESENTER_TEXT_SCALE: f32 = 1.2;

/// The text sizes, points at 100 % zoom, times `scale`. egui's defaults
/// (small text 9, body 13) are too small for a room; these keep the small
/// text (plot titles, the verdict's details, the log's times) at 11.5.
fn text_styles(scale: f32) -> BTreeMap<TextStyle, FontId> {
    [
        (TextStyle::Small, FontId::new(11.5 * scale, FontFamily::Proportional)),
        (TextStyle::Body, FontId::new(14.0 * scale, FontFamily::Proportional)),
        (TextStyle::Button, FontId::new(14.0 * scale, FontFamily::Proportional)),
        (TextStyle::Heading, FontId::new(20.0 * scale, FontFamily::Proportional)),
        (TextStyle::Monospace, FontId::new(13.5 * scale, FontFamily::Monospace)),
    ]
    .into()
}

/// egui's visuals of a theme with its text colours made readable: egui's
/// weak text (60 % of the text colour) reaches only about 3:1, its light
/// theme's warning orange and hyperlink blue less, and the dark theme's
/// pure red error text 4.3:1.
pub fn visuals(choice: ThemeChoice) -> Visuals {
    match choice {
        ThemeChoice::Dark => {
            let mut v = Visuals::dark();
            v.widgets.noninteractive.fg_stroke.color = Color32::from_gray(190);
            v.weak_text_color = Some(Color32::from_gray(145));
            v.error_fg_color = Color32::from_rgb(255, 95, 85);
            v
        }
        ThemeChoice::Light => {
            let mut v = Visuals::light();
            v.widgets.noninteractive.fg_stroke.color = Color32::from_gray(40);
            v.weak_text_color = Some(Color32::from_gray(95));
            v.warn_fg_color = Color32::from_rgb(170, 80, 0);
            v.error_fg_color = Color32::from_rgb(195, 25, 25);
            v.hyperlink_color = Color32::from_rgb(0, 95, 190);
            v
        }
    }
}

/// Applies the theme and the text sizes to the context; presenter mode's
/// text is [`PRESENTER_TEXT_SCALE`] times larger.
pub fn apply(ctx: &egui::Context, choice: ThemeChoice, presenter: bool) {
    ctx.set_theme(choice.egui_theme());
    ctx.set_visuals_of(choice.egui_theme(), visuals(choice));
    let styles = text_styles(if presenter { PRESENTER_TEXT_SCALE } else { 1.0 });
    ctx.all_styles_mut(|style| style.text_styles.clone_from(&styles));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A colour egui may draw translucent (premultiplied), as seen on `bg`.
    fn over(fg: Color32, bg: Color32) -> Color32 {
        let keep = 1.0 - f32::from(fg.a()) / 255.0;
        let mix = |f: u8, b: u8| (f32::from(f) + f32::from(b) * keep).round().min(255.0) as u8;
        Color32::from_rgb(mix(fg.r(), bg.r()), mix(fg.g(), bg.g()), mix(fg.b(), bg.b()))
    }

    #[test]
    fn the_contrast_ratio_is_wcags() {
        assert!((contrast_ratio(Color32::BLACK, Color32::WHITE) - 21.0).abs() < 0.01);
        assert!((contrast_ratio(Color32::WHITE, Color32::WHITE) - 1.0).abs() < 1e-6);
        // #767676 on white is the classic 4.54:1.
        assert!((contrast_ratio(Color32::from_gray(0x76), Color32::WHITE) - 4.54).abs() < 0.01);
    }

    /// Every text colour of both themes reads at 4.5:1 or more on every
    /// background it is drawn on: panels, windows, text fields, the canvas
    /// and the node boxes.
    #[test]
    fn every_text_colour_has_enough_contrast_in_both_themes() {
        let mut failures = Vec::new();
        for choice in [ThemeChoice::Dark, ThemeChoice::Light] {
            let v = visuals(choice);
            let pal = Palette::of(choice == ThemeChoice::Dark);
            let texts = [
                ("text", v.text_color()),
                ("weak text", v.weak_text_color()),
                ("warning", v.warn_fg_color),
                ("error", v.error_fg_color),
                ("link", v.hyperlink_color),
            ];
            let backgrounds = [
                ("panel", v.panel_fill),
                ("window", v.window_fill),
                ("text field", v.text_edit_bg_color()),
                ("striped row", over(v.faint_bg_color, v.panel_fill)),
            ];
            let mut pairs: Vec<(String, Color32, Color32)> = Vec::new();
            for (t, fg) in texts {
                for (b, bg) in backgrounds {
                    pairs.push((format!("{t} on {b}"), over(fg, bg), bg));
                }
            }
            pairs.extend([
                ("node name".into(), pal.node_text, pal.node_fill),
                ("node numbers".into(), pal.node_subtext, pal.node_fill),
                ("down node's name".into(), pal.node_subtext, pal.down_fill),
                ("DOWN".into(), pal.down_text, pal.down_fill),
                ("failure reasons under a node".into(), pal.failure, pal.canvas_bg),
                ("degraded answers under a node".into(), pal.degraded, pal.canvas_bg),
                ("queue badge".into(), Color32::BLACK, pal.warm),
                ("degraded badge".into(), Color32::BLACK, pal.degraded_badge),
            ]);
            for (b, bg) in backgrounds {
                pairs.push((format!("degraded on {b}"), pal.degraded, bg));
            }
            for (what, color) in
                [("error badge", pal.failure), ("bottleneck", pal.hot), ("banner", pal.selection), ("banner", pal.warm)]
            {
                pairs.push((what.into(), Color32::WHITE, white_text_fill(color)));
            }
            for (what, fg, bg) in pairs {
                let ratio = contrast_ratio(fg, bg);
                if ratio < 4.5 {
                    failures.push(format!("{choice:?}: {what}: {ratio:.2}:1 ({fg:?} on {bg:?})"));
                }
            }
        }
        assert!(failures.is_empty(), "too little contrast:\n{}", failures.join("\n"));
        // What the overrides are for: egui's own light weak text fails.
        let egui_light = Visuals::light();
        assert!(contrast_ratio(over(egui_light.weak_text_color(), egui_light.panel_fill), egui_light.panel_fill) < 4.5);
    }

    /// Degraded answers are yellow in both themes: far from the failure
    /// red, and from the amber of a queue badge and the warnings' orange.
    #[test]
    fn degraded_is_amber_not_the_failure_red() {
        // The hue of the sRGB values, degrees, as a colour picker shows it.
        fn hue(c: Color32) -> f32 {
            let [r, g, b] = [c.r(), c.g(), c.b()].map(|v| f32::from(v) / 255.0);
            let (max, min) = (r.max(g).max(b), r.min(g).min(b));
            let d = (max - min).max(f32::EPSILON);
            let h = if max == r {
                ((g - b) / d).rem_euclid(6.0)
            } else if max == g {
                (b - r) / d + 2.0
            } else {
                (r - g) / d + 4.0
            };
            h * 60.0
        }
        for choice in [ThemeChoice::Dark, ThemeChoice::Light] {
            let pal = Palette::of(choice == ThemeChoice::Dark);
            let v = visuals(choice);
            for (what, c) in [("degraded", pal.degraded), ("degraded badge", pal.degraded_badge)] {
                let h = hue(c);
                assert!((45.0..=60.0).contains(&h), "{choice:?}: {what} hue {h}");
                assert!(h - hue(pal.failure) > 30.0, "{choice:?}: {what} too close to the failure red");
                assert!(h - hue(pal.warm) > 8.0, "{choice:?}: {what} too close to a queue's amber");
                assert!(h - hue(v.warn_fg_color) > 15.0, "{choice:?}: {what} too close to the warnings' orange");
            }
        }
    }

    #[test]
    fn text_is_readable_by_default_and_larger_for_a_projector() {
        let normal = text_styles(1.0);
        assert!(normal.values().all(|f| f.size >= 11.0), "{normal:?}");
        let presenter = text_styles(PRESENTER_TEXT_SCALE);
        assert!(presenter[&TextStyle::Body].size > normal[&TextStyle::Body].size);
    }
}
