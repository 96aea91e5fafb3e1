//! A service's instances beyond its first: identical stations behind the
//! node's own balancing, and the autoscaler that adds and removes them.
//!
//! Instance 0 is the service's own `station` and is always ready: a
//! service with one instance and no autoscaler has no fleet at all, so it
//! pays one `Option` check per arrival and per release for this. A call
//! remembers its instance in `Call::server` (a byte: at most
//! [`MAX_INSTANCES`](crate::scenario::limits::MAX_INSTANCES)).

use rand::RngExt;

use super::metrics::NodeMetrics;
use super::rng::SimRng;
use super::{CallId, SimTime, Station};
use crate::scenario::{AutoscaleSpec, InstanceBalancing};

/// Where an instance is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceState {
    /// Provisioning (a cold start): billed, serving nothing, out of balancing.
    Booting,
    /// In balancing, serving.
    Ready,
    /// Scaled in: out of balancing, finishing the work it holds, then it stops.
    Draining,
    /// Gone; the slot is reused by the next instance added.
    Stopped,
}

/// One instance beyond the first.
#[derive(Debug, Clone)]
pub struct Instance {
    pub station: Station,
    pub state: InstanceState,
    /// Bumped when a boot is cancelled, so its `InstanceReady` is ignored.
    pub generation: u16,
}

/// The instances of a service beyond its first, and how requests are
/// spread over all of them.
#[derive(Clone)]
pub struct Fleet {
    /// Instances 1, 2, … (instance 0 is the service's own station).
    pub extra: Vec<Instance>,
    pub balancing: InstanceBalancing,
    /// The round-robin cursor over all instances, 0 included.
    cursor: usize,
    /// The autoscaler, for a service that has one.
    pub autoscaler: Option<Autoscaler>,
}

/// How many instances of a service are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InstanceCounts {
    pub ready: u32,
    pub booting: u32,
    pub draining: u32,
}

impl InstanceCounts {
    /// Instances running, hence billed: booting and draining ones included.
    pub fn running(self) -> u32 {
        self.ready + self.booting + self.draining
    }
}

/// An autoscaler's settings and what it remembers between decisions.
#[derive(Clone)]
pub struct Autoscaler {
    pub spec: AutoscaleSpec,
    /// Bumped when the evaluation is rescheduled (a live change), so the
    /// old chain of evaluations stops.
    pub generation: u32,
    /// When instances were last added or removed.
    pub last_change: Option<SimTime>,
    /// The node's measurements at the last evaluation: the metric is the
    /// difference to now.
    pub last: Snapshot,
}

impl Autoscaler {
    pub fn new(spec: AutoscaleSpec) -> Autoscaler {
        Autoscaler { spec, generation: 0, last_change: None, last: Snapshot::default() }
    }
}

/// The cumulative measurements a decision needs, at one instant.
#[derive(Debug, Clone, Copy, Default)]
pub struct Snapshot {
    pub at: SimTime,
    pub busy_area: f64,
    pub pool_area: f64,
    pub queue_area: f64,
    pub ready_area: f64,
    pub arrivals: u64,
}

impl Snapshot {
    pub fn of(metrics: &NodeMetrics, now: SimTime) -> Snapshot {
        Snapshot {
            at: now,
            busy_area: metrics.busy.area_at(now),
            pool_area: metrics.pool.area_at(now),
            queue_area: metrics.queue.area_at(now),
            ready_area: metrics.ready.area_at(now),
            arrivals: metrics.counters.arrivals,
        }
    }
}

impl Fleet {
    pub fn new(balancing: InstanceBalancing, autoscale: Option<AutoscaleSpec>) -> Fleet {
        let autoscaler = autoscale.map(Autoscaler::new);
        Fleet { extra: Vec::new(), balancing, cursor: 0, autoscaler }
    }

    /// Instance `k`'s station (`first` is instance 0's).
    #[inline]
    pub fn station<'a>(&'a mut self, first: &'a mut Station, k: usize) -> Option<&'a mut Station> {
        if k == 0 { Some(first) } else { self.extra.get_mut(k - 1).map(|i| &mut i.station) }
    }

    fn is_ready(&self, k: usize) -> bool {
        k == 0 || self.extra.get(k - 1).is_some_and(|i| i.state == InstanceState::Ready)
    }

