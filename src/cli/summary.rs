//! The readable summary `archsim run` prints by default: the run, then
//! end to end, then one row per node (and one per shard of a sharded
//! database), then where the design breaks first, then the diagnosis
//! (causes and what to change). Every figure is one of
//! the report's fields, so the table and `--json` never disagree.

use std::fmt::Write as _;
use std::time::Duration;

use crate::diagnosis::{Advice, Diagnosis};
use crate::sim::cost::{CostReport, usd};
use crate::sim::{FailureCounts, LatencySummary, NodeReport, Report, ShardStats};

use super::format;
use super::table::{Align, Table};

/// What the table says when nothing saturated and nothing failed.
pub const NO_BOTTLENECK: &str = "no bottleneck: every pool stayed under 85% busy and nothing failed";

/// Findings the summary lists at most; the JSON has them all.
const FINDINGS_SHOWN: usize = 5;

/// The whole summary as text: `diagnosis` is the report's (see
/// [`crate::diagnosis::diagnose`]); `wall` is the wall-clock time the run took.
pub fn render_summary(report: &Report, diagnosis: &Diagnosis, wall: Duration) -> String {
    let mut out = String::new();
    out.push_str(&render_header(report, wall));
    out.push_str("\nEND TO END\n");
    out.push_str(&render_end_to_end(report));
    out.push_str("\nPER NODE\n");
    out.push_str(&render_nodes(&report.nodes));
    let shards = render_shards(&report.nodes);
    if !shards.is_empty() {
        out.push_str("\nSHARDS\n");
        out.push_str(&shards);
    }
    let balancers = render_balancers(&report.nodes);
    if !balancers.is_empty() {
        out.push_str("\nLOAD BALANCERS\n");
        out.push_str(&balancers);
    }
    out.push_str(if report.cost.illustrative {
        "\nCOST (illustrative prices: set `pricing` in the file)\n"
    } else {
        "\nCOST\n"
    });
    out.push_str(&render_cost(&report.cost));
    if !report.slos.is_empty() {
        out.push_str("\nSLOS\n");
        out.push_str(&super::slo::render_slos(&report.slos));
    }
    out.push_str("\nBOTTLENECK\n  ");
    out.push_str(&bottleneck_sentence(report));
    out.push('\n');
    out.push_str("\nDIAGNOSIS\n");
    out.push_str(&render_diagnosis(diagnosis));
    out
}

/// The headline, then each finding's evidence with the advice it adds
/// (advice already given under an earlier finding is not repeated).
fn render_diagnosis(diagnosis: &Diagnosis) -> String {
    let mut out = format!("  {}\n", diagnosis.headline);
    let mut given: Vec<&Advice> = Vec::new();
    for (i, finding) in diagnosis.findings.iter().take(FINDINGS_SHOWN).enumerate() {
        let _ = writeln!(out, "  {}. {}", i + 1, finding.evidence());
        for advice in &finding.advice {
            if !given.contains(&advice) {
                given.push(advice);
                let _ = writeln!(out, "     try: {advice}");
            }
        }
    }
    if diagnosis.findings.len() > FINDINGS_SHOWN {
        let _ =
            writeln!(out, "  ({} more findings in the JSON report: --json)", diagnosis.findings.len() - FINDINGS_SHOWN);
    }
    out
}

/// The engine's bottleneck sentence, or why there is none. The engine only
/// blames saturated pools and local failures (queue full, down, error), so
/// failures of another kind (timeouts, drops) are named rather than hidden
/// behind "nothing failed".
fn bottleneck_sentence(report: &Report) -> String {
    match &report.bottleneck {
        Some(b) => b.to_string(),
        None if report.end_to_end.failed == 0 => NO_BOTTLENECK.to_string(),
        None => format!(
            "no bottleneck: every pool stayed under 85% busy and no node rejected requests, was down or \
             answered errors; the {} failed requests were {}",
            format::count(report.end_to_end.failed),
            failure_list(&report.end_to_end.failures)
        ),
    }
}

fn render_header(report: &Report, wall: Duration) -> String {
    let mut out = format!("{}  (seed {})\n", report.scenario, report.seed);
    let _ = write!(out, "simulated {}", format::seconds(report.sim_time_s));
    if report.warmup_s > 0.0 {
        let _ = write!(out, " (totals exclude the first {} of warm-up)", format::seconds(report.warmup_s));
    }
    let _ = writeln!(
        out,
        ", {} events in {} of wall time",
        format::count(report.events),
        format::seconds(wall.as_secs_f64())
    );
    out
}

