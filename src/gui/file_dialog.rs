//! Asking the user for a file, behind a trait: the app uses native dialogs
//! (rfd), tests script the answers so no dialog ever opens.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::rc::Rc;

/// Where to open from and save to.
pub trait FileDialog {
    /// A scenario file to open, or `None` if the user cancelled.
    fn pick_open(&mut self) -> Option<PathBuf>;
    /// Where to save, suggesting `file_name`; `None` if cancelled.
    fn pick_save(&mut self, file_name: &str) -> Option<PathBuf>;
}

/// The platform's file dialogs.
#[derive(Debug, Default)]
pub struct NativeFileDialog;

impl FileDialog for NativeFileDialog {
    fn pick_open(&mut self) -> Option<PathBuf> {
        rfd::FileDialog::new().set_title("Open scenario").add_filter("archsim scenario", &["ron"]).pick_file()
    }

    fn pick_save(&mut self, file_name: &str) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .set_title("Save scenario")
            .add_filter("archsim scenario", &["ron"])
            .set_file_name(file_name)
            .save_file()
            .map(|p| if p.extension().is_none() { p.with_extension("ron") } else { p })
    }
}

/// Answers given in advance, in order; `None` (or running out) is a cancel.
/// Clones share the queue, so a test keeps one and hands one to the app.
#[derive(Debug, Clone, Default)]
pub struct ScriptedFileDialog {
    answers: Rc<RefCell<VecDeque<Option<PathBuf>>>>,
    /// File names the app suggested when saving.
    pub suggested: Rc<RefCell<Vec<String>>>,
}

impl ScriptedFileDialog {
    pub fn new() -> Self {
        Self::default()
    }

    /// The next dialog answers `path` (`None`: the user cancels).
    pub fn answer(&self, path: Option<PathBuf>) {
        self.answers.borrow_mut().push_back(path);
    }

    /// Answers not used yet.
    pub fn pending(&self) -> usize {
        self.answers.borrow().len()
    }
}

impl FileDialog for ScriptedFileDialog {
    fn pick_open(&mut self) -> Option<PathBuf> {
        self.answers.borrow_mut().pop_front().flatten()
    }

    fn pick_save(&mut self, file_name: &str) -> Option<PathBuf> {
        self.suggested.borrow_mut().push(file_name.to_string());
        self.answers.borrow_mut().pop_front().flatten()
    }
}
