//! The parameters of each component, with units, ranges and what each one
//! does in a real system.

use eframe::egui::{self, Ui};

use super::distribution::distribution_rows;
use super::fields::{
    Edit, bool_row, f64_row, form, label_cell, optional_f64_row, optional_u32_row, percent_row, u32_row,
};
use crate::scenario::{
    Arrivals, CacheMode, CacheSpec, ClientSpec, DatabaseSpec, DistributionSpec, KeySpec, LbPolicy, LoadBalancerSpec,
    NodeKind, ProfileShape, QueueSpec, RetryPolicy, ServiceSpec,
};

/// The form for a node's parameters. Edits `kind` in place.
pub fn node_kind_ui(ui: &mut Ui, kind: &mut NodeKind, edit: &mut Edit, salt: &str) {
    match kind {
        NodeKind::Client(c) => client_ui(ui, c, edit, salt),
        NodeKind::LoadBalancer(lb) => load_balancer_ui(ui, lb, edit, salt),
        NodeKind::Service(s) => service_ui(ui, s, edit, salt),
        NodeKind::Cache(c) => cache_ui(ui, c, edit, salt),
        NodeKind::Queue(q) => queue_ui(ui, q, edit, salt),
        NodeKind::Database(d) => database_ui(ui, d, edit, salt),
    }
}

const RATE: std::ops::RangeInclusive<f64> = 0.0..=10_000_000.0;

fn client_ui(ui: &mut Ui, c: &mut ClientSpec, edit: &mut Edit, salt: &str) {
    form(ui, ("client", salt), |ui| {
        let label = label_cell(
            ui,
            "arrivals",
            "How requests arrive: open loop (a rate, whatever happens) or closed loop (users who wait for their answer, then think).",
        );
        let names = ["Poisson", "constant rate", "bursty", "closed loop (users)"];
        let current = match c.arrivals {
            Arrivals::Poisson { .. } => 0,
            Arrivals::Constant { .. } => 1,
            Arrivals::Bursty { .. } => 2,
            Arrivals::Closed { .. } => 3,
        };
        let mut chosen = current;
        egui::ComboBox::from_id_salt(("arrivals", salt))
            .selected_text(names[current])
            .show_ui(ui, |ui| {
                for (i, n) in names.iter().enumerate() {
                    ui.selectable_value(&mut chosen, i, *n);
                }
            })
            .response
            .labelled_by(label.id);
        ui.end_row();
        if chosen != current {
            let rate = c.arrivals.base_rate().unwrap_or(100.0);
            c.arrivals = match chosen {
                0 => Arrivals::Poisson { rate },
                1 => Arrivals::Constant { rate },
                2 => Arrivals::Bursty { rate_on: rate * 2.0, rate_off: 0.0, mean_on_s: 5.0, mean_off_s: 5.0 },
                _ => Arrivals::Closed { users: 50, think: DistributionSpec::Exponential { mean_ms: 1_000.0 } },
            };
            edit.changed = true;
        }
        match &mut c.arrivals {
            Arrivals::Poisson { rate } => f64_row(
                ui,
                edit,
                "rate",
                rate,
                " req/s",
                RATE,
                1.0,
                "Requests per second on average; gaps between them are random (exponential), like independent users.",
            ),
            Arrivals::Constant { rate } => f64_row(
                ui,
                edit,
                "rate",
                rate,
                " req/s",
                RATE,
                1.0,
                "Requests per second, perfectly evenly spaced, like a cron job or a load tester.",
            ),
            Arrivals::Bursty { rate_on, rate_off, mean_on_s, mean_off_s } => {
                f64_row(ui, edit, "rate in burst", rate_on, " req/s", RATE, 1.0, "Rate while a burst lasts.");
                f64_row(ui, edit, "rate between", rate_off, " req/s", RATE, 1.0, "Rate between bursts.");
                f64_row(
                    ui,
                    edit,
                    "burst length",
                    mean_on_s,
                    " s",
                    0.001..=86_400.0,
                    0.1,
                    "Mean length of a burst (exponential).",
                );
                f64_row(
                    ui,
                    edit,
                    "gap length",
                    mean_off_s,
                    " s",
                    0.001..=86_400.0,
                    0.1,
                    "Mean time between bursts (exponential).",
                );
            }
            Arrivals::Closed { users, think } => {
                u32_row(
                    ui,
                    edit,
                    "users",
                    users,
                    "",
                    1..=1_000_000,
                    "Users who each send a request, wait for the answer, think, and send again: load falls when the system slows down.",
                );
                distribution_rows(
                    ui,
                    edit,
                    "think time",
                    think,
                    "How long a user waits between getting an answer and asking again.",
                );
            }
        }
        optional_f64_row(
            ui,
            edit,
            "timeout",
            &mut c.timeout_ms,
            1_000.0,
            " ms",
            0.001..=3_600_000.0,
            "none",
            "The client gives up on an attempt after this long (and may retry). Work already started downstream goes on.",
        );
        let mut retry_on = c.retry.is_some();
        let label = label_cell(
            ui,
            "retries",
            "Try again after a failure, waiting longer each time (exponential backoff). Retries add load exactly when the system is struggling.",
        );
        if ui.checkbox(&mut retry_on, "retry failures").labelled_by(label.id).changed() {
            c.retry = retry_on.then_some(RetryPolicy {
                max_attempts: 3,
                backoff_ms: 100.0,
                multiplier: 2.0,
                max_backoff_ms: 10_000.0,
                jitter: 0.5,
            });
            edit.changed = true;
        }
        ui.end_row();
        if let Some(r) = &mut c.retry {
            u32_row(ui, edit, "  attempts", &mut r.max_attempts, "", 1..=100, "Attempts in all, the first included.");
            f64_row(
                ui,
                edit,
                "  backoff",
                &mut r.backoff_ms,
                " ms",
                0.0..=3_600_000.0,
                1.0,
                "Wait before the first retry.",
            );
            f64_row(
                ui,
                edit,
                "  multiplier",
                &mut r.multiplier,
                "×",
                1.0..=100.0,
                0.05,
                "Each further wait is this many times longer.",
            );
            f64_row(
                ui,
                edit,
                "  max backoff",
                &mut r.max_backoff_ms,
                " ms",
                0.0..=3_600_000.0,
                10.0,
                "No wait is longer than this.",
            );
            percent_row(
                ui,
                edit,
                "  jitter",
                &mut r.jitter,
                "Randomises each wait so clients do not retry in lockstep (100 % = anywhere between 0 and twice the wait).",
            );
        }
        let mut keys_on = c.keys.is_some();
        let label = label_cell(
            ui,
            "request keys",
            "Give each request a key (a user id, a URL). Needed for LRU caches and consistent hashing; popular keys follow a Zipf law.",
        );
        if ui.checkbox(&mut keys_on, "draw keys").labelled_by(label.id).changed() {
            c.keys = keys_on.then_some(KeySpec { keyspace: 10_000, zipf_exponent: 1.0 });
            edit.changed = true;
        }
        ui.end_row();
        if let Some(k) = &mut c.keys {
            let label = label_cell(ui, "  distinct keys", "How many different keys exist.");
            let r = ui
                .add(egui::DragValue::new(&mut k.keyspace).range(1..=1_000_000_000u64).speed(10.0))
                .labelled_by(label.id);
            edit.note(&r);
            ui.end_row();
            f64_row(
                ui,
                edit,
                "  Zipf exponent",
                &mut k.zipf_exponent,
                "",
                0.0..=5.0,
                0.01,
                "0: every key equally likely; 1: the classic web popularity curve; higher: a few keys get most requests.",
            );
        }
        percent_row(
            ui,
            edit,
            "writes",
            &mut c.write_fraction,
            "Share of requests that are writes: they skip caches, go to a database's primary and invalidate cached copies.",
        );
    });
    profile_ui(ui, &mut c.profile, edit, salt);
}