fn render_end_to_end(report: &Report) -> String {
    let e = &report.end_to_end;
    let mut facts = Table::new(&[("", Align::Left), ("", Align::Right), ("", Align::Left)]).indented(2);
    facts.row(vec!["requests".into(), format::count(e.arrivals)]);
    facts.row(vec!["ok".into(), format::count(e.ok)]);
    if e.degraded > 0 {
        facts.row(vec![
            "degraded".into(),
            format::count(e.degraded),
            format!("answered by a fallback ({} of requests)", format::percent(e.degraded_ratio)),
        ]);
    }
    facts.row(vec!["failed".into(), format::count(e.failed), failure_list(&e.failures)]);
    facts.row(vec![
        "throughput".into(),
        format::rate(e.throughput_rps),
        format!("req/s ok (offered {} req/s)", format::rate(e.arrival_rate_rps)),
    ]);
    facts.row(vec!["errors".into(), format::percent(e.error_ratio)]);
    if e.retries > 0 {
        facts.row(vec!["retries".into(), format::count(e.retries)]);
    }
    if let Some(row) = hedges_row(report) {
        facts.row(row);
    }
    // Requests are what users saw; attempts are what the nodes saw.
    let attempts: u64 = report.nodes.iter().filter_map(|n| n.attempts).map(|a| a.sent).sum();
    if attempts > e.arrivals && e.arrivals > 0 {
        facts.row(vec![
            "attempts".into(),
            format::count(attempts),
            format!("{} per request, retries included", format::decimal(attempts as f64 / e.arrivals as f64, 2)),
        ]);
    }
    // The header row of `facts` is blank: drop it.
    let facts = facts.render();
    let mut out: String = facts.lines().skip(1).map(|l| format!("{l}\n")).collect();
    out.push('\n');
    out.push_str(&render_latency(&e.latency));
    out
}

/// The copies hedging sent, as a share of the calls of the nodes that
/// hedged (their first tries: sent less the copies), and how many answered
/// first; `None` when no edge hedged.
fn hedges_row(report: &Report) -> Option<Vec<String>> {
    let copies: u64 = report.edges.iter().map(|e| e.hedges).sum();
    if copies == 0 {
        return None;
    }
    let won: u64 = report.edges.iter().map(|e| e.hedges_won).sum();
    let hedging: Vec<&str> = report.edges.iter().filter(|e| e.hedges > 0).map(|e| e.from.as_str()).collect();
    let sent: u64 = report.edges.iter().filter(|e| hedging.contains(&e.from.as_str())).map(|e| e.stats.sent).sum();
    let first = sent.saturating_sub(copies).max(1);
    Some(vec![
        "hedges".into(),
        format::count(copies),
        format!(
            "copies of late calls ({} more calls); {} answered first",
            format::percent(copies as f64 / first as f64),
            format::count(won)
        ),
    ])
}

fn render_latency(l: &LatencySummary) -> String {
    let columns = ["mean", "p50", "p90", "p95", "p99", "p99.9", "max"];
    let mut spec = vec![("latency (ms)", Align::Left)];
    spec.extend(columns.iter().map(|c| (*c, Align::Right)));
    let mut table = Table::new(&spec).indented(2);
    let values = [l.mean_ms, l.p50_ms, l.p90_ms, l.p95_ms, l.p99_ms, l.p999_ms, l.max_ms];
    let mut row = vec![if l.count == 0 { "no successful request".to_string() } else { String::new() }];
    if l.count > 0 {
        row.extend(values.iter().map(|v| format::millis(*v)));
    }
    table.row(row);
    table.render()
}

