//! The memory bounds `docs/scenario-format.md` states, measured by
//! counting what the engine allocates.
//!
//! A counting global allocator keeps, per thread, the bytes live now and
//! the most live at once since the last reset; tests run on their own
//! threads, so each sees only its own allocations.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use archsim::scenario::{
    Arrivals, ClientSpec, DistributionSpec, EdgeSpec, LbPolicy, LoadBalancerSpec, NodeKind, NodeSpec, Scenario,
    ServiceSpec,
};
use archsim::sim::{SimTime, Simulation};

struct Counting;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn add(bytes: usize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + bytes;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

fn sub(bytes: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(bytes)));
}

// SAFETY: every call is passed on to the system allocator unchanged; the
// counters only add and subtract sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(layout.size());
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        sub(layout.size());
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        sub(layout.size());
        add(new_size);
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bytes this thread has live now.
pub(crate) fn live_bytes() -> usize {
    LIVE.with(Cell::get)
}

/// Runs `f` and returns its result with the bytes it left allocated (what
/// its result holds, when it frees nothing it did not allocate).
pub(crate) fn measure_on_this_thread<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = live_bytes();
    let out = f();
    (out, live_bytes().saturating_sub(before))
}

/// Runs `f` and returns its result with the most bytes it had live at once.
fn peak_bytes_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let start = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(start));
    let out = f();
    (out, PEAK.with(Cell::get) - start)
}

fn service(id: String) -> NodeSpec {
    NodeSpec {
        id,
        pos: (0.0, 0.0),
        zone: None,
        region: None,
        kind: NodeKind::Service(ServiceSpec {
            workers: 4,
            queue_capacity: Some(100),
            service_time: DistributionSpec::Exponential { mean_ms: 5.0 },
            ..ServiceSpec::default()
        }),
    }
}

fn balancer(id: String) -> NodeSpec {
    NodeSpec {
        id,
        pos: (0.0, 0.0),
        zone: None,
        region: None,
        kind: NodeKind::LoadBalancer(LoadBalancerSpec { policy: LbPolicy::RoundRobin, ..Default::default() }),
    }
}

/// A client, a round-robin balancer, and `services` services behind it in
/// groups of at most 200, each group behind a balancer of its own.
fn fan_out(services: usize, rate: f64) -> Scenario {
    let mut nodes = vec![
        NodeSpec {
            id: "users".into(),
            pos: (0.0, 0.0),
            zone: None,
            region: None,
            kind: NodeKind::Client(ClientSpec { arrivals: Arrivals::Poisson { rate }, ..ClientSpec::default() }),
        },
        balancer("lb".into()),
    ];
    let mut edges = vec![EdgeSpec::new("users", "lb")];
    for (g, group) in (0..services).collect::<Vec<_>>().chunks(200).enumerate() {
        let lb = format!("lb{g}");
        nodes.push(balancer(lb.clone()));
        edges.push(EdgeSpec::new("lb", lb.clone()));
        for i in group {
            nodes.push(service(format!("s{i}")));
            edges.push(EdgeSpec::new(lb.clone(), format!("s{i}")));
        }
    }
    Scenario { name: "fan-out".into(), seed: 1, nodes, edges, ..Scenario::default() }
}

/// Bytes per node of a freshly built simulation, measured as the slope
/// between a small and a larger topology (so fixed costs cancel out).
#[test]
fn a_node_costs_a_few_kilobytes_until_it_sees_traffic() {
    let bytes = |services: usize| {
        let s = fan_out(services, 10.0);
        let (sim, peak) = peak_bytes_of(|| Simulation::new(&s).expect("valid"));
        drop(sim);
        peak
    };
    let (small, large) = (bytes(10), bytes(210));
    let per_node = (large.saturating_sub(small)) / 200;
    // docs/scenario-format.md, "Limits and memory": at most 32 KB per node built.
    eprintln!("{per_node} bytes per node");
    assert!(per_node <= 32 * 1024, "{per_node} bytes per node");
}

/// The largest topology the limits allow (as nodes behind one balancer)
/// runs long enough to fill its time series within the stated bound.
#[test]
fn the_largest_topology_runs_within_the_stated_memory() {
    // The client, the top balancer and one balancer per 200 services.
    let mut s = fan_out(archsim::scenario::limits::MAX_NODES - 7, 5_000.0);
    assert_eq!(s.nodes.len(), archsim::scenario::limits::MAX_NODES);
    s.window_s = 0.25;
    let (sim, peak) = peak_bytes_of(|| {
        let mut sim = Simulation::new(&s).expect("valid");
        // 240 windows of 0.25 s: more than the series keeps at this size.
        sim.run_until(SimTime::from_secs(60.0));
        sim
    });
    assert!(sim.series().dropped > 0, "the series is full and drops its oldest windows");
    // docs/scenario-format.md, "Limits and memory": 400 MB at the node limit
    // (histograms of 1,000 busy nodes plus the 64 MB time series), calls
    // in flight aside.
    assert!(peak <= 400 * 1024 * 1024, "{} MB", peak / (1024 * 1024));
    eprintln!("peak {} MB for {} nodes", peak / (1024 * 1024), s.nodes.len());
}
