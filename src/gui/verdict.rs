//! The verdict after a run: what broke first, in a sentence with counts,
//! and two to four concrete fixes tied to what happened. Built from the
//! engine's [`Report`] (totals since warm-up) and the scenario.

use crate::scenario::{Arrivals, NodeKind, Scenario};
use crate::sim::{NodeReport, Report};

use super::format;

/// What the run says about the design.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// One line: healthy or where it broke.
    pub headline: String,
    /// Requests, errors and latency end to end.
    pub summary: String,
    /// The engine's bottleneck sentence, if there is one.
    pub bottleneck: Option<String>,
    pub suggestions: Vec<String>,
}

fn node_spec<'a>(scenario: &'a Scenario, id: &str) -> Option<&'a NodeKind> {
    scenario.node(id).map(|n| &n.kind)
}

/// The verdict for `report`, a run of `scenario`.
pub fn verdict(report: &Report, scenario: &Scenario) -> Verdict {
    let e2e = &report.end_to_end;
    let answered = e2e.ok + e2e.failed;
    let summary = format!(
        "{} requests in {:.0} s simulated: {} ok, {} failed ({}); p50 {}, p99 {}",
        format::count(answered),
        report.sim_time_s - report.warmup_s,
        format::count(e2e.ok),
        format::count(e2e.failed),
        format::percent(e2e.error_ratio),
        format::percentile_ms(&e2e.latency, e2e.latency.p50_ms),
        format::percentile_ms(&e2e.latency, e2e.latency.p99_ms),
    );
    let headline = match &report.bottleneck {
        Some(b) if e2e.failed > 0 => {
            format!("Breaks first at {}: {} requests failed.", b.node, format::count(e2e.failed))
        }
        Some(b) => format!("Runs, but {} is saturated: it will break first under more load.", b.node),
        None if e2e.failed > 0 => format!("{} requests failed, but no node is saturated.", format::count(e2e.failed)),
        None => "Healthy: no node saturated, no request failed.".to_string(),
    };
    let mut suggestions = Vec::new();
    if let Some(b) = &report.bottleneck
        && let Some(n) = report.nodes.iter().find(|n| n.id == b.node)
    {
        suggest_for_bottleneck(n, scenario, report, &mut suggestions);
    }
    suggest_for_clients(report, scenario, &mut suggestions);
    suggest_for_caches(report, scenario, &mut suggestions);
    if suggestions.is_empty() {
        suggestions.push("Press the spike button or crash a node from its right-click menu to find the limit.".into());
    }
    suggestions.truncate(4);
    Verdict { headline, summary, bottleneck: report.bottleneck.as_ref().map(ToString::to_string), suggestions }
}

