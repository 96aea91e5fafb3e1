//! Where the window opens the first time: sized to the monitor, not at a
//! fixed 1280×800 that leaves a large screen half empty and crowds the
//! canvas. Later starts reopen the window where the user left it (eframe
//! keeps its geometry).

use eframe::egui::{Pos2, Vec2, pos2};

/// The share of the monitor the first window takes: nearly all of it, with
/// room for the title bar and a task bar.
const MONITOR_SHARE: f32 = 0.9;

/// The outer position and inner size, points, of the first window on a
/// monitor of `monitor_size` points: centred, [`MONITOR_SHARE`] of it.
pub fn first_placement(monitor_size: Vec2) -> (Pos2, Vec2) {
    let size = (monitor_size * MONITOR_SHARE).round();
    let margin = ((monitor_size - size) / 2.0).round();
    (pos2(margin.x, margin.y), size)
}

#[cfg(test)]
mod tests {
    use super::*;
    use eframe::egui::vec2;

    #[test]
    fn the_first_window_nearly_fills_the_monitor_centred() {
        let (pos, size) = first_placement(vec2(1920.0, 1080.0));
        assert_eq!(size, vec2(1728.0, 972.0));
        assert_eq!(pos, pos2(96.0, 54.0));
    }
}
