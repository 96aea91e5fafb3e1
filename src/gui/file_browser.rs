//! The app's own file browser, shown when the platform's dialog cannot be
//! (no XDG portal and no `zenity`, or `ARCHSIM_FILE_DIALOG=builtin`; see
//! [`super::file_dialog`]), so Save, Save as… and Open always work.
//!
//! It is written here rather than taken from `egui-file-dialog`: its 0.15
//! release needs egui 0.36 and does not build with the egui 0.37 the app
//! uses. It does only what archsim needs: a folder (its path editable), Up,
//! the sub-folders and `.ron` files in it, a file name for saving, and a
//! "replace?" question before overwriting. A folder that cannot be read is
//! said in words and the browser stays where it was.
//!
//! The widgets carry AccessKit labels ("Folder", "File name", "Go", "Up",
//! "Open"/"Save", "Cancel", each entry's name) so tests drive it as a
//! screen reader would.

use std::path::{Path, PathBuf};

use eframe::egui::{self, RichText};

/// What the browser is choosing a file for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrowseMode {
    Open,
    Save,
}

/// One line of the listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub is_dir: bool,
}

/// How the browser closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserAnswer {
    /// Open this file, or save to it (the user agreed to replace it if it existed).
    Chosen(PathBuf),
    Cancelled,
}

/// Why a folder could not be listed.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the folder {}: {source}", path.display())]
pub struct ListError {
    path: PathBuf,
    source: std::io::Error,
}

/// Why a typed file name does not name a file to use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameProblem {
    #[error("type a file name")]
    Empty,
    #[error("{} is a folder", .0.display())]
    IsFolder(PathBuf),
    #[error("the folder {} does not exist", .0.display())]
    NoSuchFolder(PathBuf),
    #[error("{} does not exist", .0.display())]
    NoSuchFile(PathBuf),
}

/// The browser's state: a plain value, kept in the app's dialog slot.
#[derive(Debug, Clone, PartialEq)]
pub struct FileBrowser {
    mode: BrowseMode,
    folder: PathBuf,
    /// The folder field as typed, applied with Enter or Go.
    folder_text: String,
    entries: Vec<Entry>,
    /// A problem to show in words (unreadable folder, bad name).
    problem: Option<String>,
    file_name: String,
    /// Asking whether to replace this existing file.
    confirm_replace: Option<PathBuf>,
    /// The heading instead of the mode's ("Open scenario").
    heading: Option<&'static str>,
}

impl FileBrowser {
    /// A browser to open a scenario, listing `folder`.
    pub fn open(folder: PathBuf) -> Self {
        Self::new(BrowseMode::Open, folder, String::new())
    }

    /// A browser to save a scenario, listing `folder`, with `file_name` proposed.
    pub fn save(folder: PathBuf, file_name: &str) -> Self {
        Self::new(BrowseMode::Save, folder, file_name.to_string())
    }

    /// The same browser under another heading: what the file is for.
    pub fn with_heading(mut self, heading: &'static str) -> Self {
        self.heading = Some(heading);
        self
    }

    fn new(mode: BrowseMode, folder: PathBuf, file_name: String) -> Self {
        let mut browser = Self {
            mode,
            folder_text: folder.display().to_string(),
            folder: folder.clone(),
            entries: Vec::new(),
            problem: None,
            file_name,
            confirm_replace: None,
            heading: None,
        };
        browser.go_to(folder);
        browser
    }

    pub fn mode(&self) -> BrowseMode {
        self.mode
    }

    /// The folder listed.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The problem shown, if any.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// Lists `folder` and moves there; if it cannot be read, stays and says why.
    pub fn go_to(&mut self, folder: PathBuf) {
        match list_folder(&folder) {
            Ok(entries) => {
                self.entries = entries;
                self.folder_text = folder.display().to_string();
                self.folder = folder;
                self.problem = None;
            }
            Err(e) => self.problem = Some(e.to_string()),
        }
    }

    /// The parent folder, if there is one.
    pub fn go_up(&mut self) {
        if let Some(parent) = self.folder.parent() {
            self.go_to(parent.to_path_buf());
        }
    }

