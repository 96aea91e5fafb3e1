//! The parameters of each component, with units, ranges and what each one
//! does in a real system.

use eframe::egui::{self, Ui};

use super::distribution::distribution_rows;
use super::fields::{Choice, Edit, Row, form, label_cell};
use super::health_check::{health_check_rows, outlier_ejection_rows};
use super::retry::retry_policy_rows;
use crate::scenario::PathSegment::{Index, Key};
use crate::scenario::limits::{
    MAX_BURST, MAX_CACHE_KEYS, MAX_FACTOR, MAX_INSTANCES, MAX_MS, MAX_RATE_RPS, MAX_READ_REPLICAS, MAX_ROW_SCAN_US,
    MAX_SECONDS, MAX_SHARDS, MAX_TABLE_ROWS, MAX_THROTTLE_K, MAX_THROTTLE_WINDOW_S, MAX_USERS, MAX_ZIPF_EXPONENT,
    MIN_SCALE_INTERVAL_S,
};
use crate::scenario::{
    Arrivals, AutoscaleSpec, CacheMode, CacheSpec, CallOrder, ClientSpec, DatabaseSpec, DistributionSpec,
    InstanceBalancing, KeySpec, LbPolicy, LimitPer, LoadBalancerSpec, NodeKind, Priority, ProfileShape, QueueSpec,
    RateLimitSpec, ScaleTarget, ServiceSpec, TableSpec, ThrottleSpec, WaitFor,
};

/// The form for a node's parameters. Edits `kind` in place. `out_edges`
/// is how many calls the node makes (its outgoing edges): a service's
/// quorum is at most that.
pub fn node_kind_ui(ui: &mut Ui, kind: &mut NodeKind, edit: &mut Edit, salt: &str, out_edges: usize) {
    match kind {
        NodeKind::Client(c) => client_ui(ui, c, edit, salt),
        NodeKind::LoadBalancer(lb) => load_balancer_ui(ui, lb, edit, salt),
        NodeKind::Service(s) => service_ui(ui, s, edit, salt, out_edges),
        NodeKind::Cache(c) => cache_ui(ui, c, edit, salt),
        NodeKind::Queue(q) => queue_ui(ui, q, edit, salt),
        NodeKind::Database(d) => database_ui(ui, d, edit, salt),
    }
}

const RATE: std::ops::RangeInclusive<f64> = 0.0..=MAX_RATE_RPS;
const SECONDS: std::ops::RangeInclusive<f64> = 0.0..=MAX_SECONDS;
const FACTOR: std::ops::RangeInclusive<f64> = 0.0..=MAX_FACTOR;

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
        let chosen = variant_menu(ui, ("arrivals", salt), &label, &names, current);
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
        edit.within(&[Key("arrivals")], |edit| match &mut c.arrivals {
            Arrivals::Poisson { rate } => Row::new("rate", "rate").unit(" req/s").speed(1.0).help("Requests per second on average; gaps between them are random (exponential), like independent users.").number(ui, edit, rate, RATE),
            Arrivals::Constant { rate } => Row::new("rate", "rate").unit(" req/s").speed(1.0).help("Requests per second, perfectly evenly spaced, like a cron job or a load tester.").number(ui, edit, rate, RATE),
            Arrivals::Bursty { rate_on, rate_off, mean_on_s, mean_off_s } => {
                Row::new("rate in burst", "rate_on").unit(" req/s").speed(1.0).help("Rate while a burst lasts.").number(ui, edit, rate_on, RATE);
                Row::new("rate between", "rate_off").unit(" req/s").speed(1.0).help("Rate between bursts.").number(ui, edit, rate_off, RATE);
                Row::new("burst length", "mean_on_s").unit(" s").speed(0.1).help("Mean length of a burst (exponential).").number(ui, edit, mean_on_s, 0.001..=MAX_SECONDS);
                Row::new("gap length", "mean_off_s").unit(" s").speed(0.1).help("Mean time between bursts (exponential).").number(ui, edit, mean_off_s, 0.001..=MAX_SECONDS);
            }
            Arrivals::Closed { users, think } => {
                Row::new("users", "users").help("Users who each send a request, wait for the answer, think, and send again: load falls when the system slows down.").whole(ui, edit, users, 1..=MAX_USERS);
                distribution_rows(
                    ui,
                    edit,
                    ("think time", "think"),
                    think,
                    "How long a user waits between getting an answer and asking again.",
                );
            }
        });
        Row::new("timeout", "timeout_ms").unit(" ms").help("The client gives up on an attempt after this long (and may retry). Work already started downstream goes on.").optional_number(ui, edit, &mut c.timeout_ms, (1_000.0, "none"), 0.001..=MAX_MS);
        retry_policy_rows(
            ui,
            edit,
            &mut c.retry,
            "The client tries a failed request again (any failure, its timeout included), waiting longer each time \
             (exponential backoff). Use it for brief blips; retries add load exactly when the system is struggling.",
        );
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
            edit.within(&[Key("keys")], |edit| {
                Row::new("  distinct keys", "keyspace").speed(10.0).help("How many different keys exist.").whole(
                    ui,
                    edit,
                    &mut k.keyspace,
                    1..=u64::from(u32::MAX),
                );
                Row::new("  Zipf exponent", "zipf_exponent")
                    .speed(0.01)
                    .help("0: every key equally likely; 1: the classic web popularity curve; higher: a few keys get most requests.")
                    .number(ui, edit, &mut k.zipf_exponent, 0.0..=MAX_ZIPF_EXPONENT);
            });
        }
        Row::new("writes", "write_fraction").help("Share of requests that are writes: they skip caches, go to a database's primary and invalidate cached copies.").percent(ui, edit, &mut c.write_fraction);
        Row::new("idempotency keys", "idempotency_keys")
            .help(
                "Send a key with every write (as a payments API asks for), so a database applies a write once \
                 however often retries deliver it. Without one, a write retried after a timeout may be applied \
                 twice: the first try was not cancelled.",
            )
            .switch(ui, edit, &mut c.idempotency_keys, "with writes");
        priority_rows(ui, &mut c.priority, edit, salt);
        throttle_rows(ui, &mut c.throttle, edit);
    });
    profile_ui(ui, &mut c.profile, edit, salt);
}

