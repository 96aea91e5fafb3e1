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
mod text;

use serde::Serialize;

pub use advice::Advice;
pub use cause::{BreakerEvidence, Cause, RetryLayer};
/// How the diagnosis writes a duration, shared with the app.
pub use text::ms;

use crate::scenario::Scenario;
use crate::sim::{LatencySummary, Report};
use detect::Run;
use text::{count, counted, percent, times};

/// What a run says about the design: a headline, a summary of the
/// numbers, and the findings, most explanatory first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnosis {
    /// One line: healthy, or the main cause with its counts.
    pub headline: String,
    /// Requests end to end (and attempts, when retries made more), errors, latency.
    pub summary: String,
    /// Ordered by the failed attempts each explains, most first; a cause
    /// that explains as many as another but is its root comes first
    /// (retries before the saturation they cause). Never empty: a run
    /// with nothing to say has one [`Cause::Healthy`] finding.
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
}

impl Finding {
    /// A finding with no breaker to credit (yet: [`detect::breakers`]
    /// files them once every cause is found).
    fn new(cause: Cause, explains: u64, advice: Vec<Advice>) -> Finding {
        Finding { cause, explains, advice, breakers: Vec::new() }
    }

    /// The evidence: what happened, with its counts, and what the breakers
    /// did about it.
    pub fn evidence(&self) -> String {
        let mut text = self.cause.to_string();
        for b in &self.breakers {
            text += "; ";
            text += &b.clause(&self.cause);
        }
        text
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
}

impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        FindingRecord {
            cause: &self.cause,
            evidence: self.evidence(),
            explains: self.explains,
            advice: &self.advice,
            breakers: &self.breakers,
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
    detect::bulkheads(&run, &mut findings);
    detect::outages(&run, &mut findings);
    detect::links(&run, &mut findings);
    detect::caches(&run, &mut findings);
    detect::pools(&run, &amplified, &mut findings);
    detect::edge_timeouts(&run, &amplified, &mut findings);
    detect::timeouts(&run, &amplified, &mut findings);
    // Last: a breaker is credited on the finding of what it shielded.
    let orphans = detect::breakers(&run, &mut findings);
    // Where retries already multiply at several layers, another layer is
    // the wrong advice for any cause.
    for f in &mut findings {
        f.advice.retain(|a| !matches!(a, Advice::AddCappedRetries { client } if amplified.layered.contains(client)));
    }
    findings.sort_by(|a, b| b.explains.cmp(&a.explains).then(a.cause.rank().cmp(&b.cause.rank())));

    let failed = report.end_to_end.failed;
    if failed > 0 && findings.iter().all(|f| f.explains == 0) {
        findings.insert(0, Finding::new(Cause::Unexplained { failed }, 0, vec![Advice::ReadFailuresPerNode]));
    }
    // Breakers whose trouble no finding names: their refusals are failures
    // nothing above explains, said where they are.
    if !orphans.is_empty() {
        if !findings.iter().any(|f| matches!(f.cause, Cause::Unexplained { .. })) {
            let refused = orphans.iter().map(|b| b.refused).sum();
            findings.push(Finding::new(Cause::Unexplained { failed: refused }, 0, vec![Advice::ReadFailuresPerNode]));
        }
        if let Some(f) = findings.iter_mut().find(|f| matches!(f.cause, Cause::Unexplained { .. })) {
            f.breakers = orphans;
        }
    }
    if findings.is_empty() {
        findings.push(Finding::new(Cause::Healthy, 0, vec![Advice::FindTheLimit]));
    }
    let headline = headline(&findings, failed);
    Diagnosis { headline, summary: summary(report), findings }
}

/// The top finding's headline when requests failed. When none did: a
/// saturated pool is what breaks first under more load; attempts that
/// failed (and were retried) are worth a line; notes that explain no
/// failure (a cache still filling) leave the run healthy.
fn headline(findings: &[Finding], failed_requests: u64) -> String {
    let Some(top) = findings.first() else { return Cause::Healthy.headline(0) };
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
        return line;
    }
    if let Some(Cause::Saturated { node, .. }) =
        findings.iter().map(|f| &f.cause).find(|c| matches!(c, Cause::Saturated { .. }))
    {
        return format!("Runs, but {node} is saturated: it will break first under more load.");
    }
    if top.explains > 0 {
        return format!("No request failed, but {}.", top.cause);
    }
    Cause::Healthy.headline(0)
}

/// Requests end to end, with the attempts they took when retries made more.
fn summary(report: &Report) -> String {
    let e2e = &report.end_to_end;
    let answered = e2e.ok + e2e.failed;
    let mut line = format!(
        "{} in {:.0} s simulated: {} ok, {} failed ({}); p50 {}, p99 {}",
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
