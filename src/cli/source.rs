//! Finding a scenario from what the user typed: a path to a `.ron` file, or
//! the name of a scenario bundled in the binary (`three-tier-web`), so the
//! command line works with no file at hand.

use std::path::Path;

use crate::scenario::{BUNDLED, LoadError, Scenario, bundled, load_scenario};

use super::CliError;

/// Loads the scenario named by `file_or_name`. A path that exists wins over
/// a bundled scenario of the same name.
pub fn load_named_scenario(file_or_name: &str) -> Result<Scenario, CliError> {
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

/// The names `archsim run` accepts for the bundled scenarios.
pub fn bundled_names() -> Vec<&'static str> {
    BUNDLED.iter().map(|b| b.file_name.trim_end_matches(".ron")).collect()
}

/// Every problem of the file, one `file:line:col: message` per entry.
fn diagnostics(error: LoadError) -> CliError {
    CliError::Diagnostics(error.diagnostics())
}
