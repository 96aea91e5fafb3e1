//! How numbers are written on screen: one place, so the canvas, the hover
//! card, the inspector and the verdict say the same thing the same way.

/// Requests per second: `0.5 rps`, `950 rps`, `12.3k rps`, `1.2M rps`.
pub fn rate(rps: f64) -> String {
    if !rps.is_finite() || rps <= 0.0 {
        return "0 rps".into();
    }
    if rps < 10.0 {
        format!("{rps:.1} rps")
    } else if rps < 10_000.0 {
        format!("{rps:.0} rps")
    } else if rps < 1_000_000.0 {
        format!("{:.1}k rps", rps / 1_000.0)
    } else {
        format!("{:.1}M rps", rps / 1_000_000.0)
    }
}

/// Bytes per second as a network graph shows them (1 KB = 1,000 bytes):
/// `0 B/s`, `850 B/s`, `12.5 KB/s`, `3.2 MB/s`, `1.1 GB/s`.
pub fn bytes_rate(bytes_per_s: f64) -> String {
    if !bytes_per_s.is_finite() || bytes_per_s <= 0.0 {
        return "0 B/s".into();
    }
    let units = [("B/s", 1.0), ("KB/s", 1e3), ("MB/s", 1e6), ("GB/s", 1e9)];
    let (unit, scale) = units.iter().rev().find(|(_, scale)| bytes_per_s >= *scale).copied().unwrap_or(units[0]);
    let value = bytes_per_s / scale;
    if scale == 1.0 || value >= 100.0 { format!("{value:.0} {unit}") } else { format!("{value:.1} {unit}") }
}

/// A cost rate as the toolbar shows it: "$1.02/h · $745/month".
pub fn cost_rate(per_hour: f64) -> String {
    use crate::sim::cost::{HOURS_PER_MONTH, usd};
    format!("{}/h · {}/month", usd(per_hour), usd(per_hour * HOURS_PER_MONTH))
}

/// Characters the engine's and the loader's sentences use that the app's
/// font (egui's default) has no glyph for, with what to draw instead.
const NOT_IN_FONT: [(char, &str); 1] = [('→', "->")];

/// `text` with the characters the app's font cannot draw replaced, so an
/// engine event ("link a → b partitioned") or a validation message (a
/// cycle "a → b → a") never shows an empty box.
pub fn for_app_font(text: &str) -> String {
    let mut out = text.to_string();
    for (missing, instead) in NOT_IN_FONT {
        if out.contains(missing) {
            out = out.replace(missing, instead);
        }
    }
    out
}

/// A latency percentile of `latency`, or "–" when nothing succeeded (a
/// percentile of no requests is not 0 ms).
pub fn percentile_ms(latency: &crate::sim::LatencySummary, value_ms: f64) -> String {
    if latency.count == 0 { "–".into() } else { ms(value_ms) }
}

/// A duration in milliseconds: `0.42 ms`, `12.5 ms`, `182 ms`, `1.25 s` —
/// the diagnosis's own, so the verdict and the canvas write it alike.
pub use crate::diagnosis::ms;

/// A ratio in [0, 1] as a percentage: `0 %`, `0.4 %`, `2.1 %`, `87 %`.
pub fn percent(ratio: f64) -> String {
    if !ratio.is_finite() || ratio <= 0.0 {
        return "0 %".into();
    }
    let p = ratio * 100.0;
    if p < 10.0 { format!("{p:.1} %") } else { format!("{p:.0} %") }
}

/// A count with thousands separators: `1,234,567`.
pub fn count(n: u64) -> String {
    crate::sim::group_thousands(n)
}

/// A speed factor: `0.1×`, `1×`, `250×`.
pub fn speed(factor: f64) -> String {
    if factor < 1.0 {
        format!("{factor:.1}×")
    } else if factor < 10.0 {
        let rounded = (factor * 10.0).round() / 10.0;
        if rounded.fract() == 0.0 { format!("{rounded:.0}×") } else { format!("{rounded:.1}×") }
    } else {
        format!("{factor:.0}×")
    }
}

