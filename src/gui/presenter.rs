//! Presenter mode's layout: a big canvas with the live plots and the event
//! log beside it, on the side that leaves the canvas the shape of the
//! topology. Designs read left to right are wide (every bundled one is 1.5
//! to 6 times wider than tall), so the plots usually go in a strip under
//! the canvas; a tall design gets them in a column on its right.

use eframe::egui::{Rect, Vec2, vec2};

use super::canvas::SCALE_RANGE;
use super::canvas::geometry::fit_scale;

/// Where the plots and the log go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlotsSide {
    /// A column right of the canvas: plots one under the other, the log under them.
    Right,
    /// A strip under the canvas: plots side by side, the log on their right.
    Bottom,
}

/// The column's width for a window `width` points wide.
pub fn column_width(width: f32) -> f32 {
    (width * 0.25).max(300.0)
}

/// The strip's height for a window `height` points tall.
pub fn strip_height(height: f32) -> f32 {
    (height * 0.3).max(180.0)
}

/// The side that shows `topology` (canvas units) the largest in a window
/// of `window` points; the strip when both are as good.
pub fn plots_side(topology: Rect, window: Vec2) -> PlotsSide {
    let beside = fit_scale(topology.size(), window - vec2(column_width(window.x), 0.0), SCALE_RANGE);
    let under = fit_scale(topology.size(), window - vec2(0.0, strip_height(window.y)), SCALE_RANGE);
    if beside > under { PlotsSide::Right } else { PlotsSide::Bottom }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eframe::egui::pos2;

    #[test]
    fn a_wide_topology_gets_the_plots_under_it_and_a_tall_one_beside_it() {
        let window = vec2(1920.0, 1040.0);
        let wide = Rect::from_min_size(pos2(0.0, 0.0), vec2(1000.0, 420.0));
        assert_eq!(plots_side(wide, window), PlotsSide::Bottom);
        let tall = Rect::from_min_size(pos2(0.0, 0.0), vec2(400.0, 900.0));
        assert_eq!(plots_side(tall, window), PlotsSide::Right);
    }
}
