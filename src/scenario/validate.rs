//! Semantic checks on a parsed scenario: everything the RON parser cannot
//! see (references between nodes, ranges, the shape of the topology).
//!
//! Every problem is collected, none stops the others, so a learner fixes a
//! file in one pass. Each carries the path of the offending field; the
//! loader turns it into a line and column with [`super::locate`], so paths
//! name the field itself (`nodes[2].kind.arrivals.rate`), not just the node.

use std::collections::{HashMap, HashSet};

mod slo_checks;

use super::distribution_spec::{show, thousands};
use super::limits::{
    MAX_BANDWIDTH_MBPS, MAX_BREAKER_PROBES, MAX_BREAKER_WINDOW_CALLS, MAX_BREAKER_WINDOW_S, MAX_BURST, MAX_CACHE_KEYS,
    MAX_CONCURRENT_CALLS, MAX_DATABASE_SERVERS, MAX_EDGES, MAX_FACTOR, MAX_HEALTH_CHECK_THRESHOLD, MAX_INSTANCES,
    MAX_LB_TARGETS, MAX_MS, MAX_NODES, MAX_OUTLIER_CONSECUTIVE_FAILURES, MAX_PAYLOAD_KB, MAX_PRICE_USD, MAX_RATE_RPS,
    MAX_READ_REPLICAS, MAX_REGIONS, MAX_RETRY_ATTEMPTS, MAX_RETRY_BUDGET_RATIO, MAX_ROW_SCAN_US, MAX_SECONDS,
    MAX_SHARDS, MAX_TABLE_ROWS, MAX_THROTTLE_K, MAX_THROTTLE_WINDOW_S, MAX_USERS, MAX_WEIGHT, MAX_ZIPF_EXPONENT,
    MAX_ZONES, MIN_BANDWIDTH_MBPS, MIN_HEALTH_CHECK_INTERVAL_S, MIN_RANDOM_CRASH_MEAN_S, MIN_SCALE_INTERVAL_S,
    MIN_THINK_MS, MIN_WINDOW_S,
};
pub use super::locate::PathSegment;
use super::locate::PathSegment::{Index, Key};
use super::{
    Arrivals, AutoscaleSpec, BreakerSpec, BreakerWindow, CacheMode, CallOrder, CueAction, DistributionSpec, EdgeSpec,
    FallbackSpec, FaultSpec, Goal, HealthCheckSpec, LbPolicy, MAX_CUE_TEXT, MAX_CUES, NodeKind, NodeSpec,
    OutlierEjectionSpec, Priority, ProfileShape, RetryPolicy, ScaleTarget, Scenario, SizeSpec, WaitFor,
};

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
///
/// Runs in time linear in the size of the scenario (n log n for the
/// spikes of one client), however many problems it finds: files are
/// generated too, and a 20,000-node file must answer in well under a
/// second.
pub fn validate(scenario: &Scenario) -> Vec<Problem> {
    let mut c = Checker { problems: Vec::new() };
    let mut g = Lookup::new(scenario);
    check_run_settings(&mut c, scenario);
    check_ids(&mut c, scenario);
    check_edges(&mut c, &mut g);
    let fault_spikes = fault_spikes_by_node(&g);
    for (i, spikes) in fault_spikes.iter().enumerate() {
        check_node(&mut c, &g, i, spikes);
    }
    check_consistent_hash(&mut c, &g);
    check_cycles(&mut c, &g);
    check_faults(&mut c, &mut g);
    check_placement(&mut c, scenario);
    check_challenge(&mut c, &mut g);
    check_cues(&mut c, &mut g);
    slo_checks::check(&mut c, &mut g);
    c.problems
}

/// An instructor's cues: their nodes exist and fit what the cue does,
/// their numbers are in range, their times are in order.
fn check_cues(c: &mut Checker, g: &mut Lookup<'_>) {
    let s = g.s;
    if s.cues.len() > MAX_CUES {
        c.report(vec![Key("cues")], format!("at most {MAX_CUES} cues, got {}", s.cues.len()));
        return;
    }
    let mut last_at: Option<f64> = None;
    for (i, cue) in s.cues.iter().enumerate() {
        let path = vec![Key("cues"), Index(i)];
        if cue.say.trim().is_empty() {
            c.report(
                at(&path, &[Key("say")]),
                format!("cue {}: `say` is what the presenter says: it cannot be empty", i + 1),
            );
        } else if cue.say.chars().count() > MAX_CUE_TEXT {
            c.report(at(&path, &[Key("say")]), format!("cue {}: `say` is at most {MAX_CUE_TEXT} characters", i + 1));
        }
        if let Some(at_s) = cue.at_s {
            c.non_negative(&path, "at_s", at_s, MAX_SECONDS, "seconds");
            if let Some(before) = last_at.filter(|b| at_s < *b) {
                c.report(
                    at(&path, &[Key("at_s")]),
                    format!(
                        "cue {} fires at {} s, before the cue before it ({} s): cues fire in order",
                        i + 1,
                        show(at_s),
                        show(before)
                    ),
                );
            }
            last_at = Some(at_s);
        }
        let action = at(&path, &[Key("action")]);
        match &cue.action {
            CueAction::Spike { factor, duration_s, .. } => {
                c.positive(&action, "factor", *factor, MAX_FACTOR, "");
                c.positive(&action, "duration_s", *duration_s, MAX_SECONDS, "seconds");
            }
            CueAction::Slow { factor, .. } => c.positive(&action, "factor", *factor, MAX_FACTOR, ""),
            CueAction::Errors { probability, .. } => c.probability(&action, "probability", *probability),
            _ => {}
        }
        let Some(id) = cue.action.node() else { continue };
        let field = cue.action.node_field();
        match g.node(id) {
            None => {
                let why = g.suggestions.unknown_node(id);
                c.report(at(&action, &[Key(field)]), format!("cue {}: {why}", i + 1));
            }
            Some(n) => {
                let why = cue.action.as_fault().and_then(|f| wrong_kind(&f, &n.kind));
                if let Some(why) = why {
                    c.report(
                        at(&action, &[Key(field)]),
                        format!("cue {}: {why}; \"{id}\" is a {}", i + 1, n.kind.label().to_lowercase()),
                    );
                }
            }
        }
    }
}

/// Most hints a challenge may give: one nudge, one pointer, one near answer.
const MAX_HINTS: usize = 3;

