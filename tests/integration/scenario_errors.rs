//! What a learner sees when a scenario file is wrong: every problem at once,
//! each as `file:line:column: message`, the position on the offending text
//! and the message saying what was expected.

use archsim::scenario::{Diagnostic, LoadError, load_scenario, parse_scenario};

/// A small valid scenario; tests break one thing at a time with `replace`.
const GOOD: &str = r#"// A client, a service and a database.
(
    name: "errors",
    duration_s: 30,
    nodes: [
        (id: "users", kind: Client(arrivals: Poisson(rate: 50), timeout_ms: 500)),
        (id: "api", kind: Service(workers: 4, service_time: Exponential(mean_ms: 10))),
        (id: "db", kind: Database(connections: 8, query_time: Constant(ms: 2))),
    ],
    edges: [
        (from: "users", to: "api"),
        (from: "api", to: "db", latency: Constant(ms: 1)),
    ],
)
"#;

/// `GOOD` with `from` replaced by `to` (which must occur exactly once).
fn edit(from: &str, to: &str) -> String {
    assert_eq!(GOOD.matches(from).count(), 1, "`{from}` must occur once in GOOD");
    GOOD.replace(from, to)
}

/// The problems of a source that must not load.
fn problems(source: &str) -> Vec<Diagnostic> {
    match parse_scenario(source, "bad.ron") {
        Ok(_) => panic!("expected problems, the scenario loaded:\n{source}"),
        Err(LoadError::Invalid(list)) => {
            assert!(!list.is_empty(), "an invalid scenario with no diagnostics");
            list
        }
        Err(other) => panic!("expected diagnostics, got {other}"),
    }
}

/// 1-based line and column where `needle` starts in `source` (it must occur once).
fn position_of(source: &str, needle: &str) -> (usize, usize) {
    assert_eq!(source.matches(needle).count(), 1, "`{needle}` must occur once in the source");
    let at = source.find(needle).expect("present");
    let before = &source[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Asserts one diagnostic sits where `needle` starts and says every phrase.
#[track_caller]
fn assert_problem_at(list: &[Diagnostic], source: &str, needle: &str, phrases: &[&str]) {
    let (line, column) = position_of(source, needle);
    let found =
        list.iter().any(|d| d.line == line && d.column == column && phrases.iter().all(|p| d.message.contains(p)));
    let shown: Vec<String> = list.iter().map(ToString::to_string).collect();
    assert!(found, "no problem at {line}:{column} (`{needle}`) saying {phrases:?}; got:\n{}", shown.join("\n"));
}

#[test]
fn the_valid_base_scenario_loads() {
    parse_scenario(GOOD, "good.ron").expect("GOOD is valid");
}

#[test]
fn a_diagnostic_reads_file_line_column_message() {
    let source = edit("workers: 4", "workers: 0");
    let list = problems(&source);
    let (line, column) = position_of(&source, "workers: 0");
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].to_string(), format!("bad.ron:{line}:{column}: {}", list[0].message));
    assert!(list[0].message.contains("`workers` must be at least 1"), "{}", list[0].message);
    let whole = LoadError::Invalid(list).to_string();
    assert!(whole.starts_with("1 problem in the scenario:\nbad.ron:"), "{whole}");
}

#[test]
fn a_syntax_error_gives_the_line_and_column_where_parsing_stopped() {
    let source = edit("workers: 4,", "workers: 4,,");
    let list = problems(&source);
    assert_eq!(list.len(), 1, "nothing after a syntax error can be trusted: {list:?}");
    let (line, column) = position_of(&source, ",,");
    assert_eq!((list[0].line, list[0].column), (line, column + 1), "{}", list[0]);
}

#[test]
fn a_missing_closing_bracket_says_the_file_ends_too_early() {
    let source = GOOD.trim_end().trim_end_matches(')');
    let list = problems(source);
    assert_eq!(list.len(), 1);
    assert!(list[0].message.contains("ends too early"), "{}", list[0]);
    assert!(list[0].line >= 1 && list[0].column >= 1);
}

