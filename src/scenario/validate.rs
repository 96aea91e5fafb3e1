//! Semantic checks on a parsed scenario: everything the RON parser cannot
//! see (references between nodes, ranges, the shape of the topology).
//!
//! Every problem is collected, none stops the others, so a learner fixes a
//! file in one pass. Each carries the path of the offending field; the
//! loader turns it into a line and column with [`super::locate`], so paths
//! name the field itself (`nodes[2].kind.arrivals.rate`), not just the node.

use std::collections::{HashMap, HashSet};

use super::distribution_spec::{show, thousands};
use super::limits::{
    MAX_CACHE_KEYS, MAX_FACTOR, MAX_LB_TARGETS, MAX_MS, MAX_RATE_RPS, MAX_READ_REPLICAS, MAX_RETRY_ATTEMPTS,
    MAX_SECONDS, MAX_USERS, MAX_WEIGHT, MAX_ZIPF_EXPONENT, MIN_RANDOM_CRASH_MEAN_S, MIN_THINK_MS, MIN_WINDOW_S,
};
pub use super::locate::PathSegment;
use super::locate::PathSegment::{Index, Key};
use super::{Arrivals, CacheMode, DistributionSpec, FaultSpec, LbPolicy, NodeKind, ProfileShape, Scenario};

/// A problem found by validation, before it is given a line and column.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Where in the document: field names and list positions from the top,
    /// e.g. `[Key("nodes"), Index(2), Key("kind"), Key("workers")]`.
    pub path: Vec<PathSegment<'static>>,
    /// A sentence for the learner: what is wrong, what was expected.
    pub message: String,
}

impl Problem {
    /// The node the problem concerns (its position in `Scenario::nodes`).
    pub fn node_index(&self) -> Option<usize> {
        self.index_under("nodes")
    }

    /// The edge the problem concerns (its position in `Scenario::edges`).
    pub fn edge_index(&self) -> Option<usize> {
        self.index_under("edges")
    }

    /// The fault-timeline entry the problem concerns.
    pub fn fault_index(&self) -> Option<usize> {
        self.index_under("faults")
    }

    fn index_under(&self, list: &str) -> Option<usize> {
        match self.path.as_slice() {
            [Key(k), Index(i), ..] if *k == list => Some(*i),
            _ => None,
        }
    }
}

type Path = Vec<PathSegment<'static>>;

/// `base` followed by more segments.
fn at(base: &[PathSegment<'static>], more: &[PathSegment<'static>]) -> Path {
    let mut p = base.to_vec();
    p.extend_from_slice(more);
    p
}

/// The lower end of an accepted range.
#[derive(Clone, Copy)]
enum Low {
    /// Strictly above.
    Above(f64),
    /// Equal or above.
    AtLeast(f64),
}

