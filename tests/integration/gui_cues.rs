//! Instructor mode's cues (issue 10): the presenter fires them one by one
//! from the keyboard, or lets them run at their times — exactly at their
//! times, so "Run again" replays the same lesson to the last digit; and a
//! cue that names the wrong node is refused with its line.

#![cfg(feature = "gui")]

use archsim::gui::{ArchsimApp, Command, ManualClock};
use archsim::scenario::{LoadError, bundled, parse_scenario};
use archsim::sim::SimEventKind;
use eframe::egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use crate::common::app_on;

fn lesson() -> (Harness<'static, ArchsimApp>, ManualClock) {
    let scenario = bundled("lesson-a-cache-in-five-cues").expect("bundled").load().expect("valid");
    let (mut h, clock) = app_on(scenario);
    h.run_steps(3);
    (h, clock)
}

fn logged(h: &Harness<'static, ArchsimApp>, text: &str) -> bool {
    h.state().runtime().alerts.entries().iter().any(|a| a.text.contains(text))
}

fn run_for(h: &mut Harness<'static, ArchsimApp>, clock: &ManualClock, wall_s: f64, steps: usize) {
    if !h.state().runtime().is_running() {
        h.get_by_label("Play").click();
        h.run_steps(1);
    }
    for _ in 0..steps {
        clock.advance(wall_s / steps as f64);
        h.step();
    }
}

/// Plays at the set speed in frames of 50 ms until the run reaches `secs`.
fn reach(h: &mut Harness<'static, ArchsimApp>, clock: &ManualClock, secs: f64) {
    for _ in 0..4000 {
        let now = h.state().runtime().sim.as_ref().map_or(0.0, |s| s.now().as_secs());
        if now >= secs {
            return;
        }
        run_for(h, clock, 0.05, 1);
    }
    panic!("the run did not reach {secs} s");
}

/// N fires the next cue: the log says it, the bar moves on, and the cue
/// acts as the Spike button would (the users' rate is ×1.5 at once).
#[test]
fn the_presenter_fires_cues_one_by_one_with_n() {
    let (mut h, clock) = lesson();
    assert!(h.query_by_label("Fire next cue (N)").is_some(), "the cue bar is shown");
    run_for(&mut h, &clock, 0.5, 5);
    h.key_press(Key::N);
    h.run_steps(2);
    assert!(logged(&h, "cue 1 of 5: A warm cache"), "the first cue is logged");
    h.key_press(Key::PageDown);
    h.run_steps(2);
    assert!(logged(&h, "cue 2 of 5: A promotion"));
    let rate = h.state().runtime().sim.as_ref().and_then(|s| s.node_live(0)).and_then(|l| l.client_rate);
    assert!(rate.is_some_and(|r| (r - 1200.0).abs() < 1e-6), "the spike acts at once: {rate:?}");
    for _ in 0..3 {
        h.get_by_label("Fire next cue (N)").click();
        h.run_steps(2);
    }
    assert!(logged(&h, "cue 5 of 5"));
    assert!(h.query_by_label("Fire next cue (N)").is_none(), "no cue left to fire");
    h.state_mut().push_command(Command::Reset);
    h.run_steps(2);
    assert!(h.query_by_label("Fire next cue (N)").is_some(), "a reset starts the lesson over");
}

/// Let run, each cue fires at exactly its time (the engine is held there),
/// the run goes on past it, and Run again replays the same windows.
#[test]
fn cues_let_run_fire_at_their_times_and_run_again_replays_the_run() {
    let (mut h, clock) = lesson();
    h.state_mut().push_command(Command::SetCuesRun(true));
    h.state_mut().push_command(Command::SetSpeed(archsim::gui::Speed::Times(20.0)));
    h.run_steps(1);
    reach(&mut h, &clock, 100.0);
    let sim = h.state().runtime().sim.as_ref().expect("running");
    let starts: Vec<f64> =
        sim.event_log().iter().filter(|e| e.kind == SimEventKind::SpikeStart).map(|e| e.at.as_secs()).collect();
    assert_eq!(starts, [40.0], "the spike cue at exactly 40 s");
    assert!(logged(&h, "cue 3 of 5"), "the flush at 90 s fired and the run went on");
    let first: Vec<_> = sim.series().frames().iter().take(95).cloned().collect();

    h.state_mut().push_command(Command::RunAgain);
    h.run_steps(1);
    reach(&mut h, &clock, 100.0);
    let again: Vec<_> =
        h.state().runtime().sim.as_ref().expect("running").series().frames().iter().take(95).cloned().collect();
    assert_eq!(first.len(), 95);
    assert_eq!(first, again, "the same seed and the same cue times: the same run");
}

