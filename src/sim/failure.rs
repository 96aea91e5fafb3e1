//! Why a request failed. Every failure is counted under exactly one reason,
//! at the node where it happened.

use serde::{Deserialize, Serialize};

/// The reason a call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureReason {
    /// The node's waiting queue was full.
    Rejected,
    /// The node was down (crashed), or a load balancer had no healthy target.
    NodeDown,
    /// The node answered with an error (its error probability or an
    /// injected error fault).
    Error,
    /// The client stopped waiting.
    Timeout,
    /// The request was lost on a network edge.
    Dropped,
    /// Every attempt the retry policy allows failed.
    RetriesExhausted,
    /// The node's rate limiter found its token bucket empty and refused
    /// the request at once (HTTP 429).
    RateLimited,
    /// The caller's bulkhead on the edge was full: as many calls as it
    /// allows were already in flight, so this one failed at once.
    BulkheadFull,
    /// The caller's circuit breaker on the edge was open: recent calls
    /// failed too often, so this one failed at once, without being sent.
    BreakerOpen,
    /// The node shed it: it waited in line longer than the node's
    /// `shed_after_ms`, so it was dropped when its turn came.
    Shed,
    /// The client's adaptive throttling refused it before sending: its
    /// backend had accepted too few of its recent requests.
    Throttled,
    /// The node dropped it unstarted: its caller, or a caller above it,
    /// had already given up (a propagated deadline had passed).
    DeadlineExceeded,
}

impl FailureReason {
    pub const COUNT: usize = 12;
    pub const ALL: [FailureReason; Self::COUNT] = [
        Self::Rejected,
        Self::NodeDown,
        Self::Error,
        Self::Timeout,
        Self::Dropped,
        Self::RetriesExhausted,
        Self::RateLimited,
        Self::BulkheadFull,
        Self::BreakerOpen,
        Self::Shed,
        Self::Throttled,
        Self::DeadlineExceeded,
    ];

    #[inline]
    pub fn index(self) -> usize {
        self as usize
    }

    /// How the app and the summary table name it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Rejected => "queue full",
            Self::NodeDown => "down",
            Self::Error => "error",
            Self::Timeout => "timeout",
            Self::Dropped => "dropped",
            Self::RetriesExhausted => "retries exhausted",
            Self::RateLimited => "rate limited",
            Self::BulkheadFull => "bulkhead full",
            Self::BreakerOpen => "breaker open",
            Self::Shed => "shed",
            Self::Throttled => "throttled",
            Self::DeadlineExceeded => "deadline exceeded",
        }
    }

    /// The key used in JSON and CSV.
    pub fn key(self) -> &'static str {
        match self {
            Self::Rejected => "rejected",
            Self::NodeDown => "node_down",
            Self::Error => "error",
            Self::Timeout => "timeout",
            Self::Dropped => "dropped",
            Self::RetriesExhausted => "retries_exhausted",
            Self::RateLimited => "rate_limited",
            Self::BulkheadFull => "bulkhead_full",
            Self::BreakerOpen => "breaker_open",
            Self::Shed => "shed",
            Self::Throttled => "throttled",
            Self::DeadlineExceeded => "deadline_exceeded",
        }
    }
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Outcome {
    #[default]
    Pending,
    Ok,
    /// Answered by a fallback instead of failing (a default, a stale
    /// copy): a success for the caller, counted apart from ok.
    Degraded,
    /// Failed for `reason` at node `origin`.
    Failed {
        reason: FailureReason,
        origin: u32,
    },
}
