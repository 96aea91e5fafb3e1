//! Open-loop arrival times: Poisson, constant and on/off bursty processes,
//! shaped by a [`Profile`] and a live multiplier.
//!
//! Time-varying Poisson arrivals use thinning (Lewis & Shedler): candidates
//! come at a bounding rate and are kept with probability rate(t)/bound.
//! Bounds are taken piecewise between the profile's breakpoints, so a
//! spike at minute 30 does not slow the first 30 minutes down.

use rand::RngExt;
use rand_distr::Exp1;

use super::Profile;
use super::rng::SimRng;
use crate::scenario::Arrivals;
use crate::scenario::limits::MAX_RATE_RPS;

/// The highest rate a client ever sends at, requests/s, whatever its base
/// rate, profile, spikes and live multiplier multiply to. Validation refuses
/// files whose peak is higher, so this only clamps live knobs (the rate
/// slider, the spike button); it keeps the gap between arrivals far above
/// the clock's nanosecond, so time always moves.
pub const MAX_EFFECTIVE_RATE_RPS: f64 = MAX_RATE_RPS;

/// The state of one open-loop client's arrival process (times in seconds).
#[derive(Debug, Clone)]
pub struct ArrivalProcess {
    kind: Kind,
    pub profile: Profile,
    /// The live multiplier (the app's rate slider).
    pub multiplier: f64,
}

#[derive(Debug, Clone)]
enum Kind {
    Poisson { rate: f64 },
    Constant { rate: f64 },
    Bursty { rate_on: f64, rate_off: f64, mean_on_s: f64, mean_off_s: f64, on: bool, until: f64 },
}

impl ArrivalProcess {
    /// `None` for closed-loop clients.
    pub fn new(arrivals: &Arrivals, profile: Profile, rng: &mut SimRng) -> Option<ArrivalProcess> {
        let kind = match *arrivals {
            Arrivals::Poisson { rate } => Kind::Poisson { rate },
            Arrivals::Constant { rate } => Kind::Constant { rate },
            Arrivals::Bursty { rate_on, rate_off, mean_on_s, mean_off_s } => {
                // Start in the off state; the first burst comes after an off period.
                let until = exp(rng) * mean_off_s;
                Kind::Bursty { rate_on, rate_off, mean_on_s, mean_off_s, on: false, until }
            }
            Arrivals::Closed { .. } => return None,
        };
        Some(ArrivalProcess { kind, profile, multiplier: 1.0 })
    }

    /// The instantaneous rate at `t` (requests/s), given the current burst state.
    pub fn rate_at(&self, t: f64) -> f64 {
        capped(self.state_rate() * self.profile.factor_at(t) * self.multiplier)
    }

    /// The unshaped rate in the current burst state.
    fn state_rate(&self) -> f64 {
        match self.kind {
            Kind::Poisson { rate } | Kind::Constant { rate } => rate,
            Kind::Bursty { rate_on, rate_off, on, .. } => {
                if on {
                    rate_on
                } else {
                    rate_off
                }
            }
        }
    }

    /// The next arrival strictly after `t`, or `None` if the rate stays zero forever.
    pub fn next_after(&mut self, t: f64, rng: &mut SimRng) -> Option<f64> {
        if self.multiplier <= 0.0 || !self.multiplier.is_finite() {
            return None;
        }
        if let Kind::Constant { .. } = self.kind {
            return self.next_constant(t);
        }
        if self.profile.is_flat()
            && let Kind::Poisson { rate } = self.kind
        {
            let lambda = capped(rate * self.multiplier);
            return (lambda > 0.0).then(|| t + exp(rng) / lambda);
        }
        self.next_thinned(t, rng)
    }

    fn next_constant(&self, t: f64) -> Option<f64> {
        // Step forward through breakpoints until the rate is positive.
        let mut t = t;
        for _ in 0..10_000 {
            let rate = self.rate_at(t);
            if rate > 0.0 {
                return Some(t + 1.0 / rate);
            }
            let next = self.profile.next_breakpoint(t);
            if !next.is_finite() {
                return None;
            }
            t = next;
        }
        None
    }