/// A cue on a node that does not exist, or that cannot do what it asks, is
/// refused at load with its line, as a fault would be.
#[test]
fn a_cue_on_the_wrong_node_is_refused_with_its_line() {
    let text = r#"(
        name: "cues",
        nodes: [
            (id: "users", kind: Client(arrivals: Poisson(rate: 10))),
            (id: "api", kind: Service(workers: 2, service_time: Constant(ms: 1))),
        ],
        edges: [(from: "users", to: "api")],
        cues: [
            (say: "flush it", at_s: 20, action: FlushCache(node: "api")),
            (say: "", at_s: 10, action: Crash(node: "apj")),
        ],
    )"#;
    let Err(LoadError::Invalid(problems)) = parse_scenario(text, "cues.ron") else { panic!("refused") };
    let messages: Vec<(usize, &str)> = problems.iter().map(|p| (p.line, p.message.as_str())).collect();
    assert!(messages.iter().any(|(l, m)| *l == 9 && m.contains("only a cache can be flushed")), "{messages:?}");
    assert!(messages.iter().any(|(l, m)| *l == 10 && m.contains("cannot be empty")), "{messages:?}");
    assert!(messages.iter().any(|(l, m)| *l == 10 && m.contains("before the cue before it")), "{messages:?}");
    assert!(messages.iter().any(|(l, m)| *l == 10 && m.contains("apj")), "{messages:?}");
}

/// The Traces tab draws a kept request call by call; a selected node
/// narrows the list to requests that reached it.
#[test]
fn the_traces_tab_draws_a_request_call_by_call() {
    let (mut h, clock) = lesson();
    run_for(&mut h, &clock, 3.0, 30);
    h.get_by_label("Traces").click();
    h.run_steps(2);
    assert_eq!(h.state().runtime().sim.as_ref().map_or(0, |s| s.traces().count()), 0, "traced from now on");
    run_for(&mut h, &clock, 3.0, 30);
    assert!(h.query_all_by_label_contains("slowest").next().is_some(), "the newest slowest request is offered");
    assert!(h.query_by_label_contains("pale while it waited").is_some(), "the legend");
    let kept = h.state().runtime().sim.as_ref().map_or(0, |s| s.traces().count());
    assert!(kept >= 2, "the app traces its runs: {kept}");
}

/// Whether the cue bar's line (not the event log's "cue 3 of 5: …")
/// starts with `text`.
fn bar_says(h: &Harness<'static, ArchsimApp>, text: &str) -> bool {
    // A label's text is its AccessKit value.
    h.query_all_by_label_contains(text).any(|n| n.accesskit_node().value().is_some_and(|v| v.starts_with(text)))
}

