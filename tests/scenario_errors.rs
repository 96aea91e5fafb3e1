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