/// Adaptive client-side throttling: on or off, then its `k` and window.
fn throttle_rows(ui: &mut Ui, throttle: &mut Option<ThrottleSpec>, edit: &mut Edit) {
    let mut on = throttle.is_some();
    Row::new("throttling", "throttle")
        .help(
            "Adaptive throttling (the SRE book's): while its backend accepts too few of its recent requests, the \
             client refuses some itself, sending at most k per accepted one. The excess fails at once as \
             'throttled' instead of adding to an overloaded backend's load.",
        )
        .switch(ui, edit, &mut on, "adaptive");
    if on != throttle.is_some() {
        *throttle = on.then(ThrottleSpec::default);
    }
    if let Some(t) = throttle {
        edit.within(&[Key("throttle")], |edit| {
            Row::new("  k", "k")
                .speed(0.05)
                .help("Requests it still sends per accepted one: 2 in the SRE book; lower throttles sooner and harder.")
                .number(ui, edit, &mut t.k, 1.0..=MAX_THROTTLE_K);
            Row::new("  window", "window_s")
                .unit(" s")
                .speed(1.0)
                .help("How far back it counts requests and accepts.")
                .number(ui, edit, &mut t.window_s, 1.0..=MAX_THROTTLE_WINDOW_S);
        });
    }
}

/// A menu of an enum's variants, by name, labelled by `label`; ends the
/// form row. Returns the variant picked (`current` if none was).
fn variant_menu(ui: &mut Ui, id: impl egui::AsIdSalt, label: &egui::Response, names: &[&str], current: usize) -> usize {
    let mut chosen = current;
    egui::ComboBox::from_id_salt(id)
        .selected_text(names[current])
        .show_ui(ui, |ui| {
            for (i, n) in names.iter().enumerate() {
                ui.selectable_value(&mut chosen, i, *n);
            }
        })
        .response
        .labelled_by(label.id);
    ui.end_row();
    chosen
}