/// Rewind and cues: back before a cue, the bar is back there too; playing
/// on repeats the first run's cues at their times (once each, never fired
/// a second time by "let run"); firing a cue from a rewound moment forks
/// the run and the lesson goes on from there.
#[test]
fn a_rewind_takes_the_cue_bar_back_and_a_cue_fired_from_there_forks_the_run() {
    let (mut h, clock) = lesson();
    h.state_mut().push_command(Command::SetCuesRun(true));
    h.state_mut().push_command(Command::SetSpeed(archsim::gui::Speed::Times(20.0)));
    h.run_steps(1);
    let spike_starts = |h: &Harness<'static, ArchsimApp>| -> Vec<f64> {
        let sim = h.state().runtime().sim.as_ref().expect("a run");
        sim.event_log().iter().filter(|e| e.kind == SimEventKind::SpikeStart).map(|e| e.at.as_secs()).collect()
    };
    reach(&mut h, &clock, 100.0);
    assert!(bar_says(&h, "3 of 5:"), "three cues fired by 100 s");
    let first: Vec<_> = h.state().runtime().sim.as_ref().expect("a run").series().frames().iter().cloned().collect();

    h.state_mut().push_command(Command::RewindTo(30.0));
    h.run_steps(2);
    assert!(bar_says(&h, "1 of 5:"), "back at 30 s, one cue has fired");
    assert!(h.query_by_label_contains("next: A promotion").is_some());

    // Playing on follows the first run: the spike at 40 s once, the bar on.
    reach(&mut h, &clock, 100.0);
    assert_eq!(spike_starts(&h), [40.0], "the first run's spike made again, once");
    assert!(bar_says(&h, "3 of 5:"), "the bar followed the run");
    for cue in ["cue 2 of 5:", "cue 3 of 5:"] {
        let lines = h.state().runtime().alerts.entries().iter().filter(|a| a.text.contains(cue)).count();
        assert_eq!(lines, 2, "{cue} logged when fired and again as the run passed it");
    }
    let again: Vec<_> = h.state().runtime().sim.as_ref().expect("a run").series().frames().iter().cloned().collect();
    let n = first.len().min(again.len());
    assert!(n >= 95);
    assert_eq!(first[..n], again[..n], "following the first run repeats it");

    // From 50 s, before the flush at 90 s: N fires the flush now, a fork.
    h.state_mut().push_command(Command::RewindTo(50.0));
    h.run_steps(2);
    assert!(bar_says(&h, "2 of 5:"));
    h.key_press(Key::N);
    h.run_steps(2);
    assert!(bar_says(&h, "3 of 5:"), "the flush fired by hand");
    assert!(h.state().runtime().history.first_run.is_some(), "the run forked: the first run drawn faint");
    let flushed_at = h.state().runtime().sim.as_ref().map(|s| s.now().as_secs()).expect("a run");
    assert!((50.0..51.0).contains(&flushed_at), "fired at the rewound moment: {flushed_at}");
    // Let run, the lesson goes on from the fork: the slowdown at 130 s.
    reach(&mut h, &clock, 135.0);
    assert!(bar_says(&h, "4 of 5:"), "the next cue fired at its time after the fork");
}

/// After a jump back, a cue that only talks (the lesson's first is a
/// note) forks the run like any cue: the first run's later cues are then
/// to fire again, once each, and the spike happens once. Turning "let cues
/// run" on while following the first run never stops its clock.
#[test]
fn a_talking_cue_fired_after_a_rewind_forks_and_letting_cues_run_never_stops_the_clock() {
    let (mut h, clock) = lesson();
    h.state_mut().push_command(Command::SetSpeed(archsim::gui::Speed::Times(20.0)));
    h.run_steps(1);
    // The first run: cues fired by hand, late (the note at 25 s, the spike at 45 s).
    reach(&mut h, &clock, 25.0);
    h.key_press(Key::N);
    h.run_steps(2);
    reach(&mut h, &clock, 45.0);
    h.key_press(Key::N);
    h.run_steps(2);
    reach(&mut h, &clock, 60.0);

    // Back to 10 s; "let cues run" on: following the first run, the clock
    // runs on past the note's own time (20 s), which the first run fired late.
    h.state_mut().push_command(Command::RewindTo(10.0));
    h.run_steps(2);
    h.state_mut().push_command(Command::SetCuesRun(true));
    h.run_steps(1);
    reach(&mut h, &clock, 30.0);
    assert!(bar_says(&h, "1 of 5:"), "the first run's note counted as it was made again");

    // Back to 10 s again; the note fired by hand forks the run.
    h.state_mut().push_command(Command::SetCuesRun(false));
    h.state_mut().push_command(Command::RewindTo(10.0));
    h.run_steps(2);
    h.key_press(Key::N);
    h.run_steps(2);
    assert!(bar_says(&h, "1 of 5:"));
    assert!(h.state().runtime().history.first_run.is_some(), "a talking cue forks the run too");
    reach(&mut h, &clock, 60.0);
    let sim = h.state().runtime().sim.as_ref().expect("a run");
    let spikes = sim.event_log().iter().filter(|e| e.kind == SimEventKind::SpikeStart).count();
    assert_eq!(spikes, 0, "the first run's spike went with the fork");
    assert!(bar_says(&h, "1 of 5:"), "the promotion is next again: {}", h.query_all_by_label_contains("of 5").count());
    h.key_press(Key::N);
    h.run_steps(2);
    assert!(bar_says(&h, "2 of 5:"));
}
