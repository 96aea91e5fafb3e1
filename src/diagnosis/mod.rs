//! The diagnosis behind the verdict: why a run failed (or is about to),
//! as typed findings ordered by how much of the failure each explains,
//! each with advice that follows its cause.
//!
//! Pure: built from an engine [`Report`] and the [`Scenario`] it ran, with
//! no egui, no threads and no clock, so the app's verdict, the command
//! line's summary and a challenge graded headless all read the same
//! diagnosis.
//!
//! Counts keep two units apart. **Requests** are what users saw, end to
//! end: one per logical request, after its retries. **Attempts** are what
//! a node saw: each try of a request, retries included. A retry storm fails
//! a few thousand requests while its service turns away ten thousand
//! attempts; the sentences say which is which.
//!
//! ```
//! use archsim::diagnosis::{Cause, diagnose};
//! use archsim::scenario::bundled;
//! use archsim::sim::{SimTime, Simulation};
//!
//! let scenario = bundled("retry-storm").expect("bundled").load().expect("valid");
//! let mut sim = Simulation::new(&scenario).expect("builds");
//! sim.run_until(SimTime::from_secs(scenario.duration_s));
//! let diagnosis = diagnose(&sim.report(), &scenario);
//! assert!(matches!(diagnosis.findings[0].cause, Cause::RetryAmplification { .. }));
//! ```

mod advice;
mod cause;
mod detect;
pub mod heat;
mod text;
mod theory_check;

use serde::Serialize;

pub use advice::Advice;
pub use cause::{BreakerEvidence, Cause, FallbackEvidence, LetThrough, LinkWay, RetryLayer};
/// How the diagnosis writes a duration, shared with the app.
pub use text::{fault_text, ms};
pub use theory_check::{Surroundings, TheoryCheck, TheoryModel, theory_check};

use crate::scenario::Scenario;
use crate::sim::{LatencySummary, Report, Stats};
use detect::Run;
use text::{count, counted, percent, times};

/// What a run says about the design: a headline, a summary of the
/// numbers, and the findings, most explanatory first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnosis {
    /// One line: healthy, or the main cause with its counts, and the
    /// requests fallbacks answered degraded (never healthy when any were).
    pub headline: String,
    /// Requests end to end (and attempts, when retries made more): ok,
    /// degraded, failed, latency.
    pub summary: String,
    /// Ordered by the failed attempts each explains, most first; a cause
    /// that explains as many as another but is its root comes first
    /// (retries before the saturation they cause). When no request failed
    /// but some were answered degraded, the finding whose fallbacks
    /// answered most comes first. Never empty: a run with nothing to say
    /// has one [`Cause::Healthy`] finding.
    pub findings: Vec<Finding>,
}

/// One cause, how much of the failure it explains, and what to change.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub cause: Cause,
    /// Failed attempts this cause accounts for; 0 for a warning (a
    /// saturated pool that has not failed anything yet).
    pub explains: u64,
    /// Most telling first.
    pub advice: Vec<Advice>,
    /// Breakers that failed calls fast because of this cause: evidence of
    /// what worked, their refusals counted in `explains` (see
    /// [`BreakerEvidence`] for why they are not findings of their own).
    pub breakers: Vec<BreakerEvidence>,
    /// Fallbacks that answered this cause's failed calls degraded:
    /// evidence of what worked, adding nothing to `explains` (see
    /// [`FallbackEvidence`] for why degraded answers are not a cause).
    pub fallbacks: Vec<FallbackEvidence>,
}

impl Finding {
    /// A finding with no breaker or fallback to credit (yet:
    /// [`detect::breakers`] and [`detect::fallbacks`] file them once every
    /// cause is found).
    fn new(cause: Cause, explains: u64, advice: Vec<Advice>) -> Finding {
        Finding { cause, explains, advice, breakers: Vec::new(), fallbacks: Vec::new() }
    }

