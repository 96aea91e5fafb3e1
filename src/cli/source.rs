//! Finding a scenario from what the user typed: a path to a `.ron` file, or
//! the name of a scenario bundled in the binary (`three-tier-web`), so the
//! command line works with no file at hand.

use std::path::Path;

use crate::scenario::{
    BUNDLED, LoadError, Parsed, Scenario, UnknownFields, bundled, load_scenario, parse_scenario_input,
    parse_scenario_with,
};

/// Largest design read from standard input: far beyond any real one, a
/// bound so that a runaway pipe cannot take all memory.
const MAX_STDIN_BYTES: u64 = 256 * 1024 * 1024;

use super::CliError;

/// Loads the scenario named by `file_or_name`. A path that exists wins over
/// a bundled scenario of the same name.
pub fn load_named_scenario(file_or_name: &str) -> Result<Scenario, CliError> {
    if file_or_name == "-" {
        return read_stdin();
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
/// terminal, or another program's output. Read as the app's Paste design
/// reads the clipboard: a field this version does not know (a design
/// copied from a newer version) is left out, and a note on standard error
/// names each one with its line and column, so the same text works in
/// both and nothing is changed silently. A file keeps refusing them: there
/// a typo must not pass for a default.
fn read_stdin() -> Result<Scenario, CliError> {
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
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let Ok(text) = std::str::from_utf8(text) else {
        // Not UTF-8: the file reader's messages say how and where.
        return parse_scenario_input(&bytes, "<stdin>").map_err(diagnostics);
    };
    let Parsed { scenario, ignored } =
        parse_scenario_with(text, "<stdin>", UnknownFields::Ignore).map_err(diagnostics)?;
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

/// The names `archsim run` accepts for the bundled scenarios.
pub fn bundled_names() -> Vec<&'static str> {
    BUNDLED.iter().map(|b| b.file_name.trim_end_matches(".ron")).collect()
}

/// Every problem of the file, one `file:line:col: message` per entry.
fn diagnostics(error: LoadError) -> CliError {
    CliError::Diagnostics(error.diagnostics())
}
