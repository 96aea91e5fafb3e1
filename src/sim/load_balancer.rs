//! Target selection for a load balancer. The balancer only sees what a
//! real one sees: its own count of open requests per target, and which
//! targets its health checks have marked down.

use rand::RngExt;

use super::rng::{SimRng, fnv1a, splitmix64};
use crate::scenario::LbPolicy;

/// Virtual points per target on the consistent-hash ring: enough for an
/// even spread over a handful of targets.
const RING_POINTS_PER_TARGET: u32 = 64;

/// A load balancer's selection state.
#[derive(Debug, Clone, Default)]
pub struct Balancer {
    pub policy: LbPolicy,
    /// Requests sent to each target and not yet answered.
    pub open: Vec<u32>,
    next_round_robin: usize,
    /// Cumulative weights for the weighted policy.
    cumulative_weights: Vec<f64>,
    /// (hash, target) sorted by hash.
    ring: Vec<(u64, usize)>,
    /// `Nearest`: how far each target is from the client of the request
    /// being routed (its one-way latency, ms), set before each pick.
    pub distances: Vec<f64>,
    /// A global (DNS-style) balancer: see `Areas::is_global_balancer`.
    pub global: bool,
}

impl Balancer {
    /// `target_names` name the targets in edge order (they seed the ring).
    pub fn new(policy: LbPolicy, target_names: &[&str], weights: &[f64]) -> Balancer {
        let cumulative_weights = cumulative(weights);
        let mut ring: Vec<(u64, usize)> = target_names
            .iter()
            .enumerate()
            .flat_map(|(t, name)| {
                (0..RING_POINTS_PER_TARGET).map(move |v| (splitmix64(fnv1a(name.as_bytes()) ^ u64::from(v)), t))
            })
            .collect();
        ring.sort_unstable();
        Balancer {
            policy,
            open: vec![0; target_names.len()],
            next_round_robin: 0,
            cumulative_weights,
            ring,
            distances: Vec::new(),
            global: false,
        }
    }

    /// New weights (edge order) from now on; open counts, the rotation and
    /// the ring are kept, so a live weight change moves no key.
    pub fn set_weights(&mut self, weights: &[f64]) {
        self.cumulative_weights = cumulative(weights);
    }

    /// Picks a target index among those `healthy` says are up, or `None`.
    pub fn pick(&mut self, key: u64, healthy: impl Fn(usize) -> bool, rng: &mut SimRng) -> Option<usize> {
        let n = self.open.len();
        if n == 0 {
            return None;
        }
        let pick = match self.policy {
            crate::scenario::LbPolicy::RoundRobin => self.round_robin(&healthy),
            LbPolicy::Random => random_healthy(n, &healthy, rng),
            LbPolicy::LeastConnections => self.least_open(&healthy),
            LbPolicy::PowerOfTwoChoices => {
                let a = random_healthy(n, &healthy, rng)?;
                let b = random_healthy(n, &healthy, rng)?;
                Some(if self.open[b] < self.open[a] { b } else { a })
            }
            LbPolicy::Weighted => self.weighted(&healthy, rng),
            LbPolicy::ConsistentHash => self.ring_lookup(key, &healthy),
            LbPolicy::Nearest => self.nearest(&healthy),
            LbPolicy::Failover => (0..n).find(|&t| healthy(t)),
        };
        if let Some(t) = pick {
            self.open[t] += 1;
        }
        pick
    }

    /// The answer from target `t` came back.
    pub fn answered(&mut self, t: usize) {
        if let Some(o) = self.open.get_mut(t) {
            *o = o.saturating_sub(1);
        }
    }

    fn round_robin(&mut self, healthy: &impl Fn(usize) -> bool) -> Option<usize> {
        let n = self.open.len();
        for i in 0..n {
            let t = (self.next_round_robin + i) % n;
            if healthy(t) {
                self.next_round_robin = (t + 1) % n;
                return Some(t);
            }
        }
        None
    }

    fn least_open(&mut self, healthy: &impl Fn(usize) -> bool) -> Option<usize> {
        // Ties go round the targets in turn, not always to the first one.
        let n = self.open.len();
        let start = self.next_round_robin;
        let best = (0..n).map(|i| (start + i) % n).filter(|&t| healthy(t)).min_by_key(|&t| self.open[t])?;
        self.next_round_robin = (best + 1) % n;
        Some(best)
    }

    /// The healthy target at the smallest distance, going round the
    /// equally near ones in turn. Without distances, all are equally near.
    fn nearest(&mut self, healthy: &impl Fn(usize) -> bool) -> Option<usize> {
        let n = self.open.len();
        let distance = |t: usize| self.distances.get(t).copied().unwrap_or(0.0);
        let start = self.next_round_robin;
        let best = (0..n)
            .map(|i| (start + i) % n)
            .filter(|&t| healthy(t))
            .min_by(|&a, &b| distance(a).total_cmp(&distance(b)))?;
        self.next_round_robin = (best + 1) % n;
        Some(best)
    }

