//! The working document on disk within a second or two of every change, so
//! a kill, a crash or a logout loses (almost) nothing.
//!
//! eframe persists the app's [`super::State`] only every 30 s and when the
//! window closes normally; a SIGTERM between two of those lost everything
//! since. So the app also writes the [`Document`] (the scenario, its path
//! and its saved copy, hence its "unsaved" mark) to a recovery file:
//!
//! - **when**: [`AUTOSAVE_AFTER_S`] after the first change not yet written
//!   (later changes do not postpone it, so a long drag is still saved every
//!   second), timed by the app's [`super::Clock`] so tests use a manual
//!   clock; right away when a document is replaced or "Don't save" throws
//!   changes away (no copy of discarded work is kept), on exit, and on a
//!   termination signal ([`super::shutdown`]). Nothing is written while
//!   nothing changed, so an idle or running app does no disk work.
//! - **how**: to a temporary file beside it, then renamed over it, so the
//!   recovery file is always a whole document. No `fsync`: the file guards
//!   against the process being killed, not the machine losing power, and a
//!   sync could stall a frame.
//! - **restore**: on start, the recovery file wins over eframe's storage:
//!   it is written on every change and on every way out, so it is never
//!   older. The preferences stay in eframe's storage.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::state::Document;

/// Seconds from the first unwritten change to the write.
pub const AUTOSAVE_AFTER_S: f64 = 1.0;

/// The recovery file in eframe's data folder
/// (`~/.local/share/archsim/recovery.ron` on Linux).
pub fn default_path() -> Option<PathBuf> {
    eframe::storage_dir("archsim").map(|dir| dir.join("recovery.ron"))
}

/// What the recovery file holds; a struct so fields can be added later.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct RecoveryFile {
    doc: Document,
}

/// Why the recovery file could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    #[error("cannot write the recovery file {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
    #[error("cannot read the recovery file {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("the recovery file {} is not a document archsim can read: {source}", path.display())]
    Parse { path: PathBuf, source: Box<ron::error::SpannedError> },
    #[error("cannot put the document into words for the recovery file: {0}")]
    Serialise(#[from] ron::Error),
}

/// When the working document is next due on disk.
#[derive(Debug)]
pub struct Autosave {
    path: Option<PathBuf>,
    /// Clock time of the first change not yet written.
    dirty_since: Option<f64>,
}

impl Autosave {
    /// Autosaves to `path`; `None` turns autosaving off (tests, by default).
    pub fn new(path: Option<PathBuf>) -> Self {
        Self { path, dirty_since: None }
    }

    /// The document changed at `now_s` (clock seconds).
    pub fn mark(&mut self, now_s: f64) {
        if self.path.is_some() && self.dirty_since.is_none() {
            self.dirty_since = Some(now_s);
        }
    }

    /// Whether a change waits to be written.
    pub fn pending(&self) -> bool {
        self.dirty_since.is_some()
    }

    /// Seconds until the write is due (zero or less: now); `None` when
    /// nothing waits.
    pub fn due_in(&self, now_s: f64) -> Option<f64> {
        self.dirty_since.map(|since| since + AUTOSAVE_AFTER_S - now_s)
    }

    /// Writes `doc` now. On failure the write is tried again
    /// [`AUTOSAVE_AFTER_S`] later.
    pub fn write(&mut self, doc: &Document, now_s: f64) -> Result<(), RecoveryError> {
        let Some(path) = &self.path else { return Ok(()) };
        let file = RecoveryFile { doc: doc.clone() };
        let text = ron::ser::to_string_pretty(&file, ron::ser::PrettyConfig::default())?;
        match write_atomically(path, text.as_bytes()) {
            Ok(()) => {
                self.dirty_since = None;
                Ok(())
            }
            Err(source) => {
                self.dirty_since = Some(now_s);
                Err(RecoveryError::Write { path: path.clone(), source })
            }
        }
    }
}

/// The document in the recovery file; `Ok(None)` when there is none.
pub fn read_recovery(path: &Path) -> Result<Option<Document>, RecoveryError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(RecoveryError::Read { path: path.to_path_buf(), source }),
    };
    let file: RecoveryFile = ron::from_str(&text)
        .map_err(|source| RecoveryError::Parse { path: path.to_path_buf(), source: Box::new(source) })?;
    Ok(Some(file.doc))
}

/// Writes `bytes` to a temporary file next to `path` and renames it over
/// `path`: a reader (or a restart after a kill) sees the old file or the
/// new one, never half of one. Creates the folder if needed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut temp = path.as_os_str().to_owned();
    temp.push(".tmp");
    let temp = PathBuf::from(temp);
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("archsim-autosave-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir.join("nested").join("recovery.ron")
    }

    #[test]
    fn a_change_is_due_a_second_later_and_later_changes_do_not_postpone_it() {
        let mut a = Autosave::new(Some(temp_file("due")));
        assert_eq!(a.due_in(0.0), None);
        a.mark(10.0);
        a.mark(10.8);
        assert_eq!(a.due_in(10.5), Some(0.5));
        assert!(a.due_in(11.0).is_some_and(|d| d <= 0.0));
    }

    #[test]
    fn without_a_path_nothing_is_ever_due() {
        let mut a = Autosave::new(None);
        a.mark(1.0);
        assert!(!a.pending());
    }

    #[test]
    fn a_written_document_reads_back_whole_with_its_unsaved_mark() {
        let path = temp_file("round-trip");
        assert!(read_recovery(&path).expect("no file is fine").is_none());
        let mut doc = Document::default();
        doc.scenario.seed += 7;
        doc.path = Some(PathBuf::from("/somewhere/design.ron"));
        let mut a = Autosave::new(Some(path.clone()));
        a.mark(0.0);
        a.write(&doc, 1.0).expect("writes");
        assert!(!a.pending());
        let back = read_recovery(&path).expect("reads").expect("a document");
        assert_eq!(back, doc);
        assert!(back.is_dirty());
        let tmp = path.with_extension("ron.tmp");
        assert!(!tmp.exists(), "the temporary file is renamed away");
    }

    #[test]
    fn a_damaged_recovery_file_is_an_error_not_a_panic() {
        let path = temp_file("damaged");
        write_atomically(&path, b"(doc: (scenario: 12").expect("write");
        let e = read_recovery(&path).expect_err("damaged");
        assert!(e.to_string().contains("is not a document archsim can read"), "{e}");
    }

    #[test]
    fn a_failed_write_is_retried_later() {
        // A folder where the file should be: the rename fails.
        let path = temp_file("blocked");
        std::fs::create_dir_all(path.join("inside")).expect("mkdir");
        let mut a = Autosave::new(Some(path));
        a.mark(0.0);
        assert!(a.write(&Document::default(), 5.0).is_err());
        assert_eq!(a.due_in(5.0), Some(AUTOSAVE_AFTER_S));
    }
}
