//! What a clone of a simulation costs in memory, estimated from the sizes
//! of its big containers, so a store of snapshots (`snapshot.rs`) can keep
//! within a budget the user sees without asking the allocator.
//!
//! The estimate counts what `Clone` allocates: a `Vec` or `VecDeque` clone
//! holds its length (not its capacity), a hash table keeps its buckets.
//! What dominates: the call slab (72 bytes a slot, slots as many as calls
//! were ever in flight at once), the event queue, each node's two latency
//! histograms (4 and 8 bytes per bucket), waiting lines, caches' keys and
//! databases' recent writes. Small fixed parts (balancers' tables, random
//! streams inside their structs) are in the structs' own sizes or left
//! out; `tests/integration/rewind.rs` checks the estimate against what a
//! counting allocator sees a clone allocate.
//!
//! The windows of the time series are shared between clones (`Arc`), so a
//! simulation counts one pointer per window here; the frames themselves
//! are counted once by whoever keeps them ([`TimeSeries::frame_bytes`]).

use std::mem::size_of;
use std::sync::Arc;

use super::metrics::{TimeSeries, WindowFrame};
use super::node::{Behaviour, DatabaseBehaviour, NodeRuntime};
use super::{EdgeRuntime, FaultRuntime, SimEvent, Simulation};
use crate::scenario::{EdgeSpec, FaultSpec, NodeSpec, Scenario};

/// A rough allowance for what a node's or edge's spec holds on the heap
/// beyond its struct (ids, distributions' tables, profiles).
const SPEC_EXTRA: usize = 64;

impl Simulation {
    /// Approximate bytes a clone of this simulation allocates, its shared
    /// time-series windows apart (see the module's doc).
    pub fn approx_bytes(&self) -> usize {
        size_of::<Simulation>()
            + scenario_bytes(self.scenario.scenario())
            + self.events.approx_bytes()
            + self.calls.approx_bytes()
            + self.nodes.iter().map(node_bytes).sum::<usize>()
            + self.edges.iter().map(edge_bytes).sum::<usize>()
            + self.faults.len() * size_of::<FaultRuntime>()
            + series_pointer_bytes(&self.series)
            + self.log.iter().map(|e| size_of::<SimEvent>() + e.what.len()).sum::<usize>()
            + (self.call_depths.len() + self.write_sites.len()) * size_of::<usize>()
            + self.tracer.as_ref().map_or(0, |t| size_of::<super::trace::Tracer>() + t.approx_bytes())
    }
}

/// The series' own ring: a pointer per window kept.
fn series_pointer_bytes(series: &TimeSeries) -> usize {
    series.len() * size_of::<Arc<WindowFrame>>()
}

fn scenario_bytes(s: &Scenario) -> usize {
    s.name.len()
        + s.description.len()
        + s.nodes.iter().map(|n| size_of::<NodeSpec>() + n.id.len() + SPEC_EXTRA).sum::<usize>()
        + s.edges.iter().map(|e| size_of::<EdgeSpec>() + e.from.len() + e.to.len() + SPEC_EXTRA).sum::<usize>()
        + s.faults.len() * (size_of::<FaultSpec>() + SPEC_EXTRA)
}

fn node_bytes(n: &NodeRuntime) -> usize {
    let m = &n.metrics;
    let histograms =
        m.window_latency.distinct_values() * size_of::<u32>() + m.total_latency.distinct_values() * size_of::<u64>();
    let behaviour = match &n.behaviour {
        Behaviour::Client(c) => c.timeouts.approx_bytes() + c.outside_spikes.len() * SPEC_EXTRA,
        Behaviour::LoadBalancer { health, .. } => health.as_ref().map_or(0, |_| SPEC_EXTRA * 4),
        Behaviour::Service { station, fleet, .. } => {
            station.approx_bytes()
                + fleet.as_ref().map_or(0, |f| {
                    f.extra.iter().map(|i| size_of::<super::fleet::Instance>() + i.station.approx_bytes()).sum()
                })
        }
        Behaviour::Cache { store, .. } => store.approx_bytes(),
        Behaviour::Queue { station } => station.approx_bytes(),
        Behaviour::Database(db) => database_bytes(db),
    };
    size_of::<NodeRuntime>() + n.id.len() + n.out_edges.len() * size_of::<u32>() + histograms + behaviour
}

fn database_bytes(db: &DatabaseBehaviour) -> usize {
    db.servers.iter().map(|s| size_of::<super::Station>() + s.approx_bytes()).sum::<usize>()
        // A hash table's buckets: about 8/7 of its capacity, a control byte each.
        + db.last_write.capacity() * 8 / 7 * (size_of::<(u64, super::SimTime)>() + 1)
        + db.applied_writes.as_ref().map_or(0, super::idempotency::AppliedWrites::approx_bytes)
        + db.shards.as_ref().map_or(0, |s| s.arrivals.len() * 64)
}

fn edge_bytes(e: &EdgeRuntime) -> usize {
    size_of::<EdgeRuntime>()
        + e.policy.as_ref().map_or(0, |p| size_of::<super::CallPolicy>() + p.timeouts.approx_bytes())
        + e.line.as_ref().map_or(0, |l| l.approx_bytes())
        + e.link.as_ref().map_or(0, |_| size_of::<super::Link>())
}
