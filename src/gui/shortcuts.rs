//! Keyboard shortcuts: one list, used both to react to keys and to show
//! them in the menus.

use eframe::egui::{Key, KeyboardShortcut, Modifiers};

pub const NEW: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::N);
pub const OPEN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
pub const SAVE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
pub const SAVE_AS: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::S);
pub const UNDO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Z);
pub const REDO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z);
pub const REDO_ALT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Y);
pub const SELECT_ALL: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::A);
pub const RESET: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::R);
pub const THEME: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::T);
pub const QUIT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Q);
/// Presenter mode, for a projector: a big canvas with the live plots and
/// the event log beside it, the editing panels hidden, larger text.
pub const PRESENTER: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F5);
pub const FRAME_TIME: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F3);

// Plain keys, only when no text field has the keyboard.
pub const PLAY_PAUSE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::Space);
pub const STEP: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::Period);
pub const DELETE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::Delete);
pub const BACKSPACE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::Backspace);
pub const FIT: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F);
pub const TIDY: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::L);

/// Egui's own zoom keys (it handles them); shown in the View menu.
pub const ZOOM_IN_TEXT: &str = "Ctrl +";
pub const ZOOM_OUT_TEXT: &str = "Ctrl −";
pub const ZOOM_RESET_TEXT: &str = "Ctrl 0";
