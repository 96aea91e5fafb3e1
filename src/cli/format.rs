//! Numbers as a person reads them: thousands separators, rates and
//! milliseconds with as many decimals as carry information, k/M for the
//! big throughput figures of the benchmark.

/// A count with thousands separators: `1234567` → `1,234,567`.
pub fn count(n: u64) -> String {
    crate::sim::group_thousands(n)
}

/// A non-negative number rounded to `decimals`, with thousands separators
/// on its whole part: `12345.678, 1` → `12,345.7`.
pub fn decimal(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') { "-" } else { "" };
    let whole = whole.parse::<u64>().map_or_else(|_| whole.to_string(), count);
    if fraction.is_empty() { format!("{sign}{whole}") } else { format!("{sign}{whole}.{fraction}") }
}

/// Requests per second: one decimal below 1,000, whole numbers above.
pub fn rate(rps: f64) -> String {
    decimal(rps, usize::from(rps.abs() < 1_000.0))
}

/// Milliseconds with about three significant digits: `0.312`, `4.07`,
/// `18.3`, `1,204`.
pub fn millis(ms: f64) -> String {
    let decimals = match ms.abs() {
        0.0 => 0,
        m if m < 1.0 => 3,
        m if m < 10.0 => 2,
        m if m < 100.0 => 1,
        _ => 0,
    };
    decimal(ms, decimals)
}

/// A ratio in [0, 1] as a percentage with one decimal: `0.8123` → `81.2 %`.
pub fn percent(ratio: f64) -> String {
    format!("{} %", decimal(ratio * 100.0, 1))
}

/// A large quantity in k/M/G with three significant digits: `5_230_000` →
/// `5.23 M`. Below 1,000 the number itself.
pub fn si(value: f64) -> String {
    let (scaled, unit) = match value.abs() {
        v if v >= 1e9 => (value / 1e9, " G"),
        v if v >= 1e6 => (value / 1e6, " M"),
        v if v >= 1e3 => (value / 1e3, " k"),
        _ => (value, ""),
    };
    let decimals = match scaled.abs() {
        s if s >= 100.0 => 0,
        s if s >= 10.0 => 1,
        _ => 2,
    };
    let decimals = if unit.is_empty() && scaled.fract() == 0.0 { 0 } else { decimals };
    format!("{scaled:.decimals$}{unit}")
}

/// Simulated or wall seconds: `0.25 s`, `12.5 s`, `3,600 s`.
pub fn seconds(s: f64) -> String {
    let decimals = match s.abs() {
        v if v < 10.0 => 2,
        v if v < 100.0 => 1,
        _ => 0,
    };
    format!("{} s", decimal(s, decimals))
}

/// A load factor as `×` (see [`crate::study::factor_label`]).
pub fn factor(f: f64) -> String {
    crate::study::factor_label(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
    }

    #[test]
    fn decimals_keep_separators_and_sign() {
        assert_eq!(decimal(12_345.678, 1), "12,345.7");
        assert_eq!(decimal(-1_500.0, 0), "-1,500");
        assert_eq!(decimal(-0.001, 1), "0.0");
        assert_eq!(decimal(f64::NAN, 1), "—");
    }

    #[test]
    fn milliseconds_carry_about_three_digits() {
        assert_eq!(millis(0.0), "0");
        assert_eq!(millis(0.3124), "0.312");
        assert_eq!(millis(4.066), "4.07");
        assert_eq!(millis(18.34), "18.3");
        assert_eq!(millis(1_204.4), "1,204");
    }

    #[test]
    fn rates_and_percentages() {
        assert_eq!(rate(999.84), "999.8");
        assert_eq!(rate(12_345.6), "12,346");
        assert_eq!(percent(0.8123), "81.2 %");
    }

    #[test]
    fn factors_drop_trailing_zeros() {
        assert_eq!(factor(1.0), "1×");
        assert_eq!(factor(1.4678), "1.47×");
        assert_eq!(factor(21.54), "21.5×");
        assert_eq!(factor(100.0), "100×");
        assert_eq!(factor(2.5), "2.5×");
    }

    #[test]
    fn si_prefixes() {
        assert_eq!(si(5_230_000.0), "5.23 M");
        assert_eq!(si(12_340.0), "12.3 k");
        assert_eq!(si(950.0), "950");
        assert_eq!(si(2.5e9), "2.50 G");
    }
}