fn render_nodes(nodes: &[NodeReport]) -> String {
    // A "degraded" column only in runs where a fallback answered.
    let any_degraded = nodes.iter().any(|n| n.stats.degraded > 0);
    let mut columns =
        vec![("node", Align::Left), ("kind", Align::Left), ("arrivals", Align::Right), ("ok", Align::Right)];
    if any_degraded {
        columns.push(("degraded", Align::Right));
    }
    let mut table = Table::new(
        &[
            columns.as_slice(),
            &[
                ("failed", Align::Right),
                ("req/s", Align::Right),
                ("util", Align::Right),
                ("queue", Align::Right),
                ("p50 ms", Align::Right),
                ("p99 ms", Align::Right),
                ("hit", Align::Right),
                ("failures", Align::Left),
            ],
        ]
        .concat(),
    )
    .indented(2);
    for n in nodes {
        let s = &n.stats;
        let has_latency = s.latency.count > 0;
        let mut row = vec![n.id.clone(), n.kind.label().to_string(), format::count(s.arrivals), format::count(s.ok)];
        if any_degraded {
            row.push(format::count(s.degraded));
        }
        row.extend([
            format::count(s.failed),
            format::rate(s.throughput_rps),
            s.utilisation.map_or_else(dash, format::percent),
            if n.workers.is_some() { queue_length(s.mean_queue_len) } else { dash() },
            if has_latency { format::millis(s.latency.p50_ms) } else { dash() },
            if has_latency { format::millis(s.latency.p99_ms) } else { dash() },
            s.hit_ratio.map_or_else(dash, format::percent),
            failure_list(&s.failures),
        ]);
        table.row(row);
    }
    table.render()
}

/// A row per shard of each sharded database: its attempts, its share of
/// the database's, and its own utilisation, the busiest marked. The
/// database's row above averages the shards, which hides a hot one (one
/// shard 100 % busy and three 21 % read as 52 %). Empty without shards.
fn render_shards(nodes: &[NodeReport]) -> String {
    let sharded: Vec<&NodeReport> = nodes.iter().filter(|n| !n.shards.is_empty()).collect();
    if sharded.is_empty() {
        return String::new();
    }
    let mut table = Table::new(&[
        ("node", Align::Left),
        ("shard", Align::Right),
        ("arrivals", Align::Right),
        ("share", Align::Right),
        ("util", Align::Right),
        ("", Align::Left),
    ])
    .indented(2);
    for n in sharded {
        let total: u64 = n.shards.iter().map(|s| s.arrivals).sum();
        let busiest = busiest_shard(&n.shards);
        for (k, s) in n.shards.iter().enumerate() {
            let share = if total > 0 { format::percent(s.arrivals as f64 / total as f64) } else { dash() };
            let note = if Some(k) == busiest { "busiest" } else { "" };
            table.row(vec![
                n.id.clone(),
                k.to_string(),
                format::count(s.arrivals),
                share,
                format::percent(s.utilisation),
                note.to_string(),
            ]);
        }
    }
    table.render()
}

/// The position of the busiest shard, the first of equals; `None` when no
/// shard did any work (nothing to single out).
fn busiest_shard(shards: &[ShardStats]) -> Option<usize> {
    shards
        .iter()
        .enumerate()
        .filter(|(_, s)| s.utilisation > 0.0)
        .fold(None, |best: Option<(usize, f64)>, (k, s)| match best {
            Some((_, u)) if u >= s.utilisation => best,
            _ => Some((k, s.utilisation)),
        })
        .map(|(k, _)| k)
}

/// A line per load balancer whose health checks probed or whose outlier
/// ejection ejected: `lb: 120 health checks, 6 failed, 1 target marked
/// unhealthy; 2 ejections; unhealthy at the end: app-2`. Empty when none
/// did (a balancer with the fixed detection delay has nothing to say).
fn render_balancers(nodes: &[NodeReport]) -> String {
    let mut out = String::new();
    for n in nodes {
        let Some(b) = n.balancer.as_ref().filter(|b| b.checks > 0 || b.ejections > 0) else { continue };
        let mut parts = Vec::new();
        if b.checks > 0 {
            let marked = if b.marked_unhealthy == 1 { "target" } else { "targets" };
            parts.push(format!(
                "{} health checks, {} failed, {} {marked} marked unhealthy",
                format::count(b.checks),
                format::count(b.checks_failed),
                format::count(b.marked_unhealthy)
            ));
        }
        if b.ejections > 0 {
            let noun = if b.ejections == 1 { "ejection" } else { "ejections" };
            parts.push(format!("{} {noun}", format::count(b.ejections)));
        }
        if !b.unhealthy_at_end.is_empty() {
            parts.push(format!("unhealthy at the end: {}", b.unhealthy_at_end.join(", ")));
        }
        if !b.ejected_at_end.is_empty() {
            parts.push(format!("ejected at the end: {}", b.ejected_at_end.join(", ")));
        }
        let _ = writeln!(out, "  {}: {}", n.id, parts.join("; "));
    }
    out
}

