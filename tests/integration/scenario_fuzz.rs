//! Mangled scenario files never crash the loader or the engine.
//!
//! Each case takes a bundled scenario's source and applies a few random
//! edits of the kinds a hurried learner (or a bad merge) makes: deleting or
//! duplicating a stretch, inserting stray tokens, swapping a number for a
//! negative, huge or non-finite one, cutting the file short. Whatever comes
//! out, `parse_scenario` must not panic; its diagnostics must each have a
//! real position inside the file and a message; and a scenario it accepts
//! must build and run in the engine.
//!
//! The seed is fixed so CI is reproducible; explore further with
//! `PROPTEST_RNG_SEED=<n> PROPTEST_CASES=<n> cargo test --test integration scenario_fuzz::`.

use archsim::scenario::{BUNDLED, Diagnostic, LoadError, parse_scenario, to_ron_string};
use archsim::sim::{SimTime, Simulation};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// Tokens that break RON in the ways people do: signs, non-finite and
/// overlong numbers, unbalanced quotes and brackets, stray separators,
/// comments that never end, names of other components.
const TOKENS: &[&str] = &[
    "-",
    "1e400",
    "NaN",
    "inf",
    "-inf",
    "\"",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ",,",
    ":",
    "0",
    "-1",
    "1e308",
    "99999999999999999999",
    "//",
    "/*",
    "*/",
    "Some(",
    "None",
    "true",
    "r#",
    "'",
    "\\",
    "é",
    "\u{0}",
    "\u{feff}",
    "Service(",
    "Queue(capacity: 0, consumers: 0)",
    "rate_limit: (rate: 0, burst: 0),",
    "Pause(node: \"users\", at_s: 0, duration_s: 0),",
    "health_check: (interval_s: 0, timeout_s: 0, unhealthy_threshold: 0),",
    "outlier_ejection: (consecutive_failures: 0, max_ejected_percent: 101),",
    "max_concurrent: 1, bulkhead_wait_ms: 1e9,",
    "request_kb: Exponential(mean_kb: 1e7), bandwidth_mbps: 0.001,",
    "pricing: (service_per_hour: 1e6, per_hour_of: {\"users\": 1e6}),",
    "instances: 0,",
    "balancing: LeastConnections,",
    "shards: 0,",
    "shards: 64, read_replicas: 64,",
    "table: (rows: 1000000000000, index: false, row_scan_us: 1000),",
    "table: (rows: 0),",
    "write_time: Constant(ms: 1e9),",
    "autoscale: (min: 0, max: 0, target: Utilisation(0), interval_s: 0, cold_start_s: 0),",
    "autoscale: (min: 1, max: 255, target: RequestsPerInstance(1e-9), scale_in_cooldown_s: 0),",
    "QueueDepth(",
    "Random",
    "x: 1,",
    "id: \"users\",",
    "\n",
    "\r\n",
    "…",
    "\u{a0}",
    "\u{3000}",
    "é:",
    "éworkers: -1,",
];

/// Replacements for a number already in the file.
const NUMBERS: &[&str] = &[
    "-1",
    "0",
    "-0.5",
    "0.0000001",
    "1e308",
    "1e400",
    "NaN",
    "inf",
    "-inf",
    "4294967296",
    "18446744073709551616",
    "1e-300",
    "2.5",
    "100000000",
    "1_000",
];

#[derive(Debug, Clone)]
enum Edit {
    /// Removes `len` characters from the relative position `at` (0..1).
    Delete { at: f64, len: usize },
    /// Copies `len` characters from `at` and inserts them at `to`.
    Duplicate { at: f64, len: usize, to: f64 },
    /// Inserts a token at `at`.
    Insert { at: f64, token: &'static str },
    /// Replaces the `nth` number of the file (modulo their count).
    SwapNumber { nth: usize, with: &'static str },
    /// Cuts the file at `at`.
    Truncate { at: f64 },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0.0..1.0f64, 1..60usize).prop_map(|(at, len)| Edit::Delete { at, len }),
        (0.0..1.0f64, 1..80usize, 0.0..1.0f64).prop_map(|(at, len, to)| Edit::Duplicate { at, len, to }),
        (0.0..1.0f64, prop::sample::select(TOKENS)).prop_map(|(at, token)| Edit::Insert { at, token }),
        (0..500usize, prop::sample::select(NUMBERS)).prop_map(|(nth, with)| Edit::SwapNumber { nth, with }),
        (0.0..1.0f64).prop_map(|at| Edit::Truncate { at }),
    ]
}

