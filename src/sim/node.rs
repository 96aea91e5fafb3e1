//! A node's run-time state: its component behaviour, health, and metrics.

use std::collections::HashMap;

use rand::RngExt;
use rand_distr::{Distribution as _, Zipf};

use super::call::RequestTag;
use super::fleet::{Fleet, InstanceCounts};
use super::health_check::LbHealth;
use super::idempotency::AppliedWrites;
use super::metrics::{Level, NodeMetrics};
use super::pause::Pauses;
use super::rng::SimRng;
use super::throttle::AdaptiveThrottle;
use super::{
    ArrivalProcess, Balancer, CacheStore, Distribution, RateLimiter, RetryBudgetState, SimTime, Station, TimeoutList,
};
use crate::scenario::{Priority, ProfileShape, RetryPolicy, WaitFor};

/// One node while the simulation runs.
#[derive(Clone)]
pub struct NodeRuntime {
    pub id: String,
    pub behaviour: Behaviour,
    /// Outgoing edges in file order (targets, calls, backing node).
    pub out_edges: Vec<u32>,
    pub rng: SimRng,
    pub health: Health,
    pub metrics: NodeMetrics,
    /// Admission control in front of the node's own behaviour; `None`
    /// (most nodes) costs one check per arrival.
    pub limiter: Option<RateLimiter>,
    /// Load shedding: a request that waited longer than this for a worker
    /// is dropped when its turn comes (`None`: never).
    pub shed_after_ns: Option<u64>,
    /// Deadline propagation: a request nobody waits for any more is
    /// dropped when a worker would start it.
    pub drop_expired: bool,
}

/// Crashes, slowdowns, injected errors and pauses in force at a node.
#[derive(Debug, Clone)]
pub struct Health {
    pub down: bool,
    pub down_since: SimTime,
    /// Bumped on every crash: calls from an older epoch were lost.
    pub epoch: u32,
    /// Product of the slowdown faults active from the timeline.
    pub timeline_slowdown: f64,
    /// Slowdown set by hand (the app's context menu).
    pub manual_slowdown: f64,
    /// Injected error probabilities active from the timeline.
    pub timeline_errors: Vec<f64>,
    /// Error probability set by hand.
    pub manual_error: f64,
    /// How many timeline crashes hold the node down now.
    pub crash_holds: u32,
    /// Stop-the-world pauses to come or in force (`Pause` faults): empty
    /// for almost every node, so work pays one check for them.
    pub pauses: Pauses,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            down: false,
            down_since: SimTime::ZERO,
            epoch: 0,
            timeline_slowdown: 1.0,
            manual_slowdown: 1.0,
            timeline_errors: Vec::new(),
            manual_error: 0.0,
            crash_holds: 0,
            pauses: Pauses::default(),
        }
    }
}

impl Health {
    /// The factor work takes longer by.
    #[inline]
    pub fn slowdown(&self) -> f64 {
        self.timeline_slowdown * self.manual_slowdown
    }

    /// Whether an injected error rate (the timeline's or one set by hand)
    /// is in force: an error answered now is the fault's doing, at least
    /// in part.
    #[inline]
    pub fn injects_errors(&self) -> bool {
        self.manual_error > 0.0 || !self.timeline_errors.is_empty()
    }

    /// The injected error probability in force, the timeline's and the
    /// one set by hand combined (0 = none).
    pub fn injected_error_probability(&self) -> f64 {
        self.error_probability(0.0)
    }

    /// The chance of an error on top of the node's own error probability,
    /// combined with it as independent events.
    #[inline]
    pub fn error_probability(&self, own: f64) -> f64 {
        let mut ok = (1.0 - own) * (1.0 - self.manual_error);
        for p in &self.timeline_errors {
            ok *= 1.0 - p;
        }
        1.0 - ok
    }
}

/// What the node does with a request.
#[expect(
    clippy::large_enum_variant,
    reason = "one per node, built once and never moved in the hot loop; boxing the client would add a pointer chase per arrival"
)]
#[derive(Clone)]
pub enum Behaviour {
    Client(ClientBehaviour),
    LoadBalancer {
        balancer: Balancer,
        /// Without active health checks: how long after a target dies the
        /// balancer stops sending to it.
        health_check_delay_ns: u64,
        /// Active health checks and outlier ejection (`None`: neither,
        /// the fixed delay above; one check per route and per answer).
        health: Option<Box<LbHealth>>,
    },
    Service {
        station: Station,
        service_time: Distribution,
        error_probability: f64,
        blocking_calls: bool,
        /// Calls made all at once, waiting for this many answers (`None`:
        /// one after another).
        fan_out: Option<WaitFor>,
        /// Instances beyond the first, with their balancing and autoscaler
        /// (`None`: one instance, `station`, and no autoscaling; one check
        /// per arrival and per release).
        fleet: Option<Box<Fleet>>,
    },
    Cache {
        store: CacheStore,
        lookup_time: Distribution,
    },
    /// A broker: the station's workers are the consumers and its line the messages.
    Queue {
        station: Station,
    },
    Database(DatabaseBehaviour),
}