#[test]
fn an_unclosed_string_is_pointed_out_with_the_line_it_starts_on() {
    let source = edit(r#"name: "errors","#, r#"name: "errors,"#);
    let list = problems(&source);
    let (start_line, _) = position_of(&source, r#""errors,"#);
    assert!(list[0].message.contains(&format!("starts on line {start_line}")), "{}", list[0]);
    assert!(list[0].message.contains("closing `\"` missing"), "{}", list[0]);
}

#[test]
fn an_unknown_field_is_named_with_a_suggestion_and_the_expected_fields() {
    let source = edit("workers: 4", "workerz: 4");
    let list = problems(&source);
    assert_problem_at(
        &list,
        &source,
        "workerz",
        &["unknown field `workerz`", "did you mean `workers`?", "`queue_capacity`", "`blocking_calls`"],
    );
    // The missing `workers` is the typo's doing, not a second problem.
    assert_eq!(list.len(), 1, "{list:?}");
}

#[test]
fn positions_after_a_corrected_typo_on_the_same_line_are_exact() {
    // `timeout` is read as `timeout_ms`, three characters longer: what
    // follows on the line must still be pointed at where it is written.
    let source = edit("timeout_ms: 500", "timeout: 500, write_fraction: 2");
    let list = problems(&source);
    assert_problem_at(&list, &source, "timeout: 500", &["did you mean `timeout_ms`?"]);
    assert_problem_at(&list, &source, "write_fraction", &["`write_fraction` is a probability"]);
    let source = edit("timeout_ms: 500", "timeout: 500, write_fraction: \"half\"");
    let list = problems(&source);
    assert_problem_at(&list, &source, "\"half\"", &["`write_fraction` takes a number"]);
}

#[test]
fn an_unknown_component_kind_lists_the_kinds() {
    let source = edit("kind: Database(", "kind: Databse(");
    let list = problems(&source);
    assert_problem_at(&list, &source, "Databse", &["unknown name `Databse`", "did you mean `Database`?", "`Queue`"]);
}

#[test]
fn several_unknown_fields_and_the_semantic_problems_come_back_together() {
    let source = edit("duration_s: 30,", "duration_s: 30, colour: \"red\",")
        .replace("timeout_ms: 500", "timeout: 500")
        .replace("rate: 50", "rate: -5");
    let list = problems(&source);
    assert_problem_at(&list, &source, "colour", &["unknown field `colour`"]);
    assert_problem_at(&list, &source, "timeout: 500", &["unknown field `timeout`", "did you mean `timeout_ms`?"]);
    assert_problem_at(&list, &source, "rate: -5", &["`rate` must be more than 0", "requests/s", "got -5"]);
    assert_eq!(list.len(), 3, "{list:?}");
    let lines: Vec<usize> = list.iter().map(|d| d.line).collect();
    assert!(lines.is_sorted(), "in reading order: {lines:?}");
}

#[test]
fn doubled_parentheses_around_a_component_are_explained() {
    let source = edit(
        "Service(workers: 4, service_time: Exponential(mean_ms: 10))",
        "Service((workers: 4, service_time: Exponential(mean_ms: 10)))",
    );
    let list = problems(&source);
    assert_problem_at(&list, &source, "(workers", &["one pair of parentheses is enough"]);
}

#[test]
fn a_missing_required_field_points_at_the_component_that_needs_it() {
    let source = edit("workers: 4, ", "");
    let list = problems(&source);
    assert_problem_at(&list, &source, "Service(", &["needs the field `workers`"]);
}

#[test]
fn a_field_written_twice_is_pointed_at_the_second_time() {
    let source = edit("connections: 8,", "connections: 8, connections: 9,");
    let list = problems(&source);
    assert_problem_at(&list, &source, "connections: 9", &["`connections` is written twice"]);
}

#[test]
fn wrong_types_say_what_the_field_takes() {
    let negative = edit("workers: 4", "workers: -4");
    assert_problem_at(&problems(&negative), &negative, "-4", &["`workers` cannot be negative", "whole number"]);
    let fraction = edit("workers: 4", "workers: 4.5");
    let list = problems(&fraction);
    assert!(list[0].message.contains("`workers` takes a whole number"), "{}", list[0]);
    let huge = edit("workers: 4", "workers: 99999999999");
    assert!(problems(&huge)[0].message.contains("too large for `workers`"));
    let text = edit("mean_ms: 10", "mean_ms: \"10\"");
    assert!(problems(&text)[0].message.contains("`mean_ms` takes a number"));
}

#[test]
fn an_unknown_node_in_an_edge_is_pointed_at_with_a_suggestion() {
    let source = edit(r#"(from: "api", to: "db""#, r#"(from: "api", to: "DB""#);
    let list = problems(&source);
    assert_problem_at(&list, &source, r#"to: "DB""#, &["there is no node \"DB\"", "did you mean \"db\"?"]);

    let source = edit(r#"(from: "users", to: "api")"#, r#"(from: "user", to: "nowhere")"#);
    let list = problems(&source);
    assert_problem_at(&list, &source, r#"from: "user""#, &["did you mean \"users\"?"]);
    assert_problem_at(&list, &source, r#"to: "nowhere""#, &["the nodes are \"users\", \"api\", \"db\""]);
}

#[test]
fn an_unknown_node_in_a_fault_is_pointed_at() {
    let source = edit("    ],\n)", "    ],\n    faults: [Crash(node: \"apii\", at_s: 5, restore_s: 10)],\n)");
    let list = problems(&source);
    assert_problem_at(&list, &source, r#"node: "apii""#, &["fault 1", "did you mean \"api\"?"]);
}

#[test]
fn rates_must_be_positive() {
    for (rate, got) in [("0", "got 0"), ("-3", "got -3"), ("NaN", "NaN"), ("1e400", "infinity")] {
        let source = edit("rate: 50", &format!("rate: {rate}"));
        assert_problem_at(&problems(&source), &source, "rate:", &["`rate` must be more than 0", got]);
    }
    let source = edit("Poisson(rate: 50)", "Bursty(rate_on: 0, rate_off: -1, mean_on_s: 1, mean_off_s: 0)");
    let list = problems(&source);
    assert_problem_at(&list, &source, "rate_on", &["`rate_on` must be more than 0"]);
    assert_problem_at(&list, &source, "rate_off", &["`rate_off` must be 0 or more"]);
    assert_problem_at(&list, &source, "mean_off_s", &["`mean_off_s` must be more than 0", "seconds"]);
}

#[test]
fn a_rate_limit_out_of_bounds_is_pointed_at_with_its_bounds() {
    let source = edit("connections: 8,", "connections: 8, rate_limit: (rate: 0, burst: 20000000),");
    let list = problems(&source);
    assert_problem_at(
        &list,
        &source,
        "rate: 0",
        &["`rate` must be more than 0 and at most 10,000,000 requests/s", "got 0"],
    );
    assert_problem_at(&list, &source, "burst", &["`burst` must be at most 10,000,000 requests", "got 20000000"]);
    assert_eq!(list.len(), 2, "{list:?}");

    let source = edit("workers: 4,", "workers: 4, rate_limit: (rate: 100, burst: 0),");
    assert_problem_at(&problems(&source), &source, "burst", &["`burst` must be at least 1 request, got 0"]);

    let source = edit("workers: 4,", "workers: 4, rate_limit: (rate: 100, bust: 5),");
    assert_problem_at(&problems(&source), &source, "bust", &["unknown field `bust`", "did you mean `burst`?"]);
}

#[test]
fn probabilities_must_lie_between_0_and_1() {
    let source = edit("workers: 4,", "workers: 4, error_probability: 1.5,")
        .replace(r#"to: "db","#, r#"to: "db", drop_probability: -0.1,"#)
        .replace("timeout_ms: 500", "timeout_ms: 500, write_fraction: 2");
    let list = problems(&source);
    for field in ["error_probability", "drop_probability", "write_fraction"] {
        assert_problem_at(&list, &source, field, &[&format!("`{field}` is a probability"), "between 0 and 1"]);
    }
    assert_eq!(list.len(), 3, "{list:?}");
}

#[test]
fn distribution_parameters_are_pointed_at() {
    let source = edit("Exponential(mean_ms: 10)", "LogNormalPercentiles(p50_ms: 20, p99_ms: 5)");
    let list = problems(&source);
    assert_problem_at(&list, &source, "p99_ms", &["in `service_time`", "`p99_ms` (5) must be at least `p50_ms` (20)"]);
    let source = edit("Constant(ms: 1)", "Constant(ms: -1)");
    assert_problem_at(&problems(&source), &source, "ms: -1", &["in `latency`", "`ms` must be 0 or more"]);
}

#[test]
fn a_service_calling_itself_is_a_cycle() {
    let source = edit(r#"(from: "api", to: "db""#, r#"(from: "api", to: "api""#);
    let list = problems(&source);
    assert_problem_at(&list, &source, r#"to: "api", latency"#, &["\"api\" calls itself", "synchronous"]);
}

#[test]
fn a_longer_cycle_is_named_hop_by_hop_at_the_edge_that_closes_it() {
    let source = edit("query_time: Constant(ms: 2))),", "query_time: Constant(ms: 2))),\n        (id: \"auth\", kind: Service(workers: 1, service_time: Constant(ms: 1))),")
        .replace(r#"(from: "api", to: "db", latency: Constant(ms: 1)),"#, r#"(from: "api", to: "auth"),
        (from: "auth", to: "api"),"#);
    let list = problems(&source);
    assert_problem_at(&list, &source, "to: \"api\"),\n    ]", &["cycle", "api → auth → api"]);
    assert_eq!(list.len(), 1, "{list:?}");
}

#[test]
fn a_client_needs_exactly_one_target() {
    let source = edit("        (from: \"users\", to: \"api\"),\n", "");
    assert_problem_at(
        &problems(&source),
        &source,
        r#"id: "users""#,
        &["client \"users\" has no target", "add an edge"],
    );
    let source = edit(r#"(from: "users", to: "api"),"#, r#"(from: "users", to: "api"), (from: "users", to: "db"),"#);
    assert_problem_at(&problems(&source), &source, r#"id: "users""#, &["2 targets", "load balancer"]);
}

#[test]
fn node_ids_must_be_unique() {
    let source = edit(r#"(id: "db","#, r#"(id: "api","#);
    let list = problems(&source);
    let second = source.match_indices(r#"id: "api""#).nth(1).expect("two").0;
    let line = source[..second].matches('\n').count() + 1;
    assert!(
        list.iter().any(|d| d.line == line && d.message.contains("\"api\" is used twice (node 2 and node 3)")),
        "{list:?}"
    );
}

#[test]
fn the_warmup_must_be_shorter_than_the_run() {
    let source = edit("duration_s: 30,", "duration_s: 30, warmup_s: 30,");
    assert_problem_at(
        &problems(&source),
        &source,
        "warmup_s",
        &["`warmup_s` (30) must be shorter than `duration_s` (30)"],
    );
}

#[test]
fn the_top_level_duration_is_found_even_after_a_nested_one() {
    // `duration_s` of a traffic spike comes first in the file; the problem
    // is the scenario's own `duration_s`, written after the nodes.
    let source = edit("    duration_s: 30,\n", "")
        .replace("timeout_ms: 500", "profile: [Spike(start_s: 1, duration_s: 2, factor: 3)]")
        .replace("    ],\n)", "    ],\n    duration_s: -1,\n)");
    assert_problem_at(&problems(&source), &source, "duration_s: -1", &["`duration_s` must be more than 0"]);
}

#[test]
fn a_cache_and_a_queue_need_exactly_one_outgoing_edge() {
    let source = edit(
        r#"(id: "db", kind: Database(connections: 8, query_time: Constant(ms: 2))),"#,
        r#"(id: "db", kind: Database(connections: 8, query_time: Constant(ms: 2))),
        (id: "cache", kind: Cache(mode: Lru(capacity: 100), lookup_time: Constant(ms: 1))),
        (id: "jobs", kind: Queue(capacity: 10, consumers: 1)),"#,
    )
    .replace(r#"(from: "api", to: "db", "#, r#"(from: "api", to: "cache"), (from: "api", to: "jobs"), (from: "jobs", to: "db"), (from: "jobs", to: "cache"), (from: "api", to: "db", "#);
    let list = problems(&source);
    assert_problem_at(
        &list,
        &source,
        r#"id: "cache""#,
        &["cache \"cache\" needs exactly one outgoing edge", "it has none"],
    );
    assert_problem_at(
        &list,
        &source,
        r#"id: "jobs""#,
        &["queue \"jobs\" needs exactly one outgoing edge", "it has 2: \"db\", \"cache\""],
    );
}

#[test]
fn a_fault_on_the_wrong_kind_of_node_says_which_kinds_it_acts_on() {
    let faults = r#"    faults: [
        Flush(node: "api", at_s: 5),
        Spike(node: "db", at_s: 5, duration_s: 2, factor: 3),
        Slow(node: "users", factor: 4, from_s: 1, to_s: 2),
        Errors(node: "users", probability: 0.5, from_s: 1, to_s: 2),
    ],
)"#;
    let source = edit("    ],\n)", &format!("    ],\n{faults}"));
    let list = problems(&source);
    assert_problem_at(&list, &source, r#"node: "api""#, &["only a cache can be flushed", "\"api\" is a service"]);
    assert_problem_at(&list, &source, r#"node: "db""#, &["a spike multiplies a client's rate", "\"db\" is a database"]);
    assert_problem_at(
        &list,
        &source,
        r#"node: "users", factor"#,
        &["only a service, a cache or a database", "slow down"],
    );
    assert_problem_at(&list, &source, r#"node: "users", probability"#, &["can return errors", "\"users\" is a client"]);
    assert_eq!(list.len(), 4, "{list:?}");
}

#[test]
fn fault_times_are_pointed_at_field_by_field() {
    let faults = r#"    faults: [
        Slow(node: "db", factor: 0, from_s: 20, to_s: 10),
        Crash(node: "api", at_s: -1, restore_s: 5),
        Errors(node: "api", probability: 2, from_s: 1, to_s: 2),
    ],
)"#;
    let source = edit("    ],\n)", &format!("    ],\n{faults}"));
    let list = problems(&source);
    assert_problem_at(&list, &source, "factor: 0", &["`factor` must be more than 0"]);
    assert_problem_at(&list, &source, "to_s: 10", &["`to_s` (10) must be after `from_s` (20)"]);
    assert_problem_at(&list, &source, "at_s: -1", &["`at_s` must be 0 or more", "seconds"]);
    assert_problem_at(&list, &source, "probability: 2", &["`probability` is a probability"]);
    assert_eq!(list.len(), 4, "{list:?}");
}

/// A pause needs a node that does work, a duration and a time that are
/// numbers in range; each problem points at its own field.
#[test]
fn a_pause_is_checked_field_by_field() {
    let faults = r#"    faults: [
        Pause(node: "users", at_s: 5, duration_s: 2),
        Pause(node: "ghost", at_s: 5, duration_s: 2),
        Pause(node: "api", at_s: -3, duration_s: 0),
        Pause(node: "db", at_s: 5, duration_s: 1e12),
        Pause(node: "api", at_s: 20, duration_s: 0.5),
    ],
)"#;
    let source = edit("    ],\n)", &format!("    ],\n{faults}"));
    let list = problems(&source);
    assert_problem_at(&list, &source, r#"node: "users""#, &["a pause can freeze", "\"users\" is a client"]);
    assert_problem_at(&list, &source, r#"node: "ghost""#, &["fault 2", "no node \"ghost\""]);
    assert_problem_at(&list, &source, "at_s: -3", &["`at_s` must be 0 or more", "seconds"]);
    assert_problem_at(&list, &source, "duration_s: 0)", &["`duration_s` must be more than 0"]);
    assert_problem_at(&list, &source, "duration_s: 1e12", &["`duration_s`", "1,000,000,000"]);
    assert_eq!(list.len(), 5, "the last pause is valid: {list:?}");
}

#[test]
fn a_spike_or_profile_on_closed_loop_users_is_refused() {
    let source = edit(
        "Poisson(rate: 50), timeout_ms: 500",
        "Closed(users: 10, think: Constant(ms: 100)), profile: [Step(at_s: 5, factor: 2)]",
    )
    .replace("    ],\n)", "    ],\n    faults: [Spike(node: \"users\", at_s: 5, duration_s: 2, factor: 3)],\n)");
    let list = problems(&source);
    assert_problem_at(&list, &source, "profile", &["closed-loop users ignore it"]);
    assert_problem_at(&list, &source, r#"node: "users""#, &["closed-loop users have no rate"]);
}

#[test]
fn closed_loop_users_must_think_for_some_time() {
    let source = edit("Poisson(rate: 50), timeout_ms: 500", "Closed(users: 5, think: Constant(ms: 0))");
    assert_problem_at(&problems(&source), &source, "think", &["think time of at least 0.001 ms"]);
    let source = edit("Poisson(rate: 50), timeout_ms: 500", "Closed(users: 5, think: Exponential(mean_ms: 0.0000001))");
    assert_problem_at(&problems(&source), &source, "think", &["think time of at least 0.001 ms"]);
}

#[test]
fn values_the_engine_cannot_simulate_are_refused_with_the_limit() {
    let source = edit("workers: 4,", "workers: 4,")
        .replace("connections: 8,", "connections: 8, read_replicas: 1000,")
        .replace("timeout_ms: 500", "timeout_ms: 500, retry: (max_attempts: 100000, backoff_ms: 10)");
    let list = problems(&source);
    assert_problem_at(&list, &source, "read_replicas", &["at most 64 replicas"]);
    assert_problem_at(&list, &source, "max_attempts", &["at most 100 attempts"]);
}

#[test]
fn a_database_s_table_and_shards_are_refused_beyond_their_limits_with_the_limit() {
    let source = edit("workers: 4,", "workers: 4,").replace(
        "connections: 8,",
        "connections: 8, shards: 65, table: (rows: 2000000000000, row_scan_us: 5000, index_level_ms: -1), \
         write_time: Constant(ms: -1),",
    );
    let list = problems(&source);
    assert_problem_at(&list, &source, "shards", &["at most 64 shards"]);
    assert_problem_at(&list, &source, "rows", &["at most 1,000,000,000,000 rows"]);
    assert_problem_at(&list, &source, "row_scan_us", &["at most 1,000 µs"]);
    assert_problem_at(&list, &source, "index_level_ms", &["must be 0 or more"]);
    let source = edit("workers: 4,", "workers: 4,")
        .replace("connections: 8,", "connections: 8, shards: 8, read_replicas: 40, table: (rows: 0),");
    let list = problems(&source);
    assert_problem_at(&list, &source, "shards", &["at most 256 servers, got 328"]);
    assert_problem_at(&list, &source, "rows", &["at least 1 row"]);
}

#[test]
fn a_bad_file_reports_every_problem_at_once() {
    let source = r#"(
    name: "everything wrong",
    duration_s: 10,
    warmup_s: 20,
    nodes: [
        (id: "users", kind: Client(arrivals: Poisson(rate: 0))),
        (id: "lonely", kind: Client(arrivals: Constant(rate: 5))),
        (id: "api", kind: Service(workers: 0, service_time: Exponential(mean_ms: 5), error_probability: 3)),
        (id: "api", kind: Cache(mode: FixedHitRate(hit_probability: 1.2), lookup_time: Constant(ms: 1))),
        (id: "db", kind: Database(connections: 2, query_time: Constant(ms: 2))),
        (id: "auth", kind: Service(workers: 1, service_time: Constant(ms: 1))),
    ],
    edges: [
        (from: "users", to: "api"),
        (from: "api", to: "auth"),
        (from: "auth", to: "api"),
        (from: "api", to: "ghost"),
    ],
    faults: [
        Flush(node: "db", at_s: 5),
    ],
)"#;
    let list = problems(source);
    // Shown with `--nocapture`: what a learner reads for this file.
    println!("{}", LoadError::Invalid(list.clone()));
    assert_problem_at(&list, source, "warmup_s", &["shorter than `duration_s`"]);
    assert_problem_at(&list, source, "rate: 0", &["`rate` must be more than 0"]);
    assert_problem_at(&list, source, r#"id: "lonely""#, &["has no target"]);
    assert_problem_at(&list, source, "workers: 0", &["`workers` must be at least 1"]);
    assert_problem_at(&list, source, "error_probability: 3", &["is a probability"]);
    assert_problem_at(&list, source, "hit_probability", &["is a probability"]);
    assert_problem_at(&list, source, r#"to: "ghost""#, &["there is no node \"ghost\""]);
    assert_problem_at(&list, source, r#"node: "db""#, &["only a cache can be flushed"]);
    assert!(list.iter().any(|d| d.message.contains("is used twice")), "{list:?}");
    assert!(list.iter().any(|d| d.message.contains("cycle")), "{list:?}");
    assert!(list.len() >= 10, "{list:#?}");
    for d in &list {
        assert!(d.line >= 1 && d.column >= 1 && !d.message.is_empty(), "{d:?}");
    }
}

#[test]
fn a_missing_file_names_the_path() {
    let err = load_scenario(std::path::Path::new("no/such/scenario.ron")).expect_err("no file");
    assert!(matches!(err, LoadError::Io { .. }));
    assert!(err.to_string().contains("no/such/scenario.ron"), "{err}");
}

#[test]
fn a_step_that_multiplies_the_top_rate_past_the_limit_is_refused_at_the_rate() {
    let source =
        edit("Poisson(rate: 50), timeout_ms: 500", "Poisson(rate: 10000000), profile: [Step(at_s: 5, factor: 10000)]");
    let list = problems(&source);
    assert_problem_at(
        &list,
        &source,
        "rate: 10000000",
        &[
            "client \"users\" could reach 100,000,000,000 requests/s (10,000,000 × step ×10,000)",
            "at most 10,000,000 requests/s is supported",
        ],
    );
    assert_eq!(list.len(), 1, "one problem for the client, not one per factor: {list:?}");
}

#[test]
fn overlapping_spikes_multiply_and_the_fault_timeline_spikes_count_too() {
    // ×10,000 in the profile during [10, 20) and ×10,000 from the fault
    // timeline during [15, 25): together ×100,000,000 on 50/s.
    let source = edit(
        "Poisson(rate: 50), timeout_ms: 500",
        "Poisson(rate: 50), profile: [Spike(start_s: 10, duration_s: 10, factor: 10000)]",
    )
    .replace("    ],\n)", "    ],\n    faults: [Spike(node: \"users\", at_s: 15, duration_s: 10, factor: 10000)],\n)");
    assert_problem_at(
        &problems(&source),
        &source,
        "rate: 50",
        &["5,000,000,000 requests/s", "2 overlapping spikes ×100,000,000, one in `faults`"],
    );
}

#[test]
fn spikes_one_after_the_other_and_a_peak_exactly_at_the_limit_are_accepted() {
    // The second spike starts when the first ends: they never overlap, and
    // 1,000 × 10,000 is exactly the limit.
    let source = edit(
        "Poisson(rate: 50), timeout_ms: 500",
        "Poisson(rate: 1000), profile: [Spike(start_s: 0, duration_s: 5, factor: 10000), \
         Spike(start_s: 5, duration_s: 5, factor: 10000)]",
    );
    parse_scenario(&source, "ok.ron").expect("at most the limit at any time");
    let source = edit(
        "Poisson(rate: 50), timeout_ms: 500",
        "Constant(rate: 1000), profile: [Ramp(start_s: 0, end_s: 9, from_factor: 1, to_factor: 10000)]",
    );
    parse_scenario(&source, "ok.ron").expect("a ramp up to exactly the limit");
}

#[test]
fn a_bursty_client_is_bounded_by_its_burst_rate_and_its_daily_curve() {
    let source = edit(
        "Poisson(rate: 50), timeout_ms: 500",
        "Bursty(rate_on: 5000, rate_off: 10, mean_on_s: 1, mean_off_s: 1), \
         profile: [Step(at_s: 1, factor: 2000), Daily(period_s: 60, amplitude: 0.5)]",
    );
    assert_problem_at(
        &problems(&source),
        &source,
        "rate_on",
        &["15,000,000 requests/s", "`rate_on` 5,000 × step ×2,000 × daily curve ×1.5"],
    );
}

/// GOOD with a consistent-hash load balancer between the service and the
/// database, and `keys` (if any) on the client.
fn consistent_hash_source(keys: &str) -> String {
    edit("timeout_ms: 500", &format!("timeout_ms: 500{keys}"))
        .replace(
            r#"        (id: "db","#,
            r#"        (id: "lb", kind: LoadBalancer(policy: ConsistentHash)),
        (id: "db","#,
        )
        .replace(r#"(from: "api", to: "db", "#, r#"(from: "api", to: "lb"), (from: "lb", to: "db", "#)
}

#[test]
fn a_consistent_hash_balancer_that_no_keyed_client_reaches_is_refused_at_its_policy() {
    let source = consistent_hash_source("");
    let list = problems(&source);
    assert_problem_at(
        &list,
        &source,
        "policy: ConsistentHash",
        &["\"lb\" uses ConsistentHash", "\"users\" has none", "keys: (keyspace: 100000, zipf_exponent: 0.9)"],
    );
    assert_eq!(list.len(), 1, "{list:?}");
    // Keys on the client, two hops upstream, are enough.
    let source = consistent_hash_source(", keys: (keyspace: 1000)");
    parse_scenario(&source, "ok.ron").expect("the client's keys reach the balancer through the service");
}

#[test]
fn an_unclosed_block_comment_is_reported_where_it_opens() {
    let source =
        edit("    name: \"errors\",", "    name: \"errors\", /* the /* nested */ part is closed, this one is not");
    let list = problems(&source);
    assert_problem_at(&list, &source, "/* the", &["this `/*` comment is never closed: add `*/`"]);
    assert_eq!(list.len(), 1, "{list:?}");
    // Nested comments that close are fine.
    parse_scenario(&edit("    name: \"errors\",", "    name: \"errors\", /* a /* b */ c */"), "ok.ron")
        .expect("closed");
}

/// Writes `bytes` to a fresh file and loads it.
fn load_bytes(test: &str, bytes: &[u8]) -> Result<archsim::scenario::Scenario, LoadError> {
    let dir = std::env::temp_dir().join(format!("archsim-errors-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("scenario.ron");
    std::fs::write(&path, bytes).expect("write the file");
    let result = load_scenario(&path);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

#[test]
fn a_byte_that_is_not_utf8_is_reported_at_its_line_and_column_with_the_other_problems() {
    let source = edit("name: \"errors\"", "name: \"caf\u{e9}\"").replace("workers: 4", "workers: 0");
    // "café" in Latin-1: the é is the single byte 0xE9.
    let bytes: Vec<u8> = source.chars().map(|c| u8::try_from(u32::from(c)).expect("Latin-1")).collect();
    let Err(LoadError::Invalid(list)) = load_bytes("latin1", &bytes) else { panic!("expected diagnostics") };
    let (line, column) = position_of(&source, "\u{e9}");
    assert!(
        list.iter().any(|d| d.line == line
            && d.column == column
            && d.message.contains("not valid UTF-8")
            && d.message.contains("0xE9")
            && d.message.contains("save the file as UTF-8")),
        "{list:?}"
    );
    assert!(list.iter().any(|d| d.message.contains("`workers` must be at least 1")), "{list:?}");
    assert_eq!(list.len(), 2, "{list:?}");
}

#[test]
fn a_utf16_or_utf32_file_is_asked_to_be_saved_as_utf8() {
    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain(GOOD.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let utf32: Vec<u8> =
        [0, 0, 0xFE, 0xFF].into_iter().chain(GOOD.chars().flat_map(|c| u32::from(c).to_be_bytes())).collect();
    for (name, bytes, encoding) in [("utf16", utf16, "UTF-16 (little-endian)"), ("utf32", utf32, "UTF-32 (big-endian)")]
    {
        let Err(LoadError::Invalid(list)) = load_bytes(name, &bytes) else { panic!("expected diagnostics") };
        assert_eq!(list.len(), 1, "{list:?}");
        let text = list[0].to_string();
        assert!(text.contains(":1:1: ") && text.contains(encoding) && text.contains("must be UTF-8"), "{text}");
    }
}

#[test]
fn a_utf8_byte_order_mark_is_accepted() {
    let bytes: Vec<u8> = [0xEF, 0xBB, 0xBF].into_iter().chain(GOOD.bytes()).collect();
    load_bytes("bom", &bytes).expect("a UTF-8 file with a byte-order mark loads");
    // It is not a column: positions on the first line are the editor's.
    let source = "(name: 5, nodes: [])";
    let Err(LoadError::Invalid(list)) = load_bytes("bom-column", format!("\u{feff}{source}").as_bytes()) else {
        panic!("expected diagnostics")
    };
    assert_eq!((list[0].line, list[0].column), position_of(source, "5"), "{list:?}");
}

#[test]
fn thousands_of_problems_are_located_in_linear_time_each_at_its_own_line() {
    for (nodes, faults) in [(20_000, 0), (2, 20_000)] {
        let source = crate::common::generated_scenario(nodes, faults);
        let started = std::time::Instant::now();
        let list = problems(&source);
        let took = started.elapsed();
        assert!(list.len() >= 10_000, "{}", list.len());
        // Each problem on its own line (node k or fault k is on line k + 4 or so).
        let mut lines: Vec<usize> = list.iter().map(|d| d.line).collect();
        lines.dedup();
        assert_eq!(lines.len(), list.len(), "one problem per line, in order");
        // The quadratic code took minutes in a release build.
        assert!(took.as_secs() < 10, "{nodes} nodes, {faults} faults: {took:?}");
    }
}

/// A design larger than the memory bound allows is refused, quickly and
/// with the figure, rather than accepted and then out of memory.
#[test]
fn more_nodes_or_edges_than_the_limits_are_refused_with_the_figure() {
    use archsim::scenario::limits::{MAX_EDGES, MAX_NODES};
    let mut source = String::from("(name: \"big\", nodes: [(id: \"c\", kind: Client(arrivals: Poisson(rate: 1))),\n");
    for i in 0..MAX_NODES {
        source.push_str(&format!("(id: \"db{i}\", kind: Database(connections: 1, query_time: Constant(ms: 1))),\n"));
    }
    source.push_str("], edges: [(from: \"c\", to: \"db0\"),\n");
    for _ in 0..MAX_EDGES {
        source.push_str("(from: \"c\", to: \"db1\"),\n");
    }
    source.push_str("])");
    let Err(LoadError::Invalid(problems)) = parse_scenario(&source, "big.ron") else { panic!("must be refused") };
    let messages: Vec<&str> = problems.iter().map(|d| d.message.as_str()).collect();
    assert!(messages.iter().any(|m| m.contains("1,001 nodes; at most 1,000")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("10,001 edges; at most 10,000")), "{messages:?}");
}

/// A `Latency` fault names a real edge and adds a positive delay; both
/// problems are found at once, each where it is written.
#[test]
fn a_latency_fault_on_a_missing_edge_or_with_no_delay_is_refused_where_written() {
    let source = edit(
        "        (from: \"api\", to: \"db\", latency: Constant(ms: 1)),\n    ],",
        "        (from: \"api\", to: \"db\", latency: Constant(ms: 1)),\n    ],\n    faults: [\n        Latency(from: \"users\", to: \"db\", added_ms: 50, from_s: 1, to_s: 2),\n        Latency(from: \"api\", to: \"db\", added_ms: -3, from_s: 1, to_s: 2),\n    ],",
    );
    let list = problems(&source);
    assert_eq!(list.len(), 2, "{list:?}");
    assert_problem_at(&list, &source, "to: \"db\", added_ms: 50", &["no edge from \"users\" to \"db\""]);
    assert_problem_at(&list, &source, "added_ms: -3", &["`added_ms`", "got -3"]);
}

/// A bulkhead of no calls would refuse everything: refused where written.
#[test]
fn a_bulkhead_of_zero_calls_is_refused_where_written() {
    let source = edit(
        "(from: \"api\", to: \"db\", latency: Constant(ms: 1)),",
        "(from: \"api\", to: \"db\", latency: Constant(ms: 1), max_concurrent: 0),",
    );
    let list = problems(&source);
    assert_eq!(list.len(), 1, "{list:?}");
    assert_problem_at(&list, &source, "max_concurrent: 0", &["`max_concurrent`", "got 0"]);
}

/// A wait for a place in a bulkhead the edge does not have, and a wait of
/// no time: each refused where written.
#[test]
fn a_bulkhead_wait_without_a_bulkhead_or_of_no_time_is_refused_where_written() {
    let source = edit(
        "(from: \"api\", to: \"db\", latency: Constant(ms: 1)),",
        "(from: \"api\", to: \"db\", latency: Constant(ms: 1), bulkhead_wait_ms: 0),",
    );
    let list = problems(&source);
    assert_eq!(list.len(), 2, "{list:?}");
    assert!(list.iter().any(|p| p.message.contains("got 0")), "{list:?}");
    assert!(list.iter().any(|p| p.message.contains("add `max_concurrent")), "{list:?}");
    assert_problem_at(&list, &source, "bulkhead_wait_ms: 0", &["`bulkhead_wait_ms`"]);
}

/// A bandwidth on a link that sends no payloads, a negative size and a
/// uniform size whose bounds are the wrong way round: each refused where
/// written.
#[test]
fn payload_sizes_and_a_bandwidth_without_them_are_refused_where_written() {
    let source = edit(
        "(from: \"api\", to: \"db\", latency: Constant(ms: 1)),",
        "(from: \"api\", to: \"db\", latency: Constant(ms: 1), bandwidth_mbps: 10),\n        \
         (from: \"users\", to: \"api\", request_kb: Constant(kb: -1), response_kb: Uniform(min_kb: 5, max_kb: 2)),",
    );
    let list = problems(&source);
    assert!(list.iter().any(|p| p.message.contains("add `request_kb` or `response_kb`")), "{list:?}");
    assert_problem_at(&list, &source, "bandwidth_mbps: 10", &["`bandwidth_mbps`"]);
    assert_problem_at(&list, &source, "kb: -1", &["`kb`", "got -1"]);
    assert_problem_at(&list, &source, "max_kb: 2", &["`max_kb` (2) must not be below `min_kb` (5)"]);
}

/// A client's timeout and retries live on the client: the same fields on
/// its edge would be a second, conflicting policy, so they are refused
/// where written, saying where they belong.
#[test]
fn a_timeout_or_retry_on_a_clients_edge_is_refused_and_pointed_to_the_client() {
    let source = edit(
        "(from: \"users\", to: \"api\"),",
        "(from: \"users\", to: \"api\", timeout_ms: 100, retry: (max_attempts: 2, backoff_ms: 10)),",
    );
    let list = problems(&source);
    assert_eq!(list.len(), 2, "{list:?}");
    assert_problem_at(&list, &source, "timeout_ms: 100", &["`timeout_ms`", "on the client \"users\""]);
    assert_problem_at(&list, &source, "retry: (max_attempts", &["`retry`", "move it there"]);
}

/// An edge's retry policy is checked as a client's is, its budget too.
#[test]
fn a_bad_edge_retry_policy_and_budget_are_refused_where_written() {
    let source = edit(
        "(from: \"api\", to: \"db\", latency: Constant(ms: 1)),",
        "(from: \"api\", to: \"db\", latency: Constant(ms: 1), timeout_ms: 0, \
         retry: (max_attempts: 0, backoff_ms: 10, budget: (ratio: 50, min_per_s: -1))),",
    );
    let list = problems(&source);
    assert_eq!(list.len(), 4, "{list:?}");
    assert_problem_at(&list, &source, "timeout_ms: 0", &["`timeout_ms`", "more than 0"]);
    assert_problem_at(&list, &source, "max_attempts: 0", &["`max_attempts`"]);
    assert_problem_at(&list, &source, "ratio: 50", &["`ratio`", "at most 10"]);
    assert_problem_at(&list, &source, "min_per_s: -1", &["`min_per_s`", "0 or more"]);
}

/// A breaker that could never open, or never close, is refused where
/// written, all its problems at once.
#[test]
fn a_breaker_that_cannot_work_is_refused_where_written() {
    let source = edit(
        "(from: \"api\", to: \"db\", latency: Constant(ms: 1)),",
        "(from: \"api\", to: \"db\", latency: Constant(ms: 1), \
         breaker: (failure_rate: 0, window: Calls(5), min_calls: 8, open_s: 0, probes: 0)),",
    );
    let list = problems(&source);
    assert_eq!(list.len(), 4, "{list:?}");
    assert_problem_at(&list, &source, "failure_rate: 0", &["`failure_rate`", "more than 0"]);
    assert_problem_at(&list, &source, "min_calls: 8", &["only the last 5 calls", "could never open"]);
    assert_problem_at(&list, &source, "open_s: 0", &["`open_s`"]);
    assert_problem_at(&list, &source, "probes: 0", &["`probes`"]);
}

/// A window beyond what the engine keeps in memory is refused with its limit.
#[test]
fn a_breaker_window_beyond_its_limit_is_refused() {
    let source = edit(
        "(from: \"api\", to: \"db\", latency: Constant(ms: 1)),",
        "(from: \"api\", to: \"db\", latency: Constant(ms: 1), breaker: (failure_rate: 0.5, window: Seconds(100000))),",
    );
    let list = problems(&source);
    assert_eq!(list.len(), 1, "{list:?}");
    assert_problem_at(&list, &source, "window: Seconds", &["1 to 600 seconds", "got 100000"]);
}

/// A quorum larger than the calls a service makes could never be reached,
/// and retries of a fan-out's calls are not simulated: both refused where
/// written, saying what to do instead.
#[test]
fn an_impossible_quorum_and_a_fan_out_retry_are_refused_where_written() {
    let source = edit(
        "(from: \"api\", to: \"db\", latency: Constant(ms: 1)),",
        "(from: \"api\", to: \"db\", latency: Constant(ms: 1), retry: (max_attempts: 2, backoff_ms: 10)),",
    );
    let source = source.replacen("service_time:", "calls: Parallel(wait_for: Quorum(3)), service_time:", 1);
    let list = problems(&source);
    assert_eq!(list.len(), 2, "{list:?}");
    assert_problem_at(&list, &source, "calls: Parallel", &["quorum of 3 of its 1 calls"]);
    assert_problem_at(&list, &source, "retry: (max_attempts", &["in parallel", "`timeout_ms` and a `fallback`"]);
}

/// Hedging belongs to a caller that can send a copy elsewhere: not a
/// client, and its delay must be positive.
#[test]
fn a_hedge_on_a_clients_edge_or_without_a_delay_is_refused() {
    let source = edit("(from: \"users\", to: \"api\"),", "(from: \"users\", to: \"api\", hedge: (delay_ms: 0)),");
    let list = problems(&source);
    assert_eq!(list.len(), 2, "{list:?}");
    assert_problem_at(&list, &source, "delay_ms: 0", &["`delay_ms`", "more than 0"]);
    assert_problem_at(&list, &source, "hedge: (", &["is a client", "hedge on the balancer's edges"]);
}

/// A negative shedding limit is refused where written.
#[test]
fn a_negative_shedding_limit_is_refused_where_written() {
    let source = GOOD.replacen("service_time:", "shed_after_ms: -5, service_time:", 1);
    let list = problems(&source);
    assert_eq!(list.len(), 1, "{list:?}");
    assert_problem_at(&list, &source, "shed_after_ms: -5", &["`shed_after_ms`", "0 or more"]);
}

/// A balancer's health checks and outlier ejection are refused where
/// written, every problem at once: a timeout as long as the interval, a
/// threshold of 0 or beyond its limit, an ejection of no time, a share
/// above 100 % (issue 8).
#[test]
fn impossible_health_checks_and_outlier_ejection_are_refused_where_written() {
    let balanced = |lb: &str| {
        edit("(from: \"users\", to: \"api\"),", "(from: \"users\", to: \"lb\"),\n        (from: \"lb\", to: \"api\"),")
            .replacen(
                "        (id: \"api\"",
                &format!("        (id: \"lb\", kind: LoadBalancer({lb})),\n        (id: \"api\""),
                1,
            )
    };
    let source = balanced(
        "health_check: (interval_s: 2, timeout_s: 2, unhealthy_threshold: 0, healthy_threshold: 101),\n            \
         outlier_ejection: (consecutive_failures: 0, base_ejection_s: 0, max_ejected_percent: 150)",
    );
    let list = problems(&source);
    assert_eq!(list.len(), 6, "{list:?}");
    assert_problem_at(&list, &source, "timeout_s: 2", &["`timeout_s` (2) must be shorter than its `interval_s` (2)"]);
    assert_problem_at(&list, &source, "unhealthy_threshold: 0", &["`unhealthy_threshold` must be at least 1 probe"]);
    assert_problem_at(&list, &source, "healthy_threshold: 101", &["`healthy_threshold` must be at most 100 probes"]);
    assert_problem_at(&list, &source, "consecutive_failures: 0", &["`consecutive_failures` must be at least 1"]);
    assert_problem_at(&list, &source, "base_ejection_s: 0", &["`base_ejection_s` must be more than 0"]);
    assert_problem_at(&list, &source, "max_ejected_percent: 150", &["0 to 100, got 150"]);

    let source = balanced("health_check: (interval_s: 0.001)");
    let list = problems(&source);
    assert_eq!(list.len(), 1, "{list:?}");
    assert_problem_at(&list, &source, "interval_s: 0.001", &["`interval_s` must be at least 0.01", "got 0.001"]);
}

/// Instances beyond the limit, and an autoscaler whose bounds, target and
/// times cannot be simulated, are refused where written, all at once;
/// the limit is quoted.
#[test]
fn impossible_instances_and_autoscaling_are_refused_where_written() {
    let source = GOOD.replacen("service_time:", "instances: 300, service_time:", 1);
    let list = problems(&source);
    assert_eq!(list.len(), 1, "{list:?}");
    assert_problem_at(&list, &source, "instances: 300", &["`instances`", "at most 255 instances"]);

    let source = GOOD.replacen(
        "service_time:",
        "instances: 3, autoscale: (min: 4, max: 2, target: Utilisation(1.5), interval_s: 0, cold_start_s: -1), \
         service_time:",
        1,
    );
    let list = problems(&source);
    assert_eq!(list.len(), 4, "{list:?}");
    assert_problem_at(&list, &source, "max: 2", &["`max` (2) must be at least `min` (4)"]);
    assert_problem_at(&list, &source, "target: Utilisation(1.5)", &["at most 1"]);
    assert_problem_at(&list, &source, "interval_s: 0", &["`interval_s`", "at least 0.1"]);
    assert_problem_at(&list, &source, "cold_start_s: -1", &["`cold_start_s`", "0 or more"]);

    let source = GOOD.replacen(
        "service_time:",
        "instances: 5, autoscale: (min: 1, max: 4, target: QueueDepth(0)), service_time:",
        1,
    );
    let list = problems(&source);
    assert_eq!(list.len(), 2, "{list:?}");
    assert_problem_at(&list, &source, "min: 1", &["starts with 5 instances", "1 to 4"]);
    assert_problem_at(&list, &source, "target: QueueDepth(0)", &["`target`", "more than 0"]);
}

/// A misspelt balancing is refused with the choices.
#[test]
fn an_unknown_instance_balancing_lists_the_choices() {
    let source = GOOD.replacen("service_time:", "balancing: LeastConn, service_time:", 1);
    let list = problems(&source);
    assert_problem_at(&list, &source, "LeastConn", &["RoundRobin", "LeastConnections", "Random"]);
}

/// A negative price and a price for a node the scenario does not have:
/// each refused where written (issue 9).
#[test]
fn a_negative_price_or_one_for_no_such_node_is_refused_where_written() {
    let source = edit(
        "    duration_s: 30,\n",
        "    duration_s: 30,\n    pricing: (service_per_hour: -1, per_hour_of: {\"nope\": 2}),\n",
    );
    let list = problems(&source);
    assert_eq!(list.len(), 2, "{list:?}");
    assert_problem_at(&list, &source, "service_per_hour: -1", &["`service_per_hour`", "got -1"]);
    assert!(list.iter().any(|p| p.message.contains("no such node")), "{list:?}");
}

/// Ignoring unknown fields (a design pasted from a newer version) leaves
/// them out and says where each was; a file read the usual way refuses the
/// same text; a real problem beside an ignored field still refuses it.
#[test]
fn unknown_fields_are_ignored_and_listed_only_when_asked_and_real_problems_still_refuse() {
    use archsim::scenario::{UnknownFields, parse_scenario_with};
    let newer = "(name: \"n\",\n nodes: [(id: \"a\", kind: Client(arrivals: Poisson(rate: 5))),\n  (id: \"b\", kind: Service(workerz: 9, workers: 2, service_time: Constant(ms: 1)))],\n edges: [(from: \"a\", to: \"b\")], future_section: [(x: 1)])";
    assert!(archsim::scenario::parse_scenario(newer, "f.ron").is_err(), "files stay strict");
    let parsed = parse_scenario_with(newer, "f.ron", UnknownFields::Ignore).expect("opens");
    let at: Vec<(usize, usize)> = parsed.ignored.iter().map(|d| (d.line, d.column)).collect();
    assert_eq!(at, vec![position_of(newer, "workerz"), position_of(newer, "future_section")]);
    assert!(parsed.ignored[0].message.contains("`workerz`") && parsed.ignored[0].message.contains("ignored"));
    // `workerz` was not taken for `workers` (which is there as well).
    let archsim::scenario::NodeKind::Service(service) = &parsed.scenario.nodes[1].kind else { panic!("a service") };
    assert_eq!(service.workers, 2);

    let broken = newer.replace("workers: 2", "workers: 0");
    let Err(archsim::scenario::LoadError::Invalid(list)) = parse_scenario_with(&broken, "f.ron", UnknownFields::Ignore)
    else {
        panic!("refused")
    };
    // The real problem, and what was left out beside it.
    assert_eq!(list.len(), 3, "{list:?}");
    assert_eq!((list[1].line, list[1].column), position_of(&broken, "workers: 0"));
    assert!(list[0].message.contains("ignored") && list[2].message.contains("ignored"), "{list:?}");

    // A kind this version does not know cannot be stood in for.
    let new_kind = newer.replace("Service(workerz: 9,", "Lambda(");
    assert!(parse_scenario_with(&new_kind, "f.ron", UnknownFields::Ignore).is_err());
}

/// Ignoring unknown fields, a field a newer version renamed leaves a
/// required one missing: the refusal names the missing field where it is
/// needed, and lists the field that was left out beside it.
#[test]
fn a_renamed_required_field_in_a_paste_is_reported_as_missing_with_what_was_left_out() {
    use archsim::scenario::{LoadError, UnknownFields, parse_scenario_with};
    let renamed = "(name: \"n\",\n nodes: [(id: \"a\", kind: Client(arrivals: Poisson(rate: 5))),\n  (id: \"b\", kind: Service(workers: 2, work_time: Constant(ms: 1)))],\n edges: [(from: \"a\", to: \"b\")])";
    let Err(LoadError::Invalid(list)) = parse_scenario_with(renamed, "p.ron", UnknownFields::Ignore) else {
        panic!("refused")
    };
    let messages: Vec<&str> = list.iter().map(|d| d.message.as_str()).collect();
    assert!(messages.iter().any(|m| m.contains("`service_time`") && m.contains("missing")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("`work_time`") && m.contains("ignored")), "{messages:?}");
    assert!(!messages.iter().any(|m| m.contains("more than")), "{messages:?}");
}