    fn weighted(&self, healthy: &impl Fn(usize) -> bool, rng: &mut SimRng) -> Option<usize> {
        let total = self.cumulative_weights.last().copied().unwrap_or(0.0);
        if total > 0.0 {
            for _ in 0..8 {
                let x = rng.random::<f64>() * total;
                let t = self.cumulative_weights.partition_point(|&c| c <= x).min(self.open.len() - 1);
                if healthy(t) {
                    return Some(t);
                }
            }
        }
        (0..self.open.len()).find(|&t| healthy(t))
    }

    fn ring_lookup(&self, key: u64, healthy: &impl Fn(usize) -> bool) -> Option<usize> {
        let h = splitmix64(key);
        let start = self.ring.partition_point(|&(p, _)| p < h);
        (0..self.ring.len()).map(|i| self.ring[(start + i) % self.ring.len()].1).find(|&t| healthy(t))
    }
}

/// Running sums of the weights (negative ones count as 0), for a
/// binary search by a uniform draw.
fn cumulative(weights: &[f64]) -> Vec<f64> {
    let mut sum = 0.0;
    weights
        .iter()
        .map(|w| {
            sum += w.max(0.0);
            sum
        })
        .collect()
}

fn random_healthy(n: usize, healthy: &impl Fn(usize) -> bool, rng: &mut SimRng) -> Option<usize> {
    for _ in 0..8 {
        let t = rng.random_range(0..n);
        if healthy(t) {
            return Some(t);
        }
    }
    let up: Vec<usize> = (0..n).filter(|&t| healthy(t)).collect();
    (!up.is_empty()).then(|| up[rng.random_range(0..up.len())])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::stream;

    fn spread(policy: LbPolicy, weights: &[f64], down: Option<usize>) -> Vec<u32> {
        let names = ["a", "b", "c"];
        let mut lb = Balancer::new(policy, &names, weights);
        let mut rng = stream(1, "lb");
        let mut counts = vec![0; 3];
        for key in 0..30_000u64 {
            let t = lb.pick(key, |t| Some(t) != down, &mut rng).expect("a healthy target");
            counts[t] += 1;
            lb.answered(t);
        }
        counts
    }

    #[test]
    fn every_policy_but_failover_spreads_over_all_targets() {
        for policy in LbPolicy::ALL.into_iter().filter(|&p| p != LbPolicy::Failover) {
            let c = spread(policy, &[1.0, 1.0, 1.0], None);
            assert!(c.iter().all(|&n| n > 7_000), "{policy:?}: {c:?}");
        }
    }

    #[test]
    fn weighted_follows_the_weights() {
        let c = spread(LbPolicy::Weighted, &[1.0, 2.0, 3.0], None);
        assert!((f64::from(c[2]) / f64::from(c[0]) - 3.0).abs() < 0.3, "{c:?}");
    }

    #[test]
    fn down_targets_get_nothing() {
        for policy in LbPolicy::ALL {
            let c = spread(policy, &[1.0, 1.0, 1.0], Some(1));
            assert_eq!(c[1], 0, "{policy:?}");
        }
    }

    #[test]
    fn nearest_keeps_to_the_nearest_healthy_targets_and_fails_over_to_the_next() {
        let mut lb = Balancer::new(LbPolicy::Nearest, &["far", "near-1", "near-2"], &[1.0; 3]);
        lb.distances = vec![35.0, 0.5, 0.5];
        let mut rng = stream(1, "lb");
        let picks: Vec<usize> = (0..4).filter_map(|k| lb.pick(k, |_| true, &mut rng)).collect();
        assert_eq!(picks, vec![1, 2, 1, 2], "round robin over the two near ones");
        assert_eq!(lb.pick(0, |t| t == 0, &mut rng), Some(0), "the far one when the near ones are down");
    }

    #[test]
    fn failover_sends_everything_to_the_first_healthy_target() {
        let mut lb = Balancer::new(LbPolicy::Failover, &["primary", "standby"], &[1.0; 2]);
        let mut rng = stream(1, "lb");
        assert!((0..10).all(|k| lb.pick(k, |_| true, &mut rng) == Some(0)));
        assert_eq!(lb.pick(0, |t| t != 0, &mut rng), Some(1));
    }

    #[test]
    fn consistent_hash_sends_a_key_to_the_same_target() {
        let mut lb = Balancer::new(LbPolicy::ConsistentHash, &["a", "b", "c"], &[1.0; 3]);
        let mut rng = stream(1, "lb");
        let first = lb.pick(42, |_| true, &mut rng);
        assert!((0..10).all(|_| lb.pick(42, |_| true, &mut rng) == first));
    }
}
