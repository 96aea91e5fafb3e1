//! The moving dots along edges: the "it's alive" cue. Each edge spawns
//! dots in proportion to its flow, scaled so the busiest edge gets at most
//! eight a second (100k rps must not mean 100k dots), red in the share
//! of its failures. Dots stand still while paused. Gaps between dots are
//! random (a Poisson stream) and each dot has its own pace, so a quiet edge
//! never looks like a dotted line; a slower link (more latency) has slower
//! dots. The randomness is a seeded generator: the same every run.

/// Wall seconds a dot takes to cross an edge with no latency.
const TRAVEL_S: f32 = 1.1;
/// Dots per wall second on the busiest edge, at most.
const MAX_SPAWN_PER_S: f64 = 8.0;
/// Dots alive at once, at most, over all edges.
const MAX_DOTS: usize = 1_500;

/// One dot: how far along its edge, and whether it carries a failure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dot {
    pub t: f32,
    pub failed: bool,
    /// Its own pace, around 1.
    pub pace: f32,
}

/// What one edge carries now.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FlowInput {
    /// Requests per simulated second.
    pub rate_rps: f64,
    /// Share of them answered with a failure.
    pub error_ratio: f64,
    /// The link's mean one-way latency, ms.
    pub latency_ms: f64,
}

/// Wall seconds to cross an edge of `latency_ms`: a little longer for each
/// tenfold of latency, so a cross-ocean link is visibly slower than a rack
/// link while both stay watchable.
pub fn travel_s(latency_ms: f64) -> f32 {
    let decades = (1.0 + latency_ms.max(0.0)).log10() as f32;
    (TRAVEL_S * (1.0 + 0.35 * decades)).clamp(TRAVEL_S, 3.0)
}

#[derive(Debug, Clone, Default)]
struct EdgeDots {
    dots: Vec<Dot>,
    spawn_acc: f64,
    /// The next gap between dots, in expected dots (exponential, mean 1).
    next_gap: f64,
    fail_acc: f64,
    /// Dots spawned since the start.
    spawned: u64,
}

/// The dots of every edge, indexed like the edges.
#[derive(Debug, Clone, Default)]
pub struct TrafficDots {
    edges: Vec<EdgeDots>,
    rng: u64,
}

impl TrafficDots {
    /// A uniform draw in [0, 1) from a `SplitMix64` stream.
    fn uniform(&mut self) -> f64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

impl TrafficDots {
    /// Moves the dots `wall_dt_s` forward and spawns new ones, for flows
    /// seen at a simulation speed of `speed` simulated seconds per wall second.
    pub fn advance(&mut self, flows: &[FlowInput], speed: f64, wall_dt_s: f64) {
        self.edges.resize_with(flows.len(), || EdgeDots { next_gap: 1.0, ..EdgeDots::default() });
        let dt = wall_dt_s.max(0.0) as f32;
        for (e, f) in self.edges.iter_mut().zip(flows) {
            let step = dt / travel_s(f.latency_ms);
            for d in &mut e.dots {
                d.t += step * d.pace;
            }
            e.dots.retain(|d| d.t < 1.0);
        }
        let per_wall_s = |f: &FlowInput| (f.rate_rps.max(0.0) * speed.max(0.0)).max(0.0);
        let busiest = flows.iter().map(per_wall_s).fold(0.0, f64::max);
        if busiest <= 0.0 {
            return;
        }
        let scale = (MAX_SPAWN_PER_S / busiest).min(1.0);
        let mut alive: usize = self.edges.iter().map(|e| e.dots.len()).sum();
        for (i, &f) in flows.iter().enumerate() {
            let step = dt / travel_s(f.latency_ms);
            let expected = per_wall_s(&f) * scale * wall_dt_s.max(0.0);
            self.edges[i].spawn_acc += expected;
            while self.edges[i].spawn_acc >= self.edges[i].next_gap {
                let gap = -(1.0 - self.uniform()).ln();
                let pace = 0.8 + 0.4 * self.uniform() as f32;
                let e = &mut self.edges[i];
                e.spawn_acc -= e.next_gap;
                e.next_gap = gap;
                e.spawned += 1;
                e.fail_acc += f.error_ratio.clamp(0.0, 1.0);
                let failed = e.fail_acc >= 1.0;
                if failed {
                    e.fail_acc -= 1.0;
                }
                if alive < MAX_DOTS {
                    // Dots due earlier in a long frame are already on their way.
                    let t = ((e.spawn_acc / expected.max(1e-9)).min(1.0) as f32 * step * pace).min(0.99);
                    e.dots.push(Dot { t, failed, pace });
                    alive += 1;
                }
            }
        }
    }

