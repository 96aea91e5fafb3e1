//! Grading a challenge: run the design through the challenge's scripted
//! timeline and say, goal by goal, whether it held; where it broke first
//! and why (the same cause analysis as the verdict panel); a score; and
//! the hints. Pure, like the engine: the app's Evaluate button and
//! `archsim run` / `archsim grade` only present what [`evaluate`] returns.
//!
//! The evaluation runs a copy of the design in which the challenge has the
//! last word on what the design must face: each client of `load` sends
//! Poisson traffic at the challenge's rate (its own rate and profile are
//! replaced), the `script`'s faults are added to the design's own, and the
//! run lasts the challenge's `duration_s` after its `warmup_s`.
//!
//! **Score.** Each goal scores 1 when met; a missed goal scores half its
//! closeness (target ÷ measured for a ceiling, measured ÷ target for a
//! floor), so a near miss is worth more than a collapse but never as much
//! as a pass. The score is the mean, 0–100, rounded.

use serde::Serialize;

use crate::diagnosis::{diagnose, fault_text};
use crate::scenario::{Arrivals, ChallengeSpec, Goal, Level, NodeKind, Percentile, Scenario};
use crate::sim::{LatencySummary, SimTime, Simulation, Stats};

/// Why a design could not be graded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChallengeError {
    #[error("this scenario has no `challenge` section: nothing to grade")]
    NotAChallenge,
    #[error("the design cannot be evaluated:\n{}", .0.join("\n"))]
    Invalid(Vec<String>),
    #[error("the evaluation was cancelled")]
    Cancelled,
}

/// What grading a design found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// The scenario's name.
    pub challenge: String,
    pub level: Level,
    /// Every goal met.
    pub passed: bool,
    /// 0–100 (see the module's documentation).
    pub score: u32,
    pub goals: Vec<GoalResult>,
    /// The first window after the warm-up in which a latency or error
    /// goal did not hold, if any did not.
    pub broke_first: Option<BrokeFirst>,
    /// The verdict panel's headline on the evaluation run, and its first
    /// causes and advice.
    pub verdict: String,
    pub causes: Vec<String>,
    pub advice: Vec<String>,
    /// The traffic the evaluation sent, in words: `users: 20,000 req/s
    /// (Poisson)`.
    pub load: Vec<String>,
    /// The scripted faults the design faced, in words, in the
    /// challenge's order: `db-1 crashes at 60 s`.
    pub script: Vec<String>,
    /// The challenge's hints, for the app to reveal one at a time.
    pub hints: Vec<String>,
    /// What the evaluation changed in the design, in words: a node the
    /// challenge provides that the design had altered.
    pub notes: Vec<String>,
    /// The evaluation run: simulated seconds, and the warm-up left out.
    pub duration_s: f64,
    pub warmup_s: f64,
}

/// One goal and how the design fared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalResult {
    /// The goal in words: "p99 ≤ 200 ms".
    pub goal: String,
    pub passed: bool,
    /// What was measured, in the goal's unit (ms, a share 0–1, req/s, $ a month).
    pub measured: f64,
    /// The measured value in words: "p99 was 183 ms".
    pub measured_text: String,
    /// 0–1: 1 when met, else half its closeness.
    pub score: f64,
}

/// Where a design first broke.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BrokeFirst {
    /// Start of the window, simulated seconds.
    pub at_s: f64,
    /// The goal it missed there.
    pub goal: String,
    /// "p99 was 412 ms in the window from 61 s".
    pub what: String,
}

/// Fewest answers (or requests) a window needs before its percentile or
/// error share counts: a window of three requests says little.
const MIN_WINDOW_SAMPLES: u64 = 20;
/// Causes and advice carried into the evaluation.
const SHOWN: usize = 3;

/// The design as the challenge evaluates it: the challenge's load, its
/// script's faults added, its run length. `None` for a scenario with no
/// challenge.
pub fn evaluation_scenario(design: &Scenario) -> Option<Scenario> {
    evaluation_and_notes(design).map(|(s, _)| s)
}

