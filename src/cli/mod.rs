//! The headless command line: `archsim run`, `validate`, `list`, `bench`, `ramp`, `grade`, `sweep`, `merge`,
//! `compare` and `export`.
//!
//! The binary (`src/main.rs`) parses [`Cli`] and hands the subcommand to
//! [`execute`]. Every command returns a [`CliError`] instead of printing
//! and exiting itself, so each error is reported exactly once, by
//! [`report_error`], with the exit code scripts rely on: 0 ok, 1 runtime
//! failure, 2 bad input. How a failure to write stdout or stderr is handled
//! (the same for every command) is in [`output`].

mod args;
mod bench;
mod compare;
mod csv;
mod error;
mod export;
mod format;
mod grade;
mod list;
mod merge;
pub mod output;
mod process;
mod progress;
mod ramp;
mod replications;
mod run;
mod slo;
mod source;
mod summary;
mod sweep;
mod table;
mod validate;

pub use args::{
    BenchArgs, BenchName, Cli, Command, CompareArgs, ExportArgs, GradeArgs, MergeArgs, RampArgs, RunArgs, SweepArgs,
    ValidateArgs,
};
pub use error::{CliError, report_clap_error, report_error};

use std::process::ExitCode;

/// Exit code of a successful command.
pub const EXIT_OK: u8 = 0;
/// Exit code when the input was fine but something failed while running
/// (a file could not be written, the engine refused to start...).
pub const EXIT_RUNTIME: u8 = 1;
/// Exit code for bad input: an unreadable or invalid scenario, a bad flag.
/// clap's own usage errors use the same code.
pub const EXIT_BAD_INPUT: u8 = 2;

/// Runs one subcommand and turns its outcome into the process exit code.
pub fn execute(command: Command) -> ExitCode {
    let outcome = match command {
        Command::Run(args) => run::run_command(&args),
        Command::Validate(args) => validate::validate_command(&args),
        Command::List => list::list_command(),
        Command::Bench(args) => bench::bench_command(&args),
        Command::Ramp(args) => ramp::ramp_command(&args),
        Command::Grade(args) => grade::grade_command(&args),
        Command::Compare(args) => compare::compare_command(&args),
        Command::Sweep(args) => sweep::sweep_command(&args),
        Command::Merge(args) => merge::merge_command(&args),
        Command::Export(args) => export::export_command(&args),
    };
    match outcome {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(error) => ExitCode::from(report_error(&error)),
    }
}
