//! Rewinding a run (`sim::snapshot`): a run taken back to a moment and
//! played on gives the uninterrupted run's numbers to the last byte, with
//! or without live changes on the way, and the snapshot store keeps within
//! its budget over a long run.

use archsim::scenario::{Scenario, bundled};
use archsim::sim::snapshot::{SnapshotConfig, SnapshotStore};
use archsim::sim::{LiveChange, SimTime, Simulation};

use crate::memory::{live_bytes, measure_on_this_thread};

fn scenario(name: &str) -> Scenario {
    bundled(name).unwrap_or_else(|| panic!("no bundled scenario {name}")).load().expect("valid")
}

/// The window series and the report as the command line writes them
/// (JSON): what must come out byte for byte the same.
fn serialized(sim: &Simulation) -> String {
    let frames: Vec<_> = sim.series().iter().collect();
    let series = serde_json::to_string(&frames).expect("frames serialize");
    let report = serde_json::to_string(&sim.report()).expect("report serializes");
    format!("{series}\n{report}")
}

fn secs(s: f64) -> SimTime {
    SimTime::from_secs(s)
}

/// Run to `until`, cut in slices of `slice` events as the app's engine
/// thread cuts it.
fn run_in_slices(sim: &mut Simulation, until: SimTime, slice: u64) {
    while sim.now() < until {
        sim.run_until_bounded(until, slice);
    }
}

/// Rewound to t (not on a snapshot's time, after the cache flush of the
/// scenario's timeline) and replayed to T: the same windows and report as
/// the run that never stopped.
#[test]
fn a_rewound_run_replays_byte_for_byte() {
    let s = scenario("cache-in-front-of-db");
    let end = secs(90.0);
    let mut straight = Simulation::new(&s).expect("valid");
    straight.run_until(end);

    let mut sim = Simulation::new(&s).expect("valid");
    let mut store = SnapshotStore::new(&sim, SnapshotConfig { every_s: 10.0, ..SnapshotConfig::default() });
    store.run_until(&mut sim, end);
    let went_to = sim.now();
    let rewind = store.rewind_to(secs(63.7)).expect("covered");
    assert_eq!(rewind.start.now(), secs(60.0), "the latest snapshot before 63.7 s");
    let (mut again, later) = rewind.replay();
    assert_eq!(again.now(), secs(63.7));
    assert!(later.is_empty());
    assert_ne!(serialized(&again), serialized(&straight), "back in time");
    again.run_until(end);
    assert_eq!(again.now(), went_to);
    assert_eq!(serialized(&again), serialized(&straight));
}

/// Live changes (a flush from the app, a slowdown, a spike) made in the
/// middle of an instant of a run cut in slices: recorded at their times
/// and replayed, and the run that follows the original applies the later
/// ones at theirs.
#[test]
fn live_changes_are_replayed_at_their_times() {
    let s = scenario("cache-in-front-of-db");
    let cache = s.node_index("cache").expect("a cache");
    let db = s.node_index("db").expect("a database");
    let users = s.node_index("users").expect("users");
    let end = secs(80.0);
    let changes = [
        (secs(21.3), LiveChange::FlushCache(cache)),
        (secs(33.0), LiveChange::Slowdown { node: db, factor: 3.0 }),
        (secs(50.2), LiveChange::Spike { client: users, factor: 2.0, secs: 5.0 }),
        (secs(52.0), LiveChange::Slowdown { node: db, factor: 1.0 }),
    ];

    // The original: in slices of 997 events, each change applied when the
    // slice that crosses its time ends (mid-instant, as in the app).
    let mut original = Simulation::new(&s).expect("valid");
    let mut store = SnapshotStore::new(&original, SnapshotConfig { every_s: 10.0, ..SnapshotConfig::default() });
    for (at, change) in &changes {
        while original.now() < *at {
            original.run_until_bounded(end, 997);
            store.observe(&original);
        }
        let _ = original.apply_live(change);
        store.record(original.now(), change.clone());
    }
    run_in_slices(&mut original, end, 997);
    assert_eq!(store.changes().len(), 4);

    // Back to 30 s: from the snapshot after 20 s, the flush replayed;
    // then on, as the app follows the original: each later change applied
    // at its time and recorded again, snapshots taken on the way.
    let (mut early, later) = store.rewind_to(secs(30.0)).expect("covered").replay();
    assert_eq!(later.len(), 3, "the slowdown is at 33 s");
    for c in &later {
        while early.now() < c.at {
            early.run_until_bounded(c.at, 997);
            store.observe(&early);
        }
        let _ = early.apply_live(&c.change);
        store.record(early.now(), c.change.clone());
    }
    run_in_slices(&mut early, end, 997);
    assert_eq!(serialized(&early), serialized(&original));

    // And back again to 41.5 s, from a snapshot the replay took.
    let rewind = store.rewind_to(secs(41.5)).expect("covered");
    assert!((secs(40.0)..secs(41.5)).contains(&rewind.start.now()), "{:?}", rewind.start.now());
    assert!(rewind.replay.is_empty(), "both changes before 41.5 s are in the snapshot");
    let (mut again, later) = rewind.replay();
    assert_eq!(later.len(), 2, "the spike and the restored speed come later");
    again.replay_until(end, &later);
    assert_eq!(serialized(&again), serialized(&original));
}