    /// The evidence: what happened, with its counts, and what the breakers
    /// and the fallbacks did about it.
    pub fn evidence(&self) -> String {
        let mut text = self.cause.to_string();
        for b in &self.breakers {
            text += "; ";
            text += &b.clause(&self.cause);
        }
        if self.fallbacks.len() > FALLBACKS_NAMED {
            // A fan-out's many edges: one clause for them all.
            text += &format!(
                "; {} answered {} degraded instead of failing them",
                fallback_labels(&self.fallbacks),
                counted(self.degraded(), "call", "calls")
            );
        } else {
            for fb in &self.fallbacks {
                text += "; ";
                text += &fb.clause();
            }
        }
        text
    }

    /// Calls its fallbacks answered degraded.
    fn degraded(&self) -> u64 {
        self.fallbacks.iter().map(|fb| fb.answered).sum()
    }
}

/// A finding as the JSON writes it: the cause's facts, the evidence
/// sentence, the count it explains and the advice.
#[derive(Serialize)]
struct FindingRecord<'a> {
    cause: &'a Cause,
    evidence: String,
    explains: u64,
    advice: &'a [Advice],
    breakers: &'a [BreakerEvidence],
    fallbacks: &'a [FallbackEvidence],
}

impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        FindingRecord {
            cause: &self.cause,
            evidence: self.evidence(),
            explains: self.explains,
            advice: &self.advice,
            breakers: &self.breakers,
            fallbacks: &self.fallbacks,
        }
        .serialize(serializer)
    }
}

impl Diagnosis {
    /// The finding behind the headline.
    pub fn top(&self) -> Option<&Finding> {
        self.findings.first()
    }

    /// Every piece of advice, in the findings' order, each once.
    pub fn advice(&self) -> Vec<&Advice> {
        let mut seen: Vec<&Advice> = Vec::new();
        for a in self.findings.iter().flat_map(|f| &f.advice) {
            if !seen.contains(&a) {
                seen.push(a);
            }
        }
        seen
    }
}

/// The diagnosis of `report`, a run of `scenario`.
pub fn diagnose(report: &Report, scenario: &Scenario) -> Diagnosis {
    let run = Run::new(report, scenario);
    let mut findings = Vec::new();
    let mut amplified = detect::retry_layers(&run, &mut findings);
    detect::retry_amplification(&run, &mut amplified, &mut findings);
    detect::errors(&run, &mut findings);
    detect::rate_limits(&run, &mut findings);
    detect::shedding(&run, &mut findings);
    detect::duplicate_writes(&run, &mut findings);
    detect::throttling(&run, &mut findings);
    detect::expired_work(&run, &mut findings);
    detect::bulkheads(&run, &mut findings);
    detect::outages(&run, &mut findings);
    detect::links(&run, &mut findings);
    detect::caches(&run, &mut findings);
    detect::pools(&run, &amplified, &mut findings);
    detect::fan_out_tails(&run, &mut findings);
    detect::edge_timeouts(&run, &amplified, &mut findings);
    detect::timeouts(&run, &amplified, &mut findings);
    // Last: a breaker, then a fallback, is credited on the finding of what
    // it shielded; where they held, more of them is not advised.
    let orphans = detect::breakers(&run, &mut findings);
    let orphan_fallbacks = detect::fallbacks(&run, &mut findings);
    detect::leave_out_what_held(&run, &mut findings);
    // Where retries already multiply at several layers, another layer is
    // the wrong advice for any cause.
    for f in &mut findings {
        f.advice.retain(|a| !matches!(a, Advice::AddCappedRetries { client } if amplified.layered.contains(client)));
    }
    findings.sort_by(|a, b| b.explains.cmp(&a.explains).then(a.cause.rank().cmp(&b.cause.rank())));

    let e2e = &report.end_to_end;
    let failed = e2e.failed;
    if failed > 0 && findings.iter().all(|f| f.explains == 0) {
        findings.insert(0, Finding::new(Cause::Unexplained { failed }, 0, vec![Advice::ReadFailuresPerNode]));
    }
    // Breakers and fallbacks whose trouble no finding names: their
    // refusals and answers are failed calls nothing above explains, said
    // where they are.
    if !orphans.is_empty() || !orphan_fallbacks.is_empty() {
        if !findings.iter().any(|f| matches!(f.cause, Cause::Unexplained { .. })) {
            let refused = orphans.iter().map(|b| b.refused).sum();
            findings.push(Finding::new(
                // Calls, when no request failed: they were retried or answered.
                Cause::Unexplained { failed: if failed == 0 { 0 } else { refused } },
                0,
                vec![Advice::ReadFailuresPerNode],
            ));
        }
        if let Some(f) = findings.iter_mut().find(|f| matches!(f.cause, Cause::Unexplained { .. })) {
            f.breakers = orphans;
            f.fallbacks = orphan_fallbacks;
        }
    }
    // No request failed but some were answered degraded: what users saw
    // is the fallbacks' doing, and its cause leads.
    if failed == 0
        && e2e.degraded > 0
        && let Some(i) = (0..findings.len()).max_by_key(|&i| (findings[i].degraded(), std::cmp::Reverse(i)))
        && findings[i].degraded() > 0
    {
        let first = findings.remove(i);
        findings.insert(0, first);
    }
    if findings.is_empty() {
        findings.push(Finding::new(Cause::Healthy, 0, vec![Advice::FindTheLimit]));
    }
    let headline = headline(&findings, e2e);
    Diagnosis { headline, summary: summary(report), findings }
}

