//! What a design costs to run, in the vocabulary of cloud bills: a price
//! per instance-hour for each kind of component, per million requests
//! where a component is billed by use, and per GB of internet egress.
//!
//! The defaults are **illustrative**: the order of magnitude of on-demand
//! cloud prices, not any vendor's list price. A file sets its own.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The prices a scenario's cost is reckoned with, US dollars.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Pricing {
    /// Per hour of each instance of a service (a small virtual machine).
    pub service_per_hour: f64,
    /// Per hour of each database server: the primary and each read replica.
    pub database_per_hour: f64,
    /// Per hour of a cache node.
    pub cache_per_hour: f64,
    /// Per hour of a queue's broker (0 for a managed queue billed per
    /// message only).
    pub queue_per_hour: f64,
    /// Per hour of a load balancer.
    pub load_balancer_per_hour: f64,
    /// Per million requests a service handles: serverless-style billing
    /// (then set `service_per_hour` to 0). 0 for instance billing.
    pub service_per_million_requests: f64,
    /// Per million messages a queue takes in, as a managed queue bills.
    pub queue_per_million_messages: f64,
    /// Per GB (10⁹ bytes) of answers sent to clients over the internet
    /// (`response_kb` on a client's edge); traffic inside the design is
    /// free, as within one zone.
    pub internet_egress_per_gb: f64,
    /// Per GB sent between availability zones of one region, requests and
    /// answers alike (what a bill charges as both sides' transfer).
    pub cross_zone_per_gb: f64,
    /// Per GB sent between regions.
    pub cross_region_per_gb: f64,
    /// A price per instance-hour for particular nodes, by id, in place of
    /// their kind's: the big database, the GPU service.
    pub per_hour_of: BTreeMap<String, f64>,
}

impl Default for Pricing {
    fn default() -> Self {
        Self {
            service_per_hour: 0.10,
            database_per_hour: 0.50,
            cache_per_hour: 0.20,
            queue_per_hour: 0.0,
            load_balancer_per_hour: 0.025,
            service_per_million_requests: 0.0,
            queue_per_million_messages: 0.40,
            internet_egress_per_gb: 0.09,
            cross_zone_per_gb: 0.02,
            cross_region_per_gb: 0.02,
            per_hour_of: BTreeMap::new(),
        }
    }
}

impl Pricing {
    /// The prices by name, for validation.
    pub fn prices(&self) -> [(&'static str, f64); 10] {
        [
            ("service_per_hour", self.service_per_hour),
            ("database_per_hour", self.database_per_hour),
            ("cache_per_hour", self.cache_per_hour),
            ("queue_per_hour", self.queue_per_hour),
            ("load_balancer_per_hour", self.load_balancer_per_hour),
            ("service_per_million_requests", self.service_per_million_requests),
            ("queue_per_million_messages", self.queue_per_million_messages),
            ("internet_egress_per_gb", self.internet_egress_per_gb),
            ("cross_zone_per_gb", self.cross_zone_per_gb),
            ("cross_region_per_gb", self.cross_region_per_gb),
        ]
    }
}
