//! The rows of an edge's fallback: what its caller answers when a call over
//! it fails for good (nothing, a default answer it makes up itself, or the
//! stale copy an LRU cache still holds), then how long the default answer
//! takes to make.

use eframe::egui::Ui;

use super::distribution::distribution_rows;
use super::fields::{Choice, Edit, Row, label_cell};
use crate::scenario::PathSegment::Key;
use crate::scenario::{DistributionSpec, FallbackSpec};

/// What the menu's tooltip says: what a fallback does, and when to use one.
const FALLBACK_HELP: &str = "What the caller answers when a call over this link fails for good (after its retries: \
     an error, a timeout, an open breaker, a full bulkhead, a dead callee): a degraded answer instead of a failure. \
     Graceful degradation: a shop page without recommendations instead of an error page. Degraded answers are \
     counted apart from ok and failed, in yellow. Use it on a call whose answer the page can do without \
     (recommendations, reviews, an avatar), with a timeout and a breaker so the fallback answers fast; not on one \
     it cannot (a payment, a login). Default answer: the caller makes one up itself (best sellers, an empty list). \
     Serve stale: a cache answers with its expired copy of the key, if it still holds one (only on the edge from an \
     LRU cache to its store). Applies at once.";

/// The menu's options, in order: none, a default answer, the stale copy.
const NONE: usize = 0;
const RESPOND: usize = 1;
const STALE: usize = 2;

/// The "fallback" menu, then, for a default answer, its time. `stale_why_not`
/// says why the caller cannot serve stale copies (it is not an LRU cache);
/// `None` when it can. Rows are at the path `fallback`, so their problems
/// show under them.
pub fn fallback_rows(ui: &mut Ui, edit: &mut Edit, slot: &mut Option<FallbackSpec>, stale_why_not: Option<&str>) {
    let current = match slot {
        None => NONE,
        Some(FallbackSpec::Respond { .. }) => RESPOND,
        Some(FallbackSpec::ServeStale) => STALE,
    };
    let stale_name = if stale_why_not.is_some() { "serve stale (from an LRU cache only)" } else { "serve stale" };
    let options = [Choice::new("none"), Choice::new("default answer"), Choice::new(stale_name).unless(stale_why_not)];
    let mut chosen = current;
    Row::new("fallback", "fallback").help(FALLBACK_HELP).choice(ui, edit, &mut chosen, &options);
    if chosen != current {
        *slot = match chosen {
            RESPOND => Some(FallbackSpec::Respond { latency: Some(DistributionSpec::Constant { ms: 1.0 }) }),
            STALE => Some(FallbackSpec::ServeStale),
            _ => None,
        };
    }
    let Some(FallbackSpec::Respond { latency }) = slot else { return };
    edit.within(&[Key("fallback")], |edit| {
        let help = "How long the caller takes to make its default answer up (a lookup in local memory: about a \
                    millisecond). Off = at once.";
        let label = label_cell(ui, "  answer time", help);
        let mut on = latency.is_some();
        let text = if on { "takes time" } else { "at once" };
        if ui.checkbox(&mut on, text).labelled_by(label.id).on_hover_text(help).changed() {
            *latency = on.then_some(DistributionSpec::Constant { ms: 1.0 });
            edit.changed = true;
        }
        ui.end_row();
        if let Some(d) = latency {
            distribution_rows(ui, edit, ("  time", "latency"), d, "The distribution of the default answer's time.");
        }
    });
}
