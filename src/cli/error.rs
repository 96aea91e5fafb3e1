//! What can go wrong in a command, and the one place it is printed.
//!
//! Commands return a [`CliError`] and never print their own errors, so a
//! failure is reported once, on stderr, with the exit code its kind calls
//! for (see [`CliError::exit_code`]).

use std::io;

use super::output::{text_to_stderr, to_stderr};
use super::{EXIT_BAD_INPUT, EXIT_OK, EXIT_RUNTIME};

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The scenario has problems; each line is `file:line:col: message`
    /// (or one sentence when the file could not be read at all).
    #[error("{}", .0.join("\n"))]
    Diagnostics(Vec<String>),
    /// A flag or argument makes no sense (beyond what clap checks).
    #[error("{0}")]
    BadInput(String),
    /// Writing the results failed.
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
    /// Something failed while running, not caused by the input.
    #[error("{0}")]
    Runtime(String),
}

impl CliError {
    /// An I/O failure, with what was being done when it happened.
    pub fn io(what: impl Into<String>, source: io::Error) -> CliError {
        CliError::Io { what: what.into(), source }
    }

    /// A failure writing to stdout.
    pub fn stdout(source: io::Error) -> CliError {
        CliError::io("cannot write to standard output", source)
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Diagnostics(_) | Self::BadInput(_) => EXIT_BAD_INPUT,
            // The reader went away (`archsim run x --json | head`): not a
            // failure of ours, and nobody is left to read a message. (The
            // commands' own output never gets here: `output::Stdout` drops
            // what cannot be written then; see the policy there.)
            Self::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe => EXIT_OK,
            Self::Io { .. } | Self::Runtime(_) => EXIT_RUNTIME,
        }
    }
}

/// Prints the error on stderr (diagnostics as they are, one per line, so
/// editors can jump to them; others prefixed `archsim: error:`) and returns
/// its exit code. A stderr that cannot be written changes nothing: the
/// exit code still says what happened.
pub fn report_error(error: &CliError) -> u8 {
    match error {
        CliError::Diagnostics(lines) => {
            // One write for all of them: thousands of problems print fast.
            let mut text = lines.join("\n");
            text.push('\n');
            text_to_stderr(&text);
        }
        CliError::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe => {}
        other => to_stderr(format_args!("archsim: error: {other}")),
    }
    error.exit_code()
}

/// Prints what clap has to say (help and the version on stdout, usage
/// errors on stderr) under the same policy as the commands' output, and
/// returns the exit code: clap's own (0 for help, 2 for a usage error),
/// or 1 when the help could not be written for another reason than a
/// reader that went away.
pub fn report_clap_error(error: &clap::Error) -> u8 {
    let code = u8::try_from(error.exit_code()).unwrap_or(EXIT_BAD_INPUT);
    match error.print() {
        Ok(()) => code,
        // stderr: nothing more to do. stdout closed by its reader: fine.
        Err(_) if error.use_stderr() => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => code,
        Err(e) => report_error(&CliError::stdout(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_error_has_its_exit_code() {
        assert_eq!(CliError::Diagnostics(vec!["a.ron:1:1: bad".into()]).exit_code(), 2);
        assert_eq!(CliError::BadInput("no".into()).exit_code(), 2);
        assert_eq!(CliError::Runtime("boom".into()).exit_code(), 1);
        assert_eq!(CliError::io("writing x", io::Error::other("disk full")).exit_code(), 1);
        assert_eq!(CliError::stdout(io::Error::from(io::ErrorKind::BrokenPipe)).exit_code(), 0);
    }
}
