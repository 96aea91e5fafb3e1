//! The latency-vs-load knee with theory's curve beside it.
//!
//! A sweep of a client's offered load (or the load ramp) draws throughput,
//! p50/p99 and utilisation against the offered load. Where a closed form
//! exists, theory's curve goes on the same chart: a design that is one
//! open-loop Poisson client calling one station (a service or a database)
//! with `c` workers and exponential work, nothing else on the way (no
//! retries, timeouts, queue limit, rate limit, network delay, faults…), is
//! an M/M/c queue, and its sojourn time has the closed forms of
//! [`crate::sim::theory`]: the mean by Erlang C, the quantiles by
//! bisection on the tail, the utilisation λ/(cμ). [`mmc_model`] decides
//! whether that holds and says why not when it does not; [`MmcModel::curve`]
//! samples the curve up to just short of saturation, where theory's
//! steady state ends.
//!
//! Pure: no egui. The app's sweep and ramp charts both draw from here.

use crate::scenario::{Arrivals, DistributionSpec, EdgeSpec, NodeKind, NodeSpec, Scenario};
use crate::sim::theory;

/// Most servers the model is computed for (the Erlang recursion is linear
/// in them; far beyond it a pool never waits anyway).
const MAX_SERVERS: u32 = 10_000;

/// Highest utilisation the curve is drawn to: at 1 theory has no steady
/// state, and just below it the tail runs off any chart.
pub const CURVE_END_UTILISATION: f64 = 0.98;

