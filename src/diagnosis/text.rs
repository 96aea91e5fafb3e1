//! How the diagnosis writes numbers in its sentences: one place, so the
//! app's verdict and the command line's summary read the same.

pub use crate::sim::group_thousands as count;

use crate::scenario::FaultSpec;

/// A ratio in [0, 1] as a percentage: `0 %`, `0.4 %`, `69 %`, `100 %`;
/// never "100 %" for a share that was not all.
pub fn percent(ratio: f64) -> String {
    if !ratio.is_finite() || ratio <= 0.0 {
        return "0 %".into();
    }
    let p = ratio * 100.0;
    if p < 10.0 {
        format!("{p:.1} %")
    } else if p >= 99.5 && ratio < 1.0 {
        "over 99 %".into()
    } else {
        format!("{p:.0} %")
    }
}

/// A duration in milliseconds: `0.42 ms`, `12.5 ms`, `182 ms`, `1.25 s`.
pub fn ms(value_ms: f64) -> String {
    if !value_ms.is_finite() || value_ms < 0.0 {
        return "–".into();
    }
    if value_ms < 1.0 {
        format!("{value_ms:.2} ms")
    } else if value_ms < 100.0 {
        format!("{value_ms:.1} ms")
    } else if value_ms < 1_000.0 {
        format!("{value_ms:.0} ms")
    } else {
        format!("{:.2} s", value_ms / 1_000.0)
    }
}

/// Simulated seconds: `0.4 s`, `3.0 s`, `95 s`.
pub fn seconds(s: f64) -> String {
    if s < 10.0 { format!("{s:.1} s") } else { format!("{s:.0} s") }
}

/// A balancer's health checks as a learner reads them: `checks every
/// 5.0 s (2.0 s timeout), 3 failures to mark down`.
pub fn health_checks(h: &crate::scenario::HealthCheckSpec) -> String {
    format!(
        "checks every {} ({} timeout), {} to mark down",
        seconds(h.interval_s),
        seconds(h.timeout_s),
        counted(u64::from(h.unhealthy_threshold), "failure", "failures")
    )
}

/// How long, on average, the checks `h` take to notice a dead target
/// (`theory::health_check_detection_mean`).
pub fn detection_mean(h: &crate::scenario::HealthCheckSpec) -> f64 {
    crate::sim::theory::health_check_detection_mean(h.interval_s, h.timeout_s, h.unhealthy_threshold)
}

/// A multiple: `1.3×`, `3.2×`, `12×`.
pub fn times(factor: f64) -> String {
    if factor < 10.0 { format!("{factor:.1}×") } else { format!("{factor:.0}×") }
}

/// `n` followed by the singular or the plural noun: `1 attempt`, `2,154 attempts`.
pub fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

/// `id`'s, or `id`' for a name ending in s: `api's`, `users'`.
pub fn possessive(id: &str) -> String {
    if id.ends_with('s') { format!("{id}'") } else { format!("{id}'s") }
}

/// `text` with its first letter in upper case, for a sentence that begins with a count.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// A number rounded to two significant digits, for suggested settings:
/// 84 → 84, 137 → 140, 2,345 → 2,300; at least 1.
pub fn round_nicely(value: f64) -> u32 {
    if !value.is_finite() || value < 1.0 {
        return 1;
    }
    let magnitude = 10f64.powi(value.log10().floor() as i32 - 1).max(1.0);
    ((value / magnitude).round() * magnitude).min(f64::from(u32::MAX)) as u32
}

/// A size or a bandwidth as a person writes it: at most two decimals,
/// none when whole (1.25, 3.3, 40, 1,000).
pub fn amount(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    if rounded.fract() == 0.0 && rounded.abs() < 1e15 {
        return count(rounded as u64);
    }
    format!("{rounded:.2}").trim_end_matches('0').to_string()
}

/// `a`, `a and b`, `a, b and c`.
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A fault in words: `db crashes at 60 s, back at 90 s`.
pub fn fault_text(f: &FaultSpec) -> String {
    match f {
        FaultSpec::Crash { node, at_s, restore_s } => match restore_s {
            Some(r) => format!("{node} crashes at {at_s} s, back at {r} s"),
            None => format!("{node} crashes at {at_s} s"),
        },
        FaultSpec::Slow { node, factor, from_s, to_s } => format!("{node} ×{factor} slower {from_s}–{to_s} s"),
        FaultSpec::Errors { node, probability, from_s, to_s } => {
            format!("{node} fails {} {from_s}–{to_s} s", percent(*probability))
        }
        FaultSpec::RandomCrashes { node, mtbf_s, mttr_s } => {
            format!("{node} crashes at random (MTBF {mtbf_s} s, MTTR {mttr_s} s)")
        }
        FaultSpec::Partition { from, to, from_s, to_s } => format!("{from} -> {to} cut {from_s}–{to_s} s"),
        FaultSpec::Latency { from, to, added_ms, from_s, to_s } => {
            format!("{from} -> {to} +{added_ms} ms each way {from_s}–{to_s} s")
        }
        FaultSpec::Flush { node, at_s } => format!("{node} flushed at {at_s} s"),
        FaultSpec::Spike { node, at_s, duration_s, factor } => {
            format!("{node} traffic ×{factor} at {at_s} s for {duration_s} s")
        }
        FaultSpec::Pause { node, at_s, duration_s } => format!("{node} paused at {at_s} s for {duration_s} s"),
        FaultSpec::ZoneOutage { zone: area, at_s, restore_s }
        | FaultSpec::RegionOutage { region: area, at_s, restore_s } => {
            let word = if matches!(f, FaultSpec::ZoneOutage { .. }) { "zone" } else { "region" };
            match restore_s {
                Some(r) => format!("{word} {area} down at {at_s} s, back at {r} s"),
                None => format!("{word} {area} down at {at_s} s"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_keep_two_decimals_at_most() {
        assert_eq!(amount(1.25), "1.25");
        assert_eq!(amount(3.300_000_1), "3.3");
        assert_eq!(amount(40.0), "40");
        assert_eq!(amount(1_000.004), "1,000");
    }

    #[test]
    fn shares_are_never_rounded_up_to_all() {
        assert_eq!(percent(0.0), "0 %");
        assert_eq!(percent(0.004), "0.4 %");
        assert_eq!(percent(0.694), "69 %");
        assert_eq!(percent(0.998), "over 99 %");
        assert_eq!(percent(1.0), "100 %");
    }

    #[test]
    fn suggested_settings_are_round() {
        assert_eq!(round_nicely(0.2), 1);
        assert_eq!(round_nicely(42.4), 42);
        assert_eq!(round_nicely(137.0), 140);
        assert_eq!(round_nicely(2_345.0), 2_300);
    }

    #[test]
    fn names_ending_in_s_take_an_apostrophe_only() {
        assert_eq!(possessive("users"), "users'");
        assert_eq!(possessive("api"), "api's");
    }

    #[test]
    fn nouns_follow_the_count() {
        assert_eq!(counted(1, "attempt", "attempts"), "1 attempt");
        assert_eq!(counted(2_154, "attempt", "attempts"), "2,154 attempts");
    }
}
