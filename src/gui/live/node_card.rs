//! The numbers a node shows, each with its capacity: `workers 6/8`,
//! `queue 41/100`, `p99 182 ms`, `errors 2.1 %`, `degraded 100 % · 198
//! answers`. The hover card and the inspector both print this, so they
//! always agree.

use crate::scenario::{EdgeSpec, FallbackSpec, NodeKind};
use crate::sim::{BreakerState, InstanceCounts, NodeLive, Stats, TargetOut};

use super::super::format;
use super::EdgeFlow;

/// One line of the card: a name and a value, and what its colour says.
#[derive(Debug, Clone, PartialEq)]
pub struct CardLine {
    pub name: &'static str,
    pub value: String,
    pub tone: Tone,
    /// A part of `value` (a byte range) drawn as an alarm whatever the
    /// line's tone: the hot shard among the shards, so one number of four
    /// stands out without painting the others red.
    pub highlight: Option<std::ops::Range<usize>>,
}

/// What a card line's colour says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    /// A warning: failures, a full pool, an open breaker.
    Alarm,
    /// Answers a fallback gave instead of failing: not a failure, not ok.
    Degraded,
}

impl CardLine {
    pub fn alarm(&self) -> bool {
        self.tone == Tone::Alarm
    }
}

fn line(name: &'static str, value: String, alarm: bool) -> CardLine {
    CardLine { name, value, tone: if alarm { Tone::Alarm } else { Tone::Plain }, highlight: None }
}

fn degraded(name: &'static str, value: String) -> CardLine {
    CardLine { name, value, tone: Tone::Degraded, highlight: None }
}

/// The card of a node from its state now and its last complete window.
pub fn node_card(kind: &NodeKind, live: &NodeLive, recent: Option<&Stats>) -> Vec<CardLine> {
    let mut out = Vec::new();
    if live.down {
        out.push(line("status", "DOWN".into(), true));
    }
    if let Some(rate) = live.client_rate {
        out.push(line("sending", format::rate(rate), false));
    }
    if let Some(counts) = live.instances {
        // An autoscaled database counts its servers: every shard's primary
        // and read replicas.
        let (autoscaled, name) = match kind {
            NodeKind::Service(s) => (s.autoscale.is_some(), "instances"),
            NodeKind::Database(d) => (d.autoscale.is_some(), "servers"),
            _ => (false, "instances"),
        };
        if counts.running() > 1 || autoscaled {
            out.push(line(name, instances_text(counts), false));
        }
    }
    if let Some(per_hour) = live.cost_per_hour.filter(|c| *c > 0.0) {
        out.push(line("costs", format::cost_rate(per_hour), false));
    }
    if let Some(w) = live.workers {
        let name = kind.component().pool_noun().map_or("workers", |(_, many)| many);
        out.push(line(name, format::of_capacity(live.busy, Some(w)), live.busy >= w));
    }
    if let Some((shard, busy, all)) = live.hottest_shard {
        out.push(line("busiest shard", format!("{shard}: {}", format::of_capacity(busy, Some(all))), busy >= all));
    }
    if let Some(shards) = shards_line(&live.shard_utilisation) {
        out.push(shards);
    }
    if live.workers.is_some() || live.queue_capacity.is_some() {
        let full = live.queue_capacity.is_some_and(|c| live.queue_len >= c);
        out.push(line("queue", format::of_capacity(live.queue_len, live.queue_capacity), full));
    }
    if let Some(s) = recent {
        let served = if matches!(kind, NodeKind::Client(_)) { "answered ok" } else { "throughput" };
        out.push(line(served, format::rate(s.throughput_rps), false));
        if s.latency.count > 0 {
            out.push(line("p50", format::ms(s.latency.p50_ms), false));
            out.push(line("p99", format::ms(s.latency.p99_ms), false));
        }
        out.push(line("errors", format::percent(s.error_ratio), s.error_ratio > 0.0));
        if s.degraded > 0 {
            // Answered by a fallback: a worse answer, not a failure.
            let answers = if s.degraded == 1 { "answer" } else { "answers" };
            let value = format!("{} · {} {answers}", format::percent(s.degraded_ratio), format::count(s.degraded));
            out.push(degraded("degraded", value));
        }
        if let Some(u) = s.utilisation {
            out.push(line("utilisation", format::percent(u), u >= 0.85));
        }
        if let Some(h) = s.hit_ratio {
            out.push(line("hit ratio", format::percent(h), false));
        }
        if s.retries > 0 {
            out.push(line(
                "retries",
                format!("{}/s", format::count((s.retries as f64 / s.duration_s.max(1e-9)) as u64)),
                true,
            ));
        }
    }
    if let (Some(keys), NodeKind::Cache(spec)) = (live.cache_keys, kind) {
        let cap = match spec.mode {
            crate::scenario::CacheMode::Lru { capacity, .. } => {
                format!("{}/{}", format::count(keys as u64), format::count(capacity))
            }
            crate::scenario::CacheMode::FixedHitRate { .. } => format::count(keys as u64),
        };
        out.push(line("keys", cap, false));
    }
    if live.slowdown > 1.0 {
        out.push(line("slowed", format!("×{:.1}", live.slowdown), true));
    }
    if live.injected_error > 0.0 {
        out.push(line("injected errors", format::percent(live.injected_error), true));
    }
    out
}

