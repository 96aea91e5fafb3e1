//! The rewind scrubber (issue 12), driven as a user drives it: by its
//! AccessKit label. Going back pauses at the moment with the numbers a run
//! that never went past it has; playing on repeats the first run to the
//! byte; a change from there forks it and the first run stays as a trace.

#![cfg(feature = "gui")]

use archsim::gui::{
    AppConfig, ArchsimApp, Command, EngineThread, InitialDocument, ManualClock, PacerConfig, ScriptedFileDialog, Speed,
};
use archsim::gui::{LiveFault, RunState};
use archsim::scenario::default_scenario;
use archsim::sim::{SimTime, Simulation};
use eframe::egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn app(engine: EngineThread) -> (Harness<'static, ArchsimApp>, ManualClock) {
    let clock = ManualClock::new();
    let c = clock.clone();
    let harness = Harness::builder().with_size([1400.0, 900.0]).build_eframe(move |cc| {
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

/// The windows and the report, as JSON: equal means equal to the byte.
fn numbers(h: &Harness<'static, ArchsimApp>) -> String {
    let sim = h.state().runtime().sim.as_ref().expect("a simulation");
    serialized(sim)
}

fn serialized(sim: &Simulation) -> String {
    let frames: Vec<_> = sim.series().iter().collect();
    format!(
        "{}\n{}",
        serde_json::to_string(&frames).expect("frames serialize"),
        serde_json::to_string(&sim.report()).expect("report serializes")
    )
}

/// Plays at 10× in frames of 1 s until the run pauses at its end.
fn play_to_the_end(h: &mut Harness<'static, ArchsimApp>, clock: &ManualClock) {
    h.state_mut().push_command(Command::Play);
    h.step();
    for _ in 0..100 {
        clock.advance(1.0);
        h.step();
        if h.state().runtime().run_state() == RunState::Paused {
            return;
        }
    }
    panic!("the run did not reach its end");
}

fn rewind_with_the_scrubber(h: &mut Harness<'static, ArchsimApp>, to_s: f64) {
    h.get_by_role_and_label(Role::Slider, "Rewind").set_value_accesskit(to_s);
    h.step();
    h.step();
}

#[test]
fn the_scrubber_goes_back_and_playing_on_repeats_the_run() {
    for engine in [EngineThread::Inline, EngineThread::Background] {
        let (mut h, clock) = app(engine);
        h.state_mut().push_command(Command::SetSpeed(Speed::Times(10.0)));
        play_to_the_end(&mut h, &clock);
        let end = default_scenario().duration_s;
        assert_eq!(h.state().runtime().now_s(), end);
        let first = numbers(&h);
        assert!(
            h.query_all_by_label_contains(" MB of").next().is_some(),
            "the memory the snapshots use is shown against the budget"
        );

        rewind_with_the_scrubber(&mut h, 17.3);
        let rt = h.state().runtime();
        assert_eq!(rt.now_s(), 17.3, "the simulated time went back");
        assert_eq!(rt.run_state(), RunState::Paused, "a jump pauses at the moment");
        let mut fresh = Simulation::new(&default_scenario()).expect("valid");
        fresh.run_until(SimTime::from_secs(17.3));
        assert_eq!(numbers(&h), serialized(&fresh), "the numbers of a run that stopped at 17.3 s");
        assert!(h.query_by_label_contains("repeating the first run").is_some());

        play_to_the_end(&mut h, &clock);
        assert_eq!(h.state().runtime().now_s(), end);
        assert_eq!(numbers(&h), first, "played on, the same numbers as the first time ({engine:?})");
        assert!(h.state().runtime().history.first_run.is_none(), "no fork, no trace");
    }
}

/// A fault injected after going back forks the run: the first run's
/// trace is kept for the plots until the user hides it.
#[test]
fn a_change_after_a_rewind_forks_and_keeps_the_first_run_faint() {
    let (mut h, clock) = app(EngineThread::Inline);
    h.state_mut().push_command(Command::SetSpeed(Speed::Times(10.0)));
    play_to_the_end(&mut h, &clock);
    let first = numbers(&h);
    rewind_with_the_scrubber(&mut h, 20.0);
    assert_eq!(h.state().runtime().now_s(), 20.0);
    h.state_mut().push_command(Command::Fault { node: "db".into(), fault: LiveFault::Slow(4.0) });
    h.step();
    assert!(h.state().runtime().history.first_run.is_some(), "the first run is kept");
    play_to_the_end(&mut h, &clock);
    assert_ne!(numbers(&h), first, "the fork ran its own way");
    // Drawn: both plots' legends name the first run's faint line.
    h.step();
    assert_eq!(h.query_all_by_label("– first run").count(), 1, "the throughput legend");
    assert_eq!(h.query_all_by_label("– p99, first run").count(), 1, "the latency legend");
    // As a hand does: over the button first (it sits on the row's second
    // line, which the pointer has not crossed), then a click.
    h.get_by_label("Hide the first run").hover();
    h.step();
    h.get_by_label("Hide the first run").click();
    h.step();
    h.step();
    assert!(h.state().runtime().history.first_run.is_none());
    assert!(h.query_by_label("Hide the first run").is_none());
    assert_eq!(h.query_all_by_label("– first run").count() + h.query_all_by_label("– p99, first run").count(), 0);
}