/// A client's priority class, or its mix of classes with a share each.
fn priority_rows(ui: &mut Ui, priority: &mut Priority, edit: &mut Edit, salt: &str) {
    let label = label_cell(
        ui,
        "priority",
        "How much these requests matter when a node is overloaded: it serves critical ones first and, when its line \
         is full, drops sheddable ones first. Mark checkout critical and recommendations sheddable; a mix gives each \
         request a class by its share.",
    );
    let names = ["critical", "standard", "sheddable", "mix of classes"];
    let current = match priority {
        Priority::Critical => 0,
        Priority::Standard => 1,
        Priority::Sheddable => 2,
        Priority::Mix { .. } => 3,
    };
    let chosen = variant_menu(ui, ("priority", salt), &label, &names, current);
    if chosen != current {
        *priority = match chosen {
            0 => Priority::Critical,
            1 => Priority::Standard,
            2 => Priority::Sheddable,
            _ => Priority::Mix { critical: 0.2, standard: 0.5, sheddable: 0.3 },
        };
        edit.changed = true;
    }
    if let Priority::Mix { critical, standard, sheddable } = priority {
        edit.within(&[Key("priority")], |edit| {
            Row::new("  critical", "critical").help("Share of requests that are critical.").percent(ui, edit, critical);
            Row::new("  standard", "standard").help("Share of requests that are standard.").percent(ui, edit, standard);
            Row::new("  sheddable", "sheddable")
                .help("Share of requests that are sheddable. The three shares add up to 100 %.")
                .percent(ui, edit, sheddable);
        });
    }
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
            form(ui, ("shape", salt, k), |ui| {
                edit.within(&[Key("profile"), Index(k)], |edit| match shape {
                    ProfileShape::Step { at_s, factor } => {
                        Row::new("at", "at_s")
                            .unit(" s")
                            .speed(0.5)
                            .help("From this time on...")
                            .number(ui, edit, at_s, SECONDS);
                        Row::new("factor", "factor")
                            .unit("×")
                            .speed(0.05)
                            .help("...the rate is multiplied by this.")
                            .number(ui, edit, factor, FACTOR);
                    }
                    ProfileShape::Ramp { start_s, end_s, from_factor, to_factor } => {
                        Row::new("start", "start_s")
                            .unit(" s")
                            .speed(0.5)
                            .help("The ramp starts here.")
                            .number(ui, edit, start_s, SECONDS);
                        Row::new("end", "end_s")
                            .unit(" s")
                            .speed(0.5)
                            .help("And ends here, staying at its last factor.")
                            .number(ui, edit, end_s, SECONDS);
                        Row::new("from", "from_factor").unit("×").speed(0.05).help("Factor at the start.").number(
                            ui,
                            edit,
                            from_factor,
                            FACTOR,
                        );
                        Row::new("to", "to_factor")
                            .unit("×")
                            .speed(0.05)
                            .help("Factor at the end.")
                            .number(ui, edit, to_factor, FACTOR);
                    }
                    ProfileShape::Spike { start_s, duration_s, factor } => {
                        Row::new("start", "start_s")
                            .unit(" s")
                            .speed(0.5)
                            .help("When the spike begins.")
                            .number(ui, edit, start_s, SECONDS);
                        Row::new("lasts", "duration_s")
                            .unit(" s")
                            .speed(0.5)
                            .help("How long it lasts.")
                            .number(ui, edit, duration_s, SECONDS);
                        Row::new("factor", "factor")
                            .unit("×")
                            .speed(0.1)
                            .help("The rate is multiplied by this meanwhile.")
                            .number(ui, edit, factor, FACTOR);
                    }
                    ProfileShape::Daily { period_s, amplitude, phase_s } => {
                        Row::new("period", "period_s")
                            .unit(" s")
                            .speed(1.0)
                            .help("Length of one simulated 'day'.")
                            .number(ui, edit, period_s, 0.001..=MAX_SECONDS);
                        Row::new("amplitude", "amplitude")
                            .help("How far above and below the base rate the curve swings.")
                            .percent(ui, edit, amplitude);
                        Row::new("phase", "phase_s")
                            .unit(" s")
                            .speed(1.0)
                            .help("Shifts the curve in time.")
                            .number(ui, edit, phase_s, SECONDS);
                    }
                });
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
        // The fixed delay is the model of checks while real ones are off.
        if lb.health_check.is_none() {
            Row::new("health check", "health_check_delay_s").unit(" s").speed(0.1).help("How long after a target dies the balancer notices and stops sending to it (check interval × failures needed). Until then requests sent to it fail. Turn on real health checks below to model the probes themselves.").number(ui, edit, &mut lb.health_check_delay_s, SECONDS);
        }
        health_check_rows(ui, edit, &mut lb.health_check);
        outlier_ejection_rows(ui, edit, &mut lb.outlier_ejection);
        rate_limit_rows(ui, edit, &mut lb.rate_limit);
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
        LbPolicy::Nearest => {
            "A global load balancer (DNS-style): each request to the healthy target nearest whoever sent it \
             (same zone, same region, then the nearest region). Its health-check delay is its failover time."
        }
        LbPolicy::Failover => {
            "Active-passive: everything to the first healthy target (the first edge); the others stand by until it \
             goes down."
        }
    }
}

/// What the "calls" menu's tooltip says: the two orders, what a fan-out
/// waits for, and the tail at scale.
const CALLS_HELP: &str = "How the service makes its downstream calls (its edges, listed under Calls below). One after \
     another: each call waits for the previous answer, so their latencies add up, and a failure stops the rest. All at \
     once (a fan-out, scatter-gather): every call leaves together and the request goes on once all of them, the first \
     or a quorum of k have answered successfully; the slowest call it waits for sets its latency. The tail at scale: \
     one slow leaf in 100 makes 63 % of fan-outs to 100 leaves slow (1 − 0.99^100), so wait for the first (hedged \
     requests) or a quorum, or give each call a timeout and a fallback. Retries are not simulated on a fan-out's \
     calls. Applies at once.";

/// The "calls" menu's options, in order.
const CALL_ORDERS: [&str; 4] = [
    "one after another",
    "all at once, wait for all",
    "all at once, wait for the first",
    "all at once, wait for a quorum",
];

fn service_ui(ui: &mut Ui, s: &mut ServiceSpec, edit: &mut Edit, salt: &str, out_edges: usize) {
    form(ui, ("service", salt), |ui| {
        Row::new("workers", "workers")
            .help("Requests served at once (threads in the pool). When all are busy, requests wait in the queue.")
            .whole(ui, edit, &mut s.workers, 1..=100_000);
        Row::new("queue capacity", "queue_capacity").help("Requests that may wait for a worker. When it is full, new requests are rejected at once ('queue full').").optional_whole(ui, edit, &mut s.queue_capacity, (100, "unbounded"));
        Row::new("shed after", "shed_after_ms")
            .unit(" ms")
            .help(
                "Load shedding: a request that waited longer than this for a worker is dropped when its turn \
                 comes ('shed'), instead of being served late for a caller that has given up. Under overload \
                 the requests served stay fast and the excess fails at once. Set it a little under your \
                 callers' timeout.",
            )
            .optional_number(ui, edit, &mut s.shed_after_ms, (500.0, "serve however late"), 0.0..=MAX_MS);
        Row::new("deadlines", "drop_expired")
            .help(
                "Deadline propagation (as gRPC does it): a request whose caller, or a caller above it, has already \
                 timed out is dropped when a worker would start it ('deadline exceeded'), instead of being served \
                 for nobody. Under overload the workers then serve requests someone still waits for.",
            )
            .switch(ui, edit, &mut s.drop_expired, "drop work nobody waits for");
        distribution_rows(
            ui,
            edit,
            ("service time", "service_time"),
            &mut s.service_time,
            "The server's own work per request (CPU, not counting downstream calls).",
        );
        Row::new("error rate", "error_probability")
            .help("Share of requests that fail with an error after the work (bugs, bad input).")
            .percent(ui, edit, &mut s.error_probability);
        Row::new("blocking calls", "blocking_calls").help("Thread-per-request servers keep the worker busy until downstream calls answer: a slow database exhausts the pool. Off = non-blocking I/O.").switch(ui, edit, &mut s.blocking_calls, "hold worker during calls");
        calls_rows(ui, edit, &mut s.calls, out_edges);
        rate_limit_rows(ui, edit, &mut s.rate_limit);
        instance_rows(ui, edit, s);
    });
}

/// The names of the instance balancings, in [`InstanceBalancing::ALL`] order.
const BALANCINGS: [&str; 3] =
    [InstanceBalancing::ALL[0].label(), InstanceBalancing::ALL[1].label(), InstanceBalancing::ALL[2].label()];

/// The names of the autoscaling targets, in the order of their menu.
const SCALE_TARGETS: [&str; 3] = ["utilisation", "queue depth", "requests per instance"];

/// A service's instances, their balancing and the autoscaler's rows.
fn instance_rows(ui: &mut Ui, edit: &mut Edit, s: &mut ServiceSpec) {
    let scaled = s.autoscale.is_some();
    Row::new(if scaled { "instances at start" } else { "instances" }, "instances")
        .help(
            "Identical copies of this service (app servers, pods), each with its own workers and queue, behind the \
             node's own balancing: '3 app servers' is one node with 3 instances. More instances serve more load; \
             use an explicit load balancer instead when each copy needs its own health checks.",
        )
        .whole(ui, edit, &mut s.instances, 1..=MAX_INSTANCES);
    if s.instances > 1 || scaled {
        let mut chosen = InstanceBalancing::ALL.iter().position(|b| *b == s.balancing).unwrap_or(0);
        Row::new("balancing", "balancing")
            .help(
                "How a request picks its instance. Round robin: each in turn. Least connections: the one with the \
                 least work in hand, which waits least when requests vary. Random: what a stateless balancer does; \
                 the slowest of the three.",
            )
            .choice(ui, edit, &mut chosen, &BALANCINGS.map(Choice::new));
        s.balancing = InstanceBalancing::ALL.get(chosen).copied().unwrap_or_default();
    }
    autoscale_rows(ui, edit, &mut s.autoscale, s.instances, Scaled::Instances);
}

/// What an autoscaler adds and removes, for its rows' words.
#[derive(Clone, Copy, PartialEq)]
enum Scaled {
    /// A service's instances.
    Instances,
    /// A database's read replicas, per shard.
    ReadReplicas,
}

/// The autoscaler's switch and rows; `start` is the count the node starts
/// with (the bounds switched on include it).
fn autoscale_rows(ui: &mut Ui, edit: &mut Edit, slot: &mut Option<AutoscaleSpec>, start: u32, scaled: Scaled) {
    let replicas = scaled == Scaled::ReadReplicas;
    let (unit, most) = if replicas { (" replicas", MAX_READ_REPLICAS) } else { (" instances", MAX_INSTANCES) };
    let was_on = slot.is_some();
    let mut on = was_on;
    let (help, label) = if replicas {
        (
            "Adds read replicas when the reads rise and removes them when they fall, as a managed database's \
             replica autoscaling does: on the replicas' load alone (writes stay on the primary), every shard \
             alike. A new replica serves only after its cold start (minutes, for a copy of the data).",
            "add and remove read replicas by load",
        )
    } else {
        (
            "Adds instances when the load rises and removes them when it falls, as a Kubernetes horizontal pod \
             autoscaler does. Use it for traffic that changes over the day; a new instance serves only after its \
             cold start, so a sudden spike is still felt.",
            "add and remove instances by load",
        )
    };
    Row::new("autoscale", "autoscale").help(help).switch(ui, edit, &mut on, label);
    if on != was_on {
        *slot = on.then(|| {
            let a = AutoscaleSpec::default();
            AutoscaleSpec { min: start.min(a.max).max(1), max: a.max.max(start).min(most), ..a }
        });
    }
    let Some(a) = slot else { return };
    edit.within(&[Key("autoscale")], |edit| {
        Row::new("  min", "min")
            .unit(unit)
            .help(if replicas {
                "Fewest read replicas per shard, however quiet."
            } else {
                "Fewest instances, however quiet: keep 2 or more for a spare when one fails."
            })
            .whole(ui, edit, &mut a.min, 1..=most);
        Row::new("  max", "max")
            .unit(unit)
            .help(if replicas {
                "Most read replicas per shard: a cap on cost."
            } else {
                "Most instances: a cap on cost, and on the load passed to what this service calls."
            })
            .whole(ui, edit, &mut a.max, 1..=most);
        let current = match a.target {
            ScaleTarget::Utilisation(_) => 0,
            ScaleTarget::QueueDepth(_) => 1,
            ScaleTarget::RequestsPerInstance(_) => 2,
        };
        let mut chosen = current;
        let no_queue = replicas.then_some("A database's line mixes the primary's writes with the reads.");
        let options = SCALE_TARGETS.map(Choice::new);
        let options = [options[0], options[1].unless(no_queue), options[2]];
        Row::new("  scale on", "target")
            .help(if replicas {
                "The metric held at its target per replica. Utilisation: the replicas' busy connections. Requests \
                 per instance: reads per second per replica, when a replica's capacity is known."
            } else {
                "The metric held at its target per instance. Utilisation: busy workers (the usual CPU target). \
                 Queue depth: requests waiting, for a backlog. Requests per instance: arrivals per second, when an \
                 instance's capacity is known."
            })
            .choice(ui, edit, &mut chosen, &options);
        if chosen != current {
            a.target = match chosen {
                1 => ScaleTarget::QueueDepth(5.0),
                2 => ScaleTarget::RequestsPerInstance(50.0),
                _ => ScaleTarget::Utilisation(0.7),
            };
        }
        let target_help = "Lower targets keep more headroom for bursts, at the cost of more instances.";
        match &mut a.target {
            ScaleTarget::Utilisation(u) => Row::new("  target", "target").help(target_help).percent(ui, edit, u),
            ScaleTarget::QueueDepth(q) => Row::new("  target", "target").unit(" waiting").help(target_help).number(
                ui,
                edit,
                q,
                0.001..=f64::from(u32::MAX),
            ),
            ScaleTarget::RequestsPerInstance(r) => Row::new("  target", "target")
                .unit(" req/s")
                .help(target_help)
                .number(ui, edit, r, 0.001..=MAX_RATE_RPS),
        }
        Row::new("  interval", "interval_s")
            .unit(" s")
            .help("Time between two decisions; the metric is measured over it (Kubernetes: 15 s).")
            .number(ui, edit, &mut a.interval_s, MIN_SCALE_INTERVAL_S..=MAX_SECONDS);
        Row::new("  cold start", "cold_start_s")
            .unit(" s")
            .help(
                "How long a new instance boots before it serves (a VM: a minute or more; a container: seconds). It \
                 is billed from boot. The longer it is, the longer a spike hurts before help arrives.",
            )
            .number(ui, edit, &mut a.cold_start_s, 0.0..=MAX_SECONDS);
        Row::new("  scale-out cooldown", "scale_out_cooldown_s")
            .unit(" s")
            .help("Shortest time after a change before more instances are added.")
            .number(ui, edit, &mut a.scale_out_cooldown_s, 0.0..=MAX_SECONDS);
        Row::new("  scale-in cooldown", "scale_in_cooldown_s")
            .unit(" s")
            .help(
                "Shortest time after a change before instances are removed (Kubernetes waits 5 minutes): a dip in \
                 load does not throw away capacity the next burst needs.",
            )
            .number(ui, edit, &mut a.scale_in_cooldown_s, 0.0..=MAX_SECONDS);
    });
}

/// The "calls" menu: one after another, or all at once waiting for all,
/// the first or a quorum; then, for a quorum, its size, from 1 to the
/// service's `out_edges` calls.
fn calls_rows(ui: &mut Ui, edit: &mut Edit, calls: &mut CallOrder, out_edges: usize) {
    let current = match calls {
        CallOrder::Sequential => 0,
        CallOrder::Parallel { wait_for: WaitFor::All } => 1,
        CallOrder::Parallel { wait_for: WaitFor::First } => 2,
        CallOrder::Parallel { wait_for: WaitFor::Quorum(_) } => 3,
    };
    let no_calls = (out_edges == 0).then_some("It calls nothing yet: connect it to what it calls first.");
    let options = CALL_ORDERS.map(Choice::new);
    let options = [options[0], options[1], options[2], options[3].unless(no_calls)];
    let mut chosen = current;
    // The menu's field is not `calls`: the one problem of `calls` (a
    // quorum out of range) goes under the quorum's row.
    Row::new("calls", "wait_for").help(CALLS_HELP).choice(ui, edit, &mut chosen, &options);
    if chosen != current {
        // A majority of the calls to start with: 2 of 3.
        let majority = (out_edges / 2 + 1).min(out_edges).max(1);
        *calls = match chosen {
            1 => CallOrder::Parallel { wait_for: WaitFor::All },
            2 => CallOrder::Parallel { wait_for: WaitFor::First },
            3 => CallOrder::Parallel { wait_for: WaitFor::Quorum(u32::try_from(majority).unwrap_or(1)) },
            _ => CallOrder::Sequential,
        };
    }
    if let CallOrder::Parallel { wait_for: WaitFor::Quorum(k) } = calls {
        let most = u32::try_from(out_edges.max(1)).unwrap_or(u32::MAX);
        Row::new("  quorum", "calls")
            .unit(&format!(" of {out_edges} answers"))
            .speed(0.05)
            .help(
                "Successful answers the request waits for, out of its calls (1 to the number of its edges): 2 of 3 \
                 replicas for a quorum read. The k-th fastest answer sets its latency, so a slow minority does not \
                 hold it; it fails as soon as too many calls failed for k to succeed.",
            )
            .whole(ui, edit, k, 1..=most);
    }
}

/// The optional token bucket in front of a service, cache, queue or
/// database: a switch, then its rate and burst while it is on.
fn rate_limit_rows(ui: &mut Ui, edit: &mut Edit, slot: &mut Option<RateLimitSpec>) {
    let mut on = slot.is_some();
    Row::new("rate limit", "rate_limit")
        .help("A token bucket in front of the node, like an API gateway's limit: requests beyond the rate are refused at once ('rate limited', HTTP 429) instead of queueing. Use it to protect a database from a spike; callers see 429s and should back off.")
        .switch(ui, edit, &mut on, "refuse beyond a rate (429)");
    if on != slot.is_some() {
        *slot = on.then(RateLimitSpec::default);
    }
    if let Some(limit) = slot {
        edit.within(&[Key("rate_limit")], |edit| {
            Row::new("  rate", "rate")
                .unit(" req/s")
                .speed(1.0)
                .help("Tokens added per second: the sustained rate let through. Set it below what the node can serve.")
                .number(ui, edit, &mut limit.rate, RATE);
            Row::new("  burst", "burst")
                .help("The bucket's size: requests that may pass back to back after a quiet spell. Larger = more tolerant of short bursts.")
                .whole(ui, edit, &mut limit.burst, 1..=MAX_BURST);
            let label = label_cell(
                ui,
                "  per",
                "Whose requests share a bucket. The node: all of them. Each client: a limit per API key, so one noisy \
                 client cannot use up the others' share. Each priority class: sheddable traffic cannot take the \
                 critical requests' tokens. Each bucket has the full rate and burst.",
            );
            let choices = [LimitPer::Node, LimitPer::Client, LimitPer::Class];
            let current = choices.iter().position(|p| *p == limit.per).unwrap_or(0);
            let chosen = variant_menu(ui, "rate-limit-per", &label, &["the node", "each client", "each priority class"], current);
            if chosen != current {
                limit.per = choices[chosen];
                edit.changed = true;
            }
        });
    }
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
        edit.within(&[Key("mode")], |edit| match &mut c.mode {
            CacheMode::Lru { capacity, ttl_s } => {
                Row::new("capacity", "capacity")
                    .unit(" keys")
                    .speed(10.0)
                    .help("Keys held at most; the least recently used is evicted to make room.")
                    .whole(ui, edit, capacity, 1..=MAX_CACHE_KEYS);
                Row::new("TTL", "ttl_s")
                    .unit(" s")
                    .help("A cached copy expires after this long, so data is at most this stale.")
                    .optional_number(ui, edit, ttl_s, (60.0, "forever"), 0.001..=MAX_SECONDS);
            }
            CacheMode::FixedHitRate { hit_probability } => {
                Row::new("hit rate", "hit_probability").help("Share of reads answered from the cache.").percent(
                    ui,
                    edit,
                    hit_probability,
                );
            }
        });
        distribution_rows(
            ui,
            edit,
            ("lookup time", "lookup_time"),
            &mut c.lookup_time,
            "Time to answer a lookup, hit or miss (a network round trip to Redis is ~0.2–1 ms).",
        );
        rate_limit_rows(ui, edit, &mut c.rate_limit);
    });
}

