//! Work on a thread of its own while frames go on: the ramp, the sweep
//! and the comparison each run one. The window keeps drawing, shows
//! [`Job::done`] of [`Job::total`], and Cancel raises a flag the work
//! checks between slices ([`Progress::keep_going`]); dropping the job (the
//! app closing, the window's state replaced) raises it too, so no thread
//! outlives what it was for by more than a slice.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;

use eframe::egui;

/// What the work on the thread sees of its job: whether to go on, and
/// where to count what it has finished (each count asks for a repaint, so
/// the window's progress bar moves without the pointer moving).
pub struct Progress {
    done: Arc<AtomicUsize>,
    cancel: Arc<AtomicBool>,
    ctx: egui::Context,
}

impl Progress {
    /// False once Cancel was asked for.
    pub fn keep_going(&self) -> bool {
        !self.cancel.load(Ordering::Relaxed)
    }

    /// `finished` units are done in all (never moves the count back, as
    /// parallel runs may report out of order).
    pub fn finished(&self, finished: usize) {
        self.done.fetch_max(finished, Ordering::Relaxed);
        self.ctx.request_repaint();
    }

    /// One more unit is done.
    pub fn one_more(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
        self.ctx.request_repaint();
    }

    /// Asks for a frame (the work ended, cancelled or not: the window is
    /// to learn it at once).
    pub fn repaint(&self) {
        self.ctx.request_repaint();
    }
}

/// A background job whose thread returns `T`.
pub struct Job<T> {
    /// Taken once the thread has finished and been joined.
    handle: Option<JoinHandle<T>>,
    done: Arc<AtomicUsize>,
    cancel: Arc<AtomicBool>,
    total: usize,
}

impl<T: Send + 'static> Job<T> {
    /// Starts `work` on a thread named `name`; it has `total` units to do
    /// and reports them through the [`Progress`] it is given.
    pub fn spawn(
        name: &str,
        total: usize,
        ctx: &egui::Context,
        work: impl FnOnce(&Progress) -> T + Send + 'static,
    ) -> std::io::Result<Self> {
        let done = Arc::new(AtomicUsize::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let progress = Progress { done: done.clone(), cancel: cancel.clone(), ctx: ctx.clone() };
        let handle = std::thread::Builder::new().name(name.into()).spawn(move || {
            let answer = work(&progress);
            progress.repaint();
            answer
        })?;
        Ok(Job { handle: Some(handle), done, cancel, total })
    }
}

impl<T> Job<T> {
    /// Units finished so far.
    pub fn done(&self) -> usize {
        self.done.load(Ordering::Relaxed)
    }

    /// Units in all.
    pub fn total(&self) -> usize {
        self.total
    }

    /// The share done, for a progress bar.
    pub fn fraction(&self) -> f32 {
        self.done() as f32 / self.total.max(1) as f32
    }

    /// Asks the thread to stop (it does within a slice of its work).
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether Cancel was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// The thread's answer once it has finished (`Err` if it panicked);
    /// `None` while it runs, and after the answer was taken.
    pub fn take_if_finished(&mut self) -> Option<std::thread::Result<T>> {
        if !self.handle.as_ref().is_some_and(JoinHandle::is_finished) {
            return None;
        }
        self.handle.take().map(JoinHandle::join)
    }
}

impl<T> Drop for Job<T> {
    fn drop(&mut self) {
        self.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cancel reaches the work, which stops and answers; the answer is
    /// taken once.
    #[test]
    fn a_cancelled_job_stops_and_answers_once() {
        let ctx = egui::Context::default();
        let mut job = Job::spawn("test-job", 1_000_000, &ctx, |p| {
            let mut n = 0;
            while p.keep_going() {
                n += 1;
                p.finished(n);
                std::thread::yield_now();
            }
            n
        })
        .expect("a thread starts");
        while job.done() == 0 {
            std::thread::yield_now();
        }
        job.cancel();
        assert!(job.is_cancelled());
        let answer = loop {
            if let Some(answer) = job.take_if_finished() {
                break answer;
            }
            std::thread::yield_now();
        };
        let n = answer.expect("the work did not panic");
        assert!(n >= 1 && job.done() == n, "counted {n}, shows {}", job.done());
        assert!(job.take_if_finished().is_none(), "the answer is taken once");
    }
}
