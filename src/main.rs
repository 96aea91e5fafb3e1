//! The `archsim` binary: the desktop app when started with no subcommand,
//! the headless command line (`archsim run`, `validate`, `list`, `bench`)
//! otherwise. Everything it does lives in the library (`archsim::cli`,
//! `archsim::gui`); this file only dispatches.
//!
//! It writes through `archsim::cli::output` like the commands do, so a
//! stdout or stderr that cannot be written never makes it panic (see the
//! policy there).

use std::process::ExitCode;

use archsim::cli::{Cli, execute, report_clap_error};
use clap::Parser;

fn main() -> ExitCode {
    // Help, the version and usage errors (exit 2) are printed here rather
    // than by clap's `exit`, which would hide a failed write of the help.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return ExitCode::from(report_clap_error(&error)),
    };
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
            archsim::cli::output::to_stderr(format_args!(
                "archsim: error: {message}\nThe subcommands work without a display; see `archsim --help`."
            ));
            ExitCode::from(archsim::cli::EXIT_RUNTIME)
        }
    }
}

/// A build without the `gui` feature has only the command line: say so and
/// show what it can do.
#[cfg(not(feature = "gui"))]
fn open_desktop_app() -> ExitCode {
    use clap::CommandFactory;
    archsim::cli::output::to_stderr(format_args!(
        "archsim: this build has no desktop app (it was built without the `gui` feature).\n\
         Use one of the subcommands below, or rebuild with `cargo build --release` for the app.\n\n{}",
        Cli::command().render_help()
    ));
    ExitCode::from(archsim::cli::EXIT_BAD_INPUT)
}
