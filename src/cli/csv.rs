//! `archsim run --csv DIR`: the time series as CSV files, one row per
//! window, for spreadsheets and plotting scripts.
//!
//! Files: `end_to_end.csv`, `node-<id>.csv` per node and `edges.csv`,
//! and `shards.csv` when the scenario has a sharded database: the shards'
//! totals since the warm-up, one row per shard (the engine keeps no
//! per-window figures for shards, only the report's totals).
//! The columns are documented in `docs/report-format.md`; keep the two in
//! step. Numbers are written in full precision (Rust's shortest exact
//! form); a value that does not apply (utilisation of a node without
//! workers, hit ratio of a non-cache, instances of a non-service) is an
//! empty cell.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::sim::{FailureReason, NodeReport, Stats, TimeSeries, WindowFrame};
use crate::study::RampResult;

use super::CliError;

/// The columns of `end_to_end.csv` and `node-<id>.csv`, after the failure
/// reasons are spliced in (see [`stats_header`]).
const LEADING_COLUMNS: [&str; 5] = ["window_start_s", "window_end_s", "arrivals", "ok", "failed"];
const TRAILING_COLUMNS: [&str; 15] = [
    "downstream",
    "throughput_rps",
    "latency_mean_ms",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "latency_max_ms",
    "mean_queue_len",
    "utilisation",
    "hit_ratio",
    "error_ratio",
    "degraded",
    "ready_instances",
    "booting_instances",
    "instance_seconds",
];
const EDGE_COLUMNS: [&str; 12] = [
    "window_start_s",
    "window_end_s",
    "from",
    "to",
    "sent",
    "failed",
    "rate_rps",
    "error_ratio",
    "request_bytes",
    "response_bytes",
    "forward_utilisation",
    "back_utilisation",
];

/// What [`write_series`] wrote, for the message on stderr.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvSummary {
    pub files: Vec<PathBuf>,
    pub windows: usize,
    /// Older windows the engine no longer kept (it keeps a bounded number).
    pub dropped_windows: u64,
}

/// Creates `dir` (and its parents) if needed. Called before a run so a bad
/// directory fails at once, not after minutes of simulation.
pub fn prepare_dir(dir: &Path) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(|e| CliError::io(format!("cannot create directory {}", dir.display()), e))
}

/// Writes every CSV file of the series into `dir`. `node_ids` and `edges`
/// (from → to) are in the scenario's order, the order of the frames' data.
pub fn write_series(
    dir: &Path,
    series: &TimeSeries,
    node_ids: &[String],
    edges: &[(String, String)],
) -> Result<CsvSummary, CliError> {
    prepare_dir(dir)?;
    let frames: Vec<&WindowFrame> = series.iter().collect();
    let mut files = Vec::new();

    let path = dir.join("end_to_end.csv");
    write_file(&path, |out| write_stats_rows(out, &frames, |f| Some(&f.end_to_end)))?;
    files.push(path);

    for (i, name) in node_file_names(node_ids).into_iter().enumerate() {
        let path = dir.join(name);
        write_file(&path, |out| write_stats_rows(out, &frames, |f| f.nodes.get(i)))?;
        files.push(path);
    }

    let path = dir.join("edges.csv");
    write_file(&path, |out| write_edge_rows(out, &frames, edges))?;
    files.push(path);

    Ok(CsvSummary { files, windows: frames.len(), dropped_windows: series.dropped })
}

/// The header of the per-window stats files.
pub fn stats_header() -> Vec<&'static str> {
    let mut header: Vec<&str> = LEADING_COLUMNS.to_vec();
    header.extend(FailureReason::ALL.iter().map(|r| r.key()));
    header.extend(TRAILING_COLUMNS);
    header
}

/// The columns of `shards.csv`.
pub const SHARD_COLUMNS: [&str; 5] = ["node", "shard", "arrivals", "share", "utilisation"];

/// Writes `shards.csv` into `dir` when some node of the report is a
/// sharded database: a row per shard with its totals since the warm-up.
/// The node's own file averages the shards, which hides a hot one; the
/// time series has no per-shard windows, so these are the run's totals.
/// `None` (and no file) without a sharded database.
pub fn write_shards(dir: &Path, nodes: &[NodeReport]) -> Result<Option<PathBuf>, CliError> {
    if nodes.iter().all(|n| n.shards.is_empty()) {
        return Ok(None);
    }
    prepare_dir(dir)?;
    let path = dir.join("shards.csv");
    write_file(&path, |out| write_shard_rows(out, nodes))?;
    Ok(Some(path))
}

