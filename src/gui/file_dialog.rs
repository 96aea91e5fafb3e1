//! Asking the user for a file, behind a trait: the app uses native dialogs
//! (rfd), tests script the answers so no dialog ever opens.
//!
//! A native dialog can be missing: on Linux rfd asks the XDG desktop portal,
//! then runs `zenity`, and when neither works it logs an error and returns
//! `None`, the same as a cancel. Taking that for a cancel would make Save,
//! Save as… and Open do nothing at all (and drop what was to follow them),
//! so an answer here says which it was: [`FileAnswer::Unavailable`] sends
//! the app to its own file browser ([`super::file_browser`]).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// What a file dialog answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileAnswer {
    /// The user chose this file.
    Picked(PathBuf),
    /// The user closed the dialog without choosing.
    Cancelled,
    /// No dialog could be shown: the app must ask in its own window.
    Unavailable,
}

/// Where to open from and save to.
pub trait FileDialog {
    /// A scenario file to open, starting in `folder` if given.
    fn pick_open(&mut self, folder: Option<&Path>) -> FileAnswer;
    /// Where to save, starting in `folder` and suggesting `file_name`.
    fn pick_save(&mut self, folder: Option<&Path>, file_name: &str) -> FileAnswer;
    /// Where to export a picture: `file_type` is its name and extension
    /// ("PNG image", "png"), for the dialog's filter. By default, as a save.
    fn pick_export(&mut self, folder: Option<&Path>, file_name: &str, file_type: (&str, &str)) -> FileAnswer {
        let _ = file_type;
        self.pick_save(folder, file_name)
    }
}

/// Set to `builtin` to use the app's own file browser instead of the
/// platform's dialogs (for a desktop where they misbehave).
pub const DIALOG_ENV: &str = "ARCHSIM_FILE_DIALOG";

/// Faster than this, a `None` from rfd was not a person cancelling: nobody
/// sees a dialog and closes it in a quarter of a second, while a missing
/// portal or `zenity` fails within a few milliseconds.
const QUICKEST_CANCEL: Duration = Duration::from_millis(250);

/// The platform's file dialogs, or word that there are none.
///
/// "Unavailable" is decided honestly rather than guessed up front: when
/// `ARCHSIM_FILE_DIALOG=builtin` is set; on Linux, when neither a D-Bus
/// session bus (for the portal) nor `zenity` exists; or when rfd returned
/// nothing faster than a person could cancel ([`QUICKEST_CANCEL`]). Once
/// unavailable, it stays so for the session: the app's own browser is then
/// used every time instead of failing first.
#[derive(Debug, Default)]
pub struct NativeFileDialog {
    unavailable: bool,
}

impl NativeFileDialog {
    /// Reads [`DIALOG_ENV`] and, on Linux, looks for a portal or `zenity`.
    pub fn from_env() -> Self {
        let builtin = wants_builtin(std::env::var(DIALOG_ENV).ok().as_deref());
        Self { unavailable: builtin || !native_dialog_possible() }
    }

    /// Runs an rfd dialog and tells a real cancel from a missing dialog.
    fn ask(&mut self, show: impl FnOnce() -> Option<PathBuf>) -> FileAnswer {
        if self.unavailable {
            return FileAnswer::Unavailable;
        }
        let started = Instant::now();
        let answer = classify(show(), started.elapsed());
        if answer == FileAnswer::Unavailable {
            self.unavailable = true;
        }
        answer
    }
}

impl FileDialog for NativeFileDialog {
    fn pick_open(&mut self, folder: Option<&Path>) -> FileAnswer {
        self.ask(|| {
            let mut dialog = rfd::FileDialog::new().set_title("Open scenario").add_filter("archsim scenario", &["ron"]);
            if let Some(folder) = folder {
                dialog = dialog.set_directory(folder);
            }
            dialog.pick_file()
        })
    }

    fn pick_save(&mut self, folder: Option<&Path>, file_name: &str) -> FileAnswer {
        let answer = self.ask(|| {
            let mut dialog = rfd::FileDialog::new()
                .set_title("Save scenario")
                .add_filter("archsim scenario", &["ron"])
                .set_file_name(file_name);
            if let Some(folder) = folder {
                dialog = dialog.set_directory(folder);
            }
            dialog.save_file()
        });
        match answer {
            FileAnswer::Picked(p) if p.extension().is_none() => FileAnswer::Picked(p.with_extension("ron")),
            other => other,
        }
    }

    fn pick_export(&mut self, folder: Option<&Path>, file_name: &str, file_type: (&str, &str)) -> FileAnswer {
        self.ask(|| {
            let mut dialog = rfd::FileDialog::new()
                .set_title("Export")
                .add_filter(file_type.0, &[file_type.1])
                .set_file_name(file_name);
            if let Some(folder) = folder {
                dialog = dialog.set_directory(folder);
            }
            dialog.save_file()
        })
    }
}