fn queue_ui(ui: &mut Ui, q: &mut QueueSpec, edit: &mut Edit, salt: &str) {
    form(ui, ("queue", salt), |ui| {
        Row::new("capacity", "capacity")
            .unit(" msgs")
            .help("Messages held at most; a producer whose message does not fit gets an error.")
            .whole(ui, edit, &mut q.capacity, 1..=100_000_000);
        Row::new("consumers", "consumers")
            .help("Messages delivered downstream at once. Fewer consumers = more lag, smoother load.")
            .whole(ui, edit, &mut q.consumers, 1..=100_000);
        rate_limit_rows(ui, edit, &mut q.rate_limit);
    });
}

fn database_ui(ui: &mut Ui, d: &mut DatabaseSpec, edit: &mut Edit, salt: &str) {
    form(ui, ("db", salt), |ui| {
        Row::new("connections", "connections")
            .help("Queries run at once per server (the connection pool). More is not always faster on a real database.")
            .whole(ui, edit, &mut d.connections, 1..=100_000);
        Row::new("queue capacity", "queue_capacity")
            .help("Queries that may wait for a connection; beyond it they fail at once.")
            .optional_whole(ui, edit, &mut d.queue_capacity, (200, "unbounded"));
        distribution_rows(
            ui,
            edit,
            ("query time", "query_time"),
            &mut d.query_time,
            "How long one query takes once it has a connection.",
        );
        Row::new("error rate", "error_probability")
            .help("Share of queries that fail (deadlocks, constraint errors).")
            .percent(ui, edit, &mut d.error_probability);
        Row::new(if d.autoscale.is_some() { "read replicas at start" } else { "read replicas" }, "read_replicas")
            .help("Copies that serve reads round robin; writes go to the primary. Changing it needs a reset.")
            .whole(ui, edit, &mut d.read_replicas, 0..=MAX_READ_REPLICAS);
        if d.read_replicas > 0 || d.autoscale.is_some() {
            autoscale_rows(ui, edit, &mut d.autoscale, d.read_replicas, Scaled::ReadReplicas);
        }
        Row::new("replication lag", "replication_lag_ms")
            .unit(" ms")
            .speed(1.0)
            .help("How long a write takes to reach the replicas; a read of that key meanwhile is stale.")
            .number(ui, edit, &mut d.replication_lag_ms, 0.0..=MAX_MS);
        write_time_rows(ui, edit, &mut d.write_time);
        table_rows(ui, edit, &mut d.table);
        Row::new("shards", "shards")
            .help("Split the data by key over this many servers (each with its own connections, queue and replicas): a request goes to shard hash(key) mod shards. It scales when keys are even; under Zipf keys the shard with the hottest key saturates first (the report shows each shard). Needs client keys. Changing it needs a reset.")
            .whole(ui, edit, &mut d.shards, 1..=MAX_SHARDS);
        rate_limit_rows(ui, edit, &mut d.rate_limit);
    });
}