/// Collects problems with the path of what is being checked.
struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn report(&mut self, path: Path, message: impl Into<String>) {
        self.problems.push(Problem { path, message: message.into() });
    }

    /// `base.field` must be a finite number in the range; says the range
    /// and the unit when it is not.
    fn number(&mut self, base: &[PathSegment<'static>], field: &'static str, v: f64, low: Low, high: f64, unit: &str) {
        let low_ok = match low {
            Low::Above(l) => v > l,
            Low::AtLeast(l) => v >= l,
        };
        if low_ok && v <= high && v.is_finite() {
            return;
        }
        let low_text = match low {
            Low::Above(l) => format!("more than {l}"),
            Low::AtLeast(0.0) => "0 or more".to_string(),
            Low::AtLeast(l) => format!("at least {l}"),
        };
        let high_text = if high.is_finite() { format!(" and at most {}", thousands(high)) } else { String::new() };
        let unit = if unit.is_empty() { String::new() } else { format!(" {unit}") };
        self.report(at(base, &[Key(field)]), format!("`{field}` must be {low_text}{high_text}{unit}, got {}", show(v)));
    }

    /// A duration or rate that must be above zero.
    fn positive(&mut self, base: &[PathSegment<'static>], field: &'static str, v: f64, high: f64, unit: &str) {
        self.number(base, field, v, Low::Above(0.0), high, unit);
    }

    /// A time or factor that may be zero.
    fn non_negative(&mut self, base: &[PathSegment<'static>], field: &'static str, v: f64, high: f64, unit: &str) {
        self.number(base, field, v, Low::AtLeast(0.0), high, unit);
    }

    fn probability(&mut self, base: &[PathSegment<'static>], field: &'static str, v: f64) {
        if !(0.0..=1.0).contains(&v) {
            self.report(
                at(base, &[Key(field)]),
                format!("`{field}` is a probability: it must be between 0 and 1 (0.05 = 5%), got {}", show(v)),
            );
        }
    }

    /// A whole number that must be at least `min` and at most `max`.
    /// `unit` is singular (`worker`); the message says `1 worker`, `64 workers`.
    fn count(&mut self, base: &[PathSegment<'static>], field: &'static str, v: u64, min: u64, max: u64, unit: &str) {
        let units = |n: u64| if n == 1 { unit.to_string() } else { format!("{unit}s") };
        if v < min {
            self.report(at(base, &[Key(field)]), format!("`{field}` must be at least {min} {}, got {v}", units(min)));
        } else if v > max {
            let text = thousands(max as f64);
            self.report(at(base, &[Key(field)]), format!("`{field}` must be at most {text} {}, got {v}", units(max)));
        }
    }

    /// A distribution's parameters, each pointed at where it is written.
    fn distribution(&mut self, base: &[PathSegment<'static>], field: &'static str, d: &DistributionSpec) {
        for (parameter, message) in d.parameter_problems() {
            self.report(at(base, &[Key(field), Key(parameter)]), format!("in `{field}`: {message}"));
        }
    }

    /// `later` must come after `earlier` (both already checked as times).
    fn after(&mut self, base: &[PathSegment<'static>], later: (&'static str, f64), earlier: (&'static str, f64)) {
        if later.1.is_finite() && earlier.1.is_finite() && later.1 <= earlier.1 {
            self.report(
                at(base, &[Key(later.0)]),
                format!("`{}` ({}) must be after `{}` ({})", later.0, later.1, earlier.0, earlier.1),
            );
        }
    }
}

/// Checks everything that parsing cannot: references, ranges, topology.
pub fn validate(scenario: &Scenario) -> Vec<Problem> {
    let mut c = Checker { problems: Vec::new() };
    check_run_settings(&mut c, scenario);
    check_ids(&mut c, scenario);
    check_edges(&mut c, scenario);
    for i in 0..scenario.nodes.len() {
        check_node(&mut c, scenario, i);
    }
    check_cycles(&mut c, scenario);
    check_faults(&mut c, scenario);
    c.problems
}

fn check_run_settings(c: &mut Checker, s: &Scenario) {
    c.positive(&[], "duration_s", s.duration_s, MAX_SECONDS, "seconds");
    c.non_negative(&[], "warmup_s", s.warmup_s, MAX_SECONDS, "seconds");
    if s.duration_s > 0.0 && s.warmup_s >= s.duration_s {
        c.report(
            vec![Key("warmup_s")],
            format!(
                "`warmup_s` ({}) must be shorter than `duration_s` ({}): the warm-up is left out of the totals, \
                 so nothing would be measured",
                s.warmup_s, s.duration_s
            ),
        );
    }
    c.number(&[], "window_s", s.window_s, Low::AtLeast(MIN_WINDOW_S), MAX_SECONDS, "seconds");
    if s.nodes.is_empty() {
        c.report(vec![Key("nodes")], "the scenario has no nodes: add at least a client and what it calls");
    }
}

fn check_ids(c: &mut Checker, s: &Scenario) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, node) in s.nodes.iter().enumerate() {
        let path = vec![Key("nodes"), Index(i), Key("id")];
        if node.id.trim().is_empty() {
            c.report(path.clone(), "a node needs a non-empty `id`: edges and faults refer to nodes by it");
        }
        if let Some(first) = seen.insert(&node.id, i) {
            c.report(
                path,
                format!(
                    "node id \"{}\" is used twice (node {} and node {}); ids must be unique because edges and \
                     faults refer to nodes by id",
                    node.id,
                    first + 1,
                    i + 1
                ),
            );
            seen.insert(&node.id, first);
        }
        if !(node.pos.0.is_finite() && node.pos.1.is_finite()) {
            c.report(
                vec![Key("nodes"), Index(i), Key("pos")],
                format!("`pos` must be two finite numbers (x, y), got ({}, {})", node.pos.0, node.pos.1),
            );
        }
    }
}

/// "unknown node "x"", with the closest id as a suggestion or the ids there are.
fn unknown_node(s: &Scenario, id: &str) -> String {
    let best = s
        .nodes
        .iter()
        .map(|n| (edit_distance(&n.id.to_lowercase(), &id.to_lowercase()), n.id.as_str()))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((d, near)) if super::load::is_typo(id, near, d) => {
            format!("there is no node \"{id}\"; did you mean \"{near}\"?")
        }
        _ if s.nodes.is_empty() => format!("there is no node \"{id}\" (the scenario has no nodes)"),
        _ => {
            let mut ids: Vec<String> = Vec::new();
            for n in &s.nodes {
                let quoted = format!("\"{}\"", n.id);
                if !ids.contains(&quoted) {
                    ids.push(quoted);
                }
            }
            if ids.len() > 12 {
                ids.truncate(12);
                ids.push("…".into());
            }
            format!("there is no node \"{id}\"; the nodes are {}", ids.join(", "))
        }
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

fn check_edges(c: &mut Checker, s: &Scenario) {
    for (i, e) in s.edges.iter().enumerate() {
        let path = vec![Key("edges"), Index(i)];
        for (field, id) in [("from", &e.from), ("to", &e.to)] {
            if s.node(id).is_none() {
                c.report(at(&path, &[Key(field)]), format!("edge {}: `{field}`: {}", i + 1, unknown_node(s, id)));
            }
        }
        if e.from == e.to {
            c.report(
                at(&path, &[Key("to")]),
                format!(
                    "node \"{}\" calls itself: calls are synchronous, so the request would wait for its own answer",
                    e.from
                ),
            );
        }
        if let Some(to) = s.node(&e.to)
            && !to.kind.accepts_requests()
        {
            c.report(
                at(&path, &[Key("to")]),
                format!("\"{}\" is a client: clients send requests but cannot receive them", e.to),
            );
        }
        if let Some(lat) = &e.latency {
            c.distribution(&path, "latency", lat);
        }
        c.probability(&path, "drop_probability", e.drop_probability);
        c.non_negative(&path, "weight", e.weight, MAX_WEIGHT, "");
    }
}

/// The ids an edge list names, quoted, for messages.
fn targets(s: &Scenario, id: &str) -> String {
    let list: Vec<String> = s.out_edges(id).map(|e| format!("\"{}\"", e.to)).collect();
    list.join(", ")
}

fn check_node(c: &mut Checker, s: &Scenario, i: usize) {
    let node = &s.nodes[i];
    let id = &node.id;
    let id_path = vec![Key("nodes"), Index(i), Key("id")];
    let kind = vec![Key("nodes"), Index(i), Key("kind")];
    let out = s.out_edges(id).count();
    match &node.kind {
        NodeKind::Client(cl) => {
            if out == 0 {
                c.report(
                    id_path,
                    format!(
                        "client \"{id}\" has no target: add an edge from it, such as (from: \"{id}\", to: \"...\")"
                    ),
                );
            } else if out > 1 {
                c.report(
                    id_path,
                    format!(
                        "client \"{id}\" has {out} targets ({}); a client sends to exactly one: put a load balancer \
                         in front to spread the traffic",
                        targets(s, id)
                    ),
                );
            }
            let arrivals = at(&kind, &[Key("arrivals")]);
            match &cl.arrivals {
                Arrivals::Poisson { rate } | Arrivals::Constant { rate } => {
                    c.positive(&arrivals, "rate", *rate, MAX_RATE_RPS, "requests/s");
                }
                Arrivals::Bursty { rate_on, rate_off, mean_on_s, mean_off_s } => {
                    c.positive(&arrivals, "rate_on", *rate_on, MAX_RATE_RPS, "requests/s");
                    c.non_negative(&arrivals, "rate_off", *rate_off, MAX_RATE_RPS, "requests/s");
                    c.positive(&arrivals, "mean_on_s", *mean_on_s, MAX_SECONDS, "seconds");
                    c.positive(&arrivals, "mean_off_s", *mean_off_s, MAX_SECONDS, "seconds");
                }
                Arrivals::Closed { users, think } => {
                    c.count(&arrivals, "users", u64::from(*users), 1, u64::from(MAX_USERS), "user");
                    c.distribution(&arrivals, "think", think);
                    if think.problems().is_empty() && think.mean_ms().is_some_and(|m| m < MIN_THINK_MS) {
                        c.report(
                            at(&arrivals, &[Key("think")]),
                            format!(
                                "closed-loop users need a think time of at least {MIN_THINK_MS} ms on average: \
                                 with none, a user whose request takes no time would ask again and again \
                                 without the clock moving"
                            ),
                        );
                    }
                    if !cl.profile.is_empty() {
                        c.report(
                            at(&kind, &[Key("profile")]),
                            "a traffic profile shapes open-loop arrivals (Poisson, Constant, Bursty); closed-loop \
                             users ignore it: remove the profile, or use open-loop arrivals",
                        );
                    }
                }
            }
            for (k, shape) in cl.profile.iter().enumerate() {
                check_profile_shape(c, &at(&kind, &[Key("profile"), Index(k)]), shape);
            }
            if let Some(t) = cl.timeout_ms {
                c.positive(&kind, "timeout_ms", t, MAX_MS, "ms");
            }
            if let Some(r) = &cl.retry {
                let retry = at(&kind, &[Key("retry")]);
                let max = u64::from(MAX_RETRY_ATTEMPTS);
                c.count(&retry, "max_attempts", u64::from(r.max_attempts), 1, max, "attempt");
                c.non_negative(&retry, "backoff_ms", r.backoff_ms, MAX_MS, "ms");
                c.number(&retry, "multiplier", r.multiplier, Low::AtLeast(1.0), MAX_FACTOR, "");
                c.non_negative(&retry, "max_backoff_ms", r.max_backoff_ms, MAX_MS, "ms");
                c.probability(&retry, "jitter", r.jitter);
            }
            if let Some(k) = &cl.keys {
                let keys = at(&kind, &[Key("keys")]);
                c.count(&keys, "keyspace", k.keyspace, 1, u64::MAX, "key");
                c.non_negative(&keys, "zipf_exponent", k.zipf_exponent, MAX_ZIPF_EXPONENT, "");
            }
            c.probability(&kind, "write_fraction", cl.write_fraction);
        }
        NodeKind::LoadBalancer(lb) => {
            if out == 0 {
                c.report(
                    id_path,
                    format!("load balancer \"{id}\" has no targets: add an edge from it to each replica"),
                );
            } else if out > MAX_LB_TARGETS {
                c.report(
                    id_path,
                    format!("load balancer \"{id}\" has {out} targets; at most {MAX_LB_TARGETS} are supported"),
                );
            } else if lb.policy == LbPolicy::Weighted && s.out_edges(id).all(|e| e.weight <= 0.0) {
                c.report(
                    id_path,
                    format!("load balancer \"{id}\" is weighted but every edge from it has weight 0: give one a weight above 0"),
                );
            }
            c.non_negative(&kind, "health_check_delay_s", lb.health_check_delay_s, MAX_SECONDS, "seconds");
        }
        NodeKind::Service(sv) => {
            c.count(&kind, "workers", u64::from(sv.workers), 1, u64::from(u32::MAX), "worker");
            c.distribution(&kind, "service_time", &sv.service_time);
            c.probability(&kind, "error_probability", sv.error_probability);
        }
        NodeKind::Cache(ca) => {
            if out != 1 {
                let has = if out == 0 { "none".to_string() } else { format!("{out}: {}", targets(s, id)) };
                c.report(
                    id_path,
                    format!(
                        "cache \"{id}\" needs exactly one outgoing edge, to the node misses are read from; it has {has}"
                    ),
                );
            }
            let mode = at(&kind, &[Key("mode")]);
            match &ca.mode {
                CacheMode::Lru { capacity, ttl_s } => {
                    c.count(&mode, "capacity", *capacity, 1, MAX_CACHE_KEYS, "key");
                    if let Some(ttl) = ttl_s {
                        c.positive(&mode, "ttl_s", *ttl, MAX_SECONDS, "seconds");
                    }
                }
                CacheMode::FixedHitRate { hit_probability } => {
                    c.probability(&mode, "hit_probability", *hit_probability);
                }
            }
            c.distribution(&kind, "lookup_time", &ca.lookup_time);
        }
        NodeKind::Queue(q) => {
            if out != 1 {
                let has = if out == 0 { "none".to_string() } else { format!("{out}: {}", targets(s, id)) };
                c.report(
                    id_path,
                    format!(
                        "queue \"{id}\" needs exactly one outgoing edge, to the node its consumers deliver \
                         messages to; it has {has}"
                    ),
                );
            }
            c.count(&kind, "capacity", u64::from(q.capacity), 1, u64::from(u32::MAX), "message");
            c.count(&kind, "consumers", u64::from(q.consumers), 1, u64::from(u32::MAX), "consumer");
        }
        NodeKind::Database(db) => {
            if out > 0 {
                c.report(
                    id_path,
                    format!(
                        "database \"{id}\" cannot call other nodes, but has edges to {}: remove them",
                        targets(s, id)
                    ),
                );
            }
            c.count(&kind, "connections", u64::from(db.connections), 1, u64::from(u32::MAX), "connection");
            c.distribution(&kind, "query_time", &db.query_time);
            c.probability(&kind, "error_probability", db.error_probability);
            let replicas = u64::from(db.read_replicas);
            c.count(&kind, "read_replicas", replicas, 0, u64::from(MAX_READ_REPLICAS), "replica");
            c.non_negative(&kind, "replication_lag_ms", db.replication_lag_ms, MAX_MS, "ms");
        }
    }
}

fn check_profile_shape(c: &mut Checker, p: &[PathSegment<'static>], shape: &ProfileShape) {
    match shape {
        ProfileShape::Step { at_s, factor } => {
            c.non_negative(p, "at_s", *at_s, MAX_SECONDS, "seconds");
            c.non_negative(p, "factor", *factor, MAX_FACTOR, "");
        }
        ProfileShape::Ramp { start_s, end_s, from_factor, to_factor } => {
            c.non_negative(p, "start_s", *start_s, MAX_SECONDS, "seconds");
            c.non_negative(p, "end_s", *end_s, MAX_SECONDS, "seconds");
            c.after(p, ("end_s", *end_s), ("start_s", *start_s));
            c.non_negative(p, "from_factor", *from_factor, MAX_FACTOR, "");
            c.non_negative(p, "to_factor", *to_factor, MAX_FACTOR, "");
        }
        ProfileShape::Spike { start_s, duration_s, factor } => {
            c.non_negative(p, "start_s", *start_s, MAX_SECONDS, "seconds");
            c.positive(p, "duration_s", *duration_s, MAX_SECONDS, "seconds");
            c.non_negative(p, "factor", *factor, MAX_FACTOR, "");
        }
        ProfileShape::Daily { period_s, amplitude, phase_s } => {
            c.positive(p, "period_s", *period_s, MAX_SECONDS, "seconds");
            c.number(p, "amplitude", *amplitude, Low::AtLeast(0.0), 1.0, "");
            c.number(p, "phase_s", *phase_s, Low::AtLeast(-MAX_SECONDS), MAX_SECONDS, "seconds");
        }
    }
}

/// Calls are synchronous, so a cycle would have a request wait on itself.
/// Each cycle is reported once, at the edge that closes it.
fn check_cycles(c: &mut Checker, s: &Scenario) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let index: HashMap<&str, usize> = s.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    // (callee, edge index) per caller; self-calls are reported with the edges.
    let mut adjacency = vec![Vec::new(); s.nodes.len()];
    for (k, e) in s.edges.iter().enumerate() {
        if let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str()))
            && a != b
        {
            adjacency[a].push((b, k));
        }
    }
    let mut marks = vec![Mark::New; s.nodes.len()];
    let mut reported = HashSet::new();
    for start in 0..s.nodes.len() {
        if marks[start] != Mark::New {
            continue;
        }
        // Iterative depth-first search keeping the current path.
        let mut stack = vec![(start, 0usize)];
        let mut path = vec![start];
        marks[start] = Mark::OnPath;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&(child, edge)) = adjacency[node].get(*next) {
                *next += 1;
                match marks[child] {
                    Mark::New => {
                        marks[child] = Mark::OnPath;
                        stack.push((child, 0));
                        path.push(child);
                    }
                    Mark::OnPath => {
                        let from = path.iter().position(|&n| n == child).unwrap_or(0);
                        let mut cycle: Vec<&str> = path[from..].iter().map(|&n| s.nodes[n].id.as_str()).collect();
                        cycle.push(&s.nodes[child].id);
                        if reported.insert(edge) {
                            c.report(
                                vec![Key("edges"), Index(edge), Key("to")],
                                format!(
                                    "calls form a cycle: {}; calls are synchronous, so a request would end up \
                                     waiting for itself: remove one of these edges",
                                    cycle.join(" → ")
                                ),
                            );
                        }
                    }
                    Mark::Done => {}
                }
            } else {
                marks[node] = Mark::Done;
                stack.pop();
                path.pop();
            }
        }
    }
}

/// The kinds of node a fault acts on, as a phrase, when `kind` is not one.
fn wrong_kind(fault: &FaultSpec, kind: &NodeKind) -> Option<&'static str> {
    let does_work = matches!(kind, NodeKind::Service(_) | NodeKind::Cache(_) | NodeKind::Database(_));
    match fault {
        FaultSpec::Slow { .. } if !does_work => {
            Some("only a service, a cache or a database does work that can slow down")
        }
        FaultSpec::Errors { .. } if !does_work => Some("only a service, a cache or a database can return errors"),
        FaultSpec::Flush { .. } if !matches!(kind, NodeKind::Cache(_)) => Some("only a cache can be flushed"),
        FaultSpec::Spike { .. } => match kind {
            NodeKind::Client(cl) if matches!(cl.arrivals, Arrivals::Closed { .. }) => {
                Some("a spike multiplies an open-loop client's rate; closed-loop users have no rate to multiply")
            }
            NodeKind::Client(_) => None,
            _ => Some("a spike multiplies a client's rate"),
        },
        _ => None,
    }
}

