//! The traffic profile at run time: the rate factor at any time, and the
//! largest factor over a stretch of time, which thinning needs.

use crate::scenario::ProfileShape;

/// A client's rate shape over time (everything but the live multiplier).
#[derive(Debug, Clone, Default)]
pub struct Profile {
    shapes: Vec<ProfileShape>,
    /// Times (seconds) where the factor may jump or change slope, sorted.
    breakpoints: Vec<f64>,
    /// Amplitude of the daily curve, if any (its factor is bounded by 1 + a).
    daily_amplitude: f64,
}

impl Profile {
    pub fn new(shapes: Vec<ProfileShape>) -> Profile {
        let mut p = Profile { shapes, ..Profile::default() };
        p.reindex();
        p
    }

    /// Adds a shape (a live spike) and recomputes the breakpoints.
    pub fn push(&mut self, shape: ProfileShape) {
        self.shapes.push(shape);
        self.reindex();
    }

    /// Drops spikes that ended before `t` so live spikes do not pile up.
    pub fn forget_before(&mut self, t: f64) {
        let before = self.shapes.len();
        self.shapes.retain(|s| !s.ended_before(t));
        if self.shapes.len() != before {
            self.reindex();
        }
    }

    fn reindex(&mut self) {
        let mut points = Vec::new();
        self.daily_amplitude = 0.0;
        for s in &self.shapes {
            match *s {
                ProfileShape::Step { at_s, .. } => points.push(at_s),
                ProfileShape::Ramp { start_s, end_s, .. } => points.extend([start_s, end_s]),
                ProfileShape::Spike { start_s, duration_s, .. } => points.extend([start_s, start_s + duration_s]),
                ProfileShape::Daily { amplitude, .. } => self.daily_amplitude += amplitude.abs(),
            }
        }
        points.retain(|p| p.is_finite());
        points.sort_by(f64::total_cmp);
        points.dedup();
        self.breakpoints = points;
    }

    /// True when the factor is 1 at all times (the fast path).
    pub fn is_flat(&self) -> bool {
        self.shapes.is_empty()
    }

    /// The rate factor at time `t` (seconds).
    pub fn factor_at(&self, t: f64) -> f64 {
        self.level_at(t) * self.daily_at(t)
    }

    /// Steps, ramps and spikes, without the daily curve.
    fn level_at(&self, t: f64) -> f64 {
        // Steps and ramps set a level; the latest one to have started wins.
        let mut level = 1.0;
        let mut level_since = f64::NEG_INFINITY;
        let mut spikes = 1.0;
        for s in &self.shapes {
            match *s {
                ProfileShape::Step { at_s, factor } if at_s <= t && at_s >= level_since => {
                    level = factor;
                    level_since = at_s;
                }
                ProfileShape::Ramp { start_s, end_s, from_factor, to_factor }
                    if start_s <= t && start_s >= level_since =>
                {
                    let span = end_s - start_s;
                    let f = if t >= end_s || span <= 0.0 { 1.0 } else { (t - start_s) / span };
                    level = from_factor + (to_factor - from_factor) * f;
                    level_since = start_s;
                }
                ProfileShape::Spike { start_s, duration_s, factor } if t >= start_s && t < start_s + duration_s => {
                    spikes *= factor;
                }
                _ => {}
            }
        }
        level * spikes
    }

    fn daily_at(&self, t: f64) -> f64 {
        let mut f = 1.0;
        for s in &self.shapes {
            if let ProfileShape::Daily { period_s, amplitude, phase_s } = *s
                && period_s > 0.0
            {
                f *= 1.0 + amplitude * (std::f64::consts::TAU * (t - phase_s) / period_s).sin();
            }
        }
        f.max(0.0)
    }

    /// The first breakpoint strictly after `t`, or infinity.
    pub fn next_breakpoint(&self, t: f64) -> f64 {
        let i = self.breakpoints.partition_point(|&b| b <= t);
        self.breakpoints.get(i).copied().unwrap_or(f64::INFINITY)
    }

    /// An upper bound of the factor on `[t0, t1)`, where no breakpoint lies
    /// strictly inside: levels there are constant or linear, so the ends
    /// bound them; the daily curve is bounded by 1 + amplitude.
    pub fn max_factor_between(&self, t0: f64, t1: f64) -> f64 {
        let end = if t1.is_finite() { t1 - 1e-9 } else { t0 };
        let level = self.level_at(t0).max(self.level_at(end.max(t0)));
        level * (1.0 + self.daily_amplitude)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_ramps_and_spikes_combine() {
        let p = Profile::new(vec![
            ProfileShape::Step { at_s: 10.0, factor: 2.0 },
            ProfileShape::Ramp { start_s: 20.0, end_s: 30.0, from_factor: 2.0, to_factor: 4.0 },
            ProfileShape::Spike { start_s: 40.0, duration_s: 5.0, factor: 10.0 },
        ]);
        assert_eq!(p.factor_at(5.0), 1.0);
        assert_eq!(p.factor_at(15.0), 2.0);
        assert_eq!(p.factor_at(25.0), 3.0);
        assert_eq!(p.factor_at(35.0), 4.0);
        assert_eq!(p.factor_at(42.0), 40.0);
        assert_eq!(p.factor_at(45.0), 4.0);
        assert_eq!(p.next_breakpoint(15.0), 20.0);
        assert!(p.max_factor_between(20.0, 30.0) >= 3.99);
    }

    #[test]
    fn daily_curve_swings_around_one() {
        let p = Profile::new(vec![ProfileShape::Daily { period_s: 100.0, amplitude: 0.5, phase_s: 0.0 }]);
        assert!((p.factor_at(25.0) - 1.5).abs() < 1e-9);
        assert!((p.factor_at(75.0) - 0.5).abs() < 1e-9);
        assert!(p.max_factor_between(0.0, f64::INFINITY) >= 1.5);
    }
}