    /// Where the typed name points, checked for this browser's mode.
    fn chosen_path(&self) -> Result<PathBuf, NameProblem> {
        let path = target_path(&self.folder, &self.file_name)?;
        match self.mode {
            BrowseMode::Save => {
                if path.is_dir() {
                    return Err(NameProblem::IsFolder(path));
                }
                match path.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() && !parent.is_dir() => {
                        Err(NameProblem::NoSuchFolder(parent.to_path_buf()))
                    }
                    _ => Ok(path),
                }
            }
            BrowseMode::Open if path.is_file() => Ok(path),
            BrowseMode::Open if path.is_dir() => Err(NameProblem::IsFolder(path)),
            BrowseMode::Open => Err(NameProblem::NoSuchFile(path)),
        }
    }

    /// The Open/Save button (or Enter in the name field).
    fn confirm(&mut self) -> Option<BrowserAnswer> {
        match self.chosen_path() {
            Ok(path) if self.mode == BrowseMode::Save && path.exists() => {
                self.confirm_replace = Some(path);
                None
            }
            Ok(path) => Some(BrowserAnswer::Chosen(path)),
            Err(problem) => {
                self.problem = Some(problem.to_string());
                None
            }
        }
    }

    /// A click on a listed entry: enter a folder; open a file, or take its
    /// name for saving.
    fn pick(&mut self, entry: &Entry) -> Option<BrowserAnswer> {
        let path = self.folder.join(&entry.name);
        if entry.is_dir {
            self.go_to(path);
            return None;
        }
        match self.mode {
            BrowseMode::Open => Some(BrowserAnswer::Chosen(path)),
            BrowseMode::Save => {
                self.file_name.clone_from(&entry.name);
                self.problem = None;
                None
            }
        }
    }

    /// Shows the browser as a modal; `Some` once the user has decided.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<BrowserAnswer> {
        let mut answer = None;
        let modal = egui::Modal::new(egui::Id::unique("archsim-file-browser")).show(ctx, |ui| {
            ui.set_width(560.0);
            answer = self.browse_ui(ui);
        });
        if answer.is_none() && modal.should_close() {
            // Escape: out of the question first, then out of the browser.
            if self.confirm_replace.take().is_none() {
                answer = Some(BrowserAnswer::Cancelled);
            }
        }
        answer
    }

    fn browse_ui(&mut self, ui: &mut egui::Ui) -> Option<BrowserAnswer> {
        let mut answer = None;
        ui.heading(self.heading.unwrap_or(match self.mode {
            BrowseMode::Open => "Open scenario",
            BrowseMode::Save => "Save scenario",
        }));
        ui.add_space(4.0);
        // While "replace?" is asked, the rest stays in view but still, so
        // the dialog keeps its size and place.
        let asking = self.confirm_replace.is_some();
        let mut enter = false;
        ui.add_enabled_ui(!asking, |ui| {
            ui.horizontal(|ui| {
                let label = ui.label("Folder");
                let field = ui
                    .add(egui::TextEdit::singleline(&mut self.folder_text).desired_width(360.0))
                    .labelled_by(label.id);
                let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if ui.button("Go").on_hover_text("List the folder typed").clicked() || entered {
                    self.go_to(PathBuf::from(self.folder_text.trim()));
                }
                let has_parent = self.folder.parent().is_some();
                if ui.add_enabled(has_parent, egui::Button::new("Up")).on_hover_text("The folder above").clicked() {
                    self.go_up();
                }
            });
            if let Some(problem) = &self.problem {
                ui.label(RichText::new(super::format::for_app_font(problem)).color(ui.visuals().error_fg_color));
            }
            ui.add_space(4.0);
            let mut clicked = None;
            egui::Frame::group(ui.style()).show(ui, |ui| {
                egui::ScrollArea::vertical().max_height(280.0).auto_shrink([false, false]).show(ui, |ui| {
                    if self.entries.is_empty() {
                        ui.weak("No folders or .ron files here.");
                    }
                    for entry in &self.entries {
                        let text = if entry.is_dir { format!("{}/", entry.name) } else { entry.name.clone() };
                        let selected = !entry.is_dir && entry.name == self.file_name;
                        let response = ui.selectable_label(selected, super::format::for_app_font(&text));
                        let response = if entry.is_dir { response.on_hover_text("Open this folder") } else { response };
                        if response.clicked() {
                            clicked = Some(entry.clone());
                        }
                    }
                });
            });
            if let Some(entry) = clicked {
                answer = self.pick(&entry);
            }
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                let label = ui.label("File name");
                let field =
                    ui.add(egui::TextEdit::singleline(&mut self.file_name).desired_width(360.0)).labelled_by(label.id);
                enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            });
        });
        ui.add_space(8.0);
        if let Some(existing) = self.confirm_replace.clone() {
            let name = existing.file_name().map_or_else(|| existing.display().to_string(), |n| n.display().to_string());
            ui.label(RichText::new(format!("“{name}” already exists here. Replace it?")).strong());
            ui.horizontal(|ui| {
                if ui.button("Replace").clicked() {
                    answer = Some(BrowserAnswer::Chosen(existing.clone()));
                }
                if ui.button("Don't replace").clicked() {
                    self.confirm_replace = None;
                }
            });
            return answer;
        }
        ui.horizontal(|ui| {
            let verb = match self.mode {
                BrowseMode::Open => "Open",
                BrowseMode::Save => "Save",
            };
            if ui.button(verb).clicked() || enter {
                answer = answer.take().or_else(|| self.confirm());
            }
            if ui.button("Cancel").clicked() {
                answer = Some(BrowserAnswer::Cancelled);
            }
        });
        answer
    }
}

