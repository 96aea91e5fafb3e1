//! A value that changes only after the new one has been seen a few times in
//! a row, so a label (the bottleneck's name) does not flicker between
//! windows.

/// Keeps its value until a different one (or none) persists.
#[derive(Debug, Clone, Default)]
pub struct Sticky<T> {
    current: Option<T>,
    candidate: Option<T>,
    streak: u32,
    to_switch: u32,
    to_clear: u32,
}

impl<T: Clone + PartialEq> Sticky<T> {
    /// Switches after `to_switch` equal observations, clears after `to_clear` empty ones.
    pub fn new(to_switch: u32, to_clear: u32) -> Self {
        Self { current: None, candidate: None, streak: 0, to_switch: to_switch.max(1), to_clear: to_clear.max(1) }
    }

    pub fn feed(&mut self, seen: Option<T>) {
        if seen == self.current {
            self.candidate = None;
            self.streak = 0;
            return;
        }
        if seen == self.candidate {
            self.streak += 1;
        } else {
            self.candidate.clone_from(&seen);
            self.streak = 1;
        }
        let needed = if seen.is_none() { self.to_clear } else { self.to_switch };
        // The first value shows at once: nothing to flicker away from.
        if self.streak >= needed || self.current.is_none() {
            self.current = seen;
            self.candidate = None;
            self.streak = 0;
        }
    }

    pub fn get(&self) -> Option<&T> {
        self.current.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_odd_window_does_not_change_the_label() {
        let mut s = Sticky::new(2, 3);
        s.feed(Some("db"));
        assert_eq!(s.get(), Some(&"db"));
        s.feed(Some("app"));
        s.feed(Some("db"));
        assert_eq!(s.get(), Some(&"db"));
        s.feed(Some("app"));
        s.feed(Some("app"));
        assert_eq!(s.get(), Some(&"app"));
        s.feed(None);
        s.feed(None);
        assert_eq!(s.get(), Some(&"app"));
        s.feed(None);
        assert_eq!(s.get(), None);
    }
}