/// Utilisation from which the card calls a shard hot (the engine's
/// `SATURATED`, the diagnosis's threshold for a hot shard).
const HOT_SHARD: f64 = 0.85;

/// A sharded database's shards since the warm-up, in order: "shards 100 %
/// · 21 % · 21 % · 64 %", the busiest highlighted when it is 85 % busy or
/// more. The node's own utilisation averages them (52 % here) and hides
/// the shard that turns requests away. `None` for fewer than two shards.
fn shards_line(utilisation: &[f64]) -> Option<CardLine> {
    if utilisation.len() < 2 {
        return None;
    }
    let hot = utilisation
        .iter()
        .enumerate()
        .fold(None, |best: Option<(usize, f64)>, (k, &u)| match best {
            Some((_, b)) if b >= u => best,
            _ => Some((k, u)),
        })
        .filter(|&(_, u)| u >= HOT_SHARD)
        .map(|(k, _)| k);
    let mut value = String::new();
    let mut highlight = None;
    for (k, &u) in utilisation.iter().enumerate() {
        if k > 0 {
            value.push_str(" · ");
        }
        let start = value.len();
        value.push_str(&format::percent(u));
        if hot == Some(k) {
            highlight = Some(start..value.len());
        }
    }
    Some(CardLine { name: "shards", value, tone: Tone::Plain, highlight })
}