/// The same, with snapshots between the changes: a snapshot at 20 s and a
/// flush at 21.3 s replayed from it.
#[test]
fn a_change_between_a_snapshot_and_the_moment_is_replayed() {
    let s = scenario("cache-in-front-of-db");
    let cache = s.node_index("cache").expect("a cache");
    let end = secs(45.0);
    let mut straight = Simulation::new(&s).expect("valid");
    straight.run_until(secs(21.3));
    let _ = straight.apply_live(&LiveChange::FlushCache(cache));
    straight.run_until(end);

    let mut sim = Simulation::new(&s).expect("valid");
    let mut store = SnapshotStore::new(&sim, SnapshotConfig { every_s: 20.0, ..SnapshotConfig::default() });
    store.run_until(&mut sim, secs(21.3));
    let _ = sim.apply_live(&LiveChange::FlushCache(cache));
    store.record(sim.now(), LiveChange::FlushCache(cache));
    store.run_until(&mut sim, end);
    let rewind = store.rewind_to(secs(27.5)).expect("covered");
    assert_eq!(rewind.start.now(), secs(20.0));
    assert_eq!(rewind.replay.len(), 1, "the flush at 21.3 s");
    let (mut again, _) = rewind.replay();
    again.run_until(end);
    assert_eq!(serialized(&again), serialized(&straight));
    assert_eq!(serialized(&sim), serialized(&straight));
}

/// Going back to a moment forgets the snapshots after it, and a run on
/// from there takes new ones; a moment before the first has none.
#[test]
fn a_rewind_forgets_the_snapshots_after_it() {
    let s = scenario("three-tier-web");
    let mut sim = Simulation::new(&s).expect("valid");
    let mut store = SnapshotStore::new(&sim, SnapshotConfig { every_s: 5.0, ..SnapshotConfig::default() });
    store.run_until(&mut sim, secs(30.0));
    assert_eq!(store.len(), 7, "0, 5, … 30 s");
    let (mut sim, _) = store.rewind_to(secs(12.0)).expect("covered").replay();
    assert_eq!(store.times().collect::<Vec<_>>(), [0.0, 5.0, 10.0].map(secs));
    store.run_until(&mut sim, secs(16.0));
    assert_eq!(store.span(), Some((secs(0.0), secs(15.0))));
}

/// The estimate a store budgets with is close to what a clone allocates.
#[test]
fn a_snapshots_estimate_is_close_to_what_it_allocates() {
    for name in ["cache-in-front-of-db", "retry-storm", "three-tier-web", "hot-shard-under-zipf-keys"] {
        let s = scenario(name);
        let mut sim = Simulation::new(&s).expect("valid");
        sim.run_until(secs(45.0));
        let estimate = sim.approx_bytes();
        let (clone, allocated) = measure_on_this_thread(|| sim.clone());
        drop(clone);
        let ratio = estimate as f64 / allocated as f64;
        assert!((0.75..=1.5).contains(&ratio), "{name}: estimated {estimate} bytes, a clone allocated {allocated}");
    }
}