fn write_shard_rows(out: &mut dyn Write, nodes: &[NodeReport]) -> std::io::Result<()> {
    writeln!(out, "{}", SHARD_COLUMNS.join(","))?;
    for n in nodes.iter().filter(|n| !n.shards.is_empty()) {
        let total: u64 = n.shards.iter().map(|s| s.arrivals).sum();
        for (k, s) in n.shards.iter().enumerate() {
            let share = if total > 0 { Some(s.arrivals as f64 / total as f64) } else { None };
            let row = [field(&n.id), k.to_string(), s.arrivals.to_string(), optional(share), s.utilisation.to_string()];
            writeln!(out, "{}", row.join(","))?;
        }
    }
    Ok(())
}

/// The leading columns of `ramp.csv`; one `utilisation:<node>` column per
/// node with a pool follows.
pub const RAMP_COLUMNS: [&str; 11] = [
    "step",
    "factor",
    "nominal_rps",
    "offered_rps",
    "throughput_rps",
    "p50_ms",
    "p99_ms",
    "error_ratio",
    "cost_per_hour_usd",
    "bottleneck",
    "knee",
];

/// Writes `ramp.csv` into `dir`: one row per step of the ramp.
pub fn write_ramp(dir: &Path, ramp: &RampResult) -> Result<PathBuf, CliError> {
    prepare_dir(dir)?;
    let path = dir.join("ramp.csv");
    write_file(&path, |out| write_ramp_rows(out, ramp))?;
    Ok(path)
}

fn write_ramp_rows(out: &mut dyn Write, ramp: &RampResult) -> std::io::Result<()> {
    // Nodes with a pool, in the scenario's order (every step has the same nodes).
    let pooled: Vec<&str> = ramp
        .steps
        .first()
        .map(|s| s.nodes.iter().filter(|n| n.utilisation.is_some()).map(|n| n.node.as_str()).collect())
        .unwrap_or_default();
    let mut header: Vec<String> = RAMP_COLUMNS.iter().map(|c| (*c).to_string()).collect();
    header.extend(pooled.iter().map(|id| field(&format!("utilisation:{id}"))));
    writeln!(out, "{}", header.join(","))?;
    let knee = ramp.knee.as_ref().map(|k| k.step);
    for (i, step) in ramp.steps.iter().enumerate() {
        let mut row = vec![
            i.to_string(),
            step.factor.to_string(),
            step.nominal_rps.to_string(),
            step.offered_rps.to_string(),
            step.throughput_rps.to_string(),
            step.p50_ms.to_string(),
            step.p99_ms.to_string(),
            step.error_ratio.to_string(),
            step.cost_per_hour_usd.to_string(),
            step.bottleneck.as_ref().map(|b| field(&b.node)).unwrap_or_default(),
            (knee == Some(i)).to_string(),
        ];
        row.extend(
            pooled.iter().map(|id| optional(step.nodes.iter().find(|n| n.node == *id).and_then(|n| n.utilisation))),
        );
        writeln!(out, "{}", row.join(","))?;
    }
    Ok(())
}

pub(super) fn write_file(
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), CliError> {
    let what = || format!("cannot write {}", path.display());
    let file = File::create(path).map_err(|e| CliError::io(what(), e))?;
    let mut out = BufWriter::new(file);
    body(&mut out).and_then(|()| out.flush()).map_err(|e| CliError::io(what(), e))
}

