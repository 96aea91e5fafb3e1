//! The `archsim` binary: the desktop app when started with no subcommand,
//! the headless command line (`archsim run`, `validate`, `list`, `bench`)
//! otherwise. Everything it does lives in the library (`archsim::cli`,
//! `archsim::gui`); this file only dispatches.

use std::process::ExitCode;

use archsim::cli::{Cli, execute};
use clap::Parser;

fn main() -> ExitCode {
    // clap prints usage errors itself and exits with code 2.
    let cli = Cli::parse();
    match cli.command {
        Some(command) => execute(command),
        None => open_desktop_app(),
    }
}

/// Opens the desktop app (builds with the `gui` feature).
#[cfg(feature = "gui")]
fn open_desktop_app() -> ExitCode {
    match archsim::gui::run_app() {
        Ok(()) => ExitCode::from(archsim::cli::EXIT_OK),
        Err(message) => {
            eprintln!("archsim: error: {message}\nThe subcommands work without a display; see `archsim --help`.");
            ExitCode::from(archsim::cli::EXIT_RUNTIME)
        }
    }
}

/// A build without the `gui` feature has only the command line: say so and
/// show what it can do.
#[cfg(not(feature = "gui"))]
fn open_desktop_app() -> ExitCode {
    eprintln!(
        "archsim: this build has no desktop app (it was built without the `gui` feature).\n\
         Use one of the subcommands below, or rebuild with `cargo build --release` for the app.\n"
    );
    print_help_to_stderr();
    ExitCode::from(archsim::cli::EXIT_BAD_INPUT)
}

#[cfg(not(feature = "gui"))]
fn print_help_to_stderr() {
    use clap::CommandFactory;
    eprintln!("{}", Cli::command().render_help());
}
