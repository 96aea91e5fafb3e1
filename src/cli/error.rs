//! What can go wrong in a command, and the one place it is printed.
//!
//! Commands return a [`CliError`] and never print their own errors, so a
//! failure is reported once, on stderr, with the exit code its kind calls
//! for (see [`CliError::exit_code`]).

use std::io;

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
            // failure of ours, and nobody is left to read a message.
            Self::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe => EXIT_OK,
            Self::Io { .. } | Self::Runtime(_) => EXIT_RUNTIME,
        }
    }
}

/// Prints the error on stderr (diagnostics as they are, one per line, so
/// editors can jump to them; others prefixed `archsim: error:`) and returns
/// its exit code.
pub fn report_error(error: &CliError) -> u8 {
    match error {
        CliError::Diagnostics(lines) => {
            for line in lines {
                eprintln!("{line}");
            }
        }
        CliError::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe => {}
        other => eprintln!("archsim: error: {other}"),
    }
    error.exit_code()
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