/// A service's instances as the card and the canvas say them: "3",
/// "3 + 2 booting", "3, 1 draining".
pub fn instances_text(counts: InstanceCounts) -> String {
    let mut text = counts.ready.to_string();
    if counts.booting > 0 {
        text.push_str(&format!(" + {} booting", counts.booting));
    }
    if counts.draining > 0 {
        text.push_str(&format!(", {} draining", counts.draining));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ServiceSpec;

    #[test]
    fn a_scaled_service_card_shows_its_instances_with_those_booting() {
        let live = NodeLive {
            down: false,
            busy: 3,
            workers: Some(12),
            queue_len: 0,
            queue_capacity: None,
            slowdown: 1.0,
            injected_error: 0.0,
            cache_keys: None,
            client_rate: None,
            instances: Some(InstanceCounts { ready: 3, booting: 2, draining: 0 }),
            cost_per_hour: Some(0.5),
            hottest_shard: None,
            shard_utilisation: Vec::new(),
        };
        let card = node_card(&NodeKind::Service(ServiceSpec::default()), &live, None);
        assert!(card.iter().any(|l| l.name == "instances" && l.value == "3 + 2 booting"), "{card:?}");
        assert!(card.iter().any(|l| l.name == "costs" && l.value == "$0.50/h · $365/month"), "{card:?}");
        let one = NodeLive { instances: Some(InstanceCounts { ready: 1, booting: 0, draining: 0 }), ..live };
        let card = node_card(&NodeKind::Service(ServiceSpec::default()), &one, None);
        assert!(!card.iter().any(|l| l.name == "instances"), "one instance, nothing to say");
    }

    /// A sharded database's card names its busiest shard, full in red,
    /// which the node's own count (here 10 of 16) averages away.
    #[test]
    fn a_sharded_database_card_shows_its_busiest_shard() {
        let live = NodeLive {
            down: false,
            busy: 10,
            workers: Some(16),
            queue_len: 0,
            queue_capacity: None,
            slowdown: 1.0,
            injected_error: 0.0,
            cache_keys: None,
            client_rate: None,
            instances: None,
            cost_per_hour: None,
            hottest_shard: Some((1, 4, 4)),
            shard_utilisation: vec![1.0, 0.21, 0.21, 0.64],
        };
        let kind = NodeKind::Database(crate::scenario::DatabaseSpec { shards: 4, ..Default::default() });
        let card = node_card(&kind, &live, None);
        let shard = card.iter().find(|l| l.name == "busiest shard").expect("a shard line");
        assert!(shard.value.starts_with("1: 4") && shard.alarm(), "{shard:?}");
    }

    /// Every shard's utilisation on one line, the hot one highlighted
    /// alone: the database's average (here about 52 %) hides it.
    #[test]
    fn a_sharded_database_card_lists_each_shard_with_the_hot_one_highlighted() {
        let line = shards_line(&[0.21, 1.0, 0.21, 0.64]).expect("a shards line");
        assert_eq!(line.value, "21 % · 100 % · 21 % · 64 %");
        assert_eq!(line.tone, Tone::Plain, "the line itself is not an alarm");
        let hot = line.highlight.clone().and_then(|r| line.value.get(r)).expect("a highlighted part");
        assert_eq!(hot, "100 %");
    }

    #[test]
    fn shards_under_85_percent_are_listed_without_a_highlight() {
        let line = shards_line(&[0.5, 0.84]).expect("a shards line");
        assert_eq!((line.value.as_str(), line.highlight), ("50 % · 84 %", None));
        let even = shards_line(&[0.9, 0.9, 0.9]).expect("a shards line");
        assert_eq!(even.highlight, Some(0..4), "equally saturated: the first is marked, {even:?}");
        assert!(shards_line(&[1.0]).is_none() && shards_line(&[]).is_none(), "one shard is the node itself");
    }

    #[test]
    fn the_card_of_a_sharded_database_has_a_shards_line() {
        let live = NodeLive {
            down: false,
            busy: 4,
            workers: Some(8),
            queue_len: 0,
            queue_capacity: None,
            slowdown: 1.0,
            injected_error: 0.0,
            cache_keys: None,
            client_rate: None,
            instances: None,
            cost_per_hour: None,
            hottest_shard: Some((0, 4, 4)),
            shard_utilisation: vec![0.97, 0.1],
        };
        let kind = NodeKind::Database(crate::scenario::DatabaseSpec { shards: 2, ..Default::default() });
        let card = node_card(&kind, &live, None);
        let shards = card.iter().find(|l| l.name == "shards").expect("a shards line");
        assert_eq!(shards.value, "97 % · 10 %");
    }

    use crate::sim::LatencySummary;

    #[test]
    fn a_busy_service_card_shows_numbers_with_their_capacity() {
        let live = NodeLive {
            down: false,
            busy: 6,
            workers: Some(8),
            queue_len: 41,
            queue_capacity: Some(100),
            slowdown: 1.0,
            injected_error: 0.0,
            cache_keys: None,
            client_rate: None,
            instances: None,
            cost_per_hour: None,
            hottest_shard: None,
            shard_utilisation: Vec::new(),
        };
        let recent = Stats {
            duration_s: 1.0,
            throughput_rps: 320.0,
            error_ratio: 0.021,
            utilisation: Some(0.74),
            latency: LatencySummary { count: 300, p50_ms: 12.0, p99_ms: 182.0, ..Default::default() },
            ..Default::default()
        };
        let card = node_card(&NodeKind::Service(ServiceSpec::default()), &live, Some(&recent));
        let text: Vec<String> = card.iter().map(|l| format!("{} {}", l.name, l.value)).collect();
        for expected in ["workers 6/8", "queue 41/100", "p99 182 ms", "errors 2.1 %", "throughput 320 rps"] {
            assert!(text.iter().any(|t| t == expected), "{expected} missing in {text:?}");
        }
        assert!(card.iter().find(|l| l.name == "errors").is_some_and(CardLine::alarm));
        assert!(!card.iter().find(|l| l.name == "workers").is_some_and(CardLine::alarm));
        assert!(!card.iter().any(|l| l.name == "degraded"), "no degraded answers, no line");
    }

    /// Answers a fallback gave show on their own line, in their own tone,
    /// apart from the errors: a degraded page is not a failed one.
    #[test]
    fn degraded_answers_show_apart_from_errors() {
        let live = NodeLive {
            down: false,
            busy: 2,
            workers: Some(30),
            queue_len: 0,
            queue_capacity: Some(200),
            slowdown: 1.0,
            injected_error: 0.0,
            cache_keys: None,
            client_rate: None,
            instances: None,
            cost_per_hour: None,
            hottest_shard: None,
            shard_utilisation: Vec::new(),
        };
        let recent = Stats {
            duration_s: 1.0,
            ok: 2,
            degraded: 198,
            degraded_ratio: 0.99,
            latency: LatencySummary { count: 200, p50_ms: 40.0, p99_ms: 45.0, ..Default::default() },
            ..Default::default()
        };
        let card = node_card(&NodeKind::Service(ServiceSpec::default()), &live, Some(&recent));
        let errors = card.iter().find(|l| l.name == "errors").expect("an errors line");
        assert_eq!((errors.value.as_str(), errors.tone), ("0 %", Tone::Plain));
        let degraded = card.iter().find(|l| l.name == "degraded").expect("a degraded line");
        assert_eq!(degraded.value, "99 % · 198 answers");
        assert_eq!(degraded.tone, Tone::Degraded);
    }

    #[test]
    fn a_down_node_says_so_first() {
        let live = NodeLive {
            down: true,
            busy: 0,
            workers: Some(4),
            queue_len: 0,
            queue_capacity: None,
            slowdown: 1.0,
            injected_error: 0.0,
            cache_keys: None,
            client_rate: None,
            instances: None,
            cost_per_hour: None,
            hottest_shard: None,
            shard_utilisation: Vec::new(),
        };
        let card = node_card(&NodeKind::Service(ServiceSpec::default()), &live, None);
        assert_eq!(card[0].value, "DOWN");
        assert!(card.iter().any(|l| l.name == "queue" && l.value == "0/∞"));
    }
}

/// An edge's traffic now: its rate and the share of answers that failed,
/// its circuit breaker's state if it has one, its calls in flight against
/// its bulkhead's cap if it has one, then what its caller's timeout,
/// retries, breaker and bulkhead did so far, when they did anything (most
/// links never time out, and a line of zeros is noise), its hedging's
/// copies if it hedges, and its fallback's answers.
pub fn edge_traffic(flow: &EdgeFlow) -> Vec<CardLine> {
    let mut lines = vec![
        line("rate", format::rate(flow.rate_rps), false),
        line("errors", format::percent(flow.error_ratio), flow.error_ratio > 0.0),
    ];
    if let Some(state) = flow.breaker {
        lines.push(line("breaker", breaker_text(state).to_string(), state != BreakerState::Closed));
    }
    if let Some(out) = flow.target_out {
        let why = match out {
            TargetOut::Ejected => "ejected: too many failures in a row",
            TargetOut::MarkedDown => "marked down by its health checks",
        };
        lines.push(line("target", why.to_string(), true));
    }
    if let Some((in_flight, cap)) = flow.bulkhead {
        // Calls waiting on the callee now, against the bulkhead's cap.
        lines.push(line("in flight", format::of_capacity(in_flight, Some(cap)), in_flight >= cap));
    }
    if let Some(link) = flow.link {
        lines.push(line("payloads", format::bytes_rate(link.bytes_per_s), false));
        if let (Some(forward), Some(back)) = (link.forward_busy, link.back_busy) {
            // A link near its bandwidth queues: worth a look from 85 %.
            let text = format!("{} requests · {} answers", format::percent(forward), format::percent(back));
            lines.push(line("link busy", text, forward.max(back) >= 0.85));
        }
    }
    if let Some(waiting) = flow.bulkhead_waiting {
        // Calls in the bulkhead's line now, each for at most its wait.
        lines.push(line("waiting for a place", format::count(u64::from(waiting)), waiting > 0));
    }
    if flow.bulkhead_full > 0 {
        // Refused at once: failed calls, though a fallback may answer them.
        lines.push(line("bulkhead full", format!("×{} so far", format::count(flow.bulkhead_full)), true));
    }
    for (name, n) in [
        ("timeouts", flow.timeouts),
        ("retries", flow.retries),
        ("retries denied", flow.retries_denied),
        ("failed fast (breaker)", flow.breaker_open),
    ] {
        if n > 0 {
            lines.push(line(name, format!("{} so far", format::count(n)), true));
        }
    }
    if let Some((sent, won)) = flow.hedges {
        // A second copy of a late call, and those that answered first:
        // the hedge at work, not a failure.
        lines.push(line("hedge copies sent", format!("{} so far", format::count(sent)), false));
        lines.push(line("copies answered first", format!("{} so far", format::count(won)), false));
    }
    if flow.fallbacks > 0 {
        // Failed calls the caller answered itself: degraded, not failed.
        lines.push(degraded("answered by fallback", format!("{} so far", format::count(flow.fallbacks))));
    }
    lines
}

/// An edge's fallback as the card says it: what the caller answers
/// instead of a failure.
pub fn fallback_text(fallback: &FallbackSpec) -> String {
    match fallback {
        FallbackSpec::Respond { latency: None } => "default answer, at once".into(),
        FallbackSpec::Respond { latency: Some(d) } => match d.mean_ms() {
            Some(mean) => format!("default answer in {}", format::ms(mean)),
            None => "default answer".into(),
        },
        FallbackSpec::ServeStale => "serve the stale copy".into(),
    }
}

/// A breaker's state as the card says it: what it does to calls now.
fn breaker_text(state: BreakerState) -> &'static str {
    match state {
        BreakerState::Closed => "closed (calls go through)",
        BreakerState::Open => "OPEN: calls fail fast",
        BreakerState::HalfOpen => "half-open: probing",
    }
}

