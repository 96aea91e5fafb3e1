//! Stopping on a termination signal without losing work.
//!
//! By default SIGTERM (a logout, `kill`, a service manager), SIGINT (Ctrl+C
//! in the terminal) and SIGHUP (the terminal closed) end the process at
//! once, so nothing since the last autosave reached the disk. Instead, a
//! thread waits for them ([`listen_for_termination`]), raises a
//! [`ShutdownFlag`] and wakes the event loop (an idle window runs no frame
//! otherwise); the app notices the flag in its next frame, writes the
//! recovery file ([`super::autosave`]) and closes without asking about
//! unsaved changes (they are in the recovery file, restored on the next
//! start).
//!
//! The thread never writes anything itself: the app's frame runs even for a
//! hidden or minimised window (eframe keeps calling `App::logic`), so the
//! UI thread is the one place that knows the document. Should the app not
//! be gone [`GRACE`] after the signal (a frame stuck in long work), or a
//! second signal come, the thread ends the process; the recovery file then
//! holds the last autosave, at most [`super::autosave::AUTOSAVE_AFTER_S`]
//! behind.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How long the app has to save and close after a signal.
pub const GRACE: Duration = Duration::from_secs(5);

/// Raised when the app has been asked to stop. Clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct ShutdownFlag(Arc<AtomicBool>);

impl ShutdownFlag {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn raise(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_raised(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Raises `flag` and calls `wake` on SIGTERM, SIGINT or SIGHUP, and ends
/// the process if it is still there [`GRACE`] later or on a second signal.
#[cfg(unix)]
pub fn listen_for_termination(flag: ShutdownFlag, wake: impl Fn() + Send + 'static) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    listen(&[SIGTERM, SIGINT, SIGHUP], flag, wake, Some(GRACE))
}

/// No signals to listen for on this platform: closing the window (which
/// writes the recovery file) is the way out.
#[cfg(not(unix))]
pub fn listen_for_termination(_flag: ShutdownFlag, _wake: impl Fn() + Send + 'static) -> std::io::Result<()> {
    Ok(())
}

/// The listener, for any signals; `grace: None` never ends the process (tests).
#[cfg(unix)]
fn listen(
    signals: &[std::ffi::c_int],
    flag: ShutdownFlag,
    wake: impl Fn() + Send + 'static,
    grace: Option<Duration>,
) -> std::io::Result<()> {
    // Registered here, before returning, so no signal is missed.
    let mut signals = signal_hook::iterator::Signals::new(signals)?;
    std::thread::Builder::new().name("archsim-signals".into()).spawn(move || {
        for signal in signals.forever() {
            let status = 128 + signal;
            if flag.is_raised() {
                if grace.is_some() {
                    // Asked twice: stop now.
                    std::process::exit(status);
                }
                continue;
            }
            flag.raise();
            wake();
            if let Some(grace) = grace {
                std::thread::spawn(move || {
                    std::thread::sleep(grace);
                    eprintln!(
                        "archsim: did not close within {} s of signal {signal}; stopping (the recovery file has the last autosave)",
                        grace.as_secs()
                    );
                    std::process::exit(status);
                });
            }
        }
    })?;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// The real path from a signal to the flag, with SIGUSR1 so the test
    /// binary keeps the default action for the signals that stop it.
    #[test]
    fn a_signal_raises_the_flag_and_wakes_the_app() {
        use signal_hook::consts::SIGUSR1;
        let flag = ShutdownFlag::new();
        let (tx, rx) = mpsc::channel();
        listen(
            &[SIGUSR1],
            flag.clone(),
            move || {
                let _ = tx.send(());
            },
            None,
        )
        .expect("listens");
        assert!(!flag.is_raised());
        signal_hook::low_level::raise(SIGUSR1).expect("raise");
        rx.recv_timeout(Duration::from_secs(5)).expect("woken");
        assert!(flag.is_raised());
    }
}
