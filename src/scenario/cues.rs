//! An instructor's cues: a scripted lesson's talking points, each with
//! what happens when the presenter fires it ("traffic ×5: the launch email
//! went out", "the cache dies"). In the app the presenter fires them one by
//! one from the keyboard (N or Page Down, what a presentation clicker
//! sends), or lets them fire at their own times; the engine is not involved
//! until a cue acts, and then it acts as the node menu and the Spike button
//! do. Unlike the fault timeline, which is part of the design's run, cues
//! are the presenter's: a run without them is the design alone.

use serde::{Deserialize, Serialize};

use super::FaultSpec;

/// Most cues a scenario may hold.
pub const MAX_CUES: usize = 100;

/// Longest text a cue may say, in characters.
pub const MAX_CUE_TEXT: usize = 500;

/// One cue: what the presenter says, and what it does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CueSpec {
    /// What the presenter says (shown in the cue bar and logged when fired).
    pub say: String,
    /// When it fires by itself when the cues are let run, simulated
    /// seconds; `None` = only when the presenter fires it.
    #[serde(default)]
    pub at_s: Option<f64>,
    /// What it does to the running simulation (`Note`: nothing, a talking
    /// point).
    #[serde(default)]
    pub action: CueAction,
}

/// What firing a cue does: the live actions of the app's node menu and
/// Spike button, on a named node.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum CueAction {
    /// Nothing: a talking point.
    #[default]
    Note,
    /// Multiplies an open-loop client's rate for a while.
    Spike { client: String, factor: f64, duration_s: f64 },
    /// The node goes down until a `Restore` cue (or the presenter) brings it back.
    Crash { node: String },
    /// A crashed node comes back.
    Restore { node: String },
    /// The node's work takes `factor` times longer (1 = normal again).
    Slow { node: String, factor: f64 },
    /// The node fails this share of its requests (0 = off again).
    Errors { node: String, probability: f64 },
    /// The cache forgets everything it holds.
    FlushCache { node: String },
}

impl CueAction {
    /// The node it acts on, if any.
    pub fn node(&self) -> Option<&str> {
        match self {
            CueAction::Note => None,
            CueAction::Spike { client: node, .. }
            | CueAction::Crash { node }
            | CueAction::Restore { node }
            | CueAction::Slow { node, .. }
            | CueAction::Errors { node, .. }
            | CueAction::FlushCache { node } => Some(node),
        }
    }

    /// The field that names its node, for error messages.
    pub fn node_field(&self) -> &'static str {
        if matches!(self, CueAction::Spike { .. }) { "client" } else { "node" }
    }

    /// The timeline fault that acts alike, so a cue's node is checked by
    /// the same rules (a spike needs an open-loop client, a flush a cache).
    pub fn as_fault(&self) -> Option<FaultSpec> {
        let node = |n: &str| n.to_string();
        Some(match self {
            CueAction::Note | CueAction::Restore { .. } => return None,
            CueAction::Spike { client, factor, duration_s } => {
                FaultSpec::Spike { node: node(client), at_s: 0.0, duration_s: *duration_s, factor: *factor }
            }
            CueAction::Crash { node: n } => FaultSpec::Crash { node: node(n), at_s: 0.0, restore_s: None },
            CueAction::Slow { node: n, factor } => {
                FaultSpec::Slow { node: node(n), factor: *factor, from_s: 0.0, to_s: 1.0 }
            }
            CueAction::Errors { node: n, probability } => {
                FaultSpec::Errors { node: node(n), probability: *probability, from_s: 0.0, to_s: 1.0 }
            }
            CueAction::FlushCache { node: n } => FaultSpec::Flush { node: node(n), at_s: 0.0 },
        })
    }

    /// A few words for the cue bar and the log when it says nothing else.
    pub fn describe(&self) -> String {
        match self {
            CueAction::Note => "a talking point".into(),
            CueAction::Spike { client, factor, duration_s } => format!("{client} ×{factor} for {duration_s} s"),
            CueAction::Crash { node } => format!("crash {node}"),
            CueAction::Restore { node } => format!("restore {node}"),
            CueAction::Slow { node, factor } => format!("{node} slowed ×{factor}"),
            CueAction::Errors { node, probability } => format!("{node} fails {} %", probability * 100.0),
            CueAction::FlushCache { node } => format!("flush {node}"),
        }
    }
}
