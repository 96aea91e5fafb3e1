//! A database's read replicas added and removed by an autoscaler, as a
//! managed database's replica autoscaling does (Aurora's: a target on the
//! replicas' average load, a cooldown each way).
//!
//! - **Slots.** The database holds room for its most replicas from the
//!   start: every shard has `max` replica servers, slot `k` being replica
//!   `k` of every shard. Slots scale together, so every shard always has
//!   the same number of replicas (a managed database adds a replica to a
//!   cluster, not to one key range). A slot is booting, ready, draining or
//!   stopped, as a service's instance is (`fleet.rs`).
//! - **The metric** is the replicas' own: their busy connections over
//!   their connections (`Utilisation`), or reads per replica server
//!   (`RequestsPerInstance`). The primary's writes are not in it: adding a
//!   replica does nothing for them. The decision is the service
//!   autoscaler's ([`super::scaling::decide`]).
//! - **Reads** go round robin over the ready slots; with none ready (all
//!   booting), to the primary, as a database without replicas reads.
//! - **Counts over time**: the node's `ready`, `booting` and `billed`
//!   levels count *servers* (every shard's primary and replicas), so the
//!   cost follows the servers running and the CSV's instance columns say
//!   how many served; its `pool` counts the connections serving, so its
//!   utilisation is over the pool as it was.
//!
//! A database without `autoscale` has no scaler: its reads pay one `Option`
//! check for this, its fixed replicas are all ready from the start.

use super::fleet::{Autoscaler, InstanceCounts, InstanceState, Snapshot};
use super::metrics::{Level, NodeMetrics};
use super::node::{Behaviour, DatabaseBehaviour, NodeRuntime};
use super::time::secs_to_nanos;
use super::{CallId, Event, SimEventKind, SimTime, Simulation, Station};
use crate::scenario::{AutoscaleSpec, ScaleTarget};

/// One replica slot: its state in every shard, and its boot's generation.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    pub state: InstanceState,
    /// Bumped when a boot is cancelled, so its ready event is ignored.
    pub generation: u16,
}

/// A database's autoscaled read replicas.
#[derive(Clone)]
pub struct ReplicaScaler {
    pub autoscaler: Autoscaler,
    /// The replica count the file starts with (`read_replicas`): a live
    /// edit of it needs a reset.
    pub start: u32,
    pub slots: Vec<Slot>,
    /// The next slot round robin tries first.
    cursor: usize,
    /// The replicas' own load, over all shards: busy connections,
    /// connections serving, and ready slots (per shard).
    pub busy: Level,
    pub pool: Level,
    pub ready: Level,
    /// Reads sent to replicas so far.
    pub reads: u64,
}

impl ReplicaScaler {
    /// `start` ready replicas of `slots` per shard.
    pub fn new(spec: AutoscaleSpec, start: u32, slots: usize) -> ReplicaScaler {
        let slots = (0..slots)
            .map(|k| Slot {
                state: if k < start as usize { InstanceState::Ready } else { InstanceState::Stopped },
                generation: 0,
            })
            .collect();
        ReplicaScaler {
            autoscaler: Autoscaler::new(spec),
            start,
            slots,
            cursor: 0,
            busy: Level::default(),
            pool: Level::default(),
            ready: Level::default(),
            reads: 0,
        }
    }

    /// Slots in each state (per shard: one slot is one replica in each).
    pub fn counts(&self) -> InstanceCounts {
        let mut c = InstanceCounts::default();
        for s in &self.slots {
            match s.state {
                InstanceState::Ready => c.ready += 1,
                InstanceState::Booting => c.booting += 1,
                InstanceState::Draining => c.draining += 1,
                InstanceState::Stopped => {}
            }
        }
        c
    }

    /// The ready slot the next read goes to, round robin; `None` when no
    /// replica is ready (the read goes to the primary).
    #[inline]
    pub fn pick(&mut self) -> Option<usize> {
        let n = self.slots.len();
        for step in 0..n {
            let k = (self.cursor + step) % n;
            if self.slots[k].state == InstanceState::Ready {
                self.cursor = (k + 1) % n;
                self.reads += 1;
                return Some(k);
            }
        }
        None
    }

    /// What the autoscaler measures now.
    pub(super) fn snapshot(&self, now: SimTime) -> Snapshot {
        Snapshot {
            at: now,
            busy_area: self.busy.area_at(now),
            pool_area: self.pool.area_at(now),
            queue_area: 0.0,
            ready_area: self.ready.area_at(now),
            arrivals: self.reads,
        }
    }
}

