//! Request traces in the app (issue 10): a click on a point of the latency
//! plot opens the Traces tab on that second's slowest request, and a click
//! on a moment before tracing started says so.

#![cfg(feature = "gui")]

use archsim::gui::{ArchsimApp, Command, ManualClock, TraceChoice, window_ending_nearest};
use eframe::egui::{self, Event, PointerButton, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::common::{app_on, exp_ms, poisson_client, scenario, service};

fn run_for(h: &mut Harness<'static, ArchsimApp>, clock: &ManualClock, wall_s: f64, steps: usize) {
    if !h.state().runtime().is_running() {
        h.state_mut().push_command(Command::Play);
        h.run_steps(1);
    }
    for _ in 0..steps {
        clock.advance(wall_s / steps as f64);
        h.step();
    }
}

fn click(h: &mut Harness<'static, ArchsimApp>, at: Pos2) {
    h.event(Event::PointerMoved(at));
    h.step();
    for pressed in [true, false] {
        h.event(Event::PointerButton {
            pos: at,
            button: PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
    }
    h.run_steps(2);
}

#[test]
fn a_click_on_the_latency_plot_shows_that_seconds_slowest_request() {
    let s = scenario(
        "mm2",
        5,
        1.0,
        vec![poisson_client("users", 150.0), service("api", 2, None, exp_ms(10.0))],
        &[("users", "api")],
    );
    let (mut h, clock) = app_on(s);
    h.run_steps(2);
    h.get_by_label("Traces").click();
    h.run_steps(2);
    run_for(&mut h, &clock, 6.0, 60);
    h.state_mut().push_command(Command::Pause);
    h.run_steps(2);
    h.get_by_label("Events (0)").click();
    h.run_steps(2);

    // The middle of the latency plot, under its title.
    let title = h.get_by_label("Latency ms").rect();
    let at = Pos2::new(title.left() + 200.0, title.bottom() + 60.0);
    click(&mut h, at);
    let TraceChoice::Request { window, .. } = h.state().trace_choice() else {
        panic!("a request was chosen: {:?}", h.state().trace_choice())
    };
    let sim = h.state().runtime().sim.as_ref().expect("a run");
    let now = sim.now().as_secs();
    assert!(window < (now as u64), "a window of the run: {window} at {now} s");
    assert!(h.query_all_by_label_contains("slowest").next().is_some(), "the Traces tab is shown again");
    let kept = sim.traces().find(|t| t.window == window).expect("kept");
    let frame = sim.series().frames().iter().find(|f| (f.end_s - (window + 1) as f64).abs() < 1e-9).expect("its frame");
    let max = frame.end_to_end.latency.max_ms;
    assert!((kept.latency_ms - max).abs() <= 0.01 * max, "the window's slowest: {} vs {max}", kept.latency_ms);

    // The pure rule: a point is drawn at its window's end.
    assert_eq!(window_ending_nearest(42.2, 1.0), 41);
    assert_eq!(window_ending_nearest(0.2, 1.0), 0);
    assert_eq!(window_ending_nearest(9.0, 5.0), 1);
}

/// A moment before the Traces tab was first opened has no traces: the
/// tab says so, and when the oldest kept request is.
#[test]
fn a_window_before_tracing_started_says_when_tracing_started() {
    let s = scenario(
        "mm1",
        5,
        1.0,
        vec![poisson_client("users", 50.0), service("api", 1, None, exp_ms(10.0))],
        &[("users", "api")],
    );
    let (mut h, clock) = app_on(s);
    h.run_steps(2);
    run_for(&mut h, &clock, 2.0, 20);
    h.get_by_label("Traces").click();
    h.run_steps(2);
    run_for(&mut h, &clock, 2.0, 20);
    h.state_mut().push_command(Command::ShowTraceAt(2.0));
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("tracing started when this tab first opened").is_some(),
        "the tab says why there is no trace"
    );
}

/// A moment traced but since let go (only the last windows' traces are
/// kept) is said to be no longer kept, not to be before tracing started.
#[test]
fn a_window_traced_and_let_go_says_only_the_last_windows_are_kept() {
    let s = scenario(
        "mm1",
        5,
        0.1,
        vec![poisson_client("users", 200.0), service("api", 1, None, exp_ms(2.0))],
        &[("users", "api")],
    );
    let (mut h, clock) = app_on(s);
    h.run_steps(2);
    h.get_by_label("Traces").click();
    h.run_steps(2);
    h.state_mut().push_command(Command::SetSpeed(archsim::gui::Speed::Times(10.0)));
    // 0.1 s windows: 45 simulated seconds are 450 windows, past the 300 kept.
    run_for(&mut h, &clock, 4.5, 90);
    assert!(h.state().runtime().now_s() > 40.0, "ran to {}", h.state().runtime().now_s());
    h.state_mut().push_command(Command::ShowTraceAt(1.0));
    h.run_steps(2);
    assert!(h.query_by_label_contains("are no longer kept").is_some(), "the tab says the window was let go");
    assert!(h.query_by_label_contains("tracing started").is_none());
}