/// [`evaluation_scenario`], and a note for each node the challenge
/// provides that the design had changed (it is put back).
fn evaluation_and_notes(design: &Scenario) -> Option<(Scenario, Vec<String>)> {
    let ch = design.challenge.as_ref()?;
    let mut s = design.clone();
    let mut notes = Vec::new();
    // The challenge owns the seed, the prices and the network: a design
    // cannot pass by trying seeds, pricing itself free or shrinking oceans.
    s.seed = ch.seed;
    s.pricing = ch.pricing.clone().unwrap_or_default();
    s.network = ch.network.clone().unwrap_or_default();
    if design.pricing != s.pricing {
        notes.push("the evaluation reckons costs at the challenge's prices, not the design's `pricing`".into());
    }
    if design.network != s.network {
        notes.push("the evaluation uses the challenge's network latencies, not the design's `network`".into());
    }
    // The challenge's load is all the traffic there is: a client the
    // design added would dilute the goals measured end to end.
    if !ch.load.is_empty() {
        let extra: Vec<String> = s
            .nodes
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Client(_)) && !ch.load.iter().any(|l| l.client == n.id))
            .map(|n| n.id.clone())
            .collect();
        if !extra.is_empty() {
            s.nodes.retain(|n| !extra.contains(&n.id));
            s.edges.retain(|e| !extra.contains(&e.from));
            s.faults.retain(|f| f.node_refs().iter().all(|r| !extra.iter().any(|x| x == r)));
            notes.push(format!(
                "{} sent nothing in the evaluation: the challenge's load is all the traffic there is",
                extra.join(", ")
            ));
        }
    }
    for given in &ch.given {
        if let Some(n) = s.nodes.iter_mut().find(|n| n.id == given.id)
            && n.kind != given.kind
        {
            n.kind = given.kind.clone();
            notes.push(format!(
                "{} is provided by the challenge as it is: the evaluation used its given parameters, not the design's",
                given.id
            ));
        }
    }
    s.duration_s = ch.duration_s;
    s.warmup_s = ch.warmup_s;
    s.faults.extend(ch.script.iter().cloned());
    for load in &ch.load {
        if let Some(NodeKind::Client(c)) = s.nodes.iter_mut().find(|n| n.id == load.client).map(|n| &mut n.kind) {
            c.arrivals = Arrivals::Poisson { rate: load.rate };
            c.profile.clear();
        }
    }
    Some((s, notes))
}

/// Runs the design through its challenge and grades it. `keep_going` is
/// told the share of the run done, a few hundred times a run, and stops
/// it by returning `false`.
pub fn evaluate(design: &Scenario, keep_going: &mut dyn FnMut(f64) -> bool) -> Result<Evaluation, ChallengeError> {
    let ch = design.challenge.as_ref().ok_or(ChallengeError::NotAChallenge)?;
    let (scenario, notes) = evaluation_and_notes(design).ok_or(ChallengeError::NotAChallenge)?;
    check_in_the_path(&scenario, ch)?;
    let mut sim = Simulation::new(&scenario).map_err(|e| ChallengeError::Invalid(e.0))?;
    let steps = 200;
    for k in 1..=steps {
        let t = scenario.duration_s * f64::from(k) / f64::from(steps);
        sim.run_until(SimTime::from_secs(t));
        if !keep_going(f64::from(k) / f64::from(steps)) {
            return Err(ChallengeError::Cancelled);
        }
    }
    Ok(grade_run(design, ch, &sim, notes))
}

/// Refuses a design that keeps a node the challenge acts on (its script's,
/// its given nodes) out of the traffic's way: a decoy crashed by the
/// script while the real work goes elsewhere would pass for free.
pub fn check_in_the_path(scenario: &Scenario, ch: &ChallengeSpec) -> Result<(), ChallengeError> {
    let mut reached: std::collections::HashSet<&str> =
        scenario.nodes.iter().filter(|n| matches!(n.kind, NodeKind::Client(_))).map(|n| n.id.as_str()).collect();
    let mut frontier: Vec<&str> = reached.iter().copied().collect();
    while let Some(at) = frontier.pop() {
        for e in scenario.edges.iter().filter(|e| e.from == at) {
            if reached.insert(e.to.as_str()) {
                frontier.push(e.to.as_str());
            }
        }
    }
    let acted_on =
        ch.script.iter().flat_map(crate::scenario::FaultSpec::node_refs).chain(ch.given.iter().map(|g| g.id.as_str()));
    let missed: Vec<String> = acted_on.filter(|id| !reached.contains(id)).map(|id| format!("\"{id}\"")).collect();
    if missed.is_empty() {
        Ok(())
    } else {
        Err(ChallengeError::Invalid(vec![format!(
            "the challenge acts on {}, but no traffic reaches it: keep it in the requests' path (the challenge \
             grades the design it was written for)",
            missed.join(", ")
        )]))
    }
}

/// Grades `sim`, a run of [`evaluation_scenario`]`(design)` taken to its
/// end by the caller (the command line runs it with its progress bar).
pub fn grade(design: &Scenario, sim: &Simulation) -> Result<Evaluation, ChallengeError> {
    let ch = design.challenge.as_ref().ok_or(ChallengeError::NotAChallenge)?;
    check_in_the_path(sim.scenario(), ch)?;
    let notes = evaluation_and_notes(design).map(|(_, notes)| notes).unwrap_or_default();
    Ok(grade_run(design, ch, sim, notes))
}