impl DatabaseBehaviour {
    /// Shards of this database (1 unsharded).
    pub fn shard_count(&self) -> usize {
        self.servers.len() / (self.replicas + 1)
    }

    /// Which replica slot server `server` is, `None` for a primary.
    #[inline]
    pub fn replica_slot(&self, server: usize) -> Option<usize> {
        (server % (self.replicas + 1)).checked_sub(1)
    }

    /// Whether server `server` serves now: a primary always; a replica
    /// unless autoscaling stopped it or it is still booting.
    pub fn is_serving(&self, server: usize) -> bool {
        match (&self.scaler, self.replica_slot(server)) {
            (Some(sc), Some(k)) => {
                sc.slots.get(k).is_some_and(|s| matches!(s.state, InstanceState::Ready | InstanceState::Draining))
            }
            _ => true,
        }
    }

    /// The servers that serve now.
    pub fn serving(&self) -> impl Iterator<Item = &Station> + '_ {
        self.servers.iter().enumerate().filter(|&(k, _)| self.is_serving(k)).map(|(_, s)| s)
    }

    /// Servers in each state, every shard's primary counted ready; `None`
    /// without autoscaling.
    pub fn server_counts(&self) -> Option<InstanceCounts> {
        let sc = self.scaler.as_ref()?;
        let c = sc.counts();
        let shards = u32::try_from(self.shard_count()).unwrap_or(u32::MAX);
        Some(InstanceCounts {
            ready: (c.ready + 1) * shards,
            booting: c.booting * shards,
            draining: c.draining * shards,
        })
    }

    /// Frees a connection of server `server`; returns the next call it
    /// takes. A draining replica left with nothing to do in any shard stops.
    #[inline]
    pub fn release(&mut self, server: usize, now: SimTime, metrics: &mut NodeMetrics) -> Option<CallId> {
        let next = self.servers.get_mut(server)?.release();
        if next.is_none() && self.scaler.is_some() {
            self.stop_if_drained(server, now, metrics);
        }
        next
    }

    /// Stops `server`'s slot if it drains and every shard's copy is idle.
    #[inline(never)]
    fn stop_if_drained(&mut self, server: usize, now: SimTime, metrics: &mut NodeMetrics) {
        let Some(k) = self.replica_slot(server) else { return };
        let per_shard = self.replicas + 1;
        let idle = self.servers.iter().skip(k + 1).step_by(per_shard).all(|s| s.busy == 0 && s.queue_len() == 0);
        let shards = self.shard_count();
        let connections = i64::from(self.servers.first().map_or(0, |s| s.workers));
        let Some(sc) = self.scaler.as_mut() else { return };
        let Some(slot) = sc.slots.get_mut(k) else { return };
        if slot.state != InstanceState::Draining || !idle {
            return;
        }
        slot.state = InstanceState::Stopped;
        let servers = shards as i64;
        sc.pool.add(now, -servers * connections);
        metrics.pool.add(now, -servers * connections);
        metrics.billed.add(now, -servers);
    }

    /// After a live edit of `connections`: an autoscaled database's pools
    /// (the node's and its replicas') are its serving servers' connections.
    pub fn resize_pools(&mut self, now: SimTime, metrics: &mut NodeMetrics) {
        if self.scaler.is_none() {
            return;
        }
        let all: u32 = self.serving().map(|s| s.workers).sum();
        let replicas: u32 = self
            .servers
            .iter()
            .enumerate()
            .filter(|&(k, _)| self.replica_slot(k).is_some() && self.is_serving(k))
            .map(|(_, s)| s.workers)
            .sum();
        metrics.pool.set(now, i64::from(all));
        if let Some(sc) = self.scaler.as_mut() {
            sc.pool.set(now, i64::from(replicas));
        }
    }

    /// After a crash emptied every server: draining replicas stop.
    pub fn stop_drained(&mut self, now: SimTime, metrics: &mut NodeMetrics) {
        let Some(sc) = self.scaler.as_mut() else { return };
        sc.busy.set(now, 0);
        let slots = sc.slots.len();
        // Slot k's copy in the first shard is server k + 1.
        for k in 0..slots {
            self.stop_if_drained(k + 1, now, metrics);
        }
    }
}

