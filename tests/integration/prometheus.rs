//! The Prometheus text (issue 10) read back by real readers: the
//! `prometheus-parse` crate on every run, and Prometheus' own
//! `promtool check metrics` (format and naming lint) where it is
//! installed; CI installs it (Debian's `prometheus` package), and there
//! the check is required, so it cannot pass by being skipped.

use std::io::Write as _;
use std::process::{Command, Stdio};

use archsim::scenario::bundled;
use archsim::sim::{Report, SimTime, Simulation, prometheus::prometheus_text};
use prometheus_parse::{Sample, Scrape, Value};

/// Designs whose metrics between them use every family: plain services,
/// a cache and a database, failures by reason, and SLOs with alerts.
const DESIGNS: [&str; 3] = ["three-tier-web", "cache-in-front-of-db", "slo-burn-rate-alerts"];

fn report_of(name: &str, secs: f64) -> Report {
    let scenario = bundled(name).unwrap_or_else(|| panic!("no bundled scenario {name}")).load().expect("valid");
    let mut sim = Simulation::new(&scenario).expect("builds");
    sim.run_until(SimTime::from_secs(secs));
    sim.report()
}

fn scrape(text: &str) -> Scrape {
    Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).expect("the parser reads the text")
}

fn one<'a>(scrape: &'a Scrape, metric: &str, node: &str) -> &'a Sample {
    let mut found = scrape.samples.iter().filter(|s| s.metric == metric && s.labels.get("node") == Some(node));
    let sample = found.next().unwrap_or_else(|| panic!("no {metric} for {node}"));
    assert!(found.next().is_none(), "{metric} for {node} twice");
    sample
}

#[test]
fn prometheus_parse_reads_every_line_and_the_values_are_the_reports() {
    for name in DESIGNS {
        let report = report_of(name, 240.0);
        let text = prometheus_text(&report);
        let parsed = scrape(&text);

        // The parser skips what it cannot read, so count: every sample
        // line came back, a summary's quantile lines folded into one
        // sample per node.
        let lines = text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).count();
        let quantile_lines = text.lines().filter(|l| l.contains("quantile=\"")).count();
        let summaries = parsed.samples.iter().filter(|s| matches!(s.value, Value::Summary(_))).count();
        assert!(summaries > 0, "{name}: no latency summary");
        assert_eq!(parsed.samples.len(), lines - quantile_lines + summaries, "{name}: a line the parser did not read");

        // Every family has its help, and every sample a type: its own,
        // or for a summary's `_sum` and `_count` (which this parser does
        // not tie to their family) the summary's.
        let is_summary =
            |family: &str| parsed.samples.iter().any(|s| s.metric == family && matches!(s.value, Value::Summary(_)));
        for s in &parsed.samples {
            let family = s.metric.strip_suffix("_sum").or_else(|| s.metric.strip_suffix("_count"));
            let family = family.filter(|f| is_summary(f)).unwrap_or(&s.metric);
            assert!(parsed.docs.contains_key(family), "{name}: {} has no HELP", s.metric);
            assert!(!matches!(s.value, Value::Untyped(_)) || family != s.metric, "{name}: {} has no TYPE", s.metric);
        }

        // The numbers read back are the report's.
        for node in &report.nodes {
            let requests = one(&parsed, "archsim_requests_total", &node.id);
            assert_eq!(requests.value, Value::Counter(node.stats.arrivals as f64), "{name}/{}", node.id);
            if node.stats.latency.count == 0 {
                continue;
            }
            let Value::Summary(quantiles) = &one(&parsed, "archsim_latency_seconds", &node.id).value else {
                panic!("{name}/{}: latency is not a summary", node.id);
            };
            let p99 = quantiles.iter().find(|q| (q.quantile - 0.99).abs() < 1e-12).expect("a 0.99 quantile");
            let expected = node.stats.latency.p99_ms / 1000.0;
            assert!((p99.count - expected).abs() <= 1e-12 * expected.max(1.0), "{name}/{}: p99", node.id);
        }
        if !report.slos.is_empty() {
            assert!(parsed.samples.iter().any(|s| s.metric == "archsim_slo_burn_rate"), "{name}: SLO gauges");
        }
    }
}

/// `promtool check metrics` (exit 0: parsed, and nothing its linter
/// objects to, such as a unit abbreviated in a name).
#[test]
fn promtool_accepts_the_metrics() {
    if Command::new("promtool").arg("--version").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "CI installs promtool (Debian's prometheus package)");
        eprintln!("promtool is not installed here: skipped (apt install prometheus)");
        return;
    }
    for name in DESIGNS {
        let text = prometheus_text(&report_of(name, 240.0));
        let mut child = Command::new("promtool")
            .args(["check", "metrics"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("promtool starts");
        child.stdin.take().expect("piped").write_all(text.as_bytes()).expect("written");
        let out = child.wait_with_output().expect("promtool ran");
        assert!(
            out.status.success(),
            "{name}: promtool: {}{}\n{text}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