    pub fn counts(&self) -> InstanceCounts {
        let mut c = InstanceCounts { ready: 1, ..InstanceCounts::default() };
        for i in &self.extra {
            match i.state {
                InstanceState::Ready => c.ready += 1,
                InstanceState::Booting => c.booting += 1,
                InstanceState::Draining => c.draining += 1,
                InstanceState::Stopped => {}
            }
        }
        c
    }

    /// The stations that serve now (ready and draining), instance 0 first.
    pub fn serving<'a>(&'a self, first: &'a Station) -> impl Iterator<Item = &'a Station> + 'a {
        std::iter::once(first).chain(
            self.extra
                .iter()
                .filter(|i| matches!(i.state, InstanceState::Ready | InstanceState::Draining))
                .map(|i| &i.station),
        )
    }

    /// The ready instance that takes the next request.
    pub fn pick(&mut self, first: &Station, rng: &mut SimRng) -> usize {
        let slots = self.extra.len() + 1;
        match self.balancing {
            InstanceBalancing::RoundRobin => {
                for step in 0..slots {
                    let k = (self.cursor + step) % slots;
                    if self.is_ready(k) {
                        self.cursor = (k + 1) % slots;
                        return k;
                    }
                }
                0
            }
            InstanceBalancing::LeastConnections => {
                // Ties go to the first after the last pick, so equal
                // instances take turns.
                let load = |s: &Station| s.busy + s.queue_len();
                let mut best = (u32::MAX, 0);
                for step in 0..slots {
                    let k = (self.cursor + step) % slots;
                    if !self.is_ready(k) {
                        continue;
                    }
                    let l = if k == 0 { load(first) } else { load(&self.extra[k - 1].station) };
                    if l < best.0 {
                        best = (l, k);
                    }
                }
                self.cursor = (best.1 + 1) % slots;
                best.1
            }
            InstanceBalancing::Random => {
                let ready = self.counts().ready;
                let nth = rng.random_range(0..ready) as usize;
                (0..slots).filter(|&k| self.is_ready(k)).nth(nth).unwrap_or(0)
            }
        }
    }

    /// Frees a worker of instance `k`; returns the next call its worker
    /// takes. A draining instance left with nothing to do stops.
    #[inline(never)]
    pub fn release(
        &mut self,
        first: &mut Station,
        k: usize,
        now: SimTime,
        metrics: &mut NodeMetrics,
    ) -> Option<CallId> {
        if k == 0 {
            return first.release();
        }
        let instance = self.extra.get_mut(k - 1)?;
        let next = instance.station.release();
        if instance.state == InstanceState::Draining && instance.station.busy == 0 {
            stop(instance, now, metrics);
        }
        next
    }

    /// The next waiting call any serving instance has a free worker for
    /// (after the pool grew), with its instance.
    pub fn take_next(&mut self, first: &mut Station) -> Option<(CallId, usize)> {
        if let Some(c) = first.take_next() {
            return Some((c, 0));
        }
        self.extra.iter_mut().enumerate().find_map(|(k, i)| {
            matches!(i.state, InstanceState::Ready | InstanceState::Draining)
                .then(|| i.station.take_next().map(|c| (c, k + 1)))
                .flatten()
        })
    }

    /// Every station, whatever its state (a crash empties them all; a new
    /// pool size applies to all).
    pub fn all_stations<'a>(&'a mut self, first: &'a mut Station) -> impl Iterator<Item = &'a mut Station> + 'a {
        std::iter::once(first).chain(self.extra.iter_mut().map(|i| &mut i.station))
    }

    /// After a crash emptied every station: draining instances have
    /// nothing left to finish and stop.
    pub fn stop_drained(&mut self, now: SimTime, metrics: &mut NodeMetrics) {
        for i in &mut self.extra {
            if i.state == InstanceState::Draining && i.station.busy == 0 && i.station.queue_len() == 0 {
                stop(i, now, metrics);
            }
        }
    }
}

/// A drained instance stops: it no longer serves or costs.
fn stop(instance: &mut Instance, now: SimTime, metrics: &mut NodeMetrics) {
    if instance.station.queue_len() > 0 {
        return;
    }
    instance.state = InstanceState::Stopped;
    metrics.pool.add(now, -i64::from(instance.station.workers));
    metrics.billed.add(now, -1);
}