/// An autoscaled database's levels at the start: its ready replicas and
/// primaries serving and billed.
pub(super) fn start_replica_metrics(n: &mut NodeRuntime) {
    let Behaviour::Database(db) = &mut n.behaviour else { return };
    let Some(counts) = db.server_counts() else { return };
    let connections = i64::from(db.servers.first().map_or(0, |s| s.workers));
    let shards = db.shard_count() as i64;
    let Some(sc) = db.scaler.as_mut() else { return };
    let ready_slots = i64::from(sc.counts().ready);
    sc.pool.set(SimTime::ZERO, ready_slots * shards * connections);
    sc.ready.set(SimTime::ZERO, ready_slots);
    let m = &mut n.metrics;
    m.instanced = true;
    m.scaled = true;
    m.pool.set(SimTime::ZERO, i64::from(counts.ready) * connections);
    m.ready.set(SimTime::ZERO, i64::from(counts.ready));
    m.billed.set(SimTime::ZERO, i64::from(counts.running()));
}

impl Simulation {
    /// An autoscaled database's decision: the replicas' metric over the
    /// last interval against the target, within the cooldowns.
    #[inline(never)]
    pub(super) fn on_autoscale_replicas(&mut self, node: u32, generation: u32) {
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        let Behaviour::Database(db) = &mut n.behaviour else { return };
        let shards = db.shard_count() as f64;
        let Some(sc) = db.scaler.as_mut() else { return };
        if sc.autoscaler.generation != generation {
            return;
        }
        let counts = sc.counts();
        let current = sc.snapshot(now);
        let last = std::mem::replace(&mut sc.autoscaler.last, current);
        let span_ns = current.at.since(last.at) as f64;
        let ready = if span_ns > 0.0 { (current.ready_area - last.ready_area) / span_ns } else { 0.0 };
        let ready = if ready > 0.0 { ready } else { f64::from(counts.ready) };
        let value = match sc.autoscaler.spec.target {
            ScaleTarget::Utilisation(_) => {
                let pool = current.pool_area - last.pool_area;
                if pool > 0.0 { (current.busy_area - last.busy_area) / pool } else { 0.0 }
            }
            // Reads per replica server: a slot is one replica in each shard.
            ScaleTarget::RequestsPerInstance(_) if span_ns > 0.0 => {
                (current.arrivals - last.arrivals) as f64 / (span_ns / 1e9) / (ready * shards)
            }
            _ => 0.0,
        };
        let spec = sc.autoscaler.spec;
        let wanted = counts.ready + counts.booting;
        let desired = super::scaling::desired_count(&spec, value, ready, wanted);
        if super::scaling::cooldown_allows(&sc.autoscaler, now, desired, wanted) {
            sc.autoscaler.last_change = Some(now);
            self.scale_replicas_to(node as usize, desired, secs_to_nanos(spec.cold_start_s), spec.target, value);
        }
        let interval = secs_to_nanos(spec.interval_s).max(1);
        self.schedule(now.after(interval), Event::Autoscale { node, generation });
    }