/// A challenge's goals, load and run settings (its script is checked with
/// the faults).
fn check_challenge(c: &mut Checker, g: &mut Lookup<'_>) {
    let Some(ch) = &g.s.challenge else { return };
    let base = [Key("challenge")];
    if ch.goals.is_empty() {
        c.report(
            at(&base, &[Key("goals")]),
            "a challenge needs at least one goal, such as `Latency(percentile: P99, ms: 200)`",
        );
    }
    let is_client = |c: &mut Checker, g: &mut Lookup<'_>, path: Path, id: &str| match g.node(id) {
        None => {
            let why = g.suggestions.unknown_node(id);
            c.report(path, why);
        }
        Some(n) if !matches!(n.kind, NodeKind::Client(_)) => {
            c.report(path, format!("\"{id}\" is a {}, not a client", n.kind.label().to_lowercase()));
        }
        Some(_) => {}
    };
    for (i, goal) in ch.goals.iter().enumerate() {
        let path = at(&base, &[Key("goals"), Index(i)]);
        match goal {
            Goal::Latency { ms, .. } => c.positive(&path, "ms", *ms, MAX_MS, "ms"),
            Goal::ErrorRate { at_most, .. } | Goal::Degraded { at_most, .. } => {
                c.probability(&path, "at_most", *at_most);
            }
            Goal::Throughput { at_least_rps, .. } => {
                c.non_negative(&path, "at_least_rps", *at_least_rps, MAX_RATE_RPS, "requests/s");
            }
            Goal::Cost { at_most_per_month } => {
                c.non_negative(&path, "at_most_per_month", *at_most_per_month, MAX_PRICE_USD * 1e4, "$");
            }
        }
        if let Some(client) = goal.client() {
            is_client(c, g, at(&path, &[Key("client")]), client);
        }
    }
    let mut loaded = HashSet::new();
    for (i, load) in ch.load.iter().enumerate() {
        let path = at(&base, &[Key("load"), Index(i)]);
        c.positive(&path, "rate", load.rate, MAX_RATE_RPS, "requests/s");
        is_client(c, g, at(&path, &[Key("client")]), &load.client);
        if !loaded.insert(load.client.as_str()) {
            c.report(at(&path, &[Key("client")]), format!("the load of \"{}\" is set twice", load.client));
        }
    }
    for (i, given) in ch.given.iter().enumerate() {
        let path = at(&base, &[Key("given"), Index(i), Key("id")]);
        match g.node(&given.id) {
            None => {
                let why = g.suggestions.unknown_node(&given.id);
                c.report(path, format!("{why}; the challenge provides \"{}\": keep a node of that name", given.id));
            }
            Some(n) if n.kind.component() != given.kind.component() => c.report(
                path,
                format!(
                    "the challenge provides \"{}\" as a {}; the design makes it a {}: keep it a {}",
                    given.id,
                    given.kind.label().to_lowercase(),
                    n.kind.label().to_lowercase(),
                    given.kind.label().to_lowercase()
                ),
            ),
            Some(_) => {}
        }
    }
    c.positive(&base, "duration_s", ch.duration_s, MAX_SECONDS, "seconds");
    c.non_negative(&base, "warmup_s", ch.warmup_s, MAX_SECONDS, "seconds");
    if ch.duration_s > 0.0 && ch.warmup_s >= ch.duration_s {
        c.report(
            at(&base, &[Key("warmup_s")]),
            format!(
                "the challenge's `warmup_s` ({}) must be shorter than its `duration_s` ({})",
                ch.warmup_s, ch.duration_s
            ),
        );
    }
    if ch.hints.len() > MAX_HINTS {
        c.report(
            at(&base, &[Key("hints"), Index(MAX_HINTS)]),
            format!("a challenge gives at most {MAX_HINTS} hints, one at a time; it has {}", ch.hints.len()),
        );
    }
}

/// Regions and zones: names unique and declared before use, latencies in
/// range, outages of areas that hold something to take down.
fn check_placement(c: &mut Checker, s: &Scenario) {
    let mut regions: HashMap<&str, usize> = HashMap::new();
    let mut zones: HashMap<&str, usize> = HashMap::new();
    let mut zone_count = 0;
    for (r, region) in s.regions.iter().enumerate() {
        let path = vec![Key("regions"), Index(r)];
        if region.name.trim().is_empty() {
            c.report(at(&path, &[Key("name")]), "a region needs a non-empty `name`: nodes and faults refer to it");
        } else if regions.insert(&region.name, r).is_some() {
            c.report(at(&path, &[Key("name")]), format!("region \"{}\" is declared twice", region.name));
        }
        for (z, zone) in region.zones.iter().enumerate() {
            zone_count += 1;
            let zone_path = at(&path, &[Key("zones"), Index(z)]);
            if zone.trim().is_empty() {
                c.report(zone_path, "a zone needs a non-empty name: nodes and faults refer to it");
            } else if zones.insert(zone, r).is_some() {
                c.report(zone_path, format!("zone \"{zone}\" is declared twice; zone names are unique across regions"));
            }
        }
    }
    if s.regions.len() > MAX_REGIONS || zone_count > MAX_ZONES {
        c.report(
            vec![Key("regions")],
            format!(
                "the scenario declares {} regions and {zone_count} zones; at most {MAX_REGIONS} regions and \
                 {MAX_ZONES} zones are supported",
                s.regions.len()
            ),
        );
    }
    let network = [Key("network")];
    c.non_negative(&network, "cross_zone_ms", s.network.cross_zone_ms, MAX_MS, "ms");
    c.non_negative(&network, "cross_region_ms", s.network.cross_region_ms, MAX_MS, "ms");
    for (k, pair) in s.network.between_regions.iter().enumerate() {
        let path = at(&network, &[Key("between_regions"), Index(k)]);
        c.non_negative(&path, "ms", pair.ms, MAX_MS, "ms");
        for name in [&pair.regions.0, &pair.regions.1] {
            if !regions.contains_key(name.as_str()) {
                c.report(at(&path, &[Key("regions")]), unknown_area("region", name, s));
            }
        }
        if pair.regions.0 == pair.regions.1 {
            c.report(
                at(&path, &[Key("regions")]),
                format!("a latency between \"{}\" and itself: name two regions", pair.regions.0),
            );
        }
    }
    for (i, node) in s.nodes.iter().enumerate() {
        let path = vec![Key("nodes"), Index(i)];
        let zone_region = node.zone.as_deref().map(|z| (z, zones.get(z).copied()));
        if let Some((zone, None)) = zone_region {
            c.report(at(&path, &[Key("zone")]), unknown_area("zone", zone, s));
        }
        let region = node.region.as_deref().map(|r| (r, regions.get(r).copied()));
        match (zone_region, region) {
            (_, Some((name, None))) => c.report(at(&path, &[Key("region")]), unknown_area("region", name, s)),
            (Some((zone, Some(zr))), Some((name, Some(r)))) if zr != r => c.report(
                at(&path, &[Key("region")]),
                format!(
                    "node \"{}\" is in zone \"{zone}\", which is in region \"{}\", not \"{name}\": set the zone \
                     alone (it implies its region)",
                    node.id, s.regions[zr].name
                ),
            ),
            _ => {}
        }
    }
    let areas = super::Areas::new(s);
    let script = s.challenge.as_ref().map_or(&[][..], |ch| ch.script.as_slice());
    let entries = s.faults.iter().enumerate().map(|(i, f)| (vec![Key("faults"), Index(i)], "fault", i, f));
    let scripted =
        script.iter().enumerate().map(|(i, f)| (vec![Key("challenge"), Key("script"), Index(i)], "script fault", i, f));
    for (base, entry, i, f) in entries.chain(scripted) {
        let Some((word, name)) = f.area_ref() else { continue };
        let path = at(&base, &[Key(word)]);
        let area = match word {
            "zone" => areas.zone_index(name).map(super::Area::Zone),
            _ => areas.region_index(name).map(super::Area::Region),
        };
        // An outage of an area where nothing runs is allowed: it takes
        // nothing down (a design that moved its replicas out of the zone a
        // challenge's script fails has done the right thing).
        if area.is_none() {
            c.report(path, format!("{entry} {}: {}", i + 1, unknown_area(word, name, s)));
        }
    }
}

/// A zone or region name that the scenario does not declare.
fn unknown_area(word: &str, name: &str, s: &Scenario) -> String {
    let declared: Vec<&str> = if word == "zone" {
        s.regions.iter().flat_map(|r| r.zones.iter().map(String::as_str)).collect()
    } else {
        s.regions.iter().map(|r| r.name.as_str()).collect()
    };
    if declared.is_empty() {
        return format!(
            "there is no {word} \"{name}\": declare it first, e.g. `regions: [(name: \"us-east-1\", zones: \
             [\"us-east-1a\", \"us-east-1b\"])]`"
        );
    }
    let shown: Vec<String> = declared.iter().take(8).map(|d| format!("\"{d}\"")).collect();
    let more = if declared.len() > shown.len() { ", …" } else { "" };
    format!("there is no {word} \"{name}\"; the scenario declares {}{more}", shown.join(", "))
}

