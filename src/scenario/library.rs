//! The scenarios shipped inside the binary, so the app and the command line
//! work with no file at hand.

use super::{Scenario, parse_scenario};

/// A scenario file compiled into the binary.
#[derive(Debug, Clone, Copy)]
pub struct BundledScenario {
    /// File name in `scenarios/`, e.g. `cache-in-front-of-db.ron`.
    pub file_name: &'static str,
    pub source: &'static str,
}

macro_rules! bundled_files {
    ($($name:literal),* $(,)?) => {
        &[$(BundledScenario { file_name: $name, source: include_str!(concat!("../../scenarios/", $name)) }),*]
    };
}

/// Every file in `scenarios/`, in the order a learner should meet them.
pub const BUNDLED: &[BundledScenario] = bundled_files![
    "single-server-saturation.ron",
    "load-balancer-three-replicas.ron",
    "cache-in-front-of-db.ron",
    "async-queue-absorbs-spike.ron",
    "slow-database-exhausts-workers.ron",
    "retry-storm.ron",
    "rate-limiter-protects-database.ron",
    "missing-index-at-production-size.ron",
    "hot-shard-under-zipf-keys.ron",
    "retries-at-every-layer.ron",
    "breaker-stops-a-cascade.ron",
    "bulkheads-isolate-a-slow-dependency.ron",
    "fan-out-tail-at-scale.ron",
    "hedged-requests-cut-the-tail.ron",
    "gc-pause-metastable.ron",
    "shedding-survives-a-spike.ron",
    "autoscaling-catches-a-spike.ron",
    "priority-keeps-checkout-alive.ron",
    "outlier-ejection-catches-a-bad-deploy.ron",
    "payments-charged-twice.ron",
    "saturated-link-json-or-protobuf.ron",
    "three-replicas-one-zone-or-three.ron",
    "active-passive-failover-across-regions.ron",
    "three-tier-web.ron",
    "over-provisioned-right-sized-autoscaled.ron",
    "monolith-or-microservices.ron",
    // Challenges, easy to hard: a design to change until it meets its goals.
    "challenge-serve-the-launch.ron",
    "challenge-cache-the-hot-reads.ron",
    "challenge-survive-a-replica-crash.ron",
    "challenge-contain-a-slow-dependency.ron",
    "challenge-flash-sale.ron",
    "challenge-stop-the-retry-storm.ron",
    "challenge-survive-a-zone-outage.ron",
    "challenge-shorten-20k-urls.ron",
];

impl BundledScenario {
    /// Parses the embedded source. The test suite proves every bundled file
    /// loads, so an error here means a broken build, reported not panicked.
    pub fn load(&self) -> Result<Scenario, super::LoadError> {
        parse_scenario(self.source, self.file_name)
    }
}

/// The bundled scenario with this file name (with or without `.ron`).
pub fn bundled(name: &str) -> Option<&'static BundledScenario> {
    BUNDLED.iter().find(|b| b.file_name == name || b.file_name.trim_end_matches(".ron") == name)
}

/// The scenario the app opens on first start: a small three-tier web system.
pub fn default_scenario() -> Scenario {
    bundled("three-tier-web").and_then(|b| b.load().ok()).unwrap_or_default()
}
