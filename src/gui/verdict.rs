//! The verdict after a run: a thin presenter over [`crate::diagnosis`],
//! which finds the causes (retries, faults, cold caches, full queues,
//! saturation) headless so the command line and a grader read the same.
//! Here the diagnosis only becomes the sentences the verdict card shows,
//! in the app's font.

use crate::diagnosis::{Diagnosis, diagnose};
use crate::scenario::Scenario;
use crate::sim::Report;

use super::problems::in_app_words;

/// Suggestions the card shows at most: the most telling advice of the
/// top findings.
const SUGGESTIONS_SHOWN: usize = 4;

/// Findings whose evidence the card shows at most.
const FINDINGS_SHOWN: usize = 3;

/// What the run says about the design.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// One line: healthy, or the main cause with its counts.
    pub headline: String,
    /// Requests (and attempts), errors and latency end to end.
    pub summary: String,
    /// The evidence behind the headline (the top finding's facts), if
    /// something is wrong.
    pub bottleneck: Option<String>,
    /// The evidence of the next findings, most explanatory first.
    pub also: Vec<String>,
    pub suggestions: Vec<String>,
    /// The typed findings the sentences come from.
    pub diagnosis: Diagnosis,
    /// One line per SLO (measured share, budget used, alerts fired) and
    /// whether it needs attention; empty without SLOs.
    pub slos: Vec<(String, bool)>,
}

/// The verdict for `report`, a run of `scenario`.
pub fn verdict(report: &Report, scenario: &Scenario) -> Verdict {
    let diagnosis = diagnose(report, scenario);
    let mut evidence = diagnosis
        .findings
        .iter()
        .filter(|f| !matches!(f.cause, crate::diagnosis::Cause::Healthy))
        .take(FINDINGS_SHOWN)
        .map(|f| in_app_words(&f.evidence()));
    let bottleneck = evidence.next();
    let also = evidence.collect();
    let suggestions =
        diagnosis.advice().into_iter().take(SUGGESTIONS_SHOWN).map(|a| in_app_words(&a.to_string())).collect();
    Verdict {
        headline: in_app_words(&diagnosis.headline),
        summary: in_app_words(&diagnosis.summary),
        bottleneck,
        also,
        suggestions,
        diagnosis,
        slos: report.slos.iter().map(|s| (s.readout(), s.troubled())).collect(),
    }
}

/// The verdict card in the bottom panel.
pub fn verdict_ui(ui: &mut eframe::egui::Ui, verdict: Option<&Verdict>, commands: &mut Vec<super::command::Command>) {
    use eframe::egui::{RichText, ScrollArea};
    let Some(v) = verdict else {
        ui.weak("Pause the run to get a verdict: what broke first, and what to change.");
        return;
    };
    ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        ui.label(RichText::new(&v.headline).strong());
        ui.label(RichText::new(&v.summary).small());
        for evidence in v.bottleneck.iter().chain(&v.also) {
            ui.label(RichText::new(evidence).small().color(ui.visuals().warn_fg_color));
        }
        if !v.slos.is_empty() {
            ui.add_space(4.0);
            ui.label(RichText::new("SLOs:").strong());
            for (line, troubled) in &v.slos {
                let color = if *troubled { ui.visuals().error_fg_color } else { ui.visuals().text_color() };
                ui.label(RichText::new(line).small().color(color));
            }
        }
        ui.add_space(4.0);
        ui.label(RichText::new("Try:").strong());
        for s in &v.suggestions {
            ui.label(format!("• {s}"));
        }
        ui.add_space(4.0);
        if ui.button("Run again, same setup").on_hover_text("Reset to time zero with the same seed, and play").clicked()
        {
            commands.push(super::command::Command::RunAgain);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{NodeKind, bundled, default_scenario};
    use crate::sim::{SimTime, Simulation};

    #[test]
    fn a_healthy_run_says_so() {
        let s = default_scenario();
        let mut sim = Simulation::new(&s).expect("builds");
        sim.run_until(SimTime::from_secs(5.0));
        let v = verdict(&sim.report(), &s);
        assert!(v.headline.starts_with("Healthy"), "{v:?}");
        assert!(!v.suggestions.is_empty());
        // The app speaks its own words: the cold-cache advice names the
        // warm-up setting as the inspector does, not the file field.
        assert!(v.suggestions.iter().all(|t| !t.contains('`') && !t.contains("warmup_s")), "{v:?}");
    }

    #[test]
    fn a_starved_database_gets_named_with_fixes() {
        let mut s = default_scenario();
        let db = s.node_index("db").expect("db");
        if let NodeKind::Database(d) = &mut s.nodes[db].kind {
            d.connections = 2;
            d.queue_capacity = Some(10);
        }
        let mut sim = Simulation::new(&s).expect("builds");
        sim.run_until(SimTime::from_secs(5.0));
        let v = verdict(&sim.report(), &s);
        assert!(v.headline.contains("db"), "{v:?}");
        assert!(v.suggestions.iter().any(|t| t.contains("connection pool")), "{v:?}");
        assert!((2..=4).contains(&v.suggestions.len()), "{v:?}");
    }

    #[test]
    fn a_retry_storm_is_blamed_on_the_retries_not_the_workers() {
        let s = bundled("retry-storm").expect("bundled").load().expect("valid");
        let mut sim = Simulation::new(&s).expect("builds");
        sim.run_until(SimTime::from_secs(s.duration_s));
        let v = verdict(&sim.report(), &s);
        assert!(v.headline.contains("Retries") && v.headline.contains("attempts"), "{v:?}");
        assert!(v.suggestions[0].contains("retries") && v.suggestions[0].contains("backoff"), "{v:?}");
        assert!(!v.suggestions.iter().any(|t| t.contains("more workers")), "{v:?}");
        assert!(v.suggestions[0].contains("“attempts”"), "{v:?}");
    }
}
