//! The scenarios shipped inside the binary, so the app and the command line
//! work with no file at hand.

use super::{Scenario, parse_scenario};

/// What a bundled scenario is about: the app's library and `archsim list`
/// show the scenarios under these headers, so a learner looking for, say,
/// a whole design to study finds them together rather than among forty
/// lessons in one list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// One idea at a time: saturation, replicas, a queue, a baseline.
    Basics,
    /// Caches, indexes, shards: where data lives and what reading it costs.
    CachingAndData,
    /// What breaks and the patterns that contain it.
    FailureAndResilience,
    /// Instances, autoscaling, bandwidth and what a design costs.
    CapacityAndCost,
    /// Whole systems as interviews and courses pose them: a URL shortener,
    /// a news feed, a chat, a CDN.
    ClassicDesigns,
    /// Designs to change until they meet their goals, easy to hard: each
    /// has a `challenge` section and is graded (the app's Challenge tab).
    Challenges,
}

impl Topic {
    /// The header the library shows above the topic's scenarios.
    pub fn label(self) -> &'static str {
        match self {
            Topic::Basics => "Basics",
            Topic::CachingAndData => "Caching & data",
            Topic::FailureAndResilience => "Failure & resilience",
            Topic::CapacityAndCost => "Capacity & cost",
            Topic::ClassicDesigns => "Classic designs",
            Topic::Challenges => "Challenges",
        }
    }
}

/// A scenario file compiled into the binary.
#[derive(Debug, Clone, Copy)]
pub struct BundledScenario {
    /// File name in `scenarios/`, e.g. `cache-in-front-of-db.ron`.
    pub file_name: &'static str,
    pub source: &'static str,
    /// The library section it is listed under.
    pub topic: Topic,
}

macro_rules! bundled_files {
    ($($topic:ident: [$($name:literal),* $(,)?]),* $(,)?) => {
        &[$($(BundledScenario {
            file_name: $name,
            source: include_str!(concat!("../../scenarios/", $name)),
            topic: Topic::$topic,
        }),*),*]
    };
}

/// Every file in `scenarios/`, by topic, and within a topic in the order a
/// learner should meet them. A topic's scenarios are listed together, so
/// the library can show a header wherever the topic changes.
pub const BUNDLED: &[BundledScenario] = bundled_files![
    Basics: [
        "single-server-saturation.ron",
        "load-balancer-three-replicas.ron",
        "async-queue-absorbs-spike.ron",
        "three-tier-web.ron",
    ],
    CachingAndData: [
        "cache-in-front-of-db.ron",
        "lesson-a-cache-in-five-cues.ron",
        "missing-index-at-production-size.ron",
        "hot-shard-under-zipf-keys.ron",
    ],
    FailureAndResilience: [
        "slow-database-exhausts-workers.ron",
        "retry-storm.ron",
        "rate-limiter-protects-database.ron",
        "retries-at-every-layer.ron",
        "breaker-stops-a-cascade.ron",
        "bulkheads-isolate-a-slow-dependency.ron",
        "hedged-requests-cut-the-tail.ron",
        "gc-pause-metastable.ron",
        "shedding-survives-a-spike.ron",
        "priority-keeps-checkout-alive.ron",
        "outlier-ejection-catches-a-bad-deploy.ron",
        "three-replicas-one-zone-or-three.ron",
        "active-passive-failover-across-regions.ron",
        "slo-burn-rate-alerts.ron",
    ],
    CapacityAndCost: [
        "autoscaling-catches-a-spike.ron",
        "saturated-link-json-or-protobuf.ron",
        "over-provisioned-right-sized-autoscaled.ron",
    ],
    ClassicDesigns: [
        "url-shortener.ron",
        "cdn-in-front-of-origin.ron",
        "rate-limited-public-api.ron",
        "chat-messaging.ron",
        "notification-system.ron",
        "news-feed-fan-out.ron",
        "video-upload-transcoding.ron",
        "ride-hailing-dispatch.ron",
        "flash-sale-checkout.ron",
        "payments-charged-twice.ron",
        "fan-out-tail-at-scale.ron",
        "monolith-or-microservices.ron",
    ],
    Challenges: [
        "challenge-serve-the-launch.ron",
        "challenge-cache-the-hot-reads.ron",
        "challenge-survive-a-replica-crash.ron",
        "challenge-contain-a-slow-dependency.ron",
        "challenge-flash-sale.ron",
        "challenge-stop-the-retry-storm.ron",
        "challenge-survive-a-zone-outage.ron",
        "challenge-shorten-20k-urls.ron",
    ],
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The library prints a header where the topic changes: a topic split
    /// in two would get two headers.
    #[test]
    fn each_topics_scenarios_are_listed_together() {
        let mut seen: Vec<Topic> = Vec::new();
        for file in BUNDLED {
            if seen.last() != Some(&file.topic) {
                assert!(!seen.contains(&file.topic), "{} is apart from the rest of {:?}", file.file_name, file.topic);
                seen.push(file.topic);
            }
        }
        assert_eq!(seen.len(), 6, "every topic has scenarios: {seen:?}");
    }
}