/// The card of an edge: its latency and drop rate as written, and its
/// traffic now when it is part of the running simulation. The edge hover
/// card and the edge inspector both print this.
pub fn edge_card(edge: &EdgeSpec, flow: Option<&EdgeFlow>) -> Vec<CardLine> {
    let latency = match &edge.latency {
        Some(d) => d.mean_ms().map_or_else(|| "varies".into(), format::ms),
        None => "none".into(),
    };
    let mut lines = vec![line("latency (mean, one way)", latency, false)];
    if let Some(f) = flow {
        lines.extend(edge_traffic(f));
    }
    if edge.drop_probability > 0.0 {
        lines.push(line("dropped", format::percent(edge.drop_probability), true));
    }
    if let Some(f) = &edge.fallback {
        lines.push(line("fallback", fallback_text(f), false));
    }
    lines
}

#[cfg(test)]
mod edge_card_tests {
    use super::*;
    use crate::gui::live::LinkFlow;

    #[test]
    fn an_edge_card_shows_traffic_only_when_running() {
        let edge = EdgeSpec::new("a", "b");
        let names = |c: &[CardLine]| c.iter().map(|l| l.name).collect::<Vec<_>>();
        assert_eq!(names(&edge_card(&edge, None)), ["latency (mean, one way)"]);
        let flow = EdgeFlow { rate_rps: 120.0, error_ratio: 0.05, ..EdgeFlow::default() };
        let card = edge_card(&edge, Some(&flow));
        assert_eq!(names(&card), ["latency (mean, one way)", "rate", "errors"]);
        assert!(card[2].alarm());
    }

