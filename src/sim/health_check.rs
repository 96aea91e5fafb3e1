//! What a load balancer knows about its targets beyond the fixed detection
//! delay: active health checks (a probe of every target every interval,
//! thresholds to mark it down and up again) and passive outlier ejection
//! (a target that fails answers in a row is taken out for a growing time).
//!
//! Both cost the request path nothing when they are not configured: they
//! live in `Option<Box<…>>` on the balancer, the probes are events of
//! their own (one round per balancer per interval, not per request), and
//! ejection hears an answer only through one `Option` check at the
//! balancer. What either has taken out is a bit mask, read as
//! `known_down_targets` reads the fixed delay's (the first 128 targets;
//! beyond them a target counts as up, as there).

use rand::RngExt;

use super::node::Behaviour;
use super::rng::{SimRng, stream};
use super::time::secs_to_nanos;
use super::{Event, FailureReason, Outcome, SimEventKind, SimTime, Simulation};
use crate::scenario::{HealthCheckSpec, LoadBalancerSpec, OutlierEjectionSpec};

/// Targets a mask can mark (see `known_down_targets`).
const MASK_TARGETS: usize = 128;

/// The bit of target `t` in a mask, 0 beyond the mask.
fn bit(t: usize) -> u128 {
    if t < MASK_TARGETS { 1 << t } else { 0 }
}

/// A balancer's health checks and outlier ejection, in one box: a
/// balancer with neither pays one null check per route and per answer.
#[derive(Debug, Clone)]
pub struct LbHealth {
    pub checks: Option<ActiveChecks>,
    pub outliers: Option<OutlierEjection>,
}

impl LbHealth {
    /// What balancer `id` (with `targets` targets) of a run seeded `seed`
    /// is configured with; `None` for neither. The probes draw from a
    /// stream of their own: switching them on changes none of the
    /// requests' draws.
    pub fn build(spec: &LoadBalancerSpec, seed: u64, id: &str, targets: usize) -> Option<Box<LbHealth>> {
        let checks =
            spec.health_check.as_ref().map(|h| ActiveChecks::new(h, targets, stream(seed, &format!("health:{id}"))));
        let outliers = spec.outlier_ejection.as_ref().map(|o| OutlierEjection::new(o, targets));
        LbHealth::boxed(checks, outliers)
    }

    /// Both in a box, or `None` when neither is on.
    pub fn boxed(checks: Option<ActiveChecks>, outliers: Option<OutlierEjection>) -> Option<Box<LbHealth>> {
        (checks.is_some() || outliers.is_some()).then(|| Box::new(LbHealth { checks, outliers }))
    }

    /// The targets taken out: marked unhealthy by the checks (or, without
    /// checks, by `fixed_delay`, the mask of the fixed delay) or ejected.
    pub fn known_down(&self, fixed_delay: impl FnOnce() -> u128) -> u128 {
        let down = self.checks.as_ref().map_or_else(fixed_delay, |c| c.unhealthy);
        down | self.outliers.as_ref().map_or(0, |o| o.ejected)
    }
}

/// Why a load balancer sends nothing to one of its targets now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TargetOut {
    /// Its health checks (or the fixed detection delay after a crash)
    /// marked it down.
    MarkedDown,
    /// Outlier ejection took it out for failing too many answers in a row.
    Ejected,
}

/// The health of balancer behaviour `b`, if it has checks or ejection.
fn health_mut(b: &mut Behaviour) -> Option<&mut LbHealth> {
    match b {
        Behaviour::LoadBalancer { health: Some(h), .. } => Some(h),
        _ => None,
    }
}

// ----- active health checks ----------------------------------------------

/// A balancer's active health checks at run time.
#[derive(Debug, Clone)]
pub struct ActiveChecks {
    pub interval_ns: u64,
    pub timeout_ns: u64,
    pub unhealthy_threshold: u32,
    pub healthy_threshold: u32,
    /// Bumped when the checks change live: the rounds and the probe answers
    /// of older checks are dropped when they come.
    pub generation: u16,
    /// One per target, in edge order.
    pub targets: Vec<ProbeState>,
    /// The targets marked unhealthy, a bit each.
    pub unhealthy: u128,
    /// The probes' own draws (lost probes, link latency), apart from the
    /// balancer's and the edges' streams: switching checks on changes no
    /// request's draws.
    pub rng: SimRng,
}

