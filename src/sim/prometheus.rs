//! The report in Prometheus' text exposition format (version 0.0.4), so a
//! learner can point a real Prometheus and Grafana at a simulated system:
//! `archsim run --prometheus FILE` writes it once, and the app can serve it
//! live on a loopback `/metrics` endpoint.
//!
//! Counters are totals since the warm-up; gauges are the run's averages
//! (utilisation, queue length) and cost rate; latencies are a summary with
//! the usual quantiles. Label values are escaped as the format requires.

use std::fmt::Write as _;

use super::{FailureReason, Report};

/// The text for `report`. Every metric has its `# HELP` and `# TYPE`;
/// nodes are labelled by `node` and `kind`, edges by `from` and `to`.
pub fn prometheus_text(report: &Report) -> String {
    let mut out = String::new();
    let nodes = || report.nodes.iter().map(|n| (labels(&[("node", &n.id), ("kind", n.kind.label())]), n));

    family(
        &mut out,
        "archsim_requests_total",
        "counter",
        "Requests (attempts) that reached the node since the warm-up.",
    );
    for (l, n) in nodes() {
        sample(&mut out, "archsim_requests_total", &l, n.stats.arrivals as f64);
    }
    family(&mut out, "archsim_ok_total", "counter", "Requests the node answered successfully.");
    for (l, n) in nodes() {
        sample(&mut out, "archsim_ok_total", &l, n.stats.ok as f64);
    }
    family(&mut out, "archsim_degraded_total", "counter", "Requests answered by a fallback.");
    for (l, n) in nodes() {
        sample(&mut out, "archsim_degraded_total", &l, n.stats.degraded as f64);
    }
    family(&mut out, "archsim_failed_total", "counter", "Requests that failed at the node, by reason.");
    for (_, n) in nodes() {
        for reason in FailureReason::ALL {
            let count = n.stats.failures.get(reason);
            if count > 0 {
                let l = labels(&[("node", &n.id), ("kind", n.kind.label()), ("reason", reason.key())]);
                sample(&mut out, "archsim_failed_total", &l, count as f64);
            }
        }
    }
    // Seconds, Prometheus' base unit (its linter refuses `_ms`), so a
    // dashboard's duration axis reads them as it reads any exporter's.
    family(&mut out, "archsim_latency_seconds", "summary", "Time at the node of answered requests, seconds.");
    for (_, n) in nodes().filter(|(_, n)| n.stats.latency.count > 0) {
        let lat = &n.stats.latency;
        for (q, v) in [
            ("0.5", lat.p50_ms),
            ("0.9", lat.p90_ms),
            ("0.95", lat.p95_ms),
            ("0.99", lat.p99_ms),
            ("0.999", lat.p999_ms),
        ] {
            let l = labels(&[("node", &n.id), ("kind", n.kind.label()), ("quantile", q)]);
            sample(&mut out, "archsim_latency_seconds", &l, v / 1000.0);
        }
        let l = labels(&[("node", &n.id), ("kind", n.kind.label())]);
        sample(&mut out, "archsim_latency_seconds_sum", &l, lat.mean_ms * lat.count as f64 / 1000.0);
        sample(&mut out, "archsim_latency_seconds_count", &l, lat.count as f64);
    }
    family(&mut out, "archsim_utilisation_ratio", "gauge", "Busy workers over workers, averaged since the warm-up.");
    for (l, n) in nodes() {
        if let Some(u) = n.stats.utilisation {
            sample(&mut out, "archsim_utilisation_ratio", &l, u);
        }
    }
    family(&mut out, "archsim_queue_length", "gauge", "Requests waiting for a worker, time-averaged.");
    for (l, n) in nodes().filter(|(_, n)| n.workers.is_some()) {
        sample(&mut out, "archsim_queue_length", &l, n.stats.mean_queue_len);
    }
    family(&mut out, "archsim_edge_calls_total", "counter", "Calls sent over the edge.");
    for e in &report.edges {
        sample(&mut out, "archsim_edge_calls_total", &labels(&[("from", &e.from), ("to", &e.to)]), e.stats.sent as f64);
    }
    family(&mut out, "archsim_end_to_end_requests_total", "counter", "Requests made by every client.");
    sample(&mut out, "archsim_end_to_end_requests_total", "", report.end_to_end.arrivals as f64);
    family(&mut out, "archsim_end_to_end_failed_total", "counter", "Requests that failed end to end.");
    sample(&mut out, "archsim_end_to_end_failed_total", "", report.end_to_end.failed as f64);
    family(&mut out, "archsim_cost_per_hour_usd", "gauge", "The design's average cost rate, US dollars an hour.");
    sample(&mut out, "archsim_cost_per_hour_usd", "", report.cost.per_hour_usd);
    family(&mut out, "archsim_simulated_seconds", "gauge", "Simulated time of the report.");
    sample(&mut out, "archsim_simulated_seconds", "", report.sim_time_s);
    if !report.slos.is_empty() {
        slo_families(&mut out, report);
    }
    out
}

