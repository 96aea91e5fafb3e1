//! The largest (and smallest) values validation accepts.
//!
//! Each bound keeps a scenario inside what the engine can simulate in
//! bounded memory and with time that moves forward; none of them is close
//! to what a realistic design needs. The messages and
//! `docs/scenario-format.md` quote them, so a learner who hits one knows
//! why it is there.

/// Highest base arrival rate of one client, requests/s. Above it, the gap
/// between two arrivals falls below what a double can add to the clock.
pub const MAX_RATE_RPS: f64 = 10_000_000.0;

/// Largest factor of a traffic-profile shape, a spike or a slowdown.
pub const MAX_FACTOR: f64 = 10_000.0;

/// Largest duration written in milliseconds (distribution parameters,
/// timeouts, backoffs, replication lag): about 11.6 days.
pub const MAX_MS: f64 = 1e9;

/// Largest time written in seconds (run length, fault times): about 31.7
/// years, far beyond any run, small enough to stay exact in nanoseconds.
pub const MAX_SECONDS: f64 = 1e9;

/// Shortest time-series window, seconds.
pub const MIN_WINDOW_S: f64 = 0.001;

/// Shortest mean time between failures or to repair, seconds: a shorter one
/// would crash and restore a node without time passing.
pub const MIN_RANDOM_CRASH_MEAN_S: f64 = 0.001;

/// Shortest mean think time of closed-loop users, ms. Durations are whole
/// nanoseconds, so a shorter think time rounds to none, and users whose
/// requests take no time would then ask again without the clock moving.
pub const MIN_THINK_MS: f64 = 0.001;

/// Most closed-loop users of one client (each is scheduled at the start).
pub const MAX_USERS: u32 = 1_000_000;

/// Most attempts a retry policy may make for one request.
pub const MAX_RETRY_ATTEMPTS: u32 = 100;

/// Largest retry-budget ratio: ten retries per request is already
/// `max_attempts` territory; a budget above it never limits anything.
pub const MAX_RETRY_BUDGET_RATIO: f64 = 10.0;

/// Largest `k` of adaptive throttling: a client that still sends a
/// hundred requests per accepted one is not throttling.
pub const MAX_THROTTLE_K: f64 = 100.0;

/// Longest window of adaptive throttling, seconds: the client keeps a
/// count per second of it.
pub const MAX_THROTTLE_WINDOW_S: f64 = 3_600.0;

/// Most keys an LRU cache may hold: the cache's table is sized up front.
pub const MAX_CACHE_KEYS: u64 = 10_000_000;

/// Largest token bucket of a rate limiter, requests: a second of the
/// highest rate a client may send. A bigger bucket would never empty in a
/// run, and a limiter that never limits is better left out.
pub const MAX_BURST: u32 = 10_000_000;

/// The largest bulkhead (`max_concurrent` on an edge): far above any pool.
pub const MAX_CONCURRENT_CALLS: u32 = 10_000_000;

/// Largest circuit-breaker window by calls: the window keeps a bit per
/// call (1.25 KB at this size per edge). Resilience4j's default is 100.
pub const MAX_BREAKER_WINDOW_CALLS: u32 = 10_000;

/// Largest circuit-breaker window by time, seconds: the window keeps two
/// counts per second.
pub const MAX_BREAKER_WINDOW_S: u32 = 600;

/// Most probes a half-open breaker lets through.
pub const MAX_BREAKER_PROBES: u32 = 10_000;

/// Most read replicas of one database.
pub const MAX_READ_REPLICAS: u32 = 64;

/// Most shards of one database.
pub const MAX_SHARDS: u32 = 64;

/// Most servers of one database, shards times (1 + read replicas): a
/// request remembers its server in a byte.
pub const MAX_DATABASE_SERVERS: u32 = 256;

/// Largest table, rows (a trillion): far beyond one database's table, small
/// enough that a scan's cost stays a finite number of nanoseconds.
pub const MAX_TABLE_ROWS: u64 = 1_000_000_000_000;

/// Largest time to scan one row, µs (a millisecond a row is already a
/// remote call per row).
pub const MAX_ROW_SCAN_US: f64 = 1_000.0;

/// Most instances of one service (running, booting and draining
/// together): each is its own queueing station, and a request remembers
/// its instance in a byte. A fleet larger than this is better drawn as
/// fewer, bigger instances (more `workers` each).
pub const MAX_INSTANCES: u32 = 255;

/// Shortest autoscaling interval, seconds: a decision is an event per
/// interval, and real autoscalers decide every 15 s (Kubernetes) to a
/// minute (cloud groups).
pub const MIN_SCALE_INTERVAL_S: f64 = 0.1;

/// Most targets of one load balancer.
pub const MAX_LB_TARGETS: usize = 255;

/// Shortest health-check interval, seconds: a probe of every target every
/// interval is two events per target, so a shorter one would spend the run
/// on probes. Real balancers probe every few seconds (AWS: 5 s at least).
pub const MIN_HEALTH_CHECK_INTERVAL_S: f64 = 0.01;

/// Most probes in a row a health-check threshold may ask for (AWS allows
/// 2–10): a target would need longer than any run to change state.
pub const MAX_HEALTH_CHECK_THRESHOLD: u32 = 100;

/// Most failures in a row outlier ejection may wait for before it ejects.
pub const MAX_OUTLIER_CONSECUTIVE_FAILURES: u32 = 1_000_000;

/// Largest Zipf exponent: beyond a few, every request has the same key.
pub const MAX_ZIPF_EXPONENT: f64 = 10.0;

/// Largest load-balancer weight of an edge.
pub const MAX_WEIGHT: f64 = 1e9;

/// Most nodes of one scenario. Each node keeps its own measurements: about
/// 21 KB once built, about 290 KB (up to twice that while its array grows)
/// when its latencies span nanoseconds to an hour, and one row of every
/// time-series window. At this
/// many nodes a run stays within a few hundred megabytes (measured in
/// `tests/integration/memory.rs`, stated in `docs/scenario-format.md`); a design a
/// learner draws has tens.
pub const MAX_NODES: usize = 1_000;

/// Most edges of one scenario (each has its counters, its random stream
/// and one entry in every time-series window).
pub const MAX_EDGES: usize = 10_000;

/// Largest payload on a link, KB (10 GB): bigger than any one message.
pub const MAX_PAYLOAD_KB: f64 = 10_000_000.0;

/// Fastest link, Mbit/s (1 Tbit/s), and the slowest (1 kbit/s).
pub const MAX_BANDWIDTH_MBPS: f64 = 1_000_000.0;
pub const MIN_BANDWIDTH_MBPS: f64 = 0.001;

/// Highest price in `pricing`, dollars (per hour, per million, per GB).
pub const MAX_PRICE_USD: f64 = 1_000_000.0;

/// Most regions a scenario may declare, and most zones in all of them:
/// far beyond any cloud, small enough that a list of them stays short.
pub const MAX_REGIONS: usize = 100;
pub const MAX_ZONES: usize = 1_000;