/// What the checks know about one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeState {
    pub healthy: bool,
    pub failed_in_a_row: u32,
    pub passed_in_a_row: u32,
    /// How the probe out now ends, decided when it was sent (a target has
    /// one probe out at a time: the timeout is shorter than the interval).
    pub in_flight_passes: bool,
}

impl Default for ProbeState {
    fn default() -> Self {
        ProbeState { healthy: true, failed_in_a_row: 0, passed_in_a_row: 0, in_flight_passes: true }
    }
}

/// What one probe's answer changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckVerdict {
    Unchanged,
    /// The threshold of failures in a row was reached: no more traffic.
    MarkedUnhealthy,
    /// The threshold of successes in a row was reached: traffic again.
    MarkedHealthy,
}

impl ActiveChecks {
    /// Checks of `targets` targets, all healthy.
    pub fn new(spec: &HealthCheckSpec, targets: usize, rng: SimRng) -> ActiveChecks {
        let mut checks = ActiveChecks {
            interval_ns: 0,
            timeout_ns: 0,
            unhealthy_threshold: 1,
            healthy_threshold: 1,
            generation: 0,
            targets: vec![ProbeState::default(); targets],
            unhealthy: 0,
            rng,
        };
        checks.set(spec);
        checks
    }

    /// New parameters from now on; what each target's state is stays.
    pub fn set(&mut self, spec: &HealthCheckSpec) {
        // At least a nanosecond apart, however a live edit got here.
        self.interval_ns = secs_to_nanos(spec.interval_s).max(1);
        self.timeout_ns = secs_to_nanos(spec.timeout_s);
        self.unhealthy_threshold = spec.unhealthy_threshold.max(1);
        self.healthy_threshold = spec.healthy_threshold.max(1);
    }

    /// A probe of target `t` ended, `passed` or not.
    pub fn record(&mut self, t: usize, passed: bool) -> CheckVerdict {
        let Some(s) = self.targets.get_mut(t) else { return CheckVerdict::Unchanged };
        if passed {
            s.passed_in_a_row = s.passed_in_a_row.saturating_add(1);
            s.failed_in_a_row = 0;
            if !s.healthy && s.passed_in_a_row >= self.healthy_threshold {
                s.healthy = true;
                self.unhealthy &= !bit(t);
                return CheckVerdict::MarkedHealthy;
            }
        } else {
            s.failed_in_a_row = s.failed_in_a_row.saturating_add(1);
            s.passed_in_a_row = 0;
            if s.healthy && s.failed_in_a_row >= self.unhealthy_threshold {
                s.healthy = false;
                self.unhealthy |= bit(t);
                return CheckVerdict::MarkedUnhealthy;
            }
        }
        CheckVerdict::Unchanged
    }
}

// ----- passive outlier ejection ------------------------------------------

/// A balancer's outlier ejection at run time.
#[derive(Debug, Clone)]
pub struct OutlierEjection {
    pub consecutive_failures: u32,
    pub base_ejection_ns: u64,
    pub max_ejected_percent: u32,
    /// One per target, in edge order.
    pub targets: Vec<OutlierState>,
    /// The targets ejected now, a bit each.
    pub ejected: u128,
    /// How many targets are ejected now.
    pub ejected_now: u32,
}

/// What outlier ejection knows about one target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutlierState {
    pub failed_in_a_row: u32,
    /// Times it was ejected: the next ejection lasts one base longer.
    pub ejections: u32,
    /// When its ejection ends, while it is ejected.
    pub ejected_until: Option<SimTime>,
}

/// What one answer changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutlierVerdict {
    Unchanged,
    /// Taken out until the time given, after `failures` failed answers in a row.
    Ejected {
        until: SimTime,
        failures: u32,
    },
    /// It reached the threshold, but as many targets as allowed are out.
    Spared {
        failures: u32,
    },
}

impl OutlierEjection {
    pub fn new(spec: &OutlierEjectionSpec, targets: usize) -> OutlierEjection {
        let mut o = OutlierEjection {
            consecutive_failures: 1,
            base_ejection_ns: 0,
            max_ejected_percent: 0,
            targets: vec![OutlierState::default(); targets],
            ejected: 0,
            ejected_now: 0,
        };
        o.set(spec);
        o
    }

    /// New parameters from now on; ejections under way end when they were
    /// to end.
    pub fn set(&mut self, spec: &OutlierEjectionSpec) {
        self.consecutive_failures = spec.consecutive_failures.max(1);
        self.base_ejection_ns = secs_to_nanos(spec.base_ejection_s);
        self.max_ejected_percent = spec.max_ejected_percent.min(100);
    }

