//! Writing to standard output and standard error, with one policy for
//! when that fails, the same for every subcommand:
//!
//! - **stdout carries the results.** If the reader went away (a broken
//!   pipe: `archsim list | head -1`), that is not a failure: the rest of
//!   the output is dropped, the command still does everything else (it
//!   writes its CSV files, it checks every file) and exits with the code it
//!   would have had. Any other failure to write (a full disk) is a runtime
//!   failure: exit 1, with a message on stderr.
//! - **stderr carries messages.** A failure to write one is ignored:
//!   there is nowhere left to report it, and the exit code still tells.
//!
//! Nothing here panics, as `print!` and `eprintln!` do when the write fails.

use std::fmt;
use std::io::{self, Write};

use super::CliError;

/// Standard output, written under the policy above.
#[derive(Debug, Default)]
pub struct Stdout {
    /// The reader went away; later writes are dropped.
    closed: bool,
}

impl Stdout {
    pub fn new() -> Stdout {
        Stdout::default()
    }

    /// Writes `text` and flushes it, so a failure is seen here and not
    /// lost when the process exits.
    pub fn write(&mut self, text: &str) -> Result<(), CliError> {
        if self.closed {
            return Ok(());
        }
        let mut out = io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(error) => Err(CliError::stdout(error)),
        }
    }

    /// Writes one line (a newline is added).
    pub fn line(&mut self, args: fmt::Arguments<'_>) -> Result<(), CliError> {
        self.write(&format!("{args}\n"))
    }
}

/// Writes one line on stderr; a failure is ignored (see the module's policy).
pub fn to_stderr(args: fmt::Arguments<'_>) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{args}").and_then(|()| err.flush());
}

/// Writes `text` as it is on stderr; a failure is ignored.
pub fn text_to_stderr(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// `value` as the pretty JSON document a `--json` flag prints, with its
/// final newline; `what` names it in the (never expected) error.
pub fn json_document(value: &impl serde::Serialize, what: &str) -> Result<String, super::CliError> {
    let mut json = serde_json::to_string_pretty(value)
        .map_err(|e| super::CliError::Runtime(format!("cannot encode {what} as JSON: {e}")))?;
    json.push('\n');
    Ok(json)
}
