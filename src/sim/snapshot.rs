//! Snapshots of a run, for going back to any moment of it and running on
//! from there with exactly the numbers of the first time (the app's rewind).
//!
//! A snapshot is a clone of the [`Simulation`]: every random stream, the
//! event queue with its insertion counter, the call slab with its free list
//! and generations, every metric — so a clone run on processes the same
//! events in the same order with the same draws as the original. What
//! changed the original from outside (the app's knobs, faults, spikes) is
//! kept beside the snapshots as [`TimedChange`]s and applied again at their
//! times. Going back to `t` is: the latest snapshot at or before `t`, run
//! to `t` with the changes made in between ([`Rewind::replay`]).
//!
//! Memory is bounded by a budget ([`SnapshotConfig::budget_bytes`]): each
//! snapshot's size is estimated ([`Simulation::approx_bytes`]; the time
//! series' windows are shared between clones and counted once here), and
//! when a new one would not fit, every other snapshot older than the newest
//! [`SnapshotConfig::keep_recent`] is dropped, the first excepted, until it
//! does. So the whole run stays covered, the recent past finely and the
//! older coarsely; going back far costs a longer replay, never more memory.
//! The budget wins over coverage: when it holds fewer than three snapshots
//! (a large design at a small budget) there is nothing left to thin, and
//! the oldest go, the first too, so the newest always fits; the scrubber
//! then reaches back only as far as the oldest kept.

use super::live_change::{LiveChange, TimedChange};
use super::metrics::TimeSeries;
use super::time::secs_to_nanos;
use super::{SimTime, Simulation};

/// Memory the store may use by default: 256 MiB.
pub const DEFAULT_BUDGET_BYTES: usize = 256 * 1024 * 1024;

/// How a store takes and keeps snapshots.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SnapshotConfig {
    /// A snapshot every this many simulated seconds (on a grid from zero).
    pub every_s: f64,
    /// Bytes the snapshots, their shared windows and the recorded changes
    /// may take together (estimated, see `footprint.rs`).
    pub budget_bytes: usize,
    /// The newest snapshots never thinned: the recent past stays at
    /// `every_s` apart.
    pub keep_recent: usize,
}

impl Default for SnapshotConfig {
    fn default() -> Self {
        SnapshotConfig { every_s: 5.0, budget_bytes: DEFAULT_BUDGET_BYTES, keep_recent: 12 }
    }
}

/// One snapshot and what the store needs to know about it.
struct Snapshot {
    sim: Simulation,
    /// Its estimate, shared windows apart.
    bytes: usize,
    /// Changes recorded before it was taken (already in its state).
    changes_before: usize,
    /// Window numbers its series holds: `[first, end)`.
    windows: (u64, u64),
}

/// Snapshots of one run and the live changes made to it.
pub struct SnapshotStore {
    config: SnapshotConfig,
    every_ns: u64,
    snapshots: Vec<Snapshot>,
    changes: Vec<TimedChange>,
    next_due: SimTime,
    /// Estimated bytes of one window of this topology.
    frame_bytes: usize,
    peak_bytes: usize,
}

/// What going back to a moment needs: the snapshot to start from, the
/// changes to apply on the way, and those the original run made later.
pub struct Rewind {
    /// A clone of the latest snapshot at or before [`Rewind::to`].
    pub start: Simulation,
    /// Changes made between the snapshot and `to` (before `to`).
    pub replay: Vec<TimedChange>,
    /// Changes the original made at `to` or later, in order: a run that
    /// follows the original applies them at their times.
    pub later: Vec<TimedChange>,
    pub to: SimTime,
}

impl Rewind {
    /// Runs the snapshot to the moment, applying the changes made before it.
    pub fn replay(self) -> (Simulation, Vec<TimedChange>) {
        let Rewind { mut start, replay, later, to } = self;
        start.replay_until(to, &replay);
        (start, later)
    }
}

impl SnapshotStore {
    /// A store for the run of `sim`, with its first snapshot (usually at
    /// time zero, the start of the run).
    pub fn new(sim: &Simulation, config: SnapshotConfig) -> SnapshotStore {
        let scenario = sim.scenario();
        let mut store = SnapshotStore {
            every_ns: secs_to_nanos(config.every_s).max(1),
            config,
            snapshots: Vec::new(),
            changes: Vec::new(),
            next_due: SimTime::ZERO,
            frame_bytes: TimeSeries::frame_bytes(scenario.nodes.len() + 1, scenario.edges.len()),
            peak_bytes: 0,
        };
        store.take(sim);
        store
    }

    pub fn config(&self) -> SnapshotConfig {
        self.config
    }

    /// A new budget, thinning at once to fit it.
    pub fn set_budget(&mut self, bytes: usize) {
        self.config.budget_bytes = bytes;
        while self.bytes() > bytes && self.snapshots.len() > 1 && self.thin() {}
    }

    /// Takes a snapshot of `sim` if one is due (`every_s` after the last
    /// grid point passed); returns whether it did.
    pub fn observe(&mut self, sim: &Simulation) -> bool {
        if sim.now() < self.next_due {
            return false;
        }
        self.take(sim);
        true
    }

    /// Runs `sim` to `until`, stopping at each grid point on the way for a
    /// snapshot. Where a run is cut does not change it, so this gives the
    /// numbers of a plain `run_until`.
    pub fn run_until(&mut self, sim: &mut Simulation, until: SimTime) {
        while self.next_due <= until {
            sim.run_until(self.next_due);
            self.take(sim);
        }
        sim.run_until(until);
    }