    /// Whether one more target may be ejected now: while the share ejected
    /// after it stays within the limit, or none is (Envoy's rule: one may
    /// always be).
    fn may_eject_one_more(&self) -> bool {
        let after = u64::from(self.ejected_now) + 1;
        self.ejected_now == 0 || after * 100 <= u64::from(self.max_ejected_percent) * self.targets.len() as u64
    }

    /// Target `t` answered a request, `failed` or not, at `now`. Answers
    /// from a target already ejected (sent before it was) change nothing:
    /// its count starts again when it comes back.
    pub fn record(&mut self, t: usize, failed: bool, now: SimTime) -> OutlierVerdict {
        let may_eject = self.may_eject_one_more();
        let (threshold, base) = (self.consecutive_failures, self.base_ejection_ns);
        let Some(s) = self.targets.get_mut(t) else { return OutlierVerdict::Unchanged };
        if s.ejected_until.is_some() {
            return OutlierVerdict::Unchanged;
        }
        if !failed {
            s.failed_in_a_row = 0;
            return OutlierVerdict::Unchanged;
        }
        s.failed_in_a_row = s.failed_in_a_row.saturating_add(1);
        if s.failed_in_a_row < threshold {
            return OutlierVerdict::Unchanged;
        }
        let failures = s.failed_in_a_row;
        // Counted again from zero either way: a spared target is judged
        // again after as many more failures.
        s.failed_in_a_row = 0;
        if !may_eject {
            return OutlierVerdict::Spared { failures };
        }
        s.ejections = s.ejections.saturating_add(1);
        let until = now.after(base.saturating_mul(u64::from(s.ejections)));
        s.ejected_until = Some(until);
        self.ejected |= bit(t);
        self.ejected_now += 1;
        OutlierVerdict::Ejected { until, failures }
    }

    /// Ends target `t`'s ejection if it is due by `now`; whether it did.
    pub fn end_ejection(&mut self, t: usize, now: SimTime) -> bool {
        let Some(s) = self.targets.get_mut(t) else { return false };
        if s.ejected_until.is_none_or(|until| until > now) {
            return false;
        }
        s.ejected_until = None;
        s.failed_in_a_row = 0;
        self.ejected &= !bit(t);
        self.ejected_now = self.ejected_now.saturating_sub(1);
        true
    }
}

/// How an answer from a target counts for outlier ejection: `Some(true)` a
/// failure of the target, `Some(false)` a success, `None` neither — a
/// refusal by the balancer's own edge (breaker, bulkhead), its own retries
/// giving up, or a 429 from a rate limiter (Envoy's consecutive-5xx does
/// not count a 4xx either). A failure from behind the target (its own
/// dependency failing) is the target's answer, as a 5xx is.
pub fn counts_against_target(outcome: Outcome, balancer: u32) -> Option<bool> {
    match outcome {
        Outcome::Failed { reason: FailureReason::RateLimited, .. } => None,
        Outcome::Failed {
            reason: FailureReason::BreakerOpen | FailureReason::BulkheadFull | FailureReason::RetriesExhausted,
            origin,
        } if origin == balancer => None,
        Outcome::Failed { .. } => Some(true),
        Outcome::Ok | Outcome::Degraded => Some(false),
        Outcome::Pending => None,
    }
}

// ----- the engine's side --------------------------------------------------

impl Simulation {
    /// The first round of probes of every balancer with health checks, at
    /// a random point of its first interval (Envoy's initial jitter), so
    /// that balancers do not probe in step and a fault at a round time is
    /// no knife edge.
    pub(super) fn schedule_health_checks(&mut self) {
        for node in 0..self.nodes.len() {
            if let Some(c) = health_mut(&mut self.nodes[node].behaviour).and_then(|h| h.checks.as_mut()) {
                let phase = c.rng.random_range(0..c.interval_ns);
                let generation = c.generation;
                self.schedule(SimTime::ZERO.after(phase), Event::HealthCheck { node: node as u32, generation });
            }
        }
    }

    /// A balancer's checks, taken out of it while the engine reads its
    /// targets (put back with [`Self::put_checks`]).
    fn take_checks(&mut self, node: usize) -> Option<ActiveChecks> {
        health_mut(&mut self.nodes.get_mut(node)?.behaviour)?.checks.take()
    }

    fn put_checks(&mut self, node: usize, back: ActiveChecks) {
        if let Some(h) = health_mut(&mut self.nodes[node].behaviour) {
            h.checks = Some(back);
        }
    }