fn write_stats_rows<'a>(
    out: &mut dyn Write,
    frames: &[&'a WindowFrame],
    stats_of: impl Fn(&'a WindowFrame) -> Option<&'a Stats>,
) -> std::io::Result<()> {
    writeln!(out, "{}", stats_header().join(","))?;
    for frame in frames {
        if let Some(stats) = stats_of(frame) {
            writeln!(out, "{}", stats_row(frame.start_s, frame.end_s, stats).join(","))?;
        }
    }
    Ok(())
}

/// One row of a stats file, in [`stats_header`] order.
fn stats_row(start_s: f64, end_s: f64, s: &Stats) -> Vec<String> {
    let mut row =
        vec![start_s.to_string(), end_s.to_string(), s.arrivals.to_string(), s.ok.to_string(), s.failed.to_string()];
    row.extend(FailureReason::ALL.iter().map(|r| s.failures.get(*r).to_string()));
    row.extend([
        s.failures.downstream.to_string(),
        s.throughput_rps.to_string(),
        s.latency.mean_ms.to_string(),
        s.latency.p50_ms.to_string(),
        s.latency.p95_ms.to_string(),
        s.latency.p99_ms.to_string(),
        s.latency.max_ms.to_string(),
        s.mean_queue_len.to_string(),
        optional(s.utilisation),
        optional(s.hit_ratio),
        s.error_ratio.to_string(),
        s.degraded.to_string(),
        optional(s.instances.map(|i| i.ready)),
        optional(s.instances.map(|i| i.booting)),
        optional(s.instances.map(|i| i.instance_seconds)),
    ]);
    row
}

fn write_edge_rows(out: &mut dyn Write, frames: &[&WindowFrame], edges: &[(String, String)]) -> std::io::Result<()> {
    writeln!(out, "{}", EDGE_COLUMNS.join(","))?;
    for frame in frames {
        for ((from, to), stats) in edges.iter().zip(&frame.edges) {
            let row = [
                frame.start_s.to_string(),
                frame.end_s.to_string(),
                field(from),
                field(to),
                stats.sent.to_string(),
                stats.failed.to_string(),
                stats.rate_rps.to_string(),
                stats.error_ratio.to_string(),
                stats.request_bytes.to_string(),
                stats.response_bytes.to_string(),
                optional(stats.forward_utilisation),
                optional(stats.back_utilisation),
            ];
            writeln!(out, "{}", row.join(","))?;
        }
    }
    Ok(())
}

pub(super) fn optional(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// A text cell, quoted when it holds a comma, a quote or a line break (RFC 4180).
pub(super) fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_string() }
}

/// `node-<id>.csv` for each node, with characters a file name cannot (or
/// should not) hold replaced by `_`, and made unique if two ids collide.
pub fn node_file_names(node_ids: &[String]) -> Vec<String> {
    let mut used = HashSet::new();
    node_ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let safe: String =
                id.chars().map(|c| if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' }).collect();
            let safe = if safe.is_empty() || safe.starts_with('.') { format!("_{safe}") } else { safe };
            let mut name = format!("node-{safe}.csv");
            if !used.insert(name.clone()) {
                name = format!("node-{safe}-{i}.csv");
                used.insert(name.clone());
            }
            name
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_row_have_the_same_width() {
        let row = stats_row(0.0, 1.0, &Stats::default());
        assert_eq!(row.len(), stats_header().len());
        assert!(stats_header().contains(&"rejected") && stats_header().contains(&"retries_exhausted"));
    }

    #[test]
    fn shards_csv_has_a_row_per_shard_and_none_without_shards() {
        let node = |id: &str, shards: Vec<crate::sim::ShardStats>| NodeReport {
            id: id.into(),
            kind: crate::scenario::ComponentKind::Database,
            workers: Some(8),
            queue_capacity: None,
            stats: Stats::default(),
            attempts: None,
            faults: crate::sim::FaultHistory::default(),
            balancer: None,
            shards,
        };
        let shard = |arrivals, utilisation| crate::sim::ShardStats { arrivals, utilisation };
        let nodes = [
            node("plain", Vec::new()),
            node("db,1", vec![shard(30, 1.0), shard(10, 0.25)]),
            node("idle", vec![shard(0, 0.0); 2]),
        ];
        let mut out = Vec::new();
        write_shard_rows(&mut out, &nodes).expect("written");
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(
            text,
            "node,shard,arrivals,share,utilisation\n\"db,1\",0,30,0.75,1\n\"db,1\",1,10,0.25,0.25\nidle,0,0,,0\nidle,1,0,,0\n"
        );
        let dir = std::env::temp_dir().join(format!("archsim-shards-csv-{}", std::process::id()));
        assert_eq!(write_shards(&dir, &nodes[..1]).expect("nothing to write"), None, "no sharded database, no file");
    }

    #[test]
    fn node_file_names_are_safe_and_unique() {
        let ids = ["app-1", "a/b", "a b", "..", "x"].map(String::from);
        assert_eq!(
            node_file_names(&ids),
            ["node-app-1.csv", "node-a_b.csv", "node-a_b-2.csv", "node-_...csv", "node-x.csv"]
        );
    }

    #[test]
    fn text_cells_are_quoted_when_needed() {
        assert_eq!(field("db"), "db");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