/// The sub-folders and `.ron` files of `folder`, folders first, each group
/// sorted by name ignoring case. Hidden entries (a leading dot) are left out,
/// and so is anything that cannot be looked at (a broken link).
pub fn list_folder(folder: &Path) -> Result<Vec<Entry>, ListError> {
    let read = std::fs::read_dir(folder).map_err(|source| ListError { path: folder.to_path_buf(), source })?;
    let mut entries: Vec<Entry> = read
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                return None;
            }
            // `metadata` follows links, so a link to a folder lists as one.
            let meta = std::fs::metadata(e.path()).ok()?;
            if meta.is_dir() {
                Some(Entry { name, is_dir: true })
            } else if meta.is_file() && is_ron(Path::new(&name)) {
                Some(Entry { name, is_dir: false })
            } else {
                None
            }
        })
        .collect();
    entries.sort_by(|a, b| {
        b.is_dir
            .cmp(&a.is_dir)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
            .then(a.name.cmp(&b.name))
    });
    Ok(entries)
}

fn is_ron(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("ron"))
}

/// `name` with `.ron` added when it has no extension.
pub fn with_ron_extension(name: &str) -> String {
    if Path::new(name).extension().is_some() { name.to_string() } else { format!("{name}.ron") }
}

/// The file a typed name points at: relative to `folder` unless absolute,
/// `.ron` added if it has no extension.
pub fn target_path(folder: &Path, name: &str) -> Result<PathBuf, NameProblem> {
    let name = name.trim();
    if name.is_empty() {
        return Err(NameProblem::Empty);
    }
    let typed = folder.join(name);
    // "foo/" or ".." names a folder, not a file to add `.ron` to.
    if name.ends_with(['/', std::path::MAIN_SEPARATOR]) || typed.file_name().is_none() {
        return Err(NameProblem::IsFolder(typed));
    }
    if typed.extension().is_some() {
        Ok(typed)
    } else {
        let file = typed.file_name().map(|n| with_ron_extension(&n.to_string_lossy())).unwrap_or_default();
        Ok(typed.with_file_name(file))
    }
}