/// Why a design has no closed form for its knee. The message is what the
/// chart shows, "no closed form: …".
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NoClosedForm {
    #[error("no closed form: the design has {count} clients (theory here needs exactly one)")]
    Clients { count: usize },
    #[error("no closed form: {count} nodes behind the client (theory here needs one station)")]
    Stations { count: usize },
    #[error("no closed form: the client's users wait for their answers (a closed loop)")]
    ClosedLoop,
    #[error("no closed form: arrivals are {what}, not Poisson")]
    NotPoisson { what: &'static str },
    #[error("no closed form: a traffic profile changes the rate over time")]
    Profile,
    #[error("no closed form: retries")]
    Retries,
    #[error("no closed form: a timeout")]
    Timeout,
    #[error("no closed form: adaptive throttling")]
    Throttle,
    #[error("no closed form: the client calls a {kind}, not a service or a database")]
    Station { kind: &'static str },
    #[error("no closed form: the work time is {label}, not exponential")]
    NotExponential { label: String },
    #[error("no closed form: the queue limit turns requests away")]
    QueueLimit,
    #[error("no closed form: a rate limit")]
    RateLimit,
    #[error("no closed form: load shedding")]
    Shedding,
    #[error("no closed form: {count} instances, each its own queue")]
    Instances { count: u32 },
    #[error("no closed form: autoscaling")]
    Autoscaling,
    #[error("no closed form: requests fail at random")]
    Errors,
    #[error("no closed form: read replicas or shards")]
    Replicas,
    #[error("no closed form: writes or a table cost more than the query time")]
    QueryCost,
    #[error("no closed form: the edge has {what}")]
    Edge { what: &'static str },
    #[error("no closed form: the edge crosses zones or regions (network delay)")]
    Placement,
    #[error("no closed form: a fault timeline")]
    Faults,
    #[error("no closed form: {workers} workers, more than the {MAX_SERVERS} computed")]
    TooManyServers { workers: u64 },
    #[error("no closed form: a work time of 0")]
    NoWork,
}

/// An M/M/c queue the design is: one Poisson client, one station.
#[derive(Debug, Clone, PartialEq)]
pub struct MmcModel {
    /// The client whose rate is the offered load.
    pub client: String,
    /// The station it calls.
    pub station: String,
    /// Servers: the station's workers (or a database's connections).
    pub servers: u32,
    /// Mean work time per request, ms.
    pub mean_service_ms: f64,
}

/// Theory at one offered load.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TheoryPoint {
    pub offered_rps: f64,
    /// Below saturation, everything offered is served.
    pub throughput_rps: f64,
    /// λ / (cμ).
    pub utilisation: f64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl MmcModel {
    /// Service rate of one server, per second.
    fn mu(&self) -> f64 {
        1_000.0 / self.mean_service_ms
    }

    /// Requests per second the station can serve: c × μ.
    pub fn capacity_rps(&self) -> f64 {
        f64::from(self.servers) * self.mu()
    }

    /// Theory at `offered_rps`; `None` at or past saturation (no steady
    /// state) or for a load below 0.
    pub fn at(&self, offered_rps: f64) -> Option<TheoryPoint> {
        let (c, mu, lambda) = (self.servers, self.mu(), offered_rps);
        if !(lambda >= 0.0 && lambda < self.capacity_rps()) {
            return None;
        }
        let wait_probability = theory::erlang_c_stable(c, lambda / mu)?;
        let mean_s = wait_probability / (f64::from(c) * mu - lambda) + 1.0 / mu;
        let p50_s = theory::mmc_sojourn_quantile(c, lambda, mu, 0.5)?;
        let p99_s = theory::mmc_sojourn_quantile(c, lambda, mu, 0.99)?;
        Some(TheoryPoint {
            offered_rps: lambda,
            throughput_rps: lambda,
            utilisation: lambda / self.capacity_rps(),
            mean_ms: mean_s * 1_000.0,
            p50_ms: p50_s * 1_000.0,
            p99_ms: p99_s * 1_000.0,
        })
    }

    /// The curve from `from_rps` to `to_rps` in `samples` steps (evenly,
    /// or evenly in log when `log`), cut at [`CURVE_END_UTILISATION`].
    pub fn curve(&self, from_rps: f64, to_rps: f64, samples: usize, log: bool) -> Vec<TheoryPoint> {
        let end = to_rps.min(self.capacity_rps() * CURVE_END_UTILISATION);
        let start = if log { from_rps.max(end * 1e-6) } else { from_rps.max(0.0) };
        if end <= start || end.is_nan() || samples < 2 {
            return self.at(end).into_iter().collect();
        }
        let steps = (samples - 1) as f64;
        (0..samples)
            .map(|i| {
                let f = i as f64 / steps;
                if log { start * (end / start).powf(f) } else { start + (end - start) * f }
            })
            .filter_map(|x| self.at(x))
            .collect()
    }
}

/// Whether the design is an M/M/c queue (and which), or why not.
pub fn mmc_model(scenario: &Scenario) -> Result<MmcModel, NoClosedForm> {
    let clients: Vec<&NodeSpec> = scenario.nodes.iter().filter(|n| matches!(n.kind, NodeKind::Client(_))).collect();
    let [client] = clients[..] else { return Err(NoClosedForm::Clients { count: clients.len() }) };
    let NodeKind::Client(spec) = &client.kind else { return Err(NoClosedForm::Clients { count: 0 }) };
    match spec.arrivals {
        Arrivals::Poisson { .. } => {}
        Arrivals::Constant { .. } => return Err(NoClosedForm::NotPoisson { what: "regular" }),
        Arrivals::Bursty { .. } => return Err(NoClosedForm::NotPoisson { what: "bursty" }),
        Arrivals::Closed { .. } => return Err(NoClosedForm::ClosedLoop),
    }
    if !spec.profile.is_empty() {
        return Err(NoClosedForm::Profile);
    }
    if spec.retry.is_some() {
        return Err(NoClosedForm::Retries);
    }
    if spec.timeout_ms.is_some() {
        return Err(NoClosedForm::Timeout);
    }
    if spec.throttle.is_some() {
        return Err(NoClosedForm::Throttle);
    }
    let others = scenario.nodes.len() - 1;
    if others != 1 {
        return Err(NoClosedForm::Stations { count: others });
    }
    let edges: Vec<&EdgeSpec> = scenario.edges.iter().collect();
    let [edge] = edges[..] else { return Err(NoClosedForm::Stations { count: others }) };
    let Some(station) = scenario.node(&edge.to).filter(|_| edge.from == client.id) else {
        return Err(NoClosedForm::Stations { count: others });
    };
    edge_is_plain(edge)?;
    if (&client.zone, &client.region) != (&station.zone, &station.region) {
        return Err(NoClosedForm::Placement);
    }
    if !scenario.faults.is_empty() {
        return Err(NoClosedForm::Faults);
    }
    let (workers, work) = match &station.kind {
        NodeKind::Service(s) => {
            if s.queue_capacity.is_some() {
                return Err(NoClosedForm::QueueLimit);
            }
            if s.rate_limit.is_some() {
                return Err(NoClosedForm::RateLimit);
            }
            if s.shed_after_ms.is_some() {
                return Err(NoClosedForm::Shedding);
            }
            if s.autoscale.is_some() {
                return Err(NoClosedForm::Autoscaling);
            }
            if s.instances != 1 {
                return Err(NoClosedForm::Instances { count: s.instances });
            }
            if s.error_probability > 0.0 {
                return Err(NoClosedForm::Errors);
            }
            (s.workers, &s.service_time)
        }
        NodeKind::Database(d) => {
            if d.queue_capacity.is_some() {
                return Err(NoClosedForm::QueueLimit);
            }
            if d.rate_limit.is_some() {
                return Err(NoClosedForm::RateLimit);
            }
            if d.read_replicas > 0 || d.shards > 1 || d.autoscale.is_some() {
                return Err(NoClosedForm::Replicas);
            }
            if d.table.is_some() || (d.write_time.is_some() && spec.write_fraction > 0.0) {
                return Err(NoClosedForm::QueryCost);
            }
            if d.error_probability > 0.0 {
                return Err(NoClosedForm::Errors);
            }
            (d.connections, &d.query_time)
        }
        other => return Err(NoClosedForm::Station { kind: other.component().label() }),
    };
    let DistributionSpec::Exponential { mean_ms } = work else {
        return Err(NoClosedForm::NotExponential { label: work.label() });
    };
    if !(*mean_ms > 0.0 && mean_ms.is_finite()) {
        return Err(NoClosedForm::NoWork);
    }
    if workers > MAX_SERVERS {
        return Err(NoClosedForm::TooManyServers { workers: u64::from(workers) });
    }
    Ok(MmcModel { client: client.id.clone(), station: station.id.clone(), servers: workers, mean_service_ms: *mean_ms })
}

/// An edge that adds nothing to the queue: no delay, no loss, no policy.
fn edge_is_plain(edge: &EdgeSpec) -> Result<(), NoClosedForm> {
    let delay = edge.latency.as_ref().is_some_and(|l| l.mean_ms().is_none_or(|m| m != 0.0));
    let what = if delay {
        "network latency"
    } else if edge.drop_probability > 0.0 {
        "losses"
    } else if edge.timeout_ms.is_some() {
        "a timeout"
    } else if edge.retry.is_some() {
        "retries"
    } else if edge.breaker.is_some() {
        "a circuit breaker"
    } else if edge.max_concurrent.is_some() {
        "a bulkhead"
    } else if edge.hedge.is_some() {
        "hedging"
    } else if edge.bandwidth_mbps.is_some() {
        "a bandwidth limit"
    } else {
        return Ok(());
    };
    Err(NoClosedForm::Edge { what })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_scenario;

    fn scenario(client: &str, station: &str, edge: &str) -> Scenario {
        let text = format!(
            r#"(name: "knee", seed: 1, duration_s: 10,
                nodes: [(id: "users", kind: Client({client})), (id: "api", kind: {station})],
                edges: [(from: "users", to: "api"{edge})])"#
        );
        parse_scenario(&text, "knee.ron").expect("valid")
    }

    const MM1: &str = "Service(workers: 1, service_time: Exponential(mean_ms: 10))";

    #[test]
    fn on_an_mm1_the_curve_is_the_closed_form() {
        let model = mmc_model(&scenario("arrivals: Poisson(rate: 20)", MM1, "")).expect("M/M/1");
        assert_eq!((model.servers, model.mean_service_ms), (1, 10.0));
        assert!((model.capacity_rps() - 100.0).abs() < 1e-9);
        for lambda in [10.0, 50.0, 80.0, 95.0] {
            let p = model.at(lambda).expect("below saturation");
            let mu = 100.0;
            assert!((p.mean_ms - 1e3 * theory::mm1_mean_sojourn(lambda, mu)).abs() < 1e-6, "{lambda}");
            assert!((p.p99_ms - 1e3 * theory::mm1_sojourn_quantile(lambda, mu, 0.99)).abs() < 1e-6, "{lambda}");
            assert!((p.p50_ms - 1e3 * theory::mm1_sojourn_quantile(lambda, mu, 0.5)).abs() < 1e-6, "{lambda}");
            assert!((p.utilisation - lambda / mu).abs() < 1e-12);
            assert_eq!(p.throughput_rps, lambda);
        }
        assert_eq!(model.at(100.0), None, "saturated: no steady state");
        let curve = model.curve(10.0, 200.0, 50, false);
        assert_eq!(curve.len(), 50);
        assert!(curve.iter().all(|p| p.utilisation <= CURVE_END_UTILISATION + 1e-12));
        assert!(curve.windows(2).all(|w| w[0].p99_ms < w[1].p99_ms), "the knee rises");
        let log = model.curve(1.0, 90.0, 20, true);
        assert!((log[0].offered_rps - 1.0).abs() < 1e-9 && (log[19].offered_rps - 90.0).abs() < 1e-9);
    }

    #[test]
    fn mmc_matches_erlang_c_for_a_database_pool() {
        let model = mmc_model(&scenario(
            "arrivals: Poisson(rate: 20)",
            "Database(connections: 4, query_time: Exponential(mean_ms: 20))",
            "",
        ))
        .expect("M/M/4");
        let p = model.at(150.0).expect("ρ = 0.75");
        let w = theory::mmc_mean_sojourn(4, 150.0, 50.0) * 1e3;
        assert!((p.mean_ms - w).abs() < 1e-6, "{} vs {w}", p.mean_ms);
    }

    #[test]
    fn where_no_closed_form_applies_the_reason_says_why() {
        let why = |client: &str, station: &str, edge: &str| {
            mmc_model(&scenario(client, station, edge)).expect_err("no closed form").to_string()
        };
        let poisson = "arrivals: Poisson(rate: 20)";
        assert_eq!(
            why(&format!("{poisson}, retry: (max_attempts: 3, backoff_ms: 10)"), MM1, ""),
            "no closed form: retries"
        );
        assert_eq!(why(&format!("{poisson}, timeout_ms: 100"), MM1, ""), "no closed form: a timeout");
        assert!(why("arrivals: Constant(rate: 20)", MM1, "").contains("not Poisson"));
        assert!(
            why(poisson, "Service(workers: 1, queue_capacity: 10, service_time: Exponential(mean_ms: 10))", "")
                .contains("queue limit")
        );
        assert!(why(poisson, "Service(workers: 1, service_time: Constant(ms: 10))", "").contains("not exponential"));
        assert!(why(poisson, MM1, ", latency: Constant(ms: 5)").contains("network latency"));
        let mut two = scenario(poisson, MM1, "");
        two.nodes.push(two.nodes[0].clone());
        two.nodes[2].id = "more".into();
        assert_eq!(
            mmc_model(&two).map_err(|e| e.to_string()),
            Err("no closed form: the design has 2 clients (theory here needs exactly one)".into())
        );
    }
}
