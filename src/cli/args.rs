//! The command-line grammar (clap derive), with the checks on flag values
//! that clap can make itself, so a bad value is a usage error (exit 2)
//! that names the flag.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::study::shard::Shard;

/// archsim: a system-design lab on a seeded discrete-event simulation.
#[derive(Debug, Parser)]
#[command(
    name = "archsim",
    version,
    about = "A system-design lab: a seeded discrete-event simulation of clients, load balancers, caches, queues, services and databases.",
    long_about = "A system-design lab: a seeded discrete-event simulation of clients, load balancers, caches, \
                  queues, services and databases.\n\n\
                  With no subcommand it opens the desktop app (in builds with the `gui` feature). The \
                  subcommands run the same engine headless.",
    after_long_help = "Examples:\n  \
                       archsim list\n  \
                       archsim run three-tier-web\n  \
                       archsim run my-design.ron --duration 120 --seed 42 --json > report.json\n  \
                       archsim validate scenarios/*.ron\n  \
                       archsim bench\n  \
                       archsim ramp three-tier-web --to 100x\n  \
                       archsim grade class/*.ron\n  \
                       archsim sweep three-tier-web --set 'app-1.workers=4,8,16'\n  \
                       archsim merge parts/\n  \
                       archsim export three-tier-web --plots plots.png --canvas canvas.png --gif run.gif\n\n\
                       Exit codes: 0 ok, 1 runtime failure, 2 bad input (invalid scenario or flag).\n\
                       Output that cannot be written: a reader that stops early (`archsim list | head -1`) \
                       is not a failure and leaves the exit code as it was; any other failure to write \
                       standard output (a full disk) exits 1; a standard error that cannot be written is \
                       ignored."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario headless and print a summary table, JSON or CSV.
    #[command(
        long_about = "Run a scenario headless and print what it measured: a summary table (end to end, \
                      then per node, then the bottleneck), or the full report as JSON (--json), and \
                      optionally the time series as CSV files (--csv DIR).\n\n\
                      FILE is a path to a .ron scenario or the name of a bundled scenario (see \
                      `archsim list`). The flags override the scenario's own settings.",
        after_long_help = "Examples:\n  \
                           archsim run three-tier-web\n  \
                           archsim run retry-storm --seed 3 --duration 30\n  \
                           archsim run my-design.ron --warmup 10 --json > report.json\n  \
                           archsim run cache-in-front-of-db --csv out/ --window 5\n  \
                           archsim run three-tier-web --replications 10 --threads 2\n\n\
                           The JSON report is described in docs/report-format.md, the replications' \
                           (--replications N --json) in docs/replications.md."
    )]
    Run(RunArgs),
    /// Check a scenario file and print every problem with its file, line and column.
    #[command(
        long_about = "Load and validate scenario files. Prints `FILE: ok (N nodes, M edges)` for a \
                      good file, or every problem found, one per line as `file:line:col: message`. \
                      Exits 0 when every file is valid, 2 otherwise.",
        after_long_help = "Examples:\n  \
                           archsim validate my-design.ron\n  \
                           archsim validate scenarios/*.ron\n  \
                           archsim validate retry-storm"
    )]
    Validate(ValidateArgs),
    /// List the bundled scenarios.
    #[command(
        long_about = "List the scenarios built into archsim, with the name to pass to `archsim run` \
                      and the first sentence of each description.",
        after_long_help = "Example:\n  archsim list"
    )]
    List,
    /// Measure the engine's speed and memory on a fixed benchmark set.
    #[command(
        long_about = "Measure the engine on three benchmarks, single-threaded: M/M/1 (one Poisson \
                      client at ρ = 0.8 into one exponential server with an unbounded queue), a \
                      three-station tandem network (ρ = 0.7 at each, non-blocking calls) and the \
                      five-hop bundled `three-tier-web` scenario. Prints simulated requests/s and \
                      events/s (per second of wall-clock time), wall seconds and peak memory \
                      beside the targets. Build with --release, or the figures mean nothing.",
        after_long_help = "Examples:\n  \
                           cargo run --release --no-default-features -- bench\n  \
                           archsim bench --quick\n  \
                           archsim bench --only mm1 --requests 50000000   # peak memory of a 50 M-request run"
    )]
    Bench(BenchArgs),
    /// Raise every client's load step by step and find where the design breaks.
    #[command(
        long_about = "Capacity planning: run the scenario again and again with every client's load \
                      multiplied by a factor growing geometrically from 1× to --to (an open-loop \
                      client's rate, a closed-loop client's users), each step a fresh run with the \
                      same seed, warmed up and run to steady state. Prints one row per step \
                      (offered load, throughput, p50/p99, errors, cost per hour, the busiest node), \
                      the load at which each node saturates (utilisation ≥ 85 %) and the knee: the \
                      first step where a node saturates or more than 1 % of requests fail, with what \
                      broke first.\n\n\
                      FILE is a path to a .ron scenario or the name of a bundled scenario.",
        after_long_help = "Examples:\n  \
                           archsim ramp three-tier-web --to 100x\n  \
                           archsim ramp my-design.ron --to 20x --steps 8 --duration 30 --json > ramp.json\n  \
                           archsim ramp cache-in-front-of-db --to 50 --csv out/\n\n\
                           The JSON and the CSV are described in docs/ramp.md."
    )]
    Ramp(RampArgs),
    /// Grade designs against their challenges (a class's files at once).
    #[command(
        long_about = "Evaluate each file against the challenge it carries (its `challenge` section: \
                      goals, the load to carry, a scripted timeline of faults): runs the design \
                      through the challenge's timeline and prints one row per file with its score \
                      (0-100), the goals met and the first goal missed. Exits 2 if a file is invalid \
                      or has no challenge (after grading the others). `archsim run` on one challenge \
                      file prints the full evaluation (goals, where it broke first, hints).",
        after_long_help = "Examples:\n  \
                           archsim grade class/*.ron\n  \
                           archsim grade alice.ron bob.ron --json > grades.json\n\n\
                           The challenge section is described in docs/scenario-format.md (Challenges)."
    )]
    Grade(GradeArgs),
    /// Run the scenario over values of its parameters: one row per point.
    #[command(
        long_about = "A parameter sweep: set named fields of the scenario over lists of values \
                      (`--set app.workers=4,8,16`, `--set users.rate=500..5000 step 500`, \
                      `--set lb.policy=RoundRobin,LeastConnections`) and run \
                      every combination (or, with --zip, the lists side by side), each point \
                      --replications times. Prints one row per point: the swept values, then \
                      throughput, p50/p99, errors, cost per hour and the busiest node's \
                      utilisation, as mean ± 95 % CI with 2 replications or more. Every point is \
                      validated before any runs.\n\n\
                      PATH is `NODE.FIELD` (service workers, instances, queue_capacity, service_time; \
                      database connections, read_replicas, shards, queue_capacity, query_time; cache \
                      capacity; queue consumers, capacity; client rate, users, timeout_ms; load \
                      balancer health_check_delay_s; and choices, by name: load balancer policy, \
                      service_time.shape and query_time.shape = Exponential,Constant), `FROM->TO.timeout_ms` or `FROM->TO.latency_ms` \
                      for an edge, or `seed` / `duration_s`.",
        after_long_help = "Examples:\n  \
                           archsim sweep three-tier-web --set 'app-1.workers=4,8,16'\n  \
                           archsim sweep my.ron --set 'users.rate=500..5000 step 500' --replications 5 --threads 2\n  \
                           archsim sweep my.ron --set 'app.workers=4,8' --set 'db.connections=10,20' --zip --json\n  \
                           archsim sweep my.ron --set 'app.workers=1..64' --replications 20 --shard 0/8 --out parts/\n\n\
                           The fields, the JSON and the CSV are described in docs/sweep.md; sharded sweeps \
                           (--shard, then `archsim merge`) in its section \"Sharded sweeps\"."
    )]
    Sweep(SweepArgs),
    /// Merge the partial results of a sharded sweep into the sweep's report.
    #[command(
        long_about = "Read the partial results that `archsim sweep ... --shard I/N --out DIR` wrote into DIR \
                      (the files sweep-shard-*.json), check that they are shards of one sweep (the same \
                      scenario fingerprint, plan and archsim version) holding every job exactly once, and \
                      print the report the same sweep run in one process prints: the same table, JSON and \
                      CSV, byte for byte. Exits 2, naming the files or shards at fault, when one is missing, \
                      duplicated or from another sweep.",
        after_long_help = "Examples:\n  \
                           archsim merge parts/\n  \
                           archsim merge parts/ --json > sweep.json\n  \
                           archsim merge parts/ --csv out/\n\n\
                           Sharded sweeps, with Slurm and Kubernetes examples, are described in docs/sweep.md."
    )]
    Merge(MergeArgs),
    /// Compare two designs on common random numbers: B − A with paired 95 % intervals.
    #[command(
        long_about = "Run two designs the same number of replications, replication i of both with the same \
                      seed, so that where their nodes have the same names they see the same arrivals and \
                      work times (common random numbers): the difference of their figures is the design's, \
                      not the luck's. Prints each end-to-end figure of A and B, and B - A with its paired 95 % \
                      interval beside the interval independent runs would have given.",
        after_long_help = "Examples:\n  \
                           archsim compare three-tier-web my-variant.ron\n  \
                           archsim compare a.ron b.ron --replications 20 --duration 120 --warmup 20 --json"
    )]
    Compare(CompareArgs),
    /// Draw a run as pictures: its plots and its canvas as PNG, its canvas as an animated GIF.
    #[command(
        long_about = "Run a scenario headless, as `archsim run` does, and draw it for a report or a slide: \
                      the time-series plots (throughput, latency p50/p95/p99, failures by reason, with the \
                      faults marked) as a PNG (--plots), the design as a diagram with each node tinted by \
                      how busy it was over the run as a PNG (--canvas), and the canvas through the run as an \
                      animated GIF (--gif), at most 200 frames. The same scenario and seed give the same \
                      bytes. Give at least one of the three.\n\n\
                      FILE is a path to a .ron scenario or the name of a bundled scenario.",
        after_long_help = "Examples:\n  \
                           archsim export three-tier-web --plots plots.png --canvas canvas.png\n  \
                           archsim export retry-storm --gif storm.gif --every 0.5\n  \
                           archsim export my-design.ron --duration 120 --seed 3 --plots report/plots.png\n\n\
                           The pictures are described in docs/exports.md."
    )]
    Export(ExportArgs),
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("outputs").required(true).multiple(true).args(["plots", "canvas", "gif"]))]
pub struct ExportArgs {
    /// Scenario file (.ron) or bundled scenario name (see `archsim list`).
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Write the plots (throughput, latency, failures over time) as a PNG to FILE (1200×900).
    #[arg(long, value_name = "FILE")]
    pub plots: Option<PathBuf>,
    /// Write the design, each node tinted by how busy it was, as a PNG to FILE (1200×675).
    #[arg(long, value_name = "FILE")]
    pub canvas: Option<PathBuf>,
    /// Write the canvas through the run as an animated GIF to FILE (960×540, at most 200 frames).
    #[arg(long, value_name = "FILE")]
    pub gif: Option<PathBuf>,
    /// Simulated seconds between two frames of the GIF (default: the run in 100 frames).
    #[arg(long, value_name = "S", requires = "gif", value_parser = positive_seconds, allow_negative_numbers = true)]
    pub every: Option<f64>,
    /// Simulated seconds to run (overrides the scenario's `duration_s`).
    #[arg(long, value_name = "S", value_parser = positive_seconds, allow_negative_numbers = true)]
    pub duration: Option<f64>,
    /// Random seed (overrides the scenario's `seed`); same seed, same pictures.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub seed: Option<u64>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Design A: a scenario file (.ron) or a bundled scenario name.
    #[arg(value_name = "A")]
    pub a: String,
    /// Design B, compared with A.
    #[arg(value_name = "B")]
    pub b: String,
    /// Pairs of runs (2 to 10000).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(2..=10_000))]
    pub replications: u32,
    /// Threads the runs are spread over (default: one per core); the result is the same on any number.
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Simulated seconds each run lasts (default: A's `duration_s`).
    #[arg(long, value_name = "S", value_parser = positive_seconds, allow_negative_numbers = true)]
    pub duration: Option<f64>,
    /// Simulated seconds left out at the start of each run (default: A's `warmup_s`, or a tenth of the run).
    #[arg(long, value_name = "S", value_parser = non_negative_seconds, allow_negative_numbers = true)]
    pub warmup: Option<f64>,
    /// Print the comparison as JSON on stdout, and nothing else.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Scenario file (.ron) or bundled scenario name (see `archsim list`).
    #[arg(value_name = "FILE")]
    pub file: String,
    /// A parameter and its values: `PATH=4,8,16` or `PATH=500..5000 step 500` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUES", required = true, allow_hyphen_values = true)]
    pub set: Vec<String>,
    /// Take the lists side by side (point i = every list's i-th value) instead of every combination.
    #[arg(long)]
    pub zip: bool,
    /// Runs per point, each with a seed of its own (1 to 10000; 2 or more give 95 % intervals).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub replications: u32,
    /// Threads the runs are spread over (default: one per core); the result is the same on any number.
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Simulated seconds each run lasts (default: the scenario's `duration_s`).
    #[arg(long, value_name = "S", value_parser = positive_seconds, allow_negative_numbers = true)]
    pub duration: Option<f64>,
    /// Simulated seconds at the start of each run left out of its figures
    /// (default: the scenario's `warmup_s`, or a tenth of the run when it has none).
    #[arg(long, value_name = "S", value_parser = non_negative_seconds, allow_negative_numbers = true)]
    pub warmup: Option<f64>,
    /// Print the whole sweep as JSON on stdout, and nothing else.
    #[arg(long)]
    pub json: bool,
    /// Also write `sweep.csv` (one row per point) into DIR (created if needed).
    #[arg(long, value_name = "DIR")]
    pub csv: Option<PathBuf>,
    /// Run only shard I of N (numbered from 0: job k runs in shard k mod N) and write its
    /// partial result into --out; `archsim merge` makes the report (docs/sweep.md).
    #[arg(long, value_name = "I/N", requires = "out", conflicts_with_all = ["json", "csv"], allow_hyphen_values = true)]
    pub shard: Option<Shard>,
    /// Where a shard writes its partial result, `sweep-shard-I-of-N.json` (created if needed).
    #[arg(long, value_name = "DIR", requires = "shard")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The directory the shards wrote their partial results into (`--out` of `archsim sweep --shard`).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Print the whole sweep as JSON on stdout, and nothing else.
    #[arg(long)]
    pub json: bool,
    /// Also write `sweep.csv` (one row per point) into DIR (created if needed).
    #[arg(long, value_name = "DIR")]
    pub csv: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GradeArgs {
    /// Scenario files (.ron) with a `challenge` section, or bundled challenge names.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<String>,
    /// Print every evaluation as JSON on stdout, and nothing else.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RampArgs {
    /// Scenario file (.ron) or bundled scenario name (see `archsim list`).
    #[arg(value_name = "FILE")]
    pub file: String,
    /// The last step's load, as a multiple of the scenario's: `100x`, `100×` or `100`.
    #[arg(long, value_name = "FACTOR", default_value = "100x", value_parser = load_factor, allow_negative_numbers = true)]
    pub to: f64,
    /// Number of steps from 1× to --to, both included (default: about six per tenfold, at most 16).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..=100))]
    pub steps: Option<u32>,
    /// Simulated seconds each step runs (default: the scenario's `duration_s`).
    #[arg(long, value_name = "S", value_parser = positive_seconds, allow_negative_numbers = true)]
    pub duration: Option<f64>,
    /// Simulated seconds at the start of each step left out of its figures
    /// (default: the scenario's `warmup_s`, or a tenth of the step when it has none).
    #[arg(long, value_name = "S", value_parser = non_negative_seconds, allow_negative_numbers = true)]
    pub warmup: Option<f64>,
    /// Random seed (overrides the scenario's `seed`); every step uses it.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Print the whole ramp as JSON on stdout, and nothing else.
    #[arg(long)]
    pub json: bool,
    /// Also write `ramp.csv` (one row per step) into DIR (created if needed).
    #[arg(long, value_name = "DIR")]
    pub csv: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (.ron), bundled scenario name (see `archsim list`), or `-` for standard input.
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Simulated seconds to run (overrides the scenario's `duration_s`).
    #[arg(long, value_name = "S", value_parser = positive_seconds, allow_negative_numbers = true)]
    pub duration: Option<f64>,
    /// Random seed (overrides the scenario's `seed`); same seed, same numbers.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Simulated seconds excluded from the totals (overrides `warmup_s`).
    #[arg(long, value_name = "S", value_parser = non_negative_seconds, allow_negative_numbers = true)]
    pub warmup: Option<f64>,
    /// Width of one time-series window in simulated seconds (overrides `window_s`).
    #[arg(long, value_name = "S", value_parser = positive_seconds, allow_negative_numbers = true)]
    pub window: Option<f64>,
    /// Print the full report as JSON on stdout, and nothing else.
    #[arg(long)]
    pub json: bool,
    /// Also write the time series as CSV files into DIR (created if needed).
    #[arg(long, value_name = "DIR", conflicts_with = "replications")]
    pub csv: Option<PathBuf>,
    /// Also write the report's metrics in Prometheus' text exposition format to FILE.
    #[arg(long, value_name = "FILE", conflicts_with = "replications")]
    pub prometheus: Option<PathBuf>,
    /// Also write request traces to FILE as JSON: each window's slowest
    /// request and a few ordinary ones, with every call they made
    /// (docs/report-format.md, "Traces").
    #[arg(long, value_name = "FILE", conflicts_with = "replications")]
    pub traces: Option<PathBuf>,
    /// Run N independent replications (each with a seed of its own) and
    /// print every figure as mean ± 95 % confidence half-width (2 to 10000;
    /// docs/replications.md).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..=10_000))]
    pub replications: Option<u32>,
    /// Threads the replications run on (default: one per core); the
    /// result is the same on any number.
    #[arg(long, value_name = "T", requires = "replications", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files (.ron) or bundled scenario names.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<String>,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// A tiny run of each benchmark (checks it works; the figures are noise).
    #[arg(long, conflicts_with = "requests")]
    pub quick: bool,
    /// Simulated requests per benchmark (default: a few seconds of wall time each).
    #[arg(long, value_name = "N", value_parser = positive_count, allow_negative_numbers = true)]
    pub requests: Option<u64>,
    /// Run only this benchmark.
    #[arg(long, value_name = "NAME")]
    pub only: Option<BenchName>,
}

/// The benchmarks `archsim bench` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchName {
    /// One Poisson client into one exponential server, ρ = 0.8.
    Mm1,
    /// Three exponential servers in a chain, ρ = 0.7 each.
    Tandem,
    /// The bundled three-tier-web scenario: client → LB → 3 apps → cache → DB.
    FiveHop,
}

/// A number of seconds that must be finite and > 0.
fn positive_seconds(text: &str) -> Result<f64, String> {
    let value = parse_seconds(text)?;
    if value > 0.0 { Ok(value) } else { Err(format!("must be more than 0 seconds, got {text}")) }
}

/// A number of seconds that must be finite and ≥ 0.
fn non_negative_seconds(text: &str) -> Result<f64, String> {
    let value = parse_seconds(text)?;
    if value >= 0.0 { Ok(value) } else { Err(format!("must be 0 seconds or more, got {text}")) }
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    let value: f64 =
        text.trim().parse().map_err(|_| format!("expected a number of seconds such as 30 or 2.5, got `{text}`"))?;
    if value.is_finite() { Ok(value) } else { Err(format!("must be a finite number of seconds, got {text}")) }
}

/// A load factor such as `100x`, `100×` or `2.5`: finite and > 0.
fn load_factor(text: &str) -> Result<f64, String> {
    let number = text.trim().trim_end_matches(['x', 'X', '×']).trim();
    let value: f64 = number.parse().map_err(|_| format!("expected a factor such as 100x or 2.5, got `{text}`"))?;
    if value.is_finite() && value > 0.0 { Ok(value) } else { Err(format!("must be a factor above 0, got {text}")) }
}

/// A count that must be ≥ 1; `_` separators are allowed (`50_000_000`).
fn positive_count(text: &str) -> Result<u64, String> {
    let value: u64 = text
        .trim()
        .replace('_', "")
        .parse()
        .map_err(|_| format!("expected a whole number such as 1000000, got `{text}`"))?;
    if value > 0 { Ok(value) } else { Err("must be at least 1".into()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_grammar_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn seconds_must_be_finite_and_in_range() {
        assert_eq!(positive_seconds("2.5"), Ok(2.5));
        assert!(positive_seconds("0").is_err());
        assert!(positive_seconds("-3").is_err());
        assert!(positive_seconds("inf").is_err());
        assert!(positive_seconds("soon").is_err());
        assert_eq!(non_negative_seconds("0"), Ok(0.0));
        assert!(non_negative_seconds("-0.5").is_err());
    }

    #[test]
    fn load_factors_take_an_optional_x() {
        assert_eq!(load_factor("100x"), Ok(100.0));
        assert_eq!(load_factor("2.5×"), Ok(2.5));
        assert_eq!(load_factor("7"), Ok(7.0));
        assert!(load_factor("0x").is_err());
        assert!(load_factor("-2").is_err());
        assert!(load_factor("lots").is_err());
    }

    #[test]
    fn counts_accept_separators_and_refuse_zero() {
        assert_eq!(positive_count("50_000_000"), Ok(50_000_000));
        assert!(positive_count("0").is_err());
        assert!(positive_count("-1").is_err());
    }
}