/// The scenario with the lookups validation makes for every edge, node and
/// fault done through hash maps: [`Scenario::node`] and
/// [`Scenario::out_edges`] scan every node or edge, and calling them per
/// edge made a big file take minutes.
struct Lookup<'a> {
    s: &'a Scenario,
    /// The first node with each id, as [`Scenario::node_index`] finds it
    /// (and the engine, which uses it).
    index: HashMap<&'a str, usize>,
    /// Edge positions by the id they leave, in file order, as
    /// [`Scenario::out_edges`] lists them.
    out: HashMap<&'a str, Vec<usize>>,
    /// Every (from, to) pair an edge joins.
    pairs: HashSet<(&'a str, &'a str)>,
    suggestions: Suggestions<'a>,
}

impl<'a> Lookup<'a> {
    fn new(s: &'a Scenario) -> Self {
        let mut index = HashMap::with_capacity(s.nodes.len());
        for (i, n) in s.nodes.iter().enumerate() {
            index.entry(n.id.as_str()).or_insert(i);
        }
        let mut out: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut pairs = HashSet::with_capacity(s.edges.len());
        for (k, e) in s.edges.iter().enumerate() {
            out.entry(e.from.as_str()).or_default().push(k);
            pairs.insert((e.from.as_str(), e.to.as_str()));
        }
        Lookup { s, index, out, pairs, suggestions: Suggestions::new(s) }
    }

    fn node(&self, id: &str) -> Option<&'a NodeSpec> {
        self.index.get(id).map(|&i| &self.s.nodes[i])
    }

    fn out_edges(&self, id: &str) -> impl Iterator<Item = &'a EdgeSpec> + use<'a, '_> {
        let s = self.s;
        self.out.get(id).into_iter().flatten().map(move |&k| &s.edges[k])
    }

    fn out_count(&self, id: &str) -> usize {
        self.out.get(id).map_or(0, Vec::len)
    }
}