/// Two hours of a queue absorbing a spike with a snapshot every 5 s (1,441
/// of them, far more than fit in 24 MiB): the store's own memory, measured
/// by counting what it allocates beyond an identical run without it, stays
/// within its budget, and the run is still covered from its start.
#[test]
fn the_snapshot_store_stays_within_its_budget_over_two_hours() {
    let budget = 24 * 1024 * 1024;
    let m = store_over_two_hours("async-queue-absorbs-spike", budget);
    println!("{budget} bytes: {m:?}");
    assert!(m.peak <= budget, "the store held {} bytes at its most, over its budget of {budget}", m.peak);
    assert!(m.estimated_peak <= budget, "estimated {}", m.estimated_peak);
    assert!(m.estimated_peak as f64 >= 0.8 * m.peak as f64, "the estimate is close: {m:?}");
    assert!(m.snapshots > 12, "{} snapshots kept", m.snapshots);
    assert_eq!(m.span.0, SimTime::ZERO, "the start is kept");
    assert!(m.span.1 >= secs(7_195.0), "the recent past is kept: {:?}", m.span);
}

/// The figure in docs/performance.md: the example (a cache in
/// front of a database, flushed) for two hours at the default budget:
/// `cargo test --test integration -- --ignored rewind::default_budget --nocapture`.
#[test]
#[ignore = "a measurement: minutes in a debug build, and up to 256 MiB"]
fn default_budget_over_two_hours() {
    let budget = SnapshotConfig::default().budget_bytes;
    let m = store_over_two_hours("cache-in-front-of-db", budget);
    println!("default budget {budget} bytes: {m:?}");
    assert!(m.peak <= budget);
}

/// What a store held over a long run.
#[derive(Debug)]
struct Measured {
    /// The most bytes the store had allocated at once, counted.
    peak: usize,
    /// The most it estimated it held.
    estimated_peak: usize,
    snapshots: usize,
    span: (SimTime, SimTime),
}

/// Runs two identical simulations in step, one with a store: what the
/// second side allocates beyond the first is the store's.
fn store_over_two_hours(name: &str, budget: usize) -> Measured {
    let s = scenario(name);
    let config = SnapshotConfig { every_s: 5.0, budget_bytes: budget, ..SnapshotConfig::default() };
    let mut plain_bytes = 0isize;
    let mut with_bytes = 0isize;
    let counted = |total: &mut isize, f: &mut dyn FnMut()| {
        let before = live_bytes() as isize;
        f();
        *total += live_bytes() as isize - before;
    };
    let mut plain = None;
    let mut sim = None;
    let mut store = None;
    counted(&mut plain_bytes, &mut || plain = Some(Simulation::new(&s).expect("valid")));
    counted(&mut with_bytes, &mut || {
        let built = Simulation::new(&s).expect("valid");
        store = Some(SnapshotStore::new(&built, config));
        sim = Some(built);
    });
    let plain = plain.as_mut().expect("built above");
    let sim = sim.as_mut().expect("built above");
    let store = store.as_mut().expect("built above");
    let mut peak = 0isize;
    let mut t = 0.0;
    while t < 7_200.0 {
        t += 5.0;
        counted(&mut plain_bytes, &mut || {
            plain.run_until(secs(t));
        });
        counted(&mut with_bytes, &mut || store.run_until(sim, secs(t)));
        peak = peak.max(with_bytes - plain_bytes);
    }
    assert_eq!(serialized(sim), serialized(plain), "snapshots do not change the run");
    Measured {
        peak: usize::try_from(peak).unwrap_or(0),
        estimated_peak: store.peak_bytes(),
        snapshots: store.len(),
        span: store.span().expect("snapshots"),
    }
}