    /// The dots of edge `i`.
    pub fn dots(&self, i: usize) -> &[Dot] {
        self.edges.get(i).map_or(&[], |e| e.dots.as_slice())
    }

    /// Dots edge `i` has spawned since the start.
    pub fn spawned(&self, i: usize) -> u64 {
        self.edges.get(i).map_or(0, |e| e.spawned)
    }

    pub fn total(&self) -> usize {
        self.edges.iter().map(|e| e.dots.len()).sum()
    }

    pub fn clear(&mut self) {
        self.edges.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(flows: &[FlowInput], speed: f64, secs: f64) -> TrafficDots {
        let mut dots = TrafficDots::default();
        let frames = (secs * 60.0) as usize;
        for _ in 0..frames {
            dots.advance(flows, speed, 1.0 / 60.0);
        }
        dots
    }

    #[test]
    fn dots_are_proportional_to_flow_and_bounded() {
        let flows = [
            FlowInput { rate_rps: 100_000.0, error_ratio: 0.0, latency_ms: 1.0 },
            FlowInput { rate_rps: 25_000.0, error_ratio: 0.0, latency_ms: 1.0 },
        ];
        let dots = run(&flows, 1.0, 20.0);
        let alive = dots.dots(0).len() as f64;
        assert!(alive <= MAX_SPAWN_PER_S * f64::from(TRAVEL_S) * 3.0, "{alive}");
        let busy = dots.spawned(0) as f64;
        let quiet = dots.spawned(1) as f64;
        let expected = MAX_SPAWN_PER_S * 20.0;
        assert!((busy - expected).abs() <= 4.0 * expected.sqrt(), "{busy}");
        assert!((busy / quiet - 4.0).abs() < 1.5, "{busy} vs {quiet}");
    }

    #[test]
    fn a_quiet_edge_shows_about_each_request_at_uneven_gaps() {
        let flows = [FlowInput { rate_rps: 2.0, error_ratio: 0.0, latency_ms: 0.0 }];
        let dots = run(&flows, 1.0, 30.0);
        let n = dots.spawned(0) as f64;
        assert!((n - 60.0).abs() < 25.0, "{n}");
        let alive = dots.dots(0);
        let mut ts: Vec<f32> = alive.iter().map(|d| d.t).collect();
        ts.sort_by(f32::total_cmp);
        let gaps: Vec<f32> = ts.windows(2).map(|w| w[1] - w[0]).collect();
        let spread = gaps.iter().copied().fold(0.0, f32::max) - gaps.iter().copied().fold(1.0, f32::min);
        assert!(gaps.len() < 2 || spread > 0.05, "not a dotted line: {ts:?}");
    }

    #[test]
    fn dots_on_a_slow_link_travel_slower() {
        assert!(travel_s(70.0) > travel_s(1.0));
        assert_eq!(travel_s(0.0), TRAVEL_S);
        assert!(travel_s(1e9) <= 3.0);
    }

    #[test]
    fn failures_are_red_in_their_share() {
        let flows = [FlowInput { rate_rps: 1_000.0, error_ratio: 0.25, latency_ms: 0.0 }];
        let mut dots = TrafficDots::default();
        let mut red = 0;
        let mut all = 0;
        for _ in 0..1200 {
            let before: Vec<Dot> = dots.dots(0).to_vec();
            dots.advance(&flows, 1.0, 1.0 / 60.0);
            let survivors = before.iter().filter(|d| d.t + ((1.0f64 / 60.0) as f32 / TRAVEL_S) * d.pace < 1.0).count();
            let new = &dots.dots(0)[survivors..];
            red += new.iter().filter(|d| d.failed).count();
            all += new.len();
        }
        assert!(all > 50);
        assert!(((red as f64 / all as f64) - 0.25).abs() < 0.03, "{red}/{all}");
    }

    #[test]
    fn no_flow_means_no_new_dots() {
        let dots = run(&[FlowInput::default()], 1.0, 2.0);
        assert_eq!(dots.total(), 0);
    }
}