/// Every price from 0 to `MAX_PRICE_USD`, and a price of a node only for
/// a node the scenario has.
fn check_pricing(c: &mut Checker, s: &Scenario) {
    let pricing = [Key("pricing")];
    for (name, price) in s.pricing.prices() {
        c.non_negative(&pricing, name, price, MAX_PRICE_USD, "$");
    }
    let per_hour_of = at(&pricing, &[Key("per_hour_of")]);
    for (id, price) in &s.pricing.per_hour_of {
        if s.node(id).is_none() {
            c.report(per_hour_of.clone(), format!("`per_hour_of` prices \"{id}\", but the scenario has no such node"));
        }
        if !(price.is_finite() && (0.0..=MAX_PRICE_USD).contains(price)) {
            c.report(
                per_hour_of.clone(),
                format!("the price of \"{id}\" must be from 0 to {} $ an hour, got {price}", thousands(MAX_PRICE_USD)),
            );
        }
    }
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
    check_pricing(c, s);
    if s.nodes.is_empty() {
        c.report(vec![Key("nodes")], "the scenario has no nodes: add at least a client and what it calls");
    }
    let limit = |what: &str, count: usize, max: usize| {
        format!(
            "the scenario has {} {what}; at most {} are supported, so that any accepted design runs in bounded \
             memory (see \"Limits and memory\" in docs/scenario-format.md)",
            thousands(count as f64),
            thousands(max as f64)
        )
    };
    if s.nodes.len() > MAX_NODES {
        c.report(vec![Key("nodes")], limit("nodes", s.nodes.len(), MAX_NODES));
    }
    if s.edges.len() > MAX_EDGES {
        c.report(vec![Key("edges")], limit("edges", s.edges.len(), MAX_EDGES));
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

/// Ids named in a list of them in a message; longer lists end in "…".
const MAX_IDS_SHOWN: usize = 12;

/// Edit-distance work (characters × characters compared) spent on "did
/// you mean" suggestions for one scenario. Plenty for any hand-written
/// file; a generated one with thousands of nodes and thousands of bad
/// references gets suggestions for the first few and the list of ids for
/// the rest, instead of minutes of comparisons.
const SUGGESTION_BUDGET: usize = 20_000_000;

/// "there is no node "x"" messages, with the closest id as a suggestion
/// or the ids there are, each worked out once per unknown id.
struct Suggestions<'a> {
    /// Distinct node ids in file order, with their lower-case form.
    ids: Vec<(&'a str, String)>,
    /// The characters of all of `ids`: the cost of one search is that
    /// times the length of the unknown id.
    id_chars: usize,
    budget: usize,
    /// The message for each unknown id already seen.
    known: HashMap<String, String>,
}

impl<'a> Suggestions<'a> {
    fn new(s: &'a Scenario) -> Self {
        let mut seen = HashSet::with_capacity(s.nodes.len());
        let ids: Vec<(&str, String)> = s
            .nodes
            .iter()
            .filter(|n| seen.insert(n.id.as_str()))
            .map(|n| (n.id.as_str(), n.id.to_lowercase()))
            .collect();
        let id_chars = ids.iter().map(|(_, lower)| lower.chars().count() + 1).sum();
        Suggestions { ids, id_chars, budget: SUGGESTION_BUDGET, known: HashMap::new() }
    }

    fn unknown_node(&mut self, id: &str) -> String {
        if let Some(message) = self.known.get(id) {
            return message.clone();
        }
        let message = self.compose(id);
        self.known.insert(id.to_string(), message.clone());
        message
    }

    fn compose(&mut self, id: &str) -> String {
        if self.ids.is_empty() {
            return format!("there is no node \"{id}\" (the scenario has no nodes)");
        }
        let lower = id.to_lowercase();
        let cost = (lower.chars().count() + 1) * self.id_chars;
        if cost <= self.budget {
            self.budget -= cost;
            let best = self.ids.iter().map(|(near, l)| (edit_distance(l, &lower), *near)).min_by_key(|(d, _)| *d);
            if let Some((d, near)) = best
                && super::load::is_typo(id, near, d)
            {
                return format!("there is no node \"{id}\"; did you mean \"{near}\"?");
            }
        }
        let shown = self.ids.iter().map(|(near, _)| *near);
        format!("there is no node \"{id}\"; the nodes are {}", quoted_list(shown, self.ids.len()))
    }
}

/// `"a", "b", "c"`: the first [`MAX_IDS_SHOWN`] of `count` ids, then "…".
fn quoted_list<'x>(ids: impl Iterator<Item = &'x str>, count: usize) -> String {
    let mut list: Vec<String> = ids.take(MAX_IDS_SHOWN).map(|id| format!("\"{id}\"")).collect();
    if count > MAX_IDS_SHOWN {
        list.push("…".into());
    }
    list.join(", ")
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

/// What an autoscaler adds and removes: a service's instances, or a
/// database's read replicas (per shard).
#[derive(Clone, Copy)]
enum Scaled {
    Instances,
    ReadReplicas,
}

/// An autoscaler's bounds, target and times; `start`, the count the node
/// starts with (`instances`, `read_replicas`), must lie within its bounds.
fn check_autoscale(
    c: &mut Checker,
    path: &[PathSegment<'static>],
    a: &AutoscaleSpec,
    start: u32,
    id: &str,
    scaled: Scaled,
) {
    let (most, unit, field, node) = match scaled {
        Scaled::Instances => (MAX_INSTANCES, "instance", "instances", "service"),
        Scaled::ReadReplicas => (MAX_READ_REPLICAS, "read replica", "read_replicas", "database"),
    };
    c.count(path, "min", u64::from(a.min), 1, u64::from(most), unit);
    c.count(path, "max", u64::from(a.max), 1, u64::from(most), unit);
    if a.min > a.max {
        c.report(at(path, &[Key("max")]), format!("`max` ({}) must be at least `min` ({})", a.max, a.min));
    } else if !(a.min..=a.max).contains(&start) {
        c.report(
            at(path, &[Key("min")]),
            format!(
                "{node} \"{id}\" starts with {start} {unit}s, outside its autoscaling bounds {} to {}: \
                 `{field}` is the count it starts with",
                a.min, a.max
            ),
        );
    }
    let target = at(path, &[Key("target")]);
    if let (Scaled::ReadReplicas, ScaleTarget::QueueDepth(_)) = (scaled, a.target) {
        c.report(
            target.clone(),
            "a database's read replicas scale on `Utilisation` or `RequestsPerInstance` (reads per replica), \
             not on `QueueDepth`: its line mixes the primary's writes with the replicas' reads"
                .to_string(),
        );
    }
    match a.target {
        ScaleTarget::Utilisation(u) if !(u > 0.0 && u <= 1.0) => c.report(
            target,
            format!(
                "a `Utilisation` target is a share of busy workers: more than 0 and at most 1 (0.7 = 70 %), got {}",
                show(u)
            ),
        ),
        ScaleTarget::QueueDepth(q) => {
            c.positive(path, "target", q, f64::from(u32::MAX), "requests waiting per instance");
        }
        ScaleTarget::RequestsPerInstance(r) => c.positive(path, "target", r, MAX_RATE_RPS, "requests/s per instance"),
        ScaleTarget::Utilisation(_) => {}
    }
    c.number(path, "interval_s", a.interval_s, Low::AtLeast(MIN_SCALE_INTERVAL_S), MAX_SECONDS, "seconds");
    c.non_negative(path, "scale_out_cooldown_s", a.scale_out_cooldown_s, MAX_SECONDS, "seconds");
    c.non_negative(path, "scale_in_cooldown_s", a.scale_in_cooldown_s, MAX_SECONDS, "seconds");
    c.non_negative(path, "cold_start_s", a.cold_start_s, MAX_SECONDS, "seconds");
}

fn check_edges(c: &mut Checker, g: &mut Lookup<'_>) {
    let s = g.s;
    for (i, e) in s.edges.iter().enumerate() {
        let path = vec![Key("edges"), Index(i)];
        for (field, id) in [("from", &e.from), ("to", &e.to)] {
            if g.node(id).is_none() {
                let why = g.suggestions.unknown_node(id);
                c.report(at(&path, &[Key(field)]), format!("edge {}: `{field}`: {why}", i + 1));
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
        if let Some(to) = g.node(&e.to)
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
        if let Some(cap) = e.max_concurrent {
            c.count(&path, "max_concurrent", u64::from(cap), 1, u64::from(MAX_CONCURRENT_CALLS), "call");
        }
        if let Some(wait) = e.bulkhead_wait_ms {
            c.positive(&path, "bulkhead_wait_ms", wait, MAX_MS, "ms");
            if e.max_concurrent.is_none() {
                c.report(
                    at(&path, &[Key("bulkhead_wait_ms")]),
                    format!(
                        "edge {}: `bulkhead_wait_ms` is how long a call waits for a place in the bulkhead, but the \
                         edge has none: add `max_concurrent: Some(…)` or remove it",
                        i + 1
                    ),
                );
            }
        }
        if let Some(t) = e.timeout_ms {
            c.positive(&path, "timeout_ms", t, MAX_MS, "ms");
        }
        for (field, size) in [("request_kb", &e.request_kb), ("response_kb", &e.response_kb)] {
            if let Some(size) = size {
                check_size(c, &at(&path, &[Key(field)]), size);
            }
        }
        if let Some(bandwidth) = e.bandwidth_mbps {
            c.number(
                &path,
                "bandwidth_mbps",
                bandwidth,
                Low::AtLeast(MIN_BANDWIDTH_MBPS),
                MAX_BANDWIDTH_MBPS,
                "Mbit/s",
            );
            if e.request_kb.is_none() && e.response_kb.is_none() {
                c.report(
                    at(&path, &[Key("bandwidth_mbps")]),
                    format!(
                        "edge {}: `bandwidth_mbps` is how fast payloads cross the link, but the edge sends none: \
                         add `request_kb` or `response_kb` (how big a request or an answer is), or remove it",
                        i + 1
                    ),
                );
            }
        }
        if let Some(r) = &e.retry {
            check_retry(c, &at(&path, &[Key("retry")]), r);
        }
        if let Some(b) = &e.breaker {
            check_breaker(c, &at(&path, &[Key("breaker")]), b);
        }
        match &e.fallback {
            Some(FallbackSpec::Respond { latency: Some(latency) }) => {
                c.distribution(&at(&path, &[Key("fallback")]), "latency", latency);
            }
            Some(FallbackSpec::ServeStale) => {
                let from_lru_cache = g.node(&e.from).is_some_and(
                    |n| matches!(&n.kind, NodeKind::Cache(cache) if matches!(cache.mode, CacheMode::Lru { .. })),
                );
                if !from_lru_cache {
                    c.report(
                        at(&path, &[Key("fallback")]),
                        format!(
                            "edge {}: `ServeStale` answers from a cache's expired copies, so it belongs on the edge \
                             from a cache in `Lru` mode to its backing store; \"{}\" is not one: use \
                             `Respond(latency: …)` for a default answer",
                            i + 1,
                            e.from
                        ),
                    );
                }
            }
            Some(FallbackSpec::Respond { latency: None }) | None => {}
        }
        let from_fan_out = g
            .node(&e.from)
            .is_some_and(|n| matches!(&n.kind, NodeKind::Service(svc) if svc.calls != CallOrder::Sequential));
        if let Some(h) = &e.hedge {
            c.positive(&at(&path, &[Key("hedge")]), "delay_ms", h.delay_ms, MAX_MS, "ms");
            let from_client_or_fan_out =
                from_fan_out || g.node(&e.from).is_some_and(|n| matches!(n.kind, NodeKind::Client(_)));
            if from_client_or_fan_out {
                c.report(
                    at(&path, &[Key("hedge")]),
                    format!(
                        "edge {}: hedging is done by a load balancer or a service for its calls; \"{}\" is a client \
                         or a parallel fan-out: put a load balancer after it and hedge on the balancer's edges",
                        i + 1,
                        e.from
                    ),
                );
            }
        }
        if from_fan_out && e.retry.is_some() {
            c.report(
                at(&path, &[Key("retry")]),
                format!(
                    "edge {}: \"{}\" makes its calls in parallel, and retries of a fan-out's calls are not \
                     simulated: give the edge a `timeout_ms` and a `fallback`, or wait for `First` or a `Quorum` \
                     so one slow call does not hold the request",
                    i + 1,
                    e.from
                ),
            );
        }
        let from_client = g.node(&e.from).is_some_and(|n| matches!(n.kind, NodeKind::Client(_)));
        if from_client {
            if e.fallback.is_some() {
                c.report(
                    at(&path, &[Key("fallback")]),
                    format!(
                        "edge {}: a client's requests succeed or fail as its users see them; put the fallback on \
                         the edge where a caller can answer instead (from a gateway or a service to what it calls)",
                        i + 1
                    ),
                );
            }
            for (field, set) in [("timeout_ms", e.timeout_ms.is_some()), ("retry", e.retry.is_some())] {
                if set {
                    c.report(
                        at(&path, &[Key(field)]),
                        format!(
                            "edge {}: a client's `{field}` is set on the client \"{}\" itself (it applies to the \
                             edge to its target): move it there",
                            i + 1,
                            e.from
                        ),
                    );
                }
            }
        }
    }
}

/// A load balancer's active health checks.
fn check_health_check(c: &mut Checker, p: &[PathSegment<'static>], h: &HealthCheckSpec) {
    c.number(p, "interval_s", h.interval_s, Low::AtLeast(MIN_HEALTH_CHECK_INTERVAL_S), MAX_SECONDS, "seconds");
    c.positive(p, "timeout_s", h.timeout_s, MAX_SECONDS, "seconds");
    // Each alone in range (or reported above), but the timeout too long.
    let alone_ok = h.timeout_s > 0.0 && h.interval_s >= MIN_HEALTH_CHECK_INTERVAL_S;
    if alone_ok && h.timeout_s.is_finite() && h.interval_s.is_finite() && h.timeout_s >= h.interval_s {
        c.report(
            at(p, &[Key("timeout_s")]),
            format!(
                "a health check's `timeout_s` ({}) must be shorter than its `interval_s` ({}): a probe is over \
                 before the next one goes, as AWS requires",
                show(h.timeout_s),
                show(h.interval_s)
            ),
        );
    }
    let most = u64::from(MAX_HEALTH_CHECK_THRESHOLD);
    c.count(p, "unhealthy_threshold", u64::from(h.unhealthy_threshold), 1, most, "probe");
    c.count(p, "healthy_threshold", u64::from(h.healthy_threshold), 1, most, "probe");
}

/// A load balancer's passive outlier ejection.
fn check_outlier_ejection(c: &mut Checker, p: &[PathSegment<'static>], o: &OutlierEjectionSpec) {
    let most = u64::from(MAX_OUTLIER_CONSECUTIVE_FAILURES);
    c.count(p, "consecutive_failures", u64::from(o.consecutive_failures), 1, most, "failure");
    c.positive(p, "base_ejection_s", o.base_ejection_s, MAX_SECONDS, "seconds");
    if o.max_ejected_percent > 100 {
        c.report(
            at(p, &[Key("max_ejected_percent")]),
            format!(
                "`max_ejected_percent` is a percentage of the balancer's targets: it must be 0 to 100, got {}",
                o.max_ejected_percent
            ),
        );
    }
}

/// A circuit breaker on an edge.
/// A payload size: every parameter a size from 0 (a mean above 0) to
/// `MAX_PAYLOAD_KB`, and a uniform's bounds in order.
fn check_size(c: &mut Checker, base: &[PathSegment<'static>], size: &SizeSpec) {
    for (name, value) in size.parameters() {
        if name.starts_with("mean") {
            c.positive(base, name, value, MAX_PAYLOAD_KB, "KB");
        } else {
            c.non_negative(base, name, value, MAX_PAYLOAD_KB, "KB");
        }
    }
    if let SizeSpec::Uniform { min_kb, max_kb } = *size
        && min_kb.is_finite()
        && max_kb.is_finite()
        && max_kb < min_kb
    {
        c.report(at(base, &[Key("max_kb")]), format!("`max_kb` ({max_kb}) must not be below `min_kb` ({min_kb})"));
    }
}

fn check_breaker(c: &mut Checker, breaker: &[PathSegment<'static>], b: &BreakerSpec) {
    c.number(breaker, "failure_rate", b.failure_rate, Low::Above(0.0), 1.0, "(a share of calls: 0.5 = half)");
    let (variant, size, most) = match b.window {
        BreakerWindow::Calls(n) => ("Calls", n, MAX_BREAKER_WINDOW_CALLS),
        BreakerWindow::Seconds(n) => ("Seconds", n, MAX_BREAKER_WINDOW_S),
    };
    if !(1..=most).contains(&size) {
        c.report(
            at(breaker, &[Key("window")]),
            format!(
                "a breaker's `window: {variant}(…)` must be 1 to {} {}, got {size}",
                thousands(f64::from(most)),
                variant.to_lowercase()
            ),
        );
    }
    c.count(breaker, "min_calls", u64::from(b.min_calls), 1, u64::from(u32::MAX), "call");
    if let BreakerWindow::Calls(n) = b.window
        && (1..=most).contains(&n)
        && b.min_calls > n
    {
        c.report(
            at(breaker, &[Key("min_calls")]),
            format!(
                "`min_calls` is {} but the window holds only the last {n} calls: the breaker could never open; \
                 make `min_calls` at most {n}",
                b.min_calls
            ),
        );
    }
    c.positive(breaker, "open_s", b.open_s, MAX_SECONDS, "seconds");
    c.count(breaker, "probes", u64::from(b.probes), 1, u64::from(MAX_BREAKER_PROBES), "call");
}

/// A retry policy, a client's or an edge's.
fn check_retry(c: &mut Checker, retry: &[PathSegment<'static>], r: &RetryPolicy) {
    let max = u64::from(MAX_RETRY_ATTEMPTS);
    c.count(retry, "max_attempts", u64::from(r.max_attempts), 1, max, "attempt");
    c.non_negative(retry, "backoff_ms", r.backoff_ms, MAX_MS, "ms");
    c.number(retry, "multiplier", r.multiplier, Low::AtLeast(1.0), MAX_FACTOR, "");
    c.non_negative(retry, "max_backoff_ms", r.max_backoff_ms, MAX_MS, "ms");
    c.probability(retry, "jitter", r.jitter);
    if let Some(b) = &r.budget {
        let budget = at(retry, &[Key("budget")]);
        c.non_negative(&budget, "ratio", b.ratio, MAX_RETRY_BUDGET_RATIO, "retries per request");
        c.non_negative(&budget, "min_per_s", b.min_per_s, MAX_RATE_RPS, "retries/s");
    }
}

/// The ids the edges from `id` call, quoted, for messages.
fn targets(g: &Lookup<'_>, id: &str) -> String {
    quoted_list(g.out_edges(id).map(|e| e.to.as_str()), g.out_count(id))
}

/// The spikes of the fault timeline, as profile shapes of the node they
/// name (the first with that id, as the engine finds it).
fn fault_spikes_by_node(g: &Lookup<'_>) -> Vec<Vec<ProfileShape>> {
    let mut spikes = vec![Vec::new(); g.s.nodes.len()];
    for f in &g.s.faults {
        if let FaultSpec::Spike { node, at_s, duration_s, factor } = f
            && let Some(&i) = g.index.get(node.as_str())
        {
            spikes[i].push(ProfileShape::Spike { start_s: *at_s, duration_s: *duration_s, factor: *factor });
        }
    }
    spikes
}

fn check_node(c: &mut Checker, g: &Lookup<'_>, i: usize, fault_spikes: &[ProfileShape]) {
    let s = g.s;
    let node = &s.nodes[i];
    let id = &node.id;
    let id_path = vec![Key("nodes"), Index(i), Key("id")];
    let kind = vec![Key("nodes"), Index(i), Key("kind")];
    let out = g.out_count(id);
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
                        targets(g, id)
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
            check_peak_rate(c, &arrivals, id, &cl.arrivals, &cl.profile, fault_spikes);
            if let Some(t) = cl.timeout_ms {
                c.positive(&kind, "timeout_ms", t, MAX_MS, "ms");
            }
            if let Some(r) = &cl.retry {
                check_retry(c, &at(&kind, &[Key("retry")]), r);
            }
            if let Some(k) = &cl.keys {
                let keys = at(&kind, &[Key("keys")]);
                // Keys travel as 32-bit numbers with every call.
                c.count(&keys, "keyspace", k.keyspace, 1, u64::from(u32::MAX), "key");
                c.non_negative(&keys, "zipf_exponent", k.zipf_exponent, MAX_ZIPF_EXPONENT, "");
            }
            c.probability(&kind, "write_fraction", cl.write_fraction);
            if let Some(t) = &cl.throttle {
                let throttle = at(&kind, &[Key("throttle")]);
                c.number(&throttle, "k", t.k, Low::AtLeast(1.0), MAX_THROTTLE_K, "");
                c.number(&throttle, "window_s", t.window_s, Low::AtLeast(1.0), MAX_THROTTLE_WINDOW_S, "seconds");
            }
            if let Priority::Mix { critical, standard, sheddable } = cl.priority {
                let shares = at(&kind, &[Key("priority")]);
                c.probability(&shares, "critical", critical);
                c.probability(&shares, "standard", standard);
                c.probability(&shares, "sheddable", sheddable);
                let total = critical + standard + sheddable;
                if total.is_finite() && (total - 1.0).abs() > 1e-6 {
                    c.report(
                        shares,
                        format!(
                            "the priority shares must add up to 1 (critical + standard + sheddable), got {}",
                            show(total)
                        ),
                    );
                }
            }
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
            } else if lb.policy == LbPolicy::Weighted && g.out_edges(id).all(|e| e.weight <= 0.0) {
                c.report(
                    id_path,
                    format!("load balancer \"{id}\" is weighted but every edge from it has weight 0: give one a weight above 0"),
                );
            }
            c.non_negative(&kind, "health_check_delay_s", lb.health_check_delay_s, MAX_SECONDS, "seconds");
            if let Some(checks) = &lb.health_check {
                check_health_check(c, &at(&kind, &[Key("health_check")]), checks);
            }
            if let Some(ejection) = &lb.outlier_ejection {
                check_outlier_ejection(c, &at(&kind, &[Key("outlier_ejection")]), ejection);
            }
        }
        NodeKind::Service(sv) => {
            c.count(&kind, "workers", u64::from(sv.workers), 1, u64::from(u32::MAX), "worker");
            c.distribution(&kind, "service_time", &sv.service_time);
            c.probability(&kind, "error_probability", sv.error_probability);
            if let Some(shed) = sv.shed_after_ms {
                c.non_negative(&kind, "shed_after_ms", shed, MAX_MS, "ms");
            }
            c.count(&kind, "instances", u64::from(sv.instances), 1, u64::from(MAX_INSTANCES), "instance");
            if let Some(auto) = &sv.autoscale {
                check_autoscale(c, &at(&kind, &[Key("autoscale")]), auto, sv.instances, id, Scaled::Instances);
            }
            if let CallOrder::Parallel { wait_for: WaitFor::Quorum(k) } = sv.calls
                && (k == 0 || k as usize > out)
            {
                c.report(
                    at(&kind, &[Key("calls")]),
                    format!(
                        "service \"{id}\" waits for a quorum of {k} of its {out} calls: a quorum must be 1 to {out} \
                         (the number of its outgoing edges)"
                    ),
                );
            }
        }
        NodeKind::Cache(ca) => {
            if out != 1 {
                let has = if out == 0 { "none".to_string() } else { format!("{out}: {}", targets(g, id)) };
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
                let has = if out == 0 { "none".to_string() } else { format!("{out}: {}", targets(g, id)) };
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
                        targets(g, id)
                    ),
                );
            }
            c.count(&kind, "connections", u64::from(db.connections), 1, u64::from(u32::MAX), "connection");
            c.distribution(&kind, "query_time", &db.query_time);
            c.probability(&kind, "error_probability", db.error_probability);
            let replicas = u64::from(db.read_replicas);
            c.count(&kind, "read_replicas", replicas, 0, u64::from(MAX_READ_REPLICAS), "replica");
            c.non_negative(&kind, "replication_lag_ms", db.replication_lag_ms, MAX_MS, "ms");
            if let Some(write_time) = &db.write_time {
                c.distribution(&kind, "write_time", write_time);
            }
            c.count(&kind, "shards", u64::from(db.shards), 1, u64::from(MAX_SHARDS), "shard");
            if let Some(auto) = &db.autoscale {
                check_autoscale(c, &at(&kind, &[Key("autoscale")]), auto, db.read_replicas, id, Scaled::ReadReplicas);
            }
            // An autoscaled database holds room for its most replicas.
            let (most, what) = match &db.autoscale {
                Some(auto) => (u64::from(auto.max).max(replicas), "autoscale `max`"),
                None => (replicas, "`read_replicas`"),
            };
            let servers = u64::from(db.shards) * (most + 1);
            if db.shards >= 1 && db.shards <= MAX_SHARDS && servers > u64::from(MAX_DATABASE_SERVERS) {
                c.report(
                    at(&kind, &[Key("shards")]),
                    format!("`shards` × (1 + {what}) must be at most {MAX_DATABASE_SERVERS} servers, got {servers}"),
                );
            }
            if let Some(table) = &db.table {
                let t = at(&kind, &[Key("table")]);
                c.count(&t, "rows", table.rows, 1, MAX_TABLE_ROWS, "row");
                c.non_negative(&t, "row_scan_us", table.row_scan_us, MAX_ROW_SCAN_US, "µs");
                c.non_negative(&t, "index_level_ms", table.index_level_ms, MAX_MS, "ms");
            }
        }
    }
    if let Some(limit) = node.kind.rate_limit() {
        let limiter = at(&kind, &[Key("rate_limit")]);
        c.positive(&limiter, "rate", limit.rate, MAX_RATE_RPS, "requests/s");
        c.count(&limiter, "burst", u64::from(limit.burst), 1, u64::from(MAX_BURST), "request");
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

/// How much a traffic profile can multiply a client's base rate at most,
/// part by part: an upper bound, cheap to compute, never below the
/// highest factor the profile actually reaches.
///
/// The profile's rate is `base × level × spikes × daily` (see
/// [`ProfileShape`]), so the bound is the product of a bound on each:
/// the highest level any step or ramp sets (never below 1, the level
/// before the first), the largest product of the spikes active at one
/// time (a sweep over their starts and ends, in time order), and
/// `1 + amplitude` for each daily curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeakFactor {
    /// The highest level a step or a ramp sets, at least 1.
    pub level: f64,
    /// Whether that level is a ramp's (else a step's, or 1), for messages.
    pub level_from_ramp: bool,
    /// The largest product of spike factors active at the same time
    /// (factors below 1 count as 1), at least 1.
    pub spikes: f64,
    /// How many spikes above 1 overlap where that product is reached.
    pub overlapping_spikes: usize,
    /// When that product is reached (first time, seconds); `None` when no
    /// spike is above 1.
    pub spikes_at_s: Option<f64>,
    /// The product of `1 + amplitude` over the daily curves.
    pub daily: f64,
}

impl PeakFactor {
    /// The bound on the whole factor.
    pub fn total(&self) -> f64 {
        self.level * self.spikes * self.daily
    }
}

/// An upper bound on the factor the shapes multiply a base rate by, at any
/// time ([`PeakFactor::total`]), part by part, so that no accepted profile
/// pushes a client past [`MAX_RATE_RPS`]. O(k log k) for k shapes. Values no
/// profile can have (NaN factors, spikes with no duration) are left out
/// rather than poisoning the bound; validation refuses them on their own.
pub fn peak_factor(shapes: &[ProfileShape]) -> PeakFactor {
    let mut peak = PeakFactor {
        level: 1.0,
        level_from_ramp: false,
        spikes: 1.0,
        overlapping_spikes: 0,
        spikes_at_s: None,
        daily: 1.0,
    };
    // (time, starts, ln of the factor): a spike is active on [start, end).
    let mut events: Vec<(f64, bool, f64)> = Vec::new();
    for shape in shapes {
        match *shape {
            ProfileShape::Step { factor, .. } => {
                if factor > peak.level {
                    peak.level = factor;
                    peak.level_from_ramp = false;
                }
            }
            ProfileShape::Ramp { from_factor, to_factor, .. } => {
                // Linear between the two, so the larger one bounds it.
                let high = from_factor.max(to_factor);
                if high > peak.level {
                    peak.level = high;
                    peak.level_from_ramp = true;
                }
            }
            ProfileShape::Spike { start_s, duration_s, factor } => {
                if factor > 1.0 && !start_s.is_nan() && duration_s > 0.0 {
                    events.push((start_s, true, factor.ln()));
                    events.push((start_s + duration_s, false, -factor.ln()));
                }
            }
            ProfileShape::Daily { amplitude, .. } => {
                if amplitude.is_finite() {
                    peak.daily *= 1.0 + amplitude.abs();
                }
            }
        }
    }
    // Ends before starts at the same time: a spike that ends when another
    // starts does not overlap it.
    events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut sum, mut best, mut best_at) = (0.0, 0.0, None);
    for &(time, starts, ln) in &events {
        sum += ln;
        if starts && sum > best {
            best = sum;
            best_at = Some(time);
        }
    }
    // The product itself, multiplied out at the busiest time rather than
    // taken from the sum of logarithms, so a bound that is exactly the
    // limit is not pushed over it by rounding.
    if let Some(t) = best_at {
        peak.spikes_at_s = best_at;
        for shape in shapes.iter().filter(|shape| spike_active_at(shape, t)) {
            if let ProfileShape::Spike { factor, .. } = *shape {
                peak.spikes *= factor;
                peak.overlapping_spikes += 1;
            }
        }
    }
    peak
}

/// Whether `shape` is a spike above 1 that is running at `t`.
fn spike_active_at(shape: &ProfileShape, t: f64) -> bool {
    matches!(*shape, ProfileShape::Spike { start_s, duration_s, factor }
        if factor > 1.0 && duration_s > 0.0 && start_s <= t && t < start_s + duration_s)
}

/// A rate or factor as a learner reads it: `10,000,000`, `2.5`, and
/// powers of ten for the astronomical ones overlapping spikes reach.
fn amount(v: f64) -> String {
    if !v.is_finite() {
        show(v)
    } else if v >= 1e15 {
        format!("{v:.1e}")
    } else if v.fract() == 0.0 {
        thousands(v)
    } else {
        let text = format!("{v:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The base rate times the profile (with the fault timeline's spikes on
/// this client) must stay within [`MAX_RATE_RPS`]: each is bounded on its
/// own, but a 10,000,000/s client with a ×10,000 step would ask the engine
/// for an arrival every 10 femtoseconds, and its clock would stop moving.
/// Values refused on their own are left out, so one mistake is reported
/// once.
fn check_peak_rate(
    c: &mut Checker,
    arrivals_path: &[PathSegment<'static>],
    id: &str,
    arrivals: &Arrivals,
    profile: &[ProfileShape],
    fault_spikes: &[ProfileShape],
) {
    let (field, base) = match *arrivals {
        Arrivals::Poisson { rate } | Arrivals::Constant { rate } => ("rate", rate),
        Arrivals::Bursty { rate_on, rate_off, .. } if rate_off > rate_on => ("rate_off", rate_off),
        Arrivals::Bursty { rate_on, .. } => ("rate_on", rate_on),
        // Closed loop: profiles and spikes do not apply (refused above).
        Arrivals::Closed { .. } => return,
    };
    if !(base > 0.0 && base <= MAX_RATE_RPS) {
        return;
    }
    let factor_ok = |f: f64| (0.0..=MAX_FACTOR).contains(&f);
    let valid: Vec<ProfileShape> = profile
        .iter()
        .chain(fault_spikes)
        .filter(|shape| match **shape {
            ProfileShape::Step { factor, .. } | ProfileShape::Spike { factor, .. } => factor_ok(factor),
            ProfileShape::Ramp { from_factor, to_factor, .. } => factor_ok(from_factor) && factor_ok(to_factor),
            ProfileShape::Daily { amplitude, .. } => (0.0..=1.0).contains(&amplitude),
        })
        .cloned()
        .collect();
    let peak = peak_factor(&valid);
    let top = base * peak.total();
    if top <= MAX_RATE_RPS {
        return;
    }
    let mut parts = vec![if field == "rate" { amount(base) } else { format!("`{field}` {}", amount(base)) }];
    if peak.level > 1.0 {
        parts.push(format!("{} ×{}", if peak.level_from_ramp { "ramp" } else { "step" }, amount(peak.level)));
    }
    // Spikes may come from the fault timeline too: say so, or the learner
    // looks for them in the profile only.
    let from_faults = peak.spikes_at_s.map_or(0, |t| fault_spikes.iter().filter(|f| spike_active_at(f, t)).count());
    let in_faults = match (peak.overlapping_spikes, from_faults) {
        (_, 0) => "",
        (1, _) => " in `faults`",
        (n, k) if n == k => ", all in `faults`",
        (_, 1) => ", one in `faults`",
        _ => ", some in `faults`",
    };
    match peak.overlapping_spikes {
        0 => {}
        1 => parts.push(format!("spike ×{}{in_faults}", amount(peak.spikes))),
        n => parts.push(format!("{n} overlapping spikes ×{}{in_faults}", amount(peak.spikes))),
    }
    if peak.daily > 1.0 {
        parts.push(format!("daily curve ×{}", amount(peak.daily)));
    }
    c.report(
        at(arrivals_path, &[Key(field)]),
        format!(
            "client \"{id}\" could reach {} requests/s ({}); at most {} requests/s is supported: lower the rate \
             or the factors",
            amount(top),
            parts.join(" × "),
            thousands(MAX_RATE_RPS)
        ),
    );
}

/// A consistent-hash load balancer picks the target from the request's
/// key; requests without one all hash alike and go to one target, which
/// is never what the learner meant. It is refused when some client sends
/// to it (through any nodes) but none of them gives its requests keys.
/// Two passes over the graph, linear in its size.
fn check_consistent_hash(c: &mut Checker, g: &Lookup<'_>) {
    let s = g.s;
    let hashing = |n: &NodeSpec| matches!(&n.kind, NodeKind::LoadBalancer(lb) if lb.policy == LbPolicy::ConsistentHash);
    if !s.nodes.iter().any(hashing) {
        return;
    }
    let mut callees = vec![Vec::new(); s.nodes.len()];
    for e in &s.edges {
        if let (Some(&a), Some(&b)) = (g.index.get(e.from.as_str()), g.index.get(e.to.as_str())) {
            callees[a].push(b);
        }
    }
    // Which client first reaches each node, and whether one with keys does.
    let mut reached_by: Vec<Option<usize>> = vec![None; s.nodes.len()];
    let mut keyed = vec![false; s.nodes.len()];
    let mut stack = Vec::new();
    for (i, n) in s.nodes.iter().enumerate() {
        let NodeKind::Client(cl) = &n.kind else { continue };
        if reached_by[i].is_none() {
            reached_by[i] = Some(i);
            stack.push(i);
            while let Some(node) = stack.pop() {
                for &next in &callees[node] {
                    if reached_by[next].is_none() {
                        reached_by[next] = Some(i);
                        stack.push(next);
                    }
                }
            }
        }
        if cl.keys.is_some() && !keyed[i] {
            keyed[i] = true;
            stack.push(i);
            while let Some(node) = stack.pop() {
                for &next in &callees[node] {
                    if !keyed[next] {
                        keyed[next] = true;
                        stack.push(next);
                    }
                }
            }
        }
    }
    for (i, n) in s.nodes.iter().enumerate() {
        if !hashing(n) || keyed[i] {
            continue;
        }
        let Some(client) = reached_by[i] else { continue };
        c.report(
            vec![Key("nodes"), Index(i), Key("kind"), Key("policy")],
            format!(
                "load balancer \"{}\" uses ConsistentHash, which routes by request key, but no client that reaches \
                 it has `keys` (\"{}\" has none), so every request would go to the same target: add keys to the \
                 client(s), such as `keys: (keyspace: 100000, zipf_exponent: 0.9)`, or pick another policy",
                n.id, s.nodes[client].id
            ),
        );
    }
}

/// Calls are synchronous, so a cycle would have a request wait on itself.
/// Each cycle is reported once, at the edge that closes it.
fn check_cycles(c: &mut Checker, g: &Lookup<'_>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        /// On the current path, at this position in it.
        OnPath(usize),
        Done,
    }
    let s = g.s;
    // (callee, edge index) per caller; self-calls are reported with the edges.
    let mut adjacency = vec![Vec::new(); s.nodes.len()];
    for (k, e) in s.edges.iter().enumerate() {
        if let (Some(&a), Some(&b)) = (g.index.get(e.from.as_str()), g.index.get(e.to.as_str()))
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
        marks[start] = Mark::OnPath(0);
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&(child, edge)) = adjacency[node].get(*next) {
                *next += 1;
                match marks[child] {
                    Mark::New => {
                        marks[child] = Mark::OnPath(path.len());
                        stack.push((child, 0));
                        path.push(child);
                    }
                    Mark::OnPath(from) => {
                        if reported.insert(edge) {
                            let cycle = path_text(s, &path[from..], child);
                            c.report(
                                vec![Key("edges"), Index(edge), Key("to")],
                                format!(
                                    "calls form a cycle: {cycle}; calls are synchronous, so a request would end up \
                                     waiting for itself: remove one of these edges"
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

/// `a → b → c → a`: the nodes of a cycle hop by hop, back to `back_to`.
/// A long one shows its start and its end, so a generated file with long
/// cycles does not produce messages as long as the file.
fn path_text(s: &Scenario, path: &[usize], back_to: usize) -> String {
    const ENDS: usize = 6;
    let name = |n: usize| s.nodes[n].id.as_str();
    let mut hops: Vec<String> = Vec::new();
    if path.len() <= 2 * ENDS {
        hops.extend(path.iter().map(|&n| name(n).to_string()));
    } else {
        hops.extend(path[..ENDS].iter().map(|&n| name(n).to_string()));
        hops.push(format!("… {} more …", thousands((path.len() - 2 * ENDS) as f64)));
        hops.extend(path[path.len() - ENDS..].iter().map(|&n| name(n).to_string()));
    }
    hops.push(name(back_to).to_string());
    hops.join(" → ")
}

/// The kinds of node a fault acts on, as a phrase, when `kind` is not one.
fn wrong_kind(fault: &FaultSpec, kind: &NodeKind) -> Option<&'static str> {
    let does_work = matches!(kind, NodeKind::Service(_) | NodeKind::Cache(_) | NodeKind::Database(_));
    match fault {
        FaultSpec::Slow { .. } if !does_work => {
            Some("only a service, a cache or a database does work that can slow down")
        }
        FaultSpec::Errors { .. } if !does_work => Some("only a service, a cache or a database can return errors"),
        FaultSpec::Pause { .. } if !does_work => {
            Some("only a service, a cache or a database does work that a pause can freeze")
        }
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

fn check_faults(c: &mut Checker, g: &mut Lookup<'_>) {
    let s = g.s;
    check_fault_list(c, g, &s.faults, &[Key("faults")], "fault");
    if let Some(challenge) = &s.challenge {
        check_fault_list(c, g, &challenge.script, &[Key("challenge"), Key("script")], "script fault");
    }
}

/// Every entry of a fault timeline (`base` is its path, `word` how a
/// message names an entry).
fn check_fault_list(
    c: &mut Checker,
    g: &mut Lookup<'_>,
    faults: &[FaultSpec],
    base: &[PathSegment<'static>],
    word: &str,
) {
    for (i, f) in faults.iter().enumerate() {
        let path = at(base, &[Index(i)]);
        let fields: &[&'static str] = match f {
            FaultSpec::Partition { .. } | FaultSpec::Latency { .. } => &["from", "to"],
            _ => &["node"],
        };
        for (field, id) in fields.iter().zip(f.node_refs()) {
            match g.node(id) {
                None => {
                    let why = g.suggestions.unknown_node(id);
                    c.report(at(&path, &[Key(field)]), format!("{word} {}: {why}", i + 1));
                }
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
                if g.node(from).is_some() && g.node(to).is_some() && !g.pairs.contains(&(from.as_str(), to.as_str())) {
                    c.report(
                        at(&path, &[Key("to")]),
                        format!("there is no edge from \"{from}\" to \"{to}\" to partition"),
                    );
                }
            }
            FaultSpec::Latency { from, to, added_ms, from_s, to_s } => {
                time(c, "from_s", *from_s);
                time(c, "to_s", *to_s);
                c.after(&path, ("to_s", *to_s), ("from_s", *from_s));
                c.positive(&path, "added_ms", *added_ms, MAX_MS, "ms");
                if g.node(from).is_some() && g.node(to).is_some() && !g.pairs.contains(&(from.as_str(), to.as_str())) {
                    c.report(
                        at(&path, &[Key("to")]),
                        format!("there is no edge from \"{from}\" to \"{to}\" to slow down"),
                    );
                }
            }
            FaultSpec::Flush { at_s, .. } => time(c, "at_s", *at_s),
            FaultSpec::Spike { at_s, duration_s, factor, .. } => {
                time(c, "at_s", *at_s);
                c.positive(&path, "duration_s", *duration_s, MAX_SECONDS, "seconds");
                c.non_negative(&path, "factor", *factor, MAX_FACTOR, "");
            }
            FaultSpec::Pause { at_s, duration_s, .. } => {
                time(c, "at_s", *at_s);
                c.positive(&path, "duration_s", *duration_s, MAX_SECONDS, "seconds");
            }
            FaultSpec::ZoneOutage { at_s, restore_s, .. } | FaultSpec::RegionOutage { at_s, restore_s, .. } => {
                time(c, "at_s", *at_s);
                if let Some(r) = restore_s {
                    time(c, "restore_s", *r);
                    c.after(&path, ("restore_s", *r), ("at_s", *at_s));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spike(start_s: f64, duration_s: f64, factor: f64) -> ProfileShape {
        ProfileShape::Spike { start_s, duration_s, factor }
    }

    #[test]
    fn the_peak_factor_multiplies_the_top_level_the_busiest_spikes_and_the_daily_curves() {
        let shapes = [
            ProfileShape::Step { at_s: 10.0, factor: 3.0 },
            ProfileShape::Ramp { start_s: 0.0, end_s: 5.0, from_factor: 0.5, to_factor: 2.0 },
            // [0, 10) ×2 and [5, 15) ×4 overlap; [15, 20) ×100 starts as
            // the ×4 one ends, so it overlaps nothing.
            spike(0.0, 10.0, 2.0),
            spike(5.0, 10.0, 4.0),
            spike(15.0, 5.0, 100.0),
            spike(30.0, 1.0, 0.5),
            ProfileShape::Daily { period_s: 60.0, amplitude: 0.5, phase_s: 0.0 },
            ProfileShape::Daily { period_s: 600.0, amplitude: 0.2, phase_s: 0.0 },
        ];
        let peak = peak_factor(&shapes);
        assert_eq!((peak.level, peak.level_from_ramp), (3.0, false));
        assert_eq!((peak.spikes, peak.overlapping_spikes, peak.spikes_at_s), (100.0, 1, Some(15.0)));
        assert!((peak.daily - 1.8).abs() < 1e-12);
        assert!((peak_factor(&shapes).total() - 3.0 * 100.0 * 1.8).abs() < 1e-9);

        let stacked = [spike(0.0, 10.0, 10.0), spike(1.0, 10.0, 10.0), spike(2.0, 10.0, 10.0), spike(10.5, 1.0, 7.0)];
        let peak = peak_factor(&stacked);
        assert_eq!((peak.spikes, peak.overlapping_spikes, peak.spikes_at_s), (1000.0, 3, Some(2.0)));
        assert_eq!(peak_factor(&[]).total(), 1.0);
    }

    #[test]
    fn near_misses_of_an_id_are_suggested() {
        assert_eq!(edit_distance("replica-1", "replica-l"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