/// A database's own time for writes, on or off (off: writes take the
/// query time like reads).
fn write_time_rows(ui: &mut Ui, edit: &mut Edit, slot: &mut Option<DistributionSpec>) {
    let mut on = slot.is_some();
    Row::new("write time", "write_time")
        .help("Give writes their own time when they cost more than reads (an update also writes the log and every index). Off: writes take the query time. Writes go to the primary.")
        .switch(ui, edit, &mut on, "writes cost their own time");
    if on != slot.is_some() {
        *slot = on.then_some(DistributionSpec::Exponential { mean_ms: 20.0 });
    }
    if let Some(write_time) = slot {
        distribution_rows(
            ui,
            edit,
            ("  write time", "write_time"),
            write_time,
            "How long one write takes once it has a connection.",
        );
    }
}

/// The table the queries read: its rows and whether they use an index.
fn table_rows(ui: &mut Ui, edit: &mut Edit, slot: &mut Option<TableSpec>) {
    let mut on = slot.is_some();
    Row::new("table", "table")
        .help("Make each query's cost depend on the data: a table of so many rows, read through an index (a lookup that grows with log(rows)) or scanned (a cost that grows with rows). Use it to ask whether a query still holds at production size.")
        .switch(ui, edit, &mut on, "queries read a table");
    if on != slot.is_some() {
        *slot = on.then(TableSpec::default);
    }
    if let Some(table) = slot {
        edit.within(&[Key("table")], |edit| {
            Row::new("  rows", "rows")
                .speed(1_000.0)
                .help("Rows in the table. A scan reads them all; an index lookup reads ceil(log100(rows)) pages.")
                .whole(ui, edit, &mut table.rows, 1..=MAX_TABLE_ROWS);
            Row::new("  index", "index")
                .help("On: the query finds its rows through a B-tree index (levels × the level time). Off: it scans every row (rows × the scan time), fine on a small table, fatal on a big one.")
                .switch(ui, edit, &mut table.index, "the query uses an index");
            Row::new("  scan per row", "row_scan_us")
                .unit(" µs")
                .speed(0.001)
                .help("Time to read one row in a scan (0.02 µs: 50 M rows a second).")
                .number(ui, edit, &mut table.row_scan_us, 0.0..=MAX_ROW_SCAN_US);
            Row::new("  index level", "index_level_ms")
                .unit(" ms")
                .speed(0.001)
                .help("Time per level of the index's B-tree (a page, usually cached).")
                .number(ui, edit, &mut table.index_level_ms, 0.0..=MAX_MS);
            ui.label("");
            ui.weak(format!("adds {:.3} ms to every query", table.query_cost_ms()));
            ui.end_row();
        });
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use egui_kittest::Harness;

    use super::*;
    use crate::gui::problems::DocProblems;
    use crate::scenario::{RetryBudget, RetryPolicy, Scenario, default_scenario};

    /// Draws node `id`'s form with the document's problems and returns the
    /// messages no row showed under its field.
    fn unplaced_problems(scenario: &Scenario, id: &str) -> (usize, Vec<String>) {
        let problems = DocProblems::of(scenario);
        let fields = problems.node_fields.get(id).cloned().unwrap_or_default();
        let index = scenario.node_index(id).expect("the node exists");
        let out_edges = scenario.edges.iter().filter(|e| e.from == id).count();
        let kind = RefCell::new(scenario.nodes[index].kind.clone());
        let edit = RefCell::new(Edit::with_problems(&fields));
        let mut harness = Harness::new_ui(|ui| {
            node_kind_ui(ui, &mut kind.borrow_mut(), &mut edit.borrow_mut(), id, out_edges);
        });
        harness.run();
        drop(harness);
        (fields.len(), edit.into_inner().not_shown())
    }

    /// Each field the old label table missed gets its problem under its row.
    #[test]
    fn every_field_problem_shows_under_its_row() {
        let base = default_scenario();
        let users = base.nodes.iter().position(|n| matches!(n.kind, NodeKind::Client(_))).expect("a client");
        let users_id = base.nodes[users].id.clone();
        let mut s = base.clone();
        if let NodeKind::Client(c) = &mut s.nodes[users].kind {
            c.retry = Some(RetryPolicy {
                max_attempts: 0,
                backoff_ms: 10.0,
                multiplier: 2.0,
                max_backoff_ms: 100.0,
                jitter: 0.0,
                budget: Some(RetryBudget { ratio: 20.0, min_per_s: -1.0 }),
            });
            c.keys = Some(KeySpec { keyspace: 10, zipf_exponent: 50.0 });
            c.write_fraction = 2.0;
            c.profile = vec![ProfileShape::Step { at_s: 10.0, factor: -1.0 }];
            c.timeout_ms = Some(-5.0);
        }
        let (found, unplaced) = unplaced_problems(&s, &users_id);
        assert!(found >= 7, "{found} problems");
        assert!(unplaced.is_empty(), "not under their rows: {unplaced:?}");

        let cache = base.nodes.iter().position(|n| matches!(n.kind, NodeKind::Cache(_))).expect("a cache");
        let cache_id = base.nodes[cache].id.clone();
        for mode in
            [CacheMode::Lru { capacity: 10, ttl_s: Some(-1.0) }, CacheMode::FixedHitRate { hit_probability: 3.0 }]
        {
            let mut s = base.clone();
            if let NodeKind::Cache(c) = &mut s.nodes[cache].kind {
                c.mode = mode;
                c.lookup_time = DistributionSpec::Exponential { mean_ms: -1.0 };
            }
            let (found, unplaced) = unplaced_problems(&s, &cache_id);
            assert_eq!(found, 2);
            assert!(unplaced.is_empty(), "not under their rows: {unplaced:?}");
        }

        // A quorum larger than the service's calls, or of none.
        for k in [0, 5] {
            let mut s = base.clone();
            let app = s.node_index("app-1").expect("app-1");
            if let NodeKind::Service(svc) = &mut s.nodes[app].kind {
                svc.calls = CallOrder::Parallel { wait_for: WaitFor::Quorum(k) };
            }
            let (found, unplaced) = unplaced_problems(&s, "app-1");
            assert_eq!(found, 1, "a quorum of {k}");
            assert!(unplaced.is_empty(), "not under their rows: {unplaced:?}");
        }

        // A shedding limit below zero.
        let mut s = base.clone();
        let app = s.node_index("app-1").expect("app-1");
        if let NodeKind::Service(svc) = &mut s.nodes[app].kind {
            svc.shed_after_ms = Some(-5.0);
        }
        let (found, unplaced) = unplaced_problems(&s, "app-1");
        assert_eq!(found, 1, "a negative shedding limit");
        assert!(unplaced.is_empty(), "not under their rows: {unplaced:?}");

        let db = base.nodes.iter().position(|n| matches!(n.kind, NodeKind::Database(_))).expect("a database");
        let db_id = base.nodes[db].id.clone();
        let mut s = base.clone();
        if let Some(slot) = s.nodes[db].kind.rate_limit_mut() {
            *slot = Some(RateLimitSpec { rate: -1.0, burst: 0, ..RateLimitSpec::default() });
        }
        let (found, unplaced) = unplaced_problems(&s, &db_id);
        assert_eq!(found, 2);
        assert!(unplaced.is_empty(), "not under their rows: {unplaced:?}");
    }
}
