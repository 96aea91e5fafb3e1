//! Request traces (`sim::trace`, `archsim run --traces`): each window keeps
//! its slowest request and a few ordinary ones with every call they made,
//! the times add up exactly on a design of constant times, tracing changes
//! no number of the run, and what is kept stays bounded however long it runs.

use archsim::scenario::{Arrivals, ClientSpec, DistributionSpec, EdgeSpec, NodeKind};
use archsim::sim::trace::{Kept, MAX_WINDOWS_KEPT, SAMPLES_PER_WINDOW, SpanOutcome};
use archsim::sim::{SimTime, Simulation};

use crate::common::{database, exp_ms, node, poisson_client, scenario, service};

fn constant(ms: f64) -> DistributionSpec {
    DistributionSpec::Constant { ms }
}

/// 10 requests/s, one at a time: users → api (10 ms of work, then a call)
/// → db (5 ms), every edge 1 ms each way. Nothing ever waits.
fn chain() -> archsim::scenario::Scenario {
    let client = ClientSpec { arrivals: Arrivals::Constant { rate: 10.0 }, ..ClientSpec::default() };
    let mut s = scenario(
        "chain",
        1,
        1.0,
        vec![
            node("users", NodeKind::Client(client)),
            service("api", 4, None, constant(10.0)),
            database("db", 4, constant(5.0)),
        ],
        &[],
    );
    s.edges = vec![
        EdgeSpec { latency: Some(constant(1.0)), ..EdgeSpec::new("users", "api") },
        EdgeSpec { latency: Some(constant(1.0)), ..EdgeSpec::new("api", "db") },
    ];
    s
}

#[test]
fn a_trace_of_constant_times_adds_up_exactly() {
    let mut sim = Simulation::new(&chain()).expect("valid");
    sim.enable_tracing();
    sim.run_until(SimTime::from_secs(5.0));
    let ids: Vec<String> = sim.scenario().nodes.iter().map(|n| n.id.clone()).collect();
    let traces: Vec<_> = sim.traces().map(|t| t.view(&ids)).collect();
    assert!(!traces.is_empty());
    for t in &traces {
        // 1 ms there, 10 ms of work, 1 ms to the db, 5 ms, 1 + 1 ms back.
        assert!((t.latency_ms - 19.0).abs() < 1e-6, "{t:?}");
        let names: Vec<&str> = t.spans.iter().map(|s| s.node.as_str()).collect();
        assert_eq!(names, ["users", "api", "db"]);
        let [root, api, db] = &t.spans[..] else { panic!("three calls") };
        assert_eq!((root.depth, api.depth, db.depth), (0, 1, 2));
        assert_eq!((api.parent, db.parent), (Some(0), Some(1)));
        assert!((api.start_ms - 1.0).abs() < 1e-6 && (api.duration_ms - 17.0).abs() < 1e-6, "{api:?}");
        assert!((db.start_ms - 12.0).abs() < 1e-6 && (db.duration_ms - 5.0).abs() < 1e-6, "{db:?}");
        assert!(t.spans.iter().all(|s| s.queue_ms == 0.0 && s.outcome == SpanOutcome::Ok));
    }
}

/// Each window's kept "slowest" is the slowest request that ended in it:
/// its latency is the window's end-to-end maximum (to the histogram's
/// resolution), and tracing leaves every figure of the run unchanged.
#[test]
fn each_window_keeps_its_slowest_request_and_tracing_changes_no_number() {
    let s = scenario(
        "mm2",
        5,
        1.0,
        vec![poisson_client("users", 150.0), service("api", 2, None, exp_ms(10.0))],
        &[("users", "api")],
    );
    let mut plain = Simulation::new(&s).expect("valid");
    let mut traced = Simulation::new(&s).expect("valid");
    traced.enable_tracing();
    plain.run_until(SimTime::from_secs(30.0));
    traced.run_until(SimTime::from_secs(30.0));
    assert_eq!(plain.report(), traced.report(), "the same run with traces on");

    let frames = traced.series().frames();
    let mut checked = 0;
    for t in traced.traces().filter(|t| t.kept == Kept::Slowest) {
        let frame = &frames[usize::try_from(t.window).expect("small")];
        let max = frame.end_to_end.latency.max_ms;
        assert!(
            (t.latency_ms - max).abs() <= 0.01 * max,
            "window {}: kept {} ms, max {max} ms",
            t.window,
            t.latency_ms
        );
        checked += 1;
    }
    assert_eq!(checked, 30, "one slowest per window");
    let samples = traced.traces().filter(|t| t.kept == Kept::Sample).count();
    assert!(samples > 0 && samples <= 30 * SAMPLES_PER_WINDOW, "{samples} samples");
}

