//! A change made to a running simulation from outside its scenario — the
//! app's knobs, fault menu and spike button — as a value, so it can be
//! recorded with its simulated time and replayed exactly (`snapshot.rs`).
//!
//! A change goes in only once every event due at the current time has run
//! ([`Simulation::apply_live`] settles the clock first). A run may have been
//! cut in the middle of an instant (a bounded slice stops after a number of
//! events, not at a time), so without that the same change at the same time
//! could land between different events; settled, "at time `t`" is enough to
//! place it: a replay runs to `t` and applies it, and the events that follow
//! are the original's.

use super::{LiveUpdate, SimTime, Simulation};
use crate::scenario::{EdgeSpec, NodeKind};

/// One change to a running simulation. Node and edge indices are positions
/// in the simulation's scenario.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveChange {
    /// New parameters for a node ([`Simulation::update_node`]).
    Node {
        index: usize,
        kind: NodeKind,
    },
    /// New parameters for an edge ([`Simulation::update_edge`]).
    Edge {
        index: usize,
        edge: EdgeSpec,
    },
    Crash(usize),
    Restore(usize),
    /// Work at the node takes `factor` times longer (1 = normal).
    Slowdown {
        node: usize,
        factor: f64,
    },
    /// Extra chance of failing each request at the node (0 = off).
    ErrorInjection {
        node: usize,
        probability: f64,
    },
    FlushCache(usize),
    /// A client's rate times `factor` for `secs` from now.
    Spike {
        client: usize,
        factor: f64,
        secs: f64,
    },
    /// A client's rate times `factor` from now on.
    RateMultiplier {
        client: usize,
        factor: f64,
    },
    /// Cuts (or heals) an edge.
    Partition {
        edge: usize,
        cut: bool,
    },
}

/// A change as it happened: when, in simulated time.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedChange {
    pub at: SimTime,
    pub change: LiveChange,
}

impl Simulation {
    /// Runs every event still due at the current time, so that nothing
    /// that happens "now" is left to run after a change made now.
    pub fn settle(&mut self) {
        self.run_until(self.now());
    }

    /// Applies `change` at the current time, after settling the clock (see
    /// the module's doc). Parameter changes answer as
    /// [`update_node`](Self::update_node) does; the others always apply.
    pub fn apply_live(&mut self, change: &LiveChange) -> LiveUpdate {
        self.settle();
        match *change {
            LiveChange::Node { index, ref kind } => return self.update_node(index, kind),
            LiveChange::Edge { index, ref edge } => return self.update_edge(index, edge),
            LiveChange::Crash(i) => self.crash_node(i),
            LiveChange::Restore(i) => self.restore_node(i),
            LiveChange::Slowdown { node, factor } => self.set_slowdown(node, factor),
            LiveChange::ErrorInjection { node, probability } => self.set_error_injection(node, probability),
            LiveChange::FlushCache(i) => self.flush_cache(i),
            LiveChange::Spike { client, factor, secs } => self.spike(client, factor, secs),
            LiveChange::RateMultiplier { client, factor } => self.set_rate_multiplier(client, factor),
            LiveChange::Partition { edge, cut } => self.set_partition(edge, cut),
        }
        LiveUpdate::Applied
    }

    /// Runs to `until`, applying each of `changes` (in time order) at its
    /// time on the way: a replay of what a user did to the original run.
    /// Changes after `until` are left out.
    pub fn replay_until<'a>(&mut self, until: SimTime, changes: impl IntoIterator<Item = &'a TimedChange>) {
        for c in changes {
            if c.at > until {
                break;
            }
            self.run_until(c.at);
            // Deterministic: a change that was applied to the original at
            // this state is applied again; one that was refused is refused.
            let _ = self.apply_live(&c.change);
        }
        self.run_until(until);
    }
}
