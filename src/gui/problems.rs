//! Validation problems of the document, sorted by what they concern so the
//! canvas can mark a node and the inspector can show the message next to
//! it. Recomputed when the document changes.

use std::collections::BTreeMap;

use super::format::for_app_font;
use crate::scenario::{PathSegment, Problem, Scenario};

/// File fields by the names the inspector gives them, where they differ
/// from the field with its underscores and unit suffix taken off.
const FIELD_LABELS: &[(&str, &str)] = &[
    ("warmup_s", "warm-up"),
    ("window_s", "window"),
    ("duration_s", "duration"),
    ("max_attempts", "attempts"),
    ("keyspace", "distinct keys"),
    ("mtbf_s", "MTBF"),
    ("mttr_s", "MTTR"),
    ("ttl_s", "TTL"),
    ("error_probability", "error rate"),
    ("hit_probability", "hit rate"),
    ("drop_probability", "packet loss"),
    ("mean_on_s", "burst length"),
    ("mean_off_s", "gap length"),
    ("rate_on", "rate in burst"),
    ("rate_off", "rate between"),
    ("health_check_delay_s", "health check"),
    // A balancer's health checks and outlier ejection, as their rows name them.
    ("health_check", "health checks"),
    ("interval_s", "check every"),
    ("timeout_s", "check timeout"),
    ("unhealthy_threshold", "down after"),
    ("healthy_threshold", "up after"),
    ("consecutive_failures", "eject after"),
    ("base_ejection_s", "ejection time"),
    ("max_ejected_percent", "max ejected"),
    ("write_fraction", "writes"),
    ("stddev_ms", "std dev"),
    ("restore_s", "restore at"),
    ("to_s", "healed at"),
    ("from_s", "cut from"),
    ("blocking_calls", "blocking calls"),
    ("retry", "retries"),
    ("min_per_s", "min retries"),
    ("max_concurrent", "bulkhead"),
    ("open_s", "open time"),
    // A fallback and its choices, as the "fallback" menu names them.
    ("ServeStale", "serve stale"),
    ("Respond", "default answer"),
    ("Lru", "LRU over keys"),
    // A service's "calls" menu.
    ("wait_for", "calls"),
    ("First", "first"),
    ("Quorum", "quorum"),
];

/// A field name as the inspector labels it: `warmup_s` → "warm-up",
/// `queue_capacity` → "queue capacity".
fn field_label(field: &str) -> String {
    if let Some((_, label)) = FIELD_LABELS.iter().find(|(f, _)| *f == field) {
        return (*label).to_string();
    }
    let bare = field.strip_suffix("_ms").or_else(|| field.strip_suffix("_s")).unwrap_or(field);
    bare.replace('_', " ")
}

/// A validation message in the app's words: the validator speaks the file
/// format (`(from: "a", to: "...")`, `` `warmup_s` ``), which means nothing to
/// someone working on the canvas. Actions become what to do in the app and
/// field names become the inspector's labels, in quotes.
pub fn in_app_words(message: &str) -> String {
    let mut text = for_app_font(message);
    // "add an edge from it, such as (from: "x", to: "...")"
    if let Some(start) = text.find("add an edge from it, such as (from:")
        && let Some(len) = text[start..].find("\")").map(|e| e + 2)
    {
        text.replace_range(start..start + len, "connect it to the node it calls: drag from its handle onto that node");
    }
    // "add keys to the client(s), such as `keys: (...)`"
    if let Some(start) = text.find(", such as `keys:")
        && let Some(len) = text[start + 2..].find("`,").map(|e| e + 3)
    {
        text.replace_range(start..start + len, " (turn on \"keys\" in the client's inspector)");
    }
    // "use `Respond(latency: …)` for a default answer"
    text = text.replace("use `Respond(latency: …)` for", "pick “default answer” for");
    // `field` → "label"
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(open) = rest.find('`') {
        let Some(close) = rest[open + 1..].find('`') else { break };
        let inner = &rest[open + 1..open + 1 + close];
        out.push_str(&rest[..open]);
        if inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push('“');
            out.push_str(&field_label(inner));
            out.push('”');
        } else {
            out.push_str(&rest[open..=open + 1 + close]);
        }
        rest = &rest[open + 2 + close..];
    }
    out.push_str(rest);
    out
}

/// Problems by node id, by edge index, by fault-timeline entry, and the rest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocProblems {
    pub nodes: BTreeMap<String, Vec<String>>,
    /// The same node problems with the field each concerns, for the
    /// inspector to show next to that field.
    pub node_fields: BTreeMap<String, Vec<FieldProblem>>,
    pub edges: BTreeMap<usize, Vec<FieldProblem>>,
    pub faults: BTreeMap<usize, Vec<FieldProblem>>,
    /// The run settings' problems and those of the file as a whole, path from the top.
    pub other: Vec<FieldProblem>,
}

/// A message and the path of the field it concerns, from inside the node's
/// `kind` (`[arrivals, rate]`), the edge (`[latency, mean_ms]`) or the
/// fault (`[at_s]`): the path the inspector's rows are keyed by.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldProblem {
    pub path: Vec<PathSegment<'static>>,
    pub message: String,
}

impl FieldProblem {
    fn of(p: &Problem) -> Self {
        // Past `nodes[i]` (and its `kind`), `edges[i]` or `faults[i]`.
        let mut path = p.path.get(2..).unwrap_or_default();
        if let (Some(PathSegment::Key("nodes")), Some(PathSegment::Key("kind"))) = (p.path.first(), path.first()) {
            path = &path[1..];
        }
        FieldProblem { path: path.to_vec(), message: in_app_words(&p.message) }
    }
}

