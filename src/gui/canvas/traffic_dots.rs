//! The moving dots along edges: the "it's alive" cue. Each edge spawns
//! dots in proportion to its flow, scaled so the busiest edge gets at most
//! five a second (100k rps must not mean 100k dots), red in the share
//! of its failures. Dots stand still while paused. No randomness: spawning
//! is an accumulator, so the picture is the same every run.

/// Wall seconds a dot takes to cross an edge.
const TRAVEL_S: f32 = 1.1;
/// Dots per wall second on the busiest edge, at most.
const MAX_SPAWN_PER_S: f64 = 5.0;
/// Dots alive at once, at most, over all edges.
const MAX_DOTS: usize = 1_500;

/// One dot: how far along its edge, and whether it carries a failure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dot {
    pub t: f32,
    pub failed: bool,
}

/// What one edge carries now.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FlowInput {
    /// Requests per simulated second.
    pub rate_rps: f64,
    /// Share of them answered with a failure.
    pub error_ratio: f64,
}

#[derive(Debug, Clone, Default)]
struct EdgeDots {
    dots: Vec<Dot>,
    spawn_acc: f64,
    fail_acc: f64,
    /// Dots spawned since the start.
    spawned: u64,
}

/// The dots of every edge, indexed like the edges.
#[derive(Debug, Clone, Default)]
pub struct TrafficDots {
    edges: Vec<EdgeDots>,
}

impl TrafficDots {
    /// Moves the dots `wall_dt_s` forward and spawns new ones, for flows
    /// seen at a simulation speed of `speed` simulated seconds per wall second.
    pub fn advance(&mut self, flows: &[FlowInput], speed: f64, wall_dt_s: f64) {
        self.edges.resize_with(flows.len(), EdgeDots::default);
        let step = (wall_dt_s.max(0.0) as f32) / TRAVEL_S;
        for e in &mut self.edges {
            for d in &mut e.dots {
                d.t += step;
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
        for (e, f) in self.edges.iter_mut().zip(flows) {
            e.spawn_acc += per_wall_s(f) * scale * wall_dt_s.max(0.0);
            while e.spawn_acc >= 1.0 {
                e.spawn_acc -= 1.0;
                e.spawned += 1;
                e.fail_acc += f.error_ratio.clamp(0.0, 1.0);
                let failed = e.fail_acc >= 1.0;
                if failed {
                    e.fail_acc -= 1.0;
                }
                if alive < MAX_DOTS {
                    // Spread dots spawned in one long frame along the edge.
                    let t = (e.spawn_acc as f32 * step).min(0.99);
                    e.dots.push(Dot { t, failed });
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
        let flows =
            [FlowInput { rate_rps: 100_000.0, error_ratio: 0.0 }, FlowInput { rate_rps: 25_000.0, error_ratio: 0.0 }];
        let dots = run(&flows, 1.0, 20.0);
        let alive = dots.dots(0).len() as f64;
        assert!(alive <= MAX_SPAWN_PER_S * TRAVEL_S as f64 + 1.0, "{alive}");
        let busy = dots.spawned(0) as f64;
        let quiet = dots.spawned(1) as f64;
        assert!((busy - MAX_SPAWN_PER_S * 20.0).abs() <= 1.0, "{busy}");
        assert!((busy / quiet - 4.0).abs() < 0.2, "{busy} vs {quiet}");
    }

    #[test]
    fn a_quiet_edge_shows_each_request() {
        let flows = [FlowInput { rate_rps: 2.0, error_ratio: 0.0 }];
        let dots = run(&flows, 1.0, 0.9);
        assert_eq!(dots.dots(0).len(), 1);
    }

    #[test]
    fn failures_are_red_in_their_share() {
        let flows = [FlowInput { rate_rps: 1_000.0, error_ratio: 0.25 }];
        let mut dots = TrafficDots::default();
        let mut red = 0;
        let mut all = 0;
        for _ in 0..1200 {
            let before: Vec<Dot> = dots.dots(0).to_vec();
            dots.advance(&flows, 1.0, 1.0 / 60.0);
            let spawned = dots.dots(0).len() + before.iter().filter(|d| d.t + 1.0 / 60.0 / TRAVEL_S >= 1.0).count()
                - before.len();
            let new = &dots.dots(0)[dots.dots(0).len() - spawned..];
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