    /// An edge with a fallback says what it answers, and once it has
    /// answered, how often, as degraded answers rather than failures.
    #[test]
    fn an_edge_card_counts_the_answers_of_its_fallback_as_degraded() {
        let mut edge = EdgeSpec::new("shop", "recs");
        edge.fallback =
            Some(FallbackSpec::Respond { latency: Some(crate::scenario::DistributionSpec::Constant { ms: 1.0 }) });
        let flow = EdgeFlow { rate_rps: 5.0, error_ratio: 1.0, fallbacks: 5_900, ..EdgeFlow::default() };
        let card = edge_card(&edge, Some(&flow));
        let text: Vec<String> = card.iter().map(|l| format!("{} {}", l.name, l.value)).collect();
        assert!(text.contains(&"answered by fallback 5,900 so far".to_string()), "{text:?}");
        assert!(text.contains(&"fallback default answer in 1.0 ms".to_string()), "{text:?}");
        let line = card.iter().find(|l| l.name == "answered by fallback").expect("the count");
        assert_eq!(line.tone, Tone::Degraded, "not an alarm: the callers got an answer");
        assert!(!edge_traffic(&EdgeFlow::default()).iter().any(|l| l.name == "answered by fallback"));
        assert_eq!(fallback_text(&FallbackSpec::ServeStale), "serve the stale copy");
    }