/// Tracing switched on mid-run (as the app does when its Traces tab opens)
/// numbers windows from the start of the run, so a trace's window is the
/// plots' window: its slowest request is that frame's maximum.
#[test]
fn tracing_started_mid_run_numbers_windows_from_the_start_of_the_run() {
    let s = scenario(
        "mm2",
        5,
        1.0,
        vec![poisson_client("users", 150.0), service("api", 2, None, exp_ms(10.0))],
        &[("users", "api")],
    );
    let mut sim = Simulation::new(&s).expect("valid");
    sim.run_until(SimTime::from_secs(10.5));
    sim.enable_tracing();
    sim.run_until(SimTime::from_secs(30.0));
    let frames = sim.series().frames();
    let windows: Vec<u64> = sim.traces().filter(|t| t.kept == Kept::Slowest).map(|t| t.window).collect();
    assert_eq!(windows, (10..30).collect::<Vec<u64>>(), "windows 10 (the one under way) to 29");
    for t in sim.traces().filter(|t| t.kept == Kept::Slowest).skip(1) {
        let max = frames[usize::try_from(t.window).expect("small")].end_to_end.latency.max_ms;
        assert!(
            (t.latency_ms - max).abs() <= 0.01 * max,
            "window {}: kept {} ms, max {max} ms",
            t.window,
            t.latency_ms
        );
    }
}

/// A long run keeps only the last windows' traces.
#[test]
fn traces_stay_bounded_over_a_long_run() {
    let s = scenario(
        "long",
        9,
        1.0,
        vec![poisson_client("users", 200.0), service("api", 4, None, exp_ms(5.0))],
        &[("users", "api")],
    );
    let mut sim = Simulation::new(&s).expect("valid");
    sim.enable_tracing();
    sim.run_until(SimTime::from_secs(2.0 * MAX_WINDOWS_KEPT as f64));
    let kept = sim.traces().count();
    assert!(kept <= MAX_WINDOWS_KEPT * (1 + SAMPLES_PER_WINDOW), "{kept} traces kept");
    let oldest = sim.traces().map(|t| t.window).min().expect("some");
    assert!(oldest >= MAX_WINDOWS_KEPT as u64 - 1, "the oldest windows went: {oldest}");
}

fn bundled_traces(name: &str, secs: f64) -> Vec<archsim::sim::trace::TraceView> {
    let s = archsim::scenario::bundled(name).expect("bundled").load().expect("valid");
    let mut sim = Simulation::new(&s).expect("valid");
    sim.enable_tracing();
    sim.run_until(SimTime::from_secs(secs));
    let ids: Vec<String> = sim.scenario().nodes.iter().map(|n| n.id.clone()).collect();
    sim.traces().map(|t| t.view(&ids)).collect()
}

/// A request that waits through retries and backoffs across windows keeps
/// every attempt: its first call starts as the request does, not at the
/// last retry.
#[test]
fn a_retried_request_keeps_its_first_attempts_across_windows() {
    let traces = bundled_traces("retries-at-every-layer", 40.0);
    let long: Vec<_> = traces.iter().filter(|t| t.latency_ms > 1_000.0).collect();
    assert!(!long.is_empty(), "some requests retried for over a second");
    for t in long {
        let first = t.spans.get(1).expect("a call below the request");
        assert!(first.start_ms < 50.0, "the first attempt at {} ms in a {} ms request", first.start_ms, t.latency_ms);
    }
}

