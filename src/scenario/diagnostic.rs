//! Errors in a scenario file, each with the place it was found.

use std::fmt;

/// One problem in a scenario file: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file's path as the user gave it (or a label such as `<editor>`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The file was read but has problems; every one found is listed.
    #[error("{}", format_diagnostics(.0))]
    Invalid(Vec<Diagnostic>),
}

impl LoadError {
    /// The problems as separate entries (one for an I/O error).
    pub fn diagnostics(&self) -> Vec<String> {
        match self {
            Self::Io { .. } => vec![self.to_string()],
            Self::Invalid(list) => list.iter().map(ToString::to_string).collect(),
        }
    }
}

fn format_diagnostics(list: &[Diagnostic]) -> String {
    let lines: Vec<String> = list.iter().map(ToString::to_string).collect();
    let plural = if list.len() == 1 { "" } else { "s" };
    format!("{} problem{plural} in the scenario:\n{}", list.len(), lines.join("\n"))
}