    /// A round of probes: one to every target of balancer `node`, each
    /// answered when its answer is back (a pass) or when its timeout is
    /// over (a failure), then the next round one interval later.
    ///
    /// A probe sees its target as it is when the probe is sent: down (a
    /// crash), cut off (a partition) or lost (the link's drop probability)
    /// fails it; a paused target answers when its pause ends; the answer
    /// takes the link's latency (and any `Latency` fault) both ways. A
    /// probe takes no worker and no place in a queue: a health endpoint is
    /// cheap, and a target that is up answers its probes however loaded it is.
    #[inline(never)]
    pub(super) fn on_health_check(&mut self, node: u32, generation: u16) {
        let now = self.now;
        let lb = node as usize;
        let Some(mut checks) = self.take_checks(lb) else { return };
        if checks.generation != generation {
            self.put_checks(lb, checks);
            return; // the checks were changed live: a new round is under way
        }
        let next = now.after(checks.interval_ns);
        if self.nodes[lb].health.down {
            // A crashed balancer probes nothing; it keeps what it knew.
            self.put_checks(lb, checks);
            self.schedule(next, Event::HealthCheck { node, generation });
            return;
        }
        let mut answers = Vec::with_capacity(checks.targets.len());
        for (t, &edge) in self.nodes[lb].out_edges.iter().enumerate() {
            let e = &self.edges[edge as usize];
            let target = &self.nodes[e.to as usize].health;
            let rng = &mut checks.rng;
            let lost = e.partitions > 0 || (e.drop_probability > 0.0 && rng.random_bool(e.drop_probability.min(1.0)));
            let passes_at = if target.down || lost {
                None
            } else {
                let mut one_way = || e.latency.as_ref().map_or(0, |d| d.sample(rng)) + e.added_ns;
                let there = one_way();
                let back = one_way();
                // A frozen process answers when it resumes.
                let answered = target.pauses.work_ends(now.after(there), 0).after(back);
                Some(answered).filter(|at| at.since(now) <= checks.timeout_ns)
            };
            if let Some(s) = checks.targets.get_mut(t) {
                s.in_flight_passes = passes_at.is_some();
            }
            answers.push(passes_at.unwrap_or(now.after(checks.timeout_ns)));
        }
        self.put_checks(lb, checks);
        self.nodes[lb].metrics.counters.checks += answers.len() as u64;
        for (t, at) in answers.into_iter().enumerate() {
            self.schedule(at, Event::ProbeDone { node, target: t as u16, generation });
        }
        self.schedule(next, Event::HealthCheck { node, generation });
    }

    /// A probe of target `target` of balancer `node` is answered or timed
    /// out: counted, and the target marked unhealthy or healthy again when
    /// a threshold is reached.
    #[inline(never)]
    pub(super) fn on_probe_done(&mut self, node: u32, target: u16, generation: u16) {
        let lb = node as usize;
        let t = usize::from(target);
        let n = &mut self.nodes[lb];
        let Some(checks) = health_mut(&mut n.behaviour).and_then(|h| h.checks.as_mut()) else { return };
        if checks.generation != generation {
            return;
        }
        let passed = checks.targets.get(t).is_some_and(|s| s.in_flight_passes);
        let verdict = checks.record(t, passed);
        let (failed_needed, passed_needed) = (checks.unhealthy_threshold, checks.healthy_threshold);
        n.metrics.counters.checks_failed += u64::from(!passed);
        if verdict == CheckVerdict::MarkedUnhealthy {
            n.metrics.counters.marked_unhealthy += 1;
        }
        let (kind, what) = match verdict {
            CheckVerdict::Unchanged => return,
            CheckVerdict::MarkedUnhealthy => (
                SimEventKind::TargetUnhealthy,
                format!("marked unhealthy after {}", checks_counted(failed_needed, "failed check")),
            ),
            CheckVerdict::MarkedHealthy => (
                SimEventKind::TargetHealthy,
                format!("healthy again after {}", checks_counted(passed_needed, "passed check")),
            ),
        };
        self.log_target_event(lb, t, kind, &what);
    }

