//! Semantic checks on a parsed scenario. Every problem is collected, each
//! with a path into the document so the loader can point at it.

use std::collections::{HashMap, HashSet};

use super::locate::PathSegment::{self, Index, Key};
use super::{Arrivals, CacheMode, DistributionSpec, FaultSpec, NodeKind, ProfileShape, Scenario};

/// A problem found by validation, before it is given a line and column.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub path: Vec<PathSegment<'static>>,
    pub message: String,
}

/// Collects problems with the path of what is being checked.
struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn report(&mut self, path: &[PathSegment<'static>], message: impl Into<String>) {
        self.problems.push(Problem { path: path.to_vec(), message: message.into() });
    }

    fn positive(&mut self, path: &[PathSegment<'static>], what: &str, v: f64) {
        if !(v > 0.0 && v.is_finite()) {
            self.report(path, format!("`{what}` must be greater than 0, got {v}"));
        }
    }

    fn non_negative(&mut self, path: &[PathSegment<'static>], what: &str, v: f64) {
        if !(v >= 0.0 && v.is_finite()) {
            self.report(path, format!("`{what}` must be 0 or more, got {v}"));
        }
    }

    fn probability(&mut self, path: &[PathSegment<'static>], what: &str, v: f64) {
        if !(0.0..=1.0).contains(&v) {
            self.report(path, format!("`{what}` is a probability and must be between 0 and 1, got {v}"));
        }
    }

    fn distribution(&mut self, path: &[PathSegment<'static>], what: &str, d: &DistributionSpec) {
        for p in d.problems() {
            self.report(path, format!("in `{what}`: {p}"));
        }
    }
}

fn with(path: &[PathSegment<'static>], more: PathSegment<'static>) -> Vec<PathSegment<'static>> {
    let mut p = path.to_vec();
    p.push(more);
    p
}

/// Checks everything that parsing cannot: references, ranges, topology.
pub fn validate(scenario: &Scenario) -> Vec<Problem> {
    let mut c = Checker { problems: Vec::new() };
    c.positive(&[Key("duration_s")], "duration_s", scenario.duration_s);
    c.non_negative(&[Key("warmup_s")], "warmup_s", scenario.warmup_s);
    if scenario.warmup_s >= scenario.duration_s && scenario.duration_s > 0.0 {
        c.report(
            &[Key("warmup_s")],
            format!("`warmup_s` ({}) must be shorter than `duration_s` ({})", scenario.warmup_s, scenario.duration_s),
        );
    }
    c.positive(&[Key("window_s")], "window_s", scenario.window_s);
    if scenario.nodes.is_empty() {
        c.report(&[Key("nodes")], "the scenario has no nodes");
    }

    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, node) in scenario.nodes.iter().enumerate() {
        let path = [Key("nodes"), Index(i), Key("id")];
        if node.id.trim().is_empty() {
            c.report(&path, "a node needs a non-empty `id`");
        }
        if let Some(first) = seen.insert(&node.id, i) {
            c.report(&path, format!("node id \"{}\" is used twice (first by node #{})", node.id, first + 1));
        }
    }

    check_edges(&mut c, scenario);
    for (i, node) in scenario.nodes.iter().enumerate() {
        check_node(&mut c, scenario, i);
        let _ = node;
    }
    check_cycles(&mut c, scenario);
    check_faults(&mut c, scenario);
    c.problems
}

fn check_edges(c: &mut Checker, s: &Scenario) {
    for (i, e) in s.edges.iter().enumerate() {
        let path = [Key("edges"), Index(i)];
        for (field, id) in [("from", &e.from), ("to", &e.to)] {
            if s.node(id).is_none() {
                c.report(&with(&path, Key(field)), format!("edge {}: unknown node \"{id}\" in `{field}`", i + 1));
            }
        }
        if e.from == e.to {
            c.report(&with(&path, Key("to")), format!("node \"{}\" cannot call itself", e.from));
        }
        if let Some(to) = s.node(&e.to)
            && !to.kind.accepts_requests()
        {
            c.report(
                &with(&path, Key("to")),
                format!("\"{}\" is a client: clients send requests but cannot receive them", e.to),
            );
        }
        if let Some(lat) = &e.latency {
            c.distribution(&with(&path, Key("latency")), "latency", lat);
        }
        c.probability(&with(&path, Key("drop_probability")), "drop_probability", e.drop_probability);
        c.non_negative(&with(&path, Key("weight")), "weight", e.weight);
    }
}

fn check_node(c: &mut Checker, s: &Scenario, i: usize) {
    let node = &s.nodes[i];
    let base = [Key("nodes"), Index(i)];
    let at = |k: &'static str| with(&base, Key(k));
    let out = s.out_edges(&node.id).count();
    let id = &node.id;
    match &node.kind {
        NodeKind::Client(cl) => {
            if out == 0 {
                c.report(&at("id"), format!("client \"{id}\" has no target: add an edge from it"));
            } else if out > 1 {
                c.report(&at("id"), format!("client \"{id}\" has {out} targets; a client sends to one (put a load balancer in front to spread)"));
            }
            match &cl.arrivals {
                Arrivals::Poisson { rate } | Arrivals::Constant { rate } => c.positive(&at("rate"), "rate", *rate),
                Arrivals::Bursty { rate_on, rate_off, mean_on_s, mean_off_s } => {
                    c.positive(&at("rate_on"), "rate_on", *rate_on);
                    c.non_negative(&at("rate_off"), "rate_off", *rate_off);
                    c.positive(&at("mean_on_s"), "mean_on_s", *mean_on_s);
                    c.positive(&at("mean_off_s"), "mean_off_s", *mean_off_s);
                }
                Arrivals::Closed { users, think } => {
                    if *users == 0 {
                        c.report(&at("users"), "`users` must be at least 1");
                    }
                    c.distribution(&at("think"), "think", think);
                }
            }
            for (k, shape) in cl.profile.iter().enumerate() {
                let p = with(&at("profile"), Index(k));
                match shape {
                    ProfileShape::Step { at_s, factor } => {
                        c.non_negative(&p, "at_s", *at_s);
                        c.non_negative(&p, "factor", *factor);
                    }
                    ProfileShape::Ramp { start_s, end_s, from_factor, to_factor } => {
                        c.non_negative(&p, "start_s", *start_s);
                        if end_s <= start_s {
                            c.report(&p, format!("ramp `end_s` ({end_s}) must be after `start_s` ({start_s})"));
                        }
                        c.non_negative(&p, "from_factor", *from_factor);
                        c.non_negative(&p, "to_factor", *to_factor);
                    }
                    ProfileShape::Spike { start_s, duration_s, factor } => {
                        c.non_negative(&p, "start_s", *start_s);
                        c.positive(&p, "duration_s", *duration_s);
                        c.non_negative(&p, "factor", *factor);
                    }
                    ProfileShape::Daily { period_s, amplitude, .. } => {
                        c.positive(&p, "period_s", *period_s);
                        c.probability(&p, "amplitude", *amplitude);
                    }
                }
            }
            if let Some(t) = cl.timeout_ms {
                c.positive(&at("timeout_ms"), "timeout_ms", t);
            }
            if let Some(r) = &cl.retry {
                if r.max_attempts == 0 {
                    c.report(&at("max_attempts"), "`max_attempts` must be at least 1 (1 = no retries)");
                }
                c.non_negative(&at("backoff_ms"), "backoff_ms", r.backoff_ms);
                if !(r.multiplier >= 1.0 && r.multiplier.is_finite()) {
                    c.report(&at("multiplier"), format!("`multiplier` must be 1 or more, got {}", r.multiplier));
                }
                c.non_negative(&at("max_backoff_ms"), "max_backoff_ms", r.max_backoff_ms);
                c.probability(&at("jitter"), "jitter", r.jitter);
            }
            if let Some(k) = &cl.keys {
                if k.keyspace == 0 {
                    c.report(&at("keyspace"), "`keyspace` must be at least 1");
                }
                c.non_negative(&at("zipf_exponent"), "zipf_exponent", k.zipf_exponent);
            }
            c.probability(&at("write_fraction"), "write_fraction", cl.write_fraction);
        }
        NodeKind::LoadBalancer(lb) => {
            if out == 0 {
                c.report(&at("id"), format!("load balancer \"{id}\" has no targets: add edges from it"));
            }
            c.non_negative(&at("health_check_delay_s"), "health_check_delay_s", lb.health_check_delay_s);
        }
        NodeKind::Service(sv) => {
            if sv.workers == 0 {
                c.report(&at("workers"), "`workers` must be at least 1");
            }
            c.distribution(&at("service_time"), "service_time", &sv.service_time);
            c.probability(&at("error_probability"), "error_probability", sv.error_probability);
        }
        NodeKind::Cache(ca) => {
            if out != 1 {
                c.report(
                    &at("id"),
                    format!("cache \"{id}\" needs exactly one backing node (an edge from it), has {out}"),
                );
            }
            match &ca.mode {
                CacheMode::Lru { capacity, ttl_s } => {
                    if *capacity == 0 {
                        c.report(&at("capacity"), "`capacity` must be at least 1 key");
                    }
                    if let Some(ttl) = ttl_s {
                        c.positive(&at("ttl_s"), "ttl_s", *ttl);
                    }
                }
                CacheMode::FixedHitRate { hit_probability } => {
                    c.probability(&at("hit_probability"), "hit_probability", *hit_probability);
                }
            }
            c.distribution(&at("lookup_time"), "lookup_time", &ca.lookup_time);
        }
        NodeKind::Queue(q) => {
            if out != 1 {
                c.report(
                    &at("id"),
                    format!("queue \"{id}\" needs exactly one consumer destination (an edge from it), has {out}"),
                );
            }
            if q.capacity == 0 {
                c.report(&at("capacity"), "`capacity` must be at least 1");
            }
            if q.consumers == 0 {
                c.report(&at("consumers"), "`consumers` must be at least 1");
            }
        }
        NodeKind::Database(db) => {
            if out > 0 {
                c.report(&at("id"), format!("database \"{id}\" cannot call other nodes; remove its outgoing edges"));
            }
            if db.connections == 0 {
                c.report(&at("connections"), "`connections` must be at least 1");
            }
            c.distribution(&at("query_time"), "query_time", &db.query_time);
            c.probability(&at("error_probability"), "error_probability", db.error_probability);
            c.non_negative(&at("replication_lag_ms"), "replication_lag_ms", db.replication_lag_ms);
        }
    }
}

/// Calls are synchronous, so a cycle would have a request wait on itself.
fn check_cycles(c: &mut Checker, s: &Scenario) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let index: HashMap<&str, usize> = s.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let mut adjacency = vec![Vec::new(); s.nodes.len()];
    for e in &s.edges {
        if let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str()))
            && a != b
        {
            adjacency[a].push(b);
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
            if let Some(&child) = adjacency[node].get(*next) {
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
                        if reported.insert(child) {
                            c.report(
                                &[Key("nodes"), Index(child), Key("id")],
                                format!(
                                    "calls form a cycle: {} (a synchronous call would wait on itself)",
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

fn check_faults(c: &mut Checker, s: &Scenario) {
    for (i, f) in s.faults.iter().enumerate() {
        let path = [Key("faults"), Index(i)];
        for id in f.node_refs() {
            if s.node(id).is_none() {
                c.report(&path, format!("fault {}: unknown node \"{id}\"", i + 1));
            }
        }
        c.non_negative(&path, "time", f.start_s());
        match f {
            FaultSpec::Crash { at_s, restore_s: Some(r), .. } if r <= at_s => {
                c.report(&path, format!("`restore_s` ({r}) must be after `at_s` ({at_s})"));
            }
            FaultSpec::Slow { factor, from_s, to_s, .. } => {
                c.positive(&path, "factor", *factor);
                if to_s <= from_s {
                    c.report(&path, format!("`to_s` ({to_s}) must be after `from_s` ({from_s})"));
                }
            }
            FaultSpec::Errors { probability, from_s, to_s, .. } => {
                c.probability(&path, "probability", *probability);
                if to_s <= from_s {
                    c.report(&path, format!("`to_s` ({to_s}) must be after `from_s` ({from_s})"));
                }
            }
            FaultSpec::RandomCrashes { mtbf_s, mttr_s, .. } => {
                c.positive(&path, "mtbf_s", *mtbf_s);
                c.positive(&path, "mttr_s", *mttr_s);
            }
            FaultSpec::Partition { from, to, from_s, to_s } => {
                if to_s <= from_s {
                    c.report(&path, format!("`to_s` ({to_s}) must be after `from_s` ({from_s})"));
                }
                if s.node(from).is_some()
                    && s.node(to).is_some()
                    && !s.edges.iter().any(|e| &e.from == from && &e.to == to)
                {
                    c.report(&path, format!("there is no edge \"{from}\" → \"{to}\" to partition"));
                }
            }
            FaultSpec::Flush { node, .. } => {
                if let Some(n) = s.node(node)
                    && !matches!(n.kind, NodeKind::Cache(_))
                {
                    c.report(
                        &path,
                        format!("only a cache can be flushed; \"{node}\" is a {}", n.kind.label().to_lowercase()),
                    );
                }
            }
            FaultSpec::Spike { node, duration_s, factor, .. } => {
                c.positive(&path, "duration_s", *duration_s);
                c.non_negative(&path, "factor", *factor);
                if let Some(n) = s.node(node)
                    && !matches!(n.kind, NodeKind::Client(_))
                {
                    c.report(
                        &path,
                        format!(
                            "a spike multiplies a client's rate; \"{node}\" is a {}",
                            n.kind.label().to_lowercase()
                        ),
                    );
                }
            }
            FaultSpec::Crash { .. } => {}
        }
    }
}
