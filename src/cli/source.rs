//! Finding a scenario from what the user typed: a path to a `.ron` file, or
//! the name of a scenario bundled in the binary (`three-tier-web`), so the
//! command line works with no file at hand.

use std::path::Path;

use crate::scenario::{
    BUNDLED, LoadError, Parsed, Scenario, UnknownFields, bundled, load_scenario, parse_scenario_input_with,
};

/// Largest design read from standard input: far beyond any real one, a
/// bound so that a runaway pipe cannot take all memory.
const MAX_STDIN_BYTES: u64 = 256 * 1024 * 1024;

use super::CliError;

/// Loads the scenario named by `file_or_name`. A path that exists wins over
/// a bundled scenario of the same name. Every field must be known, `-`
/// (standard input) included: `validate -` and `grade -` must catch a
/// typo as they do in a file.
pub fn load_named_scenario(file_or_name: &str) -> Result<Scenario, CliError> {
    load_named_scenario_with(file_or_name, UnknownFields::Refuse)
}

/// [`load_named_scenario`], with `unknown` deciding what an unknown field
/// of a design on standard input is: `archsim run -` passes
/// [`UnknownFields::Ignore`], so a design copied from a newer version runs
/// as it opens in the app's Paste design. Files always refuse them.
pub fn load_named_scenario_with(file_or_name: &str, unknown: UnknownFields) -> Result<Scenario, CliError> {
    if file_or_name == "-" {
        return read_stdin(unknown);
    }
    let path = Path::new(file_or_name);
    if path.exists() {
        return load_scenario(path).map_err(diagnostics);
    }
    match bundled(file_or_name) {
        Some(found) => found.load().map_err(diagnostics),
        None => Err(CliError::BadInput(format!(
            "`{file_or_name}` is neither a file nor a bundled scenario (bundled: {})",
            bundled_names().join(", ")
        ))),
    }
}

/// A design piped in (`archsim run -`): a copied design pasted into a
/// terminal, or another program's output. With [`UnknownFields::Ignore`]
/// it is read as the app's Paste design reads the clipboard: a field this
/// version does not know (a design copied from a newer version) is left
/// out, and a note on standard error names each one with its line and
/// column, so the same text works in both and nothing changes silently.
fn read_stdin(unknown: UnknownFields) -> Result<Scenario, CliError> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(MAX_STDIN_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::BadInput(format!("cannot read the design from standard input: {e}")))?;
    if bytes.len() as u64 > MAX_STDIN_BYTES {
        return Err(CliError::BadInput(format!(
            "the design on standard input is larger than {} MB",
            MAX_STDIN_BYTES / 1024 / 1024
        )));
    }
    let Parsed { scenario, ignored } = parse_scenario_input_with(&bytes, "<stdin>", unknown).map_err(diagnostics)?;
    if !ignored.is_empty() {
        eprintln!(
            "note: the design has {} this version of archsim does not know (from a newer version?); \
             run without:",
            if ignored.len() == 1 { "a field".to_string() } else { format!("{} fields", ignored.len()) }
        );
        for d in &ignored {
            eprintln!("  {d}");
        }
    }
    Ok(scenario)
}

/// Refuses `-` named more than once: standard input is read once, and the
/// second read would be empty, failing with a baffling parse error.
pub fn stdin_at_most_once<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<(), CliError> {
    if names.into_iter().filter(|n| *n == "-").count() > 1 {
        return Err(CliError::BadInput("standard input (`-`) can be named only once".into()));
    }
    Ok(())
}

/// The names `archsim run` accepts for the bundled scenarios.
pub fn bundled_names() -> Vec<&'static str> {
    BUNDLED.iter().map(|b| b.file_name.trim_end_matches(".ron")).collect()
}

/// Every problem of the file, one `file:line:col: message` per entry.
fn diagnostics(error: LoadError) -> CliError {
    CliError::Diagnostics(error.diagnostics())
}
