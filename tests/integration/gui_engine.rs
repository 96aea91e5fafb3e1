//! The engine on its own thread (issue 7, major 5): the app hands the
//! simulation to a worker while each frame is drawn. These tests drive the
//! app as the other GUI tests do and prove the thread changes nothing a
//! user can see: same seed, same frames ⇒ the same numbers as inline, and
//! pause, live edits and reset keep working.

#![cfg(feature = "gui")]

use archsim::gui::{
    AppConfig, ArchsimApp, Command, EngineThread, InitialDocument, ManualClock, PacerConfig, ScriptedFileDialog, Speed,
};
use archsim::scenario::{NodeKind, default_scenario};
use egui_kittest::Harness;

/// The app with the engine where `engine` says. A paced frame waits up to
/// a minute for the engine thread, so on any machine it reaches its target
/// and the comparison is exact.
fn app(engine: EngineThread) -> (Harness<'static, ArchsimApp>, ManualClock) {
    let clock = ManualClock::new();
    let c = clock.clone();
    let harness = Harness::builder().with_size([1280.0, 800.0]).build_eframe(move |cc| {
        let mut config = AppConfig::for_tests(
            Box::new(c),
            Box::new(ScriptedFileDialog::new()),
            InitialDocument::Scenario(Box::new(default_scenario()), None),
        );
        config.pacer = PacerConfig { engine, budget_s: 60.0, max_frame_dt_s: 3_600.0, ..PacerConfig::default() };
        ArchsimApp::new(cc, config)
    });
    (harness, clock)
}

/// Plays at 10×, `frames` frames of 50 ms with `between` run after
/// `frames / 2`, then pauses in a frame of no wall time, so both modes
/// have simulated exactly the same stretches.
fn run(engine: EngineThread, frames: usize, between: &dyn Fn(&mut Harness<'static, ArchsimApp>)) -> (f64, String) {
    let (mut h, clock) = app(engine);
    h.state_mut().push_command(Command::SetSpeed(Speed::Times(10.0)));
    h.state_mut().push_command(Command::Play);
    h.step();
    for k in 0..frames {
        if k == frames / 2 {
            between(&mut h);
        }
        clock.advance(0.05);
        h.step();
    }
    h.state_mut().push_command(Command::Pause);
    h.step();
    let rt = h.state().runtime();
    assert!(rt.sim.is_some(), "a paused run keeps its simulation at home");
    assert_eq!(rt.runs_in_background(), engine == EngineThread::Background);
    let report = rt.sim.as_ref().map(|s| format!("{:?}", s.report())).unwrap_or_default();
    (rt.now_s(), report)
}

#[test]
fn the_engine_thread_gives_the_same_numbers_as_the_inline_engine() {
    let none = |_: &mut Harness<'static, ArchsimApp>| {};
    let (t_inline, inline) = run(EngineThread::Inline, 40, &none);
    let (t_away, away) = run(EngineThread::Background, 40, &none);
    assert!((t_inline - 20.0).abs() < 1e-6, "40 frames of 50 ms at 10× is 20 s, got {t_inline}");
    assert_eq!(t_away, t_inline);
    assert_eq!(away, inline);
}

/// A live edit reaches the simulation while it is home, between two
/// stretches on the thread, at the same simulated time as inline.
#[test]
fn live_edits_apply_between_stretches_on_the_engine_thread() {
    let more_workers = |h: &mut Harness<'static, ArchsimApp>| {
        let doc = &h.state().document().scenario;
        let index = doc.node_index("app-1").expect("app-1");
        let mut kind = doc.nodes[index].kind.clone();
        if let NodeKind::Service(s) = &mut kind {
            s.workers = 40;
        }
        h.state_mut().push_command(Command::SetNodeKind { index, kind, continuous: false });
    };
    let (t_inline, inline) = run(EngineThread::Inline, 30, &more_workers);
    let (t_away, away) = run(EngineThread::Background, 30, &more_workers);
    assert_eq!(t_away, t_inline);
    assert_eq!(away, inline);
    let (_, unedited) = run(EngineThread::Background, 30, &|_: &mut Harness<'static, ArchsimApp>| {});
    assert_ne!(away, unedited, "the edit changed the run");
}

/// Reset while the engine thread has the simulation: the new run starts
/// at zero and the old one does not come back.
#[test]
fn reset_during_a_run_on_the_engine_thread_starts_again_at_zero() {
    let (mut h, clock) = app(EngineThread::Background);
    h.state_mut().push_command(Command::SetSpeed(Speed::Times(10.0)));
    h.state_mut().push_command(Command::Play);
    for _ in 0..5 {
        clock.advance(0.05);
        h.step();
    }
    // No wall time passes from here: whatever the old run did on the
    // thread, the new one has nothing to simulate yet.
    h.state_mut().push_command(Command::Reset);
    h.step();
    h.state_mut().push_command(Command::Pause);
    h.step();
    let rt = h.state().runtime();
    assert!(rt.runs_in_background());
    assert_eq!(rt.now_s(), 0.0, "started again");
}