/// Grades a finished run; `notes` are what the evaluation put back.
fn grade_run(design: &Scenario, ch: &ChallengeSpec, sim: &Simulation, notes: Vec<String>) -> Evaluation {
    let report = sim.report();
    let scenario = sim.scenario();
    let stats_of = |client: Option<&str>| -> Option<&Stats> {
        match client {
            None => Some(&report.end_to_end),
            Some(id) => report.nodes.iter().find(|n| n.id == id).map(|n| &n.stats),
        }
    };
    let measured_s = (report.sim_time_s - report.warmup_s).max(1e-9);
    let goals: Vec<GoalResult> = ch
        .goals
        .iter()
        .map(|goal| {
            let stats = stats_of(goal.client());
            let (measured, ceiling, text) = match goal {
                Goal::Latency { percentile, .. } => {
                    let ms = stats.map_or(f64::INFINITY, |s| percentile_ms(&s.latency, *percentile));
                    (ms, true, format!("{} was {}", percentile.label(), ms_text(ms)))
                }
                Goal::ErrorRate { .. } => {
                    let share = stats.map_or(1.0, |s| s.error_ratio);
                    (share, true, format!("{} of requests failed", percent(share)))
                }
                Goal::Degraded { .. } => {
                    let share = stats.map_or(1.0, |s| s.degraded_ratio);
                    (share, true, format!("{} answered by a fallback", percent(share)))
                }
                Goal::Throughput { .. } => {
                    let rps = stats.map_or(0.0, |s| (s.ok + s.degraded) as f64 / measured_s);
                    (rps, false, format!("{rps:.0} req/s answered"))
                }
                Goal::Cost { .. } => {
                    let usd = report.cost.per_month_usd;
                    (usd, true, format!("${usd:.0} a month"))
                }
            };
            let target = target_of(goal);
            let passed = if ceiling { measured <= target } else { measured >= target };
            let closeness = match (ceiling, measured) {
                _ if passed => 1.0,
                (true, m) if m > 0.0 && m.is_finite() => target / m,
                (false, _) if target > 0.0 => measured / target,
                _ => 0.0,
            };
            GoalResult {
                goal: goal.describe(),
                passed,
                measured,
                measured_text: text,
                score: if passed { 1.0 } else { 0.5 * closeness.clamp(0.0, 1.0) },
            }
        })
        .collect();
    let score = if goals.is_empty() {
        0
    } else {
        (100.0 * goals.iter().map(|g| g.score).sum::<f64>() / goals.len() as f64).round() as u32
    };
    let diagnosis = diagnose(&report, scenario);
    let passed = goals.iter().all(|g| g.passed);
    let broke_first = broke_first(sim, ch, &goals);
    Evaluation {
        challenge: design.name.clone(),
        level: ch.level,
        passed,
        score,
        goals,
        broke_first,
        verdict: diagnosis.headline.clone(),
        causes: diagnosis.findings.iter().take(SHOWN).map(|f| f.cause.to_string()).collect(),
        advice: diagnosis.advice().iter().take(SHOWN).map(ToString::to_string).collect(),
        load: ch.load.iter().map(|l| format!("{}: {} req/s (Poisson)", l.client, rate_text(l.rate))).collect(),
        script: ch.script.iter().map(fault_text).collect(),
        hints: ch.hints.clone(),
        notes,
        duration_s: report.sim_time_s,
        warmup_s: report.warmup_s,
    }
}

/// `20,000` for whole rates, `0.5` below one.
fn rate_text(rate: f64) -> String {
    if rate >= 1.0 && rate.fract() == 0.0 && rate < 1e15 {
        crate::sim::group_thousands(rate as u64)
    } else {
        format!("{rate}")
    }
}

/// The goal's threshold, in its own unit.
fn target_of(goal: &Goal) -> f64 {
    match goal {
        Goal::Latency { ms, .. } => *ms,
        Goal::ErrorRate { at_most, .. } | Goal::Degraded { at_most, .. } => *at_most,
        Goal::Throughput { at_least_rps, .. } => *at_least_rps,
        Goal::Cost { at_most_per_month } => *at_most_per_month,
    }
}