    /// Makes database `node` have `desired` ready and booting replicas per
    /// shard, as `scale_to` does for a service's instances: draining ones
    /// are taken back first, then stopped slots boot; booting ones are
    /// cancelled first, then the ready ones with the least work drain.
    fn scale_replicas_to(&mut self, node: usize, desired: u32, cold_start_ns: u64, target: ScaleTarget, value: f64) {
        let now = self.now;
        let n = &mut self.nodes[node];
        let Behaviour::Database(db) = &mut n.behaviour else { return };
        let shards = db.shard_count();
        let per_shard = db.replicas + 1;
        let connections = i64::from(db.servers.first().map_or(0, |s| s.workers));
        let servers = shards as i64;
        // Work in hand per slot, over its shards.
        let load: Vec<u32> = (0..db.replicas)
            .map(|k| db.servers.iter().skip(k + 1).step_by(per_shard).map(|s| s.busy + s.queue_len()).sum())
            .collect();
        let idle: Vec<bool> = (0..db.replicas)
            .map(|k| db.servers.iter().skip(k + 1).step_by(per_shard).all(|s| s.busy == 0 && s.queue_len() == 0))
            .collect();
        let Some(sc) = db.scaler.as_mut() else { return };
        let before = sc.counts();
        let wanted = before.ready + before.booting;
        let m = &mut n.metrics;
        let mut boots: Vec<(u16, u16)> = Vec::new();
        if desired > wanted {
            let mut more = desired - wanted;
            for s in sc.slots.iter_mut().filter(|s| s.state == InstanceState::Draining) {
                if more == 0 {
                    break;
                }
                s.state = InstanceState::Ready;
                sc.ready.add(now, 1);
                m.ready.add(now, servers);
                more -= 1;
            }
            for (k, s) in sc.slots.iter_mut().enumerate().filter(|(_, s)| s.state == InstanceState::Stopped) {
                if more == 0 {
                    break;
                }
                m.billed.add(now, servers);
                if cold_start_ns == 0 {
                    s.state = InstanceState::Ready;
                    sc.ready.add(now, 1);
                    sc.pool.add(now, servers * connections);
                    m.ready.add(now, servers);
                    m.pool.add(now, servers * connections);
                } else {
                    s.state = InstanceState::Booting;
                    s.generation = s.generation.wrapping_add(1);
                    m.booting.add(now, servers);
                    boots.push((u16::try_from(k + 1).unwrap_or(u16::MAX), s.generation));
                }
                more -= 1;
            }
        } else {
            let mut fewer = wanted - desired;
            for s in sc.slots.iter_mut().rev().filter(|s| s.state == InstanceState::Booting) {
                if fewer == 0 {
                    break;
                }
                s.state = InstanceState::Stopped;
                m.booting.add(now, -servers);
                m.billed.add(now, -servers);
                fewer -= 1;
            }
            while fewer > 0 {
                let least_loaded = sc
                    .slots
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.state == InstanceState::Ready)
                    .min_by_key(|&(k, _)| (load[k], std::cmp::Reverse(k)))
                    .map(|(k, _)| k);
                let Some(k) = least_loaded else { break };
                sc.ready.add(now, -1);
                m.ready.add(now, -servers);
                if idle[k] {
                    sc.slots[k].state = InstanceState::Stopped;
                    sc.pool.add(now, -servers * connections);
                    m.pool.add(now, -servers * connections);
                    m.billed.add(now, -servers);
                } else {
                    sc.slots[k].state = InstanceState::Draining;
                }
                fewer -= 1;
            }
        }
        let after = sc.counts();
        let id = n.id.clone();
        for (instance, generation) in boots {
            self.schedule(now.after(cold_start_ns), Event::InstanceReady { node: node as u32, instance, generation });
        }
        let (from, to) = (before.ready + before.booting, after.ready + after.booting);
        if from == to {
            return;
        }
        let why = super::scaling::metric_against_target(target, value, to > from, ("reads", "replica"));
        let booting = if after.booting > 0 { format!(", {} booting", after.booting) } else { String::new() };
        let per_shard_note = if shards > 1 { " per shard" } else { "" };
        let kind = if to > from { SimEventKind::ScaledOut } else { SimEventKind::ScaledIn };
        self.log_event(
            Some(node as u32),
            kind,
            format!("{id}: {from} → {to} read replicas{per_shard_note} (replica {why}){booting}"),
        );
    }

    /// A booting replica slot is ready: it joins the reads' rotation.
    #[inline(never)]
    pub(super) fn on_replica_ready(&mut self, node: u32, slot: u16, generation: u16) {
        let now = self.now;
        let n = &mut self.nodes[node as usize];
        let Behaviour::Database(db) = &mut n.behaviour else { return };
        let servers = db.shard_count() as i64;
        let connections = i64::from(db.servers.first().map_or(0, |s| s.workers));
        let Some(sc) = db.scaler.as_mut() else { return };
        let Some(s) = sc.slots.get_mut(usize::from(slot).wrapping_sub(1)) else { return };
        if s.state != InstanceState::Booting || s.generation != generation {
            return; // its boot was cancelled by a scale-in
        }
        s.state = InstanceState::Ready;
        sc.ready.add(now, 1);
        sc.pool.add(now, servers * connections);
        let m = &mut n.metrics;
        m.booting.add(now, -servers);
        m.ready.add(now, servers);
        m.pool.add(now, servers * connections);
        let counts = sc.counts();
        let id = n.id.clone();
        let booting = if counts.booting > 0 { format!(", {} booting", counts.booting) } else { String::new() };
        self.log_event(
            Some(node),
            SimEventKind::InstanceReady,
            format!("{id}: a read replica is ready, {} serving reads{booting}", counts.ready),
        );
    }
}
