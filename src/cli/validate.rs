//! `archsim validate`: load each file and say it is fine or list every
//! problem, so an editor or CI can point at the exact line.

use super::output::Stdout;
use super::source::{load_named_scenario, stdin_at_most_once};
use super::{CliError, ValidateArgs};

/// Validates every file; fails (exit 2) if any is invalid, after checking
/// them all (even when stdout's reader has gone away: the exit code is
/// the answer).
pub fn validate_command(args: &ValidateArgs) -> Result<(), CliError> {
    stdin_at_most_once(args.files.iter().map(String::as_str))?;
    let mut stdout = Stdout::new();
    let mut problems = Vec::new();
    for file in &args.files {
        match load_named_scenario(file) {
            Ok(scenario) => stdout.line(format_args!(
                "{file}: ok ({} node{}, {} edge{})",
                scenario.nodes.len(),
                plural(scenario.nodes.len()),
                scenario.edges.len(),
                plural(scenario.edges.len())
            ))?,
            Err(CliError::Diagnostics(lines)) => problems.extend(lines),
            Err(CliError::BadInput(message)) => problems.push(message),
            Err(other) => return Err(other),
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(CliError::Diagnostics(problems)) }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
