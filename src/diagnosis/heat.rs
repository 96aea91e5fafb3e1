//! How hot a node is: utilisation smoothed over about a second, turned into
//! calm / warm / hot with hysteresis so the tint warns early and does not
//! flicker around a threshold. Pure, below the app, so the app's canvas and
//! the exported canvas pictures (`export`) tint a node by the same rule.

/// The status tint of a node that is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum HeatLevel {
    #[default]
    Calm,
    Warm,
    Hot,
}

/// Utilisation at which a calm node turns warm, and below which it calms down again.
const WARM_ENTER: f64 = 0.70;
const WARM_LEAVE: f64 = 0.62;
/// Utilisation at which a warm node turns hot, and below which it cools to warm.
const HOT_ENTER: f64 = 0.90;
const HOT_LEAVE: f64 = 0.82;
/// Time constant of the smoothing, wall seconds.
const SMOOTHING_S: f64 = 0.75;

/// Smoothed utilisation and the level it implies.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Heat {
    smoothed: Option<f64>,
    level: HeatLevel,
}

impl Heat {
    /// Feeds the utilisation seen now, `wall_dt_s` after the previous sample.
    pub fn update(&mut self, utilisation: f64, wall_dt_s: f64) {
        let u = if utilisation.is_finite() { utilisation.clamp(0.0, 1.0) } else { 0.0 };
        let smoothed = match self.smoothed {
            None => u,
            Some(prev) => {
                let alpha = 1.0 - (-wall_dt_s.max(0.0) / SMOOTHING_S).exp();
                prev + alpha * (u - prev)
            }
        };
        self.smoothed = Some(smoothed);
        self.level = next_level(self.level, smoothed);
    }

    pub fn smoothed(&self) -> f64 {
        self.smoothed.unwrap_or(0.0)
    }

    pub fn level(&self) -> HeatLevel {
        self.level
    }
}

/// The level after seeing `u`, given the current one: thresholds to go up
/// are higher than thresholds to come down.
pub fn next_level(current: HeatLevel, u: f64) -> HeatLevel {
    match current {
        HeatLevel::Calm if u >= HOT_ENTER => HeatLevel::Hot,
        HeatLevel::Calm if u >= WARM_ENTER => HeatLevel::Warm,
        HeatLevel::Calm => HeatLevel::Calm,
        HeatLevel::Warm if u >= HOT_ENTER => HeatLevel::Hot,
        HeatLevel::Warm if u < WARM_LEAVE => HeatLevel::Calm,
        HeatLevel::Warm => HeatLevel::Warm,
        HeatLevel::Hot if u < WARM_LEAVE => HeatLevel::Calm,
        HeatLevel::Hot if u < HOT_LEAVE => HeatLevel::Warm,
        HeatLevel::Hot => HeatLevel::Hot,
    }
}

/// The level implied by the share of requests failing at the node itself.
pub fn error_level(local_failure_ratio: f64) -> HeatLevel {
    if local_failure_ratio >= 0.05 {
        HeatLevel::Hot
    } else if local_failure_ratio >= 0.005 {
        HeatLevel::Warm
    } else {
        HeatLevel::Calm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hysteresis_keeps_the_level_near_a_threshold() {
        let mut level = HeatLevel::Calm;
        for u in [0.69, 0.71, 0.66, 0.71, 0.66] {
            level = next_level(level, u);
        }
        assert_eq!(level, HeatLevel::Warm, "0.66 is not low enough to calm down");
        level = next_level(level, 0.6);
        assert_eq!(level, HeatLevel::Calm);
        level = next_level(level, 0.95);
        assert_eq!(level, HeatLevel::Hot);
        level = next_level(level, 0.85);
        assert_eq!(level, HeatLevel::Hot, "0.85 is not low enough to cool down");
        level = next_level(level, 0.8);
        assert_eq!(level, HeatLevel::Warm);
    }

    #[test]
    fn smoothing_ignores_a_single_spike_but_follows_a_trend() {
        let mut heat = Heat::default();
        heat.update(0.3, 0.0);
        heat.update(1.0, 1.0 / 60.0);
        assert_eq!(heat.level(), HeatLevel::Calm, "one busy frame is not saturation");
        for _ in 0..120 {
            heat.update(0.95, 1.0 / 60.0);
        }
        assert_eq!(heat.level(), HeatLevel::Hot);
        assert!(heat.smoothed() > 0.9);
    }

    #[test]
    fn failing_requests_raise_the_level() {
        assert_eq!(error_level(0.0), HeatLevel::Calm);
        assert_eq!(error_level(0.01), HeatLevel::Warm);
        assert_eq!(error_level(0.2), HeatLevel::Hot);
    }
}