/// The top finding's headline when requests failed, with its breakers and
/// what fallbacks answered besides. When none failed but some were
/// answered degraded: the cause, and the share the fallbacks answered;
/// never healthy. When none was either: a saturated pool is what breaks
/// first under more load; a fan-out as slow as its slowest call is worth
/// a line; attempts that failed (and were retried) too; notes that explain
/// no failure (a cache still filling) leave the run healthy.
fn headline(findings: &[Finding], e2e: &Stats) -> String {
    let Some(top) = findings.first() else { return Cause::Healthy.headline(0) };
    let line = failure_headline(top, findings, e2e);
    // Writes applied twice are said whatever else happened: a double
    // charge matters more than a slow page.
    let doubled = findings.iter().map(|f| &f.cause).find(|c| matches!(c, Cause::DuplicateWrites { .. }));
    match (line, doubled) {
        (Some(line), Some(Cause::DuplicateWrites { database, duplicates, .. })) => format!(
            "{}; {database} applied {} twice.",
            line.trim_end_matches('.'),
            counted(*duplicates, "repeated write", "repeated writes")
        ),
        (Some(line), _) => line,
        (None, Some(Cause::DuplicateWrites { database, duplicates, .. })) => format!(
            "Every request succeeded, but {database} applied {} twice: the first try had gone through after all.",
            counted(*duplicates, "repeated write", "repeated writes")
        ),
        (None, _) => quiet_headline(top, findings),
    }
}

/// The headline when requests failed or were answered degraded; `None`
/// when every request succeeded.
fn failure_headline(top: &Finding, findings: &[Finding], e2e: &Stats) -> Option<String> {
    let failed_requests = e2e.failed;
    if failed_requests > 0 {
        let mut line = top.cause.headline(failed_requests);
        for b in &top.breakers {
            line = format!(
                "{}; the breaker on {} → {} failed {} fast.",
                line.trim_end_matches('.'),
                b.from,
                b.to,
                text::counted(b.refused, "call", "calls")
            );
        }
        if e2e.degraded > 0 {
            line = format!(
                "{}; {} more ({}) were answered degraded by {}.",
                line.trim_end_matches('.'),
                count(e2e.degraded),
                percent(e2e.degraded_ratio),
                fallback_labels(findings.iter().flat_map(|f| &f.fallbacks))
            );
        }
        return Some(line);
    }
    if e2e.degraded > 0 {
        let degraded = format!(
            "{} ({}) were answered degraded by {}; none failed.",
            counted(e2e.degraded, "request", "requests"),
            percent(e2e.degraded_ratio),
            fallback_labels(findings.iter().flat_map(|f| &f.fallbacks))
        );
        return Some(match top.cause.degraded_lead() {
            Some(lead) => format!("{lead}: {degraded}"),
            None => text::capitalised(&degraded),
        });
    }
    None
}