fn check_faults(c: &mut Checker, s: &Scenario) {
    for (i, f) in s.faults.iter().enumerate() {
        let path = vec![Key("faults"), Index(i)];
        let fields: &[&'static str] = match f {
            FaultSpec::Partition { .. } => &["from", "to"],
            _ => &["node"],
        };
        for (field, id) in fields.iter().zip(f.node_refs()) {
            match s.node(id) {
                None => c.report(at(&path, &[Key(field)]), format!("fault {}: {}", i + 1, unknown_node(s, id))),
                Some(n) => {
                    if let Some(why) = wrong_kind(f, &n.kind) {
                        c.report(
                            at(&path, &[Key(field)]),
                            format!("{why}; \"{id}\" is a {}", n.kind.label().to_lowercase()),
                        );
                    }
                }
            }
        }
        let time =
            |c: &mut Checker, field: &'static str, v: f64| c.non_negative(&path, field, v, MAX_SECONDS, "seconds");
        match f {
            FaultSpec::Crash { at_s, restore_s, .. } => {
                time(c, "at_s", *at_s);
                if let Some(r) = restore_s {
                    time(c, "restore_s", *r);
                    c.after(&path, ("restore_s", *r), ("at_s", *at_s));
                }
            }
            FaultSpec::Slow { factor, from_s, to_s, .. } => {
                c.positive(&path, "factor", *factor, MAX_FACTOR, "");
                time(c, "from_s", *from_s);
                time(c, "to_s", *to_s);
                c.after(&path, ("to_s", *to_s), ("from_s", *from_s));
            }
            FaultSpec::Errors { probability, from_s, to_s, .. } => {
                c.probability(&path, "probability", *probability);
                time(c, "from_s", *from_s);
                time(c, "to_s", *to_s);
                c.after(&path, ("to_s", *to_s), ("from_s", *from_s));
            }
            FaultSpec::RandomCrashes { mtbf_s, mttr_s, .. } => {
                c.number(&path, "mtbf_s", *mtbf_s, Low::AtLeast(MIN_RANDOM_CRASH_MEAN_S), MAX_SECONDS, "seconds");
                c.number(&path, "mttr_s", *mttr_s, Low::AtLeast(MIN_RANDOM_CRASH_MEAN_S), MAX_SECONDS, "seconds");
            }
            FaultSpec::Partition { from, to, from_s, to_s } => {
                // `from_s`/`to_s` are times; `from`/`to` are the edge's ends.
                time(c, "from_s", *from_s);
                time(c, "to_s", *to_s);
                c.after(&path, ("to_s", *to_s), ("from_s", *from_s));
                if s.node(from).is_some()
                    && s.node(to).is_some()
                    && !s.edges.iter().any(|e| &e.from == from && &e.to == to)
                {
                    c.report(
                        at(&path, &[Key("to")]),
                        format!("there is no edge from \"{from}\" to \"{to}\" to partition"),
                    );
                }
            }
            FaultSpec::Flush { at_s, .. } => time(c, "at_s", *at_s),
            FaultSpec::Spike { at_s, duration_s, factor, .. } => {
                time(c, "at_s", *at_s);
                c.positive(&path, "duration_s", *duration_s, MAX_SECONDS, "seconds");
                c.non_negative(&path, "factor", *factor, MAX_FACTOR, "");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_of_an_id_are_suggested() {
        assert_eq!(edit_distance("replica-1", "replica-l"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