/// The byte offset at relative position `at`, on a character boundary.
fn offset(text: &str, at: f64) -> usize {
    let mut i = ((text.len() as f64 * at) as usize).min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The byte offset `chars` characters after `from` (or the end).
fn advance(text: &str, from: usize, chars: usize) -> usize {
    text[from..].char_indices().nth(chars).map_or(text.len(), |(i, _)| from + i)
}

/// Byte ranges of the number literals in `text`.
fn numbers(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts =
            bytes[i].is_ascii_digit() && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'));
        if starts {
            let mut j = i;
            while j < bytes.len() && (bytes[j].is_ascii_digit() || matches!(bytes[j], b'.' | b'e' | b'E' | b'_')) {
                j += 1;
            }
            out.push((i, j));
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

fn apply(text: &str, edit: &Edit) -> String {
    let mut out = text.to_string();
    match *edit {
        Edit::Delete { at, len } => {
            let start = offset(text, at);
            out.replace_range(start..advance(text, start, len), "");
        }
        Edit::Duplicate { at, len, to } => {
            let start = offset(text, at);
            let piece = text[start..advance(text, start, len)].to_string();
            out.insert_str(offset(text, to), &piece);
        }
        Edit::Insert { at, token } => out.insert_str(offset(text, at), token),
        Edit::SwapNumber { nth, with } => {
            let found = numbers(text);
            if !found.is_empty() {
                let (start, end) = found[nth % found.len()];
                out.replace_range(start..end, with);
            }
        }
        Edit::Truncate { at } => out.truncate(offset(text, at)),
    }
    out
}

/// A diagnostic's position lies inside the text and it says something.
fn check_diagnostic(source: &str, d: &Diagnostic) -> Result<(), TestCaseError> {
    prop_assert!(d.line >= 1 && d.column >= 1, "position {}:{} in {d}", d.line, d.column);
    prop_assert!(!d.message.trim().is_empty(), "empty message at {}:{}", d.line, d.column);
    let lines: Vec<&str> = source.split('\n').collect();
    prop_assert!(d.line <= lines.len(), "line {} past the end ({} lines): {d}", d.line, lines.len());
    let width = lines[d.line - 1].chars().count();
    prop_assert!(d.column <= width + 1, "column {} past the end of line {} ({width} chars): {d}", d.column, d.line);
    prop_assert!(d.to_string().starts_with("fuzz.ron:"));
    Ok(())
}

/// The property: no panic; diagnostics well formed; accepted scenarios run.
fn check(source: &str) -> Result<(), TestCaseError> {
    match parse_scenario(source, "fuzz.ron") {
        Err(LoadError::Invalid(list)) => {
            prop_assert!(!list.is_empty(), "rejected without a diagnostic");
            for d in &list {
                check_diagnostic(source, d)?;
            }
            let _ = LoadError::Invalid(list).to_string();
        }
        Err(other) => prop_assert!(false, "parsing text gave a non-diagnostic error: {other}"),
        Ok(scenario) => {
            let written = to_ron_string(&scenario);
            let again = parse_scenario(&written, "written.ron");
            prop_assert!(again.as_ref().is_ok_and(|s| *s == scenario), "written form differs: {again:?}");
            let built = Simulation::new(&scenario);
            prop_assert!(built.is_ok(), "accepted by the loader, refused by the engine: {:?}", built.err());
            if let Ok(mut sim) = built {
                sim.run_until_bounded(SimTime::from_secs(0.5), 200_000);
                let _ = sim.report();
            }
        }
    }
    Ok(())
}

fn config() -> Config {
    // `Config::default()` reads the PROPTEST_* variables; keep what they set.
    let mut config = Config { failure_persistence: None, ..Config::default() };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 300;
    }
    if config.rng_seed == RngSeed::Random {
        config.rng_seed = RngSeed::Fixed(0x5ce7_a410);
    }
    config
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mangled_bundled_scenarios_never_panic_and_report_real_positions(
        file in 0..BUNDLED.len(),
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let mut source = BUNDLED[file].source.to_string();
        for e in &edits {
            source = apply(&source, e);
        }
        check(&source)?;
    }
}

/// Inputs that once were, or could be, trouble: each must give diagnostics
/// (or load and run), never a panic, an abort or a hang.
#[test]
fn known_nasty_inputs_are_handled() {
    let base = BUNDLED[0].source;
    let three_tier = archsim::scenario::bundled("three-tier-web").expect("bundled").source;
    let nested = format!("({}{})", "[".repeat(5_000), "]".repeat(5_000));
    let cases: Vec<String> = vec![
        String::new(),
        " \n\t".into(),
        "()".into(),
        "(name: \"x\", nodes: [])".into(),
        nested,
        "\u{feff}".to_string() + base,
        base.replace('\n', "\r\n"),
        base.replace("workers: 1", "workers: 4294967295"),
        three_tier.replace("capacity: 20000", "capacity: 18446744073709551615"),
        three_tier.replace("read_replicas: 0", "read_replicas: 4000000000"),
        three_tier.replace("read_replicas: 0", "read_replicas: 64, shards: 4000000000"),
        three_tier.replace(
            "read_replicas: 0",
            "read_replicas: 0, table: (rows: 18446744073709551615, index: false, row_scan_us: 1e300)",
        ),
        three_tier.replace("Exponential(mean_ms: 4)", "Uniform(min_ms: 0, max_ms: 1e305)"),
        three_tier.replace("timeout_ms: 1000,", "timeout_ms: 1000, retry: (max_attempts: 70000, backoff_ms: 0),"),
        three_tier.replace("keyspace: 50000, zipf_exponent: 1.0", "keyspace: 1, zipf_exponent: 1e300"),
        base.replace("window_s: 1", "window_s: 1e-300"),
        base.replace("rate: 50", "rate: 1e300"),
        base.replace(
            "    ],\n)",
            "    ],\n    faults: [RandomCrashes(node: \"server\", mtbf_s: 1e-300, mttr_s: 1e-300)],\n)",
        ),
        // Pauses of no time at all, and as late and as long as the limits allow.
        base.replace(
            "    ],\n)",
            "    ],\n    faults: [Pause(node: \"server\", at_s: 1, duration_s: 1e-300), \
             Pause(node: \"server\", at_s: 1e9, duration_s: 1e9), Pause(node: \"server\", at_s: 0, duration_s: 1e9)],\n)",
        ),
        base.replace("from_factor: 1.0", "from_factor: 1e300"),
        base.replace("\"users\"", "\"\u{0}\""),
        // Characters of several bytes right before a bad value or a field name.
        base.replace("workers: 1,", "workers:\u{a0}-1,"),
        base.replace("workers: 1,", "éworkers: -1,"),
        base.replace("workers: 1,", "workers: 1.5é,"),
        base.replace("workers: 1,", "wörkers: 1,"),
    ];
    for source in &cases {
        if let Err(e) = check(source) {
            panic!("{e}\n--- input ---\n{source}");
        }
    }
    // A byte-order mark and Windows line endings are still a valid file.
    parse_scenario(&cases[5], "bom.ron").expect("a BOM is skipped");
    parse_scenario(&cases[6], "crlf.ron").expect("CRLF line endings load");
}