/// The traffic profile: steps, ramps, spikes and a daily curve.
fn profile_ui(ui: &mut Ui, profile: &mut Vec<ProfileShape>, edit: &mut Edit, salt: &str) {
    ui.add_space(4.0);
    ui.label(egui::RichText::new("Traffic over time").strong())
        .on_hover_text("The rate is multiplied by these shapes as simulated time passes.");
    let mut remove = None;
    for (k, shape) in profile.iter_mut().enumerate() {
        ui.push_id(k, |ui| {
            ui.horizontal(|ui| {
                let name = match shape {
                    ProfileShape::Step { .. } => "step",
                    ProfileShape::Ramp { .. } => "ramp",
                    ProfileShape::Spike { .. } => "spike",
                    ProfileShape::Daily { .. } => "daily curve",
                };
                ui.label(name);
                if ui.small_button("remove").on_hover_text("Remove this shape").clicked() {
                    remove = Some(k);
                }
            });
            form(ui, ("shape", salt, k), |ui| match shape {
                ProfileShape::Step { at_s, factor } => {
                    f64_row(ui, edit, "at", at_s, " s", 0.0..=1e7, 0.5, "From this time on...");
                    f64_row(ui, edit, "factor", factor, "×", 0.0..=1000.0, 0.05, "...the rate is multiplied by this.");
                }
                ProfileShape::Ramp { start_s, end_s, from_factor, to_factor } => {
                    f64_row(ui, edit, "start", start_s, " s", 0.0..=1e7, 0.5, "The ramp starts here.");
                    f64_row(ui, edit, "end", end_s, " s", 0.0..=1e7, 0.5, "And ends here, staying at its last factor.");
                    f64_row(ui, edit, "from", from_factor, "×", 0.0..=1000.0, 0.05, "Factor at the start.");
                    f64_row(ui, edit, "to", to_factor, "×", 0.0..=1000.0, 0.05, "Factor at the end.");
                }
                ProfileShape::Spike { start_s, duration_s, factor } => {
                    f64_row(ui, edit, "start", start_s, " s", 0.0..=1e7, 0.5, "When the spike begins.");
                    f64_row(ui, edit, "lasts", duration_s, " s", 0.0..=1e7, 0.5, "How long it lasts.");
                    f64_row(
                        ui,
                        edit,
                        "factor",
                        factor,
                        "×",
                        0.0..=1000.0,
                        0.1,
                        "The rate is multiplied by this meanwhile.",
                    );
                }
                ProfileShape::Daily { period_s, amplitude, phase_s } => {
                    f64_row(ui, edit, "period", period_s, " s", 0.001..=1e7, 1.0, "Length of one simulated 'day'.");
                    percent_row(
                        ui,
                        edit,
                        "amplitude",
                        amplitude,
                        "How far above and below the base rate the curve swings.",
                    );
                    f64_row(ui, edit, "phase", phase_s, " s", 0.0..=1e7, 1.0, "Shifts the curve in time.");
                }
            });
        });
    }
    if let Some(k) = remove {
        profile.remove(k);
        edit.changed = true;
    }
    ui.horizontal_wrapped(|ui| {
        ui.weak("add:");
        let adds: [(&str, ProfileShape); 4] = [
            ("step", ProfileShape::Step { at_s: 30.0, factor: 2.0 }),
            ("ramp", ProfileShape::Ramp { start_s: 10.0, end_s: 40.0, from_factor: 1.0, to_factor: 3.0 }),
            ("spike", ProfileShape::Spike { start_s: 20.0, duration_s: 10.0, factor: 5.0 }),
            ("daily curve", ProfileShape::Daily { period_s: 120.0, amplitude: 0.5, phase_s: 0.0 }),
        ];
        for (name, shape) in adds {
            if ui.small_button(name).on_hover_text(format!("Add a {name} to the traffic profile")).clicked() {
                profile.push(shape);
                edit.changed = true;
            }
        }
    });
}