/// The SLOs as gauges labelled by `slo`, and the alerts firing at the
/// end as Prometheus' own `ALERTS` series, as its rule evaluation writes
/// it, so a dashboard built for a real one reads them.
fn slo_families(out: &mut String, report: &Report) {
    let slo = |name: &str| labels(&[("slo", name)]);
    family(out, "archsim_slo_objective_ratio", "gauge", "The share of events the SLO asks to be good.");
    for s in &report.slos {
        sample(out, "archsim_slo_objective_ratio", &slo(&s.name), s.objective.target_ratio());
    }
    family(out, "archsim_slo_sli_ratio", "gauge", "The share of events that were good, since the warm-up.");
    for s in &report.slos {
        sample(out, "archsim_slo_sli_ratio", &slo(&s.name), s.measured_percent / 100.0);
    }
    family(out, "archsim_slo_events_total", "counter", "Events the SLO judged since the warm-up.");
    for s in &report.slos {
        sample(out, "archsim_slo_events_total", &slo(&s.name), s.valid as f64);
    }
    family(out, "archsim_slo_bad_events_total", "counter", "Events that were too slow or failed.");
    for s in &report.slos {
        sample(out, "archsim_slo_bad_events_total", &slo(&s.name), s.bad as f64);
    }
    family(out, "archsim_slo_burn_rate", "gauge", "Bad share over the error budget's, since the warm-up.");
    for s in &report.slos {
        sample(out, "archsim_slo_burn_rate", &slo(&s.name), s.burn_rate);
    }
    family(out, "archsim_slo_error_budget_used_ratio", "gauge", "Share of the period's error budget spent.");
    for s in &report.slos {
        sample(out, "archsim_slo_error_budget_used_ratio", &slo(&s.name), s.budget_used_percent / 100.0);
    }
    family(out, "archsim_slo_alert_firings_total", "counter", "Times each alert fired.");
    for s in &report.slos {
        for a in &s.alerts {
            let l = labels(&[("slo", &s.name), ("alertname", &a.name)]);
            sample(out, "archsim_slo_alert_firings_total", &l, a.fired as f64);
        }
    }
    family(out, "ALERTS", "gauge", "Alerts firing at the end of the report, as Prometheus writes them.");
    for s in &report.slos {
        for a in s.alerts.iter().filter(|a| a.firing_at_end) {
            let l = labels(&[("alertname", &a.name), ("alertstate", "firing"), ("slo", &s.name)]);
            sample(out, "ALERTS", &l, 1.0);
        }
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn sample(out: &mut String, name: &str, labels: &str, value: f64) {
    let value = if value.is_finite() {
        format!("{value}")
    } else if value.is_nan() {
        "NaN".into()
    } else if value > 0.0 {
        "+Inf".into()
    } else {
        "-Inf".into()
    };
    let _ = writeln!(out, "{name}{labels} {value}");
}

/// `{a="x",b="y"}` with the values escaped (backslash, quote, newline).
fn labels(pairs: &[(&str, &str)]) -> String {
    let body: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")))
        .collect();
    format!("{{{}}}", body.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::default_scenario;
    use crate::sim::{SimTime, Simulation};

    #[test]
    fn every_sample_line_is_a_metric_with_labels_and_a_number() {
        let mut sim = Simulation::new(&default_scenario()).expect("builds");
        sim.run_until(SimTime::from_secs(5.0));
        let text = prometheus_text(&sim.report());
        assert!(text.contains("archsim_requests_total{node=\"users\",kind=\"Client\"}"), "{text}");
        assert!(text.contains("archsim_latency_seconds{node=\"db\",kind=\"Database\",quantile=\"0.99\"}"));
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let (series, value) = line.rsplit_once(' ').expect("a value");
            assert!(series.starts_with("archsim_"), "{line}");
            assert!(value.parse::<f64>().is_ok() || value == "NaN" || value.ends_with("Inf"), "{line}");
        }
        // Each family is declared once, before its samples.
        let types: Vec<&str> = text.lines().filter(|l| l.starts_with("# TYPE")).collect();
        let unique: std::collections::BTreeSet<&str> = types.iter().copied().collect();
        assert_eq!(types.len(), unique.len(), "a family declared twice: {types:?}");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(labels(&[("node", "a\"b\\c\nd")]), r#"{node="a\"b\\c\nd"}"#);
    }
}
