//! A load balancer's rows for what it knows about its targets: real
//! health checks (a switch, then the interval, the timeout and the two
//! thresholds) and passive outlier ejection (a switch, then the failures in
//! a row that eject a target, the ejection time and the share of targets
//! that may be out at once). Each switch turns the defaults of its spec on.

use eframe::egui::Ui;

use super::fields::{Edit, Row};
use crate::scenario::PathSegment::Key;
use crate::scenario::limits::{
    MAX_HEALTH_CHECK_THRESHOLD, MAX_OUTLIER_CONSECUTIVE_FAILURES, MAX_SECONDS, MIN_HEALTH_CHECK_INTERVAL_S,
};
use crate::scenario::{HealthCheckSpec, OutlierEjectionSpec};

/// What the health-check switch's tooltip says: what checks do, and when
/// to use them.
const CHECKS_HELP: &str = "Real active health checks, as a cloud load balancer runs them: every interval the balancer \
     probes each target; a probe fails when the target is down, cut off, or does not answer within the timeout (a \
     long stop-the-world pause, a slow link). After enough failures in a row the target is marked unhealthy and gets \
     no traffic; after enough passes in a row it is healthy again. Until a dead target is marked, its share of the \
     requests fails: on average (failures needed − ½) × interval + timeout. Use them to see what a detection delay \
     costs and how to tune it; off, the simple fixed delay above is used. Probes take no worker. Applies at once.";

/// What the outlier-ejection switch's tooltip says.
const EJECTION_HELP: &str = "Passive outlier ejection, as Envoy does it: the balancer counts the requests each target \
     failed in a row (errors, a crash, a full queue, a timeout; not its own breaker's or bulkhead's refusals, nor a \
     429), and ejects a target that reaches the count: no traffic for the ejection time, twice that the second time, \
     and so on. It catches what health checks cannot see, a target that is up but fails requests (a bad deploy, a \
     broken dependency), and a dead target after a few requests instead of a few probes. Use it with health checks \
     on any pool of replicas. Applies at once; switched off, ejected targets are back at once.";

/// The "health checks" switch (off: the fixed delay of `health_check_delay_s`),
/// then, while it is on, its rows at the path `health_check`.
pub fn health_check_rows(ui: &mut Ui, edit: &mut Edit, slot: &mut Option<HealthCheckSpec>) {
    let mut on = slot.is_some();
    let summary = match slot {
        Some(h) => format!("probe every {} s", short(h.interval_s)),
        None => "fixed delay".to_string(),
    };
    Row::new("health checks", "health_check").help(CHECKS_HELP).switch(ui, edit, &mut on, &summary);
    if on != slot.is_some() {
        *slot = on.then(HealthCheckSpec::default);
    }
    let Some(h) = slot else { return };
    let most = MAX_HEALTH_CHECK_THRESHOLD;
    edit.within(&[Key("health_check")], |edit| {
        Row::new("  check every", "interval_s")
            .unit(" s")
            .speed(0.1)
            .help(
                "Time between two probes of a target. Shorter notices a dead target sooner, at the cost of more \
                 probe traffic (AWS: 5–300 s, 30 by default).",
            )
            .number(ui, edit, &mut h.interval_s, MIN_HEALTH_CHECK_INTERVAL_S..=MAX_SECONDS);
        Row::new("  check timeout", "timeout_s")
            .unit(" s")
            .speed(0.05)
            .help(
                "How long a probe waits for its answer before it counts as failed; shorter than the interval. A \
                 target paused longer than this (a GC pause) fails its probes; a shorter pause only delays them.",
            )
            .number(ui, edit, &mut h.timeout_s, 0.001..=MAX_SECONDS);
        Row::new("  down after", "unhealthy_threshold")
            .unit(" failed checks")
            .help(
                "Failed probes in a row that mark a target unhealthy. 1 reacts fastest but lets one lost probe take \
                 a healthy target out; 2–3 is usual.",
            )
            .whole(ui, edit, &mut h.unhealthy_threshold, 1..=most);
        Row::new("  up after", "healthy_threshold")
            .unit(" passed checks")
            .help(
                "Passed probes in a row that bring an unhealthy target back. Higher waits until a restarted target \
                 is really up before it gets traffic again.",
            )
            .whole(ui, edit, &mut h.healthy_threshold, 1..=most);
    });
}

/// The "outlier ejection" switch, then, while it is on, its rows at the
/// path `outlier_ejection`.
pub fn outlier_ejection_rows(ui: &mut Ui, edit: &mut Edit, slot: &mut Option<OutlierEjectionSpec>) {
    let mut on = slot.is_some();
    let summary = match slot {
        Some(o) => format!("eject after {} failures", o.consecutive_failures),
        None => "off".to_string(),
    };
    Row::new("outlier ejection", "outlier_ejection").help(EJECTION_HELP).switch(ui, edit, &mut on, &summary);
    if on != slot.is_some() {
        *slot = on.then(OutlierEjectionSpec::default);
    }
    let Some(o) = slot else { return };
    edit.within(&[Key("outlier_ejection")], |edit| {
        Row::new("  eject after", "consecutive_failures")
            .unit(" failures in a row")
            .help(
                "Failed requests in a row that eject a target (Envoy's default: 5). A success starts the count \
                 again, so a target failing now and then is never ejected; one failing most requests soon is.",
            )
            .whole(ui, edit, &mut o.consecutive_failures, 1..=MAX_OUTLIER_CONSECUTIVE_FAILURES);
        Row::new("  ejection time", "base_ejection_s")
            .unit(" s")
            .speed(0.5)
            .help(
                "How long a target's first ejection lasts (Envoy's default: 30 s); its second lasts twice that, \
                 its third three times, so a target that keeps failing is kept out longer each time.",
            )
            .number(ui, edit, &mut o.base_ejection_s, 0.001..=MAX_SECONDS);
        Row::new("  max ejected", "max_ejected_percent")
            .unit(" % of targets")
            .help(
                "The most targets out at once, as a share of all of them (Envoy's default: 10 %), so a fault that \
                 hits every target does not eject them all. One may always be ejected.",
            )
            .whole(ui, edit, &mut o.max_ejected_percent, 0..=100);
    });
}

/// Seconds without trailing zeros: 5, 0.5, 2.25.
fn short(s: f64) -> String {
    let text = format!("{s:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}