/// Where the browser starts: the document's folder, else the last folder
/// used, else the current folder, else home; the first that is a folder.
pub fn start_folder(document: Option<&Path>, last_used: Option<&Path>) -> PathBuf {
    let doc_folder = document.and_then(Path::parent).map(Path::to_path_buf);
    let candidates = [doc_folder, last_used.map(Path::to_path_buf), std::env::current_dir().ok(), std::env::home_dir()];
    candidates.into_iter().flatten().find(|p| p.is_dir()).unwrap_or_else(|| PathBuf::from("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("archsim-browser-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn ron_is_added_only_when_there_is_no_extension() {
        assert_eq!(with_ron_extension("design"), "design.ron");
        assert_eq!(with_ron_extension("design.ron"), "design.ron");
        assert_eq!(with_ron_extension("design.RON"), "design.RON");
        assert_eq!(with_ron_extension("my.design"), "my.design");
    }

    #[test]
    fn a_typed_name_is_relative_to_the_folder_unless_absolute() {
        let folder = Path::new("/data/designs");
        assert_eq!(target_path(folder, " cache "), Ok(PathBuf::from("/data/designs/cache.ron")));
        assert_eq!(target_path(folder, "sub/cache.ron"), Ok(PathBuf::from("/data/designs/sub/cache.ron")));
        assert_eq!(target_path(folder, "/tmp/x"), Ok(PathBuf::from("/tmp/x.ron")));
        assert_eq!(target_path(folder, "  "), Err(NameProblem::Empty));
        assert!(matches!(target_path(folder, "sub/"), Err(NameProblem::IsFolder(_))));
        assert!(matches!(target_path(folder, ".."), Err(NameProblem::IsFolder(_))));
    }

    #[test]
    fn the_listing_has_folders_then_ron_files_sorted_and_nothing_else() {
        let dir = temp_dir("listing");
        for f in ["b.ron", "A.ron", "notes.txt", ".hidden.ron", "c.RON"] {
            std::fs::write(dir.join(f), "()").expect("write");
        }
        for d in ["zeta", "Alpha", ".git"] {
            std::fs::create_dir(dir.join(d)).expect("mkdir");
        }
        let names: Vec<(String, bool)> =
            list_folder(&dir).expect("lists").into_iter().map(|e| (e.name, e.is_dir)).collect();
        let expected = [("Alpha", true), ("zeta", true), ("A.ron", false), ("b.ron", false), ("c.RON", false)];
        assert_eq!(names, expected.map(|(n, d)| (n.to_string(), d)));
    }

    #[test]
    fn an_unreadable_folder_is_said_in_words_and_the_browser_stays() {
        let dir = temp_dir("stay");
        let mut browser = FileBrowser::open(dir.clone());
        assert!(browser.problem().is_none());
        browser.go_to(dir.join("missing"));
        assert_eq!(browser.folder(), dir);
        let problem = browser.problem().expect("a problem is shown");
        assert!(problem.starts_with("cannot read the folder"), "{problem}");
        assert!(problem.contains("missing"), "{problem}");
    }

    #[test]
    fn saving_over_a_file_asks_first_and_a_new_name_is_chosen_at_once() {
        let dir = temp_dir("replace");
        std::fs::write(dir.join("old.ron"), "()").expect("write");
        let mut browser = FileBrowser::save(dir.clone(), "new");
        assert_eq!(browser.confirm(), Some(BrowserAnswer::Chosen(dir.join("new.ron"))));
        browser.file_name = "old".into();
        assert_eq!(browser.confirm(), None);
        assert_eq!(browser.confirm_replace, Some(dir.join("old.ron")));
    }

    #[test]
    fn opening_needs_an_existing_file_and_a_click_on_a_folder_enters_it() {
        let dir = temp_dir("open");
        std::fs::create_dir(dir.join("sub")).expect("mkdir");
        std::fs::write(dir.join("sub").join("x.ron"), "()").expect("write");
        let mut browser = FileBrowser::open(dir.clone());
        browser.file_name = "nope".into();
        assert_eq!(browser.confirm(), None);
        assert!(browser.problem().is_some_and(|p| p.contains("does not exist")));
        assert_eq!(browser.pick(&Entry { name: "sub".into(), is_dir: true }), None);
        assert_eq!(browser.folder(), dir.join("sub"));
        let x = Entry { name: "x.ron".into(), is_dir: false };
        assert_eq!(browser.pick(&x), Some(BrowserAnswer::Chosen(dir.join("sub").join("x.ron"))));
        browser.go_up();
        assert_eq!(browser.folder(), dir);
    }

    #[test]
    fn the_start_folder_is_the_documents_then_the_last_used() {
        let dir = temp_dir("start");
        let doc = dir.join("design.ron");
        assert_eq!(start_folder(Some(&doc), None), dir);
        assert_eq!(start_folder(Some(Path::new("/no/such/dir/x.ron")), Some(&dir)), dir);
        assert!(start_folder(None, None).is_dir());
    }
}