/// Simulated time for the toolbar clock: `12.3 s`, `4 min 05 s`, `1 h 02 min 05 s`.
pub fn sim_clock(secs: f64) -> String {
    let secs = secs.max(0.0);
    if secs < 60.0 {
        format!("{secs:.1} s")
    } else if secs < 3_600.0 {
        format!("{} min {:02} s", (secs / 60.0).floor(), (secs % 60.0).floor())
    } else {
        // Seconds stay: a step of one window must show on the clock.
        let whole = secs.floor() as u64;
        format!("{} h {:02} min {:02} s", whole / 3_600, (whole % 3_600) / 60, whole % 60)
    }
}

/// "used/capacity", or "used" alone when the capacity is unbounded.
pub fn of_capacity(used: u32, capacity: Option<u32>) -> String {
    match capacity {
        Some(c) => format!("{used}/{c}"),
        None => format!("{used}/∞"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cost_rate_reads_per_hour_and_per_month() {
        assert_eq!(cost_rate(1.02), "$1.02/h · $745/month");
    }

    #[test]
    fn byte_rates_read_as_a_network_graph_shows_them() {
        assert_eq!(bytes_rate(0.0), "0 B/s");
        assert_eq!(bytes_rate(850.0), "850 B/s");
        assert_eq!(bytes_rate(12_500.0), "12.5 KB/s");
        assert_eq!(bytes_rate(3_200_000.0), "3.2 MB/s");
        assert_eq!(bytes_rate(250_000_000.0), "250 MB/s");
    }

    /// Every character the replacement removes is missing from the font,
    /// and what replaces it is there (so a font change shows up here).
    #[test]
    fn replaced_characters_are_the_ones_the_font_lacks() {
        let ctx = eframe::egui::Context::default();
        let mut out = ctx.run_ui(eframe::egui::RawInput::default(), |_| {});
        out.textures_delta.clear();
        let font = eframe::egui::FontId::proportional(14.0);
        for (missing, instead) in NOT_IN_FONT {
            assert!(!ctx.fonts_mut(|f| f.has_glyph(&font, missing)), "{missing} is in the font now");
            assert!(ctx.fonts_mut(|f| f.has_glyphs(&font, instead)), "{instead}");
        }
        assert_eq!(for_app_font("calls form a cycle: a → b → a"), "calls form a cycle: a -> b -> a");
    }

    #[test]
    fn a_percentile_of_no_requests_is_a_dash_not_zero() {
        let none = crate::sim::LatencySummary::default();
        assert_eq!(percentile_ms(&none, 0.0), "–");
        let some = crate::sim::LatencySummary { count: 3, ..Default::default() };
        assert_eq!(percentile_ms(&some, 0.0), "0.00 ms");
    }

    #[test]
    fn numbers_read_the_way_engineers_write_them() {
        assert_eq!(rate(0.0), "0 rps");
        assert_eq!(rate(950.4), "950 rps");
        assert_eq!(rate(12_345.0), "12.3k rps");
        assert_eq!(ms(0.421), "0.42 ms");
        assert_eq!(ms(182.3), "182 ms");
        assert_eq!(ms(1_250.0), "1.25 s");
        assert_eq!(percent(0.021), "2.1 %");
        assert_eq!(percent(0.874), "87 %");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(12), "12");
        assert_eq!(speed(0.1), "0.1×");
        assert_eq!(speed(1.0), "1×");
        assert_eq!(speed(2.5), "2.5×");
        assert_eq!(speed(1000.0), "1000×");
        assert_eq!(sim_clock(65.0), "1 min 05 s");
        // Past an hour a one-second step still shows.
        assert_eq!(sim_clock(3_725.0), "1 h 02 min 05 s");
        assert_ne!(sim_clock(3_725.0), sim_clock(3_726.0));
        assert_eq!(of_capacity(6, Some(8)), "6/8");
        assert_eq!(of_capacity(3, None), "3/∞");
    }
}