/// A traffic source.
#[derive(Clone)]
pub struct ClientBehaviour {
    /// Open loop; `None` for closed loop.
    pub arrivals: Option<ArrivalProcess>,
    /// Closed loop: users and their think time.
    pub users: u32,
    pub think_time: Option<Distribution>,
    /// Bumped to invalidate a scheduled arrival when the rate changes.
    pub arrival_generation: u32,
    /// Spikes from outside the client's own profile: the fault timeline's
    /// and the spike button's. A live edit rebuilds the profile from the
    /// new spec plus these, so no spike is counted twice.
    pub outside_spikes: Vec<ProfileShape>,
    pub timeout_ns: Option<u64>,
    /// Attempts that may still time out.
    pub timeouts: TimeoutList,
    pub retry: Option<RetryPolicy>,
    /// The retry budget's recent history, when the policy has one.
    pub budget: Option<RetryBudgetState>,
    pub keys: Option<KeyGenerator>,
    pub write_fraction: f64,
    /// Its requests' tag but for their number: their class and whether
    /// they carry an idempotency key (built once, see [`Self::tag_request`]).
    pub tag: RequestTag,
    /// A mix of classes, each request drawing its own; `None` when all
    /// have the class in `tag`.
    pub class_mix: Option<Priority>,
    /// Adaptive throttling, when the client has it.
    pub throttle: Option<AdaptiveThrottle>,
}

impl ClientBehaviour {
    /// Its priority and idempotency settings, in the form requests carry.
    pub fn set_request_kind(&mut self, priority: Priority, idempotency_keys: bool) {
        self.tag = RequestTag::new(0, priority.class_for(0.0), idempotency_keys);
        self.class_mix = priority.is_mix().then_some(priority);
    }

    /// The tag of request number `id`: only a mix of classes draws from
    /// `rng` (so a client without one draws exactly as before).
    #[inline]
    pub fn tag_request(&self, id: u32, rng: &mut SimRng) -> RequestTag {
        match self.class_mix {
            None => self.tag.with_id(id),
            Some(mix) => RequestTag::new(id, mix.class_for(rng.random::<f64>()), self.tag.idempotent()),
        }
    }
}

/// Draws request keys by Zipf popularity: key 1 is the most popular.
#[derive(Debug, Clone)]
pub struct KeyGenerator {
    zipf: Option<Zipf<f64>>,
    keyspace: u64,
}

impl KeyGenerator {
    pub fn new(keyspace: u64, exponent: f64) -> KeyGenerator {
        let keyspace = keyspace.max(1);
        let zipf = (exponent > 0.0).then(|| Zipf::new(keyspace as f64, exponent).ok()).flatten();
        KeyGenerator { zipf, keyspace }
    }

    #[inline]
    pub fn draw(&self, rng: &mut SimRng) -> u32 {
        let key = match &self.zipf {
            Some(z) => z.sample(rng) as u64,
            None => rng.random_range(1..=self.keyspace),
        };
        // Validation keeps the keyspace within 32 bits.
        u32::try_from(key).unwrap_or(u32::MAX)
    }
}

/// A primary and its read replicas, once per shard.
#[derive(Clone)]
pub struct DatabaseBehaviour {
    /// Shard after shard, each its primary then its read replicas: shard
    /// `s`'s primary is `s × (1 + replicas)`. Unsharded, index 0 is the
    /// primary and the rest are read replicas.
    pub servers: Vec<Station>,
    /// Read replicas per shard (room for them: autoscaled, the most it
    /// may have, not all of them running).
    pub replicas: usize,
    pub query_time: Distribution,
    /// A write's own time, when it differs from a read's.
    pub write_time: Option<Distribution>,
    /// What the table adds to every query, ns: fixed by its size and its
    /// index, so computed once (0 without a table, an add that costs nothing).
    pub table_ns: u64,
    /// The shards' own counts, when there is more than one; `None` keeps an
    /// unsharded database at one `Option` check per arrival and release.
    pub shards: Option<Box<ShardCounts>>,
    pub error_probability: f64,
    pub replication_lag_ns: u64,
    pub next_replica: usize,
    /// When each key was last written, for the writes still replicating
    /// (pruned at every window's end).
    pub last_write: HashMap<u64, SimTime>,
    /// The requests whose writes it applied, when a write can arrive twice
    /// (a retry or a hedge somewhere in the scenario); `None` otherwise.
    pub applied_writes: Option<AppliedWrites>,
    /// The autoscaler of its read replicas, when it has one: `replicas`
    /// is then the most it may have, and some of them may be stopped.
    pub scaler: Option<Box<super::replica_scaling::ReplicaScaler>>,
}