/// The headline when every request succeeded: a saturated pool, a slow
/// fan-out, or the top note; healthy otherwise.
fn quiet_headline(top: &Finding, findings: &[Finding]) -> String {
    let warning = |pick: fn(&Cause) -> bool| findings.iter().map(|f| &f.cause).find(|c| pick(c));
    if let Some(Cause::Saturated { node, .. }) = warning(|c| matches!(c, Cause::Saturated { .. })) {
        return format!("Runs, but {node} is saturated: it will break first under more load.");
    }
    if let Some(Cause::FullTableScan { node, rows, .. }) = warning(|c| matches!(c, Cause::FullTableScan { .. })) {
        return format!(
            "Runs, but {node} scans all {} rows for every query: it is saturated, and breaks as the table grows.",
            text::count(*rows)
        );
    }
    if let Some(Cause::HotShard { node, shard, .. }) = warning(|c| matches!(c, Cause::HotShard { .. })) {
        return format!("Runs, but shard {shard} of {node} is saturated by its hot keys: it will break first.");
    }
    if let Some(Cause::FanOutTail { node, p99_ms, calls_p50_ms, .. }) =
        warning(|c| matches!(c, Cause::FanOutTail { .. }))
    {
        return format!(
            "Runs, but {node} is as slow as the slowest of its parallel calls: {} at p99 where its calls take {} at p50.",
            ms(*p99_ms),
            ms(*calls_p50_ms)
        );
    }
    if top.explains > 0 {
        return format!("No request failed, but {}.", top.cause);
    }
    Cause::Healthy.headline(0)
}

/// Fallbacks a sentence names one by one; beyond, it counts the others.
const FALLBACKS_NAMED: usize = 2;

/// Fallbacks as a sentence names them, most answers first: "the fallback
/// on shop → recs", two joined with "and", more as "the fallbacks on
/// search → shard-8, search → shard-3 and 18 other edges".
fn fallback_labels<'a>(fallbacks: impl IntoIterator<Item = &'a FallbackEvidence>) -> String {
    let mut fallbacks: Vec<&FallbackEvidence> = fallbacks.into_iter().collect();
    fallbacks.sort_by_key(|fb| std::cmp::Reverse(fb.answered));
    match fallbacks.as_slice() {
        [] => "a fallback".into(),
        [one] => one.label(),
        [one, two] => format!("{} and {}", one.label(), two.label()),
        [one, two, rest @ ..] => format!(
            "the fallbacks on {} → {}, {} → {} and {}",
            one.from,
            one.to,
            two.from,
            two.to,
            counted(rest.len() as u64, "other edge", "other edges")
        ),
    }
}

/// Requests end to end (ok, degraded when a fallback answered, failed),
/// with the attempts they took when retries made more.
fn summary(report: &Report) -> String {
    let e2e = &report.end_to_end;
    let answered = e2e.ok + e2e.degraded + e2e.failed;
    let degraded = if e2e.degraded > 0 {
        format!("{} degraded ({}), ", count(e2e.degraded), percent(e2e.degraded_ratio))
    } else {
        String::new()
    };
    let mut line = format!(
        "{} in {:.0} s simulated: {} ok, {degraded}{} failed ({}); p50 {}, p99 {}",
        counted(answered, "request", "requests"),
        report.sim_time_s - report.warmup_s,
        count(e2e.ok),
        count(e2e.failed),
        percent(e2e.error_ratio),
        percentile(&e2e.latency, e2e.latency.p50_ms),
        percentile(&e2e.latency, e2e.latency.p99_ms),
    );
    let attempts: u64 = report.nodes.iter().filter_map(|n| n.attempts).map(|a| a.sent).sum();
    if e2e.arrivals > 0 && attempts > e2e.arrivals {
        line += &format!(
            "; {} for {} ({} per request)",
            counted(attempts, "attempt", "attempts"),
            counted(e2e.arrivals, "request", "requests"),
            times(attempts as f64 / e2e.arrivals as f64)
        );
    }
    line
}

/// A percentile, or "–" when no request succeeded (a percentile of none is not 0 ms).
fn percentile(latency: &LatencySummary, value_ms: f64) -> String {
    if latency.count == 0 { "–".into() } else { ms(value_ms) }
}