/// A request its client gave up on shows its calls, those still under way
/// drawn to the moment it ended.
#[test]
fn a_timed_out_request_shows_the_calls_still_under_way() {
    let traces = bundled_traces("slow-database-exhausts-workers", 60.0);
    let timed_out: Vec<_> = traces
        .iter()
        .filter(|t| matches!(t.spans[0].outcome, SpanOutcome::Failed(archsim::sim::FailureReason::Timeout)))
        .collect();
    assert!(!timed_out.is_empty(), "the lesson times requests out");
    for t in &timed_out {
        assert!(t.spans.len() > 1, "calls below a timed-out request: {t:?}");
        let end = t.spans.iter().map(|s| s.start_ms + s.duration_ms).fold(0.0, f64::max);
        assert!(end <= t.latency_ms + 1e-6, "no bar past the request's end: {t:?}");
    }
    // Most were still at work when the client gave up (some answered in
    // the last milliseconds, their reply still on the wire).
    let unfinished = timed_out.iter().filter(|t| t.spans.iter().any(|s| s.outcome == SpanOutcome::Unfinished)).count();
    assert!(unfinished * 2 > timed_out.len(), "{unfinished} of {}", timed_out.len());
}

/// The times add up under queueing and random work too: on a chain where
/// api (one worker, 80 % busy) does its work and then calls db (one
/// connection), every kept request's latency is the network there, api's
/// bar and the network back; api's bar ends as db's answer gets back to
/// it; and each bar's wait in line fits inside it and before its call.
#[test]
fn a_trace_adds_up_to_its_latency_under_queueing() {
    let mut s = chain();
    s.nodes[0].kind =
        NodeKind::Client(ClientSpec { arrivals: Arrivals::Poisson { rate: 100.0 }, ..ClientSpec::default() });
    s.nodes[1] = service("api", 1, None, exp_ms(8.0));
    s.nodes[2] = database("db", 1, exp_ms(4.0));
    let mut sim = Simulation::new(&s).expect("valid");
    sim.enable_tracing();
    sim.run_until(SimTime::from_secs(60.0));
    let ids: Vec<String> = sim.scenario().nodes.iter().map(|n| n.id.clone()).collect();
    let traces: Vec<_> = sim.traces().map(|t| t.view(&ids)).collect();
    assert!(traces.len() > 100, "{} traces", traces.len());
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
    let mut waited = 0;
    for t in &traces {
        let [root, api, db] = &t.spans[..] else { panic!("three calls: {t:?}") };
        assert!(root.outcome == SpanOutcome::Ok && close(root.start_ms, 0.0), "{t:?}");
        assert!(close(root.duration_ms, t.latency_ms), "the request's bar is its latency: {t:?}");
        assert!(close(api.start_ms, 1.0), "api is reached after the 1 ms edge: {t:?}");
        assert!(close(t.latency_ms, api.start_ms + api.duration_ms + 1.0), "there, api, back: {t:?}");
        assert!(close(api.start_ms + api.duration_ms, db.start_ms + db.duration_ms + 1.0), "db's answer, 1 ms: {t:?}");
        assert!(db.start_ms >= api.start_ms + api.queue_ms + 1.0 - 1e-6, "api calls db after its wait: {t:?}");
        for span in [api, db] {
            assert!(span.queue_ms >= 0.0 && span.queue_ms <= span.duration_ms + 1e-9, "{span:?}");
        }
        waited += usize::from(api.queue_ms > 0.0);
    }
    // At 80 % busy most requests wait, the slowest of each window surely.
    assert!(waited * 2 > traces.len(), "{waited} of {} waited at api", traces.len());
}

/// With retries, timeouts, caches and fan-outs: every kept request's bar
/// is its latency, every call lies inside the request and starts no
/// earlier than its caller, and every wait in line fits inside its bar.
#[test]
fn every_call_of_a_trace_lies_inside_its_request_with_retries_and_timeouts() {
    for name in
        ["retries-at-every-layer", "slow-database-exhausts-workers", "cache-in-front-of-db", "fan-out-tail-at-scale"]
    {
        let traces = bundled_traces(name, 40.0);
        assert!(!traces.is_empty(), "{name}");
        for t in &traces {
            let root = &t.spans[0];
            assert!((root.duration_ms - t.latency_ms).abs() < 1e-6, "{name}: {t:?}");
            for s in &t.spans {
                assert!(s.start_ms >= -1e-9 && s.start_ms + s.duration_ms <= t.latency_ms + 1e-6, "{name}: {s:?}");
                assert!(s.queue_ms >= 0.0 && s.queue_ms <= s.duration_ms + 1e-9, "{name}: {s:?}");
                if let Some(parent) = s.parent {
                    assert!(
                        s.start_ms >= t.spans[usize::from(parent)].start_ms - 1e-9,
                        "{name}: {s:?} before its caller"
                    );
                }
            }
        }
    }
}