    /// Timeouts and retries show once there are some, and only those.
    #[test]
    fn an_edge_card_shows_timeouts_and_retries_once_they_happen() {
        let flow = EdgeFlow { rate_rps: 50.0, timeouts: 1_234, retries: 7, ..EdgeFlow::default() };
        let text: Vec<String> = edge_traffic(&flow).iter().map(|l| format!("{} {}", l.name, l.value)).collect();
        assert_eq!(text, ["rate 50 rps", "errors 0 %", "timeouts 1,234 so far", "retries 7 so far"]);
        let denied = EdgeFlow { retries_denied: 3, ..EdgeFlow::default() };
        assert!(edge_traffic(&denied).iter().any(|l| l.name == "retries denied" && l.alarm()));
    }

    /// An edge with a breaker says where it is, on the hover card and in
    /// the inspector alike, and warns while it is not closed.
    #[test]
    fn an_edge_card_says_where_its_breaker_is() {
        let breaker = |state| EdgeFlow { breaker: Some(state), breaker_open: 40, ..EdgeFlow::default() };
        let open = edge_traffic(&breaker(BreakerState::Open));
        let text: Vec<String> = open.iter().map(|l| format!("{} {}", l.name, l.value)).collect();
        assert_eq!(
            text,
            ["rate 0 rps", "errors 0 %", "breaker OPEN: calls fail fast", "failed fast (breaker) 40 so far"]
        );
        assert!(open[2].alarm());
        let closed = edge_card(&EdgeSpec::new("a", "b"), Some(&breaker(BreakerState::Closed)));
        assert!(closed.iter().any(|l| l.name == "breaker" && !l.alarm()), "{closed:?}");
        assert!(!edge_traffic(&EdgeFlow::default()).iter().any(|l| l.name == "breaker"), "no breaker, no line");
    }

    /// An edge out of a balancer that took its target out says why.
    #[test]
    fn an_edge_card_says_its_target_was_ejected() {
        let flow = EdgeFlow { target_out: Some(TargetOut::Ejected), ..EdgeFlow::default() };
        let card = edge_traffic(&flow);
        let target = card.iter().find(|l| l.name == "target").expect("a line for it");
        assert_eq!(target.value, "ejected: too many failures in a row");
        assert!(target.alarm());
    }

