//! Reading scenario files: RON parsing, then validation, each problem
//! turned into a [`Diagnostic`] with file, line and column.

use std::path::Path;

use ron::extensions::Extensions;

use super::locate::{line_column, locate};
use super::{Diagnostic, LoadError, Scenario, validate};

/// The RON dialect scenario files use: `Some(...)` may be left out and a
/// component's parameters sit directly in its variant, `Service(workers: 4)`.
fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES)
}

/// Parses and validates scenario source. `file` names it in messages.
pub fn parse_scenario(source: &str, file: &str) -> Result<Scenario, LoadError> {
    let scenario: Scenario = ron_options().from_str(source).map_err(|e| {
        LoadError::Invalid(vec![Diagnostic {
            file: file.to_string(),
            line: e.span.start.line.max(1),
            column: e.span.start.col.max(1),
            message: e.code.to_string(),
        }])
    })?;
    let problems = validate(&scenario);
    if problems.is_empty() {
        return Ok(scenario);
    }
    let diagnostics = problems
        .into_iter()
        .map(|p| {
            let (line, column) = line_column(source, locate(source, &p.path));
            Diagnostic { file: file.to_string(), line, column, message: p.message }
        })
        .collect();
    Err(LoadError::Invalid(diagnostics))
}

/// Reads, parses and validates a scenario file.
pub fn load_scenario(path: &Path) -> Result<Scenario, LoadError> {
    let display = path.display().to_string();
    let source = std::fs::read_to_string(path).map_err(|source| LoadError::Io { path: display.clone(), source })?;
    parse_scenario(&source, &display)
}

/// Writes a scenario as RON in the same dialect the loader reads.
pub fn to_ron_string(scenario: &Scenario) -> String {
    let pretty = ron::ser::PrettyConfig::new()
        .depth_limit(6)
        .struct_names(false)
        .extensions(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES);
    // Serialising plain data with derived impls cannot fail; fall back to an
    // unindented form rather than panic if it somehow does.
    ron_options().to_string_pretty(scenario, pretty).or_else(|_| ron_options().to_string(scenario)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"(
    name: "t",
    nodes: [
        (id: "c", kind: Client(arrivals: Poisson(rate: 10))),
        (id: "s", kind: Service(workers: 2, service_time: Exponential(mean_ms: 5))),
    ],
    edges: [(from: "c", to: "s")],
)"#;

    #[test]
    fn a_valid_file_loads_and_round_trips() {
        let s = parse_scenario(GOOD, "t.ron").expect("valid");
        let text = to_ron_string(&s);
        assert_eq!(parse_scenario(&text, "again.ron").expect("round trip"), s);
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let bad = GOOD
            .replace("workers: 2", "workers: 0")
            .replace("rate: 10", "rate: -3")
            .replace("to: \"s\"", "to: \"nowhere\"");
        let LoadError::Invalid(list) = parse_scenario(&bad, "bad.ron").unwrap_err() else {
            panic!("expected diagnostics")
        };
        let text: Vec<String> = list.iter().map(ToString::to_string).collect();
        assert!(text.iter().any(|t| t.contains("bad.ron:5:") && t.contains("workers")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("bad.ron:4:") && t.contains("rate")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("bad.ron:7:") && t.contains("nowhere")), "{text:?}");
    }

    #[test]
    fn a_syntax_error_names_line_and_column() {
        let bad = GOOD.replace("workers: 2,", "workers: 2,,");
        let LoadError::Invalid(list) = parse_scenario(&bad, "bad.ron").unwrap_err() else {
            panic!("expected diagnostics")
        };
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].line, 5);
    }

    #[test]
    fn an_unknown_field_is_named() {
        let bad = GOOD.replace("workers: 2", "workerz: 2");
        let err = parse_scenario(&bad, "bad.ron").unwrap_err().to_string();
        assert!(err.contains("workerz"), "{err}");
    }
}