fn load_balancer_ui(ui: &mut Ui, lb: &mut LoadBalancerSpec, edit: &mut Edit, salt: &str) {
    form(ui, ("lb", salt), |ui| {
        let label = label_cell(ui, "policy", "How the balancer picks a target for each request.");
        let before = lb.policy;
        egui::ComboBox::from_id_salt(("policy", salt))
            .selected_text(lb.policy.label())
            .show_ui(ui, |ui| {
                for p in LbPolicy::ALL {
                    ui.selectable_value(&mut lb.policy, p, p.label()).on_hover_text(policy_help(p));
                }
            })
            .response
            .labelled_by(label.id);
        if lb.policy != before {
            edit.changed = true;
        }
        ui.end_row();
        f64_row(
            ui,
            edit,
            "health check",
            &mut lb.health_check_delay_s,
            " s",
            0.0..=3_600.0,
            0.1,
            "How long after a target dies the balancer notices and stops sending to it (check interval × failures needed). Until then requests sent to it fail.",
        );
    });
}

fn policy_help(p: LbPolicy) -> &'static str {
    match p {
        LbPolicy::RoundRobin => "Each target in turn. Simple and fair when targets are alike.",
        LbPolicy::Random => "A random target each time.",
        LbPolicy::LeastConnections => "The target with the fewest requests in flight: adapts to a slow target.",
        LbPolicy::PowerOfTwoChoices => {
            "Pick two at random, send to the less busy: nearly as good as least connections, far cheaper."
        }
        LbPolicy::Weighted => "In proportion to each edge's weight (set it on the edge).",
        LbPolicy::ConsistentHash => "The same key always goes to the same target: keeps per-target caches warm.",
    }
}

