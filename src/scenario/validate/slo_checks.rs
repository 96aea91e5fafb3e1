//! The `slos` and `alerts` sections: names unique and known, percentages
//! that leave an error budget, alert windows whole numbers of metrics
//! windows (the alerts are judged at window closes, on whole windows).

use std::collections::HashMap;

use super::super::{AlertRule, MAX_ALERT_WINDOWS, MAX_ALERTS, MAX_SLOS, SloObjective};
use super::{Checker, Index, Key, Lookup, MAX_MS, MAX_SECONDS, PathSegment, at, quoted_list, show};

/// Checks both sections (nothing to do, and nothing done, without them).
pub(super) fn check(c: &mut Checker, g: &mut Lookup<'_>) {
    let s = g.s;
    if s.slos.is_empty() && s.alerts.is_empty() {
        return;
    }
    if s.slos.len() > MAX_SLOS {
        c.report(
            vec![Key("slos")],
            format!("the scenario has {} SLOs; at most {MAX_SLOS} are supported", s.slos.len()),
        );
    }
    if s.alerts.len() > MAX_ALERTS {
        c.report(
            vec![Key("alerts")],
            format!("the scenario has {} alerts; at most {MAX_ALERTS} are supported", s.alerts.len()),
        );
    }
    let mut slos: HashMap<&str, usize> = HashMap::new();
    for (i, slo) in s.slos.iter().enumerate() {
        let path = vec![Key("slos"), Index(i)];
        if slo.name.trim().is_empty() {
            c.report(at(&path, &[Key("name")]), "an SLO needs a non-empty `name`: alerts and reports refer to it");
        } else if slos.insert(&slo.name, i).is_some() {
            c.report(at(&path, &[Key("name")]), format!("SLO \"{}\" is declared twice", slo.name));
        }
        if let Some(id) = &slo.node
            && g.node(id).is_none()
        {
            let why = g.suggestions.unknown_node(id);
            c.report(at(&path, &[Key("node")]), format!("SLO \"{}\": {why}", slo.name));
        }
        let objective = at(&path, &[Key("objective")]);
        match slo.objective {
            SloObjective::Latency { percentile, below_ms } => {
                share(c, &objective, "percentile", percentile);
                c.positive(&objective, "below_ms", below_ms, MAX_MS, "ms");
            }
            SloObjective::Availability { target } => share(c, &objective, "target", target),
        }
        if let Some(period) = slo.period_s {
            c.number(&path, "period_s", period, super::Low::AtLeast(s.window_s), MAX_SECONDS, "seconds");
        }
    }
    let mut alerts: HashMap<&str, usize> = HashMap::new();
    for (i, alert) in s.alerts.iter().enumerate() {
        let path = vec![Key("alerts"), Index(i)];
        if alert.name.trim().is_empty() {
            c.report(at(&path, &[Key("name")]), "an alert needs a non-empty `name`: the event log names it");
        } else if alerts.insert(&alert.name, i).is_some() {
            c.report(at(&path, &[Key("name")]), format!("alert \"{}\" is declared twice", alert.name));
        }
        let slo = slos.get(alert.slo.as_str()).map(|&k| &s.slos[k]);
        if slo.is_none() {
            let known = if s.slos.is_empty() {
                "the scenario has no `slos`: declare the SLO the alert watches".to_string()
            } else {
                format!("the SLOs are {}", quoted_list(s.slos.iter().map(|o| o.name.as_str()), s.slos.len()))
            };
            c.report(
                at(&path, &[Key("slo")]),
                format!("alert \"{}\" watches no SLO \"{}\"; {known}", alert.name, alert.slo),
            );
        }
        let rule = at(&path, &[Key("rule")]);
        match alert.rule {
            AlertRule::BurnRate { factor, long_window_s, short_window_s } => {
                c.positive(&rule, "factor", factor, f64::INFINITY, "");
                if let Some(slo) = slo
                    && factor.is_finite()
                    && factor >= slo.objective.max_burn_rate()
                    && share_ok(slo.objective.target_percent())
                {
                    c.report(
                        at(&rule, &[Key("factor")]),
                        format!(
                            "a burn rate of {}× can never be reached: with \"{}\" at {}, every event bad burns \
                             the budget {}× as fast as it may; take a smaller `factor`",
                            show(factor),
                            slo.name,
                            slo.objective.describe(),
                            show(slo.objective.max_burn_rate()),
                        ),
                    );
                }
                let long_ok = window(c, &rule, "long_window_s", long_window_s, s.window_s);
                let short_ok = window(c, &rule, "short_window_s", short_window_s, s.window_s);
                if long_ok && short_ok && short_window_s >= long_window_s {
                    c.report(
                        at(&rule, &[Key("short_window_s")]),
                        format!(
                            "`short_window_s` ({short_window_s}) must be shorter than `long_window_s` \
                             ({long_window_s}): the short window makes the alert resolve soon after the burn stops"
                        ),
                    );
                }
            }
            AlertRule::Threshold { bad_percent, window_s } => {
                if !(bad_percent.is_finite() && (0.0..100.0).contains(&bad_percent)) {
                    c.report(
                        at(&rule, &[Key("bad_percent")]),
                        format!(
                            "`bad_percent` must be from 0 to less than 100 (a percentage), got {}",
                            show(bad_percent)
                        ),
                    );
                }
                window(c, &rule, "window_s", window_s, s.window_s);
            }
        }
    }
}

fn share_ok(v: f64) -> bool {
    v.is_finite() && v > 0.0 && v < 100.0
}

/// A percentage of good events: above 0 and below 100, so there is an
/// error budget to spend.
fn share(c: &mut Checker, base: &[PathSegment<'static>], field: &'static str, v: f64) {
    if !share_ok(v) {
        c.report(
            at(base, &[Key(field)]),
            format!(
                "`{field}` is a percentage of good events: more than 0 and less than 100 (99.9 leaves a 0.1 % \
                 error budget), got {}",
                show(v)
            ),
        );
    }
}

/// An alert window: a whole number of metrics windows (`window_s`), at
/// least one and at most [`MAX_ALERT_WINDOWS`]. Whether it is.
fn window(c: &mut Checker, base: &[PathSegment<'static>], field: &'static str, v: f64, window_s: f64) -> bool {
    if !(window_s.is_finite() && window_s > 0.0) {
        return false;
    }
    let windows = v / window_s;
    let whole = (windows - windows.round()).abs() <= 1e-6 * windows.max(1.0);
    if v.is_finite() && whole && windows.round() >= 1.0 && windows.round() <= MAX_ALERT_WINDOWS {
        return true;
    }
    c.report(
        at(base, &[Key(field)]),
        format!(
            "`{field}` must be a whole number of metrics windows (`window_s` is {window_s} s), from 1 to {} of \
             them, got {}: alerts are judged as each window closes",
            MAX_ALERT_WINDOWS,
            show(v)
        ),
    );
    false
}