    fn next_thinned(&mut self, mut t: f64, rng: &mut SimRng) -> Option<f64> {
        // Each pass either returns, moves t forward by a random gap, or to the
        // next segment boundary; the cap only guards against a rate that
        // stays zero with endless boundaries.
        for _ in 0..1_000_000 {
            let burst_end = match self.kind {
                Kind::Bursty { until, .. } => until,
                _ => f64::INFINITY,
            };
            let segment_end = self.profile.next_breakpoint(t).min(burst_end);
            // Capped like `rate_at`, so the bound still bounds it.
            let bound = capped(self.state_rate() * self.profile.max_factor_between(t, segment_end) * self.multiplier);
            if bound > 0.0 {
                let candidate = t + exp(rng) / bound;
                if candidate < segment_end {
                    t = candidate;
                    if rng.random::<f64>() * bound <= self.rate_at(candidate) {
                        return Some(candidate);
                    }
                    continue;
                }
            }
            if !segment_end.is_finite() {
                return None;
            }
            t = segment_end;
            if t >= burst_end {
                self.toggle_burst(rng);
            }
        }
        None
    }

    fn toggle_burst(&mut self, rng: &mut SimRng) {
        if let Kind::Bursty { mean_on_s, mean_off_s, on, until, .. } = &mut self.kind {
            *on = !*on;
            let mean = if *on { *mean_on_s } else { *mean_off_s };
            // A zero-length period would stall time; give it at least 1 µs.
            *until += (exp(rng) * mean).max(1e-6);
        }
    }
}

/// A rate no higher than [`MAX_EFFECTIVE_RATE_RPS`] (NaN counts as 0).
#[inline]
fn capped(rate: f64) -> f64 {
    if rate > 0.0 { rate.min(MAX_EFFECTIVE_RATE_RPS) } else { 0.0 }
}

fn exp(rng: &mut SimRng) -> f64 {
    rng.sample(Exp1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ProfileShape;
    use crate::sim::rng::stream;

    fn count(process: &mut ArrivalProcess, from: f64, to: f64, rng: &mut SimRng) -> usize {
        let mut t = 0.0;
        let mut n = 0;
        while let Some(next) = process.next_after(t, rng) {
            if next >= to {
                break;
            }
            if next >= from {
                n += 1;
            }
            t = next;
        }
        n
    }

    #[test]
    fn a_step_changes_the_poisson_count_by_its_factor() {
        let mut rng = stream(5, "arrivals");
        let profile = Profile::new(vec![ProfileShape::Step { at_s: 100.0, factor: 3.0 }]);
        let mut p =
            ArrivalProcess::new(&Arrivals::Poisson { rate: 100.0 }, profile.clone(), &mut rng).expect("open loop");
        let before = count(&mut p, 0.0, 100.0, &mut rng) as f64;
        let mut p = ArrivalProcess::new(&Arrivals::Poisson { rate: 100.0 }, profile, &mut rng).expect("open loop");
        let after = count(&mut p, 100.0, 200.0, &mut rng) as f64;
        // 10_000 and 30_000 expected; Poisson sd is 100 and 173.
        assert!((before - 10_000.0).abs() < 500.0, "{before}");
        assert!((after - 30_000.0).abs() < 900.0, "{after}");
    }

    #[test]
    fn bursty_traffic_averages_to_its_mean_rate() {
        let mut rng = stream(9, "bursty");
        let arrivals = Arrivals::Bursty { rate_on: 1000.0, rate_off: 0.0, mean_on_s: 1.0, mean_off_s: 3.0 };
        let mut p = ArrivalProcess::new(&arrivals, Profile::default(), &mut rng).expect("open loop");
        let n = count(&mut p, 0.0, 2000.0, &mut rng) as f64;
        let expected = 250.0 * 2000.0;
        // The number of bursts (~500) dominates the variance: ~4.5% sd.
        assert!((n - expected).abs() / expected < 0.15, "{n} vs {expected}");
    }

    #[test]
    fn no_factor_pushes_the_rate_past_the_cap() {
        let mut rng = stream(3, "cap");
        let shapes = vec![
            ProfileShape::Step { at_s: 0.0, factor: 10_000.0 },
            ProfileShape::Spike { start_s: 0.0, duration_s: 10.0, factor: 10_000.0 },
        ];
        let mut p =
            ArrivalProcess::new(&Arrivals::Poisson { rate: 1e7 }, Profile::new(shapes), &mut rng).expect("open loop");
        p.multiplier = 1e6;
        assert_eq!(p.rate_at(1.0), MAX_EFFECTIVE_RATE_RPS);
        // 10,000 arrivals at the cap take about 1 ms, not no time at all.
        let n = count(&mut p, 0.0, 1e-3, &mut rng) as f64;
        assert!((n - 10_000.0).abs() < 500.0, "{n}");
    }

    #[test]
    fn constant_arrivals_are_evenly_spaced() {
        let mut rng = stream(1, "c");
        let mut p =
            ArrivalProcess::new(&Arrivals::Constant { rate: 4.0 }, Profile::default(), &mut rng).expect("open loop");
        assert_eq!(p.next_after(1.0, &mut rng), Some(1.25));
    }
}