/// Each node that costs anything (its average instances, price per
/// instance-hour, requests billed by use, dollars), the egress, and the
/// total with its rate per hour and per month.
fn render_cost(cost: &CostReport) -> String {
    let mut table = Table::new(&[
        ("node", Align::Left),
        ("instances", Align::Right),
        ("$/instance-h", Align::Right),
        ("billed requests", Align::Right),
        ("cost", Align::Right),
    ])
    .indented(2);
    for n in cost.nodes.iter().filter(|n| n.usd > 0.0 || n.instance_hours > 0.0) {
        let instances = if cost.hours > 0.0 { n.instance_hours / cost.hours } else { 0.0 };
        let billed = if n.per_million_usd > 0.0 { format::count(n.requests) } else { dash() };
        table.row(vec![
            n.node.clone(),
            format::decimal(instances, 1),
            usd(n.per_instance_hour_usd),
            billed,
            usd(n.usd),
        ]);
    }
    let mut out = table.render();
    for (what, gb, dollars) in [
        ("egress to clients", cost.egress_gb, cost.egress_usd),
        ("between zones", cost.cross_zone_gb, cost.cross_zone_usd),
        ("between regions", cost.cross_region_gb, cost.cross_region_usd),
    ] {
        if gb > 0.0 {
            let _ = writeln!(out, "  {what}: {} GB, {}", format::decimal(gb, 3), usd(dollars));
        }
    }
    let _ = writeln!(
        out,
        "  total {} for {} · {} an hour · {} a month",
        usd(cost.total_usd),
        format::seconds(cost.hours * 3600.0),
        usd(cost.per_hour_usd),
        usd(cost.per_month_usd)
    );
    out
}

/// Failure reasons with their counts, largest first: `queue full ×120,
/// timeout ×35, downstream ×8`.
pub fn failure_list(f: &FailureCounts) -> String {
    let mut parts: Vec<String> =
        f.ranked().into_iter().map(|(reason, n)| format!("{} ×{}", reason.label(), format::count(n))).collect();
    if f.downstream > 0 {
        parts.push(format!("downstream ×{}", format::count(f.downstream)));
    }
    parts.join(", ")
}

fn queue_length(q: f64) -> String {
    format::decimal(q, if q < 10.0 { 2 } else { 1 })
}

fn dash() -> String {
    "—".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_listed_largest_first_with_downstream_last() {
        let f = FailureCounts { rejected: 120, timeout: 1_500, downstream: 8, ..Default::default() };
        assert_eq!(failure_list(&f), "timeout ×1,500, queue full ×120, downstream ×8");
        assert_eq!(failure_list(&FailureCounts::default()), "");
    }

    fn shard(arrivals: u64, utilisation: f64) -> ShardStats {
        ShardStats { arrivals, utilisation }
    }

    #[test]
    fn each_shard_gets_a_row_with_its_share_and_the_busiest_marked() {
        let db = NodeReport {
            id: "profiles".into(),
            kind: crate::scenario::ComponentKind::Database,
            workers: Some(16),
            queue_capacity: Some(200),
            stats: crate::sim::Stats::default(),
            attempts: None,
            faults: crate::sim::FaultHistory::default(),
            balancer: None,
            shards: vec![shard(100, 0.21), shard(500, 1.0), shard(100, 0.21), shard(300, 0.64)],
        };
        let text = render_shards(std::slice::from_ref(&db));
        let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split_whitespace().collect()).collect();
        assert_eq!(rows[0], ["node", "shard", "arrivals", "share", "util"]);
        assert_eq!(rows[2], ["profiles", "1", "500", "50.0", "%", "100.0", "%", "busiest"]);
        assert_eq!(rows[1], ["profiles", "0", "100", "10.0", "%", "21.0", "%"]);
        assert_eq!(rows.len(), 5, "{text}");
        let unsharded = NodeReport { shards: Vec::new(), ..db };
        assert_eq!(render_shards(&[unsharded]), "", "no shards, no section");
    }

    #[test]
    fn no_shard_is_the_busiest_when_none_worked_and_ties_go_to_the_first() {
        assert_eq!(busiest_shard(&[shard(0, 0.0), shard(0, 0.0)]), None);
        assert_eq!(busiest_shard(&[shard(5, 0.5), shard(5, 0.5)]), Some(0));
        assert_eq!(busiest_shard(&[shard(5, 0.2), shard(9, 0.7), shard(5, 0.5)]), Some(1));
    }
}