/// The first window after the warm-up where a latency or error goal the
/// run missed did not hold, with enough samples to say so. A goal met over
/// the run is not broken by one bad window.
fn broke_first(sim: &Simulation, ch: &ChallengeSpec, results: &[GoalResult]) -> Option<BrokeFirst> {
    let scenario = sim.scenario();
    let index = |client: Option<&str>| client.map(|id| scenario.node_index(id));
    let missed: Vec<&Goal> = ch.goals.iter().zip(results).filter(|(_, r)| !r.passed).map(|(g, _)| g).collect();
    for frame in sim.series().frames().iter().filter(|f| f.start_s >= ch.warmup_s) {
        for goal in missed.iter().copied() {
            let stats = match index(goal.client()) {
                None => &frame.end_to_end,
                Some(Some(i)) => &frame.nodes[i],
                Some(None) => continue,
            };
            let shortfall = match goal {
                Goal::Latency { percentile, ms, .. } if stats.latency.count >= MIN_WINDOW_SAMPLES => {
                    let got = percentile_ms(&stats.latency, *percentile);
                    (got > *ms).then(|| format!("{} was {}", percentile.label(), ms_text(got)))
                }
                Goal::ErrorRate { at_most, .. }
                    if stats.ok + stats.degraded + stats.failed >= MIN_WINDOW_SAMPLES
                        && stats.error_ratio > *at_most =>
                {
                    Some(format!("{} of requests failed", percent(stats.error_ratio)))
                }
                _ => None,
            };
            if let Some(what) = shortfall {
                return Some(BrokeFirst {
                    at_s: frame.start_s,
                    goal: goal.describe(),
                    what: format!("{what} in the window from {} s", trim_secs(frame.start_s)),
                });
            }
        }
    }
    None
}

fn percentile_ms(latency: &LatencySummary, p: Percentile) -> f64 {
    if latency.count == 0 {
        return f64::INFINITY;
    }
    match p {
        Percentile::P50 => latency.p50_ms,
        Percentile::P90 => latency.p90_ms,
        Percentile::P95 => latency.p95_ms,
        Percentile::P99 => latency.p99_ms,
        Percentile::P999 => latency.p999_ms,
    }
}

fn ms_text(ms: f64) -> String {
    if ms.is_finite() { format!("{ms:.0} ms") } else { "not measured (nothing was answered)".into() }
}

fn percent(share: f64) -> String {
    if share > 0.0 && share < 0.001 { format!("{:.3} %", share * 100.0) } else { format!("{:.1} %", share * 100.0) }
}

fn trim_secs(s: f64) -> String {
    let t = format!("{s:.1}");
    t.trim_end_matches(".0").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_scenario;

    const DESIGN: &str = r#"(
        name: "one server",
        nodes: [
            (id: "users", kind: Client(arrivals: Poisson(rate: 10))),
            (id: "api", kind: Service(workers: 4, service_time: Exponential(mean_ms: 10))),
        ],
        edges: [(from: "users", to: "api")],
        challenge: (
            goals: [Latency(percentile: P99, ms: 100), ErrorRate(at_most: 0.01), Throughput(at_least_rps: 190)],
            load: [(client: "users", rate: 200)],
            duration_s: 30,
            warmup_s: 5,
            hints: ["Look at utilisation."],
        ),
    )"#;

    fn design() -> Scenario {
        parse_scenario(DESIGN, "challenge.ron").expect("a valid challenge")
    }

    #[test]
    fn the_challenge_sets_the_load_whatever_the_design_asks_for() {
        let s = evaluation_scenario(&design()).expect("a challenge");
        assert!(matches!(&s.nodes[0].kind, NodeKind::Client(c) if c.arrivals == Arrivals::Poisson { rate: 200.0 }));
        assert_eq!((s.duration_s, s.warmup_s), (30.0, 5.0));
    }

    #[test]
    fn a_design_with_room_passes_every_goal_with_full_marks() {
        let e = evaluate(&design(), &mut |_| true).expect("evaluated");
        assert!(e.passed && e.score == 100, "{e:#?}");
        assert!(e.broke_first.is_none());
        assert_eq!(e.hints, ["Look at utilisation."]);
    }

    #[test]
    fn an_overloaded_design_fails_with_partial_credit_and_says_where_it_broke() {
        let mut d = design();
        if let NodeKind::Service(s) = &mut d.nodes[1].kind {
            s.workers = 2;
            s.queue_capacity = Some(20);
        }
        let e = evaluate(&d, &mut |_| true).expect("evaluated");
        assert!(!e.passed);
        assert!((1..100).contains(&e.score), "{}", e.score);
        assert!(e.goals.iter().any(|g| !g.passed && g.score > 0.0 && g.score < 0.5), "{:#?}", e.goals);
        let broke = e.broke_first.as_ref().expect("it broke");
        assert!(broke.at_s >= 5.0, "after the warm-up: {broke:?}");
        assert!(!e.causes.is_empty() && !e.advice.is_empty(), "{e:#?}");
    }

    #[test]
    fn cancelling_stops_the_evaluation() {
        let mut calls = 0;
        let result = evaluate(&design(), &mut |_| {
            calls += 1;
            calls < 3
        });
        assert_eq!(result, Err(ChallengeError::Cancelled));
        assert_eq!(calls, 3);
    }

    #[test]
    fn a_scenario_without_a_challenge_is_not_graded() {
        let mut d = design();
        d.challenge = None;
        assert_eq!(evaluate(&d, &mut |_| true), Err(ChallengeError::NotAChallenge));
    }
}