    /// Target `t` of balancer `node` answered a request, for the
    /// balancer's outlier ejection (the caller checked it has one).
    #[inline(never)]
    pub(super) fn outliers_hear(&mut self, node: usize, t: usize, outcome: Outcome) {
        let now = self.now;
        let Some(failed) = counts_against_target(outcome, node as u32) else { return };
        let n = &mut self.nodes[node];
        let Some(o) = health_mut(&mut n.behaviour).and_then(|h| h.outliers.as_mut()) else { return };
        // A spared target (as many out as allowed) is not logged: it may
        // be spared every few requests while another is out.
        if let OutlierVerdict::Ejected { until, failures } = o.record(t, failed, now) {
            n.metrics.counters.ejections += 1;
            let target = u16::try_from(t).unwrap_or(u16::MAX);
            self.schedule(until, Event::EjectionOver { node: node as u32, target });
            let length = until.since(now) as f64 / 1e9;
            let what = format!("ejected for {} s after {failures} failures in a row", round_secs(length));
            self.log_target_event(node, t, SimEventKind::TargetEjected, &what);
        }
    }

    /// The answer to a call over `edge` with a policy, before its retries
    /// and fallback: if the edge leaves a balancer with outlier ejection,
    /// the target it goes to answered this. (Over an edge without a policy
    /// the balancer hears the answer in `on_child_answer`.)
    #[inline(never)]
    pub(super) fn outliers_hear_over_edge(&mut self, edge: u32, outcome: Outcome) {
        let from = self.edges[edge as usize].from as usize;
        let n = &self.nodes[from];
        let ejecting = matches!(&n.behaviour, Behaviour::LoadBalancer { health: Some(h), .. } if h.outliers.is_some());
        if !ejecting {
            return;
        }
        if let Some(t) = n.out_edges.iter().position(|&e| e == edge) {
            self.outliers_hear(from, t, outcome);
        }
    }

    /// A target's ejection is over (unless a live change ended it already).
    #[inline(never)]
    pub(super) fn on_ejection_over(&mut self, node: u32, target: u16) {
        let now = self.now;
        let (lb, t) = (node as usize, usize::from(target));
        let Some(o) = health_mut(&mut self.nodes[lb].behaviour).and_then(|h| h.outliers.as_mut()) else { return };
        if o.end_ejection(t, now) {
            self.log_target_event(lb, t, SimEventKind::TargetReturned, "back from ejection");
        }
    }

    /// Logs "lb: app-2 <what>" at the balancer.
    #[cold]
    fn log_target_event(&mut self, node: usize, t: usize, kind: SimEventKind, what: &str) {
        let lb = &self.nodes[node];
        let target = lb.out_edges.get(t).map_or("?", |&e| self.nodes[self.edges[e as usize].to as usize].id.as_str());
        let text = format!("{}: {target} {what}", lb.id);
        self.log_event(Some(node as u32), kind, text);
    }

    /// Which targets of balancer `node` its checks or its ejection have
    /// taken out at the end of a run, by id (for the report).
    pub(super) fn targets_out(&self, node: usize) -> (Vec<String>, Vec<String>) {
        let n = &self.nodes[node];
        let Behaviour::LoadBalancer { health: Some(h), .. } = &n.behaviour else { return (Vec::new(), Vec::new()) };
        let id_of = |t: usize| self.nodes[self.edges[n.out_edges[t] as usize].to as usize].id.clone();
        let unhealthy = h.checks.as_ref().map_or_else(Vec::new, |c| {
            c.targets.iter().enumerate().filter(|(_, s)| !s.healthy).map(|(t, _)| id_of(t)).collect()
        });
        let ejected = h.outliers.as_ref().map_or_else(Vec::new, |o| {
            o.targets.iter().enumerate().filter(|(_, s)| s.ejected_until.is_some()).map(|(t, _)| id_of(t)).collect()
        });
        (unhealthy, ejected)
    }
}

/// "3 failed checks", "1 passed check".
fn checks_counted(n: u32, one: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {one}s") }
}