/// Per shard: arrivals and connections busy over time, so the report can
/// show a hot shard the node's totals average away.
#[derive(Clone)]
pub struct ShardCounts {
    pub arrivals: Vec<u64>,
    pub busy: Vec<Level>,
    /// The counts at the end of the warm-up: arrivals and busy areas.
    pub total_start: Vec<(u64, f64)>,
    /// The next shard for a request without a key (they go round robin).
    pub next_keyless: usize,
}

impl ShardCounts {
    pub fn new(shards: usize) -> ShardCounts {
        ShardCounts {
            arrivals: vec![0; shards],
            busy: vec![Level::default(); shards],
            total_start: vec![(0, 0.0); shards],
            next_keyless: 0,
        }
    }

    /// The shard of `key`: a mixed hash (splitmix64's finaliser) modulo the
    /// shards, so neighbouring keys land on different shards as a real hash
    /// partitioning does; a request without a key (0) goes round robin.
    #[inline]
    pub fn shard_of(&mut self, key: u32) -> usize {
        let shards = self.arrivals.len().max(1);
        if key == 0 {
            self.next_keyless = (self.next_keyless + 1) % shards;
            return self.next_keyless;
        }
        let mut z = u64::from(key).wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z % shards as u64) as usize
    }
}

impl NodeRuntime {
    /// Workers in all, for utilisation; `None` for nodes without a pool.
    /// A service's: those of its serving instances (ready and draining).
    pub fn workers(&self) -> Option<u32> {
        match &self.behaviour {
            Behaviour::Service { station, fleet: Some(f), .. } => Some(f.serving(station).map(|s| s.workers).sum()),
            Behaviour::Service { station, .. } | Behaviour::Queue { station } => Some(station.workers),
            Behaviour::Database(db) => Some(db.serving().map(|s| s.workers).sum()),
            _ => None,
        }
    }

    /// Workers busy now.
    pub fn busy(&self) -> u32 {
        match &self.behaviour {
            Behaviour::Service { station, fleet: Some(f), .. } => f.serving(station).map(|s| s.busy).sum(),
            Behaviour::Service { station, .. } | Behaviour::Queue { station } => station.busy,
            Behaviour::Database(db) => db.serving().map(|s| s.busy).sum(),
            _ => 0,
        }
    }

    /// Requests waiting now (a queue: messages held).
    pub fn queue_len(&self) -> u32 {
        match &self.behaviour {
            Behaviour::Service { station, fleet: Some(f), .. } => f.serving(station).map(Station::queue_len).sum(),
            Behaviour::Service { station, .. } | Behaviour::Queue { station } => station.queue_len(),
            Behaviour::Database(db) => db.serving().map(Station::queue_len).sum(),
            _ => 0,
        }
    }

    /// Room in the waiting line, `None` = unbounded or no line.
    pub fn queue_capacity(&self) -> Option<u32> {
        match &self.behaviour {
            Behaviour::Service { station, fleet: Some(f), .. } => f.serving(station).map(|s| s.capacity).sum(),
            Behaviour::Service { station, .. } | Behaviour::Queue { station } => station.capacity,
            Behaviour::Database(db) => db.serving().map(|s| s.capacity).sum(),
            _ => None,
        }
    }

    /// A service's instances by state; an autoscaled database's servers
    /// (every shard's primary and replicas); `None` for other nodes.
    pub fn instance_counts(&self) -> Option<InstanceCounts> {
        match &self.behaviour {
            Behaviour::Service { fleet: Some(f), .. } => Some(f.counts()),
            Behaviour::Service { .. } => Some(InstanceCounts { ready: 1, ..InstanceCounts::default() }),
            Behaviour::Database(db) => db.server_counts(),
            _ => None,
        }
    }
}