fn suggest_for_bottleneck(n: &NodeReport, scenario: &Scenario, report: &Report, out: &mut Vec<String>) {
    let s = &n.stats;
    let util = s.utilisation.map_or_else(|| "–".into(), format::percent);
    let has_lb_in_front = scenario
        .edges
        .iter()
        .filter(|e| e.to == n.id)
        .any(|e| matches!(node_spec(scenario, &e.from), Some(NodeKind::LoadBalancer(_))));
    match node_spec(scenario, &n.id) {
        Some(NodeKind::Service(spec)) => {
            out.push(format!(
                "Give {} more workers: {} of {} busy on average ({} waited for one).",
                n.id,
                util,
                spec.workers,
                s.wait_probability.map_or_else(|| "–".into(), format::percent)
            ));
            if has_lb_in_front {
                out.push(format!("Add another replica of {} behind its load balancer.", n.id));
            } else {
                out.push(format!("Put a load balancer in front of {} and run two or more copies.", n.id));
            }
            if spec.blocking_calls && scenario.out_edges(&n.id).next().is_some() {
                out.push(format!(
                    "{} holds its worker while waiting downstream; speeding up what it calls frees workers too.",
                    n.id
                ));
            }
        }
        Some(NodeKind::Database(spec)) => {
            let writes: f64 = scenario
                .nodes
                .iter()
                .filter_map(|n| if let NodeKind::Client(c) = &n.kind { Some(c.write_fraction) } else { None })
                .fold(0.0, f64::max);
            let has_cache_in_front = scenario
                .edges
                .iter()
                .filter(|e| e.to == n.id)
                .any(|e| matches!(node_spec(scenario, &e.from), Some(NodeKind::Cache(_))));
            out.push(format!("Raise the connection pool of {} (now {}, {} busy).", n.id, spec.connections, util));
            if !has_cache_in_front {
                out.push(format!("Put a cache in front of {}: repeated reads then never reach it.", n.id));
            }
            if writes < 0.5 {
                out.push(format!(
                    "Add read replicas to {}: reads go to them, only writes ({}) to the primary.",
                    n.id,
                    format::percent(writes)
                ));
            }
        }
        Some(NodeKind::Queue(spec)) => {
            out.push(format!(
                "Add consumers to {} (now {}) or raise its capacity ({}).",
                n.id,
                spec.consumers,
                format::count(u64::from(spec.capacity))
            ));
        }
        Some(NodeKind::LoadBalancer(_)) if s.failures.node_down > 0 => {
            out.push(format!(
                "{} had no healthy target for {} requests: add replicas, or shorten the health-check delay.",
                n.id,
                format::count(s.failures.node_down)
            ));
        }
        _ => {}
    }
    if s.failures.rejected > 0 {
        out.push(format!(
            "{} turned away {} requests with a full queue: a longer queue only trades errors for latency; add capacity.",
            n.id,
            format::count(s.failures.rejected)
        ));
    }
    if s.failures.node_down > 0 && !matches!(node_spec(scenario, &n.id), Some(NodeKind::LoadBalancer(_))) {
        out.push(format!(
            "{} requests failed while {} was down: run it behind a load balancer with a second copy.",
            format::count(s.failures.node_down),
            n.id
        ));
    }
    let _ = report;
}

fn suggest_for_clients(report: &Report, scenario: &Scenario, out: &mut Vec<String>) {
    for n in &report.nodes {
        let Some(NodeKind::Client(c)) = node_spec(scenario, &n.id) else { continue };
        if n.stats.failures.timeout > 0
            && let Some(t) = c.timeout_ms
        {
            out.push(format!(
                "{} gave up on {} requests after {}: the p99 it saw was {}.",
                n.id,
                format::count(n.stats.failures.timeout),
                format::ms(t),
                format::percentile_ms(&n.stats.latency, n.stats.latency.p99_ms)
            ));
        }
        if let Some(r) = &c.retry
            && n.stats.retries > 0
            && n.stats.arrivals > 0
        {
            let extra = n.stats.retries as f64 / n.stats.arrivals as f64;
            if extra > 0.1 {
                out.push(format!(
                    "Retries added {} more load ({} attempts allowed): add jitter and backoff, or fewer attempts.",
                    format::percent(extra),
                    r.max_attempts
                ));
            }
        }
        if matches!(c.arrivals, Arrivals::Closed { .. }) && n.stats.latency.p99_ms > 1_000.0 {
            out.push(format!("{}'s users wait over a second at p99; a closed loop hides overload as slowness.", n.id));
        }
    }
}

fn suggest_for_caches(report: &Report, scenario: &Scenario, out: &mut Vec<String>) {
    for n in &report.nodes {
        if let (Some(NodeKind::Cache(_)), Some(h)) = (node_spec(scenario, &n.id), n.stats.hit_ratio)
            && h < 0.5
        {
            if report.sim_time_s < 30.0 {
                out.push(format!(
                    "{} answered {} of reads so far; a cold cache needs time to fill: run longer before judging it.",
                    n.id,
                    format::percent(h)
                ));
            } else {
                out.push(format!(
                    "{} answered only {} of reads: give it more capacity or a longer TTL, or check the key popularity.",
                    n.id,
                    format::percent(h)
                ));
            }
        }
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
        if let Some(b) = &v.bottleneck {
            ui.label(RichText::new(b).small().color(ui.visuals().warn_fg_color));
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
    use crate::scenario::default_scenario;
    use crate::sim::{SimTime, Simulation};

    #[test]
    fn a_healthy_run_says_so() {
        let s = default_scenario();
        let mut sim = Simulation::new(&s).expect("builds");
        sim.run_until(SimTime::from_secs(5.0));
        let v = verdict(&sim.report(), &s);
        assert!(v.headline.starts_with("Healthy"), "{v:?}");
        assert!(!v.suggestions.is_empty());
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
}