/// Seconds as the log writes them: whole when whole, else to a millisecond.
fn round_secs(s: f64) -> String {
    let text = format!("{s:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::stream;

    fn checks(u: u32, h: u32) -> ActiveChecks {
        let spec = HealthCheckSpec { interval_s: 1.0, timeout_s: 0.5, unhealthy_threshold: u, healthy_threshold: h };
        ActiveChecks::new(&spec, 3, stream(1, "checks"))
    }

    #[test]
    fn a_target_is_marked_unhealthy_at_the_threshold_and_healthy_after_passes_in_a_row() {
        let mut c = checks(3, 2);
        assert_eq!(c.record(1, false), CheckVerdict::Unchanged);
        assert_eq!(c.record(1, false), CheckVerdict::Unchanged);
        assert_eq!(c.record(1, false), CheckVerdict::MarkedUnhealthy);
        assert_eq!(c.unhealthy, 0b010);
        assert_eq!(c.record(1, false), CheckVerdict::Unchanged, "already unhealthy");
        // One pass, a failure, then two passes in a row.
        assert_eq!(c.record(1, true), CheckVerdict::Unchanged);
        assert_eq!(c.record(1, false), CheckVerdict::Unchanged);
        assert_eq!(c.record(1, true), CheckVerdict::Unchanged);
        assert_eq!(c.record(1, true), CheckVerdict::MarkedHealthy);
        assert_eq!(c.unhealthy, 0);
    }

    #[test]
    fn a_pass_between_failures_starts_the_count_again() {
        let mut c = checks(2, 1);
        assert_eq!(c.record(0, false), CheckVerdict::Unchanged);
        assert_eq!(c.record(0, true), CheckVerdict::Unchanged);
        assert_eq!(c.record(0, false), CheckVerdict::Unchanged);
        assert_eq!(c.record(0, false), CheckVerdict::MarkedUnhealthy);
    }

    fn ejection(n: u32, percent: u32, targets: usize) -> OutlierEjection {
        let spec = OutlierEjectionSpec { consecutive_failures: n, base_ejection_s: 10.0, max_ejected_percent: percent };
        OutlierEjection::new(&spec, targets)
    }

    #[test]
    fn each_ejection_of_a_target_lasts_one_base_longer() {
        let mut o = ejection(2, 100, 2);
        let at = |s: u64| SimTime(s * 1_000_000_000);
        assert_eq!(o.record(0, true, at(0)), OutlierVerdict::Unchanged);
        assert_eq!(o.record(0, true, at(1)), OutlierVerdict::Ejected { until: at(11), failures: 2 });
        assert_eq!(o.ejected, 1);
        assert_eq!(o.record(0, true, at(2)), OutlierVerdict::Unchanged, "an ejected target's late answers");
        assert!(!o.end_ejection(0, at(10)), "not yet");
        assert!(o.end_ejection(0, at(11)));
        assert_eq!(o.ejected, 0);
        o.record(0, true, at(12));
        assert_eq!(o.record(0, true, at(13)), OutlierVerdict::Ejected { until: at(33), failures: 2 });
    }

    #[test]
    fn a_success_starts_the_count_again() {
        let mut o = ejection(2, 100, 2);
        o.record(1, true, SimTime::ZERO);
        o.record(1, false, SimTime::ZERO);
        assert_eq!(o.record(1, true, SimTime::ZERO), OutlierVerdict::Unchanged);
    }

    #[test]
    fn no_more_than_the_share_allowed_is_ejected_but_one_always_may_be() {
        // 10 % of 3 targets is none, but one may always be ejected.
        let mut o = ejection(1, 10, 3);
        assert!(matches!(o.record(0, true, SimTime::ZERO), OutlierVerdict::Ejected { .. }));
        assert_eq!(o.record(1, true, SimTime::ZERO), OutlierVerdict::Spared { failures: 1 });
        // 50 % of 4: two at once, not three.
        let mut o = ejection(1, 50, 4);
        assert!(matches!(o.record(0, true, SimTime::ZERO), OutlierVerdict::Ejected { .. }));
        assert!(matches!(o.record(1, true, SimTime::ZERO), OutlierVerdict::Ejected { .. }));
        assert_eq!(o.record(2, true, SimTime::ZERO), OutlierVerdict::Spared { failures: 1 });
        assert_eq!(o.ejected_now, 2);
    }

    #[test]
    fn only_the_targets_failures_count_against_it() {
        let lb = 3;
        let failed = |reason, origin| Outcome::Failed { reason, origin };
        assert_eq!(counts_against_target(failed(FailureReason::Error, 7), lb), Some(true));
        assert_eq!(counts_against_target(failed(FailureReason::Timeout, lb), lb), Some(true), "a timeout it saw");
        assert_eq!(counts_against_target(failed(FailureReason::Dropped, lb), lb), Some(true), "a lost call");
        assert_eq!(counts_against_target(failed(FailureReason::BreakerOpen, lb), lb), None, "its own refusal");
        assert_eq!(counts_against_target(failed(FailureReason::RateLimited, 7), lb), None, "a 429");
        assert_eq!(counts_against_target(Outcome::Ok, lb), Some(false));
        assert_eq!(counts_against_target(Outcome::Degraded, lb), Some(false));
    }

    #[test]
    fn the_health_events_keep_an_event_as_small_as_before() {
        assert!(std::mem::size_of::<Event>() <= 12, "{}", std::mem::size_of::<Event>());
    }
}