fn service_ui(ui: &mut Ui, s: &mut ServiceSpec, edit: &mut Edit, salt: &str) {
    form(ui, ("service", salt), |ui| {
        u32_row(
            ui,
            edit,
            "workers",
            &mut s.workers,
            "",
            1..=100_000,
            "Requests served at once (threads in the pool). When all are busy, requests wait in the queue.",
        );
        optional_u32_row(
            ui,
            edit,
            "queue capacity",
            &mut s.queue_capacity,
            100,
            "",
            "unbounded",
            "Requests that may wait for a worker. When it is full, new requests are rejected at once ('queue full').",
        );
        distribution_rows(
            ui,
            edit,
            "service time",
            &mut s.service_time,
            "The server's own work per request (CPU, not counting downstream calls).",
        );
        percent_row(
            ui,
            edit,
            "error rate",
            &mut s.error_probability,
            "Share of requests that fail with an error after the work (bugs, bad input).",
        );
        bool_row(
            ui,
            edit,
            "blocking calls",
            &mut s.blocking_calls,
            "hold worker during calls",
            "Thread-per-request servers keep the worker busy until downstream calls answer: a slow database exhausts the pool. Off = non-blocking I/O.",
        );
    });
}

fn cache_ui(ui: &mut Ui, c: &mut CacheSpec, edit: &mut Edit, salt: &str) {
    form(ui, ("cache", salt), |ui| {
        let label = label_cell(
            ui,
            "mode",
            "LRU: the hit rate emerges from key popularity, capacity and TTL. Fixed: every read hits with a set probability.",
        );
        let lru = matches!(c.mode, CacheMode::Lru { .. });
        let mut want_lru = lru;
        egui::ComboBox::from_id_salt(("cache-mode", salt))
            .selected_text(if lru { "LRU over keys" } else { "fixed hit rate" })
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut want_lru, true, "LRU over keys");
                ui.selectable_value(&mut want_lru, false, "fixed hit rate");
            })
            .response
            .labelled_by(label.id);
        ui.end_row();
        if want_lru != lru {
            c.mode = if want_lru {
                CacheMode::Lru { capacity: 10_000, ttl_s: None }
            } else {
                CacheMode::FixedHitRate { hit_probability: 0.8 }
            };
            edit.changed = true;
        }
        match &mut c.mode {
            CacheMode::Lru { capacity, ttl_s } => {
                let label =
                    label_cell(ui, "capacity", "Keys held at most; the least recently used is evicted to make room.");
                let r = ui
                    .add(egui::DragValue::new(capacity).range(1..=1_000_000_000u64).speed(10.0).suffix(" keys"))
                    .labelled_by(label.id);
                edit.note(&r);
                ui.end_row();
                optional_f64_row(
                    ui,
                    edit,
                    "TTL",
                    ttl_s,
                    60.0,
                    " s",
                    0.001..=1e7,
                    "forever",
                    "A cached copy expires after this long, so data is at most this stale.",
                );
            }
            CacheMode::FixedHitRate { hit_probability } => {
                percent_row(ui, edit, "hit rate", hit_probability, "Share of reads answered from the cache.");
            }
        }
        distribution_rows(
            ui,
            edit,
            "lookup time",
            &mut c.lookup_time,
            "Time to answer a lookup, hit or miss (a network round trip to Redis is ~0.2–1 ms).",
        );
    });
}

fn queue_ui(ui: &mut Ui, q: &mut QueueSpec, edit: &mut Edit, salt: &str) {
    form(ui, ("queue", salt), |ui| {
        u32_row(
            ui,
            edit,
            "capacity",
            &mut q.capacity,
            " msgs",
            1..=100_000_000,
            "Messages held at most; a producer whose message does not fit gets an error.",
        );
        u32_row(
            ui,
            edit,
            "consumers",
            &mut q.consumers,
            "",
            1..=100_000,
            "Messages delivered downstream at once. Fewer consumers = more lag, smoother load.",
        );
    });
}

fn database_ui(ui: &mut Ui, d: &mut DatabaseSpec, edit: &mut Edit, salt: &str) {
    form(ui, ("db", salt), |ui| {
        u32_row(
            ui,
            edit,
            "connections",
            &mut d.connections,
            "",
            1..=100_000,
            "Queries run at once per server (the connection pool). More is not always faster on a real database.",
        );
        optional_u32_row(
            ui,
            edit,
            "queue capacity",
            &mut d.queue_capacity,
            200,
            "",
            "unbounded",
            "Queries that may wait for a connection; beyond it they fail at once.",
        );
        distribution_rows(
            ui,
            edit,
            "query time",
            &mut d.query_time,
            "How long one query takes once it has a connection.",
        );
        percent_row(
            ui,
            edit,
            "error rate",
            &mut d.error_probability,
            "Share of queries that fail (deadlocks, constraint errors).",
        );
        u32_row(
            ui,
            edit,
            "read replicas",
            &mut d.read_replicas,
            "",
            0..=64,
            "Copies that serve reads round robin; writes go to the primary. Changing it needs a reset.",
        );
        f64_row(
            ui,
            edit,
            "replication lag",
            &mut d.replication_lag_ms,
            " ms",
            0.0..=3_600_000.0,
            1.0,
            "How long a write takes to reach the replicas; a read of that key meanwhile is stale.",
        );
    });
}