impl DocProblems {
    /// Validates `scenario` and files what it finds.
    pub fn of(scenario: &Scenario) -> Self {
        Self::filed(scenario, &crate::scenario::validate(scenario))
    }

    /// Files `problems`, found by validating `scenario`.
    pub fn filed(scenario: &Scenario, problems: &[Problem]) -> Self {
        let mut out = DocProblems::default();
        for p in problems {
            if let Some(i) = p.node_index().filter(|i| *i < scenario.nodes.len()) {
                let id = scenario.nodes[i].id.clone();
                out.node_fields.entry(id.clone()).or_default().push(FieldProblem::of(p));
                out.nodes.entry(id).or_default().push(in_app_words(&p.message));
            } else if let Some(i) = p.edge_index() {
                out.edges.entry(i).or_default().push(FieldProblem::of(p));
            } else if let Some(i) = p.fault_index() {
                out.faults.entry(i).or_default().push(FieldProblem::of(p));
            } else {
                out.other.push(FieldProblem { path: p.path.clone(), message: in_app_words(&p.message) });
            }
        }
        out
    }

    pub fn count(&self) -> usize {
        self.nodes.values().map(Vec::len).sum::<usize>()
            + self.edges.values().map(Vec::len).sum::<usize>()
            + self.faults.values().map(Vec::len).sum::<usize>()
            + self.other.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{NodeKind, default_scenario};

    #[test]
    fn messages_speak_the_apps_language_not_the_files() {
        let mut doc = default_scenario();
        doc.edges.retain(|e| e.from != "users");
        doc.warmup_s = doc.duration_s + 1.0;
        let p = DocProblems::of(&doc);
        let all: Vec<&str> =
            p.nodes.values().flatten().map(String::as_str).chain(p.other.iter().map(|f| f.message.as_str())).collect();
        assert!(all.iter().all(|m| !m.contains("(from:") && !m.contains('`')), "{all:?}");
        assert!(all.iter().any(|m| m.contains("connect it to the node it calls")), "{all:?}");
        assert!(all.iter().any(|m| m.contains("“warm-up”") && m.contains("“duration”")), "{all:?}");
        let keys = in_app_words(
            "no client has `keys`, so: add keys to the client(s), such as `keys: (keyspace: 100000, zipf_exponent: 0.9)`, or pick another policy",
        );
        assert_eq!(
            keys,
            "no client has “keys”, so: add keys to the client(s) (turn on \"keys\" in the client's inspector), or pick another policy"
        );
    }

    #[test]
    fn problems_are_filed_under_their_node_or_edge() {
        let mut s = default_scenario();
        if let NodeKind::Service(sv) = &mut s.nodes[2].kind {
            sv.workers = 0;
        }
        s.edges[0].drop_probability = 2.0;
        s.duration_s = -1.0;
        let p = DocProblems::of(&s);
        assert!(p.nodes.get("app-1").is_some_and(|v| v[0].contains("workers")), "{p:?}");
        assert!(p.edges.get(&0).is_some_and(|v| v[0].message.contains("“packet loss”")), "{p:?}");
        assert_eq!(p.edges[&0][0].path, vec![PathSegment::Key("drop_probability")]);
        assert_eq!(p.node_fields["app-1"][0].path, vec![PathSegment::Key("workers")]);
        assert!(p.other.iter().any(|m| m.message.contains("“duration”")), "{p:?}");
        assert_eq!(p.count(), 3);
        assert_eq!(DocProblems::of(&default_scenario()).count(), 0);
    }

    /// A fallback's and a fan-out's problems speak of the rows and menu
    /// choices the inspector shows, not of the file's variants.
    #[test]
    fn fallback_and_fan_out_problems_take_the_inspectors_words() {
        let mut s =
            crate::scenario::bundled("breaker-stops-a-cascade").and_then(|b| b.load().ok()).expect("bundled and valid");
        let recs = s.edges.iter().position(|e| e.to == "recs").expect("shop calls recs");
        s.edges[recs].fallback = Some(crate::scenario::FallbackSpec::ServeStale);
        s.edges[recs].retry = Some(crate::scenario::RetryPolicy {
            max_attempts: 2,
            backoff_ms: 10.0,
            multiplier: 2.0,
            max_backoff_ms: 100.0,
            jitter: 0.0,
            budget: None,
        });
        let shop = s.node_index("shop").expect("shop");
        if let NodeKind::Service(shop) = &mut s.nodes[shop].kind {
            shop.calls = crate::scenario::CallOrder::Parallel { wait_for: crate::scenario::WaitFor::First };
        }
        let p = DocProblems::of(&s);
        let messages: Vec<&str> = p.edges[&recs].iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages.iter().all(|m| !m.contains('`')), "{messages:?}");
        let stale = messages.iter().find(|m| m.contains("“serve stale”")).expect("the stale copy's problem");
        assert!(stale.contains("“LRU over keys”") && stale.contains("pick “default answer”"), "{stale}");
        let retry = messages.iter().find(|m| m.contains("in parallel")).expect("the fan-out's problem");
        assert!(retry.contains("“timeout”") && retry.contains("“first”"), "{retry}");
        assert_eq!(in_app_words("`max_concurrent` must be 1 or more"), "“bulkhead” must be 1 or more");
    }

    /// The retry fields are named as the inspector's rows are, so the
    /// message under a row uses the row's own word.
    #[test]
    fn retry_fields_take_their_row_names() {
        assert_eq!(
            in_app_words("a client's `retry` is set on the client; `min_per_s` must be 0 or more"),
            "a client's “retries” is set on the client; “min retries” must be 0 or more"
        );
    }
}