/// Whether the value of [`DIALOG_ENV`] asks for the app's own browser.
fn wants_builtin(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.trim().eq_ignore_ascii_case("builtin"))
}

/// rfd's answer and how long it took, as a [`FileAnswer`].
fn classify(picked: Option<PathBuf>, took: Duration) -> FileAnswer {
    match picked {
        Some(path) => FileAnswer::Picked(path),
        None if took < QUICKEST_CANCEL => FileAnswer::Unavailable,
        None => FileAnswer::Cancelled,
    }
}

/// Whether rfd has anything to show a dialog with: on Linux and the BSDs a
/// session bus (the portal lives there) or `zenity` on the `PATH`.
#[cfg(all(unix, not(target_os = "macos")))]
fn native_dialog_possible() -> bool {
    let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty())
        || std::env::var_os("XDG_RUNTIME_DIR").is_some_and(|d| Path::new(&d).join("bus").exists());
    let zenity = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join("zenity").is_file()));
    bus || zenity
}

/// Windows and macOS always have their dialogs.
#[cfg(not(all(unix, not(target_os = "macos"))))]
fn native_dialog_possible() -> bool {
    true
}

/// Answers given in advance, in order; running out is a cancel.
/// Clones share the queue, so a test keeps one and hands one to the app.
#[derive(Debug, Clone, Default)]
pub struct ScriptedFileDialog {
    answers: Rc<RefCell<VecDeque<FileAnswer>>>,
    /// File names the app suggested when saving.
    pub suggested: Rc<RefCell<Vec<String>>>,
}

impl ScriptedFileDialog {
    pub fn new() -> Self {
        Self::default()
    }

    /// The next dialog answers `path` (`None`: the user cancels).
    pub fn answer(&self, path: Option<PathBuf>) {
        self.answers.borrow_mut().push_back(path.map_or(FileAnswer::Cancelled, FileAnswer::Picked));
    }

    /// The next dialog cannot be shown, as on a desktop without a portal.
    pub fn answer_unavailable(&self) {
        self.answers.borrow_mut().push_back(FileAnswer::Unavailable);
    }

    /// Answers not used yet.
    pub fn pending(&self) -> usize {
        self.answers.borrow().len()
    }

    fn next(&self) -> FileAnswer {
        self.answers.borrow_mut().pop_front().unwrap_or(FileAnswer::Cancelled)
    }
}

impl FileDialog for ScriptedFileDialog {
    fn pick_open(&mut self, _folder: Option<&Path>) -> FileAnswer {
        self.next()
    }

    fn pick_save(&mut self, _folder: Option<&Path>, file_name: &str) -> FileAnswer {
        self.suggested.borrow_mut().push(file_name.to_string());
        self.next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quick_none_is_a_missing_dialog_and_a_slow_one_a_cancel() {
        assert_eq!(classify(None, Duration::from_millis(5)), FileAnswer::Unavailable);
        assert_eq!(classify(None, Duration::from_secs(2)), FileAnswer::Cancelled);
        let p = PathBuf::from("/tmp/a.ron");
        assert_eq!(classify(Some(p.clone()), Duration::from_millis(1)), FileAnswer::Picked(p));
    }

    #[test]
    fn archsim_file_dialog_builtin_asks_for_the_apps_own_browser() {
        assert!(wants_builtin(Some("builtin")));
        assert!(wants_builtin(Some(" Builtin ")));
        assert!(!wants_builtin(Some("native")));
        assert!(!wants_builtin(None));
    }

    #[test]
    fn once_unavailable_the_native_dialog_is_not_tried_again() {
        let mut native = NativeFileDialog::default();
        assert_eq!(native.ask(|| None), FileAnswer::Unavailable);
        let mut shown = false;
        assert_eq!(
            native.ask(|| {
                shown = true;
                None
            }),
            FileAnswer::Unavailable
        );
        assert!(!shown, "no second try");
    }

    #[test]
    fn scripted_answers_come_in_order_then_cancel() {
        let mut files = ScriptedFileDialog::new();
        files.answer_unavailable();
        files.answer(Some(PathBuf::from("x.ron")));
        assert_eq!(files.pick_open(None), FileAnswer::Unavailable);
        assert_eq!(files.pick_save(None, "s.ron"), FileAnswer::Picked(PathBuf::from("x.ron")));
        assert_eq!(files.pick_open(None), FileAnswer::Cancelled);
        assert_eq!(files.suggested.borrow().as_slice(), ["s.ron"]);
    }
}