    /// Records a change applied to the run at `at` (its time after
    /// [`Simulation::apply_live`] settled it).
    pub fn record(&mut self, at: SimTime, change: LiveChange) {
        self.changes.push(TimedChange { at, change });
        self.peak_bytes = self.peak_bytes.max(self.bytes());
    }

    /// Goes back to `t`: the latest snapshot at or before `t` whose state
    /// holds no change made at `t` or later, and the changes around it.
    /// The store forgets everything after that snapshot (a run from `t` on
    /// makes its own, and its windows are new ones); the changes at `t` or
    /// later go to the caller in [`Rewind::later`]. `None` if `t` is before
    /// the first snapshot.
    pub fn rewind_to(&mut self, t: SimTime) -> Option<Rewind> {
        let before_t = self.changes.partition_point(|c| c.at < t);
        let k = self.snapshots.iter().rposition(|s| s.sim.now() <= t && s.changes_before <= before_t)?;
        self.snapshots.truncate(k + 1);
        let snap = &self.snapshots[k];
        let later = self.changes.split_off(before_t);
        let replay = self.changes[snap.changes_before..].to_vec();
        self.next_due = self.grid_after(snap.sim.now());
        Some(Rewind { start: snap.sim.clone(), replay, later, to: t })
    }

    /// The span covered: from the first snapshot to the last one.
    pub fn span(&self) -> Option<(SimTime, SimTime)> {
        Some((self.snapshots.first()?.sim.now(), self.snapshots.last()?.sim.now()))
    }

    /// Times of the snapshots kept, oldest first.
    pub fn times(&self) -> impl Iterator<Item = SimTime> + '_ {
        self.snapshots.iter().map(|s| s.sim.now())
    }

    pub fn len(&self) -> usize {
        self.snapshots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.snapshots.is_empty()
    }

    /// The live changes recorded, in order.
    pub fn changes(&self) -> &[TimedChange] {
        &self.changes
    }

    /// Estimated bytes held now: the snapshots, the windows they hold
    /// (each counted once), the changes.
    pub fn bytes(&self) -> usize {
        // The list's room for more: a snapshot's struct is inline in it.
        let room = self.snapshots.capacity() - self.snapshots.len();
        self.snapshots.iter().map(|s| s.bytes).sum::<usize>()
            + room * std::mem::size_of::<Snapshot>()
            + self.window_bytes()
            + self.change_bytes()
    }

    /// The most [`bytes`](Self::bytes) held at once so far.
    pub fn peak_bytes(&self) -> usize {
        self.peak_bytes
    }

    pub fn budget_bytes(&self) -> usize {
        self.config.budget_bytes
    }

    /// The windows the snapshots hold, each once: the snapshots are of one
    /// line of the run, so a window number names one shared frame, and the
    /// union of their ranges is what they keep alive.
    fn window_bytes(&self) -> usize {
        let mut covered = 0;
        let mut reached = 0;
        for s in &self.snapshots {
            let (first, end) = s.windows;
            covered += end.saturating_sub(first.max(reached));
            reached = reached.max(end);
        }
        usize::try_from(covered).unwrap_or(usize::MAX).saturating_mul(self.frame_bytes)
    }

    fn change_bytes(&self) -> usize {
        // A node's new parameters hold a few small heap parts; 128 covers them.
        self.changes.len() * (std::mem::size_of::<TimedChange>() + 128)
    }

    fn grid_after(&self, t: SimTime) -> SimTime {
        SimTime((t.0 / self.every_ns + 1).saturating_mul(self.every_ns))
    }

    /// Takes a snapshot of `sim` now, thinning older ones first if it
    /// would not fit the budget.
    fn take(&mut self, sim: &Simulation) {
        let series = sim.series();
        let windows = (series.dropped, series.closed());
        let bytes = sim.approx_bytes();
        let reached = self.snapshots.last().map_or(windows.0, |s| s.windows.1);
        let new_windows = windows.1.saturating_sub(windows.0.max(reached));
        let added = bytes + usize::try_from(new_windows).unwrap_or(usize::MAX).saturating_mul(self.frame_bytes);
        while self.bytes() + added > self.config.budget_bytes && self.thin() {}
        self.snapshots.push(Snapshot { sim: sim.clone(), bytes, changes_before: self.changes.len(), windows });
        self.next_due = self.grid_after(sim.now());
        self.peak_bytes = self.peak_bytes.max(self.bytes());
    }

    /// Drops every other snapshot between the first and the newest
    /// `keep_recent`; when there are none to drop there, the oldest of the
    /// recent ones but the newest. Returns whether anything was dropped.
    fn thin(&mut self) -> bool {
        let n = self.snapshots.len();
        let older_end = n.saturating_sub(self.config.keep_recent);
        if older_end >= 2 {
            // Keep index 0 (the start) and every other one after it.
            let mut k = 0;
            self.snapshots.retain(|_| {
                let keep = k >= older_end || k % 2 == 0;
                k += 1;
                keep
            });
            return true;
        }
        if n > 1 {
            // Too few to thin: give up the oldest (after the start while
            // more than two are kept), so the newest always fits.
            self.snapshots.remove(usize::from(n > 2));
            return true;
        }
        if n == 1 {
            self.snapshots.clear();
            return true;
        }
        false
    }
}