    /// An edge with a bulkhead shows its calls in flight against the cap,
    /// warning when it is full, and once it refused calls, how many, under
    /// the reason's own label: a fallback that answers them must not hide
    /// them.
    #[test]
    fn an_edge_card_shows_its_bulkheads_calls_in_flight_and_refusals() {
        let text = |flow: &EdgeFlow| -> Vec<String> {
            edge_traffic(flow).iter().map(|l| format!("{} {}", l.name, l.value)).collect()
        };
        let calm = EdgeFlow { rate_rps: 60.0, bulkhead: Some((2, 10)), ..EdgeFlow::default() };
        assert_eq!(text(&calm), ["rate 60 rps", "errors 0 %", "in flight 2/10"]);
        assert!(!edge_traffic(&calm)[2].alarm());
        let full = EdgeFlow { bulkhead: Some((10, 10)), bulkhead_full: 1_568, fallbacks: 1_568, ..calm };
        let card = edge_traffic(&full);
        assert_eq!(
            text(&full),
            [
                "rate 60 rps",
                "errors 0 %",
                "in flight 10/10",
                "bulkhead full ×1,568 so far",
                "answered by fallback 1,568 so far"
            ]
        );
        assert!(card[2].alarm() && card[3].alarm(), "{card:?}");
        assert!(!text(&EdgeFlow::default()).iter().any(|t| t.starts_with("in flight")), "no bulkhead, no line");
        let waiting = EdgeFlow { bulkhead: Some((10, 10)), bulkhead_waiting: Some(37), ..calm };
        assert_eq!(text(&waiting), ["rate 60 rps", "errors 0 %", "in flight 10/10", "waiting for a place 37"]);
        assert!(edge_traffic(&waiting)[3].alarm(), "a line is worth a look");
    }

    /// An edge with payloads says how many bytes cross it and, with a
    /// bandwidth, how busy each way is, warning near saturation.
    #[test]
    fn an_edge_card_shows_its_payloads_and_how_busy_its_link_is() {
        let flow = EdgeFlow {
            link: Some(LinkFlow { bytes_per_s: 1_320_000.0, forward_busy: Some(0.92), back_busy: Some(0.1) }),
            ..EdgeFlow::default()
        };
        let card = edge_traffic(&flow);
        let text: Vec<String> = card.iter().map(|l| format!("{} {}", l.name, l.value)).collect();
        assert!(text.contains(&"payloads 1.3 MB/s".to_string()), "{text:?}");
        let busy = card.iter().find(|l| l.name == "link busy").expect("a bandwidth");
        assert_eq!(busy.value, "92 % requests · 10 % answers");
        assert!(busy.alarm());
    }

    /// An edge that hedges counts the copies it sent and those that
    /// answered first (none yet is worth saying: no call was that late),
    /// plainly: a copy is the hedge at work, not a failure.
    #[test]
    fn an_edge_card_counts_the_copies_its_hedging_sent_and_won() {
        let flow = EdgeFlow { rate_rps: 25.0, hedges: Some((1_604, 926)), ..EdgeFlow::default() };
        let card = edge_traffic(&flow);
        let text: Vec<String> = card.iter().map(|l| format!("{} {}", l.name, l.value)).collect();
        assert_eq!(
            text,
            ["rate 25 rps", "errors 0 %", "hedge copies sent 1,604 so far", "copies answered first 926 so far"]
        );
        assert!(card.iter().all(|l| l.tone == Tone::Plain), "{card:?}");
        let none_yet = edge_traffic(&EdgeFlow { hedges: Some((0, 0)), ..EdgeFlow::default() });
        assert!(none_yet.iter().any(|l| l.name == "hedge copies sent" && l.value == "0 so far"));
        assert!(!edge_traffic(&EdgeFlow::default()).iter().any(|l| l.name == "hedge copies sent"));
    }
}
