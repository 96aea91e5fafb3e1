//! Simulated time: integer nanoseconds, so event order never depends on
//! floating-point rounding.

use serde::{Deserialize, Serialize};

/// A point in simulated time, nanoseconds since the start of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct SimTime(pub u64);

/// Nanoseconds in one second.
pub const NANOS_PER_SEC: f64 = 1e9;
/// Nanoseconds per second, for whole-second slots (retry budgets, throttles).
pub const NANOS_PER_SEC_U64: u64 = 1_000_000_000;
/// Nanoseconds in one millisecond.
pub const NANOS_PER_MS: f64 = 1e6;

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    /// Far enough to mean "never" while still adding safely.
    pub const NEVER: SimTime = SimTime(u64::MAX / 4);

    /// From seconds; negative or non-finite inputs clamp to zero / never.
    pub fn from_secs(secs: f64) -> SimTime {
        SimTime(secs_to_nanos(secs))
    }

    pub fn as_secs(self) -> f64 {
        self.0 as f64 / NANOS_PER_SEC
    }

    /// This time plus a duration in nanoseconds.
    #[inline]
    pub fn after(self, nanos: u64) -> SimTime {
        SimTime(self.0.saturating_add(nanos))
    }

    /// Nanoseconds from `earlier` to `self` (zero if `earlier` is later).
    #[inline]
    pub fn since(self, earlier: SimTime) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

/// Seconds to nanoseconds, rounded; clamps negatives to 0 and huge values
/// to [`SimTime::NEVER`].
pub fn secs_to_nanos(secs: f64) -> u64 {
    duration_to_nanos(secs * NANOS_PER_SEC)
}

/// Milliseconds to nanoseconds, rounded, clamped like [`secs_to_nanos`].
pub fn ms_to_nanos(ms: f64) -> u64 {
    duration_to_nanos(ms * NANOS_PER_MS)
}

fn duration_to_nanos(nanos: f64) -> u64 {
    if nanos.is_nan() || nanos <= 0.0 {
        0
    } else if nanos >= SimTime::NEVER.0 as f64 {
        SimTime::NEVER.0
    } else {
        nanos.round() as u64
    }
}

/// Nanoseconds to milliseconds, for reports.
pub fn nanos_to_ms(nanos: f64) -> f64 {
    nanos / NANOS_PER_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_and_clamp() {
        assert_eq!(ms_to_nanos(1.5), 1_500_000);
        assert_eq!(secs_to_nanos(-3.0), 0);
        assert_eq!(secs_to_nanos(f64::INFINITY), SimTime::NEVER.0);
        assert_eq!(SimTime::from_secs(2.0).as_secs(), 2.0);
    }
}
